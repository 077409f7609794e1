//! The one place where `qiao-search` meets `qiao-text`: turning text into index tokens and
//! query terms.
//!
//! Documents are analysed once and fed to tantivy pre-tokenized, so the index never runs a
//! tokenizer of its own and queries are built from exactly the same analysis (tantivy's query
//! parser would turn a segmented Chinese word into a phrase query; we never use it).

use std::collections::HashMap;

use tantivy::tokenizer::{PreTokenizedString, Token as TantivyToken};

/// The words and bigrams of one text, with byte offsets into the original.
pub struct Analyzed {
    /// Dictionary words (folded to simplified), each with its span in the original text.
    pub words: Vec<qiao_text::Token>,
    /// CJK character bigrams (folded), each with its span in the original text.
    pub bigrams: Vec<qiao_text::Token>,
}

/// Analyses a text for indexing or for explaining a match.
pub fn analyze(text: &str) -> Analyzed {
    let a = qiao_text::analyze(text);
    Analyzed {
        words: a.words,
        bigrams: a.bigrams,
    }
}

/// Tokens as tantivy's pre-tokenized input.
pub fn pre_tokenized(text: &str, tokens: &[qiao_text::Token]) -> PreTokenizedString {
    PreTokenizedString {
        text: text.to_string(),
        tokens: tokens
            .iter()
            .map(|t| TantivyToken {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position as usize,
                text: t.text.clone(),
                position_length: 1,
            })
            .collect(),
    }
}

/// The share of a dropped bigram's weight added to the word it duplicates.
pub const WORD_BIGRAM_CREDIT: f32 = 0.25;

/// A query's terms with their weights (how often each occurs in the query, dampened).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTerms {
    /// Word terms and weights, heaviest first.
    pub words: Vec<(String, f32)>,
    /// Bigram terms and weights, heaviest first.
    pub bigrams: Vec<(String, f32)>,
}

impl QueryTerms {
    /// Analyses free text as a query. `weight` scales every term (used to weigh a listing's
    /// title above its body when a whole listing is the query).
    pub fn from_text(text: &str) -> QueryTerms {
        let mut q = QueryTerms::default();
        q.add(text, 1.0);
        q
    }

    /// Adds a text's terms with a weight. The terms are those of query analysis (whole words
    /// rather than their sub-words, and the Taiwan-phrase fold unless the text is clearly
    /// simplified); a term's weight grows with how often it occurs in the text.
    pub fn add(&mut self, text: &str, weight: f32) {
        let terms = qiao_text::analyze_query(text);
        let a = analyze(text);
        let count = |tokens: &[qiao_text::Token], term: &str| {
            tokens.iter().filter(|t| t.text == term).count().max(1) as f32
        };
        let words: Vec<(String, f32)> = terms
            .words
            .iter()
            .map(|t| (t.clone(), count(&a.words, t) * weight))
            .collect();
        let bigrams: Vec<(String, f32)> = terms
            .bigrams
            .iter()
            .map(|t| (t.clone(), count(&a.bigrams, t) * weight))
            .collect();
        merge(&mut self.words, words);
        merge(&mut self.bigrams, bigrams);
    }

    /// Whether the query has no terms at all (empty or only punctuation).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.bigrams.is_empty()
    }

    /// Sorts heaviest first and dampens repeated terms: weight = 1 + ln(count). A bigram
    /// that is itself one of the query's words is dropped, its weight credited to the word
    /// ([`WORD_BIGRAM_CREDIT`]): bigram posting lists are the longest in the index, and this
    /// halves query time at equal quality (measured in BENCHMARKS.md).
    pub fn finish(mut self) -> QueryTerms {
        let bigrams: HashMap<String, f32> = std::mem::take(&mut self.bigrams).into_iter().collect();
        let mut kept = bigrams.clone();
        for (w, weight) in self.words.iter_mut() {
            if let Some(b) = bigrams.get(w.as_str()) {
                *weight += b * WORD_BIGRAM_CREDIT;
                kept.remove(w.as_str());
            }
        }
        self.bigrams = kept.into_iter().collect();
        for list in [&mut self.words, &mut self.bigrams] {
            for (_, w) in list.iter_mut() {
                *w = if *w > 1.0 { 1.0 + w.ln() } else { *w };
            }
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        self
    }
}

fn merge(into: &mut Vec<(String, f32)>, terms: Vec<(String, f32)>) {
    let mut at: HashMap<String, usize> = into
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.clone(), i))
        .collect();
    for (term, weight) in terms {
        match at.get(&term) {
            Some(&i) => into[i].1 += weight,
            None => {
                at.insert(term.clone(), into.len());
                into.push((term, weight));
            }
        }
    }
}
