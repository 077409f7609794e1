//! Every field of every form survives saving the form unchanged (`pages/form.rs`, issue #22:
//! data loss): every listing kind, an organisation profile, a policy and a target, each with
//! every field its JSON schema has filled in, are saved through their edit pages unchanged and
//! read back through the API identical.

use std::collections::HashMap;

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Every field of every form survives saving the form unchanged (issue #22: data loss).
/// A form as a browser would submit it: where it posts and every (name, value) it sends.
struct SubmittedForm {
    action: String,
    pairs: Vec<(String, String)>,
}

/// Decodes the character references a template's escaping writes.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The attributes of the tag whose text (after its name) starts `s`, and where the tag ends.
fn attributes(s: &str) -> (HashMap<String, String>, usize) {
    let mut attrs = HashMap::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attrs, (i + 1).min(s.len()));
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b' ' | b'\n' | b'\t') {
            i += 1;
        }
        let name = s[start..i].trim_end_matches('/').to_string();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let quote = bytes[i];
            assert!(quote == b'"', "unquoted attribute `{name}` in {}", &s[..i]);
            let end = i + 1 + s[i + 1..].find('"').unwrap();
            attrs.insert(name, unescape(&s[i + 1..end]));
            i = end + 1;
        } else if !name.is_empty() {
            attrs.insert(name, String::new());
        }
    }
}

/// The form of `html` whose submit button has `id="{submit_id}"`, read as a browser reads it:
/// text, date and hidden inputs, textareas (their text, lines sent as CRLF as browsers do),
/// the selected option of each select, checked boxes only.
fn form_of(html: &str, submit_id: &str) -> SubmittedForm {
    let button = html
        .find(&format!("id=\"{submit_id}\""))
        .unwrap_or_else(|| panic!("no button #{submit_id} on the page: {html}"));
    let start = html[..button]
        .rfind("<form")
        .expect("the button is in a form");
    let end = button + html[button..].find("</form>").expect("the form ends");
    let form = &html[start..end];
    let (attrs, _) = attributes(&form["<form".len()..]);
    let mut pairs = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>')
            .unwrap_or(rest.len());
        let tag = &rest[..name_end];
        let (a, len) = attributes(&rest[name_end..]);
        rest = &rest[name_end + len..];
        let Some(name) = a.get("name").cloned() else {
            continue;
        };
        match tag {
            "input" => {
                let kind = a.get("type").map_or("text", String::as_str);
                if matches!(kind, "checkbox" | "radio") && !a.contains_key("checked") {
                    continue;
                }
                let default = if kind == "checkbox" { "on" } else { "" };
                let value = a.get("value").cloned().unwrap_or_else(|| default.into());
                pairs.push((name, value));
            }
            "textarea" => {
                let close = rest.find("</textarea>").expect("the textarea ends");
                let text = unescape(&rest[..close]);
                // The HTML parser drops one line break right after `<textarea>`.
                let text = text.strip_prefix('\n').unwrap_or(&text);
                pairs.push((name, text.replace('\n', "\r\n")));
                rest = &rest[close..];
            }
            "select" => {
                let close = rest.find("</select>").expect("the select ends");
                let options = &rest[..close];
                let mut first = None;
                let mut chosen = None;
                for part in options.split("<option").skip(1) {
                    let (o, _) = attributes(part);
                    let value = o.get("value").cloned().unwrap_or_default();
                    first.get_or_insert(value.clone());
                    if o.contains_key("selected") {
                        chosen = Some(value);
                    }
                }
                if let Some(v) = chosen.or(first) {
                    pairs.push((name, v));
                }
                rest = &rest[close..];
            }
            _ => {}
        }
    }
    SubmittedForm {
        action: attrs
            .get("action")
            .cloned()
            .expect("the form has an action"),
        pairs,
    }
}

/// The properties `schema` (a record type's JSON schema) gives that `sample` leaves out or
/// empty, as JSON paths: the sample must fill every field the domain has, so that a field added
/// later is in the round trip (and fails it until a form shows it).
fn unfilled(schema: &Value, sample: &Value) -> Vec<String> {
    fn walk(defs: &Value, node: &Value, sample: &Value, path: &str, out: &mut Vec<String>) {
        let Some(props) = node.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for (key, prop) in props {
            let at = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let value = sample.get(key).unwrap_or(&Value::Null);
            let empty = match value {
                Value::Null => true,
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => false,
            };
            if empty {
                out.push(at);
                continue;
            }
            // Nested records (contact, conditions, an indicator): every field of theirs too.
            let text = prop.to_string();
            let nested = text
                .split("\"$ref\":\"#/$defs/")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|name| defs.get(name));
            if let Some(def) = nested {
                let inner = match value {
                    Value::Array(items) => &items[0],
                    other => other,
                };
                walk(defs, def, inner, &at, out);
            }
        }
    }
    let mut out = Vec::new();
    let defs = schema.get("$defs").cloned().unwrap_or_default();
    walk(&defs, schema, sample, "", &mut out);
    out
}

/// The keys of a record's JSON `fields` that no input of `form` edits and `not_on_form` does
/// not excuse. An input edits a key by its name (`title`), or a nested key by its path
/// (`contact.email`).
fn uncovered(
    fields: &serde_json::Map<String, Value>,
    form: &SubmittedForm,
    not_on_form: &[(&str, &str)],
) -> Vec<String> {
    let names: Vec<&str> = form.pairs.iter().map(|(k, _)| k.as_str()).collect();
    let shown = |n: &str| names.contains(&n) || not_on_form.iter().any(|(k, _)| *k == n);
    let mut out = Vec::new();
    for (key, value) in fields {
        if shown(key) {
            continue;
        }
        match value.as_object() {
            Some(inner) if names.iter().any(|n| n.starts_with(&format!("{key}."))) => {
                for sub in inner.keys() {
                    let path = format!("{key}.{sub}");
                    if !shown(&path) {
                        out.push(path);
                    }
                }
            }
            _ => out.push(key.clone()),
        }
    }
    out
}

/// Keys of the API's answer that are the record's bookkeeping, not its fields.
const RECORD_KEYS: &[&str] = &[
    "id",
    "kind",
    "owner_org_id",
    "created_at",
    "updated_at",
    "progress",
];

/// A stored record and its edit page, for [`round_trip`].
struct Edited<'a> {
    /// What the problems name it.
    label: &'a str,
    /// The JSON schema of its type.
    schema: Value,
    /// Where the API reads it.
    api_uri: String,
    /// Its edit page.
    edit_uri: String,
    /// The `id` of the edit form's submit button.
    submit_id: &'a str,
    /// Fields the form does not show, each with the reason.
    not_on_form: &'a [(&'a str, &'a str)],
}

/// What one record's round trip found wrong: fields the sample leaves empty, fields no input
/// edits, and fields that changed when the edit form was saved unchanged. `b` edits; `token`
/// reads the record through the API (the same account's).
async fn round_trip(b: &mut Browser<'_>, token: &str, record: Edited<'_>) -> Vec<String> {
    let Edited {
        label,
        schema,
        api_uri,
        edit_uri,
        submit_id,
        not_on_form,
    } = record;
    let app = b.app;
    let read = || async {
        app.get(&api_uri, Some(token))
            .await
            .expect(StatusCode::OK)
            .body
    };
    let mut problems = Vec::new();
    let before = read().await;
    let mut fields = before.as_object().unwrap().clone();
    // An organisation's `kind` is its own field; a listing's is the tag of its kind.
    for k in RECORD_KEYS
        .iter()
        .filter(|k| schema["properties"].get(**k).is_none())
    {
        fields.remove(*k);
    }
    for missing in unfilled(&schema, &Value::Object(fields.clone())) {
        problems.push(format!(
            "{label}: the sample leaves `{missing}` empty; fill it so the round trip covers it"
        ));
    }
    let page = b.get(&edit_uri).await;
    if page.status != StatusCode::OK {
        problems.push(format!("{label}: {edit_uri} answers {}", page.status));
        return problems;
    }
    let form = form_of(&page.body, submit_id);
    for key in uncovered(&fields, &form, not_on_form) {
        problems.push(format!("{label}: no input of {edit_uri} edits `{key}`"));
    }
    let body: Vec<String> = form
        .pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let saved = b.send("POST", &form.action, Some(body.join("&"))).await;
    if saved.status != StatusCode::SEE_OTHER {
        let shown: Vec<&str> = saved
            .body
            .split("role=\"alert\"")
            .skip(1)
            .filter_map(|s| s.split('<').next())
            .collect();
        problems.push(format!(
            "{label}: saving the unchanged form answered {} with the errors {shown:?}",
            saved.status
        ));
        return problems;
    }
    let after = read().await;
    let strip = |v: &Value| {
        let mut m = v.as_object().unwrap().clone();
        m.remove("updated_at");
        if let Some(p) = m.get_mut("progress").and_then(|p| p.as_object_mut()) {
            p.remove("as_of");
        }
        m
    };
    let (before, after) = (strip(&before), strip(&after));
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        if before.get(key) != after.get(key) {
            problems.push(format!(
                "{label}: `{key}` changed from {} to {}",
                before.get(key).map_or("(absent)".into(), |v| v.to_string()),
                after.get(key).map_or("(absent)".into(), |v| v.to_string()),
            ));
        }
    }
    problems
}

fn schema_of<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap()
}

/// One fully filled listing of each kind: text that needs escaping, list items holding commas
/// and 顿号, several lines, indicators with and without a number, every optional field set.
fn full_listings() -> Vec<(qiao_domain::Kind, Value, Value)> {
    use qiao_domain::Kind;
    use qiao_domain::listing as l;
    let contact = json!({"name": "王工 <b>", "phone": "021-5555-0101", "email": "w&g@example.cn"});
    vec![
        (
            Kind::Achievement,
            schema_of::<l::Achievement>(),
            json!({
                "title": "相变材料电池热管理 <script>alert(\"x\")</script>",
                "summary": "一种电池包热管理方法。\n第二段：& 符号与 \"引号\"。",
                "keywords": ["热管理", "相变材料、复合材料"],
                "discipline": "新能源",
                "ipc_codes": ["H01M 10/613", "G06N"],
                "patent_numbers": ["CN202310001234.5", "CN202310005678.9"],
                "trl": 6,
                "stage": "pilot",
                "transfer_modes": ["license", "equity", "joint_development"],
                "price_min_yuan": 500000,
                "price_max_yuan": 2000000,
                "district": "闵行区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Demand,
            schema_of::<l::Demand>(),
            json!({
                "title": "电池包散热",
                "description": "夏天电池包发烫。\n希望降低电芯温差。",
                "keywords": ["热管理", "固态电池，钠电池"],
                "discipline": "新能源汽车",
                "indicators": [
                    {"name": "电芯温差", "target": 5.0, "unit": "℃", "note": "满载，25℃ 环境"},
                    {"name": "外观一致性"},
                    {"name": "防护等级", "unit": "IP67"},
                    {"name": "循环 寿命", "target": 3000.5, "unit": "次 / 年"},
                    {"name": "电芯 18650 容量；常温", "target": 3000.0, "unit": "mAh"}
                ],
                "budget_min_yuan": 100000,
                "budget_max_yuan": 800000,
                "deadline": "2099-06-30",
                "cooperation_modes": ["commissioned_development", "consulting"],
                "district": "浦东新区",
                "status": "draft",
                "expires_on": "2099-12-31",
                "confidential": "电芯型号 X；供应商 Y",
                "contact": contact,
            }),
        ),
        (
            Kind::Challenge,
            schema_of::<l::Challenge>(),
            json!({
                "title": "固态电解质揭榜",
                "description": "离子电导率不足。",
                "keywords": ["固态电解质"],
                "discipline": "材料",
                "indicators": [
                    {"name": "离子电导率", "target": 0.001, "unit": "S/cm", "note": "室温"},
                    {"name": "厚度", "target": 30.0, "unit": "μm"}
                ],
                "deliverables": ["样机一台，含测试报告", "专利、论文各一项"],
                "reward_yuan": 3000000,
                "apply_from": "2099-01-01",
                "apply_until": "2099-03-31",
                "deadline": "2099-12-31",
                "district": "闵行区",
                "status": "under_review",
                "expires_on": "2099-12-31",
                "confidential": "现有工艺参数",
                "contact": contact,
            }),
        ),
        (
            Kind::Scenario,
            schema_of::<l::Scenario>(),
            json!({
                "title": "智慧园区巡检",
                "description": "园区开放巡检场景。",
                "needs": ["机器视觉，缺陷识别", "低功耗通信"],
                "keywords": ["巡检", "机器人"],
                "discipline": "人工智能",
                "budget_yuan": 1500000,
                "deadline": "2099-09-30",
                "district": "徐汇区",
                "status": "closed",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Instrument,
            schema_of::<l::Instrument>(),
            json!({
                "title": "场发射扫描电镜",
                "description": "高分辨形貌观察。",
                "model": "SU8010",
                "manufacturer": "日立",
                "discipline": "分析仪器",
                "keywords": ["电镜", "形貌"],
                "location": "材料楼 101",
                "district": "闵行区",
                "booking_terms": "提前三天预约；\n每小时 500 元。",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Expert,
            schema_of::<l::Expert>(),
            json!({
                "title": "李教授",
                "description": "电池材料专家。",
                "position": "教授, 博士生导师",
                "affiliation": "某大学材料学院",
                "discipline": "材料科学",
                "keywords": ["正极材料", "锂电池"],
                "district": "杨浦区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
        (
            Kind::Institution,
            schema_of::<l::Institution>(),
            json!({
                "title": "检测中心",
                "description": "第三方检测。",
                "services": ["电池安全检测", "EMC 测试；整改咨询"],
                "qualifications": ["CMA", "CNAS（L1234, 2023）"],
                "discipline": "检验检测",
                "keywords": ["检测"],
                "district": "嘉定区",
                "status": "open",
                "expires_on": "2099-12-31",
                "contact": contact,
            }),
        ),
    ]
}

#[tokio::test]
async fn every_form_saved_unchanged_keeps_every_field() {
    let app = TestApp::new().await;
    let mine = app.certified_org(21, "甲科技公司").await;
    let admin = app.account("admin", Role::Admin, None).await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    let mut problems = Vec::new();

    // Every listing kind, by its owner.
    let mut b = app.user("owner", Role::Member, Some(mine)).await;
    let owner = app.token_for("owner").await;
    for (kind, schema, sample) in full_listings() {
        let made = app
            .post(format!("/api/v1/{}", kind.plural()), Some(&owner), sample)
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{kind:?}: {}", made.body);
        let id = made.id();
        let listing = Edited {
            label: kind.as_str(),
            schema,
            api_uri: format!("/api/v1/{}/{id}", kind.plural()),
            edit_uri: format!("/{}/{id}/edit", kind.plural()),
            submit_id: "submit-listing",
            not_on_form: &[],
        };
        problems.extend(round_trip(&mut b, &owner, listing).await);
    }

    // The organisation profile, by a member of it.
    let doc = app
        .import_document("003.txt", fixture_bytes(WORK_PLAN))
        .await
        .id;
    let org_id = app
        .create(
            &admin,
            "/api/v1/organisations",
            json!({
                "kind": "enterprise",
                "name": "乙科技公司",
                "credit_code": code(22),
                "district": "闵行区",
                "industry_code": "C3562",
                "founded_on": "2015-03-01",
                "employees": 120,
                "revenue_yuan": 88000000,
                "rd_expense_yuan": 6000000,
                "patents": 14,
                "description": "电池热管理 <b>&</b>\n第二行。",
                "website": "https://example.cn/?a=1&b=2",
                "certificates": [{"kind": "high_tech", "number": "GR202331000123",
                                  "issued_on": "2023-12-01", "expires_on": "2026-11-30"}],
            }),
        )
        .await;
    let mut m = app.user("member", Role::Member, Some(org_id)).await;
    let member = app.token_for("member").await;
    let profile = Edited {
        label: "organisation",
        schema: schema_of::<qiao_domain::Organisation>(),
        api_uri: format!("/api/v1/organisations/{org_id}"),
        edit_uri: format!("/orgs/{org_id}/edit"),
        submit_id: "submit-form",
        not_on_form: &[
            (
                "kind",
                "the register's: set when the organisation is registered",
            ),
            (
                "name",
                "the register's name, changed through the API or an import",
            ),
            (
                "credit_code",
                "the register's identity, changed through the API or an import",
            ),
            (
                "certificates",
                "issued by the authorities, recorded through the API or an import",
            ),
        ],
    };
    problems.extend(round_trip(&mut m, &member, profile).await);

    // A policy and a target, by commission staff.
    let mut s = app.signed_in("staff").await;
    let staff = app.token_for("staff").await;
    let policy_id = app
        .create(
            &staff,
            "/api/v1/policies",
            json!({
                "title": "研发投入奖励 <i>",
                "issuer": "闵行区科学技术委员会",
                "benefit": "最高 50万元，按比例",
                "description": "申报方式：\n线上提交。",
                "document_id": doc,
                "apply_from": "2099-01-01",
                "apply_until": "2099-06-30",
                "conditions": {
                    "certificates": ["tech_sme", "high_tech"],
                    "certificate_on": "2099-01-01",
                    "districts": ["闵行区", "徐汇区"],
                    "industries": ["C35", "I65"],
                    "min_years": 1,
                    "max_years": 10,
                    "min_revenue_yuan": 1000000,
                    "max_revenue_yuan": 500000000,
                    "min_rd_ratio_percent": 3.5,
                    "min_employees": 10,
                    "max_employees": 1000,
                    "min_patents": 2,
                },
            }),
        )
        .await;
    let policy = Edited {
        label: "policy",
        schema: schema_of::<qiao_domain::Policy>(),
        api_uri: format!("/api/v1/policies/{policy_id}"),
        edit_uri: format!("/policies/{policy_id}/edit"),
        submit_id: "submit-form",
        not_on_form: &[],
    };
    problems.extend(round_trip(&mut s, &staff, policy).await);
    let target_id = app
        .create(
            &staff,
            "/api/v1/targets",
            json!({
                "region": "闵行区",
                "year": 2099,
                "indicator": "有效期内高新技术企业",
                "value": 4000.0,
                "unit": "家",
                "qualifier": "力争",
                "metric": {"kind": "newly_certified", "certificate": "high_tech"},
                "reported": 3900.5,
                "baseline": {"value": 3812.0, "as_of": "2099-03-31"},
                "document_id": doc,
                "sentence": "到2099年，高新技术企业力争达4000家，\n其中新增 500 家。",
            }),
        )
        .await;
    let target = Edited {
        label: "target",
        schema: schema_of::<qiao_domain::Target>(),
        api_uri: format!("/api/v1/targets/{target_id}"),
        edit_uri: format!("/targets/{target_id}/edit"),
        submit_id: "submit-form",
        not_on_form: &[],
    };
    problems.extend(round_trip(&mut s, &staff, target).await);

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
