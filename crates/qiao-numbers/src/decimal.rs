//! [`Decimal`]: a non-negative number with decimal places, held exactly.
//!
//! Amounts and figures are read from text and multiplied by 万 or 亿; in `f64` that product
//! is rounded twice (`12.34565` is stored as 12.345649999…, times 10⁴ is 123456.49999…), so
//! half a yuan could round the wrong way and amounts past 2⁵³ lost their last digits. Here the
//! digits are a `u128` and the decimal places a count, and every operation is checked.

use std::cmp::Ordering;
use std::fmt;

/// The most decimal places a [`Decimal`] keeps: 10³⁸ still fits in a `u128`, so two scales
/// can always be brought to a common one without overflow.
const MAX_SCALE: u32 = 38;

/// A non-negative decimal number, exactly `units / 10^scale`. Trailing zeros after the point
/// are dropped when it is made, so equal values are equal structs (`1.50` is `1.5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: u128,
    scale: u32,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { units: 0, scale: 0 };

    /// `units / 10^scale`, or `None` past [`MAX_SCALE`] decimal places.
    fn new(mut units: u128, mut scale: u32) -> Option<Decimal> {
        while scale > 0 && units.is_multiple_of(10) {
            units /= 10;
            scale -= 1;
        }
        (scale <= MAX_SCALE).then_some(Decimal { units, scale })
    }

    /// Reads ASCII digits with at most one decimal point and an optional exponent: `4000`,
    /// `3.5`, `.5`, `5.`, `1.2e6`, `15E-1`. Commas are thousands separators wherever they
    /// stand (`4,000`), as both earlier parsers treated them. No sign, no spaces, no other
    /// character; `None` also when the digits do not fit in 38 places.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(at) => (&s[..at], Some(&s[at + 1..])),
            None => (s, None),
        };
        let (mut units, mut scale) = (0u128, 0u32);
        let (mut point, mut digits) = (false, false);
        for c in mantissa.chars() {
            match c {
                '0'..='9' => {
                    units = units
                        .checked_mul(10)?
                        .checked_add(u128::from(c as u8 - b'0'))?;
                    scale += u32::from(point);
                    digits = true;
                }
                ',' => {}
                '.' if !point => point = true,
                _ => return None,
            }
        }
        if !digits {
            return None;
        }
        let Some(exponent) = exponent else {
            return Decimal::new(units, scale);
        };
        // Written out by hand so that `e+5` and `e-5` read like Rust's own float syntax, and
        // a long exponent cannot overflow: past 10³⁸ nothing fits anyway.
        let (negative, digits) = match exponent.as_bytes().first() {
            Some(b'-') => (true, &exponent[1..]),
            Some(b'+') => (false, &exponent[1..]),
            _ => (false, exponent),
        };
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let e: u32 = digits.parse().ok()?;
        if negative {
            Decimal::new(units, scale.checked_add(e)?)
        } else if e >= scale {
            Decimal::new(units.checked_mul(10u128.checked_pow(e - scale)?)?, 0)
        } else {
            Decimal::new(units, scale - e)
        }
    }

    /// This number times `factor` (a multiplier word's 10⁴, 10⁸…), `None` on overflow.
    pub fn times(self, factor: u64) -> Option<Decimal> {
        Decimal::new(self.units.checked_mul(u128::from(factor))?, self.scale)
    }

    /// The value when it is a whole number.
    pub fn whole(self) -> Option<u128> {
        (self.scale == 0).then_some(self.units)
    }

    /// The nearest whole number, halves rounded up (12.5 → 13), as people round money.
    pub fn round(self) -> u128 {
        if self.scale == 0 {
            return self.units;
        }
        let one = 10u128.pow(self.scale);
        let (whole, part) = (self.units / one, self.units % one);
        // part * 2 >= one, without the doubling (which cannot overflow here, but need not be
        // thought about).
        if part >= one - part { whole + 1 } else { whole }
    }

    /// The nearest `f64`, for values that are reported rather than computed with (a
    /// document's figures). Whole values convert directly (`as` rounds to nearest); others
    /// go through Rust's own decimal reader, which rounds correctly. (`qiao-docs` divided two
    /// `f64`s, which rounds twice once the digits pass 2⁵³: 52362443071300.03801 came out as
    /// …300.03125 instead of …300.0390625.)
    pub fn to_f64(self) -> f64 {
        if self.scale == 0 {
            return self.units as f64;
        }
        self.to_string()
            .parse()
            .expect("plain decimal notation is valid float syntax")
    }
}

impl From<u64> for Decimal {
    fn from(n: u64) -> Decimal {
        Decimal {
            units: u128::from(n),
            scale: 0,
        }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let (one_a, one_b) = (10u128.pow(self.scale), 10u128.pow(other.scale));
        (self.units / one_a)
            .cmp(&(other.units / one_b))
            .then_with(|| {
                // The fractional parts at the longer scale: each is below 10^scale ≤ 10³⁸.
                let scale = self.scale.max(other.scale);
                let a = (self.units % one_a) * 10u128.pow(scale - self.scale);
                let b = (other.units % one_b) * 10u128.pow(scale - other.scale);
                a.cmp(&b)
            })
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Plain decimal notation, every digit kept: `123456.5`, `0.00015`.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let one = 10u128.pow(self.scale);
        let places = self.scale as usize;
        write!(f, "{}.{:0places$}", self.units / one, self.units % one)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Decimal;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn reads_what_people_write() {
        assert_eq!(d("4,000"), Decimal::from(4000));
        assert_eq!(d("3.50"), d("3.5"));
        assert_eq!(d(".5").to_string(), "0.5");
        assert_eq!(d("5."), Decimal::from(5));
        assert_eq!(d("1.2e6"), Decimal::from(1_200_000));
        assert_eq!(d("15E-1").to_string(), "1.5");
        assert_eq!(d("2.5e+1"), Decimal::from(25));
        for bad in [
            "", ".", "-5", "+5", "1.2.3", "1 000", "e5", "1e", "1e+", "1x", "１",
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad:?}");
        }
        // 39 digits do not fit; neither do 39 decimal places.
        assert_eq!(Decimal::parse(&"9".repeat(40)), None);
        assert_eq!(Decimal::parse("1e-39"), None);
        assert_eq!(Decimal::parse("1e39"), None);
    }

    #[test]
    fn rounds_halves_up_exactly() {
        // 12.34565 × 10⁴ = 123456.5 exactly; in f64 the product is 123456.49999…
        assert_eq!(
            d("12.34565").times(10_000).map(Decimal::round),
            Some(123_457)
        );
        assert_eq!(d("0.49999999999999999999").round(), 0);
        assert_eq!(d("0.5").round(), 1);
        assert_eq!(d("2.5").round(), 3);
        assert_eq!(d("7").round(), 7);
        // The nearest f64 is 52362443071300.0390625 (printed .04); two f64s divided gave .03125.
        assert_eq!(d("52362443071300.03801").to_f64(), 52_362_443_071_300.04);
        assert_eq!(d("0.15").to_f64(), 0.15);
        assert_eq!(
            d("3.5").times(100_000_000).and_then(Decimal::whole),
            Some(350_000_000)
        );
        assert_eq!(d("3.5").whole(), None);
    }

    #[test]
    fn orders_by_value() {
        assert!(d("1.05") < d("1.5"));
        assert!(d("2") > d("1.99999"));
        assert!(d("300") < d("500"));
        assert_eq!(d("0.10").cmp(&d("0.1")), std::cmp::Ordering::Equal);
    }

    proptest! {
        #[test]
        fn never_panics(s in "[0-9.,eE+-]{0,45}", factor in any::<u64>()) {
            if let Some(x) = Decimal::parse(&s) {
                let _ = x.round();
                let _ = x.to_f64();
                let _ = x.times(factor);
                let _ = x.to_string();
            }
        }

        #[test]
        fn display_reads_back(units in any::<u64>(), scale in 0u32..20) {
            let x = Decimal::new(u128::from(units), scale).expect("in range");
            prop_assert_eq!(Decimal::parse(&x.to_string()), Some(x));
        }

        #[test]
        fn order_agrees_with_integers(a in any::<u64>(), b in any::<u64>(), sa in 0u32..10, sb in 0u32..10) {
            // a / 10^sa against b / 10^sb, compared as a · 10^sb against b · 10^sa.
            let x = Decimal::new(u128::from(a), sa).expect("in range");
            let y = Decimal::new(u128::from(b), sb).expect("in range");
            let expected = (u128::from(a) * 10u128.pow(sb)).cmp(&(u128::from(b) * 10u128.pow(sa)));
            prop_assert_eq!(x.cmp(&y), expected);
        }
    }
}
