//! Attachments (issue #26): files on listings, messages, contracts and an organisation's
//! certificates, with the limits and checks every upload passes before it is stored.
//!
//! What a file is comes from its bytes alone ([`sniff`]: magic numbers, a zip's central
//! directory for the Office formats, text that is not markup); the type the browser sent is
//! never read and the name's extension must agree with what the bytes are, so a page of HTML
//! or an SVG with a script named `photo.png` is refused rather than stored. What is stored is
//! served with the sniffed type, inline only for the images and PDFs browsers render without
//! running anything ([`FileType::inline`]), as a download otherwise.
//!
//! Names are kept as the uploader wrote them for display and the download's name, reduced to
//! their last path component without control characters ([`safe_name`]); they never reach a
//! file system (the bytes live in the database: see `qiao_store`'s attachments).
//!
//! Adding an owner (a 揭榜 application) is one variant of [`OwnerKind`] and one arm in
//! `qiao_app::attachments::access`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid};
use crate::rule::Rule;

/// The largest file accepted, in bytes (10 MB).
pub const MAX_BYTES: usize = 10 << 20;
/// The most files one record carries.
pub const MAX_PER_OWNER: usize = 20;
/// The most files one message carries.
pub const MAX_PER_MESSAGE: usize = 5;
/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// What sort of record a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    /// A listing (drawings of a demand, a patent certificate of an achievement): its owner
    /// uploads; those it discloses its private fields to read.
    Listing,
    /// A message of a thread: its thread's participants read.
    Message,
    /// A technology contract: its parties, its deal's managers and staff.
    Contract,
    /// An organisation's certificate documents (scans of 高新技术企业 certificates and the
    /// like; the id is the organisation's): its members, staff and admins.
    Certificate,
    /// An application to a challenge (揭榜: the solution's documents): the applicant uploads;
    /// the applicant, the challenge's owner and staff read.
    Application,
}

impl OwnerKind {
    /// Every kind.
    pub const ALL: [OwnerKind; 5] = [
        OwnerKind::Listing,
        OwnerKind::Message,
        OwnerKind::Contract,
        OwnerKind::Certificate,
        OwnerKind::Application,
    ];

    /// The name used in URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Listing => "listing",
            OwnerKind::Message => "message",
            OwnerKind::Contract => "contract",
            OwnerKind::Certificate => "certificate",
            OwnerKind::Application => "application",
        }
    }

    /// Parses [`OwnerKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<OwnerKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The record a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Owner {
    /// Its kind.
    pub kind: OwnerKind,
    /// Its id (for certificates, the organisation's).
    pub id: i64,
}

/// The file types accepted, as their bytes show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    /// PDF.
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// PowerPoint presentation (Office Open XML).
    Pptx,
    /// A legacy Office file (.doc, .xls, .ppt: OLE compound document).
    Ole,
    /// Any other zip archive.
    Zip,
    /// Plain text (UTF-8 or a Chinese legacy encoding), not markup.
    Text,
}

impl FileType {
    /// Every type, in the order error messages list them.
    pub const ALL: [FileType; 11] = [
        FileType::Pdf,
        FileType::Png,
        FileType::Jpeg,
        FileType::Gif,
        FileType::Webp,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Pptx,
        FileType::Ole,
        FileType::Zip,
        FileType::Text,
    ];

    /// The code stored and sent in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Png => "png",
            FileType::Jpeg => "jpeg",
            FileType::Gif => "gif",
            FileType::Webp => "webp",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
            FileType::Pptx => "pptx",
            FileType::Ole => "ole",
            FileType::Zip => "zip",
            FileType::Text => "text",
        }
    }

    /// Parses [`FileType::as_str`]'s output.
    pub fn parse(s: &str) -> Option<FileType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The extensions a file of this type may be named with (lower case).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Gif => &["gif"],
            FileType::Webp => &["webp"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Pptx => &["pptx"],
            FileType::Ole => &["doc", "xls", "ppt"],
            FileType::Zip => &["zip"],
            FileType::Text => &["txt", "csv", "md"],
        }
    }

    /// The `Content-Type` it is served with: one browsers never run as a page.
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Gif => "image/gif",
            FileType::Webp => "image/webp",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileType::Ole | FileType::Zip => "application/octet-stream",
            // Text in a legacy encoding would be misread as UTF-8, but it is downloaded, not
            // shown (see `inline`), so the editor that opens it guesses the encoding itself.
            FileType::Text => "text/plain; charset=utf-8",
        }
    }

    /// Whether browsers may show it in place: raster images and PDF, which run no script of
    /// the page's origin. Everything else is sent as a download.
    pub fn inline(self) -> bool {
        matches!(
            self,
            FileType::Pdf | FileType::Png | FileType::Jpeg | FileType::Gif | FileType::Webp
        )
    }

    /// Whether it is a picture a page may show as `<img>`.
    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileType::Png | FileType::Jpeg | FileType::Gif | FileType::Webp
        )
    }
}

/// Why a file's bytes were not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unaccepted {
    /// HTML, XML or SVG (markup a browser could run), whatever its name.
    Markup,
    /// Bytes of no accepted type (an executable, an unknown binary).
    Unknown,
}

impl Unaccepted {
    /// The word the error names the file's contents by.
    pub fn as_str(self) -> &'static str {
        match self {
            Unaccepted::Markup => "html/xml/svg",
            Unaccepted::Unknown => "unknown binary",
        }
    }
}

/// What the bytes are. Linear in the input (the zip directory is read once, bounded by the
/// file), and reads nothing but `bytes`.
pub fn sniff(bytes: &[u8]) -> Result<FileType, Unaccepted> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF-") {
        return Ok(FileType::Pdf);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileType::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return Ok(FileType::Jpeg);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(FileType::Gif);
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Ok(FileType::Webp);
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Ok(FileType::Ole);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Ok(office_type(bytes));
    }
    text_type(bytes)
}

/// A zip's type by the parts its central directory names: `word/document.xml` makes a .docx,
/// `xl/workbook.xml` an .xlsx, `ppt/presentation.xml` a .pptx; anything else (or a directory
/// that cannot be read) is a plain zip, which is only ever downloaded.
fn office_type(bytes: &[u8]) -> FileType {
    let names = zip_names(bytes).unwrap_or_default();
    let has = |part: &[u8]| names.contains(&part);
    if has(b"word/document.xml") {
        FileType::Docx
    } else if has(b"xl/workbook.xml") {
        FileType::Xlsx
    } else if has(b"ppt/presentation.xml") {
        FileType::Pptx
    } else {
        FileType::Zip
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?)).ok()
}

/// The entry names of a zip's central directory (found through the end record, searched for
/// in the last 64 KB + 22 bytes, where the format puts it), or `None` when it is unreadable.
fn zip_names(b: &[u8]) -> Option<Vec<&[u8]>> {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    let from = b.len().saturating_sub(22 + 0xffff);
    let end = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| &b[i..i + 4] == END)?;
    let count = u16_at(b, end + 10)?;
    let mut at = u32_at(b, end + 16)?;
    let mut names = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        if b.get(at..at + 4)? != ENTRY {
            return None;
        }
        let name_len = u16_at(b, at + 28)?;
        let extra = u16_at(b, at + 30)?;
        let comment = u16_at(b, at + 32)?;
        names.push(b.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra + comment;
    }
    Some(names)
}

/// Markup a browser would run, looked for case-insensitively anywhere in a text.
const MARKUP: [&[u8]; 8] = [
    b"<script",
    b"<html",
    b"<svg",
    b"<!doctype",
    b"<iframe",
    b"<body",
    b"<?xml",
    b"javascript:",
];

/// Text: no NUL and no control character but tab, line breaks, form feed and escape (so UTF-8
/// and GBK/GB18030 both pass), and not markup: text that opens with `<` or holds a tag from
/// [`MARKUP`] anywhere is refused, whatever its name.
fn text_type(bytes: &[u8]) -> Result<FileType, Unaccepted> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if body
        .iter()
        .any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b) || c == 0x7f)
    {
        return Err(Unaccepted::Unknown);
    }
    if body.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'<') {
        return Err(Unaccepted::Markup);
    }
    if contains_markup(body) {
        return Err(Unaccepted::Markup);
    }
    Ok(FileType::Text)
}

/// Whether any of [`MARKUP`] occurs, ASCII case folded: one pass over the `<` and `j` bytes.
fn contains_markup(body: &[u8]) -> bool {
    body.iter().enumerate().any(|(i, &c)| {
        (c == b'<' || c.eq_ignore_ascii_case(&b'j'))
            && MARKUP.iter().any(|m| {
                body.get(i..i + m.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(m))
            })
    })
}

/// A file name as it is kept: its last path component (a browser on Windows may send the
/// whole path), control characters and the quoting characters `"` `\` dropped, spaces at
/// either end trimmed. `None` when nothing is left.
pub fn safe_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\u{202e}' | '\u{202d}'))
        .collect();
    let kept = kept.trim().trim_start_matches('.').trim().to_string();
    (!kept.is_empty()).then_some(kept)
}

/// The lower-case extension of a name (after its last dot), if any.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// A file to store, as checked by [`NewAttachment::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    /// The name it keeps (see [`safe_name`]).
    pub file_name: String,
    /// What its bytes are.
    pub file_type: FileType,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl NewAttachment {
    /// Checks an uploaded file: a name, at most [`MAX_BYTES`], bytes of an accepted type, and a
    /// name whose extension is one of that type's. `field` names the form field or JSON key
    /// the errors are reported on.
    pub fn check(field: &str, raw_name: &str, bytes: Vec<u8>) -> Result<NewAttachment, Invalid> {
        let mut c = Checker::default();
        let name = safe_name(raw_name);
        match &name {
            None => c.fail(field, Rule::Blank),
            Some(n) => c.max_len(field, n, MAX_NAME_CHARS),
        }
        if bytes.is_empty() {
            c.fail(field, Rule::Required);
        } else if bytes.len() > MAX_BYTES {
            c.fail(
                field,
                Rule::OutOfRange {
                    min: 1,
                    max: MAX_BYTES as i64,
                    found: bytes.len() as f64,
                },
            );
        }
        let allowed = || {
            FileType::ALL
                .iter()
                .flat_map(|t| t.extensions())
                .map(|e| (*e).to_string())
                .collect::<Vec<_>>()
        };
        let sniffed = if bytes.is_empty() || bytes.len() > MAX_BYTES {
            None
        } else {
            match sniff(&bytes) {
                Ok(t) => Some(t),
                Err(why) => {
                    c.fail(
                        field,
                        Rule::NotOneOf {
                            found: why.as_str().to_string(),
                            allowed: allowed(),
                        },
                    );
                    None
                }
            }
        };
        if let (Some(t), Some(n)) = (sniffed, &name) {
            let ext = extension(n).unwrap_or_default();
            if !t.extensions().contains(&ext.as_str()) {
                // The name says one thing and the bytes another: the bytes decide what is
                // served, so a name that lies is refused rather than kept.
                c.fail(
                    field,
                    Rule::NotOneOf {
                        found: if ext.is_empty() {
                            format!("(no extension; the file is {})", t.as_str())
                        } else {
                            format!(".{ext} (the file is {})", t.as_str())
                        },
                        allowed: t.extensions().iter().map(|e| format!(".{e}")).collect(),
                    },
                );
            }
        }
        c.finish()?;
        Ok(NewAttachment {
            file_name: name.expect("checked above"),
            file_type: sniffed.expect("checked above"),
            bytes,
        })
    }
}

/// A stored file's description (its bytes are read apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// The record it belongs to.
    pub owner: Owner,
    /// The name it was uploaded with (see [`safe_name`]).
    pub file_name: String,
    /// What its bytes are.
    pub file_type: FileType,
    /// Its size in bytes.
    pub size: i64,
    /// The SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The `Content-Disposition` of a download of `name`: `inline` or `attachment`, an ASCII
/// fallback name (anything else, and quotes, as `_`) and the UTF-8 name (RFC 6266/5987).
pub fn content_disposition(name: &str, inline: bool) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    /// A zip holding empty entries of these names, stored (no compression), as zip writes it.
    fn zip(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for n in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]);
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(n.as_bytes());
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&(n.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(n.as_bytes());
        }
        let at = out.len() as u32;
        let size = central.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(sniff(PNG), Ok(FileType::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Ok(FileType::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\0"), Ok(FileType::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(FileType::Webp));
        assert_eq!(
            sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0"),
            Ok(FileType::Ole)
        );
        assert_eq!(
            sniff(&zip(&["[Content_Types].xml", "word/document.xml"])),
            Ok(FileType::Docx)
        );
        assert_eq!(
            sniff(&zip(&["[Content_Types].xml", "xl/workbook.xml"])),
            Ok(FileType::Xlsx)
        );
        assert_eq!(sniff(&zip(&["ppt/presentation.xml"])), Ok(FileType::Pptx));
        assert_eq!(sniff(&zip(&["a.txt", "b/c.dwg"])), Ok(FileType::Zip));
        // A truncated zip whose directory cannot be read is still only a download.
        assert_eq!(sniff(b"PK\x03\x04garbage"), Ok(FileType::Zip));
        assert_eq!(
            sniff("技术需求说明\r\n一、背景".as_bytes()),
            Ok(FileType::Text)
        );
        // GBK bytes of 技术需求 are text too.
        assert_eq!(
            sniff(b"\xbc\xbc\xca\xf5\xd0\xe8\xc7\xf3"),
            Ok(FileType::Text)
        );
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), Err(Unaccepted::Unknown));
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Err(Unaccepted::Unknown));
    }

    #[test]
    fn markup_is_refused_whatever_it_is_named() {
        for page in [
            &b"<html><script>alert(1)</script></html>"[..],
            b"  \n<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            b"\xef\xbb\xbf<!DOCTYPE html><p>hi",
            b"looks like text\n<ScRiPt>fetch('/api/v1/me')</script>",
            b"click <a href=\"JavaScript:alert(1)\">here</a>",
            b"<?xml version=\"1.0\"?><svg/>",
        ] {
            assert_eq!(sniff(page), Err(Unaccepted::Markup), "{page:?}");
            let e = NewAttachment::check("file", "photo.png", page.to_vec()).unwrap_err();
            assert!(
                matches!(&e.0[0].rule, Rule::NotOneOf { found, .. } if found == "html/xml/svg"),
                "{e:?}"
            );
        }
        // A less-than sign inside prose is not markup.
        assert_eq!(sniff(b"price < 5 and 3 > 2"), Ok(FileType::Text));
    }

    #[test]
    fn the_name_must_agree_with_the_bytes() {
        let ok = NewAttachment::check("file", "C:\\Users\\张三\\图纸.PNG", PNG.to_vec()).unwrap();
        assert_eq!(ok.file_name, "图纸.PNG");
        assert_eq!(ok.file_type, FileType::Png);

        let lie = NewAttachment::check("file", "report.pdf", PNG.to_vec()).unwrap_err();
        assert_eq!(lie.0[0].field, "file");
        assert!(matches!(&lie.0[0].rule, Rule::NotOneOf { found, allowed }
                if found == ".pdf (the file is png)" && allowed == &vec![".png".to_string()]));
        let bare = NewAttachment::check("file", "README", b"hello".to_vec()).unwrap_err();
        assert!(
            matches!(&bare.0[0].rule, Rule::NotOneOf { found, .. } if found.starts_with("(no extension"))
        );
        // Text named .png is not a picture.
        assert!(NewAttachment::check("file", "x.png", b"just words".to_vec()).is_err());
    }

    #[test]
    fn size_limits() {
        let e = NewAttachment::check("file", "a.txt", Vec::new()).unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Required);
        let big = vec![b'a'; MAX_BYTES + 1];
        let e = NewAttachment::check("file", "a.txt", big).unwrap_err();
        assert!(matches!(e.0[0].rule, Rule::OutOfRange { max, .. } if max == MAX_BYTES as i64));
        assert!(NewAttachment::check("file", "a.txt", vec![b'a'; MAX_BYTES]).is_ok());
    }

    #[test]
    fn names_are_reduced_to_something_safe() {
        assert_eq!(safe_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_name("a\u{0}b\".txt").as_deref(), Some("ab.txt"));
        assert_eq!(
            safe_name("evil\u{202e}gnp.exe").as_deref(),
            Some("evilgnp.exe")
        );
        assert_eq!(safe_name(" .hidden ").as_deref(), Some("hidden"));
        assert_eq!(safe_name("dir/"), None);
        assert_eq!(extension("图纸.Tar.GZ").as_deref(), Some("gz"));
        assert_eq!(extension(".bashrc"), None);
    }

    #[test]
    fn disposition_keeps_the_name_and_cannot_be_broken_out_of() {
        assert_eq!(
            content_disposition("需求 图纸.pdf", true),
            "inline; filename=\"__ __.pdf\"; filename*=UTF-8''%E9%9C%80%E6%B1%82%20%E5%9B%BE%E7%BA%B8.pdf"
        );
        let d = content_disposition("a\";b=c.txt", false);
        assert!(d.starts_with("attachment; filename=\"a_;b=c.txt\""), "{d}");
    }

    #[test]
    fn only_pictures_and_pdf_are_inline() {
        for t in FileType::ALL {
            assert_eq!(
                t.inline(),
                matches!(
                    t,
                    FileType::Pdf | FileType::Png | FileType::Jpeg | FileType::Gif | FileType::Webp
                )
            );
            assert!(!t.content_type().contains("html") && !t.content_type().contains("svg"));
            assert_eq!(FileType::parse(t.as_str()), Some(t));
        }
    }
}
