//! One training iteration of each cell on the course's shapes (2-16-1 over 8 steps, squared
//! error at every step, plain SGD, biases on), in the same run, so that the GRU's and the LSTM's
//! times can be read as multiples of the Elman's.
//!
//! Run: `cargo bench --bench cells`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmTrace};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::train::{SquaredError, Targets};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

fn bench(c: &mut Criterion) {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let samples: Vec<Sample<8>> = (0..256).map(|_| Sample::random(&mut rng)).collect();
    // Each goes back to its initial weights every 1,000 steps, so that the figure does not
    // drift with training (as benches/train.rs does).
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
        .unwrap()
        .with_biases(true);
    let elman = Trainer::<2, 16, 1, 8>::new(model, 0.1).unwrap();
    let mut trainer = elman.clone();
    let mut k = 0usize;
    c.bench_function("cells_elman_2_16_1_L8", |b| {
        b.iter(|| {
            if k.is_multiple_of(1000) {
                trainer.clone_from(&elman);
            }
            let s = &samples[k % samples.len()];
            k += 1;
            black_box(trainer.step(black_box(&s.xs), black_box(&s.ds)).unwrap())
        })
    });

    let gru = Gru::<2, 16, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
    let (mut model, mut trace, mut grads) = (gru.clone(), GruTrace::zeros(), GruGradients::zeros());
    let mut k = 0usize;
    c.bench_function("cells_gru_2_16_1_L8", |b| {
        b.iter(|| {
            if k.is_multiple_of(1000) {
                model.clone_from(&gru);
            }
            let s = &samples[k % samples.len()];
            k += 1;
            let targets = Targets::every(&s.ds);
            let loss = model
                .forward_trace_loss::<SquaredError, 8>(None, black_box(&s.xs), targets, &mut trace)
                .unwrap();
            model.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &trace, &mut grads);
            model.sgd(&grads, 0.1).unwrap();
            black_box(loss)
        })
    });

    let lstm = Lstm::<2, 16, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
    let (mut model, mut trace, mut grads) =
        (lstm.clone(), LstmTrace::zeros(), LstmGradients::zeros());
    let mut k = 0usize;
    c.bench_function("cells_lstm_2_16_1_L8", |b| {
        b.iter(|| {
            if k.is_multiple_of(1000) {
                model.clone_from(&lstm);
            }
            let s = &samples[k % samples.len()];
            k += 1;
            let targets = Targets::every(&s.ds);
            let loss = model
                .forward_trace_loss::<SquaredError, 8>(None, black_box(&s.xs), targets, &mut trace)
                .unwrap();
            model.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &trace, &mut grads);
            model.sgd(&grads, 0.1).unwrap();
            black_box(loss)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
