//! `/statistics`: 技术合同成交额 as a commission reports it, for a year and a district (or the
//! whole platform): the totals (合同成交额 and 技术交易额, 输出 and 吸纳), the months, the
//! contract types, the fields, the districts on the other side, and each technology manager's
//! credit by their shares; each drawn as an SVG chart beside its table, each exported as a
//! workbook (`/statistics.xlsx`, numbers as numbers). The figures are
//! [`qiao_app::statistics::view`]'s, read from the store's running totals, so the page costs the
//! same at a million contracts as at ten. The deals' forecast and the district's 成交额 target
//! stand beside the totals.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use qiao_domain::{ContractKind, Metric, TechField};
use qiao_store::{Page, TargetFilter, Turnover};
use serde::Deserialize;

use super::amounts::{yuan, yuan_short};
use super::charts::{self, Bars, Columns, Datum};
use super::{Ctx, Lang, PageResult, Visitor, html};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::{deals, planning, statistics};

/// `?year=&district=` (and `&part=` for the workbook).
#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    year: Option<String>,
    district: Option<String>,
    part: Option<String>,
}

impl StatsQuery {
    fn year(&self) -> i32 {
        self.year
            .as_deref()
            .and_then(|y| y.trim().parse().ok())
            .unwrap_or_else(deals::this_year)
    }

    fn district(&self) -> Option<String> {
        self.district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
    }
}

/// One line of a breakdown: what it is, its code (for the workbook) and its figures.
struct Line {
    label: String,
    code: String,
    turnover: Turnover,
}

/// A breakdown: its chart and its table.
struct Section {
    /// `month`, `kind`, `field`, `out`, `in`: the anchor and the workbook's part.
    id: &'static str,
    title: String,
    note: String,
    columns: Option<Columns>,
    bars: Option<Bars>,
    rows: Vec<RowView>,
    xlsx_href: String,
}

/// A line as the table shows it.
struct RowView {
    label: String,
    contracts: i64,
    amount: String,
    technical: String,
}

fn row_view(line: &Line) -> RowView {
    RowView {
        label: line.label.clone(),
        contracts: line.turnover.contracts,
        amount: yuan(line.turnover.amount_fen),
        technical: yuan(line.turnover.technical_fen),
    }
}

/// Every breakdown of the view, in the page's order, each with its lines.
struct Breakdowns {
    /// (part, title, note, lines).
    parts: Vec<(&'static str, String, String, Vec<Line>)>,
    managers: Vec<Line>,
}

fn breakdowns(l: Lang, view: &statistics::StatisticsView) -> Breakdowns {
    let s = &view.statistics;
    let line = |label: String, code: &str, t: &Turnover| Line {
        label,
        code: code.to_string(),
        turnover: *t,
    };
    // Every month of the year, the empty ones too, so the columns read as a calendar.
    let months = (1..=12)
        .map(|m| {
            let key = format!("{m:02}");
            let t = s
                .by_month
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, t)| *t)
                .unwrap_or_default();
            line(
                match l {
                    Lang::Zh => format!("{m}月"),
                    Lang::En => key.clone(),
                },
                &key,
                &t,
            )
        })
        .collect();
    let coded = |rows: &[(String, Turnover)], label: &dyn Fn(&str) -> String| -> Vec<Line> {
        let mut v: Vec<Line> = rows.iter().map(|(k, t)| line(label(k), k, t)).collect();
        v.sort_by_key(|line| std::cmp::Reverse(line.turnover.amount_fen));
        v
    };
    let kind = |k: &str| {
        ContractKind::parse(k).map_or_else(
            || k.to_string(),
            |x| l.t(x.label_zh(), x.label_en()).to_string(),
        )
    };
    let field = |k: &str| {
        TechField::parse(k).map_or_else(
            || k.to_string(),
            |x| l.t(x.label_zh(), x.label_en()).to_string(),
        )
    };
    let district = |k: &str| {
        if k.is_empty() {
            l.t("（未填）", "(not given)").to_string()
        } else {
            k.to_string()
        }
    };
    let (out_title, out_note, in_title, in_note) = match &s.district {
        None => (
            l.t("输出（按卖方所在区）", "Out (by the seller's district)")
                .to_string(),
            l.t(
                "各区卖出技术的合同成交额。",
                "What each district's sellers sold.",
            )
            .to_string(),
            l.t("吸纳（按买方所在区）", "In (by the buyer's district)")
                .to_string(),
            l.t(
                "各区买入技术的合同成交额。",
                "What each district's buyers bought.",
            )
            .to_string(),
        ),
        Some(d) => (
            match l {
                Lang::Zh => format!("{d}输出：买方所在区"),
                Lang::En => format!("Out of {d}: where the buyers are"),
            },
            l.t(
                "本区卖方的合同，按买方所在区。",
                "The district's sellers' contracts, by the buyer's district.",
            )
            .to_string(),
            match l {
                Lang::Zh => format!("{d}吸纳：卖方所在区"),
                Lang::En => format!("Into {d}: where the sellers are"),
            },
            l.t(
                "本区买方的合同，按卖方所在区。",
                "The district's buyers' contracts, by the seller's district.",
            )
            .to_string(),
        ),
    };
    let managers = view
        .managers
        .iter()
        .map(|m| {
            line(
                m.name.clone(),
                &m.credit.account_id.to_string(),
                &m.credit.turnover,
            )
        })
        .collect();
    Breakdowns {
        parts: vec![
            (
                "month",
                l.t("按月份（登记日期）", "By month (of registration)")
                    .to_string(),
                String::new(),
                months,
            ),
            (
                "kind",
                l.t("按合同类型", "By contract type").to_string(),
                String::new(),
                coded(&s.by_kind, &kind),
            ),
            (
                "field",
                l.t("按技术领域", "By technology field").to_string(),
                String::new(),
                coded(&s.by_field, &field),
            ),
            (
                "out",
                out_title,
                out_note,
                coded(&s.by_district_out, &district),
            ),
            ("in", in_title, in_note, coded(&s.by_district_in, &district)),
        ],
        managers,
    }
}

fn datum(line: &Line) -> Datum {
    Datum {
        label: line.label.clone(),
        value: line.turnover.amount_fen,
        text: yuan_short(line.turnover.amount_fen),
    }
}

/// The 成交额 target of the district (or the city) for the year, with its progress.
struct TargetView {
    text: String,
    percent: String,
    bar: u32,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage<'a> {
    ctx: &'a Ctx,
    year: i32,
    years: Vec<(i32, bool)>,
    district: String,
    districts: Vec<(String, bool)>,
    contracts: i64,
    amount: String,
    amount_short: String,
    technical: String,
    absorbed: Option<(i64, String)>,
    forecast: String,
    forecast_deals: usize,
    targets: Vec<TargetView>,
    sections: Vec<Section>,
    managers: Vec<RowView>,
    managers_xlsx: String,
    xlsx_href: String,
}

/// The workbook link for `part` (empty: every part).
fn xlsx_href(year: i32, district: &Option<String>, part: &str) -> String {
    format!(
        "/statistics.xlsx?year={year}&district={}&part={part}",
        urlencoding::encode(district.as_deref().unwrap_or(""))
    )
}

/// `GET /statistics?year=&district=`
pub async fn page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let year = q.year();
    let district = q.district();
    let view = statistics::view(&state.store, &user, year, district.as_deref())
        .await
        .map_err(|e| v.error(e))?;
    // The districts to choose from: those the platform's contracts of the year name.
    let platform = match &district {
        None => view.statistics.clone(),
        Some(_) => state
            .store
            .contract_statistics(year, None)
            .await
            .map_err(|e| v.error(e))?,
    };
    let mut names: Vec<String> = platform
        .by_district_out
        .iter()
        .chain(&platform.by_district_in)
        .map(|(k, _)| k.clone())
        .filter(|k| !k.is_empty())
        .collect();
    if let Some(d) = &district {
        names.push(d.clone());
    }
    names.sort();
    names.dedup();
    let districts = names
        .into_iter()
        .map(|d| {
            let on = district.as_deref() == Some(d.as_str());
            (d, on)
        })
        .collect();
    let this = deals::this_year();
    let mut years: Vec<i32> = (this - 5..=this).rev().collect();
    if !years.contains(&year) {
        years.push(year);
    }
    let years = years.into_iter().map(|y| (y, y == year)).collect();

    // The 成交额 targets of the district (or the city) for the year, counted the same way.
    let region_targets: Vec<_> = state
        .store
        .list_targets(
            &TargetFilter {
                region: None,
                year: Some(year),
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await
        .map_err(|e| v.error(e))?
        .items
        .into_iter()
        .filter(|t| {
            t.target.metric.is_some_and(|m| m.counts_contracts())
                && t.target.contract_district() == district.as_deref()
        })
        .collect();
    let progress = planning::progress(
        &state.store,
        &region_targets,
        state.today(),
        v.ctx.user.as_ref(),
    )
    .await
    .map_err(|e| v.error(e))?;
    let targets = region_targets
        .iter()
        .zip(progress)
        .map(|(t, p)| {
            let which = match t.target.metric {
                Some(Metric::TechnicalTurnover) => l.t("技术交易额", "technical turnover"),
                _ => l.t("合同成交额", "contract turnover"),
            };
            TargetView {
                text: format!(
                    "{} {} · {which} {}",
                    t.target.region,
                    t.target.indicator,
                    t.target
                        .phrase(&qiao_domain::money::format_yuan(t.target.value as i64))
                ),
                percent: p.percent.map(|x| format!("{x}%")).unwrap_or_default(),
                bar: p.percent.map_or(0, |x| x.clamp(0.0, 100.0) as u32),
            }
        })
        .collect();

    let b = breakdowns(l, &view);
    let sections = b
        .parts
        .iter()
        .map(|(id, title, note, lines)| {
            let data: Vec<Datum> = lines.iter().map(datum).collect();
            Section {
                id,
                title: title.clone(),
                note: note.clone(),
                columns: (*id == "month").then(|| charts::columns(&data)),
                bars: (*id != "month").then(|| charts::bars(&data)),
                rows: lines.iter().map(row_view).collect(),
                xlsx_href: xlsx_href(year, &district, id),
            }
        })
        .collect();
    let s = &view.statistics;
    Ok(html(&StatisticsPage {
        ctx: &v.ctx,
        year,
        years,
        districts,
        contracts: s.total.contracts,
        amount: yuan(s.total.amount_fen),
        amount_short: yuan_short(s.total.amount_fen),
        technical: yuan(s.total.technical_fen),
        absorbed: district
            .is_some()
            .then(|| (s.absorbed.contracts, yuan(s.absorbed.amount_fen))),
        forecast: yuan(view.forecast.expected_fen),
        forecast_deals: view.forecast.deals,
        targets,
        sections,
        managers: b.managers.iter().map(row_view).collect(),
        managers_xlsx: xlsx_href(year, &district, "managers"),
        xlsx_href: xlsx_href(year, &district, ""),
        district: district.unwrap_or_default(),
    }))
}

/// `GET /statistics.xlsx?year=&district=&part=`: the figures as one sheet a spreadsheet can
/// sum and pivot: a row per line of each breakdown (or of `part` alone), amounts in 元 as
/// numbers.
pub async fn xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<StatsQuery>,
) -> PageResult<Response> {
    use qiao_io::ReportCell::{Number, Text};
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let year = q.year();
    let district = q.district();
    let view = statistics::view(&state.store, &user, year, district.as_deref())
        .await
        .map_err(|e| v.error(e))?;
    let part = q.part.as_deref().unwrap_or("").trim().to_string();
    let b = breakdowns(l, &view);
    let yuan_cell = |fen: i64| Number(fen as f64 / 100.0);
    let row = |dimension: &str, line: &Line| {
        vec![
            Number(f64::from(year)),
            Text(district.clone().unwrap_or_default()),
            Text(dimension.to_string()),
            Text(line.label.clone()),
            Text(line.code.clone()),
            Number(line.turnover.contracts as f64),
            yuan_cell(line.turnover.amount_fen),
            yuan_cell(line.turnover.technical_fen),
        ]
    };
    let mut rows = Vec::new();
    if part.is_empty() {
        let total = Line {
            label: l.t("合计（输出）", "Total (out)").to_string(),
            code: "total".into(),
            turnover: view.statistics.total,
        };
        rows.push(row(l.t("合计", "Total"), &total));
        if district.is_some() {
            let absorbed = Line {
                label: l.t("吸纳", "In").to_string(),
                code: "absorbed".into(),
                turnover: view.statistics.absorbed,
            };
            rows.push(row(l.t("合计", "Total"), &absorbed));
        }
    }
    let mut known = part.is_empty();
    for (id, title, _, lines) in &b.parts {
        if part.is_empty() || part == *id {
            known = true;
            rows.extend(lines.iter().map(|line| row(title, line)));
        }
    }
    if part.is_empty() || part == "managers" {
        known = true;
        let title = l.t("技术经理人（按份额）", "Technology managers (by share)");
        rows.extend(b.managers.iter().map(|line| row(title, line)));
    }
    if !known {
        return Err(v.error(ApiError::new(
            Code::NotFound,
            l.t("没有这部分统计。", "No such part of the statistics."),
        )));
    }
    let header = [
        l.t("年份", "Year"),
        l.t("区", "District"),
        l.t("维度", "Breakdown"),
        l.t("项目", "Item"),
        l.t("代码", "Code"),
        l.t("合同数", "Contracts"),
        l.t("合同成交额（元）", "Contract amount (元)"),
        l.t("技术交易额（元）", "Technical amount (元)"),
    ];
    let bytes = qiao_io::write_sheet("statistics", &header, &rows)
        .map_err(|e| v.error(ApiError::new(Code::Internal, e.to_string())))?;
    Ok(crate::download::xlsx_download(bytes, "statistics.xlsx"))
}
