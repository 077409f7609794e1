//! Spreadsheets as people make them: Chinese headers, amounts in 万, dates in 年月日, lists
//! with 、, Excel's floats and date cells.

use qiao_domain::listing::{Cooperation, Stage, Status};
use qiao_domain::{CertKind, Listing, OrgKind};
use qiao_io::{Format, Record};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Formula, Workbook};

use crate::common::{code, read_ok};

fn achievement(record: &Record) -> &qiao_domain::listing::Achievement {
    match record {
        Record::Listing(row) => match &row.listing {
            Listing::Achievement(a) => a,
            other => panic!("not an achievement: {other:?}"),
        },
        other => panic!("not a listing: {other:?}"),
    }
}

#[test]
fn chinese_headers_csv_with_bom() {
    let csv = format!(
        "\u{feff}类型,编号,所属机构,*标题,摘要,关键词,IPC分类号,技术成熟度,成熟阶段,转让方式,价格下限,价格上限,所在区,状态,有效期至,联系人,联系电话,电子邮箱,# 备注\r\n\
         科技成果,12,{},\" 锂电池热管理 \",一种方法,\"电池，热管理、储能\",h01m10/613；G06N,6,中试,许可、转让,50万,\"1,200万元\",闵行区,开放,2026年3月1日,王老师,021-1234,w@example.cn,内部备注\r\n\
         achievements,,,固态电解质,,,,,,,,2.3亿,,,2026/3/1,,,,\r\n",
        code(1).to_lowercase()
    );
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert_eq!(outcome.records.len(), 1, "{:?}", outcome.errors);
    let a = achievement(&outcome.records[0].1);
    let Record::Listing(row) = &outcome.records[0].1 else {
        unreachable!()
    };
    assert_eq!(row.id, Some(12));
    assert_eq!(row.owner.as_deref(), Some(code(1).to_lowercase().as_str()));
    assert_eq!(a.title, "锂电池热管理");
    assert_eq!(a.keywords, ["电池", "热管理", "储能"]);
    assert_eq!(a.ipc_codes, ["H01M 10/613", "G06N"]);
    assert_eq!((a.trl, a.stage), (Some(6), Some(Stage::Pilot)));
    assert_eq!(
        a.transfer_modes,
        [Cooperation::License, Cooperation::Transfer]
    );
    assert_eq!(
        (a.price_min_yuan, a.price_max_yuan),
        (Some(500_000), Some(12_000_000))
    );
    assert_eq!(a.status, Status::Open);
    assert_eq!(a.expires_on.unwrap().to_string(), "2026-03-01");
    let contact = a.contact.as_ref().unwrap();
    assert_eq!(contact.email.as_deref(), Some("w@example.cn"));
    // The second row lacks its summary.
    assert_eq!(outcome.errors.len(), 1);
    let e = &outcome.errors[0];
    assert_eq!(e.line, 3);
    assert_eq!(e.message(), "column 摘要 (summary): is required");
}

#[test]
fn organisations_with_short_certificates_and_chinese_kinds() {
    let csv = format!(
        "类型,机构类型,名称,统一社会信用代码,成立日期,职工人数,营业收入,证书\n\
         机构,企业,示例科技有限公司,{},2015-06-01,120,3000万,高新技术企业:2023-12-01~2026-11-30；科技型中小企业:2024-05-01~2024-12-31\n",
        code(5)
    );
    let records = read_ok(Format::Csv, csv.as_bytes());
    let Record::Organisation(o) = &records[0] else {
        panic!("{records:?}")
    };
    // 名称 means title; an organisation has none, so it fills the organisation's name.
    assert_eq!(o.name, "示例科技有限公司");
    assert_eq!(o.kind, OrgKind::Enterprise);
    assert_eq!(o.revenue_yuan, Some(30_000_000));
    assert_eq!(o.employees, Some(120));
    let kinds: Vec<CertKind> = o.certificates.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [CertKind::HighTech, CertKind::TechSme]);
}

#[test]
fn tabs_and_semicolons_as_delimiters() {
    for sep in ["\t", ";"] {
        let csv = ["kind", "title", "summary"].join(sep)
            + "\n"
            + &["achievement", "标题", "摘要"].join(sep);
        let records = read_ok(Format::Csv, csv.as_bytes());
        assert_eq!(achievement(&records[0]).summary, "摘要");
    }
}

#[test]
fn xlsx_made_by_hand_reads_with_excel_types() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("成果清单").unwrap();
    let headers = [
        "类型",
        "标题",
        "简介",
        "技术成熟度",
        "价格下限",
        "有效期至",
        "联系电话",
        "IPC分类号",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let day = XFormat::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    // Row 2: numbers typed as numbers, a real date cell, a phone number stored as a number.
    sheet.write_string(1, 0, "科技成果").unwrap();
    sheet.write_string(1, 1, "石墨烯导热膜").unwrap();
    sheet
        .write_string(1, 2, "高导热石墨烯薄膜制备方法")
        .unwrap();
    sheet.write_number(1, 3, 7.0).unwrap();
    sheet.write_number(1, 4, 800000.0).unwrap();
    sheet
        .write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(2027, 1, 15).unwrap(), &day)
        .unwrap();
    sheet.write_number(1, 6, 13800138000.0).unwrap();
    sheet.write_string(1, 7, "H05K 7/20").unwrap();
    // Row 3 is blank and skipped. Row 4: a date as text, a formula whose cached value is an error.
    sheet.write_string(3, 0, "achievement").unwrap();
    sheet.write_string(3, 1, "第二项").unwrap();
    sheet.write_string(3, 2, "摘要").unwrap();
    sheet
        .write_formula(3, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    sheet.write_string(3, 5, "2027年1月15日").unwrap();
    // A second sheet is ignored: only the first is read.
    let other = book.add_worksheet();
    other.write_string(0, 0, "garbage").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let outcome = qiao_io::read_bytes(Format::Xlsx, &bytes).unwrap();
    assert_eq!(outcome.records.len(), 1, "{:?}", outcome.errors);
    let (line, record) = &outcome.records[0];
    assert_eq!(*line, 2);
    let a = achievement(record);
    assert_eq!(a.summary, "高导热石墨烯薄膜制备方法");
    assert_eq!(a.trl, Some(7));
    assert_eq!(a.price_min_yuan, Some(800_000));
    assert_eq!(a.expires_on.unwrap().to_string(), "2027-01-15");
    assert_eq!(
        a.contact.as_ref().unwrap().phone.as_deref(),
        Some("13800138000")
    );
    assert_eq!(outcome.errors.len(), 1);
    let e = &outcome.errors[0];
    assert_eq!(e.line, 4);
    assert_eq!(
        e.errors,
        [qiao_domain::FieldError::new(
            "column 技术成熟度 (trl)",
            qiao_domain::Rule::SpreadsheetError {
                found: "#DIV/0!".into()
            }
        )]
    );
    assert!(
        e.message()
            .starts_with("column 技术成熟度 (trl): holds the spreadsheet error #DIV/0!"),
        "{}",
        e.message()
    );
}

#[test]
fn exported_xlsx_has_one_sheet_named_records_with_date_cells() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = qiao_io::write_bytes(Format::Xlsx, &crate::common::full_records()).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["records"]);
    let range = book.worksheet_range("records").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header.iter().position(|h| h == "expires_on").unwrap();
    let cell = range.get((2, col)).unwrap();
    assert!(matches!(cell, Data::DateTime(_)), "{cell:?}");
}

#[test]
fn one_sheet_for_several_kinds() {
    // 简介 is `description`; achievements have a summary instead, so it fills that.
    let csv = format!(
        "类型,标题,简介,机构类型,统一社会信用代码,编号,联系人,contact\n\
         科技成果,成果甲,成果简介,,,,王老师,\n\
         技术需求,需求乙,需求描述,,,3,,\"{{\"\"phone\"\":\"\"021\"\"}}\"\n\
         机构,示例单位,单位简介,科研院所,{},,,\n\
         机构,示例单位,单位简介,科研院所,{},5,,\n\
         技术需求,需求丙,描述,,,,李工,\"{{\"\"phone\"\":\"\"021\"\"}}\"\n",
        code(8),
        code(8)
    );
    let outcome = qiao_io::read_bytes(Format::Csv, csv.as_bytes()).unwrap();
    assert_eq!(outcome.records.len(), 3, "{:?}", outcome.errors);
    assert_eq!(achievement(&outcome.records[0].1).summary, "成果简介");
    let Record::Listing(demand) = &outcome.records[1].1 else {
        panic!()
    };
    assert_eq!(demand.id, Some(3));
    let Record::Organisation(o) = &outcome.records[2].1 else {
        panic!()
    };
    assert_eq!(
        (o.name.as_str(), o.description.as_deref()),
        ("示例单位", Some("单位简介"))
    );
    let owned: Vec<(usize, String)> = outcome
        .errors
        .iter()
        .map(|e| (e.line, e.message()))
        .collect();
    let messages: Vec<(usize, &str)> = owned.iter().map(|(l, m)| (*l, &m[..])).collect();
    assert_eq!(
        messages,
        [
            (
                5,
                "column 编号 (id): does not apply to organisation rows; clear the cell, or check the row's kind"
            ),
            (
                6,
                "column contact: `contact` cannot be combined with `contact.name`, `contact.phone`, `contact.email`; give one or the other"
            ),
        ]
    );
}
