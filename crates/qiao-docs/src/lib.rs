//! Policy and news documents in, knowledge out.
//!
//! Commission staff receive government web pages as a crawler delivers them: GBK, GB18030,
//! Big5 or UTF-8, simplified or traditional, wrapped in navigation, footers and spam. This
//! crate turns such a file into a [`Document`]: the article text with every sentence kept, each
//! removed line with its reason, the metadata (title, date, source, document number, script)
//! and every quantified statement ([`Figure`]) with its value in base units. It is pure: bytes
//! in, a value out, no HTTP, no SQL, so storing, indexing and target tracking can be built on
//! [`Document`] (it is serde-serialisable) without re-reading the file.
//!
//! The pipeline, one module each:
//! 1. [`decode`]: detect the encoding (BOM, UTF-8 validity, a declared charset as a hint, a
//!    statistical choice between GBK/GB18030 and Big5) and decode, reporting bad bytes.
//! 2. [`html`]: for HTML, blocks to lines (scripts, styles, comments dropped, entities decoded),
//!    with each line's link share; plain text is split into lines with bare URLs counted.
//! 3. [`clean`]: classify each line as article text or boilerplate/spam with a [`Reason`].
//! 4. [`meta`]: title, publication date, source or issuer, document number; then
//!    [`clean::settle`] uses the title's position (the header above it, the footer below the
//!    article's last sentence, the title printed again).
//! 5. [`figures`]: the quantified statements of the cleaned text.
//!
//! Rules and patterns run on text folded to simplified script character by character
//! (`qiao_text::fold`), so one rule serves both scripts, and what is reported is cut from the
//! original. [`detect_script`](qiao_text::detect_script) comes from `qiao-text` too.
//!
//! ```
//! let page = "<html><head><meta charset=utf-8><title>工作要点</title></head><body>\
//!     <nav><a href=/>首页</a> <a href=/a>政务公开</a> <a href=/b>办事服务</a> <a href=/c>互动交流</a></nav>\
//!     <h1>闵行区科委2023年工作要点</h1><p>技术合同成交额力争达到230亿元。</p>\
//!     <p>版权所有 某区科委 沪ICP备12345678号</p></body></html>";
//! let doc = qiao_docs::inspect(page.as_bytes(), qiao_docs::Format::Auto);
//! assert_eq!(doc.meta.title.as_deref(), Some("闵行区科委2023年工作要点"));
//! assert_eq!(doc.text, "技术合同成交额力争达到230亿元。");
//! assert_eq!(doc.figures[0].value, 23_000_000_000.0);
//! assert_eq!(doc.figures[0].subject.as_deref(), Some("闵行区"));
//! assert_eq!(doc.removed.len(), 3);
//! ```

pub mod clean;
pub mod decode;
pub mod eval;
pub mod figures;
mod fold;
pub mod html;
pub mod meta;
pub mod samples;
mod vocabulary;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use clean::{Reason, suspicious};
pub use decode::{Encoding, Undecodable};
pub use figures::{Figure, Kind};

/// The largest document read (crawled pages are kilobytes; this is a guard, not a limit met).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What a document's reader can get wrong.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A labels file (`expected/*.json`) is not what [`eval::Expected`] describes.
    #[error("{path} is not a valid labels file: {message}")]
    Labels {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// The file is larger than [`MAX_BYTES`].
    #[error(
        "{path} has {bytes} bytes; documents larger than {MAX_BYTES} bytes are not read (split it or check it is a document)"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
}

/// How to read the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// HTML.
    Html,
    /// HTML if it looks like HTML, plain text otherwise.
    Auto,
}

impl Format {
    /// `.html`/`.htm`/`.shtml` are HTML; anything else is judged by its content.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("html" | "htm" | "shtml" | "xhtml") => Format::Html,
            _ => Format::Auto,
        }
    }
}

/// A document's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The encoding the bytes were in.
    pub encoding: Encoding,
    /// `hans`, `hant` or `mixed` (`none` for a text without Chinese).
    pub script: String,
    /// The title, original script.
    pub title: Option<String>,
    /// The publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The source or issuing body, original script.
    pub source: Option<String>,
    /// The document number (闵科委〔2023〕14号), original script.
    pub doc_number: Option<String>,
}

/// A line taken out of the text, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// The line, original script.
    pub text: String,
    /// Why it is not article text.
    pub reason: Reason,
}

/// A document read: metadata, the cleaned text, what was removed, the figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Encoding, script, title, date, source, document number (flattened into the JSON).
    #[serde(flatten)]
    pub meta: Meta,
    /// The article, one block per line, original script.
    pub text: String,
    /// Every line taken out, in document order.
    pub removed: Vec<Removed>,
    /// Every quantified statement of the text.
    pub figures: Vec<Figure>,
    /// Bytes the encoding could not decode (U+FFFD in the text), with their offsets.
    pub undecodable: Vec<Undecodable>,
}

/// Reads a document file (`.html`/`.htm` as HTML, anything else by its content).
pub fn inspect_path(path: &Path) -> Result<Document, DocError> {
    let read = |source| DocError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(read)?.len();
    if bytes > MAX_BYTES {
        return Err(DocError::TooLarge {
            path: path.to_path_buf(),
            bytes,
        });
    }
    let data = std::fs::read(path).map_err(read)?;
    Ok(inspect(&data, Format::from_path(path)))
}

/// Reads a document from its bytes. Never fails and never panics: undecodable bytes are
/// reported, and a page with nothing recognisable is a document with little in it.
pub fn inspect(bytes: &[u8], format: Format) -> Document {
    let declared = match format {
        Format::Text => None,
        Format::Html | Format::Auto => html::sniff_charset(bytes),
    };
    let decoded = decode::decode(bytes, declared);
    let is_html = match format {
        Format::Html => true,
        Format::Text => false,
        Format::Auto => html::looks_like_html(&decoded.text),
    };
    let page = if is_html {
        html::to_page(&decoded.text)
    } else {
        html::Page {
            lines: html::text_lines(&decoded.text),
            ..html::Page::default()
        }
    };
    let mut classified = clean::classify(page.lines);
    let hints = meta::Hints {
        title: page.title.as_deref(),
        heading: page.heading.as_deref(),
        meta: &page.meta,
    };
    let found = meta::read(&mut classified, hints);
    clean::settle(&mut classified, found.title.as_deref());
    let mut text = String::new();
    let mut removed = Vec::new();
    for c in classified {
        match c.reason {
            None => {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&c.line.text);
            }
            Some(reason) => removed.push(Removed {
                text: c.line.text,
                reason,
            }),
        }
    }
    let script = qiao_text::detect_script(&text).as_str().to_string();
    let ctx = figures::context(
        found.title.as_deref(),
        found.source.as_deref(),
        found.published.as_deref(),
    );
    let figures = figures::extract(&text, &ctx);
    Document {
        meta: Meta {
            encoding: decoded.encoding,
            script,
            title: found.title,
            published: found.published,
            source: found.source,
            doc_number: found.doc_number,
        },
        text,
        removed,
        figures,
        undecodable: decoded.undecodable,
    }
}
