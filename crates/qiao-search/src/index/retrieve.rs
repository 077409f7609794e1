//! Retrieval: the best candidates for a query, among those the filters admit. A query is
//! planned (the shelves whose text it reads, the filter clauses that narrow it, the checks
//! made on each document), its terms kept by rarity ([`statistics`](super::statistics)), and
//! scored by MaxScore, block-max WAND or exhaustively, whichever is cheapest for its shape.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Executor, TERMINATED, Term};

use super::checked::{CheckColumns, Checked, Checks};
use super::columns::{Names, candidate_id};
use super::statistics::{ShelfStatistics, TextTerm, bm25_weights, keep_rarest};
use super::{Candidate, Filters, SearchIndex};
use crate::analysis::QueryTerms;
use crate::document::Facets;
use crate::error::Result;
use crate::maxscore;
use crate::schema::{ENTITY_LISTING, Shelf, kind_code, status_code, uid};

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

impl SearchIndex {
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

    /// The highest lexical score any document could reach for `terms` among the shelves
    /// `filters` admit: the sum of each kept term's largest BM25 score. A candidate's score
    /// over it is the share of the query's weighted terms it holds (for judging strength;
    /// linear in the query's terms). Zero when no term is kept.
    pub fn lexical_ceiling(&self, terms: &QueryTerms, filters: &Filters) -> Result<f32> {
        let searcher = self.reader.searcher();
        let plan = Plan::of(filters);
        let statistics = ShelfStatistics::new(&searcher, &self.fields)?;
        let text_terms = self.text_terms(&statistics, terms, &plan.shelves)?;
        Ok(bm25_weights(&statistics, &text_terms)?
            .iter()
            .map(|(_, w)| w.max_score())
            .sum())
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
        // Term ordinals belong to their segment: one memo of names per segment seen.
        let mut names: HashMap<u32, Names> = HashMap::new();
        for (score, addr) in top {
            let c = self
                .columns
                .get(searcher.segment_reader(addr.segment_ord))?;
            let candidate = Candidate {
                id: candidate_id(&c.id, addr)?,
                lexical: score,
            };
            let names = names.entry(addr.segment_ord).or_default();
            out.push((candidate, c.facets(addr.doc_id, names)?));
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
        let mut names: HashMap<usize, Names> = HashMap::new();
        for &id in ids {
            let term = Term::from_field_text(self.fields.uid, &uid(ENTITY_LISTING, id));
            'segments: for (ord, reader) in searcher.segment_readers().iter().enumerate() {
                let inverted = reader.inverted_index(self.fields.uid)?;
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        let names = names.entry(ord).or_default();
                        let facets = self.columns.get(reader)?.facets(doc, names)?;
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

fn term_query(term: Term, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(q), boost))
}
