//! `GET /workspace`: the signed-in person's own corner: for technology managers and staff,
//! first the deals they follow (most urgent first) and the accepted contact requests waiting
//! for a deal; then contact requests received (with accept and decline), requests sent (with
//! the answer and the reason), 我的揭榜 (the organisation's applications to challenges, with
//! their status and the reason when not chosen), and their organisation's listings, drafts
//! included.
//! `POST /requests/{id}/decide` answers a request.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_domain::{ContactRequest, ContactStatus, Decision, DeclineReason};
use qiao_store::{Drafts, ListingFilter, Page};

use super::form::FormData;
use super::{Ctx, Lang, PageResult, Row, Visitor, form_message, html, row, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::contact_requests;

/// A request as the inbox shows it.
pub struct RequestRow {
    id: i64,
    listing_href: String,
    listing_title: String,
    status: &'static str,
    class: &'static str,
    pending: bool,
    party: String,
    at: String,
    message: String,
    reason: String,
    note: String,
    /// A refused decline of this request, shown again in its form.
    decline: Option<DeclineAttempt>,
}

/// A decline that was refused, shown again beside its form with what was typed: the reason
/// chosen, the note, and the problem next to the field it is about.
#[derive(Debug, Clone)]
pub struct DeclineAttempt {
    /// The request the decline was for.
    id: i64,
    /// The reason code chosen (may be empty).
    reason: String,
    /// The note typed.
    note: String,
    /// `reason` or `note`: the field the problem is about.
    field: &'static str,
    /// The problem, in the page's language.
    error: String,
}

impl RequestRow {
    /// The reason to preselect in the decline form (none unless a decline was refused).
    fn decline_reason(&self) -> &str {
        self.decline.as_ref().map_or("", |a| a.reason.as_str())
    }

    /// The note to put back in the decline form.
    fn decline_note(&self) -> &str {
        self.decline.as_ref().map_or("", |a| a.note.as_str())
    }

    /// The field a refused decline's problem is about, or "".
    fn decline_field(&self) -> &str {
        self.decline.as_ref().map_or("", |a| a.field)
    }
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage<'a> {
    ctx: &'a Ctx,
    who: String,
    error: Option<String>,
    org_href: Option<String>,
    received: Vec<RequestRow>,
    sent: Vec<RequestRow>,
    mine: Vec<Row>,
    reasons: Vec<(&'static str, &'static str)>,
    /// For technology managers and staff: their deals and the leads waiting for one.
    workbench: Option<super::deal_pages::Workbench>,
    /// 我的揭榜: the organisation's applications to challenges.
    applications: Vec<super::application_pages::AppRow>,
}

async fn request_rows(
    state: &AppState,
    l: Lang,
    requests: Vec<ContactRequest>,
    show_requester: bool,
) -> qiao_store::Result<Vec<RequestRow>> {
    let ids: Vec<i64> = requests.iter().map(|r| r.listing_id).collect();
    let listings = super::listings_by_id(state, &ids).await?;
    let mut rows = Vec::new();
    for r in requests {
        let (href, title) = match listings.get(&r.listing_id) {
            Some(li) => (
                format!("/{}/{}", li.kind().plural(), r.listing_id),
                li.title().to_string(),
            ),
            None => (String::from("#"), format!("#{}", r.listing_id)),
        };
        let party = if show_requester {
            let person = state
                .store
                .get_account(r.requester_id)
                .await
                .map(|a| a.display_name)
                .unwrap_or_default();
            let org = match r.requester_org_id {
                Some(o) => state.store.get_org(o).await.map(|o| o.org.name).ok(),
                None => None,
            };
            match org {
                Some(org) => format!("{person}（{org}）"),
                None => person,
            }
        } else {
            String::new()
        };
        rows.push(RequestRow {
            id: r.id,
            listing_href: href,
            listing_title: title,
            status: l.t(r.status.label_zh(), r.status.label_en()),
            class: match r.status {
                ContactStatus::Pending => "warn",
                ContactStatus::Accepted => "ok",
                ContactStatus::Declined => "bad",
            },
            pending: r.status == ContactStatus::Pending,
            party,
            at: (r.created_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            message: r.message,
            reason: r
                .reason
                .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
                .unwrap_or_default(),
            note: r.note.unwrap_or_default(),
            decline: None,
        });
    }
    Ok(rows)
}

async fn render(
    state: &AppState,
    v: &Visitor,
    mut error: Option<String>,
    attempt: Option<DeclineAttempt>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let page = Page {
        number: 1,
        size: 100,
    };
    let received = contact_requests::inbox(&state.store, &user, false, page)
        .await
        .map_err(|e| v.error(e))?
        .items;
    let sent = contact_requests::inbox(&state.store, &user, true, page)
        .await
        .map_err(|e| v.error(e))?
        .items;
    let mut received = request_rows(state, l, received, true)
        .await
        .map_err(|e| v.error(e))?;
    // A refused decline goes back to its own row; if that request is no longer pending (or
    // was never this person's to answer) there is no form to put it in, so say it on top.
    if let Some(a) = attempt {
        match received.iter_mut().find(|r| r.id == a.id && r.pending) {
            Some(row) => row.decline = Some(a),
            None => error = error.or(Some(a.error)),
        }
    }
    let sent = request_rows(state, l, sent, false)
        .await
        .map_err(|e| v.error(e))?;
    let workbench = super::deal_pages::workbench(state, &user, l)
        .await
        .map_err(|e| v.error(e))?;
    let applications = super::application_pages::my_rows(state, l, &user)
        .await
        .map_err(|e| v.error(e))?;
    let today = state.today();
    let mine = match user.org_id {
        Some(org) => state
            .store
            .list_listings(
                &ListingFilter {
                    owner_org_id: Some(org),
                    drafts: Drafts::OfOrg(org),
                    ..Default::default()
                },
                page,
            )
            .await
            .map_err(|e| v.error(e))?
            .items
            .iter()
            .map(|r| row(l, r, today))
            .collect(),
        None => Vec::new(),
    };
    Ok(html(&WorkspacePage {
        ctx: &v.ctx,
        who: format!("{} · {}", user.display_name, l.role(&user.role)),
        error,
        org_href: user.org_id.map(|o| format!("/orgs/{o}")),
        received,
        sent,
        mine,
        reasons: DeclineReason::ALL
            .into_iter()
            .map(|r| (r.as_str(), l.t(r.label_zh(), r.label_en())))
            .collect(),
        workbench,
        applications,
    }))
}

/// `GET /workspace`
pub async fn show(State(state): State<AppState>, v: Visitor) -> PageResult<Response> {
    render(&state, &v, None, None).await
}

/// `POST /requests/{id}/decide`
pub async fn decide(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let typed_note = form.text("note");
    let note = Some(typed_note.clone()).filter(|n| !n.is_empty());
    let attempt = |field: &'static str, error: String| DeclineAttempt {
        id,
        reason: form.text("reason"),
        note: typed_note.clone(),
        field,
        error,
    };
    let declining = form.get("decision") != Some("accept");
    let decision = if declining {
        match DeclineReason::parse(&form.text("reason")) {
            Some(reason) => Decision::Decline { reason, note },
            None => {
                let a = attempt(
                    "reason",
                    v.ctx.l.t("请选择婉拒原因。", "Choose a reason.").into(),
                );
                return render(&state, &v, None, Some(a)).await;
            }
        }
    } else {
        Decision::Accept { note }
    };
    match contact_requests::decide(&state.store, &user, id, decision)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(see_other("/workspace#received")),
        // The reason was parsed above, so what the rules refuse is the note.
        Err(e) if declining && e.code == Code::ValidationFailed => {
            let a = attempt("note", form_message(v.ctx.l, e));
            render(&state, &v, None, Some(a)).await
        }
        Err(e) if matches!(e.code, Code::ValidationFailed | Code::Conflict) => {
            let text = form_message(v.ctx.l, e);
            render(&state, &v, Some(text), None).await
        }
        Err(e) => Err(v.error(e)),
    }
}
