//! `/workspace` and `/requests/{id}/decide` (`pages/workspace.rs`): the owner's decision on a
//! contact request, a decline and its reason.

use crate::common::*;

#[tokio::test]
async fn a_decline_carries_its_reason_to_the_requester() {
    let app = TestApp::new().await;
    let a = app.certified_org(4, "甲").await;
    let b_org = app.certified_org(5, "乙").await;
    app.create_account("ownera", Role::Member, Some(a)).await;
    app.create_account("askerb", Role::Member, Some(b_org))
        .await;
    let mut owner = app.browser();
    owner.login("ownera").await;
    let demand = owner.post_demand("涂层耐磨", "需要耐磨涂层").await;
    let mut asker = app.browser();
    asker.login("askerb").await;
    let p = asker
        .submit(
            &demand,
            &format!("{demand}/contact"),
            &[("message", "我们有耐磨涂层技术，想进一步沟通。")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let inbox = owner.get("/workspace").await;
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"".len()..];
    let action = rest[..rest.find('"').unwrap()].to_string();
    // "Other" needs a note.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "other")],
        )
        .await;
    assert!(p.body.contains("选择“其他”时请写明原因"), "{}", p.body);
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "wrong_field")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let sent = asker.get("/workspace").await;
    assert!(
        sent.body.contains("已婉拒") && sent.body.contains("领域不符"),
        "{}",
        sent.body
    );
    let p = asker.get(&demand).await;
    assert!(p.body.contains("领域不符"));
    assert!(!p.body.contains("021-5555-0101"));
}

#[tokio::test]
async fn a_refused_decline_keeps_its_note_beside_the_form() {
    let app = TestApp::new().await;
    let a = app.certified_org(24, "壬").await;
    let b_org = app.certified_org(25, "癸").await;
    app.create_account("ownerc", Role::Member, Some(a)).await;
    app.create_account("askerd", Role::Member, Some(b_org))
        .await;
    let mut owner = app.browser();
    owner.login("ownerc").await;
    let demand = owner.post_demand("密封件老化", "橡胶密封件高温老化").await;
    let mut asker = app.browser();
    asker.login("askerd").await;
    let p = asker
        .submit(
            &demand,
            &format!("{demand}/contact"),
            &[("message", "我们做耐高温氟橡胶，想进一步沟通。")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let inbox = owner.get("/workspace").await;
    let at = inbox.body.find("action=\"/requests/").unwrap();
    let rest = &inbox.body[at + "action=\"/requests/".len()..];
    let id = rest[..rest.find('/').unwrap()].to_string();
    let action = format!("/requests/{id}/decide");
    let decline_form = |html: &str| -> String {
        let at = html
            .find(&format!("id=\"decline-form-{id}\""))
            .expect("the decline form is shown");
        let rest = &html[at..];
        rest[..rest.find("</form>").unwrap()].to_string()
    };

    // A note over 500 characters: refused beside the form, the note and reason kept.
    let note = format!("我们{}", "暂不考虑".repeat(130));
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[
                ("decision", "decline"),
                ("reason", "other"),
                ("note", &note),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("id=\"workspace-error\""), "not on top");
    let form = decline_form(&p.body);
    assert!(
        form.contains(&format!("id=\"decline-error-{id}\""))
            && form.contains("请缩短到 500 个字以内"),
        "{form}"
    );
    assert!(form.contains(&format!("value=\"{note}\"")), "{form}");
    assert!(form.contains("value=\"other\" selected"), "{form}");
    assert!(form.contains("name=\"note\" value=\"") && form.contains("aria-invalid=\"true\""));

    // "Other" without a note: the same, in the form.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[("decision", "decline"), ("reason", "other"), ("note", " ")],
        )
        .await;
    let form = decline_form(&p.body);
    assert!(form.contains("选择“其他”时请写明原因"), "{form}");

    // Nothing was decided; a corrected decline goes through.
    let p = owner
        .submit(
            "/workspace",
            &action,
            &[
                ("decision", "decline"),
                ("reason", "other"),
                ("note", "今年预算已用完"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(
        asker
            .get("/workspace")
            .await
            .body
            .contains("今年预算已用完")
    );
}
