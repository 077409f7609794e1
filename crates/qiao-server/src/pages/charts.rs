//! Charts drawn on the server as SVG, for `/statistics`: horizontal bars (a breakdown by type,
//! field or district) and columns (the months of a year). No script and nothing fetched: the
//! geometry is computed here in integers, and the template writes it out with every label
//! escaped like any other value. Each chart stands beside a table of the same figures, which
//! is what a screen reader and a spreadsheet read.

/// One value of a chart: its label, its size (分 or a count) and the text written beside it.
#[derive(Debug, Clone)]
pub struct Datum {
    /// What the bar stands for (a type, a field, a district, a month).
    pub label: String,
    /// Its size; bars are proportional to it.
    pub value: i64,
    /// The value as written next to the bar.
    pub text: String,
}

/// Horizontal bars: a label above each bar, the value to its right.
#[derive(Debug, Clone)]
pub struct Bars {
    /// The viewBox height.
    pub height: u32,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// One horizontal bar.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Top of its row.
    pub y: u32,
    /// The label.
    pub label: String,
    /// The filled length, 0..=[`BAR_LENGTH`].
    pub width: u32,
    /// The value written beside it.
    pub text: String,
}

/// Columns: one per value, labelled underneath.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The columns, left to right.
    pub columns: Vec<Column>,
}

/// One column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its left edge.
    pub x: u32,
    /// Its top edge.
    pub y: u32,
    /// Its height.
    pub height: u32,
    /// The centre of its label.
    pub label_x: u32,
    /// The label (a month).
    pub label: String,
    /// The label and value, as a tooltip.
    pub title: String,
}

/// Rows of the bar chart are 34 units high in a 360-unit-wide viewBox; a full bar is 220 long
/// and leaves 130 for the value beside it.
const ROW: u32 = 34;
/// The length of the largest bar.
pub const BAR_LENGTH: u32 = 220;
/// The columns' plot: 360 wide, bars up to 150 high above 20 units of labels.
pub const COLUMN_PLOT: u32 = 150;
const COLUMN_STEP: u32 = 30;
const COLUMN_WIDTH: u32 = 22;

/// `value` of `max` as a length of `full`, exactly (integers, rounded down), and at least 1
/// for any value above 0 so that a small share stays visible.
fn scaled(value: i64, max: i64, full: u32) -> u32 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let len = i128::from(value) * i128::from(full) / i128::from(max);
    u32::try_from(len).unwrap_or(full).clamp(1, full)
}

/// Bars for `data`, the largest filling the full length.
pub fn bars(data: &[Datum]) -> Bars {
    let max = data.iter().map(|d| d.value).max().unwrap_or(0);
    let bars: Vec<Bar> = data
        .iter()
        .enumerate()
        .map(|(i, d)| Bar {
            y: i as u32 * ROW,
            label: d.label.clone(),
            width: scaled(d.value, max, BAR_LENGTH),
            text: d.text.clone(),
        })
        .collect();
    Bars {
        height: (bars.len() as u32 * ROW).max(ROW),
        bars,
    }
}

/// Columns for `data` (at most 12 fit the 360-unit width), the largest reaching the top.
pub fn columns(data: &[Datum]) -> Columns {
    let max = data.iter().map(|d| d.value).max().unwrap_or(0);
    Columns {
        columns: data
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let height = scaled(d.value, max, COLUMN_PLOT);
                let x = 4 + i as u32 * COLUMN_STEP;
                Column {
                    x,
                    y: COLUMN_PLOT - height,
                    height,
                    label_x: x + COLUMN_WIDTH / 2,
                    label: d.label.clone(),
                    title: format!("{}: {}", d.label, d.text),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, value: i64) -> Datum {
        Datum {
            label: label.into(),
            value,
            text: value.to_string(),
        }
    }

    #[test]
    fn bars_are_proportional_and_the_largest_is_full() {
        let b = bars(&[
            datum("a", 50),
            datum("b", 200),
            datum("c", 0),
            datum("d", 1),
        ]);
        let widths: Vec<u32> = b.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [55, 220, 0, 1]);
        assert_eq!(b.bars[3].y, 3 * ROW);
        assert_eq!(b.height, 4 * ROW);
        // Amounts past what f64 holds exactly still scale exactly.
        let big = bars(&[datum("x", i64::MAX / 2), datum("y", i64::MAX)]);
        assert_eq!(big.bars[0].width, 109);
    }

    #[test]
    fn columns_stand_on_the_base_line() {
        let c = columns(&[datum("01", 0), datum("02", 30), datum("03", 60)]);
        let tops: Vec<(u32, u32)> = c.columns.iter().map(|c| (c.y, c.height)).collect();
        assert_eq!(tops, [(150, 0), (75, 75), (0, 150)]);
        assert!(c.columns.iter().all(|c| c.y + c.height == COLUMN_PLOT));
        assert_eq!(c.columns[2].x, 64);
    }

    #[test]
    fn an_empty_chart_draws_nothing_but_keeps_a_height() {
        assert_eq!(bars(&[]).height, ROW);
        assert!(columns(&[]).columns.is_empty());
    }
}
