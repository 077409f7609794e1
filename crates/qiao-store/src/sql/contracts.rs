//! Technology contracts, their registration (认定登记) history, and the running totals that
//! 技术合同成交额 is read from.
//!
//! A district commission asks "how much this year, by month, type, field, 输出 and 吸纳"; over
//! a million contracts a `SUM … GROUP BY` per question would read every row of the year. So every
//! write that changes what counts (registering, amending, cancelling, editing a registered
//! contract, importing a registry list) also adds its difference to `contract_totals`, in the
//! same transaction: a statistics page reads a few hundred rows, and the totals cannot drift
//! from the contracts (a test compares them with a brute-force sum).
//!
//! Registration rules (who may take which step in which state) live in the domain's
//! `Registration::apply`; this file stores what it returns.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use qiao_domain::deal::apportion;
use qiao_domain::{Contract, ManagerShare, Registration, RegistrationEvent, RegistrationNumber};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{
    Arg, Backend, SqlStore, Tx, Where, bind_all, date, from_json, json, now, parse_ts, stale, ts,
};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{ContractFilter, ContractImportReport, Page, Paged};
use crate::records::{
    ContractEventRecord, ContractRecord, ContractStatistics, ManagerCredit, Op, Turnover,
};

/// Recording contracts, registering them and counting them.
#[async_trait]
pub trait ContractStore: Send + Sync {
    /// Stores a new contract with its registration, and the history's first event if any.
    async fn create_contract(
        &self,
        contract: &Contract,
        registration: &Registration,
        event: Option<&RegistrationEvent>,
    ) -> Result<ContractRecord>;
    /// One contract.
    async fn get_contract(&self, id: i64) -> Result<ContractRecord>;
    /// The contract registered under `number`, if any.
    async fn contract_by_number(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Option<ContractRecord>>;
    /// Replaces contract `id`'s terms, if it is still at `version` (conflict otherwise).
    async fn update_contract(
        &self,
        id: i64,
        version: i64,
        contract: &Contract,
    ) -> Result<ContractRecord>;
    /// Stores the registration a step produced and appends its event, if the contract is still
    /// at `version` (conflict otherwise).
    async fn set_registration(
        &self,
        id: i64,
        version: i64,
        registration: &Registration,
        event: &RegistrationEvent,
    ) -> Result<ContractRecord>;
    /// A contract's registration history, oldest first.
    async fn contract_events(&self, id: i64) -> Result<Vec<ContractEventRecord>>;
    /// Contracts matching `filter`, the newest first.
    async fn contracts(&self, filter: &ContractFilter, page: Page)
    -> Result<Paged<ContractRecord>>;
    /// Up to `limit` contracts matching `filter` with ids above `after`, in id order: how an
    /// export walks a million contracts without paging by offset.
    async fn contracts_after(
        &self,
        filter: &ContractFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ContractRecord>>;
    /// Stores a registry list in one transaction: a row whose registration number is known
    /// replaces that contract, every other row is a new contract. All or nothing.
    async fn import_contracts(
        &self,
        rows: &[(Contract, Registration)],
    ) -> Result<ContractImportReport>;
    /// The registered contracts of `year`, for one district (`Some`) or the platform.
    async fn contract_statistics(
        &self,
        year: i32,
        district: Option<&str>,
    ) -> Result<ContractStatistics>;
    /// 技术合同成交额 of `year`: a district's (its sellers', 输出) or the platform's.
    async fn contract_turnover(&self, year: i32, district: Option<&str>) -> Result<Turnover>;
    /// Each technology manager's credit for the contracts of `year` (of one seller district, or
    /// all) recorded from the deals they broker, by their shares; the largest first.
    async fn manager_credit(&self, year: i32, district: Option<&str>)
    -> Result<Vec<ManagerCredit>>;
}

pub(crate) const CONTRACT_COLUMNS: &str =
    "id, version, created_by, body, registration, created_at, updated_at";

pub(crate) fn contract_from_row(row: &AnyRow) -> Result<ContractRecord> {
    Ok(ContractRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_by: row.try_get("created_by")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        contract: from_json("contract", &row.try_get::<String, _>("body")?)?,
        registration: from_json("registration", &row.try_get::<String, _>("registration")?)?,
    })
}

fn event_from_row(row: &AnyRow) -> Result<ContractEventRecord> {
    Ok(ContractEventRecord {
        id: row.try_get("id")?,
        contract_id: row.try_get("contract_id")?,
        event: from_json("registration event", &row.try_get::<String, _>("body")?)?,
    })
}

fn checked(contract: &Contract) -> Result<Contract> {
    let mut contract = contract.clone();
    contract.validate()?;
    Ok(contract)
}

/// One cell of `contract_totals`: year, district ('' for the platform), side, dimension, key.
type Cell = (i32, String, &'static str, &'static str, String);

/// Adds to `out` what a contract contributes to the totals, times `sign` (+1 when it starts to
/// count, −1 when it stops). A contract that is not registered contributes nothing.
fn contribute(
    contract: &Contract,
    registration: &Registration,
    sign: i64,
    out: &mut HashMap<Cell, Turnover>,
) {
    let Some(registered) = registration.registered() else {
        return;
    };
    let year = registered.date.year();
    let month = format!("{:02}", registered.date.month());
    let kind = contract.kind.as_str().to_string();
    let field = contract.field.as_str().to_string();
    let seller = contract.seller.district.clone();
    let buyer = contract.buyer.district.clone();
    let cell = Turnover {
        contracts: sign,
        amount_fen: sign * contract.amount_fen,
        technical_fen: sign * contract.technical_fen(),
    };
    let mut add = |district: &str, side: &'static str, dim: &'static str, key: &str| {
        out.entry((year, district.to_string(), side, dim, key.to_string()))
            .or_default()
            .add(cell);
    };
    for (district, side, partner) in [(&seller, "out", &buyer), (&buyer, "in", &seller)] {
        add(district, side, "total", "");
        add(district, side, "month", &month);
        add(district, side, "kind", &kind);
        add(district, side, "field", &field);
        add(district, side, "partner", partner);
    }
    add("", "all", "total", "");
    add("", "all", "month", &month);
    add("", "all", "kind", &kind);
    add("", "all", "field", &field);
    add("", "all", "district_out", &seller);
    add("", "all", "district_in", &buyer);
}

/// Adds `deltas` to the running totals inside `tx`.
async fn add_totals(tx: &mut Tx, deltas: &HashMap<Cell, Turnover>) -> Result<()> {
    for ((year, district, side, dim, key), t) in deltas {
        if *t == Turnover::default() {
            continue;
        }
        sqlx::query(
            "INSERT INTO contract_totals (year, district, side, dim, key, contracts, amount_fen, technical_fen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (year, district, side, dim, key) DO UPDATE SET \
             contracts = contract_totals.contracts + excluded.contracts, \
             amount_fen = contract_totals.amount_fen + excluded.amount_fen, \
             technical_fen = contract_totals.technical_fen + excluded.technical_fen",
        )
        .bind(i64::from(*year))
        .bind(district.clone())
        .bind(*side)
        .bind(*dim)
        .bind(key.clone())
        .bind(t.contracts)
        .bind(t.amount_fen)
        .bind(t.technical_fen)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The columns derived from a contract and its registration, in the order the writes use.
struct Derived {
    name: String,
    state: &'static str,
    number: Option<String>,
    kind: &'static str,
    field: &'static str,
    seller_org_id: Option<i64>,
    buyer_org_id: Option<i64>,
    seller_district: String,
    buyer_district: String,
    amount_fen: i64,
    technical_fen: i64,
    signed_on: String,
    registered_on: Option<String>,
    deal_id: Option<i64>,
}

impl Derived {
    fn of(c: &Contract, r: &Registration) -> Derived {
        // A cancelled registration keeps its number: the registry does not hand it out again.
        let number = match r {
            Registration::Registered(reg)
            | Registration::Cancelled {
                registered: reg, ..
            } => Some(reg.number.as_str().to_string()),
            _ => None,
        };
        Derived {
            name: c.name.clone(),
            state: r.state().as_str(),
            number,
            kind: c.kind.as_str(),
            field: c.field.as_str(),
            seller_org_id: c.seller.org_id,
            buyer_org_id: c.buyer.org_id,
            seller_district: c.seller.district.clone(),
            buyer_district: c.buyer.district.clone(),
            amount_fen: c.amount_fen,
            technical_fen: c.technical_fen(),
            signed_on: date(c.signed_on),
            registered_on: r.registered().map(|reg| date(reg.date)),
            deal_id: c.deal_id,
        }
    }

    /// Binds the fourteen derived columns.
    fn bind<'q>(
        self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        q.bind(self.name)
            .bind(self.state)
            .bind(self.number)
            .bind(self.kind)
            .bind(self.field)
            .bind(self.seller_org_id)
            .bind(self.buyer_org_id)
            .bind(self.seller_district)
            .bind(self.buyer_district)
            .bind(self.amount_fen)
            .bind(self.technical_fen)
            .bind(self.signed_on)
            .bind(self.registered_on)
            .bind(self.deal_id)
    }
}

const DERIVED: &str = "name, state, number, kind, field, seller_org_id, buyer_org_id, seller_district, buyer_district, amount_fen, technical_fen, signed_on, registered_on, deal_id";
const WRITTEN: &str = "version, created_by, body, registration, created_at, updated_at";

/// `$from, …, $(from+n-1)`.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn duplicate_number() -> String {
    "another contract is already registered under this registration number (登记号)".into()
}

/// How many rows one multi-row insert of an import carries: 20 parameters a row stays far
/// below both backends' limits, and larger batches gain little.
const IMPORT_BATCH: usize = 200;

/// An import of at least this many new contracts refreshes PostgreSQL's planner statistics.
const ANALYZE_AFTER: usize = 10_000;

impl SqlStore {
    async fn lock_contract(&self, tx: &mut Tx, id: i64, version: i64) -> Result<ContractRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let current =
            contract_from_row(&row.ok_or_else(|| StoreError::not_found("contract", id))?)?;
        if current.version != version {
            return Err(stale("contract", id));
        }
        Ok(current)
    }

    /// Rewrites contract `id` inside `tx` and keeps the totals in step.
    async fn rewrite_contract(
        &self,
        tx: &mut Tx,
        current: &ContractRecord,
        contract: &Contract,
        registration: &Registration,
    ) -> Result<()> {
        let mut deltas = HashMap::new();
        contribute(&current.contract, &current.registration, -1, &mut deltas);
        contribute(contract, registration, 1, &mut deltas);
        let sql = format!(
            "UPDATE contracts SET ({DERIVED}) = ({}), version = version + 1, body = $15, registration = $16, updated_at = $17 WHERE id = $18",
            marks(1, 14)
        );
        Derived::of(contract, registration)
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .bind(json(contract))
            .bind(json(registration))
            .bind(ts(now()))
            .bind(current.id)
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict_on_unique(e, duplicate_number))?;
        add_totals(tx, &deltas).await
    }

    async fn insert_contract_event(
        &self,
        tx: &mut Tx,
        contract_id: i64,
        event: &RegistrationEvent,
    ) -> Result<()> {
        sqlx::query("INSERT INTO contract_events (contract_id, body) VALUES ($1, $2)")
            .bind(contract_id)
            .bind(json(event))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Restores one backed-up contract with its history (inside the restore transaction).
    pub(crate) async fn restore_contract(
        &self,
        tx: &mut Tx,
        record: &ContractRecord,
        events: &[ContractEventRecord],
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO contracts (id, {DERIVED}, {WRITTEN}) VALUES ($1, {})",
            marks(2, 20)
        );
        Derived::of(&record.contract, &record.registration)
            .bind(sqlx::query(AssertSqlSafe(sql)).bind(record.id))
            .bind(record.version)
            .bind(record.created_by)
            .bind(json(&record.contract))
            .bind(json(&record.registration))
            .bind(ts(record.created_at))
            .bind(ts(record.updated_at))
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                conflict_on_unique(e, || format!("contract {} appears twice", record.id))
            })?;
        for e in events {
            sqlx::query("INSERT INTO contract_events (id, contract_id, body) VALUES ($1, $2, $3)")
                .bind(e.id)
                .bind(record.id)
                .bind(json(&e.event))
                .execute(&mut **tx)
                .await?;
        }
        let mut deltas = HashMap::new();
        contribute(&record.contract, &record.registration, 1, &mut deltas);
        add_totals(tx, &deltas).await?;
        self.record_change(tx, "contract", record.id, Op::Insert, None)
            .await
    }

    /// Every contract event, for backups.
    pub(crate) async fn all_contract_events(
        &self,
        tx: &mut Tx,
    ) -> Result<Vec<ContractEventRecord>> {
        let rows = sqlx::query("SELECT id, contract_id, body FROM contract_events ORDER BY id")
            .fetch_all(&mut **tx)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The rows of `contract_totals` for one year and district.
    async fn totals_of(
        &self,
        year: i32,
        district: &str,
    ) -> Result<Vec<(String, String, String, Turnover)>> {
        let rows = sqlx::query(
            "SELECT side, dim, key, contracts, amount_fen, technical_fen FROM contract_totals \
             WHERE year = $1 AND district = $2 AND contracts <> 0 ORDER BY side, dim, key",
        )
        .bind(i64::from(year))
        .bind(district)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("side")?,
                    r.try_get("dim")?,
                    r.try_get("key")?,
                    Turnover {
                        contracts: r.try_get("contracts")?,
                        amount_fen: r.try_get("amount_fen")?,
                        technical_fen: r.try_get("technical_fen")?,
                    },
                ))
            })
            .collect()
    }
}

fn contract_where(f: &ContractFilter) -> Where {
    let mut w = Where::default();
    if let Some(o) = f.party_org_id {
        w.and(
            "(seller_org_id = ? OR buyer_org_id = ?)",
            [Arg::Int(o), Arg::Int(o)],
        );
    }
    if let Some(d) = &f.district {
        w.and(
            "(seller_district = ? OR buyer_district = ?)",
            [Arg::Text(d.clone()), Arg::Text(d.clone())],
        );
    }
    if let Some(x) = &f.state {
        w.and("state = ?", [Arg::Text(x.clone())]);
    }
    if let Some(y) = f.registered_year {
        let (from, to) = year_range(y);
        w.and(
            "registered_on >= ? AND registered_on < ?",
            [Arg::Text(from), Arg::Text(to)],
        );
    }
    if let Some(x) = &f.kind {
        w.and("kind = ?", [Arg::Text(x.clone())]);
    }
    if let Some(x) = &f.field {
        w.and("field = ?", [Arg::Text(x.clone())]);
    }
    if let Some(d) = f.deal_id {
        w.and("deal_id = ?", [Arg::Int(d)]);
    }
    if let Some(m) = f.manager_id {
        w.and(
            "deal_id IN (SELECT deal_id FROM deal_managers WHERE account_id = ?)",
            [Arg::Int(m)],
        );
    }
    w
}

/// The ISO dates a year's registration dates fall between (`from` included, `to` not).
fn year_range(year: i32) -> (String, String) {
    let first =
        |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).map_or_else(|| format!("{y:04}-01-01"), date);
    (first(year), first(year.saturating_add(1)))
}

#[async_trait]
impl ContractStore for SqlStore {
    async fn create_contract(
        &self,
        contract: &Contract,
        registration: &Registration,
        event: Option<&RegistrationEvent>,
    ) -> Result<ContractRecord> {
        let contract = checked(contract)?;
        let mut tx = self.write_tx().await?;
        let sql = format!(
            "INSERT INTO contracts ({DERIVED}, {WRITTEN}) VALUES ({}) RETURNING id",
            marks(1, 20)
        );
        let t = ts(now());
        let row = Derived::of(&contract, registration)
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .bind(1_i64)
            .bind(self.actor)
            .bind(json(&contract))
            .bind(json(registration))
            .bind(t.clone())
            .bind(t)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, duplicate_number))?;
        let id: i64 = row.try_get(0)?;
        if let Some(e) = event {
            self.insert_contract_event(&mut tx, id, e).await?;
        }
        let mut deltas = HashMap::new();
        contribute(&contract, registration, 1, &mut deltas);
        add_totals(&mut tx, &deltas).await?;
        self.record_change(&mut tx, "contract", id, Op::Insert, None)
            .await?;
        tx.commit().await?;
        self.get_contract(id).await
    }

    async fn get_contract(&self, id: i64) -> Result<ContractRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        contract_from_row(&row.ok_or_else(|| StoreError::not_found("contract", id))?)
    }

    async fn contract_by_number(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Option<ContractRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE number = $1"
        )))
        .bind(number.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(contract_from_row).transpose()
    }

    async fn update_contract(
        &self,
        id: i64,
        version: i64,
        contract: &Contract,
    ) -> Result<ContractRecord> {
        let contract = checked(contract)?;
        let mut tx = self.write_tx().await?;
        let current = self.lock_contract(&mut tx, id, version).await?;
        let before = self.snapshot(&mut tx, "contract", id).await?;
        let registration = current.registration.clone();
        self.rewrite_contract(&mut tx, &current, &contract, &registration)
            .await?;
        self.record_change(&mut tx, "contract", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_contract(id).await
    }

    async fn set_registration(
        &self,
        id: i64,
        version: i64,
        registration: &Registration,
        event: &RegistrationEvent,
    ) -> Result<ContractRecord> {
        let mut tx = self.write_tx().await?;
        let current = self.lock_contract(&mut tx, id, version).await?;
        let before = self.snapshot(&mut tx, "contract", id).await?;
        let contract = current.contract.clone();
        self.rewrite_contract(&mut tx, &current, &contract, registration)
            .await?;
        self.insert_contract_event(&mut tx, id, event).await?;
        self.record_change(&mut tx, "contract", id, Op::Update, before)
            .await?;
        tx.commit().await?;
        self.get_contract(id).await
    }

    async fn contract_events(&self, id: i64) -> Result<Vec<ContractEventRecord>> {
        let rows = sqlx::query(
            "SELECT id, contract_id, body FROM contract_events WHERE contract_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn contracts(
        &self,
        filter: &ContractFilter,
        page: Page,
    ) -> Result<Paged<ContractRecord>> {
        self.fetch_page(
            "contracts",
            CONTRACT_COLUMNS,
            &contract_where(filter),
            "id DESC",
            page,
            contract_from_row,
        )
        .await
    }

    async fn contracts_after(
        &self,
        filter: &ContractFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ContractRecord>> {
        let mut w = contract_where(filter);
        w.and("id > ?", [Arg::Int(after)]);
        let sql = format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts{} ORDER BY id LIMIT ${}",
            w.sql(),
            w.next()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(contract_from_row).collect()
    }

    async fn import_contracts(
        &self,
        rows: &[(Contract, Registration)],
    ) -> Result<ContractImportReport> {
        let mut checked_rows = Vec::with_capacity(rows.len());
        for (c, r) in rows {
            checked_rows.push((checked(c)?, r));
        }
        let mut tx = self.write_tx().await?;
        // Which rows name a contract already stored, by registration number. A number given
        // twice in one file is the file's mistake, not an update of the first row.
        let mut by_number: HashMap<String, usize> = HashMap::new();
        for (i, (c, r)) in checked_rows.iter().enumerate() {
            if let Some(n) = Derived::of(c, r).number
                && by_number.insert(n.clone(), i).is_some()
            {
                return Err(StoreError::Conflict(format!(
                    "registration number {n} appears twice in the file"
                )));
            }
        }
        let numbers: Vec<&String> = by_number.keys().collect();
        let mut existing: HashMap<String, ContractRecord> = HashMap::new();
        for chunk in numbers.chunks(500) {
            let sql = format!(
                "SELECT {CONTRACT_COLUMNS}, number FROM contracts WHERE number IN ({})",
                self.backend.ordered_marks(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for n in chunk {
                q = q.bind((*n).clone());
            }
            for row in q.fetch_all(&mut *tx).await? {
                existing.insert(row.try_get("number")?, contract_from_row(&row)?);
            }
        }

        let mut report = ContractImportReport::default();
        let mut deltas = HashMap::new();
        let mut fresh = Vec::new();
        for (c, r) in &checked_rows {
            let number = Derived::of(c, r).number;
            match number.and_then(|n| existing.get(&n)) {
                Some(current) => {
                    let before = self.snapshot(&mut tx, "contract", current.id).await?;
                    self.rewrite_contract(&mut tx, current, c, r).await?;
                    self.record_change(&mut tx, "contract", current.id, Op::Update, before)
                        .await?;
                    report.updated += 1;
                }
                None => {
                    contribute(c, r, 1, &mut deltas);
                    fresh.push((c, *r));
                }
            }
        }

        // New contracts go in by batches of rows per statement; their ids are those above the
        // largest before the import (this transaction holds the write lock).
        let last_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM contracts")
            .fetch_one(&mut *tx)
            .await?;
        let t = ts(now());
        for batch in fresh.chunks(IMPORT_BATCH) {
            let values: Vec<String> = (0..batch.len())
                .map(|i| format!("({})", self.backend.ordered_marks(i * 20 + 1, 20)))
                .collect();
            let sql = format!(
                "INSERT INTO contracts ({DERIVED}, {WRITTEN}) VALUES {}",
                values.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (c, r) in batch {
                q = Derived::of(c, r)
                    .bind(q)
                    .bind(1_i64)
                    .bind(self.actor)
                    .bind(json(c))
                    .bind(json(r))
                    .bind(t.clone())
                    .bind(t.clone());
            }
            q.execute(&mut *tx)
                .await
                .map_err(|e| conflict_on_unique(e, duplicate_number))?;
        }
        sqlx::query(
            "INSERT INTO changes (entity, entity_id, op, at, actor_id, diff) \
             SELECT 'contract', id, 'insert', $1, $2, '[]' FROM contracts WHERE id > $3 ORDER BY id",
        )
        .bind(t)
        .bind(self.actor)
        .bind(last_before)
        .execute(&mut *tx)
        .await?;
        add_totals(&mut tx, &deltas).await?;
        tx.commit().await?;
        if self.backend == Backend::Postgres && fresh.len() >= ANALYZE_AFTER {
            // A bulk load changes the table's shape faster than autovacuum notices (and a
            // server may run without it): refresh the planner's statistics now, or the next
            // statistics request plans for the empty table it last saw.
            sqlx::query("ANALYZE contracts, changes")
                .execute(&self.pool)
                .await?;
        }
        report.inserted = fresh.len();
        Ok(report)
    }

    async fn contract_statistics(
        &self,
        year: i32,
        district: Option<&str>,
    ) -> Result<ContractStatistics> {
        let rows = self.totals_of(year, district.unwrap_or("")).await?;
        let mut stats = ContractStatistics {
            year,
            district: district.map(str::to_string),
            ..ContractStatistics::default()
        };
        // For a district: its sellers' contracts (输出) are the figures; 吸纳 is beside them.
        let (main, other) = if district.is_some() {
            ("out", "in")
        } else {
            ("all", "all")
        };
        for (side, dim, key, t) in rows {
            let list = match (side.as_str(), dim.as_str()) {
                (s, "total") if s == main => {
                    stats.total = t;
                    if district.is_none() {
                        stats.absorbed = t;
                    }
                    continue;
                }
                (s, "total") if s == other => {
                    stats.absorbed = t;
                    continue;
                }
                (s, "month") if s == main => &mut stats.by_month,
                (s, "kind") if s == main => &mut stats.by_kind,
                (s, "field") if s == main => &mut stats.by_field,
                ("out", "partner") | ("all", "district_out") => &mut stats.by_district_out,
                ("in", "partner") | ("all", "district_in") => &mut stats.by_district_in,
                _ => continue,
            };
            list.push((key, t));
        }
        Ok(stats)
    }

    async fn contract_turnover(&self, year: i32, district: Option<&str>) -> Result<Turnover> {
        let side = if district.is_some() { "out" } else { "all" };
        let row = sqlx::query(
            "SELECT contracts, amount_fen, technical_fen FROM contract_totals \
             WHERE year = $1 AND district = $2 AND side = $3 AND dim = 'total' AND key = ''",
        )
        .bind(i64::from(year))
        .bind(district.unwrap_or(""))
        .bind(side)
        .fetch_optional(&self.pool)
        .await?;
        row.map_or(Ok(Turnover::default()), |r| {
            Ok(Turnover {
                contracts: r.try_get("contracts")?,
                amount_fen: r.try_get("amount_fen")?,
                technical_fen: r.try_get("technical_fen")?,
            })
        })
    }

    async fn manager_credit(
        &self,
        year: i32,
        district: Option<&str>,
    ) -> Result<Vec<ManagerCredit>> {
        // Deals are few and contracts many: start from the managers' deals (CROSS JOIN keeps
        // that order in SQLite) and reach each deal's contracts by their index. `deal_id IS NOT
        // NULL` bounds PostgreSQL's scan of that index to the contracts from deals: without it
        // the planner merge-joined over the whole index (114 ms at 1M contracts, 892 ms before
        // statistics existed), with it 12 ms.
        let (from, to) = year_range(year);
        let mut w = Where::default();
        w.and(
            "c.deal_id IS NOT NULL AND c.deal_id = dm.deal_id \
             AND c.registered_on >= ? AND c.registered_on < ?",
            [Arg::Text(from), Arg::Text(to)],
        );
        if let Some(d) = district {
            w.and("c.seller_district = ?", [Arg::Text(d.to_string())]);
        }
        let sql = format!(
            "SELECT c.id, c.amount_fen, c.technical_fen, dm.account_id, dm.share_bp \
             FROM deal_managers dm CROSS JOIN contracts c{} ORDER BY c.id, dm.account_id",
            w.sql()
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), w.args())
            .fetch_all(&self.pool)
            .await?;
        let mut contracts: BTreeMap<i64, (i64, i64, Vec<ManagerShare>)> = BTreeMap::new();
        for r in &rows {
            let entry = contracts.entry(r.try_get("id")?).or_insert((
                r.try_get("amount_fen")?,
                r.try_get("technical_fen")?,
                Vec::new(),
            ));
            let share: i64 = r.try_get("share_bp")?;
            entry.2.push(ManagerShare {
                account_id: r.try_get("account_id")?,
                share_bp: u32::try_from(share)
                    .map_err(|_| StoreError::Corrupt(format!("manager share {share}")))?,
            });
        }
        let mut credit: HashMap<i64, Turnover> = HashMap::new();
        for (amount, technical, shares) in contracts.values() {
            let technical_parts: HashMap<i64, i64> =
                apportion(*technical, shares).into_iter().collect();
            for (account, part) in apportion(*amount, shares) {
                credit.entry(account).or_default().add(Turnover {
                    contracts: 1,
                    amount_fen: part,
                    technical_fen: technical_parts.get(&account).copied().unwrap_or(0),
                });
            }
        }
        let mut out: Vec<ManagerCredit> = credit
            .into_iter()
            .map(|(account_id, turnover)| ManagerCredit {
                account_id,
                turnover,
            })
            .collect();
        out.sort_by(|a, b| {
            b.turnover
                .amount_fen
                .cmp(&a.turnover.amount_fen)
                .then(a.account_id.cmp(&b.account_id))
        });
        Ok(out)
    }
}
