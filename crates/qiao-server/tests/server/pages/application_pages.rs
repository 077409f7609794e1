//! 揭榜 in the browser (`pages/application_pages.rs`): the apply form on a challenge's page
//! (problems beside their fields, what was typed kept, the window said), the owner's review
//! with scores and comments, an award that opens a deal, the applicant's 我的揭榜 with the
//! reason when not chosen; another organisation sees none of it; stored script stays inert;
//! a closed review reopened for a new round; the challenge board's filters.

use crate::common::*;

fn day(offset: i64) -> String {
    (qiao_domain::today() + chrono::Duration::days(offset)).to_string()
}

async fn post_challenge(
    b: &mut Browser<'_>,
    title: &str,
    reward: &str,
    from: i64,
    until: i64,
) -> String {
    let p = b
        .post_form(
            "/post/challenge",
            &[
                ("title", title),
                ("description", "室温离子电导率达标的固态电解质"),
                ("indicators", "离子电导率 10 mS/cm\n循环寿命 2000 次"),
                ("reward_yuan", reward),
                ("apply_from", &day(from)),
                ("apply_until", &day(until)),
                ("district", "闵行区"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    p.location.unwrap()
}

#[tokio::test]
async fn apply_review_award_and_the_applicant_sees_why_not() {
    let app = TestApp::new().await;
    let (mut owner, mut applicant) = app.two_members("owner", "applicant").await;
    let c = app.certified_org(3, "丙").await;
    let mut other = app.user("other", Role::Member, Some(c)).await;
    let challenge = post_challenge(
        &mut owner,
        "固态电池<script>alert(1)</script>揭榜",
        "100万",
        -1,
        20,
    )
    .await;
    let id: i64 = challenge.rsplit('/').next().unwrap().parse().unwrap();

    // The owner sees the review link, not the form; the board shows the reward.
    let p = owner.get(&challenge).await;
    assert!(p.body.contains("id=\"review-link\""), "{}", p.body);
    assert!(!p.body.contains("id=\"apply-form\""));
    assert!(
        !p.body.contains("<script>alert(1)"),
        "stored script is escaped"
    );
    let board = app.browser().get("/challenges").await;
    assert!(board.body.contains("榜单金额 100万元"), "{}", board.body);

    // A blank proposal is refused beside its fields, with what was typed kept.
    let p = applicant.get(&challenge).await;
    assert!(p.body.contains("id=\"apply-form\""), "{}", p.body);
    let action = format!("/challenges/{id}/apply");
    let bad = applicant
        .submit(
            &challenge,
            &action,
            &[
                ("solution", ""),
                ("team", "张教授团队"),
                ("budget_yuan", "很多"),
                ("timeline", "12 个月"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"error-solution\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"error-budget_yuan\""));
    assert!(bad.body.contains("张教授团队"), "what was typed survives");
    let ok = applicant
        .submit(
            &challenge,
            &action,
            &[
                ("solution", "硫化物电解质<b>干法</b>成膜"),
                ("team", "张教授团队 6 人"),
                ("commitments", "离子电导率 12 mS/cm"),
                ("budget_yuan", "80万"),
                ("timeline", "第 12 个月中试"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let application = ok.location.unwrap();
    let p = applicant.get(&application).await;
    assert!(p.body.contains("硫化物电解质&#60;b&#62;干法"), "{}", p.body);
    assert!(p.body.contains("80万元"));
    assert!(p.body.contains("id=\"withdraw\""));
    assert!(!p.body.contains("id=\"score-form\""));
    // The challenge page now shows the applicant its application instead of the form.
    let p = applicant.get(&challenge).await;
    assert!(p.body.contains("id=\"my-application\""));
    assert!(!p.body.contains("id=\"apply-form\""));

    // Another organisation: the application is a 404, the review a 403, its workspace empty.
    assert_eq!(other.get(&application).await.status, StatusCode::NOT_FOUND);
    let refused = other.get(&format!("/challenges/{id}/applications")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Said in Chinese first, the precise reason after it.
    assert!(
        refused.body.contains(
            "您没有执行此操作的权限。（a challenge&#39;s applications are seen by its owner and staff only）"
        ),
        "{}",
        refused.body
    );
    let w = other.get("/workspace").await;
    assert!(!w.body.contains("固态电池"), "{}", w.body);

    // The owner scores (a missing score is said), then awards; a deal opens.
    let review = owner.get(&format!("/challenges/{id}/applications")).await;
    assert!(review.body.contains("未评分"), "{}", review.body);
    let page = owner.get(&application).await;
    let version = value_after(&page.body, "name=\"version\" value=\"");
    let act = format!("{application}/act");
    let missing = owner
        .submit(
            &application,
            &act,
            &[
                ("version", &version),
                ("action", "score"),
                ("points_0", "8"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("id=\"application-error\""));
    let mut fields = vec![
        ("version".to_string(), version.clone()),
        ("action".into(), "score".into()),
        ("comment".into(), "方案可行".into()),
    ];
    for i in 0..5 {
        fields.push((format!("points_{i}"), "8".into()));
        fields.push((format!("comment_{i}"), "达标".into()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let scored = owner.submit(&application, &act, &pairs).await;
    assert_eq!(scored.status, StatusCode::SEE_OTHER, "{}", scored.body);
    let page = owner.get(&application).await;
    assert!(page.body.contains("40/50"), "{}", page.body);
    let version = value_after(&page.body, "name=\"version\" value=\"");
    let won = owner
        .submit(
            &application,
            &act,
            &[("version", &version), ("action", "award")],
        )
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER, "{}", won.body);
    let page = applicant.get(&application).await;
    assert!(page.body.contains("揭榜成功"));
    let deal = format!("/deals/{}", value_after(&page.body, "href=\"/deals/"));
    assert!(deal.starts_with("/deals/"), "{}", page.body);
    let d = applicant.get(&deal).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(
        d.body.contains("揭榜挂帅"),
        "the deal names its origin: {}",
        d.body
    );
    assert_eq!(other.get(&deal).await.status, StatusCode::NOT_FOUND);

    // 我的揭榜 on the applicant's workspace.
    let w = applicant.get("/workspace").await;
    assert!(w.body.contains("id=\"my-applications-list\""));
    assert!(w.body.contains("揭榜成功"), "{}", w.body);
}

#[tokio::test]
async fn a_closed_review_reopens_and_the_not_chosen_apply_again() {
    let app = TestApp::new().await;
    let (mut owner, mut applicant) = app.two_members("owner", "applicant").await;
    let challenge = post_challenge(&mut owner, "钠电池正极揭榜", "50万", -3, 20).await;
    let id: i64 = challenge.rsplit('/').next().unwrap().parse().unwrap();
    let proposal = [
        ("solution", "层状氧化物正极，表面包覆"),
        ("team", "李教授团队 5 人"),
        ("budget_yuan", "40万"),
        ("timeline", "第 9 个月样品"),
    ];
    let action = format!("/challenges/{id}/apply");
    let sent = applicant.submit(&challenge, &action, &proposal).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // Open: the review offers to close it, not to reopen it.
    let review = format!("/challenges/{id}/applications");
    let p = owner.get(&review).await;
    assert!(p.body.contains("id=\"conclude-form\""), "{}", p.body);
    assert!(!p.body.contains("id=\"reopen-form\""));
    let closed = owner
        .submit(
            &review,
            &format!("{review}/conclude"),
            &[("reason", "本轮方案均未达标")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let p = applicant.get(&challenge).await;
    assert!(!p.body.contains("id=\"apply-form\""), "{}", p.body);

    // Closed: the reopen form, with a date a month ahead; a bad date is said, naming it.
    let p = owner.get(&review).await;
    assert!(p.body.contains("id=\"reopen-form\""), "{}", p.body);
    assert!(
        p.body.contains(&day(30)),
        "the suggested window: {}",
        p.body
    );
    let reopen = format!("{review}/reopen");
    let bad = owner
        .submit(
            &review,
            &reopen,
            &[("apply_until", &day(-2)), ("deadline", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("id=\"review-error\""), "{}", bad.body);
    assert!(bad.body.contains("今天"), "{}", bad.body);
    let bad = owner
        .submit(
            &review,
            &reopen,
            &[("apply_until", "下个月"), ("deadline", "")],
        )
        .await;
    assert!(
        bad.body.contains("下个月"),
        "the value said back: {}",
        bad.body
    );
    // The applicant is no reviewer.
    let refused = applicant
        .submit(&challenge, &reopen, &[("apply_until", &day(30))])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let done = owner
        .submit(
            &review,
            &reopen,
            &[("apply_until", &day(30)), ("deadline", "")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(challenge.as_str()));
    // Open again: the applicant not chosen sees the form and applies with a new proposal.
    let p = applicant.get(&challenge).await;
    assert!(p.body.contains("id=\"apply-form\""), "{}", p.body);
    assert!(p.body.contains(&day(30)));
    let again = applicant.submit(&challenge, &action, &proposal).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let inbox = applicant.get("/inbox").await;
    assert!(inbox.body.contains("重新开放揭榜"), "{}", inbox.body);
}

#[tokio::test]
async fn the_board_filters_by_reward_window_and_district() {
    let app = TestApp::new().await;
    let org = app.certified_org(1, "甲").await;
    let mut b = app.user("owner", Role::Member, Some(org)).await;
    post_challenge(&mut b, "小额榜单", "10万", -3, 5).await;
    post_challenge(&mut b, "大额榜单", "500万", -3, 60).await;
    post_challenge(&mut b, "未开始榜单", "80万", 10, 40).await;
    let mut anon = app.browser();
    let p = anon.get("/challenges?reward_min=50万").await;
    assert!(p.body.contains("大额榜单") && p.body.contains("未开始榜单"));
    assert!(!p.body.contains("小额榜单"));
    let p = anon.get("/challenges?window=closing").await;
    assert!(p.body.contains("小额榜单"), "{}", p.body);
    assert!(!p.body.contains("大额榜单") && !p.body.contains("未开始榜单"));
    let p = anon.get("/challenges?window=open&district=闵行区").await;
    assert!(p.body.contains("小额榜单") && p.body.contains("大额榜单"));
    assert!(p.body.contains("共 2 条"), "{}", p.body);
    // The district is chosen from those the challenges name, with their counts; a district
    // none names (a followed link) stays chosen and matches nothing.
    let p = anon.get("/challenges").await;
    let select = section(&p.body, "<select name=\"district\"", "</select>");
    assert!(
        select.contains("<option value=\"闵行区\">闵行区（3）</option>"),
        "{select}"
    );
    let p = anon.get("/challenges?district=徐汇区").await;
    assert!(p.body.contains("共 0 条"));
    let select = section(&p.body, "<select name=\"district\"", "</select>");
    assert!(
        select.contains("<option value=\"徐汇区\" selected>徐汇区</option>"),
        "{select}"
    );
    let p = anon.get("/challenges?reward_min=lots").await;
    assert!(p.body.contains("role=\"alert\""), "a bad amount is said");
}
