//! Message threads: the conversation that follows an accepted contact request or a deal
//! (issue #26), between the parties and, where they take part, their technology managers and
//! commission staff.
//!
//! A thread belongs to a [`Subject`], a record of another kind named by its kind and id; who
//! reads and writes a thread is decided by that record's own access rules (in qiao-app), never
//! by the thread, so a thread can show no more than its subject. Messages are plain text:
//! pages escape them like any user text, and a bounded length with paging keeps every request
//! small however long a conversation grows.
//!
//! Adding a kind of subject (a 揭榜 application, say) is one variant of [`SubjectKind`] (its
//! name in `as_str`/`parse`) and one arm in `qiao_app::threads::access` saying who takes part.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid};

/// The most characters one message holds.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// The most messages one page of a thread shows.
pub const MAX_PAGE: u32 = 50;

/// What sort of record a thread hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A contact request, once its owner accepted it.
    ContactRequest,
    /// A deal.
    Deal,
    /// An application to a challenge (揭榜): the applicant, the challenge's owner and staff.
    Application,
}

impl SubjectKind {
    /// Every kind.
    pub const ALL: [SubjectKind; 3] = [
        SubjectKind::ContactRequest,
        SubjectKind::Deal,
        SubjectKind::Application,
    ];

    /// The name used in URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::ContactRequest => "contact_request",
            SubjectKind::Deal => "deal",
            SubjectKind::Application => "application",
        }
    }

    /// Parses [`SubjectKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<SubjectKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The record a thread belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Subject {
    /// Its kind.
    pub kind: SubjectKind,
    /// Its id.
    pub id: i64,
}

impl Subject {
    /// The thread of contact request `id`.
    pub fn contact_request(id: i64) -> Subject {
        Subject {
            kind: SubjectKind::ContactRequest,
            id,
        }
    }

    /// The thread of deal `id`.
    pub fn deal(id: i64) -> Subject {
        Subject {
            kind: SubjectKind::Deal,
            id,
        }
    }

    /// The thread of application `id`.
    pub fn application(id: i64) -> Subject {
        Subject {
            kind: SubjectKind::Application,
            id,
        }
    }
}

/// A message as a form or the API sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The text (1-4000 characters; line breaks kept).
    pub body: String,
}

impl NewMessage {
    /// Trims the text and checks it: not blank, not too long, no control characters.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        self.body = self.body.trim().to_string();
        let mut c = Checker::default();
        c.text("body", &self.body, MAX_MESSAGE_CHARS);
        c.finish()
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    /// Id.
    pub id: i64,
    /// The thread it belongs to.
    pub subject: Subject,
    /// Who wrote it.
    pub author_id: i64,
    /// Their name as shown then (accounts may be renamed; the message keeps who spoke).
    pub author_name: String,
    /// The organisation they wrote for.
    pub author_org_id: Option<i64>,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;

    #[test]
    fn kinds_round_trip() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(SubjectKind::parse("listing"), None);
    }

    #[test]
    fn message_is_trimmed_and_bounded() {
        let mut m = NewMessage {
            body: "  你好，附件是图纸。\n请查收  ".into(),
        };
        m.validate().unwrap();
        assert_eq!(m.body, "你好，附件是图纸。\n请查收");

        let mut blank = NewMessage {
            body: " \n ".into(),
        };
        let e = blank.validate().unwrap_err();
        assert_eq!(e.0[0].field, "body");
        assert_eq!(e.0[0].rule, Rule::Blank);

        let mut long = NewMessage {
            body: "字".repeat(MAX_MESSAGE_CHARS + 1),
        };
        let e = long.validate().unwrap_err();
        assert!(matches!(
            e.0[0].rule,
            Rule::TooLong { max: MAX_MESSAGE_CHARS, found } if found == MAX_MESSAGE_CHARS + 1
        ));

        let mut control = NewMessage {
            body: "bell\u{7}".into(),
        };
        assert!(matches!(
            control.validate().unwrap_err().0[0].rule,
            Rule::ControlCharacter { code_point: 7, .. }
        ));
    }
}
