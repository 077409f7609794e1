//! `/api/v1/listings/{id}/valuations`, `/api/v1/deals/{id}/valuations` and
//! `/api/v1/settings/valuation-reference` (`api/valuations.rs`): who may value and see a saved
//! valuation (the owner's members, the managers of a deal about it, staff; nobody else), bad
//! inputs named by their field, versions kept, and comparables that are registered contracts
//! only. Each scenario runs on SQLite and on PostgreSQL.

use crate::common::*;

/// Inputs of every approach; the market one asks for comparables (none listed).
fn inputs(share_low: f64) -> Value {
    json!({
        "valuation_date": "2026-12-01",
        "patent": {"kind": "invention", "filed_on": "2020-03-01"},
        "economic_life_years": 12,
        "income": {
            "forecast": {"kind": "table", "amounts_fen": [300_000_000_i64, 500_000_000_i64, 800_000_000_i64]},
            "share": {"kind": "profit", "low_pct": share_low, "high_pct": 30.0},
            "profit_margin_pct": 15.0, "income_tax_pct": 15.0, "risk_free_pct": 2.0,
            "premia": [{"factor": "technical", "score": 60, "max_pct": 5.0}, {"factor": "market", "score": 40, "max_pct": 5.0}]
        },
        "cost": {"labour_fen": 60_000_000, "materials_fen": 20_000_000, "overhead_fen": 10_000_000,
                 "reasonable_profit_pct": 20.0, "obsolescence": {"kind": "remaining_life", "used_years": 2.0}},
        "market": {"subject_exclusivity": "transfer", "time_growth_pct": 3.0, "min_comparables": 1, "comparables": []},
        "proposed_price_fen": 150_000_000
    })
}

async fn save(app: &TestApp, token: &str, uri: &str, share_low: f64) -> Reply {
    app.post(
        uri,
        Some(token),
        json!({"note": "首版", "inputs": inputs(share_low)}),
    )
    .await
}

async fn who_sees_a_valuation(app: &TestApp) {
    let cast = app.deal_cast().await;
    let uri = format!("/api/v1/listings/{}/valuations", cast.listing);
    // Planted: a registered contract like the achievement, and a draft with its very title
    // (a confidential deal's contract, never registered).
    app.registered_contract(
        contract_json(None, None, 80_000_000),
        "2025310112000009",
        "2025-05-20",
    )
    .await;
    let mut draft: qiao_domain::Contract =
        serde_json::from_value(contract_json(None, None, 90_000_000)).unwrap();
    draft.name = "固态电解质低温制备工艺".into();
    let draft = app
        .db
        .store
        .create_contract(&draft, &qiao_domain::Registration::Draft, None)
        .await
        .unwrap();

    // The owner's member values it.
    let saved = save(app, &cast.seller, &uri, 20.0)
        .await
        .expect(StatusCode::CREATED);
    let id = saved.body["id"].as_i64().unwrap();
    assert_eq!(saved.location, Some(format!("{uri}/{id}")));
    assert_eq!(saved.body["version"], 1);
    assert_eq!(
        saved.body["subject"],
        json!({"kind": "listing", "id": cast.listing})
    );
    let result = &saved.body["result"];
    // A 20 % share of profit at a 15 % margin is a 3 % share of sales.
    assert!((result["income"]["share_low"].as_f64().unwrap() - 0.03).abs() < 1e-12);
    assert!(result["life"]["n"].as_u64().unwrap() <= 12);
    assert!(result["cost"]["point_fen"].as_i64().unwrap() > 0);
    assert_eq!(result["market"]["outcome"], "value");
    let comparables = array(&saved.body["inputs"]["market"]["comparables"]);
    let ids: Vec<i64> = comparables
        .iter()
        .filter_map(|c| c["contract_id"].as_i64())
        .collect();
    assert!(!ids.is_empty(), "the registered contract is a comparable");
    assert!(
        !ids.contains(&draft.id),
        "a draft contract is never a comparable"
    );
    assert!(
        comparables[0]["reason"]
            .as_str()
            .unwrap()
            .contains("电解质")
    );

    // A second save is version 2; both are kept, newest first.
    let second = save(app, &cast.seller, &uri, 25.0)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(second.body["version"], 2);
    let list = app
        .get(&uri, Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&list.body, "version"), [2, 1]);

    // Staff see it; the buyer, an outsider and a manager of no deal about it may not.
    app.get(format!("{uri}/{id}"), Some(&cast.staff))
        .await
        .expect(StatusCode::OK);
    for token in [
        &cast.buyer,
        &cast.outsider,
        &cast.manager,
        &cast.other_manager,
    ] {
        app.get(&uri, Some(token))
            .await
            .expect(StatusCode::FORBIDDEN);
        app.get(format!("{uri}/{id}"), Some(token))
            .await
            .expect(StatusCode::FORBIDDEN);
        save(app, token, &uri, 20.0)
            .await
            .expect(StatusCode::FORBIDDEN);
    }
    // Nobody anonymous.
    app.get(&uri, None).await.expect(StatusCode::UNAUTHORIZED);

    // Once the manager brokers a deal about it, the manager may; the deal's valuations are
    // its readers' (the buyer's too), not an outsider's.
    let deal = app
        .post(
            &format!("/api/v1/deals/from-contact/{}", cast.request),
            Some(&cast.manager),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED)
        .body["record"]["id"]
        .as_i64()
        .unwrap();
    app.get(format!("{uri}/{id}"), Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    let deal_uri = format!("/api/v1/deals/{deal}/valuations");
    let on_deal = save(app, &cast.manager, &deal_uri, 20.0)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(on_deal.body["version"], 1);
    app.get(&deal_uri, Some(&cast.buyer))
        .await
        .expect(StatusCode::OK);
    app.get(&deal_uri, Some(&cast.outsider))
        .await
        .expect(StatusCode::NOT_FOUND);
    // A version of one subject is not found under another.
    let vid = on_deal.body["id"].as_i64().unwrap();
    app.get(format!("{uri}/{vid}"), Some(&cast.staff))
        .await
        .expect(StatusCode::NOT_FOUND);
}
on_both_backends!(who_sees_a_valuation);

async fn bad_inputs_are_named_by_field(app: &TestApp) {
    let cast = app.deal_cast().await;
    let uri = format!("/api/v1/listings/{}/valuations", cast.listing);
    let mut bad = inputs(40.0);
    bad["economic_life_years"] = json!(0);
    bad["income"]["share"]["high_pct"] = json!(10.0);
    bad["cost"]["obsolescence"] = json!({"kind": "entered", "pct": 120.0});
    let r = app
        .post(&uri, Some(&cast.seller), json!({"inputs": bad}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.fields(),
        [
            "inputs.economic_life_years",
            "inputs.income.share.high_pct",
            "inputs.cost.obsolescence.pct"
        ]
    );
    // A wrong type is named by its path too.
    let mut wrong = inputs(20.0);
    wrong["income"]["income_tax_pct"] = json!("lots");
    let r = app
        .post(&uri, Some(&cast.seller), json!({"inputs": wrong}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["inputs.income.income_tax_pct"]);
    // Nothing was saved.
    let list = app
        .get(&uri, Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(array(&list.body).len(), 0);
    // A listing that is not an achievement has no valuation.
    let demand = app.create(&cast.buyer, "/api/v1/demands", demand()).await;
    app.get(
        format!("/api/v1/listings/{demand}/valuations"),
        Some(&cast.staff),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
}
on_both_backends!(bad_inputs_are_named_by_field);

async fn reference_table_is_staffs_to_edit(app: &TestApp) {
    let staff = app.staff().await;
    let member = app.one_member().await.2;
    let uri = "/api/v1/settings/valuation-reference";
    let table = app
        .get(uri, Some(&member))
        .await
        .expect(StatusCode::OK)
        .body;
    assert!(
        table["source"]
            .as_str()
            .unwrap()
            .contains("not a published table")
    );
    let mut changed = table.clone();
    changed["industries"][0]["sales_high_pct"] = json!(2.5);
    app.put(uri, Some(&member), changed.clone())
        .await
        .expect(StatusCode::FORBIDDEN);
    let r = app
        .put(uri, Some(&staff), changed.clone())
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body, changed);
    changed["industries"][0]["sales_low_pct"] = json!(9.0);
    let r = app
        .put(uri, Some(&staff), changed)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["industries[0].sales_high_pct"]);
}
on_both_backends!(reference_table_is_staffs_to_edit);
