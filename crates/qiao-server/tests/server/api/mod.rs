//! The JSON API, one file per handler module of `src/api/`: requests with bearer tokens, JSON
//! in and out.

mod accounts;
mod applications;
mod bookings;
mod certificates;
mod contacts;
mod contracts;
mod deals;
mod documents;
mod imports;
mod listings;
mod meta;
mod notifications;
mod organisations;
mod policies;
mod search;
mod statistics;
mod targets;
mod threads;
mod valuations;
mod vouchers;
