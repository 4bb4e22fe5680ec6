//! Why gates matter, measured: the Elman network, the GRU and the LSTM on a task whose answer
//! lies `T` steps back, `T` in {5, 10, 20, 40}, over seeds.
//!
//!     cargo run --release --example gating                       # the table, 20 seeds
//!     cargo run --release --example gating -- --csv docs/gating.csv --plot docs/gating.png
//!
//! The task: a sequence of `T + 1` random bits, one a step; at the last step, output the first
//! (the bit seen `T` steps before). Every step between is a distractor the network must not
//! store in its place. One bit of memory, carried `T` steps: what an Elman network's gradient,
//! shrinking step by step through `W`, has the most trouble to learn, and what a gate that
//! carries the state forward unchanged makes easy.
//!
//! Each cell has the same setup: 1-16-1, Xavier, biases on (the LSTM's forget gate at 1), a
//! sigmoid output and the binary cross-entropy at the last step only, exact BPTT over the whole
//! sequence, clipping at 1, and Adam at the learning rate picked for that cell (`--lr` to
//! change it) for `--iters` sequences, one at a time. A run has learnt the task when it answers
//! at least 99% of 1,000 new sequences right (chance is 50%).

#[macro_use]
mod common;

use std::path::PathBuf;

use common::{
    check_distinct, check_png, check_writable, count, for_each_flag, positive, run_all, splitmix64,
    usage_error, value, write_or_exit,
};
use tinyrnn::gated::GatedAdam;
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmTrace};
use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::train::{Adam, CrossEntropy, Labels, Optimizer, SquaredError, Targets};
use tinyrnn::{Activation, Gradients, Init, Output, Rnn, Trace, XorShiftRng};

const USAGE: &str = "\
usage: gating [--task recall|adding] [--seeds N] [--first-seed N] [--iters N] [--lr-rnn X]
              [--lr-gru X] [--lr-lstm X] [--sgd] [--threads N] [--screen] [--csv PATH]
              [--plot PATH] [--quiet]
  --task T        recall (the first bit, T steps later; default) or adding (the mean of two
                  marked numbers, the first T steps before the answer)
  --seeds N       runs per cell and distance (default 20)
  --first-seed N  the first run's seed number (default 1; the screen uses 101 to 105)
  --iters N       training sequences per run (default 8000)
  --lr-rnn X      the learning rate of the Elman network (default: the screen's pick)
  --lr-gru X      of the GRU (default: the screen's pick)
  --lr-lstm X     of the LSTM (default: the screen's pick)
  --sgd           plain SGD instead of Adam
  --threads N     worker threads (default: all cores)
  --screen        run each cell at each rate of 0.003, 0.01, 0.03 on seeds 101 to 105 and
                  print the pick: how the default rates were chosen
  --csv PATH      write every run's result here
  --plot PATH     draw the runs that learn, cell by distance, as a PNG
  --quiet         print only the table";

const HIDDEN: usize = 16;
const DISTANCES: [usize; 4] = [5, 10, 20, 40];
const TEST_SEQUENCES: u32 = 1000;
const LEARNT: u32 = 990;
const CLIP: f32 = 1.0;
const CELLS: [&str; 3] = ["Elman", "GRU", "LSTM"];

/// The two tasks.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Task {
    /// `T + 1` random bits; at the last step, the first.
    Recall,
    /// `T + 1` random numbers in [0, 1), two of them marked: the first, and one at a random
    /// later step; at the last step, their mean.
    Adding,
}

fn uniform(rng: &mut XorShiftRng) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// A sequence of `task` and its target at the last step (the other steps' targets are 0 and
/// not read).
fn sequence<const L: usize>(task: Task, rng: &mut XorShiftRng) -> ([[f32; 2]; L], [[f32; 1]; L]) {
    let mut ds = [[0.0; 1]; L];
    let xs: [[f32; 2]; L] = match task {
        Task::Recall => {
            let xs: [[f32; 2]; L] = core::array::from_fn(|_| [(rng.next_u32() >> 31) as f32, 0.0]);
            ds[L - 1] = [xs[0][0]];
            xs
        }
        Task::Adding => {
            let mut xs: [[f32; 2]; L] = core::array::from_fn(|_| [uniform(rng), 0.0]);
            let second = 1 + (rng.next_u32() as usize % (L - 1));
            xs[0][1] = 1.0;
            xs[second][1] = 1.0;
            ds[L - 1] = [(xs[0][0] + xs[second][0]) / 2.0];
            xs
        }
    };
    (xs, ds)
}

/// Whether an answer `y` to a target `d` is right: the bit on the right side of 0.5, the mean
/// within 0.04.
fn right_answer(task: Task, y: f32, d: f32) -> bool {
    match task {
        Task::Recall => (y > 0.5) == (d > 0.5),
        Task::Adding => (y - d).abs() < 0.04,
    }
}

/// What one run ends with: how many of the test sequences it answers right, and after how many
/// training sequences it first answered 99% of them (checked every 250).
struct Outcome {
    right: u32,
    learnt_at: Option<u32>,
}

/// A cell's training of one run: `$model` built by `$init`, trained with `$adam` on sequences
/// of `L` steps, its trace and gradients `$trace`, `$grads`.
macro_rules! train_cell {
    ($fn:ident, $model:ty, $init:expr, $trace:ident, $grads:ty, $adam:ty) => {
        fn $fn<const L: usize>(task: Task, sgd: bool, seed: u64, iters: u32, lr: f32) -> Outcome {
            let mut rng = XorShiftRng::seed_from_u64(seed);
            let init: fn(&mut XorShiftRng) -> $model = $init;
            let mut model = init(&mut rng);
            model.output = if task == Task::Adding {
                Output::Linear
            } else {
                Output::Sigmoid
            };
            let mut trace = $trace::<HIDDEN, 1, L>::zeros();
            let mut grads = <$grads>::zeros();
            let mut adam = <$adam>::default();
            let right = |model: &$model| {
                let mut test = XorShiftRng::seed_from_u64(seed ^ 0x7e57);
                let mut ys = [[0.0; 1]; L];
                (0..TEST_SEQUENCES)
                    .filter(|_| {
                        let (xs, ds) = sequence::<L>(task, &mut test);
                        model.forward_into(&xs, &mut ys);
                        right_answer(task, ys[L - 1][0], ds[L - 1][0])
                    })
                    .count() as u32
            };
            let mut learnt_at = None;
            for i in 1..=iters {
                let (xs, ds) = sequence::<L>(task, &mut rng);
                let targets = Targets {
                    ds: &ds,
                    labels: Labels::Last,
                };
                let loss =
                    match task {
                        Task::Recall => model
                            .forward_trace_loss::<CrossEntropy, L>(None, &xs, targets, &mut trace),
                        Task::Adding => model
                            .forward_trace_loss::<SquaredError, L>(None, &xs, targets, &mut trace),
                    };
                if !loss.is_ok_and(f32::is_finite) {
                    break;
                }
                match task {
                    Task::Recall => model.backward_loss_into::<CrossEntropy, L>(
                        None, &xs, targets, &trace, &mut grads,
                    ),
                    Task::Adding => model.backward_loss_into::<SquaredError, L>(
                        None, &xs, targets, &trace, &mut grads,
                    ),
                }
                if grads.clip_global_norm(CLIP).is_err() {
                    break;
                }
                let updated = if sgd {
                    model.sgd(&grads, lr)
                } else {
                    adam.update(&mut model, &grads, lr)
                };
                if updated.is_err() {
                    break;
                }
                if learnt_at.is_none() && i % 250 == 0 && right(&model) >= LEARNT {
                    learnt_at = Some(i);
                }
            }
            Outcome {
                right: right(&model),
                learnt_at,
            }
        }
    };
}

train_cell!(
    train_rnn,
    Rnn<2, HIDDEN, 1>,
    |rng| Rnn::from_rng(rng, Init::Xavier, Activation::Tanh).expect("Xavier").with_biases(true),
    Trace,
    Gradients<2, HIDDEN, 1>,
    Adam<2, HIDDEN, 1>
);
train_cell!(
    train_gru,
    Gru<2, HIDDEN, 1>,
    |rng| Gru::from_rng(rng, Init::Xavier).expect("Xavier"),
    GruTrace,
    GruGradients<2, HIDDEN, 1>,
    GatedAdam<2, HIDDEN, 1, 3>
);
train_cell!(
    train_lstm,
    Lstm<2, HIDDEN, 1>,
    |rng| Lstm::from_rng(rng, Init::Xavier).expect("Xavier"),
    LstmTrace,
    LstmGradients<2, HIDDEN, 1>,
    GatedAdam<2, HIDDEN, 1, 4>
);

/// One run of `cell` at distance `t`.
fn run(task: Task, sgd: bool, cell: usize, t: usize, seed: u64, iters: u32, lr: f32) -> Outcome {
    macro_rules! at {
        ($($d:literal),*) => {
            match (cell, t) {
                $(
                    (0, $d) => train_rnn::<{ $d + 1 }>(task, sgd, seed, iters, lr),
                    (1, $d) => train_gru::<{ $d + 1 }>(task, sgd, seed, iters, lr),
                    (_, $d) => train_lstm::<{ $d + 1 }>(task, sgd, seed, iters, lr),
                )*
                _ => unreachable!("distances are {DISTANCES:?}"),
            }
        };
    }
    at!(5, 10, 20, 40)
}

struct Settings {
    task: Task,
    sgd: bool,
    seeds: u32,
    first_seed: u32,
    iters: u32,
    lr: [Option<f32>; 3],
    threads: usize,
    screen: bool,
    csv: Option<PathBuf>,
    plot: Option<PathBuf>,
    quiet: bool,
}

/// The learning rates the screen picked (`--screen` reruns it): per task, per cell, of
/// [`SCREEN_RATES`], the one with the most runs that learn over the four distances on the
/// seeds 101 to 105 (a tie to the smaller rate), with Adam.
fn default_rates(task: Task) -> [f32; 3] {
    match task {
        Task::Recall => [0.003, 0.03, 0.003],
        Task::Adding => [0.003, 0.01, 0.01],
    }
}
const SCREEN_RATES: [f32; 3] = [0.003, 0.01, 0.03];
const SCREEN_SEEDS: (u32, u32) = (101, 5);

fn parse() -> Settings {
    let mut s = Settings {
        task: Task::Recall,
        sgd: false,
        seeds: 20,
        first_seed: 1,
        iters: 8000,
        lr: [None; 3],
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        screen: false,
        csv: None,
        plot: None,
        quiet: false,
    };
    for_each_flag(USAGE, |flag, args| {
        match flag {
            "--task" => {
                s.task = match value::<String>(USAGE, flag, args, "recall or adding").as_str() {
                    "recall" => Task::Recall,
                    "adding" => Task::Adding,
                    other => {
                        usage_error(USAGE, &format!("--task: '{other}' is not recall or adding"))
                    }
                }
            }
            "--seeds" => s.seeds = count(USAGE, flag, args),
            "--first-seed" => s.first_seed = count(USAGE, flag, args),
            "--iters" => s.iters = count(USAGE, flag, args),
            "--lr-rnn" => s.lr[0] = Some(positive(USAGE, flag, args)),
            "--lr-gru" => s.lr[1] = Some(positive(USAGE, flag, args)),
            "--lr-lstm" => s.lr[2] = Some(positive(USAGE, flag, args)),
            "--sgd" => s.sgd = true,
            "--threads" => s.threads = count(USAGE, flag, args),
            "--screen" => s.screen = true,
            "--csv" => s.csv = Some(value(USAGE, flag, args, "a file")),
            "--plot" => s.plot = Some(value(USAGE, flag, args, "a PNG file")),
            "--quiet" => s.quiet = true,
            _ => return false,
        }
        true
    });
    check_writable(USAGE, "--csv", s.csv.as_deref());
    check_png(USAGE, "--plot", s.plot.as_deref());
    check_distinct(
        USAGE,
        &[("--csv", s.csv.as_deref()), ("--plot", s.plot.as_deref())],
    );
    s
}

/// One cell at one distance with one seed.
#[derive(Clone, Copy)]
struct Job {
    cell: usize,
    t: usize,
    seed: u32,
    lr: f32,
}

/// Every run of `seeds` seeds from `first`, each cell at its rate, and their outcomes.
fn study(s: &Settings, rates: [f32; 3], first: u32, seeds: u32) -> (Vec<Job>, Vec<Outcome>) {
    let jobs: Vec<Job> = (0..CELLS.len())
        .flat_map(|cell| {
            DISTANCES.iter().flat_map(move |&t| {
                (first..first + seeds).map(move |seed| Job {
                    cell,
                    t,
                    seed,
                    lr: rates[cell],
                })
            })
        })
        .collect();
    let (outcomes, took) = run_all(&jobs, s.threads, |j| {
        run(
            s.task,
            s.sgd,
            j.cell,
            j.t,
            splitmix64(u64::from(j.seed)),
            s.iters,
            j.lr,
        )
    });
    if !s.quiet {
        eprintln!("{} runs in {:.1} s", jobs.len(), took.as_secs_f64());
    }
    (jobs, outcomes)
}

/// How many runs of `cell` at distance `t` learn the task.
fn learnt(jobs: &[Job], outcomes: &[Outcome], cell: usize, t: usize) -> usize {
    jobs.iter()
        .zip(outcomes)
        .filter(|(j, o)| j.cell == cell && j.t == t && o.right >= LEARNT)
        .count()
}

fn task_name(task: Task) -> &'static str {
    match task {
        Task::Recall => "recall",
        Task::Adding => "adding",
    }
}

fn main() {
    let s = parse();
    let optimiser = if s.sgd { "SGD" } else { "Adam" };
    if s.screen {
        // Each rate for every cell, on the screen's seeds; the pick per cell.
        let (first, seeds) = SCREEN_SEEDS;
        let mut best = [(0, 0.0f32); 3];
        outln!("| cell | {optimiser}'s rate | T = 5 | T = 10 | T = 20 | T = 40 | all |");
        outln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for rate in SCREEN_RATES {
            let (jobs, outcomes) = study(&s, [rate; 3], first, seeds);
            for (cell, name) in CELLS.iter().enumerate() {
                let counts: Vec<usize> = DISTANCES
                    .iter()
                    .map(|&t| learnt(&jobs, &outcomes, cell, t))
                    .collect();
                let all: usize = counts.iter().sum();
                if all > best[cell].0 || best[cell].1 == 0.0 {
                    best[cell] = (all, rate);
                }
                let cols: Vec<String> = counts.iter().map(|n| format!("{n}/{seeds}")).collect();
                outln!("| {name} | {rate} | {} | {all} |", cols.join(" | "));
            }
        }
        let picks: Vec<String> = CELLS
            .iter()
            .zip(best)
            .map(|(c, (_, r))| format!("{c} {r}"))
            .collect();
        outln!("picked: {}", picks.join(", "));
        return;
    }
    let defaults = default_rates(s.task);
    let rates: [f32; 3] = core::array::from_fn(|c| s.lr[c].unwrap_or(defaults[c]));
    let (jobs, outcomes) = study(&s, rates, s.first_seed, s.seeds);
    if !s.quiet {
        outln!(
            "{} task, {optimiser}, {} seeds from {}, {} sequences a run: runs that learn it",
            task_name(s.task),
            s.seeds,
            s.first_seed,
            s.iters
        );
    }
    // Each cell of the table: the runs that learn, and (in brackets) the median run's right
    // answers of 1,000.
    outln!("| cell | {optimiser}'s rate | T = 5 | T = 10 | T = 20 | T = 40 |");
    outln!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (cell, name) in CELLS.iter().enumerate() {
        let cols: Vec<String> = DISTANCES
            .iter()
            .map(|&t| {
                let mut right: Vec<f64> = jobs
                    .iter()
                    .zip(&outcomes)
                    .filter(|(j, _)| j.cell == cell && j.t == t)
                    .map(|(_, o)| f64::from(o.right))
                    .collect();
                let n = learnt(&jobs, &outcomes, cell, t);
                format!("{n}/{} ({:.0})", s.seeds, common::median(&mut right))
            })
            .collect();
        outln!("| {name} | {} | {} |", rates[cell], cols.join(" | "));
    }
    if let Some(path) = &s.csv {
        let mut csv =
            String::from("task,cell,T,seed,optimiser,lr,iters,right_of_1000,learnt,learnt_at\n");
        for (j, o) in jobs.iter().zip(&outcomes) {
            let at = o.learnt_at.map_or(String::new(), |i| i.to_string());
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                task_name(s.task),
                CELLS[j.cell],
                j.t,
                j.seed,
                optimiser,
                j.lr,
                s.iters,
                o.right,
                u8::from(o.right >= LEARNT),
                at
            ));
        }
        write_or_exit(path, &csv);
    }
    if let Some(path) = &s.plot {
        let counts: Vec<Vec<usize>> = (0..CELLS.len())
            .map(|cell| {
                DISTANCES
                    .iter()
                    .map(|&t| learnt(&jobs, &outcomes, cell, t))
                    .collect()
            })
            .collect();
        let labels: Vec<String> = CELLS
            .iter()
            .zip(rates)
            .map(|(name, rate)| format!("{name} ({optimiser}, rate {rate})"))
            .collect();
        let title = match s.task {
            Task::Recall => "The first bit, recalled T steps later",
            Task::Adding => "The mean of two marked numbers, the first T steps back",
        };
        if let Err(e) = draw(path, title, s.seeds, &labels, &counts) {
            eprintln!("error: could not draw {}: {e}", path.display());
            std::process::exit(1);
        }
        outln!("wrote {}", path.display());
    }
}

/// The runs that learn, cell by distance: one line a cell, a marker at each distance (the
/// distances evenly spaced: each is twice the last), each cell's a little aside so that equal
/// counts do not hide one another; the legend under the chart.
fn draw(
    path: &std::path::Path,
    title: &str,
    seeds: u32,
    labels: &[String],
    counts: &[Vec<usize>],
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    common::register_font();
    let (width, height) = (900u32, 600u32);
    let root = BitMapBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let legend_height = 24 * labels.len() as u32 + 16;
    let (upper, lower) = root.split_vertically(height - legend_height);
    let top = f64::from(seeds);
    let last = (DISTANCES.len() - 1) as f64;
    let mut chart = ChartBuilder::on(&upper)
        .caption(
            format!("{title}: runs of {seeds} that learn it"),
            ("sans-serif", 22),
        )
        .margin(15)
        .margin_right(30)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.3..last + 0.3, -0.05 * top..1.05 * top)?;
    let step = (seeds / 10).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("T: steps from the input to the answer")
        .y_desc("runs that learn it")
        .x_labels(4 * DISTANCES.len() + 1)
        .x_label_formatter(&|x| {
            let k = x.round();
            match DISTANCES.get(k as usize) {
                Some(t) if (x - k).abs() < 1e-6 && k >= 0.0 => t.to_string(),
                _ => String::new(),
            }
        })
        .y_labels(2 * (seeds / step) as usize + 1)
        .y_label_formatter(&|y| {
            let k = y.round();
            if (y - k).abs() < 1e-6 && k >= 0.0 && (k as u32).is_multiple_of(step) {
                format!("{k:.0}")
            } else {
                String::new()
            }
        })
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    for (i, (label, row)) in labels.iter().zip(counts).enumerate() {
        let color = common::COLORS[i % common::COLORS.len()];
        let aside = (i as f64 - (labels.len() - 1) as f64 / 2.0) * 0.04;
        let points: Vec<(f64, f64)> = row
            .iter()
            .enumerate()
            .map(|(k, &n)| (k as f64 + aside, n as f64))
            .collect();
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            color.stroke_width(3),
        ))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 6, color.filled())))?;
        let y = 24 * i as i32 + 8;
        lower.draw(&PathElement::new(
            [(90, y + 9), (120, y + 9)],
            color.stroke_width(3),
        ))?;
        lower.draw(&Circle::new((105, y + 9), 6, color.filled()))?;
        lower.draw(&Text::new(label.clone(), (130, y), ("sans-serif", 16)))?;
    }
    root.present()?;
    Ok(())
}
