//! The gated recurrent unit (GRU), in the convention of PyTorch's `nn.GRU`: its weights, one
//! step, a forward pass, the trace backpropagation needs, and exact backpropagation through
//! time.
//!
//! At step `t`, with `h_0 = 0` (or a state the caller holds), `σ` the sigmoid, `⊙` the product
//! element by element, and each `x · W` a row vector times a matrix (the crate's layout: PyTorch's
//! `weight_ih_l0` holds the three `W_x` transposed and stacked, gates in the order r, z, n):
//!
//! ```text
//! r_t  = σ(x_t · W_xr + b_xr + h_{t-1} · W_hr + b_hr)           reset gate
//! z_t  = σ(x_t · W_xz + b_xz + h_{t-1} · W_hz + b_hz)           update gate
//! m_t  = h_{t-1} · W_hn + b_hn                                  what the reset gate scales
//! n_t  = tanh(x_t · W_xn + b_xn + r_t ⊙ m_t)                    candidate
//! h_t  = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}  =  n_t + z_t ⊙ (h_{t-1} - n_t)
//! y_t  = g(h_t · W_out (+ b_out))                               g: the output layer
//! ```
//!
//! **The course's GRU** writes the reset gate on the state before the product,
//! `n_t = tanh(x_t · W_xn + (r_t ⊙ h_{t-1}) · W_hn)`, and the update gate the other way round,
//! `h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ n_t` with its `z` PyTorch's `1 - z`. The first is the
//! original paper's GRU (Cho et al. 2014), the other cuDNN's and PyTorch's: the two agree
//! when `r = 1` and differ otherwise, so weights trained in one do not run in the other. This
//! crate follows PyTorch, so that weights move between them; the update gate's two readings are
//! the same model with `z ↔ 1 - z` (negate `W_xz`, `W_hz` and both its biases).
//!
//! **Backpropagation through time**, with `δh_t` the gradient of the loss with respect to
//! `h_t` (what the output of step `t` sends back, plus what step `t + 1` sends back through
//! its gates):
//!
//! ```text
//! δn   = δh ⊙ (1 - z) ⊙ (1 - n²)                the candidate's pre-activation
//! δz   = δh ⊙ (h_{t-1} - n) ⊙ z (1 - z)
//! δr   = δn ⊙ m ⊙ r (1 - r)
//! δm   = δn ⊙ r
//! δh_{t-1} = δh ⊙ z + W_hr δr + W_hz δz + W_hn δm
//! dW_xg += x_t ⊗ δg (g = r, z, n)    dW_hr += h_{t-1} ⊗ δr   dW_hz += h_{t-1} ⊗ δz
//! dW_hn += h_{t-1} ⊗ δm              db_xr = db_hr += δr     db_xz = db_hz += δz
//! db_xn += δn                        db_hn += δm
//! ```
//!
//! Tested against central finite differences of an independent float64 forward pass
//! (`tests/gated_gradient_check.rs`).

use rand_core::Rng;

use crate::activation::sigmoid;
use crate::cell;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::init::{Init, StandardNormal};
use crate::linalg::{axpy, matvec_into, outer_add_into, vecmat_add_into, vecmat2_into};
use crate::output::Output;
use crate::train::gradients::{clip_global_norm, global_norm};
use crate::train::{Loss, Targets};

/// The index of the reset gate in [`Gru::w_x`], [`Gru::w_h`], [`Gru::b_x`] and [`Gru::b_h`].
pub const RESET: usize = 0;
/// The index of the update gate.
pub const UPDATE: usize = 1;
/// The index of the candidate ("new gate" in PyTorch).
pub const NEW: usize = 2;

/// The names of the six parameter arrays, in the order of [`Gru::arrays`].
pub const GRU_ARRAYS: [&str; 6] = ["w_x", "w_h", "w_out", "b_x", "b_h", "b_out"];

/// A GRU with `I` inputs, `H` hidden units and `O` outputs (module docs for its formulas).
///
/// Each gate's matrices are the crate's row-major `x · W`: `w_x[g]` is `I × H`, `w_h[g]`
/// `H × H`, gates in PyTorch's order (reset, update, new: [`RESET`], [`UPDATE`], [`NEW`]).
///
/// Size: `4 (3 I·H + 3 H·H + H·O + 6 H + O)` bytes plus 2 bytes of settings, rounded up to a
/// multiple of 4 (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct Gru<const I: usize, const H: usize, const O: usize> {
    /// Input-to-hidden weights of each gate, `3 × I × H`.
    pub w_x: [[[f32; H]; I]; 3],
    /// Hidden-to-hidden weights of each gate, `3 × H × H`.
    pub w_h: [[[f32; H]; H]; 3],
    /// Hidden-to-output weights, `H × O`.
    pub w_out: [[f32; O]; H],
    /// The input side's bias of each gate (PyTorch's `bias_ih_l0`); used and trained only when
    /// [`Gru::biases`] is `true`.
    pub b_x: [[f32; H]; 3],
    /// The hidden side's bias of each gate (PyTorch's `bias_hh_l0`). Only the candidate's is
    /// not redundant with `b_x`: it is scaled by the reset gate.
    pub b_h: [[f32; H]; 3],
    /// Output bias.
    pub b_out: [f32; O],
    /// The output layer.
    pub output: Output,
    /// Whether the biases take part.
    pub biases: bool,
}

/// What one step computes besides the new state: the gates, the candidate and `m`, for
/// backpropagation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GruGates<const H: usize> {
    /// The reset gate `r`.
    pub r: [f32; H],
    /// The update gate `z`.
    pub z: [f32; H],
    /// The candidate `n`.
    pub n: [f32; H],
    /// `m = h_{t-1} · W_hn + b_hn`, what the reset gate scales.
    pub m: [f32; H],
}

impl<const H: usize> GruGates<H> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        GruGates {
            r: [0.0; H],
            z: [0.0; H],
            n: [0.0; H],
            m: [0.0; H],
        }
    }
}

/// What a forward pass of `L` steps keeps for backpropagation: every state, gate and output.
///
/// Size: `4 L (5 H + O)` bytes (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct GruTrace<const H: usize, const O: usize, const L: usize> {
    /// The state after each step, `h_1 … h_L`.
    pub hs: [[f32; H]; L],
    /// The gates of each step.
    pub gates: [GruGates<H>; L],
    /// The output of each step.
    pub ys: [[f32; O]; L],
}

impl<const H: usize, const O: usize, const L: usize> GruTrace<H, O, L> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        GruTrace {
            hs: [[0.0; H]; L],
            gates: [GruGates::zeros(); L],
            ys: [[0.0; O]; L],
        }
    }
}

/// The gradients of a [`Gru`]'s parameters, one for each, laid out as the model's.
#[derive(Debug, Clone, PartialEq)]
pub struct GruGradients<const I: usize, const H: usize, const O: usize> {
    /// `d loss / d w_x`.
    pub w_x: [[[f32; H]; I]; 3],
    /// `d loss / d w_h`.
    pub w_h: [[[f32; H]; H]; 3],
    /// `d loss / d w_out`.
    pub w_out: [[f32; O]; H],
    /// `d loss / d b_x` (zero with biases off).
    pub b_x: [[f32; H]; 3],
    /// `d loss / d b_h` (zero with biases off).
    pub b_h: [[f32; H]; 3],
    /// `d loss / d b_out` (zero with biases off).
    pub b_out: [f32; O],
}

impl<const I: usize, const H: usize, const O: usize> GruGradients<I, H, O> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        GruGradients {
            w_x: [[[0.0; H]; I]; 3],
            w_h: [[[0.0; H]; H]; 3],
            w_out: [[0.0; O]; H],
            b_x: [[0.0; H]; 3],
            b_h: [[0.0; H]; 3],
            b_out: [0.0; O],
        }
    }

    /// The six arrays, flattened, in the order of [`GRU_ARRAYS`] (as [`Gru::arrays`]).
    #[must_use]
    pub const fn arrays(&self) -> [&[f32]; 6] {
        [
            self.w_x.as_flattened().as_flattened(),
            self.w_h.as_flattened().as_flattened(),
            self.w_out.as_flattened(),
            self.b_x.as_flattened(),
            self.b_h.as_flattened(),
            &self.b_out,
        ]
    }

    /// [`GruGradients::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 6] {
        [
            self.w_x.as_flattened_mut().as_flattened_mut(),
            self.w_h.as_flattened_mut().as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            self.b_x.as_flattened_mut(),
            self.b_h.as_flattened_mut(),
            &mut self.b_out,
        ]
    }

    /// The global L2 norm over every gradient, as [`Gradients::norm`](crate::Gradients::norm).
    #[must_use]
    pub fn norm(&self) -> f32 {
        global_norm(self.arrays())
    }

    /// Clipping by global norm, as
    /// [`Gradients::clip_global_norm`](crate::Gradients::clip_global_norm): if `norm >
    /// threshold`, scales every gradient by `threshold / norm`; returns the norm before.
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] if `threshold` is not positive and finite;
    /// [`Error::NonFiniteGradient`] if the norm is not finite. Either way nothing is changed.
    pub fn clip_global_norm(&mut self, threshold: f32) -> Result<f32> {
        clip_global_norm(self.arrays_mut(), threshold)
    }
}

impl<const I: usize, const H: usize, const O: usize> Gru<I, H, O> {
    /// A model with every weight and bias zero, biases off, the course's sigmoid output.
    #[must_use]
    pub const fn zeros() -> Self {
        const { assert!(I > 0 && H > 0 && O > 0, "a Gru needs I, H, O > 0") };
        Gru {
            w_x: [[[0.0; H]; I]; 3],
            w_h: [[[0.0; H]; H]; 3],
            w_out: [[0.0; O]; H],
            b_x: [[0.0; H]; 3],
            b_h: [[0.0; H]; 3],
            b_out: [0.0; O],
            output: Output::Sigmoid,
            biases: false,
        }
    }

    /// A model drawn from `rng` with `init`: `w_x` (each gate in turn), then `w_h`, then
    /// `w_out`, each row by row, `init` scaled by each matrix's fan-in (`I`, `H`, `H`); biases
    /// on (as PyTorch's) and zero.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std.
    pub fn from_rng<R: Rng + ?Sized>(rng: &mut R, init: Init) -> Result<Self> {
        let (s_in, s_h) = (init.scale(I)?, init.scale(H)?);
        let mut model = Self::zeros();
        let mut normal = StandardNormal::new();
        normal.fill(rng, s_in, model.w_x.as_flattened_mut().as_flattened_mut());
        normal.fill(rng, s_h, model.w_h.as_flattened_mut().as_flattened_mut());
        normal.fill(rng, s_h, model.w_out.as_flattened_mut());
        Ok(model.with_biases(true))
    }

    /// The same model with its biases switched on or off (their values are kept).
    #[must_use]
    pub const fn with_biases(mut self, biases: bool) -> Self {
        self.biases = biases;
        self
    }

    /// The model with another output layer.
    #[must_use]
    pub const fn with_output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// The six parameter arrays, flattened, in the order of [`GRU_ARRAYS`]; the biases are
    /// there whether or not they take part.
    #[must_use]
    pub const fn arrays(&self) -> [&[f32]; 6] {
        [
            self.w_x.as_flattened().as_flattened(),
            self.w_h.as_flattened().as_flattened(),
            self.w_out.as_flattened(),
            self.b_x.as_flattened(),
            self.b_h.as_flattened(),
            &self.b_out,
        ]
    }

    /// [`Gru::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 6] {
        [
            self.w_x.as_flattened_mut().as_flattened_mut(),
            self.w_h.as_flattened_mut().as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            self.b_x.as_flattened_mut(),
            self.b_h.as_flattened_mut(),
            &mut self.b_out,
        ]
    }

    /// One step of the cell: from `h_prev` and `x`, the new state into `h` and the gates into
    /// `gates`.
    fn cell_into(&self, x: &[f32; I], h_prev: &[f32; H], h: &mut [f32; H], g: &mut GruGates<H>) {
        let zero = [0.0; H];
        // Each gate's two biases, summed first (PyTorch adds them in the other order: the
        // bits differ from its, the values not).
        let bias = |gate: usize| -> [f32; H] {
            match (self.biases, self.b_x.get(gate), self.b_h.get(gate)) {
                (true, Some(bx), Some(bh)) => core::array::from_fn(|j| bx[j] + bh[j]),
                _ => zero,
            }
        };
        let side = |b: &[[f32; H]; 3], gate: usize| match (self.biases, b.get(gate)) {
            (true, Some(b)) => *b,
            _ => zero,
        };
        let [wr, wz, wn] = &self.w_x;
        let [ur, uz, un] = &self.w_h;
        vecmat2_into(x, wr, h_prev, ur, &bias(RESET), &mut g.r);
        vecmat2_into(x, wz, h_prev, uz, &bias(UPDATE), &mut g.z);
        g.m = side(&self.b_h, NEW);
        vecmat_add_into(h_prev, un, &mut g.m);
        let mut a_n = side(&self.b_x, NEW);
        vecmat_add_into(x, wn, &mut a_n);
        for j in 0..H {
            let r = sigmoid(g.r[j]);
            let z = sigmoid(g.z[j]);
            let n = libm::tanhf(a_n[j] + r * g.m[j]);
            (g.r[j], g.z[j], g.n[j]) = (r, z, n);
            h[j] = n + z * (h_prev[j] - n);
        }
    }

    /// The output layer's input for a state.
    fn logits(&self, h: &[f32; H]) -> [f32; O] {
        cell::logits(&self.w_out, self.biases.then_some(&self.b_out), h)
    }

    /// The output layer on `v`.
    fn apply_output(&self, v: &[f32; O], y: &mut [f32; O]) {
        cell::apply_output(self.output, v, y);
    }

    /// One step of inference with the state held by the caller: on entry `h` is `h_{t-1}`
    /// (zeros before the first step), on return `h_t`; `y` is `y_t`.
    pub fn step(&self, x: &[f32; I], h: &mut [f32; H], y: &mut [f32; O]) {
        let h_prev = *h;
        let mut gates = GruGates::zeros();
        self.cell_into(x, &h_prev, h, &mut gates);
        self.apply_output(&self.logits(h), y);
    }

    /// Runs the model over a whole sequence from a zero state, writing every output.
    pub fn forward_into<const L: usize>(&self, xs: &[[f32; I]; L], ys: &mut [[f32; O]; L]) {
        let mut h = [0.0; H];
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            self.step(x, &mut h, y);
        }
    }

    /// Runs the model over `xs` from the state `h0` (zeros if `None`), keeps in `trace` what
    /// backpropagation needs, and returns the loss `Lo` of the labelled steps.
    ///
    /// # Errors
    /// [`Error::OutputLossMismatch`] if `Lo` does not train the model's output layer;
    /// [`Error::InvalidTarget`] if a labelled target is not one `Lo` accepts. The trace is then
    /// unchanged.
    pub fn forward_trace_loss<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &mut GruTrace<H, O, L>,
    ) -> Result<f32> {
        targets.check::<Lo>(self.output)?;
        let mut h_prev = *h0.unwrap_or(&[0.0; H]);
        let mut loss = 0.0;
        let steps = xs.iter().zip(targets.ds).zip(
            trace
                .hs
                .iter_mut()
                .zip(trace.gates.iter_mut())
                .zip(trace.ys.iter_mut()),
        );
        for (t, ((x, d), ((h, g), y))) in (0..L).zip(steps) {
            self.cell_into(x, &h_prev, h, g);
            let v = self.logits(h);
            self.apply_output(&v, y);
            if targets.labels.has(t) {
                loss += Lo::step_loss(self.output, &v, y, d);
            }
            h_prev = *h;
        }
        Ok(loss)
    }

    /// Backpropagation through time: **writes** into `grads` the gradients of the loss `Lo` of
    /// the labelled steps (module docs), `trace` being what [`Gru::forward_trace_loss`] kept
    /// from the same `h0` and `xs`.
    pub fn backward_loss_into<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &GruTrace<H, O, L>,
        grads: &mut GruGradients<I, H, O>,
    ) {
        *grads = GruGradients::zeros();
        self.backward_loss_add_into::<Lo, L>(h0, xs, targets, trace, grads);
    }

    /// As [`Gru::backward_loss_into`], but **adds** the gradients to `grads` (to sum a batch).
    pub fn backward_loss_add_into<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &GruTrace<H, O, L>,
        grads: &mut GruGradients<I, H, O>,
    ) {
        let zero = [0.0; H];
        // What step t + 1 sends back to h_t.
        let mut carry = [0.0f32; H];
        for t in (0..L).rev() {
            let (Some(x), Some(h), Some(g), Some(y), Some(d)) = (
                xs.get(t),
                trace.hs.get(t),
                trace.gates.get(t),
                trace.ys.get(t),
                targets.ds.get(t),
            ) else {
                continue;
            };
            let h_prev = match t.checked_sub(1) {
                Some(p) => trace.hs.get(p).unwrap_or(&zero),
                None => h0.unwrap_or(&zero),
            };
            // The output's delta, and δh = carry + W_out · δout.
            let mut dout = [0.0f32; O];
            if targets.labels.has(t) {
                Lo::delta(self.output, y, d, &mut dout);
            }
            outer_add_into(h, &dout, &mut grads.w_out);
            let mut dh = [0.0f32; H];
            matvec_into(&self.w_out, &dout, &mut dh);
            let (mut dr, mut dz, mut dn, mut dm) = ([0.0f32; H], [0.0f32; H], [0.0; H], [0.0; H]);
            for j in 0..H {
                let dhj = dh[j] + carry[j];
                let (r, z, n) = (g.r[j], g.z[j], g.n[j]);
                dn[j] = dhj * (1.0 - z) * (1.0 - n * n);
                dz[j] = dhj * (h_prev[j] - n) * z * (1.0 - z);
                dr[j] = dn[j] * g.m[j] * r * (1.0 - r);
                dm[j] = dn[j] * r;
                carry[j] = dhj * z;
            }
            let [gxr, gxz, gxn] = &mut grads.w_x;
            outer_add_into(x, &dr, gxr);
            outer_add_into(x, &dz, gxz);
            outer_add_into(x, &dn, gxn);
            let [ghr, ghz, ghn] = &mut grads.w_h;
            outer_add_into(h_prev, &dr, ghr);
            outer_add_into(h_prev, &dz, ghz);
            outer_add_into(h_prev, &dm, ghn);
            if self.biases {
                let [bxr, bxz, bxn] = &mut grads.b_x;
                let [bhr, bhz, bhn] = &mut grads.b_h;
                axpy(1.0, &dr, bxr);
                axpy(1.0, &dr, bhr);
                axpy(1.0, &dz, bxz);
                axpy(1.0, &dz, bhz);
                axpy(1.0, &dn, bxn);
                axpy(1.0, &dm, bhn);
                axpy(1.0, &dout, &mut grads.b_out);
            }
            // δh_{t-1} = δh ⊙ z + W_hr δr + W_hz δz + W_hn δm.
            let [ur, uz, un] = &self.w_h;
            for (gate, delta) in [(ur, &dr), (uz, &dz), (un, &dm)] {
                let mut back = [0.0f32; H];
                matvec_into(gate, delta, &mut back);
                axpy(1.0, &back, &mut carry);
            }
        }
    }

    /// `w -= lr · g` for every parameter that takes part (the biases only with
    /// [`Gru::biases`]).
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if an updated weight would be NaN or infinite. Either way
    /// the model is left as it was.
    pub fn sgd(&mut self, grads: &GruGradients<I, H, O>, lr: f32) -> Result<()> {
        let trained = if self.biases { 6 } else { 3 };
        cell::sgd(self.arrays_mut(), grads.arrays(), trained, lr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::train::SquaredError;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn size_formulas() {
        use core::mem::size_of;
        let model = |i: usize, h: usize, o: usize| {
            (4 * (3 * i * h + 3 * h * h + h * o + 6 * h + o) + 2).next_multiple_of(4)
        };
        assert_eq!(size_of::<Gru<2, 16, 1>>(), model(2, 16, 1));
        assert_eq!(size_of::<Gru<3, 5, 2>>(), model(3, 5, 2));
        assert_eq!(size_of::<GruTrace<16, 1, 8>>(), 4 * 8 * (5 * 16 + 1));
        assert_eq!(
            size_of::<GruGradients<2, 16, 1>>(),
            model(2, 16, 1) - 4,
            "the model's arrays without its settings"
        );
    }

    #[test]
    fn step_by_step_equals_forward_and_trace() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let mut m = Gru::<2, 5, 3>::from_rng(&mut rng, Init::Xavier)
            .unwrap()
            .with_biases(true);
        m.b_h[NEW] = [0.1, -0.2, 0.3, 0.0, 0.5];
        let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let mut ys = [[0.0; 3]; 4];
        m.forward_into(&xs, &mut ys);
        let mut trace = GruTrace::<5, 3, 4>::zeros();
        let ds = [[0.0; 3]; 4];
        m.forward_trace_loss::<SquaredError, 4>(None, &xs, Targets::every(&ds), &mut trace)
            .unwrap();
        let mut h = [0.0; 5];
        for (t, (x, expected)) in xs.iter().zip(&ys).enumerate() {
            let mut y = [0.0; 3];
            m.step(x, &mut h, &mut y);
            assert_eq!(&y, expected);
            assert_eq!(y, trace.ys[t]);
            assert_eq!(h, trace.hs[t]);
        }
    }

    #[test]
    fn one_unit_by_hand() {
        // I = H = O = 1, x = 1, h_0 = 0.5: every gate from its formula.
        let mut m = Gru::<1, 1, 1>::zeros();
        m.w_x = [[[1.0]], [[-1.0]], [[2.0]]];
        m.w_h = [[[0.5]], [[0.25]], [[-1.0]]];
        m.w_out = [[1.5]];
        let mut h = [0.5];
        let mut y = [0.0];
        m.step(&[1.0], &mut h, &mut y);
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let r = sig(1.0 + 0.25);
        let z = sig(-1.0 + 0.125);
        let n = (2.0 + r * -0.5f64).tanh();
        let want = (1.0 - z) * n + z * 0.5;
        assert!((f64::from(h[0]) - want).abs() < 1e-6, "{} vs {want}", h[0]);
        assert!((f64::from(y[0]) - sig(1.5 * want)).abs() < 1e-6);
    }

    #[test]
    fn sgd_rejects_and_keeps_the_model() {
        let mut rng = XorShiftRng::seed_from_u64(4);
        let mut m = Gru::<2, 3, 1>::from_rng(&mut rng, Init::Xavier)
            .unwrap()
            .with_biases(false);
        let before = m.clone();
        let mut g = GruGradients::zeros();
        assert_eq!(m.sgd(&g, 0.0), Err(Error::InvalidLearningRate));
        g.w_h[UPDATE][1][2] = f32::INFINITY;
        assert_eq!(m.sgd(&g, 0.1), Err(Error::NonFiniteWeight));
        assert_eq!(m, before);
        g.w_h[UPDATE][1][2] = 2.0;
        g.b_x[RESET][0] = 5.0; // biases off: not applied
        m.sgd(&g, 0.5).unwrap();
        assert_eq!(m.w_h[UPDATE][1][2], before.w_h[UPDATE][1][2] - 1.0);
        assert_eq!(m.b_x, before.b_x);
    }
}
