//! `/admin/audit` and `/admin/audit.xlsx` (`pages/audit.rs`): the log tells the story field
//! by field, filtered, and exports it as a workbook.

use crate::common::*;

#[tokio::test]
async fn the_audit_log_tells_the_story_field_by_field() {
    let app = TestApp::new().await;
    let org = app.certified_org(31, "审计公司").await;
    app.create_account("root", Role::Admin, None).await;
    app.create_account("hana", Role::Member, Some(org)).await;
    app.create_account("ivan", Role::Member, Some(org)).await;
    let mut hana = app.signed_in("hana").await;
    let demand = hana.post_demand("旧的需求标题", "描述").await;
    let id = demand.rsplit('/').next().unwrap().to_string();
    let p = hana
        .post_form(
            &format!("{demand}/edit"),
            &[
                ("title", "<script>alert(1)</script>新标题"),
                ("description", "=1+2 新描述"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut ivan = app.signed_in("ivan").await;
    ivan.post_demand("伊万的需求", "描述").await;
    for uri in ["/admin/audit", "/admin/audit.xlsx"] {
        assert_eq!(hana.get(uri).await.status, StatusCode::FORBIDDEN, "{uri}");
    }

    let mut root = app.signed_in("root").await;
    let filtered = format!("actor=hana&entity=listing&entity_id={id}");
    let log = root.get(&format!("/admin/audit?{filtered}")).await;
    assert_eq!(log.status, StatusCode::OK);
    let body = &log.body;
    assert!(
        body.contains("共 2 条"),
        "the create and the update: {body}"
    );
    assert!(body.contains(&format!("技术需求 #{id}")), "{body}");
    assert!(
        body.contains("<dt>标题</dt>"),
        "Chinese field labels: {body}"
    );
    assert!(
        body.contains("<dt>联系电话</dt>"),
        "the create lists every field: {body}"
    );
    assert!(
        body.contains("<dt>类型</dt><dd><del>（空）</del> → <ins>技术需求</ins></dd>"),
        "codes in words: {body}"
    );
    assert!(body.contains("<del>旧的需求标题</del>"), "before: {body}");
    assert!(
        body.contains("<ins>&#60;script&#62;alert(1)&#60;/script&#62;新标题</ins>"),
        "after, escaped: {body}"
    );
    assert!(!body.contains("<script>alert(1)"), "stored script is inert");
    assert!(
        !body.contains("伊万的需求"),
        "other actors are filtered out"
    );
    assert!(
        body.contains(&format!(
            "href=\"/admin/audit.xlsx?{}\"",
            filtered.replace('&', "&#38;")
        )),
        "the export keeps the filters: {body}"
    );
    // The filters stay in the form.
    assert!(body.contains("value=\"hana\""));
    assert!(body.contains("<option value=\"listing\" selected>"));
    // Dates: nothing before 2001; a bad day is named, not a 500.
    let none = root.get("/admin/audit?to=2000-12-31").await;
    assert!(none.body.contains("共 0 条"), "{}", none.body);
    let bad = root.get("/admin/audit?from=2026-02-30").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("id=\"audit-error\""), "{}", bad.body);
    // In English, the labels are English.
    root.cookies.insert("qiao_lang".into(), "en".into());
    let en = root.get(&format!("/admin/audit?{filtered}")).await.body;
    assert!(
        en.contains("<dt>Title</dt>") && en.contains(&format!("Demand #{id}")),
        "{en}"
    );
    root.cookies.remove("qiao_lang");

    // The workbook: the same filters, one row per changed field, values whole and as text.
    let x = root.get(&format!("/admin/audit.xlsx?{filtered}")).await;
    assert_eq!(x.status, StatusCode::OK);
    let Sheet {
        name,
        rows,
        formulas,
    } = first_sheet(&x.raw);
    assert_eq!(name, "audit");
    assert_eq!(
        rows[0],
        [
            "序号",
            "时间（北京时间）",
            "操作人",
            "操作",
            "对象类型",
            "对象编号",
            "字段",
            "修改前",
            "修改后"
        ]
    );
    assert!(
        rows[1..].iter().all(|r| r[2] == "hana" && r[5] == id),
        "{rows:?}"
    );
    let title: Vec<_> = rows.iter().filter(|r| r[6] == "标题").collect();
    assert_eq!(title.len(), 2, "created and changed: {rows:?}");
    assert_eq!(
        (
            title[0][3].as_str(),
            title[0][7].as_str(),
            title[0][8].as_str()
        ),
        ("修改", "旧的需求标题", "<script>alert(1)</script>新标题")
    );
    let description = rows
        .iter()
        .find(|r| r[6] == "描述" && r[3] == "修改")
        .expect("the description changed");
    assert_eq!(description[8], "=1+2 新描述");
    assert!(!formulas, "no formulas");
    assert_eq!(
        app.browser().get("/admin/audit.xlsx").await.status,
        StatusCode::UNAUTHORIZED,
        "nobody signed in reads the log"
    );
}
