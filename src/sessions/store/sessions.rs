//! Sessions: reading, listing, creating.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{instructors, regions, session_instructors, sessions, study_records};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::{Scope, in_scope};
use crate::sessions::rules::When;
use crate::sessions::views::{InstructorRef, SessionView};
use crate::sessions::{NewSession, Session};
use crate::study::RecordStatus;

/// A session with its region's path and name.
#[derive(Debug, Clone, Queryable)]
pub struct Located {
    pub session: Session,
    pub path: String,
    pub region_name: String,
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Located>> {
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
        .filter(study_records::status.eq(RecordStatus::Approved))
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
#[derive(Debug, Clone)]
pub struct Filter {
    /// Sessions whose region lies here (`None`: anywhere).
    pub scope: Option<Scope>,
    /// And here (the `?region=` filter).
    pub region: Option<Scope>,
    /// Only those this instructor teaches.
    pub instructor: Option<i64>,
    pub when: When,
}

/// The sessions a filter keeps, by start time (the past ones latest first).
pub fn list(
    conn: &mut AnyConnection,
    filter: &Filter,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<SessionView>, i64)> {
    let query = || {
        let mut q = sessions::table.inner_join(regions::table).into_boxed();
        if let Some(scope) = &filter.scope {
            q = q.filter(in_scope(scope));
        }
        if let Some(region) = &filter.region {
            q = q.filter(in_scope(region));
        }
        if let Some(instructor) = filter.instructor {
            q = q.filter(
                sessions::id.eq_any(
                    session_instructors::table
                        .filter(session_instructors::instructor_id.eq(instructor))
                        .select(session_instructors::session_id),
                ),
            );
        }
        match filter.when {
            When::Upcoming => q.filter(sessions::ends_at.ge(now)),
            When::Past => q.filter(sessions::ends_at.lt(now)),
            When::All => q,
        }
    };
    let total = query().count().get_result(conn)?;
    let ordered = match filter.when {
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
