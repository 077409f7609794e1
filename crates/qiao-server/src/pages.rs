//! Server-rendered pages for people in a browser: Simplified Chinese first, English one click
//! away, nothing loaded from outside the server.
//!
//! Pages sit beside the JSON API and call the same operations ([`qiao_app`]): listing
//! visibility and tiered disclosure, contact requests, planning, imports; search from the
//! engine. What is particular to a browser lives here: the session cookie and CSRF
//! ([`session`]), forms whose errors stand next to their fields ([`form`]), and HTML.
//!
//! A page whose resource the API serves too is named for it with `_pages` (`policy_pages`
//! beside `api/policies.rs`, `target_pages`, `document_pages`, `certificate_pages`;
//! `search_page`), so no two files of the crate share a name and a stack trace, an editor tab
//! or a search names one file.
//!
//! Templates (`templates/*.html`) are compiled by askama, which escapes every value unless a
//! template says `|safe`; the only `|safe` values are built by [`snippet_html`], which escapes
//! the text itself. So text from users is inert on every page.

pub mod account;
pub mod admin;
pub mod amounts;
pub mod application_pages;
pub mod attachment_pages;
pub mod audit;
pub mod boards;
pub mod booking_pages;
pub mod certificate_pages;
pub mod charts;
pub mod contract_pages;
pub mod deal_pages;
pub mod detail;
pub mod document_pages;
pub mod form;
pub mod home;
pub mod inbox;
pub mod messages;
pub mod orgs;
pub mod policy_pages;
pub mod search_page;
pub mod session;
pub mod statistics_page;
pub mod target_pages;
pub mod thread_pages;
pub mod valuation_charts;
pub mod valuation_form;
pub mod valuation_pages;
pub mod voucher_pages;
pub mod workspace;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qiao_domain::{Account, Role};

use crate::error::{ApiError, Code};
// The language is the application layer's: the audit workbook, which the API sends too, is
// written in it.
pub use qiao_app::lang::{Lang, kind_en};
pub use session::Visitor;

/// What every page's frame needs: language, who is signed in, the CSRF token for its forms,
/// and the path (for the language switch to return to).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Page language.
    pub l: Lang,
    /// The signed-in account.
    pub user: Option<Account>,
    /// The token every form on the page carries.
    pub csrf: String,
    /// The current path and query, for "switch language and come back".
    pub path: String,
    /// Whether the navigation offers `/deals`: to technology managers and staff, and to
    /// members whose organisation is a party to a deal.
    pub deals_link: bool,
    /// How many of the signed-in account's notifications are unread (the header's badge).
    pub unread: i64,
}

impl Ctx {
    /// Whether an admin is signed in.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    /// Whether commission staff or an admin is signed in (they verify certificates).
    pub fn is_staff(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(qiao_app::certificates::may_verify)
    }

    /// Whether the navigation offers `/statistics` (staff, admins, technology managers).
    pub fn statistics_link(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(qiao_app::statistics::may_read)
    }

    /// The language-switch link back to this page.
    pub fn switch_href(&self) -> String {
        let to = match self.l {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        format!("/lang?to={to}&back={}", urlencoding::encode(&self.path))
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A search snippet as HTML: its text escaped, its matched spans in `<mark>`.
pub fn snippet_html(snippet: &qiao_search::explain::Snippet) -> String {
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + 16 * snippet.highlights.len());
    let mut at = 0;
    for [start, end] in &snippet.highlights {
        out.push_str(&escape(&text[at..*start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[*start..*end]));
        out.push_str("</mark>");
        at = *end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// A failed page request, shown as a page (not as the API's JSON envelope).
#[derive(Debug)]
pub struct PageError {
    /// What went wrong.
    pub error: ApiError,
    /// The language to say it in.
    pub l: Lang,
}

/// Shorthand for page handlers.
pub type PageResult<T = Response> = Result<T, PageError>;

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError { error, l: Lang::Zh }
    }
}

impl From<qiao_store::StoreError> for PageError {
    fn from(e: qiao_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<qiao_app::AppError> for PageError {
    fn from(e: qiao_app::AppError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<qiao_search::Error> for PageError {
    fn from(e: qiao_search::Error) -> Self {
        ApiError::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Lang,
    status: u16,
    title: &'a str,
    message: &'a str,
    signin: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.error.code.status();
        let l = self.l;
        let title = match self.error.code {
            Code::NotFound => l.t("找不到该页面", "Not found"),
            Code::Forbidden => l.t("没有权限", "Not allowed"),
            Code::Unauthenticated => l.t("请先登录", "Please sign in"),
            Code::TooManyRequests => l.t("尝试次数过多", "Too many attempts"),
            Code::ValidationFailed | Code::MalformedRequest => {
                l.t("请求有误", "Something is wrong with the request")
            }
            Code::Conflict => l.t("操作冲突", "Conflict"),
            Code::PayloadTooLarge => l.t("内容过大", "Too large"),
            Code::Internal => l.t("服务器出错", "Server error"),
            Code::Unavailable => l.t("请求超时，请稍后再试", "Took too long; try again later"),
        };
        // A validation failure that reaches an error page (a form with no place to show it
        // again, such as the figures ticked on a document) names each field with its problem,
        // in the page's language like the messages beside form fields.
        let message = if self.error.fields.is_empty() {
            said_in(l, self.error.code, &self.error.message)
        } else {
            self.error
                .fields
                .iter()
                .map(|f| messages::labelled(l, f))
                .collect::<Vec<_>>()
                .join(l.t("；", "; "))
        };
        let page = ErrorPage {
            l,
            status: status.as_u16(),
            title,
            message: &message,
            signin: self.error.code == Code::Unauthenticated,
        };
        (status, html(&page)).into_response()
    }
}

/// An error's message for a page in `l`. The application layer states its refusals in
/// English ("a challenge's applications are seen by its owner and staff only"); a Chinese page
/// says what happened in Chinese first and keeps that precise reason after it. A message
/// already in Chinese (a missing record's, 技术需求（编号 …）不存在或未公开) is shown as it is.
fn said_in(l: Lang, code: Code, message: &str) -> String {
    let chinese = message
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if l != Lang::Zh || chinese || message.is_empty() {
        return message.to_string();
    }
    let lead = match code {
        Code::Forbidden => "您没有执行此操作的权限",
        Code::Unauthenticated => "请先登录后再继续",
        Code::NotFound => "所请求的内容不存在或未公开",
        Code::Conflict => "操作与记录的当前状态冲突，请刷新后重试",
        Code::ValidationFailed | Code::MalformedRequest => "请求无法按原样处理",
        Code::TooManyRequests => "尝试次数过多，请稍后再试",
        Code::PayloadTooLarge => "内容超过大小限制",
        Code::Internal => "服务器出错，请稍后再试",
        Code::Unavailable => "请求超时，请稍后再试",
    };
    format!("{lead}。（{message}）")
}

impl PageError {
    /// The error, said in `l`.
    pub fn in_lang(mut self, l: Lang) -> Self {
        self.l = l;
        self
    }
}

/// Renders a template as an HTML response with the security headers every page carries.
pub fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => {
            let mut r = (StatusCode::OK, body).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            // No script runs that the server did not send, and no framing by other sites.
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
                ),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            r
        }
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// A 303 redirect after a successful form (so a reload does not post again).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The stylesheet, served from the binary.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/qiao.css"),
    )
        .into_response()
}

/// The one small script: confirms destructive buttons. Pages work without it.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/qiao.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_around_and_inside_their_marks() {
        let snippet = qiao_search::explain::Snippet {
            field: "body",
            text: "<b>石墨烯</b> & \"导热\"".into(),
            highlights: vec![[3, 12], [20, 26]],
        };
        assert_eq!(
            snippet_html(&snippet),
            "&lt;b&gt;<mark>石墨烯</mark>&lt;/b&gt; &amp; &quot;<mark>导热</mark>&quot;"
        );
    }
}

/// The one sentence a form shows for a refused request: the first field's message, else the
/// error's, in the page's language.
pub fn form_message(l: Lang, e: ApiError) -> String {
    match e.fields.first() {
        Some(f) => messages::said(l, f),
        None => e.message,
    }
}

/// A moment as people in China read it: China Standard Time, to the minute.
pub fn cst_time(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The listings among `ids`, by id (one query), for pages that show hits with their details.
pub async fn listings_by_id(
    state: &crate::state::AppState,
    ids: &[i64],
) -> qiao_store::Result<std::collections::HashMap<i64, qiao_domain::Listing>> {
    Ok(state
        .store
        .get_listings(ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r.listing))
        .collect())
}

/// A listing as one line of a list.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its kind, in the page's language.
    pub kind_label: &'static str,
    /// Its detail page.
    pub href: String,
    /// Title.
    pub title: String,
    /// Status label (empty for plain open listings).
    pub status: String,
    /// `ok`, `warn` or `bad`, for the badge's colour.
    pub status_class: &'static str,
    /// Short facts: district, field, dates.
    pub meta: Vec<String>,
}

/// A status badge: label and colour class; plain open listings get none.
pub fn status_badge(
    l: Lang,
    status: qiao_domain::Status,
    expires_on: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> (String, &'static str) {
    use qiao_domain::Status;
    let expired = expires_on.is_some_and(|d| d < today);
    match status {
        Status::Open if expired => (l.t("已过期", "expired").into(), "bad"),
        Status::Open => (String::new(), ""),
        Status::Draft => (l.t("草稿", "draft").into(), "warn"),
        Status::UnderReview => (l.t("评审中", "under review").into(), "warn"),
        Status::Awarded => (l.t("已揭榜", "awarded").into(), "ok"),
        Status::Closed => (l.t("已关闭", "closed").into(), "bad"),
    }
}

/// The list line of a stored listing.
pub fn row(l: Lang, r: &qiao_store::ListingRecord, today: chrono::NaiveDate) -> Row {
    let kind = r.listing.kind();
    let (status, status_class) = status_badge(l, r.listing.status(), r.listing.expires_on(), today);
    let mut meta = Vec::new();
    if let Some(d) = r.listing.district() {
        meta.push(d.to_string());
    }
    if let Some(d) = r.listing.discipline() {
        meta.push(d.to_string());
    }
    if let qiao_domain::Listing::Challenge(c) = &r.listing {
        meta.insert(
            0,
            format!(
                "{} {}",
                l.t("榜单金额", "reward"),
                qiao_domain::money::format_yuan(c.reward_yuan)
            ),
        );
        meta.push(format!(
            "{} {} – {}",
            l.t("揭榜期", "applications"),
            c.apply_from,
            c.apply_until
        ));
        if let Some(d) = c.deadline {
            meta.push(format!("{} {d}", l.t("攻关期限", "work due")));
        }
    }
    if let Some(e) = r.listing.expires_on() {
        meta.push(format!("{} {e}", l.t("有效至", "open until")));
    }
    Row {
        kind_label: l.kind(&kind),
        href: format!("/{}/{}", kind.plural(), r.id),
        title: r.listing.title().to_string(),
        status,
        status_class,
        meta,
    }
}
