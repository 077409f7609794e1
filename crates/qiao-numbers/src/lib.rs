//! Numbers as Chinese texts and forms write them, read exactly: `230`, `3.5`, `4,000`,
//! `二百三十`, `两千`, `二〇二三`, with the multipliers 百/千/万/亿 (and 万亿, 千万…).
//!
//! Two parts of Qiao read such numbers: the domain (an amount in yuan typed into a form or a
//! spreadsheet cell, `qiao_domain::money::parse_yuan`) and the documents (a figure of a policy
//! text, `qiao_docs::figures`). They used to do it twice, the documents exactly and the domain
//! through `f64`, so that `12.34565万` became 123456 yuan instead of 123457 and amounts past
//! 2⁵³ lost their last digits. One parser serves both now, and it lives in a crate of its own
//! because no existing crate sits under both: the documents know no records (`qiao-docs`
//! stands on `qiao-text` alone), and putting it in `qiao-text` would make the domain, and every
//! crate above it, wait for jieba's dictionary and OpenCC's tables to compile in order to read
//! "50万". This crate has no dependencies, so being under both costs nothing.
//!
//! All arithmetic is on integers ([`Decimal`]: the digits as a `u128` and the count of decimal
//! places), checked so that no input overflows or panics. `f64` appears only where a caller
//! asks for one ([`Decimal::to_f64`]), once the value is exact.
//!
//! ```
//! use qiao_numbers::{Decimal, amount, value};
//! assert_eq!(amount("2.3亿").and_then(Decimal::whole), Some(230_000_000));
//! assert_eq!(amount("五十万").and_then(Decimal::whole), Some(500_000));
//! assert_eq!(amount("12.34565万").map(Decimal::round), Some(123_457));
//! assert_eq!(value("两千", 10_000).and_then(Decimal::whole), Some(20_000_000));
//! ```

mod chinese;
mod decimal;

pub use chinese::{chinese_digits, chinese_integer};
pub use decimal::Decimal;

/// The factor of a multiplier word: 十 10, 百 100, 千 1000, 万 10⁴, 亿 10⁸, 万亿 10¹², and the
/// compounds amounts are written with (百万, 千万, 百亿, 千亿).
pub fn multiplier(word: &str) -> Option<u64> {
    Some(match word {
        "十" => 10,
        "百" => 100,
        "千" => 1_000,
        "万" => 10_000,
        "百万" => 1_000_000,
        "千万" => 10_000_000,
        "亿" => 100_000_000,
        "百亿" => 10_000_000_000,
        "千亿" => 100_000_000_000,
        "万亿" => 1_000_000_000_000,
        _ => return None,
    })
}

/// The multiplier words an amount may end with, longest first (so 千万 is not read as 万).
const AMOUNT_MULTIPLIERS: [&str; 9] = [
    "万亿", "千万", "百万", "千亿", "百亿", "亿", "万", "千", "百",
];

/// A number in ASCII digits (`4,000`, `3.5`) or Chinese numerals (`二百三十`, `二〇二三`),
/// times `factor`: what a document's figure is once its multiplier word is known (230 and 亿).
/// Digits must come first for a decimal (`.5` is not read here); `None` for anything else.
pub fn value(s: &str, factor: u64) -> Option<Decimal> {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Decimal::parse(s)?.times(factor);
    }
    let n = chinese_integer(s).or_else(|| chinese_digits(s))?;
    Decimal::from(n).times(factor)
}

/// An amount as people type it into a form or a cell: a number and an optional multiplier
/// word, with spaces around them allowed: `500000`, `50 万`, `2.3亿`, `1.5千万`, `.5万`, `+5`,
/// `1.2e6`, `五十万`, `三亿五千万`. Units (元) and separators other than commas inside the
/// digits are the caller's to remove. `None` for anything else, negative numbers included.
pub fn amount(s: &str) -> Option<Decimal> {
    let s = s.trim();
    // A Chinese numeral carries its multipliers inside (三亿五千万); a multiplier word alone
    // (万) is no amount, though the numeral reader would take it for one.
    if s.chars().any(|c| c == '十' || chinese::digit(c).is_some())
        && let Some(n) = chinese_integer(s)
    {
        return Some(Decimal::from(n));
    }
    let (number, factor) = AMOUNT_MULTIPLIERS
        .iter()
        .find_map(|w| Some((s.strip_suffix(w)?, multiplier(w)?)))
        .unwrap_or((s, 1));
    let number = number.trim_end();
    // A plus sign is accepted because Rust's float syntax, which read amounts before, did.
    let number = number.strip_prefix('+').unwrap_or(number);
    if number.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        Decimal::parse(number)?.times(factor)
    } else {
        value(number, factor)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn whole(d: Option<Decimal>) -> Option<u128> {
        d.and_then(Decimal::whole)
    }

    #[test]
    fn amounts_with_multipliers() {
        assert_eq!(whole(amount("500000")), Some(500_000));
        assert_eq!(whole(amount(" 50 万 ")), Some(500_000));
        assert_eq!(whole(amount("2.3亿")), Some(230_000_000));
        assert_eq!(whole(amount("1.5千万")), Some(15_000_000));
        assert_eq!(whole(amount("3百万")), Some(3_000_000));
        assert_eq!(whole(amount("2万亿")), Some(2_000_000_000_000));
        assert_eq!(whole(amount("5千")), Some(5_000));
        assert_eq!(whole(amount(".5万")), Some(5_000));
        assert_eq!(whole(amount("+5")), Some(5));
        assert_eq!(whole(amount("1.2e6")), Some(1_200_000));
        assert_eq!(whole(amount("五十万")), Some(500_000));
        assert_eq!(whole(amount("三亿五千万")), Some(350_000_000));
        assert_eq!(whole(amount("两千 万")), Some(20_000_000));
        assert_eq!(whole(amount("十")), Some(10));
        for bad in [
            "", "万", "亿", "万亿", "-5", "+-5", "- 5", "abc", "5 0万", "inf", "NaN", "5元",
        ] {
            assert_eq!(amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn figures_read_as_before() {
        assert_eq!(
            value("3.5", 100_000_000).map(Decimal::to_f64),
            Some(350_000_000.0)
        );
        assert_eq!(value("1.2", 10_000).map(Decimal::to_f64), Some(12_000.0));
        assert_eq!(value("4,000", 1).map(Decimal::to_f64), Some(4000.0));
        assert_eq!(value("0.15", 1).map(Decimal::to_f64), Some(0.15));
        assert_eq!(
            value("230", 100_000_000).map(Decimal::to_f64),
            Some(23_000_000_000.0)
        );
        assert_eq!(value("二〇二三", 1).map(Decimal::to_f64), Some(2023.0));
        assert_eq!(
            value("二百三十", 10_000).map(Decimal::to_f64),
            Some(2_300_000.0)
        );
        assert_eq!(value(".5", 1), None);
    }

    /// `qiao-docs`' reader of ASCII decimals as it was before this crate (`numbers.rs`), kept
    /// as the oracle the shared one must agree with, and whether its answer was exact: its
    /// digits were exact integers, but a fraction was the quotient of two `f64`s, correctly
    /// rounded only while the digits stayed below 2⁵³.
    fn old_decimal_times(s: &str, factor: u64) -> Option<(f64, bool)> {
        let s: String = s.chars().filter(|&c| c != ',').collect();
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let digits = format!("{int}{frac}");
        let mantissa: u128 = digits.parse().ok()?;
        let scale = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        let whole = mantissa.checked_mul(u128::from(factor))?;
        if whole % scale == 0 {
            Some(((whole / scale) as f64, true))
        } else {
            Some((whole as f64 / scale as f64, whole < 1 << 53))
        }
    }

    proptest! {
        /// On every number the documents' pattern captures (digits, thousands groups, one
        /// decimal part) and every multiplier it knows, the value is the same `f64` as before
        /// wherever the old reader was exact (it too multiplied integers; only its last
        /// division could round twice).
        #[test]
        fn figures_agree_with_the_old_reader(
            int in "[1-9][0-9]{0,11}(,[0-9]{3}){0,2}",
            frac in proptest::option::of("[0-9]{1,8}"),
            factor in proptest::sample::select(vec![1u64, 100, 1_000, 10_000, 100_000_000, 1_000_000_000_000]),
        ) {
            let s = match &frac {
                Some(f) => format!("{int}.{f}"),
                None => int.clone(),
            };
            let (old, exact) = old_decimal_times(&s, factor).expect("the old reader read it");
            prop_assume!(exact);
            prop_assert_eq!(value(&s, factor).map(Decimal::to_f64), Some(old));
        }

        #[test]
        fn never_panics(s in "[〇零一二两三四五六七八九十百千万亿0-9.,+eE -]{0,40}") {
            let _ = chinese_integer(&s);
            let _ = chinese_digits(&s);
            let _ = value(&s, 100_000_000);
            let _ = amount(&s);
        }
    }
}
