//! What the search tests share: a follower keeping an index in a directory, listings valid
//! for the store, and the ids a query retrieves.

use std::path::Path;
use std::sync::Arc;

use qiao_domain::{Kind, Listing};
use qiao_search::{Filters, Follower, QueryTerms, SearchIndex};
use qiao_store::Store;

/// A follower of `store` keeping the index in `dir`.
pub async fn follower_in(store: &Arc<dyn Store>, dir: &Path) -> Arc<Follower> {
    let index = Arc::new(SearchIndex::open(dir).unwrap());
    Follower::new(store.clone(), index).await.unwrap()
}

/// A listing of `kind` from its JSON fields, validated as the store expects it.
pub fn listing(kind: Kind, fields: serde_json::Value) -> Listing {
    let mut l = Listing::from_fields(kind, fields).unwrap();
    l.validate().unwrap();
    l
}

/// Stores a listing of `kind` (no owner); its id as the index knows it.
pub async fn add(store: &Arc<dyn Store>, kind: Kind, fields: serde_json::Value) -> u64 {
    store
        .create_listing(None, &listing(kind, fields))
        .await
        .unwrap()
        .id as u64
}

/// The ids `q` retrieves from `index` under `filters` (the first 50), in the index's order.
pub fn retrieved(index: &SearchIndex, q: &str, filters: &Filters) -> Vec<u64> {
    index
        .retrieve(&QueryTerms::from_text(q).finish(), filters, 50)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect()
}
