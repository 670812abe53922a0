//! Linking a doctor's online-platform account.

use serde::Deserialize;

use crate::access::{self, Caller, Role};
use crate::error::{AppResult, Problems};
use crate::state::AppState;
use crate::study::store;

/// `POST /api/v1/doctors/{id}/platform-accounts`, as sent.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = study::AccountBody)]
pub struct AccountBody {
    pub platform: Option<String>,
    pub account: Option<String>,
}

/// Link `account` on `platform` to a doctor the admin sees (an account belongs to one
/// doctor).
#[tracing::instrument(skip(state, caller, body), fields(caller = caller.user_id))]
pub async fn link(
    state: &AppState,
    caller: &Caller,
    doctor_id: i64,
    body: AccountBody,
) -> AppResult<()> {
    caller.require(Role::ADMINS)?;
    let caller = caller.clone();
    state
        .db(move |conn| {
            let doctor = access::doctor(conn, &caller, doctor_id)?;
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
            store::accounts::link_platform_account(conn, &platform, &account, doctor.doctor.id)
        })
        .await
}
