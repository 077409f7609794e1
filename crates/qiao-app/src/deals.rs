//! Deals, the technology manager's workbench: opening a deal (from an accepted contact request,
//! from a match, or by hand), moving it through its stages, and the board and forecast each
//! role may see.
//!
//! Who sees what: a technology manager the deals they broker, staff and admins every deal of
//! the platform (a deployment serves one region's commission), a member the deals its
//! organisation is a party to. Amounts and terms are confidential to those, so every read goes
//! through [`load`] or [`board`], which apply that rule, and a deal another account may not see
//! reads as one that does not exist. Only the deal's managers, staff and admins change it; the
//! stage rules themselves are the domain's (`Deal::apply`).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use qiao_domain::notification::{NotificationKind, Target, TargetKind};
use qiao_domain::{
    Account, ContactStatus, Deal, DealAction, DealStage, DealStatus, Forecast, Kind, ManagerShare,
    Origin, Role, StageProbabilities, TechField,
};
use qiao_store::{
    ContactFilter, ContractFilter, ContractRecord, DealEventRecord, DealFilter, DealRecord, Page,
    Paged, Store, StoreError,
};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// Whether `user` may open deals: technology managers, staff and admins.
pub fn may_open(user: &Account) -> bool {
    user.is_staff() || user.role == Role::TechnologyManager
}

/// Whether `user` may read `deal`.
pub fn may_read(user: &Account, deal: &Deal) -> bool {
    user.is_staff()
        || deal.managers.iter().any(|m| m.account_id == user.id)
        || user
            .org_id
            .is_some_and(|o| deal.seller_org_id == Some(o) || deal.buyer_org_id == Some(o))
}

/// Whether `user` may change `deal`: its managers, staff and admins.
pub fn may_change(user: &Account, deal: &Deal) -> bool {
    user.is_staff() || deal.managers.iter().any(|m| m.account_id == user.id)
}

/// A deal as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DealView {
    /// The deal.
    pub record: DealRecord,
    /// Its history, oldest first.
    pub events: Vec<DealEventRecord>,
    /// The contracts recorded from it.
    pub contracts: Vec<ContractRecord>,
    /// Whether the viewer may change it.
    pub may_change: bool,
}

/// A deal by hand, as the form and the API send it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeal {
    /// A short title.
    pub title: String,
    /// The listings it concerns.
    #[serde(default)]
    pub listing_ids: Vec<i64>,
    /// The selling organisation, once known.
    #[serde(default)]
    pub seller_org_id: Option<i64>,
    /// The buying organisation, once known.
    #[serde(default)]
    pub buyer_org_id: Option<i64>,
    /// The brokering managers and their shares; the opening manager alone (100 %) when empty.
    #[serde(default)]
    pub managers: Vec<ManagerShare>,
    /// The district it counts for; the seller's when empty.
    #[serde(default)]
    pub district: Option<String>,
    /// The technology field.
    #[serde(default)]
    pub field: Option<TechField>,
    /// The expected 成交额 in 分.
    #[serde(default)]
    pub expected_amount_fen: Option<i64>,
    /// The expected signing date.
    #[serde(default)]
    pub expected_close_on: Option<NaiveDate>,
    /// A note for the history.
    #[serde(default)]
    pub note: Option<String>,
}

/// Loads deal `id` if `user` may read it; a 404 otherwise, so ids reveal nothing.
pub async fn load(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<DealRecord> {
    match store.get_deal(id).await {
        Ok(r) if may_read(user, &r.deal) => Ok(r),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(AppError::not_found("deal", id)),
        Err(e) => Err(e.into()),
    }
}

/// Deal `id` with its history and contracts, for its page.
pub async fn view(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<DealView> {
    let record = load(store, user, id).await?;
    let events = store.deal_events(id).await?;
    let contracts = store
        .contracts(
            &ContractFilter {
                deal_id: Some(id),
                ..ContractFilter::default()
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await?
        .items;
    Ok(DealView {
        may_change: may_change(user, &record.deal),
        record,
        events,
        contracts,
    })
}

/// The filter `user` may see through, narrowed by what they asked for: a manager their deals,
/// a member their organisation's, staff every deal.
pub fn visible_filter(user: &Account, mut asked: DealFilter) -> AppResult<DealFilter> {
    if user.is_staff() {
        return Ok(asked);
    }
    if user.role == Role::TechnologyManager {
        asked.manager_id = Some(user.id);
        return Ok(asked);
    }
    match user.org_id {
        Some(org) => {
            asked.party_org_id = Some(org);
            asked.manager_id = None;
            Ok(asked)
        }
        None => Err(AppError::forbidden(
            "deals are seen by their technology managers, their parties and staff",
        )),
    }
}

/// One page of the deals `user` may see, filtered as asked.
pub async fn list(
    store: &Arc<dyn Store>,
    user: &Account,
    asked: DealFilter,
    page: Page,
) -> AppResult<Paged<DealRecord>> {
    let filter = visible_filter(user, asked)?;
    Ok(store.deals(&filter, page).await?)
}

/// Every deal `user` may see under `asked` (the board shows them by stage).
pub async fn board(
    store: &Arc<dyn Store>,
    user: &Account,
    asked: DealFilter,
) -> AppResult<Vec<DealRecord>> {
    let filter = visible_filter(user, asked)?;
    Ok(store.all_deals(&filter).await?)
}

fn require_opener(user: &Account) -> AppResult<()> {
    if may_open(user) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "deals are opened by technology managers (技术经理人) and staff",
        ))
    }
}

/// The managers of a new deal: those given, else the opening manager alone.
fn managers_for(user: &Account, given: Vec<ManagerShare>) -> Vec<ManagerShare> {
    if given.is_empty() && user.role == Role::TechnologyManager {
        vec![ManagerShare {
            account_id: user.id,
            share_bp: qiao_domain::deal::FULL_BP,
        }]
    } else {
        given
    }
}

/// Checks that every manager named is a technology manager's account: the managers read and
/// change the deal, so naming anyone else (a member of an unrelated organisation, an id of no
/// account) would hand them the deal's amounts. Errors name `managers[i].account_id`.
async fn check_managers(store: &Arc<dyn Store>, managers: &[ManagerShare]) -> AppResult<()> {
    let mut fields = Vec::new();
    for (i, m) in managers.iter().enumerate() {
        let rule = match store.get_account(m.account_id).await {
            Ok(a) if a.role == Role::TechnologyManager => continue,
            Ok(a) => qiao_domain::Rule::NotOneOf {
                found: a.role.as_str().to_string(),
                allowed: vec![Role::TechnologyManager.as_str().to_string()],
            },
            Err(StoreError::NotFound { .. }) => qiao_domain::Rule::NotFound {
                record: qiao_domain::Record::Account,
                id: m.account_id,
            },
            Err(e) => return Err(e.into()),
        };
        fields.push(qiao_domain::FieldError::new(
            format!("managers[{i}].account_id"),
            rule,
        ));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(qiao_domain::Invalid(fields)))
    }
}

/// The district an organisation is registered in, if it exists and says.
async fn district_of(store: &Arc<dyn Store>, org: Option<i64>) -> AppResult<Option<String>> {
    let Some(id) = org else { return Ok(None) };
    match store.get_org(id).await {
        Ok(o) => Ok(o.org.district),
        Err(StoreError::NotFound { .. }) => Err(AppError::Invalid(qiao_domain::Invalid::field(
            "seller_org_id",
            qiao_domain::Rule::NotFound {
                record: qiao_domain::Record::Organisation,
                id,
            },
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn store_new(
    store: &Arc<dyn Store>,
    user: &Account,
    deal: Deal,
    note: Option<String>,
) -> AppResult<DealRecord> {
    let event = deal.opened(user.id, Utc::now(), note);
    let record = store.acting_as(user.id).create_deal(&deal, &event).await?;
    notify_opened(store, user, &record).await;
    Ok(record)
}

/// Opens a deal by hand.
pub async fn open(store: &Arc<dyn Store>, user: &Account, new: NewDeal) -> AppResult<DealRecord> {
    require_opener(user)?;
    let district = match new.district.filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(d),
        None => district_of(store, new.seller_org_id).await?,
    };
    check_managers(store, &new.managers).await?;
    let deal = Deal {
        title: new.title,
        listing_ids: new.listing_ids,
        seller_org_id: new.seller_org_id,
        buyer_org_id: new.buyer_org_id,
        managers: managers_for(user, new.managers),
        origin: Origin::ByHand,
        stage: DealStage::Lead,
        status: Default::default(),
        next_step: None,
        expected_amount_fen: new.expected_amount_fen,
        expected_close_on: new.expected_close_on,
        district,
        field: new.field,
    };
    store_new(store, user, deal, new.note).await
}

/// Seller and buyer of a pair of listings: an achievement's (or an expert's or institution's)
/// owner sells, the owner of a demand, challenge or scenario buys.
fn sides(kind: Kind, owner: Option<i64>, other: Option<i64>) -> (Option<i64>, Option<i64>) {
    match kind {
        Kind::Demand | Kind::Challenge | Kind::Scenario => (other, owner),
        _ => (owner, other),
    }
}

/// Opens a deal from an accepted contact request (one click on the leads list): the listing,
/// its owner and the requester's organisation on their sides, the request as the origin.
pub async fn open_from_contact(
    store: &Arc<dyn Store>,
    user: &Account,
    contact_request_id: i64,
) -> AppResult<DealRecord> {
    require_opener(user)?;
    let request = match store.get_contact_request(contact_request_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound { .. }) => {
            return Err(AppError::not_found("contact request", contact_request_id));
        }
        Err(e) => return Err(e.into()),
    };
    if request.status != ContactStatus::Accepted {
        return Err(AppError::Conflict(
            "a deal opens from an accepted contact request; this one is not accepted".into(),
        ));
    }
    if let Some(existing) = deal_of_contact(store, contact_request_id).await? {
        return Err(AppError::Conflict(format!(
            "deal {existing} was already opened from this contact request"
        )));
    }
    let listing = store.get_listing(request.listing_id).await?;
    let kind = listing.listing.kind();
    let (seller, buyer) = sides(kind, request.owner_org_id, request.requester_org_id);
    let deal = Deal {
        title: listing.listing.title().chars().take(200).collect(),
        listing_ids: vec![request.listing_id],
        seller_org_id: seller,
        buyer_org_id: buyer,
        managers: managers_for(user, Vec::new()),
        origin: Origin::ContactRequest { contact_request_id },
        stage: DealStage::Contact,
        status: Default::default(),
        next_step: None,
        expected_amount_fen: None,
        expected_close_on: None,
        district: district_of(store, seller).await.unwrap_or(None),
        field: None,
    };
    store_new(store, user, deal, None).await
}

/// Opens a deal from a match shown on a listing's page: both listings, their owners on their
/// sides, the match as the origin.
pub async fn open_from_match(
    store: &Arc<dyn Store>,
    user: &Account,
    listing_id: i64,
    matched_listing_id: i64,
) -> AppResult<DealRecord> {
    require_opener(user)?;
    let found = store
        .get_listings(&[listing_id, matched_listing_id])
        .await?;
    let get = |id: i64| {
        found
            .iter()
            .find(|l| l.id == id)
            .ok_or_else(|| AppError::not_found("listing", id))
    };
    let (a, b) = (get(listing_id)?, get(matched_listing_id)?);
    if a.listing.status() == qiao_domain::Status::Draft
        || b.listing.status() == qiao_domain::Status::Draft
    {
        return Err(AppError::not_found("listing", matched_listing_id));
    }
    let (seller, buyer) = sides(a.listing.kind(), a.owner_org_id, b.owner_org_id);
    let title: String = format!("{} ↔ {}", a.listing.title(), b.listing.title())
        .chars()
        .take(200)
        .collect();
    let deal = Deal {
        title,
        listing_ids: vec![listing_id, matched_listing_id],
        seller_org_id: seller,
        buyer_org_id: buyer,
        managers: managers_for(user, Vec::new()),
        origin: Origin::Match {
            listing_id,
            matched_listing_id,
        },
        stage: DealStage::Lead,
        status: Default::default(),
        next_step: None,
        expected_amount_fen: None,
        expected_close_on: None,
        district: district_of(store, seller).await.unwrap_or(None),
        field: None,
    };
    store_new(store, user, deal, None).await
}

/// The deal an award of application `application_id` to `challenge` opens (stored by the
/// award itself, in its transaction): the applicant sells, the challenge's owner buys, the
/// reward is the expected amount, at 对接洽谈 (the parties know each other now). It has no
/// managers until a technology manager claims it ([`claim`], from [`unclaimed`]) or staff name
/// them.
pub(crate) async fn from_award(
    store: &Arc<dyn Store>,
    challenge: &qiao_store::ListingRecord,
    application_id: i64,
    application: &qiao_domain::Application,
) -> AppResult<Deal> {
    let (seller, buyer) = sides(
        Kind::Challenge,
        challenge.owner_org_id,
        Some(application.applicant_org_id),
    );
    let reward = match &challenge.listing {
        qiao_domain::Listing::Challenge(c) => c
            .reward_yuan
            .checked_mul(100)
            .filter(|f| *f <= qiao_domain::contract::MAX_AMOUNT_FEN),
        _ => None,
    };
    let title: String = format!("揭榜：{}", challenge.listing.title())
        .chars()
        .take(200)
        .collect();
    Ok(Deal {
        title,
        listing_ids: vec![challenge.id],
        seller_org_id: seller,
        buyer_org_id: buyer,
        managers: Vec::new(),
        origin: Origin::Challenge {
            listing_id: challenge.id,
            application_id,
        },
        stage: DealStage::Contact,
        status: Default::default(),
        next_step: None,
        expected_amount_fen: reward,
        expected_close_on: None,
        district: district_of(store, seller).await.unwrap_or(None),
        field: None,
    })
}

/// The deal opened from contact request `id`, if any.
async fn deal_of_contact(store: &Arc<dyn Store>, id: i64) -> AppResult<Option<i64>> {
    let deals = store.all_deals(&DealFilter::default()).await?;
    Ok(deals
        .iter()
        .find(|d| {
            d.deal.origin
                == Origin::ContactRequest {
                    contact_request_id: id,
                }
        })
        .map(|d| d.id))
}

/// An accepted contact request no deal follows yet: a lead for the managers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lead {
    /// The request.
    pub contact_request_id: i64,
    /// The listing asked about.
    pub listing_id: i64,
    /// Its title.
    pub listing_title: String,
    /// When the owner accepted.
    pub accepted_at: chrono::DateTime<Utc>,
}

/// Accepted contact requests without a deal, newest first (managers and staff only): where a
/// manager finds work. At most one page of the newest requests is looked at.
pub async fn leads(store: &Arc<dyn Store>, user: &Account) -> AppResult<Vec<Lead>> {
    require_opener(user)?;
    let accepted = store
        .contact_requests(
            &ContactFilter {
                status: Some(ContactStatus::Accepted),
                ..ContactFilter::default()
            },
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await?
        .items;
    let deals = store.all_deals(&DealFilter::default()).await?;
    let taken: std::collections::HashSet<i64> = deals
        .iter()
        .filter_map(|d| match d.deal.origin {
            Origin::ContactRequest { contact_request_id } => Some(contact_request_id),
            _ => None,
        })
        .collect();
    let open: Vec<_> = accepted
        .into_iter()
        .filter(|r| !taken.contains(&r.id))
        .collect();
    let ids: Vec<i64> = open.iter().map(|r| r.listing_id).collect();
    let listings = store.get_listings(&ids).await?;
    Ok(open
        .into_iter()
        .filter_map(|r| {
            let l = listings.iter().find(|l| l.id == r.listing_id)?;
            Some(Lead {
                contact_request_id: r.id,
                listing_id: r.listing_id,
                listing_title: l.listing.title().to_string(),
                accepted_at: r.updated_at,
            })
        })
        .collect())
}

/// Deals no technology manager brokers yet, still open or paused, the most recently changed
/// first (managers and staff): an award opens its deal without a manager, and this is where one
/// finds it. Deals are made by people, so these are few.
pub async fn unclaimed(store: &Arc<dyn Store>, user: &Account) -> AppResult<Vec<DealRecord>> {
    require_opener(user)?;
    Ok(store
        .all_deals(&DealFilter {
            unmanaged: true,
            ..DealFilter::default()
        })
        .await?)
}

/// A technology manager takes on deal `id`, which has no manager, if it is still at `version`:
/// they become its manager with the whole credit (认领). Two managers claiming at once: the
/// second is refused, as the deal changed.
pub async fn claim(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
) -> AppResult<DealRecord> {
    if user.role != Role::TechnologyManager {
        return Err(AppError::forbidden(
            "a deal is claimed by a technology manager (技术经理人); staff name its managers",
        ));
    }
    let current = store.get_deal(id).await?;
    let claimable = current.deal.managers.is_empty()
        && matches!(current.deal.status, DealStatus::Open | DealStatus::Paused);
    if !claimable {
        // Only what the unclaimed list shows may be claimed; any other deal is the 404 of a
        // deal the manager may not see, unless they may (then it is said why).
        if may_read(user, &current.deal) {
            return Err(AppError::Conflict(
                "该交易已有技术经理人或已结束 (the deal has a manager already, or has ended)"
                    .into(),
            ));
        }
        return Err(AppError::not_found("deal", id));
    }
    let action = DealAction::SetManagers {
        managers: vec![ManagerShare {
            account_id: user.id,
            share_bp: qiao_domain::deal::FULL_BP,
        }],
    };
    let updated = store_action(
        store,
        user,
        &current,
        version,
        action,
        Some("认领 (claimed)".into()),
    )
    .await?;
    let d = &updated.deal;
    let zh = format!("交易《{}》已由技术经理人{}认领", d.title, user.display_name);
    let en = format!(
        "The deal “{}” was claimed by the technology manager {}",
        d.title, user.display_name
    );
    notify_parties(store, user, &updated, zh, en).await;
    Ok(updated)
}

/// Applies `action` to deal `id` as `user`, if the deal is still at `version`.
pub async fn act(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
    action: DealAction,
    note: Option<String>,
) -> AppResult<DealRecord> {
    let current = load(store, user, id).await?;
    if !may_change(user, &current.deal) {
        return Err(AppError::forbidden(
            "only the deal's technology managers and staff change it",
        ));
    }
    if let DealAction::SetManagers { managers } = &action {
        check_managers(store, managers).await?;
    }
    let updated = store_action(store, user, &current, version, action, note).await?;
    if updated.deal.stage != current.deal.stage {
        notify_stage(store, user, &updated).await;
    }
    Ok(updated)
}

/// Applies `action` by `user` to `current` ([`Deal::apply`]: a step the rules forbid is a
/// conflict, bad data invalid) and stores the result with its event, if the deal is still at
/// `version`.
async fn store_action(
    store: &Arc<dyn Store>,
    user: &Account,
    current: &DealRecord,
    version: i64,
    action: DealAction,
    note: Option<String>,
) -> AppResult<DealRecord> {
    let (deal, event) = current
        .deal
        .apply(action, user.id, Utc::now(), note)
        .map_err(|e| match e {
            qiao_domain::DealError::Invalid(invalid) => AppError::Invalid(invalid),
            other => AppError::Conflict(other.to_string()),
        })?;
    Ok(store
        .acting_as(user.id)
        .update_deal(current.id, version, &deal, std::slice::from_ref(&event))
        .await?)
}

/// Moves the deal contract `record` came from to where the contract's `milestone` puts it
/// ([`Deal::follow_contract`]: 登记 on submission, 履约 on registration, winning an open deal
/// on the way), as `user`, who took the registration step; their deal may be one they could not
/// change by hand (a registration point's staff, the seller's members).
///
/// The contract's step is already stored when this runs, in its own transaction: the deal's
/// stage follows from it and is not part of it, so a deal that cannot follow (changed in between
/// twice, or gone) leaves the contract's step standing, is logged, and keeps its stage for its
/// managers to move.
pub async fn follow_contract(
    store: &Arc<dyn Store>,
    user: &Account,
    record: &ContractRecord,
    milestone: qiao_domain::ContractMilestone,
) {
    let Some(deal_id) = record.contract.deal_id else {
        return;
    };
    let note = match milestone {
        qiao_domain::ContractMilestone::Submitted => format!(
            "合同《{}》已提交登记 (contract #{} submitted for registration)",
            record.contract.name, record.id
        ),
        qiao_domain::ContractMilestone::Registered => format!(
            "合同《{}》已登记 (contract #{} registered)",
            record.contract.name, record.id
        ),
    };
    // One retry: a manager's edit between the read and the write is the only expected conflict.
    for _ in 0..2 {
        let current = match store.get_deal(deal_id).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(deal_id, error = %e, "the deal of a registered contract could not be read");
                return;
            }
        };
        let Some((deal, events)) =
            current
                .deal
                .follow_contract(milestone, user.id, Utc::now(), &note)
        else {
            return;
        };
        match store
            .acting_as(user.id)
            .update_deal(deal_id, current.version, &deal, &events)
            .await
        {
            Ok(updated) => {
                notify_stage(store, user, &updated).await;
                return;
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => {
                tracing::warn!(deal_id, error = %e, "the deal of a registered contract did not follow it");
                return;
            }
        }
    }
    tracing::warn!(
        deal_id,
        "the deal of a registered contract changed twice while following it"
    );
}

/// Tells a deal's parties and managers (not the one who opened it) that it was opened, and at
/// which stage: a deal opened from a contact request, a match or an award concerns both sides.
pub(crate) async fn notify_opened(store: &Arc<dyn Store>, user: &Account, record: &DealRecord) {
    let d = &record.deal;
    let zh = format!(
        "新交易《{}》已创建，处于“{}”阶段",
        d.title,
        d.stage.label_zh()
    );
    let en = format!(
        "A new deal “{}” was opened at the stage “{}”",
        d.title,
        d.stage.label_en()
    );
    notify_parties(store, user, record, zh, en).await;
}

/// Tells a deal's parties and managers (not the one who moved it) of its new stage.
async fn notify_stage(store: &Arc<dyn Store>, user: &Account, record: &DealRecord) {
    let d = &record.deal;
    let zh = format!("交易《{}》进入“{}”阶段", d.title, d.stage.label_zh());
    let en = format!(
        "The deal “{}” moved to the stage “{}”",
        d.title,
        d.stage.label_en()
    );
    notify_parties(store, user, record, zh, en).await;
}

/// A `deal_stage` notification of `record` to its parties' organisations and its managers,
/// not to `user`, who caused it.
async fn notify_parties(
    store: &Arc<dyn Store>,
    user: &Account,
    record: &DealRecord,
    title: String,
    title_en: String,
) {
    let d = &record.deal;
    crate::notifications::notify(
        store,
        crate::notifications::event(
            NotificationKind::DealStage,
            Target {
                kind: TargetKind::Deal,
                id: record.id,
            },
            title,
            title_en,
            [d.seller_org_id, d.buyer_org_id]
                .into_iter()
                .flatten()
                .collect(),
            d.managers.iter().map(|m| m.account_id).collect(),
            Some(user.id),
        ),
    )
    .await;
}

/// The forecast beside a district's 成交额 target: open deals expected to close in `year`,
/// weighted by the stage probabilities staff set.
pub async fn forecast(
    store: &Arc<dyn Store>,
    user: &Account,
    district: Option<&str>,
    year: i32,
) -> AppResult<(Forecast, StageProbabilities)> {
    let filter = visible_filter(
        user,
        DealFilter {
            district: district.map(str::to_string),
            close_year: Some(year),
            status: Some("open".into()),
            ..DealFilter::default()
        },
    )?;
    let deals = store.all_deals(&filter).await?;
    let probabilities = store.stage_probabilities().await?;
    let forecast = qiao_domain::deal::forecast(deals.iter().map(|d| &d.deal), &probabilities);
    Ok((forecast, probabilities))
}

/// Sets the stage probabilities (staff and admins).
pub async fn set_probabilities(
    store: &Arc<dyn Store>,
    user: &Account,
    probabilities: &StageProbabilities,
) -> AppResult<()> {
    if !user.is_staff() {
        return Err(AppError::forbidden(
            "the stage probabilities are set by staff",
        ));
    }
    Ok(store
        .acting_as(user.id)
        .set_stage_probabilities(probabilities)
        .await?)
}

/// The year a forecast counts by default: this one.
pub fn this_year() -> i32 {
    Utc::now().date_naive().year()
}
