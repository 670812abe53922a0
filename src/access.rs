//! Who may see and change what: the one place for scope and role checks.
//!
//! A [`Caller`] is built once per request by the auth extractor (one indexed query: the
//! account, its region, and the doctor or instructor record linked to it). Areas ask
//! here whether the caller may see a doctor or a program; no area keeps its own copy of
//! these rules. A resource outside the caller's scope is refused as
//! [`AppError::Denied`], which answers 404 exactly like a missing one and is written to
//! the audit log by [`crate::state::AppState::db`].

use diesel::prelude::*;

use crate::audit::Actor;
pub use crate::auth::Role;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, Denial};
use crate::regions::{Region, Scope};
use crate::roster::DoctorRecord;
use crate::state::AppState;

/// The account behind a request, with what access decisions need.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The region the account is bound to; it sees this subtree.
    pub region: Region,
    /// The roster record of a doctor's account.
    pub doctor_id: Option<i64>,
    /// The instructor record of an instructor's account.
    pub instructor_id: Option<i64>,
    /// The client's address (for the audit log).
    pub client: Option<String>,
}

impl Caller {
    pub fn id(&self) -> i64 {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The region subtree this account may see.
    pub fn scope(&self) -> Scope {
        self.region.scope()
    }

    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }

    /// For the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user_id),
            username: Some(self.username.clone()),
            client: self.client.clone(),
        }
    }

    /// 403 unless the role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// A refusal of something that exists outside the caller's reach: 404 to the
    /// client, an `access.denied` entry in the audit log.
    pub fn denied(&self, attempt: &'static str, target: impl Into<String>) -> AppError {
        AppError::Denied(Box::new(Denial {
            actor: self.actor(),
            attempt,
            target: target.into(),
        }))
    }
}

/// The result of looking something up within a scope.
#[derive(Debug)]
pub enum Lookup<T> {
    Found(T),
    /// It exists, outside the caller's subtree: answer 404 and audit the denial.
    OutOfScope,
    Missing,
}

impl<T> Lookup<T> {
    /// The found value; a missing one is 404, one out of scope a [`Caller::denied`].
    pub fn found(self, caller: &Caller, attempt: &'static str, target: &str) -> AppResult<T> {
        match self {
            Lookup::Found(t) => Ok(t),
            Lookup::Missing => Err(AppError::NotFound),
            Lookup::OutOfScope => Err(caller.denied(attempt, target)),
        }
    }
}

/// A doctor the caller may see, or why not. Admins see the doctors of their subtree, a
/// doctor itself, an instructor the doctors it teaches ([`teaches`]).
pub fn doctor_lookup(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> QueryResult<Lookup<DoctorRecord>> {
    let Some(record) = crate::roster::store::get(conn, id)? else {
        return Ok(Lookup::Missing);
    };
    let visible = match caller.role {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            caller.scope().contains_path(&record.region_path)
        }
        Role::Doctor => caller.doctor_id == Some(id),
        Role::Instructor => match caller.instructor_id {
            Some(instructor) => teaches(conn, instructor, id)?,
            None => false,
        },
    };
    Ok(if visible {
        Lookup::Found(record)
    } else {
        Lookup::OutOfScope
    })
}

/// A doctor the caller may see; otherwise 404 (audited when the doctor exists).
pub fn doctor(conn: &mut AnyConnection, caller: &Caller, id: i64) -> AppResult<DoctorRecord> {
    doctor_lookup(conn, caller, id)?.found(caller, "doctor.read", &format!("doctor:{id}"))
}

/// Does the instructor teach the doctor: it taught a session the doctor attended or
/// supervises one of the doctor's shadowing rotations.
pub fn teaches(conn: &mut AnyConnection, instructor_id: i64, doctor_id: i64) -> QueryResult<bool> {
    use crate::db::schema::{placements, rotations, session_instructors, study_records};
    if tutors(conn, instructor_id, doctor_id)? {
        return Ok(true);
    }
    let in_session = diesel::select(diesel::dsl::exists(
        study_records::table
            .inner_join(
                session_instructors::table.on(session_instructors::session_id
                    .nullable()
                    .eq(study_records::session_id)),
            )
            .filter(session_instructors::instructor_id.eq(instructor_id))
            .filter(study_records::doctor_id.eq(doctor_id)),
    ))
    .get_result::<bool>(conn)?;
    if in_session {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        placements::table
            .inner_join(rotations::table)
            .filter(rotations::supervisor_id.eq(instructor_id))
            .filter(placements::doctor_id.eq(doctor_id)),
    ))
    .get_result(conn)
}

/// Every doctor an instructor teaches (for list filters), ascending.
pub fn taught_doctors(conn: &mut AnyConnection, instructor_id: i64) -> QueryResult<Vec<i64>> {
    use crate::db::schema::{placements, rotations, session_instructors, study_records};
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
    ids.extend(crate::tutoring::tutored(conn, instructor_id)?);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Which doctors a list may show the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoctorSet {
    /// Every doctor in the region subtree (admins).
    Region(Scope),
    /// Exactly these (a doctor: itself; an instructor: those it teaches).
    Only(Vec<i64>),
}

/// The doctors a list may show the caller.
pub fn doctor_set(conn: &mut AnyConnection, caller: &Caller) -> QueryResult<DoctorSet> {
    Ok(match caller.role {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => DoctorSet::Region(caller.scope()),
        Role::Doctor => DoctorSet::Only(caller.doctor_id.into_iter().collect()),
        Role::Instructor => DoctorSet::Only(match caller.instructor_id {
            Some(i) => taught_doctors(conn, i)?,
            None => Vec::new(),
        }),
    })
}

/// A program is visible to the callers of its region's subtree and of the regions above
/// it (a city's program to its counties and to the province).
pub fn program_visible(program_region: &Region, caller: &Caller) -> bool {
    caller.scope().contains_path(&program_region.path)
        || program_region.scope().contains_path(&caller.region.path)
}

/// A program the caller may see; otherwise 404.
pub fn program(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<crate::program::Program> {
    let program = crate::program::store::get(conn, id)?.ok_or(AppError::NotFound)?;
    let region = crate::program::store::region_of(conn, &program)?;
    if program_visible(&region, caller) {
        Ok(program)
    } else {
        Err(AppError::NotFound)
    }
}

/// [`doctor`] in a database hop of its own, for a handler that needs nothing else.
pub async fn load_doctor(state: &AppState, caller: &Caller, id: i64) -> AppResult<DoctorRecord> {
    let caller = caller.clone();
    state.db(move |conn| doctor(conn, &caller, id)).await
}

/// [`program`] in a database hop of its own.
pub async fn load_program(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<crate::program::Program> {
    let caller = caller.clone();
    state.db(move |conn| program(conn, &caller, id)).await
}

/// The doctors an instructor caller teaches (empty for anyone else), in a hop of its own.
pub async fn load_taught(state: &AppState, caller: &Caller) -> AppResult<Vec<i64>> {
    match (caller.role, caller.instructor_id) {
        (Role::Instructor, Some(i)) => state.db(move |conn| taught_doctors(conn, i)).await,
        _ => Ok(Vec::new()),
    }
}

/// Does the instructor tutor the doctor: it is on the team of a learning group the
/// doctor is in (辅导带教). [`teaches`] asks this first.
pub fn tutors(conn: &mut AnyConnection, instructor_id: i64, doctor_id: i64) -> QueryResult<bool> {
    crate::tutoring::tutors(conn, instructor_id, doctor_id)
}

/// How the caller stands to a tutoring group it may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRelation {
    /// An administrator of the group's region.
    Admin,
    /// A member of the group's tutoring team (the instructor's id).
    Tutor(i64),
    /// A doctor in the group now.
    Member,
}

/// A tutoring group the caller may see, and how; otherwise 404 (audited when it
/// exists): admins see their subtree's groups, an instructor the groups of its teams, a
/// doctor its own group.
pub fn tutoring_group(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> AppResult<(crate::tutoring::Group, GroupRelation)> {
    let (group, path) = crate::tutoring::group(conn, id)?.ok_or(AppError::NotFound)?;
    let relation = match caller.role {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => caller
            .scope()
            .contains_path(&path)
            .then_some(GroupRelation::Admin),
        Role::Instructor => match caller.instructor_id {
            Some(i) if crate::tutoring::teams_of(conn, i)?.contains(&group.team_id) => {
                Some(GroupRelation::Tutor(i))
            }
            _ => None,
        },
        Role::Doctor => match caller.doctor_id {
            Some(d) if crate::tutoring::groups_of_doctor(conn, d)?.contains(&group.id) => {
                Some(GroupRelation::Member)
            }
            _ => None,
        },
    };
    match relation {
        Some(r) => Ok((group, r)),
        None => Err(caller.denied("tutoring.group", format!("tutoring_group:{id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, path: &str) -> Region {
        Region {
            code: code.into(),
            name: code.into(),
            level: crate::regions::Level::County,
            parent_code: None,
            path: path.into(),
            is_gb: true,
            is_demo: false,
        }
    }

    fn caller(role: Role, path: &str) -> Caller {
        Caller {
            user_id: 1,
            username: "u".into(),
            role,
            region: region("x", path),
            doctor_id: None,
            instructor_id: None,
            client: None,
        }
    }

    #[test]
    fn programs_are_visible_below_and_above_their_city() {
        let city = region("370400", "/370000/370400/");
        assert!(program_visible(
            &city,
            &caller(Role::CountyAdmin, "/370000/370400/370402/")
        ));
        assert!(program_visible(&city, &caller(Role::Sysadmin, "/370000/")));
        assert!(!program_visible(
            &city,
            &caller(Role::CityAdmin, "/370000/370700/")
        ));
    }

    #[test]
    fn denial_is_a_not_found_to_the_client() {
        let c = caller(Role::CountyAdmin, "/370000/370400/370402/");
        let e = c.denied("doctor.read", "doctor:9");
        assert_eq!(actix_web::ResponseError::status_code(&e), 404);
        let lookup: Lookup<()> = Lookup::Missing;
        assert!(matches!(
            lookup.found(&c, "x", "y"),
            Err(AppError::NotFound)
        ));
    }
}
