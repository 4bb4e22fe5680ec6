//! The course's task learnt by a gated cell, a GRU or an LSTM (`tinyrnn::gru`, `tinyrnn::lstm`),
//! as the firmware's `gru` and `lstm` features train it on a microcontroller, and the same bits;
//! or, with `--seeds`, by each cell over many seeds, the Elman network beside them with the same
//! settings (the course compares its RNN with the LSTM and the GRU on this task).
//!
//!     cargo run --release --example gated_cells
//!     cargo run --release --example gated_cells -- --cell lstm --seed 3
//!
//! Trains on random pairs with the cell's trainer (`tinyrnn::gated::GatedTrainer`): exact BPTT,
//! the squared error on every step's output and plain gradient descent; prints the loss every 500 iterations, the accuracy over all 16,384 pairs,
//! the final loss (and its bits) and the weights' checksum, which the firmware prints too.

#[macro_use]
mod common;

use common::value;
use tinyrnn::gated::{GatedTrainer, GruTrainer, LstmTrainer};
use tinyrnn::gru::Gru;
use tinyrnn::lstm::Lstm;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Accuracy, Sample};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

const USAGE: &str = "\
usage: gated_cells [--cell gru|lstm|elman] [--seed N | --seeds N] [--iters N] [--init KIND] [--lr X]
                   [--threads N] [--quiet]
  --cell C          gru, lstm or elman (tanh), the same settings (default gru)
  --seed N          RNG seed (default 1)
  --seeds N         runs with the seeds 1 to N instead of one: each run's exact accuracy and the
                    iteration it first adds every pair right (checked every 250), and a summary
                    row (docs/gating.md, `bash scripts/sweep.sh gating-addition`)
  --iters N         training iterations (default 2000)
  --init KIND       std, xavier or he (default xavier)
  --lr X            learning rate of gradient descent (default 0.5)
  --threads N       worker threads with --seeds (default: all cores)
  --quiet           print only the summary";

const HIDDEN: usize = 16;
const STEPS: usize = 8;
const PRINT_EVERY: u32 = 500;
const CHECK_EVERY: u32 = 250;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Cell {
    Gru,
    Lstm,
    Elman,
}

/// A model being trained on the addition, whatever its cell.
trait Learner {
    /// One iteration on `s` (forward with the trace, BPTT, SGD); the loss before it.
    fn step(&mut self, s: &Sample<STEPS>) -> tinyrnn::Result<f32>;
    /// Accuracy over all 16,384 pairs.
    fn accuracy(&self) -> Accuracy;
    fn checksum(&self) -> u32;
}

impl Learner for GruTrainer<2, HIDDEN, 1, STEPS> {
    fn step(&mut self, s: &Sample<STEPS>) -> tinyrnn::Result<f32> {
        GatedTrainer::step(self, &s.xs, &s.ds)
    }
    fn accuracy(&self) -> Accuracy {
        task::evaluate_gru::<HIDDEN, STEPS>(&self.model)
    }
    fn checksum(&self) -> u32 {
        self.model.checksum()
    }
}

impl Learner for LstmTrainer<2, HIDDEN, 1, STEPS> {
    fn step(&mut self, s: &Sample<STEPS>) -> tinyrnn::Result<f32> {
        GatedTrainer::step(self, &s.xs, &s.ds)
    }
    fn accuracy(&self) -> Accuracy {
        task::evaluate_lstm::<HIDDEN, STEPS>(&self.model)
    }
    fn checksum(&self) -> u32 {
        self.model.checksum()
    }
}

impl Learner for Trainer<2, HIDDEN, 1, STEPS> {
    fn step(&mut self, s: &Sample<STEPS>) -> tinyrnn::Result<f32> {
        Trainer::step(self, &s.xs, &s.ds)
    }
    fn accuracy(&self) -> Accuracy {
        task::evaluate::<HIDDEN, STEPS>(&self.model)
    }
    fn checksum(&self) -> u32 {
        self.model.checksum()
    }
}

/// What a run ends with.
struct Run {
    acc: Accuracy,
    last: f32,
    checksum: u32,
    /// The first iteration (a multiple of [`CHECK_EVERY`]) after which every pair was right.
    learnt_at: Option<u32>,
}

/// The model of `cell` drawn from `rng`, with its trainer (SGD at `lr`, the squared error),
/// boxed: a trainer of a few KiB is not worth a copy on the stack.
fn learner(
    cell: Cell,
    rng: &mut XorShiftRng,
    init: Init,
    lr: f32,
) -> tinyrnn::Result<Box<dyn Learner + Send>> {
    Ok(match cell {
        Cell::Gru => Box::new(GruTrainer::new(Gru::from_rng(rng, init)?, lr)?),
        Cell::Lstm => Box::new(LstmTrainer::new(Lstm::from_rng(rng, init)?, lr)?),
        Cell::Elman => {
            let model = Rnn::from_rng(rng, init, Activation::Tanh)?.with_biases(true);
            Box::new(Trainer::new(model, lr)?)
        }
    })
}

/// Trains from `seed` for `iters` random pairs, printing the loss every [`PRINT_EVERY`]
/// iterations unless `quiet`, and checking every [`CHECK_EVERY`] if `check` whether every pair
/// is right.
fn run(
    cell: Cell,
    seed: u64,
    init: Init,
    lr: f32,
    iters: u32,
    quiet: bool,
    check: bool,
) -> tinyrnn::Result<Run> {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut l = learner(cell, &mut rng, init, lr)?;
    let (mut last, mut learnt_at) = (0.0f32, None);
    for i in 0..iters {
        let s = Sample::<STEPS>::random(&mut rng);
        last = l
            .step(&s)
            .inspect_err(|e| eprintln!("error: seed {seed}, iteration {i}: {e}"))?;
        if !quiet && i % PRINT_EVERY == 0 {
            outln!("iter {i} loss {last:.6}");
        }
        if check && learnt_at.is_none() && (i + 1) % CHECK_EVERY == 0 && l.accuracy().is_perfect() {
            learnt_at = Some(i + 1);
        }
    }
    Ok(Run {
        acc: l.accuracy(),
        last,
        checksum: l.checksum(),
        learnt_at,
    })
}

fn main() {
    let (mut cell, mut seed, mut seeds, mut iters, mut init, mut lr, mut quiet) =
        (Cell::Gru, None, None, 2_000u32, Init::Xavier, 0.5f32, false);
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    common::for_each_flag(USAGE, |flag, a| {
        match flag {
            "--cell" => {
                cell = match value::<String>(USAGE, flag, a, "gru, lstm or elman").as_str() {
                    "gru" => Cell::Gru,
                    "lstm" => Cell::Lstm,
                    "elman" => Cell::Elman,
                    _ => common::usage_error(USAGE, "--cell takes gru, lstm or elman"),
                }
            }
            "--seed" => seed = Some(value(USAGE, flag, a, "an integer from 0 to 2^64-1")),
            "--seeds" => seeds = Some(common::count::<u32>(USAGE, flag, a)),
            "--iters" => iters = common::count(USAGE, flag, a),
            "--init" => init = common::init_kind(USAGE, flag, a),
            "--lr" => lr = common::positive(USAGE, flag, a),
            "--threads" => threads = common::count(USAGE, flag, a),
            "--quiet" => quiet = true,
            _ => return false,
        }
        true
    });
    let name = match cell {
        Cell::Gru => "gru",
        Cell::Lstm => "lstm",
        Cell::Elman => "elman",
    };
    let settings = format!(
        "2-{HIDDEN}-1, {}, biases, squared error, sgd lr {lr}",
        common::init_name(init)
    );
    let bad = |e: tinyrnn::Error| -> ! { common::usage_error(USAGE, &e.to_string()) };
    let Some(n) = seeds else {
        let seed = seed.unwrap_or(1);
        outln!("{name}: {settings}, seed {seed}, {iters} iterations");
        // Bad settings are the only error before the first step.
        let mut rng = XorShiftRng::seed_from_u64(seed);
        if let Err(e) = learner(cell, &mut rng, init, lr) {
            bad(e);
        }
        let Ok(r) = run(cell, seed, init, lr, iters, quiet, false) else {
            std::process::exit(1);
        };
        outln!(
            "exact: {}/{} pairs, bits right: {}/{}",
            r.acc.exact,
            r.acc.pairs,
            r.acc.bits,
            r.acc.total_bits
        );
        outln!(
            "final loss: {:.6} (bits {:#010x})",
            r.last,
            r.last.to_bits()
        );
        outln!("weights checksum: {:#010x}", r.checksum);
        return;
    };
    if seed.is_some() {
        common::usage_error(USAGE, "--seed and --seeds: choose one");
    }
    if let Err(e) = learner(cell, &mut XorShiftRng::seed_from_u64(1), init, lr) {
        bad(e);
    }
    let list: Vec<u64> = (1..=u64::from(n)).collect();
    let (runs, _) = common::run_all(&list, threads, |&k| {
        run(cell, k, init, lr, iters, true, true)
    });
    let mut learnt: Vec<f64> = Vec::new();
    let mut worst = u64::MAX;
    for (k, r) in list.iter().zip(&runs) {
        let Ok(r) = r else {
            outln!("seed {k}: diverged");
            worst = 0;
            continue;
        };
        if !quiet {
            match r.learnt_at {
                Some(i) => outln!(
                    "seed {k}: every pair right from iteration {i}; exact {}/{}",
                    r.acc.exact,
                    r.acc.pairs
                ),
                None => outln!(
                    "seed {k}: not learnt; exact {}/{}",
                    r.acc.exact,
                    r.acc.pairs
                ),
            }
        }
        worst = worst.min(r.acc.exact);
        if let Some(i) = r.learnt_at {
            learnt.push(f64::from(i));
        }
    }
    let median = if learnt.is_empty() {
        "–".to_string()
    } else {
        format!("{:.0}", common::median(&mut learnt))
    };
    // A row of docs/gating.md's table (scripts/sweep.sh gating-addition).
    outln!(
        "| {} | {settings} | {iters} | {n} | {} | {median} | {worst} |",
        match cell {
            Cell::Gru => "GRU",
            Cell::Lstm => "LSTM",
            Cell::Elman => "Elman (tanh)",
        },
        learnt.len()
    );
}
