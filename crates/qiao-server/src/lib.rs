//! Qiao's HTTP side: the JSON API under `/api/v1`, its OpenAPI document, and pages.
//!
//! A request enters through [`router`] (one table of every route), is authenticated by the
//! extractors in [`auth`], handled by a thin function in [`api`] (or [`pages`]) that calls the
//! operation in `qiao_app` (or the domain and the store directly, for what no other caller
//! shares), and leaves as JSON, a page, or the error envelope of [`error`].

pub mod api;
pub mod auth;
pub mod deadline;
pub mod download;
pub mod error;
pub mod json;
pub mod openapi;
pub mod pages;
mod router;
pub mod semantic;
pub mod state;
pub mod upload;

pub use router::router;
pub use state::AppState;

/// How long open requests may finish after Ctrl-C or SIGTERM before the server stops anyway.
/// Requests have deadlines of their own ([`deadline`]); uploads' are longer than a supervisor
/// waits (systemd and Kubernetes send SIGKILL after 10 s by default), so the server does not
/// wait for them.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(8);

/// Serves the application on `listener` until Ctrl-C or SIGTERM, then lets open requests
/// finish for at most [`SHUTDOWN_GRACE`].
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let signalled = std::sync::Arc::new(tokio::sync::Notify::new());
    let notify = signalled.clone();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown_signal().await;
        notify.notify_one();
    });
    tokio::select! {
        served = server => served,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!(grace_s = SHUTDOWN_GRACE.as_secs(), "requests still open after the grace period; stopping anyway");
            Ok(())
        }
    }
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
