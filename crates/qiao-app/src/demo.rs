//! The demo data set (`demo/records.jsonl`, built by `demo/build.py` from the shared CSL and
//! KPPatent-ZH records plus hand-written listings), compiled into the binary so that
//! `qiao serve --demo` works from any directory, and the demo accounts. Loading goes through
//! the same bulk import as any file ([`crate::bulk_import`]); the command line says what it
//! loaded.
//!
//! Certificates loaded from any file are claims awaiting verification; the demo's invented
//! certificates are then marked verified by the demo `staff` account (source "演示数据"), so
//! targets, statistics and policy checks show meaningful counts from the first start.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use qiao_domain::{Listing, NewAccount, Policy, Role, Target, Verification};
use qiao_io::{Format, Record};
use qiao_store::{OrgFilter, Page, Store, Verdict};

use crate::error::{AppError, AppResult};

/// The demo records in Qiao's JSONL import format.
pub const RECORDS: &[u8] = include_bytes!("../../../demo/records.jsonl");

/// Demo policies and targets (`demo/plans.json`), written by hand; dates move like the records'.
pub const PLANS: &str = include_str!("../../../demo/plans.json");

/// The day the demo file's dates are written relative to (`BASE` in `demo/build.py`). Loading
/// moves every date by the days between it and today, so deadlines, application windows and
/// certificate expiries look the same whenever the demo is started.
const WRITTEN_ON: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date");

/// Demo accounts: (username, password, role, 统一社会信用代码 of the organisation to join).
/// The passwords are published in the README; `serve --demo` warns when listening beyond
/// loopback.
pub const ACCOUNTS: [(&str, &str, Role, Option<&str>); 4] = [
    ("admin", "qiao-demo-admin", Role::Admin, None),
    // 闵行区科学技术委员会（演示）
    (
        "staff",
        "qiao-demo-staff",
        Role::CommissionStaff,
        Some("11310112QD00000014"),
    ),
    // 申桥技术转移服务中心
    (
        "manager",
        "qiao-demo-manager",
        Role::TechnologyManager,
        Some("52310112QD00000033"),
    ),
    // 上海砺能动力电池有限公司
    (
        "enterprise",
        "qiao-demo-member",
        Role::Member,
        Some("91310112MA1QD0021E"),
    ),
];

/// Moves every `"YYYY-MM-DD"` string in JSON text by `days`.
fn shift_dates(text: &str, days: i64) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 12 <= b.len() {
        let candidate = &b[i..i + 12];
        let shape = candidate[0] == b'"'
            && candidate[11] == b'"'
            && candidate[5] == b'-'
            && candidate[8] == b'-'
            && [1, 2, 3, 4, 6, 7, 9, 10]
                .iter()
                .all(|&k| candidate[k].is_ascii_digit());
        if shape && let Ok(d) = NaiveDate::parse_from_str(&text[i + 1..i + 11], "%Y-%m-%d") {
            out.push_str(&text[copied..i]);
            out.push_str(&format!("\"{}\"", d + chrono::Duration::days(days)));
            i += 12;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The demo records with their dates moved to today, parsed. Panics only if the shipped file
/// is broken, which a test rules out.
pub fn records() -> Vec<(usize, Record)> {
    let today = qiao_domain::today();
    let text = std::str::from_utf8(RECORDS).expect("the demo file is UTF-8");
    let shifted = shift_dates(text, (today - WRITTEN_ON).num_days());
    let outcome =
        qiao_io::read_bytes(Format::Jsonl, shifted.as_bytes()).expect("the demo file parses");
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

/// A fault of the shipped demo files (which tests rule out), with where it lies.
fn broken(at: impl std::fmt::Display, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{at}: {e}").into())
}

/// The demo policies and targets, dates moved to today and validated.
pub fn plans() -> AppResult<(Vec<Policy>, Vec<Target>)> {
    #[derive(serde::Deserialize)]
    struct Plans {
        policies: Vec<Policy>,
        targets: Vec<Target>,
    }
    let shifted = shift_dates(PLANS, (qiao_domain::today() - WRITTEN_ON).num_days());
    let mut plans: Plans =
        serde_json::from_str(&shifted).map_err(|e| broken("demo/plans.json", e))?;
    for (i, p) in plans.policies.iter_mut().enumerate() {
        p.validate()
            .map_err(|e| broken(format!("demo/plans.json policies[{i}]"), e))?;
    }
    // Target years move with the dates: the demo's targets are always this year's.
    let years = qiao_domain::today().year() - WRITTEN_ON.year();
    for (i, t) in plans.targets.iter_mut().enumerate() {
        t.year += years;
        t.validate()
            .map_err(|e| broken(format!("demo/plans.json targets[{i}]"), e))?;
    }
    Ok((plans.policies, plans.targets))
}

/// What loading the demo stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Organisations created.
    pub organisations: usize,
    /// Listings created.
    pub listings: usize,
    /// Policies created.
    pub policies: usize,
    /// Targets created.
    pub targets: usize,
    /// Deals opened.
    pub deals: usize,
    /// Technology contracts recorded.
    pub contracts: usize,
    /// Applications to challenges submitted.
    pub applications: usize,
    /// Instrument slots offered.
    pub slots: usize,
    /// Instrument bookings made.
    pub bookings: usize,
}

/// Loads the demo set and accounts when the store holds no organisation yet; `None` when it
/// held some and nothing was loaded.
pub async fn load_if_empty(store: &Arc<dyn Store>) -> AppResult<Option<Loaded>> {
    let one = Page { number: 1, size: 1 };
    if store.list_orgs(&OrgFilter::default(), one).await?.total > 0 {
        return Ok(None);
    }
    let outcome = crate::bulk_import::import_records(store, records(), None).await?;
    if let Some(e) = outcome.errors.first() {
        return Err(broken(
            format!("demo record on line {}", e.line),
            format!("refused: {}", e.message()),
        ));
    }
    let report = outcome.report;
    let mut staff_id = None;
    let mut manager_id = None;
    let mut enterprise = None;
    for (username, password, role, credit_code) in ACCOUNTS {
        let org_id = match credit_code {
            None => None,
            Some(code) => Some(
                store
                    .org_by_credit_code(code)
                    .await?
                    .ok_or_else(|| broken("demo/records.jsonl", format!("no organisation {code}")))?
                    .id,
            ),
        };
        let new = NewAccount {
            username: username.into(),
            display_name: None,
            password: password.into(),
            role,
            org_id,
        };
        let account = store
            .create_account(&new, &crate::credentials::hash_password(password))
            .await?;
        match role {
            Role::CommissionStaff => staff_id = Some((account.id, account.username)),
            Role::TechnologyManager => manager_id = Some(account.id),
            Role::Member => enterprise = org_id.map(|o| (account.id, o)),
            _ => {}
        }
    }
    let (staff_id, staff_name) =
        staff_id.ok_or_else(|| broken("demo accounts", "they include no commission staff"))?;
    verify_demo_certificates(&store.acting_as(staff_id), staff_id, &staff_name).await?;
    let (policies, targets) = plans()?;
    for p in &policies {
        store.create_policy(p).await?;
    }
    store.create_targets(&targets).await?;
    let manager_id =
        manager_id.ok_or_else(|| broken("demo accounts", "they include no technology manager"))?;
    let deals = crate::demo_deals::load(store, manager_id, staff_id, qiao_domain::today()).await?;
    let comparables =
        crate::demo_comparables::load(store, manager_id, staff_id, qiao_domain::today()).await?;
    let applications = crate::demo_applications::load(store, staff_id).await?;
    let enterprise =
        enterprise.ok_or_else(|| broken("demo accounts", "they include no enterprise member"))?;
    let booked =
        crate::demo_bookings::load(store, staff_id, enterprise, qiao_domain::booking::now_cst())
            .await?;
    Ok(Some(Loaded {
        organisations: report.organisations_created,
        listings: report.listings_created,
        policies: policies.len(),
        targets: targets.len(),
        deals: deals.deals,
        contracts: deals.contracts + comparables,
        applications,
        slots: booked.slots,
        bookings: booked.bookings,
    }))
}

/// Marks every certificate of the demo organisations verified by the demo staff account.
async fn verify_demo_certificates(
    store: &Arc<dyn Store>,
    staff_id: i64,
    staff_name: &str,
) -> AppResult<()> {
    let now = chrono::Utc::now();
    for number in 1.. {
        let page = store
            .list_orgs(
                &OrgFilter::default(),
                Page {
                    number,
                    size: Page::MAX_SIZE,
                },
            )
            .await?;
        for o in &page.items {
            let verdicts = o
                .org
                .certificates
                .iter()
                .enumerate()
                .map(|(index, c)| {
                    Ok(Verdict {
                        index,
                        kind: c.kind,
                        verification: Verification::verified(
                            staff_id,
                            staff_name,
                            now,
                            c.number.as_deref(),
                            Some("演示数据".into()),
                        )?,
                    })
                })
                .collect::<Result<Vec<_>, qiao_domain::Invalid>>()?;
            if !verdicts.is_empty() {
                store.verify_certificates(o.id, &verdicts).await?;
            }
        }
        if page.items.len() < Page::MAX_SIZE as usize {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_and_nothing_else_changes() {
        let line = r#"{"title":"2025-01-01 年度","expires_on":"2026-11-30","apply":["2026-12-31"],"x":"2026-13-01"}"#;
        assert_eq!(
            shift_dates(line, 2),
            r#"{"title":"2025-01-01 年度","expires_on":"2026-12-02","apply":["2027-01-02"],"x":"2026-13-01"}"#
        );
        assert_eq!(shift_dates("", 5), "");
    }

    #[test]
    fn demo_policies_reach_some_demo_enterprises_and_not_others() {
        let (policies, targets) = plans().unwrap();
        assert_eq!((policies.len(), targets.len()), (4, 6));
        let today = qiao_domain::today();
        let enterprises: Vec<_> = records()
            .into_iter()
            .filter_map(|(_, r)| match r {
                Record::Organisation(o) if o.kind == qiao_domain::OrgKind::Enterprise => Some(o),
                _ => None,
            })
            .map(|mut o| {
                // As the loader leaves them: verified by the demo staff.
                for c in &mut o.certificates {
                    c.verification =
                        Verification::verified(2, "staff", chrono::Utc::now(), None, None).unwrap();
                }
                o
            })
            .collect();
        for p in &policies {
            let outcomes: std::collections::BTreeSet<_> = enterprises
                .iter()
                .map(|o| p.check(o, today).outcome)
                .collect();
            assert!(outcomes.len() >= 2, "{}: {outcomes:?}", p.title);
        }
        let counted = targets[0].count(&enterprises, today).unwrap();
        assert!(counted > 10, "{counted}");
        assert_eq!(targets[0].year, today.year());
    }

    #[test]
    fn every_demo_record_is_valid_and_every_account_has_its_organisation() {
        let records = records();
        assert!(records.len() > 500);
        for (_, _, _, code) in ACCOUNTS {
            if let Some(code) = code {
                assert!(
                    records.iter().any(
                        |(_, r)| matches!(r, Record::Organisation(o) if o.credit_code == code)
                    ),
                    "{code}"
                );
            }
        }
    }
}
