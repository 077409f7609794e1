//! `/api/v1/documents` (`api/documents.rs`): importing policy and news pages, drafts and
//! publishing, reading long ones in parts, finding them in either script, deleting them.

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use crate::common::*;

#[tokio::test]
async fn documents_are_imported_read_searched_in_either_script_and_deleted() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let staff = app.account("staff", Role::CommissionStaff, None).await;
    let member = app.account("member", Role::Member, None).await;
    let upload = |name: &str, token: &str| {
        let (uri, token) = (format!("/api/v1/documents?name={name}"), token.to_string());
        let bytes = fixture_bytes(name);
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &uri,
                Some(&token),
                Some((bytes, "application/octet-stream")),
            )
            .await
        }
    };

    // Who may import, and what a request must carry.
    let r = upload("003_853fbbfa8443af7f.txt", &member).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents",
            Some(&admin),
            Some((b"text".to_vec(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "name");
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=a.txt",
            Some(&admin),
            Some((Vec::new(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["field"], "body");

    let minhang = upload("003_853fbbfa8443af7f.txt", &staff).await;
    assert_eq!(minhang.status, StatusCode::CREATED, "{}", minhang.body);
    let minhang_id = minhang.body["id"].as_i64().unwrap();
    assert_eq!(
        minhang.location.as_deref(),
        Some(format!("/api/v1/documents/{minhang_id}").as_str())
    );
    assert_eq!(minhang.body["doc_number"], "闵科委〔2023〕14号");
    assert_eq!(minhang.body["script"], "hans");
    assert_eq!(minhang.body["file_name"], "003_853fbbfa8443af7f.txt");
    let figures = minhang.body["figures"].as_array().unwrap();
    let deal = figures
        .iter()
        .find(|f| {
            f["indicator"]
                .as_str()
                .is_some_and(|i| i.contains("技术合同成交额"))
        })
        .unwrap_or_else(|| panic!("no 技术合同成交额 among {figures:?}"));
    assert_eq!(deal["value"], 23_000_000_000_i64);
    assert_eq!(deal["unit"], "元");
    assert_eq!(deal["raw"], "230亿元");

    let yangpu = upload("002_fa69439dd6a4a0b4.txt", &admin).await;
    assert_eq!(yangpu.status, StatusCode::CREATED, "{}", yangpu.body);
    let yangpu_id = yangpu.body["id"].as_i64().unwrap();
    assert_eq!(yangpu.body["script"], "hant");

    // The same bytes again: 409 naming the stored copy, nothing new stored.
    let again = upload("003_853fbbfa8443af7f.txt", &admin).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "conflict");
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("already imported as document {minhang_id}"))
    );
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/api/v1/documents/{minhang_id}").as_str())
    );

    // Imported as drafts: staff and admins see them; anyone else, and search, not yet.
    assert_eq!(minhang.body["state"], "draft");
    let hidden = app.call(Method::GET, "/api/v1/documents", None, None).await;
    assert_eq!(hidden.body["total"], 0, "{}", hidden.body);
    let drafts = app
        .call(
            Method::GET,
            "/api/v1/documents?state=draft",
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(drafts.body["total"], 2, "{}", drafts.body);
    assert_eq!(drafts.body["items"][0]["state"], "draft");
    let draft = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{minhang_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(draft.status, StatusCode::NOT_FOUND, "{}", draft.body);
    let unfound = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(unfound.body["hits"], json!([]), "{}", unfound.body);
    // Only staff and admins publish.
    let publish = |id: i64, token: &str| {
        let (uri, token) = (format!("/api/v1/documents/{id}/publish"), token.to_string());
        let app = &app;
        async move { app.call(Method::POST, &uri, Some(&token), None).await }
    };
    assert_eq!(
        publish(minhang_id, &member).await.status,
        StatusCode::FORBIDDEN
    );
    for id in [minhang_id, yangpu_id] {
        let r = publish(id, &staff).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["state"], "published");
    }

    // Read by anyone: the list (newest first) and one document with text, figures, removed lines.
    let list = app.call(Method::GET, "/api/v1/documents", None, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][0]["id"], yangpu_id);
    assert_eq!(list.body["items"][1]["figures"], figures.len());
    let hant = app
        .call(Method::GET, "/api/v1/documents?script=hant", None, None)
        .await;
    assert_eq!(hant.body["total"], 1);
    let bad = app
        .call(Method::GET, "/api/v1/documents?script=latin", None, None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let one = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{minhang_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(
        one.body["text"]
            .as_str()
            .unwrap()
            .contains("技术合同成交额")
    );
    assert!(!one.body["removed"].as_array().unwrap().is_empty());
    assert_eq!(one.body["figures"].as_array().unwrap().len(), figures.len());

    // Search: simplified finds the traditional page, traditional the simplified one.
    let found = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["hits"][0]["id"], yangpu_id);
    assert_eq!(found.body["hits"][0]["type"], "document");
    assert!(
        found.body["hits"][0]["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains("楊浦")),
        "snippets in the page's own script: {}",
        found.body
    );
    let found = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=閔行區科委&type=document"),
            None,
            None,
        )
        .await;
    assert_eq!(found.body["hits"][0]["id"], minhang_id);
    // Listing searches do not return documents; bad combinations are named.
    let listings = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=杨浦区"),
            None,
            None,
        )
        .await;
    assert_eq!(listings.status, StatusCode::OK);
    assert_eq!(listings.body["hits"], json!([]));
    let mixed = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=杨浦区&type=document,demand"),
            None,
            None,
        )
        .await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mixed.body["error"]["fields"][0]["field"], "type");

    // The page shows the metadata, the text and the figures; search results link to it.
    let page = app
        .raw(Method::GET, &format!("/documents/{minhang_id}"), None, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("闵科委〔2023〕14号"));
    let table = &html[html.find("id=\"figures\"").expect("a figures table")..];
    assert!(
        table.contains("技术合同成交额</td><td>230亿元</td>"),
        "{table}"
    );
    let results = app
        .raw(Method::GET, &encode_uri("/search?q=杨浦区"), None, None)
        .await;
    assert!(
        results
            .body
            .as_str()
            .unwrap()
            .contains(&format!("href=\"/documents/{yangpu_id}\""))
    );
    // Text that looks like markup stays text on the page.
    let markup = "<html><body><h1>&lt;script&gt;alert(1)&lt;/script&gt;通知</h1>\
        <p>&lt;script&gt;alert(2)&lt;/script&gt;全年技术合同成交额达5亿元。</p></body></html>";
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=markup.html",
            Some(&admin),
            Some((markup.as_bytes().to_vec(), "text/html")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        r.body["text"]
            .as_str()
            .unwrap()
            .contains("<script>alert(2)")
    );
    let published = publish(r.body["id"].as_i64().unwrap(), &admin).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let page = app
        .raw(
            Method::GET,
            &format!("/documents/{}", r.body["id"]),
            None,
            None,
        )
        .await;
    let html = page.body.as_str().unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&#60;script&#62;alert(2)"), "{html}");

    let missing = app.raw(Method::GET, "/documents/999", None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Deleting: staff only; then gone from the store and from search.
    let path = format!("/api/v1/documents/{yangpu_id}");
    let r = app.call(Method::DELETE, &path, Some(&member), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call(Method::DELETE, &path, Some(&staff), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.call(Method::GET, &path, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let found = app
        .call(
            Method::GET,
            &encode_uri("/api/v1/search?q=杨浦区&type=document"),
            None,
            None,
        )
        .await;
    assert!(
        found.body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != yangpu_id)
    );
    // Deleted bytes may be imported again.
    let back = upload("002_fa69439dd6a4a0b4.txt", &admin).await;
    assert_eq!(back.status, StatusCode::CREATED);
}

/// Issue #29, item 5: a document is read in bounded parts, in the API and on its page.
#[tokio::test]
async fn a_long_document_is_read_in_bounded_parts() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let bytes = long_policy(300_000);
    let created = app
        .send(
            Method::POST,
            "/api/v1/documents?name=plan.txt",
            Some(&admin),
            Some((bytes, "application/octet-stream")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert!(created.body["text"].as_str().unwrap().len() <= 50 * 1024);
    let published = app
        .call(
            Method::POST,
            &format!("/api/v1/documents/{id}/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let first = app
        .call(Method::GET, &format!("/api/v1/documents/{id}"), None, None)
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let parts = first.body["parts"].as_u64().unwrap();
    let total = first.body["text_bytes"].as_u64().unwrap() as usize;
    let figures_total = first.body["figures_total"].as_u64().unwrap() as usize;
    assert!(
        total > 250_000 && figures_total > 1000,
        "{total} {figures_total}"
    );
    let mut text = String::new();
    let mut figures = 0;
    for n in 1..=parts {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{id}?part={n}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let part = r.body["text"].as_str().unwrap();
        assert!(part.len() <= 50 * 1024, "part {n}: {} bytes", part.len());
        assert_eq!(
            r.body["text_range"][0].as_u64().unwrap() as usize,
            text.len()
        );
        text.push_str(part);
        let f = r.body["figures"].as_array().unwrap().len();
        assert!(f <= 200);
        assert_eq!(r.body["figures_from"].as_u64().unwrap() as usize, figures);
        figures += f;
    }
    assert_eq!((text.len(), figures), (total, figures_total));
    // Every line once, in order, across the parts.
    let numbers: Vec<usize> = text
        .lines()
        .filter_map(|l| l.strip_prefix('第')?.split('条').next()?.parse().ok())
        .collect();
    assert!(numbers.len() > 2000 && numbers.windows(2).all(|w| w[1] == w[0] + 1));
    let past = app
        .call(
            Method::GET,
            &format!("/api/v1/documents/{id}?part={}", parts + 1),
            None,
            None,
        )
        .await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.body
    );
    assert_eq!(past.body["error"]["fields"][0]["field"], "part");
    for absurd in ["0", "18446744073709551615", "-1"] {
        let r = app
            .call(
                Method::GET,
                &format!("/api/v1/documents/{id}?part={absurd}"),
                None,
                None,
            )
            .await;
        assert!(r.status.is_client_error(), "{absurd}: {}", r.status);
    }
}

/// Issue #29, item 5: reading an uploaded document does not run on the threads that answer
/// requests. On a runtime of one thread, a health check sent while a large upload is being
/// read is answered long before the upload finishes.
#[tokio::test(flavor = "current_thread")]
async fn reading_an_upload_does_not_hold_up_other_requests() {
    use std::time::{Duration, Instant};
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let bytes = long_policy(6 << 20);
    let router = app.router.clone();
    let started = Instant::now();
    let upload = tokio::spawn(async move {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/documents?name=big.txt")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::from(bytes))
            .unwrap();
        let status = router.oneshot(req).await.unwrap().status();
        (status, started.elapsed())
    });
    // The upload starts (the one runtime thread runs it) while this task sleeps.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let health = app.call(Method::GET, "/api/v1/health", None, None).await;
    let answered = started.elapsed();
    assert_eq!(health.status, StatusCode::OK);
    let (status, uploaded) = upload.await.unwrap();
    assert_eq!(status, StatusCode::CREATED);
    eprintln!("health answered after {answered:?}, upload done after {uploaded:?}");
    assert!(
        answered < uploaded / 2,
        "health answered after {answered:?}, the upload took {uploaded:?}"
    );
}

/// A document whose cleaned text still holds a line that looks like spam is flagged for the
/// reviewer: the line is listed for staff (API and page), never for the public.
#[tokio::test]
async fn a_document_that_still_looks_like_spam_is_flagged_for_review() {
    let app = TestApp::new().await;
    let admin = app.account("admin", Role::Admin, None).await;
    let text = "关于推进科技创新券使用的通知\n各区科委：现将有关事项通知如下。\n\
                欢迎访问娱乐城官网获取最新优惠。\n本通知自发布之日起施行。\n";
    let r = app
        .send(
            Method::POST,
            "/api/v1/documents?name=notice.txt",
            Some(&admin),
            Some((text.as_bytes().to_vec(), "text/plain")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "draft");
    assert_eq!(
        r.body["review"],
        json!(["欢迎访问娱乐城官网获取最新优惠。"]),
        "{}",
        r.body
    );
    let id = r.body["id"].as_i64().unwrap();
    let list = app
        .call(Method::GET, "/api/v1/documents", Some(&admin), None)
        .await;
    assert_eq!(list.body["items"][0]["review"], 1);
    // Published anyway by the reviewer: the public reads the document, not the notes.
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/documents/{id}/publish"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let public = app
        .call(Method::GET, &format!("/api/v1/documents/{id}"), None, None)
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.get("review").is_none(), "{}", public.body);
}
