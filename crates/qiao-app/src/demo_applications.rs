//! Demo applications to a challenge (揭榜), so the review page of the demo commission's
//! solid-electrolyte challenge is not empty on the first start: two universities apply, one is
//! scored and shortlisted. The demo `staff` account reviews it (the challenge is the
//! government's); the demo enterprise's own challenge is left without applications for people
//! to try applying themselves.

use std::sync::Arc;

use chrono::Utc;
use qiao_domain::application::{self, ApplicationAction};
use qiao_domain::{Application, Listing, Proposal, Score};
use qiao_store::{ApplicationChange, ListingFilter, Page, Store};

use crate::error::AppResult;

/// The challenge the demo applications answer (by title, as `demo/records.jsonl` writes it).
const CHALLENGE: &str = "闵行区揭榜挂帅：高离子电导率固态电解质";

/// (applicant's 统一社会信用代码, solution, team, budget in yuan, timeline)
const APPLICANTS: [(&str, &str, &str, i64, &str); 2] = [
    (
        "12310112QD0000009R",
        "硫化物电解质（Li6PS5Cl）干法成膜路线：球磨合成后热压致密化，表面包覆抑制与正极界面副反应；已有 50 g 级样品，室温离子电导率实测 2.1 mS/cm。",
        "申江理工大学材料学院固态电池课题组，负责人 1 名、副教授 2 名、博士后 3 名；有手套箱线和 10 L 球磨中试设备。",
        4_200_000,
        "第 3 个月公斤级合成；第 6 个月区内中试线选址；第 12 个月与区内电池企业完成 10 Ah 电芯验证。",
    ),
    (
        "12310113QD0000015W",
        "卤化物电解质（Li3InCl6 体系）湿法合成路线，空气稳定性好，适合与高电压正极匹配；电化学窗口实测 4.8 V。",
        "宝澄新材料研究院电化学材料中心，研究员 2 名、工程师 4 名；有 100 L 反应釜。",
        3_600_000,
        "第 4 个月百克级样品；第 9 个月中试工艺包；第 15 个月电芯验证。",
    ),
];

/// Submits the demo applications and scores the first; how many were made.
pub async fn load(store: &Arc<dyn Store>, staff_id: i64) -> AppResult<usize> {
    let challenges = store
        .list_listings(
            &ListingFilter {
                kind: Some(qiao_domain::Kind::Challenge),
                ..Default::default()
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await?
        .items;
    let Some(challenge) = challenges
        .into_iter()
        .find(|r| r.listing.title() == CHALLENGE)
    else {
        return Ok(0);
    };
    let Listing::Challenge(c) = &challenge.listing else {
        return Ok(0);
    };
    let criteria = application::criteria(c);
    let mut made = 0;
    for (n, (code, solution, team, budget, timeline)) in APPLICANTS.into_iter().enumerate() {
        let Some(org) = store.org_by_credit_code(code).await? else {
            continue;
        };
        let proposal = Proposal {
            solution: solution.into(),
            team: team.into(),
            commitments: c.indicators.clone(),
            budget_yuan: budget,
            timeline: timeline.into(),
        };
        let (app, event) = Application::submit(
            challenge.id,
            challenge.owner_org_id,
            org.id,
            proposal,
            staff_id,
            Utc::now(),
        )?;
        let record = store.create_application(&app, &event).await?;
        made += 1;
        if n == 0 {
            // The first is scored and shortlisted by the demo staff account.
            let scores = criteria
                .iter()
                .zip([9u8, 8, 8, 9, 7, 8, 8])
                .map(|(k, points)| Score {
                    criterion: k.name.clone(),
                    points,
                    comment: Some("样品数据可信，路线成熟".into()),
                })
                .collect();
            let writer = store.acting_as(staff_id);
            let mut current = record;
            for action in [
                ApplicationAction::Score {
                    scores,
                    comment: Some("建议入围，现场考察中试条件".into()),
                },
                ApplicationAction::Shortlist,
            ] {
                let (next, event) = current
                    .application
                    .apply(action, &criteria, staff_id, Utc::now())
                    .map_err(|e| crate::AppError::Conflict(e.to_string()))?;
                current = writer
                    .update_applications(
                        &[ApplicationChange {
                            id: current.id,
                            version: current.version,
                            application: next,
                            event,
                        }],
                        None,
                    )
                    .await?
                    .remove(0);
            }
        }
    }
    Ok(made)
}
