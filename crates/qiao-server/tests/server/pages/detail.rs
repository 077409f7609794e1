//! A listing's pages (`pages/detail.rs`): posting, editing (only by its owner) and asking for
//! its contact, which shows once the owner agrees.

use crate::common::*;

#[tokio::test]
async fn register_post_match_request_accept_then_contact_shows() {
    let app = TestApp::new().await;
    // A university with an achievement that answers the demand.
    let uni = app.certified_org(2, "示例大学").await;
    app.create_account("tto", Role::Member, Some(uni)).await;
    let mut owner = app.browser();
    owner.login("tto").await;
    let p = owner
        .submit(
            "/post/achievement",
            "/post/achievement",
            &[
                ("title", "相变材料电池热管理技术"),
                (
                    "summary",
                    "利用相变材料吸收电池包热量，降低电芯温差，无需大改结构",
                ),
                ("keywords", "相变材料，电池，热管理"),
                ("contact.name", "李老师"),
                ("contact.email", "li@example.edu.cn"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let achievement = p.location.unwrap();

    // A new enterprise registers; a bad credit code is refused next to its field, input kept.
    let mut ent = app.browser();
    let bad = ent
        .submit(
            "/register",
            "/register",
            &[
                ("name", "新电池公司"),
                ("kind", "enterprise"),
                ("credit_code", "91310000MA1K00003X"),
                ("username", "newco"),
                ("password", "newco-password"),
                ("password2", "newco-password"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(
        bad.body.contains("id=\"error-credit_code\""),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("校验位错误"), "the message is in Chinese");
    assert!(
        bad.body.contains("value=\"新电池公司\""),
        "what was typed survives"
    );
    let ok = ent
        .submit(
            "/register",
            "/register",
            &[
                ("name", "新电池公司"),
                ("kind", "enterprise"),
                ("credit_code", &code(3)),
                ("username", "newco"),
                ("password", "newco-password"),
                ("password2", "newco-password"),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/workspace")),
        "{}",
        ok.body
    );
    let demand = ent
        .post_demand(
            "电池包散热",
            "夏天电池包发烫、电芯温差大，想找相变材料之类不大改结构的办法",
        )
        .await;

    // The demand's page shows the achievement among its matches, with reasons.
    let p = ent.get(&demand).await;
    assert!(p.body.contains("相变材料电池热管理技术"), "{}", p.body);
    assert!(p.body.contains("共同词"), "each match says why");

    // Before the owner agrees, the achievement's contact stays hidden (page and API).
    let p = ent.get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
    let id = achievement.rsplit('/').next().unwrap();
    let api = ent
        .api_get("newco", &format!("/api/v1/achievements/{id}"))
        .await;
    assert!(!api.contains("li@example.edu.cn"));

    // A too-short message is refused next to the field, and kept.
    let p = ent
        .submit(
            &achievement,
            &format!("{achievement}/contact"),
            &[("message", "你好")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("请用 10 到 2000 字"), "{}", p.body);
    let p = ent
        .submit(
            &achievement,
            &format!("{achievement}/contact"),
            &[(
                "message",
                "我们是电池包企业，想了解该技术的许可条件和中试情况。",
            )],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = ent.get(&achievement).await;
    assert!(
        p.body.contains("待处理"),
        "the requester sees the request pending"
    );

    // The owner sees it in the workspace and accepts.
    let inbox = owner.get("/workspace").await;
    assert!(inbox.body.contains("我们是电池包企业"), "{}", inbox.body);
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"".len()..];
    let action = rest[..rest.find('"').unwrap()].to_string();
    let p = owner
        .submit("/workspace", &action, &[("decision", "accept")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // Now the requester sees the contact, on the page and through the API.
    let p = ent.get(&achievement).await;
    assert!(p.body.contains("li@example.edu.cn"), "{}", p.body);
    let api = ent
        .api_get("newco", &format!("/api/v1/achievements/{id}"))
        .await;
    assert!(api.contains("li@example.edu.cn"), "{api}");
    // A stranger still does not.
    let p = app.browser().get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
}

#[tokio::test]
async fn one_organisation_cannot_edit_anothers_listing() {
    let app = TestApp::new().await;
    let a = app.certified_org(8, "甲").await;
    let b_org = app.certified_org(9, "乙").await;
    app.create_account("alice", Role::Member, Some(a)).await;
    app.create_account("bob", Role::Member, Some(b_org)).await;
    let mut alice = app.browser();
    alice.login("alice").await;
    let demand = alice.post_demand("原标题", "原描述").await;
    let mut bob = app.browser();
    bob.login("bob").await;
    assert_eq!(
        bob.get(&format!("{demand}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let token = csrf_of(&bob.get("/workspace").await.body);
    let p = bob
        .post_raw(
            &format!("{demand}/edit"),
            &[
                ("_csrf", &token),
                ("title", "被篡改"),
                ("description", "x"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let page = bob.get(&demand).await;
    assert!(page.body.contains("原标题") && !page.body.contains("被篡改"));
    assert!(
        !page.body.contains("现有电池包型号"),
        "confidential details stay private"
    );
    // The owner edits; a bad value keeps what was typed and names the field.
    let p = alice
        .submit(
            &format!("{demand}/edit"),
            &format!("{demand}/edit"),
            &[
                ("title", "新标题"),
                ("description", "新描述"),
                ("budget_min_yuan", "很多"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error-budget_min_yuan\"") && p.body.contains("value=\"新标题\""));
    let p = alice
        .submit(
            &format!("{demand}/edit"),
            &format!("{demand}/edit"),
            &[
                ("title", "新标题"),
                ("description", "新描述"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(bob.get(&demand).await.body.contains("新标题"));
}
