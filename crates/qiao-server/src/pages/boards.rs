//! Browsing by kind: `GET /{kind}s` for every kind, the challenge board (揭榜挂帅) with its
//! rewards and application windows at `GET /challenges` (filtered by reward range, window open
//! or closing soon, district and field), and the resource library (科创资源库: instruments,
//! experts, service institutions) at `GET /resources`. Booking an instrument or reaching an
//! expert goes through the listing's contact request, like every other listing.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use qiao_domain::{Kind, Listing};
use qiao_store::{Drafts, ListingFilter, Page};
use serde::Deserialize;

use super::{Ctx, Lang, PageResult, Row, Visitor, html, row};
use crate::state::AppState;

const PER_PAGE: u32 = 20;

/// Paging and the open-only switch.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    page: Option<u32>,
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Challenges: least reward, yuan (`50万` reads too).
    reward_min: Option<String>,
    /// Challenges: most reward, yuan.
    reward_max: Option<String>,
    /// Challenges: `open` or `closing`.
    window: Option<String>,
    /// Challenges: district.
    district: Option<String>,
    /// Challenges: field or discipline.
    field: Option<String>,
}

/// The challenge board's filters as the form shows them.
#[derive(Debug, Default)]
pub struct ChallengeFilters {
    reward_min: String,
    reward_max: String,
    window: String,
    district: String,
    field: String,
    /// The districts public challenges name, most used first, with their counts.
    districts: qiao_app::listing_counts::Choices,
    /// The fields public challenges name, likewise.
    fields: qiao_app::listing_counts::Choices,
    /// What could not be read, said above the list.
    problems: Vec<String>,
}

impl ChallengeFilters {
    fn windows(&self, l: &Lang) -> Vec<(&'static str, &'static str, bool)> {
        [
            ("", l.t("全部", "any")),
            ("open", l.t("征集中", "taking applications")),
            (
                "closing",
                l.t("即将截止（14 天内）", "closing within 14 days"),
            ),
        ]
        .into_iter()
        .map(|(code, label)| (code, label, code == self.window))
        .collect()
    }

    /// The district choices as the select shows them: (value, label, selected). The chosen
    /// value stays offered even when it is not among the most used (a followed link).
    fn district_options(&self, l: &Lang) -> Vec<(String, String, bool)> {
        options(l, &self.districts, &self.district)
    }

    /// The field choices, likewise.
    fn field_options(&self, l: &Lang) -> Vec<(String, String, bool)> {
        options(l, &self.fields, &self.field)
    }

    /// The query string that keeps these filters across pages.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("reward_min", &self.reward_min),
            ("reward_max", &self.reward_max),
            ("window", &self.window),
            ("district", &self.district),
            ("field", &self.field),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencoding::encode(v)));
            }
        }
        parts.join("&")
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    heading: String,
    intro: String,
    tabs: Vec<(String, &'static str, bool)>,
    total_text: String,
    rows: Vec<Row>,
    prev: Option<String>,
    next: Option<String>,
    /// The challenge board's filters (the challenge list only).
    filters: Option<ChallengeFilters>,
}

/// A challenge's application window as a badge: not yet open, open (days left), or closed.
fn window(l: Lang, listing: &Listing, today: chrono::NaiveDate) -> Option<(String, &'static str)> {
    let Listing::Challenge(c) = listing else {
        return None;
    };
    Some(if today < c.apply_from {
        (
            format!("{} {}", l.t("揭榜未开始，开始于", "opens on"), c.apply_from),
            "warn",
        )
    } else if today <= c.apply_until {
        let days = (c.apply_until - today).num_days();
        (
            match l {
                Lang::Zh => format!("征集中，剩 {days} 天"),
                Lang::En => format!("open, {days} days left"),
            },
            "ok",
        )
    } else {
        (l.t("揭榜已截止", "applications closed").to_string(), "bad")
    })
}

/// What one browsing page shows.
struct Board {
    kind: Kind,
    base: String,
    heading: String,
    intro: String,
    tabs: Vec<(String, &'static str, bool)>,
    page: u32,
    /// The challenge board's filters: their store filter and how the form shows them.
    challenge: Option<(ListingFilter, ChallengeFilters)>,
}

/// A select's options: "any" first, then each choice with its count; `chosen` stays selected.
fn options(
    l: &Lang,
    choices: &qiao_app::listing_counts::Choices,
    chosen: &str,
) -> Vec<(String, String, bool)> {
    let mut out = vec![(
        String::new(),
        l.t("全部", "any").to_string(),
        chosen.is_empty(),
    )];
    out.extend(
        choices
            .iter()
            .map(|(v, n)| (v.clone(), format!("{v}（{n}）"), *v == chosen)),
    );
    if !chosen.is_empty() && !choices.iter().any(|(v, _)| v == chosen) {
        out.push((chosen.to_string(), chosen.to_string(), true));
    }
    out
}

/// Reads the challenge board's filters: what the store filters by and what the form shows.
fn challenge_filters(
    l: Lang,
    p: &ListParams,
    today: chrono::NaiveDate,
) -> (ListingFilter, ChallengeFilters) {
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let mut shown = ChallengeFilters {
        reward_min: text(&p.reward_min),
        reward_max: text(&p.reward_max),
        window: text(&p.window),
        district: text(&p.district),
        field: text(&p.field),
        districts: Vec::new(),
        fields: Vec::new(),
        problems: Vec::new(),
    };
    let mut amount = |raw: &str, label: &str| -> Option<i64> {
        if raw.is_empty() {
            return None;
        }
        let read = qiao_domain::money::parse_yuan(raw);
        if read.is_none() {
            shown.problems.push(format!(
                "{label}：{}",
                l.t(
                    "请填写金额，如 500000 或 50万",
                    "write an amount, e.g. 500000 or 50万"
                )
            ));
        }
        read
    };
    let reward_min = amount(&shown.reward_min.clone(), l.t("最低金额", "least reward"));
    let reward_max = amount(&shown.reward_max.clone(), l.t("最高金额", "most reward"));
    let (window_open_on, window_closes_by) =
        qiao_app::applications::window_filter(&shown.window, today).unwrap_or((None, None));
    let filter = ListingFilter {
        kind: Some(Kind::Challenge),
        drafts: Drafts::Hidden,
        district: Some(shown.district.clone()).filter(|d| !d.is_empty()),
        discipline: Some(shown.field.clone()).filter(|d| !d.is_empty()),
        reward_min,
        reward_max,
        window_open_on,
        window_closes_by,
        ..Default::default()
    };
    (filter, shown)
}

async fn render(state: &AppState, v: &Visitor, board: Board) -> PageResult<Response> {
    let Board {
        kind,
        base,
        heading,
        intro,
        tabs,
        page,
        challenge,
    } = board;
    let l = v.ctx.l;
    let today = state.today();
    let filter = ListingFilter {
        kind: Some(kind),
        drafts: Drafts::Hidden,
        ..Default::default()
    };
    let page = page.max(1);
    // The total is the home page's public count of the kind (the same filter), cached at the
    // change-feed position: counting 70k achievements on every page view cost more than
    // reading the page.
    let size = Page {
        number: page,
        size: PER_PAGE,
    };
    let (total, items, filters) = match challenge {
        // The challenge board counts what its filters match (challenges are posted by hand:
        // hundreds, not the tens of thousands of achievements the cached count is for).
        Some((filter, mut shown)) => {
            (shown.districts, shown.fields) = state
                .facets
                .challenge_choices(state.store.as_ref())
                .await
                .map_err(|e| v.error(e))?;
            let paged = state
                .store
                .list_listings(&filter, size)
                .await
                .map_err(|e| v.error(e))?;
            (paged.total, paged.items, Some(shown))
        }
        None => {
            let total = state
                .counts
                .of(state.store.as_ref(), kind)
                .await
                .map_err(|e| v.error(e))?;
            let items = state
                .store
                .list_listing_items(&filter, size)
                .await
                .map_err(|e| v.error(e))?;
            (total, items, None)
        }
    };
    let rows = items
        .iter()
        .map(|r| {
            let mut shown = row(l, r, today);
            if let Some((text, class)) = window(l, &r.listing, today)
                && shown.status.is_empty()
            {
                shown.status = text;
                shown.status_class = class;
            }
            shown
        })
        .collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    let pages = (total as u32).div_ceil(PER_PAGE);
    Ok(html(&ListPage {
        ctx: &v.ctx,
        heading,
        intro,
        tabs,
        total_text: match l {
            Lang::Zh => format!("共 {total} 条，第 {page}/{} 页", pages.max(1)),
            Lang::En => format!("{total} in all, page {page} of {}", pages.max(1)),
        },
        rows,
        prev: (page > 1).then(|| format!("{base}{sep}page={}", page - 1)),
        next: (page < pages).then(|| format!("{base}{sep}page={}", page + 1)),
        filters,
    }))
}

/// `GET /{kind}s`
pub async fn list(
    kind: Kind,
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<ListParams>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let intro = match kind {
        Kind::Challenge => l.t(
            "揭榜挂帅：企业张榜技术难题，写明指标、期限、交付物和榜单金额，能者揭榜。",
            "Open challenges: an enterprise posts a technical problem with indicators, deadline, deliverables and reward; whoever can solve it applies.",
        ),
        Kind::Scenario => l.t("为技术找场景，为场景找市场。", "A scenario for every technology, a market for every scenario."),
        _ => "",
    };
    let challenge = (kind == Kind::Challenge).then(|| challenge_filters(l, &p, state.today()));
    let mut base = format!("/{}", kind.plural());
    if let Some((_, shown)) = &challenge {
        let q = shown.query();
        if !q.is_empty() {
            base = format!("{base}?{q}");
        }
    }
    let board = Board {
        kind,
        base,
        heading: l.kind(&kind).to_string(),
        intro: intro.to_string(),
        tabs: Vec::new(),
        page: p.page.unwrap_or(1),
        challenge,
    };
    render(&state, &v, board).await
}

/// `GET /resources?type=instrument|expert|institution`
pub async fn resources(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<ListParams>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let kind = match p.kind.as_deref().and_then(Kind::parse) {
        Some(k @ (Kind::Expert | Kind::Institution)) => k,
        _ => Kind::Instrument,
    };
    let tabs = [Kind::Instrument, Kind::Expert, Kind::Institution]
        .into_iter()
        .map(|k| {
            (
                format!("/resources?type={}", k.as_str()),
                l.kind(&k),
                k == kind,
            )
        })
        .collect();
    let board = Board {
        kind,
        base: format!("/resources?type={}", kind.as_str()),
        heading: l.t("科创资源库", "Resource library").to_string(),
        intro: l.t(
            "共享大型仪器、专家和服务机构。打开条目后提交预约或联系申请，对方同意后即可看到联系方式。",
            "Shared instruments, experts and service institutions. Open one and send a booking or contact request; its contact details appear once the owner accepts.",
        )
        .to_string(),
        tabs,
        page: p.page.unwrap_or(1),
        challenge: None,
    };
    render(&state, &v, board).await
}
