//! Test support: each test gets its own database (a temp SQLite file, or a fresh schema
//! in the PostgreSQL of `CUNYI_TEST_POSTGRES_URL`) and its own server on a free port,
//! built by the same `app::server` as `cunyi serve`.

pub mod db;
pub mod pdf;

use std::collections::HashMap;
use std::net::TcpListener;

use cunyi::audit::{Actor, Entry};
use cunyi::auth::{Role, password};
use cunyi::config::Config;
use cunyi::db::AnyConnection;
use cunyi::state::AppState;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub use db::{Backend, TestDb};

/// The token secret of every test app (tests forge tokens with it).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The ID-number key of every test app.
pub const ID_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// A password that satisfies the policy.
pub const PASSWORD: &str = "cunyi-2026";

/// Run each named `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                if $crate::support::Backend::Postgres.available() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            }
        }
    )*};
}

pub struct TestApp {
    pub addr: String,
    pub api: reqwest::Client,
    pub state: AppState,
    pub db: TestDb,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The reply, once its status is the one expected (so an arrange step cannot fail
    /// silently and let the test check the wrong thing).
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "{}", self.text);
        self
    }

    /// The fields a 422 problem names, in order.
    pub fn error_fields(&self) -> Vec<String> {
        assert_eq!(self.status, 422, "expected 422: {}", self.text);
        assert_eq!(self.header("content-type"), "application/problem+json");
        self.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub fn config_for(url: &str) -> Config {
    let vars: HashMap<&str, String> = [
        ("CUNYI_DATABASE_URL", url.to_owned()),
        ("CUNYI_JWT_SECRET", JWT_SECRET.to_owned()),
        ("CUNYI_ID_KEY", ID_KEY.to_owned()),
        ("CUNYI_DB_POOL_SIZE", "4".to_owned()),
    ]
    .into_iter()
    .collect();
    Config::from_lookup(|k| vars.get(k).cloned()).unwrap()
}

/// Start an app on a fresh database.
pub async fn spawn(backend: Backend) -> TestApp {
    let db = TestDb::new(backend);
    spawn_on(db, config_for_db).await
}

fn config_for_db(db: &TestDb) -> Config {
    config_for(&db.url)
}

/// Start an app on a given database with a given configuration.
pub async fn spawn_on(db: TestDb, config: impl FnOnce(&TestDb) -> Config) -> TestApp {
    let config = config(&db);
    let state = actix_web::rt::task::spawn_blocking(move || AppState::init(config))
        .await
        .unwrap()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let server = cunyi::app::server(state.clone(), listener, Some(1)).unwrap();
    actix_web::rt::spawn(server);
    let api = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        addr,
        api,
        state,
        db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.api.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn login_reply(&self, username: &str, password: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "username": username, "password": password })),
        )
        .await
    }

    /// Log in and return the token (panics on failure).
    pub async fn login(&self, username: &str) -> String {
        let reply = self.login_reply(username, PASSWORD).await;
        assert_eq!(reply.status, 200, "login {username}: {}", reply.text);
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// Run store code on the app's pool.
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        let mut conn = self.state.pool.get().unwrap();
        f(&mut conn)
    }

    /// Run store code on the app's pool after chaining the audit entries that wait for
    /// it (PostgreSQL's `audit_pending`), as every read of the log in the app does.
    pub fn with_settled<T>(&self, f: impl FnOnce(&mut AnyConnection) -> T) -> T {
        self.with_conn(|c| {
            cunyi::audit::settle(c).unwrap();
            f(c)
        })
    }

    /// Every audit action so far, oldest first.
    pub fn audit_actions(&self) -> Vec<String> {
        use cunyi::db::schema::audit_log::dsl::*;
        self.with_settled(|c| audit_log.order(id).select(action).load(c).unwrap())
    }

    /// The detail JSON of the newest audit row with this action.
    pub fn last_audit(&self, wanted: &str) -> Value {
        use cunyi::db::schema::audit_log::dsl::*;
        let raw: String = self.with_settled(|c| {
            audit_log
                .filter(action.eq(wanted))
                .order(id.desc())
                .select(detail)
                .first(c)
                .unwrap_or_else(|_| panic!("no audit row {wanted}"))
        });
        serde_json::from_str(&raw).unwrap()
    }

    pub fn audit_count(&self) -> i64 {
        use cunyi::db::schema::audit_log::dsl::*;
        self.with_settled(|c| audit_log.count().get_result(c).unwrap())
    }

    pub fn user_count(&self) -> i64 {
        use cunyi::db::schema::users::dsl::*;
        self.with_conn(|c| users.count().get_result(c).unwrap())
    }

    /// Start building an account directly in the database.
    pub fn user(&self, username: &str) -> UserBuilder<'_> {
        UserBuilder {
            app: self,
            username: username.to_owned(),
            role: Role::Doctor,
            region: "370402".to_owned(),
        }
    }

    /// Create the given accounts (each with [`PASSWORD`]) and log them all in.
    pub async fn accounts(&self, specs: &[(&str, Role, &str)]) -> Vec<String> {
        let mut tokens = Vec::new();
        for (name, role, region) in specs {
            self.user(name).role(*role).region(region).create();
            tokens.push(self.login(name).await);
        }
        tokens
    }
}

/// Fixture builder for accounts (crates.io's `CrateBuilder` pattern).
pub struct UserBuilder<'a> {
    app: &'a TestApp,
    username: String,
    role: Role,
    region: String,
}

impl UserBuilder<'_> {
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    pub fn region(mut self, code: &str) -> Self {
        self.region = code.to_owned();
        self
    }

    /// Insert the account; returns its id.
    pub fn create(self) -> i64 {
        let new = cunyi::users::NewUser {
            username: cunyi::auth::rules::Username::parse(&self.username).unwrap(),
            password: cunyi::auth::rules::NewPassword::parse(PASSWORD, None).unwrap(),
            display_name: format!("测试{}", self.username),
            role: self.role,
            region_code: cunyi::regions::RegionCode::parse(&self.region).unwrap(),
        };
        let hash = password::hash_blocking(PASSWORD).unwrap();
        self.app.with_conn(|c| {
            cunyi::users::store::insert(c, &new, &hash, &Actor::cli(), cunyi::time::now())
                .unwrap()
                .id
        })
    }
}

impl TestApp {
    /// Instantiate a program preset directly; returns its id.
    pub fn program(&self, preset: &str) -> i64 {
        let def = cunyi::program::rules::preset(preset).unwrap();
        self.with_conn(|c| {
            cunyi::program::store::insert(c, &def, &Actor::cli(), cunyi::time::now())
                .unwrap()
                .row
                .id
        })
    }

    /// Import townships/villages (CSV `code,name`) as the command line would.
    pub fn regions(&self, csv: &str) {
        let rows = cunyi::regions::csv::parse(csv.as_bytes(), 10_000).unwrap();
        let everything = cunyi::regions::Scope::new("", "/");
        let report = self.with_conn(|c| {
            cunyi::regions::import::run(c, &rows, &everything, false, false, cunyi::time::now())
                .unwrap()
        });
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }

    pub fn doctor_count(&self) -> i64 {
        use cunyi::db::schema::doctors::dsl::*;
        self.with_conn(|c| doctors.count().get_result(c).unwrap())
    }

    /// Import GIFT text into `collection` (area 公共卫生) as `token`; anything but 201
    /// fails the test.
    pub async fn import_gift(&self, token: &str, collection: &str, gift: &str) -> Reply {
        self.upload(
            &format!(
                "/api/v1/question-bank/import?format=gift&area=public_health&collection={collection}"
            ),
            token,
            gift.as_bytes().to_vec(),
            "q.gift",
        )
        .await
        .expect(201)
    }

    /// Send a multipart upload of `bytes` as field `file`.
    pub async fn upload(&self, path: &str, token: &str, bytes: Vec<u8>, filename: &str) -> Reply {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
        );
        let response = self
            .api
            .post(self.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }
}

impl TestApp {
    /// Register a doctor through the API (as `admin`) in `region`, optionally with an
    /// account `username` (password [`PASSWORD`]); returns its id and token.
    pub async fn doctor(
        &self,
        admin: &str,
        program: i64,
        first17: &str,
        region: &str,
        username: Option<&str>,
    ) -> (i64, Option<String>) {
        let r = self
            .post(
                "/api/v1/doctors",
                admin,
                json!({"name": "测试学员", "id_number": id_number(first17), "phone": "13800138000",
                       "education": "secondary", "qualification": "village_doctor_cert",
                       "region_code": region, "program_id": program, "cohort_year": 2026}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["id"].as_i64().unwrap();
        let token = match username {
            Some(u) => {
                let a = self
                    .post(
                        &format!("/api/v1/doctors/{id}/account"),
                        admin,
                        json!({"username": u, "password": PASSWORD}),
                    )
                    .await;
                assert_eq!(a.status, 201, "{}", a.text);
                Some(self.login(u).await)
            }
            None => None,
        };
        (id, token)
    }

    /// A session running now (started `started_minutes_ago`, an hour and a half long).
    pub async fn running_session(
        &self,
        admin: &str,
        region: &str,
        instructor_ids: &[i64],
        started_minutes_ago: i64,
    ) -> i64 {
        let start = chrono::Utc::now() - chrono::Duration::minutes(started_minutes_ago);
        let end = start + chrono::Duration::minutes(90);
        let r = self
            .post(
                "/api/v1/sessions",
                admin,
                json!({"title": "高血压规范管理", "topic": "public_health", "location": "区卫健局会议室",
                       "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(), "minutes": 90,
                       "region_code": region, "instructor_ids": instructor_ids}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["id"].as_i64().unwrap()
    }

    /// The check-in code of a session at `at`.
    pub fn code_at(&self, session: i64, at: chrono::NaiveDateTime) -> String {
        let secret = self.with_conn(|c| cunyi::sessions::store::secret(c, session).unwrap());
        cunyi::sessions::rules::code_at(&secret, session, at)
    }

    /// Minutes credited to a doctor by kind, per the progress endpoint.
    pub async fn credited(&self, token: &str, doctor: i64) -> Value {
        let p = self
            .get(&format!("/api/v1/doctors/{doctor}/progress"), token)
            .await;
        assert_eq!(p.status, 200, "{}", p.text);
        p.json()
    }
}

/// A valid synthetic ID number: 17 digits plus their check character.
pub fn id_number(first17: &str) -> String {
    format!(
        "{first17}{}",
        cunyi::roster::rules::check_char(first17.as_bytes())
    )
}

/// Record an arbitrary audit event (for chain tests).
pub fn audit_event(app: &TestApp, action: &'static str) {
    app.with_conn(|c| {
        cunyi::audit::record(c, &Actor::cli(), &Entry::new(action), cunyi::time::now()).unwrap();
        cunyi::audit::settle(c).unwrap();
    });
}
