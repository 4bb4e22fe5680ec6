//! Updating the weights from their gradients: plain SGD, all or nothing.

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
