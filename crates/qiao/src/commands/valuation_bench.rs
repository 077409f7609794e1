//! `qiao bench valuation`: the figure issue #25 sets (a valuation with the market approach
//! over 1,000,000 registered contracts answers in ≤ 200 ms p95).
//!
//! The contracts are synthetic, named as a registry's are ("<technology> <subject>合同"): the
//! technology words are drawn from the demo achievements' keywords and titles (hundreds of
//! distinct terms, so some are common and most are rare, as in real names), the types and
//! fields uniformly. For the first achievements, three registered contracts named after their
//! title are planted, and one draft contract with exactly the title that is never registered
//! (a confidential deal's draft): every answer for them must hold the planted contracts and
//! never the draft. Each timed request is `POST /api/v1/listings/{id}/valuations` through the
//! real server on loopback (compute the three approaches, search the comparables, save a
//! version), one keep-alive connection, as a staff account's API token.

use super::bench::{percentiles, registered, scratch_store};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use qiao_app::demo_deals::Draw;
use qiao_domain::{
    Contract, ContractKind, IpType, LegalPersonType, Listing, Party, PaymentTerms, Registration,
    TechField,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::cli::ValuationBenchArgs;

/// Achievements valued in turn.
const SUBJECTS: usize = 40;
/// Achievements with planted comparables and a planted draft.
const PLANTED: usize = 5;

fn party(n: usize, legal_person: LegalPersonType) -> Party {
    let first = format!("91310000MA1{n:06}");
    let check = qiao_domain::codes::credit_code_check_char(&first).unwrap_or('0');
    Party {
        name: format!("上海示例{n}科技有限公司"),
        credit_code: Some(format!("{first}{check}")),
        legal_person,
        district: "闵行区".into(),
        org_id: None,
    }
}

fn subject(kind: ContractKind) -> &'static str {
    use qiao_domain::ContractCategory::*;
    match kind.category() {
        Development => "技术开发合同",
        Transfer => "专利权转让合同",
        Licence => "技术实施许可合同",
        Consulting => "技术咨询合同",
        Service => "技术服务合同",
    }
}

fn contract(
    name: String,
    kind: ContractKind,
    field: TechField,
    amount_fen: i64,
    day: NaiveDate,
) -> Contract {
    Contract {
        name: name.chars().take(200).collect(),
        kind,
        seller: party(1, LegalPersonType::University),
        buyer: party(2, LegalPersonType::Enterprise),
        field,
        ip_type: IpType::InventionPatent,
        amount_fen,
        non_technical: Vec::new(),
        signed_on: day,
        performance_from: day,
        performance_to: day + chrono::Duration::days(365),
        payment: PaymentTerms::LumpSum { due_on: None },
        deal_id: None,
        listing_ids: Vec::new(),
    }
}

pub async fn run(cli: &crate::cli::Cli, args: &ValuationBenchArgs) -> anyhow::Result<ExitCode> {
    let (_scratch, store, staff) = scratch_store(cli).await?;
    let backend = store.backend().name();
    let achievements: Vec<Listing> = qiao_app::demo::achievements();
    let mut words: Vec<String> = Vec::new();
    for a in &achievements {
        if let Listing::Achievement(a) = a {
            words.extend(
                a.keywords
                    .iter()
                    .filter(|k| k.chars().count() <= 12)
                    .cloned(),
            );
        }
    }
    words.sort();
    words.dedup();
    if words.is_empty() {
        bail!("the demo achievements have no keywords");
    }
    let mut subjects = Vec::new();
    // Drafts are their owners' alone (staff value only what they can see).
    for a in achievements
        .iter()
        .filter(|a| a.status() != qiao_domain::Status::Draft)
        .take(SUBJECTS)
    {
        subjects.push((
            store.create_listing(None, a).await?.id,
            a.title().to_string(),
        ));
    }

    // The registry: N registered contracts, stored in transactions of 20,000.
    let mut draw = Draw(0x5149_414f_0025);
    let start = Instant::now();
    let mut n = 0usize;
    let mut planted_ids: Vec<Vec<i64>> = vec![Vec::new(); PLANTED];
    let mut drafts = Vec::new();
    while n < args.contracts {
        let mut rows = Vec::with_capacity(20_000);
        while rows.len() < 20_000 && n < args.contracts {
            let kind = ContractKind::ALL[draw.below(ContractKind::ALL.len())];
            let field = TechField::ALL[draw.below(TechField::ALL.len())];
            let a = &words[draw.below(words.len())];
            let b = &words[draw.below(words.len())];
            let day = NaiveDate::from_ymd_opt(2022 + draw.below(5) as i32, 1, 1).context("day")?
                + chrono::Duration::days(draw.below(365) as i64);
            let c = contract(
                format!("{a}{b}{}", subject(kind)),
                kind,
                field,
                qiao_app::demo_deals::amount(&mut draw),
                day,
            );
            rows.push((c, registered(n, day)?));
            n += 1;
        }
        store.import_contracts(&rows).await?;
    }
    let day = NaiveDate::from_ymd_opt(2025, 6, 1).context("day")?;
    for (i, (_, title)) in subjects.iter().take(PLANTED).enumerate() {
        for (j, kind) in [
            ContractKind::TransferPatent,
            ContractKind::LicenceExclusive,
            ContractKind::LicenceOrdinary,
        ]
        .into_iter()
        .enumerate()
        {
            let c = contract(
                format!("{title}{}", subject(kind)),
                kind,
                TechField::NewMaterials,
                50_000_000 + 10_000_000 * j as i64,
                day,
            );
            let r = store
                .create_contract(&c, &registered(args.contracts + i * 3 + j, day)?, None)
                .await?;
            planted_ids[i].push(r.id);
        }
        let draft = contract(
            title.clone(),
            ContractKind::TransferPatent,
            TechField::NewMaterials,
            90_000_000,
            day,
        );
        drafts.push(
            store
                .create_contract(&draft, &Registration::Draft, None)
                .await?
                .id,
        );
    }
    let store_s = start.elapsed().as_secs_f64();

    let (token, hash) = qiao_app::credentials::new_token();
    store.create_token(staff.id, "bench", &hash).await?;
    let start = Instant::now();
    let state = qiao_server::AppState::open(store.clone(), None).await?;
    state.comparables.catch_up().await?;
    let build_s = start.elapsed().as_secs_f64();
    let indexed = state.comparables.index().num_docs();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(qiao_server::serve(
        listener,
        state,
        qiao_server::Shutdown::on_signals(),
    ));

    let reference = store.valuation_reference().await?;
    let mut requests = Vec::with_capacity(args.requests);
    for i in 0..args.requests {
        let (id, _) = subjects[i % subjects.len()];
        let view =
            qiao_app::valuations::subject_view(&store, qiao_store::ValuationSubject::Listing(id))
                .await?;
        let inputs = qiao_app::valuations::starting_inputs(&view, &reference, qiao_domain::today());
        requests.push((
            i % subjects.len(),
            format!("/api/v1/listings/{id}/valuations"),
            json!({"inputs": inputs}).to_string(),
        ));
    }
    let (latencies, bodies) = time_posts(addr, &token, &requests).await?;
    server.abort();

    // Every answer for a planted achievement holds its registered contracts, never the draft.
    let mut checked = 0;
    let mut comparables_found = 0usize;
    for ((subject, _, _), body) in requests.iter().zip(&bodies) {
        let found: Vec<i64> = body["inputs"]["market"]["comparables"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["contract_id"].as_i64()).collect())
            .unwrap_or_default();
        comparables_found += found.len();
        if *subject < PLANTED {
            for id in &planted_ids[*subject] {
                if !found.contains(id) {
                    bail!(
                        "achievement {subject}: planted contract {id} not among the comparables {found:?}"
                    );
                }
            }
            checked += 1;
        }
        if let Some(d) = drafts.iter().find(|d| found.contains(d)) {
            bail!("the draft contract {d} was offered as a comparable");
        }
    }
    let p = percentiles(latencies);
    let mean_comparables = comparables_found as f64 / requests.len().max(1) as f64;
    if args.json {
        println!(
            "{}",
            json!({"backend": backend, "contracts": args.contracts, "store_s": store_s,
                   "index_build_s": build_s, "indexed": indexed, "requests": args.requests,
                   "valuation_ms": p, "mean_comparables": mean_comparables, "planted_checked": checked})
        );
    } else {
        println!(
            "valuation ({backend}): {} registered contracts ({indexed} indexed)",
            args.contracts
        );
        println!("  store the contracts                  {store_s:>8.1} s");
        println!("  build the comparables index          {build_s:>8.1} s");
        println!(
            "  POST /api/v1/listings/{{id}}/valuations  p50 {:.1} ms   p95 {:.1} ms   p99 {:.1} ms   max {:.1} ms  ({} requests, {mean_comparables:.1} comparables each)",
            p[0], p[1], p[2], p[3], args.requests
        );
        println!(
            "  planted comparables found in all {checked} checked answers; the draft never offered"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Times POSTs of JSON bodies in order on one keep-alive connection; each must answer 201.
async fn time_posts(
    addr: std::net::SocketAddr,
    token: &str,
    requests: &[(usize, String, String)],
) -> anyhow::Result<(Vec<Duration>, Vec<Value>)> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = tokio::io::BufReader::new(read);
    let mut latencies = Vec::with_capacity(requests.len());
    let mut bodies = Vec::with_capacity(requests.len());
    let mut line = String::new();
    for (_, path, body) in requests {
        let start = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        write.write_all(head.as_bytes()).await?;
        write.write_all(body.as_bytes()).await?;
        line.clear();
        read.read_line(&mut line).await?;
        let status = line.trim().to_string();
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
        let mut buf = vec![0; length];
        read.read_exact(&mut buf).await?;
        latencies.push(start.elapsed());
        if !status.starts_with("HTTP/1.1 201") {
            bail!(
                "POST {path} answered `{status}`: {}",
                String::from_utf8_lossy(&buf)
            );
        }
        bodies.push(serde_json::from_slice(&buf)?);
    }
    Ok((latencies, bodies))
}
