//! The demo data set (`demo/records.jsonl`, built by `demo/build.py` from the shared CSL and
//! KPPatent-ZH records plus hand-written listings), compiled into the binary so that
//! `qiao serve --demo` works from any directory, and the demo accounts.

use std::sync::Arc;

use anyhow::Context;
use qiao_domain::{Listing, NewAccount, OrgKind, Role};
use qiao_io::{Format, Record};
use qiao_store::{OrgFilter, Page, Store};

/// The demo records in Qiao's JSONL import format.
pub const RECORDS: &[u8] = include_bytes!("../../../demo/records.jsonl");

/// Demo accounts: (username, password, role, organisation kind to join). The passwords are
/// published in the README; `serve --demo` warns when listening beyond loopback.
pub const ACCOUNTS: [(&str, &str, Role, Option<OrgKind>); 4] = [
    ("admin", "qiao-demo-admin", Role::Admin, None),
    (
        "staff",
        "qiao-demo-staff",
        Role::CommissionStaff,
        Some(OrgKind::Government),
    ),
    (
        "manager",
        "qiao-demo-manager",
        Role::TechnologyManager,
        Some(OrgKind::ServiceInstitution),
    ),
    (
        "enterprise",
        "qiao-demo-member",
        Role::Member,
        Some(OrgKind::Enterprise),
    ),
];

/// The demo records, parsed. Panics only if the shipped file is broken, which a test rules out.
pub fn records() -> Vec<(usize, Record)> {
    let outcome = qiao_io::read_bytes(Format::Jsonl, RECORDS).expect("the demo file parses");
    assert!(
        outcome.errors.is_empty(),
        "demo records are valid: {:?}",
        outcome.errors.first()
    );
    outcome.records
}

/// The demo achievements, used as realistic templates by the benchmarks.
pub fn achievements() -> Vec<Listing> {
    records()
        .into_iter()
        .filter_map(|(_, r)| match r {
            Record::Listing(row) if matches!(row.listing, Listing::Achievement(_)) => {
                Some(row.listing)
            }
            _ => None,
        })
        .collect()
}

/// Loads the demo set and accounts when the store holds no organisation yet.
pub async fn load_if_empty(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    let one = Page { number: 1, size: 1 };
    if store.list_orgs(&OrgFilter::default(), one).await?.total > 0 {
        println!("演示数据已存在 · demo data already present (the database is not empty)");
        return Ok(());
    }
    let outcome = qiao_server::import::import_records(store, records()).await?;
    if let Some(e) = outcome.errors.first() {
        anyhow::bail!("demo record on line {} was refused: {}", e.line, e.message);
    }
    let report = outcome.report;
    for (username, password, role, org_kind) in ACCOUNTS {
        let org_id = match org_kind {
            None => None,
            Some(kind) => {
                let filter = OrgFilter {
                    kind: Some(kind),
                    ..Default::default()
                };
                Some(
                    store
                        .list_orgs(&filter, one)
                        .await?
                        .items
                        .first()
                        .with_context(|| format!("the demo set has no {kind:?} organisation"))?
                        .id,
                )
            }
        };
        let new = NewAccount {
            username: username.into(),
            display_name: None,
            password: password.into(),
            role,
            org_id,
        };
        store
            .create_account(&new, &qiao_server::auth::hash_password(password))
            .await?;
    }
    println!(
        "已载入演示数据 · demo data loaded: {} organisations, {} listings",
        report.organisations_created, report.listings_created
    );
    println!("演示账号 · demo accounts (username / password):");
    for (username, password, role, _) in ACCOUNTS {
        println!("  {username} / {password}  ({})", role.label_zh());
    }
    Ok(())
}
