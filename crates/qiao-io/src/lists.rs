//! Official lists of certified enterprises (a district's 高企名单, a 专精特新 list), as CSV or
//! XLSX, read for verifying the certificates organisations claim.
//!
//! Such lists are published for people, not machines: a title row or two above the header,
//! columns in any order, extra columns (企业名称, 所在区, 序号). Reading looks for the header
//! in the first rows (the first row naming a 统一社会信用代码 column) and keeps only the
//! columns verification uses: the credit code (required), the certificate number and the day
//! of issue (optional). Every row after the header becomes an entry or a [`RowError`] naming
//! its line, like the record importers.

use chrono::NaiveDate;
use qiao_domain::codes::parse_credit_code;

use crate::cell::{self, Cell};
use crate::error::IoError;
use qiao_domain::{FieldError, Rule};

use crate::{Format, RowError, delimited, workbook};

/// How many rows above the header a list may have (titles, notes).
const HEADER_WITHIN: usize = 10;

/// Column names accepted for each field, compared without spaces and case.
const CODE_NAMES: &[&str] = &[
    "统一社会信用代码",
    "社会信用代码",
    "信用代码",
    "credit_code",
    "creditcode",
];
const NUMBER_NAMES: &[&str] = &[
    "证书编号",
    "证书号",
    "证书号码",
    "number",
    "certificate_number",
];
const ISSUED_NAMES: &[&str] = &["发证日期", "发证时间", "认定日期", "认定时间", "issued_on"];

/// One enterprise of an official list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedCertificate {
    /// The spreadsheet row (header = its own row number, as Excel shows it).
    pub line: usize,
    /// 统一社会信用代码, normalised.
    pub credit_code: String,
    /// 证书编号, when the list has one.
    pub number: Option<String>,
    /// 发证日期, when the list has one.
    pub issued_on: Option<NaiveDate>,
}

/// What reading a list gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfficialList {
    /// The entries in file order.
    pub entries: Vec<ListedCertificate>,
    /// Rows that are not an entry (a bad credit code, a bad date), each with its line.
    pub errors: Vec<RowError>,
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

fn find(header: &[Cell<'_>], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|c| names.iter().any(|n| squash(&c.display()) == squash(n)))
}

/// Reads an official list in CSV or XLSX.
pub fn read_official_list(format: Format, bytes: &[u8]) -> Result<OfficialList, IoError> {
    struct Columns {
        code: usize,
        number: Option<usize>,
        issued: Option<usize>,
    }
    let mut columns: Option<Columns> = None;
    let mut seen = 0usize;
    let mut out = OfficialList::default();
    let mut on_row = |line: usize, cells: &[Cell<'_>]| -> Result<(), IoError> {
        let Some(cols) = &columns else {
            seen += 1;
            if let Some(code) = find(cells, CODE_NAMES) {
                columns = Some(Columns {
                    code,
                    number: find(cells, NUMBER_NAMES),
                    issued: find(cells, ISSUED_NAMES),
                });
            } else if seen >= HEADER_WITHIN {
                return Err(IoError::Header(format!(
                    "no column named 统一社会信用代码 in the first {HEADER_WITHIN} rows; the list needs one (证书编号 and 发证日期 are optional)"
                )));
            }
            return Ok(());
        };
        let get = |i: usize| cells.get(i).cloned().unwrap_or(Cell::Empty);
        let mut problems = Vec::new();
        let raw = get(cols.code).display().trim().to_string();
        let credit_code = if raw.is_empty() {
            problems.push(FieldError::new("统一社会信用代码", Rule::Blank));
            None
        } else {
            match parse_credit_code(&raw) {
                Ok(code) => Some(code),
                Err(e) => {
                    problems.push(FieldError::new("统一社会信用代码", e.rule(&raw)));
                    None
                }
            }
        };
        let number = cols
            .number
            .map(get)
            .filter(|c| !c.is_blank())
            .map(|c| c.display().trim().to_string());
        let issued_on = match cols.issued.map(get).filter(|c| !c.is_blank()) {
            None => None,
            Some(c) => match cell::date(&c) {
                Ok(d) => Some(d),
                Err(rule) => {
                    problems.push(FieldError::new("发证日期", rule));
                    None
                }
            },
        };
        match credit_code {
            Some(credit_code) if problems.is_empty() => out.entries.push(ListedCertificate {
                line,
                credit_code,
                number,
                issued_on,
            }),
            _ => out.errors.push(RowError {
                line,
                errors: problems,
            }),
        }
        Ok(())
    };
    match format {
        Format::Csv => delimited::visit(bytes, &mut on_row)?,
        Format::Xlsx => workbook::visit(bytes, &mut on_row)?,
        Format::Jsonl => {
            return Err(IoError::Malformed(
                "an official list is read from CSV or XLSX, not JSON Lines".into(),
            ));
        }
    }
    if columns.is_none() {
        return Err(IoError::Header(
            "no column named 统一社会信用代码; the list needs one (证书编号 and 发证日期 are optional)"
                .into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: u32) -> String {
        let first = format!("91310000MA1K{n:05}");
        let check = qiao_domain::codes::credit_code_check_char(&first).unwrap();
        format!("{first}{check}")
    }

    #[test]
    fn a_list_with_a_title_row_and_extra_columns() {
        let csv = format!(
            "2024年闵行区高新技术企业名单,,,\n序号,企业名称,统一社会信用代码,证书编号,发证日期\n1,甲,{},GR202431000001,2024年12月2日\n2,乙,{},,\n3,丙,91310000MA1K0000XX,GR3,2024-12-02\n4,丁,{},GR4,明天\n",
            code(1),
            code(2).to_lowercase(),
            code(3)
        );
        let list = read_official_list(Format::Csv, csv.as_bytes()).unwrap();
        assert_eq!(
            list.entries,
            [
                ListedCertificate {
                    line: 3,
                    credit_code: code(1),
                    number: Some("GR202431000001".into()),
                    issued_on: NaiveDate::from_ymd_opt(2024, 12, 2),
                },
                ListedCertificate {
                    line: 4,
                    credit_code: code(2),
                    number: None,
                    issued_on: None,
                },
            ]
        );
        let lines: Vec<usize> = list.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [5, 6]);
        assert!(
            list.errors[0].message().contains("统一社会信用代码"),
            "{:?}",
            list.errors
        );
        assert!(
            list.errors[1].message().contains("发证日期"),
            "{:?}",
            list.errors
        );
    }

    #[test]
    fn a_list_without_a_credit_code_column_is_refused() {
        let err =
            read_official_list(Format::Csv, "企业名称,证书编号\n甲,GR1\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("统一社会信用代码"), "{err}");
    }
}
