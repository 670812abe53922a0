//! The gate: only those who pass go on (Weifang 五(二) 年度考核合格后方能进入下一年度的
//! 学习培训). Sessions' attendance, shadowing placements and exam sittings ask here.

use crate::assessment::{rules, store};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// Refuse (409, naming the year) a doctor whose previous year's annual assessment is
/// confirmed and not passed, until a re-assessment of that year passes.
pub fn require_passed_previous_year(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    year: i32,
) -> AppResult<()> {
    let previous = store::annual::latest_confirmed(conn, doctor_id, program_id, year - 1)?;
    rules::gate(year, previous.map(|row| row.passed)).map_err(AppError::Conflict)
}
