//! `qiao bench`: the figures in BENCHMARKS.md come from here.
//!
//! - `import`: end-to-end bulk import (parse a JSONL file, validate, store in one transaction).
//! - `read`: latency of `GET /api/v1/achievements/{id}` through the real server over loopback,
//!   with many achievements stored.
//!
//! - `import-docs`: end-to-end document import (decode, clean, extract, store, index), the
//!   figure issue #6 sets a floor for (5 MB/s). `bench docs` times the reading alone; this one
//!   stores every page through `qiao_app::document_import::import_many`, the function behind
//!   `qiao import docs` (the API and the upload form store through its one-file sibling
//!   `import`), then lets the index follower catch up.
//!
//! - `explain`: explaining one hit (shared terms, snippets) on texts of growing size, the
//!   work a search does for every hit it shows; it must not grow past the explained head.
//!
//! All but `explain` use the global `--database` when given (point it at an empty database or schema), and
//! otherwise a fresh SQLite file in a temporary directory. Records are synthetic copies of the
//! demo achievements (real titles and abstracts from CSL and KPPatent-ZH, numbered so each is
//! distinct); documents are the labelled fixtures in every variant `bench docs` reads.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use qiao_domain::{
    Account, Listing, NewAccount, Organisation, Registered, Registration, RegistrationNumber, Role,
};
use qiao_io::{ListingRow, Record};
use qiao_store::Store;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::cli::{BenchCommand, ExplainBenchArgs, ImportDocsBenchArgs};

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
        | BenchCommand::Vectors(_)
        | BenchCommand::Nearest(_) => {
            unreachable!("run by retrieval.rs, model.rs and nearest.rs")
        }
        BenchCommand::Contracts(_) => unreachable!("run by contracts_bench.rs"),
        BenchCommand::Valuation(_) => unreachable!("run by valuation_bench.rs"),
        BenchCommand::Docs(_) | BenchCommand::Explain(_) => {
            unreachable!("run without a store (doc.rs, explain below)")
        }
        BenchCommand::ImportDocs(ref args) => {
            import_docs(&store, backend, scratch.path(), args).await?;
        }
        BenchCommand::Import { records, json } => {
            let file = scratch.path().join("achievements.jsonl");
            qiao_io::write_path(&file, &synthetic(records))?;
            let size = std::fs::metadata(&file)?.len();
            let start = Instant::now();
            let outcome = qiao_io::read_path(&file)?;
            let parsed = start.elapsed();
            let imported =
                qiao_app::bulk_import::import_records(&store, outcome.records, None).await?;
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
            let n = qiao_app::bulk_import::import_records(
                &store,
                rows.into_iter()
                    .enumerate()
                    .map(|(i, r)| (i + 1, r))
                    .collect(),
                None,
            )
            .await?
            .report
            .listings_created;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let server = tokio::spawn(qiao_server::serve(
                listener,
                qiao_server::AppState::open(store.clone(), None).await?,
                qiao_server::Shutdown::on_signals(),
            ));
            let ids = sample_ids(&store, n).await?;
            let paths: Vec<String> = (0..requests)
                .map(|i| format!("/api/v1/achievements/{}", ids[i % ids.len()]))
                .collect();
            let mut latencies = time_gets(addr, Caller::Anonymous, &paths).await?;
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

/// The pages `bench import-docs` stores: every variant of the fixtures, `rounds` times. Each
/// copy ends with one added line of whitespace spelling its number in binary (space for 0, tab
/// for 1), which the reader drops: every copy has its own SHA-256, so the store takes it (two
/// variants may have equal bytes: the UTF-8 page sniffed as HTML is the declared one), yet it
/// reads exactly as the page it copies.
fn distinct_copies(
    variants: &[qiao_docs::samples::Variant],
    rounds: usize,
) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::with_capacity(rounds * variants.len());
    for round in 0..rounds {
        for (i, v) in variants.iter().enumerate() {
            let copy = round * variants.len() + i;
            let mut bytes = v.bytes.clone();
            bytes.push(b'\n');
            bytes.extend(
                format!("{copy:b}")
                    .bytes()
                    .map(|b| if b == b'0' { b' ' } else { b'\t' }),
            );
            bytes.push(b'\n');
            // The name decides how the page is read, as for an imported file.
            let extension = if v.format == qiao_docs::Format::Html {
                "html"
            } else {
                "txt"
            };
            let label = v.label.replace(' ', "-");
            files.push((format!("copy{copy:05}-{label}.{extension}"), bytes));
        }
    }
    files
}

/// `qiao bench import-docs`: reads, imports and indexes at least `args.megabytes` of document
/// pages, and reports each stage.
async fn import_docs(
    store: &Arc<dyn Store>,
    backend: &str,
    scratch: &Path,
    args: &ImportDocsBenchArgs,
) -> anyhow::Result<()> {
    let variants = qiao_docs::eval::corpus(&args.fixtures)
        .with_context(|| format!("cannot read the fixtures in {}", args.fixtures.display()))?;
    let per_round: usize = variants.iter().map(|v| v.bytes.len()).sum();
    if per_round == 0 {
        bail!("no labelled fixtures in {}", args.fixtures.display());
    }
    let rounds = (args.megabytes * 1_000_000).div_ceil(per_round).max(1);
    let files = distinct_copies(&variants, rounds);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / 1e6;

    // Reading alone (decode + clean + extract) over the same pages first: it says how much of
    // the import is the pipeline and how much the store, and it warms the lazily loaded
    // dictionaries, so the timed import below pays for none of that set-up.
    let start = Instant::now();
    for (name, b) in &files {
        std::hint::black_box(qiao_docs::inspect(
            b,
            qiao_docs::Format::from_path(Path::new(name)),
        ));
    }
    let read_s = start.elapsed().as_secs_f64();

    let index_dir = scratch.join("index");
    let index = qiao_search::SearchIndex::open(&index_dir)
        .with_context(|| format!("cannot open the index in {}", index_dir.display()))?;
    let follower = qiao_search::Follower::new(store.clone(), Arc::new(index)).await?;
    // With --follow the index follows the feed while files are stored, as in `serve`, where
    // the follower runs in the background and every write wakes it.
    let background = args.follow.then(|| follower.spawn());

    // As `qiao import docs` stores them: groups of 64 files, each read on every core and
    // written (with the change-feed rows) a transaction per 32 documents.
    let start = Instant::now();
    for group in files.chunks(64) {
        let results = qiao_app::document_import::import_many(store, group.to_vec(), true).await;
        for ((name, _), r) in group.iter().zip(results) {
            r.with_context(|| format!("importing {name}"))?;
        }
        if args.follow {
            follower.wake();
        }
    }
    let import_s = start.elapsed().as_secs_f64();

    // Then the follower catches up with whatever is not indexed yet (everything, without
    // --follow): batches of feed entries, one index commit each.
    let start = Instant::now();
    follower.catch_up().await?;
    let index_s = start.elapsed().as_secs_f64();
    if let Some(task) = background {
        task.abort();
    }
    let indexed = follower.index().num_docs();
    if indexed != files.len() as u64 || follower.reached() < store.last_seq().await? {
        bail!(
            "the index holds {indexed} of {} documents after catching up",
            files.len()
        );
    }

    let total_s = import_s + index_s;
    let rate = |s: f64| mb / s.max(1e-9);
    if args.json {
        println!(
            "{}",
            json!({
                "backend": backend, "follow": args.follow, "documents": files.len(),
                "variants": variants.len(),
                "bytes": bytes, "read_s": read_s, "import_s": import_s, "index_s": index_s,
                "total_s": total_s, "read_mb_per_s": rate(read_s),
                "import_mb_per_s": rate(import_s), "end_to_end_mb_per_s": rate(total_s)
            })
        );
    } else {
        println!(
            "document import end to end ({backend}): {} documents, {mb:.1} MB \
             ({} variants of the fixtures in {}, {rounds} distinct copies of each)",
            files.len(),
            variants.len(),
            args.fixtures.display()
        );
        println!(
            "  read only (decode + clean + extract)  {read_s:>7.2} s  {:>6.1} MB/s",
            rate(read_s)
        );
        if args.follow {
            println!(
                "  import, indexing alongside            {import_s:>7.2} s  {:>6.1} MB/s",
                rate(import_s)
            );
            println!("  index, the rest after the last import {index_s:>7.2} s");
        } else {
            println!(
                "  import (read + hash + store)          {import_s:>7.2} s  {:>6.1} MB/s",
                rate(import_s)
            );
            println!(
                "  index (follower catching up)          {index_s:>7.2} s  {:>6.1} MB/s",
                rate(index_s)
            );
        }
        println!(
            "  import + index (end to end)           {total_s:>7.2} s  {:>6.1} MB/s",
            rate(total_s)
        );
    }
    Ok(())
}

/// `n` achievements owned by one organisation, made from the demo achievements.
fn synthetic(n: usize) -> Vec<Record> {
    let templates = qiao_app::demo::achievements();
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
            given: None,
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

/// Who a timed request comes from.
pub(super) enum Caller<'a> {
    Anonymous,
    /// An API token, as `Authorization: Bearer`.
    Bearer(&'a str),
    /// A browser session, as its cookie (pages read no bearer tokens).
    Session(&'a str),
}

/// Times GETs of `paths` in order on one keep-alive connection, as `caller`; each must answer
/// 200.
pub(super) async fn time_gets(
    addr: std::net::SocketAddr,
    caller: Caller<'_>,
    paths: &[String],
) -> anyhow::Result<Vec<Duration>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = tokio::io::BufReader::new(read);
    let mut latencies = Vec::with_capacity(paths.len());
    let mut line = String::new();
    let mut body = Vec::new();
    let auth = match caller {
        Caller::Anonymous => String::new(),
        Caller::Bearer(t) => format!("Authorization: Bearer {t}\r\n"),
        Caller::Session(c) => format!("Cookie: qiao_session={c}\r\n"),
    };
    for path in paths {
        let start = Instant::now();
        write
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n").as_bytes())
            .await?;
        line.clear();
        read.read_line(&mut line).await?;
        if !line.starts_with("HTTP/1.1 200") {
            bail!("GET {path} answered `{}`", line.trim());
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

/// `qiao bench explain`: the time to explain one hit whose body is a policy text of each
/// size (the fixtures' cleaned articles, repeated), against the query the security review
/// used. Each size is timed over enough repetitions to last about a second.
pub fn explain(args: &ExplainBenchArgs) -> anyhow::Result<ExitCode> {
    let mut article = String::new();
    for entry in std::fs::read_dir(&args.fixtures)
        .with_context(|| format!("cannot read {}", args.fixtures.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt" || e == "html") {
            let doc =
                qiao_docs::inspect(&std::fs::read(&path)?, qiao_docs::Format::from_path(&path));
            article.push_str(&doc.text);
            article.push('\n');
        }
    }
    if article.is_empty() {
        bail!("no fixture texts in {}", args.fixtures.display());
    }
    let query = qiao_search::QueryTerms::from_text(&args.query).finish();
    if !args.json {
        println!("explaining one hit, query \"{}\"", args.query);
        println!(
            "{:>10}  {:>10}  {:>8}  {:>6}",
            "text KB", "ms / hit", "terms", "runs"
        );
    }
    for &kb in &args.kilobytes {
        let mut body = String::with_capacity(kb * 1024 + article.len());
        while body.len() < kb * 1024 {
            body.push_str(&article);
        }
        let texts = qiao_search::document::Texts {
            title: "科技创新政策".into(),
            keywords: String::new(),
            body,
        };
        let start = Instant::now();
        let mut runs = 0u32;
        let mut terms = 0;
        while runs == 0 || (start.elapsed() < Duration::from_secs(1) && runs < 1000) {
            terms = std::hint::black_box(qiao_search::explain::explain(&query, &texts))
                .matched_terms
                .len();
            runs += 1;
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(runs);
        if args.json {
            println!(
                "{}",
                json!({"text_kb": texts.body.len() / 1024, "ms_per_hit": ms, "terms": terms, "runs": runs})
            );
        } else {
            println!(
                "{:>10}  {:>10.2}  {:>8}  {:>6}",
                texts.body.len() / 1024,
                ms,
                terms,
                runs
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The store a benchmark fills: `--database` when given, else a SQLite file in a scratch
/// directory (kept alive by the returned guard), with a commission staff account on it.
pub(super) async fn scratch_store(
    cli: &crate::cli::Cli,
) -> anyhow::Result<(tempfile::TempDir, Arc<dyn Store>, Account)> {
    let scratch = tempfile::tempdir()?;
    let url = match &cli.database {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", scratch.path().join("bench.db").display()),
    };
    let store = qiao_store::open(&url)
        .await
        .with_context(|| format!("cannot open {}", crate::config::redact(&url)))?;
    let staff = store
        .create_account(
            &NewAccount {
                username: "bench-staff".into(),
                display_name: None,
                password: "bench-password".into(),
                role: Role::CommissionStaff,
                org_id: None,
            },
            "x",
        )
        .await?;
    Ok((scratch, store, staff))
}

/// A registration at Shanghai's registry on `day`, numbered `n` within its year.
pub(super) fn registered(n: usize, day: NaiveDate) -> anyhow::Result<Registration> {
    let number = RegistrationNumber::parse(&format!("{}3100{n:08}", day.format("%Y")))
        .map_err(|e| anyhow::anyhow!("registration number: {e:?}"))?;
    Ok(Registration::Registered(Registered {
        number,
        point: "上海市技术合同登记处".into(),
        date: day,
        amendments: Vec::new(),
    }))
}

/// p50, p95, p99 and max in milliseconds.
pub(super) fn percentiles(mut latencies: Vec<Duration>) -> [f64; 4] {
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies[((latencies.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
    };
    [pct(0.5), pct(0.95), pct(0.99), pct(1.0)]
}
