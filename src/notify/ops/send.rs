//! The sender: claim due mails, send each through SMTP as multipart/alternative (plain
//! text and HTML; `lettre` encodes the Chinese subject as RFC 2047 words), then record
//! sent, a retry after the backoff, or failed. Blocking: run it on a blocking thread.

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use serde::Serialize;

use crate::audit::{self, Actor, Entry};
use crate::config::{SmtpConfig, SmtpTls};
use crate::db::Pool;
use crate::error::{AppError, AppResult};
use crate::notify::OutboxRow;
use crate::notify::rules::{self, AfterFailure};
use crate::notify::store::{self, Outcome};

/// Mails claimed per round.
pub const BATCH: i64 = 20;
/// How long one SMTP conversation may take (well under the lease).
pub const SMTP_TIMEOUT: StdDuration = StdDuration::from_secs(30);

/// What one run of the sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Outcomes not recorded because another sender had taken the row over (its lease
    /// had run out).
    pub overtaken: usize,
}

/// A name for this sender's claims: process and a random part, so two senders of one
/// process (or two processes) never share one.
pub fn claim_name() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

fn transport(smtp: &SmtpConfig) -> AppResult<SmtpTransport> {
    let builder = match smtp.tls {
        SmtpTls::None => SmtpTransport::builder_dangerous(&smtp.host),
        SmtpTls::StartTls => {
            SmtpTransport::starttls_relay(&smtp.host).map_err(AppError::internal)?
        }
        SmtpTls::Tls => SmtpTransport::relay(&smtp.host).map_err(AppError::internal)?,
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().clone()));
    }
    Ok(builder.build())
}

/// The message of an outbox row; an error here is permanent (the row can never be sent).
fn message(smtp: &SmtpConfig, row: &OutboxRow) -> Result<Message, String> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("CUNYI_SMTP_FROM: {e}"))?;
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("收件地址无效: {e}"))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!("<outbox-{}@{domain}>", row.id)))
        .multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            row.body_html.clone(),
        ))
        .map_err(|e| e.to_string())
}

/// Claim and send every mail due at `now`, round after round, until none is left.
/// `claim` names this sender (see [`claim_name`]).
pub fn send_due(
    pool: &Pool,
    smtp: &SmtpConfig,
    claim: &str,
    now: NaiveDateTime,
) -> AppResult<SendReport> {
    let transport = transport(smtp)?;
    let mut report = SendReport::default();
    let lease = Duration::seconds(rules::LEASE_SECS);
    // Rows retried go to the future and failed ones stay failed, so this ends; the cap
    // keeps a runaway loop from holding the thread.
    for _ in 0..1000 {
        let rows = {
            let mut conn = pool.get()?;
            store::claim(&mut conn, claim, now, lease, BATCH)?
        };
        if rows.is_empty() {
            break;
        }
        report.claimed += rows.len();
        for row in rows {
            let outcome = match message(smtp, &row) {
                Err(error) => Outcome::Failed {
                    error: rules::error_line(&error),
                },
                Ok(msg) => match transport.send(&msg) {
                    Ok(_) => Outcome::Sent,
                    Err(e) => {
                        let error = rules::error_line(&e.to_string());
                        match rules::after_failure(row.attempts, e.is_permanent(), now) {
                            AfterFailure::Retry(at) => Outcome::Retry { at, error },
                            AfterFailure::Fail => Outcome::Failed { error },
                        }
                    }
                },
            };
            let mut conn = pool.get()?;
            let recorded = crate::db::write(&mut conn, |conn| {
                let recorded = store::finish(conn, row.id, claim, outcome.clone(), now)?;
                if recorded && let Outcome::Failed { error } = &outcome {
                    audit::record(
                        conn,
                        &Actor::job("mail-sender"),
                        &Entry::new("notify.failed")
                            .target(format!("outbox:{}", row.id))
                            .detail(serde_json::json!({
                                "template": row.template,
                                "attempts": row.attempts,
                                "error": error,
                            })),
                        now,
                    )?;
                }
                Ok::<_, AppError>(recorded)
            })?;
            match (recorded, &outcome) {
                (false, _) => report.overtaken += 1,
                (true, Outcome::Sent) => report.sent += 1,
                (true, Outcome::Retry { error, .. }) => {
                    report.retried += 1;
                    tracing::warn!(outbox = row.id, attempts = row.attempts, %error, "mail not sent; will retry");
                }
                (true, Outcome::Failed { error }) => {
                    report.failed += 1;
                    tracing::warn!(outbox = row.id, attempts = row.attempts, %error, "mail failed");
                }
            }
        }
    }
    Ok(report)
}
