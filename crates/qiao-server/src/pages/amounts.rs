//! Amounts of money on the deal, contract and statistics pages: shown in 元 with thousands
//! separators and both decimals (as a contract or the registry's list writes them), and typed
//! in 元 the way people write them (`1,200,000`, `120万`, `2.5亿`, `3000.50`), read exactly into
//! 分. No `f64` sits between the text and the 分.

/// `fen` as 元 with thousands separators: 120000050 → `1,200,000.50 元`.
pub fn yuan(fen: i64) -> String {
    format!("{} 元", yuan_number(fen))
}

/// `fen` as a number of 元 with thousands separators and two decimals, no unit: the form's
/// value for a stored amount reads back through [`parse_fen`] to the same 分.
pub fn yuan_number(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// `fen` as people say a large amount (120万元, 2.3亿元), for charts and headlines where the
/// exact figure stands beside it.
pub fn yuan_short(fen: i64) -> String {
    qiao_domain::precheck::format_fen(fen)
}

/// An amount typed in 元 (thousands separators, a trailing 元, 万/亿 and Chinese numerals
/// allowed) as 分, rounded half up to the nearest 分; `None` for anything that is not an
/// amount, negative ones included, or one past `i64`.
pub fn parse_fen(raw: &str) -> Option<i64> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let s = s.strip_suffix('元').unwrap_or(&s);
    let yuan = qiao_numbers::amount(s)?;
    i64::try_from(yuan.times(100)?.round()).ok()
}

/// A percentage typed with up to two decimals (`12.5`, `12.5%`) as basis points (1250); `None`
/// for anything else.
pub fn parse_bp(raw: &str) -> Option<u32> {
    let s = raw.trim();
    let s = s
        .strip_suffix('%')
        .or_else(|| s.strip_suffix('％'))
        .unwrap_or(s);
    let d = qiao_numbers::Decimal::parse(s.trim())?;
    u32::try_from(d.times(100)?.round()).ok()
}

/// Basis points as a percentage without trailing zeros: 1250 → `12.5`.
pub fn percent(bp: u32) -> String {
    let (whole, rest) = (bp / 100, bp % 100);
    if rest == 0 {
        whole.to_string()
    } else if rest % 10 == 0 {
        format!("{whole}.{}", rest / 10)
    } else {
        format!("{whole}.{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_grouped_with_both_decimals() {
        assert_eq!(yuan(120_000_050), "1,200,000.50 元");
        assert_eq!(yuan(0), "0.00 元");
        assert_eq!(yuan(99), "0.99 元");
        assert_eq!(yuan(100_000), "1,000.00 元");
        assert_eq!(yuan(-123_456_789), "-1,234,567.89 元");
        assert_eq!(yuan_number(12_345_678_900), "123,456,789.00");
    }

    #[test]
    fn typed_amounts_read_exactly_into_fen() {
        assert_eq!(parse_fen("1,200,000.50"), Some(120_000_050));
        assert_eq!(parse_fen("120万"), Some(120_000_000));
        assert_eq!(parse_fen(" 2.5亿元 "), Some(25_000_000_000));
        assert_eq!(parse_fen("0.005"), Some(1));
        assert_eq!(parse_fen("五十万"), Some(50_000_000));
        assert_eq!(parse_fen("-5"), None);
        assert_eq!(parse_fen("很多"), None);
        assert_eq!(parse_fen(""), None);
        // What the form shows reads back to the same 分.
        for fen in [0, 1, 99, 100_000, 120_000_050, 987_654_321_012] {
            assert_eq!(parse_fen(&yuan_number(fen)), Some(fen));
        }
    }

    #[test]
    fn percentages_are_basis_points() {
        assert_eq!(parse_bp("12.5"), Some(1250));
        assert_eq!(parse_bp("5%"), Some(500));
        assert_eq!(parse_bp("100"), Some(10_000));
        assert_eq!(parse_bp("x"), None);
        assert_eq!(parse_bp("-1"), None);
        for bp in [0, 5, 50, 1250, 3333, 10_000] {
            assert_eq!(parse_bp(&percent(bp)), Some(bp));
        }
    }
}
