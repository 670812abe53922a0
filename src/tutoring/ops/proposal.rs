//! The proposal: groups formed from the program's ungrouped doctors by the county's
//! rules; nothing is written.

use crate::access::{self, Caller, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;
use crate::time;
use crate::tutoring::ProposalBody;
use crate::tutoring::rules::{self, Candidate, Criterion};
use crate::tutoring::store;
use crate::tutoring::views::{HeldBack, Proposal, ProposedGroup, ProposedMember};

use super::region_named;

/// The township a region path lies in (its fourth level), or the path itself above it.
fn township_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts
        .get(3)
        .map_or_else(|| path.to_owned(), |t| (*t).to_owned())
}

/// Propose groups of the program's ungrouped doctors in a region (admins): nothing is
/// written.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn propose(
    state: &AppState,
    caller: &Caller,
    body: &ProposalBody,
) -> AppResult<Proposal> {
    caller.require(Role::ADMINS)?;
    let mut p = Problems::new();
    if body.program_id.is_none() {
        p.add("program_id", "请选择培训项目");
    }
    let region = body.region_code.clone().unwrap_or_default();
    if region.trim().is_empty() {
        p.add("region_code", "请选择区划");
    }
    let mut by = Vec::new();
    for raw in body.by.clone().unwrap_or_default() {
        match Criterion::parse(&raw) {
            Some(c) => by.push(c),
            None => p.add("by", format!("分组依据应为 {} 之一", Criterion::codes())),
        }
    }
    let max_size = body.max_size.unwrap_or(0);
    if !(1..=rules::MAX_GROUP_SIZE).contains(&max_size) {
        p.add(
            "max_size",
            format!("每组人数上限应为 1–{}", rules::MAX_GROUP_SIZE),
        );
    }
    p.finish()?;
    let program_id = body.program_id.unwrap_or_default();
    let caller = caller.clone();
    let today = time::today_cst();
    let groups = state
        .db(move |conn| {
            let scope = region_named(conn, &caller, &region)?.scope();
            access::program(conn, &caller, program_id)
                .map_err(|_| AppError::field("program_id", "培训项目不存在"))?;
            let year = chrono::Datelike::year(&today);
            let mut rows = Vec::new();
            let mut held_back = Vec::new();
            for r in store::ungrouped(conn, &scope, program_id)? {
                match crate::assessment::require_passed_previous_year(conn, r.id, program_id, year)
                {
                    Ok(()) => rows.push(r),
                    Err(AppError::Conflict(reason)) => held_back.push(HeldBack {
                        id: r.id,
                        name: r.name,
                        reason,
                    }),
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, AppError>((rows, held_back))
        })
        .await?;
    let (groups, held_back) = groups;
    let names: Vec<(i64, String)> = groups.iter().map(|r| (r.id, r.name.clone())).collect();
    let candidates: Vec<Candidate> = groups
        .into_iter()
        .map(|r| Candidate {
            doctor_id: r.id,
            township: township_of(&r.region_path),
            education: r.education,
            birth_date: r.birth_date,
            qualification: r.qualification,
        })
        .collect();
    let proposed = rules::propose(&candidates, &by, max_size as usize, today);
    Ok(Proposal {
        groups: proposed
            .into_iter()
            .map(|g| ProposedGroup {
                members: g
                    .doctor_ids
                    .iter()
                    .map(|id| ProposedMember {
                        id: *id,
                        name: names
                            .iter()
                            .find(|(d, _)| d == id)
                            .map(|(_, n)| n.clone())
                            .unwrap_or_default(),
                    })
                    .collect(),
                name: g.name,
                criteria: g.criteria,
                doctor_ids: g.doctor_ids,
            })
            .collect(),
        held_back,
    })
}

#[cfg(test)]
mod tests {
    use super::township_of;

    #[test]
    fn a_village_belongs_to_its_township() {
        assert_eq!(
            township_of("/370000/370400/370402/370402001/370402001101/"),
            "370402001"
        );
        assert_eq!(
            township_of("/370000/370400/370402/"),
            "/370000/370400/370402/"
        );
    }
}
