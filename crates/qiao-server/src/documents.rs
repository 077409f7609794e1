//! Storing a policy or news document, shared by `POST /api/v1/documents` and `qiao import
//! docs`: the bytes go through `qiao_docs::inspect`, are hashed (SHA-256 of the raw bytes, so the
//! same file is stored once), and the result becomes a [`NewDocument`] in the store. The search
//! index picks it up from the change feed like any listing.

use std::sync::Arc;

use qiao_docs::{Document, Format};
use qiao_store::{DocumentRecord, NewDocument, Store, StoreError};
use sha2::{Digest, Sha256};

/// Why a document was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportDocError {
    /// The same bytes were imported before.
    #[error("`{file_name}` was already imported as document {existing}")]
    Duplicate {
        /// The file offered again.
        file_name: String,
        /// The stored document's id.
        existing: i64,
    },
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What was stored, and how the reading went.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The stored document.
    pub record: DocumentRecord,
    /// How many quantified statements it holds.
    pub figures: usize,
    /// Spans of bytes the encoding could not decode (U+FFFD in the text), `(offset, hex)`.
    pub undecodable: Vec<(usize, String)>,
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The record to store for a document read from `bytes` (`file_name` without directories).
pub fn new_document(file_name: &str, bytes: &[u8], doc: &Document) -> NewDocument {
    let value = |v: serde_json::Result<serde_json::Value>| v.expect("documents serialise to JSON");
    NewDocument {
        file_name: file_name.to_string(),
        sha256: sha256_hex(bytes),
        title: doc.meta.title.clone(),
        published: doc.meta.published.clone(),
        source: doc.meta.source.clone(),
        doc_number: doc.meta.doc_number.clone(),
        script: doc.meta.script.clone(),
        encoding: doc.meta.encoding.name().to_string(),
        text: doc.text.clone(),
        removed: value(serde_json::to_value(&doc.removed)),
        figures: value(serde_json::to_value(&doc.figures)),
        undecodable: value(serde_json::to_value(&doc.undecodable)),
    }
}

/// Reads `bytes` as the file `file_name` (`.html`/`.htm` as HTML, anything else by content) and
/// stores it through `store` (use `store.acting_as(account)` so the change feed names who did).
/// Undecodable bytes do not stop the import: the text keeps U+FFFD there and [`Imported`]
/// lists the spans.
pub async fn import(
    store: &Arc<dyn Store>,
    file_name: &str,
    bytes: &[u8],
) -> Result<Imported, ImportDocError> {
    let sha = sha256_hex(bytes);
    // Checked before the (costlier) reading; the store's UNIQUE constraint closes the race.
    if let Some(existing) = store.document_by_sha256(&sha).await? {
        return Err(ImportDocError::Duplicate {
            file_name: file_name.to_string(),
            existing: existing.id,
        });
    }
    let doc = qiao_docs::inspect(bytes, Format::from_path(std::path::Path::new(file_name)));
    let new = new_document(file_name, bytes, &doc);
    let record = match store.create_document(&new).await {
        Ok(record) => record,
        Err(StoreError::Conflict(message)) => {
            return Err(match store.document_by_sha256(&sha).await? {
                Some(existing) => ImportDocError::Duplicate {
                    file_name: file_name.to_string(),
                    existing: existing.id,
                },
                None => StoreError::Conflict(message).into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Imported {
        record,
        figures: doc.figures.len(),
        undecodable: doc
            .undecodable
            .iter()
            .map(|u| (u.offset, u.bytes.clone()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
