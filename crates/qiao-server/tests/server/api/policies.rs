//! `/api/v1/policies` and `/api/v1/organisations/{id}/policies` (`api/policies.rs`): who
//! qualifies, both ways, without leaking an enterprise's private figures.

use crate::common::*;

#[tokio::test]
async fn policies_check_enterprises_both_ways_without_leaking_private_figures() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let cert =
        json!([{"kind": "high_tech", "issued_on": "2024-12-01", "expires_on": "2027-11-30"}]);
    let mut verified = Vec::new();
    for (n, name, extra) in [
        (
            1,
            "强研发科技",
            json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 4_000_000, "certificates": cert}),
        ),
        (
            2,
            "弱研发科技",
            json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 500_000, "certificates": cert}),
        ),
        (3, "未填报科技", json!({"certificates": cert})),
    ] {
        let id = app.enterprise(&admin, n, name, extra).await;
        app.verify_all(&admin, id).await;
        verified.push(id);
    }
    let [strong, weak, silent] = verified[..] else {
        unreachable!()
    };
    let member = app.member("member", strong).await;
    let outsider = app.member("outsider", weak).await;

    let policy = json!({"title": "高新技术企业研发投入奖励", "benefit": "按研发投入的10%奖励，最高100万元",
        "conditions": {"certificates": ["high_tech"], "districts": ["闵行区"], "min_rd_ratio_percent": 5}});
    let r = app
        .post("/api/v1/policies", Some(&member), policy.clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not write policies"
    );
    let bad = json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500, "industries": ["Q"], "nmae": 1}});
    let r = app
        .post("/api/v1/policies", Some(&staff), bad)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("nmae"), "{}", r.body);
    for (body, field) in [
        (
            json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500}}),
            "conditions.min_rd_ratio_percent",
        ),
        (json!({"title": "x", "document_id": 999}), "document_id"),
    ] {
        let r = app.post("/api/v1/policies", Some(&staff), body).await;
        assert_eq!(r.field(0), field, "{}", r.body);
    }
    let created = app
        .post("/api/v1/policies", Some(&staff), policy)
        .await
        .expect(StatusCode::CREATED);
    let pid = created.id();
    let policy_uri = format!("/api/v1/policies/{pid}");
    assert_eq!(created.location.as_deref(), Some(policy_uri.as_str()));
    assert_eq!(app.get("/api/v1/policies", None).await.total(), 1);

    // Policy → enterprises: staff see every verdict, qualifying first, with what is needed.
    let uri = format!("{policy_uri}/enterprises?on=2026-06-01");
    assert_eq!(
        app.get(&uri, Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    let reach = app.get(&uri, Some(&staff)).await.expect(StatusCode::OK);
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 1, "unknown": 1, "fail": 1})
    );
    assert_eq!(ints_of(&reach.body["items"], "id"), [strong, silent, weak]);
    let weak_checks = &reach.body["items"][2]["eligibility"]["checks"];
    assert_eq!(weak_checks[2]["condition"], "rd_ratio");
    assert_eq!(weak_checks[2]["outcome"], "fail");
    assert_eq!(weak_checks[2]["actual"]["zh"], "1.0%");
    assert_eq!(weak_checks[2]["needed"]["zh"], "研发费用需再增加约200万元");
    let only = app
        .get(&format!("{uri}&outcome=unknown"), Some(&staff))
        .await;
    assert_eq!(
        (
            only.body["total"].as_i64(),
            only.body["items"][0]["id"].as_i64()
        ),
        (Some(1), Some(silent))
    );
    let r = app.get(&format!("{uri}&outcome=maybe"), Some(&staff)).await;
    assert_eq!(r.field(0), "outcome");
    // After the certificate lapses, nobody qualifies.
    let later = app
        .get(
            &format!("{policy_uri}/enterprises?on=2027-12-01"),
            Some(&staff),
        )
        .await;
    assert_eq!(later.body["counts"]["pass"], 0);

    // Enterprise → policies: the member sees its own verdict; an outsider checking the same
    // enterprise gets "unknown" on the R&D ratio, never a pass or fail that reveals it.
    let strong_policies = format!("/api/v1/organisations/{strong}/policies?on=2026-06-01");
    let own = app
        .get(&strong_policies, Some(&member))
        .await
        .expect(StatusCode::OK);
    assert_eq!(own.body[0]["eligibility"]["outcome"], "pass");
    assert_eq!(own.body[0]["policy"]["id"], pid);
    let seen = app.get(&strong_policies, Some(&outsider)).await;
    assert_eq!(seen.body[0]["eligibility"]["outcome"], "unknown");
    assert_eq!(
        seen.body[0]["eligibility"]["checks"][2]["actual"],
        Value::Null
    );
    let anon = app
        .get(&format!("/api/v1/organisations/{weak}/policies"), None)
        .await;
    assert_eq!(anon.body[0]["eligibility"]["outcome"], "unknown");
    let r = app
        .get(
            &format!("/api/v1/organisations/{weak}/policies?on=tomorrow"),
            None,
        )
        .await;
    assert_eq!(r.field(0), "on");

    // Staff change and delete it; the audit log names them.
    let mut changed = without(&created.body, &["id", "created_at", "updated_at"]);
    changed["conditions"]["min_rd_ratio_percent"] = json!(1);
    app.put(&policy_uri, Some(&staff), changed)
        .await
        .expect(StatusCode::OK);
    let reach = app.get(&uri, Some(&staff)).await;
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 2, "unknown": 1, "fail": 0})
    );
    let r = app.delete(&policy_uri, Some(&staff)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&policy_uri, None).await.status,
        StatusCode::NOT_FOUND
    );
    let log = app.audit_log(&admin).await;
    let policy_ops: Vec<&str> = log
        .iter()
        .filter(|e| e["entity"] == "policy")
        .map(|e| e["op"].as_str().unwrap())
        .collect();
    assert_eq!(policy_ops, ["delete", "update", "insert"]);
}
