//! HTML to lines of text, keeping the block structure the cleaner reads.
//!
//! A small tolerant converter rather than a full HTML5 parser: crawled government pages are
//! often broken (unclosed tags, stray `<`), and all the cleaner needs is the text of each block
//! (`p`, `div`, `br`, `li`, `h1`-`h6`, `tr`…) as one line, how much of that line is link text,
//! and whether it sat inside `<nav>` or `<footer>`. Scripts, styles and comments are dropped,
//! entities decoded, the `<title>` and first `<h1>` kept for the metadata.

use std::sync::LazyLock;

use regex::Regex;

use crate::decode::Encoding;

/// One line of a document, with what the cleaner needs to know about its links.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The text, whitespace collapsed and trimmed.
    pub text: String,
    /// Characters of the line that are link text (or a bare URL, in plain text).
    pub link_chars: usize,
    /// How many links the line holds.
    pub links: usize,
    /// The line sat inside a `<nav>` (1), `<footer>` (2) or neither (0) element.
    pub chrome: Chrome,
}

/// Page furniture that HTML marks as such.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Chrome {
    /// Ordinary content.
    #[default]
    None,
    /// Inside `<nav>`.
    Nav,
    /// Inside `<footer>`.
    Footer,
}

/// An HTML page as lines, with its `<title>` and first `<h1>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The text lines, in document order.
    pub lines: Vec<Line>,
    /// The `<title>` element's text.
    pub title: Option<String>,
    /// The first `<h1>`'s text.
    pub heading: Option<String>,
    /// `<meta name|property=… content=…>` pairs, the name lower-cased, the content decoded:
    /// Chinese government sites carry `ArticleTitle`, `PubDate` and `ContentSource`.
    pub meta: Vec<(String, String)>,
}

/// Whether `text` is HTML: a doctype, an `<html>`/`<head>`/`<body>` tag, or several block tags
/// near the start.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|t| head.contains(t))
    {
        return true;
    }
    ["<p>", "<p ", "<div", "<br", "<li", "<table"]
        .iter()
        .map(|t| head.matches(t).count())
        .sum::<usize>()
        >= 3
}

/// The charset an HTML page declares in its first 4 KB (`<meta charset="gbk">` or
/// `content="text/html; charset=gb2312"`), read from the bytes before decoding: every encoding
/// here is ASCII-compatible, so the declaration reads the same in all of them.
pub fn sniff_charset(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"charset") {
        let mut i = from + at + b"charset".len();
        while i < lower.len() && matches!(lower[i], b' ' | b'=' | b'"' | b'\'') {
            i += 1;
        }
        let start = i;
        while i < lower.len()
            && (lower[i].is_ascii_alphanumeric() || matches!(lower[i], b'-' | b'_'))
        {
            i += 1;
        }
        if i > start
            && let Some(enc) = std::str::from_utf8(&lower[start..i])
                .ok()
                .and_then(Encoding::from_label)
        {
            return Some(enc);
        }
        from = i.max(from + at + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Elements whose start or end begins a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "tbody",
    "thead",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "center",
    "main",
    "figure",
    "figcaption",
    "address",
    "caption",
    "option",
    "select",
    "title",
];

/// Elements whose content is not text.
const RAW: &[&str] = &["script", "style", "noscript", "template", "textarea", "svg"];

struct Builder {
    page: Page,
    line: Line,
    in_link: bool,
    nav: usize,
    footer: usize,
    heading: Option<String>,
    in_h1: bool,
}

impl Builder {
    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && (self.line.text.is_empty() || self.line.text.ends_with(' ')) {
                continue;
            }
            self.line.text.push(c);
            if self.in_link && c != ' ' {
                self.line.link_chars += 1;
            }
            if self.in_h1
                && let Some(h) = self.heading.as_mut()
            {
                h.push(c);
            }
        }
    }

    fn flush(&mut self) {
        let text = self.line.text.trim();
        if !text.is_empty() {
            let chrome = if self.nav > 0 {
                Chrome::Nav
            } else if self.footer > 0 {
                Chrome::Footer
            } else {
                Chrome::None
            };
            // A URL written out as text is a link too (an advertisement's address).
            let (url_chars, urls) = if self.line.links == 0 {
                bare_urls(text)
            } else {
                (0, 0)
            };
            // A block inside a link (`<a><p>title</p><span>3小时前</span></a>`) is link text
            // though its line did not see the `<a>` open.
            let links = self.line.links.max(usize::from(self.line.link_chars > 0));
            self.page.lines.push(Line {
                text: text.to_string(),
                link_chars: self.line.link_chars + url_chars,
                links: links + urls,
                chrome,
            });
        }
        self.line = Line::default();
    }
}

/// Converts an HTML document to lines.
pub fn to_page(html: &str) -> Page {
    let mut b = Builder {
        page: Page::default(),
        line: Line::default(),
        in_link: false,
        nav: 0,
        footer: 0,
        heading: None,
        in_h1: false,
    };
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        b.push_text(&decode_entities(&rest[..lt]));
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            // A `<` that opens no tag ("a < b") is text.
            b.push_text("<");
            rest = &rest[1..];
            continue;
        };
        let tag_text = &rest[..tag.len];
        rest = &rest[tag.len..];
        let name = tag.name.as_str();
        if name == "meta"
            && !tag.closing
            && let Some(pair) = meta_pair(tag_text)
        {
            b.page.meta.push(pair);
        }
        if !tag.closing && RAW.contains(&name) {
            rest = skip_raw(rest, name);
            continue;
        }
        if !tag.closing && name == "title" {
            let end = find_ci(rest, "</title").unwrap_or(rest.len());
            let title = collapse(&decode_entities(&rest[..end]));
            if b.page.title.is_none() && !title.is_empty() {
                b.page.title = Some(title);
            }
            rest = &rest[end..];
            continue;
        }
        if BLOCKS.contains(&name) {
            // Before the nav/footer counters change: the line a `<nav>` or `</nav>` ends
            // belongs to what came before it.
            b.flush();
        }
        match (name, tag.closing) {
            ("a", false) => {
                b.in_link = true;
                b.line.links += 1;
            }
            ("a", true) => b.in_link = false,
            ("nav", false) => b.nav += 1,
            ("nav", true) => b.nav = b.nav.saturating_sub(1),
            ("footer", false) => b.footer += 1,
            ("footer", true) => b.footer = b.footer.saturating_sub(1),
            ("td" | "th", _) => b.push_text(" "),
            _ => {}
        }
        if name == "h1" {
            if !tag.closing && b.page.heading.is_none() && b.heading.is_none() {
                b.heading = Some(String::new());
                b.in_h1 = true;
            } else if tag.closing && b.in_h1 {
                b.in_h1 = false;
                let h = collapse(&b.heading.take().unwrap_or_default());
                if !h.is_empty() {
                    b.page.heading = Some(h);
                }
            }
        }
    }
    b.push_text(&decode_entities(rest));
    b.flush();
    b.page
}

struct Tag {
    name: String,
    closing: bool,
    /// Bytes from `<` to just after `>`.
    len: usize,
}

/// A tag at the start of `s` (which begins with `<`): `<name …>`, `</name>`, `<!…>`, `<?…>`.
fn parse_tag(s: &str) -> Option<Tag> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let declaration = matches!(bytes.get(i), Some(b'!' | b'?'));
    let start = i;
    if !declaration {
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == start || !bytes[start].is_ascii_alphabetic() {
            return None;
        }
    }
    let name = s[start..i].to_ascii_lowercase();
    // Find the closing `>` outside quoted attribute values.
    let mut quote = None;
    while i < bytes.len() {
        match (bytes[i], quote) {
            (b'"' | b'\'', None) => quote = Some(bytes[i]),
            (q, Some(open)) if q == open => quote = None,
            (b'>', None) => {
                return Some(Tag {
                    name: if declaration { String::new() } else { name },
                    closing,
                    len: i + 1,
                });
            }
            _ => {}
        }
        i += 1;
    }
    // An unterminated tag swallows the rest, as browsers do.
    Some(Tag {
        name,
        closing,
        len: s.len(),
    })
}

static ATTRIBUTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?i)([a-z:_\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).unwrap()
});

/// The name (or property) and content of a `<meta>` tag.
fn meta_pair(tag: &str) -> Option<(String, String)> {
    let (mut name, mut content) = (None, None);
    for c in ATTRIBUTE.captures_iter(tag) {
        let value = c
            .get(2)
            .or(c.get(3))
            .or(c.get(4))
            .map_or("", |m| m.as_str());
        match c[1].to_ascii_lowercase().as_str() {
            "name" | "property" => name = Some(value.trim().to_ascii_lowercase()),
            "content" => content = Some(collapse(&decode_entities(value))),
            _ => {}
        }
    }
    Some((name?, content.filter(|c| !c.is_empty())?))
}

/// The rest of the document after the raw element `name` ends.
fn skip_raw<'a>(rest: &'a str, name: &str) -> &'a str {
    let Some(end) = find_ci(rest, &format!("</{name}")) else {
        return "";
    };
    let after = &rest[end..];
    after.find('>').map_or("", |g| &after[g + 1..])
}

/// Case-insensitive search for an ASCII needle.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes character references: numeric (`&#8226;`, `&#x2022;`) and the named ones Chinese
/// pages use. Unknown or malformed references stay as they are.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i + 1);
        let decoded = end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return Some(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "middot" => '·',
        "bull" => '•',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "times" => '×',
        "yen" => '¥',
        "deg" => '°',
        "permil" => '‰',
        _ => return None,
    })
}

/// Characters and count of the bare URLs in a line.
fn bare_urls(line: &str) -> (usize, usize) {
    URL.find_iter(line).fold((0, 0), |(chars, n), m| {
        (chars + m.as_str().chars().count(), n + 1)
    })
}

/// Lines of plain text, with bare URLs counted as links.
pub fn text_lines(text: &str) -> Vec<Line> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (link_chars, links) = bare_urls(l);
            Line {
                text: l.to_string(),
                link_chars,
                links,
                chrome: Chrome::None,
            }
        })
        .collect()
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+").unwrap()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_scripts_vanish() {
        let page = to_page(
            "<html><head><meta charset=gbk><title>关于印发 - 某区政府</title>\
             <style>p{color:red}</style><script>var a='<p>x</p>';</script></head><body>\
             <nav><a href=/>首页</a> | <a href=/x>政务公开</a></nav>\
             <h1>关于印发《工作要点》的通知</h1><!-- <p>hidden</p> -->\
             <p>第一段&nbsp;文字&amp;数字&#x4E00;&#19968;。</p><div>第二段<br>第三行</div>\
             <table><tr><td>甲</td><td>乙</td></tr></table>\
             <footer>版权所有 &copy; 2024</footer></body></html>",
        );
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "首页 | 政务公开",
                "关于印发《工作要点》的通知",
                "第一段 文字&数字一一。",
                "第二段",
                "第三行",
                "甲 乙",
                "版权所有 © 2024"
            ]
        );
        assert_eq!(page.lines[0].chrome, Chrome::Nav);
        assert_eq!((page.lines[0].links, page.lines[0].link_chars), (2, 6));
        assert_eq!(page.lines[6].chrome, Chrome::Footer);
        assert_eq!(page.title.as_deref(), Some("关于印发 - 某区政府"));
        assert_eq!(page.heading.as_deref(), Some("关于印发《工作要点》的通知"));
        assert!(page.meta.is_empty());
        let page = to_page(
            "<head><META NAME=\"ArticleTitle\" CONTENT=\"关于印发&lt;要点&gt;的通知\">\
             <meta name='PubDate' content='2023-02-24 10:00'><meta property=og:title content=x>\
             <meta charset=utf-8></head>",
        );
        assert_eq!(
            page.meta,
            [
                (
                    "articletitle".to_string(),
                    "关于印发<要点>的通知".to_string()
                ),
                ("pubdate".to_string(), "2023-02-24 10:00".to_string()),
                ("og:title".to_string(), "x".to_string()),
            ]
        );
    }

    #[test]
    fn broken_html_is_tolerated() {
        let page = to_page("<p>a < b <b>粗</b> & c<p>unterminated <a href=\"x>");
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["a < b 粗 & c", "unterminated"]);
    }

    #[test]
    fn charset_declarations() {
        assert_eq!(
            sniff_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
            ),
            Some(Encoding::Gbk)
        );
        assert_eq!(
            sniff_charset(b"<meta charset='Big5'>"),
            Some(Encoding::Big5)
        );
        assert_eq!(sniff_charset(b"<p>no declaration</p>"), None);
        assert!(looks_like_html("<!DOCTYPE html><p>x"));
        assert!(!looks_like_html("技术合同成交额 < 230亿元"));
    }
}
