//! Semantic matching end to end, with the real model: vectors follow the store's change feed
//! and persist; a demand written as a problem finds the achievement that solves it with few
//! words in common; every hybrid hit says which part of its score came from shared terms and
//! which from meaning; filters hold for neighbours found by meaning; and without the model the
//! same engine answers lexically.
//!
//! The model comes from `QIAO_MODEL_DIR`, else `data/model` at the workspace root (scripts/test
//! fetches it). Without it these tests fail on purpose.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use qiao_domain::Kind;
use qiao_embed::Model;
use qiao_search::vectors::Entity;
use qiao_search::{Engine, Filters, Route, SearchRequest, Semantic, Strength, VectorIndex};
use qiao_store::Store;
use qiao_store::test_support::TestDb;
use serde_json::json;

use crate::common::{add, follower_in};

fn model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = std::env::var_os("QIAO_MODEL_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/model")
                });
            Arc::new(Model::load(&dir).unwrap_or_else(|e| {
                panic!(
                    "{e}\n(run `cargo run -p qiao -- model setup`, or scripts/test which does it)"
                )
            }))
        })
        .clone()
}

/// Vectors for everything in `store`, in a new directory, computed now.
async fn embedded(store: &Arc<dyn Store>) -> (tempfile::TempDir, Arc<Semantic>) {
    let dir = tempfile::tempdir().unwrap();
    let vectors = Arc::new(VectorIndex::open(dir.path(), Model::DIM, &model().embedder()).unwrap());
    let semantic = Semantic::new(store.clone(), vectors, model())
        .await
        .unwrap();
    semantic.catch_up().await.unwrap();
    (dir, semantic)
}

struct Setup {
    _db: TestDb,
    store: Arc<dyn Store>,
    engine: Engine,
    semantic: Arc<Semantic>,
    vectors_dir: tempfile::TempDir,
    pcm: u64,
    demand: u64,
}

async fn setup() -> Setup {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let pcm = add(&store, Kind::Achievement, json!({
        "title": "基于相变材料的动力电池热管理系统",
        "summary": "在电池模组间填充复合相变材料，吸收充放电和高温环境下电芯产生的热量，降低模组最高温度并缩小电芯间温差，无需改动电池包结构即可加装。",
        "discipline": "新能源",
    })).await;
    add(
        &store,
        Kind::Achievement,
        json!({
            "title": "水稻病虫害图像识别方法",
            "summary": "利用卷积神经网络识别稻飞虱、稻瘟病等病虫害，指导精准施药。",
            "discipline": "农业",
        }),
    )
    .await;
    add(
        &store,
        Kind::Achievement,
        json!({
            "title": "高强度铝合金焊接工艺",
            "summary": "一种搅拌摩擦焊工艺参数优化方法，提高焊缝强度。",
            "discipline": "先进制造",
        }),
    )
    .await;
    add(
        &store,
        Kind::Achievement,
        json!({
            "title": "未公开的电池草稿",
            "summary": "电池散热草稿",
            "status": "draft",
        }),
    )
    .await;
    let demand = add(&store, Kind::Demand, json!({
        "title": "夏天电池包发烫怎么办",
        "description": "我们的储能柜夏天运行时电池包发烫，电芯之间温差大，影响寿命，想找不大改结构的办法。",
        "discipline": "新能源",
    })).await;
    let dir = tempfile::tempdir().unwrap();
    let follower = follower_in(&store, dir.path()).await;
    follower.catch_up().await.unwrap();
    std::mem::forget(dir);
    let (vectors_dir, semantic) = embedded(&store).await;
    let engine = Engine::new(store.clone(), follower);
    engine.enable_semantic(semantic.clone());
    Setup {
        _db: db,
        store,
        engine,
        semantic,
        vectors_dir,
        pcm,
        demand,
    }
}

fn request(q: &str, filters: Filters) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        filters,
        limit: 10,
        offset: 0,
        explain: true,
    }
}

#[tokio::test]
async fn vectors_follow_the_feed_and_survive_a_restart() {
    let s = setup().await;
    let v = s.semantic.vectors();
    // Four published listings; the draft is never embedded.
    assert_eq!(v.len(), 4);
    assert_eq!(v.reached(), s.store.last_seq().await.unwrap());
    // The demand asks, so it also has a query vector; achievements only passages.
    assert!(v.query_of(s.demand).is_some());
    assert!(v.query_of(s.pcm).is_none());
    assert!(v.contains(Entity::Listing, s.pcm));

    // Deleted in the store: gone from the vectors after the next round.
    let gone = add(
        &s.store,
        Kind::Achievement,
        json!({"title": "临时成果", "summary": "稍后删除"}),
    )
    .await;
    s.semantic.catch_up().await.unwrap();
    assert!(v.contains(Entity::Listing, gone));
    s.store.delete_listing(gone as i64).await.unwrap();
    s.semantic.catch_up().await.unwrap();
    assert!(!v.contains(Entity::Listing, gone));

    // Reopened from disk: the same vectors, nothing to embed again.
    let before = v.passage(Entity::Listing, s.pcm).unwrap();
    let reached = v.reached();
    // (Read-only: the running follower holds the log for writing.)
    assert!(matches!(
        VectorIndex::open(s.vectors_dir.path(), Model::DIM, &model().embedder()),
        Err(qiao_search::Error::Busy)
    ));
    let reopened = Arc::new(VectorIndex::open_read_only(
        s.vectors_dir.path(),
        Model::DIM,
        &model().embedder(),
    ));
    assert_eq!((reopened.len(), reopened.reached()), (4, reached));
    assert_eq!(reopened.passage(Entity::Listing, s.pcm).unwrap(), before);
    let again = Semantic::new(s.store.clone(), reopened, model())
        .await
        .unwrap();
    assert_eq!(again.catch_up().await.unwrap(), 0, "nothing left to embed");
}

#[tokio::test]
async fn a_problem_finds_its_solution_and_says_why() {
    let s = setup().await;
    let r = s
        .engine
        .search(&request(
            "储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法",
            Filters {
                kinds: vec![Kind::Achievement],
                ..Filters::default()
            },
        ))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Hybrid);
    assert_eq!(r.hits[0].id as u64, s.pcm, "{:#?}", r.hits);
    let top = &r.hits[0];
    let names: Vec<&str> = top.signals.iter().map(|x| x.name).collect();
    assert!(names.contains(&"semantic"), "{names:?}");
    assert!(names.contains(&"lexical"), "{names:?}");
    let semantic = top.signals.iter().find(|x| x.name == "semantic").unwrap();
    assert_eq!(semantic.label, "内容相近");
    // The solution stands out from the rest by meaning: strong, said in plain words.
    assert_eq!(top.strength, Strength::Strong, "{:#?}", r.hits);
    assert_eq!(
        r.strong,
        r.hits
            .iter()
            .filter(|h| h.strength == Strength::Strong)
            .count()
    );
    for reason in &top.reasons {
        assert!(
            !reason.text.chars().any(|c| c.is_ascii_digit()),
            "a number in {}",
            reason.text
        );
    }
    // The parts add up to the score: nothing hidden.
    let sum: f32 = top.signals.iter().map(|x| x.weight).sum();
    assert!((sum - top.score).abs() < 1e-4);
    // Shared terms are still shown as written.
    assert!(!top.matched_terms.is_empty());
    // Neighbours by meaning obey the filters too: only achievements, no draft.
    assert!(r.hits.iter().all(|h| h.kind == Kind::Achievement));
    assert!(r.hits.iter().all(|h| !h.title.contains("草稿")));
}

#[tokio::test]
async fn matching_a_demand_uses_its_stored_meaning() {
    let s = setup().await;
    let source = s.store.get_listing(s.demand as i64).await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let r = s.engine.matches(&source, today, 10, 0).await.unwrap();
    assert_eq!(r.ranker, Route::Hybrid);
    assert_eq!(r.hits[0].id as u64, s.pcm, "{:#?}", r.hits);
    assert!(r.hits[0].signals.iter().any(|x| x.name == "semantic"));
    assert!(
        r.hits.iter().all(|h| h.id as u64 != s.demand),
        "not its own match"
    );
}

#[tokio::test]
async fn terms_add_meaning_to_words_documents_stay_lexical_and_so_does_an_engine_without_the_model()
{
    let s = setup().await;
    // A list of terms: the lexical score leads, nearness in meaning is the smaller part, and
    // each hit says how much of its score came from which.
    let r = s
        .engine
        .search(&request("相变材料 热管理", Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Hybrid);
    let top = &r.hits[0];
    assert_eq!(top.id as u64, s.pcm);
    let part = |name: &str| {
        top.signals
            .iter()
            .find(|x| x.name == name)
            .unwrap_or_else(|| panic!("no {name} signal in {:?}", top.signals))
            .weight
    };
    assert!(
        part("lexical") > part("semantic") && part("semantic") > 0.0,
        "{:?}",
        top.signals
    );
    assert!(top.signals.iter().all(|x| x.name != "neighbour"));
    // One listing holds those words; the others are here by meaning alone, and counted so.
    assert_eq!(r.with_words, 1, "{:#?}", r.hits);
    assert!(r.matched > r.with_words, "{} {}", r.matched, r.with_words);

    // Words no listing holds still find the nearest by meaning, none of them by words.
    let r = s
        .engine
        .search(&request("rice pest image recognition", Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Hybrid);
    assert!(r.matched > 0);
    assert_eq!(r.with_words, 0, "{:#?}", r.hits);

    // Prose pasted whole (a claim, an abstract) is ranked on its words too, even where no
    // listing stands out lexically (here two match equally well, each on half of the text).
    let pasted = "用于稻瘟病的图像识别方法，以及铝合金焊接的工艺参数优化。"
        .repeat(qiao_search::fuse::DOCUMENT_CHARS / 25);
    assert!(pasted.chars().count() >= qiao_search::fuse::DOCUMENT_CHARS);
    let r = s
        .engine
        .search(&request(&pasted, Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Lexical);
    assert!(r.hits.len() >= 2);
    // One sentence of the same text is a demand: fused.
    let sentence = "用于稻瘟病的图像识别方法，以及铝合金焊接的工艺参数优化。";
    let r = s
        .engine
        .search(&request(sentence, Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Hybrid);

    // The same store and index, no model: prose is answered on words alone.
    let plain = Engine::new(s.store.clone(), s.engine.follower().clone());
    let r = plain
        .search(&request("电池包发烫，想找散热的办法", Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Lexical);
    assert!(
        r.hits
            .iter()
            .all(|h| h.signals.iter().all(|x| x.name != "semantic"))
    );
    assert_eq!(r.with_words, r.matched);
}

#[tokio::test]
async fn meaning_waits_until_most_records_have_a_vector() {
    let s = setup().await;
    let prose = "储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法";
    let only_achievements = || Filters {
        kinds: vec![Kind::Achievement],
        ..Filters::default()
    };
    // Records the lexical index has but the vectors do not yet: 4 of 34 embedded.
    for i in 0..30 {
        add(
            &s.store,
            Kind::Achievement,
            json!({
                "title": format!("待嵌入的成果 {i}"),
                "summary": "一种绿茶揉捻与烘干的加工工艺",
            }),
        )
        .await;
    }
    s.engine.follower().catch_up().await.unwrap();
    let r = s
        .engine
        .search(&request(prose, only_achievements()))
        .await
        .unwrap();
    assert_eq!(
        r.ranker,
        Route::Lexical,
        "a semantic list over 12 % of the records"
    );
    assert!(s.engine.semantic_ready().is_none());
    assert!(
        r.hits
            .iter()
            .all(|h| h.signals.iter().all(|x| x.name != "semantic"))
    );

    // Once the vectors have caught up, meaning is back.
    s.semantic.catch_up().await.unwrap();
    assert!(s.engine.semantic_ready().is_some());
    let r = s
        .engine
        .search(&request(prose, only_achievements()))
        .await
        .unwrap();
    assert_eq!(
        r.ranker,
        Route::Hybrid,
        "{:#?}",
        r.hits
            .iter()
            .map(|h| (&h.title, h.score))
            .collect::<Vec<_>>()
    );
}

/// The model places a traditional text and its simplified twin apart; listings are embedded
/// folded to simplified, so a demand written in Taiwan phrasing gets the vectors of its
/// simplified twin (passage and query side), and a traditional free-text query the vector of
/// the simplified one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traditional_texts_are_embedded_as_their_simplified_twins() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let hant = add(
        &store,
        Kind::Demand,
        json!({
            "title": "尋找人工智慧資料庫軟體",
            "description": "我們需要一套以人工智慧分析生產資料的資料庫軟體，部署在網際網路上。",
        }),
    )
    .await;
    let hans = add(
        &store,
        Kind::Demand,
        json!({
            "title": "寻找人工智能数据库软件",
            "description": "我们需要一套以人工智能分析生产数据的数据库软件，部署在互联网上。",
        }),
    )
    .await;
    let (_vectors_dir, semantic) = embedded(&store).await;
    let v = semantic.vectors();
    let cosine = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let (p_hant, p_hans) = (
        v.passage(Entity::Listing, hant).unwrap(),
        v.passage(Entity::Listing, hans).unwrap(),
    );
    assert!(
        cosine(&p_hant, &p_hans) > 0.999,
        "passages: cosine {}",
        cosine(&p_hant, &p_hans)
    );
    let (q_hant, q_hans) = (v.query_of(hant).unwrap(), v.query_of(hans).unwrap());
    assert!(
        cosine(&q_hant, &q_hans) > 0.999,
        "query side: cosine {}",
        cosine(&q_hant, &q_hans)
    );
    // Embedded as written, the two are measurably apart: the fold is what brings them together.
    let raw = model().embed_query("尋找人工智慧資料庫軟體");
    let folded = semantic
        .embed_query("尋找人工智慧資料庫軟體")
        .await
        .unwrap();
    let simplified = model().embed_query("寻找人工智能数据库软件");
    assert!(cosine(&folded, &simplified) > 0.999);
    assert!(
        cosine(&raw, &simplified) < 0.99,
        "raw cosine {}",
        cosine(&raw, &simplified)
    );
}

/// Neighbours by meaning come from the vectors, which trail the index; they are held to the
/// filters with the facets the index keeps, and one the index no longer holds is left out.
#[tokio::test]
async fn neighbours_by_meaning_are_held_to_the_filters_with_the_index_facets() {
    let s = setup().await;
    let q = "储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法";
    let farming = s
        .engine
        .search(&request(
            q,
            Filters {
                discipline: Some("农业".into()),
                ..Filters::default()
            },
        ))
        .await
        .unwrap();
    assert_eq!(farming.ranker, Route::Hybrid);
    assert!(!farming.hits.is_empty());
    assert!(
        farming
            .hits
            .iter()
            .all(|h| h.discipline.as_deref() == Some("农业")),
        "{:#?}",
        farming.hits
    );
    // Deleted: the index follows at once, the vectors not yet (their follower is not run).
    s.store.delete_listing(s.pcm as i64).await.unwrap();
    s.engine.follower().catch_up().await.unwrap();
    assert!(
        s.semantic
            .vectors()
            .passage(Entity::Listing, s.pcm)
            .is_some()
    );
    let r = s
        .engine
        .search(&request(q, Filters::default()))
        .await
        .unwrap();
    assert_eq!(r.ranker, Route::Hybrid);
    assert!(r.hits.iter().all(|h| h.id as u64 != s.pcm), "{:#?}", r.hits);
}

/// Issue #27, point 3: a query nothing in the store answers still has nearest neighbours, but
/// none of them is strong, and strong hits (when any) come first.
#[tokio::test]
async fn a_nonsense_query_has_no_strong_hit() {
    let s = setup().await;
    for q in ["火星移民签证"] {
        let r = s
            .engine
            .search(&request(q, Filters::default()))
            .await
            .unwrap();
        assert_eq!(r.strong, 0, "{q}: {:#?}", r.hits);
        assert!(
            r.hits.iter().all(|h| h.strength == Strength::Possible),
            "{q}: {:#?}",
            r.hits
        );
    }
}

/// Issue #27, point 4: a listing saved a moment ago is matched with its meaning at once (the
/// page and the API embed it as they save it), not on words alone until the background
/// follower reaches it.
#[tokio::test]
async fn a_fresh_listing_is_matched_with_its_meaning_at_once() {
    let s = setup().await;
    let fresh = add(
        &s.store,
        Kind::Demand,
        json!({
            "title": "储能柜电池发烫",
            "description": "储能柜夏天电芯温差大，电池包发烫，想找不大改结构的办法。",
        }),
    )
    .await;
    s.engine.follower().catch_up().await.unwrap();
    let record = s.store.get_listing(fresh as i64).await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    // Not embedded yet: words alone, which is what the first view used to show.
    let before = s.engine.matches(&record, today, 10, 0).await.unwrap();
    assert_eq!(before.ranker, Route::Lexical);
    s.engine.embed_fresh(&record).await;
    let after = s.engine.matches(&record, today, 10, 0).await.unwrap();
    assert_eq!(after.ranker, Route::Hybrid);
    assert_eq!(after.hits[0].id as u64, s.pcm, "{:#?}", after.hits);
    assert!(
        after.hits[0].signals.iter().any(|x| x.name == "semantic"),
        "{:#?}",
        after.hits[0]
    );
}
