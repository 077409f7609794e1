//! `/statistics` and `/statistics.xlsx` (`pages/statistics_page.rs`): the figures equal the sums
//! of the contracts the test registers (only registered ones, only of the year asked), for the
//! platform and for a district (输出 and 吸纳), by month, type, field and manager; the workbook
//! holds the same numbers as numbers; who may read them.

use crate::common::*;
use qiao_app::deals;
use qiao_domain::{DealAction, ManagerShare};

/// A contract of the test: (seller's district, buyer's district), (type, field), 成交额 and
/// non-technical items in 分, and the day it was registered.
type Case = (
    (&'static str, &'static str),
    (&'static str, &'static str),
    i64,
    i64,
    &'static str,
);

const CASES: [Case; 5] = [
    (
        ("闵行区", "浦东新区"),
        ("transfer_patent", "new_energy"),
        120_000_050,
        20_000_000,
        "2025-03-15",
    ),
    (
        ("闵行区", "闵行区"),
        ("service", "electronic_information"),
        30_000_000,
        0,
        "2025-03-20",
    ),
    (
        ("浦东新区", "闵行区"),
        ("development_commissioned", "biomedicine"),
        500_000_000,
        100_000_000,
        "2025-07-01",
    ),
    (
        ("徐汇区", "浦东新区"),
        ("consulting", "new_energy"),
        8_888_888,
        0,
        "2025-12-31",
    ),
    // Registered the year before: not counted in 2025.
    (
        ("闵行区", "闵行区"),
        ("service", "new_energy"),
        99_999_900,
        0,
        "2024-12-31",
    ),
];

/// The sums a commission would compute by hand over the 2025 cases `keep` selects:
/// (contracts, 成交额, 技术交易额).
fn sums(keep: impl Fn(&Case) -> bool) -> (i64, i64, i64) {
    CASES
        .iter()
        .filter(|c| c.4.starts_with("2025") && keep(c))
        .fold((0, 0, 0), |(n, a, t), c| (n + 1, a + c.2, t + c.2 - c.3))
}

/// `fen` as the page writes it: 元 with thousands separators and two decimals.
fn yuan(fen: i64) -> String {
    let whole = (fen / 100).to_string();
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{:02} 元", fen % 100)
}

/// The cases stored: registered as the cases say, and a draft that must count nowhere.
async fn store_cases(app: &TestApp) {
    for (i, (districts, kind, amount, non_technical, date)) in CASES.iter().enumerate() {
        let n = i as u32 + 1;
        let c = contract(n, *districts, *kind, *amount, *non_technical);
        app.registered_record(&c, date, n).await;
    }
    let draft = contract(
        99,
        ("闵行区", "闵行区"),
        ("service", "new_energy"),
        777_700,
        0,
    );
    app.db
        .store
        .create_contract(&draft, &qiao_domain::Registration::Draft, None)
        .await
        .unwrap();
}

/// The amount of the table row labelled `label` in the table `id` of a statistics page.
fn row_amount(html: &str, table: &str, label: &str) -> String {
    let t = section(html, &format!("id=\"table-{table}\""), "</table>");
    let row = section(t, &format!(">{label}</td>"), "</tr>");
    value_after(row, "class=\"num nowrap\">")
}

#[tokio::test]
async fn the_figures_are_the_sums_of_the_registered_contracts() {
    let app = TestApp::new().await;
    store_cases(&app).await;
    let mut staff = app.user("staff", Role::CommissionStaff, None).await;

    let (n, amount, technical) = sums(|_| true);
    let p = staff.get("/statistics?year=2025").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        value_after(&p.body, "id=\"total-contracts\">"),
        n.to_string()
    );
    assert_eq!(value_after(&p.body, "id=\"total-amount\">"), yuan(amount));
    assert_eq!(
        value_after(&p.body, "id=\"total-technical\">"),
        yuan(technical)
    );
    // By month, type, field, 输出 and 吸纳: each row the sum of its contracts.
    let march = sums(|c| c.4.starts_with("2025-03")).1;
    assert_eq!(row_amount(&p.body, "month", "3月"), yuan(march));
    assert_eq!(row_amount(&p.body, "month", "5月"), yuan(0));
    let energy = sums(|c| c.1.1 == "new_energy").1;
    assert_eq!(
        row_amount(&p.body, "field", "新能源与高效节能"),
        yuan(energy)
    );
    let service = sums(|c| c.1.0 == "service").1;
    assert_eq!(row_amount(&p.body, "kind", "技术服务"), yuan(service));
    let out = sums(|c| c.0.0 == "闵行区").1;
    assert_eq!(row_amount(&p.body, "out", "闵行区"), yuan(out));
    let absorbed = sums(|c| c.0.1 == "闵行区").1;
    assert_eq!(row_amount(&p.body, "in", "闵行区"), yuan(absorbed));
    // Each breakdown is drawn: twelve columns of months, a bar per field.
    let months = section(&p.body, "id=\"section-month\"", "</svg>");
    assert_eq!(months.matches("<rect").count(), 12);
    let fields = section(&p.body, "id=\"section-field\"", "</svg>");
    assert_eq!(fields.matches("class=\"fill\"").count(), 3);

    // A district: its sellers' contracts (输出), and beside them what its buyers bought (吸纳).
    let p = staff
        .get(&format!(
            "/statistics?year=2025&district={}",
            encode("闵行区")
        ))
        .await;
    let (n_out, out, out_technical) = sums(|c| c.0.0 == "闵行区");
    assert_eq!(
        value_after(&p.body, "id=\"total-contracts\">"),
        n_out.to_string()
    );
    assert_eq!(value_after(&p.body, "id=\"total-amount\">"), yuan(out));
    assert_eq!(
        value_after(&p.body, "id=\"total-technical\">"),
        yuan(out_technical)
    );
    assert_eq!(
        value_after(&p.body, "id=\"total-absorbed\">"),
        yuan(absorbed)
    );
    // Where the district's buyers are.
    let to_pudong = sums(|c| c.0 == ("闵行区", "浦东新区")).1;
    assert_eq!(row_amount(&p.body, "out", "浦东新区"), yuan(to_pudong));

    // Another year holds only its own contract.
    let p = staff.get("/statistics?year=2024").await;
    assert_eq!(
        value_after(&p.body, "id=\"total-amount\">"),
        yuan(99_999_900)
    );
}

#[tokio::test]
async fn the_workbook_holds_the_same_numbers_as_numbers() {
    let app = TestApp::new().await;
    store_cases(&app).await;
    let mut staff = app.user("staff", Role::CommissionStaff, None).await;
    let p = staff.get("/statistics.xlsx?year=2025&district=").await;
    assert_eq!(p.status, StatusCode::OK);
    let sheet = first_sheet(&p.raw);
    assert!(!sheet.formulas);
    assert_eq!(sheet.rows[0][6], "合同成交额（元）");
    let (n, amount, technical) = sums(|_| true);
    let total = &sheet.rows[1];
    assert_eq!(total[2], "合计");
    assert_eq!(total[5].parse::<f64>().unwrap(), n as f64);
    assert_eq!(total[6].parse::<f64>().unwrap(), amount as f64 / 100.0);
    assert_eq!(total[7].parse::<f64>().unwrap(), technical as f64 / 100.0);
    // The months add up to the total, as numbers a spreadsheet sums.
    let months: f64 = sheet
        .rows
        .iter()
        .filter(|r| r[2].starts_with("按月份"))
        .map(|r| r[6].parse::<f64>().unwrap())
        .sum();
    assert!((months - amount as f64 / 100.0).abs() < 0.005, "{months}");
    // One part alone: the twelve months.
    let p = staff.get("/statistics.xlsx?year=2025&part=month").await;
    assert_eq!(first_sheet(&p.raw).rows.len(), 1 + 12);
    let p = staff.get("/statistics.xlsx?year=2025&part=nothing").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn managers_are_credited_by_their_shares() {
    let app = TestApp::new().await;
    let org = app.certified_org(1, "甲").await;
    let mut owner = app.user("owner", Role::Member, Some(org)).await;
    let demand = owner.post_demand("散热", "描述").await;
    app.create_account("manager", Role::TechnologyManager, None)
        .await;
    app.create_account("manager2", Role::TechnologyManager, None)
        .await;
    let deal = app
        .open_deal("manager", "散热合作", (None, Some(org)), id_of(&demand))
        .await;
    let m = app.account_named("manager").await;
    let m2 = app.account_named("manager2").await;
    let shares = vec![
        ManagerShare {
            account_id: m.id,
            share_bp: 6000,
        },
        ManagerShare {
            account_id: m2.id,
            share_bp: 4000,
        },
    ];
    deals::act(
        &app.db.store,
        &m,
        deal,
        1,
        DealAction::SetManagers { managers: shares },
        None,
    )
    .await
    .unwrap();
    let mut c = contract(
        1,
        ("闵行区", "闵行区"),
        ("service", "new_energy"),
        100_000_001,
        0,
    );
    c.deal_id = Some(deal);
    app.registered_record(&c, "2025-05-05", 1).await;

    let mut manager = app.signed_in("manager").await;
    let p = manager.get("/statistics?year=2025").await;
    assert_eq!(p.status, StatusCode::OK, "managers read the statistics");
    // 60 % of 1,000,000.01 元 is 600,000.006: the 分 left over goes to the larger remainder.
    assert_eq!(row_amount(&p.body, "managers", "manager"), yuan(60_000_001));
    assert_eq!(
        row_amount(&p.body, "managers", "manager2"),
        yuan(40_000_000)
    );
}

#[tokio::test]
async fn members_and_strangers_do_not_read_the_statistics() {
    let app = TestApp::new().await;
    store_cases(&app).await;
    let org = app.certified_org(1, "甲").await;
    let mut member = app.user("member", Role::Member, Some(org)).await;
    for path in ["/statistics?year=2025", "/statistics.xlsx?year=2025"] {
        let p = member.get(path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!p.body.contains("1,200,000.50"), "{path}");
        assert_eq!(
            app.browser().get(path).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // The nav offers the page to staff and managers only.
    assert!(
        !member
            .get("/workspace")
            .await
            .body
            .contains("href=\"/statistics\"")
    );
    let mut staff = app.user("staff", Role::CommissionStaff, None).await;
    assert!(
        staff
            .get("/workspace")
            .await
            .body
            .contains("href=\"/statistics\"")
    );
}
