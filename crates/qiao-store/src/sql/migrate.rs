//! Schema migrations: one directory of SQL files per backend (`migrations/sqlite`,
//! `migrations/postgres`), embedded at build time by `sqlx::migrate!` and applied by sqlx's
//! migrator, which records every applied file with its checksum in `_sqlx_migrations` and
//! refuses to start when a file that has shipped was edited afterwards.
//!
//! All pending migrations run in one writing transaction (see
//! [`SqlStore::write_tx`](super::base::SqlStore)): either the database reaches the new schema or
//! it stays as it was, and two processes opening the same database at once take turns.
//!
//! Databases created before sqlx's migrator was used kept their bookkeeping in `qiao_migrations`
//! (version, time applied; no checksums). Such a database is adopted the first time it is opened:
//! the versions it lists are recorded in `_sqlx_migrations` as applied, with the checksums of the
//! files they were made from (shipped files never change), and only the newer files run.
//! `qiao_migrations` itself is left as it was.

use sqlx::AnyConnection;
use sqlx::migrate::{Migrate, MigrateError, Migrator};

use super::base::{Backend, Tx};
use crate::error::Result;

/// Where sqlx keeps the applied migrations.
const SQLX_TABLE: &str = "_sqlx_migrations";
/// Where the hand-rolled migrator of earlier releases kept them.
const LEGACY_TABLE: &str = "qiao_migrations";

/// The embedded migrations of `backend`.
fn migrator(backend: Backend) -> Migrator {
    let mut migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    // The write transaction the migrations run in already shuts out every other writer, and
    // its lock ends with it. sqlx's own lock on PostgreSQL is a session-level advisory lock that
    // a failed migration would leave held on a pooled connection.
    migrator.set_locking(false);
    migrator
}

/// Brings the schema up to date inside `tx` (a writing transaction, committed by the caller).
pub(crate) async fn run(tx: &mut Tx, backend: Backend) -> Result<()> {
    let migrator = migrator(backend);
    let conn: &mut AnyConnection = tx;
    adopt_legacy(conn, backend, &migrator).await?;
    conn.ensure_migrations_table(SQLX_TABLE)
        .await
        .map_err(sqlx::Error::from)?;
    let applied: Vec<i64> = conn
        .list_applied_migrations(SQLX_TABLE)
        .await
        .map_err(sqlx::Error::from)?
        .iter()
        .map(|m| m.version)
        .collect();
    for m in migrator.iter().filter(|m| !applied.contains(&m.version)) {
        tracing::info!(
            version = m.version,
            backend = backend.name(),
            "applying migration"
        );
    }
    migrator.run(&mut *conn).await.map_err(sqlx::Error::from)?;
    Ok(())
}

/// Records the migrations listed in [`LEGACY_TABLE`] as applied in [`SQLX_TABLE`], once: only
/// when the legacy table exists and sqlx's does not yet.
async fn adopt_legacy(
    conn: &mut AnyConnection,
    backend: Backend,
    migrator: &Migrator,
) -> Result<()> {
    if table_exists(conn, backend, SQLX_TABLE).await?
        || !table_exists(conn, backend, LEGACY_TABLE).await?
    {
        return Ok(());
    }
    let legacy: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM qiao_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    // A version this build has no file for came from a newer release: recording the others
    // would let that release later run its migration a second time.
    if let Some(&unknown) = legacy.iter().find(|&&v| !migrator.version_exists(v)) {
        return Err(sqlx::Error::from(MigrateError::VersionMissing(unknown)).into());
    }
    conn.ensure_migrations_table(SQLX_TABLE)
        .await
        .map_err(sqlx::Error::from)?;
    for m in migrator.iter().filter(|m| legacy.contains(&m.version)) {
        tracing::info!(
            version = m.version,
            backend = backend.name(),
            "adopting migration applied by the earlier migrator"
        );
        conn.skip(SQLX_TABLE, m).await.map_err(sqlx::Error::from)?;
    }
    Ok(())
}

/// Whether an unqualified `table` names a table (on PostgreSQL: as the search path resolves it,
/// which is where both migrators create theirs).
async fn table_exists(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<bool> {
    Ok(match backend {
        Backend::Sqlite => {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
            )
            .bind(table)
            .fetch_one(&mut *conn)
            .await?;
            n > 0
        }
        Backend::Postgres => {
            sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(table)
                .fetch_one(&mut *conn)
                .await?
        }
    })
}
