//! Imported policy and news documents (read by `qiao-docs`). The columns hold what lists show
//! and filter on; the cleaned text, the removed lines, the figures and the undecodable parts sit
//! in the JSON `body`. A document's bytes are stored once: their SHA-256 is unique.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{Page, Paged};
use crate::records::{DocumentFilter, DocumentRecord, DocumentState, NewDocument, Op};

/// Storing, reading and deleting imported documents.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores an imported document (change-feed entity `document`). Conflict naming the stored
    /// document when one with the same `sha256` exists ("already imported as document N").
    async fn create_document(&self, document: &NewDocument) -> Result<DocumentRecord>;
    /// Stores several imported documents in one transaction, in order: all or none. Conflict
    /// when any of them (by `sha256`) is stored already.
    async fn create_documents(&self, documents: &[NewDocument]) -> Result<Vec<DocumentRecord>>;
    /// One document.
    async fn get_document(&self, id: i64) -> Result<DocumentRecord>;
    /// The documents among `ids` that exist, in id order (missing ids are skipped).
    async fn get_documents(&self, ids: &[i64]) -> Result<Vec<DocumentRecord>>;
    /// The document imported from bytes with this SHA-256, if any.
    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentRecord>>;
    /// Documents matching `filter`, newest first.
    async fn list_documents(
        &self,
        filter: &DocumentFilter,
        page: Page,
    ) -> Result<Paged<DocumentRecord>>;
    /// Deletes a document.
    async fn delete_document(&self, id: i64) -> Result<()>;
    /// Publishes a draft or takes a document back to draft (change-feed entity `document`, so
    /// the index adds or drops it).
    async fn set_document_state(&self, id: i64, state: DocumentState) -> Result<DocumentRecord>;
}

/// The parts of a document kept in its `body` column.
#[derive(serde::Deserialize)]
struct DocumentBody {
    text: String,
    removed: serde_json::Value,
    figures: serde_json::Value,
    undecodable: serde_json::Value,
    #[serde(default)]
    review: Vec<String>,
}

/// [`DocumentBody`] as written: borrowed, so a large text is not copied to be serialised.
#[derive(serde::Serialize)]
struct DocumentBodyRef<'a> {
    text: &'a str,
    removed: &'a serde_json::Value,
    figures: &'a serde_json::Value,
    undecodable: &'a serde_json::Value,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    review: &'a [String],
}

pub(crate) const DOCUMENT_COLUMNS: &str = "id, sha256, file_name, title, published, source, doc_number, script, encoding, body, imported_by, created_at, updated_at, state";

pub(crate) fn document_from_row(row: &AnyRow) -> Result<DocumentRecord> {
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
            state: {
                let code: String = row.try_get("state")?;
                DocumentState::from_code(&code).ok_or_else(|| {
                    StoreError::Corrupt(format!("document has an unknown state `{code}`"))
                })?
            },
            review: body.review,
        },
    })
}

impl SqlStore {
    /// Inserts a document row and its change in `tx`. An explicit `id` (restores) is kept; new
    /// rows are numbered after the largest id, as listings are.
    pub(crate) async fn insert_document(
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
            review: &d.review,
        };
        let row = sqlx::query(
            "INSERT INTO documents (id, sha256, file_name, title, published, source, doc_number, script, encoding, body, imported_by, created_at, updated_at, state) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM documents)), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
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
        .bind(d.state.code())
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("`{}` was already imported (same content)", d.file_name)
            })
        })?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "document", id, Op::Insert, None)
            .await?;
        Ok(id)
    }
}

#[async_trait]
impl DocumentStore for SqlStore {
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
        if let Some(state) = f.state {
            w.and("state = ?", [Arg::Text(state.code().into())]);
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
        let before = self.snapshot(&mut tx, "document", id).await?;
        let done = sqlx::query("DELETE FROM documents WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("document", id));
        }
        self.record_change(&mut tx, "document", id, Op::Delete, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_document_state(&self, id: i64, state: DocumentState) -> Result<DocumentRecord> {
        let mut tx = self.write_tx().await?;
        let before = self.snapshot(&mut tx, "document", id).await?;
        let done = sqlx::query("UPDATE documents SET state = $1, updated_at = $2 WHERE id = $3")
            .bind(state.code())
            .bind(ts(now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("document", id));
        }
        self.record_change(&mut tx, "document", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_document(id).await
    }
}
