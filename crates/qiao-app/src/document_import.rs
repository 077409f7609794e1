//! Storing a policy or news document, shared by `POST /api/v1/documents`, the upload form of
//! `/documents` and `qiao import docs`: the bytes go through `qiao_docs::inspect`, are hashed
//! (SHA-256 of the raw bytes, so the same file is stored once), and the result becomes a
//! [`NewDocument`] in the store. The search index picks it up from the change feed like any
//! listing.
//!
//! Hashing and reading a file of up to 64 MB costs seconds of CPU, so in the server neither
//! runs on the async runtime's threads (they would stall every request those threads serve,
//! `/api/v1/health` included): [`import`] hands them to `qiao_search::cpu::run`, the blocking
//! pool held to one task per core that search uses too, so uploads and heavy queries together
//! never occupy more threads than there are cores and wait in one fair queue.

use std::sync::Arc;

use bytes::Bytes;
use qiao_docs::{Document, Format};
use qiao_domain::{Account, Role};
use qiao_store::{DocumentRecord, DocumentState, NewDocument, Store, StoreError};
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
    /// The task reading the file failed (a bug: reading never fails on any input).
    #[error("reading `{file_name}` failed: {cause}")]
    Reading {
        /// The file.
        file_name: String,
        /// What went wrong.
        cause: String,
    },
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
    let mut new = new_document_unhashed(file_name, doc);
    new.sha256 = sha256_hex(bytes);
    new
}

/// [`new_document`] with the hash left empty, for a caller that has it already.
fn new_document_unhashed(file_name: &str, doc: &Document) -> NewDocument {
    let value = |v: serde_json::Result<serde_json::Value>| v.expect("documents serialise to JSON");
    NewDocument {
        file_name: file_name.to_string(),
        sha256: String::new(),
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
        // Every import starts as a draft that staff review and publish; lines that still look
        // like spam are listed for them.
        state: DocumentState::Draft,
        review: qiao_docs::suspicious(&doc.text),
    }
}

/// Reads `bytes` as the file `file_name` (`.html`/`.htm` as HTML, anything else by content) and
/// stores it through `store` (use `store.acting_as(account)` so the change feed names who did).
/// Undecodable bytes do not stop the import: the text keeps U+FFFD there and [`Imported`]
/// lists the spans.
///
/// Hashing and reading run on the CPU pool (see the module's notes), not on the caller's thread.
pub async fn import(
    store: &Arc<dyn Store>,
    file_name: &str,
    bytes: Bytes,
) -> Result<Imported, ImportDocError> {
    let failed = |e: qiao_search::Error| ImportDocError::Reading {
        file_name: file_name.to_string(),
        cause: e.to_string(),
    };
    let hashed = bytes.clone();
    let sha = qiao_search::cpu::run(move || sha256_hex(&hashed))
        .await
        .map_err(failed)?;
    // Checked before the (costlier) reading; the store's UNIQUE constraint closes the race.
    if let Some(existing) = store.document_by_sha256(&sha).await? {
        return Err(ImportDocError::Duplicate {
            file_name: file_name.to_string(),
            existing: existing.id,
        });
    }
    let name = file_name.to_string();
    let (new, figures, undecodable) = qiao_search::cpu::run(move || {
        let doc = qiao_docs::inspect(&bytes, Format::from_path(std::path::Path::new(&name)));
        let mut new = new_document_unhashed(&name, &doc);
        new.sha256 = sha;
        (new, doc.figures.len(), undecodable(&doc))
    })
    .await
    .map_err(failed)?;
    store_one(store, &new, figures, undecodable).await
}

/// How many documents one transaction of [`import_many`] stores.
const STORE_CHUNK: usize = 32;

/// A file of [`import_many`] read and ready to store: the record, how many figures it holds
/// and its undecodable spans.
type ReadDoc = (NewDocument, usize, Vec<(usize, String)>);

/// A file of [`import_many`] read, with its index in the call; or why it could not be read.
type ReadFile = (usize, Result<ReadDoc, ImportDocError>);

/// Imports several files as [`import`] does each, faster: the files are read on every core and
/// stored a chunk per transaction. Results come back in the order given. A file whose bytes
/// were imported before, or appear earlier in `files`, is a [`ImportDocError::Duplicate`]. If
/// a chunk's transaction is refused (another writer stored one of its files in the meantime),
/// its files are stored one by one so each gets its own verdict.
///
/// Reading runs one chunk ahead of storing: while a chunk's transaction is written (one core),
/// the next chunk is read (every core). The two stages meet through a channel of one chunk, so
/// at most three chunks of read documents are held at once however many files there are. A
/// chunk is stored whole or not at all; a file whose reading failed (a bug: reading never
/// fails) is a [`ImportDocError::Reading`] and the others are stored all the same.
///
/// With `publish` (the operator's `qiao import docs --publish`), each document is public at
/// once unless its text still holds lines that look like spam: those stay drafts for review.
pub async fn import_many(
    store: &Arc<dyn Store>,
    files: Vec<(String, Vec<u8>)>,
    publish: bool,
) -> Vec<Result<Imported, ImportDocError>> {
    let n = files.len();
    let mut results: Vec<Option<Result<Imported, ImportDocError>>> = (0..n).map(|_| None).collect();
    // Duplicates first (of a stored document, or of an earlier file of this call): they are
    // not read at all, as in [`import`].
    let mut wanted = Vec::new();
    let mut first_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut repeats = Vec::new();
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        let sha = sha256_hex(&bytes);
        match store.document_by_sha256(&sha).await {
            Ok(Some(existing)) => {
                results[i] = Some(Err(ImportDocError::Duplicate {
                    file_name: name,
                    existing: existing.id,
                }));
            }
            Ok(None) => match first_of.get(&sha) {
                Some(&earlier) => repeats.push((i, earlier, name)),
                None => {
                    first_of.insert(sha.clone(), i);
                    wanted.push((i, name, bytes, sha));
                }
            },
            Err(e) => results[i] = Some(Err(e.into())),
        }
    }
    // Reading (decode, clean, extract) on every core, a chunk at a time, handed to the loop
    // below as each chunk is done.
    let reading: Vec<(usize, String)> = wanted.iter().map(|w| (w.0, w.1.clone())).collect();
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<Vec<ReadFile>>(1);
    let reader = tokio::task::spawn_blocking(move || {
        use rayon::prelude::*;
        let mut files = wanted.into_iter();
        loop {
            let chunk: Vec<_> = files.by_ref().take(STORE_CHUNK).collect();
            if chunk.is_empty() {
                return;
            }
            let read = chunk
                .into_par_iter()
                .map(|(i, name, bytes, sha)| (i, read_file(name, &bytes, sha, publish)))
                .collect();
            if sender.blocking_send(read).is_err() {
                return;
            }
        }
    });
    while let Some(chunk) = chunks.recv().await {
        let mut docs = Vec::with_capacity(chunk.len());
        let mut facts = Vec::with_capacity(chunk.len());
        for (i, read) in chunk {
            match read {
                Ok((doc, figures, undecodable)) => {
                    docs.push(doc);
                    facts.push((i, figures, undecodable));
                }
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        if docs.is_empty() {
            continue;
        }
        match store.create_documents(&docs).await {
            Ok(records) => {
                for ((i, figures, undecodable), record) in facts.into_iter().zip(records) {
                    results[i] = Some(Ok(Imported {
                        record,
                        figures,
                        undecodable,
                    }));
                }
            }
            Err(_) => {
                for ((i, figures, undecodable), d) in facts.into_iter().zip(&docs) {
                    results[i] = Some(store_one(store, d, figures, undecodable).await);
                }
            }
        }
    }
    // The reading task ends once it has sent its last chunk; if it failed before, the files
    // it did not hand over say so.
    let failure = reader.await.err().map(|e| e.to_string());
    for (i, file_name) in reading {
        if results[i].is_none() {
            results[i] = Some(Err(ImportDocError::Reading {
                file_name,
                cause: failure
                    .clone()
                    .unwrap_or_else(|| "the reading task stopped".to_string()),
            }));
        }
    }
    for (i, earlier, file_name) in repeats {
        results[i] = Some(match &results[earlier] {
            Some(Ok(done)) => Err(ImportDocError::Duplicate {
                file_name,
                existing: done.record.id,
            }),
            Some(Err(ImportDocError::Duplicate { existing, .. })) => {
                Err(ImportDocError::Duplicate {
                    file_name,
                    existing: *existing,
                })
            }
            _ => Err(StoreError::Conflict(format!(
                "`{file_name}` has the same bytes as a file that could not be stored"
            ))
            .into()),
        });
    }
    results
        .into_iter()
        .map(|r| r.expect("every file has a verdict"))
        .collect()
}

/// Reads one file of [`import_many`] into the record to store (`sha` its hash, computed once
/// for the duplicate check). A panic while reading (a bug: reading never fails on any input)
/// is this file's error, not the whole call's.
fn read_file(
    name: String,
    bytes: &[u8],
    sha: String,
    publish: bool,
) -> Result<ReadDoc, ImportDocError> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        qiao_docs::inspect(bytes, Format::from_path(std::path::Path::new(&name)))
    }));
    let doc = match read {
        Ok(doc) => doc,
        Err(panic) => {
            let cause = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the reader panicked".to_string());
            return Err(ImportDocError::Reading {
                file_name: name,
                cause,
            });
        }
    };
    let mut new = new_document_unhashed(&name, &doc);
    new.sha256 = sha;
    if publish && new.review.is_empty() {
        new.state = DocumentState::Published;
    }
    Ok((new, doc.figures.len(), undecodable(&doc)))
}

fn undecodable(doc: &Document) -> Vec<(usize, String)> {
    doc.undecodable
        .iter()
        .map(|u| (u.offset, u.bytes.clone()))
        .collect()
}

/// Stores one read document; a conflict on its hash names the stored copy.
async fn store_one(
    store: &Arc<dyn Store>,
    new: &NewDocument,
    figures: usize,
    undecodable: Vec<(usize, String)>,
) -> Result<Imported, ImportDocError> {
    let record = match store.create_document(new).await {
        Ok(record) => record,
        Err(StoreError::Conflict(message)) => {
            return Err(match store.document_by_sha256(&new.sha256).await? {
                Some(existing) => ImportDocError::Duplicate {
                    file_name: new.file_name.clone(),
                    existing: existing.id,
                },
                None => StoreError::Conflict(message).into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Imported {
        record,
        figures,
        undecodable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../qiao-docs/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_files_keep_their_order_and_each_gets_its_verdict() {
        let db = qiao_store::test_support::TestDb::sqlite().await;
        let store = &db.store;
        let plan = fixture("003_853fbbfa8443af7f.txt");
        let news = fixture("000_03cb8c32e2444fbc.txt");
        let before = import(store, "plan.txt", plan.clone().into())
            .await
            .unwrap()
            .record
            .id;
        // More than one store chunk, with a stored file, a repeat inside the call, and
        // distinct copies (a trailing line makes the bytes differ).
        let mut files = vec![("plan-again.txt".to_string(), plan.clone())];
        for i in 0..(STORE_CHUNK + 5) {
            let mut b = news.clone();
            b.extend(format!("\n{}\n", " ".repeat(i + 1)).as_bytes());
            files.push((format!("news-{i}.txt"), b));
        }
        files.push(("news-0-again.txt".to_string(), files[1].1.clone()));
        let results = import_many(store, files, false).await;
        assert_eq!(results.len(), STORE_CHUNK + 7);
        assert!(
            matches!(results[0], Err(ImportDocError::Duplicate { existing, .. }) if existing == before)
        );
        let ids: Vec<i64> = results[1..=STORE_CHUNK + 5]
            .iter()
            .map(|r| r.as_ref().unwrap().record.id)
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "stored in the order given: {ids:?}"
        );
        let first = results[1].as_ref().unwrap();
        assert_eq!(first.record.document.file_name, "news-0.txt");
        assert_eq!(
            store.get_document(first.record.id).await.unwrap(),
            first.record
        );
        match &results[STORE_CHUNK + 6] {
            Err(ImportDocError::Duplicate {
                file_name,
                existing,
            }) => {
                assert_eq!(
                    (file_name.as_str(), *existing),
                    ("news-0-again.txt", ids[0])
                );
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
        let stored = store
            .list_documents(&Default::default(), qiao_store::Page::default())
            .await
            .unwrap()
            .total;
        assert_eq!(stored as usize, 1 + STORE_CHUNK + 5);
    }

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
