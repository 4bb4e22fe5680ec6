//! The trainer of the gated cells: what [`Trainer`](crate::Trainer) is for the Elman network,
//! for a [GRU](crate::gru) or an [LSTM](crate::lstm): one step is the forward pass with its
//! trace, the loss, exact BPTT, clipping (if on) and the optimiser's update, all or nothing.
//!
//! [`GatedCell`] is what it needs of a cell (its state, its trace, its two passes), and
//! [`GatedOptimizer`] what it needs of an optimiser ([`Sgd`], [`GatedMomentum`],
//! [`GatedAdam`]). [`GruTrainer`] and [`LstmTrainer`] name the two.
//!
//! ```
//! use tinyrnn::gated::{GatedAdam, GruTrainer};
//! use tinyrnn::gru::Gru;
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::task::Sample;
//! use tinyrnn::train::SquaredError;
//! use tinyrnn::{Init, XorShiftRng};
//!
//! let mut rng = XorShiftRng::seed_from_u64(1);
//! let gru = Gru::<2, 16, 1>::from_rng(&mut rng, Init::Xavier)?;
//! let mut trainer =
//!     GruTrainer::<2, 16, 1, 8, _, _>::with(gru, 0.01, SquaredError, GatedAdam::default())?
//!         .with_clip(Some(1.0))?;
//! let mut first = None;
//! for _ in 0..300 {
//!     let s = Sample::<8>::random(&mut rng);
//!     let loss = trainer.step(&s.xs, &s.ds)?;
//!     first.get_or_insert(loss);
//! }
//! assert_eq!(trainer.iterations(), 300);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

use super::{Gated, GatedAdam, GatedGradients, GatedMomentum};
use crate::error::{Error, Result};
use crate::gru::GruTrace;
use crate::lstm::{LstmState, LstmTrace};
use crate::train::optim::{check_adam_record, check_momentum_record};
use crate::train::{Labels, Loss, Reduction, Sgd, SquaredError, Targets, check_learning_rate};

/// What [`GatedTrainer`] needs of a gated cell of `G` gates: the state a step carries, the
/// trace of a forward pass, and the two passes. Implemented by the GRU (`Gated<I, H, O, 3>`)
/// and the LSTM (`Gated<I, H, O, 4>`), each calling its own functions: the same bits.
pub trait GatedCell<const I: usize, const H: usize, const O: usize, const G: usize> {
    /// The state one step hands the next: `h` for the GRU, `(h, c)` for the LSTM.
    type State: Copy + core::fmt::Debug + PartialEq;
    /// What a forward pass of `L` steps keeps for BPTT.
    type Trace<const L: usize>: Clone + core::fmt::Debug + PartialEq;

    /// How many floats [`GatedCell::State`] holds: `H` for the GRU, `2H` for the LSTM.
    const STATE_FLOATS: usize;

    /// The state's arrays, in a stream-state record's order: `h` (and `c`, for the LSTM).
    fn state_arrays(s: &Self::State) -> [&[f32]; 2];

    /// [`GatedCell::state_arrays`], mutable.
    fn state_arrays_mut(s: &mut Self::State) -> [&mut [f32]; 2];

    /// A trace of zeros.
    fn trace_zeros<const L: usize>() -> Self::Trace<L>;

    /// The state after the last step of a traced pass.
    fn last_state<const L: usize>(trace: &Self::Trace<L>) -> Option<Self::State>;

    /// The forward pass from `s0` (zeros if `None`), keeping `trace`; the loss `Lo` of the
    /// labelled steps.
    ///
    /// # Errors
    /// As the cell's `forward_trace_loss`.
    fn trace_loss<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&Self::State>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &mut Self::Trace<L>,
    ) -> Result<f32>;

    /// BPTT after that pass: the gradients written into `grads`, or added to them if `add`.
    fn bptt<Lo: Loss, const L: usize>(
        &self,
        s0: Option<&Self::State>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
        trace: &Self::Trace<L>,
        grads: &mut GatedGradients<I, H, O, G>,
        add: bool,
    );
}

/// The two cells' implementations differ only in their types.
macro_rules! gated_cell {
    (
        $gates:literal,
        $state:ty,
        $floats:expr,
        |$s:ident| $arrays:expr,
        |$sm:ident| $arrays_mut:expr,
        $trace:ident,
        $last:ident
    ) => {
        impl<const I: usize, const H: usize, const O: usize> GatedCell<I, H, O, $gates>
            for Gated<I, H, O, $gates>
        {
            type State = $state;
            type Trace<const L: usize> = $trace<H, O, L>;
            const STATE_FLOATS: usize = $floats;

            fn state_arrays($s: &Self::State) -> [&[f32]; 2] {
                $arrays
            }

            fn state_arrays_mut($sm: &mut Self::State) -> [&mut [f32]; 2] {
                $arrays_mut
            }

            fn trace_zeros<const L: usize>() -> Self::Trace<L> {
                $trace::zeros()
            }

            fn last_state<const L: usize>(trace: &Self::Trace<L>) -> Option<Self::State> {
                trace.$last.last().copied()
            }

            fn trace_loss<Lo: Loss, const L: usize>(
                &self,
                s0: Option<&Self::State>,
                xs: &[[f32; I]; L],
                targets: Targets<'_, O, L>,
                trace: &mut Self::Trace<L>,
            ) -> Result<f32> {
                self.forward_trace_loss::<Lo, L>(s0, xs, targets, trace)
            }

            fn bptt<Lo: Loss, const L: usize>(
                &self,
                s0: Option<&Self::State>,
                xs: &[[f32; I]; L],
                targets: Targets<'_, O, L>,
                trace: &Self::Trace<L>,
                grads: &mut GatedGradients<I, H, O, $gates>,
                add: bool,
            ) {
                if add {
                    self.backward_loss_add_into::<Lo, L>(s0, xs, targets, trace, grads);
                } else {
                    self.backward_loss_into::<Lo, L>(s0, xs, targets, trace, grads);
                }
            }
        }
    };
}

gated_cell!(
    3,
    [f32; H],
    H,
    |h| [h.as_slice(), &[]],
    |h| [h.as_mut_slice(), &mut []],
    GruTrace,
    hs
);
gated_cell!(
    4,
    LstmState<H>,
    2 * H,
    |s| [s.h.as_slice(), &s.c],
    |s| [s.h.as_mut_slice(), &mut s.c],
    LstmTrace,
    states
);

/// What [`GatedTrainer`] needs of an optimiser: one all-or-nothing update, and what a training
/// state record ([`GatedTrainer::write_state`]) keeps of it, as
/// [`Optimizer`](crate::train::Optimizer) for the Elman network.
pub trait GatedOptimizer<const I: usize, const H: usize, const O: usize, const G: usize>:
    Clone + core::fmt::Debug + PartialEq
{
    /// Its code in a training-state record: `0` SGD, `1` momentum, `2` Adam (the Elman
    /// optimisers' codes).
    const CODE: u8;

    /// How many arrays of one float a parameter its state holds: 0 for SGD, 1 for momentum
    /// (the velocity), 2 for Adam (the moments).
    const STATE_ARRAYS: usize;

    /// One update of the trained parameters of `model` from `grads` at the learning rate `lr`.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if an updated weight, or the optimiser's updated state, would
    /// be NaN or infinite. Either way neither `model` nor the optimiser changes.
    fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()>;

    /// Its settings as a training-state record holds them: four floats (those it does not
    /// have, 0) and a counter.
    fn record_settings(&self) -> ([f32; 4], u64);

    /// Its `k`-th state array, `k < STATE_ARRAYS`.
    fn state(&self, k: usize) -> Option<&GatedGradients<I, H, O, G>>;

    /// [`GatedOptimizer::state`], mutable.
    fn state_mut(&mut self, k: usize) -> Option<&mut GatedGradients<I, H, O, G>>;

    /// Checks settings read from a record, as [`GatedOptimizer::record_settings`] gives them.
    ///
    /// # Errors
    /// [`Error::InvalidField`] if no optimiser of this kind has them.
    fn check_settings(settings: [f32; 4], counter: u64) -> Result<()>;

    /// Sets settings that [`GatedOptimizer::check_settings`] accepted.
    fn set_settings(&mut self, settings: [f32; 4], counter: u64);
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedOptimizer<I, H, O, G>
    for Sgd
{
    const CODE: u8 = 0;
    const STATE_ARRAYS: usize = 0;

    #[inline]
    fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()> {
        model.sgd(grads, lr)
    }

    fn record_settings(&self) -> ([f32; 4], u64) {
        ([0.0; 4], 0)
    }

    fn state(&self, _: usize) -> Option<&GatedGradients<I, H, O, G>> {
        None
    }

    fn state_mut(&mut self, _: usize) -> Option<&mut GatedGradients<I, H, O, G>> {
        None
    }

    /// SGD has no settings: all four floats and the counter are `0` (one encoding per state).
    fn check_settings(settings: [f32; 4], counter: u64) -> Result<()> {
        if settings.iter().all(|s| s.to_bits() == 0) && counter == 0 {
            Ok(())
        } else {
            Err(Error::InvalidField)
        }
    }

    fn set_settings(&mut self, _: [f32; 4], _: u64) {}
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedOptimizer<I, H, O, G>
    for GatedMomentum<I, H, O, G>
{
    const CODE: u8 = 1;
    const STATE_ARRAYS: usize = 1;

    #[inline]
    fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()> {
        GatedMomentum::update(self, model, grads, lr)
    }

    /// `[μ, λ, 0, 0]`, and `1` once it has started, else `0`.
    fn record_settings(&self) -> ([f32; 4], u64) {
        let (mu, wd) = self.settings();
        ([mu, wd, 0.0, 0.0], u64::from(self.started()))
    }

    fn state(&self, k: usize) -> Option<&GatedGradients<I, H, O, G>> {
        (k == 0).then_some(&self.velocity)
    }

    fn state_mut(&mut self, k: usize) -> Option<&mut GatedGradients<I, H, O, G>> {
        (k == 0).then_some(&mut self.velocity)
    }

    fn check_settings(settings: [f32; 4], counter: u64) -> Result<()> {
        check_momentum_record(settings, counter)
    }

    fn set_settings(&mut self, settings: [f32; 4], counter: u64) {
        self.set_record_settings(settings[0], settings[1], counter == 1);
    }
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedOptimizer<I, H, O, G>
    for GatedAdam<I, H, O, G>
{
    const CODE: u8 = 2;
    const STATE_ARRAYS: usize = 2;

    #[inline]
    fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()> {
        GatedAdam::update(self, model, grads, lr)
    }

    /// `[β1, β2, ε, λ]`, and the step count `t`.
    fn record_settings(&self) -> ([f32; 4], u64) {
        let (b1, b2, eps, wd) = self.settings();
        ([b1, b2, eps, wd], self.steps())
    }

    fn state(&self, k: usize) -> Option<&GatedGradients<I, H, O, G>> {
        match k {
            0 => Some(&self.m),
            1 => Some(&self.v),
            _ => None,
        }
    }

    fn state_mut(&mut self, k: usize) -> Option<&mut GatedGradients<I, H, O, G>> {
        match k {
            0 => Some(&mut self.m),
            1 => Some(&mut self.v),
            _ => None,
        }
    }

    fn check_settings(settings: [f32; 4], _: u64) -> Result<()> {
        check_adam_record(settings)
    }

    fn set_settings(&mut self, settings: [f32; 4], counter: u64) {
        let [b1, b2, eps, wd] = settings;
        self.set_record_settings((b1, b2, eps, wd), counter);
    }
}

/// Trains a gated cell of `G` gates on sequences of `L` steps with the loss `Lo` and the
/// optimiser `Op`: [`Trainer`](crate::Trainer)'s steps and settings, for [`GruTrainer`] and
/// [`LstmTrainer`].
///
/// Size: the model, its gradients, its trace of `L` steps and the optimiser (nothing for
/// [`Sgd`]), and 20 bytes of settings, the whole rounded up to a multiple of 8 (checked by a
/// test).
#[derive(Debug, Clone, PartialEq)]
pub struct GatedTrainer<
    const I: usize,
    const H: usize,
    const O: usize,
    const G: usize,
    const L: usize,
    Lo: Loss = SquaredError,
    Op: GatedOptimizer<I, H, O, G> = Sgd,
> where
    Gated<I, H, O, G>: GatedCell<I, H, O, G>,
{
    /// The model being trained.
    pub model: Gated<I, H, O, G>,
    /// The gradients of the last step (after clipping).
    pub grads: GatedGradients<I, H, O, G>,
    /// The trace of the last step's forward pass.
    pub trace: <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::Trace<L>,
    /// The optimiser, with its state (none for [`Sgd`]).
    pub optimizer: Op,
    learning_rate: f32,
    clip: Option<f32>,
    iterations: u64,
    loss: Lo,
}

/// A GRU's trainer.
pub type GruTrainer<
    const I: usize,
    const H: usize,
    const O: usize,
    const L: usize,
    Lo = SquaredError,
    Op = Sgd,
> = GatedTrainer<I, H, O, 3, L, Lo, Op>;
/// An LSTM's trainer.
pub type LstmTrainer<
    const I: usize,
    const H: usize,
    const O: usize,
    const L: usize,
    Lo = SquaredError,
    Op = Sgd,
> = GatedTrainer<I, H, O, 4, L, Lo, Op>;

impl<const I: usize, const H: usize, const O: usize, const G: usize, const L: usize>
    GatedTrainer<I, H, O, G, L>
where
    Gated<I, H, O, G>: GatedCell<I, H, O, G>,
{
    /// A trainer for `model` with the squared error and plain SGD at `learning_rate`, no
    /// clipping.
    ///
    /// # Errors
    /// As [`GatedTrainer::with`].
    pub fn new(model: Gated<I, H, O, G>, learning_rate: f32) -> Result<Self> {
        Self::with(model, learning_rate, SquaredError, Sgd)
    }
}

impl<const I: usize, const H: usize, const O: usize, const G: usize, const L: usize, Lo, Op>
    GatedTrainer<I, H, O, G, L, Lo, Op>
where
    Gated<I, H, O, G>: GatedCell<I, H, O, G>,
    Lo: Loss,
    Op: GatedOptimizer<I, H, O, G>,
{
    /// A trainer for `model` with the loss `loss`, the optimiser `optimizer` at
    /// `learning_rate`, and no clipping.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `learning_rate` is positive and finite;
    /// [`Error::OutputLossMismatch`] if `loss` does not train the model's output layer.
    pub fn with(
        model: Gated<I, H, O, G>,
        learning_rate: f32,
        loss: Lo,
        optimizer: Op,
    ) -> Result<Self> {
        if !Lo::trains(model.output) {
            return Err(Error::OutputLossMismatch);
        }
        Ok(GatedTrainer {
            model,
            grads: GatedGradients::zeros(),
            trace: <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::trace_zeros(),
            optimizer,
            learning_rate: check_learning_rate(learning_rate)?,
            clip: None,
            iterations: 0,
            loss,
        })
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
    #[must_use]
    pub const fn iterations(&self) -> u64 {
        self.iterations
    }

    /// Sets the iteration count.
    pub const fn set_iterations(&mut self, iterations: u64) {
        self.iterations = iterations;
    }

    /// One training iteration on one sequence from a zero state, a target at every step:
    /// forward, loss, BPTT, clipping (if on), the update. Returns the loss before the update.
    ///
    /// # Errors
    /// [`Error::NonFiniteLoss`], [`Error::NonFiniteGradient`] or [`Error::NonFiniteWeight`]
    /// when training diverges (or the input holds NaN); the model and the optimiser are then
    /// left exactly as they were.
    pub fn step(&mut self, xs: &[[f32; I]; L], ds: &[[f32; O]; L]) -> Result<f32> {
        self.step_targets(None, xs, Targets::every(ds))
    }

    /// One training iteration for any label placement, from `state` (which becomes the state
    /// at the window's end, for truncated BPTT over a stream) or from zeros (`None`).
    ///
    /// # Errors
    /// As [`GatedTrainer::step`], and [`Error::InvalidTarget`] if a labelled target is outside
    /// what the loss accepts. Either way the model, the optimiser and `state` are left as they
    /// were.
    pub fn step_targets(
        &mut self,
        state: Option<&mut <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::State>,
        xs: &[[f32; I]; L],
        targets: Targets<'_, O, L>,
    ) -> Result<f32> {
        let s0 = state.as_deref().copied();
        let loss = self
            .model
            .trace_loss::<Lo, L>(s0.as_ref(), xs, targets, &mut self.trace)?;
        if !loss.is_finite() {
            return Err(Error::NonFiniteLoss);
        }
        self.model.bptt::<Lo, L>(
            s0.as_ref(),
            xs,
            targets,
            &self.trace,
            &mut self.grads,
            false,
        );
        let loss = self.update(loss)?;
        if let (Some(state), Some(last)) = (state, <Gated<I, H, O, G>>::last_state(&self.trace)) {
            *state = last;
        }
        Ok(loss)
    }

    /// One training iteration on a sequence labelled at its end only: `d` is the target of its
    /// last step.
    ///
    /// # Errors
    /// As [`GatedTrainer::step_targets`].
    pub fn step_last(&mut self, xs: &[[f32; I]; L], d: &[f32; O]) -> Result<f32> {
        let mut ds = [[0.0; O]; L];
        if let Some(last) = ds.last_mut() {
            *last = *d;
        }
        let targets = Targets {
            ds: &ds,
            labels: Labels::Last,
        };
        self.step_targets(None, xs, targets)
    }

    /// One training iteration on a mini-batch: the gradients of every sequence `xs[k]` against
    /// `ds[k]` (from zeros, targets where `labels` puts them), summed or averaged as
    /// `reduction` says, then one update. Returns the batch's loss, summed or averaged the same
    /// way. Counts one iteration.
    ///
    /// # Errors
    /// [`Error::InvalidBatch`] if the batch is empty or `xs` and `ds` differ in length; the
    /// others as [`GatedTrainer::step_targets`]. Either way the model and the optimiser are
    /// left as they were.
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
        self.grads = GatedGradients::zeros();
        let mut loss = 0.0;
        for (x, d) in xs.iter().zip(ds) {
            let targets = Targets { ds: d, labels };
            loss += self
                .model
                .trace_loss::<Lo, L>(None, x, targets, &mut self.trace)?;
            if !loss.is_finite() {
                return Err(Error::NonFiniteLoss);
            }
            self.model
                .bptt::<Lo, L>(None, x, targets, &self.trace, &mut self.grads, true);
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

    /// Clipping (if on) and the optimiser's update from `self.grads`; counts the iteration and
    /// returns `loss` when it is accepted.
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
                self.iterations = self.iterations.saturating_add(1);
                Ok(loss)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Init;
    use crate::gru::{Gru, GruGradients};
    use crate::lstm::{Lstm, LstmGradients};
    use crate::output::Output;
    use crate::task::Sample;
    use crate::train::CrossEntropy;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn size_formula() {
        use core::mem::size_of;
        let with_settings = |parts: usize| (parts + 20).next_multiple_of(8);
        let gru = size_of::<Gru<2, 16, 1>>()
            + size_of::<GruGradients<2, 16, 1>>()
            + size_of::<GruTrace<16, 1, 8>>();
        assert_eq!(size_of::<GruTrainer<2, 16, 1, 8>>(), with_settings(gru));
        let lstm = size_of::<Lstm<3, 5, 2>>()
            + size_of::<LstmGradients<3, 5, 2>>()
            + size_of::<LstmTrace<5, 2, 4>>()
            + size_of::<GatedAdam<3, 5, 2, 4>>();
        let adam = size_of::<LstmTrainer<3, 5, 2, 4, SquaredError, GatedAdam<3, 5, 2, 4>>>();
        assert_eq!(adam, with_settings(lstm));
    }

    /// A GRU's and an LSTM's steps are their passes, clipping and the optimiser, to the bit.
    #[test]
    fn a_step_is_the_passes_clipping_and_the_update() {
        let mut rng = XorShiftRng::seed_from_u64(5);
        let gru = Gru::<2, 6, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
        let lstm = Lstm::<2, 6, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
        let mut t_gru = GruTrainer::<2, 6, 1, 8, _, _>::with(
            gru.clone(),
            0.05,
            SquaredError,
            GatedAdam::default(),
        )
        .unwrap()
        .with_clip(Some(0.5))
        .unwrap();
        let mut t_lstm = LstmTrainer::<2, 6, 1, 8>::new(lstm.clone(), 0.3).unwrap();
        let (mut m_gru, mut m_lstm) = (gru, lstm);
        let mut adam = GatedAdam::<2, 6, 1, 3>::default();
        let (mut tr_g, mut gr_g) = (GruTrace::zeros(), GruGradients::zeros());
        let (mut tr_l, mut gr_l) = (LstmTrace::zeros(), LstmGradients::zeros());
        for _ in 0..20 {
            let s = Sample::<8>::random(&mut rng);
            let targets = Targets::every(&s.ds);
            let want = m_gru
                .forward_trace_loss::<SquaredError, 8>(None, &s.xs, targets, &mut tr_g)
                .unwrap();
            m_gru.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &tr_g, &mut gr_g);
            gr_g.clip_global_norm(0.5).unwrap();
            adam.update(&mut m_gru, &gr_g, 0.05).unwrap();
            assert_eq!(t_gru.step(&s.xs, &s.ds).unwrap().to_bits(), want.to_bits());

            let want = m_lstm
                .forward_trace_loss::<SquaredError, 8>(None, &s.xs, targets, &mut tr_l)
                .unwrap();
            m_lstm.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, &tr_l, &mut gr_l);
            m_lstm.sgd(&gr_l, 0.3).unwrap();
            assert_eq!(t_lstm.step(&s.xs, &s.ds).unwrap().to_bits(), want.to_bits());
        }
        assert_eq!(t_gru.model, m_gru);
        assert_eq!(t_gru.optimizer, adam);
        assert_eq!(t_lstm.model, m_lstm);
        assert_eq!((t_gru.iterations(), t_lstm.iterations()), (20, 20));
    }

    /// From a state, the state becomes the window's last, and the update is BPTT from it.
    #[test]
    fn a_window_carries_the_state_on() {
        let mut rng = XorShiftRng::seed_from_u64(6);
        let lstm = Lstm::<2, 4, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
        let mut trainer = LstmTrainer::<2, 4, 1, 4>::new(lstm.clone(), 0.2).unwrap();
        let mut model = lstm;
        let mut state = LstmState {
            h: [0.1, -0.2, 0.3, 0.0],
            c: [0.5, 0.0, -0.5, 1.0],
        };
        let start = state;
        let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let ds = [[1.0], [0.0], [1.0], [1.0]];
        let targets = Targets::every(&ds);
        let (mut trace, mut grads) = (LstmTrace::zeros(), LstmGradients::zeros());
        let want = model
            .forward_trace_loss::<SquaredError, 4>(Some(&start), &xs, targets, &mut trace)
            .unwrap();
        model.backward_loss_into::<SquaredError, 4>(Some(&start), &xs, targets, &trace, &mut grads);
        model.sgd(&grads, 0.2).unwrap();
        let loss = trainer
            .step_targets(Some(&mut state), &xs, targets)
            .unwrap();
        assert_eq!(loss.to_bits(), want.to_bits());
        assert_eq!(trainer.model, model);
        assert_eq!(state, trace.states[3]);
    }

    /// A step that diverges is refused and changes nothing: not the model, not the
    /// optimiser's moments, not the count.
    #[test]
    fn a_diverging_step_changes_nothing() {
        let mut rng = XorShiftRng::seed_from_u64(7);
        // A linear output and targets of a million: gradients in the millions, which a rate
        // of 10^38 turns into an overflow.
        let gru = Gru::<2, 4, 1>::from_rng(&mut rng, Init::Xavier)
            .unwrap()
            .with_output(Output::Linear);
        let momentum = GatedMomentum::new(0.9, 0.0).unwrap();
        let mut trainer =
            GruTrainer::<2, 4, 1, 8, _, _>::with(gru, 1e-12, SquaredError, momentum).unwrap();
        let s = Sample::<8>::random(&mut rng);
        let ds = [[1e6]; 8];
        trainer.step(&s.xs, &ds).unwrap();
        let before = trainer.clone();
        trainer.set_learning_rate(1e38).unwrap();
        assert_eq!(trainer.step(&s.xs, &ds), Err(Error::NonFiniteWeight));
        assert_eq!(trainer.model, before.model);
        assert_eq!(trainer.optimizer, before.optimizer);
        assert_eq!(trainer.iterations(), 1);
        let mut xs = s.xs;
        xs[3][0] = f32::NAN;
        assert_eq!(trainer.step(&xs, &ds), Err(Error::NonFiniteLoss));
        assert_eq!(trainer.model, before.model);
        assert_eq!(trainer.iterations(), 1);
    }

    #[test]
    fn bad_settings_and_input_are_refused() {
        let gru = Gru::<1, 2, 3>::zeros().with_output(Output::Softmax);
        assert_eq!(
            GruTrainer::<1, 2, 3, 2>::new(gru.clone(), 0.1).err(),
            Some(Error::OutputLossMismatch)
        );
        let mut t = GruTrainer::<1, 2, 3, 2, _, _>::with(gru, 0.1, CrossEntropy, Sgd).unwrap();
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(t.set_learning_rate(bad), Err(Error::InvalidLearningRate));
            assert_eq!(t.set_clip(Some(bad)), Err(Error::InvalidClipThreshold));
        }
        assert_eq!((t.learning_rate(), t.clip()), (0.1, None));
        assert_eq!(
            t.step_batch(&[], &[], Labels::Every, Reduction::Sum),
            Err(Error::InvalidBatch)
        );
        // A softmax target that does not sum to 1.
        let bad = [[0.5, 0.0, 0.0], [0.5, 0.0, 0.0]];
        assert_eq!(t.step(&[[1.0], [0.0]], &bad), Err(Error::InvalidTarget));
        assert_eq!(t.iterations(), 0);
    }

    /// A batch of one, summed, is one step; two, averaged, halve the summed gradients.
    #[test]
    fn batches() {
        let mut rng = XorShiftRng::seed_from_u64(8);
        let gru = Gru::<2, 3, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
        let (a, b) = (Sample::<8>::random(&mut rng), Sample::<8>::random(&mut rng));
        let fresh = GruTrainer::<2, 3, 1, 8>::new(gru, 0.1).unwrap();
        let mut one = fresh.clone();
        let mut batch = fresh.clone();
        let l1 = one.step(&a.xs, &a.ds).unwrap();
        let lb = batch
            .step_batch(&[a.xs], &[a.ds], Labels::Every, Reduction::Sum)
            .unwrap();
        assert_eq!(l1.to_bits(), lb.to_bits());
        assert_eq!(one.model, batch.model);
        let (mut sum, mut mean) = (fresh.clone(), fresh);
        let s = sum
            .step_batch(&[a.xs, b.xs], &[a.ds, b.ds], Labels::Every, Reduction::Sum)
            .unwrap();
        let m = mean
            .step_batch(&[a.xs, b.xs], &[a.ds, b.ds], Labels::Every, Reduction::Mean)
            .unwrap();
        assert_eq!(m, s * 0.5);
        assert_eq!(mean.grads.w_h[1][0][2], sum.grads.w_h[1][0][2] * 0.5);
        assert_eq!(sum.iterations(), 1);
    }

    #[test]
    fn a_sequence_labelled_at_its_end() {
        let mut rng = XorShiftRng::seed_from_u64(9);
        let lstm = Lstm::<2, 3, 2>::from_rng(&mut rng, Init::Xavier)
            .unwrap()
            .with_output(Output::Softmax);
        let mut t =
            LstmTrainer::<2, 3, 2, 5, _, _>::with(lstm.clone(), 0.1, CrossEntropy, Sgd).unwrap();
        let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]];
        let loss = t.step_last(&xs, &[0.0, 1.0]).unwrap();
        let mut trace = LstmTrace::zeros();
        let mut ds = [[0.0; 2]; 5];
        ds[4] = [0.0, 1.0];
        let targets = Targets {
            ds: &ds,
            labels: Labels::Last,
        };
        let want = lstm
            .forward_trace_loss::<CrossEntropy, 5>(None, &xs, targets, &mut trace)
            .unwrap();
        assert_eq!(loss.to_bits(), want.to_bits());
    }
}
