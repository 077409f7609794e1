//! What the integration tests of the index share.

use std::path::Path;
use std::sync::Arc;

use qiao_search::{Follower, SearchIndex};
use qiao_store::Store;

/// A follower of `store` keeping the index in `dir`.
pub async fn follower_in(store: &Arc<dyn Store>, dir: &Path) -> Arc<Follower> {
    let index = Arc::new(SearchIndex::open(dir).unwrap());
    Follower::new(store.clone(), index).await.unwrap()
}
