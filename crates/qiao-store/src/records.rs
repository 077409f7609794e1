//! What the store hands back: records with their ids and timestamps, change-feed entries and
//! backups.

use chrono::{DateTime, Utc};
use qiao_domain::{Account, Listing, Organisation};
use serde::{Deserialize, Serialize};

/// A stored organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgRecord {
    /// Id.
    pub id: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub org: Organisation,
}

/// A stored listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingRecord {
    /// Id.
    pub id: i64,
    /// The organisation that owns it.
    pub owner_org_id: Option<i64>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields, tagged by kind.
    #[serde(flatten)]
    pub listing: Listing,
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Created.
    Insert,
    /// Changed.
    Update,
    /// Removed.
    Delete,
}

impl Op {
    /// The name stored in the change feed.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Insert => "insert",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Op> {
        [Op::Insert, Op::Update, Op::Delete]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Monotonic sequence number, in commit order.
    pub seq: i64,
    /// Which table (`listing`, `organisation`, `account`, `contact_request`, `document`).
    pub entity: String,
    /// The record's id.
    pub entity_id: i64,
    /// What happened.
    pub op: Op,
    /// When.
    pub at: DateTime<Utc>,
}

/// An account with its password hash, as backed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    /// The account.
    #[serde(flatten)]
    pub account: Account,
    /// Its argon2id password hash.
    pub password_hash: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An API token as its owner sees it: never its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Id (to revoke it).
    pub id: i64,
    /// Label given at creation.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working (`None`: a token made before tokens expired).
    pub expires_at: Option<DateTime<Utc>>,
}

/// An API token's hash, as backed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub account_id: i64,
    /// Label given at creation.
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working (`None`: a token made before tokens expired).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// One line of a backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "table", rename_all = "snake_case")]
pub enum BackupItem {
    /// An organisation.
    Organisation(OrgRecord),
    /// An account.
    Account(AccountRow),
    /// A token.
    Token(TokenRow),
    /// A listing.
    Listing(ListingRecord),
    /// A contact request.
    ContactRequest(qiao_domain::ContactRequest),
    /// An imported policy or news document.
    Document(DocumentRecord),
    /// An enterprise-support policy.
    Policy(PolicyRecord),
    /// A regional target.
    Target(TargetRecord),
    /// A deal with its history.
    Deal(DealBackup),
    /// A technology contract with its registration history.
    Contract(ContractBackup),
    /// A saved valuation version.
    Valuation(Box<ValuationRecord>),
    /// An application to a challenge with its review history.
    Application(Box<ApplicationBackup>),
    /// A message of a thread.
    Message(qiao_domain::thread::Message),
    /// A file with its bytes.
    Attachment(Box<AttachmentBackup>),
    /// A 创新券 with its balance.
    Voucher(Box<crate::booking_records::VoucherRecord>),
    /// An instrument's slot with its bookings.
    Slot(Box<crate::booking_records::SlotBackup>),
    /// An account's choice for one kind of notification (only those differing from the
    /// default are stored, and backed up).
    NotificationPreference {
        /// The account.
        account_id: i64,
        /// The kind, as `NotificationKind::as_str` names it.
        kind: String,
        /// Shown in the inbox.
        in_app: bool,
        /// Sent by e-mail.
        email: bool,
    },
    /// An account following a challenge (its deadline is notified).
    ChallengeFollow {
        /// The account.
        account_id: i64,
        /// The challenge.
        listing_id: i64,
        /// When it began following.
        created_at: DateTime<Utc>,
    },
    /// A setting staff changed (by key, as typed JSON).
    Setting {
        /// Its key.
        key: String,
        /// Its value.
        body: serde_json::Value,
    },
}

/// A deal and its history, as a backup keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealBackup {
    /// The deal.
    pub record: DealRecord,
    /// Its history, oldest first.
    pub events: Vec<DealEventRecord>,
}

/// A file and its bytes, as a backup keeps them: the bytes as base64 in the JSON line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentBackup {
    /// Its description.
    pub record: qiao_domain::attachment::Attachment,
    /// Its bytes.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// Bytes as one standard base64 string (a third larger than raw, half the size of hex).
mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// A contract and its registration history, as a backup keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractBackup {
    /// The contract.
    pub record: ContractRecord,
    /// Its history, oldest first.
    pub events: Vec<ContractEventRecord>,
}

/// Every record of a store, in an order that restores without breaking references.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backup {
    /// Organisations, accounts, tokens, listings, contact requests, documents, policies,
    /// targets, deals, contracts, valuations, messages, attachments, then settings.
    pub items: Vec<BackupItem>,
}

/// One line of the audit log: who changed what, when (the change feed with its actor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Change-feed number.
    pub seq: i64,
    /// Which sort of record (`listing`, `organisation`, `account`, `contact_request`,
    /// `document`, `policy`, `target`).
    pub entity: String,
    /// The record's id.
    pub entity_id: i64,
    /// What happened.
    pub op: Op,
    /// When.
    pub at: DateTime<Utc>,
    /// The acting account; `None` for the command line, imports and the demo loader.
    pub actor_id: Option<i64>,
    /// Its username, if the account still exists.
    pub actor: Option<String>,
    /// The fields the change set, with their values before and after, in field order; `None`
    /// for changes recorded before the audit log kept fields (migration 0008). Secrets show as
    /// `"[redacted]"`.
    pub changes: Option<Vec<FieldChange>>,
}

/// One field of a change: its dotted path in the record's JSON (`title`, `contact.email`) and
/// its values before and after (`null`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's path.
    pub field: String,
    /// Its value before the change (`null` for a create).
    pub before: serde_json::Value,
    /// Its value after the change (`null` for a delete).
    pub after: serde_json::Value,
}

/// Filters for contact-request queries; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Sent by this account.
    pub requester_id: Option<i64>,
    /// Addressed to this organisation.
    pub owner_org_id: Option<i64>,
    /// About this listing.
    pub listing_id: Option<i64>,
    /// In this state.
    pub status: Option<qiao_domain::ContactStatus>,
}

/// A policy or news document to store, as `qiao-docs` read it. The store does not know the
/// reader's types: the removed lines, figures and undecodable spans are kept as the JSON the
/// reader produced and handed back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDocument {
    /// The name of the file imported (no directories).
    pub file_name: String,
    /// SHA-256 of the raw bytes, lowercase hex: the same file is stored once.
    pub sha256: String,
    /// Title, original script.
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Source or issuing body.
    pub source: Option<String>,
    /// Document number (闵科委〔2023〕14号).
    pub doc_number: Option<String>,
    /// `hans`, `hant`, `mixed` or `none`.
    pub script: String,
    /// The encoding the bytes were in (`utf-8`, `gbk`, `gb18030`, `big5`).
    pub encoding: String,
    /// The cleaned article text, original script.
    pub text: String,
    /// The lines taken out, with their reasons (JSON array).
    pub removed: serde_json::Value,
    /// The quantified statements (JSON array).
    pub figures: serde_json::Value,
    /// Bytes that could not be decoded, with their offsets (JSON array).
    pub undecodable: serde_json::Value,
    /// Whether anyone may read it, or only staff until one of them publishes it.
    #[serde(default)]
    pub state: DocumentState,
    /// Lines of the cleaned text that still look like spam, for the reviewer (empty when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review: Vec<String>,
}

/// Who may read a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Public: listed, shown and searchable for everyone. (The default of documents stored
    /// before drafts existed, and of backups written then.)
    #[default]
    Published,
    /// Imported, not yet reviewed: commission staff and admins see it, nobody else, and search
    /// does not find it.
    Draft,
}

impl DocumentState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            DocumentState::Published => "published",
            DocumentState::Draft => "draft",
        }
    }

    /// The state of a stored code.
    pub fn from_code(code: &str) -> Option<DocumentState> {
        match code {
            "published" => Some(DocumentState::Published),
            "draft" => Some(DocumentState::Draft),
            _ => None,
        }
    }
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// Id.
    pub id: i64,
    /// The account that imported it; `None` for the command line.
    pub imported_by: Option<i64>,
    /// When it was imported.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub document: NewDocument,
}

/// Filters for document queries; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Only documents in this script (`hans`, `hant`, `mixed`, `none`).
    pub script: Option<String>,
    /// Only documents in this state.
    pub state: Option<DocumentState>,
}

/// A stored policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRecord {
    /// Id.
    pub id: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub policy: qiao_domain::Policy,
}

/// A stored target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// Id.
    pub id: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub target: qiao_domain::Target,
}

/// Filters for target queries; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    /// Only this region, as written on the target.
    pub region: Option<String>,
    /// Only this year.
    pub year: Option<i32>,
}

/// A stored deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRecord {
    /// Id.
    pub id: i64,
    /// Rises by one with every write; a change made from an older read is refused.
    pub version: i64,
    /// The account that opened it (`None` for imports and the demo loader).
    pub created_by: Option<i64>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub deal: qiao_domain::Deal,
}

/// One step of a deal's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealEventRecord {
    /// Id (history order).
    pub id: i64,
    /// The deal.
    pub deal_id: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: qiao_domain::DealEvent,
}

/// A stored technology contract and its registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRecord {
    /// Id.
    pub id: i64,
    /// Rises by one with every write; a change made from an older read is refused.
    pub version: i64,
    /// The account that recorded it (`None` for imports and the demo loader).
    pub created_by: Option<i64>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The contract.
    pub contract: qiao_domain::Contract,
    /// Its registration (认定登记) and what the state carries.
    pub registration: qiao_domain::Registration,
}

/// One step of a contract's registration history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractEventRecord {
    /// Id (history order).
    pub id: i64,
    /// The contract.
    pub contract_id: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: qiao_domain::RegistrationEvent,
}

/// Contracts and amounts: one cell of the statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turnover {
    /// How many registered contracts.
    pub contracts: i64,
    /// 合同成交额 in 分.
    pub amount_fen: i64,
    /// 技术交易额 in 分.
    pub technical_fen: i64,
}

impl Turnover {
    /// Adds `other` to this cell.
    pub fn add(&mut self, other: Turnover) {
        self.contracts += other.contracts;
        self.amount_fen += other.amount_fen;
        self.technical_fen += other.technical_fen;
    }
}

/// The registered contracts of one year, broken down the ways a commission reports them.
/// Every breakdown's rows are sorted by key and add up to `total`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContractStatistics {
    /// The year (of the registration dates).
    pub year: i32,
    /// The district, or `None` for the whole platform. A district's contracts are those whose
    /// seller is in it (输出); `absorbed` counts those whose buyer is (吸纳).
    pub district: Option<String>,
    /// Everything counted.
    pub total: Turnover,
    /// By month, `01` to `12`.
    pub by_month: Vec<(String, Turnover)>,
    /// By contract type code.
    pub by_kind: Vec<(String, Turnover)>,
    /// By technology field code.
    pub by_field: Vec<(String, Turnover)>,
    /// For a district: where its buyers are. For the platform: 输出 by the seller's district.
    pub by_district_out: Vec<(String, Turnover)>,
    /// For a district: where the sellers it absorbs from are. For the platform: 吸纳 by the
    /// buyer's district.
    pub by_district_in: Vec<(String, Turnover)>,
    /// For a district: 吸纳, the contracts whose buyer is in it.
    pub absorbed: Turnover,
}

/// A technology manager's credit for registered contracts: each contract from a deal they
/// broker, apportioned by their share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerCredit {
    /// The manager's account.
    pub account_id: i64,
    /// Their part of the contracts' amounts (`contracts` counts whole contracts).
    pub turnover: Turnover,
}

/// What a valuation is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ValuationSubject {
    /// An achievement listing.
    Listing(i64),
    /// A deal.
    Deal(i64),
}

impl ValuationSubject {
    /// The stored kind (`listing`, `deal`) and id.
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            ValuationSubject::Listing(id) => ("listing", id),
            ValuationSubject::Deal(id) => ("deal", id),
        }
    }

    /// The subject of a stored kind and id.
    pub fn parse(kind: &str, id: i64) -> Option<ValuationSubject> {
        match kind {
            "listing" => Some(ValuationSubject::Listing(id)),
            "deal" => Some(ValuationSubject::Deal(id)),
            _ => None,
        }
    }
}

/// A saved valuation: one version of a subject's valuation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValuationRecord {
    /// Id.
    pub id: i64,
    /// What it values.
    pub subject: ValuationSubject,
    /// 1 for the subject's first save, then 2, 3…
    pub version: i64,
    /// The note the saver wrote (may be empty).
    pub note: String,
    /// What it was computed from.
    pub inputs: qiao_domain::valuation::Inputs,
    /// Every figure, as computed when saved.
    pub result: qiao_domain::valuation::Valuation,
    /// Who saved it (`None` for the command line and the demo loader).
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A stored application to a challenge (揭榜).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    /// Id.
    pub id: i64,
    /// Rises by one with every write; a change made from an older read is refused.
    pub version: i64,
    /// The account that submitted it (`None` for the demo loader).
    pub created_by: Option<i64>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its fields.
    #[serde(flatten)]
    pub application: qiao_domain::Application,
}

/// One step of an application's review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationEventRecord {
    /// Id (history order).
    pub id: i64,
    /// The application.
    pub application_id: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: qiao_domain::ApplicationEvent,
}

/// An application and its history, as a backup keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationBackup {
    /// The application.
    pub record: ApplicationRecord,
    /// Its history, oldest first.
    pub events: Vec<ApplicationEventRecord>,
}

/// One application's change in a review written as a whole (several applications and the
/// challenge's status in one transaction).
#[derive(Debug, Clone)]
pub struct ApplicationChange {
    /// The application.
    pub id: i64,
    /// The version the change was computed from.
    pub version: i64,
    /// Its new fields.
    pub application: qiao_domain::Application,
    /// The event for its history.
    pub event: qiao_domain::ApplicationEvent,
}
