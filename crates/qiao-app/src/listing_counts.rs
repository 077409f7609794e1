//! How many public listings of each kind the platform holds: the home page's counts and each
//! board's total, kept while the change feed stands still; and the districts and fields the
//! challenge board offers as choices, kept the same way.

use qiao_domain::Kind;
use qiao_store::{Facet, ListingFilter, Page, Store};

/// How many values of a facet a board offers: the most used ones (a district or field typed
/// on one challenge alone still filters by its link, it is just not in the list).
pub const FACET_CHOICES: u32 = 40;

/// A board's choices: each value with how many public listings hold it, most used first.
pub type Choices = Vec<(String, i64)>;

/// A value read from the store, remembered with the change-feed position it was read at: it
/// stands while the feed stands still. Read after the position, so at worst a write in between
/// is shown one request late.
#[derive(Debug)]
struct AtFeed<T>(std::sync::Mutex<Option<(i64, T)>>);

impl<T> Default for AtFeed<T> {
    fn default() -> Self {
        AtFeed(std::sync::Mutex::new(None))
    }
}

impl<T: Clone> AtFeed<T> {
    /// The value kept at the feed's current position, or `read`'s, then kept.
    async fn get<F, Fut>(&self, store: &dyn Store, read: F) -> qiao_store::Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = qiao_store::Result<T>>,
    {
        let seq = store.last_seq().await?;
        if let Some((at, value)) = &*self.0.lock().expect("feed cache lock")
            && *at == seq
        {
            return Ok(value.clone());
        }
        let value = read().await?;
        *self.0.lock().expect("feed cache lock") = Some((seq, value.clone()));
        Ok(value)
    }
}

/// The challenge board's district and field choices, remembered with the change-feed position
/// they were read at (grouping every challenge on each view would cost what the page does).
#[derive(Debug, Default)]
pub struct FacetCache(AtFeed<(Choices, Choices)>);

impl FacetCache {
    /// The districts and the fields of public challenges.
    pub async fn challenge_choices(
        &self,
        store: &dyn Store,
    ) -> qiao_store::Result<(Choices, Choices)> {
        self.0
            .get(store, || async {
                Ok((
                    store
                        .facet_values(Kind::Challenge, Facet::District, FACET_CHOICES)
                        .await?,
                    store
                        .facet_values(Kind::Challenge, Facet::Discipline, FACET_CHOICES)
                        .await?,
                ))
            })
            .await
    }
}

/// The public count of each kind, remembered with the change-feed position it was read at:
/// counting 100k listings costs milliseconds, and the counts change only when the feed moves.
#[derive(Debug, Default)]
pub struct CountCache(AtFeed<Vec<i64>>);

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
        self.0
            .get(store, || async {
                let one = Page { number: 1, size: 1 };
                let mut counts = Vec::new();
                for kind in Kind::ALL {
                    let filter = ListingFilter {
                        kind: Some(kind),
                        ..Default::default()
                    };
                    counts.push(store.list_listings(&filter, one).await?.total);
                }
                Ok(counts)
            })
            .await
    }
}
