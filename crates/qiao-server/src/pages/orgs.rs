//! `GET /orgs/{id}`: an organisation's profile, its place on the cultivation ladder (科技型中小企业
//! → 高新技术企业 → 科技小巨人/专精特新 → 领军企业) with each certificate's validity, and its
//! listings. Revenue and R&D figures show only to the organisation itself, commission staff and
//! admins, exactly as in the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_domain::{CertKind, Kind, Role};
use qiao_search::{Filters, SearchRequest};
use qiao_store::{Drafts, ListingFilter, Page};

use super::detail::yuan;
use super::search::{HitView, hit_view};
use super::{Ctx, Lang, PageResult, Row, Visitor, html, row};
use crate::api::organisations;
use crate::state::AppState;

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
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage<'a> {
    ctx: &'a Ctx,
    name: String,
    kind_label: &'static str,
    fields: Vec<(String, String)>,
    description: String,
    ladder: Vec<(&'static str, bool)>,
    certificates: Vec<CertView>,
    rows: Vec<Row>,
    matches: Vec<HitView>,
    policies: Vec<super::policies::PolicyCheckView>,
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
    let record = organisations::view(v.ctx.user.as_ref(), record);
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
    let held = org.valid_certificates(today);
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
            CertView {
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
                    kinds,
                    active_on: Some(today),
                    ..Filters::default()
                },
                limit: MATCHES * 2,
                offset: 0,
                explain: true,
            })
            .await
            .map_err(|e| v.error(e))?;
        results
            .hits
            .into_iter()
            .filter(|h| h.owner_org_id != Some(id))
            .take(MATCHES)
            .collect()
    };
    let matches = hits.iter().map(|h| hit_view(l, h, today)).collect();
    let policies = if org.kind == qiao_domain::OrgKind::Enterprise {
        super::policies::for_org(&state, &v, record.clone()).await?
    } else {
        Vec::new()
    };
    Ok(html(&OrgPage {
        ctx: &v.ctx,
        name: org.name.clone(),
        kind_label: l.t(org.kind.label_zh(), org.kind.label_zh()),
        fields,
        description: org.description.clone().unwrap_or_default(),
        ladder,
        certificates,
        rows,
        matches,
        policies,
    }))
}
