//! The application layer: the operations people perform on Qiao, shared by the JSON API, the
//! pages and the command line, written once and knowing no HTTP.
//!
//! Each function takes the store (and the acting account where one acts), checks who may do
//! what, asks the domain to validate and the store to read or write, and returns records or
//! an error. How a result is sent (JSON, a page, a line on the terminal) is the caller's
//! business: `qiao-server` turns results into responses, `qiao` into output.
//!
//! Why a crate and not a module of the server: the command line imports documents, bulk
//! files and the demo set, and creates accounts, exactly as the server does; as a crate
//! without axum, http or askama, nothing here can reach for a request or a template, and the
//! command line no longer builds the HTTP side to run an import.
//!
//! Functions take `&Arc<dyn Store>` rather than the server's state: they need the store only
//! (and `store.acting_as(account)` for writes the audit log attributes), so the command line
//! calls them with the store it opened. Operations with refusals of their own return
//! [`AppError`]; those that can only fail in the store return its error, which converts.
//! Files are named for what they do (`document_import`, `contact_requests`), so none shares a
//! name with the handler that calls it.

pub mod account_admin;
pub mod account_contact;
pub mod applications;
pub mod attachments;
pub mod audit_log;
pub mod bookings;
pub mod bulk_import;
pub mod certificates;
pub mod contact_requests;
pub mod contracts;
pub mod credentials;
pub mod deals;
pub mod demo;
pub mod demo_applications;
pub mod demo_bookings;
pub mod demo_comparables;
pub mod demo_deals;
pub mod disclosure;
pub mod document_import;
pub mod document_reading;
mod error;
pub mod field_specs;
pub mod lang;
pub mod listing_counts;
pub mod mail;
pub mod notifications;
pub mod planning;
pub mod signin;
pub mod statistics;
pub mod threads;
pub mod valuation_report;
pub mod valuations;
pub mod vouchers;

pub use error::{AppError, AppResult};
