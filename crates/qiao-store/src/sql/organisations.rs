//! Organisations: the universities, institutes and enterprises that own listings and employ
//! accounts. Each is keyed by its 统一社会信用代码 (unique) and kept as a JSON body beside the
//! columns that filters use.
//!
//! Certificates inside that body carry a staff verdict ([`Verification`]). Writers of the
//! organisation never set it: a new record's certificates are pending, and a replacement keeps
//! the stored verdict of each unchanged claim (read in the same write transaction, so a
//! verification committed a moment earlier is not lost). Only [`OrganisationStore::verify_certificates`]
//! sets verdicts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use qiao_domain::{CertKind, Organisation, Verification};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::base::{Arg, SqlStore, Tx, Where, from_json, json, now, parse_ts, ts};
use crate::error::{Result, StoreError, conflict_on_unique};
use crate::query::{OrgFilter, Page, Paged};
use crate::records::{Op, OrgRecord};

/// Registering, reading, changing and deleting organisations.
#[async_trait]
pub trait OrganisationStore: Send + Sync {
    /// Registers an organisation. Conflict if its credit code is taken.
    async fn create_org(&self, org: &Organisation) -> Result<OrgRecord>;
    /// One organisation.
    async fn get_org(&self, id: i64) -> Result<OrgRecord>;
    /// One organisation by 统一社会信用代码.
    async fn org_by_credit_code(&self, code: &str) -> Result<Option<OrgRecord>>;
    /// Replaces an organisation's fields.
    async fn update_org(&self, id: i64, org: &Organisation) -> Result<OrgRecord>;
    /// Deletes an organisation. Conflict while listings or accounts still belong to it.
    async fn delete_org(&self, id: i64) -> Result<()>;
    /// Organisations matching `filter`, by id.
    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> Result<Paged<OrgRecord>>;
    /// Sets staff verdicts on certificates of organisation `id`, all or none, in one write.
    /// Each names the certificate by its index and the kind it must still have: a conflict
    /// when the organisation changed its certificates since the verdict was formed.
    async fn verify_certificates(&self, id: i64, verdicts: &[Verdict]) -> Result<OrgRecord>;
}

/// A staff verdict on one certificate of an organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The certificate's index in the organisation's list.
    pub index: usize,
    /// The kind it must have (a guard against a list edited since).
    pub kind: CertKind,
    /// The verdict. A verified number, when given, also becomes the certificate's number.
    pub verification: Verification,
}

pub(crate) const ORG_COLUMNS: &str = "id, body, created_at, updated_at";

pub(crate) fn org_from_row(row: &AnyRow) -> Result<OrgRecord> {
    Ok(OrgRecord {
        id: row.try_get("id")?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        org: from_json("organisation", &row.try_get::<String, _>("body")?)?,
    })
}

impl SqlStore {
    /// Inserts an organisation and its change in `tx`; an explicit `id` (restores) is kept.
    pub(crate) async fn insert_org(
        &self,
        tx: &mut Tx,
        id: Option<i64>,
        org: &Organisation,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    ) -> Result<i64> {
        // A new record's certificates are claims; a restore (explicit id) keeps its verdicts.
        let mut fresh;
        let org = if id.is_none()
            && org
                .certificates
                .iter()
                .any(|c| c.verification != Verification::Pending)
        {
            fresh = org.clone();
            fresh.keep_verifications(None);
            &fresh
        } else {
            org
        };
        let row = sqlx::query(
            "INSERT INTO organisations (id, credit_code, name, kind, district, body, created_at, updated_at) \
             VALUES (COALESCE($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM organisations)), $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(&org.credit_code)
        .bind(&org.name)
        .bind(json(&org.kind).trim_matches('"').to_string())
        .bind(org.district.clone())
        .bind(json(org))
        .bind(ts(created))
        .bind(ts(updated))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("an organisation with credit_code `{}` already exists", org.credit_code)))?;
        let id: i64 = row.try_get(0)?;
        self.record_change(tx, "organisation", id, Op::Insert, None)
            .await?;
        Ok(id)
    }

    /// Replaces an organisation's fields and records the change in `tx`; each certificate keeps
    /// the stored verdict of the same claim, any other is pending.
    pub(crate) async fn write_org(&self, tx: &mut Tx, id: i64, org: &Organisation) -> Result<()> {
        let stored = self.org_in(tx, id).await?;
        let mut org = org.clone();
        org.keep_verifications(Some(&stored));
        self.write_org_body(tx, id, &org).await
    }

    /// The organisation `id` as stored, read inside `tx`.
    async fn org_in(&self, tx: &mut Tx, id: i64) -> Result<Organisation> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        from_json(
            "organisation",
            &body.ok_or_else(|| StoreError::not_found("organisation", id))?,
        )
    }

    /// Writes `org` as it is (verdicts included) and records the change in `tx`.
    async fn write_org_body(&self, tx: &mut Tx, id: i64, org: &Organisation) -> Result<()> {
        let before = self.snapshot(tx, "organisation", id).await?;
        let done = sqlx::query(
            "UPDATE organisations SET credit_code = $1, name = $2, kind = $3, district = $4, body = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&org.credit_code)
        .bind(&org.name)
        .bind(json(&org.kind).trim_matches('"').to_string())
        .bind(org.district.clone())
        .bind(json(org))
        .bind(ts(now()))
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("an organisation with credit_code `{}` already exists", org.credit_code)))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("organisation", id));
        }
        self.record_change(tx, "organisation", id, Op::Update, before)
            .await
    }
}

#[async_trait]
impl OrganisationStore for SqlStore {
    async fn create_org(&self, org: &Organisation) -> Result<OrgRecord> {
        let mut tx = self.write_tx().await?;
        let t = now();
        let id = self.insert_org(&mut tx, None, org, t, t).await?;
        tx.commit().await?;
        self.get_org(id).await
    }

    async fn get_org(&self, id: i64) -> Result<OrgRecord> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        org_from_row(&row.ok_or_else(|| StoreError::not_found("organisation", id))?)
    }

    async fn org_by_credit_code(&self, code: &str) -> Result<Option<OrgRecord>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organisations WHERE credit_code = $1"
        )))
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    async fn update_org(&self, id: i64, org: &Organisation) -> Result<OrgRecord> {
        let mut tx = self.write_tx().await?;
        self.write_org(&mut tx, id, org).await?;
        tx.commit().await?;
        self.get_org(id).await
    }

    async fn delete_org(&self, id: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let refs: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM listings WHERE owner_org_id = $1) + (SELECT COUNT(*) FROM accounts WHERE org_id = $2)",
        )
        .bind(id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if refs > 0 {
            return Err(StoreError::Conflict(format!(
                "organisation {id} still has {refs} listings or accounts; delete or move them first"
            )));
        }
        let before = self.snapshot(&mut tx, "organisation", id).await?;
        let done = sqlx::query("DELETE FROM organisations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("organisation", id));
        }
        self.record_change(&mut tx, "organisation", id, Op::Delete, before)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_orgs(&self, filter: &OrgFilter, page: Page) -> Result<Paged<OrgRecord>> {
        let mut w = Where::default();
        if let Some(k) = filter.kind {
            w.and(
                "kind = ?",
                [Arg::Text(json(&k).trim_matches('"').to_string())],
            );
        }
        if let Some(d) = &filter.district {
            w.and("district = ?", [Arg::Text(d.clone())]);
        }
        if let Some(n) = &filter.name_contains {
            // instr() is not portable; LIKE with escaped wildcards is.
            let pattern = format!(
                "%{}%",
                n.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            w.and("name LIKE ? ESCAPE '\\'", [Arg::Text(pattern)]);
        }
        self.fetch_page("organisations", ORG_COLUMNS, &w, "id", page, org_from_row)
            .await
    }

    async fn verify_certificates(&self, id: i64, verdicts: &[Verdict]) -> Result<OrgRecord> {
        let mut tx = self.write_tx().await?;
        let mut org = self.org_in(&mut tx, id).await?;
        for v in verdicts {
            let Some(cert) = org.certificates.get_mut(v.index) else {
                return Err(StoreError::Conflict(format!(
                    "organisation {id} has {} certificates; there is no certificate {}; reload and try again",
                    org.certificates.len(),
                    v.index
                )));
            };
            if cert.kind != v.kind {
                return Err(StoreError::Conflict(format!(
                    "certificate {} of organisation {id} is now `{}`, not `{}`; reload and try again",
                    v.index,
                    cert.kind.label_zh(),
                    v.kind.label_zh()
                )));
            }
            if let Verification::Verified {
                number: Some(n), ..
            } = &v.verification
            {
                cert.number = Some(n.clone());
            }
            cert.verification = v.verification.clone();
        }
        self.write_org_body(&mut tx, id, &org).await?;
        tx.commit().await?;
        self.get_org(id).await
    }
}
