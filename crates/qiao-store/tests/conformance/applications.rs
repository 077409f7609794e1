//! Applications to challenges (揭榜) on both backends: one live application per organisation and
//! challenge, versions refuse a stale review, an award writes its deal and the challenge's
//! status in the same transaction (and none of them when any part fails), the board's reward
//! and window filters, and backups carry applications with their history.

use chrono::{TimeZone, Utc};
use qiao_domain::application::{self, ApplicationAction};
use qiao_domain::listing::Status;
use qiao_domain::{Application, Deal, Kind, Listing, Proposal};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{
    ApplicationChange, ApplicationFilter, BackupItem, DealFilter, Drafts, ListingFilter, Page,
    StoreError,
};
use serde_json::json;

use super::{code, listing, org};

conformance!(
    applications_are_one_per_organisation_and_versioned,
    an_award_opens_its_deal_in_the_same_transaction,
    challenge_board_filters_by_reward_and_window,
    backup_restores_applications,
);

fn proposal(budget: i64) -> Proposal {
    serde_json::from_value(json!({
        "solution": "硫化物电解质路线", "team": "张教授团队 6 人", "budget_yuan": budget,
        "timeline": "12 个月", "commitments": [{"name": "效率", "target": 92.0, "unit": "%"}]
    }))
    .unwrap()
}

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
}

/// An owner, two applicants and a challenge; returns (challenge id, owner, a, b).
async fn setup(db: &TestDb) -> (i64, i64, i64, i64) {
    let s = &db.store;
    let owner = s.create_org(&org(&code(11), "榜主公司")).await.unwrap().id;
    let a = s
        .create_org(&org(&code(12), "揭榜大学甲"))
        .await
        .unwrap()
        .id;
    let b = s
        .create_org(&org(&code(13), "揭榜大学乙"))
        .await
        .unwrap()
        .id;
    let ch = s
        .create_listing(
            Some(owner),
            &listing(Kind::Challenge, "固态电池难题", json!({})),
        )
        .await
        .unwrap();
    (ch.id, owner, a, b)
}

async fn submit(db: &TestDb, ch: i64, owner: i64, applicant: i64) -> qiao_store::ApplicationRecord {
    let (app, event) =
        Application::submit(ch, Some(owner), applicant, proposal(500_000), 5, at(1)).unwrap();
    db.store
        .acting_as(5)
        .create_application(&app, &event)
        .await
        .unwrap()
}

fn criteria_of(l: &Listing) -> Vec<application::Criterion> {
    let Listing::Challenge(c) = l else {
        panic!("not a challenge")
    };
    application::criteria(c)
}

async fn applications_are_one_per_organisation_and_versioned(db: &TestDb) {
    let s = &db.store;
    let (ch, owner, a, b) = setup(db).await;
    let first = submit(db, ch, owner, a).await;
    assert_eq!(first.version, 1);
    assert_eq!(first.created_by, Some(5));
    assert_eq!(s.get_application(first.id).await.unwrap(), first);
    // A second live application of the same organisation is refused, nothing written.
    let (again, ev) = Application::submit(ch, Some(owner), a, proposal(1), 5, at(2)).unwrap();
    assert!(matches!(
        s.create_application(&again, &ev).await,
        Err(StoreError::Conflict(_))
    ));
    let other = submit(db, ch, owner, b).await;
    let listed = s
        .applications(
            &ApplicationFilter {
                listing_id: Some(ch),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].id, other.id);
    let mine = s
        .applications(
            &ApplicationFilter {
                applicant_org_id: Some(a),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(mine.items, vec![first.clone()]);

    // A review step; a second one computed from the old version is refused.
    let challenge = s.get_listing(ch).await.unwrap().listing;
    let (short, event) = first
        .application
        .apply(
            ApplicationAction::Shortlist,
            &criteria_of(&challenge),
            9,
            at(3),
        )
        .unwrap();
    let change = ApplicationChange {
        id: first.id,
        version: 1,
        application: short,
        event,
    };
    let done = s
        .acting_as(9)
        .update_applications(std::slice::from_ref(&change), None)
        .await
        .unwrap();
    assert_eq!(done[0].version, 2);
    assert_eq!(
        done[0].application.status,
        qiao_domain::ApplicationStatus::Shortlisted
    );
    assert!(matches!(
        s.update_applications(&[change], None).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.application_events(first.id).await.unwrap().len(), 2);

    // Withdrawn, the organisation may apply again.
    let (gone, event) = done[0]
        .application
        .apply(
            ApplicationAction::Withdraw,
            &criteria_of(&challenge),
            5,
            at(4),
        )
        .unwrap();
    s.update_applications(
        &[ApplicationChange {
            id: first.id,
            version: 2,
            application: gone,
            event,
        }],
        None,
    )
    .await
    .unwrap();
    submit(db, ch, owner, a).await;
    // The change feed names the record kind.
    let changes = s.changes_since(0, 1000).await.unwrap();
    assert!(changes.iter().any(|c| c.entity == "application"));
}

fn award_deal(ch: i64, application_id: i64, seller: i64, buyer: i64) -> Deal {
    serde_json::from_value(json!({
        "title": "揭榜：固态电池难题",
        "listing_ids": [ch],
        "seller_org_id": seller,
        "buyer_org_id": buyer,
        "origin": {"kind": "challenge", "listing_id": ch, "application_id": application_id},
        "stage": "contact",
    }))
    .unwrap()
}

async fn an_award_opens_its_deal_in_the_same_transaction(db: &TestDb) {
    let s = &db.store;
    let (ch, owner, a, _) = setup(db).await;
    let app = submit(db, ch, owner, a).await;
    let challenge = s.get_listing(ch).await.unwrap().listing;
    let ks = criteria_of(&challenge);
    let scores = ks
        .iter()
        .map(|k| qiao_domain::Score {
            criterion: k.name.clone(),
            points: 8,
            comment: None,
        })
        .collect();
    let (scored, ev) = app
        .application
        .apply(
            ApplicationAction::Score {
                scores,
                comment: None,
            },
            &ks,
            9,
            at(3),
        )
        .unwrap();
    let scored = s
        .update_applications(
            &[ApplicationChange {
                id: app.id,
                version: 1,
                application: scored,
                event: ev,
            }],
            None,
        )
        .await
        .unwrap()
        .remove(0);
    let (won, ev) = scored
        .application
        .apply(ApplicationAction::Award, &ks, 9, at(4))
        .unwrap();
    let mut awarded = challenge.clone();
    if let Listing::Challenge(c) = &mut awarded {
        c.status = Status::Awarded;
    }
    let deal = award_deal(ch, app.id, a, owner);
    let change = ApplicationChange {
        id: app.id,
        version: scored.version,
        application: won,
        event: ev,
    };
    // A stale version refuses the whole award: no deal, no status change.
    let stale = ApplicationChange {
        version: 1,
        ..change.clone()
    };
    assert!(matches!(
        s.award_application(
            &stale,
            &deal,
            &deal.opened(9, at(4), None),
            Some((ch, &awarded))
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        s.all_deals(&DealFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.get_listing(ch).await.unwrap().listing.status(),
        Status::Open
    );

    let (record, opened) = s
        .acting_as(9)
        .award_application(
            &change,
            &deal,
            &deal.opened(9, at(4), None),
            Some((ch, &awarded)),
        )
        .await
        .unwrap();
    assert_eq!(record.application.deal_id, Some(opened.id));
    assert_eq!(
        record.application.status,
        qiao_domain::ApplicationStatus::Awarded
    );
    assert_eq!(opened.deal.buyer_org_id, Some(owner));
    assert_eq!(opened.deal.seller_org_id, Some(a));
    assert_eq!(opened.created_by, Some(9));
    assert_eq!(
        s.get_listing(ch).await.unwrap().listing.status(),
        Status::Awarded
    );
}

async fn challenge_board_filters_by_reward_and_window(db: &TestDb) {
    let s = &db.store;
    let owner = s.create_org(&org(&code(21), "榜主")).await.unwrap().id;
    let mk = |title: &str, reward: i64, from: &str, until: &str| {
        listing(
            Kind::Challenge,
            title,
            json!({"reward_yuan": reward, "apply_from": from, "apply_until": until}),
        )
    };
    let small = s
        .create_listing(
            Some(owner),
            &mk("小榜", 100_000, "2026-01-01", "2026-03-10"),
        )
        .await
        .unwrap();
    let big = s
        .create_listing(
            Some(owner),
            &mk("大榜", 5_000_000, "2026-02-01", "2026-12-31"),
        )
        .await
        .unwrap();
    let later = s
        .create_listing(
            Some(owner),
            &mk("未开", 800_000, "2026-06-01", "2026-07-01"),
        )
        .await
        .unwrap();
    let ids = |f: ListingFilter| async move {
        let mut v: Vec<i64> = s
            .list_listings(&f, Page::default())
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.id)
            .collect();
        v.sort();
        v
    };
    let base = ListingFilter {
        kind: Some(Kind::Challenge),
        drafts: Drafts::Hidden,
        ..Default::default()
    };
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        ids(ListingFilter {
            reward_min: Some(500_000),
            ..base.clone()
        })
        .await,
        vec![big.id, later.id]
    );
    assert_eq!(
        ids(ListingFilter {
            reward_min: Some(500_000),
            reward_max: Some(1_000_000),
            ..base.clone()
        })
        .await,
        vec![later.id]
    );
    assert_eq!(
        ids(ListingFilter {
            window_open_on: Some(day("2026-03-01")),
            ..base.clone()
        })
        .await,
        vec![small.id, big.id]
    );
    // Open on 03-01 and closing within ten days.
    assert_eq!(
        ids(ListingFilter {
            window_open_on: Some(day("2026-03-01")),
            window_closes_by: Some(day("2026-03-11")),
            ..base.clone()
        })
        .await,
        vec![small.id]
    );
    // An edit moves the columns with the body.
    s.update_listing(small.id, &mk("小榜", 9_000_000, "2026-01-01", "2026-03-10"))
        .await
        .unwrap();
    assert_eq!(
        ids(ListingFilter {
            reward_min: Some(6_000_000),
            ..base.clone()
        })
        .await,
        vec![small.id]
    );
    // A challenge under review takes no applications, whatever its dates.
    let mut reviewing = mk("大榜", 5_000_000, "2026-02-01", "2026-12-31");
    if let Listing::Challenge(c) = &mut reviewing {
        c.status = Status::UnderReview;
    }
    s.update_listing(big.id, &reviewing).await.unwrap();
    assert_eq!(
        ids(ListingFilter {
            window_open_on: Some(day("2026-03-01")),
            ..base.clone()
        })
        .await,
        vec![small.id]
    );
}

async fn backup_restores_applications(db: &TestDb) {
    let s = &db.store;
    let (ch, owner, a, b) = setup(db).await;
    let first = submit(db, ch, owner, a).await;
    submit(db, ch, owner, b).await;
    let challenge = s.get_listing(ch).await.unwrap().listing;
    let (declined, ev) = first
        .application
        .apply(
            ApplicationAction::Decline {
                reason: "预算过高".into(),
            },
            &criteria_of(&challenge),
            9,
            at(5),
        )
        .unwrap();
    s.update_applications(
        &[ApplicationChange {
            id: first.id,
            version: 1,
            application: declined,
            event: ev,
        }],
        None,
    )
    .await
    .unwrap();
    let backup = s.backup().await.unwrap();
    assert!(
        backup
            .items
            .iter()
            .any(|i| matches!(i, BackupItem::Application(x) if x.events.len() == 2))
    );
    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    let back = fresh.store.get_application(first.id).await.unwrap();
    assert_eq!(back.application.reason.as_deref(), Some("预算过高"));
    // New applications after a restore get new ids.
    let third = fresh
        .store
        .create_org(&org(&code(14), "揭榜大学丙"))
        .await
        .unwrap()
        .id;
    let (app, ev) = Application::submit(ch, Some(owner), third, proposal(2), 5, at(6)).unwrap();
    let again = fresh.store.create_application(&app, &ev).await.unwrap();
    assert!(again.id > first.id + 1);
    fresh.drop_schema().await;
}
