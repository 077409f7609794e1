//! A saved valuation as lines of a report: every input, formula, parameter source and result,
//! in Chinese with English, in the order the printable page and the XLSX export show them.
//! One list for both, so the workbook and the page never disagree.

use qiao_domain::money::format_yuan;
use qiao_domain::valuation::{
    Forecast, Inputs, MarketResult, Obsolescence, Reference, Share, Valuation,
};
use qiao_io::ReportCell;

/// The statement every report carries.
pub const DISCLAIMER_ZH: &str = "本估值为交易谈判的参考工具，不是法定资产评估。国有资产的转让、许可或作价投资，须由具有资质的资产评估机构出具资产评估报告。";
/// The same in English.
pub const DISCLAIMER_EN: &str = "This valuation is a negotiation aid, not a statutory appraisal. Transferring, licensing or investing state-owned assets requires an asset appraisal (资产评估) by a licensed appraiser.";

/// One line: section, item, value, and a note (formula or source).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Line {
    /// 输入 Inputs, 收益法 Income approach…
    pub section: &'static str,
    /// What the value is.
    pub item: String,
    /// The value as shown.
    pub value: String,
    /// How it was obtained.
    pub note: String,
}

/// An amount of 分 as people read it (to the 元, rounded; 万/亿 where exact).
pub fn money(fen: i64) -> String {
    let yuan = (fen as f64 / 100.0).round() as i64;
    format_yuan(yuan)
}

/// A fraction as a percentage with two places.
pub fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn line(
    section: &'static str,
    item: impl Into<String>,
    value: impl Into<String>,
    note: impl Into<String>,
) -> Line {
    Line {
        section,
        item: item.into(),
        value: value.into(),
        note: note.into(),
    }
}

/// Every line of a valuation's report.
pub fn lines(inputs: &Inputs, v: &Valuation, reference: &Reference) -> Vec<Line> {
    const IN: &str = "输入 Inputs";
    const INC: &str = "收益法 Income approach";
    const COST: &str = "成本法 Cost approach";
    const MKT: &str = "市场法 Market approach";
    const SENS: &str = "敏感性 Sensitivity";
    let mut out = vec![
        line(
            IN,
            "评估基准日 Valuation date",
            inputs.valuation_date.to_string(),
            "",
        ),
        line(
            IN,
            "经济寿命 Economic life",
            format!("{} 年 years", inputs.economic_life_years),
            "录入 entered",
        ),
    ];
    match &inputs.patent {
        Some(p) => out.push(line(
            IN,
            "专利 Patent",
            format!(
                "{} {}",
                p.kind.label_zh(),
                p.number.clone().unwrap_or_default()
            ),
            format!(
                "申请日 filed {}；法定期限 legal term {} 年；届满 expires {}",
                p.filed_on,
                v.life.legal_term_years.unwrap_or(0),
                v.life.expires_on.map(|d| d.to_string()).unwrap_or_default()
            ),
        )),
        None => out.push(line(
            IN,
            "专利 Patent",
            "—",
            "未给出专利，按经济寿命计 no patent: economic life alone",
        )),
    }
    out.push(line(
        IN,
        "收益年限 n Years counted",
        v.life.n.to_string(),
        "n = min(经济寿命 economic life, ⌊剩余法定期限 remaining legal term⌋)",
    ));
    if let Some(p) = inputs.proposed_price_fen {
        out.push(line(
            IN,
            "拟议价格 Proposed price",
            money(p),
            "报价或出价 an asking price or an offer",
        ));
    }
    if let (Some(i), Some(r)) = (&inputs.income, &v.income) {
        let forecast = match &i.forecast {
            Forecast::Table {
                basis,
                amounts_fen,
                growth_pct,
            } => format!(
                "{}：{}；其后年增长 then {growth_pct}%/年",
                basis.label_zh(),
                amounts_fen
                    .iter()
                    .map(|a| money(*a))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Forecast::PriceVolume {
                basis,
                price_fen,
                volume,
                growth_pct,
            } => format!(
                "{}：单价 price {} × 数量 volume {volume}，年增长 growth {growth_pct}%",
                basis.label_zh(),
                money(*price_fen)
            ),
        };
        out.push(line(INC, "预测 R_t Forecast", forecast, "录入 entered"));
        let share = match &i.share {
            Share::Sales { low_pct, high_pct } => format!("销售收入分成率 {low_pct}%–{high_pct}%"),
            Share::Profit { low_pct, high_pct } => format!(
                "利润分成率 {low_pct}%–{high_pct}% × 利润率 margin {}%",
                i.profit_margin_pct.unwrap_or(0.0)
            ),
            Share::EquivalentInvestment {
                technology_cost_fen,
                technology_cost_profit_pct,
                user_cost_fen,
                user_cost_profit_pct,
            } => format!(
                "约当投资 K = {}×(1+{technology_cost_profit_pct}%) / ({}×(1+{technology_cost_profit_pct}%) + {}×(1+{user_cost_profit_pct}%)) = {}",
                money(*technology_cost_fen),
                money(*technology_cost_fen),
                money(*user_cost_fen),
                percent(r.equivalent_investment_share.unwrap_or(0.0))
            ),
        };
        out.push(line(
            INC,
            "分成率 K Share",
            format!("{} – {}", percent(r.share_low), percent(r.share_high)),
            format!("{share}；{}", r.share_source),
        ));
        if let Some(ind) = i.industry.as_deref().and_then(|c| reference.industry(c)) {
            out.push(line(
                INC,
                format!("行业参考 Reference ({})", ind.label_zh),
                format!(
                    "销售 sales {}%–{}%；利润 profit {}%–{}%",
                    ind.sales_low_pct, ind.sales_high_pct, ind.profit_low_pct, ind.profit_high_pct
                ),
                format!("{} ({})", reference.source_zh, reference.year),
            ));
        }
        let premia = r
            .premia
            .iter()
            .map(|(f, x)| format!("{} {}", f.label_zh(), percent(*x)))
            .collect::<Vec<_>>()
            .join(" + ");
        out.push(line(
            INC,
            "折现率 r Discount rate",
            percent(r.discount_rate),
            format!(
                "无风险 risk-free {}% + {premia}（评分/100 × 上限 score/100 × cap）",
                i.risk_free_pct
            ),
        ));
        out.push(line(
            INC,
            "所得税率 Income tax",
            format!("{}%", i.income_tax_pct),
            "录入 entered",
        ));
        for y in &r.years {
            out.push(line(
                INC,
                format!("第 {} 年 Year {}", y.t, y.t),
                money(y.present_value_fen),
                format!(
                    "R = {}，折现系数 factor {:.4}",
                    money(y.revenue_fen),
                    y.discount_factor
                ),
            ));
        }
        out.push(line(
            INC,
            "收益法价值 Value",
            format!(
                "{} （{} – {}）",
                money(r.point_fen),
                money(r.low_fen),
                money(r.high_fen)
            ),
            "P = Σ K·R_t·(1−T)/(1+r)^t",
        ));
    }
    if let (Some(c), Some(r)) = (&inputs.cost, &v.cost) {
        out.push(line(
            COST,
            "直接成本 Direct costs",
            money(r.direct_fen),
            format!(
                "人工 labour {} + 材料 materials {} + 间接 overhead {}",
                money(c.labour_fen),
                money(c.materials_fen),
                money(c.overhead_fen)
            ),
        ));
        out.push(line(
            COST,
            "机会成本 Opportunity cost",
            money(c.opportunity_fen),
            "录入 entered",
        ));
        out.push(line(
            COST,
            "合理利润 Reasonable profit",
            money(r.profit_fen),
            format!("直接成本 × {}%", c.reasonable_profit_pct),
        ));
        out.push(line(
            COST,
            "重置成本 Replacement cost",
            money(r.replacement_fen),
            "",
        ));
        let obs = match c.obsolescence {
            Obsolescence::Entered { .. } => "录入 entered".to_string(),
            Obsolescence::RemainingLife { .. } => r.obsolescence_source.clone(),
        };
        out.push(line(
            COST,
            "贬值率 Obsolescence",
            percent(r.obsolescence),
            obs,
        ));
        out.push(line(
            COST,
            "成本法价值 Value",
            format!(
                "{} （{} – {}）",
                money(r.point_fen),
                money(r.low_fen),
                money(r.high_fen)
            ),
            format!("重置成本 × (1 − 贬值率)，± {}%", c.uncertainty_pct),
        ));
    }
    if let (Some(m), Some(r)) = (&inputs.market, &v.market) {
        out.push(line(
            MKT,
            "标的独占性 Subject exclusivity",
            m.subject_exclusivity.label_zh(),
            format!(
                "权重 weights 转让 {} / 独占 {} / 排他 {} / 普通 {}",
                m.exclusivity_weights.transfer,
                m.exclusivity_weights.exclusive,
                m.exclusivity_weights.sole,
                m.exclusivity_weights.ordinary
            ),
        ));
        let (comparables, summary) = match r {
            MarketResult::Value {
                comparables,
                mean_fen,
                spread_fen,
                low_fen,
                high_fen,
                ..
            } => (
                comparables,
                line(
                    MKT,
                    "市场法价值 Value",
                    format!(
                        "{} （{} – {}）",
                        money(*mean_fen),
                        money(*low_fen),
                        money(*high_fen)
                    ),
                    format!(
                        "按相似度加权平均 ± 加权标准差 weighted mean ± weighted sd {}",
                        money(*spread_fen)
                    ),
                ),
            ),
            MarketResult::TooFew {
                comparables,
                found,
                needed,
            } => (
                comparables,
                line(
                    MKT,
                    "市场法价值 Value",
                    "不出价值 no market value",
                    format!(
                        "可比交易 {found} 个，少于所需 {needed} 个 too few comparables ({found} of {needed})"
                    ),
                ),
            ),
        };
        for c in comparables {
            let factors = c
                .factors
                .iter()
                .map(|f| {
                    format!(
                        "{} {:.3}{}",
                        f.label_zh,
                        f.value,
                        if f.entered { "（录入）" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" × ");
            out.push(line(
                MKT,
                format!("可比 Comparable：{}", c.name),
                money(c.adjusted_fen),
                format!(
                    "价格 price {} × {factors} = × {:.3}；权重 weight {:.2}",
                    money(c.price_fen),
                    c.multiplier,
                    c.weight
                ),
            ));
        }
        out.push(summary);
    }
    for b in &v.sensitivity {
        out.push(line(
            SENS,
            format!("{} {} ±{}%", b.label_zh, b.label_en, inputs.sensitivity_pct),
            format!("{} … {}", money(b.minus_fen), money(b.plus_fen)),
            format!(
                "{} 基准 base {}",
                if b.approach == "income" {
                    "收益法"
                } else {
                    "成本法"
                },
                money(b.base_fen)
            ),
        ));
    }
    out
}

/// The lines as an XLSX workbook of one sheet.
pub fn workbook(lines: &[Line]) -> Result<Vec<u8>, qiao_io::IoError> {
    let rows: Vec<Vec<ReportCell>> = lines
        .iter()
        .map(|l| {
            vec![
                ReportCell::Text(l.section.to_string()),
                ReportCell::Text(l.item.clone()),
                ReportCell::Text(l.value.clone()),
                ReportCell::Text(l.note.clone()),
            ]
        })
        .chain(std::iter::once(vec![
            ReportCell::Text("声明 Statement".into()),
            ReportCell::Text(String::new()),
            ReportCell::Text(DISCLAIMER_ZH.into()),
            ReportCell::Text(DISCLAIMER_EN.into()),
        ]))
        .collect();
    qiao_io::write_sheet(
        "估值 Valuation",
        &["部分 Section", "项目 Item", "值 Value", "说明 Note"],
        &rows,
    )
}
