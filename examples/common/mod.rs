//! Helpers shared by the desktop examples: flag parsing and plotting. Not part of the library.
#![allow(dead_code)] // each example uses only part of it

use std::path::Path;

use plotters::prelude::*;
use tinyrnn::{Activation, Init};

/// `println!` that ends the program quietly, with status 0, when standard output has been
/// closed (`cargo run --example … | head`), where `println!` would panic with "failed printing
/// to stdout: Broken pipe". Any other write error is reported and ends the program with status 1.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::common::write_line(format_args!($($arg)*))
    };
}

/// The body of [`outln!`].
pub fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// A command-line error: the message and the usage line, exit code 2.
pub fn usage_error(usage: &str, msg: &str) -> ! {
    let first = usage.lines().next().unwrap_or("");
    eprintln!("error: {msg}\n{first}\n(--help lists the flags)");
    std::process::exit(2)
}

/// Checks, before a long run, that an output file (if a flag gave one) can be written, so that
/// a typo in a path costs nothing: creates the missing parent directories (so the final write
/// need not), then opens the file for writing without changing it if it exists, or creates it
/// and removes it again if it does not. A path that cannot be written is a bad flag value:
/// message and exit code 2.
pub fn check_writable(usage: &str, flag: &str, path: Option<&Path>) {
    use std::fs::{self, OpenOptions};
    let Some(path) = path else { return };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(p) = parent.filter(|p| p.exists() && !p.is_dir()) {
        usage_error(
            usage,
            &format!(
                "{flag}: cannot write {}: {} is not a directory",
                path.display(),
                p.display()
            ),
        );
    }
    let result = parent.map_or(Ok(()), fs::create_dir_all).and_then(|()| {
        if path.exists() {
            OpenOptions::new().write(true).open(path).map(drop)
        } else {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|_| fs::remove_file(path))
        }
    });
    if let Err(e) = result {
        usage_error(
            usage,
            &format!("{flag}: cannot write {}: {e}", path.display()),
        );
    }
}

/// The plot's path flag (`--out`), checked before a long run: it must end in `.png` and be
/// writable (as [`check_writable`]); otherwise a message and exit code 2.
pub fn check_png(usage: &str, flag: &str, path: Option<&Path>) {
    if let Some(out) = path
        && !out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        usage_error(
            usage,
            &format!("{flag}: {} does not end in .png", out.display()),
        );
    }
    check_writable(usage, flag, path);
}

/// Writes a record (model or state) to `path`; the error names the file.
pub fn write_record(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// The command-line arguments after the program's name, as [`for_each_flag`] hands them on.
pub type Args = std::iter::Skip<std::env::Args>;

/// Reads the command line flag by flag: `-h` or `--help` prints `usage` and ends the program
/// with status 0; every other flag goes to `each`, with the arguments after it (from which it
/// takes its value, if it has one). `each` returns `false` for a flag it does not know: a
/// usage error, exit code 2.
pub fn for_each_flag(usage: &str, mut each: impl FnMut(&str, &mut Args) -> bool) {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            outln!("{usage}");
            std::process::exit(0);
        }
        if !each(&flag, &mut args) {
            usage_error(usage, &format!("unknown flag '{flag}'"));
        }
    }
}

/// Takes the value after a flag and parses it, or fails with a clear message.
pub fn value<T: std::str::FromStr>(
    usage: &str,
    flag: &str,
    args: &mut impl Iterator<Item = String>,
    what: &str,
) -> T {
    let Some(raw) = args.next() else {
        usage_error(usage, &format!("{flag} needs a value ({what})"))
    };
    // `--out --quiet` would otherwise write the plot to a file named `--quiet`, after training.
    if raw.starts_with("--") {
        usage_error(
            usage,
            &format!("{flag} needs a value ({what}), not the flag '{raw}'"),
        );
    }
    // `--out-dir ''` would otherwise write into the current directory, `--out ''` fail later.
    if raw.is_empty() {
        usage_error(
            usage,
            &format!("{flag} needs a value ({what}), not an empty one"),
        );
    }
    raw.parse()
        .unwrap_or_else(|_| usage_error(usage, &format!("{flag}: '{raw}' is not {what}")))
}

/// A positive, finite float.
pub fn positive(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> f32 {
    let raw: String = value(usage, flag, args, "a positive number");
    parse_positive(&raw).unwrap_or_else(|why| usage_error(usage, &format!("{flag}: {why}")))
}

/// `raw` as a positive, finite `f32`, or why not, in words: a number that is positive but
/// does not fit an `f32` (`1e39` would be infinite, `1e-50` zero) says so.
pub fn parse_positive(raw: &str) -> Result<f32, String> {
    let Ok(v) = raw.parse::<f32>() else {
        return Err(format!("'{raw}' is not a number"));
    };
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else if raw.parse::<f64>().is_ok_and(|w| w.is_finite() && w > 0.0) {
        let size = if v == 0.0 { "small" } else { "large" };
        Err(format!(
            "'{raw}' is too {size} for an f32 (it would be {v})"
        ))
    } else {
        Err(format!("'{raw}' is not a positive, finite number"))
    }
}

/// A positive integer.
pub fn count<T>(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> T
where
    T: std::str::FromStr + Default + PartialOrd + std::fmt::Display,
{
    let v: T = value(usage, flag, args, "a positive integer");
    if v <= T::default() {
        usage_error(usage, &format!("{flag}: '{v}' is not a positive integer"));
    }
    v
}

/// `sigmoid` or `tanh`.
pub fn activation(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> Activation {
    let v: String = value(usage, flag, args, "sigmoid or tanh");
    match v.as_str() {
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        _ => usage_error(usage, &format!("{flag}: '{v}' is not sigmoid or tanh")),
    }
}

/// `std`, `xavier` or `he`.
pub fn init_kind(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> Init {
    let v: String = value(usage, flag, args, "std, xavier or he");
    match v.as_str() {
        "std" | "normal" => Init::Normal { std: 1.0 },
        "xavier" => Init::Xavier,
        "he" => Init::He,
        _ => usage_error(usage, &format!("{flag}: '{v}' is not std, xavier or he")),
    }
}

/// A number as people write it: `0.1`, `2.5`, but `1e38` and `1e-7` rather than 39 or 8
/// digits (Rust prints every `f32` in full). Either way the shortest text that reads back as the
/// same number.
pub fn num(x: f32) -> String {
    let a = x.abs();
    if a == 0.0 || (1e-4..1e6).contains(&a) || !a.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A short name for an initialisation: `std=1`, `xavier`, `he`.
pub fn init_name(init: Init) -> String {
    match init {
        Init::Normal { std } => format!("std={}", num(std)),
        Init::Xavier => "xavier".into(),
        Init::He => "he".into(),
    }
}

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

/// The mean loss of each block of `every` iterations, for a loss chart, as a run goes: block
/// `j` holds the iterations `j·every .. (j + 1)·every` (counted from 0), and its point is
/// `((j + 1)·every, mean)`. A run resumed, or ended, in the middle of a block trained only part
/// of it: that block's point is the mean of that part, at the count where it ends. Memory: a
/// point a block, not a loss an iteration.
pub struct BlockMeans {
    every: u32,
    sum: f64,
    n: u32,
    /// The iteration count after the last loss added.
    end: u32,
    points: Vec<(f64, f64)>,
}

impl BlockMeans {
    pub fn new(every: u32) -> Self {
        Self {
            every,
            sum: 0.0,
            n: 0,
            end: 0,
            points: Vec::new(),
        }
    }

    /// Adds the loss of iteration `i` (counted from 0; the iterations of a run in order).
    pub fn add(&mut self, i: u32, loss: f32) {
        self.sum += f64::from(loss);
        self.n += 1;
        self.end = i + 1;
        if self.end.is_multiple_of(self.every) {
            self.close();
        }
    }

    fn close(&mut self) {
        if self.n > 0 {
            let mean = self.sum / f64::from(self.n);
            self.points.push((f64::from(self.end), mean));
            (self.sum, self.n) = (0.0, 0);
        }
    }

    /// The points, the last part-block's included.
    pub fn finish(mut self) -> Vec<(f64, f64)> {
        self.close();
        self.points
    }
}

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
    fn block_means_average_what_each_block_trained() {
        let means = |start: u32, losses: &[f32], every: u32| {
            let mut m = BlockMeans::new(every);
            for (i, &loss) in (start..).zip(losses) {
                m.add(i, loss);
            }
            m.finish()
        };
        // A whole run: the blocks 0..100 and 100..200.
        let losses: Vec<f32> = (0..200).map(|i| if i < 100 { 2.0 } else { 1.0 }).collect();
        assert_eq!(means(0, &losses, 100), [(100.0, 2.0), (200.0, 1.0)]);
        // Resumed at 4050 and ended at 4230: the first block trained from 4050, the last to
        // 4230. Each mean is over the iterations trained (once a half block counted as whole).
        assert_eq!(
            means(4050, &[1.0; 180], 100),
            [(4100.0, 1.0), (4200.0, 1.0), (4230.0, 1.0)]
        );
        let losses: Vec<f32> = (0..60).map(|i| if i < 10 { 3.0 } else { 1.0 }).collect();
        assert_eq!(means(90, &losses, 100), [(100.0, 3.0), (150.0, 1.0)]);
        // Fewer iterations than a block; other block lengths; none.
        assert_eq!(means(7, &[0.5], 100), [(8.0, 0.5)]);
        assert_eq!(means(0, &[1.0, 3.0, 5.0], 2), [(2.0, 2.0), (3.0, 5.0)]);
        assert!(means(0, &[], 100).is_empty());
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(250_000.0), "250000");
        assert_eq!(num(1e38), "1e38");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(-3e6), "-3e6");
        for x in [
            0.1f32,
            1e38,
            1e-7,
            1.234_567_9e-5,
            f32::MAX,
            f32::MIN_POSITIVE,
        ] {
            assert_eq!(num(x).parse::<f32>().unwrap().to_bits(), x.to_bits());
        }
    }

    #[test]
    fn positive_numbers_and_why_not() {
        assert_eq!(parse_positive("0.1"), Ok(0.1));
        assert_eq!(
            parse_positive("1e-40").map(f32::to_bits),
            Ok(1e-40f32.to_bits())
        );
        assert_eq!(parse_positive("3.4e38"), Ok(3.4e38));
        for (raw, why) in [
            ("0", "'0' is not a positive, finite number"),
            ("-0.0", "'-0.0' is not a positive, finite number"),
            ("-1", "'-1' is not a positive, finite number"),
            ("-1e-50", "'-1e-50' is not a positive, finite number"),
            ("inf", "'inf' is not a positive, finite number"),
            ("NaN", "'NaN' is not a positive, finite number"),
            ("1e39", "'1e39' is too large for an f32 (it would be inf)"),
            ("1e-50", "'1e-50' is too small for an f32 (it would be 0)"),
            ("1e999", "'1e999' is not a positive, finite number"),
            ("abc", "'abc' is not a number"),
            ("", "'' is not a number"),
        ] {
            assert_eq!(parse_positive(raw), Err(why.to_string()), "{raw}");
        }
    }

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
