//! Saved valuations on both backends: each save is the next version of its subject and earlier
//! versions stay as they were; the reference table defaults to the shipped one, is replaced
//! only by a valid one, and backups carry both.

use qiao_domain::valuation::{self, Inputs, Reference};
use qiao_store::test_support::{EmptyDb, TestDb};
use qiao_store::{BackupItem, Op, StoreError, ValuationSubject};
use serde_json::json;

conformance!(
    valuations_are_versions_per_subject,
    valuation_reference_defaults_and_changes,
    backup_restores_valuations,
);

fn inputs(share_pct: f64) -> Inputs {
    serde_json::from_value(json!({
        "valuation_date": "2026-12-01",
        "economic_life_years": 5,
        "income": {
            "forecast": {"kind": "table", "amounts_fen": [100_000_000, 120_000_000]},
            "share": {"kind": "sales", "low_pct": share_pct, "high_pct": share_pct},
            "income_tax_pct": 15.0,
            "risk_free_pct": 2.0,
            "premia": [{"factor": "technical", "score": 50, "max_pct": 5.0}]
        }
    }))
    .unwrap()
}

async fn save(db: &TestDb, subject: ValuationSubject, share: f64) -> qiao_store::ValuationRecord {
    let i = inputs(share);
    let v = valuation::value(&i).unwrap();
    db.store
        .acting_as(7)
        .create_valuation(subject, " 第一版 ", &i, &v)
        .await
        .unwrap()
}

async fn valuations_are_versions_per_subject(db: &TestDb) {
    let s = &db.store;
    let a = save(db, ValuationSubject::Listing(3), 3.0).await;
    let b = save(db, ValuationSubject::Listing(3), 4.0).await;
    let other = save(db, ValuationSubject::Deal(3), 5.0).await;
    assert_eq!((a.version, b.version, other.version), (1, 2, 1));
    assert_eq!(a.note, "第一版");
    assert_eq!(a.created_by, Some(7));
    // Earlier versions read back exactly as saved.
    assert_eq!(s.get_valuation(a.id).await.unwrap(), a);
    let list = s.valuations(ValuationSubject::Listing(3)).await.unwrap();
    assert_eq!(list, vec![b.clone(), a.clone()]);
    assert!(
        b.result.income.as_ref().unwrap().point_fen > a.result.income.as_ref().unwrap().point_fen
    );
    assert_eq!(
        s.valuations(ValuationSubject::Listing(4)).await.unwrap(),
        vec![]
    );
    assert!(matches!(
        s.get_valuation(9_999).await,
        Err(StoreError::NotFound {
            what: "valuation",
            ..
        })
    ));
    // Invalid inputs are refused and nothing is written.
    let mut bad = inputs(3.0);
    bad.economic_life_years = 0;
    let v = valuation::value(&inputs(3.0)).unwrap();
    let err = s
        .create_valuation(ValuationSubject::Listing(3), "", &bad, &v)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(
        s.valuations(ValuationSubject::Listing(3))
            .await
            .unwrap()
            .len(),
        2
    );
    // Each save is in the change feed, with its actor.
    let changes = s.changes_since(0, 100).await.unwrap();
    let saved: Vec<_> = changes.iter().filter(|c| c.entity == "valuation").collect();
    assert_eq!(saved.len(), 3);
    assert!(saved.iter().all(|c| c.op == Op::Insert));
}

async fn valuation_reference_defaults_and_changes(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.valuation_reference().await.unwrap(), Reference::default());
    let mut r = Reference::default();
    r.industries[0].sales_high_pct = 2.5;
    r.source = "某评估协会 2026 年指引".into();
    s.set_valuation_reference(&r).await.unwrap();
    assert_eq!(s.valuation_reference().await.unwrap(), r);
    let mut bad = r.clone();
    bad.industries[1].sales_low_pct = -1.0;
    assert!(matches!(
        s.set_valuation_reference(&bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.valuation_reference().await.unwrap(), r);
}

async fn backup_restores_valuations(db: &TestDb) {
    let s = &db.store;
    save(db, ValuationSubject::Listing(1), 3.0).await;
    save(db, ValuationSubject::Listing(1), 3.5).await;
    let r = Reference {
        year: 2027,
        ..Reference::default()
    };
    s.set_valuation_reference(&r).await.unwrap();
    let backup = s.backup().await.unwrap();
    assert_eq!(
        backup
            .items
            .iter()
            .filter(|i| matches!(i, BackupItem::Valuation(_)))
            .count(),
        2
    );
    let Some(empty) = EmptyDb::new(db.backend).await else {
        return;
    };
    let fresh = empty.open().await;
    fresh.store.restore(&backup).await.unwrap();
    assert_eq!(fresh.store.backup().await.unwrap(), backup);
    assert_eq!(fresh.store.valuation_reference().await.unwrap(), r);
    // The next save after a restore continues the numbering with a new id.
    let next = save(&fresh, ValuationSubject::Listing(1), 4.0).await;
    assert_eq!(next.version, 3);
    assert!(next.id > 2);
    fresh.drop_schema().await;
}
