//! Policy pages: `/policies` (every policy, and for a signed-in member whether their
//! organisation qualifies), `/policies/{id}` (the conditions; the member's own check condition by
//! condition; for commission staff, which enterprises the policy reaches), and the staff forms
//! to write them. The verdicts come from [`qiao_app::planning`], the same code the API uses.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_domain::policy::{Check, ConditionKind, Said};
use qiao_domain::{CertKind, Eligibility, FieldError, Invalid, Outcome, Policy, Rule};
use qiao_store::PolicyRecord;
use serde_json::Value;

use super::form::{self, FormData, Input, Spec, form_page};
use super::{Ctx, Lang, PageResult, Visitor, html, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use qiao_app::planning;

/// How many enterprises of each outcome the reach table shows.
const REACH_ROWS: usize = 100;

/// The policy form, one field per JSON path of [`Policy`].
const POLICY_FORM: &[Spec] = &[
    Spec::required("title", "政策名称", "Title", Input::Text),
    Spec::optional("issuer", "发布机关", "Issued by", Input::Text),
    Spec::optional("benefit", "支持内容", "What it gives", Input::Text),
    Spec::optional("description", "说明", "Details", Input::Area),
    Spec::optional("apply_from", "申报开始", "Applications open", Input::Date),
    Spec::optional("apply_until", "申报截止", "Applications close", Input::Date),
    Spec::optional(
        "document_id",
        "来源文件编号",
        "Source document id",
        Input::Int,
    ),
    Spec::optional(
        "conditions.certificates",
        "须持有的证书（任一）",
        "Certificate required (any of)",
        Input::List,
    ),
    Spec::optional(
        "conditions.certificate_on",
        "证书须在此日有效",
        "Certificate in force on",
        Input::Date,
    ),
    Spec::optional("conditions.districts", "注册区", "Districts", Input::List),
    Spec::optional(
        "conditions.industries",
        "行业代码（GB/T 4754，前缀）",
        "Industry codes (GB/T 4754 prefixes)",
        Input::List,
    ),
    Spec::optional(
        "conditions.min_years",
        "成立满（年）",
        "Founded at least (years)",
        Input::Int,
    ),
    Spec::optional(
        "conditions.max_years",
        "成立不超过（年）",
        "Founded at most (years)",
        Input::Int,
    ),
    Spec::optional(
        "conditions.min_revenue_yuan",
        "上年营业收入不低于",
        "Revenue at least",
        Input::Yuan,
    ),
    Spec::optional(
        "conditions.max_revenue_yuan",
        "上年营业收入不超过",
        "Revenue at most",
        Input::Yuan,
    ),
    Spec::optional(
        "conditions.min_rd_ratio_percent",
        "研发费用占比不低于（%）",
        "R&D share of revenue at least (%)",
        Input::Number,
    ),
    Spec::optional(
        "conditions.min_employees",
        "员工不少于",
        "Employees at least",
        Input::Int,
    ),
    Spec::optional(
        "conditions.max_employees",
        "员工不超过",
        "Employees at most",
        Input::Int,
    ),
    Spec::optional(
        "conditions.min_patents",
        "授权专利不少于（项）",
        "Authorised patents at least",
        Input::Int,
    ),
];

/// A condition's name.
pub fn condition_label(l: Lang, k: ConditionKind) -> &'static str {
    match k {
        ConditionKind::Certificate => l.t("资质证书", "Certificate"),
        ConditionKind::District => l.t("所在区", "District"),
        ConditionKind::Industry => l.t("行业", "Industry"),
        ConditionKind::Age => l.t("成立年限", "Years since founding"),
        ConditionKind::Revenue => l.t("营业收入", "Revenue"),
        ConditionKind::RdRatio => l.t("研发投入强度", "R&D ratio"),
        ConditionKind::Employees => l.t("员工人数", "Employees"),
        ConditionKind::Patents => l.t("授权专利", "Patents"),
    }
}

/// An outcome's label and badge class.
pub fn outcome_badge(l: Lang, o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Pass => (l.t("符合", "qualifies"), "ok"),
        Outcome::Unknown => (l.t("待补充", "data missing"), "warn"),
        Outcome::Fail => (l.t("不符合", "does not qualify"), "bad"),
    }
}

fn said(l: Lang, s: &Said) -> String {
    l.t(&s.zh, &s.en).to_string()
}

/// One condition as a table row.
pub struct CheckRow {
    /// The condition's name.
    pub label: &'static str,
    /// What the policy requires.
    pub required: String,
    /// What the data shows.
    pub actual: String,
    /// What would be needed to pass.
    pub needed: String,
    /// The verdict: label and badge class.
    pub badge: (&'static str, &'static str),
}

fn check_row(l: Lang, c: &Check) -> CheckRow {
    CheckRow {
        label: condition_label(l, c.condition),
        required: said(l, &c.required),
        actual: c.actual.as_ref().map_or_else(
            || l.t("（无数据）", "(no data)").to_string(),
            |a| said(l, a),
        ),
        needed: c.needed.as_ref().map(|n| said(l, n)).unwrap_or_default(),
        badge: outcome_badge(l, c.outcome),
    }
}

/// A policy held against one organisation, as the org page and the policy list show it.
pub struct PolicyCheckView {
    /// Link to the policy.
    pub href: String,
    /// Its title.
    pub title: String,
    /// What it gives.
    pub benefit: String,
    /// Overall verdict: label and badge class.
    pub badge: (&'static str, &'static str),
    /// Every condition.
    pub checks: Vec<CheckRow>,
}

/// The views of `policies_for`'s results.
pub fn check_views(l: Lang, checks: Vec<(PolicyRecord, Eligibility)>) -> Vec<PolicyCheckView> {
    checks
        .into_iter()
        .map(|(p, e)| PolicyCheckView {
            href: format!("/policies/{}", p.id),
            title: p.policy.title,
            benefit: p.policy.benefit.unwrap_or_default(),
            badge: outcome_badge(l, e.outcome),
            checks: e.checks.iter().map(|c| check_row(l, c)).collect(),
        })
        .collect()
}

/// One policy in the list.
struct PolicyRow {
    href: String,
    title: String,
    issuer: String,
    benefit: String,
    window: String,
    conditions: usize,
    mine: Option<(&'static str, &'static str)>,
}

fn window(l: Lang, p: &Policy) -> String {
    match (p.apply_from, p.apply_until) {
        (None, None) => l.t("常年受理", "all year").to_string(),
        (Some(from), None) => format!("{from} {}", l.t("起", "onwards")),
        (None, Some(until)) => format!("{} {until}", l.t("截至", "until")),
        (Some(from), Some(until)) => format!("{from} – {until}"),
    }
}

#[derive(Template)]
#[template(path = "policies.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    staff: bool,
    org_name: Option<String>,
    rows: Vec<PolicyRow>,
}

/// `GET /policies`: every policy, and the signed-in member's verdict for their organisation.
pub async fn list(State(state): State<AppState>, v: Visitor) -> PageResult<Response> {
    let l = v.ctx.l;
    let policies = planning::all_policies(&state.store)
        .await
        .map_err(|e| v.error(e))?;
    let user = v.ctx.user.as_ref();
    // Only an enterprise has a verdict; the organisation is the member's own, seen in full.
    let org = match user.and_then(|u| u.org_id) {
        Some(id) => Some(state.store.get_org(id).await.map_err(|e| v.error(e))?)
            .filter(|o| o.org.kind == qiao_domain::OrgKind::Enterprise),
        None => None,
    };
    let today = state.today();
    let rows = policies
        .iter()
        .map(|p| PolicyRow {
            href: format!("/policies/{}", p.id),
            title: p.policy.title.clone(),
            issuer: p.policy.issuer.clone().unwrap_or_default(),
            benefit: p.policy.benefit.clone().unwrap_or_default(),
            window: window(l, &p.policy),
            conditions: p.policy.requirements(today).len(),
            mine: org
                .as_ref()
                .map(|o| outcome_badge(l, p.policy.check(&o.org, today).outcome)),
        })
        .collect();
    Ok(html(&ListPage {
        ctx: &v.ctx,
        staff: user.is_some_and(|u| u.may_manage_policies()),
        org_name: org.map(|o| o.org.name),
        rows,
    }))
}

/// One enterprise in the reach table.
struct ReachRow {
    href: String,
    name: String,
    district: String,
    badge: (&'static str, &'static str),
    needed: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    title: String,
    fields: Vec<(String, String)>,
    description: String,
    document_href: String,
    requirements: Vec<(&'static str, String)>,
    own: Option<(String, PolicyCheckView)>,
    profile_href: String,
    staff: bool,
    counts: [usize; 3],
    reach: Vec<ReachRow>,
    on: String,
}

/// The policy a page id names, or the not-found page.
async fn policy(state: &AppState, v: &Visitor, id: &str) -> PageResult<PolicyRecord> {
    v.found(id, ("该政策不存在。", "No such policy."), |id| {
        state.store.get_policy(id)
    })
    .await
}

/// `GET /policies/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let record = policy(&state, &v, &id).await?;
    let today = state.today();
    let p = &record.policy;
    let mut fields = Vec::new();
    for (zh, en, value) in [
        ("发布机关", "Issued by", p.issuer.clone()),
        ("支持内容", "What it gives", p.benefit.clone()),
        ("申报时间", "Applications", Some(window(l, p))),
    ] {
        if let Some(value) = value.filter(|s| !s.is_empty()) {
            fields.push((l.t(zh, en).to_string(), value));
        }
    }
    let requirements = p
        .requirements(today)
        .iter()
        .map(|(k, r)| (condition_label(l, *k), said(l, r)))
        .collect();
    let user = v.ctx.user.clone();
    let org = match user.as_ref().and_then(|u| u.org_id) {
        Some(org_id) => Some(state.store.get_org(org_id).await.map_err(|e| v.error(e))?),
        None => None,
    };
    // Only enterprises apply: a commission or a university has nothing to check.
    let profile_href = org
        .as_ref()
        .map(|o| format!("/orgs/{}/edit", o.id))
        .unwrap_or_default();
    let own = match org.filter(|o| o.org.kind == qiao_domain::OrgKind::Enterprise) {
        Some(org) => {
            let name = org.org.name.clone();
            let org = planning::visible(user.as_ref(), org);
            let e = p.check(&org.org, today);
            check_views(l, vec![(record.clone(), e)])
                .pop()
                .map(|view| (name, view))
        }
        None => None,
    };
    let staff = user.as_ref().is_some_and(|u| u.may_manage_policies());
    let (counts, reach) = if staff {
        let all = planning::reach(&state.store, &record, today)
            .await
            .map_err(|e| v.error(e))?;
        let counts = planning::tally(&all);
        let mut shown: HashMap<Outcome, usize> = HashMap::new();
        let rows = all
            .into_iter()
            .filter(|(_, e)| {
                let n = shown.entry(e.outcome).or_default();
                *n += 1;
                *n <= REACH_ROWS
            })
            .map(|(o, e)| ReachRow {
                href: format!("/orgs/{}", o.id),
                name: o.org.name,
                district: o.org.district.unwrap_or_default(),
                badge: outcome_badge(l, e.outcome),
                needed: e
                    .checks
                    .iter()
                    .filter_map(|c| c.needed.as_ref().map(|n| said(l, n)))
                    .collect::<Vec<_>>()
                    .join(l.t("；", "; ")),
            })
            .collect();
        (counts, rows)
    } else {
        ([0; 3], Vec::new())
    };
    Ok(html(&DetailPage {
        ctx: &v.ctx,
        id: record.id,
        title: p.title.clone(),
        fields,
        description: p.description.clone().unwrap_or_default(),
        document_href: p
            .document_id
            .map(|d| format!("/documents/{d}"))
            .unwrap_or_default(),
        requirements,
        own,
        profile_href,
        staff,
        counts,
        reach,
        on: today.to_string(),
    }))
}

/// The signed-in account, if it may write policies and targets (commission staff, admins).
pub(super) fn require_staff(v: &Visitor) -> PageResult<qiao_domain::Account> {
    let user = v.account()?.clone();
    if !user.may_manage_policies() {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "仅科委工作人员和平台管理员可编辑政策与目标。",
            "Only commission staff and admins edit policies and targets.",
        ))));
    }
    Ok(user)
}

/// Certificates as typed (高新技术企业, high_tech) to their JSON names.
fn certificate_names(fields: &mut serde_json::Map<String, Value>) -> Result<(), Invalid> {
    let Some(Value::Array(items)) = fields
        .get_mut("conditions")
        .and_then(|c| c.get_mut("certificates"))
    else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for item in items.iter_mut() {
        let raw = item.as_str().unwrap_or("").trim().to_string();
        let found = CertKind::ALL.into_iter().find(|k| {
            k.label_zh() == raw
                || serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s == raw))
                    == Some(true)
        });
        match found {
            Some(k) => *item = serde_json::to_value(k).unwrap_or(Value::Null),
            None => errors.push(FieldError::new(
                "conditions.certificates",
                Rule::NotOneOf {
                    found: raw.to_string(),
                    allowed: CertKind::ALL.map(|k| k.label_zh().to_string()).into(),
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid(errors))
    }
}

/// A posted policy form as a validated policy; an edit (`stored`) keeps what the form does not
/// show.
fn parse_form(form: &FormData, stored: Option<&Policy>) -> Result<Policy, Invalid> {
    let mut errors = Vec::new();
    let mut fields = form::fields_of(POLICY_FORM, form).unwrap_or_else(|Invalid(e)| {
        errors.extend(e);
        serde_json::Map::new()
    });
    // Certificates are named even when another field failed: every error shows at once.
    let certificates: Vec<Spec> = POLICY_FORM
        .iter()
        .filter(|s| s.name == "conditions.certificates")
        .copied()
        .collect();
    let mut typed = form::fields_of(&certificates, form).unwrap_or_default();
    if let Err(Invalid(e)) = certificate_names(&mut typed) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(Invalid(errors));
    }
    certificate_names(&mut fields)?;
    let stored = stored.map_or(Value::Null, |p| {
        serde_json::to_value(p).expect("policies serialise")
    });
    let mut p: Policy = form::typed(form::merged(stored, POLICY_FORM, fields))?;
    p.validate()?;
    Ok(p)
}

/// The form's values for a stored policy; certificates by their Chinese names.
fn values(p: &Policy) -> HashMap<String, String> {
    let mut out = form::values_from(POLICY_FORM, &serde_json::to_value(p).unwrap_or(Value::Null));
    if !p.conditions.certificates.is_empty() {
        out.insert(
            "conditions.certificates".into(),
            form::list_text(p.conditions.certificates.iter().map(|k| k.label_zh())),
        );
    }
    out
}

/// `GET /policies/new`
pub async fn new_form(v: Visitor) -> PageResult<Response> {
    require_staff(&v)?;
    let l = v.ctx.l;
    Ok(form_page(
        &v,
        l.t("新建政策", "New policy").into(),
        "/policies/new".into(),
        POLICY_FORM,
        &HashMap::new(),
        &[],
    ))
}

/// `POST /policies/new`
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let l = v.ctx.l;
    match parse_form(&form, None) {
        Ok(p) => {
            let r = state
                .store
                .acting_as(user.id)
                .create_policy(&p)
                .await
                .map_err(|e| v.error(e))?;
            Ok(see_other(&format!("/policies/{}", r.id)))
        }
        Err(Invalid(errors)) => Ok(form_page(
            &v,
            l.t("新建政策", "New policy").into(),
            "/policies/new".into(),
            POLICY_FORM,
            &form.typed(),
            &errors,
        )),
    }
}

/// `GET /policies/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    require_staff(&v)?;
    let r = policy(&state, &v, &id).await?;
    Ok(form_page(
        &v,
        format!(
            "{} · {}",
            v.ctx.l.t("编辑政策", "Edit policy"),
            r.policy.title
        ),
        format!("/policies/{}/edit", r.id),
        POLICY_FORM,
        &values(&r.policy),
        &[],
    ))
}

/// `POST /policies/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let r = policy(&state, &v, &id).await?;
    match parse_form(&form, Some(&r.policy)) {
        Ok(p) => {
            state
                .store
                .acting_as(user.id)
                .update_policy(r.id, &p)
                .await
                .map_err(|e| v.error(e))?;
            Ok(see_other(&format!("/policies/{}", r.id)))
        }
        Err(Invalid(errors)) => Ok(form_page(
            &v,
            format!(
                "{} · {}",
                v.ctx.l.t("编辑政策", "Edit policy"),
                r.policy.title
            ),
            format!("/policies/{}/edit", r.id),
            POLICY_FORM,
            &form.typed(),
            &errors,
        )),
    }
}

/// `POST /policies/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = require_staff(&v)?;
    let r = policy(&state, &v, &id).await?;
    state
        .store
        .acting_as(user.id)
        .delete_policy(r.id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other("/policies"))
}

/// Used by the org page: every policy held against an organisation as the visitor sees it.
pub async fn for_org(
    state: &AppState,
    v: &Visitor,
    org: qiao_store::OrgRecord,
) -> PageResult<Vec<PolicyCheckView>> {
    let checks = planning::policies_for(&state.store, v.ctx.user.as_ref(), org, state.today())
        .await
        .map_err(|e| v.error(e))?;
    Ok(check_views(v.ctx.l, checks))
}
