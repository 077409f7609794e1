//! Typed field errors end to end (issue #23 step 4): a refused field travels in the API's
//! envelope as its rule's code and values beside the English message, an import names the
//! line and column with the same rule, a page says the same rule in the visitor's language, and
//! the OpenAPI document lists exactly the codes the domain's `Rule` has. What every route that
//! takes input shares, so it sits beside `router.rs`.

use std::collections::BTreeSet;

use axum::http::Method;
use qiao_domain::{FieldError, Rule};
use serde_json::json;

use crate::common::{Browser, Reply, StatusCode, TestApp};

/// A valid 统一社会信用代码, and the same code with a wrong check character.
fn codes(n: u32) -> (String, String, char, char) {
    let first = format!("91310000MA1K{n:05}");
    let check = qiao_domain::codes::credit_code_check_char(&first).unwrap();
    let wrong = if check == '3' { '4' } else { '3' };
    (
        format!("{first}{check}"),
        format!("{first}{wrong}"),
        wrong,
        check,
    )
}

/// The `fields` of an error envelope, read back as field errors.
fn fields(r: &Reply) -> Vec<FieldError> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "validation_failed", "{}", r.body);
    serde_json::from_value(r.body["error"]["fields"].clone()).unwrap()
}

/// The text of the error shown beside field `name` of a page.
fn field_error<'a>(html: &'a str, name: &str) -> &'a str {
    crate::common::field_error(html, name).trim()
}

/// Posts the registration form as a browser in language `lang` would.
async fn register(
    app: &TestApp,
    lang: &str,
    form: &[(&str, &str)],
) -> crate::common::browser::Page {
    let mut b = Browser::new(app);
    b.cookies.insert("qiao_lang".into(), lang.into());
    b.post_form("/register", form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_envelope_carries_each_rules_code_and_values() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (_, bad, found, expected) = codes(1);

    // A wrong check character: the code, the code given, what it ends with and what it should.
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&admin),
            json!({"kind": "enterprise", "name": "甲公司", "credit_code": bad}),
        )
        .await;
    let rule = Rule::WrongCheckCharacter {
        value: bad.clone(),
        found,
        expected,
    };
    assert_eq!(fields(&r), [FieldError::new("credit_code", rule.clone())]);
    let entry = &r.body["error"]["fields"][0];
    assert_eq!(entry["code"], "wrong_check_character");
    assert_eq!(entry["found"], found.to_string());
    assert_eq!(entry["expected"], expected.to_string());
    assert_eq!(entry["message"], rule.en());
    // The envelope's message names the field with the same English as before typed errors.
    assert_eq!(
        r.body["error"]["message"],
        format!(
            "credit_code: 统一社会信用代码 `{bad}` has a wrong check character `{found}` (expected `{expected}`)"
        )
    );

    // Every broken rule of a record at once, each with its own code.
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&admin),
            json!({"kind": "enterprise", "name": "乙\u{1b}公司", "credit_code": "9131",
                   "industry_code": "X1", "revenue_yuan": -5}),
        )
        .await;
    let codes: Vec<(String, String)> = fields(&r)
        .into_iter()
        .map(|e| (e.field, e.rule.code()))
        .collect();
    assert_eq!(
        codes,
        [
            ("name".into(), "control_character".into()),
            ("credit_code".into(), "wrong_length".into()),
            ("industry_code".into(), "bad_format".into()),
            ("revenue_yuan".into(), "negative".into()),
        ]
    );
    let entries = &r.body["error"]["fields"];
    assert_eq!(entries[0]["code_point"], 0x1b);
    assert_eq!(entries[0]["at"], 2);
    assert_eq!(entries[1]["found"], 4);
    assert_eq!(entries[2]["format"], "industry_code");

    // The shape of the JSON: unknown, mistyped and missing fields are rules too.
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&admin),
            json!({"kind": "enterprise", "name": "丙", "credit_code": "x", "nmae": 1}),
        )
        .await;
    let [e] = fields(&r).try_into().unwrap();
    assert_eq!(e.field, "nmae");
    assert!(
        matches!(&e.rule, Rule::UnknownField { found, expected } if found == "nmae" && expected.contains(&"name".to_string())),
        "{e:?}"
    );
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&admin),
            json!({"kind": "enterprise", "name": "丙", "credit_code": "x", "employees": "many"}),
        )
        .await;
    let [e] = fields(&r).try_into().unwrap();
    assert_eq!(e.field, "employees");
    assert_eq!(r.body["error"]["fields"][0]["code"], "wrong_type");
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&admin),
            json!({"kind": "enterprise", "name": "丙"}),
        )
        .await;
    assert_eq!(fields(&r), [FieldError::new("credit_code", Rule::Required)]);

    // A query parameter out of its range.
    let r = app.get("/api/v1/demands?per_page=0", None).await;
    let [e] = fields(&r).try_into().unwrap();
    assert_eq!(e.field, "per_page");
    assert!(
        matches!(e.rule, Rule::OutOfRange { min: 1, found, .. } if found == 0.0),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_names_line_and_column_with_the_same_rule() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (good, bad, found, expected) = codes(2);
    let csv = format!(
        "类型,机构类型,机构名称,统一社会信用代码\n机构,企业,甲公司,{good}\n机构,企业,乙公司,{bad}\n"
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/imports?format=csv",
            Some(&admin),
            Some((csv.into_bytes(), "text/csv")),
        )
        .await;
    assert_eq!(
        fields(&r),
        [FieldError::new(
            "line 3: column 统一社会信用代码 (credit_code)",
            Rule::WrongCheckCharacter {
                value: bad,
                found,
                expected
            }
        )]
    );
    assert_eq!(
        r.body["error"]["message"],
        "1 bad rows; nothing was imported"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_says_the_rule_in_the_visitors_language() {
    let app = TestApp::new().await;
    let (_, bad, found, expected) = codes(3);
    let rule = Rule::WrongCheckCharacter {
        value: bad.clone(),
        found,
        expected,
    };
    let form = [
        ("name", "新电池公司"),
        ("kind", "enterprise"),
        ("credit_code", bad.as_str()),
        ("username", "newco"),
        ("password", "newco-password"),
        ("password2", "newco-passwort"),
    ];

    let zh = register(&app, "zh", &form).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.body);
    assert_eq!(field_error(&zh.body, "credit_code"), rule.zh());
    assert!(
        field_error(&zh.body, "credit_code").contains(&format!(
            "校验位错误：为 {found}，按 GB 32100-2015 应为 {expected}"
        )),
        "{}",
        zh.body
    );
    assert_eq!(
        field_error(&zh.body, "password2"),
        "与密码不一致，请输入相同的内容"
    );
    assert!(!zh.body.contains("has a wrong check character"));

    let en = register(&app, "en", &form).await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.body);
    assert_eq!(field_error(&en.body, "credit_code"), rule.en());
    assert!(!en.body.contains("校验位错误"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_lists_exactly_the_rule_codes() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.body;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["properties"]["error"]["properties"]["fields"]["items"]["$ref"],
        "#/components/schemas/FieldError"
    );
    let code = &schemas["FieldError"]["allOf"][0]["properties"]["code"];
    let documented: BTreeSet<String> = code["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let enumerated: BTreeSet<String> = Rule::examples().iter().map(Rule::code).collect();
    assert_eq!(documented, enumerated);
    // Each code is explained, and its values are documented with it.
    let description = code["description"].as_str().unwrap();
    for c in &enumerated {
        assert!(
            description.contains(&format!("- `{c}`: ")),
            "{c} undescribed"
        );
    }
    assert!(
        qiao_server::openapi::rule_codes()
            .iter()
            .all(|(_, d)| !d.trim().is_empty())
    );
    assert_eq!(
        schemas["FieldError"]["allOf"][1]["$ref"],
        "#/components/schemas/Rule"
    );
    assert!(schemas["Rule"]["oneOf"].is_array(), "{}", schemas["Rule"]);
}
