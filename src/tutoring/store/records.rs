//! Activities, their attendees, and monthly evaluations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::GroupSet;
use crate::db::AnyConnection;
use crate::db::schema::{
    doctors, regions, tutoring_activities, tutoring_attendees, tutoring_evaluations,
    tutoring_groups,
};
use crate::regions::in_scope;
use crate::tutoring::rules::{Month, NewActivity, NewEvaluation};
use crate::tutoring::{ActivityRow, Evaluation, Group};

pub fn insert_activity(
    conn: &mut AnyConnection,
    group_id: i64,
    new: &NewActivity,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(tutoring_activities::table)
        .values((
            tutoring_activities::group_id.eq(group_id),
            tutoring_activities::kind.eq(new.kind),
            tutoring_activities::starts_at.eq(new.starts_at),
            tutoring_activities::ends_at.eq(new.ends_at),
            tutoring_activities::topic.eq(&new.topic),
            tutoring_activities::note.eq(new.note.as_deref()),
            tutoring_activities::created_by.eq(Some(by)),
            tutoring_activities::created_at.eq(now),
        ))
        .returning(tutoring_activities::id)
        .get_result(conn)?;
    for d in &new.doctor_ids {
        diesel::insert_into(tutoring_attendees::table)
            .values((
                tutoring_attendees::activity_id.eq(id),
                tutoring_attendees::doctor_id.eq(*d),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn activity(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ActivityRow>> {
    tutoring_activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()
}

/// A group's activities, newest first, each with its attendees' names.
pub fn activities_of(
    conn: &mut AnyConnection,
    group_id: i64,
) -> QueryResult<Vec<(ActivityRow, Vec<String>)>> {
    let rows: Vec<ActivityRow> = tutoring_activities::table
        .filter(tutoring_activities::group_id.eq(group_id))
        .order((
            tutoring_activities::starts_at.desc(),
            tutoring_activities::id.desc(),
        ))
        .select(ActivityRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let names: Vec<(i64, String)> = tutoring_attendees::table
        .inner_join(doctors::table)
        .filter(tutoring_attendees::activity_id.eq_any(&ids))
        .order((tutoring_attendees::activity_id, doctors::id))
        .select((tutoring_attendees::activity_id, doctors::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let who = names
                .iter()
                .filter(|(a, _)| *a == r.id)
                .map(|(_, n)| n.clone())
                .collect();
            (r, who)
        })
        .collect())
}

pub fn evaluation_exists(
    conn: &mut AnyConnection,
    group_id: i64,
    month: Month,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        tutoring_evaluations::table
            .filter(tutoring_evaluations::group_id.eq(group_id))
            .filter(tutoring_evaluations::month.eq(month.to_string())),
    ))
    .get_result(conn)
}

pub fn insert_evaluation(
    conn: &mut AnyConnection,
    group_id: i64,
    new: &NewEvaluation,
    instructor_id: Option<i64>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<Evaluation> {
    let id: i64 = diesel::insert_into(tutoring_evaluations::table)
        .values((
            tutoring_evaluations::group_id.eq(group_id),
            tutoring_evaluations::month.eq(new.month.to_string()),
            tutoring_evaluations::score.eq(new.score),
            tutoring_evaluations::progress.eq(&new.progress),
            tutoring_evaluations::remarks.eq(&new.remarks),
            tutoring_evaluations::instructor_id.eq(instructor_id),
            tutoring_evaluations::created_by.eq(Some(by)),
            tutoring_evaluations::created_at.eq(now),
        ))
        .returning(tutoring_evaluations::id)
        .get_result(conn)?;
    tutoring_evaluations::table
        .find(id)
        .select(Evaluation::as_select())
        .first(conn)
}

/// A group's evaluations, newest month first.
pub fn evaluations_of(conn: &mut AnyConnection, group_id: i64) -> QueryResult<Vec<Evaluation>> {
    tutoring_evaluations::table
        .filter(tutoring_evaluations::group_id.eq(group_id))
        .order(tutoring_evaluations::month.desc())
        .select(Evaluation::as_select())
        .load(conn)
}

/// The groups of a set formed before `month` ended that have no evaluation for it.
pub fn missing_evaluation(
    conn: &mut AnyConnection,
    set: &GroupSet,
    month: Month,
    month_end: NaiveDateTime,
) -> QueryResult<Vec<Group>> {
    let evaluated = tutoring_evaluations::table
        .filter(tutoring_evaluations::month.eq(month.to_string()))
        .select(tutoring_evaluations::group_id);
    let mut q = tutoring_groups::table
        .inner_join(regions::table)
        .filter(tutoring_groups::created_at.lt(month_end))
        .filter(tutoring_groups::id.ne_all(evaluated))
        .into_boxed();
    match set {
        GroupSet::Region(scope) => q = q.filter(in_scope(scope)),
        GroupSet::Teams(teams, scope) => {
            q = q
                .filter(in_scope(scope))
                .filter(tutoring_groups::team_id.eq_any(teams.clone()))
        }
        GroupSet::Only(ids) => q = q.filter(tutoring_groups::id.eq_any(ids.clone())),
    }
    q.order((tutoring_groups::name, tutoring_groups::id))
        .select(Group::as_select())
        .load(conn)
}

/// A group's id, name, creation time and the months it was evaluated.
pub type GroupMonths = (
    i64,
    String,
    NaiveDateTime,
    std::collections::BTreeSet<String>,
);

/// The program's groups in a region subtree (by name) with their creation time and the
/// months each was evaluated: what a county's filing counts.
pub fn groups_with_evaluated_months(
    conn: &mut AnyConnection,
    scope: &crate::regions::Scope,
    program_id: i64,
) -> QueryResult<Vec<GroupMonths>> {
    let rows: Vec<(i64, String, NaiveDateTime)> = tutoring_groups::table
        .inner_join(regions::table)
        .filter(in_scope(scope))
        .filter(tutoring_groups::program_id.eq(program_id))
        .order((tutoring_groups::name, tutoring_groups::id))
        .select((
            tutoring_groups::id,
            tutoring_groups::name,
            tutoring_groups::created_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let evaluated: Vec<(i64, String)> = tutoring_evaluations::table
        .filter(tutoring_evaluations::group_id.eq_any(&ids))
        .select((tutoring_evaluations::group_id, tutoring_evaluations::month))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created)| {
            let months = evaluated
                .iter()
                .filter(|e| e.0 == id)
                .map(|e| e.1.clone())
                .collect();
            (id, name, created, months)
        })
        .collect())
}
