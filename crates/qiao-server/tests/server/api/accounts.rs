//! `/api/v1/tokens`, `/me`, `/accounts` and `/audit` (`api/accounts.rs`): tokens and their
//! expiry, password guessing held to a limit, accounts disabled and reset by admins, the
//! audit log and its workbook.

use axum::body::Body;
use axum::http::Request;

use crate::common::*;

#[tokio::test]
async fn token_guessing_is_limited_like_the_sign_in_form() {
    let app = TestApp::new().await;
    app.create_account("nina", Role::Member, None).await;
    app.create_account("omar", Role::Member, None).await;
    for _ in 0..5 {
        let r = app.sign_in("nina", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // Locked, even with the right password, and told how long to wait.
    let r = app
        .sign_in("nina", "nina-password")
        .await
        .expect(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["error"]["code"], "too_many_requests");
    let message = r.message();
    assert!(
        message.contains("try again in 15 minutes"),
        "the wait is named: {message}"
    );
    // Other usernames are not affected; a success clears a count below the limit.
    for _ in 0..2 {
        for _ in 0..4 {
            app.sign_in("omar", "wrong-password").await;
        }
        let r = app.sign_in("omar", "omar-password").await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn admins_disable_enable_and_reset_accounts() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let org = app.org(&admin, 41, "丁公司").await;
    let dan = app.member("dan", org).await;
    let app = &app;
    let me = |token: String| async move { app.get("/api/v1/me", Some(&token)).await };
    let dan_id = me(dan.clone()).await.id();
    let admin_id = me(admin.clone()).await.id();
    let login = |password: &'static str| app.sign_in("dan", password);
    let patch = |token: String, id: i64, body: Value| async move {
        app.patch(format!("/api/v1/accounts/{id}"), Some(&token), body)
            .await
    };

    // Only admins; anonymous callers must authenticate.
    let r = patch(dan.clone(), admin_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .patch(
            format!("/api/v1/accounts/{dan_id}"),
            None,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Disabled: its token stops working at once, and signing in is refused like a wrong
    // password.
    let r = patch(admin.clone(), dan_id, json!({"disabled": true}))
        .await
        .expect(StatusCode::OK);
    assert!(r.body["disabled_at"].is_string(), "{}", r.body);
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["message"], "wrong username or password");
    let list = app.get("/api/v1/accounts", Some(&admin)).await;
    let row = list.items().iter().find(|a| a["id"] == dan_id).unwrap();
    assert!(row["disabled_at"].is_string(), "{row}");

    // An admin cannot disable themselves.
    let r = patch(admin.clone(), admin_id, json!({"disabled": true}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "disabled");
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Re-enabled: signing in works again; the token from before stays revoked.
    let r = patch(admin.clone(), dan_id, json!({"disabled": false}))
        .await
        .expect(StatusCode::OK);
    assert!(r.body["disabled_at"].is_null());
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await.expect(StatusCode::CREATED);
    let fresh = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(me(fresh.clone()).await.status, StatusCode::OK);

    // Password reset: as long as registration asks; the old password and token stop working.
    let new_password = json!({"password": "dan-new-password"});
    let r = patch(admin.clone(), dan_id, json!({"password": "short"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "password");
    let r = patch(dan.clone(), dan_id, new_password.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token changes nothing"
    );
    let r = patch(fresh.clone(), dan_id, new_password.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not reset passwords"
    );
    patch(admin.clone(), dan_id, new_password)
        .await
        .expect(StatusCode::OK);
    assert_eq!(me(fresh).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-password").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-new-password").await.status, StatusCode::CREATED);

    // Nothing to change, an unknown field, a missing account.
    for (id, body, status) in [
        (dan_id, json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            dan_id,
            json!({"role": "admin"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (9999, json!({"disabled": true}), StatusCode::NOT_FOUND),
    ] {
        patch(admin.clone(), id, body).await.expect(status);
    }

    // Each change is audited as the admin's, and the password is not in the log.
    let log = app.get("/api/v1/audit", Some(&admin)).await;
    let updates: Vec<&str> = log
        .items()
        .iter()
        .filter(|e| e["entity"] == "account" && e["entity_id"] == dan_id && e["op"] == "update")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(updates, ["admin", "admin", "admin"]);
    assert!(!log.body.to_string().contains("dan-new-password"));
}

/// A burst of concurrent wrong passwords is held to the same five failures as guesses one
/// after the other: each attempt takes its place in the count before the slow hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_held_to_the_limit() {
    use tower::ServiceExt;
    let app = TestApp::new().await;
    app.create_account("eve", Role::Member, None).await;
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let router = app.router.clone();
            tokio::spawn(async move {
                let body = json!({"username": "eve", "password": format!("guess-{i}")});
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/tokens")
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("a wrong password answered {other}"),
        }
    }
    let max = qiao_app::signin::LoginLimiter::MAX_FAILURES;
    assert!(
        checked <= max,
        "{checked} wrong passwords were checked, at most {max} may be"
    );
    let r = app.sign_in("eve", "eve-password").await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even for the right password: {}",
        r.body
    );
}

/// Registering organisations and writing policies are for admins and commission staff: a
/// technology manager (技术经理人) and a member are refused, an anonymous caller must sign in.
#[tokio::test]
async fn only_admins_and_staff_register_organisations_and_write_policies() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let staff = app.staff().await;
    let manager = app.manager().await;
    let a = app.org(&admin, 1, "甲公司").await;
    let member = app.member("alice", a).await;
    for (n, (who, token, status)) in [
        ("admin", Some(&admin), StatusCode::CREATED),
        ("staff", Some(&staff), StatusCode::CREATED),
        ("manager", Some(&manager), StatusCode::FORBIDDEN),
        ("member", Some(&member), StatusCode::FORBIDDEN),
        ("anonymous", None, StatusCode::UNAUTHORIZED),
    ]
    .into_iter()
    .enumerate()
    {
        let token = token.map(String::as_str);
        let org = json!({"kind": "enterprise", "name": format!("{who}的企业"), "credit_code": code(10 + n as u32)});
        let r = app.post("/api/v1/organisations", token, org).await;
        assert_eq!(r.status, status, "{who} registers: {}", r.body);
        let policy =
            json!({"title": format!("{who}的政策"), "conditions": {"districts": ["闵行区"]}});
        let r = app.post("/api/v1/policies", token, policy).await;
        assert_eq!(r.status, status, "{who} writes a policy: {}", r.body);
    }
}

/// Issue #29, item 10: eight spaces, or one character eight times, are no password.
#[tokio::test]
async fn passwords_need_eight_characters_besides_spaces_and_two_different_ones() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let carol = |password: &str| json!({"username": "carol", "password": password, "role": "technology_manager"});
    for weak in ["        ", "   abc    ", "aaaaaaaaaa"] {
        let r = app
            .post("/api/v1/accounts", Some(&admin), carol(weak))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{weak:?}: {}",
            r.body
        );
        assert_eq!(r.field(0), "password");
    }
    app.post("/api/v1/accounts", Some(&admin), carol(" two words "))
        .await
        .expect(StatusCode::CREATED);
}

/// Issue #29, item 10: API tokens expire and are revoked one by one by their owner.
#[tokio::test]
async fn tokens_expire_and_are_revoked_one_by_one() {
    let app = TestApp::new().await;
    let eve = app.account("eve", Role::Member, None).await;
    let mallory = app.account("mallory", Role::Member, None).await;
    let login = |days: Value| {
        app.post(
            "/api/v1/tokens",
            None,
            json!({"username": "eve", "password": "eve-password", "name": "script",
                   "expires_in_days": days}),
        )
    };
    let r = login(json!(7)).await.expect(StatusCode::CREATED);
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((6.9..=7.0).contains(&days), "{days}");
    let (second, second_id) = (r.body["token"].as_str().unwrap().to_string(), r.id());
    for bad in [json!(0), json!(366)] {
        let r = login(bad).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.field(0), "expires_in_days");
    }
    // Listed without the tokens themselves.
    let listed = app
        .get("/api/v1/tokens", Some(&eve))
        .await
        .expect(StatusCode::OK);
    assert_eq!(array(&listed.body).len(), 2, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], second_id);
    assert!(!listed.body.to_string().contains(&second));
    // Another account's token is not yours to revoke.
    let revoke = format!("/api/v1/tokens/{second_id}");
    let r = app.delete(&revoke, Some(&mallory)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Revoked: it stops working at once; the other token still works.
    app.delete(&revoke, Some(&eve))
        .await
        .expect(StatusCode::NO_CONTENT);
    let me = app.get("/api/v1/me", Some(&second)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let me = app.get("/api/v1/me", Some(&eve)).await;
    assert_eq!(me.status, StatusCode::OK);
    // An expired token is refused like an unknown one.
    let expired = app.expired_token(me.id()).await;
    app.get("/api/v1/me", Some(&expired))
        .await
        .expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_audit_api_lists_changed_fields_filters_and_exports_for_admins_only() {
    let app = TestApp::new().await;
    let admin = app.account("auditor", Role::Admin, None).await;
    let org = app.org(&admin, 61, "审计企业").await;
    let member = app.member("member", org).await;
    let id = app.create(&member, "/api/v1/demands", demand()).await;
    let mut changed = demand();
    changed["budget_max_yuan"] = json!(3000000);
    changed["title"] = json!("=HYPERLINK(\"http://example.com\")电池包散热");
    app.put(&format!("/api/v1/demands/{id}"), Some(&member), changed)
        .await
        .expect(StatusCode::OK);

    // Admins only, in JSON and as a workbook.
    for uri in ["/api/v1/audit", "/api/v1/audit?format=xlsx"] {
        assert_eq!(app.get(uri, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.get(uri, Some(&member)).await.status,
            StatusCode::FORBIDDEN
        );
    }

    // One record's history by one actor: the create and the update, with their fields.
    let history = app
        .get(
            &format!("/api/v1/audit?actor=member&entity=listing&entity_id={id}"),
            Some(&admin),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(history.total(), 2, "{}", history.body);
    let update = &history.body["items"][0];
    assert_eq!(update["op"], "update");
    let fields: Vec<(&str, &Value, &Value)> = array(&update["changes"])
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), &c["before"], &c["after"]))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("budget_max_yuan", &json!(2000000), &json!(3000000)),
            (
                "title",
                &json!("电池包散热"),
                &json!("=HYPERLINK(\"http://example.com\")电池包散热")
            ),
        ]
    );
    let create = &history.body["items"][1];
    assert!(
        array(&create["changes"])
            .iter()
            .any(|c| c["field"] == "contact.phone" && c["after"] == "021-55550000"),
        "{create}"
    );
    // By actor: the admin made the organisation only.
    let by_admin = app.get("/api/v1/audit?actor=auditor", Some(&admin)).await;
    assert_eq!(by_admin.total(), 1, "{}", by_admin.body);
    assert_eq!(by_admin.body["items"][0]["entity"], "organisation");
    // By date (China Standard Time days): nothing in 2000, everything today.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d");
    let old = app
        .get("/api/v1/audit?from=2000-01-01&to=2000-12-31", Some(&admin))
        .await;
    assert_eq!(old.total(), 0, "{}", old.body);
    let now = app
        .get(
            &format!("/api/v1/audit?from={today}&to={today}&entity=listing"),
            Some(&admin),
        )
        .await;
    assert_eq!(now.total(), 2, "{}", now.body);
    // Bad parameters are named.
    for (uri, field) in [
        ("/api/v1/audit?entity=widget", "entity"),
        ("/api/v1/audit?entity_id=x", "entity_id"),
        ("/api/v1/audit?from=2026-13-01", "from"),
        ("/api/v1/audit?format=pdf", "format"),
    ] {
        let r = app.get(uri, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(r.body.to_string().contains(field), "{uri}: {}", r.body);
    }

    // The workbook: one row per changed field, values whole, a formula-like value as text.
    let req = Request::builder()
        .uri(format!(
            "/api/v1/audit?format=xlsx&entity=listing&entity_id={id}"
        ))
        .header("authorization", format!("Bearer {admin}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = app.respond(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let Sheet { rows, formulas, .. } = first_sheet(&bytes);
    assert!(!formulas, "no cell may hold a formula");
    assert_eq!(rows[0][6], "字段");
    assert_eq!(rows[0][8], "修改后");
    let update_rows: Vec<_> = rows.iter().filter(|r| r[3] == "修改").collect();
    assert_eq!(update_rows.len(), 2, "{rows:?}");
    assert_eq!(
        update_rows[0][4..],
        [
            "技术需求",
            &id.to_string(),
            "预算上限",
            "2000000",
            "3000000"
        ]
    );
    assert_eq!(update_rows[0][2], "member");
    assert_eq!(update_rows[1][6], "标题");
    assert_eq!(
        update_rows[1][8],
        "=HYPERLINK(\"http://example.com\")电池包散热"
    );
    let created = rows.iter().filter(|r| r[3] == "新建").count();
    assert_eq!(created, array(&create["changes"]).len());
}
