//! Password hashing: argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's first choice),
//! always off the async executor. Unknown usernames are verified against a dummy hash
//! of the same cost, so a login takes as long whether or not the user exists.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

use crate::error::AppError;

/// m = 19456 KiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hash a password (blocking: ~20–50 ms of CPU and 19 MiB).
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Check a password against a stored PHC string (blocking). A malformed stored hash
/// verifies as false.
pub fn verify_blocking(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Hash on the blocking pool.
pub async fn hash(password: String) -> Result<String, AppError> {
    actix_web::rt::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
}

/// Verify on the blocking pool.
pub async fn verify(stored: String, password: String) -> Result<bool, AppError> {
    actix_web::rt::task::spawn_blocking(move || verify_blocking(&stored, &password))
        .await
        .map_err(AppError::internal)
}

/// A real hash of a random password, made once at start-up, for unknown usernames.
pub fn dummy_hash() -> Result<String, AppError> {
    let mut random = [0u8; 24];
    rand::rng().fill_bytes(&mut random);
    hash_blocking(&hex::encode(random))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_the_agreed_cost_and_verify() {
        let h = hash_blocking("村医2026!").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking(&h, "村医2026!"));
        assert!(!verify_blocking(&h, "村医2026?"));
        assert_ne!(h, hash_blocking("村医2026!").unwrap(), "salted");
    }

    #[test]
    fn the_dummy_hash_costs_the_same_as_a_real_one() {
        let dummy = dummy_hash().unwrap();
        let parsed = PasswordHash::new(&dummy).unwrap();
        let real = hash_blocking("x1x1x1x1").unwrap();
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(parsed.algorithm, real.algorithm);
        assert_eq!(parsed.params, real.params);
        assert!(!verify_blocking(&dummy, ""));
    }

    #[test]
    fn a_corrupt_stored_hash_never_verifies() {
        assert!(!verify_blocking("not-a-hash", "anything"));
    }
}
