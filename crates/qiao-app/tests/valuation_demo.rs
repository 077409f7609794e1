//! The demo technology manager values a demo achievement by all three approaches, on a real
//! database loaded as `serve --demo` loads it: the achievement of each deal they broker has
//! enough registered comparables for a market value, none of them a contract that is not
//! registered, and a member of neither party may not value it.

use qiao_app::valuations;
use qiao_domain::valuation::MarketResult;
use qiao_domain::{ContractCategory, Listing, Role};
use qiao_search::{Comparables, ContractIndex};
use qiao_store::test_support::TestDb;
use qiao_store::{DealFilter, ValuationSubject};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_manager_values_a_demo_achievement_by_three_approaches() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    qiao_app::demo::load_if_empty(store).await.unwrap().unwrap();
    let deals = store.all_deals(&DealFilter::default()).await.unwrap();
    let manager = store
        .get_account(deals[0].deal.managers[0].account_id)
        .await
        .unwrap();
    assert_eq!(manager.role, Role::TechnologyManager);
    let comparables = Comparables::new(store.clone(), ContractIndex::in_memory().unwrap())
        .await
        .unwrap();
    comparables.catch_up().await.unwrap();
    let reference = store.valuation_reference().await.unwrap();

    let mut valued = 0;
    for d in &deals {
        let Some(&listing) = d.deal.listing_ids.first() else {
            continue;
        };
        if !matches!(
            store.get_listing(listing).await.unwrap().listing,
            Listing::Achievement(_)
        ) {
            continue;
        }
        let subject = ValuationSubject::Listing(listing);
        let view = valuations::access(store, &manager, subject).await.unwrap();
        let start = valuations::starting_inputs(&view, &reference, qiao_domain::today());
        let computed = valuations::compute(store, &comparables, &manager, subject, start)
            .await
            .unwrap();
        let v = &computed.valuation;
        assert!(v.income.as_ref().unwrap().point_fen > 0);
        assert!(v.cost.as_ref().unwrap().point_fen > 0);
        let Some(MarketResult::Value {
            comparables: found, ..
        }) = &v.market
        else {
            panic!("{}: no market value: {:?}", view.title, v.market);
        };
        assert!(
            found.len() >= 3,
            "{}: {} comparables",
            view.title,
            found.len()
        );
        for c in &computed.inputs.market.as_ref().unwrap().comparables {
            let record = store.get_contract(c.contract_id.unwrap()).await.unwrap();
            assert!(record.registration.registered().is_some());
            assert!(matches!(
                record.contract.kind.category(),
                ContractCategory::Transfer | ContractCategory::Licence
            ));
            assert!(c.reason.as_deref().is_some_and(|r| r.contains("相似度")));
        }
        assert_eq!(v.ranges().len(), 3);
        valued += 1;
    }
    assert!(valued >= 3, "only {valued} demo achievements valued");

    // A member of an organisation that owns none of them may not.
    let (enterprise, _) = store
        .account_for_login("enterprise")
        .await
        .unwrap()
        .expect("the demo enterprise account");
    let listing = deals
        .iter()
        .find_map(|d| d.deal.listing_ids.first().copied())
        .unwrap();
    let owner = store.get_listing(listing).await.unwrap().owner_org_id;
    let r = valuations::access(store, &enterprise, ValuationSubject::Listing(listing)).await;
    if owner != enterprise.org_id {
        assert!(matches!(r, Err(qiao_app::AppError::Forbidden(_))), "{r:?}");
    } else {
        assert!(r.is_ok());
    }
}
