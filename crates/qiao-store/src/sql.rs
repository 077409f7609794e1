//! The SQL implementation of [`Store`] for both backends.
//!
//! One body of SQL serves SQLite and PostgreSQL: placeholders are `$1, $2, …` in order of
//! appearance (both engines accept that), timestamps and dates are ISO-8601 text (sortable as
//! text and identical on both), and each record's typed JSON sits in a `body` column beside the
//! few columns that filters and constraints need. What genuinely differs is in [`Backend`].

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use qiao_domain::{
    Account, ContactRequest, Decision, Listing, NewAccount, Organisation, Policy, Role, Target,
};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, AssertSqlSafe, Row, Transaction};

use crate::error::{Result, StoreError, conflict_on_unique};
use crate::records::{
    AccountRow, AuditEntry, Backup, BackupItem, Change, ContactFilter, DocumentFilter,
    DocumentRecord, ListingRecord, NewDocument, Op, OrgRecord, PolicyRecord, TargetFilter,
    TargetRecord, TokenRow,
};
use crate::{Drafts, ImportListing, ImportReport, ListingFilter, OrgFilter, Page, Paged, Store};

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Migrations, in order; append only.
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_sessions_contacts_audit.sql"),
    ),
    (
        3,
        include_str!("../migrations/sqlite/0003_listing_counts.sql"),
    ),
    (4, include_str!("../migrations/sqlite/0004_documents.sql")),
    (
        5,
        include_str!("../migrations/sqlite/0005_policies_targets.sql"),
    ),
    (
        6,
        include_str!("../migrations/sqlite/0006_account_disabled.sql"),
    ),
    (
        7,
        include_str!("../migrations/sqlite/0007_listing_pages.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../migrations/postgres/0002_sessions_contacts_audit.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_listing_counts.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_documents.sql")),
    (
        5,
        include_str!("../migrations/postgres/0005_policies_targets.sql"),
    ),
    (
        6,
        include_str!("../migrations/postgres/0006_account_disabled.sql"),
    ),
    (
        7,
        include_str!("../migrations/postgres/0007_listing_pages.sql"),
    ),
];

/// Key of the PostgreSQL advisory lock every writer holds (see the postgres migration).
const WRITE_LOCK_KEY: i64 = 0x5141_494f; // "QIAO"

impl Backend {
    fn migrations(self) -> &'static [(i64, &'static str)] {
        match self {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    /// The name shown in logs and `--help`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The store over an sqlx `Any` pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// The account whose writes these are, recorded with each change (the audit log).
    pub(crate) actor: Option<i64>,
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Timestamps are stored as fixed-width UTC text so that text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{s}`: {e}")))
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise to JSON")
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what} body: {e}")))
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// Builds a `WHERE` clause whose placeholders are numbered in order of appearance.
#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Adds a condition; each `?` in `clause` becomes the next `$N` and takes one of `args`.
    pub(crate) fn and(&mut self, clause: &str, args: impl IntoIterator<Item = Arg>) {
        let mut out = String::new();
        for ch in clause.chars() {
            if ch == '?' {
                self.args.push(Arg::Int(0)); // placeholder, replaced below
                out.push_str(&format!("${}", self.args.len()));
            } else {
                out.push(ch);
            }
        }
        let n = clause.matches('?').count();
        let start = self.args.len() - n;
        let given: Vec<Arg> = args.into_iter().collect();
        assert_eq!(given.len(), n, "one argument per placeholder");
        for (slot, arg) in self.args[start..].iter_mut().zip(given) {
            *slot = arg;
        }
        self.clauses.push(out);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn next(&self) -> usize {
        self.args.len() + 1
    }
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    args: &[Arg],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

fn org_from_row(row: &AnyRow) -> Result<OrgRecord> {
    Ok(OrgRecord {
        id: row.try_get("id")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        org: from_json("organisation", &row.try_get::<String, _>("body")?)?,
    })
}

fn listing_from_row(row: &AnyRow) -> Result<ListingRecord> {
    Ok(ListingRecord {
        id: row.try_get("id")?,
        owner_org_id: row.try_get("owner_org_id")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        listing: from_json("listing", &row.try_get::<String, _>("body")?)?,
    })
}

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
    })
}

/// The parts of a document kept in its `body` column.
#[derive(serde::Deserialize)]
struct DocumentBody {
    text: String,
    removed: serde_json::Value,
    figures: serde_json::Value,
    undecodable: serde_json::Value,
}

/// [`DocumentBody`] as written: borrowed, so a large text is not copied to be serialised.
#[derive(serde::Serialize)]
struct DocumentBodyRef<'a> {
    text: &'a str,
    removed: &'a serde_json::Value,
    figures: &'a serde_json::Value,
    undecodable: &'a serde_json::Value,
}

fn document_from_row(row: &AnyRow) -> Result<DocumentRecord> {
    let body: DocumentBody = from_json("document", &row.try_get::<String, _>("body")?)?;
    Ok(DocumentRecord {
        id: row.try_get("id")?,
        imported_by: row.try_get("imported_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        document: NewDocument {
            file_name: row.try_get("file_name")?,
            sha256: row.try_get("sha256")?,
            title: row.try_get("title")?,
            published: row.try_get("published")?,
            source: row.try_get("source")?,
            doc_number: row.try_get("doc_number")?,
            script: row.try_get("script")?,
            encoding: row.try_get("encoding")?,
            text: body.text,
            removed: body.removed,
            figures: body.figures,
            undecodable: body.undecodable,
        },
    })
}

const DOCUMENT_COLUMNS: &str = "id, sha256, file_name, title, published, source, doc_number, script, encoding, body, imported_by, created_at, updated_at";
const ORG_COLUMNS: &str = "id, body, created_at, updated_at";
const LISTING_COLUMNS: &str = "id, owner_org_id, body, created_at, updated_at";
pub(crate) const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, org_id, disabled_at";

pub(crate) type Tx = Transaction<'static, Any>;

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
                            // last commits, never corrupt the file).
                            sqlx::raw_sql(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
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
        store.migrate().await?;
        Ok(store)
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS qiao_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM qiao_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        for &(version, sql) in self.backend.migrations() {
            if applied.contains(&version) {
                continue;
            }
            tracing::info!(version, backend = self.backend.name(), "applying migration");
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO qiao_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(version)
                .bind(ts(now()))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Starts a writing transaction. SQLite: `BEGIN IMMEDIATE` takes the write lock up front,
    /// so two writers queue on the busy timeout instead of failing when one upgrades a read
    /// lock. PostgreSQL: an advisory lock serialises writers so that change-feed numbers
    /// commit in order (a follower that has seen N never later finds an N-1 appear).
    pub(crate) async fn write_tx(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    pub(crate) async fn record_change(
        &self,
        tx: &mut Tx,
        entity: &str,
        id: i64,
        op: Op,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO changes (entity, entity_id, op, at, actor_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(entity)
        .bind(id)
        .bind(op.as_str())
        .bind(ts(now()))
        .bind(self.actor)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn insert_org(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        org: &Organisation,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO organisations (id, credit_code, name, kind, district, body, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM organisations)), $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(&org.credit_code)
        .bind(&org.name)
        .bind(json(&org.kind).trim_matches('"').to_string())
        .bind(org.district.clone())
        .bind(json(org))
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("an organisation with credit_code `{}` already exists", org.credit_code)))?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "organisation", id, Op::Insert)
            .await?;
        Ok(id)
    }

    async fn write_org(&self, tx: &mut Tx, id: i64, org: &Organisation) -> Result<()> {
        let done = sqlx::query(
            "UPDATE organisations SET credit_code = $1, name = $2, kind = $3, district = $4, body = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&org.credit_code)
        .bind(&org.name)
        .bind(json(&org.kind).trim_matches('"').to_string())
        .bind(org.district.clone())
        .bind(json(org))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("an organisation with credit_code `{}` already exists", org.credit_code)))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("organisation", id));
        }
        self.record_change(tx, "organisation", id, Op::Update).await
    }

    async fn insert_listing(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        owner: Option<i64>,
        listing: &Listing,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Result<i64> {
        // COALESCE keeps explicit ids (restores, imports that carry ids) and numbers new rows
        // after the largest id on both engines without touching their sequences.
        let row = sqlx::query(
            "INSERT INTO listings (id, kind, owner_org_id, title, status, district, discipline, expires_on, body, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM listings)), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(id)
        .bind(listing.kind().as_str())
        .bind(owner)
        .bind(listing.title().to_string())
        .bind(listing.status().as_str())
        .bind(listing.district().map(str::to_string))
        .bind(listing.discipline().map(str::to_string))
        .bind(listing.expires_on().map(date))
        .bind(json(listing))
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("a listing with id {} already exists", id.unwrap_or_default())))?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "listing", id, Op::Insert).await?;
        Ok(id)
    }

    async fn write_listing(&self, tx: &mut Tx, id: i64, listing: &Listing) -> Result<()> {
        let current: Option<String> = sqlx::query_scalar("SELECT kind FROM listings WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(kind) = current else {
            return Err(StoreError::not_found("listing", id));
        };
        if kind != listing.kind().as_str() {
            return Err(StoreError::Conflict(format!(
                "listing {id} is a {kind}; it cannot become a {}",
                listing.kind().as_str()
            )));
        }
        sqlx::query(
            "UPDATE listings SET title = $1, status = $2, district = $3, discipline = $4, expires_on = $5, body = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(listing.title().to_string())
        .bind(listing.status().as_str())
        .bind(listing.district().map(str::to_string))
        .bind(listing.discipline().map(str::to_string))
        .bind(listing.expires_on().map(date))
        .bind(json(listing))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        self.record_change(tx, "listing", id, Op::Update).await
    }

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
        self.record_change(tx, "account", id, Op::Insert).await?;
        Ok(id)
    }

    /// The rows of `table` among `ids` that exist, in id order, read by `from_row`.
    pub(crate) async fn fetch_by_ids<T>(
        &self,
        table: &str,
        columns: &str,
        ids: &[i64],
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        // Bounded IN lists: both backends cap bind parameters (SQLite at 32766).
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {columns} FROM {table} WHERE id IN ({}) ORDER BY id",
                marks.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// One page of `table` under `w` in `order`, with the total count, read by `from_row`.
    pub(crate) async fn fetch_page<T>(
        &self,
        table: &str,
        columns: &str,
        w: &Where,
        order: &str,
        page: Page,
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Paged<T>> {
        let count_sql = format!("SELECT COUNT(*) FROM {table}{}", w.sql());
        let total: i64 = bind_all(sqlx::query(AssertSqlSafe(count_sql)), &w.args)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(Paged {
            items: self
                .fetch_items(table, columns, w, order, page, from_row)
                .await?,
            total,
            page: page.number,
            per_page: page.size,
        })
    }

    /// The rows of one page, without the count. The page's ids are chosen first, in a
    /// subquery an index can answer alone, so that rows skipped by the offset are never read.
    pub(crate) async fn fetch_items<T>(
        &self,
        table: &str,
        columns: &str,
        w: &Where,
        order: &str,
        page: Page,
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let n = w.next();
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE id IN \
             (SELECT id FROM {table}{} ORDER BY {order} LIMIT ${n} OFFSET ${}) ORDER BY {order}",
            w.sql(),
            n + 1
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &w.args)
            .bind(i64::from(page.size))
            .bind(page.offset())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Inserts a document row and its change in `tx`. An explicit `id` (restores) is kept; new
    /// rows are numbered after the largest id, as listings are.
    async fn insert_document(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        imported_by: Option<i64>,
        d: &NewDocument,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Result<i64> {
        // Checked first to name the stored copy; the UNIQUE constraint still guards a race.
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM documents WHERE sha256 = $1")
                .bind(&d.sha256)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(existing) = existing {
            return Err(StoreError::Conflict(format!(
                "`{}` was already imported as document {existing}",
                d.file_name
            )));
        }
        let body = DocumentBodyRef {
            text: &d.text,
            removed: &d.removed,
            figures: &d.figures,
            undecodable: &d.undecodable,
        };
        let row = sqlx::query(
            "INSERT INTO documents (id, sha256, file_name, title, published, source, doc_number, script, encoding, body, imported_by, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM documents)), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(id)
        .bind(&d.sha256)
        .bind(&d.file_name)
        .bind(d.title.clone())
        .bind(d.published.clone())
        .bind(d.source.clone())
        .bind(d.doc_number.clone())
        .bind(&d.script)
        .bind(&d.encoding)
        .bind(json(&body))
        .bind(imported_by)
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("`{}` was already imported (same content)", d.file_name)
            })
        })?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "document", id, Op::Insert).await?;
        Ok(id)
    }

    async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM listings) + (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM policies) + (SELECT COUNT(*) FROM targets)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn acting_as(&self, account_id: i64) -> std::sync::Arc<dyn Store> {
        std::sync::Arc::new(SqlStore {
            actor: Some(account_id),
            ..self.clone()
        })
    }

    async fn register(
        &self,
        org: &Organisation,
        account: &NewAccount,
        password_hash: &str,
    ) -> Result<(OrgRecord, Account)> {
        let (org_id, account_id) = self.do_register(org, account, password_hash).await?;
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
        self.do_create_session(account_id, token_hash, csrf, expires_at)
            .await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<(Account, String)>> {
        self.do_session(token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.do_delete_session(token_hash).await
    }

    async fn create_contact_request(
        &self,
        listing_id: i64,
        requester: &Account,
        message: &str,
    ) -> Result<ContactRequest> {
        self.do_create_contact(listing_id, requester, message).await
    }

    async fn get_contact_request(&self, id: i64) -> Result<ContactRequest> {
        self.do_get_contact(id).await
    }

    async fn decide_contact_request(&self, id: i64, decision: &Decision) -> Result<ContactRequest> {
        self.do_decide_contact(id, decision).await
    }

    async fn contact_requests(
        &self,
        filter: &ContactFilter,
        page: Page,
    ) -> Result<Paged<ContactRequest>> {
        self.do_contacts(filter, page).await
    }

    async fn contact_granted(&self, listing_id: i64, who: &Account) -> Result<bool> {
        self.do_contact_granted(listing_id, who).await
    }

    async fn audit_log(&self, page: Page) -> Result<Paged<AuditEntry>> {
        self.do_audit_log(page).await
    }

    async fn create_org(&self, org: &Organisation) -> Result<OrgRecord> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let id = self.insert_org(&mut tx, None, org, t, t).await?;
        tx.commit().await?;
        self.get_org(id).await
    }

    async fn get_org(&self, id: i64) -> Result<OrgRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        org_from_row(&row.ok_or_else(|| StoreError::not_found("organisation", id))?)
    }

    async fn org_by_credit_code(&self, code: &str) -> Result<Option<OrgRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE credit_code = $1"
        )))
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    async fn update_org(&self, id: i64, org: &Organisation) -> Result<OrgRecord> {
        let mut tx = self.write_tx().await?;
        self.write_org(&mut tx, id, org).await?;
        tx.commit().await?;
        self.get_org(id).await
    }

    async fn delete_org(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let refs: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM listings WHERE owner_org_id = $1) + (SELECT COUNT(*) FROM accounts WHERE org_id = $2)",
        )
        .bind(id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if refs > 0 {
            return Err(StoreError::Conflict(format!(
                "organisation {id} still has {refs} listings or accounts; delete or move them first"
            )));
        }
        let done = sqlx::query("DELETE FROM organisations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("organisation", id));
        }
        self.record_change(&mut tx, "organisation", id, Op::Delete)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> Result<Paged<OrgRecord>> {
        let mut w = Where::default();
        if let Some(k) = filter.kind {
            w.and(
                "kind = ?",
                [Arg::Text(json(&k).trim_matches('"').to_string())],
            );
        }
        if let Some(d) = &filter.district {
            w.and("district = ?", [Arg::Text(d.clone())]);
        }
        if let Some(n) = &filter.name_contains {
            // instr() is not portable; LIKE with escaped wildcards is.
            let pattern = format!(
                "%{}%",
                n.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            w.and("name LIKE ? ESCAPE '\\'", [Arg::Text(pattern)]);
        }
        self.fetch_page("organisations", ORG_COLUMNS, &w, "id", page, org_from_row)
            .await
    }

    async fn create_account(&self, a: &NewAccount, password_hash: &str) -> Result<Account> {
        let mut tx = self.write_tx().await?;
        let id = self.insert_account(&mut tx, a, password_hash).await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn update_account(&self, id: i64, role: Role, org_id: Option<i64>) -> Result<Account> {
        let mut tx = self.write_tx().await?;
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
        self.record_change(&mut tx, "account", id, Op::Update)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn set_account_disabled(&self, id: i64, disabled: bool) -> Result<Account> {
        let mut tx = self.write_tx().await?;
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
        self.record_change(&mut tx, "account", id, Op::Update)
            .await?;
        tx.commit().await?;
        self.get_account(id).await
    }

    async fn set_password(&self, id: i64, password_hash: &str) -> Result<Account> {
        let mut tx = self.write_tx().await?;
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
        self.record_change(&mut tx, "account", id, Op::Update)
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

    async fn create_token(&self, account_id: i64, name: &str, token_hash: &str) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("INSERT INTO tokens (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(account_id)
            .bind(name)
            .bind(token_hash)
            .bind(ts(now()))
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
            "SELECT a.id, a.username, a.display_name, a.role, a.org_id, a.disabled_at FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1 AND a.disabled_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    async fn create_listing(
        &self,
        owner_org_id: Option<i64>,
        listing: &Listing,
    ) -> Result<ListingRecord> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let id = self
            .insert_listing(&mut tx, None, owner_org_id, listing, t, t)
            .await?;
        tx.commit().await?;
        self.get_listing(id).await
    }

    async fn get_listing(&self, id: i64) -> Result<ListingRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LISTING_COLUMNS} FROM listings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        listing_from_row(&row.ok_or_else(|| StoreError::not_found("listing", id))?)
    }

    async fn get_listings(&self, ids: &[i64]) -> Result<Vec<ListingRecord>> {
        self.fetch_by_ids("listings", LISTING_COLUMNS, ids, listing_from_row)
            .await
    }

    async fn update_listing(&self, id: i64, listing: &Listing) -> Result<ListingRecord> {
        let mut tx = self.write_tx().await?;
        self.write_listing(&mut tx, id, listing).await?;
        tx.commit().await?;
        self.get_listing(id).await
    }

    async fn delete_listing(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM listings WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("listing", id));
        }
        self.record_change(&mut tx, "listing", id, Op::Delete)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_listings(&self, f: &ListingFilter, page: Page) -> Result<Paged<ListingRecord>> {
        let w = listing_where(f);
        self.fetch_page(
            "listings",
            LISTING_COLUMNS,
            &w,
            "id DESC",
            page,
            listing_from_row,
        )
        .await
    }

    async fn list_listing_items(
        &self,
        f: &ListingFilter,
        page: Page,
    ) -> Result<Vec<ListingRecord>> {
        let w = listing_where(f);
        self.fetch_items(
            "listings",
            LISTING_COLUMNS,
            &w,
            "id DESC",
            page,
            listing_from_row,
        )
        .await
    }

    async fn import(
        &self,
        orgs: &[Organisation],
        listings: &[ImportListing],
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut tx = self.write_tx().await?;
        let t = now();
        for org in orgs {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE credit_code = $1")
                    .bind(&org.credit_code)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(id) => {
                    self.write_org(&mut tx, id, org).await?;
                    report.organisations_updated += 1;
                }
                None => {
                    self.insert_org(&mut tx, None, org, t, t).await?;
                    report.organisations_created += 1;
                }
            }
        }
        let mut owners: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for item in listings {
            let owner = match &item.owner_credit_code {
                None => None,
                Some(code) => match owners.get(code) {
                    Some(&id) => Some(id),
                    None => {
                        let id: Option<i64> = sqlx::query_scalar(
                            "SELECT id FROM organisations WHERE credit_code = $1",
                        )
                        .bind(code)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let id = id.ok_or_else(|| {
                            StoreError::Conflict(format!(
                                "owner `{code}` is not a registered organisation; import the organisation first or in the same file"
                            ))
                        })?;
                        owners.insert(code.clone(), id);
                        Some(id)
                    }
                },
            };
            let exists = match item.id {
                Some(id) => sqlx::query_scalar::<_, i64>("SELECT id FROM listings WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some(),
                None => false,
            };
            if exists {
                let id = item.id.expect("checked above");
                self.write_listing(&mut tx, id, &item.listing).await?;
                sqlx::query("UPDATE listings SET owner_org_id = $1 WHERE id = $2")
                    .bind(owner)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                report.listings_updated += 1;
            } else {
                self.insert_listing(&mut tx, item.id, owner, &item.listing, t, t)
                    .await?;
                report.listings_created += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn create_document(&self, document: &NewDocument) -> Result<DocumentRecord> {
        let mut tx = self.write_tx().await?;
        // Stored to the microsecond: the record returned equals the row read back later,
        // without reading (and parsing) a large body again.
        let t = now();
        let t = DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t);
        let id = self
            .insert_document(&mut tx, None, self.actor, document, t, t)
            .await?;
        tx.commit().await?;
        Ok(DocumentRecord {
            id,
            imported_by: self.actor,
            created_at: t,
            updated_at: t,
            document: document.clone(),
        })
    }

    async fn create_documents(&self, documents: &[NewDocument]) -> Result<Vec<DocumentRecord>> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let t = DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t);
        let mut out = Vec::with_capacity(documents.len());
        for document in documents {
            let id = self
                .insert_document(&mut tx, None, self.actor, document, t, t)
                .await?;
            out.push(DocumentRecord {
                id,
                imported_by: self.actor,
                created_at: t,
                updated_at: t,
                document: document.clone(),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn get_document(&self, id: i64) -> Result<DocumentRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        document_from_row(&row.ok_or_else(|| StoreError::not_found("document", id))?)
    }

    async fn get_documents(&self, ids: &[i64]) -> Result<Vec<DocumentRecord>> {
        self.fetch_by_ids("documents", DOCUMENT_COLUMNS, ids, document_from_row)
            .await
    }

    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE sha256 = $1"
        )))
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(document_from_row).transpose()
    }

    async fn list_documents(
        &self,
        f: &DocumentFilter,
        page: Page,
    ) -> Result<Paged<DocumentRecord>> {
        let mut w = Where::default();
        if let Some(script) = &f.script {
            w.and("script = ?", [Arg::Text(script.clone())]);
        }
        self.fetch_page(
            "documents",
            DOCUMENT_COLUMNS,
            &w,
            "id DESC",
            page,
            document_from_row,
        )
        .await
    }

    async fn delete_document(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM documents WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("document", id));
        }
        self.record_change(&mut tx, "document", id, Op::Delete)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_policy(&self, policy: &Policy) -> Result<PolicyRecord> {
        self.do_create_policy(policy).await
    }

    async fn get_policy(&self, id: i64) -> Result<PolicyRecord> {
        self.do_get_policy(id).await
    }

    async fn update_policy(&self, id: i64, policy: &Policy) -> Result<PolicyRecord> {
        self.do_update_policy(id, policy).await
    }

    async fn delete_policy(&self, id: i64) -> Result<()> {
        self.delete_plan("policies", "policy", id).await
    }

    async fn list_policies(&self, page: Page) -> Result<Paged<PolicyRecord>> {
        self.do_list_policies(page).await
    }

    async fn create_targets(&self, targets: &[Target]) -> Result<Vec<TargetRecord>> {
        self.do_create_targets(targets).await
    }

    async fn get_target(&self, id: i64) -> Result<TargetRecord> {
        self.do_get_target(id).await
    }

    async fn update_target(&self, id: i64, target: &Target) -> Result<TargetRecord> {
        self.do_update_target(id, target).await
    }

    async fn delete_target(&self, id: i64) -> Result<()> {
        self.delete_plan("targets", "target", id).await
    }

    async fn list_targets(&self, filter: &TargetFilter, page: Page) -> Result<Paged<TargetRecord>> {
        self.do_list_targets(filter, page).await
    }

    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = sqlx::query("SELECT seq, entity, entity_id, op, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let op: String = r.try_get("op")?;
                Ok(Change {
                    seq: r.try_get("seq")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    op: Op::parse(&op)
                        .ok_or_else(|| StoreError::Corrupt(format!("change op `{op}`")))?,
                    at: parse_ts(&r.try_get::<String, _>("at")?)?,
                })
            })
            .collect()
    }

    async fn last_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

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
            "SELECT id, account_id, name, token_hash, created_at FROM tokens ORDER BY id",
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
            crate::workflow::CONTACT_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::ContactRequest(
                crate::workflow::contact_from_row(&row)?,
            ));
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
            crate::plans::POLICY_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Policy(crate::plans::policy_from_row(&row)?));
        }
        for row in sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM targets ORDER BY id",
            crate::plans::TARGET_COLUMNS
        )))
        .fetch_all(&mut *tx)
        .await?
        {
            items.push(BackupItem::Target(crate::plans::target_from_row(&row)?));
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
                        "INSERT INTO accounts (id, username, display_name, role, org_id, password_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(a.account.id)
                    .bind(&a.account.username)
                    .bind(&a.account.display_name)
                    .bind(a.account.role.as_str())
                    .bind(a.account.org_id)
                    .bind(&a.password_hash)
                    .bind(ts(a.created_at))
                    .bind(a.account.disabled_at.map(ts))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| conflict_on_unique(e, || format!("username `{}` appears twice", a.account.username)))?;
                    self.record_change(&mut tx, "account", a.account.id, Op::Insert)
                        .await?;
                }
                BackupItem::Token(t) => {
                    sqlx::query("INSERT INTO tokens (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(t.id)
                        .bind(t.account_id)
                        .bind(&t.name)
                        .bind(&t.token_hash)
                        .bind(ts(t.created_at))
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
            }
        }
        if self.backend == Backend::Postgres {
            // Identity columns do not see explicit ids; move them past the restored rows.
            for table in ["accounts", "tokens", "contact_requests", "documents"] {
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

/// The conditions of a listing query.
fn listing_where(f: &ListingFilter) -> Where {
    let mut w = Where::default();
    if let Some(k) = f.kind {
        w.and("kind = ?", [Arg::Text(k.as_str().into())]);
    }
    if let Some(s) = f.status {
        w.and("status = ?", [Arg::Text(s.as_str().into())]);
    }
    if let Some(d) = &f.district {
        w.and("district = ?", [Arg::Text(d.clone())]);
    }
    if let Some(d) = &f.discipline {
        w.and("discipline = ?", [Arg::Text(d.clone())]);
    }
    if let Some(o) = f.owner_org_id {
        w.and("owner_org_id = ?", [Arg::Int(o)]);
    }
    if let Some(day) = f.active_on {
        w.and(
            "status = 'open' AND (expires_on IS NULL OR expires_on >= ?)",
            [Arg::Text(date(day))],
        );
    }
    match f.drafts {
        Drafts::All => {}
        Drafts::Hidden => w.and("status <> 'draft'", []),
        Drafts::OfOrg(org) => w.and("(status <> 'draft' OR owner_org_id = ?)", [Arg::Int(org)]),
    }
    w
}
