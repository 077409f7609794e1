//! Analysis throughput on the shared corpora, one thread, against jieba alone:
//!
//! ```sh
//! cargo run --release --example throughput [-- DATA_DIR (default: the nearest shared/data above the crate)]
//! ```
//!
//! Reads the abstracts of `csl/corpus.jsonl` and `kppatent_zh/corpus.jsonl` and the claims of
//! `kppatent_zh/patents.jsonl` (about 6 MB), and a traditional (Taiwan) rendering of the same
//! made with OpenCC `s2twp`, then reports MB/s of input for each stage.

use std::time::{Duration, Instant};

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

fn texts(data: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (file, field) in [
        ("csl/corpus.jsonl", "text"),
        ("kppatent_zh/corpus.jsonl", "text"),
        ("kppatent_zh/patents.jsonl", "claims"),
    ] {
        let path = format!("{data}/{file}");
        for line in std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .lines()
        {
            let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            if let Some(text) = record[field].as_str() {
                out.push(text.to_string());
            }
        }
    }
    out
}

/// Run `f` over all texts until at least two seconds have passed; MB/s of input.
fn rate(texts: &[String], mut f: impl FnMut(&str) -> usize) -> f64 {
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = Instant::now();
    let (mut passes, mut sink) = (0, 0);
    while passes == 0 || start.elapsed() < Duration::from_secs(2) {
        for t in texts {
            sink += f(t);
        }
        passes += 1;
    }
    std::hint::black_box(sink);
    (bytes * passes) as f64 / 1e6 / start.elapsed().as_secs_f64()
}

fn main() {
    let data = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../../shared/data".into());
    let simplified = texts(&data);
    let s2twp = OpenCC::from_config(BuiltinConfig::S2twp).expect("s2twp");
    let traditional: Vec<String> = simplified.iter().map(|t| s2twp.convert(t)).collect();
    let mb = simplified.iter().map(String::len).sum::<usize>() as f64 / 1e6;

    let start = Instant::now();
    let analyzer = qiao_text::default_analyzer();
    analyzer.analyze("预热");
    println!(
        "first use (jieba + domain dictionary, OpenCC t2s): {:?}",
        start.elapsed()
    );
    println!("{} texts, {mb:.1} MB", simplified.len());

    let jieba = jieba_rs::Jieba::new();
    for (name, corpus) in [("simplified", &simplified), ("traditional", &traditional)] {
        println!("{name}:");
        println!(
            "  jieba cut alone      {:6.1} MB/s",
            rate(corpus, |t| jieba.cut(t, false).len())
        );
        println!(
            "  fold                 {:6.1} MB/s",
            rate(corpus, |t| qiao_text::fold(t).len())
        );
        println!(
            "  words                {:6.1} MB/s",
            rate(corpus, |t| analyzer.words(t).len())
        );
        println!(
            "  bigrams              {:6.1} MB/s",
            rate(corpus, |t| analyzer.bigrams(t).len())
        );
        println!(
            "  analyze (both)       {:6.1} MB/s",
            rate(corpus, |t| analyzer.analyze(t).words.len())
        );
    }
}
