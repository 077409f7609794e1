//! Instrument booking in the browser (`pages/booking_pages.rs`) and 创新券 pages
//! (`pages/voucher_pages.rs`): the owner adds a weekly series and a single slot (problems
//! beside their fields, what was typed kept), another organisation books from the instrument's
//! page with a voucher, the owner declines without a reason (refused beside the reason) and
//! confirms; 我的预约, 预约管理 and the staff voucher page show it; stored script stays inert;
//! anonymous visitors see the slots and a sign-in link, not the form.

use chrono::Duration;
use qiao_domain::booking::now_cst;

use crate::common::*;

fn day(offset: i64) -> String {
    (now_cst().date() + Duration::days(offset)).to_string()
}

#[tokio::test]
async fn slots_booking_and_decisions_in_the_browser() {
    let app = TestApp::new().await;
    let (mut owner, mut booker) = app.two_members("owner", "booker").await;
    let staff_id = app
        .create_account("staff", Role::CommissionStaff, None)
        .await;
    assert!(staff_id > 0);
    let mut staff = app.signed_in("staff").await;
    let p = owner
        .post_form(
            "/post/instrument",
            &[
                ("title", "X 射线衍射仪<script>alert(1)</script>"),
                ("description", "物相鉴定"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let inst = p.location.unwrap();
    let id: i64 = inst.rsplit('/').next().unwrap().parse().unwrap();
    let slots = format!("/instruments/{id}/slots");

    // A series of 300 slots: refused beside `weeks`, the ticked days kept.
    let p = owner
        .post_form(
            &slots,
            &[
                ("mode", "weekly"),
                ("from", &day(1)),
                ("weekdays", "1"),
                ("weekdays", "3"),
                ("weekdays", "5"),
                ("start_time", "09:00"),
                ("end_time", "12:00"),
                ("weeks", "100"),
                ("price", "800"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(
        p.body.contains("id=\"weekly-error-weeks\""),
        "{}",
        section(&p.body, "weekly-form", "</form>")
    );
    assert!(p.body.contains("value=\"3\" checked"));
    let p = owner
        .post_form(
            &slots,
            &[
                ("mode", "weekly"),
                ("from", &day(1)),
                ("weekdays", "1"),
                ("weekdays", "3"),
                ("start_time", "09:00"),
                ("end_time", "12:00"),
                ("weeks", "2"),
                ("price", "800.50"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A single slot with its end before its start: refused beside `ends_at`.
    let start = format!("{}T15:00", day(2));
    let p = owner
        .post_form(
            &slots,
            &[
                ("mode", "one"),
                ("starts_at", &start),
                ("ends_at", &format!("{}T14:00", day(2))),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"one-error-ends_at\""));
    assert!(p.body.contains(&format!("value=\"{start}\"")));

    // Anonymous visitors see the slots and a sign-in link; the title stays inert.
    let mut anon = app.browser();
    let p = anon.get(&inst).await;
    assert!(p.body.contains("id=\"slots-panel\""));
    assert!(p.body.contains("id=\"login-to-book\""));
    assert!(!p.body.contains("id=\"book-form\""));
    assert!(!p.body.contains("<script>alert(1)"));
    assert!(p.body.contains("800.50元"));

    // Staff issue a voucher to the booker's organisation (甲 is the owner's, 乙 the booker's).
    let orgs = app
        .db
        .store
        .list_orgs(&Default::default(), Default::default())
        .await
        .unwrap();
    let yi = orgs
        .items
        .iter()
        .find(|o| o.org.name == "乙")
        .unwrap()
        .id
        .to_string();
    let p = staff
        .post_form(
            "/vouchers",
            &[
                ("org_id", &yi),
                ("number", "MH-1"),
                ("granted", "1.005"),
                ("valid_from", &day(0)),
                ("valid_until", &day(60)),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"error-granted\""));
    let p = staff
        .post_form(
            "/vouchers",
            &[
                ("org_id", &yi),
                ("number", "MH-1"),
                ("granted", "1000"),
                ("valid_from", &day(0)),
                ("valid_until", &day(60)),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let voucher_page = p.location.unwrap();
    let voucher_id = voucher_page.rsplit('/').next().unwrap().to_string();

    // The booker: a blank purpose is refused beside it; then booked with 300 from the voucher.
    let page = booker.get(&inst).await;
    assert!(page.body.contains("id=\"book-form\""), "{}", page.body);
    let slot_id = value_after(
        &page.body,
        "<option value=\"\">请选择</option><option value=\"",
    );
    let book = format!("/instruments/{id}/book");
    let p = booker
        .submit(
            &inst,
            &book,
            &[
                ("slot_id", &slot_id),
                ("purpose", " "),
                ("voucher_id", &voucher_id),
                ("voucher_amount", "300"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"error-purpose\""));
    let p = booker
        .submit(
            &inst,
            &book,
            &[
                ("slot_id", &slot_id),
                ("purpose", "样品<script>alert(2)</script>"),
                ("voucher_id", &voucher_id),
                ("voucher_amount", "300"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mine = booker.get("/bookings").await;
    assert!(mine.body.contains("待确认"));
    assert!(mine.body.contains("MH-1 · 300.00元"));
    assert!(!mine.body.contains("<script>alert(2)"));

    // The owner: a decline without a reason is refused beside it; then confirmed.
    let manage = owner.get("/bookings/manage").await;
    let booking_id: String = value_after(&manage.body, "<tr id=\"booking-");
    let act = format!("/bookings/{booking_id}/act");
    let p = owner
        .submit(
            "/bookings/manage",
            &act,
            &[("action", "decline"), ("version", "1"), ("reason", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body
            .contains(&format!("id=\"error-reason-{booking_id}\""))
    );
    // The booker may not confirm it.
    let p = booker
        .submit(
            "/bookings",
            &act,
            &[("action", "confirm"), ("version", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = owner
        .submit(
            "/bookings/manage",
            &act,
            &[("action", "confirm"), ("version", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(booker.get("/bookings").await.body.contains("已确认"));

    // Staff see the spent amount; the booker its own voucher; the owner's organisation none.
    let v = staff.get("/vouchers").await;
    assert!(section(&v.body, "id=\"total-spent\"", "</div>").contains("300.00元"));
    let v = booker.get(&voucher_page).await;
    assert!(section(&v.body, "id=\"voucher-left\"", "</td>").contains("700.00元"));
    assert_eq!(owner.get(&voucher_page).await.status, StatusCode::NOT_FOUND);
}
