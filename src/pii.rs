//! Personal data protection for ID-card numbers (身份证号): AES-256-GCM encryption at
//! rest, a keyed blind index (HMAC-SHA256) for lookup and uniqueness without
//! decrypting, and the masked form pages show (`370402********1234`).
//!
//! The key comes from `CUNYI_ID_KEY` (64 hex digits). Without it, one is generated and
//! kept in the database so the product still starts with one command — with a warning,
//! since a key beside its ciphertext only protects against leaks of single columns.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The version tag of the ciphertext format, so keys can be rotated later.
const FORMAT: &str = "v1";

/// Keys for one installation.
pub struct Pii {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

/// A key that is not 32 bytes of hex, or a ciphertext that does not open.
#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    #[error("CUNYI_ID_KEY must be 64 hexadecimal digits (32 bytes)")]
    BadKey,
    #[error("stored personal data cannot be decrypted (wrong CUNYI_ID_KEY?)")]
    Undecryptable,
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl Pii {
    /// From 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<Pii, PiiError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| PiiError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| PiiError::BadKey)?;
        // Separate keys for encryption and the index, derived from the one secret.
        let enc_key = hmac(&key, &[b"cunyi pii encryption"]);
        let index_key = hmac(&key, &[b"cunyi pii blind index"]);
        Ok(Pii {
            cipher: Aes256Gcm::new(&enc_key.into()),
            index_key,
        })
    }

    /// A new random key, as hex.
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        hex::encode(key)
    }

    /// Encrypt a value: `v1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and a 12-byte nonce cannot fail.
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{FORMAT}:{}", STANDARD.encode(out))
    }

    /// Encrypt bytes (an uploaded file holding ID numbers): nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plain)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The bytes [`Pii::seal`] sealed with this key; `Err` for any other input or key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, PiiError> {
        if sealed.len() < 12 + 16 {
            return Err(PiiError::Undecryptable);
        }
        let (nonce, body) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| PiiError::Undecryptable)?;
        self.cipher
            .decrypt(&Nonce::from(nonce), body)
            .map_err(|_| PiiError::Undecryptable)
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, PiiError> {
        let body = stored.strip_prefix("v1:").ok_or(PiiError::Undecryptable)?;
        let bytes = STANDARD.decode(body).map_err(|_| PiiError::Undecryptable)?;
        if bytes.len() < 12 + 16 {
            return Err(PiiError::Undecryptable);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| PiiError::Undecryptable)?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| PiiError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| PiiError::Undecryptable)
    }

    /// A fingerprint of the key (a keyed hash of a constant: it decrypts nothing), kept
    /// in the database to refuse a server started with the wrong key.
    pub fn fingerprint(&self) -> String {
        hex::encode(&hmac(&self.index_key, &[b"cunyi id key fingerprint"])[..16])
    }

    /// The keyed hash used for lookups and the uniqueness constraint.
    pub fn blind_index(&self, normalized: &str) -> String {
        hex::encode(hmac(
            &self.index_key,
            &[b"id_number:", normalized.as_bytes()],
        ))
    }
}

/// `370402********1234`: the first 6 and last 4 characters, the rest starred.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pii() -> Pii {
        Pii::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let p = pii();
        let a = p.encrypt("37040219800101123X");
        let b = p.encrypt("37040219800101123X");
        assert_ne!(a, b, "same plaintext, different ciphertexts");
        assert!(!a.contains("19800101"));
        assert_eq!(p.decrypt(&a).unwrap(), "37040219800101123X");
    }

    #[test]
    fn tampering_or_another_key_fails_to_open() {
        let p = pii();
        let sealed = p.encrypt("370402198001011234");
        let mut bytes = STANDARD.decode(&sealed[3..]).unwrap();
        bytes[14] ^= 1;
        assert!(
            p.decrypt(&format!("v1:{}", STANDARD.encode(bytes)))
                .is_err()
        );
        let other = Pii::from_hex(&"cd".repeat(32)).unwrap();
        assert!(other.decrypt(&sealed).is_err());
        assert!(Pii::from_hex("short").is_err());
    }

    #[test]
    fn the_blind_index_is_stable_and_keyed() {
        let p = pii();
        assert_eq!(
            p.blind_index("370402198001011234"),
            p.blind_index("370402198001011234")
        );
        let other = Pii::from_hex(&"cd".repeat(32)).unwrap();
        assert_ne!(
            p.blind_index("370402198001011234"),
            other.blind_index("370402198001011234")
        );
    }

    #[test]
    fn masks_keep_six_and_four() {
        assert_eq!(mask_id_number("370402198001011234"), "370402********1234");
        assert_eq!(mask_id_number("37040219800101123X"), "370402********123X");
    }
}
