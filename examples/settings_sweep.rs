//! Which training settings learn 8-bit addition fastest: the course's 2-16-1 RNN under every
//! combination of hidden activation and init, optimiser and learning rate, loss, biases and
//! gradient clipping, each run until it adds every pair right.
//!
//! `cargo run --release --example settings_sweep` works in two rounds. The screen trains every
//! setting of the grid (`--help` lists it) from `--screen-seeds` seeds (default 20) for at most
//! `--screen-iters` iterations (default 2000). The confirmation retrains, from `--seeds` new
//! seeds (default 100) for at most `--iters` iterations (default 10,000): the best settings of the
//! screen, the best with each value of each dimension (the best Adam, the best without biases,
//! ...), and two references (the course's setup, and `init_sweep`'s pick). Fresh seeds keep the
//! screen's luck out of the confirmed figures. Every run is checked on all 16,384 pairs every
//! `--eval-every` iterations (default 100) and stops at the first check that finds them all
//! right. It prints the confirmed table, best first, and the setting it recommends, and draws
//! the share of runs that have learnt by each iteration.
//!
//! The check is exact and cheap (`task::adds_every_pair`): it walks the tree of the pairs' bits
//! and stops at the first wrong output, so a network that is far from right costs a few steps,
//! and one that is right costs the 38,228 steps of `task::evaluate`.
//!
//! Determinism: run `i` uses the seed `splitmix64(base_seed + i)` (as `init_sweep`; the screen
//! takes runs `0..screen_seeds`, the confirmation the next `seeds`), so every setting sees the same
//! seeds, and each run depends only on its seed and setting, never on the number of threads.

#[macro_use]
mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::{count, median_opt, splitmix64, value, wilson, write_or_exit};
use plotters::prelude::*;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::train::{Adam, CrossEntropy, Loss, Momentum, Optimizer, Sgd, SquaredError};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

const HIDDEN: usize = 16;
const BITS: usize = 8;

const USAGE: &str = "\
usage: settings_sweep [flags]

Trains the 2-16-1 binary-addition RNN under every setting of a grid, each run until it adds all
16384 pairs right, then retrains the best from new seeds, and reports how often and how soon each
setting gets there.

The grid (576 settings):
  hidden layer and init  tanh + xavier, tanh + he, sigmoid + he, sigmoid + std=1
  optimiser and lr       SGD: 0.1 0.2 0.5 1; momentum 0.9: 0.01 0.02 0.05 0.1 (a tenth of
                         SGD's: the same step once the velocity settles); Adam (betas
                         0.9,0.999): 0.003 0.01 0.03 0.1
  loss                   squared error (the course's), binary cross-entropy
  biases                 off, on
  gradient clipping      off, global norm 0.5, global norm 1

flags:
  --screen-seeds N  runs per setting in the screen (default 20)
  --screen-iters N  training iterations at most per screen run (default 2000)
  --seeds N         runs per confirmed setting, seeds the screen did not use (default 100)
  --iters N         training iterations at most per confirmation run (default 10000)
  --top N           the best settings of the screen that are confirmed (default 5)
  --eval-every K    check all 16384 pairs every K iterations (default 100)
  --base-seed N     seed from which every run's seed is derived (default 2024)
  --threads N       worker threads (default: all cores)
  --csv PATH        also write the confirmed settings' summary as CSV
  --screen-csv PATH also write every screened setting's summary as CSV
  --out PATH        the picture (default settings_sweep.png)
  --no-plot         do not write the picture
  -h, --help        this text";

/// The output layer's loss (the output is a sigmoid either way).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LossKind {
    Squared,
    CrossEntropy,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum OptimKind {
    Sgd,
    Momentum,
    Adam,
}

/// One point of the grid.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Setting {
    activation: Activation,
    init: Init,
    lr: f32,
    biases: bool,
    clip: Option<f32>,
    loss: LossKind,
    optim: OptimKind,
}

const MOMENTUM: f32 = 0.9;

impl Setting {
    fn loss_name(self) -> &'static str {
        match self.loss {
            LossKind::Squared => "mse",
            LossKind::CrossEntropy => "ce",
        }
    }

    fn optim_name(self) -> &'static str {
        match self.optim {
            OptimKind::Sgd => "sgd",
            OptimKind::Momentum => "momentum",
            OptimKind::Adam => "adam",
        }
    }

    /// The flags of `binary_addition` that train this setting.
    fn flags(self) -> String {
        let mut f = format!(
            "--activation {} --init {} --lr {}",
            self.activation.name(),
            match self.init {
                Init::Normal { .. } => "std".to_string(),
                other => common::init_name(other),
            },
            common::num(self.lr)
        );
        if let Init::Normal { std } = self.init {
            let _ = write!(f, " --std {}", common::num(std));
        }
        if self.biases {
            f += " --biases";
        }
        if let Some(c) = self.clip {
            let _ = write!(f, " --clip {}", common::num(c));
        }
        if self.loss == LossKind::CrossEntropy {
            f += " --loss ce";
        }
        match self.optim {
            OptimKind::Sgd => {}
            OptimKind::Momentum => {
                let _ = write!(f, " --optim momentum --momentum {}", common::num(MOMENTUM));
            }
            OptimKind::Adam => f += " --optim adam",
        }
        f
    }
}

/// The hidden layers and inits of the grid: the three that learn in 94 to 100 of 100 runs in
/// `init_sweep` (tanh with Xavier or He, sigmoid with He) and the course's (sigmoid, std 1).
const CELLS: [(Activation, Init); 4] = [
    (Activation::Tanh, Init::Xavier),
    (Activation::Tanh, Init::He),
    (Activation::Sigmoid, Init::He),
    (Activation::Sigmoid, Init::Normal { std: 1.0 }),
];
const OPTIMS: [OptimKind; 3] = [OptimKind::Sgd, OptimKind::Momentum, OptimKind::Adam];
const LOSSES: [LossKind; 2] = [LossKind::Squared, LossKind::CrossEntropy];
const CLIPS: [Option<f32>; 3] = [None, Some(0.5), Some(1.0)];

fn learning_rates(optim: OptimKind) -> &'static [f32] {
    match optim {
        OptimKind::Sgd => &[0.1, 0.2, 0.5, 1.0],
        OptimKind::Momentum => &[0.01, 0.02, 0.05, 0.1],
        OptimKind::Adam => &[0.003, 0.01, 0.03, 0.1],
    }
}

/// The grid, in a fixed order.
fn grid() -> Vec<Setting> {
    let mut v = Vec::new();
    for (activation, init) in CELLS {
        for optim in OPTIMS {
            for &lr in learning_rates(optim) {
                for loss in LOSSES {
                    for biases in [false, true] {
                        for clip in CLIPS {
                            v.push(Setting {
                                activation,
                                init,
                                lr,
                                biases,
                                clip,
                                loss,
                                optim,
                            });
                        }
                    }
                }
            }
        }
    }
    v
}

/// The course's setup: sigmoid, std 1, SGD at 0.1, squared error, no biases, no clipping.
const COURSE: Setting = Setting {
    activation: Activation::Sigmoid,
    init: Init::Normal { std: 1.0 },
    lr: 0.1,
    biases: false,
    clip: None,
    loss: LossKind::Squared,
    optim: OptimKind::Sgd,
};
/// What `init_sweep` recommends: the course's setup with tanh and Xavier.
const INIT_SWEEP_PICK: Setting = Setting {
    activation: Activation::Tanh,
    init: Init::Xavier,
    ..COURSE
};

struct Settings {
    screen_seeds: u32,
    screen_iters: u32,
    seeds: u32,
    iters: u32,
    top: usize,
    eval_every: u32,
    base_seed: u64,
    threads: usize,
    out: Option<PathBuf>,
    csv: Option<PathBuf>,
    screen_csv: Option<PathBuf>,
}

fn parse_args() -> Settings {
    let mut s = Settings {
        screen_seeds: 20,
        screen_iters: 2000,
        seeds: 100,
        iters: 10_000,
        top: 5,
        eval_every: 100,
        base_seed: 2024,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        out: Some(PathBuf::from("settings_sweep.png")),
        csv: None,
        screen_csv: None,
    };
    let mut no_plot = false;
    common::for_each_flag(USAGE, |flag, a| {
        match flag {
            "--screen-seeds" => s.screen_seeds = count(USAGE, flag, a),
            "--screen-iters" => s.screen_iters = count(USAGE, flag, a),
            "--seeds" => s.seeds = count(USAGE, flag, a),
            "--iters" => s.iters = count(USAGE, flag, a),
            "--top" => s.top = count::<u32>(USAGE, flag, a) as usize,
            "--eval-every" => s.eval_every = count(USAGE, flag, a),
            "--base-seed" => s.base_seed = value(USAGE, flag, a, "an integer from 0 to 2^64-1"),
            "--threads" => s.threads = count(USAGE, flag, a),
            "--out" => s.out = Some(value(USAGE, flag, a, "a path")),
            "--csv" => s.csv = Some(value(USAGE, flag, a, "a path")),
            "--screen-csv" => s.screen_csv = Some(value(USAGE, flag, a, "a path")),
            "--no-plot" => no_plot = true,
            _ => return false,
        }
        true
    });
    if no_plot {
        s.out = None;
    }
    // Before the sweep, not after it: a bad output path loses nothing, and no output
    // overwrites another.
    common::check_distinct(
        USAGE,
        &[
            ("--csv", s.csv.as_deref()),
            ("--screen-csv", s.screen_csv.as_deref()),
            ("--out", s.out.as_deref()),
        ],
    );
    common::check_png(USAGE, "--out", s.out.as_deref());
    common::check_writable(USAGE, "--csv", s.csv.as_deref());
    common::check_writable(USAGE, "--screen-csv", s.screen_csv.as_deref());
    s
}

/// How one run went: the iterations after which the first check found every pair right, or
/// `None` (it never did, or a step was refused: a non-finite loss or update).
#[derive(Clone, Copy, Debug, PartialEq)]
struct RunResult {
    first_perfect: Option<u32>,
    diverged: bool,
}

fn run(setting: Setting, seed: u64, iters: u32, eval_every: u32) -> RunResult {
    let job = (setting, seed, iters, eval_every);
    match (setting.loss, setting.optim) {
        (LossKind::Squared, OptimKind::Sgd) => train(job, SquaredError, Sgd),
        (LossKind::CrossEntropy, OptimKind::Sgd) => train(job, CrossEntropy, Sgd),
        (LossKind::Squared, OptimKind::Momentum) => train(job, SquaredError, momentum()),
        (LossKind::CrossEntropy, OptimKind::Momentum) => train(job, CrossEntropy, momentum()),
        (LossKind::Squared, OptimKind::Adam) => train(job, SquaredError, Adam::default()),
        (LossKind::CrossEntropy, OptimKind::Adam) => train(job, CrossEntropy, Adam::default()),
    }
}

fn momentum() -> Momentum<2, HIDDEN, 1> {
    Momentum::new(MOMENTUM).expect("a valid momentum")
}

fn train<Lo: Loss, Op: Optimizer<2, HIDDEN, 1>>(
    (setting, seed, iters, eval_every): (Setting, u64, u32, u32),
    loss: Lo,
    optimizer: Op,
) -> RunResult {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    // The grid's settings are valid: none of these can fail.
    let model = Rnn::<2, HIDDEN, 1>::from_rng(&mut rng, setting.init, setting.activation)
        .expect("a valid init")
        .with_biases(setting.biases);
    let mut trainer =
        Trainer::<2, HIDDEN, 1, BITS, Lo, Op>::with(model, setting.lr, loss, optimizer)
            .and_then(|t| t.with_clip(setting.clip))
            .expect("valid settings");
    for i in 1..=iters {
        let sample = Sample::<BITS>::random(&mut rng);
        if trainer.step(&sample.xs, &sample.ds).is_err() {
            return RunResult {
                first_perfect: None,
                diverged: true,
            };
        }
        if (i % eval_every == 0 || i == iters)
            && task::adds_every_pair::<HIDDEN, BITS>(&trainer.model)
        {
            return RunResult {
                first_perfect: Some(i),
                diverged: false,
            };
        }
    }
    RunResult {
        first_perfect: None,
        diverged: false,
    }
}

/// Runs `runs` of every setting (run `r` from the seed `splitmix64(base_seed + first + r)`) on
/// `s.threads` threads, with a progress bar; the results by setting, in the order of the runs.
fn sweep(
    settings: &[Setting],
    first: u32,
    runs: u32,
    iters: u32,
    s: &Settings,
) -> Vec<Vec<RunResult>> {
    let jobs: Vec<(usize, u32)> = (0..settings.len())
        .flat_map(|k| (0..runs).map(move |run| (k, run)))
        .collect();
    let (flat, _) = common::run_all(&jobs, s.threads, |&(setting, r)| {
        let seed = splitmix64(s.base_seed.wrapping_add(u64::from(first + r)));
        run(settings[setting], seed, iters, s.eval_every)
    });
    let mut results: Vec<Vec<RunResult>> = settings.iter().map(|_| Vec::new()).collect();
    for (&(setting, _), r) in jobs.iter().zip(flat) {
        results[setting].push(r);
    }
    results
}

struct Summary {
    setting: Setting,
    runs: usize,
    perfect: usize,
    diverged: usize,
    median: Option<f64>,
    /// The most iterations a run took to reach 100%, when every run did.
    worst: Option<u32>,
    /// When each run reached 100%.
    firsts: Vec<Option<u32>>,
}

impl Summary {
    fn new(setting: Setting, rs: &[RunResult]) -> Self {
        let firsts: Vec<Option<u32>> = rs.iter().map(|r| r.first_perfect).collect();
        let perfect = firsts.iter().flatten().count();
        Summary {
            setting,
            runs: rs.len(),
            perfect,
            diverged: rs.iter().filter(|r| r.diverged).count(),
            median: median_opt(&mut firsts.clone()),
            worst: if perfect == rs.len() {
                firsts.iter().flatten().copied().max()
            } else {
                None
            },
            firsts,
        }
    }

    fn interval(&self) -> (f64, f64) {
        wilson(self.perfect, self.runs)
    }

    /// Better first: more runs reaching 100%, then a smaller median, then a smaller worst case.
    fn rank_key(&self) -> (std::cmp::Reverse<usize>, u64, u32) {
        (
            std::cmp::Reverse(self.perfect),
            self.median.map_or(u64::MAX, |m| (m * 2.0) as u64),
            self.worst.unwrap_or(u32::MAX),
        )
    }
}

/// The summaries ranked, best first; ties keep the given order.
fn ranked(summary: Vec<Summary>) -> Vec<Summary> {
    let mut v = summary;
    v.sort_by_key(Summary::rank_key);
    v
}

/// Why a setting is confirmed.
fn reasons(setting: Setting, screen: &[Summary], top: usize) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(k) = screen.iter().position(|r| r.setting == setting)
        && k < top
    {
        why.push(format!("screen's #{}", k + 1));
    }
    // The best of the screen with each value of each dimension.
    let best_with = |f: &dyn Fn(&Setting) -> bool| screen.iter().find(|r| f(&r.setting));
    let dims = dimension_values();
    for (name, test) in &dims {
        if best_with(test.as_ref()).is_some_and(|r| r.setting == setting) {
            why.push(format!("best {name}"));
        }
    }
    if setting == COURSE {
        why.push("the course's setup".into());
    }
    if setting == INIT_SWEEP_PICK {
        why.push("init_sweep's pick".into());
    }
    why
}

type Test = Box<dyn Fn(&Setting) -> bool>;

/// Each value of each dimension of the grid, named: "with Adam", "without biases", ...
fn dimension_values() -> Vec<(String, Test)> {
    let mut v: Vec<(String, Test)> = Vec::new();
    for (activation, init) in CELLS {
        v.push((
            format!("{} + {}", activation.name(), common::init_name(init)),
            Box::new(move |s: &Setting| s.activation == activation && s.init == init),
        ));
    }
    for optim in OPTIMS {
        v.push((
            format!("with {}", Setting { optim, ..COURSE }.optim_name()),
            Box::new(move |s: &Setting| s.optim == optim),
        ));
    }
    for loss in LOSSES {
        v.push((
            format!("with {}", Setting { loss, ..COURSE }.loss_name()),
            Box::new(move |s: &Setting| s.loss == loss),
        ));
    }
    for biases in [false, true] {
        v.push((
            (if biases {
                "with biases"
            } else {
                "without biases"
            })
            .into(),
            Box::new(move |s: &Setting| s.biases == biases),
        ));
    }
    for clip in CLIPS {
        v.push((
            clip.map_or("without clipping".into(), |c| {
                format!("with clip {}", common::num(c))
            }),
            Box::new(move |s: &Setting| s.clip == clip),
        ));
    }
    v
}

fn main() {
    let s = parse_args();
    let grid = grid();
    let t0 = std::time::Instant::now();
    let screen_results = sweep(&grid, 0, s.screen_seeds, s.screen_iters, &s);
    let screen = ranked(
        grid.iter()
            .zip(&screen_results)
            .map(|(&st, rs)| Summary::new(st, rs))
            .collect(),
    );
    // The settings to confirm, in the screen's order, then the references.
    let mut chosen: Vec<Setting> = Vec::new();
    for r in &screen {
        if !reasons(r.setting, &screen, s.top).is_empty() {
            chosen.push(r.setting);
        }
    }
    for reference in [INIT_SWEEP_PICK, COURSE] {
        if !chosen.contains(&reference) {
            chosen.push(reference);
        }
    }
    let confirm_results = sweep(&chosen, s.screen_seeds, s.seeds, s.iters, &s);
    let confirmed = ranked(
        chosen
            .iter()
            .zip(&confirm_results)
            .map(|(&st, rs)| Summary::new(st, rs))
            .collect(),
    );
    outln!(
        "screen: {} settings x {} seeds, at most {} iterations; confirmation: {} settings x {} \
         new seeds, at most {} iterations; every pair checked every {} iterations; base seed {}; \
         {} threads ({:.1} s)\n",
        grid.len(),
        s.screen_seeds,
        s.screen_iters,
        chosen.len(),
        s.seeds,
        s.iters,
        s.eval_every,
        s.base_seed,
        s.threads,
        t0.elapsed().as_secs_f64()
    );
    print!("{}", markdown_table(&confirmed, &screen, &s));
    let best = &confirmed[0];
    outln!(
        "\nrecommended: `{}`: {} of {} new seeds learn, median {} iterations, worst {}",
        best.setting.flags(),
        best.perfect,
        best.runs,
        fmt_iters(best.median),
        best.worst.map_or("never".into(), |w| w.to_string()),
    );

    if let Some(path) = &s.csv {
        write_or_exit(path, &summary_csv(&confirmed));
    }
    if let Some(path) = &s.screen_csv {
        write_or_exit(path, &summary_csv(&screen));
    }
    if let Some(path) = &s.out {
        if let Err(e) = plot(path, &confirmed, &s) {
            eprintln!("error: could not write {}: {e}", path.display());
            std::process::exit(1);
        }
        outln!("wrote {}", path.display());
    }
}

fn fmt_iters(x: Option<f64>) -> String {
    x.map_or("never".into(), |v| format!("{v:.0}"))
}

/// A setting in the words of a table row: `tanh + xavier, sgd 0.5, ce, biases, clip 1`.
fn describe(st: Setting) -> String {
    let mut d = format!(
        "{} + {}, {} {}, {}",
        st.activation.name(),
        common::init_name(st.init),
        st.optim_name(),
        common::num(st.lr),
        st.loss_name()
    );
    if st.biases {
        d += ", biases";
    }
    if let Some(c) = st.clip {
        let _ = write!(d, ", clip {}", common::num(c));
    }
    d
}

fn markdown_table(rows: &[Summary], screen: &[Summary], s: &Settings) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| setting | confirmed as | screen: reach 100% of {} runs, median | reach 100% of {} \
         new runs (95% interval) | median iterations to 100% | worst | diverged |",
        s.screen_seeds, s.seeds
    );
    let _ = writeln!(t, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        let (lo, hi) = r.interval();
        let why = reasons(r.setting, screen, s.top);
        let sc = screen.iter().find(|x| x.setting == r.setting);
        let _ = writeln!(
            t,
            "| {} | {} | {} | {}/{} ({:.0}–{:.0}%) | {} | {} | {} |",
            describe(r.setting),
            why.join("; "),
            sc.map_or("not in the grid".into(), |x| format!(
                "{}, {}",
                x.perfect,
                fmt_iters(x.median)
            )),
            r.perfect,
            r.runs,
            100.0 * lo,
            100.0 * hi,
            fmt_iters(r.median),
            r.worst.map_or("–".into(), |w| w.to_string()),
            r.diverged
        );
    }
    t
}

fn summary_csv(rows: &[Summary]) -> String {
    let mut t = String::from(
        "activation,init,optimizer,lr,loss,biases,clip,runs,reach_100,reach_100_low95,\
         reach_100_high95,median_iters_to_100,worst_iters_to_100,diverged\n",
    );
    for r in rows {
        let (lo, hi) = r.interval();
        let st = r.setting;
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{},{:.6},{:.6},{},{},{}",
            st.activation.name(),
            common::init_name(st.init),
            st.optim_name(),
            common::num(st.lr),
            st.loss_name(),
            if st.biases { "on" } else { "off" },
            st.clip.map_or("off".into(), common::num),
            r.runs,
            r.perfect,
            lo,
            hi,
            fmt_iters(r.median),
            r.worst.map_or("never".into(), |w| w.to_string()),
            r.diverged
        );
    }
    t
}

/// The share of runs that add every pair right by each iteration, for the recommended setting,
/// the best with each optimiser, without biases, without clipping, and the two references: how
/// much each choice buys.
fn plot(
    path: &std::path::Path,
    confirmed: &[Summary],
    s: &Settings,
) -> Result<(), Box<dyn std::error::Error>> {
    let find = |f: &dyn Fn(&Setting) -> bool| confirmed.iter().find(|r| f(&r.setting));
    let candidates: [(Option<&Summary>, &str); 7] = [
        (confirmed.first(), "recommended"),
        (find(&|st| st.optim == OptimKind::Momentum), "best momentum"),
        (find(&|st| st.optim == OptimKind::Adam), "best Adam"),
        (find(&|st| !st.biases), "best without biases"),
        (find(&|st| st.clip.is_none()), "best without clipping"),
        (find(&|st| *st == INIT_SWEEP_PICK), "init_sweep's pick"),
        (find(&|st| *st == COURSE), "the course's setup"),
    ];
    let mut shown: Vec<(&Summary, String)> = Vec::new();
    for (r, label) in candidates {
        if let Some(r) = r
            && !shown.iter().any(|(x, _)| x.setting == r.setting)
        {
            shown.push((r, format!("{label}: {}", describe(r.setting))));
        }
    }

    common::register_font();
    // The legend goes under the chart, where it hides no line.
    let root = BitMapBackend::new(path, (1100, 760)).into_drawing_area();
    root.fill(&WHITE)?;
    let legend_height = 24 * shown.len() as u32 + 20;
    let (upper, lower) = root.split_vertically(760 - legend_height);
    let x_max = f64::from(s.iters.max(s.eval_every * 2));
    let mut chart = ChartBuilder::on(&upper)
        .caption(
            format!(
                "Runs that add all 16,384 pairs right, by iteration ({} new seeds a setting)",
                s.seeds
            ),
            ("sans-serif", 24),
        )
        .margin(15)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((f64::from(s.eval_every)..x_max).log_scale(), 0.0f64..100.0)?;
    chart
        .configure_mesh()
        .x_desc("training iterations (log scale; every pair checked every 100)")
        .y_desc("runs that have learnt (%)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    for (i, (r, label)) in shown.iter().enumerate() {
        let color = common::COLORS[i % common::COLORS.len()];
        // A step curve: the share rises at each check where runs reached 100%.
        let mut points = Vec::new();
        let mut share = 0.0;
        let mut checks: Vec<u32> = r.firsts.iter().flatten().copied().collect();
        checks.sort_unstable();
        checks.dedup();
        points.push((f64::from(s.eval_every), 0.0));
        for c in checks {
            points.push((f64::from(c), share));
            let n = r.firsts.iter().filter(|f| **f == Some(c)).count();
            share += 100.0 * n as f64 / r.runs as f64;
            points.push((f64::from(c), share));
        }
        points.push((x_max, share));
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
        let y = 24 * i as i32 + 10;
        lower.draw(&PathElement::new(
            [(90, y + 9), (120, y + 9)],
            color.stroke_width(3),
        ))?;
        lower.draw(&Text::new(label.clone(), (130, y), ("sans-serif", 16)))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_stops_at_its_first_perfect_check_and_repeats() {
        let setting = Setting {
            activation: Activation::Tanh,
            init: Init::Xavier,
            lr: 0.5,
            biases: true,
            clip: Some(1.0),
            ..COURSE
        };
        let r = run(setting, splitmix64(2024), 3000, 100);
        assert!(
            r.first_perfect.is_some_and(|i| i % 100 == 0 && i <= 3000),
            "{r:?}"
        );
        assert_eq!(run(setting, splitmix64(2024), 3000, 100), r);
        // The same run, checked every 50 iterations, gets there no later.
        let finer = run(setting, splitmix64(2024), 3000, 50);
        assert!(
            finer.first_perfect.is_some() && finer.first_perfect <= r.first_perfect,
            "{finer:?} {r:?}"
        );
    }

    #[test]
    fn the_grid_and_its_names() {
        let g = grid();
        assert_eq!(g.len(), 576, "the usage text names the grid's size");
        assert!(g.contains(&INIT_SWEEP_PICK) && g.contains(&COURSE));
        assert!(
            g.iter().enumerate().all(|(k, x)| !g[..k].contains(x)),
            "no setting twice"
        );
        // A "best with" for each value of each dimension.
        assert_eq!(dimension_values().len(), 4 + 3 + 2 + 2 + 3);
        assert_eq!(
            Setting {
                clip: Some(1.0),
                loss: LossKind::CrossEntropy,
                optim: OptimKind::Adam,
                ..INIT_SWEEP_PICK
            }
            .flags(),
            "--activation tanh --init xavier --lr 0.1 --clip 1 --loss ce --optim adam"
        );
        assert_eq!(
            COURSE.flags(),
            "--activation sigmoid --init std --lr 0.1 --std 1"
        );
    }
}
