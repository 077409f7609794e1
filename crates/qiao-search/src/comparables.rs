//! Comparable transactions for the market approach: registered technology contracts found by
//! the words of an achievement.
//!
//! A tantivy index of its own (`DATA_DIR/comparables`), a derived view of the store like the
//! search index, holding only contracts whose registration (认定登记) is in force: a draft, a
//! submitted contract or a confidential deal's contract that was never registered is never in
//! it, and every hit is checked again against the store before it is shown. Each contract is
//! indexed by its name (twice) and the labels of its technology field and intellectual
//! property, analysed by `qiao-text` exactly as listings are (words and CJK bigrams).
//!
//! [`Comparables`] follows the change feed's `contract` entries from the position its last
//! commit recorded: a changed contract is re-read and re-indexed when registered, removed
//! otherwise. An empty index is built by walking the registered contracts by id, then follows
//! the feed from the position it read before the walk; replaying a change twice is harmless,
//! as a contract is always deleted before it is re-added. (An index merely far behind is
//! caught up change by change rather than rebuilt, so searches never meet an emptied index.)
//!
//! A query keeps the achievement's [`MAX_TERMS`] most telling terms (query weight × idf),
//! leaving out terms in more than a fifth of the contracts ("技术", "合同", "转让"), and
//! takes the [`POOL`] best by BM25; the caller keeps the compatible types among them.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qiao_domain::{Contract, ContractKind};
use qiao_store::{ContractFilter, Store};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::Notify;

use crate::analysis::{self, QueryTerms};
use crate::error::{Error, Result};

/// Query terms kept.
pub const MAX_TERMS: usize = 24;
/// Candidates taken by score before types are checked.
pub const POOL: usize = 200;
/// A term in more than this share of the contracts says nothing about the technology.
const COMMON: f64 = 0.2;
/// Feed entries read per commit.
const BATCH: u32 = 5_000;
/// Registered contracts read per page of a full build.
const PAGE: u32 = 5_000;
/// Writer memory budget (tantivy needs at least 15 MB per thread).
const WRITER_BUDGET: usize = 64 * 1024 * 1024;
/// Bigrams weigh half of words, as in the search index.
const BIGRAM_WEIGHT: f32 = 0.5;

struct Fields {
    id: Field,
    kind: Field,
    words: Field,
    bigrams: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        kind: b.add_u64_field("kind", FAST),
        words: b.add_text_field("words", text.clone()),
        bigrams: b.add_text_field("bigrams", text),
    };
    (b.build(), fields)
}

fn kind_code(kind: ContractKind) -> u64 {
    ContractKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0) as u64
}

/// The text a contract is found by: its name (twice) and its field's and IP's labels.
pub fn contract_text(contract: &Contract) -> Vec<(String, usize)> {
    vec![
        (contract.name.clone(), 2),
        (contract.field.label_zh().to_string(), 1),
        (contract.ip_type.label_zh().to_string(), 1),
    ]
}

/// One candidate: a contract id, its type and its BM25 score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContractHit {
    /// The contract.
    pub id: i64,
    /// Its type.
    pub kind: ContractKind,
    /// Its score.
    pub score: f32,
}

/// The index of registered contracts.
pub struct ContractIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
}

impl ContractIndex {
    /// Opens (or creates) the index in `dir`; one of another schema is started afresh.
    pub fn open(dir: &Path) -> Result<ContractIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
        let index = if Index::exists(&directory).map_err(|e| Error::Index(e.to_string()))? {
            let index = Index::open(directory)?;
            if index.schema() == schema {
                index
            } else {
                drop(index);
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                let directory =
                    MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
                Index::create(directory, schema, Default::default())?
            }
        } else {
            Index::create(directory, schema, Default::default())?
        };
        Self::with_index(index)
    }

    /// An index in memory (tests, benchmarks, the command line).
    pub fn in_memory() -> Result<ContractIndex> {
        Self::with_index(Index::create_in_ram(schema().0))
    }

    fn with_index(index: Index) -> Result<ContractIndex> {
        let (_, fields) = schema();
        let writer = match index.writer_with_num_threads(1, WRITER_BUDGET) {
            Ok(w) => w,
            Err(tantivy::TantivyError::LockFailure(..)) => return Err(Error::Busy),
            Err(e) => return Err(e.into()),
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ContractIndex {
            index,
            fields,
            reader,
            writer: Mutex::new(writer),
        })
    }

    /// The feed position the last commit reached (0: empty, or a build not finished).
    pub fn indexed_seq(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
    }

    /// How many contracts the index holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Removes `deleted`, (re)adds `contracts` (registered ones only: the caller checks) and
    /// records `seq`, in one commit.
    pub fn apply(&self, deleted: &[i64], contracts: &[(i64, Contract)], seq: i64) -> Result<()> {
        use rayon::prelude::*;
        let f = &self.fields;
        let docs: Vec<TantivyDocument> = contracts
            .par_iter()
            .map(|(id, c)| {
                let parts = contract_text(c);
                let refs: Vec<(&str, usize)> =
                    parts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
                let (words, bigrams) = analysis::joined(&refs);
                let mut d = TantivyDocument::default();
                d.add_u64(f.id, *id as u64);
                d.add_u64(f.kind, kind_code(c.kind));
                d.add_text(f.words, words);
                d.add_text(f.bigrams, bigrams);
                d
            })
            .collect();
        let mut writer = self.writer.lock().map_err(|_| Error::Poisoned)?;
        for id in deleted.iter().chain(contracts.iter().map(|(id, _)| id)) {
            writer.delete_term(Term::from_field_u64(f.id, *id as u64));
        }
        for d in docs {
            writer.add_document(d)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&seq.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Empties the index.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().map_err(|_| Error::Poisoned)?;
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one (after a full build); see [`crate::segments`].
    pub fn merge(&self) -> Result<()> {
        crate::segments::merge_all(&self.index, &self.writer, &self.reader, "comparables")
    }

    /// The inverse document frequency of `term` among the contracts, `None` for a term in no
    /// contract or in more than a fifth of them.
    fn idf(&self, searcher: &tantivy::Searcher, term: &Term) -> Result<Option<f32>> {
        let n = searcher.num_docs() as f64;
        let df = searcher.doc_freq(term)? as f64;
        if df == 0.0 || (df > COMMON * n.max(1.0) && n >= 20.0) {
            return Ok(None);
        }
        Ok(Some((1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32))
    }

    /// The terms a query keeps: (term, query weight × field weight, idf), the most telling
    /// [`MAX_TERMS`].
    fn kept(
        &self,
        searcher: &tantivy::Searcher,
        terms: &QueryTerms,
    ) -> Result<Vec<(Term, f32, f32)>> {
        let mut out = Vec::new();
        for (list, field, w) in [
            (&terms.words, self.fields.words, 1.0),
            (&terms.bigrams, self.fields.bigrams, BIGRAM_WEIGHT),
        ] {
            for (text, weight) in list {
                let term = Term::from_field_text(field, text);
                if let Some(idf) = self.idf(searcher, &term)? {
                    out.push((term, weight * w, idf));
                }
            }
        }
        out.sort_by(|a, b| (b.1 * b.2).total_cmp(&(a.1 * a.2)));
        out.truncate(MAX_TERMS);
        Ok(out)
    }

    /// The [`POOL`] best contracts for `terms` by BM25, best first.
    pub fn search(&self, terms: &QueryTerms) -> Result<Vec<ContractHit>> {
        let searcher = self.reader.searcher();
        let kept = self.kept(&searcher, terms)?;
        if kept.is_empty() {
            return Ok(Vec::new());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = kept
            .into_iter()
            .map(|(term, boost, _)| {
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>,
                )
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(POOL).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
            let id = fast.u64("id")?.first(addr.doc_id);
            let kind = fast.u64("kind")?.first(addr.doc_id);
            if let (Some(id), Some(kind)) = (id, kind) {
                out.push(ContractHit {
                    id: id as i64,
                    kind: ContractKind::ALL[(kind as usize).min(ContractKind::ALL.len() - 1)],
                    score,
                });
            }
        }
        Ok(out)
    }

    /// How much of a contract's text the query covers, weighted by idf (0–1), and the words
    /// they share: the technical similarity shown beside a comparable, and why it was chosen.
    pub fn similarity(
        &self,
        terms: &QueryTerms,
        contract: &Contract,
    ) -> Result<(f64, Vec<String>)> {
        let searcher = self.reader.searcher();
        let words: HashSet<&str> = terms.words.iter().map(|(t, _)| t.as_str()).collect();
        let bigrams: HashSet<&str> = terms.bigrams.iter().map(|(t, _)| t.as_str()).collect();
        let a = analysis::analyze(&contract.name);
        let (mut covered, mut total) = (0.0f64, 0.0f64);
        let mut shared: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for (tokens, field, set, w) in [
            (&a.words, self.fields.words, &words, 1.0),
            (
                &a.bigrams,
                self.fields.bigrams,
                &bigrams,
                f64::from(BIGRAM_WEIGHT),
            ),
        ] {
            for t in tokens {
                if !seen.insert((field, t.text.clone())) {
                    continue;
                }
                let Some(idf) = self.idf(&searcher, &Term::from_field_text(field, &t.text))? else {
                    continue;
                };
                total += f64::from(idf) * w;
                // A bigram is matched through the word it is part of as well: the query's
                // terms drop bigrams that repeat one of its words.
                let hit = set.contains(t.text.as_str())
                    || (field == self.fields.bigrams
                        && words.iter().any(|q| q.contains(t.text.as_str())));
                if hit {
                    covered += f64::from(idf) * w;
                    if field == self.fields.words {
                        shared.push(t.text.clone());
                    }
                }
            }
        }
        let similarity = if total > 0.0 { covered / total } else { 0.0 };
        Ok((similarity.clamp(0.0, 1.0), shared))
    }
}

/// Keeps a [`ContractIndex`] following the store's change feed.
pub struct Comparables {
    store: Arc<dyn Store>,
    index: Arc<ContractIndex>,
    running: tokio::sync::Mutex<()>,
    wake: Notify,
}

impl Comparables {
    /// A follower for `index`; an index ahead of the store (another database) is cleared.
    pub async fn new(store: Arc<dyn Store>, index: ContractIndex) -> Result<Arc<Comparables>> {
        let index = Arc::new(index);
        if index.indexed_seq()? > store.last_seq().await? {
            let i = index.clone();
            blocking(move || i.clear()).await?;
        }
        Ok(Arc::new(Comparables {
            store,
            index,
            running: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
        }))
    }

    /// The index.
    pub fn index(&self) -> &Arc<ContractIndex> {
        &self.index
    }

    /// Asks the background task to catch up now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Brings the index up to the store's newest change; returns the feed entries read (or,
    /// for a build, the contracts indexed).
    pub async fn catch_up(&self) -> Result<usize> {
        let _one = self.running.lock().await;
        let head = self.store.last_seq().await?;
        let at = self.index.indexed_seq()?;
        if at == 0 && head > 0 {
            return self.build(head).await;
        }
        let mut from = at;
        let mut total = 0;
        loop {
            let changes = self.store.changes_since(from, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(total);
            };
            total += changes.len();
            let mut ids: Vec<i64> = changes
                .iter()
                .filter(|c| c.entity == "contract")
                .map(|c| c.entity_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let mut keep = Vec::new();
            let mut gone = Vec::new();
            for id in ids {
                match self.store.get_contract(id).await {
                    Ok(r) if r.registration.registered().is_some() => keep.push((id, r.contract)),
                    Ok(_) | Err(qiao_store::StoreError::NotFound { .. }) => gone.push(id),
                    Err(e) => return Err(e.into()),
                }
            }
            let index = self.index.clone();
            blocking(move || index.apply(&gone, &keep, last)).await?;
            from = last;
        }
    }

    /// Rebuilds the index from every registered contract, as of feed position `head` (read
    /// before the walk: changes during it are replayed by the next catch-up).
    async fn build(&self, head: i64) -> Result<usize> {
        let index = self.index.clone();
        blocking(move || index.clear()).await?;
        let filter = ContractFilter {
            state: Some("registered".into()),
            ..ContractFilter::default()
        };
        let mut after = 0;
        let mut total = 0;
        loop {
            let page = self.store.contracts_after(&filter, after, PAGE).await?;
            let Some(last) = page.last().map(|r| r.id) else {
                break;
            };
            after = last;
            total += page.len();
            let rows: Vec<(i64, Contract)> = page
                .into_iter()
                .filter(|r| r.registration.registered().is_some())
                .map(|r| (r.id, r.contract))
                .collect();
            let index = self.index.clone();
            // Position 0 until the walk is done: a build cut short starts again.
            blocking(move || index.apply(&[], &rows, 0)).await?;
        }
        let index = self.index.clone();
        blocking(move || {
            index.merge()?;
            index.apply(&[], &[], head)
        })
        .await?;
        tracing::info!(contracts = total, up_to = head, "comparables index built");
        Ok(total)
    }

    /// Runs the follower until the process ends; errors are logged and retried.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.catch_up().await {
                    tracing::error!(error = %e, "indexing contracts for comparables failed; retrying");
                }
                let _ = tokio::time::timeout(Duration::from_secs(2), me.wake.notified()).await;
            }
        })
    }

    /// The candidates for `terms`, after catching up with the store for at most `wait`. The
    /// catch-up runs as a task of its own, so a request that stops waiting does not cut a
    /// build short (it goes on, and the index is searched as it is meanwhile).
    pub async fn search(
        self: &Arc<Self>,
        terms: QueryTerms,
        wait: Duration,
    ) -> Result<Vec<ContractHit>> {
        let me = self.clone();
        let task = tokio::spawn(async move { me.catch_up().await });
        match tokio::time::timeout(wait, task).await {
            Ok(Ok(Err(e))) => return Err(e),
            Ok(Err(e)) => return Err(Error::Index(format!("comparables task failed: {e}"))),
            Ok(Ok(Ok(_))) => {}
            Err(_) => tracing::warn!("comparables index still catching up; searching it as it is"),
        }
        let index = self.index.clone();
        crate::cpu::run(move || index.search(&terms)).await?
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Index(format!("comparables task failed: {e}")))?
}
