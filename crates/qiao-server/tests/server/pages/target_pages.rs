//! `/targets` and `/documents/{id}/targets` (`pages/targets.rs`): targets made from a work
//! plan's figures (each offered once), edited by staff only, and the list that says what each
//! actual covers, draws a chart per region and exports to XLSX.

use crate::common::*;

#[tokio::test]
async fn staff_turn_a_work_plans_figures_into_targets_on_its_page() {
    let app = TestApp::new().await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, None).await;
    // Published, so that members read it too.
    let doc = app
        .published_document("003.txt", fixture_bytes(WORK_PLAN))
        .await;
    let high_tech = strings_of(&doc.document.figures, "indicator")
        .iter()
        .position(|i| i.contains("高新技术企业"))
        .unwrap();
    let page_uri = format!("/documents/{}", doc.id);
    let action = format!("{page_uri}/targets");

    // Members see the figures but no form, and cannot post one.
    let mut m = app.signed_in("member").await;
    let page = m.get(&page_uri).await;
    assert!(page.body.contains("id=\"figures\"") && !page.body.contains("id=\"make-targets\""));
    let idx = high_tech.to_string();
    assert_eq!(
        m.submit(&page_uri, &action, &[("figure", &idx)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Staff see each figure with a box, target figures ticked, the metric named where the
    // records can count it, and the region the figures name offered.
    let mut s = app.signed_in("staff").await;
    let page = s.get(&page_uri).await;
    assert!(page.body.contains("id=\"make-targets\""), "{}", page.body);
    // Offered, never pre-ticked: the reviewer chooses each figure; the plan's targets are marked.
    let form = section(&page.body, "id=\"make-targets\"", "</form>");
    assert!(form.contains("data-target=\"1\""), "{form}");
    assert!(!form.contains(" checked"), "no figure comes ticked: {form}");
    assert!(
        page.body.contains("有效期内高新技术企业数"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("name=\"region\" value=\"闵行区\""),
        "{}",
        page.body
    );
    let p = s.submit(&page_uri, &action, &[("region", "闵行区")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing ticked");
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("figure", "9999"), ("region", "闵行区")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(app.targets().await.is_empty(), "all or nothing");
    let p = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区"), ("year", "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/targets?region=%E9%97%B5%E8%A1%8C%E5%8C%BA&year=2023")
    );
    let targets = s.get(p.location.as_deref().unwrap()).await;
    assert!(targets.body.contains("达4000家"), "{}", targets.body);
    assert!(
        targets
            .body
            .contains(&format!("href=\"/documents/{}\"", doc.id)),
        "{}",
        targets.body
    );
    assert!(
        targets.body.contains("未达成"),
        "2023 is over: {}",
        targets.body
    );

    // Offered once: the made figure links to its target instead of a box, a figure the plan
    // states again is not offered twice, and posting the same figure again adds nothing.
    let made = app.targets().await;
    assert_eq!(made.len(), 1);
    let page = s.get(&page_uri).await;
    assert!(
        page.body.contains(&format!(
            "href=\"/targets/{}/edit\" class=\"made\"",
            made[0].id
        )),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("name=\"figure\" value=\"{idx}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("前文已列出"), "{}", page.body);
    let again = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    // Relabelled by staff, the target still marks its figure as made.
    let mut relabelled = made[0].target.clone();
    relabelled.indicator = "高新技术企业（有效期内）".into();
    app.db
        .store
        .update_target(made[0].id, &relabelled)
        .await
        .unwrap();
    let again = s
        .submit(
            &page_uri,
            &action,
            &[("figure", &idx), ("region", "闵行区")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert_eq!(app.targets().await.len(), 1);
    // The plan's bare 产值 keeps the industry it is about.
    let labels = strings_of(&doc.document.figures, "indicator");
    assert!(labels.contains(&"生物医药产业产值"), "{labels:?}");
}

#[tokio::test]
async fn only_staff_edit_targets_and_a_bad_value_is_named() {
    let app = TestApp::new().await;
    let mine = app.certified_org(31, "甲").await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    app.create_account("member", Role::Member, Some(mine)).await;
    let mut s = app.signed_in("staff").await;
    let made = s
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", "2030"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
                ("reported", "800"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let id = app.targets().await[0].id;
    let edit = format!("/targets/{id}/edit");
    assert!(
        s.get("/targets")
            .await
            .body
            .contains(&format!("href=\"{edit}\""))
    );

    // Members neither see nor post the form; staff need the token.
    let mut m = app.signed_in("member").await;
    assert_eq!(m.get(&edit).await.status, StatusCode::FORBIDDEN);
    let p = m.submit("/workspace", &edit, &[("region", "x")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.post_raw(&edit, &[("region", "x")]).await.status,
        StatusCode::FORBIDDEN
    );

    // A bad value is named beside its field and what was typed stays.
    let p = s
        .post_form(
            &edit,
            &[
                ("region", "闵行区<script>"),
                ("year", "明年"),
                ("indicator", "技术合同成交额"),
                ("value", "1000"),
                ("unit", "亿元"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(
        field_error(&p.body, "year"),
        "“明年”不是整数，请写数字，如 6"
    );
    assert!(
        p.body.contains("value=\"闵行区&#60;script&#62;\""),
        "escaped"
    );
    assert!(!p.body.contains("闵行区<script>"));

    // Clearing a shown field clears it; the rest is as typed.
    let p = s
        .post_form(
            &edit,
            &[
                ("region", "闵行区"),
                ("year", "2031"),
                ("indicator", "技术合同成交额"),
                ("value", "1200"),
                ("unit", "亿元"),
                ("reported", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = app.stored_target(id).await;
    assert_eq!((t.year, t.value, t.reported), (2031, 1200.0, None));
}

#[tokio::test]
async fn targets_say_what_they_count_draw_a_chart_and_export() {
    let app = TestApp::new().await;
    // Two enterprises of 闵行区, each with a verified 高新技术企业 certificate issued 2024-01-01.
    app.certified_org(41, "甲").await;
    app.certified_org(42, "乙").await;
    app.create_account("staff", Role::CommissionStaff, None)
        .await;
    let mut s = app.signed_in("staff").await;
    let new = |extra: &'static [(&'static str, &'static str)]| {
        let mut f = vec![
            ("region", "闵行区"),
            ("year", "2025"),
            ("indicator", "有效期内高新技术企业"),
            ("unit", "家"),
            ("qualifier", "达"),
            ("metric", "certified:high_tech"),
        ];
        for (k, v) in extra {
            f.retain(|(name, _)| name != k);
            f.push((k, v));
        }
        f
    };
    for fields in [
        // The commission's count at the end of 2023, and Qiao's changes since.
        new(&[
            ("value", "4000"),
            ("baseline.value", "3812"),
            ("baseline.as_of", "2023-12-31"),
        ]),
        // Qiao's own count: it says how many enterprises it covers.
        new(&[("value", "10")]),
        // A phrase around the value; a region with markup in it.
        new(&[
            ("region", "<b>新区</b>"),
            ("indicator", "研发投入强度"),
            ("value", "10"),
            ("unit", "%"),
            ("qualifier", "保持在…左右"),
            ("metric", ""),
            ("reported", "9.8"),
        ]),
    ] {
        let p = s.submit("/targets/new", "/targets/new", &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{fields:?}: {}", p.body);
    }
    // Half a baseline is refused, naming the half that is missing; nothing is stored.
    let half = s
        .submit(
            "/targets/new",
            "/targets/new",
            &new(&[("value", "1"), ("baseline.value", "5")]),
        )
        .await;
    assert_eq!(half.status, StatusCode::OK, "the form again");
    assert!(
        !field_error(&half.body, "baseline.as_of").is_empty(),
        "{}",
        half.body
    );
    assert_eq!(app.targets().await.len(), 3);

    let page = s.get("/targets").await;
    let body = &page.body;
    assert!(
        body.contains("填报基数 3812家（截至 2023-12-31）＋此后平台核验新增 2 家"),
        "{body}"
    );
    assert!(body.contains(">3814家<"), "3812 + 2: {body}");
    assert!(
        body.contains("平台已核验 2 家（闵行区在平台登记企业 2 家）"),
        "{body}"
    );
    assert!(body.contains("保持在10%左右"), "{body}");
    assert!(!body.contains("保持在…左右10"), "{body}");
    // One chart per region, drawn on the server; what users typed is escaped in it too.
    assert_eq!(body.matches("<svg ").count(), 2, "{body}");
    assert!(!body.contains("<b>新区</b>"), "{body}");
    assert!(body.contains("&#60;b&#62;新区&#60;/b&#62;"), "{body}");
    // 3814 / 4000 = 95.4 % of a 300-unit bar; 2 / 10 = 20 %.
    assert!(body.contains("width=\"286\""), "{body}");
    assert!(body.contains("width=\"60\""), "{body}");
    // On a phone each row is a card whose cells carry their labels.
    assert!(body.contains("class=\"list stack\""), "{body}");
    assert!(body.contains("data-label=\"实际\""), "{body}");

    // The export holds the filtered rows, values as numbers.
    assert!(
        body.contains("href=\"/targets.xlsx?region=&#38;year=\""),
        "{body}"
    );
    let x = s
        .get(&format!(
            "/targets.xlsx?region={}&year=2025",
            encode("闵行区")
        ))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(x.raw)).expect("a workbook");
    let range = book.worksheet_range("targets").unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows.len(), 3, "the header and 闵行区's two targets");
    assert_eq!(rows[0][7].to_string(), "实际值");
    let mut actuals: Vec<f64> = rows[1..]
        .iter()
        .filter_map(|r| calamine::DataType::get_float(&r[7]))
        .collect();
    actuals.sort_by(f64::total_cmp);
    assert_eq!(actuals, [2.0, 3814.0]);
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[9].to_string().contains("填报基数")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_turnover_target_is_counted_from_registered_contracts_and_links_the_statistics() {
    let app = TestApp::new().await;
    let mut staff = app.user("staff", Role::CommissionStaff, None).await;
    // Staff choose the contract sum as the measure on the form; it reads back on the edit page.
    let p = staff
        .post_form(
            "/targets/new",
            &[
                ("region", "闵行区"),
                ("year", "2025"),
                ("indicator", "技术合同成交额"),
                ("value", "23000000000"),
                ("unit", "元"),
                ("qualifier", "达"),
                ("metric", "contract_turnover"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let stored = app.targets().await;
    assert_eq!(
        stored[0].target.metric,
        Some(qiao_domain::Metric::ContractTurnover)
    );
    let edit = staff
        .get(&format!("/targets/{}/edit", stored[0].id))
        .await
        .body;
    assert!(
        edit.contains("<option value=\"contract_turnover\" selected>"),
        "{edit}"
    );
    // Two contracts of 闵行区's sellers registered in 2025, one of another district's.
    for (n, seller, amount) in [
        (1, "闵行区", 120_000_050),
        (2, "闵行区", 30_000_000),
        (3, "徐汇区", 5_000_000),
    ] {
        let c = contract(
            n,
            (seller, "浦东新区"),
            ("service", "new_energy"),
            amount,
            0,
        );
        app.registered_record(&c, "2025-06-01", n).await;
    }
    let page = staff.get("/targets?year=2025").await.body;
    let row = section(&page, &format!("id=\"target-{}\"", stored[0].id), "</tr>");
    assert!(row.contains("由 2 份已登记技术合同统计"), "{row}");
    assert!(
        row.contains("1,500,000.50 元"),
        "the actual is the two contracts' sum: {row}"
    );
    assert!(
        row.contains("href=\"/statistics?year=2025&#38;district=%E9%97%B5%E8%A1%8C%E5%8C%BA\""),
        "{row}"
    );
    assert!(page.contains("id=\"statistics-tab\""));
}
