//! The columns of a contract list: the headers each is known by, the domain field it fills
//! (which row errors name), and the unit of its amounts.
//!
//! Registries and commissions name the same column in many ways (登记号, 合同登记号, 认定登记号;
//! 卖方名称, 转让方, 受托方), so each column has its export header and a list of aliases,
//! compared without spaces, ASCII case or the width of brackets. An amount column may carry its
//! unit in brackets (`合同成交额（万元）`); one that does not is in the unit a note above the
//! table names (`金额单位：万元`), else in 元.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::cell::{Cell, quote};
use crate::contract_list::amount::Unit;
use crate::contract_list::choices::normalise;
use crate::error::IoError;
use crate::row::column_letter;

/// Every column a contract list may have. The order is the column order of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Col {
    Serial,
    RegistrationNumber,
    Name,
    Kind,
    Category,
    Subtype,
    SellerName,
    SellerCode,
    SellerType,
    SellerDistrict,
    SellerOrgId,
    BuyerName,
    BuyerCode,
    BuyerType,
    BuyerDistrict,
    BuyerOrgId,
    Field,
    IpType,
    Amount,
    Technical,
    NonTechnical,
    SignedOn,
    PerformanceFrom,
    PerformanceTo,
    PerformancePeriod,
    Payment,
    PaymentDue,
    Instalments,
    RoyaltyRate,
    RoyaltyBase,
    EntryFee,
    RegisteredOn,
    RegistrationPoint,
    Amendments,
    DealId,
    ListingIds,
}

pub(crate) const COL_COUNT: usize = Col::ListingIds as usize + 1;

/// One row of the column table.
#[derive(Debug)]
pub(crate) struct ColInfo {
    pub(crate) col: Col,
    /// The English header.
    pub(crate) name: &'static str,
    /// The Chinese header exports write (amount columns add their unit: `合同成交额（元）`).
    pub(crate) zh: &'static str,
    /// The field of the domain record the column fills, as row errors name it
    /// (`seller.credit_code`, `registered.number`).
    pub(crate) path: &'static str,
    /// Whether the column holds amounts, and so may name a unit.
    pub(crate) amount: bool,
    aliases: &'static [&'static str],
}

macro_rules! columns {
    ($(($col:ident, $name:literal, $zh:literal, $path:literal, $amount:literal, [$($alias:literal),*]),)*) => {
        /// The column table, in [`Col`] order.
        pub(crate) static COLUMNS: &[ColInfo] = &[$(ColInfo {
            col: Col::$col,
            name: $name,
            zh: $zh,
            path: $path,
            amount: $amount,
            aliases: &[$($alias),*],
        },)*];
    };
}

columns! {
    (Serial, "serial", "序号", "", false, ["no", "no.", "编号"]),
    (RegistrationNumber, "registration_number", "登记号", "registered.number", false, ["合同登记号", "认定登记号", "技术合同登记号", "登记编号"]),
    (Name, "name", "合同名称", "name", false, ["项目名称", "技术合同名称", "contract_name"]),
    (Kind, "kind", "合同类型", "kind", false, ["contract_type", "type", "技术合同类型"]),
    (Category, "category", "合同类别", "kind", false, ["合同大类", "技术合同类别", "contract_category"]),
    (Subtype, "subtype", "合同子类", "kind", false, ["合同小类", "合同子类别", "contract_subtype"]),
    (SellerName, "seller_name", "卖方名称", "seller.name", false, ["卖方", "卖方单位", "卖方单位名称", "转让方", "受托方", "许可方", "顾问方", "服务方", "seller"]),
    (SellerCode, "seller_credit_code", "卖方统一社会信用代码", "seller.credit_code", false, ["卖方信用代码", "卖方社会信用代码", "卖方统一代码"]),
    (SellerType, "seller_legal_person", "卖方性质", "seller.legal_person", false, ["卖方法人类型", "卖方类型", "卖方单位性质", "卖方单位类型", "seller_type"]),
    (SellerDistrict, "seller_district", "卖方所在区", "seller.district", false, ["卖方区县", "卖方所在区县", "卖方所属区", "卖方所在地区", "卖方地区"]),
    (SellerOrgId, "seller_org_id", "卖方机构编号", "seller.org_id", false, []),
    (BuyerName, "buyer_name", "买方名称", "buyer.name", false, ["买方", "买方单位", "买方单位名称", "受让方", "委托方", "被许可方", "buyer"]),
    (BuyerCode, "buyer_credit_code", "买方统一社会信用代码", "buyer.credit_code", false, ["买方信用代码", "买方社会信用代码", "买方统一代码"]),
    (BuyerType, "buyer_legal_person", "买方性质", "buyer.legal_person", false, ["买方法人类型", "买方类型", "买方单位性质", "买方单位类型", "buyer_type"]),
    (BuyerDistrict, "buyer_district", "买方所在区", "buyer.district", false, ["买方区县", "买方所在区县", "买方所属区", "买方所在地区", "买方地区"]),
    (BuyerOrgId, "buyer_org_id", "买方机构编号", "buyer.org_id", false, []),
    (Field, "field", "技术领域", "field", false, ["tech_field", "技术领域分类"]),
    (IpType, "ip_type", "知识产权类型", "ip_type", false, ["知识产权", "知识产权类别", "涉及知识产权类型"]),
    (Amount, "amount", "合同成交额", "amount_fen", true, ["成交额", "合同金额", "合同成交金额", "合同总金额", "合同交易额", "amount_yuan"]),
    (Technical, "technical_amount", "技术交易额", "technical_fen", true, ["技术交易金额", "technical_amount_yuan"]),
    (NonTechnical, "non_technical", "非技术性款项", "non_technical", true, ["非技术性款项金额", "非技术性支付", "non_technical_yuan"]),
    (SignedOn, "signed_on", "签订日期", "signed_on", false, ["合同签订日期", "签约日期", "签订时间"]),
    (PerformanceFrom, "performance_from", "履行起始日期", "performance_from", false, ["履行开始日期", "履行期限起", "履行起始时间", "合同起始日期"]),
    (PerformanceTo, "performance_to", "履行截止日期", "performance_to", false, ["履行终止日期", "履行结束日期", "履行期限止", "履行截止时间", "合同截止日期"]),
    (PerformancePeriod, "performance_period", "履行期限", "performance_to", false, ["履行期", "合同履行期限"]),
    (Payment, "payment", "支付方式", "payment", false, ["付款方式", "价款支付方式"]),
    (PaymentDue, "payment_due_on", "付款日期", "payment.due_on", false, ["支付日期"]),
    (Instalments, "instalments", "分期明细", "payment.instalments", false, ["分期付款明细", "分期支付明细"]),
    (RoyaltyRate, "royalty_rate", "提成比例", "payment.rate_bp", false, ["提成比例（%）", "提成比例（％）", "提成率"]),
    (RoyaltyBase, "royalty_base", "提成基数", "payment.base", false, ["提成基础"]),
    (EntryFee, "entry_fee", "入门费", "payment.entry_fee_fen", true, ["entry_fee_yuan"]),
    (RegisteredOn, "registered_on", "登记日期", "registered.date", false, ["认定登记日期", "登记时间"]),
    (RegistrationPoint, "registration_point", "登记机构", "registered.point", false, ["登记点", "技术合同登记机构", "认定登记机构", "登记机关"]),
    (Amendments, "amendments", "变更记录", "registered.amendments", false, []),
    (DealId, "deal_id", "交易编号", "deal_id", false, []),
    (ListingIds, "listing_ids", "来源信息编号", "listing_ids", false, []),
}

impl Col {
    pub(crate) fn info(self) -> &'static ColInfo {
        &COLUMNS[self as usize]
    }
}

/// The header for every spelling, built once.
fn spellings() -> &'static HashMap<String, Col> {
    static MAP: OnceLock<HashMap<String, Col>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for info in COLUMNS {
            for h in [info.name, info.zh].iter().chain(info.aliases) {
                map.insert(normalise(h), info.col);
            }
        }
        map
    })
}

/// The ways a header names its unit: `（万元）`, `/万元` (brackets already full-width).
fn split_unit(header: &str) -> Option<(&str, Unit)> {
    if let Some(inner) = header.strip_suffix('）')
        && let Some((base, unit)) = inner.rsplit_once('（')
    {
        return Some((base, Unit::parse(unit)?));
    }
    let (base, unit) = header.rsplit_once(['/', '／'])?;
    Some((base, Unit::parse(unit)?))
}

/// The column a header names, with the unit it states for amounts.
pub(crate) fn resolve(raw: &str) -> Option<(Col, Option<Unit>)> {
    let header = normalise(raw.trim().trim_matches('*'));
    let header = header.trim_matches('*');
    if let Some(col) = spellings().get(header) {
        return Some((*col, None));
    }
    let (base, unit) = split_unit(header)?;
    let col = *spellings().get(base.trim_matches('*'))?;
    col.info().amount.then_some((col, Some(unit)))
}

/// A unit note above a table: `金额单位：万元`, `单位：万元`, `（单位：元）`.
pub(crate) fn unit_note(text: &str) -> Option<Unit> {
    let n = normalise(text);
    let n = n.trim_start_matches('（').trim_end_matches('）');
    let (_, unit) = n.rsplit_once("单位：")?;
    Unit::parse(unit)
}

/// What one header cell says about its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Col(Col),
    /// A note for people: a header starting with `#`, or 序号.
    Ignored,
    /// No header: the column must stay empty.
    Blank,
}

/// A resolved header row.
#[derive(Debug)]
pub(crate) struct Header {
    slots: Vec<Slot>,
    /// Where each column is.
    at: [Option<usize>; COL_COUNT],
    /// Each column's header as the file writes it (trimmed), for messages.
    written: Vec<String>,
    /// The unit of each amount column.
    units: [Unit; COL_COUNT],
}

/// Columns a row cannot do without; `Kind` stands for the type columns and the performance
/// columns are checked as a pair.
const REQUIRED: [Col; 12] = [
    Col::Name,
    Col::SellerName,
    Col::SellerType,
    Col::SellerDistrict,
    Col::BuyerName,
    Col::BuyerType,
    Col::BuyerDistrict,
    Col::Field,
    Col::IpType,
    Col::Amount,
    Col::SignedOn,
    Col::Kind,
];

fn describe(col: Col) -> String {
    let info = col.info();
    let unit = if info.amount { "（元）" } else { "" };
    format!("{}{unit} ({})", info.zh, info.name)
}

/// Every accepted header, for the message about an unknown one.
fn accepted() -> String {
    COLUMNS
        .iter()
        .map(|i| {
            let mut s = describe(i.col);
            if !i.aliases.is_empty() {
                let others: Vec<&str> = i
                    .aliases
                    .iter()
                    .copied()
                    .filter(|a| !a.is_ascii())
                    .collect();
                if !others.is_empty() {
                    s.push_str(&format!(" or {}", others.join("/")));
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Header {
    /// Whether a row looks like a header: it names at least two known columns.
    pub(crate) fn looks_like_header(cells: &[Cell<'_>]) -> bool {
        cells
            .iter()
            .filter(|c| matches!(c, Cell::Text(t) if resolve(t).is_some()))
            .take(2)
            .count()
            == 2
    }

    /// Resolves a header row; `default_unit` is what a unit note above the table said.
    /// Unknown, duplicate and missing columns are refused here, once, naming every one.
    pub(crate) fn new(cells: &[Cell<'_>], default_unit: Unit) -> Result<Header, IoError> {
        let mut slots = Vec::with_capacity(cells.len());
        let mut written = Vec::with_capacity(cells.len());
        let mut at = [None; COL_COUNT];
        let mut units = [default_unit; COL_COUNT];
        let mut unknown = Vec::new();
        let mut problems = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let text = cell.display();
            let text = text.trim().trim_start_matches('\u{feff}').trim();
            written.push(text.to_string());
            if let Cell::Bad { reason, .. } = cell {
                problems.push(format!("column {}: {}", column_letter(i), reason.en()));
                slots.push(Slot::Blank);
            } else if text.is_empty() {
                slots.push(Slot::Blank);
            } else if text.starts_with('#') {
                slots.push(Slot::Ignored);
            } else if let Some((col, unit)) = resolve(text) {
                if col == Col::Serial {
                    slots.push(Slot::Ignored);
                    continue;
                }
                if let Some(prev) = at[col as usize] {
                    problems.push(format!(
                        "columns {} `{}` and {} `{text}` both mean {}; keep one",
                        column_letter(prev),
                        written[prev],
                        column_letter(i),
                        describe(col)
                    ));
                }
                at[col as usize] = Some(i);
                if let Some(unit) = unit {
                    units[col as usize] = unit;
                }
                slots.push(Slot::Col(col));
            } else {
                unknown.push(format!("{} {}", column_letter(i), quote(text)));
                slots.push(Slot::Blank);
            }
        }
        if !unknown.is_empty() {
            problems.push(format!(
                "unknown column{} {}. Accepted headers: {}. To keep a column that Qiao should ignore, start its header with #",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.join(", "),
                accepted()
            ));
        }
        let has = |c: Col| at[c as usize].is_some();
        if has(Col::Kind) && has(Col::Subtype) {
            problems.push(format!(
                "{} and {} both give the contract's type; keep one (合同类型 alone, or 合同类别 with 合同子类)",
                describe(Col::Kind),
                describe(Col::Subtype)
            ));
        }
        if has(Col::PerformancePeriod) && (has(Col::PerformanceFrom) || has(Col::PerformanceTo)) {
            problems.push(format!(
                "{} and {}/{} both give the performance period; keep one",
                describe(Col::PerformancePeriod),
                describe(Col::PerformanceFrom),
                describe(Col::PerformanceTo)
            ));
        }
        let mut missing: Vec<String> = REQUIRED
            .iter()
            .filter(|&&c| !has(c))
            .filter(|&&c| c != Col::Kind || !has(Col::Category))
            .map(|&c| match c {
                Col::Kind => format!(
                    "{} (or {} with {})",
                    describe(c),
                    describe(Col::Category),
                    describe(Col::Subtype)
                ),
                c => describe(c),
            })
            .collect();
        if !has(Col::PerformancePeriod) {
            for c in [Col::PerformanceFrom, Col::PerformanceTo] {
                if !has(c) {
                    missing.push(format!(
                        "{} (or {})",
                        describe(c),
                        describe(Col::PerformancePeriod)
                    ));
                }
            }
        }
        if !missing.is_empty() {
            problems.push(format!(
                "missing column{}: {}",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            ));
        }
        if problems.is_empty() {
            Ok(Header {
                slots,
                at,
                written,
                units,
            })
        } else {
            Err(IoError::Header(problems.join("; ")))
        }
    }

    /// Where a column is, if the file has it.
    pub(crate) fn at(&self, col: Col) -> Option<usize> {
        self.at[col as usize]
    }

    /// The column's header as the file writes it.
    pub(crate) fn written(&self, col: Col) -> Option<&str> {
        Some(self.written[self.at(col)?].as_str())
    }

    /// The unit of an amount column.
    pub(crate) fn unit(&self, col: Col) -> Unit {
        self.units[col as usize]
    }

    /// Whether cells at `index` are data the file gives no header for.
    pub(crate) fn is_headless(&self, index: usize) -> bool {
        matches!(self.slots.get(index), None | Some(Slot::Blank))
    }

    /// `column 卖方统一社会信用代码 (seller.credit_code)`: the column as the file writes it and
    /// the field behind it; just `column name` when the header is the field's name. A column
    /// the file lacks is named by its export header.
    pub(crate) fn label(&self, col: Col, path: &str) -> String {
        match self.at(col) {
            Some(i) if normalise(&self.written[i]) == path => format!("column {}", self.written[i]),
            Some(i) => format!("column {} ({path})", self.written[i]),
            None => format!("column {} ({path})", col.info().zh),
        }
    }

    /// The label of the first of `cols` the file has (the first when it has none), for an
    /// error of the domain at `path`.
    pub(crate) fn label_any(&self, cols: &[Col], path: &str) -> String {
        let col = cols
            .iter()
            .copied()
            .find(|c| self.at(*c).is_some())
            .unwrap_or(cols[0]);
        self.label(col, path)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn table_is_in_column_order_and_spellings_are_unique() {
        assert_eq!(COLUMNS.len(), COL_COUNT);
        let mut seen: HashMap<String, Col> = HashMap::new();
        for (i, info) in COLUMNS.iter().enumerate() {
            assert_eq!(info.col as usize, i, "{}", info.name);
            for h in [info.name, info.zh].iter().chain(info.aliases) {
                if let Some(other) = seen.insert(normalise(h), info.col) {
                    assert_eq!(other, info.col, "header `{h}` names two columns");
                }
            }
        }
    }

    #[test]
    fn headers_with_units_and_aliases() {
        assert_eq!(
            resolve("合同成交额（万元）"),
            Some((Col::Amount, Some(Unit::Wan)))
        );
        assert_eq!(
            resolve(" *合同金额(元) "),
            Some((Col::Amount, Some(Unit::Yuan)))
        );
        assert_eq!(
            resolve("技术交易额/亿元"),
            Some((Col::Technical, Some(Unit::Yi)))
        );
        assert_eq!(resolve("认定登记号"), Some((Col::RegistrationNumber, None)));
        assert_eq!(resolve("受托方"), Some((Col::SellerName, None)));
        assert_eq!(resolve("被许可方"), Some((Col::BuyerName, None)));
        assert_eq!(resolve("Seller_Credit_Code"), Some((Col::SellerCode, None)));
        assert_eq!(resolve("提成比例(%)"), Some((Col::RoyaltyRate, None)));
        // A unit only where amounts are.
        assert_eq!(resolve("合同名称（万元）"), None);
        assert_eq!(resolve("合同成交额（美元）"), None);
        assert_eq!(unit_note("金额单位：万元"), Some(Unit::Wan));
        assert_eq!(unit_note("（单位: 元）"), Some(Unit::Yuan));
        assert_eq!(unit_note("2026年技术合同登记清单"), None);
    }

    fn row(cells: &[&'static str]) -> Vec<Cell<'static>> {
        cells
            .iter()
            .map(|s| Cell::Text(Cow::Borrowed(*s)))
            .collect()
    }

    #[test]
    fn a_header_names_what_is_wrong_with_it() {
        let err = Header::new(&row(&["合同名称", "价钱", "合同名称", "备注"]), Unit::Yuan)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("columns A `合同名称` and C `合同名称` both mean"),
            "{err}"
        );
        assert!(err.contains("unknown columns B `价钱`, D `备注`"), "{err}");
        assert!(
            err.contains("missing columns: 卖方名称 (seller_name)"),
            "{err}"
        );
        assert!(
            err.contains("合同类型 (kind) (or 合同类别 (category) with"),
            "{err}"
        );
        assert!(
            err.contains("履行截止日期 (performance_to) (or 履行期限"),
            "{err}"
        );
    }
}
