//! The rotating check-in code, for those who run a session.

use super::find_in;
use crate::access::Caller;
use crate::error::{AppError, AppResult};
use crate::sessions::rules::{self, Access};
use crate::sessions::store;
use crate::sessions::views::CheckinCode;
use crate::state::AppState;
use crate::time;

/// The current code, its expiry, the check-in link (under `base`, e.g.
/// `https://host`) and its QR code; or when check-in opens.
#[tracing::instrument(skip(state, caller, base), fields(caller = caller.user_id, session = id))]
pub async fn current(
    state: &AppState,
    caller: &Caller,
    base: String,
    id: i64,
) -> AppResult<CheckinCode> {
    let caller = caller.clone();
    let (found, secret) = state
        .db(move |conn| {
            let (found, how) = find_in(conn, &caller, id)?;
            if how != Access::Runs {
                return Err(AppError::Forbidden(
                    "只有授课老师和管理员可以查看签到码".into(),
                ));
            }
            let secret = store::secret(conn, id)?;
            Ok((found, secret))
        })
        .await?;
    let now = time::now();
    let s = &found.session;
    if !rules::checkin_open(s.starts_at, s.ends_at, now) {
        return Ok(CheckinCode {
            open: false,
            opens_at: Some(time::rfc3339(s.starts_at - rules::OPENS_BEFORE)),
            code: None,
            valid_until: None,
            url: None,
            qr_svg: None,
        });
    }
    let code = rules::code_at(&secret, id, now);
    let url = format!("{base}/checkin/{id}?code={code}");
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .build()
        })
        .map_err(AppError::internal)?;
    Ok(CheckinCode {
        open: true,
        opens_at: None,
        code: Some(code),
        valid_until: Some(time::rfc3339(rules::code_valid_until(now))),
        url: Some(url),
        qr_svg: Some(svg),
    })
}
