//! XLSX: the first sheet of the workbook on import; one sheet named `records` on export.
//!
//! Reading streams the sheet's cells (calamine's cell reader) instead of building the dense
//! range: a sheet whose one stray cell sits at XFD1048576 would otherwise allocate 17 billion
//! cells. Exports write dates as real date cells (formatted `yyyy-mm-dd`, so they sort and
//! filter in Excel) and whole numbers as numbers while a spreadsheet's float holds them exactly.
//!
//! A workbook is a zip of XML parts, and deflate packs repetitive XML a thousandfold: 1.3 MB
//! can hold 1 GB of sheet, which calamine would inflate (and partly hold) while reading. So
//! before calamine sees a workbook, its parts are inflated once into nothing, counting, and a
//! workbook whose parts come to more than [`MAX_INFLATED`] is refused without being read.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::cell::{Cell, RowSink};
use crate::error::IoError;
use crate::export::{Out, Table, fen_text};

/// Excel's limits.
const MAX_COLUMNS: u32 = 16_384;
const MAX_ROWS: usize = 1_048_576;
const MAX_TEXT_CHARS: usize = 32_767;
/// The largest integer a spreadsheet number (an f64) holds exactly.
const EXACT_INTEGER: u64 = 1 << 53;

/// The most bytes the parts of a workbook (sheets, shared strings and the rest) may inflate to,
/// together: the size of the largest upload the API takes (`POST /api/v1/imports`, 256 MB), so
/// reading a workbook never costs more than reading the largest CSV.
pub(crate) const MAX_INFLATED: u64 = 256 << 20;

/// Refuses a workbook whose parts inflate to more than `limit` bytes. An archive the zip reader
/// cannot open, or a part it cannot inflate, is left for calamine to refuse in its own words:
/// this check only measures, and a part is counted up to where it breaks.
fn check_inflated(bytes: &[u8], limit: u64) -> Result<(), IoError> {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        let name = part
            .name()
            .map(Cow::into_owned)
            .unwrap_or_else(|_| format!("number {}", i + 1));
        let mut size: u64 = 0;
        loop {
            match part.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    size += n as u64;
                    if total + size > limit {
                        return Err(IoError::Malformed(format!(
                            "the workbook unpacks to more than {} MB (its part `{name}` alone to more than {} MB) and is not read; a real sheet of that size is better imported as CSV UTF-8, or split into several files",
                            limit >> 20,
                            size >> 20
                        )));
                    }
                }
            }
        }
        total += size;
    }
    Ok(())
}

/// Calls `on_row` with the 1-based row number and the cells of every non-blank row of the
/// first sheet.
pub(crate) fn visit(
    bytes: &[u8],
    mut on_row: impl FnMut(usize, &[Cell<'_>]) -> Result<(), IoError>,
) -> Result<(), IoError> {
    // calamine is robust but not proven panic-free on hostile archives; a broken upload must
    // come back as an error, never take the process down.
    catch_unwind(AssertUnwindSafe(|| visit_sheet(bytes, &mut on_row))).unwrap_or_else(|_| {
        Err(IoError::Malformed(
            "the workbook could not be read: its content is malformed; open it in Excel or WPS and save it again as .xlsx".into(),
        ))
    })
}

fn malformed(what: &str, e: impl std::fmt::Display) -> IoError {
    IoError::Malformed(format!("{what} ({e})"))
}

fn visit_sheet(bytes: &[u8], on_row: RowSink<'_>) -> Result<(), IoError> {
    check_inflated(bytes, MAX_INFLATED)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        malformed(
            "not an XLSX workbook; save the spreadsheet as .xlsx (Excel 2007 or later), or export it as CSV UTF-8",
            e,
        )
    })?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| IoError::Malformed("the workbook has no sheet".into()))?;
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|e| malformed("the first sheet cannot be read", e))?;
    let mut current: Option<u32> = None;
    let mut pending: Vec<(u32, Cell<'_>)> = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| malformed("the first sheet cannot be read", e))?
    {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(done) = current {
                flush(done, &mut pending, on_row)?;
            }
            current = Some(row);
        }
        let value = convert(cell.get_value());
        if !matches!(value, Cell::Empty) && col < MAX_COLUMNS {
            pending.push((col, value));
        }
    }
    if let Some(done) = current {
        flush(done, &mut pending, on_row)?;
    }
    Ok(())
}

fn flush<'a>(
    row: u32,
    pending: &mut Vec<(u32, Cell<'a>)>,
    on_row: RowSink<'_>,
) -> Result<(), IoError> {
    let width = pending
        .iter()
        .map(|(c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut cells = vec![Cell::Empty; width];
    for (col, cell) in pending.drain(..) {
        cells[col as usize] = cell;
    }
    if cells.iter().all(Cell::is_blank) {
        return Ok(());
    }
    on_row(row as usize + 1, &cells)
}

fn convert<'a>(value: &DataRef<'a>) -> Cell<'a> {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(*s)),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(Cow::Owned(s.clone()))
        }
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()) {
                Some(date) => Cell::Date(date),
                None => Cell::Bad {
                    reason: qiao_domain::Rule::BadFormat {
                        found: format!("{y}-{m:02}-{d:02}"),
                        format: qiao_domain::Format::Date,
                    },
                    raw: dt.as_f64().to_string(),
                },
            }
        }
        DataRef::DateTime(dt) => Cell::Float(dt.as_f64()),
        DataRef::Error(e) => Cell::Bad {
            reason: qiao_domain::Rule::SpreadsheetError {
                found: e.to_string(),
            },
            raw: e.to_string(),
        },
    }
}

fn export_error(e: rust_xlsxwriter::XlsxError) -> IoError {
    IoError::Export(format!("the XLSX writer refused the data: {e}"))
}

/// Writes a table as a workbook with one sheet named `records`.
pub(crate) fn write(table: &Table) -> Result<Vec<u8>, IoError> {
    write_named(table, "records")
}

/// Amounts in 分 below this are written as number cells; larger ones as text. A spreadsheet
/// number is an `f64`: an amount of at most 15 significant digits (`9999999999999.99` 元) is
/// the nearest `f64` to `fen / 100` (one correctly rounded division), and that `f64` prints
/// back as the very same decimal (Rust prints the shortest decimal that reads back as it, and
/// no other decimal of 15 digits or fewer does), so the amount survives exactly. Past 15
/// digits two amounts can share an `f64`, so they are written as text.
const EXACT_FEN: u64 = 1_000_000_000_000_000;

/// Writes a table as a workbook with one sheet named `sheet_name`.
pub(crate) fn write_named(table: &Table, sheet_name: &str) -> Result<Vec<u8>, IoError> {
    if table.rows.len() >= MAX_ROWS {
        return Err(IoError::Export(format!(
            "{} records do not fit in one XLSX sheet (at most {}); export to .jsonl or .csv",
            table.rows.len(),
            MAX_ROWS - 1
        )));
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(export_error)?;
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("0.00");
    for (col, name) in table.header.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, name, &bold)
            .map_err(export_error)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        let r = index as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            match cell {
                Out::Empty => {}
                Out::Text(s) => {
                    if s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS {
                        return Err(IoError::Export(format!(
                            "row {}, column {}: the text has {} characters, more than an XLSX cell holds ({MAX_TEXT_CHARS}); export to .jsonl or .csv",
                            r + 1,
                            table.header.get(col).map_or("?", String::as_str),
                            s.chars().count()
                        )));
                    }
                    sheet.write_string(r, c, s).map_err(export_error)?;
                }
                Out::Int(i) if i.unsigned_abs() <= EXACT_INTEGER => {
                    sheet.write_number(r, c, *i as f64).map_err(export_error)?;
                }
                Out::Int(i) => {
                    sheet
                        .write_string(r, c, i.to_string())
                        .map_err(export_error)?;
                }
                Out::Fen(fen) if fen.unsigned_abs() < EXACT_FEN => {
                    // Exact: see EXACT_FEN. Money is never computed here, only written.
                    let yuan = *fen as f64 / 100.0;
                    sheet
                        .write_number_with_format(r, c, yuan, &money)
                        .map_err(export_error)?;
                }
                Out::Fen(fen) => {
                    sheet
                        .write_string(r, c, fen_text(*fen))
                        .map_err(export_error)?;
                }
                Out::Date(d) => match excel_date(*d) {
                    Some(excel) => {
                        sheet
                            .write_datetime_with_format(r, c, &excel, &day)
                            .map_err(export_error)?;
                    }
                    None => {
                        sheet
                            .write_string(r, c, d.format("%Y-%m-%d").to_string())
                            .map_err(export_error)?;
                    }
                },
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(export_error)?;
    book.save_to_buffer().map_err(export_error)
}

/// A date Excel can hold (1900-01-01 to 9999-12-31); earlier or later days are written as text.
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year())
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// One cell of a report: text, or a number a spreadsheet can sum.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportCell {
    /// Written as a string, never as a formula.
    Text(String),
    /// Written as a number; a non-finite one is left empty.
    Number(f64),
}

/// Writes a workbook of one sheet, `name`, holding `header` in bold and `rows` under it, every
/// cell as text (reports such as the audit log's export). See [`write_sheet`].
pub fn write_text_sheet(
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, IoError> {
    let rows: Vec<Vec<ReportCell>> = rows
        .iter()
        .map(|r| r.iter().map(|t| ReportCell::Text(t.clone())).collect())
        .collect();
    write_sheet(name, header, &rows)
}

/// Writes a workbook of one sheet, `name`, holding `header` in bold and `rows` under it. A cell
/// is never a formula, whatever it starts with (`=`, `+`, `-`, `@`): text cells are written as
/// strings, which a spreadsheet shows and never evaluates. A text longer than a cell holds
/// (32,767 characters) is cut there and ends with `…`.
pub fn write_sheet(
    name: &str,
    header: &[&str],
    rows: &[Vec<ReportCell>],
) -> Result<Vec<u8>, IoError> {
    if rows.len() >= MAX_ROWS {
        return Err(IoError::Export(format!(
            "{} rows do not fit in one XLSX sheet (at most {})",
            rows.len(),
            MAX_ROWS - 1
        )));
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(export_error)?;
    let bold = Format::new().set_bold();
    for (col, text) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *text, &bold)
            .map_err(export_error)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let r = index as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let text = match cell {
                ReportCell::Number(x) if x.is_finite() => {
                    sheet
                        .write_number(r, col as u16, *x)
                        .map_err(export_error)?;
                    continue;
                }
                ReportCell::Number(_) => continue,
                ReportCell::Text(t) if t.is_empty() => continue,
                ReportCell::Text(t) => t,
            };
            let text: Cow<'_, str> =
                if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
                    let mut cut: String = text.chars().take(MAX_TEXT_CHARS - 1).collect();
                    cut.push('…');
                    Cow::Owned(cut)
                } else {
                    Cow::Borrowed(text)
                };
            sheet
                .write_string(r, col as u16, text.as_ref())
                .map_err(export_error)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(export_error)?;
    book.save_to_buffer().map_err(export_error)
}

#[cfg(test)]
mod text_sheet_tests {
    use super::*;

    #[test]
    fn number_cells_are_numbers_a_sheet_can_sum() {
        let rows = vec![vec![
            ReportCell::Text("闵行区".into()),
            ReportCell::Number(4000.0),
            ReportCell::Number(f64::NAN),
        ]];
        let bytes = write_sheet("targets", &["地区", "目标", "实际"], &rows).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("targets").unwrap();
        assert_eq!(range.get((1, 1)), Some(&calamine::Data::Float(4000.0)));
        assert!(matches!(
            range.get((1, 2)),
            None | Some(calamine::Data::Empty)
        ));
    }

    #[test]
    fn text_cells_never_become_formulas_and_long_ones_are_cut() {
        let long = "字".repeat(MAX_TEXT_CHARS + 10);
        let rows = vec![vec!["=1+1".to_string(), "@SUM(A1)".into(), long]];
        let bytes = write_text_sheet("audit", &["a", "b", "c"], &rows).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("audit").unwrap();
        assert_eq!(
            range.get((1, 0)),
            Some(&calamine::Data::String("=1+1".into()))
        );
        let formulas = book.worksheet_formula("audit").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        let Some(calamine::Data::String(cut)) = range.get((1, 2)) else {
            panic!("the long cell is text");
        };
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
        assert!(cut.ends_with('…'));
    }
}
