//! Records to a table of cells, for the CSV and XLSX writers.
//!
//! Each record is serialised through serde (so the export follows the domain structs without a
//! second list of their fields) and each key becomes the cell of its column in the alias
//! table. Cells are written so that reading them back gives the same record: lists are joined
//! with `；` only when no item could be split or trimmed differently, and otherwise written as
//! JSON arrays; a contact that the three `contact.*` columns cannot carry goes to a `contact`
//! JSON column.

use chrono::NaiveDate;
use serde_json::Value;

use crate::Record;
use crate::cell::{joinable, parse_date};
use crate::error::IoError;
use crate::fields::{FIELD_COUNT, FIELDS, Field, Target, Type, target_mask};

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Empty,
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// An amount of money in 分, written in 元 with two decimals (`12345678.90`), exactly.
    Fen(i64),
}

/// 分 as 元 with two decimals, in integers: `1` is `0.01`, `-150` is `-1.50`.
pub(crate) fn fen_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A header and rows of cells, ready for a writer.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Out>>,
}

/// The cells of one record, by field.
fn cells(record: &Record) -> Result<(Target, Vec<(Field, Out)>), IoError> {
    let internal =
        |e: serde_json::Error| IoError::Internal(format!("a record did not serialise: {e}"));
    let (target, value) = match record {
        Record::Organisation(org) => (
            Target::Organisation,
            serde_json::to_value(org).map_err(internal)?,
        ),
        Record::Listing(row) => (
            Target::Listing(row.listing.kind()),
            serde_json::to_value(&row.listing).map_err(internal)?,
        ),
    };
    let Value::Object(map) = value else {
        return Err(IoError::Internal(
            "a record did not serialise to an object".into(),
        ));
    };
    let mut out = Vec::with_capacity(map.len() + 3);
    out.push((Field::Kind, Out::Text(target.name().into())));
    if let Record::Listing(row) = record {
        if let Some(id) = row.id {
            out.push((Field::Id, Out::Int(id)));
        }
        if let Some(owner) = &row.owner {
            out.push((Field::Owner, Out::Text(owner.clone())));
        }
    }
    for (key, value) in map {
        if key == "kind" && target != Target::Organisation {
            continue;
        }
        let field = Field::from_key(target, &key).ok_or_else(|| {
            IoError::Internal(format!(
                "{target} field `{key}` has no column in the alias table (fields.rs)"
            ))
        })?;
        push_cells(&mut out, field, value);
    }
    Ok((target, out))
}

fn push_cells(out: &mut Vec<(Field, Out)>, field: Field, value: Value) {
    let cell = match (field.info().ty, value) {
        (_, Value::Null) => return,
        (Type::Date, Value::String(s)) => match parse_date(&s) {
            Some(d) => Out::Date(d),
            None => Out::Text(s),
        },
        (_, Value::String(s)) => Out::Text(s),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => Out::Int(i),
            None => Out::Text(n.to_string()),
        },
        (Type::List { commas }, Value::Array(items)) => {
            let items: Vec<String> = items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect();
            if items.is_empty() {
                return;
            }
            if joinable(&items, commas) {
                Out::Text(items.join("；"))
            } else {
                Out::Text(serde_json::to_string(&items).unwrap_or_default())
            }
        }
        (Type::EnumList(_), Value::Array(items)) => {
            if items.is_empty() {
                return;
            }
            let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            Out::Text(names.join("；"))
        }
        (Type::Contact, Value::Object(contact)) => {
            // The three columns carry a contact only when each part is a non-blank text: an
            // empty contact or a blank part would read back as absent.
            let splittable = !contact.is_empty()
                && contact
                    .values()
                    .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
            if splittable {
                for (key, v) in contact {
                    let part = match key.as_str() {
                        "name" => Field::ContactName,
                        "phone" => Field::ContactPhone,
                        _ => Field::ContactEmail,
                    };
                    if let Value::String(s) = v {
                        out.push((part, Out::Text(s)));
                    }
                }
                return;
            }
            Out::Text(Value::Object(contact).to_string())
        }
        (_, Value::Array(items)) if items.is_empty() => return,
        (_, other) => Out::Text(other.to_string()),
    };
    out.push((field, cell));
}

/// The table for `records`: the columns are those of every kind present (an export of
/// achievements carries the achievement columns even where all are empty, so it doubles as a
/// template), `id`, `owner` and `contact` only when some record needs them.
pub(crate) fn table(records: &[Record]) -> Result<Table, IoError> {
    let mut rows = Vec::with_capacity(records.len());
    let mut mask = 0u16;
    let mut used = [false; FIELD_COUNT];
    for record in records {
        let (target, cells) = cells(record)?;
        mask |= target_mask(target);
        for (field, _) in &cells {
            used[*field as usize] = true;
        }
        rows.push(cells);
    }
    let mut column = [usize::MAX; FIELD_COUNT];
    let mut header = Vec::new();
    for info in FIELDS {
        let optional = matches!(info.field, Field::Id | Field::Owner | Field::Contact);
        let wanted = if optional {
            used[info.field as usize]
        } else {
            info.field.applies_to_any(mask) || used[info.field as usize]
        };
        // An empty export still names the `kind` column, so that it reads back as empty
        // rather than as a file without a header.
        if wanted || (records.is_empty() && info.field == Field::Kind) {
            column[info.field as usize] = header.len();
            header.push(info.name.to_string());
        }
    }
    let rows = rows
        .into_iter()
        .map(|cells| {
            let mut row = vec![Out::Empty; header.len()];
            for (field, cell) in cells {
                if let Some(slot) = row.get_mut(column[field as usize]) {
                    *slot = cell;
                }
            }
            row
        })
        .collect();
    Ok(Table { header, rows })
}
