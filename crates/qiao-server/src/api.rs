//! JSON API handlers under `/api/v1`, one module per resource. Handlers stay thin: extract,
//! check who may act, call the domain and the store, map the result.

pub mod accounts;
pub mod applications;
pub mod attachments;
pub mod bookings;
pub mod certificates;
pub mod contacts;
pub mod contracts;
pub mod deals;
pub mod documents;
pub mod imports;
pub mod listings;
pub mod meta;
pub mod notifications;
pub mod organisations;
pub mod policies;
pub mod search;
pub mod statistics;
pub mod targets;
pub mod threads;
pub mod valuations;
pub mod vouchers;

use qiao_store::Page;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

/// A review step that carries nothing but the version read (a booking's confirm and cancel,
/// an application's shortlist, award and withdraw): one type, so the OpenAPI document has one
/// schema of this name.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The record's `version` as read; one changed since is a 409 and stays as it is.
    pub version: i64,
}

/// A decline with its reason (a booking's or an application's).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// The record's `version` as read.
    pub version: i64,
    /// Why, shown to the other side; required (422 naming `reason` when blank).
    pub reason: String,
}

/// Paging parameters shared by every collection.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page (default 20, at most 200).
    pub per_page: Option<u32>,
}

impl Paging {
    /// Checks the numbers and turns them into a [`Page`].
    pub fn page(&self) -> ApiResult<Page> {
        let number = self.page.unwrap_or(1);
        let size = self.per_page.unwrap_or(20);
        if number == 0 {
            return Err(qiao_domain::Invalid::field(
                "page",
                qiao_domain::Rule::AtLeast { min: 1, found: 0.0 },
            )
            .into());
        }
        if size == 0 || size > Page::MAX_SIZE {
            return Err(qiao_domain::Invalid::field(
                "per_page",
                qiao_domain::Rule::OutOfRange {
                    min: 1,
                    max: i64::from(Page::MAX_SIZE),
                    found: f64::from(size),
                },
            )
            .into());
        }
        Ok(Page { number, size })
    }
}

/// How many items come before `page`, computed in 64 bits: `page=33554433&per_page=128`
/// is 4,294,967,296 items in (past any end, so an empty page), never wrapped round to page 1.
pub fn skipped(page: Page) -> usize {
    let before = u64::from(page.number.saturating_sub(1)).saturating_mul(u64::from(page.size));
    usize::try_from(before).unwrap_or(usize::MAX)
}

/// Parses an optional enum-like query parameter with `parse`, naming the parameter on failure.
pub fn parse_param<T>(
    name: &str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    accepted: &str,
) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            ApiError::from(qiao_domain::Invalid::field(
                name,
                qiao_domain::Rule::NotOneOf {
                    found: s.to_string(),
                    allowed: accepted.split(", ").map(String::from).collect(),
                },
            ))
        }),
    }
}

/// Parses an optional query parameter that must be one of a closed list's codes (`all`, each
/// with its `code`), naming the parameter and every accepted code on failure.
pub fn parse_coded<T: Copy>(
    name: &str,
    raw: Option<&str>,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> ApiResult<Option<T>> {
    let accepted = all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ");
    parse_param(
        name,
        raw,
        |s| all.iter().copied().find(|v| code(*v) == s),
        &accepted,
    )
}

/// Checks that a record's `document_id`, when given, names a stored document (422 otherwise).
pub async fn require_document(state: &crate::state::AppState, id: Option<i64>) -> ApiResult<()> {
    if let Some(id) = id
        && let Err(qiao_store::StoreError::NotFound { .. }) = state.store.get_document(id).await
    {
        return Err(qiao_domain::Invalid::field(
            "document_id",
            qiao_domain::Rule::NotFound {
                record: qiao_domain::Record::Document,
                id,
            },
        )
        .into());
    }
    Ok(())
}

/// Admins and commission staff write policies and targets and see which enterprises a policy
/// reaches (those verdicts rest on private figures); others get 403.
pub fn require_planner(user: &qiao_domain::Account) -> ApiResult<()> {
    if user.may_manage_policies() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only admins and commission staff write policies and targets or see which enterprises a policy reaches",
        ))
    }
}
