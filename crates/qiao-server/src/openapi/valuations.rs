//! The OpenAPI paths of valuations (`api/valuations.rs`): saving versions of an achievement's
//! or a deal's valuation, reading them, and the reference table of industry shares.

use qiao_domain::valuation::{Inputs, Reference, Valuation};
use serde_json::{Map, Value, json};

use super::{id_param, ok, op, schema};
use crate::api::valuations::SaveBody;

/// Adds the valuation paths to `paths`.
pub(super) fn paths(g: &mut schemars::SchemaGenerator, paths: &mut Map<String, Value>) {
    let record = json!({"type": "object", "required": ["id", "subject", "version", "note", "inputs", "result", "created_at"], "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "object", "description": "what it values: {\"kind\": \"listing\" or \"deal\", \"id\": …}", "properties": {
            "kind": {"type": "string", "enum": ["listing", "deal"]}, "id": {"type": "integer"}}},
        "version": {"type": "integer", "description": "1 for the subject's first save, then 2, 3…; earlier versions are kept unchanged"},
        "note": {"type": "string"},
        "inputs": schema::<Inputs>(g),
        "result": schema::<Valuation>(g),
        "created_by": {"type": "integer", "nullable": true},
        "created_at": {"type": "string", "format": "date-time"}}});
    let list = json!({"type": "array", "items": record.clone(), "description": "newest first, at most 200"});
    let vid = json!({"name": "vid", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}});
    for (path, what, who) in [
        (
            "listings",
            "an achievement",
            "its owner's members, the technology managers of a deal about it, commission staff and admins; 403 for another account that can see the achievement, 404 for a draft it cannot",
        ),
        (
            "deals",
            "a deal",
            "those who may read the deal (its managers, its parties' members, staff); 404 for anyone else",
        ),
    ] {
        paths.insert(format!("/api/v1/{path}/{{id}}/valuations"), json!({
            "get": op(&format!("The saved valuation versions of {what}, newest first ({who})"), "valuations", json!([id_param()]), None, ok(200, "the versions", list.clone()), &[401, 403, 404], true),
            "post": op(&format!("Value {what} by the income, cost and market approaches and save the result as its next version ({who}). Amounts in 分, rates in percent; a `market` with an empty `comparables` list gets the registered contracts of a compatible type closest to the achievement's text, each with its similarity and why. Every bad input is a 422 naming its field (`inputs.income.share.low_pct`)"), "valuations", json!([id_param()]), Some(schema::<SaveBody>(g)), ok(201, "the saved version", record.clone()), &[400, 401, 403, 404, 422], true),
        }));
        paths.insert(format!("/api/v1/{path}/{{id}}/valuations/{{vid}}"), json!({
            "get": op(&format!("One saved valuation version of {what} ({who})"), "valuations", json!([id_param(), vid.clone()]), None, ok(200, "the version", record.clone()), &[401, 403, 404], true),
        }));
    }
    let reference = schema::<Reference>(g);
    paths.insert("/api/v1/settings/valuation-reference".into(), json!({
        "get": op("The reference table beside a valuation's inputs: share (分成率) ranges by industry, risk-premium caps and defaults, with their source and year", "valuations", json!([]), None, ok(200, "the table", reference.clone()), &[401], true),
        "put": op("Replace the reference table (staff and admins); every range 0–100 %, low ≤ high", "valuations", json!([]), Some(reference.clone()), ok(200, "the table stored", reference), &[400, 401, 403, 422], true),
    }));
}
