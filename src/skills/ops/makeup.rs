//! The skills make-up exam (结业技能补考): it covers only the failed half — its
//! candidates are doctors whose latest completion (or make-up) skills exam is failed —
//! and it is held after a completion skills exam of the program and no later than the
//! program's make-up deadline (the end of training + `makeup_window_months`; Weifang
//! 五(三) 3个月内安排补考).

use crate::db::AnyConnection;
use crate::error::{AppResult, Problems};
use crate::skills::NewExam;
use crate::skills::store::exams as store;

/// The doctor's latest completion or make-up skills exam is complete and failed.
pub fn needs_skills_makeup(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> AppResult<bool> {
    // The year only picks the single-skill results, which are not read here.
    let standing = super::standing::standing(conn, doctor_id, program_id, 0)?;
    Ok(standing.completion.is_some_and(|c| !c.passed))
}

/// A make-up exam's date: after the program's first completion skills exam, within the
/// make-up window. Problems are added to `p` (field `held_on`, or `kind` when there is
/// no completion exam to make up).
pub fn check_window(conn: &mut AnyConnection, new: &NewExam, p: &mut Problems) -> AppResult<()> {
    let Some((policy, years)) = crate::program::policy(conn, new.program_id)? else {
        return Ok(());
    };
    let months = policy.requirements.makeup_window_months;
    let deadline = policy
        .deadlines
        .training_done
        .in_year(*years.end())
        .and_then(|end| crate::assessment::rules::makeup_deadline(end, months));
    match store::first_completion_on(conn, new.program_id)? {
        None => p.add("kind", "该培训项目尚无结业技能考核，不能安排补考"),
        Some(first) if new.held_on < first => p.add(
            "held_on",
            format!("补考应在结业技能考核（{first}）之后举行"),
        ),
        Some(_) => {}
    }
    if let Some(deadline) = deadline
        && new.held_on > deadline
    {
        p.add(
            "held_on",
            format!("补考须在培训结束后 {months} 个月内举行（最晚 {deadline}）"),
        );
    }
    Ok(())
}
