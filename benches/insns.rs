//! The work of the criterion benchmarks in `benches/train.rs`, in a plain loop, for counting
//! executed instructions: exact and repeatable where timings on a shared machine are not.
//! `scripts/desktop-insns.sh` runs it under valgrind's cachegrind with two loop counts and
//! divides the difference by the difference of the counts (so start-up does not count).
//!
//!     insns train-from-init|train-halfway|inference N
//!
//! Without arguments (as `cargo bench` runs it) it does a short run of each and prints nothing.

use std::hint::black_box;

use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (modes, n) = match args.as_slice() {
        [] => (vec!["train-from-init", "train-halfway", "inference"], 100),
        [mode, n] => match n.parse() {
            Ok(n) => (vec![mode.as_str()], n),
            Err(_) => usage(),
        },
        _ => usage(),
    };

    // As in benches/train.rs: the same model, samples and starting points.
    let mut rng = XorShiftRng::seed_from_u64(1);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid)
        .expect("valid init");
    let samples: Vec<Sample<8>> = (0..256).map(|_| Sample::random(&mut rng)).collect();
    let fresh = Trainer::<2, 16, 1, 8>::new(model, 0.1).expect("valid learning rate");
    let mut halfway = fresh.clone();
    let mut train_rng = XorShiftRng::seed_from_u64(2);
    for _ in 0..5000 {
        tinyrnn::task::train_step::<16, 8, _>(&mut halfway, &mut train_rng).expect("trains");
    }

    for mode in modes {
        match mode {
            "train-from-init" | "train-halfway" => {
                let start = if mode == "train-from-init" {
                    &fresh
                } else {
                    &halfway
                };
                let mut trainer = start.clone();
                for k in 0..n {
                    if k % 1000 == 0 {
                        trainer.clone_from(start);
                    }
                    let s = &samples[k % samples.len()];
                    black_box(trainer.step(black_box(&s.xs), black_box(&s.ds)).ok());
                }
            }
            "inference" => {
                let mut ys = [[0.0f32; 1]; 8];
                for k in 0..n {
                    let s = &samples[k % samples.len()];
                    halfway.model.forward_into(black_box(&s.xs), &mut ys);
                    black_box(ys);
                }
            }
            _ => usage(),
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: insns train-from-init|train-halfway|inference N");
    std::process::exit(2)
}
