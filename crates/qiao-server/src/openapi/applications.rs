//! The OpenAPI paths of 揭榜 (`api/applications.rs`): applying to a challenge, the review
//! (score, shortlist, decline, award, close), withdrawing, and reading applications.
//!
//! Request bodies and domain records come from the types themselves (`schemars`); the stored
//! record and the views, which have no schema of their own, are written here after their serde
//! shapes.

use qiao_domain::application::Criterion;
use qiao_domain::{Application, ApplicationEvent, Deal, Proposal};
use serde_json::{Map, Value, json};

use super::{id_param, ok, op, paged, record, schema};
use crate::api::applications::{ConcludeBody, ReopenBody, ScoreBody};
use crate::api::{DeclineBody, VersionBody};

/// Adds the application paths to `paths`.
pub(super) fn paths(
    g: &mut schemars::SchemaGenerator,
    paths: &mut Map<String, Value>,
    paging: &[Value],
) {
    let stamps = json!({
        "id": {"type": "integer"},
        "version": {"type": "integer", "description": "rises by one with every write; send it back with a step, which is refused (409) if the application changed since"},
        "created_by": {"type": "integer", "nullable": true},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}});
    let app = record(schema::<Application>(g), stamps);
    let event = record(
        schema::<ApplicationEvent>(g),
        json!({"id": {"type": "integer"}, "application_id": {"type": "integer"}}),
    );
    let criteria = json!({"type": "array", "items": schema::<Criterion>(g), "description": "the challenge's criteria: one per indicator, then feasibility, team, budget and timeline; each scored 0–10"});
    let view = json!({"type": "object", "required": ["record", "events", "criteria", "may_review", "may_withdraw"], "properties": {
        "record": app.clone(),
        "events": {"type": "array", "items": event, "description": "the history, oldest first"},
        "criteria": criteria.clone(),
        "may_review": {"type": "boolean"},
        "may_withdraw": {"type": "boolean"}}});
    let review = json!({"type": "object", "required": ["challenge", "criteria", "applications"], "properties": {
        "challenge": {"type": "object", "description": "the challenge listing record"},
        "criteria": criteria,
        "applications": {"type": "array", "items": app.clone(), "description": "newest first, at most 500"}}});
    let acted = json!({"type": "object", "required": ["application"], "properties": {
        "application": app.clone(),
        "deal": record(schema::<Deal>(g), json!({"id": {"type": "integer"}, "version": {"type": "integer"}}))}});
    let who = "404 for anyone but the applicant's members, the challenge owner's and staff";
    paths.insert("/api/v1/listings/{id}/applications".into(), json!({
        "post": op("Apply to an open challenge (揭榜) for the caller's organisation with a solution proposal: the solution, the team, the indicators it commits to, a budget in yuan and a timeline. 422 naming `apply_from` or `apply_until` outside the application window, `status` for a challenge that is not open, `applicant_org_id` for the challenge's own organisation, or a proposal field; 409 while an earlier application of the organisation is pending or awarded (after a withdrawal or a decline it may send a new proposal while the window is open)", "applications", json!([id_param()]), Some(schema::<Proposal>(g)), ok(201, "the application, submitted", app.clone()), &[400, 401, 403, 404, 409, 422], true),
        "get": op("A challenge's applications with its criteria, for its reviewers: the owner's members, admins, and staff for a government's challenge; 403 for anyone else who can see the challenge", "applications", json!([id_param()]), None, ok(200, "the review", review), &[401, 403, 404], true),
    }));
    paths.insert("/api/v1/listings/{id}/applications/conclude".into(), json!({
        "post": op("Close a challenge's review (reviewers): every application still pending is not chosen, with the reason each applicant sees; the challenge becomes awarded if one was, closed otherwise", "applications", json!([id_param()]), Some(schema::<ConcludeBody>(g)), ok(200, "the applications changed", json!({"type": "array", "items": app.clone()})), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/listings/{id}/applications/reopen".into(), json!({
        "post": op("Reopen a challenge's review for a new round (reviewers): the challenge is open again, taking applications from today until `apply_until`, with a new `deadline` if given; decided applications stay as they are, and the organisations declined or not chosen may apply again and are notified. 422 naming `status` (not under review, awarded or closed), `apply_until` (before today) or `deadline` (before `apply_until`)", "applications", json!([id_param()]), Some(schema::<ReopenBody>(g)), ok(200, "the challenge, open again", json!({"type": "object", "description": "the challenge listing record"})), &[400, 401, 403, 404, 422], true),
    }));
    paths.insert("/api/v1/applications".into(), json!({
        "get": op("The applications of the caller's organisation (我的揭榜), newest first, with status and the reason when not chosen", "applications", Value::Array(paging.to_vec()), None, ok(200, "a page", paged(app.clone())), &[400, 401, 422], true),
    }));
    paths.insert("/api/v1/applications/{id}".into(), json!({
        "get": op(&format!("One application with its history, the challenge's criteria and what the caller may do; {who}"), "applications", json!([id_param()]), None, ok(200, "the application", view), &[401, 404], true),
    }));
    for (step, what, body) in [
        (
            "score",
            "Score every criterion of the challenge 0–10 with comments, and an overall comment (reviewers); 422 naming `scores[i].criterion`, `scores[i].points` or `scores.<criterion>` for a missing one",
            schema::<ScoreBody>(g),
        ),
        (
            "shortlist",
            "Put a submitted application on the shortlist (reviewers)",
            schema::<VersionBody>(g),
        ),
        (
            "decline",
            "Decline a pending application with a reason the applicant sees (reviewers)",
            schema::<DeclineBody>(g),
        ),
        (
            "award",
            "Award a scored pending application (reviewers): a deal opens with the applicant as seller, the owner as buyer and the challenge linked, and the challenge becomes 已揭榜, in one transaction; 422 naming `scores` if it was never scored",
            schema::<VersionBody>(g),
        ),
        (
            "withdraw",
            "Withdraw a pending application (the applicant's members)",
            schema::<VersionBody>(g),
        ),
    ] {
        paths.insert(format!("/api/v1/applications/{{id}}/{step}"), json!({
            "post": op(&format!("{what}. 409 for a stale `version` or a step the status does not allow; {who}"), "applications", json!([id_param()]), Some(body), ok(200, "the application (and the deal an award opened)", acted.clone()), &[400, 401, 403, 404, 409, 422], true),
        }));
    }
}
