//! Classifies a problem of the UCR or UEA time-series archives (their `.ts` files): each series
//! read whole by a recurrent network, its class the softmax over the output of its last step.
//!
//!     cargo run --release --example classify -- --train BasicMotions_TRAIN.ts --test BasicMotions_TEST.ts
//!     cargo run --release --example classify -- --train X_TRAIN.ts --test X_TEST.ts --cell lstm --seeds 10
//!
//! Each channel is normalised by the training set's mean and deviation. The network (Elman, GRU
//! or LSTM, 16 hidden units or `--hidden`, Xavier, biases on) is trained with the softmax cross-entropy on the
//! label at the end of each series, exact BPTT over the whole series, clipping at 1 and Adam,
//! one series at a time in a shuffled order each epoch. It prints the test accuracy of each seed,
//! their median and worst, the confusion matrix of the first seed, and beside them the archives'
//! classic yardsticks on the same normalised data: the 1-nearest-neighbour with the Euclidean
//! distance (equal lengths only) and with dynamic time warping (full window).
//!
//! `--select` chooses Adam's rate and the epochs without the test set: by 5-fold
//! cross-validation on the training set (stratified folds), then trains on the whole training
//! set with them. `--device FILE.trds` runs what the firmware runs (a GRU at BasicMotions's own
//! shape, `common/device.rs`) and writes the data record the firmware embeds.
//!
//! **Shapes.** The network's sizes are constants of its type, so the example compiles one padded
//! size: up to 8 channels (the others are zero), up to 8 classes (the softmax spans 8 outputs;
//! a prediction is the largest of the problem's own) and series of up to 32, 128 or 512 steps
//! (the smallest that fits; a shorter series is padded after its end, and its label is read at
//! its own last step, so the padding changes nothing). A problem beyond these limits is refused
//! with a message that names the limit.

#[macro_use]
mod common;

use std::path::PathBuf;

use common::ts::{self, Dataset};
use common::{
    check_distinct, check_png, check_writable, count, for_each_flag, positive, run_all, splitmix64,
    usage_error, value, write_record,
};
use tinyrnn::gated::GatedAdam;
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmTrace};
use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::train::{Adam, CrossEntropy, Labels, Optimizer, Targets};
use tinyrnn::{Activation, Gradients, Init, Output, Rnn, Trace, XorShiftRng};

const USAGE: &str = "\
usage: classify --train FILE.ts --test FILE.ts [--cell elman|gru|lstm] [--hidden N] [--epochs N] [--lr X]
                [--seeds N] [--threads N] [--select] [--plot PATH] [--save PATH] [--device PATH]
                [--quiet]
  --train FILE    the training cases, a .ts file of the UCR/UEA archives
  --test FILE     the test cases
  --cell C        elman, gru (default) or lstm
  --hidden N      hidden units: 8, 16 (default) or 32
  --epochs N      passes over the training cases (default 100)
  --lr X          Adam's learning rate (default 0.01)
  --seeds N       runs, seeds 1 to N (default 1)
  --threads N     worker threads (default: all cores)
  --select        choose Adam's rate and the epochs by 5-fold cross-validation on the training
                  set (rates 0.01, 0.003, 0.001; 50, 100 or 200 epochs; 3 seeds a fold), then
                  train on the whole training set with them (instead of --lr and --epochs)
  --plot PATH     draw seed 1's training loss and test accuracy by epoch, and its confusion
                  matrix, as a PNG
  --save PATH     write seed 1's trained model as a record (.trnm for elman, .trgm for the
                  gated cells; of the padded shape 8-H-8)
  --device PATH   train as the firmware does (harness/firmware, feature `motions`): a GRU of
                  16 units at the problem's own shape, compiled for BasicMotions's (6 channels,
                  100 steps, 4 classes), seeds taken as they are; print each seed's checksum,
                  and write the data record the firmware embeds to PATH (.trds)
  --quiet         print only the summary";

const CHANNELS: usize = 8;
const CLASSES: usize = 8;
const HIDDEN: [usize; 3] = [8, 16, 32];
const LENGTHS: [usize; 3] = [32, 128, 512];
const CLIP: f32 = 1.0;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Cell {
    Elman,
    Gru,
    Lstm,
}

/// A problem's cases ready for the network: normalised, padded to `CHANNELS` inputs, each with
/// its length and class.
struct Prepared {
    cases: Vec<(Vec<[f32; CHANNELS]>, usize)>,
}

/// Each channel's mean and deviation over every step of every training case.
fn channel_stats(train: &Dataset) -> Vec<(f64, f64)> {
    (0..train.channels)
        .map(|c| {
            let values = train
                .cases
                .iter()
                .flat_map(|k| k.series[c].iter().map(|&v| f64::from(v)));
            let (n, sum, sq) =
                values.fold((0.0, 0.0, 0.0), |(n, s, q), v| (n + 1.0, s + v, q + v * v));
            let mean = sum / n;
            let sd = (sq / n - mean * mean).max(0.0).sqrt();
            (mean, if sd > 0.0 { sd } else { 1.0 })
        })
        .collect()
}

fn prepare(d: &Dataset, stats: &[(f64, f64)]) -> Prepared {
    let cases = d
        .cases
        .iter()
        .map(|k| {
            let steps = (0..k.len())
                .map(|t| {
                    core::array::from_fn(|c| match (k.series.get(c), stats.get(c)) {
                        (Some(s), Some(&(mean, sd))) => ((f64::from(s[t]) - mean) / sd) as f32,
                        _ => 0.0,
                    })
                })
                .collect();
            (steps, k.label)
        })
        .collect();
    Prepared { cases }
}

/// The sequence of `L` steps of a case (zeros after its end), its targets (one-hot at its last
/// step) and the mask that puts the label there.
fn padded<const L: usize>(
    case: &(Vec<[f32; CHANNELS]>, usize),
) -> ([[f32; CHANNELS]; L], [[f32; CLASSES]; L], [bool; L]) {
    let (steps, label) = case;
    let xs = core::array::from_fn(|t| steps.get(t).copied().unwrap_or([0.0; CHANNELS]));
    let last = steps.len() - 1;
    let mut ds = [[0.0; CLASSES]; L];
    ds[last][*label] = 1.0;
    let mask = core::array::from_fn(|t| t == last);
    (xs, ds, mask)
}

/// What a run ends with: test accuracy after each epoch, mean training loss of each epoch, the
/// confusion matrix after the last (`[true][predicted]`).
struct Run {
    accuracy: Vec<f64>,
    loss: Vec<f64>,
    confusion: Vec<Vec<u32>>,
    /// The trained model's record.
    record: Vec<u8>,
}

/// What every run of a problem shares: its number of classes, the epochs and Adam's rate.
#[derive(Clone, Copy)]
struct Setup {
    classes: usize,
    epochs: u32,
    lr: f32,
}

/// Trains and tests one cell on sequences of `L` steps.
macro_rules! train_cell {
    ($fn:ident, $model:ty, $init:expr, $trace:ident, $grads:ty, $adam:ty) => {
        fn $fn<const H: usize, const L: usize>(
            train: &Prepared,
            test: &Prepared,
            setup: Setup,
            seed: u64,
        ) -> Run {
            let Setup {
                classes,
                epochs,
                lr,
            } = setup;
            let mut rng = XorShiftRng::seed_from_u64(seed);
            let init: fn(&mut XorShiftRng) -> $model = $init;
            let mut model = init(&mut rng);
            let mut trace = $trace::<H, CLASSES, L>::zeros();
            let mut grads = <$grads>::zeros();
            let mut adam = <$adam>::default();
            let mut order: Vec<usize> = (0..train.cases.len()).collect();
            let mut run = Run {
                accuracy: Vec::new(),
                loss: Vec::new(),
                confusion: Vec::new(),
                record: Vec::new(),
            };
            for _ in 0..epochs {
                // Fisher-Yates with the run's generator.
                for i in (1..order.len()).rev() {
                    let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
                let mut total = 0.0;
                for &k in &order {
                    let (xs, ds, mask) = padded::<L>(&train.cases[k]);
                    let targets = Targets {
                        ds: &ds,
                        labels: Labels::Mask(&mask),
                    };
                    match model
                        .forward_trace_loss::<CrossEntropy, L>(None, &xs, targets, &mut trace)
                    {
                        Ok(loss) if loss.is_finite() => total += f64::from(loss),
                        _ => continue,
                    }
                    model.backward_loss_into::<CrossEntropy, L>(
                        None, &xs, targets, &trace, &mut grads,
                    );
                    if grads.clip_global_norm(CLIP).is_ok() {
                        // A refused update changes nothing: the next case goes on.
                        let _ = adam.update(&mut model, &grads, lr);
                    }
                }
                run.loss.push(total / train.cases.len() as f64);
                let mut confusion = vec![vec![0u32; classes]; classes];
                let mut ys = [[0.0; CLASSES]; L];
                for case in &test.cases {
                    let (xs, _, _) = padded::<L>(case);
                    model.forward_into(&xs, &mut ys);
                    let y = &ys[case.0.len() - 1][..classes];
                    let predicted =
                        (0..classes).fold(0, |best, c| if y[c] > y[best] { c } else { best });
                    confusion[case.1][predicted] += 1;
                }
                let right: u32 = (0..classes).map(|c| confusion[c][c]).sum();
                run.accuracy
                    .push(f64::from(right) / test.cases.len() as f64);
                run.confusion = confusion;
            }
            run.record = vec![0; <$model>::ENCODED_LEN];
            model
                .write_to(&mut run.record)
                .expect("a buffer of the record's length");
            run
        }
    };
}

train_cell!(
    train_elman,
    Rnn<CHANNELS, H, CLASSES>,
    |rng| Rnn::from_rng(rng, Init::Xavier, Activation::Tanh)
        .expect("Xavier")
        .with_biases(true)
        .with_output(Output::Softmax),
    Trace,
    Gradients<CHANNELS, H, CLASSES>,
    Adam<CHANNELS, H, CLASSES>
);
train_cell!(
    train_gru,
    Gru<CHANNELS, H, CLASSES>,
    |rng| Gru::from_rng(rng, Init::Xavier).expect("Xavier").with_output(Output::Softmax),
    GruTrace,
    GruGradients<CHANNELS, H, CLASSES>,
    GatedAdam<CHANNELS, H, CLASSES, 3>
);
train_cell!(
    train_lstm,
    Lstm<CHANNELS, H, CLASSES>,
    |rng| Lstm::from_rng(rng, Init::Xavier).expect("Xavier").with_output(Output::Softmax),
    LstmTrace,
    LstmGradients<CHANNELS, H, CLASSES>,
    GatedAdam<CHANNELS, H, CLASSES, 4>
);

fn train_run(
    cell: Cell,
    hidden: usize,
    len: usize,
    train: &Prepared,
    test: &Prepared,
    setup: Setup,
    seed: u64,
) -> Run {
    macro_rules! at {
        ($(($h:literal, $l:literal)),*) => {
            match (cell, hidden, len) {
                $(
                    (Cell::Elman, $h, $l) => train_elman::<$h, $l>(train, test, setup, seed),
                    (Cell::Gru, $h, $l) => train_gru::<$h, $l>(train, test, setup, seed),
                    (Cell::Lstm, $h, $l) => train_lstm::<$h, $l>(train, test, setup, seed),
                )*
                _ => unreachable!("hidden sizes are {HIDDEN:?}, lengths {LENGTHS:?}"),
            }
        };
    }
    at!(
        (8, 32),
        (8, 128),
        (8, 512),
        (16, 32),
        (16, 128),
        (16, 512),
        (32, 32),
        (32, 128),
        (32, 512)
    )
}

/// `--device`: what the firmware runs (examples/common/device.rs), here on the desktop: writes
/// the data record, trains seeds 1 to `--seeds` and prints, for each, the lines the firmware
/// prints, then the table row.
fn on_device_shape(s: &Settings, path: &std::path::Path, problem: &Dataset, sets: [&Prepared; 2]) {
    use common::device::{self, CHANNELS as C, CLASSES as K, STEPS as L};
    let fail = |what: &str| -> ! {
        eprintln!("error: --device: {what}");
        std::process::exit(1);
    };
    let shape = format!(
        "the firmware is compiled for series of {L} steps, {C} channels and {K} classes (BasicMotions's)"
    );
    if problem.channels != C || problem.classes.len() != K {
        fail(&shape);
    }
    let name = &problem.name;
    let arrays = sets.map(|set| {
        set.cases
            .iter()
            .map(|(steps, class)| {
                if steps.len() != L || *class >= K {
                    fail(&shape);
                }
                let xs: [[f32; C]; L] =
                    core::array::from_fn(|t| core::array::from_fn(|c| steps[t][c]));
                (xs, *class)
            })
            .collect::<Vec<_>>()
    });
    let [train, test] = arrays
        .each_ref()
        .map(|v| v.iter().map(|(x, c)| (x, *c)).collect::<Vec<_>>());
    let mut bytes = vec![0u8; device::record_len(train.len(), test.len())];
    if let Err(e) = device::write(&train, &test, &mut bytes) {
        fail(e.message());
    }
    let record = match device::read(&bytes).and_then(|r| r.check_values().map(|()| r)) {
        Ok(r) => r,
        Err(e) => fail(e.message()),
    };
    if let Err(e) = write_record(path, &bytes) {
        fail(&e.to_string());
    }
    if !s.quiet {
        outln!(
            "wrote {} (the data record, {} bytes)",
            path.display(),
            bytes.len()
        );
    }
    let seeds: Vec<u32> = (1..=s.seeds).collect();
    let (runs, _) = run_all(&seeds, s.threads, |&k| {
        let mut rng = XorShiftRng::seed_from_u64(u64::from(k));
        let mut work = Box::new(device::Work::new());
        work.start(&mut rng).expect("Xavier");
        let mut order: Vec<u16> = (0..record.train.len() as u16).collect();
        let mut confusion = [[0u16; K]; K];
        let mut lines = Vec::new();
        let mut right = 0;
        for epoch in 1..=s.epochs {
            let total = work.epoch(&record.train, &mut order, &mut rng, s.lr);
            if epoch % device::REPORT_EVERY == 0 || epoch == s.epochs {
                right = work.test(&record.test, &mut confusion);
                let m = device::millionths(total, record.train.len());
                lines.push(format!(
                    "epoch {epoch} loss {}.{:06} test {right}/{}",
                    m / 1_000_000,
                    m % 1_000_000,
                    record.test.len()
                ));
            }
        }
        let mut model = vec![0; device::Model::ENCODED_LEN];
        work.model
            .write_to(&mut model)
            .expect("a buffer of the record's length");
        (right, work.model.checksum(), lines, model)
    });
    let mut finals: Vec<f64> = Vec::new();
    for (k, (right, checksum, lines, _)) in seeds.iter().zip(&runs) {
        if !s.quiet {
            outln!("seed {k}:");
            for line in lines {
                outln!("{line}");
            }
            outln!("weights checksum: 0x{checksum:08x}");
        }
        finals.push(f64::from(*right) / record.test.len() as f64);
    }
    let worst = finals.iter().copied().fold(f64::INFINITY, f64::min);
    let median = common::median(&mut finals);
    outln!(
        "| {name} | GRU {C}-{}-{K} (the firmware's) | {} | {} | {} | {:.1}% | {:.1}% |",
        device::HIDDEN,
        device::HIDDEN,
        s.epochs,
        s.seeds,
        100.0 * median,
        100.0 * worst
    );
    if let (Some(path), Some((_, _, _, model))) = (&s.save, runs.first()) {
        if let Err(e) = write_record(path, model) {
            fail(&e.to_string());
        }
        outln!(
            "wrote {} (seed 1's model, {} bytes)",
            path.display(),
            model.len()
        );
    }
}

/// `--select`'s grid: Adam's rates, the epochs, the folds and the seeds of each fold.
const SELECT_RATES: [f32; 3] = [0.01, 0.003, 0.001];
const SELECT_EPOCHS: [u32; 3] = [50, 100, 200];
const FOLDS: usize = 5;
const SELECT_SEEDS: u32 = 3;

/// The fold of each training case: each class's cases in an order shuffled by a fixed generator,
/// dealt in turn to the folds (one deal across the classes, so that the folds' sizes differ by
/// one at most and each holds its share of every class).
fn folds(train: &Prepared, classes: usize) -> Vec<usize> {
    let mut rng = XorShiftRng::seed_from_u64(0x00f0_1d5e);
    let mut fold = vec![0; train.cases.len()];
    let mut dealt = 0;
    for c in 0..classes {
        let mut cases: Vec<usize> = (0..train.cases.len())
            .filter(|&k| train.cases[k].1 == c)
            .collect();
        for i in (1..cases.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            cases.swap(i, j);
        }
        for k in cases {
            fold[k] = dealt % FOLDS;
            dealt += 1;
        }
    }
    fold
}

/// `--select`: for each rate, trains on four folds and tests on the fifth, each fold with
/// [`SELECT_SEEDS`] seeds, for the most epochs of the grid, reading the held-out accuracy at
/// each epochs of the grid; returns the rate and epochs with the most held-out cases right
/// (the first in the grid's order on a tie: the larger rate, the fewer epochs) and that
/// accuracy. The test set is not read.
fn select(s: &Settings, len: usize, train: &Prepared, classes: usize) -> (f32, u32, f64) {
    let fold = folds(train, classes);
    let part = |f: usize, held: bool| Prepared {
        cases: (0..train.cases.len())
            .filter(|&k| (fold[k] == f) == held)
            .map(|k| train.cases[k].clone())
            .collect(),
    };
    let jobs: Vec<(usize, usize, u32)> = (0..SELECT_RATES.len())
        .flat_map(|r| (0..FOLDS).flat_map(move |f| (1..=SELECT_SEEDS).map(move |k| (r, f, k))))
        .collect();
    let most = SELECT_EPOCHS[SELECT_EPOCHS.len() - 1];
    let (right, _) = run_all(&jobs, s.threads, |&(r, f, k)| {
        let (fit, held) = (part(f, false), part(f, true));
        let setup = Setup {
            classes,
            epochs: most,
            lr: SELECT_RATES[r],
        };
        let run = train_run(
            s.cell,
            s.hidden,
            len,
            &fit,
            &held,
            setup,
            splitmix64(u64::from(k)),
        );
        SELECT_EPOCHS.map(|e| (run.accuracy[e as usize - 1] * held.cases.len() as f64).round())
    });
    let total = (train.cases.len() as u32 * SELECT_SEEDS) as f64;
    let mut best = (SELECT_RATES[0], SELECT_EPOCHS[0], -1.0);
    for (r, &lr) in SELECT_RATES.iter().enumerate() {
        for (e, &epochs) in SELECT_EPOCHS.iter().enumerate() {
            let sum: f64 = jobs
                .iter()
                .zip(&right)
                .filter(|((jr, _, _), _)| *jr == r)
                .map(|(_, counts)| counts[e])
                .sum();
            let accuracy = sum / total;
            if !s.quiet {
                outln!(
                    "cross-validation: Adam {lr}, {epochs} epochs: {:.1}% of the held-out cases right",
                    100.0 * accuracy
                );
            }
            if accuracy > best.2 {
                best = (lr, epochs, accuracy);
            }
        }
    }
    best
}

/// The 1-nearest-neighbour's test accuracy with the distance `dist`.
fn nearest_neighbour(
    train: &Prepared,
    test: &Prepared,
    dist: impl Fn(&[[f32; CHANNELS]], &[[f32; CHANNELS]]) -> f64 + Sync,
) -> f64 {
    let right = test
        .cases
        .iter()
        .filter(|(q, label)| {
            let best = train.cases.iter().map(|(s, l)| (dist(q, s), *l)).fold(
                (f64::INFINITY, usize::MAX),
                |a, b| if b.0 < a.0 { b } else { a },
            );
            best.1 == *label
        })
        .count();
    right as f64 / test.cases.len() as f64
}

fn squared(a: &[f32; CHANNELS], b: &[f32; CHANNELS]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x - y).powi(2)).sum()
}

/// The Euclidean distance (its square: the same order), or infinity for series of unequal
/// length.
fn euclidean(a: &[[f32; CHANNELS]], b: &[[f32; CHANNELS]]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter().zip(b).map(|(x, y)| squared(x, y)).sum()
}

/// Dynamic time warping with a full window, every channel together (the "dependent" DTW of
/// the UEA archive's baselines), on squared differences.
fn dtw(a: &[[f32; CHANNELS]], b: &[[f32; CHANNELS]]) -> f64 {
    let m = b.len();
    let mut prev = vec![f64::INFINITY; m + 1];
    let mut cur = vec![f64::INFINITY; m + 1];
    prev[0] = 0.0;
    for x in a {
        cur[0] = f64::INFINITY;
        for (j, y) in b.iter().enumerate() {
            let best = prev[j].min(prev[j + 1]).min(cur[j]);
            cur[j + 1] = squared(x, y) + best;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

struct Settings {
    train: PathBuf,
    test: PathBuf,
    cell: Cell,
    hidden: usize,
    epochs: u32,
    lr: f32,
    seeds: u32,
    threads: usize,
    plot: Option<PathBuf>,
    save: Option<PathBuf>,
    device: Option<PathBuf>,
    select: bool,
    quiet: bool,
}

fn parse() -> Settings {
    let (mut train, mut test) = (None, None);
    let mut fixed_setting = false;
    let mut s = Settings {
        train: PathBuf::new(),
        test: PathBuf::new(),
        cell: Cell::Gru,
        hidden: 16,
        epochs: 100,
        lr: 0.01,
        seeds: 1,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        plot: None,
        save: None,
        device: None,
        select: false,
        quiet: false,
    };
    for_each_flag(USAGE, |flag, args| {
        match flag {
            "--train" => train = Some(value(USAGE, flag, args, "a .ts file")),
            "--test" => test = Some(value(USAGE, flag, args, "a .ts file")),
            "--cell" => {
                s.cell = match value::<String>(USAGE, flag, args, "elman, gru or lstm").as_str() {
                    "elman" => Cell::Elman,
                    "gru" => Cell::Gru,
                    "lstm" => Cell::Lstm,
                    other => usage_error(
                        USAGE,
                        &format!("--cell: '{other}' is not elman, gru or lstm"),
                    ),
                }
            }
            "--hidden" => {
                s.hidden = count(USAGE, flag, args);
                if !HIDDEN.contains(&s.hidden) {
                    usage_error(
                        USAGE,
                        &format!("--hidden: {} is not one of {HIDDEN:?}", s.hidden),
                    );
                }
            }
            "--epochs" => {
                s.epochs = count(USAGE, flag, args);
                fixed_setting = true;
            }
            "--lr" => {
                s.lr = positive(USAGE, flag, args);
                fixed_setting = true;
            }
            "--seeds" => s.seeds = count(USAGE, flag, args),
            "--threads" => s.threads = count(USAGE, flag, args),
            "--plot" => s.plot = Some(value(USAGE, flag, args, "a PNG file")),
            "--save" => s.save = Some(value(USAGE, flag, args, "a file")),
            "--device" => s.device = Some(value(USAGE, flag, args, "a file")),
            "--select" => s.select = true,
            "--quiet" => s.quiet = true,
            _ => return false,
        }
        true
    });
    match (train, test) {
        (Some(a), Some(b)) => (s.train, s.test) = (a, b),
        _ => usage_error(USAGE, "--train and --test are both needed"),
    }
    check_png(USAGE, "--plot", s.plot.as_deref());
    check_writable(USAGE, "--save", s.save.as_deref());
    check_writable(USAGE, "--device", s.device.as_deref());
    check_distinct(
        USAGE,
        &[
            ("--plot", s.plot.as_deref()),
            ("--save", s.save.as_deref()),
            ("--device", s.device.as_deref()),
        ],
    );
    if s.select && (fixed_setting || s.device.is_some()) {
        usage_error(
            USAGE,
            "--select chooses the rate and the epochs: leave out --lr, --epochs and --device",
        );
    }
    if s.device.is_some() && (s.cell != Cell::Gru || s.hidden != common::device::HIDDEN) {
        usage_error(
            USAGE,
            "--device trains the firmware's GRU of 16 units: --cell gru, --hidden 16",
        );
    }
    s
}

fn read(path: &std::path::Path) -> Dataset {
    ts::read_file(path).unwrap_or_else(|e| {
        eprintln!("error: {}: {e}", path.display());
        std::process::exit(1);
    })
}

fn main() {
    let s = parse();
    let (train_set, test_set) = (read(&s.train), read(&s.test));
    if train_set.channels != test_set.channels || train_set.classes != test_set.classes {
        eprintln!("error: the training and test files differ in their dimensions or class labels");
        std::process::exit(1);
    }
    let classes = train_set.classes.len();
    let longest = train_set.max_len().max(test_set.max_len());
    let Some(&len) = LENGTHS.iter().find(|&&l| l >= longest) else {
        eprintln!(
            "error: series of {longest} steps: this example compiles series of up to {} steps",
            LENGTHS[2]
        );
        std::process::exit(1);
    };
    if train_set.channels > CHANNELS || classes > CLASSES {
        eprintln!(
            "error: {} channels and {classes} classes: this example compiles up to {CHANNELS} of each",
            train_set.channels
        );
        std::process::exit(1);
    }
    let stats = channel_stats(&train_set);
    let (train, test) = (prepare(&train_set, &stats), prepare(&test_set, &stats));
    if let Some(path) = &s.device {
        if s.plot.is_some() {
            usage_error(USAGE, "--device draws no picture: leave out --plot");
        }
        on_device_shape(&s, path, &train_set, [&train, &test]);
        return;
    }
    if !s.quiet {
        outln!(
            "{}: {} channels, {classes} classes, {} training and {} test cases, up to {longest} steps (compiled: {len})",
            train_set.name,
            train_set.channels,
            train.cases.len(),
            test.cases.len()
        );
    }
    let mut s = s;
    let mut chosen = "fixed";
    if s.select {
        let (lr, epochs, accuracy) = select(&s, len, &train, classes);
        outln!(
            "chosen by {FOLDS}-fold cross-validation on the training set: Adam {lr}, {epochs} epochs ({:.1}% of the held-out cases right)",
            100.0 * accuracy
        );
        (s.lr, s.epochs) = (lr, epochs);
        chosen = "5-fold CV";
    }
    let seeds: Vec<u32> = (1..=s.seeds).collect();
    // Each run with its time (the training and the test after each epoch).
    let (timed, _) = run_all(&seeds, s.threads, |&k| {
        let start = std::time::Instant::now();
        let run = train_run(
            s.cell,
            s.hidden,
            len,
            &train,
            &test,
            Setup {
                classes,
                epochs: s.epochs,
                lr: s.lr,
            },
            splitmix64(u64::from(k)),
        );
        (run, start.elapsed().as_secs_f64())
    });
    let mut seconds: Vec<f64> = timed.iter().map(|(_, t)| *t).collect();
    let runs: Vec<Run> = timed.into_iter().map(|(r, _)| r).collect();
    let mut finals: Vec<f64> = runs
        .iter()
        .map(|r| r.accuracy.last().copied().unwrap_or(0.0))
        .collect();
    for (k, f) in seeds.iter().zip(&finals) {
        if !s.quiet {
            outln!("seed {k}: test accuracy {:.1}%", 100.0 * f);
        }
    }
    let worst = finals.iter().copied().fold(f64::INFINITY, f64::min);
    let median = common::median(&mut finals);
    let per_run = common::median(&mut seconds);
    outln!(
        "{:?}, {} epochs, Adam {}: test accuracy median {:.1}%, worst {:.1}% over {} seeds ({:.2} s a run, {:.1} ms an epoch)",
        s.cell,
        s.epochs,
        s.lr,
        100.0 * median,
        100.0 * worst,
        s.seeds,
        per_run,
        1e3 * per_run / f64::from(s.epochs)
    );
    let euclid = nearest_neighbour(&train, &test, euclidean);
    let warped = nearest_neighbour(&train, &test, dtw);
    outln!(
        "1-NN Euclidean: {:.1}%; 1-NN DTW (full window): {:.1}%",
        100.0 * euclid,
        100.0 * warped
    );
    // The same as a row of docs/classify.md's table (scripts/classify.sh).
    let cell = match s.cell {
        Cell::Elman => "Elman",
        Cell::Gru => "GRU",
        Cell::Lstm => "LSTM",
    };
    outln!(
        "| {} | {cell} | {} | {} | {chosen} | {} | {} | {:.1}% | {:.1}% | {:.1}% | {:.1}% |",
        train_set.name,
        s.hidden,
        s.lr,
        s.epochs,
        s.seeds,
        100.0 * median,
        100.0 * worst,
        100.0 * euclid,
        100.0 * warped
    );
    if let Some(first) = runs.first() {
        outln!("confusion matrix of seed 1 (rows: true class; columns: predicted):");
        for (c, row) in first.confusion.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|n| format!("{n:4}")).collect();
            outln!("{:>12} {}", train_set.classes[c], cells.join(""));
        }
        if let Some(path) = &s.save {
            if let Err(e) = write_record(path, &first.record) {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
            outln!(
                "wrote {} (seed 1's model, {} bytes)",
                path.display(),
                first.record.len()
            );
        }
        if let Some(path) = &s.plot {
            let title = format!("{}, {:?} (seed 1)", train_set.name, s.cell);
            if let Err(e) = draw(path, &title, first, &train_set.classes) {
                eprintln!("error: could not draw {}: {e}", path.display());
                std::process::exit(1);
            }
            outln!("wrote {}", path.display());
        }
    }
}

/// Three panels: the training loss by epoch, the test accuracy by epoch, the confusion matrix.
fn draw(
    path: &std::path::Path,
    title: &str,
    run: &Run,
    classes: &[String],
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    common::register_font();
    let root = BitMapBackend::new(path, (1500, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 24))?;
    let panels = root.split_evenly((1, 3));
    let epochs = run.loss.len() as f64;
    let curve = |area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
                 name: &str,
                 ys: &[f64],
                 top: f64,
                 color: RGBColor|
     -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..epochs.max(1.0), 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()?;
        chart.draw_series(LineSeries::new(
            ys.iter().enumerate().map(|(e, &y)| (e as f64 + 1.0, y)),
            color.stroke_width(2),
        ))?;
        Ok(())
    };
    let loss_top = run.loss.iter().copied().fold(0.0, f64::max) * 1.05;
    curve(
        &panels[0],
        "training loss (cross-entropy, mean a case)",
        &run.loss,
        loss_top.max(1e-6),
        common::COLORS[0],
    )?;
    let accuracy: Vec<f64> = run.accuracy.iter().map(|a| 100.0 * a).collect();
    curve(
        &panels[1],
        "test accuracy (%)",
        &accuracy,
        100.0,
        common::COLORS[1],
    )?;
    // The confusion matrix: a cell per (true, predicted), darker the more cases, with its count;
    // the rows named (with their numbers), the columns numbered.
    let n = classes.len().max(1);
    let (left, top) = (150, 70);
    let panel = &panels[2];
    let (w, h) = panel.dim_in_pixel();
    let side = ((w as i32 - left - 20).min(h as i32 - top - 20) / n as i32).max(1);
    let most = run
        .confusion
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    for (t, row) in run.confusion.iter().enumerate() {
        let y = top + t as i32 * side;
        for (p, &count) in row.iter().enumerate() {
            let x = left + p as i32 * side;
            let shade = 255 - (200 * count / most) as u8;
            panel.draw(&Rectangle::new(
                [(x, y), (x + side, y + side)],
                RGBColor(shade, shade, 255).filled(),
            ))?;
            panel.draw(&Rectangle::new(
                [(x, y), (x + side, y + side)],
                BLACK.stroke_width(1),
            ))?;
            let ink = if count * 2 > most { WHITE } else { BLACK };
            let font = ("sans-serif", 16).into_font().color(&ink);
            panel.draw(&Text::new(
                count.to_string(),
                (x + side / 2 - 8, y + side / 2 - 8),
                font,
            ))?;
        }
        let name = format!("{} {}", t + 1, classes[t]);
        panel.draw(&Text::new(name, (10, y + side / 2 - 8), ("sans-serif", 14)))?;
    }
    for p in 0..n {
        let x = left + p as i32 * side + side / 2 - 4;
        panel.draw(&Text::new(
            (p + 1).to_string(),
            (x, top - 20),
            ("sans-serif", 14),
        ))?;
    }
    panel.draw(&Text::new(
        "confusion matrix: rows true, columns predicted",
        (10, 8),
        ("sans-serif", 16),
    ))?;
    root.present()?;
    Ok(())
}
