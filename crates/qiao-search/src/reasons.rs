//! Why a hit matched, in words a non-engineer reads (issue #27, point 5): "同为电池、热管理相关问题",
//! "共同关键词：电池、热管理", "领域相同：新能源", "报价在预算内". No rank, no cosine, no score:
//! those stay in the hit's machine fields (`signals`, `score`) for clients that want them.
//!
//! The same list goes to the API (`reasons` of each hit) and to the pages, each reason in
//! Chinese and English, with a stable `code` a client can switch on.

use serde::Serialize;

use crate::rank::Signal;
use crate::strength::Strength;

/// How many shared terms a reason names.
const NAMED_TERMS: usize = 5;
/// How many shared terms the topic of a strong match names.
const TOPIC_TERMS: usize = 2;

/// One reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// What kind of reason: `topic`, `meaning`, `terms`, `discipline`, `ipc`, `district`,
    /// `maturity`, `budget`, `weak`.
    pub code: &'static str,
    /// In Chinese.
    pub text: String,
    /// In English.
    pub text_en: String,
}

impl Reason {
    fn new(code: &'static str, text: String, text_en: String) -> Reason {
        Reason {
            code,
            text,
            text_en,
        }
    }
}

/// The value after a structured label's "：" (the field, the IPC class), or the whole label.
fn value_of(label: &str) -> &str {
    label.split_once('：').map_or(label, |(_, v)| v)
}

/// The reasons of a hit: its strength, the informative terms it shares, and its structured
/// signals. Nearness in meaning is a reason only for a strong hit: every query, even one nothing
/// answers (火星移民签证), has nearest records, and calling them "内容相近" would mislead.
///
/// The same holds for the practical fields (district, maturity, budget): they say whether a
/// relevant record would suit, not whether it is relevant. A demand wants at least a pilot-stage
/// achievement whatever it is about, so for a hit that shares nothing with the query,
/// "成熟度满足：产业化" would read as the reason a gravel-packing tool matches a moulding defect.
/// They are named only beside a reason about content (topic, meaning, shared keywords, same
/// field, same IPC class); a hit with none says plainly that it shares no keyword.
pub fn reasons(strength: Strength, matched_terms: &[String], signals: &[Signal]) -> Vec<Reason> {
    let mut out = Vec::new();
    let terms: Vec<&str> = matched_terms.iter().map(String::as_str).collect();
    if strength == Strength::Strong && !terms.is_empty() {
        let topic = &terms[..terms.len().min(TOPIC_TERMS)];
        out.push(Reason::new(
            "topic",
            format!("同为{}相关问题", topic.join("、")),
            format!("both about {}", topic.join(", ")),
        ));
    } else if strength == Strength::Strong {
        out.push(Reason::new(
            "meaning",
            "内容高度相近".into(),
            "very close in meaning".into(),
        ));
    }
    if !terms.is_empty() {
        let named = &terms[..terms.len().min(NAMED_TERMS)];
        out.push(Reason::new(
            "terms",
            format!("共同关键词：{}", named.join("、")),
            format!("shared keywords: {}", named.join(", ")),
        ));
    }
    let mut practical: Vec<Reason> = Vec::new();
    for s in signals {
        // (code, English text, whether it is a practical field); the Chinese text is the label.
        let (code, text_en, is_practical) = match s.name {
            "discipline" => (
                "discipline",
                format!("same field: {}", value_of(&s.label)),
                false,
            ),
            "ipc" => (
                "ipc",
                format!("same IPC class: {}", value_of(&s.label)),
                false,
            ),
            "district" => (
                "district",
                format!("same district: {}", s.label.trim_start_matches("同在")),
                true,
            ),
            "maturity" => ("maturity", "mature enough".to_string(), true),
            "budget" => ("budget", "price within budget".to_string(), true),
            _ => continue,
        };
        let into = if is_practical {
            &mut practical
        } else {
            &mut out
        };
        if !into.iter().any(|r| r.code == code) {
            into.push(Reason::new(code, s.label.clone(), text_en));
        }
    }
    if out.is_empty() {
        return vec![Reason::new(
            "weak",
            "无共同关键词，相关性弱".into(),
            "no shared keyword; weakly related".into(),
        )];
    }
    out.extend(practical);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(name: &'static str, label: &str) -> Signal {
        Signal {
            name,
            weight: 0.1,
            label: label.into(),
        }
    }

    #[test]
    fn reasons_are_plain_words_without_numbers() {
        let terms = vec!["电池".to_string(), "热管理".into(), "相变材料".into()];
        let signals = [
            signal("lexical", "共同词语"),
            signal("semantic", "内容相近"),
            signal("discipline", "领域相同：新能源"),
            signal("budget", "报价在预算内"),
        ];
        let r = reasons(Strength::Strong, &terms, &signals);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "同为电池、热管理相关问题",
                "共同关键词：电池、热管理、相变材料",
                "领域相同：新能源",
                "报价在预算内"
            ]
        );
        assert_eq!(r[2].text_en, "same field: 新能源");
        for r in &r {
            assert!(!r.text.chars().any(|c| c.is_ascii_digit()), "{}", r.text);
        }
        // A possible hit with nothing to show says that it shares no keyword.
        let r = reasons(Strength::Possible, &[], &[signal("semantic", "内容相近")]);
        assert_eq!(r[0].code, "weak");
        assert_eq!(r[0].text, "无共同关键词，相关性弱");
    }

    #[test]
    fn practical_fields_are_reasons_only_beside_content() {
        let practical = [
            signal("maturity", "成熟度满足：产业化"),
            signal("district", "同在浦东新区"),
            signal("budget", "报价在预算内"),
        ];
        // Nothing shared: the mature record is not presented as matching for its maturity.
        let r = reasons(Strength::Possible, &[], &practical);
        let codes: Vec<&str> = r.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["weak"]);
        // A shared keyword or the same field makes them worth naming, after the content.
        let r = reasons(Strength::Possible, &["注塑".to_string()], &practical);
        let codes: Vec<&str> = r.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["terms", "maturity", "district", "budget"]);
        let mut with_field = practical.to_vec();
        with_field.insert(0, signal("discipline", "领域相同：材料"));
        let r = reasons(Strength::Possible, &[], &with_field);
        let codes: Vec<&str> = r.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["discipline", "maturity", "district", "budget"]);
    }
}
