//! The three real pages of `tests/fixtures`, as stored and as the re-encoded (GBK, GB18030,
//! Big5) and HTML-wrapped variants `qiao_docs::samples` makes of them, against the hand labels
//! of `tests/fixtures/expected`.

use std::path::{Path, PathBuf};

use qiao_docs::eval::{self, Expected, key};
use qiao_docs::{Document, Encoding, Format, Reason, inspect, samples};

const FIXTURES: &[&str] = &[
    "000_03cb8c32e2444fbc",
    "002_fa69439dd6a4a0b4",
    "003_853fbbfa8443af7f",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(name: &str) -> (String, Expected) {
    let text = std::fs::read_to_string(dir().join(format!("{name}.txt"))).unwrap();
    let expected = serde_json::from_str(
        &std::fs::read_to_string(dir().join(format!("expected/{name}.json"))).unwrap(),
    )
    .unwrap();
    (text, expected)
}

fn check_against_labels(doc: &Document, e: &Expected, what: &str) {
    assert_eq!(doc.meta.script, e.script, "{what}: script");
    let k = |s: &Option<String>| s.as_deref().map(key);
    assert_eq!(k(&doc.meta.title), k(&e.title), "{what}: title");
    assert_eq!(doc.meta.published, e.published, "{what}: published");
    assert_eq!(k(&doc.meta.source), k(&e.source), "{what}: source");
    assert_eq!(
        k(&doc.meta.doc_number),
        k(&e.doc_number),
        "{what}: doc_number"
    );

    let clean = eval::score_cleaning(doc, e);
    assert!(
        clean.lost.is_empty(),
        "{what}: article lines lost: {:#?}",
        clean.lost
    );
    assert!(
        clean.wrong.is_empty(),
        "{what}: boilerplate: {:#?}",
        clean.wrong
    );
    assert_eq!(clean.kept, e.must_keep.len());
    assert_eq!(clean.removed_right, e.must_remove.len());
    // Nothing beyond the labelled lines was removed.
    assert_eq!(
        doc.text.lines().count(),
        e.must_keep.len(),
        "{what}: text lines"
    );

    let figures = eval::score_figures(doc, e);
    assert_eq!(
        (figures.false_negatives, figures.false_positives),
        (0, 0),
        "{what}: figures {:#?}",
        doc.figures
    );
    for (label, found) in e.figures.iter().zip(&figures.matches) {
        let f = &doc.figures[found.expect("matched")];
        assert_eq!(key(&f.raw), key(&label.raw), "{what}: raw");
        if let Some(piece) = &label.indicator_contains {
            assert!(
                key(&f.indicator).contains(&key(piece)),
                "{what}: indicator {:?} lacks {piece}",
                f.indicator
            );
        }
        if let Some(kind) = label.kind {
            assert_eq!(f.kind, kind, "{what}: kind of {}", f.raw);
        }
        if label.year.is_some() {
            assert_eq!(f.year, label.year, "{what}: year of {}", f.raw);
        }
        if label.subject.is_some() {
            assert_eq!(
                f.subject.as_deref().map(key),
                k(&label.subject),
                "{what}: subject"
            );
        }
        if label.qualifier.is_some() {
            assert_eq!(
                f.qualifier.as_deref().map(key),
                k(&label.qualifier),
                "{what}: qualifier of {}",
                f.raw
            );
        }
    }
}

#[test]
fn fixtures_match_their_hand_labels() {
    for name in FIXTURES {
        let (_, e) = fixture(name);
        let doc = qiao_docs::inspect_path(&dir().join(&e.file)).unwrap();
        assert_eq!(doc.meta.encoding.name(), e.encoding);
        assert!(doc.undecodable.is_empty());
        check_against_labels(&doc, &e, name);
    }
}

/// The figures the shared fixtures' README lists for 003, each with its value and unit.
#[test]
fn the_figures_the_readme_lists_for_003() {
    let doc = qiao_docs::inspect_path(&dir().join("003_853fbbfa8443af7f.txt")).unwrap();
    let has = |indicator: &str, value: f64, unit: &str| {
        assert!(
            doc.figures
                .iter()
                .any(|f| f.indicator.contains(indicator) && f.value == value && f.unit == unit),
            "no {indicator} {value} {unit} in {:#?}",
            doc.figures
        );
    };
    has("技术合同成交额", 23_000_000_000.0, "元");
    has("有效期内高新技术企业", 4000.0, "家");
    has("科技小巨人企业", 40.0, "家");
    has("产值", 35_000_000_000.0, "元");
    has("地区生产总值的比例", 10.0, "%");
    has("企业", 100.0, "家");
    has("科技信贷", 300_000_000.0, "元");
    has("院士专家工作站", 10.0, "家");
    has("载体", 30.0, "家");
    has("创新研发中心", 20.0, "家");
    let biomed = doc
        .figures
        .iter()
        .find(|f| f.value == 35_000_000_000.0)
        .unwrap();
    assert!(biomed.sentence.contains("生物医药产业"));
    let rd = doc.figures.iter().find(|f| f.unit == "%").unwrap();
    assert_eq!(rd.qualifier.as_deref(), Some("保持在…左右"));
    assert!(
        doc.figures
            .iter()
            .all(|f| f.kind == qiao_docs::Kind::Target && f.year == Some(2023))
    );
    assert!(
        doc.figures
            .iter()
            .all(|f| f.subject.as_deref() == Some("闵行区"))
    );
}

#[test]
fn re_encoded_and_html_wrapped_variants_read_the_same() {
    for name in FIXTURES {
        let (text, e) = fixture(name);
        let plain = inspect(text.as_bytes(), Format::Auto);
        let all = samples::variants(&text, plain.meta.title.as_deref());
        assert!(all.len() >= 9, "{name}: {} variants", all.len());
        if e.script == "hant" {
            assert!(all.iter().any(|v| v.label == "big5"), "{name} fits Big5");
        }
        for v in all {
            let what = format!("{name} as {}", v.label);
            let doc = inspect(&v.bytes, v.format);
            assert_eq!(doc.meta.encoding, v.encoding, "{what}: encoding");
            assert!(doc.undecodable.is_empty(), "{what}: {:?}", doc.undecodable);
            if v.lossless {
                check_against_labels(&doc, &e, &what);
            }
            assert_eq!(key(&doc.text), key(&plain.text), "{what}: text");
            assert_eq!(doc.figures.len(), plain.figures.len(), "{what}: figures");
            for (a, b) in doc.figures.iter().zip(&plain.figures) {
                assert_eq!(
                    (a.value, &a.unit, a.kind, a.year),
                    (b.value, &b.unit, b.kind, b.year)
                );
                assert_eq!(key(&a.indicator), key(&b.indicator), "{what}");
                assert_eq!(key(&a.sentence), key(&b.sentence), "{what}");
                assert_eq!(a.subject.as_deref().map(key), b.subject.as_deref().map(key));
            }
            if v.html {
                for (line, reason) in samples::WRAPPER_LINES {
                    assert!(
                        doc.removed
                            .iter()
                            .any(|r| key(&r.text) == key(line) && r.reason == *reason),
                        "{what}: {line} not removed as {} in {:#?}",
                        reason.code(),
                        doc.removed
                    );
                }
                // Nothing of the scripts, styles and comments leaks into the text.
                for leak in ["var nav", "font-family", "不应出现", "document.write"] {
                    assert!(
                        !doc.text.contains(leak)
                            && !doc.removed.iter().any(|r| r.text.contains(leak)),
                        "{what}: {leak}"
                    );
                }
            } else {
                let reasons =
                    |d: &Document| d.removed.iter().map(|r| r.reason).collect::<Vec<Reason>>();
                assert_eq!(reasons(&doc), reasons(&plain), "{what}: removed");
            }
        }
    }
}

/// Cheap deterministic pseudo-random numbers (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Truncated and corrupted fixtures, in every encoding and wrapped in HTML: never a panic,
/// and every undecodable byte reported inside the input.
#[test]
fn damaged_documents_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for name in FIXTURES {
        let (text, _) = fixture(name);
        for v in samples::variants(&text, None) {
            let bytes = &v.bytes;
            for _ in 0..12 {
                let cut = (rng.next() as usize) % (bytes.len() + 1);
                let start = (rng.next() as usize) % (cut + 1);
                let doc = inspect(&bytes[start..cut], v.format);
                assert!(doc.undecodable.iter().all(|u| u.offset < cut - start));
                let mut damaged = bytes.clone();
                for _ in 0..8 {
                    let at = (rng.next() as usize) % damaged.len();
                    damaged[at] = rng.next() as u8;
                }
                let _ = inspect(&damaged, v.format);
            }
        }
    }
}

mod properties {
    use proptest::prelude::*;
    use qiao_docs::{Format, inspect};

    /// Cases per property: 200, or `QIAO_FUZZ_CASES` (scripts/fuzz runs them longer).
    fn cases() -> u32 {
        std::env::var("QIAO_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [Format::Auto, Format::Html, Format::Text] {
                let doc = inspect(&bytes, format);
                prop_assert!(doc.undecodable.iter().all(|u| u.offset < bytes.len()));
            }
        }

        #[test]
        fn arbitrary_markup_and_figures_never_panic(
            s in "([<>&;/!\\-#a-z0-9 =\"'\n。，；:：%〔〕亿万千百十一二两三四五六七八九年月日达力争新增区县市第]|<p>|<a href=x>|</a>|<script>|<!--|&#x[0-9a-f]{0,7};|百分之|来源：|上一篇){0,80}"
        ) {
            for format in [Format::Auto, Format::Html, Format::Text] {
                let doc = inspect(s.as_bytes(), format);
                for f in &doc.figures {
                    prop_assert!(f.value.is_finite() && f.value >= 0.0);
                    // A figure names what it measures.
                    prop_assert!(f.indicator.chars().filter(|c| c.is_alphanumeric()).count() >= 2);
                }
            }
        }
    }
}

/// The held-out texts parse and score; the figure is printed for BENCHMARKS.md (`qiao bench
/// docs` reports it too). No threshold: it measures, it does not gate.
#[test]
fn held_out_labels_load_and_score() {
    let path = dir().join("heldout/csl_figures.json");
    let held: eval::HeldOut =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let labelled: usize = held.documents.iter().map(|d| d.figures.len()).sum();
    let s = eval::score_held_out(&held);
    assert_eq!(s.true_positives + s.false_negatives, labelled);
    println!(
        "held out: precision {:.3} recall {:.3} ({} right, {} wrong, {} missed)",
        s.precision(),
        s.recall(),
        s.true_positives,
        s.false_positives,
        s.false_negatives
    );
}

/// Two megabytes of noise: read in linear time (this took minutes when decoding was quadratic
/// in the number of malformed sequences), with the list of bad bytes capped.
#[test]
fn megabytes_of_noise() {
    let mut rng = Rng(42);
    let bytes: Vec<u8> = (0..2_000_000).map(|_| rng.next() as u8).collect();
    let doc = inspect(&bytes, Format::Auto);
    assert_eq!(doc.undecodable.len(), qiao_docs::decode::MAX_REPORTED);
    assert!(
        doc.undecodable
            .windows(2)
            .all(|w| w[0].offset < w[1].offset)
    );
    assert!(doc.figures.len() <= qiao_docs::figures::MAX_FIGURES);
}

/// A government page's own `<meta>` fields come first; the article line repeating the title is
/// taken out as the title.
#[test]
fn government_meta_tags() {
    let page = "<html><head><meta charset=\"gb2312\">\
        <meta name=\"ArticleTitle\" content=\"关于印发《某区促进科技成果转化若干措施》的通知\">\
        <meta name=\"PubDate\" content=\"2024-01-08 09:30\">\
        <meta name=\"ContentSource\" content=\"某某区科学技术委员会\">\
        <title>通知公告_某某区人民政府</title></head><body>\
        <div>关于印发《某区促进科技成果转化若干措施》的通知</div>\
        <p>到2025年，全区技术合同成交额力争突破300亿元。</p></body></html>";
    let doc = inspect(&Encoding::Gbk.encode(page), Format::Html);
    assert_eq!(doc.meta.encoding, Encoding::Gbk);
    assert_eq!(
        doc.meta.title.as_deref(),
        Some("关于印发《某区促进科技成果转化若干措施》的通知")
    );
    assert_eq!(doc.meta.published.as_deref(), Some("2024-01-08"));
    assert_eq!(doc.meta.source.as_deref(), Some("某某区科学技术委员会"));
    assert_eq!(doc.text, "到2025年，全区技术合同成交额力争突破300亿元。");
    assert_eq!(doc.removed[0].reason, Reason::Title);
    let f = &doc.figures[0];
    assert_eq!((f.value, f.unit.as_str()), (30_000_000_000.0, "元"));
    assert_eq!((f.year, f.kind), (Some(2025), qiao_docs::Kind::Target));
    assert_eq!(f.qualifier.as_deref(), Some("力争突破"));
}
