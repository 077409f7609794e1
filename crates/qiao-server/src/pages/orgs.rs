//! `GET /orgs/{id}`: an organisation's profile, its place on the cultivation ladder (科技型中小企业
//! → 高新技术企业 → 科技小巨人/专精特新 → 领军企业: verified certificates in force only) with
//! each certificate's validity and verification (待核验, 已核验 by whom and when, 驳回 and why), its
//! listings, and the policies it qualifies for. Revenue and R&D figures show only to the
//! organisation itself, commission staff and admins, exactly as in the API.
//!
//! `GET|POST /orgs/{id}/edit`: members (and admins) keep the profile's facts up to date, the
//! figures policies are checked against among them. Name, credit code and certificates are
//! the register's, changed through the API or an import, and kept as they are.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_domain::{CertKind, FieldError, Invalid, Kind, Organisation, Role, Verification};
use qiao_search::{Filters, SearchRequest};
use qiao_store::OrgRecord;
use qiao_store::{Drafts, ListingFilter, Page};
use serde_json::Value;

use super::detail::yuan;
use super::form::{self, FormData, Input, Spec, form_page};
use super::search_page::{HitView, hit_view, matches_summary};
use super::{Ctx, Lang, PageResult, Row, Visitor, html, row, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use qiao_app::disclosure;

/// Days before expiry from which a certificate is flagged as expiring.
const EXPIRING_DAYS: i64 = 90;

/// A certificate as the profile shows it.
pub struct CertView {
    label: &'static str,
    number: String,
    from: String,
    until: String,
    state: String,
    class: &'static str,
    /// Who verified it and when, or why it was rejected, or that it awaits verification.
    verification: String,
}

/// The profile form: the facts a member maintains, named by their JSON fields.
const PROFILE_FORM: &[Spec] = &[
    Spec::optional("district", "所在区", "District", Input::Text),
    Spec::optional(
        "industry_code",
        "行业代码（GB/T 4754-2017，如 C3562）",
        "Industry code (GB/T 4754-2017, e.g. C3562)",
        Input::Text,
    ),
    Spec::optional("founded_on", "成立日期", "Founded", Input::Date),
    Spec::optional("employees", "员工人数", "Employees", Input::Int),
    Spec::optional(
        "revenue_yuan",
        "上年营业收入（仅本机构与科委可见）",
        "Revenue last year (private)",
        Input::Yuan,
    ),
    Spec::optional(
        "rd_expense_yuan",
        "上年研发投入（仅本机构与科委可见）",
        "R&D last year (private)",
        Input::Yuan,
    ),
    Spec::optional("patents", "授权专利数", "Authorised patents", Input::Int),
    Spec::optional("website", "网站", "Website", Input::Text),
    Spec::optional("description", "简介", "Description", Input::Area),
];

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage<'a> {
    ctx: &'a Ctx,
    /// The certificate documents, for its members, staff and admins; the form for members.
    files: Option<super::attachment_pages::FilesBox>,
    name: String,
    kind_label: &'static str,
    fields: Vec<(String, String)>,
    description: String,
    ladder: Vec<(&'static str, bool)>,
    certificates: Vec<CertView>,
    rows: Vec<Row>,
    matches: Vec<HitView>,
    /// One sentence over the matches: how many are strong, or that none is.
    matches_summary: String,
    /// The listing a match would open a deal with (only on a listing's own page).
    deal_from: Option<i64>,
    policies: Vec<super::policy_pages::PolicyCheckView>,
    edit_href: String,
}

/// How many of an organisation's newest open listings its matches are searched with.
const MATCHED_LISTINGS: usize = 3;
/// How many matches the panel shows.
const MATCHES: usize = 8;

fn cert_label(l: Lang, k: CertKind) -> &'static str {
    l.t(k.label_zh(), k.label_en())
}

/// `GET /orgs/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let record = v
        .found(
            &id,
            ("该机构不存在。", "No such organisation."),
            |id| state.store.get_org(id),
        )
        .await?;
    let id = record.id;
    let record = disclosure::organisation(v.ctx.user.as_ref(), record);
    let org = &record.org;
    let today = state.today();
    let mut fields = vec![(
        l.t("统一社会信用代码", "Credit code").to_string(),
        org.credit_code.clone(),
    )];
    let mut push = |zh: &str, en: &str, value: Option<String>| {
        if let Some(v) = value {
            fields.push((l.t(zh, en).to_string(), v));
        }
    };
    push("所在区", "District", org.district.clone());
    push("行业代码", "Industry code", org.industry_code.clone());
    push("成立日期", "Founded", org.founded_on.map(|d| d.to_string()));
    push(
        "员工人数",
        "Employees",
        org.employees.map(|n| n.to_string()),
    );
    push(
        "上年营业收入",
        "Revenue last year",
        org.revenue_yuan.map(yuan),
    );
    push(
        "上年研发投入",
        "R&D last year",
        org.rd_expense_yuan.map(yuan),
    );
    push("网站", "Website", org.website.clone());
    let held = org.counted_certificates(today);
    let ladder = CertKind::ALL
        .into_iter()
        .map(|k| (cert_label(l, k), held.contains(&k)))
        .collect();
    let mut certificates: Vec<CertView> = org
        .certificates
        .iter()
        .map(|c| {
            let left = (c.expires_on - today).num_days();
            let (state, class) = if !c.valid_on(today) && today < c.issued_on {
                (l.t("未生效", "not yet valid").to_string(), "warn")
            } else if !c.valid_on(today) {
                (l.t("已过期", "expired").to_string(), "bad")
            } else if let Verification::Rejected { .. } = c.verification {
                (l.t("驳回", "rejected").to_string(), "bad")
            } else if c.verification == Verification::Pending {
                // In force on paper, but nobody checked it: it counts nowhere yet.
                (l.t("待核验", "awaiting verification").to_string(), "warn")
            } else if left <= EXPIRING_DAYS {
                (
                    match l {
                        Lang::Zh => format!("有效，{left} 天后到期"),
                        Lang::En => format!("valid, expires in {left} days"),
                    },
                    "warn",
                )
            } else {
                (l.t("有效", "valid").to_string(), "ok")
            };
            let verification = match &c.verification {
                Verification::Pending => l
                    .t(
                        "待科委核验，核验前不计入统计和政策核对",
                        "awaiting verification by the commission; counts nowhere until then",
                    )
                    .to_string(),
                Verification::Verified {
                    by_name,
                    at,
                    source,
                    ..
                } => {
                    let day = (*at + chrono::Duration::hours(8)).date_naive();
                    match (l, source) {
                        (Lang::Zh, Some(s)) => format!("已核验（{by_name}，{day}，依据 {s}）"),
                        (Lang::Zh, None) => format!("已核验（{by_name}，{day}）"),
                        (Lang::En, Some(s)) => format!("verified by {by_name} on {day} (from {s})"),
                        (Lang::En, None) => format!("verified by {by_name} on {day}"),
                    }
                }
                Verification::Rejected { reason, .. } => match l {
                    Lang::Zh => format!("驳回：{reason}"),
                    Lang::En => format!("rejected: {reason}"),
                },
            };
            CertView {
                verification,
                label: cert_label(l, c.kind),
                number: c.number.clone().unwrap_or_default(),
                from: c.issued_on.to_string(),
                until: c.expires_on.to_string(),
                state,
                class,
            }
        })
        .collect();
    certificates.sort_by(|a, b| b.until.cmp(&a.until));
    let drafts = match &v.ctx.user {
        Some(u) if u.role == Role::Admin => Drafts::All,
        Some(u) if u.org_id == Some(id) => Drafts::OfOrg(id),
        _ => Drafts::Hidden,
    };
    let listed = state
        .store
        .list_listings(
            &ListingFilter {
                owner_org_id: Some(id),
                drafts,
                ..Default::default()
            },
            Page {
                number: 1,
                size: 50,
            },
        )
        .await
        .map_err(|e| v.error(e))?
        .items;
    let rows = listed.iter().map(|r| row(l, r, today)).collect();
    // What answers the organisation: one search with the titles and keywords of its newest
    // open listings, among the kinds that answer them (one query keeps the page fast).
    let mut q = String::new();
    let mut kinds: Vec<Kind> = Vec::new();
    for record in listed
        .iter()
        .filter(|r| r.listing.is_active(today))
        .take(MATCHED_LISTINGS)
    {
        q.push_str(record.listing.title());
        q.push(' ');
        if let Some(k) = record
            .listing
            .to_fields()
            .get("keywords")
            .and_then(|k| k.as_array())
        {
            for word in k.iter().filter_map(|w| w.as_str()) {
                q.push_str(word);
                q.push(' ');
            }
        }
        for k in qiao_search::engine::answering_kinds(record.listing.kind()) {
            if !kinds.contains(k) {
                kinds.push(*k);
            }
        }
    }
    let hits: Vec<qiao_search::Hit> = if q.trim().is_empty() {
        Vec::new()
    } else {
        let results = state
            .search
            .search(&SearchRequest {
                q,
                filters: Filters {
                    kinds: kinds.clone(),
                    active_on: Some(today),
                    // The organisation's own listings are not its matches.
                    exclude_owner: Some(id),
                    ..Filters::default()
                },
                limit: MATCHES,
                offset: 0,
                explain: true,
            })
            .await
            .map_err(|e| v.error(e))?;
        results.hits
    };
    let matches: Vec<HitView> = hits.iter().map(|h| hit_view(l, h, today)).collect();
    let matches_summary = matches_summary(l, &matches, &kinds);
    let policies = if org.kind == qiao_domain::OrgKind::Enterprise {
        super::policy_pages::for_org(&state, &v, record.clone()).await?
    } else {
        Vec::new()
    };
    let files = super::attachment_pages::files_box(
        &state,
        v.ctx.user.as_ref(),
        qiao_domain::attachment::Owner {
            kind: qiao_domain::attachment::OwnerKind::Certificate,
            id: record.id,
        },
        format!("/orgs/{}/certificate-files", record.id),
    )
    .await
    .map_err(|e| v.error(e))?;
    Ok(html(&OrgPage {
        files,
        ctx: &v.ctx,
        name: org.name.clone(),
        kind_label: l.t(org.kind.label_zh(), org.kind.label_en()),
        fields,
        description: org.description.clone().unwrap_or_default(),
        ladder,
        certificates,
        rows,
        matches,
        matches_summary,
        deal_from: None,
        policies,
        edit_href: if v.ctx.user.as_ref().is_some_and(|u| u.may_change(Some(id))) {
            format!("/orgs/{id}/edit")
        } else {
            String::new()
        },
    }))
}

fn may_edit(v: &Visitor, id: i64) -> PageResult<qiao_domain::Account> {
    let user = v.account()?.clone();
    if !user.may_change(Some(id)) {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有本机构成员或平台管理员可以修改机构资料。",
            "Only the organisation's members or an admin may change its profile.",
        ))));
    }
    Ok(user)
}

fn edit_page(
    v: &Visitor,
    record: &OrgRecord,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    form_page(
        v,
        format!("{} · {}", v.ctx.l.t("机构资料", "Profile"), record.org.name),
        format!("/orgs/{}/edit", record.id),
        PROFILE_FORM,
        values,
        errors,
    )
}

/// `GET /orgs/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let record = v
        .found(
            &id,
            ("该机构不存在。", "No such organisation."),
            |id| state.store.get_org(id),
        )
        .await?;
    may_edit(&v, record.id)?;
    let values = form::values_from(
        PROFILE_FORM,
        &serde_json::to_value(&record.org).unwrap_or(Value::Null),
    );
    Ok(edit_page(&v, &record, &values, &[]))
}

/// `POST /orgs/{id}/edit`: the form's facts replace the profile's; what the form does not
/// show (name, credit code, kind, certificates) stays.
pub async fn update(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let record = v
        .found(
            &id,
            ("该机构不存在。", "No such organisation."),
            |id| state.store.get_org(id),
        )
        .await?;
    let user = may_edit(&v, record.id)?;
    let org = form::fields_of(PROFILE_FORM, &form).and_then(|fields| {
        let stored = serde_json::to_value(&record.org).unwrap_or(Value::Null);
        let mut org: Organisation = form::typed(form::merged(stored, PROFILE_FORM, fields))?;
        org.validate()?;
        Ok(org)
    });
    let org = match org {
        Ok(org) => org,
        Err(Invalid(errors)) => return Ok(edit_page(&v, &record, &form.typed(), &errors)),
    };
    state
        .store
        .acting_as(user.id)
        .update_org(record.id, &org)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&format!("/orgs/{}", record.id)))
}
