//! The rejects file of `qiao import --skip-invalid`: every refused row with its line, the
//! reason and its original content.
//!
//! The first two columns (keys, for JSONL) are `#line` and `#reason`. The importer ignores
//! headers and keys that start with `#`, so a rejects file whose rows have been corrected can be
//! imported as it is: it has the source file's own columns after those two.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::IoError;
use crate::export::{Out, Table};
use crate::{Format, RowError, delimited, jsonl, workbook, write_file};

/// Writes the rows of `source` named by `errors` to `path`, in the format of `path`'s name.
///
/// For a CSV or XLSX source the rejects carry the source's header and cells, as CSV, XLSX or
/// (less usefully) JSONL. For a JSONL source, a `.jsonl` rejects file holds the original
/// objects with `#line` and `#reason` added; a CSV or XLSX one holds the line as text in `#raw`.
pub fn write_rejects(path: &Path, source: &Path, errors: &[RowError]) -> Result<(), IoError> {
    let out_format = Format::from_path(path)?;
    let source_format = Format::from_path(source)?;
    let bytes = std::fs::read(source).map_err(|e| IoError::Read {
        path: source.to_path_buf(),
        source: e,
    })?;
    let bytes = rejects_bytes(out_format, source_format, &bytes, errors)?;
    write_file(path, &bytes)
}

/// The rejects file's content; see [`write_rejects`].
pub(crate) fn rejects_bytes(
    out_format: Format,
    source_format: Format,
    source: &[u8],
    errors: &[RowError],
) -> Result<Vec<u8>, IoError> {
    let mut reasons: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in errors {
        reasons.entry(e.line).or_default().push(e.message());
    }
    let reason = |line: usize| reasons.get(&line).map(|r| r.join("; ")).unwrap_or_default();

    if source_format == Format::Jsonl {
        let lines = jsonl::lines(source, |line| reasons.contains_key(&line));
        if out_format == Format::Jsonl {
            let mut out = Vec::new();
            for line in reasons.keys() {
                let raw = lines.get(line).map_or("", |s| s.as_str());
                out.extend_from_slice(jsonl_reject(*line, &reason(*line), raw).as_bytes());
                out.push(b'\n');
            }
            return Ok(out);
        }
        let table = Table {
            header: vec!["#line".into(), "#reason".into(), "#raw".into()],
            rows: reasons
                .keys()
                .map(|line| {
                    vec![
                        Out::Int(*line as i64),
                        Out::Text(reason(*line)),
                        Out::Text(lines.get(line).cloned().unwrap_or_default()),
                    ]
                })
                .collect(),
        };
        return write_table(out_format, &table);
    }

    // A CSV or XLSX source: the header and the refused rows, as text.
    let mut header: Option<Vec<String>> = None;
    let mut found: HashMap<usize, Vec<String>> = HashMap::new();
    let mut collect = |line: usize, cells: &[crate::cell::Cell<'_>]| {
        let texts = || cells.iter().map(|c| c.display().into_owned()).collect();
        if header.is_none() {
            header = Some(texts());
        } else if reasons.contains_key(&line) {
            found.insert(line, texts());
        }
        Ok(())
    };
    match source_format {
        Format::Csv => delimited::visit(source, &mut collect)?,
        _ => workbook::visit(source, &mut collect)?,
    }
    let mut table = Table {
        header: vec!["#line".into(), "#reason".into()],
        rows: Vec::with_capacity(reasons.len()),
    };
    table.header.extend(header.unwrap_or_default());
    for line in reasons.keys() {
        let mut row = vec![Out::Int(*line as i64), Out::Text(reason(*line))];
        row.extend(
            found
                .remove(line)
                .unwrap_or_default()
                .into_iter()
                .map(Out::Text),
        );
        row.resize(table.header.len().max(row.len()), Out::Empty);
        table.rows.push(row);
    }
    // Rows longer than the header (cells without a header) keep their cells under `#extra`
    // columns, so nothing of the original is lost.
    let widest = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    while table.header.len() < widest {
        table.header.push(format!("#extra{}", table.header.len()));
    }
    for row in &mut table.rows {
        row.resize(widest.max(table.header.len()), Out::Empty);
    }
    write_table(out_format, &table)
}

fn write_table(format: Format, table: &Table) -> Result<Vec<u8>, IoError> {
    match format {
        Format::Csv => delimited::write(table),
        Format::Xlsx => workbook::write(table),
        Format::Jsonl => {
            let mut out = Vec::new();
            for row in &table.rows {
                let obj: serde_json::Map<String, serde_json::Value> = table
                    .header
                    .iter()
                    .zip(row)
                    .filter_map(|(name, cell)| {
                        let value = match cell {
                            Out::Empty => return None,
                            Out::Text(s) => s.clone().into(),
                            Out::Int(i) => (*i).into(),
                            Out::Date(d) => d.to_string().into(),
                            // Exact as text: a JSON number would be read as f64.
                            Out::Fen(fen) => crate::export::fen_text(*fen).into(),
                        };
                        Some((name.clone(), value))
                    })
                    .collect();
                out.extend_from_slice(serde_json::Value::Object(obj).to_string().as_bytes());
                out.push(b'\n');
            }
            Ok(out)
        }
    }
}

/// A JSONL reject: the original object with `#line` and `#reason` first, or the line as text in
/// `#raw` when it is not a JSON object.
fn jsonl_reject(line: usize, reason: &str, raw: &str) -> String {
    let head = format!(
        "{{\"#line\":{line},\"#reason\":{}",
        serde_json::Value::from(reason)
    );
    let object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw).ok();
    if let Some(object) = &object
        && object.keys().any(|k| k.starts_with('#'))
    {
        // A reject of a rejects file: replace the old notes rather than repeat the keys.
        let mut object = object.clone();
        object.retain(|k, _| !k.starts_with('#'));
        let rest = serde_json::Value::Object(object).to_string();
        return splice(&head, &rest[1..]);
    }
    match raw.trim().strip_prefix('{') {
        Some(rest) if object.is_some() => splice(&head, rest),
        _ => format!("{head},\"#raw\":{}}}", serde_json::Value::from(raw)),
    }
}

/// `head` (an unclosed object) followed by the members and closing brace in `rest`.
fn splice(head: &str, rest: &str) -> String {
    if rest.trim_start().starts_with('}') {
        format!("{head}}}")
    } else {
        format!("{head},{rest}")
    }
}
