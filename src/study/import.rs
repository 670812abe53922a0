//! Importing online-platform exports (中国继续医学教育网, 人卫慕课 …): rows of ID number or
//! platform account, course, class hours or minutes, completion date, unit score.
//! Rows become approved online records (the export is the evidence); the same row
//! imported again is a duplicate, never a second credit; any bad row writes nothing.

use std::collections::{HashMap, HashSet};

use actix_multipart::Multipart;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{NewRecord, RecordStatus, Source, StudyKind, rules};
use crate::audit::{self, Actor, Entry};
use crate::auth::CurrentUser;
use crate::db::schema::{courses, doctors, platform_accounts, programs};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::extract::read_form;
use crate::pii::Pii;
use crate::regions::Region;
use crate::roster::RowError;
use crate::sheet::{Cell, Sheet, column_letter, map_headers};
use crate::state::AppState;
use crate::time;

const COLUMNS: &[(&str, &[&str])] = &[
    (
        "id_number",
        &["身份证号", "身份证号码", "证件号码", "id_number"],
    ),
    (
        "account",
        &["平台账号", "学员账号", "账号", "用户名", "account"],
    ),
    ("name", &["姓名", "name"]),
    (
        "course",
        &[
            "课程",
            "课程名称",
            "课程编号",
            "课程代码",
            "course",
            "course_code",
        ],
    ),
    ("class_hours", &["学时", "获得学时", "class_hours"]),
    (
        "minutes",
        &[
            "分钟",
            "学习时长（分钟）",
            "学习时长(分钟)",
            "时长（分钟）",
            "minutes",
        ],
    ),
    (
        "date",
        &["完成日期", "完成时间", "学习日期", "date", "completed_on"],
    ),
    ("score", &["单元成绩", "成绩", "测试成绩", "score"]),
];

/// What an import did or would do.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub created: usize,
    pub duplicates: usize,
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    pub rows: usize,
}

/// Where and how to import.
#[derive(Debug, Clone)]
pub struct Target {
    pub county: Region,
    /// The platform's short code (e.g. `ncme` for 中国继续医学教育网).
    pub platform: String,
    pub dry_run: bool,
}

struct DoctorInfo {
    id: i64,
    program_id: i64,
    name: String,
}

struct ProgramInfo {
    years: std::ops::RangeInclusive<i32>,
    class_hour_minutes: i32,
    /// code → (id, minutes); title → code.
    by_code: HashMap<String, (i64, i32)>,
    by_title: HashMap<String, String>,
}

fn score_tenths(cell: &Cell) -> Result<Option<i32>, String> {
    let t = cell.text();
    if t.is_empty() {
        return Ok(None);
    }
    match t.trim_end_matches('分').parse::<f64>() {
        Ok(s) if (0.0..=100.0).contains(&s) => Ok(Some((s * 10.0).round() as i32)),
        _ => Err(format!("成绩应为 0 到 100 的数，而不是 {t:?}")),
    }
}

fn date_of(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Empty => Err("完成日期不能为空".into()),
        // Platforms often export "2025-03-01 10:22:13".
        other => {
            let t = other.text();
            crate::roster::rules::loose_date(
                t.get(..10)
                    .filter(|_| t.len() > 10 && t.as_bytes()[10] == b' ')
                    .unwrap_or(&t),
            )
        }
    }
}

/// Check and (unless a dry run or any row is bad) write an export.
pub fn run(
    conn: &mut AnyConnection,
    pii: &Pii,
    sheet: &Sheet,
    target: &Target,
    actor: &Actor,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Report, AppError> {
    let found = map_headers(&sheet.headers, COLUMNS);
    let mut missing = Vec::new();
    if !found.contains_key("id_number") && !found.contains_key("account") {
        missing.push("身份证号或平台账号");
    }
    if !found.contains_key("course") {
        missing.push("课程");
    }
    if !found.contains_key("class_hours") && !found.contains_key("minutes") {
        missing.push("学时或分钟");
    }
    if !found.contains_key("date") {
        missing.push("完成日期");
    }
    if !missing.is_empty() {
        return Err(AppError::field(
            "file",
            format!("表头缺少必填列：{}", missing.join("、")),
        ));
    }
    let column_of = |key: &str| -> String {
        found
            .get(key)
            .map(|&i| format!("{}（{}列）", sheet.headers[i], column_letter(i)))
            .unwrap_or_else(|| key.to_owned())
    };
    let mut report = Report {
        dry_run: target.dry_run,
        rows: sheet.rows.len(),
        ..Report::default()
    };

    // Everything the rows are checked against, loaded once.
    let county_doctors: Vec<(i64, String, i64, String, String)> = doctors::table
        .filter(doctors::county_code.eq(&target.county.code))
        .select((
            doctors::id,
            doctors::id_number_index,
            doctors::program_id,
            doctors::name,
            doctors::status,
        ))
        .load(conn)?;
    let by_index: HashMap<String, DoctorInfo> = county_doctors
        .iter()
        .filter(|d| d.4 == "active")
        .map(|(id, index, program_id, name, _)| {
            (
                index.clone(),
                DoctorInfo {
                    id: *id,
                    program_id: *program_id,
                    name: name.clone(),
                },
            )
        })
        .collect();
    let ids: Vec<i64> = county_doctors.iter().map(|d| d.0).collect();
    let mut by_account: HashMap<String, i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, i64)> = platform_accounts::table
            .filter(platform_accounts::platform.eq(&target.platform))
            .filter(platform_accounts::doctor_id.eq_any(chunk))
            .select((platform_accounts::account, platform_accounts::doctor_id))
            .load(conn)?;
        by_account.extend(rows);
    }
    let by_id: HashMap<i64, &DoctorInfo> = by_index.values().map(|d| (d.id, d)).collect();
    let program_ids: HashSet<i64> = by_index.values().map(|d| d.program_id).collect();
    let mut programs_info: HashMap<i64, ProgramInfo> = HashMap::new();
    for pid in program_ids {
        let (start, end, policy): (i32, i32, String) = programs::table
            .find(pid)
            .select((programs::start_year, programs::end_year, programs::policy))
            .first(conn)?;
        let policy: crate::program::Policy =
            serde_json::from_str(&policy).map_err(AppError::internal)?;
        let catalog: Vec<(i64, String, String, i32)> = courses::table
            .filter(courses::program_id.eq(pid))
            .select((courses::id, courses::code, courses::title, courses::minutes))
            .load(conn)?;
        programs_info.insert(
            pid,
            ProgramInfo {
                years: start..=end,
                class_hour_minutes: policy.requirements.class_hour_minutes,
                by_code: catalog
                    .iter()
                    .map(|(id, code, _, m)| (code.clone(), (*id, *m)))
                    .collect(),
                by_title: catalog
                    .iter()
                    .map(|(_, code, title, _)| (title.clone(), code.clone()))
                    .collect(),
            },
        );
    }
    let (mut day_totals, mut refs) = super::store::day_totals_and_refs(conn, &ids)?;
    let mut course_totals = super::store::course_totals(conn, &ids)?;

    let empty = Cell::Empty;
    let mut records = Vec::new();
    for (row_number, cells) in &sheet.rows {
        let cell = |key: &str| found.get(key).and_then(|&i| cells.get(i)).unwrap_or(&empty);
        let mut error = |key: &str, message: String| {
            report.errors.push(RowError {
                row: *row_number,
                field: key.to_owned(),
                column: column_of(key),
                message,
            });
        };
        // Who.
        let id_text = cell("id_number").text();
        let account = cell("account").text();
        let doctor = if !id_text.is_empty() {
            match crate::roster::rules::IdNumber::parse(&id_text, today) {
                Ok(id) => match by_index.get(&pii.blind_index(id.as_str())) {
                    Some(d) => Some(d),
                    None => {
                        error("id_number", "本区县在岗学员中没有此身份证号".into());
                        continue;
                    }
                },
                Err(m) => {
                    error("id_number", m);
                    continue;
                }
            }
        } else if !account.is_empty() {
            match by_account.get(&account).and_then(|id| by_id.get(id)) {
                Some(d) => Some(*d),
                None => {
                    error(
                        "account",
                        format!("平台账号 {account} 未关联本区县的在岗学员"),
                    );
                    continue;
                }
            }
        } else {
            None
        };
        let Some(doctor) = doctor else {
            error("id_number", "身份证号和平台账号至少填写一项".into());
            continue;
        };
        let name = cell("name").text();
        if !name.is_empty() && name != doctor.name {
            error(
                "name",
                format!("姓名与花名册不一致（花名册为 {}）", doctor.name),
            );
            continue;
        }
        let Some(program) = programs_info.get(&doctor.program_id) else {
            error("id_number", "该学员的培训项目不存在".into());
            continue;
        };
        // What.
        let course_text = cell("course").text();
        let code = if program.by_code.contains_key(&course_text) {
            course_text.clone()
        } else if let Some(code) = program.by_title.get(&course_text) {
            code.clone()
        } else {
            error(
                "course",
                format!("课程“{course_text}”不在培训项目的课程目录中"),
            );
            continue;
        };
        let (course_id, course_minutes) = program.by_code[&code];
        let minutes = match (cell("minutes").text(), cell("class_hours").text()) {
            (m, _) if !m.is_empty() => m
                .parse::<f64>()
                .map(|m| m.round() as i32)
                .map_err(|_| ("minutes", format!("分钟数 {m:?} 不是数字"))),
            (_, h) if !h.is_empty() => h
                .parse::<f64>()
                .map(|h| (h * f64::from(program.class_hour_minutes)).round() as i32)
                .map_err(|_| ("class_hours", format!("学时 {h:?} 不是数字"))),
            _ => Err(("minutes", "学时或分钟不能为空".into())),
        };
        let minutes = match minutes {
            Ok(m) if (1..=rules::DAY_MINUTES).contains(&m) => m,
            Ok(_) => {
                error("minutes", "一条记录应为 1 到 1440 分钟".into());
                continue;
            }
            Err((key, m)) => {
                error(key, m);
                continue;
            }
        };
        let occurred_on = match date_of(cell("date")) {
            Ok(d) => d,
            Err(m) => {
                error("date", m);
                continue;
            }
        };
        let unit_score = match score_tenths(cell("score")) {
            Ok(s) => s,
            Err(m) => {
                error("score", m);
                continue;
            }
        };
        let source_ref = format!("platform:{}:{}:{}", target.platform, code, occurred_on);
        if !refs.insert((doctor.id, source_ref.clone())) {
            report.duplicates += 1;
            continue;
        }
        if occurred_on > today || !program.years.contains(&occurred_on.year()) {
            error(
                "date",
                format!("完成日期 {occurred_on} 应在培训项目年度内且不晚于今天"),
            );
            continue;
        }
        let day = day_totals.entry((doctor.id, occurred_on)).or_insert(0);
        if *day + minutes > rules::DAY_MINUTES {
            error(
                "minutes",
                format!(
                    "{occurred_on} 已有 {} 分钟，再加 {minutes} 分钟将超过一天 24 小时",
                    *day
                ),
            );
            continue;
        }
        let used = course_totals.entry((doctor.id, course_id)).or_insert(0);
        if *used + minutes > course_minutes {
            error(
                "minutes",
                format!(
                    "课程 {code} 共 {course_minutes} 分钟，已认定 {} 分钟，不能再计入 {minutes} 分钟",
                    *used
                ),
            );
            continue;
        }
        *day += minutes;
        *used += minutes;
        records.push(NewRecord {
            doctor_id: doctor.id,
            program_id: doctor.program_id,
            kind: StudyKind::Online,
            minutes,
            occurred_on,
            interval: None,
            course_id: Some(course_id),
            session_id: None,
            rotation_id: None,
            source: Source::Platform,
            source_ref,
            status: RecordStatus::Approved,
            evidence: Some(format!("{} 导出：{}", target.platform, course_text)),
            unit_score,
            created_by: actor.id,
        });
    }
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.row);
        return Ok(report);
    }
    report.created = records.len();
    if target.dry_run {
        return Ok(report);
    }
    db::write(conn, |conn| {
        super::store::insert_checked(conn, &records, now)?;
        audit::record(
            conn,
            actor,
            &Entry::new("study.imported").target(format!("region:{}", target.county.code)).detail(serde_json::json!({
                "platform": target.platform, "created": report.created, "duplicates": report.duplicates,
            })),
            now,
        )
    })?;
    Ok(report)
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    pub dry_run: Option<String>,
    pub county: Option<String>,
    pub platform: Option<String>,
}

/// The API's upload (the page calls [`run_bytes`]).
pub async fn from_upload(
    state: &AppState,
    user: &CurrentUser,
    query: &ImportQuery,
    multipart: Multipart,
) -> AppResult<Report> {
    let dry_run = crate::regions::parse_dry_run(query.dry_run.as_deref())?;
    let county = crate::roster::import_county(state, user, query.county.as_deref()).await?;
    let platform = query
        .platform
        .as_deref()
        .unwrap_or("ncme")
        .trim()
        .to_owned();
    if !(1..=30).contains(&platform.chars().count()) {
        return Err(AppError::field("platform", "平台代码应为 1–30 个字符"));
    }
    let file = read_form(multipart, crate::roster::upload_limits().max_bytes)
        .await?
        .require_file()?;
    run_bytes(
        state,
        user,
        Target {
            county,
            platform,
            dry_run,
        },
        file.bytes,
    )
    .await
}

pub async fn run_bytes(
    state: &AppState,
    user: &CurrentUser,
    target: Target,
    bytes: Vec<u8>,
) -> AppResult<Report> {
    let sheet = crate::sheet::read(&bytes, &crate::roster::upload_limits())
        .map_err(|m| AppError::field("file", m))?;
    let actor = user.actor();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            run(
                conn,
                &pii,
                &sheet,
                &target,
                &actor,
                time::today_cst(),
                time::now(),
            )
        })
        .await
}
