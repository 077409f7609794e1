//! The CSRF cookie and the session (`pages/session.rs`): a form without the page's token
//! changes nothing.

use crate::common::*;

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::new().await;
    let org = app.certified_org(7, "丙").await;
    app.create_account("carol", Role::Member, Some(org)).await;
    let mut b = app.browser();
    // Signed out: the sign-in form needs the cookie's token.
    b.get("/login").await;
    let p = b
        .post_raw(
            "/login",
            &[("username", "carol"), ("password", "carol-password")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b
        .post_raw(
            "/login",
            &[
                ("_csrf", "0000"),
                ("username", "carol"),
                ("password", "carol-password"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("qiao_session"));
    b.login("carol").await;
    // Signed in: the signed-out token no longer works; only the session's own does.
    let anon_token = b.cookies["qiao_csrf"].clone();
    let p = b
        .post_raw(
            "/post/demand",
            &[
                ("_csrf", &anon_token),
                ("title", "t"),
                ("description", "d"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_raw("/logout", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.listings_stored().await, 0, "nothing was stored");
    // With the token, signing out works and ends the session.
    let p = b.submit("/workspace", "/logout", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
}
