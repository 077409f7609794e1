//! Valuation (估值) of an achievement or a deal: who may value it, the starting inputs, the
//! comparable registered contracts, computing and saving versions. Shared by the API, the
//! pages and `qiao value`.
//!
//! Who: a valuation speaks of price, which parties guard; so only the achievement's owner
//! (its organisation's members), the technology managers of a deal about it, commission staff
//! and admins value an achievement and see its saved versions; a deal's valuations belong to
//! those who may read the deal (its managers, its parties' members, staff). Anyone else gets
//! a 403 for a listing they can see (the page exists, the valuation is not theirs), a 404 for
//! what they cannot see at all.
//!
//! Market approach: when the inputs ask for it with no comparables listed, the registered
//! contracts of a compatible type (transfers and licences, the types whose price is a
//! technology's price) that Qiao's text analysis finds closest to the achievement's title,
//! keywords and summary are filled in, each with its technical similarity and why it was
//! chosen; the saved version keeps them as they were, with any factor the user changed.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use qiao_domain::valuation::{
    self, Basis, Comparable, CostInputs, Exclusivity, FactorOverrides, Forecast, IncomeInputs,
    Inputs, MarketInputs, Obsolescence, Patent, Premium, Reference, RiskFactor, Share, Valuation,
};
use qiao_domain::{Account, ContractCategory, Kind, Listing};
use qiao_search::{Comparables, QueryTerms};
use qiao_store::{DealFilter, Store, StoreError, ValuationRecord, ValuationSubject};

use crate::error::{AppError, AppResult};

/// How many comparables are filled in at most.
pub const MAX_COMPARABLES: usize = 12;
/// How long a search waits for the comparables index to catch up with the store.
const FRESH: Duration = Duration::from_secs(2);

/// What is being valued, as the form, the report and the comparables search need it.
#[derive(Debug, Clone)]
pub struct SubjectView {
    /// The subject.
    pub subject: ValuationSubject,
    /// Its title (the achievement's, or the deal's).
    pub title: String,
    /// The achievement valued (a deal's first achievement), if any.
    pub achievement: Option<(i64, qiao_domain::listing::Achievement)>,
    /// A proposed price to mark on the chart: the deal's expected amount, or the middle of
    /// the achievement's asking range, in 分.
    pub proposed_price_fen: Option<i64>,
}

/// Whether `user` may value the achievement `id` owned by `owner`.
pub async fn may_value_listing(
    store: &Arc<dyn Store>,
    user: &Account,
    id: i64,
    owner: Option<i64>,
) -> AppResult<bool> {
    if user.is_staff() || (owner.is_some() && user.org_id == owner) {
        return Ok(true);
    }
    // A manager of a deal about it: the deals an account brokers are few.
    let deals = store
        .all_deals(&DealFilter {
            manager_id: Some(user.id),
            ..DealFilter::default()
        })
        .await?;
    Ok(deals.iter().any(|d| d.deal.listing_ids.contains(&id)))
}

fn yuan_mid(a: &qiao_domain::listing::Achievement) -> Option<i64> {
    match (a.price_min_yuan, a.price_max_yuan) {
        (Some(lo), Some(hi)) => Some((lo + hi) / 2 * 100),
        (Some(x), None) | (None, Some(x)) => Some(x * 100),
        (None, None) => None,
    }
}

/// The subject if `user` may value it: 404 for what they cannot see, 403 for an achievement
/// they can see but may not value.
pub async fn access(
    store: &Arc<dyn Store>,
    user: &Account,
    subject: ValuationSubject,
) -> AppResult<SubjectView> {
    match subject {
        ValuationSubject::Listing(id) => {
            let record = crate::disclosure::load(store, Kind::Achievement, id, Some(user)).await?;
            if !may_value_listing(store, user, id, record.owner_org_id).await? {
                return Err(AppError::forbidden(
                    "only the achievement's owner, the managers of its deals and commission staff may value it",
                ));
            }
            let Listing::Achievement(a) = record.listing else {
                return Err(AppError::not_found("achievement", id));
            };
            Ok(SubjectView {
                subject,
                title: a.title.clone(),
                proposed_price_fen: yuan_mid(&a),
                achievement: Some((id, a)),
            })
        }
        ValuationSubject::Deal(id) => {
            let record = crate::deals::load(store, user, id).await?;
            deal_view(store, subject, &record.deal).await
        }
    }
}

/// The subject as the command line sees it: no account, the operator holds the database.
/// A listing that is not an achievement, or a missing record, is a 404.
pub async fn subject_view(
    store: &Arc<dyn Store>,
    subject: ValuationSubject,
) -> AppResult<SubjectView> {
    match subject {
        ValuationSubject::Listing(id) => match store.get_listing(id).await {
            Ok(r) => match r.listing {
                Listing::Achievement(a) => Ok(SubjectView {
                    subject,
                    title: a.title.clone(),
                    proposed_price_fen: yuan_mid(&a),
                    achievement: Some((id, a)),
                }),
                _ => Err(AppError::not_found("achievement", id)),
            },
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("achievement", id)),
            Err(e) => Err(e.into()),
        },
        ValuationSubject::Deal(id) => {
            let record = store.get_deal(id).await.map_err(|e| match e {
                StoreError::NotFound { .. } => AppError::not_found("deal", id),
                other => other.into(),
            })?;
            deal_view(store, subject, &record.deal).await
        }
    }
}

async fn deal_view(
    store: &Arc<dyn Store>,
    subject: ValuationSubject,
    deal: &qiao_domain::Deal,
) -> AppResult<SubjectView> {
    let mut achievement = None;
    for lid in &deal.listing_ids {
        match store.get_listing(*lid).await {
            Ok(l) => {
                if let Listing::Achievement(a) = l.listing {
                    achievement = Some((l.id, a));
                    break;
                }
            }
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(SubjectView {
        subject,
        title: deal.title.clone(),
        proposed_price_fen: deal.expected_amount_fen,
        achievement,
    })
}

/// The text the comparables are found by: the achievement's title (twice as heavy), keywords
/// and summary; a deal without an achievement, its title.
pub fn query_terms(view: &SubjectView) -> QueryTerms {
    let mut q = QueryTerms::default();
    match &view.achievement {
        Some((_, a)) => {
            q.add(&a.title, 2.0);
            if !a.keywords.is_empty() {
                q.add(&a.keywords.join(" "), 1.5);
            }
            q.add(&a.summary, 1.0);
        }
        None => q.add(&view.title, 2.0),
    }
    q.finish()
}

/// The registered contracts of a compatible type closest to the subject's text, best first,
/// each with its similarity and why it was chosen; at most `limit`.
pub async fn find_comparables(
    store: &Arc<dyn Store>,
    comparables: &Arc<Comparables>,
    view: &SubjectView,
    limit: usize,
) -> AppResult<Vec<Comparable>> {
    let terms = query_terms(view);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let hits = comparables.search(terms.clone(), FRESH).await?;
    let mut out = Vec::new();
    for hit in hits {
        if out.len() >= limit.min(MAX_COMPARABLES) {
            break;
        }
        if !matches!(
            hit.kind.category(),
            ContractCategory::Transfer | ContractCategory::Licence
        ) {
            continue;
        }
        // The index follows the store; the store decides. Never a contract that is not
        // registered now.
        let record = match store.get_contract(hit.id).await {
            Ok(r) if r.registration.registered().is_some() => r,
            Ok(_) | Err(StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let c = &record.contract;
        let (similarity, shared) = comparables.index().similarity(&terms, c)?;
        if similarity <= 0.0 {
            continue;
        }
        let number = record
            .registration
            .registered()
            .map(|r| r.number.to_string())
            .unwrap_or_default();
        let reason = format!(
            "{}；共有词 shared terms: {}；同类 compatible type: {}；登记号 {number}",
            format_args!("相似度 similarity {:.0}%", similarity * 100.0),
            if shared.is_empty() {
                "—".to_string()
            } else {
                shared.join("、")
            },
            c.kind.label_zh(),
        );
        out.push(Comparable {
            contract_id: Some(record.id),
            name: c.name.clone(),
            kind: c.kind,
            price_fen: c.technical_fen(),
            signed_on: c.signed_on,
            // At least 5 %: a comparable the user keeps still weighs something.
            similarity: (similarity * 100.0).round().max(5.0) / 100.0,
            remaining_life_years: None,
            scale: None,
            reason: Some(reason.chars().take(500).collect()),
            factors: FactorOverrides::default(),
        });
    }
    Ok(out)
}

/// Starting inputs for a subject: the valuation date, the patent read from the achievement's
/// application numbers, the reference table's defaults, and example figures the form says to
/// replace, so that every approach shows how it works from the first click.
pub fn starting_inputs(view: &SubjectView, reference: &Reference, today: NaiveDate) -> Inputs {
    let patent = view.achievement.as_ref().and_then(|(_, a)| {
        a.patent_numbers
            .iter()
            .find_map(|n| Patent::from_application_number(n))
    });
    // No industry is guessed: the form lists each industry's range to choose from.
    let (low, high) = (2.0, 4.0);
    let premia = RiskFactor::ALL
        .iter()
        .map(|f| Premium {
            factor: *f,
            score: 50,
            max_pct: reference.risk_caps_pct.of(*f),
        })
        .collect();
    Inputs {
        valuation_date: today,
        patent,
        economic_life_years: 8,
        income: Some(IncomeInputs {
            forecast: Forecast::Table {
                basis: Basis::Sales,
                amounts_fen: vec![
                    300_000_000,
                    500_000_000,
                    800_000_000,
                    1_000_000_000,
                    1_000_000_000,
                ],
                growth_pct: 0.0,
            },
            share: Share::Sales {
                low_pct: low,
                high_pct: high,
            },
            profit_margin_pct: Some(15.0),
            income_tax_pct: 15.0,
            risk_free_pct: reference.risk_free_pct,
            premia,
            industry: None,
        }),
        cost: Some(CostInputs {
            labour_fen: 60_000_000,
            materials_fen: 20_000_000,
            overhead_fen: 10_000_000,
            opportunity_fen: 0,
            reasonable_profit_pct: 20.0,
            obsolescence: Obsolescence::RemainingLife { used_years: 2.0 },
            uncertainty_pct: 10.0,
        }),
        market: Some(MarketInputs {
            subject_exclusivity: Exclusivity::Transfer,
            subject_scale: None,
            time_growth_pct: reference.time_growth_pct,
            exclusivity_weights: reference.exclusivity_weights.clone(),
            comparables: Vec::new(),
            min_comparables: 3,
        }),
        proposed_price_fen: view.proposed_price_fen,
        sensitivity_pct: 10.0,
    }
}

/// Inputs and what they give.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Computed {
    /// The inputs, with the comparables filled in when they were asked for.
    pub inputs: Inputs,
    /// Every figure.
    pub valuation: Valuation,
}

/// Computes a valuation of a subject `user` may value; a market approach without comparables
/// gets the closest registered contracts.
pub async fn compute(
    store: &Arc<dyn Store>,
    comparables: &Arc<Comparables>,
    user: &Account,
    subject: ValuationSubject,
    inputs: Inputs,
) -> AppResult<Computed> {
    let view = access(store, user, subject).await?;
    compute_for(store, comparables, &view, inputs).await
}

/// [`compute`] for a subject already checked.
pub async fn compute_for(
    store: &Arc<dyn Store>,
    comparables: &Arc<Comparables>,
    view: &SubjectView,
    mut inputs: Inputs,
) -> AppResult<Computed> {
    if let Some(m) = inputs.market.as_mut()
        && m.comparables.is_empty()
    {
        m.comparables = find_comparables(store, comparables, view, MAX_COMPARABLES).await?;
    }
    let valuation = valuation::value(&inputs)?;
    Ok(Computed { inputs, valuation })
}

/// Computes and saves a valuation as the subject's next version.
pub async fn save(
    store: &Arc<dyn Store>,
    comparables: &Arc<Comparables>,
    user: &Account,
    subject: ValuationSubject,
    note: &str,
    inputs: Inputs,
) -> AppResult<ValuationRecord> {
    let mut c = qiao_domain::invalid::Checker::default();
    c.max_len("note", note, 500);
    c.finish()?;
    let computed = compute(store, comparables, user, subject, inputs).await?;
    Ok(store
        .acting_as(user.id)
        .create_valuation(subject, note, &computed.inputs, &computed.valuation)
        .await?)
}

/// The saved versions of a subject, newest first.
pub async fn versions(
    store: &Arc<dyn Store>,
    user: &Account,
    subject: ValuationSubject,
) -> AppResult<Vec<ValuationRecord>> {
    access(store, user, subject).await?;
    Ok(store.valuations(subject).await?)
}

/// One saved version of a subject (a version of another subject reads as missing).
pub async fn version(
    store: &Arc<dyn Store>,
    user: &Account,
    subject: ValuationSubject,
    id: i64,
) -> AppResult<(SubjectView, ValuationRecord)> {
    let view = access(store, user, subject).await?;
    match store.get_valuation(id).await {
        Ok(r) if r.subject == subject => Ok((view, r)),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(AppError::not_found("valuation", id)),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the reference table: staff and admins only.
pub async fn set_reference(
    store: &Arc<dyn Store>,
    user: &Account,
    reference: &Reference,
) -> AppResult<()> {
    if !user.is_staff() {
        return Err(AppError::forbidden(
            "only commission staff and admins edit the valuation reference table",
        ));
    }
    Ok(store
        .acting_as(user.id)
        .set_valuation_reference(reference)
        .await?)
}

/// Where `price` sits in a range: below, within or above.
pub fn position(price: i64, low: i64, high: i64) -> &'static str {
    if price < low {
        "below"
    } else if price > high {
        "above"
    } else {
        "within"
    }
}
