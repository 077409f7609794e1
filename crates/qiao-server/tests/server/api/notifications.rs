//! `/api/v1/notifications…`, `/api/v1/challenges/{id}/follow` and `/api/v1/me/contact`
//! (`api/notifications.rs`, issue #26): a notification for each kind of event reaches the
//! accounts it concerns and not the one who acted; nobody reads or marks another account's
//! notifications; preferences suppress a kind in the inbox and by e-mail; the periodic check
//! of dates notifies once however often it runs. Each scenario runs on SQLite and PostgreSQL.

use qiao_store::Store;

use crate::common::*;

fn day(offset: i64) -> String {
    (qiao_domain::today() + chrono::Duration::days(offset)).to_string()
}

/// The caller's inbox (first page).
async fn inbox(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/notifications?limit=50", Some(token))
        .await
        .expect(StatusCode::OK)
        .body
}

/// The kinds in the caller's inbox, newest first.
async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    strings_of(&inbox(app, token).await["items"], "kind")
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A challenge of `token`'s organisation, open from yesterday until `until` days from today.
async fn challenge(app: &TestApp, token: &str, until: i64) -> i64 {
    app.create(
        token,
        "/api/v1/challenges",
        json!({"title": "钠电池正极材料揭榜", "description": "循环寿命达标的正极材料",
               "indicators": [{"name": "循环寿命", "target": 3000.0, "unit": "次"}],
               "reward_yuan": 500_000, "apply_from": day(-1), "apply_until": day(until)}),
    )
    .await
}

fn proposal() -> Value {
    json!({"solution": "层状氧化物正极", "team": "课题组 5 人",
           "commitments": [{"name": "循环寿命", "target": 3200.0, "unit": "次"}],
           "budget_yuan": 300_000, "timeline": "12 个月"})
}

/// Every kind of event notifies the accounts it concerns, with a link to its record, and never
/// the account that acted.
async fn each_event_notifies(app: &TestApp) {
    let cast = app.deal_cast().await;
    let request = cast.request;

    // The contact request reached the listing's organisation; the decision, the requester.
    let seller = inbox(app, &cast.seller).await;
    assert_eq!(seller["unread"], 1);
    let item = &seller["items"][0];
    assert_eq!(item["kind"], "contact_request");
    assert_eq!(item["link"], format!("/requests/{request}"));
    assert_eq!(
        item["target"],
        json!({"kind": "contact_request", "id": request})
    );
    assert!(
        item["title"]
            .as_str()
            .unwrap()
            .contains("固态电解质低温制备工艺")
    );
    assert!(
        item["title_en"]
            .as_str()
            .unwrap()
            .contains("asks for the contact details")
    );
    assert_eq!(kinds(app, &cast.buyer).await, ["contact_decision"]);
    assert!(kinds(app, &cast.outsider).await.is_empty());

    // A message reaches the thread's other side only.
    app.post(
        format!("/api/v1/contact-requests/{request}/messages"),
        Some(&cast.buyer),
        json!({"body": "请问样品何时可以提供？"}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(
        kinds(app, &cast.seller).await,
        ["message", "contact_request"]
    );
    assert_eq!(kinds(app, &cast.buyer).await, ["contact_decision"]);

    // A new deal reaches both parties, not the manager who opened it; a stage change too, not
    // the manager who moved it.
    let deal = app.deal_from_contact(&cast).await;
    let id = deal["record"]["id"].as_i64().unwrap();
    for token in [&cast.seller, &cast.buyer] {
        let first = &inbox(app, token).await["items"][0];
        assert_eq!(first["kind"], "deal_stage");
        assert_eq!(first["link"], format!("/deals/{id}"));
        assert!(
            first["title"].as_str().unwrap().starts_with("新交易"),
            "{first}"
        );
    }
    app.deal_action(
        &cast.manager,
        id,
        json!({"action": "move_to", "stage": "signing"}),
    )
    .await
    .expect(StatusCode::OK);
    for token in [&cast.seller, &cast.buyer] {
        let first = &inbox(app, token).await["items"][0];
        assert_eq!(first["kind"], "deal_stage");
        assert_eq!(first["link"], format!("/deals/{id}"));
    }
    assert!(kinds(app, &cast.manager).await.is_empty());
    // A deal message reaches its parties and its manager.
    app.post(
        format!("/api/v1/deals/{id}/messages"),
        Some(&cast.seller),
        json!({"body": "合同草稿已上传"}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(kinds(app, &cast.manager).await, ["message"]);
    assert_eq!(inbox(app, &cast.buyer).await["items"][0]["kind"], "message");

    // 揭榜: a new application reaches the challenge's owner; shortlisting and declining (with
    // the reason) reach the applicants.
    let ch = challenge(app, &cast.seller, 30).await;
    let uri = format!("/api/v1/listings/{ch}/applications");
    let mine = app
        .post(&uri, Some(&cast.buyer), proposal())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let theirs = app
        .post(&uri, Some(&cast.outsider), proposal())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let owner = inbox(app, &cast.seller).await;
    assert_eq!(
        strings_of(&owner["items"], "kind")[..2],
        ["application_received", "application_received"]
    );
    assert_eq!(owner["items"][0]["link"], format!("/applications/{theirs}"));
    app.post(
        format!("/api/v1/applications/{mine}/shortlist"),
        Some(&cast.seller),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::OK);
    app.post(
        format!("/api/v1/applications/{theirs}/decline"),
        Some(&cast.seller),
        json!({"version": 1, "reason": "循环寿命指标未达到要求"}),
    )
    .await
    .expect(StatusCode::OK);
    let buyer = &inbox(app, &cast.buyer).await["items"][0];
    assert_eq!(buyer["kind"], "application_status");
    assert!(buyer["title"].as_str().unwrap().contains("入围"), "{buyer}");
    let outsider = &inbox(app, &cast.outsider).await["items"][0];
    assert_eq!(outsider["kind"], "application_status");
    assert!(
        outsider["title"]
            .as_str()
            .unwrap()
            .contains("循环寿命指标未达到要求"),
        "{outsider}"
    );
    // Awarding (after scoring every criterion) reaches the applicant too.
    let view = app
        .get(format!("/api/v1/applications/{mine}"), Some(&cast.seller))
        .await
        .expect(StatusCode::OK)
        .body;
    let scores: Vec<Value> = array(&view["criteria"])
        .iter()
        .map(|c| json!({"criterion": c["name"], "points": 8}))
        .collect();
    app.post(
        format!("/api/v1/applications/{mine}/score"),
        Some(&cast.seller),
        json!({"version": 2, "scores": scores}),
    )
    .await
    .expect(StatusCode::OK);
    app.post(
        format!("/api/v1/applications/{mine}/award"),
        Some(&cast.seller),
        json!({"version": 3}),
    )
    .await
    .expect(StatusCode::OK);
    // Awarding reaches the applicant twice: its application's status, and the deal the award
    // opened.
    let buyer = inbox(app, &cast.buyer).await;
    let titles = strings_of(&buyer["items"], "title");
    assert!(titles[0].starts_with("新交易"), "{titles:?}");
    assert!(titles[1].contains("揭榜成功"), "{titles:?}");
    // A withdrawn application reaches the challenge's owner, not the one who withdrew it.
    let other = challenge(app, &cast.seller, 30).await;
    let gone = app
        .post(
            format!("/api/v1/listings/{other}/applications"),
            Some(&cast.outsider),
            proposal(),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let before = kinds(app, &cast.outsider).await.len();
    app.post(
        format!("/api/v1/applications/{gone}/withdraw"),
        Some(&cast.outsider),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::OK);
    let owner = &inbox(app, &cast.seller).await["items"][0];
    assert_eq!(owner["kind"], "application_received");
    assert_eq!(owner["link"], format!("/applications/{gone}"));
    assert!(owner["title"].as_str().unwrap().contains("撤回"), "{owner}");
    assert_eq!(kinds(app, &cast.outsider).await.len(), before);
}
on_both_backends!(each_event_notifies);

/// Certificates about to expire and followed challenges about to close are notified by the
/// periodic check, once per threshold however often it runs.
async fn dates_notify_once(app: &TestApp) {
    let admin = app.admin().await;
    let org = app
        .enterprise(
            &admin,
            1,
            "甲公司",
            json!({"certificates": [{"kind": "high_tech", "issued_on": day(-1000), "expires_on": day(20)},
                                    {"kind": "tech_sme", "issued_on": day(-300), "expires_on": day(200)}]}),
        )
        .await;
    let other = app.org(&admin, 2, "乙公司").await;
    let alice = app.member("alice", org).await;
    let bob = app.member("bob", other).await;
    let ch = challenge(app, &alice, 5).await;
    let far = challenge(app, &alice, 60).await;
    for id in [ch, far] {
        let r = app
            .put(
                format!("/api/v1/challenges/{id}/follow"),
                Some(&bob),
                json!(null),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(r.body["following"], true);
    }
    assert_eq!(
        app.get(format!("/api/v1/challenges/{ch}/follow"), Some(&bob))
            .await
            .expect(StatusCode::OK)
            .body["following"],
        true
    );
    // Another kind of listing cannot be followed.
    let achievement = app
        .create(
            &alice,
            "/api/v1/achievements",
            json!({"title": "一种正极材料", "summary": "层状氧化物"}),
        )
        .await;
    app.put(
        format!("/api/v1/challenges/{achievement}/follow"),
        Some(&bob),
        json!(null),
    )
    .await
    .expect(StatusCode::NOT_FOUND);

    let store = &app.db.store;
    let today = qiao_domain::today();
    let first = qiao_app::notifications::check_dates(store, today)
        .await
        .unwrap();
    // alice hears of the certificate (one threshold reached); bob of the challenge closing.
    assert_eq!(first, 2);
    let a = inbox(app, &alice).await;
    assert_eq!(strings_of(&a["items"], "kind"), ["certificate_expiry"]);
    assert_eq!(a["items"][0]["link"], format!("/orgs/{org}"));
    let b = inbox(app, &bob).await;
    assert_eq!(strings_of(&b["items"], "kind"), ["challenge_deadline"]);
    assert_eq!(b["items"][0]["link"], format!("/challenges/{ch}"));
    for _ in 0..2 {
        assert_eq!(
            qiao_app::notifications::check_dates(store, today)
                .await
                .unwrap(),
            0
        );
    }
    // Four days on, the challenge reaches its last threshold: told once more. The certificate
    // is still within the same threshold.
    let later = today + chrono::Duration::days(4);
    assert_eq!(
        qiao_app::notifications::check_dates(store, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        qiao_app::notifications::check_dates(store, later)
            .await
            .unwrap(),
        0
    );
    assert_eq!(inbox(app, &bob).await["unread"], 2);
    assert_eq!(inbox(app, &alice).await["unread"], 1);
    // Unfollowed, nothing more.
    app.delete(format!("/api/v1/challenges/{ch}/follow"), Some(&bob))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        store.challenge_followers(ch).await.unwrap(),
        Vec::<i64>::new()
    );
}
on_both_backends!(dates_notify_once);

/// Nobody reads or marks another account's notifications, by id or all at once.
async fn notifications_are_private(app: &TestApp) {
    let cast = app.deal_cast().await;
    let seller = inbox(app, &cast.seller).await;
    let id = seller["items"][0]["id"].as_i64().unwrap();
    for token in [&cast.buyer, &cast.outsider, &cast.admin] {
        app.post(
            format!("/api/v1/notifications/{id}/read"),
            Some(token),
            json!(null),
        )
        .await
        .expect(StatusCode::NOT_FOUND);
        let theirs = inbox(app, token).await;
        assert!(!ints_of(&theirs["items"], "id").contains(&id));
        app.post("/api/v1/notifications/read-all", Some(token), json!(null))
            .await
            .expect(StatusCode::OK);
    }
    app.get("/api/v1/notifications", None)
        .await
        .expect(StatusCode::UNAUTHORIZED);
    // Still unread for its owner, who marks it.
    assert_eq!(inbox(app, &cast.seller).await["unread"], 1);
    let read = app
        .post(
            format!("/api/v1/notifications/{id}/read"),
            Some(&cast.seller),
            json!(null),
        )
        .await
        .expect(StatusCode::OK);
    assert!(read.body["read_at"].is_string());
    assert_eq!(inbox(app, &cast.seller).await["unread"], 0);
    // Paging is bounded and keyset.
    app.get("/api/v1/notifications?limit=51", Some(&cast.seller))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let older = app
        .get(
            format!("/api/v1/notifications?before={id}"),
            Some(&cast.seller),
        )
        .await
        .expect(StatusCode::OK);
    assert!(array(&older.body["items"]).is_empty());
}
on_both_backends!(notifications_are_private);

/// A kind switched off in the inbox or by e-mail is not delivered there; e-mail goes to the
/// address the account gave, which the other side of an accepted request then sees.
async fn preferences_suppress(app: &TestApp) {
    let cast = app.deal_cast().await;
    let bad = app
        .put(
            "/api/v1/me/contact",
            Some(&cast.seller),
            json!({"email": "not an address", "phone": "021-6489 0000"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["email"]);
    let me = app
        .put(
            "/api/v1/me/contact",
            Some(&cast.seller),
            json!({"email": "li.ming@jia.example.cn", "phone": "021-6489 0000"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(me.body["email"], "li.ming@jia.example.cn");
    let buyer_me = app
        .put(
            "/api/v1/me/contact",
            Some(&cast.buyer),
            json!({"email": "wang@yi.example.cn", "phone": "13800000000"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(buyer_me.body["phone"], "13800000000");
    // The owner now sees the requester's e-mail and phone with the accepted request.
    let details = app
        .get(
            format!("/api/v1/contact-requests/{}/contact-details", cast.request),
            Some(&cast.seller),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(details.body["requester"]["email"], "wang@yi.example.cn");
    assert_eq!(details.body["requester"]["phone"], "13800000000");

    let prefs = app
        .get("/api/v1/notifications/preferences", Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        array(&prefs.body).len(),
        qiao_domain::notification::NotificationKind::ALL.len()
    );
    assert!(
        array(&prefs.body)
            .iter()
            .all(|p| p["in_app"] == true && p["email"] == true)
    );
    let store = &app.db.store;
    let queued = |store: std::sync::Arc<dyn Store>| async move {
        store
            .due_mail(chrono::Utc::now(), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|q| (q.mail.to, q.mail.subject))
            .collect::<Vec<_>>()
    };
    assert!(queued(store.clone()).await.is_empty());

    // A message, with everything on: the inbox and an e-mail.
    let thread = format!("/api/v1/contact-requests/{}/messages", cast.request);
    app.post(&thread, Some(&cast.buyer), json!({"body": "第一条"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        inbox(app, &cast.seller).await["items"][0]["kind"],
        "message"
    );
    let mails = queued(store.clone()).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "li.ming@jia.example.cn");
    assert!(mails[0].1.contains("发来新消息"), "{:?}", mails[0]);

    // Messages off in the inbox, on by e-mail.
    let set = app
        .put(
            "/api/v1/notifications/preferences",
            Some(&cast.seller),
            json!([{"kind": "message", "in_app": false, "email": true}]),
        )
        .await
        .expect(StatusCode::OK);
    let message = array(&set.body)
        .iter()
        .find(|p| p["kind"] == "message")
        .unwrap();
    assert_eq!(
        (message["in_app"].clone(), message["email"].clone()),
        (json!(false), json!(true))
    );
    let before = inbox(app, &cast.seller).await["items"].clone();
    app.post(&thread, Some(&cast.buyer), json!({"body": "第二条"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(inbox(app, &cast.seller).await["items"], before);
    assert_eq!(queued(store.clone()).await.len(), 2);

    // Both off: nothing at all.
    app.put(
        "/api/v1/notifications/preferences",
        Some(&cast.seller),
        json!([{"kind": "message", "in_app": false, "email": false}]),
    )
    .await
    .expect(StatusCode::OK);
    app.post(&thread, Some(&cast.buyer), json!({"body": "第三条"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(inbox(app, &cast.seller).await["items"], before);
    assert_eq!(queued(store.clone()).await.len(), 2);
    // The buyer's own choices are theirs: a reply still reaches them both ways.
    app.post(&thread, Some(&cast.seller), json!({"body": "回复"}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(inbox(app, &cast.buyer).await["items"][0]["kind"], "message");
    assert_eq!(queued(store.clone()).await.len(), 3);
    // An unknown kind is a 422 naming it.
    app.put(
        "/api/v1/notifications/preferences",
        Some(&cast.seller),
        json!([{"kind": "booking", "in_app": false, "email": false}]),
    )
    .await
    .expect(StatusCode::UNPROCESSABLE_ENTITY);
}
on_both_backends!(preferences_suppress);
