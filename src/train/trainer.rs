//! [`Trainer`]: the model, its gradients and trace, and the settings of a training step.

use super::loss::{Labels, Loss, SquaredError, Targets};
use super::optim::{Optimizer, Sgd};
use super::{Gradients, Trace};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::model::Rnn;

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
pub struct Trainer<
    const I: usize,
    const H: usize,
    const O: usize,
    const L: usize,
    Lo: Loss = SquaredError,
    Op: Optimizer<I, H, O> = Sgd,
> {
    /// The model being trained.
    pub model: Rnn<I, H, O>,
    /// The gradients of the last step (after clipping).
    pub grads: Gradients<I, H, O>,
    /// The trace of the last step's forward pass; `trace.ys` are its outputs, before the update.
    pub trace: Trace<H, O, L>,
    /// The optimiser, with its state (none for [`Sgd`]).
    pub optimizer: Op,
    learning_rate: f32,
    clip: Option<f32>,
    iterations: u64,
    loss: Lo,
}

/// The course's default learning rate, 0.1.
const DEFAULT_LEARNING_RATE: f32 = 0.1;

impl<const I: usize, const H: usize, const O: usize, const L: usize> Trainer<I, H, O, L> {
    /// The course's default learning rate, 0.1.
    pub const DEFAULT_LEARNING_RATE: f32 = DEFAULT_LEARNING_RATE;

    /// A trainer for `model` with the course's squared error, plain SGD at `learning_rate` and
    /// no clipping.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `learning_rate` is positive and finite.
    pub fn new(model: Rnn<I, H, O>, learning_rate: f32) -> Result<Self> {
        Self::with(model, learning_rate, SquaredError, Sgd)
    }

    /// A trainer for an all-zero model, learning rate [`Self::DEFAULT_LEARNING_RATE`], no
    /// clipping. With [`Rnn::init_from_rng`] on `trainer.model` and the setters, this builds a
    /// trainer in place: no copy of the model or the trainer on a small device's stack.
    #[must_use]
    pub const fn zeros(activation: Activation, biases: bool) -> Self {
        Self::zeros_with(activation, biases, SquaredError, Sgd)
    }
}

impl<const I: usize, const H: usize, const O: usize, const L: usize, Lo: Loss, Op>
    Trainer<I, H, O, L, Lo, Op>
where
    Op: Optimizer<I, H, O>,
{
    /// A trainer for `model` with the loss `loss`, the optimiser `optimizer` at
    /// `learning_rate`, and no clipping.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `learning_rate` is positive and finite;
    /// [`Error::OutputLossMismatch`] if `loss` does not train the model's output layer.
    pub fn with(model: Rnn<I, H, O>, learning_rate: f32, loss: Lo, optimizer: Op) -> Result<Self> {
        if !Lo::trains(model.output) {
            return Err(Error::OutputLossMismatch);
        }
        let mut trainer = Self::zeros_with(model.activation, model.biases, loss, optimizer);
        trainer.set_learning_rate(learning_rate)?;
        trainer.model = model;
        Ok(trainer)
    }

    /// As [`Trainer::zeros`], with the loss `loss` and the optimiser `optimizer`.
    #[must_use]
    pub const fn zeros_with(activation: Activation, biases: bool, loss: Lo, optimizer: Op) -> Self {
        Trainer {
            model: Rnn::zeros(activation, biases),
            grads: Gradients::zeros(),
            trace: Trace::zeros(),
            optimizer,
            learning_rate: DEFAULT_LEARNING_RATE,
            clip: None,
            iterations: 0,
            loss,
        }
    }

    /// The loss it trains.
    #[must_use]
    pub const fn loss(&self) -> Lo {
        self.loss
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
        self.learning_rate = super::check_learning_rate(learning_rate)?;
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

    /// Sets the iteration count, as [`Trainer::read_state`] does from a saved state.
    pub const fn set_iterations(&mut self, iterations: u64) {
        self.iterations = iterations;
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
        self.step_inner(None, xs, Targets::every(ds))
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
        let loss = self.step_inner(Some(h), xs, Targets::every(ds))?;
        if let Some(last) = self.trace.zs.last() {
            *h = *last;
        }
        Ok(loss)
    }

    /// One training iteration for any label placement: as [`Trainer::step`] (from zeros,
    /// `h` `None`) or [`Trainer::step_from`] (from `h`, which becomes the state at the window's
    /// end), with the targets where `targets.labels` puts them: every step, the last only (a
    /// label for the whole sequence), or a mask (padded sequences shorter than `L`).
    ///
    /// # Errors
    /// As [`Trainer::step`], and [`Error::InvalidTarget`] if a labelled target is outside what
    /// the loss accepts, [`Error::OutputLossMismatch`] if the loss does not train the model's
    /// output layer. Either way the model, the optimiser and `h` are left as they were.
    pub fn step_targets(
        &mut self,
        h: Option<&mut [f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
    ) -> Result<f32> {
        match h {
            Some(h) => {
                let loss = self.step_inner(Some(h), xs, targets)?;
                if let Some(last) = self.trace.zs.last() {
                    *h = *last;
                }
                Ok(loss)
            }
            None => self.step_inner(None, xs, targets),
        }
    }

    /// One training iteration on a sequence labelled at its end only: `d` is the target of its
    /// last step, a label for the whole sequence. [`Trainer::step_targets`] with
    /// [`Labels::Last`].
    ///
    /// # Errors
    /// As [`Trainer::step_targets`].
    pub fn step_last(&mut self, xs: &[[f32; I]; L], d: &[f32; O]) -> Result<f32> {
        let mut ds = [[0.0; O]; L];
        if let Some(last) = ds.last_mut() {
            *last = *d;
        }
        self.step_inner(
            None,
            xs,
            Targets {
                ds: &ds,
                labels: Labels::Last,
            },
        )
    }

    /// One training iteration on a mini-batch: the gradients of every sequence `xs[k]` against
    /// `ds[k]` (from zeros, targets where `labels` puts them), summed or averaged as
    /// `reduction` says, then one update. Returns the batch's loss, summed or averaged the same
    /// way. Counts one iteration.
    ///
    /// # Errors
    /// [`Error::InvalidBatch`] if the batch is empty or `xs` and `ds` differ in length; the
    /// others as [`Trainer::step_targets`]. Either way the model and the optimiser are left as
    /// they were.
    pub fn step_batch(
        &mut self,
        xs: &[[[f32; I]; L]],
        ds: &[[[f32; O]; L]],
        labels: Labels<'_, L>,
        reduction: Reduction,
    ) -> Result<f32> {
        if xs.is_empty() || xs.len() != ds.len() {
            return Err(Error::InvalidBatch);
        }
        self.grads.clear();
        let mut loss = 0.0;
        for (x, d) in xs.iter().zip(ds) {
            let targets = Targets { ds: d, labels };
            loss += self
                .model
                .forward_trace_loss::<Lo, L>(None, x, targets, &mut self.trace)?;
            if !loss.is_finite() {
                return Err(Error::NonFiniteLoss);
            }
            self.model.backward_loss_add_into::<Lo, L>(
                None,
                x,
                targets,
                &self.trace,
                &mut self.grads,
            );
        }
        if reduction == Reduction::Mean {
            let inv = 1.0 / xs.len() as f32;
            loss *= inv;
            for g in self.grads.arrays_mut() {
                g.iter_mut().for_each(|g| *g *= inv);
            }
        }
        self.update(loss)
    }

    /// [`Trainer::step`] from `h0`, or from zeros without it (the same bits, without the `dW`
    /// term `z_0 ⊗ delta_1`, which is zero then).
    #[inline(always)]
    fn step_inner(
        &mut self,
        h0: Option<&[f32; H]>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
    ) -> Result<f32> {
        let loss = self
            .model
            .forward_trace_loss::<Lo, L>(h0, xs, targets, &mut self.trace)?;
        if !loss.is_finite() {
            return Err(Error::NonFiniteLoss);
        }
        self.model
            .backward_loss_into::<Lo, L>(h0, xs, targets, &self.trace, &mut self.grads);
        self.update(loss)
    }

    /// Clipping (if on) and the optimiser's update from `self.grads`; counts the iteration and
    /// returns `loss` when it is accepted.
    #[inline(always)]
    fn update(&mut self, loss: f32) -> Result<f32> {
        if let Some(t) = self.clip {
            self.grads.clip_global_norm(t)?;
        }
        // A non-finite gradient makes a non-finite update, which the optimiser refuses; only
        // then is it worth a second look to say which of the two it was.
        match self
            .optimizer
            .update(&mut self.model, &self.grads, self.learning_rate)
        {
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

/// How [`Trainer::step_batch`] combines the gradients and losses of its sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// Their sum.
    Sum,
    /// Their mean (PyTorch's default).
    #[default]
    Mean,
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::test_util::{grad_bits, stateful_case};
    use super::*;
    use crate::Init;
    use crate::train::Labels;
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
    fn iteration_count_saturates() {
        // Found by fuzzing `read_state`: a state may claim u64::MAX iterations.
        let m = Rnn::<1, 2, 1>::zeros(Activation::Sigmoid, false);
        let mut tr = Trainer::<1, 2, 1, 2>::new(m, 0.1).unwrap();
        tr.set_iterations(u64::MAX);
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
    fn sgd_costs_nothing_and_adam_two_floats_a_parameter() {
        use crate::train::{Adam, CrossEntropy, Momentum};
        assert_eq!(
            size_of::<Trainer<2, 16, 1, 8>>(),
            size_of::<Trainer<2, 16, 1, 8, CrossEntropy>>()
        );
        let sgd = size_of::<Trainer<2, 16, 1, 8>>();
        let grads = size_of::<Gradients<2, 16, 1>>();
        assert!(
            size_of::<Trainer<2, 16, 1, 8, SquaredError, Momentum<2, 16, 1>>>() <= sgd + grads + 16
        );
        assert!(
            size_of::<Trainer<2, 16, 1, 8, CrossEntropy, Adam<2, 16, 1>>>() <= sgd + 2 * grads + 32
        );
    }

    #[test]
    fn a_loss_that_does_not_train_the_output_is_refused() {
        use crate::Output;
        use crate::train::CrossEntropy;
        let m = Rnn::<2, 3, 2>::zeros(Activation::Tanh, true).with_output(Output::Softmax);
        assert_eq!(
            Trainer::<2, 3, 2, 4>::new(m.clone(), 0.1).err(),
            Some(Error::OutputLossMismatch)
        );
        let linear = m.clone().with_output(Output::Linear);
        let t = Trainer::<2, 3, 2, 4, CrossEntropy>::with(linear, 0.1, CrossEntropy, Sgd);
        assert_eq!(t.err(), Some(Error::OutputLossMismatch));
        // The field is public: a step checks it again, and changes nothing.
        let mut t = Trainer::<2, 3, 2, 4, CrossEntropy>::with(m, 0.1, CrossEntropy, Sgd).unwrap();
        t.model.output = Output::Linear;
        let before = t.clone();
        assert_eq!(
            t.step(&[[1.0; 2]; 4], &[[0.5; 2]; 4]),
            Err(Error::OutputLossMismatch)
        );
        assert_eq!((&t.model, t.iterations()), (&before.model, 0));
    }

    #[test]
    fn a_target_the_loss_does_not_accept_is_an_error_that_changes_nothing() {
        use crate::Output;
        use crate::train::{Adam, CrossEntropy};
        let mut rng = XorShiftRng::seed_from_u64(3);
        let m = Rnn::<2, 3, 2>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
            .unwrap()
            .with_output(Output::Softmax);
        let mut t = Trainer::<2, 3, 2, 4, CrossEntropy, Adam<2, 3, 2>>::with(
            m,
            0.01,
            CrossEntropy,
            Adam::default(),
        )
        .unwrap();
        let xs = [[1.0, 0.0]; 4];
        t.step(&xs, &[[1.0, 0.0]; 4]).unwrap();
        let before = t.clone();
        for bad in [[0.5, 0.6], [1.2, -0.2], [f32::NAN, 1.0], [0.0, 0.0]] {
            assert_eq!(t.step(&xs, &[bad; 4]), Err(Error::InvalidTarget), "{bad:?}");
            assert_eq!(
                (&t.model, &t.optimizer, t.iterations()),
                (&before.model, &before.optimizer, 1)
            );
        }
        // Only the labelled steps are read: a bad target at an unlabelled step is no error.
        let mut ds = [[1.0, 0.0]; 4];
        ds[0] = [f32::NAN, 7.0];
        assert!(t.step_last(&xs, &[0.0, 1.0]).is_ok());
        let mask = [false, true, true, true];
        let targets = Targets {
            ds: &ds,
            labels: Labels::Mask(&mask),
        };
        assert!(t.step_targets(None, &xs, targets).is_ok());
        assert_eq!(t.iterations(), 3);
    }

    #[test]
    fn a_refused_update_leaves_the_optimiser_state_alone() {
        use crate::train::{Adam, Momentum, Optimizer};
        let mut rng = XorShiftRng::seed_from_u64(4);
        let m = Rnn::<2, 3, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh).unwrap();
        let mut t = Trainer::<2, 3, 1, 4, SquaredError, Adam<2, 3, 1>>::with(
            m.clone(),
            0.01,
            SquaredError,
            Adam::default(),
        )
        .unwrap();
        let xs = [[1.0, -1.0]; 4];
        t.step(&xs, &[[0.25]; 4]).unwrap();
        let (mut model, mut adam) = (t.model.clone(), t.optimizer.clone());
        // Finite gradients whose square overflows the second moment, in the last weight only.
        let mut g = Gradients::<2, 3, 1>::zeros();
        g.w_out[2][0] = 1e30;
        assert_eq!(
            adam.update(&mut model, &g, 0.01),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!((&model, &adam), (&t.model, &t.optimizer));
        g.w_out[2][0] = 1e3;
        adam.update(&mut model, &g, 0.01).unwrap();
        assert_eq!(adam.steps(), 2);
        assert_ne!(adam.v, t.optimizer.v);
        // Momentum: a velocity that is finite, a weight that would not be.
        let mut momentum = Momentum::new(0.9).unwrap();
        let mut model = m.clone();
        g.w_out[2][0] = f32::MAX;
        assert_eq!(
            momentum.update(&mut model, &g, 10.0),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!((&model, momentum.started()), (&m, false));
        assert_eq!(momentum.velocity, Gradients::zeros());
        assert_eq!(
            momentum.update(&mut model, &g, f32::NAN),
            Err(Error::InvalidLearningRate)
        );
    }

    #[test]
    fn optimiser_settings_are_checked() {
        use crate::train::{Adam, Momentum};
        for bad in [-0.1, 1.0, f32::NAN] {
            assert_eq!(
                Momentum::<1, 1, 1>::new(bad).err(),
                Some(Error::InvalidOptimizer)
            );
            assert_eq!(
                Adam::<1, 1, 1>::new(bad, 0.999, 1e-8, 0.0).err(),
                Some(Error::InvalidOptimizer)
            );
            assert_eq!(
                Adam::<1, 1, 1>::new(0.9, bad, 1e-8, 0.0).err(),
                Some(Error::InvalidOptimizer)
            );
        }
        assert_eq!(
            Adam::<1, 1, 1>::new(0.9, 0.999, 0.0, 0.0).err(),
            Some(Error::InvalidOptimizer)
        );
        assert_eq!(
            Momentum::<1, 1, 1>::with_weight_decay(0.9, -1.0).err(),
            Some(Error::InvalidOptimizer)
        );
        assert_eq!(
            Momentum::<1, 1, 1>::with_weight_decay(0.9, f32::INFINITY).err(),
            Some(Error::InvalidOptimizer)
        );
        assert!(
            Momentum::<1, 1, 1>::new(0.0).is_ok()
                && Adam::<1, 1, 1>::new(0.0, 0.0, 1e-8, 1.0).is_ok()
        );
    }

    #[test]
    fn a_batch_is_its_sequences_summed_or_averaged() {
        use crate::train::Reduction;
        let (m, xs, ds) = stateful_case(Activation::Tanh);
        let xs2 = [xs, [[0.5, 0.5], [1.0, 0.0], [0.0, 0.0]]];
        let ds2 = [ds, [[0.0], [1.0], [1.0]]];
        let mut sum = Trainer::<2, 4, 1, 3>::new(m.clone(), 0.2).unwrap();
        let loss = sum
            .step_batch(&xs2, &ds2, Labels::Every, Reduction::Sum)
            .unwrap();
        // By hand: both sequences' gradients added, one SGD step.
        let (mut trace, mut g) = (Trace::zeros(), Gradients::zeros());
        let mut want = 0.0;
        for (x, d) in xs2.iter().zip(&ds2) {
            m.forward_trace(x, &mut trace);
            want += trace.loss(d);
            m.backward_add_into(x, d, &trace, &mut g);
        }
        let mut by_hand = m.clone();
        by_hand.sgd(&g, 0.2).unwrap();
        assert_eq!(
            (sum.model.clone(), loss.to_bits(), sum.iterations()),
            (by_hand, want.to_bits(), 1)
        );
        let mut mean = Trainer::<2, 4, 1, 3>::new(m, 0.2).unwrap();
        let half = mean
            .step_batch(&xs2, &ds2, Labels::Every, Reduction::Mean)
            .unwrap();
        assert_eq!(half, want * 0.5);
        assert_ne!(mean.model, sum.model);
        assert_eq!(
            mean.step_batch(&xs2[..1], &ds2, Labels::Every, Reduction::Mean),
            Err(Error::InvalidBatch)
        );
        assert_eq!(
            mean.step_batch(&[], &[], Labels::Every, Reduction::Mean),
            Err(Error::InvalidBatch)
        );
    }
}
