//! BM25 statistics per shelf, and what retrieval computes from them: which of a query's
//! terms to keep (the rarest) and each kept term's BM25 weight.

use tantivy::Term;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};

use crate::error::Result;
use crate::schema::{ENTITY_DOCUMENT, Fields, Shelf, kind_code};

/// BM25 statistics as if each shelf were an index of its own: a shelf's term frequencies and
/// lengths are compared with the documents on that shelf, not with the whole index (where the
/// other shelves' documents, which lack its fields, would count as empty ones).
///
/// tantivy's BM25 takes one document count for every field; so instead of the count, a
/// shelf's document frequencies and token totals are scaled by (all documents / documents on
/// the shelf), which gives the same idf (up to its +0.5 smoothing) and the same average length.
pub(super) struct ShelfStatistics<'a> {
    searcher: &'a tantivy::Searcher,
    fields: &'a Fields,
    /// All documents, deleted ones included (as tantivy counts them).
    total: u64,
    /// Per shelf, in [`Shelf::index`] order: total / documents on the shelf.
    scale: [f64; 3],
}

impl<'a> ShelfStatistics<'a> {
    pub(super) fn new(searcher: &'a tantivy::Searcher, fields: &'a Fields) -> Result<Self> {
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

/// The `cap` terms with the highest weight × idf, judged by document frequency in `field`,
/// each with that frequency; terms that occur nowhere are dropped (they cannot match).
pub(super) fn keep_rarest(
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
pub(super) struct TextTerm {
    pub(super) term: Term,
    /// The query weight of the term times the field weight.
    pub(super) boost: f32,
    /// Its document frequency, as [`ShelfStatistics`] gives it.
    pub(super) doc_freq: u64,
}

/// Each term's BM25 weight times its boost, from the document frequency already looked up
/// (`Bm25Weight::for_terms` would look it up again, and build an explanation too).
pub(super) fn bm25_weights(
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
