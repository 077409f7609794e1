//! Amounts of money as people write them: `500000`, `50万`, `50万元`, `2.3亿`, `1,200元`,
//! `五十万元`.
//!
//! Qiao stores amounts as whole yuan (`i64`), which is exact and big enough for any contract.
//! Reading one is `qiao_numbers::amount`, the exact reader the documents' figures use too: no
//! `f64` between the text and the yuan, so `12.34565万` is 123457 yuan (123456.5 rounded up,
//! where the product in `f64` was 123456.49999…) and 9007199254740993 keeps its last digit.

/// Parses an amount in yuan: a number (digits, a decimal, Chinese numerals) with an optional
/// multiplier (万 10⁴, 亿 10⁸, 千, 百万, 千万, 万亿…), a trailing 元 and thousands separators,
/// rounded to the nearest yuan (halves up). Returns `None` for anything else, negative amounts
/// and amounts past `i64::MAX` included.
pub fn parse_yuan(raw: &str) -> Option<i64> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let s = s.strip_suffix('元').unwrap_or(&s);
    i64::try_from(qiao_numbers::amount(s)?.round()).ok()
}

/// Whole yuan as people read them: 500000 → 50万元, 230000000 → 2.3亿元. In integers, so every
/// amount reads back exactly through [`parse_yuan`].
pub fn format_yuan(n: i64) -> String {
    let abs = n.unsigned_abs();
    // What is left below the unit is a whole number of hundredths of it (1,000,000 yuan in 亿,
    // 100 yuan in 万): at most two decimal places, trailing zeros dropped.
    let (unit, one) = if abs >= 100_000_000 && abs.is_multiple_of(1_000_000) {
        ("亿元", 100_000_000)
    } else if abs >= 10_000 && abs.is_multiple_of(100) {
        ("万元", 10_000)
    } else {
        return format!("{n}元");
    };
    let sign = if n < 0 { "-" } else { "" };
    let (whole, hundredths) = (abs / one, abs % one / (one / 100));
    if hundredths == 0 {
        format!("{sign}{whole}{unit}")
    } else {
        let places = format!("{hundredths:02}");
        format!("{sign}{whole}.{}{unit}", places.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{format_yuan, parse_yuan};

    /// `parse_yuan` as it was before it read through `qiao_numbers` (through `f64`), kept as
    /// the oracle the exact reader must agree with wherever the old one was exact.
    fn old_parse_yuan(raw: &str) -> Option<i64> {
        let mut s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        if let Some(stripped) = s.strip_suffix('元') {
            s = stripped.trim_end().to_string();
        }
        let (number, factor) = if let Some(n) = s.strip_suffix("万亿") {
            (n, 1e12)
        } else if let Some(n) = s.strip_suffix('亿') {
            (n, 1e8)
        } else if let Some(n) = s.strip_suffix('万') {
            (n, 1e4)
        } else {
            (s.as_str(), 1.0)
        };
        let number = number.trim();
        if number.is_empty() || number.starts_with('-') {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let yuan = (value * factor).round();
        (0.0..9.0e18).contains(&yuan).then_some(yuan as i64)
    }

    #[test]
    fn amounts_read_back() {
        assert_eq!(format_yuan(500_000), "50万元");
        assert_eq!(format_yuan(230_000_000), "2.3亿元");
        assert_eq!(format_yuan(1_234), "1234元");
        assert_eq!(format_yuan(12_345_600), "1234.56万元");
        assert_eq!(format_yuan(-230_000_000), "-2.3亿元");
        assert_eq!(format_yuan(-5), "-5元");
        for n in [500_000, 230_000_000, 1_234, 12_345_600] {
            assert_eq!(parse_yuan(&format_yuan(n)), Some(n));
        }
    }

    #[test]
    fn chinese_multipliers() {
        assert_eq!(parse_yuan("500000"), Some(500_000));
        assert_eq!(parse_yuan("50万"), Some(500_000));
        assert_eq!(parse_yuan("50 万元"), Some(500_000));
        assert_eq!(parse_yuan("2.3亿"), Some(230_000_000));
        assert_eq!(parse_yuan("1,200元"), Some(1200));
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("万"), None);
        assert_eq!(parse_yuan("abc"), None);
        // Chinese numerals and the compound multipliers amounts are written with.
        assert_eq!(parse_yuan("五十万元"), Some(500_000));
        assert_eq!(parse_yuan("1.5千万元"), Some(15_000_000));
    }

    /// Where the product in `f64` fell on the wrong side of half a yuan, or past 2⁵³ lost
    /// the last digits: the old reader's answers, and the exact ones.
    #[test]
    fn exact_where_f64_was_not() {
        let cases = [
            // 123456.5 yuan: 12.34565 is 12.345649999… in f64.
            ("12.34565万", 123_456, 123_457),
            // 14.5 yuan.
            ("0.00145万", 14, 15),
            ("0.00015万元", 1, 2),
            // 2⁵³ + 1: f64 has no such number.
            (
                "9007199254740993",
                9_007_199_254_740_992,
                9_007_199_254_740_993,
            ),
            (
                "90071992.54740993亿元",
                9_007_199_254_740_994,
                9_007_199_254_740_993,
            ),
        ];
        for (text, old, exact) in cases {
            assert_eq!(old_parse_yuan(text), Some(old), "{text}");
            assert_eq!(parse_yuan(text), Some(exact), "{text}");
        }
        // The whole range of i64, which f64 cut off at 9·10¹⁸.
        assert_eq!(parse_yuan("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_yuan("9223372036854775808"), None);
    }

    /// Renders `yuan` as a decimal of the multiplier's unit (123456 yuan as 12.3456万), with
    /// the separators and spaces people type.
    fn written(yuan: u64, unit: usize, commas: bool, suffix: bool, spaces: bool) -> String {
        let (word, one) = [("", 1u64), ("万", 10_000), ("亿", 100_000_000)][unit];
        let (whole, part) = (yuan / one, yuan % one);
        let mut digits = whole.to_string();
        if commas {
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            digits = grouped;
        }
        if part > 0 {
            let places = one.ilog10() as usize;
            digits = format!("{digits}.{part:0places$}");
        }
        let gap = if spaces { " " } else { "" };
        let yuan_sign = if suffix { "元" } else { "" };
        format!("{gap}{digits}{gap}{word}{gap}{yuan_sign}{gap}")
    }

    proptest! {
        /// Below 2⁵⁰ yuan the old reader was exact on whole amounts: a decimal of at most 8
        /// places times 10⁴ or 10⁸ is off by less than a quarter of a yuan in `f64` there, so
        /// its rounding found the right yuan. The two readers must then agree.
        #[test]
        fn agrees_with_the_old_reader_where_it_was_exact(
            yuan in 0u64..(1 << 50),
            unit in 0usize..3,
            commas: bool,
            suffix: bool,
            spaces: bool,
        ) {
            let text = written(yuan, unit, commas, suffix, spaces);
            prop_assert_eq!(old_parse_yuan(&text), Some(yuan as i64), "{}", text);
            prop_assert_eq!(parse_yuan(&text), Some(yuan as i64), "{}", text);
        }

        #[test]
        fn every_amount_reads_back(n in 0i64..=i64::MAX) {
            prop_assert_eq!(parse_yuan(&format_yuan(n)), Some(n));
        }
    }
}
