//! The pages, as a browser uses them: a client that keeps cookies and posts forms with the
//! CSRF token it was given. One file per module of `src/pages/`; here, what holds on every
//! page: Chinese and English, stored script inert, no inline style.

mod account;
mod admin;
mod application_pages;
mod audit;
mod booking_pages;
mod certificate_pages;
mod contract_pages;
mod deal_pages;
mod detail;
mod document_pages;
mod form;
mod home;
mod inbox;
mod messages;
mod policy_pages;
mod search_page;
mod session;
mod statistics_page;
mod target_pages;
mod thread_pages;
mod valuation_pages;
mod workspace;

use crate::common::*;

#[tokio::test]
async fn pages_render_in_chinese_and_english() {
    let app = TestApp::new().await;
    let org = app.certified_org(1, "上海示例电池科技有限公司").await;
    let mut b = app.user("owner", Role::Member, Some(org)).await;
    let demand = b
        .post_demand("电池包散热方案", "夏天电池包发烫、电芯温差大")
        .await;

    let mut anon = app.browser();
    for path in [
        "/",
        "/search?q=电池",
        "/challenges",
        "/resources",
        "/resources?type=expert",
        "/achievements",
        demand.as_str(),
        &format!("/orgs/{org}"),
        "/login",
        "/register",
    ] {
        let p = anon.get(&path.replace("电池", &encode("电池"))).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        assert!(p.body.contains("lang=\"zh-CN\""), "{path}");
        assert!(p.body.contains("桥 Qiao"), "{path}");
        assert!(
            !p.body.contains("http://") && !p.body.contains("https://"),
            "{path} loads nothing from outside"
        );
    }
    let p = anon.get(&format!("/orgs/{org}")).await;
    assert!(p.body.contains("<span class=\"tag\">企业</span>"));
    let p = anon
        .get(&format!("/lang?to=en&back={}", encode(&demand)))
        .await;
    assert_eq!(
        (p.status, p.location.as_deref()),
        (StatusCode::SEE_OTHER, Some(demand.as_str()))
    );
    let p = anon.get(&demand).await;
    assert!(p.body.contains("lang=\"en\""));
    assert!(p.body.contains("Best matches"));
    // The organisation profile shows its ladder badge and hides revenue from strangers.
    let p = anon.get(&format!("/orgs/{org}")).await;
    assert!(p.body.contains("High-tech enterprise"));
    assert!(
        p.body.contains("<span class=\"tag\">Enterprise</span>"),
        "the organisation's kind is said in English too"
    );
    assert!(!p.body.contains("12345"), "revenue is private");
    // Open redirects are refused.
    let p = anon.get("/lang?to=zh&back=//evil.example").await;
    assert_eq!(p.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn stored_script_is_inert_everywhere() {
    let app = TestApp::new().await;
    let evil = "<script>alert(1)</script>";
    let org = app.certified_org(6, &format!("{evil}公司")).await;
    let mut b = app.user("mallory", Role::Member, Some(org)).await;
    let p = b
        .post_form(
            "/post/demand",
            &[
                ("title", &format!("电池{evil}")),
                (
                    "description",
                    &format!("\"><img src=x onerror=alert(2)>{evil}"),
                ),
                ("keywords", &format!("电池，{evil}")),
                ("district", evil),
                ("contact.name", evil),
                ("confidential", evil),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let demand = p.location.unwrap();
    // A failed form echoes what was typed: escaped too.
    let failed = b
        .post_form(
            "/post/demand",
            &[("title", ""), ("description", evil), ("status", "open")],
        )
        .await;
    for (path, body) in [
        ("failed form", failed.body),
        ("/", b.get("/").await.body),
        ("detail", b.get(&demand).await.body),
        (
            "search",
            b.get(&format!("/search?q={}", encode(&format!("电池 {evil}"))))
                .await
                .body,
        ),
        ("org", b.get(&format!("/orgs/{org}")).await.body),
        ("workspace", b.get("/workspace").await.body),
        ("list", b.get("/demands").await.body),
        ("edit", b.get(&format!("{demand}/edit")).await.body),
    ] {
        assert!(!body.contains("<script>alert"), "{path}: raw script");
        assert!(!body.contains("<img src=x"), "{path}: raw tag");
    }
    let detail = b.get(&demand).await.body;
    assert!(detail.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    // Every page forbids inline script, so even a missed escape would not run.
    let p = b.send("GET", &demand, None).await;
    assert!(p.body.contains("<script src=\"/static/qiao.js\""));
}

#[tokio::test]
async fn no_page_carries_an_inline_style() {
    let app = TestApp::new().await;
    let org = app.certified_org(26, "子").await;
    app.create_account("lena", Role::Member, Some(org)).await;
    app.create_account("root", Role::Admin, None).await;
    let mut member = app.signed_in("lena").await;
    let demand = member.post_demand("样式测试需求", "描述").await;
    let mut admin = app.signed_in("root").await;
    let mut anon = app.browser();
    let search = format!("/search?q={}", encode("需求"));
    let org_page = format!("/orgs/{org}");
    let org_edit = format!("/orgs/{org}/edit");
    let pages: [(&mut Browser<'_>, &[&str]); 3] = [
        (
            &mut anon,
            &[
                "/",
                search.as_str(),
                "/login",
                "/register",
                "/challenges",
                demand.as_str(),
                org_page.as_str(),
            ],
        ),
        (
            &mut member,
            &["/workspace", "/post/demand", org_edit.as_str()],
        ),
        (
            &mut admin,
            &[
                "/admin",
                "/admin/audit",
                "/policies/new",
                "/targets/new",
                "/documents",
                "/deals",
                "/deals?view=table",
                "/contracts",
                "/contracts/new",
                "/statistics",
            ],
        ),
    ];
    for (browser, paths) in pages {
        for path in paths {
            let p = browser.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{path}");
            assert!(
                !p.body.contains(" style="),
                "{path} has an inline style, which the CSP (style-src 'self') blocks"
            );
        }
    }
    let css = anon.get("/static/qiao.css").await.body;
    for class in [
        "q-home",
        "q-search",
        "form-narrow",
        "form-medium",
        "form-wide",
    ] {
        assert!(css.contains(class), "qiao.css styles .{class}");
    }
}
