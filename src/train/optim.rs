//! Updating the weights from their gradients: plain SGD, SGD with momentum and Adam, each
//! all or nothing: an update that would make a weight (or the optimiser's state) NaN or
//! infinite changes nothing.

use super::Gradients;
use crate::error::{Error, Result};
use crate::linalg::{axpy, unrolled};
use crate::model::Rnn;

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
        let w = self.trained_mut();
        let g = grads.arrays();
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

/// What updates the weights of an [`Rnn`] from its [`Gradients`]: [`Sgd`] (the course's),
/// [`Momentum`] or [`Adam`]. Its state, if it has one, lives in the [`Trainer`](crate::Trainer)
/// that owns it; [`Sgd`] has none and takes no memory.
pub trait Optimizer<const I: usize, const H: usize, const O: usize>:
    Clone + core::fmt::Debug + PartialEq
{
    /// Its code in a training-state record.
    const CODE: u8;

    /// One update of the trained parameters of `model` ([`Rnn::trained_mut`]) from `grads` at
    /// the learning rate `lr`.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if an updated weight, or the optimiser's updated state, would
    /// be NaN or infinite. Either way neither `model` nor the optimiser changes.
    fn update(
        &mut self,
        model: &mut Rnn<I, H, O>,
        grads: &Gradients<I, H, O>,
        lr: f32,
    ) -> Result<()>;

    /// Forgets what earlier updates left (the momentum, Adam's moments and step count), keeping
    /// the settings: the state of an optimiser that has not updated anything yet.
    fn reset(&mut self);

    /// How many arrays of one float a parameter its state holds: 0 for SGD, 1 for momentum
    /// (the velocity), 2 for Adam (the moments).
    const STATE_ARRAYS: usize;

    /// Its settings as a training-state record holds them: four floats (those it does not
    /// have, 0) and a counter.
    fn settings(&self) -> ([f32; 4], u64);

    /// Its `k`-th state array, `k < STATE_ARRAYS`.
    fn state(&self, k: usize) -> Option<&Gradients<I, H, O>>;

    /// [`Optimizer::state`], mutable.
    fn state_mut(&mut self, k: usize) -> Option<&mut Gradients<I, H, O>>;

    /// Checks settings read from a record, as [`Optimizer::settings`] gives them.
    ///
    /// # Errors
    /// [`Error::InvalidField`] if no optimiser of this kind has them.
    fn check_settings(settings: [f32; 4], counter: u64) -> Result<()>;

    /// Sets settings that [`Optimizer::check_settings`] accepted.
    fn set_settings(&mut self, settings: [f32; 4], counter: u64);
}

/// Plain stochastic gradient descent, `w -= lr · g`: the course's, [`Rnn::sgd`]. No state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sgd;

impl<const I: usize, const H: usize, const O: usize> Optimizer<I, H, O> for Sgd {
    const CODE: u8 = 0;

    #[inline]
    fn update(
        &mut self,
        model: &mut Rnn<I, H, O>,
        grads: &Gradients<I, H, O>,
        lr: f32,
    ) -> Result<()> {
        model.sgd(grads, lr)
    }

    fn reset(&mut self) {}

    const STATE_ARRAYS: usize = 0;

    fn settings(&self) -> ([f32; 4], u64) {
        ([0.0; 4], 0)
    }

    fn state(&self, _: usize) -> Option<&Gradients<I, H, O>> {
        None
    }

    fn state_mut(&mut self, _: usize) -> Option<&mut Gradients<I, H, O>> {
        None
    }

    fn check_settings(_: [f32; 4], _: u64) -> Result<()> {
        Ok(())
    }

    fn set_settings(&mut self, _: [f32; 4], _: u64) {}
}

/// Checks a setting that must lie in `[0, 1)` (a momentum, a beta).
fn unit(x: f32) -> Result<f32> {
    if (0.0..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(Error::InvalidOptimizer)
    }
}

/// Checks a setting that must be finite and at least 0 (a weight decay), or above 0 (`eps`).
fn non_negative(x: f32, zero_allowed: bool) -> Result<f32> {
    if x.is_finite() && (x > 0.0 || (zero_allowed && x == 0.0)) {
        Ok(x)
    } else {
        Err(Error::InvalidOptimizer)
    }
}

/// SGD with momentum, as PyTorch's `torch.optim.SGD(momentum=μ, weight_decay=λ)` (no
/// dampening, not Nesterov): `g' = g + λ w`, `b = μ b + g'` (`b = g'` at the first update),
/// `w -= lr · b`. Its state, the velocity `b`, is one float a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Momentum<const I: usize, const H: usize, const O: usize> {
    momentum: f32,
    weight_decay: f32,
    /// The velocity `b`, in the shapes of the gradients.
    pub velocity: Gradients<I, H, O>,
    started: bool,
}

impl<const I: usize, const H: usize, const O: usize> Momentum<I, H, O> {
    /// Momentum `momentum`, no weight decay.
    ///
    /// # Errors
    /// [`Error::InvalidOptimizer`] unless `momentum` is in `[0, 1)`.
    pub fn new(momentum: f32) -> Result<Self> {
        Self::with_weight_decay(momentum, 0.0)
    }

    /// Momentum `momentum` and weight decay `weight_decay` (an L2 penalty `λ/2 |w|²` added to
    /// the loss, as PyTorch's `weight_decay`).
    ///
    /// # Errors
    /// [`Error::InvalidOptimizer`] unless `momentum` is in `[0, 1)` and `weight_decay` is
    /// finite and at least 0.
    pub fn with_weight_decay(momentum: f32, weight_decay: f32) -> Result<Self> {
        Ok(Momentum {
            momentum: unit(momentum)?,
            weight_decay: non_negative(weight_decay, true)?,
            velocity: Gradients::zeros(),
            started: false,
        })
    }

    /// The momentum `μ`.
    #[must_use]
    pub const fn momentum(&self) -> f32 {
        self.momentum
    }

    /// The weight decay `λ`.
    #[must_use]
    pub const fn weight_decay(&self) -> f32 {
        self.weight_decay
    }

    /// Whether it has updated anything yet (the first update sets `b = g'`).
    #[must_use]
    pub const fn started(&self) -> bool {
        self.started
    }
}

/// Momentum's rule: the next velocity of a weight `w` with gradient `g` and velocity `b`, for
/// momentum `mu`, weight decay `wd`, and whether an update came before. Shared with the gated
/// cells' [`GatedMomentum`](crate::gated::GatedMomentum).
#[inline(always)]
pub(crate) fn momentum_rule(mu: f32, wd: f32, started: bool) -> impl Fn(f32, f32, f32) -> f32 {
    move |w, g, b| {
        let g = if wd != 0.0 { g + wd * w } else { g };
        if started { mu * b + g } else { g }
    }
}

/// Adam's rule at update `t` (from 1) and learning rate `lr`: the next weight and moments of a
/// weight `w` with gradient `g` and moments `m`, `v`; and the bias-corrected step size, which is
/// not finite when the update cannot be made. Shared with the gated cells'
/// [`GatedAdam`](crate::gated::GatedAdam).
#[inline(always)]
pub(crate) fn adam_rule(
    (b1, b2, eps, wd): (f32, f32, f32, f32),
    t: u64,
    lr: f32,
) -> AdamRule<impl Fn(f32, f32, f32, f32) -> WeightAndMoments> {
    // t as f32 is exact up to 2^24 updates, and β^t has long reached 0 by then.
    let step_size = lr / (1.0 - libm::powf(b1, t as f32));
    let bc2_sqrt = libm::sqrtf(1.0 - libm::powf(b2, t as f32));
    let next = move |w: f32, g: f32, m: f32, v: f32| {
        let g = if wd != 0.0 { g + wd * w } else { g };
        let m = m + (1.0 - b1) * (g - m);
        let v = b2 * v + (1.0 - b2) * g * g;
        let w = w - step_size * (m / (libm::sqrtf(v) / bc2_sqrt + eps));
        (w, m, v)
    };
    AdamRule { next, step_size }
}

/// A weight and its two moments after an Adam update.
pub(crate) type WeightAndMoments = (f32, f32, f32);

/// What [`adam_rule`] gives: the rule, and the step size it uses.
pub(crate) struct AdamRule<F> {
    pub(crate) next: F,
    pub(crate) step_size: f32,
}

/// Checks Momentum's settings, as [`Momentum::with_weight_decay`] does.
pub(crate) fn momentum_settings(momentum: f32, weight_decay: f32) -> Result<(f32, f32)> {
    Ok((unit(momentum)?, non_negative(weight_decay, true)?))
}

/// Checks momentum's settings and counter as a training-state record holds them: `[μ, λ, 0,
/// 0]` and `0` or `1` (the Elman optimiser's and the gated cells' alike).
///
/// # Errors
/// [`Error::InvalidField`] if no momentum optimiser has them.
pub(crate) fn check_momentum_record(settings: [f32; 4], counter: u64) -> Result<()> {
    let [mu, wd, zero0, zero1] = settings;
    match momentum_settings(mu, wd) {
        Ok(_) if zero0.to_bits() == 0 && zero1.to_bits() == 0 && counter <= 1 => Ok(()),
        _ => Err(Error::InvalidField),
    }
}

/// Checks Adam's settings as a training-state record holds them, `[β1, β2, ε, λ]` (any step
/// count).
///
/// # Errors
/// [`Error::InvalidField`] if no Adam optimiser has them.
pub(crate) fn check_adam_record(settings: [f32; 4]) -> Result<()> {
    let [b1, b2, eps, wd] = settings;
    adam_settings(b1, b2, eps, wd)
        .map(|_| ())
        .map_err(|_| Error::InvalidField)
}

/// Checks Adam's settings, as [`Adam::new`] does.
pub(crate) fn adam_settings(
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
) -> Result<(f32, f32, f32, f32)> {
    Ok((
        unit(beta1)?,
        unit(beta2)?,
        non_negative(eps, false)?,
        non_negative(weight_decay, true)?,
    ))
}

impl<const I: usize, const H: usize, const O: usize> Optimizer<I, H, O> for Momentum<I, H, O> {
    const CODE: u8 = 1;

    fn update(
        &mut self,
        model: &mut Rnn<I, H, O>,
        grads: &Gradients<I, H, O>,
        lr: f32,
    ) -> Result<()> {
        let lr = check_learning_rate(lr)?;
        let next = momentum_rule(self.momentum, self.weight_decay, self.started);
        // First pass: would every updated weight and velocity be finite?
        let mut bad = 0.0f32;
        let arrays = model
            .trained()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.velocity.arrays());
        for ((w, g), b) in arrays {
            for ((&w, &g), &b) in w.iter().zip(g).zip(b) {
                let b = next(w, g, b);
                bad += (w - lr * b) * 0.0 + b * 0.0;
            }
        }
        if bad != 0.0 {
            return Err(Error::NonFiniteWeight);
        }
        let arrays = model
            .trained_mut()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.velocity.arrays_mut());
        for ((w, g), b) in arrays {
            for ((w, &g), b) in w.iter_mut().zip(g).zip(b.iter_mut()) {
                *b = next(*w, g, *b);
                *w -= lr * *b;
            }
        }
        self.started = true;
        Ok(())
    }

    fn reset(&mut self) {
        self.velocity.clear();
        self.started = false;
    }

    const STATE_ARRAYS: usize = 1;

    fn settings(&self) -> ([f32; 4], u64) {
        (
            [self.momentum, self.weight_decay, 0.0, 0.0],
            u64::from(self.started),
        )
    }

    fn state(&self, k: usize) -> Option<&Gradients<I, H, O>> {
        (k == 0).then_some(&self.velocity)
    }

    fn state_mut(&mut self, k: usize) -> Option<&mut Gradients<I, H, O>> {
        (k == 0).then_some(&mut self.velocity)
    }

    fn check_settings(settings: [f32; 4], counter: u64) -> Result<()> {
        check_momentum_record(settings, counter)
    }

    fn set_settings(&mut self, settings: [f32; 4], counter: u64) {
        (self.momentum, self.weight_decay) = (settings[0], settings[1]);
        self.started = counter == 1;
    }
}

/// Adam, as PyTorch's `torch.optim.Adam(betas=(β1, β2), eps=ε, weight_decay=λ)` (not AMSGrad):
/// at update `t` (from 1), `g' = g + λ w`, `m = m + (1 - β1)(g' - m)`, `v = β2 v + (1 - β2) g'²`,
/// `w -= (lr / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)`: bias-corrected moments, in
/// the order of operations PyTorch's single-tensor update uses, in `f32`. Its state, the
/// moments `m` and `v`, is two floats a parameter, and the step count.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam<const I: usize, const H: usize, const O: usize> {
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    /// The first moment `m`.
    pub m: Gradients<I, H, O>,
    /// The second moment `v`.
    pub v: Gradients<I, H, O>,
    steps: u64,
}

impl<const I: usize, const H: usize, const O: usize> Default for Adam<I, H, O> {
    /// PyTorch's defaults: `β1 = 0.9`, `β2 = 0.999`, `ε = 1e-8`, no weight decay.
    fn default() -> Self {
        Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            m: Gradients::zeros(),
            v: Gradients::zeros(),
            steps: 0,
        }
    }
}

impl<const I: usize, const H: usize, const O: usize> Adam<I, H, O> {
    /// Adam with the given settings.
    ///
    /// # Errors
    /// [`Error::InvalidOptimizer`] unless `beta1` and `beta2` are in `[0, 1)`, `eps` is
    /// positive and finite and `weight_decay` finite and at least 0.
    pub fn new(beta1: f32, beta2: f32, eps: f32, weight_decay: f32) -> Result<Self> {
        Ok(Adam {
            beta1: unit(beta1)?,
            beta2: unit(beta2)?,
            eps: non_negative(eps, false)?,
            weight_decay: non_negative(weight_decay, true)?,
            ..Self::default()
        })
    }

    /// `(β1, β2, ε, λ)`.
    #[must_use]
    pub const fn settings(&self) -> (f32, f32, f32, f32) {
        (self.beta1, self.beta2, self.eps, self.weight_decay)
    }

    /// How many updates it has made (`t`; saturating).
    #[must_use]
    pub const fn steps(&self) -> u64 {
        self.steps
    }
}

impl<const I: usize, const H: usize, const O: usize> Optimizer<I, H, O> for Adam<I, H, O> {
    const CODE: u8 = 2;

    fn update(
        &mut self,
        model: &mut Rnn<I, H, O>,
        grads: &Gradients<I, H, O>,
        lr: f32,
    ) -> Result<()> {
        let lr = check_learning_rate(lr)?;
        let t = self.steps.saturating_add(1);
        let AdamRule { next, step_size } = adam_rule(self.settings(), t, lr);
        // First pass: would every updated weight and moment be finite?
        let mut bad = 0.0f32;
        let arrays = model
            .trained()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.m.arrays().into_iter().zip(self.v.arrays()));
        for ((w, g), (m, v)) in arrays {
            for (((&w, &g), &m), &v) in w.iter().zip(g).zip(m).zip(v) {
                let (w, m, v) = next(w, g, m, v);
                bad += w * 0.0 + m * 0.0 + v * 0.0;
            }
        }
        if bad != 0.0 || !step_size.is_finite() {
            return Err(Error::NonFiniteWeight);
        }
        let arrays = model
            .trained_mut()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.m.arrays_mut().into_iter().zip(self.v.arrays_mut()));
        for ((w, g), (m, v)) in arrays {
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                (*w, *m, *v) = next(*w, g, *m, *v);
            }
        }
        self.steps = t;
        Ok(())
    }

    fn reset(&mut self) {
        self.m.clear();
        self.v.clear();
        self.steps = 0;
    }

    const STATE_ARRAYS: usize = 2;

    fn settings(&self) -> ([f32; 4], u64) {
        (
            [self.beta1, self.beta2, self.eps, self.weight_decay],
            self.steps,
        )
    }

    fn state(&self, k: usize) -> Option<&Gradients<I, H, O>> {
        match k {
            0 => Some(&self.m),
            1 => Some(&self.v),
            _ => None,
        }
    }

    fn state_mut(&mut self, k: usize) -> Option<&mut Gradients<I, H, O>> {
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
        [self.beta1, self.beta2, self.eps, self.weight_decay] = settings;
        self.steps = counter;
    }
}

/// Adds `(w - lr * g) * 0.0` into eight partial sums: they stay zero exactly when every
/// updated weight is finite (`x * 0.0` is NaN for an infinite or NaN `x`). Eight independent
/// sums, eight weights per loop turn: the same shape as [`axpy`], and no long chain of
/// dependent additions. With `small-code`, one sum and one weight per loop turn (the same
/// answer: only whether the sums are zero matters).
/// The gated cells' [`Gated::sgd`](crate::gated::Gated::sgd) shares it.
#[inline(always)]
pub(crate) fn update_check(w: &[f32], g: &[f32], lr: f32, acc: &mut [f32; 8]) {
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

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::{Activation, Init};
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

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
                *g.arrays_mut().into_iter().flatten().nth(k).unwrap() = gk;
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
}
