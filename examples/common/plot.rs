//! Pictures: the bundled font, the colours, line charts and their legends (plotters).

use std::path::Path;

use plotters::prelude::*;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Registers the bundled font (DejaVu Sans) as plotters' "sans-serif": no system font needed.
pub fn register_font() {
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_err() {
            eprintln!("warning: the bundled font could not be loaded; the plot has no text");
        }
    });
}

/// Matplotlib's "tab10" colours: distinct, and readable on white (no pale yellow).
pub const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// One line of a line chart.
pub struct Series<'a> {
    pub label: String,
    pub points: &'a [(f64, f64)],
}

/// Draws line series into a PNG with labelled axes and a legend; the x axis runs from `x_from`
/// (0 for a whole run, the first iteration for a resumed one) to the last point, and over at
/// least 10 iterations.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_label: &str,
    x_from: f64,
    y_label: &str,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    register_font();
    let root = BitMapBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let x_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(x_from + 10.0, f64::max); // integer ticks even for a run of one iteration
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x_from..x_max, 0.0..y_max.max(1e-6))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(y_label)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        chart
            .draw_series(curve(s.points, color))?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    let x_range = (x_from, x_max);
    let y_range = (0.0, y_max.max(1e-6));
    draw_legend(&mut chart, legend_corner(series, x_range, y_range))?;
    root.present()?;
    Ok(())
}

/// A chart's line through `points`, 2 pixels wide; a lone point, through which a line would
/// draw nothing, is marked.
pub fn curve<DB: DrawingBackend>(
    points: &[(f64, f64)],
    color: RGBColor,
) -> LineSeries<DB, (f64, f64)> {
    LineSeries::new(points.iter().copied(), color.stroke_width(2))
        .point_size(if points.len() == 1 { 4 } else { 0 })
}

/// The corner for a line chart's legend where it hides the least of the lines: of the four
/// corner boxes of the legend's size (about, in data units), the first, in the order upper
/// right, upper left, lower right, lower left, that the fewest points of the lines (and points
/// along their segments) fall into.
fn legend_corner(series: &[Series], x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    // The plotting area is about 900 x 480 pixels; a legend line is 20 pixels high, and a
    // character of its 16-pixel font about 8 wide, beside a 40-pixel sample of the line.
    let chars = series
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0);
    let w = ((40 + 8 * chars) as f64 / 900.0).min(1.0) * (x.1 - x.0);
    let h = ((20 * series.len() + 20) as f64 / 480.0).min(1.0) * (y.1 - y.0);
    let corners = [
        (SeriesLabelPosition::UpperRight, x.1 - w, y.1 - h),
        (SeriesLabelPosition::UpperLeft, x.0, y.1 - h),
        (SeriesLabelPosition::LowerRight, x.1 - w, y.0),
        (SeriesLabelPosition::LowerLeft, x.0, y.0),
    ];
    let hidden = |x0: f64, y0: f64| {
        let inside = |&(px, py): &(f64, f64)| px >= x0 && px <= x0 + w && py >= y0 && py <= y0 + h;
        series
            .iter()
            .flat_map(|s| {
                // Each point, and 16 more along the segment to the next one.
                let ends = s.points.iter().zip(s.points.iter().skip(1));
                let along = ends.flat_map(|(a, b)| {
                    (1..=16).map(move |k| {
                        let f = f64::from(k) / 17.0;
                        (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
                    })
                });
                s.points.iter().copied().chain(along)
            })
            .filter(inside)
            .count()
    };
    let mut best = (usize::MAX, SeriesLabelPosition::UpperRight);
    for (position, x0, y0) in corners {
        let n = hidden(x0, y0);
        if n < best.0 {
            best = (n, position);
        }
    }
    best.1
}

/// The legend, as every chart of the examples draws it: framed, on white, at `position`.
pub fn draw_legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(position)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_avoids_the_lines() {
        fn series(points: &[(f64, f64)]) -> Series<'_> {
            Series {
                label: "a line".into(),
                points,
            }
        }
        let (x, y) = ((0.0, 100.0), (0.0, 1.0));
        // A curve that falls to the bottom leaves the upper right free.
        let falling = [(0.0, 1.0), (10.0, 0.1), (100.0, 0.0)];
        let corner = legend_corner(&[series(&falling)], x, y);
        assert!(matches!(corner, SeriesLabelPosition::UpperRight));
        // A line along the top, from the middle on: the upper left is free.
        let high_right = [(0.0, 0.0), (50.0, 0.0), (60.0, 1.0), (100.0, 1.0)];
        let corner = legend_corner(&[series(&high_right)], x, y);
        assert!(matches!(corner, SeriesLabelPosition::UpperLeft));
        // Only a segment, no point, crosses the upper right: it counts too.
        let crossing = [(0.0, 0.0), (70.0, 0.0), (100.0, 1.0)];
        let corner = legend_corner(&[series(&crossing)], x, y);
        assert!(matches!(corner, SeriesLabelPosition::UpperLeft));
        // A line along the top from end to end: the lower right.
        let flat_top = [(0.0, 1.0), (100.0, 1.0)];
        let corner = legend_corner(&[series(&flat_top)], x, y);
        assert!(matches!(corner, SeriesLabelPosition::LowerRight));
    }
}
