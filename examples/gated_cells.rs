//! The course's task learnt by a gated cell, a GRU or an LSTM (`tinyrnn::gru`, `tinyrnn::lstm`),
//! as the firmware's `gru` and `lstm` features train it on a microcontroller, and the same bits.
//!
//!     cargo run --release --example gated_cells
//!     cargo run --release --example gated_cells -- --cell lstm --seed 3
//!
//! Trains on random pairs with exact BPTT, the squared error on every step's output and plain
//! gradient descent; prints the loss every 500 iterations, the accuracy over all 16,384 pairs,
//! the final loss (and its bits) and the weights' checksum, which the firmware prints too.

#[macro_use]
mod common;

use common::value;
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmTrace};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Accuracy, Sample};
use tinyrnn::train::{SquaredError, Targets};
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

/// One cell's model and training buffers, behind one interface for this example.
trait Learner {
    /// One iteration on a random pair: forward with the trace, BPTT, SGD; the loss before it.
    fn iteration(&mut self, rng: &mut XorShiftRng, lr: f32) -> tinyrnn::Result<f32>;
    fn accuracy(&self) -> Accuracy;
    fn checksum(&self) -> u32;
}

/// A cell's model with its training buffers, and [`Learner`] for it: the two cells' calls are
/// spelled the same, their types differ.
macro_rules! learner {
    ($name:ident, $model:ident, $trace:ident, $grads:ident, $evaluate:path) => {
        struct $name {
            model: $model<2, HIDDEN, 1>,
            trace: $trace<HIDDEN, 1, STEPS>,
            grads: $grads<2, HIDDEN, 1>,
        }

        impl Learner for $name {
            fn iteration(&mut self, rng: &mut XorShiftRng, lr: f32) -> tinyrnn::Result<f32> {
                let s = Sample::<STEPS>::random(rng);
                let targets = Targets::every(&s.ds);
                let loss = self.model.forward_trace_loss::<SquaredError, STEPS>(
                    None,
                    &s.xs,
                    targets,
                    &mut self.trace,
                )?;
                self.model.backward_loss_into::<SquaredError, STEPS>(
                    None,
                    &s.xs,
                    targets,
                    &self.trace,
                    &mut self.grads,
                );
                self.model.sgd(&self.grads, lr)?;
                Ok(loss)
            }
            fn accuracy(&self) -> Accuracy {
                $evaluate(&self.model)
            }
            fn checksum(&self) -> u32 {
                self.model.checksum()
            }
        }
    };
}

learner!(
    GruLearner,
    Gru,
    GruTrace,
    GruGradients,
    task::evaluate_gru::<HIDDEN, STEPS>
);
learner!(
    LstmLearner,
    Lstm,
    LstmTrace,
    LstmGradients,
    task::evaluate_lstm::<HIDDEN, STEPS>
);

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
    let mut learner: Box<dyn Learner> = match cell {
        Cell::Gru => Box::new(GruLearner {
            model: Gru::from_rng(&mut rng, init).unwrap_or_else(|e| bad(e)),
            trace: GruTrace::zeros(),
            grads: GruGradients::zeros(),
        }),
        Cell::Lstm => Box::new(LstmLearner {
            model: Lstm::from_rng(&mut rng, init).unwrap_or_else(|e| bad(e)),
            trace: LstmTrace::zeros(),
            grads: LstmGradients::zeros(),
        }),
    };
    let mut last = 0.0f32;
    for i in 0..iters {
        last = learner.iteration(&mut rng, lr).unwrap_or_else(|e| {
            eprintln!("error: iteration {i}: {e}");
            std::process::exit(1);
        });
        if !quiet && i % PRINT_EVERY == 0 {
            outln!("iter {i} loss {last:.6}");
        }
    }
    let acc = learner.accuracy();
    outln!(
        "exact: {}/{} pairs, bits right: {}/{}",
        acc.exact,
        acc.pairs,
        acc.bits,
        acc.total_bits
    );
    outln!("final loss: {last:.6} (bits {:#010x})", last.to_bits());
    outln!("weights checksum: {:#010x}", learner.checksum());
}
