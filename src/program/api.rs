//! `/api/v1/programs`: list, read, create (preset or full definition), edit, quotas.

use actix_web::{HttpResponse, web};

use super::{ProgramBody, QuotaUse, rules, store};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::extract::Body;
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/programs", web::get().to(list))
        .route("/programs", web::post().to(create))
        .route("/programs/presets", web::get().to(presets))
        .route("/programs/{id}", web::get().to(get))
        .route("/programs/{id}", web::put().to(update))
        .route("/programs/{id}/quotas", web::get().to(quotas));
}

/// `GET /api/v1/programs` → `{items:[program]}`, those visible from the caller's region.
async fn list(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let region = user.region.clone();
    let programs = state
        .db(move |conn| store::list_visible(conn, &region))
        .await?;
    let items: Vec<_> = programs.iter().map(|p| p.view()).collect();
    let total = items.len();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items, "total": total })))
}

/// `GET /api/v1/programs/presets` → the presets shipped, as definitions.
async fn presets(_user: CurrentUser) -> AppResult<HttpResponse> {
    let items: Vec<_> = rules::preset_keys()
        .into_iter()
        .filter_map(|k| {
            rules::preset(k).ok().map(|d| {
                serde_json::json!({
                    "key": k, "name": d.name, "region_code": d.region_code,
                    "start_year": d.start_year, "end_year": d.end_year,
                })
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /api/v1/programs/{id}`.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let program = crate::access::load_program(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(program.view()))
}

/// City admins manage their own city's programs; the sysadmin any in its region.
fn may_manage(user: &CurrentUser, region_code: &str, region_path: Option<&str>) -> bool {
    match user.role() {
        Role::CityAdmin => user.region.code == region_code,
        Role::Sysadmin => region_path.is_some_and(|p| user.scope().contains_path(p)),
        _ => false,
    }
}

/// `POST /api/v1/programs` `{preset}` or a full definition → 201 program.
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<ProgramBody>,
) -> AppResult<HttpResponse> {
    user.require(&[Role::CityAdmin, Role::Sysadmin])?;
    let def = rules::definition_from_body(&body)?;
    let code = def.region_code.clone();
    let region = state
        .db(move |conn| crate::regions::store::find(conn, &code))
        .await?;
    if region.is_some()
        && !may_manage(
            &user,
            &def.region_code,
            region.as_ref().map(|r| r.path.as_str()),
        )
    {
        return Err(AppError::Forbidden("只能为本市建立培训项目".into()));
    }
    let actor = user.actor();
    let program = state
        .db(move |conn| store::insert(conn, &def, &actor, time::now()))
        .await?;
    Ok(HttpResponse::Created().json(program.view()))
}

/// `PUT /api/v1/programs/{id}` full definition (+ optional `version`) → the program.
async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<ProgramBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let current = crate::access::load_program(&state, &user, id).await?;
    user.require(&[Role::CityAdmin, Role::Sysadmin])?;
    if !may_manage(&user, &current.row.region_code, None) && user.role() != Role::Sysadmin {
        return Err(AppError::Forbidden("只能修改本市的培训项目".into()));
    }
    // A program keeps the preset it came from; an edit is always a full definition
    // (a client that read the program sends its `preset` back unchanged).
    let body = ProgramBody {
        preset: None,
        ..body
    };
    let def = rules::definition_from_body(&body)?;
    let version = body.version;
    let actor = user.actor();
    let program = state
        .db(move |conn| store::update(conn, id, &def, version, &actor, time::now()))
        .await?;
    Ok(HttpResponse::Ok().json(program.view()))
}

/// `GET /api/v1/programs/{id}/quotas` → `{items:[{region_code,region_name,year,places,
/// enrolled,left,remaining}]}`, the rows of the caller's districts.
async fn quotas(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require(Role::ADMINS)?;
    let items = quota_rows(&state, &user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// The quota rows a caller sees (shared with the page).
pub async fn quota_rows(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Vec<QuotaUse>> {
    let program = crate::access::load_program(state, user, id).await?;
    let scope = user.scope();
    state
        .db(move |conn| store::quota_use(conn, &program, &scope))
        .await
}
