//! `/targets` and `/documents/{id}/targets` (`pages/targets.rs`): targets made from a work
//! plan's figures, and edited by staff only.

use crate::common::*;

#[tokio::test]
async fn staff_turn_a_work_plans_figures_into_targets_on_its_page() {
    let app = TestApp::new().await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, None).await;
    // Published, so that members read it too.
    let doc = app
        .published_document("003.txt", fixture_bytes(WORK_PLAN))
        .await;
    let high_tech = strings_of(&doc.document.figures, "indicator")
        .iter()
        .position(|i| i.contains("高新技术企业"))
        .unwrap();
    let page_uri = format!("/documents/{}", doc.id);
    let action = format!("{page_uri}/targets");

    // Members see the figures but no form, and cannot post one.
    let mut m = app.signed_in("member").await;
    let page = m.get(&page_uri).await;
    assert!(page.body.contains("id=\"figures\"") && !page.body.contains("id=\"make-targets\""));
    let idx = high_tech.to_string();
    assert_eq!(
        m.submit(&page_uri, &action, &[("figure", &idx)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Staff see each figure with a box, target figures ticked, the metric named where the
    // records can count it, and the region the figures name offered.
    let mut s = app.signed_in("staff").await;
    let page = s.get(&page_uri).await;
    assert!(page.body.contains("id=\"make-targets\""), "{}", page.body);
    // Offered, never pre-ticked: the reviewer chooses each figure; the plan's targets are marked.
    let form = section(&page.body, "id=\"make-targets\"", "</form>");
    assert!(form.contains("data-target=\"1\""), "{form}");
    assert!(!form.contains(" checked"), "no figure comes ticked: {form}");
    assert!(
        page.body.contains("有效期内高新技术企业数"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("name=\"region\" value=\"闵行区\""),
        "{}",
        page.body
    );
    let p = s.submit(&page_uri, &action, &[("region", "闵行区")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing ticked");
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("figure", "9999"), ("region", "闵行区")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(app.targets().await.is_empty(), "all or nothing");
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区"), ("year", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/targets?region=%E9%97%B5%E8%A1%8C%E5%8C%BA&year=2023")
    );
    let targets = s.get(p.location.as_deref().unwrap()).await;
    assert!(targets.body.contains("达4000家"), "{}", targets.body);
    assert!(
        targets
            .body
            .contains(&format!("href=\"/documents/{}\"", doc.id)),
        "{}",
        targets.body
    );
    assert!(
        targets.body.contains("未达成"),
        "2023 is over: {}",
        targets.body
    );
}

#[tokio::test]
async fn only_staff_edit_targets_and_a_bad_value_is_named() {
    let app = TestApp::new().await;
    let mine = app.certified_org(31, "甲").await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, Some(mine)).await;
    let mut s = app.signed_in("staff").await;
    let made = s
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", "2030"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
                ("reported", "800"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = app.targets().await[0].id;
    let edit = format!("/targets/{id}/edit");
    assert!(
        s.get("/targets")
            .await
            .body
            .contains(&format!("href=\"{edit}\""))
    );

    // Members neither see nor post the form; staff need the token.
    let mut m = app.signed_in("member").await;
    assert_eq!(m.get(&edit).await.status, StatusCode::FORBIDDEN);
    let p = m.submit("/workspace", &edit, &[("region", "x")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.post_raw(&edit, &[("region", "x")]).await.status,
        StatusCode::FORBIDDEN
    );

    // A bad value is named beside its field and what was typed stays.
    let p = s
        .post_form(
            &edit,
            &[
                ("region", "闵行区<script>"),
                ("year", "明年"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(field_error(&p.body, "year"), "须为整数");
    assert!(
        p.body.contains("value=\"闵行区&#60;script&#62;\""),
        "escaped"
    );
    assert!(!p.body.contains("闵行区<script>"));

    // Clearing a shown field clears it; the rest is as typed.
    let p = s
        .post_form(
            &edit,
            &[
                ("region", "闵行区"),
                ("year", "2031"),
                ("indicator", "技术合同成交额"),
                ("value", "1200"),
                ("unit", "亿元"),
                ("reported", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = app.stored_target(id).await;
    assert_eq!((t.year, t.value, t.reported), (2031, 1200.0, None));
}
