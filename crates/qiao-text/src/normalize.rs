//! NFKC and lower-casing, keeping where every output character came from.
//!
//! Everything downstream (script folding, segmentation, bigrams) works on the normalised text,
//! but a token's offsets must point into the text the user wrote, so this step records for each
//! character it outputs the byte span of the input it came from. NFKC turns ＡＢＣ１２３ into
//! ABC123 (full width to half width), ㎡ into m2 (one character into two), e + U+0301 into é (two
//! into one); lower-casing can also turn one character into two (İ → i̇).
//!
//! NFKC is applied per cluster: a character together with the combining marks (and Hangul
//! vowel/final jamo) that follow it, which is where canonical composition happens. Every output
//! character of a cluster maps to the whole cluster. This equals whole-text NFKC except for
//! exotic sequences that compose across a starter, which the index and queries then treat alike,
//! since both go through this same function.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// A byte range of the original text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

/// A text derived from an original one, with the original span of each of its characters.
#[derive(Clone, Debug)]
pub(crate) struct Mapped {
    pub text: String,
    /// One entry per character of `text`, in order; starts and ends never decrease.
    pub spans: Vec<Span>,
}

/// NFKC, then lower case, of `text`, with the origin of every character.
///
/// # Panics
/// If `text` is 4 GiB or longer (offsets are kept as `u32`).
pub(crate) fn normalize(text: &str) -> Mapped {
    assert!(
        u32::try_from(text.len()).is_ok(),
        "qiao-text handles texts under 4 GiB"
    );
    let mut out = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(text.len() / 2);
    let mut chars = text.char_indices().peekable();
    let span = |start: usize, end: usize| Span {
        start: start as u32,
        end: end as u32,
    };
    while let Some((i, c)) = chars.next() {
        let next_is_starter = chars.peek().is_none_or(|&(_, n)| is_plain(n));
        // Fast paths for the bulk of our text: ASCII and common ideographs are NFKC already,
        // and nothing after them composes with them.
        if c.is_ascii() && next_is_starter {
            out.push(c.to_ascii_lowercase());
            spans.push(span(i, i + 1));
            continue;
        }
        if is_stable_ideograph(c) && next_is_starter {
            out.push(c);
            spans.push(span(i, i + c.len_utf8()));
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, n)) = chars.peek() {
            if !continues_cluster(n) {
                break;
            }
            end = j + n.len_utf8();
            chars.next();
        }
        for d in text[i..end].nfkc() {
            for l in d.to_lowercase() {
                out.push(l);
                spans.push(span(i, end));
            }
        }
    }
    Mapped { text: out, spans }
}

/// A character that certainly starts a new cluster.
fn is_plain(c: char) -> bool {
    c.is_ascii() || is_stable_ideograph(c)
}

/// Ideographs that NFKC leaves alone and that have no case (the compatibility ideographs
/// U+F900.. and U+2F800.. are not among them: NFKC maps them to unified ones).
fn is_stable_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2F7FF}' | '\u{30000}'..='\u{323AF}')
}

fn continues_cluster(c: char) -> bool {
    !c.is_ascii()
        && (canonical_combining_class(c) != 0
            // Hangul medial vowels and final consonants compose with what precedes them.
            || matches!(c, '\u{1161}'..='\u{1175}' | '\u{11A8}'..='\u{11C2}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(original: &str, m: &Mapped) -> Vec<(char, String)> {
        m.text
            .chars()
            .zip(&m.spans)
            .map(|(c, s)| (c, original[s.start as usize..s.end as usize].to_string()))
            .collect()
    }

    #[test]
    fn full_width_becomes_half_width_lower_case() {
        let m = normalize("ＡＢＣ１２３");
        assert_eq!(m.text, "abc123");
        assert_eq!(m.spans[0], Span { start: 0, end: 3 });
        assert_eq!(m.spans[5], Span { start: 15, end: 18 });
    }

    #[test]
    fn one_character_into_two_maps_both_to_it() {
        let m = normalize("面积㎡大");
        assert_eq!(m.text, "面积m2大");
        assert_eq!(
            surfaces("面积㎡大", &m),
            vec![
                ('面', "面".into()),
                ('积', "积".into()),
                ('m', "㎡".into()),
                ('2', "㎡".into()),
                ('大', "大".into())
            ]
        );
    }

    #[test]
    fn combining_marks_compose_with_their_base() {
        let original = "Cafe\u{301} 汉\u{301}";
        let m = normalize(original);
        assert_eq!(m.text, "café 汉\u{301}");
        let s = surfaces(original, &m);
        assert_eq!(s[3], ('é', "e\u{301}".into()));
        assert_eq!(s[5], ('汉', "汉\u{301}".into()));
        assert_eq!(s[6], ('\u{301}', "汉\u{301}".into()));
    }

    #[test]
    fn compatibility_ideographs_and_ideographic_space() {
        let m = normalize("\u{F900}\u{3000}⼀");
        assert_eq!(m.text, "\u{8C48} 一");
    }
}
