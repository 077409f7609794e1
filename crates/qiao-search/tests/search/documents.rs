//! Imported policy documents in the index: the real fixture pages of `qiao-docs` are read,
//! stored and followed into the index on SQLite and (when `QIAO_TEST_DATABASE_URL` is set)
//! PostgreSQL; a query in one script finds pages written in the other; deletes leave the
//! index; listings and documents with the same id never shadow each other; matching and listing
//! searches never return documents.

use std::sync::Arc;

use qiao_domain::Kind;
use qiao_search::{Engine, Filters, SearchRequest};
use qiao_store::test_support::TestDb;
use qiao_store::{Backend, DocumentState, NewDocument, Store};
use serde_json::json;

use crate::common::{follower_in, listing, retrieved};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../qiao-docs/tests/fixtures");

/// A fixture page as the import would store it (the server's `documents::prepare` does the
/// same with the hash it computes; here a stand-in hash keeps the test free of sha2).
fn fixture(name: &str) -> NewDocument {
    let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let d = qiao_docs::inspect(&bytes, qiao_docs::Format::Auto);
    NewDocument {
        file_name: name.into(),
        sha256: format!("{:064}", bytes.len()),
        title: d.meta.title,
        published: d.meta.published,
        source: d.meta.source,
        doc_number: d.meta.doc_number,
        script: d.meta.script,
        encoding: serde_json::to_value(d.meta.encoding)
            .unwrap()
            .as_str()
            .unwrap()
            .into(),
        text: d.text,
        removed: serde_json::to_value(d.removed).unwrap(),
        figures: serde_json::to_value(d.figures).unwrap(),
        undecodable: serde_json::to_value(d.undecodable).unwrap(),
        state: DocumentState::Published,
        review: Vec::new(),
    }
}

const DOCS: Filters = Filters {
    kinds: Vec::new(),
    status: None,
    active_on: None,
    district: None,
    discipline: None,
    exclude_ids: Vec::new(),
    exclude_owner: None,
    documents: true,
};

async fn documents_are_found_in_either_script(db: &TestDb) {
    let store: Arc<dyn Store> = db.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    let _task = follower.spawn();
    let news = store
        .create_document(&fixture("000_03cb8c32e2444fbc.txt"))
        .await
        .unwrap();
    let yangpu = store
        .create_document(&fixture("002_fa69439dd6a4a0b4.txt"))
        .await
        .unwrap();
    let minhang = store
        .create_document(&fixture("003_853fbbfa8443af7f.txt"))
        .await
        .unwrap();
    assert_eq!(yangpu.document.script, "hant");
    assert_eq!(minhang.document.script, "hans");
    // A listing whose id equals a document's: neither replaces the other in the index.
    let l = listing(
        Kind::Achievement,
        json!({"title": "杨浦区科技创新成果", "summary": "杨浦区的新材料成果"}),
    );
    let listing = store.create_listing(None, &l).await.unwrap();
    assert_eq!(listing.id, news.id);

    let engine = Engine::new(store.clone(), follower.clone());
    // Simplified query, traditional page (楊浦 is written in traditional characters there).
    let found = engine.search_documents("杨浦区", 10, 0).await.unwrap();
    assert!(found.fresh);
    let first = &found.hits[0];
    assert_eq!(first.id, yangpu.id);
    assert_eq!(first.entity, "document");
    assert!(
        first
            .snippets
            .iter()
            .any(|s| s.text.contains("楊浦") && !s.highlights.is_empty()),
        "snippets in the page's own script: {:?}",
        first.snippets
    );
    assert!(first.matched_terms.iter().any(|t| t.contains("楊浦")));
    // Traditional query, simplified page.
    let found = engine.search_documents("閔行區科委", 10, 0).await.unwrap();
    assert_eq!(found.hits[0].id, minhang.id);
    assert_eq!(
        found.hits[0].doc_number.as_deref(),
        Some("闵科委〔2023〕14号")
    );

    // Listing searches and matches never see documents, and documents searches no listings.
    let index = follower.index();
    follower.catch_up().await.unwrap();
    assert_eq!(
        retrieved(index, "杨浦区", &Filters::default()),
        [listing.id as u64]
    );
    let listings = engine
        .search(&SearchRequest {
            q: "杨浦区".into(),
            limit: 10,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listings.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        [listing.id]
    );
    let kinds = Filters {
        kinds: vec![Kind::Achievement],
        documents: true,
        ..Filters::default()
    };
    assert!(retrieved(index, "杨浦区", &kinds).is_empty());
    assert!(!retrieved(index, "杨浦区", &DOCS).contains(&(minhang.id as u64)));

    // Deleting a document or the listing removes exactly that entry.
    store.delete_listing(listing.id).await.unwrap();
    follower.catch_up().await.unwrap();
    assert!(retrieved(index, "杨浦区", &Filters::default()).is_empty());
    assert!(retrieved(index, "杨浦区", &DOCS).contains(&(news.id as u64)));
    store.delete_document(yangpu.id).await.unwrap();
    let found = engine.search_documents("杨浦区", 10, 0).await.unwrap();
    assert!(found.hits.iter().all(|h| h.id != yangpu.id));
    assert_eq!(index.num_docs(), 2);

    // A rebuild from the feed gives the same index.
    assert_eq!(follower.rebuild().await.unwrap(), 2);
    let found = engine.search_documents("閔行區", 10, 0).await.unwrap();
    assert_eq!(found.hits[0].id, minhang.id);
}

#[tokio::test]
async fn documents_are_found_in_either_script_on_sqlite() {
    documents_are_found_in_either_script(&TestDb::sqlite().await).await;
}

#[tokio::test]
async fn documents_are_found_in_either_script_on_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        eprintln!("QIAO_TEST_DATABASE_URL is not set; skipped");
        return;
    };
    documents_are_found_in_either_script(&db).await;
    db.drop_schema().await;
}
