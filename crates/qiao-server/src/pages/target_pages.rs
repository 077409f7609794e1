//! Target pages: `/targets` (a region's yearly targets against what the data shows), the staff
//! forms to enter one by hand and to edit one, the inline form to report an actual the records
//! cannot count,
//! and `POST /documents/{id}/targets`, which turns the figures ticked on a document's page into
//! targets. Progress comes from [`qiao_app::planning::progress`], as in the API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use qiao_domain::target::{Progress, Source};
use qiao_domain::{Format, Invalid, Metric, Rule, Target};
use qiao_store::{Page, TargetFilter, TargetRecord};
use serde::Deserialize;
use serde_json::Value;

use super::form::{self, FormData, Input, Spec, form_page};
use super::policy_pages::require_staff;
use super::{Ctx, Lang, PageResult, Visitor, html, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use qiao_app::planning::{self, FromDocument};

/// `?region=&year=` of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    region: Option<String>,
    year: Option<String>,
}

/// The metric choices of the form: `kind:certificate` for a certificate count, `kind` alone
/// for a contract sum, or empty for none.
fn metric_choices() -> &'static [(&'static str, &'static str, &'static str)] {
    &[
        ("", "无（手工填报实际值）", "none (actual reported by hand)"),
        (
            "certified:tech_sme",
            "有效期内科技型中小企业数",
            "tech-based SMEs in force",
        ),
        (
            "certified:high_tech",
            "有效期内高新技术企业数",
            "high-tech enterprises in force",
        ),
        (
            "certified:little_giant",
            "有效期内科技小巨人数",
            "little giants in force",
        ),
        (
            "certified:specialized",
            "有效期内专精特新企业数",
            "specialised enterprises in force",
        ),
        (
            "certified:leading",
            "有效期内领军企业数",
            "leading enterprises in force",
        ),
        (
            "newly_certified:tech_sme",
            "当年新认定科技型中小企业数",
            "tech-based SMEs newly certified",
        ),
        (
            "newly_certified:high_tech",
            "当年新认定高新技术企业数",
            "high-tech enterprises newly certified",
        ),
        (
            "newly_certified:little_giant",
            "当年新认定科技小巨人数",
            "little giants newly certified",
        ),
        (
            "newly_certified:specialized",
            "当年新认定专精特新企业数",
            "specialised enterprises newly certified",
        ),
        (
            "newly_certified:leading",
            "当年新认定领军企业数",
            "leading enterprises newly certified",
        ),
        (
            "contract_turnover",
            "当年登记的技术合同成交额（按卖方所在区）",
            "turnover of the contracts registered in the year (by the seller's district)",
        ),
        (
            "technical_turnover",
            "当年登记的技术合同技术交易额（按卖方所在区）",
            "technical turnover of the contracts registered in the year (by the seller's district)",
        ),
    ]
}

fn target_form() -> [Spec; 12] {
    [
        Spec::required("region", "地区", "Region", Input::Text),
        Spec::required("year", "年份", "Year", Input::Int),
        Spec::required("indicator", "指标", "Indicator", Input::Text),
        Spec::required(
            "value",
            "目标值（基本单位：元、家、项、%）",
            "Target (base unit: 元, 家, 项, %)",
            Input::Number,
        ),
        Spec::required("unit", "单位", "Unit", Input::Text),
        Spec::optional(
            "qualifier",
            "表述（达、力争、新增、不超过）",
            "Phrasing (达, 力争, 新增, 不超过)",
            Input::Text,
        ),
        Spec::optional(
            "metric",
            "统计口径",
            "Measured by",
            Input::Select(metric_choices()),
        ),
        Spec::optional("reported", "填报实际值", "Reported actual", Input::Number),
        Spec::optional(
            "baseline.value",
            "填报基数（如统计部门截至某日的企业数，平台在此基础上加减此后核验的变化）",
            "Reported baseline (e.g. the statistics' count on a day; Qiao adds the changes verified since)",
            Input::Number,
        ),
        Spec::optional(
            "baseline.as_of",
            "基数截至日期",
            "Baseline as of",
            Input::Date,
        ),
        Spec::optional(
            "document_id",
            "来源文件编号",
            "Source document id",
            Input::Int,
        ),
        Spec::optional(
            "sentence",
            "原文表述",
            "Sentence of the source",
            Input::Area,
        ),
    ]
}

/// One target as a table row.
struct TargetRow {
    id: i64,
    region: String,
    year: i32,
    indicator: String,
    target: String,
    actual: String,
    source: String,
    percent: String,
    bar: u32,
    badge: (&'static str, &'static str),
    document_href: String,
    sentence: String,
    manual: bool,
    /// For a target counted from contracts: the statistics behind it.
    statistics_href: String,
}

/// A region's targets drawn as bars of their progress: an SVG made on the server (no script),
/// its geometry computed here and its text escaped by the template like any other value.
struct Chart {
    region: String,
    height: u32,
    bars: Vec<Bar>,
}

/// One target in a chart: its label above a bar 0..=100 % wide.
struct Bar {
    /// Top of the row in the chart's 360-unit-wide coordinates.
    y: u32,
    label: String,
    /// The filled width (300 units = 100 %); past 100 % the bar stops at the end.
    width: u32,
    percent: String,
    class: &'static str,
}

/// Units of the chart: rows of 34, bars of 300 (100 %) beside a 60-unit number.
const CHART_ROW: u32 = 34;
const CHART_BAR: f64 = 300.0;

/// The charts of `rows`, one per region in the order the regions first occur.
fn charts(l: Lang, rows: &[TargetRow], percents: &[Option<f64>]) -> Vec<Chart> {
    let mut out: Vec<Chart> = Vec::new();
    for (r, p) in rows.iter().zip(percents) {
        let at = match out.iter().position(|c| c.region == r.region) {
            Some(i) => i,
            None => {
                out.push(Chart {
                    region: r.region.clone(),
                    height: 0,
                    bars: Vec::new(),
                });
                out.len() - 1
            }
        };
        let chart = &mut out[at];
        chart.bars.push(Bar {
            y: chart.bars.len() as u32 * CHART_ROW,
            label: format!("{} · {}", r.year, r.indicator),
            width: p.map_or(0, |x| {
                (x.clamp(0.0, 100.0) / 100.0 * CHART_BAR).round() as u32
            }),
            percent: p.map_or_else(|| l.t("无数据", "no data").to_string(), |x| format!("{x}%")),
            class: r.badge.1,
        });
        chart.height = chart.bars.len() as u32 * CHART_ROW;
    }
    out
}

#[derive(Template)]
#[template(path = "targets.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    staff: bool,
    /// Whether the statistics tab is offered (staff and technology managers read it).
    statistics: bool,
    region: String,
    year: String,
    export_href: String,
    charts: Vec<Chart>,
    rows: Vec<TargetRow>,
    total: i64,
}

/// A value in its unit as people read it: 23000000000 元 → 230亿元, 4000 家 → 4000家.
fn amount(v: f64, unit: &str) -> String {
    if unit == "元" && v.fract() == 0.0 && v.abs() < 9e18 {
        qiao_domain::money::format_yuan(v as i64)
    } else if unit == "元" && v.abs() < 9e15 {
        // A sum of contracts carries 分: written out exactly, as the statistics write it.
        super::amounts::yuan((v * 100.0).round() as i64)
    } else if v.fract() == 0.0 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v}{unit}")
    }
}

/// Where an actual came from and what it covers, as the page says it.
fn source_text(l: Lang, t: &Target, p: &Progress) -> String {
    let region = t.region.as_str();
    if let Some(n) = p.contracts {
        return match l {
            Lang::Zh => format!(
                "由 {n} 份已登记技术合同统计（按卖方所在区，{} 年登记）",
                t.year
            ),
            Lang::En => format!(
                "counted from {n} registered contracts (by the seller's district, registered in {})",
                t.year
            ),
        };
    }
    match (p.source, &p.tally, &t.baseline) {
        (Some(Source::Baseline), Some(n), Some(b)) => {
            let base = amount(b.value, &t.unit);
            match (l, n.lapsed) {
                (Lang::Zh, 0) => format!(
                    "填报基数 {base}（截至 {}）＋此后平台核验新增 {} 家",
                    b.as_of, n.added
                ),
                (Lang::Zh, lapsed) => format!(
                    "填报基数 {base}（截至 {}）＋此后平台核验新增 {} 家 − 到期 {lapsed} 家",
                    b.as_of, n.added
                ),
                (Lang::En, lapsed) => format!(
                    "reported {base} on {}, + {} verified since, − {lapsed} lapsed",
                    b.as_of, n.added
                ),
            }
        }
        // Qiao counts only the enterprises registered on it: say how many those are, and
        // the claims that will count once verified.
        (Some(Source::Computed | Source::Baseline), Some(n), _) => {
            let pending = match (l, n.pending) {
                (_, 0) => String::new(),
                (Lang::Zh, k) => format!("；另有 {k} 家待核验"),
                (Lang::En, k) => format!("; {k} more await verification"),
            };
            match l {
                Lang::Zh => format!(
                    "平台已核验 {} 家（{region}在平台登记企业 {} 家）{pending}",
                    n.counted, n.registered
                ),
                Lang::En => format!(
                    "{} verified on Qiao (of {} enterprises of {region} registered){pending}",
                    n.counted, n.registered
                ),
            }
        }
        (Some(_), _, _) => l.t("填报", "reported").to_string(),
        (None, _, _) => l.t("待填报", "not reported").to_string(),
    }
}

/// The targets the list shows (`?region=&year=`, at most one page) with their progress today.
async fn listed(
    state: &AppState,
    v: &Visitor,
    region: &str,
    year: Option<i32>,
) -> PageResult<(Vec<TargetRecord>, Vec<Progress>, i64)> {
    let found = state
        .store
        .list_targets(
            &TargetFilter {
                region: (!region.is_empty()).then(|| region.to_string()),
                year,
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await
        .map_err(|e| v.error(e))?;
    let progress = planning::progress(
        &state.store,
        &found.items,
        state.today(),
        v.ctx.user.as_ref(),
    )
    .await
    .map_err(|e| v.error(e))?;
    Ok((found.items, progress, found.total))
}

/// `GET /targets?region=&year=`
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let region = q.region.unwrap_or_default().trim().to_string();
    let year_text = q.year.unwrap_or_default().trim().to_string();
    let year = year_text.parse::<i32>().ok();
    let (records, progress, total) = listed(&state, &v, &region, year).await?;
    let today = state.today();
    let percents: Vec<Option<f64>> = progress.iter().map(|p| p.percent).collect();
    let rows: Vec<TargetRow> = records
        .into_iter()
        .zip(progress)
        .map(|(r, p)| {
            let t = &r.target;
            TargetRow {
                id: r.id,
                region: t.region.clone(),
                year: t.year,
                indicator: t.indicator.clone(),
                target: t.phrase(&amount(t.value, &t.unit)),
                actual: p
                    .actual
                    .map(|a| amount(a, &t.unit))
                    .unwrap_or_else(|| "—".into()),
                source: source_text(l, t, &p),
                percent: p.percent.map(|x| format!("{x}%")).unwrap_or_default(),
                bar: p.percent.map_or(0, |x| x.clamp(0.0, 100.0) as u32),
                badge: match p.reached {
                    Some(true) => (l.t("已达成", "reached"), "ok"),
                    // Until the year is over a target not yet met is in progress.
                    Some(false) if today.year() <= t.year => (l.t("进行中", "in progress"), "warn"),
                    Some(false) => (l.t("未达成", "not reached"), "bad"),
                    None => (l.t("无数据", "no data"), ""),
                },
                document_href: t
                    .document_id
                    .map(|d| format!("/documents/{d}"))
                    .unwrap_or_default(),
                sentence: t.sentence.clone().unwrap_or_default(),
                manual: t.metric.is_none(),
                statistics_href: if p.contracts.is_some() {
                    format!(
                        "/statistics?year={}&district={}",
                        t.year,
                        urlencoding::encode(t.contract_district().unwrap_or(""))
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Ok(html(&ListPage {
        ctx: &v.ctx,
        staff: v.ctx.user.as_ref().is_some_and(|u| u.may_manage_policies()),
        statistics: v.ctx.statistics_link(),
        export_href: format!(
            "/targets.xlsx?region={}&year={}",
            urlencoding::encode(&region),
            urlencoding::encode(&year_text)
        ),
        charts: charts(l, &rows, &percents),
        region,
        year: year_text,
        rows,
        total,
    }))
}

/// `GET /targets.xlsx?region=&year=`: the list as a workbook, values as numbers a
/// spreadsheet can sum, in base units, with what each actual covers.
pub async fn xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    use qiao_io::ReportCell::{Number, Text};
    let l = v.ctx.l;
    let region = q.region.unwrap_or_default().trim().to_string();
    let year = q.year.unwrap_or_default().trim().parse::<i32>().ok();
    let (records, progress, _) = listed(&state, &v, &region, year).await?;
    let rows: Vec<Vec<qiao_io::ReportCell>> = records
        .iter()
        .zip(&progress)
        .map(|(r, p)| {
            let t = &r.target;
            let opt = |x: Option<f64>| x.map_or(Text(String::new()), Number);
            vec![
                Number(r.id as f64),
                Text(t.region.clone()),
                Number(f64::from(t.year)),
                Text(t.indicator.clone()),
                Text(t.qualifier.clone().unwrap_or_default()),
                Number(t.value),
                Text(t.unit.clone()),
                opt(p.actual),
                opt(p.percent),
                Text(source_text(l, t, p)),
                Text(p.as_of.to_string()),
                Text(t.sentence.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let header = [
        l.t("编号", "Id"),
        l.t("地区", "Region"),
        l.t("年份", "Year"),
        l.t("指标", "Indicator"),
        l.t("表述", "Phrasing"),
        l.t("目标值", "Target"),
        l.t("单位", "Unit"),
        l.t("实际值", "Actual"),
        l.t("完成率（%）", "Progress (%)"),
        l.t("口径与覆盖", "Source and coverage"),
        l.t("统计截至", "As of"),
        l.t("原文表述", "Sentence of the source"),
    ];
    let bytes = qiao_io::write_sheet("targets", &header, &rows)
        .map_err(|e| v.error(ApiError::new(crate::error::Code::Internal, e.to_string())))?;
    Ok(crate::download::xlsx_download(bytes, "targets.xlsx"))
}

/// A posted target form as a validated target; an edit (`stored`) keeps what the form does not
/// show.
fn parse_form(form: &FormData, stored: Option<&Target>) -> Result<Target, Invalid> {
    let mut fields = form::fields_of(&target_form(), form)?;
    if let Some(Value::String(m)) = fields.remove("metric") {
        let metric = match m.split_once(':') {
            Some((kind, cert)) => serde_json::json!({"kind": kind, "certificate": cert}),
            // The contract sums name no certificate.
            None => serde_json::json!({"kind": m}),
        };
        fields.insert("metric".into(), metric);
    }
    let stored = stored.map_or(Value::Null, |t| {
        serde_json::to_value(t).expect("targets serialise")
    });
    let given = ["value", "as_of"].map(|k| fields.get("baseline").and_then(|b| b.get(k)).is_some());
    if given[0] != given[1] {
        let (missing, other) = if given[0] {
            ("baseline.as_of", "baseline.value")
        } else {
            ("baseline.value", "baseline.as_of")
        };
        return Err(Invalid::field(
            missing,
            Rule::RequiredWith {
                other: other.into(),
            },
        ));
    }
    let mut t: Target = form::typed(form::merged(stored, &target_form(), fields))?;
    t.validate()?;
    Ok(t)
}

/// The form's values for a stored target; the metric as its choice (`certified:high_tech`).
fn values(t: &Target) -> HashMap<String, String> {
    let json = serde_json::to_value(t).expect("targets serialise");
    let mut out = form::values_from(&target_form(), &json);
    if let Some(m) = json.get("metric") {
        let part = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let choice = match part("certificate") {
            cert if cert.is_empty() => part("kind"),
            cert => format!("{}:{cert}", part("kind")),
        };
        out.insert("metric".into(), choice);
    }
    out
}

/// Where a target is listed.
fn listed_at(t: &Target) -> String {
    format!(
        "/targets?region={}&year={}",
        urlencoding::encode(&t.region),
        t.year
    )
}

/// `GET /targets/new`
pub async fn new_form(v: Visitor) -> PageResult<Response> {
    require_staff(&v)?;
    let mut values = HashMap::new();
    values.insert("unit".to_string(), "家".to_string());
    values.insert(
        "year".to_string(),
        qiao_domain::today().format("%Y").to_string(),
    );
    Ok(form_page(
        &v,
        v.ctx.l.t("录入目标", "New target").into(),
        "/targets/new".into(),
        &target_form(),
        &values,
        &[],
    ))
}

/// `POST /targets/new`
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    match parse_form(&form, None) {
        Ok(t) => {
            state
                .store
                .acting_as(user.id)
                .create_targets(std::slice::from_ref(&t))
                .await
                .map_err(|e| v.error(e))?;
            Ok(see_other(&listed_at(&t)))
        }
        Err(Invalid(errors)) => Ok(form_page(
            &v,
            v.ctx.l.t("录入目标", "New target").into(),
            "/targets/new".into(),
            &target_form(),
            &form.typed(),
            &errors,
        )),
    }
}

fn edit_page(
    v: &Visitor,
    r: &TargetRecord,
    values: &HashMap<String, String>,
    errors: &[qiao_domain::FieldError],
) -> Response {
    form_page(
        v,
        format!(
            "{} · {}",
            v.ctx.l.t("编辑目标", "Edit target"),
            r.target.indicator
        ),
        format!("/targets/{}/edit", r.id),
        &target_form(),
        values,
        errors,
    )
}

/// `GET /targets/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    require_staff(&v)?;
    let r = target(&state, &v, &id).await?;
    Ok(edit_page(&v, &r, &values(&r.target), &[]))
}

/// `POST /targets/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let r = target(&state, &v, &id).await?;
    match parse_form(&form, Some(&r.target)) {
        Ok(t) => {
            state
                .store
                .acting_as(user.id)
                .update_target(r.id, &t)
                .await
                .map_err(|e| v.error(e))?;
            Ok(see_other(&listed_at(&t)))
        }
        Err(Invalid(errors)) => Ok(edit_page(&v, &r, &form.typed(), &errors)),
    }
}

/// The target a page id names, or the not-found page.
async fn target(state: &AppState, v: &Visitor, id: &str) -> PageResult<TargetRecord> {
    v.found(id, ("该目标不存在。", "No such target."), |id| {
        state.store.get_target(id)
    })
    .await
}

/// `POST /targets/{id}/report`: the reported actual of a target the records cannot count
/// (empty clears it).
pub async fn report(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let r = target(&state, &v, &id).await?;
    let raw = form.text("reported");
    let mut t = r.target.clone();
    t.reported = if raw.is_empty() {
        None
    } else {
        match raw
            .parse::<f64>()
            .ok()
            .or_else(|| qiao_domain::money::parse_yuan(&raw).map(|y| y as f64))
        {
            Some(x) => Some(x),
            None => {
                return Err(v.error(ApiError::from(Invalid::field(
                    "reported",
                    Rule::BadFormat {
                        found: raw.to_string(),
                        format: Format::Number,
                    },
                ))));
            }
        }
    };
    t.validate().map_err(|e| v.error(ApiError::from(e)))?;
    state
        .store
        .acting_as(user.id)
        .update_target(r.id, &t)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&listed_at(&t)))
}

/// `POST /targets/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let r = target(&state, &v, &id).await?;
    state
        .store
        .acting_as(user.id)
        .delete_target(r.id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other("/targets"))
}

/// `POST /documents/{id}/targets`: the figures ticked (`figure`, repeated), with the region and
/// year given or read from each figure.
pub async fn from_document(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let doc = v
        .found(&id, ("该文件不存在。", "No such document."), |id| {
            state.store.get_document(id)
        })
        .await?;
    let mut figures = Vec::new();
    for (k, val) in &form.0 {
        if k == "figure" {
            match val.parse::<usize>() {
                Ok(i) => figures.push(i),
                Err(_) => {
                    return Err(v.error(ApiError::from(Invalid::field(
                        "figure",
                        Rule::BadFormat {
                            found: val.to_string(),
                            format: Format::WholeNumber,
                        },
                    ))));
                }
            }
        }
    }
    if figures.is_empty() {
        return Err(v.error(ApiError::from(Invalid::field(
            "figure",
            Rule::TooFew { min: 1, found: 0 },
        ))));
    }
    let region = form.text("region");
    let year_raw = form.text("year");
    let year = if year_raw.is_empty() {
        None
    } else {
        Some(year_raw.parse::<i32>().map_err(|_| {
            v.error(ApiError::from(Invalid::field(
                "year",
                Rule::BadFormat {
                    found: year_raw.clone(),
                    format: Format::Year,
                },
            )))
        })?)
    };
    let choice = FromDocument {
        figures: Some(figures),
        region: (!region.is_empty()).then_some(region),
        year,
    };
    let targets =
        planning::targets_from_document(&doc, &choice).map_err(|e| v.error(ApiError::from(e)))?;
    let targets = planning::drop_stored(&state.store, targets)
        .await
        .map_err(|e| v.error(e))?
        .map_err(|e| v.error(ApiError::from(e)))?;
    state
        .store
        .acting_as(user.id)
        .create_targets(&targets)
        .await
        .map_err(|e| v.error(e))?;
    let first = &targets[0];
    Ok(see_other(&format!(
        "/targets?region={}&year={}",
        urlencoding::encode(&first.region),
        first.year
    )))
}

/// What the document page needs to offer "make targets from these figures" to staff.
pub fn metric_hint(l: Lang, indicator: &str, unit: &str, qualifier: Option<&str>) -> String {
    match Metric::infer(indicator, unit, qualifier) {
        Some(m) => {
            let (zh, en) = m.describe();
            l.t(&zh, &en).to_string()
        }
        None => String::new(),
    }
}
