//! `/api/v1/targets` and `/api/v1/documents/{id}/targets` (`api/targets.rs`): targets from
//! a work plan's figures, measured by the records or reported by hand.

use crate::common::*;

#[tokio::test]
async fn targets_from_a_work_plan_are_measured_by_the_certificates_in_force() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let member = app.account("member", Role::Member, None).await;
    let plan = app
        .upload_bytes(&staff, "003.txt", fixture_bytes(WORK_PLAN))
        .await
        .expect(StatusCode::CREATED);
    let doc = plan.id();
    let indicators = strings_of(&plan.body["figures"], "indicator");
    let high_tech = indicators
        .iter()
        .position(|i| i.contains("高新技术企业"))
        .unwrap();
    let turnover = indicators
        .iter()
        .position(|i| *i == "技术合同成交额")
        .unwrap();

    // Three enterprises in 闵行区 hold the certificate during 2023, one of them lapsing in June;
    // one in 徐汇区 does not count.
    for (n, district, expires) in [
        (1, "闵行区", "2025-11-30"),
        (2, "闵行区", "2025-11-30"),
        (3, "闵行区", "2023-06-30"),
        (4, "徐汇区", "2025-11-30"),
    ] {
        let id = app.enterprise(&admin, n, &format!("企业{n}"), json!({"district": district,
            "certificates": [{"kind": "high_tech", "issued_on": "2022-12-01", "expires_on": expires}]}))
            .await;
        app.verify_all(&staff, id).await;
    }

    let uri = format!("/api/v1/documents/{doc}/targets");
    let r = app.post(&uri, Some(&member), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&uri, Some(&staff), json!({"figures": [high_tech, 999]}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "figures[999]");
    let none = app.get("/api/v1/targets", None).await;
    assert_eq!(none.total(), 0, "nothing half-written");
    let made = app
        .post(
            &uri,
            Some(&staff),
            json!({"figures": [high_tech, turnover]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let ht = &made.body[0];
    assert_eq!(
        (
            ht["region"].as_str(),
            ht["year"].as_i64(),
            ht["value"].as_f64()
        ),
        (Some("闵行区"), Some(2023), Some(4000.0))
    );
    assert_eq!(
        ht["metric"],
        json!({"kind": "certified", "certificate": "high_tech"})
    );
    assert_eq!(ht["document_id"], doc);
    // Measured on the year's last day: the lapsed certificate no longer counts.
    assert_eq!(ht["progress"]["as_of"], "2023-12-31");
    assert_eq!(ht["progress"]["actual"], 2.0);
    assert_eq!(ht["progress"]["source"], "computed");
    assert_eq!(ht["progress"]["reached"], false);
    // The same figures again add nothing; the two statements of the turnover make one target.
    app.post(&uri, Some(&staff), json!({"figures": [high_tech]}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let all = app
        .post(&uri, Some(&staff), json!({}))
        .await
        .expect(StatusCode::CREATED);
    let indicators = strings_of(&all.body, "indicator");
    assert!(
        !indicators.contains(&"技术合同成交额")
            && !indicators.iter().any(|i| i.contains("有效期内高新")),
        "{indicators:?}"
    );
    assert!(indicators.contains(&"院士专家工作站"), "{indicators:?}");
    let deal = &made.body[1];
    assert_eq!(deal["value"].as_f64(), Some(23_000_000_000.0));
    // 技术合同成交额 is counted from the registered contracts: none in 2023.
    assert_eq!(deal["metric"], json!({"kind": "contract_turnover"}));
    assert_eq!(
        (
            deal["progress"]["actual"].as_f64(),
            deal["progress"]["source"].as_str(),
            deal["progress"]["contracts"].as_i64()
        ),
        (Some(0.0), Some("computed"), Some(0))
    );

    // Without its metric, the turnover is reported by hand; the list filters by region and
    // year.
    let id = deal["id"].as_i64().unwrap();
    let mut reported = without(
        deal,
        &["id", "created_at", "updated_at", "progress", "metric"],
    );
    reported["reported"] = json!(24_500_000_000.0);
    let r = app
        .put(&format!("/api/v1/targets/{id}"), Some(&staff), reported)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            r.body["progress"]["source"].as_str(),
            r.body["progress"]["reached"].as_bool()
        ),
        (Some("reported"), Some(true))
    );
    let hand = app
        .post(
            "/api/v1/targets",
            Some(&staff),
            json!({
            "region": "徐汇区", "year": 2023, "indicator": "高新技术企业", "value": 1, "unit": "家",
            "metric": {"kind": "certified", "certificate": "high_tech"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(hand.body["progress"]["reached"], true);
    let r = app
        .post(
            "/api/v1/targets",
            Some(&staff),
            json!({
            "region": "徐汇区", "year": 1800, "indicator": "x", "value": -1, "unit": "元",
            "metric": {"kind": "certified", "certificate": "high_tech"}}),
        )
        .await;
    assert_eq!(r.fields(), ["year", "value", "metric"]);
    let minhang = app
        .get(&encode_uri("/api/v1/targets?region=闵行区&year=2023"), None)
        .await;
    assert_eq!(minhang.total(), 2 + array(&all.body).len() as i64);
    assert_eq!(app.get("/api/v1/targets?year=2024", None).await.total(), 0);
    let r = app
        .delete(&format!("/api/v1/targets/{id}"), Some(&member))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
