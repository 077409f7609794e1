//! `/api/v1/listings/{id}/applications` and `/api/v1/applications/…` (`api/applications.rs`):
//! 揭榜 from an application to an award that opens a deal, and the permission suite of
//! applications (no other organisation reads one by id or by guessing, nor a challenge's
//! list), the window and owner refusals as named fields, stale versions, and reopening a
//! closed review for a new round. Each scenario runs on SQLite and on PostgreSQL.

use crate::common::*;

fn day(offset: i64) -> String {
    (qiao_domain::today() + chrono::Duration::days(offset)).to_string()
}

/// A challenge posted by `token`'s organisation with its window `from..=until` days from
/// today; its id.
async fn challenge(app: &TestApp, token: &str, from: i64, until: i64, reward: i64) -> i64 {
    app.create(
        token,
        "/api/v1/challenges",
        json!({"title": "固态电池电解质揭榜", "description": "室温离子电导率达标的固态电解质",
               "indicators": [{"name": "离子电导率", "target": 10.0, "unit": "mS/cm"},
                              {"name": "循环寿命", "target": 2000.0, "unit": "次"}],
               "reward_yuan": reward, "apply_from": day(from), "apply_until": day(until),
               "district": "闵行区", "discipline": "新能源"}),
    )
    .await
}

fn proposal() -> Value {
    json!({"solution": "硫化物电解质，干法成膜", "team": "张教授团队 6 人，中试线一条",
           "commitments": [{"name": "离子电导率", "target": 12.0, "unit": "mS/cm"}],
           "budget_yuan": 800_000, "timeline": "第 6 个月样品，第 12 个月中试"})
}

/// Scores for every criterion the application's view lists.
fn scores(view: &Value, points: u8) -> Value {
    let scores: Vec<Value> = array(&view["criteria"])
        .iter()
        .map(|c| json!({"criterion": c["name"], "points": points, "comment": "达标"}))
        .collect();
    json!({"version": view["record"]["version"], "scores": scores, "comment": "方案可行"})
}

/// The applicant applies, the owner scores and awards, a deal opens with both parties and the
/// challenge; a second applicant is not chosen when the review closes and reads the reason.
async fn apply_score_award_and_close(app: &TestApp) {
    let Rivals {
        admin, alice, bob, ..
    } = app.rivals().await;
    let c = app.org(&admin, 3, "丙公司").await;
    let carol = app.member("carol", c).await;
    let ch = challenge(app, &alice, -1, 30, 1_000_000).await;
    let uri = format!("/api/v1/listings/{ch}/applications");

    let r = app
        .post(&uri, Some(&bob), proposal())
        .await
        .expect(StatusCode::CREATED);
    let id = r.id();
    assert_eq!(r.location, Some(format!("/api/v1/applications/{id}")));
    assert_eq!(r.body["status"], "submitted");
    let carols = app
        .post(&uri, Some(&carol), proposal())
        .await
        .expect(StatusCode::CREATED)
        .id();

    // The owner sees both with the challenge's criteria: its indicators, then the fixed three.
    let review = app.get(&uri, Some(&alice)).await.expect(StatusCode::OK);
    assert_eq!(ints_of(&review.body["applications"], "id"), [carols, id]);
    assert_eq!(
        strings_of(&review.body["criteria"], "name"),
        [
            "离子电导率",
            "循环寿命",
            "技术路线可行性",
            "团队与条件",
            "预算与进度"
        ]
    );

    let view = app
        .get(format!("/api/v1/applications/{id}"), Some(&alice))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view.body["may_review"], true);
    assert_eq!(view.body["may_withdraw"], false);
    // An award before scoring names the missing scores.
    let r = app
        .post(
            format!("/api/v1/applications/{id}/award"),
            Some(&alice),
            json!({"version": 1}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["scores"]);
    let scored = app
        .post(
            format!("/api/v1/applications/{id}/score"),
            Some(&alice),
            scores(&view.body, 8),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(scored.body["application"]["scores"][0]["points"], 8);
    assert_eq!(scored.body["application"]["review_comment"], "方案可行");
    let shortlisted = app
        .post(
            format!("/api/v1/applications/{id}/shortlist"),
            Some(&alice),
            json!({"version": 2}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(shortlisted.body["application"]["status"], "shortlisted");
    // A stale version is a 409 and changes nothing.
    app.post(
        format!("/api/v1/applications/{id}/award"),
        Some(&alice),
        json!({"version": 2}),
    )
    .await
    .expect(StatusCode::CONFLICT);
    let won = app
        .post(
            format!("/api/v1/applications/{id}/award"),
            Some(&alice),
            json!({"version": 3}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(won.body["application"]["status"], "awarded");
    let deal = &won.body["deal"];
    let deal_id = deal["id"].as_i64().unwrap();
    assert_eq!(won.body["application"]["deal_id"], deal_id);
    assert_eq!(deal["listing_ids"], json!([ch]));
    assert_eq!(
        deal["origin"],
        json!({"kind": "challenge", "listing_id": ch, "application_id": id})
    );
    let bob_org = app.stored_account(app.account_id("bob").await).await.org_id;
    let alice_org = app
        .stored_account(app.account_id("alice").await)
        .await
        .org_id;
    assert_eq!(deal["seller_org_id"].as_i64(), bob_org);
    assert_eq!(deal["buyer_org_id"].as_i64(), alice_org);
    assert_eq!(deal["expected_amount_fen"], 100_000_000);
    // Both parties read the deal; the other applicant does not.
    for t in [&alice, &bob] {
        app.get(format!("/api/v1/deals/{deal_id}"), Some(t))
            .await
            .expect(StatusCode::OK);
    }
    app.get(format!("/api/v1/deals/{deal_id}"), Some(&carol))
        .await
        .expect(StatusCode::NOT_FOUND);
    // The deal has no manager: managers find it among the unclaimed, and one claims it.
    assert_eq!(deal["managers"], json!([]));
    let manager = app.manager().await;
    let rival = app
        .account("manager2", qiao_domain::Role::TechnologyManager, None)
        .await;
    let unclaimed = app
        .get("/api/v1/deals/unclaimed", Some(&manager))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&unclaimed.body, "id"), [deal_id]);
    app.get("/api/v1/deals/unclaimed", Some(&bob))
        .await
        .expect(StatusCode::FORBIDDEN);
    let claim = format!("/api/v1/deals/{deal_id}/claim");
    let version = deal["version"].as_i64().unwrap();
    app.post(&claim, Some(&bob), json!({"version": version}))
        .await
        .expect(StatusCode::FORBIDDEN);
    let claimed = app
        .post(&claim, Some(&manager), json!({"version": version}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        claimed.body["record"]["managers"],
        json!([{"account_id": app.account_id("manager").await, "share_bp": 10000}])
    );
    assert_eq!(claimed.body["may_change"], true);
    // The second claim, from the version both read or the latest, is refused and changes
    // nothing: the deal is now one the rival may not see (404, as for any id); its manager
    // hears why.
    for v in [version, version + 1] {
        app.post(&claim, Some(&rival), json!({"version": v}))
            .await
            .expect(StatusCode::NOT_FOUND);
    }
    app.post(&claim, Some(&manager), json!({"version": version + 1}))
        .await
        .expect(StatusCode::CONFLICT);
    app.post(
        "/api/v1/deals/999999/claim",
        Some(&rival),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    let unclaimed = app
        .get("/api/v1/deals/unclaimed", Some(&rival))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&unclaimed.body, "id"), Vec::<i64>::new());
    // The challenge is 已揭榜.
    let listing = app
        .get(format!("/api/v1/challenges/{ch}"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(listing.body["status"], "awarded");

    // Closing the review: the pending application is not chosen, with the reason it reads.
    let closed = app
        .post(
            format!("{uri}/conclude"),
            Some(&alice),
            json!({"reason": "承诺指标与获选方案相近，预算偏高"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&closed.body, "id"), [carols]);
    let mine = app
        .get("/api/v1/applications", Some(&carol))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.total(), 1);
    assert_eq!(mine.items()[0]["status"], "not_chosen");
    assert_eq!(
        mine.items()[0]["reason"],
        "承诺指标与获选方案相近，预算偏高"
    );
    // Final: the awarded application cannot be withdrawn.
    app.post(
        format!("/api/v1/applications/{id}/withdraw"),
        Some(&bob),
        json!({"version": 4}),
    )
    .await
    .expect(StatusCode::CONFLICT);
}
on_both_backends!(apply_score_award_and_close);

/// A closed review reopens for a new round: the challenge is open again from today, decided
/// applications stay as they are, and organisations declined or not chosen send new proposals
/// (a declined one may also while the window is open); only its reviewers reopen it, and bad
/// dates are named.
async fn a_closed_review_reopens_for_a_new_round(app: &TestApp) {
    let Rivals {
        admin, alice, bob, ..
    } = app.rivals().await;
    let c = app.org(&admin, 3, "丙公司").await;
    let carol = app.member("carol", c).await;
    let ch = challenge(app, &alice, -5, 30, 1_000_000).await;
    let uri = format!("/api/v1/listings/{ch}/applications");
    let apply = |token: &str| {
        let token = token.to_string();
        let uri = uri.clone();
        async move { app.post(&uri, Some(&token), proposal()).await }
    };

    // While an application is pending a second one is refused; once declined, a revised
    // proposal may be sent in the same window.
    let first = apply(&bob).await.expect(StatusCode::CREATED).id();
    apply(&bob).await.expect(StatusCode::CONFLICT);
    app.post(
        format!("/api/v1/applications/{first}/decline"),
        Some(&alice),
        json!({"version": 1, "reason": "预算偏高"}),
    )
    .await
    .expect(StatusCode::OK);
    let revised = apply(&bob).await.expect(StatusCode::CREATED).id();
    assert_ne!(revised, first);
    let carols = apply(&carol).await.expect(StatusCode::CREATED).id();

    // Closing the review: both pending applications are not chosen, the challenge is closed,
    // and nobody applies to it.
    let closed = app
        .post(
            format!("{uri}/conclude"),
            Some(&alice),
            json!({"reason": "本轮无方案达到指标"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&closed.body, "id"), [carols, revised]);
    let r = apply(&carol).await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["status"]);

    // Only a reviewer reopens; bad dates are named and change nothing.
    let reopen = format!("{uri}/reopen");
    let until = day(20);
    app.post(&reopen, Some(&bob), json!({"apply_until": until}))
        .await
        .expect(StatusCode::FORBIDDEN);
    let r = app
        .post(&reopen, Some(&alice), json!({"apply_until": day(-1)}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["apply_until"]);
    let r = app
        .post(
            &reopen,
            Some(&alice),
            json!({"apply_until": until, "deadline": day(10)}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["deadline"]);
    let still = app
        .get(format!("/api/v1/challenges/{ch}"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(still.body["status"], "closed");

    let reopened = app
        .post(
            &reopen,
            Some(&alice),
            json!({"apply_until": until, "deadline": day(90)}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(reopened.body["id"], ch);
    let listing = app
        .get(format!("/api/v1/challenges/{ch}"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(listing.body["status"], "open");
    assert_eq!(listing.body["apply_from"], day(0));
    assert_eq!(listing.body["apply_until"], until);
    assert_eq!(listing.body["deadline"], day(90));
    // An open challenge is not reopened again.
    let r = app
        .post(&reopen, Some(&alice), json!({"apply_until": until}))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["status"]);

    // The organisations not chosen are told, and apply again; the earlier decisions stand.
    let told = app
        .get("/api/v1/notifications?limit=50", Some(&carol))
        .await
        .expect(StatusCode::OK);
    let titles = strings_of(&told.body["items"], "title");
    assert!(
        titles.iter().any(|t| t.contains("重新开放揭榜")),
        "{titles:?}"
    );
    let again = apply(&carol).await.expect(StatusCode::CREATED);
    assert_eq!(again.body["status"], "submitted");
    apply(&bob).await.expect(StatusCode::CREATED);
    apply(&bob).await.expect(StatusCode::CONFLICT);
    let mine = app
        .get("/api/v1/applications", Some(&carol))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        strings_of(&mine.body["items"], "status"),
        ["submitted", "not_chosen"]
    );
}
on_both_backends!(a_closed_review_reopens_for_a_new_round);

/// Applications are confidential between the applicant, the owner and staff: another
/// organisation gets the 404 of a missing application by id (the same as a guessed id), a 403
/// for a challenge's list, and sees none in its own list; nobody but the reviewers acts and
/// nobody but the applicant withdraws.
async fn applications_are_confidential(app: &TestApp) {
    let Rivals {
        admin, alice, bob, ..
    } = app.rivals().await;
    let c = app.org(&admin, 3, "丙公司").await;
    let carol = app.member("carol", c).await;
    let staff = app.staff().await;
    let manager = app.manager().await;
    let ch = challenge(app, &alice, 0, 10, 500_000).await;
    let uri = format!("/api/v1/listings/{ch}/applications");
    let id = app
        .post(&uri, Some(&bob), proposal())
        .await
        .expect(StatusCode::CREATED)
        .id();
    let one = format!("/api/v1/applications/{id}");

    let missing = app
        .get(format!("/api/v1/applications/{}", id + 1000), Some(&carol))
        .await
        .expect(StatusCode::NOT_FOUND);
    for t in [&carol, &manager] {
        let r = app.get(&one, Some(t)).await.expect(StatusCode::NOT_FOUND);
        // The same answer as an id that does not exist, but for the number.
        assert_eq!(r.body["error"]["code"], missing.body["error"]["code"]);
        app.get(&uri, Some(t)).await.expect(StatusCode::FORBIDDEN);
        let mine = app
            .get("/api/v1/applications", Some(t))
            .await
            .expect(StatusCode::OK);
        assert_eq!(mine.total(), 0);
    }
    // The applicant reads its own but not the challenge's list.
    app.get(&one, Some(&bob)).await.expect(StatusCode::OK);
    app.get(&uri, Some(&bob))
        .await
        .expect(StatusCode::FORBIDDEN);
    // Anonymous callers are asked to sign in.
    app.get(&one, None).await.expect(StatusCode::UNAUTHORIZED);
    app.get(&uri, None).await.expect(StatusCode::UNAUTHORIZED);
    app.post(&uri, None, proposal())
        .await
        .expect(StatusCode::UNAUTHORIZED);
    // Staff read an enterprise's challenge's applications but review only a government's.
    let view = app.get(&one, Some(&staff)).await.expect(StatusCode::OK);
    assert_eq!(view.body["may_review"], false);
    app.get(&uri, Some(&staff)).await.expect(StatusCode::OK);
    let step = format!("{one}/shortlist");
    app.post(&step, Some(&staff), json!({"version": 1}))
        .await
        .expect(StatusCode::FORBIDDEN);
    // Another organisation cannot act on it (404), the applicant cannot review it (403).
    app.post(&step, Some(&carol), json!({"version": 1}))
        .await
        .expect(StatusCode::NOT_FOUND);
    app.post(&step, Some(&bob), json!({"version": 1}))
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post(
        format!("{one}/withdraw"),
        Some(&alice),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // The deal list of the outsider holds nothing of it either.
    let deals = app
        .get("/api/v1/deals", Some(&carol))
        .await
        .expect(StatusCode::OK);
    assert_eq!(deals.total(), 0);
    // The applicant withdraws; it may then apply again.
    let w = app
        .post(format!("{one}/withdraw"), Some(&bob), json!({"version": 1}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(w.body["application"]["status"], "withdrawn");
    app.post(&uri, Some(&bob), proposal())
        .await
        .expect(StatusCode::CREATED);

    // A government's challenge is reviewed by staff too.
    let gov = app
        .create(
            &admin,
            "/api/v1/organisations",
            json!({"kind": "government", "name": "某区科委", "credit_code": code(9), "district": "闵行区"}),
        )
        .await;
    let officer = app.member("officer", gov).await;
    let gch = challenge(app, &officer, 0, 10, 2_000_000).await;
    let gid = app
        .post(
            format!("/api/v1/listings/{gch}/applications"),
            Some(&bob),
            proposal(),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    app.post(
        format!("/api/v1/applications/{gid}/shortlist"),
        Some(&staff),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::OK);
}
on_both_backends!(applications_are_confidential);

/// Applying outside the window, to a closed challenge or to one's own is a 422 naming the
/// field; a second live application a 409; a bad proposal names each field; nothing is stored.
async fn refusals_name_their_field(app: &TestApp) {
    let Rivals { alice, bob, .. } = app.rivals().await;
    let past = challenge(app, &alice, -30, -1, 100_000).await;
    let future = challenge(app, &alice, 2, 30, 100_000).await;
    let open = challenge(app, &alice, 0, 0, 100_000).await;
    let apply = |ch: i64, token: &str| {
        let token = token.to_string();
        async move {
            app.post(
                format!("/api/v1/listings/{ch}/applications"),
                Some(&token),
                proposal(),
            )
            .await
        }
    };
    let r = apply(past, &bob)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["apply_until"]);
    assert_eq!(r.body["error"]["fields"][0]["code"], "outside_window");
    let r = apply(future, &bob)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["apply_from"]);
    let r = apply(open, &alice)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["applicant_org_id"]);
    assert_eq!(r.body["error"]["fields"][0]["code"], "own_challenge");
    let mut bad = proposal();
    bad["solution"] = json!(" ");
    bad["budget_yuan"] = json!(-5);
    let r = app
        .post(
            format!("/api/v1/listings/{open}/applications"),
            Some(&bob),
            bad,
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["solution", "budget_yuan"]);
    let mut unknown = proposal();
    unknown["price"] = json!(1);
    let r = app
        .post(
            format!("/api/v1/listings/{open}/applications"),
            Some(&bob),
            unknown,
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["price"]);
    apply(open, &bob).await.expect(StatusCode::CREATED);
    apply(open, &bob).await.expect(StatusCode::CONFLICT);
    let mine = app
        .get("/api/v1/applications", Some(&bob))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.total(), 1);
    // A listing of another kind is no challenge.
    let demand = app.create(&alice, "/api/v1/demands", demand()).await;
    app.post(
        format!("/api/v1/listings/{demand}/applications"),
        Some(&bob),
        proposal(),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    // Scores for the wrong criteria name each problem.
    let id = mine.items()[0]["id"].as_i64().unwrap();
    let r = app
        .post(
            format!("/api/v1/applications/{id}/score"),
            Some(&alice),
            json!({"version": 1, "scores": [{"criterion": "颜值", "points": 11}]}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.fields();
    assert!(fields.contains(&"scores[0].criterion"), "{fields:?}");
    assert!(fields.contains(&"scores[0].points"), "{fields:?}");
    assert!(fields.contains(&"scores.离子电导率"), "{fields:?}");
}
on_both_backends!(refusals_name_their_field);

/// The challenge board's filters: reward range and window, an unknown window named.
async fn board_filters(app: &TestApp) {
    let Rivals { alice, .. } = app.rivals().await;
    let small = challenge(app, &alice, -5, 5, 100_000).await;
    let big = challenge(app, &alice, -5, 60, 5_000_000).await;
    let later = challenge(app, &alice, 10, 40, 800_000).await;
    let ids = |q: &'static str| async move {
        let r = app
            .get(format!("/api/v1/challenges?{q}"), None)
            .await
            .expect(StatusCode::OK);
        let mut v = ints_of(&r.body["items"], "id");
        v.sort();
        v
    };
    assert_eq!(ids("reward_min=500000").await, [big, later]);
    assert_eq!(ids("reward_min=500000&reward_max=1000000").await, [later]);
    assert_eq!(ids("window=open").await, [small, big]);
    assert_eq!(ids("window=closing").await, [small]);
    let r = app
        .get("/api/v1/challenges?window=soon", None)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["window"]);
}
on_both_backends!(board_filters);

/// An application carries a thread between applicant and challenge owner, and the solution's
/// files: the applicant uploads, the owner reads and downloads, and a third organisation reads
/// neither thread nor files, by the application's id or by a file's.
async fn application_threads_and_files(app: &TestApp) {
    let Rivals {
        admin, alice, bob, ..
    } = app.rivals().await;
    let c = app.org(&admin, 3, "丙公司").await;
    let carol = app.member("carol", c).await;
    let ch = challenge(app, &alice, -1, 30, 1_000_000).await;
    let id = app
        .post(
            &format!("/api/v1/listings/{ch}/applications"),
            Some(&bob),
            proposal(),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();

    let thread = format!("/api/v1/applications/{id}/messages");
    app.post(
        &thread,
        Some(&bob),
        json!({"body": "补充：中试线照片见附件"}),
    )
    .await
    .expect(StatusCode::CREATED);
    app.post(
        &thread,
        Some(&alice),
        json!({"body": "请补充循环寿命测试条件"}),
    )
    .await
    .expect(StatusCode::CREATED);
    let page = app.get(&thread, Some(&bob)).await.expect(StatusCode::OK);
    assert_eq!(page.body["total"], 2);
    assert_eq!(page.body["messages"][0]["body"], "请补充循环寿命测试条件");

    let files = format!("/api/v1/applications/{id}/attachments");
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let upload = |token: &str| {
        let uri = format!("{files}?name=solution.pdf");
        let (token, pdf) = (token.to_string(), pdf.clone());
        async move {
            app.send(
                Method::POST,
                &uri,
                Some(&token),
                Some((pdf, "application/pdf")),
            )
            .await
        }
    };
    let file = upload(&bob).await.expect(StatusCode::CREATED).id();
    // The owner reads the applicant's files but does not add to them.
    assert_eq!(upload(&alice).await.status, StatusCode::FORBIDDEN);
    let listed = app.get(&files, Some(&alice)).await.expect(StatusCode::OK);
    assert_eq!(ints_of(&listed.body, "id"), [file]);
    let download = format!("/api/v1/attachments/{file}");
    assert_eq!(
        app.get(&download, Some(&alice)).await.status,
        StatusCode::OK
    );

    // A third organisation: 404 everywhere, as for ids that do not exist.
    for uri in [&thread, &files, &download] {
        assert_eq!(
            app.get(uri.as_str(), Some(&carol)).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
    assert_eq!(
        app.post(&thread, Some(&carol), json!({"body": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(upload(&carol).await.status, StatusCode::NOT_FOUND);
}
on_both_backends!(application_threads_and_files);
