//! 揭榜: an organisation's application to a challenge (揭榜挂帅), and its review.
//!
//! A challenge is a listing ([`crate::listing::Challenge`]); an application answers it with a
//! solution proposal (the approach, the team, the indicators the applicant commits to reach,
//! a budget and a timeline). The challenge's owner (or commission staff) scores each
//! application on the challenge's own criteria ([`criteria`]: one per indicator the challenge
//! states, then the feasibility of the approach, the team, and the budget and timeline),
//! shortlists, declines with a reason, and awards one or more. An award opens a deal; the
//! operations layer does that in the same transaction as the award.
//!
//! The rules live here so the API, the pages and the demo loader cannot drift apart: when an
//! organisation may apply ([`may_apply`]: the challenge is open and today is inside its
//! window, and the applicant is not its owner), and which state may follow which
//! ([`Application::apply`]):
//!
//! ```text
//! submitted ──shortlist──▶ shortlisted ──award──▶ awarded
//!     │  ╲                     │   ╲
//!     │   award ─────────────────────▶ awarded
//!     │                        │
//!     ├──decline(reason)───────┴──▶ declined
//!     ├──conclude(reason)──────────▶ not_chosen   (the owner closes the review)
//!     └──withdraw (applicant)──────▶ withdrawn
//! ```
//!
//! Awarded, declined, not chosen and withdrawn are final.
//!
//! An organisation has at most one application that holds its place on a challenge (pending
//! or awarded, [`ApplicationStatus::holds_place`]). After a withdrawal or a decline it may send
//! a new proposal while the window is open; when a closed review is reopened ([`reopen`]: the
//! challenge open again with a new window from today), so may every organisation not chosen.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid, Rule};
use crate::listing::{Challenge, Indicator, Status};

coded_enum! {
    /// Where an application stands.
    pub enum ApplicationStatus {
        /// 已提交: waiting for review.
        Submitted = ("submitted", "已提交", "Submitted"),
        /// 入围: on the shortlist.
        Shortlisted = ("shortlisted", "入围", "Shortlisted"),
        /// 未通过: declined by the reviewer, with a reason.
        Declined = ("declined", "未通过", "Declined"),
        /// 揭榜成功: awarded; a deal follows.
        Awarded = ("awarded", "揭榜成功", "Awarded"),
        /// 未入选: the review ended without choosing it, with a reason.
        NotChosen = ("not_chosen", "未入选", "Not chosen"),
        /// 已撤回: withdrawn by the applicant.
        Withdrawn = ("withdrawn", "已撤回", "Withdrawn"),
    }
}

impl ApplicationStatus {
    /// Whether it keeps its organisation from applying to the same challenge again: while it
    /// is pending, and once awarded.
    pub fn holds_place(self) -> bool {
        self.is_pending() || self == ApplicationStatus::Awarded
    }

    /// Whether the review may still change it (submitted or shortlisted).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Submitted | ApplicationStatus::Shortlisted
        )
    }
}

coded_enum! {
    /// What was done to an application, for its history.
    pub enum ApplicationActionKind {
        /// Submitted.
        Submit = ("submit", "提交", "Submit"),
        /// Scored.
        Score = ("score", "评分", "Score"),
        /// Shortlisted.
        Shortlist = ("shortlist", "入围", "Shortlist"),
        /// Declined.
        Decline = ("decline", "不通过", "Decline"),
        /// Awarded.
        Award = ("award", "确定揭榜方", "Award"),
        /// Not chosen when the review closed.
        Conclude = ("conclude", "评审结束", "Close the review"),
        /// Withdrawn.
        Withdraw = ("withdraw", "撤回", "Withdraw"),
    }
}

/// The most a criterion scores.
pub const MAX_POINTS: u8 = 10;

/// One criterion a challenge's applications are scored on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Criterion {
    /// Its name, which a score names it by (the indicator's name, or a fixed criterion's
    /// Chinese name).
    pub name: String,
    /// What it asks, in English.
    pub name_en: String,
}

/// The criteria fixed for every challenge, after its indicators: (Chinese, English).
const FIXED_CRITERIA: [(&str, &str); 3] = [
    ("技术路线可行性", "Feasibility of the approach"),
    ("团队与条件", "Team and facilities"),
    ("预算与进度", "Budget and timeline"),
];

/// The criteria a challenge's applications are scored on: one per indicator it states (a
/// challenge always states at least one; the indicator is the challenge's own measure of
/// success), then the feasibility of the approach, the team, and the budget and timeline.
/// An indicator sharing a fixed criterion's name is counted once.
pub fn criteria(challenge: &Challenge) -> Vec<Criterion> {
    let mut out: Vec<Criterion> = Vec::new();
    for i in &challenge.indicators {
        let name = i.name.trim().to_string();
        if name.is_empty() || out.iter().any(|c| c.name == name) {
            continue;
        }
        let target = match (i.target, &i.unit) {
            (Some(t), Some(u)) => format!(" (target {t} {u})"),
            (Some(t), None) => format!(" (target {t})"),
            _ => String::new(),
        };
        out.push(Criterion {
            name_en: format!("Indicator {name}{target}"),
            name,
        });
    }
    for (zh, en) in FIXED_CRITERIA {
        if !out.iter().any(|c| c.name == zh) {
            out.push(Criterion {
                name: zh.to_string(),
                name_en: en.to_string(),
            });
        }
    }
    out
}

/// Whether an organisation may apply to `challenge` (owned by `owner_org_id`) on `today`:
/// the challenge is open, today is inside its window, and the applicant is not its owner.
/// The errors name the challenge's field at fault (`status`, `apply_from`, `apply_until`) or
/// `applicant_org_id`.
pub fn may_apply(
    challenge: &Challenge,
    owner_org_id: Option<i64>,
    applicant_org_id: i64,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut c = Checker::default();
    c.ensure(
        owner_org_id != Some(applicant_org_id),
        "applicant_org_id",
        || Rule::OwnChallenge,
    );
    c.ensure(challenge.status == Status::Open, "status", || {
        Rule::NotOneOf {
            found: challenge.status.as_str().to_string(),
            allowed: vec![Status::Open.as_str().to_string()],
        }
    });
    let window = || Rule::OutsideWindow {
        from: challenge.apply_from.to_string(),
        until: challenge.apply_until.to_string(),
        today: today.to_string(),
    };
    c.ensure(today >= challenge.apply_from, "apply_from", window);
    c.ensure(today <= challenge.apply_until, "apply_until", window);
    c.finish()
}

/// The challenge reopened for a new round of applications on `today`: open again, taking
/// applications from today (or its later start) until `apply_until`, with `deadline` for the
/// deliverables if given (the old one otherwise), and shown at least until the window closes.
/// Only a challenge whose review is under way or over (评审中, 已揭榜, 已关闭) is reopened; the
/// errors name `status`, `apply_until` (before today) or `deadline` (before `apply_until`).
pub fn reopen(
    challenge: &Challenge,
    apply_until: NaiveDate,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Challenge, Invalid> {
    let mut c = Checker::default();
    let reopenable = [Status::UnderReview, Status::Awarded, Status::Closed];
    c.ensure(reopenable.contains(&challenge.status), "status", || {
        Rule::NotOneOf {
            found: challenge.status.as_str().to_string(),
            allowed: reopenable.iter().map(|s| s.as_str().to_string()).collect(),
        }
    });
    c.ensure(apply_until >= today, "apply_until", || Rule::Before {
        other: "today".into(),
        found: apply_until.to_string(),
        limit: today.to_string(),
    });
    let mut next = challenge.clone();
    next.status = Status::Open;
    next.apply_from = next.apply_from.max(today);
    next.apply_until = apply_until;
    if deadline.is_some() {
        next.deadline = deadline;
    }
    if let Some(d) = next.deadline {
        c.ensure(d >= apply_until, "deadline", || Rule::Before {
            other: "apply_until".into(),
            found: d.to_string(),
            limit: apply_until.to_string(),
        });
    }
    if next.expires_on.is_some_and(|e| e < apply_until) {
        next.expires_on = Some(apply_until);
    }
    c.finish()?;
    Ok(next)
}

/// A solution proposal: what the applicant offers to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// The solution: the approach and why it reaches the indicators.
    pub solution: String,
    /// The team: who leads it, who works on it, the facilities they bring.
    pub team: String,
    /// The indicators the applicant commits to reach (name, value, unit).
    #[serde(default)]
    pub commitments: Vec<Indicator>,
    /// The budget asked for, yuan.
    pub budget_yuan: i64,
    /// The timeline: milestones and dates.
    pub timeline: String,
}

impl Proposal {
    /// Normalises the texts and checks every field, naming each one at fault.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        for t in [&mut self.solution, &mut self.team, &mut self.timeline] {
            *t = t.trim().to_string();
        }
        c.text("solution", &self.solution, 20_000);
        c.text("team", &self.team, 5_000);
        c.text("timeline", &self.timeline, 5_000);
        c.ensure(self.budget_yuan >= 0, "budget_yuan", || Rule::Negative {
            found: self.budget_yuan as f64,
        });
        c.ensure(self.budget_yuan <= 100_000_000_000, "budget_yuan", || {
            Rule::OutOfRange {
                min: 0,
                max: 100_000_000_000,
                found: self.budget_yuan as f64,
            }
        });
        self.commitments.retain(|i| {
            !(i.name.trim().is_empty()
                && i.target.is_none()
                && i.unit.is_none()
                && i.note.is_none())
        });
        c.ensure(self.commitments.len() <= 30, "commitments", || {
            Rule::TooMany {
                max: 30,
                found: self.commitments.len(),
            }
        });
        for (n, i) in self.commitments.iter_mut().enumerate() {
            i.name = i.name.trim().to_string();
            c.text(&format!("commitments[{n}].name"), &i.name, 100);
            if let Some(t) = i.target {
                c.ensure(t.is_finite(), &format!("commitments[{n}].target"), || {
                    Rule::NotFinite
                });
            }
            if let Some(u) = &i.unit {
                c.max_len(&format!("commitments[{n}].unit"), u, 40);
            }
            if let Some(note) = &i.note {
                c.max_len(&format!("commitments[{n}].note"), note, 500);
            }
        }
        c.finish()
    }
}

/// One criterion's score, with the reviewer's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// The criterion's name (see [`criteria`]).
    pub criterion: String,
    /// 0 to [`MAX_POINTS`].
    pub points: u8,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An application to a challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The challenge (a listing of kind challenge).
    pub listing_id: i64,
    /// The applying organisation.
    pub applicant_org_id: i64,
    /// The challenge's owner when the application was made (who reviews it, with staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_org_id: Option<i64>,
    /// What it proposes.
    pub proposal: Proposal,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The reviewer's scores, one per criterion (empty until scored).
    #[serde(default)]
    pub scores: Vec<Score>,
    /// The reviewer's overall comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_comment: Option<String>,
    /// Why it was declined or not chosen: shown to the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deal its award opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<i64>,
}

/// A change to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ApplicationAction {
    /// Scores every criterion (a pending application; scoring again replaces the scores).
    Score {
        /// One score per criterion.
        scores: Vec<Score>,
        /// An overall comment.
        #[serde(default)]
        comment: Option<String>,
    },
    /// Puts a submitted application on the shortlist.
    Shortlist,
    /// Declines a pending application; the reason is shown to the applicant.
    Decline {
        /// Why.
        reason: String,
    },
    /// Awards a scored pending application.
    Award,
    /// Closes the review for an application still pending: not chosen, with the reason.
    Conclude {
        /// Why.
        reason: String,
    },
    /// The applicant withdraws a pending application.
    Withdraw,
}

impl ApplicationAction {
    /// The kind of action, for the history.
    pub fn kind(&self) -> ApplicationActionKind {
        match self {
            ApplicationAction::Score { .. } => ApplicationActionKind::Score,
            ApplicationAction::Shortlist => ApplicationActionKind::Shortlist,
            ApplicationAction::Decline { .. } => ApplicationActionKind::Decline,
            ApplicationAction::Award => ApplicationActionKind::Award,
            ApplicationAction::Conclude { .. } => ApplicationActionKind::Conclude,
            ApplicationAction::Withdraw => ApplicationActionKind::Withdraw,
        }
    }

    /// Whether the applicant takes it (the others are the reviewer's).
    pub fn by_applicant(&self) -> bool {
        matches!(self, ApplicationAction::Withdraw)
    }
}

/// One step of an application's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationEvent {
    /// Who.
    pub actor_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub action: ApplicationActionKind,
    /// The status before.
    pub from: ApplicationStatus,
    /// The status after.
    pub to: ApplicationStatus,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplicationError {
    /// The status does not allow it.
    #[error(
        "an application that is {} ({}) does not allow `{}` ({}): {why}",
        .status.label_en(), .status.label_zh(), .action.label_en(), .action.label_zh()
    )]
    NotAllowed {
        /// Its status.
        status: ApplicationStatus,
        /// What was tried.
        action: ApplicationActionKind,
        /// The rule.
        why: &'static str,
    },
    /// The action's data is wrong.
    #[error("{0}")]
    Invalid(#[from] Invalid),
}

fn reason_checked(c: &mut Checker, reason: &str) -> String {
    let r = reason.trim().to_string();
    c.text("reason", &r, 2_000);
    r
}

impl Application {
    /// A new application to `listing_id` (owned by `owner_org_id`) from `applicant_org_id`,
    /// with the proposal checked; the event for its history.
    pub fn submit(
        listing_id: i64,
        owner_org_id: Option<i64>,
        applicant_org_id: i64,
        mut proposal: Proposal,
        actor_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(Application, ApplicationEvent), Invalid> {
        proposal.validate()?;
        let app = Application {
            listing_id,
            applicant_org_id,
            owner_org_id,
            proposal,
            status: ApplicationStatus::Submitted,
            scores: Vec::new(),
            review_comment: None,
            reason: None,
            deal_id: None,
        };
        let event = ApplicationEvent {
            actor_id,
            at,
            action: ApplicationActionKind::Submit,
            from: ApplicationStatus::Submitted,
            to: ApplicationStatus::Submitted,
        };
        Ok((app, event))
    }

    /// The sum of the scores and the most they could be, if scored.
    pub fn total(&self) -> Option<(u32, u32)> {
        (!self.scores.is_empty()).then(|| {
            (
                self.scores.iter().map(|s| u32::from(s.points)).sum(),
                self.scores.len() as u32 * u32::from(MAX_POINTS),
            )
        })
    }

    /// Applies `action` by `actor_id` at `at`, scored against `criteria` (the challenge's,
    /// see [`criteria`]): the changed application and the event for its history, or why not.
    /// Who may act (the applicant withdraws; the owner and staff review) is the operations'
    /// check; this is what the states allow.
    pub fn apply(
        &self,
        action: ApplicationAction,
        criteria: &[Criterion],
        actor_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(Application, ApplicationEvent), ApplicationError> {
        let kind = action.kind();
        let refuse = |why: &'static str| ApplicationError::NotAllowed {
            status: self.status,
            action: kind,
            why,
        };
        if !self.status.is_pending() {
            return Err(refuse(
                "awarded, declined, not chosen and withdrawn applications are final",
            ));
        }
        let mut next = self.clone();
        let mut c = Checker::default();
        match action {
            ApplicationAction::Score { scores, comment } => {
                next.scores = checked_scores(&mut c, scores, criteria);
                next.review_comment = comment
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                if let Some(s) = &next.review_comment {
                    c.max_len("comment", s, 5_000);
                }
            }
            ApplicationAction::Shortlist => {
                if self.status != ApplicationStatus::Submitted {
                    return Err(refuse("only a submitted application is shortlisted"));
                }
                next.status = ApplicationStatus::Shortlisted;
            }
            ApplicationAction::Decline { reason } => {
                next.reason = Some(reason_checked(&mut c, &reason));
                next.status = ApplicationStatus::Declined;
            }
            ApplicationAction::Conclude { reason } => {
                next.reason = Some(reason_checked(&mut c, &reason));
                next.status = ApplicationStatus::NotChosen;
            }
            ApplicationAction::Award => {
                c.ensure(!self.scores.is_empty(), "scores", || Rule::Required);
                next.status = ApplicationStatus::Awarded;
            }
            ApplicationAction::Withdraw => next.status = ApplicationStatus::Withdrawn,
        }
        c.finish()?;
        let event = ApplicationEvent {
            actor_id,
            at,
            action: kind,
            from: self.status,
            to: next.status,
        };
        Ok((next, event))
    }
}

/// The scores in the criteria's order, one per criterion, each in range; every problem named
/// (`scores[i].criterion`, `scores[i].points`, `scores.<criterion>` for a missing one).
fn checked_scores(c: &mut Checker, scores: Vec<Score>, criteria: &[Criterion]) -> Vec<Score> {
    let allowed: Vec<String> = criteria.iter().map(|k| k.name.clone()).collect();
    for (i, s) in scores.iter().enumerate() {
        let name = s.criterion.trim();
        if !allowed.iter().any(|a| a == name) {
            c.fail(
                format!("scores[{i}].criterion"),
                Rule::NotOneOf {
                    found: name.to_string(),
                    allowed: allowed.clone(),
                },
            );
        } else if scores[..i].iter().any(|p| p.criterion.trim() == name) {
            c.fail(
                format!("scores[{i}].criterion"),
                Rule::TooMany { max: 1, found: 2 },
            );
        }
        c.ensure(
            s.points <= MAX_POINTS,
            &format!("scores[{i}].points"),
            || Rule::OutOfRange {
                min: 0,
                max: i64::from(MAX_POINTS),
                found: f64::from(s.points),
            },
        );
        if let Some(m) = &s.comment {
            c.max_len(&format!("scores[{i}].comment"), m, 2_000);
        }
    }
    let mut out = Vec::new();
    for k in criteria {
        match scores.iter().find(|s| s.criterion.trim() == k.name) {
            Some(s) => out.push(Score {
                criterion: k.name.clone(),
                points: s.points,
                comment: s
                    .comment
                    .as_ref()
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty()),
            }),
            None => c.fail(format!("scores.{}", k.name), Rule::Required),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{Kind, Listing};
    use serde_json::json;

    fn challenge() -> Challenge {
        let l = Listing::from_fields(
            Kind::Challenge,
            json!({
                "title": "固态电解质", "description": "d",
                "indicators": [
                    {"name": "能量密度", "target": 300.0, "unit": "Wh/kg"},
                    {"name": "循环寿命", "target": 2000.0, "unit": "次"}
                ],
                "reward_yuan": 1_000_000,
                "apply_from": "2026-01-01", "apply_until": "2026-03-31"
            }),
        )
        .unwrap();
        let Listing::Challenge(c) = l else {
            unreachable!()
        };
        c
    }

    fn proposal() -> Proposal {
        Proposal {
            solution: " 硫化物路线 ".into(),
            team: "张教授团队".into(),
            commitments: vec![Indicator {
                name: "能量密度".into(),
                target: Some(320.0),
                unit: Some("Wh/kg".into()),
                note: None,
            }],
            budget_yuan: 800_000,
            timeline: "12 个月".into(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn submitted() -> Application {
        Application::submit(7, Some(1), 2, proposal(), 9, Utc::now())
            .unwrap()
            .0
    }

    fn all_scores(points: u8) -> Vec<Score> {
        criteria(&challenge())
            .into_iter()
            .map(|k| Score {
                criterion: k.name,
                points,
                comment: Some(" 好 ".into()),
            })
            .collect()
    }

    #[test]
    fn criteria_are_the_indicators_then_the_fixed_three() {
        let names: Vec<String> = criteria(&challenge()).into_iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "能量密度",
                "循环寿命",
                "技术路线可行性",
                "团队与条件",
                "预算与进度"
            ]
        );
        assert_eq!(
            criteria(&challenge())[0].name_en,
            "Indicator 能量密度 (target 300 Wh/kg)"
        );
    }

    #[test]
    fn applying_is_allowed_only_inside_the_window_of_an_open_challenge() {
        let ch = challenge();
        assert!(may_apply(&ch, Some(1), 2, day("2026-01-01")).is_ok());
        assert!(may_apply(&ch, Some(1), 2, day("2026-03-31")).is_ok());
        let Invalid(early) = may_apply(&ch, Some(1), 2, day("2025-12-31")).unwrap_err();
        assert_eq!(early[0].field, "apply_from");
        assert_eq!(
            early[0].rule,
            Rule::OutsideWindow {
                from: "2026-01-01".into(),
                until: "2026-03-31".into(),
                today: "2025-12-31".into()
            }
        );
        let Invalid(late) = may_apply(&ch, Some(1), 2, day("2026-04-01")).unwrap_err();
        assert_eq!(late[0].field, "apply_until");
        let mut closed = ch.clone();
        closed.status = Status::UnderReview;
        let Invalid(e) = may_apply(&closed, Some(1), 2, day("2026-02-01")).unwrap_err();
        assert_eq!(e[0].field, "status");
    }

    #[test]
    fn the_owner_cannot_apply_to_its_own_challenge() {
        let Invalid(e) = may_apply(&challenge(), Some(1), 1, day("2026-02-01")).unwrap_err();
        assert_eq!(e[0].field, "applicant_org_id");
        assert_eq!(e[0].rule, Rule::OwnChallenge);
    }

    #[test]
    fn a_proposal_names_every_broken_field() {
        let mut p = Proposal {
            solution: " ".into(),
            team: "t".into(),
            commitments: vec![Indicator {
                name: "".into(),
                target: Some(f64::NAN),
                unit: None,
                note: None,
            }],
            budget_yuan: -1,
            timeline: "".into(),
        };
        let Invalid(e) = p.validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "solution",
                "timeline",
                "budget_yuan",
                "commitments[0].name",
                "commitments[0].target"
            ]
        );
        let mut ok = proposal();
        ok.validate().unwrap();
        assert_eq!(ok.solution, "硫化物路线");
    }

    #[test]
    fn scores_cover_every_criterion_once_in_range() {
        let app = submitted();
        let ks = criteria(&challenge());
        let mut scores = all_scores(7);
        scores.reverse();
        let (scored, event) = app
            .apply(
                ApplicationAction::Score {
                    scores,
                    comment: Some("可行".into()),
                },
                &ks,
                3,
                Utc::now(),
            )
            .unwrap();
        assert_eq!(scored.scores[0].criterion, "能量密度");
        assert_eq!(scored.scores[0].comment.as_deref(), Some("好"));
        assert_eq!(scored.total(), Some((35, 50)));
        assert_eq!(event.action, ApplicationActionKind::Score);
        assert_eq!(scored.status, ApplicationStatus::Submitted);

        let mut bad = all_scores(11);
        bad.pop();
        bad.push(Score {
            criterion: "颜值".into(),
            points: 1,
            comment: None,
        });
        bad.push(bad[0].clone());
        let Err(ApplicationError::Invalid(Invalid(e))) = app.apply(
            ApplicationAction::Score {
                scores: bad,
                comment: None,
            },
            &ks,
            3,
            Utc::now(),
        ) else {
            panic!("bad scores accepted")
        };
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"scores[0].points"), "{fields:?}");
        assert!(fields.contains(&"scores[4].criterion"), "{fields:?}");
        assert!(fields.contains(&"scores[5].criterion"), "{fields:?}");
        assert!(fields.contains(&"scores.预算与进度"), "{fields:?}");
    }

    #[test]
    fn the_review_moves_through_its_states_and_ends() {
        let ks = criteria(&challenge());
        let app = submitted();
        // Not scored: no award.
        let Err(ApplicationError::Invalid(Invalid(e))) =
            app.apply(ApplicationAction::Award, &ks, 3, Utc::now())
        else {
            panic!("an unscored award was accepted")
        };
        assert_eq!(e[0].field, "scores");
        let (short, _) = app
            .apply(ApplicationAction::Shortlist, &ks, 3, Utc::now())
            .unwrap();
        assert_eq!(short.status, ApplicationStatus::Shortlisted);
        assert!(matches!(
            short.apply(ApplicationAction::Shortlist, &ks, 3, Utc::now()),
            Err(ApplicationError::NotAllowed { .. })
        ));
        let (scored, _) = short
            .apply(
                ApplicationAction::Score {
                    scores: all_scores(9),
                    comment: None,
                },
                &ks,
                3,
                Utc::now(),
            )
            .unwrap();
        let (won, ev) = scored
            .apply(ApplicationAction::Award, &ks, 3, Utc::now())
            .unwrap();
        assert_eq!(won.status, ApplicationStatus::Awarded);
        assert_eq!(
            (ev.from, ev.to),
            (ApplicationStatus::Shortlisted, ApplicationStatus::Awarded)
        );
        // Final: nothing moves it again.
        for a in [
            ApplicationAction::Withdraw,
            ApplicationAction::Decline { reason: "x".into() },
        ] {
            assert!(matches!(
                won.apply(a, &ks, 3, Utc::now()),
                Err(ApplicationError::NotAllowed { .. })
            ));
        }
    }

    #[test]
    fn a_decline_or_a_conclusion_needs_a_reason_the_applicant_sees() {
        let ks = criteria(&challenge());
        let app = submitted();
        let Err(ApplicationError::Invalid(Invalid(e))) = app.apply(
            ApplicationAction::Decline {
                reason: "  ".into(),
            },
            &ks,
            3,
            Utc::now(),
        ) else {
            panic!("a blank reason was accepted")
        };
        assert_eq!((e[0].field.as_str(), &e[0].rule), ("reason", &Rule::Blank));
        let (no, _) = app
            .apply(
                ApplicationAction::Conclude {
                    reason: " 指标承诺低于榜单要求 ".into(),
                },
                &ks,
                3,
                Utc::now(),
            )
            .unwrap();
        assert_eq!(no.status, ApplicationStatus::NotChosen);
        assert_eq!(no.reason.as_deref(), Some("指标承诺低于榜单要求"));
        let (gone, _) = app
            .apply(ApplicationAction::Withdraw, &ks, 2, Utc::now())
            .unwrap();
        assert_eq!(gone.status, ApplicationStatus::Withdrawn);
    }

    #[test]
    fn an_application_round_trips_through_json() {
        let app = submitted();
        let v = serde_json::to_value(&app).unwrap();
        assert_eq!(v["status"], "submitted");
        assert_eq!(serde_json::from_value::<Application>(v).unwrap(), app);
    }

    #[test]
    fn only_a_pending_or_awarded_application_holds_its_place() {
        let holding: Vec<_> = ApplicationStatus::ALL
            .iter()
            .filter(|s| s.holds_place())
            .collect();
        assert_eq!(
            holding,
            [
                &ApplicationStatus::Submitted,
                &ApplicationStatus::Shortlisted,
                &ApplicationStatus::Awarded
            ]
        );
    }

    #[test]
    fn a_closed_review_reopens_with_a_new_window_from_today() {
        let mut c = challenge();
        c.status = Status::Closed;
        c.deadline = Some(day("2026-06-30"));
        c.expires_on = Some(day("2026-04-30"));
        let today = day("2026-12-07");
        let next = reopen(&c, day("2027-01-31"), Some(day("2027-06-30")), today).unwrap();
        assert_eq!(next.status, Status::Open);
        assert_eq!(
            (next.apply_from, next.apply_until),
            (today, day("2027-01-31"))
        );
        assert_eq!(next.deadline, Some(day("2027-06-30")));
        assert_eq!(
            next.expires_on,
            Some(day("2027-01-31")),
            "shown while it takes applications"
        );
        assert!(may_apply(&next, Some(1), 2, today).is_ok());
        // An awarded challenge reopens too (a second winner); the old deadline stays if none given
        // and is checked against the new window.
        c.status = Status::Awarded;
        let Err(Invalid(e)) = reopen(&c, day("2027-01-31"), None, today) else {
            panic!("a deadline before the new window's end was accepted")
        };
        assert_eq!(e[0].field, "deadline");
        c.deadline = None;
        assert!(reopen(&c, day("2027-01-31"), None, today).is_ok());
    }

    #[test]
    fn reopening_names_the_field_at_fault() {
        let today = day("2026-12-07");
        let open = challenge();
        let Err(Invalid(e)) = reopen(&open, day("2027-01-31"), None, today) else {
            panic!("an open challenge was reopened")
        };
        assert_eq!(e[0].field, "status");
        let mut closed = challenge();
        closed.status = Status::Closed;
        let Err(Invalid(e)) = reopen(&closed, day("2026-12-06"), None, today) else {
            panic!("a window ending yesterday was accepted")
        };
        assert_eq!(e[0].field, "apply_until");
        assert!(e[0].zh().contains("今天"), "{}", e[0].zh());
    }
}
