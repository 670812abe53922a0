//! The county's make-up lists (补修、补考): who needs make-up study, who a make-up exam
//! and of which half, who passed, who failed — with counts per district, the basis of
//! the funding deduction (核减, Zaozhuang annex 2 §六(二)).

use std::collections::{BTreeMap, HashMap};

use crate::access::{Caller, Role};
use crate::assessment::CompletionStatus;
use crate::assessment::YearQuery;
use crate::assessment::store;
use crate::assessment::views::{DistrictCounts, MakeupItem, MakeupLists};
use crate::error::{AppError, AppResult, Problems};
use crate::state::AppState;

use super::compute::Loaded;

/// `GET /api/v1/assessment/makeup?region=&year=` (admins): the doctors of the region
/// whose program ends in `year`, by where they stand on completion today.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn lists(state: &AppState, caller: &Caller, q: &YearQuery) -> AppResult<MakeupLists> {
    caller.require(Role::ADMINS)?;
    let mut p = Problems::new();
    let year = super::query_year(q.year.as_deref(), &mut p);
    p.finish()?;
    let year = year.ok_or_else(|| AppError::field("year", "年度有误"))?;
    let caller = caller.clone();
    let region = q.region.clone();
    let today = crate::time::today_cst();
    state
        .db(move |conn| {
            let region = super::region_in_scope(conn, &caller, region.as_deref(), "region")?;
            let doctors = store::facts::doctors_in(conn, &region.scope(), None)?;
            let mut ends: HashMap<i64, Option<i32>> = HashMap::new();
            let mut names: HashMap<String, String> = HashMap::new();
            let mut out = MakeupLists {
                region_code: region.code.clone(),
                year,
                makeup_study: Vec::new(),
                makeup_exam: Vec::new(),
                passed: Vec::new(),
                failed: Vec::new(),
                districts: Vec::new(),
            };
            let mut districts: BTreeMap<String, DistrictCounts> = BTreeMap::new();
            for d in doctors {
                if let std::collections::hash_map::Entry::Vacant(e) = ends.entry(d.program_id) {
                    e.insert(crate::program::policy(conn, d.program_id)?.map(|(_, y)| *y.end()));
                }
                if ends.get(&d.program_id).copied().flatten() != Some(year) {
                    continue;
                }
                if !names.contains_key(&d.county_code) {
                    let name = crate::regions::find(conn, &d.county_code)?
                        .map_or_else(|| d.county_code.clone(), |r| r.name);
                    names.insert(d.county_code.clone(), name);
                }
                let loaded = Loaded::read(conn, d.id, d.program_id)?;
                let c = loaded.completion_view(today);
                let item = MakeupItem {
                    doctor_id: d.id,
                    name: d.name.clone(),
                    district_code: d.county_code.clone(),
                    district_name: names.get(&d.county_code).cloned().unwrap_or_default(),
                    status: c.status,
                    status_label: c.status_label,
                    needs: c.makeup_needs.clone(),
                    makeup_deadline: c.makeup_deadline,
                };
                let counts =
                    districts
                        .entry(d.county_code.clone())
                        .or_insert_with(|| DistrictCounts {
                            code: item.district_code.clone(),
                            name: item.district_name.clone(),
                            ..DistrictCounts::default()
                        });
                counts.total += 1;
                match c.status {
                    CompletionStatus::InProgress => counts.in_progress += 1,
                    CompletionStatus::Eligible => counts.eligible += 1,
                    CompletionStatus::Passed => {
                        counts.passed += 1;
                        out.passed.push(item);
                    }
                    CompletionStatus::Failed => {
                        counts.failed += 1;
                        out.failed.push(item);
                    }
                    CompletionStatus::Makeup => {
                        counts.makeup += 1;
                        let study = item.needs.contains(&"study");
                        let theory = item.needs.contains(&"theory_exam");
                        let skills = item.needs.contains(&"skills_exam");
                        counts.makeup_study += usize::from(study);
                        counts.makeup_theory_exam += usize::from(theory);
                        counts.makeup_skills_exam += usize::from(skills);
                        if study {
                            out.makeup_study.push(item.clone());
                        }
                        if theory || skills {
                            out.makeup_exam.push(item);
                        }
                    }
                }
            }
            out.districts = districts.into_values().collect();
            Ok::<_, AppError>(out)
        })
        .await
}
