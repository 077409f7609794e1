//! 创新券 (innovation vouchers): staff issue them to enterprises and follow their use; an
//! enterprise sees its own. Shared by the API and the pages.
//!
//! Who may do what: commission staff and admins issue vouchers, list every voucher (filtered by
//! enterprise) with totals, and read any; an enterprise's members list and read their
//! organisation's vouchers and the bookings they paid; anyone else reading a voucher by id gets
//! the 404 of one that does not exist. Spending happens through bookings (`bookings.rs`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use qiao_domain::booking::{Fen, Voucher};
use qiao_domain::invalid::{Invalid, Record, Rule};
use qiao_domain::{Account, OrgKind};
use qiao_store::{
    BookingFilter, BookingRecord, Page, Paged, Store, StoreError, VoucherRecord, VoucherTotals,
};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The most bookings a voucher's page lists (newest first).
pub const MAX_BOOKINGS_SHOWN: u32 = 200;

/// A voucher with its enterprise's name and what is left.
#[derive(Debug, Clone, Serialize)]
pub struct VoucherRow {
    /// The voucher and its balance.
    #[serde(flatten)]
    pub record: VoucherRecord,
    /// The enterprise's name.
    pub org_name: String,
    /// Granted less reserved and spent.
    pub left: Fen,
}

/// A page of vouchers with the totals of all that match.
#[derive(Debug, Clone, Serialize)]
pub struct VoucherList {
    /// This page.
    pub vouchers: Paged<VoucherRow>,
    /// Sums over every voucher that matches (not only this page).
    pub totals: VoucherTotals,
    /// What is left over all of them.
    pub left: Fen,
}

/// A voucher with the bookings it paid part of.
#[derive(Debug, Clone, Serialize)]
pub struct VoucherView {
    /// The voucher.
    #[serde(flatten)]
    pub row: VoucherRow,
    /// Its bookings, newest first (at most [`MAX_BOOKINGS_SHOWN`]).
    pub bookings: Vec<BookingRecord>,
}

/// Issues `voucher` as `user` (staff or admin) to an enterprise of the platform.
pub async fn issue(
    store: &Arc<dyn Store>,
    user: &Account,
    voucher: Voucher,
) -> AppResult<VoucherRecord> {
    if !user.is_staff() {
        return Err(AppError::forbidden(
            "创新券 are issued by commission staff (or an admin)",
        ));
    }
    let org_id = voucher.org_id;
    match store.get_org(org_id).await {
        Ok(o) if o.org.kind == OrgKind::Enterprise => {}
        Ok(_) => {
            return Err(Invalid::field(
                "org_id",
                Rule::NotOneOf {
                    found: format!("organisation {org_id}"),
                    allowed: vec!["an enterprise (企业)".into()],
                },
            )
            .into());
        }
        Err(StoreError::NotFound { .. }) => {
            return Err(Invalid::field(
                "org_id",
                Rule::NotFound {
                    record: Record::Organisation,
                    id: org_id,
                },
            )
            .into());
        }
        Err(e) => return Err(e.into()),
    }
    let mut voucher = voucher;
    voucher.validate()?;
    Ok(store.acting_as(user.id).create_voucher(&voucher).await?)
}

/// Which vouchers `user` may list: staff any (of `org_id` if given), an organisation's member
/// its own; `None` for anyone else.
fn scope(user: &Account, org_id: Option<i64>) -> Option<Option<i64>> {
    if user.is_staff() {
        Some(org_id)
    } else {
        user.org_id.map(Some)
    }
}

/// The vouchers `user` may see (staff: every one, or one enterprise's; a member: its
/// organisation's), newest first, with totals.
pub async fn list(
    store: &Arc<dyn Store>,
    user: &Account,
    org_id: Option<i64>,
    page: Page,
) -> AppResult<VoucherList> {
    let Some(scope) = scope(user, org_id) else {
        return Err(AppError::forbidden(
            "创新券 are seen by the enterprise they were granted to and by staff",
        ));
    };
    let records = store.vouchers(scope, page).await?;
    let totals = store.voucher_totals(scope).await?;
    let rows = rows(store, records.items).await?;
    Ok(VoucherList {
        vouchers: Paged {
            items: rows,
            total: records.total,
            page: records.page,
            per_page: records.per_page,
        },
        left: totals.balance.left(),
        totals,
    })
}

async fn rows(store: &Arc<dyn Store>, records: Vec<VoucherRecord>) -> AppResult<Vec<VoucherRow>> {
    let mut names = HashMap::<i64, String>::new();
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let o = record.voucher.org_id;
        if let Entry::Vacant(slot) = names.entry(o) {
            slot.insert(match store.get_org(o).await {
                Ok(r) => r.org.name,
                Err(StoreError::NotFound { .. }) => format!("#{o}"),
                Err(e) => return Err(e.into()),
            });
        }
        out.push(VoucherRow {
            org_name: names[&o].clone(),
            left: record.balance().left(),
            record,
        });
    }
    Ok(out)
}

/// Voucher `id` with its bookings, for staff and its enterprise's members; a 404 for anyone
/// else.
pub async fn view(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<VoucherView> {
    let record = match store.get_voucher(id).await {
        Ok(r) if user.is_staff() || user.org_id == Some(r.voucher.org_id) => r,
        Ok(_) | Err(StoreError::NotFound { .. }) => {
            return Err(AppError::not_found("voucher", id));
        }
        Err(e) => return Err(e.into()),
    };
    let bookings = store
        .bookings(
            &BookingFilter {
                voucher_id: Some(id),
                ..Default::default()
            },
            Page {
                number: 1,
                size: MAX_BOOKINGS_SHOWN,
            },
        )
        .await?
        .items;
    let row = rows(store, vec![record]).await?.remove(0);
    Ok(VoucherView { row, bookings })
}

/// The vouchers of `user`'s organisation that could pay a booking (some left), for the booking
/// form; empty for an account of no organisation.
pub async fn usable(store: &Arc<dyn Store>, user: &Account) -> AppResult<Vec<VoucherRow>> {
    let Some(org) = user.org_id else {
        return Ok(Vec::new());
    };
    let page = Page {
        number: 1,
        size: 50,
    };
    let records = store.vouchers(Some(org), page).await?.items;
    let today = qiao_domain::today();
    let usable: Vec<VoucherRecord> = records
        .into_iter()
        .filter(|r| r.balance().left() > Fen::ZERO && r.voucher.valid_until >= today)
        .collect();
    rows(store, usable).await
}
