//! Amounts of money as people write them: `500000`, `50万`, `50万元`, `2.3亿`, `1,200元`.
//!
//! Qiao stores amounts as whole yuan (`i64`), which is exact and big enough for any contract.

/// Parses an amount in yuan, accepting the 万 (10⁴) and 亿 (10⁸) multipliers, a trailing 元 and
/// thousands separators. Returns `None` for anything else (negative amounts included).
pub fn parse_yuan(raw: &str) -> Option<i64> {
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

/// Whole yuan as people read them: 500000 → 50万元, 230000000 → 2.3亿元.
pub fn format_yuan(n: i64) -> String {
    if n.abs() >= 100_000_000 && n % 1_000_000 == 0 {
        format!("{}亿元", n as f64 / 1e8)
    } else if n.abs() >= 10_000 && n % 100 == 0 {
        format!("{}万元", n as f64 / 1e4)
    } else {
        format!("{n}元")
    }
}

#[cfg(test)]
mod tests {
    use super::{format_yuan, parse_yuan};

    #[test]
    fn amounts_read_back() {
        assert_eq!(format_yuan(500_000), "50万元");
        assert_eq!(format_yuan(230_000_000), "2.3亿元");
        assert_eq!(format_yuan(1_234), "1234元");
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
    }
}
