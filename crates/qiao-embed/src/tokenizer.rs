//! The XLM-R unigram tokenizer, from the pieces, scores and normalisation table in the model
//! container (so tokenizer and weights can never disagree).
//!
//! A text is normalised codepoint by codepoint through the table, runs of spaces are collapsed
//! (leading ones dropped, trailing ones kept as one), `▁` is put before the text and in place
//! of every space, and the split into
//! pieces is the one with the highest total score (Viterbi over byte positions). A character no
//! piece starts with is its own `<unk>`, costing the lowest piece score minus 10, so it is only
//! chosen when nothing else covers it.

use std::collections::HashMap;

use crate::container::Container;

/// The word-boundary mark of SentencePiece (U+2581).
const SPACE_MARK: char = '\u{2581}';

/// A unigram tokenizer.
#[derive(Debug)]
pub struct Tokenizer {
    /// Ordinary pieces by text (the special pieces `<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`
    /// are never matched in text).
    vocab: HashMap<String, (u32, f32)>,
    normalisation: HashMap<char, Vec<char>>,
    /// Longest piece in bytes: the Viterbi only looks this far back.
    max_piece_bytes: usize,
    unk_score: f32,
    /// Id of `<s>`.
    pub bos: u32,
    /// Id of `</s>`.
    pub eos: u32,
    /// Id of `<unk>`.
    pub unk: u32,
}

impl Tokenizer {
    /// Builds the tokenizer from a parsed container.
    pub fn new(c: &Container) -> Tokenizer {
        let h = &c.header;
        let special = [h.bos, h.eos, h.pad, h.unk];
        let mut vocab = HashMap::with_capacity(c.pieces.len());
        let mut min_score = f32::INFINITY;
        let mut max_piece_bytes = 1;
        for (id, (piece, &score)) in c.pieces.iter().zip(&c.scores).enumerate() {
            let id = id as u32;
            // `<mask>` (the last piece) is a control token added after training.
            if special.contains(&id) || piece.is_empty() || piece == "<mask>" {
                continue;
            }
            min_score = min_score.min(score);
            max_piece_bytes = max_piece_bytes.max(piece.len());
            // Should a piece appear twice, the first id wins, as in a vocabulary lookup.
            vocab.entry(piece.clone()).or_insert((id, score));
        }
        Tokenizer {
            vocab,
            normalisation: c.normalisation.clone(),
            max_piece_bytes,
            unk_score: min_score - 10.0,
            bos: h.bos,
            eos: h.eos,
            unk: h.unk,
        }
    }

    /// The normalised text the pieces are cut from: mapped, spaces collapsed, leading ones dropped,
    /// `▁` in front and in place of each space. Empty when the text has nothing left.
    pub fn normalise(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 3);
        let mut pending_space = false;
        let mut push = |c: char, out: &mut String| {
            if c == ' ' {
                pending_space = true;
            } else {
                if pending_space || out.is_empty() {
                    out.push(SPACE_MARK);
                    pending_space = false;
                }
                out.push(c);
            }
        };
        for c in text.chars() {
            match self.normalisation.get(&c) {
                Some(mapped) => mapped.iter().for_each(|&m| push(m, &mut out)),
                None => push(c, &mut out),
            }
        }
        // Trailing spaces are kept as one `▁` piece: the reference tokenizers do so.
        if pending_space && !out.is_empty() {
            out.push(SPACE_MARK);
        }
        out
    }

    /// Piece ids of `text`, without `<s>` / `</s>`.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let norm = self.normalise(text);
        let n = norm.len();
        if n == 0 {
            return Vec::new();
        }
        // best[i]: highest score of a split of norm[..i]; back[i]: (start, id) of its last piece.
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut back = vec![(0usize, 0u32); n + 1];
        best[0] = 0.0;
        let starts: Vec<usize> = norm.char_indices().map(|(i, _)| i).collect();
        for (k, &start) in starts.iter().enumerate() {
            if best[start] == f32::NEG_INFINITY {
                continue;
            }
            let char_end = starts.get(k + 1).copied().unwrap_or(n);
            let mut covered_char = false;
            let limit = (start + self.max_piece_bytes).min(n);
            for &end in starts[k + 1..]
                .iter()
                .take_while(|&&e| e <= limit)
                .chain((limit == n).then_some(&n))
            {
                if let Some(&(id, score)) = self.vocab.get(&norm[start..end]) {
                    covered_char |= end == char_end;
                    let s = best[start] + score;
                    if s > best[end] {
                        best[end] = s;
                        back[end] = (start, id);
                    }
                }
            }
            if !covered_char {
                let s = best[start] + self.unk_score;
                if s > best[char_end] {
                    best[char_end] = s;
                    back[char_end] = (start, self.unk);
                }
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            let (start, id) = back[i];
            ids.push(id);
            i = start;
        }
        ids.reverse();
        ids
    }

    /// Token ids of `text` as the model reads them: `<s>`, the pieces, `</s>` (not windowed).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = vec![self.bos];
        ids.extend(self.pieces(text));
        ids.push(self.eos);
        ids
    }
}
