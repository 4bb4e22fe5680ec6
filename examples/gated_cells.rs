//! The course's task learnt by a gated cell, a GRU or an LSTM (`tinyrnn::gru`, `tinyrnn::lstm`),
//! as the firmware's `gru` and `lstm` features train it on a microcontroller, and the same bits.
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
use tinyrnn::gated::{Gated, GatedCell, GatedTrainer, GruTrainer, LstmTrainer};
use tinyrnn::gru::Gru;
use tinyrnn::lstm::Lstm;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::{Init, XorShiftRng};

const USAGE: &str = "\
usage: gated_cells [--cell gru|lstm] [--seed N] [--iters N] [--init KIND] [--lr X] [--quiet]
  --cell C          gru or lstm (default gru)
  --seed N          RNG seed (default 1)
  --iters N         training iterations (default 2000)
  --init KIND       std, xavier or he (default xavier)
  --lr X            learning rate of gradient descent (default 0.5)
  --quiet           print only the summary";

const HIDDEN: usize = 16;
const STEPS: usize = 8;
const PRINT_EVERY: u32 = 500;

#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Gru,
    Lstm,
}

/// Trains a cell of `G` gates (3: the GRU, 4: the LSTM) with its trainer, one random pair an
/// iteration (forward with the trace, BPTT, SGD), printing the loss every [`PRINT_EVERY`]
/// iterations; returns the last loss.
fn train<const G: usize>(
    trainer: &mut GatedTrainer<2, HIDDEN, 1, G, STEPS>,
    rng: &mut XorShiftRng,
    iters: u32,
    quiet: bool,
) -> f32
where
    Gated<2, HIDDEN, 1, G>: GatedCell<2, HIDDEN, 1, G>,
{
    let mut last = 0.0f32;
    for i in 0..iters {
        let s = Sample::<STEPS>::random(rng);
        last = trainer.step(&s.xs, &s.ds).unwrap_or_else(|e| {
            eprintln!("error: iteration {i}: {e}");
            std::process::exit(1);
        });
        if !quiet && i % PRINT_EVERY == 0 {
            outln!("iter {i} loss {last:.6}");
        }
    }
    last
}

fn main() {
    let (mut cell, mut seed, mut iters, mut init, mut lr, mut quiet) =
        (Cell::Gru, 1u64, 2_000u32, Init::Xavier, 0.5f32, false);
    common::for_each_flag(USAGE, |flag, a| {
        match flag {
            "--cell" => {
                cell = match value::<String>(USAGE, flag, a, "gru or lstm").as_str() {
                    "gru" => Cell::Gru,
                    "lstm" => Cell::Lstm,
                    _ => common::usage_error(USAGE, "--cell takes gru or lstm"),
                }
            }
            "--seed" => seed = value(USAGE, flag, a, "an integer from 0 to 2^64-1"),
            "--iters" => iters = common::count(USAGE, flag, a),
            "--init" => init = common::init_kind(USAGE, flag, a),
            "--lr" => lr = common::positive(USAGE, flag, a),
            "--quiet" => quiet = true,
            _ => return false,
        }
        true
    });

    let name = if cell == Cell::Gru { "gru" } else { "lstm" };
    outln!(
        "{name}: 2-{HIDDEN}-1, {}, biases, squared error, sgd lr {lr}, seed {seed}, {iters} iterations",
        common::init_name(init)
    );
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let bad = |e: tinyrnn::Error| -> ! { common::usage_error(USAGE, &e.to_string()) };
    // Boxed: a trainer of a few KiB is not worth a copy on the stack.
    let (acc, last, checksum) = match cell {
        Cell::Gru => {
            let model = Gru::from_rng(&mut rng, init).unwrap_or_else(|e| bad(e));
            let mut t = Box::new(GruTrainer::new(model, lr).unwrap_or_else(|e| bad(e)));
            let last = train(&mut t, &mut rng, iters, quiet);
            (
                task::evaluate_gru::<HIDDEN, STEPS>(&t.model),
                last,
                t.model.checksum(),
            )
        }
        Cell::Lstm => {
            let model = Lstm::from_rng(&mut rng, init).unwrap_or_else(|e| bad(e));
            let mut t = Box::new(LstmTrainer::new(model, lr).unwrap_or_else(|e| bad(e)));
            let last = train(&mut t, &mut rng, iters, quiet);
            (
                task::evaluate_lstm::<HIDDEN, STEPS>(&t.model),
                last,
                t.model.checksum(),
            )
        }
    };
    outln!(
        "exact: {}/{} pairs, bits right: {}/{}",
        acc.exact,
        acc.pairs,
        acc.bits,
        acc.total_bits
    );
    outln!("final loss: {last:.6} (bits {:#010x})", last.to_bits());
    outln!("weights checksum: {checksum:#010x}");
}
