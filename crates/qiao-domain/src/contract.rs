//! Technology contracts (技术合同) as the registry (技术合同认定登记) records them.
//!
//! 技术合同成交额, the figure district targets and the city's plans count, is the sum of the
//! registered contracts' amounts; 技术交易额 is the same less what the contract pays for things
//! that are not technology (equipment, materials, construction). Qiao keeps a contract in the
//! registry's terms (its contract types, its eleven statistical fields, its party types) so
//! that a contract recorded on Qiao, one imported from a registry list and one exported back
//! agree field by field, and the statistics add up to what the commission reports.
//!
//! Amounts are integers of 分 (fen, 0.01 元): exact, summable, never floats.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::parse_credit_code;
use crate::invalid::{Checker, Invalid, Rule};

coded_enum! {
    /// The registry's contract type and subtype, flattened: a contract is of exactly one.
    pub enum ContractKind {
        /// 技术开发（委托）: the buyer commissions the seller to develop a technology.
        DevelopmentCommissioned = ("development_commissioned", "技术开发（委托）", "Technology development (commissioned)"),
        /// 技术开发（合作）: the parties develop it together.
        DevelopmentCooperative = ("development_cooperative", "技术开发（合作）", "Technology development (cooperative)"),
        /// 技术转让（专利权）
        TransferPatent = ("transfer_patent", "技术转让（专利权）", "Technology transfer (patent)"),
        /// 技术转让（专利申请权）
        TransferPatentApplication = ("transfer_patent_application", "技术转让（专利申请权）", "Technology transfer (patent application right)"),
        /// 技术转让（技术秘密）
        TransferTechnicalSecret = ("transfer_technical_secret", "技术转让（技术秘密）", "Technology transfer (technical secret)"),
        /// 技术转让（其他）: software copyright, IC layout, plant varieties and the like.
        TransferOther = ("transfer_other", "技术转让（其他）", "Technology transfer (other)"),
        /// 技术许可（独占）: only the licensee may use it, not even the licensor.
        LicenceExclusive = ("licence_exclusive", "技术许可（独占）", "Technology licence (exclusive)"),
        /// 技术许可（排他）: the licensee and the licensor may use it, nobody else.
        LicenceSole = ("licence_sole", "技术许可（排他）", "Technology licence (sole)"),
        /// 技术许可（普通）: the licensor may license others too.
        LicenceOrdinary = ("licence_ordinary", "技术许可（普通）", "Technology licence (non-exclusive)"),
        /// 技术咨询
        Consulting = ("consulting", "技术咨询", "Technical consulting"),
        /// 技术服务
        Service = ("service", "技术服务", "Technical service"),
    }
}

coded_enum! {
    /// The registry's contract category: the type without its subtype.
    pub enum ContractCategory {
        /// 技术开发
        Development = ("development", "技术开发", "Technology development"),
        /// 技术转让
        Transfer = ("transfer", "技术转让", "Technology transfer"),
        /// 技术许可
        Licence = ("licence", "技术许可", "Technology licence"),
        /// 技术咨询
        Consulting = ("consulting", "技术咨询", "Technical consulting"),
        /// 技术服务
        Service = ("service", "技术服务", "Technical service"),
    }
}

impl ContractKind {
    /// The category the type belongs to, as statistics group contracts.
    pub fn category(self) -> ContractCategory {
        use ContractKind::*;
        match self {
            DevelopmentCommissioned | DevelopmentCooperative => ContractCategory::Development,
            TransferPatent
            | TransferPatentApplication
            | TransferTechnicalSecret
            | TransferOther => ContractCategory::Transfer,
            LicenceExclusive | LicenceSole | LicenceOrdinary => ContractCategory::Licence,
            Consulting => ContractCategory::Consulting,
            Service => ContractCategory::Service,
        }
    }
}

coded_enum! {
    /// The registry's technology fields (技术领域) for statistics.
    pub enum TechField {
        /// 电子信息
        ElectronicInformation = ("electronic_information", "电子信息", "Electronic information"),
        /// 先进制造
        AdvancedManufacturing = ("advanced_manufacturing", "先进制造", "Advanced manufacturing"),
        /// 新材料及其应用
        NewMaterials = ("new_materials", "新材料及其应用", "New materials and their application"),
        /// 新能源与高效节能
        NewEnergy = ("new_energy", "新能源与高效节能", "New energy and energy efficiency"),
        /// 环境保护与资源综合利用
        Environment = ("environment", "环境保护与资源综合利用", "Environmental protection and resource use"),
        /// 生物、医药和医疗器械
        Biomedicine = ("biomedicine", "生物、医药和医疗器械", "Biology, medicine and medical devices"),
        /// 航空航天
        Aerospace = ("aerospace", "航空航天", "Aerospace"),
        /// 现代交通
        ModernTransport = ("modern_transport", "现代交通", "Modern transport"),
        /// 城市建设与社会发展
        UrbanDevelopment = ("urban_development", "城市建设与社会发展", "Urban construction and social development"),
        /// 农业
        Agriculture = ("agriculture", "农业", "Agriculture"),
        /// 核应用
        NuclearApplication = ("nuclear_application", "核应用", "Nuclear application"),
    }
}

coded_enum! {
    /// The intellectual property a contract concerns (知识产权类型).
    pub enum IpType {
        /// 发明专利
        InventionPatent = ("invention_patent", "发明专利", "Invention patent"),
        /// 实用新型专利
        UtilityModel = ("utility_model", "实用新型专利", "Utility model"),
        /// 外观设计专利
        DesignPatent = ("design_patent", "外观设计专利", "Design patent"),
        /// 计算机软件著作权
        Software = ("software", "计算机软件著作权", "Software copyright"),
        /// 集成电路布图设计专有权
        IcLayout = ("ic_layout", "集成电路布图设计专有权", "IC layout design"),
        /// 植物新品种权
        PlantVariety = ("plant_variety", "植物新品种权", "Plant variety right"),
        /// 生物医药新品种
        BiomedicineVariety = ("biomedicine_variety", "生物医药新品种", "New biomedical variety"),
        /// 技术秘密
        TechnicalSecret = ("technical_secret", "技术秘密", "Technical secret"),
        /// 其他知识产权
        Other = ("other", "其他知识产权", "Other intellectual property"),
        /// 未涉及知识产权
        NotInvolved = ("none", "未涉及知识产权", "No intellectual property"),
    }
}

impl IpType {
    /// Whether this is one of the three kinds of patent.
    pub fn is_patent(self) -> bool {
        matches!(
            self,
            IpType::InventionPatent | IpType::UtilityModel | IpType::DesignPatent
        )
    }
}

coded_enum! {
    /// A party's legal-person type (法人类型), as the registry groups sellers and buyers.
    pub enum LegalPersonType {
        /// 企业法人
        Enterprise = ("enterprise", "企业法人", "Enterprise"),
        /// 高等院校
        University = ("university", "高等院校", "University"),
        /// 科研机构
        ResearchInstitute = ("research_institute", "科研机构", "Research institute"),
        /// 医疗卫生机构
        MedicalInstitution = ("medical_institution", "医疗卫生机构", "Medical institution"),
        /// 其他事业法人
        OtherPublicInstitution = ("other_public_institution", "其他事业法人", "Other public institution"),
        /// 机关法人
        Government = ("government", "机关法人", "Government body"),
        /// 社会团体法人
        SocialOrganisation = ("social_organisation", "社会团体法人", "Social organisation"),
        /// 自然人: has no 统一社会信用代码.
        NaturalPerson = ("natural_person", "自然人", "Natural person"),
        /// 其他组织
        Other = ("other", "其他组织", "Other organisation"),
    }
}

/// A seller (卖方: 受托方、转让方、许可方、顾问方、服务方) or buyer (买方) of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The name as in the contract.
    pub name: String,
    /// 统一社会信用代码; absent for a natural person (and for a party that has not given it,
    /// which the pre-check reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// The legal-person type.
    pub legal_person: LegalPersonType,
    /// The district (区) the party is registered in: 输出 counts by the seller's, 吸纳 by the
    /// buyer's.
    pub district: String,
    /// The organisation on Qiao, when the party has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<i64>,
}

impl Party {
    /// Normalises and checks the party; errors name fields under `prefix`.
    fn check(&mut self, c: &mut Checker, prefix: &str) {
        self.name = self.name.trim().to_string();
        self.district = self.district.trim().to_string();
        c.text(&format!("{prefix}.name"), &self.name, 200);
        c.text(&format!("{prefix}.district"), &self.district, 50);
        if let Some(raw) = self.credit_code.take() {
            if raw.trim().is_empty() {
                // A blank form field means "not given", not a wrong code.
            } else {
                match parse_credit_code(&raw) {
                    Ok(code) => self.credit_code = Some(code),
                    Err(e) => {
                        c.fail(format!("{prefix}.credit_code"), e.rule(&raw));
                        self.credit_code = Some(raw);
                    }
                }
            }
        }
    }
}

/// A part of the price paid for something that is not technology (非技术性款项): equipment,
/// materials, construction, raw materials. 技术交易额 leaves it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonTechnicalItem {
    /// What is paid for (设备购置, 原材料).
    pub name: String,
    /// Its amount in 分; 0 means the contract does not state it.
    pub amount_fen: i64,
}

/// How the price is paid (支付方式).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PaymentTerms {
    /// 一次总算、一次总付: the whole price at once.
    LumpSum {
        /// When it is due, if the contract says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_on: Option<NaiveDate>,
    },
    /// 一次总算、分期支付: the price in parts.
    Instalments {
        /// The parts, in order.
        instalments: Vec<Instalment>,
    },
    /// 提成支付: a share of a stated base (sales, profit), possibly with an entry fee
    /// (入门费). The royalties are not known at signing, so the 成交额 is the contract's
    /// stated estimate.
    Royalty {
        /// The rate in basis points (1 % = 100).
        rate_bp: u32,
        /// What the rate applies to (产品销售额, 新增利润).
        base: String,
        /// An entry fee paid at signing, in 分.
        #[serde(default)]
        entry_fee_fen: i64,
    },
}

/// One part of a price paid in instalments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    /// The amount in 分.
    pub amount_fen: i64,
    /// When it is due.
    pub due_on: NaiveDate,
    /// The condition that triggers it (验收合格后), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A technology contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The contract's name (合同名称).
    pub name: String,
    /// Type and subtype.
    pub kind: ContractKind,
    /// The seller (卖方).
    pub seller: Party,
    /// The buyer (买方).
    pub buyer: Party,
    /// The registry's technology field.
    pub field: TechField,
    /// The intellectual property concerned.
    pub ip_type: IpType,
    /// 合同成交额 in 分: the whole price, technical and non-technical parts together.
    pub amount_fen: i64,
    /// What the price pays for that is not technology.
    #[serde(default)]
    pub non_technical: Vec<NonTechnicalItem>,
    /// When it was signed.
    pub signed_on: NaiveDate,
    /// When performance starts (履行期限).
    pub performance_from: NaiveDate,
    /// When performance ends.
    pub performance_to: NaiveDate,
    /// How the price is paid.
    pub payment: PaymentTerms,
    /// The deal on Qiao that led to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<i64>,
    /// The listings it came from.
    #[serde(default)]
    pub listing_ids: Vec<i64>,
}

/// The largest amount Qiao accepts, in 分: 10 万亿元, far above any contract, and low enough
/// that sums of a million contracts stay inside `i64`.
pub const MAX_AMOUNT_FEN: i64 = 1_000_000_000_000_000;

impl Contract {
    /// The sum of the non-technical items in 分.
    pub fn non_technical_fen(&self) -> i64 {
        self.non_technical.iter().map(|i| i.amount_fen).sum()
    }

    /// 技术交易额 in 分: 成交额 less the non-technical items. Negative only for a contract
    /// that [`Contract::validate`] refuses.
    pub fn technical_fen(&self) -> i64 {
        self.amount_fen - self.non_technical_fen()
    }

    /// Normalises (trims texts, canonical credit codes) and checks the contract, reporting
    /// every broken rule with its field.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        self.name = self.name.trim().to_string();
        c.text("name", &self.name, 200);
        self.seller.check(&mut c, "seller");
        self.buyer.check(&mut c, "buyer");
        c.ensure(
            (0..=MAX_AMOUNT_FEN).contains(&self.amount_fen),
            "amount_fen",
            || Rule::OutOfRange {
                min: 0,
                max: MAX_AMOUNT_FEN,
                found: self.amount_fen as f64,
            },
        );
        c.ensure(self.non_technical.len() <= 50, "non_technical", || {
            Rule::TooMany {
                max: 50,
                found: self.non_technical.len(),
            }
        });
        for (i, item) in self.non_technical.iter_mut().enumerate() {
            item.name = item.name.trim().to_string();
            c.text(&format!("non_technical[{i}].name"), &item.name, 100);
            c.ensure(
                (0..=MAX_AMOUNT_FEN).contains(&item.amount_fen),
                &format!("non_technical[{i}].amount_fen"),
                || Rule::OutOfRange {
                    min: 0,
                    max: MAX_AMOUNT_FEN,
                    found: item.amount_fen as f64,
                },
            );
        }
        // Bounded items cannot overflow: at most 50 × MAX_AMOUNT_FEN < i64::MAX.
        let tech = self.technical_fen();
        c.ensure(tech >= 0, "non_technical", || {
            Rule::NonTechnicalOverAmount {
                found: self.non_technical_fen(),
                limit: self.amount_fen,
            }
        });
        c.ensure(
            self.performance_from <= self.performance_to,
            "performance_to",
            || Rule::Before {
                other: "performance_from".into(),
                found: self.performance_to.to_string(),
                limit: self.performance_from.to_string(),
            },
        );
        self.check_payment(&mut c);
        c.ensure(self.listing_ids.len() <= 20, "listing_ids", || {
            Rule::TooMany {
                max: 20,
                found: self.listing_ids.len(),
            }
        });
        c.finish()
    }

    fn check_payment(&mut self, c: &mut Checker) {
        match &mut self.payment {
            PaymentTerms::LumpSum { .. } => {}
            PaymentTerms::Instalments { instalments } => {
                let n = instalments.len();
                if n < 1 {
                    c.fail("payment.instalments", Rule::TooFew { min: 1, found: n });
                } else if n > 120 {
                    c.fail("payment.instalments", Rule::TooMany { max: 120, found: n });
                }
                let mut total: i64 = 0;
                for (i, part) in instalments.iter_mut().enumerate() {
                    let ok = (1..=MAX_AMOUNT_FEN).contains(&part.amount_fen);
                    c.ensure(ok, &format!("payment.instalments[{i}].amount_fen"), || {
                        Rule::OutOfRange {
                            min: 1,
                            max: MAX_AMOUNT_FEN,
                            found: part.amount_fen as f64,
                        }
                    });
                    if ok {
                        total = total.saturating_add(part.amount_fen);
                    }
                    if let Some(cond) = part.condition.as_mut() {
                        *cond = cond.trim().to_string();
                        c.max_len(&format!("payment.instalments[{i}].condition"), cond, 200);
                    }
                }
                if let Some(i) = instalments
                    .windows(2)
                    .position(|w| w[0].due_on > w[1].due_on)
                {
                    c.fail(
                        "payment.instalments",
                        Rule::NotInDateOrder {
                            at: i + 2,
                            found: instalments[i + 1].due_on.to_string(),
                            limit: instalments[i].due_on.to_string(),
                        },
                    );
                }
                c.ensure(total == self.amount_fen, "payment.instalments", || {
                    Rule::InstalmentTotal {
                        found: total,
                        expected: self.amount_fen,
                    }
                });
            }
            PaymentTerms::Royalty {
                rate_bp,
                base,
                entry_fee_fen,
            } => {
                c.ensure((1..=10_000).contains(rate_bp), "payment.rate_bp", || {
                    Rule::OutOfRange {
                        min: 1,
                        max: 10_000,
                        found: f64::from(*rate_bp),
                    }
                });
                *base = base.trim().to_string();
                c.text("payment.base", base, 100);
                c.ensure(
                    (0..=self.amount_fen).contains(entry_fee_fen),
                    "payment.entry_fee_fen",
                    || Rule::OutOfRange {
                        min: 0,
                        max: self.amount_fen,
                        found: *entry_fee_fen as f64,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid contract: a patent transfer from a university to an enterprise.
    pub(crate) fn sample() -> Contract {
        serde_json::from_value(serde_json::json!({
            "name": "一种固态电池电解质的专利权转让合同",
            "kind": "transfer_patent",
            "seller": {
                "name": "示例大学", "credit_code": "12100000400000624D",
                "legal_person": "university", "district": "闵行区"
            },
            "buyer": {
                "name": "上海示例科技有限公司", "credit_code": "91350100m000100y43",
                "legal_person": "enterprise", "district": "浦东新区", "org_id": 7
            },
            "field": "new_energy",
            "ip_type": "invention_patent",
            "amount_fen": 120_000_000,
            "non_technical": [{"name": "样机", "amount_fen": 20_000_000}],
            "signed_on": "2026-03-02",
            "performance_from": "2026-03-02",
            "performance_to": "2027-03-01",
            "payment": {"kind": "instalments", "instalments": [
                {"amount_fen": 60_000_000, "due_on": "2026-04-01"},
                {"amount_fen": 60_000_000, "due_on": "2026-10-01", "condition": "验收合格后"}
            ]},
            "listing_ids": [3]
        }))
        .expect("sample parses")
    }

    fn fields(c: &mut Contract) -> Vec<String> {
        match c.validate() {
            Ok(()) => vec![],
            Err(Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn a_sample_contract_is_valid_and_normalised() {
        let mut c = sample();
        assert_eq!(fields(&mut c), Vec::<String>::new());
        assert_eq!(c.buyer.credit_code.as_deref(), Some("91350100M000100Y43"));
        assert_eq!(c.technical_fen(), 100_000_000);
        assert_eq!(c.kind.category(), ContractCategory::Transfer);
    }

    #[test]
    fn non_technical_items_above_the_amount_are_refused() {
        let mut c = sample();
        c.non_technical.push(NonTechnicalItem {
            name: "设备".into(),
            amount_fen: 100_000_001,
        });
        assert_eq!(fields(&mut c), ["non_technical"]);
    }

    #[test]
    fn every_broken_rule_is_reported_with_its_path() {
        let mut c = sample();
        c.name = "  ".into();
        c.seller.credit_code = Some("91350100M000100Y44".into());
        c.buyer.district = String::new();
        c.amount_fen = -1;
        c.non_technical[0].amount_fen = -5;
        c.performance_to = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(
            fields(&mut c),
            [
                "name",
                "seller.credit_code",
                "buyer.district",
                "amount_fen",
                "non_technical[0].amount_fen",
                "performance_to",
                "payment.instalments",
            ]
        );
    }

    #[test]
    fn a_wrong_credit_code_names_the_expected_check_character() {
        let mut c = sample();
        c.seller.credit_code = Some("91350100M000100Y44".into());
        let err = c.validate().unwrap_err();
        assert!(
            matches!(
                err.0[0].rule,
                Rule::WrongCheckCharacter { expected: '3', .. }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_blank_credit_code_means_not_given() {
        let mut c = sample();
        c.seller.credit_code = Some("  ".into());
        assert_eq!(fields(&mut c), Vec::<String>::new());
        assert_eq!(c.seller.credit_code, None);
    }

    #[test]
    fn instalments_must_add_up_and_be_ordered() {
        let mut c = sample();
        if let PaymentTerms::Instalments { instalments } = &mut c.payment {
            instalments.swap(0, 1);
            instalments[0].amount_fen = 1;
        }
        let mut c2 = c.clone();
        let err = c2.validate().unwrap_err();
        assert_eq!(err.0.len(), 2, "{err}");
        assert!(err.0.iter().all(|e| e.field == "payment.instalments"));
    }

    #[test]
    fn royalty_terms_are_checked() {
        let mut c = sample();
        c.payment = PaymentTerms::Royalty {
            rate_bp: 0,
            base: " ".into(),
            entry_fee_fen: c.amount_fen + 1,
        };
        assert_eq!(
            fields(&mut c),
            ["payment.rate_bp", "payment.base", "payment.entry_fee_fen"]
        );
        c.payment = PaymentTerms::Royalty {
            rate_bp: 350,
            base: "产品销售额".into(),
            entry_fee_fen: 0,
        };
        assert_eq!(fields(&mut c), Vec::<String>::new());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["amount"] = serde_json::json!(1);
        assert!(serde_json::from_value::<Contract>(v).is_err());
    }

    #[test]
    fn every_kind_has_a_category_and_labels() {
        use ContractKind::*;
        let cats: Vec<_> = ContractKind::ALL.iter().map(|k| k.category()).collect();
        assert_eq!(ContractKind::ALL.len(), 11);
        for cat in ContractCategory::ALL {
            assert!(cats.contains(cat), "{cat:?} has no kind");
        }
        assert_eq!(DevelopmentCommissioned.label_zh(), "技术开发（委托）");
        assert_eq!(LicenceSole.label_en(), "Technology licence (sole)");
        assert_eq!(LicenceSole.category().label_zh(), "技术许可");
        assert_eq!(ContractKind::from_label_zh("技术服务"), Some(Service));
    }

    #[test]
    fn the_registry_has_eleven_fields() {
        assert_eq!(TechField::ALL.len(), 11);
        assert_eq!(
            TechField::from_label_zh("生物、医药和医疗器械"),
            Some(TechField::Biomedicine)
        );
        assert_eq!(
            TechField::NuclearApplication.label_en(),
            "Nuclear application"
        );
    }

    /// The serde code, `as_str` and `parse` agree, and labels are unique, for every list.
    #[test]
    fn codes_and_labels_agree() {
        fn check<T>(
            all: &[T],
            code: fn(&T) -> &'static str,
            zh: fn(&T) -> &'static str,
            en: fn(&T) -> &'static str,
        ) where
            T: Serialize + std::fmt::Debug,
        {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), code(v), "{v:?}");
                assert!(seen.insert(code(v)), "duplicate code {v:?}");
                assert!(seen.insert(zh(v)), "duplicate zh label {v:?}");
                assert!(seen.insert(en(v)), "duplicate en label {v:?}");
                assert!(zh(v).chars().any(|ch| ch > '\u{2e80}'), "{v:?} zh label");
                assert!(en(v).is_ascii(), "{v:?} en label");
            }
        }
        check(
            ContractKind::ALL,
            |v| v.as_str(),
            |v| v.label_zh(),
            |v| v.label_en(),
        );
        check(
            ContractCategory::ALL,
            |v| v.as_str(),
            |v| v.label_zh(),
            |v| v.label_en(),
        );
        check(
            TechField::ALL,
            |v| v.as_str(),
            |v| v.label_zh(),
            |v| v.label_en(),
        );
        check(
            IpType::ALL,
            |v| v.as_str(),
            |v| v.label_zh(),
            |v| v.label_en(),
        );
        check(
            LegalPersonType::ALL,
            |v| v.as_str(),
            |v| v.label_zh(),
            |v| v.label_en(),
        );
        for k in ContractKind::ALL {
            assert_eq!(ContractKind::parse(k.as_str()), Some(*k));
        }
    }
}
