//! Storing a policy or news document, shared by `POST /api/v1/documents` and `qiao import
//! docs`: the bytes go through `qiao_docs::inspect`, are hashed (SHA-256 of the raw bytes, so the
//! same file is stored once), and the result becomes a [`NewDocument`] in the store. The search
//! index picks it up from the change feed like any listing.

use std::sync::Arc;

use qiao_docs::{Document, Format};
use qiao_domain::{Account, Role};
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

/// Whether `account` may import (and delete) documents: admins and commission staff, in the
/// API and in the pages alike.
pub fn may_import(account: &Account) -> bool {
    matches!(account.role, Role::Admin | Role::CommissionStaff)
}

/// The longest file name stored, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// Why an uploaded file's name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// No name, or only directories.
    Missing,
    /// Longer than [`MAX_NAME_CHARS`] or holding control characters.
    Unprintable,
}

/// The name to store for a file a client called `raw`: its last path component (a browser or
/// client may send a whole path), trimmed.
pub fn stored_file_name(raw: &str) -> Result<String, NameProblem> {
    let name = raw.trim().rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(NameProblem::Missing);
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(NameProblem::Unprintable);
    }
    Ok(name.to_string())
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
    fn file_names_lose_their_directories() {
        assert_eq!(
            stored_file_name(" C:\\docs\\通知.html "),
            Ok("通知.html".into())
        );
        assert_eq!(stored_file_name("a/b/c.txt"), Ok("c.txt".into()));
        assert_eq!(stored_file_name("dir/"), Err(NameProblem::Missing));
        assert_eq!(stored_file_name("a\nb.txt"), Err(NameProblem::Unprintable));
        assert_eq!(
            stored_file_name(&"长".repeat(MAX_NAME_CHARS + 1)),
            Err(NameProblem::Unprintable)
        );
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
