//! `/certificates`: commission staff and admins verify the certificates organisations claim.
//!
//! - `GET /certificates`: every claim awaiting verification (organisation, credit code,
//!   certificate, number, validity), each with a form to verify it (the number checked,
//!   prefilled with the claimed one) and one to reject it (a reason, required); above them the
//!   upload of an official list.
//! - `POST /certificates/{org}/{n}/verify` and `.../reject`: those forms (with `_csrf` and the
//!   certificate's `kind` as a guard), through [`qiao_app::certificates::decide`], the function
//!   behind the API; back to the list with what was done.
//! - `POST /certificates/lists`: an official list (CSV or XLSX, multipart with `_csrf` first,
//!   then `kind` and the file) through [`qiao_app::certificates::apply_list`]; the page shows what
//!   it verified and every line that matched nothing, with why.
//!
//! Members and visitors get 403 (401 to sign in first); every value is escaped by askama.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use qiao_domain::{Account, CertKind};
use qiao_io::Format;
use serde::Deserialize;

use super::document_pages::{multipart_error, no_token, read_at_most};
use super::form::FormData;
use super::{Ctx, Lang, PageResult, Visitor, form_message, html, see_other};
use crate::error::ApiError;
use crate::state::AppState;
use qiao_app::certificates::{self, Decision, ListReport, may_verify, parse_kind};

/// Largest official list, in bytes (a city's list of 20,000 enterprises is about 2 MB).
pub const MAX_LIST: usize = 16 << 20;

/// The longest `_csrf` or `kind` field read.
const MAX_FIELD: usize = 256;

/// One pending claim as the page lists it.
struct PendingRow {
    org_href: String,
    org_name: String,
    credit_code: String,
    district: String,
    kind: &'static str,
    kind_name: &'static str,
    number: String,
    from: String,
    until: String,
    action: String,
}

/// A line of a list's report.
struct ReportLine {
    line: usize,
    credit_code: String,
    org: Option<(String, String)>,
    reason: String,
}

/// What applying a list did, as the page shows it.
struct ReportView {
    file: String,
    kind: &'static str,
    summary: String,
    verified: Vec<ReportLine>,
    unmatched: Vec<ReportLine>,
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage<'a> {
    ctx: &'a Ctx,
    done: String,
    error: String,
    report: Option<ReportView>,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<PendingRow>,
    max_mb: usize,
}

/// `?done=verified|rejected&org=ID` after a decision.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
    org: Option<i64>,
}

fn require_staff(v: &Visitor) -> PageResult<Account> {
    let account = v.account()?.clone();
    if !may_verify(&account) {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "仅科委工作人员和平台管理员可以核验证书。",
            "Only commission staff and admins verify certificates.",
        ))));
    }
    Ok(account)
}

fn kind_label(l: Lang, k: CertKind) -> &'static str {
    l.t(k.label_zh(), k.label_en())
}

async fn render(
    state: &AppState,
    v: &Visitor,
    done: String,
    error: String,
    report: Option<ReportView>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let pending = certificates::pending(&state.store, None)
        .await
        .map_err(|e| v.error(e))?;
    let rows = pending
        .into_iter()
        .map(|p| PendingRow {
            org_href: format!("/orgs/{}", p.org_id),
            org_name: p.org_name,
            credit_code: p.credit_code,
            district: p.district.unwrap_or_default(),
            kind: kind_label(l, p.certificate.kind),
            kind_name: qiao_io::labels::cert_kind_name(p.certificate.kind),
            number: p.certificate.number.clone().unwrap_or_default(),
            from: p.certificate.issued_on.to_string(),
            until: p.certificate.expires_on.to_string(),
            action: format!("/certificates/{}/{}", p.org_id, p.index),
        })
        .collect();
    Ok(html(&CertificatesPage {
        ctx: &v.ctx,
        done,
        error,
        report,
        kinds: CertKind::ALL
            .into_iter()
            .map(|k| (qiao_io::labels::cert_kind_name(k), kind_label(l, k)))
            .collect(),
        rows,
        max_mb: MAX_LIST >> 20,
    }))
}

/// `GET /certificates`
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<Done>,
) -> PageResult<Response> {
    require_staff(&v)?;
    let l = v.ctx.l;
    let org = match q.org {
        Some(id) => state.store.get_org(id).await.ok().map(|r| r.org.name),
        None => None,
    };
    let done = match (q.done.as_deref(), org) {
        (Some("verified"), Some(name)) => match l {
            Lang::Zh => format!("已核验{name}的证书，现计入统计。"),
            Lang::En => format!("Verified the certificate of {name}; it now counts."),
        },
        (Some("rejected"), Some(name)) => match l {
            Lang::Zh => format!("已驳回{name}的证书，原因已告知该机构。"),
            Lang::En => format!("Rejected the certificate of {name}; the organisation sees why."),
        },
        _ => String::new(),
    };
    render(&state, &v, done, String::new(), None).await
}

async fn decide_form(
    state: AppState,
    v: Visitor,
    (org, n): (String, String),
    form: FormData,
    status: &str,
) -> PageResult<Response> {
    v.check_csrf(form.get("_csrf"))?;
    let user = require_staff(&v)?;
    let missing = || {
        v.error(ApiError::new(
            crate::error::Code::NotFound,
            v.ctx.l.t("该证书不存在。", "No such certificate."),
        ))
    };
    let org_id: i64 = org.parse().map_err(|_| missing())?;
    let index: usize = n.parse().map_err(|_| missing())?;
    let d = Decision {
        status: status.into(),
        number: form.get("number").map(str::to_string),
        reason: form.get("reason").map(str::to_string),
        kind: form.get("kind").and_then(parse_kind),
    };
    match certificates::decide(&state.store, &user, org_id, index, &d)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Ok(see_other(&format!(
            "/certificates?done={status}&org={org_id}"
        ))),
        Err(e) if e.code == crate::error::Code::NotFound => Err(v.error(e)),
        // A missing reason or a list changed meanwhile: say so above the list.
        Err(e) => {
            let message = form_message(v.ctx.l, e);
            render(&state, &v, String::new(), message, None).await
        }
    }
}

/// `POST /certificates/{org}/{n}/verify`
pub async fn verify(
    State(state): State<AppState>,
    v: Visitor,
    Path(path): Path<(String, String)>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    decide_form(state, v, path, form, "verified").await
}

/// `POST /certificates/{org}/{n}/reject`
pub async fn reject(
    State(state): State<AppState>,
    v: Visitor,
    Path(path): Path<(String, String)>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    decide_form(state, v, path, form, "rejected").await
}

fn report_view(l: Lang, file: String, r: ListReport) -> ReportView {
    let line = |m: certificates::Matched, reason: String| ReportLine {
        line: m.line,
        credit_code: m.credit_code,
        org: Some((format!("/orgs/{}", m.org_id), m.org_name)),
        reason,
    };
    let already = l.t("此前已核验", "verified before").to_string();
    let summary = match l {
        Lang::Zh => format!(
            "核验通过 {} 条，此前已核验 {} 条，未匹配 {} 条。",
            r.verified.len(),
            r.already_verified.len(),
            r.unmatched.len()
        ),
        Lang::En => format!(
            "{} verified, {} verified before, {} matched nothing.",
            r.verified.len(),
            r.already_verified.len(),
            r.unmatched.len()
        ),
    };
    let mut verified: Vec<ReportLine> = r
        .verified
        .into_iter()
        .map(|m| line(m, String::new()))
        .collect();
    verified.extend(
        r.already_verified
            .into_iter()
            .map(|m| line(m, already.clone())),
    );
    verified.sort_by_key(|x| x.line);
    ReportView {
        file,
        kind: r.kind.map_or("", |k| kind_label(l, k)),
        summary,
        verified,
        unmatched: r
            .unmatched
            .into_iter()
            .map(|u| ReportLine {
                line: u.line,
                credit_code: u.credit_code,
                org: None,
                reason: match l {
                    Lang::Zh => u.reason.zh,
                    Lang::En => u.reason.en,
                },
            })
            .collect(),
    }
}

/// `POST /certificates/lists`: the list upload. As on `/documents`, the `_csrf` field must come
/// first, so nothing is read before the token is checked.
pub async fn import_list(
    State(state): State<AppState>,
    v: Visitor,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = require_staff(&v)?;
    let mut multipart = multipart.map_err(|_| no_token(&v))?;
    let mut token_checked = false;
    let mut kind: Option<CertKind> = None;
    let mut file: Option<(String, Option<Vec<u8>>)> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&v, &e))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "_csrf" {
            let token = read_at_most(&mut field, MAX_FIELD)
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
        match name.as_str() {
            "kind" => {
                kind = read_at_most(&mut field, MAX_FIELD)
                    .await
                    .map_err(|e| multipart_error(&v, &e))?
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| parse_kind(&s));
            }
            "file" => {
                let raw_name = field.file_name().unwrap_or("").to_string();
                let bytes = read_at_most(&mut field, MAX_LIST)
                    .await
                    .map_err(|e| multipart_error(&v, &e))?;
                file = Some((raw_name, bytes));
            }
            _ => {}
        }
    }
    if !token_checked {
        return Err(no_token(&v));
    }
    let fail = |zh: &str, en: &str| l.t(zh, en).to_string();
    let Some(kind) = kind else {
        let e = fail(
            "请选择名单所列的证书类别。",
            "Choose which certificate the list is of.",
        );
        return render(&state, &v, String::new(), e, None).await;
    };
    let (raw_name, bytes) = match file {
        Some((n, b)) if !n.is_empty() => (n, b),
        _ => {
            let e = fail(
                "请选择名单文件（.csv 或 .xlsx）。",
                "Choose the list file (.csv or .xlsx).",
            );
            return render(&state, &v, String::new(), e, None).await;
        }
    };
    let name: String = raw_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let format = match std::path::Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        _ => {
            let e = fail(
                "名单须为 .csv 或 .xlsx 文件。",
                "The list must be a .csv or .xlsx file.",
            );
            return render(&state, &v, String::new(), e, None).await;
        }
    };
    let Some(bytes) = bytes else {
        let e = match l {
            Lang::Zh => format!("名单文件超过 {} MB 上限。", MAX_LIST >> 20),
            Lang::En => format!("The list is larger than {} MB.", MAX_LIST >> 20),
        };
        return render(&state, &v, String::new(), e, None).await;
    };
    let list = match qiao_io::read_official_list(format, &bytes) {
        Ok(list) => list,
        Err(e) => {
            let e = match l {
                Lang::Zh => format!("无法读取名单：{e}"),
                Lang::En => format!("The list cannot be read: {e}"),
            };
            return render(&state, &v, String::new(), e, None).await;
        }
    };
    let report = certificates::apply_list(&state.store, &user, kind, &name, list)
        .await
        .map_err(|e| v.error(e))?;
    let view = report_view(l, name, report);
    render(&state, &v, String::new(), String::new(), Some(view)).await
}
