//! Bulk import and export of Qiao's records in JSONL, CSV and XLSX.
//!
//! A record is an [`Organisation`] or a [`Listing`] (with an optional `id` and owning
//! organisation), written as one flat row with a `kind` column (`organisation`, `achievement`,
//! `科技成果`…). JSONL carries the domain's JSON exactly; CSV and XLSX carry one record per row
//! under a header of English or Chinese column names (the alias table is in `src/fields.rs`),
//! with forgiving cells: `50万`, `2026年3月1日`, `a；b；c`, `中试`.
//!
//! Reading never stops at a bad row: every row becomes a record or a [`RowError`] naming the
//! line, the column and the fix, and every record has passed the domain's `validate()`. Only a
//! file that cannot be read as a whole (unknown format, broken workbook, unknown header) is an
//! [`IoError`]. Export then import gives back the same records, field for field, in all three
//! formats.
//!
//! - `fields`: the alias table (column names, Chinese headers, types, kinds).
//! - `labels`: names and Chinese labels of the enumerations.
//! - `cell`: one cell to one JSON value (amounts, dates, lists, enums, JSON cells).
//! - `row`: a row or a JSONL object to a validated record, with messages naming columns.
//! - `export`: records to a table of cells.
//! - `jsonl`, `delimited` (CSV), `workbook` (XLSX): the formats.
//! - `rejects`: the file of refused rows for `--skip-invalid`.
//! - `lists`: official lists of certified enterprises (高企名单), for verifying certificates.
//! - `contract_list`: the registry's technology-contract list (技术合同登记清单): contracts
//!   and their registration, amounts in 分.

use std::path::{Path, PathBuf};

use qiao_domain::{FieldError, Listing, Organisation, Rule};

mod cell;
mod contract_list;
mod delimited;
mod error;
mod export;
mod fields;
mod jsonl;
pub mod labels;
mod lists;
mod rejects;
mod row;
mod workbook;

pub use contract_list::{
    ContractListOutcome, ContractListRow, read_contract_list, write_contract_list,
};
pub use error::IoError;
pub use lists::{ListedCertificate, OfficialList, read_official_list};
pub use rejects::write_rejects;
pub use workbook::{ReportCell, write_sheet, write_text_sheet};

/// A bulk file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook (Office Open XML).
    Xlsx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Jsonl, Format::Csv, Format::Xlsx];

    /// The format a file name implies: `.jsonl`, `.ndjson` or `.json` (JSON Lines, not a JSON
    /// array), `.csv` or `.tsv`, `.xlsx`. Case does not matter.
    pub fn from_path(path: &Path) -> Result<Format, IoError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
            Some("csv" | "tsv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            _ => Err(IoError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One record of a bulk file.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An organisation (`kind` = `organisation`).
    Organisation(Organisation),
    /// A listing of any kind.
    Listing(ListingRow),
}

/// A listing with what the bulk format adds around it.
#[derive(Debug, Clone)]
pub struct ListingRow {
    /// The listing to update, or to create with this id; `None` creates a new one.
    pub id: Option<i64>,
    /// 统一社会信用代码 of the owning organisation, as written (trimmed).
    pub owner: Option<String>,
    /// The validated listing.
    pub listing: Listing,
    /// The listing's JSON keys the file gives for this row (a column in CSV and XLSX, even an
    /// empty one; a key in JSONL), the contact's parts as `contact.name`, `contact.phone`,
    /// `contact.email`. An import that updates a stored listing keeps every field not listed
    /// here. `None` for rows made in code: the row gives every field.
    pub given: Option<Vec<String>>,
}

/// Rows are equal when they hold the same record: `given` says which columns a file had, not
/// what the record is, so a record written and read back equals the one written.
impl PartialEq for ListingRow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.owner == other.owner && self.listing == other.listing
    }
}

/// A row that did not become a record.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based line of the file; for CSV and XLSX the spreadsheet row number (header = 1).
    pub line: usize,
    /// Every problem of the row, each the rule it breaks: the field is the column as the file
    /// names it (`column 统一社会信用代码 (credit_code)`) or the JSONL key (`` `trl` ``), and
    /// empty for the row as a whole (a line that is not JSON).
    pub errors: Vec<FieldError>,
}

impl RowError {
    /// A row with one problem.
    pub fn new(line: usize, field: impl Into<String>, rule: Rule) -> Self {
        RowError {
            line,
            errors: vec![FieldError::new(field, rule)],
        }
    }

    /// Every problem in English, `column: message` joined by `; `.
    pub fn message(&self) -> String {
        self.said(FieldError::to_string, "; ")
    }

    /// Every problem in Chinese, `column：message` joined by `；`.
    pub fn zh(&self) -> String {
        self.said(
            |e| {
                if e.field.is_empty() {
                    e.zh()
                } else {
                    format!("{}：{}", e.field, e.zh())
                }
            },
            "；",
        )
    }

    fn said(&self, one: impl Fn(&FieldError) -> String, sep: &str) -> String {
        self.errors.iter().map(one).collect::<Vec<_>>().join(sep)
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message())
    }
}

/// What reading a file gave: each non-blank row is either a record or an error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOutcome {
    /// The records with their line numbers, in file order.
    pub records: Vec<(usize, Record)>,
    /// The refused rows, in file order.
    pub errors: Vec<RowError>,
}

/// Reads a file, choosing the format by its name.
pub fn read_path(path: &Path) -> Result<ReadOutcome, IoError> {
    let format = Format::from_path(path)?;
    let bytes = std::fs::read(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_bytes(format, &bytes)
}

/// Reads the bytes of a file in `format`.
pub fn read_bytes(format: Format, bytes: &[u8]) -> Result<ReadOutcome, IoError> {
    match format {
        Format::Jsonl => jsonl::read(bytes),
        Format::Csv => read_table(|on_row| delimited::visit(bytes, on_row)),
        Format::Xlsx => read_table(|on_row| workbook::visit(bytes, on_row)),
    }
}

/// Reads a CSV or XLSX table: the first non-blank row is the header, resolved once.
fn read_table(
    visit: impl FnOnce(cell::RowSink<'_>) -> Result<(), IoError>,
) -> Result<ReadOutcome, IoError> {
    let mut columns: Option<row::Columns> = None;
    let mut outcome = ReadOutcome::default();
    visit(&mut |line, cells| {
        match &columns {
            None => columns = Some(row::Columns::new(cells)?),
            Some(columns) => match columns.parse_row(cells) {
                Ok(record) => outcome.records.push((line, record)),
                Err(errors) => outcome.errors.push(RowError { line, errors }),
            },
        }
        Ok(())
    })?;
    if columns.is_none() {
        return Err(IoError::Header(
            "the file is empty; its first row must name the columns, e.g. kind,title,summary"
                .into(),
        ));
    }
    Ok(outcome)
}

/// Writes records to a file, choosing the format by its name. The file is written under a
/// temporary name and renamed, so a failed export never leaves half a file behind.
pub fn write_path(path: &Path, records: &[Record]) -> Result<(), IoError> {
    let format = Format::from_path(path)?;
    let bytes = write_bytes(format, records)?;
    write_file(path, &bytes)
}

/// Writes records in `format`. JSONL keeps every field as the domain serialises it; CSV and
/// XLSX have one column per field that any record written needs.
pub fn write_bytes(format: Format, records: &[Record]) -> Result<Vec<u8>, IoError> {
    match format {
        Format::Jsonl => jsonl::write(records),
        Format::Csv => delimited::write(&export::table(records)?),
        Format::Xlsx => workbook::write(&export::table(records)?),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let failed = |source| IoError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut partial = PathBuf::from(path).into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    if let Err(e) = std::fs::write(&partial, bytes) {
        let _ = std::fs::remove_file(&partial);
        return Err(failed(e));
    }
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        failed(e)
    })
}
