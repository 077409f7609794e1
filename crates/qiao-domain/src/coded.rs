//! Closed lists with a stable code and a label in each language.
//!
//! Contracts, registrations and deals carry many short fixed lists (the registry's contract
//! types, its statistical fields, refusal grounds, deal stages). Each needs the same four
//! things: a code that serde, the database, URLs and spreadsheets share; a Chinese and an
//! English label; and the whole list in display order for forms. One macro writes them, so
//! the serde code and `as_str` cannot drift apart (each variant is renamed to its code).

/// Declares a fieldless enum whose variants each carry `(code, 中文, English)`.
///
/// The declaration order is the display order and the `Ord` order (deal stages rely on it).
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $variant:ident = ($code:literal, $zh:literal, $en:literal),
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        pub enum $name {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $code)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in JSON, URLs, spreadsheets and the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// Parses [`Self::as_str`]'s output.
            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }

            /// The Chinese label shown to users.
            pub fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)+
                }
            }

            /// The English label shown to users.
            pub fn label_en(self) -> &'static str {
                match self {
                    $($name::$variant => $en,)+
                }
            }

            /// Finds a value by its Chinese label, as the registry's spreadsheets write it.
            pub fn from_label_zh(label: &str) -> Option<Self> {
                let label = label.trim();
                Self::ALL.iter().copied().find(|v| v.label_zh() == label)
            }
        }
    };
}
