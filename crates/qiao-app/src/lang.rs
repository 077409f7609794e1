//! The two languages Qiao speaks: Simplified Chinese first, English one click away. Every
//! label is written in both; [`Lang::t`] picks one.

use qiao_domain::{Kind, Role};

/// The language a person reads: a page, a form's messages, an exported workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The language's tag (BCP 47), as a page's `lang` attribute gives it.
    pub fn html_lang(&self) -> &'static str {
        self.t("zh-CN", "en")
    }

    /// A listing kind's name.
    pub fn kind(&self, kind: &Kind) -> &'static str {
        self.t(kind.label_zh(), kind_en(*kind))
    }

    /// A role's name.
    pub fn role(&self, role: &Role) -> &'static str {
        self.t(role.label_zh(), role.as_str())
    }
}

/// English names of the listing kinds.
pub fn kind_en(kind: Kind) -> &'static str {
    match kind {
        Kind::Achievement => "Achievement",
        Kind::Demand => "Demand",
        Kind::Challenge => "Open challenge",
        Kind::Scenario => "Scenario",
        Kind::Instrument => "Instrument",
        Kind::Expert => "Expert",
        Kind::Institution => "Service institution",
    }
}
