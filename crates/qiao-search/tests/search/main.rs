//! The search index and matching, in one test binary: documents in the index
//! (`documents.rs`), the follower of the change feed (`follow.rs`), the query parser on
//! arbitrary input (`fuzz.rs`), semantic matching with the real model (`semantic.rs`), and the
//! shelves' fast path held to the plain one (`shelves.rs`). What they share is in `common.rs`.

mod common;
mod documents;
mod follow;
mod fuzz;
mod semantic;
mod shelves;
