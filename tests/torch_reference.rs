//! The three cells against reference values from an implementation that shares nothing with
//! the crate: PyTorch's `nn.RNN`, `nn.GRU` and `nn.LSTM` with an `nn.Linear`, written in numpy
//! from PyTorch's formulas, in float64, their gradients by the complex step
//! (`tests/reference/torch_generate.py`, which wrote `tests/reference/torch/`). The weights
//! arrive as PyTorch lays them out, through `scripts/torch_convert.py`'s records: a wrong
//! transpose or gate order there fails here too.
//!
//! Each cell runs forward from a starting state, takes the gradient of its loss with respect to
//! every parameter, and takes one SGD step and one Adam step (PyTorch's defaults): the outputs,
//! the loss, every gradient and every weight after each step agree with the reference to `1e-5`
//! relative (float32 against float64).

use tinyrnn::gated::GatedAdam;
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::lstm::{Lstm, LstmGradients, LstmState, LstmTrace};
use tinyrnn::train::{Adam, CrossEntropy, Optimizer, SquaredError, Targets};
use tinyrnn::{Gradients, Rnn, Trace};

const I: usize = 3;
const H: usize = 4;
const O: usize = 2;
const T: usize = 5;

/// The `key v1 v2 …` lines of a `CELL.txt`.
struct Reference(&'static str);

impl Reference {
    fn values(&self, key: &str) -> Vec<f64> {
        let line = self
            .0
            .lines()
            .find(|l| l.split(' ').next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} in the reference"));
        line.split(' ')
            .skip(1)
            .map(|v| v.parse().expect("a number"))
            .collect()
    }
    fn word(&self, key: &str) -> &str {
        self.0
            .lines()
            .find_map(|l| l.strip_prefix(key).map(str::trim))
            .unwrap_or_else(|| panic!("no {key} in the reference"))
    }
    fn array<const N: usize>(&self, key: &str) -> [f32; N] {
        let v = self.values(key);
        assert_eq!(v.len(), N, "{key}");
        core::array::from_fn(|k| v[k] as f32)
    }
    fn steps<const N: usize>(&self, key: &str) -> [[f32; N]; T] {
        let v = self.values(key);
        assert_eq!(v.len(), N * T, "{key}");
        core::array::from_fn(|t| core::array::from_fn(|k| v[t * N + k] as f32))
    }
}

/// `got` within `1e-5` relative of `want` (and `1e-6` absolute near zero), element by element.
fn close(what: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (f64::from(g) - w).abs();
        assert!(
            err <= 1e-5 * w.abs() + 1e-6,
            "{what}[{k}]: {g} against the reference's {w} (error {err:.2e})"
        );
    }
}

fn close_arrays<const N: usize>(what: &str, got: [&[f32]; N], want: [&[f32]; N]) {
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let w: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
        close(&format!("{what} array {k}"), g, &w);
    }
}

/// The loss the reference names.
fn loss_of(r: &Reference) -> &str {
    r.word("loss_kind")
}

#[test]
fn elman_rnn_against_pytorchs_nn_rnn() {
    let r = Reference(include_str!("reference/torch/rnn.txt"));
    let model = Rnn::<I, H, O>::from_bytes(include_bytes!("reference/torch/rnn.trnm")).unwrap();
    let want_grads =
        Rnn::<I, H, O>::from_bytes(include_bytes!("reference/torch/rnn-grad.trnm")).unwrap();
    let want_after =
        Rnn::<I, H, O>::from_bytes(include_bytes!("reference/torch/rnn-sgd.trnm")).unwrap();
    let (xs, ds, h0) = (r.steps::<I>("xs"), r.steps::<O>("ds"), r.array::<H>("h0"));
    assert_eq!(loss_of(&r), "squared");
    let targets = Targets::every(&ds);
    let mut trace = Trace::<H, O, T>::zeros();
    let loss = model
        .forward_trace_loss::<SquaredError, T>(Some(&h0), &xs, targets, &mut trace)
        .unwrap();
    close("ys", trace.ys.as_flattened(), &r.values("ys"));
    close("loss", &[loss], &r.values("loss"));
    let mut grads = Gradients::zeros();
    model.backward_loss_into::<SquaredError, T>(Some(&h0), &xs, targets, &trace, &mut grads);
    close_arrays("gradient", grads.arrays(), want_grads.arrays());
    let mut after = model.clone();
    after.sgd(&grads, r.values("lr")[0] as f32).unwrap();
    close_arrays("after SGD", after.arrays(), want_after.arrays());
    let want_adam =
        Rnn::<I, H, O>::from_bytes(include_bytes!("reference/torch/rnn-adam.trnm")).unwrap();
    let [b1, b2, eps] = r.array::<3>("adam");
    let mut adam = Adam::<I, H, O>::new(b1, b2, eps, 0.0).unwrap();
    let mut after = model.clone();
    adam.update(&mut after, &grads, r.values("adam_lr")[0] as f32)
        .unwrap();
    close_arrays("after Adam", after.arrays(), want_adam.arrays());
}

/// A gated cell against its reference: `$model` read from `$file.trgm`, run from the start state
/// `$s0` with the trace `$trace` and gradients `$grads`, the cross-entropy of the reference.
macro_rules! check_gated {
    ($r:expr, $file:literal, $model:ident, $trace:ident, $grads:ident, $s0:expr) => {{
        let r = $r;
        let record = |suffix: &str| -> $model<I, H, O> {
            let bytes: &[u8] = match suffix {
                "" => include_bytes!(concat!("reference/torch/", $file, ".trgm")),
                "grad" => include_bytes!(concat!("reference/torch/", $file, "-grad.trgm")),
                "sgd" => include_bytes!(concat!("reference/torch/", $file, "-sgd.trgm")),
                _ => include_bytes!(concat!("reference/torch/", $file, "-adam.trgm")),
            };
            $model::from_bytes(bytes).unwrap()
        };
        let model = record("");
        let (xs, ds) = (r.steps::<I>("xs"), r.steps::<O>("ds"));
        let s0 = $s0;
        let targets = Targets::every(&ds);
        let mut trace = $trace::<H, O, T>::zeros();
        let loss = model
            .forward_trace_loss::<CrossEntropy, T>(Some(&s0), &xs, targets, &mut trace)
            .unwrap();
        close("ys", trace.ys.as_flattened(), &r.values("ys"));
        close("loss", &[loss], &r.values("loss"));
        let mut grads = $grads::zeros();
        model.backward_loss_into::<CrossEntropy, T>(Some(&s0), &xs, targets, &trace, &mut grads);
        close_arrays("gradient", grads.arrays(), record("grad").arrays());
        let mut after = model.clone();
        after.sgd(&grads, r.values("lr")[0] as f32).unwrap();
        close_arrays("after SGD", after.arrays(), record("sgd").arrays());
        let [b1, b2, eps] = r.array::<3>("adam");
        let mut adam = GatedAdam::new(b1, b2, eps, 0.0).unwrap();
        let mut after = model.clone();
        adam.update(&mut after, &grads, r.values("adam_lr")[0] as f32)
            .unwrap();
        close_arrays("after Adam", after.arrays(), record("adam").arrays());
    }};
}

#[test]
fn gru_against_pytorchs_nn_gru() {
    let r = Reference(include_str!("reference/torch/gru.txt"));
    assert_eq!(
        (r.word("output"), loss_of(&r)),
        ("sigmoid", "cross-entropy")
    );
    check_gated!(&r, "gru", Gru, GruTrace, GruGradients, r.array::<H>("h0"));
}

#[test]
fn lstm_against_pytorchs_nn_lstm() {
    let r = Reference(include_str!("reference/torch/lstm.txt"));
    assert_eq!(
        (r.word("output"), loss_of(&r)),
        ("softmax", "cross-entropy")
    );
    let s0 = LstmState {
        h: r.array::<H>("h0"),
        c: r.array::<H>("c0"),
    };
    check_gated!(&r, "lstm", Lstm, LstmTrace, LstmGradients, s0);
}

/// The converter's records say what the references say: the cell, the output layer, biases on.
#[test]
fn the_records_carry_the_reference_settings() {
    use tinyrnn::Output;
    let rnn = Rnn::<I, H, O>::from_bytes(include_bytes!("reference/torch/rnn.trnm")).unwrap();
    assert_eq!(
        (rnn.activation, rnn.output, rnn.biases),
        (tinyrnn::Activation::Tanh, Output::Sigmoid, true)
    );
    let gru = Gru::<I, H, O>::from_bytes(include_bytes!("reference/torch/gru.trgm")).unwrap();
    assert_eq!((gru.output, gru.biases), (Output::Sigmoid, true));
    let lstm = Lstm::<I, H, O>::from_bytes(include_bytes!("reference/torch/lstm.trgm")).unwrap();
    assert_eq!((lstm.output, lstm.biases), (Output::Softmax, true));
    // Each cell's record is refused by the other cell.
    assert!(Lstm::<I, H, O>::from_bytes(include_bytes!("reference/torch/gru.trgm")).is_err());
    assert!(Gru::<I, H, O>::from_bytes(include_bytes!("reference/torch/lstm.trgm")).is_err());
}
