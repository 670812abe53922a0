//! Sessions' response bodies, typed: the same JSON as always.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::Session;
use crate::study::{Source, StudyRecord};
use crate::time;

/// A session as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub program_id: i64,
    pub title: String,
    pub topic: String,
    pub topic_label: String,
    pub location: String,
    pub region_code: String,
    pub region_name: String,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub starts_at: NaiveDateTime,
    #[serde(with = "crate::time::serde_rfc3339")]
    pub ends_at: NaiveDateTime,
    pub minutes: i32,
    pub capacity: Option<i32>,
    pub instructors: Vec<InstructorRef>,
    pub attendance: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InstructorRef {
    pub id: i64,
    pub name: String,
}

/// The scheme and host a request came in on (the check-in link's base).
pub fn base_url(req: &actix_web::HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// A session for a page, with its Beijing times.
pub struct SessionRow {
    pub s: SessionView,
    pub when: String,
}

impl SessionRow {
    pub fn of(s: SessionView) -> SessionRow {
        let end = time::display_cst(s.ends_at);
        let when = format!(
            "{} – {}",
            time::display_cst(s.starts_at),
            end.get(11..).unwrap_or(&end)
        );
        SessionRow { s, when }
    }
}

/// One attendee of a session.
#[derive(Debug, Clone, Serialize)]
pub struct AttendeeView {
    pub doctor_id: i64,
    pub name: String,
    pub id_number: String,
    pub record_id: i64,
    pub source: Source,
}

/// `GET /api/v1/sessions/{id}`: to those who run it, with its attendance list.
#[derive(Debug, Clone, Serialize)]
pub struct SessionDetail {
    #[serde(flatten)]
    pub session: SessionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance_list: Option<Vec<AttendeeView>>,
}

/// `GET /api/v1/sessions/{id}/checkin-code`: closed (`{open: false, opens_at}`) or the
/// current code with its expiry, check-in link and QR code (SVG).
#[derive(Debug, Clone, Serialize)]
pub struct CheckinCode {
    pub open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
}

/// What marking attendance did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Marked {
    pub credited: usize,
    pub already: usize,
    pub records: Vec<i64>,
}

/// An attendee as stored: its record, name and masked ID number.
#[derive(Debug, Clone, diesel::Queryable)]
pub struct Attendee {
    pub record: StudyRecord,
    pub name: String,
    pub id_number_masked: String,
}

/// 签到表: the session, then one row per attendee with a column to sign.
pub fn sign_in_xlsx(
    session: &Session,
    region_name: &str,
    rows: &[Attendee],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("序号", 6.0),
        Column::new("姓名", 12.0),
        Column::new("身份证号", 22.0).text(),
        Column::new("签到方式", 12.0),
        Column::new("签到时间", 18.0),
        Column::new("本人签名", 16.0),
    ];
    let values: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                (i + 1).to_string(),
                a.name.clone(),
                a.id_number_masked.clone(),
                if a.record.created_by.is_some() {
                    "签到/登记".into()
                } else {
                    String::new()
                },
                time::display_cst(a.record.created_at),
                String::new(),
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("签到表", &columns, &values)?;
    book.notes(
        "培训信息",
        &[
            &format!("培训：{}", session.title),
            &format!("地点：{}（{}）", session.location, region_name),
            &format!(
                "时间：{} 至 {}",
                time::display_cst(session.starts_at),
                time::display_cst(session.ends_at)
            ),
            &format!("认定学时：{} 分钟", session.minutes),
            &format!("出勤人数：{}", rows.len()),
        ],
    )?;
    book.into_bytes()
}
