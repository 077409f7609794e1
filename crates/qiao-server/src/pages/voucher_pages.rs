//! 创新券 in the browser: the vouchers page (`GET /vouchers`: staff see every voucher with
//! issued, reserved, spent and left, the totals and an enterprise filter, and issue new ones
//! with `POST /vouchers`; an enterprise's members see their own) and one voucher with the
//! bookings it paid part of (`GET /vouchers/{id}`).
//!
//! Reads and issuing go through [`qiao_app::vouchers`], the same functions the API calls.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use qiao_app::AppError;
use qiao_app::vouchers::{self, VoucherRow};
use qiao_domain::booking::{Fen, Voucher};
use qiao_domain::invalid::Format;
use qiao_domain::{FieldError, Invalid, OrgKind, Rule};
use qiao_store::{OrgFilter, Page};
use serde::Deserialize;

use super::booking_pages::{FormState, when};
use super::form::FormData;
use super::{Ctx, PageResult, Visitor, html, see_other};
use crate::state::AppState;

/// Vouchers per page.
const PER_PAGE: u32 = 50;
/// The most enterprises the filter and the issue form offer.
const MAX_ENTERPRISES: u32 = 200;

/// One voucher as a row.
pub struct Line {
    /// Its page.
    pub href: String,
    /// Its number.
    pub number: String,
    /// The enterprise.
    pub org: String,
    /// Validity.
    pub valid: String,
    /// Issued, reserved, spent, left.
    pub amounts: [String; 4],
}

fn line(r: &VoucherRow) -> Line {
    let v = &r.record;
    Line {
        href: format!("/vouchers/{}", v.id),
        number: v.voucher.number.clone(),
        org: r.org_name.clone(),
        valid: format!("{} – {}", v.voucher.valid_from, v.voucher.valid_until),
        amounts: [
            v.voucher.granted.display(),
            v.reserved.display(),
            v.spent.display(),
            r.left.display(),
        ],
    }
}

#[derive(Template)]
#[template(path = "vouchers.html")]
struct VouchersPage<'a> {
    ctx: &'a Ctx,
    staff: bool,
    lines: Vec<Line>,
    count: i64,
    totals: [String; 4],
    enterprises: Vec<(String, String)>,
    filter: String,
    form: Option<FormState>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// The filter and page.
#[derive(Debug, Default, Deserialize)]
pub struct VoucherQuery {
    /// Only this enterprise's (staff).
    pub org_id: Option<String>,
    /// 1-based page.
    pub page: Option<u32>,
}

async fn render(
    state: &AppState,
    v: &Visitor,
    q: VoucherQuery,
    form: Option<FormState>,
    status: StatusCode,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let staff = user.is_staff();
    let org_id = q
        .org_id
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let number = q.page.unwrap_or(1).max(1);
    let list = vouchers::list(
        &state.store,
        &user,
        org_id,
        Page {
            number,
            size: PER_PAGE,
        },
    )
    .await
    .map_err(|e| v.error(e))?;
    let enterprises = if staff {
        state
            .store
            .list_orgs(
                &OrgFilter {
                    kind: Some(OrgKind::Enterprise),
                    ..Default::default()
                },
                Page {
                    number: 1,
                    size: MAX_ENTERPRISES,
                },
            )
            .await
            .map_err(|e| v.error(e))?
            .items
            .into_iter()
            .map(|o| (o.id.to_string(), o.org.name))
            .collect()
    } else {
        Vec::new()
    };
    let filter = org_id.map(|o| o.to_string()).unwrap_or_default();
    let href = |n: u32| format!("/vouchers?org_id={filter}&page={n}");
    let t = &list.totals.balance;
    let mut r = html(&VouchersPage {
        ctx: &v.ctx,
        staff,
        lines: list.vouchers.items.iter().map(line).collect(),
        count: list.totals.count,
        totals: [
            t.granted.display(),
            t.reserved.display(),
            t.spent.display(),
            list.left.display(),
        ],
        enterprises,
        prev_href: (number > 1).then(|| href(number - 1)),
        next_href: (i64::from(number) * i64::from(PER_PAGE) < list.vouchers.total)
            .then(|| href(number + 1)),
        filter,
        form: staff.then(|| form.unwrap_or_else(|| FormState::new_at("/vouchers"))),
    });
    *r.status_mut() = status;
    Ok(r)
}

/// `GET /vouchers`: staff see every voucher (of one enterprise with `org_id`), members their
/// organisation's.
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<VoucherQuery>,
) -> PageResult<Response> {
    render(&state, &v, q, None, StatusCode::OK).await
}

const FIELDS: [&str; 6] = [
    "number",
    "org_id",
    "granted",
    "valid_from",
    "valid_until",
    "note",
];

fn parse(form: &FormData) -> Result<Voucher, Vec<FieldError>> {
    let mut errors = Vec::new();
    let org_raw = form.text("org_id");
    let org_id = org_raw.trim().parse::<i64>().ok();
    if org_id.is_none() {
        errors.push(FieldError::new("org_id", Rule::Choose));
    }
    let granted_raw = form.text("granted");
    let granted = Fen::parse_yuan(&granted_raw);
    if granted.is_none() {
        errors.push(FieldError::new(
            "granted",
            Rule::BadFormat {
                found: granted_raw.chars().take(40).collect(),
                format: Format::Amount,
            },
        ));
    }
    let mut day = |field: &str| {
        let raw = form.text(field);
        let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            errors.push(FieldError::new(
                field,
                Rule::BadFormat {
                    found: raw.chars().take(40).collect(),
                    format: Format::Date,
                },
            ));
        }
        d
    };
    let valid_from = day("valid_from");
    let valid_until = day("valid_until");
    let note = Some(form.text("note")).filter(|n| !n.trim().is_empty());
    match (org_id, granted, valid_from, valid_until) {
        (Some(org_id), Some(granted), Some(valid_from), Some(valid_until)) if errors.is_empty() => {
            Ok(Voucher {
                number: form.text("number"),
                org_id,
                granted,
                valid_from,
                valid_until,
                note,
            })
        }
        _ => Err(errors),
    }
}

/// `POST /vouchers`: staff issue a voucher.
pub async fn issue(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let result = match parse(&form) {
        Ok(voucher) => vouchers::issue(&state.store, &user, voucher).await,
        Err(errors) => Err(AppError::Invalid(Invalid(errors))),
    };
    let mut shown = FormState::new_at("/vouchers");
    shown.keep_all(&form, &FIELDS);
    let status = match result {
        Ok(r) => return Ok(see_other(&format!("/vouchers/{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => {
            shown.place_all(v.ctx.l, &errors, &FIELDS);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Conflict(m)) => {
            shown.general.push(m);
            StatusCode::CONFLICT
        }
        Err(e) => return Err(v.error(e)),
    };
    render(&state, &v, VoucherQuery::default(), Some(shown), status).await
}

/// A booking the voucher paid part of, as a row.
pub struct Use {
    /// Its instrument's page.
    pub href: String,
    /// When.
    pub when: String,
    /// What the voucher pays.
    pub amount: String,
    /// Status label and badge colour.
    pub status: (&'static str, &'static str),
}

#[derive(Template)]
#[template(path = "voucher.html")]
struct VoucherPage<'a> {
    ctx: &'a Ctx,
    line: Line,
    note: String,
    uses: Vec<Use>,
}

/// `GET /vouchers/{id}`: the voucher and the bookings it paid part of.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let l = v.ctx.l;
    let view = vouchers::view(&state.store, &user, id)
        .await
        .map_err(|e| v.error(e))?;
    let uses = view
        .bookings
        .iter()
        .map(|b| {
            let k = &b.booking;
            Use {
                href: format!("/instruments/{}", k.listing_id),
                when: when(l, &k.slot),
                amount: k.voucher_amount.display(),
                status: (
                    l.t(k.status.label_zh(), k.status.label_en()),
                    match k.status {
                        qiao_domain::booking::BookingStatus::Confirmed => "ok",
                        qiao_domain::booking::BookingStatus::Requested => "warn",
                        _ => "bad",
                    },
                ),
            }
        })
        .collect();
    Ok(html(&VoucherPage {
        ctx: &v.ctx,
        note: view.row.record.voucher.note.clone().unwrap_or_default(),
        line: line(&view.row),
        uses,
    }))
}
