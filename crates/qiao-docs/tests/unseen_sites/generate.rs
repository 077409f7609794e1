//! The page generator: a fixture's article (title, date, article lines, checked in by hand
//! under `tests/fixtures/unseen/articles`) poured into a page template
//! (`tests/fixtures/unseen/templates/{tuning,heldout}`), in both scripts and in the encodings
//! sites of that script use.
//!
//! A template is a page as a site would serve it (or as a crawler would dump it, for `.txt`)
//! with placeholders:
//! - `{{title}}`: the title;
//! - `{{charset}}`: the encoding's label, for a `<meta>` declaration;
//! - `{{date:FORMAT}}`: the publication date in one of the forms of [`format_date`];
//! - `{{article:FORM}}` or `{{article:FORM:glue=FORMAT}}`: the article lines, one block each
//!   in the HTML or text form of [`render_article`]; with `glue`, the date (and time) is glued
//!   to the first line without a space, as some sites print a dateline into the text.
//!
//! Everything else in a template is furniture the cleaner must remove: what comes out of the
//! pipeline must be the article lines exactly.

use std::path::{Path, PathBuf};

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use qiao_docs::Encoding;

/// A fixture's article, as established by hand.
#[derive(Clone, Debug)]
pub struct Article {
    /// The fixture's name (`000_03cb8c32e2444fbc`).
    pub name: String,
    /// The title.
    pub title: String,
    /// The publication date (year, month, day) the templates print.
    pub date: (i32, u32, u32),
    /// The article lines.
    pub lines: Vec<String>,
}

/// Which set a template belongs to: decided when the templates were written, before any
/// tuning, and fixed by the directory the file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// Templates the cleaner was tuned on.
    Tuning,
    /// Templates kept out of tuning: reported apart.
    HeldOut,
    /// Templates written after the cleaner was tuned on a second batch (see the fixtures'
    /// README): never tuned on, reported apart.
    Late,
}

/// A page template.
#[derive(Clone, Debug)]
pub struct Template {
    /// The file name without extension (`t01_gov_portal`).
    pub name: String,
    /// Tuning or held out.
    pub set: Set,
    /// HTML (`.html`) or crawled text (`.txt`).
    pub html: bool,
    /// The template text.
    pub body: String,
}

/// One generated page and what must come out of it.
#[derive(Clone, Debug)]
pub struct Page {
    /// `template / fixture / script / encoding`.
    pub label: String,
    /// The template's set.
    pub set: Set,
    /// The template's name.
    pub template: String,
    /// The fixture's name.
    pub fixture: String,
    /// The bytes, as a site would serve them.
    pub bytes: Vec<u8>,
    /// The article lines in the page's script: what the cleaned text must be, line for line.
    pub article: Vec<String>,
    /// The title in the page's script.
    pub title: String,
    /// `YYYY-MM-DD` when the template prints a dateline; `None` otherwise.
    pub published: Option<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unseen")
}

/// Reads every article file: `title: …`, `date: YYYY-MM-DD`, `---`, then one line each.
pub fn articles() -> Vec<Article> {
    let dir = fixtures().join("articles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let (head, body) = text
                .split_once("\n---\n")
                .unwrap_or_else(|| panic!("{}: no `---` after the header", path.display()));
            let field = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                    .map(str::trim)
                    .unwrap_or_else(|| panic!("{}: no `{name}:` line", path.display()))
                    .to_string()
            };
            let date = field("date");
            let parts: Vec<u32> = date.split('-').map(|p| p.parse().unwrap()).collect();
            Article {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                title: field("title"),
                date: (parts[0] as i32, parts[1], parts[2]),
                lines: body
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

/// Reads every template of both sets.
pub fn templates() -> Vec<Template> {
    let mut out = Vec::new();
    for (dir, set) in [
        ("tuning", Set::Tuning),
        ("heldout", Set::HeldOut),
        ("late", Set::Late),
    ] {
        let dir = fixtures().join("templates").join(dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let html = match ext {
                "html" => true,
                "txt" => false,
                _ => continue,
            };
            out.push(Template {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                set,
                html,
                body: std::fs::read_to_string(&path).unwrap(),
            });
        }
    }
    out
}

/// The date in a site's form. `roc` years count from 1912 (民國), as Taiwan's sites print them.
pub fn format_date((y, m, d): (i32, u32, u32), form: &str) -> String {
    match form {
        "iso" => format!("{y}-{m:02}-{d:02}"),
        "iso_hm" => format!("{y}-{m:02}-{d:02} 13:59"),
        "iso_time" => format!("{y}-{m:02}-{d:02} 13:59:00"),
        "slash" => format!("{y}/{m:02}/{d:02}"),
        "slash_time" => format!("{y}/{m}/{d} 9:05:12"),
        "dot" => format!("{y}.{m:02}.{d:02}"),
        "cn" => format!("{y}年{m}月{d}日"),
        "cn0" => format!("{y}年{m:02}月{d:02}日"),
        "cn_time" => format!("{y}年{m:02}月{d:02}日 13:59"),
        "roc" => format!("{}-{m:02}-{d:02}", y - 1911),
        "roc_cn" => format!("民國{}年{m}月{d}日", y - 1911),
        other => panic!("unknown date form {other}"),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The article lines in a page's form: HTML paragraphs (`p`), one `div` each (`div`), lines
/// of one block broken by `<br>` (`br`), list items (`li`); text one line each (`text`),
/// separated by blank lines (`text_blank`), or indented with ideographic spaces
/// (`text_indent`).
pub fn render_article(lines: &[String], form: &str) -> String {
    let esc: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    match form {
        "p" => esc
            .iter()
            .map(|l| format!("<p style=\"text-indent:2em\">{l}</p>"))
            .collect::<Vec<_>>()
            .join("\n"),
        "div" => esc
            .iter()
            .map(|l| format!("<div>{l}</div>"))
            .collect::<Vec<_>>()
            .join("\n"),
        "br" => format!("&emsp;&emsp;{}<br/>", esc.join("<br/>\n&emsp;&emsp;")),
        "li" => format!(
            "<ul>{}</ul>",
            esc.iter()
                .map(|l| format!("<li>{l}</li>"))
                .collect::<String>()
        ),
        "text" => lines.join("\n"),
        "text_blank" => lines.join("\n\n"),
        "text_indent" => lines
            .iter()
            .map(|l| format!("\u{3000}\u{3000}{l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("unknown article form {other}"),
    }
}

/// Fills a template in. `lines` and `title` are already in the page's script.
pub fn fill(
    t: &Template,
    title: &str,
    date: (i32, u32, u32),
    lines: &[String],
    charset: &str,
) -> (String, bool) {
    let mut out =
        String::with_capacity(t.body.len() + lines.iter().map(String::len).sum::<usize>());
    let mut rest = t.body.as_str();
    let mut dated = false;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let close = rest[open..].find("}}").expect("unclosed placeholder") + open;
        let spec = &rest[open + 2..close];
        rest = &rest[close + 2..];
        let mut parts = spec.split(':');
        match parts.next().unwrap() {
            "title" if t.html => out.push_str(&escape(title)),
            "title" => out.push_str(title),
            "charset" => out.push_str(charset),
            "date" => {
                dated = true;
                out.push_str(&format_date(date, parts.next().expect("date form")));
            }
            "article" => {
                let form = parts.next().expect("article form");
                let mut lines = lines.to_vec();
                if let Some(glue) = parts.next().and_then(|g| g.strip_prefix("glue=")) {
                    dated = true;
                    lines[0] = format!("{}{}", format_date(date, glue), lines[0]);
                }
                out.push_str(&render_article(&lines, form));
            }
            other => panic!("{}: unknown placeholder {other}", t.name),
        }
    }
    out.push_str(rest);
    (out, dated)
}

/// The encodings a site in `script` serves pages in.
fn encodings(script: &str) -> [Encoding; 2] {
    match script {
        "hant" => [Encoding::Utf8, Encoding::Big5],
        _ => [Encoding::Utf8, Encoding::Gbk],
    }
}

/// Every page of one template and one article: the article in its own script and converted
/// to the other (OpenCC `s2twp` or `t2s`), each in the two encodings of its script. A text
/// page an encoding cannot hold (simplified furniture in Big5) is left out: such a file cannot
/// exist; an HTML page holds such characters as character references.
pub fn pages(t: &Template, a: &Article, native: &str) -> Vec<Page> {
    let (other, config) = match native {
        "hant" => ("hans", BuiltinConfig::T2s),
        _ => ("hant", BuiltinConfig::S2twp),
    };
    let cc = OpenCC::from_config(config).expect("ferrous-opencc embeds its configurations");
    let converted = (
        cc.convert(&a.title),
        a.lines.iter().map(|l| cc.convert(l)).collect::<Vec<_>>(),
    );
    let mut out = Vec::new();
    for (script, title, lines) in [
        (native, a.title.clone(), a.lines.clone()),
        (other, converted.0.clone(), converted.1.clone()),
    ] {
        for enc in encodings(script) {
            let (text, dated) = fill(t, &title, a.date, &lines, enc.name());
            let (bytes, lossless) = enc.encode_checked(&text);
            if !t.html && !lossless {
                continue;
            }
            out.push(Page {
                label: format!("{} / {} / {script} / {}", t.name, a.name, enc.name()),
                set: t.set,
                template: t.name.clone(),
                fixture: a.name.clone(),
                bytes,
                article: lines.clone(),
                title: title.clone(),
                published: dated.then(|| format_date(a.date, "iso")),
            });
        }
    }
    out
}
