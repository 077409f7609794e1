//! CSV: UTF-8 text, optionally with the byte-order mark Excel writes for "CSV UTF-8", first row
//! the header. Comma-separated; a header line with tabs or semicolons but no comma switches to
//! that delimiter (TSV, and CSV from locales where the comma is the decimal mark).
//!
//! Exports start with the byte-order mark, because without it Excel on a Chinese Windows reads
//! the file as GBK and shows mojibake.
//!
//! A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
//! Excel, WPS and LibreOffice (`=HYPERLINK("http://evil.example", "点此")` in a listing's title
//! would run in the operator's spreadsheet), so exports write it after a `'`, the mark those
//! programs read as "this is text". To keep export → import lossless the mark must be told
//! apart from an apostrophe of the text itself: exports also mark a text that starts with `'`,
//! and reading removes one leading `'` exactly when what follows starts with one of those
//! characters or with `'`, which is every text exports mark and no other. Numbers and dates are
//! never marked (they are written from numeric cells, not text), so `-5` stays a number; XLSX
//! needs none of this, since it writes texts as string cells, never as formulas.

use std::borrow::Cow;

use crate::cell::Cell;
use crate::error::IoError;
use crate::export::{Out, Table, fen_text};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Calls `on_row` with the spreadsheet row number (header = 1, as Excel shows it: a cell with
/// line breaks does not shift the rows after it) and the cells of every non-blank row.
pub(crate) fn visit(
    bytes: &[u8],
    mut on_row: impl FnMut(usize, &[Cell<'_>]) -> Result<(), IoError>,
) -> Result<(), IoError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(bytes))
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // The reader's own line count is off after CRLF and blank lines, so rows are counted here:
    // text lines before the record, minus line breaks inside quoted cells (Excel shows a cell
    // with line breaks as one row).
    let mut newlines: u64 = 0;
    let mut counted_to = 0usize;
    let mut embedded: u64 = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(IoError::Malformed(format!("CSV: {e}"))),
        }
        // The position is where the reader began looking, which may be on the previous
        // record's terminator or on skipped blank lines.
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > counted_to {
            newlines += bytes[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = start;
        }
        let line = (newlines.saturating_sub(embedded) + 1) as usize;
        embedded += record.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
        let cells: Vec<Cell<'_>> = record.iter().map(cell).collect();
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        on_row(line, &cells)?;
    }
}

/// What makes a spreadsheet program read a text cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether an exported text is written after a `'` (see the module's notes).
fn needs_mark(s: &str) -> bool {
    s.starts_with(FORMULA_START) || s.starts_with('\'')
}

/// A cell's text without the `'` an export put before it.
fn unmarked(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_mark(rest) => rest,
        _ => s,
    }
}

fn cell(bytes: &[u8]) -> Cell<'_> {
    match std::str::from_utf8(bytes) {
        Ok("") => Cell::Empty,
        Ok(s) => Cell::Text(Cow::Borrowed(unmarked(s))),
        Err(_) => Cell::Bad {
            reason: qiao_domain::Rule::NotUtf8,
            raw: String::from_utf8_lossy(bytes).into_owned(),
        },
    }
}

/// Picks the delimiter from the header line: a comma if it has one, else a tab, else a
/// semicolon.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut quoted = false;
    let (mut tabs, mut semicolons) = (0, 0);
    for &b in bytes.iter().take(64 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => return b',',
            b'\t' if !quoted => tabs += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if tabs > 0 {
        b'\t'
    } else if semicolons > 0 {
        b';'
    } else {
        b','
    }
}

/// Writes a table as CSV with a byte-order mark.
pub(crate) fn write(table: &Table) -> Result<Vec<u8>, IoError> {
    let mut out = BOM.to_vec();
    {
        let mut writer = csv::WriterBuilder::new().from_writer(&mut out);
        let fault = |e: csv::Error| IoError::Internal(format!("CSV writer: {e}"));
        writer.write_record(&table.header).map_err(fault)?;
        let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(table.header.len());
        for row in &table.rows {
            fields.clear();
            fields.extend(row.iter().map(|cell| match cell {
                Out::Empty => Cow::Borrowed(""),
                Out::Text(s) if needs_mark(s) => Cow::Owned(format!("'{s}")),
                Out::Text(s) => Cow::Borrowed(s.as_str()),
                Out::Int(i) => Cow::Owned(i.to_string()),
                Out::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
                Out::Fen(fen) => Cow::Owned(fen_text(*fen)),
            }));
            writer
                .write_record(fields.iter().map(|f| f.as_bytes()))
                .map_err(fault)?;
        }
        writer
            .flush()
            .map_err(|e| IoError::Internal(format!("CSV writer: {e}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_come_off_exactly_where_they_were_put() {
        for text in [
            "=1+1", "+86 21", "-40℃", "@SUM(A1)", "\tx", "\rx", "'", "'=x", "''", "'abc", "abc",
            "a=b", "",
        ] {
            let written = if needs_mark(text) {
                format!("'{text}")
            } else {
                text.to_string()
            };
            assert!(!written.starts_with(FORMULA_START), "{text:?}");
            assert_eq!(unmarked(&written), text, "{text:?}");
        }
        // An apostrophe a person typed before ordinary text stays.
        assert_eq!(unmarked("'Quoted' title"), "'Quoted' title");
    }
}
