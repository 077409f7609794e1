//! Keeping the index a derived view of the store by following its change feed.
//!
//! The follower reads the feed in batches after the position the index last committed, fetches
//! the listings and imported documents that changed, and applies each batch as one index commit that records the new
//! position. It catches up at start, whenever a write wakes it, and on a slow timer as a safety
//! net. Nothing else writes the index, so a crash at any point leaves it consistent with some
//! earlier position of the feed, from which it simply continues.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use qiao_domain::Status;
use qiao_store::{DocumentRecord, DocumentState, ListingRecord, Op, Store};
use tokio::sync::{Mutex, Notify, watch};

use crate::document::{DocEntry, IndexDoc};
use crate::error::{Error, Result};
use crate::index::{Batch, SearchIndex};

/// How many feed entries one index commit covers at most.
const BATCH: u32 = 5_000;

/// A catch-up of at least this many changes (a bulk import, a first start on a large store)
/// ends by merging the index into one segment, as a rebuild does: each batch commits a
/// segment, and every query looks each of its terms up in every segment. Measured 2026-12-02
/// (`qiao bench scale --docs 100000` without and with `--merge`): short queries p50 0.78 →
/// 0.44 ms, claim-length 15.4 → 5.1 ms; the merge took 1.4 s. Ordinary edits, a few at a
/// time, leave merging to tantivy's own policy.
pub const MERGE_AFTER: usize = 10_000;

/// One batch of the change feed, resolved to what a derived view needs: the records to
/// (re)write as they are now, and those to remove. Shared by the index follower and the
/// vectors' follower ([`crate::semantic::Semantic`]), which read the same feed from their own
/// positions.
pub(crate) struct FeedBatch {
    /// The feed position the batch reaches.
    pub last: i64,
    /// Feed entries read.
    pub entries: usize,
    /// Changed listings that exist and are searchable (drafts are never: their owners alone see
    /// them), sorted by id.
    pub listings: Vec<ListingRecord>,
    /// Changed documents that exist, sorted by id.
    pub documents: Vec<DocumentRecord>,
    /// Listings gone from the database (deleted in the batch or since) or a draft again.
    pub gone_listings: Vec<u64>,
    /// Documents gone from the database.
    pub gone_documents: Vec<u64>,
}

impl FeedBatch {
    /// Reads at most `limit` feed entries after `from`; `None` when there are none.
    pub async fn read(store: &dyn Store, from: i64, limit: u32) -> Result<Option<FeedBatch>> {
        let changes = store.changes_since(from, limit).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok(None);
        };
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
        let mut records = store.get_listings(&wanted(&listings)).await?;
        records.retain(|r| r.listing.status() != Status::Draft);
        let mut docs = store.get_documents(&wanted(&documents)).await?;
        // Drafts are seen by staff on their pages, never found by a search: like a listing's
        // draft, a document's is left out (and dropped when it goes back to draft).
        docs.retain(|d| d.document.state == DocumentState::Published);
        Ok(Some(FeedBatch {
            last,
            entries: changes.len(),
            gone_listings: listings
                .keys()
                .filter(|id| records.binary_search_by_key(*id, |r| r.id).is_err())
                .map(|id| *id as u64)
                .collect(),
            gone_documents: documents
                .keys()
                .filter(|id| docs.binary_search_by_key(*id, |d| d.id).is_err())
                .map(|id| *id as u64)
                .collect(),
            listings: records,
            documents: docs,
        }))
    }
}

/// Follows the store's change feed into the index.
pub struct Follower {
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    reached: watch::Sender<i64>,
    wake: Notify,
    running: Mutex<()>,
    /// [`MERGE_AFTER`], or another value set for a test.
    merge_after: AtomicUsize,
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
            merge_after: AtomicUsize::new(MERGE_AFTER),
        }))
    }

    /// Changes the size of a catch-up that ends with a merge ([`MERGE_AFTER`]; tests).
    pub fn set_merge_after(&self, changes: usize) {
        self.merge_after.store(changes, Ordering::Relaxed);
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
            let started = std::time::Instant::now();
            let Some(feed) = FeedBatch::read(self.store.as_ref(), from, BATCH).await? else {
                self.reached.send_replace(from);
                if total >= self.merge_after.load(Ordering::Relaxed) {
                    // Searches keep reading the old segments until the merge is done.
                    let index = self.index.clone();
                    blocking(move || index.merge_segments()).await?;
                }
                return Ok(total);
            };
            total += feed.entries;
            let last = feed.last;
            let batch = Batch {
                deleted_listings: feed.gone_listings,
                listings: feed.listings.iter().map(IndexDoc::from_record).collect(),
                deleted_documents: feed.gone_documents,
                documents: feed.documents.iter().map(DocEntry::from_record).collect(),
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
