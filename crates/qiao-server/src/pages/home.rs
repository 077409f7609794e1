//! `GET /`: a search box, how much the platform holds, and the newest listings.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use qiao_domain::Kind;
use qiao_store::{ListingFilter, Page};

use super::{Ctx, PageResult, Row, Visitor, html, row};
use crate::state::AppState;

/// One kind's count on the home page.
pub struct Count {
    href: String,
    label: &'static str,
    n: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    ctx: &'a Ctx,
    counts: Vec<Count>,
    newest: Vec<Row>,
}

/// The public count of each kind, remembered with the change-feed position it was read at:
/// counting 100k listings costs milliseconds, and the counts change only when the feed moves.
#[derive(Debug, Default)]
pub struct CountCache(std::sync::Mutex<Option<(i64, Vec<i64>)>>);

impl CountCache {
    /// The public count of one kind (what a board page shows as its total).
    pub async fn of(&self, state: &AppState, kind: Kind) -> qiao_store::Result<i64> {
        let counts = self.counts(state).await?;
        let at = Kind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("every kind is counted");
        Ok(counts[at])
    }

    async fn counts(&self, state: &AppState) -> qiao_store::Result<Vec<i64>> {
        let seq = state.store.last_seq().await?;
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
            counts.push(state.store.list_listings(&filter, one).await?.total);
        }
        // Counted after reading `seq`: at worst a write in between is shown one request late.
        *self.0.lock().expect("count cache lock") = Some((seq, counts.clone()));
        Ok(counts)
    }
}

/// `GET /`
pub async fn home(State(state): State<AppState>, v: Visitor) -> PageResult<Response> {
    let l = v.ctx.l;
    let counts = state
        .counts
        .counts(&state)
        .await
        .map_err(|e| v.error(e))?
        .into_iter()
        .zip(Kind::ALL)
        .map(|(n, kind)| Count {
            href: format!("/{}", kind.plural()),
            label: l.kind(&kind),
            n,
        })
        .collect();
    let today = state.today();
    let newest = state
        .store
        .list_listings(
            &ListingFilter::default(),
            Page {
                number: 1,
                size: 12,
            },
        )
        .await
        .map_err(|e| v.error(e))?
        .items
        .iter()
        .map(|r| row(l, r, today))
        .collect();
    Ok(html(&Home {
        ctx: &v.ctx,
        counts,
        newest,
    }))
}
