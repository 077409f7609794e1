//! `/api/v1/instruments/{id}/slots`, `/api/v1/slots/…` and `/api/v1/bookings/…`
//! (`api/bookings.rs`): the owner offers slots (one, a weekly series capped at 200, no overlap)
//! and withdraws one; another organisation books with a voucher, the owner confirms or declines
//! with a reason, the requester cancels; the permission suite (no other organisation reads a
//! booking by id; staff and admins do; only the owner decides, only the requester cancels);
//! past slots and racing bookings. Each scenario runs on SQLite and on PostgreSQL.

use chrono::Duration;
use qiao_domain::booking::now_cst;

use crate::common::*;

/// `days` from tomorrow at `hour`:00, China Standard Time, as the API writes it.
fn at(days: i64, hour: u32) -> String {
    (now_cst().date() + Duration::days(1 + days))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The cast: a provider with an instrument (`pat`), two enterprises (`alice`'s 甲公司, `bob`'s
/// 乙公司), staff, and a stranger of a third organisation.
pub struct Cast {
    pub admin: String,
    pub staff: String,
    pub pat: String,
    pub alice: String,
    pub a: i64,
    pub bob: String,
    pub carol: String,
    pub instrument: i64,
}

pub async fn cast(app: &TestApp) -> Cast {
    let Rivals {
        admin,
        a,
        alice,
        bob,
        ..
    } = app.rivals().await;
    let p = app.org(&admin, 3, "分析测试中心").await;
    let pat = app.member("pat", p).await;
    let c = app.org(&admin, 4, "丙公司").await;
    let carol = app.member("carol", c).await;
    let staff = app.staff().await;
    let instrument = app
        .create(
            &pat,
            "/api/v1/instruments",
            json!({"title": "X 射线衍射仪", "description": "物相鉴定 <b>XRD</b>", "booking_terms": "150 元/样"}),
        )
        .await;
    Cast {
        admin,
        staff,
        pat,
        alice,
        a,
        bob,
        carol,
        instrument,
    }
}

/// The caller's notifications, newest first, as (kind, link, title).
async fn notices(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let r = app
        .get("/api/v1/notifications?limit=50", Some(token))
        .await
        .expect(StatusCode::OK);
    array(&r.body["items"])
        .iter()
        .map(|n| {
            let text = |k: &str| n[k].as_str().unwrap_or_default().to_string();
            (text("kind"), text("link"), text("title"))
        })
        .collect()
}

/// Offers one slot `days` from tomorrow, 9:00–12:00 at `price` yuan; its id.
pub async fn slot(app: &TestApp, c: &Cast, days: i64, price: &str) -> i64 {
    let r = app
        .post(
            format!("/api/v1/instruments/{}/slots", c.instrument),
            Some(&c.pat),
            json!({"one": {"starts_at": at(days, 9), "ends_at": at(days, 12), "price": price}}),
        )
        .await
        .expect(StatusCode::CREATED);
    r.body[0]["id"].as_i64().unwrap()
}

/// Staff issue a voucher of `yuan` to 甲公司; its id.
pub async fn voucher(app: &TestApp, c: &Cast, number: &str, yuan: &str) -> i64 {
    let today = now_cst().date();
    app.create(
        &c.staff,
        "/api/v1/vouchers",
        json!({"number": number, "org_id": c.a, "granted": yuan,
               "valid_from": today.to_string(), "valid_until": (today + Duration::days(90)).to_string()}),
    )
    .await
}

async fn offer_book_confirm_with_a_voucher(app: &TestApp) {
    let c = cast(app).await;
    let slots = format!("/api/v1/instruments/{}/slots", c.instrument);
    // A weekly series: Mon, Wed, Fri for two weeks.
    let r = app
        .post(
            &slots,
            Some(&c.pat),
            json!({"weekly": {"from": (now_cst().date() + Duration::days(1)).to_string(),
                    "weekdays": [1, 3, 5], "start_time": "14:00:00", "end_time": "16:00:00",
                    "weeks": 2, "price": "450.50"}}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(array(&r.body).len(), 6);
    assert_eq!(r.body[0]["price"], "450.50");
    let one = slot(app, &c, 0, "800").await;
    // Anyone sees the open slots, in time order.
    let open = app.get(&slots, None).await.expect(StatusCode::OK);
    assert_eq!(open.total(), 7);
    assert_eq!(open.items()[0]["id"], one);

    let v = voucher(app, &c, "MH-2026-0001", "1000").await;
    let booked = app
        .post(
            format!("/api/v1/slots/{one}/bookings"),
            Some(&c.alice),
            json!({"purpose": "正极材料物相鉴定", "voucher_id": v, "voucher_amount": "300.25"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = booked.id();
    assert_eq!(booked.location, Some(format!("/api/v1/bookings/{id}")));
    assert_eq!(booked.body["status"], "requested");
    assert_eq!(booked.body["voucher_amount"], "300.25");
    // The instrument's organisation hears of it, linked to its booking management; the
    // booker does not hear of its own act, and nobody else hears at all.
    let heard = notices(app, &c.pat).await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].0, "booking_request");
    assert_eq!(heard[0].1, format!("/bookings/manage#booking-{id}"));
    assert!(heard[0].2.contains("X 射线衍射仪"), "{heard:?}");
    assert!(notices(app, &c.alice).await.is_empty());
    assert!(notices(app, &c.bob).await.is_empty());
    // The slot is taken: no longer open, and a second booking is a 409.
    assert_eq!(app.get(&slots, None).await.total(), 6);
    let r = app
        .post(
            format!("/api/v1/slots/{one}/bookings"),
            Some(&c.bob),
            json!({"purpose": "测试"}),
        )
        .await
        .expect(StatusCode::CONFLICT);
    assert!(r.message().contains("already booked"), "{}", r.message());
    // The owner sees it among the bookings of its instruments, and the owner's slot list
    // shows it booked.
    let incoming = app
        .get("/api/v1/bookings/incoming?status=requested", Some(&c.pat))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&incoming.body["items"], "id"), [id]);
    let owners = app.get(&slots, Some(&c.pat)).await.expect(StatusCode::OK);
    assert_eq!(owners.total(), 7);
    assert_eq!(owners.items()[0]["booked"], true);
    // Reserved, then spent on confirmation.
    let voucher_uri = format!("/api/v1/vouchers/{v}");
    let held = app
        .get(&voucher_uri, Some(&c.alice))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (held.body["reserved"].clone(), held.body["left"].clone()),
        (json!("300.25"), json!("699.75"))
    );
    let view = app
        .get(format!("/api/v1/bookings/{id}"), Some(&c.pat))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view.body["may_decide"], true);
    assert_eq!(view.body["requester_name"], "甲公司");
    assert_eq!(view.body["voucher_number"], "MH-2026-0001");
    let confirmed = app
        .post(
            format!("/api/v1/bookings/{id}/confirm"),
            Some(&c.pat),
            json!({"version": 1}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(confirmed.body["status"], "confirmed");
    let heard = notices(app, &c.alice).await;
    assert_eq!(
        (heard[0].0.as_str(), heard[0].1.clone()),
        ("booking_status", format!("/bookings#booking-{id}"))
    );
    assert!(heard[0].2.contains("已确认"), "{heard:?}");
    let spent = app
        .get(&voucher_uri, Some(&c.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (spent.body["reserved"].clone(), spent.body["spent"].clone()),
        (json!("0.00"), json!("300.25"))
    );
    assert_eq!(ints_of(&spent.body["bookings"], "id"), [id]);
    // A confirmed booking is neither cancelled nor declined, and its slot not withdrawn.
    app.post(
        format!("/api/v1/bookings/{id}/cancel"),
        Some(&c.alice),
        json!({"version": 2}),
    )
    .await
    .expect(StatusCode::CONFLICT);
    app.post(
        format!("/api/v1/slots/{one}/withdraw"),
        Some(&c.pat),
        json!({}),
    )
    .await
    .expect(StatusCode::CONFLICT);
    // Staff see the totals.
    let list = app
        .get("/api/v1/vouchers", Some(&c.staff))
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.body["totals"]["spent"], "300.25");
    assert_eq!(list.body["left"], "699.75");
    // 我的预约.
    let mine = app
        .get("/api/v1/bookings", Some(&c.alice))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ints_of(&mine.body["items"], "id"), [id]);
    assert_eq!(app.get("/api/v1/bookings", Some(&c.bob)).await.total(), 0);
}
on_both_backends!(offer_book_confirm_with_a_voucher);

async fn decline_needs_a_reason_and_cancel_releases(app: &TestApp) {
    let c = cast(app).await;
    let s1 = slot(app, &c, 0, "500").await;
    let s2 = slot(app, &c, 1, "500").await;
    let v = voucher(app, &c, "MH-2026-0002", "600").await;
    let book = |slot: i64, amount: &'static str| {
        app.post(
            format!("/api/v1/slots/{slot}/bookings"),
            Some(&c.alice),
            json!({"purpose": "测试", "voucher_id": v, "voucher_amount": amount}),
        )
    };
    let b1 = book(s1, "400").await.expect(StatusCode::CREATED).id();
    // More than is left (200) is refused naming the amount; more than the price too.
    let r = book(s2, "200.01")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["voucher_amount"]);
    assert_eq!(r.body["error"]["fields"][0]["code"], "over_balance");
    let r = book(s2, "501")
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["code"], "over_price");
    // Half of a voucher pair: named.
    let r = app
        .post(
            format!("/api/v1/slots/{s2}/bookings"),
            Some(&c.alice),
            json!({"purpose": "测试", "voucher_id": v}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["voucher_amount"]);
    // A decline without a reason names it; with one, the amount comes back.
    let r = app
        .post(
            format!("/api/v1/bookings/{b1}/decline"),
            Some(&c.pat),
            json!({"version": 1, "reason": "  "}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["reason"]);
    let r = app
        .post(
            format!("/api/v1/bookings/{b1}/decline"),
            Some(&c.pat),
            json!({"version": 1, "reason": "设备检修"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["reason"], "设备检修");
    // The requester hears of the decline with its reason.
    let heard = notices(app, &c.alice).await;
    assert_eq!(heard[0].0, "booking_status");
    assert!(heard[0].2.contains("被拒绝：设备检修"), "{heard:?}");
    let left = app
        .get(format!("/api/v1/vouchers/{v}"), Some(&c.alice))
        .await;
    assert_eq!(left.body["left"], "600.00");
    // The slot is open again; book and cancel it.
    let b2 = book(s1, "500").await.expect(StatusCode::CREATED).id();
    app.post(
        format!("/api/v1/bookings/{b2}/cancel"),
        Some(&c.alice),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::OK);
    // The instrument's organisation hears of the cancellation.
    let heard = notices(app, &c.pat).await;
    assert_eq!(
        (heard[0].0.as_str(), heard[0].1.clone()),
        ("booking_status", format!("/bookings/manage#booking-{b2}"))
    );
    assert!(heard[0].2.contains("取消"), "{heard:?}");
    let left = app
        .get(format!("/api/v1/vouchers/{v}"), Some(&c.alice))
        .await;
    assert_eq!(
        (left.body["reserved"].clone(), left.body["left"].clone()),
        (json!("0.00"), json!("600.00"))
    );
    // The owner withdraws a free slot; it can no longer be booked.
    app.post(
        format!("/api/v1/slots/{s2}/withdraw"),
        Some(&c.pat),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    book(s2, "100").await.expect(StatusCode::CONFLICT);
    // Even its owner no longer counts it among the coming slots.
    let owners = app
        .get(
            format!("/api/v1/instruments/{}/slots", c.instrument),
            Some(&c.pat),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!((owners.total(), owners.items().len()), (1, 1));
}
on_both_backends!(decline_needs_a_reason_and_cancel_releases);

async fn bookings_are_confidential(app: &TestApp) {
    let c = cast(app).await;
    let s = slot(app, &c, 0, "500").await;
    let id = app
        .post(
            format!("/api/v1/slots/{s}/bookings"),
            Some(&c.alice),
            json!({"purpose": "保密样品"}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let uri = format!("/api/v1/bookings/{id}");
    // The two organisations, staff and admins read it; another organisation gets the 404 of a
    // booking that does not exist, as for an id nobody has.
    for who in [&c.alice, &c.pat, &c.staff, &c.admin] {
        app.get(&uri, Some(who)).await.expect(StatusCode::OK);
    }
    let hidden = app
        .get(&uri, Some(&c.bob))
        .await
        .expect(StatusCode::NOT_FOUND);
    let missing = app
        .get("/api/v1/bookings/999999", Some(&c.bob))
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.message().replace(&id.to_string(), "N"),
        missing.message().replace("999999", "N")
    );
    app.get(&uri, None).await.expect(StatusCode::UNAUTHORIZED);
    // Nobody else steps it: another organisation cannot see it, the requester does not
    // confirm, the owner does not cancel, staff do not decide for a provider.
    for step in ["confirm", "cancel"] {
        app.post(
            format!("{uri}/{step}"),
            Some(&c.carol),
            json!({"version": 1}),
        )
        .await
        .expect(StatusCode::NOT_FOUND);
    }
    app.post(
        format!("{uri}/confirm"),
        Some(&c.alice),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    app.post(format!("{uri}/cancel"), Some(&c.pat), json!({"version": 1}))
        .await
        .expect(StatusCode::FORBIDDEN);
    app.post(
        format!("{uri}/confirm"),
        Some(&c.staff),
        json!({"version": 1}),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // Only the instrument's organisation (or an admin) offers and withdraws slots.
    let offer = json!({"one": {"starts_at": at(3, 9), "ends_at": at(3, 10)}});
    app.post(
        format!("/api/v1/instruments/{}/slots", c.instrument),
        Some(&c.bob),
        offer.clone(),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    app.post(
        format!("/api/v1/instruments/{}/slots", c.instrument),
        Some(&c.admin),
        offer,
    )
    .await
    .expect(StatusCode::CREATED);
    let other = slot(app, &c, 5, "1").await;
    app.post(
        format!("/api/v1/slots/{other}/withdraw"),
        Some(&c.bob),
        json!({}),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // The other organisation's lists do not show it.
    assert_eq!(app.get("/api/v1/bookings", Some(&c.bob)).await.total(), 0);
    assert_eq!(
        app.get("/api/v1/bookings/incoming", Some(&c.bob))
            .await
            .total(),
        0
    );
    // An admin, who decides for every provider, sees it among the bookings to decide; staff,
    // who read but do not decide, see only their own organisation's.
    assert_eq!(
        app.get("/api/v1/bookings/incoming", Some(&c.admin))
            .await
            .total(),
        1
    );
    assert_eq!(
        app.get("/api/v1/bookings/incoming", Some(&c.staff))
            .await
            .total(),
        0
    );
    // An organisation does not book its own instrument.
    let r = app
        .post(
            format!("/api/v1/slots/{other}/bookings"),
            Some(&c.pat),
            json!({"purpose": "自用"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["fields"][0]["code"], "own_instrument");
}
on_both_backends!(bookings_are_confidential);

async fn slot_refusals_name_their_field(app: &TestApp) {
    let c = cast(app).await;
    let uri = format!("/api/v1/instruments/{}/slots", c.instrument);
    let t = |d: Duration| (now_cst() + d).format("%Y-%m-%dT%H:%M:%S").to_string();
    let cases = [
        (
            json!({"one": {"starts_at": t(Duration::hours(-2)), "ends_at": t(Duration::hours(1))}}),
            vec!["starts_at"],
        ),
        (
            json!({"one": {"starts_at": at(0, 12), "ends_at": at(0, 9)}}),
            vec!["ends_at"],
        ),
        (
            json!({"one": {"starts_at": at(0, 9), "ends_at": at(0, 10), "price": "-5"}}),
            vec!["one.price"],
        ),
        (
            json!({"weekly": {"from": (now_cst().date() + Duration::days(1)).to_string(), "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "start_time": "09:00:00", "end_time": "10:00:00", "weeks": 29}}),
            vec!["weeks"],
        ),
        (
            json!({"weekly": {"from": (now_cst().date() + Duration::days(1)).to_string(), "weekdays": [9],
            "start_time": "09:00:00", "end_time": "10:00:00", "weeks": 1}}),
            vec!["weekdays[0]"],
        ),
    ];
    for (body, fields) in cases {
        let r = app.post(&uri, Some(&c.pat), body.clone()).await;
        let got = r.fields();
        assert!(
            r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
            "{body}: {}",
            r.body
        );
        assert_eq!(got, fields, "{body}: {}", r.body);
    }
    // 7 × 28 = 196 slots fit in one request; the next week overlaps them, named by slot.
    let from = (now_cst().date() + Duration::days(1)).to_string();
    let r = app
        .post(
            &uri,
            Some(&c.pat),
            json!({"weekly": {"from": from, "weekdays": [1, 2, 3, 4, 5, 6, 7],
                    "start_time": "09:00:00", "end_time": "10:00:00", "weeks": 28}}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(array(&r.body).len(), 196);
    let r = app
        .post(
            &uri,
            Some(&c.pat),
            json!({"one": {"starts_at": at(3, 9), "ends_at": at(3, 11)}}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["starts_at"]);
    assert_eq!(r.body["error"]["fields"][0]["code"], "slot_overlap");
    // Paging is bounded: at most 200 a page.
    app.get(format!("{uri}?per_page=201"), None)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let page = app
        .get(format!("{uri}?per_page=50&page=4"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!((page.total(), page.items().len()), (196, 46));
}
on_both_backends!(slot_refusals_name_their_field);

/// Two organisations book the same slot at the same moment through the API: one wins.
async fn racing_bookings_one_wins(app: &TestApp) {
    let c = cast(app).await;
    let s = slot(app, &c, 0, "500").await;
    let uri = format!("/api/v1/slots/{s}/bookings");
    let body = json!({"purpose": "抢约"});
    let (x, y, z) = tokio::join!(
        app.post(&uri, Some(&c.alice), body.clone()),
        app.post(&uri, Some(&c.bob), body.clone()),
        app.post(&uri, Some(&c.carol), body.clone()),
    );
    let mut statuses = [x.status, y.status, z.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT
        ]
    );
}
on_both_backends!(racing_bookings_one_wins);

/// A slot that has begun cannot be booked: named as `slot_id` (the slot is written in the
/// store, as the API offers only future slots).
async fn a_slot_that_began_cannot_be_booked(app: &TestApp) {
    let c = cast(app).await;
    let owner = app
        .db
        .store
        .get_listing(c.instrument)
        .await
        .unwrap()
        .owner_org_id
        .unwrap();
    let now = now_cst();
    let began = qiao_domain::booking::SlotSpec {
        starts_at: now - Duration::minutes(30),
        ends_at: now + Duration::minutes(90),
        price: None,
    };
    let slot = app
        .db
        .store
        .create_slots(c.instrument, owner, &[began])
        .await
        .unwrap()
        .remove(0);
    // Not among the coming slots, and refused when booked by id.
    let open = app
        .get(format!("/api/v1/instruments/{}/slots", c.instrument), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(open.total(), 0);
    let r = app
        .post(
            format!("/api/v1/slots/{}/bookings", slot.id),
            Some(&c.alice),
            json!({"purpose": "迟到的预约"}),
        )
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.fields(), ["slot_id"]);
    assert_eq!(r.body["error"]["fields"][0]["code"], "not_future");
}
on_both_backends!(a_slot_that_began_cannot_be_booked);
