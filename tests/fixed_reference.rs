//! The fixed-point path against an exact integer reference: `tests/reference/fixed_generate.py`
//! computes the documented arithmetic in Python's unbounded integers (rerun it with
//! `python3 tests/reference/fixed_generate.py > tests/reference/fixed_vectors.rs && cargo fmt`).
//! Integer arithmetic has no rounding of its own: every value must be equal, bit for bit.

#[path = "reference/fixed_vectors.rs"]
mod fixed_vectors;

use tinyrnn::Activation;
use tinyrnn::fixed::{FixedGradients, FixedRnn, FixedTrace, FixedTrainer};

/// One case of the script: a model, a window, and what the crate must compute.
pub struct Case {
    shape: (usize, usize, usize, usize),
    sigmoid: bool,
    biases: bool,
    lr: u16,
    clip: Option<u32>,
    /// `w_in`, `w`, `w_out`, `b_h`, `b_out`, flattened.
    weights: [&'static [i16]; 5],
    xs: &'static [i16],
    ds: &'static [i16],
    zs: &'static [i16],
    ys: &'static [i16],
    loss: u64,
    grads: [&'static [i32]; 5],
    /// The loss of each of three steps on the window.
    losses: [u64; 3],
    /// The weights after the three steps.
    after: [&'static [i16]; 5],
}

fn check<const I: usize, const H: usize, const O: usize, const L: usize>(name: &str, c: &Case) {
    assert_eq!(c.shape, (I, H, O, L), "{name}: shape");
    let act = if c.sigmoid {
        Activation::Sigmoid
    } else {
        Activation::Tanh
    };
    let mut m = FixedRnn::<I, H, O>::zeros(act, c.biases);
    for (a, want) in m.arrays_mut().into_iter().zip(c.weights) {
        a.copy_from_slice(want);
    }
    let mut xs = [[0i16; I]; L];
    xs.as_flattened_mut().copy_from_slice(c.xs);
    let mut ds = [[0i16; O]; L];
    ds.as_flattened_mut().copy_from_slice(c.ds);

    let mut trace = FixedTrace::<H, O, L>::zeros();
    m.forward_trace(&xs, &mut trace);
    assert_eq!(trace.zs.as_flattened(), c.zs, "{name}: hidden states");
    assert_eq!(trace.ys.as_flattened(), c.ys, "{name}: outputs");
    assert_eq!(trace.loss(&ds), c.loss, "{name}: loss");
    let mut g = FixedGradients::<I, H, O>::zeros();
    let sat = m.backward_into(&xs, &ds, &trace, &mut g);
    for (k, (got, want)) in g.arrays().into_iter().zip(c.grads).enumerate() {
        assert_eq!(
            got,
            want,
            "{name}: gradients of {}",
            tinyrnn::PARAM_ARRAYS[k]
        );
    }
    assert!(sat.none(), "{name}: {sat:?}");

    let mut t = FixedTrainer::<I, H, O, L>::new(m, c.lr)
        .unwrap()
        .with_clip(c.clip)
        .unwrap();
    for (k, want) in c.losses.iter().enumerate() {
        assert_eq!(t.step(&xs, &ds), Ok(*want), "{name}: loss of step {k}");
    }
    let trained = if c.biases { 5 } else { 3 };
    let moved = (c.weights.iter().zip(c.after).take(trained))
        .flat_map(|(a, b)| a.iter().zip(b.iter()))
        .filter(|(a, b)| a != b)
        .count();
    let total: usize = c.weights.iter().take(trained).map(|a| a.len()).sum();
    assert!(
        moved * 4 > total * 3,
        "{name}: only {moved} of {total} weights moved"
    );
    for (k, (got, want)) in t.model.arrays().into_iter().zip(c.after).enumerate() {
        assert_eq!(
            got,
            want,
            "{name}: {} after three steps",
            tinyrnn::PARAM_ARRAYS[k]
        );
    }
}

#[test]
fn sigmoid_plain() {
    check::<2, 5, 3, 4>("sigmoid_plain", &fixed_vectors::SIGMOID_PLAIN);
}

#[test]
fn tanh_with_biases_and_clipping() {
    check::<2, 5, 3, 4>("tanh_biases_clipped", &fixed_vectors::TANH_BIASES_CLIPPED);
}

#[test]
fn sigmoid_over_eleven_steps() {
    // More than one block of 8 steps in each gradient's sum.
    check::<3, 4, 1, 11>("sigmoid_long", &fixed_vectors::SIGMOID_LONG);
}
