//! Technology contracts and their registration: recording a contract (by a party, the deal's
//! technology manager or staff), the pre-check before submitting, and the registration steps
//! each side takes.
//!
//! Who may do what, in one place:
//! - read: the parties' members, the managers of the deal it came from, whoever recorded it,
//!   staff and admins. Others get a 404, so ids reveal nothing, and amounts never leave this
//!   circle through lists (see [`visible_filter`]).
//! - edit the terms: the same circle less staff-as-readers, and only while the contract is a
//!   draft or being corrected; a registered contract changes by the registration point's
//!   amendment.
//! - submit and withdraw: the seller's side (its members, the deal's managers, who often file
//!   for their clients), after a pre-check that finds nothing the registry would refuse.
//! - ask for corrections, register, refuse, amend, cancel: staff, acting as the registration
//!   point (技术合同登记机构).
//!
//! A contract recorded from a deal carries the deal along: submitting it moves the deal to 登记,
//! registering it to 履约 (`deals::follow_contract`), so no manager has to repeat by hand what the
//! registry already knows.

use std::sync::Arc;

use chrono::Utc;
use qiao_domain::precheck::submittable;
use qiao_domain::{
    Account, Contract, ContractMilestone, Finding, Registration, RegistrationAction,
    RegistrationActor, RegistrationState, Role, precheck,
};
use qiao_store::{
    ContractEventRecord, ContractFilter, ContractRecord, Page, Paged, Store, StoreError,
};

use crate::error::{AppError, AppResult};

/// The registration point staff act as when none is named.
pub const DEFAULT_POINT: &str = "本区技术合同登记点";

/// What `user` may do with one contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Access {
    /// See it at all.
    pub read: bool,
    /// Change its terms while it is a draft or being corrected.
    pub edit: bool,
    /// Submit or withdraw it, for the seller.
    pub seller: bool,
    /// Act as the registration point.
    pub registrar: bool,
}

/// Whether `user` brokers deal `deal_id`.
async fn brokers(store: &Arc<dyn Store>, user: &Account, deal_id: Option<i64>) -> AppResult<bool> {
    let Some(id) = deal_id else { return Ok(false) };
    match store.get_deal(id).await {
        Ok(d) => Ok(d.deal.managers.iter().any(|m| m.account_id == user.id)),
        Err(StoreError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// What `user` may do with `contract` (recorded by `created_by`).
pub async fn access(
    store: &Arc<dyn Store>,
    user: &Account,
    contract: &Contract,
    created_by: Option<i64>,
) -> AppResult<Access> {
    let of = |org: Option<i64>| org.is_some() && org == user.org_id;
    let seller_member = of(contract.seller.org_id);
    let buyer_member = of(contract.buyer.org_id);
    let manager = brokers(store, user, contract.deal_id).await?;
    let admin = user.role == Role::Admin;
    let party = seller_member || buyer_member || manager || created_by == Some(user.id);
    Ok(Access {
        read: party || user.is_staff(),
        edit: party || admin,
        seller: seller_member || manager || admin,
        registrar: user.is_staff(),
    })
}

/// A contract as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContractView {
    /// The contract and its registration.
    pub record: ContractRecord,
    /// The registration history.
    pub events: Vec<ContractEventRecord>,
    /// What the pre-check finds (the registry's likely objections and the tax treatments).
    pub findings: Vec<Finding>,
    /// What the viewer may do.
    pub access: Access,
}

/// Loads contract `id` if `user` may read it (a 404 otherwise), with what they may do.
pub async fn load(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
) -> AppResult<(ContractRecord, Access)> {
    let record = match store.get_contract(id).await {
        Ok(r) => r,
        Err(StoreError::NotFound { .. }) => return Err(AppError::not_found("contract", id)),
        Err(e) => return Err(e.into()),
    };
    let access = access(store, user, &record.contract, record.created_by).await?;
    if !access.read {
        return Err(AppError::not_found("contract", id));
    }
    Ok((record, access))
}

/// Contract `id` with its history and pre-check, for its page.
pub async fn view(store: &Arc<dyn Store>, user: &Account, id: i64) -> AppResult<ContractView> {
    let (record, access) = load(store, user, id).await?;
    let events = store.contract_events(id).await?;
    let findings = precheck(&record.contract);
    Ok(ContractView {
        record,
        events,
        findings,
        access,
    })
}

/// The filter `user` may list contracts through: staff every contract, a manager those of the
/// deals they broker, a member its organisation's.
pub fn visible_filter(user: &Account, mut asked: ContractFilter) -> AppResult<ContractFilter> {
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
            Ok(asked)
        }
        None => Err(AppError::forbidden(
            "contracts are seen by their parties, their technology managers and staff",
        )),
    }
}

/// One page of the contracts `user` may see.
pub async fn list(
    store: &Arc<dyn Store>,
    user: &Account,
    asked: ContractFilter,
    page: Page,
) -> AppResult<Paged<ContractRecord>> {
    let filter = visible_filter(user, asked)?;
    Ok(store.contracts(&filter, page).await?)
}

/// Records a new contract as a draft. Its parties' members, the managers of the deal it names
/// and staff may.
pub async fn record(
    store: &Arc<dyn Store>,
    user: &Account,
    mut contract: Contract,
) -> AppResult<ContractRecord> {
    let access = access(store, user, &contract, None).await?;
    if !(access.edit || user.is_staff()) {
        return Err(AppError::forbidden(
            "a contract is recorded by a member of one of its parties, the technology manager of its deal, or staff",
        ));
    }
    if let Some(deal) = contract.deal_id {
        // The deal must be one the user may see: a contract cannot attach itself to a stranger's.
        crate::deals::load(store, user, deal).await?;
    }
    contract.validate()?;
    Ok(store
        .acting_as(user.id)
        .create_contract(&contract, &Registration::Draft, None)
        .await?)
}

/// Replaces the terms of contract `id` (still at `version`), while it is a draft or being
/// corrected.
pub async fn edit(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
    mut contract: Contract,
) -> AppResult<ContractRecord> {
    let (current, access) = load(store, user, id).await?;
    if !access.edit {
        return Err(AppError::forbidden(
            "only the contract's parties and their technology manager change its terms",
        ));
    }
    let state = current.registration.state();
    if !matches!(
        state,
        RegistrationState::Draft | RegistrationState::Correcting
    ) {
        return Err(AppError::Conflict(format!(
            "a contract that is {} ({}) is not edited; the registration point records amendments",
            state.label_en(),
            state.label_zh()
        )));
    }
    if let Some(deal) = contract.deal_id
        && current.contract.deal_id != Some(deal)
    {
        // As when recording: a contract moves only to a deal the user may see, or an edit
        // would put it (and its amounts) before a stranger deal's parties.
        crate::deals::load(store, user, deal).await?;
    }
    contract.validate()?;
    Ok(store
        .acting_as(user.id)
        .update_contract(id, version, &contract)
        .await?)
}

/// Takes a registration step on contract `id` (still at `version`) as `user`: the seller's side
/// submits (after a pre-check that finds nothing blocking) and withdraws; staff do the rest as
/// registration point `point`.
pub async fn act(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    version: i64,
    action: RegistrationAction,
    point: Option<String>,
) -> AppResult<ContractRecord> {
    let (current, access) = load(store, user, id).await?;
    let actor = if action.by_seller() {
        if !access.seller {
            return Err(AppError::forbidden(
                "the seller's side (its members or the deal's technology manager) submits and withdraws",
            ));
        }
        RegistrationActor::Seller {
            account_id: user.id,
        }
    } else {
        if !access.registrar {
            return Err(AppError::forbidden(
                "registration steps are taken by staff of a registration point",
            ));
        }
        RegistrationActor::RegistrationPoint {
            account_id: user.id,
            point: point
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| DEFAULT_POINT.to_string()),
        }
    };
    if matches!(action, RegistrationAction::Submit) {
        let findings = precheck(&current.contract);
        if !submittable(&findings) {
            let blocking: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == qiao_domain::Severity::Blocks)
                .map(|f| f.zh.clone())
                .collect();
            return Err(AppError::Refused(format!(
                "登记预检未通过，请先补正：{} (the pre-check finds what the registry would refuse)",
                blocking.join("；")
            )));
        }
    }
    let milestone = match &action {
        RegistrationAction::Submit => Some(ContractMilestone::Submitted),
        RegistrationAction::Register { .. } => Some(ContractMilestone::Registered),
        _ => None,
    };
    let applied = current
        .registration
        .apply(action, &actor, Utc::now())
        .map_err(|e| match e {
            qiao_domain::TransitionError::Invalid(invalid) => AppError::Invalid(invalid),
            other => AppError::Conflict(other.to_string()),
        })?;
    let stored = store
        .acting_as(user.id)
        .set_registration(id, version, &applied.registration, &applied.event)
        .await?;
    if let Some(milestone) = milestone {
        crate::deals::follow_contract(store, user, &stored, milestone).await;
    }
    Ok(stored)
}

/// What an import of a registry list did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// New contracts.
    pub inserted: usize,
    /// Contracts whose 登记号 was known, replaced by their row.
    pub updated: usize,
    /// Parties recognised as organisations on Qiao (by 统一社会信用代码).
    pub linked_parties: usize,
}

/// Stores the rows of a registry list (登记清单) in one transaction: a row without 登记号 is a
/// draft, one with it a registered contract; a row whose 登记号 is known replaces that
/// contract. Parties whose 统一社会信用代码 belongs to an organisation on Qiao are linked to it,
/// so its members see their contracts. Staff and admins import (and the command line, which
/// passes no user).
pub async fn import(
    store: &Arc<dyn Store>,
    user: Option<&Account>,
    rows: Vec<(Contract, Option<qiao_domain::Registered>)>,
) -> AppResult<ImportOutcome> {
    if let Some(u) = user
        && !u.is_staff()
    {
        return Err(AppError::forbidden("registry lists are imported by staff"));
    }
    // Organisations are few (thousands) and rows many: one pass over the organisations.
    let everyone = qiao_store::OrgFilter::default();
    let orgs = crate::planning::every(|page| store.list_orgs(&everyone, page)).await?;
    let by_code: std::collections::HashMap<&str, i64> = orgs
        .iter()
        .map(|o| (o.org.credit_code.as_str(), o.id))
        .collect();
    let mut linked = 0;
    let mut stored = Vec::with_capacity(rows.len());
    for (mut contract, registered) in rows {
        for party in [&mut contract.seller, &mut contract.buyer] {
            if party.org_id.is_none()
                && let Some(id) = party.credit_code.as_deref().and_then(|c| by_code.get(c))
            {
                party.org_id = Some(*id);
                linked += 1;
            }
        }
        let registration = match registered {
            Some(r) => Registration::Registered(r),
            None => Registration::Draft,
        };
        stored.push((contract, registration));
    }
    let writer = match user {
        Some(u) => store.acting_as(u.id),
        None => store.clone(),
    };
    let report = writer.import_contracts(&stored).await?;
    Ok(ImportOutcome {
        inserted: report.inserted,
        updated: report.updated,
        linked_parties: linked,
    })
}

/// Every contract matching `filter`, for an export (staff, or the command line), oldest first.
pub async fn export(
    store: &Arc<dyn Store>,
    filter: &ContractFilter,
) -> AppResult<Vec<ContractRecord>> {
    const BATCH: u32 = 5_000;
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |c: &ContractRecord| c.id);
        let batch = store.contracts_after(filter, after, BATCH).await?;
        let done = batch.len() < BATCH as usize;
        all.extend(batch);
        if done {
            return Ok(all);
        }
    }
}
