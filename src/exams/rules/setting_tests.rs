use chrono::NaiveDate;
use serde_json::json;

use super::*;
use crate::exams::rules::testkit::at;

fn body() -> ExamBody {
    ExamBody {
        title: Some("单元测试".into()),
        kind: Some("unit".into()),
        program_id: Some(1),
        opens_at: Some("2026-11-20T09:00".into()),
        closes_at: Some("2026-11-20T12:00".into()),
        duration_minutes: Some(60),
        pass_score: Some(6.0),
        blueprint: Some(json!({"items": [
            {"area": "public_health", "type": "A1", "count": 10, "points": 1},
        ]})),
        ..ExamBody::default()
    }
}

fn fields(body: &ExamBody) -> Vec<String> {
    check_exam(body)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect()
}

fn terms(status: ExamStatus) -> ExamTerms {
    ExamTerms {
        status,
        kind: ExamKind::Unit,
        program_id: 1,
        region_path: "/37/3704/370402/".into(),
        cohort_year: Some(2024),
        opens_at: at(9, 0),
        closes_at: at(12, 0),
        duration_minutes: 60,
        attempts_allowed: 1,
    }
}

#[test]
fn a_good_exam_is_checked_into_its_terms() {
    let spec = check_exam(&body()).unwrap();
    assert_eq!(spec.pass_score, Points::whole(6));
    assert_eq!(spec.blueprint.max_score(), Points::whole(10));
    assert_eq!((spec.attempts_allowed, spec.year), (1, 2026));
    assert_eq!(spec.opens_at, at(1, 0), "Beijing wall time, stored as UTC");
    assert_eq!(spec.x_scoring, XScoring::AllOrNothing);
}

#[test]
fn scores_take_at_most_one_decimal() {
    let mut b = body();
    b.pass_score = Some(6.5);
    assert_eq!(check_exam(&b).unwrap().pass_score, Points::tenths(65));
    b.pass_score = Some(6.25);
    assert_eq!(fields(&b), ["pass_score"]);
    b.pass_score = Some(10.5);
    assert_eq!(fields(&b), ["pass_score"], "above the paper's maximum");
    let mut b = body();
    b.blueprint = Some(json!({"items": [
        {"area": "public_health", "type": "A1", "count": 10, "points": 0.25},
        {"area": "public_health", "type": "TF", "count": 2, "points": 0},
        {"area": "public_health", "type": "X", "count": 2, "points": 1.5},
    ]}));
    assert_eq!(
        fields(&b),
        ["blueprint.items[0].points", "blueprint.items[1].points"]
    );
}

#[test]
fn every_bad_field_is_named_and_makeups_name_their_original() {
    let mut b = body();
    b.kind = Some("final".into());
    b.closes_at = b.opens_at.clone();
    b.duration_minutes = Some(0);
    b.attempts_allowed = Some(11);
    b.title = Some(" ".into());
    assert_eq!(
        fields(&b),
        [
            "title",
            "kind",
            "closes_at",
            "duration_minutes",
            "attempts_allowed"
        ]
    );
    let mut b = body();
    b.kind = Some("makeup".into());
    assert_eq!(fields(&b), ["makeup_of"]);
    b.makeup_of = Some(3);
    assert!(check_exam(&b).is_ok());
    b.kind = Some("unit".into());
    assert_eq!(fields(&b), ["makeup_of"]);
}

#[test]
fn makeups_close_within_months_of_the_original() {
    assert_eq!(
        makeup_limit(at(9, 0), 3),
        NaiveDate::from_ymd_opt(2027, 2, 20)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    );
}

#[test]
fn doctors_see_active_exams_of_their_program_region_and_cohort() {
    let doctor = |program_id, region_path, cohort_year| Viewer::Doctor {
        program_id,
        region_path,
        cohort_year,
    };
    let exam = terms(ExamStatus::Active);
    assert!(exam_visible(doctor(1, "/37/3704/370402/9/", 2024), &exam));
    assert!(!exam_visible(doctor(2, "/37/3704/370402/9/", 2024), &exam));
    assert!(!exam_visible(doctor(1, "/37/3704/370403/", 2024), &exam));
    assert!(!exam_visible(doctor(1, "/37/3704/370402/9/", 2025), &exam));
    let withdrawn = terms(ExamStatus::Withdrawn);
    assert!(!exam_visible(
        doctor(1, "/37/3704/370402/9/", 2024),
        &withdrawn
    ));
}

#[test]
fn staff_see_their_subtree_and_above_but_manage_only_their_subtree() {
    let county = Scope {
        code: "370402".into(),
        path: "/37/3704/370402/".into(),
    };
    let city = Scope {
        code: "3704".into(),
        path: "/37/3704/".into(),
    };
    let other = Scope {
        code: "370403".into(),
        path: "/37/3704/370403/".into(),
    };
    let staff = |scope| Viewer::Staff {
        scope,
        region_path: &scope.path,
    };
    let exam = terms(ExamStatus::Withdrawn);
    assert!(exam_visible(staff(&county), &exam), "withdrawn too");
    assert!(exam_visible(staff(&city), &exam));
    assert!(!exam_visible(staff(&other), &exam));
    let city_exam = ExamTerms {
        region_path: "/37/3704/".into(),
        ..exam.clone()
    };
    assert!(exam_visible(staff(&county), &city_exam), "a city's exam");
    assert!(!may_manage(&county, &city_exam));
    assert!(may_manage(&city, &exam) && may_manage(&county, &exam));
}

#[test]
fn only_unstarted_exams_are_withdrawn_and_only_open_ones_closed() {
    let active = terms(ExamStatus::Active);
    assert_eq!(check_withdraw(&active, 0), Ok(()));
    assert_eq!(
        check_withdraw(&active, 2),
        Err(ManageRefusal::HasAttempts { count: 2 })
    );
    let withdrawn = terms(ExamStatus::Withdrawn);
    assert_eq!(
        check_withdraw(&withdrawn, 0),
        Err(ManageRefusal::AlreadyWithdrawn)
    );
    assert_eq!(close_now(&active, at(10, 0)), Ok(at(10, 0)));
    assert_eq!(close_now(&active, at(9, 0)), Err(ManageRefusal::NotYetOpen));
    assert_eq!(
        close_now(&active, at(12, 0)),
        Err(ManageRefusal::AlreadyClosed)
    );
    assert_eq!(
        close_now(&withdrawn, at(10, 0)),
        Err(ManageRefusal::AlreadyWithdrawn)
    );
}
