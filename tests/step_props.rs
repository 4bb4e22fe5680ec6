//! Property tests of a training step on any input: weights, inputs and targets anywhere in
//! `f32` (huge, tiny, infinite, NaN), any learning rate and clipping threshold, from zeros
//! (`step`) or from any hidden state (`step_from`). Whatever comes in, nothing panics, and the
//! crate's all-or-nothing promise holds bit for bit:
//!
//! - a step that returns `Ok(loss)` made the same update as its parts called by hand, left
//!   every weight finite, and (`step_from`) carried the state on to the window's end;
//! - a step that returns an error says why (`NonFiniteLoss`, `NonFiniteGradient` or
//!   `NonFiniteWeight`, as its parts would), and left the weights, the iteration count and the
//!   state exactly as they were;
//! - a bad learning rate or clipping threshold is refused when it is set.

use proptest::prelude::*;
use tinyrnn::{Activation, Error, Gradients, Rnn, Trace, Trainer};

mod common;

/// Mostly ordinary numbers, sometimes huge ones, and every kind of `f32` now and then
/// (subnormals, infinities, NaN: proptest's `any` draws from each class).
fn wild() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -3.0f32..3.0,
        1 => -3.0e38f32..3.0e38,
        1 => any::<f32>(),
    ]
}

/// Learning rates and thresholds: mostly valid, from tiny to huge, and sometimes not.
fn rate() -> impl Strategy<Value = f32> {
    prop_oneof![
        6 => 1e-3f32..2.0,
        2 => 1.0f32..3.0e38,
        1 => any::<f32>(),
        1 => Just(0.0f32),
    ]
}

/// The bits of every parameter, the disabled biases included (a step must not touch them).
fn bits<const I: usize, const H: usize, const O: usize>(m: &Rnn<I, H, O>) -> Vec<u32> {
    common::every_parameter!(m).map(|w| w.to_bits()).collect()
}

#[derive(Debug, Clone)]
struct Case {
    weights: Vec<f32>,
    biases: bool,
    tanh: bool,
    inputs: Vec<f32>,
    targets: Vec<f32>,
    lr: f32,
    clip: Option<f32>,
    /// A hidden state to start from (`step_from`), or none (`step`, from zeros).
    state: Option<Vec<f32>>,
}

fn case(
    params: usize,
    hidden: usize,
    inputs: usize,
    targets: usize,
) -> impl Strategy<Value = Case> {
    // A state is meant to be one the activation left, in [-1, 1], but nothing stops a caller.
    let state = prop::collection::vec(prop_oneof![4 => -1.0f32..=1.0, 1 => wild()], hidden);
    (
        prop::collection::vec(wild(), params),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(wild(), inputs),
        // Targets are meant to lie in [0, 1], but nothing stops a caller.
        prop::collection::vec(prop_oneof![4 => 0.0f32..=1.0, 1 => wild()], targets),
        rate(),
        prop::option::of(rate()),
        prop::option::of(state),
    )
        .prop_map(
            |(weights, biases, tanh, inputs, targets, lr, clip, state)| Case {
                weights,
                biases,
                tanh,
                inputs,
                targets,
                lr,
                clip,
                state,
            },
        )
}

fn check<const I: usize, const H: usize, const O: usize, const L: usize>(c: &Case) {
    let act = if c.tanh {
        Activation::Tanh
    } else {
        Activation::Sigmoid
    };
    let mut model = Rnn::<I, H, O>::zeros(act, c.biases);
    for (slot, w) in model.arrays_mut().into_iter().flatten().zip(&c.weights) {
        *slot = *w;
    }
    let xs: [[f32; I]; L] = core::array::from_fn(|t| core::array::from_fn(|i| c.inputs[t * I + i]));
    let ds: [[f32; O]; L] =
        core::array::from_fn(|t| core::array::from_fn(|o| c.targets[t * O + o]));

    let valid = |x: f32| x.is_finite() && x > 0.0;
    let trainer = Trainer::<I, H, O, L>::new(model.clone(), c.lr);
    let Ok(trainer) = trainer else {
        assert!(!valid(c.lr), "learning rate {} refused", c.lr);
        assert_eq!(trainer.unwrap_err(), Error::InvalidLearningRate);
        return;
    };
    assert!(valid(c.lr), "learning rate {} accepted", c.lr);
    let trainer = trainer.with_clip(c.clip);
    let Ok(mut trainer) = trainer else {
        let t = c.clip.unwrap();
        assert!(!valid(t), "threshold {t} refused");
        assert_eq!(trainer.unwrap_err(), Error::InvalidClipThreshold);
        return;
    };
    if let Some(t) = c.clip {
        assert!(valid(t), "threshold {t} accepted");
    }

    let h0: Option<[f32; H]> = c.state.as_ref().map(|v| core::array::from_fn(|j| v[j]));

    // The same step by hand, from its parts.
    let mut trace = Trace::<H, O, L>::zeros();
    let mut grads = Gradients::<I, H, O>::zeros();
    match &h0 {
        Some(h0) => {
            model.forward_trace_from(h0, &xs, &mut trace);
            model.backward_from_into(h0, &xs, &ds, &trace, &mut grads);
        }
        None => {
            model.forward_trace(&xs, &mut trace);
            model.backward_into(&xs, &ds, &trace, &mut grads);
        }
    }
    let loss = trace.loss(&ds);
    let by_hand = if !loss.is_finite() {
        Err(Error::NonFiniteLoss)
    } else {
        let clipped = c.clip.map_or(Ok(0.0), |t| grads.clip_global_norm(t));
        let finite = grads.is_finite();
        clipped.and_then(|_| match model.sgd(&grads, c.lr) {
            Err(Error::NonFiniteWeight) if !finite => Err(Error::NonFiniteGradient),
            r => r.map(|()| loss),
        })
    };

    let before = bits(&trainer.model);
    let mut h = h0.unwrap_or([0.0; H]);
    let result = match h0 {
        Some(_) => trainer.step_from(&mut h, &xs, &ds),
        None => trainer.step(&xs, &ds),
    };
    let h_bits = h.map(f32::to_bits);
    match result {
        Ok(l) => {
            assert!(l.is_finite(), "loss {l}");
            assert!(
                trainer.model.parameters().all(|w| w.is_finite()),
                "a weight is not finite"
            );
            assert_eq!(trainer.iterations(), 1);
            assert_eq!(
                by_hand.map(f32::to_bits),
                Ok(l.to_bits()),
                "step differs from its parts"
            );
            assert_eq!(
                bits(&trainer.model),
                bits(&model),
                "update differs from its parts"
            );
            if h0.is_some() {
                let end = trace.zs[L - 1].map(f32::to_bits);
                assert_eq!(h_bits, end, "the state is not carried on");
            }
            if !c.biases {
                let n = I * H + H * H + H * O;
                assert_eq!(
                    bits(&trainer.model)[n..],
                    before[n..],
                    "disabled biases moved"
                );
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e,
                    Error::NonFiniteLoss | Error::NonFiniteGradient | Error::NonFiniteWeight
                ),
                "unexpected error {e:?}"
            );
            assert_eq!(by_hand, Err(e), "step and its parts disagree");
            assert_eq!(
                bits(&trainer.model),
                before,
                "a failed step changed the weights"
            );
            assert_eq!(trainer.iterations(), 0, "a failed step was counted");
            if let Some(h0) = h0 {
                assert_eq!(
                    h_bits,
                    h0.map(f32::to_bits),
                    "a failed step moved the state"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// 2 inputs, 4 hidden units, 1 output, 3 steps: 33 parameters, four blocks of eight and
    /// one left over in SGD's check.
    #[test]
    fn step_all_or_nothing_2_4_1(c in case(33, 4, 2 * 3, 3)) {
        check::<2, 4, 1, 3>(&c);
    }

    /// 3 inputs, 5 hidden units, 2 outputs, 4 steps: 57 parameters, and several outputs.
    #[test]
    fn step_all_or_nothing_3_5_2(c in case(57, 5, 3 * 4, 2 * 4)) {
        check::<3, 5, 2, 4>(&c);
    }
}
