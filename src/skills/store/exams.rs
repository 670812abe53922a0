//! Skills exams: their stations (a snapshot of each checklist), examiners, candidates.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::db::schema::{
    doctors, instructors, regions, skill_candidates, skill_exam_stations, skill_examiners,
    skill_exams, skill_stations,
};
use crate::db::{self, AnyConnection};
use crate::points::Points;
use crate::regions::{Scope, in_scope};
use crate::skills::{ItemDef, NewExam, SkillExamKind};

/// An exam as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skill_exams)]
pub struct ExamRow {
    pub id: i64,
    pub title: String,
    pub kind: SkillExamKind,
    pub program_id: i64,
    pub region_code: String,
    pub held_on: NaiveDate,
    pub starts_at: NaiveDateTime,
    pub pass_score: Points,
    pub review_threshold: Points,
}

/// An exam with its region's path and name.
#[derive(Debug, Clone, Queryable)]
pub struct Located {
    pub exam: ExamRow,
    pub path: String,
    pub region_name: String,
}

/// One station of an exam, with the checklist as it was when the exam was set.
#[derive(Debug, Clone)]
pub struct ExamStation {
    pub station_id: i64,
    pub code: String,
    pub title: String,
    pub minutes: i32,
    pub max_points: Points,
    pub pass_points: Points,
    pub items: Vec<ItemDef>,
    pub rating: Vec<String>,
    pub examiners: Vec<(i64, String)>,
}

/// A candidate in circuit order.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub doctor_id: i64,
    pub name: String,
    pub position: i32,
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Located>> {
    skill_exams::table
        .inner_join(regions::table)
        .filter(skill_exams::id.eq(id))
        .select((ExamRow::as_select(), regions::path, regions::name))
        .first(conn)
        .optional()
}

/// Store an exam with its stations (checklists snapshotted), examiners and candidates,
/// and audit it; one transaction.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewExam,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    db::write(conn, |conn| {
        let id: i64 = diesel::insert_into(skill_exams::table)
            .values((
                skill_exams::title.eq(&new.title),
                skill_exams::kind.eq(new.kind),
                skill_exams::program_id.eq(new.program_id),
                skill_exams::region_code.eq(&new.region_code),
                skill_exams::held_on.eq(new.held_on),
                skill_exams::starts_at.eq(new.starts_at),
                skill_exams::pass_score.eq(new.pass_score),
                skill_exams::review_threshold.eq(new.review_threshold),
                skill_exams::created_by.eq(actor.id),
                skill_exams::created_at.eq(now),
            ))
            .returning(skill_exams::id)
            .get_result(conn)?;
        for (position, (station, examiners)) in new.stations.iter().enumerate() {
            let (max, pass, items): (Points, Points, String) = skill_stations::table
                .find(station)
                .select((
                    skill_stations::max_points,
                    skill_stations::pass_points,
                    skill_stations::items,
                ))
                .first(conn)?;
            diesel::insert_into(skill_exam_stations::table)
                .values((
                    skill_exam_stations::exam_id.eq(id),
                    skill_exam_stations::station_id.eq(station),
                    skill_exam_stations::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                    skill_exam_stations::max_points.eq(max),
                    skill_exam_stations::pass_points.eq(pass),
                    skill_exam_stations::items.eq(items),
                ))
                .execute(conn)?;
            for examiner in examiners {
                diesel::insert_into(skill_examiners::table)
                    .values((
                        skill_examiners::exam_id.eq(id),
                        skill_examiners::station_id.eq(station),
                        skill_examiners::instructor_id.eq(examiner),
                    ))
                    .execute(conn)?;
            }
        }
        for (position, doctor) in new.candidate_ids.iter().enumerate() {
            diesel::insert_into(skill_candidates::table)
                .values((
                    skill_candidates::exam_id.eq(id),
                    skill_candidates::doctor_id.eq(doctor),
                    skill_candidates::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            &Entry::new("skills.exam_created")
                .target(format!("skill_exam:{id}"))
                .detail(serde_json::json!({
                    "kind": new.kind.as_str(),
                    "region_code": new.region_code,
                    "stations": new.stations.len(),
                    "candidates": new.candidate_ids.len(),
                })),
            now,
        )?;
        Ok(id)
    })
}

/// (station, code, title, minutes, max, pass, items JSON, rating JSON).
type StationLine = (i64, String, String, i32, Points, Points, String, String);

/// The stations of an exam in circuit order, with their examiners.
pub fn stations(conn: &mut AnyConnection, exam_id: i64) -> QueryResult<Vec<ExamStation>> {
    let rows: Vec<StationLine> = skill_exam_stations::table
        .inner_join(skill_stations::table)
        .filter(skill_exam_stations::exam_id.eq(exam_id))
        .order(skill_exam_stations::position)
        .select((
            skill_exam_stations::station_id,
            skill_stations::code,
            skill_stations::title,
            skill_stations::minutes,
            skill_exam_stations::max_points,
            skill_exam_stations::pass_points,
            skill_exam_stations::items,
            skill_stations::rating,
        ))
        .load(conn)?;
    let examiners: Vec<(i64, i64, String)> = skill_examiners::table
        .inner_join(instructors::table)
        .filter(skill_examiners::exam_id.eq(exam_id))
        .order(instructors::id)
        .select((
            skill_examiners::station_id,
            instructors::id,
            instructors::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(station_id, code, title, minutes, max_points, pass_points, items, rating)| {
                ExamStation {
                    station_id,
                    code,
                    title,
                    minutes,
                    max_points,
                    pass_points,
                    items: serde_json::from_str(&items).unwrap_or_default(),
                    rating: serde_json::from_str(&rating).unwrap_or_default(),
                    examiners: examiners
                        .iter()
                        .filter(|(s, _, _)| *s == station_id)
                        .map(|(_, id, name)| (*id, name.clone()))
                        .collect(),
                }
            },
        )
        .collect())
}

pub fn candidates(conn: &mut AnyConnection, exam_id: i64) -> QueryResult<Vec<Candidate>> {
    let rows: Vec<(i64, String, i32)> = skill_candidates::table
        .inner_join(doctors::table)
        .filter(skill_candidates::exam_id.eq(exam_id))
        .order((skill_candidates::position, skill_candidates::doctor_id))
        .select((
            skill_candidates::doctor_id,
            doctors::name,
            skill_candidates::position,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(doctor_id, name, position)| Candidate {
            doctor_id,
            name,
            position,
        })
        .collect())
}

pub fn is_candidate(conn: &mut AnyConnection, exam_id: i64, doctor_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        skill_candidates::table
            .filter(skill_candidates::exam_id.eq(exam_id))
            .filter(skill_candidates::doctor_id.eq(doctor_id)),
    ))
    .get_result(conn)
}

/// Add a candidate at the end of the circuit (inside the caller's transaction).
pub fn add_candidate(conn: &mut AnyConnection, exam_id: i64, doctor_id: i64) -> QueryResult<()> {
    let last: Option<i32> = skill_candidates::table
        .filter(skill_candidates::exam_id.eq(exam_id))
        .select(diesel::dsl::max(skill_candidates::position))
        .first(conn)?;
    diesel::insert_into(skill_candidates::table)
        .values((
            skill_candidates::exam_id.eq(exam_id),
            skill_candidates::doctor_id.eq(doctor_id),
            skill_candidates::position.eq(last.map_or(0, |p| p + 1)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Does this instructor examine this station of this exam?
pub fn examines(
    conn: &mut AnyConnection,
    exam_id: i64,
    station_id: i64,
    instructor_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        skill_examiners::table
            .filter(skill_examiners::exam_id.eq(exam_id))
            .filter(skill_examiners::station_id.eq(station_id))
            .filter(skill_examiners::instructor_id.eq(instructor_id)),
    ))
    .get_result(conn)
}

/// Does this instructor examine any station of this exam?
pub fn examines_any(
    conn: &mut AnyConnection,
    exam_id: i64,
    instructor_id: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        skill_examiners::table
            .filter(skill_examiners::exam_id.eq(exam_id))
            .filter(skill_examiners::instructor_id.eq(instructor_id)),
    ))
    .get_result(conn)
}

/// Which exams a list shows.
#[derive(Debug, Clone)]
pub enum Visible {
    /// Exams held in the region subtree (admins).
    Region(Scope),
    /// Exams the instructor examines.
    Examiner(i64),
    /// Exams the doctor sits.
    Candidate(i64),
}

/// The exams a caller sees, newest first, one page, and the total.
pub fn list(
    conn: &mut AnyConnection,
    visible: &Visible,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Located>, i64)> {
    let mut query = skill_exams::table.inner_join(regions::table).into_boxed();
    let mut count = skill_exams::table.inner_join(regions::table).into_boxed();
    match visible {
        Visible::Region(scope) => {
            query = query.filter(in_scope(scope));
            count = count.filter(in_scope(scope));
        }
        Visible::Examiner(i) => {
            let mine = skill_examiners::table
                .filter(skill_examiners::instructor_id.eq(*i))
                .select(skill_examiners::exam_id);
            query = query.filter(skill_exams::id.eq_any(mine));
            let mine = skill_examiners::table
                .filter(skill_examiners::instructor_id.eq(*i))
                .select(skill_examiners::exam_id);
            count = count.filter(skill_exams::id.eq_any(mine));
        }
        Visible::Candidate(d) => {
            let mine = skill_candidates::table
                .filter(skill_candidates::doctor_id.eq(*d))
                .select(skill_candidates::exam_id);
            query = query.filter(skill_exams::id.eq_any(mine));
            let mine = skill_candidates::table
                .filter(skill_candidates::doctor_id.eq(*d))
                .select(skill_candidates::exam_id);
            count = count.filter(skill_exams::id.eq_any(mine));
        }
    }
    let total: i64 = count.count().get_result(conn)?;
    let rows = query
        .order((skill_exams::held_on.desc(), skill_exams::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((ExamRow::as_select(), regions::path, regions::name))
        .load(conn)?;
    Ok((rows, total))
}

/// A doctor of the program in the region subtree, if it is one (the candidates an exam
/// may take): its name.
pub fn eligible_doctor(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
    region: &Scope,
) -> QueryResult<Option<String>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::id.eq(doctor_id))
        .filter(doctors::program_id.eq(program_id))
        .filter(in_scope(region))
        .select(doctors::name)
        .first(conn)
        .optional()
}

/// The date of a program's first completion skills exam (a make-up follows one).
pub fn first_completion_on(
    conn: &mut AnyConnection,
    program_id: i64,
) -> QueryResult<Option<NaiveDate>> {
    skill_exams::table
        .filter(skill_exams::program_id.eq(program_id))
        .filter(skill_exams::kind.eq(SkillExamKind::Completion))
        .select(diesel::dsl::min(skill_exams::held_on))
        .first(conn)
}

/// The exams of a program a doctor sat, oldest first (for its standing).
pub fn sat_by(
    conn: &mut AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> QueryResult<Vec<ExamRow>> {
    let sat = skill_candidates::table
        .filter(skill_candidates::doctor_id.eq(doctor_id))
        .select(skill_candidates::exam_id);
    skill_exams::table
        .filter(skill_exams::id.eq_any(sat))
        .filter(skill_exams::program_id.eq(program_id))
        .order((skill_exams::held_on, skill_exams::id))
        .select(ExamRow::as_select())
        .load(conn)
}

/// The doctors of a program in a region subtree, by id (the setup page's candidates).
pub fn doctors_in(
    conn: &mut AnyConnection,
    program_id: i64,
    region: &Scope,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    doctors::table
        .inner_join(regions::table)
        .filter(doctors::program_id.eq(program_id))
        .filter(in_scope(region))
        .order(doctors::id)
        .limit(limit)
        .select((doctors::id, doctors::name))
        .load(conn)
}

/// The program's exams held in a region subtree between two days (inclusive), by id.
pub fn held_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    program_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<i64>> {
    skill_exams::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(skill_exams::program_id.eq(program_id))
        .filter(skill_exams::held_on.ge(from))
        .filter(skill_exams::held_on.le(to))
        .order(skill_exams::id)
        .select(skill_exams::id)
        .load(conn)
}
