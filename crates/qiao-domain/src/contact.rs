//! Contact requests: how tiered disclosure works.
//!
//! Everyone sees a listing's public summary. Its contact details and confidential fields reach
//! another organisation only after that organisation asks (a [`ContactRequest`]) and the owner
//! accepts. A decline carries a [`DeclineReason`] the requester sees, so a "no" still teaches
//! something ("too early", "wrong field") instead of ending in silence.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Role};
use crate::invalid::{Checker, Invalid, Rule};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// Waiting for the owner.
    Pending,
    /// The owner shared the contact details.
    Accepted,
    /// The owner said no, with a reason.
    Declined,
}

impl ContactStatus {
    /// Every status.
    pub const ALL: [ContactStatus; 3] = [
        ContactStatus::Pending,
        ContactStatus::Accepted,
        ContactStatus::Declined,
    ];

    /// The name used in URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Pending => "pending",
            ContactStatus::Accepted => "accepted",
            ContactStatus::Declined => "declined",
        }
    }

    /// Parses [`ContactStatus::as_str`]'s output.
    pub fn parse(s: &str) -> Option<ContactStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            ContactStatus::Pending => "待处理",
            ContactStatus::Accepted => "已同意",
            ContactStatus::Declined => "已婉拒",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            ContactStatus::Pending => "pending",
            ContactStatus::Accepted => "accepted",
            ContactStatus::Declined => "declined",
        }
    }
}

/// Why an owner declined: a short, fixed list so requesters can learn from the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// 时机尚早: the owner is not ready to talk yet.
    TooEarly,
    /// 优势不明确: the request did not show what the cooperation would bring.
    AdvantageUnclear,
    /// 价格不符: price or budget do not meet.
    Price,
    /// 领域不符: the requester works in another field.
    WrongField,
    /// 其他: see the note.
    Other,
}

impl DeclineReason {
    /// Every reason, in the order forms show them.
    pub const ALL: [DeclineReason; 5] = [
        DeclineReason::TooEarly,
        DeclineReason::AdvantageUnclear,
        DeclineReason::Price,
        DeclineReason::WrongField,
        DeclineReason::Other,
    ];

    /// The code used in forms, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::TooEarly => "too_early",
            DeclineReason::AdvantageUnclear => "advantage_unclear",
            DeclineReason::Price => "price",
            DeclineReason::WrongField => "wrong_field",
            DeclineReason::Other => "other",
        }
    }

    /// Parses [`DeclineReason::as_str`]'s output.
    pub fn parse(s: &str) -> Option<DeclineReason> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            DeclineReason::TooEarly => "时机尚早",
            DeclineReason::AdvantageUnclear => "合作优势不明确",
            DeclineReason::Price => "价格不符",
            DeclineReason::WrongField => "领域不符",
            DeclineReason::Other => "其他",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            DeclineReason::TooEarly => "too early",
            DeclineReason::AdvantageUnclear => "advantage unclear",
            DeclineReason::Price => "price",
            DeclineReason::WrongField => "wrong field",
            DeclineReason::Other => "other",
        }
    }
}

/// A request to see a listing's contact details, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContactRequest {
    /// Id.
    pub id: i64,
    /// The listing asked about.
    pub listing_id: i64,
    /// The organisation that owns the listing (and decides); `None` for listings without an
    /// owner, which admins answer.
    pub owner_org_id: Option<i64>,
    /// Who asked.
    pub requester_id: i64,
    /// The organisation the requester acts for.
    pub requester_org_id: Option<i64>,
    /// What the requester wrote.
    pub message: String,
    /// Where it stands.
    pub status: ContactStatus,
    /// Why it was declined.
    pub reason: Option<DeclineReason>,
    /// The owner's note with the decision.
    pub note: Option<String>,
    /// When it was asked.
    pub created_at: DateTime<Utc>,
    /// When it was last changed (decided).
    pub updated_at: DateTime<Utc>,
}

impl ContactRequest {
    /// Whether `account` may accept or decline: a member of the owning organisation, or an
    /// admin (also for listings without an owner).
    pub fn may_decide(&self, account: &Account) -> bool {
        account.may_change(self.owner_org_id)
    }

    /// Whether `account` may read this request: its two sides and admins.
    pub fn may_read(&self, account: &Account) -> bool {
        self.may_decide(account) || self.requester_id == account.id
    }
}

/// A new request, as a form or the API sends it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactRequest {
    /// Who you are and what you would like to discuss (10-2000 characters).
    pub message: String,
}

impl NewContactRequest {
    /// Checks the message.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.message = self.message.trim().to_string();
        let n = self.message.chars().count();
        if n < 10 {
            c.fail("message", Rule::TooShort { min: 10, found: n });
        }
        if n > 2000 {
            c.fail(
                "message",
                Rule::TooLong {
                    max: 2000,
                    found: n,
                },
            );
        }
        c.finish()
    }
}

/// An owner's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum Decision {
    /// Share the contact details.
    Accept {
        /// An optional note to the requester.
        #[serde(default)]
        note: Option<String>,
    },
    /// Say no, with a reason the requester sees.
    Decline {
        /// Why.
        reason: DeclineReason,
        /// An optional note (required when the reason is `other`).
        #[serde(default)]
        note: Option<String>,
    },
}

impl Decision {
    /// Checks the note.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        let (note, other) = match self {
            Decision::Accept { note } => (note, false),
            Decision::Decline { reason, note } => (note, *reason == DeclineReason::Other),
        };
        if let Some(n) = note.as_mut() {
            *n = n.trim().to_string();
        }
        if note.as_deref() == Some("") {
            *note = None;
        }
        if let Some(n) = note.as_deref() {
            c.max_len("note", n, 500);
        }
        c.ensure(!other || note.is_some(), "note", || Rule::ExplainOther);
        c.finish()
    }

    /// The status the request moves to.
    pub fn status(&self) -> ContactStatus {
        match self {
            Decision::Accept { .. } => ContactStatus::Accepted,
            Decision::Decline { .. } => ContactStatus::Declined,
        }
    }
}

/// Whether `account` may ask for contact at all: anyone signed in who acts for an organisation,
/// or staff of the platform (commission staff and technology managers act for the region).
pub fn may_request_contact(account: &Account) -> bool {
    account.org_id.is_some() || account.role != Role::Member
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64, role: Role, org: Option<i64>) -> Account {
        Account {
            id,
            username: format!("u{id}"),
            display_name: format!("U{id}"),
            role,
            org_id: org,
            disabled_at: None,
            email: None,
            phone: None,
        }
    }

    fn request(owner: Option<i64>) -> ContactRequest {
        ContactRequest {
            id: 1,
            listing_id: 9,
            owner_org_id: owner,
            requester_id: 5,
            requester_org_id: Some(2),
            message: "我们想了解转让条件".into(),
            status: ContactStatus::Pending,
            reason: None,
            note: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_owner_or_an_admin_decides() {
        let r = request(Some(1));
        assert!(r.may_decide(&account(7, Role::Member, Some(1))));
        assert!(!r.may_decide(&account(5, Role::Member, Some(2))));
        assert!(r.may_decide(&account(8, Role::Admin, None)));
        assert!(!r.may_decide(&account(9, Role::CommissionStaff, None)));
        // Ownerless listings: admins only.
        let r = request(None);
        assert!(!r.may_decide(&account(7, Role::Member, None)));
        assert!(r.may_decide(&account(8, Role::Admin, None)));
    }

    #[test]
    fn both_sides_read_others_do_not() {
        let r = request(Some(1));
        assert!(r.may_read(&account(5, Role::Member, Some(2))));
        assert!(r.may_read(&account(7, Role::Member, Some(1))));
        assert!(!r.may_read(&account(6, Role::Member, Some(3))));
    }

    #[test]
    fn message_length_is_checked() {
        let mut short = NewContactRequest {
            message: "  你好  ".into(),
        };
        let err = short.validate().unwrap_err();
        assert_eq!(err.0[0].field, "message");
        let mut ok = NewContactRequest {
            message: "我们是做电池热管理的企业，想了解该成果的许可条件。".into(),
        };
        ok.validate().unwrap();
    }

    #[test]
    fn other_needs_a_note() {
        let mut d = Decision::Decline {
            reason: DeclineReason::Other,
            note: Some("  ".into()),
        };
        assert_eq!(d.validate().unwrap_err().0[0].field, "note");
        let mut d = Decision::Decline {
            reason: DeclineReason::Price,
            note: None,
        };
        d.validate().unwrap();
        assert_eq!(d.status(), ContactStatus::Declined);
    }

    #[test]
    fn codes_round_trip() {
        for r in DeclineReason::ALL {
            assert_eq!(DeclineReason::parse(r.as_str()), Some(r));
        }
        for s in ContactStatus::ALL {
            assert_eq!(ContactStatus::parse(s.as_str()), Some(s));
        }
    }
}
