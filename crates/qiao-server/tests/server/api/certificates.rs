//! `/api/v1/organisations/{id}/certificates/{n}/verification`, `/certificates/pending` and
//! `/certificate-lists` (`api/certificates.rs`): a claimed certificate counts only once staff
//! verify it, one by one or from an official list.

use crate::common::*;

#[tokio::test]
async fn certificates_count_only_once_staff_verify_them() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let today = qiao_domain::today();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let id = app.org(&admin, 801, "自称高企科技").await;
    let member = app.member("member", id).await;
    let org_uri = format!("/api/v1/organisations/{id}");
    let verify_uri = format!("{org_uri}/certificates/0/verification");
    app.create(&staff, "/api/v1/targets", json!({
            "region": "上海市", "year": chrono::Datelike::year(&today), "indicator": "有效期内高新技术企业",
            "value": 10, "unit": "家", "metric": {"kind": "certified", "certificate": "high_tech"}}))
        .await;
    app.create(
        &staff,
        "/api/v1/policies",
        json!({"title": "高企奖励", "conditions": {"certificates": ["high_tech"]}}),
    )
    .await;
    let progress = || async {
        let t = app.get("/api/v1/targets", None).await;
        t.body["items"][0]["progress"].clone()
    };
    let verdict = || async {
        let p = app.get(format!("{org_uri}/policies"), Some(&member)).await;
        p.body[0]["eligibility"]["checks"][0].clone()
    };
    let verified = || json!({"status": "verified"});

    // The member claims a certificate, and forges a verification with it: both are a claim.
    let r = app
        .patch(&org_uri, Some(&member), json!({"certificates": [
            {"kind": "high_tech", "number": "GR2026FAKE", "issued_on": day(-30), "expires_on": day(1000),
             "verification": {"status": "verified", "by": 1, "by_name": "me", "at": "2026-01-01T00:00:00Z"}}]}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        r.body["certificates"][0]["verification"],
        json!({"status": "pending"})
    );
    let check = verdict().await;
    assert_eq!(check["outcome"], "unknown", "{check}");
    assert_eq!(check["needed"]["zh"], "待科委核验证书");
    let p = progress().await;
    assert_eq!(
        (p["actual"].as_f64(), p["pending"].as_u64()),
        (Some(0.0), Some(1)),
        "{p}"
    );

    // Only staff and admins decide.
    app.post(&verify_uri, Some(&member), verified())
        .await
        .expect(StatusCode::FORBIDDEN);
    let r = app.post(&verify_uri, None, verified()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/certificates/pending", Some(&member)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get(
            &encode_uri("/api/v1/certificates/pending?kind=高新技术企业"),
            Some(&staff),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(array(&r.body).len(), 1);
    assert_eq!(
        (r.body[0]["org_id"].as_i64(), r.body[0]["index"].as_u64()),
        (Some(id), Some(0))
    );

    // Bad decisions name what is wrong.
    for (body, status, field) in [
        (
            json!({"status": "maybe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
        ),
        (
            json!({"status": "rejected", "reason": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
        ),
        (
            json!({"status": "verified", "kind": "leading"}),
            StatusCode::CONFLICT,
            "",
        ),
    ] {
        let r = app
            .post(&verify_uri, Some(&staff), body)
            .await
            .expect(status);
        if !field.is_empty() {
            assert_eq!(r.field(0), field, "{}", r.body);
        }
    }
    app.post(
        &format!("{org_uri}/certificates/5/verification"),
        Some(&staff),
        verified(),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    assert_eq!(progress().await["actual"], 0.0, "nothing was decided");

    // Staff verify it, correcting the number: now it counts.
    let r = app
        .post(
            &verify_uri,
            Some(&staff),
            json!({"status": "verified", "number": "GR202631000777", "kind": "high_tech"}),
        )
        .await
        .expect(StatusCode::OK);
    let v = &r.body["certificates"][0];
    assert_eq!(
        (
            v["verification"]["status"].as_str(),
            v["verification"]["by_name"].as_str()
        ),
        (Some("verified"), Some("staff"))
    );
    assert_eq!(v["number"], "GR202631000777");
    let p = progress().await;
    assert_eq!(
        (p["actual"].as_f64(), p["pending"].as_u64()),
        (Some(1.0), Some(0)),
        "{p}"
    );
    assert_eq!(verdict().await["outcome"], "pass");

    // A profile edit keeps the verdict; a changed claim is pending again.
    let r = app
        .patch(&org_uri, Some(&member), json!({"description": "电池"}))
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "verified",
        "{}",
        r.body
    );
    let mut certs = r.body["certificates"].clone();
    certs[0]["expires_on"] = json!(day(2000));
    let r = app
        .patch(&org_uri, Some(&member), json!({"certificates": certs}))
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "pending",
        "{}",
        r.body
    );
    assert_eq!(progress().await["actual"], 0.0);

    // Rejected with a reason: a fail, and the reason is kept.
    let r = app
        .post(
            &verify_uri,
            Some(&staff),
            json!({"status": "rejected", "reason": "区高企名单中无此证书 <b>"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        r.body["certificates"][0]["verification"]["reason"],
        "区高企名单中无此证书 <b>"
    );
    assert_eq!(verdict().await["outcome"], "fail");
    assert_eq!(progress().await["actual"], 0.0);

    // Every decision is in the audit log with who made it.
    let log = app.audit_log(&admin).await;
    let by_staff = log
        .iter()
        .filter(|e| e["entity"] == "organisation" && e["entity_id"] == id && e["actor"] == "staff")
        .count();
    assert_eq!(by_staff, 2, "{log:?}");
}

#[tokio::test]
async fn an_official_list_verifies_every_matching_claim_and_names_the_rest() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let member = app.account("member", Role::Member, None).await;
    let claim = |issued: &str| {
        json!({"certificates": [
        {"kind": "high_tech", "issued_on": issued, "expires_on": "2099-12-31"}]})
    };
    let a = app.org(&admin, 811, "甲").await;
    let b = app.org(&admin, 812, "乙").await;
    // 丙 has no claim: its line in the list matches nothing.
    app.org(&admin, 813, "丙").await;
    for (id, issued) in [(a, "2025-12-01"), (b, "2025-12-01")] {
        app.patch(
            &format!("/api/v1/organisations/{id}"),
            Some(&admin),
            claim(issued),
        )
        .await
        .expect(StatusCode::OK);
    }
    let csv = format!(
        "2025年高新技术企业名单\n序号,企业名称,统一社会信用代码,证书编号,发证日期\n1,甲,{},GR202531000001,2025-12-01\n2,乙,{},GR202531000002,2025-11-01\n3,丙,{},GR202531000003,2025-12-01\n4,无名,{},GR4,2025-12-01\n5,坏,91310000XXXX,GR5,2025-12-01\n6,甲,{},GR202531000001,2025-12-01\n",
        code(811),
        code(812),
        code(813),
        code(899),
        code(811)
    );
    let uri = encode_uri("/api/v1/certificate-lists?kind=high_tech&format=csv&name=高企名单.csv");
    let send = |token: &String, body: &str| {
        let (app, uri, token, body) = (&app, &uri, token.clone(), body.as_bytes().to_vec());
        async move {
            app.send(Method::POST, uri, Some(&token), Some((body, "text/csv")))
                .await
        }
    };
    assert_eq!(send(&member, &csv).await.status, StatusCode::FORBIDDEN);
    let r = send(&staff, &csv).await.expect(StatusCode::OK);
    let lines = |k: &str| -> Vec<i64> { ints_of(&r.body[k], "line") };
    assert_eq!(lines("verified"), [3]);
    assert_eq!(lines("already_verified"), [8], "a code listed twice");
    assert_eq!(lines("unmatched"), [4, 5, 6, 7], "{}", r.body);
    let reasons: Vec<&str> = array(&r.body["unmatched"])
        .iter()
        .map(|u| u["reason"]["zh"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("发证日期不符"), "{reasons:?}");
    assert!(reasons[1].contains("未申报"), "{reasons:?}");
    assert!(reasons[2].contains("没有该统一社会信用代码"), "{reasons:?}");
    assert!(reasons[3].contains("统一社会信用代码"), "{reasons:?}");
    let got = app.get(&format!("/api/v1/organisations/{a}"), None).await;
    let v = &got.body["certificates"][0];
    assert_eq!(v["verification"]["status"], "verified");
    assert_eq!(v["verification"]["source"], "高企名单.csv 第3行");
    assert_eq!(v["number"], "GR202531000001");
    let got = app.get(&format!("/api/v1/organisations/{b}"), None).await;
    assert_eq!(
        got.body["certificates"][0]["verification"]["status"],
        "pending"
    );
    // Applied again, the list verifies nothing new.
    let again = send(&staff, &csv).await;
    assert_eq!(array(&again.body["verified"]).len(), 0);
    assert_eq!(array(&again.body["already_verified"]).len(), 2);
    // A list without a credit-code column is refused as a whole.
    send(&staff, "企业名称,证书编号\n甲,GR1\n")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
}
