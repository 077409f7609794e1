//! The tantivy index: opening it, writing batches with the change-feed position they reach,
//! and retrieving candidates for a query.
//!
//! Every commit carries the store sequence number it brings the index up to (tantivy's commit
//! payload). A commit is atomic, so after a crash the index is exactly as of its last commit
//! and following the feed from that number again is enough; replaying a change is harmless
//! because a listing's document is always deleted before it is re-added.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring,
    Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use qiao_domain::Status;

use crate::analysis::{self, QueryTerms};
use crate::document::{DocEntry, Facets, IndexDoc, Texts, ipc_keys, stage_of_rank, stage_rank};
use crate::error::{Error, Result};
use crate::maxscore;
use crate::schema::{
    ENTITY_DOCUMENT, ENTITY_LISTING, Fields, Shelf, date_of_day_number, day_number, kind_code,
    kind_of_code, status_code, status_of_code, uid,
};

/// How the parts of a listing weigh in the lexical score. Title and keywords are repeated in
/// the indexed text (set before indexing: it is baked into the index); words and bigrams are
/// weighed at query time. Bigrams are a recall net for words the dictionary lacks and weigh
/// less, so they do not drown exact word matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldWeights {
    /// Weight of word matches.
    pub words: f32,
    /// Weight of bigram matches.
    pub bigrams: f32,
    /// How many times the title is indexed.
    pub title_repeat: usize,
    /// How many times the keywords are indexed.
    pub keywords_repeat: usize,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights {
            words: 1.0,
            bigrams: 0.5,
            title_repeat: 2,
            keywords_repeat: 2,
        }
    }
}

/// Which documents a query may return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Only these kinds (any kind when empty).
    pub kinds: Vec<qiao_domain::Kind>,
    /// Only this status (any when `None`; drafts are never indexed).
    pub status: Option<qiao_domain::Status>,
    /// Only listings open and not expired on this day.
    pub active_on: Option<chrono::NaiveDate>,
    /// Only this district.
    pub district: Option<String>,
    /// Only this field or discipline.
    pub discipline: Option<String>,
    /// Never these ids (a listing is not its own match).
    pub exclude_ids: Vec<u64>,
    /// Search imported policy documents instead of listings. Documents have no kind, status,
    /// expiry, district or field, so with any of those filters set nothing matches.
    pub documents: bool,
}

impl Filters {
    /// Whether a listing with these facets passes these filters, exactly as the index applies
    /// them (semantic neighbours are found outside the index and checked with this). Drafts
    /// never pass: they are never searchable.
    pub fn admits_facets(&self, id: u64, f: &Facets) -> bool {
        !self.documents
            && f.status != Status::Draft
            && (self.kinds.is_empty() || self.kinds.contains(&f.kind))
            && self.status.is_none_or(|s| s == f.status)
            && self
                .active_on
                .is_none_or(|day| f.status == Status::Open && f.expires_on.is_none_or(|e| e >= day))
            && self
                .district
                .as_deref()
                .is_none_or(|d| f.district.as_deref() == Some(d))
            && self
                .discipline
                .as_deref()
                .is_none_or(|d| f.discipline.as_deref() == Some(d))
            && !self.exclude_ids.contains(&id)
    }
}

/// One index commit's worth of changes, listings and documents apart (their ids overlap).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Listing ids to remove.
    pub deleted_listings: Vec<u64>,
    /// Listings to add or replace.
    pub listings: Vec<IndexDoc>,
    /// Document ids to remove.
    pub deleted_documents: Vec<u64>,
    /// Documents to add or replace.
    pub documents: Vec<DocEntry>,
}

/// A document the lexical retrieval found, with its BM25 score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Listing id (document id when the query was for documents).
    pub id: u64,
    /// Sum of the weighted BM25 scores of the matched terms.
    pub lexical: f32,
}

/// Caps on how many distinct query terms a query keeps. Whole listings used as queries have
/// hundreds; the rarest (by document frequency) carry nearly all the signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermCaps {
    /// Word terms kept.
    pub words: usize,
    /// Bigram terms kept.
    pub bigrams: usize,
}

impl Default for TermCaps {
    fn default() -> Self {
        TermCaps {
            words: 48,
            bigrams: 48,
        }
    }
}

/// The most term clauses a query may have to be pruned (by [`maxscore`] when the query has no
/// filter clause, else by tantivy's block-max WAND); one with more (a whole listing as a match
/// query, a claim) is scored exhaustively, by tantivy's buffered union. Pruning saves work
/// when a few terms must reach a high score, but with dozens of terms every document is near
/// the threshold and the bookkeeping costs more than it skips: on the page benchmark's 100k
/// listings, matching a demo demand took 15.9 ms with WAND and 3.3 ms exhaustively (median of
/// 20 requests, idle server), and `qiao bench scale` at 1M claim-length queries 63.4 → 36.1 ms
/// p50; at 100k, claim-length queries took 9.3 ms p50 by MaxScore and 8.0 ms exhaustively.
/// Short queries are the other way round (1M: 3.9 ms p50 pruned by WAND, 5.1 ms
/// exhaustively; MaxScore at 100k: 0.33 ms against WAND's 0.53 ms).
const PRUNED_UP_TO: usize = 24;

/// Writer memory budget. tantivy needs at least 15 MB per indexing thread.
const WRITER_BUDGET: usize = 96 * 1024 * 1024;

/// Listings analysed together on every core before they go to the writer (documents, which
/// are longer, an eighth of this).
const ANALYSIS_CHUNK: usize = 256;

/// The search index.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// `None` for an index opened read-only (another process maintains it).
    writer: Option<Mutex<IndexWriter>>,
    weights: FieldWeights,
    caps: TermCaps,
    columns: Arc<ColumnCache>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when the directory is empty. An index written by
    /// another version (another schema) is derived data: it is deleted and started afresh, and
    /// the follower then rebuilds it from the database.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        Self::open_dir(dir, true)
    }

    /// Opens the index in `dir` for searching only, for when another process (a running
    /// server) holds its writer. It does not see that process's later commits.
    pub fn open_read_only(dir: &Path) -> Result<SearchIndex> {
        Self::open_dir(dir, false)
    }

    fn open_dir(dir: &Path, writable: bool) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = Fields::schema();
        let directory = MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
        let index = if Index::exists(&directory).map_err(|e| Error::Index(e.to_string()))? {
            let index = Index::open(directory)?;
            if index.schema() == schema {
                index
            } else if writable {
                tracing::warn!(dir = %dir.display(), "search index from another version; rebuilding it");
                drop(index);
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                let directory =
                    MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
                Index::create(directory, schema, Default::default())?
            } else {
                return Err(Error::Incompatible(dir.display().to_string()));
            }
        } else {
            Index::create(directory, schema, Default::default())?
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 2);
        Self::with_index(index, writable, threads)
    }

    /// An index held in memory (benchmarks and tests). It is written by one thread, so the
    /// same documents always land in the same segments and ties rank the same in every run.
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        Self::with_index(Index::create_in_ram(schema), true, 1)
    }

    fn with_index(mut index: Index, writable: bool, threads: usize) -> Result<SearchIndex> {
        let fields = Fields::from_schema(&index.schema())?;
        // Segments are searched in parallel, one thread per core.
        index.set_default_multithread_executor()?;
        let writer = if writable {
            match index.writer_with_num_threads(threads, WRITER_BUDGET) {
                Ok(w) => Some(Mutex::new(w)),
                Err(tantivy::TantivyError::LockFailure(..)) => return Err(Error::Busy),
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            reader,
            writer,
            weights: FieldWeights::default(),
            caps: TermCaps::default(),
            columns: Arc::default(),
        })
    }

    /// Replaces the field weights (benchmarks use this to compare rankings).
    pub fn set_weights(&mut self, weights: FieldWeights) {
        self.weights = weights;
    }

    /// Replaces the caps on query terms (benchmarks use this to compare rankings).
    pub fn set_term_caps(&mut self, caps: TermCaps) {
        self.caps = caps;
    }

    /// Whether this index can be written (it was not opened read-only).
    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .as_ref()
            .ok_or(Error::ReadOnly)?
            .lock()
            .map_err(|_| Error::Poisoned)
    }

    /// The store sequence number the last commit brought the index up to (0 for a new index).
    pub fn indexed_seq(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
    }

    /// How many documents the index holds, as of the last reload.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Applies one batch atomically: removes `deleted` ids, replaces `upserts`, and records
    /// `seq` as the position reached. Readers see the batch when this returns.
    pub fn apply(&self, deleted: &[u64], upserts: &[IndexDoc], seq: i64) -> Result<()> {
        let batch = Batch {
            deleted_listings: deleted.to_vec(),
            listings: upserts.to_vec(),
            ..Batch::default()
        };
        self.apply_batch(&batch, seq)
    }

    /// Applies one batch of listing and document changes atomically and records `seq` as the
    /// position reached. Readers see the batch when this returns.
    pub fn apply_batch(&self, batch: &Batch, seq: i64) -> Result<()> {
        let mut writer = self.writer()?;
        let delete = |writer: &mut IndexWriter, entity, id| {
            writer.delete_term(Term::from_field_text(self.fields.uid, &uid(entity, id)));
        };
        for id in batch
            .deleted_listings
            .iter()
            .chain(batch.listings.iter().map(|d| &d.id))
        {
            delete(&mut writer, ENTITY_LISTING, *id);
        }
        for id in batch
            .deleted_documents
            .iter()
            .chain(batch.documents.iter().map(|d| &d.id))
        {
            delete(&mut writer, ENTITY_DOCUMENT, *id);
        }
        // Analysis (folding, jieba, bigrams) costs more than indexing the tokens: it runs on
        // every core, a chunk at a time, handing each chunk to the writer's threads; memory
        // stays bounded by the chunk however large the batch.
        for chunk in batch.listings.chunks(ANALYSIS_CHUNK) {
            let built: Vec<TantivyDocument> = chunk.par_iter().map(|d| self.document(d)).collect();
            for doc in built {
                writer.add_document(doc)?;
            }
        }
        for chunk in batch.documents.chunks(ANALYSIS_CHUNK / 8) {
            let built: Vec<TantivyDocument> =
                chunk.par_iter().map(|d| self.policy_document(d)).collect();
            for doc in built {
                writer.add_document(doc)?;
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&seq.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one and waits for it. A rebuild leaves one segment per
    /// commit batch (14 for 100k listings); each query then looks every term up in each of
    /// them. One segment makes matching a whole demand at 100k listings markedly cheaper.
    ///
    /// The writer's own merge policy may be merging some of those segments at the same moment;
    /// tantivy then refuses the request, and it is made again with the segments as they are
    /// now. Merging only speeds queries up, so after a few refusals it is left to the policy.
    pub fn merge_segments(&self) -> Result<()> {
        for attempt in 0..20 {
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                return Ok(());
            }
            let mut writer = self.writer()?;
            let merged = writer.merge(&ids).wait();
            drop(writer);
            match merged {
                Ok(_) => {
                    self.reader.reload()?;
                    return Ok(());
                }
                Err(e) => {
                    tracing::debug!(attempt, error = %e, "segment merge refused; retrying");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        tracing::warn!("segments not merged: background merges kept them busy");
        Ok(())
    }

    /// How many segments searches read.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Removes every document and resets the position to 0.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer()?;
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_u64(f.entity, ENTITY_LISTING);
        d.add_text(f.uid, uid(ENTITY_LISTING, doc.id));
        d.add_u64(f.kind, kind_code(doc.facets.kind));
        d.add_u64(f.status, status_code(doc.facets.status));
        d.add_i64(f.expires, day_number(doc.facets.expires_on));
        if let Some(x) = &doc.facets.district {
            d.add_text(f.district, x);
        }
        if let Some(x) = &doc.facets.discipline {
            d.add_text(f.discipline, x);
        }
        for code in &doc.facets.ipc_codes {
            for key in ipc_keys(code) {
                d.add_text(f.ipc, key);
            }
        }
        if let Some(stage) = doc.facets.stage {
            d.add_u64(f.stage, u64::from(stage_rank(stage)));
        }
        if let Some(yuan) = doc.facets.price_min_yuan {
            d.add_i64(f.price_min, yuan);
        }
        if let Some(yuan) = doc.facets.budget_max_yuan {
            d.add_i64(f.budget_max, yuan);
        }
        self.add_texts(&mut d, Shelf::of(doc.facets.kind), &doc.texts);
        d
    }

    /// A policy document's entry: id, entity and texts only, so no listing filter (kind,
    /// status, expiry, district, field) ever lets it through.
    fn policy_document(&self, doc: &DocEntry) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_u64(f.entity, ENTITY_DOCUMENT);
        d.add_text(f.uid, uid(ENTITY_DOCUMENT, doc.id));
        self.add_texts(&mut d, Shelf::Documents, &doc.texts);
        d
    }

    fn add_texts(&self, d: &mut TantivyDocument, shelf: Shelf, t: &Texts) {
        let f = self.fields.shelf(shelf);
        let w = self.weights;
        let parts = [
            (t.title.as_str(), w.title_repeat),
            (t.keywords.as_str(), w.keywords_repeat),
            (t.body.as_str(), 1),
        ];
        let (words, bigrams) = analysis::joined(&parts);
        d.add_text(f.words, words);
        d.add_text(f.bigrams, bigrams);
    }

    /// The `limit` best documents for `terms` among those `filters` allow, by lexical score.
    pub fn retrieve(
        &self,
        terms: &QueryTerms,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        let searcher = self.reader.searcher();
        let top = self.top(&searcher, terms, filters, limit)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let c = self
                .columns
                .get(searcher.segment_reader(addr.segment_ord))?;
            out.push(Candidate {
                id: candidate_id(&c.id, addr)?,
                lexical: score,
            });
        }
        Ok(out)
    }

    /// [`retrieve`](Self::retrieve), each candidate with its facets read from the index's
    /// columns, so that ranking needs no record from the store (only the hits shown do).
    pub fn retrieve_with_facets(
        &self,
        terms: &QueryTerms,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<(Candidate, Facets)>> {
        let searcher = self.reader.searcher();
        let top = self.top(&searcher, terms, filters, limit)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let c = self
                .columns
                .get(searcher.segment_reader(addr.segment_ord))?;
            let candidate = Candidate {
                id: candidate_id(&c.id, addr)?,
                lexical: score,
            };
            out.push((candidate, c.facets(addr.doc_id)?));
        }
        Ok(out)
    }

    /// The facets of those listings of `ids` in the index that `filters` admit, read from the
    /// index's columns, in the order of `ids`. For listings found outside the index (the
    /// nearest by meaning): ranking them then reads nothing from the store. A listing the
    /// index does not hold (yet, or any more) is left out.
    pub fn admitted_facets(&self, ids: &[u64], filters: &Filters) -> Result<Vec<(u64, Facets)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let term = Term::from_field_text(self.fields.uid, &uid(ENTITY_LISTING, id));
            'segments: for reader in searcher.segment_readers() {
                let inverted = reader.inverted_index(self.fields.uid)?;
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        let facets = self.columns.get(reader)?.facets(doc)?;
                        if filters.admits_facets(id, &facets) {
                            out.push((id, facets));
                        }
                        break 'segments;
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(out)
    }

    fn top(
        &self,
        searcher: &tantivy::Searcher,
        terms: &QueryTerms,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<(f32, tantivy::DocAddress)>> {
        let plan = Plan::of(filters);
        let statistics = ShelfStatistics::new(searcher, &self.fields)?;
        let text_terms = self.text_terms(&statistics, terms, &plan.shelves)?;
        if text_terms.is_empty() {
            return Ok(Vec::new());
        }
        let clauses = self.filter_clauses(filters, &plan);
        let checks = Checks::of(filters);
        let term_clauses = text_terms.len();
        if clauses.is_empty() && term_clauses <= PRUNED_UP_TO {
            // A pure disjunction of a few terms, pruned by MaxScore; the checks left (open,
            // not expired, not excluded) are made on each document that could enter the top.
            return Ok(maxscore::top_k(
                searcher,
                &bm25_weights(&statistics, &text_terms)?,
                limit,
                |reader| {
                    let columns = if checks.is_empty() {
                        None
                    } else {
                        Some(CheckColumns::open(&checks, &self.columns, reader)?)
                    };
                    Ok(move |doc| columns.as_ref().is_none_or(|c| c.admits(doc)))
                },
            )?);
        }
        let text: Box<dyn Query> = Box::new(BooleanQuery::new(
            text_terms
                .into_iter()
                .map(|t| (Occur::Should, term_query(t.term, t.boost)))
                .collect(),
        ));
        let query: Box<dyn Query> = if clauses.is_empty() {
            text
        } else {
            // A filter clause only admits: scored, a kind or district term would add its own
            // idf to every document it lets through (more for rarer kinds).
            let mut all = vec![(Occur::Must, text)];
            all.extend(clauses.into_iter().map(|(occur, clause)| {
                let admit: Box<dyn Query> = Box::new(ConstScoreQuery::new(clause, 0.0));
                (occur, admit)
            }));
            Box::new(BooleanQuery::new(all))
        };
        let query = Checked {
            query,
            checks,
            columns: self.columns.clone(),
            exhaustive: term_clauses > PRUNED_UP_TO,
        };
        let collector = TopDocs::with_limit(limit.max(1)).order_by_score();
        let scoring = EnableScoring::enabled_from_statistics_provider(&statistics, searcher);
        // Segments are searched in parallel; a single segment (a merged index) is searched on
        // the calling thread: handing it to the pool and waiting cost 0.09 ms of a 0.45 ms
        // query at 100k documents (`qiao bench scale --docs 100000 --merge`: 0.45 → 0.36 ms).
        let one_segment = Executor::single_thread();
        let executor = if searcher.segment_readers().len() <= 1 {
            &one_segment
        } else {
            self.index.search_executor()
        };
        Ok(searcher.search_with_executor(&query, &collector, executor, scoring)?)
    }

    /// The terms of the disjunction a text query is: every kept query term on the text
    /// fields of `shelves`, each with its boost, the term's query weight times the field
    /// weight. Empty when no term is left.
    fn text_terms(
        &self,
        statistics: &ShelfStatistics<'_>,
        terms: &QueryTerms,
        shelves: &[Shelf],
    ) -> Result<Vec<TextTerm>> {
        let w = self.weights;
        let mut out = Vec::new();
        for shelf in shelves {
            let f = self.fields.shelf(*shelf);
            let words = keep_rarest(statistics, &terms.words, f.words, self.caps.words)?;
            for (text, weight, df) in &words {
                out.push(TextTerm {
                    term: Term::from_field_text(f.words, text),
                    boost: weight * w.words,
                    doc_freq: *df,
                });
            }
            if w.bigrams > 0.0 {
                let bigrams =
                    keep_rarest(statistics, &terms.bigrams, f.bigrams, self.caps.bigrams)?;
                for (text, weight, df) in &bigrams {
                    out.push(TextTerm {
                        term: Term::from_field_text(f.bigrams, text),
                        boost: weight * w.bigrams,
                        doc_freq: *df,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The filters that narrow the text query as clauses of an intersection: a kind filter
    /// narrower than the shelves read, and status, district and field.
    fn filter_clauses(&self, filters: &Filters, plan: &Plan) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let u64_term = |field, v: u64| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_u64(field, v),
                IndexRecordOption::Basic,
            ))
        };
        let str_term = |field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        if plan.narrow_kinds {
            let any: Vec<(Occur, Box<dyn Query>)> = filters
                .kinds
                .iter()
                .map(|k| (Occur::Should, u64_term(f.kind, kind_code(*k))))
                .collect();
            out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(s) = filters.status {
            out.push((Occur::Must, u64_term(f.status, status_code(s))));
        }
        if let Some(d) = &filters.district {
            out.push((Occur::Must, str_term(f.district, d)));
        }
        if let Some(d) = &filters.discipline {
            out.push((Occur::Must, str_term(f.discipline, d)));
        }
        out
    }
}

/// Where a query's filters go: the shelves whose text it reads, and whether a kind clause
/// must narrow them further.
struct Plan {
    shelves: Vec<Shelf>,
    narrow_kinds: bool,
}

impl Plan {
    fn of(filters: &Filters) -> Plan {
        if filters.documents {
            // Documents have no kind: a kind filter then matches nothing, as documented.
            return Plan {
                shelves: vec![Shelf::Documents],
                narrow_kinds: !filters.kinds.is_empty(),
            };
        }
        if filters.kinds.is_empty() {
            return Plan {
                shelves: vec![Shelf::Offers, Shelf::Asks],
                narrow_kinds: false,
            };
        }
        let mut shelves: Vec<Shelf> = Vec::new();
        for kind in &filters.kinds {
            let shelf = Shelf::of(*kind);
            if !shelves.contains(&shelf) {
                shelves.push(shelf);
            }
        }
        let narrow_kinds = shelves
            .iter()
            .flat_map(|s| s.kinds())
            .any(|k| !filters.kinds.contains(k));
        Plan {
            shelves,
            narrow_kinds,
        }
    }
}

/// BM25 statistics as if each shelf were an index of its own: a shelf's term frequencies and
/// lengths are compared with the documents on that shelf, not with the whole index (where the
/// other shelves' documents, which lack its fields, would count as empty ones).
///
/// tantivy's BM25 takes one document count for every field; so instead of the count, a
/// shelf's document frequencies and token totals are scaled by (all documents / documents on
/// the shelf), which gives the same idf (up to its +0.5 smoothing) and the same average length.
struct ShelfStatistics<'a> {
    searcher: &'a tantivy::Searcher,
    fields: &'a Fields,
    /// All documents, deleted ones included (as tantivy counts them).
    total: u64,
    /// Per shelf, in [`Shelf::index`] order: total / documents on the shelf.
    scale: [f64; 3],
}

impl<'a> ShelfStatistics<'a> {
    fn new(searcher: &'a tantivy::Searcher, fields: &'a Fields) -> Result<Self> {
        let total: u64 = searcher
            .segment_readers()
            .iter()
            .map(|r| u64::from(r.max_doc()))
            .sum();
        let mut scale = [1.0; 3];
        for shelf in Shelf::ALL {
            let on_shelf = if shelf == Shelf::Documents {
                searcher.doc_freq(&Term::from_field_u64(fields.entity, ENTITY_DOCUMENT))?
            } else {
                let mut n = 0;
                for kind in shelf.kinds() {
                    n += searcher.doc_freq(&Term::from_field_u64(fields.kind, kind_code(*kind)))?;
                }
                n
            };
            if on_shelf > 0 {
                scale[shelf.index()] = total as f64 / on_shelf as f64;
            }
        }
        Ok(ShelfStatistics {
            searcher,
            fields,
            total,
            scale,
        })
    }

    fn scale_of(&self, field: tantivy::schema::Field) -> f64 {
        Shelf::ALL
            .into_iter()
            .find(|s| {
                let f = self.fields.shelf(*s);
                f.words == field || f.bigrams == field
            })
            .map_or(1.0, |s| self.scale[s.index()])
    }

    fn num_docs(&self) -> u64 {
        self.total
    }
}

impl tantivy::query::Bm25StatisticsProvider for ShelfStatistics<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        let tokens = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        Ok((tokens as f64 * self.scale_of(field)).round() as u64)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let df = self.searcher.doc_freq(term)?;
        if df == 0 {
            return Ok(0);
        }
        let scaled = (df as f64 * self.scale_of(term.field())).round() as u64;
        Ok(scaled.clamp(1, self.total))
    }
}

/// Filters checked document by document, on columns, while the text query is collected.
#[derive(Debug, Clone, Default)]
struct Checks {
    /// Only listings open and not expired before this day number.
    active_from: Option<i64>,
    /// Never these ids.
    exclude: Vec<u64>,
}

impl Checks {
    /// The filters checked on each document the text query reaches: ones most listings pass,
    /// which as clauses would turn a disjunction into an intersection.
    fn of(filters: &Filters) -> Checks {
        Checks {
            active_from: filters.active_on.map(|day| day_number(Some(day))),
            exclude: filters.exclude_ids.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        self.active_from.is_none() && self.exclude.is_empty()
    }
}

/// [`Checks`] with one segment's columns.
struct CheckColumns {
    checks: Checks,
    columns: Arc<FacetColumns>,
}

impl CheckColumns {
    fn open(
        checks: &Checks,
        cache: &ColumnCache,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Self> {
        Ok(CheckColumns {
            checks: checks.clone(),
            columns: cache.get(reader)?,
        })
    }

    fn admits(&self, doc: tantivy::DocId) -> bool {
        let c = &self.columns;
        if let Some(day) = self.checks.active_from {
            let open = c.status.first(doc) == Some(status_code(Status::Open));
            if !open || c.expires.first(doc).is_none_or(|e| e < day) {
                return false;
            }
        }
        self.checks.exclude.is_empty()
            || c.id
                .first(doc)
                .is_some_and(|id| !self.checks.exclude.contains(&id))
    }
}

/// A query whose documents must also pass [`Checks`], and which is either pruned (block-max
/// WAND) or scored exhaustively (see [`PRUNED_UP_TO`]): a text query with filter clauses, or
/// one with too many terms for [`maxscore`]. Pruned, only admitted documents reach the
/// collector, so its threshold rises with them.
#[derive(Debug)]
struct Checked {
    query: Box<dyn Query>,
    checks: Checks,
    columns: Arc<ColumnCache>,
    /// Score every document instead of letting tantivy prune.
    exhaustive: bool,
}

impl Clone for Checked {
    fn clone(&self) -> Self {
        Checked {
            query: self.query.box_clone(),
            checks: self.checks.clone(),
            columns: self.columns.clone(),
            exhaustive: self.exhaustive,
        }
    }
}

impl Query for Checked {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(scoring)?;
        if self.checks.is_empty() && !self.exhaustive {
            return Ok(inner);
        }
        Ok(Box::new(CheckedWeight {
            inner,
            checks: self.checks.clone(),
            columns: self.columns.clone(),
            exhaustive: self.exhaustive,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct CheckedWeight {
    inner: Box<dyn Weight>,
    checks: Checks,
    columns: Arc<ColumnCache>,
    exhaustive: bool,
}

impl Weight for CheckedWeight {
    fn scorer(
        &self,
        reader: &tantivy::SegmentReader,
        boost: tantivy::Score,
    ) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        let columns = CheckColumns::open(&self.checks, &self.columns, reader)?;
        Ok(Box::new(CheckedScorer::new(inner, columns)))
    }

    fn explain(
        &self,
        reader: &tantivy::SegmentReader,
        doc: tantivy::DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        let columns = CheckColumns::open(&self.checks, &self.columns, reader)?;
        if !columns.admits(doc) {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not pass the filters"
            )));
        }
        self.inner.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        threshold: tantivy::Score,
        reader: &tantivy::SegmentReader,
        callback: &mut dyn FnMut(tantivy::DocId, tantivy::Score) -> tantivy::Score,
    ) -> tantivy::Result<()> {
        let columns = CheckColumns::open(&self.checks, &self.columns, reader)?;
        let mut current = threshold;
        if self.exhaustive {
            // What tantivy's own unpruned path does, with the checks made only on documents
            // that would enter the top (the score is the cheaper test).
            let mut scorer = self.inner.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let score = scorer.score();
                if score > current && columns.admits(doc) {
                    current = callback(doc, score);
                }
                doc = scorer.advance();
            }
            return Ok(());
        }
        self.inner
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if columns.admits(doc) {
                    current = callback(doc, score);
                }
                current
            })
    }
}

/// A scorer that skips the documents that fail the checks.
struct CheckedScorer {
    inner: Box<dyn Scorer>,
    columns: CheckColumns,
}

impl CheckedScorer {
    fn new(inner: Box<dyn Scorer>, columns: CheckColumns) -> Self {
        let mut scorer = CheckedScorer { inner, columns };
        scorer.skip_failing();
        scorer
    }

    fn skip_failing(&mut self) -> tantivy::DocId {
        let mut doc = self.inner.doc();
        while doc != TERMINATED && !self.columns.admits(doc) {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for CheckedScorer {
    fn advance(&mut self) -> tantivy::DocId {
        self.inner.advance();
        self.skip_failing()
    }

    fn doc(&self) -> tantivy::DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for CheckedScorer {
    fn score(&mut self) -> tantivy::Score {
        self.inner.score()
    }
}

fn term_query(term: Term, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(q), boost))
}

/// The `cap` terms with the highest weight × idf, judged by document frequency in `field`,
/// each with that frequency; terms that occur nowhere are dropped (they cannot match).
fn keep_rarest(
    statistics: &ShelfStatistics<'_>,
    terms: &[(String, f32)],
    field: tantivy::schema::Field,
    cap: usize,
) -> Result<Vec<(String, f32, u64)>> {
    let n = statistics.num_docs().max(1) as f32;
    let mut scored = Vec::with_capacity(terms.len());
    for (text, weight) in terms {
        let df = statistics.doc_freq(&Term::from_field_text(field, text))?;
        if df == 0 {
            continue;
        }
        let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        scored.push((text.clone(), *weight, df, weight * idf));
    }
    if scored.len() > cap {
        scored.sort_by(|a, b| b.3.total_cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(cap);
    }
    Ok(scored.into_iter().map(|(t, w, df, _)| (t, w, df)).collect())
}

/// One term of a text query on one field.
struct TextTerm {
    term: Term,
    /// The query weight of the term times the field weight.
    boost: f32,
    /// Its document frequency, as [`ShelfStatistics`] gives it.
    doc_freq: u64,
}

/// Each term's BM25 weight times its boost, from the document frequency already looked up
/// (`Bm25Weight::for_terms` would look it up again, and build an explanation too).
fn bm25_weights(
    statistics: &ShelfStatistics<'_>,
    terms: &[TextTerm],
) -> Result<Vec<(Term, Bm25Weight)>> {
    let total = statistics.num_docs().max(1);
    let mut average: Vec<(tantivy::schema::Field, f32)> = Vec::new();
    let mut out = Vec::with_capacity(terms.len());
    for t in terms {
        let field = t.term.field();
        let avg = match average.iter().find(|(f, _)| *f == field) {
            Some((_, a)) => *a,
            None => {
                let a = statistics.total_num_tokens(field)? as f32 / total as f32;
                average.push((field, a));
                a
            }
        };
        let weight = Bm25Weight::for_one_term_without_explain(t.doc_freq, total, avg);
        out.push((t.term.clone(), weight.boost_by(t.boost)));
    }
    Ok(out)
}

/// The id column, not the stored document: no block to decompress per hit.
fn candidate_id(ids: &tantivy::columnar::Column<u64>, addr: tantivy::DocAddress) -> Result<u64> {
    ids.first(addr.doc_id)
        .ok_or_else(|| Error::Index("document without id".into()))
}

/// Each segment's columns, opened the first time a query needs them and kept while the segment
/// is searched: opening a column reads its block index, which done for every query was about
/// a tenth of a title-length query's time (`perf` on `qiao bench scale --docs 100000`). A
/// segment never changes once written (deletes are kept beside it), so its columns are valid
/// for as long as it exists; the oldest entries go once more segments were seen than an index
/// holds at a time.
#[derive(Default)]
struct ColumnCache {
    entries: Mutex<Vec<(tantivy::index::SegmentId, Arc<FacetColumns>)>>,
}

/// Segments whose columns are kept (an index holds a few dozen at most between merges).
const CACHED_SEGMENTS: usize = 64;

impl ColumnCache {
    fn get(&self, reader: &tantivy::SegmentReader) -> tantivy::Result<Arc<FacetColumns>> {
        let id = reader.segment_id();
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = lock().iter().find(|(s, _)| *s == id) {
            return Ok(c.clone());
        }
        let columns = Arc::new(FacetColumns::open(reader)?);
        let mut entries = lock();
        if !entries.iter().any(|(s, _)| *s == id) {
            if entries.len() >= CACHED_SEGMENTS {
                entries.remove(0);
            }
            entries.push((id, columns.clone()));
        }
        Ok(columns)
    }
}

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map_or(0, |e| e.len());
        write!(f, "ColumnCache({n} segments)")
    }
}

/// The columns a listing's [`Facets`] are read back from.
struct FacetColumns {
    id: tantivy::columnar::Column<u64>,
    kind: tantivy::columnar::Column<u64>,
    status: tantivy::columnar::Column<u64>,
    expires: tantivy::columnar::Column<i64>,
    stage: tantivy::columnar::Column<u64>,
    price_min: tantivy::columnar::Column<i64>,
    budget_max: tantivy::columnar::Column<i64>,
    district: Option<tantivy::columnar::StrColumn>,
    discipline: Option<tantivy::columnar::StrColumn>,
    ipc: Option<tantivy::columnar::StrColumn>,
}

impl FacetColumns {
    fn open(reader: &tantivy::SegmentReader) -> tantivy::Result<FacetColumns> {
        let f = reader.fast_fields();
        Ok(FacetColumns {
            id: f.u64("id")?,
            kind: f.u64("kind")?,
            status: f.u64("status")?,
            expires: f.i64("expires")?,
            stage: f.u64("stage")?,
            price_min: f.i64("price_min")?,
            budget_max: f.i64("budget_max")?,
            district: f.str("district")?,
            discipline: f.str("discipline")?,
            ipc: f.str("ipc")?,
        })
    }

    fn facets(&self, doc: tantivy::DocId) -> Result<Facets> {
        let strings = |column: &Option<tantivy::columnar::StrColumn>| -> Result<Vec<String>> {
            let mut out = Vec::new();
            if let Some(c) = column {
                for ord in c.term_ords(doc) {
                    let mut s = String::new();
                    c.ord_to_str(ord, &mut s)?;
                    out.push(s);
                }
            }
            Ok(out)
        };
        let bad = |what: &str| Error::Index(format!("document {doc} has no valid {what}"));
        Ok(Facets {
            kind: self
                .kind
                .first(doc)
                .and_then(kind_of_code)
                .ok_or_else(|| bad("kind"))?,
            status: self
                .status
                .first(doc)
                .and_then(status_of_code)
                .ok_or_else(|| bad("status"))?,
            expires_on: self.expires.first(doc).and_then(date_of_day_number),
            district: strings(&self.district)?.into_iter().next(),
            discipline: strings(&self.discipline)?.into_iter().next(),
            ipc_codes: strings(&self.ipc)?,
            stage: self.stage.first(doc).and_then(stage_of_rank),
            price_min_yuan: self.price_min.first(doc),
            budget_max_yuan: self.budget_max.first(doc),
        })
    }
}
