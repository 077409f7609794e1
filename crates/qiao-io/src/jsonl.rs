//! JSON Lines: one record per line, the format of the demo data and of full-fidelity exports.
//!
//! A line is `{"kind": "achievement", "id": 7, "owner": "9131…", "title": …}` with the listing's
//! fields as in the domain structs, or `{"kind": "organisation", "org_kind": "enterprise",
//! "name": …}` (an organisation's own `kind` is `org_kind` here, since `kind` says what the
//! record is). Blank lines are skipped; keys starting with `#` are comments.

use std::collections::HashMap;

use qiao_domain::Listing;
use serde_json::{Map, Value};

use crate::error::IoError;
use crate::row::record_from_json;
use crate::{ReadOutcome, Record, RowError};

/// Reads every line; a bad line becomes a [`RowError`] and reading goes on.
pub(crate) fn read(bytes: &[u8]) -> Result<ReadOutcome, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.trim_ascii_start().starts_with(b"[") {
        return Err(IoError::Malformed(
            "this file holds a JSON array; Qiao reads JSON Lines, one object per line (convert it with `jq -c '.[]'`)".into(),
        ));
    }
    let mut outcome = ReadOutcome::default();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match record_from_json(line) {
            Ok(record) => outcome.records.push((index + 1, record)),
            Err(errors) => outcome.errors.push(RowError {
                line: index + 1,
                errors,
            }),
        }
    }
    Ok(outcome)
}

/// The text of the lines `wanted` picks, by 1-based line number, numbered as [`read`] numbers
/// them.
pub(crate) fn lines(bytes: &[u8], wanted: impl Fn(usize) -> bool) -> HashMap<usize, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(index, _)| wanted(index + 1))
        .map(|(index, line)| {
            (
                index + 1,
                String::from_utf8_lossy(line.trim_ascii()).into_owned(),
            )
        })
        .collect()
}

/// Writes one line per record, keys in the domain structs' order with `kind`, `id` and `owner`
/// first.
pub(crate) fn write(records: &[Record]) -> Result<Vec<u8>, IoError> {
    let mut out = Vec::with_capacity(records.len() * 512);
    for record in records {
        write_record(&mut out, record)?;
        out.push(b'\n');
    }
    Ok(out)
}

fn internal(e: serde_json::Error) -> IoError {
    IoError::Internal(format!("a record did not serialise: {e}"))
}

fn write_record(out: &mut Vec<u8>, record: &Record) -> Result<(), IoError> {
    // The domain serialises an organisation as `{"kind":"enterprise",…}` and a listing as
    // `{"kind":"achievement",…}`: splicing our keys in after that opening keeps the field order
    // of the structs (a `Map` would sort the keys) without serialising twice.
    match record {
        Record::Organisation(org) => {
            let json = serde_json::to_string(org).map_err(internal)?;
            match json.strip_prefix("{\"kind\":") {
                Some(rest) => {
                    out.extend_from_slice(b"{\"kind\":\"organisation\",\"org_kind\":");
                    out.extend_from_slice(rest.as_bytes());
                }
                None => {
                    let mut map = object(serde_json::to_value(org).map_err(internal)?)?;
                    if let Some(kind) = map.remove("kind") {
                        map.insert("org_kind".into(), kind);
                    }
                    map.insert("kind".into(), "organisation".into());
                    serde_json::to_writer(&mut *out, &map).map_err(internal)?;
                }
            }
        }
        Record::Listing(row) => {
            let json = serde_json::to_string(&row.listing).map_err(internal)?;
            let opening = format!("{{\"kind\":\"{}\"", row.listing.kind().as_str());
            let mut extra = String::new();
            if let Some(id) = row.id {
                extra.push_str(&format!(",\"id\":{id}"));
            }
            if let Some(owner) = &row.owner {
                extra.push_str(",\"owner\":");
                extra.push_str(&serde_json::to_string(owner).map_err(internal)?);
            }
            match json.strip_prefix(&opening) {
                Some(rest) => {
                    out.extend_from_slice(opening.as_bytes());
                    out.extend_from_slice(extra.as_bytes());
                    out.extend_from_slice(rest.as_bytes());
                }
                None => write_listing_map(out, &row.listing, row.id, row.owner.as_deref())?,
            }
        }
    }
    Ok(())
}

fn object(value: Value) -> Result<Map<String, Value>, IoError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(IoError::Internal(
            "a record did not serialise to an object".into(),
        )),
    }
}

fn write_listing_map(
    out: &mut Vec<u8>,
    listing: &Listing,
    id: Option<i64>,
    owner: Option<&str>,
) -> Result<(), IoError> {
    let mut map = object(serde_json::to_value(listing).map_err(internal)?)?;
    if let Some(id) = id {
        map.insert("id".into(), id.into());
    }
    if let Some(owner) = owner {
        map.insert("owner".into(), owner.into());
    }
    serde_json::to_writer(out, &map).map_err(internal)
}
