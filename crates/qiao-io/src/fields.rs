//! The columns of the bulk format: one table, [`FIELDS`], that gives every field its column
//! name, its Chinese name, its cell type, the record kinds it belongs to and the other headers
//! accepted for it.
//!
//! This is the alias table. Reading and writing CSV/XLSX both go through it, so adding a
//! spelling or a field is one line here. A test checks the table against the domain structs
//! (through serde's own field lists), so a field added to the domain without a column fails
//! the build's tests rather than an operator's export.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use qiao_domain::Kind;

use crate::labels::Choice;

/// What a row is: an organisation or a listing of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Organisation,
    Listing(Kind),
}

impl Target {
    /// The bit of this target in [`FieldInfo::targets`].
    fn bit(self) -> u16 {
        match self {
            Target::Organisation => ORG,
            Target::Listing(kind) => {
                let index = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
                2 << index
            }
        }
    }

    /// Reads the `kind` of a record: `organisation` (`机构`, `organization`) or anything
    /// [`Kind::parse`] accepts, in any ASCII case.
    pub(crate) fn parse(raw: &str) -> Option<Target> {
        let raw = raw.trim();
        if [
            "organisation",
            "organization",
            "organisations",
            "organizations",
        ]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(raw))
            || ["机构", "组织"].contains(&raw)
        {
            return Some(Target::Organisation);
        }
        Kind::parse(raw)
            .or_else(|| {
                Kind::ALL.into_iter().find(|k| {
                    k.as_str().eq_ignore_ascii_case(raw) || k.plural().eq_ignore_ascii_case(raw)
                })
            })
            .map(Target::Listing)
    }

    /// The name written in the `kind` column.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Target::Organisation => "organisation",
            Target::Listing(kind) => kind.as_str(),
        }
    }

    /// What to say about a bad `kind`: the accepted values.
    pub(crate) fn accepted() -> Vec<String> {
        let mut names = vec!["organisation (机构)".to_string()];
        names.extend(
            Kind::ALL
                .iter()
                .map(|k| format!("{} ({})", k.as_str(), k.label_zh())),
        );
        names
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of a cell: how a spreadsheet value becomes JSON and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    /// The record's kind.
    Kind,
    /// Free text, kept verbatim.
    Text,
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// An amount in yuan (`50万`).
    Yuan,
    /// A calendar day.
    Date,
    /// A list of texts; `commas` also splits on `,` and `，` (keywords only: titles of
    /// deliverables and services may well contain commas).
    List { commas: bool },
    /// One value of an enumeration.
    Enum(Choice),
    /// A list of values of an enumeration.
    EnumList(Choice),
    /// `indicators`: a JSON array of objects.
    Indicators,
    /// `certificates`: a JSON array or `高新技术企业:2023-12-01~2026-11-30；…`.
    Certificates,
    /// `contact` as one JSON object.
    Contact,
    /// One part of the contact (`contact.name`), text.
    ContactPart,
}

/// Every field that has a column. The order is the column order of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Kind,
    Id,
    Owner,
    OrgKind,
    Name,
    CreditCode,
    Title,
    Summary,
    Description,
    Keywords,
    Discipline,
    IpcCodes,
    PatentNumbers,
    Trl,
    Stage,
    TransferModes,
    PriceMinYuan,
    PriceMaxYuan,
    Indicators,
    BudgetMinYuan,
    BudgetMaxYuan,
    BudgetYuan,
    RewardYuan,
    Deliverables,
    ApplyFrom,
    ApplyUntil,
    Deadline,
    CooperationModes,
    Needs,
    Model,
    Manufacturer,
    Location,
    BookingTerms,
    Position,
    Affiliation,
    Services,
    Qualifications,
    IndustryCode,
    FoundedOn,
    Employees,
    Patents,
    RevenueYuan,
    RdExpenseYuan,
    Website,
    Certificates,
    District,
    Status,
    ExpiresOn,
    Confidential,
    ContactName,
    ContactPhone,
    ContactEmail,
    Contact,
}

/// One row of the alias table.
#[derive(Debug)]
pub(crate) struct FieldInfo {
    pub(crate) field: Field,
    /// The column name written on export (`price_min_yuan`, `contact.name`).
    pub(crate) name: &'static str,
    /// The key in the record's JSON object (`kind` for [`Field::OrgKind`]; the key inside
    /// `contact` for the contact parts).
    pub(crate) key: &'static str,
    /// The main Chinese header, shown in messages.
    pub(crate) zh: &'static str,
    pub(crate) ty: Type,
    /// Bit set of the targets that have this field.
    targets: u16,
    /// Other accepted headers.
    aliases: &'static [&'static str],
}

const ORG: u16 = 1;
const ACH: u16 = 2;
const DEM: u16 = 2 << 1;
const CHA: u16 = 2 << 2;
const SCE: u16 = 2 << 3;
const INS: u16 = 2 << 4;
const EXP: u16 = 2 << 5;
const INT: u16 = 2 << 6;
const LISTINGS: u16 = ACH | DEM | CHA | SCE | INS | EXP | INT;
const ALL: u16 = ORG | LISTINGS;

const TEXT: Type = Type::Text;
const YUAN: Type = Type::Yuan;
const DATE: Type = Type::Date;
const LIST: Type = Type::List { commas: false };

macro_rules! fields {
    ($(($field:ident, $name:literal, $key:literal, $zh:literal, $ty:expr, $targets:expr, [$($alias:literal),*]),)*) => {
        /// The alias table, in [`Field`] order.
        pub(crate) static FIELDS: &[FieldInfo] = &[$(FieldInfo {
            field: Field::$field,
            name: $name,
            key: $key,
            zh: $zh,
            ty: $ty,
            targets: $targets,
            aliases: &[$($alias),*],
        },)*];
    };
}

fields! {
    (Kind, "kind", "kind", "类型", Type::Kind, ALL, ["记录类型", "数据类型"]),
    (Id, "id", "id", "编号", Type::Int { min: 1, max: i64::MAX }, LISTINGS, []),
    (Owner, "owner", "owner", "所属机构", TEXT, LISTINGS, ["所属机构统一社会信用代码", "所属单位", "owner_credit_code"]),
    (OrgKind, "org_kind", "kind", "机构类型", Type::Enum(Choice::OrgKind), ORG, ["单位类型", "单位性质"]),
    (Name, "name", "name", "机构名称", TEXT, ORG, ["单位名称", "企业名称"]),
    (CreditCode, "credit_code", "credit_code", "统一社会信用代码", TEXT, ORG, ["信用代码", "社会信用代码"]),
    (Title, "title", "title", "标题", TEXT, LISTINGS, ["名称", "成果名称", "需求名称", "榜单名称", "场景名称", "仪器名称", "专家姓名", "姓名"]),
    (Summary, "summary", "summary", "摘要", TEXT, ACH, ["成果摘要", "成果简介"]),
    (Description, "description", "description", "描述", TEXT, ALL & !ACH, ["简介", "详细描述", "需求描述", "内容"]),
    (Keywords, "keywords", "keywords", "关键词", Type::List { commas: true }, LISTINGS, ["关键字"]),
    (Discipline, "discipline", "discipline", "学科领域", TEXT, LISTINGS, ["学科", "领域", "技术领域", "行业领域", "类别"]),
    (IpcCodes, "ipc_codes", "ipc_codes", "IPC分类号", LIST, ACH, ["IPC", "IPC分类", "IPC号"]),
    (PatentNumbers, "patent_numbers", "patent_numbers", "专利号", LIST, ACH, ["专利号码", "专利申请号"]),
    (Trl, "trl", "trl", "技术成熟度", Type::Int { min: 0, max: 255 }, ACH, ["技术就绪度", "技术成熟度等级"]),
    (Stage, "stage", "stage", "成熟阶段", Type::Enum(Choice::Stage), ACH, ["成果阶段", "所处阶段"]),
    (TransferModes, "transfer_modes", "transfer_modes", "转让方式", Type::EnumList(Choice::Cooperation), ACH, ["转化方式", "交易方式"]),
    (PriceMinYuan, "price_min_yuan", "price_min_yuan", "价格下限", YUAN, ACH, ["最低价格", "价格下限（元）", "价格下限(元)"]),
    (PriceMaxYuan, "price_max_yuan", "price_max_yuan", "价格上限", YUAN, ACH, ["最高价格", "价格上限（元）", "价格上限(元)"]),
    (Indicators, "indicators", "indicators", "技术指标", Type::Indicators, DEM | CHA, ["指标"]),
    (BudgetMinYuan, "budget_min_yuan", "budget_min_yuan", "预算下限", YUAN, DEM, ["最低预算", "预算下限（元）", "预算下限(元)"]),
    (BudgetMaxYuan, "budget_max_yuan", "budget_max_yuan", "预算上限", YUAN, DEM, ["最高预算", "预算上限（元）", "预算上限(元)"]),
    (BudgetYuan, "budget_yuan", "budget_yuan", "预算", YUAN, SCE, ["预算金额", "预算（元）", "预算(元)"]),
    (RewardYuan, "reward_yuan", "reward_yuan", "揭榜奖金", YUAN, CHA, ["奖金", "榜单金额", "奖金（元）", "奖金(元)"]),
    (Deliverables, "deliverables", "deliverables", "交付物", LIST, CHA, ["交付成果"]),
    (ApplyFrom, "apply_from", "apply_from", "申报开始", DATE, CHA, ["申报开始日期", "申报开始时间"]),
    (ApplyUntil, "apply_until", "apply_until", "申报截止", DATE, CHA, ["申报截止日期", "申报截止时间"]),
    (Deadline, "deadline", "deadline", "截止日期", DATE, DEM | CHA | SCE, ["完成期限", "截止时间"]),
    (CooperationModes, "cooperation_modes", "cooperation_modes", "合作方式", Type::EnumList(Choice::Cooperation), DEM, []),
    (Needs, "needs", "needs", "所需技术", LIST, SCE, ["技术需求", "需求技术"]),
    (Model, "model", "model", "型号", TEXT, INS, ["规格型号", "仪器型号"]),
    (Manufacturer, "manufacturer", "manufacturer", "生产厂家", TEXT, INS, ["厂家", "制造商"]),
    (Location, "location", "location", "放置地点", TEXT, INS, ["存放地点", "地点"]),
    (BookingTerms, "booking_terms", "booking_terms", "预约条款", TEXT, INS, ["预约方式", "收费标准"]),
    (Position, "position", "position", "职称", TEXT, EXP, ["职务"]),
    (Affiliation, "affiliation", "affiliation", "工作单位", TEXT, EXP, []),
    (Services, "services", "services", "服务内容", LIST, INT, ["服务项目"]),
    (Qualifications, "qualifications", "qualifications", "资质", LIST, INT, ["资质认证"]),
    (IndustryCode, "industry_code", "industry_code", "行业代码", TEXT, ORG, ["国民经济行业代码", "行业分类代码"]),
    (FoundedOn, "founded_on", "founded_on", "成立日期", DATE, ORG, ["成立时间", "注册日期"]),
    (Employees, "employees", "employees", "职工人数", Type::Int { min: 0, max: u32::MAX as i64 }, ORG, ["员工人数", "从业人数"]),
    (Patents, "patents", "patents", "授权专利数", Type::Int { min: 0, max: u32::MAX as i64 }, ORG, ["专利数", "有效专利数", "专利数量"]),
    (RevenueYuan, "revenue_yuan", "revenue_yuan", "营业收入", YUAN, ORG, ["营收", "营业收入（元）", "营业收入(元)"]),
    (RdExpenseYuan, "rd_expense_yuan", "rd_expense_yuan", "研发投入", YUAN, ORG, ["研发费用", "研发投入（元）", "研发投入(元)"]),
    (Website, "website", "website", "网站", TEXT, ORG, ["网址", "官网"]),
    (Certificates, "certificates", "certificates", "证书", Type::Certificates, ORG, ["资质证书", "认定证书"]),
    (District, "district", "district", "所在区", TEXT, ALL, ["区", "区县", "所在区县", "所属区"]),
    (Status, "status", "status", "状态", Type::Enum(Choice::Status), LISTINGS, []),
    (ExpiresOn, "expires_on", "expires_on", "有效期至", DATE, LISTINGS, ["有效期", "失效日期"]),
    (Confidential, "confidential", "confidential", "保密信息", TEXT, DEM | CHA, ["保密内容"]),
    (ContactName, "contact.name", "name", "联系人", Type::ContactPart, LISTINGS, ["contact_name", "联系人姓名"]),
    (ContactPhone, "contact.phone", "phone", "联系电话", Type::ContactPart, LISTINGS, ["contact_phone", "电话", "手机", "联系方式"]),
    (ContactEmail, "contact.email", "email", "电子邮箱", Type::ContactPart, LISTINGS, ["contact_email", "邮箱", "email", "e-mail"]),
    (Contact, "contact", "contact", "联系信息", Type::Contact, LISTINGS, []),
}

/// How many fields there are; arrays indexed by `Field as usize` use it.
pub(crate) const FIELD_COUNT: usize = Field::Contact as usize + 1;

impl Field {
    pub(crate) fn info(self) -> &'static FieldInfo {
        &FIELDS[self as usize]
    }

    pub(crate) fn name(self) -> &'static str {
        self.info().name
    }

    /// Whether rows of `target` have this field.
    pub(crate) fn applies(self, target: Target) -> bool {
        self.info().targets & target.bit() != 0
    }

    /// Whether any of the targets in the bit set `mask` has this field.
    pub(crate) fn applies_to_any(self, mask: u16) -> bool {
        self.info().targets & mask != 0
    }

    /// The field a header names, if any.
    pub(crate) fn from_header(header: &str) -> Option<Field> {
        headers().get(normalise_header(header).as_str()).copied()
    }

    /// The field behind a key of a record's JSON object (`org_kind` is `kind` in an
    /// organisation's own JSON, and is found here as `org_kind`).
    pub(crate) fn from_key(target: Target, key: &str) -> Option<Field> {
        if target == Target::Organisation && key == "kind" {
            return Some(Field::OrgKind);
        }
        keys().get(key).copied().filter(|f| f.applies(target))
    }
}

/// The bit set of `target`, for [`Field::applies_to_any`].
pub(crate) fn target_mask(target: Target) -> u16 {
    target.bit()
}

/// Headers compare trimmed, without the `*` that templates put on required columns, and
/// ignoring ASCII case (`ID`, `Title`).
pub(crate) fn normalise_header(raw: &str) -> String {
    raw.trim_start_matches('\u{feff}')
        .trim()
        .trim_matches('*')
        .trim()
        .to_ascii_lowercase()
}

fn headers() -> &'static HashMap<String, Field> {
    static MAP: OnceLock<HashMap<String, Field>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for info in FIELDS {
            for header in [info.name, info.zh].iter().chain(info.aliases) {
                map.insert(normalise_header(header), info.field);
            }
        }
        map
    })
}

fn keys() -> &'static HashMap<&'static str, Field> {
    static MAP: OnceLock<HashMap<&'static str, Field>> = OnceLock::new();
    MAP.get_or_init(|| {
        FIELDS
            .iter()
            .filter(|i| !matches!(i.ty, Type::ContactPart) && i.field != Field::OrgKind)
            .map(|i| (i.key, i.field))
            .collect()
    })
}

/// Every accepted header, for the message about an unknown one.
pub(crate) fn accepted_headers() -> String {
    FIELDS
        .iter()
        .map(|i| {
            let mut s = format!("{} ({}", i.name, i.zh);
            for a in i.aliases.iter().filter(|a| !a.is_ascii()) {
                s.push_str(", ");
                s.push_str(a);
            }
            s.push(')');
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use qiao_domain::{Listing, Organisation};
    use serde_json::json;

    #[test]
    fn table_is_in_field_order_and_aliases_are_unique() {
        assert_eq!(FIELDS.len(), FIELD_COUNT);
        for (i, info) in FIELDS.iter().enumerate() {
            assert_eq!(info.field as usize, i, "{}", info.name);
        }
        let mut seen = HashMap::new();
        for info in FIELDS {
            for header in [info.name, info.zh].iter().chain(info.aliases) {
                if let Some(other) = seen.insert(normalise_header(header), info.field) {
                    assert_eq!(other, info.field, "header `{header}` names two fields");
                }
            }
        }
    }

    #[test]
    fn chinese_and_english_headers() {
        assert_eq!(Field::from_header("类型"), Some(Field::Kind));
        assert_eq!(Field::from_header(" *标题 "), Some(Field::Title));
        assert_eq!(Field::from_header("ID"), Some(Field::Id));
        assert_eq!(Field::from_header("IPC分类号"), Some(Field::IpcCodes));
        assert_eq!(Field::from_header("TRL"), Some(Field::Trl));
        assert_eq!(Field::from_header("机构类型"), Some(Field::OrgKind));
        assert_eq!(
            Field::from_header("所属机构统一社会信用代码"),
            Some(Field::Owner)
        );
        assert_eq!(
            Field::from_header("contact.email"),
            Some(Field::ContactEmail)
        );
        assert_eq!(Field::from_header("价钱"), None);
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(Target::parse("机构"), Some(Target::Organisation));
        assert_eq!(Target::parse("Organization"), Some(Target::Organisation));
        assert_eq!(
            Target::parse("科技成果"),
            Some(Target::Listing(Kind::Achievement))
        );
        assert_eq!(
            Target::parse("Demands"),
            Some(Target::Listing(Kind::Demand))
        );
        assert_eq!(Target::parse("enterprise"), None);
    }

    /// The fields serde knows for a target, read from its "unknown field" message.
    fn serde_fields(target: Target) -> Vec<String> {
        let probe = json!({"\u{1}probe": 0});
        let err = match target {
            Target::Organisation => serde_json::from_value::<Organisation>(probe)
                .unwrap_err()
                .to_string(),
            Target::Listing(kind) => Listing::from_fields(kind, probe).unwrap_err().to_string(),
        };
        let list = err
            .split_once("expected one of ")
            .unwrap_or_else(|| panic!("unexpected serde message: {err}"))
            .1;
        list.split(", ")
            .map(|s| s.trim().trim_matches('`').to_string())
            .collect()
    }

    /// The alias table and the domain structs agree on which fields each kind has: a field added
    /// to the domain must get a column here before exports can carry it.
    #[test]
    fn table_matches_the_domain() {
        let targets =
            std::iter::once(Target::Organisation).chain(Kind::ALL.into_iter().map(Target::Listing));
        for target in targets {
            let mut from_serde = serde_fields(target);
            from_serde.sort();
            let mut from_table: Vec<String> = FIELDS
                .iter()
                .filter(|i| i.field.applies(target))
                .filter(|i| {
                    !matches!(i.field, Field::Kind | Field::Id | Field::Owner)
                        && i.ty != Type::ContactPart
                })
                .map(|i| i.key.to_string())
                .collect();
            from_table.sort();
            assert_eq!(from_table, from_serde, "{target}");
            for key in &from_serde {
                assert!(Field::from_key(target, key).is_some(), "{target}.{key}");
            }
        }
    }
}
