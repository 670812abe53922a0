//! Writing programs: creating one (from a preset or a full definition) and editing it,
//! its quotas and its course catalog, audited.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::read::get;
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{courses, program_quotas, programs, study_records};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, Problems};
use crate::program::{CatalogCourse, Policy, Program, ProgramDef, Quota, rules};
use crate::regions::{self, Level, Region};

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
        let cited: i64 = study_records::table
            .filter(study_records::course_id.eq(course))
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

/// Check the regions a definition names: the program's must be a city, each quota's a
/// county-level division of that city.
fn check_regions(conn: &mut AnyConnection, def: &ProgramDef) -> Result<Region, AppError> {
    let mut p = Problems::new();
    let city = p.field(
        "region_code",
        match regions::find(conn, &def.region_code)? {
            Some(r) if r.level() == Level::City => Ok(r),
            Some(_) => Err("培训项目应属于地级市（如 370400 枣庄市）".to_owned()),
            None => Err("未知的行政区划代码".to_owned()),
        },
    );
    if let Ok(city) = &city {
        let children: HashMap<String, Region> = regions::children(conn, Some(&city.code))?
            .into_iter()
            .map(|r| (r.code.clone(), r))
            .collect();
        for (i, q) in def.quotas.iter().enumerate() {
            if children
                .get(&q.region_code)
                .is_none_or(|r| r.level() != Level::County)
            {
                p.add(
                    format!("quotas[{i}].region_code"),
                    format!("{} 不是{}的区（市）县", q.region_code, city.name),
                );
            }
        }
    }
    p.build(|| city)
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
                    "该市已按此预设建立培训项目（{}）",
                    def.name.trim()
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
        let changes = rules::changes(&before, def);
        if changes.is_empty() {
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
        // Requirements, years or calendar may have changed: the doctors' pace with them.
        crate::study::refresh_program_standing(conn, id)?;
        audit::record(
            conn,
            actor,
            &Entry::new("program.updated")
                .target(format!("program:{id}"))
                .detail(serde_json::Value::Object(changes)),
            now,
        )?;
        get(conn, id)?.ok_or(AppError::NotFound)
    })
}
