//! The index as a derived view: it follows inserts, updates, deletes and status changes of the
//! store, on SQLite and (when `QIAO_TEST_DATABASE_URL` is set) PostgreSQL, and survives being
//! reopened. Filters are checked against what the records say.

use std::sync::Arc;

use qiao_domain::{Kind, Listing};
use qiao_search::{Filters, QueryTerms, SearchIndex};
use qiao_store::test_support::TestDb;
use qiao_store::{Backend, Store};
use serde_json::json;

use crate::common::{add, follower_in, listing, retrieved};

/// Creates an achievement whose title and summary are `title`; returns its id.
async fn add_achievement(store: &Arc<dyn Store>, title: &str) -> u64 {
    add(
        store,
        Kind::Achievement,
        json!({"title": title, "summary": title}),
    )
    .await
}

/// The ids `q` retrieves, sorted.
fn ids(index: &SearchIndex, q: &str, filters: &Filters) -> Vec<u64> {
    let mut v = retrieved(index, q, filters);
    v.sort_unstable();
    v
}

async fn follows_every_change(db: &TestDb) {
    let store = db.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    let a = store
        .create_listing(None, &listing(Kind::Achievement, json!({"title": "石墨烯导热膜", "summary": "高导热石墨烯薄膜", "district": "闵行区"})))
        .await
        .unwrap();
    let d = store
        .create_listing(None, &listing(Kind::Demand, json!({"title": "散热材料需求", "description": "寻找石墨烯散热方案", "district": "嘉定区", "expires_on": "2020-01-01"})))
        .await
        .unwrap();
    let draft = store
        .create_listing(
            None,
            &listing(
                Kind::Achievement,
                json!({"title": "石墨烯草稿", "summary": "未公开", "status": "draft"}),
            ),
        )
        .await
        .unwrap();
    follower.catch_up().await.unwrap();
    let index = follower.index();
    let all = Filters::default();
    assert_eq!(
        ids(index, "石墨烯", &all),
        [a.id as u64, d.id as u64],
        "drafts are not indexed"
    );

    // Filters: kind, district, and open-and-not-expired.
    let kinds = Filters {
        kinds: vec![Kind::Demand],
        ..Filters::default()
    };
    assert_eq!(ids(index, "石墨烯", &kinds), [d.id as u64]);
    let district = Filters {
        district: Some("闵行区".into()),
        ..Filters::default()
    };
    assert_eq!(ids(index, "石墨烯", &district), [a.id as u64]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let active = Filters {
        active_on: Some(today),
        ..Filters::default()
    };
    assert_eq!(
        ids(index, "石墨烯", &active),
        [a.id as u64],
        "the demand expired in 2020"
    );
    let not_self = Filters {
        exclude_ids: vec![a.id as u64],
        ..Filters::default()
    };
    assert_eq!(ids(index, "石墨烯", &not_self), [d.id as u64]);

    // Update (text changes), publish the draft, delete: the index follows.
    let mut changed = a.listing.clone();
    if let Listing::Achievement(x) = &mut changed {
        x.title = "碳纳米管导热膜".into();
        x.summary = "高导热碳纳米管薄膜".into();
    }
    store.update_listing(a.id, &changed).await.unwrap();
    let mut published = draft.listing.clone();
    if let Listing::Achievement(x) = &mut published {
        x.status = qiao_domain::Status::Open;
    }
    store.update_listing(draft.id, &published).await.unwrap();
    store.delete_listing(d.id).await.unwrap();
    follower.catch_up().await.unwrap();
    assert_eq!(ids(index, "石墨烯", &all), [draft.id as u64]);
    assert_eq!(ids(index, "碳纳米管", &all), [a.id as u64]);
    assert_eq!(follower.reached(), store.last_seq().await.unwrap());
    assert_eq!(index.num_docs(), 2);

    // Reopened, the index remembers how far it got and has nothing to redo.
    drop(follower);
    let reopened = follower_in(&store, dir.path()).await;
    assert_eq!(reopened.reached(), store.last_seq().await.unwrap());
    assert_eq!(reopened.catch_up().await.unwrap(), 0);
    assert_eq!(ids(reopened.index(), "碳纳米管", &all), [a.id as u64]);
    assert_eq!(reopened.rebuild().await.unwrap(), 2);
    assert_eq!(ids(reopened.index(), "石墨烯", &all), [draft.id as u64]);
}

#[tokio::test]
async fn follows_every_change_on_sqlite() {
    follows_every_change(&TestDb::sqlite().await).await;
}

#[tokio::test]
async fn follows_every_change_on_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        eprintln!("QIAO_TEST_DATABASE_URL is not set; skipped");
        return;
    };
    follows_every_change(&db).await;
    db.drop_schema().await;
}

#[tokio::test]
async fn an_index_ahead_of_its_database_is_rebuilt() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index.apply(&[], &[], 999).unwrap();
    drop(index);
    let follower = follower_in(&db.store, dir.path()).await;
    assert_eq!(follower.reached(), 0);
    assert_eq!(follower.index().indexed_seq().unwrap(), 0);
}

#[test]
fn an_index_from_another_version_is_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = tantivy::schema::Schema::builder();
    other.add_text_field("old_title", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), other.build()).unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.indexed_seq().unwrap(), 0);
    assert_eq!(index.num_docs(), 0);
    index.apply(&[], &[], 7).unwrap();
    drop(index);
    assert_eq!(
        SearchIndex::open(dir.path())
            .unwrap()
            .indexed_seq()
            .unwrap(),
        7
    );
}

/// Filtered retrieval gives exactly the filtered top `limit` whatever the limit: here the best
/// text matches are mostly of the wrong kind or expired, and one wanted id is excluded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filtered_retrieval_equals_filtering_every_match() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    let mut wanted = Vec::new();
    for i in 0..40 {
        // Demands say 电池 many times (better BM25); achievements once; some are expired.
        let (kind, text, expired) = if i % 4 == 0 {
            (Kind::Achievement, format!("电池 材料 {i}"), i % 8 == 0)
        } else {
            (Kind::Demand, format!("电池 电池 电池 需求 {i}"), false)
        };
        let mut fields = json!({"title": text, "summary": text, "description": text});
        if kind == Kind::Achievement {
            fields.as_object_mut().unwrap().remove("description");
        } else {
            fields.as_object_mut().unwrap().remove("summary");
        }
        if expired {
            fields["expires_on"] = json!("2020-01-01");
        }
        let r = store
            .create_listing(None, &listing(kind, fields))
            .await
            .unwrap();
        if kind == Kind::Achievement && !expired {
            wanted.push(r.id as u64);
        }
    }
    follower.catch_up().await.unwrap();
    let index = follower.index();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let filters = Filters {
        kinds: vec![Kind::Achievement],
        active_on: Some(today),
        exclude_ids: vec![wanted[0]],
        ..Filters::default()
    };
    let terms = QueryTerms::from_text("电池").finish();
    let expected: Vec<u64> = wanted[1..].to_vec();
    for limit in [1, 2, 3, 4, 10, 50] {
        let mut got: Vec<u64> = index
            .retrieve(&terms, &filters, limit)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(got.len(), limit.min(expected.len()), "limit {limit}");
        got.sort_unstable();
        assert!(
            got.iter().all(|id| expected.contains(id)),
            "limit {limit}: {got:?}"
        );
    }
}

/// Merging segments (what a rebuild ends with) leaves one segment and the same results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merging_segments_keeps_every_document() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    let mut created = Vec::new();
    for title in ["石墨烯导热膜", "石墨烯电池", "石墨烯涂层"] {
        created.push(add_achievement(&store, title).await);
        follower.catch_up().await.unwrap(); // one commit, one segment each
    }
    let index = follower.index();
    assert!(
        index.segment_count() > 1,
        "{} segments",
        index.segment_count()
    );
    let before = ids(index, "石墨烯", &Filters::default());
    index.merge_segments().unwrap();
    assert_eq!(index.segment_count(), 1);
    assert_eq!(ids(index, "石墨烯", &Filters::default()), before);
    assert_eq!(before, created);
    // And a rebuild ends merged too.
    follower.rebuild().await.unwrap();
    assert_eq!(follower.index().segment_count(), 1);
}

/// A large catch-up (a bulk import) ends merged into one segment; small ones do not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_catch_up_ends_merged() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    follower.set_merge_after(3);
    let mut created = Vec::new();
    for title in ["石墨烯导热膜", "石墨烯电池"] {
        created.push(add_achievement(&store, title).await);
        follower.catch_up().await.unwrap(); // one change: below the threshold, not merged
    }
    assert_eq!(follower.index().segment_count(), 2);
    for title in ["石墨烯涂层", "石墨烯传感器", "石墨烯油墨"] {
        created.push(add_achievement(&store, title).await);
    }
    assert_eq!(follower.catch_up().await.unwrap(), 3);
    assert_eq!(follower.index().segment_count(), 1);
    assert_eq!(
        ids(follower.index(), "石墨烯", &Filters::default()),
        created
    );
}

/// What ranking reads of a candidate comes from the index's columns, not the record: every
/// facet written must read back as it was (IPC codes as their class and group keys), for each
/// kind's own fields, across segments, and a listing without them reads back without them.
#[test]
fn facets_read_back_from_the_index_as_written() {
    use qiao_domain::{Stage, Status};
    use qiao_search::document::{Facets, IndexDoc, Texts};
    let index = SearchIndex::in_memory().unwrap();
    let doc = |id: u64, facets: Facets| IndexDoc {
        id,
        texts: Texts {
            title: format!("石墨烯 散热 {id}"),
            keywords: String::new(),
            body: String::new(),
        },
        facets,
    };
    let achievement = Facets {
        expires_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 31),
        district: Some("闵行区".into()),
        discipline: Some("材料科学与工程".into()),
        ipc_codes: vec!["H01M 10/613".into()],
        stage: Some(Stage::Pilot),
        price_min_yuan: Some(1_200_000),
        ..Facets::new(Kind::Achievement, Status::Open)
    };
    let challenge = Facets {
        discipline: Some("电子信息".into()),
        budget_max_yuan: Some(5_000_000),
        ..Facets::new(Kind::Challenge, Status::UnderReview)
    };
    let bare = Facets::new(Kind::Expert, Status::Closed);
    // Three commits: three segments.
    index.apply(&[], &[doc(1, achievement.clone())], 1).unwrap();
    index.apply(&[], &[doc(2, challenge.clone())], 2).unwrap();
    index.apply(&[], &[doc(3, bare.clone())], 3).unwrap();
    let found = index
        .retrieve_with_facets(
            &QueryTerms::from_text("石墨烯").finish(),
            &Filters::default(),
            10,
        )
        .unwrap();
    assert_eq!(found.len(), 3);
    for (candidate, facets) in found {
        let want = match candidate.id {
            1 => Facets {
                ipc_codes: vec!["H01M".into(), "H01M10".into()],
                ..achievement.clone()
            },
            2 => challenge.clone(),
            3 => bare.clone(),
            id => panic!("unexpected id {id}"),
        };
        assert_eq!(facets, want, "listing {}", candidate.id);
    }
}
