//! What every aggregate's SQL stands on: the [`Backend`] dialect, the [`SqlStore`] handle (pool,
//! backend, acting account), writing transactions, the change-feed row every write appends, value
//! encodings shared by all tables, and the paging queries every list uses.
//!
//! Nothing here knows a particular table's columns: each aggregate's file under `sql/` owns its
//! queries and its row mapping and calls down into this module, never the other way round.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, AssertSqlSafe, Row, Transaction};

use crate::error::{Result, StoreError};
use crate::query::{Page, Paged};
use crate::records::Op;

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Key of the PostgreSQL advisory lock every writer holds (see the postgres migration).
const WRITE_LOCK_KEY: i64 = 0x5141_494f; // "QIAO"

impl Backend {
    /// Placeholders for a statement whose every parameter is bound in order, as bulk writes and
    /// long `IN` lists are. SQLite gets anonymous `?`: sqlx looks up each parameter's name before
    /// binding it, and SQLite finds a name (`$n`) by a linear scan of the statement's names, so a
    /// 4,000-mark insert spent two thirds of a million-row contract import there (perf,
    /// 2026-12-06); an anonymous mark has no name to scan for. PostgreSQL only reads `$n`.
    pub(crate) fn ordered_marks(self, from: usize, n: usize) -> String {
        match self {
            Backend::Sqlite => vec!["?"; n].join(", "),
            Backend::Postgres => (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", "),
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

/// A writing transaction (see [`SqlStore::write_tx`]).
pub(crate) type Tx = Transaction<'static, Any>;

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

pub(crate) fn date(d: NaiveDate) -> String {
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

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
    }

    pub(crate) fn next(&self) -> usize {
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

/// The refusal of a write computed from a version of record `id` that is no longer the
/// stored one: the caller reloads and decides again, nothing is written.
pub(crate) fn stale(entity: &str, id: i64) -> StoreError {
    StoreError::Conflict(format!(
        "{entity} {id} was changed by someone else since you opened it; reload it and try again"
    ))
}

/// Checks inside `tx` that row `id` of `table` is still at `version` before a versioned write
/// (a deal's or an application's step): not found names `entity`, another version is
/// [`stale`]. `table` is one of the store's own table names, never user input.
pub(crate) async fn expect_version(
    tx: &mut Tx,
    table: &'static str,
    entity: &'static str,
    id: i64,
    version: i64,
) -> Result<()> {
    let current: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT version FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match current {
        None => Err(StoreError::not_found(entity, id)),
        Some(v) if v != version => Err(stale(entity, id)),
        Some(_) => Ok(()),
    }
}

impl SqlStore {
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

    /// Appends the change-feed row of a write to `tx`, naming the acting account and the fields
    /// the write changed: `before` is the record as [`snapshot`](SqlStore::snapshot) read it in
    /// `tx` before the write (`None` for a create); the record after it is read here, in the
    /// same transaction, so the diff is exactly what was committed.
    pub(crate) async fn record_change(
        &self,
        tx: &mut Tx,
        entity: &str,
        id: i64,
        op: Op,
        before: Option<serde_json::Value>,
    ) -> Result<()> {
        let after = match op {
            Op::Delete => None,
            Op::Insert | Op::Update => self.snapshot(tx, entity, id).await?,
        };
        let diff = crate::diff::diff(before.as_ref(), after.as_ref());
        sqlx::query(
            "INSERT INTO changes (entity, entity_id, op, at, actor_id, diff) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entity)
        .bind(id)
        .bind(op.as_str())
        .bind(ts(now()))
        .bind(self.actor)
        .bind(json(&diff))
        .execute(&mut **tx)
        .await?;
        Ok(())
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
            let sql = format!(
                "SELECT {columns} FROM {table} WHERE id IN ({}) ORDER BY id",
                self.backend.ordered_marks(1, chunk.len())
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
}
