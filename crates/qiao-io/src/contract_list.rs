//! The registry's technology-contract list (技术合同登记清单) in and out of Qiao, in CSV, XLSX
//! and JSON Lines.
//!
//! Why a reader of its own: a commission receives the registered contracts of its district as
//! a spreadsheet from the registration points, one contract per row, with the registry's
//! Chinese headers (登记号, 合同名称, 合同类型, 卖方/买方 名称, 统一社会信用代码, 性质, 所在区,
//! 技术领域, 知识产权类型, 合同成交额（万元）, 技术交易额, 签订日期, 履行期限, 登记日期, 登记机构),
//! and 技术合同成交额, the figure its targets are measured by, is the sum of those rows. The
//! listing importer's rows are listings and organisations; these rows are
//! [`Contract`]s with an optional [`Registered`], read with the same forgiving cells (`50万`,
//! `2026年3月1日`, Excel serial days) but with amounts in 分, exactly.
//!
//! Reading never stops at a bad row: each row becomes a [`ContractListRow`] that has passed
//! [`Contract::validate`], or a [`RowError`] naming its line and every bad column. Only a file
//! that cannot be read as a whole (not a workbook, an unknown header, a missing column) is an
//! [`IoError`]. Writing uses the same Chinese headers, amounts in 元 with two decimals, so an
//! export imports back to the same rows, field for field.
//!
//! What a row means:
//! - A row without 登记号 is an unregistered contract; with one, it was registered at 登记机构
//!   on 登记日期 (both then required).
//! - The contract type is one 合同类型 cell (技术转让（专利权）, 技术转让-专利权, 专利权转让) or
//!   合同类别 with 合同子类 (技术转让 + 专利权).
//! - Amounts are in the unit their header names (`合同成交额（万元）`), else in the unit a note
//!   above the table names (`金额单位：万元`), else in 元; a unit typed into a cell (`12.5万元`)
//!   overrides both. Fractions of a 分 round to the nearest 分, halves up.
//! - 技术交易额, when given, makes 成交额 − 技术交易额 one non-technical item named
//!   "非技术性款项"; a 非技术性款项 column gives the items itself (one amount, or
//!   `设备购置:20000；原材料:5000`), and when both are given they must agree.
//! - 履行期限 is two columns (履行起始日期, 履行截止日期) or one (`2026-01-01至2026-12-31`).
//! - Payment is a lump sum unless 支付方式 says 分期 or 提成 (or a column of their details is
//!   filled). 分期 without 分期明细 is one instalment of the whole amount due on the last day
//!   of performance: the list says the price comes in parts but not which, and that is the
//!   latest the contract allows. 提成 needs 提成比例 (a rate cannot be guessed); without
//!   提成基数 the base is recorded as "未注明" (not stated), without 入门费 the fee is 0.
//! - A title row or a unit note above the header is skipped (up to ten rows); a column whose
//!   header starts with `#`, and 序号, are ignored.

mod amount;
mod choices;
mod columns;
mod table;

use chrono::NaiveDate;
use qiao_domain::contract::{Instalment, NonTechnicalItem};
use qiao_domain::registration::Amendment;
use qiao_domain::{
    Contract, ContractKind, FieldError, Invalid, Party, PaymentTerms, Registered,
    RegistrationNumber, Rule,
};
use serde::{Deserialize, Serialize};

use crate::cell::{self, Cell, RowSink, shown};
use crate::error::IoError;
use crate::row::column_letter;
use crate::{Format, RowError, delimited, workbook};
use amount::Unit;
use choices::PaymentMode;
use columns::{Col, Header};

/// One contract of a list, with its registration when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractListRow {
    /// 1-based line of the file: the spreadsheet row (header = its own row number) for CSV and
    /// XLSX, the line for JSON Lines. Ignored when writing.
    pub line: usize,
    /// The contract, validated and normalised.
    pub contract: Contract,
    /// 登记号, 登记机构 and 登记日期; `None` for a contract not (yet) registered.
    pub registered: Option<Registered>,
}

/// What reading a contract list gave: each non-blank row is a contract or an error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContractListOutcome {
    /// The contracts, in file order.
    pub rows: Vec<ContractListRow>,
    /// The refused rows, in file order.
    pub errors: Vec<RowError>,
}

/// How many rows above the header a list may have (a title, a unit note).
const HEADER_WITHIN: usize = 10;

/// The name of the one non-technical item that 技术交易额, or a bare amount in the
/// 非技术性款项 column, stands for.
pub(crate) const NON_TECHNICAL: &str = "非技术性款项";

/// The base of a royalty a list does not state.
const BASE_NOT_STATED: &str = "未注明";

/// Reads a contract list in `format`.
pub fn read_contract_list(format: Format, bytes: &[u8]) -> Result<ContractListOutcome, IoError> {
    match format {
        Format::Jsonl => read_jsonl(bytes),
        Format::Csv => read_table(|sink| delimited::visit(bytes, sink)),
        Format::Xlsx => read_table(|sink| workbook::visit(bytes, sink)),
    }
}

/// Writes a contract list in `format`: CSV and XLSX with the Chinese headers (amounts in 元
/// with two decimals), JSON Lines as `{"contract": …, "registered": …}` in the domain's JSON.
pub fn write_contract_list(format: Format, rows: &[ContractListRow]) -> Result<Vec<u8>, IoError> {
    match format {
        Format::Jsonl => write_jsonl(rows),
        Format::Csv => delimited::write(&table::table(rows)),
        Format::Xlsx => workbook::write_named(&table::table(rows), "contracts"),
    }
}

fn read_table(
    visit: impl FnOnce(RowSink<'_>) -> Result<(), IoError>,
) -> Result<ContractListOutcome, IoError> {
    let mut header: Option<Header> = None;
    let mut outcome = ContractListOutcome::default();
    // Rows above the header: the first is kept (as text) to name what is wrong with it when no
    // header follows.
    let mut above = 0usize;
    let mut first: Option<Vec<String>> = None;
    let mut unit = Unit::Yuan;
    let refuse_first = |first: &Option<Vec<String>>| -> IoError {
        let cells: Vec<Cell<'_>> = first
            .iter()
            .flatten()
            .map(|s| Cell::Text(s.as_str().into()))
            .collect();
        match Header::new(&cells, Unit::Yuan) {
            Err(e) => e,
            Ok(_) => IoError::Internal("a header was refused and then accepted".into()),
        }
    };
    visit(&mut |line, cells| {
        if let Some(header) = &header {
            match parse_row(header, cells) {
                Ok((contract, registered)) => outcome.rows.push(ContractListRow {
                    line,
                    contract,
                    registered,
                }),
                Err(errors) => outcome.errors.push(RowError { line, errors }),
            }
            return Ok(());
        }
        if Header::looks_like_header(cells) {
            header = Some(Header::new(cells, unit)?);
            return Ok(());
        }
        if let Some(u) = cells.iter().find_map(|c| columns::unit_note(&c.display())) {
            unit = u;
        }
        if first.is_none() {
            first = Some(cells.iter().map(|c| c.display().into_owned()).collect());
        }
        above += 1;
        if above >= HEADER_WITHIN {
            return Err(refuse_first(&first));
        }
        Ok(())
    })?;
    match (&header, &first) {
        (Some(_), _) => Ok(outcome),
        (None, Some(_)) => Err(refuse_first(&first)),
        (None, None) => Err(IoError::Header(
            "the file is empty; its first row must name the columns, e.g. 登记号,合同名称,合同类型,卖方名称,…".into(),
        )),
    }
}

/// One row being read: the cells, the header, and the problems found so far.
struct RowReader<'a, 'c> {
    header: &'a Header,
    cells: &'a [Cell<'c>],
    errors: Vec<FieldError>,
}

impl<'a, 'c> RowReader<'a, 'c> {
    /// The column's cell, unless the file lacks the column or the cell is blank.
    fn cell(&self, col: Col) -> Option<&'a Cell<'c>> {
        let cells = self.cells;
        cells.get(self.header.at(col)?).filter(|c| !c.is_blank())
    }

    fn given(&self, col: Col) -> bool {
        self.cell(col).is_some()
    }

    fn fail(&mut self, col: Col, rule: Rule) {
        let label = self.header.label(col, col.info().path);
        self.errors.push(FieldError::new(label, rule));
    }

    /// The column's value, `None` when blank or bad (a bad one is recorded).
    fn parse<T>(&mut self, col: Col, f: impl FnOnce(&Cell<'c>) -> Result<T, Rule>) -> Option<T> {
        let cell = self.cell(col)?;
        match f(cell) {
            Ok(v) => Some(v),
            Err(rule) => {
                self.fail(col, rule);
                None
            }
        }
    }

    /// Like [`Self::parse`], and a blank cell is a problem.
    fn required<T>(&mut self, col: Col, f: impl FnOnce(&Cell<'c>) -> Result<T, Rule>) -> Option<T> {
        if !self.given(col) {
            self.fail(col, Rule::Blank);
            return None;
        }
        self.parse(col, f)
    }

    /// A text the domain checks (blank, length) itself.
    fn text(&mut self, col: Col) -> Option<String> {
        self.parse(col, cell::text)
    }

    fn kind(&mut self) -> Option<ContractKind> {
        let category = if self.given(Col::Category) {
            Some(self.parse(Col::Category, |c| choices::category(&cell::text(c)?))?)
        } else {
            None
        };
        let sub = [Col::Kind, Col::Subtype]
            .into_iter()
            .find(|c| self.header.at(*c).is_some());
        let sub_given = sub.is_some_and(|c| self.given(c));
        match (category, sub) {
            (Some(category), Some(sub)) if sub_given => {
                self.parse(sub, |c| choices::kind_in(category, Some(&cell::text(c)?)))
            }
            (Some(category), _) => match choices::kind_in(category, None) {
                Ok(kind) => Some(kind),
                Err(rule) => {
                    match sub {
                        Some(sub) => self.fail(sub, Rule::Blank),
                        None => self.fail(Col::Category, rule),
                    }
                    None
                }
            },
            (None, Some(Col::Kind)) => self.required(Col::Kind, |c| choices::kind(&cell::text(c)?)),
            (None, Some(sub)) if sub_given => {
                let whole = self.cell(sub).map(|c| choices::kind(&c.display()));
                match whole {
                    Some(Ok(kind)) => Some(kind),
                    _ => {
                        self.fail(Col::Category, Rule::Blank);
                        None
                    }
                }
            }
            (None, _) => {
                self.fail(Col::Category, Rule::Blank);
                None
            }
        }
    }

    fn party(&mut self, [name, code, kind, district, org]: [Col; 5]) -> Option<Party> {
        let name = self.text(name).unwrap_or_default();
        let credit_code = self.text(code);
        let legal_person = self.required(kind, |c| choices::legal_person(&cell::text(c)?));
        let district = self.text(district).unwrap_or_default();
        let org_id = self.parse(org, cell::integer);
        Some(Party {
            name,
            credit_code,
            legal_person: legal_person?,
            district,
            org_id,
        })
    }

    fn performance(&mut self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        if self.header.at(Col::PerformancePeriod).is_some() {
            return self
                .required(Col::PerformancePeriod, period)
                .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        }
        (
            self.required(Col::PerformanceFrom, cell::date),
            self.required(Col::PerformanceTo, cell::date),
        )
    }

    fn non_technical(&mut self, amount: Option<i64>) -> Vec<NonTechnicalItem> {
        let (tech_unit, items_unit) = (
            self.header.unit(Col::Technical),
            self.header.unit(Col::NonTechnical),
        );
        let technical = self.parse(Col::Technical, |c| amount::fen(c, tech_unit));
        let items = self.parse(Col::NonTechnical, |c| non_technical_items(c, items_unit));
        let (Some(amount), Some(technical)) = (amount, technical) else {
            return items.unwrap_or_default();
        };
        if technical > amount {
            self.fail(
                Col::Technical,
                Rule::OutOfRange {
                    min: 0,
                    max: amount,
                    found: technical as f64,
                },
            );
            return Vec::new();
        }
        let rest = amount - technical;
        match items {
            Some(items) => {
                let sum = items
                    .iter()
                    .fold(0i64, |s, i| s.saturating_add(i.amount_fen));
                if sum != rest {
                    let t = crate::export::fen_text;
                    self.fail(
                        Col::NonTechnical,
                        Rule::Malformed {
                            detail: format!(
                                "合同成交额 {}元 − 技术交易额 {}元 = {}元 ≠ 非技术性款项 {}元",
                                t(amount),
                                t(technical),
                                t(rest),
                                t(sum)
                            ),
                        },
                    );
                }
                items
            }
            None if rest > 0 => vec![NonTechnicalItem {
                name: NON_TECHNICAL.into(),
                amount_fen: rest,
            }],
            None => Vec::new(),
        }
    }

    fn payment(
        &mut self,
        amount: Option<i64>,
        last_day: Option<NaiveDate>,
    ) -> Option<PaymentTerms> {
        let said = if self.given(Col::Payment) {
            Some(self.parse(Col::Payment, |c| choices::payment_mode(&cell::text(c)?))?)
        } else {
            None
        };
        let mode = said.unwrap_or(if self.given(Col::Instalments) {
            PaymentMode::Instalments
        } else if [Col::RoyaltyRate, Col::RoyaltyBase, Col::EntryFee]
            .iter()
            .any(|c| self.given(*c))
        {
            PaymentMode::Royalty
        } else {
            PaymentMode::LumpSum
        });
        let details = [
            (Col::PaymentDue, PaymentMode::LumpSum),
            (Col::Instalments, PaymentMode::Instalments),
            (Col::RoyaltyRate, PaymentMode::Royalty),
            (Col::RoyaltyBase, PaymentMode::Royalty),
            (Col::EntryFee, PaymentMode::Royalty),
        ];
        let mut clash = false;
        for (col, belongs) in details {
            if belongs != mode && self.given(col) {
                let header = self
                    .header
                    .written(col)
                    .unwrap_or(col.info().zh)
                    .to_string();
                self.fail(
                    col,
                    Rule::NotCombinable {
                        found: mode.label_zh().into(),
                        with: vec![header],
                    },
                );
                clash = true;
            }
        }
        match mode {
            PaymentMode::LumpSum => {
                let due_on = self.parse(Col::PaymentDue, cell::date);
                (!clash).then_some(PaymentTerms::LumpSum { due_on })
            }
            PaymentMode::Instalments => {
                let instalments = if self.given(Col::Instalments) {
                    self.parse(Col::Instalments, instalments)?
                } else {
                    vec![Instalment {
                        amount_fen: amount?,
                        due_on: last_day?,
                        condition: None,
                    }]
                };
                (!clash).then_some(PaymentTerms::Instalments { instalments })
            }
            PaymentMode::Royalty => {
                let fee_unit = self.header.unit(Col::EntryFee);
                let rate_bp = self.parse(Col::RoyaltyRate, amount::rate_bp);
                let base = self.text(Col::RoyaltyBase);
                let entry_fee_fen = self.parse(Col::EntryFee, |c| amount::fen(c, fee_unit));
                if !self.given(Col::RoyaltyRate) {
                    self.fail(
                        Col::Payment,
                        Rule::Requires {
                            other: columns::Col::RoyaltyRate.info().zh.into(),
                        },
                    );
                    return None;
                }
                if self.given(Col::EntryFee) && entry_fee_fen.is_none() {
                    return None;
                }
                Some(PaymentTerms::Royalty {
                    rate_bp: rate_bp?,
                    base: base.unwrap_or_else(|| BASE_NOT_STATED.into()),
                    entry_fee_fen: entry_fee_fen.unwrap_or(0),
                })
                .filter(|_| !clash)
            }
        }
    }

    fn registered(&mut self) -> Option<Registered> {
        let number = self.parse(Col::RegistrationNumber, registration_number);
        let date = self.parse(Col::RegisteredOn, cell::date);
        let point = self.parse(Col::RegistrationPoint, |c| {
            let point = cell::text(c)?.trim().to_string();
            registration_point(&point)?;
            Ok(point)
        });
        let amendments = self.parse(Col::Amendments, amendments);
        let others = [Col::RegisteredOn, Col::RegistrationPoint, Col::Amendments];
        if !self.given(Col::RegistrationNumber) {
            if let Some(other) = others.into_iter().find(|c| self.given(*c)) {
                self.fail(
                    Col::RegistrationNumber,
                    Rule::RequiredWith {
                        other: other.info().zh.into(),
                    },
                );
            }
            return None;
        }
        for col in [Col::RegisteredOn, Col::RegistrationPoint] {
            if !self.given(col) {
                self.fail(
                    col,
                    Rule::RequiredWith {
                        other: Col::RegistrationNumber.info().zh.into(),
                    },
                );
            }
        }
        Some(Registered {
            number: number?,
            point: point?,
            date: date?,
            amendments: amendments.unwrap_or_default(),
        })
    }
}

/// The columns that can be blamed for a domain error at `path`, best first.
fn blamed(path: &str) -> &'static [Col] {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let party = |seller: bool| -> &'static [Col] {
        let field = rest.split(['.', '[']).next().unwrap_or(rest);
        match (seller, field) {
            (true, "name") => &[Col::SellerName],
            (true, "credit_code") => &[Col::SellerCode],
            (true, "district") => &[Col::SellerDistrict],
            (true, "org_id") => &[Col::SellerOrgId],
            (true, _) => &[Col::SellerType],
            (false, "name") => &[Col::BuyerName],
            (false, "credit_code") => &[Col::BuyerCode],
            (false, "district") => &[Col::BuyerDistrict],
            (false, "org_id") => &[Col::BuyerOrgId],
            (false, _) => &[Col::BuyerType],
        }
    };
    match head.split('[').next().unwrap_or(head) {
        "seller" => party(true),
        "buyer" => party(false),
        "name" => &[Col::Name],
        "amount_fen" => &[Col::Amount],
        "non_technical" => &[Col::NonTechnical, Col::Technical, Col::Amount],
        "performance_from" => &[Col::PerformanceFrom, Col::PerformancePeriod],
        "performance_to" => &[Col::PerformanceTo, Col::PerformancePeriod],
        "signed_on" => &[Col::SignedOn],
        "listing_ids" => &[Col::ListingIds],
        "deal_id" => &[Col::DealId],
        "payment" => match rest.split(['.', '[']).next().unwrap_or("") {
            "instalments" => &[Col::Instalments, Col::Payment],
            "rate_bp" => &[Col::RoyaltyRate, Col::Payment],
            "base" => &[Col::RoyaltyBase, Col::Payment],
            "entry_fee_fen" => &[Col::EntryFee, Col::Payment],
            "due_on" => &[Col::PaymentDue, Col::Payment],
            _ => &[Col::Payment],
        },
        // Every path `Contract::validate` reports is matched above; a new one is named against
        // the contract's name until it gets its column here.
        _ => &[Col::Name],
    }
}

/// Turns one row into a validated contract and its registration, or into every problem of it.
fn parse_row(
    header: &Header,
    cells: &[Cell<'_>],
) -> Result<(Contract, Option<Registered>), Vec<FieldError>> {
    let mut r = RowReader {
        header,
        cells,
        errors: Vec::new(),
    };
    for (i, cell) in cells.iter().enumerate() {
        if !cell.is_blank() && header.is_headless(i) {
            r.errors.push(FieldError::new(
                format!("column {}", column_letter(i)),
                Rule::NoHeader {
                    found: shown(&cell.display()),
                },
            ));
        }
    }
    let name = r.text(Col::Name).unwrap_or_default();
    let kind = r.kind();
    let seller = r.party([
        Col::SellerName,
        Col::SellerCode,
        Col::SellerType,
        Col::SellerDistrict,
        Col::SellerOrgId,
    ]);
    let buyer = r.party([
        Col::BuyerName,
        Col::BuyerCode,
        Col::BuyerType,
        Col::BuyerDistrict,
        Col::BuyerOrgId,
    ]);
    let field = r.required(Col::Field, |c| choices::tech_field(&cell::text(c)?));
    let ip_type = r.required(Col::IpType, |c| choices::ip_type(&cell::text(c)?));
    let unit = header.unit(Col::Amount);
    let amount_fen = r.required(Col::Amount, |c| amount::fen(c, unit));
    let signed_on = r.required(Col::SignedOn, cell::date);
    let (performance_from, performance_to) = r.performance();
    let non_technical = r.non_technical(amount_fen);
    let payment = r.payment(amount_fen, performance_to);
    let deal_id = r.parse(Col::DealId, cell::integer);
    let listing_ids = r.parse(Col::ListingIds, ids).unwrap_or_default();
    let registered = r.registered();
    let (
        true,
        Some(kind),
        Some(seller),
        Some(buyer),
        Some(field),
        Some(ip_type),
        Some(amount_fen),
        Some(signed_on),
        Some(performance_from),
        Some(performance_to),
        Some(payment),
    ) = (
        r.errors.is_empty(),
        kind,
        seller,
        buyer,
        field,
        ip_type,
        amount_fen,
        signed_on,
        performance_from,
        performance_to,
        payment,
    )
    else {
        if r.errors.is_empty() {
            // Every missing value records why; this is a fault of this module.
            r.errors.push(FieldError::new(
                "",
                Rule::Malformed {
                    detail: "the row could not be read (an internal fault; please report it)"
                        .into(),
                },
            ));
        }
        return Err(r.errors);
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
        signed_on,
        performance_from,
        performance_to,
        payment,
        deal_id,
        listing_ids,
    };
    match contract.validate() {
        Ok(()) => Ok((contract, registered)),
        Err(Invalid(errors)) => Err(errors
            .into_iter()
            .map(|e| FieldError::new(header.label_any(blamed(&e.field), &e.field), e.rule))
            .collect()),
    }
}

/// `2026-01-01至2026-12-31` (or with `~`, `～`, `到`, `—`, or ` - ` between the days).
fn period(cell: &Cell<'_>) -> Result<(NaiveDate, NaiveDate), Rule> {
    let raw = cell::text(cell)?;
    let s = raw.trim();
    let (from, to) = s
        .split_once(['至', '~', '～', '到', '—', '–'])
        .or_else(|| s.split_once(" - "))
        .ok_or_else(|| Rule::Malformed {
            detail: format!(
                "`{}` is not a period; write it as 2026-01-01至2026-12-31",
                shown(s)
            ),
        })?;
    let day = |d: &str| {
        cell::parse_date(d).ok_or_else(|| Rule::BadFormat {
            found: shown(d),
            format: qiao_domain::Format::Date,
        })
    };
    Ok((day(from)?, day(to)?))
}

/// The separators of a list of items in one cell.
const ITEM_SEPARATORS: [char; 4] = [';', '；', '\n', '\r'];

fn not_json(e: &serde_json::Error, example: &str) -> Rule {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    Rule::NotJson {
        detail: format!("{message}; write e.g. {example}"),
    }
}

/// A 非技术性款项 cell: one amount, `name:amount` items, or the domain's JSON.
fn non_technical_items(cell: &Cell<'_>, unit: Unit) -> Result<Vec<NonTechnicalItem>, Rule> {
    let text = match cell {
        Cell::Text(s) => s.trim(),
        other => return plain_non_technical(other, unit),
    };
    if text.starts_with('[') {
        return serde_json::from_str(text)
            .map_err(|e| not_json(&e, r#"[{"name": "设备购置", "amount_fen": 2000000}]"#));
    }
    if !text.contains([':', '：']) {
        return plain_non_technical(cell, unit);
    }
    text.split(ITEM_SEPARATORS)
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let (name, amount) = item
                .rsplit_once([':', '：'])
                .ok_or_else(|| Rule::Malformed {
                    detail: format!(
                        "`{}`: write each item as name:amount, e.g. 设备购置:20000；原材料:5000",
                        shown(item)
                    ),
                })?;
            Ok(NonTechnicalItem {
                name: name.trim().to_string(),
                amount_fen: amount::fen(&Cell::Text(amount.into()), unit)?,
            })
        })
        .collect()
}

fn plain_non_technical(cell: &Cell<'_>, unit: Unit) -> Result<Vec<NonTechnicalItem>, Rule> {
    let fen = amount::fen(cell, unit)?;
    Ok(if fen == 0 {
        Vec::new()
    } else {
        vec![NonTechnicalItem {
            name: NON_TECHNICAL.into(),
            amount_fen: fen,
        }]
    })
}

/// A 分期明细 cell: `date:amount[:condition]` items (amounts in 元 unless they say otherwise),
/// or the domain's JSON.
fn instalments(cell: &Cell<'_>) -> Result<Vec<Instalment>, Rule> {
    let raw = cell::text(cell)?;
    let text = raw.trim();
    if text.starts_with('[') {
        return serde_json::from_str(text)
            .map_err(|e| not_json(&e, r#"[{"amount_fen": 60000000, "due_on": "2026-04-01"}]"#));
    }
    text.split(ITEM_SEPARATORS)
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|item| {
            let mut parts = item.splitn(3, [':', '：']);
            let (Some(day), Some(amount)) = (parts.next(), parts.next()) else {
                return Err(Rule::Malformed {
                    detail: format!(
                        "`{}`: write each instalment as date:amount[:condition], e.g. 2026-04-01:600000；2026-10-01:600000:验收合格后",
                        shown(item)
                    ),
                });
            };
            let due_on = cell::parse_date(day).ok_or_else(|| Rule::BadFormat {
                found: shown(day),
                format: qiao_domain::Format::Date,
            })?;
            let amount_fen = amount::fen(&Cell::Text(amount.into()), Unit::Yuan)?;
            let condition = parts
                .next()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            Ok(Instalment {
                amount_fen,
                due_on,
                condition,
            })
        })
        .collect()
}

/// A 登记号 cell: 16 digits, written as text.
fn registration_number(cell: &Cell<'_>) -> Result<RegistrationNumber, Rule> {
    let text = match cell {
        // A spreadsheet keeps 15 significant digits of a number: a 16-digit 登记号 typed as
        // one has already lost its last digit, so it cannot be trusted.
        Cell::Float(f) => {
            return Err(Rule::Malformed {
                detail: format!(
                    "登记号 {} was stored as a number, and spreadsheets keep only 15 digits of a number; format the column as text and type the 16 digits again",
                    cell::format_number(*f)
                ),
            });
        }
        other => cell::text(other)?,
    };
    RegistrationNumber::parse(&text).map_err(|e| Rule::Malformed {
        detail: e.to_string(),
    })
}

/// Checks a 登记机构 the way the domain checks its texts: at most 200 characters, no control
/// characters but line breaks and tabs.
fn registration_point(point: &str) -> Result<(), Rule> {
    if let Some((at, ch)) = point
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(Rule::ControlCharacter {
            code_point: u32::from(ch),
            at: at + 1,
        });
    }
    let n = point.chars().count();
    if n > 200 {
        return Err(Rule::TooLong { max: 200, found: n });
    }
    Ok(())
}

/// A 变更记录 cell: the domain's JSON of the amendments.
fn amendments(cell: &Cell<'_>) -> Result<Vec<Amendment>, Rule> {
    let raw = cell::text(cell)?;
    serde_json::from_str(raw.trim()).map_err(|e| {
        not_json(
            &e,
            r#"[{"at": "2026-05-01T08:00:00Z", "note": "变更合同金额"}]"#,
        )
    })
}

/// A 来源信息编号 cell: ids separated by `；`, `、`, `,` or spaces.
fn ids(cell: &Cell<'_>) -> Result<Vec<i64>, Rule> {
    if let Cell::Int(_) | Cell::Float(_) = cell {
        return cell::integer(cell).map(|i| vec![i]);
    }
    let raw = cell::text(cell)?;
    raw.split(|c: char| {
        ITEM_SEPARATORS.contains(&c) || matches!(c, '、' | ',' | '，' | '|') || c.is_whitespace()
    })
    .filter(|s| !s.is_empty())
    .map(|s| {
        s.parse::<i64>().map_err(|_| Rule::BadFormat {
            found: shown(s),
            format: qiao_domain::Format::RecordId,
        })
    })
    .collect()
}

/// A line of the JSON Lines form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    contract: Contract,
    #[serde(default)]
    registered: Option<Registered>,
}

#[derive(Serialize)]
struct JsonRowRef<'a> {
    contract: &'a Contract,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered: Option<&'a Registered>,
}

fn read_jsonl(bytes: &[u8]) -> Result<ContractListOutcome, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.trim_ascii_start().starts_with(b"[") {
        return Err(IoError::Malformed(
            "this file holds a JSON array; a contract list in JSON is JSON Lines, one {\"contract\": …, \"registered\": …} per line".into(),
        ));
    }
    let mut outcome = ContractListOutcome::default();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match json_row(line) {
            Ok((contract, registered)) => outcome.rows.push(ContractListRow {
                line: index + 1,
                contract,
                registered,
            }),
            Err(errors) => outcome.errors.push(RowError {
                line: index + 1,
                errors,
            }),
        }
    }
    Ok(outcome)
}

fn json_row(line: &[u8]) -> Result<(Contract, Option<Registered>), Vec<FieldError>> {
    let JsonRow {
        mut contract,
        mut registered,
    } = serde_json::from_slice(line).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        let rule = if e.is_syntax() || e.is_eof() {
            Rule::NotJson {
                detail: format!("{message} at column {}", e.column()),
            }
        } else {
            Rule::from_serde(message)
        };
        vec![FieldError::new("", rule)]
    })?;
    let mut errors = match contract.validate() {
        Ok(()) => Vec::new(),
        Err(Invalid(errors)) => errors
            .into_iter()
            .map(|e| FieldError::new(format!("`contract.{}`", e.field), e.rule))
            .collect(),
    };
    if let Some(r) = registered.as_mut() {
        r.point = r.point.trim().to_string();
        let check = if r.point.is_empty() {
            Err(Rule::Blank)
        } else {
            registration_point(&r.point)
        };
        if let Err(rule) = check {
            errors.push(FieldError::new("`registered.point`", rule));
        }
    }
    if errors.is_empty() {
        Ok((contract, registered))
    } else {
        Err(errors)
    }
}

fn write_jsonl(rows: &[ContractListRow]) -> Result<Vec<u8>, IoError> {
    let mut out = Vec::with_capacity(rows.len() * 512);
    for row in rows {
        serde_json::to_writer(
            &mut out,
            &JsonRowRef {
                contract: &row.contract,
                registered: row.registered.as_ref(),
            },
        )
        .map_err(|e| IoError::Internal(format!("a contract did not serialise: {e}")))?;
        out.push(b'\n');
    }
    Ok(out)
}
