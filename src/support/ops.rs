//! The support visits' use cases.

use chrono::{Datelike, NaiveDate};

use super::rules::{self, NewVisit};
use super::views::{
    AbsenceView, Compliance, ComplianceItem, Dispatched, LevelCounts, StaffYear, VisitView,
};
use super::{AbsenceBody, VisitBody, store};
use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Problems};
use crate::regions::{self, Scope};
use crate::state::AppState;
use crate::time;
use crate::tutoring::{HomeLevel, Month};

const STAFF: &[Role] = &[
    Role::Instructor,
    Role::CountyAdmin,
    Role::CityAdmin,
    Role::Sysadmin,
];

/// A region in the caller's subtree (404 otherwise); the caller's own when none given.
fn region_in(conn: &mut AnyConnection, caller: &Caller, code: Option<&str>) -> AppResult<Scope> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(caller.scope());
    };
    match regions::resolve(conn, code)? {
        None => Err(AppError::NotFound),
        Some(r) if caller.scope().contains_path(&r.path) => Ok(r.scope()),
        Some(_) => Err(caller.denied("support.region", format!("region:{code}"))),
    }
}

/// Check a visit against the database: the team in the caller's reach (an admin's
/// subtree, or a team the instructor is on), the clinic a central village clinic in
/// the caller's subtree, the doctors in the team's region.
fn check_facts(conn: &mut AnyConnection, caller: &Caller, new: &NewVisit) -> AppResult<()> {
    let mut p = Problems::new();
    let team = crate::tutoring::team(conn, new.team_id)?;
    let team_path = match (&team, caller.role(), caller.instructor_id) {
        (Some((_, path)), Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin, _)
            if caller.scope().contains_path(path) =>
        {
            Some(path.clone())
        }
        (Some((t, path)), Role::Instructor, Some(i))
            if crate::tutoring::teams_of(conn, i)?.contains(&t.id) =>
        {
            Some(path.clone())
        }
        _ => None,
    };
    if team_path.is_none() {
        p.add("team_id", "帮扶团队不存在或不在您的管辖范围内");
    }
    let county = team_path
        .as_deref()
        .map(county_scope)
        .unwrap_or_else(|| caller.scope());
    match store::clinic(conn, new.clinic_id)? {
        Some((_, path, true)) if county.contains_path(&path) => {}
        Some((name, path, false)) if county.contains_path(&path) => {
            p.add("clinic_id", format!("{name}不是中心村卫生室"))
        }
        _ => p.add("clinic_id", "村卫生室不存在或不在本辖区"),
    }
    let found = store::doctor_paths(conn, &new.doctor_ids)?;
    let strangers: Vec<String> = new
        .doctor_ids
        .iter()
        .filter(|d| {
            !found
                .iter()
                .any(|(id, path)| id == *d && county.contains_path(path))
        })
        .map(i64::to_string)
        .collect();
    if !strangers.is_empty() {
        p.add(
            "doctor_ids",
            format!("这些学员不存在或不在本辖区：{}", strangers.join("、")),
        );
    }
    p.finish()
}

/// The county subtree a path lies in (its first three levels).
fn county_scope(path: &str) -> Scope {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.get(..3) {
        Some(head) => Scope::new(head[2], &format!("/{}/", head.join("/"))),
        None => Scope::new("", path),
    }
}

/// Record a visit (an admin of the team's region, or a member of the team).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn record_visit(
    state: &AppState,
    caller: &Caller,
    body: &VisitBody,
) -> AppResult<VisitView> {
    caller.require(STAFF)?;
    let new = rules::check_visit(body, time::today_cst())?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            check_facts(conn, &caller, &new)?;
            crate::db::write(conn, |conn| {
                let v = store::insert_visit(conn, &new, caller.user_id, time::now())?;
                let span = rules::VisitSpan {
                    team_id: v.team_id,
                    clinic_id: v.clinic_id,
                    starts_on: v.starts_on,
                    ends_on: v.ends_on,
                    hours: v.hours,
                };
                let doctors = store::visit_doctors(conn, v.id)?;
                Ok::<_, AppError>(VisitView::of(&v, rules::is_full_day(&span), doctors))
            })
        })
        .await
}

/// Monthly compliance of the teams of a region (admins: their subtree).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn compliance(
    state: &AppState,
    caller: &Caller,
    month: Option<String>,
    region: Option<String>,
) -> AppResult<Compliance> {
    caller.require(Role::ADMINS)?;
    let month = match month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Month::of(time::today_cst()).previous(),
        Some(m) => Month::parse(m).map_err(|e| AppError::field("month", e))?,
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = region_in(conn, &caller, region.as_deref())?;
            let teams = store::dispatched_teams(conn, &scope)?;
            let visits = store::visits_between(conn, &scope, month.first_day(), month.last_day())?;
            let spans: Vec<rules::VisitSpan> = visits.iter().map(|(v, _, _)| *v).collect();
            let owed: Vec<i64> = teams.iter().map(|(id, _)| *id).collect();
            let items = rules::compliance(&owed, &spans, month)
                .into_iter()
                .map(|t| ComplianceItem {
                    team_name: teams
                        .iter()
                        .find(|(id, _)| *id == t.team_id)
                        .map(|(_, n)| n.clone())
                        .or_else(|| {
                            visits
                                .iter()
                                .find(|(v, _, _)| v.team_id == t.team_id)
                                .map(|(_, n, _)| n.clone())
                        })
                        .unwrap_or_default(),
                    clinic_name: t.clinic_id.and_then(|c| {
                        visits
                            .iter()
                            .find(|(v, _, _)| v.clinic_id == c)
                            .map(|(_, _, n)| n.clone())
                    }),
                    team_id: t.team_id,
                    clinic_id: t.clinic_id,
                    visits: t.visits,
                    full_day_visits: t.full_day_visits,
                    compliant: t.compliant,
                })
                .collect();
            Ok::<_, AppError>(Compliance {
                month: month.to_string(),
                items,
            })
        })
        .await
}

/// Record a dispatched expert's absence (admins; the expert in their subtree; one per
/// day — a second is 409).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn record_absence(
    state: &AppState,
    caller: &Caller,
    body: &AbsenceBody,
) -> AppResult<AbsenceView> {
    caller.require(Role::ADMINS)?;
    let new = rules::check_absence(body, time::today_cst())?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            match store::instructor_path(conn, new.instructor_id)? {
                Some(path) if caller.scope().contains_path(&path) => {}
                _ => {
                    return Err(AppError::field(
                        "instructor_id",
                        "下沉人员不存在或不在本辖区",
                    ));
                }
            }
            crate::db::write(conn, |conn| {
                if store::absence_taken(conn, new.instructor_id, new.occurred_on)? {
                    return Err(AppError::Conflict("该人员当天的缺勤已登记".into()));
                }
                let a = store::insert_absence(conn, &new, caller.user_id, time::now())?;
                Ok(AbsenceView::from(&a))
            })
        })
        .await
}

/// The dispatched staff of a region's teams in a year: absences, the ≥ 2 unjustified
/// rule, and the counts by level against the program's yearly targets.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn dispatched(
    state: &AppState,
    caller: &Caller,
    region: Option<String>,
    year: Option<i32>,
    program_id: Option<i64>,
) -> AppResult<Dispatched> {
    caller.require(Role::ADMINS)?;
    let year = year.unwrap_or_else(|| time::today_cst().year());
    let (from, to) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(f), Some(t)) if (2000..=2999).contains(&year) => (f, t),
        _ => return Err(AppError::field("year", "年份有误")),
    };
    let caller = caller.clone();
    state
        .db(move |conn| {
            let scope = region_in(conn, &caller, region.as_deref())?;
            let targets = match program_id {
                None => None,
                Some(p) => {
                    let program = crate::access::program(conn, &caller, p)
                        .map_err(|_| AppError::field("program_id", "培训项目不存在"))?;
                    program
                        .row
                        .preset
                        .as_deref()
                        .and_then(crate::program::rules::dispatch_targets)
                }
            };
            let staff = store::dispatched_staff(conn, &scope, program_id)?;
            let ids: Vec<i64> = staff.iter().map(|s| s.0).collect();
            let absences = store::absences_in(conn, &ids, from, to)?;
            let mut counts = LevelCounts::default();
            let items = staff
                .into_iter()
                .map(|(id, name, level)| {
                    match level {
                        Some(HomeLevel::CountyHospital) => counts.county_hospital += 1,
                        Some(HomeLevel::TownshipCentre) => counts.township_centre += 1,
                        Some(HomeLevel::VillageClinic) => counts.village_clinic += 1,
                        None => {}
                    }
                    counts.total += 1;
                    let mine = absences.iter().filter(|a| a.instructor_id == id);
                    let unjustified = mine.clone().filter(|a| !a.justified).count();
                    StaffYear {
                        instructor_id: id,
                        name,
                        level: level.map(HomeLevel::label),
                        justified_absences: mine.count() - unjustified,
                        unjustified_absences: unjustified,
                        failed: rules::absences_fail(unjustified),
                    }
                })
                .collect();
            Ok::<_, AppError>(Dispatched {
                year,
                items,
                counts,
                targets,
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::county_scope;

    #[test]
    fn a_clinic_is_reached_through_its_county() {
        let s = county_scope("/370000/370400/370402/370402001/");
        assert!(s.contains_path("/370000/370400/370402/370402002/370402002101/"));
        assert!(!s.contains_path("/370000/370400/370403/"));
    }
}
