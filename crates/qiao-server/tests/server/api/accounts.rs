//! `/api/v1/tokens`, `/me`, `/accounts` and `/audit` (`api/accounts.rs`): tokens and their
//! expiry, password guessing held to a limit, accounts disabled and reset by admins, the
//! audit log and its workbook.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;

#[tokio::test]
async fn token_guessing_is_limited_like_the_sign_in_form() {
    let app = TestApp::new().await;
    app.account("nina", Role::Member, None).await;
    app.account("omar", Role::Member, None).await;
    let login = |username: &str, password: &str| {
        app.call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"username": username, "password": password})),
        )
    };
    for _ in 0..5 {
        let r = login("nina", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // Locked, even with the right password, and told how long to wait.
    let r = login("nina", "nina-password").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "too_many_requests");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("try again in 15 minutes"),
        "the wait is named: {message}"
    );
    // Other usernames are not affected; a success clears a count below the limit.
    for _ in 0..4 {
        login("omar", "wrong-password").await;
    }
    assert_eq!(
        login("omar", "omar-password").await.status,
        StatusCode::CREATED
    );
    for _ in 0..4 {
        login("omar", "wrong-password").await;
    }
    assert_eq!(
        login("omar", "omar-password").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn admins_disable_enable_and_reset_accounts() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let org = app.org(&admin, 41, "丁公司").await;
    let dan = app.account("dan", Role::Member, Some(org)).await;
    let app = &app;
    let me = |token: String| async move {
        app.call(Method::GET, "/api/v1/me", Some(&token), None)
            .await
    };
    let dan_id = me(dan.clone()).await.body["id"].as_i64().unwrap();
    let admin_id = me(admin.clone()).await.body["id"].as_i64().unwrap();
    let login = |password: &str| {
        let body = json!({"username": "dan", "password": password});
        async move {
            app.call(Method::POST, "/api/v1/tokens", None, Some(body))
                .await
        }
    };
    let patch = |token: String, id: i64, body: Value| async move {
        app.call(
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(&token),
            Some(body),
        )
        .await
    };

    // Only admins; anonymous callers must authenticate.
    let r = patch(dan.clone(), admin_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/accounts/{dan_id}"),
            None,
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Disabled: its token stops working at once, and signing in is refused like a wrong
    // password.
    let r = patch(admin.clone(), dan_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["disabled_at"].is_string(), "{}", r.body);
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["message"], "wrong username or password");
    let list = app
        .call(Method::GET, "/api/v1/accounts", Some(&admin), None)
        .await;
    let row = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == dan_id)
        .unwrap();
    assert!(row["disabled_at"].is_string(), "{row}");

    // An admin cannot disable themselves.
    let r = patch(admin.clone(), admin_id, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "disabled");
    assert_eq!(me(admin.clone()).await.status, StatusCode::OK);

    // Re-enabled: signing in works again; the token from before stays revoked.
    let r = patch(admin.clone(), dan_id, json!({"disabled": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["disabled_at"].is_null());
    assert_eq!(me(dan.clone()).await.status, StatusCode::UNAUTHORIZED);
    let r = login("dan-password").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let fresh = r.body["token"].as_str().unwrap().to_string();
    assert_eq!(me(fresh.clone()).await.status, StatusCode::OK);

    // Password reset: as long as registration asks; the old password and token stop working.
    let r = patch(admin.clone(), dan_id, json!({"password": "short"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["fields"][0]["field"], "password");
    let r = patch(dan.clone(), dan_id, json!({"password": "dan-new-password"})).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a revoked token changes nothing"
    );
    let r = patch(
        fresh.clone(),
        dan_id,
        json!({"password": "dan-new-password"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not reset passwords"
    );
    let r = patch(
        admin.clone(),
        dan_id,
        json!({"password": "dan-new-password"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me(fresh).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-password").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login("dan-new-password").await.status, StatusCode::CREATED);

    // Nothing to change, an unknown field, a missing account.
    let r = patch(admin.clone(), dan_id, json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = patch(admin.clone(), dan_id, json!({"role": "admin"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = patch(admin.clone(), 9999, json!({"disabled": true})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Each change is audited as the admin's, and the password is not in the log.
    let log = app
        .call(Method::GET, "/api/v1/audit", Some(&admin), None)
        .await;
    let updates = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "account" && e["entity_id"] == dan_id && e["op"] == "update")
        .map(|e| e["actor"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(updates, ["admin", "admin", "admin"]);
    assert!(!log.body.to_string().contains("dan-new-password"));
}

/// A burst of concurrent wrong passwords is held to the same five failures as guesses one
/// after the other: each attempt takes its place in the count before the slow hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_held_to_the_limit() {
    let app = TestApp::new().await;
    app.account("eve", Role::Member, None).await;
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
    let max = qiao_server::signin::LoginLimiter::MAX_FAILURES;
    assert!(
        checked <= max,
        "{checked} wrong passwords were checked, at most {max} may be"
    );
    let r = app
        .call(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"username": "eve", "password": "eve-password"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even for the right password: {}",
        r.body
    );
}

/// Issue #29, item 10: eight spaces, or one character eight times, are no password.
#[tokio::test]
async fn passwords_need_eight_characters_besides_spaces_and_two_different_ones() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    for weak in ["        ", "   abc    ", "aaaaaaaaaa"] {
        let r = app
            .call(
                Method::POST,
                "/api/v1/accounts",
                Some(&admin),
                Some(json!({"username": "carol", "password": weak, "role": "technology_manager"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{weak:?}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["fields"][0]["field"], "password");
    }
    let r = app
        .call(
            Method::POST,
            "/api/v1/accounts",
            Some(&admin),
            Some(json!({"username": "carol", "password": " two words ", "role": "technology_manager"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// Issue #29, item 10: API tokens expire and are revoked one by one by their owner.
#[tokio::test]
async fn tokens_expire_and_are_revoked_one_by_one() {
    let app = TestApp::new().await;
    let eve = app.account("eve", Role::Member, None).await;
    let mallory = app.account("mallory", Role::Member, None).await;
    let login = |days: Value| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/tokens",
                None,
                Some(
                    json!({"username": "eve", "password": "eve-password", "name": "script",
                            "expires_in_days": days}),
                ),
            )
            .await
        }
    };
    let r = login(json!(7)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((6.9..=7.0).contains(&days), "{days}");
    let (second, second_id) = (
        r.body["token"].as_str().unwrap().to_string(),
        r.body["id"].as_i64().unwrap(),
    );
    for bad in [json!(0), json!(366)] {
        let r = login(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["error"]["fields"][0]["field"], "expires_in_days");
    }
    // Listed without the tokens themselves.
    let listed = app
        .call(Method::GET, "/api/v1/tokens", Some(&eve), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], second_id);
    assert!(!listed.body.to_string().contains(&second));
    // Another account's token is not yours to revoke.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{second_id}"),
            Some(&mallory),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Revoked: it stops working at once; the other token still works.
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{second_id}"),
            Some(&eve),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&second), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let me = app.call(Method::GET, "/api/v1/me", Some(&eve), None).await;
    assert_eq!(me.status, StatusCode::OK);
    // An expired token is refused like an unknown one.
    let eve_id = me.body["id"].as_i64().unwrap();
    let (expired, hash) = qiao_server::auth::new_token();
    app.db
        .store
        .create_token_until(
            eve_id,
            "old",
            &hash,
            chrono::Utc::now() - chrono::Duration::seconds(1),
        )
        .await
        .unwrap();
    let me = app
        .call(Method::GET, "/api/v1/me", Some(&expired), None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
}

#[tokio::test]
async fn the_audit_api_lists_changed_fields_filters_and_exports_for_admins_only() {
    let app = TestApp::new().await;
    let admin = app.account("auditor", Role::Admin, None).await;
    let org = app.org(&admin, 61, "审计企业").await;
    let member = app.account("member", Role::Member, Some(org)).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/demands",
            Some(&member),
            Some(demand()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let mut changed = demand();
    changed["budget_max_yuan"] = json!(3000000);
    changed["title"] = json!("=HYPERLINK(\"http://example.com\")电池包散热");
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/demands/{id}"),
            Some(&member),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Admins only, in JSON and as a workbook.
    for uri in ["/api/v1/audit", "/api/v1/audit?format=xlsx"] {
        assert_eq!(
            app.call(Method::GET, uri, None, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.call(Method::GET, uri, Some(&member), None).await.status,
            StatusCode::FORBIDDEN
        );
    }

    // One record's history by one actor: the create and the update, with their fields.
    let history = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?actor=member&entity=listing&entity_id={id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert_eq!(history.body["total"], 2, "{}", history.body);
    let update = &history.body["items"][0];
    assert_eq!(update["op"], "update");
    let fields: Vec<(&str, &Value, &Value)> = update["changes"]
        .as_array()
        .unwrap()
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
        create["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "contact.phone" && c["after"] == "021-55550000"),
        "{create}"
    );
    // By actor: the admin made the organisation only.
    let by_admin = app
        .call(
            Method::GET,
            "/api/v1/audit?actor=auditor",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(by_admin.body["total"], 1, "{}", by_admin.body);
    assert_eq!(by_admin.body["items"][0]["entity"], "organisation");
    // By date (China Standard Time days): nothing in 2000, everything today.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d");
    let old = app
        .call(
            Method::GET,
            "/api/v1/audit?from=2000-01-01&to=2000-12-31",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(old.body["total"], 0, "{}", old.body);
    let now = app
        .call(
            Method::GET,
            &format!("/api/v1/audit?from={today}&to={today}&entity=listing"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(now.body["total"], 2, "{}", now.body);
    // Bad parameters are named.
    for (uri, field) in [
        ("/api/v1/audit?entity=widget", "entity"),
        ("/api/v1/audit?entity_id=x", "entity_id"),
        ("/api/v1/audit?from=2026-13-01", "from"),
        ("/api/v1/audit?format=pdf", "format"),
    ] {
        let r = app.call(Method::GET, uri, Some(&admin), None).await;
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
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let (rows, formulas) = sheet_rows(&bytes);
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
    assert_eq!(created, create["changes"].as_array().unwrap().len());
}
