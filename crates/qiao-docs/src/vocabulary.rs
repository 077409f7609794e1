//! The cleaner's word lists, kept as data (`vocabulary.txt`, with its source and licence in
//! its header) rather than in code, and how a line is measured against them.
//!
//! Spam does not come in one shape: the same keywords arrive separated by `|`, commas, `、`,
//! spaces, one per line, or glued together. So a line is not judged by its separators but by
//! how much of its text the vocabulary covers: the share of its letters (Han, Latin, digits)
//! inside a matched term. Marking terms (赌场, 无码) count on their own; context terms (澳门,
//! 在线观看) only add to the share. All terms of a list are one regex alternation, longest
//! first, so a line is read once per list whatever the list's size.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

/// The raw data file.
const DATA: &str = include_str!("vocabulary.txt");

/// What a line holds of one spam family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hits {
    /// Marking terms found.
    pub marking: usize,
    /// Letters inside a matched term (marking or context).
    pub covered: usize,
}

/// Which family a term belongs to, and whether it marks a line on its own.
#[derive(Clone, Copy)]
struct Term {
    gambling: bool,
    marking: bool,
}

/// The parsed lists.
pub(crate) struct Vocabulary {
    /// Every spam term of both families in one automaton, leftmost-longest: a line is read
    /// once, in one pass whatever the number of terms.
    spam: AhoCorasick,
    /// The automaton's patterns, by pattern id.
    terms: Vec<Term>,
    advert: Regex,
    sections: HashSet<&'static str>,
}

/// Letters of a text: Han characters, Latin letters and digits (what a reader reads; spaces,
/// separators and punctuation are not). Runs over every line several times: ASCII and the
/// common Han block are answered without Unicode's tables.
pub(crate) fn letters(s: &str) -> usize {
    s.chars()
        .filter(|&c| {
            if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_alphanumeric()
            }
        })
        .count()
}

/// The terms of one `[name]` section of the data file.
fn section(name: &str) -> Vec<&'static str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in DATA.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header == name;
            continue;
        }
        if inside {
            out.push(line);
        }
    }
    assert!(!out.is_empty(), "vocabulary.txt has no [{name}] section");
    out
}

pub(crate) static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut terms: HashMap<&'static str, Term> = HashMap::new();
    // Context terms first: a term listed as marking in a family keeps that.
    for (name, gambling, marking) in [
        ("gambling_context", true, false),
        ("adult_context", false, false),
        ("gambling", true, true),
        ("adult", false, true),
    ] {
        for t in section(name) {
            terms.insert(t, Term { gambling, marking });
        }
    }
    let mut all: Vec<(&str, Term)> = terms.into_iter().collect();
    all.sort_by_key(|(t, _)| *t);
    let spam = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(all.iter().map(|(t, _)| t))
        .expect("a few hundred short terms");
    let alternation = |list: &[&str]| {
        Regex::new(
            &list
                .iter()
                .map(|t| regex::escape(t))
                .collect::<Vec<_>>()
                .join("|"),
        )
        .expect("escaped literals")
    };
    Vocabulary {
        spam,
        terms: all.into_iter().map(|(_, term)| term).collect(),
        advert: alternation(&section("advert")),
        sections: section("sections").into_iter().collect(),
    }
});

impl Vocabulary {
    /// Gambling and adult terms of a folded line, in one pass.
    pub fn spam(&self, folded: &str) -> (Hits, Hits) {
        let (mut g, mut a) = (Hits::default(), Hits::default());
        for m in self.spam.find_iter(folded) {
            let term = self.terms[m.pattern().as_usize()];
            let h = if term.gambling { &mut g } else { &mut a };
            h.marking += usize::from(term.marking);
            h.covered += letters(&folded[m.range()]);
        }
        (g, a)
    }

    /// Whether a folded line holds an advertisement's word.
    pub fn advert(&self, folded: &str) -> bool {
        self.advert.is_match(folded)
    }

    /// Whether `item` (a piece of a line between separators) is the name of a site section or
    /// list (最新信息, 相关文章, 更多).
    pub fn is_section(&self, item: &str) -> bool {
        self.sections.contains(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_parses_and_terms_are_folded() {
        let v = &*VOCABULARY;
        for name in [
            "gambling",
            "gambling_context",
            "adult",
            "adult_context",
            "advert",
            "sections",
        ] {
            for term in section(name) {
                // Terms are matched on folded lines: a term that folding would change could
                // never match.
                let folded: String = term.chars().map(crate::fold::fold_char).collect();
                assert_eq!(folded, term, "[{name}] {term} is not in folded form");
            }
        }
        assert!(v.is_section("最新信息"));
        assert!(!v.is_section("重点任务"));
    }

    #[test]
    fn coverage_ignores_separators() {
        let v = &*VOCABULARY;
        for line in [
            "国产精品,亚洲无码,日韩欧美",
            "国产精品|亚洲无码|日韩欧美",
            "国产精品 亚洲无码 日韩欧美",
            "国产精品亚洲无码日韩欧美",
        ] {
            let h = v.spam(line).1;
            assert_eq!((h.marking, h.covered), (2, 12), "{line}");
        }
        let h = v.spam("严厉打击跨境赌博违法犯罪活动").0;
        assert_eq!((h.marking, h.covered), (1, 2));
    }
}
