//! Learning from a stream: a 2-8-1 RNN learns a set/reset latch by truncated BPTT.
//!
//! `cargo run --release --example latch` trains two copies of one model on the same stream,
//! cut into windows of 4 steps: one carries its hidden state from each window to the next
//! (`Trainer::step_from`), the other starts every window from zeros (`Trainer::step`). It
//! prints, every 500 windows, their losses and how many steps of a stream they have not seen
//! they get right, run one step at a time; then the final figures and the weights' checksum;
//! and draws `latch.png`: the loss curves, and both models following that stream. With
//! `--save-state` it writes the state-carrying learner's stream state (a `TRNH` record: model,
//! settings, RNG and the hidden state its next window would start in), and `--resume` goes on
//! from one. `--help` lists the flags.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use common::{BlockMeans, COLORS, count, positive, value};
use plotters::prelude::*;
use tinyrnn::latch::{self, Latch};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

const HIDDEN: usize = 8;
/// Steps per training window.
const WINDOW: usize = 4;
/// Windows between two lines of the log.
const LOG_EVERY: u32 = 500;
/// Windows per point of the loss curves.
const PLOT_EVERY: u32 = 100;
/// The stream the models are tested on: its seed, and how many steps.
const TEST_SEED: u64 = 2;
const TEST_STEPS: u32 = 10_000;
/// The steps of the test stream the picture shows.
const SHOWN_STEPS: usize = 160;

type Model = Rnn<2, HIDDEN, 1>;
type T = Trainer<2, HIDDEN, 1, WINDOW>;
/// What a legend entry of the picture shows beside its text.
type LegendSample<'a> = DynElement<'static, BitMapBackend<'a>, (i32, i32)>;

const USAGE: &str = "\
usage: latch [flags]

Trains a 2-8-1 simple RNN (tanh, Xavier, biases) on a set/reset latch, a stream cut into
windows of 4 steps: once carrying the hidden state from window to window (truncated BPTT,
Trainer::step_from), once starting every window from zeros (Trainer::step).

flags:
  --seed N       RNG seed (default 1)
  --windows N    training windows of 4 steps (default 5000)
  --lr X         learning rate (default 0.5)
  --out PATH     PNG of the loss curves and of both models on a new stream (default latch.png)
  --no-plot      do not write the PNG
  --save-state PATH
                 write the state-carrying learner's stream state at the end (TRNH record:
                 model, settings, RNG and hidden state; Trainer::read_stream_state reads it)
  --resume PATH  go on from a saved stream state; --windows is then the total count. Only
                 the state-carrying learner goes on (the state holds no other), on a stream
                 that starts anew from the saved RNG: the sensor's own state (the latch,
                 and the half of a draw of 8 steps a window of 4 leaves) is the world's,
                 not the learner's, and is not in the record. So the run is the one that
                 did not stop when it stopped after an even window with the latch off (as
                 at window 2500 with the defaults), and another stream otherwise.
                 --lr replaces the saved rate; --seed is refused with it
  --quiet        print only the summary, not the log every 500 windows
  -h, --help     this text";

struct Settings {
    seed: u64,
    windows: u32,
    /// `None`: not given, the default (or, with `--resume`, the state's).
    lr: Option<f32>,
    out: Option<PathBuf>,
    save_state: Option<PathBuf>,
    resume: Option<PathBuf>,
    quiet: bool,
}

fn parse_args() -> Settings {
    let mut s = Settings {
        seed: 1,
        windows: 5_000,
        lr: None,
        out: Some(PathBuf::from("latch.png")),
        save_state: None,
        resume: None,
        quiet: false,
    };
    let mut seed_given = false;
    common::for_each_flag(USAGE, |flag, a| {
        match flag {
            "--seed" => {
                s.seed = value(USAGE, flag, a, "an integer from 0 to 2^64-1");
                seed_given = true;
            }
            "--windows" => s.windows = count(USAGE, flag, a),
            "--lr" => s.lr = Some(positive(USAGE, flag, a)),
            "--resume" => s.resume = Some(value(USAGE, flag, a, "a path")),
            "--out" => s.out = Some(value(USAGE, flag, a, "a path")),
            "--no-plot" => s.out = None,
            "--save-state" => s.save_state = Some(value(USAGE, flag, a, "a path")),
            "--quiet" => s.quiet = true,
            _ => return false,
        }
        true
    });
    if seed_given && s.resume.is_some() {
        common::usage_error(
            USAGE,
            "--seed does not go with --resume: the saved state holds the model and the RNG",
        );
    }
    common::check_distinct(
        USAGE,
        &[
            ("--out", s.out.as_deref()),
            ("--save-state", s.save_state.as_deref()),
        ],
    );
    common::check_png(USAGE, "--out", s.out.as_deref());
    common::check_writable(USAGE, "--save-state", s.save_state.as_deref());
    s
}

fn main() -> ExitCode {
    let s = parse_args();
    match run(&s) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Steps right of the test stream, the model run one step at a time from zeros.
fn follow(model: &Model) -> u32 {
    latch::follow(
        model,
        &mut XorShiftRng::seed_from_u64(TEST_SEED),
        TEST_STEPS,
    )
}

fn percent(right: u32) -> f64 {
    100.0 * f64::from(right) / f64::from(TEST_STEPS)
}

/// The default learning rate.
const LEARNING_RATE: f32 = 0.5;

/// Reads a stream state into `trainer`, `rng` and `h`; a file that cannot be read or is not a
/// stream state of this shape is a bad flag value (exit code 2).
fn resume(path: &Path, trainer: &mut T, rng: &mut XorShiftRng, h: &mut [f32; HIDDEN]) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        common::usage_error(
            USAGE,
            &format!("--resume: could not read {}: {e}", path.display()),
        )
    });
    if let Err(e) = trainer.read_stream_state(rng, h, &bytes) {
        let why = common::resume_error(
            &e,
            &bytes,
            &format!("2-{HIDDEN}-1 with sequences of {WINDOW} steps"),
        );
        common::usage_error(
            USAGE,
            &format!("--resume: could not resume from {}: {why}", path.display()),
        );
    }
}

fn run(s: &Settings) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = XorShiftRng::seed_from_u64(s.seed);
    let model = Model::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?.with_biases(true);
    let mut carried = T::new(model, s.lr.unwrap_or(LEARNING_RATE))?;
    let mut h = [0.0; HIDDEN];
    // A resumed run goes on with the learner its state holds, and no other.
    let mut zeros = match &s.resume {
        Some(path) => {
            resume(path, &mut carried, &mut rng, &mut h);
            if let Some(lr) = s.lr {
                carried.set_learning_rate(lr)?;
            }
            outln!(
                "resumed from {} at window {} (the learner with the state carried on)",
                path.display(),
                carried.iterations()
            );
            None
        }
        None => Some(carried.clone()),
    };
    let start = u32::try_from(carried.iterations()).unwrap_or(u32::MAX);
    if start > s.windows {
        common::usage_error(
            USAGE,
            &format!(
                "--windows {}: the state is already at window {start} (--windows is the total)",
                s.windows
            ),
        );
    }
    let lr = carried.learning_rate();
    let mut stream = Latch::new();

    if !s.quiet {
        outln!(
            "window   loss, state carried   loss, from zeros   test steps right: carried   from zeros"
        );
    }
    // Mean losses of each PLOT_EVERY windows, for the picture, and of the last LOG_EVERY, for
    // the log.
    let (mut means_carried, mut means_zeros) =
        (BlockMeans::new(PLOT_EVERY), BlockMeans::new(PLOT_EVERY));
    let (mut log_sum, mut log_n) = ([0.0f64; 2], 0u32);
    let mut last = [None::<f32>; 2];
    for w in start + 1..=s.windows {
        let (xs, ds) = stream.window::<WINDOW, _>(&mut rng);
        let stopped = |which: &str, e: tinyrnn::Error| {
            format!(
                "training ({which}) stopped at window {w}: {e}; the weights are those before \
                 that step (try a smaller --lr)"
            )
        };
        let loss = carried
            .step_from(&mut h, &xs, &ds)
            .map_err(|e| stopped("state carried", e))?;
        last[0] = Some(loss);
        // (`add` counts from 0, the windows here from 1.)
        means_carried.add(w - 1, loss);
        log_sum[0] += f64::from(loss);
        if let Some(zeros) = &mut zeros {
            let loss = zeros.step(&xs, &ds).map_err(|e| stopped("from zeros", e))?;
            last[1] = Some(loss);
            means_zeros.add(w - 1, loss);
            log_sum[1] += f64::from(loss);
        }
        log_n += 1;
        if w % LOG_EVERY == 0 && !s.quiet {
            // The mean over the windows of this block trained here (a resumed run may start
            // in the middle of one).
            let n = f64::from(log_n);
            let (zeros_loss, zeros_right) = match &zeros {
                Some(z) => (
                    format!("{:.6}", log_sum[1] / n),
                    format!("{:.2}%", percent(follow(&z.model))),
                ),
                None => ("-".into(), "-".into()),
            };
            outln!(
                "{w:>6}   {:>19.6}   {zeros_loss:>16}   {:>24.2}%   {zeros_right:>10}",
                log_sum[0] / n,
                percent(follow(&carried.model)),
            );
            (log_sum, log_n) = ([0.0; 2], 0);
        }
    }

    let a = follow(&carried.model);
    let origin = match &s.resume {
        Some(path) => format!("resumed from {}", path.display()),
        None => format!("seed {}", s.seed),
    };
    outln!(
        "settings: {origin} windows {} of {WINDOW} steps, lr {}, tanh, xavier, biases on",
        s.windows,
        common::num(lr)
    );
    // What answering "off" at every step would get right.
    let mut test = (XorShiftRng::seed_from_u64(TEST_SEED), Latch::new());
    let off = (0..TEST_STEPS)
        .filter(|_| test.1.step(&mut test.0).1 == [0.0])
        .count();
    outln!(
        "a new stream of {TEST_STEPS} steps (seed {TEST_SEED}; the latch is off in {off} of \
         them), run one step at a time from zeros:"
    );
    outln!(
        "  state carried on in training: {a}/{TEST_STEPS} steps right ({:.2}%)",
        percent(a)
    );
    match &zeros {
        Some(z) => {
            let b = follow(&z.model);
            outln!(
                "  every window from zeros:      {b}/{TEST_STEPS} steps right ({:.2}%)",
                percent(b)
            );
        }
        None => {
            outln!("  every window from zeros:      not trained (a resumed run has one learner)")
        }
    }
    match last[0] {
        Some(loss) => outln!(
            "final loss (state carried): {loss} (bits 0x{:08x})",
            loss.to_bits()
        ),
        None => outln!(
            "final loss (state carried): none (no window trained: the state is at --windows)"
        ),
    }
    outln!(
        "weights checksum (state carried): 0x{:08x}",
        carried.model.checksum()
    );
    if let Some(path) = &s.save_state {
        let mut buf = [0u8; T::STREAM_STATE_LEN];
        let n = carried.write_stream_state(&rng, &h, &mut buf)?;
        common::write_record(path, &buf[..n])?;
        outln!(
            "stream state ({n} bytes, window {}, with the hidden state) written to {}",
            carried.iterations(),
            path.display()
        );
    }

    let Some(path) = &s.out else { return Ok(()) };
    if last[0].is_none() {
        outln!(
            "no picture: no window was trained, {} left as it was",
            path.display()
        );
        return Ok(());
    }
    let curve_zeros = means_zeros.finish();
    plot(
        path,
        &Run {
            origin: &origin,
            lr,
            first: start,
            windows: s.windows,
        },
        &means_carried.finish(),
        &carried.model,
        zeros.as_ref().map(|z| (&z.model, curve_zeros.as_slice())),
    )
    .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    outln!("picture written to {}", path.display());
    Ok(())
}

/// The picture: above, the loss curves of both trainings; below, the first steps of the test
/// stream, its set and reset pulses, the latch, and both models' outputs.
/// What the picture's title and axes say of a run.
struct Run<'a> {
    /// `seed 1`, or `resumed from PATH`.
    origin: &'a str,
    lr: f32,
    /// The window the run started after (0, or a resumed state's count).
    first: u32,
    windows: u32,
}

/// The picture. `zeros`: the model trained from zeros and its loss curve, which a resumed run
/// does not have.
fn plot(
    path: &Path,
    run: &Run,
    curve_carried: &[(f64, f64)],
    carried: &Model,
    zeros: Option<(&Model, &[(f64, f64)])>,
) -> Result<(), Box<dyn std::error::Error>> {
    common::register_font();
    let root = BitMapBackend::new(path, (1000, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "2-{HIDDEN}-1 RNN learning a latch from a stream (windows of {WINDOW} steps, {}, lr {})",
            run.origin,
            common::num(run.lr)
        ),
        ("sans-serif", 24),
    )?;
    let (top, bottom) = root.split_vertically(400);
    let (carried_color, zeros_color) = (COLORS[0], COLORS[1]);

    // Loss curves.
    let curve_zeros = zeros.map_or(&[][..], |z| z.1);
    let x_from = f64::from(run.first);
    let x_max = f64::from(run.windows).max(x_from + f64::from(PLOT_EVERY));
    let y_max = curve_carried
        .iter()
        .chain(curve_zeros)
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(1e-6, f64::max)
        * 1.3; // room for the legend above the curves
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!("Training: mean loss of each {PLOT_EVERY} windows"),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x_from..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("training window")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(format!("loss (sum over {WINDOW} steps)"))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    let mut curves = vec![(curve_carried, carried_color, "state carried on (step_from)")];
    if zeros.is_some() {
        curves.push((curve_zeros, zeros_color, "every window from zeros (step)"));
    }
    for (points, color, label) in curves {
        chart
            .draw_series(common::curve(points, color))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    common::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    // The test stream, one step at a time.
    let mut rng = XorShiftRng::seed_from_u64(TEST_SEED);
    let mut stream = Latch::new();
    let (mut h_c, mut h_z, mut y_c, mut y_z) = ([0.0; HIDDEN], [0.0; HIDDEN], [0.0], [0.0]);
    let (mut sets, mut resets) = (Vec::new(), Vec::new());
    let (mut target, mut out_c, mut out_z) = (Vec::new(), Vec::new(), Vec::new());
    for t in 0..SHOWN_STEPS {
        let ([set, reset], [d]) = stream.step(&mut rng);
        carried.step(&[set, reset], &mut h_c, &mut y_c);
        if let Some((zeros, _)) = zeros {
            zeros.step(&[set, reset], &mut h_z, &mut y_z);
        }
        let t = t as f64;
        if set > 0.5 {
            sets.push((t, 1.12));
        }
        if reset > 0.5 {
            resets.push((t, -0.12));
        }
        // The latch as a staircase: its value holds for the whole step.
        target.extend([(t - 0.5, f64::from(d)), (t + 0.5, f64::from(d))]);
        out_c.push((t, f64::from(y_c[0])));
        if zeros.is_some() {
            out_z.push((t, f64::from(y_z[0])));
        }
    }
    // The legend beside the chart, where it hides nothing.
    let (bottom, side) = bottom.split_horizontally(770);
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            format!("A new stream (seed {TEST_SEED}): its first {SHOWN_STEPS} steps"),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..(SHOWN_STEPS as f64 - 0.5), -0.25..1.25)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("output, run one step at a time from a zero state")
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    let (grey, green, red) = (RGBColor(0, 0, 0).mix(0.35), COLORS[2], COLORS[3]);
    chart.draw_series(LineSeries::new(target, grey.stroke_width(6)))?;
    chart.draw_series(LineSeries::new(out_c, carried_color.stroke_width(2)))?;
    chart.draw_series(LineSeries::new(out_z, zeros_color.stroke_width(2)))?;
    chart.draw_series(
        sets.iter()
            .map(|&p| TriangleMarker::new(p, 7, green.filled())),
    )?;
    chart.draw_series(
        resets
            .iter()
            .map(|&p| Cross::new(p, 6, red.stroke_width(2))),
    )?;

    let line = |y: i32| [(10, y), (40, y)];
    let entries: [(&str, LegendSample<'_>); 5] = [
        (
            "the latch (target)",
            PathElement::new(line(0), grey.stroke_width(6)).into_dyn(),
        ),
        (
            "output, trained with",
            PathElement::new(line(0), carried_color.stroke_width(2)).into_dyn(),
        ),
        (
            "output, trained with",
            PathElement::new(line(0), zeros_color.stroke_width(2)).into_dyn(),
        ),
        (
            "\"set\" fires",
            TriangleMarker::new((25, 0), 7, green.filled()).into_dyn(),
        ),
        (
            "\"reset\" fires",
            Cross::new((25, 0), 6, red.stroke_width(2)).into_dyn(),
        ),
    ];
    let second_lines = [
        "",
        "the state carried on",
        "every window from zeros",
        "",
        "",
    ];
    let font = ("sans-serif", 16).into_font();
    let mut y = 90;
    // (A resumed run has no model trained from zeros: its entry, the third, goes.)
    let shown = entries
        .into_iter()
        .zip(second_lines)
        .enumerate()
        .filter(|(k, _)| *k != 2 || zeros.is_some());
    for (_, ((text, sample), more)) in shown {
        side.draw(&(EmptyElement::at((0, y)) + sample))?;
        side.draw(&Text::new(text, (50, y - 8), font.clone()))?;
        if !more.is_empty() {
            y += 20;
            side.draw(&Text::new(more, (50, y - 8), font.clone()))?;
        }
        y += 34;
    }
    root.present()?;
    Ok(())
}
