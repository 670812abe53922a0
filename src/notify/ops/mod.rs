//! The reminders' use cases: queueing a mail inside the caller's transaction, the
//! sender, the planner, the sysadmin's outbox.

pub mod admin;
pub mod plan;
pub mod send;

use chrono::{NaiveDate, NaiveDateTime};

use super::{Mail, Params, Template, emails, rules, store};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// Queue a mail in the caller's transaction (the event that causes it commits or rolls
/// back with it); once per dedup key — true when queued, false when it already was.
/// Other areas call this from their `ops`, inside their write.
pub fn enqueue(conn: &mut AnyConnection, mail: &Mail, now: NaiveDateTime) -> AppResult<bool> {
    let rendered = rules::render(emails::parts(mail.template), &mail.params)
        .map_err(|e| AppError::internal(format!("email template {}: {e}", mail.template)))?;
    Ok(store::insert(conn, mail, &rendered, now)?)
}

/// What a returned filing's mail says.
#[derive(Debug, Clone)]
pub struct ReturnedFiling<'a> {
    pub report_id: i64,
    pub county_code: &'a str,
    pub county_name: &'a str,
    pub title: &'a str,
    pub comment: &'a str,
    pub due_on: NaiveDate,
    pub reviewed_at: NaiveDateTime,
}

/// Tell the county's admins (those with an email address) that the city returned a
/// filing — called by `reports` inside the review's transaction. Returns how many mails
/// were queued.
pub fn filing_returned(
    conn: &mut AnyConnection,
    filing: &ReturnedFiling<'_>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let mut queued = 0;
    for admin in store::facts::county_admins(conn, filing.county_code)? {
        let mut params = Params::new();
        params.insert("name", admin.name.clone());
        params.insert("county", filing.county_name.to_owned());
        params.insert("title", filing.title.to_owned());
        params.insert("comment", filing.comment.to_owned());
        params.insert("due_on", filing.due_on.to_string());
        params.insert("reviewed_at", crate::time::display_cst(filing.reviewed_at));
        let mail = Mail {
            dedup_key: format!(
                "filing_returned:{}:{}:{}",
                filing.report_id,
                filing.reviewed_at.and_utc().timestamp(),
                admin.user_id
            ),
            template: Template::FilingReturned,
            user_id: Some(admin.user_id),
            recipient: admin.email,
            params,
        };
        if enqueue(conn, &mail, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}
