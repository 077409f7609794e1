//! HTML forms for listings: which fields each kind asks for, how typed text becomes the JSON
//! the domain validates, and how each validation error finds its way back next to its field.
//!
//! The form never validates on its own: it turns text into the listing's JSON fields (amounts
//! like "50万" into yuan, lists split on commas) and hands them to the same
//! [`qiao_domain::Listing`] parsing and `validate()` the API uses, so a page and a script get the
//! same rules. What the user typed is kept verbatim and shown again when anything fails.
//!
//! An edit form changes only what it shows: [`merged`] starts from the stored record's JSON,
//! clears the fields the form covers and puts the form's values in their place, so a field the
//! form does not show (one added to the domain later, say) survives every save, while a shown
//! field left empty is cleared, as the user meant. What a form shows is written back exactly as
//! it was read ([`values_from`] then [`fields_of`] is the identity on a stored record: tests
//! here and in `tests/server/pages/form.rs` save every form unchanged and compare).

use std::collections::HashMap;

use askama::Template;
use axum::response::Response;
use serde::de::DeserializeOwned;

use qiao_domain::{FieldError, Format, Invalid, Kind, Listing, Rule};
use serde_json::{Map, Value};

use super::messages::{labelled, said};
use super::{Lang, Visitor, html};
// What each field is called and how it is entered is described in the application layer,
// where the audit log reads the same labels; forms here turn those descriptions into inputs.
pub use qiao_app::field_specs::{COOPERATION, Input, STAGES, Spec, specs, value_text};

/// A posted form, as name/value pairs.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// Every value of `name`, in the order sent (ticked boxes send one each).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// What was typed, to show again: a name sent several times (ticked boxes) keeps all its
    /// values, joined by commas as [`values_from`] writes them.
    pub fn typed(&self) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = HashMap::new();
        for (k, v) in &self.0 {
            out.entry(k.clone())
                .and_modify(|all| {
                    all.push(',');
                    all.push_str(v);
                })
                .or_insert_with(|| v.clone());
        }
        out
    }

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

/// Splits a list field: one item per line when it has several lines (as stored lists are
/// shown), else at commas, 、 and semicolons.
fn split_list(raw: &str) -> Vec<Value> {
    let items: Vec<&str> = if raw.contains('\n') {
        raw.lines().collect()
    } else {
        raw.split([',', '，', '、', ';', '；']).collect()
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect()
}

/// A date typed (`YYYY-MM-DD`) in `field`, or the error naming it; empty is `None`.
pub fn date_of(field: &str, raw: &str) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            FieldError::new(
                field,
                Rule::BadFormat {
                    found: raw.chars().take(40).collect(),
                    format: Format::Date,
                },
            )
        })
}

/// A list as its field shows it: one item per line, with a final line break so that a single
/// item holding a comma reads back as one item.
pub fn list_text<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(|i| format!("{i}\n")).collect()
}

/// Whether a word of an indicator line is its target: a number, or `-` for none.
fn target_word(word: &str) -> bool {
    word == "-" || word.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Parses indicator lines `name target unit；note`: the target is the first number after the
/// name's first word (`-` when there is a unit but no target), the unit is the rest, and
/// everything after the first semicolon is the note. A line without a number is a name alone.
/// A name in 「」 is taken whole, numbers and semicolons included (`「电芯 18650 容量」 3000 mAh`).
pub(crate) fn indicators(raw: &str, errors: &mut Vec<FieldError>, field: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, line) in raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let (quoted, line) = match line.strip_prefix('「').and_then(|l| l.split_once('」')) {
            Some((name, rest)) => (Some(name), rest),
            None => (None, line),
        };
        let (head, note) = match line.split_once([';', '；']) {
            Some((head, note)) => (head, note.trim()),
            None => (line, ""),
        };
        let mut words: Vec<&str> = quoted.into_iter().collect();
        words.extend(head.split_whitespace());
        if words.first().is_none_or(|w| w.trim().is_empty()) {
            errors.push(FieldError::new(
                field,
                Rule::NoIndicatorName { line: i + 1 },
            ));
            continue;
        }
        let at = words
            .iter()
            .skip(1)
            .position(|w| target_word(w))
            .map_or(words.len(), |n| n + 1);
        let mut m = Map::new();
        m.insert("name".into(), Value::String(words[..at].join(" ")));
        if let Some(target) = words.get(at).and_then(|w| w.parse::<f64>().ok()) {
            m.insert("target".into(), serde_json::json!(target));
        }
        let unit = words.get(at + 1..).unwrap_or_default().join(" ");
        if !unit.is_empty() {
            m.insert("unit".into(), Value::String(unit));
        }
        if !note.is_empty() {
            m.insert("note".into(), Value::String(note.to_string()));
        }
        out.push(Value::Object(m));
    }
    out
}

/// An indicator as a line of its field: the inverse of [`indicators`].
fn indicator_line(i: &Value) -> String {
    let text = |k: &str| i.get(k).and_then(Value::as_str).unwrap_or("");
    let name = text("name");
    // A name that would not read back as itself goes in 「」: one with a number after its
    // first word, a semicolon, or spacing that splitting into words would change.
    let plain = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let ambiguous = plain != name
        || name.contains([';', '；'])
        || name.starts_with('「')
        || name.split_whitespace().skip(1).any(target_word);
    let mut line = if ambiguous {
        format!("「{name}」")
    } else {
        name.to_string()
    };
    let target = i.get("target").filter(|t| !t.is_null());
    if target.is_some() || !text("unit").is_empty() {
        line.push(' ');
        line.push_str(&target.map_or_else(|| "-".to_string(), value_text));
        if !text("unit").is_empty() {
            line.push(' ');
            line.push_str(text("unit"));
        }
    }
    if !text("note").is_empty() {
        line.push('；');
        line.push_str(text("note"));
    }
    line
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

/// Turns a posted form for a new listing into a validated listing, or the field errors to show.
pub fn parse_listing(kind: Kind, form: &FormData) -> Result<Listing, Invalid> {
    listing_from(kind, Value::Object(Map::new()), form)
}

/// Turns a posted edit form of `stored` into the validated listing to store: the form's fields
/// over the stored ones, so what the form does not show stays as it was.
pub fn parse_edit(stored: &Listing, form: &FormData) -> Result<Listing, Invalid> {
    listing_from(stored.kind(), stored.to_fields(), form)
}

fn listing_from(kind: Kind, base: Value, form: &FormData) -> Result<Listing, Invalid> {
    let specs = specs(kind);
    let fields = merged(base, &specs, fields_of(&specs, form)?);
    let mut listing = match kind {
        Kind::Achievement => Listing::Achievement(typed(fields)?),
        Kind::Demand => Listing::Demand(typed(fields)?),
        Kind::Challenge => Listing::Challenge(typed(fields)?),
        Kind::Scenario => Listing::Scenario(typed(fields)?),
        Kind::Instrument => Listing::Instrument(typed(fields)?),
        Kind::Expert => Listing::Expert(typed(fields)?),
        Kind::Institution => Listing::Institution(typed(fields)?),
    };
    listing.validate()?;
    Ok(listing)
}

/// A record from its JSON fields; a value serde refuses (a date that does not exist, in
/// practice) is an error of the field it sits in.
pub fn typed<T: DeserializeOwned>(fields: Value) -> Result<T, Invalid> {
    serde_path_to_error::deserialize(fields).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "title".into() } else { path };
        let message = e.into_inner().to_string();
        Invalid::field(
            field,
            Rule::from_serde(message.split(" at line ").next().unwrap_or(&message)),
        )
    })
}

/// The stored record's JSON `stored` with the fields of `specs` replaced by the form's
/// `fields`: a field the form shows and left empty is cleared (its key removed, so the
/// record's default applies), and every field the form does not show is kept as stored.
pub fn merged(stored: Value, specs: &[Spec], fields: Map<String, Value>) -> Value {
    let mut out = match stored {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for spec in specs {
        remove_path(&mut out, spec.name);
    }
    for (k, v) in fields {
        merge_into(&mut out, k, v);
    }
    Value::Object(out)
}

/// Removes the key at a dotted path; an object left empty by it goes too (a contact whose
/// every line was cleared is no contact).
fn remove_path(root: &mut Map<String, Value>, path: &str) {
    match path.split_once('.') {
        Some((head, rest)) => {
            if let Some(Value::Object(child)) = root.get_mut(head) {
                remove_path(child, rest);
                if child.is_empty() {
                    root.remove(head);
                }
            }
        }
        None => {
            root.remove(path);
        }
    }
}

fn merge_into(root: &mut Map<String, Value>, key: String, value: Value) {
    match (root.get_mut(&key), value) {
        (Some(Value::Object(have)), Value::Object(new)) => {
            for (k, v) in new {
                merge_into(have, k, v);
            }
        }
        (_, value) => {
            root.insert(key, value);
        }
    }
}

/// The JSON fields a posted form gives for `specs` (names are JSON paths: `conditions.min_years`),
/// each parsed by its input; every field that fails is named.
pub fn fields_of(specs: &[Spec], form: &FormData) -> Result<Map<String, Value>, Invalid> {
    let mut fields = Map::new();
    let mut errors = Vec::new();
    for spec in specs {
        if let Input::Checks(options) = spec.input {
            let ticked: Vec<&str> = form.all(spec.name).filter(|v| !v.is_empty()).collect();
            if ticked.is_empty() {
                if spec.required {
                    errors.push(FieldError::new(
                        spec.name,
                        Rule::TooFew { min: 1, found: 0 },
                    ));
                }
                continue;
            }
            match ticked
                .iter()
                .find(|t| !options.iter().any(|(v, _, _)| v == *t))
            {
                Some(bad) => errors.push(FieldError::new(
                    spec.name,
                    Rule::NotOneOf {
                        found: bad.to_string(),
                        allowed: options.iter().map(|(v, _, _)| v.to_string()).collect(),
                    },
                )),
                None => set_path(&mut fields, spec.name, serde_json::json!(ticked)),
            }
            continue;
        }
        // Browsers send line breaks as CRLF; the record keeps the LF it was written with.
        let raw = form.text(spec.name).replace("\r\n", "\n");
        if raw.is_empty() {
            if spec.required {
                errors.push(FieldError::new(spec.name, Rule::Blank));
            }
            continue;
        }
        let value = match spec.input {
            Input::Select(options) if !options.iter().any(|(v, _, _)| *v == raw) => {
                errors.push(FieldError::new(
                    spec.name,
                    Rule::NotOneOf {
                        found: raw,
                        allowed: options
                            .iter()
                            .map(|(v, _, _)| v.to_string())
                            .filter(|v| !v.is_empty())
                            .collect(),
                    },
                ));
                continue;
            }
            Input::Text | Input::Area | Input::Date | Input::Select(_) => Value::String(raw),
            Input::Checks(_) => unreachable!("ticked boxes are read above"),
            // Untrimmed: the final line break of a one-item list says "one item per line".
            Input::List => Value::Array(split_list(
                &form.get(spec.name).unwrap_or("").replace("\r\n", "\n"),
            )),
            Input::Indicators => Value::Array(indicators(&raw, &mut errors, spec.name)),
            Input::Yuan => match qiao_domain::money::parse_yuan(&raw) {
                Some(y) => Value::from(y),
                None => {
                    errors.push(FieldError::new(
                        spec.name,
                        Rule::BadFormat {
                            found: raw,
                            format: Format::Amount,
                        },
                    ));
                    continue;
                }
            },
            Input::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => Value::from(n),
                _ => {
                    errors.push(FieldError::new(
                        spec.name,
                        Rule::BadFormat {
                            found: raw,
                            format: Format::Number,
                        },
                    ));
                    continue;
                }
            },
            Input::Int => match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        spec.name,
                        Rule::BadFormat {
                            found: raw,
                            format: Format::WholeNumber,
                        },
                    ));
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
                .map(indicator_line)
                .collect::<Vec<_>>()
                .join("\n"),
            (Input::Checks(_), Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            (_, Value::Array(items)) => list_text(items.iter().filter_map(Value::as_str)),
            (_, Value::String(s)) => s.clone(),
            (_, other) => value_text(other),
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
    /// `text`, `area`, `list` (a short area), `date`, `select`, `checks` (one box per option).
    pub widget: &'static str,
    /// A hint under the field.
    pub hint: &'static str,
    /// Whether the field is required.
    pub required: bool,
    /// The value to show.
    pub value: String,
    /// The options of a select or of boxes: (value, label, selected or ticked).
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
                    "list",
                    l.t(
                        "每行一项；只写一行时可用逗号或顿号分隔",
                        "one item per line; on a single line, commas separate items",
                    ),
                ),
                Input::Yuan => (
                    "text",
                    l.t("单位元，可写 50万、2.3亿", "in yuan; 50万 and 2.3亿 work"),
                ),
                Input::Int | Input::Number => ("text", ""),
                Input::Date => ("date", ""),
                Input::Select(_) => ("select", ""),
                Input::Checks(_) => ("checks", ""),
                Input::Indicators => (
                    "area",
                    l.t(
                        "每行一项：指标名 目标值 单位；备注，如 能量密度 300 Wh/kg；25℃ 测试。目标值、单位与备注可省略，有单位无目标值时目标值写 -，名称含数字时用「」括起",
                        "one per line: name target unit；note, e.g. 能量密度 300 Wh/kg；25℃ 测试. Target, unit and note may be left out; write - for no target before a unit, and put a name holding numbers in 「」",
                    ),
                ),
            };
            let options = match spec.input {
                Input::Select(opts) => opts
                    .iter()
                    .map(|(v, zh, en)| (*v, l.t(zh, en), *v == value))
                    .collect(),
                Input::Checks(opts) => opts
                    .iter()
                    .map(|(v, zh, en)| (*v, l.t(zh, en), value.split(',').any(|t| t == *v)))
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
                .map(|e| said(l, e))
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
            .map(|e| said(l, e))
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
        .map(|e| labelled(l, e))
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
        .map(|e| labelled(l, e))
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
    use serde_json::json;

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
        // One item per line, so an item holding a comma stays one item.
        assert_eq!(values["keywords"], "热管理\n相变材料\n电池\n");
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

    /// A listing of `kind` with every field filled, in the shapes forms find hard: list items
    /// holding commas, several lines, indicators with a note, without a number, with a unit
    /// but no target.
    fn full(kind: Kind) -> Listing {
        let contact = json!({"name": "王工", "phone": "021-5555-0101", "email": "w@example.cn"});
        let indicators = json!([
            {"name": "电芯温差", "target": 5.0, "unit": "℃", "note": "满载，25℃ 环境"},
            {"name": "循环 寿命", "target": 3000.5, "unit": "次 / 年"}
        ]);
        let common = json!({
            "title": "标题 <b>&</b>", "description": "第一行，\n第二行。",
            "keywords": ["热管理", "固态电池，钠电池"], "discipline": "新能源",
            "district": "闵行区", "status": "closed", "expires_on": "2099-12-31",
            "contact": contact,
        });
        let own = match kind {
            Kind::Achievement => json!({
                "summary": "摘要。\n第二段。", "ipc_codes": ["H01M 10/613"],
                "patent_numbers": ["CN202310001234.5"], "trl": 6, "stage": "small_pilot",
                "transfer_modes": ["transfer", "service"], "price_min_yuan": 1,
                "price_max_yuan": 2_000_000,
            }),
            Kind::Demand => json!({
                "indicators": [
                    {"name": "电芯温差", "target": 5.0, "unit": "℃", "note": "满载"},
                    {"name": "外观一致性"},
                    {"name": "防护等级", "unit": "IP67"},
                    {"name": "噪声", "target": 40.0, "note": "1 米处"},
                    {"name": "电芯 18650 容量", "target": 3000.0, "unit": "mAh"}
                ],
                "budget_min_yuan": 100_000, "budget_max_yuan": 800_000,
                "deadline": "2099-06-30", "cooperation_modes": ["license", "consulting"],
                "confidential": "型号 X；供应商 Y",
            }),
            Kind::Challenge => json!({
                "indicators": indicators, "deliverables": ["样机一台，含测试报告"],
                "reward_yuan": 3_000_000, "apply_from": "2099-01-01",
                "apply_until": "2099-03-31", "deadline": "2099-12-31",
                "confidential": "工艺参数", "status": "awarded",
            }),
            Kind::Scenario => json!({
                "needs": ["机器视觉、缺陷识别", "低功耗通信"], "budget_yuan": 1_500_000,
                "deadline": "2099-09-30",
            }),
            Kind::Instrument => json!({
                "model": "SU8010", "manufacturer": "日立", "location": "材料楼 101",
                "booking_terms": "提前三天预约；\n每小时 500 元。",
            }),
            Kind::Expert => json!({"position": "教授, 博导", "affiliation": "某大学"}),
            Kind::Institution => json!({
                "services": ["电池安全检测"], "qualifications": ["CMA", "CNAS（L1234, 2023）"],
            }),
        };
        let mut fields = common.as_object().unwrap().clone();
        fields.extend(own.as_object().unwrap().clone());
        if kind == Kind::Achievement {
            fields.remove("description");
        }
        let mut listing = Listing::from_fields(kind, Value::Object(fields)).unwrap();
        listing.validate().unwrap();
        listing
    }

    /// The form a browser sends for `values`: one pair per ticked box, line breaks as CRLF.
    fn as_sent(kind: Kind, values: &HashMap<String, String>) -> FormData {
        let mut pairs = Vec::new();
        for spec in specs(kind) {
            let Some(value) = values.get(spec.name) else {
                continue;
            };
            match spec.input {
                Input::Checks(_) => {
                    pairs.extend(value.split(',').map(|v| (spec.name.to_string(), v.into())));
                }
                _ => pairs.push((spec.name.to_string(), value.replace('\n', "\r\n"))),
            }
        }
        FormData(pairs)
    }

    #[test]
    fn every_listing_reads_back_from_its_own_form() {
        for kind in Kind::ALL {
            let listing = full(kind);
            let fields = listing.to_fields();
            // Every field the kind has is on its form (a nested one by its path).
            let names: Vec<&str> = specs(kind).iter().map(|s| s.name).collect();
            for (key, value) in fields.as_object().unwrap() {
                match value.as_object() {
                    Some(inner) if !names.contains(&key.as_str()) => {
                        for sub in inner.keys() {
                            let path = format!("{key}.{sub}");
                            assert!(names.contains(&path.as_str()), "{kind:?}: `{path}`");
                        }
                    }
                    _ => assert!(names.contains(&key.as_str()), "{kind:?}: `{key}`"),
                }
            }
            let values = values_of(&listing);
            let back = parse_listing(kind, &as_sent(kind, &values))
                .unwrap_or_else(|e| panic!("{kind:?}: {e:?} from {values:?}"));
            assert_eq!(back, listing, "{kind:?} from {values:?}");
            // Saved over itself, too.
            let again = parse_edit(&listing, &as_sent(kind, &values)).unwrap();
            assert_eq!(again, listing, "{kind:?}");
        }
    }

    #[test]
    fn indicator_lines_keep_notes_and_allow_a_name_alone() {
        let mut errors = Vec::new();
        let parsed = indicators(
            "能量密度 300 Wh/kg；25℃, 0.2C\n外观\n防护等级 - IP67\n噪声 40；1 米处\n；孤立备注\n\
             「电芯 18650 容量；常温」 3000 mAh；0.5C\n「」 1",
            &mut errors,
            "indicators",
        );
        assert_eq!(
            Value::Array(parsed.clone()),
            json!([
                {"name": "能量密度", "target": 300.0, "unit": "Wh/kg", "note": "25℃, 0.2C"},
                {"name": "外观"},
                {"name": "防护等级", "unit": "IP67"},
                {"name": "噪声", "target": 40.0, "note": "1 米处"},
                {"name": "电芯 18650 容量；常温", "target": 3000.0, "unit": "mAh", "note": "0.5C"}
            ])
        );
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].rule, Rule::NoIndicatorName { line: 7 });
        assert_eq!(errors[0].field, "indicators");
        assert_eq!(errors[0].rule, Rule::NoIndicatorName { line: 5 });
        let lines: Vec<String> = parsed.iter().map(indicator_line).collect();
        assert_eq!(
            lines,
            [
                "能量密度 300 Wh/kg；25℃, 0.2C",
                "外观",
                "防护等级 - IP67",
                "噪声 40；1 米处",
                "「电芯 18650 容量；常温」 3000 mAh；0.5C"
            ]
        );
    }

    #[test]
    fn lists_split_by_line_or_on_one_line_by_commas() {
        let items = |raw: &str| Value::Array(split_list(raw));
        assert_eq!(items("a，b、c; d"), json!(["a", "b", "c", "d"]));
        assert_eq!(items("a，b\r\nc\n\n"), json!(["a，b", "c"]));
        // A stored one-item list holding a comma reads back as one item.
        assert_eq!(items(&list_text(["样机，报告"])), json!(["样机，报告"]));
    }

    #[test]
    fn an_edit_replaces_only_what_the_form_shows() {
        let shown = [
            Spec::optional("a", "甲", "A", Input::Text),
            Spec::optional("b", "乙", "B", Input::Text),
            Spec::optional("contact.name", "联系人", "Name", Input::Text),
            Spec::optional("other.x", "其他", "X", Input::Text),
        ];
        let stored = json!({
            "a": "old a", "b": "old b", "hidden": [1, 2],
            "contact": {"name": "old", "phone": "kept"}, "other": {"x": "gone"},
        });
        let mut fields = Map::new();
        fields.insert("a".into(), json!("new a"));
        // `b` and `contact.name` were shown and left empty: cleared; `other` had only `x`.
        assert_eq!(
            merged(stored, &shown, fields),
            json!({"a": "new a", "hidden": [1, 2], "contact": {"phone": "kept"}})
        );
    }

    #[test]
    fn boxes_tick_from_a_list_and_refuse_unknown_values() {
        let l = parse_listing(
            Kind::Achievement,
            &form(&[
                ("title", "t"),
                ("summary", "s"),
                ("transfer_modes", "license"),
                ("transfer_modes", "equity"),
                ("status", "open"),
            ]),
        )
        .unwrap();
        assert_eq!(
            l.to_fields()["transfer_modes"],
            json!(["license", "equity"])
        );
        let shown = shown(Kind::Achievement, Lang::Zh, &values_of(&l), &[]);
        let modes = shown.iter().find(|s| s.name == "transfer_modes").unwrap();
        let ticked: Vec<&str> = modes.options.iter().filter(|o| o.2).map(|o| o.1).collect();
        assert_eq!(ticked, ["许可", "作价入股"]);
        let err = parse_listing(
            Kind::Achievement,
            &form(&[
                ("title", "t"),
                ("summary", "s"),
                ("transfer_modes", "gift"),
                ("status", "open"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "transfer_modes");
        assert!(
            matches!(&err.0[0].rule, Rule::NotOneOf { found, .. } if found == "gift"),
            "{:?}",
            err.0[0]
        );
    }

    #[test]
    fn a_date_that_does_not_exist_is_named() {
        let err = parse_listing(
            Kind::Demand,
            &form(&[
                ("title", "t"),
                ("description", "d"),
                ("expires_on", "2099-02-30"),
                ("status", "open"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.0[0].field, "expires_on");
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
