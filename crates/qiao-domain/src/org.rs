//! Organisations (enterprises, universities, institutes, government bodies, service institutions)
//! and the certificates that place an enterprise on the cultivation ladder.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::{parse_credit_code, parse_industry_code};
use crate::invalid::{Checker, Invalid};

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
}

impl Certificate {
    /// Whether the certificate is in force on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.issued_on <= date && date <= self.expires_on
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
            Err(e) => c.fail(
                "credit_code",
                format!("统一社会信用代码 `{}` {e}", self.credit_code.trim()),
            ),
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
                    format!("`{code}` is not a GB/T 4754-2017 code: a section letter A-T, optionally followed by 2, 3 or 4 digits (e.g. C3562)"),
                ),
            }
        }
        for (name, v) in [
            ("revenue_yuan", self.revenue_yuan),
            ("rd_expense_yuan", self.rd_expense_yuan),
        ] {
            c.ensure(v.is_none_or(|v| v >= 0), name, || {
                "cannot be negative".into()
            });
        }
        if let Some(d) = &self.description {
            c.max_len("description", d, 5000);
        }
        if let Some(w) = &self.website {
            c.max_len("website", w, 300);
        }
        for (i, cert) in self.certificates.iter().enumerate() {
            c.ensure(cert.issued_on <= cert.expires_on, &format!("certificates[{i}].expires_on"), || {
                format!("({}) is before issued_on ({}); a certificate must expire after it is issued", cert.expires_on, cert.issued_on)
            });
        }
        c.finish()
    }

    /// Removes what only the organisation itself, commission staff and admins may see:
    /// revenue and R&D expenses.
    pub fn strip_private(&mut self) {
        self.revenue_yuan = None;
        self.rd_expense_yuan = None;
    }

    /// The certificates in force on `date`, highest rung first.
    pub fn valid_certificates(&self, date: NaiveDate) -> Vec<CertKind> {
        let mut kinds: Vec<CertKind> = self
            .certificates
            .iter()
            .filter(|c| c.valid_on(date))
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
        assert!(
            errors[0].message.contains("expected `3`"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn certificates_valid_on_a_date() {
        let o = org();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            o.valid_certificates(d("2024-06-01")),
            [CertKind::HighTech, CertKind::TechSme]
        );
        assert_eq!(o.valid_certificates(d("2026-11-30")), [CertKind::HighTech]);
        assert_eq!(o.valid_certificates(d("2026-12-01")), []);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<Organisation, _> = serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": "x", "credit_code": "91350100M000100Y43", "nmae": "typo"
        }));
        assert!(r.unwrap_err().to_string().contains("nmae"));
    }
}
