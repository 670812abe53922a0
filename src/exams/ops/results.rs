//! Results and item analysis, for managers: the attempts of the caller's doctors, as a
//! page, as a spreadsheet, and analysed.

use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::exams::rules;
use crate::exams::store::{self, ResultRow};
use crate::exams::views::AnalysisView;
use crate::exams::{AttemptStatus, Exam, SubmittedBy};
use crate::extract::Paging;
use crate::state::AppState;
use crate::time;

/// One page of an exam's results.
#[derive(Debug)]
pub struct ResultsPage {
    pub exam: Exam,
    /// The caller may withdraw or close it ([`rules::may_manage`]).
    pub correctable: bool,
    pub rows: Vec<ResultRow>,
    pub total: i64,
    /// Across every page: attempts submitted, and passed.
    pub submitted: i64,
    pub passed: i64,
}

/// The attempts of the caller's doctors at an exam (a county sees its own), by region
/// then name.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn results(
    state: &AppState,
    caller: &Caller,
    id: i64,
    paging: Paging,
) -> AppResult<ResultsPage> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let placed = super::managed_exam(conn, &caller, id)?;
            let correctable = rules::may_manage(&caller.scope(), &placed.terms());
            let exam = placed.exam;
            let (rows, total) = store::results(
                conn,
                exam.id,
                &caller.scope(),
                paging.per_page,
                paging.offset(),
            )?;
            let (submitted, passed) = store::results_counts(conn, exam.id, &caller.scope())?;
            Ok::<_, AppError>(ResultsPage {
                exam,
                correctable,
                rows,
                total,
                submitted,
                passed,
            })
        })
        .await
}

/// Every attempt of the caller's doctors as an `.xlsx` workbook.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn results_xlsx(state: &AppState, caller: &Caller, id: i64) -> AppResult<Vec<u8>> {
    let caller = caller.clone();
    let (exam, rows) = state
        .db(move |conn| {
            let exam = super::managed_exam(conn, &caller, id)?.exam;
            let (rows, _) = store::results(conn, exam.id, &caller.scope(), i64::MAX, 0)?;
            Ok::<_, AppError>((exam, rows))
        })
        .await?;
    results_sheet(&exam, &rows).map_err(AppError::internal)
}

/// How the workbook names an attempt's state.
fn state_label(row: &ResultRow) -> &'static str {
    match row.status {
        AttemptStatus::InProgress => AttemptStatus::InProgress.label(),
        AttemptStatus::Submitted => match row.submitted_by {
            Some(SubmittedBy::Deadline) => SubmittedBy::Deadline.label(),
            _ => AttemptStatus::Submitted.label(),
        },
    }
}

/// The results as a spreadsheet, with the exam's terms in a notes sheet.
pub fn results_sheet(
    exam: &Exam,
    rows: &[ResultRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("学员", 10.0),
        Column::new("所在地", 24.0),
        Column::new("作答次数", 8.0).number(),
        Column::new("状态", 10.0),
        Column::new("开始时间", 17.0),
        Column::new("交卷时间", 17.0),
        Column::new("成绩", 8.0).number(),
        Column::new("满分", 8.0).number(),
        Column::new("结果", 8.0),
    ];
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.doctor_name.clone(),
                r.region_name.clone(),
                r.attempt_no.to_string(),
                state_label(r).to_owned(),
                time::display_cst(r.started_at),
                r.submitted_at.map(time::display_cst).unwrap_or_default(),
                r.score.map(|s| s.to_string()).unwrap_or_default(),
                r.max_score.to_string(),
                match r.passed {
                    Some(true) => "合格".to_owned(),
                    Some(false) => "不合格".to_owned(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("成绩", &columns, &values)?;
    book.notes(
        "说明",
        &[
            &format!("考试：{}（{}）", exam.title, exam.kind.label()),
            &format!(
                "时间：{} 至 {}",
                time::display_cst(exam.opens_at),
                time::display_cst(exam.closes_at)
            ),
            &format!("满分 {}，及格 {}", exam.max_score, exam.pass_score),
        ],
    )?;
    book.into_bytes()
}

/// Item analysis over the submitted attempts of the caller's doctors, with each item's
/// text from the bank.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, exam = id))]
pub async fn analysis(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(Exam, AnalysisView)> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            let exam = super::managed_exam(conn, &caller, id)?.exam;
            let responses = store::responses(conn, exam.id, &caller.scope())?;
            let analysis = rules::analyze(&responses);
            let qids: Vec<String> = analysis
                .items
                .iter()
                .map(|i| i.question_id.clone())
                .collect();
            let texts = store::question_texts(conn, &qids)?;
            let view = AnalysisView::new(&exam, &analysis, &texts);
            Ok::<_, AppError>((exam, view))
        })
        .await
}
