//! Hand-labelled expectations for a document, and how a [`Document`] measures against them:
//! figure precision and recall, and whether the article survived cleaning. The tests assert
//! with these and `qiao bench docs` reports them.
//!
//! Comparisons are made on folded text (simplified, NFKC, whitespace removed), so the same
//! labels serve a page and its traditional-script, re-encoded or HTML-wrapped variants.

use serde::{Deserialize, Serialize};

use crate::{Document, Kind, Removed};

/// The labels of one document (`tests/fixtures/expected/*.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The fixture's file name.
    pub file: String,
    /// `utf-8`, `gbk`, `gb18030`, `big5` of the fixture as stored.
    pub encoding: String,
    /// `hans`, `hant` or `mixed`.
    pub script: String,
    /// The title.
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Source or issuer.
    pub source: Option<String>,
    /// Document number.
    pub doc_number: Option<String>,
    /// Lines of article text: each must be a line of the cleaned text.
    pub must_keep: Vec<String>,
    /// Lines that are not article text, with the reason they must be removed for.
    pub must_remove: Vec<Removed>,
    /// Every quantified statement.
    pub figures: Vec<ExpectedFigure>,
}

/// One labelled figure. Value, unit and a piece of the sentence identify it; the rest is
/// checked where given.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFigure {
    /// Base units.
    pub value: f64,
    /// Unit without multiplier.
    pub unit: String,
    /// As written.
    pub raw: String,
    /// A piece of the sentence it is in.
    pub sentence_contains: String,
    /// A piece of the indicator, when the label is certain.
    pub indicator_contains: Option<String>,
    /// Target or fact, when the label is certain.
    pub kind: Option<Kind>,
    /// The year, when labelled.
    #[serde(default)]
    pub year: Option<i32>,
    /// The subject, when labelled.
    #[serde(default)]
    pub subject: Option<String>,
    /// The qualifier, when labelled.
    #[serde(default)]
    pub qualifier: Option<String>,
}

/// Folded for comparison: simplified, NFKC, lower case, no whitespace.
pub fn key(s: &str) -> String {
    s.chars()
        .map(crate::fold::fold_char)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// How the figures of a document compare with its labels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FigureScore {
    /// Found and labelled.
    pub true_positives: usize,
    /// Found, not labelled.
    pub false_positives: usize,
    /// Labelled, not found.
    pub false_negatives: usize,
    /// For each label, the index of the figure that matched it.
    pub matches: Vec<Option<usize>>,
}

impl FigureScore {
    /// Adds another document's counts.
    pub fn add(&mut self, other: &FigureScore) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }

    /// Found figures that are labelled (1 when nothing was found).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Labelled figures that were found (1 when nothing is labelled).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Matches found figures to labels one to one: same value and unit, and the label's sentence
/// piece in the figure's sentence.
pub fn score_figures(doc: &Document, expected: &Expected) -> FigureScore {
    let mut used = vec![false; doc.figures.len()];
    let mut matches = Vec::with_capacity(expected.figures.len());
    for e in &expected.figures {
        let piece = key(&e.sentence_contains);
        let found = doc.figures.iter().enumerate().position(|(i, f)| {
            !used[i]
                && (f.value - e.value).abs() <= 1e-9 * e.value.abs().max(1.0)
                && f.unit == e.unit
                && key(&f.sentence).contains(&piece)
        });
        if let Some(i) = found {
            used[i] = true;
        }
        matches.push(found);
    }
    let tp = matches.iter().flatten().count();
    FigureScore {
        true_positives: tp,
        false_positives: doc.figures.len() - tp,
        false_negatives: expected.figures.len() - tp,
        matches,
    }
}

/// How the cleaning compares with the labels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanScore {
    /// Article lines labelled.
    pub must_keep: usize,
    /// Of those, lines found whole in the cleaned text.
    pub kept: usize,
    /// Boilerplate lines labelled.
    pub must_remove: usize,
    /// Of those, lines removed with the labelled reason.
    pub removed_right: usize,
    /// Of those, lines removed with another reason.
    pub removed_other_reason: usize,
    /// The labelled article lines that were lost.
    pub lost: Vec<String>,
    /// The labelled boilerplate lines left in the text or given another reason.
    pub wrong: Vec<String>,
}

impl CleanScore {
    /// Adds another document's counts.
    pub fn add(&mut self, other: &CleanScore) {
        self.must_keep += other.must_keep;
        self.kept += other.kept;
        self.must_remove += other.must_remove;
        self.removed_right += other.removed_right;
        self.removed_other_reason += other.removed_other_reason;
    }
}

/// Checks every labelled line.
pub fn score_cleaning(doc: &Document, expected: &Expected) -> CleanScore {
    let text_lines: std::collections::HashSet<String> = doc.text.lines().map(key).collect();
    let removed: Vec<(String, crate::Reason)> = doc
        .removed
        .iter()
        .map(|r| (key(&r.text), r.reason))
        .collect();
    let mut score = CleanScore {
        must_keep: expected.must_keep.len(),
        must_remove: expected.must_remove.len(),
        ..CleanScore::default()
    };
    for line in &expected.must_keep {
        if text_lines.contains(&key(line)) {
            score.kept += 1;
        } else {
            score.lost.push(line.clone());
        }
    }
    for r in &expected.must_remove {
        let k = key(&r.text);
        match removed.iter().find(|(t, _)| *t == k) {
            Some((_, reason)) if *reason == r.reason => score.removed_right += 1,
            Some((_, reason)) => {
                score.removed_other_reason += 1;
                score.wrong.push(format!(
                    "{} (got {}, want {})",
                    r.text,
                    reason.code(),
                    r.reason.code()
                ));
            }
            None => score
                .wrong
                .push(format!("{} (kept, want {})", r.text, r.reason.code())),
        }
    }
    score
}
