//! `GET /skills/exams/{id}`: the examiner's circuit (who comes to its stations when, and
//! a link to score each), the county's results table; `GET …/statistics`.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::page::{Nav, PageResult, html};
use crate::skills::ops::{ExamAccess, exams, results, statistics};
use crate::skills::views::{ExamView, ResultsView, StatisticsView};
use crate::state::AppState;

/// One candidate due at one of the examiner's stations.
struct Due {
    at: String,
    doctor_id: i64,
    name: String,
    station_id: i64,
    station: String,
    state: String,
}

/// One line of the results table, ready to show.
struct Line {
    name: String,
    cells: Vec<String>,
    total: String,
    verdict: &'static str,
}

#[derive(Template)]
#[template(path = "skills/exam.html")]
struct ExamPage {
    nav: Option<Nav>,
    exam: ExamView,
    due: Vec<Due>,
    lines: Vec<Line>,
    is_examiner: bool,
    is_admin: bool,
}

fn lines(exam: &ExamView, results: &ResultsView) -> Vec<Line> {
    results
        .items
        .iter()
        .map(|c| Line {
            name: c.name.clone(),
            cells: c
                .stations
                .iter()
                .map(|s| {
                    let mut cell = s.points.map_or_else(|| "—".to_owned(), |p| p.to_string());
                    if s.critical_missed {
                        cell.push_str("（关键项漏做）");
                    }
                    if s.points.is_some() && !s.submitted {
                        cell.push_str("（未提交）");
                    }
                    if s.flagged {
                        cell.push_str("（待复核）");
                    }
                    cell
                })
                .collect(),
            total: format!("{} / {}", c.total, exam.max_score),
            verdict: if !c.complete {
                "未完成"
            } else if c.passed {
                "合格"
            } else {
                "不合格"
            },
        })
        .collect()
}

pub async fn detail(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    let id = path.into_inner();
    let (exam, how) = exams::detail(&state, &user, id).await?;
    let res = results::results(&state, &user, id).await?;
    let mut due = Vec::new();
    if let ExamAccess::Examiner(me) = how {
        for s in exam
            .stations
            .iter()
            .filter(|s| s.examiner_ids.contains(&me))
        {
            for c in &exam.candidates {
                let at = c
                    .schedule
                    .iter()
                    .find(|v| v.station_id == s.station_id)
                    .map_or_else(String::new, |v| v.starts_at_cst.clone());
                let result = res
                    .items
                    .iter()
                    .find(|r| r.doctor_id == c.doctor_id)
                    .and_then(|r| r.stations.iter().find(|x| x.station_id == s.station_id));
                let state = match result {
                    Some(r) if r.submitted => "已提交".to_owned(),
                    Some(r) if r.sheets > 0 => "评分中".to_owned(),
                    _ => "未评".to_owned(),
                };
                due.push(Due {
                    at,
                    doctor_id: c.doctor_id,
                    name: c.name.clone(),
                    station_id: s.station_id,
                    station: s.title.clone(),
                    state,
                });
            }
        }
        due.sort_by(|a, b| a.at.cmp(&b.at).then(a.station.cmp(&b.station)));
    }
    html(&ExamPage {
        nav: Nav::of(&user),
        lines: lines(&exam, &res),
        exam,
        due,
        is_examiner: matches!(how, ExamAccess::Examiner(_)),
        is_admin: how == ExamAccess::Admin,
    })
}

#[derive(Template)]
#[template(path = "skills/statistics.html")]
struct StatisticsPage {
    nav: Option<Nav>,
    exam: ExamView,
    stats: StatisticsView,
}

impl StatisticsPage {
    fn percent(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{:.0}%", v * 100.0))
    }

    fn number(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
    }
}

pub async fn statistics(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    let id = path.into_inner();
    let stats = statistics::statistics(&state, &user, id).await?;
    let (exam, _) = exams::detail(&state, &user, id).await?;
    html(&StatisticsPage {
        nav: Nav::of(&user),
        exam,
        stats,
    })
}
