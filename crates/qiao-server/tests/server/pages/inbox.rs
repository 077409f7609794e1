//! `/inbox`, `/account` and the follow form of a challenge (`pages/inbox.rs`): the header's
//! unread count, titles escaped, opening a notification marks it read and goes to its record,
//! another account's notification and a form without its CSRF token are refused, contact
//! details refused next to their field with the text kept, preferences saved from checkboxes.

use crate::common::*;

#[tokio::test]
async fn the_inbox_counts_escapes_opens_and_stays_private() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let listing = app
        .create(
            &cast.seller,
            "/api/v1/achievements",
            json!({"title": "<script>alert('x')</script>电解质", "summary": "一种方法"}),
        )
        .await;
    let request = app
        .create(
            &cast.buyer,
            &format!("/api/v1/achievements/{listing}/contact-requests"),
            json!({"message": "我们想了解该方法的转让条件。"}),
        )
        .await;
    let mut seller = app.signed_in("seller").await;
    let home = seller.get("/").await;
    assert!(home.body.contains("id=\"unread-count\""), "{}", home.body);
    assert_eq!(
        value_after(&home.body, "id=\"unread-count\" aria-label=\"未读\">"),
        "2"
    );

    let inbox = seller.get("/inbox").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(!inbox.body.contains("<script>alert"));
    assert!(
        inbox
            .body
            .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;电解质"),
        "{}",
        inbox.body
    );
    let newest = app
        .get("/api/v1/notifications", Some(&cast.seller))
        .await
        .body["items"][0]
        .clone();
    let id = newest["id"].as_i64().unwrap();
    assert_eq!(newest["link"], format!("/requests/{request}"));

    // Another account cannot open it; a forged form is refused.
    let mut buyer = app.signed_in("buyer").await;
    let token = buyer.csrf("/inbox").await;
    let p = buyer
        .post_raw(&format!("/inbox/{id}/open"), &[("_csrf", &token)])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = seller.post_raw(&format!("/inbox/{id}/open"), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Opening it marks it read and goes to the request, where the owner may accept.
    let p = seller
        .submit("/inbox", &format!("/inbox/{id}/open"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/requests/{request}").as_str())
    );
    let page = seller.get(&format!("/requests/{request}")).await;
    assert!(page.body.contains("id=\"accept-request\""));
    assert_eq!(
        value_after(&page.body, "id=\"unread-count\" aria-label=\"未读\">"),
        "1"
    );
    // The requester sees no accept button on the same page.
    let theirs = buyer.get(&format!("/requests/{request}")).await;
    assert!(!theirs.body.contains("id=\"accept-request\""));

    let p = seller.submit("/inbox", "/inbox/read-all", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let home = seller.get("/").await;
    assert!(!home.body.contains("id=\"unread-count\""));
    let anonymous = app.browser().get("/inbox").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn account_settings_keep_what_was_typed_and_save_checkboxes() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let mut seller = app.signed_in("seller").await;
    let p = seller
        .submit(
            "/account",
            "/account/contact",
            &[("email", "li@<b>example"), ("phone", "021-6489 0000")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"email-error\""), "{}", p.body);
    assert!(
        p.body.contains("value=\"li@&#60;b&#62;example\""),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"021-6489 0000\""));
    let p = seller
        .submit(
            "/account",
            "/account/contact",
            &[("email", "li@jia.example.cn"), ("phone", "021-6489 0000")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let me = app.get("/api/v1/me", Some(&cast.seller)).await.body;
    assert_eq!(me["email"], "li@jia.example.cn");

    // Only the ticked boxes stay on.
    let p = seller
        .submit(
            "/account",
            "/account/notifications",
            &[("in_app.message", "on"), ("email.deal_stage", "on")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let prefs = app
        .get("/api/v1/notifications/preferences", Some(&cast.seller))
        .await
        .body;
    for p in array(&prefs) {
        let kind = p["kind"].as_str().unwrap();
        assert_eq!(p["in_app"], kind == "message", "{kind}");
        assert_eq!(p["email"], kind == "deal_stage", "{kind}");
    }
    let page = seller.get("/account").await;
    assert!(
        page.body
            .contains("id=\"in_app-message\" aria-label=\"新消息 · 站内\" checked")
    );
    assert!(
        !page.body.contains(
            "id=\"in_app-deal_stage\" aria-label=\"新交易与交易阶段变化 · 站内\" checked"
        )
    );

    // Following a challenge from its page.
    let ch = app
        .create(
            &cast.seller,
            "/api/v1/challenges",
            json!({"title": "钠电池正极材料揭榜", "description": "循环寿命达标",
                   "indicators": [{"name": "循环寿命", "target": 3000.0, "unit": "次"}],
                   "reward_yuan": 500_000, "apply_from": qiao_domain::today().to_string(),
                   "apply_until": (qiao_domain::today() + chrono::Duration::days(9)).to_string()}),
        )
        .await;
    let mut buyer = app.signed_in("buyer").await;
    let page = format!("/challenges/{ch}");
    assert!(buyer.get(&page).await.body.contains("id=\"follow\""));
    let p = buyer
        .submit(
            &page,
            &format!("/challenges/{ch}/follow"),
            &[("follow", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(buyer.get(&page).await.body.contains("id=\"unfollow\""));
    let p = buyer
        .submit(
            &page,
            &format!("/challenges/{ch}/follow"),
            &[("follow", "0")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(buyer.get(&page).await.body.contains("id=\"follow\""));
}
