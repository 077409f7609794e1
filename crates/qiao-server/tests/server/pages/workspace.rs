//! `/workspace` and `/requests/{id}/decide` (`pages/workspace.rs`): the owner's decision on a
//! contact request, a decline and its reason.

use crate::common::*;

/// A contact request waiting for its owner: the owner's browser, the asker's, the demand's page
/// and the action of the decision form in the owner's workspace.
struct Pending<'a> {
    owner: Browser<'a>,
    asker: Browser<'a>,
    demand: String,
    action: String,
}

/// `owner` posts a demand titled `title`; `asker`, of another organisation, asks for its
/// contact with `message`.
async fn pending<'a>(
    app: &'a TestApp,
    (owner, asker): (&str, &str),
    title: &str,
    message: &str,
) -> Pending<'a> {
    let (mut owner, mut asker) = app.two_members(owner, asker).await;
    let demand = owner.post_demand(title, "描述").await;
    let p = asker.ask_contact(&demand, message).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let action = decision_action(&owner.get("/workspace").await.body);
    Pending {
        owner,
        asker,
        demand,
        action,
    }
}

#[tokio::test]
async fn a_decline_carries_its_reason_to_the_requester() {
    let app = TestApp::new().await;
    let Pending {
        mut owner,
        mut asker,
        demand,
        action,
    } = pending(
        &app,
        ("ownera", "askerb"),
        "涂层耐磨",
        "我们有耐磨涂层技术，想进一步沟通。",
    )
    .await;
    // "Other" needs a note.
    let p = owner
        .decide(&action, &[("decision", "decline"), ("reason", "other")])
        .await;
    assert!(p.body.contains("选择“其他”时请写明原因"), "{}", p.body);
    let p = owner
        .decide(
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
    let Pending {
        mut owner,
        mut asker,
        action,
        ..
    } = pending(
        &app,
        ("ownerc", "askerd"),
        "密封件老化",
        "我们做耐高温氟橡胶，想进一步沟通。",
    )
    .await;
    let id = action
        .strip_prefix("/requests/")
        .and_then(|a| a.strip_suffix("/decide"))
        .unwrap()
        .to_string();
    let decline_form = |html: &str| -> String {
        section(html, &format!("id=\"decline-form-{id}\""), "</form>").to_string()
    };

    // A note over 500 characters: refused beside the form, the note and reason kept.
    let note = format!("我们{}", "暂不考虑".repeat(130));
    let p = owner
        .decide(
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
        .decide(
            &action,
            &[("decision", "decline"), ("reason", "other"), ("note", " ")],
        )
        .await;
    let form = decline_form(&p.body);
    assert!(form.contains("选择“其他”时请写明原因"), "{form}");

    // Nothing was decided; a corrected decline goes through.
    let p = owner
        .decide(
            &action,
            &[
                ("decision", "decline"),
                ("reason", "other"),
                ("note", "今年预算已用完"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let sent = asker.get("/workspace").await;
    assert!(sent.body.contains("今年预算已用完"));
}
