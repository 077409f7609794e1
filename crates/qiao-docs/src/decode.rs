//! Bytes to text: which of UTF-8, GBK, GB18030 and Big5 a document is in, and the text.
//!
//! Government sites still serve GBK and Big5 pages, often with a wrong or missing declaration,
//! so the declaration is a hint, not a verdict:
//! 1. a UTF-8 byte-order mark, or bytes that are valid UTF-8, decide at once (valid UTF-8 of any
//!    length is almost never GBK or Big5 by accident);
//! 2. otherwise every candidate (UTF-8, GB18030, Big5) decodes the bytes and is scored by how
//!    few errors it makes and how many of its Han characters are common ones, after folding to
//!    simplified so that a right Big5 reading of traditional text scores like simplified text.
//!    Reading GBK bytes as Big5 (or the reverse) gives a soup of rare characters and errors;
//! 3. a declared charset that decodes without error wins unless another candidate is clearly
//!    better.
//!
//! GB18030 is a superset of GBK; a GB18030 reading is reported as `gbk` unless the bytes use
//! GB18030's four-byte sequences (or the document declares GB18030).
//!
//! Undecodable bytes become U+FFFD in the text and are reported with their byte offset. Nothing
//! here panics, whatever the bytes.

use serde::{Deserialize, Serialize};

use crate::fold::fold_char;

/// The encodings a document is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// GBK (and GB2312, its subset).
    #[serde(rename = "gbk")]
    Gbk,
    /// GB18030: GBK plus four-byte sequences for the rest of Unicode.
    #[serde(rename = "gb18030")]
    Gb18030,
    /// Big5 (as the WHATWG defines it, with the HKSCS extensions).
    #[serde(rename = "big5")]
    Big5,
}

impl Encoding {
    /// The name reported to users: `utf-8`, `gbk`, `gb18030`, `big5`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
            Encoding::Gb18030 => "gb18030",
            Encoding::Big5 => "big5",
        }
    }

    /// The encoding a `charset` label names (`gb2312`, `GBK`, `x-gbk`, `big5-hkscs`…), if it
    /// is one of ours.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
        if enc == encoding_rs::UTF_8 {
            Some(Encoding::Utf8)
        } else if enc == encoding_rs::GBK {
            Some(Encoding::Gbk)
        } else if enc == encoding_rs::GB18030 {
            Some(Encoding::Gb18030)
        } else if enc == encoding_rs::BIG5 {
            Some(Encoding::Big5)
        } else {
            None
        }
    }

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            // Decoding GBK with the GB18030 decoder is what browsers do (WHATWG): it accepts
            // every GBK byte sequence and the four-byte ones a "GBK" page sometimes holds.
            Encoding::Gbk | Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Big5 => encoding_rs::BIG5,
        }
    }

    /// `text` in this encoding; characters it cannot hold become HTML numeric character
    /// references (`&#8226;`), as encoding_rs does. Used to make test and benchmark variants.
    pub fn encode(self, text: &str) -> Vec<u8> {
        self.encode_checked(text).0
    }

    /// `text` in this encoding, and whether every character could be encoded.
    pub fn encode_checked(self, text: &str) -> (Vec<u8>, bool) {
        let codec = match self {
            Encoding::Gbk => encoding_rs::GBK,
            other => other.codec(),
        };
        let (bytes, _, had_errors) = codec.encode(text);
        (bytes.into_owned(), !had_errors)
    }
}

/// Bytes that no reading of the chosen encoding accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undecodable {
    /// Byte offset of the first bad byte in the input.
    pub offset: usize,
    /// The bad bytes, as hexadecimal (`"a1ff"`).
    pub bytes: String,
}

/// A decoded document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark; undecodable bytes are U+FFFD.
    pub text: String,
    /// The encoding chosen.
    pub encoding: Encoding,
    /// Where the chosen encoding failed (at most [`MAX_REPORTED`] entries).
    pub undecodable: Vec<Undecodable>,
}

/// At most this many undecodable spans are listed (a binary file would list thousands).
pub const MAX_REPORTED: usize = 100;

/// How much of the input the candidates are scored on: enough for a verdict, and the cost of
/// scoring does not grow with the document.
const SAMPLE: usize = 64 * 1024;

/// Decodes `bytes`, taking `declared` (a `<meta charset>` or HTTP header) as a hint.
pub fn decode(bytes: &[u8], declared: Option<Encoding>) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => valid(text, Encoding::Utf8),
            Err(_) => finish(rest, 3, Encoding::Utf8),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        // ASCII reads the same in all four; the declaration is then the best name for it.
        let encoding = match declared {
            Some(d) if bytes.is_ascii() => d,
            _ => Encoding::Utf8,
        };
        // Valid UTF-8 (or ASCII) decodes to itself: copied once, not run through a decoder.
        return valid(text, encoding);
    }
    // A sample that ends on a character boundary for nobody in particular: a split character
    // at the end costs every candidate one error, which does not change the ranking.
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let last = sample.len() == bytes.len();
    let mut best: Option<(f64, Encoding, Reading)> = None;
    for candidate in [Encoding::Utf8, Encoding::Gb18030, Encoding::Big5] {
        let reading = run(sample, candidate.codec(), last, 0);
        let mut s = score(&reading.0, reading.1);
        if declared.map(|d| d.codec()) == Some(candidate.codec()) {
            // The declaration tips a close call; it cannot outweigh a clearly better reading.
            s += 0.05;
        }
        if best.as_ref().is_none_or(|(b, _, _)| s > *b) {
            best = Some((s, candidate, reading));
        }
    }
    let Some((_, mut encoding, reading)) = best else {
        unreachable!("three candidates were scored");
    };
    if encoding == Encoding::Gb18030
        && declared != Some(Encoding::Gb18030)
        && !uses_four_byte(bytes)
    {
        encoding = Encoding::Gbk;
    }
    if last {
        // The sample was the whole input (most pages are smaller than it): its reading by the
        // chosen codec (GBK and GB18030 share one) is the document's.
        let (text, _, undecodable) = reading;
        return Decoded {
            text,
            encoding,
            undecodable,
        };
    }
    finish(bytes, 0, encoding)
}

/// A decoder's output: the text, how many malformed sequences, and the first of them.
type Reading = (String, usize, Vec<Undecodable>);

fn valid(text: &str, encoding: Encoding) -> Decoded {
    Decoded {
        text: text.to_owned(),
        encoding,
        undecodable: Vec::new(),
    }
}

fn finish(bytes: &[u8], base: usize, encoding: Encoding) -> Decoded {
    let (text, _, undecodable) = run(bytes, encoding.codec(), true, base);
    Decoded {
        text,
        encoding,
        undecodable,
    }
}

/// Decodes with `codec`, replacing each malformed sequence with U+FFFD and recording it.
///
/// Through a fixed buffer rather than straight into the `String`: encoding_rs's `_to_string`
/// calls work on the string's whole spare capacity, which made a call per malformed sequence
/// quadratic on binary input (a 10 MB random file took 75 s).
fn run(bytes: &[u8], codec: &'static encoding_rs::Encoding, last: bool, base: usize) -> Reading {
    let mut decoder = codec.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut buf = [0u8; 16 * 1024];
    let mut errors = 0;
    let mut reported = Vec::new();
    let mut at = 0;
    loop {
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(&bytes[at..], &mut buf, last);
        // encoding_rs writes whole characters only, so this is valid UTF-8; checked all the
        // same (the crate forbids unsafe), and never lossy in practice.
        match std::str::from_utf8(&buf[..written]) {
            Ok(s) => text.push_str(s),
            Err(_) => text.push_str(&String::from_utf8_lossy(&buf[..written])),
        }
        at += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => break,
            encoding_rs::DecoderResult::OutputFull => continue,
            encoding_rs::DecoderResult::Malformed(len, after) => {
                errors += 1;
                let end = at.saturating_sub(usize::from(after));
                let start = end.saturating_sub(usize::from(len));
                if reported.len() < MAX_REPORTED {
                    reported.push(Undecodable {
                        offset: base + start,
                        bytes: bytes[start..end]
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect(),
                    });
                }
                text.push('\u{FFFD}');
            }
        }
    }
    (text, errors, reported)
}

/// Higher is a more plausible reading: the share of Han characters that are common (after
/// folding to simplified), minus the share of errors. Text with no Han characters at all
/// (English, numbers) scores by errors alone.
fn score(text: &str, errors: usize) -> f64 {
    let (mut han, mut common, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
            if COMMON.contains(fold_char(c)) {
                common += 1;
            }
        } else if c != '\u{FFFD}' {
            other += 1;
        }
    }
    let total = (han + other + errors).max(1) as f64;
    let error_share = errors as f64 / total;
    if han == 0 {
        return -3.0 * error_share;
    }
    common as f64 / (han + errors) as f64 - 3.0 * error_share
}

/// GB18030's four-byte sequences: 0x81-0xFE, 0x30-0x39, 0x81-0xFE, 0x30-0x39. GBK never has an
/// ASCII digit as a trailing byte, so a whole sequence is proof of GB18030.
fn uses_four_byte(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let lead = |b: u8| (0x81..=0xFE).contains(&b);
        let b = bytes[i];
        if !lead(b) {
            i += 1;
        } else if bytes[i + 1].is_ascii_digit()
            && bytes.get(i + 2).is_some_and(|&b| lead(b))
            && bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
        {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// About six hundred of the most frequent simplified characters in modern Chinese prose (the
/// top of any frequency list; a fact about the language, written out here). A right reading of
/// ordinary text has well over half its Han characters in this set, a wrong one a few percent.
const COMMON_CHARS: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞创新企服务推培落湾平台孵策略深聚项城融智字网";

/// [`COMMON_CHARS`] as a bit per character of the Basic Multilingual Plane (all of them are
/// there): scoring asks it of every Han character of three readings of a page, and a bit test
/// is several times cheaper than the binary search it replaced.
struct Common(Box<[u64; 1024]>);

impl Common {
    fn contains(&self, c: char) -> bool {
        let code = c as usize;
        code < 0x10000 && self.0[code / 64] & (1 << (code % 64)) != 0
    }
}

static COMMON: std::sync::LazyLock<Common> = std::sync::LazyLock::new(|| {
    let mut bits = Box::new([0u64; 1024]);
    for c in COMMON_CHARS.chars() {
        let code = c as usize;
        assert!(code < 0x10000, "common characters are in the BMP");
        bits[code / 64] |= 1 << (code % 64);
    }
    Common(bits)
});

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLIFIED: &str = "推动科技成果转移转化，技术合同成交额达230亿元。";
    const TRADITIONAL: &str = "推動科技成果轉移轉化，技術合同成交額達230億元。";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(SIMPLIFIED.as_bytes(), None);
        assert_eq!((d.encoding, d.text.as_str()), (Encoding::Utf8, SIMPLIFIED));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SIMPLIFIED.as_bytes());
        let d = decode(&bom, None);
        assert_eq!((d.encoding, d.text.as_str()), (Encoding::Utf8, SIMPLIFIED));
    }

    #[test]
    fn gbk_and_big5_are_told_apart_without_a_declaration() {
        for (text, enc) in [
            (SIMPLIFIED, Encoding::Gbk),
            (TRADITIONAL, Encoding::Gbk),
            (TRADITIONAL, Encoding::Big5),
        ] {
            let d = decode(&enc.encode(text), None);
            assert_eq!(d.encoding, enc, "{text}");
            assert_eq!(d.text, text);
            assert!(d.undecodable.is_empty());
        }
    }

    #[test]
    fn four_byte_sequences_make_it_gb18030() {
        // U+2022 BULLET is outside GBK: GB18030 encodes it in four bytes.
        let text = format!("• {SIMPLIFIED}");
        let d = decode(&Encoding::Gb18030.encode(&text), None);
        assert_eq!(
            (d.encoding, d.text.as_str()),
            (Encoding::Gb18030, text.as_str())
        );
    }

    #[test]
    fn bad_bytes_are_reported_with_their_offset() {
        let mut bytes = Encoding::Gbk.encode(SIMPLIFIED);
        let at = 6;
        bytes.insert(at, 0xFF);
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, Encoding::Gbk);
        assert_eq!(
            d.undecodable,
            vec![Undecodable {
                offset: at,
                bytes: "ff".into()
            }]
        );
        assert!(d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn labels() {
        assert_eq!(Encoding::from_label("GB2312"), Some(Encoding::Gbk));
        assert_eq!(Encoding::from_label("gb18030"), Some(Encoding::Gb18030));
        assert_eq!(Encoding::from_label("big5"), Some(Encoding::Big5));
        assert_eq!(Encoding::from_label("utf8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_label("shift_jis"), None);
    }
}
