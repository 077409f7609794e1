//! Imported policy documents in the browser.
//!
//! - `GET /documents`: every imported document, newest first, paged like the boards; for admins
//!   and commission staff also a form to import files (the same people the API lets import).
//! - `POST /documents`: that form (multipart/form-data, one or more `.txt`/`.html`/`.htm`
//!   files). Each file goes through [`qiao_app::document_import::import`], the function
//!   behind `POST /api/v1/documents` and `qiao import docs`, acting as the signed-in account so the audit log
//!   names who did it; the page then says per file whether it was imported, had been imported
//!   before, or why it failed.
//! - `GET /documents/{id}`: one document: its metadata, the cleaned text and a table of the
//!   figures read from it (indicator, value with unit, qualifier, year, subject, target or
//!   fact). Search results link document hits here. A long document is shown in parts
//!   (`?page=N`: 50 KB of text and 200 figures each) with links to the next and previous.

use askama::Template;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use qiao_docs::{Figure, Kind as FigureKind};
use qiao_domain::Account;
use qiao_store::{DocumentFilter, DocumentRecord, DocumentState, Page};
use serde::Deserialize;

use super::{Ctx, Lang, PageError, PageResult, Visitor, html};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::document_import::{
    ImportDocError, MAX_NAME_CHARS, NameProblem, import, may_import, stored_file_name,
};
use qiao_app::document_reading;
use qiao_app::planning::{self, Offer};

const PER_PAGE: u32 = 20;

/// Largest file the form imports, in bytes (`qiao_docs::MAX_BYTES`, as in the API).
pub const MAX_FILE: usize = qiao_docs::MAX_BYTES as usize;

/// Largest upload (all files of one form together). Files are read and imported one at a
/// time, so this bounds the request, not the memory held at once (one file).
pub const MAX_UPLOAD: usize = 4 * MAX_FILE;

/// The extensions the form accepts (`qiao import docs` looks for the same in folders).
const EXTENSIONS: [&str; 3] = ["txt", "html", "htm"];

/// The longest `_csrf` field read (tokens are 64 hex characters).
const MAX_TOKEN: usize = 256;

/// The name of a script code, as the pages show it.
fn script_label(l: Lang, script: &str) -> &'static str {
    match script {
        "hans" => l.t("简体", "simplified"),
        "hant" => l.t("繁体", "traditional"),
        "mixed" => l.t("简繁混合", "mixed"),
        _ => l.t("无中文", "no Chinese"),
    }
}

/// One document in the list.
struct DocRow {
    href: String,
    title: String,
    file_name: String,
    published: String,
    source: String,
    doc_number: String,
    script: &'static str,
    figures: usize,
    /// "草稿" or "待审核" for staff's drafts, empty once published.
    state: &'static str,
}

/// How a document's state reads on its badge: empty when published.
fn state_label(l: Lang, d: &qiao_store::NewDocument) -> &'static str {
    match (d.state, d.review.is_empty()) {
        (DocumentState::Published, _) => "",
        (DocumentState::Draft, true) => l.t("草稿 · 未发布", "draft · not public"),
        (DocumentState::Draft, false) => {
            l.t("待审核 · 疑似垃圾信息", "to review · looks like spam")
        }
    }
}

impl DocRow {
    fn new(l: Lang, r: &DocumentRecord) -> DocRow {
        let d = &r.document;
        DocRow {
            href: format!("/documents/{}", r.id),
            title: title_of(l, r),
            file_name: d.file_name.clone(),
            published: d.published.clone().unwrap_or_default(),
            source: d.source.clone().unwrap_or_default(),
            doc_number: d.doc_number.clone().unwrap_or_default(),
            script: script_label(l, &d.script),
            figures: d.figures.as_array().map_or(0, Vec::len),
            state: state_label(l, d),
        }
    }
}

/// A document's title, else its file name (a page without any title is still found by it).
fn title_of(l: Lang, r: &DocumentRecord) -> String {
    let d = &r.document;
    match d.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ if !d.file_name.is_empty() => d.file_name.clone(),
        _ => l.t("（无标题）", "(untitled)").to_string(),
    }
}

/// What became of one uploaded file.
struct Outcome {
    file: String,
    /// `ok`, `warn` or `bad`, for the badge's colour.
    class: &'static str,
    status: &'static str,
    message: String,
    /// The stored document (the new one, or the copy imported before).
    link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    may_import: bool,
    outcomes: Vec<Outcome>,
    total_text: String,
    rows: Vec<DocRow>,
    prev: Option<String>,
    next: Option<String>,
    max_mb: u64,
}

/// `?page=N` of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    page: Option<u32>,
}

async fn render(
    state: &AppState,
    v: &Visitor,
    page: u32,
    outcomes: Vec<Outcome>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let page = page.max(1);
    // Drafts are for those who review them.
    let staff = v.ctx.user.as_ref().is_some_and(may_import);
    let paged = state
        .store
        .list_documents(
            &DocumentFilter {
                state: (!staff).then_some(DocumentState::Published),
                ..DocumentFilter::default()
            },
            Page {
                number: page,
                size: PER_PAGE,
            },
        )
        .await
        .map_err(|e| v.error(e))?;
    let pages = (paged.total as u32).div_ceil(PER_PAGE);
    Ok(html(&ListPage {
        ctx: &v.ctx,
        may_import: v.ctx.user.as_ref().is_some_and(may_import),
        outcomes,
        total_text: match l {
            Lang::Zh => format!("共 {} 份，第 {page}/{} 页", paged.total, pages.max(1)),
            Lang::En => format!("{} in all, page {page} of {}", paged.total, pages.max(1)),
        },
        rows: paged.items.iter().map(|r| DocRow::new(l, r)).collect(),
        prev: (page > 1).then(|| format!("/documents?page={}", page - 1)),
        next: (page < pages).then(|| format!("/documents?page={}", page + 1)),
        max_mb: qiao_docs::MAX_BYTES / (1 << 20),
    }))
}

/// `GET /documents`
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<ListParams>,
) -> PageResult<Response> {
    render(&state, &v, p.page.unwrap_or(1), Vec::new()).await
}

/// The signed-in account when it may import documents: otherwise the sign-in page (401) or
/// "not allowed" (403).
fn require_importer(v: &Visitor) -> PageResult<Account> {
    let account = v.account()?.clone();
    if !may_import(&account) {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "仅平台管理员和科委工作人员可以导入政策文件。",
            "Only admins and commission staff import policy documents.",
        ))));
    }
    Ok(account)
}

/// The refusal of a form that carried no token (or not before its files).
pub(crate) fn no_token(v: &Visitor) -> PageError {
    v.check_csrf(None)
        .expect_err("a form without a token is never accepted")
}

/// A broken or oversized multipart body, as an error page.
pub(crate) fn multipart_error(v: &Visitor, e: &MultipartError) -> PageError {
    let l = v.ctx.l;
    let error = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            Code::PayloadTooLarge,
            match l {
                Lang::Zh => format!(
                    "一次上传的文件合计不能超过 {} MB，请分批导入。",
                    MAX_UPLOAD >> 20
                ),
                Lang::En => format!(
                    "One upload may hold at most {} MB in all; import the files in several goes.",
                    MAX_UPLOAD >> 20
                ),
            },
        )
    } else {
        ApiError::new(
            Code::MalformedRequest,
            l.t(
                "上传的表单数据不完整或已损坏，请重新选择文件后再试。",
                "The uploaded form data is incomplete or broken; choose the files again and retry.",
            ),
        )
    };
    v.error(error)
}

/// Reads a field whole, or `None` when it is too long (shared with the message forms).
pub(crate) use crate::upload::read_at_most;

/// A file that was refused before it was read.
fn refused(file: &str, message: String) -> Outcome {
    Outcome {
        file: file.to_string(),
        class: "bad",
        status: "",
        message,
        link: None,
    }
}

/// Imports one uploaded file, saying what became of it in `l`.
async fn import_file(
    state: &AppState,
    l: Lang,
    account: &Account,
    raw_name: &str,
    bytes: Option<Vec<u8>>,
) -> Outcome {
    let failed = l.t("失败", "failed");
    let with_status = |mut o: Outcome| {
        o.status = failed;
        o
    };
    let name = match stored_file_name(raw_name) {
        Ok(name) => name,
        Err(NameProblem::Missing) => {
            return with_status(refused(
                raw_name,
                l.t("文件没有名称。", "The file has no name.").into(),
            ));
        }
        Err(NameProblem::Unprintable) => {
            return with_status(refused(
                raw_name,
                match l {
                    Lang::Zh => format!(
                        "文件名过长或含有控制字符（最多 {} 个字符）。",
                        MAX_NAME_CHARS
                    ),
                    Lang::En => format!(
                        "The file name is too long or holds control characters (at most {} characters).",
                        MAX_NAME_CHARS
                    ),
                },
            ));
        }
    };
    let extension = std::path::Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !extension.is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
        return with_status(refused(
            &name,
            l.t(
                "只能导入 .txt、.html 或 .htm 文件。",
                "Only .txt, .html and .htm files are imported.",
            )
            .into(),
        ));
    }
    let Some(bytes) = bytes else {
        return with_status(refused(
            &name,
            match l {
                Lang::Zh => format!("文件超过 {} MB 上限。", MAX_FILE >> 20),
                Lang::En => format!("The file is larger than {} MB.", MAX_FILE >> 20),
            },
        ));
    };
    if bytes.is_empty() {
        return with_status(refused(
            &name,
            l.t("文件是空的。", "The file is empty.").into(),
        ));
    }
    match import(&state.store.acting_as(account.id), &name, bytes.into()).await {
        Ok(imported) => {
            let r = &imported.record;
            let mut message = match l {
                Lang::Zh => format!("编号 {}，{} 项数据指标。", r.id, imported.figures),
                Lang::En => format!("Document {}, {} figures.", r.id, imported.figures),
            };
            if !imported.undecodable.is_empty() {
                message.push_str(&match l {
                    Lang::Zh => format!(
                        " 有 {} 处字节无法解码（首处在第 {} 字节），正文中以 � 代替。",
                        imported.undecodable.len(),
                        imported.undecodable[0].0
                    ),
                    Lang::En => format!(
                        " {} spans of bytes could not be decoded (the first at byte {}); the text shows � there.",
                        imported.undecodable.len(),
                        imported.undecodable[0].0
                    ),
                });
            }
            Outcome {
                file: name,
                class: if imported.undecodable.is_empty() {
                    "ok"
                } else {
                    "warn"
                },
                status: l.t("已导入", "imported"),
                message,
                link: Some((format!("/documents/{}", r.id), title_of(l, r))),
            }
        }
        Err(ImportDocError::Duplicate { existing, .. }) => {
            // The stored copy's title, for the link; its id is enough if it vanished since.
            let title = state
                .store
                .get_document(existing)
                .await
                .map(|r| title_of(l, &r))
                .unwrap_or_else(|_| format!("#{existing}"));
            Outcome {
                file: name,
                class: "warn",
                status: l.t("已导入过", "already imported"),
                message: match l {
                    Lang::Zh => {
                        format!("内容与已导入的文件（编号 {existing}）完全相同，未重复保存。")
                    }
                    Lang::En => format!(
                        "The same bytes were imported before as document {existing}; not stored again."
                    ),
                },
                link: Some((format!("/documents/{existing}"), title)),
            }
        }
        Err(e @ (ImportDocError::Store(_) | ImportDocError::Reading { .. })) => {
            // Internal faults are logged with their cause; the page says only that it failed.
            tracing::error!(error = %e, file = %name, "storing an uploaded document failed");
            with_status(refused(
                &name,
                l.t(
                    "保存时服务器出错，请稍后重试。",
                    "The server failed to store it; try again later.",
                )
                .into(),
            ))
        }
    }
}

/// `POST /documents`: the upload form. The `_csrf` field must come before the files (browsers
/// send fields in the form's order, and the form puts it first), so no file is read, let
/// alone stored, before the token is checked. Files are read and imported one at a time.
pub async fn upload(
    State(state): State<AppState>,
    v: Visitor,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let account = require_importer(&v)?;
    // Not multipart at all: whatever it is, it carries no token this handler could read.
    let mut multipart = multipart.map_err(|_| no_token(&v))?;
    let mut token_checked = false;
    let mut outcomes = Vec::new();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&v, &e))?
    {
        if field.name() == Some("_csrf") {
            let token = read_at_most(&mut field, MAX_TOKEN)
                .await
                .map_err(|e| multipart_error(&v, &e))?
                .and_then(|b| String::from_utf8(b).ok());
            v.check_csrf(token.as_deref())?;
            token_checked = true;
            continue;
        }
        if !token_checked {
            return Err(no_token(&v));
        }
        if field.name() != Some("files") {
            continue;
        }
        let raw_name = field.file_name().unwrap_or("").to_string();
        let bytes = read_at_most(&mut field, MAX_FILE)
            .await
            .map_err(|e| multipart_error(&v, &e))?;
        // An empty file input still sends one part, without a name or bytes.
        if raw_name.is_empty() && bytes.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        outcomes.push(import_file(&state, l, &account, &raw_name, bytes).await);
    }
    if !token_checked {
        return Err(no_token(&v));
    }
    if outcomes.is_empty() {
        outcomes.push(Outcome {
            file: String::new(),
            class: "bad",
            status: l.t("未选择文件", "no file"),
            message: l
                .t(
                    "请选择至少一个 .txt、.html 或 .htm 文件。",
                    "Choose at least one .txt, .html or .htm file.",
                )
                .into(),
            link: None,
        });
    }
    render(&state, &v, 1, outcomes).await
}

/// One row of the figures table.
struct FigureView {
    index: usize,
    target: bool,
    /// How staff are offered it: a box to tick, the target already made, or the figure it
    /// repeats.
    offer: Offer,
    metric: String,
    indicator: String,
    value: String,
    qualifier: String,
    year: String,
    subject: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    staff: bool,
    /// Whether the viewer publishes, unpublishes and deletes (admins and commission staff).
    reviewer: bool,
    /// Whether the document is a draft.
    draft: bool,
    /// Its badge ("草稿 · 未发布"), empty once published.
    state: &'static str,
    /// Lines that still look like spam, for the reviewer.
    review: Vec<String>,
    region: String,
    title: String,
    fields: Vec<(String, String)>,
    text: String,
    figures: Vec<FigureView>,
    figures_total: usize,
    removed: usize,
    /// "第 2/9 部分" when the document has more than one part, else empty.
    part_label: String,
    prev: Option<String>,
    next: Option<String>,
}

/// `?page=N` of a document's page.
#[derive(Debug, Default, Deserialize)]
pub struct PartParams {
    page: Option<u32>,
}

/// The value as written in the text when it carries the unit (230亿元), else the base value
/// and unit.
fn value_text(f: &Figure) -> String {
    if f.raw.trim().is_empty() {
        format!("{}{}", f.value, f.unit)
    } else {
        f.raw.clone()
    }
}

fn figure_view(l: Lang, index: usize, f: &Figure, offer: Offer) -> FigureView {
    FigureView {
        index,
        offer,
        target: f.kind == FigureKind::Target,
        metric: super::target_pages::metric_hint(l, &f.indicator, &f.unit, f.qualifier.as_deref()),
        indicator: f.indicator.clone(),
        value: value_text(f),
        qualifier: f.qualifier.clone().unwrap_or_default(),
        year: f.year.map(|y| y.to_string()).unwrap_or_default(),
        subject: f.subject.clone().unwrap_or_default(),
        kind: match f.kind {
            FigureKind::Target => l.t("目标", "target"),
            FigureKind::Fact => l.t("实绩", "fact"),
        },
    }
}

/// `GET /documents/{id}`
///
/// A page shows one part of the document (`qiao_app::document_reading::part`: at most 50 KB of text and
/// 200 figures) with links to the parts before and after, so a 60 MB document is never sent
/// as one page.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(p): Query<PartParams>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let record = v
        .found(&id, ("该文件不存在。", "No such document."), |id| {
            state.store.get_document(id)
        })
        .await?;
    let reviewer = v.ctx.user.as_ref().is_some_and(may_import);
    if record.document.state == DocumentState::Draft && !reviewer {
        return Err(v.error(ApiError::new(
            Code::NotFound,
            l.t("该文件不存在。", "No such document."),
        )));
    }
    let d = &record.document;
    // Stored by this server from `qiao_docs::Document`; a body that no longer parses is a fault.
    let figures: Vec<Figure> = serde_json::from_value(d.figures.clone()).map_err(|e| {
        v.error(qiao_store::StoreError::Corrupt(format!(
            "document {id} figures: {e}"
        )))
    })?;
    let removed = d.removed.as_array().map_or(0, Vec::len);
    let number = p.page.unwrap_or(1) as usize;
    let Some(part) = document_reading::part(&d.text, figures.len(), removed, number) else {
        return Err(v.error(ApiError::new(
            Code::NotFound,
            l.t("该文件没有这一部分。", "The document has no such part."),
        )));
    };
    let href = |n: usize| format!("/documents/{}?page={n}", record.id);
    let mut fields = Vec::new();
    let mut push = |zh: &str, en: &str, value: Option<String>| {
        if let Some(value) = value.filter(|s| !s.is_empty()) {
            fields.push((l.t(zh, en).to_string(), value));
        }
    };
    push("发布日期", "Published", d.published.clone());
    push("来源", "Source", d.source.clone());
    push("文号", "Document number", d.doc_number.clone());
    push(
        "文字",
        "Script",
        Some(script_label(l, &d.script).to_string()),
    );
    push("编码", "Encoding", Some(d.encoding.clone()));
    push("文件", "File", Some(d.file_name.clone()));
    let staff = v.ctx.user.as_ref().is_some_and(|u| u.may_manage_policies());
    // Staff are offered each figure once: not those already made into targets, nor a repeat.
    let offers = if staff {
        let all = qiao_store::TargetFilter::default();
        let made = planning::every(|page| state.store.list_targets(&all, page))
            .await
            .map_err(|e| v.error(e))?;
        planning::offers(record.id, &figures, &made)
    } else {
        vec![Offer::Open; figures.len()]
    };
    // The region most target figures name, offered as the default of "make targets".
    let mut regions: Vec<&str> = figures
        .iter()
        .filter_map(|f| f.subject.as_deref())
        .collect();
    regions.sort_unstable();
    let region = regions
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0].to_string())
        .unwrap_or_default();
    Ok(html(&DocumentPage {
        ctx: &v.ctx,
        id: record.id,
        staff,
        reviewer,
        draft: d.state == DocumentState::Draft,
        state: state_label(l, d),
        review: if reviewer {
            d.review.clone()
        } else {
            Vec::new()
        },
        region,
        title: d
            .title
            .clone()
            .unwrap_or_else(|| l.t("（无标题）", "(untitled)").to_string()),
        fields,
        text: d.text[part.text.clone()].to_string(),
        // Each figure keeps its index in the whole document: the targets form names them so.
        figures: figures[part.figures.clone()]
            .iter()
            .zip(&offers[part.figures.clone()])
            .enumerate()
            .map(|(i, (f, o))| figure_view(l, part.figures.start + i, f, *o))
            .collect(),
        figures_total: figures.len(),
        removed,
        part_label: if part.count > 1 {
            match l {
                Lang::Zh => format!("第 {}/{} 部分", part.number, part.count),
                Lang::En => format!("part {} of {}", part.number, part.count),
            }
        } else {
            String::new()
        },
        prev: (part.number > 1).then(|| href(part.number - 1)),
        next: (part.number < part.count).then(|| href(part.number + 1)),
    }))
}

/// The reviewer acting on a document's page: an admin or commission staff member who sent the
/// form's CSRF token; and the document.
async fn reviewed(
    state: &AppState,
    v: &Visitor,
    id: &str,
    form: &super::form::FormData,
) -> PageResult<(Account, DocumentRecord)> {
    v.check_csrf(form.csrf())?;
    let l = v.ctx.l;
    let user = match &v.ctx.user {
        Some(u) if may_import(u) => u.clone(),
        Some(_) => {
            return Err(v.error(ApiError::forbidden(l.t(
                "只有科委工作人员和管理员可以发布、撤回或删除文件。",
                "Only commission staff and admins publish, unpublish or delete documents.",
            ))));
        }
        None => return Err(v.error(ApiError::unauthenticated())),
    };
    let record = v
        .found(id, ("该文件不存在。", "No such document."), |id| {
            state.store.get_document(id)
        })
        .await?;
    Ok((user, record))
}

/// `POST /documents/{id}/publish` and `/unpublish`: back to the document's page.
pub async fn set_state(
    target: DocumentState,
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<super::form::FormData>,
) -> PageResult<Response> {
    let (user, record) = reviewed(&state, &v, &id, &form).await?;
    state
        .store
        .acting_as(user.id)
        .set_document_state(record.id, target)
        .await
        .map_err(|e| v.error(e))?;
    Ok(super::see_other(&format!("/documents/{}", record.id)))
}

/// `POST /documents/{id}/delete`: back to the list.
pub async fn delete(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<super::form::FormData>,
) -> PageResult<Response> {
    let (user, record) = reviewed(&state, &v, &id, &form).await?;
    state
        .store
        .acting_as(user.id)
        .delete_document(record.id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(super::see_other("/documents"))
}
