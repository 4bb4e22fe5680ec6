//! End-to-end training: reproducibility and the seed's result.

use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

/// The seed's setup: 2-16-1, sigmoid, normal init std 1, lr 0.1, 10000 iterations, with the
/// desktop example's default seed (1) and RNG use (init, then one pair per iteration).
fn train_seed_setup(seed: u64, iters: u32) -> (Trainer<2, 16, 1, 8>, f32) {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid).unwrap();
    let mut trainer = Trainer::new(model, 0.1).unwrap();
    let mut loss = f32::NAN;
    for _ in 0..iters {
        let (_, l): (Sample<8>, f32) = task::train_step(&mut trainer, &mut rng).unwrap();
        loss = l;
    }
    (trainer, loss)
}

#[test]
fn same_seed_same_bits() {
    let (a, la) = train_seed_setup(7, 500);
    let (b, lb) = train_seed_setup(7, 500);
    assert_eq!(la.to_bits(), lb.to_bits());
    let bits = |m: &Rnn<2, 16, 1>| m.parameters().map(|w| w.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.model), bits(&b.model));
    let (c, _) = train_seed_setup(8, 500);
    assert_ne!(bits(&a.model), bits(&c.model));
}

#[test]
fn seed_setup_learns_addition_exactly() {
    let (trainer, loss) = train_seed_setup(1, 10_000);
    let acc = task::evaluate::<16, 8>(&trainer.model);
    assert_eq!(acc.pairs, 16384);
    assert_eq!(
        acc.exact, acc.pairs,
        "exact accuracy {}/{} (final loss {loss})",
        acc.exact, acc.pairs
    );
    // The bits every target must reproduce (the firmware examples print the same checksum):
    // a change here means the arithmetic changed, which must be deliberate and noted in the
    // CHANGELOG.
    assert_eq!(trainer.model.checksum(), 0x6c7b_1ab3, "weights checksum");
    assert_eq!(loss.to_bits(), 0x3c34_9175, "final loss {loss}");
}

#[test]
fn clipping_and_biases_train_too() {
    let mut rng = XorShiftRng::seed_from_u64(3);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
        .unwrap()
        .with_biases(true);
    let mut trainer = Trainer::<2, 16, 1, 8>::new(model, 0.1)
        .unwrap()
        .with_clip(Some(1.0))
        .unwrap();
    let before = task::evaluate::<16, 8>(&trainer.model);
    for _ in 0..3000 {
        task::train_step(&mut trainer, &mut rng).unwrap();
        assert!(trainer.grads.norm() <= 1.0 + 1e-5);
    }
    let after = task::evaluate::<16, 8>(&trainer.model);
    assert!(
        after.bits > before.bits,
        "bit accuracy did not improve: {} -> {}",
        before.bit_rate(),
        after.bit_rate()
    );
    assert!(
        trainer.model.b_h.iter().any(|&b| b != 0.0),
        "biases were not trained"
    );
}
