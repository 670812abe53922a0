//! Creating an exam (出题).

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::exams::rules::{self, ExamSpec};
use crate::exams::store::{self, NewExam};
use crate::exams::{Exam, ExamBody, ExamKind, ExamStatus};
use crate::regions::Scope;
use crate::state::AppState;
use crate::time;

/// Check and store a new exam. The body's own terms first ([`rules::check_exam`]), then
/// what needs the database: the program and region in the caller's reach, the original
/// of a make-up and its window, the named collections, and one draw against the bank —
/// a line the bank cannot fill is a 422 naming it.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id, program = body.program_id))]
pub async fn create(state: &AppState, caller: &Caller, body: ExamBody) -> AppResult<Exam> {
    caller.require(Role::ADMINS)?;
    let spec = rules::check_exam(&body).map_err(AppError::Validation)?;
    let region_code = body
        .region_code
        .clone()
        .unwrap_or_else(|| caller.region.code.clone());
    let caller = caller.clone();
    state
        .db(move |conn| {
            let program = access::program(conn, &caller, spec.program_id)
                .map_err(|_| AppError::field("program_id", "培训项目不存在或不在您的管辖范围"))?;
            let program_scope = Scope {
                path: store::region_path(conn, &program.row.region_code)?
                    .ok_or_else(|| AppError::field("program_id", "培训项目的地区不存在"))?,
                code: program.row.region_code.clone(),
            };
            let mut p = Problems::new();
            match store::region_path(conn, &region_code)? {
                Some(path)
                    if caller.scope().contains_path(&path)
                        && program_scope.contains_path(&path) => {}
                Some(_) => p.add(
                    "region_code",
                    "地区应在您的管辖范围内，且属于该培训项目的地区",
                ),
                None => p.add("region_code", format!("未知的地区代码 {region_code}")),
            }
            if let Some(original) = spec.makeup_of {
                let months =
                    u32::try_from(program.policy.requirements.makeup_window_months).unwrap_or(3);
                match store::get_exam(conn, original)? {
                    Some(o)
                        if o.exam.kind == ExamKind::Completion
                            && o.exam.status == ExamStatus::Active
                            && o.exam.program_id == program.row.id =>
                    {
                        check_makeup_window(&spec, &o.exam, months, &mut p);
                    }
                    _ => p.add("makeup_of", "应为同一培训项目的结业考核（completion）"),
                }
            }
            for (i, line) in spec.blueprint.items.iter().enumerate() {
                if let Some(name) = &line.collection
                    && !store::collection_exists(conn, name)?
                {
                    p.add(
                        format!("blueprint.items[{i}].collection"),
                        format!("题库 {name} 不存在"),
                    );
                }
            }
            p.finish()?;
            let pool = store::pool(conn, &spec.blueprint)?;
            if let Err(short) = rules::draw(&spec.blueprint, &pool, 0, false) {
                return Err(AppError::field(
                    format!("blueprint.items[{}].count", short.line),
                    short.message,
                ));
            }
            let new = new_exam(spec, program.row.id, region_code, caller.user_id)?;
            Ok::<_, AppError>(store::insert_exam(conn, &new, &caller.actor())?)
        })
        .await
}

/// A make-up opens after its completion exam closed and closes within the program's
/// make-up window ([`rules::makeup_limit`]).
fn check_makeup_window(spec: &ExamSpec, original: &Exam, months: u32, p: &mut Problems) {
    let limit = rules::makeup_limit(original.closes_at, months);
    if spec.closes_at > limit {
        p.add(
            "closes_at",
            format!(
                "补考须在结业考核结束后 {months} 个月内完成（最晚 {}）",
                time::display_cst(limit)
            ),
        );
    }
    if spec.opens_at < original.closes_at {
        p.add("opens_at", "补考应在结业考核结束之后开始");
    }
}

fn new_exam(
    spec: ExamSpec,
    program_id: i64,
    region_code: String,
    created_by: i64,
) -> AppResult<NewExam> {
    Ok(NewExam {
        max_score: spec.blueprint.max_score(),
        blueprint: serde_json::to_string(&spec.blueprint).map_err(AppError::internal)?,
        title: spec.title,
        kind: spec.kind,
        program_id,
        region_code,
        cohort_year: spec.cohort_year,
        year: spec.year,
        makeup_of: spec.makeup_of,
        opens_at: spec.opens_at,
        closes_at: spec.closes_at,
        duration_minutes: spec.duration_minutes,
        pass_score: spec.pass_score,
        attempts_allowed: spec.attempts_allowed,
        x_scoring: spec.x_scoring,
        shuffle_options: spec.shuffle_options,
        created_by: Some(created_by),
        created_at: time::now(),
    })
}
