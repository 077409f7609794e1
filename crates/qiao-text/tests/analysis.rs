//! The analyzer end to end: the examples the matching engine depends on, snapshots of whole
//! sentences in both scripts, and properties that must hold for any input.

use proptest::prelude::*;
use qiao_text::{
    Analyzer, Options, Script, Token, analyze, analyze_query, default_analyzer, detect_script, fold,
};

fn texts(tokens: &[Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.text.as_str()).collect()
}

/// The token of `text` whose term is `term`, with the original surface it came from.
fn surface<'a>(original: &'a str, tokens: &[Token], term: &str) -> &'a str {
    let t = tokens
        .iter()
        .find(|t| t.text == term)
        .unwrap_or_else(|| panic!("no token {term} in {:?}", texts(tokens)));
    &original[t.start..t.end]
}

/// One line per token: term, original byte range, original surface, position.
fn render(original: &str, tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| {
            format!(
                "{} {}..{} «{}» @{}\n",
                t.text,
                t.start,
                t.end,
                &original[t.start..t.end],
                t.position
            )
        })
        .collect()
}

fn render_analysis(original: &str) -> String {
    let a = analyze(original);
    format!(
        "{original}\nscript: {}\n-- words\n{}-- bigrams\n{}",
        a.script,
        render(original, &a.words),
        render(original, &a.bigrams)
    )
}

#[test]
fn taiwan_phrases_fold_to_mainland_with_original_offsets() {
    let original = "人工智慧與資料庫軟體在網際網路上";
    let a = analyze(original);
    assert_eq!(a.script, Script::Hant);
    assert_eq!(surface(original, &a.words, "人工智能"), "人工智慧");
    assert_eq!(surface(original, &a.words, "数据库"), "資料庫");
    assert_eq!(surface(original, &a.words, "软件"), "軟體");
    assert_eq!(surface(original, &a.words, "互联网"), "網際網路");
    // The character fold is indexed too, for mainland texts that use 智慧 and 资料.
    assert_eq!(surface(original, &a.words, "人工智慧"), "人工智慧");
    assert_eq!(surface(original, &a.words, "资料库"), "資料庫");
}

#[test]
fn mainland_text_keeps_its_own_vocabulary() {
    let a = analyze("智慧城市的发展");
    assert_eq!(a.script, Script::Hans);
    assert_eq!(analyze("智慧城市").script, Script::None);
    assert!(!texts(&analyze("智慧城市").words).contains(&"智能"));
    assert!(texts(&a.words).contains(&"智慧城市"));
    assert!(
        !texts(&a.words).iter().any(|t| t.contains("智能")),
        "{:?}",
        texts(&a.words)
    );
    assert!(!texts(&a.bigrams).contains(&"智能"));
}

#[test]
fn modern_terms_are_single_tokens() {
    for term in [
        "石墨烯",
        "区块链",
        "碳中和",
        "碳达峰",
        "大模型",
        "专精特新",
        "揭榜挂帅",
        "钙钛矿",
        "具身智能",
    ] {
        assert_eq!(analyze_query(term).words, [term], "{term}");
    }
}

#[test]
fn battery_cooling_query_terms() {
    let q = analyze_query("电池散热");
    assert_eq!(q.words, ["电池", "散热"]);
    assert_eq!(q.bigrams, ["电池", "池散", "散热"]);
    assert_eq!(q.script, Script::Hans);
    // The same query in traditional script gives the same terms.
    let q = analyze_query("電池散熱");
    assert_eq!(q.words, ["电池", "散热"]);
    assert_eq!(q.script, Script::Hant);
}

#[test]
fn traditional_queries_carry_both_folds() {
    let q = analyze_query("人工智慧");
    assert_eq!(q.words, ["人工智慧", "人工智能"]);
    assert!(q.bigrams.contains(&"智慧".to_string()) && q.bigrams.contains(&"智能".to_string()));
    // A mainland query does not get the Taiwan fold...
    assert_eq!(analyze_query("智慧城市的发展").words, ["智慧城市", "发展"]);
    // ...but one that could be either does: short queries often have no tell-tale character.
    let q = analyze_query("智慧城市");
    assert_eq!(q.script, Script::None);
    assert_eq!(q.words, ["智慧城市", "智能", "城市"]);
}

#[test]
fn the_literal_fold_of_a_rewritten_phrase_is_marked() {
    // OpenCC's Taiwan phrase table reads 影像 as the mainland 图像; t2s keeps 影像.
    let q = analyze_query("變形影像的準確還原");
    assert_eq!(q.script, Script::Hant);
    for w in ["影像", "图像", "变形", "准确"] {
        assert!(q.words.contains(&w.to_string()), "{w} in {:?}", q.words);
    }
    let literal = |set: &std::collections::HashSet<String>| {
        let mut v: Vec<String> = set.iter().cloned().collect();
        v.sort();
        v
    };
    assert_eq!(literal(&q.literal_words), ["影像"]);
    // Only the bigrams that touch the rewritten phrase differ between the folds.
    assert_eq!(literal(&q.literal_bigrams), ["形影", "影像"]);
    // A word the phrase fold leaves as it was is not literal, even inside a rewritten run;
    // nor is anything of a query without a rewritten phrase.
    assert!(!q.literal_words.contains("变形"));
    let plain = analyze_query("電池散熱");
    assert!(plain.literal_words.is_empty() && plain.literal_bigrams.is_empty());
    let mainland = analyze_query("变形图像的准确还原");
    assert!(mainland.literal_words.is_empty() && mainland.literal_bigrams.is_empty());
}

#[test]
fn full_width_latin_and_digits_are_folded() {
    let original = "ＡＢＣ１２３";
    let a = analyze(original);
    assert_eq!(texts(&a.words), ["abc123"]);
    assert_eq!(surface(original, &a.words, "abc123"), original);
    assert!(a.bigrams.is_empty());
    assert_eq!(fold("ＡＢＣ１２３，電池"), "abc123,电池");
}

#[test]
fn latin_tokens_keep_their_connectors_and_offer_their_parts() {
    let original = "CAR-T细胞治疗、mRNA 疫苗与5G基站，COVID-19 和 C++。";
    let a = analyze(original);
    let words = texts(&a.words);
    for term in ["car-t", "car", "mrna", "5g", "covid-19", "covid", "c++"] {
        assert!(words.contains(&term), "{term} in {words:?}");
    }
    assert!(!words.contains(&"t") && !words.contains(&"19"), "{words:?}");
    assert_eq!(surface(original, &a.words, "car-t"), "CAR-T");
    assert_eq!(surface(original, &a.words, "mrna"), "mRNA");
    // The parts share the position of the whole.
    let position = |term: &str| a.words.iter().find(|t| t.text == term).unwrap().position;
    assert_eq!(position("car"), position("car-t"));
}

#[test]
fn punctuation_whitespace_symbols_and_emoji_are_dropped() {
    let a = analyze("  ，。、；：“”（）《》!?… ★ 🔋 → ＋ ");
    assert!(a.words.is_empty(), "{:?}", texts(&a.words));
    assert!(a.bigrams.is_empty());
}

#[test]
fn function_words_are_dropped_but_patent_words_stay() {
    let a = analyze("本发明公开了一种电池的散热方法及装置");
    let words = texts(&a.words);
    for dropped in ["的", "了", "及"] {
        assert!(!words.contains(&dropped), "{dropped} in {words:?}");
    }
    for kept in ["一种", "方法", "装置", "散热"] {
        assert!(words.contains(&kept), "{kept} in {words:?}");
    }
    // The stop words still count positions.
    let position = |term: &str| a.words.iter().find(|t| t.text == term).unwrap().position;
    assert_eq!(position("散热"), position("电池") + 2);
}

#[test]
fn long_words_are_indexed_with_their_sub_words() {
    let original = "新能源汽车电池热管理";
    let a = analyze(original);
    let words = texts(&a.words);
    for term in ["新能源汽车", "新能源", "汽车", "热管理", "电池"] {
        assert!(words.contains(&term), "{term} in {words:?}");
    }
    assert_eq!(surface(original, &a.words, "热管理"), "热管理");
    // Queries do not expand into sub-words (see `Options::query_subwords`).
    assert_eq!(analyze_query("新能源汽车").words, ["新能源汽车"]);
}

#[test]
fn offsets_slice_the_original_to_the_displayed_surface() {
    let original = "面积１００㎡的電池包，散熱好";
    let a = analyze(original);
    // A run of digits and letters is one token, whatever NFKC made of it.
    assert_eq!(surface(original, &a.words, "100m2"), "１００㎡");
    assert_eq!(surface(original, &a.words, "电池包"), "電池包");
    assert_eq!(surface(original, &a.bigrams, "散热"), "散熱");
    assert_eq!(surface(original, &a.bigrams, "面积"), "面积");
}

#[test]
fn script_is_reported() {
    assert_eq!(analyze("电池").script, Script::Hans);
    assert_eq!(analyze("電池").script, Script::Hant);
    assert_eq!(
        analyze("这是简体的说明。這是繁體的說明。").script,
        Script::Mixed
    );
    assert_eq!(analyze("abc").script, Script::None);
    assert_eq!(detect_script("資料庫").as_str(), "hant");
}

#[test]
fn streams_alone_equal_the_streams_of_analyze() {
    let analyzer = default_analyzer();
    let text = "本發明涉及人工智慧與電池熱管理，CAR-T 细胞治疗";
    let a = analyzer.analyze(text);
    assert_eq!(analyzer.words(text), a.words);
    assert_eq!(analyzer.bigrams(text), a.bigrams);
}

#[test]
fn options_change_what_is_cut() {
    let plain = Analyzer::with_options(Options {
        subwords: false,
        stop_words: false,
        taiwan_phrases: false,
        ..Options::default()
    });
    let a = plain.analyze("電池熱管理的軟體");
    assert_eq!(texts(&a.words), ["电池热管理", "的", "软体"]);
}

#[test]
fn snapshot_patent_sentence_in_both_scripts() {
    insta::assert_snapshot!(
        "patent_hans",
        render_analysis("本发明公开了一种电池热管理系统，包括液冷板和相变材料。")
    );
    insta::assert_snapshot!(
        "patent_hant",
        render_analysis("本發明公開了一種電池熱管理系統，包括液冷板與相變材料。")
    );
}

#[test]
fn snapshot_taiwan_vocabulary() {
    insta::assert_snapshot!(
        "taiwan_vocabulary",
        render_analysis("人工智慧與資料庫軟體在網際網路上的應用")
    );
}

#[test]
fn snapshot_modern_terms_and_latin() {
    insta::assert_snapshot!(
        "modern_terms",
        render_analysis("智慧城市建设中的大模型与区块链应用，助力碳中和")
    );
    insta::assert_snapshot!(
        "latin_and_full_width",
        render_analysis("CAR-T细胞治疗、mRNA疫苗与5G基站（ＡＢＣ１２３）")
    );
}

#[test]
fn snapshot_queries() {
    let rendered: String = [
        "电池散热",
        "電池散熱",
        "人工智慧晶片",
        "新能源汽车 热管理",
        "专精特新企业的技术需求",
    ]
    .iter()
    .map(|q| {
        let terms = analyze_query(q);
        format!(
            "{q} [{}]\n  words: {}\n  bigrams: {}\n",
            terms.script,
            terms.words.join(" "),
            terms.bigrams.join(" ")
        )
    })
    .collect();
    insta::assert_snapshot!("queries", rendered);
}

/// Characters that stress the pipeline: Chinese of both scripts (including Taiwan phrase
/// material), Latin, digits, connectors, full width, compatibility characters, combining marks,
/// Hangul jamo, emoji, whitespace and punctuation.
fn tricky_char() -> impl Strategy<Value = char> {
    let pool: Vec<char> =
        "电池热管理資料庫軟體網際網路人工智慧智能城市的了和與发展發展乾干后後裡面著着\
        石墨烯区块链碳中和大模型专精特新一种方法〇\
        abcXYZ019-_.&+#%/ ＡＢＣ１２３，。、；：（）「」\u{3000}㎡㍿①ﬁ\u{F900}\u{2F800}⼀\
        e\u{301}\u{308}\u{20DD}\u{1100}\u{1161}\u{11A8}가İẞ🔋🧪👍🏽\u{200D}\u{FEFF}\t\n"
            .chars()
            .collect();
    prop_oneof![
        6 => proptest::sample::select(pool),
        2 => proptest::char::range('\u{4E00}', '\u{9FFF}'),
        1 => proptest::char::range('\u{20000}', '\u{2A6DF}'),
        1 => any::<char>(),
    ]
}

fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(tricky_char(), 0..60).prop_map(|cs| cs.into_iter().collect())
}

fn check_tokens(original: &str, tokens: &[Token]) -> Result<(), TestCaseError> {
    let mut previous: Option<&Token> = None;
    for t in tokens {
        prop_assert!(
            t.start < t.end && t.end <= original.len(),
            "{t:?} out of bounds"
        );
        prop_assert!(
            original.is_char_boundary(t.start) && original.is_char_boundary(t.end),
            "{t:?} splits a character"
        );
        prop_assert!(
            !t.text.is_empty() && !t.text.contains(char::is_whitespace),
            "{t:?}"
        );
        if let Some(p) = previous {
            prop_assert!(p.start <= t.start, "starts go back: {p:?} then {t:?}");
            prop_assert!(
                p.position <= t.position,
                "positions go back: {p:?} then {t:?}"
            );
        }
        previous = Some(t);
    }
    Ok(())
}

/// Cases per property: 512, or `QIAO_FUZZ_CASES` (scripts/fuzz runs them longer).
fn cases() -> u32 {
    std::env::var("QIAO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_text_gives_well_formed_tokens(text in tricky_text()) {
        let a = analyze(&text);
        check_tokens(&text, &a.words)?;
        check_tokens(&text, &a.bigrams)?;
        let q = analyze_query(&text);
        for terms in [&q.words, &q.bigrams] {
            let distinct: std::collections::HashSet<&String> = terms.iter().collect();
            prop_assert_eq!(distinct.len(), terms.len());
            prop_assert!(terms.iter().all(|t| !t.is_empty()));
        }
        let _ = (fold(&text), detect_script(&text));
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        let a = analyze(&text);
        check_tokens(&text, &a.words)?;
        check_tokens(&text, &a.bigrams)?;
    }

    #[test]
    fn plain_simplified_tokens_are_their_own_surface(
        text in proptest::collection::vec(
            proptest::sample::select("电池热管理石墨烯区块链专精特新方法人工智能数据库的了abc019 ，。".chars().collect::<Vec<_>>()),
            0..40,
        ).prop_map(|cs| cs.into_iter().collect::<String>())
    ) {
        // Without anything to normalise or fold, every term is exactly the text it came from.
        let a = analyze(&text);
        for t in a.words.iter().chain(&a.bigrams) {
            prop_assert_eq!(&text[t.start..t.end], t.text.as_str());
        }
    }
}
