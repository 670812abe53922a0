//! A filing as a spreadsheet: the statistics first (what the city reads), then the
//! filing's facts and narrative, the plan or the annual scores where it has them.

use super::get;
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::reports::rules::plan::yuan;
use crate::reports::views::ReportView;
use crate::sheet::{Book, Column, XlsxBook};
use crate::state::AppState;

/// `GET /api/v1/reports/{id}.xlsx` → (file name, bytes).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn xlsx(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = get(state, caller, id).await?;
    let mut book = XlsxBook::new();
    tables(&view, &mut book).map_err(AppError::internal)?;
    let bytes = book.into_bytes().map_err(AppError::internal)?;
    Ok((format!("report-{id}.xlsx"), bytes))
}

/// `GET /api/v1/reports/{id}.pdf` → (file name, bytes): the same tables, printable.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn pdf(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = get(state, caller, id).await?;
    let title = format!("{} · {}", view.row.county_name, view.row.title());
    let mut doc = crate::documents::Document::new(&title);
    tables(&view, &mut doc).map_err(AppError::internal)?;
    Ok((format!("{title}.pdf"), doc.render()))
}

fn tables(v: &ReportView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let figures: Vec<Vec<String>> = v
        .statistics
        .figures
        .iter()
        .map(|f| {
            vec![
                f.label.clone(),
                f.value.to_string(),
                f.unit.clone(),
                f.target.map(|t| t.to_string()).unwrap_or_default(),
                match f.met {
                    Some(true) => "达标".into(),
                    Some(false) => "未达标".into(),
                    None => String::new(),
                },
                f.link.clone(),
            ]
        })
        .collect();
    book.sheet(
        "统计",
        &[
            Column::new("指标", 34.0),
            Column::new("数值", 12.0).number(),
            Column::new("单位", 8.0),
            Column::new("目标", 10.0),
            Column::new("是否达标", 10.0),
            Column::new("明细", 44.0),
        ],
        &figures,
    )?;
    let r = &v.row;
    let facts = vec![
        vec!["报送事项".into(), r.title()],
        vec![
            "区县".into(),
            format!("{}（{}）", r.county_name, r.county_code),
        ],
        vec!["状态".into(), r.status.label().into()],
        vec!["报送期限".into(), r.due_on.to_string()],
        vec!["报送时间（北京时间）".into(), r.submitted_cst()],
        vec![
            "是否逾期".into(),
            match r.late {
                Some(true) => "逾期".into(),
                Some(false) => "按时".into(),
                None => String::new(),
            },
        ],
        vec![
            "统计期间".into(),
            format!("{} 至 {}", v.statistics.period_from, v.statistics.period_to),
        ],
        vec!["工作总结".into(), v.narrative.clone()],
        vec![
            "审核意见".into(),
            v.review_comment.clone().unwrap_or_default(),
        ],
    ];
    book.sheet(
        "概况",
        &[Column::new("项目", 20.0), Column::new("内容", 80.0)],
        &facts,
    )?;
    if let Some(plan) = &v.plan {
        let mut rows: Vec<Vec<String>> = plan
            .sessions
            .iter()
            .map(|s| {
                vec![
                    "集中培训".into(),
                    s.title.clone(),
                    crate::areas::label(&s.topic).to_owned(),
                    format!("{} 月", s.month),
                    s.capacity.to_string(),
                ]
            })
            .collect();
        for (label, n) in [
            ("跟班学习名额", plan.shadowing_places),
            ("辅导带教小组", plan.tutoring_groups),
            ("计划培训人数", plan.planned_trainees),
            ("其中集中学习人数", plan.planned_centralized),
        ] {
            rows.push(vec![
                label.into(),
                String::new(),
                String::new(),
                String::new(),
                n.to_string(),
            ]);
        }
        for (_, name, fen) in plan.budget.lines() {
            rows.push(vec![
                "经费预算".into(),
                name.into(),
                String::new(),
                String::new(),
                format!("{} 元", yuan(fen)),
            ]);
        }
        rows.push(vec![
            "经费预算".into(),
            "合计".into(),
            String::new(),
            String::new(),
            format!("{} 元", yuan(plan.budget.total())),
        ]);
        book.sheet(
            "年度计划",
            &[
                Column::new("类别", 16.0),
                Column::new("项目", 30.0),
                Column::new("培训内容", 24.0),
                Column::new("月份", 8.0),
                Column::new("数量", 14.0).number(),
            ],
            &rows,
        )?;
    }
    if let Some(scores) = &v.statistics.scores {
        let rows: Vec<Vec<String>> = scores
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.score.map(|p| p.to_string()).unwrap_or_default(),
                    s.max_score.map(|p| p.to_string()).unwrap_or_default(),
                    match s.passed {
                        Some(true) => "合格".into(),
                        Some(false) => "不合格".into(),
                        None => "未考核".into(),
                    },
                ]
            })
            .collect();
        book.sheet(
            "年度成绩",
            &[
                Column::new("姓名", 14.0),
                Column::new("成绩", 10.0).number(),
                Column::new("满分", 10.0).number(),
                Column::new("结论", 10.0),
            ],
            &rows,
        )?;
    }
    Ok(())
}
