//! `/api/v1/imports` (`api/imports.rs`): a bulk import follows the rules of a `PATCH`; it
//! never moves or overwrites what the importing account may not change.

use crate::common::*;

/// Issue #29, item 4: a bulk import is no way around the rules of a `PATCH`. A staff account
/// that may not change a listing may not overwrite it through `POST /api/v1/imports`; nobody
/// moves a listing to another organisation by import; an update keeps the fields its file
/// has no column for.
#[tokio::test]
async fn imports_never_reown_a_listing_nor_erase_what_the_file_does_not_name() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let a = app.org(&admin, 41, "甲").await;
    // The organisation the attack tries to move the demand to.
    app.org(&admin, 42, "乙").await;
    let commission = app.org(&admin, 43, "科委").await;
    let alice = app.member("alice", a).await;
    let staff = app
        .account("staff", Role::CommissionStaff, Some(commission))
        .await;
    let id = app.create(&alice, "/api/v1/demands", demand()).await;
    let url = format!("/api/v1/demands/{id}");

    // Staff may not PATCH alice's demand, so they may not import over it either.
    let patch = app.patch(&url, Some(&staff), json!({"title": "改"})).await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);
    let attack = json!({"kind": "demand", "id": id, "owner": code(42), "title": "被改写的需求",
                        "description": "改写"});
    let r = app
        .import_jsonl(&staff, &[&attack])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "line 1: id");
    assert_eq!(r.body["error"]["fields"][0]["code"], "not_yours");
    let message = r.field_message(0);
    assert!(
        message.starts_with(&format!("listing {id} belongs to another organisation")),
        "{message}"
    );

    // Not even an admin, who may change it, moves it to another organisation by import.
    let r = app
        .import_jsonl(&admin, &[&attack])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "line 1: owner");
    let message = r.field_message(0);
    assert!(
        message.starts_with(&format!("listing {id} has `{}` here", code(41))),
        "{message}"
    );
    let stored = app.get(&url, Some(&alice)).await.body;
    assert_eq!(stored["owner_org_id"], a);
    assert_eq!(stored["title"], "电池包散热");

    // An update naming only some fields keeps the rest (private ones included) and the owner.
    let update = json!({"kind": "demand", "id": id, "title": "电池包散热（更新）",
                        "description": "新的说明"});
    let r = app
        .import_jsonl(&admin, &[&update])
        .await
        .expect(StatusCode::OK);
    assert_eq!(r.body["listings_updated"], 1);
    let stored = app.get(&url, Some(&alice)).await.body;
    assert_eq!(stored["owner_org_id"], a);
    assert_eq!(stored["title"], "电池包散热（更新）");
    assert_eq!(stored["description"], "新的说明");
    assert_eq!(stored["confidential"], "现用电芯型号 X-100");
    assert_eq!(stored["contact"]["phone"], "021-55550000");
    assert_eq!(stored["budget_max_yuan"], 2000000);
}

/// Issue #29, item 4 for organisations: a line naming a registered organisation overwrites its
/// profile, so staff (who may not PATCH it) may not import it; an admin may.
#[tokio::test]
async fn imports_never_overwrite_an_organisation_the_account_may_not_change() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let a = app.org(&admin, 51, "甲公司").await;
    let commission = app.org(&admin, 53, "科委").await;
    let staff = app
        .account("staff", Role::CommissionStaff, Some(commission))
        .await;
    let overwrite = json!({"kind": "organisation", "org_kind": "enterprise", "name": "被改名的公司",
                           "credit_code": code(51)});
    let fresh = json!({"kind": "organisation", "org_kind": "enterprise", "name": "新公司",
                       "credit_code": code(52)});
    let url = format!("/api/v1/organisations/{a}");
    let patch = app
        .patch(&url, Some(&staff), json!({"name": "被改名的公司"}))
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "{}", patch.body);
    let r = app
        .import_jsonl(&staff, &[&fresh, &overwrite])
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(0), "line 2: credit_code");
    let message = r.field_message(0);
    assert!(message.starts_with("organisation "), "{message}");
    let stored = app.get(&url, Some(&admin)).await.body;
    assert_eq!(stored["name"], "甲公司", "nothing written: {stored}");
    // A new organisation alone is fine for staff; an admin may overwrite.
    app.import_jsonl(&staff, &[&fresh])
        .await
        .expect(StatusCode::OK);
    app.import_jsonl(&admin, &[&overwrite])
        .await
        .expect(StatusCode::OK);
    let stored = app.get(&url, Some(&admin)).await.body;
    assert_eq!(stored["name"], "被改名的公司");
}
