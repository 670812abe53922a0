//! Password hashing: argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's first choice),
//! always off the async executor. Unknown usernames are verified against a dummy hash
//! of the same cost, so a login takes as long whether or not the user exists.
//!
//! Each hash takes 19 MiB, and logins need no account: without a bound, 150 parallel
//! logins for unknown users took the process to 1.3 GB. Every hash and verification
//! therefore passes a [`Gate`] sized to a memory budget (`CUNYI_PASSWORD_MEMORY_MB`,
//! default 96 MiB → 5 at once); the others queue, and after `CUNYI_PASSWORD_QUEUE_SECS`
//! (default 5) of queueing the request is refused with 503 and `Retry-After`.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Memory of one argon2id hash (m = 19456 KiB), in MiB, rounded up.
pub const MIB_PER_HASH: usize = 19;

/// How many hashes may run at once within a memory budget (at least one).
pub fn permits_for(memory_mb: usize) -> usize {
    (memory_mb / MIB_PER_HASH).clamp(1, 256)
}

/// A bound on concurrent hashing: `permits` at once, the rest wait up to `wait`.
pub struct Gate {
    permits: Semaphore,
    wait: Duration,
}

impl Gate {
    pub fn new(permits: usize, wait: Duration) -> Gate {
        Gate {
            permits: Semaphore::new(permits.max(1)),
            wait,
        }
    }

    /// Run `work` on the blocking pool once a permit is free; 503 after `wait`.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || AppError::Busy {
            retry_after_secs: self.wait.as_secs().clamp(1, 60),
        };
        let permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let outcome = actix_web::rt::task::spawn_blocking(work)
            .await
            .map_err(AppError::internal);
        drop(permit);
        outcome
    }
}

static GATE: OnceLock<Gate> = OnceLock::new();

/// Size the process's gate (the first call wins; `AppState::init` makes it).
pub fn configure(memory_mb: usize, wait: Duration) {
    let _ = GATE.set(Gate::new(permits_for(memory_mb), wait));
}

fn gate() -> &'static Gate {
    GATE.get_or_init(|| Gate::new(permits_for(96), Duration::from_secs(5)))
}

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

/// Hash on the blocking pool, through the gate.
pub async fn hash(password: String) -> Result<String, AppError> {
    gate().run(move || hash_blocking(&password)).await?
}

/// Verify on the blocking pool, through the gate.
pub async fn verify(stored: String, password: String) -> Result<bool, AppError> {
    gate()
        .run(move || verify_blocking(&stored, &password))
        .await
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
    fn the_budget_sets_the_permits() {
        assert_eq!(permits_for(96), 5);
        assert_eq!(permits_for(0), 1);
        assert_eq!(permits_for(19), 1);
        assert_eq!(permits_for(1 << 20), 256);
    }

    #[actix_web::test]
    async fn the_gate_never_runs_more_than_its_permits_and_refuses_after_waiting() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = Arc::new(Gate::new(2, Duration::from_millis(200)));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            tasks.push(actix_web::rt::spawn(async move {
                gate.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(120));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => {}
                Err(AppError::Busy { retry_after_secs }) => {
                    assert_eq!(retry_after_secs, 1);
                    busy += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(
            peak.load(Ordering::SeqCst),
            2,
            "never more than the permits"
        );
        // 6 jobs of 120 ms through 2 permits: the last pair would start at 240 ms, past 200.
        assert!(busy >= 1, "queued past the wait → 503");
    }

    #[test]
    fn a_corrupt_stored_hash_never_verifies() {
        assert!(!verify_blocking("not-a-hash", "anything"));
    }
}
