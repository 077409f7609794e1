//! The income approach (收益分成法): the technology's share of the income it helps earn,
//! after tax, discounted to the valuation date.
//!
//! P = Σ_{t=1..n} K · R_t · (1 − income-tax rate) / (1 + r)^t
//!
//! - R_t, the forecast sales (or profit) of year t: a table, or price × volume growing at a
//!   rate; a table shorter than n continues from its last year at the growth rate.
//! - K, the share (分成率) on the forecast's basis: entered on sales, entered on profit, or
//!   from equivalent investment (约当投资分成: K = technology's equivalent investment /
//!   (technology's + user's), each cost × (1 + cost-profit rate), a share of profit). A share
//!   on the other basis is converted by the profit margin (sales share = profit share × margin).
//! - r = risk-free rate + the four risk premia, each a score (0–100) of its cap.
//!
//! Sums run in `f64` and are rounded once, to the whole 分 (halves away from zero), when a
//! value leaves this module: a valuation is an estimate, and every figure shown is rounded
//! exactly once.

use serde::{Deserialize, Serialize};

use super::{Basis, Forecast, IncomeInputs, RiskFactor, Share, fen};

/// What the income approach found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IncomeResult {
    /// The share applied to the forecast's basis at the low end, as a fraction (0.0375).
    pub share_low: f64,
    /// The same at the high end.
    pub share_high: f64,
    /// How the share was obtained, said in Chinese and English.
    pub share_source: String,
    /// The equivalent-investment share (约当投资分成率) before any conversion, when used.
    pub equivalent_investment_share: Option<f64>,
    /// The discount rate r, as a fraction.
    pub discount_rate: f64,
    /// Each risk premium: the factor and its rate as a fraction.
    pub premia: Vec<(RiskFactor, f64)>,
    /// The years counted.
    pub n: u32,
    /// Each year: forecast, discount factor and present value at the middle share.
    pub years: Vec<IncomeYear>,
    /// The value at the low share, in 分.
    pub low_fen: i64,
    /// The value at the middle of the share's range, in 分.
    pub point_fen: i64,
    /// The value at the high share, in 分.
    pub high_fen: i64,
}

/// One year of the income approach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IncomeYear {
    /// The year, 1 for the first after the valuation date.
    pub t: u32,
    /// The forecast R_t, in 分.
    pub revenue_fen: i64,
    /// 1 / (1 + r)^t.
    pub discount_factor: f64,
    /// K · R_t · (1 − tax) / (1 + r)^t at the middle share, in 分.
    pub present_value_fen: i64,
}

/// The forecast of year `t` (1-based), in 分 as `f64`.
pub fn revenue(forecast: &Forecast, t: u32) -> f64 {
    match forecast {
        Forecast::Table {
            amounts_fen,
            growth_pct,
            ..
        } => {
            let len = amounts_fen.len() as u32;
            if len == 0 {
                return 0.0;
            }
            if t <= len {
                amounts_fen[(t - 1) as usize] as f64
            } else {
                let last = amounts_fen[(len - 1) as usize] as f64;
                last * (1.0 + growth_pct / 100.0).powi((t - len) as i32)
            }
        }
        Forecast::PriceVolume {
            price_fen,
            volume,
            growth_pct,
            ..
        } => (*price_fen as f64) * (*volume as f64) * (1.0 + growth_pct / 100.0).powi(t as i32 - 1),
    }
}

/// The equivalent-investment share: tech × (1 + a) / (tech × (1 + a) + user × (1 + b)).
pub fn equivalent_investment_share(
    technology_cost_fen: i64,
    technology_cost_profit_pct: f64,
    user_cost_fen: i64,
    user_cost_profit_pct: f64,
) -> f64 {
    let tech = technology_cost_fen as f64 * (1.0 + technology_cost_profit_pct / 100.0);
    let user = user_cost_fen as f64 * (1.0 + user_cost_profit_pct / 100.0);
    if tech + user <= 0.0 {
        0.0
    } else {
        tech / (tech + user)
    }
}

/// A share on profit converted to one on sales: profit share × profit margin.
pub fn sales_share_from_profit_share(profit_share: f64, margin: f64) -> f64 {
    profit_share * margin
}

/// The discount rate: the risk-free rate plus each premium (score / 100 × cap), as fractions.
pub fn discount_rate(inputs: &IncomeInputs) -> (f64, Vec<(RiskFactor, f64)>) {
    let premia: Vec<(RiskFactor, f64)> = inputs
        .premia
        .iter()
        .map(|p| (p.factor, f64::from(p.score) / 100.0 * p.max_pct / 100.0))
        .collect();
    let r = inputs.risk_free_pct / 100.0 + premia.iter().map(|(_, x)| x).sum::<f64>();
    (r, premia)
}

/// The share's low and high ends on the forecast's basis, and where they came from. The
/// inputs are validated: a conversion that needs the margin has one.
fn shares(inputs: &IncomeInputs) -> (f64, f64, String, Option<f64>) {
    let basis = inputs.forecast.basis();
    let margin = inputs.profit_margin_pct.unwrap_or(0.0) / 100.0;
    let (low, high, on, equivalent) = match &inputs.share {
        Share::Sales { low_pct, high_pct } => {
            (low_pct / 100.0, high_pct / 100.0, Basis::Sales, None)
        }
        Share::Profit { low_pct, high_pct } => {
            (low_pct / 100.0, high_pct / 100.0, Basis::Profit, None)
        }
        Share::EquivalentInvestment {
            technology_cost_fen,
            technology_cost_profit_pct,
            user_cost_fen,
            user_cost_profit_pct,
        } => {
            let k = equivalent_investment_share(
                *technology_cost_fen,
                *technology_cost_profit_pct,
                *user_cost_fen,
                *user_cost_profit_pct,
            );
            (k, k, Basis::Profit, Some(k))
        }
    };
    let source = match (&inputs.share, on == basis) {
        (Share::EquivalentInvestment { .. }, true) => {
            "约当投资分成 Equivalent investment (share of profit)".to_string()
        }
        (Share::EquivalentInvestment { .. }, false) => {
            "约当投资分成 × 利润率 Equivalent investment × profit margin".to_string()
        }
        (_, true) => format!("{} entered", on.label()),
        (_, false) => format!("{} entered, converted by the profit margin", on.label()),
    };
    let (low, high) = match (on, basis) {
        (Basis::Profit, Basis::Sales) => (
            sales_share_from_profit_share(low, margin),
            sales_share_from_profit_share(high, margin),
        ),
        (Basis::Sales, Basis::Profit) if margin > 0.0 => (low / margin, high / margin),
        _ => (low, high),
    };
    (low, high, source, equivalent)
}

/// The present value at `share` over `n` years, in 分 as `f64`.
fn present_value(inputs: &IncomeInputs, share: f64, r: f64, n: u32) -> f64 {
    let after_tax = 1.0 - inputs.income_tax_pct / 100.0;
    (1..=n)
        .map(|t| share * revenue(&inputs.forecast, t) * after_tax / (1.0 + r).powi(t as i32))
        .sum()
}

/// The income approach over `n` years.
pub fn value(inputs: &IncomeInputs, n: u32) -> IncomeResult {
    let (r, premia) = discount_rate(inputs);
    let (low, high, share_source, equivalent) = shares(inputs);
    let mid = (low + high) / 2.0;
    let after_tax = 1.0 - inputs.income_tax_pct / 100.0;
    let years = (1..=n)
        .map(|t| {
            let factor = 1.0 / (1.0 + r).powi(t as i32);
            let rev = revenue(&inputs.forecast, t);
            IncomeYear {
                t,
                revenue_fen: fen(rev),
                discount_factor: factor,
                present_value_fen: fen(mid * rev * after_tax * factor),
            }
        })
        .collect();
    IncomeResult {
        share_low: low,
        share_high: high,
        share_source,
        equivalent_investment_share: equivalent,
        discount_rate: r,
        premia,
        n,
        years,
        low_fen: fen(present_value(inputs, low, r, n)),
        point_fen: fen(present_value(inputs, mid, r, n)),
        high_fen: fen(present_value(inputs, high, r, n)),
    }
}
