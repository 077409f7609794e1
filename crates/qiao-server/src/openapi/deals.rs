//! The OpenAPI paths of deals, technology contracts, their registration and the contract
//! statistics (`api/deals.rs`, `api/contracts.rs`, `api/statistics.rs`). Apart from the
//! rest of the document because these routes share their record shapes (a deal's view holds
//! its contracts) and together would make `document` too long to read.
//!
//! Request bodies and domain records come from the types themselves (`schemars`); the
//! stored records and views, which live in the store and the application layer without a
//! schema, are written here field by field after their serde shapes.

use qiao_domain::{
    Contract, Deal, DealEvent, Finding, Forecast, Registration, RegistrationEvent,
    StageProbabilities,
};
use serde_json::{Map, Value, json};

use super::{id_param, ok, op, paged, query, record, schema};
use crate::api::contracts::{EditBody, RegistrationBody};
use crate::api::deals::{ActionBody, ClaimBody, FromMatch};

/// `id`, `version`, who recorded it and when: the bookkeeping of a deal or contract record.
fn versioned() -> Value {
    json!({
        "id": {"type": "integer"},
        "version": {"type": "integer", "description": "rises by one with every write; send it back with a change, which is refused (409) if the record changed since"},
        "created_by": {"type": "integer", "nullable": true, "description": "the account that recorded it; null for imports and the demo"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}})
}

/// Adds the paths of deals, contracts and statistics to `paths`.
pub(super) fn paths(
    g: &mut schemars::SchemaGenerator,
    paths: &mut Map<String, Value>,
    paging: &[Value],
) {
    let deal = record(schema::<Deal>(g), versioned());
    let deal_event = record(
        schema::<DealEvent>(g),
        json!({"id": {"type": "integer"}, "deal_id": {"type": "integer"}}),
    );
    let mut contract_fields = versioned();
    contract_fields["contract"] = schema::<Contract>(g);
    contract_fields["registration"] = schema::<Registration>(g);
    let contract = json!({"type": "object", "properties": contract_fields});
    let contract_event = record(
        schema::<RegistrationEvent>(g),
        json!({"id": {"type": "integer"}, "contract_id": {"type": "integer"}}),
    );
    let finding = schema::<Finding>(g);
    let deal_view = json!({"type": "object", "required": ["record", "events", "contracts", "may_change"], "properties": {
        "record": deal.clone(),
        "events": {"type": "array", "items": deal_event, "description": "the history, oldest first"},
        "contracts": {"type": "array", "items": contract.clone(), "description": "the contracts recorded from it"},
        "may_change": {"type": "boolean", "description": "whether the caller may act on it"}}});
    let contract_view = json!({"type": "object", "required": ["record", "events", "findings", "access"], "properties": {
        "record": contract.clone(),
        "events": {"type": "array", "items": contract_event, "description": "the registration history, oldest first"},
        "findings": {"type": "array", "items": finding.clone(), "description": "the pre-check (登记预检): what blocks registration, what warns, the tax treatments it supports"},
        "access": {"type": "object", "description": "what the caller may do", "properties": {
            "read": {"type": "boolean"}, "edit": {"type": "boolean", "description": "change the terms while a draft or being corrected"},
            "seller": {"type": "boolean", "description": "submit and withdraw"}, "registrar": {"type": "boolean", "description": "act as the registration point"}}}}});
    let probabilities = schema::<StageProbabilities>(g);

    let mut deal_params = paging.to_vec();
    deal_params.extend([
        query(
            "manager",
            "only deals this technology manager (account id) brokers (staff; a manager always sees their own)",
            "integer",
        ),
        query("district", "district, e.g. 闵行区", "string"),
        query("field", "technology field code, e.g. new_energy", "string"),
        query(
            "stage",
            "lead, contact, due_diligence, negotiation, signing, registration, performance or done",
            "string",
        ),
        query("status", "open, paused, terminated or won", "string"),
        query(
            "overdue",
            "true: only deals whose next step is past its due date",
            "boolean",
        ),
    ]);
    paths.insert("/api/v1/deals".into(), json!({
        "get": op("The deals the caller may see, most recently changed first: a technology manager the deals they broker, a member its organisation's, staff every deal", "deals", Value::Array(deal_params), None, ok(200, "a page of deals", paged(deal.clone())), &[400, 401, 403, 422], true),
        "post": op("Open a deal by hand (technology managers and staff); the opening manager brokers it alone unless `managers` says otherwise, the district is the seller's unless given", "deals", json!([]), Some(schema::<qiao_app::deals::NewDeal>(g)), ok(201, "the deal's view", deal_view.clone()), &[400, 401, 403, 422], true),
    }));
    paths.insert("/api/v1/deals/leads".into(), json!({
        "get": op("Accepted contact requests no deal follows yet, newest first: where a technology manager finds work (managers and staff)", "deals", json!([]), None, ok(200, "the leads", json!({"type": "array", "items": {"type": "object", "properties": {
            "contact_request_id": {"type": "integer"}, "listing_id": {"type": "integer"}, "listing_title": {"type": "string"},
            "accepted_at": {"type": "string", "format": "date-time"}}}})), &[401, 403], true),
    }));
    paths.insert("/api/v1/deals/from-contact/{contact_request_id}".into(), json!({
        "post": op("Open a deal from an accepted contact request in one call: its listing, the seller and buyer (by the listing's kind) and the request as origin, at the stage 对接洽谈 (technology managers and staff). 409 when the request is not accepted or a deal already follows it", "deals",
            json!([{"name": "contact_request_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}]),
            None, ok(201, "the deal's view", deal_view.clone()), &[401, 403, 404, 409], true),
    }));
    paths.insert("/api/v1/deals/from-match".into(), json!({
        "post": op("Open a deal from a match between two listings: both listings, their owners as seller and buyer, the match as origin (technology managers and staff)", "deals", json!([]), Some(schema::<FromMatch>(g)), ok(201, "the deal's view", deal_view.clone()), &[400, 401, 403, 404, 422], true),
    }));
    paths.insert("/api/v1/deals/{id}".into(), json!({
        "get": op("A deal with its history, its contracts and whether the caller may change it (its parties' members, its managers and staff; 404 for anyone else)", "deals", json!([id_param()]), None, ok(200, "the deal's view", deal_view.clone()), &[401, 404], true),
    }));
    paths.insert("/api/v1/deals/{id}/actions".into(), json!({
        "post": op("Change a deal (its managers and staff): move its stage, pause, resume, terminate with a reason, win (at 签约), set the next step, the expectation or the managers. 409 for a stale `version` or a step the stage or status does not allow", "deals", json!([id_param()]), Some(schema::<ActionBody>(g)), ok(200, "the deal's view", deal_view.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/deals/unclaimed".into(), json!({
        "get": op("Open or paused deals no technology manager brokers yet (an award to a 揭榜 application opens one), most recently changed first (technology managers and staff)", "deals", json!([]), None, ok(200, "the deals", json!({"type": "array", "items": deal.clone()})), &[401, 403], true),
    }));
    paths.insert("/api/v1/deals/{id}/claim".into(), json!({
        "post": op("A technology manager takes on a deal without a manager (认领), with the whole credit. 409 when it changed since `version` was read, or (for a deal the caller may read) has a manager already or has ended; 404 for any other deal", "deals", json!([id_param()]), Some(schema::<ClaimBody>(g)), ok(200, "the deal's view", deal_view.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/settings/stage-probabilities".into(), json!({
        "get": op("The chance per stage, in basis points, that the forecast weighs an open deal's expected amount by", "deals", json!([]), None, ok(200, "the probabilities", probabilities.clone()), &[401], true),
        "put": op("Set the stage probabilities (staff and admins): each 0 to 10000, none below an earlier stage's", "deals", json!([]), Some(probabilities.clone()), ok(200, "the probabilities stored", probabilities.clone()), &[400, 401, 403, 422], true),
    }));

    let mut contract_params = paging.to_vec();
    contract_params.extend([
        query(
            "state",
            "draft, submitted, correcting, registered, refused or cancelled",
            "string",
        ),
        query("year", "only contracts registered in this year", "integer"),
        query(
            "kind",
            "contract type code, e.g. transfer_patent, development_commissioned",
            "string",
        ),
        query("field", "technology field code, e.g. new_energy", "string"),
        query(
            "district",
            "only contracts with a party (seller or buyer) in this district",
            "string",
        ),
        query("deal", "only contracts recorded from this deal", "integer"),
    ]);
    let contract_body = schema::<Contract>(g);
    paths.insert("/api/v1/contracts".into(), json!({
        "get": op("The technology contracts the caller may read, newest first: staff every contract, a technology manager those of the deals they broker, a member its organisation's", "contracts", Value::Array(contract_params), None, ok(200, "a page of contracts", paged(contract.clone())), &[400, 401, 403, 422], true),
        "post": op("Record a technology contract as a draft (a member of one of its parties, the technology manager of its `deal_id`, staff). Amounts in 分", "contracts", json!([]), Some(contract_body.clone()), ok(201, "the contract's view, with the pre-check", contract_view.clone()), &[400, 401, 403, 404, 422], true),
    }));
    paths.insert("/api/v1/contracts/precheck".into(), json!({
        "post": op("The registration pre-check (登记预检) of a contract that is not stored: what would make the registry refuse it, what it warns of, and the tax treatments a registered contract of its type supports, each with its source", "contracts", json!([]), Some(contract_body.clone()), ok(200, "the findings", json!({"type": "object", "required": ["submittable", "findings"], "properties": {
            "submittable": {"type": "boolean", "description": "whether nothing found blocks registration"},
            "findings": {"type": "array", "items": finding}}})), &[400, 422], false),
    }));
    paths.insert("/api/v1/contracts/{id}".into(), json!({
        "get": op("A contract with its registration history, the pre-check and what the caller may do (404 for anyone who may not read it)", "contracts", json!([id_param()]), None, ok(200, "the contract's view", contract_view.clone()), &[401, 404], true),
        "put": op("Replace the terms of a draft or a contract being corrected (its parties and their technology manager). 409 for a stale `version` or a contract past that", "contracts", json!([id_param()]), Some(schema::<EditBody>(g)), ok(200, "the contract's view", contract_view.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/contracts/{id}/registration".into(), json!({
        "post": op("A registration (认定登记) step: the seller's side submits (refused with 422 naming what to fix while the pre-check finds something blocking) or withdraws; staff, as registration point `point`, request corrections, register with a 16-digit 登记号, refuse on one of the registry's grounds, amend or cancel. 409 for a step the state does not allow or a stale `version`", "contracts", json!([id_param()]), Some(schema::<RegistrationBody>(g)), ok(200, "the contract's view", contract_view), &[400, 401, 403, 404, 409, 422], true),
    }));

    let turnover = json!({"type": "object", "required": ["contracts", "amount_fen", "technical_fen"], "properties": {
        "contracts": {"type": "integer", "description": "registered contracts counted"},
        "amount_fen": {"type": "integer", "description": "合同成交额 in 分"},
        "technical_fen": {"type": "integer", "description": "技术交易额 (less non-technical items) in 分"}}});
    let breakdown = |what: &str| {
        json!({"type": "array", "description": format!("{what}: each row a pair [key, turnover], sorted by key; the rows add up to `total`"),
               "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"oneOf": [{"type": "string"}, turnover.clone()]}}})
    };
    let statistics = json!({"type": "object", "properties": {
        "year": {"type": "integer"}, "district": {"type": "string", "nullable": true},
        "total": turnover.clone(),
        "by_month": breakdown("by month of registration, 01 to 12"),
        "by_kind": breakdown("by contract type code"),
        "by_field": breakdown("by technology field code"),
        "by_district_out": breakdown("for a district: where its buyers are; for the platform: 输出 by the seller's district"),
        "by_district_in": breakdown("for a district: where the sellers it absorbs from are; for the platform: 吸纳 by the buyer's district"),
        "absorbed": turnover.clone()}});
    let view = json!({"type": "object", "required": ["statistics", "managers", "forecast", "probabilities"], "properties": {
        "statistics": statistics,
        "managers": {"type": "array", "description": "credit by technology manager: each registered contract from a deal they broker, apportioned by their share", "items": {"type": "object", "properties": {
            "account_id": {"type": "integer"}, "name": {"type": "string"}, "turnover": turnover}}},
        "forecast": schema::<Forecast>(g),
        "probabilities": probabilities}});
    paths.insert("/api/v1/statistics/contracts".into(), json!({
        "get": op("技术合同成交额 and 技术交易额 of the contracts registered in a year (by registration date), by month, type, field, 输出 and 吸纳, and by technology manager, with the forecast of the open deals (staff, admins and technology managers: sums over few contracts give amounts away)", "statistics",
            json!([query("year", "the year (default: this year)", "integer"), query("district", "the district (by the seller's: 输出); the whole platform when absent", "string")]),
            None, ok(200, "the statistics", view), &[400, 401, 403, 422], true),
    }));
}
