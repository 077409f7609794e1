//! A listing's pages (`pages/detail.rs`): posting, editing (only by its owner) and asking for
//! its contact, which shows once the owner agrees.

use crate::common::*;

#[tokio::test]
async fn register_post_match_request_accept_then_contact_shows() {
    let app = TestApp::new().await;
    // A university with an achievement that answers the demand.
    let uni = app.certified_org(2, "示例大学").await;
    let mut owner = app.user("tto", Role::Member, Some(uni)).await;
    let p = owner
        .post_form(
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
        .register("新电池公司", "enterprise", "91310000MA1K00003X", "newco")
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
        .register("新电池公司", "enterprise", &code(3), "newco")
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
    assert!(p.body.contains("共同关键词"), "each match says why");
    // Without the model no match is strong; the page names what it looked among.
    let summary = section(&p.body, "id=\"matches-summary\">", "</p>");
    assert!(
        summary.ends_with(">暂无高度匹配的成果或资源；以下可能相关"),
        "{summary}"
    );

    // Before the owner agrees, the achievement's contact stays hidden (page and API).
    let p = ent.get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
    let summary = section(&p.body, "id=\"matches-summary\">", "</p>");
    assert!(
        summary.ends_with(">暂无高度匹配的需求；以下可能相关"),
        "an achievement is matched with demands: {summary}"
    );
    let api_uri = format!("/api/v1{achievement}");
    let api = ent.api_get("newco", &api_uri).await;
    assert!(!api.contains("li@example.edu.cn"));

    // A too-short message is refused next to the field, and kept.
    let p = ent.ask_contact(&achievement, "你好").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("太短，至少 10 个字符"), "{}", p.body);
    let p = ent
        .ask_contact(
            &achievement,
            "我们是电池包企业，想了解该技术的许可条件和中试情况。",
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
    let action = decision_action(&inbox.body);
    let p = owner.decide(&action, &[("decision", "accept")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

    // Now the requester sees the contact, on the page and through the API.
    let p = ent.get(&achievement).await;
    assert!(p.body.contains("li@example.edu.cn"), "{}", p.body);
    let api = ent.api_get("newco", &api_uri).await;
    assert!(api.contains("li@example.edu.cn"), "{api}");
    // A stranger still does not.
    let p = app.browser().get(&achievement).await;
    assert!(!p.body.contains("li@example.edu.cn"));
}

#[tokio::test]
async fn one_organisation_cannot_edit_anothers_listing() {
    let app = TestApp::new().await;
    let (mut alice, mut bob) = app.two_members("alice", "bob").await;
    let demand = alice.post_demand("原标题", "原描述").await;
    let edit = format!("{demand}/edit");
    assert_eq!(bob.get(&edit).await.status, StatusCode::FORBIDDEN);
    let token = bob.csrf("/workspace").await;
    let p = bob
        .post_raw(
            &edit,
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
        .post_form(
            &edit,
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
        .post_form(
            &edit,
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
