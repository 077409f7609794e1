//! Ranking: the lexical score of each candidate, normalised, plus structured evidence.
//!
//! The fused score is `relevance + Σ boosts`, where `relevance` is the candidate's lexical
//! score divided by the best in its candidate set (so it is in `[0, 1]` whatever the query's
//! length) and each boost is a small, named bonus for structured agreement with what the
//! query asks for (same field, same IPC group, same district, maturity, price within budget).
//! Every part of the score is kept as a [`Signal`], which is what a user sees as the reasons.
//! A second retrieval signal (semantic similarity) enters as another relevance component
//! without changing this shape.

use qiao_domain::{Kind, Stage};
use serde::Serialize;

use crate::document::{Facets, ipc_keys, stage_rank};
use crate::index::Candidate;

/// What the source of a match (a demand, an achievement, ...) prefers in its matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Field or discipline.
    pub discipline: Option<String>,
    /// IPC classes and main groups (see [`ipc_keys`]).
    pub ipc: Vec<String>,
    /// District.
    pub district: Option<String>,
    /// Budget ceiling in yuan (a demand's or scenario's budget).
    pub budget_max_yuan: Option<i64>,
    /// Asking-price floor in yuan (an achievement's price), for matching budgets.
    pub price_min_yuan: Option<i64>,
    /// The least maturity wanted, if any.
    pub min_stage: Option<Stage>,
}

/// One named part of a match's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    /// Machine name: `lexical`, `discipline`, `ipc`, `district`, `maturity`, `budget`.
    pub name: &'static str,
    /// What it contributed to the score.
    pub weight: f32,
    /// Human-readable reason in Chinese, in plain words, e.g. "领域相同：新材料" (no rank or
    /// score: those are `weight`).
    pub label: String,
}

/// A candidate's relevance to the query before structure: the signals that make it up
/// (their weights sum to a value in `[0, 1]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Relevance {
    /// Listing id.
    pub id: u64,
    /// Lexical and, when fused, semantic parts.
    pub signals: Vec<Signal>,
}

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Listing id.
    pub id: u64,
    /// The fused score.
    pub score: f32,
    /// Every part of the score.
    pub signals: Vec<Signal>,
}

/// Boost sizes. Relevance is at most 1, so these re-order close candidates without letting
/// structure alone lift a document the text barely matched.
const DISCIPLINE: f32 = 0.10;
const IPC_GROUP: f32 = 0.10;
const IPC_CLASS: f32 = 0.05;
const DISTRICT: f32 = 0.03;
const MATURITY: f32 = 0.04;
const BUDGET: f32 = 0.05;

/// Lexical relevance alone: each candidate's score divided by the best.
pub fn lexical_relevance(candidates: &[Candidate]) -> Vec<Relevance> {
    let best = candidates
        .iter()
        .map(|c| c.lexical)
        .fold(0.0f32, f32::max)
        .max(f32::MIN_POSITIVE);
    candidates
        .iter()
        .map(|c| {
            let relevance = c.lexical / best;
            Relevance {
                id: c.id,
                signals: vec![Signal {
                    name: "lexical",
                    weight: relevance,
                    label: "共同词语".into(),
                }],
            }
        })
        .collect()
}

/// Ranks candidates by relevance plus structured boosts; `listing(id)` gives each
/// candidate's record (candidates without one are dropped: they were deleted after the index
/// saw them, or failed a filter).
pub fn rank<'a>(
    profile: &Profile,
    candidates: Vec<Relevance>,
    facets: impl Fn(u64) -> Option<&'a Facets>,
) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = candidates
        .into_iter()
        .filter_map(|c| {
            let l = facets(c.id)?;
            let mut signals = c.signals;
            signals.extend(structured(profile, l));
            Some(Ranked {
                id: c.id,
                score: signals.iter().map(|s| s.weight).sum(),
                signals,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out
}

/// The structured boosts a listing earns against a profile, judged on its facets (read from
/// the index, so ranking a pool of candidates needs no record from the store).
pub fn structured(profile: &Profile, l: &Facets) -> Vec<Signal> {
    let mut out = Vec::new();
    if let (Some(want), Some(have)) = (&profile.discipline, &l.discipline)
        && !want.is_empty()
        && want == have
    {
        out.push(Signal {
            name: "discipline",
            weight: DISCIPLINE,
            label: format!("领域相同：{have}"),
        });
    }
    if l.kind == Kind::Achievement {
        // A profile without IPC classes (most demands) shares none: the candidate's keys are
        // not worked out for nothing.
        let keys: Vec<String> = if profile.ipc.is_empty() {
            Vec::new()
        } else {
            l.ipc_codes.iter().flat_map(|c| ipc_keys(c)).collect()
        };
        if let Some(group) = keys.iter().find(|k| k.len() > 4 && profile.ipc.contains(k)) {
            out.push(Signal {
                name: "ipc",
                weight: IPC_GROUP,
                label: format!("IPC 分类相同：{group}"),
            });
        } else if let Some(class) = keys
            .iter()
            .find(|k| k.len() == 4 && profile.ipc.contains(k))
        {
            out.push(Signal {
                name: "ipc",
                weight: IPC_CLASS,
                label: format!("IPC 分类相同：{class}"),
            });
        }
        if let (Some(min), Some(stage)) = (profile.min_stage, l.stage)
            && stage_rank(stage) >= stage_rank(min)
        {
            out.push(Signal {
                name: "maturity",
                weight: MATURITY,
                label: format!("成熟度满足：{}", stage_label(stage)),
            });
        }
        if let (Some(budget), Some(price)) = (profile.budget_max_yuan, l.price_min_yuan)
            && price <= budget
        {
            out.push(Signal {
                name: "budget",
                weight: BUDGET,
                label: "报价在预算内".into(),
            });
        }
    }
    if let (Some(floor), Some(budget)) = (profile.price_min_yuan, l.budget_max_yuan)
        && floor <= budget
    {
        out.push(Signal {
            name: "budget",
            weight: BUDGET,
            label: "预算覆盖报价".into(),
        });
    }
    if let (Some(want), Some(have)) = (&profile.district, &l.district)
        && want == have
    {
        out.push(Signal {
            name: "district",
            weight: DISTRICT,
            label: format!("同在{have}"),
        });
    }
    out
}

fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Lab => "实验室",
        Stage::SmallPilot => "小试",
        Stage::Pilot => "中试",
        Stage::Industrial => "产业化",
    }
}
