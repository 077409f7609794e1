//! `/documents` (`pages/documents.rs`): staff import documents through the form, publish
//! them, and a long one is shown in parts.

use crate::common::*;

/// The `/documents/{id}` links of a page, in order.
fn document_links(html: &str) -> Vec<i64> {
    html.split("href=\"/documents/")
        .skip(1)
        .filter_map(|rest| rest[..rest.find('"')?].parse().ok())
        .collect()
}

/// The per-file results of an upload (the page goes on with the list).
fn results(html: &str) -> &str {
    section(html, "id=\"upload-results\"", "</ul>")
}

#[tokio::test]
async fn staff_import_documents_through_the_form_and_find_them() {
    let app = TestApp::new().await;
    let mut b = app.user("sten", Role::CommissionStaff, None).await;
    let empty = b.get("/documents").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("还没有导入任何文件"));
    assert!(
        empty.body.contains("href=\"/documents\""),
        "the nav links the list"
    );

    // Two real pages in one form: a simplified work plan and a traditional news page.
    let minhang = fixture_bytes(WORK_PLAN);
    let yangpu = fixture_bytes(YANGPU_NEWS);
    let p = b
        .upload(&[(WORK_PLAN, &minhang), ("杨浦区科委.txt", &yangpu)])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body.matches("已导入<").count(), 2, "{}", p.body);
    let ids = document_links(results(&p.body));
    let [minhang_id, yangpu_id] = ids[..] else {
        panic!("one link per imported file: {ids:?}");
    };
    assert!(p.body.contains("杨浦区科委.txt"), "the file name as sent");
    let stored = app.stored_document(minhang_id).await;
    assert_eq!(stored.document.file_name, WORK_PLAN);
    assert_eq!(stored.document.sha256, sha256_hex(&minhang));
    assert_eq!(
        stored.imported_by,
        Some(app.account_id("sten").await),
        "imported as the signed-in account"
    );
    let figures = stored.document.figures.as_array().unwrap().len();
    assert!(
        p.body
            .contains(&format!("编号 {minhang_id}，{figures} 项数据指标")),
        "{}",
        p.body
    );

    // The list: newest first, with metadata, script and the number of figures.
    let list = b.get("/documents").await.body;
    assert_eq!(document_links(&list), vec![yangpu_id, minhang_id]);
    let row = section(&list, &format!("/documents/{minhang_id}\""), "</tr>");
    for cell in [
        "关于印发《闵行区科委2023年工作要点》的通知",
        "2023-02-24",
        "上海市闵行区科学技术委员会",
        "闵科委〔2023〕14号",
        "<td>简体</td>",
        &format!("<td>{figures}</td>"),
    ] {
        assert!(row.contains(cell), "{cell} missing from {row}");
    }
    assert!(list.contains("<td>繁体</td>"));
    let page = b.get(&format!("/documents/{minhang_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("关于印发《闵行区科委2023年工作要点》的通知")
    );

    // The same bytes again, under another name: reported with a link to the stored copy.
    let p = b.upload(&[("copy.txt", &minhang)]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("已导入过"), "{}", p.body);
    assert!(
        p.body
            .contains(&format!("已导入的文件（编号 {minhang_id}）"))
    );
    assert_eq!(document_links(results(&p.body)), vec![minhang_id]);
    assert_eq!(app.documents_stored().await, 2, "nothing stored twice");
    // In English too.
    b.cookies.insert("qiao_lang".into(), "en".into());
    let p = b.upload(&[("copy.txt", &minhang)]).await;
    assert!(p.body.contains("already imported"), "{}", p.body);
    assert!(
        p.body
            .contains(&format!("imported before as document {minhang_id}"))
    );
    b.cookies.remove("qiao_lang");

    // Files the form does not take, each with its reason; the others still go in.
    let p = b
        .upload(&[
            ("scan.pdf", b"%PDF-1.7"),
            ("empty.txt", b""),
            (
                "000_03cb8c32e2444fbc.txt",
                &fixture_bytes("000_03cb8c32e2444fbc.txt"),
            ),
        ])
        .await;
    assert!(
        p.body.contains("只能导入 .txt、.html 或 .htm 文件"),
        "{}",
        p.body
    );
    assert!(p.body.contains("文件是空的"));
    assert_eq!(p.body.matches("已导入<").count(), 1);
    assert_eq!(app.documents_stored().await, 3);
    let p = b.upload(&[]).await;
    assert!(p.body.contains("请选择至少一个"));

    // A draft until staff publish it: anyone else gets a 404, and search does not find it.
    let draft_uri = format!("/documents/{minhang_id}");
    let mut anonymous = app.browser();
    assert_eq!(
        anonymous.get(&draft_uri).await.status,
        StatusCode::NOT_FOUND
    );
    let draft = b.get(&draft_uri).await;
    assert!(
        draft.body.contains("id=\"document-state\""),
        "{}",
        draft.body
    );
    let found = b
        .get(&format!("/search?q={}", encode("技術合同成交額")))
        .await;
    assert!(!document_links(&found.body).contains(&minhang_id));
    let published = b
        .submit(&draft_uri, &format!("{draft_uri}/publish"), &[])
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let mut anonymous = app.browser();
    let public = anonymous.get(&draft_uri).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.body.contains("id=\"document-state\""));
    assert!(
        !public.body.contains("id=\"publish\""),
        "no reviewer's buttons"
    );

    // Found by search in the other script: 技術合同成交額 is in the simplified work plan.
    let found = b
        .get(&format!("/search?q={}", encode("技術合同成交額")))
        .await;
    assert!(
        document_links(&found.body).contains(&minhang_id),
        "{}",
        found.body
    );
}

#[tokio::test]
async fn only_admins_and_commission_staff_import_documents() {
    let app = TestApp::new().await;
    let org = app.certified_org(13, "庚").await;
    app.create_account("mia", Role::Member, Some(org)).await;
    app.create_account("root", Role::Admin, None).await;
    let bytes = fixture_bytes(WORK_PLAN);

    let mut anon = app.browser();
    let page = anon.get("/documents").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("upload-form"));
    let token = anon.cookies["qiao_csrf"].clone();
    let p = anon
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);

    let mut mia = app.signed_in("mia").await;
    let page = mia.get("/documents").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("upload-form"), "members see no form");
    assert!(!page.body.contains("multipart/form-data"));
    let token = csrf_of(&page.body);
    let p = mia
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("仅平台管理员和科委工作人员"));
    assert_eq!(app.documents_stored().await, 0);

    let mut root = app.signed_in("root").await;
    let p = root.upload(&[("a.txt", &bytes)]).await;
    assert_eq!(p.body.matches("已导入<").count(), 1, "{}", p.body);
}

#[tokio::test]
async fn document_uploads_without_the_csrf_token_are_refused() {
    let app = TestApp::new().await;
    let mut b = app.user("sten", Role::CommissionStaff, None).await;
    let bytes = fixture_bytes(WORK_PLAN);
    let token = b.csrf("/documents").await;
    let anon_token = b.cookies["qiao_csrf"].clone();
    for (what, parts) in [
        ("no token", vec![Part::File("a.txt", &bytes)]),
        (
            "a wrong token",
            vec![Part::Field("_csrf", "0000"), Part::File("a.txt", &bytes)],
        ),
        (
            "the signed-out token",
            vec![
                Part::Field("_csrf", &anon_token),
                Part::File("a.txt", &bytes),
            ],
        ),
        (
            "the token after the file",
            vec![Part::File("a.txt", &bytes), Part::Field("_csrf", &token)],
        ),
    ] {
        let p = b.post_multipart("/documents", &parts).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{what}");
        assert!(p.body.contains("CSRF"), "{what}");
    }
    // Not multipart at all, token or not.
    let p = b.post_raw("/documents", &[("_csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.documents_stored().await, 0, "nothing was stored");
    // With the token first, as the form sends it, it goes in.
    let p = b
        .post_multipart(
            "/documents",
            &[Part::Field("_csrf", &token), Part::File("a.txt", &bytes)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(app.documents_stored().await, 1);
}

#[tokio::test]
async fn script_in_a_document_file_name_is_inert() {
    let app = TestApp::new().await;
    let mut b = app.user("sten", Role::CommissionStaff, None).await;
    let evil = "<script>alert(1)<script><img src=x onerror=alert(2)>通知.txt";
    let p = b
        .upload(&[(
            evil,
            "科技创新券申领工作有关事项\n各企业可于三月底前申领科技创新券。\n".as_bytes(),
        )])
        .await;
    assert_eq!(p.body.matches("已导入<").count(), 1, "{}", p.body);
    let id = document_links(results(&p.body))[0];
    assert_eq!(
        app.stored_document(id).await.document.file_name,
        evil,
        "stored as sent"
    );
    for (path, body) in [
        ("upload result", p.body),
        ("list", b.get("/documents").await.body),
        ("document", b.get(&format!("/documents/{id}")).await.body),
    ] {
        assert!(!body.contains("<script>alert"), "{path}: raw script");
        assert!(!body.contains("<img src=x"), "{path}: raw tag");
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;script&#62;&#60;img src=x"),
            "{path}: the name shown as text"
        );
    }
}

/// Issue #29, item 5: a long document's page shows one bounded part, with links to the others;
/// each figure keeps its index in the whole document (the targets form names them so).
#[tokio::test]
async fn a_long_documents_page_is_shown_in_parts() {
    let app = TestApp::new().await;
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 200_000 {
        i += 1;
        text.push_str(&format!(
            "第{i}条 到2026年，全区高新技术企业数量达到{}家。\n",
            1000 + i % 900
        ));
    }
    let doc = app.import_document("long.txt", text.into_bytes()).await;
    let mut b = app.user("staff", Role::CommissionStaff, None).await;
    let uri = format!("/documents/{}", doc.id);
    let first = b.get(&uri).await;
    assert_eq!(first.status, StatusCode::OK);
    let shown = |body: &str| section(body, "id=\"document-text\">", "</pre>").len();
    assert!(
        shown(&first.body) <= 60 * 1024,
        "{} bytes",
        shown(&first.body)
    );
    assert!(
        first
            .body
            .contains(&format!("href=\"/documents/{}?page=2\"", doc.id))
    );
    assert!(!first.body.contains("rel=\"prev\""));
    let second = b.get(&format!("{uri}?page=2")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second
            .body
            .contains(&format!("href=\"/documents/{}?page=1\"", doc.id))
    );
    // The second part's figures are numbered after the first part's 200.
    assert!(first.body.contains("name=\"figure\" value=\"199\""));
    assert!(!first.body.contains("name=\"figure\" value=\"200\""));
    assert!(second.body.contains("name=\"figure\" value=\"200\""));
    assert!(!second.body.contains("name=\"figure\" value=\"0\""));
    assert!(
        !second.body.contains("第1条 "),
        "the first line is on part 1 only"
    );
    assert_eq!(
        b.get(&format!("{uri}?page=9999")).await.status,
        StatusCode::NOT_FOUND
    );
}
