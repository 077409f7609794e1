//! The registry's closed lists as people write them in a contract list: the contract type
//! (技术转让（专利权）, 技术转让-专利权, 专利权转让, 合同类别 技术转让 with 合同子类 专利权), the
//! technology field (电子信息 or 电子信息技术), the intellectual-property type, the parties'
//! legal-person type and the payment terms.
//!
//! Each value is found by its code (`transfer_patent`), its Chinese label, its English label or
//! one of the spellings below, compared without spaces, ASCII case or the difference between
//! half- and full-width brackets. The spellings are ones registry lists and contracts use; a
//! spelling that could mean two values (技术开发 without 委托 or 合作, 许可 without its kind) is
//! left out, so the import asks rather than guesses.

use std::collections::HashMap;
use std::sync::OnceLock;

use qiao_domain::contract::ContractCategory;
use qiao_domain::{ContractKind, IpType, LegalPersonType, Rule, TechField};

use crate::cell::shown;

/// How spellings compare: no whitespace, ASCII lower case, full-width brackets and colon.
pub(crate) fn normalise(raw: &str) -> String {
    raw.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ':' => '：',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// How a payment is made, as the 支付方式 column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentMode {
    /// 一次总算、一次总付.
    LumpSum,
    /// 一次总算、分期支付.
    Instalments,
    /// 提成支付.
    Royalty,
}

impl PaymentMode {
    pub(crate) const ALL: [PaymentMode; 3] = [
        PaymentMode::LumpSum,
        PaymentMode::Instalments,
        PaymentMode::Royalty,
    ];

    /// What exports write.
    pub(crate) fn label_zh(self) -> &'static str {
        match self {
            PaymentMode::LumpSum => "一次性",
            PaymentMode::Instalments => "分期",
            PaymentMode::Royalty => "提成",
        }
    }

    fn spellings(self) -> &'static [&'static str] {
        match self {
            PaymentMode::LumpSum => &[
                "lump_sum",
                "lump sum",
                "一次总付",
                "一次性支付",
                "一次性付款",
                "一次付清",
                "一次总算一次总付",
                "一次总算、一次总付",
                "一次总算，一次总付",
            ],
            PaymentMode::Instalments => &[
                "instalments",
                "installments",
                "分期支付",
                "分期付款",
                "一次总算分期支付",
                "一次总算、分期支付",
                "一次总算，分期支付",
            ],
            PaymentMode::Royalty => &[
                "royalty",
                "提成支付",
                "按提成支付",
                "入门费加提成",
                "入门费+提成",
            ],
        }
    }
}

/// Spellings of one list, built once: a 100,000-row import looks up every cell.
struct Spellings<T: 'static> {
    map: HashMap<String, T>,
    /// The Chinese labels, for the message about a value not in the list, and for the common
    /// case (exports and most lists write the label): a scan of a dozen short labels is
    /// cheaper than normalising the cell and hashing it.
    labels: Vec<(&'static str, T)>,
}

impl<T: Copy> Spellings<T> {
    fn new(all: &[T], names: impl Fn(T) -> [&'static str; 3], extra: &[(&'static str, T)]) -> Self {
        let mut map = HashMap::new();
        let mut labels = Vec::new();
        for &v in all {
            let [code, zh, en] = names(v);
            labels.push((zh, v));
            for s in [code, zh, en] {
                map.insert(normalise(s), v);
            }
        }
        for &(s, v) in extra {
            map.insert(normalise(s), v);
        }
        Spellings { map, labels }
    }

    fn find(&self, raw: &str) -> Option<T> {
        let trimmed = raw.trim();
        if let Some((_, v)) = self.labels.iter().find(|(label, _)| *label == trimmed) {
            return Some(*v);
        }
        self.map.get(&normalise(raw)).copied()
    }

    fn parse(&self, raw: &str) -> Result<T, Rule> {
        self.find(raw).ok_or_else(|| self.refusal(raw))
    }

    fn refusal(&self, raw: &str) -> Rule {
        Rule::NotOneOf {
            found: shown(raw),
            allowed: self.labels.iter().map(|(s, _)| s.to_string()).collect(),
        }
    }
}

macro_rules! coded_names {
    ($t:ty) => {
        |v: $t| [v.as_str(), v.label_zh(), v.label_en()]
    };
}

/// The subtype words of each contract type (what 合同子类 holds, and what follows the category
/// in 技术转让-专利权), and whole-name synonyms (专利权转让).
const KIND_WORDS: [(ContractKind, &[&str], &[&str]); 11] = {
    use ContractKind::*;
    [
        (
            DevelopmentCommissioned,
            &["委托", "委托开发"],
            &["委托开发", "委托研发", "委托技术开发"],
        ),
        (
            DevelopmentCooperative,
            &["合作", "合作开发"],
            &["合作开发", "联合开发", "合作技术开发"],
        ),
        (
            TransferPatent,
            &["专利权", "专利", "专利权转让"],
            &["专利权转让", "专利转让"],
        ),
        (
            TransferPatentApplication,
            &["专利申请权", "专利申请权转让"],
            &["专利申请权转让"],
        ),
        (
            TransferTechnicalSecret,
            &["技术秘密", "技术秘密转让"],
            &["技术秘密转让"],
        ),
        (
            TransferOther,
            &["其他", "其它", "其他技术转让"],
            &["其他技术转让"],
        ),
        (
            LicenceExclusive,
            &["独占", "独占许可"],
            &["独占许可", "独占实施许可"],
        ),
        (
            LicenceSole,
            &["排他", "排他许可"],
            &["排他许可", "排他实施许可"],
        ),
        (
            LicenceOrdinary,
            &["普通", "普通许可"],
            &["普通许可", "普通实施许可"],
        ),
        (Consulting, &[], &[]),
        // The registry's older subtypes of 技术服务, all one type now.
        (
            Service,
            &["一般技术服务", "一般", "技术培训", "技术中介"],
            &[],
        ),
    ]
};

/// What joins a category and a subtype in one cell: 技术转让-专利权, 技术转让/专利权…
const JOINERS: [&str; 8] = ["", "-", "－", "—", "/", "／", "·", "："];

/// A type written with or without the word 合同 (技术服务合同, 技术转让合同（专利权）).
fn without_contract_word(s: &str) -> String {
    normalise(s).replace("合同", "")
}

fn kinds() -> &'static Spellings<ContractKind> {
    static S: OnceLock<Spellings<ContractKind>> = OnceLock::new();
    S.get_or_init(|| {
        let mut extra: Vec<(&'static str, ContractKind)> = Vec::new();
        let mut joined: Vec<(String, ContractKind)> = Vec::new();
        for (kind, subs, whole) in KIND_WORDS {
            extra.extend(whole.iter().map(|w| (*w, kind)));
            let category = kind.category().label_zh();
            for sub in subs {
                joined.push((format!("{category}（{sub}）"), kind));
                for j in JOINERS {
                    joined.push((format!("{category}{j}{sub}"), kind));
                }
            }
        }
        let mut s = Spellings::new(ContractKind::ALL, coded_names!(ContractKind), &extra);
        for (text, kind) in joined {
            s.map.insert(normalise(&text), kind);
        }
        // Consulting and service have no subtype: their category names them.
        s.map.insert(normalise("咨询"), ContractKind::Consulting);
        s
    })
}

fn categories() -> &'static Spellings<ContractCategory> {
    static S: OnceLock<Spellings<ContractCategory>> = OnceLock::new();
    S.get_or_init(|| {
        use ContractCategory::*;
        Spellings::new(
            ContractCategory::ALL,
            coded_names!(ContractCategory),
            &[
                ("开发", Development),
                ("转让", Transfer),
                ("许可", Licence),
                ("咨询", Consulting),
                ("服务", Service),
            ],
        )
    })
}

/// A contract type from a 合同类型 cell alone.
pub(crate) fn kind(raw: &str) -> Result<ContractKind, Rule> {
    let s = kinds();
    s.find(raw)
        .or_else(|| s.find(&without_contract_word(raw)))
        .ok_or_else(|| s.refusal(raw))
}

/// A contract category from a 合同类别 cell.
pub(crate) fn category(raw: &str) -> Result<ContractCategory, Rule> {
    let s = categories();
    s.find(raw)
        .or_else(|| s.find(&without_contract_word(raw)))
        .ok_or_else(|| s.refusal(raw))
}

/// A contract type from a category and what the row says within it: a subtype (专利权), a whole
/// type that must belong to the category, or nothing for 技术咨询 and 技术服务.
pub(crate) fn kind_in(category: ContractCategory, sub: Option<&str>) -> Result<ContractKind, Rule> {
    let within: Vec<ContractKind> = ContractKind::ALL
        .iter()
        .copied()
        .filter(|k| k.category() == category)
        .collect();
    let refusal = |found: &str| Rule::NotOneOf {
        found: shown(found),
        allowed: within.iter().map(|k| k.label_zh().to_string()).collect(),
    };
    let Some(sub) = sub else {
        return match within[..] {
            [only] => Ok(only),
            _ => Err(refusal(category.label_zh())),
        };
    };
    let wanted = normalise(sub);
    for (kind, subs, _) in KIND_WORDS {
        if kind.category() == category && subs.iter().any(|s| normalise(s) == wanted) {
            return Ok(kind);
        }
    }
    match kind(sub) {
        Ok(k) if k.category() == category => Ok(k),
        _ => Err(refusal(sub)),
    }
}

/// A technology field: the label, or the registry's older names ending in 技术 (电子信息技术).
pub(crate) fn tech_field(raw: &str) -> Result<TechField, Rule> {
    static S: OnceLock<Spellings<TechField>> = OnceLock::new();
    let s = S.get_or_init(|| {
        use TechField::*;
        Spellings::new(
            TechField::ALL,
            coded_names!(TechField),
            &[
                ("新材料", NewMaterials),
                ("新能源", NewEnergy),
                ("新能源与节能", NewEnergy),
                ("环境保护", Environment),
                ("环保", Environment),
                ("生物医药", Biomedicine),
                ("生物医药和医疗器械", Biomedicine),
                ("生物、医药与医疗器械", Biomedicine),
                ("城市建设", UrbanDevelopment),
                ("社会发展", UrbanDevelopment),
                ("交通", ModernTransport),
                ("核技术应用", NuclearApplication),
            ],
        )
    });
    s.find(raw)
        .or_else(|| {
            let n = normalise(raw);
            n.strip_suffix("技术").and_then(|t| s.find(t))
        })
        .ok_or_else(|| s.refusal(raw))
}

/// An intellectual-property type.
pub(crate) fn ip_type(raw: &str) -> Result<IpType, Rule> {
    static S: OnceLock<Spellings<IpType>> = OnceLock::new();
    S.get_or_init(|| {
        use IpType::*;
        Spellings::new(
            IpType::ALL,
            coded_names!(IpType),
            &[
                ("发明", InventionPatent),
                ("实用新型", UtilityModel),
                ("外观设计", DesignPatent),
                ("外观专利", DesignPatent),
                ("软件著作权", Software),
                ("计算机软件", Software),
                ("软著", Software),
                ("集成电路布图设计", IcLayout),
                ("布图设计", IcLayout),
                ("植物新品种", PlantVariety),
                ("其他", Other),
                ("其它", Other),
                ("无", NotInvolved),
                ("未涉及", NotInvolved),
                ("不涉及", NotInvolved),
                ("不涉及知识产权", NotInvolved),
            ],
        )
    })
    .parse(raw)
}

/// A party's legal-person type.
pub(crate) fn legal_person(raw: &str) -> Result<LegalPersonType, Rule> {
    static S: OnceLock<Spellings<LegalPersonType>> = OnceLock::new();
    S.get_or_init(|| {
        use LegalPersonType::*;
        Spellings::new(
            LegalPersonType::ALL,
            coded_names!(LegalPersonType),
            &[
                ("企业", Enterprise),
                ("公司", Enterprise),
                ("高校", University),
                ("大学", University),
                ("高等学校", University),
                ("科研院所", ResearchInstitute),
                ("研究机构", ResearchInstitute),
                ("独立科研机构", ResearchInstitute),
                ("医疗机构", MedicalInstitution),
                ("医院", MedicalInstitution),
                ("事业单位", OtherPublicInstitution),
                ("事业法人", OtherPublicInstitution),
                ("其他事业单位", OtherPublicInstitution),
                ("机关", Government),
                ("政府机关", Government),
                ("社会团体", SocialOrganisation),
                ("社团", SocialOrganisation),
                ("个人", NaturalPerson),
                ("其他", Other),
                ("其它", Other),
            ],
        )
    })
    .parse(raw)
}

/// How the price is paid.
pub(crate) fn payment_mode(raw: &str) -> Result<PaymentMode, Rule> {
    static S: OnceLock<Spellings<PaymentMode>> = OnceLock::new();
    S.get_or_init(|| {
        let extra: Vec<(&'static str, PaymentMode)> = PaymentMode::ALL
            .iter()
            .flat_map(|&m| m.spellings().iter().map(move |s| (*s, m)))
            .collect();
        Spellings::new(
            &PaymentMode::ALL,
            |m| [m.label_zh(), m.label_zh(), m.label_zh()],
            &extra,
        )
    })
    .parse(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_code_and_labels() {
        for &k in ContractKind::ALL {
            for s in [k.as_str(), k.label_zh(), k.label_en()] {
                assert_eq!(kind(s), Ok(k), "{s}");
            }
            assert_eq!(kind_in(k.category(), Some(k.label_zh())), Ok(k));
        }
        for &f in TechField::ALL {
            for s in [f.as_str(), f.label_zh(), f.label_en()] {
                assert_eq!(tech_field(s), Ok(f), "{s}");
            }
        }
        for &t in IpType::ALL {
            for s in [t.as_str(), t.label_zh(), t.label_en()] {
                assert_eq!(ip_type(s), Ok(t), "{s}");
            }
        }
        for &t in LegalPersonType::ALL {
            for s in [t.as_str(), t.label_zh(), t.label_en()] {
                assert_eq!(legal_person(s), Ok(t), "{s}");
            }
        }
        for m in PaymentMode::ALL {
            assert_eq!(payment_mode(m.label_zh()), Ok(m));
        }
    }

    #[test]
    fn contract_types_as_registry_lists_write_them() {
        use ContractKind::*;
        for s in [
            "技术转让（专利权）",
            "技术转让(专利权)",
            " 技术转让 - 专利权 ",
            "技术转让—专利权",
            "技术转让/专利权",
            "专利权转让",
            "技术转让合同（专利权）",
        ] {
            assert_eq!(kind(s), Ok(TransferPatent), "{s}");
        }
        assert_eq!(kind("委托开发"), Ok(DevelopmentCommissioned));
        assert_eq!(kind("技术开发（合作）"), Ok(DevelopmentCooperative));
        assert_eq!(kind("技术服务合同"), Ok(Service));
        assert_eq!(kind("独占许可"), Ok(LicenceExclusive));
        // Ambiguous: which kind of development or licence?
        assert!(matches!(kind("技术开发"), Err(Rule::NotOneOf { .. })));
        assert!(matches!(kind("技术许可"), Err(Rule::NotOneOf { .. })));
        let Err(Rule::NotOneOf { allowed, .. }) = kind("技术买卖") else {
            panic!("an unknown type is refused");
        };
        assert_eq!(allowed.len(), 11);
    }

    #[test]
    fn category_and_subtype() {
        use ContractCategory as C;
        use ContractKind::*;
        assert_eq!(category("技术转让"), Ok(C::Transfer));
        assert_eq!(category("技术开发合同"), Ok(C::Development));
        assert_eq!(
            kind_in(C::Transfer, Some("专利申请权")),
            Ok(TransferPatentApplication)
        );
        assert_eq!(kind_in(C::Licence, Some("排他")), Ok(LicenceSole));
        assert_eq!(kind_in(C::Service, None), Ok(Service));
        assert_eq!(kind_in(C::Service, Some("技术培训")), Ok(Service));
        assert_eq!(kind_in(C::Consulting, None), Ok(Consulting));
        // A subtype of another category, or none where one is needed.
        assert!(kind_in(C::Transfer, Some("独占")).is_err());
        assert!(kind_in(C::Development, None).is_err());
        assert!(kind_in(C::Licence, Some("技术转让（专利权）")).is_err());
    }

    #[test]
    fn fields_and_types_by_their_usual_names() {
        assert_eq!(
            tech_field("电子信息技术"),
            Ok(TechField::ElectronicInformation)
        );
        assert_eq!(tech_field("生物医药"), Ok(TechField::Biomedicine));
        assert_eq!(ip_type("软著"), Ok(IpType::Software));
        assert_eq!(ip_type("无"), Ok(IpType::NotInvolved));
        assert_eq!(legal_person("高校"), Ok(LegalPersonType::University));
        assert_eq!(legal_person("Enterprise"), Ok(LegalPersonType::Enterprise));
        assert_eq!(
            payment_mode("一次总算、分期支付"),
            Ok(PaymentMode::Instalments)
        );
        assert!(tech_field("人工智能").is_err());
    }
}
