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
