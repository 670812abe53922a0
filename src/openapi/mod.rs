//! The OpenAPI 3 document of `/api/v1`, generated from the code: every API handler carries
//! a `#[utoipa::path]`, each area lists its handlers in `paths.rs`, and this module
//! assembles them under `/api/v1`. The explorer (Swagger UI) is served from the binary
//! too (`utoipa-swagger-ui`, vendored): county networks may have no internet.

mod paths;
mod schemas;

use std::sync::OnceLock;

use actix_web::{HttpResponse, http::header, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

pub use schemas::{Binary, Problem, ProblemField, Problems, PublicProblems, Upload};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";
/// Where the explorer is served.
pub const EXPLORER_PATH: &str = "/api/v1/docs/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "村医培训考核平台 API",
        description = "JSON API of cunyi, version 1. Log in with `POST /api/v1/auth/login`, \
                       then send `Authorization: Bearer <token>`. Errors are \
                       `application/problem+json`; lists take `?page=&per_page=` (max 500)."
    ),
    components(schemas(Problem, ProblemField, Binary, Upload)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "登录、退出与本人账号"),
        (name = "users", description = "账号"),
        (name = "regions", description = "行政区划"),
        (name = "program", description = "培训项目"),
        (name = "orgs", description = "机构"),
        (name = "roster", description = "村医（学员）花名册"),
        (name = "instructors", description = "带教老师"),
        (name = "study", description = "学时台账与审核"),
        (name = "sessions", description = "集中培训"),
        (name = "shadowing", description = "脱产跟班学习"),
        (name = "tutoring", description = "辅导带教"),
        (name = "support", description = "3331 巡回支持"),
        (name = "bank", description = "题库"),
        (name = "exams", description = "理论考试"),
        (name = "skills", description = "技能考核"),
        (name = "assessment", description = "平时、年度与结业考核"),
        (name = "reports", description = "报表报送"),
        (name = "dossier", description = "一人一册"),
        (name = "archive", description = "附件归档"),
        (name = "notify", description = "邮件发件箱"),
        (name = "audit", description = "审计日志"),
    )
)]
struct Root;

/// The bearer token every endpoint but login takes.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole document; it depends on the code only, so it is built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // Merged first: two areas may share a path with different methods.
        let mut areas = utoipa::openapi::OpenApiBuilder::new().build();
        for area in paths::areas() {
            areas.merge(area);
        }
        Root::openapi().nest("/api/v1", areas)
    })
}

/// `GET /api/v1/openapi.json` and the explorer under `/api/v1/docs/`; registered before
/// the `/api/v1` scope, whose default answer is the no-route 404.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/docs", web::get().to(to_explorer))
        .service(SwaggerUi::new("/api/v1/docs/{_:.*}").url(DOCUMENT_PATH, document().clone()));
}

/// The explorer's scripts, styles and images are files of the binary (the same for as
/// long as it runs): a day in the browser's cache, instead of the `no-store` of answers.
pub fn explorer_asset_cache(path: &str) -> Option<&'static str> {
    let file = path.strip_prefix(EXPLORER_PATH)?;
    [".js", ".css", ".png"]
        .iter()
        .any(|ext| file.ends_with(ext))
        .then_some("public, max-age=86400")
}

/// The explorer's assets are addressed relative to its folder.
async fn to_explorer() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, EXPLORER_PATH))
        .finish()
}
