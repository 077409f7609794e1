//! `/api/v1/deals`, `/api/v1/deals/…` and `/api/v1/settings/stage-probabilities`
//! (`api/deals.rs`): a deal's life from an accepted contact request to a registered contract
//! that a 成交额 target counts, who may see and change a deal, stale versions and illegal
//! steps. Each scenario runs on SQLite and on PostgreSQL.

use crate::common::*;

/// The 成交额 target of 闵行区 for 2026, made by staff through the targets API; its id.
async fn turnover_target(app: &TestApp, staff: &str) -> i64 {
    app.create(
        staff,
        "/api/v1/targets",
        json!({"region": "闵行区", "year": 2026, "indicator": "技术合同成交额", "value": 5_000_000_000_i64,
               "unit": "元", "metric": {"kind": "contract_turnover"}}),
    )
    .await
}

/// The actual of target `id` in 分 (the API gives 元 with 分 as decimals) and the contracts it
/// sums, as staff read it (the public sees no actual of fewer than three contracts).
async fn target_actual(app: &TestApp, staff: &str, id: i64) -> (i64, i64) {
    let targets = app
        .get("/api/v1/targets", Some(staff))
        .await
        .expect(StatusCode::OK);
    let t = targets
        .items()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no target {id} in {}", targets.body));
    let yuan = t["progress"]["actual"]
        .as_f64()
        .unwrap_or_else(|| panic!("no actual in {t}"));
    (
        (yuan * 100.0).round() as i64,
        t["progress"]["contracts"].as_i64().unwrap(),
    )
}

/// A manager opens a deal from an accepted contact request (one call fills in listing, seller,
/// buyer and origin), moves it to 签约 and wins it, records the contract; the seller submits it,
/// staff register it, and the 闵行区 成交额 target rises by exactly its amount.
async fn life_of_a_deal(app: &TestApp) {
    let cast = app.deal_cast().await;
    let target = turnover_target(app, &cast.staff).await;
    // Contracts registered before: one sold from 闵行区 counts, one sold from 徐汇区 does not.
    let mut earlier = contract_json(None, None, 50_000_000);
    app.registered_contract(earlier.clone(), "2026310112000001", "2026-01-20")
        .await;
    earlier["seller"]["district"] = json!("徐汇区");
    app.registered_contract(earlier, "2026310104000002", "2026-02-03")
        .await;
    let before = target_actual(app, &cast.staff, target).await;
    assert_eq!(before, (50_000_000, 1));

    // The lead is there for managers, not for members.
    let leads = app
        .get("/api/v1/deals/leads", Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&leads.body, "contact_request_id"), [cast.request]);
    assert_eq!(leads.body[0]["listing_id"], cast.listing);
    let r = app.get("/api/v1/deals/leads", Some(&cast.seller)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let opened = app
        .post(
            &format!("/api/v1/deals/from-contact/{}", cast.request),
            Some(&cast.manager),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let deal = &opened.body["record"];
    let id = deal["id"].as_i64().unwrap();
    assert_eq!(opened.location, Some(format!("/api/v1/deals/{id}")));
    assert_eq!(deal["listing_ids"], json!([cast.listing]));
    assert_eq!(
        (
            deal["seller_org_id"].as_i64(),
            deal["buyer_org_id"].as_i64()
        ),
        (Some(cast.seller_org), Some(cast.buyer_org)),
        "the achievement's owner sells, the requester buys"
    );
    assert_eq!(
        deal["origin"],
        json!({"kind": "contact_request", "contact_request_id": cast.request})
    );
    assert_eq!(
        deal["managers"],
        json!([{"account_id": cast.manager_id, "share_bp": 10000}])
    );
    assert_eq!(
        (deal["stage"].as_str(), deal["district"].as_str()),
        (Some("contact"), Some("闵行区"))
    );
    assert_eq!(deal["status"], json!({"kind": "open"}));
    assert_eq!(opened.body["may_change"], true);
    assert_eq!(
        strings_of(&opened.body["events"], "action"),
        ["open"],
        "the history starts with the opening"
    );
    // One deal per request; the lead is gone.
    let again = app
        .post(
            &format!("/api/v1/deals/from-contact/{}", cast.request),
            Some(&cast.manager),
            json!({}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(
        again.message().contains(&format!("deal {id}")),
        "{}",
        again.body
    );
    let leads = app
        .get("/api/v1/deals/leads", Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(array(&leads.body).len(), 0);

    // To 签约, with a note the history keeps, then won.
    let uri = format!("/api/v1/deals/{id}");
    let moved = app
        .post(
            &format!("{uri}/actions"),
            Some(&cast.manager),
            json!({"version": deal["version"], "action": {"action": "move_to", "stage": "signing"}, "note": "双方同意签约"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved.body["record"]["stage"], "signing");
    assert_eq!(
        moved.body["record"]["version"].as_i64(),
        deal["version"].as_i64().map(|v| v + 1)
    );
    let won = app
        .deal_action(&cast.manager, id, json!({"action": "win"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(won.body["record"]["status"], json!({"kind": "won"}));
    let events = &won.body["events"];
    assert_eq!(strings_of(events, "action"), ["open", "move_to", "win"]);
    assert_eq!(events[1]["note"], "双方同意签约");
    assert_eq!(
        (
            events[1]["from_stage"].as_str(),
            events[1]["to_stage"].as_str()
        ),
        (Some("contact"), Some("signing"))
    );
    assert_eq!(events[2]["actor_id"], cast.manager_id);

    // The manager records the contract from the deal; the pre-check finds nothing blocking.
    let recorded = app
        .post(
            "/api/v1/contracts",
            Some(&cast.manager),
            contract_json(
                Some((cast.seller_org, cast.buyer_org)),
                Some(id),
                DEAL_AMOUNT_FEN,
            ),
        )
        .await
        .expect(StatusCode::CREATED);
    let contract = recorded.body["record"]["id"].as_i64().unwrap();
    assert_eq!(
        recorded.body["record"]["registration"],
        json!({"state": "draft"})
    );
    assert!(
        !strings_of(&recorded.body["findings"], "severity").contains(&"blocks"),
        "{}",
        recorded.body["findings"]
    );
    assert!(
        strings_of(&recorded.body["findings"], "code").contains(&"tax_vat_exemption"),
        "a registered transfer supports the VAT exemption: {}",
        recorded.body["findings"]
    );
    // The seller submits, staff register it with its 登记号.
    let submitted = app
        .registration_step(&cast.seller, contract, json!({"action": "submit"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        submitted.body["record"]["registration"],
        json!({"state": "submitted"})
    );
    assert_eq!(
        target_actual(app, &cast.staff, target).await,
        before,
        "not yet counted"
    );
    // The deal follows its contract: submitted, it is at 登记, moved by the seller's member.
    let followed = app
        .get(&uri, Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(followed.body["record"]["stage"], "registration");
    let last = array(&followed.body["events"]).last().cloned().unwrap();
    assert_eq!(
        (
            last["action"].as_str(),
            last["to_stage"].as_str(),
            last["actor_id"].as_i64()
        ),
        (
            Some("move_to"),
            Some("registration"),
            Some(app.account_id("seller").await)
        )
    );
    assert!(
        last["note"].as_str().unwrap().contains("已提交登记"),
        "{last}"
    );
    let registered = app
        .registration_step(
            &cast.staff,
            contract,
            json!({"action": "register", "number": "2026310112000123", "date": "2026-03-16"}),
        )
        .await
        .expect(StatusCode::OK);
    let registration = &registered.body["record"]["registration"];
    assert_eq!(
        (
            registration["state"].as_str(),
            registration["number"].as_str(),
            registration["point"].as_str(),
            registration["date"].as_str()
        ),
        (
            Some("registered"),
            Some("2026310112000123"),
            Some("闵行区技术合同登记点"),
            Some("2026-03-16")
        )
    );
    assert_eq!(
        strings_of(&registered.body["events"], "action"),
        ["submit", "register"]
    );
    // Registered, the deal is being performed (履约); its managers are told.
    let followed = app
        .get(&uri, Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(followed.body["record"]["stage"], "performance");
    assert_eq!(
        strings_of(&followed.body["events"], "action"),
        ["open", "move_to", "win", "move_to", "move_to"]
    );
    let told = app
        .get("/api/v1/notifications", Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert!(
        told.body.to_string().contains("履约"),
        "the manager hears of the stage: {}",
        told.body
    );

    // The deal shows its contract; the target rose by exactly the contract's amount.
    let view = app
        .get(&uri, Some(&cast.buyer))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&view.body["contracts"], "id"), [contract]);
    assert_eq!(
        view.body["may_change"], false,
        "a party reads, its managers change"
    );
    let after = target_actual(app, &cast.staff, target).await;
    assert_eq!(after, (before.0 + DEAL_AMOUNT_FEN, before.1 + 1));
    // The statistics agree, and credit the manager with the whole of it.
    let stats = app
        .get(
            &encode_uri("/api/v1/statistics/contracts?year=2026&district=闵行区"),
            Some(&cast.staff),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        stats.body["statistics"]["total"]["amount_fen"].as_i64(),
        Some(after.0)
    );
    assert_eq!(stats.body["managers"][0]["account_id"], cast.manager_id);
    assert_eq!(
        stats.body["managers"][0]["turnover"]["amount_fen"],
        DEAL_AMOUNT_FEN
    );
}
on_both_backends!(life_of_a_deal);

/// Another organisation's member, another technology manager and an anonymous caller neither
/// read nor change a deal, and its amount reaches none of them through the list.
async fn deal_permissions(app: &TestApp) {
    let cast = app.deal_cast().await;
    let id = app.deal_from_contact(&cast).await["record"]["id"]
        .as_i64()
        .unwrap();
    app.deal_action(
        &cast.manager,
        id,
        json!({"action": "set_expectation", "amount_fen": 987_654_321, "close_on": "2026-11-30"}),
    )
    .await
    .expect(StatusCode::OK);
    let uri = format!("/api/v1/deals/{id}");
    let version = app
        .get(&uri, Some(&cast.manager))
        .await
        .expect(StatusCode::OK)
        .body["record"]["version"]
        .clone();
    let act = json!({"version": version, "action": {"action": "move_to", "stage": "negotiation"}});

    // Who reads it: its parties, its manager, staff; the list shows it to them alone.
    for (who, token) in [
        ("seller", &cast.seller),
        ("buyer", &cast.buyer),
        ("manager", &cast.manager),
        ("staff", &cast.staff),
        ("admin", &cast.admin),
    ] {
        let r = app.get(&uri, Some(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
        let list = app
            .get("/api/v1/deals", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(ints_of(&list.body["items"], "id"), [id], "{who}");
        assert_eq!(list.items()[0]["expected_amount_fen"], 987_654_321);
    }
    for (who, token) in [
        ("another organisation's member", &cast.outsider),
        ("another technology manager", &cast.other_manager),
    ] {
        let r = app.get(&uri, Some(token)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
        assert_eq!(r.message(), format!("deal {id} does not exist"), "{who}");
        let list = app
            .get("/api/v1/deals", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(list.total(), 0, "{who}");
        assert!(!list.body.to_string().contains("987654321"), "{who}");
        // Asking for the manager's deals does not widen what one sees.
        let list = app
            .get(
                format!("/api/v1/deals?manager={}", cast.manager_id),
                Some(token),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(list.total(), 0, "{who}");
        let r = app
            .post(format!("{uri}/actions"), Some(token), act.clone())
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.body);
    }
    // The parties read it but do not move it.
    for token in [&cast.seller, &cast.buyer] {
        let r = app
            .post(format!("{uri}/actions"), Some(token), act.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    // Members do not open deals; anonymous callers get nothing.
    let by_hand = json!({"title": "手工录入的项目", "listing_ids": [cast.listing]});
    for token in [&cast.outsider, &cast.seller] {
        let r = app
            .post("/api/v1/deals", Some(token), by_hand.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .post(
                "/api/v1/deals/from-match",
                Some(token),
                json!({"listing_id": cast.listing, "matched_listing_id": cast.listing}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    for r in [
        app.get(&uri, None).await,
        app.get("/api/v1/deals", None).await,
        app.get("/api/v1/deals/leads", None).await,
        app.post(format!("{uri}/actions"), None, act.clone()).await,
        app.post("/api/v1/deals", None, by_hand.clone()).await,
        app.get("/api/v1/settings/stage-probabilities", None).await,
    ] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // Nothing moved.
    let now = app
        .get(&uri, Some(&cast.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now.body["record"]["version"], version);
    assert_eq!(now.body["record"]["stage"], "contact");
    // Staff change any deal.
    app.post(format!("{uri}/actions"), Some(&cast.staff), act)
        .await
        .expect(StatusCode::OK);
    // Only technology managers broker: naming a member (who would then read the deal) or an
    // id of no account is refused, by hand as in a change.
    let seller_id = app.account_id("seller").await;
    let managers = json!([{"account_id": seller_id, "share_bp": 5000}, {"account_id": 999999, "share_bp": 5000}]);
    let r = app
        .deal_action(
            &cast.manager,
            id,
            json!({"action": "set_managers", "managers": managers}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.fields(),
        ["managers[0].account_id", "managers[1].account_id"]
    );
    assert_eq!(
        r.field_message(0),
        "`member` is not one of: technology_manager"
    );
    let r = app
        .post(
            "/api/v1/deals",
            Some(&cast.manager),
            json!({"title": "合作", "listing_ids": [cast.listing], "managers": managers}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields().len(), 2);
    let r = app.get(&uri, Some(&cast.outsider)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Two managers share a deal: the second one then reads and changes it.
    let other_id = app.account_id("manager2").await;
    app.deal_action(
        &cast.manager,
        id,
        json!({"action": "set_managers", "managers": [
            {"account_id": cast.manager_id, "share_bp": 6000}, {"account_id": other_id, "share_bp": 4000}]}),
    )
    .await
    .expect(StatusCode::OK);
    let r = app
        .deal_action(&cast.other_manager, id, json!({"action": "pause"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["record"]["status"], json!({"kind": "paused"}));
}
on_both_backends!(deal_permissions);

/// A change from a stale version is a 409 that changes nothing; a step the stage or status
/// does not allow is a 409 that says why; bad data in an action is a 422 naming the field.
async fn stale_versions_and_illegal_steps(app: &TestApp) {
    let cast = app.deal_cast().await;
    let opened = app.deal_from_contact(&cast).await;
    let id = opened["record"]["id"].as_i64().unwrap();
    let stale = opened["record"]["version"].clone();
    let uri = format!("/api/v1/deals/{id}");
    app.deal_action(
        &cast.manager,
        id,
        json!({"action": "move_to", "stage": "due_diligence"}),
    )
    .await
    .expect(StatusCode::OK);
    let before = app
        .get(&uri, Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    let r = app
        .post(
            format!("{uri}/actions"),
            Some(&cast.manager),
            json!({"version": stale, "action": {"action": "move_to", "stage": "signing"}}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(
        r.message().contains("changed by someone else"),
        "{}",
        r.body
    );
    let after = app
        .get(&uri, Some(&cast.manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        after.body, before.body,
        "a refused change leaves the deal as it was"
    );

    // Winning before 签约 is refused, saying what the rule is.
    let r = app
        .deal_action(&cast.manager, id, json!({"action": "win"}))
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("move it there first"), "{}", r.body);
    assert!(r.message().contains("win"), "{}", r.body);
    // Terminating for 其他 needs a note; an unknown action is named.
    let r = app
        .deal_action(
            &cast.manager,
            id,
            json!({"action": "terminate", "reason": "other"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["status.note"]);
    let r = app
        .deal_action(&cast.manager, id, json!({"action": "fly"}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["action.action"]);
    assert!(r.field_message(0).contains("move_to"), "{}", r.body);
    let r = app
        .post(
            format!("{uri}/actions"),
            Some(&cast.manager),
            json!({"action": {"action": "win"}}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["version"]);
    // A terminated deal never changes again.
    app.deal_action(
        &cast.manager,
        id,
        json!({"action": "terminate", "reason": "price_disagreement"}),
    )
    .await
    .expect(StatusCode::OK);
    let r = app
        .deal_action(&cast.manager, id, json!({"action": "resume"}))
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("terminated"), "{}", r.body);
    // A deal opens only from an accepted request.
    let pending = app
        .create(
            &cast.outsider,
            &format!("/api/v1/achievements/{}/contact-requests", cast.listing),
            json!({"message": "我们也想了解该工艺的许可条件。"}),
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/deals/from-contact/{pending}"),
            Some(&cast.manager),
            json!({}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("not accepted"), "{}", r.body);
    app.post(
        "/api/v1/deals/from-contact/999999",
        Some(&cast.manager),
        json!({}),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
}
on_both_backends!(stale_versions_and_illegal_steps);

/// Deals by hand and from a match, and the list's filters: each names a bad value.
async fn opening_and_filtering(app: &TestApp) {
    let cast = app.deal_cast().await;
    let demand = app.create(&cast.buyer, "/api/v1/demands", demand()).await;
    let matched = app
        .post(
            "/api/v1/deals/from-match",
            Some(&cast.manager),
            json!({"listing_id": demand, "matched_listing_id": cast.listing}),
        )
        .await
        .expect(StatusCode::CREATED);
    let m = &matched.body["record"];
    assert_eq!(
        (m["seller_org_id"].as_i64(), m["buyer_org_id"].as_i64()),
        (Some(cast.seller_org), Some(cast.buyer_org)),
        "the demand's owner buys, whichever page the match was opened from"
    );
    assert_eq!(m["listing_ids"], json!([demand, cast.listing]));
    assert_eq!(m["origin"]["kind"], "match");
    assert_eq!(m["stage"], "lead");
    let r = app
        .post(
            "/api/v1/deals/from-match",
            Some(&cast.manager),
            json!({"listing_id": demand, "matched_listing_id": 999999}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let by_hand = app
        .post(
            "/api/v1/deals",
            Some(&cast.manager),
            json!({"title": "  电池热管理方案对接  ", "listing_ids": [demand], "seller_org_id": cast.seller_org,
                   "field": "new_energy", "expected_amount_fen": 30_000_000, "expected_close_on": "2026-09-30"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let h = &by_hand.body["record"];
    assert_eq!(
        (
            h["title"].as_str(),
            h["district"].as_str(),
            h["origin"]["kind"].as_str()
        ),
        (Some("电池热管理方案对接"), Some("闵行区"), Some("by_hand")),
        "the title trimmed, the district the seller's"
    );
    let hand_id = h["id"].as_i64().unwrap();
    let r = app
        .post(
            "/api/v1/deals",
            Some(&cast.manager),
            json!({"title": "", "listing_ids": [], "expected_amount_fen": -1}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["title", "listing_ids", "expected_amount_fen"]);
    let r = app
        .post(
            "/api/v1/deals",
            Some(&cast.manager),
            json!({"title": "x", "listing_ids": [demand], "seller_org_id": 999999}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["seller_org_id"]);

    // An overdue next step stands out; the filters narrow.
    app.deal_action(
        &cast.manager,
        hand_id,
        json!({"action": "set_next_step", "next_step": {"text": "约双方技术负责人线上交流", "due_on": "2020-01-06"}}),
    )
    .await
    .expect(StatusCode::OK);
    let manager = cast.manager.as_str();
    let ids = |q: &'static str| async move {
        let r = app.get(q, Some(manager)).await.expect(StatusCode::OK);
        ints_of(&r.body["items"], "id")
    };
    let from_match = m["id"].as_i64().unwrap();
    assert_eq!(ids("/api/v1/deals?overdue=true").await, [hand_id]);
    assert_eq!(ids("/api/v1/deals?field=new_energy").await, [hand_id]);
    assert_eq!(ids("/api/v1/deals?stage=lead").await, [hand_id, from_match]);
    assert_eq!(ids("/api/v1/deals?status=won").await, Vec::<i64>::new());
    assert_eq!(ids("/api/v1/deals?per_page=1&page=2").await, [from_match]);
    let r = app
        .get(
            encode_uri("/api/v1/deals?district=徐汇区"),
            Some(&cast.manager),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.total(), 0);
    for (q, field) in [
        ("stage=signed", "stage"),
        ("status=done", "status"),
        ("field=magic", "field"),
        ("per_page=500", "per_page"),
    ] {
        let r = app
            .get(format!("/api/v1/deals?{q}"), Some(&cast.manager))
            .await
            .expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.fields(), [field], "{q}");
    }
    let r = app
        .get("/api/v1/deals?colour=red", Some(&cast.manager))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A member without an organisation has no deals to see.
    let loner = app.account("loner", Role::Member, None).await;
    let r = app.get("/api/v1/deals", Some(&loner)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_both_backends!(opening_and_filtering);

/// Staff set the stage probabilities the forecast uses; others read them; a bad set names
/// the stage that breaks the order.
async fn stage_probabilities(app: &TestApp) {
    let cast = app.deal_cast().await;
    let uri = "/api/v1/settings/stage-probabilities";
    let defaults = app
        .get(uri, Some(&cast.seller))
        .await
        .expect(StatusCode::OK);
    assert_eq!(defaults.body["signing_bp"], 8000);
    let mut changed = defaults.body.clone();
    changed["negotiation_bp"] = json!(5000);
    let r = app.put(uri, Some(&cast.manager), changed.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .put(uri, Some(&cast.staff), changed.clone())
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body, changed);
    assert_eq!(
        app.get(uri, Some(&cast.manager)).await.body["negotiation_bp"],
        5000
    );
    let mut bad = changed.clone();
    bad["signing_bp"] = json!(4000);
    let r = app
        .put(uri, Some(&cast.staff), bad)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["signing_bp"]);
    let mut missing = changed.clone();
    missing.as_object_mut().unwrap().remove("done_bp");
    let r = app
        .put(uri, Some(&cast.staff), missing)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["done_bp"]);
    assert_eq!(app.get(uri, Some(&cast.staff)).await.body, changed);
}
on_both_backends!(stage_probabilities);
