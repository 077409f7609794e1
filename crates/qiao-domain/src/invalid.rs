//! Validation errors: every failure names the field and says how to fix it.
//!
//! Validation collects all problems of a record rather than stopping at the first, so a user
//! who submits a form or a spreadsheet row learns everything that is wrong in one round.

use serde::Serialize;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// The field's name as it appears in JSON (`credit_code`, `indicators[2].unit`).
    pub field: String,
    /// What is wrong and how to fix it, in a sentence.
    pub message: String,
}

/// A record that failed validation: one or more field errors.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Invalid {
    /// An error about one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// Collects field errors while a record is checked.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Records a problem with `field`.
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records a problem when `ok` is false.
    pub fn ensure(&mut self, ok: bool, field: &str, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(field, message());
        }
    }

    /// Requires a non-blank text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, "is required and must not be blank");
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
                format!(
                    "holds the control character U+{:04X} at character {}; remove it (line breaks and tabs are allowed)",
                    u32::from(ch),
                    at + 1
                ),
            );
        }
        let n = value.chars().count();
        if n > max {
            self.fail(
                field,
                format!("is {n} characters long; shorten it to at most {max}"),
            );
        }
    }

    /// Limits a list to `max` items, each a non-blank text of at most `item_max` characters.
    pub fn list(&mut self, field: &str, items: &[String], max: usize, item_max: usize) {
        if items.len() > max {
            self.fail(
                field,
                format!("has {} items; keep at most {max}", items.len()),
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
                self.fail(name, format!("is {v}; an amount cannot be negative"));
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.fail(
                field_max,
                format!("({hi}) is below {field_min} ({lo}); swap them or fix one"),
            );
        }
    }

    /// Merges the errors of a nested check, prefixing their fields.
    pub fn nested(&mut self, prefix: &str, result: Result<(), Invalid>) {
        if let Err(Invalid(errors)) = result {
            for e in errors {
                self.fail(format!("{prefix}.{}", e.field), e.message);
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
