//! Fresh, isolated databases for tests: a SQLite file in a temporary directory, or a schema of
//! its own on the PostgreSQL server named by `QIAO_TEST_DATABASE_URL`, so tests run in parallel.

use std::sync::Arc;

use rand::Rng;
use sqlx::{AssertSqlSafe, Connection};

use crate::{Backend, SqlStore, Store};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "QIAO_TEST_DATABASE_URL";

/// A database that lives as long as the test: its directory or schema is removed on [`TestDb::drop_schema`]
/// (PostgreSQL) or when dropped (SQLite).
pub struct TestDb {
    /// The open store.
    pub store: Arc<dyn Store>,
    /// The URL it was opened with (to open it again, e.g. from a child process).
    pub url: String,
    /// Which backend.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh store on `backend`, or `None` for PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A fresh SQLite file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("qiao.db").display());
        let store = SqlStore::open(&url).await.expect("open sqlite");
        TestDb {
            store: Arc::new(store),
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh schema on the configured PostgreSQL server, or `None` when none is configured.
    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())?;
        let schema = format!("qiao_t_{:016x}", rand::rng().random::<u64>());
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to QIAO_TEST_DATABASE_URL");
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .expect("create schema");
        conn.close().await.ok();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = SqlStore::open(&url).await.expect("open postgres");
        Some(TestDb {
            store: Arc::new(store),
            url,
            backend: Backend::Postgres,
            _dir: None,
            pg: Some((base, schema)),
        })
    }

    /// Removes the PostgreSQL schema (a no-op for SQLite, whose directory goes with the value).
    pub async fn drop_schema(self) {
        if let Some((base, schema)) = &self.pg {
            let mut conn = sqlx::PgConnection::connect(base).await.expect("connect");
            sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop schema");
        }
    }
}
