//! Integration tests of the bulk formats, in one test binary: round trips, spreadsheets as
//! people make them, error messages, rejects files and garbage input.

mod common;
mod contracts;
mod errors;
mod garbage;
mod perf;
mod rejects;
mod round_trip;
mod spreadsheets;
