//! Every problem is reported with its line and its column (or key), and says how to fix it.

use qiao_domain::{FieldError, Rule};
use qiao_io::{Format, IoError};

use crate::common::{code, one_error, read_ok};

fn bad_check_char(code: &str) -> String {
    let last = code.chars().last().unwrap();
    let wrong = if last == '3' { '4' } else { '3' };
    format!("{}{wrong}", &code[..17])
}

#[test]
fn credit_code_error_names_the_column_as_written_and_the_fix() {
    let good = code(7);
    let csv = format!(
        "类型,机构类型,机构名称,统一社会信用代码\n机构,企业,甲公司,{good}\n机构,企业,乙公司,{}\n",
        bad_check_char(&good)
    );
    let (line, message) = one_error(Format::Csv, csv.as_bytes());
    assert_eq!(line, 3);
    let expected = good.chars().last().unwrap();
    assert!(
        message.starts_with("column 统一社会信用代码 (credit_code): 统一社会信用代码 `"),
        "{message}"
    );
    assert!(
        message.contains(&format!("expected `{expected}`")),
        "{message}"
    );
}

#[test]
fn every_bad_cell_of_a_row_is_reported_at_once() {
    let csv = "kind,title,summary,trl,price_min_yuan,expires_on,stage,reward_yuan\n\
               achievement,t,s,六,很多,明天,半成品,100\n";
    let (line, message) = one_error(Format::Csv, csv.as_bytes());
    assert_eq!(line, 2);
    let parts: Vec<&str> = message.split("; column ").collect();
    assert_eq!(parts.len(), 5, "{message}");
    assert!(
        message.starts_with("column trl: `六` is not a whole number"),
        "{message}"
    );
    assert!(
        message.contains(
            "column price_min_yuan: `很多` is not an amount in yuan; write e.g. 500000, 50万"
        ),
        "{message}"
    );
    assert!(
        message.contains("column expires_on: `明天` is not a date; write it as 2026-03-01"),
        "{message}"
    );
    assert!(
        message.contains("column stage: `半成品` is not one of: lab (实验室), small_pilot (小试)"),
        "{message}"
    );
    assert!(
        message.contains("column reward_yuan: does not apply to achievement rows"),
        "{message}"
    );
}

#[test]
fn domain_rules_apply_and_name_the_column() {
    let csv = "类型,标题,描述,技术指标,揭榜奖金,申报开始,申报截止\n\
               揭榜挂帅,t,d,\"[{\"\"name\"\":\"\"效率\"\"}]\",0,2026-03-01,2026-02-01\n";
    let (_, message) = one_error(Format::Csv, csv.as_bytes());
    assert_eq!(
        message,
        "column 技术指标 (indicators[0].target): is required; \
         column 技术指标 (indicators[0].unit): is required; \
         column 揭榜奖金 (reward_yuan): is 0; it must be at least 1; \
         column 申报截止 (apply_until): (2026-02-01) is before apply_from (2026-03-01); change one of them"
    );
    // The rows carry the domain's own rules, named by the column.
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert_eq!(
        outcome.errors[0].errors[3],
        FieldError::new(
            "column 申报截止 (apply_until)",
            Rule::Before {
                other: "apply_from".into(),
                found: "2026-02-01".into(),
                limit: "2026-03-01".into()
            }
        )
    );
    assert!(
        outcome.errors[0]
            .zh()
            .starts_with("column 技术指标 (indicators[0].target)：必填；"),
        "{}",
        outcome.errors[0].zh()
    );
}

#[test]
fn unknown_kind_and_empty_kind() {
    let csv = "kind,title,summary\nwidget,t,s\n,t,s\n";
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert_eq!(outcome.errors.len(), 2);
    assert_eq!(outcome.errors[0].line, 2);
    let message = outcome.errors[0].message();
    assert!(
        message.starts_with(
            "column kind: `widget` is not one of: organisation (机构), achievement (科技成果)"
        ),
        "{message}"
    );
    assert_eq!(
        outcome.errors[1].errors,
        [FieldError::new("column kind", Rule::Blank)]
    );
}

#[test]
fn line_numbers_count_spreadsheet_rows_not_text_lines() {
    let csv = "kind,title,summary\nachievement,t,\"多行\n摘要\n第三行\"\n\nachievement,,s\n";
    let (line, message) = one_error(Format::Csv, csv.as_bytes());
    // Row 2 spans three text lines, then a blank line (row 3 in Excel), then the bad row.
    assert_eq!(line, 4);
    assert_eq!(message, "column title: is required");
}

#[test]
fn a_value_without_a_header() {
    let csv = "kind,title,summary,\nachievement,t,s,stray\n";
    let (_, message) = one_error(Format::Csv, csv.as_bytes());
    assert_eq!(
        message,
        "column D: has a value (`stray`) but no header; add a header or clear the cell"
    );
}

#[test]
fn header_problems_stop_the_file() {
    let err = qiao_io::read_bytes(Format::Csv, "kind,title,价钱,colour\n".as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IoError::Header(_)));
    assert!(
        text.starts_with(
            "header row: unknown columns C `价钱`, D `colour`. Accepted headers: kind (类型"
        ),
        "{text}"
    );
    assert!(text.contains("start its header with #"), "{text}");

    let err = qiao_io::read_bytes(Format::Csv, "标题,title,kind\n".as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header row: columns A `标题` and B `title` both mean title; keep one"
    );

    let err = qiao_io::read_bytes(Format::Csv, "title,summary\n".as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("header row: no `kind` (类型) column"),
        "{err}"
    );

    let err = qiao_io::read_bytes(Format::Csv, b"\xEF\xBB\xBF\n\n").unwrap_err();
    assert!(err.to_string().contains("the file is empty"), "{err}");
}

#[test]
fn csv_must_be_utf8() {
    // "标题" in GBK.
    let mut csv = b"kind,title,summary\nachievement,".to_vec();
    csv.extend_from_slice(&[0xB1, 0xEA, 0xCC, 0xE2]);
    csv.extend_from_slice(b",s\n");
    let (_, message) = one_error(Format::Csv, &csv);
    assert!(
        message.starts_with(
            "column title: holds bytes that are not UTF-8 text; save the file as \"CSV UTF-8\""
        ),
        "{message}"
    );
}

#[test]
fn jsonl_errors_name_the_key() {
    let jsonl = format!(
        "{{\"kind\":\"achievement\",\"title\":\"t\",\"summary\":\"s\",\"trl\":\"6\"}}\n\
         \n\
         {{\"kind\":\"achievement\",\"title\":\"t\"}}\n\
         {{\"kind\":\"achievement\",\"title\":\"t\",\"summary\":\"s\",\"nmae\":1}}\n\
         not json\n\
         {{\"kind\":\"enterprise\",\"name\":\"x\"}}\n\
         {{\"kind\":\"organisation\",\"org_kind\":\"enterprise\",\"name\":\"x\",\"credit_code\":\"{}\"}}\n\
         {{\"kind\":\"organisation\",\"name\":\"x\",\"credit_code\":\"{}\"}}\n\
         [1]\n\
         {{\"kind\":\"demand\",\"title\":\"t\",\"description\":\"d\",\"id\":-3}}\n",
        bad_check_char(&code(1)),
        code(1)
    );
    let outcome = qiao_io::read_bytes(Format::Jsonl, jsonl.as_bytes()).unwrap();
    assert!(outcome.records.is_empty());
    let owned: Vec<(usize, String)> = outcome
        .errors
        .iter()
        .map(|e| (e.line, e.message()))
        .collect();
    let got: Vec<(usize, &str)> = owned.iter().map(|(l, m)| (*l, &m[..])).collect();
    assert_eq!(
        got[0],
        (1, "`trl`: invalid type: string \"6\", expected u8")
    );
    assert_eq!(got[1], (3, "`summary`: is required"));
    assert_eq!(got[2].0, 4);
    assert!(
        got[2]
            .1
            .starts_with("`nmae`: unknown field `nmae`, expected one of `title`"),
        "{}",
        got[2].1
    );
    assert_eq!(got[3], (5, "is not valid JSON: expected ident at column 2"));
    assert_eq!(got[4].0, 6);
    assert!(
        got[4].1.contains(
            "for an organisation write \"kind\": \"organisation\", \"org_kind\": \"enterprise\""
        ),
        "{}",
        got[4].1
    );
    assert_eq!(got[5].0, 7);
    assert!(
        got[5].1.starts_with("`credit_code`: 统一社会信用代码"),
        "{}",
        got[5].1
    );
    assert_eq!(got[6], (8, "`org_kind`: is required"));
    assert_eq!(got[7].0, 9);
    assert!(
        got[7]
            .1
            .starts_with("invalid type: sequence, expected one JSON object per line"),
        "{}",
        got[7].1
    );
    assert_eq!(
        got[8],
        (
            10,
            "`id`: `-3` is not a record id; write a positive whole number"
        )
    );
}

#[test]
fn jsonl_comments_and_crlf() {
    let jsonl =
        "{\"#note\":\"ignored\",\"kind\":\"科技成果\",\"title\":\"t\",\"summary\":\"s\"}\r\n\r\n";
    assert_eq!(read_ok(Format::Jsonl, jsonl.as_bytes()).len(), 1);
    let err = qiao_io::read_bytes(Format::Jsonl, b"  [{\"kind\":\"demand\"}]").unwrap_err();
    assert!(err.to_string().contains("JSON array"), "{err}");
}

#[test]
fn unknown_extensions_are_refused_before_reading() {
    let err = qiao_io::read_path(std::path::Path::new("/nonexistent/records.xls")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot tell the format of /nonexistent/records.xls from its name; name it .jsonl (or .ndjson), .csv or .xlsx"
    );
    let err = qiao_io::read_path(std::path::Path::new("/nonexistent/records.csv")).unwrap_err();
    assert!(matches!(err, IoError::Read { .. }), "{err}");
    assert_eq!(
        Format::from_path("a.NDJSON".as_ref()).unwrap(),
        Format::Jsonl
    );
    assert_eq!(Format::from_path("a.tsv".as_ref()).unwrap(), Format::Csv);
}

#[test]
fn xlsx_errors_are_not_panics() {
    let err = qiao_io::read_bytes(Format::Xlsx, b"kind,title\n").unwrap_err();
    assert!(err.to_string().starts_with("not an XLSX workbook"), "{err}");
}
