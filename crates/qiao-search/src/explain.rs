//! Why a document matched: the query terms it contains, shown as highlighted snippets in the
//! document's original script.
//!
//! The document is analysed again here (only the few hits shown), with the same analysis the
//! index used, so every highlighted span is a token the index matched, and its byte offsets
//! point into the original text even when the index saw a simplified folding of it.

use std::collections::HashSet;

use serde::Serialize;

use crate::analysis::{self, QueryTerms};
use crate::document::Texts;

/// A piece of a document's text with the matched spans marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Which text: `title`, `keywords` or `body`.
    pub field: &'static str,
    /// The excerpt, in the original script; "…" marks cut ends.
    pub text: String,
    /// Matched spans as `[start, end)` byte offsets into `text`.
    pub highlights: Vec<[usize; 2]>,
}

impl Snippet {
    /// The excerpt as HTML: text escaped, matched spans in `<mark>`.
    pub fn html(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 16 * self.highlights.len());
        let mut at = 0;
        for [s, e] in &self.highlights {
            escape_into(&mut out, &self.text[at..*s]);
            out.push_str("<mark>");
            escape_into(&mut out, &self.text[*s..*e]);
            out.push_str("</mark>");
            at = *e;
        }
        escape_into(&mut out, &self.text[at..]);
        out
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The lexical part of a match's reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The query's terms found in the document, as written in the document, first seen first.
    pub matched_terms: Vec<String>,
    /// Excerpts with the matches marked: the title always, the body when it matched.
    pub snippets: Vec<Snippet>,
}

/// How long a body excerpt is, in characters.
const SNIPPET_CHARS: usize = 110;
/// How many matched terms a reason lists at most.
const MAX_TERMS: usize = 12;

/// Explains which of `query`'s terms occur in `texts`.
pub fn explain(query: &QueryTerms, texts: &Texts) -> Explanation {
    let words: HashSet<&str> = query.words.iter().map(|(t, _)| t.as_str()).collect();
    let bigrams: HashSet<&str> = query.bigrams.iter().map(|(t, _)| t.as_str()).collect();
    let mut terms: Vec<String> = Vec::new();
    let mut snippets = Vec::new();
    for (field, text) in [
        ("title", &texts.title),
        ("keywords", &texts.keywords),
        ("body", &texts.body),
    ] {
        if text.is_empty() {
            continue;
        }
        let spans = matched_spans(text, &words, &bigrams);
        for [s, e] in &spans {
            let surface = &text[*s..*e];
            if terms.len() < MAX_TERMS && !terms.iter().any(|t| t == surface) {
                terms.push(surface.to_string());
            }
        }
        match field {
            "title" => snippets.push(Snippet {
                field,
                text: text.clone(),
                highlights: spans,
            }),
            _ if !spans.is_empty() => snippets.push(excerpt(field, text, &spans)),
            _ => {}
        }
    }
    Explanation {
        matched_terms: terms,
        snippets,
    }
}

/// Spans of `text` that match a query word, or, where no word matched, a query bigram;
/// sorted and merged where they touch or overlap.
fn matched_spans(text: &str, words: &HashSet<&str>, bigrams: &HashSet<&str>) -> Vec<[usize; 2]> {
    let a = analysis::analyze(text);
    let mut spans: Vec<[usize; 2]> = a
        .words
        .iter()
        .filter(|t| words.contains(t.text.as_str()))
        .map(|t| [t.start, t.end])
        .collect();
    let covered =
        |s: usize, e: usize, spans: &[[usize; 2]]| spans.iter().any(|[a, b]| *a <= s && e <= *b);
    let word_spans = spans.clone();
    for t in &a.bigrams {
        if bigrams.contains(t.text.as_str()) && !covered(t.start, t.end, &word_spans) {
            spans.push([t.start, t.end]);
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
    for [s, e] in spans {
        match merged.last_mut() {
            Some(last) if s <= last[1] => last[1] = last[1].max(e),
            _ => merged.push([s, e]),
        }
    }
    merged
}

/// The window of about [`SNIPPET_CHARS`] characters holding the most matches.
fn excerpt(field: &'static str, text: &str, spans: &[[usize; 2]]) -> Snippet {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let char_at = |byte: usize| bounds.partition_point(|b| *b < byte);
    let mut best = (0usize, 0usize); // (matches, first span index)
    for (i, [s, _]) in spans.iter().enumerate() {
        let start_char = char_at(*s).saturating_sub(SNIPPET_CHARS / 5);
        let end_byte = bounds[(start_char + SNIPPET_CHARS).min(bounds.len() - 1)];
        let inside = spans[i..]
            .iter()
            .take_while(|[_, e]| *e <= end_byte)
            .count();
        if inside > best.0 {
            best = (inside, i);
        }
    }
    let first = spans[best.1][0];
    let start_char = char_at(first).saturating_sub(SNIPPET_CHARS / 5);
    let end_char = (start_char + SNIPPET_CHARS).min(bounds.len() - 1);
    let (start, end) = (bounds[start_char], bounds[end_char]);
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let shift = |b: usize| b - start + prefix.len();
    Snippet {
        field,
        text: format!("{prefix}{}{suffix}", &text[start..end]),
        highlights: spans
            .iter()
            .filter(|[s, e]| *s >= start && *e <= end)
            .map(|[s, e]| [shift(*s), shift(*e)])
            .collect(),
    }
}
