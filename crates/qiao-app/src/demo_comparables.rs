//! The demo's comparable transactions: for the achievements of the demo technology manager's
//! deals, a few registered transfers and licences of similar technology in the years before,
//! so that the market approach of a demo valuation has comparables to show (the generated
//! contracts of `demo_deals` are named by field only, too generic to compare a technology by).
//!
//! Deterministic: names from the achievement's own title and keywords, prices around the
//! achievement's asking price (or 50万元), one contract of each exclusivity.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate};
use qiao_domain::{Contract, ContractKind, IpType, Listing, PaymentTerms, TechField};
use qiao_store::{DealFilter, Store};

use crate::demo_deals::{party, registered};
use crate::error::AppResult;

/// Comparables per achievement.
pub const PER_ACHIEVEMENT: usize = 4;
/// The demo's registration numbers for them start after the generated contracts'.
const FIRST_NUMBER: usize = 900;

/// Adds the comparables; returns how many contracts were registered.
pub async fn load(
    store: &Arc<dyn Store>,
    manager: i64,
    staff: i64,
    today: NaiveDate,
) -> AppResult<usize> {
    let deals = store
        .all_deals(&DealFilter {
            manager_id: Some(manager),
            ..DealFilter::default()
        })
        .await?;
    let mut rows = Vec::new();
    let mut seen = Vec::new();
    for d in &deals {
        let (Some(seller), Some(buyer)) = (d.deal.seller_org_id, d.deal.buyer_org_id) else {
            continue;
        };
        let Some(lid) = d.deal.listing_ids.first() else {
            continue;
        };
        if seen.contains(lid) {
            continue;
        }
        seen.push(*lid);
        let Listing::Achievement(a) = store.get_listing(*lid).await?.listing else {
            continue;
        };
        let (seller, buyer) = (
            party(&store.get_org(seller).await?),
            party(&store.get_org(buyer).await?),
        );
        let base = a
            .price_max_yuan
            .or(a.price_min_yuan)
            .unwrap_or(500_000)
            .max(50_000);
        let topic = a
            .keywords
            .first()
            .cloned()
            .unwrap_or_else(|| a.title.clone());
        let plans: [(ContractKind, &str, i64, i32); PER_ACHIEVEMENT] = [
            (ContractKind::TransferPatent, "专利权转让合同", 110, 1),
            (ContractKind::LicenceExclusive, "技术独占许可合同", 90, 2),
            (ContractKind::LicenceSole, "技术排他许可合同", 70, 1),
            (ContractKind::LicenceOrdinary, "技术普通许可合同", 45, 3),
        ];
        for (i, (kind, what, pct, years_ago)) in plans.into_iter().enumerate() {
            let signed_on = NaiveDate::from_ymd_opt(today.year() - years_ago, 3 + i as u32, 10)
                .unwrap_or(today);
            let name = if i % 2 == 0 {
                format!("{}{what}（演示可比）", a.title)
            } else {
                format!("{topic}相关{what}（演示可比）")
            };
            let contract = Contract {
                name: name.chars().take(200).collect(),
                kind,
                seller: seller.clone(),
                buyer: buyer.clone(),
                field: TechField::AdvancedManufacturing,
                ip_type: IpType::InventionPatent,
                amount_fen: base * pct,
                non_technical: Vec::new(),
                signed_on,
                performance_from: signed_on,
                performance_to: signed_on + Duration::days(365),
                payment: PaymentTerms::LumpSum { due_on: None },
                deal_id: None,
                listing_ids: Vec::new(),
            };
            let number = FIRST_NUMBER + rows.len() + 1;
            rows.push((
                contract,
                registered(number, signed_on + Duration::days(12))?,
            ));
        }
    }
    let n = rows.len();
    store.acting_as(staff).import_contracts(&rows).await?;
    Ok(n)
}
