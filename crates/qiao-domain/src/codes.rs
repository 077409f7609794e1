//! Identifiers with check rules: 统一社会信用代码, IPC classes and industry codes.

/// The 31 characters a 统一社会信用代码 may use (GB 32100-2015): digits and capitals without
/// I, O, Z, S and V, in the order that gives each its value.
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17 (3^(i-1) mod 31).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a 统一社会信用代码 was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters.
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    /// A character outside the code's alphabet.
    #[error(
        "character `{ch}` at position {pos} is not allowed (digits and capitals except I, O, Z, S, V)"
    )]
    Character {
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        pos: usize,
    },
    /// The last character does not match the first seventeen.
    #[error("has a wrong check character `{found}` (expected `{expected}`)")]
    Check {
        /// What the code ends with.
        found: char,
        /// What GB 32100-2015 computes from the first 17 characters.
        expected: char,
    },
}

impl CreditCodeError {
    /// The rule the code `raw` breaks, naming it as given (trimmed, upper-cased).
    pub fn rule(&self, raw: &str) -> crate::Rule {
        let value = raw.trim().to_ascii_uppercase();
        match *self {
            CreditCodeError::Length(found) => crate::Rule::WrongLength {
                value,
                expected: 18,
                found,
            },
            CreditCodeError::Character { ch, pos } => crate::Rule::WrongCharacter {
                value,
                found: ch,
                at: pos,
            },
            CreditCodeError::Check { found, expected } => crate::Rule::WrongCheckCharacter {
                value,
                found,
                expected,
            },
        }
    }
}

/// The check character GB 32100-2015 computes for the first 17 characters of a code.
/// Returns `None` when any of them is outside the alphabet.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, b) in first17.bytes().take(17).enumerate() {
        let v = USCC_CHARSET.iter().position(|&c| c == b)? as u32;
        sum += v * USCC_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_CHARSET[check as usize] as char)
}

/// Normalises (trims, upper-cases) and verifies a 统一社会信用代码.
pub fn parse_credit_code(raw: &str) -> Result<String, CreditCodeError> {
    let code: String = raw.trim().to_ascii_uppercase();
    let n = code.chars().count();
    if n != 18 {
        return Err(CreditCodeError::Length(n));
    }
    for (i, ch) in code.chars().enumerate() {
        if !ch.is_ascii() || !USCC_CHARSET.contains(&(ch as u8)) {
            return Err(CreditCodeError::Character { ch, pos: i + 1 });
        }
    }
    let expected = credit_code_check_char(&code[..17]).expect("alphabet checked above");
    let found = code.as_bytes()[17] as char;
    if found != expected {
        return Err(CreditCodeError::Check { found, expected });
    }
    Ok(code)
}

/// Checks an IPC class such as `H01M 10/613`, `H01M10/613` or the subclass `H01M`,
/// returning it in the canonical spaced form.
pub fn parse_ipc(raw: &str) -> Option<String> {
    let s: String = raw.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    if b.len() < 4
        || !(b'A'..=b'H').contains(&b[0])
        || !b[1].is_ascii_digit()
        || !b[2].is_ascii_digit()
        || !b[3].is_ascii_uppercase()
    {
        return None;
    }
    let rest = s[4..].trim();
    if rest.is_empty() {
        return Some(s[..4].to_string());
    }
    let (group, sub) = rest.split_once('/')?;
    let group_ok = (1..=4).contains(&group.len()) && group.bytes().all(|c| c.is_ascii_digit());
    let sub_ok = (2..=6).contains(&sub.len()) && sub.bytes().all(|c| c.is_ascii_digit());
    (group_ok && sub_ok).then(|| format!("{} {group}/{sub}", &s[..4]))
}

/// Checks an industry code of GB/T 4754-2017: a section letter A–T, optionally followed by a
/// division (2 digits), group (3) or class (4), e.g. `C`, `C35`, `C356`, `C3562`.
pub fn parse_industry_code(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && (b'A'..=b'T').contains(&b[0])
        && matches!(b.len(), 1 | 3 | 4 | 5)
        && b[1..].iter().all(|c| c.is_ascii_digit());
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_code_check_character_follows_the_standard() {
        // The worked example of GB 32100-2015's appendix and a Shanghai enterprise code.
        assert_eq!(
            parse_credit_code("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            parse_credit_code(" 91350100m000100y43 "),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            parse_credit_code("91350100M000100Y44"),
            Err(CreditCodeError::Check {
                found: '4',
                expected: '3'
            })
        );
        assert_eq!(parse_credit_code("9135"), Err(CreditCodeError::Length(4)));
        assert_eq!(
            parse_credit_code("91350100M000100I43"),
            Err(CreditCodeError::Character { ch: 'I', pos: 16 })
        );
    }

    #[test]
    fn every_single_character_change_is_caught() {
        let good = "91350100M000100Y43";
        for pos in 0..17 {
            for &c in USCC_CHARSET {
                let mut b = good.as_bytes().to_vec();
                if b[pos] == c {
                    continue;
                }
                b[pos] = c;
                let s = String::from_utf8(b).unwrap();
                assert!(parse_credit_code(&s).is_err(), "{s} should fail");
            }
        }
    }

    #[test]
    fn ipc_and_industry_codes() {
        assert_eq!(parse_ipc("h01m10/613").as_deref(), Some("H01M 10/613"));
        assert_eq!(parse_ipc("G06F 16/33").as_deref(), Some("G06F 16/33"));
        assert_eq!(parse_ipc("G06N").as_deref(), Some("G06N"));
        assert_eq!(parse_ipc("Z06F 16/33"), None);
        assert_eq!(parse_ipc("G06F 16/3"), None);
        assert_eq!(parse_industry_code("c3562").as_deref(), Some("C3562"));
        assert_eq!(parse_industry_code("I65").as_deref(), Some("I65"));
        assert_eq!(parse_industry_code("U12"), None);
        assert_eq!(parse_industry_code("C35621"), None);
    }
}
