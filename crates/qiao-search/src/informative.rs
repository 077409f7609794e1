//! Which shared terms say something about why two texts match, and so may be listed as a
//! reason or highlighted (issue #27, point 5).
//!
//! Retrieval scores every term (BM25's idf already makes common words count for little), but a
//! reason a person reads must not rest on a function word: "共同词：之间、增加、我们、最好" tells
//! nothing, and a highlighted 不 or 高 in a snippet looks like a match where there is none. So
//! the reasons and highlights keep only informative terms:
//!
//! - a word of at least two characters that is not a [`STOP_TERMS`] entry and is not made of
//!   function characters only ([`FUNCTION_CHARS`]); a single character only when the domain
//!   dictionary lists it as a term of its own;
//! - a bigram that is not a stop term, holds no function character, and neither begins with
//!   the last character of a stop term nor ends with the first of one (种方 of 一种方法 and 间兼
//!   of 之间兼顾 are joins across a stop word, not phrases; a word the dictionary knows, 高温,
//!   is matched as a word whatever its bigrams).
//!
//! Everything here is on strings in simplified script (callers fold first).

use std::collections::HashSet;
use std::sync::LazyLock;

/// Characters that carry grammar, not topic: the analyzer's stop words and their kin.
pub const FUNCTION_CHARS: &[char] = &[
    '的', '了', '和', '与', '及', '或', '等', '在', '是', '对', '为', '将', '并', '其', '以', '于',
    '而', '被', '把', '从', '之', '也', '就', '都', '由', '该', '所', '不', '很', '最', '更', '又',
    '还', '要', '会', '能', '可', '有', '这', '那', '个', '们', '我', '你', '他', '她', '它', '每',
    '各', '此', '如', '若', '则', '但', '却', '已', '再', '才', '只', '让', '使', '给', '向', '往',
    '到', '着', '过', '吗', '呢', '吧', '啊', '一', '上', '下', '中', '来', '去', '得', '地',
];

/// Words of two or more characters that say nothing of a topic: the company voice of a demand
/// (我们, 希望, 找到), the boilerplate of a patent (一种, 所述, 本发明, 方法, 装置), and generic
/// verbs and qualities (提高, 增加, 通过, 最好, 之间). Seen as "shared terms" on real matches
/// (issue #27) or common to most listings of the demo and the shared corpora.
pub const STOP_TERMS: &[&str] = &[
    "我们",
    "我司",
    "本公司",
    "公司",
    "企业",
    "工厂",
    "厂家",
    "单位",
    "之间",
    "增加",
    "减少",
    "最好",
    "最大",
    "最小",
    "最高",
    "最低",
    "较大",
    "较小",
    "较高",
    "较低",
    "一种",
    "一个",
    "一些",
    "这种",
    "这些",
    "那些",
    "这个",
    "方法",
    "通过",
    "希望",
    "需要",
    "问题",
    "进行",
    "可以",
    "能够",
    "提高",
    "降低",
    "技术",
    "生产",
    "使用",
    "采用",
    "利用",
    "以及",
    "其中",
    "目前",
    "现在",
    "现有",
    "没有",
    "不能",
    "不会",
    "不够",
    "容易",
    "要求",
    "实现",
    "提供",
    "具有",
    "包括",
    "所述",
    "本发明",
    "本实用新型",
    "涉及",
    "用于",
    "由于",
    "因此",
    "同时",
    "然后",
    "已经",
    "比较",
    "非常",
    "还是",
    "或者",
    "不同",
    "相同",
    "一定",
    "主要",
    "研究",
    "结果",
    "表明",
    "分析",
    "影响",
    "作用",
    "效果",
    "情况",
    "过程",
    "方式",
    "装置",
    "系统",
    "设备",
    "产品",
    "找到",
    "寻找",
    "想要",
    "想找",
    "一直",
    "很多",
    "大量",
    "较好",
    "更好",
    "良好",
    "有效",
    "方面",
    "相关",
    "基于",
    "解决",
    "改善",
    "改进",
    "合作",
    "项目",
    "能力",
    "成本",
    "质量",
    "性能",
    "上去",
    "上不去",
    "不了",
    "出来",
    "起来",
    "其他",
    "其它",
    "所有",
    "每个",
    "各种",
    "多种",
    "以上",
    "以下",
    "左右",
    "经常",
    "往往",
    "同样",
    "只能",
    "而且",
    "并且",
    "但是",
    "如果",
    "因为",
    "所以",
    "为了",
    "对于",
    "关于",
    "根据",
    "按照",
    "达到",
    "得到",
    "造成",
    "导致",
    "存在",
    "出现",
    "发生",
    "具体",
    "一般",
    "特别",
    "尤其",
    "主要是",
    "量的",
    "高的",
    "的量",
    "情况下",
    "过程中",
    "本文",
    "提出",
    "设计",
    "应用",
];

/// Halves of discipline names (材料科学与工程, 计算机科学与技术, 仪器科学与技术) that unrelated
/// fields share: a battery-testing expert and a visual-inspection scenario both "share" 科学,
/// and a reason "同为电池、科学相关问题" says nothing. The field itself is a reason of its own
/// (领域相同). Unlike [`STOP_TERMS`], they do not mark the bigrams that reach across them
/// (学习 begins where 科学 ends).
pub const GENERIC_WORDS: &[&str] = &["科学", "工程"];

/// The stop terms, for lookups; and their first and last characters (a bigram beginning with a
/// last one, or ending with a first one, reaches across a stop term).
struct Stops {
    terms: HashSet<&'static str>,
    ends: HashSet<char>,
    starts: HashSet<char>,
}

static STOPS: LazyLock<Stops> = LazyLock::new(|| {
    let terms: HashSet<&'static str> = STOP_TERMS.iter().copied().collect();
    let ends = STOP_TERMS.iter().filter_map(|t| t.chars().last()).collect();
    let starts = STOP_TERMS.iter().filter_map(|t| t.chars().next()).collect();
    Stops {
        terms,
        ends,
        starts,
    }
});

/// One-character terms of the domain dictionary: the only single characters worth listing.
static ONE_CHARACTER_TERMS: LazyLock<HashSet<char>> = LazyLock::new(|| {
    qiao_text::DOMAIN_DICTIONARY
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|w| {
            let mut chars = w.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        })
        .collect()
});

fn is_function(c: char) -> bool {
    FUNCTION_CHARS.contains(&c)
}

/// Whether a query word (simplified) may be listed or highlighted.
pub fn word(term: &str) -> bool {
    let mut chars = term.chars();
    match (chars.next(), chars.next()) {
        (None, _) => false,
        (Some(c), None) => ONE_CHARACTER_TERMS.contains(&c),
        _ => {
            !STOPS.terms.contains(term)
                && !GENERIC_WORDS.contains(&term)
                && !term.chars().all(|c| is_function(c) || !c.is_alphanumeric())
        }
    }
}

/// Whether a query bigram (two simplified characters) may be highlighted as part of a phrase.
pub fn bigram(term: &str) -> bool {
    let mut chars = term.chars();
    let (Some(a), Some(b)) = (chars.next(), chars.next()) else {
        return false;
    };
    !STOPS.terms.contains(term)
        && !GENERIC_WORDS.contains(&term)
        && !is_function(a)
        && !is_function(b)
        && !STOPS.ends.contains(&a)
        && !STOPS.starts.contains(&b)
}

/// Whether a shared term as written in a listing (either script) may be listed as a reason:
/// a word or phrase that is informative once folded to simplified.
pub fn term(surface: &str) -> bool {
    let folded = qiao_text::fold(surface);
    let t = folded.trim();
    if t.chars().count() < 2 {
        return word(t);
    }
    if STOPS.terms.contains(t) || GENERIC_WORDS.contains(&t) {
        return false;
    }
    // A word the dictionary knows is judged as a word (不锈钢, 人工智能 begin or end on a
    // character that is a function word elsewhere).
    if crate::analysis::analyze(t)
        .words
        .iter()
        .any(|w| w.text == t)
    {
        return word(t);
    }
    // A phrase made by joining matches: it must not begin or end on a function character
    // (量的, 的量), nor be function characters only.
    let first = t.chars().next().expect("two characters");
    let last = t.chars().last().expect("two characters");
    !is_function(first)
        && !is_function(last)
        && !t.chars().all(|c| is_function(c) || !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_of_issue_27_are_not_informative() {
        for t in [
            "之间", "增加", "量的", "我们", "最好", "一种", "方法", "通过", "不", "高", "上",
            // Degrees, listed on a battery demand's match with a thermoelectric paper.
            "最大", "较高",
        ] {
            assert!(!term(t), "{t}");
        }
        for t in [
            "电池",
            "热管理",
            "相变材料",
            "缩痕",
            "银纹",
            "注塑",
            "不锈钢",
            "資料庫",
        ] {
            assert!(term(t), "{t}");
        }
    }

    #[test]
    fn bigrams_across_two_stop_terms_or_with_a_function_character_are_not_informative() {
        assert!(!bigram("种方"), "一种|方法");
        assert!(!bigram("间兼"), "之间|兼顾");
        assert!(!bigram("的量"));
        assert!(bigram("池散"), "电池|散热 is a phrase's join");
        assert!(bigram("侵深"));
        assert!(!word("的"));
        assert!(word("石墨烯"));
    }

    #[test]
    fn halves_of_discipline_names_are_not_reasons_but_leave_their_neighbours_alone() {
        for t in ["科学", "工程"] {
            assert!(!term(t) && !word(t) && !bigram(t), "{t}");
        }
        assert!(
            term("材料科学与工程"),
            "a whole discipline name is informative"
        );
        assert!(bigram("学习"), "学习 begins where 科学 ends");
        assert!(term("深度学习") && term("软件工程师"));
    }
}
