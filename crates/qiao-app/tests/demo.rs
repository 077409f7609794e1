//! The demo set as `serve --demo` loads it, on a real database: deals at every stage, a year of
//! registered contracts, and the 成交额 targets counted from them.

use std::collections::BTreeSet;

use qiao_domain::{DealStage, Role};
use qiao_store::test_support::TestDb;
use qiao_store::{ContractFilter, DealFilter, Page, TargetFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_deals_at_every_stage_and_a_year_of_contracts() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let loaded = qiao_app::demo::load_if_empty(store).await.unwrap().unwrap();
    assert!(loaded.contracts >= 300, "{loaded:?}");
    assert!(loaded.deals >= 8, "{loaded:?}");
    // Two applications to the commission's challenge, the first scored and shortlisted.
    assert_eq!(loaded.applications, 2, "{loaded:?}");
    let apps = store
        .applications(&qiao_store::ApplicationFilter::default(), Page::default())
        .await
        .unwrap()
        .items;
    assert!(apps.iter().any(|a| a.application.status
        == qiao_domain::ApplicationStatus::Shortlisted
        && a.application.total().is_some()));

    let deals = store.all_deals(&DealFilter::default()).await.unwrap();
    let stages: BTreeSet<DealStage> = deals.iter().map(|d| d.deal.stage).collect();
    assert_eq!(stages.len(), DealStage::ALL.len(), "{stages:?}");
    let today = qiao_domain::today();
    assert!(deals.iter().any(|d| d.deal.is_overdue(today)));
    let manager = store
        .get_account(deals[0].deal.managers[0].account_id)
        .await
        .unwrap();
    assert_eq!(manager.role, Role::TechnologyManager);
    for d in &deals {
        assert!(!store.deal_events(d.id).await.unwrap().is_empty());
    }
    // Each deal pairs a demand with an achievement about the same technology: they share a
    // word of two characters or more that few achievements carry (not "方法" or "制备").
    let words = |l: &qiao_store::ListingRecord| -> BTreeSet<String> {
        let t = qiao_search::document::texts(&l.listing);
        qiao_search::analysis::analyze(&format!("{}\n{}\n{}", t.title, t.keywords, t.body))
            .words
            .into_iter()
            .map(|w| w.text)
            .filter(|w| w.chars().count() >= 2)
            .collect()
    };
    for d in &deals {
        let both = store.get_listings(&d.deal.listing_ids).await.unwrap();
        assert_eq!(both.len(), 2, "{:?}", d.deal.listing_ids);
        let shared: Vec<String> = words(&both[0])
            .intersection(&words(&both[1]))
            .filter(|w| !["方法", "制备", "技术", "系统", "提高", "提升"].contains(&w.as_str()))
            .cloned()
            .collect();
        assert!(
            !shared.is_empty(),
            "deal {:?} pairs unrelated listings",
            d.deal.title
        );
    }

    let registered = store
        .contracts(
            &ContractFilter {
                state: Some("registered".into()),
                ..ContractFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .total;
    assert!(registered >= 300, "{registered}");
    // Every month of the past year has registrations, and several types and fields appear.
    let this_year = store
        .contract_statistics(chrono::Datelike::year(&today), None)
        .await
        .unwrap();
    assert!(this_year.by_kind.len() >= 5, "{:?}", this_year.by_kind);
    assert!(this_year.by_field.len() >= 5, "{:?}", this_year.by_field);

    // The 成交额 targets count the registered contracts by themselves.
    let targets = store
        .list_targets(&TargetFilter::default(), Page::default())
        .await
        .unwrap()
        .items;
    let turnover: Vec<_> = targets
        .iter()
        .filter(|t| t.target.metric.is_some_and(|m| m.counts_contracts()))
        .cloned()
        .collect();
    assert_eq!(turnover.len(), 2);
    let progress = qiao_app::planning::progress(store, &turnover, today, None)
        .await
        .unwrap();
    for (t, p) in turnover.iter().zip(&progress) {
        let district = t.target.contract_district();
        let sum = store
            .contract_turnover(t.target.year, district)
            .await
            .unwrap();
        assert!(sum.contracts > 20, "{district:?}: {sum:?}");
        assert_eq!(p.actual, Some(sum.amount_fen as f64 / 100.0));
        assert_eq!(p.contracts, Some(sum.contracts as u64));
    }
    db.drop_schema().await;
}
