//! How many years of income a valuation may count: n = min(economic life, remaining legal
//! term), the legal term read from the patent's type and filing date.
//!
//! A Chinese patent's term runs from its filing date (申请日): 20 years for an invention, 10
//! for a utility model, and for a design 15 years if filed on or after 2021-06-01 (the 2020
//! amendment of the Patent Law) and 10 before. The application number carries the filing
//! year and the type (`CN202310001234.5`: 2023, type 1 = invention), so an achievement that
//! lists its patent numbers gives its term without anyone typing it; only the year is known
//! then, and the filing day is taken as 1 January of it: the earliest possible day, so the
//! remaining term is never overstated.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The three kinds of Chinese patent.
    pub enum PatentKind {
        /// 发明专利: 20 years.
        Invention = ("invention", "发明专利", "Invention patent"),
        /// 实用新型专利: 10 years.
        UtilityModel = ("utility_model", "实用新型专利", "Utility model"),
        /// 外观设计专利: 15 years (10 if filed before 2021-06-01).
        Design = ("design", "外观设计专利", "Design patent"),
    }
}

/// The patent a valuation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Patent {
    /// Its kind.
    pub kind: PatentKind,
    /// Its filing date (申请日), from which the term runs.
    pub filed_on: NaiveDate,
    /// The application number it was read from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

impl PatentKind {
    /// The legal term in years of a patent of this kind filed on `filed_on`.
    pub fn term_years(self, filed_on: NaiveDate) -> u32 {
        match self {
            PatentKind::Invention => 20,
            PatentKind::UtilityModel => 10,
            PatentKind::Design => {
                let amended = NaiveDate::from_ymd_opt(2021, 6, 1).expect("a valid day");
                if filed_on >= amended { 15 } else { 10 }
            }
        }
    }
}

impl Patent {
    /// The last day of the term: the day before the filing date's `term`-th anniversary.
    pub fn expires_on(&self) -> NaiveDate {
        let years = self.kind.term_years(self.filed_on);
        let year = self.filed_on.year() + years as i32;
        // 29 February has no anniversary in a common year: the term then ends on 28 February.
        let anniversary = self
            .filed_on
            .with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
            .expect("a valid day");
        anniversary - Days::new(1)
    }

    /// Reads the kind and filing year from a Chinese application number: `CN202310001234.5`,
    /// `ZL 2023 1 0001234.5`, `202320001234X` (since October 2003: year, type, serial, check)
    /// or `CN98123456.7` (before: two-digit year, type, serial, check). Type 1 and 8 (a PCT
    /// application entering China) are inventions, 2 and 9 utility models, 3 designs. The
    /// filing day is taken as 1 January of the year (see the module's doc). Publication and
    /// grant numbers (`CN115123456A`) carry no filing year: `None`.
    pub fn from_application_number(raw: &str) -> Option<Patent> {
        let upper = raw.trim().to_uppercase();
        let s = upper
            .strip_prefix("CN")
            .or_else(|| upper.strip_prefix("ZL"))
            .unwrap_or(&upper);
        let digits: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let body = digits.strip_suffix(|c: char| c.is_ascii_digit() || c == 'X')?;
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, kind) = match body.len() {
            12 => (body[..4].parse::<i32>().ok()?, body.as_bytes()[4]),
            8 => {
                let yy: i32 = body[..2].parse().ok()?;
                (
                    if yy >= 85 { 1900 + yy } else { 2000 + yy },
                    body.as_bytes()[2],
                )
            }
            _ => return None,
        };
        if !(1985..=2100).contains(&year) {
            return None;
        }
        let kind = match kind {
            b'1' | b'8' => PatentKind::Invention,
            b'2' | b'9' => PatentKind::UtilityModel,
            b'3' => PatentKind::Design,
            _ => return None,
        };
        Some(Patent {
            kind,
            filed_on: NaiveDate::from_ymd_opt(year, 1, 1)?,
            number: Some(raw.trim().to_string()),
        })
    }
}

/// The years a valuation counts, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Life {
    /// The economic life entered (经济寿命), in years.
    pub economic_life_years: u32,
    /// The patent's legal term in years, when a patent is known.
    pub legal_term_years: Option<u32>,
    /// The last day of the legal term.
    pub expires_on: Option<NaiveDate>,
    /// What is left of the legal term on the valuation date, in years (days / 365.25).
    pub remaining_legal_years: Option<f64>,
    /// The remaining useful life: the smaller of the economic life and the remaining term.
    pub remaining_years: f64,
    /// The whole years of income counted: n = min(economic life, ⌊remaining term⌋).
    pub n: u32,
}

/// The years counted for a valuation on `on` of a technology with `economic_life_years`,
/// protected by `patent` when given.
pub fn life(economic_life_years: u32, patent: Option<&Patent>, on: NaiveDate) -> Life {
    let Some(p) = patent else {
        return Life {
            economic_life_years,
            legal_term_years: None,
            expires_on: None,
            remaining_legal_years: None,
            remaining_years: f64::from(economic_life_years),
            n: economic_life_years,
        };
    };
    let expires_on = p.expires_on();
    // The day after expiry nothing is left; the last day itself still counts.
    let days = (expires_on - on).num_days() + 1;
    let remaining = (days.max(0) as f64) / 365.25;
    // Whole years only: income of a part year past the term is not counted, so n can never
    // exceed the term.
    let whole = (remaining.floor() as u32).min(p.kind.term_years(p.filed_on));
    Life {
        economic_life_years,
        legal_term_years: Some(p.kind.term_years(p.filed_on)),
        expires_on: Some(expires_on),
        remaining_legal_years: Some(remaining),
        remaining_years: remaining.min(f64::from(economic_life_years)),
        n: whole.min(economic_life_years),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn terms_by_kind() {
        assert_eq!(PatentKind::Invention.term_years(day(2020, 1, 1)), 20);
        assert_eq!(PatentKind::UtilityModel.term_years(day(2020, 1, 1)), 10);
        assert_eq!(PatentKind::Design.term_years(day(2021, 6, 1)), 15);
        assert_eq!(PatentKind::Design.term_years(day(2021, 5, 31)), 10);
    }

    #[test]
    fn application_numbers_give_kind_and_year() {
        let p = Patent::from_application_number("CN202310001234.5").unwrap();
        assert_eq!(
            (p.kind, p.filed_on),
            (PatentKind::Invention, day(2023, 1, 1))
        );
        let p = Patent::from_application_number("ZL 2021 2 0456789.X").unwrap();
        assert_eq!(
            (p.kind, p.filed_on),
            (PatentKind::UtilityModel, day(2021, 1, 1))
        );
        let p = Patent::from_application_number("202230123456.1").unwrap();
        assert_eq!(p.kind, PatentKind::Design);
        let p = Patent::from_application_number("CN98123456.7").unwrap();
        assert_eq!(
            (p.kind, p.filed_on),
            (PatentKind::Invention, day(1998, 1, 1))
        );
        let p = Patent::from_application_number("CN201880012345.6").unwrap();
        assert_eq!(p.kind, PatentKind::Invention, "a PCT entry is an invention");
        for bad in ["CN115123456A", "CN202350001234.5", "abc", "", "CN1234"] {
            assert_eq!(Patent::from_application_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_term_ends_the_day_before_the_anniversary() {
        let p = Patent {
            kind: PatentKind::Invention,
            filed_on: day(2010, 3, 15),
            number: None,
        };
        assert_eq!(p.expires_on(), day(2030, 3, 14));
        let leap = Patent {
            kind: PatentKind::UtilityModel,
            filed_on: day(2016, 2, 29),
            number: None,
        };
        assert_eq!(leap.expires_on(), day(2026, 2, 28));
    }

    #[test]
    fn n_is_the_smaller_of_economic_life_and_remaining_term() {
        let p = Patent {
            kind: PatentKind::Invention,
            filed_on: day(2016, 7, 1),
            number: None,
        };
        // 2026-07-01: 10 years left exactly (the last day is 2036-06-30).
        let l = life(15, Some(&p), day(2026, 7, 1));
        assert_eq!(l.n, 10);
        assert_eq!(l.legal_term_years, Some(20));
        let l = life(6, Some(&p), day(2026, 7, 1));
        assert_eq!(l.n, 6);
        assert_eq!(l.remaining_years, 6.0);
        // Expired: nothing left.
        let l = life(8, Some(&p), day(2040, 1, 1));
        assert_eq!((l.n, l.remaining_years), (0, 0.0));
        // No patent: the economic life alone.
        assert_eq!(life(7, None, day(2026, 1, 1)).n, 7);
    }

    proptest! {
        /// n never exceeds the legal term, whatever the kind, filing day, valuation day and
        /// economic life, and the remaining term never exceeds the term either.
        #[test]
        fn n_never_exceeds_the_legal_term(
            kind in 0usize..3,
            filed in 0i64..20_000,
            after in -2_000i64..12_000,
            economic in 1u32..60,
        ) {
            let filed_on = day(1985, 1, 1) + chrono::Duration::days(filed);
            let on = filed_on + chrono::Duration::days(after);
            let p = Patent { kind: PatentKind::ALL[kind], filed_on, number: None };
            let l = life(economic, Some(&p), on);
            let term = p.kind.term_years(filed_on);
            prop_assert!(l.n <= term);
            prop_assert!(l.n <= economic);
            prop_assert!(f64::from(l.n) <= l.remaining_legal_years.unwrap());
            if after >= 0 {
                prop_assert!(l.remaining_legal_years.unwrap() <= f64::from(term) + 0.01);
            }
        }
    }
}
