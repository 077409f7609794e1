//! `GET /api/v1/search` and `GET /api/v1/{kind}s/{id}/matches`: free-text search and two-way
//! matching, each hit with its score, reasons and highlighted snippets. `type=document` searches
//! the imported policy documents instead of listings (matching never returns documents).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use qiao_domain::listing::Status;
use qiao_domain::{Invalid, Kind, Rule};
use qiao_search::{DocumentResults, Filters, Results, SearchRequest};
use serde::{Deserialize, Serialize};

use super::{Paging, parse_param};
use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::json::{Id, Query};
use crate::state::AppState;
use qiao_app::disclosure;

/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 2_000;

/// Parameters of a search.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
    /// Comma-separated kinds (`achievement,expert`); all when absent. `document` alone searches
    /// imported policy documents.
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    district: Option<String>,
    discipline: Option<String>,
    /// `true`: only open listings that have not expired.
    active: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A page of search or match results.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
    /// The listing matched against (matches only).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    /// Page number.
    page: u32,
    /// Page size.
    per_page: u32,
    /// The hits on this page.
    #[serde(flatten)]
    results: Results,
}

/// A page of document search results.
#[derive(Debug, Serialize)]
pub struct DocumentSearchResponse {
    /// Page number.
    page: u32,
    /// Page size.
    per_page: u32,
    /// The hits on this page, each with `"type": "document"`.
    #[serde(flatten)]
    results: DocumentResults,
}

/// The listing whose matches are shown.
#[derive(Debug, Serialize)]
struct Source {
    id: i64,
    kind: Kind,
    title: String,
}

fn parse_kinds(raw: Option<&str>) -> ApiResult<Vec<Kind>> {
    let mut kinds = Vec::new();
    for part in raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let kind = Kind::parse(part).ok_or_else(|| {
            Invalid::field(
                "type",
                Rule::NotOneOf {
                    found: part.to_string(),
                    allowed: Kind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .chain(["document"])
                        .map(String::from)
                        .collect(),
                },
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// `GET /api/v1/search?q=…&type=…`
pub async fn search(
    State(state): State<AppState>,
    Query(p): Query<SearchQuery>,
) -> ApiResult<Response> {
    let q = p.q.as_deref().unwrap_or("").trim().to_string();
    if q.is_empty() {
        return Err(Invalid::field("q", Rule::Blank).into());
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Invalid::field(
            "q",
            Rule::TooLong {
                max: MAX_QUERY_CHARS,
                found: q.chars().count(),
            },
        )
        .into());
    }
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page()?;
    let wants_documents = p
        .kind
        .as_deref()
        .is_some_and(|k| k.split(',').any(|part| part.trim() == "document"));
    if wants_documents {
        if p.kind.as_deref().map(str::trim) != Some("document") {
            return Err(Invalid::field(
                "type",
                Rule::NotCombinable {
                    found: "document".into(),
                    with: vec!["listing kinds".into()],
                },
            )
            .into());
        }
        let filters: Vec<String> = [
            ("status", p.status.is_some()),
            ("district", p.district.is_some()),
            ("discipline", p.discipline.is_some()),
            ("active", p.active.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(name, _)| name.to_string())
        .collect();
        if !filters.is_empty() {
            return Err(Invalid::field(
                "type",
                Rule::NotCombinable {
                    found: "document".into(),
                    with: filters,
                },
            )
            .into());
        }
        let results = state
            .search
            .search_documents(&q, page.size as usize, super::skipped(page))
            .await?;
        return Ok(axum::Json(DocumentSearchResponse {
            page: page.number,
            per_page: page.size,
            results,
        })
        .into_response());
    }
    let status = parse_param(
        "status",
        p.status.as_deref(),
        Status::parse,
        "open, under_review, awarded, closed",
    )?;
    if status == Some(Status::Draft) {
        return Err(Invalid::field(
            "status",
            Rule::NotOneOf {
                found: "draft".into(),
                allowed: [Status::Open, Status::Closed, Status::Awarded]
                    .map(|s| s.as_str().to_string())
                    .into(),
            },
        )
        .into());
    }
    let request = SearchRequest {
        q,
        filters: Filters {
            kinds: parse_kinds(p.kind.as_deref())?,
            status,
            active_on: p.active.unwrap_or(false).then(|| state.today()),
            district: p.district.filter(|s| !s.trim().is_empty()),
            discipline: p.discipline.filter(|s| !s.trim().is_empty()),
            exclude_ids: Vec::new(),
            exclude_owner: None,
            documents: false,
        },
        limit: page.size as usize,
        offset: super::skipped(page),
        explain: true,
    };
    let results = state.search.search(&request).await?;
    Ok(axum::Json(SearchResponse {
        source: None,
        page: page.number,
        per_page: page.size,
        results,
    })
    .into_response())
}

/// `GET /api/v1/{kind}s/{id}/matches`: what answers this listing, open and not expired today.
pub async fn matches(
    kind: Kind,
    State(state): State<AppState>,
    Viewer(viewer): Viewer,
    Id(id): Id,
    Query(p): Query<Paging>,
) -> ApiResult<axum::Json<SearchResponse>> {
    let page = p.page()?;
    let record = disclosure::load(&state.store, kind, id, viewer.as_ref()).await?;
    let results = state
        .search
        .matches(
            &record,
            state.today(),
            page.size as usize,
            super::skipped(page),
        )
        .await?;
    Ok(axum::Json(SearchResponse {
        source: Some(Source {
            id: record.id,
            kind: record.listing.kind(),
            title: record.listing.title().to_string(),
        }),
        page: page.number,
        per_page: page.size,
        results,
    }))
}

/// How far the search index has followed the database.
#[derive(Debug, Serialize)]
pub struct IndexStatus {
    /// The change-feed position the index has reached.
    indexed_seq: i64,
    /// The database's newest change-feed position.
    database_seq: i64,
    /// Listings and documents in the index.
    documents: u64,
    /// Whether the index reflects every change.
    up_to_date: bool,
    /// Semantic matching: its state, and how many of the indexed records have a vector.
    semantic: SemanticStatus,
}

/// Semantic matching's progress.
#[derive(Debug, Serialize)]
pub struct SemanticStatus {
    /// `on`, `preparing` or `off`, with a note saying why (and how to turn it on).
    #[serde(flatten)]
    state: crate::semantic::SemanticState,
    /// Records (listings and documents) with a vector.
    embedded: usize,
    /// Records in the search index, which is what can be embedded.
    total: u64,
    /// The change-feed position the vectors reflect.
    embedded_seq: i64,
    /// Whether meaning takes part in ranking now: the vectors cover at least 95 % of the
    /// indexed records (until then search is lexical).
    in_use: bool,
}

/// `GET /api/v1/search/status`
pub async fn status(State(state): State<AppState>) -> ApiResult<axum::Json<IndexStatus>> {
    let database_seq = state.store.last_seq().await?;
    let follower = state.search.follower();
    let indexed_seq = follower.reached();
    let vectors = state.search.semantic().map(|s| s.vectors());
    Ok(axum::Json(IndexStatus {
        indexed_seq,
        database_seq,
        documents: follower.index().num_docs(),
        up_to_date: indexed_seq >= database_seq,
        semantic: SemanticStatus {
            state: state.semantic.get(),
            embedded: vectors.map_or(0, |v| v.len()),
            total: follower.index().num_docs(),
            embedded_seq: vectors.map_or(0, |v| v.reached()),
            in_use: state.search.semantic_ready().is_some(),
        },
    }))
}
