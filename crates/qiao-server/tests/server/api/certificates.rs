//! `/api/v1/organisations/{id}/certificates/{n}/verification`, `/certificates/pending` and
//! `/certificate-lists` (`api/certificates.rs`): a claimed certificate counts only once staff
//! verify it, one by one or from an official list.

use crate::common::*;

#[tokio::test]
async fn certificates_count_only_once_staff_verify_them() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let today = qiao_domain::today();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let id = app.org(&admin, 801, "自称高企科技").await;
    let member = app.account("member", Role::Member, Some(id)).await;
    let org_uri = format!("/api/v1/organisations/{id}");
    let verify_uri = format!("{org_uri}/certificates/0/verification");
    let r = app
        .call(Method::POST, "/api/v1/targets", Some(&staff), Some(json!({
            "region": "上海市", "year": chrono::Datelike::year(&today), "indicator": "有效期内高新技术企业",
            "value": 10, "unit": "家", "metric": {"kind": "certified", "certificate": "high_tech"}})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({
            "title": "高企奖励", "conditions": {"certificates": ["high_tech"]}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let progress = || async {
        let t = app.call(Method::GET, "/api/v1/targets", None, None).await;
        t.body["items"][0]["progress"].clone()
    };
    let verdict = || async {
        let p = app
            .call(
                Method::GET,
                &format!("{org_uri}/policies"),
                Some(&member),
                None,
            )
            .await;
        p.body[0]["eligibility"]["checks"][0].clone()
    };

    // The member claims a certificate, and forges a verification with it: both are a claim.
    let r = app
        .call(Method::PATCH, &org_uri, Some(&member), Some(json!({"certificates": [
            {"kind": "high_tech", "number": "GR2026FAKE", "issued_on": day(-30), "expires_on": day(1000),
             "verification": {"status": "verified", "by": 1, "by_name": "me", "at": "2026-01-01T00:00:00Z"}}]})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
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
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&member),
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            None,
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .call(
            Method::GET,
            "/api/v1/certificates/pending",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/certificates/pending?kind=高新技术企业"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.as_array().unwrap().len(), 1);
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
            .call(Method::POST, &verify_uri, Some(&staff), Some(body))
            .await;
        assert_eq!(r.status, status, "{}", r.body);
        if !field.is_empty() {
            assert_eq!(r.body["error"]["fields"][0]["field"], field, "{}", r.body);
        }
    }
    let r = app
        .call(
            Method::POST,
            &format!("{org_uri}/certificates/5/verification"),
            Some(&staff),
            Some(json!({"status": "verified"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(progress().await["actual"], 0.0, "nothing was decided");

    // Staff verify it, correcting the number: now it counts.
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&staff),
            Some(json!({"status": "verified", "number": "GR202631000777", "kind": "high_tech"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
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
        .call(
            Method::PATCH,
            &org_uri,
            Some(&member),
            Some(json!({"description": "电池"})),
        )
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "verified",
        "{}",
        r.body
    );
    let mut certs = r.body["certificates"].clone();
    certs[0]["expires_on"] = json!(day(2000));
    let r = app
        .call(
            Method::PATCH,
            &org_uri,
            Some(&member),
            Some(json!({"certificates": certs})),
        )
        .await;
    assert_eq!(
        r.body["certificates"][0]["verification"]["status"], "pending",
        "{}",
        r.body
    );
    assert_eq!(progress().await["actual"], 0.0);

    // Rejected with a reason: a fail, and the reason is kept.
    let r = app
        .call(
            Method::POST,
            &verify_uri,
            Some(&staff),
            Some(json!({"status": "rejected", "reason": "区高企名单中无此证书 <b>"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["certificates"][0]["verification"]["reason"],
        "区高企名单中无此证书 <b>"
    );
    assert_eq!(verdict().await["outcome"], "fail");
    assert_eq!(progress().await["actual"], 0.0);

    // Every decision is in the audit log with who made it.
    let audit = app
        .call(
            Method::GET,
            "/api/v1/audit?per_page=200",
            Some(&admin),
            None,
        )
        .await;
    let by_staff = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "organisation" && e["entity_id"] == id && e["actor"] == "staff")
        .count();
    assert_eq!(by_staff, 2, "{}", audit.body);
}

#[tokio::test]
async fn an_official_list_verifies_every_matching_claim_and_names_the_rest() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let claim = |issued: &str| {
        json!({"certificates": [
        {"kind": "high_tech", "issued_on": issued, "expires_on": "2099-12-31"}]})
    };
    let a = app.org(&admin, 811, "甲").await;
    let b = app.org(&admin, 812, "乙").await;
    let c = app.org(&admin, 813, "丙").await;
    for (id, issued) in [(a, "2025-12-01"), (b, "2025-12-01")] {
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/organisations/{id}"),
                Some(&admin),
                Some(claim(issued)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let csv = format!(
        "2025年高新技术企业名单\n序号,企业名称,统一社会信用代码,证书编号,发证日期\n1,甲,{},GR202531000001,2025-12-01\n2,乙,{},GR202531000002,2025-11-01\n3,丙,{},GR202531000003,2025-12-01\n4,无名,{},GR4,2025-12-01\n5,坏,91310000XXXX,GR5,2025-12-01\n6,甲,{},GR202531000001,2025-12-01\n",
        code(811),
        code(812),
        code(813),
        code(899),
        code(811)
    );
    let uri = "/api/v1/certificate-lists?kind=high_tech&format=csv&name=高企名单.csv";
    let send = |token: String, body: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &encode_uri(uri),
                Some(&token),
                Some((body.into_bytes(), "text/csv")),
            )
            .await
        }
    };
    assert_eq!(
        send(member.clone(), csv.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let r = send(staff.clone(), csv.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let lines = |k: &str| -> Vec<u64> {
        r.body[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("verified"), [3]);
    assert_eq!(lines("already_verified"), [8], "a code listed twice");
    assert_eq!(lines("unmatched"), [4, 5, 6, 7], "{}", r.body);
    let reasons: Vec<&str> = r.body["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"]["zh"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("发证日期不符"), "{reasons:?}");
    assert!(reasons[1].contains("未申报"), "{reasons:?}");
    assert!(reasons[2].contains("没有该统一社会信用代码"), "{reasons:?}");
    assert!(reasons[3].contains("统一社会信用代码"), "{reasons:?}");
    let got = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{a}"),
            None,
            None,
        )
        .await;
    let v = &got.body["certificates"][0];
    assert_eq!(v["verification"]["status"], "verified");
    assert_eq!(v["verification"]["source"], "高企名单.csv 第3行");
    assert_eq!(v["number"], "GR202531000001");
    let got = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{b}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        got.body["certificates"][0]["verification"]["status"],
        "pending"
    );
    let _ = c;
    // Applied again, the list verifies nothing new.
    let again = send(staff.clone(), csv).await;
    assert_eq!(again.body["verified"].as_array().unwrap().len(), 0);
    assert_eq!(again.body["already_verified"].as_array().unwrap().len(), 2);
    // A list without a credit-code column is refused as a whole.
    let r = send(staff, "企业名称,证书编号\n甲,GR1\n".into()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}
