//! Demo study data: varied, realistic progress for the demo doctors — some done, most
//! on their way, some behind, some with reports awaiting review — with sessions past and
//! upcoming, and shadowing placements signed off or still running. Generated once, from
//! a fixed seed, straight into the ledger with its invariants kept (no day over 24 h, no
//! overlaps, no course credited beyond its length).

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::DISTRICTS;
use crate::db::AnyConnection;
use crate::db::schema::{
    doctors, instructors, organizations, programs, session_instructors, sessions, study_records,
};
use crate::points::Points;
use crate::study::{Credit, NewRecord, RecordStatus, Source, StudyKind};

/// 09:00 Beijing on `day`, in UTC.
fn beijing(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, minute, 0).unwrap_or_default() - Duration::hours(8)
}

/// Tuesdays from `from`, `n` of them, a fortnight apart.
fn tuesdays(from: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut d = from;
    while d.weekday() != Weekday::Tue {
        d += Duration::days(1);
    }
    (0..n).map(|i| d + Duration::weeks(2 * i as i64)).collect()
}

struct Demo<'a> {
    conn: &'a mut AnyConnection,
    rng: StdRng,
    now: NaiveDateTime,
    today: NaiveDate,
    records: Vec<NewRecord>,
}

impl Demo<'_> {
    fn record(&mut self, r: NewRecord) {
        self.records.push(r);
        if self.records.len() >= 5_000 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.records.is_empty() {
            let batch = std::mem::take(&mut self.records);
            // Through the one ledger write path, like every other credit.
            let credit = Credit::lines(batch);
            match crate::study::credit(self.conn, &credit, self.today, self.now) {
                Ok(_) => {}
                Err(crate::study::CreditError::Refused { refusals, .. }) => {
                    tracing::error!(refused = refusals.len(), first = ?refusals.first(), "demo study records");
                }
                Err(crate::study::CreditError::Db(e)) => {
                    tracing::error!(error = %e, "demo study records");
                }
            }
        }
    }
}

/// Load the demo study data unless the demo program already has some.
pub fn load(conn: &mut AnyConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    let program: i64 = programs::table
        .filter(programs::preset.eq("zaozhuang-2024"))
        .filter(programs::region_code.eq("370400"))
        .select(programs::id)
        .first(conn)
        .context("demo program")?;
    let existing: i64 = study_records::table
        .filter(study_records::program_id.eq(program))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let courses: Vec<(i64, String, i32)> = crate::db::schema::courses::table
        .filter(crate::db::schema::courses::program_id.eq(program))
        .order(crate::db::schema::courses::sort)
        .select((
            crate::db::schema::courses::id,
            crate::db::schema::courses::code,
            crate::db::schema::courses::minutes,
        ))
        .load(conn)?;
    let doctors: Vec<(i64, String, Option<i64>)> = doctors::table
        .filter(doctors::program_id.eq(program))
        .filter(doctors::status.eq(crate::roster::DoctorStatus::Active.as_str()))
        .order(doctors::id)
        .select((doctors::id, doctors::county_code, doctors::user_id))
        .load(conn)?;
    let teachers: Vec<(i64, String)> = instructors::table
        .order(instructors::id)
        .select((instructors::id, instructors::region_code))
        .load(conn)?;
    let today = crate::time::today_cst();
    let mut demo = Demo {
        conn,
        rng: StdRng::seed_from_u64(2026),
        now,
        today,
        records: Vec::new(),
    };

    // Diligence per doctor: how far along it is (1.0 = every requirement met).
    let diligence: HashMap<i64, f64> = doctors
        .iter()
        .map(|(id, _, user)| {
            let roll: f64 = demo.rng.random();
            let d = if user.is_some() {
                0.55
            } else if roll < 0.15 {
                demo.rng.random_range(1.0..1.1)
            } else if roll < 0.60 {
                demo.rng.random_range(0.4..0.9)
            } else if roll < 0.90 {
                demo.rng.random_range(0.1..0.4)
            } else {
                demo.rng.random_range(0.0..0.1)
            };
            (*id, d)
        })
        .collect();

    online(&mut demo, &courses, &doctors, &diligence);
    centralized(&mut demo, program, &doctors, &teachers, &diligence)?;
    shadowing(&mut demo, program, &doctors, &teachers, &diligence)?;
    pending_reports(&mut demo, &doctors, &courses);
    demo.flush();
    Ok(())
}

/// Platform records: the doctor's share of the 158 hours, course by course, one
/// record a day of 1–4 hours, from March 2024 until a few days ago.
fn online(
    demo: &mut Demo<'_>,
    courses: &[(i64, String, i32)],
    doctors: &[(i64, String, Option<i64>)],
    diligence: &HashMap<i64, f64>,
) {
    let start = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default();
    let span = (demo.today - Duration::days(3) - start).num_days().max(1);
    for (doctor, _, _) in doctors {
        let d = diligence.get(doctor).copied().unwrap_or(0.0).min(1.0);
        let mut day_offsets: Vec<i64> = Vec::new();
        for (course, code, minutes) in courses {
            let mut left = (f64::from(*minutes) * d).round() as i32;
            while left > 0 {
                let chunk = left.min(demo.rng.random_range(60..=240));
                let mut offset = demo.rng.random_range(0..span);
                while day_offsets.contains(&offset) {
                    offset = (offset + 1) % span;
                }
                day_offsets.push(offset);
                let on = start + Duration::days(offset);
                let score = demo.rng.random_range(600..=980);
                demo.record(NewRecord {
                    doctor_id: *doctor,
                    kind: StudyKind::Online,
                    minutes: chunk,
                    occurred_on: on,
                    interval: None,
                    course_id: Some(*course),
                    session_id: None,
                    rotation_id: None,
                    source: Source::Platform,
                    source_ref: format!("platform:ncme:{code}:{on}"),
                    status: RecordStatus::Approved,
                    evidence: Some("ncme 导出（演示）".into()),
                    unit_score: Some(Points::tenths(score)),
                    created_by: None,
                });
                left -= chunk;
            }
        }
    }
}

/// Twenty past sessions and two upcoming per district, 09:00–12:00 on Tuesdays;
/// each doctor attended as many as its diligence says.
fn centralized(
    demo: &mut Demo<'_>,
    program: i64,
    doctors: &[(i64, String, Option<i64>)],
    teachers: &[(i64, String)],
    diligence: &HashMap<i64, f64>,
) -> anyhow::Result<()> {
    let topics = [
        "public_health",
        "general_practice",
        "emergency",
        "appropriate_techniques",
        "pharmacy",
        "clinical_skills",
    ];
    let titles = [
        "高血压与糖尿病规范管理",
        "常见病诊疗思路",
        "心肺复苏与 AED",
        "中医适宜技术实操",
        "合理用药",
        "基本操作技能",
    ];
    let past_days = tuesdays(NaiveDate::from_ymd_opt(2025, 3, 4).unwrap_or_default(), 40);
    for (county, short, _) in DISTRICTS {
        let county_teachers: Vec<i64> = teachers
            .iter()
            .filter(|(_, r)| r == county)
            .map(|(id, _)| *id)
            .collect();
        let mut past = Vec::new();
        let upcoming = tuesdays(demo.today + Duration::days(1), 2);
        let days: Vec<NaiveDate> = past_days
            .iter()
            .copied()
            .filter(|d| *d < demo.today)
            .take(20)
            .chain(upcoming)
            .collect();
        for (i, day) in days.iter().enumerate() {
            let (starts, ends) = (beijing(*day, 9, 0), beijing(*day, 12, 0));
            let id: i64 = diesel::insert_into(sessions::table)
                .values((
                    sessions::program_id.eq(program),
                    sessions::title.eq(format!(
                        "{}（{}第 {} 期）",
                        titles[i % titles.len()],
                        short,
                        i + 1
                    )),
                    sessions::topic.eq(topics[i % topics.len()]),
                    sessions::location.eq(format!("演示{short}卫生健康局培训中心")),
                    sessions::region_code.eq(*county),
                    sessions::starts_at.eq(starts),
                    sessions::ends_at.eq(ends),
                    sessions::minutes.eq(180),
                    sessions::checkin_secret.eq(crate::auth::token::generate_secret()),
                    sessions::created_at.eq(demo.now),
                    sessions::updated_at.eq(demo.now),
                ))
                .returning(sessions::id)
                .get_result(demo.conn)?;
            for t in &county_teachers {
                diesel::insert_into(session_instructors::table)
                    .values((
                        session_instructors::session_id.eq(id),
                        session_instructors::instructor_id.eq(t),
                    ))
                    .execute(demo.conn)?;
            }
            if *day < demo.today {
                past.push((id, *day, starts, ends));
            }
        }
        for (doctor, _, _) in doctors.iter().filter(|(_, c, _)| c == county) {
            let d = diligence.get(doctor).copied().unwrap_or(0.0);
            let n = ((d * 20.0).round() as usize).min(past.len());
            for (id, day, starts, ends) in past.iter().take(n) {
                demo.record(NewRecord {
                    doctor_id: *doctor,
                    kind: StudyKind::Centralized,
                    minutes: 180,
                    occurred_on: *day,
                    interval: Some((*starts, *ends)),
                    course_id: None,
                    session_id: Some(*id),
                    rotation_id: None,
                    source: Source::Attendance,
                    source_ref: format!("session:{id}"),
                    status: RecordStatus::Approved,
                    evidence: Some("集中培训签到（演示）".into()),
                    unit_score: None,
                    created_by: None,
                });
            }
        }
    }
    Ok(())
}

/// A third of the doctors, and all the diligent ones, shadow at their county hospital:
/// internal medicine (signed off) then TCM (still running, days pending), 14:00–17:30
/// on weekdays.
fn shadowing(
    demo: &mut Demo<'_>,
    program: i64,
    doctors: &[(i64, String, Option<i64>)],
    teachers: &[(i64, String)],
    diligence: &HashMap<i64, f64>,
) -> anyhow::Result<()> {
    use crate::db::schema::{placements, rotations};
    for (county, short, _) in DISTRICTS {
        let name = format!("演示{short}人民医院");
        let existing: Option<i64> = organizations::table
            .filter(organizations::region_code.eq(*county))
            .filter(organizations::name.eq(&name))
            .select(organizations::id)
            .first(demo.conn)
            .optional()?;
        let hospital = match existing {
            Some(id) => id,
            None => diesel::insert_into(organizations::table)
                .values((
                    organizations::name.eq(&name),
                    organizations::kind.eq("county_hospital"),
                    organizations::region_code.eq(*county),
                    organizations::is_demo.eq(true),
                    organizations::created_at.eq(demo.now),
                    organizations::updated_at.eq(demo.now),
                ))
                .returning(organizations::id)
                .get_result(demo.conn)?,
        };
        let county_teachers: Vec<i64> = teachers
            .iter()
            .filter(|(_, r)| r == county)
            .map(|(id, _)| *id)
            .collect();
        for (i, (doctor, _, user)) in doctors.iter().filter(|(_, c, _)| c == county).enumerate() {
            let d = diligence.get(doctor).copied().unwrap_or(0.0);
            if i % 3 != 0 && user.is_none() && d < 1.0 {
                continue;
            }
            // Placements start on staggered Mondays so the bases are not all full at once:
            // four weeks of internal medicine, then two of TCM.
            let start = demo.today - Duration::days(42 + (i as i64 % 20) * 14);
            let start = start - Duration::days(start.weekday().num_days_from_monday() as i64);
            let mid = start + Duration::days(27);
            let end = start + Duration::days(41);
            let placement: i64 = diesel::insert_into(placements::table)
                .values((
                    placements::doctor_id.eq(doctor),
                    placements::program_id.eq(program),
                    placements::base_org_id.eq(hospital),
                    placements::starts_on.eq(start),
                    placements::ends_on.eq(end.max(demo.today)),
                    placements::created_at.eq(demo.now),
                    placements::updated_at.eq(demo.now),
                ))
                .returning(placements::id)
                .get_result(demo.conn)?;
            for (k, (department, from, to)) in [
                ("内科", start, mid),
                ("中医科", mid + Duration::days(1), end.max(demo.today)),
            ]
            .into_iter()
            .enumerate()
            {
                let signed = k == 0;
                let rotation: i64 = diesel::insert_into(rotations::table)
                    .values((
                        rotations::placement_id.eq(placement),
                        rotations::department.eq(department),
                        rotations::starts_on.eq(from),
                        rotations::ends_on.eq(to),
                        rotations::supervisor_id.eq(county_teachers.get(k).copied()),
                        rotations::signed_off_at.eq(if signed { Some(demo.now) } else { None }),
                        rotations::assessment_score.eq(if signed {
                            Some(demo.rng.random_range(750..=980))
                        } else {
                            None
                        }),
                        rotations::summary.eq(if signed {
                            Some("能完成常见病问诊与病历书写（演示）")
                        } else {
                            None
                        }),
                        rotations::created_at.eq(demo.now),
                    ))
                    .returning(rotations::id)
                    .get_result(demo.conn)?;
                // The diligent finish their 60 hours: 18 signed-off afternoons of 3.5 h.
                let days = match (k, d >= 1.0) {
                    (0, true) => 18,
                    (0, false) => ((d * 14.0).round() as i64).clamp(1, 14),
                    _ => ((d * 5.0).round() as i64).clamp(1, 5),
                };
                let mut day = from;
                let mut logged = 0;
                while logged < days && day <= to && day < demo.today {
                    if day.weekday().num_days_from_monday() < 5 {
                        demo.record(NewRecord {
                            doctor_id: *doctor,
                            kind: StudyKind::Shadowing,
                            minutes: 210,
                            occurred_on: day,
                            interval: Some((beijing(day, 14, 0), beijing(day, 17, 30))),
                            course_id: None,
                            session_id: None,
                            rotation_id: Some(rotation),
                            source: Source::ShadowingLog,
                            source_ref: format!("rotation:{rotation}:{day}:14:00"),
                            status: if signed {
                                RecordStatus::Approved
                            } else {
                                RecordStatus::Pending
                            },
                            evidence: Some(format!("{department}：跟随查房、门诊（演示）")),
                            unit_score: None,
                            created_by: None,
                        });
                        logged += 1;
                    }
                    day += Duration::days(1);
                }
            }
        }
    }
    Ok(())
}

/// One doctor in ten (and the demo doctor) has a self-report awaiting review.
fn pending_reports(
    demo: &mut Demo<'_>,
    doctors: &[(i64, String, Option<i64>)],
    courses: &[(i64, String, i32)],
) {
    for (i, (doctor, _, user)) in doctors.iter().enumerate() {
        if i % 10 != 3 && user.is_none() {
            continue;
        }
        let on = demo.today - Duration::days(1 + (i as i64 % 5));
        demo.record(NewRecord {
            doctor_id: *doctor,
            kind: StudyKind::Online,
            minutes: 45 + 15 * (i as i32 % 4),
            occurred_on: on,
            interval: None,
            course_id: courses.get(i % courses.len().max(1)).map(|c| c.0),
            session_id: None,
            rotation_id: None,
            source: Source::SelfReport,
            source_ref: format!("self_report:demo{i}"),
            status: RecordStatus::Pending,
            evidence: Some("在手机上学习了“慢性病管理”课程，附截图（演示）".into()),
            unit_score: None,
            created_by: None,
        });
    }
}
