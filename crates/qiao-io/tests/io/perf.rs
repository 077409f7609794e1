//! Reading speed on 100,000 achievements. Ignored by default (debug builds are slow); run with
//! `cargo test -p qiao-io --release -- --ignored --nocapture perf`.

use std::time::Instant;

use qiao_domain::Kind;
use qiao_io::{Format, ListingRow, Record};
use serde_json::json;

use crate::common::{code, listing};

#[test]
#[ignore = "a benchmark; run it in release mode"]
fn perf_hundred_thousand_achievements() {
    let records: Vec<Record> = (0..100_000)
        .map(|i| {
            Record::Listing(ListingRow {
                id: None,
                owner: Some(code(1)),
                listing: listing(Kind::Achievement, json!({
                    "title": format!("相变材料电池热管理系统 {i}"),
                    "summary": "一种电池包热管理方法，利用相变材料吸收电芯在大倍率放电时产生的热量，降低温升并提高循环寿命。".repeat(4),
                    "keywords": ["电池", "热管理", "相变材料"], "discipline": "新能源",
                    "ipc_codes": ["H01M 10/613"], "trl": 6, "stage": "pilot",
                    "transfer_modes": ["license", "transfer"], "price_min_yuan": 500_000,
                    "district": "闵行区", "expires_on": "2027-12-31",
                    "contact": {"name": "王老师", "email": "wang@example.edu.cn"}
                })),
                given: None,
            })
        })
        .collect();
    for format in Format::ALL {
        let start = Instant::now();
        let bytes = qiao_io::write_bytes(format, &records).unwrap();
        let written = start.elapsed();
        let start = Instant::now();
        let outcome = qiao_io::read_bytes(format, &bytes).unwrap();
        let read = start.elapsed();
        assert_eq!(outcome.records.len(), records.len());
        println!(
            "{format:?}: {:.1} MB, write {:.2} s, read+validate {:.2} s ({:.0} records/s)",
            bytes.len() as f64 / 1e6,
            written.as_secs_f64(),
            read.as_secs_f64(),
            records.len() as f64 / read.as_secs_f64()
        );
    }
}

/// Reading speed of contract lists: 100,000 registered contracts written as the registry's list
/// and read back (cells converted, amounts to 分, every contract validated). Run with
/// `cargo test -p qiao-io --release --test io -- --ignored --nocapture perf_hundred_thousand_contracts`.
#[test]
#[ignore = "a benchmark; run it in release mode"]
fn perf_hundred_thousand_contracts() {
    use qiao_domain::{
        Contract, ContractKind, IpType, LegalPersonType, Party, PaymentTerms, Registered,
        RegistrationNumber, TechField,
    };
    use qiao_io::ContractListRow;

    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let districts = ["闵行区", "浦东新区", "徐汇区", "杨浦区", "嘉定区", "松江区"];
    let rows: Vec<ContractListRow> = (0..100_000usize)
        .map(|i| {
            let party = |n: usize, legal_person| Party {
                name: format!("上海示例科技有限公司{n}"),
                credit_code: Some(code((n % 90_000) as u32)),
                legal_person,
                district: districts[n % districts.len()].into(),
                org_id: None,
            };
            let amount_fen = 1_000_000 + (i as i64 * 7_919) % 500_000_000;
            let mut contract = Contract {
                name: format!("一种锂电池隔膜制备方法的专利权转让合同 {i}"),
                kind: ContractKind::ALL[i % ContractKind::ALL.len()],
                seller: party(i, LegalPersonType::University),
                buyer: party(i + 1, LegalPersonType::Enterprise),
                field: TechField::ALL[i % TechField::ALL.len()],
                ip_type: IpType::ALL[i % IpType::ALL.len()],
                amount_fen,
                non_technical: vec![],
                signed_on: day("2026-03-02"),
                performance_from: day("2026-03-02"),
                performance_to: day("2027-03-01"),
                payment: PaymentTerms::LumpSum { due_on: None },
                deal_id: None,
                listing_ids: vec![],
            };
            contract.validate().unwrap();
            ContractListRow {
                line: 0,
                contract,
                registered: Some(Registered {
                    number: RegistrationNumber::parse(&format!("2026310112{i:06}")).unwrap(),
                    point: "闵行区技术合同登记点".into(),
                    date: day("2026-03-20"),
                    amendments: vec![],
                }),
            }
        })
        .collect();
    for format in Format::ALL {
        let start = Instant::now();
        let bytes = qiao_io::write_contract_list(format, &rows).unwrap();
        let written = start.elapsed();
        let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
        let outcome = qiao_io::read_contract_list(format, &bytes).unwrap();
        let (read, cpu) = (start.elapsed(), thread_cpu_seconds() - cpu_start);
        assert!(outcome.errors.is_empty(), "{:?}", &outcome.errors[..1]);
        assert_eq!(outcome.rows.len(), rows.len());
        println!(
            "contracts {format:?}: {:.1} MB, write {:.2} s, read+validate {:.2} s ({:.0} rows/s), \
             {cpu:.2} CPU-s ({:.0} rows per CPU-second)",
            bytes.len() as f64 / 1e6,
            written.as_secs_f64(),
            read.as_secs_f64(),
            rows.len() as f64 / read.as_secs_f64(),
            rows.len() as f64 / cpu
        );
    }
}

/// CPU time this thread has used, in seconds (Linux's schedstat; NaN elsewhere): reading is
/// single-threaded, and on a shared machine its CPU time says more than the wall clock.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}
