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
    for s in signals {
        let reason = match s.name {
            "discipline" => Reason::new(
                "discipline",
                s.label.clone(),
                format!("same field: {}", value_of(&s.label)),
            ),
            "ipc" => Reason::new(
                "ipc",
                s.label.clone(),
                format!("same IPC class: {}", value_of(&s.label)),
            ),
            "district" => Reason::new(
                "district",
                s.label.clone(),
                format!("same district: {}", s.label.trim_start_matches("同在")),
            ),
            "maturity" => Reason::new("maturity", s.label.clone(), "mature enough".to_string()),
            "budget" => Reason::new("budget", s.label.clone(), "price within budget".to_string()),
            _ => continue,
        };
        if !out.iter().any(|r| r.code == reason.code) {
            out.push(reason);
        }
    }
    if out.is_empty() {
        out.push(Reason::new(
            "weak",
            "可能相关".into(),
            "may be related".into(),
        ));
    }
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
        // A possible hit with nothing to show says only that it may be related.
        let r = reasons(Strength::Possible, &[], &[signal("semantic", "内容相近")]);
        assert_eq!(r[0].code, "weak");
    }
}
