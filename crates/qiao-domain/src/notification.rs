//! Notifications (issue #26): what happened that an account should know of, one row per
//! recipient, read in the inbox and, where the account gave an e-mail address and did not
//! switch it off, sent by e-mail.
//!
//! A notification points at a record ([`Target`]: a contact request, a deal, an application,
//! a challenge, an organisation) rather than copying it: the inbox links there, and the
//! record's own access rules decide what the recipient sees when they follow the link. Its
//! title is written once, when the event happens, in both languages, so the inbox lists
//! without reading the records again.
//!
//! Adding a kind (instrument bookings, say) is one variant of [`NotificationKind`] with its
//! name and labels below, and one call of `qiao_app::notifications::notify` where the event
//! is written; preferences, the inbox, the API and e-mail pick it up from [`NotificationKind::ALL`].

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most notifications one page of the inbox shows.
pub const MAX_PAGE: u32 = 50;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone asked for the contact details of one of the organisation's listings.
    ContactRequest,
    /// The owner accepted or declined the recipient's contact request.
    ContactDecision,
    /// A new message in a thread the recipient takes part in.
    Message,
    /// A new application to one of the organisation's challenges, or one withdrawn.
    ApplicationReceived,
    /// The recipient's application was shortlisted, not chosen or awarded.
    ApplicationStatus,
    /// A deal the recipient is party to (or brokers) was opened or moved to another stage.
    DealStage,
    /// One of the organisation's certificates expires soon.
    CertificateExpiry,
    /// The application window of a challenge the recipient follows closes soon.
    ChallengeDeadline,
    /// Someone booked a slot of one of the organisation's instruments.
    BookingRequest,
    /// A booking was confirmed or declined (to the booking organisation), or cancelled (to
    /// the instrument's).
    BookingStatus,
}

impl NotificationKind {
    /// Every kind, in the order the settings page lists them.
    pub const ALL: [NotificationKind; 10] = [
        NotificationKind::ContactRequest,
        NotificationKind::ContactDecision,
        NotificationKind::Message,
        NotificationKind::ApplicationReceived,
        NotificationKind::ApplicationStatus,
        NotificationKind::DealStage,
        NotificationKind::CertificateExpiry,
        NotificationKind::ChallengeDeadline,
        NotificationKind::BookingRequest,
        NotificationKind::BookingStatus,
    ];

    /// The name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::ContactRequest => "contact_request",
            NotificationKind::ContactDecision => "contact_decision",
            NotificationKind::Message => "message",
            NotificationKind::ApplicationReceived => "application_received",
            NotificationKind::ApplicationStatus => "application_status",
            NotificationKind::DealStage => "deal_stage",
            NotificationKind::CertificateExpiry => "certificate_expiry",
            NotificationKind::ChallengeDeadline => "challenge_deadline",
            NotificationKind::BookingRequest => "booking_request",
            NotificationKind::BookingStatus => "booking_status",
        }
    }

    /// Parses [`NotificationKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese label shown on the settings page and in the inbox.
    pub fn label_zh(self) -> &'static str {
        match self {
            NotificationKind::ContactRequest => "新的联系请求",
            NotificationKind::ContactDecision => "联系请求的答复",
            NotificationKind::Message => "新消息",
            NotificationKind::ApplicationReceived => "新的或撤回的揭榜申请",
            NotificationKind::ApplicationStatus => "揭榜申请状态",
            NotificationKind::DealStage => "新交易与交易阶段变化",
            NotificationKind::CertificateExpiry => "证书即将到期",
            NotificationKind::ChallengeDeadline => "关注的榜单即将截止",
            NotificationKind::BookingRequest => "新的仪器预约",
            NotificationKind::BookingStatus => "仪器预约的确认、拒绝或取消",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            NotificationKind::ContactRequest => "New contact request",
            NotificationKind::ContactDecision => "Decision on a contact request",
            NotificationKind::Message => "New message",
            NotificationKind::ApplicationReceived => "New or withdrawn application to a challenge",
            NotificationKind::ApplicationStatus => "Status of an application",
            NotificationKind::DealStage => "New deals and deal stage changes",
            NotificationKind::CertificateExpiry => "Certificate about to expire",
            NotificationKind::ChallengeDeadline => "Followed challenge closing soon",
            NotificationKind::BookingRequest => "New instrument booking",
            NotificationKind::BookingStatus => "Booking confirmed, declined or cancelled",
        }
    }
}

/// The sort of record a notification points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A contact request (`/requests/{id}`).
    ContactRequest,
    /// A deal (`/deals/{id}`).
    Deal,
    /// An application to a challenge (`/applications/{id}`).
    Application,
    /// A challenge (`/challenges/{id}`).
    Challenge,
    /// An organisation (`/orgs/{id}`).
    Organisation,
    /// A booking, as the booking organisation sees it (`/bookings#booking-{id}`).
    Booking,
    /// A booking, as the instrument's organisation sees it (`/bookings/manage#booking-{id}`).
    IncomingBooking,
}

impl TargetKind {
    /// Every kind.
    pub const ALL: [TargetKind; 7] = [
        TargetKind::ContactRequest,
        TargetKind::Deal,
        TargetKind::Application,
        TargetKind::Challenge,
        TargetKind::Organisation,
        TargetKind::Booking,
        TargetKind::IncomingBooking,
    ];

    /// The name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::ContactRequest => "contact_request",
            TargetKind::Deal => "deal",
            TargetKind::Application => "application",
            TargetKind::Challenge => "challenge",
            TargetKind::Organisation => "organisation",
            TargetKind::Booking => "booking",
            TargetKind::IncomingBooking => "incoming_booking",
        }
    }

    /// Parses [`TargetKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<TargetKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The record a notification points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// Its kind.
    pub kind: TargetKind,
    /// Its id.
    pub id: i64,
}

impl Target {
    /// The page of the record, where the inbox links.
    pub fn path(self) -> String {
        let id = self.id;
        match self.kind {
            TargetKind::ContactRequest => format!("/requests/{id}"),
            TargetKind::Deal => format!("/deals/{id}"),
            TargetKind::Application => format!("/applications/{id}"),
            TargetKind::Challenge => format!("/challenges/{id}"),
            TargetKind::Organisation => format!("/orgs/{id}"),
            TargetKind::Booking => format!("/bookings#booking-{id}"),
            TargetKind::IncomingBooking => format!("/bookings/manage#booking-{id}"),
        }
    }
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Notification {
    /// Its id.
    pub id: i64,
    /// The account it is for.
    pub account_id: i64,
    /// What happened.
    pub kind: NotificationKind,
    /// The record it points at.
    pub target: Target,
    /// What happened, in Chinese.
    pub title: String,
    /// What happened, in English.
    pub title_en: String,
    /// When it happened.
    pub created_at: DateTime<Utc>,
    /// When the recipient read it; `None` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// One event for one recipient, before the recipient's preferences are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    /// The recipient.
    pub account_id: i64,
    /// What happened.
    pub kind: NotificationKind,
    /// The record it points at.
    pub target: Target,
    /// What happened, in Chinese.
    pub title: String,
    /// What happened, in English.
    pub title_en: String,
    /// For events found by a periodic check rather than written by someone (a certificate
    /// expiring, a deadline): a key naming the event and the recipient, so that checking again
    /// never notifies twice. `None` for events that happen once by nature.
    pub once_key: Option<String>,
}

/// Whether an account receives a kind in the inbox and by e-mail (both on unless switched off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// The kind.
    pub kind: NotificationKind,
    /// Shown in the inbox.
    pub in_app: bool,
    /// Sent by e-mail (when the account has an address).
    pub email: bool,
}

impl Preference {
    /// The default: everything on.
    pub fn default_for(kind: NotificationKind) -> Preference {
        Preference {
            kind,
            in_app: true,
            email: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NotificationKind::parse("booking"), None);
        assert_eq!(
            Target {
                kind: TargetKind::ContactRequest,
                id: 7
            }
            .path(),
            "/requests/7"
        );
    }
}
