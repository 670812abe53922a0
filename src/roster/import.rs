//! Importing a roster spreadsheet into one county: check every row, then write all of
//! them in one transaction, or nothing. Re-importing the same file changes nothing;
//! a changed row updates its doctor (matched by ID number).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{self, COLUMNS};
use super::store::{self, DoctorRow};
use super::{DoctorInput, ImportReport, Place, RowError};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::{organizations, programs, regions};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::orgs::OrgKind;
use crate::pii::Pii;
use crate::regions::{Level, Region};
use crate::sheet::{Cell, Sheet, column_letter, map_headers};

/// What to import into.
#[derive(Debug, Clone)]
pub struct Target {
    pub county: Region,
    /// The program every row joins; `None` picks, per row, the city's program that
    /// covers the row's 培训年度.
    pub program_id: Option<i64>,
    pub dry_run: bool,
}

/// The county's townships and villages, for resolving names.
struct Places {
    by_code: HashMap<String, (String, Level, Option<String>)>,
    villages_by_name: HashMap<String, Vec<String>>,
    townships_by_name: HashMap<String, Vec<String>>,
}

impl Places {
    fn load(conn: &mut AnyConnection, county: &Region) -> QueryResult<Places> {
        let rows: Vec<(String, String, String, Option<String>)> = regions::table
            .filter(crate::regions::store::in_scope(&county.scope()))
            .select((
                regions::code,
                regions::name,
                regions::level,
                regions::parent_code,
            ))
            .load(conn)?;
        let mut places = Places {
            by_code: HashMap::new(),
            villages_by_name: HashMap::new(),
            townships_by_name: HashMap::new(),
        };
        for (code, name, level, parent) in rows {
            let level = Level::parse(&level).unwrap_or(Level::County);
            let key = name.trim_end_matches("（演示）").to_owned();
            match level {
                Level::Village => places
                    .villages_by_name
                    .entry(key)
                    .or_default()
                    .push(code.clone()),
                Level::Township => places
                    .townships_by_name
                    .entry(key)
                    .or_default()
                    .push(code.clone()),
                _ => {}
            }
            places.by_code.insert(code, (name, level, parent));
        }
        Ok(places)
    }

    /// The region a row names: a code inside the county, or a village (within the
    /// township, if given) or township by name; the county itself when neither.
    fn resolve(&self, place: &Place, county: &str) -> Result<String, (&'static str, String)> {
        let (township, village) = match place {
            Place::Code(code) => {
                return match self.by_code.get(code) {
                    Some(_) => Ok(code.clone()),
                    None => Err(("village", format!("区划代码 {code} 不在本区县"))),
                };
            }
            Place::Names { township, village } => (township.as_deref(), village.as_deref()),
        };
        let is_code = |s: &str| s.bytes().all(|b| b.is_ascii_digit()) && matches!(s.len(), 9 | 12);
        let township_code = match township {
            None => None,
            Some(t) if is_code(t) => match self.by_code.get(t) {
                Some((_, Level::Township, _)) => Some(t.to_owned()),
                _ => return Err(("township", format!("乡镇代码 {t} 不在本区县"))),
            },
            Some(t) => match self.townships_by_name.get(t).map(Vec::as_slice) {
                Some([one]) => Some(one.clone()),
                Some(_) => {
                    return Err((
                        "township",
                        format!("本区县有多个名为“{t}”的乡镇，请填写乡镇代码"),
                    ));
                }
                None => {
                    return Err((
                        "township",
                        format!("本区县没有名为“{t}”的乡镇（街道），请先导入行政区划"),
                    ));
                }
            },
        };
        match village {
            None => Ok(township_code.unwrap_or_else(|| county.to_owned())),
            Some(v) if is_code(v) => match self.by_code.get(v) {
                Some((_, Level::Village, parent))
                    if township_code.is_none() || parent.as_ref() == township_code.as_ref() =>
                {
                    Ok(v.to_owned())
                }
                _ => Err((
                    "village",
                    format!(
                        "村代码 {v} 不在本区县{}",
                        township.map(|t| format!("的{t}")).unwrap_or_default()
                    ),
                )),
            },
            Some(v) => {
                let candidates: Vec<&String> = self
                    .villages_by_name
                    .get(v)
                    .map(|c| {
                        c.iter()
                            .filter(|code| {
                                township_code
                                    .as_ref()
                                    .is_none_or(|t| code.starts_with(t.as_str()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match candidates.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err((
                        "village",
                        format!(
                            "没有找到名为“{v}”的村{}，请先导入行政区划或填写村代码",
                            township.map(|t| format!("（{t}）")).unwrap_or_default()
                        ),
                    )),
                    _ => Err((
                        "village",
                        format!("有多个名为“{v}”的村，请同时填写所在镇或填写村代码"),
                    )),
                }
            }
        }
    }
}

/// The programs of the county's city: id → years.
fn programs_of_city(
    conn: &mut AnyConnection,
    county: &Region,
) -> QueryResult<Vec<(i64, i32, i32)>> {
    let city = county.parent_code.clone().unwrap_or_default();
    programs::table
        .filter(programs::region_code.eq(city))
        .order(programs::id)
        .select((programs::id, programs::start_year, programs::end_year))
        .load(conn)
}

/// A row that passed every check.
struct Planned {
    row_number: usize,
    input: DoctorInput,
    region_code: String,
    program_id: i64,
    index: String,
}

/// Check and (unless a dry run or any row is bad) write a roster sheet. `progress` is
/// called with the number of rows written so far.
#[allow(clippy::too_many_arguments)]
pub fn run(
    conn: &mut AnyConnection,
    pii: &Pii,
    sheet: &Sheet,
    target: &Target,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
    progress: &dyn Fn(usize),
) -> Result<ImportReport, AppError> {
    let aliases: Vec<(&str, &[&str])> = COLUMNS.iter().map(|(k, a, _)| (*k, *a)).collect();
    let found = map_headers(&sheet.headers, &aliases);
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(k, _, required)| *required && !found.contains_key(k))
        .map(|(_, aliases, _)| aliases[0])
        .collect();
    if !missing.is_empty() {
        return Err(AppError::field(
            "file",
            format!("表头缺少必填列：{}（请使用导入模板）", missing.join("、")),
        ));
    }
    let column_of = |key: &str| -> String {
        found
            .get(key)
            .map(|&i| format!("{}（{}列）", sheet.headers[i], column_letter(i)))
            .unwrap_or_else(|| {
                COLUMNS
                    .iter()
                    .find(|(k, ..)| *k == key)
                    .map_or(key, |(_, a, _)| a[0])
                    .to_owned()
            })
    };
    let mut report = ImportReport {
        dry_run: target.dry_run,
        rows: sheet.rows.len(),
        ..ImportReport::default()
    };
    let mut error = |row: usize, key: &str, message: String| {
        report.errors.push(RowError {
            row,
            field: key.to_owned(),
            column: column_of(key),
            message,
        });
    };

    let places = Places::load(conn, &target.county)?;
    let programs = programs_of_city(conn, &target.county)?;
    if let Some(id) = target.program_id
        && !programs.iter().any(|(p, ..)| *p == id)
    {
        return Err(AppError::field(
            "program_id",
            "该培训项目不属于本区县所在的市",
        ));
    }
    let empty = Cell::Empty;
    let mut planned: Vec<Planned> = Vec::with_capacity(sheet.rows.len());
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (row_number, cells) in &sheet.rows {
        let by_key: HashMap<&str, &Cell> = found
            .iter()
            .map(|(key, &i)| (*key, cells.get(i).unwrap_or(&empty)))
            .collect();
        let input = match rules::parse_row(&by_key, today) {
            Ok(input) => input,
            Err(errors) => {
                for (key, message) in errors {
                    error(*row_number, key, message);
                }
                continue;
            }
        };
        let region_code = match places.resolve(&input.place, &target.county.code) {
            Ok(code) => code,
            Err((key, message)) => {
                error(*row_number, key, message);
                continue;
            }
        };
        let program_id = match target.program_id {
            Some(id) => {
                let years = programs
                    .iter()
                    .find(|(p, ..)| *p == id)
                    .map(|(_, s, e)| *s..=*e);
                if !years.is_some_and(|y| y.contains(&input.cohort_year)) {
                    error(
                        *row_number,
                        "cohort_year",
                        format!("培训年度 {} 不在该培训项目的年度内", input.cohort_year),
                    );
                    continue;
                }
                id
            }
            None => match programs
                .iter()
                .find(|(_, s, e)| (*s..=*e).contains(&input.cohort_year))
            {
                Some((id, ..)) => *id,
                None => {
                    error(
                        *row_number,
                        "cohort_year",
                        format!("本市没有覆盖 {} 年度的培训项目", input.cohort_year),
                    );
                    continue;
                }
            },
        };
        if input.clinic.is_some()
            && places.by_code.get(&region_code).map(|p| p.1) != Some(Level::Village)
        {
            error(
                *row_number,
                "clinic",
                "填写村卫生室时须同时填写所在村".into(),
            );
            continue;
        }
        let index = pii.blind_index(input.id_number.as_str());
        if let Some(first) = first_row_of.get(&index) {
            error(
                *row_number,
                "id_number",
                format!("身份证号与第 {first} 行重复"),
            );
            continue;
        }
        first_row_of.insert(index.clone(), *row_number);
        planned.push(Planned {
            row_number: *row_number,
            input,
            region_code,
            program_id,
            index,
        });
    }

    let indexes: Vec<String> = planned.iter().map(|p| p.index.clone()).collect();
    let existing = store::by_indexes(conn, &indexes)?;
    for p in &planned {
        if let Some(d) = existing.get(&p.index)
            && d.county_code != target.county.code
        {
            error(
                p.row_number,
                "id_number",
                "该学员已登记在其他区县，跨区县调动请联系市级管理员".into(),
            );
        }
    }
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.row);
        return Ok(report);
    }

    let outcome = db::write(conn, |conn| -> Result<ImportReport, WriteOutcome> {
        let mut report = report.clone();
        write_rows(
            conn,
            pii,
            &planned,
            &existing,
            target,
            actor,
            today,
            now,
            &mut report,
            progress,
        )?;
        if target.dry_run {
            Err(WriteOutcome::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match outcome {
        Ok(report) | Err(WriteOutcome::DryRun(report)) => Ok(report),
        Err(WriteOutcome::Failed(e)) => Err(e),
    }
}

/// Ends the write transaction: a dry run rolls back carrying its counts.
enum WriteOutcome {
    DryRun(ImportReport),
    Failed(AppError),
}

impl From<diesel::result::Error> for WriteOutcome {
    fn from(e: diesel::result::Error) -> Self {
        WriteOutcome::Failed(e.into())
    }
}

impl From<AppError> for WriteOutcome {
    fn from(e: AppError) -> Self {
        WriteOutcome::Failed(e)
    }
}

/// Clinics by (village, name), created where missing.
fn clinic_ids(
    conn: &mut AnyConnection,
    planned: &[Planned],
    now: NaiveDateTime,
    report: &mut ImportReport,
) -> QueryResult<HashMap<(String, String), i64>> {
    let wanted: HashSet<(String, String)> = planned
        .iter()
        .filter_map(|p| {
            p.input
                .clinic
                .as_ref()
                .map(|c| (p.region_code.clone(), c.clone()))
        })
        .collect();
    let villages: Vec<&str> = wanted.iter().map(|(v, _)| v.as_str()).collect();
    let mut ids: HashMap<(String, String), i64> = HashMap::new();
    for chunk in villages.chunks(500) {
        let rows: Vec<(i64, String, String)> = organizations::table
            .filter(organizations::region_code.eq_any(chunk))
            .select((
                organizations::id,
                organizations::region_code,
                organizations::name,
            ))
            .load(conn)?;
        for (id, region, name) in rows {
            ids.insert((region, name), id);
        }
    }
    for key in wanted {
        if ids.contains_key(&key) {
            continue;
        }
        let id: i64 = diesel::insert_into(organizations::table)
            .values(crate::orgs::store::OrgRow {
                name: &key.1,
                kind: OrgKind::VillageClinic.as_str(),
                region_code: &key.0,
                address: None,
                is_demo: false,
                created_at: now,
                updated_at: now,
            })
            .returning(organizations::id)
            .get_result(conn)?;
        report.clinics_created += 1;
        ids.insert(key, id);
    }
    Ok(ids)
}

#[allow(clippy::too_many_arguments)]
fn write_rows(
    conn: &mut AnyConnection,
    pii: &Pii,
    planned: &[Planned],
    existing: &HashMap<String, super::Doctor>,
    target: &Target,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
    report: &mut ImportReport,
    progress: &dyn Fn(usize),
) -> Result<(), WriteOutcome> {
    let clinics = clinic_ids(conn, planned, now, report)?;
    let mut fresh = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let clinic_id = p
            .input
            .clinic
            .as_ref()
            .and_then(|c| clinics.get(&(p.region_code.clone(), c.clone())).copied());
        let old = existing.get(&p.index);
        let row = DoctorRow {
            name: p.input.name.clone(),
            id_number_enc: pii.encrypt(p.input.id_number.as_str()),
            id_number_index: p.index.clone(),
            id_number_masked: p.input.id_number.masked(),
            phone: p.input.phone.as_str().to_owned(),
            gender: p.input.gender.as_str().to_owned(),
            birth_date: p.input.birth_date,
            education: p.input.education.as_str().to_owned(),
            qualification: p.input.qualification.as_str().to_owned(),
            region_code: p.region_code.clone(),
            county_code: target.county.code.clone(),
            clinic_id: clinic_id.or_else(|| old.and_then(|d| d.clinic_id)),
            program_id: p.program_id,
            cohort_year: p.input.cohort_year,
            status: p.input.status.as_str().to_owned(),
        };
        match old {
            Some(d) if !row.differs_from(d) => report.unchanged += 1,
            Some(d) => {
                store::update(conn, d.id, &row, today, now)?;
                report.updated += 1;
            }
            None => fresh.push(row),
        }
        if i % 1000 == 999 {
            progress(i + 1);
        }
    }
    report.created = store::insert_many(conn, &fresh, actor.id, now)?;
    progress(planned.len());
    if !target.dry_run {
        audit::record(
            conn,
            actor,
            &Entry::new("roster.imported")
                .target(format!("region:{}", target.county.code))
                .detail(serde_json::json!({
                    "created": report.created, "updated": report.updated,
                    "unchanged": report.unchanged, "clinics_created": report.clinics_created,
                })),
            now,
        )?;
    }
    Ok(())
}
