//! The forward pass that keeps a trace, and backpropagation through time (see the
//! [module docs](crate::train) for the formulas).

#[cfg(doc)]
use super::Trainer;
use super::loss::{Labels, Loss, SquaredError, Targets};
use super::{Gradients, Trace};
use crate::activation::Activation;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::linalg::{
    matvec_into, outer_add_into, outer_sum_into, sum_into, unrolled, unrolled_mut,
};
use crate::model::Rnn;

impl<const I: usize, const H: usize, const O: usize> Rnn<I, H, O> {
    /// Runs the model over `xs` from a zero hidden state and keeps in `trace` what
    /// backpropagation needs.
    pub fn forward_trace<const L: usize>(&self, xs: &[[f32; I]; L], trace: &mut Trace<H, O, L>) {
        self.forward_trace_from(&[0.0; H], xs, trace);
    }

    /// Runs the model over `xs` from the hidden state `h0` (`z_0`, the state a stream was in
    /// when this window of it began) and keeps in `trace` what backpropagation needs; the
    /// state after the window is `trace.zs[L - 1]`.
    ///
    /// For truncated backpropagation through time over a stream longer than `L`: pass the same
    /// `h0` to [`Rnn::backward_from_into`]. [`Trainer::step_from`] does both.
    pub fn forward_trace_from<const L: usize>(
        &self,
        h0: &[f32; H],
        xs: &[[f32; I]; L],
        trace: &mut Trace<H, O, L>,
    ) {
        let mut h_prev = h0;
        for ((x, z), y) in xs.iter().zip(trace.zs.iter_mut()).zip(trace.ys.iter_mut()) {
            self.hidden_into(x, h_prev, z);
            self.output_into(z, y);
            h_prev = z;
        }
    }

    /// Backpropagation through time: **adds** the gradients of the loss of the sequence traced
    /// in `trace` (by [`Rnn::forward_trace`] on `xs`) against the targets `ds` to `grads`.
    ///
    /// Accumulates several sequences into one batch; [`Rnn::backward_into`] writes the
    /// gradients of one sequence instead.
    ///
    /// # Examples
    ///
    /// Mini-batches of four sequences, the training step written out (what [`Trainer`] does
    /// for one sequence at a time), with gradient clipping:
    ///
    /// ```
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::task::{self, Sample};
    /// use tinyrnn::{Activation, Gradients, Init, Rnn, Trace, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let mut model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?;
    /// let (mut trace, mut grads) = (Trace::<16, 1, 8>::zeros(), Gradients::zeros());
    /// let mut losses = [0.0f32; 300];
    /// for loss in &mut losses {
    ///     grads.clear();
    ///     for _ in 0..4 {
    ///         let s = Sample::<8>::random(&mut rng);
    ///         model.forward_trace(&s.xs, &mut trace);
    ///         *loss += trace.loss(&s.ds);
    ///         model.backward_add_into(&s.xs, &s.ds, &trace, &mut grads);
    ///     }
    ///     grads.clip_global_norm(1.0)?;
    ///     model.sgd(&grads, 0.5)?;
    /// }
    /// let first: f32 = losses[..20].iter().sum();
    /// let last: f32 = losses[280..].iter().sum();
    /// assert!(last < first / 10.0, "{first} -> {last}");
    /// assert!(task::evaluate::<16, 8>(&model).is_perfect()); // all 16,384 pairs
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn backward_add_into<const L: usize>(
        &self,
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<SquaredError, L>(None, xs, ds, Labels::Every, trace, grads, true);
    }

    /// Backpropagation through time: **writes** into `grads` the gradients of the loss of the
    /// sequence traced in `trace` (by [`Rnn::forward_trace`] on `xs`) against the targets `ds`.
    ///
    /// The same bits as [`Gradients::clear`] followed by [`Rnn::backward_add_into`], without
    /// the pass that clears.
    pub fn backward_into<const L: usize>(
        &self,
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<SquaredError, L>(None, xs, ds, Labels::Every, trace, grads, false);
    }

    /// Truncated backpropagation through time for a window of a stream that began in the
    /// hidden state `h0`: **writes** into `grads` the gradients of the window's loss, `trace`
    /// being what [`Rnn::forward_trace_from`] kept from the same `h0` and `xs`.
    ///
    /// `h0` is held fixed: the gradients are exact for the window, and nothing flows back into
    /// the steps before it (that is the truncation). With `h0` all zeros they are the bits of
    /// [`Rnn::backward_into`]. The one extra term is `z_0 ⊗ delta_1` in `dW`, added last, where
    /// the loop in the [module docs](crate::train) adds its `t = 1` term.
    pub fn backward_from_into<const L: usize>(
        &self,
        h0: &[f32; H],
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<SquaredError, L>(Some(h0), xs, ds, Labels::Every, trace, grads, false);
    }

    /// As [`Rnn::backward_from_into`], but **adds** the gradients to `grads` (to sum a batch of
    /// windows).
    pub fn backward_add_from_into<const L: usize>(
        &self,
        h0: &[f32; H],
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<SquaredError, L>(Some(h0), xs, ds, Labels::Every, trace, grads, true);
    }

    /// The forward pass of a training step for any loss and label placement: runs the model
    /// over `xs` from `h0` (zeros without it), keeps in `trace` what backpropagation needs, and
    /// returns the loss `Lo` of the labelled steps, computed from the output layer's input where
    /// that is the stable form (the cross-entropies).
    ///
    /// With [`SquaredError`] and a target at every step, the loss has the bits of
    /// [`Trace::loss`] after [`Rnn::forward_trace`].
    ///
    /// # Errors
    /// [`Error::OutputLossMismatch`] if `Lo` does not train the model's output layer;
    /// [`Error::InvalidTarget`] if a labelled target is outside what `Lo` accepts. Nothing is
    /// computed then, and `trace` is left as it was.
    pub fn forward_trace_loss<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &mut Trace<H, O, L>,
    ) -> Result<f32> {
        targets.check::<Lo>(self.output)?;
        let mut h_prev = h0.unwrap_or(&[0.0; H]);
        let mut loss = 0.0;
        let steps = xs
            .iter()
            .zip(targets.ds)
            .zip(trace.zs.iter_mut().zip(trace.ys.iter_mut()));
        for (t, ((x, d), (z, y))) in (0..L).zip(steps) {
            self.hidden_into(x, h_prev, z);
            let mut v = [0.0; O];
            self.output_logits_into(z, &mut v);
            self.apply_output(v, y);
            if targets.labels.has(t) {
                loss += Lo::step_loss(self.output, &v, y, d);
            }
            h_prev = z;
        }
        Ok(loss)
    }

    /// Backpropagation through time for any loss and label placement: **writes** into `grads`
    /// the gradients of the loss `Lo` of the labelled steps, `trace` being what
    /// [`Rnn::forward_trace_loss`] kept from the same `h0` and `xs` (which checked the targets).
    /// A step without a label sends nothing back of its own, but carries back what the steps
    /// after it send. With [`SquaredError`] and a target at every step, the bits of
    /// [`Rnn::backward_into`] (or of [`Rnn::backward_from_into`] with `h0`).
    pub fn backward_loss_into<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<Lo, L>(h0, xs, targets.ds, targets.labels, trace, grads, false);
    }

    /// As [`Rnn::backward_loss_into`], but **adds** the gradients to `grads` (to sum a batch).
    pub fn backward_loss_add_into<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
    ) {
        self.backward::<Lo, L>(h0, xs, targets.ds, targets.labels, trace, grads, true);
    }

    /// Backpropagation through time, in two passes. The first runs back through the steps and
    /// keeps each step's `delta` (hidden) and `delta_out` (output) on the stack (`4 L (H + O)`
    /// bytes); the second sums the gradients over the steps, last step first — the order in
    /// which the course's loop adds them, so the bits are the same — with each weight's sum
    /// held in a register rather than loaded and stored once per step.
    #[allow(clippy::too_many_arguments)] // private: the public methods name the cases
    pub(super) fn backward<Lo: Loss, const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        labels: Labels<'_, L>,
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
        add: bool,
    ) {
        let mut deltas = [[0.0f32; H]; L];
        let mut deltas_out = [[0.0f32; O]; L];
        // `carry` is delta_{t+1} · Wᵀ: what the step after t sends back through W.
        let mut carry = [0.0f32; H];
        let steps = deltas
            .iter_mut()
            .zip(deltas_out.iter_mut())
            .zip(ds)
            .zip(trace.zs.iter().zip(&trace.ys));
        for (t, (((delta, delta_out), d), (z, y))) in (0..L).zip(steps).rev() {
            // d loss_t / d (z · w_out): for the course's loss (y - d) / O · y (1 - y); zero at
            // a step without a label (the array starts at zero).
            if labels.has(t) {
                Lo::delta(self.output, y, d, delta_out);
            }
            // delta_t = (delta_{t+1} · Wᵀ + delta_out · W_outᵀ) ⊙ f'(z_t). The match is
            // outside the loop, so each loop has one formula to vectorise.
            match self.activation {
                Activation::Sigmoid => {
                    hidden_delta(
                        delta,
                        &carry,
                        delta_out,
                        &self.w_out,
                        z,
                        Activation::Sigmoid,
                    );
                }
                Activation::Tanh => {
                    hidden_delta(delta, &carry, delta_out, &self.w_out, z, Activation::Tanh);
                }
            }
            if t > 0 {
                matvec_into(&self.w, delta, &mut carry);
            }
        }
        // d loss / d w_out = Σ_t z_t ⊗ delta_out_t, d loss / d w_in = Σ_t x_t ⊗ delta_t,
        // d loss / d w = Σ_{t ≥ 1} z_{t-1} ⊗ delta_t.
        outer_sum_into(&trace.zs, &deltas_out, &mut grads.w_out, add);
        outer_sum_into(xs, &deltas, &mut grads.w_in, add);
        outer_sum_into(&trace.zs, deltas.get(1..).unwrap_or(&[]), &mut grads.w, add);
        // z_0 ⊗ delta_1, the first step's term, last. Zero when z_0 is, and then left out, so
        // that a zero `h0` gives the bits of `forward_trace` (signed zeros included).
        if let (Some(h0), Some(delta)) = (h0, deltas.first())
            && h0.iter().any(|&v| v != 0.0)
        {
            outer_add_into(h0, delta, &mut grads.w);
        }
        if self.biases {
            sum_into(&deltas, &mut grads.b_h, add);
            sum_into(&deltas_out, &mut grads.b_out, add);
        } else if !add {
            grads.b_h = [0.0; H];
            grads.b_out = [0.0; O];
        }
    }
}

/// `delta[k] = (carry[k] + delta_out[0] w_out[k][0] + delta_out[1] w_out[k][1] + …) · f'(u_k)`,
/// summed in that order, with `f'` from the outputs `z` (see
/// [`Activation::derivative_from_output`]).
#[inline(always)]
fn hidden_delta<const H: usize, const O: usize>(
    delta: &mut [f32; H],
    carry: &[f32; H],
    delta_out: &[f32; O],
    w_out: &[[f32; O]; H],
    z: &[f32; H],
    act: Activation,
) {
    let one = |d: &mut f32, c: &f32, w: &[f32; O], z: &f32| {
        let mut sum = *c;
        for (dout, w) in delta_out.iter().zip(w) {
            sum += dout * w;
        }
        *d = sum * act.derivative_from_output(*z);
    };
    // Four per loop turn (one with `small-code`).
    let (d4, d_rest) = unrolled_mut::<4, _>(delta);
    let (c4, c_rest) = unrolled::<4, _>(carry);
    let ((w4, w_rest), (z4, z_rest)) = (unrolled::<4, _>(w_out), unrolled::<4, _>(z));
    for (((d, c), w), z) in d4.iter_mut().zip(c4).zip(w4).zip(z4) {
        one(&mut d[0], &c[0], &w[0], &z[0]);
        one(&mut d[1], &c[1], &w[1], &z[1]);
        one(&mut d[2], &c[2], &w[2], &z[2]);
        one(&mut d[3], &c[3], &w[3], &z[3]);
    }
    for (((d, c), w), z) in d_rest.iter_mut().zip(c_rest).zip(w_rest).zip(z_rest) {
        one(d, c, w, z);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::test_util::{grad_bits, stateful_case};
    use super::*;
    use crate::Init;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn backward_into_is_clear_then_add() {
        let mut rng = XorShiftRng::seed_from_u64(11);
        for (act, biases) in [
            (Activation::Sigmoid, false),
            (Activation::Sigmoid, true),
            (Activation::Tanh, true),
        ] {
            let m = Rnn::<3, 5, 2>::from_rng(&mut rng, Init::default(), act)
                .unwrap()
                .with_biases(biases);
            let xs = [
                [1.0, 0.0, -0.5],
                [0.25, 1.0, 0.0],
                [0.0, -1.0, 2.0],
                [1.0; 3],
            ];
            let ds = [[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
            let mut trace = Trace::zeros();
            m.forward_trace(&xs, &mut trace);
            // Start from garbage, which `backward_into` must overwrite (biases included).
            let mut written = Gradients::zeros();
            written.w.iter_mut().flatten().for_each(|g| *g = 7.0);
            written.b_h = [f32::NAN; 5];
            written.b_out = [-3.0; 2];
            m.backward_into(&xs, &ds, &trace, &mut written);
            let mut added = Gradients::zeros();
            m.backward_add_into(&xs, &ds, &trace, &mut added);
            assert_eq!(
                grad_bits(&written),
                grad_bits(&added),
                "{act:?} biases {biases}"
            );
            // Adding a second time doubles every gradient (up to rounding: the steps are
            // added one by one onto the first sum).
            m.backward_add_into(&xs, &ds, &trace, &mut added);
            for (a, w) in added.arrays().iter().zip(written.arrays()) {
                for (a, w) in a.iter().zip(w) {
                    assert!(
                        (a - 2.0 * w).abs() <= 1e-5 * w.abs().max(1.0),
                        "{a} vs 2 × {w}"
                    );
                }
            }
            // `clear` then add is `backward_into` too (the seed's `W_grad *= 0`).
            added.clear();
            assert_eq!(added, Gradients::zeros());
            m.backward_add_into(&xs, &ds, &trace, &mut added);
            assert_eq!(grad_bits(&added), grad_bits(&written));
        }
    }

    #[test]
    fn forward_trace_from_is_stepping_from_that_state() {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            let (m, xs, _) = stateful_case(act);
            let h0 = [0.5, -0.25, 0.75, 0.0];
            let mut trace = Trace::<4, 1, 3>::zeros();
            m.forward_trace_from(&h0, &xs, &mut trace);
            let (mut h, mut y) = (h0, [0.0]);
            for ((x, z), yt) in xs.iter().zip(&trace.zs).zip(&trace.ys) {
                m.step(x, &mut h, &mut y);
                assert_eq!(h.map(f32::to_bits), z.map(f32::to_bits));
                assert_eq!(y[0].to_bits(), yt[0].to_bits());
            }
            // From zeros it is `forward_trace`.
            let mut from_zero = Trace::zeros();
            m.forward_trace_from(&[0.0; 4], &xs, &mut from_zero);
            m.forward_trace(&xs, &mut trace);
            assert_eq!(from_zero, trace);
        }
    }

    #[test]
    fn backward_from_a_state_adds_the_first_steps_term() {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            let (m, xs, ds) = stateful_case(act);
            let h0 = [0.5, -0.25, 0.75, 0.0];
            let mut trace = Trace::<4, 1, 3>::zeros();
            m.forward_trace_from(&h0, &xs, &mut trace);
            let mut from = Gradients::zeros();
            from.w[0][0] = f32::NAN; // overwritten
            m.backward_from_into(&h0, &xs, &ds, &trace, &mut from);
            let mut added = Gradients::zeros();
            m.backward_add_from_into(&h0, &xs, &ds, &trace, &mut added);
            assert_eq!(grad_bits(&from), grad_bits(&added));
            // The first step's term z_0 ⊗ delta_1 changes only dW: the rest is the gradient
            // that leaves z_0 out, which `backward_into` computes on the same trace.
            let mut without = Gradients::zeros();
            m.backward_into(&xs, &ds, &trace, &mut without);
            assert_eq!(from.w_in, without.w_in);
            assert_eq!(from.w_out, without.w_out);
            assert_eq!((from.b_h, from.b_out), (without.b_h, without.b_out));
            // The term is zero in the row of z_0's zero entry, and nowhere else.
            assert_eq!(from.w[3], without.w[3]);
            for i in 0..3 {
                assert_ne!(from.w[i], without.w[i], "{act:?}: row {i}");
            }
        }
    }
}
