//! Folding traditional script to simplified, keeping the way back to the original.
//!
//! The index and queries hold simplified text so that 電池 finds 电池, while the original text
//! stays what is displayed and highlighted. There are two folds, both OpenCC's:
//!
//! - `t2s`, always: character and phrase conversion that never changes a text's length in
//!   characters (every entry of its tables maps n characters to n; `dict/build.py` checks
//!   this), so the folded text maps back character by character. It runs from OpenCC's tables
//!   as generated into `dict/t2s.txt`, longest match first, exactly as ferrous-opencc's `t2s`
//!   does (tests compare the two) but several times cheaper.
//! - `tw2sp`, only for text with traditional characters in earnest: Taiwan phrases to mainland
//!   ones as well (人工智慧 → 人工智能, 資料庫 → 数据库, 網際網路 → 互联网). Mainland text must not
//!   get it alone, since it rewrites 智慧城市 to 智能城市; it is an extra variant beside `t2s`.
//!   OpenCC runs it as two stages: Taiwan phrases and variants by longest match, then `t2s`.
//!   The first stage can change lengths (網際網路 → 互联网) and ferrous-opencc does not say where
//!   it replaced what, so this module runs that stage itself from the same OpenCC table
//!   (`dict/tw_phrases.txt`, generated) and knows each replaced phrase's span exactly: a phrase
//!   replaced by one of another length maps as a whole onto the phrase it replaced. The second
//!   stage is `t2s`. A test checks the result against ferrous-opencc's `tw2sp`.
//!
//! Simplified text is the common case and OpenCC's `t2s` can only change a text holding one of
//! the characters of `dict/t2s_trigger.txt`, so a text without any is not converted at all, and
//! in a text with some only the runs of Han characters holding one are converted.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use crate::normalize::{Mapped, Span, normalize};
use crate::script::{CharSet, HANS_ONLY, HANT_ONLY, Script, is_han};

static T2S: LazyLock<OpenCC> = LazyLock::new(|| {
    OpenCC::from_config(BuiltinConfig::T2s).expect("ferrous-opencc embeds its t2s configuration")
});
/// OpenCC's `t2s` as a table (`dict/t2s.txt`, generated from the same OpenCC tables that
/// ferrous-opencc embeds): converting a run by it is an exact copy of ferrous-opencc's `t2s`
/// (tests below compare them) at a fraction of the cost, since ferrous-opencc walks two finite
/// state transducers and allocates the values at every character. Measured on `qiao bench
/// import-docs` (callgrind, 2 MB): its conversions of the traditional fixture's pages cost
/// 0.4e9 instructions, a quarter as much as reading the pages.
static T2S_TABLE: LazyLock<PhraseTable> =
    LazyLock::new(|| PhraseTable::parse(include_str!("../dict/t2s.txt"), "dict/t2s.txt"));

static T2S_TRIGGER: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::parse(include_str!("../dict/t2s_trigger.txt")));

/// A text normalised and folded, in one or two simplified variants.
pub(crate) struct Folded {
    pub script: Script,
    /// NFKC, lower case, `t2s`.
    pub primary: Mapped,
    /// The `tw2sp` fold, when asked for and different from `primary`.
    pub taiwan: Option<TaiwanFold>,
}

/// The `tw2sp` fold of a text.
pub(crate) struct TaiwanFold {
    pub mapped: Mapped,
    /// Per character: whether a Taiwan phrase rewrote it. A run of Han characters none of which
    /// was rewritten is the same as in the primary fold and yields the same tokens.
    pub rewritten: Vec<bool>,
}

/// When to add the `tw2sp` variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Taiwan {
    /// Never.
    Never,
    /// For text with traditional characters in earnest ([`Script::Hant`], [`Script::Mixed`]):
    /// documents, whose length makes the script evident.
    IfTraditional,
    /// Unless the text is evidently simplified: queries, which are often too short to show a
    /// script (人工智慧 has no character only one script uses), and where an extra term costs
    /// little.
    UnlessSimplified,
}

/// Normalise and fold `text`, with the `tw2sp` variant when `taiwan` calls for it.
pub(crate) fn fold_mapped(text: &str, taiwan: Taiwan) -> Folded {
    let normalized = normalize(text);
    let (mut hant, mut hans, mut trigger) = (0, 0, false);
    for c in normalized.text.chars() {
        hant += usize::from(HANT_ONLY.contains(c));
        hans += usize::from(HANS_ONLY.contains(c));
        trigger = trigger || T2S_TRIGGER.contains(c);
    }
    let script = Script::from_counts(hant, hans);
    let wanted = match taiwan {
        Taiwan::Never => false,
        Taiwan::IfTraditional => matches!(script, Script::Hant | Script::Mixed),
        Taiwan::UnlessSimplified => script != Script::Hans,
    };
    let stage = wanted
        .then(|| taiwan_phrases(&normalized))
        .filter(|s| s.rewritten.contains(&true));
    let length = normalized.spans.len();
    let primary = if trigger {
        t2s_runs(&normalized)
    } else {
        normalized
    };
    let taiwan = stage.map(|mut stage| {
        if primary.spans.len() != length {
            // t2s changed the length after all, so `origin` does not index `primary`.
            stage.rewritten.fill(true);
        }
        taiwan_t2s(&primary, stage)
    });
    Folded {
        script,
        primary,
        taiwan,
    }
}

/// The text after the first stage of `tw2sp`.
struct TaiwanStage {
    mapped: Mapped,
    rewritten: Vec<bool>,
    /// Per character not rewritten: its index in the normalised text.
    origin: Vec<usize>,
}

/// The first stage of OpenCC's `tw2sp`: Taiwan phrases and variants replaced by their mainland
/// forms (still in traditional script), longest match first, left to right.
fn taiwan_phrases(source: &Mapped) -> TaiwanStage {
    let table = &*TW_PHRASES;
    let chars: Vec<(usize, char)> = source.text.char_indices().collect();
    let byte = |k: usize| chars.get(k).map_or(source.text.len(), |&(b, _)| b);
    let mut stage = TaiwanStage {
        mapped: Mapped {
            text: String::with_capacity(source.text.len()),
            spans: Vec::with_capacity(source.spans.len()),
        },
        rewritten: Vec::with_capacity(source.spans.len()),
        origin: Vec::with_capacity(source.spans.len()),
    };
    let mut k = 0;
    while k < chars.len() {
        let matched = table.longest_at(&source.text, &chars, k);
        let (len, to) = matched.unwrap_or((1, &source.text[byte(k)..byte(k + 1)]));
        let from = &source.text[byte(k)..byte(k + len)];
        let count = to.chars().count();
        stage.mapped.text.push_str(to);
        if count == len {
            stage
                .mapped
                .spans
                .extend_from_slice(&source.spans[k..k + len]);
        } else {
            let whole = Span {
                start: source.spans[k].start,
                end: source.spans[k + len - 1].end,
            };
            stage.mapped.spans.extend(std::iter::repeat_n(whole, count));
        }
        stage
            .rewritten
            .extend(std::iter::repeat_n(to != from, count));
        stage
            .origin
            .extend((0..count).map(|i| if count == len { k + i } else { k }));
        k += len;
    }
    stage
}

/// The second stage of `tw2sp`: `t2s` of the first stage's text. Every `t2s` entry is Han
/// characters only (`dict/build.py` checks this), so `t2s` converts each run of Han characters
/// on its own: a run without a rewritten character is converted as in `primary` already, and
/// only runs with one are converted again.
fn taiwan_t2s(primary: &Mapped, stage: TaiwanStage) -> TaiwanFold {
    let TaiwanStage {
        mapped,
        rewritten,
        origin,
    } = stage;
    let primary_chars: Vec<char> = primary.text.chars().collect();
    let chars: Vec<(usize, char)> = mapped.text.char_indices().collect();
    let byte = |k: usize| chars.get(k).map_or(mapped.text.len(), |&(b, _)| b);
    let mut text = String::with_capacity(mapped.text.len());
    let mut spans = Vec::with_capacity(mapped.spans.len());
    let mut k = 0;
    while k < chars.len() {
        let mut end = k + 1;
        if is_han(chars[k].1) {
            while end < chars.len() && is_han(chars[end].1) {
                end += 1;
            }
        }
        if rewritten[k..end].contains(&true) {
            let run = Mapped {
                text: mapped.text[byte(k)..byte(end)].to_string(),
                spans: mapped.spans[k..end].to_vec(),
            };
            let converted = t2s_mapped(&run);
            text.push_str(&converted.text);
            spans.extend(converted.spans);
        } else {
            text.extend(origin[k..end].iter().map(|&i| primary_chars[i]));
            spans.extend_from_slice(&mapped.spans[k..end]);
        }
        k = end;
    }
    // A rewritten run converts character for character, so the flags still line up.
    let rewritten = if spans.len() == rewritten.len() {
        rewritten
    } else {
        vec![true; spans.len()]
    };
    TaiwanFold {
        mapped: Mapped { text, spans },
        rewritten,
    }
}

struct PhraseTable {
    map: HashMap<&'static str, &'static str>,
    /// For each character that starts a key, the longest such key in characters.
    longest: HashMap<char, usize>,
}

impl PhraseTable {
    /// A generated table: `from TAB to` per line, `#` comments.
    fn parse(table: &'static str, name: &str) -> PhraseTable {
        let mut map = HashMap::new();
        let mut longest = HashMap::new();
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (from, to) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{name} has two columns"));
            map.insert(from, to);
            if let Some(first) = from.chars().next() {
                let length = longest.entry(first).or_insert(0);
                *length = from.chars().count().max(*length);
            }
        }
        PhraseTable { map, longest }
    }

    /// The longest key at the start of `chars` (a text's characters with their byte offsets,
    /// `text` the text, `k` where to look), as (length in characters, replacement).
    fn longest_at(
        &self,
        text: &str,
        chars: &[(usize, char)],
        k: usize,
    ) -> Option<(usize, &'static str)> {
        let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
        let &longest = self.longest.get(&chars[k].1)?;
        (1..=longest.min(chars.len() - k)).rev().find_map(|len| {
            self.map
                .get(&text[byte(k)..byte(k + len)])
                .map(|to| (len, *to))
        })
    }
}

static TW_PHRASES: LazyLock<PhraseTable> = LazyLock::new(|| {
    PhraseTable::parse(
        include_str!("../dict/tw_phrases.txt"),
        "dict/tw_phrases.txt",
    )
});

/// OpenCC's `t2s` of a run of Han characters, by [`T2S_TABLE`]: the longest key at each place,
/// left to right, as ferrous-opencc's `t2s` (its group of TSPhrases and TSCharacters) does.
fn t2s_run(run: &str) -> String {
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    let mut out = String::with_capacity(run.len());
    let mut k = 0;
    while k < chars.len() {
        match T2S_TABLE.longest_at(run, &chars, k) {
            Some((len, to)) => {
                out.push_str(to);
                k += len;
            }
            None => {
                out.push(chars[k].1);
                k += 1;
            }
        }
    }
    out
}

/// OpenCC's `t2s` of a mapped text, the same as `convert_mapped(&T2S, source)`, converting only
/// the runs of Han characters that hold a trigger character, by [`t2s_run`]. Every `t2s` entry is Han
/// characters only (`dict/build.py` checks this), so no match spans two runs and each run
/// converts on its own; a run without a trigger character converts to itself. A simplified
/// page with one traditional-looking character (覆 is a trigger) thus converts that clause, not
/// the page: converting whole pages was a fifth of the index stage of `qiao bench import-docs`.
fn t2s_runs(source: &Mapped) -> Mapped {
    let text = &source.text;
    let mut out = String::with_capacity(text.len());
    // `text` before byte `copied` is in `out` already.
    let mut copied = 0;
    let mut chars = text.char_indices().enumerate().peekable();
    while let Some((k, (b, c))) = chars.next() {
        if !is_han(c) {
            continue;
        }
        // The run of Han characters starting at character `k`, byte `b`.
        let mut triggered = T2S_TRIGGER.contains(c);
        let (mut end, mut end_chars) = (b + c.len_utf8(), k + 1);
        while let Some(&(j, (e, d))) = chars.peek() {
            if !is_han(d) {
                break;
            }
            triggered = triggered || T2S_TRIGGER.contains(d);
            end = e + d.len_utf8();
            end_chars = j + 1;
            chars.next();
        }
        if !triggered {
            continue;
        }
        let converted = t2s_run(&text[b..end]);
        if converted.chars().count() != end_chars - k {
            // No t2s entry changes a length (`dict/build.py` checks); should one ever, the
            // whole text is converted and aligned.
            return convert_mapped(&T2S, source);
        }
        out.push_str(&text[copied..b]);
        out.push_str(&converted);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Mapped {
        text: out,
        spans: source.spans.clone(),
    }
}

/// [`t2s_run`] of a mapped run of Han characters, mapped back to the same original.
fn t2s_mapped(run: &Mapped) -> Mapped {
    let text = t2s_run(&run.text);
    if text.chars().count() == run.spans.len() {
        Mapped {
            text,
            spans: run.spans.clone(),
        }
    } else {
        remap(run, text)
    }
}

/// `converter` applied to a mapped text, mapped back to the same original.
fn convert_mapped(converter: &OpenCC, source: &Mapped) -> Mapped {
    let text = converter.convert(&source.text);
    if text.chars().count() == source.spans.len() {
        // Same length in characters: t2s maps character to character.
        Mapped {
            text,
            spans: source.spans.clone(),
        }
    } else {
        remap(source, text)
    }
}

/// Map `text`, a rewriting of `source.text`, back to `source`'s original through [`align`].
fn remap(source: &Mapped, text: String) -> Mapped {
    let from: Vec<char> = source.text.chars().collect();
    let to: Vec<char> = text.chars().collect();
    let spans = align(&from, &to)
        .into_iter()
        .map(|r| {
            match (
                source.spans.get(r.start),
                r.end.checked_sub(1).and_then(|e| source.spans.get(e)),
            ) {
                (Some(first), Some(last)) => Span {
                    start: first.start,
                    end: last.end,
                },
                // Only when `source` is empty, which its rewritings never are.
                _ => source
                    .spans
                    .last()
                    .map_or(Span { start: 0, end: 0 }, |s| Span {
                        start: s.end,
                        end: s.end,
                    }),
            }
        })
        .collect();
    Mapped { text, spans }
}

/// How far ahead (in characters, on each side) [`align`] looks for the two texts to agree again.
/// OpenCC's longest phrase is well under this.
const WINDOW: usize = 24;

/// For each character of `b`, the characters of `a` it stands for, where `b` is `a` with some
/// stretches rewritten (the rest identical). Equal characters map one to one; a rewritten
/// stretch of the same length maps character by character; one of another length maps as a
/// whole onto the stretch it replaced. The ranges never move backwards, and are non-empty
/// whenever `a` is.
///
/// Greedy: at a difference, take the nearest pair of positions (fewest characters skipped on
/// both sides) from which two characters, or the ends, agree again.
pub(crate) fn align(a: &[char], b: &[char]) -> Vec<Range<usize>> {
    // The neighbour an inserted character attaches to.
    let anchor = |i: usize| {
        if i < a.len() {
            i..i + 1
        } else {
            i.saturating_sub(1)..i
        }
    };
    let mut out = Vec::with_capacity(b.len());
    let (mut i, mut j) = (0, 0);
    while j < b.len() {
        if i < a.len() && a[i] == b[j] {
            out.push(i..i + 1);
            i += 1;
            j += 1;
            continue;
        }
        match resync(a, b, i, j) {
            Some((di, dj)) => {
                if di == dj {
                    out.extend((i..i + di).map(|k| k..k + 1));
                } else if di == 0 {
                    out.extend(std::iter::repeat_n(anchor(i), dj));
                } else {
                    out.extend(std::iter::repeat_n(i..i + di, dj));
                }
                i += di;
                j += dj;
            }
            None => {
                let rest = if i < a.len() { i..a.len() } else { anchor(i) };
                out.extend(std::iter::repeat_n(rest, b.len() - j));
                j = b.len();
            }
        }
    }
    out
}

fn resync(a: &[char], b: &[char], i: usize, j: usize) -> Option<(usize, usize)> {
    let agree = |x: usize, y: usize| {
        let (ra, rb) = (a.len() - x, b.len() - y);
        if ra == 0 || rb == 0 {
            return ra == rb;
        }
        a[x] == b[y] && ((ra == 1 && rb == 1) || (ra >= 2 && rb >= 2 && a[x + 1] == b[y + 1]))
    };
    for d in 1..=2 * WINDOW {
        for di in d.saturating_sub(WINDOW)..=d.min(WINDOW) {
            let dj = d - di;
            if i + di <= a.len() && j + dj <= b.len() && agree(i + di, j + dj) {
                return Some((di, dj));
            }
        }
    }
    None
}

/// `text` in the form the index and queries use: NFKC, lower case, traditional folded to
/// simplified character by character and phrase by phrase (`t2s`; no Taiwan vocabulary).
pub fn fold(text: &str) -> String {
    fold_mapped(text, Taiwan::Never).primary.text
}

/// `text` in simplified script for a model that reads a text whole (the embedding model, whose
/// vectors for a traditional text and its simplified twin are not the same): a text with
/// traditional characters in earnest ([`Script::Hant`], [`Script::Mixed`]) comes back with its
/// Han characters folded with Taiwan phrasing (`tw2sp`: 軟體 → 软件) and everything else as
/// written (case, full-width punctuation); any other text comes back as written, so simplified
/// texts, and the vectors already computed from them, do not change.
pub fn simplified_for_model(text: &str) -> std::borrow::Cow<'_, str> {
    let folded = fold_mapped(text, Taiwan::IfTraditional);
    if !matches!(folded.script, Script::Hant | Script::Mixed) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mapped = folded.taiwan.map_or(folded.primary, |t| t.mapped);
    std::borrow::Cow::Owned(han_folded_rest_as_written(text, &mapped))
}

/// `mapped` (a fold of `text`) with only its Han characters kept: every stretch of characters
/// that come from the same span of `text` is taken from the fold if one of them is Han, and
/// from `text` as written otherwise. The model is cased and reads full-width punctuation as its
/// own tokens; lower-casing TiO2 or turning ， into , changes what it reads for no gain.
fn han_folded_rest_as_written(text: &str, mapped: &Mapped) -> String {
    let chars: Vec<char> = mapped.text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut k = 0;
    while k < chars.len() {
        let span = mapped.spans[k];
        let mut end = k + 1;
        while end < chars.len() && mapped.spans[end] == span {
            end += 1;
        }
        if chars[k..end].iter().any(|&c| is_han(c)) {
            out.extend(&chars[k..end]);
        } else {
            out.push_str(&text[span.start as usize..span.end as usize]);
        }
        k = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Our `tw2sp` of a normalised text, whole.
    fn taiwan_text(n: &Mapped) -> String {
        taiwan_t2s(&convert_mapped(&T2S, n), taiwan_phrases(n))
            .mapped
            .text
    }

    #[test]
    fn the_model_reads_traditional_texts_folded_and_simplified_ones_as_written() {
        assert_eq!(
            simplified_for_model("人工智慧與資料庫軟體在網際網路上的應用"),
            "人工智能与数据库软件在互联网上的应用"
        );
        // Only Han characters are folded: Latin case, full-width punctuation and digits stay.
        assert_eq!(
            simplified_for_model("以TiO₂奈米顆粒製備ＬＥＤ電極，效率達到９５％。"),
            "以TiO₂纳米颗粒制备ＬＥＤ电极，效率达到９５％。"
        );
        let simplified = "基于ABC的电池热管理 系统";
        assert!(matches!(
            simplified_for_model(simplified),
            std::borrow::Cow::Borrowed(s) if s == simplified
        ));
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn aligned(a: &str, b: &str) -> Vec<(char, String)> {
        let a = chars(a);
        align(&a, &chars(b))
            .into_iter()
            .zip(b.chars())
            .map(|(r, c)| (c, a[r].iter().collect()))
            .collect()
    }

    #[test]
    fn identical_texts_map_one_to_one() {
        let out = align(&chars("电池散热"), &chars("电池散热"));
        assert_eq!(out, vec![0..1, 1..2, 2..3, 3..4]);
    }

    #[test]
    fn a_shorter_phrase_maps_onto_the_whole_phrase_it_replaced() {
        let out = aligned("在网际网路的发展", "在互联网的发展");
        let origin: Vec<&str> = out.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            origin,
            ["在", "网际网路", "网际网路", "网际网路", "的", "发", "展"]
        );
    }

    #[test]
    fn a_same_length_phrase_maps_character_by_character() {
        let out = aligned("资料库软体", "数据库软件");
        let origin: Vec<&str> = out.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(origin, ["资", "料", "库", "软", "体"]);
    }

    #[test]
    fn rewrites_at_the_ends_and_longer_replacements() {
        let out = aligned("位元组", "字节");
        assert!(out.iter().all(|(_, s)| s == "位元组"));
        let out = aligned("ab", "abxyz");
        let origin: Vec<&str> = out.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(origin, ["a", "b", "b", "b", "b"]);
        let out = aligned("abcdef", "xyz");
        assert!(out.iter().all(|(_, s)| s == "abcdef"));
    }

    #[test]
    fn fold_is_t2s_of_nfkc_lower_case() {
        assert_eq!(fold("人工智慧與資料庫ＡＢＣ"), "人工智慧与资料库abc");
        assert_eq!(fold("智慧城市"), "智慧城市");
    }

    #[test]
    fn taiwan_variant_only_for_traditional_text() {
        let f = fold_mapped("人工智慧與資料庫軟體在網際網路上", Taiwan::IfTraditional);
        assert_eq!(f.script, Script::Hant);
        assert_eq!(f.primary.text, "人工智慧与资料库软体在网际网路上");
        assert_eq!(
            f.taiwan.as_ref().unwrap().mapped.text,
            "人工智能与数据库软件在互联网上"
        );
        let f = fold_mapped("智慧城市的发展", Taiwan::IfTraditional);
        assert_eq!(f.script, Script::Hans);
        assert!(f.taiwan.is_none());
    }

    #[test]
    fn taiwan_phrases_map_onto_what_they_replaced() {
        let original = "軟體在網際網路上";
        let f = fold_mapped(original, Taiwan::IfTraditional);
        let tw = f.taiwan.unwrap().mapped;
        assert_eq!(tw.text, "软件在互联网上");
        let origin: Vec<&str> = tw
            .spans
            .iter()
            .map(|s| &original[s.start as usize..s.end as usize])
            .collect();
        assert_eq!(
            origin,
            ["軟", "體", "在", "網際網路", "網際網路", "網際網路", "上"]
        );
    }

    #[test]
    fn taiwan_fold_equals_opencc_tw2sp() {
        let tw2sp = OpenCC::from_config(BuiltinConfig::Tw2sp).unwrap();
        for text in [
            "人工智慧與資料庫軟體在網際網路上的應用",
            "使用者名稱、位元組與記憶體；伺服器的分散式檔案系統",
            "智慧型手機的乳酪與冰棒，一口吃成胖子",
            "克羅埃西亞、千里達及托巴哥與厄瓜多",
        ] {
            let n = normalize(text);
            assert_eq!(taiwan_text(&n), tw2sp.convert(&n.text), "{text}");
        }
    }

    /// Texts woven from Taiwan phrase table keys, their pieces and other characters.
    fn taiwan_material() -> impl Strategy<Value = String> {
        let keys: Vec<&'static str> = TW_PHRASES.map.keys().copied().collect();
        let piece = prop_oneof![
            3 => proptest::sample::select(keys.clone()).prop_map(str::to_string),
            2 => proptest::sample::select(keys).prop_map(|k| k.chars().skip(1).collect::<String>()),
            2 => proptest::sample::select("的在與与網网軟体體，a1 ".chars().collect::<Vec<_>>()).prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn taiwan_fold_equals_opencc_tw2sp_on_any_mix(text in taiwan_material()) {
            static TW2SP: LazyLock<OpenCC> = LazyLock::new(|| OpenCC::from_config(BuiltinConfig::Tw2sp).unwrap());
            let n = normalize(&text);
            prop_assert_eq!(taiwan_text(&n), TW2SP.convert(&n.text));
            let ours = taiwan_t2s(&convert_mapped(&T2S, &n), taiwan_phrases(&n)).mapped;
            prop_assert_eq!(ours.spans.len(), ours.text.chars().count());
            for w in ours.spans.windows(2) {
                prop_assert!(w[0].start <= w[1].start && w[0].end <= w[1].end);
            }
        }

        #[test]
        fn alignment_ranges_are_valid_and_monotone(
            a in proptest::collection::vec(proptest::sample::select(vec!['a', 'b', 'c', '网', '路']), 0..30),
            edits in proptest::collection::vec((0usize..30, 0usize..4, proptest::collection::vec(proptest::sample::select(vec!['x', 'y', 'a', '网']), 0..5)), 0..4),
        ) {
            let mut b = a.clone();
            for (at, remove, insert) in edits {
                let at = at.min(b.len());
                let remove = remove.min(b.len() - at);
                b.splice(at..at + remove, insert);
            }
            let out = align(&a, &b);
            prop_assert_eq!(out.len(), b.len());
            for r in &out {
                prop_assert!(r.end <= a.len());
                prop_assert!(a.is_empty() || r.start < r.end, "{:?}", r);
            }
            for w in out.windows(2) {
                prop_assert!(w[0].start <= w[1].start && w[0].end <= w[1].end, "{:?}", w);
            }
        }
    }

    #[test]
    fn t2s_table_converts_as_ferrous_opencc() {
        // Every key of the table alone, after a character it may follow, and all of them in a
        // row: the greedy longest match of both must agree everywhere.
        let mut keys: Vec<&str> = T2S_TABLE.map.keys().copied().collect();
        keys.sort_unstable();
        for key in &keys {
            assert_eq!(t2s_run(key), T2S.convert(key), "{key}");
            let joined = format!("國{key}學");
            assert_eq!(t2s_run(&joined), T2S.convert(&joined), "{joined}");
        }
        let all = keys.concat();
        assert_eq!(t2s_run(&all), T2S.convert(&all));
        let chars: String = ('\u{3400}'..='\u{9FFF}').collect();
        assert_eq!(t2s_run(&chars), T2S.convert(&chars));
    }

    #[test]
    fn t2s_by_runs_equals_t2s_of_the_whole_text() {
        for text in [
            "",
            "覆盖全区的科技服务体系",
            "关于印发《闵行区2023年科技工作要点》的通知，覆盖率达到90%。",
            "乾隆年間，著名學者於此著書；乾燥的天氣。abc 123 覆核",
            "區科委召開座談會，部署2023年度重點工作：技術合同成交額達230億元",
            include_str!("../../qiao-docs/tests/fixtures/002_fa69439dd6a4a0b4.txt"),
            include_str!("../../qiao-docs/tests/fixtures/000_03cb8c32e2444fbc.txt"),
        ] {
            let n = normalize(text);
            let ours = t2s_runs(&n);
            assert_eq!(ours.text, T2S.convert(&n.text), "{text}");
            assert_eq!(ours.spans, convert_mapped(&T2S, &n).spans, "{text}");
        }
    }

    proptest! {
        #[test]
        fn t2s_by_runs_equals_t2s_of_any_mix(
            pieces in proptest::collection::vec(proptest::sample::select(
                vec!["乾", "隆", "燥", "覆", "蓋", "核", "著", "名", "作", "於", "是", "的", "與",
                     "与", "網", "网", "軟", "體", "髮", "發", "后", "後", "，", "。", " ", "a", "1",
                     "〇", "㐀", "\u{20000}", "ｆ", "Ⅻ"]), 0..40),
        ) {
            let text = pieces.concat();
            let n = normalize(&text);
            let ours = t2s_runs(&n);
            prop_assert_eq!(&ours.text, &T2S.convert(&n.text));
            prop_assert_eq!(ours.spans, convert_mapped(&T2S, &n).spans);
        }
    }

    #[test]
    fn t2s_trigger_list_is_complete() {
        // Every character outside the trigger list, alone or next to any other, converts to
        // itself: so skipping t2s for texts without trigger characters changes nothing.
        let plain: String = ('\u{3400}'..='\u{9FFF}')
            .filter(|&c| !T2S_TRIGGER.contains(c))
            .collect();
        assert_eq!(T2S.convert(&plain), plain);
        let triggers = ('\u{3400}'..='\u{9FFF}')
            .filter(|&c| T2S_TRIGGER.contains(c))
            .count();
        assert!(triggers > 2500, "{triggers} trigger characters");
    }
}
