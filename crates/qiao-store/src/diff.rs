//! What a write changed, field by field: the JSON of a record before and after it, flattened
//! into dotted paths (`contact.email`, `conditions.districts`) and compared. The audit log keeps
//! the result with each change (`changes.diff`).
//!
//! Objects are walked into; arrays (keywords, certificates, indicators) are compared and shown
//! whole, since an item's position says little to a reader. A missing field and a `null` one
//! are the same. Pure: no SQL, testable on two values.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::records::FieldChange;

/// What the audit log shows in place of a secret that changed.
pub const REDACTED: &str = "[redacted]";

/// Fields whose values never reach the audit log: password and token hashes, session and CSRF
/// tokens. That such a field changed is still recorded (a password reset shows as one), with
/// [`REDACTED`] on both sides. Matched on the last segment of the path, so a secret nested in
/// a record is caught too.
const SECRETS: [&str; 7] = [
    "password",
    "password_hash",
    "token",
    "token_hash",
    "session",
    "csrf",
    "secret",
];

fn is_secret(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    SECRETS.contains(&last)
}

/// The fields that differ between `before` and `after` (`None`: the record did not exist, so a
/// create lists every field as after and a delete every field as before), in path order.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut old = BTreeMap::new();
    let mut new = BTreeMap::new();
    if let Some(v) = before {
        flatten("", v, &mut old);
    }
    if let Some(v) = after {
        flatten("", v, &mut new);
    }
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        let b = old.get(path).cloned().unwrap_or(Value::Null);
        let a = new.get(path).cloned().unwrap_or(Value::Null);
        if b == a {
            continue;
        }
        let (b, a) = if is_secret(path) {
            (redact(b), redact(a))
        } else {
            (b, a)
        };
        out.push(FieldChange {
            field: path.clone(),
            before: b,
            after: a,
        });
    }
    out
}

/// A secret's value: whether it was set, never what it was.
fn redact(v: Value) -> Value {
    if v.is_null() {
        v
    } else {
        Value::String(REDACTED.into())
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, child, out);
            }
        }
        Value::Null => {}
        // An empty list is no more than an absent one.
        Value::Array(items) if items.is_empty() => {}
        other if !prefix.is_empty() => {
            out.insert(prefix.to_string(), other.clone());
        }
        other => {
            out.insert("value".into(), other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_lists_only_changed_fields_by_path() {
        let before =
            json!({"title": "旧", "contact": {"email": "a@b.cn", "name": "张"}, "keywords": ["x"]});
        let after = json!({"title": "新", "contact": {"email": "c@d.cn", "name": "张"}, "keywords": ["x"], "budget": 5});
        let d = diff(Some(&before), Some(&after));
        let fields: Vec<_> = d
            .iter()
            .map(|c| (c.field.as_str(), c.before.clone(), c.after.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("budget", Value::Null, json!(5)),
                ("contact.email", json!("a@b.cn"), json!("c@d.cn")),
                ("title", json!("旧"), json!("新")),
            ]
        );
    }

    #[test]
    fn create_and_delete_list_every_field_and_secrets_are_redacted() {
        let record = json!({"username": "u", "password_hash": "$argon2id$x", "tags": []});
        let created = diff(None, Some(&record));
        assert_eq!(created.len(), 2);
        assert_eq!(created[0].field, "password_hash");
        assert_eq!(created[0].after, json!(REDACTED));
        let deleted = diff(Some(&record), None);
        assert_eq!(deleted[1].before, json!("u"));
        assert!(deleted.iter().all(|c| c.after.is_null()));
        let changed = diff(
            Some(&record),
            Some(&json!({"username": "u", "password_hash": "$argon2id$y"})),
        );
        assert_eq!(changed.len(), 1);
        assert_eq!(
            (&changed[0].before, &changed[0].after),
            (&json!(REDACTED), &json!(REDACTED))
        );
        assert!(!serde_json::to_string(&changed).unwrap().contains("argon2"));
    }
}
