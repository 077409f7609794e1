//! The tantivy index: the types its callers use, and the index itself, in five parts.
//!
//! - [`write`]: opening (or creating, or rebuilding after a schema change) and writing batches
//!   with the change-feed position they reach.
//! - [`retrieve`]: the candidates for a query: the query's plan (which shelves, which filter
//!   clauses), its terms, and the choice between MaxScore (`crate::maxscore`), block-max WAND
//!   and exhaustive scoring.
//! - [`statistics`]: BM25 statistics per shelf, and what is computed from them (which query
//!   terms to keep, each term's BM25 weight).
//! - [`checked`]: the filters checked document by document while a query is collected.
//! - [`columns`]: the facets read back from the index's columns, cached per segment.
//!
//! Every commit carries the store sequence number it brings the index up to (tantivy's commit
//! payload). A commit is atomic, so after a crash the index is exactly as of its last commit
//! and following the feed from that number again is enough; replaying a change is harmless
//! because a listing's document is always deleted before it is re-added.

use std::sync::{Arc, Mutex};

use tantivy::{Index, IndexReader, IndexWriter};

use qiao_domain::Status;

use crate::document::{DocEntry, Facets, IndexDoc};
use crate::schema::Fields;

mod checked;
mod columns;
mod retrieve;
mod statistics;
mod write;

use columns::ColumnCache;

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
    /// Never a listing of this organisation: an organisation's own listings are not its
    /// matches (issue #27; a search still finds them).
    pub exclude_owner: Option<i64>,
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
            && self.exclude_owner.is_none_or(|o| f.owner_org_id != Some(o))
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

    /// How many documents the index holds, as of the last reload.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// How many segments searches read.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }
}
