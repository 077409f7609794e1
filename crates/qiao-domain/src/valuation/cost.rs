//! The cost approach (成本法): what it would cost to make the technology again, less what
//! time has taken from it.
//!
//! Replacement cost = R&D labour + materials + overhead + opportunity cost + reasonable profit
//! (a rate on the three direct costs); value = replacement cost × (1 − obsolescence), the
//! obsolescence entered or read from the remaining-life ratio: used / (used + remaining). The
//! range is the value ± the entered uncertainty of the cost estimate.

use serde::{Deserialize, Serialize};

use super::{CostInputs, Obsolescence, fen};

/// What the cost approach found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CostResult {
    /// Labour, materials and overhead, in 分.
    pub direct_fen: i64,
    /// The reasonable profit on them, in 分.
    pub profit_fen: i64,
    /// The replacement cost (重置成本), in 分.
    pub replacement_fen: i64,
    /// The obsolescence (贬值率) as a fraction.
    pub obsolescence: f64,
    /// How the obsolescence was obtained.
    pub obsolescence_source: String,
    /// The value less the uncertainty, in 分.
    pub low_fen: i64,
    /// Replacement cost × (1 − obsolescence), in 分.
    pub point_fen: i64,
    /// The value plus the uncertainty, in 分.
    pub high_fen: i64,
}

/// The obsolescence of a technology used `used` years with `remaining` years of life left.
pub fn obsolescence_from_life(used: f64, remaining: f64) -> f64 {
    if used + remaining <= 0.0 {
        1.0
    } else {
        used / (used + remaining)
    }
}

/// The cost approach, with `remaining_years` of useful life left.
pub fn value(inputs: &CostInputs, remaining_years: f64) -> CostResult {
    // Validated amounts are at most 10 万亿元 each: the sum stays far inside i64.
    let direct = inputs.labour_fen + inputs.materials_fen + inputs.overhead_fen;
    let profit = fen(direct as f64 * inputs.reasonable_profit_pct / 100.0);
    let replacement = direct + inputs.opportunity_fen + profit;
    let (obsolescence, source) = match inputs.obsolescence {
        Obsolescence::Entered { pct } => (pct / 100.0, "entered 录入".to_string()),
        Obsolescence::RemainingLife { used_years } => (
            obsolescence_from_life(used_years, remaining_years),
            format!(
                "used {used_years:.1} / (used {used_years:.1} + remaining {remaining_years:.1}) years 已使用/(已使用+剩余)"
            ),
        ),
    };
    let point = replacement as f64 * (1.0 - obsolescence);
    let u = inputs.uncertainty_pct / 100.0;
    CostResult {
        direct_fen: direct,
        profit_fen: profit,
        replacement_fen: replacement,
        obsolescence,
        obsolescence_source: source,
        low_fen: fen(point * (1.0 - u)),
        point_fen: fen(point),
        high_fen: fen(point * (1.0 + u)),
    }
}
