//! Study pages: the doctor's phone page (progress bars, what is pending, upcoming
//! sessions, logging study), the review queue, and the county progress table with its
//! distribution chart and export.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::{Deserialize, Serialize};

use super::api::{attach, progress_of, queue, record, review};
use super::rules::{self, Progress};
use super::{RecordBody, RecordStatus, StudyKind, StudyRecord, store};
use crate::auth::{CurrentUser, PageUser, Role};
use crate::error::{AppError, AppResult, FieldError, Problems};
use crate::extract::{PageParams, Paging, read_form};
use crate::page::{
    FormErrors, Nav, PageResult, Pager, check_csrf, encode_query_value, html, html_status,
    see_other,
};
use crate::state::AppState;
use crate::time;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/study", web::get().to(mine))
        .route("/study", web::post().to(log))
        .route("/study/review", web::get().to(review_queue))
        .route("/study/review/{id}", web::post().to(decide))
        .route("/progress", web::get().to(table))
        .route("/study/import", web::get().to(import_form))
        .route("/study/import", web::post().to(import_check))
        .route("/study/import/confirm", web::post().to(import_confirm));
}

/// One bar of the doctor's page.
pub struct Bar {
    pub label: &'static str,
    pub done: i32,
    pub required: i32,
    pub pending: i32,
    pub met: bool,
}

impl Bar {
    /// Hours with one decimal, for people.
    pub fn hours(minutes: &i32) -> String {
        let h = f64::from(*minutes) / 60.0;
        if (h - h.round()).abs() < 0.05 {
            format!("{h:.0}")
        } else {
            format!("{h:.1}")
        }
    }
}

fn bars(p: &Progress) -> Vec<Bar> {
    let mut out = vec![Bar {
        label: "线上自学",
        done: p.online.hours.credited_minutes,
        required: p.online.hours.required_minutes,
        pending: p.online.hours.pending_minutes,
        met: p.online.hours.met,
    }];
    for (label, k) in [("集中培训", &p.centralized), ("脱产跟班", &p.shadowing)] {
        if k.required_minutes > 0 || k.credited_minutes > 0 {
            out.push(Bar {
                label,
                done: k.credited_minutes,
                required: k.required_minutes,
                pending: k.pending_minutes,
                met: k.met,
            });
        }
    }
    if let Some(c) = &p.combined {
        out.push(Bar {
            label: "带教+跟班+技能",
            done: c.credited_minutes,
            required: c.required_minutes,
            pending: 0,
            met: c.met,
        });
    }
    out
}

/// A record as a line of the page.
pub struct Line {
    pub r: StudyRecord,
    pub kind: &'static str,
    pub status: &'static str,
}

fn line(r: StudyRecord) -> Line {
    Line {
        kind: r.kind().label(),
        status: r.status().label(),
        r,
    }
}

#[derive(Template)]
#[template(path = "study/mine.html")]
struct MinePage {
    nav: Option<Nav>,
    csrf: String,
    name: String,
    bars: Vec<Bar>,
    status: &'static str,
    behind: bool,
    makeup_deadline: Option<String>,
    recent: Vec<Line>,
    sessions: Vec<crate::sessions::pages::Row>,
    courses: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    notice: Option<&'static str>,
    today: String,
    placements: Vec<(i64, String, String)>,
}

async fn mine_page(
    state: &AppState,
    user: &PageUser,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<MinePage, AppError> {
    if user.role() != Role::Doctor {
        return Err(AppError::Forbidden(
            "“我的学习”供学员使用；管理员请使用学习进度表".into(),
        ));
    }
    let id = user.id();
    let doctor = state
        .db(move |conn| crate::roster::store::by_user(conn, id))
        .await?
        .ok_or_else(|| {
            AppError::Forbidden("您的账号没有关联学员档案，请联系区县卫生健康局".into())
        })?;
    let p = progress_of(state, &doctor).await?;
    let (doctor_id, program_id) = (doctor.doctor.id, doctor.doctor.program_id);
    let (records, courses, placements) = state
        .db(move |conn| {
            Ok::<_, diesel::result::Error>((
                store::of_doctor(conn, doctor_id)?,
                store::courses_of(conn, program_id)?,
                crate::shadowing::store::of_doctor(conn, doctor_id)?,
            ))
        })
        .await?;
    let upcoming =
        crate::sessions::api::list_for(state, user, &crate::sessions::api::ListQuery::default())
            .await?;
    Ok(MinePage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        name: doctor.doctor.name.clone(),
        bars: bars(&p),
        status: match p.completion.status {
            "hours_met" => "学时已达标",
            "makeup_study" => "学时未达标，需补修",
            _ => "学习中",
        },
        behind: p.completion.behind_schedule,
        makeup_deadline: p.completion.makeup_deadline.map(|d| d.to_string()),
        recent: records.into_iter().take(20).map(line).collect(),
        sessions: upcoming
            .items
            .into_iter()
            .take(5)
            .map(crate::sessions::pages::row)
            .collect(),
        courses: courses.into_iter().map(|c| (c.code, c.title)).collect(),
        kinds: StudyKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        errors: errors.into(),
        notice,
        today: time::today_cst().to_string(),
        placements: placements
            .into_iter()
            .map(|(p, base)| (p.id, base, format!("{} 至 {}", p.starts_on, p.ends_on)))
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "study/unlinked.html")]
struct UnlinkedPage {
    nav: Option<Nav>,
}

/// `GET /study`: the doctor's own page (or what to do when its account has no record).
async fn mine(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<NoticeQuery>,
) -> PageResult {
    let id = user.id();
    if user.role() == Role::Doctor
        && state
            .db(move |conn| crate::roster::store::by_user(conn, id))
            .await?
            .is_none()
    {
        return html(&UnlinkedPage {
            nav: Nav::of(&user),
        });
    }
    let notice = query.done.as_deref().map(|_| "已提交，待审核后计入学时。");
    html(&mine_page(&state, &user, Vec::new(), notice).await?)
}

/// `POST /study` (multipart: the record, and an optional photo as evidence).
async fn log(state: web::Data<AppState>, user: PageUser, multipart: Multipart) -> PageResult {
    let form = read_form(multipart, super::api::MAX_EVIDENCE)
        .await
        .map_err(crate::page::PageError::from)?;
    check_csrf(&user, form.field("csrf"))?;
    let id = user.id();
    let doctor = state
        .db(move |conn| crate::roster::store::by_user(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let body = RecordBody {
        doctor_id: Some(doctor.doctor.id),
        kind: Some(form.field("kind").to_owned()),
        minutes: form.field("minutes").trim().parse().ok(),
        occurred_on: Some(form.field("occurred_on").to_owned()),
        course_code: Some(form.field("course_code").to_owned()),
        note: Some(form.field("note").to_owned()),
    };
    let photo = form.file.filter(|f| !f.bytes.is_empty());
    if let Some(p) = &photo
        && super::api::image_type(&p.bytes).is_none()
    {
        let errors = vec![FieldError {
            field: "file".into(),
            message: "请上传 JPG、PNG 或 WebP 图片".into(),
        }];
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &mine_page(&state, &user, errors, None).await?,
        );
    }
    match record(&state, &user, &body).await {
        Ok(r) => {
            if let Some(p) = photo {
                attach(&state, &user, r.id, p.bytes).await?;
            }
            Ok(see_other("/study?done=1"))
        }
        Err(AppError::Validation(errors)) => html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &mine_page(&state, &user, errors, None).await?,
        ),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let errors = vec![FieldError {
                field: "form".into(),
                message: e.to_string(),
            }];
            html_status(
                actix_web::ResponseError::status_code(&e),
                &mine_page(&state, &user, errors, None).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A pending record with its doctor, for reviewers.
pub struct Pending {
    pub line: Line,
    pub doctor: String,
    pub has_photo: bool,
}

#[derive(Template)]
#[template(path = "study/review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<Pending>,
    notice: Option<String>,
    error: Option<String>,
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ReviewPage, AppError> {
    let items = queue(state, user).await?;
    let ids: Vec<i64> = items.iter().map(|(r, _)| r.id).collect();
    let with_photo: Vec<i64> = state
        .db(move |conn| {
            use crate::db::schema::evidence_files;
            use diesel::prelude::*;
            evidence_files::table
                .filter(evidence_files::record_id.eq_any(&ids))
                .select(evidence_files::record_id)
                .load::<i64>(conn)
        })
        .await?;
    Ok(ReviewPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        items: items
            .into_iter()
            .map(|(r, doctor)| Pending {
                has_photo: with_photo.contains(&r.id),
                line: line(r),
                doctor,
            })
            .collect(),
        notice,
        error,
    })
}

/// `GET /study/review`.
async fn review_queue(state: web::Data<AppState>, user: PageUser) -> PageResult {
    html(&review_page(&state, &user, None, None).await?)
}

#[derive(Debug, Deserialize)]
struct DecideForm {
    csrf: Option<String>,
    decision: Option<String>,
    note: Option<String>,
}

/// `POST /study/review/{id}`.
async fn decide(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    let approve = form.decision.as_deref() == Some("approve");
    match review(&state, &user, id, approve, form.note.clone()).await {
        Ok(r) => {
            let notice = format!(
                "已{}：{} 分钟{}",
                if approve { "认定" } else { "退回" },
                r.minutes,
                r.kind().label()
            );
            html(&review_page(&state, &user, Some(notice), None).await?)
        }
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_))) => html_status(
            actix_web::ResponseError::status_code(&e),
            &review_page(&state, &user, None, Some(e.to_string())).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `GET /progress` (and the API's) filters.
#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    #[serde(flatten)]
    pub paging: PageParams,
    pub region: Option<String>,
    /// `true` keeps only doctors behind schedule.
    pub behind: Option<String>,
    pub status: Option<String>,
}

/// One doctor's line of the progress table.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressRow {
    pub doctor_id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub township_code: Option<String>,
    pub cohort_year: i32,
    pub online_minutes: i64,
    pub online_required: i32,
    pub centralized_minutes: i64,
    pub centralized_required: i32,
    pub shadowing_minutes: i64,
    pub shadowing_required: i32,
    pub pending_minutes: i64,
    pub hours_met: bool,
    pub behind_schedule: bool,
    /// Credited share of all required hours, 0–1.
    pub share: f64,
}

/// The progress table of the caller's doctors — one aggregate query over the ledger,
/// then the rules per doctor — filtered, unpaged.
pub async fn table_rows(
    state: &AppState,
    user: &CurrentUser,
    query: &TableQuery,
) -> AppResult<(Vec<ProgressRow>, Paging)> {
    user.require(Role::ADMINS)?;
    let mut p = Problems::new();
    let paging = Paging::parse(&query.paging, &mut p);
    let behind_only = match query.behind.as_deref().unwrap_or("") {
        "" | "false" => false,
        "true" | "1" => true,
        _ => {
            p.add("behind", "应为 true 或 false");
            false
        }
    };
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => Some(crate::roster::DoctorStatus::Active),
        Some("all") => None,
        Some(s) => p
            .take(
                "status",
                crate::roster::DoctorStatus::parse(s)
                    .map(Some)
                    .ok_or_else(|| "未知状态".to_owned()),
            )
            .flatten(),
    };
    p.finish()?;
    let mut scope = user.scope();
    if let Some(code) = query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let code = code.to_owned();
        let region = state
            .db(move |conn| crate::regions::store::resolve(conn, &code))
            .await?
            .filter(|r| scope.contains_path(&r.path))
            .ok_or(AppError::NotFound)?;
        scope = region.scope();
    }
    let today = time::today_cst();
    let rows = state
        .db(move |conn| {
            let filter = crate::roster::DoctorFilter {
                status,
                ..Default::default()
            };
            let (doctors, _) = crate::roster::store::list(conn, &scope, &filter, 0, i64::MAX)?;
            let sums = store::sums_by_doctor(conn, &scope)?;
            let mut programs = std::collections::HashMap::new();
            let mut out = Vec::with_capacity(doctors.len());
            for d in doctors {
                let pid = d.doctor.program_id;
                if let std::collections::hash_map::Entry::Vacant(slot) = programs.entry(pid) {
                    slot.insert(crate::program::store::get(conn, pid)?);
                }
                let Some(Some(program)) = programs.get(&pid) else {
                    continue;
                };
                let req = &program.policy.requirements;
                let s = sums.get(&d.doctor.id);
                let get = |k: StudyKind, st: RecordStatus| {
                    s.and_then(|m| m.get(&(k, st))).copied().unwrap_or(0)
                };
                let credited = |k: StudyKind| get(k, RecordStatus::Approved);
                let pending: i64 = StudyKind::ALL
                    .iter()
                    .map(|k| get(*k, RecordStatus::Pending))
                    .sum();
                let end = rules::program_end(&program.policy.deadlines, program.row.end_year);
                let elapsed = end.map_or(0.0, |e| {
                    rules::elapsed_share(program.row.start_year, e, today)
                });
                let mut needs = vec![
                    (req.online_minutes, credited(StudyKind::Online)),
                    (req.centralized_minutes, credited(StudyKind::Centralized)),
                    (req.shadowing_minutes, credited(StudyKind::Shadowing)),
                ];
                if let Some(c) = &req.combined {
                    needs.push((c.minutes, c.kinds.iter().map(|k| credited(*k)).sum()));
                }
                let hours_met = needs.iter().all(|(r, c)| *c >= i64::from(*r));
                let behind = !hours_met
                    && needs.iter().any(|(r, c)| {
                        rules::behind(*r, (*c).min(i64::from(i32::MAX)) as i32, elapsed)
                    });
                let required_total: i64 = needs.iter().map(|(r, _)| i64::from(*r)).sum();
                let credited_total: i64 = needs.iter().map(|(r, c)| (*c).min(i64::from(*r))).sum();
                let view = d.view();
                out.push(ProgressRow {
                    doctor_id: d.doctor.id,
                    name: d.doctor.name.clone(),
                    region_code: d.doctor.region_code.clone(),
                    region_name: d.region_name.clone(),
                    township_code: view.township_code,
                    cohort_year: d.doctor.cohort_year,
                    online_minutes: credited(StudyKind::Online),
                    online_required: req.online_minutes,
                    centralized_minutes: credited(StudyKind::Centralized),
                    centralized_required: req.centralized_minutes,
                    shadowing_minutes: credited(StudyKind::Shadowing),
                    shadowing_required: req.shadowing_minutes,
                    pending_minutes: pending,
                    hours_met,
                    behind_schedule: behind,
                    share: if required_total > 0 {
                        credited_total as f64 / required_total as f64
                    } else {
                        1.0
                    },
                });
            }
            Ok::<_, AppError>(out)
        })
        .await?;
    let rows = rows
        .into_iter()
        .filter(|r| !behind_only || r.behind_schedule)
        .collect();
    Ok((rows, paging))
}

/// The table as `.xlsx`.
pub fn table_xlsx(rows: &[ProgressRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::sheet::{Column, XlsxBook};
    let columns = [
        Column::new("姓名", 10.0),
        Column::new("所在地", 22.0),
        Column::new("培训年度", 8.0),
        Column::new("线上（小时）", 10.0),
        Column::new("集中培训（小时）", 12.0),
        Column::new("脱产跟班（小时）", 12.0),
        Column::new("待审核（小时）", 12.0),
        Column::new("完成度", 8.0),
        Column::new("学时达标", 8.0),
        Column::new("进度落后", 8.0),
    ];
    let h = |m: i64| format!("{:.1}", m as f64 / 60.0);
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.region_name.clone(),
                r.cohort_year.to_string(),
                h(r.online_minutes),
                h(r.centralized_minutes),
                h(r.shadowing_minutes),
                h(r.pending_minutes),
                format!("{:.0}%", r.share * 100.0),
                if r.hours_met { "是" } else { "否" }.to_owned(),
                if r.behind_schedule { "是" } else { "" }.to_owned(),
            ]
        })
        .collect();
    let mut book = XlsxBook::new();
    book.sheet("学习进度", &columns, &values)?;
    book.into_bytes()
}

/// A bar of the distribution chart.
pub struct Bin {
    pub label: &'static str,
    pub count: usize,
    pub x: usize,
    pub y: usize,
    pub height: usize,
    pub label_y: usize,
}

/// How far doctors are, in fifths of their requirements (SVG drawn by the template).
pub fn histogram(rows: &[ProgressRow]) -> (Vec<Bin>, usize) {
    const LABELS: [&str; 6] = ["<20%", "20–40%", "40–60%", "60–80%", "80–99%", "达标"];
    let mut counts = [0usize; 6];
    for r in rows {
        let i = if r.hours_met {
            5
        } else {
            ((r.share * 5.0).floor() as usize).min(4)
        };
        counts[i] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (chart_h, bar_w, gap) = (140usize, 44usize, 10usize);
    let bins = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let height = count * chart_h / max;
            Bin {
                label: LABELS[i],
                count,
                x: 10 + i * (bar_w + gap),
                y: 20 + chart_h - height,
                height,
                label_y: 14 + chart_h - height,
            }
        })
        .collect();
    (bins, 10 + 6 * (bar_w + gap))
}

#[derive(Template)]
#[template(path = "study/table.html")]
struct TablePage {
    nav: Option<Nav>,
    rows: Vec<ProgressRow>,
    pager: Pager,
    bins: Vec<Bin>,
    chart_width: usize,
    total: usize,
    behind_count: usize,
    met_count: usize,
    region: String,
    behind: bool,
    regions: Vec<(String, String)>,
    query: String,
}

/// `GET /progress`.
async fn table(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<TableQuery>,
) -> PageResult {
    let query = query.into_inner();
    let all_query = TableQuery {
        paging: PageParams::default(),
        region: query.region.clone(),
        behind: None,
        status: query.status.clone(),
    };
    let (all, _) = table_rows(&state, &user, &all_query).await?;
    let (rows, paging) = table_rows(&state, &user, &query).await?;
    let (bins, chart_width) = histogram(&all);
    let code = user.region.code.clone();
    let regions = state
        .db(move |conn| crate::regions::store::children(conn, Some(&code)))
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let region = query.region.clone().unwrap_or_default();
    let behind = query.behind.as_deref() == Some("true");
    let base = format!(
        "region={}&behind={}",
        encode_query_value(&region),
        if behind { "true" } else { "" }
    );
    let total = rows.len() as i64;
    html(&TablePage {
        nav: Nav::of(&user),
        pager: Pager {
            page: paging.page,
            pages: paging.pages(total),
            total,
            base: base.clone(),
        },
        rows: rows
            .into_iter()
            .skip(paging.offset() as usize)
            .take(paging.per_page as usize)
            .collect(),
        bins,
        chart_width,
        total: all.len(),
        behind_count: all.iter().filter(|r| r.behind_schedule).count(),
        met_count: all.iter().filter(|r| r.hours_met).count(),
        region,
        behind,
        regions,
        query: base,
    })
}

#[derive(Template)]
#[template(path = "study/import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    counties: Vec<(String, String)>,
    platform: String,
    report: Option<super::import::Report>,
    token: Option<String>,
    error: Option<String>,
    done: bool,
}

async fn import_page(state: &AppState, user: &PageUser) -> Result<ImportPage, AppError> {
    let scope = user.scope();
    let counties = if user.role() == Role::CountyAdmin {
        vec![(user.region.code.clone(), user.region.name.clone())]
    } else {
        state
            .db(move |conn| {
                use crate::db::schema::regions;
                use diesel::prelude::*;
                regions::table
                    .filter(crate::regions::store::in_scope(&scope))
                    .filter(regions::level.eq("county"))
                    .order(regions::code)
                    .select((regions::code, regions::name))
                    .load::<(String, String)>(conn)
            })
            .await?
    };
    Ok(ImportPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        counties,
        platform: "ncme".into(),
        report: None,
        token: None,
        error: None,
        done: false,
    })
}

/// `GET /study/import`.
async fn import_form(state: web::Data<AppState>, user: PageUser) -> PageResult {
    user.require(Role::ADMINS)?;
    html(&import_page(&state, &user).await?)
}

fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(f) => f
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// `POST /study/import`: check a platform export; if clean, keep it for confirmation.
async fn import_check(
    state: web::Data<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> PageResult {
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let form = match read_form(multipart, crate::roster::upload_limits().max_bytes).await {
        Ok(f) => f,
        Err(e @ (AppError::PayloadTooLarge(_) | AppError::Validation(_))) => {
            page.error = Some(message(&e));
            return html_status(actix_web::ResponseError::status_code(&e), &page);
        }
        Err(e) => return Err(e.into()),
    };
    check_csrf(&user, form.field("csrf"))?;
    let platform = form.field("platform").trim().to_owned();
    page.platform = platform.clone();
    let county = crate::roster::import_county(
        &state,
        &user,
        Some(form.field("county")).filter(|c| !c.is_empty()),
    )
    .await?;
    let Some(file) = form.file.filter(|f| !f.bytes.is_empty()) else {
        page.error = Some("请选择要上传的文件".into());
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let target = super::import::Target {
        county: county.clone(),
        platform: platform.clone(),
        dry_run: true,
    };
    match super::import::run_bytes(&state, &user, target, file.bytes.clone()).await {
        Ok(report) if report.errors.is_empty() => {
            let stashed = crate::stash::Stashed {
                filename: file.filename,
                params: serde_json::json!({ "county": county.code, "platform": platform }),
                content: file.bytes,
            };
            let user_id = user.id();
            page.token = Some(
                state
                    .db(move |conn| {
                        crate::stash::put(conn, user_id, "study_import", &stashed, time::now())
                    })
                    .await?,
            );
            page.report = Some(report);
            html(&page)
        }
        Ok(report) => {
            page.report = Some(report);
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e @ AppError::Validation(_)) => {
            page.error = Some(message(&e));
            html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct ConfirmForm {
    csrf: Option<String>,
    token: Option<String>,
}

/// `POST /study/import/confirm`.
async fn import_confirm(
    state: web::Data<AppState>,
    user: PageUser,
    form: web::Form<ConfirmForm>,
) -> PageResult {
    check_csrf(&user, form.csrf.as_deref().unwrap_or_default())?;
    user.require(Role::ADMINS)?;
    let mut page = import_page(&state, &user).await?;
    let token = form.token.clone().unwrap_or_default();
    let user_id = user.id();
    let Some(stashed) = state
        .db(move |conn| crate::stash::take(conn, &token, user_id, "study_import", time::now()))
        .await?
    else {
        page.error = Some("检查结果已过期（超过 1 小时）或已导入，请重新上传文件".into());
        return html_status(StatusCode::CONFLICT, &page);
    };
    let county =
        crate::roster::import_county(&state, &user, stashed.params["county"].as_str()).await?;
    let platform = stashed.params["platform"]
        .as_str()
        .unwrap_or("ncme")
        .to_owned();
    let target = super::import::Target {
        county,
        platform,
        dry_run: false,
    };
    let report = super::import::run_bytes(&state, &user, target, stashed.content).await?;
    page.done = report.errors.is_empty();
    let status = if page.done {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.report = Some(report);
    html_status(status, &page)
}
