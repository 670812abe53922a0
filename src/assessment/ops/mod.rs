//! The assessment's use cases, shared by the API and the pages.

pub mod annual;
pub mod certificates;
pub mod completion;
pub mod compute;
pub mod doctor;
pub mod gate;
pub mod makeup;

use crate::access::Caller;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::regions::Region;

/// A year as sent (`"2025"` or `2025`): a training year between 2000 and 2100.
pub fn parse_year(raw: Option<&serde_json::Value>, p: &mut Problems) -> Option<i32> {
    let year = match raw {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match year {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        _ => {
            p.add("year", "请填写 2000 到 2100 之间的年度");
            None
        }
    }
}

/// `?year=` text, the same way; absent is this year (Beijing).
pub fn query_year(raw: Option<&str>, p: &mut Problems) -> Option<i32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(chrono::Datelike::year(&crate::time::today_cst())),
        Some(s) => parse_year(Some(&serde_json::Value::String(s.to_owned())), p),
    }
}

/// The region a list is about: the one named (unknown → 422; outside the caller's
/// subtree → 404), else the caller's own.
pub fn region_in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: Option<&str>,
    field: &str,
) -> AppResult<Region> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(caller.region.clone());
    };
    let region = crate::regions::find(conn, code)?
        .ok_or_else(|| AppError::field(field, "未知的行政区划代码"))?;
    if !caller.scope().contains_path(&region.path) {
        return Err(caller.denied("assessment.region", format!("region:{code}")));
    }
    Ok(region)
}
