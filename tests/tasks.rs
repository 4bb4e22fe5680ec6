//! The new output layers, losses and optimisers on small tasks they fit: a classifier with one
//! label for a whole sequence (softmax, cross-entropy, Adam), a regression (a linear output
//! predicting the next value of a sine wave), and a padded sequence trained with a mask.

use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::train::{Adam, CrossEntropy, Labels, Momentum, Reduction, SquaredError, Targets};
use tinyrnn::{Activation, Init, Output, Rnn, Trainer, XorShiftRng};

/// Six steps of three channels, all silent but for one pulse, on a random channel at a random
/// step; the class is the channel of the pulse, which the network has to remember until the
/// last step.
fn pulse(rng: &mut XorShiftRng) -> ([[f32; 3]; 6], usize) {
    let mut xs = [[0.0f32; 3]; 6];
    let (c, t) = ((rng.next_u32() % 3) as usize, (rng.next_u32() % 6) as usize);
    xs[t][c] = 1.0;
    (xs, c)
}

#[test]
fn a_softmax_classifier_learns_a_label_at_the_end() {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let model = Rnn::<3, 12, 3>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
        .unwrap()
        .with_biases(true)
        .with_output(Output::Softmax);
    let mut t = Trainer::<3, 12, 3, 6, CrossEntropy, Adam<3, 12, 3>>::with(
        model,
        0.02,
        CrossEntropy,
        Adam::default(),
    )
    .unwrap();
    for _ in 0..10000 {
        let (xs, c) = pulse(&mut rng);
        let mut d = [0.0; 3];
        d[c] = 1.0;
        t.step_last(&xs, &d).unwrap();
    }
    let mut right = 0;
    for _ in 0..1000 {
        let (xs, c) = pulse(&mut rng);
        let mut ys = [[0.0; 3]; 6];
        t.model.forward_into(&xs, &mut ys);
        let y = ys[5];
        assert!((y.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let best = (0..3).fold(0, |b, k| if y[k] > y[b] { k } else { b });
        right += usize::from(best == c);
    }
    eprintln!("pulse: {right}/1000 right");
    assert!(right >= 950, "{right}/1000");
}

#[test]
fn a_linear_output_predicts_the_next_value_of_a_sine_wave() {
    let mut rng = XorShiftRng::seed_from_u64(2);
    let model = Rnn::<1, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
        .unwrap()
        .with_biases(true)
        .with_output(Output::Linear);
    let mut t = Trainer::<1, 8, 1, 10, SquaredError, Momentum<1, 8, 1>>::with(
        model,
        0.02,
        SquaredError,
        Momentum::new(0.9).unwrap(),
    )
    .unwrap();
    let wave = |phase: f32, t: usize| [2.0 * libm::sinf(phase + 0.4 * t as f32)];
    // From one value the next is ambiguous (the wave may be rising or falling): the first two
    // steps are a warm-up, without a label.
    let mask = [false, false, true, true, true, true, true, true, true, true];
    let mut last = 0.0;
    for k in 0..8000 {
        let phase = (rng.next_u32() >> 8) as f32 / (1 << 24) as f32 * core::f32::consts::TAU;
        let xs: [[f32; 1]; 10] = core::array::from_fn(|s| wave(phase, s));
        let ds: [[f32; 1]; 10] = core::array::from_fn(|s| wave(phase, s + 1));
        let targets = Targets {
            ds: &ds,
            labels: Labels::Mask(&mask),
        };
        let loss = t.step_targets(None, &xs, targets).unwrap();
        if k >= 7900 {
            last += loss / 100.0;
        }
    }
    // Amplitude 2, outside a sigmoid's (0, 1). The loss per labelled step, over the last 100
    // sequences, against 1 (half the mean of 4 sin²) for a model that outputs 0.
    eprintln!("sine: loss {} per labelled step", last / 8.0);
    assert!(last / 8.0 < 0.005, "{last}");
}

#[test]
fn a_mask_trains_padded_sequences_as_their_short_selves() {
    // A sequence of 3 steps padded to 5: the mask makes the padding count for nothing, so the
    // gradients are those of the 3 steps alone, the padding's targets anything.
    let mut rng = XorShiftRng::seed_from_u64(3);
    let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
        .unwrap()
        .with_biases(true);
    let short_xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    let short_ds = [[1.0], [0.0], [1.0]];
    let mut xs = [[0.0; 2]; 5];
    let mut ds = [[123.0]; 5];
    xs[..3].copy_from_slice(&short_xs);
    ds[..3].copy_from_slice(&short_ds);
    let mask = [true, true, true, false, false];
    let mut padded = Trainer::<2, 4, 1, 5>::new(m.clone(), 0.3).unwrap();
    let lp = padded
        .step_targets(
            None,
            &xs,
            Targets {
                ds: &ds,
                labels: Labels::Mask(&mask),
            },
        )
        .unwrap();
    let mut short = Trainer::<2, 4, 1, 3>::new(m, 0.3).unwrap();
    let ls = short.step(&short_xs, &short_ds).unwrap();
    assert_eq!(lp.to_bits(), ls.to_bits());
    // The padded steps come after: they send nothing back, so the bits are the same.
    assert_eq!(padded.model, short.model);
}

#[test]
fn mini_batches_of_the_addition_learn_it() {
    use tinyrnn::task::{self, Sample};
    let mut rng = XorShiftRng::seed_from_u64(4);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh).unwrap();
    let mut t = Trainer::<2, 16, 1, 8>::new(model, 0.5)
        .and_then(|t| t.with_clip(Some(1.0)))
        .unwrap();
    for _ in 0..400 {
        let batch: [Sample<8>; 4] = core::array::from_fn(|_| Sample::random(&mut rng));
        let xs = batch.each_ref().map(|s| s.xs);
        let ds = batch.each_ref().map(|s| s.ds);
        t.step_batch(&xs, &ds, Labels::Every, Reduction::Sum)
            .unwrap();
    }
    let acc = task::evaluate::<16, 8>(&t.model);
    eprintln!("mini-batches: {acc:?}");
    assert!(acc.is_perfect());
}

#[test]
fn a_batch_of_one_is_a_step() {
    use tinyrnn::task::Sample;
    let mut rng = XorShiftRng::seed_from_u64(5);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh).unwrap();
    let mut a = Trainer::<2, 16, 1, 8>::new(model, 0.1).unwrap();
    let mut b = a.clone();
    for _ in 0..50 {
        let s = Sample::<8>::random(&mut rng);
        let la = a.step(&s.xs, &s.ds).unwrap();
        let lb = b
            .step_batch(&[s.xs], &[s.ds], Labels::Every, Reduction::Mean)
            .unwrap();
        assert_eq!(la.to_bits(), lb.to_bits());
    }
    assert_eq!(a.model, b.model);
}
