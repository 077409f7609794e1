//! 认定登记: how a technology contract becomes one that counts.
//!
//! Only a contract a registration point (技术合同登记机构) has registered counts toward
//! 技术合同成交额, and only registered contracts carry the tax treatments of
//! [`crate::precheck`]. Registration is a state machine with two sides: the seller drafts and
//! submits; staff of a registration point ask for corrections, register (giving the 16-digit
//! 登记号), refuse on one of the registry's grounds, record amendments and cancel. Every step is
//! an [`Action`] applied by [`Registration::apply`], which refuses what the state or the actor
//! does not allow and returns the [`Event`] the history keeps, so the rules live in one place
//! and the store, the API and the import all obey them.
//!
//! ```text
//! 草稿 ──submit──▶ 已提交 ──register──▶ 已登记 ──amend──▶ 已登记
//!  ▲                │ ▲  │                    └──cancel──▶ 已注销 (final)
//!  └──withdraw──────┤ │  └─refuse─▶ 不予登记 (final)
//!                   ▼ │submit
//!                  补正中 ──refuse──▶ 不予登记
//! ```

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid, Rule};

coded_enum! {
    /// Where a registration stands, without its data: what lists filter on and the history
    /// records.
    pub enum RegistrationState {
        /// 草稿: the seller is still writing it.
        Draft = ("draft", "草稿", "Draft"),
        /// 已提交: waiting for the registration point.
        Submitted = ("submitted", "已提交", "Submitted"),
        /// 补正中: the registration point asked the seller to correct or complete it.
        Correcting = ("correcting", "补正中", "Correction requested"),
        /// 已登记: registered; counts toward 成交额.
        Registered = ("registered", "已登记", "Registered"),
        /// 不予登记: refused, for good.
        Refused = ("refused", "不予登记", "Refused"),
        /// 已注销: a registration withdrawn by the registry; no longer counts.
        Cancelled = ("cancelled", "已注销", "Cancelled"),
    }
}

coded_enum! {
    /// The registry's grounds for refusing to register a contract (不予登记的理由).
    pub enum RefusalGround {
        /// 合同无效或未生效
        InvalidOrNotInForce = ("invalid_or_not_in_force", "合同无效或未生效", "The contract is void or not in force"),
        /// 不属于技术合同
        NotTechnologyContract = ("not_technology_contract", "不属于技术合同", "Not a technology contract"),
        /// 当事人、标的或价款不明确
        Unclear = ("unclear", "当事人/标的/价款不明确", "Parties, subject or price unclear"),
        /// 应当审批而未审批
        ApprovalMissing = ("approval_missing", "应审批未审批", "Required approval missing"),
        /// 名实不符且未改正: the stated type does not match the content.
        Misnamed = ("misnamed", "名实不符未改正", "Type does not match the content and was not corrected"),
        /// 含有非法垄断技术、妨碍技术进步的条款
        IllegalMonopoly = ("illegal_monopoly", "含非法垄断技术的条款", "Clauses that illegally monopolise technology"),
        /// 证明材料不全
        MissingDocuments = ("missing_documents", "证明材料不全", "Supporting documents incomplete"),
        /// 签章不全
        MissingSeals = ("missing_seals", "签章不全", "Signatures or seals incomplete"),
        /// 其他: see the note.
        Other = ("other", "其他", "Other"),
    }
}

/// A 技术合同登记号: 16 digits, given by the registration point.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct RegistrationNumber(String);

/// Why a 登记号 was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("登记号 `{0}` must be 16 digits (e.g. 2026310112000123)")]
pub struct BadRegistrationNumber(pub String);

impl RegistrationNumber {
    /// Checks a 登记号, ignoring surrounding blanks.
    pub fn parse(raw: &str) -> Result<Self, BadRegistrationNumber> {
        let s = raw.trim();
        if s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(RegistrationNumber(s.to_string()))
        } else {
            Err(BadRegistrationNumber(s.to_string()))
        }
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegistrationNumber {
    type Error = BadRegistrationNumber;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegistrationNumber::parse(&s)
    }
}

impl From<RegistrationNumber> for String {
    fn from(n: RegistrationNumber) -> String {
        n.0
    }
}

impl std::fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What registering established: the number, where and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Registered {
    /// 登记号.
    pub number: RegistrationNumber,
    /// The registration point (技术合同登记点) that registered it.
    pub point: String,
    /// 登记日期: decides the year the contract counts in.
    pub date: NaiveDate,
    /// 变更: amendments recorded since, oldest first.
    #[serde(default)]
    pub amendments: Vec<Amendment>,
}

/// A recorded change of a registered contract (变更登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// What changed.
    pub note: String,
}

/// A contract's registration and what its state carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum Registration {
    /// 草稿.
    Draft,
    /// 已提交.
    Submitted,
    /// 补正中: what the registration point asks for.
    Correcting {
        /// What to correct or add.
        request: String,
    },
    /// 已登记.
    Registered(Registered),
    /// 不予登记.
    Refused {
        /// The registry's ground.
        ground: RefusalGround,
        /// The registration point's explanation.
        #[serde(default)]
        note: String,
    },
    /// 已注销: the registration it had, and why it was cancelled.
    Cancelled {
        /// The registration that was cancelled.
        registered: Registered,
        /// Why.
        note: String,
    },
}

/// Who acts on a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Actor {
    /// Someone acting for the contract's seller party.
    Seller {
        /// Their account.
        account_id: i64,
    },
    /// Staff of a registration point.
    RegistrationPoint {
        /// Their account.
        account_id: i64,
        /// The point they work for.
        point: String,
    },
}

impl Actor {
    /// The account acting.
    pub fn account_id(&self) -> i64 {
        match self {
            Actor::Seller { account_id } | Actor::RegistrationPoint { account_id, .. } => {
                *account_id
            }
        }
    }
}

/// A step on a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// The seller submits a draft or a corrected contract.
    Submit,
    /// The seller takes a submitted contract back to draft.
    Withdraw,
    /// The registration point asks for corrections.
    RequestCorrection {
        /// What to correct or add.
        request: String,
    },
    /// The registration point registers the contract.
    Register {
        /// 登记号.
        number: RegistrationNumber,
        /// 登记日期.
        date: NaiveDate,
    },
    /// The registration point refuses it.
    Refuse {
        /// The registry's ground.
        ground: RefusalGround,
        /// An explanation; required for [`RefusalGround::Other`].
        #[serde(default)]
        note: String,
    },
    /// The registration point records an amendment of a registered contract.
    Amend {
        /// What changed.
        note: String,
    },
    /// The registration point cancels a registration.
    Cancel {
        /// Why.
        note: String,
    },
}

coded_enum! {
    /// An [`Action`] without its data, for messages and the history.
    pub enum ActionKind {
        /// 提交
        Submit = ("submit", "提交", "submit"),
        /// 撤回
        Withdraw = ("withdraw", "撤回", "withdraw"),
        /// 要求补正
        RequestCorrection = ("request_correction", "要求补正", "request correction"),
        /// 登记
        Register = ("register", "登记", "register"),
        /// 不予登记
        Refuse = ("refuse", "不予登记", "refuse"),
        /// 变更
        Amend = ("amend", "变更", "amend"),
        /// 注销
        Cancel = ("cancel", "注销", "cancel"),
    }
}

impl Action {
    /// The action without its data.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Submit => ActionKind::Submit,
            Action::Withdraw => ActionKind::Withdraw,
            Action::RequestCorrection { .. } => ActionKind::RequestCorrection,
            Action::Register { .. } => ActionKind::Register,
            Action::Refuse { .. } => ActionKind::Refuse,
            Action::Amend { .. } => ActionKind::Amend,
            Action::Cancel { .. } => ActionKind::Cancel,
        }
    }

    /// Whether the seller (true) or a registration point (false) takes this step.
    pub fn by_seller(&self) -> bool {
        matches!(self, Action::Submit | Action::Withdraw)
    }

    /// The note the history keeps with the step.
    fn note(&self) -> Option<String> {
        match self {
            Action::Submit | Action::Withdraw => None,
            Action::Register { number, .. } => Some(format!("登记号 {number}")),
            Action::RequestCorrection { request: n }
            | Action::Refuse { note: n, .. }
            | Action::Amend { note: n }
            | Action::Cancel { note: n } => (!n.is_empty()).then(|| n.clone()),
        }
    }

    /// Trims and checks the texts the action carries.
    fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        match self {
            Action::Submit | Action::Withdraw | Action::Register { .. } => {}
            Action::RequestCorrection { request: text }
            | Action::Amend { note: text }
            | Action::Cancel { note: text } => {
                *text = text.trim().to_string();
                c.text("note", text, 2000);
            }
            Action::Refuse { ground, note } => {
                *note = note.trim().to_string();
                c.max_len("note", note, 2000);
                c.ensure(
                    *ground != RefusalGround::Other || !note.is_empty(),
                    "note",
                    || Rule::ExplainOther,
                );
            }
        }
        c.finish()
    }
}

/// One step of a registration's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Who took it.
    pub actor: Actor,
    /// When.
    pub at: DateTime<Utc>,
    /// What they did.
    pub action: ActionKind,
    /// The state before.
    pub from: RegistrationState,
    /// The state after.
    pub to: RegistrationState,
    /// The note, request, reason or number that came with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransitionError {
    /// The state does not allow the action.
    #[error(
        "a registration that is {} ({}) does not allow the action `{}` ({})",
        .state.label_en(), .state.label_zh(), .action.label_en(), .action.label_zh()
    )]
    NotAllowed {
        /// Where the registration stands.
        state: RegistrationState,
        /// What was tried.
        action: ActionKind,
    },
    /// The actor may not take this step.
    #[error("only {needs} may take the action `{}` ({}) on a registration", .action.label_en(), .action.label_zh())]
    WrongActor {
        /// What was tried.
        action: ActionKind,
        /// Who may.
        needs: &'static str,
    },
    /// The action's data is wrong.
    #[error("{0}")]
    Invalid(#[from] Invalid),
}

/// A registration after an action, and the event to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The new registration.
    pub registration: Registration,
    /// What happened.
    pub event: Event,
}

impl Registration {
    /// The state without its data.
    pub fn state(&self) -> RegistrationState {
        match self {
            Registration::Draft => RegistrationState::Draft,
            Registration::Submitted => RegistrationState::Submitted,
            Registration::Correcting { .. } => RegistrationState::Correcting,
            Registration::Registered(_) => RegistrationState::Registered,
            Registration::Refused { .. } => RegistrationState::Refused,
            Registration::Cancelled { .. } => RegistrationState::Cancelled,
        }
    }

    /// The registration in force: `Some` only for 已登记 (a cancelled one no longer is).
    pub fn registered(&self) -> Option<&Registered> {
        match self {
            Registration::Registered(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the contract counts toward 成交额 and 技术交易额: registered and not cancelled.
    pub fn counts_toward_turnover(&self) -> bool {
        self.registered().is_some()
    }

    /// The year the contract counts in: the year of its 登记日期, as the registry's
    /// statistics count it (not the signing date). `None` when it does not count.
    pub fn turnover_year(&self) -> Option<i32> {
        self.registered().map(|r| r.date.year())
    }

    /// Applies `action` by `actor` at `at`: the new registration and the event for the
    /// history, or why not. The registration itself does not change; the caller stores the
    /// result (in one transaction with the event).
    pub fn apply(
        &self,
        mut action: Action,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Applied, TransitionError> {
        let kind = action.kind();
        let from = self.state();
        let not_allowed = || TransitionError::NotAllowed {
            state: from,
            action: kind,
        };
        // The state is checked before the actor: "a refused registration cannot be
        // submitted" is the useful answer, whoever asks.
        let allowed = match kind {
            ActionKind::Submit => matches!(
                from,
                RegistrationState::Draft | RegistrationState::Correcting
            ),
            ActionKind::Withdraw => {
                matches!(
                    from,
                    RegistrationState::Submitted | RegistrationState::Correcting
                )
            }
            ActionKind::RequestCorrection | ActionKind::Register => {
                from == RegistrationState::Submitted
            }
            ActionKind::Refuse => {
                matches!(
                    from,
                    RegistrationState::Submitted | RegistrationState::Correcting
                )
            }
            ActionKind::Amend | ActionKind::Cancel => from == RegistrationState::Registered,
        };
        if !allowed {
            return Err(not_allowed());
        }
        let point = match (actor, action.by_seller()) {
            (Actor::Seller { .. }, true) => None,
            (Actor::RegistrationPoint { point, .. }, false) => Some(point.trim()),
            (_, true) => {
                return Err(TransitionError::WrongActor {
                    action: kind,
                    needs: "the seller",
                });
            }
            (_, false) => {
                return Err(TransitionError::WrongActor {
                    action: kind,
                    needs: "staff of a registration point",
                });
            }
        };
        // A registration is amended or cancelled where it was made: another point's staff
        // have no say over it.
        if let (Some(point), Registration::Registered(r)) = (point, self)
            && r.point != point
        {
            return Err(TransitionError::WrongActor {
                action: kind,
                needs: "staff of the registration point that registered it",
            });
        }
        action.validate()?;
        let note = action.note();
        let next = match action {
            Action::Submit => Registration::Submitted,
            Action::Withdraw => Registration::Draft,
            Action::RequestCorrection { request } => Registration::Correcting { request },
            Action::Register { number, date } => {
                let point = point.unwrap_or_default().to_string();
                if point.is_empty() {
                    return Err(Invalid::field("point", Rule::Required).into());
                }
                Registration::Registered(Registered {
                    number,
                    point,
                    date,
                    amendments: Vec::new(),
                })
            }
            Action::Refuse { ground, note } => Registration::Refused { ground, note },
            Action::Amend { note } => {
                let mut r = self.registered().cloned().ok_or_else(not_allowed)?;
                r.amendments.push(Amendment { at, note });
                Registration::Registered(r)
            }
            Action::Cancel { note } => Registration::Cancelled {
                registered: self.registered().cloned().ok_or_else(not_allowed)?,
                note,
            },
        };
        let event = Event {
            actor: actor.clone(),
            at,
            action: kind,
            from,
            to: next.state(),
            note,
        };
        Ok(Applied {
            registration: next,
            event,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SELLER: Actor = Actor::Seller { account_id: 1 };

    fn staff(point: &str) -> Actor {
        Actor::RegistrationPoint {
            account_id: 2,
            point: point.to_string(),
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-05-01T08:00:00Z".parse().unwrap()
    }

    fn register() -> Action {
        Action::Register {
            number: RegistrationNumber::parse("2026310112000123").unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        }
    }

    fn run(steps: Vec<(Action, Actor)>) -> Result<Registration, TransitionError> {
        let mut r = Registration::Draft;
        for (a, who) in steps {
            r = r.apply(a, &who, at())?.registration;
        }
        Ok(r)
    }

    #[test]
    fn the_happy_path_registers_and_counts_in_the_registration_year() {
        let r = run(vec![
            (Action::Submit, SELLER),
            (
                Action::RequestCorrection {
                    request: "补充专利证书复印件".into(),
                },
                staff("闵行登记点"),
            ),
            (Action::Submit, SELLER),
            (register(), staff("闵行登记点")),
        ])
        .unwrap();
        assert!(r.counts_toward_turnover());
        assert_eq!(r.turnover_year(), Some(2026));
        assert_eq!(r.registered().unwrap().point, "闵行登记点");
    }

    #[test]
    fn amendments_keep_it_registered_and_cancelling_stops_it_counting() {
        let r = run(vec![(Action::Submit, SELLER), (register(), staff("A"))]).unwrap();
        let amended = r
            .apply(
                Action::Amend {
                    note: "价款变更".into(),
                },
                &staff("A"),
                at(),
            )
            .unwrap();
        assert_eq!(amended.event.from, RegistrationState::Registered);
        assert_eq!(amended.event.to, RegistrationState::Registered);
        assert_eq!(
            amended.registration.registered().unwrap().amendments.len(),
            1
        );
        let cancelled = amended
            .registration
            .apply(
                Action::Cancel {
                    note: "合同解除".into(),
                },
                &staff("A"),
                at(),
            )
            .unwrap()
            .registration;
        assert!(!cancelled.counts_toward_turnover());
        assert_eq!(cancelled.turnover_year(), None);
    }

    #[test]
    fn illegal_transitions_name_the_state_and_the_action() {
        let err = Registration::Draft
            .apply(register(), &staff("A"), at())
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed {
                state: RegistrationState::Draft,
                action: ActionKind::Register
            }
        );
        assert_eq!(
            err.to_string(),
            "a registration that is Draft (草稿) does not allow the action `register` (登记)"
        );
        let refused = Registration::Refused {
            ground: RefusalGround::Misnamed,
            note: String::new(),
        };
        assert!(matches!(
            refused.apply(Action::Submit, &SELLER, at()),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn wrong_actors_are_refused() {
        let err = Registration::Draft
            .apply(Action::Submit, &staff("A"), at())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "only the seller may take the action `submit` (提交) on a registration"
        );
        let err = Registration::Submitted
            .apply(register(), &SELLER, at())
            .unwrap_err();
        assert!(matches!(err, TransitionError::WrongActor { .. }), "{err}");
        let r = run(vec![(Action::Submit, SELLER), (register(), staff("A"))]).unwrap();
        let err = r
            .apply(Action::Cancel { note: "x".into() }, &staff("B"), at())
            .unwrap_err();
        assert!(err.to_string().contains("that registered it"), "{err}");
    }

    #[test]
    fn bad_data_is_refused() {
        assert!(RegistrationNumber::parse("2026-3101-1200-0123").is_err());
        assert!(RegistrationNumber::parse("202631011200012").is_err());
        assert!(serde_json::from_str::<RegistrationNumber>("\"12345\"").is_err());
        let other = Action::Refuse {
            ground: RefusalGround::Other,
            note: " ".into(),
        };
        let err = Registration::Submitted
            .apply(other, &staff("A"), at())
            .unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(_)), "{err}");
        let err = Registration::Submitted
            .apply(register(), &staff(" "), at())
            .unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(_)), "{err}");
    }

    #[test]
    fn events_record_who_when_and_the_note() {
        let applied = Registration::Submitted
            .apply(
                Action::Refuse {
                    ground: RefusalGround::MissingSeals,
                    note: " 缺买方盖章 ".into(),
                },
                &staff("A"),
                at(),
            )
            .unwrap();
        assert_eq!(
            applied.event,
            Event {
                actor: staff("A"),
                at: at(),
                action: ActionKind::Refuse,
                from: RegistrationState::Submitted,
                to: RegistrationState::Refused,
                note: Some("缺买方盖章".into()),
            }
        );
    }

    #[test]
    fn serde_shape_is_tagged_by_state() {
        let r = run(vec![(Action::Submit, SELLER), (register(), staff("A"))]).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["state"], "registered");
        assert_eq!(v["number"], "2026310112000123");
        assert_eq!(serde_json::from_value::<Registration>(v).unwrap(), r);
        let a: Action = serde_json::from_str(r#"{"action":"refuse","ground":"unclear"}"#).unwrap();
        assert_eq!(a.kind(), ActionKind::Refuse);
        for s in RegistrationState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(RefusalGround::ALL.len(), 9);
        assert_eq!(RefusalGround::Unclear.label_zh(), "当事人/标的/价款不明确");
    }

    fn any_action() -> impl Strategy<Value = (Action, Actor)> {
        let action = prop_oneof![
            Just(Action::Submit),
            Just(Action::Withdraw),
            Just(Action::RequestCorrection {
                request: "补正".into()
            }),
            (0u8..3, 1u32..=12).prop_map(|(n, m)| Action::Register {
                number: RegistrationNumber::parse(&format!("20263101120001{n}{}", m % 10)).unwrap(),
                date: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            }),
            (0..RefusalGround::ALL.len(), any::<bool>()).prop_map(|(g, noted)| Action::Refuse {
                ground: RefusalGround::ALL[g],
                note: if noted {
                    "说明".into()
                } else {
                    String::new()
                },
            }),
            Just(Action::Amend {
                note: "变更".into()
            }),
            Just(Action::Cancel {
                note: "注销".into()
            }),
        ];
        let actor = prop_oneof![Just(SELLER), Just(staff("A")), Just(staff("B")),];
        (action, actor)
    }

    proptest! {
        /// No sequence of actions reaches an illegal state: a registered contract always has a
        /// valid number and a point; refused and cancelled are final; every accepted step's
        /// event agrees with the states; only registered contracts count.
        #[test]
        fn no_sequence_reaches_an_illegal_state(steps in prop::collection::vec(any_action(), 0..40)) {
            let mut r = Registration::Draft;
            for (action, actor) in steps {
                let before = r.clone();
                match r.apply(action.clone(), &actor, at()) {
                    Ok(applied) => {
                        prop_assert_eq!(applied.event.from, before.state());
                        prop_assert_eq!(applied.event.to, applied.registration.state());
                        prop_assert!(!matches!(before.state(), RegistrationState::Refused | RegistrationState::Cancelled));
                        prop_assert_eq!(action.by_seller(), matches!(actor, Actor::Seller { .. }));
                        r = applied.registration;
                    }
                    Err(_) => prop_assert_eq!(&r, &before),
                }
                if let Registration::Registered(reg) | Registration::Cancelled { registered: reg, .. } = &r {
                    prop_assert!(RegistrationNumber::parse(reg.number.as_str()).is_ok());
                    prop_assert!(!reg.point.trim().is_empty());
                }
                prop_assert_eq!(r.counts_toward_turnover(), r.state() == RegistrationState::Registered);
                prop_assert_eq!(r.turnover_year().is_some(), r.counts_toward_turnover());
            }
        }
    }
}

#[cfg(test)]
mod schema_tests {
    /// The records later layers put in the OpenAPI document have JSON schemas with their
    /// fields and codes (a 登记号's schema is a string, as its JSON is).
    #[test]
    fn records_have_json_schemas() {
        let contract = serde_json::to_string(&schemars::schema_for!(crate::Contract)).unwrap();
        for needle in [
            "amount_fen",
            "non_technical",
            "transfer_patent",
            "nuclear_application",
        ] {
            assert!(contract.contains(needle), "{needle}");
        }
        let reg = serde_json::to_value(schemars::schema_for!(super::Registration)).unwrap();
        let reg_text = reg.to_string();
        assert!(reg_text.contains("missing_seals") && reg_text.contains("registered"));
        let number =
            serde_json::to_value(schemars::schema_for!(super::RegistrationNumber)).unwrap();
        assert_eq!(number["type"], "string");
        let deal = serde_json::to_string(&schemars::schema_for!(crate::Deal)).unwrap();
        assert!(deal.contains("due_diligence") && deal.contains("share_bp"));
    }
}
