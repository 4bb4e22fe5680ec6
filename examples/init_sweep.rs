//! The course's experiment done properly: how the initialisation and the hidden activation
//! decide whether the 2-16-1 RNN learns 8-bit addition, over many seeds.
//!
//! `cargo run --release --example init_sweep` trains every combination of
//! init (normal std 0.1, 0.2, 0.5, 1, 1.5, 2; Xavier; He) × activation (sigmoid, tanh) ×
//! 20 seeds for 10,000 iterations (lr 0.1, no biases: the course's setup otherwise), evaluates
//! every run on all 16,384 pairs every 500 iterations, prints a table (each convergence rate
//! with its 95% Wilson interval), and writes two PNGs. `--help` lists the flags.
//!
//! Determinism: run `i` of every combination uses the seed `splitmix64(base_seed + i)`, so all
//! combinations see the same seeds, and each run's result depends only on its seed and settings,
//! never on the number of threads or the order in which they finish.

#[macro_use]
mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::{
    BlockMeans, Series, count, median, median_opt, splitmix64, value, wilson, write_or_exit,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task;
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

const HIDDEN: usize = 16;
const BITS: usize = 8;
const LOSS_WINDOW: u32 = 100;

const USAGE: &str = "\
usage: init_sweep [flags]

Trains the 2-16-1 binary-addition RNN for every init x activation x seed and reports how often
and how fast it learns. Defaults: 20 seeds, 10000 iterations, lr 0.1, evaluation every 500.

flags:
  --seeds N         runs per combination (default 20)
  --iters N         training iterations per run (default 10000)
  --eval-every K    evaluate on all 16384 pairs every K iterations (default 500)
  --base-seed N     seed from which every run's seed is derived (default 2024)
  --lr X            learning rate (default 0.1)
  --threads N       worker threads (default: all cores)
  --out-dir DIR     where the PNGs go, an existing directory (default: the current one)
  --csv PATH        also write the summary table as CSV
  --runs-csv PATH   also write one CSV row per run
  --no-plot         do not write the PNGs
  -h, --help        this text";

struct Settings {
    seeds: u32,
    iters: u32,
    eval_every: u32,
    base_seed: u64,
    lr: f32,
    threads: usize,
    out_dir: Option<PathBuf>,
    csv: Option<PathBuf>,
    runs_csv: Option<PathBuf>,
}

/// The two pictures, written into `--out-dir`.
const LOSS_PNG: &str = "init_sweep_loss.png";
const RATES_PNG: &str = "init_sweep_convergence.png";

fn parse_args() -> Settings {
    let mut s = Settings {
        seeds: 20,
        iters: 10_000,
        eval_every: 500,
        base_seed: 2024,
        lr: 0.1,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        out_dir: Some(PathBuf::from(".")),
        csv: None,
        runs_csv: None,
    };
    common::for_each_flag(USAGE, |flag, a| {
        match flag {
            "--seeds" => s.seeds = count(USAGE, flag, a),
            "--iters" => s.iters = count(USAGE, flag, a),
            "--eval-every" => s.eval_every = count(USAGE, flag, a),
            "--base-seed" => s.base_seed = value(USAGE, flag, a, "an integer from 0 to 2^64-1"),
            "--lr" => s.lr = common::positive(USAGE, flag, a),
            "--threads" => s.threads = count(USAGE, flag, a),
            "--out-dir" => s.out_dir = Some(value(USAGE, flag, a, "a directory")),
            "--csv" => s.csv = Some(value(USAGE, flag, a, "a path")),
            "--runs-csv" => s.runs_csv = Some(value(USAGE, flag, a, "a path")),
            "--no-plot" => s.out_dir = None,
            _ => return false,
        }
        true
    });
    // Before the sweep, not after it: a bad output path loses nothing, and no output
    // overwrites another.
    common::check_dir(USAGE, "--out-dir", s.out_dir.as_deref());
    let loss_png = s.out_dir.as_ref().map(|d| d.join(LOSS_PNG));
    let rates_png = s.out_dir.as_ref().map(|d| d.join(RATES_PNG));
    common::check_distinct(
        USAGE,
        &[
            ("--csv", s.csv.as_deref()),
            ("--runs-csv", s.runs_csv.as_deref()),
            ("--out-dir (its loss picture)", loss_png.as_deref()),
            ("--out-dir (its convergence picture)", rates_png.as_deref()),
        ],
    );
    common::check_writable(USAGE, "--csv", s.csv.as_deref());
    common::check_writable(USAGE, "--runs-csv", s.runs_csv.as_deref());
    common::check_writable(USAGE, "--out-dir", loss_png.as_deref());
    common::check_writable(USAGE, "--out-dir", rates_png.as_deref());
    s
}

/// The inits of the sweep: the course's std values, then Xavier and He.
fn inits() -> Vec<Init> {
    let mut v: Vec<Init> = [0.1, 0.2, 0.5, 1.0, 1.5, 2.0]
        .into_iter()
        .map(|std| Init::Normal { std })
        .collect();
    v.extend([Init::Xavier, Init::He]);
    v
}

const ACTIVATIONS: [Activation; 2] = [Activation::Sigmoid, Activation::Tanh];

#[derive(Clone, Copy)]
struct Job {
    init: Init,
    activation: Activation,
    run: u32,
    seed: u64,
}

struct RunResult {
    final_exact: u64,
    final_bits: f64,
    /// Iterations after which the first evaluation found every pair right.
    first_perfect: Option<u32>,
    /// Iteration at which training stopped because it diverged.
    diverged_at: Option<u32>,
    /// Mean loss of each window of `LOSS_WINDOW` iterations, at the iteration count where it
    /// ends (the last window of a run that ends, or diverges, in the middle of one: over the
    /// iterations it trained).
    loss_curve: Vec<(f64, f64)>,
}

fn train(job: Job, s: &Settings) -> RunResult {
    let mut rng = XorShiftRng::seed_from_u64(job.seed);
    // Settings were validated when parsed, so neither step can fail.
    let model = Rnn::<2, HIDDEN, 1>::from_rng(&mut rng, job.init, job.activation)
        .expect("init std is valid");
    let mut trainer = Trainer::<2, HIDDEN, 1, BITS>::new(model, s.lr).expect("lr is valid");
    let mut first_perfect = None;
    let mut diverged_at = None;
    let mut loss_means = BlockMeans::new(LOSS_WINDOW);
    for i in 1..=s.iters {
        match task::train_step::<HIDDEN, BITS, _>(&mut trainer, &mut rng) {
            Ok((_, loss)) => loss_means.add(i - 1, loss),
            Err(_) => {
                diverged_at = Some(i);
                break;
            }
        }
        // The last iteration is evaluated once, below.
        if first_perfect.is_none()
            && i % s.eval_every == 0
            && i < s.iters
            && task::adds_every_pair::<HIDDEN, BITS>(&trainer.model)
        {
            first_perfect = Some(i);
        }
    }
    let acc = task::evaluate::<HIDDEN, BITS>(&trainer.model);
    // The final evaluation counts as one of the checks (whether or not `iters` is a multiple
    // of `eval_every`): a run that ends perfect has reached 100% by then.
    if first_perfect.is_none() && diverged_at.is_none() && acc.is_perfect() {
        first_perfect = Some(s.iters);
    }
    RunResult {
        final_exact: acc.exact,
        final_bits: acc.bit_rate(),
        first_perfect,
        diverged_at,
        loss_curve: loss_means.finish(),
    }
}

struct Summary {
    init: Init,
    activation: Activation,
    runs: usize,
    perfect: usize,
    diverged: usize,
    median_exact: f64,
    worst_exact: f64,
    median_first_perfect: Option<f64>,
}

impl Summary {
    /// The share of runs that reach 100%.
    fn rate(&self) -> f64 {
        self.perfect as f64 / self.runs as f64
    }

    /// The 95% Wilson interval of the rate that `perfect` of `runs` is a sample of.
    fn rate_interval(&self) -> (f64, f64) {
        wilson(self.perfect, self.runs)
    }
}

fn summarise(jobs: &[Job], results: &[RunResult]) -> Vec<Summary> {
    let pairs = (1u64 << (2 * (BITS - 1))) as f64;
    let mut out = Vec::new();
    for init in inits() {
        for activation in ACTIVATIONS {
            let rs: Vec<&RunResult> = jobs
                .iter()
                .zip(results)
                .filter(|(j, _)| j.init == init && j.activation == activation)
                .map(|(_, r)| r)
                .collect();
            let mut exact: Vec<f64> = rs.iter().map(|r| r.final_exact as f64 / pairs).collect();
            let mut first: Vec<Option<u32>> = rs.iter().map(|r| r.first_perfect).collect();
            out.push(Summary {
                init,
                activation,
                runs: rs.len(),
                perfect: rs.iter().filter(|r| r.final_exact as f64 == pairs).count(),
                diverged: rs.iter().filter(|r| r.diverged_at.is_some()).count(),
                median_exact: median(&mut exact),
                worst_exact: exact.iter().copied().fold(1.0, f64::min),
                median_first_perfect: median_opt(&mut first),
            });
        }
    }
    out
}

fn main() {
    let s = parse_args();
    let mut jobs = Vec::new();
    for init in inits() {
        for activation in ACTIVATIONS {
            for run in 0..s.seeds {
                let seed = splitmix64(s.base_seed.wrapping_add(u64::from(run)));
                jobs.push(Job {
                    init,
                    activation,
                    run,
                    seed,
                });
            }
        }
    }

    let (results, elapsed) = common::run_all(&jobs, s.threads, |job| train(*job, &s));
    let summary = summarise(&jobs, &results);

    outln!(
        "{} seeds x {} iterations per combination, lr {}, no biases, evaluation every {} \
         iterations, base seed {}, {} threads ({:.1} s)\n",
        s.seeds,
        s.iters,
        common::num(s.lr),
        s.eval_every,
        s.base_seed,
        s.threads,
        elapsed.as_secs_f64()
    );
    print!("{}", markdown_table(&summary, &s));

    if let Some(path) = &s.csv {
        write_or_exit(path, &summary_csv(&summary));
    }
    if let Some(path) = &s.runs_csv {
        write_or_exit(path, &runs_csv(&jobs, &results));
    }
    if let Some(dir) = &s.out_dir {
        // The directory exists: `check_dir` saw it before the sweep.
        let plotted = plot_curves(dir, &jobs, &results, &s);
        if let Err(e) = plotted.and_then(|()| plot_rates(dir, &summary, &s)) {
            eprintln!("error: could not write the plots to {}: {e}", dir.display());
            std::process::exit(1);
        }
        outln!("\nwrote {0}/{LOSS_PNG} and {0}/{RATES_PNG}", dir.display());
    }
}

fn fmt_first(x: Option<f64>) -> String {
    x.map_or("never".into(), |v| format!("{v:.0}"))
}

fn markdown_table(summary: &[Summary], s: &Settings) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| init | activation | reach 100% | 95% interval of that rate | median exact accuracy | \
         worst exact accuracy | median iterations to 100% (checked every {}) | diverged |",
        s.eval_every
    );
    let _ = writeln!(t, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in summary {
        let (low, high) = r.rate_interval();
        let _ = writeln!(
            t,
            "| {} | {} | {}/{} ({:.0}%) | {:.0}–{:.0}% | {:.2}% | {:.2}% | {} | {} |",
            common::init_name(r.init),
            r.activation.name(),
            r.perfect,
            r.runs,
            100.0 * r.rate(),
            100.0 * low,
            100.0 * high,
            100.0 * r.median_exact,
            100.0 * r.worst_exact,
            fmt_first(r.median_first_perfect),
            r.diverged
        );
    }
    t
}

fn summary_csv(summary: &[Summary]) -> String {
    let mut t = String::from(
        "init,activation,runs,reach_100,reach_100_low95,reach_100_high95,median_exact,worst_exact,\
         median_iters_to_100,diverged\n",
    );
    for r in summary {
        let (low, high) = r.rate_interval();
        let _ = writeln!(
            t,
            "{},{},{},{},{:.6},{:.6},{:.6},{:.6},{},{}",
            common::init_name(r.init),
            r.activation.name(),
            r.runs,
            r.perfect,
            low,
            high,
            r.median_exact,
            r.worst_exact,
            fmt_first(r.median_first_perfect),
            r.diverged
        );
    }
    t
}

fn runs_csv(jobs: &[Job], results: &[RunResult]) -> String {
    let mut t = String::from(
        "init,activation,run,seed,final_exact_pairs,final_bit_accuracy,first_100_at,diverged_at,last_window_loss\n",
    );
    for (j, r) in jobs.iter().zip(results) {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{:.6},{},{},{:.6}",
            common::init_name(j.init),
            j.activation.name(),
            j.run,
            j.seed,
            r.final_exact,
            r.final_bits,
            r.first_perfect.map_or("never".into(), |v| v.to_string()),
            r.diverged_at.map_or(String::new(), |v| v.to_string()),
            r.loss_curve.last().map_or(f64::NAN, |&(_, l)| l)
        );
    }
    t
}

/// The course's plot, one seed: the loss curve for each std value (sigmoid, as the course).
fn plot_curves(
    dir: &std::path::Path,
    jobs: &[Job],
    results: &[RunResult],
    s: &Settings,
) -> Result<(), Box<dyn std::error::Error>> {
    let series: Vec<Series> = jobs
        .iter()
        .zip(results)
        .filter(|(j, _)| {
            j.run == 0
                && j.activation == Activation::Sigmoid
                && matches!(j.init, Init::Normal { .. })
        })
        .map(|(j, r)| Series {
            label: common::init_name(j.init),
            points: &r.loss_curve,
        })
        .collect();
    common::line_chart(
        &dir.join(LOSS_PNG),
        &format!(
            "Loss by init std, sigmoid, one seed (run 0, seed {})",
            splitmix64(s.base_seed)
        ),
        "iteration",
        0.0,
        &format!("mean loss of each {LOSS_WINDOW} iterations"),
        &series,
    )
}

/// The share of runs that reach 100% exact accuracy, per init and activation.
fn plot_rates(
    dir: &std::path::Path,
    summary: &[Summary],
    s: &Settings,
) -> Result<(), Box<dyn std::error::Error>> {
    common::register_font();
    let path = dir.join(RATES_PNG);
    let root = BitMapBackend::new(&path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let names: Vec<String> = inits().into_iter().map(common::init_name).collect();
    let n = names.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Runs reaching 100% exact accuracy, with 95% intervals ({} seeds x {} iterations each)",
                s.seeds, s.iters
            ),
            ("sans-serif", 24),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            -0.5f64..(n as f64 - 0.5),
            // Room above 100% for the labels and the legend, but not up to the next tick, 120.
            0.0f64..119.0,
        )?;
    let label_names = names.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&move |x| {
            let k = x.round();
            if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < label_names.len() {
                label_names[k as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("initialisation")
        .y_desc("runs reaching 100% (%)")
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    let colors = [common::COLORS[0], common::COLORS[1]];
    for (a, activation) in ACTIVATIONS.iter().enumerate() {
        let color = colors[a];
        // (position, rate, 95% interval), in percent.
        let bars: Vec<(usize, f64, (f64, f64))> = summary
            .iter()
            .filter(|r| r.activation == *activation)
            .enumerate()
            .map(|(k, r)| {
                let (lo, hi) = r.rate_interval();
                (k, 100.0 * r.rate(), (100.0 * lo, 100.0 * hi))
            })
            .collect();
        let offset = if a == 0 { -0.38 } else { 0.02 };
        chart
            .draw_series(bars.iter().map(|&(k, v, _)| {
                let x0 = k as f64 + offset;
                Rectangle::new([(x0, 0.0), (x0 + 0.36, v)], color.filled())
            }))?
            .label(activation.name())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled()));
        // The interval: a whisker with caps, over the middle of the bar.
        let whisker = BLACK.stroke_width(2);
        for &(k, _, (lo, hi)) in &bars {
            let x = k as f64 + offset + 0.18;
            chart.draw_series([
                PathElement::new([(x, lo), (x, hi)], whisker),
                PathElement::new([(x - 0.05, lo), (x + 0.05, lo)], whisker),
                PathElement::new([(x - 0.05, hi), (x + 0.05, hi)], whisker),
            ])?;
        }
        // The rate, centred above the interval's top so that the whisker does not cross it.
        let label = ("sans-serif", 14)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(bars.iter().map(|&(k, v, (_, hi))| {
            Text::new(
                format!("{v:.0}"),
                (k as f64 + offset + 0.18, hi + 1.5),
                label.clone(),
            )
        }))?;
    }
    common::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}
