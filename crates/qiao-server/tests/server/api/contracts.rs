//! `/api/v1/contracts`, `/api/v1/contracts/{id}/registration` and
//! `/api/v1/contracts/precheck` (`api/contracts.rs`): who reads and changes a technology
//! contract, the registration steps and their refusals, and the pre-check. Each scenario runs
//! on SQLite and on PostgreSQL.

use crate::common::*;

/// Another organisation's member, another technology manager and an anonymous caller neither
/// read nor change a contract, and no amount reaches them through the list; the buyer reads
/// but does not submit, the seller submits but does not register.
async fn contract_permissions(app: &TestApp) {
    let cast = app.deal_cast().await;
    let (deal, registered) = app.registered_deal(&cast).await;
    let orgs = Some((cast.seller_org, cast.buyer_org));
    let draft_body = contract_json(orgs, None, 77_777_700);
    let draft = app
        .post("/api/v1/contracts", Some(&cast.seller), draft_body.clone())
        .await
        .expect(StatusCode::CREATED);
    let draft_id = draft.body["record"]["id"].as_i64().unwrap();
    let draft_version = draft.body["record"]["version"].clone();
    let one = |id: i64| format!("/api/v1/contracts/{id}");

    // Who reads which: the parties both, the manager the one from their deal, staff all.
    for (who, token, expected) in [
        ("seller", &cast.seller, vec![draft_id, registered]),
        ("buyer", &cast.buyer, vec![draft_id, registered]),
        ("manager", &cast.manager, vec![registered]),
        ("staff", &cast.staff, vec![draft_id, registered]),
        ("admin", &cast.admin, vec![draft_id, registered]),
    ] {
        let list = app
            .get("/api/v1/contracts", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(ints_of(&list.body["items"], "id"), expected, "{who}");
        for id in &expected {
            let r = app.get(one(*id), Some(token)).await;
            assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
        }
    }
    let r = app.get(one(draft_id), Some(&cast.manager)).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "not from the manager's deal"
    );

    let edit = json!({"version": draft_version, "contract": draft_body});
    for (who, token) in [
        ("another organisation's member", &cast.outsider),
        ("another technology manager", &cast.other_manager),
    ] {
        for id in [draft_id, registered] {
            let r = app.get(one(id), Some(token)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
            assert_eq!(r.message(), format!("contract {id} does not exist"));
        }
        let list = app
            .get("/api/v1/contracts", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(list.total(), 0, "{who}");
        let list = app
            .get(format!("/api/v1/contracts?deal={deal}"), Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(list.total(), 0, "{who}");
        let r = app.put(one(draft_id), Some(token), edit.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
        let r = app
            .post(
                format!("{}/registration", one(draft_id)),
                Some(token),
                json!({"version": draft_version, "action": {"action": "submit"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
        // Nor do they record a contract between others, or attach one to another's deal.
        let r = app
            .post(
                "/api/v1/contracts",
                Some(token),
                contract_json(orgs, Some(deal), 100),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
    }
    let mut own = contract_json(Some((cast.outsider_org, cast.buyer_org)), Some(deal), 100);
    own["seller"]["credit_code"] = json!(code(3));
    let r = app
        .post("/api/v1/contracts", Some(&cast.outsider), own)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another's deal reads as missing: {}",
        r.body
    );
    // Nor does an edit move a contract to a deal its editor may not see.
    let stranger = app
        .post(
            "/api/v1/deals",
            Some(&cast.other_manager),
            json!({"title": "别人的项目", "listing_ids": [cast.listing]}),
        )
        .await
        .expect(StatusCode::CREATED)
        .body["record"]["id"]
        .clone();
    let mut moved = contract_json(orgs, None, 77_777_700);
    moved["deal_id"] = stranger;
    let r = app
        .put(
            one(draft_id),
            Some(&cast.seller),
            json!({"version": draft_version, "contract": moved}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // The buyer reads but does not submit; the seller does not register.
    let r = app
        .registration_step(&cast.buyer, draft_id, json!({"action": "submit"}))
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(r.message().contains("seller"), "{}", r.body);
    let r = app
        .registration_step(
            &cast.seller,
            registered,
            json!({"action": "amend", "note": "变更履行期限"}),
        )
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(r.message().contains("staff"), "{}", r.body);
    // Anonymous callers get nothing but the pre-check, which reads no record.
    for r in [
        app.get("/api/v1/contracts", None).await,
        app.get(one(registered), None).await,
        app.post("/api/v1/contracts", None, contract_json(orgs, None, 100))
            .await,
        app.put(one(draft_id), None, edit.clone()).await,
        app.post(
            format!("{}/registration", one(draft_id)),
            None,
            json!({"version": 1, "action": {"action": "submit"}}),
        )
        .await,
    ] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // Nothing changed.
    let now = app
        .get(one(draft_id), Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now.body["record"]["version"], draft_version);
    assert_eq!(now.body["record"]["registration"]["state"], "draft");
}
on_both_backends!(contract_permissions);

/// Registering a draft, a stale version and a submit the pre-check blocks are refused and
/// change nothing; each error says what to do.
async fn registration_steps_and_refusals(app: &TestApp) {
    let cast = app.deal_cast().await;
    let mut body = contract_json(Some((cast.seller_org, cast.buyer_org)), None, 88_000_000);
    body["seller"]
        .as_object_mut()
        .unwrap()
        .remove("credit_code");
    let recorded = app
        .post("/api/v1/contracts", Some(&cast.seller), body.clone())
        .await
        .expect(StatusCode::CREATED);
    let id = recorded.body["record"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/contracts/{id}");
    let blocking: Vec<&Value> = array(&recorded.body["findings"])
        .iter()
        .filter(|f| f["severity"] == "blocks")
        .collect();
    assert_eq!(blocking.len(), 1, "{}", recorded.body["findings"]);
    assert_eq!(
        (blocking[0]["code"].as_str(), blocking[0]["field"].as_str()),
        (
            Some("party_credit_code_missing"),
            Some("seller.credit_code")
        )
    );
    assert!(blocking[0]["source"]["document"].is_string());
    assert_eq!(
        recorded.body["access"],
        json!({"read": true, "edit": true, "seller": true, "registrar": false})
    );

    // Staff cannot register a draft.
    let r = app
        .registration_step(
            &cast.staff,
            id,
            json!({"action": "register", "number": "2026310112000123", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert_eq!(
        r.message(),
        "a registration that is Draft (草稿) does not allow the action `register` (登记)"
    );
    // The pre-check blocks the submit and names what to fix.
    let r = app
        .registration_step(&cast.seller, id, json!({"action": "submit"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.message().contains("登记预检未通过") && r.message().contains("统一社会信用代码"),
        "{}",
        r.body
    );
    assert!(
        r.message().contains("甲公司"),
        "names the party: {}",
        r.body
    );
    let unchanged = app
        .get(&uri, Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(unchanged.body["record"], recorded.body["record"]);
    assert_eq!(array(&unchanged.body["events"]).len(), 0);

    // The seller fixes the code; an edit from the version read before is refused.
    let version = recorded.body["record"]["version"].clone();
    let mut fixed = body.clone();
    fixed["seller"]["credit_code"] = json!(code(1).to_lowercase());
    let saved = app
        .put(
            &uri,
            Some(&cast.seller),
            json!({"version": version, "contract": fixed}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        saved.body["record"]["contract"]["seller"]["credit_code"],
        code(1),
        "stored canonical"
    );
    assert!(
        !strings_of(&saved.body["findings"], "severity").contains(&"blocks"),
        "{}",
        saved.body["findings"]
    );
    let mut renamed = fixed.clone();
    renamed["name"] = json!("改过名的合同");
    let r = app
        .put(
            &uri,
            Some(&cast.seller),
            json!({"version": version, "contract": renamed}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("reload"), "{}", r.body);
    let now = app
        .get(&uri, Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now.body["record"], saved.body["record"]);
    // Bad terms name their fields.
    let mut bad = fixed.clone();
    bad["amount_fen"] = json!(10);
    bad["buyer"]["credit_code"] = json!("913100");
    let r = app
        .put(
            &uri,
            Some(&cast.seller),
            json!({"version": saved.body["record"]["version"], "contract": bad}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["buyer.credit_code", "non_technical"]);

    // Submitted, it is not edited; staff ask for a correction, the seller corrects and
    // submits again, staff register it; a malformed 登记号 is named.
    app.registration_step(&cast.seller, id, json!({"action": "submit"}))
        .await
        .expect(StatusCode::OK);
    let current = app.get(&uri, Some(&cast.seller)).await.body["record"]["version"].clone();
    let r = app
        .put(
            &uri,
            Some(&cast.seller),
            json!({"version": current, "contract": fixed}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("is not edited"), "{}", r.body);
    let asked = app
        .registration_step(
            &cast.staff,
            id,
            json!({"action": "request_correction", "request": "请补充专利证书复印件"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        asked.body["record"]["registration"],
        json!({"state": "correcting", "request": "请补充专利证书复印件"})
    );
    app.put(
        &uri,
        Some(&cast.seller),
        json!({"version": asked.body["record"]["version"], "contract": fixed}),
    )
    .await
    .expect(StatusCode::OK);
    app.registration_step(&cast.seller, id, json!({"action": "submit"}))
        .await
        .expect(StatusCode::OK);
    let r = app
        .registration_step(
            &cast.staff,
            id,
            json!({"action": "register", "number": "2026-3101", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.field_message(0).contains("16 digits"), "{}", r.body);
    let done = app
        .registration_step(
            &cast.staff,
            id,
            json!({"action": "register", "number": "2026310112000456", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        strings_of(&done.body["events"], "action"),
        ["submit", "request_correction", "submit", "register"]
    );
    // Registered once: a second register is a conflict, and so is the same 登记号 on another.
    let r = app
        .registration_step(
            &cast.staff,
            id,
            json!({"action": "register", "number": "2026310112000456", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("Registered"), "{}", r.body);

    // The list filters by state, year, type, field and district, naming a bad value.
    let staff = cast.staff.as_str();
    let ids = |q: String| async move {
        let r = app.get(q, Some(staff)).await.expect(StatusCode::OK);
        ints_of(&r.body["items"], "id")
    };
    assert_eq!(
        ids("/api/v1/contracts?state=registered&year=2026".into()).await,
        [id]
    );
    assert_eq!(
        ids("/api/v1/contracts?year=2025".into()).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids("/api/v1/contracts?kind=transfer_patent&field=new_energy".into()).await,
        [id]
    );
    assert_eq!(
        ids("/api/v1/contracts?state=draft".into()).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(encode_uri("/api/v1/contracts?district=徐汇区")).await,
        [id]
    );
    for (q, field) in [
        ("state=done", "state"),
        ("kind=sale", "kind"),
        ("field=x", "field"),
    ] {
        let r = app
            .get(format!("/api/v1/contracts?{q}"), Some(&cast.staff))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), [field], "{q}");
    }
}
on_both_backends!(registration_steps_and_refusals);

/// The pre-check of a contract that is not stored: anyone may ask, nothing is stored, and a
/// contract that does not validate is a 422 naming its fields.
async fn precheck_without_storing(app: &TestApp) {
    let staff = app.staff().await;
    let uri = "/api/v1/contracts/precheck";
    let fine = app
        .post(uri, None, contract_json(None, None, 123_456_789))
        .await
        .expect(StatusCode::OK);
    assert_eq!(fine.body["submittable"], true);
    let mut large = contract_json(None, None, 600_000_000);
    large["buyer"]["credit_code"] = json!("");
    let r = app.post(uri, None, large).await.expect(StatusCode::OK);
    assert_eq!(r.body["submittable"], false);
    let codes = strings_of(&r.body["findings"], "code");
    assert!(
        codes.contains(&"party_credit_code_missing") && codes.contains(&"second_review"),
        "{codes:?}"
    );
    let missing = array(&r.body["findings"])
        .iter()
        .find(|f| f["code"] == "party_credit_code_missing")
        .unwrap();
    assert_eq!(missing["field"], "buyer.credit_code");
    let mut broken = contract_json(None, None, 100);
    broken["kind"] = json!("sale");
    let r = app
        .post(uri, None, broken)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["kind"]);
    let r = app
        .post(uri, None, json!({"name": "x"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["kind"], "the first missing field is named");
    let list = app
        .get("/api/v1/contracts", Some(&staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.total(), 0, "nothing stored");
}
on_both_backends!(precheck_without_storing);
