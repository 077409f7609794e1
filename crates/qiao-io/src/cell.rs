//! One spreadsheet cell, whichever file it came from, and its conversion to the JSON value a
//! domain field expects.
//!
//! CSV cells are always text; XLSX cells may also be numbers, booleans or dates. People type
//! amounts as `50万`, dates as `2026年3月1日` and lists with `、`, and Excel turns `6` into
//! `6.0`: every conversion here accepts those forms and, when it cannot, returns the [`Rule`]
//! broken, with what was found (its sentence says what to write instead). The caller adds the
//! column's name.

use std::borrow::Cow;

use chrono::NaiveDate;
use qiao_domain::Certificate;
use qiao_domain::listing::{Contact, Indicator};
use qiao_domain::money::parse_yuan;
use qiao_domain::{Format, Rule};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::fields::Type;
use crate::labels::Choice;

/// Where a CSV or XLSX reader sends each non-blank row: its line number and its cells.
pub(crate) type RowSink<'s> = &'s mut dyn FnMut(usize, &[Cell<'_>]) -> Result<(), crate::IoError>;

/// A cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A cell that cannot be read: a spreadsheet error (`#N/A`) or bytes that are not UTF-8.
    Bad {
        /// What is wrong.
        reason: Rule,
        /// The content as far as it can be shown.
        raw: String,
    },
}

impl Cell<'_> {
    /// Whether the cell counts as absent: empty or only whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, for messages and the rejects file.
    pub(crate) fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(format_number(*f)),
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Bad { raw, .. } => Cow::Borrowed(raw),
        }
    }
}

/// A number as a person would write it: `13800138000`, not `13800138000.0`.
pub(crate) fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A value for a message: at most 40 characters, so a huge cell cannot flood the terminal.
pub(crate) fn quote(s: &str) -> String {
    format!("`{}`", shown(s))
}

/// A value as a rule carries it: trimmed, at most 40 characters (and `…`).
pub(crate) fn shown(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

fn bad(found: &str, format: Format) -> Rule {
    Rule::BadFormat {
        found: shown(found),
        format,
    }
}

/// Converts a non-blank cell to the JSON value of a field of type `ty`.
pub(crate) fn convert(ty: Type, cell: &Cell<'_>) -> Result<Value, Rule> {
    Ok(match ty {
        Type::Kind | Type::Text | Type::ContactPart => Value::String(text(cell)?),
        Type::Int { min, max } => {
            let i = integer(cell)?;
            if i < min || i > max {
                return Err(Rule::OutOfRange {
                    min,
                    max,
                    found: i as f64,
                });
            }
            Value::from(i)
        }
        Type::Yuan => Value::from(yuan(cell)?),
        Type::Date => Value::String(date(cell)?.format("%Y-%m-%d").to_string()),
        Type::List { commas } => {
            Value::Array(list(cell, commas)?.into_iter().map(Value::String).collect())
        }
        Type::Enum(choice) => Value::String(self::choice(choice, &text(cell)?)?.into()),
        Type::EnumList(choice) => {
            let items = list(cell, true)?;
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                out.push(Value::String(self::choice(choice, item)?.into()));
            }
            Value::Array(out)
        }
        Type::Indicators => indicators(cell)?,
        Type::Certificates => certificates(cell)?,
        Type::Contact => contact(cell)?,
    })
}

pub(crate) fn text(cell: &Cell<'_>) -> Result<String, Rule> {
    match cell {
        Cell::Bad { reason, .. } => Err(reason.clone()),
        Cell::Bool(b) => Ok(b.to_string()),
        other => Ok(other.display().into_owned()),
    }
}

pub(crate) fn integer(cell: &Cell<'_>) -> Result<i64, Rule> {
    let whole =
        |f: f64| (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64);
    let bad = |raw: &str| bad(raw, Format::WholeNumber);
    match cell {
        Cell::Int(i) => Ok(*i),
        Cell::Float(f) => whole(*f).ok_or_else(|| bad(&format_number(*f))),
        Cell::Text(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(whole))
                .ok_or_else(|| bad(s))
        }
        Cell::Date(_) | Cell::Bool(_) => Err(bad(&cell.display())),
        Cell::Bad { reason, .. } => Err(reason.clone()),
        Cell::Empty => Err(Rule::Blank),
    }
}

fn yuan(cell: &Cell<'_>) -> Result<i64, Rule> {
    let negative = |found: f64| Rule::Negative { found };
    match cell {
        Cell::Int(i) if *i < 0 => Err(negative(*i as f64)),
        Cell::Int(i) => Ok(*i),
        Cell::Float(f) if *f < 0.0 => Err(negative(*f)),
        Cell::Float(f) if f.is_finite() && *f < 9.0e18 => Ok(f.round() as i64),
        Cell::Text(s) => {
            let s = s.trim();
            // Plain digits first, the common case (a negative number then gets its own message).
            if let Ok(i) = s.parse::<i64>() {
                return if i < 0 {
                    Err(negative(i as f64))
                } else {
                    Ok(i)
                };
            }
            parse_yuan(s).ok_or_else(|| {
                // `-5万`: negative, whatever its unit; the amount is read without the sign.
                match s.strip_prefix('-').and_then(parse_yuan) {
                    Some(abs) => negative(-(abs as f64)),
                    None => bad(s, Format::Amount),
                }
            })
        }
        Cell::Bad { reason, .. } => Err(reason.clone()),
        other => Err(bad(&other.display(), Format::Amount)),
    }
}

pub(crate) fn date(cell: &Cell<'_>) -> Result<NaiveDate, Rule> {
    let bad = |raw: &str| bad(raw, Format::Date);
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Int(i) => date_from_number(*i as f64).ok_or_else(|| bad(&i.to_string())),
        Cell::Float(f) => date_from_number(*f).ok_or_else(|| bad(&format_number(*f))),
        Cell::Text(s) => parse_date(s).ok_or_else(|| bad(s)),
        Cell::Bad { reason, .. } => Err(reason.clone()),
        other => Err(bad(&other.display())),
    }
}

/// A date typed as a number: `20260301`, or an Excel serial day (a date cell whose format was
/// lost, e.g. after a copy as values).
fn date_from_number(f: f64) -> Option<NaiveDate> {
    if !f.is_finite() || f.fract() != 0.0 {
        return None;
    }
    if (19_000_101.0..=99_991_231.0).contains(&f) {
        let n = f as i64;
        return NaiveDate::from_ymd_opt(
            (n / 10_000) as i32,
            (n / 100 % 100) as u32,
            (n % 100) as u32,
        );
    }
    if (1.0..2_958_466.0).contains(&f) {
        let excel = calamine::ExcelDateTime::new(f, calamine::ExcelDateTimeType::DateTime, false);
        let (y, m, d, ..) = excel.to_ymd_hms_milli();
        return NaiveDate::from_ymd_opt(y.into(), m.into(), d.into());
    }
    None
}

/// Parses `2026-03-01`, `2026/3/1`, `2026.3.1`, `2026年3月1日` and `20260301`; a time after the
/// date (`2026-03-01 00:00:00`, `2026-03-01T08:00`) is ignored. The year must come first:
/// `3/1/2026` is refused because it means different days in different countries.
pub(crate) fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    let s = s.split(['T', ' ', '\u{3000}']).next()?;
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return NaiveDate::from_ymd_opt(
            (n / 10_000) as i32,
            (n / 100 % 100) as u32,
            (n % 100) as u32,
        );
    }
    let mut parts = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty());
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn is_separator(c: char, commas: bool) -> bool {
    matches!(c, ';' | '；' | '、' | '|' | '\n' | '\r') || (commas && matches!(c, ',' | '，'))
}

/// Whether a list can be written as `a；b；c` and read back as the same items; otherwise it is
/// written as a JSON array.
pub(crate) fn joinable(items: &[String], commas: bool) -> bool {
    !items.is_empty()
        && !items[0].starts_with('[')
        && items.iter().all(|item| {
            !item.is_empty() && item.trim() == item && !item.contains(|c| is_separator(c, commas))
        })
}

/// A list cell: a JSON array (kept verbatim), or items separated by `;` `；` `、` `|` or line
/// breaks (and `,` `，` when `commas`), trimmed, empty items dropped.
fn list(cell: &Cell<'_>, commas: bool) -> Result<Vec<String>, Rule> {
    let s = match cell {
        Cell::Text(s) => s,
        other => return Ok(vec![text(other)?]),
    };
    let trimmed = s.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed).map_err(|e| Rule::NotJson {
            detail: format!(
                "it starts with `[` but is not an array of texts ({e}); write e.g. [\"a\", \"b\"] or a；b"
            ),
        });
    }
    Ok(trimmed
        .split(|c| is_separator(c, commas))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect())
}

fn choice(choice: Choice, raw: &str) -> Result<&'static str, Rule> {
    choice.parse(raw).ok_or_else(|| Rule::NotOneOf {
        found: shown(raw),
        allowed: choice.accepted(),
    })
}

/// Parses a JSON cell and checks it against the domain type `T`, so a mistake inside it is
/// reported against this column rather than as a bare serde message.
fn json_cell<T: for<'de> Deserialize<'de>>(
    cell: &Cell<'_>,
    example: &str,
    wrap_object: bool,
) -> Result<Value, Rule> {
    let raw = text(cell)?;
    let mut value: Value = serde_json::from_str(raw.trim()).map_err(|e| Rule::NotJson {
        detail: format!("{e}; write e.g. {example}"),
    })?;
    if wrap_object && value.is_object() {
        value = Value::Array(vec![value]);
    }
    T::deserialize(&value).map_err(|e| Rule::Malformed {
        detail: format!("{e}; write e.g. {example}"),
    })?;
    Ok(value)
}

fn indicators(cell: &Cell<'_>) -> Result<Value, Rule> {
    json_cell::<Vec<Indicator>>(
        cell,
        r#"[{"name": "能量密度", "target": 300, "unit": "Wh/kg"}]"#,
        true,
    )
}

fn contact(cell: &Cell<'_>) -> Result<Value, Rule> {
    json_cell::<Contact>(
        cell,
        r#"{"name": "王老师", "phone": "021-12345678"} or use the columns contact.name, contact.phone and contact.email"#,
        false,
    )
}

/// Certificates as JSON, or as `高新技术企业:2023-12-01~2026-11-30` items (optionally with the
/// certificate number: `高新技术企业:GR202331001234:2023-12-01~2026-11-30`).
fn certificates(cell: &Cell<'_>) -> Result<Value, Rule> {
    let raw = text(cell)?;
    let trimmed = raw.trim();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        return json_cell::<Vec<Certificate>>(
            cell,
            r#"[{"kind": "high_tech", "issued_on": "2023-12-01", "expires_on": "2026-11-30"}]"#,
            true,
        );
    }
    let mut out = Vec::new();
    for item in trimmed
        .split(|c| is_separator(c, false))
        .map(str::trim)
        .filter(|i| !i.is_empty())
    {
        let whole = || bad(item, Format::Certificate);
        let parts: Vec<&str> = item.split([':', '：']).map(str::trim).collect();
        let (label, number, range) = match parts[..] {
            [label, range] => (label, None, range),
            [label, number, range] => (label, Some(number), range),
            _ => return Err(whole()),
        };
        let kind = Choice::CertKind
            .parse(label)
            .ok_or_else(|| Rule::NotOneOf {
                found: shown(label),
                allowed: Choice::CertKind.accepted(),
            })?;
        let (from, to) = range.split_once(['~', '～', '至']).ok_or_else(whole)?;
        let day = |s: &str| parse_date(s).ok_or_else(|| bad(s, Format::Date));
        let mut cert = Map::new();
        cert.insert("kind".into(), kind.into());
        if let Some(n) = number.filter(|n| !n.is_empty()) {
            cert.insert("number".into(), n.into());
        }
        cert.insert("issued_on".into(), day(from)?.to_string().into());
        cert.insert("expires_on".into(), day(to)?.to_string().into());
        out.push(Value::Object(cert));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn dates_in_every_usual_form() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1);
        for s in [
            "2026-03-01",
            "2026/3/1",
            "2026.3.1",
            "2026年3月1日",
            " 2026-03-01 00:00:00",
            "2026-03-01T08:00:00",
            "20260301",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        for s in ["3/1/2026", "2026-02-30", "2026-03", "明天", "2026-03-01-02"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(date(&Cell::Float(46082.0)).ok(), d);
        assert_eq!(date(&Cell::Int(20260301)).ok(), d);
    }

    #[test]
    fn amounts_and_integers() {
        assert_eq!(yuan(&t("50万")), Ok(500_000));
        assert_eq!(yuan(&t("1,200元")), Ok(1200));
        assert_eq!(yuan(&t("9007199254740993")), Ok(9_007_199_254_740_993));
        assert_eq!(yuan(&Cell::Float(2.3e8)), Ok(230_000_000));
        assert_eq!(yuan(&t("-5")), Err(Rule::Negative { found: -5.0 }));
        assert_eq!(yuan(&t("-5万")), Err(Rule::Negative { found: -50_000.0 }));
        assert_eq!(yuan(&t("很多")), Err(bad("很多", Format::Amount)));
        assert!(yuan(&t("很多")).unwrap_err().en().contains("50万"));
        assert_eq!(integer(&Cell::Float(6.0)), Ok(6));
        assert_eq!(integer(&t("6.0")), Ok(6));
        assert!(integer(&t("6.5")).is_err());
    }

    #[test]
    fn lists_split_or_parse_as_json() {
        assert_eq!(
            list(&t("a；b、c | d"), false).unwrap(),
            ["a", "b", "c", "d"]
        );
        assert_eq!(
            list(&t("电池，储能,热管理"), true).unwrap(),
            ["电池", "储能", "热管理"]
        );
        assert_eq!(list(&t("a,b"), false).unwrap(), ["a,b"]);
        assert_eq!(
            list(&t(r#"["a；b", " c"]"#), false).unwrap(),
            ["a；b", " c"]
        );
        assert!(list(&t("[broken"), false).is_err());
        assert!(joinable(&["a".into(), "b".into()], true));
        assert!(!joinable(&["a,b".into()], true));
        assert!(!joinable(&["[x".into()], false));
    }

    #[test]
    fn certificates_in_short_form() {
        let v = certificates(&t(
            "高新技术企业:2023-12-01~2026-11-30；科技型中小企业：GR1：2024/5/1～2024年12月31日",
        ))
        .unwrap();
        assert_eq!(
            v,
            json!([
                {"kind": "high_tech", "issued_on": "2023-12-01", "expires_on": "2026-11-30"},
                {"kind": "tech_sme", "number": "GR1", "issued_on": "2024-05-01", "expires_on": "2024-12-31"}
            ])
        );
        assert_eq!(
            certificates(&t("高企 2023")),
            Err(bad("高企 2023", Format::Certificate))
        );
        assert!(matches!(
            certificates(&t("金牌企业:2023-01-01~2024-01-01")),
            Err(Rule::NotOneOf { found, allowed })
                if found == "金牌企业" && allowed.iter().any(|a| a.starts_with("high_tech"))
        ));
        assert_eq!(
            certificates(&t("高新技术企业:2023-01-01~明年")),
            Err(bad("明年", Format::Date))
        );
    }

    #[test]
    fn json_cells_are_checked_against_the_domain() {
        let err = indicators(&t(r#"[{"name": "x", "target": "high"}]"#)).unwrap_err();
        assert!(err.en().contains("invalid type"), "{err:?}");
        assert_eq!(
            indicators(&t(r#"{"name": "x"}"#)).unwrap(),
            json!([{"name": "x"}])
        );
        assert!(
            contact(&t(r#"{"nmae": "x"}"#))
                .unwrap_err()
                .en()
                .contains("nmae")
        );
    }
}
