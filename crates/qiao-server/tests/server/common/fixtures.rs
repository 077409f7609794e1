//! The records tests start from: organisations (made through the API, or straight in the store
//! with a certificate verified or only claimed), a demand with private fields, the policy and
//! news pages of `qiao-docs`' fixtures, a long work plan, and small readers (credit codes,
//! URI encodings, an XLSX sheet's rows).

use qiao_domain::Organisation;

use super::{StatusCode, TestApp, Value, json};

/// A valid 统一社会信用代码, different for each `n`.
pub fn code(n: u32) -> String {
    let first = format!("91310000MA1K{n:05}");
    format!(
        "{first}{}",
        qiao_domain::codes::credit_code_check_char(&first).unwrap()
    )
}

/// A demand with every kind of field: public text, a budget, an indicator, and the private
/// `confidential` and `contact` only its owner (and whom it agrees to) sees.
pub fn demand() -> Value {
    json!({"title": "电池包散热", "description": "夏天电池包发烫、电芯温差大，想找不大改结构的办法",
           "keywords": ["热管理", "相变材料"], "district": "嘉定区", "budget_min_yuan": 500000, "budget_max_yuan": 2000000,
           "indicators": [{"name": "电芯温差", "target": 3, "unit": "℃"}],
           "confidential": "现用电芯型号 X-100", "contact": {"name": "张工", "phone": "021-55550000"}})
}

/// Percent-encodes the non-ASCII bytes of a URI (enough for Chinese query values).
pub fn encode_uri(uri: &str) -> String {
    uri.bytes()
        .map(|b| {
            if b.is_ascii() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Percent-encodes a query value or a form field whole (`&`, `=`, spaces and all).
pub fn encode(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

/// Where `qiao-docs` keeps real policy and news pages.
const DOC_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../qiao-docs/tests/fixtures");

/// The bytes of the `qiao-docs` fixture `name`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DOC_FIXTURES}/{name}")).unwrap()
}

/// A policy text of about `bytes` bytes: numbered lines, each with two figures.
pub fn long_policy(bytes: usize) -> Vec<u8> {
    let mut text = String::from("闵行区科技创新三年行动计划\n");
    let mut i = 0;
    while text.len() < bytes {
        i += 1;
        text.push_str(&format!(
            "第{i}条 到2026年，全区高新技术企业数量达到{}家，技术合同成交额突破{}亿元。\n",
            1000 + i % 900,
            100 + i % 300
        ));
    }
    text.into_bytes()
}

/// The rows of the first sheet of an XLSX workbook, every cell as text, and whether any cell
/// holds a formula.
pub fn sheet_rows(bytes: &[u8]) -> (Vec<Vec<String>>, bool) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let rows = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let formulas = book
        .worksheet_formula(&name)
        .unwrap()
        .used_cells()
        .any(|(_, _, f)| !f.is_empty());
    (rows, formulas)
}

/// An enterprise in 闵行区 with revenue `revenue`, valid and ready for the store.
fn enterprise(n: u32, name: &str, extra: Value) -> Organisation {
    let mut fields =
        json!({"kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区"});
    fields
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let mut o: Organisation = serde_json::from_value(fields).unwrap();
    o.validate().unwrap();
    o
}

impl TestApp {
    /// An enterprise in 闵行区 with revenue 120,000,000 yuan, registered by `admin` through the
    /// API; its id.
    pub async fn org(&self, admin: &str, n: u32, name: &str) -> i64 {
        self.create(admin, "/api/v1/organisations", json!({
            "kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区", "revenue_yuan": 120000000
        }))
        .await
    }

    /// An enterprise in 闵行区 with revenue 123,456,789 yuan and a high-tech certificate that
    /// staff have verified (as most page tests want one that counts), made in the store; its id.
    pub async fn certified_org(&self, n: u32, name: &str) -> i64 {
        let o = enterprise(
            n,
            name,
            json!({"revenue_yuan": 123456789,
                   "certificates": [{"kind": "high_tech", "issued_on": "2024-01-01", "expires_on": "2099-12-31"}]}),
        );
        let id = self.db.store.create_org(&o).await.unwrap().id;
        self.db
            .store
            .verify_certificates(
                id,
                &[qiao_store::Verdict {
                    index: 0,
                    kind: qiao_domain::CertKind::HighTech,
                    verification: qiao_domain::Verification::verified(
                        0,
                        "fixture",
                        chrono::Utc::now(),
                        None,
                        None,
                    )
                    .unwrap(),
                }],
            )
            .await
            .unwrap();
        id
    }

    /// An enterprise that claims a certificate of `kind` (number `GR{n}`) no one has verified,
    /// as a member or an import leaves it, made in the store; its id.
    pub async fn claiming_org(&self, n: u32, name: &str, kind: &str) -> i64 {
        let o = enterprise(
            n,
            name,
            json!({"certificates": [{"kind": kind, "number": format!("GR{n}"), "issued_on": "2024-01-01", "expires_on": "2099-12-31"}]}),
        );
        self.db.store.create_org(&o).await.unwrap().id
    }

    /// Verifies every certificate of organisation `id` as `staff` (an admin or commission staff).
    pub async fn verify_all(&self, staff: &str, id: i64) {
        let org = self
            .get(&format!("/api/v1/organisations/{id}"), Some(staff))
            .await;
        let n = org.body["certificates"].as_array().map_or(0, Vec::len);
        for i in 0..n {
            self.post(
                &format!("/api/v1/organisations/{id}/certificates/{i}/verification"),
                Some(staff),
                json!({"status": "verified"}),
            )
            .await
            .expect(StatusCode::OK);
        }
    }

    /// How many documents the store holds, drafts included.
    pub async fn documents_stored(&self) -> i64 {
        self.db
            .store
            .list_documents(&Default::default(), Default::default())
            .await
            .unwrap()
            .total
    }
}
