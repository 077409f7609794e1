//! The audit log's page for admins: `GET /admin/audit` (a page of changes, each with the
//! fields it changed, before and after, in Chinese or English) and `GET /admin/audit.xlsx`
//! (the same changes as a workbook, one row per changed field).
//!
//! Filters, labels and the workbook are the application layer's ([`qiao_app::audit_log`]),
//! shared with `GET /api/v1/audit`; this module lays them out. Values are text escaped by the
//! template like any other; long ones are cut on the page and whole in the workbook.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use qiao_app::audit_log::{
    AuditQuery, ENTITIES, actor_label, beijing, entity_label, field_label, given, listing_kinds,
    op_label, value_text, workbook,
};
use qiao_domain::Kind;
use qiao_store::{AuditEntry, Op, Page};

use super::admin::require_admin;
use super::{Ctx, Lang, PageResult, Visitor, html};
use crate::download::xlsx_download;
use crate::error::ApiError;
use crate::state::AppState;

/// Characters of a value shown on the page; the workbook has all of it.
const SHOWN_CHARS: usize = 120;

/// The query string of the filters alone (for links to other pages and the export).
fn filters_query(q: &AuditQuery) -> String {
    let pairs = [
        ("actor", &q.actor),
        ("entity", &q.entity),
        ("entity_id", &q.entity_id),
        ("from", &q.from),
        ("to", &q.to),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", urlencoding::encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn cut(s: String, chars: usize) -> String {
    if s.chars().count() <= chars {
        s
    } else {
        let mut out: String = s.chars().take(chars).collect();
        out.push('…');
        out
    }
}

/// One changed field as the page shows it.
pub struct FieldRow {
    label: String,
    before: String,
    after: String,
}

/// One change as the page shows it.
pub struct EntryRow {
    seq: i64,
    at: String,
    who: String,
    what: &'static str,
    object: String,
    href: String,
    fields: Vec<FieldRow>,
    /// Changes recorded before fields were kept.
    unrecorded: bool,
}

fn object_href(e: &AuditEntry, kind: Option<Kind>) -> String {
    match (e.entity.as_str(), e.op, kind) {
        (_, Op::Delete, _) => String::new(),
        ("organisation", _, _) => format!("/orgs/{}", e.entity_id),
        ("listing", _, Some(k)) => format!("/{}/{}", k.plural(), e.entity_id),
        ("document", _, _) => format!("/documents/{}", e.entity_id),
        ("policy", _, _) => format!("/policies/{}", e.entity_id),
        ("deal", _, _) => format!("/deals/{}", e.entity_id),
        ("contract", _, _) => format!("/contracts/{}", e.entity_id),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    ctx: &'a Ctx,
    total: String,
    entries: Vec<EntryRow>,
    prev: Option<String>,
    next: Option<String>,
    actor: String,
    entity_id: String,
    from: String,
    to: String,
    /// (value, label, selected) of the object-type choice.
    entities: Vec<(&'static str, &'static str, bool)>,
    export: String,
    error: Option<String>,
}

const PAGE_SIZE: u32 = 50;

/// `GET /admin/audit?actor=&entity=&entity_id=&from=&to=&page=`
pub async fn page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<AuditQuery>,
) -> PageResult<Response> {
    require_admin(&v)?;
    let l = v.ctx.l;
    let page = q.page.unwrap_or(1).max(1);
    let (filter, error) = match q.filter() {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (entries, total) = match &filter {
        Some(f) => {
            let log = state
                .store
                .audit_log(
                    f,
                    Page {
                        number: page,
                        size: PAGE_SIZE,
                    },
                )
                .await
                .map_err(|e| v.error(e))?;
            (log.items, log.total)
        }
        None => (Vec::new(), 0),
    };
    let kinds = listing_kinds(state.store.as_ref(), &entries)
        .await
        .map_err(|e| v.error(e))?;
    let rows = entries
        .iter()
        .map(|e| {
            let kind = kinds
                .get(&e.entity_id)
                .copied()
                .filter(|_| e.entity == "listing");
            EntryRow {
                seq: e.seq,
                at: beijing(e.at),
                who: actor_label(l, e),
                what: op_label(l, e.op),
                object: format!("{} #{}", entity_label(l, &e.entity, kind), e.entity_id),
                href: object_href(e, kind),
                fields: e
                    .changes
                    .iter()
                    .flatten()
                    .map(|c| FieldRow {
                        label: field_label(l, kind, &c.field),
                        before: cut(value_text(l, &e.entity, &c.field, &c.before), SHOWN_CHARS),
                        after: cut(value_text(l, &e.entity, &c.field, &c.after), SHOWN_CHARS),
                    })
                    .collect(),
                unrecorded: e.changes.is_none(),
            }
        })
        .collect();
    let filters = filters_query(&q);
    let link = |p: u32| {
        if filters.is_empty() {
            format!("/admin/audit?page={p}")
        } else {
            format!("/admin/audit?{filters}&page={p}")
        }
    };
    let pages = u32::try_from(total).unwrap_or(u32::MAX).div_ceil(PAGE_SIZE);
    let chosen = given(&q.entity).unwrap_or("");
    Ok(html(&AuditPage {
        ctx: &v.ctx,
        total: match l {
            Lang::Zh => format!("共 {total} 条。"),
            Lang::En => format!("{total} entries."),
        },
        entries: rows,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        actor: given(&q.actor).unwrap_or("").to_string(),
        entity_id: given(&q.entity_id).unwrap_or("").to_string(),
        from: given(&q.from).unwrap_or("").to_string(),
        to: given(&q.to).unwrap_or("").to_string(),
        entities: ENTITIES
            .iter()
            .map(|(name, zh, en)| (*name, l.t(zh, en), *name == chosen))
            .collect(),
        export: if filters.is_empty() {
            "/admin/audit.xlsx".into()
        } else {
            format!("/admin/audit.xlsx?{filters}")
        },
        error,
    }))
}

/// `GET /admin/audit.xlsx?actor=&entity=&entity_id=&from=&to=`
pub async fn xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<AuditQuery>,
) -> PageResult<Response> {
    require_admin(&v)?;
    let filter = q.filter().map_err(|e| v.error(ApiError::from(e)))?;
    let bytes = workbook(state.store.as_ref(), &filter, v.ctx.l)
        .await
        .map_err(|e| v.error(e))?;
    Ok(xlsx_download(bytes, "audit.xlsx"))
}
