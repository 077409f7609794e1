//! Hand-labelled expectations for a document, and how a [`Document`] measures against them:
//! figure precision and recall, and whether the article survived cleaning. The tests assert
//! with these and `qiao bench docs` reports them.
//!
//! Comparisons are made on folded text (simplified, NFKC, whitespace removed), so the same
//! labels serve a page and its traditional-script, re-encoded or HTML-wrapped variants.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{DocError, Document, Format, Kind, Removed, samples};

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
    /// For each label, the index of the figure that matched it (one document's score only).
    #[serde(skip)]
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
        self.lost.extend(other.lost.iter().cloned());
        self.wrong.extend(other.wrong.iter().cloned());
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

/// Figures labelled in texts of another genre (`heldout/*.json`), checked by value and unit
/// only: how far the extractor carries beyond the pages it was written on.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldOut {
    /// Where the texts come from, their licence, and how they were labelled.
    pub note: String,
    /// The texts.
    pub documents: Vec<HeldOutText>,
}

/// One held-out text and its figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldOutText {
    /// Its id in the source corpus.
    pub id: String,
    /// The text.
    pub text: String,
    /// Every figure: value, unit (as written, simplified), raw text.
    pub figures: Vec<HeldOutFigure>,
}

/// A labelled figure of a held-out text.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldOutFigure {
    /// Value in base units.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// As written.
    pub raw: String,
}

/// Figures of each held-out text (extracted from the text alone, no document context),
/// matched one to one on value and unit.
pub fn score_held_out(held: &HeldOut) -> FigureScore {
    let mut total = FigureScore::default();
    for d in &held.documents {
        let found = crate::figures::extract(&d.text, &crate::figures::Context::default());
        let mut used = vec![false; found.len()];
        let mut tp = 0;
        for e in &d.figures {
            let hit = found.iter().enumerate().position(|(i, f)| {
                !used[i]
                    && (f.value - e.value).abs() <= 1e-9 * e.value.abs().max(1.0)
                    && f.unit == e.unit
            });
            if let Some(i) = hit {
                used[i] = true;
                tp += 1;
            }
        }
        total.add(&FigureScore {
            true_positives: tp,
            false_positives: found.len() - tp,
            false_negatives: d.figures.len() - tp,
            matches: Vec::new(),
        });
    }
    total
}

/// A labelled fixture: its text and its labels.
#[derive(Clone, Debug)]
pub struct Labelled {
    /// The fixture as stored (UTF-8).
    pub text: String,
    /// Its labels.
    pub expected: Expected,
}

/// Reads every `expected/*.json` of a fixtures directory and the fixture each names.
pub fn load(dir: &Path) -> Result<Vec<Labelled>, DocError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| DocError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let labels_dir = dir.join("expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&labels_dir)
        .map_err(|source| DocError::Read {
            path: labels_dir.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let expected: Expected =
                serde_json::from_str(&read(path)?).map_err(|e| DocError::Labels {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            let text = read(&dir.join(&expected.file))?;
            Ok(Labelled { text, expected })
        })
        .collect()
}

/// The documents `qiao bench docs` reads once per round: every labelled fixture of `dir` in
/// every variant of [`samples::variants`] (re-encoded, wrapped in HTML). `qiao bench
/// import-docs` stores the same pages.
pub fn corpus(dir: &Path) -> Result<Vec<samples::Variant>, DocError> {
    Ok(load(dir)?
        .iter()
        .flat_map(|l| {
            let plain = crate::inspect(l.text.as_bytes(), Format::Auto);
            samples::variants(&l.text, plain.meta.title.as_deref())
        })
        .collect())
}

/// What `qiao bench docs` measures.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Documents read in the timed run (the variants, repeated).
    pub documents: usize,
    /// Their bytes.
    pub bytes: usize,
    /// Seconds for decode + clean + extract of all of them, one thread.
    pub seconds: f64,
    /// Megabytes (10⁶ bytes) per second.
    pub mb_per_s: f64,
    /// Distinct variants (fixture × encoding × plain/HTML).
    pub variants: usize,
    /// Figures of the fixtures as stored, against the labels.
    pub figures: FigureScore,
    /// Figures of every variant, against the labels.
    pub figures_all_variants: FigureScore,
    /// Cleaning of every variant whose text survived its encoding, against the labels.
    pub cleaning: CleanScore,
    /// Figures of the held-out texts (`heldout/*.json`), when there are any.
    pub held_out: Option<FigureScore>,
}

/// Reads the labelled fixtures of `dir` in every variant ([`samples::variants`]), repeated
/// until at least `min_bytes` have been read, timing decode + clean + extract; and scores
/// figures and cleaning against the labels.
pub fn bench(dir: &Path, min_bytes: usize) -> Result<BenchReport, DocError> {
    let labelled = load(dir)?;
    let mut figures = FigureScore::default();
    let mut figures_all = FigureScore::default();
    let mut cleaning = CleanScore::default();
    let mut corpus = Vec::new();
    for l in &labelled {
        let plain = crate::inspect(l.text.as_bytes(), Format::Auto);
        figures.add(&score_figures(&plain, &l.expected));
        for v in samples::variants(&l.text, plain.meta.title.as_deref()) {
            let doc = crate::inspect(&v.bytes, v.format);
            figures_all.add(&score_figures(&doc, &l.expected));
            if v.lossless {
                cleaning.add(&score_cleaning(&doc, &l.expected));
            }
            corpus.push(v);
        }
    }
    let mut held_out: Option<FigureScore> = None;
    let held_dir = dir.join("heldout");
    if let Ok(entries) = std::fs::read_dir(&held_dir) {
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let text = std::fs::read_to_string(path).map_err(|source| DocError::Read {
                path: path.clone(),
                source,
            })?;
            let held: HeldOut = serde_json::from_str(&text).map_err(|e| DocError::Labels {
                path: path.clone(),
                message: e.to_string(),
            })?;
            held_out
                .get_or_insert_with(FigureScore::default)
                .add(&score_held_out(&held));
        }
    }
    let per_round: usize = corpus.iter().map(|v| v.bytes.len()).sum();
    let rounds = min_bytes.div_ceil(per_round.max(1)).max(1);
    let (mut documents, mut found) = (0, 0);
    let start = Instant::now();
    for _ in 0..rounds {
        for v in &corpus {
            let doc = crate::inspect(std::hint::black_box(&v.bytes), v.format);
            found += doc.figures.len() + doc.removed.len();
            documents += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(found);
    let bytes = per_round * rounds;
    Ok(BenchReport {
        documents,
        bytes,
        seconds,
        mb_per_s: bytes as f64 / 1e6 / seconds.max(1e-9),
        variants: corpus.len(),
        figures,
        figures_all_variants: figures_all,
        cleaning,
        held_out,
    })
}
