//! The one error type of the search crate.

/// What can go wrong while indexing or searching.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index files could not be read or written.
    #[error("search index: {0}")]
    Index(String),
    /// The index on disk was written by another version of Qiao.
    #[error("the search index in {0} was built by another version; run `qiao reindex`")]
    Incompatible(String),
    /// The store could not be read while following its change feed.
    #[error("reading the store for the index: {0}")]
    Store(#[from] qiao_store::StoreError),
    /// Another process (a running server) holds the index writer.
    #[error("the search index is in use by another process (a running `qiao serve`?)")]
    Busy,
    /// A write was attempted on an index opened read-only.
    #[error("the search index was opened read-only")]
    ReadOnly,
    /// A thread panicked while holding the index writer.
    #[error("the index writer was poisoned by a panic")]
    Poisoned,
    /// A file system error.
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index(e.to_string())
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
