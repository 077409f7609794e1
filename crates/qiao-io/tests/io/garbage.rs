//! No input makes the reader panic: random bytes, near-miss text, damaged exports, huge cells.
//! A small deterministic generator stands in for a fuzzer, so failures reproduce.

use qiao_io::{Format, RowError};

use crate::common::full_records;

/// xorshift64*: deterministic and good enough to shake a parser.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How many rounds a test makes: `default`, or `QIAO_FUZZ_CASES` (scripts/fuzz runs them
/// longer).
fn rounds(default: usize) -> usize {
    std::env::var("QIAO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A generator seeded with `seed`, mixed with `QIAO_FUZZ_SEED` when set (so that a long run
/// can explore other inputs than CI's, and a failure reproduces with the seed it printed).
fn rng(seed: u64) -> Rng {
    let extra: u64 = std::env::var("QIAO_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Rng((seed ^ extra.wrapping_mul(0x9E37_79B9_7F4A_7C15)).max(1))
}

/// Reads `bytes` in every format; any outcome is fine except a panic, and every row is
/// accounted for.
fn survive(bytes: &[u8]) {
    for format in Format::ALL {
        if let Ok(outcome) = qiao_io::read_bytes(format, bytes) {
            for e in &outcome.errors {
                assert!(e.line >= 1 && !e.message().is_empty());
            }
        }
    }
}

#[test]
fn random_bytes() {
    let mut rng = rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..rounds(400) {
        let len = rng.below(600);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        survive(&bytes);
    }
}

#[test]
fn near_miss_text() {
    const PIECES: &[&str] = &[
        "kind",
        "类型",
        "title",
        "标题",
        "summary",
        "achievement",
        "科技成果",
        "organisation",
        "trl",
        "price_min_yuan",
        "50万",
        "2.3亿",
        "-1",
        "1e400",
        "2026年2月30日",
        "indicators",
        "certificates",
        "contact",
        "contact.email",
        "[",
        "]",
        "{",
        "}",
        "\"",
        ",",
        "，",
        ";",
        "；",
        "、",
        "|",
        ":",
        "~",
        "\n",
        "\r\n",
        "\t",
        " ",
        "#",
        "\u{feff}",
        "null",
        "true",
        "9999999999999999999999",
        "高新技术企业",
        "[{\"name\":1}]",
        "{\"kind\":\"achievement\"",
        "id",
        "owner",
        "\\u0000",
        "\u{0}",
        "NaN",
    ];
    let mut rng = rng(42);
    for _ in 0..rounds(1500) {
        let n = rng.below(40);
        let text: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        survive(text.as_bytes());
    }
}

#[test]
fn damaged_exports() {
    let records = full_records();
    let mut rng = rng(7);
    for format in Format::ALL {
        let good = qiao_io::write_bytes(format, &records).unwrap();
        for round in 0..rounds(150) {
            let mut bytes = good.clone();
            match round % 3 {
                0 => bytes.truncate(rng.below(good.len())),
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(bytes.len());
                        bytes[i] = rng.next() as u8;
                    }
                }
                _ => {
                    let i = rng.below(bytes.len());
                    let j = rng.below(bytes.len());
                    bytes.insert(i, bytes[j]);
                }
            }
            survive(&bytes);
        }
    }
}

#[test]
fn huge_cells_and_wide_rows() {
    let huge = "长".repeat(300_000);
    let csv = format!("kind,title,summary\nachievement,{huge},s\nachievement,t,{huge}{huge}\n");
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert_eq!(outcome.errors.len(), 2);
    assert_eq!(
        outcome.errors[0].message(),
        "column title: is 300000 characters long; shorten it to at most 200"
    );
    assert!(
        outcome.errors[1].message().len() < 200,
        "{}",
        outcome.errors[1].message()
    );
    // An enormous unknown value is quoted, not echoed in full.
    let csv = format!("kind,title,summary,stage\nachievement,t,s,{huge}\n");
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert!(
        outcome.errors[0].message().len() < 400,
        "{}",
        outcome.errors[0].message()
    );
    let wide = format!(
        "kind{}\nachievement{}\n",
        ",#".repeat(50_000),
        ",x".repeat(50_000)
    );
    let outcome = qiao_io::read_bytes(Format::Csv, wide.as_bytes()).unwrap();
    assert_eq!(outcome.errors.len(), 1);
}

#[test]
fn xlsx_refuses_cells_it_cannot_hold() {
    let mut records = full_records();
    if let qiao_io::Record::Listing(row) = &mut records[1]
        && let qiao_domain::Listing::Achievement(a) = &mut row.listing
    {
        a.summary = "长".repeat(40_000);
    }
    let err = qiao_io::write_bytes(Format::Xlsx, &records).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("row 3, column summary: the text has 40000 characters"),
        "{err}"
    );
    // CSV and JSONL carry it (and the import then refuses it: a summary has 20,000 characters
    // at most).
    for format in [Format::Csv, Format::Jsonl] {
        let bytes = qiao_io::write_bytes(format, &records).unwrap();
        let (line, message) = crate::common::one_error(format, &bytes);
        assert_eq!(line, if format == Format::Csv { 3 } else { 2 });
        assert!(message.contains("shorten it to at most 20000"), "{message}");
    }
}

#[test]
fn rejects_of_garbage_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rng(3);
    for (i, name) in ["g.csv", "g.jsonl", "g.xlsx"].iter().enumerate() {
        let source = dir.path().join(name);
        let bytes: Vec<u8> = (0..500).map(|_| rng.next() as u8).collect();
        std::fs::write(&source, bytes).unwrap();
        let errors = [
            RowError::new(1 + i, "x", qiao_domain::Rule::Required),
            RowError::new(99, "y", qiao_domain::Rule::Blank),
        ];
        for out in ["r.csv", "r.jsonl", "r.xlsx"] {
            let _ = qiao_io::write_rejects(&dir.path().join(out), &source, &errors);
        }
    }
}

/// A real export whose sheet carries `padding` bytes of blanks before `</sheetData>`: a valid
/// workbook that packs to a few hundred KB and unpacks to as much as asked (a zip bomb).
fn padded_workbook(padding: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let real = qiao_io::write_bytes(Format::Xlsx, &full_records()).unwrap();
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(real)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let blanks = vec![b' '; 1 << 20];
    for i in 0..from.len() {
        let mut part = from.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut xml = Vec::new();
        part.read_to_end(&mut xml).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        if name.starts_with("xl/worksheets/") {
            let at = xml.windows(12).position(|w| w == b"</sheetData>").unwrap();
            out.write_all(&xml[..at]).unwrap();
            let mut left = padding;
            while left > 0 {
                let n = left.min(blanks.len());
                out.write_all(&blanks[..n]).unwrap();
                left -= n;
            }
            out.write_all(&xml[at..]).unwrap();
        } else {
            out.write_all(&xml).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// Issue #29, item 7: a workbook that unpacks to far more than any upload (here 300 MB from
/// well under 1 MB) is refused before it is read, saying why, instead of being inflated.
#[test]
fn an_xlsx_zip_bomb_is_refused_before_it_is_read() {
    let bomb = padded_workbook(300 << 20);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let err = qiao_io::read_bytes(Format::Xlsx, &bomb).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("unpacks to more than 256 MB")
            && message.contains("xl/worksheets/sheet1.xml"),
        "{message}"
    );
    eprintln!("refused in {:?}", started.elapsed());
    // The same workbook with a little padding is read as usual.
    let fine = padded_workbook(1 << 20);
    let outcome = qiao_io::read_bytes(Format::Xlsx, &fine).unwrap();
    assert_eq!(outcome.records.len(), full_records().len());
}
