//! Verifying the certificates organisations claim, shared by the API and the staff page
//! `/certificates`.
//!
//! A certificate an organisation records (or that a bulk import brings) is a claim, 待核验,
//! and counts nowhere until commission staff or an admin decide it: 已核验 (by hand, with the
//! number they checked, or from an official list) or 驳回 (with a reason the organisation
//! reads). Each decision is written by `Store::verify_certificates` through
//! `store.acting_as(account)`, so the audit log names who decided.
//!
//! An official list (a district's 高企名单, CSV or XLSX with a 统一社会信用代码 column) verifies
//! every pending claim of its kind whose organisation it names, and reports each line that
//! matched nothing, and why. Each organisation's verdicts are written in one transaction;
//! a list applied twice verifies nothing the second time (those lines report "already
//! verified").

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use qiao_domain::policy::Said;
use qiao_domain::{Account, CertKind, Certificate, Invalid, Role, Verification};
use qiao_io::{ListedCertificate, OfficialList, RowError};
use qiao_store::{OrgFilter, OrgRecord, Store, StoreError, Verdict};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Whether `account` may verify or reject certificates: commission staff and admins.
pub fn may_verify(account: &Account) -> bool {
    matches!(account.role, Role::Admin | Role::CommissionStaff)
}

/// The refusal for everyone else.
pub fn forbidden() -> AppError {
    AppError::forbidden("only commission staff and admins verify certificates")
}

/// A certificate awaiting verification, with its organisation.
#[derive(Debug, Clone, Serialize)]
pub struct PendingCertificate {
    /// The organisation's id.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// Its 统一社会信用代码.
    pub credit_code: String,
    /// Its district.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// The certificate's index in the organisation's list (the `{n}` of the verification URL).
    pub index: usize,
    /// The certificate as claimed.
    pub certificate: Certificate,
}

/// Every certificate awaiting verification, by organisation id, then index; of one kind only
/// when `kind` is given.
pub async fn pending(
    store: &Arc<dyn Store>,
    kind: Option<CertKind>,
) -> Result<Vec<PendingCertificate>, StoreError> {
    let filter = OrgFilter::default();
    let orgs = crate::planning::every(|page| store.list_orgs(&filter, page)).await?;
    Ok(orgs
        .into_iter()
        .flat_map(|o| {
            let OrgRecord { id, org, .. } = o;
            org.certificates
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.verification == Verification::Pending && kind.is_none_or(|k| c.kind == k)
                })
                .map(|(index, c)| PendingCertificate {
                    org_id: id,
                    org_name: org.name.clone(),
                    credit_code: org.credit_code.clone(),
                    district: org.district.clone(),
                    index,
                    certificate: c.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect())
}

/// A decision on one certificate, as the API and the page forms send it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `verified` or `rejected`.
    pub status: String,
    /// The certificate number checked (verified; optional). It also becomes the
    /// certificate's number, which corrects a wrong claim.
    #[serde(default)]
    pub number: Option<String>,
    /// Why (rejected; required).
    #[serde(default)]
    pub reason: Option<String>,
    /// The kind the certificate must have: a guard against deciding on a list the
    /// organisation changed meanwhile (409). Any kind when absent.
    #[serde(default)]
    pub kind: Option<CertKind>,
}

/// Decides certificate `index` of organisation `org_id` as `user` (staff or admin).
pub async fn decide(
    store: &Arc<dyn Store>,
    user: &Account,
    org_id: i64,
    index: usize,
    d: &Decision,
) -> AppResult<OrgRecord> {
    if !may_verify(user) {
        return Err(forbidden());
    }
    let record = store.get_org(org_id).await?;
    let Some(cert) = record.org.certificates.get(index) else {
        return Err(AppError::NotFound(match record.org.certificates.len() {
            0 => format!("organisation {org_id} has no certificates"),
            n => format!(
                "organisation {org_id} has {n} certificates, numbered 0 to {}; there is no certificate {index}",
                n - 1
            ),
        }));
    };
    let now = Utc::now();
    let verification = match d.status.trim() {
        "verified" => {
            Verification::verified(user.id, &user.username, now, d.number.as_deref(), None)?
        }
        "rejected" => Verification::rejected(
            user.id,
            &user.username,
            now,
            d.reason.as_deref().unwrap_or(""),
        )?,
        other => {
            return Err(Invalid::field(
                "status",
                qiao_domain::Rule::NotOneOf {
                    found: other.to_string(),
                    allowed: vec!["verified".into(), "rejected".into()],
                },
            )
            .into());
        }
    };
    let verdict = Verdict {
        index,
        kind: d.kind.unwrap_or(cert.kind),
        verification,
    };
    Ok(store
        .acting_as(user.id)
        .verify_certificates(org_id, &[verdict])
        .await?)
}

/// One line of a list that verified a certificate, or found it verified already.
#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    /// The list's line.
    pub line: usize,
    /// The organisation.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// The credit code.
    pub credit_code: String,
}

/// One line of a list that verified nothing, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    /// The list's line.
    pub line: usize,
    /// The credit code the line names (as written when it could not be read).
    pub credit_code: String,
    /// Why nothing matched, in both languages.
    pub reason: Said,
}

/// What applying an official list did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListReport {
    /// Which certificate the list is of.
    pub kind: Option<CertKind>,
    /// Lines that verified a pending claim.
    pub verified: Vec<Matched>,
    /// Lines whose organisation's claim was verified before.
    pub already_verified: Vec<Matched>,
    /// Lines that matched nothing: no such organisation, no claim of the kind, other dates.
    pub unmatched: Vec<Unmatched>,
}

fn said(zh: impl Into<String>, en: impl Into<String>) -> Said {
    Said {
        zh: zh.into(),
        en: en.into(),
    }
}

/// The rows a list could not read, as unmatched lines.
fn unreadable(errors: Vec<RowError>) -> Vec<Unmatched> {
    errors
        .into_iter()
        .map(|e| Unmatched {
            line: e.line,
            credit_code: String::new(),
            reason: said(format!("无法读取：{}", e.zh()), e.message()),
        })
        .collect()
}

fn same_number(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// How one line of a list meets one organisation's certificates of `kind`.
enum Meets {
    /// These pending claims are the listed certificate.
    Verify(Vec<usize>),
    /// A verified certificate of the kind is the listed one already.
    Already,
    /// Nothing matched.
    Miss(Said),
}

fn meet(kind: CertKind, certs: &[Certificate], e: &ListedCertificate) -> Meets {
    let listed_issue = |c: &Certificate| e.issued_on.is_none_or(|d| d == c.issued_on);
    let listed_number = |c: &Certificate| match (&e.number, &c.number) {
        (Some(l), Some(n)) => same_number(l, n),
        _ => true,
    };
    let of_kind: Vec<(usize, &Certificate)> = certs
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == kind)
        .collect();
    if of_kind.is_empty() {
        return Meets::Miss(said(
            format!("该机构未申报{}证书", kind.label_zh()),
            format!("the organisation claims no {} certificate", kind.label_en()),
        ));
    }
    let fits = |c: &Certificate| listed_issue(c) && listed_number(c);
    let verify: Vec<usize> = of_kind
        .iter()
        .filter(|(_, c)| c.verification == Verification::Pending && fits(c))
        .map(|(i, _)| *i)
        .collect();
    if !verify.is_empty() {
        return Meets::Verify(verify);
    }
    if of_kind.iter().any(|(_, c)| c.is_verified() && fits(c)) {
        return Meets::Already;
    }
    if of_kind
        .iter()
        .all(|(_, c)| matches!(c.verification, Verification::Rejected { .. }))
    {
        return Meets::Miss(said(
            "该证书已被驳回，请在待核验列表外单独处理",
            "the claim was rejected before; decide it by hand",
        ));
    }
    let (_, c) = of_kind[0];
    match (&e.issued_on, &e.number, &c.number) {
        (Some(d), _, _) if *d != c.issued_on => Meets::Miss(said(
            format!("发证日期不符：申报 {}，名单 {d}", c.issued_on),
            format!("issued on {} as claimed, {d} in the list", c.issued_on),
        )),
        (_, Some(l), Some(n)) if !same_number(l, n) => Meets::Miss(said(
            format!("证书编号不符：申报 {n}，名单 {l}"),
            format!("number {n} as claimed, {l} in the list"),
        )),
        _ => Meets::Miss(said("与申报信息不符", "does not match the claim")),
    }
}

/// Applies an official list of `kind` certificates as `user`: every pending claim of that kind
/// whose organisation's credit code the list names (and whose 发证日期 and 证书编号 agree where
/// both are given) becomes verified, its source the file and line. `file` names the list in
/// each verification.
pub async fn apply_list(
    store: &Arc<dyn Store>,
    user: &Account,
    kind: CertKind,
    file: &str,
    list: OfficialList,
) -> AppResult<ListReport> {
    if !may_verify(user) {
        return Err(forbidden());
    }
    let mut report = ListReport {
        kind: Some(kind),
        unmatched: unreadable(list.errors),
        ..ListReport::default()
    };
    // Each organisation is read once and decided in memory, so a code listed twice finds its
    // claim verified by the first line; its verdicts are written together at the end.
    let mut orgs: HashMap<String, Option<OrgRecord>> = HashMap::new();
    let mut verdicts: HashMap<i64, Vec<Verdict>> = HashMap::new();
    let now = Utc::now();
    for e in &list.entries {
        if !orgs.contains_key(&e.credit_code) {
            let found = store.org_by_credit_code(&e.credit_code).await?;
            orgs.insert(e.credit_code.clone(), found);
        }
        let Some(Some(record)) = orgs.get_mut(&e.credit_code) else {
            report.unmatched.push(Unmatched {
                line: e.line,
                credit_code: e.credit_code.clone(),
                reason: said(
                    "平台上没有该统一社会信用代码的机构",
                    "no organisation with this credit code on the platform",
                ),
            });
            continue;
        };
        let matched = Matched {
            line: e.line,
            org_id: record.id,
            org_name: record.org.name.clone(),
            credit_code: e.credit_code.clone(),
        };
        match meet(kind, &record.org.certificates, e) {
            Meets::Verify(indices) => {
                for index in indices {
                    let cert = &mut record.org.certificates[index];
                    let number = e.number.clone().or_else(|| cert.number.clone());
                    let v = Verification::verified(
                        user.id,
                        &user.username,
                        now,
                        number.as_deref(),
                        Some(format!("{file} 第{}行", e.line)),
                    )?;
                    cert.verification = v.clone();
                    verdicts.entry(record.id).or_default().push(Verdict {
                        index,
                        kind,
                        verification: v,
                    });
                }
                report.verified.push(matched);
            }
            Meets::Already => report.already_verified.push(matched),
            Meets::Miss(reason) => report.unmatched.push(Unmatched {
                line: e.line,
                credit_code: e.credit_code.clone(),
                reason,
            }),
        }
    }
    let acting = store.acting_as(user.id);
    let mut ids: Vec<&i64> = verdicts.keys().collect();
    ids.sort();
    for id in ids {
        acting.verify_certificates(*id, &verdicts[id]).await?;
    }
    report.unmatched.sort_by_key(|u| u.line);
    Ok(report)
}

/// A certificate kind by its JSON name (`high_tech`) or Chinese label (`高新技术企业`).
pub fn parse_kind(s: &str) -> Option<CertKind> {
    let s = s.trim();
    CertKind::ALL
        .into_iter()
        .find(|k| qiao_io::labels::cert_kind_name(*k) == s || k.label_zh() == s)
}

/// The kinds as `parse_kind` accepts them, for error messages.
pub const KIND_NAMES: &str =
    "tech_sme, high_tech, little_giant, specialized, leading (or their Chinese names)";
