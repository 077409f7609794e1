//! The checked query: filters that most listings pass (open, not expired, not the listing
//! being matched, not its organisation's own) checked on each document the text query reaches, on its columns, instead of
//! as clauses, which would turn a disjunction into an intersection.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocSet, TERMINATED, Term};

use qiao_domain::Status;

use super::Filters;
use super::columns::{ColumnCache, FacetColumns};
use crate::schema::{day_number, status_code};

/// Filters checked document by document, on columns, while the text query is collected.
#[derive(Debug, Clone, Default)]
pub(super) struct Checks {
    /// Only listings open and not expired before this day number.
    active_from: Option<i64>,
    /// Never these ids.
    exclude: Vec<u64>,
    /// Never a listing of this organisation.
    exclude_owner: Option<u64>,
}

impl Checks {
    /// The filters checked on each document the text query reaches: ones most listings pass,
    /// which as clauses would turn a disjunction into an intersection.
    pub(super) fn of(filters: &Filters) -> Checks {
        Checks {
            active_from: filters.active_on.map(|day| day_number(Some(day))),
            exclude: filters.exclude_ids.clone(),
            exclude_owner: filters.exclude_owner.map(|o| o as u64),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.active_from.is_none() && self.exclude.is_empty() && self.exclude_owner.is_none()
    }
}

/// [`Checks`] with one segment's columns.
pub(super) struct CheckColumns {
    checks: Checks,
    columns: Arc<FacetColumns>,
}

impl CheckColumns {
    pub(super) fn open(
        checks: &Checks,
        cache: &ColumnCache,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Self> {
        Ok(CheckColumns {
            checks: checks.clone(),
            columns: cache.get(reader)?,
        })
    }

    pub(super) fn admits(&self, doc: tantivy::DocId) -> bool {
        let c = &self.columns;
        if let Some(day) = self.checks.active_from {
            let open = c.status.first(doc) == Some(status_code(Status::Open));
            if !open || c.expires.first(doc).is_none_or(|e| e < day) {
                return false;
            }
        }
        if let Some(owner) = self.checks.exclude_owner
            && c.owner.first(doc) == Some(owner)
        {
            return false;
        }
        self.checks.exclude.is_empty()
            || c.id
                .first(doc)
                .is_some_and(|id| !self.checks.exclude.contains(&id))
    }
}

/// A query whose documents must also pass [`Checks`], and which is either pruned (block-max
/// WAND) or scored exhaustively (see `retrieve::PRUNED_UP_TO`): a text query with filter clauses, or
/// one with too many terms for MaxScore (`crate::maxscore`). Pruned, only admitted documents reach the
/// collector, so its threshold rises with them.
#[derive(Debug)]
pub(super) struct Checked {
    pub(super) query: Box<dyn Query>,
    pub(super) checks: Checks,
    pub(super) columns: Arc<ColumnCache>,
    /// Score every document instead of letting tantivy prune.
    pub(super) exhaustive: bool,
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
