//! `/api/v1/tutoring/...` and `/api/v1/doctors/{id}/tutoring`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::views::{Items, Missing};
use super::{
    ActivityBody, EvaluationBody, GroupBody, ListQuery, MembersBody, ProposalBody, TeamBody, ops,
};
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::Body;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tutoring/teams", web::post().to(create_team))
        .route("/tutoring/teams", web::get().to(list_teams))
        .route("/tutoring/groups/proposal", web::post().to(propose))
        .route("/tutoring/groups", web::post().to(create_group))
        .route("/tutoring/groups", web::get().to(list_groups))
        .route("/tutoring/groups/{id}", web::get().to(get_group))
        .route("/tutoring/groups/{id}/archive.xlsx", web::get().to(archive))
        .route(
            "/tutoring/groups/{id}/archive.pdf",
            web::get().to(archive_pdf),
        )
        .route(
            "/tutoring/groups/{id}/notice.pdf",
            web::get().to(notice_pdf),
        )
        .route("/tutoring/groups/{id}/members", web::put().to(set_members))
        .route(
            "/tutoring/groups/{id}/activities",
            web::post().to(log_activity),
        )
        .route(
            "/tutoring/groups/{id}/evaluations",
            web::post().to(evaluate),
        )
        .route("/tutoring/evaluations/missing", web::get().to(missing))
        .route("/tutoring/notice.pdf", web::get().to(township_notice_pdf))
        .route("/doctors/{id}/tutoring", web::get().to(doctor_tutoring));
}

/// `POST /api/v1/tutoring/teams` `{name,region_code,program_id?,members:[{instructor_id,
/// role,dispatched?,home_org_id?,level?}]}` → 201 the team.
#[utoipa::path(
    post,
    path = "/tutoring/teams",
    operation_id = "tutoring_create_team",
    tag = "tutoring",
    request_body = TeamBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<TeamBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::create_team(&state, &caller, &body).await?))
}

/// `GET /api/v1/tutoring/teams?region=` → `{items}`.
#[utoipa::path(
    get,
    path = "/tutoring/teams",
    operation_id = "tutoring_list_teams",
    tag = "tutoring",
    params(ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_teams(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let items = ops::list_teams(&state, &caller, query.into_inner().region).await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `POST /api/v1/tutoring/groups/proposal` → `{groups:[{name,criteria,doctor_ids}]}`.
#[utoipa::path(
    post,
    path = "/tutoring/groups/proposal",
    operation_id = "tutoring_propose",
    tag = "tutoring",
    request_body = ProposalBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn propose(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<ProposalBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::propose(&state, &caller, &body).await?))
}

/// `POST /api/v1/tutoring/groups` `{name,program_id,region_code,team_id,doctor_ids}` →
/// 201 the group.
#[utoipa::path(
    post,
    path = "/tutoring/groups",
    operation_id = "tutoring_create_group",
    tag = "tutoring",
    request_body = GroupBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    Body(body): Body<GroupBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(ops::create_group(&state, &caller, &body).await?))
}

/// `GET /api/v1/tutoring/groups?region=&program_id=` → `{items}`.
#[utoipa::path(
    get,
    path = "/tutoring/groups",
    operation_id = "tutoring_list_groups",
    tag = "tutoring",
    params(ListQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn list_groups(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let items = ops::list_groups(&state, &caller, q.region, q.program_id).await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `GET /api/v1/tutoring/groups/{id}` → `{id,name,region_code,team,members,evaluations,…}`.
#[utoipa::path(
    get,
    path = "/tutoring/groups/{id}",
    operation_id = "tutoring_get_group",
    tag = "tutoring",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn get_group(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (view, _) = ops::find(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/tutoring/groups/{id}/archive.xlsx` → the group's archive (带教档案).
#[utoipa::path(
    get,
    path = "/tutoring/groups/{id}/archive.xlsx",
    operation_id = "tutoring_archive",
    tag = "tutoring",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn archive(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (view, _) = ops::find(&state, &caller, id).await?;
    let bytes = super::archive::archive_xlsx(&view).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"tutoring-group-{id}.xlsx\""),
        ))
        .body(bytes))
}

/// `GET /api/v1/tutoring/groups/{id}/notice.pdf` → the 公示 notice (team and members,
/// the posting period from today).
#[utoipa::path(
    get,
    path = "/tutoring/groups/{id}/notice.pdf",
    operation_id = "tutoring_notice_pdf",
    tag = "tutoring",
    params(("id" = i64, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn notice_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (view, _) = ops::find(&state, &caller, path.into_inner()).await?;
    let (posted, until) = super::rules::posting_period(crate::time::today_cst());
    let bytes = super::notice::notice_pdf(&view, posted, until);
    Ok(crate::documents::pdf_response(
        &format!("{}公示", view.name),
        bytes,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct NoticeQuery {
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    region: Option<String>,
}

/// `GET /api/v1/tutoring/notice.pdf?region=CODE` → a township's 公示: every group with
/// members there, its team and those members.
#[utoipa::path(
    get,
    path = "/tutoring/notice.pdf",
    operation_id = "tutoring_township_notice_pdf",
    tag = "tutoring",
    params(NoticeQuery),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn township_notice_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<NoticeQuery>,
) -> AppResult<HttpResponse> {
    let code = query
        .into_inner()
        .region
        .ok_or_else(|| AppError::field("region", "请选择乡镇"))?;
    let (region, groups) = ops::township_notice(&state, &caller, code).await?;
    let (posted, until) = super::rules::posting_period(crate::time::today_cst());
    let bytes = super::notice::township_notice_pdf(&region, &groups, posted, until);
    Ok(crate::documents::pdf_response(
        &format!("{region}学习小组公示"),
        bytes,
    ))
}

/// `GET /api/v1/tutoring/groups/{id}/archive.pdf` → the group's archive, printable.
#[utoipa::path(
    get,
    path = "/tutoring/groups/{id}/archive.pdf",
    operation_id = "tutoring_archive_pdf",
    tag = "tutoring",
    params(("id" = i64, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn archive_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (view, _) = ops::find(&state, &caller, path.into_inner()).await?;
    let bytes = super::notice::archive_pdf(&view);
    Ok(crate::documents::pdf_response(
        &format!("{}带教档案", view.name),
        bytes,
    ))
}

/// `PUT /api/v1/tutoring/groups/{id}/members` `{doctor_ids}` → the group.
#[utoipa::path(
    put,
    path = "/tutoring/groups/{id}/members",
    operation_id = "tutoring_set_members",
    tag = "tutoring",
    params(("id" = i64, Path)),
    request_body = MembersBody,
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn set_members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<MembersBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::set_members(&state, &caller, path.into_inner(), &body).await?))
}

/// `POST /api/v1/tutoring/groups/{id}/activities` `{kind,starts_at,ends_at,topic,
/// doctor_ids,note?}` → 201.
#[utoipa::path(
    post,
    path = "/tutoring/groups/{id}/activities",
    operation_id = "tutoring_log_activity",
    tag = "tutoring",
    params(("id" = i64, Path)),
    request_body = ActivityBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn log_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<ActivityBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(ops::log_activity(&state, &caller, path.into_inner(), &body).await?))
}

/// `POST /api/v1/tutoring/groups/{id}/evaluations` `{month,score,progress,remarks}` → 201.
#[utoipa::path(
    post,
    path = "/tutoring/groups/{id}/evaluations",
    operation_id = "tutoring_evaluate",
    tag = "tutoring",
    params(("id" = i64, Path)),
    request_body = EvaluationBody,
    responses((status = 201, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn evaluate(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    Body(body): Body<EvaluationBody>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(ops::evaluate(&state, &caller, path.into_inner(), &body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MissingQuery {
    /// 月份，YYYY-MM
    month: Option<String>,
    /// 地区代码：只含该地区及其下级（须在调用者的辖区内）
    region: Option<String>,
}

/// `GET /api/v1/tutoring/evaluations/missing?month=YYYY-MM&region=CODE` →
/// `{month,items:[{group_id,name}]}`.
#[utoipa::path(
    get,
    path = "/tutoring/evaluations/missing",
    operation_id = "tutoring_missing",
    tag = "tutoring",
    params(MissingQuery),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn missing(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<MissingQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let (month, items) = ops::missing(&state, &caller, q.month, q.region).await?;
    Ok(HttpResponse::Ok().json(Missing {
        month: month.to_string(),
        items,
    }))
}

/// `GET /api/v1/doctors/{id}/tutoring` → the doctor's group, team and evaluations.
#[utoipa::path(
    get,
    path = "/doctors/{id}/tutoring",
    operation_id = "tutoring_doctor_tutoring",
    tag = "tutoring",
    params(("id" = i64, Path)),
    responses((status = 200, description = "成功", body = serde_json::Value), crate::openapi::Problems),
    security(("bearer" = [])),
)]
async fn doctor_tutoring(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ops::doctor_groups(&state, &caller, path.into_inner()).await?))
}
