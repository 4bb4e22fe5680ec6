//! Gradients in the shapes of the weights: their global norm, clipping, finiteness.

use crate::error::{Error, Result};
use crate::linalg::{all_finite, sum_squares};
#[cfg(doc)]
use crate::model::Rnn;

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

    /// The five gradient arrays, flattened, in the order of [`Rnn::arrays`]:
    /// `w_in`, `w`, `w_out`, `b_h`, `b_out`.
    #[must_use]
    pub const fn arrays(&self) -> [&[f32]; 5] {
        [
            self.w_in.as_flattened(),
            self.w.as_flattened(),
            self.w_out.as_flattened(),
            &self.b_h,
            &self.b_out,
        ]
    }

    /// [`Gradients::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 5] {
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
        let sum: f32 = self.arrays().iter().map(|s| sum_squares(s)).sum();
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
            .arrays()
            .iter()
            .map(|s| s.iter().fold(0.0, |acc, g| acc + (g * DOWN) * (g * DOWN)))
            .sum();
        libm::sqrtf(sum) * UP
    }

    /// Whether every gradient is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.arrays().iter().all(|s| all_finite(s))
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
            for s in self.arrays_mut() {
                s.iter_mut().for_each(|g| *g *= rate);
            }
        }
        Ok(norm)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

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
}
