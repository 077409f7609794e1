//! Failures that stop a whole file. A bad row is not one of them: it becomes a
//! [`RowError`](crate::RowError) and reading goes on.

use std::path::PathBuf;

/// Why a file could not be read or written as a whole.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be read from disk.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file could not be written to disk.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file name does not say which format to use.
    #[error(
        "cannot tell the format of {} from its name; name it .jsonl (or .ndjson), .csv or .xlsx",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The bytes are not what the format promises: not an XLSX workbook, a JSON array where
    /// JSON Lines are expected, a header that is not UTF-8…
    #[error("{0}")]
    Malformed(String),
    /// The header row is missing or names columns Qiao does not know.
    #[error("header row: {0}")]
    Header(String),
    /// The records cannot be written in this format (a cell longer than XLSX allows, too many
    /// rows for one sheet…).
    #[error("{0}")]
    Export(String),
    /// A fault inside this crate or a library it uses, not the user's doing.
    #[error("internal error in the bulk format code: {0}")]
    Internal(String),
}
