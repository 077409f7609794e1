//! The application layer's one error type: the user's mistakes, each of its own kind so a
//! caller can say what to fix, apart from internal faults, which the user can do nothing about.
//!
//! The store's error already separates the two ([`StoreError`]); operations add the refusals
//! of their own rules (who may act, what a record must be). `qiao-server` maps each kind to
//! its status and error envelope in one place (`error.rs`); the command line prints the
//! message.

use qiao_domain::Invalid;
use qiao_store::StoreError;

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record, or one the caller may not see: both read the same, so ids reveal
    /// nothing.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// It would break uniqueness or a reference, or the record changed meanwhile.
    #[error("{0}")]
    Conflict(String),
    /// Fields break rules: each named with its problem.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The input as a whole cannot be used as asked, no single field being at fault (an
    /// export matching too many rows, say); the message says how to narrow it.
    #[error("{0}")]
    Refused(String),
    /// A fault of the system (the database, a task that died): logged with its causes, never
    /// shown to the user.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// Shorthand for the result of an operation.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A record that does not exist (or is hidden from the caller): "`what` `id` does not
    /// exist".
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        AppError::NotFound(format!("{what} {id} does not exist"))
    }

    /// A refusal with its reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    /// An internal fault with its cause.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(cause))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => AppError::NotFound(e.to_string()),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(invalid) => AppError::Invalid(invalid),
            StoreError::Corrupt(_) | StoreError::Database(_) => AppError::internal(e),
        }
    }
}

impl From<qiao_search::Error> for AppError {
    fn from(e: qiao_search::Error) -> Self {
        match e {
            qiao_search::Error::Store(s) => s.into(),
            other => AppError::internal(other),
        }
    }
}
