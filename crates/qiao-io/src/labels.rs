//! Names and Chinese labels of the enumerations a spreadsheet cell may hold, and the spellings
//! accepted on import.
//!
//! The domain gives [`Kind`](qiao_domain::Kind) and [`Status`] their own `parse`, and gives
//! [`OrgKind`] and [`CertKind`] a `label_zh`; [`Stage`] and [`Cooperation`] have neither, so their
//! labels live here. The name functions are exhaustive `match`es: a variant added to the domain
//! stops this crate from compiling until it has a name and a label, rather than silently failing
//! to import.

use qiao_domain::listing::{Cooperation, Stage, Status};
use qiao_domain::{CertKind, OrgKind};
use std::sync::OnceLock;

/// Every maturity stage, from the laboratory to the factory.
pub const STAGES: [Stage; 4] = [
    Stage::Lab,
    Stage::SmallPilot,
    Stage::Pilot,
    Stage::Industrial,
];

/// Every mode of transfer or cooperation, in display order.
pub const COOPERATIONS: [Cooperation; 7] = [
    Cooperation::Transfer,
    Cooperation::License,
    Cooperation::Equity,
    Cooperation::JointDevelopment,
    Cooperation::CommissionedDevelopment,
    Cooperation::Consulting,
    Cooperation::Service,
];

/// The name of a stage in JSON (`small_pilot`).
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Lab => "lab",
        Stage::SmallPilot => "small_pilot",
        Stage::Pilot => "pilot",
        Stage::Industrial => "industrial",
    }
}

/// The Chinese name of a stage (`小试`).
pub fn stage_label_zh(stage: Stage) -> &'static str {
    match stage {
        Stage::Lab => "实验室",
        Stage::SmallPilot => "小试",
        Stage::Pilot => "中试",
        Stage::Industrial => "产业化",
    }
}

/// The name of a cooperation mode in JSON (`joint_development`).
pub fn cooperation_name(mode: Cooperation) -> &'static str {
    match mode {
        Cooperation::Transfer => "transfer",
        Cooperation::License => "license",
        Cooperation::Equity => "equity",
        Cooperation::JointDevelopment => "joint_development",
        Cooperation::CommissionedDevelopment => "commissioned_development",
        Cooperation::Consulting => "consulting",
        Cooperation::Service => "service",
    }
}

/// The Chinese name of a cooperation mode (`合作开发`).
pub fn cooperation_label_zh(mode: Cooperation) -> &'static str {
    match mode {
        Cooperation::Transfer => "转让",
        Cooperation::License => "许可",
        Cooperation::Equity => "作价入股",
        Cooperation::JointDevelopment => "合作开发",
        Cooperation::CommissionedDevelopment => "委托开发",
        Cooperation::Consulting => "技术咨询",
        Cooperation::Service => "技术服务",
    }
}

/// The name of an organisation kind in JSON (`research_institute`).
pub fn org_kind_name(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Enterprise => "enterprise",
        OrgKind::University => "university",
        OrgKind::ResearchInstitute => "research_institute",
        OrgKind::Government => "government",
        OrgKind::ServiceInstitution => "service_institution",
    }
}

/// The name of a certificate kind in JSON (`high_tech`).
pub fn cert_kind_name(kind: CertKind) -> &'static str {
    match kind {
        CertKind::TechSme => "tech_sme",
        CertKind::HighTech => "high_tech",
        CertKind::LittleGiant => "little_giant",
        CertKind::Specialized => "specialized",
        CertKind::Leading => "leading",
    }
}

/// Spellings people use besides the JSON name and the label. Kept short on purpose: a spelling
/// that could mean two things (技术开发: joint or commissioned?) is left out, so the importer
/// asks rather than guesses.
fn extra_spellings(name: &str) -> &'static [&'static str] {
    match name {
        // Stage
        "lab" => &["实验室阶段", "研发阶段"],
        "small_pilot" => &["小试阶段"],
        "pilot" => &["中试阶段"],
        "industrial" => &["产业化阶段", "已产业化", "量产"],
        // Cooperation
        "transfer" => &["技术转让", "专利转让"],
        "license" => &["技术许可", "专利许可", "许可使用"],
        "equity" => &["作价投资", "技术入股"],
        "joint_development" => &["联合开发"],
        "commissioned_development" => &["委托研发"],
        "consulting" => &["咨询"],
        "service" => &["服务"],
        // Status
        "open" => &["征集中", "发布", "已发布"],
        "closed" => &["关闭"],
        // OrgKind
        "university" => &["大学", "高等院校", "高等学校"],
        "research_institute" => &["研究院所", "科研机构", "研究所"],
        "government" => &["政府机关", "政府"],
        // CertKind
        "high_tech" => &["高企", "国家高新技术企业"],
        "little_giant" => &["科技小巨人企业", "小巨人"],
        "specialized" => &["专精特新企业", "专精特新中小企业"],
        "leading" => &["科技领军企业"],
        _ => &[],
    }
}

/// Which enumeration a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    Stage,
    Cooperation,
    Status,
    OrgKind,
    CertKind,
}

impl Choice {
    /// (JSON name, Chinese label) of every value, in display order. Built once: parsing runs for
    /// every cell of a 100k-row import.
    fn entries(self) -> &'static [(&'static str, &'static str)] {
        type Table = Vec<(&'static str, &'static str)>;
        static TABLES: OnceLock<[Table; 5]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            [
                STAGES
                    .iter()
                    .map(|&s| (stage_name(s), stage_label_zh(s)))
                    .collect(),
                COOPERATIONS
                    .iter()
                    .map(|&c| (cooperation_name(c), cooperation_label_zh(c)))
                    .collect(),
                Status::ALL
                    .iter()
                    .map(|&s| (s.as_str(), s.label_zh()))
                    .collect(),
                OrgKind::ALL
                    .iter()
                    .map(|&k| (org_kind_name(k), k.label_zh()))
                    .collect(),
                CertKind::ALL
                    .iter()
                    .map(|&k| (cert_kind_name(k), k.label_zh()))
                    .collect(),
            ]
        });
        &tables[self as usize]
    }

    /// The JSON name for what a person wrote: the JSON name in any case (`Small-Pilot`), the
    /// Chinese label or one of the extra spellings.
    pub(crate) fn parse(self, raw: &str) -> Option<&'static str> {
        let raw = raw.trim();
        self.entries().iter().find_map(|&(name, label)| {
            (loosely_equal(name, raw) || label == raw || extra_spellings(name).contains(&raw))
                .then_some(name)
        })
    }

    /// The accepted values for an error message: `lab (实验室), small_pilot (小试), …`.
    pub(crate) fn accepted(self) -> Vec<String> {
        self.entries()
            .iter()
            .map(|(name, label)| format!("{name} ({label})"))
            .collect()
    }
}

/// `name` (snake_case ASCII) equals `raw` ignoring ASCII case, with `-` or a space for `_`.
pub(crate) fn loosely_equal(name: &str, raw: &str) -> bool {
    name.len() == raw.len()
        && name.bytes().zip(raw.bytes()).all(|(n, r)| {
            let r = match r {
                b'-' | b' ' => b'_',
                r => r.to_ascii_lowercase(),
            };
            n == r
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    fn names_deserialise<T: DeserializeOwned>(choice: Choice) {
        for &(name, label) in choice.entries() {
            serde_json::from_value::<T>(Value::String(name.into()))
                .unwrap_or_else(|e| panic!("{choice:?} `{name}` is not a domain name: {e}"));
            assert_eq!(choice.parse(name), Some(name));
            assert_eq!(choice.parse(label), Some(name), "{label}");
            for extra in extra_spellings(name) {
                assert_eq!(choice.parse(extra), Some(name), "{extra}");
            }
        }
    }

    #[test]
    fn every_name_is_the_domain_name() {
        names_deserialise::<Stage>(Choice::Stage);
        names_deserialise::<Cooperation>(Choice::Cooperation);
        names_deserialise::<Status>(Choice::Status);
        names_deserialise::<OrgKind>(Choice::OrgKind);
        names_deserialise::<CertKind>(Choice::CertKind);
    }

    #[test]
    fn spellings_are_forgiving_but_not_guesses() {
        assert_eq!(Choice::Stage.parse(" Small-Pilot "), Some("small_pilot"));
        assert_eq!(Choice::Stage.parse("中试"), Some("pilot"));
        assert_eq!(Choice::Cooperation.parse("作价入股"), Some("equity"));
        assert_eq!(Choice::Cooperation.parse("技术开发"), None);
        assert_eq!(Choice::CertKind.parse("高新技术企业"), Some("high_tech"));
        assert_eq!(Choice::Status.parse("征集中"), Some("open"));
    }
}
