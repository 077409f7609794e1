//! Retrieval quality of the analyzer's choices on the shared corpora, with a plain BM25
//! (k1 = 1.2, b = 0.75) over the word and bigram streams: the measurement behind the defaults
//! of `Options` (stop words, sub-words, HMM, dictionary, bigram weight).
//!
//! ```sh
//! cargo run --release --example eval -- [--data DIR (default: the nearest shared/data above the crate)] [--no-subwords] [--query-subwords] [--hmm] [--no-stop]
//!     [--dict domain|curated|jieba|FILE] [--bigram-weight W] [--words-only] [--bigrams-only]
//! ```
//!
//! Known-item sets (`csl` title/keywords/keywords2, `kppatent_zh` title/keywords/claims) search
//! the combined 5,655-document corpus and report MRR@10; the demand set (`demands_dev`) searches
//! each demand's own corpus and reports nDCG@10 with linear gains and MRR@10 (grade ≥ 1), as
//! its README prescribes.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use qiao_text::{Analyzer, Dictionary, Options};

struct Index {
    ids: Vec<String>,
    words: Field,
    bigrams: Field,
}

#[derive(Default)]
struct Field {
    postings: HashMap<String, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average: f64,
}

impl Field {
    fn add(&mut self, doc: u32, terms: impl Iterator<Item = String>) {
        let mut tf: HashMap<String, u32> = HashMap::new();
        let mut length = 0;
        for t in terms {
            *tf.entry(t).or_default() += 1;
            length += 1;
        }
        for (t, f) in tf {
            self.postings.entry(t).or_default().push((doc, f));
        }
        self.lengths.push(length);
    }

    fn finish(&mut self) {
        self.average = self.lengths.iter().map(|&l| f64::from(l)).sum::<f64>()
            / self.lengths.len().max(1) as f64;
    }

    fn score(&self, terms: &[String], weight: f64, scores: &mut [f64]) {
        let n = self.lengths.len() as f64;
        for t in terms {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            let df = list.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, f) in list {
                let f = f64::from(f);
                let norm =
                    1.2 * (0.25 + 0.75 * f64::from(self.lengths[doc as usize]) / self.average);
                scores[doc as usize] += weight * idf * f * 2.2 / (f + norm);
            }
        }
    }
}

/// `shared/data` beside the repository (or beside the development folder) of this crate.
fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/data"))
        .find(|dir| dir.is_dir())
        .expect("no shared/data above the crate; pass --data DIR")
}

fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn read_qrels(path: &Path) -> HashMap<String, HashMap<String, u32>> {
    let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for line in fs::read_to_string(path).expect("qrels").lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        qrels
            .entry(f[0].into())
            .or_default()
            .insert(f[1].into(), f[2].parse().unwrap());
    }
    qrels
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let data = value("--data").map_or_else(shared_data, PathBuf::from);
    let dictionary = match value("--dict").as_deref() {
        None | Some("domain") => Dictionary::Domain,
        Some("jieba") => Dictionary::JiebaOnly,
        Some("curated") => Dictionary::Custom(
            qiao_text::DOMAIN_DICTIONARY
                .lines()
                .filter(|l| l.ends_with(" nz"))
                .map(|l| format!("{l}\n"))
                .collect(),
        ),
        Some(path) => Dictionary::Custom(fs::read_to_string(path).expect("a dictionary file")),
    };
    let defaults = Options::default();
    let options = Options {
        subwords: defaults.subwords && !flag("--no-subwords"),
        query_subwords: defaults.query_subwords || flag("--query-subwords"),
        hmm: defaults.hmm || flag("--hmm"),
        stop_words: defaults.stop_words && !flag("--no-stop"),
        dictionary,
        ..defaults
    };
    let bigram_weight: f64 = value("--bigram-weight").map_or(1.0, |w| w.parse().unwrap());
    let (word_weight, bigram_weight) = if flag("--words-only") {
        (1.0, 0.0)
    } else if flag("--bigrams-only") {
        (0.0, 1.0)
    } else {
        (1.0, bigram_weight)
    };
    let analyzer = Analyzer::with_options(options.clone());

    let mut index = Index {
        ids: Vec::new(),
        words: Field::default(),
        bigrams: Field::default(),
    };
    for corpus in ["csl", "kppatent_zh"] {
        for doc in read_jsonl(&data.join(corpus).join("corpus.jsonl")) {
            let n = index.ids.len() as u32;
            let analysis = analyzer.analyze(doc["text"].as_str().unwrap());
            index
                .words
                .add(n, analysis.words.into_iter().map(|t| t.text));
            index
                .bigrams
                .add(n, analysis.bigrams.into_iter().map(|t| t.text));
            index.ids.push(doc["id"].as_str().unwrap().to_string());
        }
    }
    index.words.finish();
    index.bigrams.finish();

    let search = |text: &str, prefix: &str| -> Vec<usize> {
        let terms = analyzer.analyze_query(text);
        let mut scores = vec![0.0; index.ids.len()];
        index.words.score(&terms.words, word_weight, &mut scores);
        index
            .bigrams
            .score(&terms.bigrams, bigram_weight, &mut scores);
        let mut ranked: Vec<usize> = (0..scores.len())
            .filter(|&d| scores[d] > 0.0 && index.ids[d].starts_with(prefix))
            .collect();
        ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        ranked.truncate(10);
        ranked
    };

    let mut report = Vec::new();
    for (corpus, set) in [
        ("csl", "title"),
        ("csl", "keywords"),
        ("csl", "keywords2"),
        ("kppatent_zh", "title"),
        ("kppatent_zh", "keywords"),
        ("kppatent_zh", "claims"),
    ] {
        let qrels = read_qrels(&data.join(corpus).join(format!("qrels_{set}.tsv")));
        let queries = read_jsonl(&data.join(corpus).join(format!("queries_{set}.jsonl")));
        let mut mrr = 0.0;
        for q in &queries {
            let relevant = &qrels[q["id"].as_str().unwrap()];
            let top = search(q["text"].as_str().unwrap(), "");
            if let Some(rank) = top
                .iter()
                .position(|&d| relevant.contains_key(&index.ids[d]))
            {
                mrr += 1.0 / (rank + 1) as f64;
            }
        }
        report.push(format!(
            "{corpus}/{set} MRR@10 {:.3}",
            mrr / queries.len() as f64
        ));
    }
    for (corpus, prefix) in [("kppatent_zh", "kpz-"), ("csl", "csl-")] {
        let qrels = read_qrels(&data.join("demands_dev").join(format!("qrels_{corpus}.tsv")));
        let queries = read_jsonl(
            &data
                .join("demands_dev")
                .join(format!("queries_{corpus}.jsonl")),
        );
        let (mut ndcg, mut mrr) = (0.0, 0.0);
        for q in &queries {
            let grades = &qrels[q["id"].as_str().unwrap()];
            let top = search(q["text"].as_str().unwrap(), prefix);
            let gain = |rank: usize, g: u32| f64::from(g) / ((rank + 2) as f64).log2();
            let dcg: f64 = top
                .iter()
                .enumerate()
                .map(|(r, &d)| gain(r, grades.get(&index.ids[d]).copied().unwrap_or(0)))
                .sum();
            let mut ideal: Vec<u32> = grades.values().copied().collect();
            ideal.sort_unstable_by(|a, b| b.cmp(a));
            let idcg: f64 = ideal
                .iter()
                .take(10)
                .enumerate()
                .map(|(r, &g)| gain(r, g))
                .sum();
            ndcg += dcg / idcg;
            if let Some(rank) = top
                .iter()
                .position(|&d| grades.get(&index.ids[d]).is_some_and(|&g| g >= 1))
            {
                mrr += 1.0 / (rank + 1) as f64;
            }
        }
        let n = queries.len() as f64;
        report.push(format!(
            "demands/{corpus} nDCG@10 {:.3} MRR@10 {:.3}",
            ndcg / n,
            mrr / n
        ));
    }
    println!("{args:?}");
    for line in report {
        println!("  {line}");
    }
}
