//! Backups, restores and integrity checks: the only code that reads or writes every table at
//! once. It stands above the other aggregates and reuses their row mapping and inserts, so a
//! restored record is written exactly as a new one would be (with its change-feed row).

use async_trait::async_trait;
use sqlx::{AssertSqlSafe, Row};

use super::accounts::{ACCOUNT_COLUMNS, account_from_row};
use super::applications::{APPLICATION_COLUMNS, application_from_row};
use super::base::{Backend, SqlStore, parse_ts, ts};
use super::contacts::{CONTACT_COLUMNS, contact_from_row};
use super::contracts::{CONTRACT_COLUMNS, contract_from_row};
use super::deals::{DEAL_COLUMNS, deal_from_row};
use super::documents::{DOCUMENT_COLUMNS, document_from_row};
use super::listings::{LISTING_COLUMNS, listing_from_row};
use super::organisations::{ORG_COLUMNS, org_from_row};
use super::plans::{POLICY_COLUMNS, TARGET_COLUMNS, policy_from_row, target_from_row};
use super::threads::{MESSAGE_COLUMNS, message_from_row};
use super::valuations::{VALUATION_COLUMNS, valuation_from_row};
use super::vouchers::{VOUCHER_COLUMNS, voucher_from_row};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::records::{
    AccountRow, ApplicationBackup, Backup, BackupItem, ContractBackup, DealBackup, Op, TokenRow,
};

/// Whole-store copies and health checks.
#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Runs the backend's integrity check; returns the problems found (empty when healthy).
    async fn integrity_check(&self) -> Result<Vec<String>>;
    /// A consistent copy of every record, read in one transaction.
    async fn backup(&self) -> Result<Backup>;
    /// Loads a backup into an empty store, in one transaction. Conflict if the store has records.
    async fn restore(&self, backup: &Backup) -> Result<()>;
}

impl SqlStore {
    async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM listings) + (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM policies) + (SELECT COUNT(*) FROM targets) + (SELECT COUNT(*) FROM deals) + (SELECT COUNT(*) FROM contracts) + (SELECT COUNT(*) FROM valuations) + (SELECT COUNT(*) FROM applications) + (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM attachments) + (SELECT COUNT(*) FROM vouchers) + (SELECT COUNT(*) FROM instrument_slots)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }
}

#[async_trait]
impl BackupStore for SqlStore {
    async fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.backend == Backend::Sqlite {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(&self.pool)
                .await?;
            problems.extend(rows.into_iter().filter(|r| r != "ok"));
            let fk = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&self.pool)
                .await?;
            if !fk.is_empty() {
                problems.push(format!("{} rows break foreign keys", fk.len()));
            }
        }
        // Every body must parse back into its record type on either backend.
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM listings"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            if let Err(e) = listing_from_row(&row) {
                problems.push(e.to_string());
            }
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            if let Err(e) = org_from_row(&row) {
                problems.push(e.to_string());
            }
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            if let Err(e) = document_from_row(&row) {
                problems.push(e.to_string());
            }
        }
        Ok(problems)
    }

    async fn backup(&self) -> Result<Backup> {
        // One read transaction gives a consistent snapshot on both engines (a WAL read snapshot
        // on SQLite; REPEATABLE READ on PostgreSQL).
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .await?
            }
        };
        let mut items = Vec::new();
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Organisation(org_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, password_hash, created_at FROM accounts ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Account(AccountRow {
                account: account_from_row(&row)?,
                password_hash: row.try_get("password_hash")?,
                created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
            }));
        }
        for row in sqlx::query(
            "SELECT id, account_id, name, token_hash, created_at, expires_at FROM tokens ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Token(TokenRow {
                id: row.try_get("id")?,
                account_id: row.try_get("account_id")?,
                name: row.try_get("name")?,
                token_hash: row.try_get("token_hash")?,
                created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
                expires_at: row
                    .try_get::<Option<String>, _>("expires_at")?
                    .as_deref()
                    .map(parse_ts)
                    .transpose()?,
            }));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM listings ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Listing(listing_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM contact_requests ORDER BY id",
            CONTACT_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::ContactRequest(contact_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Document(document_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM policies ORDER BY id",
            POLICY_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Policy(policy_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM targets ORDER BY id",
            TARGET_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Target(target_from_row(&row)?));
        }
        let mut deal_events = std::collections::HashMap::<i64, Vec<_>>::new();
        for e in self.all_deal_events(&mut tx).await? {
            deal_events.entry(e.deal_id).or_default().push(e);
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {DEAL_COLUMNS} FROM deals ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            let record = deal_from_row(&row)?;
            let events = deal_events.remove(&record.id).unwrap_or_default();
            items.push(BackupItem::Deal(DealBackup { record, events }));
        }
        let mut contract_events = std::collections::HashMap::<i64, Vec<_>>::new();
        for e in self.all_contract_events(&mut tx).await? {
            contract_events.entry(e.contract_id).or_default().push(e);
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            let record = contract_from_row(&row)?;
            let events = contract_events.remove(&record.id).unwrap_or_default();
            items.push(BackupItem::Contract(ContractBackup { record, events }));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {VALUATION_COLUMNS} FROM valuations ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Valuation(Box::new(valuation_from_row(&row)?)));
        }
        let mut application_events = std::collections::HashMap::<i64, Vec<_>>::new();
        for e in self.all_application_events(&mut tx).await? {
            application_events
                .entry(e.application_id)
                .or_default()
                .push(e);
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            let record = application_from_row(&row)?;
            let events = application_events.remove(&record.id).unwrap_or_default();
            items.push(BackupItem::Application(Box::new(ApplicationBackup {
                record,
                events,
            })));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Message(message_from_row(&row)?));
        }
        // Vouchers before the slots whose bookings spend them.
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {VOUCHER_COLUMNS} FROM vouchers ORDER BY id"
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Voucher(Box::new(voucher_from_row(&row)?)));
        }
        for s in self.all_slots(&mut tx).await? {
            items.push(BackupItem::Slot(Box::new(s)));
        }
        // Each account's choices of notifications and followed challenges (the inbox itself
        // and the e-mail outbox are not kept, like sessions: they are about the moment).
        for row in sqlx::query(
            "SELECT account_id, kind, in_app, email FROM notification_preferences ORDER BY account_id, kind",
        )
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::NotificationPreference {
                account_id: row.try_get("account_id")?,
                kind: row.try_get("kind")?,
                in_app: row.try_get::<i64, _>("in_app")? != 0,
                email: row.try_get::<i64, _>("email")? != 0,
            });
        }
        for row in sqlx::query(
            "SELECT account_id, listing_id, created_at FROM challenge_follows ORDER BY account_id, listing_id",
        )
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::ChallengeFollow {
                account_id: row.try_get("account_id")?,
                listing_id: row.try_get("listing_id")?,
                created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
            });
        }
        // Files last but for settings: every record they belong to is restored before them.
        for a in self.all_attachments(&mut tx).await? {
            items.push(BackupItem::Attachment(Box::new(a)));
        }
        for row in sqlx::query("SELECT key, body FROM settings ORDER BY key")
            .fetch_all(&mut *tx)
            .await?
        {
            items.push(BackupItem::Setting {
                key: row.try_get("key")?,
                body: super::base::from_json("setting", &row.try_get::<String, _>("body")?)?,
            });
        }
        tx.commit().await?;
        Ok(Backup { items })
    }

    async fn restore(&self, backup: &Backup) -> Result<()> {
        if !self.is_empty().await? {
            return Err(StoreError::Conflict(
                "restore needs an empty database; this one already holds records".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        for item in &backup.items {
            match item {
                BackupItem::Organisation(o) => {
                    self.insert_org(&mut tx, Some(o.id), &o.org, o.created_at, o.updated_at)
                        .await?;
                }
                BackupItem::Account(a) => {
                    sqlx::query(
                        "INSERT INTO accounts (id, username, display_name, role, org_id, password_hash, created_at, disabled_at, email, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(a.account.id)
                    .bind(&a.account.username)
                    .bind(&a.account.display_name)
                    .bind(a.account.role.as_str())
                    .bind(a.account.org_id)
                    .bind(&a.password_hash)
                    .bind(ts(a.created_at))
                    .bind(a.account.disabled_at.map(ts))
                    .bind(a.account.email.clone())
                    .bind(a.account.phone.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_on_unique(e, || format!("username `{}` appears twice", a.account.username)))?;
                    self.record_change(&mut tx, "account", a.account.id, Op::Insert, None)
                        .await?;
                }
                BackupItem::Token(t) => {
                    sqlx::query("INSERT INTO tokens (id, account_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(t.id)
                        .bind(t.account_id)
                        .bind(&t.name)
                        .bind(&t.token_hash)
                        .bind(ts(t.created_at))
                        .bind(t.expires_at.map(ts))
                        .execute(&mut *tx)
                        .await?;
                }
                BackupItem::Listing(l) => {
                    self.insert_listing(
                        &mut tx,
                        Some(l.id),
                        l.owner_org_id,
                        &l.listing,
                        l.created_at,
                        l.updated_at,
                    )
                    .await?;
                }
                BackupItem::ContactRequest(c) => self.restore_contact(&mut tx, c).await?,
                BackupItem::Document(d) => {
                    self.insert_document(
                        &mut tx,
                        Some(d.id),
                        d.imported_by,
                        &d.document,
                        d.created_at,
                        d.updated_at,
                    )
                    .await?;
                }
                BackupItem::Policy(p) => {
                    self.insert_policy(&mut tx, Some(p.id), &p.policy, p.created_at, p.updated_at)
                        .await?;
                }
                BackupItem::Target(t) => {
                    self.insert_target(&mut tx, Some(t.id), &t.target, t.created_at, t.updated_at)
                        .await?;
                }
                BackupItem::Deal(d) => self.restore_deal(&mut tx, &d.record, &d.events).await?,
                BackupItem::Contract(c) => {
                    self.restore_contract(&mut tx, &c.record, &c.events).await?;
                }
                BackupItem::Valuation(v) => {
                    self.insert_valuation(&mut tx, v).await?;
                }
                BackupItem::Application(a) => {
                    self.restore_application(&mut tx, &a.record, &a.events)
                        .await?;
                }
                BackupItem::Message(m) => {
                    self.insert_message(&mut tx, m).await?;
                }
                BackupItem::Voucher(v) => {
                    self.insert_voucher(&mut tx, Some(v), &v.voucher).await?;
                }
                BackupItem::Slot(s) => self.restore_slot(&mut tx, s).await?,
                BackupItem::NotificationPreference {
                    account_id,
                    kind,
                    in_app,
                    email,
                } => {
                    sqlx::query(
                        "INSERT INTO notification_preferences (account_id, kind, in_app, email) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(account_id)
                    .bind(kind)
                    .bind(i64::from(*in_app))
                    .bind(i64::from(*email))
                    .execute(&mut *tx)
                    .await?;
                }
                BackupItem::ChallengeFollow {
                    account_id,
                    listing_id,
                    created_at,
                } => {
                    sqlx::query(
                        "INSERT INTO challenge_follows (account_id, listing_id, created_at) VALUES ($1, $2, $3)",
                    )
                    .bind(account_id)
                    .bind(listing_id)
                    .bind(ts(*created_at))
                    .execute(&mut *tx)
                    .await?;
                }
                BackupItem::Attachment(a) => {
                    self.insert_attachment(&mut tx, &a.record, &a.bytes).await?;
                }
                BackupItem::Setting { key, body } => {
                    sqlx::query("INSERT INTO settings (key, body, updated_at) VALUES ($1, $2, $3)")
                        .bind(key)
                        .bind(super::base::json(body))
                        .bind(ts(super::base::now()))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        if self.backend == Backend::Postgres {
            // Identity columns do not see explicit ids; move them past the restored rows.
            for table in [
                "accounts",
                "tokens",
                "contact_requests",
                "documents",
                "deals",
                "deal_events",
                "contracts",
                "contract_events",
                "valuations",
                "applications",
                "application_events",
                "messages",
                "attachments",
                "vouchers",
                "instrument_slots",
                "bookings",
            ] {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
