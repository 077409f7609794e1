//! Signing in: the one path the token API (`POST /api/v1/tokens`) and the sign-in form
//! (`POST /login`) share, and the limit on guessing that both count against.
//!
//! - The password check (argon2id, tens of milliseconds of CPU by design) runs on the queue of
//!   heavy work (`qiao_search::cpu`, one task per core), never on the async runtime's threads,
//!   which serve every other request.
//! - [`LoginLimiter`] allows [`LoginLimiter::MAX_FAILURES`] failures per username within
//!   [`LoginLimiter::WINDOW`]. An attempt takes its place in the count *before* the slow hash
//!   ([`LoginLimiter::begin`]) and gives it back only if it succeeds, so a burst of concurrent
//!   guesses is held to the same five as guesses one after the other.
//! - The limiter is keyed by the SHA-256 of the normalised username (32 bytes whatever was
//!   sent) and holds at most [`LoginLimiter::MAX_ENTRIES`] usernames, so no stream of failed
//!   sign-ins, however long the names, grows the server's memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use qiao_domain::Account;
use qiao_store::Store;
use sha2::{Digest, Sha256};

use crate::credentials::{DUMMY_HASH, verify_password};
use crate::error::{AppError, AppResult};

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures for this username: try again after this long.
    Locked(Duration),
    /// Wrong username or password (or a disabled account: the same answer; why is told at
    /// `POST /api/v1/tokens` in `qiao-server`).
    Wrong,
}

/// Checks `password` for `username`, counting the attempt against the username's limit in
/// `logins` (the one limiter of the process). `Ok(Err(_))` is a refusal to show the user;
/// `Err` a fault of the store or the runtime.
pub async fn authenticate(
    store: &dyn Store,
    logins: &LoginLimiter,
    username: &str,
    password: &str,
) -> AppResult<Result<Account, Refusal>> {
    let attempt = match logins.begin(username) {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Err(Refusal::Locked(wait))),
    };
    // A fault below drops `attempt`, which gives its place back uncounted.
    let found = store.account_for_login(username).await?;
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), hash),
        // Hash even when the user is unknown, so time does not tell which usernames exist.
        None => (None, DUMMY_HASH.clone()),
    };
    let password = password.to_owned();
    // On the queue of heavy work, one task per core (`qiao_search::cpu`): a flood of sign-ins
    // with many usernames waits its turn instead of starting a thread per attempt.
    let matches = qiao_search::cpu::run(move || verify_password(&password, &hash))
        .await
        .map_err(AppError::internal)?;
    match account {
        Some(account) if matches => {
            attempt.succeeded();
            Ok(Ok(account))
        }
        _ => {
            attempt.failed();
            Ok(Err(Refusal::Wrong))
        }
    }
}

/// Failed sign-ins per username, in this process. (Several processes behind one load
/// balancer each count their own; the limit per process still bounds guessing.)
#[derive(Debug, Default)]
pub struct LoginLimiter {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

/// One username's count.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Failures since `since`.
    failures: u32,
    /// Attempts being checked right now; they count as failures until they succeed.
    pending: u32,
    /// When the first counted failure happened.
    since: Instant,
}

impl Entry {
    fn stale(&self) -> bool {
        self.failures > 0 && self.since.elapsed() >= LoginLimiter::WINDOW
    }

    fn idle(&self) -> bool {
        self.pending == 0 && (self.failures == 0 || self.stale())
    }
}

impl LoginLimiter {
    /// Failures allowed within [`Self::WINDOW`].
    pub const MAX_FAILURES: u32 = 5;
    /// The window over which failures count.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Usernames counted at once. When full, idle and stale entries go first, then those with
    /// the fewest failures (the oldest among them): a locked username is the last to be
    /// forgotten, and pushing one out takes tens of thousands of failed sign-ins, each paying
    /// for a password hash. 10,000 entries of 32-byte keys are well under a megabyte.
    pub const MAX_ENTRIES: usize = 10_000;
    /// How long a caller waits when the attempts in flight fill the budget (they may succeed
    /// and give their places back).
    const BUSY_WAIT: Duration = Duration::from_secs(1);

    /// The key of a username: case and surrounding spaces do not make another name, and the
    /// key's size does not depend on what was sent.
    fn key(username: &str) -> [u8; 32] {
        Sha256::digest(username.trim().to_lowercase().as_bytes()).into()
    }

    /// Starts an attempt for `username`, or `Err(wait)` while it is locked out. The attempt
    /// counts as a failure until [`Attempt::succeeded`]; dropped without an outcome (a fault
    /// before the password was checked), it counts as nothing.
    pub fn begin(&self, username: &str) -> Result<Attempt<'_>, Duration> {
        let key = Self::key(username);
        let mut map = self.entries.lock().expect("limiter lock");
        if !map.contains_key(&key) && map.len() >= Self::MAX_ENTRIES {
            make_room(&mut map);
        }
        let entry = map.entry(key).or_insert(Entry {
            failures: 0,
            pending: 0,
            since: Instant::now(),
        });
        if entry.stale() {
            entry.failures = 0;
        }
        if entry.failures >= Self::MAX_FAILURES {
            return Err(Self::WINDOW.saturating_sub(entry.since.elapsed()));
        }
        if entry.failures + entry.pending >= Self::MAX_FAILURES {
            return Err(Self::BUSY_WAIT);
        }
        entry.pending += 1;
        Ok(Attempt {
            limiter: self,
            key,
            settled: false,
        })
    }

    /// How many usernames are counted now.
    pub fn len(&self) -> usize {
        self.entries.lock().expect("limiter lock").len()
    }

    /// Whether no username is counted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn settle(&self, key: &[u8; 32], outcome: Option<bool>) {
        let mut map = self.entries.lock().expect("limiter lock");
        let Some(entry) = map.get_mut(key) else {
            return;
        };
        entry.pending = entry.pending.saturating_sub(1);
        match outcome {
            Some(true) => entry.failures = 0,
            Some(false) => {
                if entry.failures == 0 || entry.stale() {
                    entry.failures = 0;
                    entry.since = Instant::now();
                }
                entry.failures += 1;
            }
            None => {}
        }
        if entry.idle() {
            map.remove(key);
        }
    }
}

/// Frees one place in a full map: every idle entry if there are any, else the entry with the
/// fewest failures, the oldest among equals.
fn make_room(map: &mut HashMap<[u8; 32], Entry>) {
    map.retain(|_, e| !e.idle());
    if map.len() < LoginLimiter::MAX_ENTRIES {
        return;
    }
    let weakest = map
        .iter()
        .filter(|(_, e)| e.pending == 0)
        .min_by_key(|(_, e)| (e.failures, e.since))
        .map(|(k, _)| *k);
    if let Some(k) = weakest {
        map.remove(&k);
    }
}

/// A sign-in attempt holding its place in its username's count.
#[must_use = "an attempt counts as a failure until it is settled"]
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    key: [u8; 32],
    settled: bool,
}

impl Attempt<'_> {
    /// The password was right: the username's failures are forgotten.
    pub fn succeeded(mut self) {
        self.settled = true;
        self.limiter.settle(&self.key, Some(true));
    }

    /// The password was wrong: one more failure.
    pub fn failed(mut self) {
        self.settled = true;
        self.limiter.settle(&self.key, Some(false));
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.limiter.settle(&self.key, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_a_username() {
        let l = LoginLimiter::default();
        for _ in 0..LoginLimiter::MAX_FAILURES {
            l.begin("Admin").unwrap().failed();
        }
        assert!(l.begin("ADMIN ").is_err());
        assert!(l.begin("other").is_ok());
    }

    #[test]
    fn a_success_forgets_the_failures() {
        let l = LoginLimiter::default();
        for _ in 0..LoginLimiter::MAX_FAILURES - 1 {
            l.begin("admin").unwrap().failed();
        }
        l.begin("admin").unwrap().succeeded();
        for _ in 0..LoginLimiter::MAX_FAILURES {
            l.begin("admin").unwrap().failed();
        }
        assert!(l.begin("admin").is_err());
    }

    #[test]
    fn attempts_in_flight_count_until_they_succeed() {
        let l = LoginLimiter::default();
        // Five concurrent attempts take every place before any password is checked.
        let flying: Vec<Attempt<'_>> = (0..LoginLimiter::MAX_FAILURES)
            .map(|_| l.begin("admin").unwrap())
            .collect();
        assert_eq!(
            l.begin("admin").err(),
            Some(LoginLimiter::BUSY_WAIT),
            "a sixth must wait"
        );
        let mut flying = flying.into_iter();
        flying.next().unwrap().succeeded();
        drop(flying.next()); // a fault: counted as nothing
        assert!(l.begin("admin").is_ok(), "places given back");
        for a in flying {
            a.failed();
        }
        assert!(
            l.begin("admin").is_ok(),
            "three failures, the success cleared none after it"
        );
    }

    #[test]
    fn long_usernames_and_many_of_them_stay_bounded() {
        let l = LoginLimiter::default();
        let long = "x".repeat(1 << 20);
        // A locked username among many junk ones.
        for _ in 0..LoginLimiter::MAX_FAILURES {
            l.begin("victim").unwrap().failed();
        }
        for i in 0..LoginLimiter::MAX_ENTRIES + 500 {
            let name = if i < 8 {
                format!("{long}{i}")
            } else {
                format!("junk{i}")
            };
            l.begin(&name).unwrap().failed();
        }
        assert_eq!(l.len(), LoginLimiter::MAX_ENTRIES);
        assert!(
            l.begin("victim").is_err(),
            "the locked username is the last to be forgotten"
        );
        // A successful or faulty attempt leaves nothing behind.
        let l = LoginLimiter::default();
        l.begin(&long).unwrap().succeeded();
        drop(l.begin("someone").unwrap());
        assert!(l.is_empty());
    }
}
