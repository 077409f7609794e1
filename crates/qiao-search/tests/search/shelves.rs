//! Each side of the market is indexed on its own shelf of text fields, and the filters most
//! listings pass (open, not expired, not the source itself) are checked document by document
//! while tantivy prunes. These tests hold that fast path to the plain one: the same top hits
//! with the same scores as retrieving everything and filtering afterwards (for those and for
//! kind, status, district and field), and BM25 on one shelf that does not move when the other
//! shelf fills up.

use chrono::NaiveDate;
use qiao_domain::{Kind, Status};
use qiao_search::document::{Facets, IndexDoc, Texts};
use qiao_search::{Candidate, Filters, QueryTerms, SearchIndex};

const KINDS: [Kind; 7] = [
    Kind::Achievement,
    Kind::Demand,
    Kind::Expert,
    Kind::Challenge,
    Kind::Instrument,
    Kind::Scenario,
    Kind::Institution,
];

const WORDS: [&str; 12] = [
    "石墨烯",
    "导热",
    "电池",
    "热管理",
    "相变材料",
    "储能",
    "芯片",
    "散热",
    "传感器",
    "涂层",
    "复合材料",
    "新能源汽车",
];

const DISTRICTS: [&str; 3] = ["闵行区", "杨浦区", "浦东新区"];
const FIELDS: [&str; 2] = ["材料科学与工程", "动力工程及工程热物理"];

/// A deterministic mix of kinds, statuses, expiry days, districts, fields and texts of varied
/// length.
fn corpus(n: u64) -> Vec<IndexDoc> {
    let mut state = 0x9e37_79b9_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (1..=n)
        .map(|id| {
            let kind = KINDS[(next() % 7) as usize];
            let status = match next() % 5 {
                0 => Status::Closed,
                1 => Status::UnderReview,
                _ => Status::Open,
            };
            let expires_on = match next() % 4 {
                0 => NaiveDate::from_ymd_opt(2020, 1, 1),
                1 => NaiveDate::from_ymd_opt(2030, 6, 30),
                _ => None,
            };
            // A quarter of the listings name no district, a third no field.
            let district = DISTRICTS.get((next() % 4) as usize).map(|d| d.to_string());
            let discipline = FIELDS.get((next() % 3) as usize).map(|d| d.to_string());
            let words: Vec<&str> = (0..1 + next() % 9)
                .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                .collect();
            IndexDoc {
                id,
                texts: Texts {
                    title: words[0].to_string(),
                    keywords: String::new(),
                    body: words.join("，"),
                },
                facets: Facets {
                    expires_on,
                    district,
                    discipline,
                    ..Facets::new(kind, status)
                },
            }
        })
        .collect()
}

fn admits(filters: &Filters, doc: &IndexDoc) -> bool {
    let f = &doc.facets;
    (filters.kinds.is_empty() || filters.kinds.contains(&f.kind))
        && filters.status.is_none_or(|s| s == f.status)
        && filters
            .active_on
            .is_none_or(|day| f.status == Status::Open && f.expires_on.is_none_or(|e| e >= day))
        && !filters.exclude_ids.contains(&doc.id)
        && (filters.district.is_none() || filters.district == f.district)
        && (filters.discipline.is_none() || filters.discipline == f.discipline)
}

fn retrieve(index: &SearchIndex, q: &str, filters: &Filters, limit: usize) -> Vec<Candidate> {
    index
        .retrieve(&QueryTerms::from_text(q).finish(), filters, limit)
        .unwrap()
}

/// Asserts `got` is a top `k` of `all`: the same scores, and the same ids above the last score
/// (below it, ties may be broken either way).
fn assert_top(got: &[Candidate], all: &[Candidate], k: usize, what: &str) {
    let want: Vec<&Candidate> = all.iter().take(k).collect();
    assert_eq!(got.len(), want.len(), "{what}: how many");
    for (g, w) in got.iter().zip(&want) {
        assert!(
            (g.lexical - w.lexical).abs() <= 1e-4 * w.lexical.abs().max(1.0),
            "{what}: score {} where filtering everything gives {}",
            g.lexical,
            w.lexical
        );
    }
    let Some(last) = want.last().map(|c| c.lexical) else {
        return;
    };
    let above = |list: &[&Candidate]| -> Vec<u64> {
        let mut ids: Vec<u64> = list
            .iter()
            .filter(|c| c.lexical > last + 1e-4)
            .map(|c| c.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let got: Vec<&Candidate> = got.iter().collect();
    assert_eq!(
        above(&got),
        above(&want),
        "{what}: ids above the last score"
    );
}

#[test]
fn checked_retrieval_equals_filtering_everything() {
    let docs = corpus(600);
    let index = SearchIndex::in_memory().unwrap();
    // Two commits: the checks run segment by segment.
    index.apply(&[], &docs[..250], 1).unwrap();
    index.apply(&[], &docs[250..], 2).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let offers = vec![
        Kind::Achievement,
        Kind::Expert,
        Kind::Instrument,
        Kind::Institution,
    ];
    let cases = [
        (
            "active",
            Filters {
                active_on: Some(today),
                ..Filters::default()
            },
        ),
        (
            "a match's filters",
            Filters {
                kinds: offers.clone(),
                active_on: Some(today),
                exclude_ids: vec![3, 4, 5],
                ..Filters::default()
            },
        ),
        (
            "one kind of a shelf",
            Filters {
                kinds: vec![Kind::Expert],
                active_on: Some(today),
                ..Filters::default()
            },
        ),
        (
            "kinds from both shelves",
            Filters {
                kinds: vec![Kind::Achievement, Kind::Challenge],
                status: Some(Status::Open),
                ..Filters::default()
            },
        ),
        (
            "one district",
            Filters {
                district: Some(DISTRICTS[1].into()),
                ..Filters::default()
            },
        ),
        (
            "one field of one kind, active",
            Filters {
                kinds: vec![Kind::Achievement],
                discipline: Some(FIELDS[0].into()),
                active_on: Some(today),
                ..Filters::default()
            },
        ),
        (
            "the asking shelf",
            Filters {
                kinds: vec![Kind::Demand, Kind::Challenge, Kind::Scenario],
                exclude_ids: vec![10],
                ..Filters::default()
            },
        ),
    ];
    let by_id: std::collections::HashMap<u64, &IndexDoc> = docs.iter().map(|d| (d.id, d)).collect();
    // Short queries are pruned (MaxScore without a kind filter, tantivy's block-max WAND with
    // one); the last, every word at once (over 24 term clauses, like a whole listing), is
    // scored exhaustively.
    let every_word = WORDS.join(" ");
    for q in [
        "石墨烯 导热",
        "电池 热管理 相变材料 储能",
        "芯片散热涂层",
        "新能源汽车传感器",
        every_word.as_str(),
    ] {
        let everything = retrieve(&index, q, &Filters::default(), docs.len());
        assert!(everything.len() > 100, "{q}: the corpus matches broadly");
        for (name, filters) in &cases {
            let all: Vec<Candidate> = everything
                .iter()
                .filter(|c| admits(filters, by_id[&c.id]))
                .copied()
                .collect();
            for k in [1, 10, 40] {
                let got = retrieve(&index, q, filters, k);
                assert_top(&got, &all, k, &format!("{q} / {name} / top {k}"));
            }
        }
    }
}

#[test]
fn a_shelf_scores_as_if_it_were_alone() {
    let offers: Vec<IndexDoc> = corpus(2000)
        .into_iter()
        .filter(|d| matches!(d.facets.kind, Kind::Achievement | Kind::Expert))
        .collect();
    let index = SearchIndex::in_memory().unwrap();
    index.apply(&[], &offers, 1).unwrap();
    let q = "石墨烯 导热 涂层";
    let before = retrieve(&index, q, &Filters::default(), 20);
    assert_eq!(before.len(), 20);

    // As many demands again, long and full of the query's words: on a shared field they would
    // lower every idf and lengthen the average document.
    let demands: Vec<IndexDoc> = (0..offers.len() as u64)
        .map(|i| IndexDoc {
            id: 100_000 + i,
            texts: Texts {
                title: "石墨烯导热涂层需求".into(),
                keywords: String::new(),
                body: "寻找石墨烯导热涂层，".repeat(12),
            },
            facets: Facets::new(Kind::Demand, Status::Open),
        })
        .collect();
    index.apply(&[], &demands, 2).unwrap();
    let offered = Filters {
        kinds: vec![
            Kind::Achievement,
            Kind::Expert,
            Kind::Instrument,
            Kind::Institution,
        ],
        ..Filters::default()
    };
    let after: std::collections::HashMap<u64, f32> = retrieve(&index, q, &offered, 200)
        .into_iter()
        .map(|c| (c.id, c.lexical))
        .collect();
    for b in &before {
        let a = after[&b.id];
        let change = (a - b.lexical).abs() / b.lexical;
        assert!(
            change < 0.02,
            "listing {} scored {} alone and {} beside the demands",
            b.id,
            b.lexical,
            a
        );
    }
}

#[test]
fn the_lexical_ceiling_bounds_every_score_and_grows_with_the_query() {
    let index = SearchIndex::in_memory().unwrap();
    index.apply(&[], &corpus(500), 1).unwrap();
    let ceiling = |q: &str| {
        index
            .lexical_ceiling(&QueryTerms::from_text(q).finish(), &Filters::default())
            .unwrap()
    };
    let q = "石墨烯 导热 涂层";
    let found = retrieve(&index, q, &Filters::default(), 500);
    assert!(!found.is_empty());
    let top = found.iter().map(|c| c.lexical).fold(0.0f32, f32::max);
    assert!(top > 0.0 && top <= ceiling(q), "{top} over {}", ceiling(q));
    // One term fewer, a lower ceiling; no term the index holds, none.
    assert!(ceiling("石墨烯 导热") < ceiling(q));
    assert_eq!(ceiling("火星移民签证"), 0.0);
}
