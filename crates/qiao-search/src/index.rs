//! The tantivy index: opening it, writing batches with the change-feed position they reach,
//! and retrieving candidates for a query.
//!
//! Every commit carries the store sequence number it brings the index up to (tantivy's commit
//! payload). A commit is atomic, so after a crash the index is exactly as of its last commit
//! and following the feed from that number again is enough; replaying a change is harmless
//! because a listing's document is always deleted before it is re-added.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use qiao_domain::Status;

use crate::analysis::{self, QueryTerms};
use crate::document::{DocEntry, Facets, IndexDoc, Texts, ipc_keys, stage_of_rank, stage_rank};
use crate::error::{Error, Result};
use crate::schema::{
    ENTITY_DOCUMENT, ENTITY_LISTING, Fields, date_of_day_number, day_number, kind_code,
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
    /// Whether a stored listing passes these filters, exactly as the index applies them
    /// (semantic neighbours are found outside the index and checked with this). Drafts never
    /// pass: they are never searchable.
    pub fn admits(&self, id: u64, listing: &qiao_domain::Listing) -> bool {
        use qiao_domain::Status;
        let status = listing.status();
        !self.documents
            && status != Status::Draft
            && (self.kinds.is_empty() || self.kinds.contains(&listing.kind()))
            && self.status.is_none_or(|s| s == status)
            && self.active_on.is_none_or(|day| {
                status == Status::Open && listing.expires_on().is_none_or(|e| e >= day)
            })
            && self
                .district
                .as_deref()
                .is_none_or(|d| listing.district() == Some(d))
            && self
                .discipline
                .as_deref()
                .is_none_or(|d| listing.discipline() == Some(d))
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
        self.add_texts(&mut d, &doc.texts);
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
        self.add_texts(&mut d, &doc.texts);
        d
    }

    fn add_texts(&self, d: &mut TantivyDocument, t: &Texts) {
        let f = &self.fields;
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
        let mut ids = SegmentColumns::new(&searcher, |reader| reader.fast_fields().u64("id"));
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            out.push(Candidate {
                id: candidate_id(ids.get(addr.segment_ord)?, addr)?,
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
        let mut columns = SegmentColumns::new(&searcher, FacetColumns::open);
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let c = columns.get(addr.segment_ord)?;
            let candidate = Candidate {
                id: candidate_id(&c.id, addr)?,
                lexical: score,
            };
            out.push((candidate, c.facets(addr.doc_id)?));
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
        let Some(text) = self.text_query(searcher, terms)? else {
            return Ok(Vec::new());
        };
        let filters = self.filter_clauses(searcher, filters)?;
        // Without filters the text query runs alone, as a pure disjunction of term scorers,
        // which lets tantivy skip blocks that cannot reach the top `limit` (block-max WAND).
        let query: Box<dyn Query> = if filters.is_empty() {
            text
        } else {
            let mut clauses = vec![(Occur::Must, text)];
            clauses.extend(filters);
            Box::new(BooleanQuery::new(clauses))
        };
        Ok(searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?)
    }

    /// The disjunction of every kept query term over the text fields, each weighted by the
    /// term's query weight times the field weight. `None` when no term is left.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        terms: &QueryTerms,
    ) -> Result<Option<Box<dyn Query>>> {
        let f = &self.fields;
        let w = self.weights;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let words = keep_rarest(searcher, &terms.words, f.words, self.caps.words)?;
        for (text, weight) in &words {
            should.push((Occur::Should, term_query(f.words, text, weight * w.words)));
        }
        if w.bigrams > 0.0 {
            let bigrams = keep_rarest(searcher, &terms.bigrams, f.bigrams, self.caps.bigrams)?;
            for (text, weight) in &bigrams {
                should.push((
                    Occur::Should,
                    term_query(f.bigrams, text, weight * w.bigrams),
                ));
            }
        }
        if should.is_empty() {
            return Ok(None);
        }
        Ok(Some(Box::new(BooleanQuery::new(should))))
    }

    fn filter_clauses(
        &self,
        searcher: &tantivy::Searcher,
        filters: &Filters,
    ) -> Result<Vec<(Occur, Box<dyn Query>)>> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let u64_term = |field, v: u64| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_u64(field, v),
                IndexRecordOption::Basic,
            ))
        };
        let document_term = Term::from_field_u64(f.entity, ENTITY_DOCUMENT);
        if filters.documents {
            out.push((Occur::Must, u64_term(f.entity, ENTITY_DOCUMENT)));
        } else if searcher.doc_freq(&document_term)? > 0 {
            // Only an index holding documents pays for this clause: a listings-only index
            // (every benchmark) keeps the unfiltered fast path.
            out.push((Occur::MustNot, u64_term(f.entity, ENTITY_DOCUMENT)));
        }
        let str_term = |field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        if !filters.kinds.is_empty() {
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
        if let Some(day) = filters.active_on {
            out.push((Occur::Must, u64_term(f.status, status_code(Status::Open))));
            out.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.expires, day_number(Some(day)))),
                    Bound::Unbounded,
                )),
            ));
        }
        if let Some(d) = &filters.district {
            out.push((Occur::Must, str_term(f.district, d)));
        }
        if let Some(d) = &filters.discipline {
            out.push((Occur::Must, str_term(f.discipline, d)));
        }
        for id in &filters.exclude_ids {
            out.push((Occur::MustNot, u64_term(f.id, *id)));
        }
        Ok(out)
    }
}

fn term_query(field: tantivy::schema::Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(q), boost))
}

/// The `cap` terms with the highest weight × idf, judged by document frequency in `fields`;
/// terms that occur nowhere are dropped (they cannot match).
fn keep_rarest(
    searcher: &tantivy::Searcher,
    terms: &[(String, f32)],
    field: tantivy::schema::Field,
    cap: usize,
) -> Result<Vec<(String, f32)>> {
    if terms.len() <= cap {
        return Ok(terms.to_vec());
    }
    let n = searcher.num_docs().max(1) as f32;
    let mut scored = Vec::with_capacity(terms.len());
    for (text, weight) in terms {
        let df = searcher.doc_freq(&Term::from_field_text(field, text))?;
        if df == 0 {
            continue;
        }
        let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        scored.push((text.clone(), *weight, weight * idf));
    }
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(cap);
    Ok(scored.into_iter().map(|(t, w, _)| (t, w)).collect())
}

/// The id column, not the stored document: no block to decompress per hit.
fn candidate_id(ids: &tantivy::columnar::Column<u64>, addr: tantivy::DocAddress) -> Result<u64> {
    ids.first(addr.doc_id)
        .ok_or_else(|| Error::Index("document without id".into()))
}

/// Per-segment columns, opened the first time a hit of the segment needs them (not once per
/// hit: opening a column decodes its header).
struct SegmentColumns<'a, T> {
    searcher: &'a tantivy::Searcher,
    open: fn(&tantivy::SegmentReader) -> tantivy::Result<T>,
    columns: Vec<Option<T>>,
}

impl<'a, T> SegmentColumns<'a, T> {
    fn new(
        searcher: &'a tantivy::Searcher,
        open: fn(&tantivy::SegmentReader) -> tantivy::Result<T>,
    ) -> Self {
        let columns = std::iter::repeat_with(|| None)
            .take(searcher.segment_readers().len())
            .collect();
        SegmentColumns {
            searcher,
            open,
            columns,
        }
    }

    fn get(&mut self, segment: u32) -> Result<&T> {
        let slot = &mut self.columns[segment as usize];
        if slot.is_none() {
            *slot = Some((self.open)(self.searcher.segment_reader(segment))?);
        }
        Ok(slot.as_ref().expect("just opened"))
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
