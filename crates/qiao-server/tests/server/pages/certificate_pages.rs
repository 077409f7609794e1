//! `/certificates` (`pages/certificates.rs`): staff verify or reject claimed certificates and
//! import official lists.

use crate::common::*;

#[tokio::test]
async fn staff_verify_certificates_on_their_page_and_import_official_lists() {
    let app = TestApp::new().await;
    let a = app
        .claiming_org(901, "甲<script>alert(1)</script>科技", "high_tech")
        .await;
    let b = app.claiming_org(902, "乙科技", "high_tech").await;
    let c = app.claiming_org(903, "丙科技", "high_tech").await;
    let d = app.claiming_org(904, "丁科技", "specialized").await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, Some(b)).await;
    let year = chrono::Datelike::year(&qiao_domain::today());
    app.add_target(json!({
        "region": "上海市", "year": year, "indicator": "有效期内高新技术企业", "value": 10, "unit": "家",
        "metric": {"kind": "certified", "certificate": "high_tech"}}))
    .await;

    // Members and visitors do not see the page.
    let mut anon = app.browser();
    assert_ne!(anon.get("/certificates").await.status, StatusCode::OK);
    let mut m = app.signed_in("member").await;
    assert_eq!(m.get("/certificates").await.status, StatusCode::FORBIDDEN);
    let own = m.get(&format!("/orgs/{b}")).await;
    assert!(own.body.contains("待核验"), "{}", own.body);
    assert!(!own.body.contains("id=\"verify-link\""));

    let mut s = app.signed_in("staff").await;
    let page = s.get("/certificates").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("class=\"pending-row\"").count(),
        4,
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert"), "names are escaped");
    assert!(page.body.contains("甲&#60;script&#62;"), "{}", page.body);
    assert!(page.body.contains("id=\"list-form\""));
    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">0家<br>"), "{}", targets.body);
    assert!(targets.body.contains("另有 3 家待核验"), "{}", targets.body);

    // A form without the token, or from a member, decides nothing.
    let verify_a = format!("/certificates/{a}/0/verify");
    let p = s.post_raw(&verify_a, &[("kind", "high_tech")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = m
        .submit(
            &format!("/orgs/{b}"),
            &format!("/certificates/{b}/0/verify"),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Verify 甲 with the number checked; reject 乙 (a reason is required).
    let p = s
        .submit(
            "/certificates",
            &verify_a,
            &[("kind", "high_tech"), ("number", "GR202431000901")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let next = p.location.unwrap();
    assert_eq!(next, format!("/certificates?done=verified&org={a}"));
    let done = s.get(&next).await;
    assert!(done.body.contains("id=\"done\""), "{}", done.body);
    let reject_b = format!("/certificates/{b}/0/reject");
    let p = s
        .submit(
            "/certificates",
            &reject_b,
            &[("kind", "high_tech"), ("reason", " ")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);
    let p = s
        .submit(
            "/certificates",
            &reject_b,
            &[("kind", "high_tech"), ("reason", "名单中无此企业 <i>")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A decision on a certificate whose kind changed meanwhile is refused, saying why.
    let p = s
        .submit(
            "/certificates",
            &format!("/certificates/{c}/0/verify"),
            &[("kind", "leading")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"error\""), "{}", p.body);

    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">1家<br>"), "{}", targets.body);
    assert!(targets.body.contains("另有 1 家待核验"), "{}", targets.body);
    let shown = s.get(&format!("/orgs/{a}")).await;
    assert!(shown.body.contains("已核验（staff，"), "{}", shown.body);
    assert!(shown.body.contains("GR202431000901"), "{}", shown.body);
    let shown = m.get(&format!("/orgs/{b}")).await;
    assert!(
        shown.body.contains("驳回：名单中无此企业 &#60;i&#62;"),
        "{}",
        shown.body
    );

    // A real CSV list (with a title row) verifies 丙 and names the line that matched nothing.
    let csv = format!(
        "闵行区2024年高新技术企业名单\r\n序号,企业名称,统一社会信用代码,证书编号\r\n1,丙科技,{},GR903\r\n2,不存在,{},GR9\r\n",
        code(903),
        code(999)
    );
    let token = s.csrf("/certificates").await;
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("_csrf", &token),
                Part::Field("kind", "high_tech"),
                Part::FileOf("file", "高企名单.csv", csv.as_bytes()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("核验通过 1 条，此前已核验 0 条，未匹配 1 条"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("<td>4</td>"),
        "the unmatched line is named: {}",
        p.body
    );
    assert!(p.body.contains("没有该统一社会信用代码"), "{}", p.body);
    // Without the token first, nothing is read.
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("kind", "high_tech"),
                Part::FileOf("file", "x.csv", csv.as_bytes()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // A generated XLSX list of 专精特新 verifies 丁.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").unwrap();
    sheet.write_string(0, 1, "企业名称").unwrap();
    sheet.write_string(1, 0, code(904)).unwrap();
    sheet.write_string(1, 1, "丁科技").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let token = s.csrf("/certificates").await;
    let p = s
        .post_multipart(
            "/certificates/lists",
            &[
                Part::Field("_csrf", &token),
                Part::Field("kind", "specialized"),
                Part::FileOf("file", "专精特新名单.xlsx", &xlsx),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("核验通过 1 条"), "{}", p.body);
    let stored = app.stored_org(d).await;
    assert!(stored.certificates[0].is_verified());
    let page = s.get("/certificates").await;
    assert!(page.body.contains("id=\"none-pending\""), "{}", page.body);
    let targets = s.get("/targets").await;
    assert!(targets.body.contains(">2家<br>"), "{}", targets.body);
}
