//! Numbers as Chinese documents write them: `230`, `3.5`, `4,000`, `二百三十`, `两千`,
//! `二〇二三`, with the multipliers 百/千/万/亿 (and 万亿).
//!
//! Integer arithmetic where it can be exact (3.5亿 is 350000000, not 349999999.99…), checked
//! so that no input overflows.

/// The value of one Chinese digit (两 and 〇 included).
fn digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The factor of a multiplier word: 十 10, 百 100, 千 1000, 万 10⁴, 亿 10⁸, 万亿 10¹².
pub fn multiplier(word: &str) -> Option<u64> {
    Some(match word {
        "十" => 10,
        "百" => 100,
        "千" => 1_000,
        "万" => 10_000,
        "亿" => 100_000_000,
        "万亿" => 1_000_000_000_000,
        _ => return None,
    })
}

/// A Chinese numeral written with place words: 二百三十亿 → 23000000000, 十五 → 15,
/// 一百一十二 → 112, 两千零五 → 2005. `None` for anything else (including digit strings like
/// 二〇二三, which [`chinese_digits`] reads).
pub fn chinese_integer(s: &str) -> Option<u64> {
    let (mut yi, mut wan, mut small) = (0u64, 0u64, 0u64);
    let mut pending: Option<u64> = None;
    let mut any = false;
    for c in s.chars() {
        any = true;
        if let Some(d) = digit(c) {
            if d == 0 {
                pending = None;
                continue;
            }
            if pending.is_some() {
                return None;
            }
            pending = Some(d);
            continue;
        }
        match c {
            '十' | '百' | '千' => {
                let unit = multiplier(c.encode_utf8(&mut [0; 4]))?;
                small = small.checked_add(pending.unwrap_or(1).checked_mul(unit)?)?;
                pending = None;
            }
            '万' => {
                let part = small.checked_add(pending.unwrap_or(0))?;
                wan = wan.checked_add(
                    part.max(u64::from(part == 0 && wan == 0))
                        .checked_mul(10_000)?,
                )?;
                small = 0;
                pending = None;
            }
            '亿' => {
                let part = wan.checked_add(small)?.checked_add(pending.unwrap_or(0))?;
                yi = yi.checked_add(part.max(1).checked_mul(100_000_000)?)?;
                wan = 0;
                small = 0;
                pending = None;
            }
            _ => return None,
        }
    }
    if !any {
        return None;
    }
    yi.checked_add(wan)?
        .checked_add(small)?
        .checked_add(pending.unwrap_or(0))
}

/// Chinese digits read one by one: 二〇二三 → 2023.
pub fn chinese_digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.chars()
        .try_fold(0u64, |acc, c| acc.checked_mul(10)?.checked_add(digit(c)?))
}

/// A decimal in ASCII digits (`4,000`, `3.5`) times `factor`, exact when the result is whole.
pub fn decimal_times(s: &str, factor: u64) -> Option<f64> {
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
        Some((whole / scale) as f64)
    } else {
        Some(whole as f64 / scale as f64)
    }
}

/// A number in digits or Chinese numerals, times `factor`.
pub fn value(s: &str, factor: u64) -> Option<f64> {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return decimal_times(s, factor);
    }
    let n = chinese_integer(s).or_else(|| chinese_digits(s))?;
    Some(n.checked_mul(factor)? as f64)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_integer("二百三十亿"), Some(23_000_000_000));
        assert_eq!(chinese_integer("十五"), Some(15));
        assert_eq!(chinese_integer("一百一十二"), Some(112));
        assert_eq!(chinese_integer("两千零五"), Some(2005));
        assert_eq!(chinese_integer("三万五千"), Some(35_000));
        assert_eq!(chinese_integer("一万亿"), Some(1_000_000_000_000));
        assert_eq!(chinese_integer("十万"), Some(100_000));
        assert_eq!(chinese_integer("二〇二三"), None);
        assert_eq!(chinese_digits("二〇二三"), Some(2023));
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal_times("3.5", 100_000_000), Some(350_000_000.0));
        assert_eq!(decimal_times("1.2", 10_000), Some(12_000.0));
        assert_eq!(decimal_times("4,000", 1), Some(4000.0));
        assert_eq!(decimal_times("0.15", 1), Some(0.15));
        assert_eq!(value("230", 100_000_000), Some(23_000_000_000.0));
    }

    proptest! {
        #[test]
        fn never_panics(s in "[〇零一二两三四五六七八九十百千万亿0-9.,]{0,40}") {
            let _ = chinese_integer(&s);
            let _ = chinese_digits(&s);
            let _ = value(&s, 100_000_000);
        }
    }
}
