//! `POST /api/v1/doctors/{id}/platform-accounts` `{platform, account}` → 204.

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Body;
use crate::state::AppState;
use crate::study::ops::accounts::{self, AccountBody};

#[utoipa::path(
    post,
    path = "/doctors/{id}/platform-accounts",
    operation_id = "study_accounts_link",
    tag = "study",
    params(("id" = i64, Path)),
    request_body = AccountBody,
    responses((status = 204, description = "成功，无内容"), crate::openapi::Problems),
    security(("bearer" = [])),
)]
pub async fn link(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AccountBody>,
) -> AppResult<HttpResponse> {
    accounts::link(&state, &user, path.into_inner(), body).await?;
    Ok(HttpResponse::NoContent().finish())
}
