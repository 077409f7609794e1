//! The rejects file: refused rows with their reasons, importable again once corrected.

use qiao_io::{Format, RowError};

use crate::common::read_ok;

#[test]
fn csv_rejects_keep_the_original_cells_and_import_once_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.csv");
    std::fs::write(
        &source,
        "类型,标题,摘要,技术成熟度\n科技成果,好,s,6\n科技成果,坏,s,十\n科技成果,也好,s,\n",
    )
    .unwrap();
    let outcome = qiao_io::read_path(&source).unwrap();
    assert_eq!(outcome.records.len(), 2);
    let mut errors = outcome.errors.clone();
    errors.push(RowError::new(4, "owner", qiao_domain::Rule::Required));
    let rejects = dir.path().join("in.csv.rejects.csv");
    qiao_io::write_rejects(&rejects, &source, &errors).unwrap();
    let text = std::fs::read_to_string(&rejects).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#line,#reason,类型,标题,摘要,技术成熟度");
    assert_eq!(
        lines[1],
        "3,\"column 技术成熟度 (trl): `十` is not a whole number; write digits, e.g. 6\",科技成果,坏,s,十"
    );
    assert_eq!(lines[2], "4,owner: is required,科技成果,也好,s,");
    // Fixed by hand, the rejects file imports as it is: `#` columns are ignored.
    let fixed = text.replace(",十", ",9");
    assert_eq!(read_ok(Format::Csv, fixed.as_bytes()).len(), 2);
}

#[test]
fn xlsx_rejects_as_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.xlsx");
    let mut records = crate::common::minimal_records();
    records.truncate(3);
    qiao_io::write_path(&source, &records).unwrap();
    let errors = [RowError::new(3, "", qiao_domain::Rule::Required)];
    let rejects = dir.path().join("rejects.xlsx");
    qiao_io::write_rejects(&rejects, &source, &errors).unwrap();
    let back = qiao_io::read_path(&rejects).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.records.len(), 1);
    assert_eq!(back.records[0].1, records[1]);
}

#[test]
fn jsonl_rejects_keep_the_objects() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.jsonl");
    std::fs::write(
        &source,
        "{\"kind\":\"demand\",\"title\":\"t\"}\n\nbroken {\n{}\n",
    )
    .unwrap();
    let outcome = qiao_io::read_path(&source).unwrap();
    assert_eq!(
        outcome.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [1, 3, 4]
    );
    let rejects = dir.path().join("rejects.jsonl");
    qiao_io::write_rejects(&rejects, &source, &outcome.errors).unwrap();
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        r##"{"#line":1,"#reason":"`description`: is required","kind":"demand","title":"t"}"##
    );
    assert!(
        lines[1].starts_with(r##"{"#line":3,"#reason":"is not valid JSON"##),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(r##","#raw":"broken {"}"##),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(r##"{"#line":4,"#reason":"`kind`: is required"##)
            && lines[2].ends_with('}'),
        "{}",
        lines[2]
    );
    // Rejecting the rejects replaces the notes instead of repeating them.
    let again = qiao_io::read_path(&rejects).unwrap();
    let rejects2 = dir.path().join("rejects2.jsonl");
    qiao_io::write_rejects(&rejects2, &rejects, &again.errors).unwrap();
    let first = std::fs::read_to_string(&rejects2).unwrap();
    assert_eq!(
        first.lines().next().unwrap().matches("#reason").count(),
        1,
        "{first}"
    );

    // As CSV, the line is kept as text.
    let csv = dir.path().join("rejects.csv");
    qiao_io::write_rejects(&csv, &source, &outcome.errors).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("#line,#reason,#raw"), "{text}");
}
