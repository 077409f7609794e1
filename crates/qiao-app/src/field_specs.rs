//! The fields people fill in, described once: each field's JSON path, its labels in Chinese
//! and English, how it is entered and whether it is required; and the fields of each listing
//! kind, in the order its form asks for them ([`specs`]).
//!
//! The pages turn these into form inputs (`pages/form.rs` in `qiao-server`); the audit log
//! names a changed field by the same label ([`crate::audit_log`]), so the log speaks of
//! "预算下限" where the member typed it, not of `budget_min_yuan`.

use qiao_domain::Kind;
use serde_json::Value;

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines.
    Area,
    /// A list: one item per line, or, written on one line, items separated by commas, 、 or
    /// semicolons. Stored lists are shown one item per line, so an item holding a comma
    /// stays one item.
    List,
    /// An amount of money: `500000`, `50万`, `2.3亿元`.
    Yuan,
    /// A whole number.
    Int,
    /// A number, possibly with decimals (3.5).
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// One of fixed values: (value, Chinese, English).
    Select(&'static [(&'static str, &'static str, &'static str)]),
    /// Any number of fixed values, one box each: (value, Chinese, English).
    Checks(&'static [(&'static str, &'static str, &'static str)]),
    /// Indicators, one per line: `name target unit；note` (能量密度 300 Wh/kg；25℃ 测试), where
    /// only the name is required and `-` stands for no target before a unit.
    Indicators,
}

/// One field of a listing form.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The JSON path (`title`, `contact.email`); also the input's name.
    pub name: &'static str,
    /// Label in Chinese.
    pub zh: &'static str,
    /// Label in English.
    pub en: &'static str,
    /// How it is entered.
    pub input: Input,
    /// Whether it must be filled.
    pub required: bool,
}

impl Spec {
    /// A field that may be left empty.
    pub const fn optional(
        name: &'static str,
        zh: &'static str,
        en: &'static str,
        input: Input,
    ) -> Spec {
        f(name, zh, en, input, false)
    }

    /// A field that must be filled.
    pub const fn required(
        name: &'static str,
        zh: &'static str,
        en: &'static str,
        input: Input,
    ) -> Spec {
        f(name, zh, en, input, true)
    }
}

const fn f(
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    input: Input,
    required: bool,
) -> Spec {
    Spec {
        name,
        zh,
        en,
        input,
        required,
    }
}

const STATUSES: &[(&str, &str, &str)] = &[
    ("open", "开放（立即发布）", "open (publish now)"),
    (
        "draft",
        "草稿（仅本机构可见）",
        "draft (only your organisation sees it)",
    ),
    ("closed", "已关闭", "closed"),
];
/// Challenges also move through review to an award.
const CHALLENGE_STATUSES: &[(&str, &str, &str)] = &[
    ("open", "征集中（立即发布）", "open (publish now)"),
    (
        "draft",
        "草稿（仅本机构可见）",
        "draft (only your organisation sees it)",
    ),
    ("under_review", "评审中", "under review"),
    ("awarded", "已揭榜", "awarded"),
    ("closed", "已关闭", "closed"),
];
/// Maturity stages of an achievement ([`qiao_domain::Stage`]).
pub const STAGES: &[(&str, &str, &str)] = &[
    ("", "未填写", "not given"),
    ("lab", "实验室", "laboratory"),
    ("small_pilot", "小试", "small pilot"),
    ("pilot", "中试", "pilot"),
    ("industrial", "产业化", "industrial"),
];

/// Ways of working together ([`qiao_domain::listing::Cooperation`]).
pub const COOPERATION: &[(&str, &str, &str)] = &[
    ("transfer", "转让", "transfer"),
    ("license", "许可", "license"),
    ("equity", "作价入股", "equity"),
    ("joint_development", "合作开发", "joint development"),
    (
        "commissioned_development",
        "委托开发",
        "commissioned development",
    ),
    ("consulting", "技术咨询", "consulting"),
    ("service", "技术服务", "technical service"),
];

const TITLE: Spec = f("title", "标题", "Title", Input::Text, true);
const NAME: Spec = f("title", "名称", "Name", Input::Text, true);
const DESCRIPTION: Spec = f("description", "描述", "Description", Input::Area, true);
const KEYWORDS: Spec = f("keywords", "关键词", "Keywords", Input::List, false);
const DISCIPLINE: Spec = f("discipline", "领域", "Field", Input::Text, false);
const DISTRICT: Spec = f("district", "所在区", "District", Input::Text, false);
const CONFIDENTIAL: Spec = f(
    "confidential",
    "保密信息（仅对同意联系的对方可见）",
    "Confidential details (shown only after you accept a contact request)",
    Input::Area,
    false,
);
const CONTACT_NAME: Spec = f(
    "contact.name",
    "联系人",
    "Contact person",
    Input::Text,
    false,
);
const CONTACT_PHONE: Spec = f("contact.phone", "联系电话", "Phone", Input::Text, false);
const CONTACT_EMAIL: Spec = f("contact.email", "电子邮箱", "E-mail", Input::Text, false);
const STATUS: Spec = f("status", "状态", "Status", Input::Select(STATUSES), true);
const EXPIRES_ON: Spec = f("expires_on", "有效期至", "Open until", Input::Date, false);

/// The fields a form for `kind` asks for, in order.
pub fn specs(kind: Kind) -> Vec<Spec> {
    let mut v = match kind {
        Kind::Demand => vec![
            TITLE,
            DESCRIPTION,
            KEYWORDS,
            DISCIPLINE,
            DISTRICT,
            f(
                "budget_min_yuan",
                "预算下限",
                "Budget from",
                Input::Yuan,
                false,
            ),
            f(
                "budget_max_yuan",
                "预算上限",
                "Budget up to",
                Input::Yuan,
                false,
            ),
            f("deadline", "期望完成日期", "Wanted by", Input::Date, false),
            f(
                "indicators",
                "技术指标",
                "Indicators",
                Input::Indicators,
                false,
            ),
            f(
                "cooperation_modes",
                "合作方式",
                "Cooperation modes",
                Input::Checks(COOPERATION),
                false,
            ),
            CONFIDENTIAL,
        ],
        Kind::Achievement => vec![
            TITLE,
            f("summary", "成果简介", "Summary", Input::Area, true),
            KEYWORDS,
            DISCIPLINE,
            f("ipc_codes", "IPC 分类号", "IPC classes", Input::List, false),
            f(
                "patent_numbers",
                "专利号",
                "Patent numbers",
                Input::List,
                false,
            ),
            f(
                "trl",
                "技术成熟度 TRL (1-9)",
                "TRL (1-9)",
                Input::Int,
                false,
            ),
            f("stage", "成熟阶段", "Stage", Input::Select(STAGES), false),
            f(
                "transfer_modes",
                "转化方式",
                "Transfer modes",
                Input::Checks(COOPERATION),
                false,
            ),
            f(
                "price_min_yuan",
                "报价下限",
                "Price from",
                Input::Yuan,
                false,
            ),
            f(
                "price_max_yuan",
                "报价上限",
                "Price up to",
                Input::Yuan,
                false,
            ),
            DISTRICT,
        ],
        Kind::Challenge => vec![
            TITLE,
            DESCRIPTION,
            KEYWORDS,
            DISCIPLINE,
            f(
                "indicators",
                "攻关指标",
                "Indicators",
                Input::Indicators,
                true,
            ),
            f("deliverables", "交付物", "Deliverables", Input::List, false),
            f("reward_yuan", "榜单金额", "Reward", Input::Yuan, true),
            f(
                "apply_from",
                "揭榜开始日期",
                "Applications from",
                Input::Date,
                true,
            ),
            f(
                "apply_until",
                "揭榜截止日期",
                "Applications until",
                Input::Date,
                true,
            ),
            f("deadline", "攻关完成期限", "Work due", Input::Date, false),
            DISTRICT,
            CONFIDENTIAL,
        ],
        Kind::Scenario => vec![
            TITLE,
            DESCRIPTION,
            f("needs", "技术需要", "What is needed", Input::List, false),
            KEYWORDS,
            DISCIPLINE,
            f("budget_yuan", "投入预算", "Budget", Input::Yuan, false),
            f("deadline", "截止日期", "Deadline", Input::Date, false),
            DISTRICT,
        ],
        Kind::Instrument => vec![
            NAME,
            DESCRIPTION,
            f("model", "型号", "Model", Input::Text, false),
            f(
                "manufacturer",
                "生产厂家",
                "Manufacturer",
                Input::Text,
                false,
            ),
            DISCIPLINE,
            KEYWORDS,
            f("location", "放置地点", "Location", Input::Text, false),
            DISTRICT,
            f(
                "booking_terms",
                "预约与收费",
                "Booking terms",
                Input::Area,
                false,
            ),
        ],
        Kind::Expert => vec![
            NAME,
            DESCRIPTION,
            f("position", "职务职称", "Position", Input::Text, false),
            f("affiliation", "工作单位", "Affiliation", Input::Text, false),
            DISCIPLINE,
            KEYWORDS,
            DISTRICT,
        ],
        Kind::Institution => vec![
            NAME,
            DESCRIPTION,
            f("services", "服务内容", "Services", Input::List, false),
            f(
                "qualifications",
                "资质",
                "Qualifications",
                Input::List,
                false,
            ),
            DISCIPLINE,
            KEYWORDS,
            DISTRICT,
        ],
    };
    let status = match kind {
        Kind::Challenge => Spec {
            input: Input::Select(CHALLENGE_STATUSES),
            ..STATUS
        },
        _ => STATUS,
    };
    v.extend([
        CONTACT_NAME,
        CONTACT_PHONE,
        CONTACT_EMAIL,
        status,
        EXPIRES_ON,
    ]);
    v
}

/// A JSON value as a person writes it in a form: a whole number without the `.0` that a
/// floating-point value prints (20 家, not 20.0), anything else as JSON prints it.
pub fn value_text(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        _ => v.to_string(),
    }
}
