//! HTML forms for listings: which fields each kind asks for, how typed text becomes the JSON
//! the domain validates, and how each validation error finds its way back next to its field.
//!
//! The form never validates on its own: it turns text into the listing's JSON fields (amounts
//! like "50万" into yuan, lists split on commas) and hands them to the same
//! [`qiao_domain::Listing`] parsing and `validate()` the API uses, so a page and a script get the
//! same rules. What the user typed is kept verbatim and shown again when anything fails.

use std::collections::HashMap;

use askama::Template;
use axum::response::Response;

use qiao_domain::{FieldError, Invalid, Kind, Listing};
use serde_json::{Map, Value};

use super::messages::zh_message;
use super::{Lang, Visitor, html};

/// A posted form, as name/value pairs.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed value of `name`, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    /// The CSRF token the form carried.
    pub fn csrf(&self) -> Option<&str> {
        self.get("_csrf")
    }
}

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines.
    Area,
    /// A list, one item per comma, 、 or line.
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
    /// Indicators, one per line: `name target unit` (能量密度 300 Wh/kg).
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
const STAGES: &[(&str, &str, &str)] = &[
    ("", "未填写", "not given"),
    ("lab", "实验室", "laboratory"),
    ("small_pilot", "小试", "small pilot"),
    ("pilot", "中试", "pilot"),
    ("industrial", "产业化", "industrial"),
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
    v.extend([CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL, status]);
    v
}

/// Splits a list field on commas, 、, semicolons and line breaks.
fn split_list(raw: &str) -> Vec<Value> {
    raw.split([',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect()
}

/// Parses indicator lines `name target unit`; the target is the first number on the line.
fn indicators(raw: &str, errors: &mut Vec<FieldError>, field: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, line) in raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let at = parts.iter().position(|p| p.parse::<f64>().is_ok());
        match at {
            Some(n) if n > 0 => {
                let target: f64 = parts[n].parse().expect("checked above");
                let unit = parts[n + 1..].join(" ");
                let mut m = Map::new();
                m.insert("name".into(), Value::String(parts[..n].join(" ")));
                m.insert("target".into(), serde_json::json!(target));
                if !unit.is_empty() {
                    m.insert("unit".into(), Value::String(unit));
                }
                out.push(Value::Object(m));
            }
            _ => errors.push(FieldError {
                field: field.to_string(),
                message: format!(
                    "line {}: write `name target unit`, e.g. `能量密度 300 Wh/kg`",
                    i + 1
                ),
            }),
        }
    }
    out
}

fn set_path(root: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let child = root
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                set_path(m, rest, value);
            }
        }
        None => {
            root.insert(path.to_string(), value);
        }
    }
}

/// Turns a posted listing form into a validated listing, or the field errors to show.
pub fn parse_listing(kind: Kind, form: &FormData) -> Result<Listing, Invalid> {
    let fields = fields_of(&specs(kind), form)?;
    let mut listing = Listing::from_fields(kind, Value::Object(fields)).map_err(|e| {
        // Dates are the only free text that serde itself can refuse here.
        let msg = e.to_string();
        let field = specs(kind)
            .into_iter()
            .find(|s| s.input == Input::Date && msg.contains("date"))
            .map_or("title", |s| s.name);
        Invalid::field(
            field,
            format!("is not a valid value ({msg}); dates are YYYY-MM-DD"),
        )
    })?;
    listing.validate()?;
    Ok(listing)
}

/// The JSON fields a posted form gives for `specs` (names are JSON paths: `conditions.min_years`),
/// each parsed by its input; every field that fails is named.
pub fn fields_of(specs: &[Spec], form: &FormData) -> Result<Map<String, Value>, Invalid> {
    let mut fields = Map::new();
    let mut errors = Vec::new();
    for spec in specs {
        let raw = form.text(spec.name);
        if raw.is_empty() {
            if spec.required {
                errors.push(FieldError {
                    field: spec.name.into(),
                    message: "is required and must not be blank".into(),
                });
            }
            continue;
        }
        let value = match spec.input {
            Input::Select(options) if !options.iter().any(|(v, _, _)| *v == raw) => {
                errors.push(FieldError {
                    field: spec.name.into(),
                    message: format!(
                        "`{raw}` is not one of: {}",
                        options
                            .iter()
                            .map(|(v, _, _)| *v)
                            .filter(|v| !v.is_empty())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                continue;
            }
            Input::Text | Input::Area | Input::Date | Input::Select(_) => Value::String(raw),
            Input::List => Value::Array(split_list(&raw)),
            Input::Indicators => Value::Array(indicators(&raw, &mut errors, spec.name)),
            Input::Yuan => match qiao_domain::money::parse_yuan(&raw) {
                Some(y) => Value::from(y),
                None => {
                    errors.push(FieldError {
                        field: spec.name.into(),
                        message: format!("`{raw}` is not an amount; write 500000, 50万 or 2.3亿"),
                    });
                    continue;
                }
            },
            Input::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => Value::from(n),
                _ => {
                    errors.push(FieldError {
                        field: spec.name.into(),
                        message: format!("`{raw}` is not a number"),
                    });
                    continue;
                }
            },
            Input::Int => match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push(FieldError {
                        field: spec.name.into(),
                        message: format!("`{raw}` is not a whole number"),
                    });
                    continue;
                }
            },
        };
        set_path(&mut fields, spec.name, value);
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(Invalid(errors))
    }
}

/// The values to put back into a form: what was typed, or a stored listing's fields.
pub fn values_of(listing: &Listing) -> HashMap<String, String> {
    values_from(&specs(listing.kind()), &listing.to_fields())
}

/// The values to put back into a form of `specs`, read from a record's JSON `fields`.
pub fn values_from(specs: &[Spec], fields: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for spec in specs {
        let mut v = fields;
        for part in spec.name.split('.') {
            v = v.get(part).unwrap_or(&Value::Null);
        }
        let text = match (spec.input, v) {
            (_, Value::Null) => continue,
            (Input::Indicators, Value::Array(items)) => items
                .iter()
                .map(|i| {
                    let name = i.get("name").and_then(Value::as_str).unwrap_or("");
                    let target = i.get("target").map(Value::to_string).unwrap_or_default();
                    let unit = i.get("unit").and_then(Value::as_str).unwrap_or("");
                    format!("{name} {target} {unit}").trim().to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
            (_, Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("，"),
            (_, Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        };
        out.insert(spec.name.to_string(), text);
    }
    out
}

/// One field as a form shows it: label, input, the value to show and its error.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The input's name (and id).
    pub name: &'static str,
    /// Label in the page's language.
    pub label: &'static str,
    /// `text`, `area`, `date`, `select`.
    pub widget: &'static str,
    /// A hint under the field.
    pub hint: &'static str,
    /// Whether the field is required.
    pub required: bool,
    /// The value to show.
    pub value: String,
    /// The options of a select: (value, label, selected).
    pub options: Vec<(&'static str, &'static str, bool)>,
    /// The error to show next to the field.
    pub error: Option<String>,
}

/// The fields of a `kind` form with `values` filled in and `errors` placed next to their fields.
pub fn shown(
    kind: Kind,
    l: Lang,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<Shown> {
    shown_specs(&specs(kind), l, values, errors)
}

/// The fields of `specs` with `values` filled in and `errors` placed next to their fields.
pub fn shown_specs(
    specs: &[Spec],
    l: Lang,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<Shown> {
    specs
        .iter()
        .map(|spec| {
            let value = values.get(spec.name).cloned().unwrap_or_default();
            let (widget, hint) = match spec.input {
                Input::Text => ("text", ""),
                Input::Area => ("area", ""),
                Input::List => (
                    "text",
                    l.t("多项用逗号或顿号分隔", "separate items with commas"),
                ),
                Input::Yuan => (
                    "text",
                    l.t("单位元，可写 50万、2.3亿", "in yuan; 50万 and 2.3亿 work"),
                ),
                Input::Int | Input::Number => ("text", ""),
                Input::Date => ("date", ""),
                Input::Select(_) => ("select", ""),
                Input::Indicators => (
                    "area",
                    l.t(
                        "每行一项：指标名 目标值 单位，如 能量密度 300 Wh/kg",
                        "one per line: name target unit, e.g. 能量密度 300 Wh/kg",
                    ),
                ),
            };
            let options = match spec.input {
                Input::Select(opts) => opts
                    .iter()
                    .map(|(v, zh, en)| (*v, l.t(zh, en), *v == value))
                    .collect(),
                _ => Vec::new(),
            };
            // An error on `indicators[2].unit` belongs to the `indicators` field.
            let error = errors
                .iter()
                .filter(|e| {
                    e.field == spec.name
                        || e.field.starts_with(&format!("{}[", spec.name))
                        || e.field.starts_with(&format!("{}.", spec.name))
                })
                .map(|e| match l {
                    Lang::Zh => zh_message(&e.message),
                    Lang::En => e.message.clone(),
                })
                .reduce(|a, b| format!("{a}；{b}"));
            Shown {
                name: spec.name,
                label: l.t(spec.zh, spec.en),
                widget,
                hint,
                required: spec.required,
                value,
                options,
                error,
            }
        })
        .collect()
}

/// A field of a form that is not a listing's (registration, accounts): shown with the value
/// typed (never a password's) and its error in the page's language.
pub struct Plain {
    /// The input's name, which is also the field name errors use.
    pub name: &'static str,
    /// Label in the page's language.
    pub label: &'static str,
    /// `text`, `password`, `select`, `area`.
    pub widget: &'static str,
    /// Whether it must be filled.
    pub required: bool,
    /// A hint under the field.
    pub hint: &'static str,
}

impl Plain {
    /// The field as shown, with what `form` carried and the errors about it.
    pub fn show(self, l: Lang, form: &FormData, errors: &[FieldError]) -> Shown {
        let value = if self.widget == "password" {
            String::new() // passwords are never sent back
        } else {
            form.text(self.name)
        };
        let error = errors
            .iter()
            .filter(|e| e.field == self.name)
            .map(|e| match l {
                Lang::Zh => zh_message(&e.message),
                Lang::En => e.message.clone(),
            })
            .reduce(|a, b| format!("{a}；{b}"));
        Shown {
            name: self.name,
            label: self.label,
            widget: self.widget,
            hint: self.hint,
            required: self.required,
            value,
            options: Vec::new(),
            error,
        }
    }
}

/// Errors that name no field of the form (shown above it), so none is lost.
pub fn unplaced(kind: Kind, l: Lang, errors: &[FieldError]) -> Vec<String> {
    let names: Vec<&str> = specs(kind).iter().map(|s| s.name).collect();
    errors
        .iter()
        .filter(|e| {
            !names.iter().any(|n| {
                e.field == *n
                    || e.field.starts_with(&format!("{n}["))
                    || e.field.starts_with(&format!("{n}."))
            })
        })
        .map(|e| match l {
            Lang::Zh => format!("{}：{}", e.field, zh_message(&e.message)),
            Lang::En => format!("{}: {}", e.field, e.message),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "simple_form.html")]
struct FormPage<'a> {
    ctx: &'a super::Ctx,
    heading: String,
    action: String,
    fields: Vec<Shown>,
    general: Vec<String>,
}

/// The form page for `specs`, with errors not tied to a field listed above it.
pub fn form_page(
    v: &Visitor,
    heading: String,
    action: String,
    specs: &[Spec],
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let l = v.ctx.l;
    let general = errors
        .iter()
        .filter(|e| {
            !specs.iter().any(|s| {
                e.field == s.name
                    || e.field.starts_with(&format!("{}[", s.name))
                    || e.field.starts_with(&format!("{}.", s.name))
            })
        })
        .map(|e| match l {
            Lang::Zh => format!("{}：{}", e.field, zh_message(&e.message)),
            Lang::En => format!("{}: {}", e.field, e.message),
        })
        .collect();
    html(&FormPage {
        ctx: &v.ctx,
        heading,
        action,
        fields: shown_specs(specs, l, values, errors),
        general,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_demand_form_becomes_a_listing() {
        let l = parse_listing(
            Kind::Demand,
            &form(&[
                ("title", " 电池包散热 "),
                ("description", "夏天电池包发烫"),
                ("keywords", "热管理，相变材料、电池"),
                ("budget_max_yuan", "50万"),
                ("indicators", "电芯温差 5 ℃"),
                ("contact.email", "a@b.cn"),
                ("status", "open"),
            ]),
        )
        .unwrap();
        let v = l.to_fields();
        assert_eq!(v["title"], "电池包散热");
        assert_eq!(
            v["keywords"],
            serde_json::json!(["热管理", "相变材料", "电池"])
        );
        assert_eq!(v["budget_max_yuan"], 500_000);
        assert_eq!(v["indicators"][0]["unit"], "℃");
        assert_eq!(v["contact"]["email"], "a@b.cn");
        // And back into the form's text.
        let values = values_of(&l);
        assert_eq!(values["keywords"], "热管理，相变材料，电池");
        assert_eq!(values["budget_max_yuan"], "500000");
    }

    #[test]
    fn errors_name_their_fields() {
        let err = parse_listing(
            Kind::Demand,
            &form(&[
                ("title", ""),
                ("description", "x"),
                ("budget_min_yuan", "很多"),
                ("status", "open"),
            ]),
        )
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "budget_min_yuan"]);
        let shown = shown(Kind::Demand, Lang::Zh, &HashMap::new(), &err.0);
        let title = shown.iter().find(|s| s.name == "title").unwrap();
        assert_eq!(title.error.as_deref(), Some("必填，不能为空"));
    }

    #[test]
    fn only_listed_choices_are_accepted() {
        let err = parse_listing(
            Kind::Demand,
            &form(&[("title", "t"), ("description", "d"), ("status", "awarded")]),
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "status");
        let ok = parse_listing(
            Kind::Challenge,
            &form(&[
                ("title", "t"),
                ("description", "d"),
                ("indicators", "效率 90 %"),
                ("reward_yuan", "100万"),
                ("apply_from", "2026-01-01"),
                ("apply_until", "2026-06-30"),
                ("status", "awarded"),
            ]),
        )
        .unwrap();
        assert_eq!(ok.status(), qiao_domain::Status::Awarded);
    }

    #[test]
    fn domain_rules_apply_to_forms_too() {
        let err = parse_listing(
            Kind::Demand,
            &form(&[
                ("title", "t"),
                ("description", "d"),
                ("budget_min_yuan", "100万"),
                ("budget_max_yuan", "10万"),
                ("contact.email", "not an address"),
                ("status", "open"),
            ]),
        )
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"budget_max_yuan"), "{fields:?}");
        assert!(fields.contains(&"contact.email"), "{fields:?}");
    }
}
