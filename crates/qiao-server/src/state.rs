//! What every handler shares: the store, the search engine, the clock, the sign-in limiter
//! and the deadlines requests run under ([`crate::deadline`]).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use qiao_search::{Comparables, ContractIndex, Engine, Follower, SearchIndex};
use qiao_store::Store;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// Search and matching, over an index that follows the database.
    pub search: Arc<Engine>,
    /// Failed sign-ins per username, to slow down password guessing.
    pub logins: Arc<qiao_app::signin::LoginLimiter>,
    /// The home page's counts per kind, valid while the change feed stands still.
    pub counts: Arc<qiao_app::listing_counts::CountCache>,
    /// The challenge board's district and field choices, valid while the feed stands still.
    pub facets: Arc<qiao_app::listing_counts::FacetCache>,
    /// Registered contracts found by text, the market approach's comparables; an index that
    /// follows the database beside the search index (`DATA_DIR/comparables`).
    pub comparables: Arc<Comparables>,
    /// What semantic matching is doing (see [`crate::semantic::start`]).
    pub semantic: Arc<crate::semantic::SemanticCell>,
    /// How long a request may run ([`crate::deadline`]).
    pub deadlines: Deadlines,
}

impl AppState {
    /// State over a store, with its search index in `index_dir` (in memory when `None`). The
    /// index catches up with the database in the background; searches wait briefly for it.
    pub async fn open(
        store: Arc<dyn Store>,
        index_dir: Option<&Path>,
    ) -> qiao_search::Result<Self> {
        let index = match index_dir {
            Some(dir) => SearchIndex::open(dir)?,
            None => SearchIndex::in_memory()?,
        };
        let follower = Follower::new(store.clone(), Arc::new(index)).await?;
        follower.spawn();
        let contracts = match index_dir {
            Some(dir) => ContractIndex::open(&dir.with_file_name("comparables"))?,
            None => ContractIndex::in_memory()?,
        };
        let comparables = Comparables::new(store.clone(), contracts).await?;
        comparables.spawn();
        Ok(AppState {
            comparables,
            search: Arc::new(Engine::new(store.clone(), follower)),
            store,
            logins: Arc::default(),
            counts: Arc::default(),
            facets: Arc::default(),
            semantic: Arc::default(),
            deadlines: Deadlines::default(),
        })
    }

    /// Today's date in China Standard Time, which decides expiry and certificate validity.
    pub fn today(&self) -> NaiveDate {
        qiao_domain::today()
    }
}

/// How long an ordinary request may take.
pub const REQUEST: Duration = Duration::from_secs(30);
/// How long an upload may take: reading and storing a 64 MB file takes seconds, not minutes.
pub const UPLOAD: Duration = Duration::from_secs(300);

/// The deadlines a server applies (tests shorten them).
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// For every request but uploads.
    pub request: Duration,
    /// For uploads.
    pub upload: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            request: REQUEST,
            upload: UPLOAD,
        }
    }
}
