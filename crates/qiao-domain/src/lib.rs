//! Qiao's domain: the records of the technology-transfer marketplace and the rules over them.
//!
//! Everything here is plain data plus pure functions. It knows nothing of HTTP, SQL or the search
//! index, so the same validation runs for the JSON API, the bulk importer and the demo loader, and
//! every rule can be tested on a value.
//!
//! - [`invalid`]: the one validation error type, a list of field errors that name the fix.
//! - [`rule`]: the rules a field can break, as codes with values, said in English and Chinese.
//! - [`codes`]: identifiers with check rules: 统一社会信用代码 (GB 32100-2015), IPC classes,
//!   industry codes (GB/T 4754-2017).
//! - [`money`]: amounts written with Chinese units (50万元, 2.3亿).
//! - [`org`]: organisations and their certificates on the enterprise ladder.
//! - [`account`]: people, roles and what a role may do.
//! - [`listing`]: achievements, demands, challenges, scenarios and resources.
//! - [`application`]: 揭榜, applications to a challenge and their review.
//! - [`booking`]: booking an instrument's time slots, and 创新券 that pay part of it.
//! - [`contact`]: contact requests, the gate of tiered disclosure.
//! - [`deal`]: deals, the technology manager's workbench, and the forecast of 成交额.
//! - [`contract`]: technology contracts (技术合同) in the registry's terms, amounts in 分.
//! - [`registration`]: 认定登记 as a state machine; only registered contracts count.
//! - [`precheck`]: 登记预检 and the tax treatments, with the rules as data
//!   (`rules/registration.json`).
//! - [`policy`]: enterprise-support policies and who qualifies for them, condition by condition.
//! - [`target`]: a region's yearly targets and how the data measures them.
//! - [`valuation`]: what a technology is worth by the income, cost and market approaches.

#[macro_use]
mod coded;

pub mod account;
pub mod application;
pub mod attachment;
pub mod booking;
pub mod codes;
pub mod contact;
pub mod contract;
pub mod deal;
pub mod invalid;
pub mod listing;
pub mod money;
pub mod notification;
pub mod org;
pub mod policy;
pub mod precheck;
pub mod registration;
pub mod rule;
pub mod target;
pub mod thread;
pub mod valuation;

pub use account::{Account, AccountChange, AccountContact, NewAccount, Role};
pub use application::{
    Application, ApplicationAction, ApplicationError, ApplicationEvent, ApplicationStatus,
    Proposal, Score,
};
pub use contact::{ContactRequest, ContactStatus, Decision, DeclineReason, NewContactRequest};
pub use contract::{
    Contract, ContractCategory, ContractKind, Instalment, IpType, LegalPersonType,
    NonTechnicalItem, Party, PaymentTerms, TechField,
};
pub use deal::{
    ContractMilestone, Deal, DealAction, DealActionKind, DealError, DealEvent, DealStage,
    DealStatus, Forecast, ManagerShare, NextStep, Origin, StageProbabilities, StatusKind,
    TerminationReason,
};
pub use invalid::{FieldError, Invalid};
pub use listing::{Kind, Listing, Stage, Status};
pub use org::{CertKind, Certificate, OrgKind, Organisation, Verification};
pub use policy::{Eligibility, Outcome, Policy};
pub use precheck::{Finding, RuleBook, Severity, precheck};
pub use registration::{
    Action as RegistrationAction, ActionKind as RegistrationActionKind, Actor as RegistrationActor,
    Event as RegistrationEvent, RefusalGround, Registered, Registration, RegistrationNumber,
    RegistrationState, TransitionError,
};
pub use rule::{Format, Record, Rule};
pub use target::{Metric, Target};

/// Today's date in China Standard Time (UTC+8, no daylight saving), which decides expiry,
/// deadlines and certificate validity everywhere in Qiao.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
