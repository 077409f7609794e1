//! Accounts and how they sign in: password hashes, API tokens, browser sessions, and
//! self-service registration (an organisation and its first member in one transaction).
//!
//! Whatever would let a disabled account or an old password back in is deleted in the same
//! transaction that disables the account or replaces the password.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qiao_domain::{Account, AccountContact, NewAccount, Organisation, Role};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{SqlStore, Tx, Where, now, parse_ts, ts};
use super::organisations::OrganisationStore;
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Page, Paged};
use crate::records::{Op, OrgRecord, TokenInfo};

/// How long an API token works unless its creator asks for less (or more, up to a year).
pub const TOKEN_DAYS: i64 = 90;

/// Accounts, their API tokens and browser sessions, and registration.
#[async_trait]
pub trait AccountStore: Send + Sync {
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
    /// Stores an API token's hash for an account, valid for [`TOKEN_DAYS`]; returns the
    /// token's id.
    async fn create_token(&self, account_id: i64, name: &str, token_hash: &str) -> Result<i64> {
        let expires = now() + chrono::Duration::days(TOKEN_DAYS);
        self.create_token_until(account_id, name, token_hash, expires)
            .await
    }
    /// Stores an API token's hash for an account, valid until `expires_at`; returns its id.
    async fn create_token_until(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64>;
    /// The account an API token (by hash) belongs to; `None` for a disabled account or an
    /// expired token.
    async fn account_for_token(&self, token_hash: &str) -> Result<Option<Account>>;
    /// An account's API tokens, newest first (never their hashes).
    async fn tokens_of(&self, account_id: i64) -> Result<Vec<TokenInfo>>;
    /// Revokes one of `account_id`'s tokens; not found when it has no token `id`.
    async fn revoke_token(&self, account_id: i64, id: i64) -> Result<()>;

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
    /// Sets the e-mail address and telephone of account `id` (validated by the caller;
    /// `None` clears one).
    async fn set_account_contact(&self, id: i64, contact: &AccountContact) -> Result<Account>;
}

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, org_id, disabled_at, email, phone";

pub(crate) fn account_from_row(row: &AnyRow) -> Result<Account> {
    let role: String = row.try_get("role")?;
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        org_id: row.try_get("org_id")?,
        disabled_at: row
            .try_get::<Option<String>, _>("disabled_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
    })
}

/// Ends every browser session and deletes every API token of an account, inside `tx`.
async fn revoke_access(tx: &mut Tx, account_id: i64) -> Result<()> {
    for table in ["sessions", "tokens"] {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE account_id = $1"
        )))
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl SqlStore {
    /// Inserts an account and its change in `tx`.
    pub(crate) async fn insert_account(
        &self,
        tx: &mut Tx,
        a: &NewAccount,
        password_hash: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO accounts (username, display_name, role, org_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&a.username)
        .bind(a.display_name.clone().unwrap_or_else(|| a.username.clone()))
        .bind(a.role.as_str())
        .bind(a.org_id)
        .bind(password_hash)
        .bind(ts(now()))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("username `{}` is taken", a.username)))?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "account", id, Op::Insert, None)
            .await?;
        Ok(id)
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_account(&self, a: &NewAccount, password_hash: &str) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let id = self.insert_account(&mut tx, a, password_hash).await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn update_account(&self, id: i64, role: Role, org_id: Option<i64>) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "account", id).await?;
        let done = sqlx::query("UPDATE accounts SET role = $1, org_id = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(org_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, || "account update conflicts".into()))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("account", id));
        }
        self.record_change(&mut tx, "account", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn set_account_disabled(&self, id: i64, disabled: bool) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "account", id).await?;
        // Disabling twice keeps the first time: `disabled_at` says since when the account has
        // been out of use, not when an admin last pressed the button.
        let done = if disabled {
            sqlx::query("UPDATE accounts SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2")
                .bind(ts(now()))
                .bind(id)
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query("UPDATE accounts SET disabled_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("account", id));
        }
        if disabled {
            // Revoked, not merely refused: re-enabling must not bring back a token that was
            // handed out before (and may have leaked since).
            revoke_access(&mut tx, id).await?;
        }
        self.record_change(&mut tx, "account", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn set_password(&self, id: i64, password_hash: &str) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "account", id).await?;
        let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("account", id));
        }
        // A reset usually means the old password is known to someone else: whatever they
        // signed in with under it goes too, in the same transaction as the new hash.
        revoke_access(&mut tx, id).await?;
        self.record_change(&mut tx, "account", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn set_account_contact(&self, id: i64, contact: &AccountContact) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "account", id).await?;
        let done = sqlx::query("UPDATE accounts SET email = $1, phone = $2 WHERE id = $3")
            .bind(contact.email.clone())
            .bind(contact.phone.clone())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("account", id));
        }
        // The change is recorded (who changed their account when); the feed's account
        // snapshot leaves the address and number out, so the audit log holds no personal data.
        self.record_change(&mut tx, "account", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn get_account(&self, id: i64) -> Result<Account> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        account_from_row(&row.ok_or_else(|| StoreError::not_found("account", id))?)
    }

    async fn account_for_login(&self, username: &str) -> Result<Option<(Account, String)>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE username = $1 AND disabled_at IS NULL"
        )))
        .bind(username.trim())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((account_from_row(&r)?, r.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    async fn list_accounts(&self, page: Page) -> Result<Paged<Account>> {
        self.fetch_page(
            "accounts",
            ACCOUNT_COLUMNS,
            &Where::default(),
            "id",
            page,
            account_from_row,
        )
        .await
    }

    async fn create_token_until(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("INSERT INTO tokens (account_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(account_id)
            .bind(name)
            .bind(token_hash)
            .bind(ts(now()))
            .bind(ts(expires_at))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, || "token already exists".into()))?;
        tx.commit().await?;
        Ok(row.try_get(0)?)
    }

    async fn account_for_token(&self, token_hash: &str) -> Result<Option<Account>> {
        let row = sqlx::query(
            // The tokens of a disabled account are deleted when it is disabled; the condition
            // on `disabled_at` is the second lock on the same door.
            // Timestamps are stored in one fixed-width UTC format (`ts`), so they compare as
            // text on both backends.
            "SELECT a.id, a.username, a.display_name, a.role, a.org_id, a.disabled_at, a.email, a.phone FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1 AND a.disabled_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(ts(now()))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    async fn tokens_of(&self, account_id: i64) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, expires_at FROM tokens WHERE account_id = $1 ORDER BY id DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    expires_at: r
                        .try_get::<Option<String>, _>("expires_at")?
                        .as_deref()
                        .map(parse_ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    async fn revoke_token(&self, account_id: i64, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM tokens WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("token", id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn register(
        &self,
        org: &Organisation,
        account: &NewAccount,
        password_hash: &str,
    ) -> Result<(OrgRecord, Account)> {
        let mut tx = self.write_tx().await?;
        // The write lock is held from here to the commit, so every change numbered after this
        // one is this registration's.
        let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&mut *tx)
            .await?;
        let t = now();
        let org_id = self.insert_org(&mut tx, None, org, t, t).await?;
        let mut account = account.clone();
        account.org_id = Some(org_id);
        let account_id = self
            .insert_account(&mut tx, &account, password_hash)
            .await?;
        // Someone registering acts for themselves: the audit log names the new account as
        // the author of both records (it cannot be known before the account exists). An
        // explicit actor (an admin registering on someone's behalf) is kept.
        if self.actor.is_none() {
            sqlx::query("UPDATE changes SET actor_id = $1 WHERE seq > $2")
                .bind(account_id)
                .bind(before)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((
            self.get_org(org_id).await?,
            self.get_account(account_id).await?,
        ))
    }

    async fn create_session(
        &self,
        account_id: i64,
        token_hash: &str,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // Expired sessions are swept by whoever logs in next; no timer to run.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ts(now()))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(csrf)
        .bind(ts(now()))
        .bind(ts(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, || "session already exists".into()))?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<(Account, String)>> {
        let cols = ACCOUNT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {cols}, s.csrf FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL"
        )))
        .bind(token_hash)
        .bind(ts(now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((account_from_row(&r)?, r.try_get("csrf")?)))
            .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
