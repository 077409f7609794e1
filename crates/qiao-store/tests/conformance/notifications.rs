//! The inbox store on both backends: a once-key delivers once, an account's notifications are
//! its own (another account's id reads as not found, and marks nothing), preferences default
//! to on and are stored per kind, disabled accounts hear nothing, follows are idempotent, and
//! the outbox hands out each due e-mail until it is sent or given up; a backup keeps each
//! account's choices and followed challenges.

use qiao_domain::Kind;
use qiao_domain::notification::{
    NewNotification, NotificationKind, Preference, Target, TargetKind,
};
use qiao_domain::{AccountContact, NewAccount, Role};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{BackupItem, Delivery, Mail, StoreError};

use super::listing;

conformance!(
    a_once_key_delivers_once_and_notifications_are_private,
    recipients_carry_their_choices,
    the_outbox_hands_out_due_mail,
    backup_keeps_choices_and_follows,
);

async fn account(db: &TestDb, name: &str) -> i64 {
    db.store
        .create_account(
            &NewAccount {
                username: name.into(),
                display_name: None,
                password: "a-long-password".into(),
                role: Role::TechnologyManager,
                org_id: None,
            },
            "hash",
        )
        .await
        .unwrap()
        .id
}

fn note(account_id: i64, once: Option<&str>) -> Delivery {
    Delivery {
        notification: NewNotification {
            account_id,
            kind: NotificationKind::Message,
            target: Target {
                kind: TargetKind::Deal,
                id: 3,
            },
            title: "新消息".into(),
            title_en: "New message".into(),
            once_key: once.map(str::to_string),
        },
        in_app: true,
        mail: None,
    }
}

async fn a_once_key_delivers_once_and_notifications_are_private(db: &TestDb) {
    let s = &db.store;
    let a = account(db, "alice").await;
    let b = account(db, "bob").await;
    assert_eq!(
        s.deliver(&[note(a, None), note(a, None), note(a, Some("k:1"))])
            .await
            .unwrap(),
        3
    );
    assert_eq!(s.deliver(&[note(a, Some("k:1"))]).await.unwrap(), 0);
    assert_eq!(s.unread_count(a).await.unwrap(), 3);
    let page = s.notifications(a, None, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert!(page[0].id > page[1].id);
    let rest = s.notifications(a, Some(page[1].id), 2).await.unwrap();
    assert_eq!(rest.len(), 1);
    let id = page[0].id;
    assert!(matches!(
        s.mark_read(b, id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert_eq!(s.mark_all_read(b).await.unwrap(), 0);
    assert!(s.notifications(b, None, 50).await.unwrap().is_empty());
    assert_eq!(s.unread_count(a).await.unwrap(), 3);
    let read = s.mark_read(a, id).await.unwrap();
    assert!(read.read_at.is_some());
    assert_eq!(s.unread_count(a).await.unwrap(), 2);
    assert_eq!(s.mark_all_read(a).await.unwrap(), 2);
    assert_eq!(s.unread_count(a).await.unwrap(), 0);
}

async fn recipients_carry_their_choices(db: &TestDb) {
    let s = &db.store;
    let a = account(db, "alice").await;
    let b = account(db, "bob").await;
    let c = account(db, "carol").await;
    s.set_account_contact(
        a,
        &AccountContact {
            email: Some("alice@example.cn".into()),
            phone: None,
        },
    )
    .await
    .unwrap();
    assert!(
        s.preferences(a)
            .await
            .unwrap()
            .iter()
            .all(|p| p.in_app && p.email)
    );
    s.set_preferences(
        b,
        &[Preference {
            kind: NotificationKind::Message,
            in_app: false,
            email: true,
        }],
    )
    .await
    .unwrap();
    s.set_preferences(
        b,
        &[Preference {
            kind: NotificationKind::Message,
            in_app: true,
            email: false,
        }],
    )
    .await
    .unwrap();
    s.set_account_disabled(c, true).await.unwrap();
    let r = s
        .recipients(NotificationKind::Message, &[], &[a, b, c])
        .await
        .unwrap();
    let got: Vec<(i64, Option<&str>, bool, bool)> = r
        .iter()
        .map(|r| (r.account_id, r.address.as_deref(), r.in_app, r.email))
        .collect();
    assert_eq!(
        got,
        [
            (a, Some("alice@example.cn"), true, true),
            (b, None, true, false)
        ]
    );
    // Another kind keeps its default.
    let other = s
        .recipients(NotificationKind::DealStage, &[], &[b])
        .await
        .unwrap();
    assert!(other[0].in_app && other[0].email);
}

async fn the_outbox_hands_out_due_mail(db: &TestDb) {
    let s = &db.store;
    let a = account(db, "alice").await;
    let mut d = note(a, None);
    d.in_app = false;
    d.mail = Some(Mail {
        to: "alice@example.cn".into(),
        subject: "桥 Qiao · 新消息".into(),
        body: "新消息".into(),
    });
    s.deliver(&[d.clone(), d]).await.unwrap();
    assert_eq!(s.unread_count(a).await.unwrap(), 0);
    let now = chrono::Utc::now();
    let due = s.due_mail(now, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    s.mail_sent(due[0].id).await.unwrap();
    s.mail_failed(
        due[1].id,
        "refused",
        Some(now + chrono::Duration::minutes(2)),
    )
    .await
    .unwrap();
    assert!(s.due_mail(now, 10).await.unwrap().is_empty());
    let later = s
        .due_mail(now + chrono::Duration::minutes(3), 10)
        .await
        .unwrap();
    assert_eq!((later.len(), later[0].attempts), (1, 1));
    s.mail_failed(later[0].id, "refused again", None)
        .await
        .unwrap();
    assert!(
        s.due_mail(now + chrono::Duration::days(1), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Pruning takes the sent and the given-up mail, not what still waits, and nothing newer
    // than its bound.
    let mut waiting = note(a, Some("waiting"));
    waiting.in_app = false;
    waiting.mail = Some(Mail {
        to: "alice@example.cn".into(),
        subject: "桥 Qiao · 待发".into(),
        body: "待发".into(),
    });
    s.deliver(&[waiting]).await.unwrap();
    assert_eq!(
        s.prune_mail(now - chrono::Duration::days(1)).await.unwrap(),
        0
    );
    assert_eq!(
        s.prune_mail(now + chrono::Duration::days(2)).await.unwrap(),
        2
    );
    let left = s
        .due_mail(now + chrono::Duration::days(3), 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].mail.subject, "桥 Qiao · 待发");
}

async fn backup_keeps_choices_and_follows(db: &TestDb) {
    let s = &db.store;
    let a = account(db, "alice").await;
    let challenge = s
        .create_listing(
            None,
            &listing(Kind::Challenge, "揭榜", serde_json::json!({})),
        )
        .await
        .unwrap();
    let off = Preference {
        kind: NotificationKind::Message,
        in_app: false,
        email: true,
    };
    s.set_preferences(a, &[off]).await.unwrap();
    s.follow_challenge(a, challenge.id).await.unwrap();
    let backup = s.backup().await.unwrap();
    assert!(backup.items.iter().any(|i| matches!(
        i,
        BackupItem::NotificationPreference { kind, in_app: false, .. } if kind == "message"
    )));
    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    let prefs = fresh.store.preferences(a).await.unwrap();
    assert!(prefs.contains(&off), "{prefs:?}");
    assert!(
        fresh
            .store
            .follows_challenge(a, challenge.id)
            .await
            .unwrap()
    );
    assert_eq!(
        fresh.store.challenge_followers(challenge.id).await.unwrap(),
        [a]
    );
    fresh.drop_schema().await;
}
