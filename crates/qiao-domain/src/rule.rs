//! The rules a field can break, as data: a stable code with the values that explain it.
//!
//! Every validation failure in Qiao (the domain's checks, the API's parsing of a body or a
//! query, the forms of the pages, the rows of an imported file) is one [`Rule`]. The code is
//! what programs match on (`wrong_check_character`, with `found` and `expected`); the sentences
//! people read are rendered from it, in English for the API and logs ([`Rule::en`]) and in
//! Chinese for the pages ([`Rule::zh`]). Nothing ever reads a sentence back: a page that
//! wants Chinese asks the rule, not the English.
//!
//! The codes are a public contract: the API sends them in its error envelope and the OpenAPI
//! document lists them from this very enum (its JSON schema), so adding a variant documents
//! it. [`Rule::examples`] holds one of each, which the tests render in both languages.

use serde::{Deserialize, Serialize};

/// One broken rule, with the values its message needs.
///
/// Serialised internally tagged: `{"code": "too_long", "max": 200, "found": 240}`. No
/// parameter is called `code`, `field` or `message`, the keys a field error already has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Rule {
    /// The value is missing: a key absent from the JSON, an empty required choice.
    Required,
    /// A required text is empty or only spaces.
    Blank,
    /// A text is longer than allowed, in characters.
    TooLong {
        /// Most characters allowed.
        max: usize,
        /// Characters given.
        found: usize,
    },
    /// A text is shorter than allowed, in characters (spaces at either end not counted).
    TooShort {
        /// Fewest characters allowed.
        min: usize,
        /// Characters given.
        found: usize,
    },
    /// A list has more items than allowed.
    TooMany {
        /// Most items allowed.
        max: usize,
        /// Items given.
        found: usize,
    },
    /// A list has fewer items than needed.
    TooFew {
        /// Fewest items needed.
        min: usize,
        /// Items given.
        found: usize,
    },
    /// A text holds a control character other than a line break or a tab.
    ControlCharacter {
        /// The character's Unicode code point.
        code_point: u32,
        /// Its 1-based position, in characters.
        at: usize,
    },
    /// A number that cannot be negative is.
    Negative {
        /// The value given.
        found: f64,
    },
    /// A number is infinite or not a number.
    NotFinite,
    /// A number is below its least value.
    AtLeast {
        /// The least value allowed.
        min: i64,
        /// The value given.
        found: f64,
    },
    /// A number is outside an inclusive range.
    OutOfRange {
        /// The least value allowed.
        min: i64,
        /// The greatest value allowed.
        max: i64,
        /// The value given.
        found: f64,
    },
    /// A date is before the date of another field it must not precede.
    Before {
        /// The other field (`apply_from`).
        other: String,
        /// This field's date.
        found: String,
        /// The other field's date.
        limit: String,
    },
    /// The upper end of a range is below its lower end.
    Below {
        /// The field of the lower end (`budget_min_yuan`).
        other: String,
        /// This field's value.
        found: i64,
        /// The lower end.
        limit: i64,
    },
    /// A text is not written in the form its field takes.
    BadFormat {
        /// The text given (at most 40 characters of it in import messages).
        found: String,
        /// The form it should take.
        format: Format,
    },
    /// A value is not among the accepted ones.
    NotOneOf {
        /// The value given.
        found: String,
        /// The accepted values.
        allowed: Vec<String>,
    },
    /// A choice of a form names none of its options (a form changed on its way).
    Choose,
    /// A 统一社会信用代码 of the wrong length.
    WrongLength {
        /// The code as given (trimmed).
        value: String,
        /// The length it must have (18).
        expected: usize,
        /// Its length, in characters.
        found: usize,
    },
    /// A 统一社会信用代码 with a character outside its alphabet (digits and capitals except
    /// I, O, Z, S and V).
    WrongCharacter {
        /// The code as given (trimmed).
        value: String,
        /// The character.
        found: char,
        /// Its 1-based position.
        at: usize,
    },
    /// A 统一社会信用代码 whose last character is not the check character GB 32100-2015
    /// computes from the first seventeen.
    WrongCheckCharacter {
        /// The code as given (trimmed, upper-cased).
        value: String,
        /// The last character given.
        found: char,
        /// The check character it should be.
        expected: char,
    },
    /// An id names no stored record.
    NotFound {
        /// The sort of record.
        record: Record,
        /// The id given.
        id: i64,
    },
    /// No stored organisation has this 统一社会信用代码.
    NoSuchOrganisation {
        /// The code given.
        credit_code: String,
    },
    /// A unique value (a username) is already used by another record.
    Taken,
    /// The organisation's 统一社会信用代码 is already registered.
    Registered,
    /// The record belongs to another organisation (an organisation: is registered) and the
    /// acting account may not change it; an import refuses the line.
    NotYours {
        /// The sort of record.
        record: Record,
        /// Its id.
        id: i64,
    },
    /// An import may not change this field of a stored record.
    Unchangeable {
        /// The sort of record.
        record: Record,
        /// Its id.
        id: i64,
        /// The stored value (empty: none).
        stored: String,
        /// The value the row gives.
        found: String,
    },
    /// The field is set, which needs another field set too.
    Requires {
        /// The other field.
        other: String,
    },
    /// The field is missing while another field it goes with is given (half of a pair).
    RequiredWith {
        /// The other field.
        other: String,
    },
    /// A day is not in the year it must be in (a 新增 target's baseline, in the target's year).
    NotInYear {
        /// The day given.
        found: String,
        /// The year it must be in.
        year: i32,
    },
    /// A day is after the year it must not pass (a target's baseline, after the target's year).
    AfterYear {
        /// The day given.
        found: String,
        /// The year it must not be after.
        year: i32,
    },
    /// The field must repeat another field and does not (a password typed twice).
    Mismatch {
        /// The other field.
        other: String,
    },
    /// A decline for the reason `other` needs a note saying why.
    ExplainOther,
    /// A member account must name the organisation the person acts for.
    MemberNeedsOrganisation,
    /// A password is one character repeated.
    OneCharacterRepeated,
    /// A change of an account changes nothing.
    NothingToChange,
    /// An admin tried to disable their own account.
    OwnAccount,
    /// A target's unit does not fit its metric.
    UnitMismatch {
        /// The unit the metric counts in.
        expected: String,
        /// The unit given.
        found: String,
    },
    /// A value cannot be combined with others given in the same request.
    NotCombinable {
        /// The value.
        found: String,
        /// What it cannot be combined with.
        with: Vec<String>,
    },
    /// A document states no target to make targets from.
    NoTargetStated,
    /// A figure names no region or year, and the request gives none.
    NoRegionOrYear,
    /// Every chosen figure is already a target of that region and year.
    AlreadyTargets,
    /// A line of a form's indicators does not start with the indicator's name.
    NoIndicatorName {
        /// The 1-based line.
        line: usize,
    },
    /// A JSON key the record does not have.
    UnknownField {
        /// The key given.
        found: String,
        /// The keys the record has.
        expected: Vec<String>,
    },
    /// A JSON value of the wrong type, in serde's words (`string "lots"`, `i64`).
    WrongType {
        /// What was given.
        found: String,
        /// What the field takes.
        expected: String,
    },
    /// A text that should be JSON is not, with the parser's reason.
    NotJson {
        /// The parser's reason.
        detail: String,
    },
    /// A value could not be read, with the reader's reason (a spreadsheet's error cell, a
    /// value serde refuses).
    Malformed {
        /// The reader's reason.
        detail: String,
    },
    /// A CSV cell holds bytes that are not UTF-8 (a file saved as GBK, in practice).
    NotUtf8,
    /// A spreadsheet cell holds an error value (`#DIV/0!`) instead of data.
    SpreadsheetError {
        /// The error value.
        found: String,
    },
    /// A spreadsheet cell has a value but its column has no header.
    NoHeader {
        /// The value (at most 40 characters of it).
        found: String,
    },
    /// A column that does not apply to the row's kind of record has a value.
    NotForKind {
        /// The row's kind (`achievement`, `organisation`).
        kind: String,
    },
    /// An organisation kind was given where the kind of record belongs.
    UseOrgKind {
        /// The organisation kind given (`enterprise`).
        found: String,
    },
    /// A contract's non-technical items (非技术性款项) add up to more than its amount, which
    /// would leave a negative 技术交易额.
    NonTechnicalOverAmount {
        /// What the items add up to, in 分.
        found: i64,
        /// The contract's amount, in 分.
        limit: i64,
    },
    /// A contract's instalments are not listed by due date.
    NotInDateOrder {
        /// The 1-based position of the first instalment due before the one listed above it.
        at: usize,
        /// Its due date.
        found: String,
        /// The due date of the instalment above it.
        limit: String,
    },
    /// A contract's instalments do not add up to its amount.
    InstalmentTotal {
        /// What the instalments add up to, in 分.
        found: i64,
        /// The contract's amount, in 分.
        expected: i64,
    },
    /// A deal's managers' credit shares do not add up to 10000 basis points (100 %).
    ShareTotal {
        /// What the shares add up to, in basis points.
        found: u64,
    },
    /// A deal lists the same manager twice.
    DuplicateManager {
        /// The manager's account id.
        account_id: i64,
    },
    /// A deal's buyer is its seller.
    BuyerIsSeller,
    /// A deal that is not won (成交) is at a stage after 签约, which follows a signed contract.
    StageNeedsWon {
        /// The stage's code (`registration`).
        stage: String,
    },
    /// A deal is won (成交) at a stage before 签约.
    WonBeforeSigning {
        /// The stage's code (`negotiation`).
        stage: String,
    },
    /// An application to a challenge made outside its application window.
    OutsideWindow {
        /// The first day of the window (`2026-01-01`).
        from: String,
        /// The last day of the window (`2026-03-31`).
        until: String,
        /// Today, in China Standard Time.
        today: String,
    },
    /// An organisation applied to its own challenge.
    OwnChallenge,
    /// An instrument's slot overlaps another of the same instrument.
    SlotOverlap {
        /// The slot given (`2026-12-07 09:00 – 2026-12-07 12:00`).
        found: String,
        /// What it overlaps: another slot of the request, or an existing one.
        with: String,
    },
    /// A time that must be in the future has come (a slot to offer or to book).
    NotFuture {
        /// The time given (`2026-12-07 09:00`).
        found: String,
        /// Now, in China Standard Time.
        now: String,
    },
    /// An organisation tried to book its own instrument.
    OwnInstrument,
    /// A voucher would pay more than the slot's price.
    OverPrice {
        /// The amount asked, in yuan (`900.00`).
        found: String,
        /// The slot's price, in yuan.
        limit: String,
    },
    /// A voucher would pay more than is left on it.
    OverBalance {
        /// The amount asked, in yuan (`900.00`).
        found: String,
        /// What is left, in yuan.
        left: String,
    },
    /// A voucher is not valid on the day it would pay for.
    NotValidOn {
        /// Its first valid day.
        from: String,
        /// Its last valid day.
        until: String,
        /// The day it would pay for.
        day: String,
    },
}

/// The forms a text can be expected to take, for [`Rule::BadFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 3 to 40 letters, digits, `_`, `-` or `.`.
    Username,
    /// An e-mail address.
    Email,
    /// A telephone number (`021-6489 0000`, `+86 138 0000 0000`).
    Phone,
    /// An IPC class (`H01M 10/613`, `G06N`).
    IpcClass,
    /// A GB/T 4754-2017 industry code (`C3562`).
    IndustryCode,
    /// A date (`2026-03-01`).
    Date,
    /// A year (`2025`).
    Year,
    /// A number.
    Number,
    /// A whole number.
    WholeNumber,
    /// An amount in yuan (`500000`, `50万`, `2.3亿`).
    Amount,
    /// A record id: a positive whole number.
    RecordId,
    /// A certificate as `kind:from~to` (`高新技术企业:2023-12-01~2026-11-30`).
    Certificate,
    /// A date and time (`2026-12-07 09:00`).
    DateTime,
}

/// The sorts of record a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// An organisation.
    Organisation,
    /// A listing of any kind.
    Listing,
    /// An imported document.
    Document,
    /// An account.
    Account,
    /// A 创新券.
    Voucher,
}

impl Record {
    fn en(self) -> &'static str {
        match self {
            Record::Organisation => "organisation",
            Record::Listing => "listing",
            Record::Document => "document",
            Record::Account => "account",
            Record::Voucher => "voucher",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Record::Organisation => "机构",
            Record::Listing => "信息",
            Record::Document => "文件",
            Record::Account => "账号",
            Record::Voucher => "创新券",
        }
    }
}

/// The Chinese name of a field another rule refers to; the key itself when it has none here.
/// Only fields that rules name as `other` need one.
fn field_zh(key: &str) -> &str {
    match key {
        "apply_from" => "申报开始日期",
        "starts_at" => "开始时间",
        "start_time" => "开始时刻",
        "valid_from" => "生效日期",
        "apply_until" => "申报截止日期",
        "today" => "今天",
        "issued_on" => "发证日期",
        "from" => "起始日期",
        "price_min_yuan" => "最低价格",
        "budget_min_yuan" => "最低预算",
        "min_years" => "最低成立年限",
        "min_revenue_yuan" => "最低营业收入",
        "min_employees" => "最少职工人数",
        "certificates" => "所需证书",
        "metric" => "统计口径",
        "baseline.value" => "基数",
        "baseline.as_of" => "基数日期",
        "password" => "密码",
        "performance_from" => "履行期限起始日期",
        "lead_bp" => "线索阶段的成交概率",
        "contact_bp" => "对接洽谈阶段的成交概率",
        "due_diligence_bp" => "尽职调查/评估阶段的成交概率",
        "negotiation_bp" => "商务谈判阶段的成交概率",
        "signing_bp" => "签约阶段的成交概率",
        "registration_bp" => "登记阶段的成交概率",
        "performance_bp" => "履约阶段的成交概率",
        other => other,
    }
}

/// A deal stage's Chinese name; the code itself when it names no stage.
fn stage_zh(code: &str) -> &str {
    crate::DealStage::parse(code).map_or(code, |s| s.label_zh())
}

/// `a, b, c`, each item in backticks.
fn ticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde's wording of the keys a record has, kept so API messages read as they always did.
fn expected_keys(keys: &[String]) -> String {
    match keys {
        [] => "there are no fields".into(),
        [one] => format!("expected `{one}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        many => format!("expected one of {}", ticked(many)),
    }
}

impl Format {
    fn en(self, found: &str) -> String {
        match self {
            Format::Username => {
                format!("`{found}` must be 3-40 characters of letters, digits, `_`, `-` or `.`")
            }
            Format::Email => format!("`{found}` is not an e-mail address"),
            Format::Phone => format!(
                "`{found}` is not a telephone number; write 5-30 digits with +, -, spaces or brackets"
            ),
            Format::IpcClass => {
                format!("`{found}` is not an IPC class; write it like `H01M 10/613` or `G06N`")
            }
            Format::IndustryCode => format!(
                "`{found}` is not a GB/T 4754-2017 code: a section letter A-T, optionally followed by 2, 3 or 4 digits (e.g. C3562)"
            ),
            Format::Date => format!("`{found}` is not a date; write it as 2026-03-01"),
            Format::Year => format!("`{found}` is not a year; write it as 2025"),
            Format::Number => format!("`{found}` is not a number"),
            Format::WholeNumber => format!("`{found}` is not a whole number; write digits, e.g. 6"),
            Format::Amount => format!(
                "`{found}` is not an amount in yuan; write e.g. 500000, 50万, 2.3亿 or 1,200元"
            ),
            Format::RecordId => {
                format!("`{found}` is not a record id; write a positive whole number")
            }
            Format::Certificate => format!(
                "`{found}` is not a certificate; write it as 高新技术企业:2023-12-01~2026-11-30"
            ),
            Format::DateTime => {
                format!("`{found}` is not a date and time; write it as 2026-12-07 09:00")
            }
        }
    }

    fn zh(self, found: &str) -> String {
        match self {
            Format::Username => {
                format!("“{found}”不是有效的用户名：须为 3-40 位字母、数字或 _ - .")
            }
            Format::Email => format!("“{found}”不是有效的电子邮箱地址"),
            Format::Phone => {
                format!("“{found}”不是有效的电话号码：须为 5-30 位数字，可含 + - 空格或括号")
            }
            Format::IpcClass => {
                format!("“{found}”不是有效的 IPC 分类号，请写成 H01M 10/613 或 G06N 的形式")
            }
            Format::IndustryCode => format!(
                "“{found}”不是 GB/T 4754-2017 行业代码：门类字母 A-T，可跟 2、3 或 4 位数字（如 C3562）"
            ),
            Format::Date => format!("“{found}”不是有效日期，请写成 2026-03-01 的形式"),
            Format::Year => format!("“{found}”不是年份，请写如 2025"),
            Format::Number => format!("“{found}”不是数字"),
            Format::WholeNumber => format!("“{found}”不是整数，请写数字，如 6"),
            Format::Amount => format!("“{found}”不是有效金额，请写 500000、50万 或 2.3亿"),
            Format::RecordId => format!("“{found}”不是记录编号，请写正整数"),
            Format::Certificate => {
                format!("“{found}”不是证书，请写成 高新技术企业:2023-12-01~2026-11-30 的形式")
            }
            Format::DateTime => {
                format!("“{found}”不是有效的日期时间，请写成 2026-12-07 09:00 的形式")
            }
        }
    }
}

impl Rule {
    /// The rule's stable code (`wrong_check_character`), as the API sends it.
    pub fn code(&self) -> String {
        // The code is serde's tag, so it is taken from serde rather than repeated by hand.
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => match map.get("code") {
                Some(serde_json::Value::String(code)) => code.clone(),
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    /// The message in English: what is wrong and how to fix it, without the field's name.
    pub fn en(&self) -> String {
        match self {
            Rule::Required => "is required".into(),
            Rule::Blank => "is required and must not be blank".into(),
            Rule::TooLong { max, found } => {
                format!("is {found} characters long; shorten it to at most {max}")
            }
            Rule::TooShort { min, found } => {
                format!(
                    "is too short ({found} characters besides spaces at either end); use at least {min}"
                )
            }
            Rule::TooMany { max, found } => format!("has {found} items; keep at most {max}"),
            Rule::TooFew { min, found } => format!("has {found} items; give at least {min}"),
            Rule::ControlCharacter { code_point, at } => format!(
                "holds the control character U+{code_point:04X} at character {at}; remove it (line breaks and tabs are allowed)"
            ),
            Rule::Negative { found } => format!("is {found}; it cannot be negative"),
            Rule::NotFinite => "must be a finite number".into(),
            Rule::AtLeast { min, found } => format!("is {found}; it must be at least {min}"),
            Rule::OutOfRange { min, max, found } => {
                format!("is {found}; give a value from {min} to {max}")
            }
            Rule::Before {
                other,
                found,
                limit,
            } => format!("({found}) is before {other} ({limit}); change one of them"),
            Rule::Below {
                other,
                found,
                limit,
            } => format!("({found}) is below {other} ({limit}); swap them or fix one"),
            Rule::BadFormat { found, format } => format.en(found),
            Rule::NotOneOf { found, allowed } => {
                format!("`{found}` is not one of: {}", allowed.join(", "))
            }
            Rule::Choose => "choose one of the listed options".into(),
            Rule::WrongLength {
                value,
                expected,
                found,
            } => format!("统一社会信用代码 `{value}` must be {expected} characters, found {found}"),
            Rule::WrongCharacter { value, found, at } => format!(
                "统一社会信用代码 `{value}`: character `{found}` at position {at} is not allowed (digits and capitals except I, O, Z, S, V)"
            ),
            Rule::WrongCheckCharacter {
                value,
                found,
                expected,
            } => format!(
                "统一社会信用代码 `{value}` has a wrong check character `{found}` (expected `{expected}`)"
            ),
            Rule::NotFound { record, id } => format!("{} {id} does not exist", record.en()),
            Rule::NoSuchOrganisation { credit_code } => format!(
                "no organisation has the credit code `{credit_code}`; check it, or register the organisation first"
            ),
            Rule::Taken => "is already taken".into(),
            Rule::Registered => {
                "is already registered; ask a colleague with an account, or an admin".into()
            }
            Rule::NotYours {
                record: Record::Organisation,
                id,
            } => format!(
                "organisation {id} is already registered and this account may not change it; leave it out of the file and name it as `owner` only"
            ),
            Rule::NotYours { record, id } => format!(
                "{} {id} belongs to another organisation and this account may not change it; leave `id` empty to create a new one",
                record.en()
            ),
            Rule::Unchangeable {
                record,
                id,
                stored,
                found,
            } => {
                let stored = if stored.is_empty() { "none" } else { stored };
                format!(
                    "{} {id} has `{stored}` here; an import cannot change it to `{found}`: leave the cell empty or write the stored value",
                    record.en()
                )
            }
            Rule::Requires { other } => format!("is set, so `{other}` must be given too"),
            Rule::RequiredWith { other } => {
                format!("is required when `{other}` is given; give both or neither")
            }
            Rule::NotInYear { found, year } => {
                format!("is {found}, not a day of {year}; a 新增 target counts the year {year}, so its baseline is a day of that year")
            }
            Rule::AfterYear { found, year } => {
                format!("is {found}, after the target's year {year}")
            }
            Rule::Mismatch { other } => {
                format!("does not match `{other}`; type the same text in both")
            }
            Rule::ExplainOther => {
                "is required when the reason is `other`: say why in a sentence".into()
            }
            Rule::MemberNeedsOrganisation => {
                "is required for a member account: name the organisation the person acts for".into()
            }
            Rule::OneCharacterRepeated => {
                "repeats one character; use at least two different characters".into()
            }
            Rule::NothingToChange => {
                "nothing to change: give `disabled` (true or false) or a new `password`".into()
            }
            Rule::OwnAccount => "you cannot disable your own account; ask another admin".into(),
            Rule::UnitMismatch { expected, found } => format!(
                "counts in `{expected}` but the unit is `{found}`; leave the metric out or fix the unit"
            ),
            Rule::NotCombinable { found, with } => {
                format!(
                    "`{found}` cannot be combined with {}; give one or the other",
                    ticked(with)
                )
            }
            Rule::NoTargetStated => {
                "the document states no target; choose figures by index or enter targets by hand"
                    .into()
            }
            Rule::NoRegionOrYear => "names no region or year; give `region` and `year`".into(),
            Rule::AlreadyTargets => {
                "every chosen figure is already a target of that region and year".into()
            }
            Rule::NoIndicatorName { line } => format!(
                "line {line}: start with the indicator's name, as in `能量密度 300 Wh/kg；25℃ 测试`"
            ),
            Rule::UnknownField { found, expected } => {
                format!("unknown field `{found}`, {}", expected_keys(expected))
            }
            Rule::WrongType { found, expected } => {
                format!("invalid type: {found}, expected {expected}")
            }
            Rule::NotJson { detail } => format!("is not valid JSON: {detail}"),
            Rule::Malformed { detail } => format!("cannot be read: {detail}"),
            Rule::NotUtf8 => "holds bytes that are not UTF-8 text; save the file as \"CSV UTF-8\" (Qiao does not read GBK)".into(),
            Rule::SpreadsheetError { found } => {
                format!("holds the spreadsheet error {found}; fix the formula or type the value")
            }
            Rule::NoHeader { found } => {
                format!("has a value (`{found}`) but no header; add a header or clear the cell")
            }
            Rule::NotForKind { kind } => {
                format!("does not apply to {kind} rows; clear the cell, or check the row's kind")
            }
            Rule::UseOrgKind { found } => format!(
                "`{found}` is a kind of organisation: for an organisation write \"kind\": \"organisation\", \"org_kind\": \"{found}\""
            ),
            Rule::NonTechnicalOverAmount { found, limit } => format!(
                "add up to {found} 分, more than the contract's amount ({limit} 分); 技术交易额 cannot be negative: lower the items or raise the amount"
            ),
            Rule::NotInDateOrder { at, found, limit } => format!(
                "are not in date order: instalment {at} is due {found}, before the one above it ({limit}); list them by due date"
            ),
            Rule::InstalmentTotal { found, expected } => format!(
                "add up to {found} 分 but the contract's amount is {expected} 分; make them equal"
            ),
            Rule::ShareTotal { found } => format!(
                "shares add up to {found} basis points; make them add up to exactly 10000 (100 %)"
            ),
            Rule::DuplicateManager { account_id } => {
                format!("lists manager {account_id} twice; merge their shares into one line")
            }
            Rule::BuyerIsSeller => {
                "is the seller too; a deal needs two different organisations: name the buyer".into()
            }
            Rule::StageNeedsWon { stage } => format!(
                "is `{stage}` ({}) but the deal is not won (成交); stages after 签约 follow a signed contract: set the status to won or choose 签约 or earlier",
                stage_zh(stage)
            ),
            Rule::WonBeforeSigning { stage } => format!(
                "is won (成交) but the stage is `{stage}` ({}); a deal is won at 签约 or later: move the stage on or keep the deal open",
                stage_zh(stage)
            ),
            Rule::OutsideWindow { from, until, today } => format!(
                "applications are accepted from {from} to {until}; today is {today}, outside that window"
            ),
            Rule::OwnChallenge => {
                "is the challenge's owner; an organisation cannot apply to its own challenge".into()
            }
            Rule::SlotOverlap { found, with } => {
                format!("the slot {found} overlaps {with}; choose a time that is free")
            }
            Rule::NotFuture { found, now } => {
                format!("({found}) has already begun (it is {now} now); choose a later time")
            }
            Rule::OwnInstrument => {
                "is your organisation's own instrument; bookings are for other organisations".into()
            }
            Rule::OverPrice { found, limit } => format!(
                "is {} yuan, more than the slot's price of {} yuan; a voucher pays at most the price",
                found,
                limit
            ),
            Rule::OverBalance { found, left } => format!(
                "is {} yuan, more than the {} yuan left on the voucher; ask for less",
                found,
                left
            ),
            Rule::NotValidOn { from, until, day } => format!(
                "the voucher is valid from {from} to {until}, not on {day}; use another voucher or pay in full"
            ),
        }
    }

    /// The message in Simplified Chinese, for the pages: the same facts as [`Rule::en`].
    pub fn zh(&self) -> String {
        match self {
            Rule::Required => "必填".into(),
            Rule::Blank => "必填，不能为空".into(),
            Rule::TooLong { max, found } => {
                format!("当前 {found} 个字，请缩短到 {max} 个字以内")
            }
            Rule::TooShort { min, found } => {
                format!("太短，至少 {min} 个字符（不计首尾空格，当前 {found} 个）")
            }
            Rule::TooMany { max, found } => format!("共 {found} 项，最多 {max} 项"),
            Rule::TooFew { min, found } => format!("至少需要 {min} 项，当前 {found} 项"),
            Rule::ControlCharacter { code_point, at } => format!(
                "第 {at} 个字符是控制字符 U+{code_point:04X}，请删除（可以换行和使用制表符）"
            ),
            Rule::Negative { found } => format!("不能为负数（当前为 {found}）"),
            Rule::NotFinite => "须为有效数字".into(),
            Rule::AtLeast { min, found } => format!("不能小于 {min}（当前为 {found}）"),
            Rule::OutOfRange { min, max, found } => {
                format!("须在 {min} 到 {max} 之间（当前为 {found}）")
            }
            Rule::Before {
                other,
                found,
                limit,
            } => format!("{found} 早于{} {limit}，请修改其一", field_zh(other)),
            Rule::Below {
                other,
                found,
                limit,
            } => format!("{found} 低于{} {limit}，请调换或修改其一", field_zh(other)),
            Rule::BadFormat { found, format } => format.zh(found),
            Rule::NotOneOf { found, allowed } => {
                format!("“{found}”不是可选值，请从以下选择：{}", allowed.join("、"))
            }
            Rule::Choose => "请从列出的选项中选择一项".into(),
            Rule::WrongLength {
                value,
                expected,
                found,
            } => format!("统一社会信用代码 {value}：应为 {expected} 位，当前为 {found} 位"),
            Rule::WrongCharacter { value, found, at } => format!(
                "统一社会信用代码 {value}：第 {at} 位的字符 {found} 不允许（只能是数字和除 I、O、Z、S、V 外的大写字母）"
            ),
            Rule::WrongCheckCharacter {
                value,
                found,
                expected,
            } => format!(
                "统一社会信用代码 {value}：校验位错误：为 {found}，按 GB 32100-2015 应为 {expected}"
            ),
            Rule::NotFound { record, id } => format!("{} {id} 不存在", record.zh()),
            Rule::NoSuchOrganisation { credit_code } => {
                format!("没有统一社会信用代码为 {credit_code} 的机构，请核对或先创建该机构")
            }
            Rule::Taken => "已被使用，请换一个".into(),
            Rule::Registered => {
                "该统一社会信用代码已注册；请联系本机构已有账号的同事或管理员".into()
            }
            Rule::NotYours {
                record: Record::Organisation,
                id,
            } => format!(
                "机构 {id} 已注册，本账号无权修改；请从文件中删去该机构，只在 owner 中填写其统一社会信用代码"
            ),
            Rule::NotYours { record, id } => format!(
                "{} {id} 属于其他机构，本账号无权修改；如要新建，请将 id 留空",
                record.zh()
            ),
            Rule::Unchangeable {
                record,
                id,
                stored,
                found,
            } => {
                let stored = if stored.is_empty() {
                    "（空）"
                } else {
                    stored
                };
                format!(
                    "{} {id} 此处为“{stored}”，导入不能改为“{found}”：请留空或填写现有值",
                    record.zh()
                )
            }
            Rule::Requires { other } => format!("已填写本项，还须填写{}", field_zh(other)),
            Rule::RequiredWith { other } => {
                format!("填写了{}时本项必填；请两项都填或都不填", field_zh(other))
            }
            Rule::NotInYear { found, year } => {
                format!("{found} 不在 {year} 年内：新增类目标只统计 {year} 年，基数日期须在当年")
            }
            Rule::AfterYear { found, year } => format!("{found} 晚于目标年度 {year} 年"),
            Rule::Mismatch { other } => format!("与{}不一致，请输入相同的内容", field_zh(other)),
            Rule::ExplainOther => "选择“其他”时请写明原因".into(),
            Rule::MemberNeedsOrganisation => {
                "机构成员账号必须归属一个机构：请填写所属机构的统一社会信用代码".into()
            }
            Rule::OneCharacterRepeated => "只由一个字符重复组成，请至少使用两种不同的字符".into(),
            Rule::NothingToChange => "没有要修改的内容：请选择停用或启用，或填写新密码".into(),
            Rule::OwnAccount => "不能停用自己的账号，请由另一位管理员操作".into(),
            Rule::UnitMismatch { expected, found } => format!(
                "该统计口径的单位应为“{expected}”，当前为“{found}”；请修改单位或不选统计口径"
            ),
            Rule::NotCombinable { found, with } => {
                format!("“{found}”不能与 {} 同时使用，请只填其一", with.join("、"))
            }
            Rule::NoTargetStated => "该文件没有写明目标；请勾选指标，或手工录入目标".into(),
            Rule::NoRegionOrYear => "未写明地区或年份，请填写地区和年份".into(),
            Rule::AlreadyTargets => "所选指标都已是该地区该年度的目标".into(),
            Rule::NoIndicatorName { line } => {
                format!("第 {line} 行应以指标名开头，如 能量密度 300 Wh/kg；25℃ 测试")
            }
            Rule::UnknownField { found, expected } => {
                format!("没有“{found}”这一字段；可用字段：{}", expected.join("、"))
            }
            Rule::WrongType { found, expected } => {
                format!("类型不对：应为 {expected}，收到 {found}")
            }
            Rule::NotJson { detail } => format!("不是有效的 JSON：{detail}"),
            Rule::Malformed { detail } => format!("无法读取：{detail}"),
            Rule::NotUtf8 => {
                "含有非 UTF-8 编码的字节；请另存为“CSV UTF-8”（Qiao 不读取 GBK 编码）".into()
            }
            Rule::SpreadsheetError { found } => {
                format!("是表格错误值 {found}；请修正公式或直接填写数值")
            }
            Rule::NoHeader { found } => {
                format!("有值（“{found}”）但没有列名；请补上列名或清空该单元格")
            }
            Rule::NotForKind { kind } => {
                let label = crate::Kind::parse(kind).map_or(kind.as_str(), |k| k.label_zh());
                format!("不适用于“{label}”类记录；请清空该单元格，或检查记录类型")
            }
            Rule::UseOrgKind { found } => format!(
                "“{found}”是机构类型：机构请写 \"kind\": \"organisation\", \"org_kind\": \"{found}\""
            ),
            Rule::NonTechnicalOverAmount { found, limit } => format!(
                "非技术性款项合计 {found} 分，超过合同金额 {limit} 分，技术交易额不能为负：请减少款项或提高合同金额"
            ),
            Rule::NotInDateOrder { at, found, limit } => format!(
                "未按日期排列：第 {at} 期的到期日 {found} 早于上一期的 {limit}；请按到期日排列"
            ),
            Rule::InstalmentTotal { found, expected } => {
                format!("各期合计 {found} 分，合同金额为 {expected} 分；两者须相等")
            }
            Rule::ShareTotal { found } => {
                format!("分成比例合计 {found} 个基点；须正好为 10000（100%）")
            }
            Rule::DuplicateManager { account_id } => {
                format!("技术经理人 {account_id} 出现了两次；请合并为一行")
            }
            Rule::BuyerIsSeller => {
                "买方与卖方是同一机构；一项交易需要两个不同的机构，请填写买方".into()
            }
            Rule::StageNeedsWon { stage } => format!(
                "阶段为“{}”（{stage}），但交易尚未成交；签约之后的阶段须有已签订的合同：请将状态设为成交，或选择签约及之前的阶段",
                stage_zh(stage)
            ),
            Rule::WonBeforeSigning { stage } => format!(
                "状态为成交，但阶段为“{}”（{stage}）；交易须在签约或之后成交：请推进阶段，或保持进行中",
                stage_zh(stage)
            ),
            Rule::OutsideWindow { from, until, today } => {
                format!("揭榜时间为 {from} 至 {until}；今天是 {today}，不在揭榜时间内")
            }
            Rule::OwnChallenge => "这是本机构发布的榜单，不能揭自己的榜".into(),
            Rule::SlotOverlap { found, with } => {
                format!("时段 {found} 与{with}重叠，请选择空闲时间")
            }
            Rule::NotFuture { found, now } => {
                format!("{found} 已经开始或已过去（现在是 {now}），请选择以后的时间")
            }
            Rule::OwnInstrument => "这是本机构自己的仪器，预约面向其他机构".into(),
            Rule::OverPrice { found, limit } => format!(
                "创新券抵扣 {} 元，超过该时段价格 {} 元；抵扣不能超过价格",
                found, limit
            ),
            Rule::OverBalance { found, left } => format!(
                "创新券抵扣 {} 元，超过券内余额 {} 元，请减少抵扣金额",
                found, left
            ),
            Rule::NotValidOn { from, until, day } => {
                format!(
                    "创新券有效期为 {from} 至 {until}，{day} 不在有效期内；请换一张券或全额支付"
                )
            }
        }
    }

    /// The rule behind a message of serde's (a JSON body or line that does not fit its record).
    ///
    /// serde_json's errors carry only a category and a sentence, so the sentence is read here:
    /// its shapes are serde's own constructors (`missing_field`, `unknown_field`,
    /// `unknown_variant`, `invalid_type`), worded the same since serde 1.0. Any other sentence
    /// (an impossible date, a number out of its type's range) is kept whole as
    /// [`Rule::Malformed`]. Pass the message without serde_json's " at line L column C".
    pub fn from_serde(message: &str) -> Rule {
        // The names serde quotes in backticks, in order.
        let quoted = |s: &str| -> Vec<String> {
            s.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        if message.starts_with("missing field `") {
            return Rule::Required;
        }
        for (prefix, field) in [("unknown field `", true), ("unknown variant `", false)] {
            if let Some(rest) = message.strip_prefix(prefix)
                && let Some((found, tail)) = rest.split_once('`')
            {
                let (found, expected) = (found.to_string(), quoted(tail));
                return if field {
                    Rule::UnknownField { found, expected }
                } else {
                    Rule::NotOneOf {
                        found,
                        allowed: expected,
                    }
                };
            }
        }
        if let Some(rest) = message.strip_prefix("invalid type: ")
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            return Rule::WrongType {
                found: found.to_string(),
                expected: expected.to_string(),
            };
        }
        Rule::Malformed {
            detail: message.to_string(),
        }
    }

    /// One rule of every code, with plausible values: what the tests render in both languages
    /// and compare with the codes the OpenAPI document lists.
    pub fn examples() -> Vec<Rule> {
        let s = |v: &str| v.to_string();
        vec![
            Rule::Required,
            Rule::Blank,
            Rule::TooLong {
                max: 200,
                found: 240,
            },
            Rule::TooShort { min: 8, found: 5 },
            Rule::TooMany { max: 20, found: 21 },
            Rule::TooFew { min: 1, found: 0 },
            Rule::ControlCharacter {
                code_point: 0x1b,
                at: 3,
            },
            Rule::Negative { found: -5.0 },
            Rule::NotFinite,
            Rule::AtLeast { min: 1, found: 0.0 },
            Rule::OutOfRange {
                min: 1,
                max: 9,
                found: 12.0,
            },
            Rule::Before {
                other: s("apply_from"),
                found: s("2026-01-01"),
                limit: s("2026-02-01"),
            },
            Rule::Below {
                other: s("budget_min_yuan"),
                found: 100,
                limit: 500,
            },
            Rule::BadFormat {
                found: s("x@"),
                format: Format::Email,
            },
            Rule::NotOneOf {
                found: s("boss"),
                allowed: vec![s("admin"), s("member")],
            },
            Rule::Choose,
            Rule::WrongLength {
                value: s("9131"),
                expected: 18,
                found: 4,
            },
            Rule::WrongCharacter {
                value: s("91310000MA1K0000I3"),
                found: 'I',
                at: 17,
            },
            Rule::WrongCheckCharacter {
                value: s("91350100M000100Y44"),
                found: '4',
                expected: '3',
            },
            Rule::NotFound {
                record: Record::Organisation,
                id: 5,
            },
            Rule::NoSuchOrganisation {
                credit_code: s("91310000MA1K000030"),
            },
            Rule::Taken,
            Rule::Registered,
            Rule::NotYours {
                record: Record::Listing,
                id: 7,
            },
            Rule::Unchangeable {
                record: Record::Listing,
                id: 7,
                stored: s("demand"),
                found: s("achievement"),
            },
            Rule::Requires {
                other: s("certificates"),
            },
            Rule::RequiredWith {
                other: s("baseline.value"),
            },
            Rule::NotInYear {
                found: s("2025-12-31"),
                year: 2026,
            },
            Rule::AfterYear {
                found: s("2027-01-01"),
                year: 2026,
            },
            Rule::Mismatch {
                other: s("password"),
            },
            Rule::ExplainOther,
            Rule::MemberNeedsOrganisation,
            Rule::OneCharacterRepeated,
            Rule::NothingToChange,
            Rule::OwnAccount,
            Rule::UnitMismatch {
                expected: s("家"),
                found: s("元"),
            },
            Rule::NotCombinable {
                found: s("document"),
                with: vec![s("status")],
            },
            Rule::NoTargetStated,
            Rule::NoRegionOrYear,
            Rule::AlreadyTargets,
            Rule::NoIndicatorName { line: 2 },
            Rule::UnknownField {
                found: s("tittle"),
                expected: vec![s("title"), s("description")],
            },
            Rule::WrongType {
                found: s("string \"lots\""),
                expected: s("i64"),
            },
            Rule::NotJson {
                detail: s("expected value at column 1"),
            },
            Rule::Malformed {
                detail: s("#DIV/0!"),
            },
            Rule::NotUtf8,
            Rule::SpreadsheetError {
                found: s("#DIV/0!"),
            },
            Rule::NoHeader { found: s("stray") },
            Rule::NotForKind {
                kind: s("achievement"),
            },
            Rule::UseOrgKind {
                found: s("enterprise"),
            },
            Rule::NonTechnicalOverAmount {
                found: 6_000_000,
                limit: 5_000_000,
            },
            Rule::NotInDateOrder {
                at: 2,
                found: s("2026-03-01"),
                limit: s("2026-06-01"),
            },
            Rule::InstalmentTotal {
                found: 4_000_000,
                expected: 5_000_000,
            },
            Rule::ShareTotal { found: 9_000 },
            Rule::DuplicateManager { account_id: 12 },
            Rule::BuyerIsSeller,
            Rule::StageNeedsWon {
                stage: s("registration"),
            },
            Rule::WonBeforeSigning {
                stage: s("negotiation"),
            },
            Rule::OutsideWindow {
                from: s("2026-01-01"),
                until: s("2026-03-31"),
                today: s("2026-04-01"),
            },
            Rule::OwnChallenge,
            Rule::SlotOverlap {
                found: s("2026-12-07 09:00 – 2026-12-07 12:00"),
                with: s("2026-12-07 11:00 – 2026-12-07 13:00"),
            },
            Rule::NotFuture {
                found: s("2026-12-01 09:00"),
                now: s("2026-12-02 10:00"),
            },
            Rule::OwnInstrument,
            Rule::OverPrice {
                found: s("900.00"),
                limit: s("800.00"),
            },
            Rule::OverBalance {
                found: s("900.00"),
                left: s("500.50"),
            },
            Rule::NotValidOn {
                from: s("2026-01-01"),
                until: s("2026-12-31"),
                day: s("2027-01-04"),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// The codes the enum's JSON schema lists: derived from the enum itself, so a new variant
    /// appears here whether or not anyone remembered it.
    fn schema_codes() -> BTreeSet<String> {
        let schema = schemars::schema_for!(Rule).to_value();
        schema["oneOf"]
            .as_array()
            .expect("an internally tagged enum is a oneOf")
            .iter()
            .map(|v| {
                v["properties"]["code"]["const"]
                    .as_str()
                    .expect("each variant names its code")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn the_examples_hold_every_code_once() {
        let examples: Vec<String> = Rule::examples().iter().map(Rule::code).collect();
        let unique: BTreeSet<String> = examples.iter().cloned().collect();
        assert_eq!(unique.len(), examples.len(), "a code twice: {examples:?}");
        assert_eq!(unique, schema_codes());
    }

    #[test]
    fn every_rule_is_said_in_english_and_in_chinese() {
        for rule in Rule::examples() {
            let (en, zh) = (rule.en(), rule.zh());
            assert!(!en.trim().is_empty(), "{rule:?}");
            assert!(!zh.trim().is_empty(), "{rule:?}");
            assert!(has_cjk(&zh), "{rule:?}: {zh}");
            // The Chinese carries the values the English does.
            let value = serde_json::to_value(&rule).unwrap();
            for (key, v) in value.as_object().unwrap() {
                let shown = match v {
                    serde_json::Value::String(s) if key != "code" && key != "format" => s.clone(),
                    serde_json::Value::Number(n) if key != "code_point" => {
                        n.as_f64().map(|f| f.to_string()).unwrap_or_default()
                    }
                    _ => continue,
                };
                // An `other` field is named in Chinese; the value must still be findable.
                if key == "other" || key == "record" || key == "kind" {
                    continue;
                }
                assert!(zh.contains(&shown), "{rule:?}: {zh} lacks {key}={shown}");
                assert!(en.contains(&shown), "{rule:?}: {en} lacks {key}={shown}");
            }
        }
    }

    #[test]
    fn a_rule_travels_as_its_code_and_values() {
        let rule = Rule::WrongCheckCharacter {
            value: "91350100M000100Y44".into(),
            found: '4',
            expected: '3',
        };
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "wrong_check_character", "value": "91350100M000100Y44",
                               "found": "4", "expected": "3"})
        );
        assert_eq!(serde_json::from_value::<Rule>(json).unwrap(), rule);
        assert_eq!(rule.code(), "wrong_check_character");
        assert_eq!(
            serde_json::to_value(Rule::Required).unwrap(),
            serde_json::json!({"code": "required"})
        );
    }

    #[test]
    fn serde_messages_become_rules() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only its refusals are looked at")]
        struct Probe {
            title: String,
            trl: u8,
            status: crate::Status,
        }
        let refusal = |json: &str| {
            let message = serde_json::from_str::<Probe>(json).unwrap_err().to_string();
            let message = message.split(" at line ").next().unwrap().to_string();
            Rule::from_serde(&message)
        };
        assert_eq!(refusal(r#"{"trl": 1}"#), Rule::Required);
        assert_eq!(
            refusal(r#"{"title": "t", "tittle": 1}"#),
            Rule::UnknownField {
                found: "tittle".into(),
                expected: vec!["title".into(), "trl".into(), "status".into()]
            }
        );
        assert_eq!(
            refusal(r#"{"title": "t", "trl": "6"}"#),
            Rule::WrongType {
                found: "string \"6\"".into(),
                expected: "u8".into()
            }
        );
        assert!(matches!(
            refusal(r#"{"title": "t", "trl": 6, "status": "gone"}"#),
            Rule::NotOneOf { found, allowed } if found == "gone" && allowed.contains(&"awarded".to_string())
        ));
        assert!(matches!(
            refusal(r#"{"title": "t", "trl": 300}"#),
            Rule::Malformed { detail } if detail.contains("300")
        ));
        // The English of a parsed message reads as serde's did.
        let message = "unknown field `x`, expected `a` or `b`";
        assert_eq!(Rule::from_serde(message).en(), message);
    }

    #[test]
    fn messages_name_the_fix_with_the_numbers() {
        assert_eq!(
            Rule::TooLong {
                max: 200,
                found: 240
            }
            .zh(),
            "当前 240 个字，请缩短到 200 个字以内"
        );
        assert_eq!(
            Rule::WrongCheckCharacter {
                value: "91310000MA1K00003X".into(),
                found: 'X',
                expected: 'Y'
            }
            .zh(),
            "统一社会信用代码 91310000MA1K00003X：校验位错误：为 X，按 GB 32100-2015 应为 Y"
        );
        assert_eq!(
            Rule::Before {
                other: "apply_until".into(),
                found: "2026-05-01".into(),
                limit: "2026-06-30".into()
            }
            .zh(),
            "2026-05-01 早于申报截止日期 2026-06-30，请修改其一"
        );
        assert_eq!(
            Rule::UnknownField {
                found: "x".into(),
                expected: vec!["a".into(), "b".into(), "c".into()]
            }
            .en(),
            "unknown field `x`, expected one of `a`, `b`, `c`"
        );
        assert_eq!(
            Rule::Negative { found: -5.0 }.en(),
            "is -5; it cannot be negative"
        );
    }
}
