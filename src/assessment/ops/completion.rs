//! Deciding completion (结业): each doctor's status is moved along the allowed paths
//! toward what the facts call for and stored; a doctor who passes gets a certificate.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rand::RngCore;

use crate::access::{Caller, Role};
use crate::assessment::rules::certificate::code_from;
use crate::assessment::store::{self, completions::Decision};
use crate::assessment::views::Decided;
use crate::assessment::{CertificateRow, CompletionStatus};
use crate::audit::{self, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;
use crate::time;

use super::compute::Loaded;

/// Decide one doctor's completion on `today` and store it; a doctor who passes and has
/// no valid certificate is issued one. Returns the status and the new certificate.
pub fn decide_one(
    conn: &mut AnyConnection,
    loaded: &Loaded,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<(CompletionStatus, Option<CertificateRow>)> {
    let (status, f) = loaded.completion_status(today);
    let decision = Decision {
        status,
        theory_passed: f.theory,
        skills_passed: f.skills,
        hours_met: f.hours_met,
        makeup_deadline: f.makeup_deadline,
    };
    store::completions::put(conn, loaded.doctor_id, loaded.program_id, &decision, now)?;
    let mut issued = None;
    if status == CompletionStatus::Passed
        && store::certificates::valid_of(conn, loaded.doctor_id, loaded.program_id)?.is_none()
    {
        issued = Some(issue(
            conn,
            loaded.doctor_id,
            loaded.program_id,
            today,
            now,
        )?);
    }
    Ok((status, issued))
}

/// Issue a certificate with a fresh random code.
pub fn issue(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<CertificateRow> {
    // A clash among 31¹² codes is all but impossible; try again rather than fail.
    for _ in 0..3 {
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        let code = code_from(&bytes);
        if store::certificates::by_code(conn, &code)?.is_none() {
            return Ok(store::certificates::insert(
                conn, &code, doctor_id, program_id, today, now,
            )?);
        }
    }
    Err(AppError::internal("no free certificate code"))
}

/// `POST /api/v1/assessment/completions/decide {region_code}` (county and city admins):
/// decide the completion of every doctor of the region, issuing certificates to those
/// who pass.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    region_code: Option<String>,
) -> AppResult<Decided> {
    caller.require(&[Role::CountyAdmin, Role::CityAdmin])?;
    let mut p = Problems::new();
    let code = region_code
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if code.is_none() {
        p.add("region_code", "必填");
    }
    p.finish()?;
    let caller = caller.clone();
    let now = time::now();
    let today = time::today_cst();
    state
        .db(move |conn| {
            let region = super::region_in_scope(conn, &caller, code.as_deref(), "region_code")?;
            let doctors = store::facts::doctors_in(conn, &region.scope(), None)?;
            db::write(conn, |conn| {
                let mut by_status: BTreeMap<&'static str, usize> = BTreeMap::new();
                let mut certificates = 0;
                for d in &doctors {
                    let loaded = Loaded::read(conn, d.id, d.program_id)?;
                    let (status, issued) = decide_one(conn, &loaded, today, now)?;
                    *by_status.entry(status.as_str()).or_default() += 1;
                    certificates += usize::from(issued.is_some());
                }
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("assessment.completion")
                        .target(format!("region:{}", region.code))
                        .detail(serde_json::json!({
                            "decided": doctors.len(), "certificates": certificates,
                        })),
                    now,
                )?;
                Ok::<_, AppError>(Decided {
                    region_code: region.code.clone(),
                    decided: doctors.len(),
                    by_status,
                    certificates,
                })
            })
        })
        .await
}
