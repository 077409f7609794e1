//! Why a document matched: the query terms it contains, shown as highlighted snippets in the
//! document's original script.
//!
//! The document is analysed again here (only the few hits shown), with the same analysis the
//! index used, so every highlighted span is a token the index matched, and its byte offsets
//! point into the original text even when the index saw a simplified folding of it.
//!
//! Explaining is bounded whatever the text: only the first [`EXPLAINED_BYTES`] of each text
//! are analysed again (a snippet is one window of [`SNIPPET_CHARS`] characters, and a page of
//! hits must cost the same for a 60 MB policy document as for a one-line listing), and every
//! step after the analysis is a sort, a merge or a binary search, so the work is O(n log n) in
//! the analysed length. Callers run it off the async runtime ([`crate::Engine`] does).

use std::collections::HashSet;

use serde::Serialize;

use crate::analysis::{self, QueryTerms};
use crate::document::Texts;
use crate::informative;

/// A piece of a document's text with the matched spans marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Which text: `title`, `keywords` or `body`.
    pub field: &'static str,
    /// The excerpt, in the original script; "…" marks cut ends.
    pub text: String,
    /// Matched spans as `[start, end)` byte offsets into `text`. Pages mark them up
    /// (escaping the text) where they render snippets.
    pub highlights: Vec<[usize; 2]>,
}

/// The lexical part of a match's reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The query's words found in the document, and the phrases its bigrams matched in (a word
    /// the dictionary lacks, shown whole), as written in the document, first seen first.
    pub matched_terms: Vec<String>,
    /// Excerpts with the matches marked: the title always, the body when it matched.
    pub snippets: Vec<Snippet>,
}

/// How long a body excerpt is, in characters.
const SNIPPET_CHARS: usize = 110;
/// How many matched terms a reason lists at most.
const MAX_TERMS: usize = 12;
/// How much of one text is analysed again to explain it, in bytes (cut back to a character
/// boundary): about 11,000 Chinese characters, the opening pages of a long policy document
/// and the whole of nearly every listing. Explaining 32 KB takes about 4 ms on one core
/// (`qiao bench explain`, BENCHMARKS.md), so a page of 200 hits stays under a second however
/// long the texts behind it are, where the whole text once took seconds per megabyte.
pub const EXPLAINED_BYTES: usize = 32 * 1024;
/// How many distinct matched surfaces of one text are weighed for the list of terms. Only
/// [`MAX_TERMS`] are listed; the longest words and the first phrases are what survive, and
/// weighing each against the others is quadratic in their number.
const MAX_SURFACES: usize = 4 * MAX_TERMS;

/// The first `max` bytes of `text`, cut back to a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// Explains which of `query`'s terms occur in `texts`.
///
/// Only informative terms ([`crate::informative`]) are listed or highlighted: a stop word or a
/// single character shared by two texts is no reason to match them, even though retrieval
/// scored it (lightly). To explain several texts against one query, prepare it once
/// ([`Prepared`]).
pub fn explain(query: &QueryTerms, texts: &Texts) -> Explanation {
    Prepared::new(query).explain(texts)
}

/// A query's informative words and bigrams, sorted out once for every hit it explains (a page
/// of matches explains eight or more texts against the same query).
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    words: HashSet<String>,
    bigrams: HashSet<String>,
}

impl Prepared {
    /// The informative terms of `query`.
    pub fn new(query: &QueryTerms) -> Self {
        let keep = |terms: &[(String, f32)], informative: fn(&str) -> bool| {
            terms
                .iter()
                .map(|(t, _)| t)
                .filter(|t| informative(t))
                .cloned()
                .collect()
        };
        Prepared {
            words: keep(&query.words, informative::word),
            bigrams: keep(&query.bigrams, informative::bigram),
        }
    }

    /// [`explain`] with the query prepared.
    pub fn explain(&self, texts: &Texts) -> Explanation {
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
            let explained = head(text, EXPLAINED_BYTES);
            let (spans, surfaces) = matched_spans(explained, &self.words, &self.bigrams);
            for surface in &surfaces {
                // One field's phrase may hold what another field shared as a word.
                add_unless_contained(&mut terms, surface, MAX_TERMS);
            }
            match field {
                "title" => snippets.push(Snippet {
                    field,
                    text: text.clone(),
                    highlights: spans,
                }),
                _ if !spans.is_empty() => {
                    snippets.push(excerpt(field, text, explained.len(), &spans))
                }
                _ => {}
            }
        }
        // A phrase joined from informative pieces may still read as a function word (量的).
        terms.retain(|t| informative::term(t));
        Explanation {
            matched_terms: terms,
            snippets,
        }
    }
}

/// Spans of `text` that match a query word, or, where no word matched, a query bigram,
/// sorted and merged where they touch or overlap; and what matched, as written in `text`: the
/// words (the longest first where one contains another), then each merged span that a bigram
/// helped make, as the phrase it is.
///
/// A bigram is listed as part of the phrase it matched in, not alone: "询优" of 查询优化 says
/// nothing, 查询优化 does, and a word the dictionary lacks (侵深控制, cut as 侵/深/控制) shows
/// whole. A phrase that starts or ends inside a word of the document is chance and is not
/// listed (体的 of 实体的, 查询效 of 查询效率: the document shares the words, not the phrase;
/// 侵深 among single characters is a word jieba does not know). Nor is a join of matches that
/// only touch: in 控制科学与工程, matched by a query holding 控制 and 电子科学与技术 apart, the
/// pieces 控制 and 科学与 are shared, 控制科学与 is not; a phrase is made of matches that
/// overlap (查询 + 询优 + 优化), as a query's bigrams overlap where its text runs on. The
/// highlights keep every match, touching ones joined: they show what the score counted.
fn matched_spans(
    text: &str,
    words: &HashSet<String>,
    bigrams: &HashSet<String>,
) -> (Vec<[usize; 2]>, Vec<String>) {
    let a = analysis::analyze(text);
    let mut word_spans: Vec<[usize; 2]> = a
        .words
        .iter()
        .filter(|t| words.contains(t.text.as_str()))
        .map(|t| [t.start, t.end])
        .collect();
    word_spans.sort_unstable();
    let covering_words = Cover::new(word_spans.iter().copied());
    let mut bigram_spans: Vec<[usize; 2]> = a
        .bigrams
        .iter()
        .filter(|t| bigrams.contains(t.text.as_str()) && !covering_words.holds(t.start, t.end))
        .map(|t| [t.start, t.end])
        .collect();
    bigram_spans.sort_unstable();
    let mut spans = word_spans.clone();
    spans.extend_from_slice(&bigram_spans);
    spans.sort_unstable();
    let join = |touching: bool| {
        let mut out: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
        for &[s, e] in &spans {
            match out.last_mut() {
                Some(last) if s < last[1] || (touching && s == last[1]) => last[1] = last[1].max(e),
                _ => out.push([s, e]),
            }
        }
        out
    };
    let merged = join(true);

    // The words, each surface once (its first occurrence), longest first; then the phrases.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut by_length: Vec<[usize; 2]> = word_spans
        .iter()
        .filter(|[s, e]| seen.insert(&text[*s..*e]))
        .copied()
        .collect();
    by_length.sort_by_key(|[s, e]| (std::cmp::Reverse(e - s), *s));
    let mut candidates: Vec<&str> = by_length
        .iter()
        .take(MAX_SURFACES)
        .map(|[s, e]| &text[*s..*e])
        .collect();
    let long_words = Cover::new(
        a.words
            .iter()
            .filter(|w| text[w.start..w.end].chars().nth(1).is_some())
            .map(|w| [w.start, w.end]),
    );
    let bigram_starts: Vec<usize> = bigram_spans.iter().map(|[s, _]| *s).collect();
    let mut phrases = 0;
    for [s, e] in join(false) {
        if phrases == MAX_SURFACES {
            break;
        }
        // Every bigram span lies inside the one joined span that holds its start.
        let i = bigram_starts.partition_point(|b| *b < s);
        if bigram_starts.get(i).is_none_or(|b| *b >= e) {
            continue;
        }
        if long_words.cuts(s) || long_words.cuts(e) {
            continue;
        }
        if seen.insert(&text[s..e]) {
            candidates.push(&text[s..e]);
            phrases += 1;
        }
    }
    let mut surfaces: Vec<String> = Vec::new();
    for c in candidates {
        add_unless_contained(&mut surfaces, c, usize::MAX);
    }
    (merged, surfaces)
}

/// Spans sorted by start, with the furthest end reached so far: whether one of them holds a
/// range, or has a position strictly inside it, is a binary search.
struct Cover {
    starts: Vec<usize>,
    furthest_end: Vec<usize>,
}

impl Cover {
    fn new(spans: impl Iterator<Item = [usize; 2]>) -> Cover {
        let mut spans: Vec<[usize; 2]> = spans.collect();
        spans.sort_unstable();
        let starts = spans.iter().map(|[s, _]| *s).collect();
        let furthest_end = spans
            .iter()
            .scan(0, |furthest, [_, e]| {
                *furthest = (*furthest).max(*e);
                Some(*furthest)
            })
            .collect();
        Cover {
            starts,
            furthest_end,
        }
    }

    /// Whether one span starting at or before `s` ends at or after `e`.
    fn holds(&self, s: usize, e: usize) -> bool {
        let i = self.starts.partition_point(|x| *x <= s);
        i > 0 && self.furthest_end[i - 1] >= e
    }

    /// Whether `p` lies strictly inside one of the spans.
    fn cuts(&self, p: usize) -> bool {
        let i = self.starts.partition_point(|x| *x < p);
        i > 0 && self.furthest_end[i - 1] > p
    }
}

/// Adds `term` to `terms` unless one of them already holds it, dropping those it holds, while
/// fewer than `cap` remain.
fn add_unless_contained(terms: &mut Vec<String>, term: &str, cap: usize) {
    if terms.iter().any(|t| t.contains(term)) {
        return;
    }
    terms.retain(|t| !term.contains(t.as_str()));
    if terms.len() < cap {
        terms.push(term.to_string());
    }
}

/// The window of about [`SNIPPET_CHARS`] characters holding the most matches, all of which
/// lie in the first `explained` bytes of `text`.
fn excerpt(field: &'static str, text: &str, explained: usize, spans: &[[usize; 2]]) -> Snippet {
    let bounds: Vec<usize> = text[..explained]
        .char_indices()
        .map(|(i, _)| i)
        .chain([explained])
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `matched_spans` as it was written first: every check a scan over every span, quadratic
    /// in a text's length. Kept as the reference the bounded version must agree with.
    fn reference_matched_spans(
        text: &str,
        words: &HashSet<String>,
        bigrams: &HashSet<String>,
    ) -> (Vec<[usize; 2]>, Vec<String>) {
        let a = analysis::analyze(text);
        let mut spans: Vec<[usize; 2]> = a
            .words
            .iter()
            .filter(|t| words.contains(t.text.as_str()))
            .map(|t| [t.start, t.end])
            .collect();
        let mut surfaces: Vec<String> = Vec::new();
        let mut by_length = spans.clone();
        by_length.sort_by_key(|[s, e]| (std::cmp::Reverse(e - s), *s));
        for [s, e] in &by_length {
            add_unless_contained(&mut surfaces, &text[*s..*e], usize::MAX);
        }
        let covered = |s: usize, e: usize, spans: &[[usize; 2]]| {
            spans.iter().any(|[a, b]| *a <= s && e <= *b)
        };
        let word_spans = spans.clone();
        let mut bigram_spans: Vec<[usize; 2]> = Vec::new();
        for t in &a.bigrams {
            if bigrams.contains(t.text.as_str()) && !covered(t.start, t.end, &word_spans) {
                bigram_spans.push([t.start, t.end]);
            }
        }
        spans.extend_from_slice(&bigram_spans);
        spans.sort_unstable();
        let join = |touching: bool| {
            let mut out: Vec<[usize; 2]> = Vec::with_capacity(spans.len());
            for &[s, e] in &spans {
                match out.last_mut() {
                    Some(last) if s < last[1] || (touching && s == last[1]) => {
                        last[1] = last[1].max(e)
                    }
                    _ => out.push([s, e]),
                }
            }
            out
        };
        let merged = join(true);
        for [s, e] in join(false) {
            if !bigram_spans.iter().any(|[a, b]| s <= *a && *b <= e) {
                continue;
            }
            let cuts = a.words.iter().any(|w| {
                let long = text[w.start..w.end].chars().nth(1).is_some();
                long && ((w.start < s && s < w.end) || (w.start < e && e < w.end))
            });
            if cuts {
                continue;
            }
            add_unless_contained(&mut surfaces, &text[s..e], usize::MAX);
        }
        (merged, surfaces)
    }

    /// Pieces that make texts and queries rich in partial and overlapping matches: words and
    /// their parts, both scripts, words that hold others, filler.
    const PIECES: &[&str] = &[
        "查询",
        "优化",
        "查询优化",
        "查詢效能",
        "效率",
        "数据库",
        "資料庫",
        "控制",
        "科学与",
        "电子科学与技术",
        "控制科学与工程",
        "实体的",
        "硬體的",
        "储能电池热管理",
        "电池",
        "侵深控制",
        "人工智慧",
        "人工智能",
        "，",
        "。",
        "的",
        "高",
        "研究",
        "方法",
        "abc 12",
    ];

    fn pieces(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..max).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn spans_and_terms_agree_with_the_quadratic_reference(
            query in pieces(6),
            text in pieces(40),
        ) {
            let q = QueryTerms::from_text(&query).finish();
            let words: HashSet<String> = q.words.iter().map(|(t, _)| t.clone()).collect();
            let bigrams: HashSet<String> = q.bigrams.iter().map(|(t, _)| t.clone()).collect();
            prop_assert_eq!(
                matched_spans(&text, &words, &bigrams),
                reference_matched_spans(&text, &words, &bigrams)
            );
        }
    }

    #[test]
    fn only_the_head_of_a_long_text_is_explained() {
        // A match past the explained head is neither listed nor cut into a snippet: what a
        // hit costs to explain does not grow with the text.
        let filler = "与本查询无关的内容。".repeat(EXPLAINED_BYTES / 30 + 1);
        let q = QueryTerms::from_text("石墨烯 导热膜").finish();
        let e = explain(&q, &texts("标题", &format!("{filler}石墨烯导热膜")));
        assert!(e.matched_terms.is_empty(), "{:?}", e.matched_terms);
        assert_eq!(e.snippets.len(), 1, "the title only");
        // The same match inside the head is found, its snippet cut from the head.
        let e = explain(
            &q,
            &texts("标题", &format!("开头讲石墨烯导热膜。{filler}石墨烯")),
        );
        assert_eq!(e.matched_terms, ["石墨烯", "导热膜"]);
        let body = &e.snippets[1];
        assert!(body.text.ends_with('…'), "{}", body.text);
        assert!(body.text.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn a_text_cut_inside_a_character_is_cut_before_it() {
        let text = "石".repeat(EXPLAINED_BYTES / 3 + 1); // 3 bytes each: the limit falls inside
        let h = head(&text, EXPLAINED_BYTES - 1);
        assert!(h.len() < EXPLAINED_BYTES && h.len().is_multiple_of(3));
        assert_eq!(head("短", EXPLAINED_BYTES), "短");
    }

    fn texts(title: &str, body: &str) -> Texts {
        Texts {
            title: title.into(),
            keywords: String::new(),
            body: body.into(),
        }
    }

    #[test]
    fn terms_are_whole_words_as_written_and_highlights_slice_the_original() {
        let q = QueryTerms::from_text("数据库 软件").finish();
        let e = explain(
            &q,
            &texts("資料庫軟體", "一種以人工智慧管理資料庫的軟體系統。"),
        );
        assert_eq!(e.matched_terms, ["資料庫", "軟體"]);
        let title = &e.snippets[0];
        assert_eq!(title.field, "title");
        let marked: Vec<&str> = title
            .highlights
            .iter()
            .map(|[s, e]| &title.text[*s..*e])
            .collect();
        assert_eq!(
            marked,
            ["資料庫軟體"],
            "adjacent matches merge into one mark"
        );
        let body = &e.snippets[1];
        assert_eq!(body.field, "body");
        let marked: Vec<&str> = body
            .highlights
            .iter()
            .map(|[s, e]| &body.text[*s..*e])
            .collect();
        assert_eq!(marked, ["資料庫", "軟體"]);
    }

    #[test]
    fn a_bigram_is_listed_as_the_phrase_it_matched_in() {
        let terms = |q: &str, t: &str| {
            explain(&QueryTerms::from_text(q).finish(), &texts(t, "")).matched_terms
        };
        // 询优 alone says nothing: the phrase it joins is what both texts share.
        assert_eq!(
            terms("查询优化", "一种基于用户偏好分析的查询优化方法"),
            ["查询优化"]
        );
        // A word the dictionary lacks (cut as 侵/深/控制) shows whole.
        assert_eq!(terms("侵深控制", "基于仿真的侵深控制研究"), ["侵深控制"]);
        // 询效 reaches into 效率: the document shares 查询, not a phrase.
        assert_eq!(terms("查詢效能", "提高查询效率的方法"), ["查询"]);
        // 控制 is shared; 科学, half of two unrelated disciplines' names (控制科学与工程, 电子科学
        // 与技术), is neither listed nor highlighted (informative::GENERIC_WORDS).
        let q = QueryTerms::from_text("晶体生长控制 电子科学与技术").finish();
        let e = explain(&q, &texts("控制科学与工程", ""));
        assert_eq!(e.matched_terms, ["控制"]);
        assert_eq!(e.snippets[0].highlights, [[0, 6]]);
        // A phrase of the body holds the title's word: listed once, as the phrase.
        let q = QueryTerms::from_text("储能电池热管理").finish();
        let e = explain(&q, &texts("电池", "研究储能电池热管理与防护"));
        assert_eq!(e.matched_terms, ["储能电池热管理"]);
        // 体的 across 实体|的 is chance, not a shared term; ending on a function word, it is not
        // highlighted either (issue #27).
        let q = QueryTerms::from_text("大型資料庫查詢效能優化 硬體的").finish();
        let e = explain(&q, &texts("模型实体的属性", ""));
        assert!(e.matched_terms.is_empty(), "{:?}", e.matched_terms);
        let title = &e.snippets[0];
        let marked: Vec<&str> = title
            .highlights
            .iter()
            .map(|[s, e]| &title.text[*s..*e])
            .collect();
        assert!(marked.is_empty(), "{marked:?}");
    }

    #[test]
    fn single_characters_are_never_listed_or_highlighted() {
        let q = QueryTerms::from_text("大 电池").finish();
        let e = explain(&q, &texts("大容量电池", ""));
        assert_eq!(e.matched_terms, ["电池"]);
        let q = QueryTerms::from_text("不 高 上").finish();
        let e = explain(&q, &texts("不高上", "温度不高，良品率上不去"));
        assert!(e.matched_terms.is_empty(), "{:?}", e.matched_terms);
        assert!(
            e.snippets.iter().all(|s| s.highlights.is_empty()),
            "{:?}",
            e.snippets
        );
    }

    /// Issue #27: the shared words of a real match were 之间、增加、量的、我们、最好、一种、方法、
    /// 通过; none of them may be listed or highlighted, while the topic words still are.
    #[test]
    fn stop_words_are_never_listed_as_shared_or_highlighted() {
        let demand = "我们是注塑厂，注塑外壳缩痕、银纹，良品率上不去，希望通过一种方法增加产量，最好两者之间兼顾，量的问题也要解决。";
        let q = QueryTerms::from_text(demand).finish();
        let listing = texts(
            "一种减少注塑外壳缩痕的方法",
            "我们通过一种方法增加产量，最好在两者之间兼顾；量的控制也很重要。注塑外壳缩痕明显减少。",
        );
        let e = explain(&q, &listing);
        for stop in [
            "之间", "增加", "量的", "我们", "最好", "一种", "方法", "通过",
        ] {
            assert!(
                !e.matched_terms.iter().any(|t| t == stop),
                "{stop} listed in {:?}",
                e.matched_terms
            );
        }
        assert!(
            e.matched_terms.iter().all(|t| t.chars().count() > 1),
            "{:?}",
            e.matched_terms
        );
        assert!(
            e.matched_terms.iter().any(|t| t.contains("缩痕")),
            "{:?}",
            e.matched_terms
        );
        for s in &e.snippets {
            for [a, b] in &s.highlights {
                let marked = &s.text[*a..*b];
                assert!(
                    informative::term(marked),
                    "{marked} highlighted in {}",
                    s.text
                );
            }
        }
    }

    #[test]
    fn long_bodies_are_cut_around_the_matches() {
        let body = format!(
            "{}<b>石墨烯</b>导热膜{}",
            "无关内容。".repeat(60),
            "其他。".repeat(60)
        );
        let q = QueryTerms::from_text("石墨烯").finish();
        let e = explain(&q, &texts("标题", &body));
        let s = e.snippets.iter().find(|s| s.field == "body").unwrap();
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
        let [[start, end]] = s.highlights[..] else {
            panic!("{:?}", s.highlights)
        };
        assert_eq!(&s.text[start..end], "石墨烯");
        assert_eq!(
            &s.text[start - 3..start],
            "<b>",
            "the text is kept as written"
        );
    }
}
