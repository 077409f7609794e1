//! The OpenAPI 3.0 document served at `/api/v1/openapi.json`.
//!
//! Schemas come from the domain types themselves (via `schemars`), so the document cannot drift
//! from what the API accepts; the paths are generated from the same list of kinds the router
//! registers.

use qiao_domain::listing::{
    Achievement, Challenge, Demand, Expert, Institution, Instrument, Scenario,
};
use qiao_domain::{
    Account, AccountChange, ContactRequest, Decision, Kind, NewAccount, NewContactRequest,
    Organisation, Rule,
};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use qiao_app::credentials::{Login, NewToken};

mod applications;
mod bookings;
mod deals;
mod notifications;
mod threads;
mod valuations;

fn error_responses(codes: &[u16]) -> Map<String, Value> {
    let mut m = Map::new();
    for c in codes {
        let description = match c {
            400 => "malformed JSON or query string",
            401 => "no valid token",
            403 => "not allowed for this account",
            404 => "no such record",
            409 => "conflicts with a stored record",
            413 => "the body is larger than the route accepts",
            422 => "validation failed; `fields` names each field and the fix",
            _ => "error",
        };
        m.insert(c.to_string(), json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}));
    }
    m
}

fn ok(status: u16, description: &str, schema: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        status.to_string(),
        json!({"description": description, "content": {"application/json": {"schema": schema}}}),
    );
    m
}

fn op(
    summary: &str,
    tag: &str,
    params: Value,
    body: Option<Value>,
    mut responses: Map<String, Value>,
    errors: &[u16],
    secured: bool,
) -> Value {
    responses.extend(error_responses(errors));
    let mut o =
        json!({"summary": summary, "tags": [tag], "parameters": params, "responses": responses});
    if let Some(schema) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    if secured {
        o["security"] = json!([{"bearer": []}]);
    }
    o
}

fn query(name: &str, description: &str, ty: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": ty}})
}

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}})
}

fn record(fields: Value, extra: Value) -> Value {
    json!({"allOf": [fields, {"type": "object", "properties": extra}]})
}

fn paged(item: Value) -> Value {
    json!({"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": {"type": "array", "items": item}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}})
}

fn schema<T: JsonSchema>(g: &mut schemars::SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

fn deleted() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("204".into(), json!({"description": "deleted"}));
    m
}

/// Policies (`/policies`, `/organisations/{id}/policies`) and targets (`/targets`,
/// `/documents/{id}/targets`).
fn planning_paths(
    g: &mut schemars::SchemaGenerator,
    paths: &mut Map<String, Value>,
    paging: &[Value],
) {
    let stamps = json!({"id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"}});
    let policy_fields = schema::<qiao_domain::Policy>(g);
    let policy = record(policy_fields.clone(), stamps.clone());
    let eligibility = schema::<qiao_domain::Eligibility>(g);
    let target_fields = schema::<qiao_domain::Target>(g);
    let mut target_extra = stamps.clone();
    target_extra["progress"] = schema::<qiao_domain::target::Progress>(g);
    let target = record(target_fields.clone(), target_extra);
    let on = query(
        "on",
        "the day to check on, YYYY-MM-DD (default today, China time)",
        "string",
    );
    paths.insert("/api/v1/policies".into(), json!({
        "get": op("Enterprise-support policies, newest first", "policies", Value::Array(paging.to_vec()), None, ok(200, "a page of policies", paged(policy.clone())), &[400, 422], false),
        "post": op("Create a policy with structured eligibility conditions (admins and commission staff)", "policies", json!([]), Some(policy_fields.clone()), ok(201, "the stored policy", policy.clone()), &[400, 401, 403, 422], true),
    }));
    paths.insert("/api/v1/policies/{id}".into(), json!({
        "get": op("One policy", "policies", json!([id_param()]), None, ok(200, "the policy", policy.clone()), &[400, 404], false),
        "put": op("Replace a policy (admins and commission staff)", "policies", json!([id_param()]), Some(policy_fields), ok(200, "the stored policy", policy.clone()), &[400, 401, 403, 404, 422], true),
        "delete": op("Delete a policy (admins and commission staff)", "policies", json!([id_param()]), None, deleted(), &[401, 403, 404], true),
    }));
    let mut reach_params = paging.to_vec();
    reach_params.extend([
        id_param(),
        on.clone(),
        query("outcome", "only pass, unknown or fail", "string"),
    ]);
    paths.insert("/api/v1/policies/{id}/enterprises".into(), json!({
        "get": op("Which enterprises the policy reaches: each with pass, fail or unknown per condition and what is needed; qualifying first (admins and commission staff: the verdicts rest on private figures)", "policies", Value::Array(reach_params), None, ok(200, "counts per outcome and a page of enterprises", json!({"type": "object", "properties": {
            "on": {"type": "string", "format": "date"},
            "counts": {"type": "object", "properties": {"pass": {"type": "integer"}, "unknown": {"type": "integer"}, "fail": {"type": "integer"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "district": {"type": "string", "nullable": true}, "eligibility": eligibility.clone()}}},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}})), &[400, 401, 403, 404, 422], true),
    }));
    paths.insert("/api/v1/organisations/{id}/policies".into(), json!({
        "get": op("Every policy held against the organisation: pass, fail or unknown per condition and what would be needed; qualifying first. Private figures count only for the organisation's members, commission staff and admins", "policies", json!([id_param(), on]), None, ok(200, "policies with their eligibility", json!({"type": "array", "items": {"type": "object", "properties": {"policy": policy, "eligibility": eligibility}}})), &[400, 404, 422], false),
    }));
    let mut target_params = paging.to_vec();
    target_params.extend([
        query(
            "region",
            "region as written on the target, e.g. 闵行区",
            "string",
        ),
        query("year", "the year", "integer"),
    ]);
    paths.insert("/api/v1/targets".into(), json!({
        "get": op("A region's yearly targets with progress: the actual counted from the records where the indicator allows (certificates in force in the region), else as reported", "targets", Value::Array(target_params), None, ok(200, "a page of targets", paged(target.clone())), &[400, 422], false),
        "post": op("Enter a target by hand (admins and commission staff)", "targets", json!([]), Some(target_fields.clone()), ok(201, "the stored target with its progress", target.clone()), &[400, 401, 403, 422], true),
    }));
    paths.insert("/api/v1/targets/{id}".into(), json!({
        "get": op("One target with its progress", "targets", json!([id_param()]), None, ok(200, "the target", target.clone()), &[400, 404], false),
        "put": op("Replace a target, e.g. to report its actual (admins and commission staff)", "targets", json!([id_param()]), Some(target_fields), ok(200, "the stored target", target.clone()), &[400, 401, 403, 404, 422], true),
        "delete": op("Delete a target (admins and commission staff)", "targets", json!([id_param()]), None, deleted(), &[401, 403, 404], true),
    }));
    paths.insert("/api/v1/documents/{id}/targets".into(), json!({
        "post": op("Make targets from a document's extracted figures, in one transaction (admins and commission staff). Every target figure unless `figures` lists indices; `region` and `year` default to each figure's subject and year", "targets", json!([id_param()]), Some(json!({"type": "object", "properties": {
            "figures": {"type": "array", "items": {"type": "integer"}}, "region": {"type": "string"}, "year": {"type": "integer"}}})), ok(201, "the stored targets with progress", json!({"type": "array", "items": target})), &[400, 401, 403, 404, 422], true),
    }));
}

/// The codes of the rules a field can break, each with its description, read from the JSON
/// schema of `qiao_domain::Rule` itself (one variant, one code): a rule added to the domain is
/// documented here without anyone listing it.
pub fn rule_codes() -> Vec<(String, String)> {
    let schema = SchemaSettings::openapi3()
        .into_generator()
        .into_root_schema_for::<Rule>()
        .to_value();
    let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
    variants
        .iter()
        .filter_map(|v| {
            // OpenAPI 3.0 has no `const`: schemars' openapi3 settings write a one-value enum.
            let code = &v["properties"]["code"];
            let code = code["const"]
                .as_str()
                .or_else(|| code["enum"][0].as_str())?;
            let description = v["description"].as_str().unwrap_or("").to_string();
            Some((code.to_string(), description))
        })
        .collect()
}

/// A field error of the envelope: `field`, `code`, `message`, and beside them the values of
/// the rule (`max`, `found`, …) as the `Rule` schema lists them per code.
fn field_error_schema() -> Value {
    let codes = rule_codes();
    let listed: String = codes
        .iter()
        .map(|(code, description)| format!("\n- `{code}`: {description}"))
        .collect();
    json!({"allOf": [
        {"type": "object", "required": ["field", "code", "message"], "properties": {
            "field": {"type": "string", "description": "the field as in the JSON (`indicators[2].unit`); for an import, `line N: column` or `line N`"},
            "code": {"type": "string", "enum": codes.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
                     "description": format!("the rule the field breaks; its values (`max`, `found`, …) sit beside it:{listed}")},
            "message": {"type": "string", "description": "the rule said in English, for people; match on `code`"}}},
        {"$ref": "#/components/schemas/Rule"}
    ]})
}

/// Builds the whole document.
pub fn document() -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    // The rules' schema (each code with its values), referred to by every field error.
    g.subschema_for::<Rule>();
    let mut paths = Map::new();
    let paging = [
        query("page", "1-based page number", "integer"),
        query("per_page", "items per page, at most 200", "integer"),
    ];

    let stamps = json!({"id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"}});
    for kind in Kind::ALL {
        let fields = match kind {
            Kind::Achievement => schema::<Achievement>(&mut g),
            Kind::Demand => schema::<Demand>(&mut g),
            Kind::Challenge => schema::<Challenge>(&mut g),
            Kind::Scenario => schema::<Scenario>(&mut g),
            Kind::Instrument => schema::<Instrument>(&mut g),
            Kind::Expert => schema::<Expert>(&mut g),
            Kind::Institution => schema::<Institution>(&mut g),
        };
        let mut extra = stamps.clone();
        extra["kind"] = json!({"type": "string", "enum": [kind.as_str()]});
        extra["owner_org_id"] = json!({"type": "integer", "nullable": true});
        let rec = record(fields.clone(), extra);
        let tag = kind.plural();
        let label = format!("{} ({})", kind.label_zh(), kind.as_str());
        let mut params: Vec<Value> = paging.to_vec();
        params.extend([
            query(
                "status",
                "draft, open, under_review, awarded or closed",
                "string",
            ),
            query("district", "district, e.g. 闵行区", "string"),
            query("discipline", "field or discipline", "string"),
            query("owner_org_id", "owning organisation", "integer"),
            query(
                "active",
                "true: only open listings that have not expired",
                "boolean",
            ),
        ]);
        if kind == Kind::Challenge {
            params.extend([
                query(
                    "reward_min",
                    "only rewards of at least this many yuan",
                    "integer",
                ),
                query(
                    "reward_max",
                    "only rewards of at most this many yuan",
                    "integer",
                ),
                query(
                    "window",
                    "open: taking applications today; closing: and closing within 14 days",
                    "string",
                ),
            ]);
        }
        let create_body = record(
            fields.clone(),
            json!({"owner_org_id": {"type": "integer", "description": "admins only: the owning organisation"}}),
        );
        paths.insert(
            format!("/api/v1/{}", kind.plural()),
            json!({
                "get": op(&format!("List {label}"), tag, Value::Array(params), None, ok(200, "a page", paged(rec.clone())), &[400, 422], false),
                "post": op(&format!("Create {label}"), tag, json!([]), Some(create_body), ok(201, "created", rec.clone()), &[400, 401, 403, 422], true),
            }),
        );
        paths.insert(
            format!("/api/v1/{}/{{id}}/matches", kind.plural()),
            json!({
                "get": op(&format!("Best matches for {label}: {}, open and not expired, with reasons", qiao_search::engine::answering_kinds(kind).iter().map(|k| k.plural()).collect::<Vec<_>>().join(", ")), tag, json!([id_param(), paging[0].clone(), paging[1].clone()]), None, ok(200, "ranked matches", json!({"$ref": "#/components/schemas/SearchResults"})), &[400, 404, 422], false),
            }),
        );
        paths.insert(
            format!("/api/v1/{}/{{id}}/contact-requests", kind.plural()),
            json!({
                "post": op(&format!("Ask the owner of {label} for its contact details (tiered disclosure)"), tag, json!([id_param()]), Some(json!({"$ref": "#/components/schemas/NewContactRequest"})), ok(201, "the request, pending", json!({"$ref": "#/components/schemas/ContactRequest"})), &[400, 401, 403, 404, 409, 422], true),
            }),
        );
        paths.insert(
            format!("/api/v1/{}/{{id}}", kind.plural()),
            json!({
                "get": op(&format!("Read {label}"), tag, json!([id_param()]), None, ok(200, "the record", rec.clone()), &[404], false),
                "put": op(&format!("Replace {label}"), tag, json!([id_param()]), Some(fields.clone()), ok(200, "updated", rec.clone()), &[400, 401, 403, 404, 409, 422], true),
                "patch": op(&format!("Change fields of {label} (JSON merge patch)"), tag, json!([id_param()]), Some(json!({"type": "object"})), ok(200, "updated", rec.clone()), &[400, 401, 403, 404, 422], true),
                "delete": op(&format!("Delete {label}"), tag, json!([id_param()]), None, { let mut m = Map::new(); m.insert("204".into(), json!({"description": "deleted"})); m }, &[401, 403, 404], true),
            }),
        );
    }

    let org = schema::<Organisation>(&mut g);
    let org_rec = record(org.clone(), stamps.clone());
    let mut org_params: Vec<Value> = paging.to_vec();
    org_params.extend([
        query("kind", "organisation kind", "string"),
        query("district", "district", "string"),
        query("q", "part of the name", "string"),
    ]);
    paths.insert("/api/v1/organisations".into(), json!({
        "get": op("List organisations", "organisations", Value::Array(org_params), None, ok(200, "a page", paged(org_rec.clone())), &[400, 422], false),
        "post": op("Register an organisation (admins, commission staff)", "organisations", json!([]), Some(org.clone()), ok(201, "created", org_rec.clone()), &[400, 401, 403, 409, 422], true),
    }));
    paths.insert("/api/v1/organisations/{id}".into(), json!({
        "get": op("Read an organisation", "organisations", json!([id_param()]), None, ok(200, "the record", org_rec.clone()), &[404], false),
        "put": op("Replace an organisation", "organisations", json!([id_param()]), Some(org.clone()), ok(200, "updated", org_rec.clone()), &[400, 401, 403, 404, 409, 422], true),
        "patch": op("Change fields of an organisation (JSON merge patch)", "organisations", json!([id_param()]), Some(json!({"type": "object"})), ok(200, "updated", org_rec.clone()), &[400, 401, 403, 404, 409, 422], true),
        "delete": op("Delete an organisation (admins)", "organisations", json!([id_param()]), None, { let mut m = Map::new(); m.insert("204".into(), json!({"description": "deleted"})); m }, &[401, 403, 404, 409], true),
    }));

    // Certificate verification (commission staff, admins): crate::api::certificates.
    let n_param = json!({"name": "n", "in": "path", "required": true, "description": "the certificate's place in `certificates`, from 0", "schema": {"type": "integer"}});
    paths.insert("/api/v1/organisations/{id}/certificates/{n}/verification".into(), json!({
        "post": op("Verify or reject a certificate the organisation claims (commission staff, admins). Only verified certificates in force count in targets, statistics and policy checks; the verdict of an unchanged claim survives profile edits, a changed claim is pending again", "certificates", json!([id_param(), n_param]), Some(json!({"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["verified", "rejected"]},
            "number": {"type": "string", "description": "the number checked (verified); becomes the certificate's number"},
            "reason": {"type": "string", "description": "why (rejected; required)"},
            "kind": {"type": "string", "description": "the kind the certificate must still have (409 otherwise)"}}})), ok(200, "the organisation with the verdict", org_rec.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/certificates/pending".into(), json!({
        "get": op("Every certificate awaiting verification, with its organisation (commission staff, admins)", "certificates", json!([query("kind", "tech_sme, high_tech, little_giant, specialized or leading", "string")]), None, ok(200, "the pending claims", json!({"type": "array", "items": {"type": "object", "properties": {
            "org_id": {"type": "integer"}, "org_name": {"type": "string"}, "credit_code": {"type": "string"}, "district": {"type": "string"},
            "index": {"type": "integer"}, "certificate": {"type": "object"}}}})), &[401, 403, 422], true),
    }));
    let said = json!({"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}});
    let matched = json!({"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "org_id": {"type": "integer"}, "org_name": {"type": "string"}, "credit_code": {"type": "string"}}}});
    let mut list_responses = ok(
        200,
        "what the list verified and every line that matched nothing",
        json!({"type": "object", "properties": {
        "kind": {"type": "string"}, "verified": matched.clone(), "already_verified": matched,
        "unmatched": {"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "credit_code": {"type": "string"}, "reason": said}}}}}),
    );
    list_responses.extend(error_responses(&[400, 401, 403, 413, 422]));
    paths.insert("/api/v1/certificate-lists".into(), json!({
        "post": {
            "summary": "Apply an official list of certified enterprises (a district's 高企名单; commission staff, admins): every pending claim of the kind whose 统一社会信用代码 it names (and whose 证书编号/发证日期 agree where given) is verified",
            "tags": ["certificates"],
            "parameters": [query("kind", "which certificate the list is of (required)", "string"), query("format", "csv or xlsx (else taken from Content-Type)", "string"), query("name", "the list's name, recorded as each verification's source", "string")],
            "requestBody": {"required": true, "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": list_responses,
            "security": [{"bearer": []}],
        }
    }));

    let account = schema::<Account>(&mut g);
    paths.insert("/api/v1/tokens".into(), json!({
        "post": op("Log in and get an API token, valid for `expires_in_days` (1 to 365, default 90)", "accounts", json!([]), Some(schema::<Login>(&mut g)), ok(201, "the token, shown once, with its id and expiry", schema::<NewToken>(&mut g)), &[400, 401, 422, 429], false),
        "get": op("The caller's API tokens, newest first: id, name, created_at, expires_at (never the token)", "accounts", json!([]), None, ok(200, "the tokens", json!({"type": "array", "items": {"type": "object", "required": ["id", "name", "created_at"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": ["string", "null"], "format": "date-time"}}}})), &[401], true),
    }));
    paths.insert("/api/v1/tokens/{id}".into(), json!({
        "delete": op("Revoke one of the caller's API tokens (another's is a 404)", "accounts", json!([id_param()]), None, {
            let mut m = Map::new();
            m.insert("204".into(), json!({"description": "revoked"}));
            m
        }, &[401, 404], true),
    }));
    paths.insert("/api/v1/me".into(), json!({
        "get": op("The account of the token", "accounts", json!([]), None, ok(200, "the account", account.clone()), &[401], true),
    }));
    paths.insert("/api/v1/accounts".into(), json!({
        "get": op("List accounts (admins)", "accounts", Value::Array(paging.to_vec()), None, ok(200, "a page", paged(account.clone())), &[401, 403], true),
        "post": op("Create an account (admins)", "accounts", json!([]), Some(schema::<NewAccount>(&mut g)), ok(201, "created", account.clone()), &[400, 401, 403, 409, 422], true),
    }));
    paths.insert("/api/v1/accounts/{id}".into(), json!({
        "patch": op("Disable or re-enable an account, or reset its password (admins); either revokes the account's sessions and tokens at once, a disabled account cannot sign in, and an admin cannot disable their own account", "accounts", json!([id_param()]), Some(schema::<AccountChange>(&mut g)), ok(200, "the account", account.clone()), &[400, 401, 403, 404, 422], true),
    }));
    let contact = schema::<ContactRequest>(&mut g);
    schema::<NewContactRequest>(&mut g);
    let mut box_params = vec![query(
        "box",
        "received (default: addressed to your organisation) or sent",
        "string",
    )];
    box_params.extend(paging.iter().cloned());
    paths.insert("/api/v1/contact-requests".into(), json!({
        "get": op("Your contact requests, received or sent, newest first", "contact requests", Value::Array(box_params), None, ok(200, "a page", paged(contact.clone())), &[401, 422], true),
    }));
    paths.insert("/api/v1/contact-requests/{id}".into(), json!({
        "get": op("One contact request (its two sides and admins)", "contact requests", json!([id_param()]), None, ok(200, "the request", contact.clone()), &[401, 404], true),
    }));
    paths.insert("/api/v1/contact-requests/{id}/decision".into(), json!({
        "post": op("Accept or decline a pending request (the listing's organisation or an admin); a decline carries a reason the requester sees", "contact requests", json!([id_param()]), Some(schema::<Decision>(&mut g)), ok(200, "the decided request", contact.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    let mut audit_params = vec![
        query(
            "actor",
            "only changes made by the account with this username",
            "string",
        ),
        query(
            "entity",
            "only changes of this sort of record: listing, organisation, account, contact_request, document, policy or target",
            "string",
        ),
        query(
            "entity_id",
            "only changes of the record with this id (with entity: one record's history)",
            "integer",
        ),
        query(
            "from",
            "only changes on or after this day (YYYY-MM-DD, China Standard Time)",
            "string",
        ),
        query(
            "to",
            "only changes on or before this day (YYYY-MM-DD, China Standard Time)",
            "string",
        ),
        query(
            "format",
            "json (default: a page) or xlsx (every matching change, one row per changed field: time, actor, object, field, before, after; refused with 422 beyond 100,000 rows)",
            "string",
        ),
    ];
    audit_params.extend(paging.iter().cloned());
    let mut audit_responses = ok(
        200,
        "a page, newest first (JSON), or the workbook (format=xlsx)",
        paged(json!({"type": "object", "properties": {
        "seq": {"type": "integer"}, "entity": {"type": "string"}, "entity_id": {"type": "integer"}, "op": {"type": "string", "enum": ["insert", "update", "delete"]},
        "at": {"type": "string", "format": "date-time"}, "actor_id": {"type": "integer", "nullable": true}, "actor": {"type": "string", "nullable": true},
        "changes": {"type": "array", "nullable": true, "description": "the fields the change set, by dotted JSON path, with their values before and after (null: absent); secrets show as \"[redacted]\"; null for changes recorded before fields were kept",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "before": {}, "after": {}}}}}})),
    );
    if let Some(Value::Object(ok200)) = audit_responses.get_mut("200")
        && let Some(Value::Object(content)) = ok200.get_mut("content")
    {
        content.insert(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            json!({"schema": {"type": "string", "format": "binary"}}),
        );
    }
    paths.insert("/api/v1/audit".into(), json!({
        "get": op("The audit log: every change, who made it, when and the fields it changed, before and after (admins); filtered by actor, object and dates", "accounts", Value::Array(audit_params), None, audit_responses, &[401, 403, 422], true),
    }));
    let mut import_responses = ok(
        200,
        "what was stored",
        json!({"type": "object", "properties": {
        "organisations_created": {"type": "integer"}, "organisations_updated": {"type": "integer"},
        "listings_created": {"type": "integer"}, "listings_updated": {"type": "integer"}}}),
    );
    import_responses.extend(error_responses(&[400, 401, 403, 409, 422]));
    paths.insert("/api/v1/imports".into(), json!({
        "post": {
            "summary": "Bulk import organisations and listings (admins, commission staff); all or nothing",
            "tags": ["imports"],
            "parameters": [query("format", "jsonl, csv or xlsx (else taken from Content-Type)", "string")],
            "requestBody": {"required": true, "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": import_responses,
            "security": [{"bearer": []}],
        }
    }));
    let mut search_params: Vec<Value> = vec![
        json!({"name": "q", "in": "query", "required": true, "description": "words to search for, simplified or traditional script", "schema": {"type": "string"}}),
        query(
            "type",
            "comma-separated kinds, e.g. achievement,expert",
            "string",
        ),
        query(
            "status",
            "open, under_review, awarded or closed (drafts are never searched)",
            "string",
        ),
        query("district", "district, e.g. 闵行区", "string"),
        query("discipline", "field or discipline", "string"),
        query(
            "active",
            "true: only open listings that have not expired",
            "boolean",
        ),
    ];
    search_params.extend(paging.iter().cloned());
    paths.insert("/api/v1/search".into(), json!({
        "get": op("Search every listing by free text, in either script; hits with score, reasons and highlighted snippets. `type=document` searches imported policy documents instead", "search", Value::Array(search_params), None, ok(200, "ranked hits", json!({"oneOf": [{"$ref": "#/components/schemas/SearchResults"}, {"$ref": "#/components/schemas/DocumentSearchResults"}]})), &[400, 422], false),
    }));
    let mut upload = op(
        "Import a policy or news document: the body is the file's raw bytes (UTF-8, GBK, GB18030 or Big5; text or HTML). Admins and commission staff. 409 with `Location` naming the stored copy when the same bytes were imported before",
        "documents",
        json!([{"name": "name", "in": "query", "required": true, "description": "the file's name; .html/.htm are read as HTML, anything else by its content", "schema": {"type": "string"}}]),
        None,
        ok(
            201,
            "the stored document",
            json!({"$ref": "#/components/schemas/Document"}),
        ),
        &[401, 403, 409, 413, 422],
        true,
    );
    upload["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
    let mut doc_params: Vec<Value> = paging.to_vec();
    doc_params.push(query("script", "hans, hant, mixed or none", "string"));
    paths.insert("/api/v1/documents".into(), json!({
        "get": op("Imported documents, newest first", "documents", Value::Array(doc_params), None, ok(200, "a page of documents", paged(json!({"$ref": "#/components/schemas/DocumentSummary"}))), &[400, 422], false),
        "post": upload,
    }));
    for (action, what) in [
        ("publish", "Publish a draft: anyone may read and search it"),
        (
            "unpublish",
            "Take a document back to draft: only staff and admins see it, search does not find it",
        ),
    ] {
        paths.insert(format!("/api/v1/documents/{{id}}/{action}"), json!({
            "post": op(&format!("{what} (admins and commission staff)"), "documents", json!([id_param()]), None, ok(200, "the document's summary with its `state`", json!({"type": "object"})), &[401, 403, 404], true),
        }));
    }
    paths.insert("/api/v1/documents/{id}".into(), json!({
        "get": op("One part of a document: metadata, at most 50 KB of the cleaned text (cut at a line break), at most 200 figures and 200 removed lines with reasons; `parts` says how many parts there are. 422 naming `part` past the last", "documents", json!([id_param(), query("part", "1-based part (default 1)", "integer")]), None, ok(200, "the document", json!({"$ref": "#/components/schemas/Document"})), &[400, 404, 422], false),
        "delete": op("Delete a document (admins and commission staff)", "documents", json!([id_param()]), None, {
            let mut m = Map::new();
            m.insert("204".into(), json!({"description": "deleted"}));
            m
        }, &[401, 403, 404], true),
    }));
    planning_paths(&mut g, &mut paths, &paging);
    deals::paths(&mut g, &mut paths, &paging);
    valuations::paths(&mut g, &mut paths);
    applications::paths(&mut g, &mut paths, &paging);
    bookings::paths(&mut g, &mut paths, &paging);
    threads::paths(&mut g, &mut paths);
    notifications::paths(&mut g, &mut paths);
    paths.insert("/api/v1/search/status".into(), json!({
        "get": op("How far the search index has followed the database", "search", json!([]), None, ok(200, "index progress", json!({"type": "object", "properties": {
            "indexed_seq": {"type": "integer"}, "database_seq": {"type": "integer"}, "documents": {"type": "integer"}, "up_to_date": {"type": "boolean"},
            "semantic": {"type": "object", "description": "semantic matching: `state` on, preparing (fetching or loading the model) or off (with a `note` saying why and how to turn it on); `embedded` of `total` indexed records have a vector, up to feed position `embedded_seq`", "properties": {
                "state": {"type": "string", "enum": ["on", "preparing", "off"]}, "note": {"type": "string"},
                "embedded": {"type": "integer"}, "total": {"type": "integer"}, "embedded_seq": {"type": "integer"},
                "in_use": {"type": "boolean", "description": "whether meaning takes part in ranking now (vectors cover at least 95 % of the indexed records)"}}}}})), &[], false),
    }));
    paths.insert("/api/v1/health".into(), json!({
        "get": op("Liveness and the change-feed position", "meta", json!([]), None, ok(200, "healthy", json!({"type": "object"})), &[], false),
    }));

    let mut schemas = g.take_definitions(true);
    // Apart: one json! of the whole schema exceeds the macro recursion limit.
    let signals = json!({"type": "array", "description": "every part of the score", "items": {"type": "object", "properties": {
        "name": {"type": "string", "enum": ["lexical", "semantic", "neighbour", "discipline", "ipc", "district", "maturity", "budget"], "description": "lexical: shared terms; semantic: similar meaning (embedding cosine); neighbour: shares terms with the closest match by meaning; the rest: structured agreement"},
        "weight": {"type": "number"}, "label": {"type": "string"}}}});
    let reasons = json!({"type": "array", "description": "why, in plain words (no rank, cosine or score)", "items": {"type": "object", "properties": {
        "code": {"type": "string", "enum": ["topic", "meaning", "terms", "discipline", "ipc", "district", "maturity", "budget", "weak"]},
        "text": {"type": "string", "description": "in Chinese, e.g. 共同关键词：电池、热管理"}, "text_en": {"type": "string"}}}});
    let hit = json!({"type": "object", "required": ["id", "kind", "title", "score", "strength", "reasons", "signals", "matched_terms", "snippets"], "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"},
                "owner_org_id": {"type": "integer", "nullable": true}, "status": {"type": "string"},
                "district": {"type": "string", "nullable": true}, "discipline": {"type": "string", "nullable": true},
                "score": {"type": "number"},
                "strength": {"type": "string", "enum": ["strong", "possible"], "description": "strong: stands out from the query's background by meaning (calibrated on demands with and without their answers); strong hits come first"},
                "reasons": reasons,
                "signals": signals,
                "matched_terms": {"type": "array", "items": {"type": "string"}, "description": "query terms found, as written in the listing"},
                "snippets": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string", "enum": ["title", "keywords", "body"]},
                    "text": {"type": "string", "description": "excerpt in the listing's original script"},
                    "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}, "description": "[start, end) byte offsets of matches in text"}}}}
    }});
    schemas.insert("SearchResults".into(), json!({
        "type": "object", "required": ["hits", "matched", "strong", "with_words", "fresh", "ranker", "page", "per_page"],
        "properties": {
            "source": {"type": "object", "description": "the listing matched against (matches only)", "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"}}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "matched": {"type": "integer", "description": "listings retrieved (counted up to 200)"},
            "strong": {"type": "integer", "description": "how many of `matched` are strong: the number of results worth a person's time"},
            "with_words": {"type": "integer", "description": "how many of `matched` share a word with the query; the rest are only near it in meaning"},
            "fresh": {"type": "boolean", "description": "whether the index had caught up with every write"},
            "ranker": {"type": "string", "enum": ["lexical", "hybrid"], "description": "lexical: shared terms only (a pasted document, a confident lexical match, or no model); hybrid: shared terms and meaning fused"},
            "hits": {"type": "array", "items": hit}
        }
    }));
    let doc_meta = json!({
        "id": {"type": "integer"}, "file_name": {"type": "string"},
        "title": {"type": "string", "nullable": true}, "published": {"type": "string", "format": "date", "nullable": true},
        "source": {"type": "string", "nullable": true}, "doc_number": {"type": "string", "nullable": true},
        "script": {"type": "string", "enum": ["hans", "hant", "mixed", "none"]},
        "encoding": {"type": "string", "enum": ["utf-8", "gbk", "gb18030", "big5"]},
        "created_at": {"type": "string", "format": "date-time"}});
    let mut full = doc_meta.clone();
    full["sha256"] = json!({"type": "string", "description": "SHA-256 of the bytes imported"});
    full["text"] = json!({"type": "string", "description": "this part of the cleaned article, original script: the bytes `text_range` of the whole"});
    full["part"] = json!({"type": "integer", "description": "which part this is, from 1"});
    full["parts"] = json!({"type": "integer", "description": "how many parts the document has"});
    full["text_range"] = json!({"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2, "description": "[start, end) byte offsets of `text` in the whole text"});
    full["text_bytes"] =
        json!({"type": "integer", "description": "length of the whole text in bytes"});
    full["figures_from"] = json!({"type": "integer", "description": "index of this part's first figure in the whole list (the targets endpoint numbers figures so)"});
    full["figures_total"] = json!({"type": "integer"});
    full["removed_from"] = json!({"type": "integer"});
    full["removed_total"] = json!({"type": "integer"});
    full["removed"] = json!({"type": "array", "items": {"type": "object", "properties": {
        "text": {"type": "string"}, "reason": {"type": "string"}}}});
    full["figures"] = json!({"type": "array", "items": {"type": "object", "properties": {
        "indicator": {"type": "string"}, "value": {"type": "number", "description": "in base units (230亿元 → 23000000000); the low end of a range"},
        "value_max": {"type": "number", "description": "the high end of a range (300至500家), when the text gives one"},
        "unit": {"type": "string"}, "raw": {"type": "string"}, "qualifier": {"type": "string", "nullable": true},
        "year": {"type": "integer", "nullable": true}, "subject": {"type": "string", "nullable": true},
        "kind": {"type": "string", "enum": ["target", "fact"]}, "sentence": {"type": "string"}}}});
    full["undecodable"] = json!({"type": "array", "items": {"type": "object", "properties": {
        "offset": {"type": "integer"}, "bytes": {"type": "string", "description": "hexadecimal"}}}});
    schemas.insert(
        "Document".into(),
        json!({"type": "object", "properties": full}),
    );
    let mut summary = doc_meta.clone();
    summary["figures"] =
        json!({"type": "integer", "description": "how many figures the document holds"});
    schemas.insert(
        "DocumentSummary".into(),
        json!({"type": "object", "properties": summary}),
    );
    schemas.insert("DocumentSearchResults".into(), json!({
        "type": "object", "required": ["hits", "matched", "fresh", "page", "per_page"],
        "properties": {
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "matched": {"type": "integer", "description": "documents that matched (counted up to 200)"},
            "fresh": {"type": "boolean"},
            "hits": {"type": "array", "items": {"type": "object", "required": ["type", "id", "score", "matched_terms", "snippets"], "properties": {
                "type": {"type": "string", "enum": ["document"]}, "id": {"type": "integer"},
                "title": {"type": "string", "nullable": true}, "published": {"type": "string", "nullable": true},
                "source": {"type": "string", "nullable": true}, "doc_number": {"type": "string", "nullable": true},
                "script": {"type": "string"}, "score": {"type": "number", "description": "text relevance relative to the best hit"},
                "matched_terms": {"type": "array", "items": {"type": "string"}},
                "snippets": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string"}, "text": {"type": "string"},
                    "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}}}}}}}
        }
    }));
    // Added apart: one json! literal this deep exceeds the macro recursion limit.
    if let Some(Value::Object(hit)) = schemas
        .get_mut("SearchResults")
        .and_then(|r| r.pointer_mut("/properties/hits/items/properties"))
    {
        hit.insert("stage".into(), json!({"type": "string", "enum": ["lab", "small_pilot", "pilot", "industrial"], "description": "maturity (achievements)"}));
        hit.insert(
            "expires_on".into(),
            json!({"type": "string", "format": "date", "description": "last day open, if set"}),
        );
    }
    schemas.insert("Error".into(), json!({
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": ["malformed_request", "validation_failed", "unauthenticated", "forbidden", "not_found", "conflict", "payload_too_large", "too_many_requests", "internal", "unavailable"]},
            "message": {"type": "string"},
            "fields": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        }}}
    }));
    schemas.insert("FieldError".into(), field_error_schema());
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Qiao (桥) API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Technology-transfer marketplace: achievements, demands, challenges, scenarios, resources and organisations; deals, technology contracts and their registration, and contract statistics."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })
}
