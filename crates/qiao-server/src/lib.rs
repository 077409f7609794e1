//! Qiao's HTTP side: the JSON API under `/api/v1`, its OpenAPI document, and pages.
//!
//! A request enters through [`router`] (one table of every route), is authenticated by the
//! extractors in [`auth`], handled by a thin function in [`api`] that calls the domain for
//! validation and the store for data, and leaves as JSON or as the error envelope of [`error`].

pub mod api;
pub mod auth;
pub mod documents;
pub mod error;
pub mod import;
pub mod json;
pub mod openapi;
pub mod pages;
pub mod planning;
mod router;
pub mod semantic;
pub mod signin;
pub mod state;

pub use router::router;
pub use state::AppState;

/// Serves the application on `listener` until Ctrl-C or SIGTERM, then finishes open requests.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
