//! The application layer: the operations people perform on Qiao, shared by the JSON API, the
//! pages and the command line, written once and knowing no HTTP.
//!
//! Each function takes the store (and the acting account where one acts), checks who may do
//! what, asks the domain to validate and the store to read or write, and returns records or
//! an error. How a result is sent (JSON, a page, a line on the terminal) is the caller's
//! business: `qiao-server` turns results into responses, `qiao` into output.

pub mod account_admin;
pub mod audit_log;
pub mod bulk_import;
pub mod certificates;
pub mod contact_requests;
pub mod credentials;
pub mod demo;
pub mod disclosure;
pub mod document_import;
pub mod document_reading;
mod error;
pub mod field_specs;
pub mod lang;
pub mod listing_counts;
pub mod planning;
pub mod signin;

pub use error::{AppError, AppResult};
