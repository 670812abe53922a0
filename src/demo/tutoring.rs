//! Demo tutoring and 3331 data for 市中区: a tutoring team the demo instructor is on,
//! two dispatched three-person teams, learning groups formed by the proposal rules, a
//! year of activities (credited through `crate::study::credit`) and monthly evaluations
//! with some months missing, two central village clinics, and visits — one team keeping
//! three a month, the other falling short — with a few absences.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::AnyConnection;
use crate::db::schema::{
    doctors, instructors, organizations, programs, regions, tutoring_teams, users,
};
use crate::points::Points;
use crate::roster::DoctorStatus;
use crate::study::{Activity, Credit, Source, StudyKind};
use crate::support::VisitMode;
use crate::support::rules::{NewAbsence, NewVisit};
use crate::tutoring::rules::{
    Candidate, Criterion, Month, NewActivity, NewEvaluation, NewGroup, NewMember, NewTeam,
};
use crate::tutoring::{ActivityKind, HomeLevel, MemberRole};

const COUNTY: &str = "370402";

fn beijing(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, 0, 0).unwrap_or_default() - Duration::hours(8)
}

fn instructor(
    conn: &mut AnyConnection,
    name: &str,
    phone: &str,
    now: NaiveDateTime,
) -> anyhow::Result<i64> {
    Ok(diesel::insert_into(instructors::table)
        .values((
            instructors::name.eq(name),
            instructors::phone.eq(Some(phone)),
            instructors::title.eq("主治医师"),
            instructors::region_code.eq(COUNTY),
            instructors::active.eq(true),
            instructors::created_at.eq(now),
            instructors::updated_at.eq(now),
        ))
        .returning(instructors::id)
        .get_result(conn)?)
}

fn member(id: i64, role: MemberRole, level: Option<HomeLevel>) -> NewMember {
    NewMember {
        instructor_id: id,
        role,
        dispatched: level.is_some(),
        home_org_id: None,
        level,
    }
}

/// Load the demo tutoring data unless the demo county already has a team.
pub fn load(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let existing: i64 = tutoring_teams::table
        .filter(tutoring_teams::region_code.eq(COUNTY))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let clerk: i64 = users::table
        .filter(users::username.eq("demo-county"))
        .select(users::id)
        .first(conn)
        .context("demo county account")?;
    let mut local: Vec<i64> = instructors::table
        .filter(instructors::region_code.eq(COUNTY))
        .order(instructors::id)
        .select(instructors::id)
        .load(conn)?;
    local.truncate(2);
    let today = crate::time::today_cst();
    let year_ago = now - Duration::days(370);
    let mut rng = StdRng::seed_from_u64(3331);

    // Teams: the local tutoring team (the demo instructor first), two 3331 teams.
    let mut local_members: Vec<NewMember> = Vec::new();
    for (i, id) in local.iter().enumerate() {
        let role = if i == 0 {
            MemberRole::Doctor
        } else {
            MemberRole::Other
        };
        local_members.push(member(*id, role, None));
    }
    let mut dispatched = Vec::new();
    for (k, (surname, phone)) in [
        ("刘", "13905320101"),
        ("陈", "13905320102"),
        ("孙", "13905320103"),
        ("吴", "13905320104"),
        ("郑", "13905320105"),
        ("冯", "13905320106"),
    ]
    .iter()
    .enumerate()
    {
        let (title, role, level) = match k % 3 {
            0 => ("医生", MemberRole::Doctor, HomeLevel::CountyHospital),
            1 => ("护士", MemberRole::Nurse, HomeLevel::TownshipCentre),
            _ => ("药师", MemberRole::Pharmacist, HomeLevel::CountyHospital),
        };
        let id = instructor(conn, &format!("{surname}{title}（演示）"), phone, now)?;
        dispatched.push(member(id, role, Some(level)));
    }
    let team = |name: &str, members: Vec<NewMember>| NewTeam {
        name: name.to_owned(),
        region_code: COUNTY.to_owned(),
        program_id: Some(program),
        members,
    };
    let local_team = crate::tutoring::store::insert_team(
        conn,
        &team("市中区辅导带教一队（演示）", local_members),
        clerk,
        year_ago,
    )?;
    let help_a = crate::tutoring::store::insert_team(
        conn,
        &team("3331帮扶一队（演示）", dispatched[..3].to_vec()),
        clerk,
        year_ago,
    )?;
    let help_b = crate::tutoring::store::insert_team(
        conn,
        &team("3331帮扶二队（演示）", dispatched[3..].to_vec()),
        clerk,
        year_ago,
    )?;

    // Groups: the proposal over the county's doctors, by education, 15 at most.
    let rows: Vec<(
        i64,
        String,
        crate::roster::Education,
        NaiveDate,
        crate::roster::Qualification,
    )> = doctors::table
        .inner_join(regions::table)
        .filter(doctors::county_code.eq(COUNTY))
        .filter(doctors::program_id.eq(program))
        .filter(doctors::status.eq(DoctorStatus::Active))
        .order(doctors::id)
        .select((
            doctors::id,
            regions::path,
            doctors::education,
            doctors::birth_date,
            doctors::qualification,
        ))
        .load(conn)?;
    let candidates: Vec<Candidate> = rows
        .into_iter()
        .map(
            |(id, path, education, birth_date, qualification)| Candidate {
                doctor_id: id,
                township: path.split('/').nth(4).unwrap_or_default().to_owned(),
                education,
                birth_date,
                qualification,
            },
        )
        .collect();
    let proposed = crate::tutoring::rules::propose(&candidates, &[Criterion::Education], 15, today);
    let this_month = Month::of(today);
    for (g, p) in proposed.iter().enumerate() {
        let new = NewGroup {
            name: format!("{}（演示）", p.name),
            program_id: program,
            region_code: COUNTY.to_owned(),
            team_id: if g % 3 == 2 { help_a } else { local_team },
            criteria: p.criteria.clone(),
            doctor_ids: p.doctor_ids.clone(),
        };
        let group = crate::tutoring::store::insert_group(conn, &new, clerk, year_ago)?;
        for d in &p.doctor_ids {
            crate::tutoring::store::join(conn, &group, *d, year_ago, clerk)?;
        }
        let mut month = this_month;
        for back in 0..12 {
            month = month.previous();
            // Two activities a month, Thursday-ish afternoons; most members attend.
            for (day, kind) in [(9u32, ActivityKind::Qa), (23, ActivityKind::Guidance)] {
                let Some(on) = NaiveDate::from_ymd_opt(month.year, month.month, day) else {
                    continue;
                };
                let attendees: Vec<i64> = p
                    .doctor_ids
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(0.85))
                    .collect();
                if attendees.is_empty() || on >= today {
                    continue;
                }
                let activity = NewActivity {
                    kind,
                    starts_at: beijing(on, 19),
                    ends_at: beijing(on, 19) + Duration::minutes(90),
                    minutes: 90,
                    topic: [
                        "高血压随访答疑",
                        "糖尿病用药指导",
                        "慢阻肺康复指导",
                        "儿童预防接种答疑",
                    ][(g + back) % 4]
                        .to_owned(),
                    note: None,
                    doctor_ids: attendees,
                };
                // An activity whose time clashes with a doctor's other study is skipped.
                let _ = crate::db::write(conn, |conn| -> anyhow::Result<()> {
                    let id = crate::tutoring::store::insert_activity(
                        conn, group.id, &activity, clerk, now,
                    )?;
                    let credit = Activity {
                        kind: StudyKind::Tutoring,
                        minutes: activity.minutes,
                        occurred_on: on,
                        interval: Some((activity.starts_at, activity.ends_at)),
                        session_id: None,
                        source: Source::Tutoring,
                        source_ref: format!("tutoring_activity:{id}"),
                        evidence: Some(format!("{}：{}", kind.label(), activity.topic)),
                        created_by: Some(clerk),
                    };
                    crate::study::credit(
                        conn,
                        &Credit::lines(credit.for_doctors(&activity.doctor_ids)),
                        today,
                        now,
                    )
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                    Ok(())
                });
            }
            // Evaluations: some months missing, last month missing for every third group.
            if (back == 0 && g % 3 == 0) || (g + back) % 7 == 3 {
                continue;
            }
            let evaluation = NewEvaluation {
                month,
                score: Points::tenths(rng.random_range(700..960)),
                progress: "按计划完成本月学习内容".to_owned(),
                remarks: "继续加强慢病规范管理".to_owned(),
            };
            crate::tutoring::store::insert_evaluation(
                conn,
                group.id,
                &evaluation,
                local.first().copied(),
                clerk,
                now,
            )?;
        }
    }

    // Central village clinics: the first two demo clinics of the county.
    let clinics: Vec<i64> = organizations::table
        .filter(organizations::kind.eq("village_clinic"))
        .filter(organizations::region_code.like(format!("{COUNTY}9%")))
        .order(organizations::id)
        .limit(2)
        .select(organizations::id)
        .load(conn)?;
    diesel::update(organizations::table.filter(organizations::id.eq_any(&clinics)))
        .set(organizations::central_village_clinic.eq(true))
        .execute(conn)?;
    if clinics.len() == 2 {
        let mut month = this_month;
        for _ in 0..12 {
            month = month.previous();
            // Team one keeps three full days a month; team two manages two, one of them short.
            for (team, clinic, days, short) in [
                (help_a, clinics[0], &[3u32, 12, 21][..], None),
                (help_b, clinics[1], &[6u32, 18][..], Some(18u32)),
            ] {
                for day in days {
                    let Some(on) = NaiveDate::from_ymd_opt(month.year, month.month, *day) else {
                        continue;
                    };
                    let visit = NewVisit {
                        team_id: team,
                        clinic_id: clinic,
                        starts_on: on,
                        ends_on: on,
                        hours: (short == Some(*day)).then_some(4),
                        modes: vec![VisitMode::Tour, VisitMode::Teach],
                        doctor_ids: Vec::new(),
                    };
                    crate::support::store::insert_visit(conn, &visit, clerk, now)?;
                }
            }
        }
        // Absences: one expert of team two twice without reason (fails), one excused.
        let year = today.year();
        for (who, day, justified) in [
            (3usize, (1, 15), false),
            (3, (3, 10), false),
            (4, (2, 20), true),
        ] {
            let Some(on) = NaiveDate::from_ymd_opt(year, day.0, day.1).filter(|d| *d <= today)
            else {
                continue;
            };
            let absence = NewAbsence {
                instructor_id: dispatched[who].instructor_id,
                occurred_on: on,
                justified,
                reason: if justified { "病假" } else { "未到岗" }.to_owned(),
            };
            crate::support::store::insert_absence(conn, &absence, clerk, now)?;
        }
    }
    Ok(())
}
