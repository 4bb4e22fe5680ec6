//! The gated cells' backpropagation through time (GRU, LSTM) against central finite differences.
//!
//! The loss is recomputed by an independent float64 forward pass written here from PyTorch's
//! `nn.GRU` formulas (not the crate's code), at the model's f32 weights moved by ±`STEP`. The f32
//! BPTT gradient must agree with the numerical one within `ABS + REL * |numerical|` for every
//! parameter, on random models, with and without biases, with and without a starting state, for
//! the squared error of sigmoid outputs at every step and the softmax cross-entropy of a label
//! at the last step. `cargo test --test gru_gradient_check -- --nocapture` prints the largest
//! differences.

// Index loops mirror the formulas of the independent reference computation.
#![allow(clippy::needless_range_loop)]

use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmState, LstmTrace};
use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::train::{CrossEntropy, Labels, Loss, SquaredError, Targets};
use tinyrnn::{Init, Output, XorShiftRng};

const STEP: f64 = 1e-6;
const ABS: f64 = 2e-6;
const REL: f64 = 1e-3;

fn flat(arrays: [&[f32]; 6]) -> Vec<f64> {
    arrays
        .iter()
        .flat_map(|a| a.iter().map(|&v| f64::from(v)))
        .collect()
}

/// The loss in float64 from the flat parameters (in the order of `Gru::arrays`), from the state
/// `h0`: squared error of sigmoid outputs at every step, or (`softmax`) the cross-entropy of a
/// softmax at the last step only.
fn loss64<const I: usize, const H: usize, const O: usize, const L: usize>(
    p: &[f64],
    biases: bool,
    h0: &[f32; H],
    xs: &[[f32; I]; L],
    ds: &[[f32; O]; L],
    softmax: bool,
) -> f64 {
    let (nx, nh, no) = (3 * I * H, 3 * H * H, H * O);
    let w_x = |g: usize, i: usize, j: usize| p[g * I * H + i * H + j];
    let w_h = |g: usize, k: usize, j: usize| p[nx + g * H * H + k * H + j];
    let w_out = |j: usize, o: usize| p[nx + nh + j * O + o];
    let bias = |at: usize| if biases { p[at] } else { 0.0 };
    let b_x = |g: usize, j: usize| bias(nx + nh + no + g * H + j);
    let b_h = |g: usize, j: usize| bias(nx + nh + no + 3 * H + g * H + j);
    let b_out = |o: usize| bias(nx + nh + no + 6 * H + o);
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let mut h = h0.map(f64::from);
    let mut loss = 0.0;
    for t in 0..L {
        let x = xs[t].map(f64::from);
        // PyTorch: gi = W_ih x + b_ih, gh = W_hh h + b_hh, per gate.
        let pre = |g: usize, j: usize, with_h: bool| {
            let mut s = b_x(g, j);
            for i in 0..I {
                s += x[i] * w_x(g, i, j);
            }
            if with_h {
                s += b_h(g, j);
                for k in 0..H {
                    s += h[k] * w_h(g, k, j);
                }
            }
            s
        };
        let mut next = [0.0f64; H];
        for j in 0..H {
            let r = sig(pre(0, j, true));
            let z = sig(pre(1, j, true));
            let mut m = b_h(2, j);
            for k in 0..H {
                m += h[k] * w_h(2, k, j);
            }
            let n = (pre(2, j, false) + r * m).tanh();
            next[j] = (1.0 - z) * n + z * h[j];
        }
        h = next;
        let mut v = [0.0f64; O];
        for o in 0..O {
            v[o] = b_out(o);
            for j in 0..H {
                v[o] += h[j] * w_out(j, o);
            }
        }
        let d = ds[t].map(f64::from);
        if softmax {
            if t + 1 == L {
                let e = v.map(f64::exp);
                let sum: f64 = e.iter().sum();
                loss -= (0..O).map(|o| d[o] * (e[o] / sum).ln()).sum::<f64>();
            }
        } else {
            let y = v.map(sig);
            loss += (0..O).map(|o| (d[o] - y[o]).powi(2)).sum::<f64>() / O as f64 / 2.0;
        }
    }
    loss
}

fn compare<Lo: Loss, const I: usize, const H: usize, const O: usize, const L: usize>(
    label: &str,
    m: &Gru<I, H, O>,
    h0: Option<&[f32; H]>,
    xs: &[[f32; I]; L],
    targets: Targets<'_, O, L>,
) {
    let softmax = m.output == Output::Softmax;
    let mut trace = GruTrace::<H, O, L>::zeros();
    let mut g = GruGradients::zeros();
    let loss = m
        .forward_trace_loss::<Lo, L>(h0, xs, targets, &mut trace)
        .unwrap();
    m.backward_loss_into::<Lo, L>(h0, xs, targets, &trace, &mut g);
    let h0 = h0.copied().unwrap_or([0.0; H]);
    let p = flat(m.arrays());
    let want = loss64::<I, H, O, L>(&p, m.biases, &h0, xs, targets.ds, softmax);
    assert!(
        (f64::from(loss) - want).abs() <= 1e-5 + 1e-5 * want.abs(),
        "{label}: loss {loss}, reference {want}"
    );
    let analytic = flat(g.arrays());
    let n_weights = 3 * I * H + 3 * H * H + H * O;
    let (mut max_abs, mut checked) = (0.0f64, 0);
    for k in 0..p.len() {
        let (mut plus, mut minus) = (p.clone(), p.clone());
        plus[k] += STEP;
        minus[k] -= STEP;
        let numeric = (loss64::<I, H, O, L>(&plus, m.biases, &h0, xs, targets.ds, softmax)
            - loss64::<I, H, O, L>(&minus, m.biases, &h0, xs, targets.ds, softmax))
            / (2.0 * STEP);
        let a = analytic[k];
        if k >= n_weights && !m.biases {
            assert_eq!(
                a, 0.0,
                "{label}: bias gradient {k} must stay 0 with biases off"
            );
            continue;
        }
        assert!(
            (a - numeric).abs() <= ABS + REL * numeric.abs(),
            "{label}: parameter {k}: bptt {a:e}, numeric {numeric:e}"
        );
        max_abs = max_abs.max((a - numeric).abs());
        checked += 1;
    }
    eprintln!("{label}: {checked} parameters, largest |bptt - numeric| {max_abs:.1e}");
}

fn uniform(rng: &mut XorShiftRng, half: f32) -> f32 {
    ((rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0) * half
}

/// A random 3-5-2 GRU over 6 steps: Xavier weights, biases in [-0.5, 0.5), inputs in [-1, 1),
/// targets 0 or 1 (one-hot for the softmax); `from_state`: a start state in [-1, 1).
fn check(seed: u64, biases: bool, from_state: bool, softmax: bool) {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut m = Gru::<3, 5, 2>::from_rng(&mut rng, Init::Xavier)
        .unwrap()
        .with_biases(biases);
    if softmax {
        m = m.with_output(Output::Softmax);
    }
    if biases {
        for b in m
            .b_x
            .as_flattened_mut()
            .iter_mut()
            .chain(m.b_h.as_flattened_mut())
        {
            *b = uniform(&mut rng, 0.5);
        }
        for b in &mut m.b_out {
            *b = uniform(&mut rng, 0.5);
        }
    }
    let xs: [[f32; 3]; 6] =
        core::array::from_fn(|_| core::array::from_fn(|_| uniform(&mut rng, 1.0)));
    let ds: [[f32; 2]; 6] = core::array::from_fn(|_| {
        let class = (rng.next_u32() & 1) as usize;
        core::array::from_fn(|o| if o == class { 1.0 } else { 0.0 })
    });
    let h0: [f32; 5] = core::array::from_fn(|_| uniform(&mut rng, 1.0));
    let h0 = from_state.then_some(&h0);
    let label = format!("seed {seed} biases {biases} from_state {from_state} softmax {softmax}");
    if softmax {
        let targets = Targets {
            ds: &ds,
            labels: Labels::Last,
        };
        compare::<CrossEntropy, 3, 5, 2, 6>(&label, &m, h0, &xs, targets);
    } else {
        compare::<SquaredError, 3, 5, 2, 6>(&label, &m, h0, &xs, Targets::every(&ds));
    }
}

#[test]
fn gru_bptt_matches_finite_differences() {
    for seed in 1..=4 {
        for biases in [false, true] {
            check(seed, biases, false, false);
        }
    }
}

#[test]
fn gru_bptt_from_a_state_matches_finite_differences() {
    for seed in 5..=7 {
        check(seed, true, true, false);
    }
}

#[test]
fn gru_softmax_label_at_the_end_matches_finite_differences() {
    for seed in 8..=10 {
        check(seed, true, seed % 2 == 0, true);
    }
}

/// The LSTM's loss in float64 from its flat parameters, from the state `(h0, c0)`, scored as
/// [`loss64`] scores the GRU's.
fn lstm_loss64<const I: usize, const H: usize, const O: usize, const L: usize>(
    p: &[f64],
    biases: bool,
    s0: &LstmState<H>,
    xs: &[[f32; I]; L],
    ds: &[[f32; O]; L],
    softmax: bool,
) -> f64 {
    let (nx, nh, no) = (4 * I * H, 4 * H * H, H * O);
    let w_x = |q: usize, i: usize, j: usize| p[q * I * H + i * H + j];
    let w_h = |q: usize, k: usize, j: usize| p[nx + q * H * H + k * H + j];
    let w_out = |j: usize, o: usize| p[nx + nh + j * O + o];
    let bias = |at: usize| if biases { p[at] } else { 0.0 };
    let b = |q: usize, j: usize| {
        bias(nx + nh + no + q * H + j) + bias(nx + nh + no + 4 * H + q * H + j)
    };
    let b_out = |o: usize| bias(nx + nh + no + 8 * H + o);
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (mut h, mut c) = (s0.h.map(f64::from), s0.c.map(f64::from));
    let mut loss = 0.0;
    for t in 0..L {
        let x = xs[t].map(f64::from);
        let pre = |q: usize, j: usize| {
            let mut s = b(q, j);
            for i in 0..I {
                s += x[i] * w_x(q, i, j);
            }
            for k in 0..H {
                s += h[k] * w_h(q, k, j);
            }
            s
        };
        let mut next = [0.0f64; H];
        for j in 0..H {
            let (ig, fg) = (sig(pre(0, j)), sig(pre(1, j)));
            let (gg, og) = (pre(2, j).tanh(), sig(pre(3, j)));
            c[j] = fg * c[j] + ig * gg;
            next[j] = og * c[j].tanh();
        }
        h = next;
        let mut v = [0.0f64; O];
        for o in 0..O {
            v[o] = b_out(o);
            for j in 0..H {
                v[o] += h[j] * w_out(j, o);
            }
        }
        let d = ds[t].map(f64::from);
        if softmax {
            if t + 1 == L {
                let e = v.map(f64::exp);
                let sum: f64 = e.iter().sum();
                loss -= (0..O).map(|o| d[o] * (e[o] / sum).ln()).sum::<f64>();
            }
        } else {
            let y = v.map(sig);
            loss += (0..O).map(|o| (d[o] - y[o]).powi(2)).sum::<f64>() / O as f64 / 2.0;
        }
    }
    loss
}

fn lstm_check(seed: u64, biases: bool, from_state: bool, softmax: bool) {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut m = Lstm::<3, 4, 2>::from_rng(&mut rng, Init::Xavier)
        .unwrap()
        .with_biases(biases);
    if softmax {
        m = m.with_output(Output::Softmax);
    }
    for b in m
        .b_x
        .as_flattened_mut()
        .iter_mut()
        .chain(m.b_h.as_flattened_mut())
    {
        *b += uniform(&mut rng, 0.5);
    }
    for b in &mut m.b_out {
        *b = uniform(&mut rng, 0.5);
    }
    let xs: [[f32; 3]; 6] =
        core::array::from_fn(|_| core::array::from_fn(|_| uniform(&mut rng, 1.0)));
    let ds: [[f32; 2]; 6] = core::array::from_fn(|_| {
        let class = (rng.next_u32() & 1) as usize;
        core::array::from_fn(|o| if o == class { 1.0 } else { 0.0 })
    });
    let s0 = LstmState {
        h: core::array::from_fn(|_| uniform(&mut rng, 1.0)),
        c: core::array::from_fn(|_| uniform(&mut rng, 2.0)),
    };
    let s0 = from_state.then_some(&s0);
    let label =
        format!("lstm seed {seed} biases {biases} from_state {from_state} softmax {softmax}");
    let targets = if softmax {
        Targets {
            ds: &ds,
            labels: Labels::Last,
        }
    } else {
        Targets::every(&ds)
    };
    let mut trace = LstmTrace::<4, 2, 6>::zeros();
    let mut g = LstmGradients::zeros();
    let loss = if softmax {
        let loss = m
            .forward_trace_loss::<CrossEntropy, 6>(s0, &xs, targets, &mut trace)
            .unwrap();
        m.backward_loss_into::<CrossEntropy, 6>(s0, &xs, targets, &trace, &mut g);
        loss
    } else {
        let loss = m
            .forward_trace_loss::<SquaredError, 6>(s0, &xs, targets, &mut trace)
            .unwrap();
        m.backward_loss_into::<SquaredError, 6>(s0, &xs, targets, &trace, &mut g);
        loss
    };
    let s0 = s0.copied().unwrap_or(LstmState::zeros());
    let p = flat(m.arrays());
    let f = |p: &[f64]| lstm_loss64::<3, 4, 2, 6>(p, biases, &s0, &xs, &ds, softmax);
    let want = f(&p);
    assert!(
        (f64::from(loss) - want).abs() <= 1e-5 + 1e-5 * want.abs(),
        "{label}: loss {loss}, reference {want}"
    );
    let analytic = flat(g.arrays());
    let n_weights = 4 * 3 * 4 + 4 * 4 * 4 + 4 * 2;
    let mut max_abs = 0.0f64;
    for k in 0..p.len() {
        let (mut plus, mut minus) = (p.clone(), p.clone());
        plus[k] += STEP;
        minus[k] -= STEP;
        let numeric = (f(&plus) - f(&minus)) / (2.0 * STEP);
        let a = analytic[k];
        if k >= n_weights && !biases {
            assert_eq!(
                a, 0.0,
                "{label}: bias gradient {k} must stay 0 with biases off"
            );
            continue;
        }
        assert!(
            (a - numeric).abs() <= ABS + REL * numeric.abs(),
            "{label}: parameter {k}: bptt {a:e}, numeric {numeric:e}"
        );
        max_abs = max_abs.max((a - numeric).abs());
    }
    eprintln!(
        "{label}: {} parameters, largest |bptt - numeric| {max_abs:.1e}",
        p.len()
    );
}

#[test]
fn lstm_bptt_matches_finite_differences() {
    for seed in 1..=3 {
        for biases in [false, true] {
            lstm_check(seed, biases, false, false);
        }
    }
    for seed in 4..=6 {
        lstm_check(seed, true, true, false);
    }
    for seed in 7..=9 {
        lstm_check(seed, true, seed % 2 == 0, true);
    }
}
