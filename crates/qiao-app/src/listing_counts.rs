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

/// The challenge board's district and field choices, remembered with the change-feed position
/// they were read at (grouping every challenge on each view would cost what the page does).
#[derive(Debug, Default)]
pub struct FacetCache(std::sync::Mutex<Option<(i64, (Choices, Choices))>>);

impl FacetCache {
    /// The districts and the fields of public challenges.
    pub async fn challenge_choices(
        &self,
        store: &dyn Store,
    ) -> qiao_store::Result<(Choices, Choices)> {
        let seq = store.last_seq().await?;
        if let Some((at, choices)) = &*self.0.lock().expect("facet cache lock")
            && *at == seq
        {
            return Ok(choices.clone());
        }
        let choices = (
            store
                .facet_values(Kind::Challenge, Facet::District, FACET_CHOICES)
                .await?,
            store
                .facet_values(Kind::Challenge, Facet::Discipline, FACET_CHOICES)
                .await?,
        );
        *self.0.lock().expect("facet cache lock") = Some((seq, choices.clone()));
        Ok(choices)
    }
}

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
