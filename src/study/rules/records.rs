//! Who records and reviews study, and what a report must say. Pure: the role and the
//! form come in, a decision goes out.

use chrono::NaiveDate;

use crate::auth::Role;
use crate::error::Problems;
use crate::study::{RecordBody, RecordStatus, Source, StudyKind};

use super::ledger::DAY_MINUTES;

/// Largest evidence image.
pub const MAX_EVIDENCE: usize = 5 * 1024 * 1024;

/// A report as checked: every field present and well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub doctor_id: i64,
    pub kind: StudyKind,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub course_code: Option<String>,
    pub note: Option<String>,
}

/// Check a report's fields (Zaozhuang annex 2 §四: a self-report names what, when and
/// how long); every problem is reported at once.
pub fn check_report(body: &RecordBody, p: &mut Problems) -> Option<Report> {
    let kind = p.take(
        "kind",
        StudyKind::parse(body.kind.as_deref().unwrap_or(""))
            .ok_or_else(|| format!("学习形式应为 {} 之一", StudyKind::codes())),
    );
    let minutes = match body.minutes {
        Some(m) if (1..=DAY_MINUTES).contains(&m) => Some(m),
        _ => {
            p.add("minutes", "学习时长应为 1 到 1440 之间的分钟数");
            None
        }
    };
    let occurred_on = p.take(
        "occurred_on",
        crate::roster::rules::loose_date(body.occurred_on.as_deref().unwrap_or("")),
    );
    let note = trimmed(body.note.as_deref());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        p.add("note", "说明不能超过 500 个字符");
    }
    if body.doctor_id.is_none() {
        p.add("doctor_id", "必填");
    }
    Some(Report {
        doctor_id: body.doctor_id?,
        kind: kind?,
        minutes: minutes?,
        occurred_on: occurred_on?,
        course_code: trimmed(body.course_code.as_deref()),
        note,
    })
}

fn trimmed(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

/// Why a role may not record a kind of study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAllowed(pub &'static str);

/// Who records what: a doctor's own report waits for review; an instructor records
/// tutoring or skills practice, an administrator anything, approved at once (the author
/// is the evidence — Zaozhuang annex 2 §四 学时认定).
pub fn recorded_as(role: Role, kind: StudyKind) -> Result<(Source, RecordStatus), NotAllowed> {
    match role {
        Role::Doctor => Ok((Source::SelfReport, RecordStatus::Pending)),
        Role::Instructor => match kind {
            StudyKind::Tutoring | StudyKind::SkillsPractice => {
                Ok((Source::Tutoring, RecordStatus::Approved))
            }
            _ => Err(NotAllowed("带教老师只能登记辅导带教或技能操作学时")),
        },
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            Ok((Source::Manual, RecordStatus::Approved))
        }
    }
}

/// Reviewers of self-reports: county and city administrators in their region, an
/// instructor for the doctors it teaches; never a doctor (not even its own), and not
/// the province's system administrator.
pub fn reviews(role: Role) -> bool {
    matches!(role, Role::CountyAdmin | Role::CityAdmin | Role::Instructor)
}

/// A review note: trimmed, at most 200 characters, empty as none.
pub fn review_note(raw: Option<&str>) -> Result<Option<String>, String> {
    let note = trimmed(raw);
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err("审核意见不能超过 200 个字符".into());
    }
    Ok(note)
}

/// Evidence is attached by the doctor itself, to a record still pending.
pub fn may_attach(own: bool, status: RecordStatus) -> Result<(), (bool, &'static str)> {
    if !own {
        return Err((false, "只能为本人的学习记录上传证明"));
    }
    if status != RecordStatus::Pending {
        return Err((true, "已审核的记录不能再上传证明"));
    }
    Ok(())
}

/// The type of an image by its first bytes (PNG, JPEG, WebP); anything else is refused.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A yes/no query flag: absent, empty, `false` or `0` is no; `true` or `1` is yes.
pub fn flag(raw: Option<&str>) -> Result<bool, String> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err("应为 true 或 false".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_records_its_own_way() {
        assert_eq!(
            recorded_as(Role::Doctor, StudyKind::Online),
            Ok((Source::SelfReport, RecordStatus::Pending))
        );
        assert_eq!(
            recorded_as(Role::Instructor, StudyKind::Tutoring),
            Ok((Source::Tutoring, RecordStatus::Approved))
        );
        assert!(recorded_as(Role::Instructor, StudyKind::Online).is_err());
        assert_eq!(
            recorded_as(Role::CountyAdmin, StudyKind::Centralized),
            Ok((Source::Manual, RecordStatus::Approved))
        );
    }

    #[test]
    fn doctors_and_sysadmins_never_review() {
        assert!(reviews(Role::CountyAdmin) && reviews(Role::CityAdmin));
        assert!(reviews(Role::Instructor));
        assert!(!reviews(Role::Doctor) && !reviews(Role::Sysadmin));
    }

    #[test]
    fn a_report_names_every_missing_field_at_once() {
        let mut p = Problems::new();
        assert_eq!(check_report(&RecordBody::default(), &mut p), None);
        let fields: Vec<String> = p
            .finish()
            .unwrap_err()
            .field_errors()
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(fields, ["kind", "minutes", "occurred_on", "doctor_id"]);
        let mut p = Problems::new();
        let body = RecordBody {
            doctor_id: Some(3),
            kind: Some("online".into()),
            minutes: Some(45),
            occurred_on: Some("2026-11-05".into()),
            course_code: Some("  ".into()),
            note: Some(" 截图 ".into()),
        };
        let r = check_report(&body, &mut p).unwrap();
        assert!(p.finish().is_ok());
        assert_eq!((r.course_code, r.note.as_deref()), (None, Some("截图")));
    }

    #[test]
    fn notes_evidence_and_flags() {
        assert_eq!(review_note(Some("  ")), Ok(None));
        assert!(review_note(Some(&"长".repeat(201))).is_err());
        assert_eq!(may_attach(true, RecordStatus::Pending), Ok(()));
        assert!(!may_attach(false, RecordStatus::Pending).unwrap_err().0);
        assert!(may_attach(true, RecordStatus::Approved).unwrap_err().0);
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"hello"), None);
        assert_eq!(flag(Some("true")), Ok(true));
        assert_eq!(flag(None), Ok(false));
        assert!(flag(Some("yes")).is_err());
    }
}
