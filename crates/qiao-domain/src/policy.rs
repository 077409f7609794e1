//! Enterprise-support policies (惠企政策) and who qualifies for them.
//!
//! Commission staff describe a policy's eligibility as structured conditions (certificate in
//! force on a date, district, industry, years since founding, revenue, R&D ratio, employees,
//! patents). [`Policy::check`] holds one organisation against them and marks every condition
//! pass, fail or unknown, unknown being "the data to decide is missing", never a silent pass,
//! with what the organisation would need. The same function answers both questions users ask:
//! which policies an enterprise qualifies for, and which enterprises a policy reaches.

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::parse_industry_code;
use crate::invalid::{Checker, Format, Invalid, Rule};
use crate::money::format_yuan;
use crate::org::{CertKind, Organisation, Verification};

/// A policy as staff write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Title (e.g. 闵行区高新技术企业认定奖励).
    pub title: String,
    /// Who issues it (e.g. 闵行区科学技术委员会).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// What it gives (e.g. 一次性奖励20万元).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit: Option<String>,
    /// More detail: scope, how to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The imported document the policy comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    /// First day applications are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_from: Option<NaiveDate>,
    /// Last day applications are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_until: Option<NaiveDate>,
    /// Who qualifies. Every condition given must hold.
    #[serde(default)]
    pub conditions: Conditions,
}

/// The eligibility conditions of a policy; a condition left empty does not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Holds at least one of these certificates, in force on `certificate_on`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertKind>,
    /// The day the certificate must be in force; the day of the check when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_on: Option<NaiveDate>,
    /// Registered in one of these districts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<String>,
    /// Industry (GB/T 4754-2017) starting with one of these codes: `C` (manufacturing),
    /// `C35`, `I65`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    /// Founded at least this many years before the day of the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_years: Option<u32>,
    /// Founded at most this many years before the day of the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_years: Option<u32>,
    /// Last year's revenue at least this, in yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_revenue_yuan: Option<i64>,
    /// Last year's revenue at most this, in yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_revenue_yuan: Option<i64>,
    /// R&D expenses at least this share of revenue, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rd_ratio_percent: Option<f64>,
    /// At least this many employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_employees: Option<u32>,
    /// At most this many employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_employees: Option<u32>,
    /// At least this many authorised patents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_patents: Option<u32>,
}

/// The verdict on one condition, or on a whole policy.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The data shows the condition holds.
    Pass,
    /// The data needed to decide is missing.
    Unknown,
    /// The data shows the condition does not hold.
    Fail,
}

impl Outcome {
    /// Every outcome, best first.
    pub const ALL: [Outcome; 3] = [Outcome::Pass, Outcome::Unknown, Outcome::Fail];

    /// The name used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Unknown => "unknown",
            Outcome::Fail => "fail",
        }
    }

    /// Parses [`Outcome::as_str`].
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A text in both languages of the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Said {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

fn said(zh: impl Into<String>, en: impl Into<String>) -> Said {
    Said {
        zh: zh.into(),
        en: en.into(),
    }
}

/// Which condition a [`Check`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// A certificate in force.
    Certificate,
    /// The district.
    District,
    /// The industry code.
    Industry,
    /// Years since founding.
    Age,
    /// Last year's revenue.
    Revenue,
    /// R&D expenses over revenue.
    RdRatio,
    /// Employees.
    Employees,
    /// Authorised patents.
    Patents,
}

/// One condition held against one organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Check {
    /// Which condition.
    pub condition: ConditionKind,
    /// Pass, fail or unknown.
    pub outcome: Outcome,
    /// What the policy requires.
    pub required: Said,
    /// What the organisation's data shows (`None` when it is missing).
    pub actual: Option<Said>,
    /// What would be needed to pass, for a fail or an unknown.
    pub needed: Option<Said>,
}

/// A policy held against one organisation: every condition and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Eligibility {
    /// Fail if any condition fails; else unknown if any is unknown; else pass.
    pub outcome: Outcome,
    /// One check per condition the policy sets, in the order of [`Conditions`].
    pub checks: Vec<Check>,
}

impl Policy {
    /// Normalises the fields and checks every rule.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.title = self.title.trim().to_string();
        c.text("title", &self.title, 200);
        for (name, v, max) in [
            ("issuer", &mut self.issuer, 200),
            ("benefit", &mut self.benefit, 500),
            ("description", &mut self.description, 5000),
        ] {
            if let Some(s) = v {
                *s = s.trim().to_string();
                if s.is_empty() {
                    *v = None;
                } else {
                    c.max_len(name, s, max);
                }
            }
        }
        if let (Some(from), Some(until)) = (self.apply_from, self.apply_until) {
            c.ensure(from <= until, "apply_until", || Rule::Before {
                other: "apply_from".into(),
                found: until.to_string(),
                limit: from.to_string(),
            });
        }
        c.nested("conditions", self.conditions.validate());
        c.finish()
    }

    /// Whether applications are accepted on `date`.
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.apply_from.is_none_or(|d| d <= date) && self.apply_until.is_none_or(|d| date <= d)
    }

    /// What each condition requires, in order (the rows of a policy's page).
    pub fn requirements(&self, date: NaiveDate) -> Vec<(ConditionKind, Said)> {
        self.conditions.requirements(date)
    }

    /// Holds `org` against every condition on `date`.
    pub fn check(&self, org: &Organisation, date: NaiveDate) -> Eligibility {
        let checks = self.conditions.check(org, date);
        let outcome = checks
            .iter()
            .map(|c| c.outcome)
            .max()
            .unwrap_or(Outcome::Pass);
        Eligibility { outcome, checks }
    }
}

impl Conditions {
    /// What each condition requires, in order, as it reads on `date`.
    pub fn requirements(&self, date: NaiveDate) -> Vec<(ConditionKind, Said)> {
        let nobody = Organisation {
            kind: crate::OrgKind::Enterprise,
            name: String::new(),
            credit_code: String::new(),
            district: None,
            industry_code: None,
            founded_on: None,
            employees: None,
            revenue_yuan: None,
            rd_expense_yuan: None,
            patents: None,
            description: None,
            website: None,
            certificates: Vec::new(),
        };
        self.check(&nobody, date)
            .into_iter()
            .map(|c| (c.condition, c.required))
            .collect()
    }

    /// Whether no condition is set (the policy reaches every organisation).
    pub fn is_empty(&self) -> bool {
        self == &Conditions::default()
    }

    fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.certificates.sort_unstable();
        self.certificates.dedup();
        for d in &mut self.districts {
            *d = d.trim().to_string();
        }
        self.districts.retain(|d| !d.is_empty());
        self.districts.dedup();
        c.list("districts", &self.districts, 50, 40);
        let mut industries = Vec::new();
        for (i, code) in self.industries.iter().enumerate() {
            match parse_industry_code(code) {
                Some(ok) => industries.push(ok),
                None => c.fail(
                    format!("industries[{i}]"),
                    Rule::BadFormat {
                        found: code.clone(),
                        format: Format::IndustryCode,
                    },
                ),
            }
        }
        industries.dedup();
        self.industries = industries;
        c.range(
            "min_years",
            "max_years",
            self.min_years.map(i64::from),
            self.max_years.map(i64::from),
        );
        c.range(
            "min_revenue_yuan",
            "max_revenue_yuan",
            self.min_revenue_yuan,
            self.max_revenue_yuan,
        );
        c.range(
            "min_employees",
            "max_employees",
            self.min_employees.map(i64::from),
            self.max_employees.map(i64::from),
        );
        if let Some(r) = self.min_rd_ratio_percent {
            c.ensure(
                r.is_finite() && (0.0..=100.0).contains(&r),
                "min_rd_ratio_percent",
                || Rule::OutOfRange {
                    min: 0,
                    max: 100,
                    found: r,
                },
            );
        }
        if self.certificate_on.is_some() {
            c.ensure(!self.certificates.is_empty(), "certificate_on", || {
                Rule::Requires {
                    other: "certificates".into(),
                }
            });
        }
        c.finish()
    }

    fn check(&self, org: &Organisation, date: NaiveDate) -> Vec<Check> {
        let mut out = Vec::new();
        if !self.certificates.is_empty() {
            out.push(self.check_certificates(org, date));
        }
        if !self.districts.is_empty() {
            out.push(self.check_district(org));
        }
        if !self.industries.is_empty() {
            out.push(self.check_industry(org));
        }
        if self.min_years.is_some() || self.max_years.is_some() {
            out.push(self.check_age(org, date));
        }
        if self.min_revenue_yuan.is_some() || self.max_revenue_yuan.is_some() {
            out.push(self.check_revenue(org));
        }
        if let Some(min) = self.min_rd_ratio_percent {
            out.push(check_rd_ratio(min, org));
        }
        if self.min_employees.is_some() || self.max_employees.is_some() {
            out.push(range_check(
                ConditionKind::Employees,
                ("员工", "employees"),
                ("人", " people"),
                self.min_employees.map(i64::from),
                self.max_employees.map(i64::from),
                org.employees.map(i64::from),
            ));
        }
        if let Some(min) = self.min_patents {
            out.push(range_check(
                ConditionKind::Patents,
                ("授权专利", "authorised patents"),
                ("项", ""),
                Some(i64::from(min)),
                None,
                org.patents.map(i64::from),
            ));
        }
        out
    }

    fn check_certificates(&self, org: &Organisation, date: NaiveDate) -> Check {
        let on = self.certificate_on.unwrap_or(date);
        let names_zh: Vec<&str> = self.certificates.iter().map(|k| k.label_zh()).collect();
        let names_en: Vec<&str> = self.certificates.iter().map(|k| k.label_en()).collect();
        let required = said(
            format!("{on} 持有有效的{}证书", names_zh.join("或")),
            format!("a {} certificate in force on {on}", names_en.join(" or ")),
        );
        let held: Vec<CertKind> = org
            .counted_certificates(on)
            .into_iter()
            .filter(|k| self.certificates.contains(k))
            .collect();
        if let Some(k) = held.first() {
            let cert = org
                .certificates
                .iter()
                .filter(|c| c.kind == *k && c.counts(on))
                .max_by_key(|c| c.expires_on)
                .expect("counted_certificates found it");
            return Check {
                condition: ConditionKind::Certificate,
                outcome: Outcome::Pass,
                required,
                actual: Some(said(
                    format!("{}（已核验，有效期至 {}）", k.label_zh(), cert.expires_on),
                    format!(
                        "{} (verified, valid until {})",
                        k.label_en(),
                        cert.expires_on
                    ),
                )),
                needed: None,
            };
        }
        // A claim in force that nobody has checked yet decides nothing: unknown, never a pass
        // on the organisation's word alone.
        if let Some(c) = org
            .certificates
            .iter()
            .filter(|c| {
                self.certificates.contains(&c.kind)
                    && c.valid_on(on)
                    && c.verification == Verification::Pending
            })
            .max_by_key(|c| c.expires_on)
        {
            return Check {
                condition: ConditionKind::Certificate,
                outcome: Outcome::Unknown,
                required,
                actual: Some(said(
                    format!(
                        "{}证书待核验（申报有效期至 {}）",
                        c.kind.label_zh(),
                        c.expires_on
                    ),
                    format!(
                        "{} certificate awaiting verification (claimed valid until {})",
                        c.kind.label_en(),
                        c.expires_on
                    ),
                )),
                needed: Some(said(
                    "待科委核验证书",
                    "the commission to verify the certificate",
                )),
            };
        }
        // A rejected claim in force is no certificate; say so rather than "none on record".
        if let Some(c) = org.certificates.iter().find(|c| {
            self.certificates.contains(&c.kind)
                && c.valid_on(on)
                && matches!(c.verification, Verification::Rejected { .. })
        }) {
            return Check {
                condition: ConditionKind::Certificate,
                outcome: Outcome::Fail,
                required,
                actual: Some(said(
                    format!("{}证书核验未通过", c.kind.label_zh()),
                    format!("{} certificate rejected on verification", c.kind.label_en()),
                )),
                needed: Some(said(
                    format!(
                        "更正证书信息后重新提交核验，或取得{}认定",
                        names_zh.join("或")
                    ),
                    format!(
                        "correct the certificate and have it verified again, or obtain {} recognition",
                        names_en.join(" or ")
                    ),
                )),
            };
        }
        // A certificate of the kind that lapsed (or starts) outside the day says more than "none".
        let other = org
            .certificates
            .iter()
            .filter(|c| self.certificates.contains(&c.kind))
            .max_by_key(|c| c.expires_on);
        let actual = match other {
            Some(c) => said(
                format!(
                    "{}证书有效期 {} 至 {}",
                    c.kind.label_zh(),
                    c.issued_on,
                    c.expires_on
                ),
                format!(
                    "{} certificate valid {} to {}",
                    c.kind.label_en(),
                    c.issued_on,
                    c.expires_on
                ),
            ),
            None => said("无所需证书记录", "no such certificate on record"),
        };
        let needed = match other {
            Some(c) if c.expires_on < on => said(
                format!(
                    "{}证书已于 {} 到期，需重新认定",
                    c.kind.label_zh(),
                    c.expires_on
                ),
                format!(
                    "the {} certificate expired on {}; renew it",
                    c.kind.label_en(),
                    c.expires_on
                ),
            ),
            _ => said(
                format!("取得{}认定", names_zh.join("或")),
                format!("obtain {} recognition", names_en.join(" or ")),
            ),
        };
        // No certificate on record is a fail: the ladder is what Qiao itself keeps.
        Check {
            condition: ConditionKind::Certificate,
            outcome: Outcome::Fail,
            required,
            actual: Some(actual),
            needed: Some(needed),
        }
    }

    fn check_district(&self, org: &Organisation) -> Check {
        let list = self.districts.join("、");
        let required = said(
            format!("注册在{list}"),
            format!("registered in {}", self.districts.join(", ")),
        );
        match org
            .district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => Check {
                condition: ConditionKind::District,
                outcome: Outcome::Unknown,
                required,
                actual: None,
                needed: Some(said("补充所在区", "add the district to the profile")),
            },
            Some(d) => {
                let pass = self.districts.iter().any(|x| same_district(x, d));
                Check {
                    condition: ConditionKind::District,
                    outcome: if pass { Outcome::Pass } else { Outcome::Fail },
                    required,
                    actual: Some(said(d, d)),
                    needed: (!pass).then(|| {
                        said(
                            format!("仅限{list}企业"),
                            format!("only for enterprises in {}", self.districts.join(", ")),
                        )
                    }),
                }
            }
        }
    }

    fn check_industry(&self, org: &Organisation) -> Check {
        let list = self.industries.join("、");
        let required = said(
            format!("行业代码属于 {list}（GB/T 4754-2017）"),
            format!(
                "industry code under {} (GB/T 4754-2017)",
                self.industries.join(", ")
            ),
        );
        match org.industry_code.as_deref() {
            None => Check {
                condition: ConditionKind::Industry,
                outcome: Outcome::Unknown,
                required,
                actual: None,
                needed: Some(said("补充行业代码", "add the industry code to the profile")),
            },
            Some(code) => {
                let pass = self.industries.iter().any(|p| code.starts_with(p.as_str()));
                Check {
                    condition: ConditionKind::Industry,
                    outcome: if pass { Outcome::Pass } else { Outcome::Fail },
                    required,
                    actual: Some(said(code, code)),
                    needed: (!pass).then(|| {
                        said(
                            "行业不在支持范围内",
                            "the industry is outside the policy's scope",
                        )
                    }),
                }
            }
        }
    }

    fn check_age(&self, org: &Organisation, date: NaiveDate) -> Check {
        let required = match (self.min_years, self.max_years) {
            (Some(lo), Some(hi)) => said(
                format!("成立满{lo}年且不超过{hi}年"),
                format!("founded {lo} to {hi} years ago"),
            ),
            (Some(lo), None) => said(
                format!("成立满{lo}年"),
                format!("founded at least {lo} years ago"),
            ),
            (None, Some(hi)) => said(
                format!("成立不超过{hi}年"),
                format!("founded at most {hi} years ago"),
            ),
            (None, None) => unreachable!("checked only when a bound is set"),
        };
        let Some(founded) = org.founded_on else {
            return Check {
                condition: ConditionKind::Age,
                outcome: Outcome::Unknown,
                required,
                actual: None,
                needed: Some(said("补充成立日期", "add the founding date to the profile")),
            };
        };
        let years = full_years(founded, date);
        let actual = said(
            format!("成立于 {founded}（满{years}年）"),
            format!("founded {founded} ({years} full years)"),
        );
        let mut needed = None;
        if let Some(lo) = self.min_years
            && years < i64::from(lo)
        {
            let day = add_years(founded, lo);
            needed = Some(said(
                format!("{day} 起满{lo}年"),
                format!("{lo} years are reached on {day}"),
            ));
        }
        if let Some(hi) = self.max_years
            && years > i64::from(hi)
        {
            needed = Some(said(
                format!("仅限成立{hi}年以内的企业"),
                format!("only for enterprises founded within {hi} years"),
            ));
        }
        Check {
            condition: ConditionKind::Age,
            outcome: if needed.is_none() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            required,
            actual: Some(actual),
            needed,
        }
    }

    fn check_revenue(&self, org: &Organisation) -> Check {
        let (lo, hi) = (self.min_revenue_yuan, self.max_revenue_yuan);
        let required = match (lo, hi) {
            (Some(lo), Some(hi)) => said(
                format!("上年度营业收入 {} 至 {}", format_yuan(lo), format_yuan(hi)),
                format!(
                    "last year's revenue {} to {}",
                    format_yuan(lo),
                    format_yuan(hi)
                ),
            ),
            (Some(lo), None) => said(
                format!("上年度营业收入不低于{}", format_yuan(lo)),
                format!("last year's revenue at least {}", format_yuan(lo)),
            ),
            (None, Some(hi)) => said(
                format!("上年度营业收入不超过{}", format_yuan(hi)),
                format!("last year's revenue at most {}", format_yuan(hi)),
            ),
            (None, None) => unreachable!("checked only when a bound is set"),
        };
        let Some(rev) = org.revenue_yuan else {
            return Check {
                condition: ConditionKind::Revenue,
                outcome: Outcome::Unknown,
                required,
                actual: None,
                needed: Some(said(
                    "补充上年度营业收入",
                    "add last year's revenue to the profile",
                )),
            };
        };
        let actual = said(format_yuan(rev), format_yuan(rev));
        let needed = if lo.is_some_and(|lo| rev < lo) {
            Some(said(
                format!("还差{}", format_yuan(lo.unwrap_or(0) - rev)),
                format!("{} short", format_yuan(lo.unwrap_or(0) - rev)),
            ))
        } else if hi.is_some_and(|hi| rev > hi) {
            Some(said("营业收入超过上限", "revenue is above the ceiling"))
        } else {
            None
        };
        Check {
            condition: ConditionKind::Revenue,
            outcome: if needed.is_none() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            required,
            actual: Some(actual),
            needed,
        }
    }
}

fn check_rd_ratio(min: f64, org: &Organisation) -> Check {
    let required = said(
        format!("研发费用占营业收入比例不低于{}%", fmt_num(min)),
        format!("R&D expenses at least {}% of revenue", fmt_num(min)),
    );
    let (Some(rd), Some(rev)) = (org.rd_expense_yuan, org.revenue_yuan.filter(|r| *r > 0)) else {
        return Check {
            condition: ConditionKind::RdRatio,
            outcome: Outcome::Unknown,
            required,
            actual: None,
            needed: Some(said(
                "补充上年度研发费用和营业收入",
                "add last year's R&D expenses and revenue to the profile",
            )),
        };
    };
    let ratio = rd as f64 / rev as f64 * 100.0;
    let pass = ratio + 1e-9 >= min;
    Check {
        condition: ConditionKind::RdRatio,
        outcome: if pass { Outcome::Pass } else { Outcome::Fail },
        required,
        actual: Some(said(format!("{:.1}%", ratio), format!("{:.1}%", ratio))),
        needed: (!pass).then(|| {
            let more = (min / 100.0 * rev as f64 - rd as f64).ceil() as i64;
            said(
                format!("研发费用需再增加约{}", format_yuan(more)),
                format!("about {} more R&D expenses", format_yuan(more)),
            )
        }),
    }
}

/// A count within optional bounds (employees, patents).
fn range_check(
    kind: ConditionKind,
    what: (&str, &str),
    unit: (&str, &str),
    lo: Option<i64>,
    hi: Option<i64>,
    value: Option<i64>,
) -> Check {
    let required = match (lo, hi) {
        (Some(lo), Some(hi)) => said(
            format!("{}{lo}至{hi}{}", what.0, unit.0),
            format!("{lo} to {hi}{} {}", unit.1, what.1),
        ),
        (Some(lo), None) => said(
            format!("{}不少于{lo}{}", what.0, unit.0),
            format!("at least {lo}{} {}", unit.1, what.1),
        ),
        (None, Some(hi)) => said(
            format!("{}不超过{hi}{}", what.0, unit.0),
            format!("at most {hi}{} {}", unit.1, what.1),
        ),
        (None, None) => unreachable!("checked only when a bound is set"),
    };
    let Some(v) = value else {
        return Check {
            condition: kind,
            outcome: Outcome::Unknown,
            required,
            actual: None,
            needed: Some(said(
                format!("补充{}数", what.0),
                format!("add the number of {} to the profile", what.1),
            )),
        };
    };
    let needed = if let Some(lo) = lo.filter(|lo| v < *lo) {
        Some(said(
            format!("还差{}{}", lo - v, unit.0),
            format!("{} short", lo - v),
        ))
    } else if hi.is_some_and(|hi| v > hi) {
        Some(said(
            format!("{}超过上限", what.0),
            format!("{} above the ceiling", what.1),
        ))
    } else {
        None
    };
    Check {
        condition: kind,
        outcome: if needed.is_none() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        required,
        actual: Some(said(format!("{v}{}", unit.0), format!("{v}{}", unit.1))),
        needed,
    }
}

/// Districts match ignoring a missing 区 and a leading 上海市 (闵行 = 闵行区 = 上海市闵行区).
pub(crate) fn same_district(a: &str, b: &str) -> bool {
    fn core(s: &str) -> &str {
        let s = s.trim();
        let s = s.strip_prefix("上海市").unwrap_or(s);
        s.strip_suffix('区').unwrap_or(s)
    }
    core(a) == core(b)
}

/// Whole years from `from` to `to` (a birthday count).
fn full_years(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut y = i64::from(to.year() - from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y
}

/// `date` plus `years`; 29 February becomes 28 February in a common year.
fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    let y = date.year() + years as i32;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
        .unwrap_or(date)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// An enterprise whose high-tech certificate staff verified.
    fn enterprise() -> Organisation {
        let mut o = claiming();
        o.certificates[0].verification =
            Verification::verified(1, "staff", chrono::Utc::now(), None, None).unwrap();
        o
    }

    /// The same enterprise before anyone checked its certificate.
    fn claiming() -> Organisation {
        serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": "上海示例科技有限公司", "credit_code": "91350100M000100Y43",
            "district": "闵行区", "industry_code": "C3562", "founded_on": "2019-06-01",
            "employees": 120, "revenue_yuan": 80_000_000, "rd_expense_yuan": 4_000_000, "patents": 6,
            "certificates": [{"kind": "high_tech", "issued_on": "2023-12-01", "expires_on": "2026-11-30"}]
        }))
        .unwrap()
    }

    #[test]
    fn an_unverified_certificate_is_unknown_and_a_rejected_one_fails() {
        let p = policy(serde_json::json!({"certificates": ["high_tech"], "districts": ["闵行区"]}));
        let e = p.check(&claiming(), d("2026-06-01"));
        assert_eq!(e.outcome, Outcome::Unknown, "{e:#?}");
        let c = &e.checks[0];
        assert_eq!(c.outcome, Outcome::Unknown);
        assert!(c.actual.as_ref().unwrap().zh.contains("待核验"), "{c:?}");
        assert_eq!(c.needed.as_ref().unwrap().zh, "待科委核验证书");
        let mut rejected = claiming();
        rejected.certificates[0].verification =
            Verification::rejected(1, "staff", chrono::Utc::now(), "证书编号不符").unwrap();
        let e = p.check(&rejected, d("2026-06-01"));
        assert_eq!(e.outcome, Outcome::Fail);
        assert!(
            e.checks[0]
                .actual
                .as_ref()
                .unwrap()
                .zh
                .contains("核验未通过")
        );
        // A pending claim beside a verified one of another accepted kind: the verified passes.
        let mut both = enterprise();
        both.certificates.push(claiming().certificates[0].clone());
        both.certificates[1].kind = CertKind::LittleGiant;
        let any = policy(serde_json::json!({"certificates": ["high_tech", "little_giant"]}));
        assert_eq!(any.check(&both, d("2026-06-01")).outcome, Outcome::Pass);
    }

    fn policy(conditions: serde_json::Value) -> Policy {
        let mut p: Policy = serde_json::from_value(serde_json::json!({
            "title": "高新技术企业研发投入奖励", "conditions": conditions
        }))
        .unwrap();
        p.validate().unwrap();
        p
    }

    fn outcomes(e: &Eligibility) -> Vec<(ConditionKind, Outcome)> {
        e.checks.iter().map(|c| (c.condition, c.outcome)).collect()
    }

    #[test]
    fn every_condition_passes_for_a_matching_enterprise() {
        let p = policy(serde_json::json!({
            "certificates": ["high_tech"], "districts": ["闵行"], "industries": ["c35"],
            "min_years": 3, "max_years": 10, "max_revenue_yuan": 200_000_000,
            "min_rd_ratio_percent": 5, "min_employees": 10, "min_patents": 5
        }));
        let e = p.check(&enterprise(), d("2026-06-01"));
        assert_eq!(e.outcome, Outcome::Pass, "{e:#?}");
        assert_eq!(e.checks.len(), 8);
        assert!(e.checks.iter().all(|c| c.needed.is_none()));
        assert_eq!(e.checks[4].actual.as_ref().unwrap().zh, "8000万元");
        assert_eq!(e.checks[5].actual.as_ref().unwrap().zh, "5.0%");
    }

    #[test]
    fn a_lapsed_certificate_fails_and_says_when_it_expired() {
        let p = policy(serde_json::json!({"certificates": ["high_tech", "little_giant"]}));
        let e = p.check(&enterprise(), d("2026-12-01"));
        assert_eq!(e.outcome, Outcome::Fail);
        let needed = e.checks[0].needed.as_ref().unwrap();
        assert!(needed.zh.contains("2026-11-30 到期"), "{needed:?}");
        // On the last day of validity it still holds; a fixed `certificate_on` overrides the day.
        assert_eq!(
            p.check(&enterprise(), d("2026-11-30")).outcome,
            Outcome::Pass
        );
        let fixed = policy(
            serde_json::json!({"certificates": ["high_tech"], "certificate_on": "2026-12-31"}),
        );
        assert_eq!(
            fixed.check(&enterprise(), d("2026-06-01")).outcome,
            Outcome::Fail
        );
    }

    #[test]
    fn missing_data_is_unknown_not_pass_and_a_fail_outweighs_it() {
        let mut org = enterprise();
        org.revenue_yuan = None;
        org.patents = None;
        let p = policy(
            serde_json::json!({"min_rd_ratio_percent": 3, "min_patents": 1, "districts": ["闵行区"]}),
        );
        let e = p.check(&org, d("2026-06-01"));
        assert_eq!(
            outcomes(&e),
            [
                (ConditionKind::District, Outcome::Pass),
                (ConditionKind::RdRatio, Outcome::Unknown),
                (ConditionKind::Patents, Outcome::Unknown),
            ]
        );
        assert_eq!(e.outcome, Outcome::Unknown);
        assert!(e.checks[1].needed.as_ref().unwrap().zh.contains("营业收入"));
        org.district = Some("浦东新区".into());
        assert_eq!(p.check(&org, d("2026-06-01")).outcome, Outcome::Fail);
    }

    #[test]
    fn failures_say_what_is_missing() {
        let mut org = enterprise();
        org.rd_expense_yuan = Some(2_000_000);
        org.patents = Some(2);
        org.founded_on = Some(d("2024-02-29"));
        let p = policy(
            serde_json::json!({"min_rd_ratio_percent": 5, "min_patents": 5, "min_years": 3}),
        );
        let e = p.check(&org, d("2026-06-01"));
        assert_eq!(e.outcome, Outcome::Fail);
        let needed: Vec<String> = e
            .checks
            .iter()
            .map(|c| c.needed.clone().unwrap().zh)
            .collect();
        assert_eq!(
            needed,
            ["2027-02-28 起满3年", "研发费用需再增加约200万元", "还差3项"]
        );
    }

    #[test]
    fn a_policy_without_conditions_reaches_everyone() {
        let p = policy(serde_json::json!({}));
        assert!(p.conditions.is_empty());
        let e = p.check(&enterprise(), d("2026-06-01"));
        assert_eq!((e.outcome, e.checks.len()), (Outcome::Pass, 0));
    }

    #[test]
    fn validation_names_every_bad_field() {
        let mut p: Policy = serde_json::from_value(serde_json::json!({
            "title": " ", "apply_from": "2026-05-01", "apply_until": "2026-04-01",
            "conditions": {"industries": ["X9"], "min_years": 5, "max_years": 2,
                           "min_rd_ratio_percent": 150, "certificate_on": "2026-01-01"}
        }))
        .unwrap();
        let Invalid(errors) = p.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "apply_until",
                "conditions.industries[0]",
                "conditions.max_years",
                "conditions.min_rd_ratio_percent",
                "conditions.certificate_on"
            ]
        );
    }

    #[test]
    fn application_window() {
        let mut p = policy(serde_json::json!({}));
        p.apply_from = Some(d("2026-03-01"));
        p.apply_until = Some(d("2026-04-30"));
        assert!(!p.open_on(d("2026-02-28")));
        assert!(p.open_on(d("2026-04-30")));
        assert!(!p.open_on(d("2026-05-01")));
    }

    #[test]
    fn districts_and_years() {
        assert!(same_district("闵行", "上海市闵行区"));
        assert!(!same_district("闵行区", "徐汇区"));
        assert_eq!(full_years(d("2020-06-02"), d("2026-06-01")), 5);
        assert_eq!(full_years(d("2020-06-01"), d("2026-06-01")), 6);
    }
}
