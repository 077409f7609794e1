//! Validation errors: every failure names the field and says how to fix it.
//!
//! Validation collects all problems of a record rather than stopping at the first, so a user
//! who submits a form or a spreadsheet row learns everything that is wrong in one round.

use serde::{Deserialize, Serialize};

pub use crate::rule::{Format, Record, Rule};

/// One problem with one field: the field and the rule it breaks.
///
/// It travels as `{"field", "code", …the rule's values, "message"}`: the message is the
/// English sentence rendered from the rule, for people reading the JSON; programs match on the
/// code. Pages render [`FieldError::zh`] instead.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field's name as it appears in JSON (`credit_code`, `indicators[2].unit`); in an
    /// imported file's row errors, the column as the file names it.
    pub field: String,
    /// What is wrong.
    pub rule: Rule,
}

impl FieldError {
    /// An error of `field`.
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        FieldError {
            field: field.into(),
            rule,
        }
    }

    /// What is wrong and how to fix it, in an English sentence (without the field's name).
    pub fn message(&self) -> String {
        self.rule.en()
    }

    /// The same in Chinese.
    pub fn zh(&self) -> String {
        self.rule.zh()
    }
}

/// `field: message`, the form logs, the CLI and import reports use.
impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.rule.en())
        } else {
            write!(f, "{}: {}", self.field, self.rule.en())
        }
    }
}

#[derive(Serialize)]
struct WireOut<'a> {
    field: &'a str,
    #[serde(flatten)]
    rule: &'a Rule,
    message: String,
}

#[derive(Deserialize)]
struct WireIn {
    field: String,
    #[serde(flatten)]
    rule: Rule,
}

impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireOut {
            field: &self.field,
            rule: &self.rule,
            message: self.rule.en(),
        }
        .serialize(s)
    }
}

/// Reads what [`Serialize`] wrote; the message is rendered again from the rule, not read.
impl<'de> Deserialize<'de> for FieldError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let WireIn { field, rule } = WireIn::deserialize(d)?;
        Ok(FieldError { field, rule })
    }
}

/// A record that failed validation: one or more field errors.
#[derive(Debug, Clone, PartialEq, Default, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Invalid {
    /// An error about one field.
    pub fn field(field: impl Into<String>, rule: Rule) -> Self {
        Invalid(vec![FieldError::new(field, rule)])
    }
}

/// Collects field errors while a record is checked.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Records a problem with `field`.
    pub fn fail(&mut self, field: impl Into<String>, rule: Rule) {
        self.errors.push(FieldError::new(field, rule));
    }

    /// Records a problem when `ok` is false.
    pub fn ensure(&mut self, ok: bool, field: &str, rule: impl FnOnce() -> Rule) {
        if !ok {
            self.fail(field, rule());
        }
    }

    /// Requires a non-blank text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, Rule::Blank);
        } else {
            self.max_len(field, value, max);
        }
    }

    /// Limits an optional text to `max` characters, and refuses control characters in it.
    ///
    /// Every text of a record passes here (through [`Checker::text`] and [`Checker::list`]
    /// too). Line breaks and tabs are text; a carriage return is kept as well, since browsers
    /// send a text area's line breaks as CR LF. Any other control character (NUL, ESC, DEL,
    /// the C1 range) is no part of a title or a description: it cuts strings short in other
    /// programs, hides text in terminals and logs, and breaks exports.
    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if let Some((at, ch)) = value
            .chars()
            .enumerate()
            .find(|(_, ch)| ch.is_control() && !matches!(ch, '\n' | '\t' | '\r'))
        {
            self.fail(
                field,
                Rule::ControlCharacter {
                    code_point: u32::from(ch),
                    at: at + 1,
                },
            );
        }
        let n = value.chars().count();
        if n > max {
            self.fail(field, Rule::TooLong { max, found: n });
        }
    }

    /// Limits a list to `max` items, each a non-blank text of at most `item_max` characters.
    pub fn list(&mut self, field: &str, items: &[String], max: usize, item_max: usize) {
        if items.len() > max {
            self.fail(
                field,
                Rule::TooMany {
                    max,
                    found: items.len(),
                },
            );
        }
        for (i, item) in items.iter().enumerate() {
            let name = format!("{field}[{i}]");
            self.text(&name, item, item_max);
        }
    }

    /// Checks that an optional `min..=max` range is ordered and not negative.
    pub fn range(&mut self, field_min: &str, field_max: &str, min: Option<i64>, max: Option<i64>) {
        for (name, v) in [(field_min, min), (field_max, max)] {
            if let Some(v) = v
                && v < 0
            {
                self.fail(name, Rule::Negative { found: v as f64 });
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.fail(
                field_max,
                Rule::Below {
                    other: field_min.to_string(),
                    found: hi,
                    limit: lo,
                },
            );
        }
    }

    /// Merges the errors of a nested check, prefixing their fields.
    pub fn nested(&mut self, prefix: &str, result: Result<(), Invalid>) {
        if let Err(Invalid(errors)) = result {
            for e in errors {
                self.fail(format!("{prefix}.{}", e.field), e.rule);
            }
        }
    }

    /// The verdict: `Ok` when nothing failed.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_travels_with_its_code_values_and_english_message() {
        let e = FieldError::new(
            "title",
            Rule::TooLong {
                max: 200,
                found: 240,
            },
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"field": "title", "code": "too_long", "max": 200, "found": 240,
                               "message": "is 240 characters long; shorten it to at most 200"})
        );
        assert_eq!(serde_json::from_value::<FieldError>(json).unwrap(), e);
        assert_eq!(
            e.to_string(),
            "title: is 240 characters long; shorten it to at most 200"
        );
        assert_eq!(e.zh(), "当前 240 个字，请缩短到 200 个字以内");
    }

    #[test]
    fn nested_errors_keep_their_rule_under_the_prefix() {
        let mut inner = Checker::default();
        inner.text("name", " ", 10);
        let mut c = Checker::default();
        c.nested("conditions", inner.finish());
        let Invalid(errors) = c.finish().unwrap_err();
        assert_eq!(errors, [FieldError::new("conditions.name", Rule::Blank)]);
    }
}
