//! Demo filings: the 2025 quarterly summaries of 市中区 (the demo accounts' county) and
//! 薛城区 through their whole life — one submitted on time and accepted, one late and
//! waiting for review, one returned by the city with a comment, one on time and waiting
//! — with statistics computed from the demo's own data and frozen at submission, as the
//! county's own filing would be. 2026 is left for the demo county to file. Running the
//! demo twice changes nothing.

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::AnyConnection;
use crate::db::schema::{programs, reports, users};
use crate::reports::ReportKind;
use crate::reports::ReportStatus;
use crate::reports::ops as report_ops;
use crate::reports::rules::{self, stats};
use crate::reports::store::{self as report_store, NewReport};

const YEAR: i32 = 2025;

/// What happens to one demo filing.
enum Fate {
    Accepted,
    Waiting,
    Returned(&'static str),
}

/// (county, quarter, submitted at — Beijing wall time, narrative, fate).
const FILINGS: &[(&str, i32, &str, &str, Fate)] = &[
    (
        "370402",
        1,
        "2025-03-27 16:30",
        "一季度完成线上学习动员和首期集中培训，辅导小组按月评估。",
        Fate::Accepted,
    ),
    (
        "370402",
        2,
        "2025-07-03 10:00",
        "二季度集中培训两期，脱产跟班学习按计划轮转。",
        Fate::Waiting,
    ),
    (
        "370402",
        3,
        "2025-09-28 09:15",
        "三季度开展技能考核，3331 巡诊带教正常开展。",
        Fate::Returned("请补充 3331 巡诊未达标团队的整改说明，并上传集中培训签到表扫描件。"),
    ),
    (
        "370403",
        1,
        "2025-03-30 23:40",
        "一季度学员报名和线上学习开通完成。",
        Fate::Waiting,
    ),
];

fn account(conn: &mut AnyConnection, username: &str) -> anyhow::Result<Actor> {
    let id: i64 = users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .with_context(|| format!("demo account {username}"))?;
    Ok(Actor {
        id: Some(id),
        username: Some(username.to_owned()),
        client: None,
    })
}

fn cst(raw: &str) -> anyhow::Result<NaiveDateTime> {
    crate::time::parse_instant(raw).map_err(anyhow::Error::msg)
}

pub fn load(conn: &mut AnyConnection, _now: NaiveDateTime) -> anyhow::Result<()> {
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let filed: i64 = reports::table
        .filter(reports::program_id.eq(program))
        .filter(reports::year.eq(YEAR))
        .count()
        .get_result(conn)?;
    if filed > 0 {
        return Ok(());
    }
    let county_admin = account(conn, "demo-county")?;
    let city = account(conn, "demo-city")?;
    for (code, quarter, at, narrative, fate) in FILINGS {
        let county =
            crate::regions::find(conn, code)?.with_context(|| format!("demo county {code}"))?;
        let program = crate::program::covering(conn, &county, YEAR)?
            .with_context(|| format!("a program over {code} in {YEAR}"))?;
        let kind = ReportKind::QuarterlySummary;
        let due: NaiveDate = rules::due_on(&program.policy.deadlines, kind, YEAR, Some(*quarter))
            .map_err(|(_, m)| anyhow::anyhow!(m))?;
        let submitted = cst(at)?;
        let opened = submitted - chrono::Duration::days(3);
        let input =
            report_ops::compute(conn, &county, &program, kind, YEAR, Some(*quarter), opened)?;
        let statistics = serde_json::to_string(&stats::compute(&input))?;
        // The filer: the demo county's own account in 市中区, the CLI elsewhere.
        let filer = if *code == "370402" {
            county_admin.clone()
        } else {
            Actor::cli()
        };
        let id = report_store::insert(
            conn,
            &NewReport {
                kind,
                county_code: county.code.clone(),
                program_id: program.row.id,
                year: YEAR,
                quarter: Some(*quarter),
                due_on: due,
                statistics: statistics.clone(),
            },
            &filer,
            opened,
        )?;
        report_store::edit(
            conn,
            id,
            ReportStatus::Draft,
            Some(*narrative),
            None,
            &statistics,
            &filer,
            opened,
        )?;
        let late = rules::is_late(due, submitted);
        report_store::submit(
            conn,
            id,
            ReportStatus::Draft,
            &statistics,
            late,
            &filer,
            submitted,
        )?;
        let reviewed = submitted + chrono::Duration::days(2);
        match fate {
            Fate::Accepted => {
                report_store::review(conn, id, ReportStatus::Accepted, None, &city, reviewed)?;
            }
            Fate::Returned(comment) => {
                report_store::review(
                    conn,
                    id,
                    ReportStatus::Returned,
                    Some(comment),
                    &city,
                    reviewed,
                )?;
            }
            Fate::Waiting => {}
        }
    }
    Ok(())
}
