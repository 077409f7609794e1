//! Which inputs move the value most: each input moved by ±x % on its own, the others kept,
//! and the value computed again (the bars of a tornado chart, the widest first).
//!
//! The income approach's point value answers for its inputs (sales, share, risk-free rate,
//! risk premia, income tax, growth, economic life), the cost approach's for its own
//! (replacement cost, obsolescence). The market approach is a weighted mean of prices: every
//! price moves it in proportion, so it has no bar of its own.

use serde::{Deserialize, Serialize};

use super::{Forecast, Inputs, Obsolescence, Share, cost, income, legal};

/// One bar: the approach's value with one input lowered and raised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bar {
    /// The input's code (`sales`, `share`, `risk_free`…).
    pub input: String,
    /// Its Chinese name.
    pub label_zh: String,
    /// Its English name.
    pub label_en: String,
    /// `income` or `cost`.
    pub approach: String,
    /// The approach's value before any change, in 分.
    pub base_fen: i64,
    /// With the input lowered by x %, in 分.
    pub minus_fen: i64,
    /// With the input raised by x %, in 分.
    pub plus_fen: i64,
}

impl Bar {
    /// How far the value swings between the two ends, in 分.
    pub fn swing(&self) -> i64 {
        (self.plus_fen - self.minus_fen).abs()
    }
}

fn scale_forecast(f: &mut Forecast, k: f64) {
    match f {
        Forecast::Table { amounts_fen, .. } => {
            for a in amounts_fen {
                *a = (*a as f64 * k).round() as i64;
            }
        }
        Forecast::PriceVolume { price_fen, .. } => {
            *price_fen = (*price_fen as f64 * k).round() as i64
        }
    }
}

fn scale_share(s: &mut Share, k: f64) {
    match s {
        Share::Sales { low_pct, high_pct } | Share::Profit { low_pct, high_pct } => {
            *low_pct *= k;
            *high_pct *= k;
        }
        // K = T / (T + U): scaling the technology's cost moves K as the share moves.
        Share::EquivalentInvestment {
            technology_cost_fen,
            ..
        } => *technology_cost_fen = (*technology_cost_fen as f64 * k).round() as i64,
    }
}

fn growth(f: &mut Forecast) -> &mut f64 {
    match f {
        Forecast::Table { growth_pct, .. } | Forecast::PriceVolume { growth_pct, .. } => growth_pct,
    }
}

/// The bars for `inputs` moved by ±`pct` %, the widest first.
pub fn bars(inputs: &Inputs, pct: f64) -> Vec<Bar> {
    let mut out = Vec::new();
    let x = pct / 100.0;
    type Tweak = fn(&mut Inputs, f64);
    if inputs.income.is_some() {
        let point = |i: &Inputs| {
            let life = legal::life(i.economic_life_years, i.patent.as_ref(), i.valuation_date);
            i.income
                .as_ref()
                .map(|inc| income::value(inc, life.n).point_fen)
                .unwrap_or(0)
        };
        let base = point(inputs);
        let tweaks: [(&str, &str, &str, Tweak); 7] = [
            ("sales", "销售收入", "Sales", |i, k| {
                scale_forecast(&mut i.income.as_mut().expect("income").forecast, k)
            }),
            ("share", "分成率", "Share", |i, k| {
                scale_share(&mut i.income.as_mut().expect("income").share, k)
            }),
            (
                "risk_free",
                "无风险报酬率",
                "Risk-free rate",
                |i, k| i.income.as_mut().expect("income").risk_free_pct *= k,
            ),
            ("premia", "风险报酬率", "Risk premia", |i, k| {
                for p in &mut i.income.as_mut().expect("income").premia {
                    p.max_pct *= k;
                }
            }),
            ("income_tax", "所得税率", "Income tax", |i, k| {
                i.income.as_mut().expect("income").income_tax_pct *= k
            }),
            ("growth", "增长率", "Growth", |i, k| {
                *growth(&mut i.income.as_mut().expect("income").forecast) *= k
            }),
            ("economic_life", "经济寿命", "Economic life", |i, k| {
                // Whole years, moved by at least one.
                let y = f64::from(i.economic_life_years);
                let moved = if k > 1.0 {
                    (y * k).ceil().max(y + 1.0)
                } else {
                    (y * k).floor().min(y - 1.0)
                };
                i.economic_life_years = moved.max(1.0) as u32;
            }),
        ];
        for (code, zh, en, tweak) in tweaks {
            let mut lo = inputs.clone();
            tweak(&mut lo, 1.0 - x);
            let mut hi = inputs.clone();
            tweak(&mut hi, 1.0 + x);
            out.push(Bar {
                input: code.into(),
                label_zh: zh.into(),
                label_en: en.into(),
                approach: "income".into(),
                base_fen: base,
                minus_fen: point(&lo),
                plus_fen: point(&hi),
            });
        }
    }
    if let Some(c) = &inputs.cost {
        let life = legal::life(
            inputs.economic_life_years,
            inputs.patent.as_ref(),
            inputs.valuation_date,
        );
        let base = cost::value(c, life.remaining_years);
        let with = |k: f64, on_cost: bool| {
            let mut c2 = c.clone();
            if on_cost {
                for a in [
                    &mut c2.labour_fen,
                    &mut c2.materials_fen,
                    &mut c2.overhead_fen,
                    &mut c2.opportunity_fen,
                ] {
                    *a = (*a as f64 * k).round() as i64;
                }
                cost::value(&c2, life.remaining_years).point_fen
            } else {
                let obs = (base.obsolescence * k).clamp(0.0, 1.0);
                c2.obsolescence = Obsolescence::Entered { pct: obs * 100.0 };
                cost::value(&c2, life.remaining_years).point_fen
            }
        };
        for (code, zh, en, on_cost) in [
            ("replacement_cost", "重置成本", "Replacement cost", true),
            ("obsolescence", "贬值率", "Obsolescence", false),
        ] {
            out.push(Bar {
                input: code.into(),
                label_zh: zh.into(),
                label_en: en.into(),
                approach: "cost".into(),
                base_fen: base.point_fen,
                minus_fen: with(1.0 - x, on_cost),
                plus_fen: with(1.0 + x, on_cost),
            });
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.swing()));
    out
}
