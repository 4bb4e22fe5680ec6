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
    raw.parse()
        .unwrap_or_else(|_| usage_error(usage, &format!("{flag}: '{raw}' is not {what}")))
}

/// A positive, finite float.
pub fn positive(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> f32 {
    let v: f32 = value(usage, flag, args, "a number");
    if !(v.is_finite() && v > 0.0) {
        usage_error(
            usage,
            &format!("{flag}: must be a positive, finite number, got {v}"),
        );
    }
    v
}

/// A positive integer.
pub fn count<T>(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> T
where
    T: std::str::FromStr + Default + PartialOrd,
{
    let v: T = value(usage, flag, args, "a positive integer");
    if v <= T::default() {
        usage_error(usage, &format!("{flag}: must be a positive integer"));
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

/// A short name for an initialisation: `std=1`, `xavier`, `he`.
pub fn init_name(init: Init) -> String {
    match init {
        Init::Normal { std } => format!("std={std}"),
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
            .draw_series(
                // A line through one point draws nothing: mark a lone point.
                LineSeries::new(s.points.iter().copied(), color.stroke_width(2))
                    .point_size(if s.points.len() == 1 { 4 } else { 0 }),
            )?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    draw_legend(&mut chart)?;
    root.present()?;
    Ok(())
}

/// The legend, as every chart of the examples draws it: upper right, framed, on white.
pub fn draw_legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, BitMapBackend<'a>, Cartesian2d<X, Y>>,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}
