//! `qiao bench`: the figures in BENCHMARKS.md come from here.
//!
//! - `import`: end-to-end bulk import (parse a JSONL file, validate, store in one transaction).
//! - `read`: latency of `GET /api/v1/achievements/{id}` through the real server over loopback,
//!   with many achievements stored.
//!
//! Both use the global `--database` when given (point it at an empty database or schema), and
//! otherwise a fresh SQLite file in a temporary directory. Records are synthetic copies of the
//! demo achievements (real titles and abstracts from CSL and KPPatent-ZH, numbered so each is
//! distinct).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use qiao_domain::{Listing, Organisation};
use qiao_io::{ListingRow, Record};
use qiao_store::Store;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::cli::BenchCommand;

pub async fn run(cli: &crate::cli::Cli, cmd: &BenchCommand) -> anyhow::Result<ExitCode> {
    let scratch = tempfile::tempdir()?;
    let url = match &cli.database {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", scratch.path().join("bench.db").display()),
    };
    let store = qiao_store::open(&url)
        .await
        .with_context(|| format!("cannot open {}", crate::config::redact(&url)))?;
    let backend = store.backend().name();
    match *cmd {
        BenchCommand::Retrieval(_)
        | BenchCommand::Scale(_)
        | BenchCommand::Embed(_)
        | BenchCommand::Vectors(_) => {
            unreachable!("run by retrieval.rs and model.rs")
        }
        BenchCommand::Docs(_) => unreachable!("run by doc.rs"),
        BenchCommand::Import { records, json } => {
            let file = scratch.path().join("achievements.jsonl");
            qiao_io::write_path(&file, &synthetic(records))?;
            let size = std::fs::metadata(&file)?.len();
            let start = Instant::now();
            let outcome = qiao_io::read_path(&file)?;
            let parsed = start.elapsed();
            let imported = qiao_server::import::import_records(&store, outcome.records).await?;
            let total = start.elapsed();
            if !imported.errors.is_empty() || imported.report.listings_created != records {
                bail!(
                    "the benchmark import did not store every record: {:?}",
                    imported.errors.first()
                );
            }
            let rate = records as f64 / total.as_secs_f64();
            if json {
                println!(
                    "{}",
                    json!({"backend": backend, "records": records, "bytes": size, "parse_s": parsed.as_secs_f64(), "total_s": total.as_secs_f64(), "records_per_s": rate})
                );
            } else {
                println!(
                    "bulk import ({backend}): {records} achievements, {:.1} MB",
                    size as f64 / 1e6
                );
                println!("  parse + validate  {:>8.2} s", parsed.as_secs_f64());
                println!("  total             {:>8.2} s", total.as_secs_f64());
                println!("  rate              {:>8.0} achievements/s", rate);
            }
        }
        BenchCommand::Read {
            records,
            requests,
            json,
        } => {
            let rows = synthetic(records);
            let n = qiao_server::import::import_records(
                &store,
                rows.into_iter()
                    .enumerate()
                    .map(|(i, r)| (i + 1, r))
                    .collect(),
            )
            .await?
            .report
            .listings_created;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let server = tokio::spawn(qiao_server::serve(
                listener,
                qiao_server::AppState::open(store.clone(), None).await?,
            ));
            let ids = sample_ids(&store, n).await?;
            let mut latencies = time_gets(addr, &ids, requests).await?;
            server.abort();
            latencies.sort_unstable();
            let pct = |p: f64| {
                latencies[((latencies.len() - 1) as f64 * p).round() as usize].as_secs_f64()
                    * 1000.0
            };
            if json {
                println!(
                    "{}",
                    json!({"backend": backend, "records": n, "requests": requests, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0)})
                );
            } else {
                println!(
                    "GET /api/v1/achievements/{{id}} ({backend}, {n} achievements stored, {requests} requests, one keep-alive connection)"
                );
                println!(
                    "  p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms",
                    pct(0.5),
                    pct(0.99),
                    pct(1.0)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `n` achievements owned by one organisation, made from the demo achievements.
fn synthetic(n: usize) -> Vec<Record> {
    let templates = crate::demo::achievements();
    let mut org: Organisation = serde_json::from_value(json!({
        "kind": "university", "name": "基准测试大学 (synthetic)", "credit_code": "", "district": "闵行区"
    }))
    .expect("benchmark organisation");
    // A fictional code with a correct check character.
    let first17 = "12310000MB0000000";
    org.credit_code = format!(
        "{first17}{}",
        qiao_domain::codes::credit_code_check_char(first17).expect("valid alphabet")
    );
    let owner = org.credit_code.clone();
    let mut out = Vec::with_capacity(n + 1);
    out.push(Record::Organisation(org));
    for i in 0..n {
        let mut listing = templates[i % templates.len()].clone();
        if let Listing::Achievement(a) = &mut listing {
            a.title = format!("{} #{i}", a.title.chars().take(180).collect::<String>());
            // Every record public, so anonymous reads of any id succeed.
            a.status = qiao_domain::listing::Status::Open;
            a.expires_on = None;
        }
        out.push(Record::Listing(ListingRow {
            id: None,
            owner: Some(owner.clone()),
            listing,
        }));
    }
    out
}

/// Ids to request: spread over the whole table in a fixed pseudo-random order.
async fn sample_ids(store: &Arc<dyn Store>, n: usize) -> anyhow::Result<Vec<i64>> {
    let filter = qiao_store::ListingFilter::default();
    let newest = store
        .list_listings(&filter, qiao_store::Page { number: 1, size: 1 })
        .await?;
    let max = newest
        .items
        .first()
        .map(|r| r.id)
        .context("no listing stored")?;
    let min = max - n as i64 + 1;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    Ok((0..n.min(100_000))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            min + (x % n as u64) as i64
        })
        .collect())
}

/// Sends `requests` GETs over one keep-alive connection and returns each one's latency.
async fn time_gets(
    addr: std::net::SocketAddr,
    ids: &[i64],
    requests: usize,
) -> anyhow::Result<Vec<Duration>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = tokio::io::BufReader::new(read);
    let mut latencies = Vec::with_capacity(requests);
    let mut line = String::new();
    let mut body = Vec::new();
    for i in 0..requests {
        let id = ids[i % ids.len()];
        let start = Instant::now();
        write
            .write_all(
                format!("GET /api/v1/achievements/{id} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes(),
            )
            .await?;
        line.clear();
        read.read_line(&mut line).await?;
        if !line.starts_with("HTTP/1.1 200") {
            bail!("GET achievement {id} answered `{}`", line.trim());
        }
        let mut length = 0usize;
        loop {
            line.clear();
            read.read_line(&mut line).await?;
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse()?;
            }
        }
        body.resize(length, 0);
        read.read_exact(&mut body).await?;
        latencies.push(start.elapsed());
    }
    Ok(latencies)
}
