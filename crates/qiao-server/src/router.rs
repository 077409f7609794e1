//! Every route of the server, in one table. Handler modules mirror the URLs.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use qiao_domain::Kind;

use crate::api::{accounts, imports, listings, meta, organisations, search};
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// Builds the application.
pub fn router(state: AppState) -> Router {
    let mut api = Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route("/tokens", post(accounts::create_token))
        .route("/me", get(accounts::me))
        .route("/search", get(search::search))
        .route("/search/status", get(search::status))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route(
            "/imports",
            post(imports::create).layer(DefaultBodyLimit::max(imports::MAX_IMPORT)),
        )
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route(
            "/organisations/{id}",
            get(organisations::get)
                .put(organisations::replace)
                .patch(organisations::patch)
                .delete(organisations::delete),
        );
    // The seven listing kinds share one set of handlers; each route binds its kind.
    for kind in Kind::ALL {
        api = api
            .route(
                &format!("/{}", kind.plural()),
                get(move |s, v, q| listings::list(kind, s, v, q))
                    .post(move |s, u, b| listings::create(kind, s, u, b)),
            )
            .route(
                &format!("/{}/{{id}}", kind.plural()),
                get(move |s, v, i| listings::get(kind, s, v, i))
                    .put(move |s, u, i, b| listings::replace(kind, s, u, i, b))
                    .patch(move |s, u, i, b| listings::patch(kind, s, u, i, b))
                    .delete(move |s, u, i| listings::delete(kind, s, u, i)),
            )
            .route(
                &format!("/{}/{{id}}/matches", kind.plural()),
                get(move |s, v, i, q| search::matches(kind, s, v, i, q)),
            );
    }
    let api = api.fallback(|| async {
        ApiError::new(
            Code::NotFound,
            "no such API route; see /api/v1/openapi.json",
        )
    });
    Router::new()
        .route("/", get(crate::pages::home))
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(crate::json::MAX_BODY))
        .with_state(state)
}
