//! Keeping the index a derived view of the store by following its change feed.
//!
//! The follower reads the feed in batches after the position the index last committed, fetches
//! the listings and imported documents that changed, and applies each batch as one index commit that records the new
//! position. It catches up at start, whenever a write wakes it, and on a slow timer as a safety
//! net. Nothing else writes the index, so a crash at any point leaves it consistent with some
//! earlier position of the feed, from which it simply continues.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use qiao_domain::Status;
use qiao_store::{Op, Store};
use tokio::sync::{Mutex, Notify, watch};

use crate::document::{DocEntry, IndexDoc};
use crate::error::{Error, Result};
use crate::index::{Batch, SearchIndex};

/// How many feed entries one index commit covers at most.
const BATCH: u32 = 5_000;

/// Follows the store's change feed into the index.
pub struct Follower {
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    reached: watch::Sender<i64>,
    wake: Notify,
    running: Mutex<()>,
}

impl Follower {
    /// A follower for `index`. If the index is ahead of the store (it was built from another
    /// database, or the database was restored from an older backup) it is cleared first.
    pub async fn new(store: Arc<dyn Store>, index: Arc<SearchIndex>) -> Result<Arc<Follower>> {
        let mut at = index.indexed_seq()?;
        if at > store.last_seq().await? {
            tracing::warn!(
                index_seq = at,
                "search index is ahead of the database; rebuilding it"
            );
            let i = index.clone();
            blocking(move || i.clear()).await?;
            at = 0;
        }
        Ok(Arc::new(Follower {
            store,
            index,
            reached: watch::channel(at).0,
            wake: Notify::new(),
            running: Mutex::new(()),
        }))
    }

    /// The index being maintained.
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// The feed position the index has reached.
    pub fn reached(&self) -> i64 {
        *self.reached.borrow()
    }

    /// Asks the background task to catch up now (called after writes).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Applies every change not yet indexed; returns how many feed entries were read.
    pub async fn catch_up(&self) -> Result<usize> {
        let _one_at_a_time = self.running.lock().await;
        let mut total = 0;
        loop {
            let from = self.index.indexed_seq()?;
            let changes = self.store.changes_since(from, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                self.reached.send_replace(from);
                return Ok(total);
            };
            total += changes.len();
            // The last operation on each record in the batch decides what to do with it.
            let latest = |entity: &str| -> BTreeMap<i64, Op> {
                changes
                    .iter()
                    .filter(|c| c.entity == entity)
                    .map(|c| (c.entity_id, c.op))
                    .collect()
            };
            let (listings, documents) = (latest("listing"), latest("document"));
            let wanted = |latest: &BTreeMap<i64, Op>| -> Vec<i64> {
                latest
                    .iter()
                    .filter(|(_, op)| **op != Op::Delete)
                    .map(|(id, _)| *id)
                    .collect()
            };
            let started = std::time::Instant::now();
            let mut records = self.store.get_listings(&wanted(&listings)).await?;
            // Drafts are seen by their owners only, so they are never searchable.
            records.retain(|r| r.listing.status() != Status::Draft);
            let docs = self.store.get_documents(&wanted(&documents)).await?;
            // Gone from the database (deleted in the batch or since) or a draft again: remove
            // from the index.
            let batch = Batch {
                deleted_listings: listings
                    .keys()
                    .filter(|id| records.binary_search_by_key(*id, |r| r.id).is_err())
                    .map(|id| *id as u64)
                    .collect(),
                listings: records
                    .iter()
                    .map(|r| IndexDoc::from_listing(r.id, &r.listing))
                    .collect(),
                deleted_documents: documents
                    .keys()
                    .filter(|id| docs.binary_search_by_key(*id, |d| d.id).is_err())
                    .map(|id| *id as u64)
                    .collect(),
                documents: docs.iter().map(DocEntry::from_record).collect(),
            };
            let read = started.elapsed();
            let index = self.index.clone();
            let (n_listings, n_documents) = (batch.listings.len(), batch.documents.len());
            blocking(move || index.apply_batch(&batch, last)).await?;
            tracing::debug!(
                listings = n_listings,
                documents = n_documents,
                read_ms = read.as_millis() as u64,
                total_ms = started.elapsed().as_millis() as u64,
                up_to = last,
                "index batch committed"
            );
            self.reached.send_replace(last);
        }
    }

    /// Clears the index and rebuilds it from the whole feed; returns the documents indexed.
    pub async fn rebuild(&self) -> Result<u64> {
        {
            let _one_at_a_time = self.running.lock().await;
            let index = self.index.clone();
            blocking(move || index.clear()).await?;
            self.reached.send_replace(0);
        }
        self.catch_up().await?;
        let index = self.index.clone();
        blocking(move || index.merge_segments()).await?;
        Ok(self.index.num_docs())
    }

    /// Waits until the index has reached `seq`, or `timeout` passes; returns whether it did.
    pub async fn wait_for(&self, seq: i64, timeout: Duration) -> bool {
        let mut rx = self.reached.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|at| *at >= seq))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until the index reflects every write committed before this call (bounded by
    /// `timeout`), so a client that just wrote a listing finds it.
    pub async fn fresh(&self, timeout: Duration) -> Result<bool> {
        let target = self.store.last_seq().await?;
        if self.reached() >= target {
            return Ok(true);
        }
        self.wake();
        Ok(self.wait_for(target, timeout).await)
    }

    /// Runs the follower until the process ends: catch up, then wait for a wake-up or the
    /// safety-net timer. Errors are logged and retried.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.catch_up().await {
                    tracing::error!(error = %e, "indexing the change feed failed; retrying");
                }
                let _ = tokio::time::timeout(Duration::from_secs(2), me.wake.notified()).await;
            }
        })
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Index(format!("indexing task failed: {e}")))?
}
