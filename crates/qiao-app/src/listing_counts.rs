//! How many public listings of each kind the platform holds: the home page's counts and each
//! board's total, kept while the change feed stands still.

use qiao_domain::Kind;
use qiao_store::{ListingFilter, Page, Store};

/// The public count of each kind, remembered with the change-feed position it was read at:
/// counting 100k listings costs milliseconds, and the counts change only when the feed moves.
#[derive(Debug, Default)]
pub struct CountCache(std::sync::Mutex<Option<(i64, Vec<i64>)>>);

impl CountCache {
    /// The public count of one kind (what a board page shows as its total).
    pub async fn of(&self, store: &dyn Store, kind: Kind) -> qiao_store::Result<i64> {
        let counts = self.counts(store).await?;
        let at = Kind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("every kind is counted");
        Ok(counts[at])
    }

    /// The public count of every kind, in the order of `Kind::ALL`.
    pub async fn counts(&self, store: &dyn Store) -> qiao_store::Result<Vec<i64>> {
        let seq = store.last_seq().await?;
        if let Some((at, counts)) = &*self.0.lock().expect("count cache lock")
            && *at == seq
        {
            return Ok(counts.clone());
        }
        let one = Page { number: 1, size: 1 };
        let mut counts = Vec::new();
        for kind in Kind::ALL {
            let filter = ListingFilter {
                kind: Some(kind),
                ..Default::default()
            };
            counts.push(store.list_listings(&filter, one).await?.total);
        }
        // Counted after reading `seq`: at worst a write in between is shown one request late.
        *self.0.lock().expect("count cache lock") = Some((seq, counts.clone()));
        Ok(counts)
    }
}
