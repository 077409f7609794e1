//! Amounts of a contract list, read into 分 exactly and written back as 元.
//!
//! A registry list states its amounts in 元 or in 万元, and says which in the header
//! (`合同成交额（万元）`) or in a note above the table (`金额单位：万元`); a person may still type
//! a unit into one cell (`12.5万元` in a 元 column). The number goes through
//! `qiao_numbers::amount`, which reads digits, decimals and Chinese numerals into an exact
//! decimal, and is multiplied into 分 in integers: no `f64` stands between the text and the
//! amount, so `12345678.90` is 1234567890 分 and `0.01` is 1 分. A fraction of a 分 (a 万元
//! figure with seven decimals) is rounded to the nearest 分, halves up, as the registry rounds.

use qiao_domain::Rule;
use qiao_domain::contract::MAX_AMOUNT_FEN;
use qiao_numbers::{Decimal, amount};

use crate::cell::{Cell, format_number, shown};

/// The unit a column's plain numbers are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Unit {
    /// 元, the default: what the rest of Qiao's imports read a plain number as.
    #[default]
    Yuan,
    /// 万元, the unit registry statistics are kept in.
    Wan,
    /// 亿元.
    Yi,
}

impl Unit {
    /// 分 in one of this unit.
    pub(crate) fn fen(self) -> u64 {
        match self {
            Unit::Yuan => 100,
            Unit::Wan => 1_000_000,
            Unit::Yi => 10_000_000_000,
        }
    }

    /// The unit a header or a note names: `元`, `万元`, `亿元` (`万` and `亿` alone too).
    pub(crate) fn parse(s: &str) -> Option<Unit> {
        match s {
            "元" | "yuan" => Some(Unit::Yuan),
            "万元" | "万" => Some(Unit::Wan),
            "亿元" | "亿" => Some(Unit::Yi),
            _ => None,
        }
    }
}

fn bad(found: &str) -> Rule {
    Rule::BadFormat {
        found: shown(found),
        format: qiao_domain::Format::Amount,
    }
}

fn too_big(found: f64) -> Rule {
    Rule::OutOfRange {
        min: 0,
        max: MAX_AMOUNT_FEN,
        found,
    }
}

/// `value` of a unit worth `factor` 分, rounded to the nearest 分.
fn to_fen(value: Decimal, factor: u64) -> Result<i64, Rule> {
    let fen = value
        .times(factor)
        .ok_or_else(|| too_big(value.to_f64() * factor as f64))?
        .round();
    i64::try_from(fen)
        .ok()
        .filter(|f| *f <= MAX_AMOUNT_FEN)
        .ok_or(too_big(fen as f64))
}

/// Whether a text carries its own unit: it ends in 元, 万 or 亿 (`50万`, `三亿五千万`, `1,200元`),
/// or in 千 or 百 right after a digit (`5千`; `三百` is a numeral, read in the column's unit).
fn has_own_unit(body: &str) -> bool {
    let mut rev = body.chars().rev();
    match rev.next() {
        Some('元' | '万' | '亿') => true,
        Some('千' | '百') => rev.next().is_some_and(|c| c.is_ascii_digit() || c == '.'),
        _ => false,
    }
}

/// Reads an amount cell into 分: a plain number is in `unit`, a text with its own unit in that.
pub(crate) fn fen(cell: &Cell<'_>, unit: Unit) -> Result<i64, Rule> {
    match cell {
        Cell::Int(i) if *i < 0 => Err(Rule::Negative { found: *i as f64 }),
        Cell::Int(i) => to_fen(Decimal::from(i.unsigned_abs()), unit.fen()),
        Cell::Float(f) if !f.is_finite() => Err(Rule::NotFinite),
        Cell::Float(f) if *f < 0.0 => Err(Rule::Negative { found: *f }),
        // The shortest decimal that reads back as this float: the very digits a person typed
        // into the spreadsheet, for any amount of up to 15 significant digits.
        Cell::Float(f) => {
            let text = format!("{f}");
            to_fen(Decimal::parse(&text).ok_or_else(|| bad(&text))?, unit.fen())
        }
        Cell::Text(s) => text_fen(s, unit),
        Cell::Bad { reason, .. } => Err(reason.clone()),
        Cell::Empty => Err(Rule::Blank),
        other => Err(bad(&other.display())),
    }
}

fn text_fen(raw: &str, unit: Unit) -> Result<i64, Rule> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    let (negative, body) = match cleaned.strip_prefix(['-', '－', '−']) {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (value, factor) = if let Some(number) = body.strip_suffix('元') {
        (amount(number), Unit::Yuan.fen())
    } else if has_own_unit(body) {
        (amount(body), Unit::Yuan.fen())
    } else {
        (amount(body), unit.fen())
    };
    let value = value.ok_or_else(|| bad(raw))?;
    if negative {
        // The amount as typed, for the message; nothing is computed with it.
        return Err(Rule::Negative {
            found: -value.to_f64(),
        });
    }
    to_fen(value, factor)
}

/// Reads a royalty rate into basis points: `3.5%`, `3.5％` or `3.5` (a percentage either way;
/// a number cell too), at most two decimals of a percent.
pub(crate) fn rate_bp(cell: &Cell<'_>) -> Result<u32, Rule> {
    let text = match cell {
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) if !f.is_finite() => return Err(Rule::NotFinite),
        Cell::Float(f) => format_number(*f),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Bad { reason, .. } => return Err(reason.clone()),
        Cell::Empty => return Err(Rule::Blank),
        other => other.display().into_owned(),
    };
    let number = text.trim_end_matches(['%', '％']).trim();
    let number = number.strip_prefix('+').unwrap_or(number);
    if let Some(rest) = number.strip_prefix(['-', '－']) {
        let found = Decimal::parse(rest).map_or(0.0, |d| -d.to_f64());
        return Err(Rule::Negative { found });
    }
    let percent = Decimal::parse(number).ok_or_else(|| Rule::BadFormat {
        found: shown(&text),
        format: qiao_domain::Format::Number,
    })?;
    let bp = percent
        .times(100)
        .and_then(Decimal::whole)
        .ok_or_else(|| Rule::Malformed {
            detail: format!(
                "`{}`: a royalty rate has at most two decimals of a percent, e.g. 3.5% or 0.25%",
                shown(&text)
            ),
        })?;
    u32::try_from(bp).map_err(|_| Rule::OutOfRange {
        min: 1,
        max: 10_000,
        found: percent.to_f64() * 100.0,
    })
}

/// Basis points as a percentage: 350 is `3.5%`, 25 is `0.25%`, 1000 is `10%`.
pub(crate) fn rate_text(bp: u32) -> String {
    let (whole, hundredths) = (bp / 100, bp % 100);
    if hundredths == 0 {
        format!("{whole}%")
    } else {
        let places = format!("{hundredths:02}");
        format!("{whole}.{}%", places.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn t(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn plain_numbers_are_in_the_column_unit() {
        assert_eq!(fen(&t("12345678.90"), Unit::Yuan), Ok(1_234_567_890));
        assert_eq!(fen(&t("0.01"), Unit::Yuan), Ok(1));
        assert_eq!(fen(&t("12.5"), Unit::Wan), Ok(12_500_000));
        assert_eq!(fen(&t("1,200"), Unit::Yuan), Ok(120_000));
        assert_eq!(fen(&t("2"), Unit::Yi), Ok(20_000_000_000));
        assert_eq!(fen(&t("三百"), Unit::Wan), Ok(300_000_000));
        assert_eq!(fen(&Cell::Int(7), Unit::Wan), Ok(7_000_000));
    }

    #[test]
    fn a_unit_in_the_cell_overrides_the_column() {
        assert_eq!(fen(&t("50万"), Unit::Wan), Ok(50_000_000));
        assert_eq!(fen(&t("12.5万元"), Unit::Yuan), Ok(12_500_000));
        assert_eq!(fen(&t("1,200元"), Unit::Wan), Ok(120_000));
        assert_eq!(fen(&t("五十万元"), Unit::Wan), Ok(50_000_000));
        assert_eq!(fen(&t("5千"), Unit::Wan), Ok(500_000));
        assert_eq!(fen(&t("0.5 亿"), Unit::Yuan), Ok(5_000_000_000));
    }

    #[test]
    fn spreadsheet_floats_read_as_their_decimal() {
        // 12345678.9 is not exact in binary; its shortest decimal is.
        assert_eq!(
            fen(&Cell::Float(12_345_678.9), Unit::Yuan),
            Ok(1_234_567_890)
        );
        assert_eq!(fen(&Cell::Float(0.01), Unit::Yuan), Ok(1));
        assert_eq!(fen(&Cell::Float(0.07), Unit::Wan), Ok(70_000));
        assert_eq!(
            fen(&Cell::Float(9_999_999_999_999.99), Unit::Yuan),
            Ok(999_999_999_999_999)
        );
    }

    #[test]
    fn fractions_of_a_fen_round_half_up() {
        assert_eq!(fen(&t("0.005"), Unit::Yuan), Ok(1));
        assert_eq!(fen(&t("0.0049"), Unit::Yuan), Ok(0));
        assert_eq!(fen(&t("1.23456785"), Unit::Wan), Ok(1_234_568));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            fen(&t("-5"), Unit::Wan),
            Err(Rule::Negative { found: -5.0 })
        );
        assert_eq!(
            fen(&t("－5万"), Unit::Yuan),
            Err(Rule::Negative { found: -50_000.0 })
        );
        assert_eq!(
            fen(&Cell::Float(-0.5), Unit::Yuan),
            Err(Rule::Negative { found: -0.5 })
        );
        assert_eq!(fen(&t("很多"), Unit::Yuan), Err(bad("很多")));
        assert_eq!(fen(&t("元"), Unit::Yuan), Err(bad("元")));
        assert_eq!(fen(&Cell::Empty, Unit::Yuan), Err(Rule::Blank));
        assert!(matches!(
            fen(&t("10000000000000001"), Unit::Yuan),
            Err(Rule::OutOfRange { .. })
        ));
        assert!(matches!(
            fen(&t("1e30"), Unit::Yi),
            Err(Rule::OutOfRange { .. })
        ));
        // 10 万亿元, the most the domain takes, and one 分 more.
        assert_eq!(fen(&t("10000000000000"), Unit::Yuan), Ok(MAX_AMOUNT_FEN));
        assert!(matches!(
            fen(&t("10000000000000.01"), Unit::Yuan),
            Err(Rule::OutOfRange { .. })
        ));
    }

    #[test]
    fn rates_in_percent() {
        assert_eq!(rate_bp(&t("3.5%")), Ok(350));
        assert_eq!(rate_bp(&t(" 0.25 ％")), Ok(25));
        assert_eq!(rate_bp(&t("10")), Ok(1000));
        assert_eq!(rate_bp(&Cell::Float(3.5)), Ok(350));
        assert!(matches!(rate_bp(&t("3.555%")), Err(Rule::Malformed { .. })));
        assert!(matches!(rate_bp(&t("-3%")), Err(Rule::Negative { .. })));
        assert!(matches!(rate_bp(&t("三成")), Err(Rule::BadFormat { .. })));
        for bp in [1, 25, 350, 1000, 10_000, 1234] {
            assert_eq!(rate_bp(&t(&rate_text(bp))), Ok(bp), "{bp}");
        }
    }
}
