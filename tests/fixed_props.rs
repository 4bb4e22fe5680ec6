//! Property tests of the fixed-point path on any input: weights, inputs, targets, hidden states
//! and traces anywhere in `i16`, any learning rate and clipping threshold. The tests build with
//! overflow checks (`cargo test`'s debug profile), so an overflow anywhere is a panic and a
//! failure. Whatever comes in:
//!
//! - nothing panics or overflows (forward, a step from any state, BPTT on any trace, a
//!   training step, clipping, evaluation);
//! - a step with a target outside `[0, 1]` returns `InvalidTarget` and changes nothing;
//! - one step at a time from zeros gives the bits of the forward pass;
//! - a training step's loss is the trace's loss, and its trace is `forward_trace`'s.

use proptest::prelude::*;
use tinyrnn::fixed::{FixedGradients, FixedRnn, FixedTrace, FixedTrainer, ONE};
use tinyrnn::{Activation, Error};

const I: usize = 3;
const H: usize = 5;
const O: usize = 2;
const L: usize = 4;

/// Mostly ordinary values, sometimes the ends of the range.
fn q() -> impl Strategy<Value = i16> {
    prop_oneof![
        6 => -6000i16..6000,
        2 => any::<i16>(),
        1 => prop_oneof![Just(i16::MIN), Just(i16::MAX), Just(-i16::MAX), Just(0)],
    ]
}

/// Targets: mostly in `[0, 1]` (Q4.11), sometimes anything.
fn target() -> impl Strategy<Value = i16> {
    prop_oneof![12 => 0..=ONE, 1 => any::<i16>()]
}

fn model(weights: &[i16], tanh: bool, biases: bool) -> FixedRnn<I, H, O> {
    let act = if tanh {
        Activation::Tanh
    } else {
        Activation::Sigmoid
    };
    let mut m = FixedRnn::<I, H, O>::zeros(act, biases);
    let mut w = weights.iter().copied().cycle();
    for a in m.arrays_mut() {
        a.iter_mut().for_each(|v| *v = w.next().unwrap_or(0));
    }
    m
}

fn seq<const N: usize>(v: &[i16]) -> [[i16; N]; L] {
    let mut s = [[0; N]; L];
    s.as_flattened_mut()
        .iter_mut()
        .zip(v)
        .for_each(|(a, b)| *a = *b);
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn nothing_panics_or_overflows(
        weights in prop::collection::vec(q(), 60),
        tanh: bool,
        biases: bool,
        xs in prop::collection::vec(q(), I * L),
        ds in prop::collection::vec(target(), O * L),
        zs in prop::collection::vec(q(), H * L),
        ys in prop::collection::vec(q(), O * L),
        h in prop::collection::vec(q(), H),
        lr in 1u16..,
        clip in prop::option::of(1u32..),
    ) {
        let m = model(&weights, tanh, biases);
        let (xs, ds) = (seq::<I>(&xs), seq::<O>(&ds));
        // A step from any state, and step by step against the forward pass.
        let mut state: [i16; H] = core::array::from_fn(|j| h[j]);
        let mut y = [0; O];
        m.step(&xs[0], &mut state, &mut y);
        let (mut hs, mut ys_fwd) = ([0; H], [[0; O]; L]);
        m.forward_into(&xs, &mut ys_fwd);
        for (x, want) in xs.iter().zip(&ys_fwd) {
            m.step(x, &mut hs, &mut y);
            prop_assert_eq!(&y, want);
        }
        // BPTT on the real trace and on any trace at all.
        let mut trace = FixedTrace::<H, O, L>::zeros();
        m.forward_trace(&xs, &mut trace);
        prop_assert_eq!(trace.ys, ys_fwd);
        let mut g = FixedGradients::zeros();
        let _ = m.backward_into(&xs, &ds, &trace, &mut g);
        let _ = trace.loss(&ds);
        let mut wild = FixedTrace::<H, O, L>::zeros();
        wild.zs = seq::<H>(&zs);
        wild.ys = seq::<O>(&ys);
        let _ = m.backward_into(&xs, &ds, &wild, &mut g);
        let _ = wild.loss(&ds);
        let _ = g.norm_q16();
        let _ = g.clip_global_norm_q16(clip.unwrap_or(1));

        // A training step: refused with a target outside [0, 1], taken otherwise.
        let mut t = FixedTrainer::<I, H, O, L>::new(m.clone(), lr).unwrap().with_clip(clip).unwrap();
        let before = t.clone();
        let bad = ds.as_flattened().iter().any(|d| !(0..=ONE).contains(d));
        match t.step(&xs, &ds) {
            Err(e) => {
                prop_assert!(bad);
                prop_assert_eq!(e, Error::InvalidTarget);
                prop_assert_eq!(&t, &before);
            }
            Ok(loss) => {
                prop_assert!(!bad);
                prop_assert_eq!(loss, trace.loss(&ds));
                prop_assert_eq!(&t.trace, &trace);
                prop_assert_eq!(t.iterations(), 1);
            }
        }
        let ok = ds.map(|d| d.map(|v| v.clamp(0, ONE)));
        for _ in 0..3 {
            prop_assert!(t.step(&xs, &ok).is_ok());
        }
    }
}

/// The evaluation of the addition, on extreme models: no overflow, a count in range.
#[test]
fn evaluation_of_extreme_models() {
    for w in [i16::MIN, -1, 0, 1, i16::MAX] {
        for tanh in [false, true] {
            let act = if tanh {
                Activation::Tanh
            } else {
                Activation::Sigmoid
            };
            let mut m = FixedRnn::<2, 4, 1>::zeros(act, true);
            for a in m.arrays_mut() {
                a.iter_mut().for_each(|v| *v = w);
            }
            let acc = tinyrnn::task::evaluate_fixed::<4, 6>(&m);
            assert!(acc.exact <= acc.pairs && acc.bits <= acc.total_bits);
            assert_eq!(
                tinyrnn::task::adds_every_pair_fixed::<4, 6>(&m),
                acc.is_perfect()
            );
        }
    }
}
