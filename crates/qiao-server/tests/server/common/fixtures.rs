//! The records tests start from: organisations (made through the API, or straight in the store
//! with a certificate verified or only claimed), a demand with private fields, the policy and
//! news pages of `qiao-docs`' fixtures, a long work plan, and small readers (credit codes,
//! URI encodings, an XLSX sheet's rows).

use qiao_domain::Organisation;

use super::{Method, Reply, StatusCode, TestApp, Value, json};

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

/// A work plan of 闵行区科委 (simplified script), with figures that become targets.
pub const WORK_PLAN: &str = "003_853fbbfa8443af7f.txt";
/// A news page of 杨浦区 in traditional script.
pub const YANGPU_NEWS: &str = "002_fa69439dd6a4a0b4.txt";

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

/// The first sheet of an XLSX workbook, read back.
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Its rows, every cell as text.
    pub rows: Vec<Vec<String>>,
    /// Whether any cell holds a formula.
    pub formulas: bool,
}

/// Reads the first sheet of the XLSX workbook `bytes`.
pub fn first_sheet(bytes: &[u8]) -> Sheet {
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
    Sheet {
        name,
        rows,
        formulas,
    }
}

/// The SHA-256 of `bytes` in hex, as a stored document records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    qiao_app::document_import::sha256_hex(bytes)
}

/// The most bytes `POST /api/v1/documents` takes.
pub fn max_document() -> usize {
    qiao_server::api::documents::MAX_DOCUMENT
}

/// An enterprise in 闵行区 (`code(n)`, `name`) with the fields of `extra` too.
fn enterprise_json(n: u32, name: &str, extra: Value) -> Value {
    let mut fields =
        json!({"kind": "enterprise", "name": name, "credit_code": code(n), "district": "闵行区"});
    fields
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    fields
}

/// [`enterprise_json`] as a valid record, ready for the store.
fn enterprise_record(n: u32, name: &str, extra: Value) -> Organisation {
    let mut o: Organisation = serde_json::from_value(enterprise_json(n, name, extra)).unwrap();
    o.validate().unwrap();
    o
}

/// Two enterprises (`甲公司`, `code(1)`, and `乙公司`, `code(2)`) and a member of each, made by an
/// admin: the start of most tests of who may see or change what.
pub struct Rivals {
    /// The admin's token (account `admin`).
    pub admin: String,
    /// The first enterprise, `甲公司` (credit code `code(1)`).
    pub a: i64,
    /// A member of `a` (account `alice`).
    pub alice: String,
    /// A member of the second enterprise (account `bob`).
    pub bob: String,
}

impl TestApp {
    /// An admin, two enterprises and a member of each.
    pub async fn rivals(&self) -> Rivals {
        let admin = self.admin().await;
        let a = self.org(&admin, 1, "甲公司").await;
        let b = self.org(&admin, 2, "乙公司").await;
        Rivals {
            alice: self.member("alice", a).await,
            bob: self.member("bob", b).await,
            admin,
            a,
        }
    }

    /// An admin, one enterprise (`甲公司`, `code(1)`) and `alice`, a member of it: the admin's
    /// token, the enterprise's id and alice's token.
    pub async fn one_member(&self) -> (String, i64, String) {
        let admin = self.admin().await;
        let a = self.org(&admin, 1, "甲公司").await;
        let alice = self.member("alice", a).await;
        (admin, a, alice)
    }

    /// An enterprise in 闵行区 with revenue 120,000,000 yuan, registered by `admin` through the
    /// API; its id.
    pub async fn org(&self, admin: &str, n: u32, name: &str) -> i64 {
        self.enterprise(admin, n, name, json!({"revenue_yuan": 120000000}))
            .await
    }

    /// An enterprise in 闵行区 with the fields of `extra` too, registered by `admin` through the
    /// API; its id.
    pub async fn enterprise(&self, admin: &str, n: u32, name: &str, extra: Value) -> i64 {
        self.create(
            admin,
            "/api/v1/organisations",
            enterprise_json(n, name, extra),
        )
        .await
    }

    /// An enterprise in 闵行区 with revenue 123,456,789 yuan and a high-tech certificate that
    /// staff have verified (as most page tests want one that counts), made in the store; its id.
    pub async fn certified_org(&self, n: u32, name: &str) -> i64 {
        let o = enterprise_record(
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
        let o = enterprise_record(
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

    /// Uploads the `qiao-docs` fixture `name` through `POST /api/v1/documents` as `token`.
    pub async fn upload(&self, token: &str, name: &str) -> Reply {
        self.upload_bytes(token, name, fixture_bytes(name)).await
    }

    /// Uploads `bytes` as the file `name` through `POST /api/v1/documents` as `token`.
    pub async fn upload_bytes(&self, token: &str, name: &str, bytes: Vec<u8>) -> Reply {
        self.send(
            Method::POST,
            &format!("/api/v1/documents?name={name}"),
            Some(token),
            Some((bytes, "application/octet-stream")),
        )
        .await
    }

    /// Publishes document `id` as `token` (`POST /api/v1/documents/{id}/publish`).
    pub async fn publish(&self, token: &str, id: i64) -> Reply {
        self.call(
            Method::POST,
            &format!("/api/v1/documents/{id}/publish"),
            Some(token),
            None,
        )
        .await
    }

    /// Imports `lines` as a JSONL file through `POST /api/v1/imports` as `token`.
    pub async fn import_jsonl(&self, token: &str, lines: &[&Value]) -> Reply {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        self.send(
            Method::POST,
            "/api/v1/imports?format=jsonl",
            Some(token),
            Some((body.into_bytes(), "application/x-ndjson")),
        )
        .await
    }

    /// Imports `bytes` as the document `name` without a request (as `qiao import docs` does),
    /// a draft; its record.
    pub async fn import_document(&self, name: &str, bytes: Vec<u8>) -> qiao_store::DocumentRecord {
        qiao_app::document_import::import(&self.db.store, name, bytes.into())
            .await
            .unwrap()
            .record
    }

    /// The stored document `id`.
    pub async fn stored_document(&self, id: i64) -> qiao_store::DocumentRecord {
        self.db.store.get_document(id).await.unwrap()
    }

    /// Imports `bytes` as the document `name` without a request and publishes it; its record.
    pub async fn published_document(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> qiao_store::DocumentRecord {
        let doc = self.import_document(name, bytes).await;
        self.db
            .store
            .set_document_state(doc.id, qiao_store::DocumentState::Published)
            .await
            .unwrap();
        doc
    }

    /// The stored organisation `id`.
    pub async fn stored_org(&self, id: i64) -> qiao_domain::Organisation {
        self.db.store.get_org(id).await.unwrap().org
    }

    /// Stores the target `fields` (valid) straight in the store, as no one in particular.
    pub async fn add_target(&self, fields: Value) {
        let mut target: qiao_domain::Target = serde_json::from_value(fields).unwrap();
        target.validate().unwrap();
        self.db.store.create_targets(&[target]).await.unwrap();
    }

    /// The stored target `id`.
    pub async fn stored_target(&self, id: i64) -> qiao_domain::Target {
        self.db.store.get_target(id).await.unwrap().target
    }

    /// How many listings the store holds, drafts included.
    pub async fn listings_stored(&self) -> i64 {
        self.db
            .store
            .list_listings(&Default::default(), Default::default())
            .await
            .unwrap()
            .total
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

    /// Every target in the store.
    pub async fn targets(&self) -> Vec<qiao_store::TargetRecord> {
        self.db
            .store
            .list_targets(&Default::default(), Default::default())
            .await
            .unwrap()
            .items
    }
}

/// The cast of a deal that starts from a contact request: `甲公司` (`code(1)`, 闵行区) sells an
/// achievement, `乙公司` (`code(2)`, 徐汇区) asked for its contact and was accepted, a
/// technology manager brokers, staff register; `丙公司` (`code(3)`) and a second manager
/// have nothing to do with it.
pub struct DealCast {
    /// The admin (account `admin`).
    pub admin: String,
    /// Commission staff (account `staff`), the registration point.
    pub staff: String,
    /// The technology manager (account `manager`).
    pub manager: String,
    /// The manager's account id.
    pub manager_id: i64,
    /// Another technology manager (account `manager2`), of no deal.
    pub other_manager: String,
    /// A member of the seller (account `seller`).
    pub seller: String,
    /// A member of the buyer (account `buyer`).
    pub buyer: String,
    /// A member of `丙公司`, a party to nothing (account `outsider`).
    pub outsider: String,
    /// `甲公司`, the seller.
    pub seller_org: i64,
    /// `乙公司`, the buyer.
    pub buyer_org: i64,
    /// `丙公司`, the outsider's organisation.
    pub outsider_org: i64,
    /// The seller's achievement.
    pub listing: i64,
    /// The buyer's contact request, accepted.
    pub request: i64,
}

impl TestApp {
    /// Sets up a [`DealCast`] through the API: the organisations, the accounts, the seller's
    /// achievement and the buyer's accepted contact request.
    pub async fn deal_cast(&self) -> DealCast {
        let admin = self.admin().await;
        let staff = self.staff().await;
        let manager = self.manager().await;
        let manager_id = self.account_id("manager").await;
        let other_manager = self
            .account("manager2", qiao_domain::Role::TechnologyManager, None)
            .await;
        let seller_org = self.org(&admin, 1, "甲公司").await;
        let buyer_org = self
            .enterprise(&admin, 2, "乙公司", json!({"district": "徐汇区"}))
            .await;
        let third = self.org(&admin, 3, "丙公司").await;
        let seller = self.member("seller", seller_org).await;
        let buyer = self.member("buyer", buyer_org).await;
        let outsider = self.member("outsider", third).await;
        let listing = self
            .create(
                &seller,
                "/api/v1/achievements",
                json!({"title": "固态电解质低温制备工艺", "summary": "一种在150℃以下制备硫化物固态电解质的方法",
                       "contact": {"email": "tto@jia.example.cn"}}),
            )
            .await;
        let request = self
            .create(
                &buyer,
                &format!("/api/v1/achievements/{listing}/contact-requests"),
                json!({"message": "我们想了解该工艺的转让条件。"}),
            )
            .await;
        self.post(
            &format!("/api/v1/contact-requests/{request}/decision"),
            Some(&seller),
            json!({"decision": "accept"}),
        )
        .await
        .expect(StatusCode::OK);
        DealCast {
            admin,
            staff,
            manager,
            manager_id,
            other_manager,
            seller,
            buyer,
            outsider,
            seller_org,
            buyer_org,
            outsider_org: third,
            listing,
            request,
        }
    }

    /// Opens the deal of `cast` from its contact request as its manager; the deal's view.
    pub async fn deal_from_contact(&self, cast: &DealCast) -> Value {
        self.post(
            &format!("/api/v1/deals/from-contact/{}", cast.request),
            Some(&cast.manager),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED)
        .body
    }

    /// Applies `action` to deal `id` as `token`, from the version it reads first (as a client
    /// does): the reply.
    pub async fn deal_action(&self, token: &str, id: i64, action: Value) -> Reply {
        let uri = format!("/api/v1/deals/{id}");
        let version = self
            .get(&uri, Some(token))
            .await
            .expect(StatusCode::OK)
            .body["record"]["version"]
            .clone();
        self.post(
            &format!("{uri}/actions"),
            Some(token),
            json!({"version": version, "action": action}),
        )
        .await
    }

    /// Takes registration step `action` on contract `id` as `token`, from the version it
    /// reads first, as registration point 闵行区技术合同登记点 where staff act: the reply.
    pub async fn registration_step(&self, token: &str, id: i64, action: Value) -> Reply {
        let uri = format!("/api/v1/contracts/{id}");
        let version = self
            .get(&uri, Some(token))
            .await
            .expect(StatusCode::OK)
            .body["record"]["version"]
            .clone();
        self.post(
            &format!("{uri}/registration"),
            Some(token),
            json!({"version": version, "action": action, "point": "闵行区技术合同登记点"}),
        )
        .await
    }

    /// Stores `contract` (JSON of a domain `Contract`) registered as `number` on `date`
    /// straight in the store, as an imported registry list leaves one.
    pub async fn registered_contract(&self, contract: Value, number: &str, date: &str) {
        let contract: qiao_domain::Contract = serde_json::from_value(contract).unwrap();
        let registration = qiao_domain::Registration::Registered(qiao_domain::Registered {
            number: qiao_domain::RegistrationNumber::parse(number).unwrap(),
            point: "闵行区技术合同登记点".into(),
            date: date.parse().unwrap(),
            amendments: Vec::new(),
        });
        self.db
            .store
            .create_contract(&contract, &registration, None)
            .await
            .unwrap();
    }
}

/// A 技术转让（专利权） contract from `甲公司` (`code(1)`, 闵行区) to `乙公司` (`code(2)`,
/// 徐汇区) of `amount_fen`, 20 万元 of it for equipment, paid at once, signed 2026-03-02;
/// recorded from `deal` when given. The Qiao organisations are `orgs` (seller, buyer), if any.
pub fn contract_json(orgs: Option<(i64, i64)>, deal: Option<i64>, amount_fen: i64) -> Value {
    let mut c = json!({
        "name": "固态电解质低温制备工艺专利权转让合同", "kind": "transfer_patent",
        "seller": {"name": "甲公司", "credit_code": code(1), "legal_person": "enterprise", "district": "闵行区"},
        "buyer": {"name": "乙公司", "credit_code": code(2), "legal_person": "enterprise", "district": "徐汇区"},
        "field": "new_energy", "ip_type": "invention_patent", "amount_fen": amount_fen,
        "non_technical": [{"name": "设备购置", "amount_fen": 20_000_000}],
        "signed_on": "2026-03-02", "performance_from": "2026-03-02", "performance_to": "2027-03-01",
        "payment": {"kind": "lump_sum"}});
    if let Some((seller, buyer)) = orgs {
        c["seller"]["org_id"] = json!(seller);
        c["buyer"]["org_id"] = json!(buyer);
    }
    if let Some(d) = deal {
        c["deal_id"] = json!(d);
    }
    c
}

/// The amount of the contract [`TestApp::registered_deal`] registers: 1,234,567.89 元, in 分
/// (an amount with 分 in it, so a sum that lost them would show).
pub const DEAL_AMOUNT_FEN: i64 = 123_456_789;

impl TestApp {
    /// Carries the deal of `cast` to a registered contract through the API, without checking
    /// each step (the life of a deal in `api/deals.rs` does): opened from the contact request,
    /// moved to 签约 and won, the contract recorded by the manager, submitted by the seller and
    /// registered by staff as `2026310112000123` on 2026-03-16. The deal's and the contract's
    /// ids.
    pub async fn registered_deal(&self, cast: &DealCast) -> (i64, i64) {
        let deal = self.deal_from_contact(cast).await["record"]["id"]
            .as_i64()
            .unwrap();
        for action in [
            json!({"action": "move_to", "stage": "signing"}),
            json!({"action": "win"}),
        ] {
            self.deal_action(&cast.manager, deal, action)
                .await
                .expect(StatusCode::OK);
        }
        let body = contract_json(
            Some((cast.seller_org, cast.buyer_org)),
            Some(deal),
            DEAL_AMOUNT_FEN,
        );
        let contract = self
            .post("/api/v1/contracts", Some(&cast.manager), body)
            .await
            .expect(StatusCode::CREATED)
            .body["record"]["id"]
            .as_i64()
            .unwrap();
        self.registration_step(&cast.seller, contract, json!({"action": "submit"}))
            .await
            .expect(StatusCode::OK);
        self.registration_step(
            &cast.staff,
            contract,
            json!({"action": "register", "number": "2026310112000123", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::OK);
        (deal, contract)
    }
}

/// The id at the end of a page's path or a `Location` (`/demands/12` → 12).
#[track_caller]
pub fn id_of(path: &str) -> i64 {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|s| s.split(['?', '#']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id at the end of {path}"))
}

/// A contract as the registry records it: `kind` and `field` codes, the seller and buyer in
/// the districts given, `amount_fen` of which `non_technical_fen` pays for equipment, paid at
/// once. Valid; each `n` gives the parties other names.
pub fn contract(
    n: u32,
    (seller_district, buyer_district): (&str, &str),
    (kind, field): (&str, &str),
    amount_fen: i64,
    non_technical_fen: i64,
) -> qiao_domain::Contract {
    let non_technical = if non_technical_fen > 0 {
        json!([{"name": "设备", "amount_fen": non_technical_fen}])
    } else {
        json!([])
    };
    let mut c: qiao_domain::Contract = serde_json::from_value(json!({
        "name": format!("测试技术合同 {n}"),
        "kind": kind,
        "seller": {"name": format!("卖方{n}"), "credit_code": code(1000 + n),
                   "legal_person": "university", "district": seller_district},
        "buyer": {"name": format!("买方{n}"), "credit_code": code(2000 + n),
                  "legal_person": "enterprise", "district": buyer_district},
        "field": field,
        "ip_type": "invention_patent",
        "amount_fen": amount_fen,
        "non_technical": non_technical,
        "signed_on": "2025-01-02",
        "performance_from": "2025-01-02",
        "performance_to": "2026-01-01",
        "payment": {"kind": "lump_sum"},
    }))
    .unwrap();
    c.validate().unwrap();
    c
}

impl TestApp {
    /// The stored account named `username` (made before).
    pub async fn account_named(&self, username: &str) -> qiao_domain::Account {
        self.stored_account(self.account_id(username).await).await
    }

    /// A deal opened by hand by `opener` (a technology manager or staff, made before) through
    /// the application layer the pages use: about `listing`, between `seller` and `buyer`,
    /// expecting 50万元; its id.
    pub async fn open_deal(
        &self,
        opener: &str,
        title: &str,
        (seller, buyer): (Option<i64>, Option<i64>),
        listing: i64,
    ) -> i64 {
        let account = self.account_named(opener).await;
        let new = qiao_app::deals::NewDeal {
            title: title.into(),
            listing_ids: vec![listing],
            seller_org_id: seller,
            buyer_org_id: buyer,
            managers: Vec::new(),
            district: None,
            field: Some(qiao_domain::TechField::NewEnergy),
            expected_amount_fen: Some(50_000_000),
            expected_close_on: None,
            note: None,
        };
        qiao_app::deals::open(&self.db.store, &account, new)
            .await
            .unwrap()
            .id
    }

    /// Stores `contract` registered on `date` (`YYYY-MM-DD`) under the 登记号 ending in `n`,
    /// as an import of the registry's list would; its id.
    pub async fn registered_record(
        &self,
        contract: &qiao_domain::Contract,
        date: &str,
        n: u32,
    ) -> i64 {
        let registration = qiao_domain::Registration::Registered(qiao_domain::Registered {
            number: qiao_domain::RegistrationNumber::parse(&format!("2025310112{n:06}")).unwrap(),
            point: "测试登记点".into(),
            date: date.parse().unwrap(),
            amendments: Vec::new(),
        });
        self.db
            .store
            .create_contract(contract, &registration, None)
            .await
            .unwrap()
            .id
    }
}
