//! Typed field errors end to end (issue #23 step 4): a refused field travels in the API's
//! envelope as its rule's code and values beside the English message, an import names the
//! line and column with the same rule, a page says the same rule in the visitor's language, and
//! the OpenAPI document lists exactly the codes the domain's `Rule` has.
//!
//! Self-contained: the real router on a fresh SQLite database per test, requests in-process.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use qiao_domain::{FieldError, NewAccount, Role, Rule};
use qiao_store::test_support::TestDb;
use serde_json::{Value, json};
use tower::ServiceExt;

struct App {
    db: TestDb,
    router: axum::Router,
}

struct Reply {
    status: StatusCode,
    body: String,
    cookies: Vec<String>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

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

impl App {
    async fn new() -> App {
        let db = TestDb::sqlite().await;
        let router = qiao_server::router(
            qiao_server::AppState::open(db.store.clone(), None)
                .await
                .unwrap(),
        );
        App { db, router }
    }

    async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, String)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = match body {
            Some((content_type, bytes)) => req
                .header("content-type", content_type)
                .body(Body::from(bytes)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            cookies,
        }
    }

    async fn api(&self, method: Method, uri: &str, token: &str, body: Value) -> Reply {
        let auth = [("authorization", format!("Bearer {token}"))];
        let body = Some(("application/json", body.to_string().into_bytes()));
        self.send(method, uri, &auth, body).await
    }

    /// An admin's API token.
    async fn admin(&self) -> String {
        let new = NewAccount {
            username: "root".into(),
            display_name: None,
            password: "root-password".into(),
            role: Role::Admin,
            org_id: None,
        };
        let hash = qiao_app::credentials::hash_password(&new.password);
        self.db.store.create_account(&new, &hash).await.unwrap();
        let login = json!({"username": "root", "password": "root-password"});
        let r = self
            .send(
                Method::POST,
                "/api/v1/tokens",
                &[],
                Some(("application/json", login.to_string().into_bytes())),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Posts the registration form as a browser in language `lang` would: the form's page
    /// first (for its CSRF cookie and token), then the fields.
    async fn register(&self, lang: &str, fields: &[(&str, &str)]) -> Reply {
        let lang_cookie = format!("qiao_lang={lang}");
        let page = self
            .send(
                Method::GET,
                "/register",
                &[("cookie", lang_cookie.clone())],
                None,
            )
            .await;
        let marker = "name=\"_csrf\" value=\"";
        let at = page.body.find(marker).expect("a CSRF token") + marker.len();
        let token = &page.body[at..at + page.body[at..].find('"').unwrap()];
        let mut cookies = page.cookies.clone();
        cookies.push(lang_cookie);
        let mut pairs = vec![format!("_csrf={}", urlencoding::encode(token))];
        pairs.extend(
            fields
                .iter()
                .map(|(k, v)| format!("{k}={}", urlencoding::encode(v))),
        );
        self.send(
            Method::POST,
            "/register",
            &[("cookie", cookies.join("; "))],
            Some((
                "application/x-www-form-urlencoded",
                pairs.join("&").into_bytes(),
            )),
        )
        .await
    }
}

/// The `fields` of an error envelope, read back as field errors.
fn fields(r: &Reply) -> Vec<FieldError> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    serde_json::from_value(body["error"]["fields"].clone()).unwrap()
}

/// The text of the error shown beside field `name` of a page.
fn field_error<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("id=\"error-{name}\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no error beside `{name}`: {html}"))
        + marker.len();
    html[at..][..html[at..].find("</div>").unwrap()].trim()
}

#[tokio::test]
async fn the_envelope_carries_each_rules_code_and_values() {
    let app = App::new().await;
    let admin = app.admin().await;
    let (_, bad, found, expected) = codes(1);

    // A wrong check character: the code, the code given, what it ends with and what it should.
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &admin,
            json!({"kind": "enterprise", "name": "甲公司", "credit_code": bad}),
        )
        .await;
    let rule = Rule::WrongCheckCharacter {
        value: bad.clone(),
        found,
        expected,
    };
    assert_eq!(fields(&r), [FieldError::new("credit_code", rule.clone())]);
    let entry = &r.json()["error"]["fields"][0];
    assert_eq!(entry["code"], "wrong_check_character");
    assert_eq!(entry["found"], found.to_string());
    assert_eq!(entry["expected"], expected.to_string());
    assert_eq!(entry["message"], rule.en());
    // The envelope's message names the field with the same English as before typed errors.
    assert_eq!(
        r.json()["error"]["message"],
        format!(
            "credit_code: 统一社会信用代码 `{bad}` has a wrong check character `{found}` (expected `{expected}`)"
        )
    );

    // Every broken rule of a record at once, each with its own code.
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &admin,
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
    let entries = &r.json()["error"]["fields"];
    assert_eq!(entries[0]["code_point"], 0x1b);
    assert_eq!(entries[0]["at"], 2);
    assert_eq!(entries[1]["found"], 4);
    assert_eq!(entries[2]["format"], "industry_code");

    // The shape of the JSON: unknown, mistyped and missing fields are rules too.
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &admin,
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
        .api(
            Method::POST,
            "/api/v1/organisations",
            &admin,
            json!({"kind": "enterprise", "name": "丙", "credit_code": "x", "employees": "many"}),
        )
        .await;
    let [e] = fields(&r).try_into().unwrap();
    assert_eq!(e.field, "employees");
    assert_eq!(r.json()["error"]["fields"][0]["code"], "wrong_type");
    let r = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &admin,
            json!({"kind": "enterprise", "name": "丙"}),
        )
        .await;
    assert_eq!(fields(&r), [FieldError::new("credit_code", Rule::Required)]);

    // A query parameter out of its range.
    let r = app
        .send(Method::GET, "/api/v1/demands?per_page=0", &[], None)
        .await;
    let [e] = fields(&r).try_into().unwrap();
    assert_eq!(e.field, "per_page");
    assert!(
        matches!(e.rule, Rule::OutOfRange { min: 1, found, .. } if found == 0.0),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_import_names_line_and_column_with_the_same_rule() {
    let app = App::new().await;
    let admin = app.admin().await;
    let (good, bad, found, expected) = codes(2);
    let csv = format!(
        "类型,机构类型,机构名称,统一社会信用代码\n机构,企业,甲公司,{good}\n机构,企业,乙公司,{bad}\n"
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/imports?format=csv",
            &[("authorization", format!("Bearer {admin}"))],
            Some(("text/csv", csv.into_bytes())),
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
        r.json()["error"]["message"],
        "1 bad rows; nothing was imported"
    );
}

#[tokio::test]
async fn a_page_says_the_rule_in_the_visitors_language() {
    let app = App::new().await;
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

    let zh = app.register("zh", &form).await;
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

    let en = app.register("en", &form).await;
    assert_eq!(en.status, StatusCode::OK, "{}", en.body);
    assert_eq!(field_error(&en.body, "credit_code"), rule.en());
    assert!(!en.body.contains("校验位错误"));
}

#[tokio::test]
async fn openapi_lists_exactly_the_rule_codes() {
    let app = App::new().await;
    let r = app
        .send(Method::GET, "/api/v1/openapi.json", &[], None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
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
