//! `/policies` (`pages/policies.rs`): staff write policies; an enterprise sees its own check,
//! condition by condition, and the targets page measures them.

use crate::common::*;

#[tokio::test]
async fn staff_write_policies_and_targets_and_enterprises_see_their_checks() {
    let app = TestApp::new().await;
    let evil = "<script>alert(1)</script>";
    // `certified_org` makes 闵行区 enterprises with a verified high-tech certificate and revenue
    // 123456789 yuan.
    let mine = app.certified_org(11, "甲科技公司").await;
    let other = app.certified_org(12, "乙科技公司").await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, Some(mine)).await;
    app.create_account("outsider", Role::Member, Some(other))
        .await;

    // Members cannot write policies; forms without the token are refused.
    let mut m = app.signed_in("member").await;
    assert_eq!(m.get("/policies/new").await.status, StatusCode::FORBIDDEN);
    let p = m
        .submit("/policies", "/policies/new", &[("title", "x")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let mut s = app.signed_in("staff").await;
    let p = s.post_raw("/policies/new", &[("title", "x")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "no CSRF token");

    // A failed form keeps what was typed and names the field, in Chinese.
    let p = s
        .post_form(
            "/policies/new",
            &[
                ("title", &format!("研发奖励{evil}")),
                ("conditions.certificates", "高新技术企业，博士后工作站"),
                ("conditions.min_rd_ratio_percent", "abc"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("error-conditions.certificates"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("error-conditions.min_rd_ratio_percent"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("<script>alert"), "typed text is escaped");
    assert!(
        p.body.contains("高新技术企业，博士后工作站"),
        "typed text survives"
    );
    let p = s
        .post_form(
            "/policies/new",
            &[
                ("title", &format!("研发奖励{evil}")),
                ("benefit", "最高100万元"),
                ("conditions.certificates", "高新技术企业"),
                ("conditions.districts", "闵行区"),
                ("conditions.min_revenue_yuan", "1亿"),
                ("conditions.min_patents", "3"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let policy = p.location.unwrap();

    // Staff see which enterprises it reaches: both lack the patent count.
    let page = s.get(&policy).await;
    assert!(page.body.contains("id=\"reach\""), "{}", page.body);
    assert!(page.body.contains("待补充资料 2"), "{}", page.body);
    assert!(!page.body.contains("<script>alert"));
    // The edit form shows the certificate by its Chinese name; saving keeps the rest.
    let edit = s.get(&format!("{policy}/edit")).await;
    assert!(
        edit.body.contains(">高新技术企业\n</textarea>"),
        "{}",
        edit.body
    );

    // The member sees their own check, condition by condition; the revenue passes for them.
    let own = m.get(&policy).await;
    assert!(own.body.contains("id=\"own-verdict\""), "{}", own.body);
    assert!(own.body.contains("<td>123456789元</td>"), "{}", own.body);
    assert!(own.body.contains("补充授权专利数"), "{}", own.body);
    assert!(
        !own.body.contains("id=\"reach\""),
        "members do not see the reach"
    );
    // Filling in the profile settles it: the member adds the patents on the edit page.
    let mut o = app.signed_in("outsider").await;
    assert!(own.body.contains("id=\"complete-profile\""), "{}", own.body);
    assert_eq!(
        o.get(&format!("/orgs/{mine}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let p = m
        .post_form(
            &format!("/orgs/{mine}/edit"),
            &[
                ("district", "闵行区"),
                ("patents", "三项"),
                ("revenue_yuan", "123456789"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("error-patents"), "{}", p.body);
    let p = m
        .post_form(
            &format!("/orgs/{mine}/edit"),
            &[
                ("district", "闵行区"),
                ("patents", "5"),
                ("revenue_yuan", "123456789"),
                ("description", evil),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let stored = app.stored_org(mine).await;
    assert_eq!(
        (
            stored.patents,
            stored.certificates.len(),
            stored.name.as_str()
        ),
        (Some(5), 1, "甲科技公司")
    );
    let own = m.get(&policy).await;
    assert!(own.body.contains("id=\"own-verdict\">符合"), "{}", own.body);
    assert!(
        !m.get(&format!("/orgs/{mine}"))
            .await
            .body
            .contains("<script>alert")
    );
    let listed = m.get("/policies").await;
    assert!(listed.body.contains("badge ok"), "{}", listed.body);
    // Another member looking at this enterprise's page sees no private figure in the checks.
    let seen = o.get(&format!("/orgs/{mine}")).await;
    assert!(seen.body.contains("id=\"org-policies\""), "{}", seen.body);
    assert!(!seen.body.contains("123456789"), "{}", seen.body);

    // Targets: entered by hand, measured from the certificates; a reported actual for the rest.
    assert_eq!(m.get("/targets/new").await.status, StatusCode::FORBIDDEN);
    let year = qiao_domain::today().format("%Y").to_string();
    let p = s
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "有效期内高新技术企业"),
                ("value", "4"),
                ("unit", "家"),
                ("qualifier", "达"),
                ("metric", "certified:high_tech"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = s
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "技术合同成交额"),
                ("value", "23000000000"),
                ("unit", "元"),
                ("metric", "certified:high_tech"),
            ],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::OK,
        "a metric counts enterprises, not yuan"
    );
    assert!(p.body.contains("error-metric"), "{}", p.body);
    let p = s
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", &year),
                ("indicator", "技术合同成交额"),
                ("value", "23000000000"),
                ("unit", "元"),
                ("qualifier", "达"),
                ("metric", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = s.get("/targets").await;
    assert!(page.body.contains("达4家"), "{}", page.body);
    assert!(
        page.body.contains("2家"),
        "two certificates in force: {}",
        page.body
    );
    assert!(page.body.contains("50%"), "{}", page.body);
    let turnover = app
        .targets()
        .await
        .into_iter()
        .find(|t| t.target.unit == "元")
        .unwrap()
        .id;
    let p = s
        .submit(
            "/targets",
            &format!("/targets/{turnover}/report"),
            &[("reported", "245亿")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = s.get("/targets").await;
    assert!(page.body.contains("245亿元"), "{}", page.body);
    assert!(page.body.contains("已达成"), "{}", page.body);
    assert_eq!(
        m.submit("/targets", &format!("/targets/{turnover}/delete"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
