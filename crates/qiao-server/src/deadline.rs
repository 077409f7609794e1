//! Every request has a deadline. A request still running when it passes is answered 503
//! (`unavailable`, in the error envelope for the API, as a page for browsers) and its handler
//! is dropped, which stops its awaits: its store queries, its wait for the index, its place in
//! the queue for a core ([`qiao_search::cpu`]). Work already handed to a core finishes its
//! step, but every such step is bounded (an explanation reads at most 32 KB of a text).
//!
//! Uploads (bulk imports, policy documents) read and store up to 64 MB and get longer; every
//! other request gets [`REQUEST`]. The limits are [`Deadlines`], kept in the shared state so
//! tests can shorten them.
//!
//! [`REQUEST`]: crate::state::REQUEST
//! [`Deadlines`]: crate::state::Deadlines

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Code};
use crate::pages::session::{LANG_COOKIE, cookie};
use crate::pages::{Lang, PageError};
use crate::state::AppState;

/// Whether a request is an upload, which gets [`crate::state::UPLOAD`].
fn is_upload(req: &Request) -> bool {
    req.method() == axum::http::Method::POST
        && matches!(
            req.uri().path(),
            "/api/v1/imports" | "/api/v1/documents" | "/documents"
        )
}

/// The middleware: runs the rest of the stack under the request's deadline.
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = if is_upload(&req) {
        state.deadlines.upload
    } else {
        state.deadlines.request
    };
    let api = req.uri().path().starts_with("/api/");
    let l = match cookie(req.headers(), LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_s = limit.as_secs_f64(), "request passed its deadline");
            let error = ApiError::new(
                Code::Unavailable,
                format!(
                    "the request took longer than {} s and was stopped; try again later, or narrow it",
                    limit.as_secs()
                ),
            );
            if api {
                error.into_response()
            } else {
                PageError { error, l }.into_response()
            }
        }
    }
}
