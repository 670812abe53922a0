//! `/metrics` in Prometheus' text format: requests by route and status, latency
//! histograms per route, the connection pool, and the queue of this process's SQLite
//! writers. Routes are counted by their pattern (`/api/v1/doctors/{id}`), never by the
//! concrete path, so the series stay few and carry no ids.
//!
//! Access: with `CUNYI_METRICS_TOKEN` set, a `Bearer` token equal to it; without one,
//! only clients on the loopback interface (a scraper on the same host).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum_secs: f64,
    /// Cumulative counts are computed at render time; these are per bucket.
    buckets: [u64; BUCKETS.len()],
}

/// Counts by (method, route) and status.
#[derive(Debug, Default)]
pub struct Registry {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Series>>,
}

/// Writers of this process waiting for SQLite's write lock (see `db::write`).
pub static SQLITE_WRITERS_WAITING: AtomicI64 = AtomicI64::new(0);

/// Answer saves of this process queued for the answer writer (see `exams::saves`).
pub static ANSWER_SAVES_QUEUED: AtomicI64 = AtomicI64::new(0);

/// Writes of this process queued for the group-commit writer (see `group_commit`).
pub static GROUP_WRITES_QUEUED: AtomicI64 = AtomicI64::new(0);

impl Registry {
    /// Record one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        {
            let mut requests = self
                .requests
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        let mut latency = self
            .latency
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let series = latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        series.count += 1;
        series.sum_secs += secs;
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            series.buckets[i] += 1;
        }
    }

    /// The registry in Prometheus' text exposition format.
    pub fn render(&self, pool: Option<(u32, u32, u32)>) -> String {
        let mut out = String::new();
        out.push_str("# HELP cunyi_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE cunyi_http_requests_total counter\n");
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for ((method, route, status), n) in &requests {
            let _ = writeln!(
                out,
                "cunyi_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP cunyi_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE cunyi_http_request_duration_seconds histogram\n");
        let latency = self
            .latency
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for ((method, route), s) in &latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "cunyi_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "cunyi_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "cunyi_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_secs
            );
            let _ = writeln!(
                out,
                "cunyi_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        if let Some((size, open, idle)) = pool {
            for (name, help, value) in [
                ("cunyi_db_pool_size", "Connections the pool may open.", size),
                ("cunyi_db_pool_connections", "Connections open.", open),
                ("cunyi_db_pool_idle", "Open connections not in use.", idle),
                (
                    "cunyi_db_pool_in_use",
                    "Connections checked out by requests and jobs.",
                    open.saturating_sub(idle),
                ),
            ] {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP cunyi_sqlite_writers_waiting Writers of this process queued for SQLite's write lock.\n\
             # TYPE cunyi_sqlite_writers_waiting gauge\ncunyi_sqlite_writers_waiting {}",
            SQLITE_WRITERS_WAITING.load(Ordering::Relaxed).max(0)
        );
        let _ = writeln!(
            out,
            "# HELP cunyi_answer_saves_queued Answer saves of this process queued for the group-commit writer.\n\
             # TYPE cunyi_answer_saves_queued gauge\ncunyi_answer_saves_queued {}",
            ANSWER_SAVES_QUEUED.load(Ordering::Relaxed).max(0)
        );
        let _ = writeln!(
            out,
            "# HELP cunyi_group_writes_queued Writes (exam starts, submits) of this process queued for the group-commit writer.\n\
             # TYPE cunyi_group_writes_queued gauge\ncunyi_group_writes_queued {}",
            GROUP_WRITES_QUEUED.load(Ordering::Relaxed).max(0)
        );
        out
    }
}

/// The email outbox by status: mails waiting (pending, sending) and given up (failed).
pub fn outbox_depth(d: crate::notify::Depth) -> String {
    let mut out = String::from(
        "# HELP cunyi_outbox_mails Mails in the email outbox, by status.\n\
         # TYPE cunyi_outbox_mails gauge\n",
    );
    for (status, n) in [
        ("pending", d.pending),
        ("sending", d.sending),
        ("failed", d.failed),
        ("sent", d.sent),
    ] {
        let _ = writeln!(out, "cunyi_outbox_mails{{status=\"{status}\"}} {n}");
    }
    out
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics`.
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    match &state.config.metrics_token {
        Some(token) => {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            if !crate::auth::token::TokenKeys::csrf_matches(token.expose(), presented) {
                return Err(AppError::unauthorized());
            }
        }
        None => {
            if !req.peer_addr().is_some_and(|a| a.ip().is_loopback()) {
                return Err(AppError::Forbidden(
                    "指标只对本机开放；远程采集请设置 CUNYI_METRICS_TOKEN".into(),
                ));
            }
        }
    }
    let s = state.pool.state();
    let mut body = state.metrics.render(Some((
        state.pool.max_size(),
        s.connections,
        s.idle_connections,
    )));
    let depth = state.db(crate::notify::depth).await?;
    body.push_str(&outbox_depth(depth));
    Ok(HttpResponse::Ok()
        .content_type(ContentType(
            "text/plain; version=0.0.4; charset=utf-8"
                .parse()
                .map_err(AppError::internal)?,
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histograms_render_in_the_text_format() {
        let r = Registry::default();
        r.observe("GET", "/api/v1/doctors/{id}", 200, Duration::from_millis(3));
        r.observe(
            "GET",
            "/api/v1/doctors/{id}",
            200,
            Duration::from_millis(30),
        );
        r.observe("GET", "/api/v1/doctors/{id}", 404, Duration::from_millis(1));
        let text = r.render(Some((10, 3, 2)));
        assert!(text.contains(
            "cunyi_http_requests_total{method=\"GET\",route=\"/api/v1/doctors/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "cunyi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/doctors/{id}\",le=\"0.005\"} 2"
        ));
        assert!(text.contains(
            "cunyi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/doctors/{id}\",le=\"+Inf\"} 3"
        ));
        assert!(text.contains("cunyi_db_pool_idle 2"));
        assert!(text.contains("cunyi_db_pool_in_use 1"));
        assert!(text.contains("cunyi_sqlite_writers_waiting 0"));
        assert!(text.contains("# TYPE cunyi_answer_saves_queued gauge"));
    }
}
