//! Queries on programs and quotas.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{CatalogCourse, Policy, Program, ProgramDef, ProgramRow, Quota, QuotaUse};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{courses, doctors, program_quotas, programs, regions};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, Problems};
use crate::regions::store::in_scope;
use crate::regions::{Level, Region, Scope};

fn parse_policy(row: &ProgramRow) -> QueryResult<Policy> {
    serde_json::from_str(&row.policy)
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

fn load_quotas(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<Quota>> {
    program_quotas::table
        .filter(program_quotas::program_id.eq(id))
        .order((program_quotas::year, program_quotas::region_code))
        .load(conn)
}

fn load_catalog(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<CatalogCourse>> {
    Ok(courses::table
        .filter(courses::program_id.eq(id))
        .order((courses::sort, courses::id))
        .select((
            courses::code,
            courses::title,
            courses::area,
            courses::minutes,
        ))
        .load::<(String, String, String, i32)>(conn)?
        .into_iter()
        .map(|(code, title, area, minutes)| CatalogCourse {
            code,
            title,
            area,
            minutes,
        })
        .collect())
}

/// Make the stored catalog the given one: courses are matched by code and updated;
/// new codes are added; codes no longer listed are removed unless records cite them.
fn save_catalog(
    conn: &mut AnyConnection,
    id: i64,
    catalog: &[CatalogCourse],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let existing: HashMap<String, i64> = courses::table
        .filter(courses::program_id.eq(id))
        .select((courses::code, courses::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    for (i, c) in catalog.iter().enumerate() {
        let code = c.code.trim();
        match existing.get(code) {
            Some(course) => {
                diesel::update(courses::table.find(course))
                    .set((
                        courses::title.eq(c.title.trim()),
                        courses::area.eq(&c.area),
                        courses::minutes.eq(c.minutes),
                        courses::sort.eq(i as i32),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(courses::table)
                    .values((
                        courses::program_id.eq(id),
                        courses::code.eq(code),
                        courses::title.eq(c.title.trim()),
                        courses::area.eq(&c.area),
                        courses::minutes.eq(c.minutes),
                        courses::sort.eq(i as i32),
                        courses::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
    }
    for (code, course) in existing {
        if catalog.iter().any(|c| c.code.trim() == code) {
            continue;
        }
        let cited: i64 = crate::db::schema::study_records::table
            .filter(crate::db::schema::study_records::course_id.eq(course))
            .count()
            .get_result(conn)?;
        if cited > 0 {
            return Err(AppError::field(
                "catalog",
                format!("课程 {code} 已有学习记录，不能从目录中删除"),
            ));
        }
        diesel::delete(courses::table.find(course)).execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Program>> {
    let Some(row) = programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let policy = parse_policy(&row)?;
    let quotas = load_quotas(conn, id)?;
    let catalog = load_catalog(conn, id)?;
    Ok(Some(Program {
        row,
        policy,
        quotas,
        catalog,
    }))
}

/// The region a program belongs to.
pub fn region_of(conn: &mut AnyConnection, program: &Program) -> QueryResult<Region> {
    regions::table
        .find(&program.row.region_code)
        .select(Region::as_select())
        .first(conn)
}

/// Programs a caller with this region may see: those of its own region or an ancestor
/// (the city's program, seen from a county or village) and those inside its subtree.
pub fn list_visible(conn: &mut AnyConnection, caller: &Region) -> QueryResult<Vec<Program>> {
    let lineage: Vec<&str> = caller.path.split('/').filter(|c| !c.is_empty()).collect();
    let rows: Vec<ProgramRow> = programs::table
        .inner_join(regions::table)
        .filter(in_scope(&caller.scope()).or(programs::region_code.eq_any(&lineage)))
        .order(programs::id)
        .select(ProgramRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut quotas: HashMap<i64, Vec<Quota>> = HashMap::new();
    for q in program_quotas::table
        .filter(program_quotas::program_id.eq_any(&ids))
        .order((program_quotas::year, program_quotas::region_code))
        .load::<Quota>(conn)?
    {
        quotas.entry(q.program_id).or_default().push(q);
    }
    rows.into_iter()
        .map(|row| {
            let policy = parse_policy(&row)?;
            let quotas = quotas.remove(&row.id).unwrap_or_default();
            let catalog = load_catalog(conn, row.id)?;
            Ok(Program {
                row,
                policy,
                quotas,
                catalog,
            })
        })
        .collect()
}

/// Just a program's policy and years (the hot path of progress reads).
pub fn policy(
    conn: &mut AnyConnection,
    id: i64,
) -> QueryResult<Option<(Policy, std::ops::RangeInclusive<i32>)>> {
    let row: Option<(String, i32, i32)> = programs::table
        .find(id)
        .select((programs::policy, programs::start_year, programs::end_year))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((policy, start, end)) => {
            let policy = serde_json::from_str(&policy)
                .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
            Ok(Some((policy, start..=end)))
        }
    }
}

/// The program of a region's city covering `year` (the newest if several).
pub fn covering(
    conn: &mut AnyConnection,
    region: &Region,
    year: i32,
) -> QueryResult<Option<Program>> {
    let lineage: Vec<&str> = region.path.split('/').filter(|c| !c.is_empty()).collect();
    let id: Option<i64> = programs::table
        .filter(programs::region_code.eq_any(&lineage))
        .filter(programs::start_year.le(year))
        .filter(programs::end_year.ge(year))
        .order(programs::id.desc())
        .select(programs::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => get(conn, id),
        None => Ok(None),
    }
}

/// Is the program visible from this region (see [`list_visible`])?
pub fn visible_from(program_region: &Region, caller: &Region) -> bool {
    caller.scope().contains_path(&program_region.path)
        || program_region.scope().contains_path(&caller.path)
}

/// Check the regions a definition names: the program's must be a city, each quota's a
/// county-level division of that city.
fn check_regions(conn: &mut AnyConnection, def: &ProgramDef) -> Result<Region, AppError> {
    let mut p = Problems::new();
    let region = crate::regions::store::find(conn, &def.region_code)?;
    let region = match region {
        Some(r) if r.level() == Some(Level::City) => Some(r),
        Some(_) => {
            p.add("region_code", "培训项目应属于地级市（如 370400 枣庄市）");
            None
        }
        None => {
            p.add("region_code", "未知的行政区划代码");
            None
        }
    };
    if let Some(city) = &region {
        let children: HashMap<String, Region> =
            crate::regions::store::children(conn, Some(&city.code))?
                .into_iter()
                .map(|r| (r.code.clone(), r))
                .collect();
        for (i, q) in def.quotas.iter().enumerate() {
            if children
                .get(&q.region_code)
                .is_none_or(|r| r.level() != Some(Level::County))
            {
                p.add(
                    format!("quotas[{i}].region_code"),
                    format!("{} 不是{}的区（市）县", q.region_code, city.name),
                );
            }
        }
    }
    p.finish()?;
    region.ok_or_else(|| AppError::internal("checked region lost"))
}

#[derive(Insertable)]
#[diesel(table_name = programs)]
struct NewProgram<'a> {
    name: &'a str,
    preset: Option<&'a str>,
    region_code: &'a str,
    start_year: i32,
    end_year: i32,
    policy: String,
    version: i32,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn policy_json(policy: &Policy) -> Result<String, AppError> {
    serde_json::to_string(policy).map_err(AppError::internal)
}

fn insert_quotas(conn: &mut AnyConnection, id: i64, quotas: &[Quota]) -> QueryResult<()> {
    let rows: Vec<Quota> = quotas
        .iter()
        .map(|q| Quota {
            program_id: id,
            ..q.clone()
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::per_backend!(conn, |c| diesel::insert_into(program_quotas::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Create a program (regions checked, audited). A preset already instantiated for the
/// same city is a 409.
pub fn insert(
    conn: &mut AnyConnection,
    def: &ProgramDef,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Program, AppError> {
    db::write(conn, |conn| {
        check_regions(conn, def)?;
        if let Some(preset) = &def.preset {
            let taken: i64 = programs::table
                .filter(programs::region_code.eq(&def.region_code))
                .filter(programs::preset.eq(preset))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(AppError::Conflict(format!(
                    "该市已按预设 {preset} 建立培训项目"
                )));
            }
        }
        let id: i64 = diesel::insert_into(programs::table)
            .values(NewProgram {
                name: def.name.trim(),
                preset: def.preset.as_deref(),
                region_code: &def.region_code,
                start_year: def.start_year,
                end_year: def.end_year,
                policy: policy_json(&def.policy)?,
                version: 1,
                created_by: actor.id,
                created_at: now,
                updated_at: now,
            })
            .returning(programs::id)
            .get_result(conn)?;
        insert_quotas(conn, id, &def.quotas)?;
        save_catalog(conn, id, &def.catalog, now)?;
        audit::record(
            conn,
            actor,
            &Entry::new("program.created")
                .target(format!("program:{id}"))
                .detail(serde_json::json!({
                    "name": def.name, "preset": def.preset, "region_code": def.region_code,
                })),
            now,
        )?;
        get(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// Which top-level parts of two definitions differ, with their old and new values.
fn diff(before: &Program, after: &ProgramDef) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut changes = Map::new();
    let mut field = |name: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(name.to_owned(), json!({ "from": old, "to": new }));
        }
    };
    field("name", json!(before.row.name), json!(after.name));
    field(
        "start_year",
        json!(before.row.start_year),
        json!(after.start_year),
    );
    field(
        "end_year",
        json!(before.row.end_year),
        json!(after.end_year),
    );
    let (old_r, new_r) = (
        json!(before.policy.requirements),
        json!(after.policy.requirements),
    );
    let (old_d, new_d) = (
        json!(before.policy.deadlines),
        json!(after.policy.deadlines),
    );
    for (prefix, old, new) in [("requirements", old_r, new_r), ("deadlines", old_d, new_d)] {
        if let (Value::Object(o), Value::Object(n)) = (&old, &new) {
            for (k, v) in n {
                field(
                    &format!("{prefix}.{k}"),
                    o.get(k).cloned().unwrap_or(Value::Null),
                    v.clone(),
                );
            }
        }
    }
    let quota_key = |q: &Quota| (q.region_code.clone(), q.year, q.places);
    let mut old_q: Vec<_> = before.quotas.iter().map(quota_key).collect();
    let mut new_q: Vec<_> = after.quotas.iter().map(quota_key).collect();
    old_q.sort();
    new_q.sort();
    field("quotas", json!(old_q), json!(new_q));
    field("catalog", json!(before.catalog), json!(after.catalog));
    Value::Object(changes)
}

/// Replace a program's definition (not its preset or city). `expected_version`, when
/// given, must be the stored one (else 409: someone else saved first).
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    def: &ProgramDef,
    expected_version: Option<i32>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Program, AppError> {
    db::write(conn, |conn| {
        let before = get(conn, id)?.ok_or(AppError::NotFound)?;
        if def.region_code != before.row.region_code {
            return Err(AppError::field("region_code", "不能更改培训项目所属的市"));
        }
        if expected_version.is_some_and(|v| v != before.row.version) {
            return Err(AppError::Conflict(
                "该项目已被他人修改，请刷新后重试".into(),
            ));
        }
        check_regions(conn, def)?;
        let changes = diff(&before, def);
        if changes.as_object().is_some_and(|c| c.is_empty()) {
            return Ok(before);
        }
        diesel::update(programs::table.find(id))
            .set((
                programs::name.eq(def.name.trim()),
                programs::start_year.eq(def.start_year),
                programs::end_year.eq(def.end_year),
                programs::policy.eq(policy_json(&def.policy)?),
                programs::version.eq(programs::version + 1),
                programs::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::delete(program_quotas::table.filter(program_quotas::program_id.eq(id)))
            .execute(conn)?;
        insert_quotas(conn, id, &def.quotas)?;
        save_catalog(conn, id, &def.catalog, now)?;
        audit::record(
            conn,
            actor,
            &Entry::new("program.updated")
                .target(format!("program:{id}"))
                .detail(changes),
            now,
        )?;
        get(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// Places vs enrolled per quota row, limited to quota rows whose district lies in
/// `scope` (a county sees its own row; the city all of them).
pub fn quota_use(
    conn: &mut AnyConnection,
    program: &Program,
    scope: &Scope,
) -> QueryResult<Vec<QuotaUse>> {
    let districts: HashMap<String, String> = regions::table
        .filter(regions::parent_code.eq(&program.row.region_code))
        .filter(in_scope(scope))
        .select((regions::code, regions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let counts: Vec<(String, i32, String, i64)> = doctors::table
        .filter(doctors::program_id.eq(program.row.id))
        .group_by((doctors::county_code, doctors::cohort_year, doctors::status))
        .select((
            doctors::county_code,
            doctors::cohort_year,
            doctors::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut enrolled: HashMap<(String, i32), (i64, i64)> = HashMap::new();
    for (county, year, status, n) in counts {
        let e = enrolled.entry((county, year)).or_default();
        if status == "active" {
            e.0 += n;
        } else {
            e.1 += n;
        }
    }
    Ok(program
        .quotas
        .iter()
        .filter_map(|q| {
            let name = districts.get(&q.region_code)?;
            let (active, left) = enrolled
                .get(&(q.region_code.clone(), q.year))
                .copied()
                .unwrap_or_default();
            Some(QuotaUse {
                region_code: q.region_code.clone(),
                region_name: name.clone(),
                year: q.year,
                places: q.places,
                enrolled: active,
                left,
                remaining: i64::from(q.places) - active,
            })
        })
        .collect())
}
