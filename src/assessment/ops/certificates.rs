//! Certificates: the public check, revocation by the city, and what a certificate's
//! printable shows.

use crate::access::{self, Caller, Role};
use crate::assessment::rules::certificate::{mask_name, normalize, revocation_reason};
use crate::assessment::store;
use crate::assessment::views::{CertificateView, Verified};
use crate::audit::{self, Entry};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::time;

/// `GET /verify/{code}` (no login): the holder masked, the program and the date; `None`
/// for an unknown or revoked code.
#[tracing::instrument(skip(state))]
pub async fn verify(state: &AppState, code: String) -> AppResult<Option<Verified>> {
    let Some(code) = normalize(&code) else {
        return Ok(None);
    };
    state
        .db(move |conn| {
            let Some(row) = store::certificates::by_code(conn, &code)? else {
                return Ok::<_, AppError>(None);
            };
            if row.revoked_at.is_some() {
                return Ok(None);
            }
            let holder = store::certificates::holder(conn, &row)?;
            Ok(Some(Verified {
                code: row.code,
                name: mask_name(&holder.name),
                id_number: holder.id_number_masked,
                program: holder.program,
                issued_on: row.issued_on,
            }))
        })
        .await
}

/// `POST /api/v1/certificates/{code}/revoke {reason}` (city admins, for doctors of
/// their city): the certificate stops verifying; audited.
#[tracing::instrument(skip(state, caller, reason), fields(caller = caller.user_id))]
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    code: String,
    reason: Option<String>,
) -> AppResult<CertificateView> {
    caller.require(&[Role::CityAdmin])?;
    let reason = revocation_reason(reason.as_deref()).map_err(|m| AppError::field("reason", m))?;
    let code = normalize(&code).ok_or(AppError::NotFound)?;
    let caller = caller.clone();
    let now = time::now();
    state
        .db(move |conn| {
            let row = store::certificates::by_code(conn, &code)?.ok_or(AppError::NotFound)?;
            access::doctor(conn, &caller, row.doctor_id)?;
            db::write(conn, |conn| {
                if store::certificates::revoke(conn, row.id, caller.user_id, &reason, now)? == 0 {
                    return Err(AppError::Conflict("该证书已撤销".into()));
                }
                audit::record(
                    conn,
                    &caller.actor(),
                    &Entry::new("certificate.revoke")
                        .target(format!("certificate:{}", row.code))
                        .detail(serde_json::json!({"doctor_id": row.doctor_id, "reason": reason})),
                    now,
                )?;
                Ok::<_, AppError>(CertificateView {
                    code: row.code.clone(),
                    doctor_id: row.doctor_id,
                    program_id: row.program_id,
                    issued_on: row.issued_on,
                    revoked: true,
                    reason: Some(reason.clone()),
                })
            })
        })
        .await
}

/// `GET /api/v1/doctors/{id}/certificate`: the doctor's valid certificate (the doctor
/// itself or admins in scope; instructors 403; none yet 404).
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn of_doctor(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
) -> AppResult<CertificateView> {
    caller.require(&[
        Role::Doctor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ])?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let record = access::doctor(conn, &caller, doctor_id)?;
            certificate_in(conn, doctor_id, record.doctor.program_id)?.ok_or(AppError::NotFound)
        })
        .await
}

/// The doctor's valid certificate in the program, if any (scope checked by the caller):
/// the dossier reads it here.
pub fn certificate_in(
    conn: &mut db::AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> AppResult<Option<CertificateView>> {
    Ok(
        store::certificates::valid_of(conn, doctor_id, program_id)?.map(|row| CertificateView {
            code: row.code,
            doctor_id,
            program_id: row.program_id,
            issued_on: row.issued_on,
            revoked: false,
            reason: None,
        }),
    )
}

/// `GET /api/v1/doctors/{id}/certificate.pdf` (the doctor itself or admins in scope): the
/// certificate as a printable A4 — program, hours per kind, date, the code and a QR of
/// the public check at `base_url`/verify/{code}. Returns the file name and the bytes.
#[tracing::instrument(skip(state, caller), fields(caller = caller.user_id))]
pub async fn pdf(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
    base_url: String,
) -> AppResult<(String, Vec<u8>)> {
    caller.require(&[
        Role::Doctor,
        Role::CountyAdmin,
        Role::CityAdmin,
        Role::Sysadmin,
    ])?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let record = access::doctor(conn, &caller, doctor_id)?;
            let d = &record.doctor;
            let row = store::certificates::valid_of(conn, doctor_id, d.program_id)?
                .ok_or(AppError::NotFound)?;
            let holder = store::certificates::holder(conn, &row)?;
            let (policy, _) =
                crate::program::policy(conn, d.program_id)?.ok_or(AppError::NotFound)?;
            let progress = crate::study::compute_progress(conn, doctor_id, d.program_id)?;
            let url = format!("{}/verify/{}", base_url.trim_end_matches('/'), row.code);
            let hour = policy.requirements.class_hour_minutes.max(1);
            let hours = |minutes: i32| {
                let tenths = i64::from(minutes) * 10 / i64::from(hour);
                format!("{}.{}", tenths / 10, tenths % 10)
            };
            let kinds = [
                ("线上自学", &progress.online.hours),
                ("集中培训", &progress.centralized),
                ("脱产跟班", &progress.shadowing),
                ("辅导带教", &progress.tutoring),
                ("技能操作", &progress.skills_practice),
            ];
            let rows: Vec<Vec<String>> = kinds
                .iter()
                .map(|(label, k)| {
                    vec![
                        (*label).to_owned(),
                        hours(k.required_minutes),
                        hours(k.credited_minutes),
                    ]
                })
                .collect();
            let mut doc = crate::documents::Document::new("乡村医生培训结业证书");
            doc.paragraph(&format!(
                "{} 同志参加{}，完成规定学时，经结业考核（专业知识考试和实践技能考核）合格，准予结业。",
                d.name, holder.program
            ))
            .fields(&[
                ("姓名", d.name.clone()),
                ("身份证号", holder.id_number_masked.clone()),
                ("培训项目", holder.program.clone()),
                ("发证日期", row.issued_on.format("%Y 年 %m 月 %d 日").to_string()),
                ("证书编号", row.code.clone()),
            ])
            .heading("学时")
            .table(&["学习形式", "要求（学时）", "已认定（学时）"], &rows)
            .heading("查验")
            .qr(&url, 30.0)
            .paragraph(&format!("扫描二维码或访问 {url} 查验本证书。"));
            Ok::<_, AppError>((format!("结业证书-{}", row.code), doc.render()))
        })
        .await
}
