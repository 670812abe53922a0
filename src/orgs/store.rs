//! Queries on organizations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{NewOrg, OrgKind, Organization};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{organizations, regions};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::regions::{Scope, in_scope};

/// An organization with its region's path.
pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(Organization, String)>> {
    organizations::table
        .inner_join(regions::table)
        .filter(organizations::id.eq(id))
        .select((Organization::as_select(), regions::path))
        .first(conn)
        .optional()
}

/// Organizations in `scope`, optionally of one kind, by name.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    kind: Option<OrgKind>,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Organization>, i64)> {
    let query = || {
        let mut q_ = organizations::table
            .inner_join(regions::table)
            .filter(in_scope(scope))
            .into_boxed();
        if let Some(kind) = kind {
            q_ = q_.filter(organizations::kind.eq(kind));
        }
        if let Some(text) = q.map(str::trim).filter(|t| !t.is_empty()) {
            q_ = q_.filter(
                organizations::name
                    .like(format!("%{}%", crate::users::escape_like(text)))
                    .escape('\\'),
            );
        }
        q_
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order(organizations::id)
        .offset(offset)
        .limit(limit)
        .select(Organization::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// A new organization's row.
#[derive(Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrgRow<'a> {
    pub name: &'a str,
    pub kind: OrgKind,
    pub region_code: &'a str,
    pub address: Option<&'a str>,
    pub is_demo: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Create an organization; the same name in the same region is a 409.
pub fn insert(
    conn: &mut AnyConnection,
    new: &NewOrg,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Organization, AppError> {
    db::write(conn, |conn| {
        let taken: i64 = organizations::table
            .filter(organizations::region_code.eq(&new.region_code))
            .filter(organizations::name.eq(&new.name))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::Conflict(format!(
                "该区划已有名为“{}”的机构",
                new.name
            )));
        }
        let id: i64 = diesel::insert_into(organizations::table)
            .values(NewOrgRow {
                name: &new.name,
                kind: new.kind,
                region_code: &new.region_code,
                address: new.address.as_deref(),
                is_demo: false,
                created_at: now,
                updated_at: now,
            })
            .returning(organizations::id)
            .get_result(conn)?;
        if new.central_village_clinic {
            diesel::update(organizations::table.find(id))
                .set(organizations::central_village_clinic.eq(true))
                .execute(conn)?;
        }
        audit::record(
            conn,
            actor,
            &Entry::new("organization.created")
                .target(format!("organization:{id}"))
                .detail(serde_json::json!({ "name": new.name, "kind": new.kind, "region_code": new.region_code })),
            now,
        )?;
        Ok(organizations::table
            .find(id)
            .select(Organization::as_select())
            .first(conn)?)
    })
}
