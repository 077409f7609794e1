//! What callers ask the store for: pages, the filters of list queries and import batches.
//!
//! Plain values with no behaviour beyond paging arithmetic, kept apart from the SQL so that every
//! aggregate's queries can read them without reaching back into the crate root.

use chrono::{DateTime, NaiveDate, Utc};
use qiao_domain::{Kind, Listing};

/// One page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Items per page.
    pub size: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            number: 1,
            size: 20,
        }
    }
}

impl Page {
    /// The most items one page may hold.
    pub const MAX_SIZE: u32 = 200;

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.number.saturating_sub(1)) * i64::from(self.size)
    }
}

/// A page of results and the total count.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: i64,
    /// This page's number.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

/// Which drafts a listing query may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Drafts {
    /// None (anonymous callers).
    #[default]
    Hidden,
    /// Those of one organisation (its members).
    OfOrg(i64),
    /// All of them (admins).
    All,
}

/// Filters for listing queries; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this status.
    pub status: Option<qiao_domain::listing::Status>,
    /// Only in this district.
    pub district: Option<String>,
    /// Only in this field or discipline.
    pub discipline: Option<String>,
    /// Only owned by this organisation.
    pub owner_org_id: Option<i64>,
    /// Only open listings not expired on this day.
    pub active_on: Option<NaiveDate>,
    /// Only challenges whose reward is at least this many yuan.
    pub reward_min: Option<i64>,
    /// Only challenges whose reward is at most this many yuan.
    pub reward_max: Option<i64>,
    /// Only challenges taking applications on this day (open, and the day inside their window).
    pub window_open_on: Option<NaiveDate>,
    /// Only challenges whose window closes on or before this day (with `window_open_on`: the
    /// ones closing soon).
    pub window_closes_by: Option<NaiveDate>,
    /// Which drafts may appear.
    pub drafts: Drafts,
}

/// Filters for organisation queries.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Only this kind.
    pub kind: Option<qiao_domain::OrgKind>,
    /// Only in this district.
    pub district: Option<String>,
    /// Name contains this text.
    pub name_contains: Option<String>,
}

/// A listing to import, with its owner named by 统一社会信用代码 and an optional id to update.
#[derive(Debug, Clone)]
pub struct ImportListing {
    /// Update the listing with this id (or create it with this id).
    pub id: Option<i64>,
    /// Credit code of the owning organisation (in the store or in the same batch).
    pub owner_credit_code: Option<String>,
    /// The listing, already validated.
    pub listing: Listing,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Organisations created.
    pub organisations_created: usize,
    /// Organisations updated (matched by credit code).
    pub organisations_updated: usize,
    /// Listings created.
    pub listings_created: usize,
    /// Listings updated (matched by id).
    pub listings_updated: usize,
}

/// Which changes the audit log shows; `None` means "any". Every condition is answered by an
/// index on `changes` (migration 0008).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Made by the account with this username (no such account: nothing matches).
    pub actor: Option<String>,
    /// Of this sort of record (`listing`, `organisation`, `account`…).
    pub entity: Option<String>,
    /// Of the record with this id (with `entity`, one record's history).
    pub entity_id: Option<i64>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
    /// With a change-feed number below this one: the next batch of a walk newest first
    /// (exports), without offsets.
    pub before_seq: Option<i64>,
}

/// Filters for deal queries; `None` means "any". The caller decides visibility by setting
/// `manager_id`, `party_org_id` or `district`.
#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    /// Only deals this account brokers.
    pub manager_id: Option<i64>,
    /// Only deals this organisation is a party to (seller or buyer).
    pub party_org_id: Option<i64>,
    /// Only deals of this district.
    pub district: Option<String>,
    /// Only this technology field (code).
    pub field: Option<String>,
    /// Only this stage (code).
    pub stage: Option<String>,
    /// Only this status (code).
    pub status: Option<String>,
    /// Only deals whose next step was due before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only deals expected to close in this year.
    pub close_year: Option<i32>,
    /// Only deals no technology manager brokers yet that are still open or paused: what a
    /// manager may claim (an award opens its deal without one).
    pub unmanaged: bool,
}

/// Filters for application queries; `None` means "any". The caller decides visibility by
/// setting `applicant_org_id` or `listing_id` after checking who may read them.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// Only applications to this challenge.
    pub listing_id: Option<i64>,
    /// Only applications of this organisation.
    pub applicant_org_id: Option<i64>,
    /// Only this status (code).
    pub status: Option<String>,
}

/// Filters for contract queries; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    /// Only contracts this organisation is a party to.
    pub party_org_id: Option<i64>,
    /// Only contracts with a party in this district (seller or buyer).
    pub district: Option<String>,
    /// Only this registration state (code).
    pub state: Option<String>,
    /// Only contracts registered in this year.
    pub registered_year: Option<i32>,
    /// Only this contract type (code).
    pub kind: Option<String>,
    /// Only this technology field (code).
    pub field: Option<String>,
    /// Only contracts recorded from this deal.
    pub deal_id: Option<i64>,
    /// Only contracts recorded from deals this account brokers.
    pub manager_id: Option<i64>,
}

/// What a contract import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ContractImportReport {
    /// New contracts.
    pub inserted: usize,
    /// Contracts whose registration number was known, replaced by the row.
    pub updated: usize,
}
