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

/// Ctrl-C and SIGTERM, listened for from the moment this is made. A server makes it before it
/// announces its address: a supervisor that stops a server just started (its SIGTERM arriving
/// while the index opens) then gets the clean stop, not the signal's default action, which kills
/// the process on the spot.
pub struct Shutdown {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Shutdown {
    /// Starts listening for the signals (within a Tokio runtime).
    pub fn on_signals() -> Shutdown {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Shutdown {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Shutdown {}
    }

    /// Resolves at the first signal since [`on_signals`](Shutdown::on_signals).
    async fn received(self) {
        #[cfg(unix)]
        {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(self.interrupt) => {},
                () = wait(self.terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.ok();
        }
        tracing::info!("shutting down");
    }
}

/// Serves the application on `listener` until `shutdown` receives Ctrl-C or SIGTERM, then lets
/// open requests finish for at most [`SHUTDOWN_GRACE`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let signalled = std::sync::Arc::new(tokio::sync::Notify::new());
    let notify = signalled.clone();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown.received().await;
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
