//! What every handler shares: the store and the clock.

use std::sync::Arc;

use chrono::NaiveDate;
use qiao_store::Store;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState { store }
    }

    /// Today's date in China Standard Time, which decides expiry and certificate validity.
    pub fn today(&self) -> NaiveDate {
        (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
    }
}
