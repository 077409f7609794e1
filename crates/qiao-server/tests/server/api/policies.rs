//! `/api/v1/policies` and `/api/v1/organisations/{id}/policies` (`api/policies.rs`): who
//! qualifies, both ways, without leaking an enterprise's private figures.

use crate::common::*;

#[tokio::test]
async fn policies_check_enterprises_both_ways_without_leaking_private_figures() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let make = |n: u32, name: &str, extra: Value| {
        let mut body = json!({"kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app
                .call(
                    Method::POST,
                    "/api/v1/organisations",
                    Some(&admin),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.body["id"].as_i64().unwrap();
            app.verify_all(&admin, id).await;
            id
        }
    };
    let cert =
        json!([{"kind": "high_tech", "issued_on": "2024-12-01", "expires_on": "2027-11-30"}]);
    let strong = make(
        1,
        "强研发科技",
        json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 4_000_000, "certificates": cert}),
    )
    .await;
    let weak = make(
        2,
        "弱研发科技",
        json!({"revenue_yuan": 50_000_000, "rd_expense_yuan": 500_000, "certificates": cert}),
    )
    .await;
    let silent = make(3, "未填报科技", json!({"certificates": cert})).await;
    let member = app.account("member", Role::Member, Some(strong)).await;
    let outsider = app.account("outsider", Role::Member, Some(weak)).await;

    let policy = json!({"title": "高新技术企业研发投入奖励", "benefit": "按研发投入的10%奖励，最高100万元",
        "conditions": {"certificates": ["high_tech"], "districts": ["闵行区"], "min_rd_ratio_percent": 5}});
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&member),
            Some(policy.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not write policies"
    );
    let bad = json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500, "industries": ["Q"], "nmae": 1}});
    let r = app
        .call(Method::POST, "/api/v1/policies", Some(&staff), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nmae"),
        "{}",
        r.body
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({"title": "x", "conditions": {"min_rd_ratio_percent": 500}})),
        )
        .await;
    assert_eq!(
        r.body["error"]["fields"][0]["field"], "conditions.min_rd_ratio_percent",
        "{}",
        r.body
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/policies",
            Some(&staff),
            Some(json!({"title": "x", "document_id": 999})),
        )
        .await;
    assert_eq!(
        r.body["error"]["fields"][0]["field"], "document_id",
        "{}",
        r.body
    );
    let created = app
        .call(Method::POST, "/api/v1/policies", Some(&staff), Some(policy))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let pid = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/policies/{pid}").as_str())
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/policies", None, None)
            .await
            .body["total"],
        1
    );

    // Policy → enterprises: staff see every verdict, qualifying first, with what is needed.
    let uri = format!("/api/v1/policies/{pid}/enterprises?on=2026-06-01");
    assert_eq!(
        app.call(Method::GET, &uri, Some(&member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reach = app.call(Method::GET, &uri, Some(&staff), None).await;
    assert_eq!(reach.status, StatusCode::OK, "{}", reach.body);
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 1, "unknown": 1, "fail": 1})
    );
    let ids: Vec<i64> = reach.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [strong, silent, weak]);
    let weak_checks = &reach.body["items"][2]["eligibility"]["checks"];
    assert_eq!(weak_checks[2]["condition"], "rd_ratio");
    assert_eq!(weak_checks[2]["outcome"], "fail");
    assert_eq!(weak_checks[2]["actual"]["zh"], "1.0%");
    assert_eq!(weak_checks[2]["needed"]["zh"], "研发费用需再增加约200万元");
    let only = app
        .call(
            Method::GET,
            &format!("{uri}&outcome=unknown"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(
        (
            only.body["total"].as_i64(),
            only.body["items"][0]["id"].as_i64()
        ),
        (Some(1), Some(silent))
    );
    let r = app
        .call(
            Method::GET,
            &format!("{uri}&outcome=maybe"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.body["error"]["fields"][0]["field"], "outcome");
    // After the certificate lapses, nobody qualifies.
    let later = app
        .call(
            Method::GET,
            &format!("/api/v1/policies/{pid}/enterprises?on=2027-12-01"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(later.body["counts"]["pass"], 0);

    // Enterprise → policies: the member sees its own verdict; an outsider checking the same
    // enterprise gets "unknown" on the R&D ratio, never a pass or fail that reveals it.
    let own = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{strong}/policies?on=2026-06-01"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body[0]["eligibility"]["outcome"], "pass");
    assert_eq!(own.body[0]["policy"]["id"], pid);
    let seen = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{strong}/policies?on=2026-06-01"),
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(seen.body[0]["eligibility"]["outcome"], "unknown");
    assert_eq!(
        seen.body[0]["eligibility"]["checks"][2]["actual"],
        Value::Null
    );
    let anon = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{weak}/policies"),
            None,
            None,
        )
        .await;
    assert_eq!(anon.body[0]["eligibility"]["outcome"], "unknown");
    let r = app
        .call(
            Method::GET,
            &format!("/api/v1/organisations/{weak}/policies?on=tomorrow"),
            None,
            None,
        )
        .await;
    assert_eq!(r.body["error"]["fields"][0]["field"], "on");

    // Staff change and delete it; the audit log names them.
    let mut changed = created.body.clone();
    for k in ["id", "created_at", "updated_at"] {
        changed.as_object_mut().unwrap().remove(k);
    }
    changed["conditions"]["min_rd_ratio_percent"] = json!(1);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/policies/{pid}"),
            Some(&staff),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let reach = app.call(Method::GET, &uri, Some(&staff), None).await;
    assert_eq!(
        reach.body["counts"],
        json!({"pass": 2, "unknown": 1, "fail": 0})
    );
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/policies/{pid}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(Method::GET, &format!("/api/v1/policies/{pid}"), None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audit = app
        .call(
            Method::GET,
            "/api/v1/audit?per_page=200",
            Some(&admin),
            None,
        )
        .await;
    let policy_ops: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "policy")
        .map(|e| e["op"].as_str().unwrap())
        .collect();
    assert_eq!(policy_ops, ["delete", "update", "insert"]);
}
