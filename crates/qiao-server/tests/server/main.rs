//! The server end to end, in one test binary: the real router on a fresh database per test,
//! requests sent in-process (`common`). The files mirror the route table: `api/X.rs` tests the
//! routes of `src/api/X.rs`, `pages/X.rs` those of `src/pages/X.rs`, and `router.rs` what
//! every route shares (the error envelope, deadlines, body limits), `field_errors.rs` how a
//! refused field reads in the API, an import and a page. Runs on SQLite; the smoke
//! test in `api/meta.rs` also on PostgreSQL when `QIAO_TEST_DATABASE_URL` is set.

mod api;
mod common;
mod field_errors;
mod pages;
mod router;
