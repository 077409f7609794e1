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
        Some(EmptyDb::new(backend).await?.open().await)
    }

    /// A fresh SQLite file.
    pub async fn sqlite() -> TestDb {
        EmptyDb::sqlite().open().await
    }

    /// A fresh schema on the configured PostgreSQL server, or `None` when none is configured.
    pub async fn postgres() -> Option<TestDb> {
        Some(EmptyDb::postgres().await?.open().await)
    }

    /// Removes the PostgreSQL schema (a no-op for SQLite, whose directory goes with the value).
    pub async fn drop_schema(self) {
        drop_pg_schema(self.pg.as_ref()).await;
    }
}

/// A fresh, empty database that no store has opened yet: for tests of what opening does to a
/// database prepared by hand (migrations). [`EmptyDb::open`] turns it into a [`TestDb`].
pub struct EmptyDb {
    /// The URL to open it with.
    pub url: String,
    /// Which backend.
    pub backend: Backend,
    dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl EmptyDb {
    /// An empty database on `backend`, or `None` for PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<EmptyDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A path for a SQLite file in a fresh temporary directory (the file is not created).
    pub fn sqlite() -> EmptyDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("qiao.db").display());
        EmptyDb {
            url,
            backend: Backend::Sqlite,
            dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh schema on the configured PostgreSQL server, or `None` when none is configured.
    pub async fn postgres() -> Option<EmptyDb> {
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
        Some(EmptyDb {
            url,
            backend: Backend::Postgres,
            dir: None,
            pg: Some((base, schema)),
        })
    }

    /// A URL sqlx's `Any` driver connects to directly, creating the SQLite file if needed.
    pub fn connect_url(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("{}?mode=rwc", self.url),
            Backend::Postgres => self.url.clone(),
        }
    }

    /// Removes the PostgreSQL schema of a database that was never opened (a no-op for SQLite).
    pub async fn drop_schema(self) {
        drop_pg_schema(self.pg.as_ref()).await;
    }

    /// Opens the database with [`SqlStore::open`] (which migrates it).
    pub async fn open(self) -> TestDb {
        let store = SqlStore::open(&self.url)
            .await
            .unwrap_or_else(|e| panic!("open {}: {e:?}", self.backend.name()));
        TestDb {
            store: Arc::new(store),
            url: self.url,
            backend: self.backend,
            _dir: self.dir,
            pg: self.pg,
        }
    }
}

async fn drop_pg_schema(pg: Option<&(String, String)>) {
    if let Some((base, schema)) = pg {
        let mut conn = sqlx::PgConnection::connect(base).await.expect("connect");
        sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut conn)
            .await
            .expect("drop schema");
    }
}
