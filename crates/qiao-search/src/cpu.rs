//! Where a request's CPU-heavy work runs: retrieval and explaining hits.
//!
//! Such work never runs on the async runtime's threads (a long explanation there would stall
//! every other request the thread serves, and the shutdown signal with them). It runs on
//! tokio's blocking pool, at most one task per core at a time: under a burst of heavy queries
//! the rest wait their turn in a fair queue instead of starting hundreds of threads that
//! share two cores. The permit travels with the task, so a request that is dropped while its
//! task runs does not let another start beside it.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// One permit per core.
static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ))
});

/// Runs `work` on the blocking pool once a core is free.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let permit = PERMITS
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| Error::Index(format!("search task queue closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| Error::Index(format!("search task failed: {e}")))
}
