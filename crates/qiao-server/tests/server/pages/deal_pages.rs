//! `/deals`, `/deals/{id}` and the posts that open and change deals (`pages/deal_pages.rs`):
//! who sees which deals, a lead carried to a deal in one click, a match on a listing's page
//! opening one, every change form with its version (a stale one said, not applied), the
//! forecast's stage probabilities, and text from users shown as text.

use crate::common::browser::Page;
use crate::common::*;

/// Two enterprises (甲 owns a demand, 乙 sells), a member of each (`alice`, `bob`), a member
/// of a third (`carol`), a technology manager (`manager`), another (`manager2`), staff
/// (`staff`), and a deal `manager` opened between 乙 (seller) and 甲 (buyer) on the demand.
struct World<'a> {
    alice: Browser<'a>,
    bob: Browser<'a>,
    carol: Browser<'a>,
    manager: Browser<'a>,
    manager2: Browser<'a>,
    staff: Browser<'a>,
    demand: String,
    deal: i64,
}

async fn world<'a>(app: &'a TestApp, title: &str) -> World<'a> {
    let a = app.certified_org(1, "甲电池公司").await;
    let b = app.certified_org(2, "乙材料大学").await;
    let c = app.certified_org(3, "丙公司").await;
    let mut alice = app.user("alice", Role::Member, Some(a)).await;
    let demand = alice.post_demand("电池包散热", "夏天电池包发烫").await;
    let manager = app.user("manager", Role::TechnologyManager, None).await;
    let deal = app
        .open_deal("manager", title, (Some(b), Some(a)), id_of(&demand))
        .await;
    World {
        alice,
        bob: app.user("bob", Role::Member, Some(b)).await,
        carol: app.user("carol", Role::Member, Some(c)).await,
        manager,
        manager2: app.user("manager2", Role::TechnologyManager, None).await,
        staff: app.user("staff", Role::CommissionStaff, None).await,
        demand,
        deal,
    }
}

/// Posts the change `fields` to the deal from its page, with the version the page shows.
async fn change(b: &mut Browser<'_>, deal: i64, fields: &[(&str, &str)]) -> Page {
    let page = format!("/deals/{deal}");
    let version = value_after(&b.get(&page).await.body, "name=\"version\" value=\"");
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    b.submit(&page, &format!("{page}/act"), &all).await
}

#[tokio::test]
async fn each_role_sees_the_deals_it_may_and_no_others() {
    let app = TestApp::new().await;
    let World {
        mut alice,
        mut bob,
        mut carol,
        mut manager,
        mut manager2,
        mut staff,
        deal,
        ..
    } = world(&app, "甲乙散热合作").await;
    let deal_page = format!("/deals/{deal}");

    // The manager who brokers it, staff, and members of both parties see it, on the board, in
    // the table and on its page.
    for (who, b) in [
        ("manager", &mut manager),
        ("staff", &mut staff),
        ("alice", &mut alice),
        ("bob", &mut bob),
    ] {
        for path in ["/deals", "/deals?view=table", deal_page.as_str()] {
            let p = b.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{who} {path}: {}", p.body);
            assert!(p.body.contains("甲乙散热合作"), "{who} {path}");
        }
        let p = b.get(&deal_page).await;
        assert!(
            p.body.contains("甲电池公司") && p.body.contains("乙材料大学"),
            "{who}"
        );
        assert!(p.body.contains("电池包散热"), "{who}: the listing is named");
        // The nav offers the deals to each of them.
        assert!(
            b.get("/workspace").await.body.contains("href=\"/deals\""),
            "{who}"
        );
    }
    // The board's stage column holds the card, with the expected amount in 元.
    let board = manager.get("/deals").await.body;
    let column = section(&board, "id=\"stage-lead\"", "</section>");
    assert!(
        column.contains(&format!("id=\"deal-card-{deal}\"")),
        "{column}"
    );
    assert!(column.contains("500,000.00 元"), "{column}");
    // Members of the parties read it but get no change forms; its manager does.
    assert!(
        !alice
            .get(&deal_page)
            .await
            .body
            .contains("id=\"form-move_to\"")
    );
    assert!(
        manager
            .get(&deal_page)
            .await
            .body
            .contains("id=\"form-move_to\"")
    );
    let p = bob
        .submit(
            &deal_page,
            &format!("{deal_page}/act"),
            &[("version", "1"), ("action", "pause")],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::FORBIDDEN,
        "a party member does not change it"
    );

    // Another manager and another organisation's member: an empty board, and a 404 that
    // says nothing of the deal.
    for (who, b) in [("manager2", &mut manager2), ("carol", &mut carol)] {
        let p = b.get("/deals?view=table").await;
        assert_eq!(p.status, StatusCode::OK, "{who}");
        assert!(!p.body.contains("甲乙散热合作"), "{who}");
        let p = b.get(&deal_page).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!p.body.contains("甲乙散热合作"), "{who}");
    }
    // carol's organisation has no deal: no link in her nav.
    assert!(
        !carol
            .get("/workspace")
            .await
            .body
            .contains("href=\"/deals\"")
    );

    // Signed out: sign in first. A member of no organisation: not allowed.
    let mut anon = app.browser();
    for path in ["/deals", deal_page.as_str()] {
        let p = anon.get(path).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(p.body.contains("/login"), "{path} offers the sign-in");
    }
    let mut loner = app.user("loner", Role::Member, None).await;
    assert_eq!(loner.get("/deals").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_deal_title_with_script_stays_text() {
    let app = TestApp::new().await;
    let evil = "<script>alert(1)</script>散热";
    let World {
        mut manager,
        mut alice,
        deal,
        ..
    } = world(&app, evil).await;
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_next_step"),
            ("text", "<img src=x onerror=alert(2)>"),
            ("due_on", "2099-01-01"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    for (path, body) in [
        ("board", manager.get("/deals").await.body),
        ("table", manager.get("/deals?view=table").await.body),
        ("deal", manager.get(&format!("/deals/{deal}")).await.body),
        ("workspace", manager.get("/workspace").await.body),
        (
            "member's deal",
            alice.get(&format!("/deals/{deal}")).await.body,
        ),
        (
            "contract form",
            manager
                .get(&format!("/contracts/new?deal={deal}"))
                .await
                .body,
        ),
    ] {
        assert!(!body.contains("<script>alert"), "{path}: raw script");
        assert!(!body.contains("<img src=x"), "{path}: raw tag");
        assert!(
            body.contains("&#60;script&#62;alert(1)"),
            "{path}: shown as text"
        );
    }
}

#[tokio::test]
async fn an_accepted_contact_request_becomes_a_deal_in_one_click() {
    let app = TestApp::new().await;
    let (mut owner, mut asker) = app.two_members("owner", "asker").await;
    let demand = owner.post_demand("电芯温差控制", "电芯温差大").await;
    let p = asker
        .ask_contact(&demand, "我们有相变材料热管理方案，想进一步沟通。")
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let decide = decision_action(&owner.get("/workspace").await.body);
    let request = id_of(decide.trim_end_matches("/decide"));
    let mut manager = app.user("manager", Role::TechnologyManager, None).await;

    // Not accepted yet: no lead.
    assert!(!manager.get("/deals").await.body.contains("id=\"lead-"));
    owner.decide(&decide, &[("decision", "accept")]).await;

    // The lead shows on the board and at the top of the manager's workspace.
    let lead = format!("id=\"open-lead-{request}\"");
    let board = manager.get("/deals").await.body;
    assert!(board.contains(&lead), "{board}");
    assert!(section(&board, "id=\"leads\"", "</ul>").contains("电芯温差控制"));
    let ws = manager.get("/workspace").await.body;
    assert!(ws.contains(&lead), "{ws}");
    let deals_at = ws.find("id=\"my-deals\"").unwrap();
    assert!(
        deals_at < ws.find("id=\"received\"").unwrap(),
        "the workbench comes first"
    );

    // One click: a deal at 对接洽谈 between the asker (seller) and the demand's owner (buyer).
    let action = format!("/deals/from-contact/{request}");
    let p = manager.submit("/deals", &action, &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let deal = p.location.unwrap();
    let page = manager.get(&deal).await.body;
    assert!(
        page.contains("<span class=\"tag\">对接洽谈</span>"),
        "{page}"
    );
    let facts = section(&page, "id=\"deal-facts\"", "</table>");
    let seller = section(facts, "卖方", "</tr>");
    let buyer = section(facts, "买方", "</tr>");
    assert!(seller.contains("乙"), "{seller}");
    assert!(buyer.contains("甲"), "{buyer}");
    assert!(
        facts.contains(&format!("#{request}")),
        "the origin is named"
    );
    assert!(page.contains("manager"), "the opener brokers it");

    // The lead is gone; a second click says why nothing happened.
    assert!(!manager.get("/deals").await.body.contains(&lead));
    let p = manager.submit("/deals", &action, &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"deals-error\""), "{}", p.body);
    // The workspace now lists the deal.
    let ws = manager.get("/workspace").await.body;
    assert!(section(&ws, "id=\"workbench-deals\"", "</ul>").contains("电芯温差控制"));

    // Members do not open deals.
    let p = owner.submit("/workspace", &action, &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_match_on_a_listing_page_opens_a_deal_for_managers_only() {
    let app = TestApp::new().await;
    let uni = app.certified_org(2, "示例大学").await;
    let mut tto = app.user("tto", Role::Member, Some(uni)).await;
    let p = tto
        .post_form(
            "/post/achievement",
            &[
                ("title", "相变材料电池热管理技术"),
                ("summary", "利用相变材料吸收电池包热量，降低电芯温差"),
                ("keywords", "相变材料，电池，热管理"),
                ("status", "open"),
            ],
        )
        .await;
    let achievement = p.location.unwrap();
    let ent = app.certified_org(1, "电池公司").await;
    let mut buyer = app.user("buyer", Role::Member, Some(ent)).await;
    let demand = buyer
        .post_demand("电池包散热", "电池包发烫，电芯温差大，想找相变材料方案")
        .await;

    let button = format!("id=\"deal-from-match-{}\"", id_of(&achievement));
    let page = buyer.get(&demand).await.body;
    assert!(
        page.contains("相变材料电池热管理技术"),
        "the match is listed"
    );
    assert!(!page.contains(&button), "members get no deal button");
    let mut manager = app.user("manager", Role::TechnologyManager, None).await;
    let page = manager.get(&demand).await.body;
    assert!(page.contains(&button), "{page}");

    let p = manager
        .submit(
            &demand,
            "/deals/from-match",
            &[
                ("listing", &id_of(&demand).to_string()),
                ("matched", &id_of(&achievement).to_string()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let deal = manager.get(&p.location.unwrap()).await.body;
    let facts = section(&deal, "id=\"deal-facts\"", "</table>");
    assert!(
        section(facts, "卖方", "</tr>").contains("示例大学"),
        "{facts}"
    );
    assert!(
        section(facts, "买方", "</tr>").contains("电池公司"),
        "{facts}"
    );
    assert!(facts.contains("相变材料电池热管理技术") && facts.contains("电池包散热"));
    let p = buyer
        .submit(
            &demand,
            "/deals/from-match",
            &[
                ("listing", &id_of(&demand).to_string()),
                ("matched", &id_of(&achievement).to_string()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_deal_is_carried_to_signing_and_won_with_its_history() {
    let app = TestApp::new().await;
    let World {
        mut manager, deal, ..
    } = world(&app, "固态电池专利转让").await;
    let page = format!("/deals/{deal}");

    // Winning before 签约 is not offered, and posted by hand it is refused in words.
    assert!(!manager.get(&page).await.body.contains("id=\"form-win\""));
    let p = change(&mut manager, deal, &[("action", "win")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        section(&p.body, "id=\"deal-error\"", "</p>").contains("不能「成交」"),
        "{}",
        p.body
    );

    for stage in ["contact", "due_diligence", "negotiation", "signing"] {
        let p = change(
            &mut manager,
            deal,
            &[
                ("action", "move_to"),
                ("stage", stage),
                ("note", "双方已沟通"),
            ],
        )
        .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{stage}: {}", p.body);
    }
    let body = manager.get(&page).await.body;
    assert!(body.contains("id=\"form-win\""), "won at 签约");
    let p = change(
        &mut manager,
        deal,
        &[("action", "win"), ("note", "合同已签")],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let body = manager.get(&page).await.body;
    assert!(
        body.contains("<span class=\"badge ok\">成交</span>"),
        "{body}"
    );
    // Won: only forward; the stages before are no longer offered.
    let moves = section(&body, "id=\"move-stage\"", "</select>");
    assert!(moves.contains("value=\"registration\"") && !moves.contains("value=\"lead\""));
    // The history: who, when, from → to, the note.
    let history = section(&body, "id=\"deal-history\"", "</table>");
    assert!(history.contains("商务谈判 → 签约"), "{history}");
    assert!(history.contains("进行中 → 成交"), "{history}");
    assert!(history.contains("合同已签") && history.contains("manager"));
    assert_eq!(
        history.matches("<tr>").count(),
        7,
        "a header, then: opened, four moves, a win: {history}"
    );

    // A next step already past its day stands out in red, on the page and on the board.
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_next_step"),
            ("text", "提交登记材料"),
            ("due_on", "2020-01-01"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(
        section(
            &manager.get(&page).await.body,
            "id=\"deal-next-step\"",
            "</td>"
        )
        .contains("逾期")
    );
    let board = manager.get("/deals").await.body;
    let card = section(&board, &format!("id=\"deal-card-{deal}\""), "</article>");
    assert!(card.contains("badge bad overdue"), "{card}");
    // A step with no date is refused next to its form, what was typed kept.
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_next_step"),
            ("text", "约见买方"),
            ("due_on", ""),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = section(&p.body, "id=\"form-set_next_step\"", "</form>");
    assert!(form.contains("请填写下一步的截止日期"), "{form}");
    assert!(form.contains("value=\"约见买方\""), "{form}");
}

#[tokio::test]
async fn a_stale_form_is_said_and_not_applied() {
    let app = TestApp::new().await;
    let World {
        mut manager,
        mut staff,
        deal,
        ..
    } = world(&app, "散热合作").await;
    let page = format!("/deals/{deal}");
    let seen = value_after(&manager.get(&page).await.body, "name=\"version\" value=\"");
    // Staff move the deal meanwhile.
    let p = change(
        &mut staff,
        deal,
        &[("action", "move_to"), ("stage", "contact")],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The manager's form, made from the older page, is refused with a sentence.
    let p = manager
        .submit(
            &page,
            &format!("{page}/act"),
            &[
                ("version", &seen),
                ("action", "move_to"),
                ("stage", "negotiation"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    let said = section(&p.body, "id=\"deal-error\"", "</p>");
    assert!(said.contains("已被他人修改"), "{said}");
    assert!(said.contains(&format!("第 {seen} 版")), "{said}");
    // Not applied: the deal is where staff left it.
    let stored = app.db.store.get_deal(deal).await.unwrap();
    assert_eq!(stored.deal.stage, qiao_domain::DealStage::Contact);
    // And the page now carries the new version, so the next try works.
    assert!(
        !p.body
            .contains(&format!("name=\"version\" value=\"{seen}\""))
    );
}

#[tokio::test]
async fn terminating_for_another_reason_needs_a_note_and_ends_the_deal() {
    let app = TestApp::new().await;
    let World {
        mut manager, deal, ..
    } = world(&app, "散热合作").await;
    let p = change(
        &mut manager,
        deal,
        &[("action", "terminate"), ("reason", "other")],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "id=\"form-terminate\"", "</form>").contains("选择“其他”时请写明原因"),
        "{}",
        p.body
    );
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "terminate"),
            ("reason", "price_disagreement"),
            ("note", "买方预算不足"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let body = manager.get(&format!("/deals/{deal}")).await.body;
    assert!(body.contains("价格分歧：买方预算不足"), "{body}");
    assert!(
        !body.contains("id=\"form-move_to\""),
        "a terminated deal offers no change"
    );
}

#[tokio::test]
async fn managers_and_shares_are_set_by_username() {
    let app = TestApp::new().await;
    let World {
        mut manager, deal, ..
    } = world(&app, "散热合作").await;
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_managers"),
            ("manager_0", "manager"),
            ("share_0", "60"),
            ("manager_1", "manager2"),
            ("share_1", "30"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = section(&p.body, "id=\"form-set_managers\"", "</form>");
    assert!(said.contains("分成比例合计 9000 个基点"), "{said}");
    let p = change(
        &mut manager,
        deal,
        &[("action", "set_managers"), ("manager_0", "alice")],
    )
    .await;
    assert!(p.body.contains("“alice”不是技术经理人账号"), "{}", p.body);
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_managers"),
            ("manager_0", "manager"),
            ("share_0", "62.5"),
            ("manager_1", "manager2"),
            ("share_1", "37.5"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let managers = manager.get(&format!("/deals/{deal}")).await.body;
    let managers = section(&managers, "id=\"deal-managers\"", "</td>");
    assert!(
        managers.contains("62.5%") && managers.contains("37.5%"),
        "{managers}"
    );
    // manager2 now brokers it and sees it.
    let mut m2 = app.signed_in("manager2").await;
    assert_eq!(
        m2.get(&format!("/deals/{deal}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deal_by_hand_names_its_mistakes_in_chinese() {
    let app = TestApp::new().await;
    let World {
        mut manager,
        demand,
        ..
    } = world(&app, "散热合作").await;
    let p = manager
        .submit(
            "/deals",
            "/deals/new",
            &[
                ("title", ""),
                ("listing_ids", "/demands/99999"),
                ("seller_org_id", "91310000MA1K0000"),
                ("expected_amount_fen", "很多"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.body
            .contains("<details id=\"new-deal\" class=\"box\" open>"),
        "the form stays open"
    );
    assert_eq!(field_error(&p.body, "title"), "必填，不能为空");
    assert!(
        field_error(&p.body, "listing_ids").contains("99999"),
        "{}",
        p.body
    );
    assert!(field_error(&p.body, "seller_org_id").contains("统一社会信用代码"));
    assert!(field_error(&p.body, "expected_amount_fen").contains("不是有效金额"));
    let p = manager
        .submit(
            "/deals",
            "/deals/new",
            &[
                ("title", "手工录入的交易"),
                ("listing_ids", &demand),
                ("seller_org_id", &code(2)),
                ("buyer_org_id", &code(1)),
                ("expected_amount_fen", "120万"),
                ("field", "new_energy"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let body = manager.get(&p.location.unwrap()).await.body;
    assert!(
        body.contains("手工录入的交易") && body.contains("1,200,000.00 元"),
        "{body}"
    );
    assert!(
        body.contains("乙材料大学") && body.contains("闵行区"),
        "the seller's district"
    );
}

#[tokio::test]
async fn staff_set_the_stage_probabilities_the_forecast_uses() {
    let app = TestApp::new().await;
    let World {
        mut manager,
        mut staff,
        deal,
        ..
    } = world(&app, "散热合作").await;
    let year = qiao_app::deals::this_year();
    let p = change(
        &mut manager,
        deal,
        &[
            ("action", "set_expectation"),
            ("amount", "100万"),
            ("close_on", &format!("{year}-12-01")),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A lead at the default 5 %: 5万元 expected.
    let board = staff.get("/deals").await.body;
    assert_eq!(
        value_after(&board, "id=\"forecast-expected\">"),
        "50,000.00 元",
        "{board}"
    );
    assert!(board.contains("id=\"probabilities\""), "staff get the form");
    assert!(
        !manager
            .get("/deals")
            .await
            .body
            .contains("id=\"probabilities\"")
    );

    let fields = [
        ("lead_bp", "12.5"),
        ("contact_bp", "20"),
        ("due_diligence_bp", "30"),
        ("negotiation_bp", "50"),
        ("signing_bp", "10"),
        ("registration_bp", "95"),
        ("performance_bp", "100"),
        ("done_bp", "100"),
    ];
    // 签约 below 商务谈判 is refused beside its field.
    let p = staff
        .submit("/deals", "/deals/probabilities", &fields)
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("id=\"error-signing_bp\""), "{}", p.body);
    let mut fixed = fields;
    fixed[4] = ("signing_bp", "80");
    let p = staff.submit("/deals", "/deals/probabilities", &fixed).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let board = staff.get("/deals").await.body;
    assert_eq!(
        value_after(&board, "id=\"forecast-expected\">"),
        "125,000.00 元"
    );
    assert!(board.contains("name=\"lead_bp\" id=\"p-lead_bp\" value=\"12.5\""));
    // Managers may not set them.
    let p = manager
        .submit("/deals", "/deals/probabilities", &fixed)
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_deal_without_a_manager_is_claimed_from_the_board() {
    let app = TestApp::new().await;
    let World {
        mut alice,
        mut manager,
        mut manager2,
        mut staff,
        demand,
        ..
    } = world(&app, "有经理人的交易").await;
    // Staff open a deal and name no manager, as an award does: it waits to be claimed.
    let a = app.certified_org(4, "丁公司").await;
    let deal = app
        .open_deal(
            "staff",
            "<script>alert(1)</script>待认领",
            (None, Some(a)),
            id_of(&demand),
        )
        .await;
    let item = format!("id=\"unclaimed-{deal}\"");
    let button = format!("id=\"claim-{deal}\"");
    let board = manager.get("/deals").await.body;
    let listed = section(&board, &item, "</li>");
    assert!(listed.contains(&button), "{listed}");
    assert!(
        listed.contains("&#60;script&#62;") && !listed.contains("<script>"),
        "the title is text: {listed}"
    );
    assert!(
        manager
            .get("/workspace")
            .await
            .body
            .contains("待认领的交易：1")
    );
    // Staff see it with a link to name its managers, not a claim; members not at all.
    let board = staff.get("/deals").await.body;
    let listed = section(&board, &item, "</li>");
    assert!(
        !listed.contains(&button) && listed.contains(&format!("href=\"/deals/{deal}\"")),
        "{listed}"
    );
    assert!(!alice.get("/deals").await.body.contains(&item));

    // Two managers read version 1; the first claim wins, the second is told why.
    let version = value_after(
        section(&manager2.get("/deals").await.body, &item, "</li>"),
        "name=\"version\" value=\"",
    );
    let action = format!("/deals/{deal}/claim");
    let p = manager
        .submit("/deals", &action, &[("version", version.as_str())])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/deals/{deal}").as_str())
    );
    let page = manager.get(&format!("/deals/{deal}")).await.body;
    assert!(section(&page, "id=\"deal-history\"", "</table>").contains("认领"));
    let p = manager2
        .submit("/deals", &action, &[("version", version.as_str())])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        section(&p.body, "id=\"deals-error\"", "</p>").contains("未能认领"),
        "{}",
        p.body
    );
    assert!(!manager2.get("/deals").await.body.contains(&item));
    // A member cannot claim.
    let p = alice.submit("/deals", &action, &[("version", "2")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
