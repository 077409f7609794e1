//! Rows to records: where a CSV/XLSX row or a JSONL object becomes a validated
//! [`Organisation`] or [`Listing`].
//!
//! Both paths build the record's JSON object and deserialise it through the domain types, then
//! call `validate()`, so every rule of the domain (and its normalisation) applies to imports
//! exactly as to the API. What this module adds is the naming: each problem is a [`FieldError`]
//! whose field is the column as the file spells it (`column 统一社会信用代码 (credit_code)`)
//! or the JSONL key, and whose rule is the domain's own.

use qiao_domain::{FieldError, Format, Invalid, Listing, Organisation, Rule};
use serde_json::{Map, Value};

use crate::cell::{Cell, convert, quote, shown};
use crate::error::IoError;
use crate::fields::{FIELD_COUNT, FIELDS, Field, Target, Type, accepted_headers, normalise_header};
use crate::{ListingRow, Record};

/// What a header cell says about its column.
#[derive(Debug)]
enum Slot {
    /// A field, with the header as written in the file.
    Field(Field, String),
    /// A header starting with `#`: a note for people (or the `#line`/`#reason` columns of a
    /// rejects file), ignored so that a corrected rejects file imports as it is.
    Comment,
    /// No header: the column must stay empty.
    Blank,
}

/// The header row of a CSV or XLSX file, resolved once through the alias table.
#[derive(Debug)]
pub(crate) struct Columns {
    slots: Vec<Slot>,
    kind_col: usize,
    position: [Option<usize>; FIELD_COUNT],
}

/// The spreadsheet name of a 0-based column: A, B, …, Z, AA, AB…
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl Columns {
    /// Resolves a header row. Unknown and duplicate headers are refused here, once, rather than
    /// on every row.
    pub(crate) fn new(header: &[Cell<'_>]) -> Result<Columns, IoError> {
        let mut slots = Vec::with_capacity(header.len());
        let mut position = [None; FIELD_COUNT];
        let mut unknown = Vec::new();
        let mut problems = Vec::new();
        for (i, cell) in header.iter().enumerate() {
            if let Cell::Bad { reason, .. } = cell {
                problems.push(format!("column {}: {}", column_letter(i), reason.en()));
                slots.push(Slot::Blank);
                continue;
            }
            let text = cell.display();
            let text = text.trim().trim_start_matches('\u{feff}');
            if text.is_empty() {
                slots.push(Slot::Blank);
            } else if text.starts_with('#') {
                slots.push(Slot::Comment);
            } else if let Some(field) = Field::from_header(text) {
                if let Some(prev) = position[field as usize] {
                    let prev_header = match slots.get(prev) {
                        Some(Slot::Field(_, header)) => header.as_str(),
                        _ => "",
                    };
                    problems.push(format!(
                        "columns {} `{prev_header}` and {} `{text}` both mean {}; keep one",
                        column_letter(prev),
                        column_letter(i),
                        field.name()
                    ));
                }
                position[field as usize] = Some(i);
                slots.push(Slot::Field(field, text.to_string()));
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
                accepted_headers()
            ));
        }
        let kind_col = position[Field::Kind as usize];
        if kind_col.is_none() {
            problems.push(format!(
                "no `kind` (类型) column; every row must say what it is: {}",
                Target::accepted().join(", ")
            ));
        }
        match kind_col {
            Some(kind_col) if problems.is_empty() => Ok(Columns {
                slots,
                kind_col,
                position,
            }),
            _ => Err(IoError::Header(problems.join("; "))),
        }
    }

    /// Two headers let a sheet written for one kind serve another: an organisations sheet with
    /// a 名称 column, an achievements sheet with 简介. The column moves to the field the kind
    /// has, unless the file also has that field's own column.
    fn effective(&self, field: Field, target: Target) -> Field {
        use qiao_domain::Kind;
        match (field, target) {
            (Field::Title, Target::Organisation)
                if self.position[Field::Name as usize].is_none() =>
            {
                Field::Name
            }
            (Field::Description, Target::Listing(Kind::Achievement))
                if self.position[Field::Summary as usize].is_none() =>
            {
                Field::Summary
            }
            _ => field,
        }
    }

    fn header(&self, col: usize) -> &str {
        match self.slots.get(col) {
            Some(Slot::Field(_, header)) => header,
            _ => "",
        }
    }

    /// `column 统一社会信用代码 (credit_code)`, or `column trl` when the header is the name.
    fn label_at(&self, col: usize, path: &str) -> String {
        let header = self.header(col);
        if normalise_header(header) == path {
            format!("column {header}")
        } else {
            format!("column {header} ({path})")
        }
    }

    /// Names the column behind a field path of the domain (`credit_code`,
    /// `indicators[0].unit`, `contact.email`).
    fn describe(&self, used: &[Option<usize>; FIELD_COUNT], target: Target, path: &str) -> String {
        let field = FIELDS
            .iter()
            .find(|i| i.name == path && i.field.applies(target))
            .map(|i| i.field)
            .or_else(|| {
                let base = path.split(['[', '.']).next().unwrap_or(path);
                Field::from_key(target, base)
            });
        let Some(field) = field else {
            return format!("field {path}");
        };
        let col = used[field as usize]
            .or(self.position[field as usize])
            .or_else(|| {
                (field.info().ty == Type::ContactPart)
                    .then(|| {
                        used[Field::Contact as usize].or(self.position[Field::Contact as usize])
                    })
                    .flatten()
            });
        match col {
            Some(col) => self.label_at(col, path),
            None => format!("column {path} ({})", field.info().zh),
        }
    }

    /// The listing keys this header gives rows of `target` (see [`ListingRow::given`]).
    fn given(&self, target: Target) -> Vec<String> {
        let mut keys = Vec::new();
        for slot in &self.slots {
            let Slot::Field(field, _) = slot else {
                continue;
            };
            let field = self.effective(*field, target);
            if matches!(field, Field::Id | Field::Owner | Field::Kind) || !field.applies(target) {
                continue;
            }
            let info = field.info();
            let key = if info.ty == Type::ContactPart {
                info.name
            } else {
                info.key
            };
            keys.push(key.to_string());
        }
        keys
    }

    /// Turns one row into a record, or into the problems of every bad cell.
    pub(crate) fn parse_row(&self, cells: &[Cell<'_>]) -> Result<Record, Vec<FieldError>> {
        let kind = cells.get(self.kind_col).unwrap_or(&Cell::Empty);
        let kind_label = || self.label_at(self.kind_col, "kind");
        let target = if kind.is_blank() {
            return Err(vec![FieldError::new(kind_label(), Rule::Blank)]);
        } else {
            let raw = kind.display();
            Target::parse(&raw).ok_or_else(|| {
                vec![FieldError::new(
                    kind_label(),
                    Rule::NotOneOf {
                        found: shown(&raw),
                        allowed: Target::accepted(),
                    },
                )]
            })?
        };

        let mut obj = Map::new();
        let mut contact = Map::new();
        let mut id = None;
        let mut owner = None;
        let mut used = [None; FIELD_COUNT];
        let mut errors = Vec::new();
        for (col, cell) in cells.iter().enumerate() {
            if col == self.kind_col || cell.is_blank() {
                continue;
            }
            let field = match self.slots.get(col) {
                Some(Slot::Comment) => continue,
                Some(Slot::Field(field, _)) => self.effective(*field, target),
                Some(Slot::Blank) | None => {
                    errors.push(FieldError::new(
                        format!("column {}", column_letter(col)),
                        Rule::NoHeader {
                            found: shown(&cell.display()),
                        },
                    ));
                    continue;
                }
            };
            let info = field.info();
            if !field.applies(target) {
                errors.push(FieldError::new(
                    self.label_at(col, info.name),
                    Rule::NotForKind {
                        kind: target.to_string(),
                    },
                ));
                continue;
            }
            used[field as usize] = Some(col);
            let value = match convert(info.ty, cell) {
                Ok(value) => value,
                Err(rule) => {
                    errors.push(FieldError::new(self.label_at(col, info.name), rule));
                    continue;
                }
            };
            match field {
                Field::Id => id = value.as_i64(),
                Field::Owner => owner = value.as_str().map(|s| s.trim().to_string()),
                _ if info.ty == Type::ContactPart => {
                    contact.insert(info.key.to_string(), value);
                }
                _ => {
                    obj.insert(info.key.to_string(), value);
                }
            }
        }
        if !contact.is_empty() {
            match obj.get_mut("contact") {
                Some(Value::Object(_)) => errors.push(FieldError::new(
                    self.describe(&used, target, "contact"),
                    Rule::NotCombinable {
                        found: "contact".into(),
                        with: ["contact.name", "contact.phone", "contact.email"]
                            .map(String::from)
                            .into(),
                    },
                )),
                _ => {
                    obj.insert("contact".into(), Value::Object(contact));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let given = self.given(target);
        finish(target, obj, id, owner, given).map_err(|e| match e {
            Failure::Serde(e) => {
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                let path = match missing_field(&e) {
                    Some(key) => Field::from_key(target, key).map_or(key, Field::name),
                    None => "",
                };
                let field = if path.is_empty() {
                    String::new()
                } else {
                    self.describe(&used, target, path)
                };
                vec![FieldError::new(field, Rule::from_serde(message))]
            }
            Failure::Invalid(Invalid(errors)) => errors
                .into_iter()
                .map(|e| FieldError::new(self.describe(&used, target, &e.field), e.rule))
                .collect(),
        })
    }
}

/// Why a record object did not become a record.
enum Failure {
    /// The domain types refused the object's shape.
    Serde(serde_json::Error),
    /// The record broke a rule of the domain.
    Invalid(Invalid),
}

/// The key of serde's "missing field `x`" message.
fn missing_field(e: &serde_json::Error) -> Option<&'static str> {
    let message = e.to_string();
    let key = message.strip_prefix("missing field `")?.split('`').next()?;
    FIELDS.iter().map(|i| i.key).find(|k| *k == key)
}

/// Deserialises the object through the domain type of `target` and validates it.
fn finish(
    target: Target,
    obj: Map<String, Value>,
    id: Option<i64>,
    owner: Option<String>,
    given: Vec<String>,
) -> Result<Record, Failure> {
    match target {
        Target::Organisation => {
            let mut org: Organisation =
                serde_json::from_value(Value::Object(obj)).map_err(Failure::Serde)?;
            org.validate().map_err(Failure::Invalid)?;
            Ok(Record::Organisation(org))
        }
        Target::Listing(kind) => {
            let mut listing =
                Listing::from_fields(kind, Value::Object(obj)).map_err(Failure::Serde)?;
            listing.validate().map_err(Failure::Invalid)?;
            Ok(Record::Listing(ListingRow {
                id,
                owner,
                listing,
                given: Some(given),
            }))
        }
    }
}

/// Turns one JSONL line into a record. Keys are the domain's own (`org_kind` standing for an
/// organisation's `kind`) and values are typed JSON: this is the machine format, so it is
/// strict where the spreadsheet cells are forgiving.
pub(crate) fn record_from_json(line: &[u8]) -> Result<Record, Vec<FieldError>> {
    let (target, obj, id, owner) = json_object(line).map_err(|e| vec![e])?;
    let given = obj.keys().cloned().collect();
    finish(target, obj, id, owner, given).map_err(|e| match e {
        Failure::Serde(e) => {
            // The object was consumed by serde; parsing the line again costs nothing on the
            // happy path, where cloning every object would.
            vec![match json_object(line) {
                Ok((_, obj, _, _)) => json_serde_error(target, &obj, &e),
                Err(error) => error,
            }]
        }
        Failure::Invalid(Invalid(errors)) => errors
            .into_iter()
            .map(|e| FieldError::new(format!("`{}`", e.field), e.rule))
            .collect(),
    })
}

type JsonParts = (Target, Map<String, Value>, Option<i64>, Option<String>);

/// A JSON value's shape in serde's words, for a value of the wrong type.
fn shape(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {:?}", shown(s)),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// Parses a line into the record's target, the domain object and the `id` and `owner` keys.
fn json_object(line: &[u8]) -> Result<JsonParts, FieldError> {
    let key = |k: &str| format!("`{k}`");
    let mut obj: Map<String, Value> = serde_json::from_slice(line).map_err(|e| {
        if e.is_data() {
            let found = serde_json::from_slice::<Value>(line)
                .map_or_else(|_| "a value".into(), |v| shape(&v));
            FieldError::new(
                "",
                Rule::WrongType {
                    found,
                    expected:
                        "one JSON object per line, like {\"kind\": \"achievement\", \"title\": …}"
                            .into(),
                },
            )
        } else {
            // serde_json says "at line 1": true of the line, misleading about the file.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            FieldError::new(
                "",
                Rule::NotJson {
                    detail: format!("{message} at column {}", e.column()),
                },
            )
        }
    })?;
    obj.retain(|k, _| !k.starts_with('#'));
    let target = match obj.remove("kind") {
        Some(Value::String(raw)) => Target::parse(&raw).ok_or_else(|| {
            let rule = if crate::labels::Choice::OrgKind.parse(&raw).is_some() {
                Rule::UseOrgKind { found: shown(&raw) }
            } else {
                Rule::NotOneOf {
                    found: shown(&raw),
                    allowed: Target::accepted(),
                }
            };
            FieldError::new(key("kind"), rule)
        })?,
        Some(other) => {
            return Err(FieldError::new(
                key("kind"),
                Rule::WrongType {
                    found: shape(&other),
                    expected: "a text naming the kind of record".into(),
                },
            ));
        }
        None => return Err(FieldError::new(key("kind"), Rule::Required)),
    };
    let mut id = None;
    let mut owner = None;
    match target {
        Target::Organisation => {
            for k in ["id", "owner"] {
                if obj.contains_key(k) {
                    return Err(FieldError::new(
                        key(k),
                        Rule::NotForKind {
                            kind: target.to_string(),
                        },
                    ));
                }
            }
            if let Some(org_kind) = obj.remove("org_kind") {
                obj.insert("kind".into(), org_kind);
            }
        }
        Target::Listing(_) => {
            id = match obj.remove("id") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_i64().filter(|i| *i > 0).ok_or_else(|| {
                    FieldError::new(
                        key("id"),
                        Rule::BadFormat {
                            found: shown(&v.to_string()),
                            format: Format::RecordId,
                        },
                    )
                })?),
            };
            owner = match obj.remove("owner") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(v) => {
                    return Err(FieldError::new(
                        key("owner"),
                        Rule::WrongType {
                            found: shape(&v),
                            expected: "the owning organisation's 统一社会信用代码 as a text".into(),
                        },
                    ));
                }
            };
        }
    }
    Ok((target, obj, id, owner))
}

fn json_key(target: Target, key: &str) -> String {
    match (target, key) {
        (Target::Organisation, "kind") => "org_kind".into(),
        _ => key.into(),
    }
}

/// serde's refusal of a JSONL record, with the key named. serde_json reports a type error
/// inside a struct without the field's name, so the culprit is found by deserialising each key
/// alone (only on this error path).
fn json_serde_error(target: Target, obj: &Map<String, Value>, e: &serde_json::Error) -> FieldError {
    let rule = |e: &serde_json::Error| {
        let message = e.to_string();
        Rule::from_serde(message.split(" at line ").next().unwrap_or(&message))
    };
    if let Some(key) = missing_field(e) {
        return FieldError::new(format!("`{}`", json_key(target, key)), Rule::Required);
    }
    if let Rule::UnknownField { found, expected } = rule(e) {
        return FieldError::new(format!("`{found}`"), Rule::UnknownField { found, expected });
    }
    for (key, value) in obj {
        let single = Map::from_iter([(key.clone(), value.clone())]);
        let result = match target {
            Target::Organisation => {
                serde_json::from_value::<Organisation>(Value::Object(single)).map(drop)
            }
            Target::Listing(kind) => Listing::from_fields(kind, Value::Object(single)).map(drop),
        };
        if let Err(e) = result
            && missing_field(&e).is_none()
        {
            return FieldError::new(format!("`{}`", json_key(target, key)), rule(&e));
        }
    }
    FieldError::new("", rule(e))
}
