//! The long short-term memory (LSTM), in the convention of PyTorch's `nn.LSTM`: its weights,
//! one step, a forward pass, the trace backpropagation needs, and exact backpropagation
//! through time.
//!
//! At step `t`, from the state `(h_{t-1}, c_{t-1})` (zeros, or a state the caller holds), `σ`
//! the sigmoid, `⊙` the product element by element, each `x · W` a row vector times a matrix
//! (PyTorch's `weight_ih_l0` holds the four `W_x` transposed and stacked, gates in the order
//! i, f, g, o):
//!
//! ```text
//! i_t = σ(x_t · W_xi + b_xi + h_{t-1} · W_hi + b_hi)        input gate
//! f_t = σ(x_t · W_xf + b_xf + h_{t-1} · W_hf + b_hf)        forget gate
//! g_t = tanh(x_t · W_xg + b_xg + h_{t-1} · W_hg + b_hg)     cell candidate
//! o_t = σ(x_t · W_xo + b_xo + h_{t-1} · W_ho + b_ho)        output gate
//! c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
//! h_t = o_t ⊙ tanh(c_t)
//! y_t = g(h_t · W_out (+ b_out))                           g: the output layer
//! ```
//!
//! [`Lstm::from_rng`] starts the forget gate's input-side bias at 1, as is usual (Jozefowicz et
//! al. 2015): the cell then keeps its memory by default until it learns to forget. PyTorch
//! starts every bias at random; set `b_x[FORGET]` to taste.
//!
//! **Backpropagation through time**, with `δh_t` the gradient of the loss with respect to
//! `h_t` and `δc_t` with respect to `c_t`, each what step `t` sends plus what step `t + 1`
//! sends back:
//!
//! ```text
//! δc   = δh ⊙ o ⊙ (1 - tanh²(c_t)) + (δc_{t+1} ⊙ f_{t+1})
//! δo   = δh ⊙ tanh(c_t) ⊙ o (1 - o)          δi = δc ⊙ g ⊙ i (1 - i)
//! δg   = δc ⊙ i ⊙ (1 - g²)                   δf = δc ⊙ c_{t-1} ⊙ f (1 - f)
//! δh_{t-1} = W_hi δi + W_hf δf + W_hg δg + W_ho δo
//! dW_xq += x_t ⊗ δq,  dW_hq += h_{t-1} ⊗ δq,  db_xq = db_hq += δq   (q = i, f, g, o)
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
    axpy, each_index, matvec_into, outer_add_into, outer_sum_into, sum_into, vecmat2_into,
};
use crate::train::{Loss, Targets};

/// The index of the input gate in [`Gated::w_x`], [`Gated::w_h`], [`Gated::b_x`] and
/// [`Gated::b_h`].
pub const INPUT: usize = 0;
/// The index of the forget gate.
pub const FORGET: usize = 1;
/// The index of the cell candidate.
pub const CELL: usize = 2;
/// The index of the output gate.
pub const OUTPUT: usize = 3;

/// An LSTM with `I` inputs, `H` hidden units and `O` outputs (module docs for its formulas): a
/// [`Gated`] network with four gates, in PyTorch's order ([`INPUT`], [`FORGET`], [`CELL`],
/// [`OUTPUT`]). Only the sum of a gate's two biases counts.
///
/// Size: `4 (4 I·H + 4 H·H + H·O + 8 H + O)` bytes plus 2 bytes of settings, rounded up to a
/// multiple of 4.
pub type Lstm<const I: usize, const H: usize, const O: usize> = Gated<I, H, O, 4>;

/// The gradients of an [`Lstm`]'s parameters.
pub type LstmGradients<const I: usize, const H: usize, const O: usize> = GatedGradients<I, H, O, 4>;

/// An LSTM's state between steps: the hidden state `h` and the cell `c`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LstmState<const H: usize> {
    /// The hidden state `h`, what the output layer and the next step's gates see.
    pub h: [f32; H],
    /// The cell `c`, the memory.
    pub c: [f32; H],
}

impl<const H: usize> LstmState<H> {
    /// All zeros: the state before a sequence's first step.
    #[must_use]
    pub const fn zeros() -> Self {
        LstmState {
            h: [0.0; H],
            c: [0.0; H],
        }
    }
}

/// What one step computes besides the new state, for backpropagation: the four gates and
/// `tanh(c_t)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LstmGates<const H: usize> {
    /// The gates, in the order [`INPUT`], [`FORGET`], [`CELL`], [`OUTPUT`].
    pub q: [[f32; H]; 4],
    /// `tanh(c_t)`.
    pub tanh_c: [f32; H],
}

impl<const H: usize> LstmGates<H> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        LstmGates {
            q: [[0.0; H]; 4],
            tanh_c: [0.0; H],
        }
    }
}

/// What a forward pass of `L` steps keeps for backpropagation.
///
/// Size: `4 L (7 H + O)` bytes (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct LstmTrace<const H: usize, const O: usize, const L: usize> {
    /// The state after each step.
    pub states: [LstmState<H>; L],
    /// The gates of each step.
    pub gates: [LstmGates<H>; L],
    /// The output of each step.
    pub ys: [[f32; O]; L],
}

impl<const H: usize, const O: usize, const L: usize> LstmTrace<H, O, L> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        // At compile time, as `GatedGradients::zeros`.
        const {
            LstmTrace {
                states: [LstmState::zeros(); L],
                gates: [LstmGates::zeros(); L],
                ys: [[0.0; O]; L],
            }
        }
    }
}

impl<const I: usize, const H: usize, const O: usize> Gated<I, H, O, 4> {
    /// A model drawn from `rng` with `init`: `w_x` (each gate in turn), then `w_h`, then
    /// `w_out`, each row by row, `init` scaled by each matrix's fan-in (`I`, `H`, `H`); biases
    /// on, zero but for the forget gate's input-side bias, 1 (module docs).
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std.
    pub fn from_rng<R: Rng + ?Sized>(rng: &mut R, init: Init) -> Result<Self> {
        let mut model = Self::zeros();
        model.init_from_rng(rng, init)?;
        Ok(model)
    }

    /// [`Lstm::from_rng`](Gated::from_rng) in place: every weight drawn again, the biases
    /// on, zero but for the forget gate's input-side bias (1), the output layer kept. Where a
    /// model is built once in place (on a small stack), not returned by value.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std; the
    /// model is then left as it was.
    pub fn init_from_rng<R: Rng + ?Sized>(&mut self, rng: &mut R, init: Init) -> Result<()> {
        self.draw(rng, init)?;
        self.b_x[FORGET] = [1.0; H];
        Ok(())
    }

    /// One step of the cell: from `prev` and `x`, the new state into `next` and the gates into
    /// `g`.
    fn cell_into(
        &self,
        starts: &[[f32; H]; 4],
        x: &[f32; I],
        prev: &LstmState<H>,
        next: &mut LstmState<H>,
        g: &mut LstmGates<H>,
    ) {
        // `(0..4).zip`, not `enumerate`, whose counter has an overflow check. Each gate's two
        // biases are summed first, once a pass ([`Gated::gate_biases`]; PyTorch adds them in
        // another order).
        let gates = g.q.iter_mut().zip(self.w_x.iter().zip(&self.w_h));
        for (q, ((a, (wx, wh)), start)) in (0..4).zip(gates.zip(starts)) {
            vecmat2_into(x, wx, &prev.h, wh, start, a);
            if q == CELL {
                tanh_in_place(a);
            } else {
                sigmoid_in_place(a);
            }
        }
        let [i, f, c_new, o] = &g.q;
        each_index::<H>(|j| next.c[j] = f[j] * prev.c[j] + i[j] * c_new[j]);
        g.tanh_c = next.c;
        tanh_in_place(&mut g.tanh_c);
        each_index::<H>(|j| next.h[j] = o[j] * g.tanh_c[j]);
    }

    /// One step of inference with the state held by the caller: on entry `state` is
    /// `(h_{t-1}, c_{t-1})` (zeros before the first step), on return `(h_t, c_t)`; `y` is `y_t`.
    pub fn step(&self, x: &[f32; I], state: &mut LstmState<H>, y: &mut [f32; O]) {
        self.step_from(&self.gate_biases(), x, state, y);
    }

    /// [`Lstm::step`] with the starts of the gates' sums given.
    #[inline]
    fn step_from(
        &self,
        starts: &[[f32; H]; 4],
        x: &[f32; I],
        state: &mut LstmState<H>,
        y: &mut [f32; O],
    ) {
        let prev = *state;
        let mut gates = LstmGates::zeros();
        self.cell_into(starts, x, &prev, state, &mut gates);
        let v = self.logits(&state.h);
        self.apply_output(&v, y);
    }

    /// Runs the model over a whole sequence from a zero state, writing every output.
    pub fn forward_into<const L: usize>(&self, xs: &[[f32; I]; L], ys: &mut [[f32; O]; L]) {
        let starts = self.gate_biases();
        let mut state = LstmState::zeros();
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            self.step_from(&starts, x, &mut state, y);
        }
    }

    /// Runs the model over `xs` from the state `s0` (zeros if `None`), keeps in `trace` what
    /// backpropagation needs, and returns the loss `Lo` of the labelled steps.
    ///
    /// # Errors
    /// [`Error::OutputLossMismatch`] if `Lo` does not train the model's output layer;
    /// [`Error::InvalidTarget`] if a labelled target is not one `Lo` accepts. The trace is then
    /// unchanged.
    pub fn forward_trace_loss<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&LstmState<H>>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &mut LstmTrace<H, O, L>,
    ) -> Result<f32> {
        targets.check::<Lo>(self.output)?;
        let mut prev = s0.copied().unwrap_or(LstmState::zeros());
        let starts = self.gate_biases();
        let mut loss = 0.0;
        let steps = xs.iter().zip(targets.ds).zip(
            trace
                .states
                .iter_mut()
                .zip(trace.gates.iter_mut())
                .zip(trace.ys.iter_mut()),
        );
        for (t, ((x, d), ((s, g), y))) in (0..L).zip(steps) {
            self.cell_into(&starts, x, &prev, s, g);
            let v = self.logits(&s.h);
            self.apply_output(&v, y);
            if targets.labels.has(t) {
                loss += Lo::step_loss(self.output, &v, y, d);
            }
            prev = *s;
        }
        Ok(loss)
    }

    /// Backpropagation through time: **writes** into `grads` the gradients of the loss `Lo` of
    /// the labelled steps (module docs), `trace` being what [`Lstm::forward_trace_loss`] kept
    /// from the same `s0` and `xs`.
    pub fn backward_loss_into<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&LstmState<H>>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &LstmTrace<H, O, L>,
        grads: &mut LstmGradients<I, H, O>,
    ) {
        self.backward::<Lo, L>(s0, xs, targets, trace, grads, false);
    }

    /// As [`Lstm::backward_loss_into`], but **adds** the gradients to `grads` (to sum a batch).
    pub fn backward_loss_add_into<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&LstmState<H>>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &LstmTrace<H, O, L>,
        grads: &mut LstmGradients<I, H, O>,
    ) {
        self.backward::<Lo, L>(s0, xs, targets, trace, grads, true);
    }

    /// Backpropagation through time in two passes, as the Elman's: back through the steps,
    /// keeping each step's deltas on the stack (`4 L (4 H + O)` bytes, and the hidden states
    /// `4 L H` more), then each gradient summed over the steps, last step first.
    fn backward<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&LstmState<H>>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &LstmTrace<H, O, L>,
        grads: &mut LstmGradients<I, H, O>,
        add: bool,
    ) {
        let zero = LstmState::zeros();
        let mut d_out = [[0.0f32; O]; L];
        // The deltas of each gate's pre-activation, gate by gate, step by step.
        let mut dq = [[[0.0f32; H]; L]; 4];
        // What step t + 1 sends back to h_t and to c_t.
        let (mut carry_h, mut carry_c) = ([0.0f32; H], [0.0f32; H]);
        // Products, written over whole by each `matvec_into`: zeroed once, not at every use.
        let (mut dh, mut back) = ([0.0f32; H], [0.0f32; H]);
        let [di, df, dg, d_o] = &mut dq;
        let steps = d_out.iter_mut().zip(di.iter_mut().zip(df.iter_mut()));
        let steps = steps.zip(dg.iter_mut().zip(d_o.iter_mut()));
        for (t, ((d_out, (di, df)), (dg, d_o))) in (0..L).zip(steps).rev() {
            let (Some(g), Some(y), Some(d)) =
                (trace.gates.get(t), trace.ys.get(t), targets.ds.get(t))
            else {
                continue;
            };
            let prev = match t.checked_sub(1) {
                Some(p) => trace.states.get(p).unwrap_or(&zero),
                None => s0.unwrap_or(&zero),
            };
            if targets.labels.has(t) {
                Lo::delta(self.output, y, d, d_out);
            }
            matvec_into(&self.w_out, d_out, &mut dh);
            let [i, f, c_new, o] = &g.q;
            each_index::<H>(|j| {
                let dhj = dh[j] + carry_h[j];
                let tc = g.tanh_c[j];
                let dc = dhj * o[j] * (1.0 - tc * tc) + carry_c[j];
                d_o[j] = dhj * tc * o[j] * (1.0 - o[j]);
                di[j] = dc * c_new[j] * i[j] * (1.0 - i[j]);
                dg[j] = dc * i[j] * (1.0 - c_new[j] * c_new[j]);
                df[j] = dc * prev.c[j] * f[j] * (1.0 - f[j]);
                carry_c[j] = dc * f[j];
            });
            // δh_{t-1} = Σ_q W_hq δq, in the order of the gates' constants.
            if t > 0 {
                carry_h = [0.0; H];
                let [ui, uf, ug, uo] = &self.w_h;
                for (uh, q) in [(ui, &*di), (uf, &*df), (ug, &*dg), (uo, &*d_o)] {
                    matvec_into(uh, q, &mut back);
                    axpy(1.0, &back, &mut carry_h);
                }
            }
        }
        let hs = trace.states.each_ref().map(|s| s.h);
        outer_sum_into(&hs, &d_out, &mut grads.w_out, add);
        for (q, (gx, gh)) in dq.iter().zip(grads.w_x.iter_mut().zip(&mut grads.w_h)) {
            outer_sum_into(xs, q, gx, add);
            outer_sum_into(&hs, q.get(1..).unwrap_or(&[]), gh, add);
            if let (Some(s0), Some(first)) = (s0, q.first())
                && s0.h.iter().any(|&v| v != 0.0)
            {
                outer_add_into(&s0.h, first, gh);
            }
        }
        if self.biases {
            for (q, (bx, bh)) in dq.iter().zip(grads.b_x.iter_mut().zip(&mut grads.b_h)) {
                sum_into(q, bx, add);
                // Both biases of a gate have the same gradient: written once and copied (the
                // same bits), added twice.
                if add {
                    sum_into(q, bh, add);
                } else {
                    *bh = *bx;
                }
            }
            sum_into(&d_out, &mut grads.b_out, add);
        } else if !add {
            grads.b_x = [[0.0; H]; 4];
            grads.b_h = [[0.0; H]; 4];
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
        assert_eq!(size_of::<LstmTrace<16, 1, 8>>(), 4 * 8 * (7 * 16 + 1));
        assert_eq!(size_of::<LstmTrace<3, 2, 5>>(), 4 * 5 * (7 * 3 + 2));
        assert_eq!(size_of::<LstmState<16>>(), 4 * 2 * 16);
    }

    #[test]
    fn step_by_step_equals_forward_and_trace() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let m = Lstm::<2, 5, 3>::from_rng(&mut rng, Init::Xavier).unwrap();
        assert_eq!(m.b_x[FORGET], [1.0; 5]);
        let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let mut ys = [[0.0; 3]; 4];
        m.forward_into(&xs, &mut ys);
        let mut trace = LstmTrace::<5, 3, 4>::zeros();
        let ds = [[0.0; 3]; 4];
        m.forward_trace_loss::<SquaredError, 4>(None, &xs, Targets::every(&ds), &mut trace)
            .unwrap();
        let mut s = LstmState::zeros();
        for (t, (x, expected)) in xs.iter().zip(&ys).enumerate() {
            let mut y = [0.0; 3];
            m.step(x, &mut s, &mut y);
            assert_eq!(&y, expected);
            assert_eq!(y, trace.ys[t]);
            assert_eq!(s, trace.states[t]);
        }
    }

    #[test]
    fn one_unit_by_hand() {
        let mut m = Lstm::<1, 1, 1>::zeros();
        m.w_x = [[[1.0]], [[-1.0]], [[2.0]], [[0.5]]];
        m.w_h = [[[0.5]], [[0.25]], [[-1.0]], [[1.0]]];
        m.w_out = [[1.5]];
        let mut s = LstmState {
            h: [0.5],
            c: [-0.25],
        };
        let mut y = [0.0];
        m.step(&[1.0], &mut s, &mut y);
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let (i, f) = (sig(1.0 + 0.25), sig(-1.0 + 0.125));
        let (g, o) = ((2.0f64 - 0.5).tanh(), sig(0.5 + 0.5));
        let c = f * -0.25 + i * g;
        let h = o * c.tanh();
        assert!((f64::from(s.c[0]) - c).abs() < 1e-6, "{} vs {c}", s.c[0]);
        assert!((f64::from(s.h[0]) - h).abs() < 1e-6, "{} vs {h}", s.h[0]);
        assert!((f64::from(y[0]) - sig(1.5 * h)).abs() < 1e-6);
    }
}
