//! What the gated cells share: their parameters, laid out the same way with `G` gates (3 for
//! the [GRU](crate::gru), 4 for the [LSTM](crate::lstm)), their gradients, the output layer on a
//! state, clipping and plain gradient descent. Each cell's formulas are in its own module.

use rand_core::Rng;

use crate::activation::sigmoid;
use crate::error::{Error, Result};
use crate::init::{Init, StandardNormal};
use crate::linalg::{all_finite, axpy, sum_squares, vecmat_add_into};
use crate::output::{Output, softmax};
use crate::train::optim::update_check;

mod optim;
mod trainer;

pub use optim::{GatedAdam, GatedMomentum};
pub use trainer::{GatedCell, GatedOptimizer, GatedTrainer, GruTrainer, LstmTrainer};

/// The names of the six parameter arrays, in the order of [`Gated::arrays`].
pub const GATED_ARRAYS: [&str; 6] = ["w_x", "w_h", "w_out", "b_x", "b_h", "b_out"];

/// A gated recurrent network with `I` inputs, `H` hidden units, `O` outputs and `G` gates:
/// [`Gru`](crate::gru::Gru) (`G = 3`) and [`Lstm`](crate::lstm::Lstm) (`G = 4`) are this type,
/// each with its own step.
///
/// Each gate's matrices are the crate's row-major `x · W`: `w_x[g]` is `I × H`, `w_h[g]`
/// `H × H` (PyTorch's `weight_ih_l0` and `weight_hh_l0` hold them transposed and stacked, in the
/// same gate order).
///
/// Size: `4 (G I·H + G H·H + H·O + 2 G H + O)` bytes plus 2 bytes of settings, rounded up to a
/// multiple of 4 (checked by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct Gated<const I: usize, const H: usize, const O: usize, const G: usize> {
    /// Input-to-hidden weights of each gate, `G × I × H`.
    pub w_x: [[[f32; H]; I]; G],
    /// Hidden-to-hidden weights of each gate, `G × H × H`.
    pub w_h: [[[f32; H]; H]; G],
    /// Hidden-to-output weights, `H × O`.
    pub w_out: [[f32; O]; H],
    /// The input side's bias of each gate (PyTorch's `bias_ih_l0`); used and trained only when
    /// [`Gated::biases`] is `true`.
    pub b_x: [[f32; H]; G],
    /// The hidden side's bias of each gate (PyTorch's `bias_hh_l0`), kept apart from `b_x` so
    /// that PyTorch's weights load unchanged (only the GRU's candidate uses it on its own).
    pub b_h: [[f32; H]; G],
    /// Output bias.
    pub b_out: [f32; O],
    /// The output layer.
    pub output: Output,
    /// Whether the biases take part.
    pub biases: bool,
}

/// The gradients of a [`Gated`] network's parameters, laid out as the model's.
///
/// Size: `4 (G I·H + G H·H + H·O + 2 G H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct GatedGradients<const I: usize, const H: usize, const O: usize, const G: usize> {
    /// `d loss / d w_x`.
    pub w_x: [[[f32; H]; I]; G],
    /// `d loss / d w_h`.
    pub w_h: [[[f32; H]; H]; G],
    /// `d loss / d w_out`.
    pub w_out: [[f32; O]; H],
    /// `d loss / d b_x` (zero with biases off).
    pub b_x: [[f32; H]; G],
    /// `d loss / d b_h` (zero with biases off).
    pub b_h: [[f32; H]; G],
    /// `d loss / d b_out` (zero with biases off).
    pub b_out: [f32; O],
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> GatedGradients<I, H, O, G> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        // Evaluated at compile time, so that the value is written straight into its place:
        // built at run time, nested arrays went through stack temporaries of their own size
        // (3.5 KiB for a GRU 2-16-1 on the Cortex-M0, more than its 16 KiB could spare).
        const {
            GatedGradients {
                w_x: [[[0.0; H]; I]; G],
                w_h: [[[0.0; H]; H]; G],
                w_out: [[0.0; O]; H],
                b_x: [[0.0; H]; G],
                b_h: [[0.0; H]; G],
                b_out: [0.0; O],
            }
        }
    }

    /// The six arrays, flattened, in the order of [`GATED_ARRAYS`] (as [`Gated::arrays`]).
    #[must_use]
    pub const fn arrays(&self) -> [&[f32]; 6] {
        [
            self.w_x.as_flattened().as_flattened(),
            self.w_h.as_flattened().as_flattened(),
            self.w_out.as_flattened(),
            self.b_x.as_flattened(),
            self.b_h.as_flattened(),
            &self.b_out,
        ]
    }

    /// [`GatedGradients::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 6] {
        [
            self.w_x.as_flattened_mut().as_flattened_mut(),
            self.w_h.as_flattened_mut().as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            self.b_x.as_flattened_mut(),
            self.b_h.as_flattened_mut(),
            &mut self.b_out,
        ]
    }

    /// The global L2 norm over every gradient, as [`Gradients::norm`](crate::Gradients::norm).
    #[must_use]
    pub fn norm(&self) -> f32 {
        global_norm(self.arrays())
    }

    /// Clipping by global norm, as
    /// [`Gradients::clip_global_norm`](crate::Gradients::clip_global_norm): if `norm >
    /// threshold`, scales every gradient by `threshold / norm`; returns the norm before.
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] if `threshold` is not positive and finite;
    /// [`Error::NonFiniteGradient`] if the norm is not finite. Either way nothing is changed.
    pub fn clip_global_norm(&mut self, threshold: f32) -> Result<f32> {
        clip_global_norm(self.arrays_mut(), threshold)
    }

    /// Whether every gradient is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.arrays().iter().all(|a| all_finite(a))
    }
}

impl<const I: usize, const H: usize, const O: usize, const G: usize> Gated<I, H, O, G> {
    /// A model with every weight and bias zero, biases off, the course's sigmoid output.
    #[must_use]
    pub const fn zeros() -> Self {
        const {
            assert!(
                I > 0 && H > 0 && O > 0 && G > 0,
                "a gated cell needs I, H, O, G > 0"
            )
        };
        // At compile time, as `GatedGradients::zeros`.
        const {
            Gated {
                w_x: [[[0.0; H]; I]; G],
                w_h: [[[0.0; H]; H]; G],
                w_out: [[0.0; O]; H],
                b_x: [[0.0; H]; G],
                b_h: [[0.0; H]; G],
                b_out: [0.0; O],
                output: Output::Sigmoid,
                biases: false,
            }
        }
    }

    /// The weights drawn from `rng` with `init`: `w_x` (each gate in turn), then `w_h`, then
    /// `w_out`, each row by row, `init` scaled by each matrix's fan-in (`I`, `H`, `H`); biases
    /// on (as PyTorch's) and zero.
    /// In place (a model of a few KiB is not copied on a small stack), leaving the output
    /// layer as it is; on an error the model is left as it was.
    pub(crate) fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R, init: Init) -> Result<()> {
        let (s_in, s_h) = (init.scale(I)?, init.scale(H)?);
        let mut normal = StandardNormal::new();
        normal.fill(rng, s_in, self.w_x.as_flattened_mut().as_flattened_mut());
        normal.fill(rng, s_h, self.w_h.as_flattened_mut().as_flattened_mut());
        normal.fill(rng, s_h, self.w_out.as_flattened_mut());
        self.b_x = [[0.0; H]; G];
        self.b_h = [[0.0; H]; G];
        self.b_out = [0.0; O];
        self.biases = true;
        Ok(())
    }

    /// The same model with its biases switched on or off (their values are kept).
    #[must_use]
    pub const fn with_biases(mut self, biases: bool) -> Self {
        self.biases = biases;
        self
    }

    /// The model with another output layer.
    #[must_use]
    pub const fn with_output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// The six parameter arrays, flattened, in the order of [`GATED_ARRAYS`]; the biases are
    /// there whether or not they take part.
    #[must_use]
    pub const fn arrays(&self) -> [&[f32]; 6] {
        [
            self.w_x.as_flattened().as_flattened(),
            self.w_h.as_flattened().as_flattened(),
            self.w_out.as_flattened(),
            self.b_x.as_flattened(),
            self.b_h.as_flattened(),
            &self.b_out,
        ]
    }

    /// [`Gated::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 6] {
        [
            self.w_x.as_flattened_mut().as_flattened_mut(),
            self.w_h.as_flattened_mut().as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            self.b_x.as_flattened_mut(),
            self.b_h.as_flattened_mut(),
            &mut self.b_out,
        ]
    }

    /// How many of [`Gated::arrays`] training updates: all six, or the three weight matrices
    /// with the biases off.
    #[inline]
    pub(crate) const fn trained_arrays(&self) -> usize {
        if self.biases { 6 } else { 3 }
    }

    /// The biases of gate `g` on both sides, summed (zeros with biases off): what starts the
    /// gate's sums.
    #[inline]
    pub(crate) fn gate_bias(&self, g: usize) -> [f32; H] {
        match (self.biases, self.b_x.get(g), self.b_h.get(g)) {
            (true, Some(bx), Some(bh)) => core::array::from_fn(|j| bx[j] + bh[j]),
            _ => [0.0; H],
        }
    }

    /// [`Gated::gate_bias`] of every gate: computed once for a pass, not at every step.
    #[inline]
    pub(crate) fn gate_biases(&self) -> [[f32; H]; G] {
        core::array::from_fn(|g| self.gate_bias(g))
    }

    /// The output layer's input for a state: `v = h · w_out (+ b_out)`.
    #[inline]
    pub(crate) fn logits(&self, h: &[f32; H]) -> [f32; O] {
        let mut v = if self.biases { self.b_out } else { [0.0; O] };
        vecmat_add_into(h, &self.w_out, &mut v);
        v
    }

    /// The output layer on `v`, into `y`.
    #[inline]
    pub(crate) fn apply_output(&self, v: &[f32; O], y: &mut [f32; O]) {
        match self.output {
            Output::Sigmoid => y.iter_mut().zip(v).for_each(|(y, v)| *y = sigmoid(*v)),
            Output::Linear => *y = *v,
            Output::Softmax => softmax(v, y),
        }
    }

    /// `w -= lr · g` for every parameter that takes part (the biases only with
    /// [`Gated::biases`]).
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] unless `lr` is positive and finite;
    /// [`Error::NonFiniteWeight`] if an updated weight would be NaN or infinite. Either way
    /// the model is left as it was.
    pub fn sgd(&mut self, grads: &GatedGradients<I, H, O, G>, lr: f32) -> Result<()> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(Error::InvalidLearningRate);
        }
        let trained = self.trained_arrays();
        let grads = grads.arrays();
        // First pass: would every updated weight be finite? With floats in hardware, the
        // Elman's check (eight sums of `(w - lr g) · 0`, zero exactly when they all are); where
        // they are soft, a look at each result's bits costs fewer calls.
        let finite = if crate::linalg::SIMD || crate::linalg::HARD_FLOAT {
            let mut acc = [0.0f32; 8];
            for (w, g) in self.arrays().iter().zip(&grads).take(trained) {
                update_check(w, g, lr, &mut acc);
            }
            acc.iter().sum::<f32>() == 0.0
        } else {
            self.arrays()
                .iter()
                .zip(&grads)
                .take(trained)
                .all(|(w, g)| w.iter().zip(*g).all(|(w, g)| (w - lr * g).is_finite()))
        };
        if !finite {
            return Err(Error::NonFiniteWeight);
        }
        for (w, g) in self.arrays_mut().into_iter().zip(grads).take(trained) {
            axpy(-lr, g, w);
        }
        Ok(())
    }

    /// A 32-bit FNV-1a hash of the bits of every parameter that takes part (the six arrays of
    /// [`Gated::arrays`] in order, the biases only with [`Gated::biases`]), each little-endian:
    /// what [`Rnn::checksum`](crate::Rnn::checksum) is for the Elman network, to compare a
    /// training run on one target with another's in one line.
    #[must_use]
    pub fn checksum(&self) -> u32 {
        let trained = self.trained_arrays();
        let mut hash: u32 = 0x811c_9dc5;
        for w in self.arrays().into_iter().take(trained).flatten() {
            for byte in w.to_bits().to_le_bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
        }
        hash
    }
}

/// The global L2 norm over every element of `arrays`, computed as
/// [`Gradients::norm`](crate::Gradients::norm) computes it (the same sums in the same order, and
/// the same rescaling when the sum of squares overflows). The Elman's `Gradients` keep their own
/// copy: calling this one from there changed the Elman firmware's code (84 bytes more flash and 3
/// more instructions an iteration on the Cortex-M4F, `scripts/firmware.sh`), whose figures are
/// not to move.
fn global_norm<const N: usize>(arrays: [&[f32]; N]) -> f32 {
    let sum: f32 = arrays.iter().map(|s| sum_squares(s)).sum();
    if sum.is_finite() || !arrays.iter().all(|s| all_finite(s)) {
        return libm::sqrtf(sum);
    }
    // Every |g| < 2^128, so (g 2^-70)² < 2^116: the scaled sum overflows only if the norm is
    // beyond f32::MAX anyway.
    const DOWN: f32 = 1.0 / (1u128 << 70) as f32;
    const UP: f32 = (1u128 << 70) as f32;
    let sum: f32 = arrays
        .iter()
        .map(|s| s.iter().fold(0.0, |acc, g| acc + (g * DOWN) * (g * DOWN)))
        .sum();
    libm::sqrtf(sum) * UP
}

/// Clipping by global norm over `arrays`, as
/// [`Gradients::clip_global_norm`](crate::Gradients::clip_global_norm).
fn clip_global_norm<const N: usize>(arrays: [&mut [f32]; N], threshold: f32) -> Result<f32> {
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(Error::InvalidClipThreshold);
    }
    let norm = global_norm(arrays.each_ref().map(|s| &**s));
    if !norm.is_finite() {
        return Err(Error::NonFiniteGradient);
    }
    let rate = threshold / norm;
    if rate < 1.0 {
        for s in arrays {
            s.iter_mut().for_each(|g| *g *= rate);
        }
    }
    Ok(norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_formulas() {
        use core::mem::size_of;
        let params = |i: usize, h: usize, o: usize, g: usize| {
            4 * (g * i * h + g * h * h + h * o + 2 * g * h + o)
        };
        let model = |i, h, o, g| (params(i, h, o, g) + 2).next_multiple_of(4);
        assert_eq!(size_of::<Gated<2, 16, 1, 3>>(), model(2, 16, 1, 3));
        assert_eq!(size_of::<Gated<3, 5, 2, 4>>(), model(3, 5, 2, 4));
        assert_eq!(
            size_of::<GatedGradients<2, 16, 1, 3>>(),
            params(2, 16, 1, 3)
        );
        assert_eq!(size_of::<GatedGradients<3, 5, 2, 4>>(), params(3, 5, 2, 4));
    }

    #[test]
    fn checksum_covers_the_trained_parameters_only() {
        let mut m = Gated::<2, 3, 1, 3>::zeros();
        // FNV-1a of 4·(18 + 27 + 3) zero bytes, as an independent fold computes it.
        let zeros = (0..4 * 48).fold(0x811c_9dc5u32, |h, _| h.wrapping_mul(0x0100_0193));
        assert_eq!(m.checksum(), zeros);
        m.b_h[1][2] = 1.0; // biases off: not part of the model
        assert_eq!(m.checksum(), zeros);
        let with_biases = m.clone().with_biases(true).checksum();
        assert_ne!(with_biases, zeros);
        m.w_h[2][0][1] = -0.0; // the bits count, not the value
        assert_ne!(m.checksum(), zeros);
        assert_ne!(m.clone().with_biases(true).checksum(), with_biases);
    }

    #[test]
    fn norm_and_clipping_as_the_elman_gradients() {
        let mut g = GatedGradients::<2, 3, 1, 4>::zeros();
        let mut e = crate::Gradients::<2, 3, 1>::zeros();
        for (k, (a, b)) in g
            .w_h
            .as_flattened_mut()
            .as_flattened_mut()
            .iter_mut()
            .zip(e.w.as_flattened_mut())
            .enumerate()
        {
            (*a, *b) = (k as f32 * 0.37 - 1.0, k as f32 * 0.37 - 1.0);
        }
        assert_eq!(g.norm().to_bits(), e.norm().to_bits());
        g.w_x[3][1][2] = 3.0e30; // the sum of squares overflows
        e.w_in[1][2] = 3.0e30;
        assert_eq!(g.norm().to_bits(), e.norm().to_bits());
        assert!(g.norm().is_finite());
        assert_eq!(g.clip_global_norm(0.0), Err(Error::InvalidClipThreshold));
        let before = g.clone();
        g.b_out[0] = f32::NAN;
        assert_eq!(g.clip_global_norm(1.0), Err(Error::NonFiniteGradient));
        g.b_out[0] = 0.0;
        assert_eq!(g.clip_global_norm(1.0), e.clip_global_norm(1.0));
        assert_eq!(g.w_h[0].as_flattened(), e.w.as_flattened());
        assert_ne!(g, before);
    }

    #[test]
    fn sgd_rejects_and_keeps_the_model() {
        let mut m = Gated::<2, 3, 1, 3>::zeros();
        m.w_h[1][1][2] = 0.25;
        let before = m.clone();
        let mut g = GatedGradients::zeros();
        assert_eq!(m.sgd(&g, 0.0), Err(Error::InvalidLearningRate));
        g.w_h[1][1][2] = f32::INFINITY;
        assert_eq!(m.sgd(&g, 0.1), Err(Error::NonFiniteWeight));
        assert_eq!(m, before);
        g.w_h[1][1][2] = 2.0;
        g.b_x[0][0] = 5.0; // biases off: not applied
        m.sgd(&g, 0.5).unwrap();
        assert_eq!(m.w_h[1][1][2], 0.25 - 1.0);
        assert_eq!(m.b_x, before.b_x);
        m.biases = true;
        m.sgd(&g, 0.5).unwrap();
        assert_eq!(m.b_x[0][0], -2.5);
    }
}
