//! Backpropagation through time against central finite differences.
//!
//! The loss is recomputed by an independent float64 forward pass written here (not the crate's),
//! at the model's f32 weights moved by ±`STEP`. The f32 BPTT gradient must agree with the
//! numerical one within `ABS + REL * |numerical|` for every parameter, on several random models,
//! with sigmoid and tanh, with and without biases, and on the course's 2-16-1 model.
//! `cargo test --test gradient_check -- --nocapture` prints the largest differences.

// Index loops mirror the formulas of the independent reference computation.
#![allow(clippy::needless_range_loop)]

use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::train::{CrossEntropy, Labels, Loss, SquaredError, Targets};
use tinyrnn::{Activation, Gradients, Init, Output, Rnn, Trace, XorShiftRng};

mod common;

const STEP: f64 = 1e-6;
const ABS: f64 = 2e-6;
const REL: f64 = 1e-3;

/// The parameters of a model, or its gradients, as f64, in a fixed order: w_in, w, w_out, b_h,
/// b_out.
macro_rules! as_f64 {
    ($m:expr) => {
        common::every_parameter!($m)
            .map(|&v| f64::from(v))
            .collect::<Vec<f64>>()
    };
}

/// How the reference loss scores a step.
#[derive(Clone, Copy, Debug)]
struct Scoring<const L: usize> {
    output: Output,
    cross_entropy: bool,
    /// The steps that have a target.
    labelled: [bool; L],
}

impl<const L: usize> Scoring<L> {
    /// The course's: sigmoid, squared error, every step.
    const COURSE: Self = Scoring {
        output: Output::Sigmoid,
        cross_entropy: false,
        labelled: [true; L],
    };
}

/// The loss in float64, from a flat parameter vector, starting in the hidden state `h0`: the
/// course's (squared error of sigmoid outputs at every step) or, with `score`, any output layer,
/// loss and labelled steps, written from their textbook definitions (the logs of the outputs, not
/// the crate's stable forms).
#[allow(clippy::too_many_arguments)]
fn loss64<const I: usize, const H: usize, const O: usize, const L: usize>(
    p: &[f64],
    act: Activation,
    biases: bool,
    h0: &[f32; H],
    xs: &[[f32; I]; L],
    ds: &[[f32; O]; L],
    score: Scoring<L>,
) -> f64 {
    let w_in = |i: usize, j: usize| p[i * H + j];
    let w = |i: usize, j: usize| p[I * H + i * H + j];
    let w_out = |j: usize, k: usize| p[I * H + H * H + j * O + k];
    let b_h = |j: usize| {
        if biases {
            p[I * H + H * H + H * O + j]
        } else {
            0.0
        }
    };
    let b_out = |k: usize| {
        if biases {
            p[I * H + H * H + H * O + H + k]
        } else {
            0.0
        }
    };
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let mut z = h0.map(f64::from);
    let mut loss = 0.0;
    for t in 0..L {
        let mut u = [0.0f64; H];
        for j in 0..H {
            u[j] = b_h(j);
            for i in 0..I {
                u[j] += f64::from(xs[t][i]) * w_in(i, j);
            }
            for i in 0..H {
                u[j] += z[i] * w(i, j);
            }
        }
        for j in 0..H {
            z[j] = match act {
                Activation::Sigmoid => sig(u[j]),
                Activation::Tanh => u[j].tanh(),
            };
        }
        let mut v = [0.0f64; O];
        for k in 0..O {
            v[k] = b_out(k);
            for j in 0..H {
                v[k] += z[j] * w_out(j, k);
            }
        }
        let y: [f64; O] = match score.output {
            Output::Sigmoid => v.map(sig),
            Output::Linear => v,
            Output::Softmax => {
                let e = v.map(f64::exp);
                let sum: f64 = e.iter().sum();
                e.map(|e| e / sum)
            }
        };
        if !score.labelled[t] {
            continue;
        }
        let d = ds[t].map(f64::from);
        loss += match (score.cross_entropy, score.output) {
            (false, _) => (0..O).map(|k| (d[k] - y[k]).powi(2)).sum::<f64>() / O as f64 / 2.0,
            (true, Output::Softmax) => -(0..O).map(|k| d[k] * y[k].ln()).sum::<f64>(),
            (true, _) => {
                -(0..O)
                    .map(|k| d[k] * y[k].ln() + (1.0 - d[k]) * (1.0 - y[k]).ln())
                    .sum::<f64>()
                    / O as f64
            }
        };
    }
    loss
}

/// Compares BPTT's gradients of `m` on `xs`, `ds` with central differences of [`loss64`], for
/// every parameter; prints the largest differences (`cargo test --test gradient_check --
/// --nocapture` shows them). With `h0`, the truncated BPTT of a window that starts in that
/// hidden state (`forward_trace_from`, `backward_add_from_into`), against the loss of the
/// window from the same fixed state.
fn compare<const I: usize, const H: usize, const O: usize, const L: usize>(
    label: &str,
    m: &Rnn<I, H, O>,
    h0: Option<&[f32; H]>,
    xs: &[[f32; I]; L],
    ds: &[[f32; O]; L],
) {
    let mut trace = Trace::<H, O, L>::zeros();
    let mut g = Gradients::zeros();
    match h0 {
        Some(h0) => {
            m.forward_trace_from(h0, xs, &mut trace);
            m.backward_add_from_into(h0, xs, ds, &trace, &mut g);
        }
        None => {
            m.forward_trace(xs, &mut trace);
            m.backward_add_into(xs, ds, &trace, &mut g);
        }
    }
    compare_gradients(label, m, h0, xs, ds, Scoring::COURSE, &g);
}

/// As [`compare`], for the loss `Lo`, the model's output layer and the targets `targets`:
/// through `forward_trace_loss` and `backward_loss_add_into`, whose loss is also checked
/// against the reference's.
fn compare_loss<Lo: Loss, const I: usize, const H: usize, const O: usize, const L: usize>(
    label: &str,
    m: &Rnn<I, H, O>,
    h0: Option<&[f32; H]>,
    xs: &[[f32; I]; L],
    targets: Targets<'_, O, L>,
) {
    let mut trace = Trace::<H, O, L>::zeros();
    let mut g = Gradients::zeros();
    let loss = m
        .forward_trace_loss::<Lo, L>(h0, xs, targets, &mut trace)
        .unwrap();
    m.backward_loss_add_into::<Lo, L>(h0, xs, targets, &trace, &mut g);
    let score = Scoring {
        output: m.output,
        cross_entropy: Lo::CODE == CrossEntropy::CODE,
        labelled: core::array::from_fn(|t| targets.labels.has(t)),
    };
    let p = as_f64!(m);
    let want = loss64::<I, H, O, L>(
        &p,
        m.activation,
        m.biases,
        &h0.copied().unwrap_or([0.0; H]),
        xs,
        targets.ds,
        score,
    );
    assert!(
        (f64::from(loss) - want).abs() <= 1e-5 + 1e-5 * want.abs(),
        "{label}: loss {loss}, reference {want}"
    );
    compare_gradients(label, m, h0, xs, targets.ds, score, &g);
}

/// The gradients `g` of `m` against central differences of [`loss64`] under `score`.
fn compare_gradients<const I: usize, const H: usize, const O: usize, const L: usize>(
    label: &str,
    m: &Rnn<I, H, O>,
    h0: Option<&[f32; H]>,
    xs: &[[f32; I]; L],
    ds: &[[f32; O]; L],
    score: Scoring<L>,
    g: &Gradients<I, H, O>,
) {
    let (act, biases) = (m.activation, m.biases);
    let analytic = as_f64!(g);
    let h0 = h0.copied().unwrap_or([0.0; H]);

    let p = as_f64!(m);
    let n_weights = I * H + H * H + H * O;
    let (mut max_abs, mut max_rel, mut checked) = (0.0f64, 0.0f64, 0);
    for k in 0..p.len() {
        let (mut plus, mut minus) = (p.clone(), p.clone());
        plus[k] += STEP;
        minus[k] -= STEP;
        let numeric = (loss64::<I, H, O, L>(&plus, act, biases, &h0, xs, ds, score)
            - loss64::<I, H, O, L>(&minus, act, biases, &h0, xs, ds, score))
            / (2.0 * STEP);
        let a = analytic[k];
        if k >= n_weights && !biases {
            assert_eq!(
                a, 0.0,
                "{label}: bias gradient {k} must stay 0 with biases off"
            );
            assert_eq!(numeric, 0.0);
            continue;
        }
        assert!(
            (a - numeric).abs() <= ABS + REL * numeric.abs(),
            "{label}: parameter {k}: bptt {a:e}, numeric {numeric:e}"
        );
        max_abs = max_abs.max((a - numeric).abs());
        if numeric.abs() > 1e-4 {
            max_rel = max_rel.max((a - numeric).abs() / numeric.abs());
        }
        checked += 1;
    }
    eprintln!(
        "{label}: {checked} parameters, largest |bptt - numeric| {max_abs:.1e}, largest \
         relative difference {max_rel:.1e} (where |numeric| > 1e-4)"
    );
}

/// A random 3-6-2 model over 5 steps: Xavier weights, biases in [-0.5, 0.5), inputs in
/// [-1, 1), targets 0 or 1; with `from_state`, a window that starts in a hidden state in
/// [-1, 1) (as the activation would leave it: (0, 1) for the sigmoid).
fn check(seed: u64, act: Activation, biases: bool, from_state: bool) {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut m = Rnn::<3, 6, 2>::from_rng(&mut rng, Init::Xavier, act).unwrap();
    m.biases = biases;
    if biases {
        for b in m.b_h.iter_mut().chain(m.b_out.iter_mut()) {
            *b = (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        }
    }
    let mut xs = [[0.0f32; 3]; 5];
    let mut ds = [[0.0f32; 2]; 5];
    for x in xs.as_flattened_mut() {
        *x = (rng.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
    }
    for d in ds.as_flattened_mut() {
        *d = (rng.next_u32() & 1) as f32;
    }
    let h0: [f32; 6] = core::array::from_fn(|_| {
        let u = (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
        match act {
            Activation::Sigmoid => u,
            Activation::Tanh => 2.0 * u - 1.0,
        }
    });
    let state = if from_state {
        ", from a hidden state"
    } else {
        ""
    };
    compare(
        &format!("3-6-2, seed {seed}, {act:?}, biases {biases}{state}"),
        &m,
        from_state.then_some(&h0),
        &xs,
        &ds,
    );
}

#[test]
fn bptt_matches_finite_differences() {
    for seed in 0..6 {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            for biases in [false, true] {
                check(seed, act, biases, false);
            }
        }
    }
}

/// Truncated BPTT of a window that starts in a non-zero hidden state (the `_from` methods):
/// exact for the window, with the state held fixed.
#[test]
fn truncated_bptt_from_a_state_matches_finite_differences() {
    for seed in 0..6 {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            for biases in [false, true] {
                check(seed, act, biases, true);
            }
        }
    }
}

/// The same check on the seed's shape, 2-16-1 over 8 steps, on a binary-addition pair.
#[test]
fn bptt_matches_finite_differences_seed_shape() {
    use tinyrnn::task::Sample;
    let mut rng = XorShiftRng::seed_from_u64(11);
    let m = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid).unwrap();
    let s = Sample::<8>::new(93, 45).unwrap();
    // Every parameter against the float64 loss, as for the small models above.
    compare(
        "2-16-1 (the course's setup), 93 + 45",
        &m,
        None,
        &s.xs,
        &s.ds,
    );
    let mut trace = Trace::zeros();
    m.forward_trace(&s.xs, &mut trace);
    let mut g = Gradients::<2, 16, 1>::zeros();
    m.backward_add_into(&s.xs, &s.ds, &trace, &mut g);
    // And central differences of the crate's own f32 loss with a coarse step (1e-2), on one
    // weight of each matrix: a looser bound, independent of `loss64`.
    let loss = |m: &Rnn<2, 16, 1>| {
        let mut t = Trace::<16, 1, 8>::zeros();
        m.forward_trace(&s.xs, &mut t);
        f64::from(t.loss(&s.ds))
    };
    let h = 1e-2f32;
    for (get, analytic) in [(0usize, g.w_in[1][3]), (1, g.w[5][7]), (2, g.w_out[9][0])] {
        let mut plus = m.clone();
        let mut minus = m.clone();
        let (p, q) = match get {
            0 => (&mut plus.w_in[1][3], &mut minus.w_in[1][3]),
            1 => (&mut plus.w[5][7], &mut minus.w[5][7]),
            _ => (&mut plus.w_out[9][0], &mut minus.w_out[9][0]),
        };
        *p += h;
        *q -= h;
        let numeric = (loss(&plus) - loss(&minus)) / (2.0 * f64::from(h));
        let a = f64::from(analytic);
        assert!(
            (a - numeric).abs() <= 1e-3 + 2e-2 * numeric.abs(),
            "matrix {get}: bptt {a:e}, numeric {numeric:e}"
        );
    }
}

/// Every output layer with the losses that train it, every placement of the labels, from zeros
/// and from a hidden state: BPTT against central differences of the reference loss, and the
/// loss itself against the reference's.
#[test]
fn every_loss_and_label_placement_matches_finite_differences() {
    let mask = [true, false, true, true, false];
    for seed in 0..3 {
        for (output, ce) in [
            (Output::Sigmoid, false),
            (Output::Sigmoid, true),
            (Output::Linear, false),
            (Output::Softmax, true),
        ] {
            for labels in [Labels::Every, Labels::Last, Labels::Mask(&mask)] {
                for from_state in [false, true] {
                    let mut rng = XorShiftRng::seed_from_u64(100 + seed);
                    let act = if seed % 2 == 0 {
                        Activation::Tanh
                    } else {
                        Activation::Sigmoid
                    };
                    let mut m = Rnn::<3, 6, 2>::from_rng(&mut rng, Init::Xavier, act)
                        .unwrap()
                        .with_biases(true)
                        .with_output(output);
                    let mut uniform = || (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
                    for b in m.b_h.iter_mut().chain(m.b_out.iter_mut()) {
                        *b = uniform() - 0.5;
                    }
                    let xs: [[f32; 3]; 5] =
                        core::array::from_fn(|_| core::array::from_fn(|_| 2.0 * uniform() - 1.0));
                    let h0: [f32; 6] = core::array::from_fn(|_| uniform() - 0.5);
                    // Targets the loss accepts: one-hot for the softmax, 0, 1 or between for the
                    // binary cross-entropy, anything for a regression.
                    let ds: [[f32; 2]; 5] = core::array::from_fn(|_| match output {
                        Output::Softmax => {
                            let c = uniform() < 0.5;
                            [f32::from(u8::from(c)), f32::from(u8::from(!c))]
                        }
                        Output::Sigmoid => [
                            (uniform() * 4.0).floor() / 3.0,
                            f32::from(u8::from(uniform() < 0.5)),
                        ],
                        Output::Linear => [3.0 * uniform() - 1.5, 0.5 * uniform()],
                    });
                    let targets = Targets { ds: &ds, labels };
                    let label = format!(
                        "seed {seed}, {act:?}, {output:?}, {}, {labels:?}{}",
                        if ce { "cross-entropy" } else { "squared error" },
                        if from_state { ", from a state" } else { "" }
                    );
                    let h0 = from_state.then_some(&h0);
                    if ce {
                        compare_loss::<CrossEntropy, 3, 6, 2, 5>(&label, &m, h0, &xs, targets);
                    } else {
                        compare_loss::<SquaredError, 3, 6, 2, 5>(&label, &m, h0, &xs, targets);
                    }
                }
            }
        }
    }
}
