//! Qiao's storage: the [`Store`] trait, one implementation per backend, and the change feed.
//!
//! The database is the source of truth. Every write happens in one transaction that also appends
//! a row to the change feed (`changes`), numbered in commit order; derived views such as the search
//! index follow that feed by sequence number and can always be rebuilt from it.
//!
//! Backends are chosen by URL: `sqlite://path/to/qiao.db` (the embedded default: one file, WAL,
//! migrations run at start) or `postgres://…` (the scale-out mode: several app processes share
//! one server). Both run the same SQL through sqlx's `Any` driver; what differs between them
//! (migrations, how a writer takes the write lock, integrity checks) lives in [`Backend`].

mod error;
mod plans;
mod records;
mod sql;
#[cfg(feature = "test-support")]
pub mod test_support;
mod workflow;

use async_trait::async_trait;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use qiao_domain::{
    Account, ContactRequest, Decision, Kind, Listing, NewAccount, Organisation, Policy, Target,
};

pub use error::{Result, StoreError};
pub use records::{
    AccountRow, AuditEntry, Backup, BackupItem, Change, ContactFilter, DocumentFilter,
    DocumentRecord, ListingRecord, NewDocument, Op, OrgRecord, PolicyRecord, TargetFilter,
    TargetRecord, TokenRow,
};
pub use sql::{Backend, SqlStore};

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

    fn offset(self) -> i64 {
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

/// Everything Qiao keeps, behind one interface with one implementation per backend.
///
/// Every method that writes does so in a single transaction together with its change-feed
/// rows: after a crash either all of a call's effects are stored or none.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// The same store, with every change it writes recorded as made by `account_id` (the
    /// audit log). Handlers write through it on behalf of the signed-in account.
    fn acting_as(&self, account_id: i64) -> std::sync::Arc<dyn Store>;

    /// Registers an organisation. Conflict if its credit code is taken.
    async fn create_org(&self, org: &Organisation) -> Result<OrgRecord>;
    /// One organisation.
    async fn get_org(&self, id: i64) -> Result<OrgRecord>;
    /// One organisation by 统一社会信用代码.
    async fn org_by_credit_code(&self, code: &str) -> Result<Option<OrgRecord>>;
    /// Replaces an organisation's fields.
    async fn update_org(&self, id: i64, org: &Organisation) -> Result<OrgRecord>;
    /// Deletes an organisation. Conflict while listings or accounts still belong to it.
    async fn delete_org(&self, id: i64) -> Result<()>;
    /// Organisations matching `filter`, by id.
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> Result<Paged<OrgRecord>>;

    /// Creates an account with an already-hashed password. Conflict if the username is taken.
    async fn create_account(&self, account: &NewAccount, password_hash: &str) -> Result<Account>;
    /// One account.
    async fn get_account(&self, id: i64) -> Result<Account>;
    /// Changes an account's role and organisation (admins do this). Not found for a missing
    /// account; conflict for a missing organisation.
    async fn update_account(
        &self,
        id: i64,
        role: qiao_domain::Role,
        org_id: Option<i64>,
    ) -> Result<Account>;
    /// Disables (`true`) or re-enables (`false`) an account. Disabling stamps `disabled_at`
    /// (the first stamp is kept if it was disabled already) and deletes the account's sessions
    /// and API tokens in the same transaction, so they stop working at once; a re-enabled
    /// account signs in afresh. Recorded in the audit log as an update of the account. Not
    /// found for a missing account.
    async fn set_account_disabled(&self, id: i64, disabled: bool) -> Result<Account>;
    /// Replaces an account's password hash (already hashed) and deletes its sessions and API
    /// tokens, in one transaction; recorded in the audit log as an update of the account (the
    /// hash is not part of the log). Not found for a missing account.
    async fn set_password(&self, id: i64, password_hash: &str) -> Result<Account>;
    /// An account and its password hash, by username (for logging in). A disabled account is
    /// not found: every way of signing in then refuses it exactly as it refuses a wrong
    /// password.
    async fn account_for_login(&self, username: &str) -> Result<Option<(Account, String)>>;
    /// All accounts, by id.
    async fn list_accounts(&self, page: Page) -> Result<Paged<Account>>;
    /// Stores an API token's hash for an account; returns the token's id.
    async fn create_token(&self, account_id: i64, name: &str, token_hash: &str) -> Result<i64>;
    /// The account an API token (by hash) belongs to; `None` for a disabled account.
    async fn account_for_token(&self, token_hash: &str) -> Result<Option<Account>>;

    /// Self-service registration: the organisation and its first member account, in one
    /// transaction (the account's `org_id` is set to the new organisation). Conflict if the
    /// credit code or the username is taken; then neither is stored.
    async fn register(
        &self,
        org: &Organisation,
        account: &NewAccount,
        password_hash: &str,
    ) -> Result<(OrgRecord, Account)>;
    /// Stores a browser session (by the SHA-256 of its cookie) with its CSRF token.
    async fn create_session(
        &self,
        account_id: i64,
        token_hash: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// The account and CSRF token of an unexpired session; `None` for a disabled account.
    async fn session(&self, token_hash: &str) -> Result<Option<(Account, String)>>;
    /// Ends a session (logging out).
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    /// Asks a listing's owner for its contact details. Not found for a missing listing;
    /// conflict for one's own listing or while an earlier request is pending or accepted.
    async fn create_contact_request(
        &self,
        listing_id: i64,
        requester: &Account,
        message: &str,
    ) -> Result<ContactRequest>;
    /// One contact request.
    async fn get_contact_request(&self, id: i64) -> Result<ContactRequest>;
    /// Accepts or declines a pending request. Conflict if it was already decided.
    async fn decide_contact_request(&self, id: i64, decision: &Decision) -> Result<ContactRequest>;
    /// Contact requests matching `filter`, newest first.
    async fn contact_requests(
        &self,
        filter: &ContactFilter,
        page: Page,
    ) -> Result<Paged<ContactRequest>>;
    /// Whether the owner of `listing_id` accepted a request from `who` or their organisation.
    async fn contact_granted(&self, listing_id: i64, who: &Account) -> Result<bool>;
    /// The audit log: every change with who made it, newest first.
    async fn audit_log(&self, page: Page) -> Result<Paged<crate::AuditEntry>>;

    /// Stores a new, validated listing.
    async fn create_listing(
        &self,
        owner_org_id: Option<i64>,
        listing: &Listing,
    ) -> Result<ListingRecord>;
    /// One listing.
    async fn get_listing(&self, id: i64) -> Result<ListingRecord>;
    /// The listings among `ids` that exist, in id order (missing ids are skipped).
    async fn get_listings(&self, ids: &[i64]) -> Result<Vec<ListingRecord>>;
    /// Replaces a listing's fields; its kind cannot change.
    async fn update_listing(&self, id: i64, listing: &Listing) -> Result<ListingRecord>;
    /// Deletes a listing.
    async fn delete_listing(&self, id: i64) -> Result<()>;
    /// Listings matching `filter`, newest first.
    async fn list_listings(
        &self,
        filter: &ListingFilter,
        page: Page,
    ) -> Result<Paged<ListingRecord>>;
    /// One page of [`list_listings`](Store::list_listings) without counting every match, for
    /// callers that know the total already (a count cached at a change-feed position).
    async fn list_listing_items(
        &self,
        filter: &ListingFilter,
        page: Page,
    ) -> Result<Vec<ListingRecord>>;

    /// Writes a whole batch in one transaction: organisations are created or updated by credit
    /// code, then listings created or updated by id. Nothing is stored if any item fails.
    async fn import(
        &self,
        orgs: &[Organisation],
        listings: &[ImportListing],
    ) -> Result<ImportReport>;

    /// Stores an imported document (change-feed entity `document`). Conflict naming the stored
    /// document when one with the same `sha256` exists ("already imported as document N").
    async fn create_document(&self, document: &NewDocument) -> Result<DocumentRecord>;
    /// Stores several imported documents in one transaction, in order: all or none. Conflict
    /// when any of them (by `sha256`) is stored already.
    async fn create_documents(&self, documents: &[NewDocument]) -> Result<Vec<DocumentRecord>>;
    /// One document.
    async fn get_document(&self, id: i64) -> Result<DocumentRecord>;
    /// The documents among `ids` that exist, in id order (missing ids are skipped).
    async fn get_documents(&self, ids: &[i64]) -> Result<Vec<DocumentRecord>>;
    /// The document imported from bytes with this SHA-256, if any.
    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentRecord>>;
    /// Documents matching `filter`, newest first.
    async fn list_documents(
        &self,
        filter: &DocumentFilter,
        page: Page,
    ) -> Result<Paged<DocumentRecord>>;
    /// Deletes a document.
    async fn delete_document(&self, id: i64) -> Result<()>;

    /// Stores a new, validated policy (change-feed entity `policy`).
    async fn create_policy(&self, policy: &Policy) -> Result<PolicyRecord>;
    /// One policy.
    async fn get_policy(&self, id: i64) -> Result<PolicyRecord>;
    /// Replaces a policy's fields.
    async fn update_policy(&self, id: i64, policy: &Policy) -> Result<PolicyRecord>;
    /// Deletes a policy.
    async fn delete_policy(&self, id: i64) -> Result<()>;
    /// Policies, newest first.
    async fn list_policies(&self, page: Page) -> Result<Paged<PolicyRecord>>;

    /// Stores validated targets in one transaction (change-feed entity `target`), in order.
    async fn create_targets(&self, targets: &[Target]) -> Result<Vec<TargetRecord>>;
    /// One target.
    async fn get_target(&self, id: i64) -> Result<TargetRecord>;
    /// Replaces a target's fields.
    async fn update_target(&self, id: i64, target: &Target) -> Result<TargetRecord>;
    /// Deletes a target.
    async fn delete_target(&self, id: i64) -> Result<()>;
    /// Targets matching `filter`, the latest year first.
    async fn list_targets(&self, filter: &TargetFilter, page: Page) -> Result<Paged<TargetRecord>>;

    /// Change-feed entries after `seq`, oldest first, at most `limit`.
    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>>;
    /// The newest change-feed number (0 when empty).
    async fn last_seq(&self) -> Result<i64>;

    /// Runs the backend's integrity check; returns the problems found (empty when healthy).
    async fn integrity_check(&self) -> Result<Vec<String>>;
    /// A consistent copy of every record, read in one transaction.
    async fn backup(&self) -> Result<Backup>;
    /// Loads a backup into an empty store, in one transaction. Conflict if the store has records.
    async fn restore(&self, backup: &Backup) -> Result<()>;
}

/// Opens the store a URL names, creating and migrating the database as needed.
///
/// `sqlite://PATH` (or a bare path ending in `.db`) opens or creates a SQLite file;
/// `postgres://…` connects to PostgreSQL.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    Ok(std::sync::Arc::new(SqlStore::open(url).await?))
}
