//! Reminders by email against a REAL SMTP server: Python's `aiosmtpd` is started by the
//! test on a free port and writes every message it receives, parsed by Python's `email`
//! package, to a folder the test reads back. Queueing in the event's transaction, the
//! multipart message with its encoded Chinese subject, retry with backoff while the
//! server is down, permanent refusals, two senders, expired leases, the planner and its
//! dry run, the sysadmin's outbox (API and page), users' email addresses, `/metrics`.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use chrono::{Duration, NaiveDate};
use cunyi::audit::Actor;
use cunyi::auth::Role;
use cunyi::config::Config;
use cunyi::notify::{Mail, OutboxStatus, Params, Template};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{self, Backend, ID_KEY, JWT_SECRET, PASSWORD, TestApp, TestDb};

both_backends!(
    a_returned_filing_mails_the_county_over_smtp,
    a_rolled_back_event_queues_no_mail,
    retries_back_off_until_the_server_is_up,
    a_refused_mail_fails_and_the_sysadmin_sends_it_again,
    two_senders_never_send_one_mail_twice,
    a_crashed_senders_lease_expires,
    the_planner_queues_each_reminder_once,
    the_outbox_is_for_the_sysadmin,
    users_keep_an_email_address,
);

/// The SMTP sink: aiosmtpd on 127.0.0.1:`port`, one JSON file per message received;
/// recipients starting with `nobody` are refused with a permanent 550.
const SINK: &str = r#"
import sys, os, json, time, threading, email, email.policy
from aiosmtpd.controller import Controller
port, out = int(sys.argv[1]), sys.argv[2]
class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        old = email.message_from_bytes(raw, policy=email.policy.compat32)
        parts = {}
        for part in msg.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                parts[part.get_content_type()] = part.get_content()
        record = {
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]), "raw_subject": str(old["Subject"]),
            "message_id": str(msg["message-id"]), "content_type": msg.get_content_type(),
            "text": parts.get("text/plain"), "html": parts.get("text/html"),
        }
        name = "%d-%d" % (time.time_ns(), threading.get_ident())
        with open(os.path.join(out, name + ".tmp"), "w") as f:
            json.dump(record, f)
        os.rename(os.path.join(out, name + ".tmp"), os.path.join(out, name + ".json"))
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
threading.Event().wait()
"#;

struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .args(["-c", SINK, &port.to_string()])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd; .ci/run installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP sink did not start (is aiosmtpd installed?)"
        );
        SmtpSink { child, dir }
    }

    /// Every message received so far, oldest first.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test app whose SMTP settings point at 127.0.0.1:`port` (plain, no TLS).
async fn spawn_with_smtp(backend: Backend, port: u16) -> TestApp {
    support::spawn_on(TestDb::new(backend), move |db| {
        let vars: HashMap<&str, String> = [
            ("CUNYI_DATABASE_URL", db.url.clone()),
            ("CUNYI_JWT_SECRET", JWT_SECRET.to_owned()),
            ("CUNYI_ID_KEY", ID_KEY.to_owned()),
            ("CUNYI_DB_POOL_SIZE", "6".to_owned()),
            ("CUNYI_SMTP_HOST", "127.0.0.1".to_owned()),
            ("CUNYI_SMTP_PORT", port.to_string()),
            ("CUNYI_SMTP_TLS", "none".to_owned()),
            (
                "CUNYI_SMTP_FROM",
                "村医培训平台 <noreply@cunyi.example.cn>".to_owned(),
            ),
        ]
        .into_iter()
        .collect();
        Config::from_lookup(|k| vars.get(k).cloned()).unwrap()
    })
    .await
}

/// Run the sender once at `now` on a blocking thread, as `serve` does.
async fn send(app: &TestApp, claim: &str, now: chrono::NaiveDateTime) -> cunyi::notify::SendReport {
    let pool = app.state.pool.clone();
    let smtp = app.state.config.smtp.clone().unwrap();
    let claim = claim.to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        cunyi::notify::send_due(&pool, &smtp, &claim, now).unwrap()
    })
    .await
    .unwrap()
}

fn outbox(app: &TestApp) -> Vec<cunyi::notify::OutboxRow> {
    use cunyi::db::schema::outbox::dsl::*;
    app.with_conn(|c| {
        outbox
            .order(id)
            .select(cunyi::notify::OutboxRow::as_select())
            .load(c)
            .unwrap()
    })
}

fn reminder(key: &str, to: &str) -> Mail {
    let mut params = Params::new();
    params.insert("name", "王某华".into());
    params.insert("deadline", "2026-06-30".into());
    params.insert("days", "3".into());
    Mail {
        dedup_key: key.into(),
        template: Template::MakeupDeadline,
        user_id: None,
        recipient: to.into(),
        params,
    }
}

fn enqueue(app: &TestApp, mail: &Mail) -> bool {
    app.with_conn(|c| cunyi::notify::enqueue(c, mail, cunyi::time::now()).unwrap())
}

async fn set_email(app: &TestApp, token: &str, user: i64, email: &str) {
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/users/{user}/email"),
        Some(token),
        Some(json!({ "email": email })),
    )
    .await
    .expect(200);
}

async fn a_returned_filing_mails_the_county_over_smtp(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_with_smtp(backend, port).await;
    app.program("zaozhuang-2024");
    let admin = app
        .user("shizhong")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    // A second admin of the county, without an address: no mail for it.
    app.user("shizhong2")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    let t = app.accounts(&[("city", Role::CityAdmin, "370400")]).await;
    let (city, county) = (&t[0], app.login("shizhong").await);
    set_email(&app, &county, admin, "shizhong@wsj.example.cn").await;

    let file = |body: Value| {
        let app = &app;
        let county = county.clone();
        async move {
            let r = app.post("/api/v1/reports", &county, body).await.expect(201);
            let id = r.json()["id"].as_i64().unwrap();
            app.post(&format!("/api/v1/reports/{id}/submit"), &county, json!({}))
                .await
                .expect(200);
            id
        }
    };
    let accepted =
        file(json!({"kind": "annual_summary", "county_code": "370402", "year": 2026})).await;
    app.post(
        &format!("/api/v1/reports/{accepted}/review"),
        city,
        json!({"decision": "accept"}),
    )
    .await
    .expect(200);
    assert!(outbox(&app).is_empty(), "an accepted filing sends nothing");

    let returned = file(
        json!({"kind": "quarterly_summary", "county_code": "370402", "year": 2026, "quarter": 1}),
    )
    .await;
    app.post(
        &format!("/api/v1/reports/{returned}/review"),
        city,
        json!({"decision": "return", "comment": "请补充<表格>说明 & 附件\n第二条"}),
    )
    .await
    .expect(200);
    let queued = outbox(&app);
    assert_eq!(queued.len(), 1, "one mail, to the admin with an address");
    assert_eq!(queued[0].status, OutboxStatus::Pending);
    assert_eq!(queued[0].recipient, "shizhong@wsj.example.cn");
    assert_eq!(queued[0].template, Template::FilingReturned);

    let report = send(&app, "test", cunyi::time::now()).await;
    assert_eq!((report.claimed, report.sent), (1, 1), "{report:?}");
    let row = &outbox(&app)[0];
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());

    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], json!(["shizhong@wsj.example.cn"]));
    assert_eq!(m["mail_from"], "noreply@cunyi.example.cn");
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(
        m["subject"],
        "【村医培训】市中区2026 年第 1 季度季度培训工作总结已被退回，请修改后重新报送"
    );
    let raw = m["raw_subject"].as_str().unwrap().to_ascii_lowercase();
    assert!(
        raw.contains("=?utf-8?"),
        "the Chinese subject is RFC 2047 encoded: {raw}"
    );
    // SMTP carries lines as CRLF.
    let text = m["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(text.contains("请补充<表格>说明 & 附件\n第二条"), "{text}");
    let html = m["html"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        html.contains("请补充&lt;表格&gt;说明 &amp; 附件<br>"),
        "{html}"
    );
    assert!(!html.contains("<表格>"));

    // Sent once: another run finds nothing.
    assert_eq!(send(&app, "test", cunyi::time::now()).await.claimed, 0);
    assert_eq!(sink.messages().len(), 1);
}

async fn a_rolled_back_event_queues_no_mail(backend: Backend) {
    let app = support::spawn(backend).await;
    let mail = reminder("makeup_deadline:test:1", "wang@example.cn");
    let outcome: Result<(), cunyi::error::AppError> = app.with_conn(|c| {
        cunyi::db::write(c, |c| {
            assert!(cunyi::notify::enqueue(c, &mail, cunyi::time::now())?);
            Err(cunyi::error::AppError::Conflict("the event failed".into()))
        })
    });
    assert!(outcome.is_err());
    assert!(
        outbox(&app).is_empty(),
        "the mail rolled back with its event"
    );

    assert!(enqueue(&app, &mail));
    assert!(!enqueue(&app, &mail), "the same key is queued once");
    assert_eq!(outbox(&app).len(), 1);
}

async fn retries_back_off_until_the_server_is_up(backend: Backend) {
    let port = free_port();
    let app = spawn_with_smtp(backend, port).await;
    assert!(enqueue(&app, &reminder("k:1", "wang@example.cn")));
    let t0 = cunyi::time::now();

    // Nobody listens on the port: a transient failure, retried after a minute.
    let r = send(&app, "a", t0).await;
    assert_eq!((r.claimed, r.retried, r.sent), (1, 1, 0), "{r:?}");
    let row = &outbox(&app)[0];
    assert_eq!(row.status, OutboxStatus::Pending);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.next_attempt_at, t0 + Duration::minutes(1));
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));

    // Not due yet: nothing is tried.
    assert_eq!(send(&app, "a", t0 + Duration::seconds(30)).await.claimed, 0);
    // Due, still down: the wait doubles.
    let r = send(&app, "a", t0 + Duration::minutes(1)).await;
    assert_eq!(r.retried, 1);
    let row = &outbox(&app)[0];
    assert_eq!(row.attempts, 2);
    assert_eq!(row.next_attempt_at, t0 + Duration::minutes(3));

    // The server comes up: the next due run sends it.
    let sink = SmtpSink::start(port);
    let r = send(&app, "a", t0 + Duration::minutes(3)).await;
    assert_eq!((r.claimed, r.sent), (1, 1), "{r:?}");
    let row = &outbox(&app)[0];
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(row.attempts, 3);
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        sink.messages()[0]["subject"],
        "【村医培训】补修补考将于 2026-06-30 截止（还有 3 天）"
    );
}

async fn a_refused_mail_fails_and_the_sysadmin_sends_it_again(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_with_smtp(backend, port).await;
    let t = app
        .accounts(&[
            ("root", Role::Sysadmin, "370000"),
            ("city", Role::CityAdmin, "370400"),
        ])
        .await;
    assert!(enqueue(&app, &reminder("k:refused", "nobody@example.cn")));
    assert!(enqueue(&app, &reminder("k:fine", "wang@example.cn")));
    let r = send(&app, "a", cunyi::time::now()).await;
    assert_eq!((r.sent, r.failed), (1, 1), "{r:?}");
    let rows = outbox(&app);
    assert_eq!(rows[0].status, OutboxStatus::Failed, "a 550 is permanent");
    assert!(rows[0].last_error.as_deref().unwrap().contains("550"));
    assert_eq!(app.last_audit("notify.failed")["attempts"], 1);
    assert_eq!(sink.messages().len(), 1);

    let failed = app
        .get("/api/v1/outbox?status=failed", &t[0])
        .await
        .expect(200)
        .json();
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["recipient"], "nobody@example.cn");
    assert_eq!(failed["items"][0]["status"], "failed");
    assert_eq!(failed["items"][0]["attempts"], 1);

    let id = rows[0].id;
    let retry = format!("/api/v1/outbox/{id}/retry");
    app.post(&retry, &t[1], json!({})).await.expect(403);
    app.post("/api/v1/outbox/999999/retry", &t[0], json!({}))
        .await
        .expect(404);
    let again = app.post(&retry, &t[0], json!({})).await.expect(200).json();
    assert_eq!(again["status"], "pending");
    assert_eq!(again["attempts"], 0);
    assert_eq!(app.last_audit("notify.retried")["attempts"], 1);
    app.post(&retry, &t[0], json!({})).await.expect(409);
    let sent_id = rows[1].id;
    app.post(&format!("/api/v1/outbox/{sent_id}/retry"), &t[0], json!({}))
        .await
        .expect(409);
}

async fn two_senders_never_send_one_mail_twice(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_with_smtp(backend, port).await;
    for i in 0..40 {
        assert!(enqueue(
            &app,
            &reminder(&format!("k:{i}"), &format!("d{i}@example.cn"))
        ));
    }
    let now = cunyi::time::now();
    let (a, b) =
        futures_util::future::join(send(&app, "sender-a", now), send(&app, "sender-b", now)).await;
    assert_eq!(a.sent + b.sent, 40, "{a:?} {b:?}");
    assert_eq!(
        a.claimed + b.claimed,
        40,
        "each mail claimed once: {a:?} {b:?}"
    );
    let got = sink.messages();
    assert_eq!(got.len(), 40);
    let ids: BTreeSet<String> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 40, "no message twice");
    let to: BTreeSet<String> = got
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to.len(), 40);
    assert!(
        outbox(&app)
            .iter()
            .all(|r| r.status == OutboxStatus::Sent && r.attempts == 1)
    );
}

async fn a_crashed_senders_lease_expires(backend: Backend) {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_with_smtp(backend, port).await;
    assert!(enqueue(&app, &reminder("k:lease", "wang@example.cn")));
    let t0 = cunyi::time::now();
    // A sender claims the mail and dies before sending it.
    let claimed = app.with_conn(|c| {
        cunyi::notify::store::claim(c, "dead", t0, Duration::minutes(5), 10).unwrap()
    });
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        send(&app, "alive", t0 + Duration::minutes(4)).await.claimed,
        0,
        "the lease holds"
    );
    let r = send(&app, "alive", t0 + Duration::minutes(6)).await;
    assert_eq!(
        (r.claimed, r.sent),
        (1, 1),
        "the expired lease is taken over"
    );
    assert_eq!(sink.messages().len(), 1);
    // The dead sender, were it to wake, records nothing over the new owner's outcome.
    let late = app.with_conn(|c| {
        cunyi::notify::store::finish(
            c,
            claimed[0].id,
            "dead",
            cunyi::notify::store::Outcome::Failed {
                error: "late".into(),
            },
            t0,
        )
        .unwrap()
    });
    assert!(!late);
    assert_eq!(outbox(&app)[0].status, OutboxStatus::Sent);
}

fn plan(app: &TestApp, day: NaiveDate, dry_run: bool) -> cunyi::notify::PlanReport {
    let now = day.and_hms_opt(1, 0, 0).unwrap();
    app.with_conn(|c| cunyi::notify::plan(c, day, now, dry_run, &Actor::cli()).unwrap())
}

fn cunyi_remind(db: &TestDb, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cunyi"))
        .arg("remind")
        .args(args)
        .env("CUNYI_DATABASE_URL", &db.url)
        .env("CUNYI_LOG", "warn")
        .env("CUNYI_ID_KEY", ID_KEY)
        .env_remove("CUNYI_JWT_SECRET")
        .env_remove("CUNYI_SMTP_HOST")
        .output()
        .unwrap()
}

async fn the_planner_queues_each_reminder_once(backend: Backend) {
    let app = support::spawn(backend).await;
    let program = app.program("zaozhuang-2024");
    let t = app.accounts(&[("root", Role::Sysadmin, "370000")]).await;
    let shizhong = app
        .user("shizhong")
        .role(Role::CountyAdmin)
        .region("370402")
        .create();
    let xuecheng = app
        .user("xuecheng")
        .role(Role::CountyAdmin)
        .region("370403")
        .create();
    app.user("tengzhou")
        .role(Role::CountyAdmin)
        .region("370481")
        .create(); // no address
    set_email(&app, &t[0], shizhong, "sz@example.cn").await;
    set_email(&app, &t[0], xuecheng, "xc@example.cn").await;
    // 薛城区 already submitted its Q1 2026 summary: no reminder for it.
    app.with_conn(|c| {
        use cunyi::db::schema::reports;
        diesel::sql_query(format!(
            "INSERT INTO reports (kind, county_code, program_id, year, quarter, status, due_on, \
             statistics, statistics_at, narrative, created_at, updated_at) \
             VALUES ('quarterly_summary', '370403', {program}, 2026, 1, 'submitted', '2026-03-30', \
             '{{}}', '2026-03-20 00:00:00', '', '2026-03-20 00:00:00', '2026-03-20 00:00:00')"
        ))
        .execute(c)
        .unwrap();
        assert_eq!(reports::table.count().get_result::<i64>(c).unwrap(), 1);
    });

    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    // Eight days before the Q1 summary is due (03-30): nothing yet.
    assert!(plan(&app, day(3, 22), false).due.is_empty());

    // A week before: a dry run lists it and writes nothing, on the command line too.
    let audit_before = app.audit_count();
    let dry = plan(&app, day(3, 23), true);
    assert_eq!(dry.due.len(), 1, "{:?}", dry.due);
    assert_eq!(
        dry.due[0].dedup_key,
        format!("filing_due:370402:quarterly_summary:2026:1:7:{shizhong}")
    );
    assert_eq!(dry.due[0].recipient, "sz@example.cn");
    assert!(!dry.due[0].already_queued);
    assert_eq!(dry.queued, 0);
    let cli = cunyi_remind(&app.db, &["--dry-run", "--date", "2026-03-23"]);
    let out = String::from_utf8_lossy(&cli.stdout);
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(out.contains("将加入\t报送截止提醒\tsz@example.cn"), "{out}");
    assert!(
        out.contains("1 would be queued (dry run: nothing written)"),
        "{out}"
    );
    assert!(outbox(&app).is_empty(), "a dry run writes nothing");
    assert_eq!(app.audit_count(), audit_before);

    // Queued once, however often the planner runs that week.
    assert_eq!(plan(&app, day(3, 23), false).queued, 1);
    assert_eq!(plan(&app, day(3, 23), false).queued, 0);
    let again = plan(&app, day(3, 25), false);
    assert_eq!((again.due.len(), again.queued), (1, 0));
    assert!(again.due[0].already_queued);
    assert_eq!(app.last_audit("notify.planned")["queued"], 1);
    let rows = outbox(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].subject,
        "【村医培训】市中区2026 年第 1 季度季度培训工作总结将于 2026-03-30 截止（还有 7 天）"
    );
    assert!(rows[0].body_text.contains("当前状态：尚未创建"));

    // The day before: the last reminder, queued by the command line.
    let cli = cunyi_remind(&app.db, &["--date", "2026-03-29"]);
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let rows = outbox(&app);
    assert_eq!(rows.len(), 2);
    assert!(
        rows[1].dedup_key.ends_with(&format!(":1:{shizhong}")),
        "{}",
        rows[1].dedup_key
    );
    assert!(rows[1].subject.contains("还有 1 天"));

    let bad = cunyi_remind(&app.db, &["--date", "2026-13-01"]);
    assert!(!bad.status.success());
}

async fn the_outbox_is_for_the_sysadmin(backend: Backend) {
    let app = support::spawn(backend).await;
    let t = app
        .accounts(&[
            ("root", Role::Sysadmin, "370000"),
            ("city", Role::CityAdmin, "370400"),
            ("shizhong", Role::CountyAdmin, "370402"),
        ])
        .await;
    assert!(enqueue(&app, &reminder("k:page", "wang@example.cn")));

    let list = app
        .get("/api/v1/outbox?per_page=10", &t[0])
        .await
        .expect(200)
        .json();
    assert_eq!(
        (list["total"].as_i64(), list["per_page"].as_i64()),
        (Some(1), Some(10))
    );
    assert_eq!(list["items"][0]["status"], "pending");
    assert_eq!(list["items"][0]["template"], "makeup_deadline");
    assert!(
        list["items"][0].get("body_text").is_none(),
        "no bodies on the list"
    );
    app.get("/api/v1/outbox", &t[1]).await.expect(403);
    app.get("/api/v1/outbox", &t[2]).await.expect(403);
    let bad = app
        .get("/api/v1/outbox?status=lost&per_page=0", &t[0])
        .await;
    assert_eq!(bad.error_fields(), vec!["per_page", "status"]);

    // The page, in Chinese, with the depth on top.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = |client: reqwest::Client, user: &'static str| {
        let app = &app;
        async move {
            let form = client
                .get(app.url("/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = hidden(&form, "csrf");
            let r = client
                .post(app.url("/login"))
                .form(&[("username", user), ("password", PASSWORD), ("csrf", &csrf)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            client
        }
    };
    let root = login(browser, "root").await;
    let page = root.get(app.url("/outbox")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("邮件发送队列"));
    assert!(html.contains("wang@example.cn"));
    assert!(html.contains("待发送"));
    let county = login(
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        "shizhong",
    )
    .await;
    let denied = county.get(app.url("/outbox")).send().await.unwrap();
    assert_eq!(denied.status(), 403);
    assert!(denied.text().await.unwrap().contains("无权"));

    // Retry from the page: only failed mails, and with the CSRF token.
    let id = outbox(&app)[0].id;
    app.with_conn(|c| {
        use cunyi::db::schema::outbox::dsl as o;
        diesel::update(o::outbox.find(id))
            .set(o::status.eq(OutboxStatus::Failed))
            .execute(c)
            .unwrap()
    });
    let no_csrf = root
        .post(app.url(&format!("/outbox/{id}/retry")))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let html = root
        .get(app.url("/outbox?status=failed"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "csrf");
    let ok = root
        .post(app.url(&format!("/outbox/{id}/retry")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(outbox(&app)[0].status, OutboxStatus::Pending);

    // The depth on /metrics (loopback).
    let metrics = app
        .api
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("cunyi_outbox_mails{status=\"pending\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("cunyi_outbox_mails{status=\"failed\"} 0"));
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn users_keep_an_email_address(backend: Backend) {
    let app = support::spawn(backend).await;
    let t = app
        .accounts(&[
            ("shizhong", Role::CountyAdmin, "370402"),
            ("xuecheng", Role::CountyAdmin, "370403"),
        ])
        .await;
    let created = app
        .post(
            "/api/v1/users",
            &t[0],
            json!({"username": "doc.li", "password": PASSWORD, "display_name": "李医生",
                   "role": "doctor", "region_code": "370402", "email": " Li@Clinic.Example.CN "}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(created["email"], "Li@clinic.example.cn");
    let id = created["id"].as_i64().unwrap();

    // A bad address: 422 naming it with the other bad fields, nothing written.
    let users = app.user_count();
    let bad = app
        .post(
            "/api/v1/users",
            &t[0],
            json!({"username": "doc.zhao", "password": PASSWORD, "display_name": "赵医生",
                   "role": "nurse", "region_code": "370402", "email": "zhao@"}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["role", "email"]);
    assert_eq!(app.user_count(), users);

    // The user edits its own; an admin of another county cannot see it (404).
    let li = app.login("doc.li").await;
    let path = format!("/api/v1/users/{id}/email");
    let put = |token: String, body: Value| {
        let app = &app;
        let path = path.clone();
        async move {
            app.send(reqwest::Method::PUT, &path, Some(&token), Some(body))
                .await
        }
    };
    let mine = put(li.clone(), json!({"email": "li@new.example.cn"}))
        .await
        .expect(200)
        .json();
    assert_eq!(mine["email"], "li@new.example.cn");
    let audit = app.last_audit("user.email_changed");
    assert_eq!(
        (audit["set"].as_bool(), audit["domain"].as_str()),
        (Some(true), Some("new.example.cn"))
    );
    put(t[1].clone(), json!({"email": "x@example.cn"}))
        .await
        .expect(404);
    let audits = app.audit_count();
    let bad = put(li.clone(), json!({"email": "li at example"})).await;
    assert_eq!(bad.error_fields(), vec!["email"]);
    assert_eq!(app.audit_count(), audits, "nothing written");
    let read = app
        .get(&format!("/api/v1/users/{id}"), &t[0])
        .await
        .expect(200)
        .json();
    assert_eq!(read["email"], "li@new.example.cn");
    // The county admin clears it.
    let cleared = put(t[0].clone(), json!({"email": null}))
        .await
        .expect(200)
        .json();
    assert!(cleared["email"].is_null());
    // A doctor cannot edit another account (it sees only itself: 404).
    let other = app.user("doc.sun").region("370402").create();
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/users/{other}/email"),
        Some(&li),
        Some(json!({"email": "sun@example.cn"})),
    )
    .await
    .expect(404);
}
