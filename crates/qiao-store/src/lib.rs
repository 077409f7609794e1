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
//!
//! [`Store`] is the union of one trait per aggregate ([`OrganisationStore`], [`ListingStore`],
//! [`AccountStore`], [`ContactStore`], [`DocumentStore`], [`PlanStore`], [`DealStore`], [`ContractStore`], [`ValuationStore`],
//! [`ApplicationStore`], [`ThreadStore`], [`AttachmentStore`], [`BookingStore`], [`VoucherStore`],
//! [`FeedStore`],
//! [`BackupStore`]); each lives with its SQL and row mapping in a file of its own under `sql/`.
//! Callers hold an `Arc<dyn Store>` and call any method on it without importing the aggregate
//! traits; code holding a concrete [`SqlStore`] imports the trait it calls (or `use
//! qiao_store::prelude::*`).

mod booking_records;
pub mod diff;
mod error;
mod query;
mod records;
mod sql;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use booking_records::{
    BookingChange, BookingFilter, BookingRecord, SlotBackup, SlotFilter, SlotRecord, VoucherRecord,
    VoucherTotals,
};
pub use error::{Result, StoreError};
pub use query::{
    ApplicationFilter, AuditFilter, ContractFilter, ContractImportReport, DealFilter, Drafts,
    ImportListing, ImportReport, ListingFilter, OrgFilter, Page, Paged,
};
pub use records::{
    AccountRow, ApplicationBackup, ApplicationChange, ApplicationEventRecord, ApplicationRecord,
    AttachmentBackup, AuditEntry, Backup, BackupItem, Change, ContactFilter, ContractBackup,
    ContractEventRecord, ContractRecord, ContractStatistics, DealBackup, DealEventRecord,
    DealRecord, DocumentFilter, DocumentRecord, DocumentState, FieldChange, ListingRecord,
    ManagerCredit, NewDocument, Op, OrgRecord, PolicyRecord, TargetFilter, TargetRecord, TokenInfo,
    TokenRow, Turnover, ValuationRecord, ValuationSubject,
};
pub use sql::{
    AccountStore, ApplicationStore, AttachmentStore, Backend, BackupStore, BookingStore,
    ContactStore, ContractStore, DealStore, Delivery, DocumentStore, Facet, FeedStore,
    ListingStore, MAX_RECIPIENTS, Mail, NotificationStore, OrganisationStore, PlanStore,
    QueuedMail, Recipient, SqlStore, Store, TOKEN_DAYS, ThreadStore, ValuationStore, Verdict,
    VoucherStore,
};

/// The store traits, for code that calls store methods on a concrete [`SqlStore`] (an
/// `Arc<dyn Store>` needs no imports): `use qiao_store::prelude::*;`.
pub mod prelude {
    pub use crate::sql::{
        AccountStore, ApplicationStore, AttachmentStore, BackupStore, BookingStore, ContactStore,
        ContractStore, DealStore, DocumentStore, FeedStore, ListingStore, NotificationStore,
        OrganisationStore, PlanStore, Store, ThreadStore, ValuationStore, VoucherStore,
    };
}

/// Opens the store a URL names, creating and migrating the database as needed.
///
/// `sqlite://PATH` (or a bare path ending in `.db`) opens or creates a SQLite file;
/// `postgres://…` connects to PostgreSQL.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    Ok(std::sync::Arc::new(SqlStore::open(url).await?))
}
