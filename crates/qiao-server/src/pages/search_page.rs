//! `GET /search?q=…`: results with facets (type, field, district, maturity, status) and
//! highlighted snippets, each hit with the reasons it matched.
//!
//! One query fetches the best [`FACET_POOL`] hits; the facets count over them and the chosen
//! facets filter them, so the counts beside each facet always agree with what a click shows.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use qiao_domain::listing::Stage;
use qiao_domain::{Kind, Status};
use qiao_search::schema::Shelf;
use qiao_search::{Explainer, Filters, Hit, SearchRequest};
use serde::Deserialize;

use super::{Ctx, Lang, PageResult, Visitor, html, listings_by_id, snippet_html, status_badge};
use crate::state::AppState;

/// How many of the best hits a results page (and its facets) draws on.
pub const FACET_POOL: usize = 100;
const PER_PAGE: usize = 20;
const MAX_QUERY_CHARS: usize = 2_000;

/// Parameters of the search page. Unknown ones are ignored: links get shared and edited.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    district: Option<String>,
    field: Option<String>,
    maturity: Option<String>,
    status: Option<String>,
    page: Option<usize>,
}

/// A hit as pages show it (search results and "best matches" panels).
#[derive(Debug, Clone)]
pub struct HitView {
    /// The listing's id.
    pub id: i64,
    /// Kind, in the page's language.
    pub kind_label: &'static str,
    /// Detail page.
    pub href: String,
    /// Title (shown once: the title is not repeated as a snippet below it).
    pub title: String,
    /// Status badge.
    pub status: String,
    /// Badge colour.
    pub status_class: &'static str,
    /// Whether it is a strong match ([`qiao_search::strength`]).
    pub strong: bool,
    /// Its strength in words.
    pub strength: &'static str,
    /// Why it matched, in plain words.
    pub reasons: Vec<String>,
    /// Highlighted snippets of the keywords and body, already escaped HTML.
    pub snippets: Vec<String>,
    /// District and field.
    pub meta: Vec<String>,
}

/// A hit's view in `l`.
pub fn hit_view(l: Lang, hit: &Hit, today: chrono::NaiveDate) -> HitView {
    let reasons = hit
        .reasons
        .iter()
        .map(|r| l.t(&r.text, &r.text_en).to_string())
        .collect();
    let strong = hit.strength == qiao_search::Strength::Strong;
    let (status, status_class) = status_badge(l, hit.status, hit.expires_on, today);
    let mut meta = Vec::new();
    if let Some(d) = &hit.district {
        meta.push(d.clone());
    }
    if let Some(d) = &hit.discipline {
        meta.push(d.clone());
    }
    HitView {
        kind_label: l.kind(&hit.kind),
        href: format!("/{}/{}", hit.kind.plural(), hit.id),
        title: hit.title.clone(),
        status,
        status_class,
        id: hit.id,
        strong,
        strength: if strong {
            l.t("高度匹配", "strong match")
        } else {
            l.t("可能相关", "may be related")
        },
        reasons,
        snippets: hit
            .snippets
            .iter()
            .filter(|s| s.field != "title")
            .take(2)
            .map(snippet_html)
            .collect(),
        meta,
    }
}

/// What a page says when nothing it found stands out (issue #27).
pub const NONE_STRONG_ZH: &str = "暂无高度匹配的成果；以下可能相关";
/// The same in English.
pub const NONE_STRONG_EN: &str = "No strong match yet; the following may be related";

/// One sentence over a panel of matches of `kinds` (strong ones lead): how many are strong, or
/// that none is, naming what was looked for (a demand's page looks among achievements and
/// resources, an achievement's or a resource's among demands).
pub fn matches_summary(l: Lang, matches: &[HitView], kinds: &[Kind]) -> String {
    let offers = |k: &Kind| Shelf::of(*k) == Shelf::Offers;
    let asks = |k: &Kind| Shelf::of(*k) == Shelf::Asks;
    let (what_zh, what_en) = if !kinds.is_empty() && kinds.iter().all(asks) {
        ("需求", "demand")
    } else if !kinds.is_empty() && kinds.iter().all(offers) {
        ("成果或资源", "achievement or resource")
    } else {
        ("结果", "result")
    };
    match (l, matches.iter().filter(|h| h.strong).count()) {
        (Lang::Zh, 0) => format!("暂无高度匹配的{what_zh}；以下可能相关"),
        (Lang::En, 0) => {
            format!("No strongly matching {what_en} yet; the following may be related")
        }
        (Lang::Zh, n) if n < matches.len() => format!("{n} 条高度匹配；其余可能相关。"),
        (Lang::En, n) if n < matches.len() => {
            format!("{n} strong matches; the rest may be related.")
        }
        (Lang::Zh, n) => format!("{n} 条高度匹配。"),
        (Lang::En, n) => format!("{n} strong matches."),
    }
}

/// How many document hits a results page shows beside the listings.
const DOCUMENT_HITS: usize = 5;

/// A policy document found by the query, linking to its page.
pub struct DocHitView {
    href: String,
    title: String,
    meta: Vec<String>,
    snippets: Vec<String>,
}

/// One facet value with its count and the link that toggles it.
pub struct FacetOption {
    label: String,
    n: usize,
    href: String,
    on: bool,
}

/// A facet: its title and values.
pub struct Facet {
    title: &'static str,
    options: Vec<FacetOption>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    ctx: &'a Ctx,
    q: String,
    keep: Vec<(&'static str, String)>,
    summary: String,
    facets: Vec<Facet>,
    hits: Vec<HitView>,
    documents: Vec<DocHitView>,
    prev: Option<String>,
    next: Option<String>,
}

fn maturity_of(stage: Option<Stage>) -> Option<&'static str> {
    stage.map(|s| match s {
        Stage::Lab => "lab",
        Stage::SmallPilot => "small_pilot",
        Stage::Pilot => "pilot",
        Stage::Industrial => "industrial",
    })
}

fn maturity_label(l: Lang, code: &str) -> String {
    match code {
        "lab" => l.t("实验室", "laboratory"),
        "small_pilot" => l.t("小试", "small pilot"),
        "pilot" => l.t("中试", "pilot"),
        "industrial" => l.t("产业化", "industrial"),
        other => other,
    }
    .to_string()
}

fn status_label(l: Lang, s: Status) -> String {
    match s {
        Status::Draft => l.t("草稿", "draft"),
        Status::Open => l.t("开放", "open"),
        Status::UnderReview => l.t("评审中", "under review"),
        Status::Awarded => l.t("已揭榜", "awarded"),
        Status::Closed => l.t("已关闭", "closed"),
    }
    .to_string()
}

/// `GET /search`
pub async fn search(
    State(state): State<AppState>,
    v: Visitor,
    Query(p): Query<SearchParams>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let q: String =
        p.q.as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
    // The chosen facets, by name, for links and filtering.
    let chosen: Vec<(&'static str, String)> = [
        ("type", &p.kind),
        ("field", &p.field),
        ("district", &p.district),
        ("maturity", &p.maturity),
        ("status", &p.status),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| (k, s.to_string()))
    })
    .collect();
    if q.is_empty() {
        return Ok(html(&SearchPage {
            ctx: &v.ctx,
            q,
            keep: chosen,
            summary: String::new(),
            facets: Vec::new(),
            hits: Vec::new(),
            documents: Vec::new(),
            prev: None,
            next: None,
        }));
    }
    let results = state
        .search
        .search(&SearchRequest {
            q: q.clone(),
            filters: Filters::default(),
            limit: FACET_POOL,
            offset: 0,
            // Facets need every hit's fields; only the shown page needs snippets.
            explain: false,
        })
        .await
        .map_err(|e| v.error(e))?;
    // Imported policy documents are searched apart (they have none of the listing facets) and
    // shown beside the listings, on the first page only.
    let documents = if p.page.unwrap_or(1) <= 1 {
        state
            .search
            .search_documents(&q, DOCUMENT_HITS, 0)
            .await
            .map_err(|e| v.error(e))?
            .hits
            .into_iter()
            .map(|h| DocHitView {
                href: format!("/documents/{}", h.id),
                title: h
                    .title
                    .unwrap_or_else(|| l.t("（无标题）", "(untitled)").to_string()),
                meta: [h.published, h.source, h.doc_number]
                    .into_iter()
                    .flatten()
                    .collect(),
                snippets: h.snippets.iter().take(2).map(snippet_html).collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    // Each hit's facet values.
    let values = |h: &Hit| -> [(&'static str, Option<String>); 5] {
        [
            ("type", Some(h.kind.as_str().to_string())),
            ("field", h.discipline.clone()),
            ("district", h.district.clone()),
            ("maturity", maturity_of(h.stage).map(str::to_string)),
            ("status", Some(h.status.as_str().to_string())),
        ]
    };
    let passes = |h: &Hit, except: Option<&str>| {
        let vals = values(h);
        chosen.iter().all(|(name, want)| {
            Some(*name) == except
                || vals
                    .iter()
                    .any(|(n, v)| n == name && v.as_deref() == Some(want.as_str()))
        })
    };

    // Counts per facet value, over the hits that pass every *other* chosen facet, so a click
    // on a value shows exactly the number beside it.
    let titles: [(&'static str, &'static str); 5] = [
        ("type", l.t("类型", "Type")),
        ("field", l.t("领域", "Field")),
        ("district", l.t("区域", "District")),
        ("maturity", l.t("成熟度", "Maturity")),
        ("status", l.t("状态", "Status")),
    ];
    let mut facets = Vec::new();
    for (name, title) in titles {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for h in results.hits.iter().filter(|h| passes(h, Some(name))) {
            if let Some((_, Some(val))) = values(h).into_iter().find(|(n, _)| *n == name) {
                *counts.entry(val).or_default() += 1;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let options: Vec<FacetOption> = counts
            .into_iter()
            .take(12)
            .map(|(val, n)| {
                let on = chosen.iter().any(|(k, x)| *k == name && *x == val);
                let label = match name {
                    "type" => Kind::parse(&val).map_or(val.clone(), |k| l.kind(&k).to_string()),
                    "maturity" => maturity_label(l, &val),
                    "status" => Status::parse(&val).map_or(val.clone(), |s| status_label(l, s)),
                    _ => val.clone(),
                };
                let mut params: Vec<(&str, String)> = vec![("q", q.clone())];
                params.extend(
                    chosen
                        .iter()
                        .filter(|(k, _)| *k != name)
                        .map(|(k, x)| (*k, x.clone())),
                );
                if !on {
                    params.push((name, val.clone()));
                }
                FacetOption {
                    label,
                    n,
                    href: link(&params),
                    on,
                }
            })
            .collect();
        if !options.is_empty() {
            facets.push(Facet { title, options });
        }
    }

    let today = state.today();
    let shown: Vec<&Hit> = results.hits.iter().filter(|h| passes(h, None)).collect();
    let page = p.page.unwrap_or(1).max(1);
    // Saturating: a page number past any end shows nothing, never wraps round to page 1.
    let start = (page - 1).saturating_mul(PER_PAGE);
    // Only the shown hits are explained, so only their texts are read.
    let page_hits: Vec<&Hit> = shown.iter().skip(start).take(PER_PAGE).copied().collect();
    let ids: Vec<i64> = page_hits.iter().map(|h| h.id).collect();
    let mut listings = listings_by_id(&state, &ids).await.map_err(|e| v.error(e))?;
    let found: Vec<&Hit> = page_hits
        .iter()
        .copied()
        .filter(|h| listings.contains_key(&h.id))
        .collect();
    let explanations = Explainer::new(&q)
        .explain_all(
            found
                .iter()
                .map(|h| listings.remove(&h.id).expect("kept above"))
                .collect(),
        )
        .await
        .map_err(|e| v.error(e))?;
    let mut explained: HashMap<i64, qiao_search::explain::Explanation> =
        found.iter().map(|h| h.id).zip(explanations).collect();
    let hits: Vec<HitView> = page_hits
        .into_iter()
        .map(|h| {
            let hit = match explained.remove(&h.id) {
                Some(e) => h.clone().explained(e),
                None => h.clone(),
            };
            hit_view(l, &hit, today)
        })
        .collect();
    let mut params: Vec<(&str, String)> = vec![("q", q.clone())];
    params.extend(chosen.iter().map(|(k, x)| (*k, x.clone())));
    let page_link = |n: usize| {
        let mut ps = params.clone();
        ps.push(("page", n.to_string()));
        link(&ps)
    };
    let prev = (page > 1).then(|| page_link(page - 1));
    let next = (start.saturating_add(PER_PAGE) < shown.len()).then(|| page_link(page + 1));
    // One short sentence, counting strong results only: everything retrieved is not a
    // result (a query no listing answers still has nearest neighbours).
    let strong = shown
        .iter()
        .filter(|h| h.strength == qiao_search::Strength::Strong)
        .count();
    // Nothing at all: the notice below the facets says so (and what to try), once.
    let summary = match (l, strong, shown.len()) {
        (Lang::Zh, 0, 0) if !documents.is_empty() => {
            "没有找到相关条目；以下为相关政策文件。".to_string()
        }
        (Lang::En, 0, 0) if !documents.is_empty() => {
            "No listing found; related policy documents below.".to_string()
        }
        (_, 0, 0) => String::new(),
        (Lang::Zh, 0, _) => NONE_STRONG_ZH.to_string(),
        (Lang::En, 0, _) => NONE_STRONG_EN.to_string(),
        (Lang::Zh, n, _) => format!("找到 {n} 条高度匹配的结果。"),
        (Lang::En, n, _) => format!("{n} strong matches."),
    };
    Ok(html(&SearchPage {
        ctx: &v.ctx,
        q,
        keep: chosen,
        summary,
        facets,
        hits,
        documents,
        prev,
        next,
    }))
}

/// A `/search` link with these parameters, URL-encoded.
fn link(params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
        .collect();
    format!("/search?{}", query.join("&"))
}
