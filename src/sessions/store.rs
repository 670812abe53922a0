//! Queries on sessions and their attendance.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;

use super::{InstructorRef, NewSession, Session, SessionView};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    doctors, instructors, regions, session_instructors, sessions, study_records,
};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, FieldError};
use crate::regions::Scope;
use crate::regions::store::in_scope;
use crate::study::{NewRecord, RecordStatus, Source, StudyKind};

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Session, String, String)>> {
    sessions::table
        .inner_join(regions::table)
        .filter(sessions::id.eq(id))
        .select((Session::as_select(), regions::path, regions::name))
        .first(conn)
        .optional()
}

pub fn secret(conn: &mut AnyConnection, id: i64) -> QueryResult<String> {
    sessions::table
        .find(id)
        .select(sessions::checkin_secret)
        .first(conn)
}

/// Does this instructor teach this session?
pub fn teaches(conn: &mut AnyConnection, session_id: i64, instructor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        session_instructors::table
            .filter(session_instructors::session_id.eq(session_id))
            .filter(session_instructors::instructor_id.eq(instructor_id)),
    ))
    .get_result(conn)
}

fn instructors_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<InstructorRef>>> {
    let rows: Vec<(i64, i64, String)> = session_instructors::table
        .inner_join(instructors::table)
        .filter(session_instructors::session_id.eq_any(ids))
        .order(instructors::id)
        .select((
            session_instructors::session_id,
            instructors::id,
            instructors::name,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<InstructorRef>> = HashMap::new();
    for (session, id, name) in rows {
        out.entry(session)
            .or_default()
            .push(InstructorRef { id, name });
    }
    Ok(out)
}

fn attendance_counts(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(Option<i64>, i64)> = study_records::table
        .filter(study_records::session_id.eq_any(ids))
        .filter(study_records::status.eq(RecordStatus::Approved.as_str()))
        .group_by(study_records::session_id)
        .select((study_records::session_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| s.map(|s| (s, n)))
        .collect())
}

/// Views of sessions, with instructors and attendance counts.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<(Session, String)>,
) -> QueryResult<Vec<SessionView>> {
    let ids: Vec<i64> = rows.iter().map(|(s, _)| s.id).collect();
    let mut teachers = instructors_of(conn, &ids)?;
    let counts = attendance_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(s, region_name)| SessionView {
            instructors: teachers.remove(&s.id).unwrap_or_default(),
            attendance: counts.get(&s.id).copied().unwrap_or(0),
            topic_label: crate::areas::label(&s.topic).to_owned(),
            id: s.id,
            program_id: s.program_id,
            title: s.title,
            topic: s.topic,
            location: s.location,
            region_code: s.region_code,
            region_name,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            minutes: s.minutes,
            capacity: s.capacity,
        })
        .collect())
}

/// Which sessions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Upcoming,
    Past,
    All,
}

/// Sessions in `scope` — or, for an instructor, those it teaches — by start time.
pub fn list(
    conn: &mut AnyConnection,
    scope: Option<&Scope>,
    instructor: Option<i64>,
    when: When,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<SessionView>, i64)> {
    let query = || {
        let mut q = sessions::table.inner_join(regions::table).into_boxed();
        if let Some(scope) = scope {
            q = q.filter(in_scope(scope));
        }
        if let Some(instructor) = instructor {
            q = q.filter(
                sessions::id.eq_any(
                    session_instructors::table
                        .filter(session_instructors::instructor_id.eq(instructor))
                        .select(session_instructors::session_id),
                ),
            );
        }
        match when {
            When::Upcoming => q.filter(sessions::ends_at.ge(now)),
            When::Past => q.filter(sessions::ends_at.lt(now)),
            When::All => q,
        }
    };
    let total = query().count().get_result(conn)?;
    let ordered = match when {
        When::Past => query().order(sessions::starts_at.desc()),
        _ => query().order(sessions::starts_at.asc()),
    };
    let rows: Vec<(Session, String)> = ordered
        .offset(offset)
        .limit(limit)
        .select((Session::as_select(), regions::name))
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

/// Create a session (audited). `program_id` has been resolved by the caller.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewSession,
    program_id: i64,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let secret = crate::auth::token::generate_secret();
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(sessions::table)
            .values((
                sessions::program_id.eq(program_id),
                sessions::title.eq(&new.title),
                sessions::topic.eq(&new.topic),
                sessions::location.eq(&new.location),
                sessions::region_code.eq(&new.region_code),
                sessions::starts_at.eq(new.starts_at),
                sessions::ends_at.eq(new.ends_at),
                sessions::minutes.eq(new.minutes),
                sessions::capacity.eq(new.capacity),
                sessions::checkin_secret.eq(&secret),
                sessions::created_by.eq(actor.id),
                sessions::created_at.eq(now),
                sessions::updated_at.eq(now),
            ))
            .returning(sessions::id)
            .get_result(conn)?;
        for instructor in &new.instructor_ids {
            diesel::insert_into(session_instructors::table)
                .values((
                    session_instructors::session_id.eq(id),
                    session_instructors::instructor_id.eq(instructor),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            &Entry::new("session.created")
                .target(format!("session:{id}"))
                .detail(serde_json::json!({
                    "title": new.title, "region_code": new.region_code, "minutes": new.minutes,
                })),
            now,
        )?;
        Ok(id)
    })
}

/// Attendance of a session: its records with the doctors' names, by name.
pub fn attendance(
    conn: &mut AnyConnection,
    session_id: i64,
) -> QueryResult<Vec<(crate::study::StudyRecord, String, String)>> {
    study_records::table
        .inner_join(doctors::table)
        .filter(study_records::session_id.eq(session_id))
        .order(doctors::name)
        .select((
            crate::study::StudyRecord::as_select(),
            doctors::name,
            doctors::id_number_masked,
        ))
        .load(conn)
}

/// A doctor as attendance needs it: program, region path, status.
fn doctor_for(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<(i64, String, String, String)>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::id.eq(id))
        .select((
            doctors::program_id,
            regions::path,
            doctors::status,
            doctors::name,
        ))
        .first(conn)
        .optional()
}

/// What marking attendance did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Marked {
    pub credited: usize,
    pub already: usize,
    pub records: Vec<i64>,
}

/// Credit the session's minutes to each doctor — all or none. Doctors already
/// credited are left as they are. Each doctor must be in post, in the session's region
/// and program; capacity, the day cap and overlaps are checked.
#[allow(clippy::too_many_arguments)]
pub fn mark(
    conn: &mut AnyConnection,
    session: &Session,
    session_path: &str,
    doctor_ids: &[i64],
    years: std::ops::RangeInclusive<i32>,
    actor: &Actor,
    today: chrono::NaiveDate,
    now: NaiveDateTime,
) -> Result<Marked, AppError> {
    let scope = Scope::new(&session.region_code, session_path);
    db::write(conn, |conn| {
        let mut errors = Vec::new();
        let mut marked = Marked::default();
        let already: Vec<i64> = study_records::table
            .filter(study_records::session_id.eq(session.id))
            .filter(study_records::status.ne(RecordStatus::Rejected.as_str()))
            .select(study_records::doctor_id)
            .load(conn)?;
        let mut present = already.len();
        for (i, &doctor_id) in doctor_ids.iter().enumerate() {
            let field = format!("doctor_ids[{i}]");
            if already.contains(&doctor_id) {
                marked.already += 1;
                continue;
            }
            let Some((program, path, status, name)) = doctor_for(conn, doctor_id)? else {
                errors.push(FieldError {
                    field,
                    message: format!("学员 {doctor_id} 不存在"),
                });
                continue;
            };
            if !scope.contains_path(&path) || program != session.program_id {
                errors.push(FieldError {
                    field,
                    message: format!("{name} 不属于本次培训的地区或培训项目"),
                });
                continue;
            }
            if status != "active" {
                errors.push(FieldError {
                    field,
                    message: format!("{name} 已不在岗"),
                });
                continue;
            }
            if session.capacity.is_some_and(|c| present >= c as usize) {
                errors.push(FieldError {
                    field,
                    message: format!("已达人数上限 {}", session.capacity.unwrap_or(0)),
                });
                continue;
            }
            let record = NewRecord {
                doctor_id,
                program_id: session.program_id,
                kind: StudyKind::Centralized,
                minutes: session.minutes,
                occurred_on: (session.starts_at + chrono::Duration::hours(8)).date(),
                interval: Some((session.starts_at, session.ends_at)),
                course_id: None,
                session_id: Some(session.id),
                rotation_id: None,
                source: Source::Attendance,
                source_ref: format!("session:{}", session.id),
                status: RecordStatus::Approved,
                evidence: Some(format!("集中培训“{}”签到", session.title)),
                unit_score: None,
                created_by: actor.id,
            };
            // Each doctor in its own savepoint: one refusal is reported, the rest checked.
            match crate::study::store::insert(conn, &record, years.clone(), None, today, now) {
                Ok(r) => {
                    marked.credited += 1;
                    marked.records.push(r.id);
                    present += 1;
                }
                Err(AppError::Validation(fs)) => {
                    errors.extend(fs.into_iter().map(|f| FieldError {
                        field: field.clone(),
                        message: format!("{name}：{}", f.message),
                    }))
                }
                Err(AppError::Conflict(_)) => marked.already += 1,
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        if marked.credited > 0 {
            audit::record(
                conn,
                actor,
                &Entry::new("session.attendance")
                    .target(format!("session:{}", session.id))
                    .detail(serde_json::json!({ "credited": marked.credited, "year": session.starts_at.year() })),
                now,
            )?;
        }
        Ok(marked)
    })
}
