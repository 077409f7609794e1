//! The storage conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `QIAO_TEST_DATABASE_URL` is set, each on a database of its own.

use chrono::NaiveDate;
use qiao_domain::{Kind, Listing, NewAccount, Organisation, Policy, Role, Target};
use qiao_store::test_support::TestDb;
use qiao_store::{
    AuditFilter, Backend, BackupItem, DocumentFilter, DocumentState, Drafts, ImportListing,
    ListingFilter, NewDocument, Op, OrgFilter, Page, StoreError, TargetFilter,
};
use serde_json::json;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = qiao_store::test_support::TestDb::new(qiao_store::Backend::Sqlite).await.unwrap();
                super::$name(&db).await;
                db.drop_schema().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = qiao_store::test_support::TestDb::new(qiao_store::Backend::Postgres).await else {
                    eprintln!("QIAO_TEST_DATABASE_URL is not set; PostgreSQL conformance not run");
                    return;
                };
                super::$name(&db).await;
                db.drop_schema().await;
            })*
        }
    };
}

conformance!(
    organisations_round_trip_and_conflict,
    listings_crud_and_change_feed,
    listing_filters_and_paging,
    import_is_all_or_nothing,
    accounts_and_tokens,
    backup_restores_everything,
    concurrent_writers_keep_the_feed_ordered,
    registration_is_one_transaction,
    sessions_expire_and_end,
    contact_requests_gate_disclosure,
    audit_log_names_the_actor,
    documents_store_once_list_and_delete,
    backup_restores_documents,
    policies_and_targets_round_trip_and_restore,
    documents_in_one_transaction_are_all_or_none,
    disabling_an_account_revokes_its_sessions_and_tokens,
    resetting_a_password_revokes_sessions_and_tokens,
    audit_log_records_fields_before_and_after_and_filters,
    certificate_verdicts_are_set_only_by_verification,
);

mod applications;
mod bookings;
mod deals_contracts;
mod valuations;

fn org(code: &str, name: &str) -> Organisation {
    let mut o: Organisation = serde_json::from_value(json!({
        "kind": "university", "name": name, "credit_code": code, "district": "闵行区",
        "certificates": [{"kind": "high_tech", "issued_on": "2024-01-01", "expires_on": "2026-12-31"}]
    }))
    .unwrap();
    o.validate().unwrap();
    o
}

/// Valid codes made with the check character of GB 32100-2015.
fn code(n: u32) -> String {
    let first = format!("91310000MA1K{n:05}");
    let check = qiao_domain::codes::credit_code_check_char(&first).unwrap();
    format!("{first}{check}")
}

fn listing(kind: Kind, title: &str, extra: serde_json::Value) -> Listing {
    let mut fields = json!({"title": title, "description": "描述", "summary": "摘要"});
    if kind != Kind::Achievement {
        fields.as_object_mut().unwrap().remove("summary");
    } else {
        fields.as_object_mut().unwrap().remove("description");
    }
    if kind == Kind::Challenge {
        fields.as_object_mut().unwrap().extend(
            json!({"indicators": [{"name": "效率", "target": 90, "unit": "%"}], "reward_yuan": 1000000,
                   "apply_from": "2026-01-01", "apply_until": "2026-06-30"})
            .as_object()
            .unwrap()
            .clone(),
        );
    }
    fields
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let mut l = Listing::from_fields(kind, fields).unwrap();
    l.validate().unwrap();
    l
}

async fn organisations_round_trip_and_conflict(db: &TestDb) {
    let s = &db.store;
    let a = s.create_org(&org(&code(1), "上海交通大学")).await.unwrap();
    assert_eq!(s.get_org(a.id).await.unwrap().org, a.org);
    assert_eq!(
        s.org_by_credit_code(&code(1).to_lowercase())
            .await
            .unwrap()
            .unwrap()
            .id,
        a.id
    );
    let err = s.create_org(&org(&code(1), "重复")).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains(&code(1))),
        "{err:?}"
    );

    let mut changed = a.org.clone();
    changed.name = "上海交通大学（闵行校区）".into();
    let b = s.update_org(a.id, &changed).await.unwrap();
    assert_eq!(b.org.name, changed.name);
    assert!(b.updated_at >= a.updated_at);

    s.create_org(&org(&code(2), "复旦大学")).await.unwrap();
    let found = s
        .list_orgs(
            &OrgFilter {
                name_contains: Some("复旦".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].org.name, "复旦大学");
    // LIKE wildcards in the user's text are literal.
    let none = s
        .list_orgs(
            &OrgFilter {
                name_contains: Some("%".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0);

    s.create_listing(Some(a.id), &listing(Kind::Achievement, "成果", json!({})))
        .await
        .unwrap();
    assert!(matches!(
        s.delete_org(a.id).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert!(matches!(
        s.get_org(999).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

async fn listings_crud_and_change_feed(db: &TestDb) {
    let s = &db.store;
    let start = s.last_seq().await.unwrap();
    let o = s.create_org(&org(&code(3), "同济大学")).await.unwrap();
    let l = s
        .create_listing(
            Some(o.id),
            &listing(
                Kind::Demand,
                "电池散热",
                json!({"confidential": "型号X", "district": "嘉定区"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(l.owner_org_id, Some(o.id));
    assert_eq!(s.get_listing(l.id).await.unwrap(), l);
    let other = s
        .create_listing(Some(o.id), &listing(Kind::Expert, "王教授", json!({})))
        .await
        .unwrap();
    // Batch reads skip missing ids, ignore duplicates and come back in id order.
    let many = s
        .get_listings(&[other.id, 987_654, l.id, other.id])
        .await
        .unwrap();
    assert_eq!(many, [l.clone(), other.clone()]);
    s.delete_listing(other.id).await.unwrap();

    let mut changed = l.listing.clone();
    let Listing::Demand(d) = &mut changed else {
        panic!()
    };
    d.title = "电池包散热".into();
    let u = s.update_listing(l.id, &changed).await.unwrap();
    assert_eq!(u.listing.title(), "电池包散热");
    assert_eq!(u.created_at, l.created_at);

    let wrong_kind = listing(Kind::Expert, "王教授", json!({}));
    assert!(matches!(
        s.update_listing(l.id, &wrong_kind).await.unwrap_err(),
        StoreError::Conflict(_)
    ));

    s.delete_listing(l.id).await.unwrap();
    assert!(matches!(
        s.get_listing(l.id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        s.delete_listing(l.id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));

    let feed = s.changes_since(start, 100).await.unwrap();
    let ops: Vec<(&str, Op)> = feed.iter().map(|c| (c.entity.as_str(), c.op)).collect();
    assert_eq!(
        ops,
        [
            ("organisation", Op::Insert),
            ("listing", Op::Insert),
            ("listing", Op::Insert),
            ("listing", Op::Delete),
            ("listing", Op::Update),
            ("listing", Op::Delete)
        ]
    );
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(s.last_seq().await.unwrap(), feed.last().unwrap().seq);
    assert_eq!(
        s.changes_since(feed[1].seq, 1).await.unwrap()[0].seq,
        feed[2].seq
    );
}

async fn listing_filters_and_paging(db: &TestDb) {
    let s = &db.store;
    let a = s.create_org(&org(&code(4), "甲")).await.unwrap();
    let b = s.create_org(&org(&code(5), "乙")).await.unwrap();
    for i in 0..5 {
        s.create_listing(
            Some(a.id),
            &listing(
                Kind::Achievement,
                &format!("成果{i}"),
                json!({"district": "闵行区"}),
            ),
        )
        .await
        .unwrap();
    }
    s.create_listing(
        Some(b.id),
        &listing(Kind::Achievement, "草稿", json!({"status": "draft"})),
    )
    .await
    .unwrap();
    s.create_listing(
        Some(b.id),
        &listing(Kind::Demand, "过期", json!({"expires_on": "2020-01-01"})),
    )
    .await
    .unwrap();
    s.create_listing(
        Some(b.id),
        &listing(Kind::Challenge, "揭榜", json!({"district": "徐汇区"})),
    )
    .await
    .unwrap();

    let f = |kind, drafts| ListingFilter {
        kind,
        drafts,
        ..Default::default()
    };
    let total = |filter: ListingFilter| async move {
        s.list_listings(&filter, Page::default())
            .await
            .unwrap()
            .total
    };
    for (kind, drafts, want) in [
        (Some(Kind::Achievement), Drafts::Hidden, 5),
        (Some(Kind::Achievement), Drafts::OfOrg(b.id), 6),
        (Some(Kind::Achievement), Drafts::OfOrg(a.id), 5),
        (None, Drafts::All, 8),
    ] {
        assert_eq!(total(f(kind, drafts)).await, want, "{kind:?} {drafts:?}");
    }

    // The board's choices: public listings' districts, most used first; drafts not counted.
    let mut extra = Vec::new();
    for (title, fields) in [
        ("草稿二", json!({"status": "draft", "district": "嘉定区"})),
        ("成果5", json!({"district": "徐汇区"})),
    ] {
        let r = s
            .create_listing(Some(b.id), &listing(Kind::Achievement, title, fields))
            .await
            .unwrap();
        extra.push(r.id);
    }
    let district = |kind, limit| s.facet_values(kind, qiao_store::Facet::District, limit);
    assert_eq!(
        district(Kind::Achievement, 10).await.unwrap(),
        vec![(String::from("闵行区"), 5), (String::from("徐汇区"), 1)]
    );
    assert_eq!(district(Kind::Achievement, 1).await.unwrap().len(), 1);
    assert_eq!(
        district(Kind::Challenge, 10).await.unwrap(),
        vec![(String::from("徐汇区"), 1)]
    );
    for id in extra {
        s.delete_listing(id).await.unwrap();
    }

    let page2 = s
        .list_listings(
            &f(Some(Kind::Achievement), Drafts::Hidden),
            Page { number: 2, size: 2 },
        )
        .await
        .unwrap();
    let titles: Vec<_> = page2
        .items
        .iter()
        .map(|r| r.listing.title().to_string())
        .collect();
    assert_eq!(titles, ["成果2", "成果1"], "newest first");
    // The uncounted page (boards take their total from a cache) is the same page, drafts
    // hidden, beyond the last page empty.
    for (number, want) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let filter = f(Some(Kind::Achievement), Drafts::Hidden);
        let page = Page { number, size: 2 };
        let items = s.list_listing_items(&filter, page).await.unwrap();
        let counted = s.list_listings(&filter, page).await.unwrap().items;
        assert_eq!(items.len(), want, "page {number}");
        let ids = |v: &[qiao_store::ListingRecord]| v.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&items), ids(&counted), "page {number}");
    }

    let district = ListingFilter {
        district: Some("徐汇区".into()),
        ..Default::default()
    };
    assert_eq!(
        s.list_listings(&district, Page::default())
            .await
            .unwrap()
            .items[0]
            .listing
            .kind(),
        Kind::Challenge
    );
    let owner = ListingFilter {
        owner_org_id: Some(b.id),
        ..Default::default()
    };
    assert_eq!(total(owner).await, 2);
    let active = ListingFilter {
        active_on: NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    };
    assert_eq!(total(active).await, 6, "expired demand and draft excluded");
}

async fn import_is_all_or_nothing(db: &TestDb) {
    let s = &db.store;
    let orgs = vec![org(&code(6), "导入大学")];
    let good = ImportListing {
        id: None,
        owner_credit_code: Some(code(6)),
        listing: listing(Kind::Achievement, "导入成果", json!({})),
    };
    let bad_owner = ImportListing {
        id: None,
        owner_credit_code: Some(code(7)),
        listing: listing(Kind::Achievement, "无主", json!({})),
    };
    let seq = s.last_seq().await.unwrap();
    let err = s
        .import(&orgs, &[good.clone(), bad_owner])
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&code(7)), "{err}");
    assert!(
        s.org_by_credit_code(&code(6)).await.unwrap().is_none(),
        "nothing of a failed batch is stored"
    );
    assert_eq!(s.last_seq().await.unwrap(), seq, "nor any change-feed row");

    let report = s.import(&orgs, std::slice::from_ref(&good)).await.unwrap();
    assert_eq!(
        (report.organisations_created, report.listings_created),
        (1, 1)
    );
    let id = s
        .list_listings(&ListingFilter::default(), Page::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let mut again = good;
    again.id = Some(id);
    again.listing = listing(Kind::Achievement, "导入成果（修订）", json!({}));
    let report = s.import(&orgs, &[again]).await.unwrap();
    assert_eq!(
        (report.organisations_updated, report.listings_updated),
        (1, 1)
    );
    assert_eq!(
        s.get_listing(id).await.unwrap().listing.title(),
        "导入成果（修订）"
    );
}

async fn accounts_and_tokens(db: &TestDb) {
    let s = &db.store;
    let o = s.create_org(&org(&code(8), "账户大学")).await.unwrap();
    let new = NewAccount {
        username: "li.ming".into(),
        display_name: Some("李明".into()),
        password: "x".repeat(8),
        role: Role::Member,
        org_id: Some(o.id),
    };
    let a = s.create_account(&new, "hash").await.unwrap();
    assert_eq!(
        (a.role, a.org_id, a.display_name.as_str()),
        (Role::Member, Some(o.id), "李明")
    );
    assert!(
        matches!(s.create_account(&new, "hash").await.unwrap_err(), StoreError::Conflict(ref m) if m.contains("li.ming"))
    );
    let (found, hash) = s.account_for_login("li.ming").await.unwrap().unwrap();
    assert_eq!((found.id, hash.as_str()), (a.id, "hash"));
    assert!(s.account_for_login("nobody").await.unwrap().is_none());
    s.create_token(a.id, "script", "tokhash").await.unwrap();
    assert_eq!(
        s.account_for_token("tokhash").await.unwrap().unwrap().id,
        a.id
    );
    assert!(s.account_for_token("other").await.unwrap().is_none());
    assert_eq!(s.list_accounts(Page::default()).await.unwrap().total, 1);
}

async fn backup_restores_everything(db: &TestDb) {
    let s = &db.store;
    let o = s.create_org(&org(&code(9), "备份大学")).await.unwrap();
    let new = NewAccount {
        username: "admin".into(),
        display_name: None,
        password: "x".repeat(8),
        role: Role::Admin,
        org_id: None,
    };
    let a = s.create_account(&new, "h").await.unwrap();
    s.create_token(a.id, "t", "th").await.unwrap();
    // A disabled account keeps its stamp through backup and restore (and stays unable to
    // sign in).
    let gone = s
        .create_account(&member("left", Some(o.id)), "h2")
        .await
        .unwrap();
    let gone = s.set_account_disabled(gone.id, true).await.unwrap();
    assert!(gone.disabled_at.is_some());
    for kind in Kind::ALL {
        s.create_listing(
            Some(o.id),
            &listing(
                kind,
                kind.label_zh(),
                json!({"contact": {"name": "联系人"}}),
            ),
        )
        .await
        .unwrap();
    }
    let backup = s.backup().await.unwrap();
    assert_eq!(backup.items.len(), 1 + 2 + 1 + 7);
    assert!(backup.items.iter().any(
        |i| matches!(i, BackupItem::Account(r) if r.account.id == gone.id && r.account.disabled_at == gone.disabled_at)
    ));

    let target = TestDb::new(db.backend).await.unwrap();
    target.store.restore(&backup).await.unwrap();
    assert_eq!(target.store.backup().await.unwrap(), backup);
    assert_eq!(target.store.get_account(gone.id).await.unwrap(), gone);
    assert!(
        target
            .store
            .account_for_login("left")
            .await
            .unwrap()
            .is_none()
    );
    // A backup written before accounts could be disabled (no `disabled_at`) still reads.
    let old: BackupItem = serde_json::from_value(json!({
        "table": "account", "id": 7, "username": "old", "display_name": "old", "role": "member",
        "org_id": null, "password_hash": "h", "created_at": "2024-01-01T00:00:00Z"
    }))
    .unwrap();
    assert!(matches!(old, BackupItem::Account(r) if r.account.disabled_at.is_none()));
    assert!(target.store.integrity_check().await.unwrap().is_empty());
    // New rows get fresh ids after restored ones.
    let next = target
        .store
        .create_listing(Some(o.id), &listing(Kind::Demand, "新", json!({})))
        .await
        .unwrap();
    assert!(
        backup
            .items
            .iter()
            .all(|i| !matches!(i, qiao_store::BackupItem::Listing(l) if l.id == next.id))
    );
    let acc = NewAccount {
        username: "second".into(),
        display_name: None,
        password: "x".repeat(8),
        role: Role::Admin,
        org_id: None,
    };
    target.store.create_account(&acc, "h").await.unwrap();
    assert!(matches!(
        target.store.restore(&backup).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    target.drop_schema().await;
}

async fn concurrent_writers_keep_the_feed_ordered(db: &TestDb) {
    let s = db.store.clone();
    let o = s.create_org(&org(&code(10), "并发大学")).await.unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                s.create_listing(
                    Some(o.id),
                    &listing(Kind::Demand, &format!("需求{t}-{i}"), json!({})),
                )
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let feed = s.changes_since(0, 1000).await.unwrap();
    assert_eq!(feed.iter().filter(|c| c.entity == "listing").count(), 40);
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    if db.backend == Backend::Sqlite {
        assert!(s.integrity_check().await.unwrap().is_empty());
    }
}

fn member(username: &str, org_id: Option<i64>) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: None,
        password: "long enough".into(),
        role: Role::Member,
        org_id,
    }
}

async fn registration_is_one_transaction(db: &TestDb) {
    let s = &db.store;
    let (o, a) = s
        .register(&org(&code(501), "甲公司"), &member("jia", None), "hash")
        .await
        .unwrap();
    assert_eq!(a.org_id, Some(o.id));
    assert_eq!(a.role, Role::Member);
    // The person registering is the author of both records in the audit log.
    let log = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    for (entity, id) in [("organisation", o.id), ("account", a.id)] {
        let e = log
            .items
            .iter()
            .find(|e| e.entity == entity && e.entity_id == id)
            .unwrap_or_else(|| panic!("{entity} {id} is logged"));
        assert_eq!(e.actor_id, Some(a.id), "{entity}");
        assert_eq!(e.actor.as_deref(), Some("jia"));
    }
    // A taken username stores neither the new organisation nor the account.
    let err = s
        .register(&org(&code(502), "乙公司"), &member("jia", None), "hash")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(s.org_by_credit_code(&code(502)).await.unwrap().is_none());
    // A taken credit code: nothing either.
    let err = s
        .register(&org(&code(501), "丙公司"), &member("bing", None), "hash")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(s.account_for_login("bing").await.unwrap().is_none());
}

async fn sessions_expire_and_end(db: &TestDb) {
    let s = &db.store;
    let a = s.create_account(&member("sess", None), "h").await.unwrap();
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    s.create_session(a.id, "live", "csrf-1", later)
        .await
        .unwrap();
    s.create_session(
        a.id,
        "old",
        "csrf-2",
        chrono::Utc::now() - chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    let (who, csrf) = s.session("live").await.unwrap().unwrap();
    assert_eq!((who.id, csrf.as_str()), (a.id, "csrf-1"));
    assert!(
        s.session("old").await.unwrap().is_none(),
        "expired sessions are not valid"
    );
    assert!(s.session("nonexistent").await.unwrap().is_none());
    s.delete_session("live").await.unwrap();
    assert!(s.session("live").await.unwrap().is_none());
}

async fn contact_requests_gate_disclosure(db: &TestDb) {
    use qiao_domain::{ContactStatus, Decision, DeclineReason};
    use qiao_store::ContactFilter;
    let s = &db.store;
    let owner = s.create_org(&org(&code(601), "高校")).await.unwrap();
    let other = s.create_org(&org(&code(602), "企业")).await.unwrap();
    let l = s
        .create_listing(
            Some(owner.id),
            &listing(Kind::Achievement, "成果", json!({})),
        )
        .await
        .unwrap();
    let asker = s
        .create_account(&member("asker", Some(other.id)), "h")
        .await
        .unwrap();
    let colleague = s
        .create_account(&member("colleague", Some(other.id)), "h")
        .await
        .unwrap();
    let stranger = s
        .create_account(&member("stranger", None), "h")
        .await
        .unwrap();
    let own = s
        .create_account(&member("own", Some(owner.id)), "h")
        .await
        .unwrap();

    // Asking about one's own listing, or about nothing, is refused.
    assert!(matches!(
        s.create_contact_request(l.id, &own, "我们自己的成果")
            .await
            .unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert!(matches!(
        s.create_contact_request(9999, &asker, "不存在的成果")
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));

    let r = s
        .create_contact_request(l.id, &asker, "想了解许可条件")
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.owner_org_id, r.requester_org_id),
        (ContactStatus::Pending, Some(owner.id), Some(other.id))
    );
    assert!(matches!(
        s.create_contact_request(l.id, &asker, "再问一次")
            .await
            .unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert!(!s.contact_granted(l.id, &asker).await.unwrap());

    let inbox = s
        .contact_requests(
            &ContactFilter {
                owner_org_id: Some(owner.id),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        inbox.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![r.id]
    );
    let sent = s
        .contact_requests(
            &ContactFilter {
                requester_id: Some(stranger.id),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(sent.total, 0);

    let accepted = s
        .decide_contact_request(
            r.id,
            &Decision::Accept {
                note: Some("欢迎联系".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(accepted.status, ContactStatus::Accepted);
    assert!(s.contact_granted(l.id, &asker).await.unwrap());
    assert!(
        s.contact_granted(l.id, &colleague).await.unwrap(),
        "the whole organisation learns the contact"
    );
    assert!(!s.contact_granted(l.id, &stranger).await.unwrap());
    // A decided request cannot be decided again.
    assert!(matches!(
        s.decide_contact_request(
            r.id,
            &Decision::Decline {
                reason: DeclineReason::Price,
                note: None
            }
        )
        .await
        .unwrap_err(),
        StoreError::Conflict(_)
    ));

    let r2 = s
        .create_contact_request(l.id, &stranger, "个人想了解")
        .await
        .unwrap();
    let declined = s
        .decide_contact_request(
            r2.id,
            &Decision::Decline {
                reason: DeclineReason::TooEarly,
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (declined.status, declined.reason),
        (ContactStatus::Declined, Some(DeclineReason::TooEarly))
    );
    assert!(!s.contact_granted(l.id, &stranger).await.unwrap());

    // Contact requests survive backup and restore.
    let backup = s.backup().await.unwrap();
    let target = TestDb::new(db.backend).await.unwrap();
    target.store.restore(&backup).await.unwrap();
    assert_eq!(
        target.store.get_contact_request(r2.id).await.unwrap(),
        declined
    );
    // Identity columns moved past restored ids: a new request gets a fresh id.
    let again = target
        .store
        .create_contact_request(l.id, &stranger, "再次询问")
        .await
        .unwrap();
    assert!(again.id > r2.id);
    target.drop_schema().await;
}

async fn audit_log_names_the_actor(db: &TestDb) {
    let s = &db.store;
    let o = s.create_org(&org(&code(701), "机构")).await.unwrap();
    let a = s
        .create_account(&member("actor", Some(o.id)), "h")
        .await
        .unwrap();
    let l = s
        .acting_as(a.id)
        .create_listing(Some(o.id), &listing(Kind::Demand, "需求", json!({})))
        .await
        .unwrap();
    s.acting_as(a.id).delete_listing(l.id).await.unwrap();
    let log = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    let newest: Vec<_> = log
        .items
        .iter()
        .take(2)
        .map(|e| (e.entity.as_str(), e.entity_id, e.op, e.actor.as_deref()))
        .collect();
    assert_eq!(
        newest,
        vec![
            ("listing", l.id, Op::Delete, Some("actor")),
            ("listing", l.id, Op::Insert, Some("actor"))
        ]
    );
    // An admin changes the account's role; the change is logged as an update.
    let changed = s
        .update_account(a.id, Role::TechnologyManager, None)
        .await
        .unwrap();
    assert_eq!(
        (changed.role, changed.org_id),
        (Role::TechnologyManager, None)
    );
    assert!(matches!(
        s.update_account(9999, Role::Member, None)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        s.update_account(a.id, Role::Member, Some(9999))
            .await
            .unwrap_err(),
        StoreError::Conflict(_)
    ));
    let log = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        (log.items[0].entity.as_str(), log.items[0].op),
        ("account", Op::Update)
    );
    // Writes without an acting account (CLI, imports) have no actor.
    let first = log.items.last().unwrap();
    assert_eq!(
        (first.entity.as_str(), first.actor_id),
        ("organisation", None)
    );
    assert_eq!(log.total, 5);
}

fn document(sha: &str, title: &str, script: &str) -> NewDocument {
    NewDocument {
        file_name: format!("{sha}.html"),
        sha256: sha.repeat(64 / sha.len()),
        title: Some(title.into()),
        published: Some("2023-05-06".into()),
        source: Some("闵行区科委".into()),
        doc_number: Some("闵科委〔2023〕14号".into()),
        script: script.into(),
        encoding: "utf-8".into(),
        text: format!("{title}\n技术合同成交额达到230亿元。"),
        removed: json!([{"text": "上一篇", "reason": "prev_next"}]),
        figures: json!([{"indicator": "技术合同成交额", "value": 23000000000_i64, "unit": "元"}]),
        undecodable: json!([]),
        state: DocumentState::Published,
        review: Vec::new(),
    }
}

async fn documents_store_once_list_and_delete(db: &TestDb) {
    let s = &db.store;
    let admin = s
        .create_account(&member("importer", None), "h")
        .await
        .unwrap();
    let first = s
        .acting_as(admin.id)
        .create_document(&document("a1", "科技创新政策", "hans"))
        .await
        .unwrap();
    assert_eq!(first.imported_by, Some(admin.id));
    assert_eq!(first.document, document("a1", "科技创新政策", "hans"));
    assert_eq!(s.get_document(first.id).await.unwrap(), first);
    let second = s
        .create_document(&document("b2", "科技創新政策", "hant"))
        .await
        .unwrap();
    assert_eq!(second.imported_by, None);

    // The same bytes again (same hash, another file name) are refused and name the stored copy.
    let mut again = document("a1", "改名", "hans");
    again.file_name = "copy.html".into();
    match s.create_document(&again).await.unwrap_err() {
        StoreError::Conflict(m) => assert!(
            m.contains(&format!("already imported as document {}", first.id)),
            "{m}"
        ),
        e => panic!("expected a conflict, got {e:?}"),
    }
    assert_eq!(
        s.document_by_sha256(&first.document.sha256)
            .await
            .unwrap()
            .map(|d| d.id),
        Some(first.id)
    );
    assert!(s.document_by_sha256("none").await.unwrap().is_none());

    let all = s
        .list_documents(&DocumentFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(
        all.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        [second.id, first.id],
        "newest first"
    );
    let one_page = s
        .list_documents(&DocumentFilter::default(), Page { number: 2, size: 1 })
        .await
        .unwrap();
    assert_eq!(one_page.items.len(), 1);
    assert_eq!(one_page.items[0].id, first.id);
    let hant = s
        .list_documents(
            &DocumentFilter {
                script: Some("hant".into()),
                ..DocumentFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(hant.total, 1);
    assert_eq!(hant.items[0].id, second.id);
    assert_eq!(
        s.get_documents(&[second.id, 999, first.id])
            .await
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        [first.id, second.id]
    );

    // Drafts: stored as drafts, listed apart, published and taken back through the feed.
    let draft = s
        .create_document(&NewDocument {
            state: DocumentState::Draft,
            review: vec!["首存即送彩金。".into()],
            ..document("d", "草稿文件", "hans")
        })
        .await
        .unwrap();
    assert_eq!(s.get_document(draft.id).await.unwrap(), draft);
    let listed = |state| {
        let s = s.clone();
        async move {
            s.list_documents(
                &DocumentFilter {
                    state: Some(state),
                    ..DocumentFilter::default()
                },
                Page::default(),
            )
            .await
            .unwrap()
            .items
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(DocumentState::Draft).await, [draft.id]);
    assert!(!listed(DocumentState::Published).await.contains(&draft.id));
    let seq = s.last_seq().await.unwrap();
    let published = s
        .acting_as(admin.id)
        .set_document_state(draft.id, DocumentState::Published)
        .await
        .unwrap();
    assert_eq!(published.document.state, DocumentState::Published);
    assert_eq!(published.document.review, draft.document.review);
    assert!(listed(DocumentState::Published).await.contains(&draft.id));
    let changes = s.changes_since(seq, 10).await.unwrap();
    assert_eq!(
        (
            changes[0].entity.as_str(),
            changes[0].entity_id,
            changes[0].op
        ),
        ("document", draft.id, Op::Update)
    );
    assert!(matches!(
        s.set_document_state(9999, DocumentState::Draft)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));
    s.delete_document(draft.id).await.unwrap();

    s.acting_as(admin.id)
        .delete_document(first.id)
        .await
        .unwrap();
    assert!(matches!(
        s.get_document(first.id).await.unwrap_err(),
        StoreError::NotFound {
            what: "document",
            ..
        }
    ));
    assert!(matches!(
        s.delete_document(first.id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    // Once deleted, the same file may be imported again.
    s.create_document(&document("a1", "科技创新政策", "hans"))
        .await
        .unwrap();

    let feed: Vec<_> = s
        .changes_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == "document")
        .map(|c| (c.entity_id, c.op))
        .collect();
    assert_eq!(feed.len(), 7);
    assert_eq!(
        feed[..6],
        [
            (first.id, Op::Insert),
            (second.id, Op::Insert),
            (draft.id, Op::Insert),
            (draft.id, Op::Update),
            (draft.id, Op::Delete),
            (first.id, Op::Delete)
        ]
    );
    let log = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    let delete = log
        .items
        .iter()
        .find(|e| e.entity == "document" && e.op == Op::Delete)
        .unwrap();
    assert_eq!(delete.actor.as_deref(), Some("importer"));
    assert!(s.integrity_check().await.unwrap().is_empty());
}

async fn backup_restores_documents(db: &TestDb) {
    let s = &db.store;
    let a = s
        .create_document(&document("c3", "政策一", "hans"))
        .await
        .unwrap();
    let b = s
        .create_document(&document("d4", "政策二", "hant"))
        .await
        .unwrap();
    s.delete_document(a.id).await.unwrap();
    let backup = s.backup().await.unwrap();
    assert_eq!(backup.items, [BackupItem::Document(b.clone())]);

    let target = TestDb::new(db.backend).await.unwrap();
    target.store.restore(&backup).await.unwrap();
    assert_eq!(target.store.backup().await.unwrap(), backup);
    assert_eq!(target.store.get_document(b.id).await.unwrap(), b);
    // New documents are numbered after the restored ones.
    let next = target
        .store
        .create_document(&document("e5", "政策三", "hans"))
        .await
        .unwrap();
    assert!(next.id > b.id);
    // A restored store refuses a second restore.
    assert!(matches!(
        target.store.restore(&backup).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    target.drop_schema().await;
}

fn policy(title: &str) -> Policy {
    let mut p: Policy = serde_json::from_value(json!({
        "title": title, "issuer": "闵行区科委", "apply_until": "2026-12-31",
        "conditions": {"certificates": ["high_tech"], "districts": ["闵行区"], "min_rd_ratio_percent": 3.5}
    }))
    .unwrap();
    p.validate().unwrap();
    p
}

fn target(region: &str, year: i32, indicator: &str, value: f64) -> Target {
    let mut t: Target = serde_json::from_value(json!({
        "region": region, "year": year, "indicator": indicator, "value": value, "unit": "家",
        "qualifier": "达", "metric": {"kind": "certified", "certificate": "high_tech"}
    }))
    .unwrap();
    t.validate().unwrap();
    t
}

async fn policies_and_targets_round_trip_and_restore(db: &TestDb) {
    let s = &db.store;
    let staff = s.create_account(&member("staff", None), "h").await.unwrap();
    let p = s
        .acting_as(staff.id)
        .create_policy(&policy("研发投入奖励"))
        .await
        .unwrap();
    assert_eq!(p.policy, policy("研发投入奖励"));
    assert_eq!(s.get_policy(p.id).await.unwrap(), p);
    let mut changed = policy("研发投入奖励（修订）");
    changed.conditions.min_employees = Some(10);
    let p2 = s
        .acting_as(staff.id)
        .update_policy(p.id, &changed)
        .await
        .unwrap();
    assert_eq!((p2.id, &p2.policy), (p.id, &changed));
    assert!(matches!(
        s.update_policy(p.id + 99, &changed).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    let other = s.create_policy(&policy("另一项政策")).await.unwrap();
    let listed = s.list_policies(Page::default()).await.unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].id, other.id, "newest first");

    let made = s
        .create_targets(&[
            target("闵行区", 2023, "高新技术企业", 4000.0),
            target("闵行区", 2024, "高新技术企业", 4200.0),
            target("徐汇区", 2023, "高新技术企业", 1500.0),
        ])
        .await
        .unwrap();
    assert_eq!(made.len(), 3);
    assert_eq!(made[1].target.value, 4200.0);
    let minhang_2023 = s
        .list_targets(
            &TargetFilter {
                region: Some("闵行区".into()),
                year: Some(2023),
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        minhang_2023.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        [made[0].id]
    );
    let all = s
        .list_targets(&TargetFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(all.items[0].target.year, 2024, "latest year first");
    let mut reported = made[2].target.clone();
    reported.reported = Some(1480.0);
    assert_eq!(
        s.update_target(made[2].id, &reported)
            .await
            .unwrap()
            .target
            .reported,
        Some(1480.0)
    );
    s.delete_target(made[1].id).await.unwrap();
    assert!(matches!(
        s.get_target(made[1].id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        s.delete_policy(other.id + 99).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));

    // Every write is in the audit log, with its actor where there was one.
    let audit = s
        .audit_log(
            &AuditFilter::default(),
            Page {
                number: 1,
                size: 50,
            },
        )
        .await
        .unwrap();
    let policy_changes: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.entity == "policy" && e.entity_id == p.id)
        .collect();
    assert_eq!(policy_changes.len(), 2);
    assert!(policy_changes.iter().all(|e| e.actor_id == Some(staff.id)));
    assert!(
        audit
            .items
            .iter()
            .any(|e| e.entity == "target" && e.entity_id == made[1].id && e.op == Op::Delete)
    );

    let backup = s.backup().await.unwrap();
    let restored = TestDb::new(db.backend).await.unwrap();
    restored.store.restore(&backup).await.unwrap();
    assert_eq!(restored.store.backup().await.unwrap(), backup);
    assert_eq!(restored.store.get_policy(p.id).await.unwrap(), p2);
    let next = restored
        .store
        .create_targets(&[target("闵行区", 2025, "高新技术企业", 4500.0)])
        .await
        .unwrap();
    assert!(next[0].id > made[2].id);
    restored.drop_schema().await;
}

async fn documents_in_one_transaction_are_all_or_none(db: &TestDb) {
    let s = &db.store;
    let made = s
        .create_documents(&[document("m1", "一", "hans"), document("m2", "二", "hans")])
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    assert!(made[0].id < made[1].id);
    for r in &made {
        assert_eq!(&s.get_document(r.id).await.unwrap(), r);
    }
    // One stored hash in the batch: nothing of it is written.
    let before = s.last_seq().await.unwrap();
    let err = s
        .create_documents(&[document("m3", "三", "hans"), document("m1", "一", "hans")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(s.document_by_sha256("m3").await.unwrap().is_none());
    assert_eq!(s.last_seq().await.unwrap(), before);
}

async fn disabling_an_account_revokes_its_sessions_and_tokens(db: &TestDb) {
    let s = &db.store;
    let admin = s
        .create_account(
            &NewAccount {
                username: "boss".into(),
                display_name: None,
                password: "x".repeat(8),
                role: Role::Admin,
                org_id: None,
            },
            "h",
        )
        .await
        .unwrap();
    let a = s
        .create_account(&member("leaver", None), "h")
        .await
        .unwrap();
    assert_eq!(a.disabled_at, None);
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    s.create_session(a.id, "sess", "csrf", later).await.unwrap();
    s.create_token(a.id, "script", "tok").await.unwrap();
    // Another account's session and token are untouched.
    s.create_session(admin.id, "boss-sess", "csrf", later)
        .await
        .unwrap();
    s.create_token(admin.id, "script", "boss-tok")
        .await
        .unwrap();

    let off = s
        .acting_as(admin.id)
        .set_account_disabled(a.id, true)
        .await
        .unwrap();
    let stamp = off.disabled_at.expect("disabled_at is set");
    assert!(off.is_disabled());
    assert_eq!(s.get_account(a.id).await.unwrap(), off);
    assert!(s.account_for_login("leaver").await.unwrap().is_none());
    assert!(s.session("sess").await.unwrap().is_none());
    assert!(s.account_for_token("tok").await.unwrap().is_none());
    assert!(s.session("boss-sess").await.unwrap().is_some());
    assert!(s.account_for_token("boss-tok").await.unwrap().is_some());
    // Shown as disabled in the list admins read.
    let listed = s.list_accounts(Page::default()).await.unwrap();
    assert!(listed.items.iter().any(|x| x.id == a.id && x.is_disabled()));
    // Disabling again keeps the first stamp.
    let again = s.set_account_disabled(a.id, true).await.unwrap();
    assert_eq!(again.disabled_at, Some(stamp));
    // Even a session or token stored while it is disabled does not let it in.
    s.create_session(a.id, "late", "csrf", later).await.unwrap();
    s.create_token(a.id, "late", "late-tok").await.unwrap();
    assert!(s.session("late").await.unwrap().is_none());
    assert!(s.account_for_token("late-tok").await.unwrap().is_none());

    // Re-enabled: it signs in again, but what it held before stays revoked.
    let on = s
        .acting_as(admin.id)
        .set_account_disabled(a.id, false)
        .await
        .unwrap();
    assert_eq!(on.disabled_at, None);
    assert_eq!(s.account_for_login("leaver").await.unwrap().unwrap().0, on);
    assert!(s.session("sess").await.unwrap().is_none());
    assert!(s.account_for_token("tok").await.unwrap().is_none());
    s.create_token(a.id, "new", "new-tok").await.unwrap();
    assert_eq!(
        s.account_for_token("new-tok").await.unwrap().unwrap().id,
        a.id
    );

    assert!(matches!(
        s.set_account_disabled(9999, true).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    // Every change is in the audit log, by the admin who made it.
    let log = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    let updates: Vec<_> = log
        .items
        .iter()
        .filter(|e| e.entity == "account" && e.entity_id == a.id && e.op == Op::Update)
        .map(|e| e.actor.as_deref())
        .collect();
    assert_eq!(updates, [Some("boss"), None, Some("boss")]);
}

async fn resetting_a_password_revokes_sessions_and_tokens(db: &TestDb) {
    let s = &db.store;
    let a = s
        .create_account(&member("forgetful", None), "old-hash")
        .await
        .unwrap();
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    s.create_session(a.id, "sess", "csrf", later).await.unwrap();
    s.create_token(a.id, "script", "tok").await.unwrap();
    let before = s.last_seq().await.unwrap();
    let after = s.set_password(a.id, "new-hash").await.unwrap();
    assert_eq!(after, a, "nothing else about the account changes");
    let (found, hash) = s.account_for_login("forgetful").await.unwrap().unwrap();
    assert_eq!((found.id, hash.as_str()), (a.id, "new-hash"));
    assert!(s.session("sess").await.unwrap().is_none());
    assert!(s.account_for_token("tok").await.unwrap().is_none());
    let feed = s.changes_since(before, 10).await.unwrap();
    assert_eq!(
        feed.iter()
            .map(|c| (c.entity.as_str(), c.entity_id, c.op))
            .collect::<Vec<_>>(),
        [("account", a.id, Op::Update)]
    );
    assert!(matches!(
        s.set_password(9999, "h").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

/// Databases created by the hand-rolled migrator of earlier releases (bookkeeping in
/// `qiao_migrations`, no checksums) open with sqlx's migrator without running a migration twice.
mod legacy_migrations {
    use super::*;
    use qiao_store::test_support::EmptyDb;
    use qiao_store::{AccountStore, SqlStore};
    use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        for case in [Case::Behind, Case::Current, Case::Newer] {
            case.run(EmptyDb::new(Backend::Sqlite).await.unwrap()).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        for case in [Case::Behind, Case::Current, Case::Newer] {
            let Some(db) = EmptyDb::new(Backend::Postgres).await else {
                eprintln!("QIAO_TEST_DATABASE_URL is not set; PostgreSQL adoption not run");
                return;
            };
            case.run(db).await;
        }
    }

    /// What the earlier release had applied.
    #[derive(Clone, Copy, Debug)]
    enum Case {
        /// Migrations 1 to 5: the store adopts them and runs the rest.
        Behind,
        /// Every migration this build has: the store adopts them all and runs none.
        Current,
        /// A version this build does not know: the store refuses to open.
        Newer,
    }

    /// The migration files of `backend`, in order, with their versions.
    fn files(backend: Backend) -> Vec<(i64, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend.name());
        let mut files: Vec<(i64, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let version = name.split('_').next().unwrap().parse().unwrap();
                (version, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    async fn connect(db: &EmptyDb) -> AnyConnection {
        sqlx::any::install_default_drivers();
        AnyConnection::connect(&db.connect_url()).await.unwrap()
    }

    impl Case {
        async fn run(self, db: EmptyDb) {
            let all = files(db.backend);
            let upto = match self {
                Case::Behind => 5,
                Case::Current | Case::Newer => all.last().unwrap().0,
            };
            // What the earlier release did on open: every pending file and its bookkeeping row
            // in one transaction.
            let mut conn = connect(&db).await;
            let mut tx = conn.begin().await.unwrap();
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS qiao_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .execute(&mut *tx)
            .await
            .unwrap();
            for (version, sql) in all.iter().filter(|(v, _)| *v <= upto) {
                sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query("INSERT INTO qiao_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(*version)
                    .bind("2026-01-01T00:00:00.000000Z")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            if let Case::Newer = self {
                sqlx::query("INSERT INTO qiao_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(upto + 1)
                    .bind("2026-01-01T00:00:00.000000Z")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            // A record written by that release, as its store wrote it: the row and its change.
            let stored = org(&code(1), "上海交通大学");
            sqlx::query(
                "INSERT INTO organisations (id, credit_code, name, kind, district, body, created_at, updated_at) \
                 VALUES (1, $1, $2, 'university', $3, $4, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            )
            .bind(&stored.credit_code)
            .bind(&stored.name)
            .bind(stored.district.clone())
            .bind(serde_json::to_string(&stored).unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO changes (entity, entity_id, op, at) VALUES ('organisation', 1, 'insert', '2026-01-01T00:00:00.000000Z')",
            )
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
            conn.close().await.unwrap();

            if let Case::Newer = self {
                let err = SqlStore::open(&db.url).await.unwrap_err();
                assert!(
                    matches!(&err, StoreError::Database(sqlx::Error::Migrate(m))
                        if matches!(**m, sqlx::migrate::MigrateError::VersionMissing(v) if v == upto + 1)),
                    "{err:?}"
                );
                db.drop_schema().await;
                return;
            }

            let url = db.url.clone();
            let backend = db.backend;
            let db = db.open().await;
            let s = &db.store;
            // The data is intact and every migration's effect is there: 0006 added
            // `disabled_at`, which disabling an account writes.
            assert_eq!(s.get_org(1).await.unwrap().org, stored);
            assert_eq!(s.last_seq().await.unwrap(), 1);
            assert!(s.integrity_check().await.unwrap().is_empty());
            let account = s
                .create_account(&member("zhang", Some(1)), "hash")
                .await
                .unwrap();
            assert!(
                s.set_account_disabled(account.id, true)
                    .await
                    .unwrap()
                    .disabled_at
                    .is_some()
            );

            // Adopted migrations are recorded as skipped (execution time -1), the rest as run.
            let mut conn = AnyConnection::connect(&match backend {
                Backend::Sqlite => format!("{url}?mode=rw"),
                Backend::Postgres => url.clone(),
            })
            .await
            .unwrap();
            let recorded: Vec<(i64, i64)> = sqlx::query(
                "SELECT version, execution_time FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
            let versions: Vec<i64> = recorded.iter().map(|r| r.0).collect();
            assert_eq!(versions, all.iter().map(|f| f.0).collect::<Vec<_>>());
            for (version, time) in &recorded {
                assert_eq!(*time == -1, *version <= upto, "{self:?}: {recorded:?}");
            }
            // The old bookkeeping is left as it was.
            let legacy: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM qiao_migrations")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            // One row per file applied (numbers may have gaps while branches add migrations).
            assert_eq!(legacy, all.iter().filter(|f| f.0 <= upto).count() as i64);
            conn.close().await.unwrap();

            // Opening again checks the recorded checksums against the files and applies nothing.
            let again = SqlStore::open(&url).await.unwrap();
            assert_eq!(again.get_account(account.id).await.unwrap(), {
                let mut a = account.clone();
                a.disabled_at = s.get_account(account.id).await.unwrap().disabled_at;
                a
            });
            again.close().await;
            db.drop_schema().await;
        }
    }
}

/// Each change carries the fields it changed, before and after, written in the write's own
/// transaction: a create lists every field as after, an update only what changed, a delete
/// every field as before; a password's hash never reaches the log. The log filters by actor,
/// object type, object id and time, and walks newest first by `before_seq`.
async fn audit_log_records_fields_before_and_after_and_filters(db: &TestDb) {
    let s = &db.store;
    let o = s.create_org(&org(&code(801), "审计机构")).await.unwrap();
    let a = s
        .create_account(&member("editor", Some(o.id)), "$argon2id$first-hash")
        .await
        .unwrap();
    let started = chrono::Utc::now();
    let as_editor = s.acting_as(a.id);
    let l = as_editor
        .create_listing(
            Some(o.id),
            &listing(Kind::Demand, "旧标题", json!({"confidential": "内部预算"})),
        )
        .await
        .unwrap();
    as_editor
        .update_listing(
            l.id,
            &listing(Kind::Demand, "新标题", json!({"confidential": "内部预算"})),
        )
        .await
        .unwrap();
    as_editor.delete_listing(l.id).await.unwrap();
    s.set_password(a.id, "$argon2id$second-hash").await.unwrap();

    let history = s
        .audit_log(
            &AuditFilter {
                entity: Some("listing".into()),
                entity_id: Some(l.id),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(history.total, 3);
    let ops: Vec<Op> = history.items.iter().map(|e| e.op).collect();
    assert_eq!(ops, vec![Op::Delete, Op::Update, Op::Insert]);
    let field = |i: usize, name: &str| {
        history.items[i]
            .changes
            .as_ref()
            .expect("fields recorded")
            .iter()
            .find(|c| c.field == name)
            .map(|c| (c.before.clone(), c.after.clone()))
    };
    // The update lists the title alone: the other fields did not change.
    let update = history.items[1].changes.as_ref().unwrap();
    assert_eq!(update.len(), 1, "{update:?}");
    assert_eq!(field(1, "title"), Some((json!("旧标题"), json!("新标题"))));
    // The create has every field as after (confidential ones too: admins read the log).
    assert_eq!(
        field(2, "title"),
        Some((serde_json::Value::Null, json!("旧标题")))
    );
    assert_eq!(
        field(2, "kind"),
        Some((serde_json::Value::Null, json!("demand")))
    );
    assert_eq!(
        field(2, "confidential"),
        Some((serde_json::Value::Null, json!("内部预算")))
    );
    assert_eq!(
        field(2, "owner_org_id"),
        Some((serde_json::Value::Null, json!(o.id)))
    );
    // The delete has every field as before.
    assert_eq!(
        field(0, "title"),
        Some((json!("新标题"), serde_json::Value::Null))
    );
    assert!(field(0, "description").is_some());

    // The password reset is an account update whose hash is redacted, before and after.
    let account = s
        .audit_log(
            &AuditFilter {
                entity: Some("account".into()),
                entity_id: Some(a.id),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(account.total, 2);
    let reset = account.items[0].changes.as_ref().unwrap();
    assert_eq!(reset.len(), 1, "{reset:?}");
    assert_eq!(reset[0].field, "password_hash");
    assert_eq!(
        (&reset[0].before, &reset[0].after),
        (
            &json!(qiao_store::diff::REDACTED),
            &json!(qiao_store::diff::REDACTED)
        )
    );
    let created = account.items[1].changes.as_ref().unwrap();
    assert!(
        created
            .iter()
            .any(|c| c.field == "username" && c.after == json!("editor"))
    );
    let everything = serde_json::to_string(
        &s.audit_log(
            &AuditFilter::default(),
            Page {
                number: 1,
                size: 200,
            },
        )
        .await
        .unwrap()
        .items,
    )
    .unwrap();
    assert!(
        !everything.contains("argon2"),
        "a password hash reached the log"
    );

    // Filters: by actor (a username), by time, and walking newest first.
    let by_editor = s
        .audit_log(
            &AuditFilter {
                actor: Some("editor".into()),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(by_editor.total, 3);
    assert!(
        by_editor
            .items
            .iter()
            .all(|e| e.actor.as_deref() == Some("editor"))
    );
    let nobody = AuditFilter {
        actor: Some("nobody".into()),
        ..AuditFilter::default()
    };
    assert_eq!(
        s.audit_log(&nobody, Page::default()).await.unwrap().total,
        0
    );
    let since = AuditFilter {
        from: Some(started),
        ..AuditFilter::default()
    };
    assert_eq!(s.audit_log(&since, Page::default()).await.unwrap().total, 4);
    let before_start = AuditFilter {
        until: Some(started),
        ..AuditFilter::default()
    };
    assert_eq!(
        s.audit_log(&before_start, Page::default())
            .await
            .unwrap()
            .total,
        2,
        "the organisation and the account were made before"
    );
    let first = s.audit_entries(&since, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = s
        .audit_entries(
            &AuditFilter {
                before_seq: Some(first[2].seq),
                ..since.clone()
            },
            3,
        )
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(rest[0].seq < first[2].seq);
}

async fn certificate_verdicts_are_set_only_by_verification(db: &TestDb) {
    use qiao_domain::{CertKind, Verification};
    use qiao_store::Verdict;
    let s = &db.store;
    // A writer's verdict is ignored: a new record's certificates are claims.
    let mut forged = org(&code(71), "甲企业");
    forged.certificates[0].verification =
        Verification::verified(1, "mallory", chrono::Utc::now(), None, None).unwrap();
    let a = s.create_org(&forged).await.unwrap();
    assert_eq!(a.org.certificates[0].verification, Verification::Pending);

    let verdict =
        Verification::verified(7, "staff", chrono::Utc::now(), Some("GR2024001"), None).unwrap();
    let b = s
        .acting_as(7)
        .verify_certificates(
            a.id,
            &[Verdict {
                index: 0,
                kind: CertKind::HighTech,
                verification: verdict.clone(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(b.org.certificates[0].verification, verdict);
    assert_eq!(b.org.certificates[0].number.as_deref(), Some("GR2024001"));

    // Saving the unchanged claim keeps the verdict; changing it makes it pending again.
    let mut same = b.org.clone();
    same.certificates[0].verification = Verification::Pending;
    same.name = "甲企业（更名）".into();
    let c = s.update_org(a.id, &same).await.unwrap();
    assert_eq!(c.org.certificates[0].verification, verdict);
    let mut moved = c.org.clone();
    moved.certificates[0].expires_on = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let d = s.update_org(a.id, &moved).await.unwrap();
    assert_eq!(d.org.certificates[0].verification, Verification::Pending);

    // A verdict formed on a list that changed since is refused, and nothing is written.
    let err = s
        .verify_certificates(
            a.id,
            &[
                Verdict {
                    index: 0,
                    kind: CertKind::HighTech,
                    verification: verdict.clone(),
                },
                Verdict {
                    index: 0,
                    kind: CertKind::Leading,
                    verification: verdict.clone(),
                },
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("reload")),
        "{err:?}"
    );
    let err = s
        .verify_certificates(
            a.id,
            &[Verdict {
                index: 3,
                kind: CertKind::HighTech,
                verification: verdict.clone(),
            }],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        s.get_org(a.id).await.unwrap().org.certificates[0].verification,
        Verification::Pending
    );
    // The verification is audited like any change, with its actor.
    let audit = s
        .audit_log(&AuditFilter::default(), Page::default())
        .await
        .unwrap();
    assert!(
        audit
            .items
            .iter()
            .any(|e| e.entity == "organisation" && e.entity_id == a.id && e.actor_id == Some(7)),
        "{audit:?}"
    );
}
mod notifications;
mod threads_attachments;
