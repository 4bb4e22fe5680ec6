//! Training: the trace a forward pass keeps, backpropagation through time, gradients, gradient
//! clipping and plain SGD.
//!
//! The loss is the seed's: for a sequence of `L` steps with targets `d_t`,
//!
//! ```text
//! loss = Σ_t mean_o((d_t,o - y_t,o)²) / 2
//! ```
//!
//! and the gradients are its exact derivatives, including the sigmoid output's `y (1 - y)` (the
//! course code uses `sigmoid(y)(1 - sigmoid(y))` there by mistake; see the README).
//!
//! # Backpropagation through time, as computed here
//!
//! [`Rnn::forward_trace`] keeps the hidden states `z_t` and outputs `y_t` of every step (with
//! `z_0 = 0`, or a given state with [`Rnn::forward_trace_from`]); [`Rnn::backward_into`] then
//! runs back through the steps, carrying what each step sends back to the one before it
//! through `W`:
//!
//! ```text
//! carry = 0
//! for t = L, L-1, …, 1:
//!     delta_out_t = (y_t - d_t) / O ⊙ y_t ⊙ (1 - y_t)          d loss / d (z_t · W_out)
//!     delta_t     = (carry + delta_out_t · W_outᵀ) ⊙ f'(z_t)    d loss / d u_t
//!     carry       = delta_t · Wᵀ                               d loss / d z_{t-1}, through u_t
//!
//! dW_out = Σ_t z_tᵀ delta_out_t     dW_in = Σ_t x_tᵀ delta_t     dW = Σ_t z_{t-1}ᵀ delta_t
//! db_out = Σ_t delta_out_t          db_h  = Σ_t delta_t
//! ```
//!
//! with `f'(z) = z (1 - z)` for the sigmoid and `1 - z²` for tanh, written in terms of the
//! output `z` ([`Activation::derivative_from_output`]). The code keeps every `delta_t` and
//! `delta_out_t` first and sums each gradient over the steps afterwards, from the last step to
//! the first: the order in which the course's loop adds them, so the bits are those of the
//! loop above (`tests/reference.rs` checks the numbers against numpy, `tests/gradient_check.rs`
//! against finite differences). [`Rnn::sgd`] then applies `w -= lr · dw`.
//!
//! # The same by hand
//!
//! One input, one hidden unit, one output and two steps, every product of the chain rule
//! written out (σ is the sigmoid; with one output, the mean over outputs is that output),
//! against what [`Rnn::backward_into`] computes:
//!
//! ```
//! use tinyrnn::activation::sigmoid;
//! use tinyrnn::{Activation, Gradients, Rnn, Trace};
//!
//! let mut model = Rnn::<1, 1, 1>::zeros(Activation::Sigmoid, false);
//! let (a, b, c) = (0.8, -1.5, 2.0); // w_in, w, w_out
//! (model.w_in, model.w, model.w_out) = ([[a]], [[b]], [[c]]);
//! let (xs, ds) = ([[1.0], [0.5]], [[0.0], [1.0]]);
//! let ([[x1], [x2]], [[d1], [d2]]) = (xs, ds);
//!
//! // Forward, from z_0 = 0: z_1 = σ(x_1 a), z_2 = σ(x_2 a + z_1 b), y_t = σ(z_t c).
//! let z1 = sigmoid(x1 * a);
//! let z2 = sigmoid(x2 * a + z1 * b);
//! let (y1, y2) = (sigmoid(z1 * c), sigmoid(z2 * c));
//! // loss = ((y_1 - d_1)² + (y_2 - d_2)²) / 2
//!
//! // Backward, from the last step: delta_out_t = d loss / d (z_t c), delta_t = d loss / d u_t.
//! let dout2 = (y2 - d2) * y2 * (1.0 - y2); // the course's slip puts σ(y2)(1 - σ(y2)) here
//! let delta2 = dout2 * c * z2 * (1.0 - z2); // no step 3 sends anything back
//! let carry = delta2 * b; // what step 2 sends back to z_1, through w
//! let dout1 = (y1 - d1) * y1 * (1.0 - y1);
//! let delta1 = (carry + dout1 * c) * z1 * (1.0 - z1); // z_1 feeds both y_1 and u_2
//!
//! // Each weight's gradient: a sum over the steps that use it.
//! let d_w_out = z1 * dout1 + z2 * dout2;
//! let d_w_in = x1 * delta1 + x2 * delta2;
//! let d_w = z1 * delta2; // only step 2 uses w on a state that is not zero
//!
//! let (mut trace, mut grads) = (Trace::<1, 1, 2>::zeros(), Gradients::zeros());
//! model.forward_trace(&xs, &mut trace);
//! model.backward_into(&xs, &ds, &trace, &mut grads);
//! let close = |got: f32, want: f32| (got - want).abs() < 1e-6; // the gradients are 0.02-0.06
//! assert!(close(grads.w_out[0][0], d_w_out));
//! assert!(close(grads.w_in[0][0], d_w_in));
//! assert!(close(grads.w[0][0], d_w));
//! assert!(close(trace.loss(&ds), ((y1 - d1) * (y1 - d1) + (y2 - d2) * (y2 - d2)) / 2.0));
//! ```
//!
//! # Streams longer than `L`: truncated BPTT
//!
//! A sequence of `L` steps starts from `z_0 = 0`. A stream that goes on (a sensor, say) is
//! trained in windows of `L` steps instead, each starting in the state the previous one ended
//! in: [`Rnn::forward_trace_from`] and [`Rnn::backward_from_into`] take that state as `z_0`,
//! held fixed, which adds the term `z_0ᵀ delta_1` to `dW` (the `t = 1` term above, zero when
//! `z_0` is), and [`Trainer::step_from`] carries the state from one window to the next. The
//! gradients are exact for each window; nothing flows back past its start (the truncation).

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::linalg::{
    all_finite, axpy, matvec_into, outer_add_into, outer_sum_into, sum_into, sum_squares, unrolled,
    unrolled_mut,
};
use crate::model::Rnn;

/// What backpropagation needs from a forward pass: the hidden states `z_1..z_L` and the outputs
/// `y_1..y_L` (the inputs and targets, and `z_0` if it is not zero, are passed again to
/// [`Rnn::backward_add_into`] or its `_from` variant).
///
/// Size: `4 L (H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace<const H: usize, const O: usize, const L: usize> {
    /// Hidden state after each step, `zs[t] = z_{t+1}` in the seed's numbering.
    pub zs: [[f32; H]; L],
    /// Output of each step.
    pub ys: [[f32; O]; L],
}

impl<const H: usize, const O: usize, const L: usize> Trace<H, O, L> {
    /// An all-zero trace.
    #[must_use]
    pub const fn zeros() -> Self {
        Trace {
            zs: [[0.0; H]; L],
            ys: [[0.0; O]; L],
        }
    }

    /// The seed's loss of the traced outputs against `ds`: `Σ_t mean_o((d - y)²) / 2`.
    #[must_use]
    pub fn loss(&self, ds: &[[f32; O]; L]) -> f32 {
        let mut total = 0.0;
        for (y, d) in self.ys.iter().zip(ds.iter()) {
            let mut s = 0.0;
            for (yo, dd) in y.iter().zip(d.iter()) {
                let e = dd - yo;
                s += e * e;
            }
            total += s / O as f32 / 2.0;
        }
        total
    }
}

/// [`Trace::zeros`].
impl<const H: usize, const O: usize, const L: usize> Default for Trace<H, O, L> {
    fn default() -> Self {
        Self::zeros()
    }
}

/// Gradients of the loss, in the shapes of the [`Rnn`]'s weights.
///
/// Size: `4 (I·H + H·H + H·O + H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients<const I: usize, const H: usize, const O: usize> {
    /// d loss / d `w_in`.
    pub w_in: [[f32; H]; I],
    /// d loss / d `w`.
    pub w: [[f32; H]; H],
    /// d loss / d `w_out`.
    pub w_out: [[f32; O]; H],
    /// d loss / d `b_h` (stays zero when the model's biases are off).
    pub b_h: [f32; H],
    /// d loss / d `b_out` (stays zero when the model's biases are off).
    pub b_out: [f32; O],
}

/// [`Gradients::zeros`].
impl<const I: usize, const H: usize, const O: usize> Default for Gradients<I, H, O> {
    fn default() -> Self {
        Self::zeros()
    }
}

impl<const I: usize, const H: usize, const O: usize> Gradients<I, H, O> {
    /// All-zero gradients.
    #[must_use]
    pub const fn zeros() -> Self {
        Gradients {
            w_in: [[0.0; H]; I],
            w: [[0.0; H]; H],
            w_out: [[0.0; O]; H],
            b_h: [0.0; H],
            b_out: [0.0; O],
        }
    }

    /// Sets every gradient back to zero (the seed's `W_grad *= 0`).
    pub fn clear(&mut self) {
        *self = Self::zeros();
    }

    fn slices(&self) -> [&[f32]; 5] {
        [
            self.w_in.as_flattened(),
            self.w.as_flattened(),
            self.w_out.as_flattened(),
            &self.b_h,
            &self.b_out,
        ]
    }

    fn slices_mut(&mut self) -> [&mut [f32]; 5] {
        [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h,
            &mut self.b_out,
        ]
    }

    /// The global L2 norm over every gradient: `sqrt(Σ g²)`, summed in a fixed order.
    ///
    /// Without overflow: when the sum of squares overflows although every gradient is finite
    /// (gradients above about 10¹⁸, as when training explodes, which is what clipping is for),
    /// it is computed again from the gradients scaled by 2⁻⁷⁰ (exact: a power of two), and the
    /// result scaled back. Infinite if a gradient is infinite or the norm itself is beyond
    /// `f32::MAX`, NaN if a gradient is NaN.
    #[must_use]
    pub fn norm(&self) -> f32 {
        let sum: f32 = self.slices().iter().map(|s| sum_squares(s)).sum();
        if sum.is_finite() || !self.is_finite() {
            libm::sqrtf(sum)
        } else {
            self.norm_rescaled()
        }
    }

    /// [`Gradients::norm`] when the sum of squares overflows. Every `|g| < 2^128`, so
    /// `(g 2⁻⁷⁰)² < 2^116`; the scaled sum overflows only if the norm is beyond `f32::MAX`
    /// anyway, and what the scaling flushes to zero is far too small to change the result
    /// (the sum is at least 2^128). Out of line and cold, so that the common path stays as it
    /// was.
    #[cold]
    #[inline(never)]
    fn norm_rescaled(&self) -> f32 {
        const DOWN: f32 = 1.0 / (1u128 << 70) as f32;
        const UP: f32 = (1u128 << 70) as f32;
        let sum: f32 = self
            .slices()
            .iter()
            .map(|s| s.iter().fold(0.0, |acc, g| acc + (g * DOWN) * (g * DOWN)))
            .sum();
        libm::sqrtf(sum) * UP
    }

    /// Whether every gradient is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.slices().iter().all(|s| all_finite(s))
    }

    /// Clipping by global norm (the course's exercise): if `norm > threshold`, scales every
    /// gradient by `threshold / norm`. Returns the norm before clipping.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::Gradients;
    ///
    /// let mut grads = Gradients::<1, 1, 1>::zeros();
    /// grads.w_in = [[3.0]];
    /// grads.w = [[4.0]];
    /// assert_eq!(grads.clip_global_norm(10.0)?, 5.0); // below the threshold: unchanged
    /// assert_eq!(grads.w_in, [[3.0]]);
    /// assert_eq!(grads.clip_global_norm(1.0)?, 5.0); // scaled by 1 / 5
    /// assert_eq!((grads.w_in, grads.w), ([[0.6]], [[0.8]]));
    /// assert!(grads.clip_global_norm(0.0).is_err()); // and left alone
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] if `threshold` is not positive and finite;
    /// [`Error::NonFiniteGradient`] if the norm is not finite. Either way nothing is changed.
    pub fn clip_global_norm(&mut self, threshold: f32) -> Result<f32> {
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(Error::InvalidClipThreshold);
        }
        let norm = self.norm();
        if !norm.is_finite() {
            return Err(Error::NonFiniteGradient);
        }
        let rate = threshold / norm;
        if rate < 1.0 {
            for s in self.slices_mut() {
                s.iter_mut().for_each(|g| *g *= rate);
            }
        }
        Ok(norm)
    }
}

/// Checks a learning rate.
///
/// # Errors
/// [`Error::InvalidLearningRate`] unless `lr` is positive and finite.
pub fn check_learning_rate(lr: f32) -> Result<f32> {
    if lr.is_finite() && lr > 0.0 {
        Ok(lr)
    } else {
        Err(Error::InvalidLearningRate)
    }
}

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
        self.backward(None, xs, ds, trace, grads, true);
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
        self.backward(None, xs, ds, trace, grads, false);
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
        self.backward(Some(h0), xs, ds, trace, grads, false);
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
        self.backward(Some(h0), xs, ds, trace, grads, true);
    }

    /// Backpropagation through time, in two passes. The first runs back through the steps and
    /// keeps each step's `delta` (hidden) and `delta_out` (output) on the stack (`4 L (H + O)`
    /// bytes); the second sums the gradients over the steps, last step first — the order in
    /// which the course's loop adds them, so the bits are the same — with each weight's sum
    /// held in a register rather than loaded and stored once per step.
    fn backward<const L: usize>(
        &self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
        trace: &Trace<H, O, L>,
        grads: &mut Gradients<I, H, O>,
        add: bool,
    ) {
        let mut deltas = [[0.0f32; H]; L];
        let mut deltas_out = [[0.0f32; O]; L];
        // `carry` is delta_{t+1} · Wᵀ: what the step after t sends back through W.
        let mut carry = [0.0f32; H];
        let inv_o = 1.0 / O as f32;
        let steps = deltas
            .iter_mut()
            .zip(deltas_out.iter_mut())
            .zip(ds)
            .zip(trace.zs.iter().zip(&trace.ys));
        for (t, (((delta, delta_out), d), (z, y))) in (0..L).zip(steps).rev() {
            // d loss_t / d (z · w_out): (y - d) / O · y (1 - y).
            for ((dout, yo), dd) in delta_out.iter_mut().zip(y).zip(d) {
                *dout = (yo - dd) * inv_o * (yo * (1.0 - yo));
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

    /// One plain SGD step: `w -= lr * grad` for every weight (and the biases if they are on).
    ///
    /// All or nothing: the weights change only if every updated weight is finite.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if an updated weight would be NaN or infinite (a non-finite
    /// gradient included). Either way the model is left as it was.
    pub fn sgd(&mut self, grads: &Gradients<I, H, O>, lr: f32) -> Result<()> {
        let lr = check_learning_rate(lr)?;
        let (bh, bo) = if self.biases { (H, O) } else { (0, 0) };
        let w: [&mut [f32]; 5] = [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h[..bh],
            &mut self.b_out[..bo],
        ];
        let g = grads.slices();
        // First pass: would every updated weight be finite?
        let mut acc = [0.0f32; 8];
        for (w, g) in w.iter().zip(g.iter()) {
            update_check(w, g, lr, &mut acc);
        }
        if acc.iter().sum::<f32>() != 0.0 {
            return Err(Error::NonFiniteWeight);
        }
        for (w, g) in w.into_iter().zip(g) {
            axpy(-lr, g, w);
        }
        Ok(())
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

/// Adds `(w - lr * g) * 0.0` into eight partial sums: they stay zero exactly when every
/// updated weight is finite (`x * 0.0` is NaN for an infinite or NaN `x`). Eight independent
/// sums, eight weights per loop turn: the same shape as [`axpy`], and no long chain of
/// dependent additions. With `small-code`, one sum and one weight per loop turn (the same
/// answer: only whether the sums are zero matters).
#[inline(always)]
fn update_check(w: &[f32], g: &[f32], lr: f32, acc: &mut [f32; 8]) {
    let (w8, w_rest) = unrolled::<8, _>(w);
    let (g8, g_rest) = unrolled::<8, _>(g);
    for (w, g) in w8.iter().zip(g8) {
        // Written out, so that it is unrolled even when optimising for size.
        acc[0] += (w[0] - lr * g[0]) * 0.0;
        acc[1] += (w[1] - lr * g[1]) * 0.0;
        acc[2] += (w[2] - lr * g[2]) * 0.0;
        acc[3] += (w[3] - lr * g[3]) * 0.0;
        acc[4] += (w[4] - lr * g[4]) * 0.0;
        acc[5] += (w[5] - lr * g[5]) * 0.0;
        acc[6] += (w[6] - lr * g[6]) * 0.0;
        acc[7] += (w[7] - lr * g[7]) * 0.0;
    }
    for (w, g) in w_rest.iter().zip(g_rest) {
        acc[0] += (w - lr * g) * 0.0;
    }
}

/// Everything one training step needs, in one value: the model, its gradients, the trace of the
/// last forward pass and the optimiser settings.
///
/// Size: model + gradients + trace + 20 bytes of settings and iteration count, rounded up to a
/// multiple of 8; for 2-16-1 over 8 steps that is 3,136 bytes (checked by a test; the formula
/// is in the README).
///
/// # Examples
///
/// Any sequence task whose inputs and targets fit `[[f32; I]; L]` and `[[f32; O]; L]`, with
/// targets in `[0, 1]` (the output is a sigmoid). Here a network learns to output, at each
/// step, the bit it was given one step before — it has to remember it in its hidden state:
///
/// ```
/// use tinyrnn::rand_core::{Rng, SeedableRng};
/// use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};
///
/// /// Eight input bits from `bits`, and as targets the same bits one step later.
/// fn delayed(bits: u32) -> ([[f32; 1]; 8], [[f32; 1]; 8]) {
///     let xs: [[f32; 1]; 8] = core::array::from_fn(|t| [(bits >> t & 1) as f32]);
///     let ds = core::array::from_fn(|t| if t == 0 { [0.0] } else { xs[t - 1] });
///     (xs, ds)
/// }
///
/// let mut rng = XorShiftRng::seed_from_u64(1);
/// let model = Rnn::<1, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?
///     .with_biases(true);
/// let mut trainer = Trainer::<1, 8, 1, 8>::new(model, 0.5)?;
/// for _ in 0..500 {
///     let (xs, ds) = delayed(rng.next_u32());
///     trainer.step(&xs, &ds)?;
/// }
/// assert_eq!(trainer.iterations(), 500);
///
/// // Every one of the 256 sequences of eight bits comes out delayed.
/// for bits in 0..256 {
///     let (xs, ds) = delayed(bits);
///     let mut ys = [[0.0]; 8];
///     trainer.model.forward_into(&xs, &mut ys);
///     assert!(ys.iter().zip(&ds).all(|(y, d)| (y[0] > 0.5) == (d[0] > 0.5)));
/// }
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Trainer<const I: usize, const H: usize, const O: usize, const L: usize> {
    /// The model being trained.
    pub model: Rnn<I, H, O>,
    /// The gradients of the last step (after clipping).
    pub grads: Gradients<I, H, O>,
    /// The trace of the last step's forward pass; `trace.ys` are its outputs, before the update.
    pub trace: Trace<H, O, L>,
    learning_rate: f32,
    clip: Option<f32>,
    iterations: u64,
}

impl<const I: usize, const H: usize, const O: usize, const L: usize> Trainer<I, H, O, L> {
    /// The course's default learning rate, 0.1.
    pub const DEFAULT_LEARNING_RATE: f32 = 0.1;

    /// A trainer for `model` with plain SGD at `learning_rate` and no clipping.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `learning_rate` is positive and finite.
    pub fn new(model: Rnn<I, H, O>, learning_rate: f32) -> Result<Self> {
        let mut trainer = Self::zeros(model.activation, model.biases);
        trainer.set_learning_rate(learning_rate)?;
        trainer.model = model;
        Ok(trainer)
    }

    /// A trainer for an all-zero model, learning rate [`Self::DEFAULT_LEARNING_RATE`], no
    /// clipping. With [`Rnn::init_from_rng`] on `trainer.model` and the setters, this builds a
    /// trainer in place: no copy of the model or the trainer on a small device's stack.
    #[must_use]
    pub const fn zeros(activation: Activation, biases: bool) -> Self {
        Trainer {
            model: Rnn::zeros(activation, biases),
            grads: Gradients::zeros(),
            trace: Trace::zeros(),
            learning_rate: Self::DEFAULT_LEARNING_RATE,
            clip: None,
            iterations: 0,
        }
    }

    /// Turns on gradient clipping by global norm at `threshold` (or off, with `None`).
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] unless `threshold` is positive and finite.
    pub fn with_clip(mut self, threshold: Option<f32>) -> Result<Self> {
        self.set_clip(threshold)?;
        Ok(self)
    }

    /// Sets the learning rate.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `learning_rate` is positive and finite; the
    /// trainer is then unchanged.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<()> {
        self.learning_rate = check_learning_rate(learning_rate)?;
        Ok(())
    }

    /// Sets gradient clipping by global norm at `threshold` (or off, with `None`).
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] unless `threshold` is positive and finite; the trainer
    /// is then unchanged.
    pub fn set_clip(&mut self, threshold: Option<f32>) -> Result<()> {
        if threshold.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
            return Err(Error::InvalidClipThreshold);
        }
        self.clip = threshold;
        Ok(())
    }

    /// The learning rate.
    #[must_use]
    pub const fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// The clipping threshold, if clipping is on.
    #[must_use]
    pub const fn clip(&self) -> Option<f32> {
        self.clip
    }

    /// How many steps have updated the model (failed steps do not count; stops at `u64::MAX`).
    /// Saved with the training state.
    #[must_use]
    pub const fn iterations(&self) -> u64 {
        self.iterations
    }

    /// Restores settings read from a training state (already validated), and clears the
    /// gradients and trace.
    pub(crate) fn restore(&mut self, learning_rate: f32, clip: Option<f32>, iterations: u64) {
        self.learning_rate = learning_rate;
        self.clip = clip;
        self.iterations = iterations;
        self.grads.clear();
        self.trace = Trace::zeros();
    }

    /// One training iteration on one sequence, as the seed's loop body: forward, loss, BPTT,
    /// clipping (if on), SGD. Returns the loss before the update.
    ///
    /// # Errors
    /// [`Error::NonFiniteLoss`], [`Error::NonFiniteGradient`] or [`Error::NonFiniteWeight`]
    /// when training diverges (or the input holds NaN); the model is then left exactly as it
    /// was before the call.
    ///
    /// # Examples
    ///
    /// One step is [`Rnn::forward_trace`], [`Rnn::backward_into`], clipping if it is on, and
    /// [`Rnn::sgd`], to the bit:
    ///
    /// ```
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::task::Sample;
    /// use tinyrnn::{Activation, Gradients, Init, Rnn, Trace, Trainer, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let init = Init::Normal { std: 1.0 };
    /// let mut model = Rnn::<2, 16, 1>::from_rng(&mut rng, init, Activation::Sigmoid)?;
    /// let mut trainer = Trainer::<2, 16, 1, 8>::new(model.clone(), 0.1)?.with_clip(Some(0.5))?;
    /// let s = Sample::<8>::new(45, 70)?;
    /// let loss = trainer.step(&s.xs, &s.ds)?;
    ///
    /// let (mut trace, mut grads) = (Trace::<16, 1, 8>::zeros(), Gradients::zeros());
    /// model.forward_trace(&s.xs, &mut trace);
    /// model.backward_into(&s.xs, &s.ds, &trace, &mut grads);
    /// grads.clip_global_norm(0.5)?;
    /// model.sgd(&grads, 0.1)?;
    /// assert_eq!(loss.to_bits(), trace.loss(&s.ds).to_bits());
    /// assert_eq!(trainer.model, model);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    ///
    /// A step that diverges is refused and changes nothing. With so large a learning rate a
    /// tanh network's weights grow until a gradient overflows (a sigmoid network's saturate
    /// instead, and it stops learning without diverging):
    ///
    /// ```
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::task;
    /// use tinyrnn::{Activation, Error, Init, Rnn, Trainer, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let init = Init::Normal { std: 1.0 };
    /// let model = Rnn::<2, 16, 1>::from_rng(&mut rng, init, Activation::Tanh)?;
    /// let mut trainer = Trainer::<2, 16, 1, 8>::new(model, 1e38)?; // far too large
    /// let mut failure = None;
    /// for _ in 0..1000 {
    ///     let before = trainer.clone();
    ///     if let Err(e) = task::train_step(&mut trainer, &mut rng) {
    ///         assert_eq!(trainer.model, before.model);
    ///         assert_eq!(trainer.iterations(), before.iterations());
    ///         failure = Some((trainer.iterations(), e));
    ///         break;
    ///     }
    /// }
    /// // As `cargo run --example binary_addition -- --lr 1e38 --activation tanh` reports.
    /// assert_eq!(failure, Some((85, Error::NonFiniteGradient)));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step(&mut self, xs: &[[f32; I]; L], ds: &[[f32; O]; L]) -> Result<f32> {
        self.step_inner(None, xs, ds)
    }

    /// One training iteration on a window of a stream, by truncated backpropagation through
    /// time: as [`Trainer::step`], but the window starts in the hidden state `h` (the state the
    /// stream was in) instead of zeros, and on success `h` becomes the state at the window's
    /// end, ready for the next window. Returns the loss before the update.
    ///
    /// The state carried on is the one the forward pass computed, with the weights before the
    /// update (as truncated BPTT usually does); gradients do not flow back past the window's
    /// start. With `h` all zeros the model changes exactly as in [`Trainer::step`]. The state
    /// is the caller's: to resume a stream after a reset, save it with the training state.
    ///
    /// # Errors
    /// As [`Trainer::step`]; the model and `h` are then left exactly as they were.
    ///
    /// # Examples
    ///
    /// The latch of [`latch`](crate::latch): a stream of two inputs, "set" and "reset", each
    /// firing at random one step in sixteen, and as target at every step 1 if the last one to
    /// fire was "set". A window of four steps usually holds neither, and its targets then
    /// depend on what happened before it. Trained window after window with the state carried
    /// from each to the next, the network learns to hold the latch in its hidden state, and
    /// then follows a stream of any length one step at a time ([`Rnn::step`]). Trained on the
    /// same windows from a zero state ([`Trainer::step`]), it does not: it never sees the state
    /// a window starts in. (With this setup, 19 of the seeds 1 to 20 learn the latch; trained
    /// from zeros, none does: 5,905 to 9,248 steps of 10,000 right, median 6,573.
    /// `cargo test --release --test training latch -- --nocapture`; the example `latch` shows
    /// it.)
    ///
    /// ```
    /// use tinyrnn::latch::{self, Latch};
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let model = Rnn::<2, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?
    ///     .with_biases(true);
    /// let mut stateful = Trainer::<2, 8, 1, 4>::new(model, 0.5)?;
    /// let mut stateless = stateful.clone();
    /// let (mut h, mut stream) = ([0.0; 8], Latch::new());
    /// for _ in 0..5_000 {
    ///     let (xs, ds) = stream.window::<4, _>(&mut rng);
    ///     stateful.step_from(&mut h, &xs, &ds)?; // carries `h` on to the next window
    ///     stateless.step(&xs, &ds)?; // starts every window from zeros
    /// }
    /// // Steps right out of 10,000 of a new stream, run one step at a time.
    /// let follow = |model| latch::follow(model, &mut XorShiftRng::seed_from_u64(2), 10_000);
    /// assert_eq!(follow(&stateful.model), 10_000);
    /// assert!(follow(&stateless.model) < 8_000);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step_from(
        &mut self,
        h: &mut [f32; H],
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
    ) -> Result<f32> {
        let loss = self.step_inner(Some(h), xs, ds)?;
        if let Some(last) = self.trace.zs.last() {
            *h = *last;
        }
        Ok(loss)
    }

    /// [`Trainer::step`] from `h0`, or from zeros without it (the same bits, without the `dW`
    /// term `z_0 ⊗ delta_1`, which is zero then).
    #[inline(always)]
    fn step_inner(
        &mut self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        ds: &[[f32; O]; L],
    ) -> Result<f32> {
        match h0 {
            Some(h0) => self.model.forward_trace_from(h0, xs, &mut self.trace),
            None => self.model.forward_trace(xs, &mut self.trace),
        }
        let loss = self.trace.loss(ds);
        if !loss.is_finite() {
            return Err(Error::NonFiniteLoss);
        }
        // Through `forward_trace` and `backward_into` when there is no state, not the `_from`
        // paths with zeros: `step` then compiles as before `step_from` existed (calling
        // `forward_trace_from` and `backward(h0, …)` in both cases cost 145 more instructions
        // per iteration on x86-64, `scripts/desktop-insns.sh`).
        let (model, trace, grads) = (&self.model, &self.trace, &mut self.grads);
        match h0 {
            Some(h0) => model.backward_from_into(h0, xs, ds, trace, grads),
            None => model.backward_into(xs, ds, trace, grads),
        }
        if let Some(t) = self.clip {
            self.grads.clip_global_norm(t)?;
        }
        // A non-finite gradient makes a non-finite update, which `sgd` refuses; only then is it
        // worth a second look to say which of the two it was.
        match self.model.sgd(&self.grads, self.learning_rate) {
            Err(Error::NonFiniteWeight) if !self.grads.is_finite() => Err(Error::NonFiniteGradient),
            Err(e) => Err(e),
            Ok(()) => {
                // Saturating: a state read from bytes may hold any count (the fuzzer found
                // u64::MAX, which overflowed here).
                self.iterations = self.iterations.saturating_add(1);
                Ok(loss)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::Init;
    use core::mem::size_of;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn training_state_size_fits_budget() {
        // weights 4·(32+256+16+16+1)+2 → 1288, gradients 1284, trace 4·8·17 = 544, settings
        // and iteration count 20: 3136, a multiple of 8.
        assert_eq!(size_of::<Rnn<2, 16, 1>>(), 1288);
        assert_eq!(size_of::<Gradients<2, 16, 1>>(), 1284);
        assert_eq!(size_of::<Trace<16, 1, 8>>(), 544);
        assert_eq!(
            size_of::<Trainer<2, 16, 1, 8>>(),
            (1288 + 1284 + 544 + 20usize).next_multiple_of(8)
        );
        assert!(size_of::<Trainer<2, 16, 1, 8>>() as f64 <= 3.2 * 1024.0);
        assert_eq!(size_of::<Trace<5, 3, 4>>(), 4 * 4 * (5 + 3));
        assert_eq!(size_of::<Gradients<3, 5, 2>>(), 4 * (15 + 25 + 10 + 5 + 2));
    }

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
            for (a, w) in added.slices().iter().zip(written.slices()) {
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
    fn clip_scales_to_threshold() {
        let mut g = Gradients::<1, 1, 1>::zeros();
        g.w_in = [[3.0]];
        g.w = [[4.0]];
        assert_eq!(g.clip_global_norm(10.0), Ok(5.0));
        assert_eq!((g.w_in, g.w), ([[3.0]], [[4.0]]));
        assert_eq!(g.clip_global_norm(2.5), Ok(5.0));
        assert_eq!((g.w_in, g.w), ([[1.5]], [[2.0]]));
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(g.clip_global_norm(bad), Err(Error::InvalidClipThreshold));
        }
        g.w_out = [[f32::INFINITY]];
        let before = g.clone();
        assert_eq!(g.clip_global_norm(1.0), Err(Error::NonFiniteGradient));
        assert_eq!(g, before);
    }

    #[test]
    fn norm_does_not_overflow_on_huge_finite_gradients() {
        let mut g = Gradients::<1, 1, 1>::zeros();
        g.w_in = [[3e30]];
        g.w = [[-4e30]];
        // 9e60 + 16e60 overflows f32; the norm is still 5e30.
        let n = g.norm();
        assert!((n - 5e30).abs() <= 5e30 * 1e-6, "{n}");
        assert_eq!(g.clip_global_norm(1.0), Ok(n));
        let after = g.norm();
        assert!((after - 1.0).abs() < 1e-6, "{after}");
        assert!((g.w_in[0][0] - 0.6).abs() < 1e-6 && (g.w[0][0] + 0.8).abs() < 1e-6);
        // The scaled sum only where the plain one overflows: ordinary norms keep their bits.
        let mut h = Gradients::<2, 3, 1>::zeros();
        h.w = [[0.1, -0.2, 0.3], [1.5, 2.5, -3.5], [1e-3, 7.0, 0.0]];
        h.b_out = [0.25];
        let plain: f32 = [0.1f32, -0.2, 0.3, 1.5, 2.5, -3.5, 1e-3, 7.0, 0.0, 0.25]
            .iter()
            .fold(0.0, |s, v| s + v * v);
        assert_eq!(h.norm().to_bits(), libm::sqrtf(plain).to_bits());
        // Non-finite gradients: an infinite or NaN norm, as before.
        g.w = [[f32::NEG_INFINITY]];
        assert_eq!(g.norm(), f32::INFINITY);
        g.w_out = [[f32::NAN]];
        assert!(g.norm().is_nan());
        // A norm beyond f32::MAX is infinite, and clipping refuses it.
        let mut big = Gradients::<1, 1, 1>::zeros();
        big.w_in = [[f32::MAX]];
        big.w = [[f32::MAX]];
        assert_eq!(big.norm(), f32::INFINITY);
        assert_eq!(big.clip_global_norm(1.0), Err(Error::NonFiniteGradient));
    }

    #[test]
    fn sgd_rejects_bad_rates_and_overflow_without_change() {
        let mut rng = XorShiftRng::seed_from_u64(9);
        let mut m =
            Rnn::<2, 3, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid).unwrap();
        let before = m.clone();
        let mut g = Gradients::zeros();
        g.w[2][2] = 1.0;
        for bad in [0.0, -0.1, f32::NAN, f32::INFINITY] {
            assert_eq!(m.sgd(&g, bad), Err(Error::InvalidLearningRate));
        }
        g.w_in[0][0] = f32::MAX;
        assert_eq!(m.sgd(&g, 10.0), Err(Error::NonFiniteWeight));
        g.w_in[0][0] = f32::NAN;
        assert_eq!(m.sgd(&g, 0.1), Err(Error::NonFiniteWeight));
        assert_eq!(m, before);
        g.w_in[0][0] = 0.0;
        m.sgd(&g, 0.5).unwrap();
        assert_eq!(m.w[2][2], before.w[2][2] - 0.5);
    }

    #[test]
    fn sgd_checks_every_weight_in_every_lane() {
        // 2-4-1 with biases: w_in is one block of eight, w two, w_out and the biases the
        // rest, so every lane of the eight-wide check and its tail see an overflow somewhere.
        type M = Rnn<2, 4, 1>;
        let base = M {
            w_in: [[-0.5; 4]; 2],
            w: [[-0.5; 4]; 4],
            w_out: [[-0.5]; 4],
            b_h: [-0.5; 4],
            b_out: [-0.5],
            ..M::zeros(Activation::Tanh, true)
        };
        let half = f32::MAX / 2.0; // exact
        for k in 0..M::PARAMS {
            let set = |m: &mut M, g: &mut Gradients<2, 4, 1>, w: f32, gk: f32| {
                let mut ws = [
                    m.w_in.as_flattened_mut(),
                    m.w.as_flattened_mut(),
                    m.w_out.as_flattened_mut(),
                    &mut m.b_h,
                    &mut m.b_out,
                ];
                *ws.iter_mut().flat_map(|s| s.iter_mut()).nth(k).unwrap() = w;
                *g.slices_mut().into_iter().flatten().nth(k).unwrap() = gk;
            };
            // w - lr·g = MAX/2 + MAX overflows: refused, nothing changed.
            let (mut m, mut g) = (base.clone(), Gradients::zeros());
            set(&mut m, &mut g, half, -half);
            let before = m.clone();
            assert_eq!(m.sgd(&g, 2.0), Err(Error::NonFiniteWeight), "parameter {k}");
            assert_eq!(m, before, "parameter {k}");
            // MAX/2 + MAX/2 = MAX does not: applied.
            set(&mut m, &mut g, half, -half / 2.0);
            m.sgd(&g, 2.0).unwrap();
            assert_eq!(m.parameters().nth(k), Some(&f32::MAX), "parameter {k}");
        }
    }

    #[test]
    fn sgd_leaves_disabled_biases_alone() {
        let mut m = Rnn::<1, 2, 1>::zeros(Activation::Sigmoid, false);
        let mut g = Gradients::zeros();
        g.b_h = [1.0, 1.0];
        g.b_out = [f32::NAN];
        m.sgd(&g, 0.1).unwrap();
        assert_eq!((m.b_h, m.b_out), ([0.0; 2], [0.0]));
    }

    #[test]
    fn trainer_reports_non_finite_gradients() {
        // An infinite output weight saturates y to exactly 0 or 1: the loss is finite, but
        // 0 · ∞ in backpropagation makes the gradients NaN.
        let mut m = Rnn::<1, 2, 1>::zeros(Activation::Sigmoid, false);
        m.w_out = [[f32::INFINITY], [f32::INFINITY]];
        let before = m.clone();
        let mut tr = Trainer::<1, 2, 1, 2>::new(m, 0.1).unwrap();
        let r = tr.step(&[[1.0], [0.0]], &[[1.0], [0.0]]);
        assert_eq!(r, Err(Error::NonFiniteGradient));
        assert_eq!(tr.model, before);
    }

    #[test]
    fn trainer_tells_an_overflowing_update_from_a_non_finite_gradient() {
        // z = tanh(10) rounds to 1 and y = 0.5 against targets of 1: every step adds
        // 1 · (0.5 - 1) · 0.25 to the w_out gradient, -2 over 16 steps, finite; but with the
        // largest learning rate the update is 0 - MAX · (-2), which overflows.
        let m = Rnn::<1, 1, 1> {
            b_h: [10.0],
            ..Rnn::zeros(Activation::Tanh, true)
        };
        let mut tr = Trainer::<1, 1, 1, 16>::new(m.clone(), f32::MAX).unwrap();
        assert_eq!(
            tr.step(&[[0.0]; 16], &[[1.0]; 16]),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!(tr.grads.w_out, [[-2.0]]);
        assert_eq!((&tr.model, tr.iterations()), (&m, 0));
    }

    #[test]
    fn clip_threshold_must_be_positive() {
        let m = Rnn::<1, 2, 1>::zeros(Activation::Sigmoid, false);
        let mut tr = Trainer::<1, 2, 1, 2>::new(m, 0.1).unwrap();
        for bad in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(tr.set_clip(Some(bad)), Err(Error::InvalidClipThreshold));
            assert_eq!(tr.clip(), None, "unchanged after {bad}");
            assert!(tr.clone().with_clip(Some(bad)).is_err());
        }
        tr.set_clip(Some(f32::MIN_POSITIVE)).unwrap();
        assert_eq!(tr.clip(), Some(f32::MIN_POSITIVE));
        tr.set_clip(None).unwrap();
        assert_eq!(tr.clip(), None);
    }

    #[test]
    fn iteration_count_saturates() {
        // Found by fuzzing `read_state`: a state may claim u64::MAX iterations.
        let m = Rnn::<1, 2, 1>::zeros(Activation::Sigmoid, false);
        let mut tr = Trainer::<1, 2, 1, 2>::new(m, 0.1).unwrap();
        tr.restore(0.1, None, u64::MAX);
        tr.step(&[[1.0], [0.0]], &[[1.0], [0.0]]).unwrap();
        assert_eq!(tr.iterations(), u64::MAX);
    }

    #[test]
    fn defaults_are_the_zeros() {
        let m = Rnn::<2, 3, 1>::default();
        assert_eq!(m, Rnn::zeros(Activation::Sigmoid, false));
        assert!(m.parameters().all(|w| w.to_bits() == 0));
        let g = Gradients::<2, 3, 1>::default();
        assert_eq!(g, Gradients::zeros());
        assert_eq!(g.norm(), 0.0);
        assert_eq!(Trace::<3, 1, 4>::default(), Trace::zeros());
    }

    #[test]
    fn trainer_divergence_keeps_weights() {
        let mut rng = XorShiftRng::seed_from_u64(4);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::default(), Activation::Tanh).unwrap();
        let mut tr = Trainer::<2, 4, 1, 3>::new(m, 0.1).unwrap();
        let before = tr.model.clone();
        let xs = [[1.0, f32::NAN], [0.0, 1.0], [1.0, 1.0]];
        assert_eq!(tr.step(&xs, &[[1.0]; 3]), Err(Error::NonFiniteLoss));
        assert_eq!(tr.model, before);
        assert_eq!(
            Trainer::<2, 4, 1, 3>::new(before.clone(), f32::NAN).err(),
            Some(Error::InvalidLearningRate)
        );
        assert_eq!(
            Trainer::<2, 4, 1, 3>::new(before, 0.1)
                .unwrap()
                .with_clip(Some(-1.0))
                .err(),
            Some(Error::InvalidClipThreshold)
        );
    }

    /// The bits of every gradient, in order.
    fn grad_bits<const I: usize, const H: usize, const O: usize>(
        g: &Gradients<I, H, O>,
    ) -> std::vec::Vec<u32> {
        g.slices()
            .iter()
            .flat_map(|s| s.iter().map(|x| x.to_bits()))
            .collect()
    }

    /// A model with biases and a window of three steps on which to check the `_from` methods.
    fn stateful_case(act: Activation) -> (Rnn<2, 4, 1>, [[f32; 2]; 3], [[f32; 1]; 3]) {
        let mut rng = XorShiftRng::seed_from_u64(5);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::Xavier, act)
            .unwrap()
            .with_biases(true);
        (
            m,
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            [[1.0], [0.0], [1.0]],
        )
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

    #[test]
    fn stepping_from_zeros_is_a_step() {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            let (m, xs, ds) = stateful_case(act);
            let mut plain = Trainer::<2, 4, 1, 3>::new(m, 0.5).unwrap();
            let mut stateful = plain.clone();
            for zero in [0.0, -0.0] {
                let mut h = [zero; 4];
                let loss = plain.step(&xs, &ds).unwrap();
                assert_eq!(stateful.step_from(&mut h, &xs, &ds), Ok(loss));
                assert_eq!(grad_bits(&stateful.grads), grad_bits(&plain.grads));
                assert_eq!(stateful, plain);
                // `h` is now the state at the end of the window.
                assert_eq!(h, plain.trace.zs[2]);
            }
        }
    }

    #[test]
    fn step_from_carries_the_state_on() {
        let (m, xs, ds) = stateful_case(Activation::Tanh);
        let mut tr = Trainer::<2, 4, 1, 3>::new(m, 0.5).unwrap();
        let mut h = [0.0; 4];
        tr.step_from(&mut h, &xs, &ds).unwrap();
        // The second window starts where the first ended: its trace is the one
        // `forward_trace_from` gives from that state with the model as it was then.
        let (model, h1) = (tr.model.clone(), h);
        tr.step_from(&mut h, &xs, &ds).unwrap();
        let mut trace = Trace::zeros();
        model.forward_trace_from(&h1, &xs, &mut trace);
        assert_eq!(tr.trace, trace);
        assert_eq!(h, trace.zs[2]);
        assert_ne!(h1, [0.0; 4]);
        // And it is not a window from zeros.
        let mut zero = Trace::zeros();
        model.forward_trace(&xs, &mut zero);
        assert_ne!(zero.zs, trace.zs);
        assert_eq!(tr.iterations(), 2);
    }

    #[test]
    fn step_from_that_fails_changes_nothing() {
        let (m, xs, ds) = stateful_case(Activation::Tanh);
        let mut tr = Trainer::<2, 4, 1, 3>::new(m, 0.5).unwrap();
        let h0 = [0.5, -0.25, 0.75, 0.0];
        let before = tr.model.clone();
        // A NaN input: a non-finite loss.
        let mut bad = xs;
        bad[1][0] = f32::NAN;
        let mut h = h0;
        assert_eq!(tr.step_from(&mut h, &bad, &ds), Err(Error::NonFiniteLoss));
        assert_eq!((h, &tr.model, tr.iterations()), (h0, &before, 0));
        // A NaN state: the same.
        let mut h = [f32::NAN; 4];
        assert_eq!(tr.step_from(&mut h, &xs, &ds), Err(Error::NonFiniteLoss));
        assert!(h.iter().all(|v| v.is_nan()));
        assert_eq!(tr.model, before);
        // An update that overflows (as in the test above, from a state this time).
        let m = Rnn::<1, 1, 1> {
            b_h: [10.0],
            ..Rnn::zeros(Activation::Tanh, true)
        };
        let mut tr = Trainer::<1, 1, 1, 16>::new(m.clone(), f32::MAX).unwrap();
        let mut h = [0.5];
        assert_eq!(
            tr.step_from(&mut h, &[[0.0]; 16], &[[1.0]; 16]),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!((h, &tr.model, tr.iterations()), ([0.5], &m, 0));
    }
}
