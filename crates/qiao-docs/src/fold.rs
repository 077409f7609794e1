//! Character-by-character folding, so that a match found in the folded text maps straight
//! back to the original.
//!
//! Rules and figure patterns are written once, in simplified script with ASCII digits and
//! punctuation, and run on the folded text; what is reported (raw figures, sentences, removed
//! lines) is cut from the original. `qiao_text::fold` folds whole phrases and may change the
//! length of a text; here every character is folded on its own (NFKC, lower case, OpenCC
//! `t2s` through `qiao_text::fold`) and kept only when it folds to exactly one character, so
//! the folded text has exactly as many characters as the original. Phrase-level conversions do
//! not matter for the patterns here (numbers, units, boilerplate words).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

thread_local! {
    /// Folds of the Basic Multilingual Plane, filled as characters are met (`\0`: not yet).
    /// A table rather than a hash map: folding runs over every character of every document
    /// several times, and a lookup here is an index.
    static BMP: RefCell<Vec<char>> = RefCell::new(vec!['\0'; 0x10000]);
    /// Folds of the characters beyond it (rare).
    static ASTRAL: RefCell<HashMap<char, char>> = RefCell::new(HashMap::new());
}

/// `c` folded by `qiao_text::fold`, or `c` when the fold is not one character.
fn fold_slow(c: char) -> char {
    let mut buf = [0u8; 4];
    let folded = qiao_text::fold(c.encode_utf8(&mut buf));
    let mut chars = folded.chars();
    match (chars.next(), chars.next()) {
        (Some(f), None) => f,
        _ => c,
    }
}

/// `c` folded: NFKC, lower case, traditional to simplified; `c` itself when the fold is not one
/// character (`㎡` → `m2`).
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let code = c as usize;
    if code < 0x10000 {
        return BMP.with(|table| {
            let known = table.borrow()[code];
            if known != '\0' {
                return known;
            }
            let f = fold_slow(c);
            table.borrow_mut()[code] = f;
            f
        });
    }
    ASTRAL.with(|cache| {
        if let Some(&f) = cache.borrow().get(&c) {
            return f;
        }
        let f = fold_slow(c);
        cache.borrow_mut().insert(c, f);
        f
    })
}

/// A text and its character-by-character fold.
pub(crate) struct Folded<'a> {
    /// The original.
    pub original: &'a str,
    /// The fold: as many characters as the original.
    pub text: String,
    /// Byte offset of every character of the fold, then its length.
    folded_starts: Vec<usize>,
    /// Byte offset of every character of the original, then its length.
    original_starts: Vec<usize>,
}

impl<'a> Folded<'a> {
    pub fn new(original: &'a str) -> Folded<'a> {
        let mut text = String::with_capacity(original.len());
        let mut folded_starts = Vec::with_capacity(original.len() / 2);
        let mut original_starts = Vec::with_capacity(original.len() / 2);
        for (i, c) in original.char_indices() {
            original_starts.push(i);
            folded_starts.push(text.len());
            text.push(fold_char(c));
        }
        original_starts.push(original.len());
        folded_starts.push(text.len());
        Folded {
            original,
            text,
            folded_starts,
            original_starts,
        }
    }

    /// The byte range in the original of a byte range of the fold (ends on char boundaries).
    pub fn original_range(&self, folded: Range<usize>) -> Range<usize> {
        let map = |b: usize| {
            let i = self
                .folded_starts
                .partition_point(|&s| s < b)
                .min(self.original_starts.len() - 1);
            self.original_starts[i]
        };
        map(folded.start)..map(folded.end)
    }

    /// The original text of a byte range of the fold.
    pub fn original(&self, folded: Range<usize>) -> &'a str {
        let r = self.original_range(folded);
        &self.original[r]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_keeps_length_and_maps_back() {
        let f = Folded::new("技術合同成交額達２３０億元");
        assert_eq!(f.text, "技术合同成交额达230亿元");
        let at = f.text.find("230亿元").unwrap();
        assert_eq!(f.original(at..f.text.len()), "２３０億元");
    }
}
