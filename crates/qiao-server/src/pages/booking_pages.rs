//! Instrument booking in the browser: the slots box and 预约 form on an instrument's page
//! ([`panel`]), the instrument's slots page with the owner's forms to add one slot or a weekly
//! series and to withdraw (`GET/POST /instruments/{id}/slots`, `POST /slots/{id}/withdraw`),
//! booking (`POST /instruments/{id}/book`), 我的预约 (`GET /bookings`), 预约管理
//! (`GET /bookings/manage`) and the steps on a booking (`POST /bookings/{id}/act`).
//!
//! Every read and step goes through [`qiao_app::bookings`], the same functions the API calls.
//! A refused form comes back with each problem next to its field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, NaiveTime};
use qiao_app::AppError;
use qiao_app::bookings::{self, BookingView, NewBooking, Offer};
use qiao_app::vouchers;
use qiao_domain::booking::{
    BookingAction, BookingStatus, Fen, Series, SlotSpec, now_cst, parse_minute,
};
use qiao_domain::invalid::Format;
use qiao_domain::{Account, FieldError, Invalid, Rule};
use qiao_store::{ListingRecord, Page, SlotRecord};
use serde::Deserialize;

use super::form::FormData;
use super::messages::{labelled, said};
use super::{Ctx, Lang, PageError, PageResult, Visitor, html, see_other};
use crate::state::AppState;

/// How many coming slots the instrument's page shows; the slots page shows the rest.
const PANEL_SLOTS: u32 = 8;
/// Slots per page of the slots page.
const SLOTS_PER_PAGE: u32 = 40;
/// Bookings per page of 我的预约 and 预约管理.
const BOOKINGS_PER_PAGE: u32 = 50;

/// A form's typed values and the problems next to its fields.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    /// Where it posts.
    pub action: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// Problems that name no field of the form.
    pub general: Vec<String>,
}

impl FormState {
    fn new(action: String) -> Self {
        FormState {
            action,
            ..Default::default()
        }
    }

    /// An empty form posting to `action`.
    pub fn new_at(action: &str) -> Self {
        Self::new(action.to_string())
    }

    /// Keeps what `form` carried in `names`.
    pub fn keep_all(&mut self, form: &FormData, names: &[&str]) {
        self.keep(form, names);
    }

    /// Places `errors` next to the fields `names`, the rest above the form.
    pub fn place_all(&mut self, l: Lang, errors: &[FieldError], names: &[&str]) {
        self.place(l, errors, names);
    }

    /// The value typed in `name`.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The problem with `name`, if any.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Whether `value` is among the values typed in `name` (a ticked box, a chosen option).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.value(name).split(',').any(|v| v == value)
    }

    fn keep(&mut self, form: &FormData, names: &[&str]) {
        for n in names {
            let all: Vec<&str> = form.all(n).collect();
            self.values.insert((*n).to_string(), all.join(","));
        }
    }

    /// Places each error next to its field (`weekdays[1]` next to `weekdays`), the rest above.
    fn place(&mut self, l: Lang, errors: &[FieldError], names: &[&str]) {
        for e in errors {
            let key = e.field.split(['[', '.']).next().unwrap_or_default();
            if names.contains(&key) && !e.field.starts_with("slots[") {
                self.errors
                    .entry(key.to_string())
                    .and_modify(|m| {
                        m.push('；');
                        m.push_str(&said(l, e));
                    })
                    .or_insert_with(|| said(l, e));
            } else {
                self.general.push(labelled(l, e));
            }
        }
    }
}

/// One slot as a line.
pub struct SlotLine {
    /// Its id.
    pub id: i64,
    /// `2026-12-07 周一 09:00–12:00`.
    pub when: String,
    /// Its price, or that it has none.
    pub price: String,
    /// Whether an active booking holds it.
    pub booked: bool,
    /// Where the owner withdraws it (unbooked slots, for the owner).
    pub withdraw: Option<String>,
}

fn weekday(l: Lang, d: NaiveDate) -> &'static str {
    let i = d.weekday().num_days_from_monday() as usize;
    match l {
        Lang::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

/// `2026-12-07 周一 09:00–12:00` (the end's date too when it is another day).
pub fn when(l: Lang, s: &SlotSpec) -> String {
    let end = if s.ends_at.date() == s.starts_at.date() {
        s.ends_at.format("%H:%M").to_string()
    } else {
        s.ends_at.format("%Y-%m-%d %H:%M").to_string()
    };
    format!(
        "{} {} {}–{end}",
        s.starts_at.format("%Y-%m-%d"),
        weekday(l, s.starts_at.date()),
        s.starts_at.format("%H:%M")
    )
}

fn price_text(l: Lang, p: Option<Fen>) -> String {
    match p {
        Some(p) => p.display(),
        None => l.t("面议", "on request").to_string(),
    }
}

fn line(l: Lang, r: &SlotRecord, owner: bool) -> SlotLine {
    SlotLine {
        id: r.id,
        when: when(l, &r.slot),
        price: price_text(l, r.slot.price),
        booked: r.booked,
        withdraw: (owner && !r.booked).then(|| format!("/slots/{}/withdraw", r.id)),
    }
}

/// The 预约 form: the open slots to choose from, the purpose, the vouchers that could pay.
pub struct BookForm {
    /// The form's values and errors.
    pub state: FormState,
    /// Open slots: (id, label).
    pub slots: Vec<(String, String)>,
    /// Usable vouchers: (id, label).
    pub vouchers: Vec<(String, String)>,
}

/// The slots box on an instrument's page.
pub struct SlotPanel {
    /// The coming slots (the first few).
    pub slots: Vec<SlotLine>,
    /// How many coming slots there are.
    pub total: i64,
    /// The slots page.
    pub all_href: String,
    /// The 预约 form, when the viewer may book.
    pub form: Option<BookForm>,
    /// Whether the viewer manages the instrument (adds and withdraws slots).
    pub owner: bool,
    /// Why the viewer may not book (empty when the form shows or nobody is signed in).
    pub why_not: String,
    /// The sign-in page, for anonymous visitors.
    pub login_href: String,
}

async fn book_form(
    state: &AppState,
    user: &Account,
    id: i64,
    open: &[SlotRecord],
    l: Lang,
    form: Option<FormState>,
) -> PageResult<BookForm> {
    let vouchers = vouchers::usable(&state.store, user)
        .await
        .map_err(|e| PageError::from(e).in_lang(l))?;
    Ok(BookForm {
        state: form.unwrap_or_else(|| FormState::new(format!("/instruments/{id}/book"))),
        slots: open
            .iter()
            .filter(|s| !s.booked)
            .map(|s| {
                (
                    s.id.to_string(),
                    format!("{} · {}", when(l, &s.slot), price_text(l, s.slot.price)),
                )
            })
            .collect(),
        vouchers: vouchers
            .iter()
            .map(|v| {
                (
                    v.record.id.to_string(),
                    format!(
                        "{} · {} {}",
                        v.record.voucher.number,
                        l.t("余额", "left"),
                        v.left.display()
                    ),
                )
            })
            .collect(),
    })
}

/// The booking form of instrument `id` for `user`, or why they may not book it (neither for
/// anonymous visitors, who get the sign-in link instead).
async fn form_or_why_not(
    state: &AppState,
    user: Option<&Account>,
    owner_org_id: Option<i64>,
    id: i64,
    open: &[SlotRecord],
    l: Lang,
    form: Option<FormState>,
) -> PageResult<(Option<BookForm>, String)> {
    let Some(u) = user else {
        return Ok((None, String::new()));
    };
    let why = why_not(l, u, owner_org_id);
    if !why.is_empty() {
        return Ok((None, why));
    }
    Ok((Some(book_form(state, u, id, open, l, form).await?), why))
}

/// Why `user` may not book an instrument owned by `owner_org_id` (empty: they may).
fn why_not(l: Lang, user: &Account, owner_org_id: Option<i64>) -> String {
    if user.org_id.is_none() {
        l.t(
            "预约需要账号归属一个机构。",
            "Booking needs an account that acts for an organisation.",
        )
        .into()
    } else if user.org_id == owner_org_id {
        l.t(
            "这是本机构的仪器：在时段页添加或撤回时段，在预约管理中确认预约。",
            "This is your organisation's instrument: add or withdraw slots on its slots page, confirm bookings under booking management.",
        )
        .into()
    } else {
        String::new()
    }
}

/// The slots box of an instrument's page (`None` for other kinds).
pub async fn panel(
    state: &AppState,
    v: &Visitor,
    record: &ListingRecord,
) -> PageResult<Option<SlotPanel>> {
    if record.listing.kind() != qiao_domain::Kind::Instrument {
        return Ok(None);
    }
    let l = v.ctx.l;
    let user = v.ctx.user.as_ref();
    let page = Page {
        number: 1,
        size: PANEL_SLOTS,
    };
    let coming = bookings::coming_slots_of(&state.store, user, record, now_cst(), page)
        .await
        .map_err(|e| v.error(e))?;
    let owner = user.is_some_and(|u| bookings::may_manage(u, record.owner_org_id));
    let (form, why) = form_or_why_not(
        state,
        user,
        record.owner_org_id,
        record.id,
        &coming.items,
        l,
        None,
    )
    .await?;
    Ok(Some(SlotPanel {
        slots: coming.items.iter().map(|r| line(l, r, owner)).collect(),
        total: coming.total,
        all_href: format!("/instruments/{}/slots", record.id),
        form,
        owner,
        why_not: why,
        login_href: format!(
            "/login?next={}",
            urlencoding::encode(&format!("/instruments/{}", record.id))
        ),
    }))
}

#[derive(Template)]
#[template(path = "slots.html")]
struct SlotsPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    title: String,
    slots: Vec<SlotLine>,
    total: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    form: Option<BookForm>,
    why_not: String,
    one: Option<FormState>,
    weekly: Option<FormState>,
    weekdays: Vec<(String, &'static str)>,
}

/// The page's number.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based.
    pub page: Option<u32>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's state, each part named"
)]
async fn render_slots(
    state: &AppState,
    v: &Visitor,
    id: i64,
    number: u32,
    book: Option<FormState>,
    one: Option<FormState>,
    weekly: Option<FormState>,
    status: StatusCode,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.ctx.user.as_ref();
    let record = bookings::instrument(&state.store, user, id)
        .await
        .map_err(|e| v.error(e))?;
    let number = number.max(1);
    let coming = bookings::coming_slots_of(
        &state.store,
        user,
        &record,
        now_cst(),
        Page {
            number,
            size: SLOTS_PER_PAGE,
        },
    )
    .await
    .map_err(|e| v.error(e))?;
    let owner = user.is_some_and(|u| bookings::may_manage(u, record.owner_org_id));
    let (form, why) =
        form_or_why_not(state, user, record.owner_org_id, id, &coming.items, l, book).await?;
    let href = |n: u32| format!("/instruments/{id}/slots?page={n}");
    let mut r = html(&SlotsPage {
        ctx: &v.ctx,
        id,
        title: record.listing.title().to_string(),
        slots: coming.items.iter().map(|r| line(l, r, owner)).collect(),
        total: coming.total,
        prev_href: (number > 1).then(|| href(number - 1)),
        next_href: (i64::from(number) * i64::from(SLOTS_PER_PAGE) < coming.total)
            .then(|| href(number + 1)),
        form,
        why_not: why,
        one: owner
            .then(|| one.unwrap_or_else(|| FormState::new(format!("/instruments/{id}/slots")))),
        weekly: owner
            .then(|| weekly.unwrap_or_else(|| FormState::new(format!("/instruments/{id}/slots")))),
        weekdays: (1..=7u8)
            .map(|d| {
                let date = NaiveDate::from_isoywd_opt(2026, 1, chrono::Weekday::Mon)
                    .unwrap_or_default()
                    + chrono::Duration::days(i64::from(d) - 1);
                (d.to_string(), weekday(l, date))
            })
            .collect(),
    });
    *r.status_mut() = status;
    Ok(r)
}

/// `GET /instruments/{id}/slots`: every coming slot, the 预约 form, and the owner's forms.
pub async fn slots(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult<Response> {
    render_slots(
        &state,
        &v,
        id,
        q.page.unwrap_or(1),
        None,
        None,
        None,
        StatusCode::OK,
    )
    .await
}

fn amount(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Fen> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let a = Fen::parse_yuan(raw);
    if a.is_none() {
        errors.push(FieldError::new(
            field,
            Rule::BadFormat {
                found: raw.chars().take(40).collect(),
                format: Format::Amount,
            },
        ));
    }
    a
}

fn required(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> bool {
    if raw.trim().is_empty() {
        errors.push(FieldError::new(field, Rule::Required));
        false
    } else {
        true
    }
}

const ONE_FIELDS: [&str; 3] = ["starts_at", "ends_at", "price"];
const WEEKLY_FIELDS: [&str; 6] = [
    "from",
    "weekdays",
    "start_time",
    "end_time",
    "weeks",
    "price",
];

/// The offer a slot form describes, or every problem with it.
fn parse_offer(form: &FormData) -> Result<Offer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut minute = |field: &str| {
        let raw = form.text(field);
        if !required(field, &raw, &mut errors) {
            return None;
        }
        parse_minute(field, &raw)
            .map_err(|Invalid(e)| errors.extend(e))
            .ok()
    };
    if form.get("mode") == Some("weekly") {
        let from_raw = form.text("from");
        let from = NaiveDate::parse_from_str(from_raw.trim(), "%Y-%m-%d").ok();
        if from.is_none() {
            errors.push(FieldError::new(
                "from",
                Rule::BadFormat {
                    found: from_raw.chars().take(40).collect(),
                    format: Format::Date,
                },
            ));
        }
        let mut time = |field: &str| {
            let raw = form.text(field);
            let t = NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok();
            if t.is_none() {
                errors.push(FieldError::new(
                    field,
                    Rule::BadFormat {
                        found: raw.chars().take(40).collect(),
                        format: Format::DateTime,
                    },
                ));
            }
            t
        };
        let start = time("start_time");
        let end = time("end_time");
        let weekdays: Vec<u8> = form
            .all("weekdays")
            .filter_map(|d| d.parse().ok())
            .collect();
        let weeks_raw = form.text("weeks");
        let weeks = weeks_raw.trim().parse::<u32>().ok();
        if weeks.is_none() {
            errors.push(FieldError::new(
                "weeks",
                Rule::BadFormat {
                    found: weeks_raw.chars().take(40).collect(),
                    format: Format::WholeNumber,
                },
            ));
        }
        let price = amount("price", &form.text("price"), &mut errors);
        if let (Some(from), Some(start_time), Some(end_time), Some(weeks), true) =
            (from, start, end, weeks, errors.is_empty())
        {
            return Ok(Offer::Weekly(Series {
                from,
                weekdays,
                start_time,
                end_time,
                weeks,
                price,
            }));
        }
        return Err(errors);
    }
    let starts_at = minute("starts_at");
    let ends_at = minute("ends_at");
    let price = amount("price", &form.text("price"), &mut errors);
    match (starts_at, ends_at) {
        (Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok(Offer::One(SlotSpec {
            starts_at,
            ends_at,
            price,
        })),
        _ => Err(errors),
    }
}

/// `POST /instruments/{id}/slots`: adds one slot or a weekly series (`mode=weekly`).
pub async fn add(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let weekly = form.get("mode") == Some("weekly");
    let result = match parse_offer(&form) {
        Ok(offer) => bookings::offer(&state.store, &user, id, offer, now_cst()).await,
        Err(errors) => Err(AppError::Invalid(Invalid(errors))),
    };
    let errors = match result {
        Ok(_) => return Ok(see_other(&format!("/instruments/{id}/slots#slots"))),
        Err(AppError::Invalid(Invalid(errors))) => errors,
        Err(e) => return Err(v.error(e)),
    };
    let mut shown = FormState::new(format!("/instruments/{id}/slots"));
    let names: &[&str] = if weekly { &WEEKLY_FIELDS } else { &ONE_FIELDS };
    shown.keep(&form, names);
    shown.place(v.ctx.l, &errors, names);
    let (one, weekly) = if weekly {
        (None, Some(shown))
    } else {
        (Some(shown), None)
    };
    render_slots(
        &state,
        &v,
        id,
        1,
        None,
        one,
        weekly,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /slots/{id}/withdraw`: the owner withdraws an unbooked slot.
pub async fn withdraw(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let slot = bookings::withdraw(&state.store, &user, id)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&format!(
        "/instruments/{}/slots#slots",
        slot.listing_id
    )))
}

const BOOK_FIELDS: [&str; 4] = ["slot_id", "purpose", "voucher_id", "voucher_amount"];

/// `POST /instruments/{id}/book`: books the chosen slot for the visitor's organisation.
pub async fn book(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let mut errors = Vec::new();
    let slot_raw = form.text("slot_id");
    let slot_id = slot_raw.trim().parse::<i64>().ok();
    if slot_id.is_none() {
        errors.push(FieldError::new("slot_id", Rule::Choose));
    }
    let voucher_raw = form.text("voucher_id");
    let voucher_id = voucher_raw.trim().parse::<i64>().ok();
    let voucher_amount = amount("voucher_amount", &form.text("voucher_amount"), &mut errors);
    let result = match slot_id {
        Some(slot) if errors.is_empty() => {
            let new = NewBooking {
                purpose: form.text("purpose"),
                voucher_id,
                voucher_amount,
            };
            bookings::book(&state.store, &user, slot, new, now_cst()).await
        }
        _ => Err(AppError::Invalid(Invalid(errors))),
    };
    let mut shown = FormState::new(format!("/instruments/{id}/book"));
    shown.keep(&form, &BOOK_FIELDS);
    let status = match result {
        Ok(r) => return Ok(see_other(&format!("/bookings#booking-{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => {
            shown.place(v.ctx.l, &errors, &BOOK_FIELDS);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Conflict(m)) => {
            shown.general.push(m);
            StatusCode::CONFLICT
        }
        Err(e) => return Err(v.error(e)),
    };
    render_slots(&state, &v, id, 1, Some(shown), None, None, status).await
}

/// One booking as a row of 我的预约 or 预约管理.
pub struct BookingRow {
    /// Its id.
    pub id: i64,
    /// Its version (the step forms send it back).
    pub version: i64,
    /// The instrument's name and page.
    pub instrument: (String, String),
    /// The other organisation's name and page.
    pub party: (String, String),
    /// When.
    pub when: String,
    /// The price.
    pub price: String,
    /// What the voucher pays: `SH-2026-0001 · 300.00元`, or empty.
    pub voucher: String,
    /// The purpose.
    pub purpose: String,
    /// Status label and badge colour.
    pub status: (&'static str, &'static str),
    /// The decline's reason.
    pub reason: String,
    /// Whether the viewer may confirm or decline.
    pub may_decide: bool,
    /// Whether the viewer may cancel.
    pub may_cancel: bool,
    /// The decline form's error, after a refused decline.
    pub error: Option<String>,
}

fn status_badge(l: Lang, s: BookingStatus) -> (&'static str, &'static str) {
    let class = match s {
        BookingStatus::Requested => "warn",
        BookingStatus::Confirmed => "ok",
        BookingStatus::Declined | BookingStatus::Cancelled => "bad",
    };
    (l.t(s.label_zh(), s.label_en()), class)
}

fn row(l: Lang, b: &BookingView, incoming: bool) -> BookingRow {
    let k = &b.record.booking;
    let (party, party_id) = if incoming {
        (b.requester_name.clone(), k.requester_org_id)
    } else {
        (b.owner_name.clone(), k.owner_org_id)
    };
    BookingRow {
        id: b.record.id,
        version: b.record.version,
        instrument: (
            b.instrument.clone(),
            format!("/instruments/{}", k.listing_id),
        ),
        party: (party, format!("/orgs/{party_id}")),
        when: when(l, &k.slot),
        price: price_text(l, k.slot.price),
        voucher: b
            .voucher_number
            .as_ref()
            .map(|n| format!("{n} · {}", k.voucher_amount.display()))
            .unwrap_or_default(),
        purpose: k.purpose.clone(),
        status: status_badge(l, k.status),
        reason: k.reason.clone().unwrap_or_default(),
        may_decide: b.may_decide,
        may_cancel: b.may_cancel,
        error: None,
    }
}

#[derive(Template)]
#[template(path = "bookings.html")]
struct BookingsPage<'a> {
    ctx: &'a Ctx,
    incoming: bool,
    heading: &'static str,
    rows: Vec<BookingRow>,
    total: i64,
    filters: Vec<(String, &'static str, bool)>,
}

async fn render_bookings(
    state: &AppState,
    v: &Visitor,
    incoming: bool,
    status: Option<BookingStatus>,
    failed: Option<(i64, String)>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let page = Page {
        number: 1,
        size: BOOKINGS_PER_PAGE,
    };
    let records = if incoming {
        bookings::incoming(&state.store, &user, status, page).await
    } else {
        bookings::mine(&state.store, &user, page).await
    }
    .map_err(|e| v.error(e))?;
    let views = bookings::views(&state.store, &user, records.items)
        .await
        .map_err(|e| v.error(e))?;
    let mut rows: Vec<BookingRow> = views.iter().map(|b| row(l, b, incoming)).collect();
    let code = if let Some((id, m)) = failed {
        for r in rows.iter_mut().filter(|r| r.id == id) {
            r.error = Some(m.clone());
        }
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut filters = vec![(
        "/bookings/manage".to_string(),
        l.t("全部", "All"),
        status.is_none(),
    )];
    for s in BookingStatus::ALL {
        filters.push((
            format!("/bookings/manage?status={}", s.as_str()),
            l.t(s.label_zh(), s.label_en()),
            status == Some(*s),
        ));
    }
    let mut r = html(&BookingsPage {
        ctx: &v.ctx,
        incoming,
        heading: if incoming {
            l.t("预约管理", "Booking management")
        } else {
            l.t("我的预约", "My bookings")
        },
        rows,
        total: records.total,
        filters,
    });
    *r.status_mut() = code;
    Ok(r)
}

/// `GET /bookings`: 我的预约, the bookings the visitor's organisation made.
pub async fn mine(State(state): State<AppState>, v: Visitor) -> PageResult<Response> {
    render_bookings(&state, &v, false, None, None).await
}

/// The status filter of 预约管理.
#[derive(Debug, Default, Deserialize)]
pub struct StatusQuery {
    /// A status code, or nothing for all.
    pub status: Option<String>,
}

/// `GET /bookings/manage`: 预约管理, the bookings of the visitor's organisation's instruments.
pub async fn manage(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<StatusQuery>,
) -> PageResult<Response> {
    let status = q.status.as_deref().and_then(BookingStatus::parse);
    render_bookings(&state, &v, true, status, None).await
}

/// `POST /bookings/{id}/act`: `action` = confirm, decline (with `reason`) or cancel.
pub async fn act(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let version = form.text("version").trim().parse::<i64>().unwrap_or(0);
    let action = match form.get("action") {
        Some("confirm") => BookingAction::Confirm,
        Some("decline") => BookingAction::Decline {
            reason: form.text("reason"),
        },
        Some("cancel") => BookingAction::Cancel,
        _ => {
            return Err(v.error(AppError::Invalid(Invalid::field("action", Rule::Choose))));
        }
    };
    let incoming = !action.by_requester();
    let back = if incoming {
        "/bookings/manage"
    } else {
        "/bookings"
    };
    match bookings::act(&state.store, &user, id, version, action).await {
        Ok(_) => Ok(see_other(&format!("{back}#booking-{id}"))),
        Err(AppError::Invalid(Invalid(errors))) => {
            let m = errors
                .iter()
                .map(|e| said(v.ctx.l, e))
                .collect::<Vec<_>>()
                .join("；");
            render_bookings(&state, &v, incoming, None, Some((id, m))).await
        }
        Err(AppError::Conflict(m)) => {
            let mut r = render_bookings(&state, &v, incoming, None, Some((id, m))).await?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(v.error(e)),
    }
}
