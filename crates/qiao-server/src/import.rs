//! Bulk import shared by `qiao import listings` and `POST /api/v1/imports`: resolve each
//! listing's owner, then store the whole batch in one transaction.
//!
//! Owners are checked before anything is written so that a missing one is reported with the
//! line it stands on, like any other bad row, rather than as a failed transaction.

use std::collections::HashSet;
use std::sync::Arc;

use qiao_domain::Organisation;
use qiao_io::{Record, RowError};
use qiao_store::{ImportListing, ImportReport, Store, StoreError};

/// What an import wrote, and the rows it refused.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What was stored.
    pub report: ImportReport,
    /// Bad rows; when there are any, nothing was stored.
    pub errors: Vec<RowError>,
}

/// Splits records into organisations and listings, and refuses (with their line) the listings
/// whose owner is neither in the batch nor in the store.
pub async fn resolve_owners(
    store: &Arc<dyn Store>,
    records: Vec<(usize, Record)>,
) -> Result<(Vec<Organisation>, Vec<ImportListing>, Vec<RowError>), StoreError> {
    let mut orgs = Vec::new();
    let mut rows = Vec::new();
    for (line, record) in records {
        match record {
            Record::Organisation(o) => orgs.push(o),
            Record::Listing(l) => rows.push((line, l)),
        }
    }
    let mut known: HashSet<String> = orgs.iter().map(|o| o.credit_code.clone()).collect();
    let mut missing: HashSet<String> = HashSet::new();
    let mut listings = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (line, row) in rows {
        let owner = row.owner.map(|c| c.trim().to_ascii_uppercase());
        if let Some(code) = &owner
            && !known.contains(code)
        {
            if !missing.contains(code) && store.org_by_credit_code(code).await?.is_some() {
                known.insert(code.clone());
            } else {
                missing.insert(code.clone());
                errors.push(RowError {
                    line,
                    message: format!(
                        "owner: no organisation has 统一社会信用代码 `{code}`; add it to the file (kind = organisation) or register it first"
                    ),
                });
                continue;
            }
        }
        listings.push(ImportListing {
            id: row.id,
            owner_credit_code: owner,
            listing: row.listing,
        });
    }
    Ok((orgs, listings, errors))
}

/// Imports parsed records all or nothing: with any unknown owner nothing is written and the
/// refused rows are returned.
pub async fn import_records(
    store: &Arc<dyn Store>,
    records: Vec<(usize, Record)>,
) -> Result<Outcome, StoreError> {
    let (orgs, listings, errors) = resolve_owners(store, records).await?;
    if !errors.is_empty() {
        return Ok(Outcome {
            report: ImportReport::default(),
            errors,
        });
    }
    let report = store.import(&orgs, &listings).await?;
    Ok(Outcome { report, errors })
}
