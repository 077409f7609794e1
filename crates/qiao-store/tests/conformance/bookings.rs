//! Instrument booking and 创新券 on both backends: slots never overlap on one instrument, one
//! active booking per slot even when requests race (and the database's own index refuses a
//! second one written around the store), a voucher's reserve–spend–release arithmetic with no
//! overspend under concurrent bookings, versions refuse a stale step, and backups carry slots,
//! bookings and vouchers with their balances.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use qiao_domain::booking::{
    Booking, BookingAction, BookingStatus, Fen, SlotSpec, SlotStatus, Voucher, now_cst,
};
use qiao_domain::{Kind, Rule};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{
    BackupItem, BookingChange, BookingFilter, Page, SlotFilter, SlotRecord, Store, StoreError,
};
use serde_json::json;

use super::{code, listing, org};

conformance!(
    slots_never_overlap_on_one_instrument,
    one_active_booking_per_slot_when_requests_race,
    the_database_refuses_a_second_active_booking,
    vouchers_reserve_spend_and_release,
    concurrent_bookings_never_overspend_a_voucher,
    backup_restores_slots_bookings_and_vouchers,
);

/// Tomorrow at `hour` o'clock (China Standard Time), plus `days`.
fn at(days: i64, hour: u32) -> NaiveDateTime {
    (now_cst().date() + Duration::days(1 + days))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
}

fn spec(days: i64, from: u32, to: u32, price_yuan: i64) -> SlotSpec {
    SlotSpec {
        starts_at: at(days, from),
        ends_at: at(days, to),
        price: Some(Fen(price_yuan * 100)),
    }
}

/// A provider owning an instrument, and two enterprises; (instrument, provider, a, b).
async fn setup(db: &TestDb) -> (i64, i64, i64, i64) {
    let s = &db.store;
    let provider = s
        .create_org(&org(&code(21), "分析测试中心"))
        .await
        .unwrap()
        .id;
    let a = s.create_org(&org(&code(22), "甲企业")).await.unwrap().id;
    let b = s.create_org(&org(&code(23), "乙企业")).await.unwrap().id;
    let inst = s
        .create_listing(
            Some(provider),
            &listing(Kind::Instrument, "X 射线衍射仪", json!({})),
        )
        .await
        .unwrap()
        .id;
    (inst, provider, a, b)
}

fn booking_of(slot: &SlotRecord, org: i64, voucher: Option<(i64, Fen)>) -> Booking {
    Booking::request(
        slot.id,
        slot.listing_id,
        slot.owner_org_id,
        org,
        slot.slot.clone(),
        "物相分析",
        voucher,
        now_cst(),
    )
    .unwrap()
}

fn voucher(number: &str, org: i64, yuan: i64) -> Voucher {
    Voucher {
        number: number.into(),
        org_id: org,
        granted: Fen(yuan * 100),
        valid_from: now_cst().date(),
        valid_until: now_cst().date() + Duration::days(365),
        note: Some("2026 年第一批".into()),
    }
}

fn invalid_field(e: StoreError) -> (String, Rule) {
    match e {
        StoreError::Invalid(i) => (i.0[0].field.clone(), i.0[0].rule.clone()),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn slots_never_overlap_on_one_instrument(db: &TestDb) {
    let s = &db.store;
    let (inst, provider, ..) = setup(db).await;
    let made = s
        .create_slots(inst, provider, &[spec(0, 9, 12, 800), spec(0, 13, 17, 800)])
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    assert!(
        made.iter()
            .all(|r| r.status == SlotStatus::Open && !r.booked)
    );
    // Overlapping a stored slot: refused, nothing of the request written.
    let e = s
        .create_slots(inst, provider, &[spec(1, 9, 10, 0), spec(0, 11, 14, 800)])
        .await
        .unwrap_err();
    let (field, rule) = invalid_field(e);
    assert_eq!(field, "slots[1].starts_at");
    assert!(matches!(rule, Rule::SlotOverlap { .. }), "{rule:?}");
    let all = s
        .slots(
            &SlotFilter {
                listing_id: Some(inst),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    // Touching ends are fine; a withdrawn slot no longer blocks its time.
    s.create_slots(inst, provider, &[spec(0, 12, 13, 0)])
        .await
        .unwrap();
    let w = s.withdraw_slot(made[0].id).await.unwrap();
    assert_eq!(w.status, SlotStatus::Withdrawn);
    s.create_slots(inst, provider, &[spec(0, 9, 11, 600)])
        .await
        .unwrap();
    // The open list leaves out withdrawn slots and is in time order.
    let open = s
        .slots(
            &SlotFilter {
                listing_id: Some(inst),
                after: Some(now_cst()),
                offered_only: true,
                open_only: true,
            },
            Page::default(),
        )
        .await
        .unwrap();
    let starts: Vec<NaiveDateTime> = open.items.iter().map(|r| r.slot.starts_at).collect();
    assert_eq!(starts, [at(0, 9), at(0, 12), at(0, 13)]);
}

async fn one_active_booking_per_slot_when_requests_race(db: &TestDb) {
    let s = &db.store;
    let (inst, provider, a, b) = setup(db).await;
    let slot = s
        .create_slots(inst, provider, &[spec(0, 9, 12, 800)])
        .await
        .unwrap()
        .remove(0);
    // Eight bookings of the same slot at once, from two organisations: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store: Arc<dyn Store> = s.clone();
        let b = booking_of(&slot, if i % 2 == 0 { a } else { b }, None);
        tasks.push(tokio::spawn(async move { store.create_booking(&b).await }));
    }
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => won.push(r),
            Err(StoreError::Conflict(m)) => assert!(m.contains("already booked"), "{m}"),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won.len(), 1);
    assert!(s.get_slot(slot.id).await.unwrap().booked);
    // A booked slot cannot be withdrawn.
    assert!(matches!(
        s.withdraw_slot(slot.id).await,
        Err(StoreError::Conflict(_))
    ));
    // Once cancelled the slot is free again and another organisation books it.
    let first = &won[0];
    let cancelled = first.booking.apply(&BookingAction::Cancel).unwrap();
    s.update_booking(&BookingChange {
        id: first.id,
        version: first.version,
        booking: cancelled,
    })
    .await
    .unwrap();
    // A stale version is refused.
    let again = first.booking.apply(&BookingAction::Confirm).unwrap();
    assert!(matches!(
        s.update_booking(&BookingChange {
            id: first.id,
            version: first.version,
            booking: again,
        })
        .await,
        Err(StoreError::Conflict(_))
    ));
    let second = s.create_booking(&booking_of(&slot, b, None)).await.unwrap();
    assert_eq!(second.booking.status, BookingStatus::Requested);
    let mine = s
        .bookings(
            &BookingFilter {
                owner_org_id: Some(provider),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(mine.total, 2);
}

async fn the_database_refuses_a_second_active_booking(db: &TestDb) {
    use sqlx::{AnyConnection, Connection};
    let s = &db.store;
    let (inst, provider, a, b) = setup(db).await;
    let slot = s
        .create_slots(inst, provider, &[spec(0, 9, 12, 800)])
        .await
        .unwrap()
        .remove(0);
    let first = s.create_booking(&booking_of(&slot, a, None)).await.unwrap();
    // Around the store: the unique partial index alone refuses a second active booking…
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        qiao_store::Backend::Sqlite => format!("{}?mode=rw", db.url),
        qiao_store::Backend::Postgres => db.url.clone(),
    };
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let insert = |status: &'static str| {
        sqlx::query(
            "INSERT INTO bookings (slot_id, listing_id, owner_org_id, requester_org_id, status, voucher_fen, version, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 1, '{}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(slot.id)
        .bind(inst)
        .bind(provider)
        .bind(b)
        .bind(status)
    };
    let e = insert("requested").execute(&mut conn).await.unwrap_err();
    let sqlx::Error::Database(d) = &e else {
        panic!("{e:?}")
    };
    assert!(d.is_unique_violation(), "{d:?}");
    assert!(insert("confirmed").execute(&mut conn).await.is_err());
    // …while bookings that no longer hold the slot are any number.
    insert("cancelled").execute(&mut conn).await.unwrap();
    insert("declined").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    assert_eq!(
        s.get_booking(first.id)
            .await
            .unwrap()
            .booking
            .requester_org_id,
        a
    );
}

async fn vouchers_reserve_spend_and_release(db: &TestDb) {
    let s = &db.store;
    let (inst, provider, a, b) = setup(db).await;
    let v = s
        .create_voucher(&voucher("SH-2026-0001", a, 1000))
        .await
        .unwrap();
    assert_eq!(v.balance().left(), Fen(100_000));
    // The number is unique.
    assert!(matches!(
        s.create_voucher(&voucher("SH-2026-0001", b, 5)).await,
        Err(StoreError::Conflict(_))
    ));
    let slots = s
        .create_slots(
            inst,
            provider,
            &[
                spec(0, 9, 12, 800),
                spec(1, 9, 12, 800),
                spec(2, 9, 12, 800),
            ],
        )
        .await
        .unwrap();
    let one = s
        .create_booking(&booking_of(&slots[0], a, Some((v.id, Fen(60_000)))))
        .await
        .unwrap();
    let after = s.get_voucher(v.id).await.unwrap();
    assert_eq!((after.reserved, after.spent), (Fen(60_000), Fen(0)));
    // More than is left: refused naming the amount, the slot stays free, nothing reserved.
    let e = s
        .create_booking(&booking_of(&slots[1], a, Some((v.id, Fen(40_001)))))
        .await
        .unwrap_err();
    let (field, rule) = invalid_field(e);
    assert_eq!(field, "voucher_amount");
    assert_eq!(
        rule,
        Rule::OverBalance {
            found: "400.01".into(),
            left: "400.00".into()
        }
    );
    assert!(!s.get_slot(slots[1].id).await.unwrap().booked);
    // Another organisation's voucher does not pay.
    assert!(matches!(
        s.create_booking(&booking_of(&slots[1], b, Some((v.id, Fen(100)))))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let two = s
        .create_booking(&booking_of(&slots[1], a, Some((v.id, Fen(40_000)))))
        .await
        .unwrap();
    // Confirm the first (spent), decline the second (released).
    let confirmed = one.booking.apply(&BookingAction::Confirm).unwrap();
    s.update_booking(&BookingChange {
        id: one.id,
        version: one.version,
        booking: confirmed,
    })
    .await
    .unwrap();
    let declined = two
        .booking
        .apply(&BookingAction::Decline {
            reason: "设备检修".into(),
        })
        .unwrap();
    s.update_booking(&BookingChange {
        id: two.id,
        version: two.version,
        booking: declined,
    })
    .await
    .unwrap();
    let end = s.get_voucher(v.id).await.unwrap();
    assert_eq!(
        (end.reserved, end.spent, end.balance().left()),
        (Fen(0), Fen(60_000), Fen(40_000))
    );
    let totals = s.voucher_totals(Some(a)).await.unwrap();
    assert_eq!(totals.count, 1);
    assert_eq!(totals.balance.spent, Fen(60_000));
    assert_eq!(s.voucher_totals(Some(b)).await.unwrap().count, 0);
    assert_eq!(s.vouchers(None, Page::default()).await.unwrap().total, 1);
}

async fn concurrent_bookings_never_overspend_a_voucher(db: &TestDb) {
    let s = &db.store;
    let (inst, provider, a, _) = setup(db).await;
    // 1,000 yuan on the voucher; ten bookings of 300 yuan each at once: three fit.
    let v = s
        .create_voucher(&voucher("SH-2026-0099", a, 1000))
        .await
        .unwrap();
    let specs: Vec<SlotSpec> = (0..10).map(|d| spec(d, 9, 12, 800)).collect();
    let slots = s.create_slots(inst, provider, &specs).await.unwrap();
    let mut tasks = Vec::new();
    for slot in &slots {
        let store: Arc<dyn Store> = s.clone();
        let b = booking_of(slot, a, Some((v.id, Fen(30_000))));
        tasks.push(tokio::spawn(async move { store.create_booking(&b).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(invalid_field(e).0, "voucher_amount"),
        }
    }
    assert_eq!(ok, 3);
    let end = s.get_voucher(v.id).await.unwrap();
    assert_eq!(
        (end.reserved, end.balance().left()),
        (Fen(90_000), Fen(10_000))
    );
}

async fn backup_restores_slots_bookings_and_vouchers(db: &TestDb) {
    let s = &db.store;
    let (inst, provider, a, _) = setup(db).await;
    let v = s
        .create_voucher(&voucher("SH-2026-0007", a, 500))
        .await
        .unwrap();
    let slots = s
        .create_slots(inst, provider, &[spec(0, 9, 12, 800), spec(1, 9, 12, 800)])
        .await
        .unwrap();
    let b = s
        .create_booking(&booking_of(&slots[0], a, Some((v.id, Fen(20_000)))))
        .await
        .unwrap();
    let confirmed = b.booking.apply(&BookingAction::Confirm).unwrap();
    s.update_booking(&BookingChange {
        id: b.id,
        version: b.version,
        booking: confirmed,
    })
    .await
    .unwrap();
    s.withdraw_slot(slots[1].id).await.unwrap();
    let backup = s.backup().await.unwrap();
    assert!(
        backup
            .items
            .iter()
            .any(|i| matches!(i, BackupItem::Voucher(x) if x.spent == Fen(20_000)))
    );
    assert_eq!(
        backup
            .items
            .iter()
            .filter(|i| matches!(i, BackupItem::Slot(_)))
            .count(),
        2
    );
    assert!(
        backup
            .items
            .iter()
            .any(|i| matches!(i, BackupItem::Slot(x) if x.bookings.len() == 1 && x.slot.booked))
    );
    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    let back = fresh.store.get_voucher(v.id).await.unwrap();
    assert_eq!(
        (back.spent, back.balance().left()),
        (Fen(20_000), Fen(30_000))
    );
    assert_eq!(
        fresh.store.get_booking(b.id).await.unwrap().booking.status,
        BookingStatus::Confirmed
    );
    // New records after a restore get new ids, and the restored booking still holds its slot.
    let more = fresh
        .store
        .create_slots(inst, provider, &[spec(3, 9, 12, 0)])
        .await
        .unwrap();
    assert!(more[0].id > slots[1].id);
    assert!(matches!(
        fresh
            .store
            .create_booking(&booking_of(&slots[0], a, None))
            .await,
        Err(StoreError::Conflict(_))
    ));
    fresh.drop_schema().await;
}
