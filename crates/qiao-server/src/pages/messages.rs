//! Validation messages on the pages, in the visitor's language.
//!
//! A field error carries the rule it breaks ([`qiao_domain::Rule`]), and the domain says every
//! rule in English and in Chinese from its code and values. A page only picks the language:
//! nothing here reads an English sentence back.

use qiao_domain::FieldError;

use super::Lang;

/// The error's message in `l`, for display next to its field.
pub fn said(l: Lang, e: &FieldError) -> String {
    match l {
        Lang::Zh => e.zh(),
        Lang::En => e.message(),
    }
}

/// `field：message` in `l`, for an error shown apart from its field (above a form, on an
/// error page).
pub fn labelled(l: Lang, e: &FieldError) -> String {
    match l {
        Lang::Zh => format!("{}：{}", e.field, e.zh()),
        Lang::En => format!("{}: {}", e.field, e.message()),
    }
}

#[cfg(test)]
mod tests {
    use qiao_domain::{FieldError, Rule};

    use super::*;

    #[test]
    fn the_page_language_picks_the_rendering() {
        let e = FieldError::new(
            "title",
            Rule::TooLong {
                max: 200,
                found: 240,
            },
        );
        assert_eq!(said(Lang::Zh, &e), "当前 240 个字，请缩短到 200 个字以内");
        assert_eq!(
            said(Lang::En, &e),
            "is 240 characters long; shorten it to at most 200"
        );
        assert_eq!(
            labelled(Lang::Zh, &e),
            "title：当前 240 个字，请缩短到 200 个字以内"
        );
        assert_eq!(
            labelled(Lang::En, &e),
            "title: is 240 characters long; shorten it to at most 200"
        );
    }
}
