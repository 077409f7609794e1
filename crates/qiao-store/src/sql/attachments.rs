//! Attachments: files on listings, messages, contracts and certificates (issue #26).
//!
//! Where the bytes live: in the database, one value per file in `attachment_contents` (a BLOB
//! on SQLite, `bytea` on PostgreSQL), for both backends. The database is already the one source
//! of truth: a file is written in the same transaction as its description (and as the message
//! it came with), so a crash never leaves a description without its bytes or a file nobody
//! refers to; backups and restores carry files with the records they belong to; and in the
//! scale-out mode every server reads the same PostgreSQL, where a data directory would have to
//! be shared between servers (or synchronised, and backed up apart). PostgreSQL large objects
//! would stream, but they live outside the tables (no cascade on delete, `lo_unlink` by hand,
//! no SQLite twin), and at 10 MB a file (`MAX_BYTES`) a single value is read in one round
//! trip. The description sits apart from the bytes so that listing a record's files never
//! reads them.
//!
//! A record carries at most [`MAX_PER_OWNER`] files: counted inside the write transaction, so
//! two uploads racing for the last place cannot both take it.

use async_trait::async_trait;
use qiao_domain::attachment::{
    Attachment, FileType, MAX_PER_OWNER, NewAttachment, Owner, OwnerKind,
};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{SqlStore, Tx, now, parse_ts, ts};
use crate::error::{Result, StoreError};
use crate::records::{AttachmentBackup, Op};

/// Storing and reading attachments.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores a checked file on `owner`. Conflict when the record already has
    /// [`MAX_PER_OWNER`] files.
    async fn add_attachment(&self, owner: Owner, file: &NewAttachment) -> Result<Attachment>;
    /// One file's description.
    async fn get_attachment(&self, id: i64) -> Result<Attachment>;
    /// One file's bytes.
    async fn attachment_bytes(&self, id: i64) -> Result<Vec<u8>>;
    /// The files of `owner`, oldest first (at most [`MAX_PER_OWNER`]).
    async fn attachments(&self, owner: Owner) -> Result<Vec<Attachment>>;
    /// The files of several records of one kind (a page of messages), oldest first.
    async fn attachments_of(&self, kind: OwnerKind, ids: &[i64]) -> Result<Vec<Attachment>>;
    /// Deletes a file and its bytes.
    async fn delete_attachment(&self, id: i64) -> Result<()>;
}

pub(crate) const ATTACHMENT_COLUMNS: &str =
    "id, owner_kind, owner_id, file_name, file_type, size, sha256, uploaded_by, created_at";

pub(crate) fn attachment_from_row(row: &AnyRow) -> Result<Attachment> {
    let kind: String = row.try_get("owner_kind")?;
    let file_type: String = row.try_get("file_type")?;
    Ok(Attachment {
        id: row.try_get("id")?,
        owner: Owner {
            kind: OwnerKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("attachment owner `{kind}`")))?,
            id: row.try_get("owner_id")?,
        },
        file_name: row.try_get("file_name")?,
        file_type: FileType::parse(&file_type)
            .ok_or_else(|| StoreError::Corrupt(format!("attachment type `{file_type}`")))?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
    })
}

/// The hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hashes of `files`, computed on the blocking pool (10 MB takes tens of milliseconds,
/// which a runtime thread must not spend) and before any write transaction is opened, so the
/// write lock is never held while hashing.
pub(crate) async fn hashes(files: &[NewAttachment]) -> Result<Vec<String>> {
    let copies: Vec<Vec<u8>> = files.iter().map(|f| f.bytes.clone()).collect();
    tokio::task::spawn_blocking(move || copies.iter().map(|b| sha256_hex(b)).collect())
        .await
        .map_err(|e| StoreError::Corrupt(format!("hashing a file failed: {e}")))
}

impl SqlStore {
    /// Writes a file (description and bytes) inside `tx`, with its change-feed row: a new
    /// upload (`id` 0) or a restored one (its id kept).
    pub(crate) async fn insert_attachment(
        &self,
        tx: &mut Tx,
        a: &Attachment,
        bytes: &[u8],
    ) -> Result<i64> {
        // A restore keeps the id; its placeholder comes last (SQLite numbers parameters by
        // first appearance).
        let sql = if a.id > 0 {
            "INSERT INTO attachments (owner_kind, owner_id, file_name, file_type, size, sha256, uploaded_by, created_at, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        } else {
            "INSERT INTO attachments (owner_kind, owner_id, file_name, file_type, size, sha256, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        };
        let mut q = sqlx::query_scalar(sql)
            .bind(a.owner.kind.as_str())
            .bind(a.owner.id)
            .bind(a.file_name.clone())
            .bind(a.file_type.as_str())
            .bind(a.size)
            .bind(a.sha256.clone())
            .bind(a.uploaded_by)
            .bind(ts(a.created_at));
        if a.id > 0 {
            q = q.bind(a.id);
        }
        let id: i64 = q.fetch_one(&mut **tx).await?;
        sqlx::query("INSERT INTO attachment_contents (attachment_id, bytes) VALUES ($1, $2)")
            .bind(id)
            .bind(bytes.to_vec())
            .execute(&mut **tx)
            .await?;
        self.record_change(tx, "attachment", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// Stores a new file on `owner` inside `tx`, refusing the one past [`MAX_PER_OWNER`];
    /// `sha256` is its hash ([`hashes`], taken before the transaction).
    pub(crate) async fn attach(
        &self,
        tx: &mut Tx,
        owner: Owner,
        file: &NewAttachment,
        sha256: String,
    ) -> Result<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE owner_kind = $1 AND owner_id = $2",
        )
        .bind(owner.kind.as_str())
        .bind(owner.id)
        .fetch_one(&mut **tx)
        .await?;
        if n >= MAX_PER_OWNER as i64 {
            return Err(StoreError::Conflict(format!(
                "this {} already has {MAX_PER_OWNER} files, the most one record keeps; delete one first",
                owner.kind.as_str()
            )));
        }
        let record = Attachment {
            id: 0,
            owner,
            file_name: file.file_name.clone(),
            file_type: file.file_type,
            size: file.bytes.len() as i64,
            sha256,
            uploaded_by: self.actor,
            created_at: now(),
        };
        self.insert_attachment(tx, &record, &file.bytes).await
    }

    /// Every file with its bytes, for a backup (inside its read transaction).
    pub(crate) async fn all_attachments(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<Vec<AttachmentBackup>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ATTACHMENT_COLUMNS}, c.bytes FROM attachments \
             JOIN attachment_contents c ON c.attachment_id = id ORDER BY id"
        )))
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttachmentBackup {
                    record: attachment_from_row(r)?,
                    bytes: r.try_get("bytes")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl AttachmentStore for SqlStore {
    async fn add_attachment(&self, owner: Owner, file: &NewAttachment) -> Result<Attachment> {
        let sha = hashes(std::slice::from_ref(file)).await?.remove(0);
        let mut tx = self.write_tx().await?;
        let id = self.attach(&mut tx, owner, file, sha).await?;
        tx.commit().await?;
        self.get_attachment(id).await
    }

    async fn get_attachment(&self, id: i64) -> Result<Attachment> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        attachment_from_row(&row.ok_or_else(|| StoreError::not_found("attachment", id))?)
    }

    async fn attachment_bytes(&self, id: i64) -> Result<Vec<u8>> {
        let bytes: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM attachment_contents WHERE attachment_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        bytes.ok_or_else(|| StoreError::not_found("attachment", id))
    }

    async fn attachments(&self, owner: Owner) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE owner_kind = $1 AND owner_id = $2 \
             ORDER BY id LIMIT {MAX_PER_OWNER}"
        )))
        .bind(owner.kind.as_str())
        .bind(owner.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    async fn attachments_of(&self, kind: OwnerKind, ids: &[i64]) -> Result<Vec<Attachment>> {
        let mut out = Vec::new();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(200) {
            let sql = format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE owner_kind = $1 AND owner_id IN ({}) ORDER BY id",
                (2..2 + chunk.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(kind.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(attachment_from_row(&row)?);
            }
        }
        out.sort_by_key(|a| a.id);
        Ok(out)
    }

    async fn delete_attachment(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        // The bytes first: SQLite enforces the cascade only with foreign keys on, and both
        // deletes are in this one transaction anyway.
        sqlx::query("DELETE FROM attachment_contents WHERE attachment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StoreError::not_found("attachment", id));
        }
        self.record_change(&mut tx, "attachment", id, Op::Delete, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
