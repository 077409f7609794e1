//! Admin pages: `GET /admin` (accounts, and a form to create one), `POST /admin/accounts`,
//! `POST /admin/accounts/{id}` (role and organisation), `POST /admin/accounts/{id}/disable`
//! and `/enable` (a staff member who left), `POST /admin/accounts/{id}/password` (reset it).
//! Admins only. The audit log's pages are in `audit.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use qiao_domain::{AccountChange, FieldError, Invalid, NewAccount, Role, Rule};
use qiao_store::Page;
use serde::Deserialize;

use super::form::{FormData, Plain, Shown};
use super::messages::{labelled, said};
use super::{Ctx, Lang, PageResult, Visitor, html, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::account_admin::apply_change;
use qiao_app::credentials::hash_password_queued;

/// The signed-in admin, or 403 for anyone else (401 when nobody is signed in).
pub(crate) fn require_admin(v: &Visitor) -> PageResult<qiao_domain::Account> {
    let user = v.account()?.clone();
    if user.role != Role::Admin {
        return Err(v.error(ApiError::forbidden(
            v.ctx.l.t("仅平台管理员可访问。", "Admins only."),
        )));
    }
    Ok(user)
}

fn plain(name: &'static str, label: &'static str, widget: &'static str) -> Plain {
    Plain {
        name,
        label,
        widget,
        required: name != "display_name" && name != "credit_code",
        hint: "",
    }
}

/// One account in the admin table, with its role choices.
pub struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    org_href: String,
    org_name: String,
    credit_code: String,
    roles: Vec<(&'static str, &'static str, bool)>,
    /// `已停用（日期）` when disabled, empty while in use.
    disabled: String,
    /// The signed-in admin's own row (it has no disable button).
    is_self: bool,
    /// A problem with this row's disable or password form, shown beside it.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    ctx: &'a Ctx,
    message: Option<String>,
    accounts: Vec<AccountRow>,
    general: Vec<String>,
    fields: Vec<Shown>,
}

async fn render(
    state: &AppState,
    v: &Visitor,
    form: &FormData,
    errors: &[FieldError],
    message: Option<String>,
    row_error: Option<(i64, String)>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let me = v.ctx.user.as_ref().map(|u| u.id);
    let paged = state
        .store
        .list_accounts(Page {
            number: 1,
            size: 200,
        })
        .await
        .map_err(|e| v.error(e))?;
    let mut accounts = Vec::new();
    for a in paged.items {
        let org = match a.org_id {
            Some(o) => state.store.get_org(o).await.ok(),
            None => None,
        };
        accounts.push(AccountRow {
            id: a.id,
            org_href: a.org_id.map(|o| format!("/orgs/{o}")).unwrap_or_default(),
            org_name: org.as_ref().map(|o| o.org.name.clone()).unwrap_or_default(),
            credit_code: org.map(|o| o.org.credit_code).unwrap_or_default(),
            roles: Role::ALL
                .into_iter()
                .map(|r| (r.as_str(), l.role(&r), r == a.role))
                .collect(),
            disabled: a
                .disabled_at
                .map(|t| {
                    let day = (t + chrono::Duration::hours(8)).format("%Y-%m-%d");
                    match l {
                        Lang::Zh => format!("已停用（{day}）"),
                        Lang::En => format!("Disabled ({day})"),
                    }
                })
                .unwrap_or_default(),
            is_self: me == Some(a.id),
            error: row_error
                .as_ref()
                .filter(|(id, _)| *id == a.id)
                .map(|(_, m)| m.clone()),
            username: a.username,
            display_name: a.display_name,
        });
    }
    let chosen = form.get("role").unwrap_or("member");
    let mut role = plain("role", l.t("角色", "Role"), "select").show(l, form, errors);
    role.options = Role::ALL
        .into_iter()
        .map(|r| (r.as_str(), l.role(&r), r.as_str() == chosen))
        .collect();
    let fields = vec![
        plain("username", l.t("用户名", "Username"), "text").show(l, form, errors),
        plain("display_name", l.t("显示名称", "Display name"), "text").show(l, form, errors),
        plain("password", l.t("初始密码", "Initial password"), "password").show(l, form, errors),
        role,
        plain(
            "credit_code",
            l.t(
                "所属机构的统一社会信用代码（机构成员必填）",
                "Credit code of the organisation (members)",
            ),
            "text",
        )
        .show(l, form, errors),
    ];
    let general = errors
        .iter()
        .filter(|e| {
            ![
                "username",
                "display_name",
                "password",
                "role",
                "credit_code",
            ]
            .contains(&e.field.as_str())
        })
        .map(|e| labelled(l, e))
        .collect();
    Ok(html(&AdminPage {
        ctx: &v.ctx,
        message,
        accounts,
        general,
        fields,
    }))
}

/// What `GET /admin` was sent back with after a change.
#[derive(Debug, Default, Deserialize)]
pub struct AdminParams {
    /// The account whose password was just reset.
    reset: Option<i64>,
}

/// `GET /admin`
pub async fn accounts(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<AdminParams>,
) -> PageResult<Response> {
    require_admin(&v)?;
    let message = match p.reset {
        Some(id) => state
            .store
            .get_account(id)
            .await
            .ok()
            .map(|a| match v.ctx.l {
                Lang::Zh => format!(
                    "已重置 {} 的密码；其登录会话和 API 令牌已全部失效。",
                    a.username
                ),
                Lang::En => format!(
                    "The password of {} was reset; its sessions and API tokens no longer work.",
                    a.username
                ),
            }),
        None => None,
    };
    render(&state, &v, &FormData::default(), &[], message, None).await
}

/// `POST /admin/accounts`
pub async fn create_account(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let admin = require_admin(&v)?;
    let mut errors = Vec::new();
    let role = Role::parse(&form.text("role"));
    if role.is_none() {
        errors.push(FieldError::new("role", Rule::Choose));
    }
    let code = form.text("credit_code");
    let org_id = if code.is_empty() {
        None
    } else {
        match state
            .store
            .org_by_credit_code(&code)
            .await
            .map_err(|e| v.error(e))?
        {
            Some(o) => Some(o.id),
            None => {
                errors.push(FieldError::new(
                    "credit_code",
                    Rule::NoSuchOrganisation {
                        credit_code: code.clone(),
                    },
                ));
                None
            }
        }
    };
    let display = form.text("display_name");
    let mut new = NewAccount {
        username: form.text("username"),
        display_name: (!display.is_empty()).then_some(display),
        password: form.get("password").unwrap_or("").to_string(),
        role: role.unwrap_or(Role::Member),
        org_id,
    };
    if let Err(Invalid(e)) = new.validate() {
        errors.extend(e.into_iter().map(|mut f| {
            if f.field == "org_id" {
                f.field = "credit_code".into();
            }
            f
        }));
    }
    if !errors.is_empty() {
        return render(&state, &v, &form, &errors, None, None).await;
    }
    match state
        .store
        .acting_as(admin.id)
        .create_account(&new, &hash_password_queued(&new.password).await)
        .await
    {
        Ok(_) => Ok(see_other("/admin")),
        Err(qiao_store::StoreError::Conflict(_)) => {
            let taken = [FieldError::new("username", Rule::Taken)];
            render(&state, &v, &form, &taken, None, None).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /admin/accounts/{id}`: change an account's role and organisation. Members need an
/// organisation; an admin cannot take away their own admin role (someone must stay admin).
pub async fn update_account(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let admin = require_admin(&v)?;
    let l = v.ctx.l;
    let role = Role::parse(&form.text("role"));
    let code = form.text("credit_code");
    let org = if code.is_empty() {
        None
    } else {
        state
            .store
            .org_by_credit_code(&code)
            .await
            .map_err(|e| v.error(e))?
    };
    let problem = match role {
        None => Some(l.t("请选择角色。", "Choose a role.").to_string()),
        Some(_) if !code.is_empty() && org.is_none() => Some(match l {
            Lang::Zh => format!("没有统一社会信用代码为 {code} 的机构。"),
            Lang::En => format!("No organisation has the credit code {code}."),
        }),
        Some(Role::Member) if org.is_none() => Some(
            l.t(
                "机构成员必须归属一个机构。",
                "A member needs an organisation.",
            )
            .to_string(),
        ),
        Some(r) if id == admin.id && r != Role::Admin => Some(
            l.t(
                "不能取消自己的管理员角色。",
                "You cannot take away your own admin role.",
            )
            .to_string(),
        ),
        _ => None,
    };
    if let Some(message) = problem {
        return render(&state, &v, &FormData::default(), &[], Some(message), None).await;
    }
    let role = role.expect("checked above");
    state
        .store
        .acting_as(admin.id)
        .update_account(id, role, org.map(|o| o.id))
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&format!("/admin#account-{id}")))
}

/// `POST /admin/accounts/{id}/disable`: the account can no longer sign in, and its sessions
/// and API tokens stop working at once. An admin cannot disable their own account.
pub async fn disable_account(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    let change = AccountChange {
        disabled: Some(true),
        password: None,
    };
    change_account(&state, &v, id, &form, &change).await
}

/// `POST /admin/accounts/{id}/enable`: the account may sign in again (with no session or
/// token from before it was disabled).
pub async fn enable_account(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    let change = AccountChange {
        disabled: Some(false),
        password: None,
    };
    change_account(&state, &v, id, &form, &change).await
}

/// `POST /admin/accounts/{id}/password`: sets the password the admin typed (as long as
/// registration asks for) and signs the account out everywhere.
pub async fn reset_password(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    let change = AccountChange {
        disabled: None,
        password: Some(form.get("password").unwrap_or("").to_string()),
    };
    change_account(&state, &v, id, &form, &change).await
}

/// Checks and applies one of the access changes above; a problem is shown beside the row's
/// forms, in the visitor's language.
async fn change_account(
    state: &AppState,
    v: &Visitor,
    id: i64,
    form: &FormData,
    change: &AccountChange,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let admin = require_admin(v)?;
    let l = v.ctx.l;
    if let Err(Invalid(errors)) = change.validate(admin.id, id) {
        let message = errors
            .iter()
            .map(|e| {
                let text = said(l, e);
                if e.field == "password" {
                    format!("{}{}", l.t("新密码：", "New password: "), text)
                } else {
                    text
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        return render(
            state,
            v,
            &FormData::default(),
            &[],
            None,
            Some((id, message)),
        )
        .await;
    }
    match apply_change(&state.store, &admin, id, change).await {
        Ok(_) if change.password.is_some() && id == admin.id => {
            // Resetting one's own password ended this session too.
            Ok(see_other("/login?next=/admin"))
        }
        Ok(_) if change.password.is_some() => {
            Ok(see_other(&format!("/admin?reset={id}#account-{id}")))
        }
        Ok(_) => Ok(see_other(&format!("/admin#account-{id}"))),
        Err(qiao_store::StoreError::NotFound { .. }) => Err(v.error(ApiError::new(
            Code::NotFound,
            l.t("没有这个账号。", "No such account."),
        ))),
        Err(e) => Err(v.error(e)),
    }
}
