//! Who sees what of listings and organisations, shared by the API, the pages and the policy
//! checks, so no path shows more than another.
//!
//! Listings: drafts are seen only by their owner organisation and admins (anyone else gets
//! the 404 of a listing that does not exist); private fields (contact, confidential details)
//! by those who may change the listing, and by those whose contact request (or a colleague's)
//! the owner accepted: tiered disclosure.
//!
//! Organisations: anyone may read the public profile; revenue and R&D expenses are seen only
//! by the organisation's members, commission staff and admins.

use std::sync::Arc;

use qiao_domain::listing::Status;
use qiao_domain::{Account, Kind, Role};
use qiao_store::{ListingRecord, OrgRecord, Store};

use crate::error::{AppError, AppResult};

/// The organisation as `viewer` may see it: revenue and R&D figures only for itself, commission
/// staff and admins.
pub fn organisation(viewer: Option<&Account>, mut record: OrgRecord) -> OrgRecord {
    let privileged =
        viewer.is_some_and(|a| a.may_change(Some(record.id)) || a.role == Role::CommissionStaff);
    if !privileged {
        record.org.strip_private();
    }
    record
}

fn may_see_private(viewer: Option<&Account>, record: &ListingRecord) -> bool {
    viewer.is_some_and(|a| a.may_change(record.owner_org_id))
}

/// The record as `viewer` may see it.
pub fn listing(viewer: Option<&Account>, mut record: ListingRecord) -> ListingRecord {
    if !may_see_private(viewer, &record) {
        record.listing.strip_private();
    }
    record
}

/// Loads a listing of `kind` that `viewer` may see; anything else is a 404.
pub async fn load(
    store: &Arc<dyn Store>,
    kind: Kind,
    id: i64,
    viewer: Option<&Account>,
) -> AppResult<ListingRecord> {
    let record = store.get_listing(id).await.map_err(|e| match e {
        qiao_store::StoreError::NotFound { .. } => AppError::not_found(kind.as_str(), id),
        other => other.into(),
    })?;
    let hidden_draft =
        record.listing.status() == Status::Draft && !may_see_private(viewer, &record);
    if record.listing.kind() != kind || hidden_draft {
        return Err(AppError::not_found(kind.as_str(), id));
    }
    Ok(record)
}

/// Whether `viewer` sees a listing's private fields: those who may change it, and those whose
/// contact request (or a colleague's) the owner accepted. This is tiered disclosure.
pub async fn discloses(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    record: &ListingRecord,
) -> AppResult<bool> {
    Ok(match viewer {
        None => false,
        Some(a) if a.may_change(record.owner_org_id) => true,
        Some(a) => store.contact_granted(record.id, a).await?,
    })
}
