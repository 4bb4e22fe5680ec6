//! The crate against float64 reference values computed by numpy.
//!
//! The values come from `tests/reference/generate.py` (rerun it with
//! `python3 tests/reference/generate.py > tests/reference/vectors.rs && cargo fmt`), which
//! follows the seed's algorithm with the true output derivative (and, for the `state_` cases, a
//! window that starts in a given hidden state: truncated BPTT), and clipping by global norm. The
//! Rust model computes in f32, so every value is compared within
//! `|actual - expected| <= ABS + REL * |expected|`.

// Index loops mirror the formulas of the independent reference computation.
#![allow(clippy::needless_range_loop)]

#[path = "reference/vectors.rs"]
mod vectors;

use tinyrnn::train::{Adam, CrossEntropy, Labels, Momentum, Optimizer, SquaredError, Targets};
use tinyrnn::{Activation, Gradients, Output, PARAM_ARRAYS, Rnn, Trace};

/// Absolute part of the tolerance: a few f32 ulps of values of order 1.
const ABS: f64 = 2e-6;
/// Relative part of the tolerance.
const REL: f64 = 1e-5;

fn close(what: &str, case: &str, actual: &[f32], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{case}: {what} length");
    for (k, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let a = f64::from(a);
        assert!(
            (a - e).abs() <= ABS + REL * e.abs(),
            "{case}: {what}[{k}] = {a}, expected {e} (diff {:e})",
            (a - e).abs()
        );
    }
}

/// Every weight and bias of `m` against the expected `[w_in, w, w_out, b_h, b_out]`, each
/// flattened row by row.
fn close_model<const I: usize, const H: usize, const O: usize>(
    when: &str,
    case: &str,
    m: &Rnn<I, H, O>,
    expected: [&[f64]; 5],
) {
    for ((name, got), want) in PARAM_ARRAYS.iter().zip(m.arrays()).zip(expected) {
        close(&format!("{name} {when}"), case, got, want);
    }
}

fn to_f32<const R: usize, const C: usize>(m: &[[f64; C]; R]) -> [[f32; C]; R] {
    m.map(|row| row.map(|v| v as f32))
}

macro_rules! reference_case {
    ($name:ident) => {
        #[test]
        fn $name() {
            use vectors::$name as c;
            const I: usize = c::I;
            const H: usize = c::H;
            const O: usize = c::O;
            const L: usize = c::L;
            let case = stringify!($name);
            let act = if c::TANH {
                Activation::Tanh
            } else {
                Activation::Sigmoid
            };
            let mut m = Rnn::<I, H, O>::zeros(act, c::BIASES);
            // Same formulas as the script, rounded to f32 there too.
            for i in 0..I {
                for j in 0..H {
                    m.w_in[i][j] = (0.8 * (0.7 * (i * H + j) as f64 + 0.3).sin()) as f32;
                }
            }
            for i in 0..H {
                for j in 0..H {
                    m.w[i][j] = (0.6 * (1.3 * (i * H + j) as f64 + 0.1).cos()) as f32;
                }
                for k in 0..O {
                    m.w_out[i][k] = (0.9 * (2.1 * (i * O + k) as f64 + 0.5).sin()) as f32;
                }
                if c::BIASES {
                    m.b_h[i] = (0.2 * (0.9 * i as f64).cos()) as f32;
                }
            }
            if c::BIASES {
                for k in 0..O {
                    m.b_out[k] = (-0.1 * (k + 1) as f64) as f32;
                }
            }
            let xs: [[f32; I]; L] = to_f32(&c::XS);
            let ds: [[f32; O]; L] = to_f32(&c::DS);
            // A window that starts in a given hidden state (truncated BPTT), or from zeros.
            let h0 = c::H0.map(|v| v as f32);
            let from_state = h0.iter().any(|&v| v != 0.0);

            m.output = match c::OUTPUT {
                "linear" => Output::Linear,
                "softmax" => Output::Softmax,
                _ => Output::Sigmoid,
            };
            // Where the labels are: every step, the last only, or a mask.
            let mask: [bool; L] = c::MASK.map(|v| v != 0.0);
            let labels = if mask.iter().all(|&l| l) {
                Labels::Every
            } else if mask.iter().enumerate().all(|(t, &l)| l == (t + 1 == L)) {
                Labels::Last
            } else {
                Labels::Mask(&mask)
            };
            let targets = Targets { ds: &ds, labels };
            let course =
                !c::CROSS_ENTROPY && m.output == Output::Sigmoid && labels == Labels::Every;
            let h0_given = from_state.then_some(&h0);

            // The general path: any loss, any labels.
            let mut trace = Trace::<H, O, L>::zeros();
            let loss = if c::CROSS_ENTROPY {
                m.forward_trace_loss::<CrossEntropy, L>(h0_given, &xs, targets, &mut trace)
            } else {
                m.forward_trace_loss::<SquaredError, L>(h0_given, &xs, targets, &mut trace)
            }
            .unwrap();
            close("z", case, trace.zs.as_flattened(), c::ZS.as_flattened());
            close("y", case, trace.ys.as_flattened(), c::YS.as_flattened());
            close("loss", case, &[loss], &[c::LOSS]);
            if course {
                // The course's own path, to the bit.
                let mut plain = Trace::<H, O, L>::zeros();
                if from_state {
                    m.forward_trace_from(&h0, &xs, &mut plain);
                } else {
                    m.forward_trace(&xs, &mut plain);
                }
                assert_eq!(plain, trace, "{case}: forward_trace_loss vs forward_trace");
                assert_eq!(
                    plain.loss(&ds).to_bits(),
                    loss.to_bits(),
                    "{case}: Trace::loss"
                );
            }

            // Inference gives the same outputs as the traced pass.
            let mut ys = [[0.0f32; O]; L];
            if from_state {
                let mut h = h0;
                for (x, y) in xs.iter().zip(&mut ys) {
                    m.step(x, &mut h, y);
                }
            } else {
                m.forward_into(&xs, &mut ys);
            }
            assert_eq!(ys, trace.ys, "{case}: inference vs the traced pass");

            let mut g = Gradients::<I, H, O>::zeros();
            if c::CROSS_ENTROPY {
                m.backward_loss_add_into::<CrossEntropy, L>(h0_given, &xs, targets, &trace, &mut g);
            } else {
                m.backward_loss_add_into::<SquaredError, L>(h0_given, &xs, targets, &trace, &mut g);
            }
            if course {
                let mut plain = Gradients::<I, H, O>::zeros();
                if from_state {
                    m.backward_add_from_into(&h0, &xs, &ds, &trace, &mut plain);
                } else {
                    m.backward_add_into(&xs, &ds, &trace, &mut plain);
                }
                assert_eq!(
                    plain, g,
                    "{case}: backward_loss_add_into vs backward_add_into"
                );
            }
            let want: [&[f64]; 5] = [
                c::G_W_IN.as_flattened(),
                c::G_W.as_flattened(),
                c::G_W_OUT.as_flattened(),
                &c::G_B_H,
                &c::G_B_OUT,
            ];
            for ((name, got), want) in PARAM_ARRAYS.iter().zip(g.arrays()).zip(want) {
                close(&format!("grad {name}"), case, got, want);
            }

            // Clipped by global norm at 0.4 of the norm (so that it scales), then a step from
            // the same weights.
            let mut clipped = g.clone();
            let norm = clipped.clip_global_norm(c::CLIP as f32).unwrap();
            close("norm", case, &[norm], &[c::NORM]);
            let mut mc = m.clone();
            mc.sgd(&clipped, vectors::LR as f32).unwrap();
            close_model(
                "clipped",
                case,
                &mc,
                [
                    c::W_IN_CLIPPED.as_flattened(),
                    c::W_CLIPPED.as_flattened(),
                    c::W_OUT_CLIPPED.as_flattened(),
                    &c::B_H_CLIPPED,
                    &c::B_OUT_CLIPPED,
                ],
            );

            // Two updates of SGD with momentum and of Adam, both with weight decay, the same
            // gradients each time.
            let flat = |m: &Rnn<I, H, O>| m.arrays().concat();
            let mut mm = m.clone();
            let mut momentum =
                Momentum::with_weight_decay(vectors::MU as f32, vectors::WD as f32).unwrap();
            for _ in 0..2 {
                momentum.update(&mut mm, &g, vectors::LR as f32).unwrap();
            }
            close("momentum, 2 updates", case, &flat(&mm), &c::MOMENTUM_2);
            let mut ma = m.clone();
            let mut adam = Adam::new(
                vectors::BETA1 as f32,
                vectors::BETA2 as f32,
                vectors::EPS as f32,
                vectors::WD as f32,
            )
            .unwrap();
            for _ in 0..2 {
                adam.update(&mut ma, &g, vectors::ADAM_LR as f32).unwrap();
            }
            close("adam, 2 updates", case, &flat(&ma), &c::ADAM_2);
            assert_eq!(adam.steps(), 2);

            m.sgd(&g, vectors::LR as f32).unwrap();
            close_model(
                "after",
                case,
                &m,
                [
                    c::W_IN_AFTER.as_flattened(),
                    c::W_AFTER.as_flattened(),
                    c::W_OUT_AFTER.as_flattened(),
                    &c::B_H_AFTER,
                    &c::B_OUT_AFTER,
                ],
            );
        }
    };
}

reference_case!(seed_sigmoid_2_4_1);
reference_case!(seed_tanh_2_4_1);
reference_case!(seed_sigmoid_2_16_1);
reference_case!(biases_sigmoid_3_5_2);
reference_case!(biases_tanh_3_5_2);
reference_case!(state_sigmoid_3_5_2);
reference_case!(state_tanh_3_5_2);
reference_case!(state_sigmoid_2_16_1);
reference_case!(bce_tanh_3_5_2);
reference_case!(linear_last_tanh_3_5_2);
reference_case!(softmax_mask_sigmoid_3_5_2);
reference_case!(softmax_state_tanh_3_5_2);

/// The reference gradients are the true derivatives, not the course's: with the course's
/// `d_sigmoid(y)` the output-weight gradient would differ by far more than the tolerance. This
/// guards the test itself against comparing a wrong reference with a wrong model.
#[test]
fn reference_is_not_the_course_slip() {
    use vectors::seed_sigmoid_2_4_1 as c;
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    // Output-weight gradient with the slip: Σ_t z_t (y - d) sig(y)(1 - sig(y)).
    let mut slip = [0.0f64; 4];
    for t in 0..c::L {
        let (y, d) = (c::YS[t][0], c::DS[t][0]);
        let dout = (y - d) * sig(y) * (1.0 - sig(y));
        for k in 0..4 {
            slip[k] += c::ZS[t][k] * dout;
        }
    }
    let diff = (0..4)
        .map(|k| (slip[k] - c::G_W_OUT[k][0]).abs())
        .fold(0.0, f64::max);
    assert!(diff > 1e-3, "slip and true gradient too close: {diff}");
}
