//! The sales dashboard's charts, drawn on the server as inline SVG (no script, no chart
//! library): horizontal bars (pipeline by stage, won and lost, top customers, branches) and
//! vertical bars (the forecast by month). Geometry only — the template writes the elements, and
//! every chart's numbers are also in a table next to it.
//!
//! Right-to-left pages mirror the charts: bars grow from the right edge and the months run from
//! right to left. Texts are anchored at `start`, which the inherited `direction` turns into the
//! right edge on a Persian page, so a label sits on the same side as the bars' origin either way.

/// The width of every chart's coordinate system (the SVG scales to the page).
pub const WIDTH: i64 = 600;
const ROW: i64 = 30;
const BAR: i64 = 20;
const LABEL_SPACE: i64 = 170;
const VALUE_SPACE: i64 = 130;
const COLUMN_AREA: i64 = 160;

/// One horizontal bar with its label and value.
#[derive(Debug, Clone)]
pub struct HBar {
    /// The label (stage, customer, branch…).
    pub label: String,
    /// The value, formatted.
    pub value: String,
    /// Where the label starts.
    pub label_x: i64,
    /// Left edge of the bar.
    pub x: i64,
    /// Top edge of the bar.
    pub y: i64,
    /// Width of the bar.
    pub width: i64,
    /// Where the value text starts (just past the bar's end).
    pub value_x: i64,
    /// Baseline of the texts.
    pub text_y: i64,
    /// A CSS class for the bar's colour.
    pub class: String,
}

/// A chart of horizontal bars.
#[derive(Debug, Clone)]
pub struct HBarChart {
    /// The bars, top to bottom.
    pub bars: Vec<HBar>,
    /// The chart's height.
    pub height: i64,
}

/// One row of a horizontal chart before layout: label, magnitude, formatted value, CSS class.
pub type HRow = (String, i64, String, &'static str);

fn scaled(value: i64, most: i64, room: i64) -> i64 {
    if most <= 0 || value <= 0 {
        return 0;
    }
    let width = i128::from(value) * i128::from(room) / i128::from(most);
    i64::try_from(width).unwrap_or(room).max(2)
}

/// Lays out horizontal bars proportional to their magnitudes, mirrored when `rtl`.
pub fn hbars(rows: Vec<HRow>, rtl: bool) -> HBarChart {
    let most = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let room = WIDTH - LABEL_SPACE - VALUE_SPACE;
    let bars: Vec<HBar> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, magnitude, value, class))| {
            let y = i64::try_from(i).unwrap_or(0) * ROW + (ROW - BAR) / 2;
            let width = scaled(magnitude, most, room);
            let (label_x, x, value_x) = if rtl {
                let origin = WIDTH - LABEL_SPACE;
                (WIDTH - 2, origin - width, origin - width - 6)
            } else {
                (2, LABEL_SPACE, LABEL_SPACE + width + 6)
            };
            HBar {
                label,
                value,
                label_x,
                x,
                y,
                width,
                value_x,
                text_y: y + BAR / 2 + 5,
                class: class.to_owned(),
            }
        })
        .collect();
    let height = (i64::try_from(bars.len()).unwrap_or(0) * ROW).max(ROW);
    HBarChart { bars, height }
}

/// One vertical bar (a month of the forecast).
#[derive(Debug, Clone)]
pub struct VBar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
    /// Centre, for the label.
    pub centre: i64,
    /// The month's name.
    pub label: String,
    /// The value, formatted (the bar's title).
    pub value: String,
}

/// Lays out vertical bars in a 600 × 200 chart, first on the left (on the right when `rtl`).
pub fn vbars(columns: Vec<(String, i64, String)>, rtl: bool) -> Vec<VBar> {
    let count = i64::try_from(columns.len()).unwrap_or(1).max(1);
    let slot = WIDTH / count;
    let most = columns.iter().map(|c| c.1).max().unwrap_or(0);
    columns
        .into_iter()
        .enumerate()
        .map(|(i, (label, magnitude, value))| {
            let place = i64::try_from(i).unwrap_or(0);
            let place = if rtl { count - 1 - place } else { place };
            let height = scaled(magnitude, most, COLUMN_AREA);
            let x = place * slot + 4;
            let width = (slot - 8).max(2);
            VBar {
                x,
                y: COLUMN_AREA + 10 - height,
                width,
                height,
                centre: x + width / 2,
                label,
                value,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, magnitude: i64) -> HRow {
        (label.to_owned(), magnitude, magnitude.to_string(), "bar")
    }

    #[test]
    fn bars_are_proportional_and_mirrored_right_to_left() {
        let ltr = hbars(vec![row("a", 100), row("b", 50), row("c", 0)], false);
        assert_eq!(ltr.bars[0].width, WIDTH - LABEL_SPACE - VALUE_SPACE);
        assert_eq!(ltr.bars[1].width * 2, ltr.bars[0].width);
        assert_eq!(ltr.bars[2].width, 0);
        assert_eq!(ltr.bars[0].x, LABEL_SPACE);
        let rtl = hbars(vec![row("a", 100), row("b", 50)], true);
        // Mirrored: the bar ends where the left-to-right one starts, seen from the other edge.
        assert_eq!(rtl.bars[1].x + rtl.bars[1].width, WIDTH - LABEL_SPACE);
        assert!(rtl.bars[0].label_x > rtl.bars[0].x);
        assert_eq!(rtl.height, 2 * ROW);
    }

    #[test]
    fn months_run_the_reading_way() {
        let columns = || {
            vec![
                ("1".to_owned(), 10, String::new()),
                ("2".to_owned(), 20, String::new()),
            ]
        };
        let ltr = vbars(columns(), false);
        assert!(ltr[0].x < ltr[1].x);
        assert_eq!(ltr[1].height, COLUMN_AREA);
        assert_eq!(ltr[0].height * 2, ltr[1].height);
        let rtl = vbars(columns(), true);
        assert!(rtl[0].x > rtl[1].x);
    }
}
