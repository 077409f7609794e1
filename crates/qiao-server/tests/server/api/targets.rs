//! `/api/v1/targets` and `/api/v1/documents/{id}/targets` (`api/targets.rs`): targets from
//! a work plan's figures, measured by the records or reported by hand.

use crate::common::*;

#[tokio::test]
async fn targets_from_a_work_plan_are_measured_by_the_certificates_in_force() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let plan = app
        .send(
            Method::POST,
            "/api/v1/documents?name=003.txt",
            Some(&staff),
            Some((
                fixture_bytes("003_853fbbfa8443af7f.txt"),
                "application/octet-stream",
            )),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.body);
    let doc = plan.body["id"].as_i64().unwrap();
    let figures = plan.body["figures"].as_array().unwrap();
    let high_tech = figures
        .iter()
        .position(|f| f["indicator"].as_str().unwrap().contains("高新技术企业"))
        .unwrap();
    let turnover = figures
        .iter()
        .position(|f| f["indicator"] == "技术合同成交额")
        .unwrap();

    // Three enterprises in 闵行区 hold the certificate during 2023, one of them lapsing in June;
    // one in 徐汇区 does not count.
    for (n, district, expires) in [
        (1, "闵行区", "2025-11-30"),
        (2, "闵行区", "2025-11-30"),
        (3, "闵行区", "2023-06-30"),
        (4, "徐汇区", "2025-11-30"),
    ] {
        let r = app.call(Method::POST, "/api/v1/organisations", Some(&admin), Some(json!({
            "kind": "enterprise", "name": format!("企业{n}"), "credit_code": code(n), "district": district,
            "certificates": [{"kind": "high_tech", "issued_on": "2022-12-01", "expires_on": expires}]
        }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        app.verify_all(&staff, r.body["id"].as_i64().unwrap()).await;
    }

    let uri = format!("/api/v1/documents/{doc}/targets");
    assert_eq!(
        app.call(Method::POST, &uri, Some(&member), Some(json!({})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech, 999]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "figures[999]");
    assert_eq!(
        app.call(Method::GET, "/api/v1/targets", None, None)
            .await
            .body["total"],
        0,
        "nothing half-written"
    );
    let made = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech, turnover]})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
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
    let again = app
        .call(
            Method::POST,
            &uri,
            Some(&staff),
            Some(json!({"figures": [high_tech]})),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    let all = app
        .call(Method::POST, &uri, Some(&staff), Some(json!({})))
        .await;
    assert_eq!(all.status, StatusCode::CREATED, "{}", all.body);
    let indicators: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["indicator"].as_str().unwrap())
        .collect();
    assert!(
        !indicators.contains(&"技术合同成交额")
            && !indicators.iter().any(|i| i.contains("有效期内高新")),
        "{indicators:?}"
    );
    assert!(indicators.contains(&"院士专家工作站"), "{indicators:?}");
    let deal = &made.body[1];
    assert_eq!(deal["value"].as_f64(), Some(23_000_000_000.0));
    assert_eq!(deal["metric"], Value::Null);
    assert_eq!(deal["progress"]["actual"], Value::Null);

    // The turnover is reported by hand; the list filters by region and year.
    let id = deal["id"].as_i64().unwrap();
    let mut reported = deal.clone();
    for k in ["id", "created_at", "updated_at", "progress"] {
        reported.as_object_mut().unwrap().remove(k);
    }
    reported["reported"] = json!(24_500_000_000.0);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/targets/{id}"),
            Some(&staff),
            Some(reported),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["progress"]["source"].as_str(),
            r.body["progress"]["reached"].as_bool()
        ),
        (Some("reported"), Some(true))
    );
    let hand = app
        .call(
            Method::POST,
            "/api/v1/targets",
            Some(&staff),
            Some(json!({
        "region": "徐汇区", "year": 2023, "indicator": "高新技术企业", "value": 1, "unit": "家",
        "metric": {"kind": "certified", "certificate": "high_tech"}})),
        )
        .await;
    assert_eq!(hand.status, StatusCode::CREATED, "{}", hand.body);
    assert_eq!(hand.body["progress"]["reached"], true);
    let r = app
        .call(
            Method::POST,
            "/api/v1/targets",
            Some(&staff),
            Some(json!({
        "region": "徐汇区", "year": 1800, "indicator": "x", "value": -1, "unit": "元",
        "metric": {"kind": "certified", "certificate": "high_tech"}})),
        )
        .await;
    let fields: Vec<&str> = r.body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["year", "value", "metric"]);
    let minhang = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/targets?region=闵行区&year=2023"),
            None,
            None,
        )
        .await;
    assert_eq!(
        minhang.body["total"].as_u64(),
        Some(2 + all.body.as_array().unwrap().len() as u64)
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/targets?year=2024", None, None)
            .await
            .body["total"],
        0
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/targets/{id}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
