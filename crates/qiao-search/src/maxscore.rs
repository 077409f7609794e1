//! The top hits of a weighted disjunction of terms, by MaxScore over windows of documents.
//!
//! A search or match without a structured filter is a disjunction of word and bigram terms;
//! this module ranks those of up to 24 terms (longer ones, a claim or a whole listing, are
//! scored exhaustively: `PRUNED_UP_TO` in `index.rs`). tantivy would rank them with block-max
//! WAND, which re-sorts its term cursors at every pivot: with the ten or so terms of a
//! title-length Chinese query (words and bigrams), that bookkeeping was most of the query's
//! time (`perf` on `qiao bench scale`, BENCHMARKS.md).
//! MaxScore needs no sorting. The terms are ordered by the most each can add to a score; once
//! the k-th best score so far (the threshold) is above what the weakest terms could add
//! together, those terms are *non-essential*: a document they alone match cannot enter the
//! top, so their postings are never walked, only probed for the documents the essential terms
//! bring. Title-length queries mix a few rare terms with very common ones (中, 所述, 一种, which
//! occur in most documents); the rare ones raise the threshold early and the common ones are
//! then only probed.
//!
//! The essential terms are walked a window of documents at a time, their scores added into a
//! small array (term at a time within the window, so no per-document merge of cursors); the
//! documents of the window are then completed with the non-essential terms, strongest first,
//! stopping as soon as what is left could not lift the document above the threshold.
//!
//! Scores are tantivy's own BM25 (its `Bm25Weight` of each term, with the statistics and
//! boosts the query would have, on the segment's postings and field norms), so the result is
//! the ranking of tantivy's exhaustive union: a test checks it on indexes with several
//! segments and deleted documents.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, TERMINATED, Term};

/// Documents per window: the score array (16 KB) and its bitmap stay in the L1/L2 cache.
const WINDOW: u32 = 4096;

/// One hit: its score and address.
#[derive(Debug, Clone, Copy)]
struct Hit {
    score: Score,
    address: DocAddress,
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Hit {}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Hit {
    /// Better first: a higher score, then the lower address (the order of tantivy's top docs).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.address.cmp(&other.address))
    }
}

/// The best `k` hits so far; the root of the max-heap (in [`Hit`]'s "better first" order) is
/// the worst kept hit.
struct Top {
    k: usize,
    heap: BinaryHeap<Hit>,
}

impl Top {
    fn new(k: usize) -> Top {
        Top {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// The score a document must beat to enter: 0 until `k` hits are kept (every score of a
    /// matching document is positive).
    fn threshold(&self) -> Score {
        if self.heap.len() < self.k {
            0.0
        } else {
            self.heap.peek().map_or(0.0, |h| h.score)
        }
    }

    fn push(&mut self, hit: Hit) {
        self.heap.push(hit);
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|h| (h.score, h.address))
            .collect()
    }
}

/// The best `k` documents for the sum of the terms' BM25 scores (each term's weight carries
/// its idf and boost), best first (ties: the lower address first). `admits` is asked, per
/// segment, for a test of each document that could enter the top (filters checked document
/// by document); deleted documents never enter.
pub(crate) fn top_k<A>(
    searcher: &Searcher,
    weights: &[(Term, Bm25Weight)],
    k: usize,
    mut admits: impl FnMut(&tantivy::SegmentReader) -> tantivy::Result<A>,
) -> tantivy::Result<Vec<(Score, DocAddress)>>
where
    A: Fn(DocId) -> bool,
{
    let mut top = Top::new(k.max(1));
    let mut window = Window::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut scorers = Vec::with_capacity(weights.len());
        for (term, weight) in weights.iter().filter(|(_, w)| w.max_score() > 0.0) {
            let inverted = reader.inverted_index(term.field())?;
            if let Some(postings) = inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
                let norms = reader.get_fieldnorms_reader(term.field())?;
                scorers.push(TermScorer {
                    postings,
                    norms,
                    weight: weight.clone(),
                });
            }
        }
        if scorers.is_empty() {
            continue;
        }
        let admit = admits(reader)?;
        let alive = reader.alive_bitset();
        let segment_ord = ord as u32;
        segment(
            &mut scorers,
            &mut window,
            &mut top,
            |doc| alive.is_none_or(|a| a.is_alive(doc)) && admit(doc),
            segment_ord,
        );
    }
    Ok(top.into_sorted())
}

/// One term's cursor over a segment's postings, and its BM25 score there.
struct TermScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    weight: Bm25Weight,
}

impl TermScorer {
    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    /// The score of the current document.
    fn score(&self) -> Score {
        let doc = self.postings.doc();
        self.weight
            .score(self.norms.fieldnorm_id(doc), self.postings.term_freq())
    }

    /// The most this term adds to any document's score.
    fn max_score(&self) -> Score {
        self.weight.max_score()
    }
}

/// Scores accumulated for one window of documents, and which of them were reached.
struct Window {
    scores: Vec<Score>,
    reached: Vec<u64>,
}

impl Window {
    fn new() -> Window {
        Window {
            scores: vec![0.0; WINDOW as usize],
            reached: vec![0; WINDOW as usize / 64],
        }
    }
}

/// MaxScore over one segment's term scorers.
fn segment(
    scorers: &mut [TermScorer],
    window: &mut Window,
    top: &mut Top,
    admits: impl Fn(DocId) -> bool,
    segment_ord: u32,
) {
    // Weakest first; bound[i] = the most terms 0..=i can add together. Float sums of the same
    // terms in another order may differ in the last bit; a bound a hair too high only costs a
    // probe, one too low could lose a document.
    scorers.sort_by(|a, b| a.max_score().total_cmp(&b.max_score()));
    let mut bound = Vec::with_capacity(scorers.len());
    let mut sum = 0.0;
    for s in scorers.iter() {
        sum += s.max_score();
        bound.push(sum * (1.0 + 1e-6));
    }
    loop {
        let threshold = top.threshold();
        // Terms 0..essential are non-essential: together they cannot beat the threshold.
        let essential = bound.partition_point(|&b| b <= threshold);
        if essential == scorers.len() {
            return;
        }
        let start = scorers[essential..]
            .iter()
            .map(TermScorer::doc)
            .min()
            .unwrap_or(TERMINATED);
        if start == TERMINATED {
            return;
        }
        let end = start.saturating_add(WINDOW);
        for s in scorers[essential..].iter_mut() {
            let mut doc = s.doc();
            while doc < end {
                let i = (doc - start) as usize;
                window.scores[i] += s.score();
                window.reached[i / 64] |= 1 << (i % 64);
                doc = s.advance();
            }
        }
        let (non_essential, _) = scorers.split_at_mut(essential);
        for word in 0..window.reached.len() {
            let mut bits = std::mem::take(&mut window.reached[word]);
            while bits != 0 {
                let i = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let mut score = std::mem::take(&mut window.scores[i]);
                let doc = start + i as u32;
                let threshold = top.threshold();
                let mut enters = true;
                for j in (0..non_essential.len()).rev() {
                    if score + bound[j] <= threshold {
                        enters = false;
                        break;
                    }
                    let s = &mut non_essential[j];
                    if s.doc() < doc {
                        s.seek(doc);
                    }
                    if s.doc() == doc {
                        score += s.score();
                    }
                }
                if enters && score > threshold && admits(doc) {
                    top.push(Hit {
                        score,
                        address: DocAddress::new(segment_ord, doc),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
    use tantivy::schema::{Field, Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    /// A small deterministic generator (the tests need no statistical quality).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// Words with a skewed frequency: word `i` is about `i` times rarer than word 0, so that
    /// queries mix terms most documents have with rare ones, as Chinese queries do.
    fn word(rng: &mut Lcg) -> String {
        let r = rng.below(1 << 20) + 1;
        format!("w{}", (1 << 20) / r)
    }

    fn weights(searcher: &Searcher, terms: &[(Term, Score)]) -> Vec<(Term, Bm25Weight)> {
        terms
            .iter()
            .map(|(t, boost)| {
                let w = Bm25Weight::for_terms(searcher, std::slice::from_ref(t)).unwrap();
                (t.clone(), w.boost_by(*boost))
            })
            .collect()
    }

    /// An index in memory with one text field, and its writer.
    fn body_index() -> (Field, Index, IndexWriter) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        (body, index, writer)
    }

    #[test]
    fn the_top_is_that_of_scoring_every_document() {
        let (body, index, mut writer) = body_index();
        let mut rng = Lcg(7);
        // Several segments (one per commit), some documents deleted.
        for _ in 0..4 {
            for _ in 0..3_000 {
                let n = 3 + rng.below(40);
                let text: Vec<String> = (0..n).map(|_| word(&mut rng)).collect();
                let mut doc = TantivyDocument::default();
                doc.add_text(body, text.join(" "));
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        for i in 0..40 {
            writer.delete_term(Term::from_field_text(body, &format!("w{}", 50 + i)));
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);

        for q in 0..300 {
            let n = 1 + rng.below(12) as usize;
            let terms: Vec<(Term, Score)> = (0..n)
                .map(|_| {
                    let boost = [1.0, 0.5, 2.0][rng.below(3) as usize];
                    (Term::from_field_text(body, &word(&mut rng)), boost)
                })
                .collect();
            let k = [1, 10, 50][q % 3];
            let got = top_k(&searcher, &weights(&searcher, &terms), k, |_| Ok(|_| true)).unwrap();

            // Every matching document scored by tantivy's own union.
            let query = BooleanQuery::new(
                terms
                    .iter()
                    .map(|(t, b)| {
                        let q: Box<dyn Query> = Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
                            *b,
                        ));
                        (Occur::Should, q)
                    })
                    .collect(),
            );
            let all = searcher
                .search(&query, &TopDocs::with_limit(20_000).order_by_score())
                .unwrap();
            let close = |a: Score, b: Score| (a - b).abs() <= 1e-4 * a.abs().max(1.0);
            assert_eq!(got.len(), all.len().min(k), "query {q}: {terms:?}");
            let exact: HashMap<DocAddress, Score> = all.iter().map(|(s, a)| (*a, *s)).collect();
            for (i, (score, address)) in got.iter().enumerate() {
                // The i-th best score is the same, and it is the document's own score (ties
                // may list equal documents in another order).
                assert!(
                    close(*score, all[i].0),
                    "query {q} rank {i}: {score} vs {}",
                    all[i].0
                );
                let own = exact.get(address).copied();
                assert!(
                    own.is_some_and(|s| close(s, *score)),
                    "query {q}: {address:?}"
                );
            }
        }
    }

    #[test]
    fn rejected_documents_never_enter_and_the_next_ones_do() {
        let (body, index, mut writer) = body_index();
        for i in 0..100u32 {
            let mut doc = TantivyDocument::default();
            // Documents with more occurrences of "a" score higher; doc i has i % 10 + 1 of them.
            doc.add_text(body, vec!["a"; (i % 10 + 1) as usize].join(" "));
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let terms = [(Term::from_field_text(body, "a"), 1.0)];
        // Reject the best documents (nine occurrences and up): the top are those with eight.
        let got = top_k(&searcher, &weights(&searcher, &terms), 5, |_| {
            Ok(|doc: DocId| doc % 10 < 8)
        })
        .unwrap();
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|(_, a)| a.doc_id % 10 == 7), "{got:?}");
        let docs: Vec<u32> = got.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(docs, [7, 17, 27, 37, 47], "ties in address order");
    }
}
