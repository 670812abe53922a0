//! The dossier's use cases: read it (scope via [`crate::access::doctor`]), write it as a
//! spreadsheet or a PDF; the county-wide zip of PDFs is [`export`].

pub mod export;

use std::collections::HashMap;

use super::rules;
use super::store;
use super::views::{
    DossierView, ExamEntry, Identity, PlacementEntry, RecordEntry, RotationEntry, SessionEntry,
};
use crate::access::{self, Caller};
use crate::audit::{self, Entry};
use crate::db::{self, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::pii::Pii;
use crate::sheet::{Book, Column, XlsxBook};
use crate::state::AppState;
use crate::time;

/// A doctor's dossier, if the caller may see the doctor (else 404). County and city
/// admins get the full ID number (audited); everyone else the masked one.
pub fn dossier_in(
    conn: &mut AnyConnection,
    pii: &Pii,
    caller: &Caller,
    id: i64,
) -> AppResult<DossierView> {
    dossier_with(conn, pii, caller, id, rules::shows_full_id(caller.role()))
}

/// [`dossier_in`], revealing the full ID number only if `full` (the bulk export never
/// does: a zip of a whole county leaves the platform).
pub fn dossier_with(
    conn: &mut AnyConnection,
    pii: &Pii,
    caller: &Caller,
    id: i64,
    full: bool,
) -> AppResult<DossierView> {
    let record = access::doctor(conn, caller, id)?;
    let d = &record.doctor;
    let full = full && rules::shows_full_id(caller.role());
    let id_number = if full {
        let sealed = db::write(conn, |conn| {
            audit::record(
                conn,
                &caller.actor(),
                &Entry::new("pii.id_number_revealed")
                    .target(format!("doctor:{id}"))
                    .detail(serde_json::json!({"via": "dossier"})),
                time::now(),
            )?;
            store::sealed_id(conn, id)
        })?;
        pii.decrypt(&sealed).map_err(AppError::internal)?
    } else {
        d.id_number_masked.clone()
    };
    let progress = crate::study::compute_progress(conn, id, d.program_id)?;
    let rows = store::records(conn, id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let files = store::with_files(conn, &ids)?;
    let totals =
        rules::minutes_by_kind(&rows.iter().map(|r| (r.kind, r.minutes)).collect::<Vec<_>>());
    let placements = crate::shadowing::placements_of(conn, id)?;
    let pids: Vec<i64> = placements.iter().map(|p| p.placement.id).collect();
    let rotation_rows = store::rotations(conn, &pids)?;
    let signer_ids: Vec<i64> = rotation_rows
        .iter()
        .filter_map(|r| r.signed_off_by)
        .collect();
    let signers: HashMap<i64, String> = store::user_names(conn, &signer_ids)?.into_iter().collect();
    let mut rotation_minutes: HashMap<i64, i64> = HashMap::new();
    for r in &rows {
        if let Some(rot) = r.rotation_id {
            *rotation_minutes.entry(rot).or_default() += i64::from(r.minutes);
        }
    }
    let shadowing = placements
        .into_iter()
        .map(|p| PlacementEntry {
            rotations: rotation_rows
                .iter()
                .filter(|r| r.placement_id == p.placement.id)
                .map(|r| RotationEntry {
                    id: r.id,
                    department: r.department.clone(),
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    supervisor: r.supervisor.clone(),
                    signed_off_by: r.signed_off_by.and_then(|u| signers.get(&u).cloned()),
                    signed_off_at: r.signed_off_at,
                    assessment_score: r.assessment_score,
                    summary: r.summary.clone(),
                    credited_minutes: rotation_minutes.get(&r.id).copied().unwrap_or(0),
                })
                .collect(),
            id: p.placement.id,
            base_name: p.base_name,
            starts_on: p.placement.starts_on,
            ends_on: p.placement.ends_on,
            assessment_score: p.placement.assessment_score,
            summary: p.placement.summary,
        })
        .collect();
    let sessions = rows
        .iter()
        .filter_map(|r| {
            Some(SessionEntry {
                session_id: r.session_id?,
                title: r.session.clone().unwrap_or_default(),
                occurred_on: r.occurred_on,
                minutes: r.minutes,
            })
        })
        .collect::<Vec<SessionEntry>>();
    let session_ids: Vec<i64> = sessions
        .iter()
        .map(|s: &SessionEntry| s.session_id)
        .collect();
    let documents = crate::archive::of_sessions(conn, caller, &session_ids)?;
    let records = rows
        .into_iter()
        .map(|r| {
            let evidence = [r.course, r.session, r.evidence]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("；");
            RecordEntry {
                has_file: files.contains(&r.id),
                id: r.id,
                kind: r.kind,
                kind_label: r.kind.label(),
                minutes: r.minutes,
                occurred_on: r.occurred_on,
                source: r.source,
                source_label: r.source.label(),
                source_ref: r.source_ref,
                evidence,
            }
        })
        .collect();
    let exams = exams_in(conn, id)?;
    Ok(DossierView {
        doctor_id: id,
        identity: Identity {
            name: d.name.clone(),
            id_number,
            id_number_full: full,
            gender: d.gender.label(),
            birth_date: d.birth_date,
            phone: d.phone.clone(),
            education: d.education.label(),
            qualification: d.qualification.label(),
            region_code: d.region_code.clone(),
            region_name: record.region_name.clone(),
            clinic_name: record.clinic_name.clone(),
            status: d.status.label(),
            program_id: d.program_id,
            program_name: store::program_name(conn, d.program_id)?,
            cohort_year: d.cohort_year,
        },
        progress,
        totals,
        records,
        sessions,
        shadowing,
        exams,
        documents,
        generated_at: time::now(),
    })
}

/// The exams a doctor sat (the dossier's exam section).
fn exams_in(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<ExamEntry>> {
    Ok(store::attempts(conn, id)?
        .into_iter()
        .map(|a| ExamEntry {
            exam_id: a.exam_id,
            title: a.title,
            kind: a.kind,
            kind_label: a.kind.label(),
            year: a.year,
            attempt_no: a.attempt_no,
            submitted_at: a.submitted_at,
            score: a.score,
            max_score: a.max_score,
            passed: a.passed,
        })
        .collect())
}

/// The exams a doctor the caller may see has sat, without the rest of the dossier
/// (and without revealing its ID number): the county's drill-down page.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = id))]
pub async fn exams(state: &AppState, caller: &Caller, id: i64) -> AppResult<Vec<ExamEntry>> {
    let caller = caller.clone();
    state
        .db(move |conn| {
            access::doctor(conn, &caller, id)?;
            exams_in(conn, id)
        })
        .await
}

/// `GET /api/v1/doctors/{id}/dossier`.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn dossier(state: &AppState, caller: &Caller, id: i64) -> AppResult<DossierView> {
    let caller = caller.clone();
    let pii = state.pii.clone();
    state
        .db(move |conn| dossier_in(conn, &pii, &caller, id))
        .await
}

/// The calling doctor's own dossier (the page `/dossier`); 404 for other roles.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn mine(state: &AppState, caller: &Caller) -> AppResult<DossierView> {
    let id = caller.doctor_id.ok_or(AppError::NotFound)?;
    dossier(state, caller, id).await
}

/// `GET /api/v1/doctors/{id}/dossier.xlsx` → (file name, bytes).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn xlsx(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = dossier(state, caller, id).await?;
    let mut book = XlsxBook::new();
    tables(&view, &mut book).map_err(AppError::internal)?;
    let bytes = book.into_bytes().map_err(AppError::internal)?;
    Ok((format!("dossier-{id}.xlsx"), bytes))
}

/// The dossier as a printable PDF: the same tables as the spreadsheet.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id, doctor = id))]
pub async fn pdf(state: &AppState, caller: &Caller, id: i64) -> AppResult<(String, Vec<u8>)> {
    let view = dossier(state, caller, id).await?;
    render_pdf(&view)
}

/// A dossier as a PDF: (file name, bytes).
pub fn render_pdf(view: &DossierView) -> AppResult<(String, Vec<u8>)> {
    let mut doc = crate::documents::Document::new(&format!("一人一册 · {}", view.identity.name));
    tables(view, &mut doc).map_err(AppError::internal)?;
    Ok((format!("一人一册-{}.pdf", view.identity.name), doc.render()))
}

fn tables(v: &DossierView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let i = &v.identity;
    let facts: Vec<Vec<String>> = [
        ("姓名", i.name.clone()),
        ("身份证号", i.id_number.clone()),
        ("性别", i.gender.into()),
        ("出生日期", i.birth_date.to_string()),
        ("联系电话", i.phone.clone()),
        ("学历", i.education.into()),
        ("执业资格", i.qualification.into()),
        ("所在地区", i.region_name.clone()),
        ("所在村卫生室", i.clinic_name.clone().unwrap_or_default()),
        ("在岗状态", i.status.into()),
        ("培训项目", i.program_name.clone()),
        ("培训年度", i.cohort_year.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_owned(), v])
    .chain(
        v.total_lines()
            .into_iter()
            .map(|(k, m)| vec![format!("{k}（分钟）"), m.to_string()]),
    )
    .collect();
    book.sheet(
        "基本信息",
        &[Column::new("项目", 20.0), Column::new("内容", 40.0).text()],
        &facts,
    )?;
    let records: Vec<Vec<String>> = v
        .records
        .iter()
        .map(|r| {
            vec![
                r.occurred_on.to_string(),
                r.kind_label.into(),
                r.minutes.to_string(),
                r.source_label.into(),
                r.evidence.clone(),
            ]
        })
        .collect();
    book.sheet(
        "学时记录",
        &[
            Column::new("日期", 12.0),
            Column::new("类别", 12.0),
            Column::new("分钟", 8.0).number(),
            Column::new("来源", 12.0),
            Column::new("依据", 50.0),
        ],
        &records,
    )?;
    let rotations: Vec<Vec<String>> = v
        .shadowing
        .iter()
        .flat_map(|p| {
            p.rotations.iter().map(move |r| {
                vec![
                    p.base_name.clone(),
                    r.department.clone(),
                    format!("{} 至 {}", r.starts_on, r.ends_on),
                    r.supervisor.clone().unwrap_or_default(),
                    r.signed_off_by.clone().unwrap_or_default(),
                    r.signed_cst(),
                    r.assessment_score
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                ]
            })
        })
        .collect();
    book.sheet(
        "跟班轮转",
        &[
            Column::new("基地", 24.0),
            Column::new("科室", 14.0),
            Column::new("时间", 24.0),
            Column::new("带教老师", 12.0),
            Column::new("签字确认人", 12.0),
            Column::new("签字时间", 18.0),
            Column::new("出科成绩", 10.0).number(),
        ],
        &rotations,
    )?;
    let exams: Vec<Vec<String>> = v
        .exams
        .iter()
        .map(|e| {
            vec![
                e.title.clone(),
                e.kind_label.into(),
                e.year.to_string(),
                e.score.map(|s| s.to_string()).unwrap_or_default(),
                e.max_score.to_string(),
                e.result_label().into(),
            ]
        })
        .collect();
    book.sheet(
        "考核",
        &[
            Column::new("考核", 30.0),
            Column::new("类型", 12.0),
            Column::new("年度", 8.0),
            Column::new("成绩", 8.0).number(),
            Column::new("满分", 8.0).number(),
            Column::new("结论", 8.0),
        ],
        &exams,
    )?;
    let documents: Vec<Vec<String>> = v
        .documents
        .iter()
        .map(|d| {
            vec![
                d.kind_label.into(),
                d.filename.clone(),
                d.size_label(),
                d.uploaded_cst(),
            ]
        })
        .collect();
    book.sheet(
        "存档资料",
        &[
            Column::new("类型", 12.0),
            Column::new("文件", 40.0),
            Column::new("大小", 10.0),
            Column::new("上传时间", 18.0),
        ],
        &documents,
    )?;
    Ok(())
}
