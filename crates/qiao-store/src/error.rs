//! The store's one error type: the caller's mistakes (not found, conflict, invalid) apart from
//! faults of the database itself.

use qiao_domain::Invalid;

/// What can go wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{what} {key} does not exist")]
    NotFound {
        /// Which sort of record (`listing`, `organisation`).
        what: &'static str,
        /// The id or key that was looked up.
        key: String,
    },
    /// The write would break a uniqueness rule or a reference.
    #[error("{0}")]
    Conflict(String),
    /// The records handed in are not valid.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

/// Shorthand for results of store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> Self {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }
}

/// Turns a unique-key violation into a [`StoreError::Conflict`] with `message`, a foreign-key
/// violation into one saying what is still referenced, and anything else into a database error.
pub(crate) fn conflict_on_unique(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Conflict(message());
        }
        if db.is_foreign_key_violation() {
            return StoreError::Conflict(
                "the record is referenced by others (listings or accounts) or refers to one that does not exist".into(),
            );
        }
    }
    StoreError::Database(err)
}
