//! `qiao bench contracts`: the figures issue #24 sets (with 1,000,000 registered contracts,
//! `/statistics` and the 成交额 target's actual at p95 ≤ 100 ms on SQLite and PostgreSQL;
//! registry-list import ≥ 10,000 rows/s into SQLite).
//!
//! The contracts are synthetic but shaped like a registry's: sixteen districts, every type and
//! field with the shares a district reports, amounts log-uniform from 5万 to 2000万, five years
//! of registration days; one in a hundred comes from a deal brokered by one or two of fifty
//! technology managers, so credit by manager has work to do. The list is written as a CSV
//! registry list with Chinese headers and imported the way `qiao import contracts` does it
//! (read, validate, store in one transaction). Reads go through the real HTTP server on
//! loopback, as a staff account's API token, one keep-alive connection: the statistics of a
//! pseudo-random year and district, and the targets list with a 成交额 target per district.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use qiao_domain::{
    Contract, ContractKind, Deal, IpType, LegalPersonType, ManagerShare, NewAccount, Origin, Party,
    PaymentTerms, Registration, Role, Target, TechField,
};
use serde_json::json;

use qiao_app::demo_deals::Draw;

use super::bench::{Caller, percentiles, registered, scratch_store, time_gets};
use crate::cli::ContractsBenchArgs;

const DISTRICTS: [&str; 16] = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
];
const YEARS: [i32; 5] = [2022, 2023, 2024, 2025, 2026];

/// A valid 统一社会信用代码 for party `n` (GB 32100-2015 check character).
fn credit_code(n: usize) -> String {
    let first = format!("91310000MA1{n:06}");
    let check = qiao_domain::codes::credit_code_check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

fn party(n: usize, district: &str, legal_person: LegalPersonType) -> Party {
    Party {
        name: format!("上海示例{n}科技有限公司"),
        credit_code: Some(credit_code(n)),
        legal_person,
        district: district.to_string(),
        org_id: None,
    }
}

/// Contract `n` and its registration.
fn contract(
    draw: &mut Draw,
    n: usize,
    deal_id: Option<i64>,
) -> anyhow::Result<(Contract, Registration)> {
    let kinds = ContractKind::ALL;
    let fields = TechField::ALL;
    let kind = kinds[draw.below(kinds.len())];
    let field = fields[draw.below(fields.len())];
    let amount_fen = qiao_app::demo_deals::amount(draw);
    let year = YEARS[draw.below(YEARS.len())];
    let day = NaiveDate::from_ymd_opt(year, 1, 1).context("year")?
        + chrono::Duration::days(draw.below(365) as i64);
    let seller = party(
        draw.below(20_000),
        DISTRICTS[draw.below(16)],
        LegalPersonType::University,
    );
    let buyer = party(
        20_000 + draw.below(40_000),
        DISTRICTS[draw.below(16)],
        LegalPersonType::Enterprise,
    );
    let non_technical = if draw.below(4) == 0 {
        vec![qiao_domain::NonTechnicalItem {
            name: "设备".into(),
            amount_fen: amount_fen / 10,
        }]
    } else {
        Vec::new()
    };
    let contract = Contract {
        name: format!("{}技术合同{n}", field.label_zh()),
        kind,
        seller,
        buyer,
        field,
        ip_type: IpType::NotInvolved,
        amount_fen,
        non_technical,
        signed_on: day,
        performance_from: day,
        performance_to: day + chrono::Duration::days(365),
        payment: PaymentTerms::LumpSum { due_on: None },
        deal_id,
        listing_ids: Vec::new(),
    };
    Ok((contract, registered(n, day)?))
}

pub async fn run(cli: &crate::cli::Cli, args: &ContractsBenchArgs) -> anyhow::Result<ExitCode> {
    let (scratch, store, staff) = scratch_store(cli).await?;
    let backend = store.backend().name();

    // Fifty managers, two hundred deals; every hundredth contract comes from one of them.
    let mut managers = Vec::new();
    for i in 0..50 {
        let a = store
            .create_account(
                &NewAccount {
                    username: format!("bench-manager-{i}"),
                    display_name: None,
                    password: "bench-password".into(),
                    role: Role::TechnologyManager,
                    org_id: None,
                },
                "x",
            )
            .await?;
        managers.push(a.id);
    }
    let mut draw = Draw(0x5149_414f_0024);
    // Deals concern listings: one demo achievement stands for all of them.
    let achievement = qiao_app::demo::achievements()
        .into_iter()
        .next()
        .context("the demo set has achievements")?;
    let listing = store.create_listing(None, &achievement).await?.id;
    let mut deal_ids = Vec::new();
    for i in 0..200 {
        let first = managers[i % managers.len()];
        let second = managers[(i * 7 + 3) % managers.len()];
        let shares = if first == second || i % 2 == 0 {
            vec![ManagerShare {
                account_id: first,
                share_bp: 10_000,
            }]
        } else {
            vec![
                ManagerShare {
                    account_id: first,
                    share_bp: 6_000,
                },
                ManagerShare {
                    account_id: second,
                    share_bp: 4_000,
                },
            ]
        };
        let deal = Deal {
            title: format!("基准交易{i}"),
            listing_ids: vec![listing],
            seller_org_id: None,
            buyer_org_id: None,
            managers: shares,
            origin: Origin::ByHand,
            stage: qiao_domain::DealStage::Lead,
            status: Default::default(),
            next_step: None,
            expected_amount_fen: Some(1_000_000),
            expected_close_on: NaiveDate::from_ymd_opt(2026, 12, 1),
            district: Some(DISTRICTS[i % 16].to_string()),
            field: None,
        };
        let event = deal.opened(first, chrono::Utc::now(), None);
        deal_ids.push(store.create_deal(&deal, &event).await?.id);
    }

    // The registry list as a commission receives it, then imported as `qiao import contracts`.
    let mut rows = Vec::with_capacity(args.contracts);
    for n in 0..args.contracts {
        let deal = (n % 100 == 0).then(|| deal_ids[draw.below(deal_ids.len())]);
        rows.push(contract(&mut draw, n, deal)?);
    }
    let file = scratch.path().join("contracts.csv");
    crate::commands::contracts::write_list(&file, &rows)?;
    drop(rows);
    let size = std::fs::metadata(&file)?.len();
    let start = Instant::now();
    let imported = crate::commands::contracts::import_file(&store, &file, false).await?;
    let import_s = start.elapsed().as_secs_f64();
    if imported != args.contracts {
        bail!(
            "the benchmark import stored {imported} of {} contracts",
            args.contracts
        );
    }
    let rate = args.contracts as f64 / import_s;

    // A 成交额 target per district for the latest year, so the targets list computes sixteen
    // actuals from the contracts per request.
    let targets: Vec<Target> = DISTRICTS
        .iter()
        .map(|d| {
            serde_json::from_value(json!({
                "region": d, "year": 2026, "indicator": "技术合同成交额", "value": 5.0e9,
                "unit": "元", "qualifier": "达", "metric": {"kind": "contract_turnover"}
            }))
        })
        .collect::<Result<_, _>>()?;
    store.create_targets(&targets).await?;
    let (token, hash) = qiao_app::credentials::new_token();
    store.create_token(staff.id, "bench", &hash).await?;
    // The page is read as a signed-in member of staff: a session, as a browser holds it.
    let (cookie, cookie_hash) = qiao_app::credentials::new_token();
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    store
        .create_session(staff.id, &cookie_hash, "bench-csrf", expires)
        .await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(qiao_server::serve(
        listener,
        qiao_server::AppState::open(store.clone(), None).await?,
        qiao_server::Shutdown::on_signals(),
    ));
    let mut paths = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let year = YEARS[draw.below(YEARS.len())];
        let district = if draw.below(4) == 0 {
            String::new()
        } else {
            format!("&district={}", urlencoding_lite(DISTRICTS[draw.below(16)]))
        };
        paths.push(format!(
            "/api/v1/statistics/contracts?year={year}{district}"
        ));
    }
    let statistics = percentiles(time_gets(addr, Caller::Bearer(&token), &paths).await?);
    // The same years and districts as the page staff open: totals, charts drawn as SVG, tables.
    let page_paths: Vec<String> = paths
        .iter()
        .map(|p| p.replace("/api/v1/statistics/contracts", "/statistics"))
        .collect();
    let page = percentiles(time_gets(addr, Caller::Session(&cookie), &page_paths).await?);
    let target_paths: Vec<String> = (0..args.requests.div_ceil(4))
        .map(|_| "/api/v1/targets?year=2026".to_string())
        .collect();
    let target_actuals = percentiles(time_gets(addr, Caller::Bearer(&token), &target_paths).await?);
    server.abort();

    if args.json {
        println!(
            "{}",
            json!({
                "backend": backend, "contracts": args.contracts, "csv_bytes": size,
                "import_s": import_s, "import_rows_per_s": rate,
                "statistics_ms": statistics, "statistics_page_ms": page,
                "targets_ms": target_actuals,
            })
        );
    } else {
        println!(
            "contracts ({backend}): {} registered, {:.1} MB of CSV",
            args.contracts,
            size as f64 / 1e6
        );
        println!("  import (read + validate + store)  {import_s:>8.2} s   {rate:>8.0} rows/s");
        let show = |what: &str, p: &[f64; 4]| {
            println!(
                "  {what:<44} p50 {:.2} ms   p95 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
                p[0], p[1], p[2], p[3]
            );
        };
        show("GET /api/v1/statistics/contracts", &statistics);
        show("GET /statistics (page, SVG charts)", &page);
        show("GET /api/v1/targets (16 成交额 targets)", &target_actuals);
    }
    Ok(ExitCode::SUCCESS)
}

/// Percent-encodes a district name for a query string.
fn urlencoding_lite(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
