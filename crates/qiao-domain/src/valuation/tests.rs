//! The formulas against worked examples and hand-computed cases, and the properties every
//! valuation keeps.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::contract::ContractKind;
use crate::invalid::Invalid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn premia(scores: [u8; 4]) -> Vec<Premium> {
    RiskFactor::ALL
        .iter()
        .zip(scores)
        .map(|(f, score)| Premium {
            factor: *f,
            score,
            max_pct: 5.0,
        })
        .collect()
}

/// Sales of 100万元 a year for 3 years, a 5 % share of sales, no tax, r = 10 %.
fn simple_income() -> IncomeInputs {
    IncomeInputs {
        forecast: Forecast::Table {
            basis: Basis::Sales,
            amounts_fen: vec![100_000_000; 3],
            growth_pct: 0.0,
        },
        share: Share::Sales {
            low_pct: 5.0,
            high_pct: 5.0,
        },
        profit_margin_pct: None,
        income_tax_pct: 0.0,
        risk_free_pct: 10.0,
        premia: vec![],
        industry: None,
    }
}

fn inputs() -> Inputs {
    Inputs {
        valuation_date: day(2026, 12, 1),
        patent: None,
        economic_life_years: 3,
        income: Some(simple_income()),
        cost: None,
        market: None,
        proposed_price_fen: None,
        sensitivity_pct: 10.0,
    }
}

fn fields(i: &Inputs) -> Vec<String> {
    match value(i) {
        Ok(_) => vec![],
        Err(Invalid(e)) => e.into_iter().map(|e| e.field).collect(),
    }
}

/// 约当投资分成: technology 600, user 3300 (after their cost-profit rates): 600 / 3900.
#[test]
fn equivalent_investment_worked_example() {
    // 200 × (1 + 200 %) = 600; 3000 × (1 + 10 %) = 3300.
    let k = income::equivalent_investment_share(200, 200.0, 3000, 10.0);
    assert!((k - 600.0 / 3900.0).abs() < 1e-12);
    // 0.153846…: 15.38 % to two places (the "15.39 %" rounds the other way).
    assert_eq!(format!("{:.2}", k * 100.0), "15.38");
}

/// A 25 % share of profit at a 15 % margin is a 3.75 % share of sales.
#[test]
fn profit_share_to_sales_share() {
    let k = income::sales_share_from_profit_share(0.25, 0.15);
    assert!((k - 0.0375).abs() < 1e-15);
    // The same through the inputs: sales forecast, share on profit, margin given.
    let mut i = inputs();
    let inc = i.income.as_mut().unwrap();
    inc.share = Share::Profit {
        low_pct: 25.0,
        high_pct: 25.0,
    };
    inc.profit_margin_pct = Some(15.0);
    let v = value(&i).unwrap().income.unwrap();
    assert!((v.share_low - 0.0375).abs() < 1e-15);
}

/// By hand: 5万 a year for 3 years at 10 %: 50000/1.1 + 50000/1.21 + 50000/1.331
/// = 45454.545… + 41322.314… + 37565.740… = 124342.60 yuan = 12434260 分 (rounded once).
#[test]
fn income_by_hand() {
    let v = value(&inputs()).unwrap();
    let inc = v.income.unwrap();
    assert_eq!(inc.n, 3);
    assert_eq!(inc.point_fen, 12_434_260);
    assert_eq!(inc.years.len(), 3);
    assert_eq!(inc.years[0].present_value_fen, 4_545_455);
    assert!((inc.discount_rate - 0.10).abs() < 1e-12);
}

/// Tax and scored premia: r = 2 % + (60 % + 40 % + 20 % + 0 %) of 5 % = 8 %; 25 % tax.
/// One year of 1000万 sales at 4 %: 40万 × 0.75 / 1.08 = 277777.78 yuan.
#[test]
fn premia_and_tax_by_hand() {
    let mut i = inputs();
    i.economic_life_years = 1;
    let inc = i.income.as_mut().unwrap();
    inc.forecast = Forecast::PriceVolume {
        basis: Basis::Sales,
        price_fen: 100_000,
        volume: 10_000,
        growth_pct: 0.0,
    };
    inc.share = Share::Sales {
        low_pct: 3.0,
        high_pct: 5.0,
    };
    inc.income_tax_pct = 25.0;
    inc.risk_free_pct = 2.0;
    inc.premia = premia([60, 40, 20, 0]);
    let v = value(&i).unwrap().income.unwrap();
    assert!((v.discount_rate - 0.08).abs() < 1e-12);
    assert_eq!(v.point_fen, 27_777_778);
    // The ends at 3 % and 5 %.
    assert_eq!(v.low_fen, 20_833_333);
    assert_eq!(v.high_fen, 34_722_222);
}

/// A table shorter than n continues from its last year at the growth rate.
#[test]
fn table_continues_at_the_growth_rate() {
    let f = Forecast::Table {
        basis: Basis::Sales,
        amounts_fen: vec![100, 200],
        growth_pct: 10.0,
    };
    assert_eq!(income::revenue(&f, 2), 200.0);
    assert!((income::revenue(&f, 4) - 242.0).abs() < 1e-9);
}

/// Replacement cost: (60 + 30 + 10)万 direct, 20 % profit, 10万 opportunity = 130万; a third
/// used (2 years used, 4 remaining): 130万 × 2/3 = 866666.67 yuan.
#[test]
fn cost_by_hand() {
    let mut i = inputs();
    i.economic_life_years = 4;
    i.income = None;
    i.cost = Some(CostInputs {
        labour_fen: 60_000_000,
        materials_fen: 30_000_000,
        overhead_fen: 10_000_000,
        opportunity_fen: 10_000_000,
        reasonable_profit_pct: 20.0,
        obsolescence: Obsolescence::RemainingLife { used_years: 2.0 },
        uncertainty_pct: 10.0,
    });
    let c = value(&i).unwrap().cost.unwrap();
    assert_eq!(c.replacement_fen, 130_000_000);
    assert!((c.obsolescence - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(c.point_fen, 86_666_667);
    assert_eq!(c.low_fen, 78_000_000);
    assert_eq!(c.high_fen, 95_333_333);
}

fn comparable(price_yuan: i64, year: i32, kind: ContractKind, similarity: f64) -> Comparable {
    Comparable {
        contract_id: None,
        name: format!("可比合同 {price_yuan}"),
        kind,
        price_fen: price_yuan * 100,
        signed_on: day(year, 6, 1),
        similarity,
        remaining_life_years: None,
        scale: None,
        reason: None,
        factors: FactorOverrides::default(),
    }
}

fn market(comparables: Vec<Comparable>) -> MarketInputs {
    MarketInputs {
        subject_exclusivity: Exclusivity::Transfer,
        subject_scale: None,
        time_growth_pct: 0.0,
        exclusivity_weights: ExclusivityWeights {
            transfer: 1.0,
            exclusive: 1.0,
            sole: 0.75,
            ordinary: 0.5,
        },
        comparables,
        min_comparables: 3,
    }
}

/// Three comparables: 100万 transfer (weight 1), 50万 ordinary licence (×2 → 100万,
/// weight 0.5), 150万 transfer signed two years back at 5 %/yr (×1.1025 → 165.375万,
/// weight 0.5). Mean = (100 + 50 + 82.6875) / 2 = 116.34375万.
#[test]
fn market_by_hand() {
    use ContractKind::*;
    let mut m = market(vec![
        comparable(1_000_000, 2026, TransferPatent, 1.0),
        comparable(500_000, 2026, LicenceOrdinary, 0.5),
        comparable(1_500_000, 2024, TransferPatent, 0.5),
    ]);
    m.time_growth_pct = 5.0;
    let mut i = inputs();
    i.income = None;
    i.market = Some(m);
    let MarketResult::Value {
        comparables,
        mean_fen,
        spread_fen,
        ..
    } = value(&i).unwrap().market.unwrap()
    else {
        panic!("three comparables give a value")
    };
    assert_eq!(comparables[1].adjusted_fen, 100_000_000);
    assert_eq!(comparables[2].adjusted_fen, 165_375_000);
    assert_eq!(mean_fen, 116_343_750);
    // Weighted variance: (1·16.34375² + 0.5·16.34375² + 0.5·49.03125²) / 2 万².
    let var: f64 = (16.34375f64.powi(2) * 1.5 + 0.5 * 49.03125f64.powi(2)) / 2.0;
    assert!((spread_fen - (var.sqrt() * 1_000_000.0).round() as i64).abs() <= 1);
    // An entered factor replaces the computed one and says so.
    let f = &comparables[1].factors[3];
    assert_eq!(
        (f.code.as_str(), f.value, f.entered),
        ("exclusivity", 2.0, false)
    );
}

#[test]
fn too_few_comparables_give_no_market_value() {
    let mut i = inputs();
    i.market = Some(market(vec![comparable(
        1_000_000,
        2026,
        ContractKind::TransferPatent,
        1.0,
    )]));
    let v = value(&i).unwrap();
    assert!(matches!(
        v.market,
        Some(MarketResult::TooFew {
            found: 1,
            needed: 3,
            ..
        })
    ));
    assert_eq!(v.ranges().len(), 1, "only the income approach has a range");
}

#[test]
fn entered_factors_win() {
    let mut c = comparable(1_000_000, 2020, ContractKind::LicenceSole, 0.8);
    c.factors.time = Some(1.0);
    c.factors.technical = Some(1.2);
    let mut m = market(vec![c]);
    m.min_comparables = 1;
    m.time_growth_pct = 10.0;
    let MarketResult::Value { comparables, .. } = market::value(&m, day(2026, 1, 1), 5.0) else {
        panic!()
    };
    // 1.2 (technical) × 1 (time, entered) × 1 × (1 / 0.75) × 1.
    assert_eq!(comparables[0].adjusted_fen, 160_000_000);
    assert!(comparables[0].factors[1].entered);
}

#[test]
fn bad_inputs_are_named_by_field() {
    let mut i = inputs();
    i.economic_life_years = 0;
    let inc = i.income.as_mut().unwrap();
    inc.share = Share::Profit {
        low_pct: 30.0,
        high_pct: 20.0,
    };
    inc.income_tax_pct = f64::NAN;
    inc.premia = premia([10, 200, 0, 0]);
    inc.premia.push(Premium {
        factor: RiskFactor::Technical,
        score: 1,
        max_pct: 5.0,
    });
    assert_eq!(
        fields(&i),
        [
            "economic_life_years",
            "income.share.high_pct",
            "income.profit_margin_pct",
            "income.income_tax_pct",
            "income.premia[1].score",
            "income.premia[4].factor",
        ]
    );
    let mut none = inputs();
    none.income = None;
    assert_eq!(fields(&none), ["income"]);
}

#[test]
fn sensitivity_bars_are_sorted_and_move_the_right_way() {
    let mut i = inputs();
    i.cost = Some(CostInputs {
        labour_fen: 1_000_000,
        materials_fen: 0,
        overhead_fen: 0,
        opportunity_fen: 0,
        reasonable_profit_pct: 0.0,
        obsolescence: Obsolescence::Entered { pct: 20.0 },
        uncertainty_pct: 0.0,
    });
    let v = value(&i).unwrap();
    let bars = &v.sensitivity;
    assert!(bars.windows(2).all(|w| w[0].swing() >= w[1].swing()));
    let by = |code: &str| bars.iter().find(|b| b.input == code).unwrap().clone();
    let sales = by("sales");
    assert!(sales.minus_fen < sales.base_fen && sales.base_fen < sales.plus_fen);
    let r = by("risk_free");
    assert!(r.minus_fen > r.base_fen && r.plus_fen < r.base_fen);
    let obs = by("obsolescence");
    assert_eq!((obs.minus_fen, obs.plus_fen), (820_000, 780_000));
}

#[test]
fn the_shipped_reference_table_is_valid_and_says_what_it_is() {
    let r = Reference::default();
    assert!(r.industries.len() >= 5);
    assert!(r.source.contains("not a published table"));
    assert!(r.industry("pharmaceuticals").is_some());
    let mut bad = r.clone();
    bad.industries[0].sales_low_pct = 50.0;
    bad.industries[0].sales_high_pct = 2.0;
    let Err(Invalid(e)) = bad.validate() else {
        panic!()
    };
    assert_eq!(e[0].field, "industries[0].sales_high_pct");
}

#[test]
fn inputs_round_trip_through_json() {
    let i = inputs();
    let json = serde_json::to_value(&i).unwrap();
    assert_eq!(serde_json::from_value::<Inputs>(json).unwrap(), i);
}

fn income_value(sales: i64, r_pct: f64, years: u32) -> i64 {
    let mut i = inputs();
    i.economic_life_years = years;
    let inc = i.income.as_mut().unwrap();
    inc.forecast = Forecast::Table {
        basis: Basis::Sales,
        amounts_fen: vec![sales; years as usize],
        growth_pct: 0.0,
    };
    inc.risk_free_pct = r_pct;
    value(&i).unwrap().income.unwrap().point_fen
}

proptest! {
    /// More sales never lower the value.
    #[test]
    fn value_rises_with_sales(
        sales in 0i64..1_000_000_000_000,
        more in 1i64..1_000_000_000,
        r in 1u32..3000,
        years in 1u32..30,
    ) {
        let r = f64::from(r) / 100.0;
        prop_assert!(income_value(sales, r, years) <= income_value(sales + more, r, years));
    }

    /// A higher discount rate never raises the value.
    #[test]
    fn value_falls_with_the_discount_rate(
        sales in 1i64..1_000_000_000_000,
        r in 1u32..2900,
        up in 1u32..100,
        years in 1u32..30,
    ) {
        let (lo, hi) = (f64::from(r) / 100.0, f64::from(r + up) / 100.0);
        prop_assert!(income_value(sales, hi, years) <= income_value(sales, lo, years));
    }

    /// The income approach counts no year past the patent's term.
    #[test]
    fn income_never_counts_past_the_term(
        kind in 0usize..3,
        age_days in 0i64..9_000,
        economic in 1u32..50,
    ) {
        let mut i = inputs();
        i.economic_life_years = economic;
        let filed_on = day(2026, 12, 1) - chrono::Duration::days(age_days);
        let p = Patent { kind: PatentKind::ALL[kind], filed_on, number: None };
        let term = p.kind.term_years(filed_on);
        i.patent = Some(p);
        let v = value(&i).unwrap();
        let inc = v.income.unwrap();
        prop_assert!(inc.n <= term && inc.n <= economic);
        prop_assert_eq!(inc.years.len() as u32, inc.n);
    }
}

#[test]
fn market_inputs_may_leave_comparables_out() {
    // A caller who wants Qiao to find the comparables need not send an empty list.
    let m: MarketInputs = serde_json::from_value(serde_json::json!({
        "subject_exclusivity": "ordinary",
        "time_growth_pct": 3.0
    }))
    .unwrap();
    assert!(m.comparables.is_empty());
    assert_eq!(m.min_comparables, 3);
}
