//! `GET /exams/{id}/analysis`: item statistics, a facility × discrimination chart, the
//! flagged items first.

use actix_web::web;
use askama::Template;

use super::type_label;
use crate::auth::PageUser;
use crate::bank::QType;
use crate::exams::views::AnalysisView;
use crate::exams::{Exam, ops};
use crate::page::{Nav, PageResult, html};
use crate::state::AppState;

/// One item of the analysis page.
pub struct AnalysisRow {
    pub qid: String,
    pub n: usize,
    pub type_label: String,
    pub stem: String,
    pub facility: String,
    pub discrimination: String,
    pub point_biserial: String,
    pub flagged: bool,
    /// The point on the chart.
    pub x: f64,
    pub y: f64,
}

/// The test statistics, formatted.
pub struct TestView {
    pub n: usize,
    pub mean: String,
    pub median: String,
    pub sd: String,
    pub reliability: String,
    pub sem: String,
}

#[derive(Template)]
#[template(path = "exams/analysis.html")]
struct AnalysisPage {
    nav: Option<Nav>,
    exam: Exam,
    test: TestView,
    rows: Vec<AnalysisRow>,
    flagged: usize,
}

/// A statistic to `digits` decimals, or a dash when there is none.
fn fmt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
}

/// Chart geometry: facility 0–1 across 40–400, discrimination −1–1 down 200–20.
pub fn chart_point(facility: f64, discrimination: f64) -> (f64, f64) {
    (
        40.0 + facility.clamp(0.0, 1.0) * 360.0,
        110.0 - discrimination.clamp(-1.0, 1.0) * 90.0,
    )
}

fn rows(view: &AnalysisView) -> Vec<AnalysisRow> {
    let mut rows: Vec<AnalysisRow> = view
        .items
        .iter()
        .map(|i| {
            let (x, y) = chart_point(
                i.facility.unwrap_or(0.0),
                i.discrimination_index.unwrap_or(0.0),
            );
            AnalysisRow {
                qid: i.question_id.clone(),
                n: i.n,
                type_label: QType::parse(&i.qtype).map_or("", type_label).to_owned(),
                stem: i.stem.chars().take(40).collect(),
                facility: fmt(i.facility, 2),
                discrimination: fmt(i.discrimination_index, 2),
                point_biserial: fmt(i.point_biserial, 2),
                flagged: i.negative_discrimination,
                x,
                y,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.flagged
            .cmp(&a.flagged)
            .then(a.discrimination.cmp(&b.discrimination))
    });
    rows
}

/// `GET /exams/{id}/analysis`.
pub async fn analysis(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<i64>,
) -> PageResult {
    let (exam, view) = ops::analysis(&state, &user, path.into_inner()).await?;
    let rows = rows(&view);
    let t = &view.test;
    let test = TestView {
        n: t.n,
        mean: fmt(t.mean, 2),
        median: fmt(t.median, 2),
        sd: fmt(t.sd, 2),
        reliability: fmt(t.reliability, 3),
        sem: fmt(t.sem, 2),
    };
    html(&AnalysisPage {
        nav: Nav::of(&user),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        exam,
        test,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_maps_the_plane() {
        assert_eq!(chart_point(0.0, 1.0), (40.0, 20.0));
        assert_eq!(chart_point(1.0, -1.0), (400.0, 200.0));
        assert_eq!(chart_point(0.5, 0.0), (220.0, 110.0));
    }
}
