//! Demo roster: Zaozhuang's program (the preset), 3,254 synthetic doctors distributed
//! exactly by its quota table, a clinic in every demo village, and instructors.
//! Doctors go through the real import, so running the demo twice changes nothing.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{DISTRICTS, VILLAGES_PER_TOWNSHIP};
use crate::audit::Actor;
use crate::db::AnyConnection;
use crate::db::schema::{doctors, instructors, organizations, programs, users};
use crate::pii::Pii;
use crate::roster::rules::{TEMPLATE_HEADERS, check_char};
use crate::sheet::{Cell, Sheet};

/// Obviously synthetic: a common surname, 某 and a given name (王某华).
const GIVEN: [&str; 30] = [
    "华", "强", "伟", "芳", "敏", "静", "丽", "军", "勇", "杰", "娟", "涛", "明", "超", "霞", "平",
    "刚", "玲", "斌", "辉", "鹏", "燕", "磊", "红", "宁", "峰", "琴", "东", "欣", "波",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];

/// The Zaozhuang program, created from the preset if missing.
fn program(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<i64> {
    let existing: Option<i64> = programs::table
        .filter(programs::region_code.eq("370400"))
        .filter(programs::preset.eq("zaozhuang-2024"))
        .select(programs::id)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let def = crate::program::preset("zaozhuang-2024").map_err(anyhow::Error::msg)?;
    let program = crate::program::insert(conn, &def, &Actor::cli(), now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(program.row.id)
}

/// A synthetic, valid ID number of someone born in this county.
fn synthetic_id(rng: &mut StdRng, county: &str, taken: &mut HashSet<String>) -> String {
    loop {
        let born = NaiveDate::from_ymd_opt(
            rng.random_range(1958..1999),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        )
        .unwrap_or_default();
        let first17 = format!(
            "{county}{}{:03}",
            born.format("%Y%m%d"),
            rng.random_range(0..1000)
        );
        let id = format!("{first17}{}", check_char(first17.as_bytes()));
        if taken.insert(id.clone()) {
            return id;
        }
    }
}

fn pick<'a>(rng: &mut StdRng, weighted: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (value, weight) in weighted {
        if roll < *weight {
            return value;
        }
        roll -= weight;
    }
    weighted[0].0
}

/// One county's doctors as a roster sheet, as a county would upload it.
fn county_sheet(
    rng: &mut StdRng,
    county: &str,
    townships: usize,
    places: &[(i32, i32)],
    serial: &mut usize,
    taken: &mut HashSet<String>,
) -> Sheet {
    let villages: Vec<String> = (0..townships)
        .flat_map(|t| {
            (0..VILLAGES_PER_TOWNSHIP).map(move |v| format!("{county}9{:02}1{:02}", t + 1, v + 1))
        })
        .collect();
    let mut rows = Vec::new();
    let mut n = 0usize;
    for (year, count) in places {
        for _ in 0..*count {
            *serial += 1;
            let village = &villages[n % villages.len()];
            n += 1;
            let status = pick(rng, &[("在岗", 96), ("离岗", 3), ("死亡", 1)]);
            let cells = [
                format!(
                    "{}某{}",
                    SURNAMES[*serial % SURNAMES.len()],
                    GIVEN[(*serial / SURNAMES.len()) % GIVEN.len()]
                ),
                synthetic_id(rng, county, taken),
                format!("1380013{:04}", *serial % 10_000),
                String::new(),
                String::new(),
                pick(
                    rng,
                    &[
                        ("中专（高中）", 58),
                        ("大专", 30),
                        ("初中及以下", 6),
                        ("本科", 6),
                    ],
                )
                .to_owned(),
                pick(
                    rng,
                    &[
                        ("乡村医生执业证书", 60),
                        ("执业助理医师", 30),
                        ("执业医师", 5),
                        ("无", 5),
                    ],
                )
                .to_owned(),
                String::new(),
                village.clone(),
                format!("演示{}村卫生室", &village[6..]),
                year.to_string(),
                status.to_owned(),
            ];
            let row_number = rows.len() + 2;
            rows.push((
                row_number,
                cells
                    .into_iter()
                    .map(|c| {
                        if c.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(c)
                        }
                    })
                    .collect(),
            ));
        }
    }
    Sheet {
        headers: TEMPLATE_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// Load the demo roster (idempotent).
pub fn load(conn: &mut AnyConnection, pii: &Pii, now: NaiveDateTime) -> anyhow::Result<()> {
    let program_id = program(conn, now)?;
    let quotas = crate::program::get(conn, program_id)?
        .context("demo program vanished")?
        .quotas;
    let mut rng = StdRng::seed_from_u64(2024);
    let mut serial = 0usize;
    let mut taken = HashSet::new();
    let today = crate::time::today_cst();
    for (county, _, townships) in DISTRICTS {
        let places: Vec<(i32, i32)> = quotas
            .iter()
            .filter(|q| q.region_code == *county)
            .map(|q| (q.year, q.places))
            .collect();
        let sheet = county_sheet(
            &mut rng,
            county,
            *townships,
            &places,
            &mut serial,
            &mut taken,
        );
        let region = crate::regions::find(conn, county)?.context("demo county missing")?;
        let target = crate::roster::import::Target {
            county: region,
            program_id: Some(program_id),
            dry_run: false,
        };
        let report = crate::roster::import::run(
            conn,
            pii,
            &sheet,
            &target,
            &Actor::cli(),
            today,
            now,
            &|_| {},
        )
        .map_err(|e| anyhow::anyhow!("demo roster for {county}: {e}"))?;
        if let Some(e) = report.errors.first() {
            anyhow::bail!(
                "demo roster for {county}: row {} {}: {}",
                e.row,
                e.column,
                e.message
            );
        }
    }
    // The demo clinics were created by the import; mark them as demo data.
    diesel::update(organizations::table.filter(organizations::name.like("演示%")))
        .set(organizations::is_demo.eq(true))
        .execute(conn)?;
    link_demo_doctor(conn)?;
    instructors(conn, now)?;
    super::study::load(conn, now)?;
    Ok(())
}

/// The demo doctor's account is one of the doctors of its village.
fn link_demo_doctor(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let account: Option<i64> = users::table
        .filter(users::username.eq("demo-doctor"))
        .select(users::id)
        .first(conn)
        .optional()?;
    let Some(account) = account else {
        return Ok(());
    };
    let linked: i64 = doctors::table
        .filter(doctors::user_id.eq(account))
        .count()
        .get_result(conn)?;
    if linked == 0 {
        let doctor: i64 = doctors::table
            .filter(doctors::region_code.eq(super::DEMO_VILLAGE))
            .filter(doctors::status.eq(crate::roster::DoctorStatus::Active))
            .order(doctors::id)
            .select(doctors::id)
            .first(conn)?;
        diesel::update(doctors::table.find(doctor))
            .set(doctors::user_id.eq(Some(account)))
            .execute(conn)?;
    }
    Ok(())
}

/// Two instructors per district, the demo instructor's record among them.
fn instructors(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let existing: i64 = instructors::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let account: Option<i64> = users::table
        .filter(users::username.eq("demo-instructor"))
        .select(users::id)
        .first(conn)
        .optional()?;
    let specialties = [
        "全科医学",
        "中医适宜技术",
        "急诊急救",
        "公共卫生",
        "内科",
        "妇幼保健",
    ];
    for (i, (county, short, _)) in DISTRICTS.iter().enumerate() {
        for k in 0..2 {
            let user_id = if *county == "370402" && k == 0 {
                account
            } else {
                None
            };
            diesel::insert_into(instructors::table)
                .values((
                    instructors::name.eq(format!(
                        "{}老师{}（演示）",
                        SURNAMES[(i * 2 + k) % SURNAMES.len()],
                        k + 1
                    )),
                    instructors::title.eq(if k == 0 {
                        "副主任医师"
                    } else {
                        "主治医师"
                    }),
                    instructors::specialty.eq(specialties[(i + k) % specialties.len()]),
                    instructors::region_code.eq(*county),
                    instructors::user_id.eq(user_id),
                    instructors::active.eq(true),
                    instructors::created_at.eq(now),
                    instructors::updated_at.eq(now),
                ))
                .execute(conn)
                .with_context(|| format!("demo instructor of {short}"))?;
        }
    }
    Ok(())
}
