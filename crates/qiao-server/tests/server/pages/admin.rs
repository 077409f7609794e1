//! `/admin` (`pages/admin.rs`): admins create accounts, change roles, disable, enable and
//! reset them.

use crate::common::*;

#[tokio::test]
async fn admins_manage_accounts_and_read_the_audit_log() {
    let app = TestApp::new().await;
    let org = app.certified_org(11, "戊").await;
    app.create_account("root", Role::Admin, None).await;
    let mut gina = app.user("gina", Role::Member, Some(org)).await;
    gina.post_demand("审计测试需求", "描述").await;
    assert_eq!(gina.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(gina.get("/admin").await.status, StatusCode::FORBIDDEN);

    let mut root = app.signed_in("root").await;
    let log = root.get("/admin/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    let row = log
        .body
        .find("技术需求 #")
        .expect("the listing's creation is logged");
    assert!(log.body[..row].contains("gina"), "with who made it");
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff1"),
                ("password", "short"),
                ("role", "commission_staff"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("太短"), "{}", p.body);
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff1"),
                ("password", "long-enough-1"),
                ("role", "commission_staff"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(root.get("/admin").await.body.contains("staff1"));
    assert!(root.get("/admin/audit").await.body.contains("root"));

    // Roles are changed on the admin page; a member needs an organisation, and an admin cannot
    // demote themselves.
    let (gina_id, root_id) = (app.account_id("gina").await, app.account_id("root").await);
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{gina_id}"),
            &[("role", "technology_manager"), ("credit_code", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        app.stored_account(gina_id).await.role,
        Role::TechnologyManager
    );
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{gina_id}"),
            &[("role", "member"), ("credit_code", "")],
        )
        .await;
    assert!(p.body.contains("机构成员必须归属一个机构"), "{}", p.body);
    let p = root
        .submit(
            "/admin",
            &format!("/admin/accounts/{root_id}"),
            &[("role", "member"), ("credit_code", &code(11))],
        )
        .await;
    assert!(p.body.contains("不能取消自己的管理员角色"));
    assert_eq!(app.stored_account(root_id).await.role, Role::Admin);
    // Not an admin: refused.
    let token = gina.csrf("/workspace").await;
    let p = gina
        .post_raw(
            &format!("/admin/accounts/{gina_id}"),
            &[("_csrf", &token), ("role", "admin")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_ne!(app.stored_account(gina_id).await.role, Role::Admin);
}

/// `GET /api/v1/me` with `token`: whether the token still works.
async fn token_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", Some(token)).await.status
}

#[tokio::test]
async fn admins_disable_enable_and_reset_accounts_on_the_admin_page() {
    let app = TestApp::new().await;
    let org = app.certified_org(13, "庚").await;
    let root_id = app.create_account("root", Role::Admin, None).await;
    let ivy_id = app.create_account("ivy", Role::Member, Some(org)).await;
    let app = &app;
    let mut ivy = app.signed_in("ivy").await;
    let token = app.token_for("ivy").await;
    let mut root = app.signed_in("root").await;
    let disable = format!("/admin/accounts/{ivy_id}/disable");

    // A form without the CSRF token is refused, and so is a member.
    let p = root.post_raw(&disable, &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = root.post_raw(&disable, &[("_csrf", "forged")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let ivy_csrf = ivy.csrf("/workspace").await;
    for action in ["disable", "enable", "password"] {
        let p = ivy
            .post_raw(
                &format!("/admin/accounts/{root_id}/{action}"),
                &[("_csrf", &ivy_csrf), ("password", "taken-over-1")],
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert!(!app.stored_account(ivy_id).await.is_disabled());

    // Disabled: shown as 已停用, its session and token stop working, and signing in is refused
    // exactly like a wrong password (through the form and the API).
    let p = root.submit("/admin", &disable, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let admin = root.get("/admin").await.body;
    assert!(admin.contains("已停用"), "{admin}");
    assert!(admin.contains(&format!("/admin/accounts/{ivy_id}/enable")));
    assert_eq!(ivy.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(app, &token).await, StatusCode::UNAUTHORIZED);
    let mut again = app.browser();
    let p = again.login_with("ivy", "ivy-password").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("用户名或密码错误"), "{}", p.body);
    assert!(!again.cookies.contains_key("qiao_session"));
    assert_eq!(
        ivy.token("ivy", "ivy-password").await.0,
        StatusCode::UNAUTHORIZED
    );

    // An admin cannot disable themselves; their own row has no disable button.
    assert!(!admin.contains(&format!("/admin/accounts/{root_id}/disable")));
    let p = root
        .submit("/admin", &format!("/admin/accounts/{root_id}/disable"), &[])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("不能停用自己的账号"), "{}", p.body);
    assert!(!app.stored_account(root_id).await.is_disabled());
    assert_eq!(root.get("/admin").await.status, StatusCode::OK);

    // Re-enabled: ivy signs in again.
    let p = root
        .submit("/admin", &format!("/admin/accounts/{ivy_id}/enable"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(!root.get("/admin").await.body.contains("已停用"));
    ivy.login("ivy").await;
    let token = app.token_for("ivy").await;

    // Password reset: too short is said beside the form, in Chinese; then a good one signs
    // ivy out everywhere, and only the new password works.
    let reset = format!("/admin/accounts/{ivy_id}/password");
    let p = root
        .submit("/admin", &reset, &[("password", "short")])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("新密码：太短，至少 8 个字符"), "{}", p.body);
    assert!(p.body.contains(&format!("id=\"account-{ivy_id}-error\"")));
    let p = root
        .submit("/admin", &reset, &[("password", "ivy-new-password")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let done = root.get(p.location.as_deref().unwrap()).await;
    assert!(done.body.contains("已重置 ivy 的密码"), "{}", done.body);
    assert_eq!(ivy.get("/workspace").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(token_status(app, &token).await, StatusCode::UNAUTHORIZED);
    let mut b = app.browser();
    assert_eq!(
        b.login_with("ivy", "ivy-password").await.status,
        StatusCode::UNAUTHORIZED
    );
    let p = b.login_with("ivy", "ivy-new-password").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // The audit log names root for each change and never shows a password.
    let log = root.get("/admin/audit").await.body;
    assert_eq!(log.matches(&format!("账号 #{ivy_id}")).count(), 4, "{log}");
    assert!(!log.contains("ivy-new-password"));
    // The reset shows that the password changed, never its hash.
    assert!(
        log.contains("<dt>密码</dt><dd><del>（已隐去）</del> → <ins>（已隐去）</ins></dd>"),
        "{log}"
    );
    assert!(!log.contains("argon2"), "{log}");
}
