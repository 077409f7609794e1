//! Valuation pages (估值): `/achievements/{id}/valuation` and `/deals/{id}/valuation` (the form
//! with the three approaches, its result computed on the server: the ranges on one chart with
//! the proposed price, the tornado, the comparables with their factors to edit; save makes a
//! new version), `…/valuations/{vid}` (the printable report of a saved version) and
//! `…/valuations/{vid}/xlsx` (its workbook).
//!
//! Who may value what is [`qiao_app::valuations`]'s rule, shared with the API: a visitor it
//! refuses gets its 403 or 404 page; a visitor who is not signed in, the sign-in page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qiao_app::AppError;
use qiao_app::valuation_report::{self, DISCLAIMER_EN, DISCLAIMER_ZH, Line};
use qiao_app::valuations::{self, SubjectView};
use qiao_domain::valuation::{Exclusivity, Inputs, MarketResult, Reference, RiskFactor, Valuation};
use qiao_domain::{Account, FieldError, Invalid};
use qiao_store::{ValuationRecord, ValuationSubject};
use serde::Deserialize;

use super::form::FormData;
use super::valuation_charts::{RangeChart, Tornado, ranges, tornado, wan};
use super::{Ctx, PageResult, Visitor, cst_time, html, messages, see_other};
use crate::state::AppState;

/// What a valuation page is about: an achievement or a deal.
#[derive(Debug, Clone, Copy)]
pub enum On {
    /// `/achievements/{id}/…`
    Achievement,
    /// `/deals/{id}/…`
    Deal,
}

impl On {
    fn subject(self, id: i64) -> ValuationSubject {
        match self {
            On::Achievement => ValuationSubject::Listing(id),
            On::Deal => ValuationSubject::Deal(id),
        }
    }

    fn base(self, id: i64) -> String {
        match self {
            On::Achievement => format!("/achievements/{id}"),
            On::Deal => format!("/deals/{id}"),
        }
    }
}

/// One comparable as the form and the report show it.
pub struct ComparableRow {
    /// Its position in the form.
    pub n: usize,
    /// Link to the contract (Qiao's registered ones).
    pub href: String,
    /// Name, type, price, signing day, similarity and why.
    pub name: String,
    /// Its type's label.
    pub kind: String,
    /// Price in 万元.
    pub price: String,
    /// Signing day.
    pub signed_on: String,
    /// Why it was chosen.
    pub reason: String,
    /// The factors: code, label, value shown, whether entered.
    pub factors: Vec<(String, String, String, bool)>,
    /// The adjusted price.
    pub adjusted: String,
    /// Its weight.
    pub weight: String,
}

/// The computed figures, as both pages show them.
pub struct ResultView {
    /// The three ranges.
    pub chart: RangeChart,
    /// Which inputs move the value most.
    pub tornado: Tornado,
    /// Where the proposed price sits in each range, said.
    pub positions: Vec<String>,
    /// The market approach's word when it gives no value.
    pub market_note: Option<String>,
    /// The comparables.
    pub comparables: Vec<ComparableRow>,
    /// Every line of the report.
    pub lines: Vec<Line>,
}

fn result_view(ctx: &Ctx, inputs: &Inputs, v: &Valuation, reference: &Reference) -> ResultView {
    let l = ctx.l;
    let ranges_of = v.ranges();
    let positions = match v.proposed_price_fen {
        Some(p) => ranges_of
            .iter()
            .map(|r| {
                let name = match r.approach {
                    "income" => l.t("收益法", "income approach"),
                    "cost" => l.t("成本法", "cost approach"),
                    _ => l.t("市场法", "market approach"),
                };
                let at = match valuations::position(p, r.low_fen, r.high_fen) {
                    "below" => l.t("低于", "below"),
                    "above" => l.t("高于", "above"),
                    _ => l.t("处于", "within"),
                };
                format!(
                    "{} {} {at} {name} {}",
                    l.t("拟议价格", "The proposed price"),
                    wan(p),
                    l.t("区间", "range")
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let (market_note, adjusted) = match &v.market {
        Some(MarketResult::TooFew {
            found,
            needed,
            comparables,
        }) => (
            Some(format!(
                "{} {found} {}，{} {needed} {}：{}",
                l.t("仅找到", "Only"),
                l.t("个可比交易", "comparables found"),
                l.t("少于所需的", "fewer than the"),
                l.t("个", "needed"),
                l.t("市场法不出价值。", "the market approach gives no value.")
            )),
            comparables.clone(),
        ),
        Some(MarketResult::Value { comparables, .. }) => (None, comparables.clone()),
        None => (None, Vec::new()),
    };
    let sources = inputs
        .market
        .as_ref()
        .map(|m| m.comparables.clone())
        .unwrap_or_default();
    let comparables = adjusted
        .iter()
        .zip(&sources)
        .enumerate()
        .map(|(n, (a, c))| ComparableRow {
            n,
            href: a
                .contract_id
                .map(|id| format!("/contracts/{id}"))
                .unwrap_or_default(),
            name: a.name.clone(),
            kind: l.t(c.kind.label_zh(), c.kind.label_en()).to_string(),
            price: wan(a.price_fen),
            signed_on: c.signed_on.to_string(),
            reason: c.reason.clone().unwrap_or_default(),
            factors: a
                .factors
                .iter()
                .map(|f| {
                    (
                        f.code.clone(),
                        format!("{} {}", f.label_zh, f.label_en),
                        format!("{:.3}", f.value),
                        f.entered,
                    )
                })
                .collect(),
            adjusted: wan(a.adjusted_fen),
            weight: format!("{:.2}", a.weight),
        })
        .collect();
    ResultView {
        chart: ranges(l, &ranges_of, v.proposed_price_fen),
        tornado: tornado(l, &v.sensitivity, 8),
        positions,
        market_note,
        comparables,
        lines: valuation_report::lines(inputs, v, reference),
    }
}

/// A saved version in the list.
pub struct VersionRow {
    /// Link to its report.
    pub href: String,
    /// "v3".
    pub label: String,
    /// When, China Standard Time.
    pub at: String,
    /// Its note.
    pub note: String,
}

fn version_rows(on: On, id: i64, records: &[ValuationRecord]) -> Vec<VersionRow> {
    records
        .iter()
        .map(|r| VersionRow {
            href: format!("{}/valuations/{}", on.base(id), r.id),
            label: format!("v{}", r.version),
            at: cst_time(r.created_at),
            note: r.note.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "valuation.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    title: String,
    back: String,
    action: String,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    result: Option<ResultView>,
    industries: Vec<(String, String)>,
    reference: Reference,
    versions: Vec<VersionRow>,
    note: String,
    risk_rows: Vec<(String, String, &'static str)>,
    exclusivities: Vec<(&'static str, &'static str)>,
    weight_inputs: Vec<(String, &'static str)>,
    form_rows: Vec<FormRow>,
}

/// A comparable's row of the form: what it carries hidden, and the inputs to edit.
pub struct FormRow {
    /// The keep box's name.
    pub keep: String,
    /// The contract's name.
    pub title: String,
    /// Type, price, day.
    pub detail: String,
    /// Hidden fields: name, value.
    pub hidden: Vec<(String, String)>,
    /// The similarity's input: name, value.
    pub similarity: (String, String),
    /// Each factor's input: name, value entered, computed value, label.
    pub factors: Vec<(String, String, String, String)>,
}

fn form_rows(values: &HashMap<String, String>, result: Option<&ResultView>) -> Vec<FormRow> {
    let Some(r) = result else { return Vec::new() };
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    r.comparables
        .iter()
        .map(|c| {
            let at = format!("market.comparables[{}]", c.n);
            FormRow {
                keep: format!("{at}.keep"),
                title: c.name.clone(),
                detail: format!("{} · {} · {}", c.kind, c.price, c.signed_on),
                hidden: [
                    "contract_id",
                    "name",
                    "kind",
                    "price_fen",
                    "signed_on",
                    "reason",
                    "remaining_life_years",
                    "scale",
                ]
                .iter()
                .map(|k| (format!("{at}.{k}"), get(&format!("{at}.{k}"))))
                .collect(),
                similarity: (format!("{at}.similarity"), get(&format!("{at}.similarity"))),
                factors: c
                    .factors
                    .iter()
                    .map(|(code, label, value, _)| {
                        let name = format!("{at}.factors.{code}");
                        (name.clone(), get(&name), value.clone(), label.clone())
                    })
                    .collect(),
            }
        })
        .collect()
}

impl FormPage<'_> {
    fn v(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    fn checked(&self, key: &str) -> bool {
        !self.v(key).is_empty()
    }

    fn is(&self, key: &str, value: &str) -> bool {
        self.v(key) == value
    }

    fn error_for(&self, key: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| {
                f == key || f.starts_with(&format!("{key}[")) || f.starts_with(&format!("{key}."))
            })
            .map(|(_, m)| m.as_str())
    }
}

async fn view_or_page(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    subject: ValuationSubject,
) -> PageResult<SubjectView> {
    valuations::access(&state.store, user, subject).await.map_err(|e| match e {
        AppError::Forbidden(_) => v.error(crate::error::ApiError::forbidden(v.ctx.l.t(
            "只有成果所有方、相关交易的技术经理人和科委工作人员可以估值。",
            "Only the achievement's owner, the managers of its deals and commission staff may value it.",
        ))),
        other => v.error(other),
    })
}

fn id_of(v: &Visitor, raw: &str) -> PageResult<i64> {
    raw.parse().map_err(|_| {
        v.error(crate::error::ApiError::new(
            crate::error::Code::NotFound,
            v.ctx.l.t("找不到该页面", "Not found"),
        ))
    })
}

/// `?from=` a saved version to start from.
#[derive(Debug, Default, Deserialize)]
pub struct FromQuery {
    from: Option<i64>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "a page's parts, each needed once"
)]
async fn render_form(
    state: &AppState,
    v: &Visitor,
    on: On,
    id: i64,
    view: &SubjectView,
    inputs: &Inputs,
    values: HashMap<String, String>,
    errors: Vec<FieldError>,
    note: String,
) -> PageResult<Response> {
    let reference = state
        .store
        .valuation_reference()
        .await
        .map_err(|e| v.error(e))?;
    let result = if errors.is_empty() {
        match qiao_domain::valuation::value(inputs) {
            Ok(val) => Some(result_view(&v.ctx, inputs, &val, &reference)),
            Err(_) => None,
        }
    } else {
        None
    };
    let versions = state
        .store
        .valuations(on.subject(id))
        .await
        .map_err(|e| v.error(e))?;
    let form_rows = form_rows(&values, result.as_ref());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = v.ctx.l;
    let page = FormPage {
        ctx: &v.ctx,
        title: view.title.clone(),
        back: on.base(id),
        action: format!("{}/valuation", on.base(id)),
        values,
        errors: errors
            .iter()
            .map(|e| (e.field.clone(), messages::said(l, e)))
            .collect(),
        result,
        industries: reference
            .industries
            .iter()
            .map(|i| {
                (
                    i.code.clone(),
                    format!(
                        "{} {} · {}%–{}% / {}%–{}%",
                        i.label_zh,
                        i.label_en,
                        i.sales_low_pct,
                        i.sales_high_pct,
                        i.profit_low_pct,
                        i.profit_high_pct
                    ),
                )
            })
            .collect(),
        reference,
        versions: version_rows(on, id, &versions),
        note,
        risk_rows: RiskFactor::ALL
            .iter()
            .enumerate()
            .map(|(n, f)| {
                (
                    format!("income.premia[{n}].score"),
                    format!("income.premia[{n}].max_pct"),
                    l.t(f.label_zh(), f.label_en()),
                )
            })
            .collect(),
        exclusivities: Exclusivity::ALL
            .iter()
            .map(|e| (e.as_str(), l.t(e.label_zh(), e.label_en())))
            .collect(),
        weight_inputs: Exclusivity::ALL
            .iter()
            .map(|e| {
                (
                    format!("market.exclusivity_weights.{}", e.as_str()),
                    l.t(e.label_zh(), e.label_en()),
                )
            })
            .collect(),
        form_rows,
    };
    Ok((status, html(&page)).into_response())
}

/// `GET …/valuation`: the form with the starting inputs (or a saved version's), and their result.
pub async fn form(
    on: On,
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    Query(q): Query<FromQuery>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id_of(&v, &raw)?;
    let subject = on.subject(id);
    let view = view_or_page(&state, &v, &user, subject).await?;
    let inputs = match q.from {
        Some(vid) => {
            valuations::version(&state.store, &user, subject, vid)
                .await
                .map_err(|e| v.error(e))?
                .1
                .inputs
        }
        None => {
            let reference = state
                .store
                .valuation_reference()
                .await
                .map_err(|e| v.error(e))?;
            let start = valuations::starting_inputs(&view, &reference, state.today());
            valuations::compute_for(&state.store, &state.comparables, &view, start)
                .await
                .map_err(|e| v.error(e))?
                .inputs
        }
    };
    let values = super::valuation_form::values(&inputs);
    render_form(
        &state,
        &v,
        on,
        id,
        &view,
        &inputs,
        values,
        Vec::new(),
        String::new(),
    )
    .await
}

/// `POST …/valuation`: computes (`do=compute`), finds the comparables again
/// (`find_comparables`), or saves a new version (`do=save`) and shows its report.
pub async fn submit(
    on: On,
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let id = id_of(&v, &raw)?;
    let subject = on.subject(id);
    let view = view_or_page(&state, &v, &user, subject).await?;
    let note = form.get("note").unwrap_or("").trim().to_string();
    let typed = form.typed();
    let inputs = match super::valuation_form::parse(&form, state.today()) {
        Ok(i) => i,
        Err(Invalid(errors)) => {
            return render_form(
                &state,
                &v,
                on,
                id,
                &view,
                &dummy(&state, &view).await?,
                typed,
                errors,
                note,
            )
            .await;
        }
    };
    let computed = match valuations::compute_for(
        &state.store,
        &state.comparables,
        &view,
        inputs.clone(),
    )
    .await
    {
        Ok(c) => c,
        Err(AppError::Invalid(Invalid(errors))) => {
            return render_form(&state, &v, on, id, &view, &inputs, typed, errors, note).await;
        }
        Err(e) => return Err(v.error(e)),
    };
    if form.get("do") == Some("save") {
        match valuations::save(
            &state.store,
            &state.comparables,
            &user,
            subject,
            &note,
            computed.inputs.clone(),
        )
        .await
        {
            Ok(r) => return Ok(see_other(&format!("{}/valuations/{}", on.base(id), r.id))),
            Err(AppError::Invalid(Invalid(errors))) => {
                return render_form(
                    &state,
                    &v,
                    on,
                    id,
                    &view,
                    &computed.inputs,
                    typed,
                    errors,
                    note,
                )
                .await;
            }
            Err(e) => return Err(v.error(e)),
        }
    }
    let values = super::valuation_form::values(&computed.inputs);
    render_form(
        &state,
        &v,
        on,
        id,
        &view,
        &computed.inputs,
        values,
        Vec::new(),
        note,
    )
    .await
}

/// Inputs for a page whose form could not be read: the starting ones (no result is shown).
async fn dummy(state: &AppState, view: &SubjectView) -> PageResult<Inputs> {
    let reference = state.store.valuation_reference().await?;
    Ok(valuations::starting_inputs(view, &reference, state.today()))
}

#[derive(Template)]
#[template(path = "valuation_report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    title: String,
    back: String,
    form_href: String,
    xlsx_href: String,
    version: i64,
    at: String,
    by: String,
    note: String,
    r: ResultView,
    versions: Vec<VersionRow>,
    source: String,
    disclaimer_zh: &'static str,
    disclaimer_en: &'static str,
}

async fn load_version(
    state: &AppState,
    v: &Visitor,
    on: On,
    raw: &(String, String),
) -> PageResult<(i64, SubjectView, ValuationRecord)> {
    let user = v.account()?.clone();
    let id = id_of(v, &raw.0)?;
    let vid = id_of(v, &raw.1)?;
    view_or_page(state, v, &user, on.subject(id)).await?;
    let (view, record) = valuations::version(&state.store, &user, on.subject(id), vid)
        .await
        .map_err(|e| v.error(e))?;
    Ok((id, view, record))
}

/// `GET …/valuations/{vid}`: the printable report of a saved version.
pub async fn report(
    on: On,
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<(String, String)>,
) -> PageResult<Response> {
    let (id, view, record) = load_version(&state, &v, on, &raw).await?;
    let reference = state
        .store
        .valuation_reference()
        .await
        .map_err(|e| v.error(e))?;
    let versions = state
        .store
        .valuations(on.subject(id))
        .await
        .map_err(|e| v.error(e))?;
    let by = match record.created_by {
        Some(a) => state
            .store
            .get_account(a)
            .await
            .map(|a| a.display_name)
            .unwrap_or_else(|_| format!("#{a}")),
        None => v.ctx.l.t("命令行", "command line").to_string(),
    };
    let page = ReportPage {
        ctx: &v.ctx,
        title: view.title.clone(),
        back: on.base(id),
        form_href: format!("{}/valuation?from={}", on.base(id), record.id),
        xlsx_href: format!("{}/valuations/{}/xlsx", on.base(id), record.id),
        version: record.version,
        at: cst_time(record.created_at),
        by,
        note: record.note.clone(),
        r: result_view(&v.ctx, &record.inputs, &record.result, &reference),
        versions: version_rows(on, id, &versions),
        source: format!(
            "{} ({})",
            v.ctx.l.t(&reference.source_zh, &reference.source),
            reference.year
        ),
        disclaimer_zh: DISCLAIMER_ZH,
        disclaimer_en: DISCLAIMER_EN,
    };
    Ok(html(&page))
}

/// `GET …/valuations/{vid}/xlsx`: the report's lines as a workbook.
pub async fn xlsx(
    on: On,
    State(state): State<AppState>,
    v: Visitor,
    Path(raw): Path<(String, String)>,
) -> PageResult<Response> {
    let (_, _, record) = load_version(&state, &v, on, &raw).await?;
    let reference = state
        .store
        .valuation_reference()
        .await
        .map_err(|e| v.error(e))?;
    let lines = valuation_report::lines(&record.inputs, &record.result, &reference);
    let bytes = valuation_report::workbook(&lines).map_err(|e| v.error(AppError::internal(e)))?;
    Ok(crate::download::xlsx_download(bytes, "valuation.xlsx"))
}
