//! Passwords and secrets, for every way in: the API's tokens, the pages' sessions, the
//! command line's `qiao account`, the demo accounts.
//!
//! Passwords are hashed with argon2id and a random salt. A token is shown once, at creation;
//! the store keeps only its SHA-256, so a leaked database does not leak working tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use qiao_domain::Account;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// [`hash_password`] on the queue of heavy work (`qiao_search::cpu`, one task per core) rather
/// than on the async runtime's threads: argon2 takes tens of milliseconds of CPU by design, and
/// anyone may register. (Should the queue itself fail, the hash is made here.)
pub async fn hash_password_queued(password: &str) -> String {
    let p = password.to_owned();
    match qiao_search::cpu::run(move || hash_password(&p)).await {
        Ok(hash) => hash,
        Err(_) => hash_password(password),
    }
}

/// Whether `password` matches a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the username is unknown, so that a failed login takes as
/// long whether or not the account exists.
pub static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("no such account"));

/// A new API token (`qiao_` and 40 hex digits) and the hash to store.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 20] = rand::rng().random();
    let token = format!("qiao_{}", hex(&bytes));
    let hash = token_hash(&token);
    (token, hash)
}

/// A random secret of 32 bytes as hex (session cookies, CSRF tokens).
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex(&bytes)
}

/// The SHA-256 (hex) under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Credentials exchanged for an API token (`POST /api/v1/tokens`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// A label for the token (e.g. the script that uses it).
    #[serde(default)]
    pub name: Option<String>,
    /// How many days the token works: 1 to 365, 90 when not given.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// A new token, shown only this once.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NewToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Whose token it is.
    pub account: Account,
    /// Its id, to revoke it (`DELETE /api/v1/tokens/{id}`).
    pub id: i64,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
