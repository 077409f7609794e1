//! The cleaner's word lists, kept as data (`vocabulary.txt`, with its source and licence in
//! its header) rather than in code, and how a line is measured against them.
//!
//! Spam does not come in one shape: the same keywords arrive separated by `|`, commas, `、`,
//! spaces, one per line, or glued together. So a line is not judged by its separators but by
//! how much of its text the vocabulary covers: the share of its letters (Han, Latin, digits)
//! inside a matched term. Marking terms (赌场, 无码) count on their own; context terms (澳门,
//! 在线观看) only add to the share. All terms of a list are one regex alternation, longest
//! first, so a line is read once per list whatever the list's size.

use std::collections::HashSet;
use std::sync::LazyLock;

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

/// One family's terms: all of them as one alternation, and the marking ones apart.
struct Family {
    any: Regex,
    marking: HashSet<&'static str>,
}

impl Family {
    fn new(marking: &[&'static str], context: &[&'static str]) -> Family {
        let mut all: Vec<&str> = marking.iter().chain(context).copied().collect();
        // Longest first: the alternation takes the first branch that matches at a position.
        all.sort_by_key(|t| std::cmp::Reverse(t.len()));
        all.dedup();
        let pattern = all
            .iter()
            .map(|t| regex::escape(t))
            .collect::<Vec<_>>()
            .join("|");
        Family {
            any: Regex::new(&pattern).expect("escaped literals"),
            marking: marking.iter().copied().collect(),
        }
    }

    fn hits(&self, folded: &str) -> Hits {
        self.any
            .find_iter(folded)
            .fold(Hits::default(), |h, m| Hits {
                marking: h.marking + usize::from(self.marking.contains(m.as_str())),
                covered: h.covered + letters(m.as_str()),
            })
    }
}

/// The parsed lists.
pub(crate) struct Vocabulary {
    gambling: Family,
    adult: Family,
    advert: Regex,
    sections: HashSet<&'static str>,
}

/// Letters of a text: Han characters, Latin letters and digits (what a reader reads; spaces,
/// separators and punctuation are not).
pub(crate) fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
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
    let advert = section("advert");
    Vocabulary {
        gambling: Family::new(&section("gambling"), &section("gambling_context")),
        adult: Family::new(&section("adult"), &section("adult_context")),
        advert: Regex::new(
            &advert
                .iter()
                .map(|t| regex::escape(t))
                .collect::<Vec<_>>()
                .join("|"),
        )
        .expect("escaped literals"),
        sections: section("sections").into_iter().collect(),
    }
});

impl Vocabulary {
    /// Gambling terms of a folded line.
    pub fn gambling(&self, folded: &str) -> Hits {
        self.gambling.hits(folded)
    }

    /// Adult terms of a folded line.
    pub fn adult(&self, folded: &str) -> Hits {
        self.adult.hits(folded)
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
            let h = v.adult(line);
            assert_eq!((h.marking, h.covered), (2, 12), "{line}");
        }
        let h = v.gambling("严厉打击跨境赌博违法犯罪活动");
        assert_eq!((h.marking, h.covered), (1, 2));
    }
}
