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

/// `GET /`
pub async fn home(State(state): State<AppState>, v: Visitor) -> PageResult<Response> {
    let l = v.ctx.l;
    let counts = state
        .counts
        .counts(state.store.as_ref())
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
        .list_listing_items(
            &ListingFilter::default(),
            Page {
                number: 1,
                size: 12,
            },
        )
        .await
        .map_err(|e| v.error(e))?
        .iter()
        .map(|r| row(l, r, today))
        .collect();
    Ok(html(&Home {
        ctx: &v.ctx,
        counts,
        newest,
    }))
}
