//! 技术合同成交额 as a commission reads it: the registered contracts of a year by district,
//! month, type, field, 输出 and 吸纳, and by technology manager, with the deals' forecast
//! beside the district's target.
//!
//! The figures are sums over registered contracts, read from the store's running totals (a
//! few hundred rows whatever the number of contracts). They are for staff, admins and
//! technology managers: a sum over a handful of contracts can give one contract's amount
//! away, and amounts are confidential to a contract's parties.

use std::sync::Arc;

use qiao_domain::{Account, Forecast, Role, StageProbabilities};
use qiao_store::{ContractStatistics, ManagerCredit, Store, StoreError};

use crate::error::{AppError, AppResult};

/// Whether `user` may read the statistics.
pub fn may_read(user: &Account) -> bool {
    matches!(
        user.role,
        Role::Admin | Role::CommissionStaff | Role::TechnologyManager
    )
}

/// A manager's credit with the name to show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NamedCredit {
    /// The credit.
    #[serde(flatten)]
    pub credit: ManagerCredit,
    /// The manager's display name (their username if the account is gone).
    pub name: String,
}

/// What `/statistics` shows for one year and district (or the platform).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatisticsView {
    /// The registered contracts, broken down.
    pub statistics: ContractStatistics,
    /// Credit by technology manager.
    pub managers: Vec<NamedCredit>,
    /// Expected 成交额 of the open deals expected to close in the year.
    pub forecast: Forecast,
    /// The stage probabilities the forecast used.
    pub probabilities: StageProbabilities,
}

/// The statistics of `year` for `district` (or the whole platform).
pub async fn view(
    store: &Arc<dyn Store>,
    user: &Account,
    year: i32,
    district: Option<&str>,
) -> AppResult<StatisticsView> {
    if !may_read(user) {
        return Err(AppError::forbidden(
            "contract statistics are for staff and technology managers",
        ));
    }
    if !(1980..=2200).contains(&year) {
        return Err(AppError::Invalid(qiao_domain::Invalid::field(
            "year",
            qiao_domain::Rule::OutOfRange {
                min: 1980,
                max: 2200,
                found: f64::from(year),
            },
        )));
    }
    let statistics = store.contract_statistics(year, district).await?;
    let credit = store.manager_credit(year, district).await?;
    let mut managers = Vec::with_capacity(credit.len());
    for c in credit {
        let name = match store.get_account(c.account_id).await {
            Ok(a) => a.display_name,
            Err(StoreError::NotFound { .. }) => format!("#{}", c.account_id),
            Err(e) => return Err(e.into()),
        };
        managers.push(NamedCredit { credit: c, name });
    }
    // Staff see every deal's forecast; a manager the forecast of their own deals.
    let (forecast, probabilities) = crate::deals::forecast(store, user, district, year).await?;
    Ok(StatisticsView {
        statistics,
        managers,
        forecast,
        probabilities,
    })
}
