//! Deals: the technology manager's workbench, from a lead to a performed contract.
//!
//! A match or an accepted contact request is where Qiao's flows used to end; a [`Deal`] is
//! what a 技术经理人 makes of it: the listings and organisations involved, who brokers it (and
//! their share of the credit, which statistics by manager divide amounts by), the stage it has
//! reached (线索 → … → 完成), a status beside the stage (进行中, 暂停, 终止 with a reason, 成交)
//! and the next step with its due date. Every change is a [`DealAction`] applied by
//! [`Deal::apply`], which refuses what the rules forbid and returns the event the history
//! keeps, so the API, pages and the demo loader cannot drift apart.
//!
//! Two invariants hold for every deal `apply` returns (and [`Deal::validate`] checks them on
//! deals that arrive whole): a deal beyond 签约 has been won (登记, 履约 and 完成 follow a
//! signed contract), and a won deal is at 签约 or beyond. A terminated deal never changes again.
//! A deal's contract moves it too: [`Deal::follow_contract`] takes the steps a manager would when
//! the contract is submitted for registration (登记) and when it is registered (履约).
//!
//! [`forecast`] turns the open deals into expected 成交额: Σ stage probability × expected
//! amount, exactly, in 分.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::{MAX_AMOUNT_FEN, TechField};
use crate::invalid::{Checker, Invalid, Rule};

coded_enum! {
    /// How far a deal has come. The order is the pipeline's.
    pub enum DealStage {
        /// 线索: a match or a request worth following.
        Lead = ("lead", "线索", "Lead"),
        /// 对接洽谈: the parties are talking.
        Contact = ("contact", "对接洽谈", "Contact and talks"),
        /// 尽职调查/评估: the buyer examines the technology, the seller the buyer; valuation.
        DueDiligence = ("due_diligence", "尽职调查/评估", "Due diligence and valuation"),
        /// 商务谈判: price and terms.
        Negotiation = ("negotiation", "商务谈判", "Negotiation"),
        /// 签约: the contract is being signed.
        Signing = ("signing", "签约", "Signing"),
        /// 登记: the contract is being registered (认定登记).
        Registration = ("registration", "登记", "Registration"),
        /// 履约: the contract is being performed.
        Performance = ("performance", "履约", "Performance"),
        /// 完成: performed.
        Done = ("done", "完成", "Done"),
    }
}

coded_enum! {
    /// Why a deal was terminated.
    pub enum TerminationReason {
        /// 价格分歧
        PriceDisagreement = ("price_disagreement", "价格分歧", "Price disagreement"),
        /// 技术不成熟
        ImmatureTechnology = ("immature_technology", "技术不成熟", "Technology not mature"),
        /// 需求变化
        NeedsChanged = ("needs_changed", "需求变化", "Needs changed"),
        /// 一方退出
        PartyWithdrew = ("party_withdrew", "一方退出", "A party withdrew"),
        /// 其他: see the note.
        Other = ("other", "其他", "Other"),
    }
}

coded_enum! {
    /// A deal's status without its data, for filters and the history.
    pub enum StatusKind {
        /// 进行中
        Open = ("open", "进行中", "Open"),
        /// 暂停
        Paused = ("paused", "暂停", "Paused"),
        /// 终止
        Terminated = ("terminated", "终止", "Terminated"),
        /// 成交
        Won = ("won", "成交", "Won"),
    }
}

/// Where a deal stands, beside its stage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DealStatus {
    /// 进行中.
    #[default]
    Open,
    /// 暂停: on hold; the stage does not move until it resumes.
    Paused,
    /// 终止: given up, for good.
    Terminated {
        /// Why.
        reason: TerminationReason,
        /// More on why; required for [`TerminationReason::Other`].
        #[serde(default)]
        note: String,
    },
    /// 成交: the contract is signed.
    Won,
}

impl DealStatus {
    /// The status without its data.
    pub fn kind(&self) -> StatusKind {
        match self {
            DealStatus::Open => StatusKind::Open,
            DealStatus::Paused => StatusKind::Paused,
            DealStatus::Terminated { .. } => StatusKind::Terminated,
            DealStatus::Won => StatusKind::Won,
        }
    }
}

/// Where a deal came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Origin {
    /// An accepted contact request.
    ContactRequest {
        /// The request.
        contact_request_id: i64,
    },
    /// A match between two listings (an achievement and a demand, say).
    Match {
        /// The listing whose page showed the match.
        listing_id: i64,
        /// The listing matched to it.
        matched_listing_id: i64,
    },
    /// Entered by hand.
    ByHand,
    /// The award of an application to a challenge (揭榜).
    Challenge {
        /// The challenge.
        listing_id: i64,
        /// The awarded application.
        application_id: i64,
    },
}

/// A technology manager who brokers a deal, and their share of the credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerShare {
    /// The manager's account.
    pub account_id: i64,
    /// Their share in basis points (100 % = 10000); a deal's shares sum to exactly 10000.
    pub share_bp: u32,
}

/// 100 % in basis points.
pub const FULL_BP: u32 = 10_000;

impl ManagerShare {
    /// Equal shares for `account_ids`, exact: the basis points that do not divide evenly go
    /// one each to the first managers listed.
    pub fn split_evenly(account_ids: &[i64]) -> Vec<ManagerShare> {
        let n = account_ids.len() as u32;
        if n == 0 {
            return Vec::new();
        }
        let (each, rest) = (FULL_BP / n, FULL_BP % n);
        account_ids
            .iter()
            .enumerate()
            .map(|(i, &account_id)| ManagerShare {
                account_id,
                share_bp: each + u32::from((i as u32) < rest),
            })
            .collect()
    }
}

/// Divides `amount_fen` among managers by their shares, exactly: each gets the floor of their
/// share and the 分 left over go to the largest remainders (ties: the first listed), so the
/// parts always add up to the amount. Statistics by manager use it.
pub fn apportion(amount_fen: i64, shares: &[ManagerShare]) -> Vec<(i64, i64)> {
    let total: i128 = shares.iter().map(|s| i128::from(s.share_bp)).sum();
    if total == 0 {
        return Vec::new();
    }
    let amount = i128::from(amount_fen);
    let mut parts: Vec<(i64, i128, i128)> = shares
        .iter()
        .map(|s| {
            let exact = amount * i128::from(s.share_bp);
            (
                s.account_id,
                exact.div_euclid(total),
                exact.rem_euclid(total),
            )
        })
        .collect();
    let given: i128 = parts.iter().map(|p| p.1).sum();
    let mut left = amount - given;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| parts[b].2.cmp(&parts[a].2).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|(id, fen, _)| (id, fen as i64))
        .collect()
}

/// What to do next, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStep {
    /// What (安排双方技术负责人线上交流).
    pub text: String,
    /// By when.
    pub due_on: NaiveDate,
}

/// A deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// A short title (固态电池电解质专利转让 — 某新能源公司).
    pub title: String,
    /// The listings it concerns: an achievement with a demand, challenge or scenario, or one
    /// listing alone.
    pub listing_ids: Vec<i64>,
    /// The organisation selling the technology, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_org_id: Option<i64>,
    /// The organisation buying it, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_org_id: Option<i64>,
    /// The technology managers brokering it and their credit shares.
    #[serde(default)]
    pub managers: Vec<ManagerShare>,
    /// Where it came from.
    pub origin: Origin,
    /// How far it has come.
    #[serde(default = "first_stage")]
    pub stage: DealStage,
    /// Where it stands.
    #[serde(default)]
    pub status: DealStatus,
    /// What to do next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<NextStep>,
    /// The expected 成交额 in 分.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_amount_fen: Option<i64>,
    /// When the contract is expected to be signed: the year a forecast counts it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close_on: Option<NaiveDate>,
    /// The district the deal counts for (the seller's, as 输出 is counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// The registry's technology field, for filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<TechField>,
}

fn first_stage() -> DealStage {
    DealStage::Lead
}

/// A change to a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DealAction {
    /// Moves an open deal to another stage up to 签约 (back too: talks can fall back), or a
    /// won deal forward from 签约 to 完成.
    MoveTo {
        /// The stage.
        stage: DealStage,
    },
    /// Puts an open deal on hold.
    Pause,
    /// Resumes a paused deal.
    Resume,
    /// Gives an open or paused deal up, for good.
    Terminate {
        /// Why.
        reason: TerminationReason,
        /// More on why; required for 其他.
        #[serde(default)]
        note: String,
    },
    /// 成交: the contract is signed; needs the stage 签约.
    Win,
    /// Sets or clears the next step.
    SetNextStep {
        /// The step, or none.
        #[serde(default)]
        next_step: Option<NextStep>,
    },
    /// Sets the expected amount and signing date.
    SetExpectation {
        /// In 分.
        #[serde(default)]
        amount_fen: Option<i64>,
        /// The expected signing date.
        #[serde(default)]
        close_on: Option<NaiveDate>,
    },
    /// Replaces the brokering managers and their shares.
    SetManagers {
        /// The managers; shares sum to 100 %.
        managers: Vec<ManagerShare>,
    },
}

coded_enum! {
    /// A [`DealAction`] without its data.
    pub enum DealActionKind {
        /// 创建: the deal was opened (the first event of every history).
        Open = ("open", "创建", "open"),
        /// 推进/调整阶段
        MoveTo = ("move_to", "调整阶段", "move to stage"),
        /// 暂停
        Pause = ("pause", "暂停", "pause"),
        /// 恢复
        Resume = ("resume", "恢复", "resume"),
        /// 终止
        Terminate = ("terminate", "终止", "terminate"),
        /// 成交
        Win = ("win", "成交", "win"),
        /// 设置下一步
        SetNextStep = ("set_next_step", "设置下一步", "set next step"),
        /// 设置预期
        SetExpectation = ("set_expectation", "设置预期金额", "set expectation"),
        /// 设置经理人
        SetManagers = ("set_managers", "设置技术经理人", "set managers"),
    }
}

impl DealAction {
    /// The action without its data.
    pub fn kind(&self) -> DealActionKind {
        match self {
            DealAction::MoveTo { .. } => DealActionKind::MoveTo,
            DealAction::Pause => DealActionKind::Pause,
            DealAction::Resume => DealActionKind::Resume,
            DealAction::Terminate { .. } => DealActionKind::Terminate,
            DealAction::Win => DealActionKind::Win,
            DealAction::SetNextStep { .. } => DealActionKind::SetNextStep,
            DealAction::SetExpectation { .. } => DealActionKind::SetExpectation,
            DealAction::SetManagers { .. } => DealActionKind::SetManagers,
        }
    }
}

/// One change in a deal's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealEvent {
    /// Who made it.
    pub actor_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub action: DealActionKind,
    /// The stage before.
    pub from_stage: DealStage,
    /// The stage after.
    pub to_stage: DealStage,
    /// The status before.
    pub from_status: StatusKind,
    /// The status after.
    pub to_status: StatusKind,
    /// The note given with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DealError {
    /// The deal's stage or status does not allow it.
    #[error(
        "a deal at {} ({}) that is {} ({}) does not allow the action `{}` ({}): {why}",
        .stage.label_en(), .stage.label_zh(), .status.label_en(), .status.label_zh(),
        .action.label_en(), .action.label_zh()
    )]
    NotAllowed {
        /// The stage.
        stage: DealStage,
        /// The status.
        status: StatusKind,
        /// What was tried.
        action: DealActionKind,
        /// What the rule is.
        why: &'static str,
    },
    /// The action's data is wrong.
    #[error("{0}")]
    Invalid(#[from] Invalid),
}

impl Deal {
    /// Whether the next step is past its due date on `today` (a deal that no longer moves
    /// has nothing overdue).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        let moving =
            !matches!(self.status, DealStatus::Terminated { .. }) && self.stage != DealStage::Done;
        moving && self.next_step.as_ref().is_some_and(|s| s.due_on < today)
    }

    /// Normalises and checks a deal as created or imported whole.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.title = self.title.trim().to_string();
        c.text("title", &self.title, 200);
        let n = self.listing_ids.len();
        if n < 1 {
            c.fail("listing_ids", Rule::TooFew { min: 1, found: n });
        } else if n > 20 {
            c.fail("listing_ids", Rule::TooMany { max: 20, found: n });
        }
        check_managers(&mut c, &self.managers);
        if let Some(step) = self.next_step.as_mut() {
            check_next_step(&mut c, step);
        }
        check_amount(&mut c, self.expected_amount_fen);
        if let Some(d) = self.district.as_mut() {
            *d = d.trim().to_string();
            c.text("district", d, 50);
        }
        if let (Some(s), Some(b)) = (self.seller_org_id, self.buyer_org_id) {
            c.ensure(s != b, "buyer_org_id", || Rule::BuyerIsSeller);
        }
        let won = self.status == DealStatus::Won;
        c.ensure(won || self.stage <= DealStage::Signing, "stage", || {
            Rule::StageNeedsWon {
                stage: self.stage.as_str().into(),
            }
        });
        c.ensure(!won || self.stage >= DealStage::Signing, "status", || {
            Rule::WonBeforeSigning {
                stage: self.stage.as_str().into(),
            }
        });
        if let DealStatus::Terminated { reason, note } = &mut self.status {
            *note = note.trim().to_string();
            check_termination(&mut c, *reason, note);
        }
        c.finish()
    }

    /// The first event of a new deal's history: opened by `actor_id` at `at`, at the deal's
    /// stage and status.
    pub fn opened(&self, actor_id: i64, at: DateTime<Utc>, note: Option<String>) -> DealEvent {
        DealEvent {
            actor_id,
            at,
            action: DealActionKind::Open,
            from_stage: self.stage,
            to_stage: self.stage,
            from_status: self.status.kind(),
            to_status: self.status.kind(),
            note: note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        }
    }

    /// Applies `action` by `actor_id` at `at`: the changed deal and the event for its history,
    /// or why not. `note` is kept with the event.
    pub fn apply(
        &self,
        action: DealAction,
        actor_id: i64,
        at: DateTime<Utc>,
        note: Option<String>,
    ) -> Result<(Deal, DealEvent), DealError> {
        let kind = action.kind();
        let refuse = |why: &'static str| DealError::NotAllowed {
            stage: self.stage,
            status: self.status.kind(),
            action: kind,
            why,
        };
        if let DealStatus::Terminated { .. } = self.status {
            return Err(refuse("a terminated deal does not change"));
        }
        let mut note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let mut c = Checker::default();
        if let Some(n) = &note {
            c.max_len("note", n, 2000);
        }
        let mut next = self.clone();
        match action {
            DealAction::MoveTo { stage } => {
                match self.status {
                    DealStatus::Paused => return Err(refuse("resume the deal first")),
                    DealStatus::Open if stage > DealStage::Signing => {
                        return Err(refuse("stages after 签约 need the deal won (成交) first"));
                    }
                    DealStatus::Won if stage <= self.stage => {
                        return Err(refuse("a won deal only moves forward"));
                    }
                    _ => {}
                }
                if stage == self.stage {
                    return Err(refuse("the deal is at that stage already"));
                }
                next.stage = stage;
            }
            DealAction::Pause => {
                if self.status != DealStatus::Open {
                    return Err(refuse("only an open deal can be paused"));
                }
                next.status = DealStatus::Paused;
            }
            DealAction::Resume => {
                if self.status != DealStatus::Paused {
                    return Err(refuse("only a paused deal can resume"));
                }
                next.status = DealStatus::Open;
            }
            DealAction::Terminate { reason, note: why } => {
                if self.status == DealStatus::Won {
                    return Err(refuse("a won deal is not terminated; its contract is"));
                }
                let why = why.trim().to_string();
                check_termination(&mut c, reason, &why);
                if note.is_none() && !why.is_empty() {
                    note = Some(why.clone());
                }
                next.status = DealStatus::Terminated { reason, note: why };
            }
            DealAction::Win => {
                if self.status != DealStatus::Open {
                    return Err(refuse("only an open deal can be won"));
                }
                if self.stage < DealStage::Signing {
                    return Err(refuse("a deal is won at 签约; move it there first"));
                }
                next.status = DealStatus::Won;
            }
            DealAction::SetNextStep { next_step } => {
                next.next_step = next_step.map(|mut s| {
                    check_next_step(&mut c, &mut s);
                    s
                });
            }
            DealAction::SetExpectation {
                amount_fen,
                close_on,
            } => {
                check_amount(&mut c, amount_fen);
                next.expected_amount_fen = amount_fen;
                next.expected_close_on = close_on;
            }
            DealAction::SetManagers { managers } => {
                check_managers(&mut c, &managers);
                next.managers = managers;
            }
        }
        c.finish()?;
        let event = DealEvent {
            actor_id,
            at,
            action: kind,
            from_stage: self.stage,
            to_stage: next.stage,
            from_status: self.status.kind(),
            to_status: next.status.kind(),
            note,
        };
        Ok((next, event))
    }

    /// Brings the deal to where its contract's `milestone` puts it, by the actions a manager
    /// would take: 登记 once the contract is submitted for registration, 履约 once it is
    /// registered. A deal still open is won on the way (a contract filed was signed): moved to
    /// 签约 if it is before it, won, then moved on. The changed deal and one event per action,
    /// each carrying `note`; `None` when there is nothing to do: the deal is already there or
    /// beyond, paused (its managers decide when it moves again) or terminated.
    pub fn follow_contract(
        &self,
        milestone: ContractMilestone,
        actor_id: i64,
        at: DateTime<Utc>,
        note: &str,
    ) -> Option<(Deal, Vec<DealEvent>)> {
        let target = match milestone {
            ContractMilestone::Submitted => DealStage::Registration,
            ContractMilestone::Registered => DealStage::Performance,
        };
        if self.stage >= target || !matches!(self.status, DealStatus::Open | DealStatus::Won) {
            return None;
        }
        let mut actions = Vec::new();
        if self.status == DealStatus::Open {
            if self.stage != DealStage::Signing {
                actions.push(DealAction::MoveTo {
                    stage: DealStage::Signing,
                });
            }
            actions.push(DealAction::Win);
        }
        actions.push(DealAction::MoveTo { stage: target });
        let mut deal = self.clone();
        let mut events = Vec::with_capacity(actions.len());
        for action in actions {
            // Every step is one the rules allow from where the previous one left the deal.
            let (next, event) = deal
                .apply(action, actor_id, at, Some(note.to_string()))
                .ok()?;
            deal = next;
            events.push(event);
        }
        Some((deal, events))
    }
}

/// What happened to a deal's contract at the registration point, as far as the deal's stage is
/// concerned ([`Deal::follow_contract`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractMilestone {
    /// The seller submitted it for registration (登记).
    Submitted,
    /// The registration point registered it: it is being performed (履约).
    Registered,
}

fn check_managers(c: &mut Checker, managers: &[ManagerShare]) {
    if managers.is_empty() {
        return;
    }
    c.ensure(managers.len() <= 10, "managers", || Rule::TooMany {
        max: 10,
        found: managers.len(),
    });
    let mut seen = HashSet::new();
    for (i, m) in managers.iter().enumerate() {
        c.ensure(
            (1..=FULL_BP).contains(&m.share_bp),
            &format!("managers[{i}].share_bp"),
            || Rule::OutOfRange {
                min: 1,
                max: i64::from(FULL_BP),
                found: f64::from(m.share_bp),
            },
        );
        c.ensure(
            seen.insert(m.account_id),
            &format!("managers[{i}].account_id"),
            || Rule::DuplicateManager {
                account_id: m.account_id,
            },
        );
    }
    let sum: u64 = managers.iter().map(|m| u64::from(m.share_bp)).sum();
    c.ensure(sum == u64::from(FULL_BP), "managers", || Rule::ShareTotal {
        found: sum,
    });
}

fn check_next_step(c: &mut Checker, step: &mut NextStep) {
    step.text = step.text.trim().to_string();
    c.text("next_step.text", &step.text, 200);
}

fn check_amount(c: &mut Checker, amount_fen: Option<i64>) {
    if let Some(a) = amount_fen {
        c.ensure(
            (0..=MAX_AMOUNT_FEN).contains(&a),
            "expected_amount_fen",
            || Rule::OutOfRange {
                min: 0,
                max: MAX_AMOUNT_FEN,
                found: a as f64,
            },
        );
    }
}

fn check_termination(c: &mut Checker, reason: TerminationReason, note: &str) {
    c.max_len("status.note", note, 2000);
    c.ensure(
        reason != TerminationReason::Other || !note.is_empty(),
        "status.note",
        || Rule::ExplainOther,
    );
}

/// The chance, per stage, that an open deal ends in a contract, in basis points: settings
/// staff may change. Defaults: 线索 5 %, 对接洽谈 10 %, 尽职调查/评估 20 %, 商务谈判 40 %,
/// 签约 80 %, and 95 %, 100 %, 100 % for the stages after signing (which open deals do not
/// reach; they are here so the settings are complete and ordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageProbabilities {
    /// 线索.
    pub lead_bp: u32,
    /// 对接洽谈.
    pub contact_bp: u32,
    /// 尽职调查/评估.
    pub due_diligence_bp: u32,
    /// 商务谈判.
    pub negotiation_bp: u32,
    /// 签约.
    pub signing_bp: u32,
    /// 登记.
    pub registration_bp: u32,
    /// 履约.
    pub performance_bp: u32,
    /// 完成.
    pub done_bp: u32,
}

impl Default for StageProbabilities {
    fn default() -> Self {
        StageProbabilities {
            lead_bp: 500,
            contact_bp: 1_000,
            due_diligence_bp: 2_000,
            negotiation_bp: 4_000,
            signing_bp: 8_000,
            registration_bp: 9_500,
            performance_bp: 10_000,
            done_bp: 10_000,
        }
    }
}

impl StageProbabilities {
    /// The probability of `stage` in basis points.
    pub fn get(&self, stage: DealStage) -> u32 {
        match stage {
            DealStage::Lead => self.lead_bp,
            DealStage::Contact => self.contact_bp,
            DealStage::DueDiligence => self.due_diligence_bp,
            DealStage::Negotiation => self.negotiation_bp,
            DealStage::Signing => self.signing_bp,
            DealStage::Registration => self.registration_bp,
            DealStage::Performance => self.performance_bp,
            DealStage::Done => self.done_bp,
        }
    }

    /// Checks that each lies in 0..=10000 (0 to 100 %) and that none is below the one of an
    /// earlier stage: a deal further on is not less likely to close.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        let mut previous: Option<(DealStage, u32)> = None;
        for &stage in DealStage::ALL {
            let bp = self.get(stage);
            let field = format!("{}_bp", stage.as_str());
            c.ensure(bp <= FULL_BP, &field, || Rule::OutOfRange {
                min: 0,
                max: i64::from(FULL_BP),
                found: f64::from(bp),
            });
            if let Some((before, p)) = previous {
                c.ensure(bp >= p, &field, || Rule::Below {
                    other: format!("{}_bp", before.as_str()),
                    found: i64::from(bp),
                    limit: i64::from(p),
                });
            }
            previous = Some((stage, bp));
        }
        c.finish()
    }
}

/// Expected 成交额 of open deals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct Forecast {
    /// Σ probability × expected amount, in 分.
    pub expected_fen: i64,
    /// The open deals counted (those with an expected amount).
    pub deals: usize,
    /// Their expected amounts added up, unweighted, in 分.
    pub pipeline_fen: i64,
}

/// Expected 成交额 = Σ (stage probability × expected amount) over the open (进行中) deals
/// with an expected amount. Paused deals are left out until they resume; won deals are
/// counted by their contracts instead, and terminated ones not at all. The caller chooses
/// the deals (a district's, a year's by `expected_close_on`).
///
/// Exact: each product is in basis points × 分, summed in `i128`, and divided by 10000 once at
/// the end, rounding half up. Rounding once makes the result independent of the deals'
/// order; the forecasts of parts (districts) may therefore add up to the whole's ± 1 分 each.
pub fn forecast<'a>(
    deals: impl IntoIterator<Item = &'a Deal>,
    probabilities: &StageProbabilities,
) -> Forecast {
    let mut weighted: i128 = 0;
    let mut pipeline: i128 = 0;
    let mut n = 0;
    for deal in deals {
        if deal.status != DealStatus::Open {
            continue;
        }
        if let Some(amount) = deal.expected_amount_fen {
            weighted += i128::from(probabilities.get(deal.stage)) * i128::from(amount);
            pipeline += i128::from(amount);
            n += 1;
        }
    }
    let full = i128::from(FULL_BP);
    let expected = (weighted + full / 2).div_euclid(full);
    Forecast {
        expected_fen: i64::try_from(expected).unwrap_or(i64::MAX),
        deals: n,
        pipeline_fen: i64::try_from(pipeline).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at() -> DateTime<Utc> {
        "2026-06-01T02:00:00Z".parse().unwrap()
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn deal() -> Deal {
        serde_json::from_value(serde_json::json!({
            "title": "固态电池电解质专利转让",
            "listing_ids": [3, 8],
            "seller_org_id": 1,
            "buyer_org_id": 2,
            "managers": [{"account_id": 10, "share_bp": 6000}, {"account_id": 11, "share_bp": 4000}],
            "origin": {"kind": "contact_request", "contact_request_id": 5},
            "expected_amount_fen": 80_000_000,
            "district": "闵行区",
            "field": "new_energy"
        }))
        .unwrap()
    }

    fn step(d: &Deal, a: DealAction) -> Result<Deal, DealError> {
        d.apply(a, 10, at(), None).map(|(d, _)| d)
    }

    fn fields(d: &mut Deal) -> Vec<String> {
        d.validate()
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_new_deal_starts_as_an_open_lead() {
        let mut d = deal();
        assert_eq!(d.stage, DealStage::Lead);
        assert_eq!(d.status, DealStatus::Open);
        assert_eq!(fields(&mut d), Vec::<String>::new());
    }

    #[test]
    fn a_deal_is_carried_to_done() {
        let mut d = deal();
        for s in [
            DealStage::Contact,
            DealStage::DueDiligence,
            DealStage::Negotiation,
            DealStage::Signing,
        ] {
            d = step(&d, DealAction::MoveTo { stage: s }).unwrap();
        }
        d = step(&d, DealAction::Win).unwrap();
        for s in [
            DealStage::Registration,
            DealStage::Performance,
            DealStage::Done,
        ] {
            d = step(&d, DealAction::MoveTo { stage: s }).unwrap();
        }
        assert_eq!(
            (d.stage, d.status.kind()),
            (DealStage::Done, StatusKind::Won)
        );
        assert_eq!(fields(&mut d), Vec::<String>::new());
    }

    #[test]
    fn a_deal_follows_its_contract_to_registration_and_performance() {
        let (d, events) = deal()
            .follow_contract(ContractMilestone::Submitted, 99, at(), "合同 #7 已提交登记")
            .unwrap();
        assert_eq!(
            (d.stage, d.status.kind()),
            (DealStage::Registration, StatusKind::Won)
        );
        let steps: Vec<_> = events
            .iter()
            .map(|e| (e.action, e.to_stage, e.to_status, e.actor_id))
            .collect();
        assert_eq!(
            steps,
            vec![
                (
                    DealActionKind::MoveTo,
                    DealStage::Signing,
                    StatusKind::Open,
                    99
                ),
                (DealActionKind::Win, DealStage::Signing, StatusKind::Won, 99),
                (
                    DealActionKind::MoveTo,
                    DealStage::Registration,
                    StatusKind::Won,
                    99
                ),
            ]
        );
        assert!(
            events
                .iter()
                .all(|e| e.note.as_deref() == Some("合同 #7 已提交登记"))
        );
        let (d, events) = d
            .follow_contract(ContractMilestone::Registered, 99, at(), "已登记")
            .unwrap();
        assert_eq!(d.stage, DealStage::Performance);
        assert_eq!(events.len(), 1);
        assert_eq!(fields(&mut d.clone()), Vec::<String>::new());
        // Already there or beyond: nothing to do, and never backwards.
        assert!(
            d.follow_contract(ContractMilestone::Submitted, 99, at(), "")
                .is_none()
        );
        assert!(
            d.follow_contract(ContractMilestone::Registered, 99, at(), "")
                .is_none()
        );
    }

    #[test]
    fn a_paused_or_terminated_deal_does_not_follow_its_contract() {
        let paused = step(&deal(), DealAction::Pause).unwrap();
        assert!(
            paused
                .follow_contract(ContractMilestone::Registered, 10, at(), "")
                .is_none()
        );
        let ended = step(
            &deal(),
            DealAction::Terminate {
                reason: TerminationReason::NeedsChanged,
                note: String::new(),
            },
        )
        .unwrap();
        assert!(
            ended
                .follow_contract(ContractMilestone::Submitted, 10, at(), "")
                .is_none()
        );
    }

    #[test]
    fn winning_needs_the_signing_stage() {
        let d = step(
            &deal(),
            DealAction::MoveTo {
                stage: DealStage::Negotiation,
            },
        )
        .unwrap();
        let err = step(&d, DealAction::Win).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a deal at Negotiation (商务谈判) that is Open (进行中) does not allow the action `win` (成交): a deal is won at 签约; move it there first"
        );
        let err = step(
            &d,
            DealAction::MoveTo {
                stage: DealStage::Registration,
            },
        )
        .unwrap_err();
        assert!(matches!(err, DealError::NotAllowed { .. }), "{err}");
    }

    #[test]
    fn open_deals_may_fall_back_but_won_deals_only_move_forward() {
        let d = step(
            &deal(),
            DealAction::MoveTo {
                stage: DealStage::Signing,
            },
        )
        .unwrap();
        assert!(
            step(
                &d,
                DealAction::MoveTo {
                    stage: DealStage::Contact
                }
            )
            .is_ok()
        );
        let won = step(&d, DealAction::Win).unwrap();
        assert!(
            step(
                &won,
                DealAction::MoveTo {
                    stage: DealStage::Negotiation
                }
            )
            .is_err()
        );
        assert!(step(&won, DealAction::Pause).is_err());
        assert!(
            step(
                &won,
                DealAction::Terminate {
                    reason: TerminationReason::PartyWithdrew,
                    note: String::new()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn a_terminated_deal_does_not_move() {
        let (d, event) = deal()
            .apply(
                DealAction::Terminate {
                    reason: TerminationReason::PriceDisagreement,
                    note: " 报价差距过大 ".into(),
                },
                10,
                at(),
                None,
            )
            .unwrap();
        assert_eq!(
            d.status,
            DealStatus::Terminated {
                reason: TerminationReason::PriceDisagreement,
                note: "报价差距过大".into()
            }
        );
        assert_eq!(event.note.as_deref(), Some("报价差距过大"));
        assert_eq!(event.to_status, StatusKind::Terminated);
        for a in [
            DealAction::MoveTo {
                stage: DealStage::Contact,
            },
            DealAction::Resume,
            DealAction::SetNextStep { next_step: None },
        ] {
            let err = step(&d, a).unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("a terminated deal does not change"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_paused_deal_holds_its_stage_until_it_resumes() {
        let d = step(&deal(), DealAction::Pause).unwrap();
        assert!(
            step(
                &d,
                DealAction::MoveTo {
                    stage: DealStage::Contact
                }
            )
            .is_err()
        );
        assert!(step(&d, DealAction::Pause).is_err());
        let d = step(&d, DealAction::Resume).unwrap();
        assert!(
            step(
                &d,
                DealAction::MoveTo {
                    stage: DealStage::Contact
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn terminating_for_another_reason_needs_a_note() {
        let err = step(
            &deal(),
            DealAction::Terminate {
                reason: TerminationReason::Other,
                note: "  ".into(),
            },
        )
        .unwrap_err();
        let DealError::Invalid(inv) = err else {
            panic!("{err}")
        };
        assert_eq!(inv.0[0].field, "status.note");
    }

    #[test]
    fn manager_shares_sum_to_exactly_one_hundred_percent() {
        let bad = vec![
            ManagerShare {
                account_id: 10,
                share_bp: 5000,
            },
            ManagerShare {
                account_id: 10,
                share_bp: 4999,
            },
        ];
        let err = step(&deal(), DealAction::SetManagers { managers: bad }).unwrap_err();
        let DealError::Invalid(inv) = err else {
            panic!("{err}")
        };
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["managers[1].account_id", "managers"]);
        let mut d = deal();
        d.managers[0].share_bp = 0;
        assert_eq!(fields_of(&mut d), ["managers[0].share_bp", "managers"]);
        let even = ManagerShare::split_evenly(&[1, 2, 3]);
        assert_eq!(
            even.iter().map(|m| m.share_bp).collect::<Vec<_>>(),
            [3334, 3333, 3333]
        );
        assert!(step(&deal(), DealAction::SetManagers { managers: even }).is_ok());
    }

    fn fields_of(d: &mut Deal) -> Vec<String> {
        fields(d)
    }

    #[test]
    fn validation_reports_every_problem() {
        let mut d = deal();
        d.title = " ".into();
        d.listing_ids.clear();
        d.buyer_org_id = Some(1);
        d.expected_amount_fen = Some(-1);
        d.stage = DealStage::Performance;
        assert_eq!(
            fields(&mut d),
            [
                "title",
                "listing_ids",
                "expected_amount_fen",
                "buyer_org_id",
                "stage"
            ]
        );
        let mut d = deal();
        d.status = DealStatus::Won;
        assert_eq!(fields(&mut d), ["status"]);
    }

    #[test]
    fn next_steps_fall_due() {
        let d = step(
            &deal(),
            DealAction::SetNextStep {
                next_step: Some(NextStep {
                    text: "约技术负责人交流".into(),
                    due_on: day(6, 10),
                }),
            },
        )
        .unwrap();
        assert!(!d.is_overdue(day(6, 10)));
        assert!(d.is_overdue(day(6, 11)));
        let ended = step(
            &d,
            DealAction::Terminate {
                reason: TerminationReason::NeedsChanged,
                note: String::new(),
            },
        )
        .unwrap();
        assert!(!ended.is_overdue(day(6, 11)));
        assert!(!deal().is_overdue(day(12, 31)));
    }

    #[test]
    fn events_keep_who_when_and_the_note() {
        let (_, e) = deal()
            .apply(
                DealAction::MoveTo {
                    stage: DealStage::Contact,
                },
                11,
                at(),
                Some(" 首次见面 ".into()),
            )
            .unwrap();
        assert_eq!(
            e,
            DealEvent {
                actor_id: 11,
                at: at(),
                action: DealActionKind::MoveTo,
                from_stage: DealStage::Lead,
                to_stage: DealStage::Contact,
                from_status: StatusKind::Open,
                to_status: StatusKind::Open,
                note: Some("首次见面".into()),
            }
        );
    }

    #[test]
    fn stage_probabilities_are_checked() {
        assert_eq!(StageProbabilities::default().validate(), Ok(()));
        let p = StageProbabilities {
            negotiation_bp: 10_001,
            signing_bp: 3_000,
            ..Default::default()
        };
        let err = p.validate().unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["negotiation_bp", "signing_bp"]);
    }

    #[test]
    fn the_forecast_weighs_open_deals_by_stage() {
        let p = StageProbabilities::default();
        let lead = deal(); // 8000万分 × 5 %
        let mut negotiating = deal();
        negotiating.stage = DealStage::Negotiation;
        negotiating.expected_amount_fen = Some(1); // 0.4 分, rounds into the total only
        let mut paused = deal();
        paused.status = DealStatus::Paused;
        let mut won = deal();
        won.stage = DealStage::Signing;
        won.status = DealStatus::Won;
        let f = forecast([&lead, &negotiating, &paused, &won], &p);
        assert_eq!(
            f,
            Forecast {
                expected_fen: 4_000_000,
                deals: 2,
                pipeline_fen: 80_000_001
            }
        );
        negotiating.expected_amount_fen = Some(3); // 1.2 分 → 4_000_001.2 → 4_000_001
        assert_eq!(forecast([&lead, &negotiating], &p).expected_fen, 4_000_001);
        negotiating.expected_amount_fen = Some(5); // 2 分 exactly
        negotiating.stage = DealStage::DueDiligence; // 20 % of 5 = 1 分
        assert_eq!(forecast([&lead, &negotiating], &p).expected_fen, 4_000_001);
        let mut half = deal();
        half.expected_amount_fen = Some(10); // 5 % of 10 = 0.5 分: half rounds up
        assert_eq!(forecast([&half], &p).expected_fen, 1);
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(DealStage::ALL.len(), 8);
        assert_eq!(DealStage::DueDiligence.label_zh(), "尽职调查/评估");
        assert_eq!(DealStage::Signing.label_en(), "Signing");
        assert_eq!(TerminationReason::PartyWithdrew.label_zh(), "一方退出");
        assert_eq!(StatusKind::Won.label_zh(), "成交");
        assert!(DealStage::Lead < DealStage::Done);
        let v = serde_json::to_value(deal()).unwrap();
        assert_eq!(v["stage"], "lead");
        assert_eq!(v["status"]["kind"], "open");
        assert_eq!(v["origin"]["kind"], "contact_request");
    }

    fn any_action() -> impl Strategy<Value = DealAction> {
        prop_oneof![
            3 => (0..DealStage::ALL.len()).prop_map(|i| DealAction::MoveTo { stage: DealStage::ALL[i] }),
            1 => Just(DealAction::Pause),
            1 => Just(DealAction::Resume),
            1 => (0..TerminationReason::ALL.len(), any::<bool>()).prop_map(|(i, noted)| DealAction::Terminate {
                reason: TerminationReason::ALL[i],
                note: if noted { "说明".into() } else { String::new() },
            }),
            2 => Just(DealAction::Win),
            1 => (1u32..28).prop_map(|d| DealAction::SetNextStep { next_step: Some(NextStep { text: "跟进".into(), due_on: day(7, d) }) }),
            1 => proptest::option::of(-5i64..1_000_000_000).prop_map(|a| DealAction::SetExpectation { amount_fen: a, close_on: None }),
            1 => (0u32..=10_000).prop_map(|bp| DealAction::SetManagers { managers: vec![
                ManagerShare { account_id: 1, share_bp: bp },
                ManagerShare { account_id: 2, share_bp: 10_000 - bp },
            ] }),
        ]
    }

    fn any_deal() -> impl Strategy<Value = Deal> {
        (
            0..5usize,
            0..4u8,
            proptest::option::of(0i64..10_000_000_000),
        )
            .prop_map(|(stage, status, amount)| {
                let mut d = deal();
                d.stage = DealStage::ALL[stage];
                d.status = match status {
                    0 => DealStatus::Open,
                    1 => DealStatus::Paused,
                    2 => DealStatus::Terminated {
                        reason: TerminationReason::NeedsChanged,
                        note: String::new(),
                    },
                    _ if d.stage == DealStage::Signing => DealStatus::Won,
                    _ => DealStatus::Open,
                };
                d.expected_amount_fen = amount;
                d
            })
    }

    proptest! {
        /// No sequence of actions reaches an illegal deal: the invariants hold after every
        /// accepted step, a terminated deal never changes, a
        /// won deal's stage never goes back, and every event matches the change.
        #[test]
        fn no_sequence_reaches_an_illegal_deal(actions in prop::collection::vec(any_action(), 0..60)) {
            let mut d = deal();
            for action in actions {
                let result = d.apply(action, 1, at(), None);
                let terminated = d.status.kind() == StatusKind::Terminated;
                prop_assert!(!terminated || result.is_err());
                if let Ok((next, event)) = result {
                    prop_assert_eq!((event.from_stage, event.to_stage), (d.stage, next.stage));
                    prop_assert_eq!((event.from_status, event.to_status), (d.status.kind(), next.status.kind()));
                    if d.status == DealStatus::Won {
                        prop_assert!(next.stage >= d.stage);
                        prop_assert_eq!(&next.status, &DealStatus::Won);
                    }
                    if d.status == DealStatus::Paused {
                        prop_assert_eq!(next.stage, d.stage);
                    }
                    let mut check = next.clone();
                    prop_assert_eq!(check.validate(), Ok(()));
                    d = next;
                }
                prop_assert!(d.stage <= DealStage::Signing || d.status == DealStatus::Won);
                prop_assert!(d.status != DealStatus::Won || d.stage >= DealStage::Signing);
            }
        }

        /// The forecast equals a brute-force sum: every open deal's exact expected value as a
        /// fraction, added stage by stage, then rounded half up.
        #[test]
        fn the_forecast_equals_a_brute_force_sum(
            deals in prop::collection::vec(any_deal(), 0..40),
            bumps in prop::collection::vec(0u32..=2_000, 8),
        ) {
            let mut levels = [0u32; 8];
            let mut acc = 0;
            for (i, b) in bumps.iter().enumerate() {
                acc = (acc + b).min(FULL_BP);
                levels[i] = acc;
            }
            let p = StageProbabilities {
                lead_bp: levels[0], contact_bp: levels[1], due_diligence_bp: levels[2],
                negotiation_bp: levels[3], signing_bp: levels[4], registration_bp: levels[5],
                performance_bp: levels[6], done_bp: levels[7],
            };
            prop_assert_eq!(p.validate(), Ok(()));
            // Brute force: per stage, the sum of amounts (u128), times that stage's rate.
            let mut numerator: u128 = 0;
            let mut count = 0;
            for (i, stage) in DealStage::ALL.iter().enumerate() {
                let sum: u128 = deals
                    .iter()
                    .filter(|d| d.stage == *stage && matches!(d.status, DealStatus::Open))
                    .filter_map(|d| d.expected_amount_fen)
                    .map(|a| { count += 1; a as u128 })
                    .sum();
                numerator += sum * u128::from(levels[i]);
            }
            let whole = numerator / 10_000;
            let rest = numerator % 10_000;
            let expected = whole + u128::from(rest >= 5_000);
            let f = forecast(&deals, &p);
            prop_assert_eq!(f.expected_fen as u128, expected);
            prop_assert_eq!(f.deals, count);
            let mut reversed = deals.clone();
            reversed.reverse();
            prop_assert_eq!(forecast(&reversed, &p), f);
        }

        /// Apportioning an amount by credit shares gives every 分 to someone, and nobody
        /// more than one 分 off their exact share.
        #[test]
        fn apportioned_parts_add_up(amount in 0i64..10_000_000_000_000, ids in prop::collection::vec(1i64..1000, 1..7)) {
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            let shares = ManagerShare::split_evenly(&ids);
            let parts = apportion(amount, &shares);
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), amount);
            for (s, (id, fen)) in shares.iter().zip(&parts) {
                prop_assert_eq!(s.account_id, *id);
                let exact = i128::from(amount) * i128::from(s.share_bp);
                let got = i128::from(*fen) * 10_000;
                prop_assert!((got - exact).abs() < 10_000, "{} vs {}", got, exact);
            }
        }
    }
}
