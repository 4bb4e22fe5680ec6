//! The gated cells learn the course's task: 8-bit binary addition, every one of the 16,384 pairs
//! `a, b < 128` right after training on random pairs (`cargo test --release --test gated_tasks`
//! runs it fast).

use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmTrace};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::train::{SquaredError, Targets};
use tinyrnn::{Init, XorShiftRng};

/// Every pair `a, b < 128` added exactly (all eight bits of the sum right) by `forward`.
fn adds_every_pair(forward: impl Fn(&[[f32; 2]; 8], &mut [[f32; 1]; 8])) -> bool {
    (0..128).all(|a| {
        (0..128).all(|b| {
            let s = Sample::<8>::new(a, b).unwrap();
            let mut ys = [[0.0; 1]; 8];
            forward(&s.xs, &mut ys);
            ys.iter()
                .zip(&s.ds)
                .all(|(y, d)| (y[0] > 0.5) == (d[0] > 0.5))
        })
    })
}

#[test]
fn a_gru_learns_binary_addition() {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let mut model = Gru::<2, 16, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
    let (mut trace, mut grads) = (GruTrace::<16, 1, 8>::zeros(), GruGradients::zeros());
    assert!(!adds_every_pair(|xs, ys| model.forward_into(xs, ys)));
    for _ in 0..3_000 {
        let s = Sample::<8>::random(&mut rng);
        let targets = Targets::every(&s.ds);
        model
            .forward_trace_loss::<SquaredError, 8>(None, &s.xs, targets, &mut trace)
            .unwrap();
        model.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &trace, &mut grads);
        model.sgd(&grads, 0.5).unwrap();
    }
    assert!(adds_every_pair(|xs, ys| model.forward_into(xs, ys)));
}

#[test]
fn an_lstm_learns_binary_addition() {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let mut model = Lstm::<2, 16, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
    let (mut trace, mut grads) = (LstmTrace::<16, 1, 8>::zeros(), LstmGradients::zeros());
    assert!(!adds_every_pair(|xs, ys| model.forward_into(xs, ys)));
    for _ in 0..3_000 {
        let s = Sample::<8>::random(&mut rng);
        let targets = Targets::every(&s.ds);
        model
            .forward_trace_loss::<SquaredError, 8>(None, &s.xs, targets, &mut trace)
            .unwrap();
        model.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &trace, &mut grads);
        model.sgd(&grads, 0.5).unwrap();
    }
    assert!(adds_every_pair(|xs, ys| model.forward_into(xs, ys)));
}
