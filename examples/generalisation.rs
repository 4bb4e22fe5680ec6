//! Has the network learnt to add, or only to add 8-bit numbers? Trains 2-16-1 networks on 8-bit
//! sums, as the course does, then asks them for 16- and 32-bit sums: a network that has learnt
//! to carry carries for as long as the sequence runs.
//!
//!     cargo run --release --example generalisation
//!     cargo run --release --example generalisation -- --seeds 20 --pairs 100000 --csv runs.csv
//!
//! Two setups, 20 seeds each (run `i` from the seed `splitmix64(i)`, as the sweeps), 10,000
//! iterations each (the course's budget): the course's own (sigmoid, normal(0, 1) weights, SGD at
//! 0.1, squared error, no biases) and the settings sweep's pick (tanh, Xavier, SGD at 0.5, biases,
//! clipping at 1, binary cross-entropy). Each network is evaluated on all 16,384 8-bit pairs and
//! on the same 100,000 random 16-bit and 32-bit pairs (`a, b < 2^15` and `< 2^31`): the share of
//! sums it gets exactly right, and on the 31 sums `(2^k - 1) + 1` whose carry runs through `k`
//! bits. It prints a table; `--csv` writes one row a run.

#[macro_use]
mod common;

use std::path::PathBuf;

use common::{splitmix64, value, write_or_exit};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::train::{CrossEntropy, Loss, Sgd, SquaredError};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

const HIDDEN: usize = 16;
const ITERS: u32 = 10_000;

const USAGE: &str = "\
usage: generalisation [--seeds N] [--pairs N] [--csv FILE]
  --seeds N    networks trained per setup (default 20)
  --pairs N    random pairs of each longer length (default 100000)
  --csv FILE   write one row a run";

/// A way of training.
#[derive(Clone, Copy)]
struct Setup {
    name: &'static str,
    activation: Activation,
    init: Init,
    lr: f32,
    biases: bool,
    clip: Option<f32>,
    cross_entropy: bool,
}

const SETUPS: [Setup; 2] = [
    Setup {
        name: "the course's (sigmoid, std 1, SGD 0.1, squared error)",
        activation: Activation::Sigmoid,
        init: Init::Normal { std: 1.0 },
        lr: 0.1,
        biases: false,
        clip: None,
        cross_entropy: false,
    },
    Setup {
        name: "the sweep's pick (tanh, Xavier, SGD 0.5, biases, clip 1, cross-entropy)",
        activation: Activation::Tanh,
        init: Init::Xavier,
        lr: 0.5,
        biases: true,
        clip: Some(1.0),
        cross_entropy: true,
    },
];

/// What one trained network does on sums of 8, 16 and 32 bits: exact sums out of those tried.
struct Run {
    diverged: bool,
    exact: [u64; 4],
    tried: [u64; 4],
}

fn main() {
    let (mut seeds, mut pairs, mut csv) = (20u32, 100_000u64, None::<PathBuf>);
    common::for_each_flag(USAGE, |flag, args| {
        match flag {
            "--seeds" => seeds = value(USAGE, flag, args, "a whole number"),
            "--pairs" => pairs = value(USAGE, flag, args, "a whole number"),
            "--csv" => csv = Some(value(USAGE, flag, args, "a path")),
            _ => return false,
        }
        true
    });
    if seeds == 0 || pairs == 0 {
        common::usage_error(USAGE, "--seeds and --pairs must be at least 1");
    }
    common::check_writable(USAGE, "--csv", csv.as_deref());

    let jobs: Vec<(usize, u32)> = (0..SETUPS.len())
        .flat_map(|s| (0..seeds).map(move |i| (s, i)))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (runs, _) = common::run_all(&jobs, threads, |&(s, i)| run(SETUPS[s], i, pairs));

    outln!(
        "| setup ({seeds} seeds, {ITERS} iterations on 8-bit sums) | 8 bits: networks exact on all 16,384 pairs | 16 bits: median exact (worst, best) | 16 bits: networks exact on all {pairs} | 32 bits: median exact (worst, best) | 32 bits: networks exact on all {pairs} | 32 bits: networks right on every carry chain (31 pairs) |"
    );
    outln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut rows = String::from(
        "setup,seed,diverged,exact8,pairs8,exact16,pairs16,exact32,pairs32,chains32\n",
    );
    for (s, setup) in SETUPS.iter().enumerate() {
        let mine: Vec<&Run> = jobs
            .iter()
            .zip(&runs)
            .filter(|((js, _), _)| *js == s)
            .map(|(_, r)| r)
            .collect();
        let perfect = |k: usize| mine.iter().filter(|r| r.exact[k] == r.tried[k]).count();
        let rate = |k: usize| {
            let mut v: Vec<f64> = mine
                .iter()
                .map(|r| r.exact[k] as f64 / r.tried[k].max(1) as f64 * 100.0)
                .collect();
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
            let med = common::median(&mut v);
            format!("{med:.3}% ({lo:.3}%, {hi:.3}%)")
        };
        let diverged = mine.iter().filter(|r| r.diverged).count();
        let name = if diverged > 0 {
            format!("{} — {diverged} diverged", setup.name)
        } else {
            setup.name.to_string()
        };
        outln!(
            "| {name} | {}/{} | {} | {}/{} | {} | {}/{} | {}/{} |",
            perfect(0),
            mine.len(),
            rate(1),
            perfect(1),
            mine.len(),
            rate(2),
            perfect(2),
            mine.len(),
            perfect(3),
            mine.len()
        );
        for ((_, seed), r) in jobs.iter().zip(&runs).filter(|((js, _), _)| *js == s) {
            rows += &format!(
                "{s},{seed},{},{},{},{},{},{},{},{}\n",
                r.diverged,
                r.exact[0],
                r.tried[0],
                r.exact[1],
                r.tried[1],
                r.exact[2],
                r.tried[2],
                r.exact[3]
            );
        }
    }
    if let Some(csv) = csv {
        write_or_exit(&csv, &rows);
    }
}

/// Trains one network of `setup` from seed `splitmix64(i)` and tries it on the three lengths.
fn run(setup: Setup, i: u32, pairs: u64) -> Run {
    let mut rng = XorShiftRng::seed_from_u64(splitmix64(u64::from(i)));
    let model = Rnn::<2, HIDDEN, 1>::from_rng(&mut rng, setup.init, setup.activation)
        .expect("a valid init")
        .with_biases(setup.biases);
    let model = if setup.cross_entropy {
        train(model, setup, CrossEntropy, &mut rng)
    } else {
        train(model, setup, SquaredError, &mut rng)
    };
    let Some(model) = model else {
        return Run {
            diverged: true,
            exact: [0; 4],
            tried: [16_384, pairs, pairs, 31],
        };
    };
    let all8 = task::evaluate::<HIDDEN, 8>(&model);
    Run {
        diverged: false,
        // The same test pairs for every network: seeds 16 and 32.
        exact: [
            all8.exact,
            longer::<16>(&model, pairs),
            longer::<32>(&model, pairs),
            chains(&model),
        ],
        tried: [all8.pairs, pairs, pairs, 31],
    }
}

/// The model after `ITERS` iterations of `setup` with `loss`, or `None` if a step diverged.
fn train<Lo: Loss>(
    model: Rnn<2, HIDDEN, 1>,
    setup: Setup,
    loss: Lo,
    rng: &mut XorShiftRng,
) -> Option<Rnn<2, HIDDEN, 1>> {
    let mut trainer = Trainer::<2, HIDDEN, 1, 8, Lo, Sgd>::with(model, setup.lr, loss, Sgd)
        .and_then(|t| t.with_clip(setup.clip))
        .expect("valid settings");
    for _ in 0..ITERS {
        let s = Sample::<8>::random(rng);
        trainer.step(&s.xs, &s.ds).ok()?;
    }
    Some(trainer.model)
}

/// How many of the 31 sums `(2^k - 1) + 1`, `k = 1..=31`, the model adds exactly as 32-bit
/// sums: a carry through `k` bits, every length to the longest (random pairs seldom carry far).
fn chains(model: &Rnn<2, HIDDEN, 1>) -> u64 {
    let mut ys = [[0.0f32; 1]; 32];
    (1..=31u32)
        .filter(|&k| {
            let s = Sample::<32>::new((1 << k) - 1, 1).expect("a sum below 2^32");
            model.forward_into(&s.xs, &mut ys);
            task::decode_outputs(&ys) == s.sum()
        })
        .count() as u64
}

/// How many of `pairs` random `N`-bit pairs (`a, b < 2^(N-1)`, from the seed `N`) the model
/// adds exactly.
fn longer<const N: usize>(model: &Rnn<2, HIDDEN, 1>, pairs: u64) -> u64 {
    let mut rng = XorShiftRng::seed_from_u64(N as u64);
    let mut ys = [[0.0f32; 1]; N];
    (0..pairs)
        .filter(|_| {
            let s = Sample::<N>::random(&mut rng);
            model.forward_into(&s.xs, &mut ys);
            task::decode_outputs(&ys) == s.sum()
        })
        .count() as u64
}
