//! Message threads in the browser (issue #26).
//!
//! - `GET /requests/{id}`: a contact request's page for its two sides (and admins): the listing
//!   asked about, the request and the answer, both sides' contact details once accepted
//!   ([`qiao_app::threads::contact_details`]), and then its thread.
//! - `GET /deals/{id}/messages`: a deal's thread, for those who read the deal.
//! - `POST /requests/{id}/messages`, `POST /deals/{id}/messages`: the message form
//!   (multipart/form-data: `_csrf` first, the text, up to five files), read by
//!   [`crate::upload`] exactly as the API reads it; a refused message is shown again with its
//!   text and the problem beside the field.
//! - `GET /files/{id}`: a file, for whoever may see its record (the API's download, with the
//!   session instead of a token, and the same headers).
//!
//! Messages are shown as escaped plain text (line breaks kept by CSS); a thread shows
//! [`PER_PAGE`] messages at a time, newest first, with a link to older ones.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use qiao_app::AppError;
use qiao_app::threads::{self, ContactDetails, MessageView};
use qiao_domain::attachment::{MAX_BYTES, MAX_PER_MESSAGE};
use qiao_domain::thread::{MAX_MESSAGE_CHARS, NewMessage, Subject, SubjectKind};
use qiao_domain::{Account, ContactStatus};
use serde::Deserialize;

use super::{Ctx, Lang, PageError, PageResult, Visitor, form_message, html, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use crate::upload::{check_files, read_message_form};

/// Messages per page.
pub const PER_PAGE: u32 = 20;

/// `?before=ID` of a thread page.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    before: Option<i64>,
}

/// One file as a message shows it.
struct FileRow {
    href: String,
    name: String,
    size: String,
    image: bool,
}

/// One message as the page shows it.
struct MessageRow {
    id: i64,
    author: String,
    mine: bool,
    at: String,
    body: String,
    files: Vec<FileRow>,
}

/// A refused message, shown again.
struct Refused {
    message: String,
    body: String,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage<'a> {
    ctx: &'a Ctx,
    title: String,
    back_href: String,
    back_label: &'static str,
    /// The listing asked about (link, title), on a request's page.
    listing: Option<(String, String)>,
    /// The request's summary lines (label, value), on a request's page.
    facts: Vec<(&'static str, String)>,
    status: &'static str,
    status_class: &'static str,
    details: Option<ContactDetails>,
    /// Why there is no thread yet (a request not accepted).
    closed: Option<&'static str>,
    /// For the owner of a pending request: where its accept form posts.
    decide: Option<String>,
    action: String,
    total: i64,
    messages: Vec<MessageRow>,
    older: Option<String>,
    newest: Option<String>,
    refused: Option<Refused>,
    max_chars: usize,
    /// What files the form takes.
    file_hint: String,
}

/// A size as people read it.
fn size_text(bytes: i64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn rows(user: &Account, views: Vec<MessageView>) -> Vec<MessageRow> {
    views
        .into_iter()
        .map(|v| MessageRow {
            id: v.message.id,
            author: v.message.author_name.clone(),
            mine: v.message.author_id == user.id,
            at: (v.message.created_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            body: v.message.body,
            files: v
                .attachments
                .into_iter()
                .map(|a| FileRow {
                    href: format!("/files/{}", a.id),
                    name: a.file_name,
                    size: size_text(a.size),
                    image: a.file_type.is_image(),
                })
                .collect(),
        })
        .collect()
}

fn not_found(v: &Visitor) -> PageError {
    v.error(ApiError::new(
        Code::NotFound,
        v.ctx.l.t(
            "没有这条记录，或您无权查看。",
            "No such record, or it is not yours to see.",
        ),
    ))
}

/// The page of `subject`'s thread for `user`.
async fn render(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    subject: Subject,
    before: Option<i64>,
    refused: Option<Refused>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let mut page = ThreadPage {
        ctx: &v.ctx,
        title: String::new(),
        back_href: String::new(),
        back_label: "",
        listing: None,
        facts: Vec::new(),
        status: "",
        status_class: "",
        details: None,
        closed: None,
        decide: None,
        action: String::new(),
        total: 0,
        messages: Vec::new(),
        older: None,
        newest: None,
        refused,
        max_chars: MAX_MESSAGE_CHARS,
        file_hint: match l {
            Lang::Zh => format!(
                "最多 {MAX_PER_MESSAGE} 个，每个不超过 {} MB：PDF、图片、Word、Excel、PPT、zip、txt",
                MAX_BYTES >> 20
            ),
            Lang::En => format!(
                "up to {MAX_PER_MESSAGE}, {} MB each: PDF, images, Word, Excel, PowerPoint, zip, txt",
                MAX_BYTES >> 20
            ),
        },
    };
    match subject.kind {
        SubjectKind::ContactRequest => {
            let r = match qiao_app::contact_requests::load(&state.store, user, subject.id).await {
                Ok(r) => r,
                Err(AppError::NotFound(_)) => return Err(not_found(v)),
                Err(e) => return Err(v.error(e)),
            };
            let listing = state.store.get_listing(r.listing_id).await.ok();
            page.title = match &listing {
                Some(li) => format!(
                    "{}：{}",
                    l.t("联系申请", "Contact request"),
                    li.listing.title()
                ),
                None => format!("{} #{}", l.t("联系申请", "Contact request"), r.id),
            };
            page.listing = listing.as_ref().map(|li| {
                (
                    format!("/{}/{}", li.listing.kind().plural(), li.id),
                    li.listing.title().to_string(),
                )
            });
            page.facts
                .push((l.t("申请留言", "Message"), r.message.clone()));
            if let Some(reason) = r.reason {
                page.facts.push((
                    l.t("婉拒原因", "Declined because"),
                    format!(
                        "{} {}",
                        l.t(reason.label_zh(), reason.label_en()),
                        r.note.clone().unwrap_or_default()
                    ),
                ));
            } else if let Some(note) = r.note.clone().filter(|n| !n.is_empty()) {
                page.facts.push((l.t("答复", "Reply"), note));
            }
            page.status = l.t(r.status.label_zh(), r.status.label_en());
            page.status_class = match r.status {
                ContactStatus::Pending => "warn",
                ContactStatus::Accepted => "ok",
                ContactStatus::Declined => "bad",
            };
            page.back_href = if r.requester_id == user.id {
                "/workspace#sent".into()
            } else {
                "/workspace#received".into()
            };
            page.back_label = l.t("← 我的工作台", "← My workspace");
            page.details = threads::contact_details(&state.store, &r)
                .await
                .map_err(|e| v.error(e))?;
            if r.status == ContactStatus::Pending && r.may_decide(user) {
                page.decide = Some(format!("/requests/{}/decide", r.id));
            }
            if r.status != ContactStatus::Accepted {
                page.closed = Some(l.t(
                    "对方同意联系申请后，双方即可在此交换消息和附件。",
                    "Once the owner accepts, both sides exchange messages and files here.",
                ));
                return Ok(html(&page));
            }
        }
        SubjectKind::Deal => {
            let d = match qiao_app::deals::load(&state.store, user, subject.id).await {
                Ok(d) => d,
                Err(AppError::NotFound(_)) => return Err(not_found(v)),
                Err(e) => return Err(v.error(e)),
            };
            page.title = format!("{}：{}", l.t("交易消息", "Deal messages"), d.deal.title);
            page.back_href = format!("/deals/{}", d.id);
            page.back_label = l.t("← 返回交易", "← The deal");
        }
        SubjectKind::Application => {
            let a = match qiao_app::applications::load(&state.store, user, subject.id).await {
                Ok(a) => a,
                Err(AppError::NotFound(_)) => return Err(not_found(v)),
                Err(e) => return Err(v.error(e)),
            };
            let challenge = state.store.get_listing(a.application.listing_id).await.ok();
            page.title = format!(
                "{}：{}",
                l.t("揭榜申请消息", "Application messages"),
                challenge
                    .as_ref()
                    .map(|c| c.listing.title().to_string())
                    .unwrap_or_else(|| format!("#{}", a.id))
            );
            page.back_href = format!("/applications/{}", a.id);
            page.back_label = l.t("← 返回揭榜申请", "← The application");
        }
    }
    let base = thread_url(subject);
    let thread = match threads::page(&state.store, user, subject, before, PER_PAGE).await {
        Ok(t) => t,
        Err(AppError::NotFound(_)) => return Err(not_found(v)),
        Err(e) => return Err(v.error(e)),
    };
    page.action = match subject.kind {
        SubjectKind::ContactRequest => format!("{base}/messages"),
        SubjectKind::Deal | SubjectKind::Application => base.clone(),
    };
    page.total = thread.total;
    page.older = thread
        .next_before
        .map(|b| format!("{base}?before={b}#thread"));
    page.newest = before.map(|_| format!("{base}#thread"));
    page.messages = rows(user, thread.messages);
    Ok(html(&page))
}

/// Where a thread's page is: a request's own page holds its thread.
fn thread_url(subject: Subject) -> String {
    match subject.kind {
        SubjectKind::ContactRequest => format!("/requests/{}", subject.id),
        SubjectKind::Deal => format!("/deals/{}/messages", subject.id),
        SubjectKind::Application => format!("/applications/{}/messages", subject.id),
    }
}

/// `GET /requests/{id}`, `/deals/{id}/messages` and `/applications/{id}/messages`
pub async fn show(
    kind: SubjectKind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(p): Query<PageParams>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    render(&state, &v, &user, Subject { kind, id }, p.before, None).await
}

/// `POST /requests/{id}/messages`, `/deals/{id}/messages` and `/applications/{id}/messages`
pub async fn post(
    kind: SubjectKind,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    mp: Multipart,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    let subject = Subject { kind, id };
    let l = v.ctx.l;
    let form = read_message_form(mp)
        .await
        .map_err(|e| super::document_pages::multipart_error(&v, &e))?;
    if form.file_before_token {
        return Err(super::document_pages::no_token(&v));
    }
    v.check_csrf(form.csrf.as_deref())?;
    // Who takes part is checked before the files are sniffed.
    match threads::access(&state.store, &user, subject).await {
        Ok(()) => {}
        Err(AppError::NotFound(_)) => return Err(not_found(&v)),
        Err(e) => return Err(v.error(e)),
    }
    let body = form.body.clone();
    let refuse = |e: AppError| Refused {
        message: form_message(l, ApiError::from(e)),
        body: body.clone(),
    };
    let files = match check_files(form.files).await {
        Ok(f) => f,
        Err(e) => {
            return render(&state, &v, &user, subject, None, Some(refuse(e))).await;
        }
    };
    match threads::post(
        &state.store,
        &user,
        subject,
        NewMessage {
            body: form.body.clone(),
        },
        files,
    )
    .await
    {
        Ok(m) => Ok(see_other(&format!(
            "{}#message-{}",
            thread_url(subject),
            m.message.id
        ))),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            render(&state, &v, &user, subject, None, Some(refuse(e))).await
        }
        Err(AppError::NotFound(_)) => Err(not_found(&v)),
        Err(e) => Err(v.error(e)),
    }
}

/// `GET /files/{id}`
pub async fn file(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    match qiao_app::attachments::fetch(&state.store, &user, id).await {
        Ok((file, bytes)) => Ok(crate::download::attachment_download(&file, bytes)),
        Err(AppError::NotFound(_)) => Err(not_found(&v)),
        Err(e) => Err(v.error(e)),
    }
}
