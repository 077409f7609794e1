//! The jieba segmenter and its dictionaries.
//!
//! jieba's own dictionary dates from 2013: it splits 石墨烯, 区块链, 碳中和, 大模型, 专精特新.
//! `dict/domain.txt` (built by `dict/build.py`, see `dict/README.md`) adds modern technical and
//! policy terms on top of it. Loading takes about 100 ms in a release build (jieba decompresses
//! and indexes 350k words; the domain terms add a few milliseconds), so one instance is built on
//! first use and shared by every analyzer.

use std::sync::{Arc, LazyLock};

use jieba_rs::Jieba;

/// The domain dictionary shipped with the crate, in jieba's `word freq tag` format.
pub const DOMAIN_DICTIONARY: &str = include_str!("../dict/domain.txt");

static DEFAULT: LazyLock<Arc<Jieba>> = LazyLock::new(|| Arc::new(build(&[DOMAIN_DICTIONARY])));

/// The shared segmenter: jieba's dictionary plus the domain dictionary.
pub(crate) fn default_segmenter() -> Arc<Jieba> {
    Arc::clone(&DEFAULT)
}

/// A segmenter with jieba's dictionary plus `extra` dictionaries (`word freq tag` lines; `#`
/// starts a comment line), later ones overriding earlier ones' frequencies.
pub(crate) fn build(extra: &[&str]) -> Jieba {
    let mut jieba = Jieba::new();
    for dictionary in extra {
        let lines: String = dictionary
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(|l| [l, "\n"])
            .collect();
        jieba
            .load_dict(&mut lines.as_bytes())
            .expect("a dictionary line has a word, a whole-number frequency and a tag");
    }
    jieba
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_terms_are_words() {
        let jieba = default_segmenter();
        for term in [
            "石墨烯",
            "区块链",
            "碳中和",
            "大模型",
            "专精特新",
            "揭榜挂帅",
            "热管理",
        ] {
            let words: Vec<&str> = jieba.cut(term, false).into_iter().map(|t| t.word).collect();
            assert_eq!(words, [term]);
        }
    }

    #[test]
    fn domain_dictionary_is_well_formed() {
        let mut terms = 0;
        for line in DOMAIN_DICTIONARY.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 3, "{line}");
            assert!(fields[1].parse::<u32>().is_ok(), "{line}");
            assert!(
                crate::fold(fields[0]) == fields[0],
                "{line} is not in folded form"
            );
            terms += 1;
        }
        assert!((300..=30_000).contains(&terms), "{terms} terms");
    }
}
