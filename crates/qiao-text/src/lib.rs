//! Chinese text analysis for Qiao: what the search index and the matching engine see of a text.
//!
//! ```
//! let analysis = qiao_text::analyze("資料庫軟體的散熱");
//! assert_eq!(analysis.script, qiao_text::Script::Hant);
//! let words: Vec<&str> = analysis.words.iter().map(|t| t.text.as_str()).collect();
//! assert!(words.contains(&"数据库") && words.contains(&"散热"));
//! // Offsets point into the original, traditional text.
//! let t = analysis.words.iter().find(|t| t.text == "数据库").unwrap();
//! assert_eq!(&"資料庫軟體的散熱"[t.start..t.end], "資料庫");
//! ```
//!
//! The pipeline, one private module each:
//! 1. `normalize`: NFKC and lower case (ＡＢＣ１２３ → abc123), recording the original byte span
//!    of every character.
//! 2. `script`: simplified, traditional, mixed or neither, from characters only one script uses
//!    ([`detect_script`]).
//! 3. `fold`: traditional to simplified with OpenCC `t2s` ([`fold()`]), plus the Taiwan phrase
//!    fold (`tw2sp`: 軟體 → 软件) as a second variant for traditional text, each mapped back to
//!    the original.
//! 4. `segment`: jieba with a domain dictionary of modern terms ([`DOMAIN_DICTIONARY`]).
//! 5. `analyze`: the [`Analyzer`]: words, sub-words, Latin tokens and Han bigrams with original
//!    offsets and positions; query terms deduplicated over both folds.
//!
//! Nothing here knows about storage, HTTP or tantivy: `qiao-search` wraps [`Analyzer::words`]
//! and [`Analyzer::bigrams`] in tantivy tokenizers ([`Token`] has the offsets and position a
//! tantivy token needs) and builds its Boolean/Term queries from [`Analyzer::analyze_query`]
//! (tantivy's `QueryParser` would turn a split word into a phrase query). Roughly:
//!
//! ```text
//! impl tantivy::tokenizer::Tokenizer for QiaoWords {          // QiaoWords(qiao_text::Analyzer)
//!     type TokenStream<'a> = QiaoStream;                      // a Vec<tantivy Token> and a cursor
//!     fn token_stream<'a>(&'a mut self, text: &'a str) -> QiaoStream {
//!         QiaoStream::new(self.0.words(text).into_iter().map(|t| tantivy::tokenizer::Token {
//!             offset_from: t.start, offset_to: t.end, position: t.position as usize,
//!             text: t.text, position_length: 1,
//!         }))
//!     }
//! }
//! ```

mod analyze;
mod fold;
mod normalize;
mod script;
mod segment;

use std::sync::LazyLock;

pub use analyze::{Analysis, Analyzer, Dictionary, Options, QueryTerms, STOP_WORDS, Token};
pub use fold::{fold, simplified_for_model};
pub use script::{Script, detect_script};
pub use segment::DOMAIN_DICTIONARY;

static DEFAULT: LazyLock<Analyzer> = LazyLock::new(Analyzer::new);

/// The process-wide analyzer with default options.
pub fn default_analyzer() -> &'static Analyzer {
    &DEFAULT
}

/// [`Analyzer::analyze`] with the default analyzer.
pub fn analyze(text: &str) -> Analysis {
    DEFAULT.analyze(text)
}

/// [`Analyzer::analyze_query`] with the default analyzer.
pub fn analyze_query(text: &str) -> QueryTerms {
    DEFAULT.analyze_query(text)
}
