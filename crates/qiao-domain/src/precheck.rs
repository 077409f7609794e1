//! 登记预检: what the registry would object to, before the seller submits.
//!
//! A registration point refuses a contract for reasons Qiao can often see in the record: a
//! party it cannot identify, no price, non-technical payments without amounts, a type that
//! contradicts the content. Telling the seller before submitting saves a round of 补正. The same
//! check tells which tax treatments a registered contract of this type supports, which is why
//! sellers and buyers register at all.
//!
//! The rules are data: `rules/registration.json` in this crate holds each rule's stable code,
//! severity, Chinese and English text, thresholds and the policy document it comes from, so a
//! new 技术合同认定登记管理办法 or tax notice changes a file, not the code. The code decides only
//! *when* a rule applies (and for tax rules, even that is data: the contract types it covers).
//! [`RuleBook::parse`] loads a replacement file and checks that every rule the code raises is
//! in it.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::parse_credit_code;
use crate::contract::{
    Contract, ContractCategory, ContractKind, IpType, LegalPersonType, Party, PaymentTerms,
};

coded_enum! {
    /// How much a finding matters.
    pub enum Severity {
        /// The registry would refuse the contract as it stands.
        Blocks = ("blocks", "将不予登记", "blocks registration"),
        /// The registry may object, or will take longer.
        Warns = ("warns", "请注意", "warning"),
        /// Good to know: a treatment the registered contract supports.
        Informs = ("informs", "提示", "information"),
    }
}

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The policy document (title and number).
    pub document: String,
    /// Its year.
    pub year: i32,
}

/// A contract type whose term must be long enough for a rule to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinTerm {
    /// Whole years of the performance period.
    pub years: u32,
    /// The types the condition applies to; other types need no minimum.
    pub kinds: Vec<ContractKind>,
}

/// One rule as the rules file states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The stable code (API, pages and tests refer to it).
    pub code: String,
    /// How much it matters.
    pub severity: Severity,
    /// The Chinese text, with `{placeholders}` filled per contract.
    pub zh: String,
    /// The English text.
    pub en: String,
    /// Where it comes from.
    pub source: Source,
    /// The contract types a tax rule covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<ContractKind>,
    /// A minimum performance period for some of those types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_term_years: Option<MinTerm>,
}

/// The amounts the rules depend on, in 分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// From this 成交额 on, the registry reviews a contract a second time (500万元).
    pub second_review_fen: i64,
    /// 技术转让所得 exempt from enterprise income tax per year (500万元); above it, halved.
    pub transfer_income_exempt_fen: i64,
}

/// The rules file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBook {
    /// Which reading of the documents this is.
    pub revision: String,
    /// The amounts.
    pub thresholds: Thresholds,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// Why a rules file was refused.
#[derive(Debug, thiserror::Error)]
pub enum RuleBookError {
    /// Not the file's shape.
    #[error("the registration rules are not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// A rule the code raises is not in the file.
    #[error(
        "the registration rules lack the rule `{0}`; every rule Qiao checks needs its text and source"
    )]
    Missing(&'static str),
    /// Two rules share a code.
    #[error("the registration rules define `{0}` twice")]
    Duplicate(String),
    /// A threshold is not positive.
    #[error("the registration rules' threshold `{0}` must be above 0")]
    Threshold(&'static str),
}

/// Every code the checks below raise; the rules file must define each.
pub const CODES: [&str; 13] = [
    "party_credit_code_missing",
    "party_credit_code_invalid",
    "price_missing",
    "non_technical_unsplit",
    "no_technical_amount",
    "kind_transfer_without_ip",
    "kind_patent_without_patent",
    "kind_secret_ip_mismatch",
    "royalty_on_consulting_or_service",
    "second_review",
    "tax_vat_exemption",
    "tax_transfer_income",
    "tax_rd_super_deduction",
];

/// The rules shipped with Qiao, parsed once.
static SHIPPED: LazyLock<RuleBook> = LazyLock::new(|| {
    RuleBook::parse(include_str!("../rules/registration.json"))
        .expect("rules/registration.json is checked by the tests")
});

impl RuleBook {
    /// The rules shipped in `rules/registration.json`.
    pub fn shipped() -> &'static RuleBook {
        &SHIPPED
    }

    /// Parses and checks a rules file (to replace the shipped rules without a new release).
    pub fn parse(json: &str) -> Result<RuleBook, RuleBookError> {
        let book: RuleBook = serde_json::from_str(json)?;
        let mut seen = std::collections::HashSet::new();
        for rule in &book.rules {
            if !seen.insert(rule.code.as_str()) {
                return Err(RuleBookError::Duplicate(rule.code.clone()));
            }
        }
        if let Some(code) = CODES.iter().find(|c| !seen.contains(**c)) {
            return Err(RuleBookError::Missing(code));
        }
        if book.thresholds.second_review_fen <= 0 {
            return Err(RuleBookError::Threshold("second_review_fen"));
        }
        if book.thresholds.transfer_income_exempt_fen <= 0 {
            return Err(RuleBookError::Threshold("transfer_income_exempt_fen"));
        }
        Ok(book)
    }

    /// The rule with this code; the codes the checks raise are guaranteed by
    /// [`RuleBook::parse`].
    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.code == code)
    }

    /// The pre-check of `contract` under these rules: every finding, blocking ones first.
    pub fn check(&self, contract: &Contract) -> Vec<Finding> {
        let mut out = Findings {
            book: self,
            found: Vec::new(),
        };
        let kind = contract.kind;
        let kind_vars = [
            ("kind", kind.label_zh().to_string()),
            ("kind_en", kind.label_en().to_string()),
            ("ip", contract.ip_type.label_zh().to_string()),
            ("ip_en", contract.ip_type.label_en().to_string()),
        ];

        for (field, party, zh, en) in [
            ("seller", &contract.seller, "卖方", "seller"),
            ("buyer", &contract.buyer, "买方", "buyer"),
        ] {
            check_party(&mut out, field, party, zh, en);
        }

        if contract.amount_fen <= 0 {
            out.add("price_missing", Some("amount_fen".into()), &[]);
        }
        for (i, item) in contract.non_technical.iter().enumerate() {
            if item.amount_fen == 0 {
                out.add(
                    "non_technical_unsplit",
                    Some(format!("non_technical[{i}].amount_fen")),
                    &[("name", item.name.clone())],
                );
            }
        }
        if contract.amount_fen > 0
            && !contract.non_technical.is_empty()
            && contract.technical_fen() <= 0
        {
            out.add("no_technical_amount", Some("non_technical".into()), &[]);
        }

        // A type that contradicts the content (名实不符), where the record shows it.
        let category = kind.category();
        if matches!(
            category,
            ContractCategory::Transfer | ContractCategory::Licence
        ) && contract.ip_type == IpType::NotInvolved
        {
            out.add(
                "kind_transfer_without_ip",
                Some("ip_type".into()),
                &kind_vars,
            );
        } else if matches!(
            kind,
            ContractKind::TransferPatent | ContractKind::TransferPatentApplication
        ) && !contract.ip_type.is_patent()
        {
            out.add(
                "kind_patent_without_patent",
                Some("ip_type".into()),
                &kind_vars,
            );
        } else if kind == ContractKind::TransferTechnicalSecret
            && contract.ip_type != IpType::TechnicalSecret
        {
            out.add(
                "kind_secret_ip_mismatch",
                Some("ip_type".into()),
                &kind_vars,
            );
        }
        if matches!(
            category,
            ContractCategory::Consulting | ContractCategory::Service
        ) && matches!(contract.payment, PaymentTerms::Royalty { .. })
        {
            out.add(
                "royalty_on_consulting_or_service",
                Some("payment".into()),
                &kind_vars,
            );
        }

        let t = self.thresholds;
        if contract.amount_fen >= t.second_review_fen {
            out.add(
                "second_review",
                Some("amount_fen".into()),
                &[
                    ("amount", format_fen(contract.amount_fen)),
                    ("threshold", format_fen(t.second_review_fen)),
                ],
            );
        }

        // Tax treatments: which apply is data (the types each covers, a minimum term).
        let years = term_years(contract);
        for rule in self.rules.iter().filter(|r| !r.applies_to.is_empty()) {
            let long_enough = rule
                .min_term_years
                .as_ref()
                .is_none_or(|m| !m.kinds.contains(&kind) || years >= m.years);
            if rule.applies_to.contains(&kind) && long_enough {
                let mut vars = kind_vars.to_vec();
                vars.push(("threshold", format_fen(t.transfer_income_exempt_fen)));
                out.push(rule, None, &vars);
            }
        }

        let mut found = out.found;
        // Stable sort: blocking first, then in the order the checks run (the form's order).
        found.sort_by_key(|f| f.severity);
        found
    }

    /// How much of a year's 技术转让所得 (income, not the contract amount) is exempt from
    /// enterprise income tax and how much is taxed at half the rate.
    pub fn transfer_income_relief(&self, income_fen: i64) -> IncomeRelief {
        let income = income_fen.max(0);
        let exempt = income.min(self.thresholds.transfer_income_exempt_fen);
        IncomeRelief {
            exempt_fen: exempt,
            halved_fen: income - exempt,
        }
    }
}

/// The split of a year's 技术转让所得 under the income-tax relief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IncomeRelief {
    /// Exempt (免征).
    pub exempt_fen: i64,
    /// Taxed at half the rate (减半征收).
    pub halved_fen: i64,
}

/// One thing the pre-check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The rule's stable code.
    pub code: String,
    /// How much it matters.
    pub severity: Severity,
    /// The field it concerns, as validation names fields (`seller.credit_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The text in Chinese, filled in for this contract.
    pub zh: String,
    /// The text in English.
    pub en: String,
    /// Where the rule comes from.
    pub source: Source,
}

/// The pre-check of `contract` under the shipped rules.
pub fn precheck(contract: &Contract) -> Vec<Finding> {
    RuleBook::shipped().check(contract)
}

/// Whether nothing in `findings` would make the registry refuse the contract.
pub fn submittable(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity != Severity::Blocks)
}

struct Findings<'a> {
    book: &'a RuleBook,
    found: Vec<Finding>,
}

impl Findings<'_> {
    fn add(&mut self, code: &'static str, field: Option<String>, vars: &[(&str, String)]) {
        debug_assert!(CODES.contains(&code), "{code} is not in CODES");
        // Copy the reference out of `self` so the rule does not borrow `self.found`.
        let book = self.book;
        let rule = book
            .rule(code)
            .expect("RuleBook::parse checks that every code in CODES has a rule");
        self.push(rule, field, vars);
    }

    fn push(&mut self, rule: &Rule, field: Option<String>, vars: &[(&str, String)]) {
        self.found.push(Finding {
            code: rule.code.clone(),
            severity: rule.severity,
            field,
            zh: fill(&rule.zh, vars),
            en: fill(&rule.en, vars),
            source: rule.source.clone(),
        });
    }
}

fn check_party(out: &mut Findings<'_>, field: &str, party: &Party, zh: &str, en: &str) {
    let vars = [
        ("party", zh.to_string()),
        ("party_en", en.to_string()),
        ("name", party.name.clone()),
    ];
    let code = party
        .credit_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    match code {
        None if party.legal_person != LegalPersonType::NaturalPerson => {
            out.add(
                "party_credit_code_missing",
                Some(format!("{field}.credit_code")),
                &vars,
            );
        }
        Some(code) if parse_credit_code(code).is_err() => {
            out.add(
                "party_credit_code_invalid",
                Some(format!("{field}.credit_code")),
                &vars,
            );
        }
        _ => {}
    }
}

/// Replaces each `{name}` in `text`.
fn fill(text: &str, vars: &[(&str, String)]) -> String {
    vars.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// Whole years of the performance period, its last day included: a licence "for five years"
/// runs from 2026-03-02 to 2031-03-01.
fn term_years(c: &Contract) -> u32 {
    c.performance_to
        .succ_opt()
        .and_then(|end| end.years_since(c.performance_from))
        .unwrap_or(0)
}

/// An amount in 分 as people read it: 500万元, 1234.5元.
pub fn format_fen(fen: i64) -> String {
    if fen % 100 == 0 {
        crate::money::format_yuan(fen / 100)
    } else {
        let sign = if fen < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}元", (fen / 100).abs(), (fen % 100).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::NonTechnicalItem;
    use crate::contract::tests::sample;
    use chrono::NaiveDate;

    fn codes(c: &Contract) -> Vec<String> {
        precheck(c).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn the_shipped_rules_parse_and_cover_every_code() {
        let book = RuleBook::shipped();
        for code in CODES {
            let rule = book.rule(code).unwrap();
            assert!(
                !rule.source.document.is_empty() && rule.source.year >= 2000,
                "{code}"
            );
        }
        assert_eq!(book.thresholds.second_review_fen, 5_000_000 * 100);
    }

    #[test]
    fn a_clean_patent_transfer_only_learns_its_tax_treatments() {
        let c = sample();
        assert_eq!(codes(&c), ["tax_vat_exemption", "tax_transfer_income"]);
        let f = precheck(&c);
        assert!(submittable(&f));
        assert!(f[1].zh.contains("500万元"), "{}", f[1].zh);
        assert!(f.iter().all(|f| f.severity == Severity::Informs));
    }

    #[test]
    fn a_party_without_a_valid_credit_code_blocks() {
        let mut c = sample();
        c.seller.credit_code = None;
        c.buyer.credit_code = Some("91350100M000100Y44".into());
        let f = precheck(&c);
        assert_eq!(f[0].code, "party_credit_code_missing");
        assert_eq!(f[0].field.as_deref(), Some("seller.credit_code"));
        assert!(f[0].zh.starts_with("卖方“示例大学”"), "{}", f[0].zh);
        assert!(f[0].en.contains("seller"), "{}", f[0].en);
        assert_eq!(f[1].code, "party_credit_code_invalid");
        assert_eq!(f[1].field.as_deref(), Some("buyer.credit_code"));
        assert!(!submittable(&f));
        // A natural person has no code to give.
        c.seller.credit_code = None;
        c.seller.legal_person = LegalPersonType::NaturalPerson;
        c.buyer.credit_code = Some("91350100M000100Y43".into());
        assert!(submittable(&precheck(&c)));
    }

    #[test]
    fn no_price_blocks() {
        let mut c = sample();
        c.amount_fen = 0;
        c.non_technical.clear();
        assert_eq!(codes(&c)[0], "price_missing");
    }

    #[test]
    fn a_non_technical_item_without_an_amount_blocks() {
        let mut c = sample();
        c.non_technical.push(NonTechnicalItem {
            name: "设备".into(),
            amount_fen: 0,
        });
        let f = precheck(&c);
        assert_eq!(f[0].code, "non_technical_unsplit");
        assert_eq!(f[0].field.as_deref(), Some("non_technical[1].amount_fen"));
        assert!(f[0].zh.contains("“设备”"));
    }

    #[test]
    fn a_contract_that_is_all_equipment_is_no_technology_contract() {
        let mut c = sample();
        c.non_technical[0].amount_fen = c.amount_fen;
        assert_eq!(codes(&c)[0], "no_technical_amount");
    }

    #[test]
    fn a_type_that_contradicts_the_content_is_reported() {
        let mut c = sample();
        c.ip_type = IpType::NotInvolved;
        assert_eq!(codes(&c)[0], "kind_transfer_without_ip");
        c.ip_type = IpType::Software;
        assert_eq!(codes(&c)[0], "kind_patent_without_patent");
        assert!(precheck(&c)[0].zh.contains("计算机软件著作权"));
        c.kind = ContractKind::TransferTechnicalSecret;
        let f = precheck(&c);
        assert_eq!(f[0].code, "kind_secret_ip_mismatch");
        assert_eq!(f[0].severity, Severity::Warns);
        c.kind = ContractKind::Service;
        c.ip_type = IpType::NotInvolved;
        c.payment = PaymentTerms::Royalty {
            rate_bp: 300,
            base: "销售额".into(),
            entry_fee_fen: 0,
        };
        assert_eq!(codes(&c), ["royalty_on_consulting_or_service"]);
    }

    #[test]
    fn amounts_from_five_million_get_a_second_review() {
        let mut c = sample();
        c.non_technical.clear();
        c.amount_fen = 500_000_000 - 1;
        assert!(!codes(&c).contains(&"second_review".to_string()));
        c.amount_fen = 500_000_000;
        let f = precheck(&c);
        let review = f.iter().find(|f| f.code == "second_review").unwrap();
        assert_eq!(review.severity, Severity::Warns);
        assert!(
            review.zh.contains("合同成交额 500万元 达到 500万元"),
            "{}",
            review.zh
        );
    }

    #[test]
    fn tax_treatments_follow_the_type() {
        let mut c = sample();
        c.kind = ContractKind::DevelopmentCommissioned;
        assert_eq!(codes(&c), ["tax_vat_exemption", "tax_rd_super_deduction"]);
        c.kind = ContractKind::DevelopmentCooperative;
        assert_eq!(codes(&c), ["tax_vat_exemption"]);
        c.kind = ContractKind::Consulting;
        assert_eq!(codes(&c), Vec::<String>::new());
        // A licence counts as a transfer for income tax only when it runs five years or more.
        c.kind = ContractKind::LicenceOrdinary;
        c.performance_from = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        c.performance_to = NaiveDate::from_ymd_opt(2031, 2, 28).unwrap();
        assert_eq!(codes(&c), ["tax_vat_exemption"]);
        c.performance_to = NaiveDate::from_ymd_opt(2031, 3, 1).unwrap();
        assert_eq!(codes(&c), ["tax_vat_exemption", "tax_transfer_income"]);
    }

    #[test]
    fn every_finding_is_filled_in() {
        let mut c = sample();
        c.seller.credit_code = None;
        c.amount_fen = 600_000_000;
        c.ip_type = IpType::Software;
        c.non_technical.push(NonTechnicalItem {
            name: "材料".into(),
            amount_fen: 0,
        });
        for f in precheck(&c) {
            assert!(!f.zh.contains('{') && !f.en.contains('{'), "{f:?}");
        }
    }

    #[test]
    fn income_relief_splits_at_the_threshold() {
        let book = RuleBook::shipped();
        assert_eq!(
            book.transfer_income_relief(700_000_000),
            IncomeRelief {
                exempt_fen: 500_000_000,
                halved_fen: 200_000_000
            }
        );
        assert_eq!(
            book.transfer_income_relief(1_000),
            IncomeRelief {
                exempt_fen: 1_000,
                halved_fen: 0
            }
        );
        assert_eq!(book.transfer_income_relief(-5).exempt_fen, 0);
    }

    #[test]
    fn a_replacement_rules_file_is_checked() {
        let shipped = include_str!("../rules/registration.json");
        let mut v: serde_json::Value = serde_json::from_str(shipped).unwrap();
        v["thresholds"]["second_review_fen"] = serde_json::json!(100_000_000);
        let book = RuleBook::parse(&v.to_string()).unwrap();
        let mut c = sample();
        c.non_technical.clear();
        c.amount_fen = 100_000_000;
        assert!(book.check(&c).iter().any(|f| f.code == "second_review"));

        let rules = v["rules"].as_array_mut().unwrap();
        let first = rules[0].clone();
        rules.push(first);
        assert!(matches!(
            RuleBook::parse(&v.to_string()),
            Err(RuleBookError::Duplicate(_))
        ));
        let rules = v["rules"].as_array_mut().unwrap();
        rules.pop();
        rules.retain(|r| r["code"] != "price_missing");
        let err = RuleBook::parse(&v.to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the registration rules lack the rule `price_missing`; every rule Qiao checks needs its text and source"
        );
        assert!(matches!(RuleBook::parse("{}"), Err(RuleBookError::Json(_))));
    }

    #[test]
    fn amounts_in_fen_read_as_yuan() {
        assert_eq!(format_fen(500_000_000), "500万元");
        assert_eq!(format_fen(123_456), "1234.56元");
        assert_eq!(format_fen(-5), "-0.05元");
    }
}
