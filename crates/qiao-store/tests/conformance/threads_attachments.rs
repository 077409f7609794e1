//! Message threads and attachments on both backends: a message and its files are written
//! together or not at all, threads page newest first below an id, a record keeps at most
//! `MAX_PER_OWNER` files, bytes read back exactly, and backups carry both (the bytes too).

use qiao_domain::attachment::{MAX_PER_MESSAGE, MAX_PER_OWNER, NewAttachment, Owner, OwnerKind};
use qiao_domain::thread::Subject;
use qiao_domain::{Account, Role};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{BackupItem, StoreError};

conformance!(
    messages_page_newest_first_per_subject,
    a_message_and_its_files_are_one_write,
    attachments_keep_their_bytes_and_limits,
    backup_restores_threads_and_files,
);

fn author(id: i64, org: Option<i64>) -> Account {
    Account {
        id,
        username: format!("user{id}"),
        display_name: format!("张{id}"),
        role: Role::Member,
        org_id: org,
        disabled_at: None,
        email: None,
        phone: None,
    }
}

fn pdf(name: &str, text: &str) -> NewAttachment {
    NewAttachment::check(
        "file",
        name,
        format!("%PDF-1.4\n{text}\n%%EOF").into_bytes(),
    )
    .unwrap()
}

async fn messages_page_newest_first_per_subject(db: &TestDb) {
    let s = &db.store;
    let a = Subject::contact_request(1);
    let b = Subject::deal(1);
    let mut ids = Vec::new();
    for i in 0..7 {
        let m = s
            .acting_as(5)
            .post_message(a, &author(5, Some(2)), &format!("消息 {i}"), &[])
            .await
            .unwrap();
        assert_eq!(m.subject, a);
        assert_eq!(m.author_name, "张5");
        assert_eq!(m.author_org_id, Some(2));
        ids.push(m.id);
    }
    s.post_message(b, &author(6, None), "另一个线程", &[])
        .await
        .unwrap();
    assert_eq!(s.message_count(a).await.unwrap(), 7);
    assert_eq!(s.message_count(b).await.unwrap(), 1);
    let first = s.messages(a, None, 3).await.unwrap();
    assert_eq!(
        first.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[6], ids[5], ids[4]]
    );
    let second = s.messages(a, Some(ids[4]), 3).await.unwrap();
    assert_eq!(
        second.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[3], ids[2], ids[1]]
    );
    let last = s.messages(a, Some(ids[1]), 3).await.unwrap();
    assert_eq!(last.iter().map(|m| m.id).collect::<Vec<_>>(), vec![ids[0]]);
    // A page never exceeds the cap, whatever is asked.
    assert_eq!(s.messages(a, None, 10_000).await.unwrap().len(), 7);
    assert_eq!(s.get_message(ids[0]).await.unwrap().body, "消息 0");
    assert!(matches!(
        s.get_message(999_999).await,
        Err(StoreError::NotFound { .. })
    ));
    // The audit log names the author's account.
    let log = s
        .audit_log(
            &qiao_store::AuditFilter::default(),
            qiao_store::Page::default(),
        )
        .await
        .unwrap();
    assert!(
        log.items
            .iter()
            .any(|e| e.entity == "message" && e.entity_id == ids[6] && e.actor_id == Some(5))
    );
}

async fn a_message_and_its_files_are_one_write(db: &TestDb) {
    let s = &db.store;
    let subject = Subject::deal(4);
    let m = s
        .acting_as(3)
        .post_message(
            subject,
            &author(3, Some(1)),
            "图纸见附件",
            &[pdf("图纸.pdf", "one"), pdf("报价.pdf", "two")],
        )
        .await
        .unwrap();
    let files = s
        .attachments(Owner {
            kind: OwnerKind::Message,
            id: m.id,
        })
        .await
        .unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| f.file_name.as_str())
            .collect::<Vec<_>>(),
        vec!["图纸.pdf", "报价.pdf"]
    );
    assert_eq!(files[0].uploaded_by, Some(3));
    // Too many files: refused before anything is written.
    let many: Vec<_> = (0..=MAX_PER_MESSAGE)
        .map(|i| pdf(&format!("{i}.pdf"), "x"))
        .collect();
    assert!(matches!(
        s.post_message(subject, &author(3, Some(1)), "太多", &many)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.message_count(subject).await.unwrap(), 1);
    let of = s
        .attachments_of(OwnerKind::Message, &[m.id, m.id + 100])
        .await
        .unwrap();
    assert_eq!(of, files);
}

async fn attachments_keep_their_bytes_and_limits(db: &TestDb) {
    let s = &db.store;
    let listing = Owner {
        kind: OwnerKind::Listing,
        id: 9,
    };
    // Every byte value, so neither backend's encoding of binary data can bend them.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..=255u8).cycle().take(70_000));
    let file = NewAttachment::check("file", "样品.png", png.clone()).unwrap();
    let a = s.acting_as(2).add_attachment(listing, &file).await.unwrap();
    assert_eq!(a.size, png.len() as i64);
    assert_eq!(a.sha256.len(), 64);
    assert_eq!(s.attachment_bytes(a.id).await.unwrap(), png);
    assert_eq!(s.get_attachment(a.id).await.unwrap(), a);
    // The same id space is not shared by owners: another listing sees nothing.
    assert!(
        s.attachments(Owner {
            kind: OwnerKind::Listing,
            id: 10
        })
        .await
        .unwrap()
        .is_empty()
    );
    assert!(
        s.attachments(Owner {
            kind: OwnerKind::Contract,
            id: 9
        })
        .await
        .unwrap()
        .is_empty()
    );
    for i in 1..MAX_PER_OWNER {
        s.add_attachment(listing, &pdf(&format!("{i}.pdf"), "x"))
            .await
            .unwrap();
    }
    assert!(matches!(
        s.add_attachment(listing, &pdf("one-too-many.pdf", "x"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    s.delete_attachment(a.id).await.unwrap();
    assert!(matches!(
        s.get_attachment(a.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.attachment_bytes(a.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.delete_attachment(a.id).await,
        Err(StoreError::NotFound { .. })
    ));
    // A place freed is a place to use.
    s.add_attachment(listing, &pdf("again.pdf", "x"))
        .await
        .unwrap();
}

async fn backup_restores_threads_and_files(db: &TestDb) {
    let s = &db.store;
    let m = s
        .post_message(
            Subject::contact_request(3),
            &author(1, Some(1)),
            "你好",
            &[pdf("a.pdf", "contents")],
        )
        .await
        .unwrap();
    let bytes = b"\xff\xd8\xff\xe0\0\x01\x02\x03".to_vec();
    s.add_attachment(
        Owner {
            kind: OwnerKind::Certificate,
            id: 1,
        },
        &NewAttachment::check("file", "证书.jpg", bytes.clone()).unwrap(),
    )
    .await
    .unwrap();
    let backup = s.backup().await.unwrap();
    let count = |f: fn(&BackupItem) -> bool| backup.items.iter().filter(|i| f(i)).count();
    assert_eq!(count(|i| matches!(i, BackupItem::Message(_))), 1);
    assert_eq!(count(|i| matches!(i, BackupItem::Attachment(_))), 2);
    // A backup line is JSON: the bytes survive the trip through text.
    for item in &backup.items {
        let line = serde_json::to_string(item).unwrap();
        assert_eq!(&serde_json::from_str::<BackupItem>(&line).unwrap(), item);
    }
    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    assert_eq!(fresh.store.get_message(m.id).await.unwrap(), m);
    let certs = fresh
        .store
        .attachments(Owner {
            kind: OwnerKind::Certificate,
            id: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        fresh.store.attachment_bytes(certs[0].id).await.unwrap(),
        bytes
    );
    // New rows after a restore take new ids.
    let next = fresh
        .store
        .post_message(
            Subject::contact_request(3),
            &author(1, Some(1)),
            "再次",
            &[],
        )
        .await
        .unwrap();
    assert!(next.id > m.id);
    fresh.drop_schema().await;
}
