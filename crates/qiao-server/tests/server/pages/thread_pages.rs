//! `/requests/{id}`, `/deals/{id}/messages`, their message forms and `/files/{id}`
//! (`pages/thread_pages.rs`): contact details after acceptance on the request page, a message
//! with a file sent through the form and downloaded, text escaped, the form's CSRF token, and
//! outsiders kept out of every one of them.

use crate::common::*;

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

#[tokio::test]
async fn a_request_page_shows_contact_details_and_its_thread() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let page_uri = format!("/requests/{}", cast.request);
    let mut buyer = app.signed_in("buyer").await;
    let mut seller = app.signed_in("seller").await;

    for b in [&mut buyer, &mut seller] {
        let p = b.get(&page_uri).await;
        assert_eq!(p.status, StatusCode::OK);
        let details = section(&p.body, "id=\"contact-details\"", "id=\"thread\"");
        assert!(details.contains("tto@jia.example.cn"), "{details}");
        assert!(details.contains("甲公司") && details.contains("乙公司"));
        assert!(p.body.contains("id=\"message-form\""));
    }
    // The workspace links to it from both boxes.
    let w = seller.get("/workspace").await;
    assert!(
        w.body
            .contains(&format!("href=\"/requests/{}\"", cast.request))
    );

    // A message with a file, through the form; its text escaped on the page.
    let token = buyer.csrf(&page_uri).await;
    let p = buyer
        .post_multipart(
            &format!("{page_uri}/messages"),
            &[
                Part::Field("_csrf", &token),
                Part::Field("body", "<script>alert('x')</script> 请看需求说明"),
                Part::File("需求说明.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = seller.get(&page_uri).await;
    assert!(
        p.body
            .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; 请看需求说明"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("<script>alert"));
    let file_uri = format!("/files/{}", value_after(&p.body, "<a href=\"/files/"));
    assert!(p.body.contains("需求说明.pdf"));
    let f = seller.get(&file_uri).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.raw, PDF);

    // A refused message keeps its text and says why beside the form.
    let token = seller.csrf(&page_uri).await;
    let p = seller
        .post_multipart(
            &format!("{page_uri}/messages"),
            &[
                Part::Field("_csrf", &token),
                Part::Field("body", "见附件图纸"),
                Part::File("图纸.png", b"<svg onload=alert(1)>"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"message-error\""), "{}", p.body);
    assert!(p.body.contains(">见附件图纸</textarea>"));
    // Without the token: refused.
    let p = seller
        .post_multipart(
            &format!("{page_uri}/messages"),
            &[Part::Field("body", "无令牌")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Outsiders, staff and anonymous visitors see none of it.
    let mut outsider = app.signed_in("outsider").await;
    let mut staff = app.signed_in("staff").await;
    for (who, b) in [("outsider", &mut outsider), ("staff", &mut staff)] {
        let p = b.get(&page_uri).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!p.body.contains("tto@jia.example.cn"), "{who}");
        let f = b.get(&file_uri).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{who}");
        assert_ne!(f.raw, PDF, "{who}");
    }
    let mut anon = app.browser();
    assert_eq!(anon.get(&page_uri).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anon.get(&file_uri).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_pending_request_has_no_thread_and_no_details() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let pending = app
        .create(
            &cast.outsider,
            &format!("/api/v1/achievements/{}/contact-requests", cast.listing),
            json!({"message": "我们也想了解该工艺的转让条件。"}),
        )
        .await;
    let mut outsider = app.signed_in("outsider").await;
    let p = outsider.get(&format!("/requests/{pending}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"thread-closed\""));
    assert!(!p.body.contains("id=\"message-form\""));
    assert!(!p.body.contains("tto@jia.example.cn"));
}

#[tokio::test]
async fn a_deal_has_a_thread_page_for_its_readers() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let id = app.deal_from_contact(&cast).await["record"]["id"]
        .as_i64()
        .unwrap();
    let uri = format!("/deals/{id}/messages");
    let mut manager = app.signed_in("manager").await;
    let deal = manager.get(&format!("/deals/{id}")).await;
    assert!(deal.body.contains(&format!("href=\"{uri}\"")));
    let token = manager.csrf(&uri).await;
    let p = manager
        .post_multipart(
            &uri,
            &[
                Part::Field("_csrf", &token),
                Part::Field("body", "下周三签约，请各方确认。"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut seller = app.signed_in("seller").await;
    assert!(seller.get(&uri).await.body.contains("下周三签约"));
    let mut outsider = app.signed_in("outsider").await;
    assert_eq!(outsider.get(&uri).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_listings_files_are_added_by_its_owner_and_seen_by_those_it_discloses_to() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let page_uri = format!("/achievements/{}", cast.listing);
    let upload = format!("{page_uri}/files");
    let mut seller = app.signed_in("seller").await;
    let token = seller.csrf(&page_uri).await;
    assert!(
        seller
            .get(&page_uri)
            .await
            .body
            .contains("id=\"listing-file-form\"")
    );
    // A page of HTML named .png: refused, nothing stored.
    let p = seller
        .post_multipart(
            &upload,
            &[
                Part::Field("_csrf", &token),
                Part::File("图纸.png", b"<html><script>1</script>"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let p = seller
        .post_multipart(
            &upload,
            &[Part::Field("_csrf", &token), Part::File("图纸.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = seller.get(&page_uri).await;
    let file_uri = format!("/files/{}", value_after(&page.body, "<a href=\"/files/"));

    // The buyer, whose request was accepted, sees and downloads it but cannot add one.
    let mut buyer = app.signed_in("buyer").await;
    let page = buyer.get(&page_uri).await;
    assert!(page.body.contains("图纸.pdf"));
    assert!(!page.body.contains("id=\"listing-file-form\""));
    assert_eq!(buyer.get(&file_uri).await.raw, PDF);
    let token = csrf_of(&page.body);
    let p = buyer
        .post_multipart(
            &upload,
            &[Part::Field("_csrf", &token), Part::File("x.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Another organisation sees the listing but not its files.
    let mut outsider = app.signed_in("outsider").await;
    let page = outsider.get(&page_uri).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("图纸.pdf"));
    assert_eq!(outsider.get(&file_uri).await.status, StatusCode::NOT_FOUND);

    // Only the owner gets a delete button; the buyer's and the outsider's posts are refused,
    // a post without the form's token too, and the file stays.
    let delete = format!("{file_uri}/delete");
    assert!(!buyer.get(&page_uri).await.body.contains(&delete));
    let p = buyer.submit(&page_uri, &delete, &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = outsider.submit(&page_uri, &delete, &[]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    let p = seller.post_raw(&delete, &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(buyer.get(&file_uri).await.raw, PDF);
    // The owner deletes it from the listing's page and is sent back to its files.
    assert!(seller.get(&page_uri).await.body.contains(&delete));
    let p = seller.submit(&page_uri, &delete, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("{page_uri}#files").as_str())
    );
    assert!(!seller.get(&page_uri).await.body.contains("图纸.pdf"));
    assert_eq!(buyer.get(&file_uri).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn certificate_documents_are_for_the_organisation_and_staff() {
    let app = TestApp::new().await;
    let cast = app.deal_cast().await;
    let org_uri = format!("/orgs/{}", cast.seller_org);
    let upload = format!("{org_uri}/certificate-files");
    let mut seller = app.signed_in("seller").await;
    let page = seller.get(&org_uri).await;
    assert!(page.body.contains("id=\"record-file-form\""));
    let token = csrf_of(&page.body);
    let p = seller
        .post_multipart(
            &upload,
            &[
                Part::Field("_csrf", &token),
                Part::File("高新技术企业证书.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut staff = app.signed_in("staff").await;
    let page = staff.get(&org_uri).await;
    assert!(page.body.contains("高新技术企业证书.pdf"));
    assert!(
        !page.body.contains("id=\"record-file-form\""),
        "staff read, members add"
    );
    // A partner in a deal sees the public profile, not the scans, and cannot add one.
    let mut buyer = app.signed_in("buyer").await;
    let page = buyer.get(&org_uri).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("高新技术企业证书.pdf"));
    assert!(!page.body.contains("id=\"files\""));
    let token = csrf_of(&page.body);
    let p = buyer
        .post_multipart(
            &upload,
            &[Part::Field("_csrf", &token), Part::File("x.pdf", PDF)],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let mut anon = app.browser();
    assert!(!anon.get(&org_uri).await.body.contains("id=\"files\""));
}
