//! Search and matching for Qiao.
//!
//! The index is a derived view of the store: [`Follower`] follows the store's change feed into
//! a tantivy [`SearchIndex`], and can rebuild it from scratch at any time. Text goes through
//! `qiao-text` (script folding, segmentation, bigrams) once, and is fed to tantivy as
//! analysed tokens. The [`Engine`] answers free-text searches and two-way matches in three steps:
//! retrieve lexical candidates (BM25 over words and bigrams, with filters), [`rank`] them with
//! structured evidence, and [`explain`] each hit with the terms it shares and highlighted
//! snippets in the original script. [`eval`] holds the retrieval metrics the benchmarks report.
//!
//! [`rank`]: rank::rank
//! [`explain`]: explain::explain

pub mod analysis;
pub mod comparables;
pub mod cpu;
pub mod document;
pub mod engine;
mod error;
pub mod eval;
pub mod explain;
pub mod follow;
pub mod fuse;
pub mod index;
pub mod informative;
mod maxscore;
pub mod rank;
pub mod reasons;
pub mod refine;
pub mod schema;
mod segments;
pub mod semantic;
pub mod strength;
pub mod vectors;

pub use analysis::QueryTerms;
pub use comparables::{Comparables, ContractHit, ContractIndex};
pub use engine::{DocumentHit, DocumentResults, Engine, Explainer, Hit, Results, SearchRequest};
pub use error::{Error, Result};
pub use follow::Follower;
pub use fuse::Route;
pub use index::{Batch, Candidate, FieldWeights, Filters, SearchIndex, TermCaps};
pub use semantic::Semantic;
pub use strength::Strength;
pub use vectors::VectorIndex;
