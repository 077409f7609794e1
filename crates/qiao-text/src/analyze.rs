//! The analyzer: from a text to index terms with offsets into that text.
//!
//! A text goes through [`crate::normalize`] (NFKC, lower case) and [`crate::fold`] (traditional
//! to simplified, plus the Taiwan phrase fold for traditional text), and each folded variant is
//! cut into two streams:
//!
//! - **words**: runs of Han characters segmented by jieba (with the domain dictionary), and for
//!   a word of three or more characters also the dictionary words inside it at the same position
//!   ([`Options::subwords`]: 电池热管理系统 is found by 热管理); runs of other letters and digits
//!   (Latin, Greek, kana…) as one token each, lower case, joined across `-`, `_`, `.` and `&`
//!   and with a trailing `+`/`#` (car-t, covid-19, c++), plus their alphabetic parts of two
//!   characters or more (car, covid). Punctuation, whitespace, symbols and emoji are dropped.
//! - **bigrams**: overlapping pairs of Han characters of every run (a lone character as itself),
//!   for the words the dictionaries lack.
//!
//! Every token carries the byte range of the *original* text it came from, so a highlighter can
//! mark 資料庫 in the traditional original when the index matched 数据库. Tokens come in order of
//! their start; positions count the words (or bigrams) of the primary variant, never decrease,
//! and are shared by a word and the sub-words and variants that cover the same place, as
//! tantivy expects of terms stacked at one position.
//!
//! Documents and queries differ in two measured ways (`examples/eval.rs`, `dict/README.md`):
//! queries are not expanded into sub-words, and they get the Taiwan fold unless evidently
//! simplified, since a short query (人工智慧) often has no character only one script uses.
//! The defaults were chosen on the shared corpora: jieba's HMM off (it joins unknown characters
//! differently from one context to the next; the bigram stream covers unknown words better),
//! sub-words on for documents, stop words on (no measurable effect on quality, and they are 14%
//! of all words of the corpora, 的 alone 6%: postings and query work saved).

use std::collections::HashSet;
use std::sync::Arc;

use jieba_rs::Jieba;
use unicode_normalization::char::is_combining_mark;

use crate::fold::{Taiwan, fold_mapped};
use crate::normalize::Mapped;
use crate::script::{Script, is_han};
use crate::segment;

/// One index term.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// The term as indexed: normalised and folded to simplified (`数据库`, `car-t`).
    pub text: String,
    /// Byte offset in the original text where the term's source starts (a character boundary).
    pub start: usize,
    /// Byte offset in the original text where the term's source ends (a character boundary).
    pub end: usize,
    /// Ordinal of the term in its stream; sub-words and fold variants share their word's.
    pub position: u32,
}

/// What a text yields for the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// Dictionary words (and their sub-words) and Latin/digit tokens.
    pub words: Vec<Token>,
    /// Han character bigrams.
    pub bigrams: Vec<Token>,
    /// The script of the text.
    pub script: Script,
}

/// What a query yields: the distinct terms of both streams, in order of first appearance,
/// including both folds when they differ (人工智慧 and 人工智能) for any query that is not
/// evidently simplified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerms {
    /// Distinct word terms.
    pub words: Vec<String>,
    /// Distinct bigram terms.
    pub bigrams: Vec<String>,
    /// The script of the query.
    pub script: Script,
    /// The words only the literal fold (`t2s`) yields where a Taiwan phrase was rewritten:
    /// 影像 beside the mainland 图像 the phrase fold made of it. Both are searched; a caller
    /// may trust the phrase fold more for a text evidently traditional.
    pub literal_words: HashSet<String>,
    /// The bigrams only the literal fold yields there (形影, 影像 beside 形图, 图像).
    pub literal_bigrams: HashSet<String>,
}

/// Function words dropped from the word stream when [`Options::stop_words`] is on. Only words
/// that carry no topic: 方法, 装置, 系统, 一种 matter in patent titles and stay (BM25's IDF
/// already discounts them).
pub const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "等", "在", "是", "对", "为", "将", "并", "其", "以", "于",
    "而", "被", "把", "从", "之", "也", "就", "都", "由", "该", "所",
];

/// The dictionaries jieba uses on top of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dictionary {
    /// The domain dictionary shipped with the crate ([`crate::DOMAIN_DICTIONARY`]).
    Domain,
    /// jieba's dictionary alone (for comparisons).
    JiebaOnly,
    /// Another dictionary in jieba's `word freq tag` format, in folded form; to extend the
    /// shipped one, pass it together with more lines.
    Custom(String),
}

/// How the analyzer cuts. The defaults are what measured best on the shared corpora (see
/// `examples/eval.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Also index the dictionary words inside a word of three or more characters, so that a
    /// query for 热管理 finds 电池热管理.
    pub subwords: bool,
    /// Also expand query words into their sub-words. Off: a query's compound already matches
    /// the compound indexed whole, and its parts as extra terms over-weight it (measured: the
    /// known-item sets lose 0.005–0.02 MRR@10 with it on).
    pub query_subwords: bool,
    /// Let jieba's HMM join characters that no dictionary knows into words.
    pub hmm: bool,
    /// Drop [`STOP_WORDS`] from the word stream.
    pub stop_words: bool,
    /// Add the Taiwan phrase fold (`tw2sp`): to documents with traditional characters in
    /// earnest, and to queries unless they are evidently simplified.
    pub taiwan_phrases: bool,
    /// The dictionaries on top of jieba's.
    pub dictionary: Dictionary,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            subwords: true,
            query_subwords: false,
            hmm: false,
            stop_words: true,
            taiwan_phrases: true,
            dictionary: Dictionary::Domain,
        }
    }
}

/// Turns texts into index terms and queries into search terms. Cheap to clone; the default one
/// shares the process-wide segmenter.
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
    options: Options,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl Analyzer {
    /// The analyzer with default options, sharing the process-wide segmenter (built on first use).
    pub fn new() -> Analyzer {
        Analyzer {
            jieba: segment::default_segmenter(),
            options: Options::default(),
        }
    }

    /// An analyzer with other options. Another dictionary than [`Dictionary::Domain`] builds a
    /// segmenter of its own, which takes a few hundred milliseconds.
    ///
    /// # Panics
    /// If a [`Dictionary::Custom`] line has a frequency that is not a whole number.
    pub fn with_options(options: Options) -> Analyzer {
        let jieba = match &options.dictionary {
            Dictionary::Domain => segment::default_segmenter(),
            Dictionary::JiebaOnly => Arc::new(segment::build(&[])),
            Dictionary::Custom(text) => Arc::new(segment::build(&[text])),
        };
        Analyzer { jieba, options }
    }

    /// The options this analyzer runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Both token streams of `text`, for the index.
    pub fn analyze(&self, text: &str) -> Analysis {
        self.run(text, Mode::Index, true, true)
    }

    /// The word stream of `text` alone (what a tantivy tokenizer for the word field needs).
    pub fn words(&self, text: &str) -> Vec<Token> {
        self.run(text, Mode::Index, true, false).words
    }

    /// The bigram stream of `text` alone.
    pub fn bigrams(&self, text: &str) -> Vec<Token> {
        self.run(text, Mode::Index, false, true).bigrams
    }

    /// The distinct terms of a query, in both folds unless it is evidently simplified, without
    /// sub-word expansion (see [`Options::query_subwords`]).
    pub fn analyze_query(&self, text: &str) -> QueryTerms {
        let (analysis, literal) = self.run_with_literal(text, Mode::Query, true, true);
        QueryTerms {
            words: distinct(analysis.words),
            bigrams: distinct(analysis.bigrams),
            script: analysis.script,
            literal_words: literal.words,
            literal_bigrams: literal.bigrams,
        }
    }

    fn run(&self, text: &str, mode: Mode, want_words: bool, want_bigrams: bool) -> Analysis {
        self.run_with_literal(text, mode, want_words, want_bigrams)
            .0
    }

    /// [`Analyzer::run`], also saying which terms only the literal fold yields.
    fn run_with_literal(
        &self,
        text: &str,
        mode: Mode,
        want_words: bool,
        want_bigrams: bool,
    ) -> (Analysis, Literal) {
        let (subwords, taiwan) = match mode {
            Mode::Index => (self.options.subwords, Taiwan::IfTraditional),
            Mode::Query => (self.options.query_subwords, Taiwan::UnlessSimplified),
        };
        let taiwan = if self.options.taiwan_phrases {
            taiwan
        } else {
            Taiwan::Never
        };
        let folded = fold_mapped(text, taiwan);
        // About one word per two characters and one bigram per character of Chinese text.
        let chars = folded.primary.spans.len();
        let mut words = Vec::with_capacity(if want_words { chars / 2 + 1 } else { 0 });
        let mut bigrams = Vec::with_capacity(if want_bigrams { chars } else { 0 });
        self.cut(
            &folded.primary,
            None,
            subwords,
            want_words.then_some(&mut words),
            want_bigrams.then_some(&mut bigrams),
        );
        let mut literal = Literal::default();
        if let Some(taiwan) = &folded.taiwan {
            let mut taiwan_words = Vec::new();
            let mut taiwan_bigrams = Vec::new();
            self.cut(
                &taiwan.mapped,
                Some(&taiwan.rewritten),
                subwords,
                want_words.then_some(&mut taiwan_words),
                want_bigrams.then_some(&mut taiwan_bigrams),
            );
            if matches!(mode, Mode::Query) {
                literal = Literal {
                    words: literal_only(&words, &taiwan_words),
                    bigrams: literal_only(&bigrams, &taiwan_bigrams),
                };
            }
            words = merge(words, taiwan_words);
            bigrams = merge(bigrams, taiwan_bigrams);
        }
        let analysis = Analysis {
            words,
            bigrams,
            script: folded.script,
        };
        (analysis, literal)
    }

    /// Cut one folded variant into its words and bigrams; with `rewritten`, only the runs
    /// holding a rewritten character (the others are the same as in the primary variant).
    fn cut(
        &self,
        mapped: &Mapped,
        rewritten: Option<&[bool]>,
        subwords: bool,
        mut words: Option<&mut Vec<Token>>,
        mut bigrams: Option<&mut Vec<Token>>,
    ) {
        let text = Text::new(mapped);
        let n = text.chars.len();
        let (mut word_position, mut bigram_position) = (0, 0);
        let mut k = 0;
        while k < n {
            let c = text.chars[k].1;
            if is_han(c) {
                let start = k;
                while k < n && is_han(text.chars[k].1) {
                    k += 1;
                }
                if rewritten.is_some_and(|r| !r[start..k].contains(&true)) {
                    continue;
                }
                if let Some(out) = words.as_deref_mut() {
                    self.han_words(&text, start, k, subwords, &mut word_position, out);
                }
                if let Some(out) = bigrams.as_deref_mut() {
                    han_bigrams(&text, start, k, &mut bigram_position, out);
                }
            } else if is_word_char(c) {
                let start = k;
                k = word_end(&text.chars, k);
                if rewritten.is_some_and(|r| !r[start..k].contains(&true)) {
                    continue;
                }
                if let Some(out) = words.as_deref_mut() {
                    other_words(&text, start, k, &mut word_position, out);
                }
            } else {
                k += 1;
            }
        }
    }

    /// jieba's words of the Han run at characters `start..end`, with their sub-words.
    fn han_words(
        &self,
        text: &Text,
        start: usize,
        end: usize,
        subwords: bool,
        position: &mut u32,
        out: &mut Vec<Token>,
    ) {
        let stop = self.options.stop_words;
        for word in self.jieba.cut(text.slice(start, end), self.options.hmm) {
            let (a, b) = (start + word.start, start + word.end);
            let here = *position;
            *position += 1;
            if stop && is_stop_word(word.word) {
                continue;
            }
            out.push(text.token(a, b, here));
            if subwords && b - a >= 3 {
                for x in a..b {
                    for y in x + 2..=b {
                        if y - x == b - a {
                            continue;
                        }
                        let sub = text.slice(x, y);
                        if self.jieba.has_word(sub) && !(stop && is_stop_word(sub)) {
                            out.push(text.token(x, y, here));
                        }
                    }
                }
            }
        }
    }
}

/// What a text is analysed for.
#[derive(Clone, Copy)]
enum Mode {
    Index,
    Query,
}

/// A folded variant with its characters indexed.
struct Text<'a> {
    mapped: &'a Mapped,
    chars: Vec<(usize, char)>,
}

impl<'a> Text<'a> {
    fn new(mapped: &'a Mapped) -> Text<'a> {
        Text {
            mapped,
            chars: mapped.text.char_indices().collect(),
        }
    }

    fn byte(&self, k: usize) -> usize {
        self.chars
            .get(k)
            .map_or(self.mapped.text.len(), |&(b, _)| b)
    }

    /// Characters `a..b` of the folded text.
    fn slice(&self, a: usize, b: usize) -> &'a str {
        &self.mapped.text[self.byte(a)..self.byte(b)]
    }

    /// The token for characters `a..b` (a < b), with the original span they came from.
    fn token(&self, a: usize, b: usize, position: u32) -> Token {
        Token {
            text: self.slice(a, b).to_string(),
            start: self.mapped.spans[a].start as usize,
            end: self.mapped.spans[b - 1].end as usize,
            position,
        }
    }
}

fn han_bigrams(text: &Text, start: usize, end: usize, position: &mut u32, out: &mut Vec<Token>) {
    if end - start == 1 {
        out.push(text.token(start, end, *position));
        *position += 1;
        return;
    }
    for a in start..end - 1 {
        out.push(text.token(a, a + 2, *position));
        *position += 1;
    }
}

/// The run of non-Han letters and digits at characters `start..end`: one token, plus its parts
/// when connectors join it.
fn other_words(text: &Text, start: usize, end: usize, position: &mut u32, out: &mut Vec<Token>) {
    let here = *position;
    *position += 1;
    out.push(text.token(start, end, here));
    let is_split = |k: usize| is_connector(text.chars[k].1) || matches!(text.chars[k].1, '+' | '#');
    if !(start..end).any(is_split) {
        return;
    }
    let mut part = start;
    for k in start..=end {
        if k == end || is_split(k) {
            let alphabetic = text.chars[part..k].iter().any(|&(_, c)| c.is_alphabetic());
            if k - part >= 2 && alphabetic {
                out.push(text.token(part, k, here));
            }
            part = k + 1;
        }
    }
}

/// Where the letter/digit run starting at `k` ends: letters, digits and combining marks, joined
/// across single connectors followed by more of them, then any `+`/`#` that end it (c++, c#).
fn word_end(chars: &[(usize, char)], k: usize) -> usize {
    let n = chars.len();
    let continues = |c: char| is_word_char(c) || is_combining_mark(c);
    let mut e = k;
    loop {
        while e < n && continues(chars[e].1) {
            e += 1;
        }
        if e + 1 < n && is_connector(chars[e].1) && is_word_char(chars[e + 1].1) {
            e += 1;
        } else {
            break;
        }
    }
    let mut t = e;
    while t < n && matches!(chars[t].1, '+' | '#') {
        t += 1;
    }
    if t > e && (t == n || !is_word_char(chars[t].1)) {
        e = t;
    }
    e
}

/// Every stop word is one character (three bytes), so most words are ruled out by length.
fn is_stop_word(word: &str) -> bool {
    word.len() == 3 && STOP_WORDS.contains(&word)
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '&')
}

/// Letters and digits that are not Han: they form tokens of their own.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c)
}

/// `primary`'s tokens with those of `extra` (another fold of the same text) that it lacks, in
/// order of start; an extra token takes the position of the last primary one starting at or
/// before it. Both lists are in order of start, so a duplicate can only be among the tokens
/// already taken that start where it does.
fn merge(primary: Vec<Token>, extra: Vec<Token>) -> Vec<Token> {
    if extra.is_empty() {
        return primary;
    }
    let mut out: Vec<Token> = Vec::with_capacity(primary.len() + extra.len());
    let mut primary = primary.into_iter().peekable();
    let mut position = 0;
    for mut token in extra {
        while let Some(p) = primary.next_if(|p| p.start <= token.start) {
            position = p.position;
            out.push(p);
        }
        let duplicate = out
            .iter()
            .rev()
            .take_while(|t| t.start == token.start)
            .any(|t| t.end == token.end && t.text == token.text);
        if !duplicate {
            token.position = position;
            out.push(token);
        }
    }
    out.extend(primary);
    out
}

/// Terms of the primary fold that the Taiwan fold replaced, by stream.
#[derive(Default)]
struct Literal {
    words: HashSet<String>,
    bigrams: HashSet<String>,
}

/// The texts of `primary` tokens that overlap a token of the Taiwan fold (which covers exactly
/// the runs a phrase rewrote) without being one of its texts, and occur nowhere else.
fn literal_only(primary: &[Token], taiwan: &[Token]) -> HashSet<String> {
    let taiwan_texts: HashSet<&str> = taiwan.iter().map(|t| t.text.as_str()).collect();
    // The byte ranges the Taiwan tokens cover, merged; tokens come in order of their start.
    let mut covered: Vec<(usize, usize)> = Vec::new();
    for t in taiwan {
        match covered.last_mut() {
            Some(last) if t.start <= last.1 => last.1 = last.1.max(t.end),
            _ => covered.push((t.start, t.end)),
        }
    }
    let overlaps = |p: &Token| {
        // The first range ending after the token starts is the only one that can overlap it.
        let i = covered.partition_point(|r| r.1 <= p.start);
        covered.get(i).is_some_and(|r| r.0 < p.end)
    };
    let (inside, outside): (Vec<&Token>, Vec<&Token>) = primary.iter().partition(|p| overlaps(p));
    let outside: HashSet<&str> = outside.iter().map(|t| t.text.as_str()).collect();
    inside
        .into_iter()
        .map(|t| t.text.as_str())
        .filter(|t| !taiwan_texts.contains(t) && !outside.contains(t))
        .map(str::to_string)
        .collect()
}

fn distinct(tokens: Vec<Token>) -> Vec<String> {
    let mut seen = HashSet::new();
    tokens
        .into_iter()
        .filter_map(|t| seen.insert(t.text.clone()).then_some(t.text))
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Skipping the runs of the Taiwan fold that no phrase rewrote loses nothing.
        #[test]
        fn skipping_unrewritten_runs_changes_nothing(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "人工智慧", "資料庫", "軟體", "網際網路", "智慧型手機", "電池", "熱管理", "的", "，", "與", "CAR-T", " ", "使用者", "記憶體",
            ]), 0..16)
        ) {
            let text = pieces.concat();
            let analyzer = Analyzer::new();
            let folded = fold_mapped(&text, Taiwan::UnlessSimplified);
            let Some(taiwan) = &folded.taiwan else { return Ok(()) };
            let cut = |rewritten: Option<&[bool]>| {
                let (mut words, mut bigrams) = (Vec::new(), Vec::new());
                analyzer.cut(&folded.primary, None, true, Some(&mut words), Some(&mut bigrams));
                let (mut tw_words, mut tw_bigrams) = (Vec::new(), Vec::new());
                analyzer.cut(&taiwan.mapped, rewritten, true, Some(&mut tw_words), Some(&mut tw_bigrams));
                (merge(words, tw_words), merge(bigrams, tw_bigrams))
            };
            prop_assert_eq!(cut(Some(&taiwan.rewritten)), cut(None));
        }
    }
}
