//! `/api/v1/statistics/contracts` (`api/statistics.rs`): the registered contracts' 成交额 by
//! district and year, for staff and technology managers only, and a forecast that shows a
//! manager their own deals alone. Runs on SQLite and on PostgreSQL.

use crate::common::*;

/// The statistics of `query` as `token` reads them.
async fn statistics(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(
        encode_uri(&format!("/api/v1/statistics/contracts?{query}")),
        Some(token),
    )
    .await
    .expect(StatusCode::OK)
    .body
}

/// The `(key, amount_fen)` rows of a breakdown.
fn rows(breakdown: &Value) -> Vec<(String, i64)> {
    array(breakdown)
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1]["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Members and anonymous callers get no figures; staff and managers read sums that match the
/// contracts registered, by district and year; a manager's forecast holds only their deals.
async fn statistics_for_staff_and_managers(app: &TestApp) {
    let cast = app.deal_cast().await;
    app.registered_deal(&cast).await;
    // Registered straight in the store: one sold from 徐汇区 in 2026, one from 闵行区 in 2025.
    let mut xuhui = contract_json(None, None, 40_000_000);
    xuhui["seller"]["district"] = json!("徐汇区");
    xuhui["buyer"]["district"] = json!("闵行区");
    xuhui["kind"] = json!("service");
    xuhui["ip_type"] = json!("none");
    app.registered_contract(xuhui, "2026310104000002", "2026-07-09")
        .await;
    app.registered_contract(
        contract_json(None, None, 30_000_000),
        "2025310112000003",
        "2025-12-31",
    )
    .await;

    for (who, token) in [
        ("seller", &cast.seller),
        ("buyer", &cast.buyer),
        ("another organisation's member", &cast.outsider),
    ] {
        let r = app
            .get("/api/v1/statistics/contracts?year=2026", Some(token))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        assert!(!r.body.to_string().contains("123456789"), "{who}");
    }
    let r = app
        .get("/api/v1/statistics/contracts?year=2026", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // 闵行区 in 2026: the deal's contract (输出); 吸纳 the 徐汇区 contract bought into it.
    let minhang = statistics(app, &cast.staff, "year=2026&district=闵行区").await;
    let s = &minhang["statistics"];
    assert_eq!(
        s["total"],
        json!({"contracts": 1, "amount_fen": DEAL_AMOUNT_FEN, "technical_fen": DEAL_AMOUNT_FEN - 20_000_000})
    );
    assert_eq!(rows(&s["by_month"]), [("03".into(), DEAL_AMOUNT_FEN)]);
    assert_eq!(
        rows(&s["by_kind"]),
        [("transfer_patent".into(), DEAL_AMOUNT_FEN)]
    );
    assert_eq!(s["absorbed"]["amount_fen"], 40_000_000);
    // The platform in 2026: both; in 2025 the other.
    let all = statistics(app, &cast.staff, "year=2026").await;
    assert_eq!(
        all["statistics"]["total"]["amount_fen"],
        DEAL_AMOUNT_FEN + 40_000_000
    );
    let mut out = rows(&all["statistics"]["by_district_out"]);
    out.sort();
    assert_eq!(
        out,
        [
            ("徐汇区".into(), 40_000_000),
            ("闵行区".into(), DEAL_AMOUNT_FEN)
        ]
    );
    let earlier = statistics(app, &cast.staff, "year=2025").await;
    assert_eq!(earlier["statistics"]["total"]["amount_fen"], 30_000_000);
    assert_eq!(array(&earlier["managers"]).len(), 0);

    // An open deal expected to close in 2026: its manager and staff see it in the forecast,
    // another manager does not.
    app.post(
        "/api/v1/deals",
        Some(&cast.manager),
        json!({"title": "电解质中试合作", "listing_ids": [cast.listing], "seller_org_id": cast.seller_org,
               "expected_amount_fen": 40_000_000, "expected_close_on": "2026-10-01"}),
    )
    .await
    .expect(StatusCode::CREATED);
    // At 线索, 5 %: 2,000,000 分.
    let expected = json!({"expected_fen": 2_000_000, "deals": 1, "pipeline_fen": 40_000_000});
    for token in [&cast.manager, &cast.staff] {
        assert_eq!(
            statistics(app, token, "year=2026").await["forecast"],
            expected
        );
    }
    let theirs = statistics(app, &cast.other_manager, "year=2026").await;
    assert_eq!(
        theirs["forecast"],
        json!({"expected_fen": 0, "deals": 0, "pipeline_fen": 0})
    );
    assert_eq!(
        statistics(app, &cast.staff, "year=2025").await["forecast"]["deals"],
        0
    );

    let r = app
        .get("/api/v1/statistics/contracts?year=1800", Some(&cast.staff))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["year"]);
    let r = app
        .get("/api/v1/statistics/contracts?year=soon", Some(&cast.staff))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
on_both_backends!(statistics_for_staff_and_managers);

/// A district's 成交额 target sums its registered contracts for everyone to see, but not while
/// it sums one or two: their amounts are the parties' secret. Staff and managers see it always.
async fn a_total_of_too_few_contracts_is_withheld_from_the_public(app: &TestApp) {
    let staff = app.staff().await;
    let manager = app.manager().await;
    let target = json!({
        "region": "闵行区", "year": 2026, "indicator": "技术合同成交额", "value": 1.0e9,
        "unit": "元", "qualifier": "达", "metric": {"kind": "contract_turnover"}
    });
    app.create(&staff, "/api/v1/targets", target).await;
    let progress = |token: Option<String>| async move {
        let r = app.get("/api/v1/targets?year=2026", token.as_deref()).await;
        r.expect(StatusCode::OK).items()[0]["progress"].clone()
    };
    app.registered_contract(
        contract_json(None, None, 30_000_000),
        "2026310112000001",
        "2026-04-01",
    )
    .await;
    let public = progress(None).await;
    assert_eq!(public["withheld"], true, "{public}");
    assert!(public.get("actual").is_none_or(Value::is_null), "{public}");
    assert!(public.get("percent").is_none_or(Value::is_null), "{public}");
    for insider in [&staff, &manager] {
        let seen = progress(Some(insider.clone())).await;
        assert_eq!(seen["actual"], 300_000.0, "{seen}");
        assert!(seen.get("withheld").is_none(), "{seen}");
    }
    for n in 2..=3 {
        app.registered_contract(
            contract_json(None, None, 20_000_100),
            &format!("202631011200000{n}"),
            "2026-05-01",
        )
        .await;
    }
    let public = progress(None).await;
    assert_eq!(
        public["actual"], 700_002.0,
        "three contracts are shown: {public}"
    );
    assert_eq!(public["contracts"], 3);
}
on_both_backends!(a_total_of_too_few_contracts_is_withheld_from_the_public);
