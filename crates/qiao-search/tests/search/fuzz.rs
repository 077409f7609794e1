//! The query parser and the explanations on arbitrary input: whatever a user types, and
//! whatever a listing holds, analysing it as a query and explaining a hit never panics, and
//! every highlight is a span of the snippet it marks. `QIAO_FUZZ_CASES` sets the cases per
//! property (256 by default; scripts/fuzz runs many more).

use proptest::prelude::*;
use qiao_search::QueryTerms;
use qiao_search::document::Texts;
use qiao_search::explain::explain;

fn cases() -> u32 {
    std::env::var("QIAO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Text that looks like what people write: CJK in both scripts, Latin, digits, punctuation,
/// full-width forms, combining marks, and now and then any character at all.
fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "([电池热管理資料庫人工智慧软件軟體查询優化的了一种方法，。、；：（）“”ａｂｃ１２３ABCxyz 0-9.%/\\-_\n\t]|\u{0301}|\u{200b}|\u{feff}){0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn fuzz_queries_and_explanations_never_panic(q in texts(), title in texts(), body in texts()) {
        let terms = QueryTerms::from_text(&q).finish();
        for (t, _) in terms.words.iter().chain(&terms.bigrams) {
            prop_assert!(!t.is_empty());
        }
        let e = explain(&terms, &Texts { title, keywords: String::new(), body });
        for s in &e.snippets {
            for [a, b] in &s.highlights {
                prop_assert!(a < b && *b <= s.text.len());
                prop_assert!(s.text.is_char_boundary(*a) && s.text.is_char_boundary(*b));
            }
        }
        prop_assert!(e.matched_terms.len() <= 12);
    }
}
