//! Deal pages, the technology manager's workbench: `/deals` (a board by stage and a table,
//! filtered; the accepted contact requests no deal follows yet, each one click from a deal; a
//! form for a deal by hand; the forecast of the year and, for staff, the stage probabilities),
//! `/deals/{id}` (parties, listings, managers, stage and status with their history, next step,
//! expectation, the contracts recorded from it, and the forms that change it), and the posts
//! that open a deal from a contact request or from a match on a listing's page.
//!
//! Who sees and changes what is [`qiao_app::deals`]'s: the board and every deal page go
//! through it, so a deal the visitor may not see is a 404 here as in the API. Every change form
//! carries the version the visitor saw; a change made meanwhile by someone else is said in a
//! sentence above the form, not answered with an error page.

use std::collections::HashMap;
use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use qiao_domain::{
    Account, DealAction, DealError, DealStage, DealStatus, FieldError, Format, Invalid,
    ManagerShare, NextStep, Origin, Record, Role, Rule, StageProbabilities, StatusKind, TechField,
    TerminationReason,
};
use qiao_store::{DealFilter, DealRecord};
use serde::Deserialize;

use super::amounts::{self, parse_fen, yuan};
use super::form::{FormData, Input, Shown, Spec, shown_specs};
use super::{Ctx, Lang, PageError, PageResult, Visitor, cst_time, html, messages, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::{AppError, deals};

/// Cards a board column shows; the table view lists them all.
const COLUMN_CARDS: usize = 50;
/// Rows of one page of the table view.
const TABLE_ROWS: usize = 50;
/// Deals and leads the workspace shows at its top.
const WORKBENCH: usize = 10;
/// Managers the form lets a deal have (the domain allows ten; four covers real deals).
const MANAGER_ROWS: usize = 4;

/// A select's choices: (code, Chinese, English).
type Choice = (&'static str, &'static str, &'static str);

/// The registry's technology fields, with "not set" first.
static FIELD_CHOICES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
    let mut v = vec![("", "（未定）", "(not set)")];
    v.extend(
        TechField::ALL
            .iter()
            .map(|f| (f.as_str(), f.label_zh(), f.label_en())),
    );
    v
});

/// Whether `user` is staff or an admin (they see every deal and set the probabilities).
fn is_staff(user: &Account) -> bool {
    matches!(user.role, Role::Admin | Role::CommissionStaff)
}

/// A stage in the page's language.
fn stage_label(l: Lang, s: DealStage) -> &'static str {
    l.t(s.label_zh(), s.label_en())
}

/// A status in the page's language, with its badge colour.
fn status_badge(l: Lang, s: StatusKind) -> (&'static str, &'static str) {
    let class = match s {
        StatusKind::Open => "",
        StatusKind::Paused => "warn",
        StatusKind::Terminated => "bad",
        StatusKind::Won => "ok",
    };
    (l.t(s.label_zh(), s.label_en()), class)
}

/// The names a page shows for the organisations and accounts its deals name, each looked up
/// once.
#[derive(Default)]
pub(crate) struct Names {
    orgs: HashMap<i64, String>,
    people: HashMap<i64, Account>,
}

impl Names {
    /// The names of `orgs` and `people` (ids may repeat; each is read once).
    pub(crate) async fn of(
        state: &AppState,
        orgs: impl IntoIterator<Item = i64>,
        people: impl IntoIterator<Item = i64>,
    ) -> qiao_store::Result<Names> {
        let mut names = Names::default();
        for id in orgs {
            if names.orgs.contains_key(&id) {
                continue;
            }
            match state.store.get_org(id).await {
                Ok(o) => {
                    names.orgs.insert(id, o.org.name);
                }
                Err(qiao_store::StoreError::NotFound { .. }) => {
                    names.orgs.insert(id, format!("#{id}"));
                }
                Err(e) => return Err(e),
            }
        }
        for id in people {
            if names.people.contains_key(&id) {
                continue;
            }
            match state.store.get_account(id).await {
                Ok(a) => {
                    names.people.insert(id, a);
                }
                Err(qiao_store::StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(names)
    }

    /// An organisation's name.
    pub(crate) fn org(&self, id: i64) -> String {
        self.orgs
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// A person's display name.
    pub(crate) fn person(&self, id: i64) -> String {
        self.people
            .get(&id)
            .map_or_else(|| format!("#{id}"), |a| a.display_name.clone())
    }

    /// A person's username (what the managers form takes).
    fn username(&self, id: i64) -> String {
        self.people
            .get(&id)
            .map_or_else(String::new, |a| a.username.clone())
    }
}

/// The organisations and people a set of deals names.
fn named_in<'a>(deals: impl IntoIterator<Item = &'a DealRecord> + Clone) -> (Vec<i64>, Vec<i64>) {
    let orgs = deals
        .clone()
        .into_iter()
        .flat_map(|d| [d.deal.seller_org_id, d.deal.buyer_org_id])
        .flatten()
        .collect();
    let people = deals
        .into_iter()
        .flat_map(|d| d.deal.managers.iter().map(|m| m.account_id))
        .collect();
    (orgs, people)
}

/// A deal as a card of the board, a row of the table or a line of the workspace.
pub struct Card {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) stage: &'static str,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) parties: String,
    pub(crate) managers: String,
    pub(crate) expected: String,
    pub(crate) next_step: String,
    pub(crate) due: String,
    pub(crate) overdue: bool,
    pub(crate) district: String,
    pub(crate) field: String,
}

fn card(l: Lang, r: &DealRecord, names: &Names, today: NaiveDate) -> Card {
    let d = &r.deal;
    let (status, status_class) = status_badge(l, d.status.kind());
    let side =
        |o: Option<i64>| o.map_or_else(|| l.t("待定", "to be found").to_string(), |o| names.org(o));
    Card {
        id: r.id,
        title: d.title.clone(),
        stage: stage_label(l, d.stage),
        status,
        status_class,
        parties: format!("{} → {}", side(d.seller_org_id), side(d.buyer_org_id)),
        managers: d
            .managers
            .iter()
            .map(|m| names.person(m.account_id))
            .collect::<Vec<_>>()
            .join(l.t("、", ", ")),
        expected: d.expected_amount_fen.map(yuan).unwrap_or_default(),
        next_step: d
            .next_step
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default(),
        due: d
            .next_step
            .as_ref()
            .map(|s| s.due_on.to_string())
            .unwrap_or_default(),
        overdue: d.is_overdue(today),
        district: d.district.clone().unwrap_or_default(),
        field: d
            .field
            .map(|f| l.t(f.label_zh(), f.label_en()).to_string())
            .unwrap_or_default(),
    }
}

/// The order cards stand in: overdue first, then by due date (none last), newest first.
fn by_urgency(today: NaiveDate) -> impl FnMut(&&DealRecord, &&DealRecord) -> std::cmp::Ordering {
    move |a, b| {
        let due = |d: &DealRecord| d.deal.next_step.as_ref().map(|s| s.due_on);
        b.deal
            .is_overdue(today)
            .cmp(&a.deal.is_overdue(today))
            .then_with(|| match (due(a), due(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| b.id.cmp(&a.id))
    }
}

/// One stage of the board.
struct BoardColumn {
    code: &'static str,
    label: &'static str,
    count: usize,
    cards: Vec<Card>,
}

/// An accepted contact request no deal follows yet.
pub struct LeadRow {
    pub(crate) contact_request_id: i64,
    pub(crate) listing_href: String,
    pub(crate) listing_title: String,
    pub(crate) accepted_at: String,
}

/// The leads of `user` as rows, at most `limit` (0: all).
async fn lead_rows(
    state: &AppState,
    user: &Account,
    limit: usize,
) -> Result<(Vec<LeadRow>, usize), AppError> {
    let leads = deals::leads(&state.store, user).await?;
    let total = leads.len();
    let ids: Vec<i64> = leads.iter().map(|l| l.listing_id).collect();
    let listings = super::listings_by_id(state, &ids).await?;
    let take = if limit == 0 { total } else { limit };
    Ok((
        leads
            .into_iter()
            .take(take)
            .map(|lead| LeadRow {
                contact_request_id: lead.contact_request_id,
                listing_href: listings.get(&lead.listing_id).map_or_else(
                    || "#".to_string(),
                    |li| format!("/{}/{}", li.kind().plural(), lead.listing_id),
                ),
                listing_title: lead.listing_title,
                accepted_at: cst_time(lead.accepted_at),
            })
            .collect(),
        total,
    ))
}

/// What the workspace of a technology manager (or staff) shows first: the deals they see,
/// most urgent first, and the leads waiting for a deal.
pub struct Workbench {
    /// The most urgent deals.
    pub deals: Vec<Card>,
    /// How many deals there are in all.
    pub deal_total: usize,
    /// The newest leads.
    pub leads: Vec<LeadRow>,
    /// How many leads there are in all.
    pub lead_total: usize,
    /// How many deals wait for a manager to claim them.
    pub unclaimed: usize,
}

/// The workbench of `user`, or `None` for those who do not open deals.
pub async fn workbench(
    state: &AppState,
    user: &Account,
    l: Lang,
) -> Result<Option<Workbench>, AppError> {
    if !deals::may_open(user) {
        return Ok(None);
    }
    let today = state.today();
    let mut all = deals::board(&state.store, user, DealFilter::default()).await?;
    // Only deals still moving need the manager's attention.
    all.retain(|d| {
        !matches!(d.deal.status, DealStatus::Terminated { .. }) && d.deal.stage != DealStage::Done
    });
    let deal_total = all.len();
    let mut order: Vec<&DealRecord> = all.iter().collect();
    order.sort_by(by_urgency(today));
    order.truncate(WORKBENCH);
    let (orgs, people) = named_in(order.iter().copied());
    let names = Names::of(state, orgs, people).await?;
    let deals = order.iter().map(|d| card(l, d, &names, today)).collect();
    let (leads, lead_total) = lead_rows(state, user, WORKBENCH).await?;
    let unclaimed = deals::unclaimed(&state.store, user).await?.len();
    Ok(Some(Workbench {
        deals,
        deal_total,
        leads,
        lead_total,
        unclaimed,
    }))
}

/// `?view=&manager=&district=&field=&stage=&status=&page=` of `/deals`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct BoardQuery {
    view: Option<String>,
    manager: Option<String>,
    district: Option<String>,
    field: Option<String>,
    stage: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

impl BoardQuery {
    fn text(v: &Option<String>) -> String {
        v.as_deref().unwrap_or("").trim().to_string()
    }

    /// The filter asked for; values that name nothing are left out (a hand-edited URL).
    fn filter(&self) -> DealFilter {
        let code = |v: &Option<String>, ok: fn(&str) -> bool| {
            let t = Self::text(v);
            ok(&t).then_some(t)
        };
        DealFilter {
            manager_id: Self::text(&self.manager).parse().ok(),
            district: Some(Self::text(&self.district)).filter(|d| !d.is_empty()),
            field: code(&self.field, |c| TechField::parse(c).is_some()),
            stage: code(&self.stage, |c| DealStage::parse(c).is_some()),
            status: code(&self.status, |c| StatusKind::parse(c).is_some()),
            ..DealFilter::default()
        }
    }

    /// This query with the view (and the page) changed, as a link.
    fn href(&self, view: &str, page: usize) -> String {
        let mut parts = vec![format!("view={view}")];
        for (k, v) in [
            ("manager", &self.manager),
            ("district", &self.district),
            ("field", &self.field),
            ("stage", &self.stage),
            ("status", &self.status),
        ] {
            let t = Self::text(v);
            if !t.is_empty() {
                parts.push(format!("{k}={}", urlencoding::encode(&t)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("/deals?{}", parts.join("&"))
    }
}

/// A select of the filter bar: (value, label, selected).
type Options = Vec<(String, String, bool)>;

fn options<T: Copy>(
    l: Lang,
    all: &[T],
    chosen: &str,
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Options {
    all.iter()
        .map(|&x| {
            (
                code(x).to_string(),
                l.t(zh(x), en(x)).to_string(),
                code(x) == chosen,
            )
        })
        .collect()
}

/// The forecast as the page says it.
struct ForecastView {
    year: i32,
    expected: String,
    pipeline: String,
    deals: usize,
}

/// One stage probability in the staff's form.
struct ProbabilityRow {
    name: String,
    label: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "deals.html")]
struct BoardPage<'a> {
    ctx: &'a Ctx,
    table: bool,
    board_href: String,
    table_href: String,
    district: String,
    managers: Options,
    fields: Options,
    stages: Options,
    statuses: Options,
    columns: Vec<BoardColumn>,
    rows: Vec<Card>,
    total: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    may_open: bool,
    leads: Vec<LeadRow>,
    /// Deals without a manager, with the version a claim names.
    unclaimed: Vec<(Card, i64)>,
    /// Whether the viewer may claim them (technology managers; staff name managers instead).
    may_claim: bool,
    new_deal: Vec<Shown>,
    new_deal_general: Vec<String>,
    new_deal_open: bool,
    forecast: Option<ForecastView>,
    probabilities: Vec<ProbabilityRow>,
    staff: bool,
    error: Option<String>,
}

/// What a re-rendered `/deals` carries besides the board: a refused form and its values.
#[derive(Default)]
struct Refused {
    new_deal: Option<(HashMap<String, String>, Vec<FieldError>)>,
    probabilities: Option<(HashMap<String, String>, Vec<FieldError>)>,
    error: Option<String>,
}

fn new_deal_specs() -> [Spec; 9] {
    [
        Spec::required("title", "交易名称", "Title", Input::Text),
        Spec::required(
            "listing_ids",
            "关联条目（编号或页面链接，多个用逗号分隔）",
            "Listings (ids or page links, separated by commas)",
            Input::Text,
        ),
        Spec::optional(
            "seller_org_id",
            "卖方机构（机构编号或统一社会信用代码）",
            "Seller (organisation id or 统一社会信用代码)",
            Input::Text,
        ),
        Spec::optional(
            "buyer_org_id",
            "买方机构（机构编号或统一社会信用代码）",
            "Buyer (organisation id or 统一社会信用代码)",
            Input::Text,
        ),
        Spec::optional(
            "district",
            "所属区（不填则取卖方所在区）",
            "District (the seller's when left empty)",
            Input::Text,
        ),
        Spec::optional(
            "field",
            "技术领域",
            "Technology field",
            Input::Select(FIELD_CHOICES.as_slice()),
        ),
        Spec::optional(
            "expected_amount_fen",
            "预计成交额（元）",
            "Expected amount (元)",
            Input::Yuan,
        ),
        Spec::optional(
            "expected_close_on",
            "预计签约日期",
            "Expected signing date",
            Input::Date,
        ),
        Spec::optional("note", "备注", "Note", Input::Area),
    ]
}

/// `GET /deals`
pub async fn board(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<BoardQuery>,
) -> PageResult<Response> {
    render_board(&state, &v, &q, Refused::default()).await
}

async fn render_board(
    state: &AppState,
    v: &Visitor,
    q: &BoardQuery,
    refused: Refused,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let today = state.today();
    let records = deals::board(&state.store, &user, q.filter())
        .await
        .map_err(|e| v.error(e))?;
    let (orgs, people) = named_in(records.iter());
    let names = Names::of(state, orgs, people)
        .await
        .map_err(|e| v.error(e))?;
    let staff = is_staff(&user);
    let may_open = deals::may_open(&user);
    let table = BoardQuery::text(&q.view) == "table";

    let mut sorted: Vec<&DealRecord> = records.iter().collect();
    sorted.sort_by(by_urgency(today));
    let columns = DealStage::ALL
        .iter()
        .map(|&stage| {
            let here: Vec<&&DealRecord> = sorted.iter().filter(|d| d.deal.stage == stage).collect();
            BoardColumn {
                code: stage.as_str(),
                label: stage_label(l, stage),
                count: here.len(),
                cards: if table {
                    Vec::new()
                } else {
                    here.iter()
                        .take(COLUMN_CARDS)
                        .map(|d| card(l, d, &names, today))
                        .collect()
                },
            }
        })
        .collect();
    let page = BoardQuery::text(&q.page)
        .parse::<usize>()
        .unwrap_or(1)
        .max(1);
    let rows = if table {
        sorted
            .iter()
            .skip((page - 1) * TABLE_ROWS)
            .take(TABLE_ROWS)
            .map(|d| card(l, d, &names, today))
            .collect()
    } else {
        Vec::new()
    };
    let total = records.len();
    let (prev_href, next_href) = if table {
        (
            (page > 1).then(|| q.href("table", page - 1)),
            (page * TABLE_ROWS < total).then(|| q.href("table", page + 1)),
        )
    } else {
        (None, None)
    };

    // Staff filter by manager: the managers of the deals they see.
    let chosen_manager = BoardQuery::text(&q.manager);
    let mut managers: Options = Vec::new();
    if staff {
        let mut seen: Vec<i64> = records
            .iter()
            .flat_map(|d| d.deal.managers.iter().map(|m| m.account_id))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        managers = seen
            .into_iter()
            .map(|id| {
                (
                    id.to_string(),
                    names.person(id),
                    id.to_string() == chosen_manager,
                )
            })
            .collect();
    }

    let leads = if may_open {
        lead_rows(state, &user, 0).await.map_err(|e| v.error(e))?.0
    } else {
        Vec::new()
    };
    let unclaimed = if may_open {
        let records = deals::unclaimed(&state.store, &user)
            .await
            .map_err(|e| v.error(e))?;
        let (orgs, people) = named_in(records.iter());
        let names = Names::of(state, orgs, people)
            .await
            .map_err(|e| v.error(e))?;
        let today = state.today();
        records
            .iter()
            .map(|r| (card(l, r, &names, today), r.version))
            .collect()
    } else {
        Vec::new()
    };

    let district = BoardQuery::text(&q.district);
    let (forecast, probabilities) = if may_open {
        let year = deals::this_year();
        let (f, p) = deals::forecast(
            &state.store,
            &user,
            Some(district.as_str()).filter(|d| !d.is_empty()),
            year,
        )
        .await
        .map_err(|e| v.error(e))?;
        (
            Some(ForecastView {
                year,
                expected: yuan(f.expected_fen),
                pipeline: yuan(f.pipeline_fen),
                deals: f.deals,
            }),
            if staff {
                probability_rows(l, &p, refused.probabilities.as_ref())
            } else {
                Vec::new()
            },
        )
    } else {
        (None, Vec::new())
    };

    let specs = new_deal_specs();
    let (values, errors) = refused.new_deal.clone().unwrap_or_default();
    let new_deal_general = errors
        .iter()
        .filter(|e| !specs.iter().any(|s| s.name == e.field))
        .map(|e| messages::labelled(l, e))
        .collect();
    let status =
        if refused.new_deal.is_some() || refused.probabilities.is_some() || refused.error.is_some()
        {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
    let page = BoardPage {
        ctx: &v.ctx,
        table,
        board_href: q.href("board", 1),
        table_href: q.href("table", 1),
        district,
        managers,
        fields: options(
            l,
            TechField::ALL,
            &BoardQuery::text(&q.field),
            TechField::as_str,
            TechField::label_zh,
            TechField::label_en,
        ),
        stages: options(
            l,
            DealStage::ALL,
            &BoardQuery::text(&q.stage),
            DealStage::as_str,
            DealStage::label_zh,
            DealStage::label_en,
        ),
        statuses: options(
            l,
            StatusKind::ALL,
            &BoardQuery::text(&q.status),
            StatusKind::as_str,
            StatusKind::label_zh,
            StatusKind::label_en,
        ),
        columns,
        rows,
        total,
        prev_href,
        next_href,
        may_open,
        leads,
        unclaimed,
        may_claim: user.role == Role::TechnologyManager,
        new_deal: shown_specs(&specs, l, &values, &errors),
        new_deal_general,
        new_deal_open: refused.new_deal.is_some(),
        forecast,
        probabilities,
        staff,
        error: refused.error,
    };
    Ok((status, html(&page)).into_response())
}

fn probability_rows(
    l: Lang,
    p: &StageProbabilities,
    refused: Option<&(HashMap<String, String>, Vec<FieldError>)>,
) -> Vec<ProbabilityRow> {
    DealStage::ALL
        .iter()
        .map(|&stage| {
            let name = format!("{}_bp", stage.as_str());
            let value = match refused {
                Some((typed, _)) => typed.get(&name).cloned().unwrap_or_default(),
                None => amounts::percent(p.get(stage)),
            };
            let error = refused.and_then(|(_, errors)| {
                errors
                    .iter()
                    .filter(|e| e.field == name)
                    .map(|e| messages::said(l, e))
                    .reduce(|a, b| format!("{a}；{b}"))
            });
            ProbabilityRow {
                label: stage_label(l, stage),
                name,
                value,
                error,
            }
        })
        .collect()
}

/// A listing named by its id or its page's link (`/demands/12`, `http://…/achievements/3`).
fn listing_ref(token: &str) -> Option<i64> {
    let last = token.trim_end_matches('/').rsplit('/').next()?;
    last.parse::<i64>().ok().filter(|id| *id > 0)
}

/// An organisation named by its id or its 统一社会信用代码: its id, or the field's error.
async fn org_ref(
    state: &AppState,
    field: &'static str,
    raw: &str,
) -> Result<Option<i64>, FieldError> {
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() < 18 && raw.bytes().all(|b| b.is_ascii_digit()) {
        let id: i64 = raw.parse().map_err(|_| {
            FieldError::new(
                field,
                Rule::BadFormat {
                    found: raw.into(),
                    format: Format::RecordId,
                },
            )
        })?;
        return match state.store.get_org(id).await {
            Ok(_) => Ok(Some(id)),
            Err(_) => Err(FieldError::new(
                field,
                Rule::NotFound {
                    record: Record::Organisation,
                    id,
                },
            )),
        };
    }
    let code = qiao_domain::codes::parse_credit_code(raw)
        .map_err(|e| FieldError::new(field, e.rule(raw)))?;
    match state.store.org_by_credit_code(&code).await {
        Ok(Some(o)) => Ok(Some(o.id)),
        _ => Err(FieldError::new(
            field,
            Rule::NoSuchOrganisation { credit_code: code },
        )),
    }
}

/// An amount typed in 元 in `field`, as 分, or its error; empty is `None`.
fn fen_of(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    if raw.is_empty() {
        return Ok(None);
    }
    parse_fen(raw).map(Some).ok_or_else(|| {
        FieldError::new(
            field,
            Rule::BadFormat {
                found: raw.into(),
                format: Format::Amount,
            },
        )
    })
}

/// The by-hand form as a new deal, or every field it gets wrong.
async fn parse_new_deal(state: &AppState, form: &FormData) -> Result<deals::NewDeal, Invalid> {
    let mut errors = Vec::new();
    let title = form.text("title");
    if title.is_empty() {
        errors.push(FieldError::new("title", Rule::Blank));
    }
    let raw = form.text("listing_ids");
    let mut listing_ids = Vec::new();
    for token in raw
        .split([',', '，', '、', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match listing_ref(token) {
            Some(id) if !listing_ids.contains(&id) => listing_ids.push(id),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "listing_ids",
                Rule::BadFormat {
                    found: token.into(),
                    format: Format::RecordId,
                },
            )),
        }
    }
    if raw.is_empty() {
        errors.push(FieldError::new("listing_ids", Rule::Blank));
    } else if !listing_ids.is_empty() {
        match state.store.get_listings(&listing_ids).await {
            Ok(found) => {
                for id in &listing_ids {
                    if !found.iter().any(|l| l.id == *id) {
                        errors.push(FieldError::new(
                            "listing_ids",
                            Rule::NotFound {
                                record: Record::Listing,
                                id: *id,
                            },
                        ));
                    }
                }
            }
            Err(_) => errors.push(FieldError::new("listing_ids", Rule::Required)),
        }
    }
    let mut side = |field: &'static str, r: Result<Option<i64>, FieldError>| match r {
        Ok(id) => id,
        Err(e) => {
            errors.push(e);
            let _ = field;
            None
        }
    };
    let seller = side(
        "seller_org_id",
        org_ref(state, "seller_org_id", &form.text("seller_org_id")).await,
    );
    let buyer = side(
        "buyer_org_id",
        org_ref(state, "buyer_org_id", &form.text("buyer_org_id")).await,
    );
    let field_code = form.text("field");
    let field = if field_code.is_empty() {
        None
    } else {
        match TechField::parse(&field_code) {
            Some(f) => Some(f),
            None => {
                errors.push(FieldError::new(
                    "field",
                    Rule::NotOneOf {
                        found: field_code,
                        allowed: TechField::ALL.iter().map(|f| f.as_str().into()).collect(),
                    },
                ));
                None
            }
        }
    };
    let amount =
        fen_of("expected_amount_fen", &form.text("expected_amount_fen")).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    let close = super::form::date_of("expected_close_on", &form.text("expected_close_on"))
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    if !errors.is_empty() {
        return Err(Invalid(errors));
    }
    let note = form.text("note");
    Ok(deals::NewDeal {
        title,
        listing_ids,
        seller_org_id: seller,
        buyer_org_id: buyer,
        managers: Vec::new(),
        district: Some(form.text("district")).filter(|d| !d.is_empty()),
        field,
        expected_amount_fen: amount,
        expected_close_on: close,
        note: (!note.is_empty()).then_some(note),
    })
}

/// The account of a page that opens deals, or the "not allowed" page.
fn opener(v: &Visitor) -> PageResult<Account> {
    let user = v.account()?.clone();
    if deals::may_open(&user) {
        Ok(user)
    } else {
        Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有技术经理人和科委工作人员可以发起交易。",
            "Deals are opened by technology managers (技术经理人) and staff.",
        ))))
    }
}

/// `POST /deals/new`: a deal by hand.
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = opener(&v)?;
    let refused = |errors: Vec<FieldError>| Refused {
        new_deal: Some((form.typed(), errors)),
        ..Refused::default()
    };
    let new = match parse_new_deal(&state, &form).await {
        Ok(new) => new,
        Err(Invalid(errors)) => {
            return render_board(&state, &v, &BoardQuery::default(), refused(errors)).await;
        }
    };
    match deals::open(&state.store, &user, new).await {
        Ok(r) => Ok(see_other(&format!("/deals/{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => {
            render_board(&state, &v, &BoardQuery::default(), refused(errors)).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /deals/probabilities`: staff set the stage probabilities (in %).
pub async fn set_probabilities(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let mut errors = Vec::new();
    let mut bp = [0u32; 8];
    for (i, stage) in DealStage::ALL.iter().enumerate() {
        let name = format!("{}_bp", stage.as_str());
        let raw = form.text(&name);
        match amounts::parse_bp(&raw) {
            Some(x) => bp[i] = x,
            None => errors.push(FieldError::new(
                name,
                Rule::BadFormat {
                    found: raw,
                    format: Format::Number,
                },
            )),
        }
    }
    let p = StageProbabilities {
        lead_bp: bp[0],
        contact_bp: bp[1],
        due_diligence_bp: bp[2],
        negotiation_bp: bp[3],
        signing_bp: bp[4],
        registration_bp: bp[5],
        performance_bp: bp[6],
        done_bp: bp[7],
    };
    if errors.is_empty()
        && let Err(Invalid(e)) = p.validate()
    {
        errors = e;
    }
    if errors.is_empty() {
        match deals::set_probabilities(&state.store, &user, &p).await {
            Ok(()) => return Ok(see_other("/deals#forecast")),
            Err(AppError::Invalid(Invalid(e))) => errors = e,
            Err(e) => return Err(v.error(e)),
        }
    }
    let refused = Refused {
        probabilities: Some((form.typed(), errors)),
        ..Refused::default()
    };
    render_board(&state, &v, &BoardQuery::default(), refused).await
}

/// `/deals` again with `error` above it: a one-click step that did nothing, said why.
async fn board_refused(state: &AppState, v: &Visitor, error: String) -> PageResult<Response> {
    let refused = Refused {
        error: Some(error),
        ..Refused::default()
    };
    render_board(state, v, &BoardQuery::default(), refused).await
}

/// `POST /deals/from-contact/{id}`: one click from a lead to a deal at 对接洽谈.
pub async fn from_contact(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = opener(&v)?;
    let l = v.ctx.l;
    let Ok(id) = id.parse::<i64>() else {
        return Err(not_found(&v));
    };
    match deals::open_from_contact(&state.store, &user, id).await {
        Ok(r) => Ok(see_other(&format!("/deals/{}", r.id))),
        Err(AppError::Conflict(m)) => {
            let said = l.t(
                "无法从该对接发起交易（已发起过或尚未同意）：",
                "No deal opened from this request: ",
            );
            board_refused(&state, &v, format!("{said}{m}")).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /deals/{id}/claim` (`version`): a technology manager takes on a deal without a
/// manager; to the deal's page. A deal claimed by another meanwhile (or not claimable at all)
/// re-renders `/deals` saying it was not claimed.
pub async fn claim(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = opener(&v)?;
    let l = v.ctx.l;
    let (Ok(id), Ok(version)) = (id.parse::<i64>(), form.text("version").parse::<i64>()) else {
        return Err(not_found(&v));
    };
    match deals::claim(&state.store, &user, id, version).await {
        Ok(r) => Ok(see_other(&format!("/deals/{}", r.id))),
        // Claimed by another meanwhile reads as a deal this manager may not see: said as a
        // possibility beside the board, which is all a manager who saw it listed needs.
        Err(e @ (AppError::Conflict(_) | AppError::NotFound(_))) => {
            let said = l
                .t(
                    "未能认领：可能已被其他技术经理人认领，或已结束",
                    "Not claimed: another manager may have claimed it, or it has ended",
                )
                .to_string();
            let error = match e {
                AppError::Conflict(m) => format!("{said} ({m})"),
                _ => said,
            };
            board_refused(&state, &v, error).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /deals/from-match` (`listing`, `matched`): one click from a match on a listing's page.
pub async fn from_match(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = opener(&v)?;
    let (Ok(listing), Ok(matched)) = (
        form.text("listing").parse::<i64>(),
        form.text("matched").parse::<i64>(),
    ) else {
        return Err(v.error(ApiError::from(Invalid::field(
            "matched",
            Rule::BadFormat {
                found: form.text("matched"),
                format: Format::RecordId,
            },
        ))));
    };
    let r = deals::open_from_match(&state.store, &user, listing, matched)
        .await
        .map_err(|e| v.error(e))?;
    Ok(see_other(&format!("/deals/{}", r.id)))
}

fn not_found(v: &Visitor) -> PageError {
    v.error(ApiError::new(
        Code::NotFound,
        v.ctx.l.t(
            "该交易不存在，或您无权查看。",
            "No such deal, or not one you may see.",
        ),
    ))
}

/// One change in a deal's history.
struct EventRow {
    at: String,
    who: String,
    action: &'static str,
    stage: String,
    status: String,
    note: String,
}

/// A contract recorded from the deal.
struct ContractLink {
    href: String,
    name: String,
    amount: String,
    state: &'static str,
}

/// A change that was refused, said above its form.
struct ActionError {
    action: String,
    message: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    version: i64,
    title: String,
    stage: &'static str,
    status: &'static str,
    status_class: &'static str,
    termination: String,
    pipeline: Vec<(&'static str, &'static str)>,
    origin: String,
    origin_href: String,
    seller: Option<(String, String)>,
    buyer: Option<(String, String)>,
    listings: Vec<(String, String)>,
    managers: Vec<(String, String)>,
    district: String,
    field: String,
    next_step: String,
    due: String,
    overdue: bool,
    expected: String,
    close_on: String,
    history: Vec<EventRow>,
    contracts: Vec<ContractLink>,
    may_change: bool,
    moves: Vec<(&'static str, &'static str)>,
    can_pause: bool,
    can_resume: bool,
    can_terminate: bool,
    can_win: bool,
    can_edit: bool,
    reasons: Vec<(&'static str, &'static str)>,
    values: HashMap<String, String>,
    error: Option<ActionError>,
}

impl DealPage<'_> {
    /// The value a form's input shows: what was typed into a refused form, else the deal's.
    fn value_of(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    /// The value of row `i`'s input `name` in the managers form.
    fn row_value(&self, name: &str, i: usize) -> &str {
        self.value_of(&format!("set_managers.{name}_{i}"))
    }

    /// The message of a refused `action`, shown in its form.
    fn error_for(&self, action: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.action == action)
            .map(|e| e.message.as_str())
    }
}

/// `GET /deals/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    render_deal(&state, &v, &user, id, None, None).await
}

/// The deal page, with a refused change said above its form (and the values it carried).
async fn render_deal(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    id: i64,
    error: Option<(ActionError, StatusCode)>,
    typed: Option<&FormData>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let view = match deals::view(&state.store, user, id).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Err(not_found(v)),
        Err(e) => return Err(v.error(e)),
    };
    let today = state.today();
    let r = &view.record;
    let d = &r.deal;
    let (orgs, mut people) = named_in(std::iter::once(r));
    people.extend(view.events.iter().map(|e| e.event.actor_id));
    let names = Names::of(state, orgs, people)
        .await
        .map_err(|e| v.error(e))?;
    let listings = super::listings_by_id(state, &d.listing_ids)
        .await
        .map_err(|e| v.error(e))?;
    let (status, status_class) = status_badge(l, d.status.kind());
    let kind = d.status.kind();
    let open = kind == StatusKind::Open;
    let moves: Vec<(&'static str, &'static str)> = DealStage::ALL
        .iter()
        .copied()
        .filter(|&s| match kind {
            StatusKind::Open => s <= DealStage::Signing && s != d.stage,
            StatusKind::Won => s > d.stage,
            _ => false,
        })
        .map(|s| (s.as_str(), stage_label(l, s)))
        .collect();
    let (origin, origin_href) = match d.origin {
        Origin::ContactRequest { contact_request_id } => (
            format!(
                "{} #{contact_request_id}",
                l.t("已同意的联系申请", "accepted contact request")
            ),
            String::new(),
        ),
        Origin::Match {
            listing_id,
            matched_listing_id,
        } => (
            format!(
                "{} #{listing_id} ↔ #{matched_listing_id}",
                l.t("条目页上的匹配", "a match on a listing's page")
            ),
            listings
                .get(&listing_id)
                .map(|li| format!("/{}/{listing_id}", li.kind().plural()))
                .unwrap_or_default(),
        ),
        Origin::ByHand => (
            l.t("手工创建", "entered by hand").to_string(),
            String::new(),
        ),
        Origin::Challenge {
            listing_id,
            application_id,
        } => (
            format!(
                "{} #{listing_id}，{} #{application_id}",
                l.t("揭榜挂帅", "challenge"),
                l.t("获选申请", "awarded application")
            ),
            format!("/applications/{application_id}"),
        ),
    };
    let mut values = HashMap::new();
    if let Some(s) = &d.next_step {
        values.insert("set_next_step.text".to_string(), s.text.clone());
        values.insert("set_next_step.due_on".to_string(), s.due_on.to_string());
    }
    if let Some(a) = d.expected_amount_fen {
        values.insert("set_expectation.amount".into(), amounts::yuan_number(a));
    }
    if let Some(c) = d.expected_close_on {
        values.insert("set_expectation.close_on".into(), c.to_string());
    }
    for (i, m) in d.managers.iter().enumerate() {
        values.insert(
            format!("set_managers.manager_{i}"),
            names.username(m.account_id),
        );
        values.insert(
            format!("set_managers.share_{i}"),
            amounts::percent(m.share_bp),
        );
    }
    let (error, status_code) = match error {
        Some((e, code)) => (Some(e), code),
        None => (None, StatusCode::OK),
    };
    // A refused form shows what was typed into it again.
    if let (Some(e), Some(form)) = (&error, typed) {
        for (k, val) in &form.0 {
            if k != "_csrf" && k != "action" && k != "version" {
                values.insert(format!("{}.{k}", e.action), val.clone());
            }
        }
    }
    let termination = match &d.status {
        DealStatus::Terminated { reason, note } => {
            let reason = l.t(reason.label_zh(), reason.label_en());
            if note.is_empty() {
                reason.to_string()
            } else {
                format!("{reason}：{note}")
            }
        }
        _ => String::new(),
    };
    let page = DealPage {
        ctx: &v.ctx,
        id: r.id,
        version: r.version,
        title: d.title.clone(),
        stage: stage_label(l, d.stage),
        status,
        status_class,
        termination,
        pipeline: DealStage::ALL
            .iter()
            .map(|&s| {
                let class = match s.cmp(&d.stage) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "on",
                    std::cmp::Ordering::Greater => "",
                };
                (stage_label(l, s), class)
            })
            .collect(),
        origin,
        origin_href,
        seller: d
            .seller_org_id
            .map(|o| (format!("/orgs/{o}"), names.org(o))),
        buyer: d.buyer_org_id.map(|o| (format!("/orgs/{o}"), names.org(o))),
        listings: d
            .listing_ids
            .iter()
            .map(|id| match listings.get(id) {
                Some(li) => (
                    format!("/{}/{id}", li.kind().plural()),
                    format!("{} · {}", l.kind(&li.kind()), li.title()),
                ),
                None => ("#".to_string(), format!("#{id}")),
            })
            .collect(),
        managers: d
            .managers
            .iter()
            .map(|m| {
                (
                    names.person(m.account_id),
                    format!("{}%", amounts::percent(m.share_bp)),
                )
            })
            .collect(),
        district: d.district.clone().unwrap_or_default(),
        field: d
            .field
            .map(|f| l.t(f.label_zh(), f.label_en()).to_string())
            .unwrap_or_default(),
        next_step: d
            .next_step
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default(),
        due: d
            .next_step
            .as_ref()
            .map(|s| s.due_on.to_string())
            .unwrap_or_default(),
        overdue: d.is_overdue(today),
        expected: d.expected_amount_fen.map(yuan).unwrap_or_default(),
        close_on: d
            .expected_close_on
            .map(|c| c.to_string())
            .unwrap_or_default(),
        history: view
            .events
            .iter()
            .map(|e| {
                let e = &e.event;
                EventRow {
                    at: cst_time(e.at),
                    who: names.person(e.actor_id),
                    action: l.t(e.action.label_zh(), e.action.label_en()),
                    stage: if e.from_stage == e.to_stage {
                        stage_label(l, e.to_stage).to_string()
                    } else {
                        format!(
                            "{} → {}",
                            stage_label(l, e.from_stage),
                            stage_label(l, e.to_stage)
                        )
                    },
                    status: if e.from_status == e.to_status {
                        status_badge(l, e.to_status).0.to_string()
                    } else {
                        format!(
                            "{} → {}",
                            status_badge(l, e.from_status).0,
                            status_badge(l, e.to_status).0
                        )
                    },
                    note: e.note.clone().unwrap_or_default(),
                }
            })
            .collect(),
        contracts: view
            .contracts
            .iter()
            .map(|c| {
                let s = c.registration.state();
                ContractLink {
                    href: format!("/contracts/{}", c.id),
                    name: c.contract.name.clone(),
                    amount: yuan(c.contract.amount_fen),
                    state: l.t(s.label_zh(), s.label_en()),
                }
            })
            .collect(),
        may_change: view.may_change,
        moves,
        can_pause: open,
        can_resume: kind == StatusKind::Paused,
        can_terminate: matches!(kind, StatusKind::Open | StatusKind::Paused),
        can_win: open && d.stage == DealStage::Signing,
        can_edit: kind != StatusKind::Terminated,
        reasons: TerminationReason::ALL
            .iter()
            .map(|r| (r.as_str(), l.t(r.label_zh(), r.label_en())))
            .collect(),
        values,
        error,
    };
    Ok((status_code, html(&page)).into_response())
}

/// A change form's fields as the deal action they ask for, with the note for the history; or
/// what is wrong with them, in the page's language.
async fn parse_action(
    state: &AppState,
    l: Lang,
    form: &FormData,
    action: &str,
) -> Result<(DealAction, Option<String>), String> {
    let note = Some(form.text("note")).filter(|n| !n.is_empty());
    let said = |e: FieldError| messages::said(l, &e);
    match action {
        "move_to" => match DealStage::parse(&form.text("stage")) {
            Some(stage) => Ok((DealAction::MoveTo { stage }, note)),
            None => Err(l.t("请选择要推进到的阶段。", "Choose a stage.").into()),
        },
        "pause" => Ok((DealAction::Pause, note)),
        "resume" => Ok((DealAction::Resume, note)),
        "win" => Ok((DealAction::Win, note)),
        "terminate" => match TerminationReason::parse(&form.text("reason")) {
            // The reason's note is the history's note too (the domain keeps it there).
            Some(reason) => Ok((
                DealAction::Terminate {
                    reason,
                    note: form.text("note"),
                },
                None,
            )),
            None => Err(l.t("请选择终止原因。", "Choose a reason.").into()),
        },
        "set_next_step" => {
            let text = form.text("text");
            let due = super::form::date_of("due_on", &form.text("due_on")).map_err(said)?;
            match (text.is_empty(), due) {
                (true, None) => Ok((DealAction::SetNextStep { next_step: None }, note)),
                (false, Some(due_on)) => Ok((
                    DealAction::SetNextStep {
                        next_step: Some(NextStep { text, due_on }),
                    },
                    note,
                )),
                (false, None) => Err(l
                    .t("请填写下一步的截止日期。", "Give the next step a due date.")
                    .into()),
                (true, Some(_)) => Err(l
                    .t("请写明下一步做什么。", "Say what the next step is.")
                    .into()),
            }
        }
        "set_expectation" => {
            let amount_fen = fen_of("amount", &form.text("amount")).map_err(said)?;
            let close_on =
                super::form::date_of("close_on", &form.text("close_on")).map_err(said)?;
            Ok((
                DealAction::SetExpectation {
                    amount_fen,
                    close_on,
                },
                note,
            ))
        }
        "set_managers" => {
            let mut ids = Vec::new();
            let mut shares = Vec::new();
            for i in 0..MANAGER_ROWS {
                let username = form.text(&format!("manager_{i}"));
                let share = form.text(&format!("share_{i}"));
                if username.is_empty() {
                    if !share.is_empty() {
                        return Err(match l {
                            Lang::Zh => format!("第 {} 行填了份额，请填写技术经理人账号。", i + 1),
                            Lang::En => format!("Row {} has a share but no manager.", i + 1),
                        });
                    }
                    continue;
                }
                let account = match state.store.account_for_login(&username).await {
                    Ok(Some((a, _))) if a.role == Role::TechnologyManager => a,
                    Ok(_) => {
                        return Err(match l {
                            Lang::Zh => format!("“{username}”不是技术经理人账号。"),
                            Lang::En => {
                                format!("“{username}” is not a technology manager's account.")
                            }
                        });
                    }
                    Err(e) => return Err(ApiError::from(e).message),
                };
                ids.push(account.id);
                shares.push(if share.is_empty() {
                    None
                } else {
                    Some(amounts::parse_bp(&share).ok_or_else(|| {
                        said(FieldError::new(
                            "share",
                            Rule::BadFormat {
                                found: share.clone(),
                                format: Format::Number,
                            },
                        ))
                    })?)
                });
            }
            // No shares typed: equal shares, exactly (the domain spreads the remainder).
            let managers = if shares.iter().all(Option::is_none) {
                ManagerShare::split_evenly(&ids)
            } else {
                ids.iter()
                    .zip(&shares)
                    .map(|(&account_id, s)| ManagerShare {
                        account_id,
                        share_bp: s.unwrap_or(0),
                    })
                    .collect()
            };
            Ok((DealAction::SetManagers { managers }, note))
        }
        _ => Err(l.t("未知的操作。", "Unknown action.").into()),
    }
}

/// Why the domain refuses a step, in the page's language.
fn refusal(l: Lang, e: &DealError) -> String {
    match (l, e) {
        (
            Lang::Zh,
            DealError::NotAllowed {
                stage,
                status,
                action,
                ..
            },
        ) => format!(
            "处于「{}」阶段、状态为「{}」的交易不能「{}」。",
            stage.label_zh(),
            status.label_zh(),
            action.label_zh()
        ),
        (Lang::Zh, DealError::Invalid(Invalid(errors))) => errors
            .iter()
            .map(|f| messages::said(l, f))
            .collect::<Vec<_>>()
            .join("；"),
        (Lang::En, DealError::Invalid(Invalid(errors))) => errors
            .iter()
            .map(|f| messages::said(l, f))
            .collect::<Vec<_>>()
            .join("; "),
        (Lang::En, e) => e.to_string(),
    }
}

/// The sentence for a form posted from an older version of the deal.
fn stale(l: Lang, seen: i64, now: i64) -> String {
    match l {
        Lang::Zh => format!(
            "未保存：您打开页面后，此交易已被他人修改（您看到的是第 {seen} 版，现为第 {now} 版）。请查看下方最新内容后重试。"
        ),
        Lang::En => format!(
            "Not saved: someone changed this deal after you opened it (you saw version {seen}; it is now version {now}). Review the latest below and try again."
        ),
    }
}

/// `POST /deals/{id}/act`: one change (`action`) to the deal, at the `version` the form was
/// made from.
pub async fn act(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    let current = match deals::load(&state.store, &user, id).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => return Err(not_found(&v)),
        Err(e) => return Err(v.error(e)),
    };
    if !deals::may_change(&user, &current.deal) {
        return Err(v.error(ApiError::forbidden(l.t(
            "只有该交易的技术经理人和科委工作人员可以修改它。",
            "Only the deal's technology managers and staff change it.",
        ))));
    }
    let action = form.text("action");
    let refuse = |message: String, code: StatusCode| {
        Some((
            ActionError {
                action: action.clone(),
                message,
            },
            code,
        ))
    };
    let seen = form.text("version").parse::<i64>().unwrap_or(-1);
    if seen != current.version {
        let e = refuse(stale(l, seen, current.version), StatusCode::CONFLICT);
        return render_deal(&state, &v, &user, id, e, Some(&form)).await;
    }
    let (step, note) = match parse_action(&state, l, &form, &action).await {
        Ok(x) => x,
        Err(message) => {
            let e = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            return render_deal(&state, &v, &user, id, e, Some(&form)).await;
        }
    };
    // The domain's answer first, to say a refusal in the page's language; the application
    // layer applies the same rules again when it stores the change.
    if let Err(e) = current
        .deal
        .apply(step.clone(), user.id, Utc::now(), note.clone())
    {
        let code = match e {
            DealError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DealError::NotAllowed { .. } => StatusCode::CONFLICT,
        };
        let e = refuse(refusal(l, &e), code);
        return render_deal(&state, &v, &user, id, e, Some(&form)).await;
    }
    match deals::act(&state.store, &user, id, seen, step, note).await {
        Ok(_) => Ok(see_other(&format!("/deals/{id}"))),
        Err(AppError::Conflict(m)) => {
            // Someone saved between the check above and this write.
            let now = deals::load(&state.store, &user, id)
                .await
                .map_or(seen, |r| r.version);
            let message = if now == seen { m } else { stale(l, seen, now) };
            let e = refuse(message, StatusCode::CONFLICT);
            render_deal(&state, &v, &user, id, e, Some(&form)).await
        }
        Err(AppError::Invalid(Invalid(errors))) => {
            let message = errors
                .iter()
                .map(|f| messages::said(l, f))
                .collect::<Vec<_>>()
                .join(l.t("；", "; "));
            let e = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            render_deal(&state, &v, &user, id, e, Some(&form)).await
        }
        Err(e) => Err(v.error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_named_by_id_or_link() {
        assert_eq!(listing_ref("12"), Some(12));
        assert_eq!(listing_ref("/demands/12"), Some(12));
        assert_eq!(
            listing_ref("http://127.0.0.1:8080/achievements/7/"),
            Some(7)
        );
        assert_eq!(listing_ref("/demands/x"), None);
        assert_eq!(listing_ref("0"), None);
    }

    #[test]
    fn the_board_query_keeps_its_filters_in_links() {
        let q = BoardQuery {
            district: Some("闵行区".into()),
            stage: Some("signing".into()),
            field: Some("no_such_field".into()),
            ..BoardQuery::default()
        };
        assert_eq!(
            q.href("table", 2),
            "/deals?view=table&district=%E9%97%B5%E8%A1%8C%E5%8C%BA&field=no_such_field&stage=signing&page=2"
        );
        let f = q.filter();
        assert_eq!(f.stage.as_deref(), Some("signing"));
        assert_eq!(f.field, None, "a code that names no field filters nothing");
        assert_eq!(f.district.as_deref(), Some("闵行区"));
    }
}
