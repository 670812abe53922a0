//! Typed configuration from `CUNYI_*` environment variables (an optional `.env` file is
//! read by the binary before this). Secrets are wrapped in [`Secret`], whose `Debug`
//! prints nothing of the value, so a logged `Config` never leaks them.

use std::fmt;
use std::str::FromStr;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Implicit TLS (usually port 465).
    Tls,
    /// STARTTLS upgrade (usually port 587).
    StartTls,
    /// Plain text, for a relay on the same host or in tests.
    None,
}

/// Outgoing mail, used by later areas (reminders, notices).
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; anything else is a SQLite file path.
    /// Secret because a PostgreSQL URL may carry a password.
    pub database_url: Secret<String>,
    pub bind: String,
    /// The token-signing secret (`CUNYI_JWT_SECRET`); when `None`, read from the secrets
    /// file (`crate::secrets`). Never kept in the database.
    pub jwt_secret: Option<Secret<String>>,
    /// The key that encrypts ID-card numbers (64 hex digits, `CUNYI_ID_KEY`); when
    /// `None`, read from the secrets file. Never kept in the database.
    pub id_key: Option<Secret<String>>,
    /// `CUNYI_SECRETS_FILE`: where the secrets live when not in the environment (default:
    /// `<file>.secrets` beside a SQLite database).
    pub secrets_file: Option<std::path::PathBuf>,
    pub token_ttl_minutes: i64,
    pub pool_size: u32,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy);
    /// otherwise the TCP peer address is used for login throttling and the audit log.
    pub trust_forwarded: bool,
    /// The proxies whose `X-Forwarded-For` hops are believed (`CUNYI_TRUSTED_PROXIES`,
    /// addresses or CIDR blocks). With `trust_forwarded` and no list, the TCP peer alone
    /// is the trusted proxy. The client is the right-most hop that is not a trusted proxy.
    pub trusted_proxies: Vec<crate::extract::IpBlock>,
    /// Memory for concurrent password hashing, in MiB (19 MiB each).
    pub password_memory_mb: usize,
    /// How long a login may queue for a hashing slot before a 503.
    pub password_queue_secs: u64,
    /// The bearer token `/metrics` asks for; without one, only loopback clients.
    pub metrics_token: Option<Secret<String>>,
    pub smtp: Option<SmtpConfig>,
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

pub const DEFAULT_DATABASE_URL: &str = "cunyi.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_TOKEN_TTL_MINUTES: i64 = 12 * 60;

impl Config {
    /// Read the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Read from any lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let smtp = match var("CUNYI_SMTP_HOST") {
            None => None,
            Some(host) => Some(SmtpConfig {
                host,
                port: parse_or(&var, "CUNYI_SMTP_PORT", 587)?,
                tls: match var("CUNYI_SMTP_TLS").as_deref() {
                    None | Some("starttls") => SmtpTls::StartTls,
                    Some("tls") => SmtpTls::Tls,
                    Some("none") => SmtpTls::None,
                    Some(other) => {
                        return Err(ConfigError {
                            var: "CUNYI_SMTP_TLS",
                            message: format!("expected starttls, tls or none, got {other:?}"),
                        });
                    }
                },
                username: var("CUNYI_SMTP_USERNAME"),
                password: var("CUNYI_SMTP_PASSWORD").map(Secret::new),
                from: var("CUNYI_SMTP_FROM").ok_or(ConfigError {
                    var: "CUNYI_SMTP_FROM",
                    message: "required when CUNYI_SMTP_HOST is set".into(),
                })?,
            }),
        };
        let jwt_secret = var("CUNYI_JWT_SECRET").map(Secret::new);
        if let Some(s) = &jwt_secret
            && s.expose().len() < 32
        {
            return Err(ConfigError {
                var: "CUNYI_JWT_SECRET",
                message: "must be at least 32 characters (`cunyi secrets init` writes good ones)"
                    .into(),
            });
        }
        let id_key = var("CUNYI_ID_KEY").map(Secret::new);
        if let Some(k) = &id_key
            && crate::pii::Pii::from_hex(k.expose()).is_err()
        {
            return Err(ConfigError {
                var: "CUNYI_ID_KEY",
                message: "must be 64 hexadecimal digits (e.g. from `openssl rand -hex 32`)".into(),
            });
        }
        let token_ttl_minutes =
            parse_or(&var, "CUNYI_TOKEN_TTL_MINUTES", DEFAULT_TOKEN_TTL_MINUTES)?;
        if !(5..=60 * 24 * 30).contains(&token_ttl_minutes) {
            return Err(ConfigError {
                var: "CUNYI_TOKEN_TTL_MINUTES",
                message: "must be between 5 and 43200 (30 days)".into(),
            });
        }
        let pool_size = parse_or(&var, "CUNYI_DB_POOL_SIZE", 10u32)?;
        if pool_size == 0 {
            return Err(ConfigError {
                var: "CUNYI_DB_POOL_SIZE",
                message: "must be at least 1".into(),
            });
        }
        Ok(Config {
            database_url: Secret::new(
                var("CUNYI_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            ),
            bind: var("CUNYI_BIND").unwrap_or_else(|| DEFAULT_BIND.into()),
            jwt_secret,
            id_key,
            secrets_file: var("CUNYI_SECRETS_FILE").map(std::path::PathBuf::from),
            token_ttl_minutes,
            pool_size,
            cookie_secure: parse_or(&var, "CUNYI_COOKIE_SECURE", false)?,
            trust_forwarded: parse_or(&var, "CUNYI_TRUST_FORWARDED", false)?,
            trusted_proxies: match var("CUNYI_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        crate::extract::IpBlock::parse(s).ok_or(ConfigError {
                            var: "CUNYI_TRUSTED_PROXIES",
                            message: format!("not an IP address or CIDR block: {s:?}"),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            },
            password_memory_mb: parse_or(&var, "CUNYI_PASSWORD_MEMORY_MB", 96usize)?,
            password_queue_secs: parse_or(&var, "CUNYI_PASSWORD_QUEUE_SECS", 5u64)?,
            metrics_token: var("CUNYI_METRICS_TOKEN").map(Secret::new),
            smtp,
        })
    }

    /// The database URL with any password replaced by `***`, fit for logs.
    pub fn database_display(&self) -> String {
        redact_url(self.database_url.expose())
    }
}

fn parse_or<T: FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            var: name,
            message: format!("cannot parse {raw:?}"),
        }),
    }
}

/// `postgres://user:pw@host/db?password=x` → `postgres://user:***@host/db?password=***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority_end, _) = rest
        .char_indices()
        .find(|&(_, c)| c == '/' || c == '?')
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_a_local_sqlite_file_on_localhost() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url.expose(), "cunyi.db");
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.token_ttl_minutes, 720);
        assert!(c.jwt_secret.is_none());
        assert!(c.smtp.is_none());
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let c = config(&[
            (
                "CUNYI_DATABASE_URL",
                "postgres://app:hunter2hunter2@db/cunyi",
            ),
            (
                "CUNYI_JWT_SECRET",
                "a-very-long-secret-value-0123456789abcdef",
            ),
            ("CUNYI_SMTP_HOST", "smtp.example.org"),
            ("CUNYI_SMTP_FROM", "noreply@example.org"),
            ("CUNYI_SMTP_PASSWORD", "smtp-pass-42"),
            (
                "CUNYI_ID_KEY",
                "0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978",
            ),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        for secret in [
            "hunter2hunter2",
            "a-very-long-secret",
            "smtp-pass-42",
            "0f1e2d3c4b5a",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert_eq!(c.database_display(), "postgres://app:***@db/cunyi");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("CUNYI_TOKEN_TTL_MINUTES", "soon")]).unwrap_err();
        assert_eq!(e.var, "CUNYI_TOKEN_TTL_MINUTES");
        let e = config(&[("CUNYI_JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(e.var, "CUNYI_JWT_SECRET");
        let e = config(&[("CUNYI_ID_KEY", "not-hex")]).unwrap_err();
        assert_eq!(e.var, "CUNYI_ID_KEY");
        let e = config(&[("CUNYI_SMTP_HOST", "h")]).unwrap_err();
        assert_eq!(e.var, "CUNYI_SMTP_FROM");
    }

    #[test]
    fn redaction_covers_query_passwords_and_leaves_paths_alone() {
        assert_eq!(
            redact_url("postgres://u@h:5432/d?password=x&sslmode=require"),
            "postgres://u@h:5432/d?password=***&sslmode=require"
        );
        assert_eq!(redact_url("cunyi.db"), "cunyi.db");
    }
}
