//! The valuation's two charts, drawn on the server as SVG like `/statistics`' (no script):
//! the three approaches' ranges on one axis with the proposed price marked, and the tornado
//! of which inputs move the value most. Geometry in integers of a 640-unit-wide viewBox; the
//! template writes it out, every label escaped. A table beside each gives the same figures.

use qiao_domain::valuation::{Bar, Range};

use super::Lang;

/// Where the plot starts (labels on the left) and how wide it is.
const LEFT: i64 = 150;
const PLOT: i64 = 440;
const ROW: i64 = 44;
/// The tornado's viewBox is wider than the ranges chart's: a bar reaching the right edge of
/// the plot still has its "low … high" figures written after it.
const TORNADO_WIDTH: i64 = LEFT + PLOT + 170;

/// One approach's range.
#[derive(Debug, Clone)]
pub struct RangeRow {
    /// Top of the row.
    pub y: i64,
    /// The approach's name.
    pub label: String,
    /// The range's ends and the point, in viewBox units.
    pub x_low: i64,
    /// Right end.
    pub x_high: i64,
    /// The point value.
    pub x_point: i64,
    /// Width of the range (at least 2, so a point range shows).
    pub width: i64,
    /// "low – high (point)".
    pub text: String,
    /// A colour class per approach.
    pub class: &'static str,
}

/// The ranges chart.
#[derive(Debug, Clone)]
pub struct RangeChart {
    /// ViewBox height.
    pub height: i64,
    /// The rows, income, cost, market.
    pub rows: Vec<RangeRow>,
    /// The proposed price's line and label.
    pub proposed: Option<(i64, String)>,
    /// Axis ticks: x and label.
    pub ticks: Vec<(i64, String)>,
    /// The bottom of the plot (for the proposed price's line).
    pub bottom: i64,
}

fn x_of(value: i64, max: i64) -> i64 {
    if max <= 0 {
        return LEFT;
    }
    LEFT + (i128::from(value.max(0)) * i128::from(PLOT) / i128::from(max)) as i64
}

/// An amount of 分 in 万元, short.
pub fn wan(fen: i64) -> String {
    let w = fen as f64 / 1_000_000.0;
    if w.abs() >= 100.0 {
        format!("{w:.0}万")
    } else {
        format!("{w:.1}万")
    }
}

/// The chart of `ranges` with `proposed` marked.
pub fn ranges(l: Lang, ranges: &[Range], proposed: Option<i64>) -> RangeChart {
    let max = ranges
        .iter()
        .map(|r| r.high_fen)
        .chain(proposed)
        .max()
        .unwrap_or(0);
    // Head room so the largest end is not on the frame.
    let max = max + max / 10;
    let rows: Vec<RangeRow> = ranges
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (label, class) = match r.approach {
                "income" => (l.t("收益法 Income", "Income"), "income"),
                "cost" => (l.t("成本法 Cost", "Cost"), "cost"),
                _ => (l.t("市场法 Market", "Market"), "market"),
            };
            let (x_low, x_high) = (x_of(r.low_fen, max), x_of(r.high_fen, max));
            RangeRow {
                y: 24 + i as i64 * ROW,
                label: label.to_string(),
                x_low,
                x_high,
                x_point: x_of(r.point_fen, max),
                width: (x_high - x_low).max(2),
                text: format!(
                    "{} – {} ({})",
                    wan(r.low_fen),
                    wan(r.high_fen),
                    wan(r.point_fen)
                ),
                class,
            }
        })
        .collect();
    let bottom = 24 + rows.len().max(1) as i64 * ROW;
    let ticks = (0..=4)
        .map(|k| {
            let v = max / 4 * k;
            (x_of(v, max), wan(v))
        })
        .collect();
    RangeChart {
        height: bottom + 28,
        proposed: proposed.map(|p| {
            (
                x_of(p, max),
                format!("{} {}", l.t("拟议价格", "proposed"), wan(p)),
            )
        }),
        rows,
        ticks,
        bottom,
    }
}

/// One tornado bar.
#[derive(Debug, Clone)]
pub struct TornadoRow {
    /// Top of the row.
    pub y: i64,
    /// The input.
    pub label: String,
    /// Left edge and width.
    pub x: i64,
    /// Width (at least 1).
    pub width: i64,
    /// "−x %: … / +x %: …".
    pub text: String,
}

/// The tornado chart.
#[derive(Debug, Clone)]
pub struct Tornado {
    /// ViewBox width.
    pub width: i64,
    /// ViewBox height.
    pub height: i64,
    /// Where the base value stands.
    pub centre: i64,
    /// The bars, widest first.
    pub rows: Vec<TornadoRow>,
}

/// The tornado of the widest `at_most` bars: each bar spans the value with the input lowered
/// and raised, around the base value at the centre; the scale is the widest swing.
pub fn tornado(l: Lang, bars: &[Bar], at_most: usize) -> Tornado {
    let shown: Vec<&Bar> = bars.iter().take(at_most).collect();
    let reach = shown
        .iter()
        .map(|b| {
            (b.minus_fen - b.base_fen)
                .abs()
                .max((b.plus_fen - b.base_fen).abs())
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let half = PLOT / 2;
    let centre = LEFT + half;
    let at = |v: i64, base: i64| {
        centre + (i128::from(v - base) * i128::from(half) / i128::from(reach)) as i64
    };
    let rows: Vec<TornadoRow> = shown
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (a, z) = (at(b.minus_fen, b.base_fen), at(b.plus_fen, b.base_fen));
            let approach = if b.approach == "income" {
                l.t("收益法", "income")
            } else {
                l.t("成本法", "cost")
            };
            TornadoRow {
                y: 8 + i as i64 * 30,
                label: format!("{} ({approach})", l.t(&b.label_zh, &b.label_en)),
                x: a.min(z),
                width: (a - z).abs().max(1),
                text: format!("{} … {}", wan(b.minus_fen), wan(b.plus_fen)),
            }
        })
        .collect();
    Tornado {
        width: TORNADO_WIDTH,
        height: 16 + rows.len().max(1) as i64 * 30,
        centre,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(approach: &'static str, low: i64, point: i64, high: i64) -> Range {
        Range {
            approach,
            low_fen: low,
            point_fen: point,
            high_fen: high,
        }
    }

    #[test]
    fn ranges_share_one_axis_and_the_proposed_price_sits_on_it() {
        let c = ranges(
            Lang::Zh,
            &[range("income", 0, 50, 100), range("cost", 100, 100, 100)],
            Some(50),
        );
        // max 100 + 10 % head room: 100 is at LEFT + 440 × 100 / 110.
        assert_eq!(c.rows[0].x_low, LEFT);
        assert_eq!(c.rows[0].x_high, LEFT + 400);
        assert_eq!(c.rows[1].width, 2, "a point range stays visible");
        assert_eq!(c.proposed.as_ref().unwrap().0, LEFT + 200);
        assert_eq!(c.rows[1].y, 24 + ROW);
    }

    #[test]
    fn tornado_bars_centre_on_the_base() {
        let bar = |minus, plus| Bar {
            input: "x".into(),
            label_zh: "销售".into(),
            label_en: "Sales".into(),
            approach: "income".into(),
            base_fen: 100,
            minus_fen: minus,
            plus_fen: plus,
        };
        let t = tornado(Lang::Zh, &[bar(80, 120), bar(110, 90)], 8);
        assert_eq!(t.rows[0].x, t.centre - PLOT / 2);
        assert_eq!(t.rows[0].width, PLOT);
        assert_eq!(t.rows[1].x, t.centre - PLOT / 4);
    }
}
