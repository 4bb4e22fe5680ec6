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

use crate::activation::{sigmoid_in_place, tanh_in_place};
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::gated::{Gated, GatedGradients};
use crate::init::Init;
use crate::linalg::{
    axpy, each_index, matvec_into, outer_add_into, outer_sum_into, sum_into, vecmat_add_into,
    vecmat2_into,
};
use crate::train::{Loss, Targets};

/// The index of the reset gate in [`Gated::w_x`], [`Gated::w_h`], [`Gated::b_x`] and
/// [`Gated::b_h`].
pub const RESET: usize = 0;
/// The index of the update gate.
pub const UPDATE: usize = 1;
/// The index of the candidate ("new gate" in PyTorch).
pub const NEW: usize = 2;

/// A GRU with `I` inputs, `H` hidden units and `O` outputs (module docs for its formulas): a
/// [`Gated`] network with three gates, in PyTorch's order ([`RESET`], [`UPDATE`], [`NEW`]).
///
/// Size: `4 (3 I·H + 3 H·H + H·O + 6 H + O)` bytes plus 2 bytes of settings, rounded up to a
/// multiple of 4.
pub type Gru<const I: usize, const H: usize, const O: usize> = Gated<I, H, O, 3>;

/// The gradients of a [`Gru`]'s parameters.
pub type GruGradients<const I: usize, const H: usize, const O: usize> = GatedGradients<I, H, O, 3>;

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

/// What starts a GRU step's sums: the summed biases of the reset and update gates, the
/// candidate's hidden-side and input-side biases.
struct Starts<const H: usize> {
    r: [f32; H],
    z: [f32; H],
    m: [f32; H],
    n: [f32; H],
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
        // At compile time, as `GatedGradients::zeros`.
        const {
            GruTrace {
                hs: [[0.0; H]; L],
                gates: [GruGates::zeros(); L],
                ys: [[0.0; O]; L],
            }
        }
    }
}

impl<const I: usize, const H: usize, const O: usize> Gated<I, H, O, 3> {
    /// A GRU drawn from `rng` with `init`: `w_x` (each gate in turn), then `w_h`, then
    /// `w_out`, each row by row, `init` scaled by each matrix's fan-in (`I`, `H`, `H`); biases
    /// on (as PyTorch's) and zero.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std.
    pub fn from_rng<R: Rng + ?Sized>(rng: &mut R, init: Init) -> Result<Self> {
        let mut model = Self::zeros();
        model.init_from_rng(rng, init)?;
        Ok(model)
    }

    /// [`Gru::from_rng`](Gated::from_rng) in place: every weight drawn again, the biases zero
    /// and on, the output layer kept. Where a model is built once in place (on a small stack),
    /// not returned by value.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std; the
    /// model is then left as it was.
    pub fn init_from_rng<R: Rng + ?Sized>(&mut self, rng: &mut R, init: Init) -> Result<()> {
        self.draw(rng, init)
    }

    /// What starts a step's sums, the same at every step: computed once for a pass. Each
    /// gate's two biases are summed (PyTorch adds them in the other order: the bits differ from
    /// its, the values not); the candidate's two apart.
    fn starts(&self) -> Starts<H> {
        let side = |b: &[[f32; H]; 3], gate: usize| match (self.biases, b.get(gate)) {
            (true, Some(b)) => *b,
            _ => [0.0; H],
        };
        Starts {
            r: self.gate_bias(RESET),
            z: self.gate_bias(UPDATE),
            m: side(&self.b_h, NEW),
            n: side(&self.b_x, NEW),
        }
    }

    /// One step of the cell: from `h_prev` and `x`, the new state into `h` and the gates into
    /// `gates`; `s` is [`Gru::starts`].
    fn cell_into(
        &self,
        s: &Starts<H>,
        x: &[f32; I],
        h_prev: &[f32; H],
        h: &mut [f32; H],
        g: &mut GruGates<H>,
    ) {
        let [wr, wz, wn] = &self.w_x;
        let [ur, uz, un] = &self.w_h;
        vecmat2_into(x, wr, h_prev, ur, &s.r, &mut g.r);
        vecmat2_into(x, wz, h_prev, uz, &s.z, &mut g.z);
        g.m = s.m;
        vecmat_add_into(h_prev, un, &mut g.m);
        // The candidate's sum, then the candidate itself, in its place in `g`.
        g.n = s.n;
        vecmat_add_into(x, wn, &mut g.n);
        sigmoid_in_place(&mut g.r);
        sigmoid_in_place(&mut g.z);
        each_index::<H>(|j| g.n[j] += g.r[j] * g.m[j]);
        tanh_in_place(&mut g.n);
        each_index::<H>(|j| h[j] = g.n[j] + g.z[j] * (h_prev[j] - g.n[j]));
    }

    /// One step of inference with the state held by the caller: on entry `h` is `h_{t-1}`
    /// (zeros before the first step), on return `h_t`; `y` is `y_t`.
    pub fn step(&self, x: &[f32; I], h: &mut [f32; H], y: &mut [f32; O]) {
        self.step_from(&self.starts(), x, h, y);
    }

    /// [`Gru::step`] with the starts of the sums given.
    #[inline]
    fn step_from(&self, s: &Starts<H>, x: &[f32; I], h: &mut [f32; H], y: &mut [f32; O]) {
        let h_prev = *h;
        let mut gates = GruGates::zeros();
        self.cell_into(s, x, &h_prev, h, &mut gates);
        self.apply_output(&self.logits(h), y);
    }

    /// Runs the model over a whole sequence from a zero state, writing every output.
    pub fn forward_into<const L: usize>(&self, xs: &[[f32; I]; L], ys: &mut [[f32; O]; L]) {
        let s = self.starts();
        let mut h = [0.0; H];
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            self.step_from(&s, x, &mut h, y);
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
        let zero = [0.0; H];
        let h0 = h0.unwrap_or(&zero);
        let starts = self.starts();
        let mut loss = 0.0;
        let steps = xs
            .iter()
            .zip(targets.ds)
            .zip(trace.gates.iter_mut().zip(&mut trace.ys));
        for (t, ((x, d), (g, y))) in (0..L).zip(steps) {
            // The previous state read where the trace keeps it, not copied.
            let (done, now) = trace.hs.split_at_mut(t);
            let Some(h) = now.first_mut() else {
                continue;
            };
            self.cell_into(&starts, x, done.last().unwrap_or(h0), h, g);
            let v = self.logits(h);
            self.apply_output(&v, y);
            if targets.labels.has(t) {
                loss += Lo::step_loss(self.output, &v, y, d);
            }
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
        self.backward::<Lo, L>(h0, xs, targets, trace, grads, false);
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
        self.backward::<Lo, L>(h0, xs, targets, trace, grads, true);
    }

    /// Backpropagation through time in two passes, as the Elman's: back through the steps,
    /// keeping each step's deltas on the stack (`4 L (4 H + O)` bytes), then each gradient
    /// summed over the steps, last step first.
    fn backward<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &GruTrace<H, O, L>,
        grads: &mut GruGradients<I, H, O>,
        add: bool,
    ) {
        let zero = [0.0; H];
        // The deltas of each step: the output's, and the gates' pre-activations (module docs).
        let mut d_out = [[0.0f32; O]; L];
        let mut d = [[[0.0f32; H]; L]; 4];
        let [dr, dz, dn, dm] = &mut d;
        // What step t + 1 sends back to h_t.
        let mut carry = [0.0f32; H];
        // Products, written over whole by each `matvec_into`: zeroed once, not at every use.
        let (mut dh, mut back) = ([0.0f32; H], [0.0f32; H]);
        let steps = d_out.iter_mut().zip(dr.iter_mut().zip(dz.iter_mut()));
        let steps = steps.zip(dn.iter_mut().zip(dm.iter_mut()));
        for (t, ((d_out, (dr, dz)), (dn, dm))) in (0..L).zip(steps).rev() {
            let (Some(g), Some(y), Some(d)) =
                (trace.gates.get(t), trace.ys.get(t), targets.ds.get(t))
            else {
                continue;
            };
            let h_prev = match t.checked_sub(1) {
                Some(p) => trace.hs.get(p).unwrap_or(&zero),
                None => h0.unwrap_or(&zero),
            };
            // δh = carry + W_out · δout.
            if targets.labels.has(t) {
                Lo::delta(self.output, y, d, d_out);
            }
            matvec_into(&self.w_out, d_out, &mut dh);
            each_index::<H>(|j| {
                let dhj = dh[j] + carry[j];
                let (r, z, n) = (g.r[j], g.z[j], g.n[j]);
                dn[j] = dhj * (1.0 - z) * (1.0 - n * n);
                dz[j] = dhj * (h_prev[j] - n) * z * (1.0 - z);
                dr[j] = dn[j] * g.m[j] * r * (1.0 - r);
                dm[j] = dn[j] * r;
                carry[j] = dhj * z;
            });
            // δh_{t-1} = δh ⊙ z + W_hr δr + W_hz δz + W_hn δm.
            if t > 0 {
                let [ur, uz, un] = &self.w_h;
                for (gate, delta) in [(ur, &*dr), (uz, &*dz), (un, &*dm)] {
                    matvec_into(gate, delta, &mut back);
                    axpy(1.0, &back, &mut carry);
                }
            }
        }
        // dW_out = Σ_t h_t ⊗ δout_t; dW_xg = Σ_t x_t ⊗ δg_t; dW_hg = Σ_{t ≥ 1} h_{t-1} ⊗ δg_t,
        // and h_0 ⊗ δg_1 last, where h_0 is not zero.
        outer_sum_into(&trace.hs, &d_out, &mut grads.w_out, add);
        let [dr, dz, dn, dm] = &d;
        for (q, gx) in [dr, dz, dn].into_iter().zip(&mut grads.w_x) {
            outer_sum_into(xs, q, gx, add);
        }
        for (q, gh) in [dr, dz, dm].into_iter().zip(&mut grads.w_h) {
            outer_sum_into(&trace.hs, q.get(1..).unwrap_or(&[]), gh, add);
            if let (Some(h0), Some(first)) = (h0, q.first())
                && h0.iter().any(|&v| v != 0.0)
            {
                outer_add_into(h0, first, gh);
            }
        }
        if self.biases {
            for (q, (bx, bh)) in [(dr, None), (dz, None), (dn, Some(dm))]
                .into_iter()
                .zip(grads.b_x.iter_mut().zip(&mut grads.b_h))
            {
                sum_into(q.0, bx, add);
                match q.1 {
                    Some(other) => sum_into(other, bh, add),
                    // The reset and update gates' two biases have the same gradient: written
                    // once and copied (the same bits), added twice.
                    None if !add => *bh = *bx,
                    None => sum_into(q.0, bh, add),
                }
            }
            sum_into(&d_out, &mut grads.b_out, add);
        } else if !add {
            grads.b_x = [[0.0; H]; 3];
            grads.b_h = [[0.0; H]; 3];
            grads.b_out = [0.0; O];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::SquaredError;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn size_formulas() {
        use core::mem::size_of;
        assert_eq!(size_of::<GruTrace<16, 1, 8>>(), 4 * 8 * (5 * 16 + 1));
        assert_eq!(size_of::<GruTrace<3, 2, 5>>(), 4 * 5 * (5 * 3 + 2));
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
}
