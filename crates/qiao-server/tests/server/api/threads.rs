//! `/api/v1/…/messages`, `/api/v1/contact-requests/{id}/contact-details` and the attachment
//! routes (`api/threads.rs`, `api/attachments.rs`): the permission suite of issue #26 (no other
//! organisation reads a thread or fetches a file, by id or by guessing), contact details after
//! acceptance, and a file with a script inside never served as a page. Each scenario runs on
//! SQLite and on PostgreSQL.

use axum::body::Body;
use axum::http::Request;

use crate::common::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// A multipart/form-data body of `fields` (name, file name if a file, bytes), and its type.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (Vec<u8>, String) {
    let boundary = "qiao-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: text/html\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// Sends `fields` as a message form to `uri` as `token`.
async fn post_form(
    app: &TestApp,
    uri: &str,
    token: &str,
    fields: &[(&str, Option<&str>, &[u8])],
) -> Reply {
    let (body, ty) = multipart(fields);
    app.send(Method::POST, uri, Some(token), Some((body, &ty)))
        .await
}

/// The status, headers and bytes of `GET uri` as `token`.
async fn fetch(
    app: &TestApp,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let (s, h, b) = app.respond(req.body(Body::empty()).unwrap()).await;
    (s, h, b.to_vec())
}

/// An accepted request's two sides exchange messages with files and see each other's contact
/// details; nobody else reads the thread, posts to it or fetches its files, by id or by
/// guessing; a pending request has no thread yet.
async fn contact_request_threads(app: &TestApp) {
    let cast = app.deal_cast().await;
    let thread = format!("/api/v1/contact-requests/{}/messages", cast.request);

    // Contact details: both sides, once accepted.
    for token in [&cast.buyer, &cast.seller] {
        let d = app
            .get(
                format!("/api/v1/contact-requests/{}/contact-details", cast.request),
                Some(token),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(d.body["owner"]["email"], "tto@jia.example.cn");
        assert_eq!(d.body["owner"]["organisation"], "甲公司");
        assert_eq!(d.body["requester"]["organisation"], "乙公司");
        assert_eq!(d.body["requester"]["person"], "buyer");
    }

    let first = app
        .post(
            &thread,
            Some(&cast.buyer),
            json!({"body": "您好，请问转让价格区间？"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(first.body["author_org_id"], cast.buyer_org);
    let reply = post_form(
        app,
        &thread,
        &cast.seller,
        &[
            ("body", None, "价格见附件报价单。".as_bytes()),
            ("file", Some("报价单.pdf"), PDF),
        ],
    )
    .await
    .expect(StatusCode::CREATED);
    let file = reply.body["attachments"][0].clone();
    assert_eq!(file["file_name"], "报价单.pdf");
    assert_eq!(file["file_type"], "pdf");
    let file_id = file["id"].as_i64().unwrap();

    // Both sides read the thread, newest first, with the file.
    for token in [&cast.buyer, &cast.seller] {
        let page = app.get(&thread, Some(token)).await.expect(StatusCode::OK);
        assert_eq!(page.body["total"], 2);
        assert_eq!(
            ints_of(&page.body["messages"], "id"),
            [reply.id(), first.id()]
        );
        assert_eq!(page.body["messages"][0]["attachments"][0]["id"], file_id);
        let (s, h, bytes) =
            fetch(app, &format!("/api/v1/attachments/{file_id}"), Some(token)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(bytes, PDF);
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
    }
    // Paging: one at a time, by the id below.
    let one = app
        .get(format!("{thread}?limit=1"), Some(&cast.buyer))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&one.body["messages"], "id"), [reply.id()]);
    let next = one.body["next_before"].as_i64().unwrap();
    let older = app
        .get(format!("{thread}?limit=1&before={next}"), Some(&cast.buyer))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&older.body["messages"], "id"), [first.id()]);
    let r = app
        .get(format!("{thread}?limit=5000"), Some(&cast.buyer))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "limit");

    // Outsiders: another organisation, a technology manager of no deal, staff (a contact
    // request is between its two sides): the same 404 as a request that does not exist.
    for (who, token) in [
        ("another organisation", &cast.outsider),
        ("another manager", &cast.other_manager),
        ("staff", &cast.staff),
    ] {
        let r = app.get(&thread, Some(token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
        let r = app
            .post(&thread, Some(token), json!({"body": "我也想看看"}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let r = app
            .get(
                format!("/api/v1/contact-requests/{}/contact-details", cast.request),
                Some(token),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let (s, _, bytes) =
            fetch(app, &format!("/api/v1/attachments/{file_id}"), Some(token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
        assert!(!bytes.windows(4).any(|w| w == b"%PDF"), "{who}");
        // Guessing ids around it finds nothing either, and says the same as for no file.
        for guess in [file_id - 1, file_id + 1, 999_999] {
            let r = app
                .get(format!("/api/v1/attachments/{guess}"), Some(token))
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {guess}");
        }
        let r = app
            .get(format!("/api/v1/attachments/{file_id}"), Some(token))
            .await;
        assert_eq!(r.message(), format!("attachment {file_id} does not exist"));
    }
    // Guessing a file name: names are no handle on a file.
    for guess in [
        "报价单.pdf",
        "%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf",
        "../attachments/1",
    ] {
        let r = app
            .get(format!("/api/v1/attachments/{guess}"), Some(&cast.buyer))
            .await;
        assert_ne!(r.status, StatusCode::OK, "{guess}");
    }
    let (s, _, _) = fetch(app, &format!("/api/v1/attachments/{file_id}"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // A pending request has no thread yet; its requester is told why.
    let pending = app
        .create(
            &cast.outsider,
            &format!("/api/v1/achievements/{}/contact-requests", cast.listing),
            json!({"message": "我们也想了解该工艺的转让条件。"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/contact-requests/{pending}/messages"),
            Some(&cast.outsider),
            json!({"body": "在吗？"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .get(
            format!("/api/v1/contact-requests/{pending}/contact-details"),
            Some(&cast.outsider),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Bad messages: blank, too long, a lying file; nothing is stored.
    let r = app
        .post(&thread, Some(&cast.buyer), json!({"body": "  "}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "body");
    let r = app
        .post(
            &thread,
            Some(&cast.buyer),
            json!({"body": "长".repeat(4001)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(
        app,
        &thread,
        &cast.buyer,
        &[
            ("body", None, "看图".as_bytes()),
            (
                "file",
                Some("图.png"),
                b"<html><script>alert(1)</script></html>",
            ),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field(0), "file");
    let page = app.get(&thread, Some(&cast.buyer)).await;
    assert_eq!(page.body["total"], 2);
}

on_both_backends!(contact_request_threads);

/// A deal's thread: its parties' members, its manager and staff take part; another
/// organisation and another manager do not.
async fn deal_threads(app: &TestApp) {
    let cast = app.deal_cast().await;
    let id = app.deal_from_contact(&cast).await["record"]["id"]
        .as_i64()
        .unwrap();
    let thread = format!("/api/v1/deals/{id}/messages");
    for (n, token) in [&cast.manager, &cast.seller, &cast.buyer, &cast.staff]
        .into_iter()
        .enumerate()
    {
        app.post(&thread, Some(token), json!({"body": format!("第{n}条")}))
            .await
            .expect(StatusCode::CREATED);
    }
    let page = app
        .get(&thread, Some(&cast.buyer))
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.body["total"], 4);
    for token in [&cast.outsider, &cast.other_manager] {
        assert_eq!(
            app.get(&thread, Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.post(&thread, Some(token), json!({"body": "x"}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

on_both_backends!(deal_threads);

/// Files of a listing, a contract and an organisation's certificates: who uploads, who reads,
/// and the headers that keep any file from running.
async fn attachments_on_records(app: &TestApp) {
    let cast = app.deal_cast().await;
    let listing_files = format!("/api/v1/listings/{}/attachments", cast.listing);
    let up = |token: &str, uri: &str, name: &str, bytes: &[u8]| {
        let uri = format!("{uri}?name={}", encode(name));
        let (token, bytes) = (token.to_string(), bytes.to_vec());
        async move {
            app.send(Method::POST, &uri, Some(&token), Some((bytes, "text/html")))
                .await
        }
    };
    // Only the owner adds files; the bytes decide the type, whatever Content-Type said.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let r = up(&cast.seller, &listing_files, "样品照片.png", &png)
        .await
        .expect(StatusCode::CREATED);
    let photo = r.id();
    assert_eq!(r.body["file_type"], "png");
    let notes = up(
        &cast.seller,
        &listing_files,
        "说明.txt",
        "工艺说明\n第一步".as_bytes(),
    )
    .await
    .expect(StatusCode::CREATED)
    .id();
    let r = up(&cast.buyer, &listing_files, "x.png", &png).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Scripts never get in, whatever they are called.
    for (name, bytes) in [
        (
            "photo.png",
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
        ),
        (
            "page.txt",
            b"hello\n<script>alert(document.cookie)</script>",
        ),
        ("page.html", b"<!doctype html><p>x"),
        ("tool.exe", b"MZ\x90\0\x03\0\0\0\x04\0"),
    ] {
        let r = up(&cast.seller, &listing_files, name, bytes).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        assert_eq!(r.field(0), "file", "{name}");
    }
    let too_big = vec![b'a'; qiao_domain::attachment::MAX_BYTES + 1];
    let r = up(&cast.seller, &listing_files, "big.txt", &too_big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);

    // Readers: the owner, the buyer whose request was accepted, staff; not another
    // organisation, which gets the 404 of no listing.
    for token in [&cast.seller, &cast.buyer, &cast.staff] {
        let list = app
            .get(&listing_files, Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(ints_of(&list.body, "id"), [photo, notes]);
    }
    let r = app.get(&listing_files, Some(&cast.outsider)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (s, _, _) = fetch(
        app,
        &format!("/api/v1/attachments/{photo}"),
        Some(&cast.outsider),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Headers: an image inline, text as a download; never sniffed, never scripted.
    let (s, h, bytes) = fetch(
        app,
        &format!("/api/v1/attachments/{photo}"),
        Some(&cast.buyer),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, png);
    assert_eq!(h["content-type"], "image/png");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline; ")
    );
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E6%A0%B7")
    );
    let (_, h, _) = fetch(
        app,
        &format!("/api/v1/attachments/{notes}"),
        Some(&cast.buyer),
    )
    .await;
    assert_eq!(h["content-type"], "text/plain; charset=utf-8");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; ")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );

    // Deleting: the owner may, the buyer who reads it may not.
    let r = app
        .delete(format!("/api/v1/attachments/{notes}"), Some(&cast.buyer))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.delete(format!("/api/v1/attachments/{notes}"), Some(&cast.seller))
        .await
        .expect(StatusCode::NO_CONTENT);
    let (s, _, _) = fetch(
        app,
        &format!("/api/v1/attachments/{notes}"),
        Some(&cast.seller),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Certificate documents: the organisation and staff; nobody else, not even a partner.
    let certs = format!(
        "/api/v1/organisations/{}/certificate-files",
        cast.seller_org
    );
    let scan = up(&cast.seller, &certs, "高新证书.pdf", PDF)
        .await
        .expect(StatusCode::CREATED)
        .id();
    let r = up(&cast.staff, &certs, "x.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = app
        .get(&certs, Some(&cast.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&list.body, "id"), [scan]);
    for token in [&cast.buyer, &cast.outsider, &cast.manager] {
        assert_eq!(
            app.get(&certs, Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
        let (s, _, _) = fetch(app, &format!("/api/v1/attachments/{scan}"), Some(token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // An organisation that does not exist: the same 404.
    let r = app
        .send(
            Method::POST,
            "/api/v1/organisations/999999/certificate-files?name=a.pdf",
            Some(&cast.seller),
            Some((PDF.to_vec(), "application/pdf")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

on_both_backends!(attachments_on_records);

/// The OpenAPI document lists the new routes.
#[tokio::test]
async fn openapi_lists_threads_and_attachments() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    for path in [
        "/api/v1/contact-requests/{id}/messages",
        "/api/v1/contact-requests/{id}/contact-details",
        "/api/v1/deals/{id}/messages",
        "/api/v1/listings/{id}/attachments",
        "/api/v1/contracts/{id}/attachments",
        "/api/v1/organisations/{id}/certificate-files",
        "/api/v1/attachments/{id}",
    ] {
        assert!(doc.body["paths"].get(path).is_some(), "{path}");
    }
}
