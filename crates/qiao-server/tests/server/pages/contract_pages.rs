//! `/contracts`, `/contracts/new`, `/contracts/{id}` and their forms (`pages/contract_pages.rs`):
//! a contract recorded from a deal with its parties prefilled, its mistakes named in Chinese
//! beside their fields, the pre-check with its sources, submitted by the seller's side and
//! registered by staff; who sees it; a stale form said and not applied.

use crate::common::browser;
use crate::common::*;

/// 甲 (buyer, with `alice` and a demand) and 乙 (seller, with `bob`), 丙 (with `carol`),
/// a technology manager (`manager`) brokering a deal between 乙 and 甲, and staff (`staff`).
struct Parties<'a> {
    alice: Browser<'a>,
    carol: Browser<'a>,
    manager: Browser<'a>,
    staff: Browser<'a>,
    deal: i64,
}

async fn parties(app: &TestApp) -> Parties<'_> {
    let a = app.certified_org(1, "甲电池公司").await;
    let b = app.certified_org(2, "乙材料公司").await;
    let c = app.certified_org(3, "丙公司").await;
    let mut alice = app.user("alice", Role::Member, Some(a)).await;
    let demand = alice.post_demand("固态电解质", "需要固态电解质技术").await;
    app.create_account("bob", Role::Member, Some(b)).await;
    let manager = app.user("manager", Role::TechnologyManager, None).await;
    let deal = app
        .open_deal(
            "manager",
            "固态电解质专利转让",
            (Some(b), Some(a)),
            id_of(&demand),
        )
        .await;
    Parties {
        alice,
        carol: app.user("carol", Role::Member, Some(c)).await,
        manager,
        staff: app.user("staff", Role::CommissionStaff, None).await,
        deal,
    }
}

/// The fields of a complete contract form between 乙 (`code(2)`) and 甲 (`code(1)`), changed
/// by `changes` (a name given twice takes the later value).
fn terms(deal: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("deal_id", deal.to_string()),
        ("name", "固态电解质专利权转让合同".into()),
        ("kind", "transfer_patent".into()),
        ("field", "new_energy".into()),
        ("ip_type", "invention_patent".into()),
        ("seller.name", "乙材料公司".into()),
        ("seller.credit_code", code(2)),
        ("seller.legal_person", "enterprise".into()),
        ("seller.district", "闵行区".into()),
        ("buyer.name", "甲电池公司".into()),
        ("buyer.credit_code", code(1)),
        ("buyer.legal_person", "enterprise".into()),
        ("buyer.district", "浦东新区".into()),
        ("amount_fen", "120万".into()),
        ("non_technical[0].name", "样机".into()),
        ("non_technical[0].amount_fen", "200,000".into()),
        ("signed_on", "2026-03-02".into()),
        ("performance_from", "2026-03-02".into()),
        ("performance_to", "2027-03-01".into()),
        ("payment.kind", "lump_sum".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push((k.to_string(), v.to_string()));
    }
    fields
}

/// Posts the contract form `fields` from the new-contract page of `deal`.
async fn record(b: &mut Browser<'_>, deal: i64, fields: &[(String, String)]) -> browser::Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.submit(
        &format!("/contracts/new?deal={deal}"),
        "/contracts/new",
        &pairs,
    )
    .await
}

/// Takes the registration step `fields` on contract `id` from its page, with its version.
async fn step(b: &mut Browser<'_>, id: &str, fields: &[(&str, &str)]) -> browser::Page {
    let version = value_after(&b.get(id).await.body, "name=\"version\" value=\"");
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    b.submit(id, &format!("{id}/act"), &all).await
}

#[tokio::test]
async fn a_contract_from_a_deal_is_recorded_submitted_and_registered() {
    let app = TestApp::new().await;
    let Parties {
        mut alice,
        mut carol,
        mut manager,
        mut staff,
        deal,
    } = parties(&app).await;

    // The form comes prefilled from the deal and its organisations.
    let form = manager.get(&format!("/contracts/new?deal={deal}")).await;
    assert_eq!(form.status, StatusCode::OK);
    for value in [
        "value=\"固态电解质专利转让\"",
        "value=\"乙材料公司\"",
        "value=\"甲电池公司\"",
        &format!("value=\"{}\"", code(2)),
        &format!("value=\"{}\"", code(1)),
        "value=\"500,000.00\"",
        "<option value=\"new_energy\" selected>",
        "<option value=\"enterprise\" selected>",
    ] {
        assert!(form.body.contains(value), "{value} in {}", form.body);
    }
    assert_eq!(form.body.matches("name=\"non_technical[").count(), 2 * 5);
    assert_eq!(
        form.body.matches("name=\"payment.instalments[").count(),
        3 * 6
    );

    // Mistakes are named beside their fields, in Chinese; what was typed stays.
    let p = record(
        &mut manager,
        deal,
        &terms(
            deal,
            &[
                ("amount_fen", "很多"),
                ("seller.credit_code", "91310000MA1K0000"),
                ("non_technical[0].amount_fen", ""),
                ("kind", ""),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&p.body, "amount_fen").contains("“很多”不是有效金额"));
    assert!(field_error(&p.body, "seller.credit_code").contains("应为 18 位"));
    assert!(field_error(&p.body, "kind").contains("请从列出的选项中选择"));
    assert!(
        value_after(&p.body, "id=\"error-non_technical-0\">").contains("必填"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"很多\"") && p.body.contains("value=\"样机\""));
    // Items above the amount: the domain's rule, beside the items.
    let p = record(
        &mut manager,
        deal,
        &terms(deal, &[("non_technical[0].amount_fen", "300万")]),
    )
    .await;
    assert!(value_after(&p.body, "id=\"error-non_technical\">").contains("技术交易额不能为负"));
    // Instalments that do not add up.
    let p = record(
        &mut manager,
        deal,
        &terms(
            deal,
            &[
                ("payment.kind", "instalments"),
                ("payment.instalments[0].amount_fen", "60万"),
                ("payment.instalments[0].due_on", "2026-04-01"),
                ("payment.instalments[3].amount_fen", "50万"),
                ("payment.instalments[3].due_on", "2026-10-01"),
            ],
        ),
    )
    .await;
    assert!(value_after(&p.body, "id=\"error-instalments\">").contains("各期合计"));

    let p = record(&mut manager, deal, &terms(deal, &[])).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let contract = p.location.unwrap();
    let page = manager.get(&contract).await.body;
    assert_eq!(
        value_after(&page, "id=\"contract-amount\" class=\"num\">"),
        "1,200,000.00 元"
    );
    assert_eq!(
        value_after(&page, "id=\"contract-technical\" class=\"num\">"),
        "1,000,000.00 元"
    );
    assert!(
        page.contains("<span class=\"badge \">草稿</span>"),
        "{page}"
    );
    // The pre-check: a clean patent transfer learns its tax treatments, each with its source.
    let findings = section(&page, "id=\"findings\"", "</ul>");
    assert!(findings.contains("提示"), "{findings}");
    assert_eq!(
        findings.matches("class=\"source\"").count(),
        findings.matches("<li").count(),
        "every finding names its source: {findings}"
    );
    let book = qiao_domain::RuleBook::shipped();
    let vat = book.rule("tax_vat_exemption").unwrap();
    assert!(findings.contains(&vat.source.document), "{findings}");
    // The deal lists it; the buyer's member reads it (without the seller's buttons).
    assert!(
        manager
            .get(&format!("/deals/{deal}"))
            .await
            .body
            .contains(&contract)
    );
    let seen = alice.get(&contract).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("id=\"form-submit\""));
    assert!(
        alice
            .get("/contracts")
            .await
            .body
            .contains("固态电解质专利权转让合同"),
        "the party's list has it"
    );
    // Another organisation: not found, not listed; signed out: sign in.
    assert_eq!(carol.get(&contract).await.status, StatusCode::NOT_FOUND);
    assert!(!carol.get("/contracts").await.body.contains("固态电解质"));
    assert_eq!(
        app.browser().get(&contract).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser().get("/contracts").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The deal's manager submits for the seller.
    let p = step(&mut manager, &contract, &[("action", "submit")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(manager.get(&contract).await.body.contains("已提交"));
    // A member of the buyer does not register it.
    let p = alice
        .submit(
            &contract,
            &format!("{contract}/act"),
            &[
                ("version", "2"),
                ("action", "register"),
                ("number", "2026310112000001"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // Staff register it: a wrong number is said beside its field and kept.
    let p = step(
        &mut staff,
        &contract,
        &[
            ("action", "register"),
            ("number", "2026-31"),
            ("date", "2026-03-20"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        value_after(&p.body, "id=\"error-register\">").contains("登记号须为 16 位数字"),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"2026-31\""));
    let p = step(
        &mut staff,
        &contract,
        &[
            ("action", "register"),
            ("number", "2026310112000001"),
            ("date", "2026-03-20"),
            ("point", "闵行区技术合同登记点"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = staff.get(&contract).await.body;
    let registration = section(&page, "id=\"registration\"", "</table>");
    assert!(
        registration.contains("2026310112000001") && registration.contains("闵行区技术合同登记点")
    );
    let history = section(&page, "id=\"contract-history\"", "</table>");
    assert!(
        history.contains("草稿 → 已提交") && history.contains("已提交 → 已登记"),
        "{history}"
    );
    // Registered: the terms are no longer edited here.
    assert!(!page.contains("id=\"edit-contract\""));
    let p = manager.get(&format!("{contract}/edit")).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    // Staff list it by state.
    let list = staff.get("/contracts?state=registered").await.body;
    assert!(list.contains("固态电解质专利权转让合同") && list.contains("1,200,000.00 元"));
    assert!(
        !staff
            .get("/contracts?state=draft")
            .await
            .body
            .contains("固态电解质专利权转让合同")
    );
}

#[tokio::test]
async fn a_contract_the_registry_would_refuse_is_not_submitted() {
    let app = TestApp::new().await;
    let Parties {
        mut manager, deal, ..
    } = parties(&app).await;
    let p = record(
        &mut manager,
        deal,
        &terms(deal, &[("seller.credit_code", "")]),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let contract = p.location.unwrap();
    let page = manager.get(&contract).await.body;
    let findings = section(&page, "id=\"findings\"", "</ul>");
    assert!(
        findings.contains("将不予登记") && findings.contains("seller.credit_code"),
        "{findings}"
    );
    let p = step(&mut manager, &contract, &[("action", "submit")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("登记预检未通过"), "{}", p.body);
    assert!(manager.get(&contract).await.body.contains(">草稿<"));

    // Fixed through the edit form, it goes.
    let edit = format!("{contract}/edit");
    let version = value_after(&manager.get(&edit).await.body, "name=\"version\" value=\"");
    let mut fields = terms(deal, &[]);
    fields.push(("version".into(), version));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = manager.post_form(&edit, &pairs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = step(&mut manager, &contract, &[("action", "submit")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

#[tokio::test]
async fn a_stale_registration_step_is_said_and_not_applied() {
    let app = TestApp::new().await;
    let Parties {
        mut manager,
        mut staff,
        deal,
        ..
    } = parties(&app).await;
    let contract = record(&mut manager, deal, &terms(deal, &[]))
        .await
        .location
        .unwrap();
    step(&mut manager, &contract, &[("action", "submit")]).await;
    // Staff open the page; the manager withdraws meanwhile.
    let seen = value_after(
        &staff.get(&contract).await.body,
        "name=\"version\" value=\"",
    );
    let p = step(&mut manager, &contract, &[("action", "withdraw")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = staff
        .submit(
            &contract,
            &format!("{contract}/act"),
            &[
                ("version", &seen),
                ("action", "register"),
                ("number", "2026310112000009"),
                ("date", "2026-03-20"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(
        section(&p.body, "id=\"contract-error\"", "</p>").contains("已被他人修改"),
        "{}",
        p.body
    );
    let stored = app.db.store.get_contract(id_of(&contract)).await.unwrap();
    assert_eq!(stored.registration, qiao_domain::Registration::Draft);

    // The edit form says the same about an old version, and shows what is stored now.
    let edit = format!("{contract}/edit");
    let mut fields = terms(deal, &[("name", "改过的名称")]);
    fields.push(("version".into(), "1".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = manager.post_form(&edit, &pairs).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(value_after(&p.body, "id=\"form-notice\">").contains("已被他人修改"));
    assert!(
        !p.body.contains("改过的名称"),
        "the stored terms are shown again"
    );
    assert_eq!(
        app.db
            .store
            .get_contract(id_of(&contract))
            .await
            .unwrap()
            .contract
            .name,
        "固态电解质专利权转让合同"
    );
}
