//! The OpenAPI paths of notifications, followed challenges and the account's contact details
//! (`api/notifications.rs`, issue #26).

use qiao_app::notifications::{Inbox, InboxItem};
use qiao_domain::notification::Preference;
use qiao_domain::{Account, AccountContact};
use serde_json::{Map, Value, json};

use super::{id_param, ok, op, query, schema};

/// Adds the notification paths to `paths`.
pub(super) fn paths(g: &mut schemars::SchemaGenerator, paths: &mut Map<String, Value>) {
    let inbox = schema::<Inbox>(g);
    let item = schema::<InboxItem>(g);
    let prefs = json!({"type": "array", "items": schema::<Preference>(g),
        "description": "one per kind: in_app (shown in the inbox) and email (sent to the account's address); both on by default"});
    let following = json!({"type": "object", "required": ["following"], "properties": {"following": {"type": "boolean"}}});
    paths.insert("/api/v1/notifications".into(), json!({
        "get": op("The caller's notifications, newest first, with the count of unread ones (kinds: contact_request, contact_decision, message, application_received, application_status, deal_stage, certificate_expiry, challenge_deadline; `link` is the record's page)", "notifications",
            json!([query("before", "only notifications with a smaller id (the `next_before` of the previous page)", "integer"),
                   query("limit", "notifications per page, 1-50 (default 20)", "integer")]),
            None, ok(200, "the page", inbox), &[401, 422], true),
    }));
    paths.insert("/api/v1/notifications/{id}/read".into(), json!({
        "post": op("Mark one of the caller's notifications read (another account's is a 404)", "notifications", json!([id_param()]), None, ok(200, "the notification", item), &[401, 404], true),
    }));
    paths.insert("/api/v1/notifications/read-all".into(), json!({
        "post": op("Mark all the caller's notifications read", "notifications", json!([]), None,
            ok(200, "how many were unread", json!({"type": "object", "required": ["marked"], "properties": {"marked": {"type": "integer"}}})), &[401], true),
    }));
    paths.insert("/api/v1/notifications/preferences".into(), json!({
        "get": op("The caller's choice per kind: in the inbox, by e-mail", "notifications", json!([]), None, ok(200, "every kind", prefs.clone()), &[401], true),
        "put": op("Set the caller's choices for the kinds given (the others keep theirs); they apply to notifications from then on", "notifications", json!([]), Some(prefs.clone()), ok(200, "every kind", prefs), &[400, 401, 422], true),
    }));
    paths.insert("/api/v1/challenges/{id}/follow".into(), json!({
        "get": op("Whether the caller follows the challenge", "notifications", json!([id_param()]), None, ok(200, "following or not", following.clone()), &[401, 404], true),
        "put": op("Follow a challenge: told 7 days and 1 day before its application window closes", "notifications", json!([id_param()]), None, ok(200, "following", following.clone()), &[401, 404], true),
        "delete": op("Stop following a challenge", "notifications", json!([id_param()]), None, ok(200, "not following", following), &[401, 404], true),
    }));
    paths.insert("/api/v1/me/contact".into(), json!({
        "put": op("Set the caller's e-mail address and telephone (null or an empty text clears one): notifications are e-mailed there, and the other side of an accepted contact request sees them", "accounts", json!([]), Some(schema::<AccountContact>(g)), ok(200, "the account", schema::<Account>(g)), &[400, 401, 422], true),
    }));
}
