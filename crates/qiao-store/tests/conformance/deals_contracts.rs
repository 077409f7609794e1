//! Deals and contracts on both backends: versions refuse stale writes, filters find what each
//! role may see, the running totals equal a brute-force sum over the contracts after every sort
//! of write, imports are all or nothing, and backups carry deals and contracts whole.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use qiao_domain::{
    Contract, Deal, DealAction, DealStage, ManagerShare, Registered, Registration,
    RegistrationAction, RegistrationActor, RegistrationNumber, StageProbabilities,
};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{
    BackupItem, ContractFilter, ContractRecord, DealFilter, Page, StoreError, Turnover,
};
use serde_json::json;

use super::code;

conformance!(
    deals_keep_versions_history_and_filters,
    stage_probabilities_default_and_change,
    totals_equal_a_brute_force_sum_after_every_write,
    contract_import_is_all_or_nothing_and_updates_by_number,
    manager_credit_follows_shares,
    backup_restores_deals_and_contracts,
);

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn deal(title: &str, seller: Option<i64>, buyer: Option<i64>, managers: &[(i64, u32)]) -> Deal {
    let managers: Vec<_> = managers
        .iter()
        .map(|(account_id, share_bp)| json!({"account_id": account_id, "share_bp": share_bp}))
        .collect();
    serde_json::from_value(json!({
        "title": title,
        "listing_ids": [1],
        "seller_org_id": seller,
        "buyer_org_id": buyer,
        "managers": managers,
        "origin": {"kind": "by_hand"},
        "district": "闵行区",
        "field": "new_energy",
        "expected_amount_fen": 50_000_000,
        "expected_close_on": "2026-09-30",
    }))
    .unwrap()
}

/// A valid contract; `n` varies parties, districts, types, fields and amounts.
fn contract(n: u32) -> Contract {
    let districts = ["闵行区", "徐汇区", "浦东新区", "杨浦区"];
    let kinds = [
        "transfer_patent",
        "development_commissioned",
        "licence_ordinary",
        "service",
    ];
    let fields = ["new_energy", "electronic_information", "biomedicine"];
    let amount = 1_000_000 + i64::from(n) * 12_345;
    serde_json::from_value(json!({
        "name": format!("技术合同{n}"),
        "kind": kinds[n as usize % kinds.len()],
        "seller": {"name": format!("卖方{n}"), "credit_code": code(100 + n), "legal_person": "university",
                   "district": districts[n as usize % districts.len()]},
        "buyer": {"name": format!("买方{n}"), "credit_code": code(500 + n), "legal_person": "enterprise",
                  "district": districts[(n as usize / 2) % districts.len()]},
        "field": fields[n as usize % fields.len()],
        "ip_type": "invention_patent",
        "amount_fen": amount,
        "non_technical": [{"name": "设备", "amount_fen": amount / 10}],
        "signed_on": "2026-01-05",
        "performance_from": "2026-01-05",
        "performance_to": "2026-12-31",
        "payment": {"kind": "lump_sum"},
    }))
    .unwrap()
}

fn number(n: u32) -> RegistrationNumber {
    RegistrationNumber::parse(&format!("2026310000{n:06}")).unwrap()
}

fn registered(n: u32, date: NaiveDate) -> Registration {
    Registration::Registered(Registered {
        number: number(n),
        point: "闵行区技术合同登记点".into(),
        date,
        amendments: vec![],
    })
}

async fn all_contracts(db: &TestDb) -> Vec<ContractRecord> {
    let mut out = Vec::new();
    for p in 1.. {
        let page = db
            .store
            .contracts(
                &ContractFilter::default(),
                Page {
                    number: p,
                    size: 200,
                },
            )
            .await
            .unwrap();
        let done = page.items.len() < 200;
        out.extend(page.items);
        if done {
            break;
        }
    }
    out
}

/// The statistics of `year` as a sum over every contract, the way the totals must add up.
fn brute_force(
    contracts: &[ContractRecord],
    year: i32,
    district: Option<&str>,
) -> (
    Turnover,
    BTreeMap<String, Turnover>,
    BTreeMap<String, Turnover>,
    Turnover,
) {
    let mut total = Turnover::default();
    let mut by_month = BTreeMap::new();
    let mut by_kind = BTreeMap::new();
    let mut absorbed = Turnover::default();
    for c in contracts {
        let Some(reg) = c.registration.registered() else {
            continue;
        };
        if chrono::Datelike::year(&reg.date) != year {
            continue;
        }
        let cell = Turnover {
            contracts: 1,
            amount_fen: c.contract.amount_fen,
            technical_fen: c.contract.technical_fen(),
        };
        if district.is_none_or(|d| d == c.contract.seller.district) {
            total.add(cell);
            by_month
                .entry(format!("{:02}", chrono::Datelike::month(&reg.date)))
                .or_insert_with(Turnover::default)
                .add(cell);
            by_kind
                .entry(c.contract.kind.as_str().to_string())
                .or_insert_with(Turnover::default)
                .add(cell);
        }
        if district.is_none_or(|d| d == c.contract.buyer.district) {
            absorbed.add(cell);
        }
    }
    (total, by_month, by_kind, absorbed)
}

async fn assert_totals_match(db: &TestDb, when: &str) {
    let contracts = all_contracts(db).await;
    for district in [
        None,
        Some("闵行区"),
        Some("徐汇区"),
        Some("浦东新区"),
        Some("杨浦区"),
    ] {
        for year in [2025, 2026] {
            let stats = db.store.contract_statistics(year, district).await.unwrap();
            let (total, by_month, by_kind, absorbed) = brute_force(&contracts, year, district);
            assert_eq!(stats.total, total, "{when}: total of {district:?} {year}");
            assert_eq!(
                stats.absorbed, absorbed,
                "{when}: 吸纳 of {district:?} {year}"
            );
            assert_eq!(
                stats.by_month.into_iter().collect::<BTreeMap<_, _>>(),
                by_month,
                "{when}: months of {district:?} {year}"
            );
            assert_eq!(
                stats.by_kind.into_iter().collect::<BTreeMap<_, _>>(),
                by_kind,
                "{when}: kinds of {district:?} {year}"
            );
            let turnover = db.store.contract_turnover(year, district).await.unwrap();
            assert_eq!(turnover, total, "{when}: turnover of {district:?} {year}");
        }
    }
}

async fn deals_keep_versions_history_and_filters(db: &TestDb) {
    let s = &db.store;
    let d = deal(
        "固态电池专利转让",
        Some(10),
        Some(20),
        &[(7, 6_000), (8, 4_000)],
    );
    let opened = s.create_deal(&d, &d.opened(7, at(1), None)).await.unwrap();
    assert_eq!(opened.version, 1);
    assert_eq!(opened.deal, d);
    assert_eq!(s.get_deal(opened.id).await.unwrap(), opened);

    let (moved, event) = d
        .apply(
            DealAction::MoveTo {
                stage: DealStage::Contact,
            },
            7,
            at(2),
            Some("双方已通话".into()),
        )
        .unwrap();
    let after = s
        .update_deal(opened.id, 1, &moved, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.deal.stage, DealStage::Contact);
    // A change computed from the first read is refused, and nothing of it is kept.
    let err = s
        .update_deal(opened.id, 1, &d, std::slice::from_ref(&event))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        s.get_deal(opened.id).await.unwrap().deal.stage,
        DealStage::Contact
    );
    let history = s.deal_events(opened.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].event.note.as_deref(), Some("双方已通话"));
    // An invalid deal is refused by the store itself.
    let mut broken = moved.clone();
    broken.managers = vec![ManagerShare {
        account_id: 7,
        share_bp: 5_000,
    }];
    assert!(matches!(
        s.update_deal(opened.id, 2, &broken, std::slice::from_ref(&event))
            .await
            .unwrap_err(),
        StoreError::Invalid(_)
    ));
    assert!(s.get_deal(999_999).await.is_err());

    let other = deal("另一项", Some(30), Some(40), &[(9, 10_000)]);
    let other = s
        .create_deal(&other, &other.opened(9, at(1), None))
        .await
        .unwrap();
    let ids = |f: DealFilter| async move {
        let page = s.deals(&f, Page::default()).await.unwrap();
        let mut ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        assert_eq!(page.total as usize, ids.len());
        ids
    };
    assert_eq!(
        ids(DealFilter {
            manager_id: Some(8),
            ..DealFilter::default()
        })
        .await,
        vec![opened.id]
    );
    assert_eq!(
        ids(DealFilter {
            party_org_id: Some(40),
            ..DealFilter::default()
        })
        .await,
        vec![other.id]
    );
    assert_eq!(
        ids(DealFilter {
            stage: Some("contact".into()),
            ..DealFilter::default()
        })
        .await,
        vec![opened.id]
    );
    assert_eq!(
        ids(DealFilter {
            district: Some("闵行区".into()),
            close_year: Some(2026),
            ..DealFilter::default()
        })
        .await,
        vec![opened.id, other.id]
    );
    assert!(
        ids(DealFilter {
            manager_id: Some(99),
            ..DealFilter::default()
        })
        .await
        .is_empty()
    );

    // Overdue: a next step due before the day asked about.
    let current = s.get_deal(other.id).await.unwrap();
    let (late, event) = current
        .deal
        .apply(
            DealAction::SetNextStep {
                next_step: Some(
                    serde_json::from_value(json!({"text": "寄送样品", "due_on": "2026-03-10"}))
                        .unwrap(),
                ),
            },
            9,
            at(3),
            None,
        )
        .unwrap();
    s.update_deal(
        other.id,
        current.version,
        &late,
        std::slice::from_ref(&event),
    )
    .await
    .unwrap();
    let overdue = |on: NaiveDate| DealFilter {
        overdue_on: Some(on),
        ..DealFilter::default()
    };
    assert_eq!(ids(overdue(day(2026, 3, 11))).await, vec![other.id]);
    assert!(ids(overdue(day(2026, 3, 10))).await.is_empty());
    assert_eq!(s.all_deals(&DealFilter::default()).await.unwrap().len(), 2);
}

async fn stage_probabilities_default_and_change(db: &TestDb) {
    let s = &db.store;
    assert_eq!(
        s.stage_probabilities().await.unwrap(),
        StageProbabilities::default()
    );
    let p = StageProbabilities {
        negotiation_bp: 6_500,
        ..StageProbabilities::default()
    };
    s.set_stage_probabilities(&p).await.unwrap();
    assert_eq!(s.stage_probabilities().await.unwrap(), p);
    let mut bad = p;
    bad.lead_bp = 20_000;
    assert!(s.set_stage_probabilities(&bad).await.is_err());
    assert_eq!(s.stage_probabilities().await.unwrap(), p);
}

async fn totals_equal_a_brute_force_sum_after_every_write(db: &TestDb) {
    let s = &db.store;
    // Drafts and registered contracts in two years.
    let mut ids = Vec::new();
    for n in 0..24 {
        let registration = if n % 3 == 0 {
            Registration::Draft
        } else {
            registered(n, day(2025 + (n % 2) as i32, 1 + n % 12, 15))
        };
        ids.push(
            s.create_contract(&contract(n), &registration, None)
                .await
                .unwrap(),
        );
    }
    assert_totals_match(db, "after creating").await;

    // Registering a draft through the domain's state machine.
    let draft = &ids[0];
    let seller = RegistrationActor::Seller { account_id: 1 };
    let point = RegistrationActor::RegistrationPoint {
        account_id: 2,
        point: "闵行区技术合同登记点".into(),
    };
    let submitted = draft
        .registration
        .apply(RegistrationAction::Submit, &seller, at(4))
        .unwrap();
    let r = s
        .set_registration(
            draft.id,
            draft.version,
            &submitted.registration,
            &submitted.event,
        )
        .await
        .unwrap();
    let done = r
        .registration
        .apply(
            RegistrationAction::Register {
                number: number(900),
                date: day(2026, 6, 1),
            },
            &point,
            at(5),
        )
        .unwrap();
    let r = s
        .set_registration(r.id, r.version, &done.registration, &done.event)
        .await
        .unwrap();
    assert_eq!(s.contract_events(r.id).await.unwrap().len(), 2);
    assert_eq!(
        s.contract_by_number(&number(900))
            .await
            .unwrap()
            .unwrap()
            .id,
        r.id
    );
    assert_totals_match(db, "after registering").await;

    // A stale version is refused.
    assert!(matches!(
        s.set_registration(r.id, r.version - 1, &done.registration, &done.event)
            .await
            .unwrap_err(),
        StoreError::Conflict(_)
    ));
    // The same number twice is refused, and the totals are untouched.
    let mut clash = contract(77);
    clash.name = "重号".into();
    assert!(matches!(
        s.create_contract(&clash, &registered(900, day(2026, 6, 2)), None)
            .await
            .unwrap_err(),
        StoreError::Conflict(_)
    ));

    // Editing a registered contract's amount moves the totals by the difference.
    let before = s.contract_turnover(2026, None).await.unwrap();
    let mut bigger = r.contract.clone();
    bigger.amount_fen += 1_000_001;
    let r = s.update_contract(r.id, r.version, &bigger).await.unwrap();
    let after = s.contract_turnover(2026, None).await.unwrap();
    assert_eq!(after.amount_fen - before.amount_fen, 1_000_001);
    assert_eq!(after.contracts, before.contracts);
    assert_totals_match(db, "after editing").await;

    // Cancelling takes it out again.
    let cancelled = r
        .registration
        .apply(
            RegistrationAction::Cancel {
                note: "双方解除合同".into(),
            },
            &point,
            at(6),
        )
        .unwrap();
    s.set_registration(r.id, r.version, &cancelled.registration, &cancelled.event)
        .await
        .unwrap();
    let after_cancel = s.contract_turnover(2026, None).await.unwrap();
    assert_eq!(after_cancel.contracts, after.contracts - 1);
    assert_totals_match(db, "after cancelling").await;

    let stats = s.contract_statistics(2026, Some("闵行区")).await.unwrap();
    let out: i64 = stats
        .by_district_out
        .iter()
        .map(|(_, t)| t.amount_fen)
        .sum();
    assert_eq!(
        out, stats.total.amount_fen,
        "输出 by buyer district adds up"
    );
    let all = s.contract_statistics(2026, None).await.unwrap();
    let by_district: i64 = all.by_district_out.iter().map(|(_, t)| t.amount_fen).sum();
    assert_eq!(by_district, all.total.amount_fen);
    let fields: i64 = all.by_field.iter().map(|(_, t)| t.technical_fen).sum();
    assert_eq!(fields, all.total.technical_fen);

    // Filters.
    let page = s
        .contracts(
            &ContractFilter {
                registered_year: Some(2025),
                state: Some("registered".into()),
                ..ContractFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert!(page.total > 0);
    assert!(page.items.iter().all(|c| {
        c.registration
            .registered()
            .is_some_and(|r| chrono::Datelike::year(&r.date) == 2025)
    }));
}

async fn contract_import_is_all_or_nothing_and_updates_by_number(db: &TestDb) {
    let s = &db.store;
    let rows: Vec<(Contract, Registration)> = (0..450)
        .map(|n| (contract(n), registered(n, day(2026, 1 + n % 12, 3))))
        .collect();
    let report = s.import_contracts(&rows).await.unwrap();
    assert_eq!((report.inserted, report.updated), (450, 0));
    assert_eq!(all_contracts(db).await.len(), 450);
    assert_totals_match(db, "after the import").await;
    let feed_before = s.last_seq().await.unwrap();

    // A number twice in one file: nothing is stored.
    let twice = vec![
        (contract(1000), registered(1000, day(2026, 5, 1))),
        (contract(1001), registered(1000, day(2026, 5, 1))),
    ];
    assert!(matches!(
        s.import_contracts(&twice).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    // An invalid row: nothing is stored either.
    let mut bad = contract(1002);
    bad.amount_fen = -1;
    let mixed = vec![
        (contract(1003), registered(1003, day(2026, 5, 1))),
        (bad, Registration::Draft),
    ];
    assert!(matches!(
        s.import_contracts(&mixed).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
    assert_eq!(all_contracts(db).await.len(), 450);
    assert_eq!(s.last_seq().await.unwrap(), feed_before);

    // A known number replaces its contract (a corrected amount, another month).
    let mut corrected = contract(5);
    corrected.amount_fen = 777_777_700;
    let again = vec![
        (corrected.clone(), registered(5, day(2026, 11, 30))),
        (contract(2000), registered(2000, day(2026, 2, 1))),
    ];
    let report = s.import_contracts(&again).await.unwrap();
    assert_eq!((report.inserted, report.updated), (1, 1));
    let stored = s.contract_by_number(&number(5)).await.unwrap().unwrap();
    assert_eq!(stored.contract.amount_fen, 777_777_700);
    assert_eq!(all_contracts(db).await.len(), 451);
    assert_totals_match(db, "after the update by number").await;
    // Every new contract has its feed entry.
    let feed = s.changes_since(feed_before, 100).await.unwrap();
    assert_eq!(feed.iter().filter(|c| c.entity == "contract").count(), 2);
}

async fn manager_credit_follows_shares(db: &TestDb) {
    let s = &db.store;
    let d = deal("专利许可", Some(1), Some(2), &[(7, 6_667), (8, 3_333)]);
    let opened = s.create_deal(&d, &d.opened(7, at(1), None)).await.unwrap();
    let mut c = contract(3);
    c.deal_id = Some(opened.id);
    c.amount_fen = 100_001;
    c.non_technical.clear();
    c.seller.district = "闵行区".into();
    s.create_contract(&c, &registered(3, day(2026, 4, 1)), None)
        .await
        .unwrap();
    // Unregistered and other-year contracts of the deal do not count.
    let mut draft = contract(4);
    draft.deal_id = Some(opened.id);
    s.create_contract(&draft, &Registration::Draft, None)
        .await
        .unwrap();
    let mut old = contract(6);
    old.deal_id = Some(opened.id);
    s.create_contract(&old, &registered(6, day(2025, 4, 1)), None)
        .await
        .unwrap();

    let credit = s.manager_credit(2026, None).await.unwrap();
    assert_eq!(credit.len(), 2);
    assert_eq!(credit[0].account_id, 7);
    assert_eq!(
        credit[0].turnover.amount_fen + credit[1].turnover.amount_fen,
        100_001
    );
    assert_eq!(credit[0].turnover.amount_fen, 66_671);
    assert_eq!(credit[0].turnover.contracts, 1);
    assert_eq!(
        s.manager_credit(2026, Some("闵行区")).await.unwrap(),
        credit
    );
    assert!(
        s.manager_credit(2026, Some("徐汇区"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn backup_restores_deals_and_contracts(db: &TestDb) {
    let s = &db.store;
    let d = deal("备份交易", Some(1), Some(2), &[(7, 10_000)]);
    let opened = s
        .create_deal(&d, &d.opened(7, at(1), Some("来自对接".into())))
        .await
        .unwrap();
    let (moved, event) = d
        .apply(
            DealAction::MoveTo {
                stage: DealStage::Negotiation,
            },
            7,
            at(2),
            None,
        )
        .unwrap();
    s.update_deal(opened.id, 1, &moved, std::slice::from_ref(&event))
        .await
        .unwrap();
    for n in 0..5 {
        s.create_contract(&contract(n), &registered(n, day(2026, 2, 1)), None)
            .await
            .unwrap();
    }
    let p = StageProbabilities {
        signing_bp: 9_500,
        ..StageProbabilities::default()
    };
    s.set_stage_probabilities(&p).await.unwrap();
    let backup = s.backup().await.unwrap();
    assert!(
        backup
            .items
            .iter()
            .any(|i| matches!(i, BackupItem::Deal(d) if d.events.len() == 2))
    );
    assert_eq!(
        backup
            .items
            .iter()
            .filter(|i| matches!(i, BackupItem::Contract(_)))
            .count(),
        5
    );

    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    assert_eq!(
        fresh.store.contract_turnover(2026, None).await.unwrap(),
        s.contract_turnover(2026, None).await.unwrap()
    );
    assert_eq!(fresh.store.stage_probabilities().await.unwrap(), p);
    // New records after a restore get new ids.
    let again = fresh
        .store
        .create_deal(&d, &d.opened(7, at(3), None))
        .await
        .unwrap();
    assert!(again.id > opened.id);
    fresh.drop_schema().await;
}
