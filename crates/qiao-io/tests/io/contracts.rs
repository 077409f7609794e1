//! The registry's technology-contract list (技术合同登记清单): a commission's file in CSV and
//! XLSX, every bad row with its line and column, headers refused as a whole, and export then
//! import giving back the same rows.
//!
//! `tests/fixtures/contract_list.csv` is made up for these tests (and the command line's import
//! test): twenty contracts between fictional Shanghai parties, with credit codes that carry
//! valid check characters (GB 32100-2015) but belong to nobody, amounts in 万元 as registry
//! statistics keep them.

use chrono::NaiveDate;
use proptest::prelude::*;
use qiao_domain::contract::{Instalment, MAX_AMOUNT_FEN, NonTechnicalItem};
use qiao_domain::registration::Amendment;
use qiao_domain::{
    Contract, ContractKind, FieldError, IpType, LegalPersonType, Party, PaymentTerms, Registered,
    RegistrationNumber, Rule, TechField,
};
use qiao_io::{ContractListOutcome, ContractListRow, Format, IoError};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};

use crate::common::code;

const FIXTURE: &str = include_str!("../fixtures/contract_list.csv");

fn read(format: Format, bytes: &[u8]) -> ContractListOutcome {
    qiao_io::read_contract_list(format, bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"))
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_fixture_reads_whole() {
    let outcome = read(Format::Csv, FIXTURE.as_bytes());
    assert!(outcome.errors.is_empty(), "{:#?}", outcome.errors);
    assert_eq!(outcome.rows.len(), 20);
    let lines: Vec<usize> = outcome.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, (2..=21).collect::<Vec<_>>());

    // Row 2 of the file, field by field: 120万元 paid in parts, nothing non-technical.
    let first = &outcome.rows[0];
    let c = &first.contract;
    assert_eq!(c.name, "车规级功率芯片封装工艺技术开发");
    assert_eq!(c.kind, ContractKind::DevelopmentCommissioned);
    assert_eq!(c.seller.name, "华东示范理工大学");
    assert_eq!(c.seller.credit_code.as_deref(), Some("12310104425000011L"));
    assert_eq!(c.seller.legal_person, LegalPersonType::University);
    assert_eq!(c.seller.district, "徐汇区");
    assert_eq!(c.buyer.legal_person, LegalPersonType::Enterprise);
    assert_eq!(c.buyer.district, "闵行区");
    assert_eq!(c.field, TechField::ElectronicInformation);
    assert_eq!(c.ip_type, IpType::InventionPatent);
    assert_eq!(c.amount_fen, 120_000_000);
    assert!(c.non_technical.is_empty());
    assert_eq!(c.signed_on, day("2026-01-08"));
    assert_eq!(
        (c.performance_from, c.performance_to),
        (day("2026-01-10"), day("2026-12-31"))
    );
    // 分期 without details: the whole amount, due on the last day of performance.
    assert_eq!(
        c.payment,
        PaymentTerms::Instalments {
            instalments: vec![Instalment {
                amount_fen: 120_000_000,
                due_on: day("2026-12-31"),
                condition: None
            }]
        }
    );
    let reg = first.registered.as_ref().unwrap();
    assert_eq!(reg.number.as_str(), "2026310104000101");
    assert_eq!(reg.point, "徐汇区技术合同登记点");
    assert_eq!(reg.date, day("2026-01-20"));

    // Row 5: 650万元 of which 600 technical, a royalty of 5 %, signed 2026/1/20.
    let c = &outcome.rows[3].contract;
    assert_eq!(c.kind, ContractKind::TransferTechnicalSecret);
    assert_eq!(c.signed_on, day("2026-01-20"));
    assert_eq!(
        c.non_technical,
        [NonTechnicalItem {
            name: "非技术性款项".into(),
            amount_fen: 50_000_000
        }]
    );
    assert_eq!(c.technical_fen(), 600_000_000);
    assert_eq!(
        c.payment,
        PaymentTerms::Royalty {
            rate_bp: 500,
            base: "未注明".into(),
            entry_fee_fen: 0
        }
    );
    // Row 13: a natural person sells, without a credit code.
    let c = &outcome.rows[11].contract;
    assert_eq!(c.seller.legal_person, LegalPersonType::NaturalPerson);
    assert_eq!(c.seller.credit_code, None);

    // The file's totals, added up by hand from its 万元 columns: 3084.2 and 2808.2.
    let amount: i64 = outcome.rows.iter().map(|r| r.contract.amount_fen).sum();
    let technical: i64 = outcome
        .rows
        .iter()
        .map(|r| r.contract.technical_fen())
        .sum();
    assert_eq!((amount, technical), (3_084_200_000, 2_808_200_000));
    // The last two rows have no 登记号: contracts not registered yet.
    let registered = outcome
        .rows
        .iter()
        .filter(|r| r.registered.is_some())
        .count();
    assert_eq!(registered, 18);
    assert!(outcome.rows[18].registered.is_none() && outcome.rows[19].registered.is_none());
}

/// The fixture as a person's workbook: amounts as numbers, ISO dates as date cells, the rest
/// as text; it must read as the CSV does, line for line.
#[test]
fn the_fixture_as_a_workbook_reads_the_same() {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(FIXTURE.trim_start_matches('\u{feff}').as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let mut header: Vec<String> = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if r == 0 {
            header = record.iter().map(str::to_string).collect();
        }
        for (c, text) in record.iter().enumerate() {
            let (row, col) = (r as u32, c as u16);
            let name = header[c].as_str();
            if text.is_empty() {
                continue;
            }
            if r > 0 && (name.contains("万元") || name == "序号") {
                sheet
                    .write_number(row, col, text.parse::<f64>().unwrap())
                    .unwrap();
            } else if r > 0 && name.ends_with("日期") && text.len() == 10 && text.contains('-') {
                let d = day(text);
                use chrono::Datelike;
                let excel =
                    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                        .unwrap();
                sheet
                    .write_datetime_with_format(row, col, &excel, &date)
                    .unwrap();
            } else {
                sheet.write_string(row, col, text).unwrap();
            }
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let from_xlsx = read(Format::Xlsx, &bytes);
    let from_csv = read(Format::Csv, FIXTURE.as_bytes());
    assert!(from_xlsx.errors.is_empty(), "{:#?}", from_xlsx.errors);
    assert_eq!(from_xlsx, from_csv);
}

const HEADER: &str = "登记号,合同名称,合同类型,卖方名称,卖方统一社会信用代码,卖方性质,卖方所在区,买方名称,买方统一社会信用代码,买方性质,买方所在区,技术领域,知识产权类型,合同成交额（万元）,技术交易额（万元）,非技术性款项（万元）,签订日期,履行起始日期,履行截止日期,登记日期,登记机构,支付方式,提成比例";

/// A good row under [`HEADER`], with the cells of `changes` (by header) replaced.
fn row(changes: &[(&str, &str)]) -> String {
    let mut cells: Vec<String> = vec![
        "2026310112000123".into(),
        "一种锂电池隔膜的专利权转让".into(),
        "技术转让-专利权".into(),
        "上海示例大学".into(),
        code(1),
        "高校".into(),
        "闵行区".into(),
        "上海示例科技有限公司".into(),
        code(2),
        "企业法人".into(),
        "浦东新区".into(),
        "新能源与高效节能".into(),
        "发明专利".into(),
        "100".into(),
        "80".into(),
        "".into(),
        "2026年3月2日".into(),
        "2026-03-02".into(),
        "2027-03-01".into(),
        "2026-03-20".into(),
        "闵行区技术合同登记点".into(),
        "一次性".into(),
        "".into(),
    ];
    let names: Vec<&str> = HEADER.split(',').collect();
    assert_eq!(names.len(), cells.len());
    for (name, value) in changes {
        let i = names.iter().position(|n| n == name).unwrap();
        cells[i] = value.to_string();
    }
    cells.join(",")
}

fn file(rows: &[String]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn only(errors: &[FieldError]) -> &FieldError {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    &errors[0]
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_column() {
    let good_code = code(1);
    let last = good_code.chars().last().unwrap();
    let wrong_code = format!(
        "{}{}",
        &good_code[..17],
        if last == '3' { '4' } else { '3' }
    );
    let csv = file(&[
        row(&[]),
        row(&[("卖方统一社会信用代码", &wrong_code)]),
        row(&[("合同类型", "技术买卖")]),
        row(&[("合同成交额（万元）", "-5")]),
        row(&[("技术交易额（万元）", "120")]),
        row(&[("登记号", "20263101120001")]),
        row(&[("签订日期", "2026-02-30")]),
        row(&[("登记日期", "")]),
        row(&[("非技术性款项（万元）", "10")]),
        row(&[("支付方式", "提成")]),
        row(&[("提成比例", "3%")]),
    ]);
    let outcome = read(Format::Csv, csv.as_bytes());
    assert_eq!(outcome.rows.len(), 1);
    assert_eq!(outcome.rows[0].line, 2);
    // 100万元 with 80 of it technical.
    assert_eq!(outcome.rows[0].contract.non_technical_fen(), 20_000_000);
    let lines: Vec<usize> = outcome.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, (3..=12).collect::<Vec<_>>());
    let e = |line: usize| only(&outcome.errors[line - 3].errors);

    let bad_code = e(3);
    assert_eq!(
        bad_code.field,
        "column 卖方统一社会信用代码 (seller.credit_code)"
    );
    assert!(
        matches!(&bad_code.rule, Rule::WrongCheckCharacter { expected, .. } if *expected == last),
        "{bad_code:?}"
    );
    assert!(
        outcome.errors[0]
            .zh()
            .starts_with("column 卖方统一社会信用代码 (seller.credit_code)：统一社会信用代码"),
        "{}",
        outcome.errors[0].zh()
    );
    assert!(outcome.errors[0].zh().contains("校验位错误"));

    let kind = e(4);
    assert_eq!(kind.field, "column 合同类型 (kind)");
    assert!(
        matches!(&kind.rule, Rule::NotOneOf { found, allowed } if found == "技术买卖" && allowed.len() == 11),
        "{kind:?}"
    );

    let negative = e(5);
    assert_eq!(negative.field, "column 合同成交额（万元） (amount_fen)");
    assert_eq!(negative.rule, Rule::Negative { found: -5.0 });

    let technical = e(6);
    assert_eq!(technical.field, "column 技术交易额（万元） (technical_fen)");
    assert_eq!(
        technical.rule,
        Rule::OutOfRange {
            min: 0,
            max: 100_000_000,
            found: 120_000_000.0
        }
    );

    let number = e(7);
    assert_eq!(number.field, "column 登记号 (registered.number)");
    assert!(
        matches!(&number.rule, Rule::Malformed { detail } if detail.contains("16 digits")),
        "{number:?}"
    );

    let date = e(8);
    assert_eq!(date.field, "column 签订日期 (signed_on)");
    assert!(matches!(&date.rule, Rule::BadFormat { found, .. } if found == "2026-02-30"));

    let registered_on = e(9);
    assert_eq!(registered_on.field, "column 登记日期 (registered.date)");
    assert_eq!(
        registered_on.rule,
        Rule::RequiredWith {
            other: "登记号".into()
        }
    );

    // 100 − 80 = 20, not 10.
    let disagree = e(10);
    assert_eq!(
        disagree.field,
        "column 非技术性款项（万元） (non_technical)"
    );
    assert!(
        matches!(&disagree.rule, Rule::Malformed { detail } if detail.contains("= 200000.00元 ≠ 非技术性款项 100000.00元")),
        "{disagree:?}"
    );

    let royalty = e(11);
    assert_eq!(royalty.field, "column 支付方式 (payment)");
    assert_eq!(
        royalty.rule,
        Rule::Requires {
            other: "提成比例".into()
        }
    );

    // A rate without 提成 said: the row is read as a royalty, and 一次性 would contradict it.
    let clash = e(12);
    assert_eq!(clash.field, "column 提成比例 (payment.rate_bp)");
    assert!(matches!(&clash.rule, Rule::NotCombinable { found, .. } if found == "一次性"));
}

#[test]
fn every_problem_of_a_row_at_once_and_domain_rules_by_column() {
    let csv = file(&[
        row(&[
            ("签订日期", "明天"),
            ("知识产权类型", "商标"),
            ("卖方性质", ""),
        ]),
        // Cells fine, the domain refuses: a blank name, performance ending before it starts.
        row(&[("合同名称", " "), ("履行截止日期", "2026-01-01")]),
    ]);
    let outcome = read(Format::Csv, csv.as_bytes());
    assert_eq!(outcome.errors.len(), 2);
    let fields = |i: usize| -> Vec<&str> {
        outcome.errors[i]
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .collect()
    };
    assert_eq!(
        fields(0),
        [
            "column 卖方性质 (seller.legal_person)",
            "column 知识产权类型 (ip_type)",
            "column 签订日期 (signed_on)"
        ]
    );
    assert_eq!(
        fields(1),
        [
            "column 合同名称 (name)",
            "column 履行截止日期 (performance_to)"
        ]
    );
}

#[test]
fn unknown_and_missing_columns_refuse_the_file() {
    let unknown = format!("{HEADER},合同价格\n{},5\n", row(&[]));
    let err = qiao_io::read_contract_list(Format::Csv, unknown.as_bytes()).unwrap_err();
    let IoError::Header(message) = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("unknown column X `合同价格`"), "{message}");

    let missing = HEADER.replace("卖方性质,", "").replace("履行截止日期,", "");
    let err = qiao_io::read_contract_list(Format::Csv, format!("{missing}\n").as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "missing columns: 卖方性质 (seller_legal_person), 履行截止日期 (performance_to)"
        ),
        "{err}"
    );

    // A header starting with # is a note, and 序号 a count: both ignored.
    let noted = format!("序号,{HEADER},# 备注\n1,{},内部备注\n", row(&[]));
    let outcome = read(Format::Csv, noted.as_bytes());
    assert_eq!((outcome.rows.len(), outcome.errors.len()), (1, 0));

    let empty = qiao_io::read_contract_list(Format::Csv, b"\n\n").unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
}

#[test]
fn a_title_and_a_unit_note_above_the_header() {
    let header = HEADER.replace("（万元）", "");
    let csv = format!(
        "2026年一季度技术合同认定登记清单,,\n金额单位：万元\n{header}\n{}\n",
        row(&[
            ("合同成交额（万元）", "12.5"),
            ("技术交易额（万元）", "12.5万元")
        ])
    );
    let outcome = read(Format::Csv, csv.as_bytes());
    assert!(outcome.errors.is_empty(), "{:#?}", outcome.errors);
    assert_eq!(outcome.rows[0].line, 4);
    // 12.5 in the noted 万元; 12.5万元 says so itself.
    assert_eq!(outcome.rows[0].contract.amount_fen, 12_500_000);
    assert!(outcome.rows[0].contract.non_technical.is_empty());

    // Without a note a plain number is in 元, and a cell's own unit still wins.
    let csv = format!(
        "{header}\n{}\n",
        row(&[
            ("合同成交额（万元）", "12345678.90"),
            ("技术交易额（万元）", "0.01万")
        ])
    );
    let c = &read(Format::Csv, csv.as_bytes()).rows[0].contract;
    assert_eq!(c.amount_fen, 1_234_567_890);
    assert_eq!(c.technical_fen(), 10_000);
}

#[test]
fn types_periods_and_payments_as_lists_write_them() {
    let header = "合同名称,合同类别,合同子类,转让方,卖方性质,卖方区县,受让方,买方法人类型,买方区县,技术领域,知识产权类型,合同金额(元),非技术性款项,签订日期,履行期限,付款方式,分期明细";
    let csv = format!(
        "{header}\n\
         甲,技术许可,排他,大学,高等院校,徐汇区,公司,企业,闵行区,电子信息技术,软著,1000000,设备购置:2000；原材料：500,2026-01-05,2026年1月5日至2026年6月30日,分期,2026-03-01:40万:首付；2026-06-30:600000\n\
         乙,技术服务,,研究所,科研院所,嘉定区,张三,个人,静安区,农业,无,5万,,2026-01-05,2026-01-05~2026-01-31,,\n\
         丙,技术开发,,研究所,科研院所,嘉定区,张三,个人,静安区,农业,无,5万,,2026-01-05,2026-01-05~2026-01-31,,\n"
    );
    let outcome = read(Format::Csv, csv.as_bytes());
    // 技术开发 needs its subtype: 委托 or 合作.
    assert_eq!(outcome.errors.len(), 1, "{:#?}", outcome.errors);
    assert_eq!(outcome.errors[0].line, 4);
    assert_eq!(
        outcome.errors[0].message(),
        "column 合同子类 (kind): is required and must not be blank"
    );
    let a = &outcome.rows[0].contract;
    assert_eq!(a.kind, ContractKind::LicenceSole);
    assert_eq!(a.ip_type, IpType::Software);
    assert_eq!(a.field, TechField::ElectronicInformation);
    assert_eq!(
        a.non_technical,
        [
            NonTechnicalItem {
                name: "设备购置".into(),
                amount_fen: 200_000
            },
            NonTechnicalItem {
                name: "原材料".into(),
                amount_fen: 50_000
            },
        ]
    );
    assert_eq!(a.performance_to, day("2026-06-30"));
    assert_eq!(
        a.payment,
        PaymentTerms::Instalments {
            instalments: vec![
                Instalment {
                    amount_fen: 40_000_000,
                    due_on: day("2026-03-01"),
                    condition: Some("首付".into())
                },
                Instalment {
                    amount_fen: 60_000_000,
                    due_on: day("2026-06-30"),
                    condition: None
                },
            ]
        }
    );
    let b = &outcome.rows[1].contract;
    assert_eq!(b.kind, ContractKind::Service);
    assert_eq!(b.amount_fen, 5_000_000);
    assert_eq!(b.payment, PaymentTerms::LumpSum { due_on: None });
    assert_eq!(b.buyer.legal_person, LegalPersonType::NaturalPerson);
}

#[test]
fn a_registration_number_stored_as_a_number_is_refused() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let names: Vec<&str> = HEADER.split(',').collect();
    let values: Vec<String> = row(&[]).split(',').map(str::to_string).collect();
    for (c, (name, value)) in names.iter().zip(&values).enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
        if *name == "登记号" {
            // What Excel keeps of 2026310112000123: 15 digits.
            sheet
                .write_number(1, c as u16, 2_026_310_112_000_120.0)
                .unwrap();
        } else if !value.is_empty() {
            sheet.write_string(1, c as u16, value).unwrap();
        }
    }
    let outcome = read(Format::Xlsx, &book.save_to_buffer().unwrap());
    assert_eq!(outcome.errors.len(), 1, "{:#?}", outcome);
    let e = only(&outcome.errors[0].errors);
    assert_eq!(e.field, "column 登记号 (registered.number)");
    assert!(e.rule.en().contains("format the column as text"), "{e:?}");
}

// ---- Export then import ----------------------------------------------------------------------

fn party(name: &str, credit_code: Option<String>, legal_person: LegalPersonType) -> Party {
    Party {
        name: name.into(),
        credit_code,
        legal_person,
        district: "闵行区".into(),
        org_id: None,
    }
}

fn registered(n: u64, point: &str, date: &str) -> Registered {
    Registered {
        number: RegistrationNumber::parse(&format!("{:016}", 2_026_310_112_000_000 + n)).unwrap(),
        point: point.into(),
        date: day(date),
        amendments: Vec::new(),
    }
}

/// Rows that between them use every contract type, field, IP type and legal-person type, every
/// form of payment, each shape of non-technical items, and the amounts that break inexact
/// code: 1 分, 12345678.90 元, the largest amount the domain takes.
fn every_variant() -> Vec<ContractListRow> {
    let amounts = [
        1,
        1_234_567_890,
        MAX_AMOUNT_FEN,
        0,
        99,
        100_000_000,
        999_999_999_999_999,
        7,
    ];
    let n = ContractKind::ALL
        .len()
        .max(TechField::ALL.len())
        .max(IpType::ALL.len())
        .max(LegalPersonType::ALL.len())
        .max(amounts.len());
    (0..n)
        .map(|i| {
            let amount_fen = amounts[i % amounts.len()];
            let seller_type = LegalPersonType::ALL[i % LegalPersonType::ALL.len()];
            let seller_code =
                (seller_type != LegalPersonType::NaturalPerson).then(|| code(i as u32 + 10));
            let non_technical = match (i % 5, amount_fen) {
                (_, 0..=9) => vec![],
                (0, a) => vec![NonTechnicalItem {
                    name: "非技术性款项".into(),
                    amount_fen: a / 3,
                }],
                (1, a) => vec![
                    NonTechnicalItem {
                        name: "设备购置".into(),
                        amount_fen: a / 4,
                    },
                    NonTechnicalItem {
                        name: "原材料: 钢材".into(),
                        amount_fen: a / 5,
                    },
                ],
                (2, _) => vec![NonTechnicalItem {
                    name: "设备；安装".into(),
                    amount_fen: 1,
                }],
                (3, _) => vec![NonTechnicalItem {
                    name: "非技术性款项".into(),
                    amount_fen: 0,
                }],
                _ => vec![],
            };
            let payment = match (i % 4, amount_fen) {
                (1, a) if a >= 2 => PaymentTerms::Instalments {
                    instalments: vec![
                        Instalment {
                            amount_fen: a / 2,
                            due_on: day("2026-04-01"),
                            condition: None,
                        },
                        Instalment {
                            amount_fen: a - a / 2,
                            due_on: day("2026-10-01"),
                            condition: Some(if i % 8 == 1 {
                                "验收合格后".into()
                            } else {
                                "验收；付款".into()
                            }),
                        },
                    ],
                },
                (2, a) => PaymentTerms::Royalty {
                    rate_bp: [1, 350, 10_000, 25][i % 4],
                    base: "产品销售额".into(),
                    entry_fee_fen: a / 10,
                },
                (3, _) => PaymentTerms::LumpSum {
                    due_on: Some(day("2026-05-20")),
                },
                _ => PaymentTerms::LumpSum { due_on: None },
            };
            let mut contract = Contract {
                name: format!("合同 {i}: \"引号\", 逗号\n第二行"),
                kind: ContractKind::ALL[i % ContractKind::ALL.len()],
                seller: party(
                    if i == 0 {
                        "=HYPERLINK(\"x\")"
                    } else {
                        "卖方"
                    },
                    seller_code,
                    seller_type,
                ),
                buyer: Party {
                    org_id: (i % 2 == 0).then_some(i as i64 + 1),
                    district: "浦东新区".into(),
                    ..party(
                        "买方",
                        Some(code(i as u32 + 100)),
                        LegalPersonType::ALL[(i + 3) % LegalPersonType::ALL.len()],
                    )
                },
                field: TechField::ALL[i % TechField::ALL.len()],
                ip_type: IpType::ALL[i % IpType::ALL.len()],
                amount_fen,
                non_technical,
                // Row 3 before 1900, which a spreadsheet cannot hold as a date cell.
                signed_on: day(if i == 3 { "1899-12-01" } else { "2026-03-02" }),
                performance_from: day(if i == 3 { "1899-12-01" } else { "2026-03-02" }),
                performance_to: day(if i == 3 { "1899-12-31" } else { "2027-03-01" }),
                payment,
                deal_id: (i % 3 == 0).then_some(i as i64 + 40),
                listing_ids: if i % 3 == 1 { vec![3, 5] } else { vec![] },
            };
            contract
                .validate()
                .unwrap_or_else(|e| panic!("row {i}: {e}"));
            let registered = match i % 3 {
                0 => None,
                1 => Some(registered(i as u64, "闵行区技术合同登记点", "2026-03-20")),
                _ => Some(Registered {
                    amendments: vec![Amendment {
                        at: "2026-05-01T08:00:00Z".parse().unwrap(),
                        note: "变更合同金额".into(),
                    }],
                    ..registered(i as u64, "浦东新区技术合同登记点", "2026-04-01")
                }),
            };
            ContractListRow {
                line: 0,
                contract,
                registered,
            }
        })
        .collect()
}

/// Writes `rows`, reads them back, and checks each came back as it went, on its line.
fn round_trip(format: Format, rows: &[ContractListRow]) {
    let bytes = qiao_io::write_contract_list(format, rows).unwrap();
    let outcome = read(format, &bytes);
    assert!(
        outcome.errors.is_empty(),
        "{format:?}: {:#?}",
        outcome.errors
    );
    assert_eq!(outcome.rows.len(), rows.len(), "{format:?}");
    let first_line = if format == Format::Jsonl { 1 } else { 2 };
    for (i, (a, b)) in rows.iter().zip(&outcome.rows).enumerate() {
        assert_eq!(b.line, first_line + i, "{format:?}");
        assert_eq!(a.contract, b.contract, "{format:?} row {i}");
        assert_eq!(a.registered, b.registered, "{format:?} row {i}");
    }
}

#[test]
fn every_variant_round_trips_in_every_format() {
    let rows = every_variant();
    // The set really covers what it claims.
    for k in ContractKind::ALL {
        assert!(rows.iter().any(|r| r.contract.kind == *k), "{k:?}");
    }
    for t in LegalPersonType::ALL {
        assert!(
            rows.iter().any(|r| r.contract.seller.legal_person == *t),
            "{t:?}"
        );
    }
    for format in Format::ALL {
        round_trip(format, &rows);
        round_trip(format, &[]);
    }
}

#[test]
fn exports_carry_the_chinese_headers_and_exact_yuan() {
    let rows = every_variant();
    let csv = qiao_io::write_contract_list(Format::Csv, &rows[..3]).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(
        header.starts_with(
            "登记号,合同名称,合同类型,卖方名称,卖方统一社会信用代码,卖方性质,卖方所在区,"
        ),
        "{header}"
    );
    assert!(
        header.contains(",合同成交额（元）,技术交易额（元）,非技术性款项（元）,签订日期,"),
        "{header}"
    );
    // 1 分, 12345678.90 元 and 10 万亿元, as written.
    assert!(text.contains(",0.01,"), "{text}");
    assert!(text.contains(",12345678.90,"), "{text}");
    assert!(text.contains(",10000000000000.00,"), "{text}");
    // The export of nothing is a template that reads back as nothing.
    let empty = qiao_io::write_contract_list(Format::Xlsx, &[]).unwrap();
    assert_eq!(read(Format::Xlsx, &empty), ContractListOutcome::default());
}

fn arb_row() -> impl Strategy<Value = ContractListRow> {
    const PIECES: &[&str] = &[
        "技术", "合同", "=1+1", "-40℃", "'", "\"", ",", "；", ":", "\n", " ", "a", "Ω", "[x]", "@",
    ];
    let text = prop::collection::vec(prop::sample::select(PIECES), 1..5)
        .prop_map(|p| format!("名{}", p.concat()));
    let party = (
        text.clone(),
        prop::option::of(0u32..50_000),
        prop::sample::select(LegalPersonType::ALL),
        prop::option::of(1i64..i64::MAX),
    )
        .prop_map(|(name, code_n, legal_person, org_id)| Party {
            name,
            credit_code: code_n.map(|n| {
                let c = code(n);
                if n % 2 == 0 { c.to_lowercase() } else { c }
            }),
            legal_person,
            district: "松江区".into(),
            org_id,
        });
    let amount = prop_oneof![
        Just(0i64),
        Just(1),
        Just(MAX_AMOUNT_FEN),
        0..=MAX_AMOUNT_FEN
    ];
    let dates = (0i64..20_000, 0i64..3_000).prop_map(|(a, b)| {
        let from = day("1990-01-01") + chrono::Days::new(a as u64);
        (from, from + chrono::Days::new(b as u64))
    });
    (
        (
            text.clone(),
            prop::sample::select(ContractKind::ALL),
            party.clone(),
            party,
        ),
        (
            prop::sample::select(TechField::ALL),
            prop::sample::select(IpType::ALL),
            amount,
            prop::collection::vec((text.clone(), 0u32..=250), 0..4),
            dates,
        ),
        (
            0u8..4,
            1u32..=10_000,
            text.clone(),
            prop::option::of(text.clone()),
        ),
        prop::option::of((
            1_000_000_000_000_000u64..10_000_000_000_000_000,
            text,
            0i64..100_000,
        )),
    )
        .prop_map(
            |(
                (name, kind, seller, buyer),
                (field, ip_type, amount_fen, items, (from, to)),
                (pay, rate_bp, base, condition),
                reg,
            )| {
                // Items take at most a quarter of the amount each (at most 3), so 技术交易额 ≥ 0.
                let non_technical = items
                    .into_iter()
                    .map(|(name, permille)| NonTechnicalItem {
                        name,
                        amount_fen: amount_fen / 1000 * i64::from(permille),
                    })
                    .collect();
                let payment = match pay {
                    1 if amount_fen >= 2 => PaymentTerms::Instalments {
                        instalments: vec![
                            Instalment {
                                amount_fen: amount_fen / 2,
                                due_on: from,
                                condition: condition.clone(),
                            },
                            Instalment {
                                amount_fen: amount_fen - amount_fen / 2,
                                due_on: to,
                                condition,
                            },
                        ],
                    },
                    2 => PaymentTerms::Royalty {
                        rate_bp,
                        base,
                        entry_fee_fen: amount_fen / 3,
                    },
                    3 => PaymentTerms::LumpSum { due_on: Some(to) },
                    _ => PaymentTerms::LumpSum { due_on: None },
                };
                let mut contract = Contract {
                    name,
                    kind,
                    seller,
                    buyer,
                    field,
                    ip_type,
                    amount_fen,
                    non_technical,
                    signed_on: from,
                    performance_from: from,
                    performance_to: to,
                    payment,
                    deal_id: None,
                    listing_ids: vec![],
                };
                contract.validate().expect("generated contracts are valid");
                let registered = reg.map(|(n, point, days)| Registered {
                    number: RegistrationNumber::parse(&n.to_string()).unwrap(),
                    point: point.trim().to_string(),
                    date: day("2000-01-01") + chrono::Days::new(days as u64),
                    amendments: vec![],
                });
                ContractListRow {
                    line: 0,
                    contract,
                    registered,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any valid rows, written in any format, read back as themselves.
    #[test]
    fn export_then_import_is_the_identity(rows in prop::collection::vec(arb_row(), 1..6)) {
        for format in Format::ALL {
            let bytes = qiao_io::write_contract_list(format, &rows).unwrap();
            let outcome = read(format, &bytes);
            prop_assert!(outcome.errors.is_empty(), "{:?}: {:#?}", format, outcome.errors);
            let back: Vec<_> = outcome.rows.into_iter().map(|r| (r.contract, r.registered)).collect();
            let sent: Vec<_> = rows.iter().map(|r| (r.contract.clone(), r.registered.clone())).collect();
            prop_assert_eq!(back, sent, "{:?}", format);
        }
    }
}
