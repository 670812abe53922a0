//! Session tokens: HS256 JWTs with the algorithm pinned; `exp`, `iat`, `iss`, `aud`
//! and `sub` required; 30 s leeway. A token also carries the user's token version
//! (`ver`), which the extractor compares with the database on every request, and a
//! random `jti` that the CSRF token of its session is derived from.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const ISSUER: &str = "cunyi";
pub const AUDIENCE: &str = "cunyi";
pub const LEEWAY_SECS: u64 = 30;

/// The claims of a cunyi token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    /// The user's token version when the token was issued.
    pub ver: i64,
    pub jti: String,
    pub iat: i64,
    /// Not before: the issue time. Checked (with the leeway) when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Why a presented token was refused (recorded in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    Signature,
    Expired,
    Claims,
    IssuedInFuture,
    NotYetValid,
    UnknownUser,
    Revoked,
    Disabled,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Malformed => "malformed",
            Rejection::Signature => "bad_signature",
            Rejection::Expired => "expired",
            Rejection::Claims => "bad_claims",
            Rejection::IssuedInFuture => "issued_in_future",
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::UnknownUser => "unknown_user",
            Rejection::Revoked => "revoked",
            Rejection::Disabled => "disabled",
        }
    }
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub claims: Claims,
}

/// Keys and validation rules, built once from the secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    csrf_key: Vec<u8>,
    ttl: Duration,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], parts: &[&str]) -> HmacSha256 {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p.as_bytes());
    }
    m
}

#[cold]
fn unreachable_hmac() -> ! {
    unreachable!("HMAC-SHA256 takes keys of any length")
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_minutes: i64) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            csrf_key: mac(secret, &["cunyi csrf key"])
                .finalize()
                .into_bytes()
                .to_vec(),
            ttl: Duration::minutes(ttl_minutes),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issue a token for a user at its current token version.
    pub fn issue(
        &self,
        user_id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Issued, jsonwebtoken::errors::Error> {
        let mut jti = [0u8; 16];
        rand::rng().fill_bytes(&mut jti);
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            ver: version,
            jti: hex::encode(jti),
            iat: now.timestamp(),
            nbf: Some(now.timestamp()),
            exp: expires_at.timestamp(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(Issued {
            token,
            expires_at,
            claims,
        })
    }

    /// Check signature, algorithm and claims. The user's version and status are the
    /// extractor's to check against the database.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<(i64, Claims), Rejection> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => Rejection::Signature,
                ErrorKind::ExpiredSignature => Rejection::Expired,
                ErrorKind::ImmatureSignature => Rejection::NotYetValid,
                ErrorKind::InvalidIssuer
                | ErrorKind::InvalidAudience
                | ErrorKind::MissingRequiredClaim(_)
                | ErrorKind::Json(_) => Rejection::Claims,
                _ => Rejection::Malformed,
            })?;
        let claims = data.claims;
        if claims.iat > now.timestamp() + LEEWAY_SECS as i64 {
            return Err(Rejection::IssuedInFuture);
        }
        let user_id = claims.sub.parse::<i64>().map_err(|_| Rejection::Claims)?;
        Ok((user_id, claims))
    }

    /// The CSRF token of the session a token belongs to.
    pub fn csrf_for_session(&self, jti: &str) -> String {
        hex::encode(
            mac(&self.csrf_key, &["session", jti])
                .finalize()
                .into_bytes(),
        )
    }

    /// The CSRF token of the login form, bound to a random nonce kept in a cookie.
    pub fn csrf_for_login(&self, nonce: &str) -> String {
        hex::encode(
            mac(&self.csrf_key, &["login", nonce])
                .finalize()
                .into_bytes(),
        )
    }

    /// Constant-time comparison of a presented CSRF token with the expected one.
    pub fn csrf_matches(expected: &str, presented: &str) -> bool {
        let (a, b) = (expected.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A random secret for installations that configure none (kept in the database).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60)
    }

    fn forge(header: serde_json::Value, claims: serde_json::Value, secret: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut m = HmacSha256::new_from_slice(secret).unwrap();
        m.update(format!("{h}.{c}").as_bytes());
        let s = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
        format!("{h}.{c}.{s}")
    }

    fn good_claims(now: i64) -> serde_json::Value {
        serde_json::json!({"sub":"7","ver":0,"jti":"j","iat":now,"exp":now+600,"iss":"cunyi","aud":"cunyi"})
    }

    #[test]
    fn an_issued_token_verifies() {
        let now = Utc::now();
        let issued = keys().issue(7, 3, now).unwrap();
        let (id, claims) = keys().verify(&issued.token, now).unwrap();
        assert_eq!((id, claims.ver), (7, 3));
        assert_eq!(issued.expires_at, now + Duration::minutes(60));
        assert_eq!(claims.nbf, Some(now.timestamp()));
    }

    #[test]
    fn forged_tokens_are_refused_for_the_right_reason() {
        let now = Utc::now().timestamp();
        let secret = b"0123456789abcdef0123456789abcdef";
        let hs = serde_json::json!({"alg":"HS256","typ":"JWT"});
        let ok = forge(hs.clone(), good_claims(now), secret);
        assert!(
            keys().verify(&ok, Utc::now()).is_ok(),
            "the forger itself works"
        );

        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(good_claims(now).to_string())
        );
        assert!(keys().verify(&none, Utc::now()).is_err());

        let mut claims = good_claims(now);
        claims["aud"] = "other".into();
        assert_eq!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .unwrap_err(),
            Rejection::Claims
        );

        let mut claims = good_claims(now);
        claims["exp"] = serde_json::Value::String((now + 600).to_string());
        assert!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .is_err()
        );

        let mut claims = good_claims(now);
        claims["exp"] = (now - 31).into();
        assert_eq!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .unwrap_err(),
            Rejection::Expired
        );

        let mut claims = good_claims(now);
        claims["exp"] = (now - 5).into(); // within the 30 s leeway
        assert!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .is_ok()
        );

        let mut claims = good_claims(now);
        claims.as_object_mut().unwrap().remove("iat");
        assert_eq!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .unwrap_err(),
            Rejection::Claims
        );

        let mut claims = good_claims(now);
        claims["nbf"] = (now + 3600).into();
        assert_eq!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .unwrap_err(),
            Rejection::NotYetValid,
            "a token not valid before an hour from now is refused"
        );
        let mut claims = good_claims(now);
        claims["nbf"] = (now + 5).into(); // within the leeway
        assert!(
            keys()
                .verify(&forge(hs.clone(), claims, secret), Utc::now())
                .is_ok()
        );

        let hs512 = serde_json::json!({"alg":"HS512","typ":"JWT"});
        assert!(
            keys()
                .verify(&forge(hs512, good_claims(now), secret), Utc::now())
                .is_err()
        );

        let other = forge(hs, good_claims(now), b"another-secret-another-secret-xx");
        assert_eq!(
            keys().verify(&other, Utc::now()).unwrap_err(),
            Rejection::Signature
        );
    }

    #[test]
    fn csrf_tokens_depend_on_the_session_and_compare_in_constant_time() {
        let k = keys();
        assert_ne!(k.csrf_for_session("a"), k.csrf_for_session("b"));
        assert_ne!(k.csrf_for_session("a"), k.csrf_for_login("a"));
        assert!(TokenKeys::csrf_matches(
            &k.csrf_for_session("a"),
            &k.csrf_for_session("a")
        ));
        assert!(!TokenKeys::csrf_matches(&k.csrf_for_session("a"), ""));
    }
}
