//! The [`Store`] interface, one trait per aggregate, and its SQL implementation for both
//! backends.
//!
//! One body of SQL serves SQLite and PostgreSQL: placeholders are `$1, $2, …` in order of
//! appearance (both engines accept that), timestamps and dates are ISO-8601 text (sortable as
//! text and identical on both), and each record's typed JSON sits in a `body` column beside the
//! few columns that filters and constraints need. What genuinely differs is in [`Backend`].
//!
//! Each aggregate's file holds its trait, its queries and its row mapping. Dependencies point one
//! way: [`base`] (pool, dialect, transactions, the change-feed write) and [`migrate`] stand under
//! everything; [`listings`] (imports) and [`accounts`] (registration) also write organisations
//! through [`organisations`]; [`contracts`] reads deal managers for credit by manager;
//! [`valuations`] keeps saved valuation versions and their reference table;
//! [`applications`] keeps applications to challenges and writes the deal an award opens;
//! [`threads`] posts messages with their files through [`attachments`] (which holds files'
//! bytes in the database for both backends, and says why);
//! [`vouchers`] keeps 创新券 and their balances; [`bookings`] keeps instruments' slots and their
//! bookings, and moves a voucher's balance in the same transaction as a booking's step;
//! [`notifications`] keeps the inbox, preferences, followed challenges and the e-mail outbox;
//! [`backup`] reads and writes through all of them; this file only
//! ties them together.

mod accounts;
mod applications;
mod attachments;
mod backup;
mod base;
mod bookings;
mod contacts;
mod contracts;
mod deals;
mod documents;
mod feed;
mod listings;
mod migrate;
mod notifications;
mod organisations;
mod plans;
mod threads;
mod valuations;
mod vouchers;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

pub use self::accounts::{AccountStore, TOKEN_DAYS};
pub use self::applications::ApplicationStore;
pub use self::attachments::AttachmentStore;
pub use self::backup::BackupStore;
pub use self::base::{Backend, SqlStore};
pub use self::bookings::BookingStore;
pub use self::contacts::ContactStore;
pub use self::contracts::ContractStore;
pub use self::deals::DealStore;
pub use self::documents::DocumentStore;
pub use self::feed::FeedStore;
pub use self::listings::{Facet, ListingStore};
pub use self::notifications::{
    Delivery, MAX_RECIPIENTS, Mail, NotificationStore, QueuedMail, Recipient,
};
pub use self::organisations::{OrganisationStore, Verdict};
pub use self::plans::PlanStore;
pub use self::threads::ThreadStore;
pub use self::valuations::ValuationStore;
pub use self::vouchers::VoucherStore;
use crate::error::Result;

/// Everything Qiao keeps, behind one interface with one implementation per backend: the union
/// of the aggregate traits, so that `Arc<dyn Store>` reaches every method.
///
/// Every method that writes does so in a single transaction together with its change-feed
/// rows: after a crash either all of a call's effects are stored or none.
pub trait Store:
    OrganisationStore
    + ListingStore
    + AccountStore
    + ContactStore
    + DocumentStore
    + PlanStore
    + DealStore
    + ContractStore
    + ValuationStore
    + ApplicationStore
    + ThreadStore
    + AttachmentStore
    + BookingStore
    + VoucherStore
    + NotificationStore
    + FeedStore
    + BackupStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// The same store, with every change it writes recorded as made by `account_id` (the
    /// audit log). Handlers write through it on behalf of the signed-in account.
    fn acting_as(&self, account_id: i64) -> Arc<dyn Store>;
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn acting_as(&self, account_id: i64) -> Arc<dyn Store> {
        Arc::new(SqlStore {
            actor: Some(account_id),
            ..self.clone()
        })
    }
}

impl SqlStore {
    /// Connects to (and, for SQLite, creates) the database `url` names and runs pending
    /// migrations.
    pub async fn open(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers proceed while one writer commits; NORMAL sync is
                            // durable across application crashes (only an OS crash can lose the
                            // last commits, never corrupt the file). 32 MB of page cache per
                            // connection (the default is 2 MB) keeps the indexes of a million
                            // contracts in memory while an import writes them.
                            sqlx::raw_sql(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA cache_size = -32000;",
                            )
                            .execute(conn)
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        let store = SqlStore {
            pool,
            backend,
            actor: None,
        };
        let mut tx = store.write_tx().await?;
        migrate::run(&mut tx, backend).await?;
        tx.commit().await?;
        Ok(store)
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
