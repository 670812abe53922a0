//! `/api/v1/doctors`: the roster, its import and export, and the audited reveal of ID
//! numbers.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::store::{self, DoctorRow};
use super::{
    DoctorBody, DoctorFilter, DoctorInput, DoctorRecord, DoctorStatus, ImportReport, Place, import,
    rules,
};
use crate::audit::Entry;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging, read_form};
use crate::regions::{Level, Region};
use crate::sheet::Limits;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/doctors", web::post().to(create))
        .route("/doctors", web::get().to(list))
        .route("/doctors/import-template.xlsx", web::get().to(template))
        .route("/doctors/export.xlsx", web::get().to(export))
        .route("/doctors/import", web::post().to(import_file))
        .route("/doctors/{id}", web::get().to(get))
        .route("/doctors/{id}", web::put().to(update))
        .route("/doctors/{id}/status", web::post().to(set_status))
        .route("/doctors/{id}/id-number", web::get().to(reveal))
        .route("/doctors/{id}/account", web::post().to(create_account));
}

async fn deny(
    state: &AppState,
    user: &CurrentUser,
    what: &str,
    target: Option<String>,
    e: AppError,
) -> AppError {
    let mut entry = Entry::new("access.denied").detail(serde_json::json!({
        "attempt": what, "status": actix_web::ResponseError::status_code(&e).as_u16(),
    }));
    entry.target = target;
    state.audit(user.actor(), entry).await;
    e
}

/// Resolve a checked doctor for a single create or edit: its region (in the caller's
/// subtree, county level or below), program (the city's, covering the year) and clinic.
pub async fn resolve(
    state: &AppState,
    user: &CurrentUser,
    input: DoctorInput,
    clinic_id: Option<i64>,
) -> AppResult<DoctorRow> {
    let Place::Code(code) = input.place.clone() else {
        return Err(AppError::internal("API doctors name their region by code"));
    };
    let field = if code.len() == 12 {
        "village_code"
    } else {
        "region_code"
    };
    let region = state
        .db({
            let code = code.clone();
            move |conn| crate::regions::store::find(conn, &code)
        })
        .await?
        .ok_or_else(|| AppError::field(field, "未知的行政区划代码"))?;
    if !user.scope().contains_path(&region.path) {
        let e = AppError::Forbidden("该行政区划不在您的管辖范围内".into());
        return Err(deny(
            state,
            user,
            "doctor.write",
            Some(format!("region:{code}")),
            e,
        )
        .await);
    }
    if !matches!(
        region.level(),
        Some(Level::County | Level::Township | Level::Village)
    ) {
        return Err(AppError::field(field, "学员应登记到区（市）县、乡镇或村"));
    }
    let county_code = rules::county_of_path(&region.path)
        .ok_or_else(|| AppError::field(field, "找不到所属区县"))?;
    let program_id = input
        .program_id
        .ok_or_else(|| AppError::field("program_id", "必填"))?;
    let caller_region = user.region.clone();
    let (program, program_region) = state
        .db(move |conn| {
            let program = crate::program::store::get(conn, program_id)?;
            let region = match &program {
                Some(p) => Some(crate::program::store::region_of(conn, p)?),
                None => None,
            };
            Ok::<_, diesel::result::Error>((program, region))
        })
        .await?;
    let (Some(program), Some(program_region)) = (program, program_region) else {
        return Err(AppError::field("program_id", "未知的培训项目"));
    };
    if !crate::program::store::visible_from(&program_region, &caller_region)
        || !program_region.scope().contains_path(&region.path)
    {
        return Err(AppError::field(
            "program_id",
            "该培训项目不覆盖学员所在地区",
        ));
    }
    if !program.years().contains(&input.cohort_year) {
        return Err(AppError::field(
            "cohort_year",
            format!(
                "培训年度应在 {}—{} 之间",
                program.row.start_year, program.row.end_year
            ),
        ));
    }
    if let Some(clinic) = clinic_id {
        let org = state
            .db(move |conn| crate::orgs::store::get(conn, clinic))
            .await?;
        let county_scope = rules::ancestor_scope(&region.path, &county_code);
        if !org.is_some_and(|(o, path)| {
            county_scope.contains_path(&path)
                && matches!(o.kind.as_str(), "village_clinic" | "township_center")
        }) {
            return Err(AppError::field(
                "clinic_id",
                "执业机构应为本区县的村卫生室或乡镇卫生院",
            ));
        }
    }
    Ok(DoctorRow {
        name: input.name.clone(),
        id_number_enc: state.pii.encrypt(input.id_number.as_str()),
        id_number_index: state.pii.blind_index(input.id_number.as_str()),
        id_number_masked: input.id_number.masked(),
        phone: input.phone.as_str().to_owned(),
        gender: input.gender.as_str().to_owned(),
        birth_date: input.birth_date,
        education: input.education.as_str().to_owned(),
        qualification: input.qualification.as_str().to_owned(),
        region_code: region.code.clone(),
        county_code,
        clinic_id,
        program_id,
        cohort_year: input.cohort_year,
        status: input.status.as_str().to_owned(),
    })
}

/// `POST /api/v1/doctors` → 201 doctor.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<DoctorBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let input = rules::check_body(&body, time::today_cst())?;
    let row = resolve(&state, &user, input, body.clinic_id).await?;
    let actor = user.actor();
    let record = state
        .db(move |conn| {
            let id = store::insert(conn, &row, &actor, time::now())?;
            store::get(conn, id)?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Created().json(record.view()))
}

/// `PUT /api/v1/doctors/{id}` (the same body) → the doctor.
async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<DoctorBody>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let id = path.into_inner();
    crate::access::load_doctor(&state, &user, id).await?;
    let input = rules::check_body(&body, time::today_cst())?;
    let row = resolve(&state, &user, input, body.clinic_id).await?;
    let actor = user.actor();
    let record = state
        .db(move |conn| {
            store::update_audited(conn, id, &row, &actor, time::today_cst(), time::now())?;
            store::get(conn, id)?.ok_or(AppError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Ok().json(record.view()))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    pub region: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub cohort_year: Option<String>,
    pub program_id: Option<String>,
}

/// Check list filters (a `region` outside the caller's subtree is a 404).
pub async fn parse_filter(
    state: &AppState,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<(DoctorFilter, Paging)> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let status = nonempty(&query.status).and_then(|s| {
        p.take(
            "status",
            DoctorStatus::parse(&s).ok_or_else(|| "未知状态".to_owned()),
        )
    });
    let cohort_year =
        nonempty(&query.cohort_year).and_then(|y| p.take("cohort_year", rules::cohort_year(&y)));
    let program_id = nonempty(&query.program_id).and_then(|v| {
        p.take(
            "program_id",
            v.parse::<i64>().map_err(|_| "应为整数".to_owned()),
        )
    });
    p.finish()?;
    let region = match nonempty(&query.region) {
        None => None,
        Some(code) => Some(
            state
                .db(move |conn| crate::regions::store::resolve(conn, &code))
                .await?
                .filter(|r| user.scope().contains_path(&r.path))
                .ok_or(AppError::NotFound)?
                .scope(),
        ),
    };
    let q = nonempty(&query.q);
    // A full ID number is looked up by its blind index, never by LIKE.
    let id_index = q
        .as_deref()
        .and_then(|q| rules::IdNumber::parse(q, time::today_cst()).ok())
        .map(|id| state.pii.blind_index(id.as_str()));
    Ok((
        DoctorFilter {
            region,
            q,
            id_index,
            status,
            cohort_year,
            program_id,
        },
        paging,
    ))
}

/// The doctors a caller may list: admins their region; a doctor itself; instructors
/// the doctors of their sessions and groups (none until those exist).
pub async fn list_for(
    state: &AppState,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<ListPage<DoctorRecord>> {
    let (mut filter, paging) = parse_filter(state, user, query).await?;
    match user.role() {
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {}
        Role::Doctor => {
            let id = user.id();
            let own = state.db(move |conn| store::by_user(conn, id)).await?;
            let items: Vec<DoctorRecord> = own.into_iter().collect();
            let total = items.len() as i64;
            return Ok(ListPage::new(items, total, paging));
        }
        Role::Instructor => {
            let ids = crate::access::load_taught(state, user).await?;
            let mut items = Vec::new();
            for id in ids {
                if let Some(r) = state.db(move |conn| store::get(conn, id)).await? {
                    items.push(r);
                }
            }
            let total = items.len() as i64;
            let page = items
                .into_iter()
                .skip(paging.offset() as usize)
                .take(paging.per_page as usize)
                .collect();
            return Ok(ListPage::new(page, total, paging));
        }
    }
    let scope = user.scope();
    if filter.id_index.is_some() {
        filter.q = None;
    }
    let (items, total) = state
        .db(move |conn| store::list(conn, &scope, &filter, paging.offset(), paging.per_page))
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// `GET /api/v1/doctors?region=&q=&status=&cohort_year=&program_id=` → the roster.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = list_for(&state, &user, &query).await?;
    Ok(HttpResponse::Ok().json(ListPage {
        items: page.items.iter().map(DoctorRecord::view).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// `GET /api/v1/doctors/{id}` → the doctor, ID number masked.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let record = crate::access::load_doctor(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(record.view()))
}

/// The full ID number, audited; county and city admins only.
pub async fn reveal_id(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<String> {
    crate::access::load_doctor(state, user, id).await?;
    if !Role::REVEALERS.contains(&user.role()) {
        let e = AppError::Forbidden("只有区县和市级管理员可以查看完整身份证号".into());
        return Err(deny(
            state,
            user,
            "doctor.reveal_id_number",
            Some(format!("doctor:{id}")),
            e,
        )
        .await);
    }
    let actor = user.actor();
    let sealed = state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                crate::audit::record(
                    conn,
                    &actor,
                    &Entry::new("pii.id_number_revealed").target(format!("doctor:{id}")),
                    time::now(),
                )?;
                store::encrypted_id(conn, id)
            })
        })
        .await?;
    state.pii.decrypt(&sealed).map_err(AppError::internal)
}

/// `GET /api/v1/doctors/{id}/id-number` → `{id_number}` in full (audited).
async fn reveal(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id_number = reveal_id(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "id_number": id_number })))
}

#[derive(Debug, Deserialize)]
pub struct StatusBody {
    pub status: Option<String>,
    pub effective_on: Option<String>,
    pub note: Option<String>,
}

/// Change a doctor's status (shared with the page).
pub async fn change_status(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: &StatusBody,
) -> AppResult<()> {
    user.require(Role::ADMINS)?;
    crate::access::load_doctor(state, user, id).await?;
    let mut p = Problems::new();
    let status = p.take(
        "status",
        DoctorStatus::parse(body.status.as_deref().unwrap_or(""))
            .ok_or_else(|| "状态应为 active、left_post 或 deceased".to_owned()),
    );
    let today = time::today_cst();
    let on = match body
        .effective_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(today),
        Some(d) => p.take(
            "effective_on",
            rules::loose_date(d).and_then(|d| {
                if d > today {
                    Err("日期不能晚于今天".into())
                } else {
                    Ok(d)
                }
            }),
        ),
    };
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        p.add("note", "备注不能超过 200 个字符");
    }
    p.finish()?;
    let (Some(status), Some(on)) = (status, on) else {
        return Err(AppError::internal("checked status lost"));
    };
    let actor = user.actor();
    state
        .db(move |conn| {
            store::set_status(conn, id, status, on, note.as_deref(), &actor, time::now())
        })
        .await?;
    Ok(())
}

/// `POST /api/v1/doctors/{id}/status` `{status, effective_on?, note?}` → the doctor.
async fn set_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<StatusBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    change_status(&state, &user, id, &body).await?;
    let record = state
        .db(move |conn| store::get(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(record.view()))
}

#[derive(Debug, Deserialize)]
pub struct AccountBody {
    pub username: Option<String>,
    pub password: Option<String>,
}

/// Create the doctor's login account (shared with the page): role doctor, bound to the
/// doctor's region, linked to the record.
pub async fn open_account(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: &AccountBody,
) -> AppResult<crate::users::User> {
    user.require(Role::ADMINS)?;
    let record = crate::access::load_doctor(state, user, id).await?;
    if record.doctor.user_id.is_some() {
        return Err(AppError::Conflict("该学员已有登录账号".into()));
    }
    let create = crate::users::CreateUserBody {
        username: body.username.clone(),
        password: body.password.clone(),
        display_name: Some(record.doctor.name.clone()),
        role: Some("doctor".into()),
        region_code: Some(record.doctor.region_code.clone()),
    };
    let prepared = crate::users::api::prepare_user(state, user, &create).await?;
    let actor = user.actor();
    let account = state
        .db(move |conn| {
            crate::db::write(conn, |conn| {
                let account = crate::users::store::insert(
                    conn,
                    &prepared.new,
                    &prepared.hash,
                    &actor,
                    time::now(),
                )?;
                store::link_user(conn, id, account.id)?;
                Ok::<_, AppError>(account)
            })
        })
        .await?;
    Ok(account)
}

/// `POST /api/v1/doctors/{id}/account` `{username,password}` → 201 user.
async fn create_account(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AccountBody>,
) -> AppResult<HttpResponse> {
    let account = open_account(&state, &user, path.into_inner(), &body).await?;
    let region = user.region.clone();
    Ok(
        HttpResponse::Created().json(account.view(if account.region_code == region.code {
            Some(&region)
        } else {
            None
        })),
    )
}

/// Limits of a roster upload: 20 MB, 200,000 rows, 400 MB unzipped.
pub fn upload_limits() -> Limits {
    Limits::default()
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    pub dry_run: Option<String>,
    pub county: Option<String>,
    pub program_id: Option<String>,
}

/// The county an import goes into: a county admin's own; a city admin or sysadmin must
/// name one in its region.
pub async fn import_county(
    state: &AppState,
    user: &CurrentUser,
    county: Option<&str>,
) -> AppResult<Region> {
    user.require(Role::ADMINS)?;
    let county = county.map(str::trim).filter(|c| !c.is_empty());
    let code = match (user.role(), county) {
        (Role::CountyAdmin, None) => user.region.code.clone(),
        (_, Some(c)) => c.to_owned(),
        (_, None) => return Err(AppError::field("county", "请指定导入的区（市）县代码")),
    };
    let region = state
        .db({
            let code = code.clone();
            move |conn| crate::regions::store::resolve(conn, &code)
        })
        .await?
        .ok_or_else(|| AppError::field("county", "未知的区县代码"))?;
    if !user.scope().contains_path(&region.path) {
        let e = AppError::Forbidden("不能向其他区县导入学员".into());
        return Err(deny(
            state,
            user,
            "roster.import",
            Some(format!("region:{code}")),
            e,
        )
        .await);
    }
    if region.level() != Some(Level::County) {
        return Err(AppError::field("county", "应为区（市）县代码"));
    }
    Ok(region)
}

/// Run an import of spreadsheet bytes (API, page and CLI share it).
pub async fn import_bytes(
    state: &AppState,
    user: &CurrentUser,
    county: Region,
    program_id: Option<i64>,
    dry_run: bool,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let sheet =
        crate::sheet::read(&bytes, &upload_limits()).map_err(|m| AppError::field("file", m))?;
    let target = import::Target {
        county,
        program_id,
        dry_run,
    };
    let actor = user.actor();
    let pii = state.pii.clone();
    state
        .db(move |conn| {
            import::run(
                conn,
                &pii,
                &sheet,
                &target,
                &actor,
                time::today_cst(),
                time::now(),
                &|_| {},
            )
        })
        .await
}

/// `POST /api/v1/doctors/import?dry_run=&county=&program_id=`, multipart `file` →
/// `{created,updated,unchanged,errors:[{row,field,column,message}]}`; any error → 422
/// with the report, nothing written.
async fn import_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<HttpResponse> {
    let dry_run = crate::regions::api::parse_dry_run(query.dry_run.as_deref())?;
    let program_id = match query
        .program_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .map_err(|_| AppError::field("program_id", "应为整数"))?,
        ),
    };
    let county = import_county(&state, &user, query.county.as_deref()).await?;
    let upload = read_form(multipart, upload_limits().max_bytes)
        .await?
        .require_file()?;
    let report = import_bytes(&state, &user, county, program_id, dry_run, upload.bytes).await?;
    Ok(if report.errors.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    })
}

fn xlsx(bytes: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
                crate::page::encode_query_value(filename)
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

/// `GET /api/v1/doctors/import-template.xlsx` → the template, with drop-downs and notes.
async fn template(user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    Ok(xlsx(
        super::sheets::template().map_err(AppError::internal)?,
        "学员花名册导入模板.xlsx",
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(flatten)]
    pub list: ListQuery,
    pub full_id: Option<String>,
}

/// The roster as `.xlsx` (shared with the page): the filtered list, every page; full ID
/// numbers only for county and city admins who ask. Audited either way.
pub async fn export_bytes(
    state: &AppState,
    user: &CurrentUser,
    query: &ExportQuery,
) -> AppResult<Vec<u8>> {
    user.require(Role::ADMINS)?;
    let full = crate::regions::api::parse_dry_run(query.full_id.as_deref())
        .map_err(|_| AppError::field("full_id", "应为 true 或 false"))?;
    if full && !Role::REVEALERS.contains(&user.role()) {
        return Err(AppError::Forbidden(
            "只有区县和市级管理员可以导出完整身份证号".into(),
        ));
    }
    let (filter, _) = parse_filter(state, user, &query.list).await?;
    let scope = user.scope();
    let actor = user.actor();
    let pii = state.pii.clone();
    let rows = state
        .db(move |conn| {
            let (records, total) = store::list(conn, &scope, &filter, 0, i64::MAX)?;
            let mut out = Vec::with_capacity(records.len());
            for r in &records {
                let id_number = if full {
                    pii.decrypt(&store::encrypted_id(conn, r.doctor.id)?)
                        .map_err(AppError::internal)?
                } else {
                    r.doctor.id_number_masked.clone()
                };
                out.push((r.clone(), id_number));
            }
            crate::audit::record(
                conn,
                &actor,
                &Entry::new("pii.roster_exported")
                    .detail(serde_json::json!({ "rows": total, "full_id_numbers": full })),
                time::now(),
            )?;
            Ok::<_, AppError>(out)
        })
        .await?;
    super::sheets::export(&rows).map_err(AppError::internal)
}

/// `GET /api/v1/doctors/export.xlsx?…filters…&full_id=false`.
async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let bytes = export_bytes(&state, &user, &query).await?;
    Ok(xlsx(
        bytes,
        &format!("学员花名册-{}.xlsx", time::today_cst()),
    ))
}
