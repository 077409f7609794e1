//! Organisations (enterprises, universities, institutes, government bodies, service institutions)
//! and the certificates that place an enterprise on the cultivation ladder.
//!
//! A certificate is a claim until commission staff verify it: each carries a [`Verification`]
//! (待核验 → 已核验 or 驳回), and only a verified certificate in force counts
//! ([`Certificate::counts`]) in targets, statistics and policy verdicts. A claim that is new or
//! changed is pending; [`Organisation::keep_verifications`] carries the verdict of a claim that
//! is unchanged, so an organisation editing its profile neither loses nor forges one.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::{parse_credit_code, parse_industry_code};
use crate::invalid::{Checker, Format, Invalid, Rule};

/// What sort of organisation this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 企业
    Enterprise,
    /// 高校
    University,
    /// 科研院所
    ResearchInstitute,
    /// 政府部门 (e.g. a district science and technology commission)
    Government,
    /// 服务机构 (technology-transfer agencies, testing labs, incubators)
    ServiceInstitution,
}

impl OrgKind {
    /// Every kind, in display order.
    pub const ALL: [OrgKind; 5] = [
        OrgKind::Enterprise,
        OrgKind::University,
        OrgKind::ResearchInstitute,
        OrgKind::Government,
        OrgKind::ServiceInstitution,
    ];

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Enterprise => "企业",
            OrgKind::University => "高校",
            OrgKind::ResearchInstitute => "科研院所",
            OrgKind::Government => "政府部门",
            OrgKind::ServiceInstitution => "服务机构",
        }
    }

    /// The English name shown to users.
    pub fn label_en(self) -> &'static str {
        match self {
            OrgKind::Enterprise => "Enterprise",
            OrgKind::University => "University",
            OrgKind::ResearchInstitute => "Research institute",
            OrgKind::Government => "Government body",
            OrgKind::ServiceInstitution => "Service institution",
        }
    }
}

/// A rung of the enterprise cultivation ladder, or another recognised certificate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// 科技型中小企业
    TechSme,
    /// 高新技术企业 (valid three years)
    HighTech,
    /// 科技小巨人企业
    LittleGiant,
    /// 专精特新企业
    Specialized,
    /// 领军企业
    Leading,
}

impl CertKind {
    /// Every kind, from the bottom of the ladder up.
    pub const ALL: [CertKind; 5] = [
        CertKind::TechSme,
        CertKind::HighTech,
        CertKind::LittleGiant,
        CertKind::Specialized,
        CertKind::Leading,
    ];

    /// The Chinese name shown to users and accepted in imports.
    pub fn label_zh(self) -> &'static str {
        match self {
            CertKind::TechSme => "科技型中小企业",
            CertKind::HighTech => "高新技术企业",
            CertKind::LittleGiant => "科技小巨人",
            CertKind::Specialized => "专精特新",
            CertKind::Leading => "领军企业",
        }
    }

    /// The English name shown to users.
    pub fn label_en(self) -> &'static str {
        match self {
            CertKind::TechSme => "Tech-based SME",
            CertKind::HighTech => "High-tech enterprise",
            CertKind::LittleGiant => "Little giant",
            CertKind::Specialized => "Specialised (专精特新)",
            CertKind::Leading => "Leading enterprise",
        }
    }
}

/// Whether commission staff have checked a certificate against the issuing authority's records.
///
/// Certificates stored before verification existed read as [`Verification::Pending`] (the
/// field's default): nobody checked them, so they do not count until someone does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verification {
    /// 待核验: claimed by the organisation (or imported), not yet checked.
    #[default]
    Pending,
    /// 已核验: checked by commission staff or an admin.
    Verified {
        /// The account that verified it.
        by: i64,
        /// That account's username at the time.
        by_name: String,
        /// When.
        at: DateTime<Utc>,
        /// The certificate number staff checked it by, when they had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        number: Option<String>,
        /// Where the evidence came from (e.g. `高企名单.xlsx 第12行`), when not by hand.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// 驳回: staff found no such certificate, or different dates.
    Rejected {
        /// The account that rejected it.
        by: i64,
        /// That account's username at the time.
        by_name: String,
        /// When.
        at: DateTime<Utc>,
        /// Why, for the organisation to correct its claim.
        reason: String,
    },
}

impl Verification {
    /// The name used in URLs and JSON (`pending`, `verified`, `rejected`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Verification::Pending => "pending",
            Verification::Verified { .. } => "verified",
            Verification::Rejected { .. } => "rejected",
        }
    }

    /// The Chinese name shown to users.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Verification::Pending => "待核验",
            Verification::Verified { .. } => "已核验",
            Verification::Rejected { .. } => "驳回",
        }
    }

    /// The English name shown to users.
    pub fn label_en(&self) -> &'static str {
        match self {
            Verification::Pending => "awaiting verification",
            Verification::Verified { .. } => "verified",
            Verification::Rejected { .. } => "rejected",
        }
    }

    /// A staff verdict: verified, with the number checked (trimmed; empty is none).
    pub fn verified(
        by: i64,
        by_name: &str,
        at: DateTime<Utc>,
        number: Option<&str>,
        source: Option<String>,
    ) -> Result<Verification, Invalid> {
        let number = number.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = number
            && n.chars().count() > 60
        {
            return Err(Invalid::field(
                "number",
                Rule::TooLong {
                    max: 60,
                    found: n.chars().count(),
                },
            ));
        }
        Ok(Verification::Verified {
            by,
            by_name: by_name.to_string(),
            at,
            number: number.map(str::to_string),
            source,
        })
    }

    /// A staff verdict: rejected, for a reason the organisation reads (required, ≤ 500).
    pub fn rejected(
        by: i64,
        by_name: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Verification, Invalid> {
        let reason = reason.trim();
        let mut c = Checker::default();
        c.text("reason", reason, 500);
        c.finish()?;
        Ok(Verification::Rejected {
            by,
            by_name: by_name.to_string(),
            at,
            reason: reason.to_string(),
        })
    }
}

/// A certificate held by an organisation, valid from `issued_on` to `expires_on` inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Which certificate.
    pub kind: CertKind,
    /// The certificate number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// First day of validity.
    pub issued_on: NaiveDate,
    /// Last day of validity.
    pub expires_on: NaiveDate,
    /// Whether commission staff verified it. Set only through the verification endpoint, the
    /// staff page or an official list; a value a client sends with the organisation is
    /// ignored (the stored verdict of an unchanged claim is kept, anything else is pending).
    #[serde(default)]
    pub verification: Verification,
}

impl Certificate {
    /// Whether the certificate is in force on `date` (verified or not).
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.issued_on <= date && date <= self.expires_on
    }

    /// Whether commission staff verified it.
    pub fn is_verified(&self) -> bool {
        matches!(self.verification, Verification::Verified { .. })
    }

    /// Whether it counts on `date`: verified and in force. Targets, statistics and policy
    /// verdicts count only these.
    pub fn counts(&self, date: NaiveDate) -> bool {
        self.is_verified() && self.valid_on(date)
    }

    /// Whether `other` claims the same certificate: kind, number and dates alike.
    pub fn same_claim(&self, other: &Certificate) -> bool {
        (self.kind, &self.number, self.issued_on, self.expires_on)
            == (other.kind, &other.number, other.issued_on, other.expires_on)
    }
}

/// An organisation as clients write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// What sort of organisation.
    pub kind: OrgKind,
    /// Registered name.
    pub name: String,
    /// 统一社会信用代码, 18 characters, check character per GB 32100-2015. Unique.
    pub credit_code: String,
    /// District (e.g. 闵行区).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Industry code of GB/T 4754-2017 (`C3562`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_code: Option<String>,
    /// Date of founding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founded_on: Option<NaiveDate>,
    /// Number of employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    /// Revenue of the last year, in yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_yuan: Option<i64>,
    /// R&D expenses of the last year, in yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rd_expense_yuan: Option<i64>,
    /// Authorised patents held (invention, utility model and design), as the organisation reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patents: Option<u32>,
    /// Public description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Certificates on the cultivation ladder.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
}

impl Organisation {
    /// Normalises the fields (trimmed text, upper-case codes) and checks every rule.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.name = self.name.trim().to_string();
        c.text("name", &self.name, 200);
        match parse_credit_code(&self.credit_code) {
            Ok(code) => self.credit_code = code,
            Err(e) => c.fail("credit_code", e.rule(&self.credit_code)),
        }
        if let Some(d) = &mut self.district {
            *d = d.trim().to_string();
            c.text("district", d, 40);
        }
        if let Some(code) = &self.industry_code {
            match parse_industry_code(code) {
                Some(ok) => self.industry_code = Some(ok),
                None => c.fail(
                    "industry_code",
                    Rule::BadFormat {
                        found: code.clone(),
                        format: Format::IndustryCode,
                    },
                ),
            }
        }
        for (name, v) in [
            ("revenue_yuan", self.revenue_yuan),
            ("rd_expense_yuan", self.rd_expense_yuan),
        ] {
            if let Some(v) = v.filter(|v| *v < 0) {
                c.fail(name, Rule::Negative { found: v as f64 });
            }
        }
        if let Some(d) = &self.description {
            c.max_len("description", d, 5000);
        }
        if let Some(w) = &self.website {
            c.max_len("website", w, 300);
        }
        for (i, cert) in self.certificates.iter_mut().enumerate() {
            if let Some(n) = &mut cert.number {
                *n = n.trim().to_string();
                if n.is_empty() {
                    cert.number = None;
                }
            }
            c.ensure(
                cert.issued_on <= cert.expires_on,
                &format!("certificates[{i}].expires_on"),
                || Rule::Before {
                    other: "issued_on".into(),
                    found: cert.expires_on.to_string(),
                    limit: cert.issued_on.to_string(),
                },
            );
        }
        c.finish()
    }

    /// Removes what only the organisation itself, commission staff and admins may see:
    /// revenue and R&D expenses.
    pub fn strip_private(&mut self) {
        self.revenue_yuan = None;
        self.rd_expense_yuan = None;
    }

    /// Gives each certificate the verification of the same claim in `stored` (the record
    /// being replaced), and every other certificate [`Verification::Pending`]: whatever
    /// verification the writer sent is ignored, so only staff verdicts ever verify.
    pub fn keep_verifications(&mut self, stored: Option<&Organisation>) {
        for cert in &mut self.certificates {
            cert.verification = stored
                .and_then(|s| s.certificates.iter().find(|old| old.same_claim(cert)))
                .map(|old| old.verification.clone())
                .unwrap_or_default();
        }
    }

    /// The certificates that count on `date` (verified and in force), highest rung first.
    pub fn counted_certificates(&self, date: NaiveDate) -> Vec<CertKind> {
        let mut kinds: Vec<CertKind> = self
            .certificates
            .iter()
            .filter(|c| c.counts(date))
            .map(|c| c.kind)
            .collect();
        kinds.sort_unstable_by(|a, b| b.cmp(a));
        kinds.dedup();
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Organisation {
        serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": " 上海示例科技有限公司 ", "credit_code": "91350100m000100y43",
            "district": "闵行区", "industry_code": "c3562",
            "certificates": [{"kind": "high_tech", "issued_on": "2023-12-01", "expires_on": "2026-11-30"},
                             {"kind": "tech_sme", "issued_on": "2024-05-01", "expires_on": "2024-12-31"}]
        }))
        .unwrap()
    }

    #[test]
    fn validation_normalises() {
        let mut o = org();
        o.validate().unwrap();
        assert_eq!(o.name, "上海示例科技有限公司");
        assert_eq!(o.credit_code, "91350100M000100Y43");
        assert_eq!(o.industry_code.as_deref(), Some("C3562"));
    }

    #[test]
    fn validation_names_every_bad_field() {
        let mut o = org();
        o.credit_code = "91350100M000100Y44".into();
        o.industry_code = Some("X1".into());
        o.certificates[0].expires_on = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let Invalid(errors) = o.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["credit_code", "industry_code", "certificates[0].expires_on"]
        );
        assert_eq!(
            errors[0].rule,
            crate::Rule::WrongCheckCharacter {
                value: "91350100M000100Y44".into(),
                found: '4',
                expected: '3'
            }
        );
    }

    fn verified() -> Verification {
        Verification::verified(1, "staff", Utc::now(), Some(" GR1 "), None).unwrap()
    }

    #[test]
    fn only_verified_certificates_in_force_count() {
        let mut o = org();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Claimed, not verified: in force, but nothing counts.
        assert!(o.certificates[0].valid_on(d("2024-06-01")));
        assert_eq!(o.certificates[0].verification, Verification::Pending);
        assert_eq!(o.counted_certificates(d("2024-06-01")), []);
        for c in &mut o.certificates {
            c.verification = verified();
        }
        assert_eq!(
            o.counted_certificates(d("2024-06-01")),
            [CertKind::HighTech, CertKind::TechSme]
        );
        assert_eq!(
            o.counted_certificates(d("2026-11-30")),
            [CertKind::HighTech]
        );
        assert_eq!(o.counted_certificates(d("2026-12-01")), []);
        o.certificates[0].verification =
            Verification::rejected(1, "staff", Utc::now(), "名单中无此证书").unwrap();
        assert_eq!(o.counted_certificates(d("2024-06-01")), [CertKind::TechSme]);
    }

    #[test]
    fn verdicts_need_a_reason_and_trim_the_number() {
        let Verification::Verified { number, .. } = verified() else {
            panic!("verified")
        };
        assert_eq!(number.as_deref(), Some("GR1"));
        let Invalid(e) = Verification::rejected(1, "staff", Utc::now(), "  ").unwrap_err();
        assert_eq!(e[0].field, "reason");
    }

    #[test]
    fn writers_cannot_forge_or_keep_a_verdict_for_a_changed_claim() {
        let mut stored = org();
        stored.certificates[0].verification = verified();
        // A writer sends a verified tech_sme (forged) and the unchanged high_tech claim.
        let mut new = stored.clone();
        new.certificates[1].verification = verified();
        new.keep_verifications(Some(&stored));
        assert!(
            new.certificates[0].is_verified(),
            "unchanged claim keeps its verdict"
        );
        assert_eq!(new.certificates[1].verification, Verification::Pending);
        // Changing the expiry makes it a new claim.
        let mut moved = stored.clone();
        moved.certificates[0].expires_on = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        moved.keep_verifications(Some(&stored));
        assert_eq!(moved.certificates[0].verification, Verification::Pending);
        // A new record has nothing to keep.
        let mut fresh = stored.clone();
        fresh.keep_verifications(None);
        assert!(fresh.certificates.iter().all(|c| !c.is_verified()));
    }

    #[test]
    fn certificates_stored_before_verification_read_as_pending() {
        let old: Certificate = serde_json::from_value(serde_json::json!(
            {"kind": "high_tech", "issued_on": "2023-12-01", "expires_on": "2026-11-30"}
        ))
        .unwrap();
        assert_eq!(old.verification, Verification::Pending);
        let v = serde_json::to_value(Certificate {
            verification: verified(),
            ..old
        })
        .unwrap();
        assert_eq!(v["verification"]["status"], "verified");
        assert_eq!(v["verification"]["number"], "GR1");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<Organisation, _> = serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": "x", "credit_code": "91350100M000100Y43", "nmae": "typo"
        }));
        assert!(r.unwrap_err().to_string().contains("nmae"));
    }
}
