//! Signing in and out, registering an organisation with its first account, and the language
//! switch: `/login`, `/logout`, `/register`, `/lang`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use qiao_domain::{FieldError, Invalid, NewAccount, OrgKind, Organisation, Role, Rule};
use serde::Deserialize;

use super::form::{FormData, Plain, Shown};
use super::messages::labelled;
use super::session::{LANG_COOKIE, SESSION_COOKIE, set_cookie, sign_in};
use super::{Ctx, Lang, PageResult, Visitor, html, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::credentials::hash_password_queued;
use qiao_app::signin::{Refusal, authenticate};

/// Only paths on this site are followed (after signing in, after switching the language),
/// never `//other.site` or a URL; anything else becomes `/`.
///
/// A path must start with one `/` followed by a character other than `/` and `\` (or be `/`
/// alone), and hold no `\`, no control character and no whitespace anywhere: browsers drop
/// tabs and line breaks from a URL, so `/\t/evil.example` would be followed as
/// `//evil.example`, and a line break cannot go into a `Location` header at all.
pub(crate) fn local_path(next: &str) -> &str {
    let mut chars = next.chars();
    let starts_well = chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'));
    let clean = !next
        .chars()
        .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if starts_well && clean { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for ok in [
            "/",
            "/workspace",
            "/demands/7?tab=matches#top",
            "/search?q=电池",
        ] {
            assert_eq!(local_path(ok), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/ok\r\nSet-Cookie: x=1",
            "/a b",
            "/\u{3000}/evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "",
            "/a\\b",
            "/\u{7f}",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    error: Option<String>,
    username: String,
    next: String,
}

/// Where to go after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// `GET /login`
pub async fn login_form(v: Visitor, Query(p): Query<NextParam>) -> Response {
    html(&LoginPage {
        ctx: &v.ctx,
        error: None,
        username: String::new(),
        next: local_path(p.next.as_deref().unwrap_or("/workspace")).to_string(),
    })
}

/// `POST /login`
///
/// A disabled account gets the same "用户名或密码错误" as a wrong password: the store does not
/// find disabled accounts for signing in. See [`crate::api::accounts::create_token`] for why
/// that is safer than saying the account is disabled.
pub async fn login(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let l = v.ctx.l;
    let username = form.text("username");
    let password = form.get("password").unwrap_or("");
    let next = local_path(form.get("next").unwrap_or("/workspace")).to_string();
    let refusal = match authenticate(state.store.as_ref(), &state.logins, &username, password)
        .await
        .map_err(|e| v.error(e))?
    {
        Ok(account) => Ok(account),
        Err(Refusal::Locked(wait)) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return Err(v.error(ApiError::new(
                Code::TooManyRequests,
                match l {
                    Lang::Zh => format!("该账号登录失败次数过多，请 {minutes} 分钟后再试。"),
                    Lang::En => format!(
                        "Too many failed sign-ins for this account; try again in {minutes} minutes."
                    ),
                },
            )));
        }
        Err(Refusal::Wrong) => Err(()),
    };
    let Ok(account) = refusal else {
        let page = LoginPage {
            ctx: &v.ctx,
            error: Some(
                l.t("用户名或密码错误。", "Wrong username or password.")
                    .into(),
            ),
            username,
            next,
        };
        let mut r = html(&page);
        *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(r);
    };
    let cookie = sign_in(&state, &account, v.secure)
        .await
        .map_err(|e| v.error(e))?;
    let mut r = see_other(&next);
    r.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(r)
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    if let Some(hash) = &v.session_hash {
        state
            .store
            .delete_session(hash)
            .await
            .map_err(|e| v.error(e))?;
    }
    let mut r = see_other("/");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, v.secure),
    );
    Ok(r)
}

/// The language to switch to and where to return.
#[derive(Debug, Default, Deserialize)]
pub struct LangParams {
    to: Option<String>,
    back: Option<String>,
}

/// `GET /lang?to=en|zh&back=/path`: remembers the language in a cookie and returns.
pub async fn switch_lang(v: Visitor, Query(p): Query<LangParams>) -> Response {
    let lang = if p.to.as_deref() == Some("en") {
        "en"
    } else {
        "zh"
    };
    let back = local_path(p.back.as_deref().unwrap_or("/")).to_string();
    let mut r = see_other(&back);
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, lang, 365 * 86_400, v.secure),
    );
    r.into_response()
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: &'a Ctx,
    general: Vec<String>,
    org_fields: Vec<Shown>,
    account_fields: Vec<Shown>,
}

/// Organisation kinds that register themselves (government bodies are set up by admins).
const SELF_KINDS: [OrgKind; 4] = [
    OrgKind::Enterprise,
    OrgKind::University,
    OrgKind::ResearchInstitute,
    OrgKind::ServiceInstitution,
];

fn org_kind_code(k: OrgKind) -> &'static str {
    match k {
        OrgKind::Enterprise => "enterprise",
        OrgKind::University => "university",
        OrgKind::ResearchInstitute => "research_institute",
        OrgKind::Government => "government",
        OrgKind::ServiceInstitution => "service_institution",
    }
}

fn register_page(v: &Visitor, form: &FormData, errors: &[FieldError]) -> Response {
    let l = v.ctx.l;
    let chosen = form.get("kind").unwrap_or("enterprise");
    let mut kind = Plain {
        name: "kind",
        label: l.t("机构类型", "Kind"),
        widget: "select",
        required: true,
        hint: "",
    }
    .show(l, form, errors);
    kind.options = SELF_KINDS
        .into_iter()
        .map(|k| {
            let code = org_kind_code(k);
            (code, l.t(k.label_zh(), k.label_en()), code == chosen)
        })
        .collect();
    let org_fields = vec![
        Plain {
            name: "name",
            label: l.t("机构名称", "Registered name"),
            widget: "text",
            required: true,
            hint: "",
        }
        .show(l, form, errors),
        kind,
        Plain {
            name: "credit_code",
            label: l.t("统一社会信用代码", "Unified social credit code"),
            widget: "text",
            required: true,
            hint: l.t(
                "18 位，末位为校验位（GB 32100-2015）",
                "18 characters, the last a check character (GB 32100-2015)",
            ),
        }
        .show(l, form, errors),
        Plain {
            name: "district",
            label: l.t("所在区", "District"),
            widget: "text",
            required: false,
            hint: l.t("如：闵行区", "e.g. 闵行区"),
        }
        .show(l, form, errors),
    ];
    let account_fields = vec![
        Plain {
            name: "username",
            label: l.t("用户名", "Username"),
            widget: "text",
            required: true,
            hint: l.t("3-40 位字母、数字或 _ - .", "3-40 letters, digits, _ - ."),
        }
        .show(l, form, errors),
        Plain {
            name: "display_name",
            label: l.t("显示名称", "Display name"),
            widget: "text",
            required: false,
            hint: "",
        }
        .show(l, form, errors),
        Plain {
            name: "password",
            label: l.t("密码", "Password"),
            widget: "password",
            required: true,
            hint: l.t("至少 8 个字符", "at least 8 characters"),
        }
        .show(l, form, errors),
        Plain {
            name: "password2",
            label: l.t("确认密码", "Repeat password"),
            widget: "password",
            required: true,
            hint: "",
        }
        .show(l, form, errors),
    ];
    let known = [
        "name",
        "kind",
        "credit_code",
        "district",
        "username",
        "display_name",
        "password",
        "password2",
    ];
    let general = errors
        .iter()
        .filter(|e| !known.contains(&e.field.as_str()))
        .map(|e| labelled(l, e))
        .collect();
    html(&RegisterPage {
        ctx: &v.ctx,
        general,
        org_fields,
        account_fields,
    })
}

/// `GET /register`
pub async fn register_form(v: Visitor) -> Response {
    register_page(&v, &FormData::default(), &[])
}

fn parse_registration(form: &FormData) -> Result<(Organisation, NewAccount), Invalid> {
    let mut errors = Vec::new();
    let kind = SELF_KINDS
        .into_iter()
        .find(|k| org_kind_code(*k) == form.text("kind"));
    if kind.is_none() {
        errors.push(FieldError::new("kind", Rule::Choose));
    }
    let district = form.text("district");
    let mut org = Organisation {
        kind: kind.unwrap_or(OrgKind::Enterprise),
        name: form.text("name"),
        credit_code: form.text("credit_code"),
        district: (!district.is_empty()).then_some(district),
        industry_code: None,
        founded_on: None,
        employees: None,
        revenue_yuan: None,
        rd_expense_yuan: None,
        patents: None,
        description: None,
        website: None,
        certificates: Vec::new(),
    };
    if let Err(Invalid(e)) = org.validate() {
        errors.extend(e);
    }
    let display = form.text("display_name");
    let mut account = NewAccount {
        username: form.text("username"),
        display_name: (!display.is_empty()).then_some(display),
        password: form.get("password").unwrap_or("").to_string(),
        role: Role::Member,
        org_id: None,
    };
    if let Err(Invalid(e)) = account.validate() {
        // Members need an organisation; registration creates it, so that rule does not apply.
        errors.extend(e.into_iter().filter(|f| f.field != "org_id"));
    }
    if form.get("password") != form.get("password2") {
        errors.push(FieldError::new(
            "password2",
            Rule::Mismatch {
                other: "password".into(),
            },
        ));
    }
    if errors.is_empty() {
        Ok((org, account))
    } else {
        Err(Invalid(errors))
    }
}

/// `POST /register`: creates the organisation and its first member account together, then
/// signs the new member in.
pub async fn register(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let (org, account) = match parse_registration(&form) {
        Ok(x) => x,
        Err(Invalid(errors)) => return Ok(register_page(&v, &form, &errors)),
    };
    let hash = hash_password_queued(&account.password).await;
    let (_, created) = match state.store.register(&org, &account, &hash).await {
        Ok(x) => x,
        Err(qiao_store::StoreError::Conflict(msg)) => {
            // Say which of the two unique values is taken, next to its field.
            let taken = if msg.contains("credit_code") {
                FieldError::new("credit_code", Rule::Registered)
            } else {
                FieldError::new("username", Rule::Taken)
            };
            return Ok(register_page(&v, &form, &[taken]));
        }
        Err(e) => return Err(v.error(e)),
    };
    let cookie = sign_in(&state, &created, v.secure)
        .await
        .map_err(|e| v.error(e))?;
    let mut r = see_other("/workspace");
    r.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(r)
}
