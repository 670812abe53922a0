//! 年度考核 for a county: the list of a year's comprehensive scores, the county's rating
//! of each doctor, confirming (locking) the year, and re-assessment of a failed year.

use crate::access::{self, Caller, DoctorSet, Role};
use crate::assessment::store::{self, annual::Scores, facts::Listed};
use crate::assessment::views::{AnnualItem, AssessmentView, Confirmed};
use crate::assessment::{ConfirmBody, RatingBody, ReassessBody, YearQuery};
use crate::audit::{self, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{ListPage, PageParams, Paging};
use crate::points::Points;
use crate::regions::Scope;
use crate::state::AppState;
use crate::time;

use super::compute::Loaded;
use super::doctor::{view, year_of_program};

/// Doctors of `scope` the caller may list whose program covers `year`.
pub fn doctors_of_year(
    conn: &mut AnyConnection,
    caller: &Caller,
    scope: &Scope,
    year: i32,
) -> AppResult<Vec<Listed>> {
    let only = match access::doctor_set(conn, caller)? {
        DoctorSet::Region(_) => None,
        DoctorSet::Only(ids) => Some(ids),
    };
    let listed = store::facts::doctors_in(conn, scope, only.as_deref())?;
    let mut years = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(listed.len());
    for d in listed {
        if let std::collections::hash_map::Entry::Vacant(e) = years.entry(d.program_id) {
            e.insert(crate::program::policy(conn, d.program_id)?.map(|(_, y)| y));
        }
        if years
            .get(&d.program_id)
            .and_then(|y| y.as_ref())
            .is_some_and(|y| y.contains(&year))
        {
            out.push(d);
        }
    }
    Ok(out)
}

/// `GET /api/v1/assessment/annual?region=&year=` → the year's comprehensive scores of
/// the doctors the caller may see (stored once confirmed, else computed), paged.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: &YearQuery,
) -> AppResult<ListPage<AnnualItem>> {
    let mut p = Problems::new();
    let year = super::query_year(q.year.as_deref(), &mut p);
    let paging = Paging::parse(
        &PageParams {
            page: q.page.clone(),
            per_page: q.per_page.clone(),
        },
        &mut p,
    );
    p.finish()?;
    let year = year.ok_or_else(|| AppError::field("year", "年度有误"))?;
    let caller = caller.clone();
    let region = q.region.clone();
    state
        .db(move |conn| {
            let region = super::region_in_scope(conn, &caller, region.as_deref(), "region")?;
            let doctors = doctors_of_year(conn, &caller, &region.scope(), year)?;
            let total = doctors.len() as i64;
            let mut items = Vec::new();
            for d in doctors
                .iter()
                .skip(((paging.page - 1) * paging.per_page) as usize)
                .take(paging.per_page as usize)
            {
                let loaded = Loaded::read(conn, d.id, d.program_id)?;
                let y = loaded.year(year);
                items.push(AnnualItem {
                    doctor_id: d.id,
                    name: d.name.clone(),
                    county_code: d.county_code.clone(),
                    score: y.annual.score,
                    passed: y.annual.passed,
                    ongoing: y.ongoing.score,
                    exam: y.annual.exam,
                    rating: y.annual.rating,
                    confirmed: y.annual.confirmed,
                    attempt: y.annual.attempt,
                });
            }
            Ok::<_, AppError>(ListPage::new(items, total, paging))
        })
        .await
}

/// `POST /api/v1/assessment/annual/confirm {region_code, year}` (county admins): lock
/// the year's scores of every doctor of the region (the 11-30 report to the city).
/// Attempts already locked stay as they are.
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    body: &ConfirmBody,
) -> AppResult<Confirmed> {
    caller.require(&[Role::CountyAdmin])?;
    let mut p = Problems::new();
    let code = body
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if code.is_none() {
        p.add("region_code", "必填");
    }
    let year = super::parse_year(body.year.as_ref(), &mut p);
    p.finish()?;
    let (Some(code), Some(year)) = (code.map(str::to_owned), year) else {
        return Err(AppError::field("year", "年度有误"));
    };
    let caller = caller.clone();
    let now = time::now();
    state
        .db(move |conn| {
            let region = super::region_in_scope(conn, &caller, Some(&code), "region_code")?;
            let doctors = doctors_of_year(conn, &caller, &region.scope(), year)?;
            db::write(conn, |conn| {
                let mut out = Confirmed {
                    region_code: region.code.clone(),
                    year,
                    confirmed: 0,
                    already: 0,
                    passed: 0,
                    failed: 0,
                };
                for d in &doctors {
                    let loaded = Loaded::read(conn, d.id, d.program_id)?;
                    let latest = loaded.latest(year).cloned();
                    if latest.as_ref().is_some_and(|a| a.confirmed_at.is_some()) {
                        out.already += 1;
                        continue;
                    }
                    let y = loaded.year(year);
                    let id = match latest {
                        Some(open) => open.id,
                        None => store::annual::open_attempt(
                            conn,
                            d.id,
                            d.program_id,
                            year,
                            1,
                            None,
                            now,
                        )?,
                    };
                    let scores = Scores {
                        online: y.ongoing.online,
                        offline: y.ongoing.offline,
                        ongoing: y.ongoing.score,
                        exam: y.annual.exam,
                        score: y.annual.score,
                        passed: y.annual.passed,
                    };
                    store::annual::confirm(conn, id, &scores, Some(caller.user_id), now)?;
                    out.confirmed += 1;
                    if scores.passed {
                        out.passed += 1;
                    } else {
                        out.failed += 1;
                    }
                }
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("assessment.confirm")
                        .target(format!("region:{}", region.code))
                        .detail(serde_json::json!({
                            "year": year, "confirmed": out.confirmed,
                            "passed": out.passed, "failed": out.failed,
                        })),
                    now,
                )?;
                Ok::<_, AppError>(out)
            })
        })
        .await
}

/// `PUT /api/v1/doctors/{id}/assessment/rating {year, rating}` (county admins): the
/// county's rating of attitude and ability (0–100) on the year's open attempt; a
/// confirmed year is locked (409).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn rate(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
    body: &RatingBody,
) -> AppResult<AssessmentView> {
    caller.require(&[Role::CountyAdmin])?;
    let mut p = Problems::new();
    let year = super::parse_year(body.year.as_ref(), &mut p);
    let rating = p.take("rating", parse_rating(body.rating.as_ref()));
    p.finish()?;
    let (Some(year), Some(rating)) = (year, rating) else {
        return Err(AppError::field("rating", "评定分数有误"));
    };
    let caller = caller.clone();
    let now = time::now();
    let today = time::today_cst();
    state
        .db(move |conn| {
            let record = access::doctor(conn, &caller, doctor_id)?;
            let program_id = record.doctor.program_id;
            let (_, years) = crate::program::policy(conn, program_id)?.ok_or(AppError::NotFound)?;
            year_of_program(&years, Some(year), today)?;
            db::write(conn, |conn| {
                match store::annual::latest(conn, doctor_id, program_id, year)? {
                    Some(a) if a.confirmed_at.is_some() => {
                        return Err(AppError::Conflict(format!(
                            "{year} 年度考核成绩已确认锁定，不能再修改评定"
                        )));
                    }
                    Some(a) => {
                        store::annual::rate(conn, a.id, rating, caller.user_id, now)?;
                    }
                    None => {
                        store::annual::open_attempt(
                            conn,
                            doctor_id,
                            program_id,
                            year,
                            1,
                            Some((rating, Some(caller.user_id))),
                            now,
                        )?;
                    }
                }
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("assessment.rating")
                        .target(format!("doctor:{doctor_id}"))
                        .detail(serde_json::json!({"year": year, "rating": rating})),
                    now,
                )?;
                Ok::<_, AppError>(())
            })?;
            view(conn, &caller, doctor_id, Some(year), today)
        })
        .await
}

/// A rating: a number 0–100 with at most one decimal.
pub fn parse_rating(raw: Option<&serde_json::Value>) -> Result<Points, String> {
    let value = match raw {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .ok_or_else(|| "请填写 0 到 100 之间的评定分数".to_owned())?;
    let points = Points::from_f64(value)?;
    if !(Points::ZERO..=Points::whole(100)).contains(&points) {
        return Err("评定分数应在 0 到 100 之间".into());
    }
    Ok(points)
}

/// `POST /api/v1/doctors/{id}/assessment/reassess {year}` (county admins): open a new
/// attempt of a year whose confirmed assessment failed (重新考核).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn reassess(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
    body: &ReassessBody,
) -> AppResult<AssessmentView> {
    caller.require(&[Role::CountyAdmin])?;
    let mut p = Problems::new();
    let year = super::parse_year(body.year.as_ref(), &mut p);
    p.finish()?;
    let year = year.ok_or_else(|| AppError::field("year", "年度有误"))?;
    let caller = caller.clone();
    let now = time::now();
    let today = time::today_cst();
    state
        .db(move |conn| {
            let record = access::doctor(conn, &caller, doctor_id)?;
            let program_id = record.doctor.program_id;
            db::write(conn, |conn| {
                let latest = store::annual::latest(conn, doctor_id, program_id, year)?;
                let attempt = match latest {
                    Some(a) if a.confirmed_at.is_some() && !a.passed => a.attempt + 1,
                    Some(a) if a.confirmed_at.is_none() => {
                        return Err(AppError::Conflict(format!(
                            "{year} 年度已有未确认的考核，请先确认"
                        )));
                    }
                    _ => {
                        return Err(AppError::Conflict(format!(
                            "{year} 年度考核未确认为不合格，无需重新考核"
                        )));
                    }
                };
                store::annual::open_attempt(conn, doctor_id, program_id, year, attempt, None, now)?;
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("assessment.reassess")
                        .target(format!("doctor:{doctor_id}"))
                        .detail(serde_json::json!({"year": year, "attempt": attempt})),
                    now,
                )?;
                Ok::<_, AppError>(())
            })?;
            view(conn, &caller, doctor_id, Some(year), today)
        })
        .await
}
