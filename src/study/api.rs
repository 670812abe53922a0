//! `/api/v1/study-records`, `/api/v1/doctors/{id}/progress`, `/api/v1/progress`.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use rand::RngCore;
use serde::Deserialize;

use super::{NewRecord, RecordBody, RecordStatus, Source, StudyKind, StudyRecord, rules, store};
use crate::audit::Entry;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging, read_form};
use crate::roster::DoctorRecord;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/study-records", web::post().to(create))
        .route("/study-records", web::get().to(list))
        .route("/study-records/pending", web::get().to(pending))
        .route("/study-records/import", web::post().to(import_file))
        .route("/study-records/{id}", web::get().to(get))
        .route("/study-records/{id}/approve", web::post().to(approve))
        .route("/study-records/{id}/reject", web::post().to(reject))
        .route(
            "/study-records/{id}/evidence",
            web::post().to(upload_evidence),
        )
        .route(
            "/study-records/{id}/evidence",
            web::get().to(download_evidence),
        )
        .route("/doctors/{id}/progress", web::get().to(progress))
        .route(
            "/doctors/{id}/platform-accounts",
            web::post().to(link_account),
        )
        .route("/progress", web::get().to(county_progress))
        .route("/progress/export.xlsx", web::get().to(export_progress))
        .route(
            "/programs/{id}/centralized-share",
            web::get().to(centralized_share),
        );
}

/// Record study (shared with the page): a doctor's own report is pending; an admin's
/// entry, or an instructor's tutoring, is approved at once (the author is the evidence).
pub async fn record(
    state: &AppState,
    user: &CurrentUser,
    body: &RecordBody,
) -> AppResult<StudyRecord> {
    let mut p = Problems::new();
    let kind = p.take(
        "kind",
        StudyKind::parse(body.kind.as_deref().unwrap_or("")).ok_or_else(|| {
            "学习形式应为 online、centralized、shadowing、tutoring 或 skills_practice".to_owned()
        }),
    );
    let minutes = match body.minutes {
        Some(m) if (1..=rules::DAY_MINUTES).contains(&m) => Some(m),
        _ => {
            p.add("minutes", "学习时长应为 1 到 1440 之间的分钟数");
            None
        }
    };
    let occurred_on = p.take(
        "occurred_on",
        crate::roster::rules::loose_date(body.occurred_on.as_deref().unwrap_or("")),
    );
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        p.add("note", "说明不能超过 500 个字符");
    }
    if body.doctor_id.is_none() {
        p.add("doctor_id", "必填");
    }
    p.finish()?;
    let (Some(kind), Some(minutes), Some(occurred_on), Some(doctor_id)) =
        (kind, minutes, occurred_on, body.doctor_id)
    else {
        return Err(AppError::internal("checked record lost a field"));
    };
    let (source, status) = match user.role() {
        Role::Doctor => (Source::SelfReport, RecordStatus::Pending),
        Role::Instructor => {
            if !matches!(kind, StudyKind::Tutoring | StudyKind::SkillsPractice) {
                return Err(AppError::Forbidden(
                    "带教老师只能登记辅导带教或技能操作学时".into(),
                ));
            }
            (Source::Tutoring, RecordStatus::Approved)
        }
        _ => (Source::Manual, RecordStatus::Approved),
    };
    let doctor = crate::access::load_doctor(state, user, doctor_id).await?;
    if user.role() == Role::Doctor && doctor.doctor.user_id != Some(user.id()) {
        return Err(AppError::Forbidden("只能为本人登记学习".into()));
    }
    if !doctor.doctor.status.is_active() {
        return Err(AppError::Conflict("该学员已不在岗，不能登记学习".into()));
    }
    let course_code = body
        .course_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let program_id = doctor.doctor.program_id;
    let mut token = [0u8; 8];
    rand::rng().fill_bytes(&mut token);
    let actor = user.actor();
    let created = state
        .db(move |conn| {
            let program =
                crate::program::store::get(conn, program_id)?.ok_or(AppError::NotFound)?;
            let course = match &course_code {
                None => None,
                Some(code) => {
                    if kind != StudyKind::Online {
                        return Err(AppError::field("course_code", "只有线上自学可以指定课程"));
                    }
                    Some(
                        store::courses_of(conn, program_id)?
                            .into_iter()
                            .find(|c| &c.code == code)
                            .ok_or_else(|| {
                                AppError::field(
                                    "course_code",
                                    format!("培训项目目录中没有课程 {code}"),
                                )
                            })?,
                    )
                }
            };
            let new = NewRecord {
                doctor_id,
                program_id,
                kind,
                minutes,
                occurred_on,
                interval: None,
                course_id: course.as_ref().map(|c| c.id),
                session_id: None,
                rotation_id: None,
                source,
                source_ref: format!("{}:{}", source.as_str(), hex::encode(token)),
                status,
                evidence: note,
                unit_score: None,
                created_by: actor.id,
            };
            crate::db::write(conn, |conn| {
                let r = store::insert(
                    conn,
                    &new,
                    program.years(),
                    course.map(|c| c.minutes),
                    time::today_cst(),
                    time::now(),
                )?;
                if status == RecordStatus::Approved {
                    crate::audit::record(
                        conn,
                        &actor,
                        &Entry::new("study.recorded")
                            .target(format!("study_record:{}", r.id))
                            .detail(serde_json::json!({
                                "doctor_id": doctor_id, "kind": kind.as_str(), "minutes": minutes,
                            })),
                        time::now(),
                    )?;
                }
                Ok::<_, AppError>(r)
            })
        })
        .await?;
    Ok(created)
}

/// `POST /api/v1/study-records` → 201 `{...,status}`.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<RecordBody>,
) -> AppResult<HttpResponse> {
    let r = record(&state, &user, &body).await?;
    Ok(HttpResponse::Created().json(r.view()))
}

/// A record the caller may see (its doctor visible to it), else 404.
pub async fn find(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(StudyRecord, DoctorRecord)> {
    let record = state
        .db(move |conn| store::get(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let doctor = crate::access::load_doctor(state, user, record.doctor_id).await?;
    Ok((record, doctor))
}

async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (record, _) = find(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    paging: PageParams,
    doctor_id: Option<String>,
}

/// `GET /api/v1/study-records?doctor_id=` → a doctor's records (a doctor: its own).
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let doctor_id = match query.doctor_id.as_deref() {
        Some(d) => p.take(
            "doctor_id",
            d.parse::<i64>().map_err(|_| "应为整数".to_owned()),
        ),
        None if user.role() == Role::Doctor => {
            let id = user.id();
            state
                .db(move |conn| crate::roster::store::by_user(conn, id))
                .await?
                .map(|d| d.doctor.id)
        }
        None => {
            p.add("doctor_id", "必填");
            None
        }
    };
    p.finish()?;
    let doctor =
        crate::access::load_doctor(&state, &user, doctor_id.ok_or(AppError::NotFound)?).await?;
    let id = doctor.doctor.id;
    let all = state.db(move |conn| store::of_doctor(conn, id)).await?;
    let total = all.len() as i64;
    let items: Vec<_> = all
        .iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .map(StudyRecord::view)
        .collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
}

/// The approval queue a reviewer sees: county/city admins their region's pending
/// records, an instructor those of its doctors.
pub async fn queue(state: &AppState, user: &CurrentUser) -> AppResult<Vec<(StudyRecord, String)>> {
    let only = match user.role() {
        Role::CountyAdmin | Role::CityAdmin => None,
        Role::Instructor => Some(crate::access::load_taught(state, user).await?),
        Role::Doctor | Role::Sysadmin => {
            return Err(AppError::Forbidden(
                "只有区县、市级管理员和带教老师审核学习记录".into(),
            ));
        }
    };
    let scope = if user.role() == Role::Instructor {
        crate::regions::Scope::new("", "/")
    } else {
        user.scope()
    };
    state
        .db(move |conn| store::pending(conn, &scope, only.as_deref(), 500))
        .await
}

/// `GET /api/v1/study-records/pending` → `{items}` awaiting the caller's review.
async fn pending(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let items: Vec<_> = queue(&state, &user)
        .await?
        .iter()
        .map(|(r, name)| {
            let mut v = serde_json::to_value(r.view()).unwrap_or_default();
            v["doctor_name"] = name.clone().into();
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewBody {
    pub note: Option<String>,
}

/// Approve or reject (shared with the page). Reviewers: county/city admins in their
/// region, an instructor for its doctors; never the doctor itself.
pub async fn review(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    approve: bool,
    note: Option<String>,
) -> AppResult<StudyRecord> {
    if !matches!(
        user.role(),
        Role::CountyAdmin | Role::CityAdmin | Role::Instructor
    ) {
        let e = AppError::Forbidden("只有区县、市级管理员和带教老师可以审核学习记录".into());
        let mut entry = Entry::new("access.denied")
            .detail(serde_json::json!({ "attempt": "study.review", "status": 403 }));
        entry.target = Some(format!("study_record:{id}"));
        state.audit(user.actor(), entry).await;
        return Err(e);
    }
    find(state, user, id).await?;
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(AppError::field("note", "审核意见不能超过 200 个字符"));
    }
    let actor = user.actor();
    state
        .db(move |conn| store::review(conn, id, approve, note.as_deref(), &actor, time::now()))
        .await
}

async fn approve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<ReviewBody>>,
) -> AppResult<HttpResponse> {
    let note = body.and_then(|b| b.into_inner().note);
    let r = review(&state, &user, path.into_inner(), true, note).await?;
    Ok(HttpResponse::Ok().json(r.view()))
}

async fn reject(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<ReviewBody>>,
) -> AppResult<HttpResponse> {
    let note = body.and_then(|b| b.into_inner().note);
    let r = review(&state, &user, path.into_inner(), false, note).await?;
    Ok(HttpResponse::Ok().json(r.view()))
}

/// Largest evidence image.
pub const MAX_EVIDENCE: usize = 5 * 1024 * 1024;

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

/// Attach a photo to one's own pending record (shared with the page).
pub async fn attach(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    bytes: Vec<u8>,
) -> AppResult<()> {
    let (record, doctor) = find(state, user, id).await?;
    if doctor.doctor.user_id != Some(user.id()) {
        return Err(AppError::Forbidden("只能为本人的学习记录上传证明".into()));
    }
    if record.status() != RecordStatus::Pending {
        return Err(AppError::Conflict("已审核的记录不能再上传证明".into()));
    }
    let content_type = image_type(&bytes)
        .ok_or_else(|| AppError::field("file", "请上传 JPG、PNG 或 WebP 图片"))?;
    state
        .db(move |conn| store::put_evidence(conn, id, content_type, &bytes, time::now()))
        .await
}

/// `POST /api/v1/study-records/{id}/evidence`, multipart `file` (an image ≤ 5 MB) → 204.
async fn upload_evidence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let file = read_form(multipart, MAX_EVIDENCE).await?.require_file()?;
    attach(&state, &user, id, file.bytes).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/study-records/{id}/evidence` → the image (to whoever sees the record).
async fn download_evidence(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    find(&state, &user, id).await?;
    let (content_type, bytes) = state
        .db(move |conn| store::evidence(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'"))
        .body(bytes))
}

/// A doctor's progress (shared with the page).
/// Progress from two reads: the program's policy and one aggregate of the ledger.
pub fn compute_progress(
    conn: &mut crate::db::AnyConnection,
    doctor_id: i64,
    program_id: i64,
) -> AppResult<rules::Progress> {
    let (policy, years) =
        crate::program::store::policy(conn, program_id)?.ok_or(AppError::NotFound)?;
    let ledger = store::ledger_of(conn, doctor_id)?;
    let mut progress = rules::progress(
        &policy.requirements,
        &policy.deadlines,
        years,
        &ledger,
        time::today_cst(),
    );
    // The annual assessment of each training year: the best attempt at its annual exam.
    for r in crate::exams::store::annual_results(conn, doctor_id)? {
        if let Some(y) = progress.annual.iter_mut().find(|y| y.year == r.year) {
            y.assessment = Some(serde_json::json!({
                "exam_id": r.exam_id, "title": r.title, "score": r.score.unwrap_or(0.0),
                "max_score": r.max_score, "passed": r.passed.unwrap_or(false),
            }));
        }
    }
    Ok(progress)
}

pub async fn progress_of(state: &AppState, doctor: &DoctorRecord) -> AppResult<rules::Progress> {
    let (doctor_id, program_id) = (doctor.doctor.id, doctor.doctor.program_id);
    state
        .db(move |conn| compute_progress(conn, doctor_id, program_id))
        .await
}

/// `GET /api/v1/doctors/{id}/progress` → `{online, centralized, shadowing, tutoring,
/// skills_practice, combined, annual, completion}`.
async fn progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    // The hot path: scope check, policy and the ledger aggregate in one database hop.
    let caller = user.caller.clone();
    let (p, program_id) = state
        .db(move |conn| {
            let program = crate::access::doctor(conn, &caller, id)?.doctor.program_id;
            Ok::<_, AppError>((compute_progress(conn, id, program)?, program))
        })
        .await?;
    let mut body = serde_json::to_value(&p).map_err(AppError::internal)?;
    body["doctor_id"] = id.into();
    body["program_id"] = program_id.into();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
struct AccountBody {
    platform: Option<String>,
    account: Option<String>,
}

/// `POST /api/v1/doctors/{id}/platform-accounts` `{platform, account}` → 204.
async fn link_account(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AccountBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let doctor = crate::access::load_doctor(&state, &user, path.into_inner()).await?;
    let mut p = Problems::new();
    let platform = body.platform.unwrap_or_default().trim().to_owned();
    let account = body.account.unwrap_or_default().trim().to_owned();
    if !(1..=30).contains(&platform.chars().count()) {
        p.add("platform", "平台代码应为 1–30 个字符");
    }
    if !(1..=60).contains(&account.chars().count()) {
        p.add("account", "平台账号应为 1–60 个字符");
    }
    p.finish()?;
    let id = doctor.doctor.id;
    state
        .db(move |conn| store::link_platform_account(conn, &platform, &account, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/study-records/import?platform=&county=&dry_run=` → `{created,
/// duplicates, errors:[{row,field,column,message}]}`; any error → 422, nothing written.
async fn import_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<super::import::ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let report = super::import::from_upload(&state, &user, &query, multipart).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    })
}

/// `GET /api/v1/progress?region=&behind=true&status=&page=&per_page=` → the progress
/// table of the caller's doctors.
async fn county_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<super::pages::TableQuery>,
) -> AppResult<HttpResponse> {
    let (rows, paging) = super::pages::table_rows(&state, &user, &query).await?;
    let total = rows.len() as i64;
    let items: Vec<_> = rows
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .collect();
    Ok(HttpResponse::Ok().json(ListPage::new(items, total, paging)))
}

/// `GET /api/v1/progress/export.xlsx?…` → the table as a spreadsheet.
async fn export_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<super::pages::TableQuery>,
) -> AppResult<HttpResponse> {
    let (rows, _) = super::pages::table_rows(&state, &user, &query).await?;
    let bytes = super::pages::table_xlsx(&rows).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"progress.xlsx\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

#[derive(Debug, Deserialize)]
struct ShareQuery {
    year: Option<String>,
}

/// `GET /api/v1/programs/{id}/centralized-share?year=` → per district: doctors in post,
/// centralized learners that year, the number required (⌈doctors × share⌉) and whether
/// it is met (Zaozhuang annex 2 §四(二): ≥ 1/3 each year).
async fn centralized_share(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<ShareQuery>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let program = crate::access::load_program(&state, &user, path.into_inner()).await?;
    let year = match query.year.as_deref() {
        None => time::today_cst()
            .format("%Y")
            .to_string()
            .parse()
            .unwrap_or(program.row.start_year),
        Some(y) => crate::roster::rules::cohort_year(y).map_err(|m| AppError::field("year", m))?,
    };
    let scope = user.scope();
    let share = program.policy.requirements.centralized_share;
    let id = program.row.id;
    let rows = state
        .db(move |conn| {
            let learners = store::centralized_learners(conn, id, year)?;
            let doctors = store::doctors_per_county(conn, id)?;
            let districts = crate::regions::store::children(conn, Some(&program.row.region_code))?;
            Ok::<_, diesel::result::Error>(
                districts
                    .into_iter()
                    .filter(|d| scope.contains_path(&d.path))
                    .map(|d| {
                        let n = doctors.get(&d.code).copied().unwrap_or(0);
                        let l = learners.get(&d.code).copied().unwrap_or(0);
                        let den = i64::from(share.denominator.max(1));
                        let required = (n * i64::from(share.numerator) + den - 1) / den;
                        serde_json::json!({
                            "region_code": d.code, "region_name": d.name, "doctors": n, "learners": l,
                            "required": required, "met": crate::program::rules::share_met(l, n, share),
                        })
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "year": year, "share": share, "items": rows })))
}
