//! `/login`, `/register`, `/lang` (`pages/account.rs`): sign-in guessing is limited with the
//! API's, cookies are safe, a registration is the new account's, redirects stay on the site.

use crate::common::*;

#[tokio::test]
async fn sign_in_guessing_is_limited_and_cookies_are_safe() {
    let app = TestApp::new().await;
    app.create_account("erin", Role::Member, None).await;
    let mut b = app.browser();
    for _ in 0..5 {
        let p = b.login_with("erin", "wrong-password").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains("value=\"erin\""), "the username is kept");
    }
    let p = b.login_with("erin", "erin-password").await;
    assert_eq!(
        p.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );

    app.create_account("frank", Role::Member, None).await;
    let mut tls = app.browser();
    tls.headers.push(("x-forwarded-proto", "https"));
    let page = tls.get("/login").await;
    let token = csrf_of(&page.body);
    let p = tls
        .post_raw(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "frank"),
                ("password", "frank-password"),
            ],
        )
        .await;
    let session = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("qiao_session="))
        .unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    // Over plain HTTP too.
    app.signed_in("frank").await;
}

#[tokio::test]
async fn the_token_api_and_the_sign_in_form_count_failures_together() {
    let app = TestApp::new().await;
    app.create_account("jane", Role::Member, None).await;
    app.create_account("kurt", Role::Member, None).await;
    let mut b = app.browser();
    // Three wrong guesses through the form and two through the API make five.
    for _ in 0..3 {
        let p = b.login_with("jane", "wrong-password").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..2 {
        let (status, _) = b.token("jane", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = b.token("jane", "jane-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    let p = b.login_with("jane", "jane-password").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.body.contains("分钟后再试"), "{}", p.body);
    // Five through the API lock the form as well.
    for _ in 0..5 {
        assert_eq!(
            b.token("KURT", "wrong-password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let p = b.login_with("kurt", "kurt-password").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!b.cookies.contains_key("qiao_session"));
}

#[tokio::test]
async fn a_registration_is_logged_as_the_new_account() {
    let app = TestApp::new().await;
    app.create_account("root", Role::Admin, None).await;
    let mut b = app.browser();
    let p = b.register("丑公司", "enterprise", &code(27), "mona").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let org_id = app
        .db
        .store
        .org_by_credit_code(&code(27))
        .await
        .unwrap()
        .unwrap()
        .id;
    let account_id = app.account_id("mona").await;
    let mut root = app.signed_in("root").await;
    let log = root.get("/admin/audit").await.body;
    for record in [format!("机构 #{org_id}"), format!("账号 #{account_id}")] {
        let at = log
            .find(&record)
            .unwrap_or_else(|| panic!("{record}: {log}"));
        // The row up to the record's name: the time and who did it.
        let row = &log[log[..at].rfind("<tr").unwrap()..at];
        assert!(
            row.contains("<td>mona</td>"),
            "{record} by the new account: {row}"
        );
        assert!(!row.contains("系统"), "{row}");
    }
    // The API's audit log says the same.
    let api = root.api_get("root", "/api/v1/audit").await;
    let entries: Value = serde_json::from_str(&api).unwrap();
    let by_mona = array(&entries["items"])
        .iter()
        .filter(|e| e["actor"] == "mona" && e["actor_id"] == account_id)
        .count();
    assert_eq!(by_mona, 2, "{api}");
}

/// Issue #29, item 6: `back` and `next` lead only to paths on this site. Browsers drop a tab
/// or line break from a URL, so `/%09/evil.example` must not be followed; a line break once
/// made the redirect a 500.
#[tokio::test]
async fn redirects_never_leave_the_site() {
    let app = TestApp::new().await;
    let mut anon = app.browser();
    for back in [
        "/%09/evil.example/phish",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%5C/evil.example",
        "%2F%2Fevil.example",
        "/%E3%80%80/evil.example",
        "https://evil.example",
    ] {
        let p = anon.get(&format!("/lang?to=en&back={back}")).await;
        assert_eq!(
            (p.status, p.location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/")),
            "back={back}"
        );
    }
    let p = anon.get("/lang?to=en&back=/search%3Fq%3D1").await;
    assert_eq!(p.location.as_deref(), Some("/search?q=1"));
    // The sign-in form carries `next` on only when it is a path here.
    let p = anon.get("/login?next=/%09/evil.example").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("name=\"next\" value=\"/\""),
        "next was kept: {}",
        p.body
    );
}
