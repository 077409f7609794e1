//! Semantic matching's moving part: embed what changed, in the background, into the
//! [`VectorIndex`].
//!
//! Why a second follower rather than a step of the tantivy one: embedding a listing takes the
//! model a tenth of a second or more, a thousand times what indexing its words takes, so the
//! vectors trail the words. Search must not wait for them: the lexical index stays fresh, and
//! a query uses meaning for whatever has a vector (and says how far embedding has come). The
//! follower reads the same change feed from its own position, so either side can crash, be
//! rebuilt or be missing (no model installed) without the other noticing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use qiao_domain::{Kind, Listing};
use qiao_embed::{Model, Side};
use qiao_store::Store;
pub use qiao_text::simplified_for_model;
use tokio::sync::{Mutex, Notify};

use crate::document::texts;
use crate::error::{Error, Result};
use crate::follow::FeedBatch;
use crate::schema::kind_code;
use crate::vectors::{Entity, Entry, VectorIndex};

/// Feed entries read per round; each round's vectors are appended to disk together.
const BATCH: u32 = 32;

/// How much of a text the model reads (characters). e5 reads 512 pieces at most per window;
/// a listing's title, keywords and the start of its description say what it is about, and
/// a long policy page would otherwise cost dozens of windows.
pub const EMBED_CHARS: usize = 1_000;

/// The model and the vectors it keeps up to date.
pub struct Semantic {
    model: Arc<Model>,
    vectors: Arc<VectorIndex>,
    store: Arc<dyn Store>,
    /// Where background embedding runs: all cores but one, so that requests (and the query
    /// embeddings they need) are answered while a large store is being embedded.
    pool: Arc<rayon::ThreadPool>,
    wake: Notify,
    running: Mutex<()>,
    /// Embeddings of recent queries: a page, its next page and every client asking the same
    /// thing embed it once.
    recent: QueryCache,
}

/// Threads for background embedding: every core but one (at least one).
fn background_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

/// The text a listing is embedded as: title, keywords and description, cut to
/// [`EMBED_CHARS`].
pub fn listing_passage(listing: &Listing) -> String {
    let t = texts(listing);
    cut(&[t.title.as_str(), t.keywords.as_str(), t.body.as_str()].join("\n"))
}

/// The text a corpus document is embedded as (benchmarks): title and text.
pub fn corpus_passage(title: &str, text: &str) -> String {
    if title.is_empty() {
        cut(text)
    } else {
        cut(&format!("{title} {text}"))
    }
}

fn cut(text: &str) -> String {
    text.trim().chars().take(EMBED_CHARS).collect()
}

/// The share of indexed records that must have a vector before meaning takes part in
/// ranking. While a store is first embedded (hours at 100k listings), the few records with a
/// vector would crowd the semantic list: a fusion over 5 % of the corpus ranks whatever was
/// embedded first, not what is near. Until then search is lexical and says so.
pub const COVERAGE: f64 = 0.95;

/// Whether `embedded` vectors cover enough of `indexed` records (see [`COVERAGE`]).
pub fn covers(embedded: u64, indexed: u64) -> bool {
    embedded > 0 && embedded as f64 >= COVERAGE * indexed as f64
}

/// Whether listings of `kind` ask for something (and so are matched by their query vector).
pub fn asks(kind: Kind) -> bool {
    matches!(kind, Kind::Demand | Kind::Challenge | Kind::Scenario)
}

impl Semantic {
    /// Semantic matching over `vectors`, kept up to date from `store`'s feed with `model`. If
    /// the vectors are ahead of the store (a restored backup), they are cleared first.
    pub async fn new(
        store: Arc<dyn Store>,
        vectors: Arc<VectorIndex>,
        model: Arc<Model>,
    ) -> Result<Arc<Semantic>> {
        if vectors.reached() > store.last_seq().await? {
            tracing::warn!("vectors are ahead of the database; computing them again");
            let v = vectors.clone();
            blocking(move || v.clear()).await?;
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(background_threads())
            .thread_name(|i| format!("qiao-embed-{i}"))
            .build()
            .map_err(|e| Error::Index(format!("starting the embedding threads: {e}")))?;
        Ok(Arc::new(Semantic {
            model,
            vectors,
            store,
            pool: Arc::new(pool),
            wake: Notify::new(),
            running: Mutex::new(()),
            recent: QueryCache::default(),
        }))
    }

    /// The vectors.
    pub fn vectors(&self) -> &Arc<VectorIndex> {
        &self.vectors
    }

    /// The embedding of a free-text query: from the cache of recent queries, or by the model
    /// (tens of milliseconds on a core, queued with the other heavy work of requests,
    /// [`crate::cpu`]).
    pub async fn embed_query(&self, q: &str) -> Result<Vec<f32>> {
        let text = simplified_for_model(q).into_owned();
        if let Some(v) = self.recent.get(&text) {
            return Ok(v);
        }
        let model = self.model.clone();
        let key = text.clone();
        let v = crate::cpu::run(move || model.embed(&text, Side::Query)).await?;
        self.recent.put(key, &v);
        Ok(v)
    }

    /// Embeds one stored listing now, ahead of the background follower (issue #27, point 4): a
    /// listing posted a moment ago is matched with its meaning from its first view. One
    /// passage (and, for a listing that asks, its query side) takes the model milliseconds to
    /// tens of milliseconds on one core; it runs off the async runtime ([`crate::cpu`]).
    /// Drafts are not embedded (nor indexed).
    pub async fn embed_listing(&self, record: &qiao_store::ListingRecord) -> Result<()> {
        if record.listing.status() == qiao_domain::Status::Draft {
            return Ok(());
        }
        let passage = listing_passage(&record.listing);
        let query = asks(record.listing.kind()).then(|| passage.clone());
        let (id, kind) = (record.id as u64, kind_code(record.listing.kind()) as u8);
        let model = self.model.clone();
        let entry = crate::cpu::run(move || Entry {
            entity: Entity::Listing,
            id,
            kind,
            passage: model.embed(&simplified_for_model(&passage), Side::Passage),
            query: query.map(|q| model.embed(&simplified_for_model(&q), Side::Query)),
        })
        .await?;
        let vectors = self.vectors.clone();
        blocking(move || vectors.put_ahead(vec![entry])).await
    }

    /// Asks the background task to catch up now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Embeds every change not yet embedded; returns how many feed entries were read.
    pub async fn catch_up(&self) -> Result<usize> {
        let _one_at_a_time = self.running.lock().await;
        let mut total = 0;
        loop {
            let from = self.vectors.reached();
            let Some(feed) = FeedBatch::read(self.store.as_ref(), from, BATCH).await? else {
                return Ok(total);
            };
            total += feed.entries;
            let last = feed.last;
            let (records, docs) = (feed.listings, feed.documents);
            let mut deleted: Vec<(Entity, u64)> = feed
                .gone_listings
                .into_iter()
                .map(|id| (Entity::Listing, id))
                .collect();
            deleted.extend(
                feed.gone_documents
                    .into_iter()
                    .map(|id| (Entity::Document, id)),
            );
            // (entity, id, kind, passage text, query text)
            let mut work: Vec<(Entity, u64, u8, String, Option<String>)> = Vec::new();
            for r in &records {
                let passage = listing_passage(&r.listing);
                let query = asks(r.listing.kind()).then(|| passage.clone());
                work.push((
                    Entity::Listing,
                    r.id as u64,
                    kind_code(r.listing.kind()) as u8,
                    passage,
                    query,
                ));
            }
            for d in &docs {
                let text = [d.document.title.as_deref().unwrap_or(""), &d.document.text].join("\n");
                work.push((Entity::Document, d.id as u64, 0, cut(&text), None));
            }
            let started = std::time::Instant::now();
            let (model, pool) = (self.model.clone(), self.pool.clone());
            let n = work.len();
            let entries = blocking(move || Ok(pool.install(|| embed_all(&model, work)))).await?;
            let vectors = self.vectors.clone();
            blocking(move || vectors.apply(&deleted, entries, last)).await?;
            tracing::debug!(
                embedded = n,
                ms = started.elapsed().as_millis() as u64,
                up_to = last,
                "vectors batch written"
            );
        }
    }

    /// Runs the follower until the process ends. Errors are logged and retried.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.catch_up().await {
                    tracing::error!(error = %e, "embedding the change feed failed; retrying");
                }
                let _ = tokio::time::timeout(Duration::from_secs(5), me.wake.notified()).await;
            }
        })
    }
}

/// Embeds passages (and the query side of listings that ask) over every core, traditional
/// texts folded to simplified first ([`simplified_for_model`]: e5 places a traditional text
/// and its simplified twin apart, which cost matching across scripts up to 0.02 nDCG@10).
fn embed_all(model: &Model, work: Vec<(Entity, u64, u8, String, Option<String>)>) -> Vec<Entry> {
    use rayon::prelude::*;
    work.into_par_iter()
        .with_max_len(1)
        .map(|(entity, id, kind, passage, query)| Entry {
            entity,
            id,
            kind,
            passage: model.embed(&simplified_for_model(&passage), Side::Passage),
            query: query.map(|q| model.embed(&simplified_for_model(&q), Side::Query)),
        })
        .collect()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Index(format!("embedding task failed: {e}")))?
}

/// Embeddings of recent queries, bounded in entries and key size: at most
/// [`QueryCache::ENTRIES`] queries of at most [`QueryCache::KEY_BYTES`] each (longer texts, a
/// pasted claim, are rarely asked twice and are not kept), about 7 MB in all. When full, the
/// query used longest ago goes.
#[derive(Default)]
pub struct QueryCache {
    inner: std::sync::Mutex<Recent>,
}

#[derive(Default)]
struct Recent {
    entries: HashMap<String, (Arc<[f32]>, u64)>,
    clock: u64,
}

impl QueryCache {
    /// Queries kept.
    pub const ENTRIES: usize = 4096;
    /// The longest query kept, in bytes.
    pub const KEY_BYTES: usize = 256;

    /// The embedding of `text`, if it was asked recently.
    pub fn get(&self, text: &str) -> Option<Vec<f32>> {
        let mut r = self.inner.lock().expect("query cache lock");
        r.clock += 1;
        let now = r.clock;
        let (v, used) = r.entries.get_mut(text)?;
        *used = now;
        Some(v.to_vec())
    }

    /// Keeps `v` as the embedding of `text` (unless `text` is too long to keep).
    pub fn put(&self, text: String, v: &[f32]) {
        if text.len() > Self::KEY_BYTES {
            return;
        }
        let mut r = self.inner.lock().expect("query cache lock");
        r.clock += 1;
        let now = r.clock;
        if r.entries.len() >= Self::ENTRIES && !r.entries.contains_key(&text) {
            // A scan of 4,096 entries (microseconds) only when a query was just embedded
            // (milliseconds).
            if let Some(oldest) = r
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            {
                r.entries.remove(&oldest);
            }
        }
        r.entries.insert(text, (Arc::from(v), now));
    }

    /// How many queries are kept.
    pub fn len(&self) -> usize {
        self.inner.lock().expect("query cache lock").entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_cache_is_bounded_and_keeps_what_was_used_last() {
        let c = QueryCache::default();
        c.put("电池".into(), &[1.0, 0.0]);
        assert_eq!(c.get("电池"), Some(vec![1.0, 0.0]));
        c.put("长".repeat(QueryCache::KEY_BYTES), &[0.5]);
        assert_eq!(c.len(), 1, "a long text is not kept");
        for i in 0..QueryCache::ENTRIES + 10 {
            if i % 100 == 0 {
                assert!(c.get("电池").is_some(), "used often, kept");
            }
            c.put(format!("查询 {i}"), &[i as f32]);
        }
        assert_eq!(c.len(), QueryCache::ENTRIES);
        assert!(c.get("电池").is_some());
        assert!(c.get("查询 0").is_none(), "the least recently used went");
    }
}
