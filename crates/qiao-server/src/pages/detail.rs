//! A listing's own pages: `GET /{kind}s/{id}` (public summary, the private part when disclosed,
//! a contact request form, and the best matches with their reasons, each with a button that
//! opens a deal for technology managers and staff),
//! `POST /{kind}s/{id}/contact`, and the forms to post (`/post/{kind}`) and edit
//! (`/{kind}s/{id}/edit`) a listing.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_domain::{ContactStatus, FieldError, Invalid, Kind, Listing, NewContactRequest};
use qiao_store::{ContactFilter, ListingRecord, Page};
use serde_json::Value;

use super::form::{self, FormData, Shown};
use super::search_page::{HitView, hit_view, matches_summary};
use super::{
    Ctx, Lang, PageError, PageResult, Visitor, form_message, html, see_other, status_badge,
};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::{contact_requests, disclosure};

/// How many matches the panel shows.
const MATCHES: usize = 8;

/// The visitor's latest request about this listing.
pub struct RequestView {
    status: &'static str,
    class: &'static str,
    reason: String,
    note: String,
}

#[derive(Template)]
#[template(path = "listing.html")]
struct DetailPage<'a> {
    ctx: &'a Ctx,
    kind_label: &'static str,
    title: String,
    status: String,
    status_class: &'static str,
    owner: Option<(String, String)>,
    may_edit: bool,
    edit_href: String,
    body: String,
    fields: Vec<(String, String)>,
    disclosed: bool,
    private: Vec<(String, String)>,
    /// The listing's files, for those it discloses itself to (and staff).
    files: Vec<super::attachment_pages::FileLink>,
    /// Where its owner uploads files.
    files_action: String,
    request: Option<RequestView>,
    can_request: bool,
    contact_action: String,
    request_label: &'static str,
    contact_message: String,
    contact_error: Option<String>,
    login_href: String,
    matches: Vec<HitView>,
    /// One sentence over the matches: how many are strong, or that none is.
    matches_summary: String,
    /// For technology managers and staff: this listing, from which each match opens a deal.
    deal_from: Option<i64>,
    /// The valuation page, for those who may value this achievement.
    valuation_href: Option<String>,
    /// A challenge's 揭榜 box: the apply form, the review link, the viewer's application.
    challenge: Option<super::application_pages::ChallengePanel>,
    /// An instrument's slots box: the coming slots and the 预约 form.
    slots: Option<super::booking_pages::SlotPanel>,
}

fn label_of(kind: Kind, l: Lang, key: &str) -> String {
    if let Some(s) = form::specs(kind).into_iter().find(|s| s.name == key) {
        return l.t(s.zh, s.en).to_string();
    }
    match key {
        "summary" => l.t("简介", "Summary"),
        other => other,
    }
    .to_string()
}

/// A coded value (a way of cooperating, a stage) in words; other text as it is.
fn cooperation_label(l: Lang, code: &str) -> String {
    form::COOPERATION
        .iter()
        .chain(form::STAGES)
        .find(|(v, _, _)| !v.is_empty() && *v == code)
        .map_or(code, |(_, zh, en)| l.t(zh, en))
        .to_string()
}

pub use qiao_domain::money::format_yuan as yuan;

fn value_text(l: Lang, key: &str, v: &Value) -> String {
    match v {
        Value::String(s) => cooperation_label(l, s),
        Value::Number(n) if key.ends_with("_yuan") => n.as_i64().map_or(n.to_string(), yuan),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Object(o) => {
                    let name = o.get("name").and_then(Value::as_str).unwrap_or("");
                    let target = o.get("target").map(Value::to_string).unwrap_or_default();
                    let unit = o.get("unit").and_then(Value::as_str).unwrap_or("");
                    let line = format!("{name} {target} {unit}").trim().to_string();
                    match o.get("note").and_then(Value::as_str) {
                        Some(note) => format!("{line}（{note}）"),
                        None => line,
                    }
                }
                other => value_text(l, key, other),
            })
            .collect::<Vec<_>>()
            .join(l.t("、", ", ")),
        other => other.to_string(),
    }
}

/// The public fields of a listing as (label, value) rows, in form order.
fn public_fields(l: Lang, listing: &Listing) -> Vec<(String, String)> {
    let kind = listing.kind();
    let Value::Object(map) = listing.to_fields() else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = map.keys().collect();
    let order: Vec<&str> = form::specs(kind).iter().map(|s| s.name).collect();
    keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    keys.into_iter()
        .filter(|k| {
            !matches!(
                k.as_str(),
                "title" | "description" | "summary" | "contact" | "confidential" | "status"
            )
        })
        .filter_map(|k| {
            let v = &map[k];
            let text = value_text(l, k, v);
            (!text.is_empty() && text != "null").then(|| (label_of(kind, l, k), text))
        })
        .collect()
}

fn body_of(listing: &Listing) -> String {
    let v = listing.to_fields();
    ["description", "summary"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .unwrap_or("")
        .to_string()
}

fn private_fields(l: Lang, listing: &Listing) -> Vec<(String, String)> {
    let v = listing.to_fields();
    let mut out = Vec::new();
    if let Some(c) = v.get("contact") {
        for (key, zh, en) in [
            ("name", "联系人", "Contact person"),
            ("phone", "联系电话", "Phone"),
            ("email", "电子邮箱", "E-mail"),
        ] {
            if let Some(s) = c.get(key).and_then(Value::as_str) {
                out.push((l.t(zh, en).to_string(), s.to_string()));
            }
        }
    }
    if let Some(s) = v.get("confidential").and_then(Value::as_str) {
        out.push((
            l.t("保密信息", "Confidential details").to_string(),
            s.to_string(),
        ));
    }
    out
}

fn not_found(v: &Visitor, kind: Kind, id: i64) -> PageError {
    v.error(ApiError::new(
        Code::NotFound,
        match v.ctx.l {
            Lang::Zh => format!("{}（编号 {id}）不存在或未公开。", kind.label_zh()),
            Lang::En => format!("{} {id} does not exist or is not public.", kind.as_str()),
        },
    ))
}

async fn load(state: &AppState, v: &Visitor, kind: Kind, id: i64) -> PageResult<ListingRecord> {
    disclosure::load(&state.store, kind, id, v.ctx.user.as_ref())
        .await
        .map_err(ApiError::from)
        .map_err(|e| {
            if e.code == Code::NotFound {
                not_found(v, kind, id)
            } else {
                v.error(e)
            }
        })
}

async fn render_detail(
    state: &AppState,
    v: &Visitor,
    kind: Kind,
    record: ListingRecord,
    contact_message: String,
    contact_error: Option<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let today = state.today();
    let user = v.ctx.user.as_ref();
    let disclosed = disclosure::discloses(&state.store, user, &record)
        .await
        .map_err(|e| v.error(e))?;
    let may_edit = user.is_some_and(|u| u.may_change(record.owner_org_id));
    let owner = match record.owner_org_id {
        Some(o) => state
            .store
            .get_org(o)
            .await
            .ok()
            .map(|org| (format!("/orgs/{o}"), org.org.name)),
        None => None,
    };
    let request = match user {
        Some(u) if !may_edit => state
            .store
            .contact_requests(
                &ContactFilter {
                    listing_id: Some(record.id),
                    requester_id: Some(u.id),
                    ..Default::default()
                },
                Page { number: 1, size: 1 },
            )
            .await
            .map_err(|e| v.error(e))?
            .items
            .into_iter()
            .next(),
        _ => None,
    };
    let open_request = request
        .as_ref()
        .is_some_and(|r| r.status != ContactStatus::Declined);
    let can_request = user.is_some_and(qiao_domain::contact::may_request_contact)
        && !may_edit
        && !disclosed
        && !open_request;
    let request = request.map(|r| RequestView {
        status: l.t(r.status.label_zh(), r.status.label_en()),
        class: match r.status {
            ContactStatus::Pending => "warn",
            ContactStatus::Accepted => "ok",
            ContactStatus::Declined => "bad",
        },
        reason: r
            .reason
            .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
            .unwrap_or_default(),
        note: r.note.unwrap_or_default(),
    });
    // Matches are for open listings; a draft or closed one still shows what would answer it.
    let results = state
        .search
        .matches(&record, today, MATCHES, 0)
        .await
        .map_err(|e| v.error(e))?;
    let matches: Vec<HitView> = results.hits.iter().map(|h| hit_view(l, h, today)).collect();
    let matches_summary = matches_summary(l, &matches, qiao_search::engine::answering_kinds(kind));
    let (status, status_class) = status_badge(
        l,
        record.listing.status(),
        record.listing.expires_on(),
        today,
    );
    let self_href = format!("/{}/{}", kind.plural(), record.id);
    let valuation_href = match user {
        Some(u) if kind == Kind::Achievement => {
            qiao_app::valuations::may_value_listing(&state.store, u, record.id, record.owner_org_id)
                .await
                .map_err(|e| v.error(e))?
                .then(|| format!("{self_href}/valuation"))
        }
        _ => None,
    };
    let challenge = super::application_pages::panel(state, v, &record, None).await?;
    let slots = super::booking_pages::panel(state, v, &record).await?;
    Ok(html(&DetailPage {
        challenge,
        slots,
        valuation_href,
        ctx: &v.ctx,
        kind_label: l.kind(&kind),
        title: record.listing.title().to_string(),
        status,
        status_class,
        owner,
        may_edit,
        edit_href: format!("{self_href}/edit"),
        body: body_of(&record.listing),
        fields: public_fields(l, &record.listing),
        disclosed,
        private: if disclosed {
            private_fields(l, &record.listing)
        } else {
            Vec::new()
        },
        files: super::attachment_pages::listing_files(state, user, record.id)
            .await
            .map_err(|e| v.error(e))?,
        files_action: format!("{self_href}/files"),
        request,
        can_request,
        contact_action: format!("{self_href}/contact"),
        // Shared instruments are booked through the same request as any contact.
        request_label: match kind {
            Kind::Instrument => l.t("申请预约 / 联系", "Request booking / contact"),
            _ => l.t("申请联系方式", "Request contact"),
        },
        contact_message,
        contact_error,
        login_href: format!("/login?next={}", urlencoding::encode(&self_href)),
        matches,
        matches_summary,
        deal_from: user
            .is_some_and(qiao_app::deals::may_open)
            .then_some(record.id),
    }))
}

/// `GET /{kind}s/{id}`
pub async fn show(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let id: i64 = id.parse().map_err(|_| not_found(&v, kind, 0))?;
    let record = load(&state, &v, kind, id).await?;
    render_detail(&state, &v, kind, record, String::new(), None).await
}

/// `POST /{kind}s/{id}/contact`: ask the owner for contact details.
pub async fn request_contact(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let id: i64 = id.parse().map_err(|_| not_found(&v, kind, 0))?;
    let message = form.text("message");
    let new = NewContactRequest {
        message: message.clone(),
    };
    match contact_requests::request(&state.store, &user, kind, id, new)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(see_other(&format!("/{}/{id}#contact", kind.plural()))),
        Err(e) if matches!(e.code, Code::ValidationFailed | Code::Conflict) => {
            let text = form_message(v.ctx.l, e);
            let record = load(&state, &v, kind, id).await?;
            render_detail(&state, &v, kind, record, message, Some(text)).await
        }
        Err(e) => Err(v.error(e)),
    }
}

#[derive(Template)]
#[template(path = "listing_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    heading: String,
    action: String,
    fields: Vec<Shown>,
    general: Vec<String>,
    kinds: Vec<(String, &'static str, bool)>,
}

/// The kinds a visitor may post: resources and scenarios too, for everyone signed in with an
/// organisation; the owner is always the visitor's organisation.
fn kind_choices(l: Lang, current: Kind) -> Vec<(String, &'static str, bool)> {
    Kind::ALL
        .into_iter()
        .map(|k| (format!("/post/{}", k.as_str()), l.kind(&k), k == current))
        .collect()
}

fn form_page(
    v: &Visitor,
    kind: Kind,
    action: String,
    heading: String,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    html(&FormPage {
        ctx: &v.ctx,
        heading,
        action,
        fields: form::shown(kind, v.ctx.l, values, errors),
        general: form::unplaced(kind, v.ctx.l, errors),
        kinds: kind_choices(v.ctx.l, kind),
    })
}

fn parse_kind(v: &Visitor, raw: &str) -> PageResult<Kind> {
    Kind::parse(raw).ok_or_else(|| {
        v.error(ApiError::new(
            Code::NotFound,
            format!("`{raw}` is not a kind of listing"),
        ))
    })
}

fn posting_account(v: &Visitor) -> PageResult<qiao_domain::Account> {
    let user = v.account()?.clone();
    if user.org_id.is_none() {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "发布需要账号归属一个机构；请注册机构账号，或请管理员为您关联机构。",
            "Posting needs an account that acts for an organisation; register one, or ask an admin to link yours.",
        ))));
    }
    Ok(user)
}

/// `GET /post`: choose what to post (a demand by default).
pub async fn post_default(v: Visitor) -> PageResult<Response> {
    new_form_for(&v, Kind::Demand)
}

fn new_form_for(v: &Visitor, kind: Kind) -> PageResult<Response> {
    posting_account(v)?;
    let mut values = HashMap::new();
    values.insert("status".to_string(), "open".to_string());
    Ok(form_page(
        v,
        kind,
        format!("/post/{}", kind.as_str()),
        format!("{}：{}", v.ctx.l.t("发布", "Post"), v.ctx.l.kind(&kind)),
        &values,
        &[],
    ))
}

/// `GET /post/{kind}`
pub async fn new_form(v: Visitor, Path(kind): Path<String>) -> PageResult<Response> {
    let kind = parse_kind(&v, &kind)?;
    new_form_for(&v, kind)
}

/// `POST /post/{kind}`
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    Path(kind): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let kind = parse_kind(&v, &kind)?;
    let user = posting_account(&v)?;
    match form::parse_listing(kind, &form) {
        Ok(listing) => {
            let record = state
                .store
                .acting_as(user.id)
                .create_listing(user.org_id, &listing)
                .await
                .map_err(|e| v.error(e))?;
            // Its first view matches it with its meaning (issue #27, point 4).
            state.search.embed_fresh(&record).await;
            Ok(see_other(&format!("/{}/{}", kind.plural(), record.id)))
        }
        Err(Invalid(errors)) => {
            let values = form.typed();
            Ok(form_page(
                &v,
                kind,
                format!("/post/{}", kind.as_str()),
                format!("{}：{}", v.ctx.l.t("发布", "Post"), v.ctx.l.kind(&kind)),
                &values,
                &errors,
            ))
        }
    }
}

async fn editable(
    state: &AppState,
    v: &Visitor,
    kind: Kind,
    id: &str,
) -> PageResult<(qiao_domain::Account, ListingRecord)> {
    let user = v.account()?.clone();
    let id: i64 = id.parse().map_err(|_| not_found(v, kind, 0))?;
    let record = load(state, v, kind, id).await?;
    if !user.may_change(record.owner_org_id) {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有发布机构或管理员可以修改此条目。",
            "Only the owning organisation or an admin may change this listing.",
        ))));
    }
    Ok((user, record))
}

/// `GET /{kind}s/{id}/edit`
pub async fn edit_form(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let (_, record) = editable(&state, &v, kind, &id).await?;
    let values = form::values_of(&record.listing);
    Ok(form_page(
        &v,
        kind,
        format!("/{}/{}/edit", kind.plural(), record.id),
        format!("{}：{}", v.ctx.l.t("编辑", "Edit"), record.listing.title()),
        &values,
        &[],
    ))
}

/// `POST /{kind}s/{id}/edit`
pub async fn update(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let (user, record) = editable(&state, &v, kind, &id).await?;
    // Over the stored listing: a field the form does not show is kept, never erased.
    match form::parse_edit(&record.listing, &form) {
        Ok(listing) => {
            let updated = state
                .store
                .acting_as(user.id)
                .update_listing(record.id, &listing)
                .await
                .map_err(|e| v.error(e))?;
            state.search.embed_fresh(&updated).await;
            Ok(see_other(&format!("/{}/{}", kind.plural(), record.id)))
        }
        Err(Invalid(errors)) => {
            let values = form.typed();
            Ok(form_page(
                &v,
                kind,
                format!("/{}/{}/edit", kind.plural(), record.id),
                format!("{}：{}", v.ctx.l.t("编辑", "Edit"), record.listing.title()),
                &values,
                &errors,
            ))
        }
    }
}
