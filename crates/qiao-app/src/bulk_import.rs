//! Bulk import shared by `qiao import listings` and `POST /api/v1/imports`: resolve each
//! listing's owner, check what a line naming a stored listing may do, then store the whole
//! batch in one transaction.
//!
//! Owners are checked before anything is written so that a missing one is reported with the
//! line it stands on, like any other bad row, rather than as a failed transaction.
//!
//! A line whose `id` is a stored listing updates it, under the rules of a `PATCH`:
//! - the importing account must be one that may change the listing (`Account::may_change`);
//!   the CLI, run by the operator on the database itself, has no account and may;
//! - it never moves the listing to another organisation, nor gives an ownerless one an owner:
//!   ownership is not a field a file can overwrite, so a differing `owner` refuses the line
//!   (an empty one keeps the stored owner);
//! - it never changes the listing's kind;
//! - fields the file has no column (JSONL: no key) for keep their stored values: the row is
//!   merged over the stored record and validated again before anything is written.
//!
//! A line naming a registered organisation (by 统一社会信用代码) overwrites its profile, so it
//! is refused unless the importing account may change that organisation (an admin, or one of
//! its members); commission staff import new organisations and the listings of any organisation
//! named as `owner`, never another's profile.
//!
//! The stored listings are read before the write transaction, so a listing changed between
//! the two is overwritten with a merge over its earlier state, exactly as two racing `PATCH`es
//! would; no import (nor anything else but an admin's edit) moves an owner meanwhile.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use qiao_domain::{Account, FieldError, Invalid, Listing, Organisation, Rule};
use qiao_io::{ListingRow, Record, RowError};
use qiao_store::{ImportListing, ImportReport, ListingRecord, Store, StoreError};
use serde_json::{Map, Value};

/// What an import wrote, and the rows it refused.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What was stored.
    pub report: ImportReport,
    /// Bad rows; when there are any, nothing was stored.
    pub errors: Vec<RowError>,
}

/// How many stored listings one query reads.
const READ_CHUNK: usize = 500;

/// Splits records into organisations and listings, and refuses (with their line) the listings
/// whose owner is neither in the batch nor in the store, and the updates of stored listings
/// that `actor` may not make (see the module's rules). `actor` is the importing account; `None`
/// is the operator at the command line.
pub async fn resolve_owners(
    store: &Arc<dyn Store>,
    records: Vec<(usize, Record)>,
    actor: Option<&Account>,
) -> Result<(Vec<Organisation>, Vec<ImportListing>, Vec<RowError>), StoreError> {
    let mut orgs = Vec::new();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, record) in records {
        match record {
            Record::Organisation(o) => {
                // A line naming a registered organisation overwrites its profile: only those
                // who may change that profile otherwise (its members, admins) may import it.
                if let Some(actor) = actor
                    && let Some(stored) = store.org_by_credit_code(&o.credit_code).await?
                    && !actor.may_change(Some(stored.id))
                {
                    errors.push(RowError::new(
                        line,
                        "credit_code",
                        Rule::NotYours {
                            record: qiao_domain::Record::Organisation,
                            id: stored.id,
                        },
                    ));
                    continue;
                }
                orgs.push(o)
            }
            Record::Listing(l) => rows.push((line, l)),
        }
    }
    let stored = stored_listings(store, &rows).await?;
    let mut codes: HashMap<i64, String> = HashMap::new();
    let mut known: HashSet<String> = orgs.iter().map(|o| o.credit_code.clone()).collect();
    let mut missing: HashSet<String> = HashSet::new();
    let mut listings = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let mut owner = row.owner.as_ref().map(|c| c.trim().to_ascii_uppercase());
        let mut listing = row.listing.clone();
        if let Some(record) = row.id.and_then(|id| stored.get(&id)) {
            let stored_owner = match record.owner_org_id {
                Some(id) => Some(match codes.get(&id) {
                    Some(code) => code.clone(),
                    None => {
                        let code = store.get_org(id).await?.org.credit_code;
                        codes.insert(id, code.clone());
                        code
                    }
                }),
                None => None,
            };
            match update(
                record,
                &row,
                owner.as_deref(),
                stored_owner.as_deref(),
                actor,
            ) {
                Ok(merged) => listing = merged,
                Err(problems) => {
                    errors.push(RowError {
                        line,
                        errors: problems,
                    });
                    continue;
                }
            }
            owner = stored_owner;
        }
        if let Some(code) = &owner
            && !known.contains(code)
        {
            if !missing.contains(code) && store.org_by_credit_code(code).await?.is_some() {
                known.insert(code.clone());
            } else {
                missing.insert(code.clone());
                errors.push(RowError::new(
                    line,
                    "owner",
                    Rule::NoSuchOrganisation {
                        credit_code: code.clone(),
                    },
                ));
                continue;
            }
        }
        listings.push(ImportListing {
            id: row.id,
            owner_credit_code: owner,
            listing,
        });
    }
    errors.sort_by_key(|e| e.line);
    Ok((orgs, listings, errors))
}

/// The stored listings the rows name by id.
async fn stored_listings(
    store: &Arc<dyn Store>,
    rows: &[(usize, ListingRow)],
) -> Result<HashMap<i64, ListingRecord>, StoreError> {
    let ids: Vec<i64> = rows.iter().filter_map(|(_, row)| row.id).collect();
    let mut stored = HashMap::new();
    for chunk in ids.chunks(READ_CHUNK) {
        for record in store.get_listings(chunk).await? {
            stored.insert(record.id, record);
        }
    }
    Ok(stored)
}

/// What a row naming the stored listing `record` writes, or why the line is refused.
fn update(
    record: &ListingRecord,
    row: &ListingRow,
    owner: Option<&str>,
    stored_owner: Option<&str>,
    actor: Option<&Account>,
) -> Result<Listing, Vec<FieldError>> {
    let id = record.id;
    let refuse = |field: &str, rule: Rule| Err(vec![FieldError::new(field, rule)]);
    if let Some(actor) = actor
        && !actor.may_change(record.owner_org_id)
    {
        return refuse(
            "id",
            Rule::NotYours {
                record: qiao_domain::Record::Listing,
                id,
            },
        );
    }
    let (kind, stored_kind) = (row.listing.kind(), record.listing.kind());
    if kind != stored_kind {
        return refuse(
            "kind",
            Rule::Unchangeable {
                record: qiao_domain::Record::Listing,
                id,
                stored: stored_kind.as_str().into(),
                found: kind.as_str().into(),
            },
        );
    }
    if let Some(owner) = owner
        && Some(owner) != stored_owner
    {
        return refuse(
            "owner",
            Rule::Unchangeable {
                record: qiao_domain::Record::Listing,
                id,
                stored: stored_owner.unwrap_or("").into(),
                found: owner.into(),
            },
        );
    }
    merged(&record.listing, row)
}

/// The row's fields over the stored listing's: every field the row's file gives (even empty)
/// comes from the row, every other from the stored listing. The result is validated again.
pub fn merged(stored: &Listing, row: &ListingRow) -> Result<Listing, Vec<FieldError>> {
    let Some(given) = &row.given else {
        return Ok(row.listing.clone());
    };
    let given: HashSet<&str> = given.iter().map(String::as_str).collect();
    let mut fields = fields_of(&row.listing)?;
    for (key, value) in fields_of(stored)? {
        if given.contains(key.as_str()) {
            continue;
        }
        if key == "contact" {
            // The contact's parts are columns of their own in a spreadsheet: keep the parts
            // the file has no column for.
            let Value::Object(parts) = value else {
                continue;
            };
            let kept: Vec<(String, Value)> = parts
                .into_iter()
                .filter(|(part, _)| !given.contains(format!("contact.{part}").as_str()))
                .collect();
            if kept.is_empty() {
                continue;
            }
            let entry = fields
                .entry("contact")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(contact) = entry {
                contact.extend(kept);
            }
        } else {
            fields.insert(key, value);
        }
    }
    let mut listing = Listing::from_fields(stored.kind(), Value::Object(fields)).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        vec![FieldError::new("", Rule::from_serde(message))]
    })?;
    listing.validate().map_err(|Invalid(errors)| errors)?;
    Ok(listing)
}

/// A listing's fields as a JSON object, without its `kind` tag.
fn fields_of(listing: &Listing) -> Result<Map<String, Value>, Vec<FieldError>> {
    let failed = |detail: String| vec![FieldError::new("", Rule::Malformed { detail })];
    match serde_json::to_value(listing) {
        Ok(Value::Object(mut map)) => {
            map.remove("kind");
            Ok(map)
        }
        Ok(_) => Err(failed("a listing did not serialise to an object".into())),
        Err(e) => Err(failed(e.to_string())),
    }
}

/// Imports parsed records all or nothing: with any refused row nothing is written and the
/// refused rows are returned. `actor` as for [`resolve_owners`].
pub async fn import_records(
    store: &Arc<dyn Store>,
    records: Vec<(usize, Record)>,
    actor: Option<&Account>,
) -> Result<Outcome, StoreError> {
    let (orgs, listings, errors) = resolve_owners(store, records, actor).await?;
    if !errors.is_empty() {
        return Ok(Outcome {
            report: ImportReport::default(),
            errors,
        });
    }
    let report = store.import(&orgs, &listings).await?;
    Ok(Outcome { report, errors })
}
