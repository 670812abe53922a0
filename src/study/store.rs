//! Queries on study records and courses. Every write goes through here, inside a write
//! transaction, after the ledger checks — so two invariants hold and reads can be plain
//! sums: no doctor's day exceeds 24 h of counting records, and no course is credited
//! beyond its length.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{self, Entry};
use super::{Course, NewRecord, RecordStatus, StudyKind, StudyRecord};
use crate::audit::{self, Actor, Entry as AuditEntry};
use crate::db::schema::{courses, doctors, regions, study_records};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::Scope;
use crate::regions::store::in_scope;

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<StudyRecord>> {
    study_records::table
        .find(id)
        .select(StudyRecord::as_select())
        .first(conn)
        .optional()
}

/// All records of a doctor, newest first.
pub fn of_doctor(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<StudyRecord>> {
    study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .order((study_records::occurred_on.desc(), study_records::id.desc()))
        .select(StudyRecord::as_select())
        .load(conn)
}

/// The columns of a record the ledger reads.
type EntryColumns = (
    String,
    i32,
    NaiveDate,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    String,
    Option<i64>,
    Option<i32>,
);

/// Counting minutes per (doctor, day), and the source refs already present, per doctor.
pub type DayTotals = (
    HashMap<(i64, NaiveDate), i32>,
    std::collections::HashSet<(i64, String)>,
);

/// Minutes per (kind, status), per doctor.
pub type SumsByDoctor = HashMap<i64, HashMap<(StudyKind, RecordStatus), i64>>;

/// What the ledger needs of a doctor's records (an index-only read).
pub fn entries_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<Vec<Entry>> {
    let rows: Vec<EntryColumns> = study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .select((
            study_records::kind,
            study_records::minutes,
            study_records::occurred_on,
            study_records::starts_at,
            study_records::ends_at,
            study_records::status,
            study_records::course_id,
            study_records::unit_score,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(kind, minutes, occurred_on, s, e, status, course_id, unit_score)| Entry {
                kind: StudyKind::parse(&kind).unwrap_or(StudyKind::Online),
                minutes,
                occurred_on,
                interval: s.zip(e),
                status: RecordStatus::parse(&status).unwrap_or(RecordStatus::Pending),
                course_id,
                unit_score,
            },
        )
        .collect())
}

/// The doctor's counting records around a date (a day either side, for intervals
/// that cross midnight).
fn neighbours(conn: &mut AnyConnection, doctor_id: i64, on: NaiveDate) -> QueryResult<Vec<Entry>> {
    let rows: Vec<StudyRecord> = study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .filter(study_records::occurred_on.between(on - Duration::days(1), on + Duration::days(1)))
        .filter(study_records::status.ne(RecordStatus::Rejected.as_str()))
        .select(StudyRecord::as_select())
        .load(conn)?;
    // Neighbouring days matter only for overlaps; the day cap counts the same day.
    Ok(rows.iter().map(StudyRecord::entry).collect())
}

/// Minutes of a course already credited to (or pending for) a doctor.
fn course_used(
    conn: &mut AnyConnection,
    doctor_id: i64,
    course_id: i64,
    except: Option<i64>,
) -> QueryResult<i64> {
    let mut q = study_records::table
        .filter(study_records::doctor_id.eq(doctor_id))
        .filter(study_records::course_id.eq(course_id))
        .filter(study_records::status.eq(RecordStatus::Approved.as_str()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(study_records::id.ne(id));
    }
    let sum: Option<i64> = q
        .select(diesel::dsl::sum(study_records::minutes))
        .first(conn)?;
    Ok(sum.unwrap_or(0))
}

fn refused(r: rules::Refusal) -> AppError {
    AppError::field(r.field, r.message)
}

#[derive(Insertable)]
#[diesel(table_name = study_records)]
struct Row<'a> {
    doctor_id: i64,
    program_id: i64,
    kind: &'a str,
    minutes: i32,
    occurred_on: NaiveDate,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    course_id: Option<i64>,
    session_id: Option<i64>,
    rotation_id: Option<i64>,
    source: &'a str,
    source_ref: &'a str,
    status: &'a str,
    evidence: Option<&'a str>,
    unit_score: Option<i32>,
    created_by: Option<i64>,
    reviewed_by: Option<i64>,
    reviewed_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn row<'a>(new: &'a NewRecord, now: NaiveDateTime) -> Row<'a> {
    let approved = new.status == RecordStatus::Approved;
    Row {
        doctor_id: new.doctor_id,
        program_id: new.program_id,
        kind: new.kind.as_str(),
        minutes: new.minutes,
        occurred_on: new.occurred_on,
        starts_at: new.interval.map(|i| i.0),
        ends_at: new.interval.map(|i| i.1),
        course_id: new.course_id,
        session_id: new.session_id,
        rotation_id: new.rotation_id,
        source: new.source.as_str(),
        source_ref: &new.source_ref,
        status: new.status.as_str(),
        evidence: new.evidence.as_deref(),
        unit_score: new.unit_score,
        created_by: new.created_by,
        reviewed_by: if approved { new.created_by } else { None },
        reviewed_at: if approved { Some(now) } else { None },
        created_at: now,
        updated_at: now,
    }
}

/// Insert one record after the ledger checks (day cap, overlap, years, duplicates,
/// course length); returns it. Call inside the caller's transaction when it records
/// more (audit, attendance).
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewRecord,
    years: std::ops::RangeInclusive<i32>,
    course_minutes: Option<i32>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<StudyRecord, AppError> {
    db::write(conn, |conn| {
        let taken: i64 = study_records::table
            .filter(study_records::doctor_id.eq(new.doctor_id))
            .filter(study_records::source_ref.eq(&new.source_ref))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::Conflict("该学习记录已登记，不能重复".into()));
        }
        let existing = neighbours(conn, new.doctor_id, new.occurred_on)?;
        rules::check_new(&new.entry(), &existing, years, today).map_err(refused)?;
        if let (Some(course), Some(cap), RecordStatus::Approved) =
            (new.course_id, course_minutes, new.status)
        {
            let used = course_used(conn, new.doctor_id, course, None)?;
            if used + i64::from(new.minutes) > i64::from(cap) {
                return Err(AppError::field(
                    "minutes",
                    format!("该课程共 {cap} 分钟，已认定 {used} 分钟，超出部分不能计入"),
                ));
            }
        }
        let id: i64 = diesel::insert_into(study_records::table)
            .values(row(new, now))
            .returning(study_records::id)
            .get_result(conn)?;
        get(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// Insert records already checked by the caller (imports), in batches.
pub fn insert_checked(
    conn: &mut AnyConnection,
    records: &[NewRecord],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in records.chunks(400) {
        let rows: Vec<Row<'_>> = chunk.iter().map(|r| row(r, now)).collect();
        n += crate::per_backend!(conn, |c| diesel::insert_into(study_records::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(n)
}

/// Counting minutes per (doctor, day), and every source_ref, of these doctors (imports).
pub fn day_totals_and_refs(conn: &mut AnyConnection, doctor_ids: &[i64]) -> QueryResult<DayTotals> {
    let mut totals = HashMap::new();
    let mut refs = std::collections::HashSet::new();
    for chunk in doctor_ids.chunks(500) {
        let rows: Vec<(i64, NaiveDate, i32, String, String)> = study_records::table
            .filter(study_records::doctor_id.eq_any(chunk))
            .select((
                study_records::doctor_id,
                study_records::occurred_on,
                study_records::minutes,
                study_records::status,
                study_records::source_ref,
            ))
            .load(conn)?;
        for (doctor, on, minutes, status, source_ref) in rows {
            if status != RecordStatus::Rejected.as_str() {
                *totals.entry((doctor, on)).or_insert(0) += minutes;
            }
            refs.insert((doctor, source_ref));
        }
    }
    Ok((totals, refs))
}

/// Approved minutes per (doctor, course), for the course-length rule in imports.
pub fn course_totals(
    conn: &mut AnyConnection,
    doctor_ids: &[i64],
) -> QueryResult<HashMap<(i64, i64), i32>> {
    let mut out = HashMap::new();
    for chunk in doctor_ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = study_records::table
            .filter(study_records::doctor_id.eq_any(chunk))
            .filter(study_records::course_id.is_not_null())
            .filter(study_records::status.eq(RecordStatus::Approved.as_str()))
            .group_by((study_records::doctor_id, study_records::course_id))
            .select((
                study_records::doctor_id,
                study_records::course_id,
                diesel::dsl::sum(study_records::minutes),
            ))
            .load(conn)?;
        for (doctor, course, sum) in rows {
            if let Some(course) = course {
                out.insert((doctor, course), sum.unwrap_or(0) as i32);
            }
        }
    }
    Ok(out)
}

/// Approve or reject a pending record, audited. Approving online time of a course
/// already credited in full is refused.
pub fn review(
    conn: &mut AnyConnection,
    id: i64,
    approve: bool,
    note: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<StudyRecord, AppError> {
    db::write(conn, |conn| {
        let record = get(conn, id)?.ok_or(AppError::NotFound)?;
        if record.status() != RecordStatus::Pending {
            return Err(AppError::Conflict(format!(
                "该记录已{}，不能再审核",
                record.status().label()
            )));
        }
        if approve && let Some(course) = record.course_id {
            let cap: i32 = courses::table
                .find(course)
                .select(courses::minutes)
                .first(conn)?;
            let used = course_used(conn, record.doctor_id, course, Some(id))?;
            if used + i64::from(record.minutes) > i64::from(cap) {
                return Err(AppError::Conflict(format!(
                    "该课程共 {cap} 分钟，已认定 {used} 分钟，不能再计入"
                )));
            }
        }
        let status = if approve {
            RecordStatus::Approved
        } else {
            RecordStatus::Rejected
        };
        diesel::update(study_records::table.find(id))
            .set((
                study_records::status.eq(status.as_str()),
                study_records::reviewed_by.eq(actor.id),
                study_records::reviewed_at.eq(Some(now)),
                study_records::review_note.eq(note),
                study_records::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            &AuditEntry::new(if approve { "study.approved" } else { "study.rejected" })
                .target(format!("study_record:{id}"))
                .detail(serde_json::json!({ "doctor_id": record.doctor_id, "minutes": record.minutes, "kind": record.kind })),
            now,
        )?;
        get(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// Pending records of doctors in `scope` (or of the given doctors), oldest first.
pub fn pending(
    conn: &mut AnyConnection,
    scope: &Scope,
    only_doctors: Option<&[i64]>,
    limit: i64,
) -> QueryResult<Vec<(StudyRecord, String)>> {
    let mut q = study_records::table
        .inner_join(doctors::table.inner_join(regions::table))
        .filter(study_records::status.eq(RecordStatus::Pending.as_str()))
        .filter(in_scope(scope))
        .into_boxed();
    if let Some(ids) = only_doctors {
        q = q.filter(study_records::doctor_id.eq_any(ids.to_vec()));
    }
    q.order(study_records::created_at)
        .limit(limit)
        .select((StudyRecord::as_select(), doctors::name))
        .load(conn)
}

/// Minutes per (doctor, kind, status) of the doctors in `scope` matching `doctor_ids`
/// (None = all) — the county progress table's one aggregate.
pub fn sums_by_doctor(conn: &mut AnyConnection, scope: &Scope) -> QueryResult<SumsByDoctor> {
    // Drive from the doctors in scope (a region range, then their ids) and probe the
    // per-doctor index; joining from the records let planners scan all of them.
    let in_scope_doctors = doctors::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .select(doctors::id);
    let rows: Vec<(i64, String, String, Option<i64>)> = study_records::table
        .filter(study_records::doctor_id.eq_any(in_scope_doctors))
        .group_by((
            study_records::doctor_id,
            study_records::kind,
            study_records::status,
        ))
        .select((
            study_records::doctor_id,
            study_records::kind,
            study_records::status,
            diesel::dsl::sum(study_records::minutes),
        ))
        .load(conn)?;
    let mut out: HashMap<i64, HashMap<(StudyKind, RecordStatus), i64>> = HashMap::new();
    for (doctor, kind, status, sum) in rows {
        if let (Some(k), Some(s)) = (StudyKind::parse(&kind), RecordStatus::parse(&status)) {
            out.entry(doctor)
                .or_default()
                .insert((k, s), sum.unwrap_or(0));
        }
    }
    Ok(out)
}

pub fn courses_of(conn: &mut AnyConnection, program_id: i64) -> QueryResult<Vec<Course>> {
    courses::table
        .filter(courses::program_id.eq(program_id))
        .order((courses::sort, courses::id))
        .select(Course::as_select())
        .load(conn)
}

/// Course lengths of a program (the ledger's caps).
pub fn course_minutes(conn: &mut AnyConnection, program_id: i64) -> QueryResult<HashMap<i64, i32>> {
    Ok(courses::table
        .filter(courses::program_id.eq(program_id))
        .select((courses::id, courses::minutes))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .collect())
}

/// Doctors an instructor works with: those who attended a session it teaches and those
/// whose rotation it supervises (ARCHITECTURE.md: an instructor sees the doctors of its
/// sessions, placements and groups).
pub fn instructor_doctors(conn: &mut AnyConnection, instructor_id: i64) -> QueryResult<Vec<i64>> {
    use crate::db::schema::{placements, rotations, session_instructors};
    let mut ids: Vec<i64> = study_records::table
        .inner_join(
            session_instructors::table.on(session_instructors::session_id
                .nullable()
                .eq(study_records::session_id)),
        )
        .filter(session_instructors::instructor_id.eq(instructor_id))
        .select(study_records::doctor_id)
        .distinct()
        .load(conn)?;
    let placed: Vec<i64> = placements::table
        .inner_join(rotations::table)
        .filter(rotations::supervisor_id.eq(instructor_id))
        .select(placements::doctor_id)
        .distinct()
        .load(conn)?;
    ids.extend(placed);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Link a doctor's platform account (for exports that carry no ID number).
pub fn link_platform_account(
    conn: &mut AnyConnection,
    platform: &str,
    account: &str,
    doctor_id: i64,
) -> Result<(), AppError> {
    use crate::db::schema::platform_accounts;
    db::write(conn, |conn| {
        let owner: Option<i64> = platform_accounts::table
            .find((platform, account))
            .select(platform_accounts::doctor_id)
            .first(conn)
            .optional()?;
        match owner {
            Some(d) if d == doctor_id => Ok(()),
            Some(_) => Err(AppError::Conflict("该平台账号已关联其他学员".into())),
            None => {
                diesel::insert_into(platform_accounts::table)
                    .values((
                        platform_accounts::platform.eq(platform),
                        platform_accounts::account.eq(account),
                        platform_accounts::doctor_id.eq(doctor_id),
                    ))
                    .execute(conn)?;
                Ok(())
            }
        }
    })
}

/// Store an evidence image of a record (replacing an earlier one).
pub fn put_evidence(
    conn: &mut AnyConnection,
    record_id: i64,
    content_type: &str,
    content: &[u8],
    now: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::evidence_files;
    db::write(conn, |conn| {
        diesel::delete(evidence_files::table.find(record_id)).execute(conn)?;
        diesel::insert_into(evidence_files::table)
            .values((
                evidence_files::record_id.eq(record_id),
                evidence_files::content_type.eq(content_type),
                evidence_files::content.eq(content),
                evidence_files::created_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    })
}

pub fn evidence(
    conn: &mut AnyConnection,
    record_id: i64,
) -> QueryResult<Option<(String, Vec<u8>)>> {
    use crate::db::schema::evidence_files;
    evidence_files::table
        .find(record_id)
        .select((evidence_files::content_type, evidence_files::content))
        .first(conn)
        .optional()
}

/// Distinct doctors per county with approved centralized or shadowing time in `year`
/// (the 1/3 rule counts people, not hours).
pub fn centralized_learners(
    conn: &mut AnyConnection,
    program_id: i64,
    year: i32,
) -> QueryResult<HashMap<String, i64>> {
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    );
    let rows: Vec<(String, i64)> = study_records::table
        .inner_join(doctors::table)
        .filter(study_records::program_id.eq(program_id))
        .filter(study_records::status.eq(RecordStatus::Approved.as_str()))
        .filter(study_records::kind.eq_any([
            StudyKind::Centralized.as_str(),
            StudyKind::Shadowing.as_str(),
        ]))
        .filter(study_records::occurred_on.between(from, to))
        .select((doctors::county_code, study_records::doctor_id))
        .distinct()
        .load(conn)?;
    let mut out = HashMap::new();
    for (county, _) in rows {
        *out.entry(county).or_insert(0) += 1;
    }
    Ok(out)
}

/// Doctors in post per county of a program.
pub fn doctors_per_county(
    conn: &mut AnyConnection,
    program_id: i64,
) -> QueryResult<HashMap<String, i64>> {
    Ok(doctors::table
        .filter(doctors::program_id.eq(program_id))
        .filter(doctors::status.eq("active"))
        .group_by(doctors::county_code)
        .select((doctors::county_code, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// One doctor's ledger from one indexed aggregate: minutes by (kind, status, year),
/// online days, unit-score sums. Equal to [`rules::ledger`] over the records because
/// the write path keeps its invariants (no day over 24 h, no course past its length);
/// a test checks the two agree.
pub fn ledger_of(conn: &mut AnyConnection, doctor_id: i64) -> QueryResult<rules::Ledger> {
    use diesel::sql_types::{BigInt, Nullable, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Text)]
        year: String,
        #[diesel(sql_type = BigInt)]
        minutes: i64,
        #[diesel(sql_type = BigInt)]
        days: i64,
        #[diesel(sql_type = Nullable<BigInt>)]
        score_sum: Option<i64>,
        #[diesel(sql_type = BigInt)]
        score_count: i64,
    }
    let sql = match conn.backend() {
        crate::db::Backend::Postgres => {
            "SELECT kind, status, EXTRACT(YEAR FROM occurred_on)::text AS year, SUM(minutes)::bigint AS minutes, \
             COUNT(DISTINCT occurred_on)::bigint AS days, SUM(unit_score)::bigint AS score_sum, \
             COUNT(unit_score)::bigint AS score_count \
             FROM study_records WHERE doctor_id = $1 GROUP BY kind, status, year"
        }
        crate::db::Backend::Sqlite => {
            "SELECT kind, status, substr(occurred_on, 1, 4) AS year, SUM(minutes) AS minutes, \
             COUNT(DISTINCT occurred_on) AS days, SUM(unit_score) AS score_sum, COUNT(unit_score) AS score_count \
             FROM study_records WHERE doctor_id = ? GROUP BY kind, status, year"
        }
    };
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<BigInt, _>(doctor_id)
        .load(conn)?;
    let mut ledger = rules::Ledger::default();
    for r in rows {
        let (Some(kind), Some(status), Ok(year)) = (
            StudyKind::parse(&r.kind),
            RecordStatus::parse(&r.status),
            r.year.parse::<i32>(),
        ) else {
            continue;
        };
        let minutes = i32::try_from(r.minutes).unwrap_or(i32::MAX);
        match status {
            RecordStatus::Approved => {
                *ledger
                    .by_year
                    .entry(year)
                    .or_default()
                    .entry(kind)
                    .or_default() += minutes;
                if kind == StudyKind::Online {
                    ledger.online_days += r.days as usize;
                    ledger.unit_scores.0 += r.score_sum.unwrap_or(0);
                    ledger.unit_scores.1 += r.score_count;
                }
            }
            RecordStatus::Pending => *ledger.pending.entry(kind).or_default() += minutes,
            RecordStatus::Rejected => {}
        }
    }
    Ok(ledger)
}
