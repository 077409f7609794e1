//! `/achievements/{id}/valuation`, `…/valuations/{vid}` and its workbook
//! (`pages/valuation_pages.rs`): the owner's member values an achievement by the three
//! approaches, sees the comparables, saves and prints the report; a form mistake is said
//! beside its field; those who may not value it see no link and get a refusal. On both
//! backends.

use crate::common::*;

/// The form's fields for every approach, as a browser sends them.
fn fields<'a>(share_low: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("valuation_date", "2026-12-01"),
        ("economic_life_years", "10"),
        ("patent.kind", "invention"),
        ("patent.filed_on", "2021-04-01"),
        ("proposed_price_fen", "150万"),
        ("use_income", "on"),
        ("income.forecast.amounts_fen", "300万; 500万; 800万"),
        ("income.forecast.basis", "sales"),
        ("income.forecast.growth_pct", "0"),
        ("income.share.kind", "sales"),
        ("income.share.low_pct", share_low),
        ("income.share.high_pct", "5"),
        ("income.income_tax_pct", "15"),
        ("income.risk_free_pct", "2"),
        ("income.premia[0].score", "50"),
        ("income.premia[0].max_pct", "5"),
        ("income.premia[1].score", "50"),
        ("income.premia[1].max_pct", "5"),
        ("income.premia[2].score", "20"),
        ("income.premia[2].max_pct", "5"),
        ("income.premia[3].score", "20"),
        ("income.premia[3].max_pct", "5"),
        ("use_cost", "on"),
        ("cost.labour_fen", "60万"),
        ("cost.materials_fen", "20万"),
        ("cost.overhead_fen", "10万"),
        ("cost.reasonable_profit_pct", "20"),
        ("cost.obsolescence.kind", "remaining_life"),
        ("cost.obsolescence.used_years", "2"),
        ("use_market", "on"),
        ("market.subject_exclusivity", "transfer"),
        ("market.time_growth_pct", "3"),
        ("market.min_comparables", "1"),
        ("market.exclusivity_weights.transfer", "1"),
        ("market.exclusivity_weights.exclusive", "1"),
        ("market.exclusivity_weights.sole", "0.75"),
        ("market.exclusivity_weights.ordinary", "0.5"),
        ("sensitivity_pct", "10"),
        ("note", "谈判前 <b>初稿</b>"),
        ("do", action),
    ]
}

async fn a_member_values_saves_and_prints(app: &TestApp) {
    let cast = app.deal_cast().await;
    app.registered_contract(
        contract_json(None, None, 80_000_000),
        "2025310112000009",
        "2025-05-20",
    )
    .await;
    let listing = format!("/achievements/{}", cast.listing);
    let form = format!("{listing}/valuation");
    let mut seller = app.signed_in("seller").await;
    assert!(
        seller
            .get(&listing)
            .await
            .body
            .contains("id=\"valuation-link\"")
    );
    let page = seller.get(&form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for part in [
        "id=\"ranges-chart\"",
        "id=\"tornado-chart\"",
        "固态电解质低温制备工艺专利权转让合同",
        "不是法定资产评估",
    ] {
        assert!(page.body.contains(part), "the form page lacks {part}");
    }

    // A share that is not a number is said beside its field; nothing is saved.
    let bad = seller.submit(&form, &form, &fields("三", "save")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("income.share.low_pct"), "{}", bad.body);
    let versions = format!("/api/v1/listings/{}/valuations", cast.listing);
    assert_eq!(app.get(&versions, Some(&cast.seller)).await.body, json!([]));

    // Saved: a new version, its report printable, its workbook downloadable.
    let saved = seller.submit(&form, &form, &fields("3", "save")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let report_uri = saved.location.clone().unwrap();
    assert!(report_uri.starts_with(&format!("{listing}/valuations/")));
    let report = seller.get(&report_uri).await;
    assert_eq!(report.status, StatusCode::OK);
    for part in [
        "v1",
        "不是法定资产评估",
        "negotiation aid",
        "收益法",
        "成本法",
        "市场法",
        "proposed-line",
        "谈判前",
    ] {
        assert!(report.body.contains(part), "the report lacks {part}");
    }
    assert!(!report.body.contains("<b>初稿"), "a note is shown as text");
    let xlsx = seller.get(&format!("{report_uri}/xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let sheet = first_sheet(&xlsx.raw);
    assert!(
        sheet
            .rows
            .iter()
            .any(|row: &Vec<String>| row.iter().any(|c| c.contains("收益法价值")))
    );
    assert!(!sheet.formulas);

    // Staff see it; an outsider sees no link and is refused; the anonymous must sign in.
    let mut staff = app.signed_in("staff").await;
    assert_eq!(staff.get(&report_uri).await.status, StatusCode::OK);
    let mut outsider = app.signed_in("outsider").await;
    assert!(!outsider.get(&listing).await.body.contains("valuation-link"));
    assert_eq!(outsider.get(&form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        outsider.get(&report_uri).await.status,
        StatusCode::FORBIDDEN
    );
    let mut anonymous = app.browser();
    assert!(
        !anonymous
            .get(&listing)
            .await
            .body
            .contains("valuation-link")
    );
    assert_eq!(
        anonymous.get(&report_uri).await.status,
        StatusCode::UNAUTHORIZED
    );
}
on_both_backends!(a_member_values_saves_and_prints);
