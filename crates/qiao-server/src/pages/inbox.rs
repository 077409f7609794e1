//! The inbox (issue #26): `GET /inbox` lists the signed-in account's notifications newest
//! first, a page at a time below an id (`?before=`); `POST /inbox/{id}/open` marks one read and
//! goes to its record; `POST /inbox/{id}/read` and `POST /inbox/read-all` mark without leaving.
//! Opening is a form, not a link, so marking read is a POST that carries the CSRF token.
//!
//! `GET /account` is the person's own settings: the e-mail address and telephone
//! (`POST /account/contact`) and, per kind, whether a notification goes to the inbox and by
//! e-mail (`POST /account/notifications`). `POST /challenges/{id}/follow` follows or unfollows
//! a challenge from its page. The rules are [`qiao_app::notifications`]'s and
//! [`qiao_app::account_contact`]'s, which the API calls too.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use qiao_app::notifications;
use qiao_domain::notification::{NotificationKind, Preference};
use qiao_domain::{AccountContact, Kind};
use serde::Deserialize;

use super::form::FormData;
use super::{Ctx, PageResult, Visitor, cst_time, form_message, html, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// How many notifications one page of the inbox shows.
const PER_PAGE: u32 = 20;

/// A notification as the inbox shows it.
pub struct Item {
    id: i64,
    kind: &'static str,
    title: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage<'a> {
    ctx: &'a Ctx,
    unread: i64,
    items: Vec<Item>,
    older: Option<String>,
    first_page: bool,
}

/// `?before=ID`
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    before: Option<i64>,
}

/// `GET /inbox`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<InboxQuery>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let l = v.ctx.l;
    let inbox = notifications::inbox(&state.store, &user, q.before, PER_PAGE)
        .await
        .map_err(|e| v.error(e))?;
    let items = inbox
        .items
        .into_iter()
        .map(|i| {
            let n = i.notification;
            Item {
                id: n.id,
                kind: l.t(n.kind.label_zh(), n.kind.label_en()),
                title: match l {
                    super::Lang::Zh => n.title,
                    super::Lang::En => n.title_en,
                },
                at: cst_time(n.created_at),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    Ok(html(&InboxPage {
        ctx: &v.ctx,
        unread: inbox.unread,
        items,
        older: inbox.next_before.map(|b| format!("/inbox?before={b}")),
        first_page: q.before.is_none(),
    }))
}

/// `POST /inbox/{id}/open`: marks it read and goes to its record.
pub async fn open(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let item = notifications::mark_read(&state.store, &user, id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&item.link))
}

/// `POST /inbox/{id}/read`
pub async fn read(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    notifications::mark_read(&state.store, &user, id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other("/inbox"))
}

/// `POST /inbox/read-all`
pub async fn read_all(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    notifications::mark_all_read(&state.store, &user)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other("/inbox"))
}

/// One row of the preferences table.
pub struct PrefRow {
    kind: &'static str,
    label: &'static str,
    in_app: bool,
    email: bool,
}

#[derive(Template)]
#[template(path = "account_settings.html")]
struct SettingsPage<'a> {
    ctx: &'a Ctx,
    email: String,
    phone: String,
    /// The problem with what was typed, and the field it is about.
    error: Option<(&'static str, String)>,
    saved: bool,
    prefs: Vec<PrefRow>,
}

/// `?saved=1` after a successful save.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    saved: Option<u8>,
}

async fn render_settings(
    state: &AppState,
    v: &Visitor,
    typed: Option<(AccountContact, &'static str, String)>,
    saved: bool,
) -> PageResult<Response> {
    let user = v.account()?;
    let l = v.ctx.l;
    let prefs = notifications::preferences(&state.store, user)
        .await
        .map_err(|e| v.error(e))?
        .into_iter()
        .map(|p| PrefRow {
            kind: p.kind.as_str(),
            label: l.t(p.kind.label_zh(), p.kind.label_en()),
            in_app: p.in_app,
            email: p.email,
        })
        .collect();
    let (contact, error) = match typed {
        Some((c, field, message)) => (c, Some((field, message))),
        None => (
            AccountContact {
                email: user.email.clone(),
                phone: user.phone.clone(),
            },
            None,
        ),
    };
    Ok(html(&SettingsPage {
        ctx: &v.ctx,
        email: contact.email.unwrap_or_default(),
        phone: contact.phone.unwrap_or_default(),
        error,
        saved,
        prefs,
    }))
}

/// `GET /account`
pub async fn settings(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<SettingsQuery>,
) -> PageResult<Response> {
    render_settings(&state, &v, None, q.saved == Some(1)).await
}

/// `POST /account/contact`
pub async fn save_contact(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let contact = AccountContact {
        email: Some(form.text("email")),
        phone: Some(form.text("phone")),
    };
    match qiao_app::account_contact::set(&state.store, &user, contact.clone())
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(see_other("/account?saved=1")),
        Err(e) if e.code == Code::ValidationFailed => {
            let field = match e.fields.first().map(|f| f.field.as_str()) {
                Some("phone") => "phone",
                _ => "email",
            };
            let message = form_message(v.ctx.l, e);
            render_settings(&state, &v, Some((contact, field, message)), false).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /account/notifications`: a ticked box is on, an unticked one off (a browser sends only
/// the ticked ones), for every kind.
pub async fn save_preferences(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let ticked = |name: String| form.get(&name).is_some();
    let prefs: Vec<Preference> = NotificationKind::ALL
        .into_iter()
        .map(|kind| Preference {
            kind,
            in_app: ticked(format!("in_app.{}", kind.as_str())),
            email: ticked(format!("email.{}", kind.as_str())),
        })
        .collect();
    notifications::set_preferences(&state.store, &user, &prefs)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other("/account?saved=1#notifications"))
}

/// `POST /challenges/{id}/follow` with `follow=1` (follow) or `follow=0` (unfollow).
pub async fn follow(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    notifications::set_following(&state.store, &user, id, form.get("follow") == Some("1"))
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&format!(
        "/{}/{id}#apply-section",
        Kind::Challenge.plural()
    )))
}
