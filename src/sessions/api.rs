//! `/api/v1/sessions`: centralized sessions, attendance, check-in, sign-in sheets.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Datelike;
use serde::Deserialize;

use super::store::{self, When};
use super::{Session, SessionBody, check_body, rules};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, Problems};
use crate::extract::{Body, ListPage, PageParams, Paging};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sessions", web::post().to(create))
        .route("/sessions", web::get().to(list))
        .route("/sessions/{id}", web::get().to(get))
        .route("/sessions/{id}/attendance", web::post().to(attendance))
        .route("/sessions/{id}/checkin-code", web::get().to(checkin_code))
        .route("/sessions/{id}/checkin", web::post().to(checkin))
        .route("/sessions/{id}/sign-in.xlsx", web::get().to(sign_in_sheet));
}

/// How the caller relates to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An admin of its region, or an instructor who teaches it: sees everything, marks
    /// attendance, shows the code.
    Runs,
    /// A doctor of its region: sees it, checks in.
    Attends,
}

/// A session the caller may see, with its region path and name; anything else is 404.
pub async fn find(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Session, String, String, Access)> {
    let teacher = user.instructor_id;
    let scope = user.scope();
    let role = user.role();
    let user_region = user.region.path.clone();
    state
        .db(move |conn| {
            let (session, path, name) = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            let access = match role {
                Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin
                    if scope.contains_path(&path) =>
                {
                    Some(Access::Runs)
                }
                Role::Instructor => match teacher {
                    Some(t) if store::teaches(conn, id, t)? => Some(Access::Runs),
                    _ => None,
                },
                Role::Doctor if user_region.starts_with(&path) => Some(Access::Attends),
                _ => None,
            };
            match access {
                Some(a) => Ok((session, path, name, a)),
                None => Err(AppError::NotFound),
            }
        })
        .await
}

/// `POST /api/v1/sessions` → 201 session (admins, in their region).
async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    Body(body): Body<SessionBody>,
) -> AppResult<HttpResponse> {
    let view = create_session(&state, &user, &body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The creation procedure (shared with the page).
pub async fn create_session(
    state: &AppState,
    user: &CurrentUser,
    body: &SessionBody,
) -> AppResult<super::SessionView> {
    user.require(Role::ADMINS)?;
    let new = check_body(body)?;
    let scope = user.scope();
    let actor = user.actor();
    state
        .db(move |conn| {
            let region = crate::regions::store::find(conn, &new.region_code)?
                .ok_or_else(|| AppError::field("region_code", "未知的行政区划代码"))?;
            if !scope.contains_path(&region.path) {
                return Err(AppError::Forbidden("该行政区划不在您的管辖范围内".into()));
            }
            let year = (new.starts_at + chrono::Duration::hours(8)).year();
            let program = match new.program_id {
                Some(id) => crate::program::store::get(conn, id)?
                    .filter(|p| p.years().contains(&year))
                    .filter(|p| region.path.contains(&format!("/{}/", p.row.region_code)))
                    .ok_or_else(|| AppError::field("program_id", "该培训项目不覆盖此地区或年度"))?,
                None => crate::program::store::covering(conn, &region, year)?.ok_or_else(|| {
                    AppError::field(
                        "region_code",
                        format!("该地区没有覆盖 {year} 年度的培训项目"),
                    )
                })?,
            };
            let mut p = Problems::new();
            for (i, instructor) in new.instructor_ids.iter().enumerate() {
                match crate::instructors::store::get_scoped(conn, *instructor, &scope)? {
                    crate::access::Lookup::Found(_) => {}
                    _ => p.add(
                        format!("instructor_ids[{i}]"),
                        "未知的师资，或不在您的管辖范围内",
                    ),
                }
            }
            p.finish()?;
            let id = store::insert(conn, &new, program.row.id, &actor, time::now())?;
            let (session, _, name) = store::get(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(store::views(conn, vec![(session, name)])?.remove(0))
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    /// `upcoming` (default), `past` or `all`.
    pub when: Option<String>,
}

/// The sessions a caller sees: admins their region's, instructors those they teach,
/// doctors those of their region.
pub async fn list_for(
    state: &AppState,
    user: &CurrentUser,
    query: &ListQuery,
) -> AppResult<ListPage<super::SessionView>> {
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let when = match query.when.as_deref().unwrap_or("upcoming") {
        "upcoming" | "" => When::Upcoming,
        "past" => When::Past,
        "all" => When::All,
        _ => {
            p.add("when", "应为 upcoming、past 或 all");
            When::All
        }
    };
    p.finish()?;
    let teacher = user.instructor_id;
    let role = user.role();
    let scope = user.scope();
    let doctor_region = user.region.clone();
    let (items, total) = state
        .db(move |conn| {
            let now = time::now();
            match role {
                Role::Instructor => store::list(
                    conn,
                    None,
                    Some(teacher.unwrap_or(-1)),
                    when,
                    now,
                    paging.offset(),
                    paging.per_page,
                ),
                // A doctor sees the sessions of its county (and above, e.g. the city's).
                Role::Doctor => {
                    let county = crate::roster::rules::county_of_path(&doctor_region.path)
                        .unwrap_or_default();
                    let county_scope =
                        crate::roster::rules::ancestor_scope(&doctor_region.path, &county);
                    store::list(
                        conn,
                        Some(&county_scope),
                        None,
                        when,
                        now,
                        paging.offset(),
                        paging.per_page,
                    )
                }
                _ => store::list(
                    conn,
                    Some(&scope),
                    None,
                    when,
                    now,
                    paging.offset(),
                    paging.per_page,
                ),
            }
        })
        .await?;
    Ok(ListPage::new(items, total, paging))
}

/// `GET /api/v1/sessions?when=upcoming|past|all`.
async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(list_for(&state, &user, &query).await?))
}

/// `GET /api/v1/sessions/{id}` → the session; to those who run it, with its attendance.
async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (session, _, name, access) = find(&state, &user, id).await?;
    let (view, attendance) = state
        .db(move |conn| {
            let view = store::views(conn, vec![(session, name)])?.remove(0);
            let attendance = if access == Access::Runs {
                Some(store::attendance(conn, id)?)
            } else {
                None
            };
            Ok::<_, diesel::result::Error>((view, attendance))
        })
        .await?;
    let mut body = serde_json::to_value(&view).map_err(AppError::internal)?;
    if let Some(rows) = attendance {
        body["attendance_list"] = rows
            .iter()
            .map(|(r, name, id)| serde_json::json!({"doctor_id": r.doctor_id, "name": name, "id_number": id, "record_id": r.id, "source": r.source}))
            .collect();
    }
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
pub struct AttendanceBody {
    pub doctor_ids: Option<Vec<i64>>,
}

/// Mark attendance (shared with the page).
pub async fn mark_attendance(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    doctor_ids: Vec<i64>,
) -> AppResult<store::Marked> {
    let (session, path, _, access) = find(state, user, id).await?;
    if access != Access::Runs {
        return Err(AppError::Forbidden(
            "只有授课老师和管理员可以登记出勤".into(),
        ));
    }
    if doctor_ids.is_empty() {
        return Err(AppError::field("doctor_ids", "请至少选择一名学员"));
    }
    if session.starts_at > time::now() {
        return Err(AppError::Conflict("培训尚未开始，不能登记出勤".into()));
    }
    let actor = user.actor();
    state
        .db(move |conn| {
            let program =
                crate::program::store::get(conn, session.program_id)?.ok_or(AppError::NotFound)?;
            store::mark(
                conn,
                &session,
                &path,
                &doctor_ids,
                program.years(),
                &actor,
                time::today_cst(),
                time::now(),
            )
        })
        .await
}

/// `POST /api/v1/sessions/{id}/attendance` `{doctor_ids}` → credits the session's
/// minutes to each (all or none; already credited doctors are left as they are).
async fn attendance(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<AttendanceBody>,
) -> AppResult<HttpResponse> {
    let marked = mark_attendance(
        &state,
        &user,
        path.into_inner(),
        body.doctor_ids.unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(marked))
}

/// The current code, its expiry, the check-in link and its QR code (SVG).
pub async fn current_code(
    state: &AppState,
    user: &CurrentUser,
    req: &HttpRequest,
    id: i64,
) -> AppResult<serde_json::Value> {
    let (session, _, _, access) = find(state, user, id).await?;
    if access != Access::Runs {
        return Err(AppError::Forbidden(
            "只有授课老师和管理员可以查看签到码".into(),
        ));
    }
    let now = time::now();
    if !rules::checkin_open(session.starts_at, session.ends_at, now) {
        return Ok(
            serde_json::json!({ "open": false, "opens_at": time::rfc3339(session.starts_at - rules::OPENS_BEFORE) }),
        );
    }
    let secret = state.db(move |conn| store::secret(conn, id)).await?;
    let code = rules::code_at(&secret, id, now);
    let info = req.connection_info();
    let url = format!(
        "{}://{}/checkin/{id}?code={code}",
        info.scheme(),
        info.host()
    );
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .build()
        })
        .map_err(AppError::internal)?;
    Ok(serde_json::json!({
        "open": true,
        "code": code,
        "valid_until": time::rfc3339(rules::code_valid_until(now)),
        "url": url,
        "qr_svg": svg,
    }))
}

/// `GET /api/v1/sessions/{id}/checkin-code` → `{open, code, valid_until, url, qr_svg}`.
async fn checkin_code(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let body = current_code(&state, &user, &req, path.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

#[derive(Debug, Deserialize)]
pub struct CheckinBody {
    pub code: Option<String>,
}

/// A doctor checks itself in with the code (shared with the page).
pub async fn check_in(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    code: &str,
) -> AppResult<crate::study::StudyRecord> {
    if user.role() != Role::Doctor {
        return Err(AppError::Forbidden("签到仅限学员本人".into()));
    }
    let (session, path, _, _) = find(state, user, id).await?;
    let user_id = user.id();
    let doctor = state
        .db(move |conn| crate::roster::store::by_user(conn, user_id))
        .await?
        .ok_or_else(|| AppError::Forbidden("您的账号没有关联学员档案".into()))?;
    let secret = state.db(move |conn| store::secret(conn, id)).await?;
    match rules::check_code(
        &secret,
        id,
        session.starts_at,
        session.ends_at,
        code,
        time::now(),
    ) {
        Ok(()) => {}
        Err(rules::CheckinRefusal::NotOpen) => {
            return Err(AppError::Conflict(
                "不在签到时间内（培训开始前 30 分钟至结束）".into(),
            ));
        }
        Err(rules::CheckinRefusal::WrongOrExpired) => {
            return Err(AppError::field(
                "code",
                "签到码错误或已过期，请看老师屏幕上的最新签到码",
            ));
        }
    }
    let actor = user.actor();
    let doctor_id = doctor.doctor.id;
    state
        .db(move |conn| {
            let program =
                crate::program::store::get(conn, session.program_id)?.ok_or(AppError::NotFound)?;
            let marked = store::mark(
                conn,
                &session,
                &path,
                &[doctor_id],
                program.years(),
                &actor,
                time::today_cst(),
                time::now(),
            )?;
            if marked.credited == 0 {
                return Err(AppError::Conflict("您已签到，无需重复签到".into()));
            }
            crate::study::store::get(conn, marked.records[0])?.ok_or(AppError::NotFound)
        })
        .await
}

/// `POST /api/v1/sessions/{id}/checkin` `{code}` (a doctor) → 201 its attendance record.
async fn checkin(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    Body(body): Body<CheckinBody>,
) -> AppResult<HttpResponse> {
    let record = check_in(
        &state,
        &user,
        path.into_inner(),
        body.code.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(HttpResponse::Created().json(record.view()))
}

/// `GET /api/v1/sessions/{id}/sign-in.xlsx` → 签到表.
async fn sign_in_sheet(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (session, _, region_name, access) = find(&state, &user, id).await?;
    if access != Access::Runs {
        return Err(AppError::forbidden());
    }
    let rows = state.db(move |conn| store::attendance(conn, id)).await?;
    let bytes =
        super::pages::sign_in_xlsx(&session, &region_name, &rows).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"sign-in-{id}.xlsx\""),
        ))
        .body(bytes))
}
