//! Valuation (估值定价) of a technology by the three standard approaches, side by side: income
//! (收益分成法), cost (成本法) and market (市场法, over comparable registered contracts).
//!
//! A negotiation aid, not a statutory appraisal: state-owned assets need 资产评估 by a
//! licensed appraiser. Everything here is pure: [`value`] takes the inputs (validated, every
//! problem named by its field) and returns every figure with how it was obtained, so a page, a
//! report, a workbook and the command line show the same numbers. Amounts are integers of 分,
//! rates percentages as entered; the arithmetic between them runs in `f64` and each figure is
//! rounded once, to the whole 分, by [`fen`].
//!
//! - [`legal`]: n = min(economic life, remaining legal term) from the patent's kind and date;
//! - [`income`], [`cost`], [`market`]: the approaches;
//! - [`sensitivity`]: which inputs move the value most (a tornado chart);
//! - [`reference`]: the industry share ranges and defaults, as data staff can edit.

pub mod cost;
pub mod income;
pub mod legal;
pub mod market;
pub mod reference;
pub mod sensitivity;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use self::cost::CostResult;
pub use self::income::IncomeResult;
pub use self::legal::{Life, Patent, PatentKind};
pub use self::market::{AdjustedComparable, Factor, MarketResult};
pub use self::reference::{IndustryShare, Reference};
pub use self::sensitivity::Bar;
use crate::contract::{ContractKind, MAX_AMOUNT_FEN};
use crate::invalid::{Checker, Invalid, Rule};

/// Rounds an amount of 分 computed in `f64` to the whole 分, halves away from zero, within
/// the range Qiao accepts for amounts.
pub fn fen(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    x.round().clamp(
        -(MAX_AMOUNT_FEN as f64) * 100.0,
        MAX_AMOUNT_FEN as f64 * 100.0,
    ) as i64
}

/// Checks that a percentage is a finite number within `min..=max`.
pub(crate) fn pct(c: &mut Checker, field: &str, v: f64, min: f64, max: f64) {
    if !v.is_finite() {
        c.fail(field, Rule::NotFinite);
    } else if !(min..=max).contains(&v) {
        c.fail(
            field,
            Rule::OutOfRange {
                min: min as i64,
                max: max as i64,
                found: v,
            },
        );
    }
}

fn amount(c: &mut Checker, field: &str, v: i64) {
    c.ensure((0..=MAX_AMOUNT_FEN).contains(&v), field, || {
        Rule::OutOfRange {
            min: 0,
            max: MAX_AMOUNT_FEN,
            found: v as f64,
        }
    });
}

coded_enum! {
    /// What a forecast's figures are.
    pub enum Basis {
        /// 销售收入
        Sales = ("sales", "销售收入", "Sales"),
        /// 利润
        Profit = ("profit", "利润", "Profit"),
    }
}

impl Basis {
    /// "销售收入分成率 share of sales" and the like.
    pub fn label(self) -> String {
        format!(
            "{}分成率 share of {}",
            self.label_zh(),
            self.label_en().to_lowercase()
        )
    }
}

/// The forecast R_t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Forecast {
    /// Year by year, in 分; years past the table grow from its last at `growth_pct`.
    Table {
        /// What the figures are.
        #[serde(default = "sales")]
        basis: Basis,
        /// Year 1, year 2…
        amounts_fen: Vec<i64>,
        /// Yearly change after the table, in percent.
        #[serde(default)]
        growth_pct: f64,
    },
    /// Price × volume in year 1, growing at `growth_pct` a year.
    PriceVolume {
        /// What the figures are.
        #[serde(default = "sales")]
        basis: Basis,
        /// Price (or profit) per unit, in 分.
        price_fen: i64,
        /// Units in year 1.
        volume: i64,
        /// Yearly change, in percent.
        #[serde(default)]
        growth_pct: f64,
    },
}

fn sales() -> Basis {
    Basis::Sales
}

impl Forecast {
    /// What the forecast's figures are.
    pub fn basis(&self) -> Basis {
        match self {
            Forecast::Table { basis, .. } | Forecast::PriceVolume { basis, .. } => *basis,
        }
    }
}

/// The technology's share K.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Share {
    /// A share of sales (销售收入分成率), as a range in percent.
    Sales {
        /// Low end.
        low_pct: f64,
        /// High end.
        high_pct: f64,
    },
    /// A share of profit (利润分成率), as a range in percent.
    Profit {
        /// Low end.
        low_pct: f64,
        /// High end.
        high_pct: f64,
    },
    /// 约当投资分成: a share of profit from the two sides' equivalent investments.
    EquivalentInvestment {
        /// The technology's cost, in 分.
        technology_cost_fen: i64,
        /// Its cost-profit rate (成本利润率), percent.
        technology_cost_profit_pct: f64,
        /// The user's assets' cost, in 分.
        user_cost_fen: i64,
        /// Their cost-profit rate, percent.
        user_cost_profit_pct: f64,
    },
}

coded_enum! {
    /// The risk premia that, added to the risk-free rate, make the discount rate.
    pub enum RiskFactor {
        /// 技术风险
        Technical = ("technical", "技术风险", "Technical risk"),
        /// 市场风险
        Market = ("market", "市场风险", "Market risk"),
        /// 资金风险
        Financing = ("financing", "资金风险", "Financing risk"),
        /// 管理风险
        Management = ("management", "管理风险", "Management risk"),
    }
}

/// One scored risk premium: score / 100 × cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Premium {
    /// The risk.
    pub factor: RiskFactor,
    /// Its score, 0 (none) to 100 (the cap).
    pub score: u8,
    /// The cap, in percent.
    pub max_pct: f64,
}

/// The income approach's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomeInputs {
    /// R_t.
    pub forecast: Forecast,
    /// K.
    pub share: Share,
    /// The profit margin (利润率) in percent, needed to convert a share between bases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profit_margin_pct: Option<f64>,
    /// The income-tax rate, percent.
    pub income_tax_pct: f64,
    /// The risk-free rate, percent.
    pub risk_free_pct: f64,
    /// The scored premia, each factor at most once.
    pub premia: Vec<Premium>,
    /// The industry whose reference range is shown beside the share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
}

/// How the cost approach's obsolescence is obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Obsolescence {
    /// Entered, in percent.
    Entered {
        /// 贬值率
        pct: f64,
    },
    /// From the remaining-life ratio: used / (used + remaining).
    RemainingLife {
        /// Years the technology has been used (or since it was made).
        used_years: f64,
    },
}

/// The cost approach's inputs, amounts in 分.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostInputs {
    /// R&D labour (研发人工).
    pub labour_fen: i64,
    /// Materials (材料).
    pub materials_fen: i64,
    /// Overhead (间接费用).
    pub overhead_fen: i64,
    /// Opportunity cost (机会成本).
    #[serde(default)]
    pub opportunity_fen: i64,
    /// Reasonable profit on the three direct costs, percent.
    #[serde(default)]
    pub reasonable_profit_pct: f64,
    /// The obsolescence.
    pub obsolescence: Obsolescence,
    /// How uncertain the cost estimate is, ± percent (the range).
    #[serde(default = "ten")]
    pub uncertainty_pct: f64,
}

fn ten() -> f64 {
    10.0
}

coded_enum! {
    /// How exclusive a right is: 转让 ≥ 独占 > 排他 > 普通.
    pub enum Exclusivity {
        /// 转让: the right itself changes hands.
        Transfer = ("transfer", "转让", "Transfer"),
        /// 独占许可
        Exclusive = ("exclusive", "独占许可", "Exclusive licence"),
        /// 排他许可
        Sole = ("sole", "排他许可", "Sole licence"),
        /// 普通许可
        Ordinary = ("ordinary", "普通许可", "Non-exclusive licence"),
    }
}

impl Exclusivity {
    /// The exclusivity of a contract of `kind` (transfers and anything not a licence: transfer).
    pub fn of_kind(kind: ContractKind) -> Exclusivity {
        match kind {
            ContractKind::LicenceExclusive => Exclusivity::Exclusive,
            ContractKind::LicenceSole => Exclusivity::Sole,
            ContractKind::LicenceOrdinary => Exclusivity::Ordinary,
            _ => Exclusivity::Transfer,
        }
    }
}

/// The relative worth of each exclusivity (the factor is the subject's over the comparable's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusivityWeights {
    /// 转让
    pub transfer: f64,
    /// 独占
    pub exclusive: f64,
    /// 排他
    pub sole: f64,
    /// 普通
    pub ordinary: f64,
}

impl Default for ExclusivityWeights {
    fn default() -> Self {
        Reference::default().exclusivity_weights
    }
}

impl ExclusivityWeights {
    /// The weight of `e`.
    pub fn of(&self, e: Exclusivity) -> f64 {
        match e {
            Exclusivity::Transfer => self.transfer,
            Exclusivity::Exclusive => self.exclusive,
            Exclusivity::Sole => self.sole,
            Exclusivity::Ordinary => self.ordinary,
        }
    }

    fn validate(&self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        for e in Exclusivity::ALL {
            let v = self.of(*e);
            if !v.is_finite() {
                c.fail(e.as_str(), Rule::NotFinite);
            } else if !(v > 0.0 && v <= 10.0) {
                c.fail(
                    e.as_str(),
                    Rule::OutOfRange {
                        min: 0,
                        max: 10,
                        found: v,
                    },
                );
            }
        }
        c.finish()
    }
}

/// Factors a user entered for a comparable; the others are computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorOverrides {
    /// 技术修正
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical: Option<f64>,
    /// 时间修正
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
    /// 剩余寿命修正
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_life: Option<f64>,
    /// 独占性修正
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusivity: Option<f64>,
    /// 规模修正
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
}

/// One comparable transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comparable {
    /// The registered contract on Qiao, if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: ContractKind,
    /// Its price (技术交易额), in 分.
    pub price_fen: i64,
    /// When it was signed.
    pub signed_on: NaiveDate,
    /// Technical similarity to the subject, (0, 1]: its weight in the mean.
    pub similarity: f64,
    /// Its remaining life in years when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_life_years: Option<f64>,
    /// Its scale (sales, capacity) when known, in the subject's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Why it was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Factors entered by hand.
    #[serde(default)]
    pub factors: FactorOverrides,
}

fn three() -> usize {
    3
}

/// The market approach's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketInputs {
    /// The exclusivity of what is being priced.
    pub subject_exclusivity: Exclusivity,
    /// The subject's scale, in the comparables' unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_scale: Option<f64>,
    /// Yearly price change for the time factor, percent.
    pub time_growth_pct: f64,
    /// The exclusivity weights.
    #[serde(default)]
    pub exclusivity_weights: ExclusivityWeights,
    /// The comparables; left out or empty, Qiao finds them among the registered contracts.
    #[serde(default)]
    pub comparables: Vec<Comparable>,
    /// The fewest comparables that give a value.
    #[serde(default = "three")]
    pub min_comparables: usize,
}

/// Everything a valuation is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// The valuation date (评估基准日).
    pub valuation_date: NaiveDate,
    /// The patent, when the technology is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patent: Option<Patent>,
    /// Economic life in years.
    pub economic_life_years: u32,
    /// The income approach, if used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<IncomeInputs>,
    /// The cost approach, if used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostInputs>,
    /// The market approach, if used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<MarketInputs>,
    /// A proposed price or an offer to place among the ranges, in 分.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_price_fen: Option<i64>,
    /// How far each input moves in the sensitivity table, ± percent.
    #[serde(default = "ten")]
    pub sensitivity_pct: f64,
}

/// Every figure of a valuation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Valuation {
    /// The years counted and why.
    pub life: Life,
    /// The income approach.
    pub income: Option<IncomeResult>,
    /// The cost approach.
    pub cost: Option<CostResult>,
    /// The market approach.
    pub market: Option<MarketResult>,
    /// The sensitivity bars, widest first.
    pub sensitivity: Vec<Bar>,
    /// The proposed price, echoed for the chart.
    pub proposed_price_fen: Option<i64>,
}

/// One approach's range, for charts and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// `income`, `cost` or `market`.
    pub approach: &'static str,
    /// Low end, in 分.
    pub low_fen: i64,
    /// Point value, in 分.
    pub point_fen: i64,
    /// High end, in 分.
    pub high_fen: i64,
}

impl Valuation {
    /// The ranges of the approaches that gave a value, in the order income, cost, market.
    pub fn ranges(&self) -> Vec<Range> {
        let mut out = Vec::new();
        if let Some(i) = &self.income {
            out.push(Range {
                approach: "income",
                low_fen: i.low_fen,
                point_fen: i.point_fen,
                high_fen: i.high_fen,
            });
        }
        if let Some(c) = &self.cost {
            out.push(Range {
                approach: "cost",
                low_fen: c.low_fen,
                point_fen: c.point_fen,
                high_fen: c.high_fen,
            });
        }
        if let Some(MarketResult::Value {
            low_fen,
            mean_fen,
            high_fen,
            ..
        }) = &self.market
        {
            out.push(Range {
                approach: "market",
                low_fen: *low_fen,
                point_fen: *mean_fen,
                high_fen: *high_fen,
            });
        }
        out
    }
}

impl Inputs {
    /// Checks every input, naming each broken one by its path (`income.share.low_pct`).
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        c.ensure(
            (1..=50).contains(&self.economic_life_years),
            "economic_life_years",
            || Rule::OutOfRange {
                min: 1,
                max: 50,
                found: f64::from(self.economic_life_years),
            },
        );
        if let Some(p) = &self.patent {
            c.ensure(p.filed_on <= self.valuation_date, "patent.filed_on", || {
                Rule::Before {
                    other: "valuation_date".into(),
                    found: self.valuation_date.to_string(),
                    limit: p.filed_on.to_string(),
                }
            });
        }
        if self.income.is_none() && self.cost.is_none() && self.market.is_none() {
            c.fail("income", Rule::Required);
        }
        if let Some(i) = &self.income {
            c.nested("income", check_income(i));
        }
        if let Some(k) = &mut self.cost {
            c.nested("cost", check_cost(k));
        }
        if let Some(m) = &mut self.market {
            c.nested("market", check_market(m));
        }
        if let Some(p) = self.proposed_price_fen {
            amount(&mut c, "proposed_price_fen", p);
        }
        pct(&mut c, "sensitivity_pct", self.sensitivity_pct, 1.0, 50.0);
        c.finish()
    }
}

fn check_income(i: &IncomeInputs) -> Result<(), Invalid> {
    let mut c = Checker::default();
    match &i.forecast {
        Forecast::Table {
            amounts_fen,
            growth_pct,
            ..
        } => {
            if amounts_fen.is_empty() {
                c.fail("forecast.amounts_fen", Rule::TooFew { min: 1, found: 0 });
            }
            c.ensure(amounts_fen.len() <= 50, "forecast.amounts_fen", || {
                Rule::TooMany {
                    max: 50,
                    found: amounts_fen.len(),
                }
            });
            for (n, a) in amounts_fen.iter().enumerate() {
                amount(&mut c, &format!("forecast.amounts_fen[{n}]"), *a);
            }
            pct(&mut c, "forecast.growth_pct", *growth_pct, -50.0, 100.0);
        }
        Forecast::PriceVolume {
            price_fen,
            volume,
            growth_pct,
            ..
        } => {
            amount(&mut c, "forecast.price_fen", *price_fen);
            c.ensure(
                (0..=1_000_000_000_000).contains(volume),
                "forecast.volume",
                || Rule::OutOfRange {
                    min: 0,
                    max: 1_000_000_000_000,
                    found: *volume as f64,
                },
            );
            c.ensure(
                (*price_fen as i128) * (*volume as i128) <= MAX_AMOUNT_FEN as i128,
                "forecast.volume",
                || Rule::OutOfRange {
                    min: 0,
                    max: MAX_AMOUNT_FEN / (*price_fen).max(1),
                    found: *volume as f64,
                },
            );
            pct(&mut c, "forecast.growth_pct", *growth_pct, -50.0, 100.0);
        }
    }
    let needs_margin = match &i.share {
        Share::Sales { low_pct, high_pct } | Share::Profit { low_pct, high_pct } => {
            pct(&mut c, "share.low_pct", *low_pct, 0.0, 100.0);
            pct(&mut c, "share.high_pct", *high_pct, 0.0, 100.0);
            if low_pct > high_pct {
                c.fail(
                    "share.high_pct",
                    Rule::Below {
                        other: "share.low_pct".into(),
                        found: high_pct.round() as i64,
                        limit: low_pct.round() as i64,
                    },
                );
            }
            let on = if matches!(i.share, Share::Sales { .. }) {
                Basis::Sales
            } else {
                Basis::Profit
            };
            on != i.forecast.basis()
        }
        Share::EquivalentInvestment {
            technology_cost_fen,
            technology_cost_profit_pct,
            user_cost_fen,
            user_cost_profit_pct,
        } => {
            amount(&mut c, "share.technology_cost_fen", *technology_cost_fen);
            amount(&mut c, "share.user_cost_fen", *user_cost_fen);
            pct(
                &mut c,
                "share.technology_cost_profit_pct",
                *technology_cost_profit_pct,
                -100.0,
                10_000.0,
            );
            pct(
                &mut c,
                "share.user_cost_profit_pct",
                *user_cost_profit_pct,
                -100.0,
                10_000.0,
            );
            c.ensure(
                *technology_cost_fen > 0,
                "share.technology_cost_fen",
                || Rule::AtLeast {
                    min: 1,
                    found: *technology_cost_fen as f64,
                },
            );
            i.forecast.basis() == Basis::Sales
        }
    };
    match i.profit_margin_pct {
        Some(m) => pct(&mut c, "profit_margin_pct", m, 0.01, 100.0),
        None if needs_margin => c.fail("profit_margin_pct", Rule::Required),
        None => {}
    }
    pct(&mut c, "income_tax_pct", i.income_tax_pct, 0.0, 100.0);
    pct(&mut c, "risk_free_pct", i.risk_free_pct, 0.0, 30.0);
    let mut seen = Vec::new();
    for (n, p) in i.premia.iter().enumerate() {
        if seen.contains(&p.factor) {
            c.fail(format!("premia[{n}].factor"), Rule::Taken);
        }
        seen.push(p.factor);
        c.ensure(p.score <= 100, &format!("premia[{n}].score"), || {
            Rule::OutOfRange {
                min: 0,
                max: 100,
                found: f64::from(p.score),
            }
        });
        pct(
            &mut c,
            &format!("premia[{n}].max_pct"),
            p.max_pct,
            0.0,
            30.0,
        );
    }
    let (r, _) = income::discount_rate(i);
    if r.is_finite() && r <= 0.0 {
        c.fail(
            "risk_free_pct",
            Rule::AtLeast {
                min: 0,
                found: r * 100.0,
            },
        );
    }
    if let Some(ind) = &i.industry {
        c.max_len("industry", ind, 40);
    }
    c.finish()
}

fn check_cost(k: &mut CostInputs) -> Result<(), Invalid> {
    let mut c = Checker::default();
    for (name, v) in [
        ("labour_fen", k.labour_fen),
        ("materials_fen", k.materials_fen),
        ("overhead_fen", k.overhead_fen),
        ("opportunity_fen", k.opportunity_fen),
    ] {
        amount(&mut c, name, v);
    }
    pct(
        &mut c,
        "reasonable_profit_pct",
        k.reasonable_profit_pct,
        0.0,
        1000.0,
    );
    match k.obsolescence {
        Obsolescence::Entered { pct: p } => pct(&mut c, "obsolescence.pct", p, 0.0, 100.0),
        Obsolescence::RemainingLife { used_years } => {
            pct(&mut c, "obsolescence.used_years", used_years, 0.0, 100.0)
        }
    }
    pct(&mut c, "uncertainty_pct", k.uncertainty_pct, 0.0, 90.0);
    c.finish()
}

fn check_market(m: &mut MarketInputs) -> Result<(), Invalid> {
    let mut c = Checker::default();
    pct(&mut c, "time_growth_pct", m.time_growth_pct, -20.0, 20.0);
    c.nested("exclusivity_weights", m.exclusivity_weights.validate());
    if let Some(s) = m.subject_scale {
        pct(&mut c, "subject_scale", s, 0.0, 1e15);
    }
    c.ensure(
        (1..=50).contains(&m.min_comparables),
        "min_comparables",
        || Rule::OutOfRange {
            min: 1,
            max: 50,
            found: m.min_comparables as f64,
        },
    );
    c.ensure(m.comparables.len() <= 100, "comparables", || {
        Rule::TooMany {
            max: 100,
            found: m.comparables.len(),
        }
    });
    for (n, k) in m.comparables.iter_mut().enumerate() {
        let at = format!("comparables[{n}]");
        k.name = k.name.trim().to_string();
        c.text(&format!("{at}.name"), &k.name, 200);
        amount(&mut c, &format!("{at}.price_fen"), k.price_fen);
        if !k.similarity.is_finite() {
            c.fail(format!("{at}.similarity"), Rule::NotFinite);
        } else if !(k.similarity > 0.0 && k.similarity <= 1.0) {
            c.fail(
                format!("{at}.similarity"),
                Rule::OutOfRange {
                    min: 0,
                    max: 1,
                    found: k.similarity,
                },
            );
        }
        for (name, v) in [
            ("remaining_life_years", k.remaining_life_years),
            ("scale", k.scale),
        ] {
            if let Some(v) = v {
                pct(&mut c, &format!("{at}.{name}"), v, 0.0, 1e15);
            }
        }
        let f = &k.factors;
        for (name, v) in [
            ("technical", f.technical),
            ("time", f.time),
            ("remaining_life", f.remaining_life),
            ("exclusivity", f.exclusivity),
            ("scale", f.scale),
        ] {
            if let Some(v) = v {
                pct(&mut c, &format!("{at}.factors.{name}"), v, 0.0, 10.0);
            }
        }
        if let Some(r) = &k.reason {
            c.max_len(&format!("{at}.reason"), r, 500);
        }
    }
    c.finish()
}

/// Validates `inputs` and computes every approach they hold.
pub fn value(inputs: &Inputs) -> Result<Valuation, Invalid> {
    let mut inputs = inputs.clone();
    inputs.validate()?;
    let life = legal::life(
        inputs.economic_life_years,
        inputs.patent.as_ref(),
        inputs.valuation_date,
    );
    Ok(Valuation {
        income: inputs.income.as_ref().map(|i| income::value(i, life.n)),
        cost: inputs
            .cost
            .as_ref()
            .map(|c| cost::value(c, life.remaining_years)),
        market: inputs
            .market
            .as_ref()
            .map(|m| market::value(m, inputs.valuation_date, life.remaining_years)),
        sensitivity: sensitivity::bars(&inputs, inputs.sensitivity_pct),
        proposed_price_fen: inputs.proposed_price_fen,
        life,
    })
}
