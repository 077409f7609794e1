//! The market approach (市场法): what comparable technologies sold for, adjusted to the one
//! being valued.
//!
//! Each comparable's price is multiplied by five named factors, each computed from the data
//! unless the user entered it:
//!
//! - technical (技术修正): how the subject compares with the comparable technically; 1.00
//!   unless entered (similar text says the two are alike, not which is better);
//! - time (时间修正): (1 + yearly price change)^(valuation year − signing year);
//! - remaining life (剩余寿命修正): the subject's remaining years / the comparable's, when the
//!   comparable's are known;
//! - exclusivity (独占性修正): the subject's exclusivity weight / the comparable's
//!   (转让 ≥ 独占 > 排他 > 普通);
//! - scale (规模修正): the subject's scale / the comparable's, when both are given.
//!
//! The result is the mean of the adjusted prices weighted by each comparable's technical
//! similarity, with the weighted standard deviation as its spread. Fewer comparables than the
//! minimum give no market value, and the result says so.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Exclusivity, MarketInputs, fen};

/// One adjustment factor of a comparable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Factor {
    /// Its code (`technical`, `time`, `remaining_life`, `exclusivity`, `scale`).
    pub code: String,
    /// Its Chinese name.
    pub label_zh: String,
    /// Its English name.
    pub label_en: String,
    /// The multiplier.
    pub value: f64,
    /// Whether the user entered it (otherwise computed).
    pub entered: bool,
    /// How it was computed, or "entered".
    pub basis: String,
}

/// One comparable after adjustment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AdjustedComparable {
    /// The registered contract, when it is one of Qiao's.
    pub contract_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its price, in 分.
    pub price_fen: i64,
    /// The factors, in the order above.
    pub factors: Vec<Factor>,
    /// Their product.
    pub multiplier: f64,
    /// Price × multiplier, in 分.
    pub adjusted_fen: i64,
    /// Its weight in the mean (its technical similarity).
    pub weight: f64,
}

/// What the market approach found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MarketResult {
    /// Enough comparables: a value.
    Value {
        /// Every comparable, adjusted.
        comparables: Vec<AdjustedComparable>,
        /// The weighted mean, in 分.
        mean_fen: i64,
        /// The weighted standard deviation, in 分.
        spread_fen: i64,
        /// The smallest adjusted price, in 分.
        min_fen: i64,
        /// The largest, in 分.
        max_fen: i64,
        /// Mean − spread (not below 0), in 分.
        low_fen: i64,
        /// Mean + spread, in 分.
        high_fen: i64,
    },
    /// Too few comparables: no market value.
    TooFew {
        /// The comparables there are, adjusted (shown, not averaged).
        comparables: Vec<AdjustedComparable>,
        /// How many there are.
        found: usize,
        /// How many are needed.
        needed: usize,
    },
}

fn factor(code: &str, zh: &str, en: &str, entered: Option<f64>, computed: (f64, String)) -> Factor {
    let (value, entered, basis) = match entered {
        Some(v) => (v, true, "entered 录入".to_string()),
        None => (computed.0, false, computed.1),
    };
    Factor {
        code: code.into(),
        label_zh: zh.into(),
        label_en: en.into(),
        value,
        entered,
        basis,
    }
}

/// The market approach on `on`, for a subject with `remaining_years` of life left.
pub fn value(inputs: &MarketInputs, on: NaiveDate, remaining_years: f64) -> MarketResult {
    let weights = &inputs.exclusivity_weights;
    let subject = weights.of(inputs.subject_exclusivity);
    let comparables: Vec<AdjustedComparable> = inputs
        .comparables
        .iter()
        .map(|c| {
            let years = on.year() - c.signed_on.year();
            let g = inputs.time_growth_pct;
            let theirs = Exclusivity::of_kind(c.kind);
            let their_weight = weights.of(theirs);
            let life = match c.remaining_life_years {
                Some(y) if y > 0.0 => (
                    remaining_years / y,
                    format!("{remaining_years:.1} / {y:.1} years 年"),
                ),
                _ => (
                    1.0,
                    "comparable's remaining life unknown 可比剩余寿命未知".into(),
                ),
            };
            let scale = match (inputs.subject_scale, c.scale) {
                (Some(s), Some(x)) if x > 0.0 => (s / x, format!("{s} / {x}")),
                _ => (1.0, "scale not given 未给规模".into()),
            };
            let factors = vec![
                factor(
                    "technical",
                    "技术修正",
                    "Technical",
                    c.factors.technical,
                    (1.0, "as advanced as the comparable 与可比技术相当".into()),
                ),
                factor(
                    "time",
                    "时间修正",
                    "Time",
                    c.factors.time,
                    ((1.0 + g / 100.0).powi(years), format!("(1 + {g}%)^{years}")),
                ),
                factor(
                    "remaining_life",
                    "剩余寿命修正",
                    "Remaining life",
                    c.factors.remaining_life,
                    life,
                ),
                factor(
                    "exclusivity",
                    "独占性修正",
                    "Exclusivity",
                    c.factors.exclusivity,
                    (
                        subject / their_weight,
                        format!(
                            "{} {subject} / {} {their_weight}",
                            inputs.subject_exclusivity.label_zh(),
                            theirs.label_zh()
                        ),
                    ),
                ),
                factor("scale", "规模修正", "Scale", c.factors.scale, scale),
            ];
            let multiplier: f64 = factors.iter().map(|f| f.value).product();
            AdjustedComparable {
                contract_id: c.contract_id,
                name: c.name.clone(),
                price_fen: c.price_fen,
                factors,
                multiplier,
                adjusted_fen: fen(c.price_fen as f64 * multiplier),
                weight: c.similarity,
            }
        })
        .collect();
    let found = comparables.len();
    if found < inputs.min_comparables {
        return MarketResult::TooFew {
            comparables,
            found,
            needed: inputs.min_comparables,
        };
    }
    let total: f64 = comparables.iter().map(|c| c.weight).sum();
    let mean = comparables
        .iter()
        .map(|c| c.weight * c.adjusted_fen as f64)
        .sum::<f64>()
        / total;
    let variance = comparables
        .iter()
        .map(|c| c.weight * (c.adjusted_fen as f64 - mean).powi(2))
        .sum::<f64>()
        / total;
    let spread = variance.sqrt();
    let min = comparables
        .iter()
        .map(|c| c.adjusted_fen)
        .min()
        .unwrap_or(0);
    let max = comparables
        .iter()
        .map(|c| c.adjusted_fen)
        .max()
        .unwrap_or(0);
    MarketResult::Value {
        comparables,
        mean_fen: fen(mean),
        spread_fen: fen(spread),
        min_fen: min,
        max_fen: max,
        low_fen: fen((mean - spread).max(0.0)),
        high_fen: fen(mean + spread),
    }
}
