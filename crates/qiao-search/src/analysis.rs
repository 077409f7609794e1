//! The one place where `qiao-search` meets `qiao-text`: turning text into index tokens and
//! query terms.
//!
//! Documents are analysed once and fed to tantivy as space-separated tokens (its `whitespace`
//! tokenizer only splits them again), and queries are built from exactly the same analysis
//! (tantivy's query parser would turn a segmented Chinese word into a phrase query; we never
//! use it).

use std::collections::HashMap;

/// The words and bigrams of one text, with byte offsets into the original.
pub struct Analyzed {
    /// Dictionary words (folded to simplified), each with its span in the original text.
    pub words: Vec<qiao_text::Token>,
    /// CJK character bigrams (folded), each with its span in the original text.
    pub bigrams: Vec<qiao_text::Token>,
}

/// Analyses a text for indexing or for explaining a match.
pub fn analyze(text: &str) -> Analyzed {
    let a = qiao_text::analyze(text);
    Analyzed {
        words: a.words,
        bigrams: a.bigrams,
    }
}

/// The words and bigrams of several texts as two strings of space-separated tokens, each text
/// repeated as often as asked (how titles and keywords weigh more). Tantivy splits them on
/// spaces again (the `whitespace` tokenizer): the same terms and counts as handing it the
/// tokens, without its per-document round trip of pre-tokenized streams through JSON.
pub fn joined(parts: &[(&str, usize)]) -> (String, String) {
    let mut words = String::new();
    let mut bigrams = String::new();
    for (part, repeat) in parts {
        if part.is_empty() || *repeat == 0 {
            continue;
        }
        let a = analyze(part);
        for _ in 0..*repeat {
            for t in &a.words {
                push_token(&mut words, &t.text);
            }
            for t in &a.bigrams {
                push_token(&mut bigrams, &t.text);
            }
        }
    }
    (words, bigrams)
}

/// Appends a token; analysis never yields spaces inside one, but a token must never split.
fn push_token(out: &mut String, token: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    if token.bytes().any(|b| b.is_ascii_whitespace()) {
        out.extend(
            token
                .chars()
                .map(|c| if c.is_ascii_whitespace() { '_' } else { c }),
        );
    } else {
        out.push_str(token);
    }
}

/// The share of a dropped bigram's weight added to the word it duplicates.
pub const WORD_BIGRAM_CREDIT: f32 = 0.25;

/// The weight of a term only the literal fold of an evidently traditional query yields (影像
/// where the Taiwan phrase fold reads 图像): the phrase fold is how that text is said on the
/// mainland, the literal reading a weaker alternative. A text without a character only one
/// script uses (人工智慧) keeps both at full weight: it may be a mainland user's 智慧城市.
/// Measured 2026-12-03 on the traditional copies of the shared queries (BENCHMARKS.md): at 1.0
/// the paper demand set lost 0.019 against its simplified run, at 0.75 and 0.5 nothing.
pub const LITERAL_WEIGHT: f32 = 0.75;

/// How a list of terms weighs its parts: each part's terms by n^-x, n the number of words
/// and bigrams the part analyses into. With x = 0 a part weighs as much as its terms, and in
/// "仿真 热等离子体" the long term (two words, four bigrams) outweighs 仿真 (one word, one
/// bigram) just by being longer; with x = 1 every part weighs the same however precise it is.
/// Measured 2026-12-03 (`qiao bench retrieval --ranker lexical`, BENCHMARKS.md), nDCG@10 at
/// x = 0 / 0.25 / 0.5 / 0.75 / 1: csl keywords2 0.9419 / 0.9433 / 0.9439 / 0.9421 / 0.9398;
/// csl keywords 0.9883 / 0.9893 / 0.9892 / 0.9889 / 0.9871; patent keywords 0.7286 / 0.7323 /
/// 0.7337 / 0.7356 / 0.7354. Titles (one part) are not lists and do not change.
pub const PART_WEIGHT_EXPONENT: f32 = 0.5;

/// How much a clause that introduces the company (where it is, how old or large: see
/// [`is_introduction`]) weighs against the rest of a demand. Not tuned: no demand of
/// `demands_dev` introduces its company this way (none of the cues occurs in its 40 texts), so
/// no setting changes its figures; half keeps what such a clause names (a product, a trade)
/// in the query while the problem leads.
pub const INTRO_WEIGHT: f32 = 0.5;

/// Where clauses end.
const CLAUSE_ENDS: &[char] = &['，', '。', '；', '！', '？', ',', ';', '!', '?', '\n'];

/// Words of a company introducing itself rather than its problem.
const INTRO_CUES: &[&str] = &[
    "是一家",
    "成立于",
    "创建于",
    "始建于",
    "注册资本",
    "位于",
    "地处",
    "坐落",
    "员工",
    "职工",
    "年产值",
    "年销售",
    "营业收入",
    // A site's area ("占地约50亩", "厂区占地…"), not a wish for a small footprint ("想要一种
    // 占地小的设备"), which is part of the problem.
    "占地约",
    "占地面积约",
    "厂区占地",
    "总部",
    "国家高新技术企业",
    "专精特新",
    "上市公司",
];

/// Whether a clause introduces the company (its place, age, size, titles) rather than saying
/// what it needs.
pub fn is_introduction(clause: &str) -> bool {
    INTRO_CUES.iter().any(|c| clause.contains(c))
}

/// Section headings of a posted demand that introduce the poster or set terms (who, how to
/// cooperate, money, dates, contact) rather than say the problem: a line opening with one of
/// these is not part of the demand's focus.
const ASIDE_HEADINGS: &[&str] = &[
    "简介",
    "概况",
    "介绍",
    "合作方式",
    "合作模式",
    "联系",
    "金额",
    "经费",
    "预算",
    "费用",
    "截止",
    "时间",
    "周期",
    "报名",
    "发布单位",
    "需求单位",
    "需求方",
    "交付",
];

/// Words of a clause that sets terms rather than describing the problem.
const ASIDE_CUES: &[&str] = &[
    "联系人",
    "联系电话",
    "联系方式",
    "电话",
    "邮箱",
    "手机",
    "合作方式",
    "委托研究",
    "委托开发",
    "合作开发",
    "技术转让",
    "专利转让",
    "专利许可",
    "许可使用",
    "可许可",
    "转让或许可",
    "经费",
    "预算",
    "榜单金额",
    "揭榜金额",
    "万元",
    "截止日期",
    "截止时间",
    "合作周期",
    "项目周期",
    "研发周期",
    "欢迎",
    "诚邀",
    "有意者",
];

/// A demand reduced to its problem and wanted effect, for embedding its meaning: the lines
/// headed as an introduction or as terms ([`ASIDE_HEADINGS`]: 【企业简介】, 合作方式：…) and the
/// clauses that introduce the company ([`is_introduction`]) or set terms ([`ASIDE_CUES`]:
/// budget, deadline, contact, cooperation mode) are left out. A text with nothing left (or
/// under 10 characters left) is returned whole. Used by `qiao bench retrieval --semantic-focus`
/// only: embedding the focus instead of the whole text was tried and not adopted (BENCHMARKS.md
/// "a demand's focus for its meaning").
pub fn demand_focus(text: &str) -> std::borrow::Cow<'_, str> {
    let mut kept = String::new();
    for line in text.lines() {
        let head: String = line
            .trim_start_matches(|c: char| c.is_whitespace() || "【[（(#*-0123456789.、".contains(c))
            .chars()
            .take(8)
            .collect();
        let heading = head
            .split(['】', ']', '：', ':', '）', ')'])
            .next()
            .filter(|h| h.chars().count() < head.chars().count());
        if heading.is_some_and(|h| ASIDE_HEADINGS.iter().any(|a| h.contains(a))) {
            continue;
        }
        for clause in line.split_inclusive(CLAUSE_ENDS) {
            if !is_introduction(clause) && !ASIDE_CUES.iter().any(|c| clause.contains(c)) {
                kept.push_str(clause);
            }
        }
        if !kept.ends_with('\n') && !kept.is_empty() {
            kept.push('\n');
        }
    }
    let kept = kept.trim();
    if kept.chars().count() < 10 || kept.len() == text.trim().len() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(kept.to_string())
    }
}

/// A query's terms with their weights (how often each occurs in the query, dampened).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTerms {
    /// Word terms and weights, heaviest first.
    pub words: Vec<(String, f32)>,
    /// Bigram terms and weights, heaviest first.
    pub bigrams: Vec<(String, f32)>,
}

impl QueryTerms {
    /// Analyses free text as a query. A list of terms (several parts apart by spaces, no
    /// sentence punctuation: [`crate::fuse::Form::Terms`]) weighs each part by
    /// [`PART_WEIGHT_EXPONENT`], so that a long term does not outweigh a short one; clauses
    /// that introduce a company weigh [`INTRO_WEIGHT`].
    pub fn from_text(text: &str) -> QueryTerms {
        Self::from_text_weighing_intro(text, INTRO_WEIGHT)
    }

    /// [`QueryTerms::from_text`] with another weight for self-introduction clauses
    /// (benchmarks compare weights).
    pub fn from_text_weighing_intro(text: &str, intro_weight: f32) -> QueryTerms {
        let mut q = QueryTerms::default();
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() >= 2 && crate::fuse::form(text) == crate::fuse::Form::Terms {
            // Whether the query is evidently traditional is a property of the whole list: in
            // "資料庫 人工智慧" the second part alone has no character only one script uses.
            let script = qiao_text::detect_script(text);
            for part in parts {
                let terms = qiao_text::analyze_query(part);
                let n = (terms.words.len() + terms.bigrams.len()).max(1) as f32;
                q.add_analyzed(part, &terms, script, n.powf(-PART_WEIGHT_EXPONENT));
            }
        } else {
            q.add_weighing_intro(text, 1.0, intro_weight);
        }
        q
    }

    /// Adds a text's terms with a weight, its self-introduction clauses
    /// ([`is_introduction`]) at `intro_weight` times that: in "我们是松江的一家注塑厂，成立于
    /// 2005年。注塑外壳缩痕…" the problem says what is wanted, the company's place and age do not.
    pub fn add_weighing_intro(&mut self, text: &str, weight: f32, intro_weight: f32) {
        if (intro_weight - 1.0).abs() < f32::EPSILON || !INTRO_CUES.iter().any(|c| text.contains(c))
        {
            self.add(text, weight);
            return;
        }
        let mut rest = String::new();
        for clause in text.split_inclusive(CLAUSE_ENDS) {
            if is_introduction(clause) {
                self.add(clause, weight * intro_weight);
            } else {
                rest.push_str(clause);
            }
        }
        if !rest.is_empty() {
            self.add(&rest, weight);
        }
    }

    /// Adds a text's terms with a weight. The terms are those of query analysis (whole words
    /// rather than their sub-words, and the Taiwan-phrase fold unless the text is clearly
    /// simplified); a term's weight grows with how often it occurs in the text. `weight`
    /// scales every term (used to weigh a listing's title above its body when a whole listing
    /// is the query).
    pub fn add(&mut self, text: &str, weight: f32) {
        let terms = qiao_text::analyze_query(text);
        self.add_analyzed(text, &terms, terms.script, weight);
    }

    /// [`QueryTerms::add`] with the text's query analysis already made; `script` is that of
    /// the whole query the text is part of.
    fn add_analyzed(
        &mut self,
        text: &str,
        terms: &qiao_text::QueryTerms,
        script: qiao_text::Script,
        weight: f32,
    ) {
        let a = analyze(text);
        let count = |tokens: &[qiao_text::Token], term: &str| {
            tokens.iter().filter(|t| t.text == term).count().max(1) as f32
        };
        let traditional = matches!(script, qiao_text::Script::Hant | qiao_text::Script::Mixed);
        let trust = |literal: &std::collections::HashSet<String>, t: &str| {
            if traditional && literal.contains(t) {
                LITERAL_WEIGHT
            } else {
                1.0
            }
        };
        let words: Vec<(String, f32)> = terms
            .words
            .iter()
            .map(|t| {
                let w = count(&a.words, t) * weight * trust(&terms.literal_words, t);
                (t.clone(), w)
            })
            .collect();
        let bigrams: Vec<(String, f32)> = terms
            .bigrams
            .iter()
            .map(|t| {
                let w = count(&a.bigrams, t) * weight * trust(&terms.literal_bigrams, t);
                (t.clone(), w)
            })
            .collect();
        merge(&mut self.words, words);
        merge(&mut self.bigrams, bigrams);
    }

    /// Whether the query has no terms at all (empty or only punctuation).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.bigrams.is_empty()
    }

    /// Sorts heaviest first and dampens repeated terms: weight = 1 + ln(count). A bigram
    /// that is itself one of the query's words is dropped, its weight credited to the word
    /// ([`WORD_BIGRAM_CREDIT`]): bigram posting lists are the longest in the index, and this
    /// halves query time at equal quality (measured in BENCHMARKS.md).
    pub fn finish(mut self) -> QueryTerms {
        let bigrams: HashMap<String, f32> = std::mem::take(&mut self.bigrams).into_iter().collect();
        let mut kept = bigrams.clone();
        for (w, weight) in self.words.iter_mut() {
            if let Some(b) = bigrams.get(w.as_str()) {
                *weight += b * WORD_BIGRAM_CREDIT;
                kept.remove(w.as_str());
            }
        }
        self.bigrams = kept.into_iter().collect();
        for list in [&mut self.words, &mut self.bigrams] {
            for (_, w) in list.iter_mut() {
                *w = if *w > 1.0 { 1.0 + w.ln() } else { *w };
            }
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        self
    }
}

fn merge(into: &mut Vec<(String, f32)>, terms: Vec<(String, f32)>) {
    let mut at: HashMap<String, usize> = into
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.clone(), i))
        .collect();
    for (term, weight) in terms {
        match at.get(&term) {
            Some(&i) => into[i].1 += weight,
            None => {
                at.insert(term.clone(), into.len());
                into.push((term, weight));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demand_keeps_its_problem_and_drops_introduction_and_terms() {
        let text = "【企业简介】河北某休闲食品公司，主营马铃薯薯片，年产约3万吨。\n\
                    【问题描述】薯片丙烯酰胺超标，冬季原料还原糖升高后更明显。\n\
                    【合作方式】委托研究，经费40万元，周期10个月。\n\
                    联系人：王先生，电话 021-12345678";
        let focus = demand_focus(text);
        assert!(focus.contains("薯片丙烯酰胺超标"), "{focus}");
        assert!(focus.contains("还原糖升高"), "{focus}");
        for gone in ["年产约3万吨", "委托研究", "40万元", "王先生", "021"] {
            assert!(!focus.contains(gone), "{gone} left in {focus}");
        }
    }

    #[test]
    fn a_small_footprint_is_asked_for_and_a_site_area_introduces() {
        assert!(!is_introduction(
            "我们想要一种占地小、能放在小区里就地脱水减量的厨余垃圾处理设备"
        ));
        assert!(is_introduction("公司厂区占地约50亩"));
        assert!(is_introduction("果园占地约3000亩"));
    }

    #[test]
    fn a_clause_introducing_the_company_goes_and_a_plain_demand_stays_whole() {
        let focus = demand_focus(
            "我们是松江的一家注塑厂，成立于2005年，注塑外壳缩痕、银纹，良品率上不去。",
        );
        assert!(!focus.contains("成立于"), "{focus}");
        assert!(focus.contains("注塑外壳缩痕"), "{focus}");
        let plain = "排气里的碳烟沉积在控制阀门处，阀门卡滞、关不严。";
        assert!(matches!(demand_focus(plain), std::borrow::Cow::Borrowed(t) if t == plain));
        // Nothing but terms: the text stays whole rather than becoming empty.
        let terms = "联系人：王先生，电话 021-12345678";
        assert_eq!(demand_focus(terms), terms);
    }

    #[test]
    fn joined_tokens_repeat_parts_fold_and_never_split() {
        let (words, bigrams) = joined(&[("石墨烯", 2), ("", 3), ("導熱膜", 1)]);
        let count = |s: &str, t: &str| s.split(' ').filter(|x| *x == t).count();
        assert_eq!(count(&words, "石墨烯"), 2, "{words}");
        // The traditional part is indexed folded.
        assert_eq!(count(&bigrams, "导热"), 1, "{bigrams}");
        assert!(!words.contains("  ") && !words.starts_with(' ') && !words.ends_with(' '));
        // What the index's whitespace tokenizer makes of it is exactly the analysed tokens.
        let mut tokenizer = tantivy::tokenizer::WhitespaceTokenizer::default();
        let mut stream = tantivy::tokenizer::Tokenizer::token_stream(&mut tokenizer, &words);
        let mut seen = Vec::new();
        while tantivy::tokenizer::TokenStream::advance(&mut stream) {
            seen.push(tantivy::tokenizer::TokenStream::token(&stream).text.clone());
        }
        let graphene: Vec<String> = analyze("石墨烯")
            .words
            .into_iter()
            .map(|t| t.text)
            .collect();
        let expected: Vec<String> = graphene
            .iter()
            .chain(&graphene)
            .cloned()
            .chain(analyze("導熱膜").words.into_iter().map(|t| t.text))
            .collect();
        assert_eq!(seen, expected);
        let mut out = String::new();
        push_token(&mut out, "a b");
        assert_eq!(out, "a_b");
    }

    #[test]
    fn query_bigrams_that_are_words_are_credited_to_the_word() {
        let q = QueryTerms::from_text("电池散热").finish();
        let words: Vec<&str> = q.words.iter().map(|(w, _)| w.as_str()).collect();
        let bigrams: Vec<&str> = q.bigrams.iter().map(|(b, _)| b.as_str()).collect();
        assert!(
            words.contains(&"电池") && words.contains(&"散热"),
            "{words:?}"
        );
        assert_eq!(
            bigrams,
            ["池散"],
            "only the bigram across the word boundary stays"
        );
        assert!(q.words.iter().all(|(_, w)| *w > 1.0));
    }

    #[test]
    fn an_evident_traditional_query_trusts_the_phrase_fold_over_the_literal_one() {
        let weight = |q: &QueryTerms, term: &str| {
            q.words
                .iter()
                .find(|(w, _)| w == term)
                .map(|(_, w)| *w)
                .unwrap_or_else(|| panic!("{term} in {:?}", q.words))
        };
        // Before `finish` (which credits bigrams to words and dampens), each is seen once.
        let q = QueryTerms::from_text("把變形影像準確還原");
        assert_eq!(weight(&q, "影像"), LITERAL_WEIGHT * weight(&q, "图像"));
        assert_eq!(weight(&q, "变形"), weight(&q, "图像"));
        let finished = q.finish();
        assert!(weight(&finished, "影像") < weight(&finished, "图像"));
        // Without a character only one script uses, either reading may be the one meant.
        let q = QueryTerms::from_text("人工智慧");
        assert_eq!(weight(&q, "人工智慧"), weight(&q, "人工智能"));
        // In a list of terms the script is the whole list's, not each part's.
        let q = QueryTerms::from_text("資料庫 人工智慧");
        assert_eq!(
            weight(&q, "人工智慧"),
            LITERAL_WEIGHT * weight(&q, "人工智能"),
            "{:?}",
            q.words
        );
    }

    #[test]
    fn a_list_of_terms_weighs_each_part_by_its_size() {
        let part = |t: &str| {
            let a = qiao_text::analyze_query(t);
            (a.words.len() + a.bigrams.len()) as f32
        };
        let (short, long) = ("仿真", "热等离子体");
        assert!(part(long) > part(short));
        let q = QueryTerms::from_text(&format!("{short} {long}"));
        let weight = |term: &str| q.words.iter().find(|(w, _)| w == term).unwrap().1;
        let expected = (part(long) / part(short)).powf(PART_WEIGHT_EXPONENT);
        assert!((weight("仿真") / weight("等离子体") - expected).abs() < 1e-5);
        // One part (a title), or sentences with spaces in them, weigh as written.
        for text in ["等离子体仿真方法", "我们想做仿真， 需要 等离子体"] {
            let mut plain = QueryTerms::default();
            plain.add(text, 1.0);
            assert_eq!(QueryTerms::from_text(text), plain, "{text}");
        }
    }
}
