//! The messages beside form fields (`pages/messages.rs`): in Chinese, naming the field.

use crate::common::*;

#[tokio::test]
async fn validation_messages_are_chinese_beside_their_fields() {
    let app = TestApp::new().await;
    let org = app.certified_org(21, "辛").await;
    app.create_account("ivy", Role::Member, Some(org)).await;
    app.create_account("root", Role::Admin, None).await;
    let mut b = app.signed_in("ivy").await;

    let p = b
        .post_form(
            "/post/achievement",
            &[
                ("title", "固态电池电解质"),
                ("summary", "一种硫化物固态电解质"),
                ("ipc_codes", "H01M 10/613，XYZ"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        field_error(&p.body, "ipc_codes").contains("“XYZ”不是有效的 IPC 分类号"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("is not an IPC class"));

    let p = b
        .post_form(
            "/post/challenge",
            &[
                ("title", "高比能电池揭榜"),
                ("description", "能量密度达到 400 Wh/kg"),
                ("indicators", "能量密度 400"),
                ("reward_yuan", "100万"),
                ("apply_from", "2026-01-01"),
                ("apply_until", "2026-06-30"),
                ("deadline", "2026-05-01"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        field_error(&p.body, "deadline").contains("2026-05-01 早于申报截止日期 2026-06-30"),
        "{}",
        p.body
    );
    assert!(field_error(&p.body, "indicators").contains("必填"));
    assert!(!p.body.contains("deliverables cannot be due"));

    // Registration: a kind that is not offered.
    let mut anon = app.browser();
    let p = anon
        .post_form(
            "/register",
            &[
                ("name", "某区科委"),
                ("kind", "government"),
                ("credit_code", &code(22)),
                ("username", "govt"),
                ("password", "govt-password"),
                ("password2", "govt-password"),
            ],
        )
        .await;
    assert!(field_error(&p.body, "kind").contains("请从列出的选项中选择"));

    // The admin page: an unknown role and an unknown credit code.
    let mut root = app.signed_in("root").await;
    let missing = code(23);
    let p = root
        .submit(
            "/admin",
            "/admin/accounts",
            &[
                ("username", "staff9"),
                ("password", "long-enough-1"),
                ("role", "boss"),
                ("credit_code", &missing),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(field_error(&p.body, "role"), "请从列出的选项中选择一项");
    assert!(
        field_error(&p.body, "credit_code")
            .contains(&format!("没有统一社会信用代码为 {missing} 的机构")),
        "{}",
        p.body
    );
    assert!(!p.body.contains("no organisation has"));
}
