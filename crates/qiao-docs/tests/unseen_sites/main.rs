//! Pages from sites Qiao has never seen (issue #28): each fixture's article, established by
//! hand once (`tests/fixtures/unseen/articles`), poured into page templates written for this
//! test (`tests/fixtures/unseen/templates`): navigation bars, breadcrumbs, sitemap and link
//! lists, footers, disclaimers, share buttons, gambling and adult spam in `|`, comma, space and
//! newline forms, in both scripts and in UTF-8, GBK and Big5. What comes out must be the
//! article, line for line.
//!
//! The templates are split by directory, each held-out batch written before the cleaner was
//! tuned on anything like it (`tests/fixtures/unseen/README.md` tells the history): `tuning/`
//! (the cleaner's rules were adjusted until these pass), `heldout/` (written with the first
//! tuning templates, never tuned on) and `late/` (written after the last tuning, never tuned
//! on). Line-level precision and recall of "article" are asserted on the tuning set (≥ 0.99)
//! and measured on the held-out sets, whose floors below are honest figures, not targets.
//!
//! `cargo test -p qiao-docs --test unseen_sites -- --nocapture` prints the table that
//! BENCHMARKS.md quotes; `QIAO_UNSEEN_VERBOSE=1` adds every lost and leaked line of the tuning
//! pages (`=all`: of the held-out pages too, which tuning must not read), and `QIAO_UNSEEN_DUMP=DIR` writes every generated
//! page to DIR to try by hand (`qiao doc inspect DIR/…`).

mod generate;

use std::collections::HashMap;

use generate::{Page, Set};
use qiao_docs::eval::{Expected, key, score_figures};
use qiao_docs::{Format, inspect};

/// Line-level counts of "article" over a set of pages, and the metadata found right.
#[derive(Default, Debug, Clone)]
struct Score {
    pages: usize,
    /// Article lines expected.
    expected: usize,
    /// Lines the cleaned text has.
    kept: usize,
    /// Kept lines that are article lines (multiset intersection).
    right: usize,
    titles_right: usize,
    /// Pages that print a dateline, and of those, the date found right.
    dated: usize,
    dates_right: usize,
    /// Figures found, labelled, matched on value, unit and sentence, and of those matched,
    /// right in every labelled field too (what they measure, kind, year, subject, cue).
    figures_found: usize,
    figures_labelled: usize,
    figures_matched: usize,
    figures_exact: usize,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.pages += o.pages;
        self.expected += o.expected;
        self.kept += o.kept;
        self.right += o.right;
        self.titles_right += o.titles_right;
        self.dated += o.dated;
        self.dates_right += o.dates_right;
        self.figures_found += o.figures_found;
        self.figures_labelled += o.figures_labelled;
        self.figures_matched += o.figures_matched;
        self.figures_exact += o.figures_exact;
    }

    /// Figures: (precision, recall) on value, unit and sentence; and the same counting only
    /// figures right in every labelled field.
    fn figures(&self) -> [(f64, f64); 2] {
        let r = |tp: usize, n: usize| if n == 0 { 1.0 } else { tp as f64 / n as f64 };
        [
            (
                r(self.figures_matched, self.figures_found),
                r(self.figures_matched, self.figures_labelled),
            ),
            (
                r(self.figures_exact, self.figures_found),
                r(self.figures_exact, self.figures_labelled),
            ),
        ]
    }

    fn precision(&self) -> f64 {
        self.right as f64 / self.kept.max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.right as f64 / self.expected.max(1) as f64
    }

    fn row(&self, name: &str) -> String {
        format!(
            "{name:<32} {:>5} {:>6} {:>6} {:>9.4} {:>7.4} {:>4}/{:<4} {:>4}/{:<4}",
            self.pages,
            self.expected,
            self.kept,
            self.precision(),
            self.recall(),
            self.titles_right,
            self.pages,
            self.dates_right,
            self.dated
        )
    }
}

/// What one page scored, with the lines lost and leaked.
struct Outcome {
    score: Score,
    lost: Vec<String>,
    leaked: Vec<String>,
    title: Option<String>,
    published: Option<String>,
}

/// The hand labels of a fixture (`tests/fixtures/expected`): its figures are the article's.
fn labels(fixture: &str) -> Expected {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expected")
        .join(format!("{fixture}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Labelled figures found with every labelled field right.
fn exact_figures(doc: &qiao_docs::Document, e: &Expected, matches: &[Option<usize>]) -> usize {
    e.figures
        .iter()
        .zip(matches)
        .filter(|(label, found)| {
            let Some(f) = found.map(|i| &doc.figures[i]) else {
                return false;
            };
            let k = |s: &Option<String>| s.as_deref().map(key);
            label
                .indicator_contains
                .as_ref()
                .is_none_or(|p| key(&f.indicator).contains(&key(p)))
                && label.kind.is_none_or(|kind| f.kind == kind)
                && label.year.is_none_or(|y| f.year == Some(y))
                && (label.subject.is_none() || k(&f.subject) == k(&label.subject))
                && (label.qualifier.is_none() || k(&f.qualifier) == k(&label.qualifier))
        })
        .count()
}

fn score(page: &Page, expected: &Expected) -> Outcome {
    let doc = inspect(&page.bytes, Format::Auto);
    let figures = score_figures(&doc, expected);
    let mut want: HashMap<String, usize> = HashMap::new();
    for l in &page.article {
        *want.entry(key(l)).or_default() += 1;
    }
    let mut leaked = Vec::new();
    let mut right = 0;
    let kept: Vec<&str> = doc.text.lines().collect();
    for l in &kept {
        match want.get_mut(&key(l)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                right += 1;
            }
            _ => leaked.push(l.to_string()),
        }
    }
    let mut lost = Vec::new();
    for l in &page.article {
        // Each remaining count is one lost line.
        if let Some(n) = want.get_mut(&key(l))
            && *n > 0
        {
            *n -= 1;
            lost.push(l.clone());
        }
    }
    let title_right = doc.meta.title.as_deref().map(key) == Some(key(&page.title));
    let date_right = page.published.is_some() && doc.meta.published == page.published;
    Outcome {
        score: Score {
            pages: 1,
            expected: page.article.len(),
            kept: kept.len(),
            right,
            titles_right: usize::from(title_right),
            dated: usize::from(page.published.is_some()),
            dates_right: usize::from(date_right),
            figures_found: doc.figures.len(),
            figures_labelled: expected.figures.len(),
            figures_matched: figures.true_positives,
            figures_exact: exact_figures(&doc, expected, &figures.matches),
        },
        lost,
        leaked,
        title: doc.meta.title,
        published: doc.meta.published,
    }
}

fn all_pages() -> Vec<Page> {
    let articles = generate::articles();
    assert_eq!(articles.len(), 3, "one article file per fixture");
    let templates = generate::templates();
    assert!(
        templates.iter().filter(|t| t.set == Set::Tuning).count() >= 10
            && templates.iter().filter(|t| t.set == Set::HeldOut).count() >= 5,
        "templates: {}",
        templates.len()
    );
    let mut pages = Vec::new();
    for t in &templates {
        for a in &articles {
            let native = qiao_text::detect_script(&a.lines.join("\n")).as_str();
            pages.extend(generate::pages(t, a, native));
        }
    }
    pages
}

/// The figures BENCHMARKS.md reports, per template and per set, and the floors they must
/// keep.
#[test]
fn article_lines_survive_unseen_templates() {
    let pages = all_pages();
    if let Ok(dir) = std::env::var("QIAO_UNSEEN_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        for p in &pages {
            let name = p.label.replace(" / ", "__");
            let ext = if p.bytes.starts_with(b"<") {
                "html"
            } else {
                "txt"
            };
            std::fs::write(format!("{dir}/{name}.{ext}"), &p.bytes).unwrap();
        }
    }
    let verbose = std::env::var("QIAO_UNSEEN_VERBOSE").unwrap_or_default();
    let mut by_template: Vec<(String, Set, Score)> = Vec::new();
    let expected: HashMap<String, Expected> = pages
        .iter()
        .map(|p| (p.fixture.clone(), labels(&p.fixture)))
        .collect();
    let mut sets = [Score::default(), Score::default(), Score::default()];
    for p in &pages {
        let o = score(p, &expected[&p.fixture]);
        let show = match p.set {
            Set::Tuning => !verbose.is_empty(),
            Set::HeldOut | Set::Late => verbose == "all",
        };
        if show
            && (!o.lost.is_empty()
                || !o.leaked.is_empty()
                || o.score.titles_right == 0
                || o.score.dates_right < o.score.dated)
        {
            println!("== {}", p.label);
            if o.score.titles_right == 0 {
                println!("   title  {:?} (want {:?})", o.title, p.title);
            }
            if o.score.dates_right < o.score.dated {
                println!("   date   {:?} (want {:?})", o.published, p.published);
            }
            for l in &o.lost {
                println!("   lost   {}", l.chars().take(60).collect::<String>());
            }
            for l in &o.leaked {
                println!("   leaked {}", l.chars().take(60).collect::<String>());
            }
        }
        match by_template.iter_mut().find(|(n, ..)| *n == p.template) {
            Some((_, _, s)) => s.add(&o.score),
            None => by_template.push((p.template.clone(), p.set, o.score.clone())),
        }
        sets[p.set as usize].add(&o.score);
    }
    println!(
        "{:<32} {:>5} {:>6} {:>6} {:>9} {:>7} {:>9} {:>9}",
        "template", "pages", "lines", "kept", "precision", "recall", "titles", "dates"
    );
    for (name, _, s) in &by_template {
        println!("{}", s.row(name));
    }
    let [tuning, held_out, late] = sets;
    println!("{}", tuning.row("TUNING (all)"));
    println!("{}", held_out.row("HELD-OUT (all)"));
    println!("{}", late.row("LATE HELD-OUT (all)"));
    println!(
        "\n{:<20} {:>6} {:>8} {:>9} {:>7} {:>15} {:>12}",
        "figures", "found", "labelled", "precision", "recall", "exact precision", "exact recall"
    );
    for (name, set) in [
        ("tuning", &tuning),
        ("held-out", &held_out),
        ("late held-out", &late),
    ] {
        let [(p, r), (ep, er)] = set.figures();
        println!(
            "{name:<20} {:>6} {:>8} {p:>9.4} {r:>7.4} {ep:>15.4} {er:>12.4}",
            set.figures_found, set.figures_labelled
        );
    }

    assert!(
        tuning.precision() >= TUNING_FLOOR.0 && tuning.recall() >= TUNING_FLOOR.1,
        "tuning templates: precision {:.4} recall {:.4}",
        tuning.precision(),
        tuning.recall()
    );
    for (name, set, floor) in [
        ("held-out", &held_out, HELD_OUT_FLOOR),
        ("late held-out", &late, LATE_FLOOR),
    ] {
        assert!(
            set.precision() >= floor.0 && set.recall() >= floor.1,
            "{name} templates: precision {:.4} recall {:.4}",
            set.precision(),
            set.recall()
        );
    }
    // Figures: the article's figures come out of every page, each with what it measures, its
    // kind, year and subject as labelled.
    for (name, set) in [
        ("tuning", &tuning),
        ("held-out", &held_out),
        ("late held-out", &late),
    ] {
        let [_, (p, r)] = set.figures();
        assert!(
            p >= 0.99 && r >= 0.99,
            "{name} figures: exact precision {p:.4} recall {r:.4}"
        );
    }
    // Titles and dates: every tuning page right; the held-out pages are reported.
    assert_eq!(
        (tuning.titles_right, tuning.dates_right),
        (tuning.pages, tuning.dated),
        "tuning titles and dates"
    );
}

/// (precision, recall) the tuning templates must reach. Before issue #28's cleaning they
/// scored 0.9221 / 0.9982.
const TUNING_FLOOR: (f64, f64) = (0.99, 0.99);

/// (precision, recall) the first held-out templates must keep. Before issue #28's cleaning
/// they scored 0.9233 / 0.9914; the first run after it, 1.0000 / 1.0000. The floor leaves room
/// for one lost or leaked line in a hundred, no more.
const HELD_OUT_FLOOR: (f64, f64) = (0.99, 0.99);

/// (precision, recall) the late held-out templates must keep: their first run gave 1.0000 /
/// 1.0000 (the batch before them, tried the same way, gave 0.9136 / 1.0000: see the README).
const LATE_FLOOR: (f64, f64) = (0.99, 0.99);
