//! Chinese numerals: with place words (二百三十, 两千零五, 三亿五千万) and digit by digit
//! (二〇二三). Moved here from `qiao-docs` unchanged, so documents and forms read them alike.

use crate::multiplier;

/// The value of one Chinese digit (两 and 〇 included).
pub(crate) fn digit(c: char) -> Option<u64> {
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

#[cfg(test)]
mod tests {
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
        assert_eq!(chinese_integer("三亿五千万"), Some(350_000_000));
        assert_eq!(chinese_integer("二〇二三"), None);
        assert_eq!(chinese_digits("二〇二三"), Some(2023));
    }
}
