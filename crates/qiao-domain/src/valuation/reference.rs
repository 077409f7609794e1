//! The reference values shown beside a valuation's inputs: share (分成率) ranges by industry,
//! the caps of the risk premia, the default risk-free rate, yearly price change and
//! exclusivity weights, with their source and year.
//!
//! They are data (`rules/valuation.json`), which staff edit at run time (the store keeps the
//! edited copy as a setting); what ships says plainly that it is Qiao's starting values and
//! not a published authority.

use serde::{Deserialize, Serialize};

use super::{ExclusivityWeights, RiskFactor};
use crate::invalid::{Checker, Invalid, Rule};

/// One industry's share ranges, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryShare {
    /// A stable code (`pharmaceuticals`).
    pub code: String,
    /// The Chinese name.
    pub label_zh: String,
    /// The English name.
    pub label_en: String,
    /// Share of sales, low end.
    pub sales_low_pct: f64,
    /// Share of sales, high end.
    pub sales_high_pct: f64,
    /// Share of profit, low end.
    pub profit_low_pct: f64,
    /// Share of profit, high end.
    pub profit_high_pct: f64,
}

/// The caps of the four risk premia, in percent: a score of 100 adds the whole cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCaps {
    /// 技术风险
    pub technical: f64,
    /// 市场风险
    pub market: f64,
    /// 资金风险
    pub financing: f64,
    /// 管理风险
    pub management: f64,
}

impl RiskCaps {
    /// The cap of `factor`.
    pub fn of(&self, factor: RiskFactor) -> f64 {
        match factor {
            RiskFactor::Technical => self.technical,
            RiskFactor::Market => self.market,
            RiskFactor::Financing => self.financing,
            RiskFactor::Management => self.management,
        }
    }
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// What it is.
    pub title: String,
    /// Where the values come from, in English.
    pub source: String,
    /// The same in Chinese.
    pub source_zh: String,
    /// The year the values are of.
    pub year: i32,
    /// Share ranges by industry.
    pub industries: Vec<IndustryShare>,
    /// Caps of the risk premia.
    pub risk_caps_pct: RiskCaps,
    /// The default risk-free rate (to be replaced by the valuation date's yield).
    pub risk_free_pct: f64,
    /// The default yearly price change of the market approach's time factor.
    pub time_growth_pct: f64,
    /// The default exclusivity weights.
    pub exclusivity_weights: ExclusivityWeights,
}

impl Default for Reference {
    /// The shipped table.
    fn default() -> Self {
        Reference::parse(include_str!("../../rules/valuation.json"))
            .expect("rules/valuation.json is checked by the tests")
    }
}

impl Reference {
    /// Reads and checks a table.
    pub fn parse(json: &str) -> Result<Reference, Invalid> {
        let mut r: Reference = serde_json::from_str(json).map_err(|e| {
            Invalid::field(
                "",
                Rule::NotJson {
                    detail: e.to_string(),
                },
            )
        })?;
        r.validate()?;
        Ok(r)
    }

    /// The industry of `code`.
    pub fn industry(&self, code: &str) -> Option<&IndustryShare> {
        self.industries.iter().find(|i| i.code == code)
    }

    /// Checks every range (0–100 %, low ≤ high) and text.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        c.text("title", &self.title, 200);
        c.text("source", &self.source, 2000);
        c.text("source_zh", &self.source_zh, 2000);
        c.ensure((1990..=2100).contains(&self.year), "year", || {
            Rule::OutOfRange {
                min: 1990,
                max: 2100,
                found: f64::from(self.year),
            }
        });
        c.ensure(self.industries.len() <= 100, "industries", || {
            Rule::TooMany {
                max: 100,
                found: self.industries.len(),
            }
        });
        let mut seen = std::collections::HashSet::new();
        for (i, ind) in self.industries.iter_mut().enumerate() {
            let at = format!("industries[{i}]");
            ind.code = ind.code.trim().to_string();
            c.text(&format!("{at}.code"), &ind.code, 40);
            c.ensure(seen.insert(ind.code.clone()), &format!("{at}.code"), || {
                Rule::Taken
            });
            c.text(&format!("{at}.label_zh"), &ind.label_zh, 40);
            c.text(&format!("{at}.label_en"), &ind.label_en, 80);
            for (lo_name, lo, hi_name, hi) in [
                (
                    "sales_low_pct",
                    ind.sales_low_pct,
                    "sales_high_pct",
                    ind.sales_high_pct,
                ),
                (
                    "profit_low_pct",
                    ind.profit_low_pct,
                    "profit_high_pct",
                    ind.profit_high_pct,
                ),
            ] {
                super::pct(&mut c, &format!("{at}.{lo_name}"), lo, 0.0, 100.0);
                super::pct(&mut c, &format!("{at}.{hi_name}"), hi, 0.0, 100.0);
                if lo > hi {
                    c.fail(
                        format!("{at}.{hi_name}"),
                        Rule::Below {
                            other: lo_name.into(),
                            found: hi.round() as i64,
                            limit: lo.round() as i64,
                        },
                    );
                }
            }
        }
        for f in RiskFactor::ALL {
            super::pct(
                &mut c,
                &format!("risk_caps_pct.{}", f.as_str()),
                self.risk_caps_pct.of(*f),
                0.0,
                30.0,
            );
        }
        super::pct(&mut c, "risk_free_pct", self.risk_free_pct, 0.0, 20.0);
        super::pct(&mut c, "time_growth_pct", self.time_growth_pct, -20.0, 20.0);
        c.nested("exclusivity_weights", self.exclusivity_weights.validate());
        c.finish()
    }
}
