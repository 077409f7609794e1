//! The HTTP layer's one error type and its stable JSON envelope.
//!
//! Every failure leaves the server as `{"error": {"code", "message", "fields"?}}` with a status
//! decided in one table ([`Code`]). A validation failure lists in `fields` each field with the
//! rule it breaks: `{"field", "code", …the rule's values, "message"}`, the code one of
//! [`qiao_domain::Rule`]'s (listed in the OpenAPI document) and the message its English.
//! Internal faults are logged with their cause chain and shown to the caller only as a plain
//! `internal` error: no SQL, paths or driver text reach users.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qiao_domain::{FieldError, Invalid};
use qiao_store::StoreError;
use serde::Serialize;

/// Stable error codes, each with its one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The body is not JSON (or not UTF-8), or a query string is malformed.
    MalformedRequest,
    /// The body is JSON but a field is missing, unknown, of the wrong type or breaks a rule.
    ValidationFailed,
    /// No valid token or session.
    Unauthenticated,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// No such record or route.
    NotFound,
    /// Would break uniqueness or a reference.
    Conflict,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// Too many attempts; wait and retry.
    TooManyRequests,
    /// A fault on the server's side.
    Internal,
    /// The request took longer than the server gives one; its work was stopped. Retry later.
    Unavailable,
}

impl Code {
    /// The status each code is sent with.
    pub fn status(self) -> StatusCode {
        match self {
            Code::MalformedRequest => StatusCode::BAD_REQUEST,
            Code::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::Conflict => StatusCode::CONFLICT,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    /// The stable code.
    pub code: Code,
    /// A sentence saying what went wrong and how to fix it.
    pub message: String,
    /// For validation failures: each field and its problem.
    pub fields: Vec<FieldError>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: Code,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// 401: the caller must authenticate.
    pub fn unauthenticated() -> Self {
        Self::new(
            Code::Unauthenticated,
            "this needs an account: send `Authorization: Bearer <token>` (get one from POST /api/v1/tokens)",
        )
    }

    /// 403 with a reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(Code::Forbidden, message)
    }

    /// 404 for a record.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(Code::NotFound, format!("{what} {id} does not exist"))
    }

    /// A 500 that logs the cause and tells the caller nothing internal.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        Self::new(
            Code::Internal,
            "the server failed to handle this request; it has been logged",
        )
    }
}

impl From<Invalid> for ApiError {
    fn from(Invalid(fields): Invalid) -> Self {
        let message = match fields.as_slice() {
            [one] => one.to_string(),
            many => format!("{} fields are invalid; see `fields`", many.len()),
        };
        ApiError {
            code: Code::ValidationFailed,
            message,
            fields,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::new(Code::NotFound, e.to_string()),
            StoreError::Conflict(m) => ApiError::new(Code::Conflict, m),
            StoreError::Invalid(invalid) => invalid.into(),
            StoreError::Corrupt(_) | StoreError::Database(_) => ApiError::internal(&e),
        }
    }
}

/// The application layer's errors, each kind to its code: the one place where an operation's
/// refusal becomes a status.
impl From<qiao_app::AppError> for ApiError {
    fn from(e: qiao_app::AppError) -> Self {
        use qiao_app::AppError;
        match e {
            AppError::NotFound(m) => ApiError::new(Code::NotFound, m),
            AppError::Forbidden(m) => ApiError::forbidden(m),
            AppError::Conflict(m) => ApiError::new(Code::Conflict, m),
            AppError::Invalid(invalid) => invalid.into(),
            AppError::Refused(m) => ApiError::new(Code::ValidationFailed, m),
            AppError::Internal(cause) => ApiError::internal(&*cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            error: Body {
                code: self.code,
                message: &self.message,
                fields: &self.fields,
            },
        };
        (self.code.status(), axum::Json(body)).into_response()
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<qiao_search::Error> for ApiError {
    fn from(e: qiao_search::Error) -> Self {
        match e {
            qiao_search::Error::Store(s) => s.into(),
            other => ApiError::internal(&other),
        }
    }
}
