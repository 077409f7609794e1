//! Export then import gives back the same records, field for field, in every format.

use qiao_io::{Format, Record};

use crate::common::{full_records, minimal_records, read_ok};

fn round_trip(format: Format, records: &[Record]) {
    let bytes = qiao_io::write_bytes(format, records).unwrap();
    let back = read_ok(format, &bytes);
    assert_eq!(back.len(), records.len(), "{format:?}");
    for (i, (a, b)) in records.iter().zip(&back).enumerate() {
        assert_eq!(a, b, "{format:?} record {i}");
    }
}

#[test]
fn every_kind_with_every_field() {
    for format in Format::ALL {
        round_trip(format, &full_records());
    }
}

#[test]
fn every_kind_with_optional_fields_absent() {
    for format in Format::ALL {
        round_trip(format, &minimal_records());
    }
}

#[test]
fn mixed_full_and_minimal_in_one_file() {
    let mut records = full_records();
    records.extend(minimal_records());
    records.reverse();
    for format in Format::ALL {
        round_trip(format, &records);
    }
}

#[test]
fn nothing_round_trips_to_nothing() {
    for format in Format::ALL {
        round_trip(format, &[]);
    }
}

#[test]
fn through_files_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let records = full_records();
    for name in ["all.jsonl", "all.ndjson", "all.CSV", "all.xlsx"] {
        let path = dir.path().join(name);
        qiao_io::write_path(&path, &records).unwrap();
        let outcome = qiao_io::read_path(&path).unwrap();
        assert!(outcome.errors.is_empty(), "{name}: {:?}", outcome.errors);
        let back: Vec<Record> = outcome.records.into_iter().map(|(_, r)| r).collect();
        assert_eq!(back, records, "{name}");
    }
    assert!(!dir.path().join("all.xlsx.partial").exists());
}

#[test]
fn line_numbers_follow_the_file() {
    let records = full_records();
    for format in Format::ALL {
        let bytes = qiao_io::write_bytes(format, &records).unwrap();
        let outcome = qiao_io::read_bytes(format, &bytes).unwrap();
        let lines: Vec<usize> = outcome.records.iter().map(|(l, _)| *l).collect();
        let expected: Vec<usize> = match format {
            Format::Jsonl => (1..=records.len()).collect(),
            // The header is row 1, even though cells with line breaks span several text lines.
            _ => (2..=records.len() + 1).collect(),
        };
        assert_eq!(lines, expected, "{format:?}");
    }
}

#[test]
fn jsonl_export_keeps_kind_id_and_owner_first() {
    let bytes = qiao_io::write_bytes(Format::Jsonl, &full_records()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(r#"{"kind":"organisation","org_kind":"university","name":"上海示例大学""#)
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(r#"{"kind":"achievement","id":17,"owner":"91310000MA1K00001"#)
    );
}

#[test]
fn csv_export_has_one_header_of_english_names() {
    let bytes = qiao_io::write_bytes(Format::Csv, &full_records()).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with(
            "kind,id,owner,org_kind,name,credit_code,title,summary,description,keywords"
        ),
        "{header}"
    );
    assert!(
        header.contains("contact.name,contact.phone,contact.email,contact"),
        "{header}"
    );
    // Lists without separators inside are joined; dates are plain days.
    assert!(text.contains("电池；热管理；相变材料"), "{text}");
    assert!(text.contains(",2027-12-31,"), "{text}");
    // A list whose items hold a separator is written as JSON.
    assert!(text.contains(r#"[""散热, 被动"",""储能""]"#), "{text}");
}

/// Issue #29, item 8: no text cell of a CSV export starts like a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return): such texts are written after a `'`, which reading takes off again,
/// so export → import stays lossless, apostrophes of the texts themselves included. Numbers
/// are written as numbers.
#[test]
fn csv_exports_never_start_a_text_cell_like_a_formula() {
    use crate::common::listing;
    use qiao_domain::Kind;
    use serde_json::json;
    let texts = [
        "=HYPERLINK(\"http://evil.example\",\"点此\")",
        "+86 21 5555 0000",
        "-40℃低温电池",
        "@SUM(A1:A9)",
        "\t缩进的摘要",
        "'=已经带引号",
        "'引号开头",
        "''",
    ];
    let records: Vec<Record> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Record::Listing(qiao_io::ListingRow {
                id: Some(i as i64 + 1),
                owner: None,
                listing: listing(
                    Kind::Achievement,
                    json!({"title": format!("成果{i}"), "summary": text,
                           "keywords": [text], "trl": 6, "price_min_yuan": 500000,
                           "contact": {"name": text, "phone": "-1", "email": "a@example.cn"}}),
                ),
                given: None,
            })
        })
        .collect();
    let bytes = qiao_io::write_bytes(Format::Csv, &records).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let mut rows = 0;
    for row in reader.records() {
        let row = row.unwrap();
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts like a formula: {cell:?}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, texts.len() + 1);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains(",6,,,500000,"),
        "numbers are written plain: {text}"
    );
    assert_eq!(read_ok(Format::Csv, &bytes), records);
    // XLSX writes texts as string cells: the same records come back unmarked.
    let xlsx = qiao_io::write_bytes(Format::Xlsx, &records).unwrap();
    assert_eq!(read_ok(Format::Xlsx, &xlsx), records);
}
