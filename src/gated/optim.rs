//! Momentum and Adam for the gated cells: the rules of [`Momentum`](crate::train::Momentum) and
//! [`Adam`](crate::train::Adam) (the same code, so the same bits for the same numbers), their
//! state in the shapes of [`GatedGradients`]. Plain SGD is [`Gated::sgd`]. Each update is all
//! or nothing, as the Elman network's: one that would make a weight or the state NaN or
//! infinite changes nothing.

use super::{Gated, GatedGradients};
use crate::error::{Error, Result};
use crate::train::check_learning_rate;
use crate::train::optim::{AdamRule, adam_rule, adam_settings, momentum_rule, momentum_settings};

/// SGD with momentum for a gated cell, as [`Momentum`](crate::train::Momentum) (PyTorch's
/// `SGD(momentum=μ, weight_decay=λ)`): `g' = g + λ w`, `b = μ b + g'` (`b = g'` at the first
/// update), `w -= lr · b`.
///
/// Size: the velocity, `4 (G I·H + G H·H + H·O + 2 G H + O)` bytes, and 9 bytes of settings,
/// rounded up to a multiple of 4 (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct GatedMomentum<const I: usize, const H: usize, const O: usize, const G: usize> {
    momentum: f32,
    weight_decay: f32,
    /// The velocity `b`, in the shapes of the gradients.
    pub velocity: GatedGradients<I, H, O, G>,
    started: bool,
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedMomentum<I, H, O, G> {
    /// Momentum `momentum` and weight decay `weight_decay` (0 for none).
    ///
    /// # Errors
    /// [`Error::InvalidOptimizer`] unless `momentum` is in `[0, 1)` and `weight_decay` is
    /// finite and at least 0.
    pub fn new(momentum: f32, weight_decay: f32) -> Result<Self> {
        let (momentum, weight_decay) = momentum_settings(momentum, weight_decay)?;
        Ok(GatedMomentum {
            momentum,
            weight_decay,
            velocity: GatedGradients::zeros(),
            started: false,
        })
    }

    /// `(μ, λ)`.
    #[must_use]
    pub const fn settings(&self) -> (f32, f32) {
        (self.momentum, self.weight_decay)
    }

    /// Whether it has made an update since it was made or [`GatedMomentum::reset`] (the first
    /// takes the gradient as the velocity).
    #[must_use]
    pub const fn started(&self) -> bool {
        self.started
    }

    /// Forgets the velocity: the state of an optimiser that has not updated anything yet.
    pub fn reset(&mut self) {
        self.velocity = GatedGradients::zeros();
        self.started = false;
    }

    /// The settings and flag a training-state record holds, already checked.
    pub(crate) const fn set_record_settings(&mut self, mu: f32, wd: f32, started: bool) {
        (self.momentum, self.weight_decay, self.started) = (mu, wd, started);
    }

    /// One update of `model`'s parameters (the biases only with [`Gated::biases`]) from
    /// `grads` at learning rate `lr`.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if a weight or the velocity would be NaN or infinite. Either
    /// way neither `model` nor the optimiser changes.
    pub fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()> {
        let lr = check_learning_rate(lr)?;
        let next = momentum_rule(self.momentum, self.weight_decay, self.started);
        let trained = model.trained_arrays();
        let mut bad = 0.0f32;
        for ((w, g), b) in model
            .arrays()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.velocity.arrays())
            .take(trained)
        {
            for ((&w, &g), &b) in w.iter().zip(g).zip(b) {
                let b = next(w, g, b);
                bad += (w - lr * b) * 0.0 + b * 0.0;
            }
        }
        if bad != 0.0 {
            return Err(Error::NonFiniteWeight);
        }
        for ((w, g), b) in model
            .arrays_mut()
            .into_iter()
            .zip(grads.arrays())
            .zip(self.velocity.arrays_mut())
            .take(trained)
        {
            for ((w, &g), b) in w.iter_mut().zip(g).zip(b.iter_mut()) {
                *b = next(*w, g, *b);
                *w -= lr * *b;
            }
        }
        self.started = true;
        Ok(())
    }
}

/// Adam for a gated cell, as [`Adam`](crate::train::Adam) (PyTorch's `Adam`, not AMSGrad): at
/// update `t`, `g' = g + λ w`, `m = m + (1 - β1)(g' - m)`, `v = β2 v + (1 - β2) g'²`,
/// `w -= (lr / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)`.
///
/// Size: the two moments, `8 (G I·H + G H·H + H·O + 2 G H + O)` bytes, and 24 bytes of settings
/// and step count, rounded up to a multiple of 8 (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct GatedAdam<const I: usize, const H: usize, const O: usize, const G: usize> {
    settings: (f32, f32, f32, f32),
    /// The first moment `m`.
    pub m: GatedGradients<I, H, O, G>,
    /// The second moment `v`.
    pub v: GatedGradients<I, H, O, G>,
    steps: u64,
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> Default
    for GatedAdam<I, H, O, G>
{
    /// PyTorch's defaults: `β1 = 0.9`, `β2 = 0.999`, `ε = 1e-8`, no weight decay.
    fn default() -> Self {
        GatedAdam {
            settings: (0.9, 0.999, 1e-8, 0.0),
            m: GatedGradients::zeros(),
            v: GatedGradients::zeros(),
            steps: 0,
        }
    }
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedAdam<I, H, O, G> {
    /// Adam with the given settings.
    ///
    /// # Errors
    /// [`Error::InvalidOptimizer`] unless `beta1` and `beta2` are in `[0, 1)`, `eps` is
    /// positive and finite and `weight_decay` finite and at least 0.
    pub fn new(beta1: f32, beta2: f32, eps: f32, weight_decay: f32) -> Result<Self> {
        Ok(GatedAdam {
            settings: adam_settings(beta1, beta2, eps, weight_decay)?,
            ..Self::default()
        })
    }

    /// `(β1, β2, ε, λ)`.
    #[must_use]
    pub const fn settings(&self) -> (f32, f32, f32, f32) {
        self.settings
    }

    /// How many updates it has made (`t`; saturating).
    #[must_use]
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// The settings and step count a training-state record holds, already checked.
    pub(crate) const fn set_record_settings(&mut self, settings: (f32, f32, f32, f32), steps: u64) {
        (self.settings, self.steps) = (settings, steps);
    }

    /// Forgets the moments and the step count.
    pub fn reset(&mut self) {
        self.m = GatedGradients::zeros();
        self.v = GatedGradients::zeros();
        self.steps = 0;
    }

    /// One update of `model`'s parameters (the biases only with [`Gated::biases`]) from
    /// `grads` at learning rate `lr`.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if a weight or a moment would be NaN or infinite. Either way
    /// neither `model` nor the optimiser changes.
    pub fn update(
        &mut self,
        model: &mut Gated<I, H, O, G>,
        grads: &GatedGradients<I, H, O, G>,
        lr: f32,
    ) -> Result<()> {
        let lr = check_learning_rate(lr)?;
        let t = self.steps.saturating_add(1);
        let AdamRule { next, step_size } = adam_rule(self.settings, t, lr);
        let trained = model.trained_arrays();
        let mut bad = 0.0f32;
        let moments = self.m.arrays().into_iter().zip(self.v.arrays());
        for ((w, g), (m, v)) in model
            .arrays()
            .into_iter()
            .zip(grads.arrays())
            .zip(moments)
            .take(trained)
        {
            for (((&w, &g), &m), &v) in w.iter().zip(g).zip(m).zip(v) {
                let (w, m, v) = next(w, g, m, v);
                bad += w * 0.0 + m * 0.0 + v * 0.0;
            }
        }
        if bad != 0.0 || !step_size.is_finite() {
            return Err(Error::NonFiniteWeight);
        }
        let moments = self.m.arrays_mut().into_iter().zip(self.v.arrays_mut());
        for ((w, g), (m, v)) in model
            .arrays_mut()
            .into_iter()
            .zip(grads.arrays())
            .zip(moments)
            .take(trained)
        {
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                (*w, *m, *v) = next(*w, g, *m, *v);
            }
        }
        self.steps = t;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gru::Gru;
    use crate::lstm::Lstm;
    use crate::model::Rnn;
    use crate::train::{Adam, Gradients, Momentum, Optimizer};
    use crate::{Activation, Init};
    use rand_core::{Rng, SeedableRng};
    use rand_xorshift::XorShiftRng;

    type G = Gru<1, 1, 1>;

    /// A 1-1-1 GRU and an Elman 1-1-1 network whose five arrays hold the same first numbers:
    /// the GRU's `w_x[0][0][0]`, `w_h[0][0][0]`, `w_out`, `b_x[0][0]`, and the Elman's `w_in`,
    /// `w`, `w_out`, `b_h`; and gradients to match.
    fn pair(
        rng: &mut XorShiftRng,
    ) -> (
        G,
        GatedGradients<1, 1, 1, 3>,
        Rnn<1, 1, 1>,
        Gradients<1, 1, 1>,
    ) {
        let mut gru = G::zeros().with_biases(true);
        let mut gg = GatedGradients::zeros();
        let mut rnn = Rnn::<1, 1, 1>::zeros(Activation::Tanh, true);
        let mut rg = Gradients::zeros();
        let mut draw = || (rng.next_u32() as f32 / u32::MAX as f32) - 0.5;
        for (k, (w, g)) in rnn
            .arrays_mut()
            .into_iter()
            .zip(rg.arrays_mut())
            .enumerate()
        {
            let (wv, gv) = (draw(), draw());
            w[0] = wv;
            g[0] = gv;
            let target = match k {
                0 => 0,
                1 => 1,
                2 => 2,
                3 => 3,
                _ => 5,
            };
            gru.arrays_mut()[target][0] = wv;
            gg.arrays_mut()[target][0] = gv;
        }
        (gru, gg, rnn, rg)
    }

    #[test]
    fn momentum_and_adam_take_the_elman_optimisers_bits() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let (mut gru, mut gg, mut rnn, mut rg) = pair(&mut rng);
        let (mut gm, mut rm) = (
            GatedMomentum::new(0.9, 0.01).unwrap(),
            Momentum::with_weight_decay(0.9, 0.01).unwrap(),
        );
        let (mut ga, mut ra) = (
            GatedAdam::new(0.8, 0.99, 1e-6, 0.001).unwrap(),
            Adam::new(0.8, 0.99, 1e-6, 0.001).unwrap(),
        );
        let (mut gru2, mut rnn2) = (gru.clone(), rnn.clone());
        for step in 0..5 {
            gm.update(&mut gru, &gg, 0.1).unwrap();
            rm.update(&mut rnn, &rg, 0.1).unwrap();
            ga.update(&mut gru2, &gg, 0.01).unwrap();
            ra.update(&mut rnn2, &rg, 0.01).unwrap();
            for (k, target) in [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5)] {
                assert_eq!(
                    gru.arrays()[target][0].to_bits(),
                    rnn.arrays()[k][0].to_bits(),
                    "momentum, step {step}, array {k}"
                );
                assert_eq!(
                    gru2.arrays()[target][0].to_bits(),
                    rnn2.arrays()[k][0].to_bits(),
                    "Adam, step {step}, array {k}"
                );
            }
            // New gradients for the next step, the same on both sides.
            let (_, g2, _, r2) = pair(&mut rng);
            (gg, rg) = (g2, r2);
        }
        assert_eq!(ga.steps(), 5);
    }

    #[test]
    fn updates_are_all_or_nothing() {
        let mut rng = XorShiftRng::seed_from_u64(4);
        let mut lstm = Lstm::<2, 3, 1>::from_rng(&mut rng, Init::Xavier).unwrap();
        let mut grads = GatedGradients::zeros();
        grads.w_h[2][1][1] = 0.5;
        let mut adam = GatedAdam::default();
        let mut momentum = GatedMomentum::new(0.9, 0.0).unwrap();
        adam.update(&mut lstm, &grads, 0.01).unwrap();
        momentum.update(&mut lstm, &grads, 0.01).unwrap();
        let (before, adam_before, momentum_before) = (lstm.clone(), adam.clone(), momentum.clone());
        for bad in [0.0, -1.0, f32::NAN] {
            assert_eq!(
                adam.update(&mut lstm, &grads, bad),
                Err(Error::InvalidLearningRate)
            );
            assert_eq!(
                momentum.update(&mut lstm, &grads, bad),
                Err(Error::InvalidLearningRate)
            );
        }
        // The last parameter of all: every array is checked.
        grads.b_out[0] = f32::NAN;
        assert_eq!(
            adam.update(&mut lstm, &grads, 0.01),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!(
            momentum.update(&mut lstm, &grads, 0.01),
            Err(Error::NonFiniteWeight)
        );
        grads.b_out[0] = 0.0;
        grads.w_x[0][0][0] = f32::MAX;
        assert_eq!(
            momentum.update(&mut lstm, &grads, 1e30),
            Err(Error::NonFiniteWeight)
        );
        assert_eq!(
            (&lstm, &adam, &momentum),
            (&before, &adam_before, &momentum_before)
        );
        // Biases off: they are neither checked nor moved.
        let mut off = before.clone().with_biases(false);
        grads.w_x[0][0][0] = 0.0;
        grads.b_out[0] = f32::NAN;
        adam.update(&mut off, &grads, 0.01).unwrap();
        assert_eq!(off.b_out, before.b_out);
        adam.reset();
        momentum.reset();
        assert_eq!((adam.steps(), adam.m.w_h[2][1][1]), (0, 0.0));
        assert_eq!(momentum, GatedMomentum::new(0.9, 0.0).unwrap());
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(
            GatedMomentum::<1, 1, 1, 3>::new(1.0, 0.0),
            Err(Error::InvalidOptimizer)
        );
        assert_eq!(
            GatedMomentum::<1, 1, 1, 3>::new(0.5, -1.0),
            Err(Error::InvalidOptimizer)
        );
        assert_eq!(
            GatedAdam::<1, 1, 1, 4>::new(0.9, 1.0, 1e-8, 0.0),
            Err(Error::InvalidOptimizer)
        );
        assert_eq!(
            GatedAdam::<1, 1, 1, 4>::new(0.9, 0.99, 0.0, 0.0),
            Err(Error::InvalidOptimizer)
        );
        assert_eq!(
            GatedAdam::<1, 1, 1, 4>::new(0.9, 0.99, 1e-8, 0.0).map(|a| a.settings()),
            Ok((0.9, 0.99, 1e-8, 0.0))
        );
        assert_eq!(
            GatedMomentum::<1, 1, 1, 4>::new(0.5, 0.25).map(|m| m.settings()),
            Ok((0.5, 0.25))
        );
    }

    #[test]
    fn sizes() {
        use core::mem::size_of;
        // GRU 2-16-1: 977 parameters.
        assert_eq!(
            size_of::<GatedMomentum<2, 16, 1, 3>>(),
            (4 * 977 + 9_usize).div_ceil(4) * 4
        );
        assert_eq!(
            size_of::<GatedAdam<2, 16, 1, 3>>(),
            (8 * 977 + 24_usize).div_ceil(8) * 8
        );
    }
}
