//! The valuation form: its fields named by the inputs' JSON paths (`income.share.low_pct`), so
//! a domain error's field is the input it belongs beside; amounts typed in 元 (万 and 亿
//! allowed), read into 分 exactly (`amounts::parse_fen`); a forecast typed as one amount per
//! year, separated by commas or spaces. Reading collects every unreadable field at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use qiao_domain::valuation::{
    Basis, Comparable, CostInputs, Exclusivity, ExclusivityWeights, FactorOverrides, Forecast,
    IncomeInputs, Inputs, MarketInputs, Obsolescence, Patent, PatentKind, Premium, RiskFactor,
    Share,
};
use qiao_domain::{ContractKind, FieldError, Format, Invalid, Rule};

use super::amounts::{parse_fen, yuan_number};
use super::form::FormData;

/// Comparables the form carries at most.
pub const MAX_ROWS: usize = 12;

struct Reader<'a> {
    form: &'a FormData,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn raw(&self, name: &str) -> &str {
        self.form.get(name).map(str::trim).unwrap_or("")
    }

    fn on(&self, name: &str) -> bool {
        !self.raw(name).is_empty()
    }

    fn bad(&mut self, name: &str, format: Format) {
        let found = self.raw(name).chars().take(40).collect();
        self.errors
            .push(FieldError::new(name, Rule::BadFormat { found, format }));
    }

    fn number(&mut self, name: &str) -> f64 {
        match self.opt_number(name) {
            Some(x) => x,
            None => {
                if self.raw(name).is_empty() {
                    self.errors.push(FieldError::new(name, Rule::Required));
                }
                0.0
            }
        }
    }

    fn opt_number(&mut self, name: &str) -> Option<f64> {
        let raw = self.raw(name).trim_end_matches('%').trim().to_string();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                self.bad(name, Format::Number);
                None
            }
        }
    }

    fn whole<T: std::str::FromStr + Default>(&mut self, name: &str) -> T {
        match self.raw(name).parse() {
            Ok(x) => x,
            Err(_) => {
                self.bad(name, Format::WholeNumber);
                T::default()
            }
        }
    }

    fn fen(&mut self, name: &str) -> i64 {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return 0;
        }
        parse_fen(&raw).unwrap_or_else(|| {
            self.bad(name, Format::Amount);
            0
        })
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
            .ok()
            .or_else(|| {
                self.bad(name, Format::Date);
                None
            })
    }

    fn choice<T: Copy>(&mut self, name: &str, parse: fn(&str) -> Option<T>, default: T) -> T {
        parse(self.raw(name)).unwrap_or_else(|| {
            if self.on(name) {
                self.errors.push(FieldError::new(name, Rule::Choose));
            }
            default
        })
    }
}

/// Reads the form into inputs; every field it cannot read is named.
pub fn parse(form: &FormData, today: NaiveDate) -> Result<Inputs, Invalid> {
    let mut r = Reader {
        form,
        errors: Vec::new(),
    };
    let valuation_date = r.date("valuation_date").unwrap_or(today);
    let patent = match PatentKind::parse(r.raw("patent.kind")) {
        Some(kind) => {
            let filed_on = r.date("patent.filed_on");
            if filed_on.is_none() && !r.on("patent.filed_on") {
                r.errors
                    .push(FieldError::new("patent.filed_on", Rule::Required));
            }
            filed_on.map(|filed_on| Patent {
                kind,
                filed_on,
                number: Some(r.raw("patent.number").to_string()).filter(|n| !n.is_empty()),
            })
        }
        None => None,
    };
    let economic_life_years = r.whole("economic_life_years");
    let income = r.on("use_income").then(|| income(&mut r));
    let cost = r.on("use_cost").then(|| cost(&mut r));
    let market = r.on("use_market").then(|| market(&mut r));
    let proposed_price_fen = r
        .on("proposed_price_fen")
        .then(|| r.fen("proposed_price_fen"));
    let sensitivity_pct = r.opt_number("sensitivity_pct").unwrap_or(10.0);
    if !r.errors.is_empty() {
        return Err(Invalid(r.errors));
    }
    Ok(Inputs {
        valuation_date,
        patent,
        economic_life_years,
        income,
        cost,
        market,
        proposed_price_fen,
        sensitivity_pct,
    })
}

fn income(r: &mut Reader<'_>) -> IncomeInputs {
    let name = "income.forecast.amounts_fen";
    let text = r.raw(name).to_string();
    let mut amounts = Vec::new();
    // Commas are thousands separators inside an amount (the form writes 3,000,000.00 back), so
    // years are separated by semicolons, 、 or line breaks and spaces only.
    for part in text
        .split([' ', '、', '\n', ';', '；'])
        .filter(|p| !p.trim().is_empty())
    {
        match parse_fen(part) {
            Some(f) => amounts.push(f),
            None => {
                r.errors.push(FieldError::new(
                    name,
                    Rule::BadFormat {
                        found: part.chars().take(40).collect(),
                        format: Format::Amount,
                    },
                ));
                break;
            }
        }
    }
    let basis = r.choice("income.forecast.basis", Basis::parse, Basis::Sales);
    let growth_pct = r.opt_number("income.forecast.growth_pct").unwrap_or(0.0);
    let share = match r.raw("income.share.kind") {
        "equivalent_investment" => Share::EquivalentInvestment {
            technology_cost_fen: r.fen("income.share.technology_cost_fen"),
            technology_cost_profit_pct: r.number("income.share.technology_cost_profit_pct"),
            user_cost_fen: r.fen("income.share.user_cost_fen"),
            user_cost_profit_pct: r.number("income.share.user_cost_profit_pct"),
        },
        "profit" => Share::Profit {
            low_pct: r.number("income.share.low_pct"),
            high_pct: r.number("income.share.high_pct"),
        },
        _ => Share::Sales {
            low_pct: r.number("income.share.low_pct"),
            high_pct: r.number("income.share.high_pct"),
        },
    };
    let premia = RiskFactor::ALL
        .iter()
        .enumerate()
        .map(|(i, f)| Premium {
            factor: *f,
            score: r.whole(&format!("income.premia[{i}].score")),
            max_pct: r.number(&format!("income.premia[{i}].max_pct")),
        })
        .collect();
    IncomeInputs {
        forecast: Forecast::Table {
            basis,
            amounts_fen: amounts,
            growth_pct,
        },
        share,
        profit_margin_pct: r.opt_number("income.profit_margin_pct"),
        income_tax_pct: r.number("income.income_tax_pct"),
        risk_free_pct: r.number("income.risk_free_pct"),
        premia,
        industry: Some(r.raw("income.industry").to_string()).filter(|s| !s.is_empty()),
    }
}

fn cost(r: &mut Reader<'_>) -> CostInputs {
    let obsolescence = if r.raw("cost.obsolescence.kind") == "entered" {
        Obsolescence::Entered {
            pct: r.number("cost.obsolescence.pct"),
        }
    } else {
        Obsolescence::RemainingLife {
            used_years: r.number("cost.obsolescence.used_years"),
        }
    };
    CostInputs {
        labour_fen: r.fen("cost.labour_fen"),
        materials_fen: r.fen("cost.materials_fen"),
        overhead_fen: r.fen("cost.overhead_fen"),
        opportunity_fen: r.fen("cost.opportunity_fen"),
        reasonable_profit_pct: r.opt_number("cost.reasonable_profit_pct").unwrap_or(0.0),
        obsolescence,
        uncertainty_pct: r.opt_number("cost.uncertainty_pct").unwrap_or(10.0),
    }
}

fn market(r: &mut Reader<'_>) -> MarketInputs {
    let mut comparables = Vec::new();
    if !r.on("find_comparables") {
        for i in 0..MAX_ROWS {
            let at = format!("market.comparables[{i}]");
            if !r.on(&format!("{at}.name")) || !r.on(&format!("{at}.keep")) {
                continue;
            }
            let factor = |r: &mut Reader<'_>, f: &str| r.opt_number(&format!("{at}.factors.{f}"));
            let factors = FactorOverrides {
                technical: factor(r, "technical"),
                time: factor(r, "time"),
                remaining_life: factor(r, "remaining_life"),
                exclusivity: factor(r, "exclusivity"),
                scale: factor(r, "scale"),
            };
            comparables.push(Comparable {
                contract_id: r.raw(&format!("{at}.contract_id")).parse().ok(),
                name: r.raw(&format!("{at}.name")).to_string(),
                kind: r.choice(
                    &format!("{at}.kind"),
                    ContractKind::parse,
                    ContractKind::TransferPatent,
                ),
                price_fen: r.fen(&format!("{at}.price_fen")),
                signed_on: r.date(&format!("{at}.signed_on")).unwrap_or_default(),
                similarity: r.number(&format!("{at}.similarity")),
                remaining_life_years: r.opt_number(&format!("{at}.remaining_life_years")),
                scale: r.opt_number(&format!("{at}.scale")),
                reason: Some(r.raw(&format!("{at}.reason")).to_string()).filter(|s| !s.is_empty()),
                factors,
            });
        }
    }
    let weights = ExclusivityWeights {
        transfer: r.number("market.exclusivity_weights.transfer"),
        exclusive: r.number("market.exclusivity_weights.exclusive"),
        sole: r.number("market.exclusivity_weights.sole"),
        ordinary: r.number("market.exclusivity_weights.ordinary"),
    };
    MarketInputs {
        subject_exclusivity: r.choice(
            "market.subject_exclusivity",
            Exclusivity::parse,
            Exclusivity::Transfer,
        ),
        subject_scale: r.opt_number("market.subject_scale"),
        time_growth_pct: r.number("market.time_growth_pct"),
        exclusivity_weights: weights,
        comparables,
        min_comparables: r.whole("market.min_comparables"),
    }
}

fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The form's values for `inputs` (amounts in 元).
pub fn values(i: &Inputs) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut put = |k: &str, x: String| {
        v.insert(k.to_string(), x);
    };
    put("valuation_date", i.valuation_date.to_string());
    put("economic_life_years", i.economic_life_years.to_string());
    if let Some(p) = &i.patent {
        put("patent.kind", p.kind.as_str().into());
        put("patent.filed_on", p.filed_on.to_string());
        put("patent.number", p.number.clone().unwrap_or_default());
    }
    if let Some(p) = i.proposed_price_fen {
        put("proposed_price_fen", yuan_number(p));
    }
    put("sensitivity_pct", num(i.sensitivity_pct));
    if let Some(inc) = &i.income {
        put("use_income", "on".into());
        if let Forecast::Table {
            basis,
            amounts_fen,
            growth_pct,
        } = &inc.forecast
        {
            put("income.forecast.basis", basis.as_str().into());
            let list: Vec<String> = amounts_fen.iter().map(|a| yuan_number(*a)).collect();
            put("income.forecast.amounts_fen", list.join("; "));
            put("income.forecast.growth_pct", num(*growth_pct));
        }
        match &inc.share {
            Share::Sales { low_pct, high_pct } | Share::Profit { low_pct, high_pct } => {
                let kind = if matches!(inc.share, Share::Sales { .. }) {
                    "sales"
                } else {
                    "profit"
                };
                put("income.share.kind", kind.into());
                put("income.share.low_pct", num(*low_pct));
                put("income.share.high_pct", num(*high_pct));
            }
            Share::EquivalentInvestment {
                technology_cost_fen,
                technology_cost_profit_pct,
                user_cost_fen,
                user_cost_profit_pct,
            } => {
                put("income.share.kind", "equivalent_investment".into());
                put(
                    "income.share.technology_cost_fen",
                    yuan_number(*technology_cost_fen),
                );
                put(
                    "income.share.technology_cost_profit_pct",
                    num(*technology_cost_profit_pct),
                );
                put("income.share.user_cost_fen", yuan_number(*user_cost_fen));
                put(
                    "income.share.user_cost_profit_pct",
                    num(*user_cost_profit_pct),
                );
            }
        }
        if let Some(m) = inc.profit_margin_pct {
            put("income.profit_margin_pct", num(m));
        }
        put("income.income_tax_pct", num(inc.income_tax_pct));
        put("income.risk_free_pct", num(inc.risk_free_pct));
        for (n, f) in RiskFactor::ALL.iter().enumerate() {
            if let Some(p) = inc.premia.iter().find(|p| p.factor == *f) {
                put(&format!("income.premia[{n}].score"), p.score.to_string());
                put(&format!("income.premia[{n}].max_pct"), num(p.max_pct));
            }
        }
        put("income.industry", inc.industry.clone().unwrap_or_default());
    }
    if let Some(c) = &i.cost {
        put("use_cost", "on".into());
        put("cost.labour_fen", yuan_number(c.labour_fen));
        put("cost.materials_fen", yuan_number(c.materials_fen));
        put("cost.overhead_fen", yuan_number(c.overhead_fen));
        put("cost.opportunity_fen", yuan_number(c.opportunity_fen));
        put("cost.reasonable_profit_pct", num(c.reasonable_profit_pct));
        match c.obsolescence {
            Obsolescence::Entered { pct } => {
                put("cost.obsolescence.kind", "entered".into());
                put("cost.obsolescence.pct", num(pct));
            }
            Obsolescence::RemainingLife { used_years } => {
                put("cost.obsolescence.kind", "remaining_life".into());
                put("cost.obsolescence.used_years", num(used_years));
            }
        }
        put("cost.uncertainty_pct", num(c.uncertainty_pct));
    }
    if let Some(m) = &i.market {
        put("use_market", "on".into());
        put(
            "market.subject_exclusivity",
            m.subject_exclusivity.as_str().into(),
        );
        if let Some(s) = m.subject_scale {
            put("market.subject_scale", num(s));
        }
        put("market.time_growth_pct", num(m.time_growth_pct));
        put("market.min_comparables", m.min_comparables.to_string());
        let w = &m.exclusivity_weights;
        put("market.exclusivity_weights.transfer", num(w.transfer));
        put("market.exclusivity_weights.exclusive", num(w.exclusive));
        put("market.exclusivity_weights.sole", num(w.sole));
        put("market.exclusivity_weights.ordinary", num(w.ordinary));
        for (n, c) in m.comparables.iter().take(MAX_ROWS).enumerate() {
            let at = format!("market.comparables[{n}]");
            put(&format!("{at}.keep"), "on".into());
            put(
                &format!("{at}.contract_id"),
                c.contract_id.map(|x| x.to_string()).unwrap_or_default(),
            );
            put(&format!("{at}.name"), c.name.clone());
            put(&format!("{at}.kind"), c.kind.as_str().into());
            put(&format!("{at}.price_fen"), yuan_number(c.price_fen));
            put(&format!("{at}.signed_on"), c.signed_on.to_string());
            put(&format!("{at}.similarity"), num(c.similarity));
            put(
                &format!("{at}.reason"),
                c.reason.clone().unwrap_or_default(),
            );
            if let Some(y) = c.remaining_life_years {
                put(&format!("{at}.remaining_life_years"), num(y));
            }
            if let Some(s) = c.scale {
                put(&format!("{at}.scale"), num(s));
            }
            let f = &c.factors;
            for (k, x) in [
                ("technical", f.technical),
                ("time", f.time),
                ("remaining_life", f.remaining_life),
                ("exclusivity", f.exclusivity),
                ("scale", f.scale),
            ] {
                if let Some(x) = x {
                    put(&format!("{at}.factors.{k}"), num(x));
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_amounts_keep_their_thousands_separators() {
        let form = FormData(vec![(
            "income.forecast.amounts_fen".into(),
            "3,000,000.00; 5,000,000.00、8000000\n1，000".into(),
        )]);
        let mut r = Reader {
            form: &form,
            errors: Vec::new(),
        };
        let inputs = income(&mut r);
        // Only the forecast was typed: the other income fields are missing, the forecast is not.
        assert!(
            r.errors
                .iter()
                .all(|e| e.field != "income.forecast.amounts_fen"),
            "{:?}",
            r.errors
        );
        let Forecast::Table { amounts_fen, .. } = inputs.forecast else {
            panic!("a table was typed");
        };
        assert_eq!(
            amounts_fen,
            vec![300_000_000, 500_000_000, 800_000_000, 100_000]
        );
    }
}
