//! Fixed-point training and inference, for cores without a floating-point unit: the Elman
//! network, its forward pass, exact BPTT, clipping and SGD in integer arithmetic only.
//!
//! On a Cortex-M0, M3 or RV32IMAC every `f32` operation is a library call of tens of
//! instructions; a 16 × 16 → 32-bit multiply is one. [`FixedRnn`] and [`FixedTrainer`] are the
//! [`Rnn`] and [`Trainer`](crate::Trainer) of the course's setup in integers: no float operation
//! runs in a training step, so the same seed gives the same bits on every target by
//! construction. Floats appear only where a model crosses over: [`FixedRnn::from_rng`] draws the
//! `f32` path's initial weights and rounds them, [`FixedRnn::from_f32`] and
//! [`FixedRnn::to_f32`] convert a model both ways.
//!
//! # Number formats
//!
//! `Qm.n` is a signed integer in units of `2^-n` with `m` bits above the point.
//!
//! | what | type | format | range |
//! |---|---|---|---|
//! | weights, biases, inputs `x`, targets `d` | `i16` | Q4.11 ([`W_FRAC`]) | `[-16, 16)` |
//! | hidden states `z`, outputs `y`, deltas | `i16` | Q0.15 ([`A_FRAC`]) | `[-1, 1)` |
//! | pre-activations `u`, back-propagated sums | `i32` | Q.18 ([`U_FRAC`]) | no overflow (below) |
//! | gradients | `i32` | Q7.24 ([`G_FRAC`]) | `[-128, 128)` |
//! | weights while training: the `i16` and 16 more bits | `i32` | Q4.27 | `[-16, 16)` |
//! | learning rate, clipping threshold | `u16`, `u32` | Q0.16 | `(0, 1)`, `(0, 65536)` |
//!
//! - **Forward.** `u = x · w_in + z · w (+ b_h)` in `i32`, rounded down (an arithmetic shift)
//!   to Q.18: each input's product on its own, the states' products two at a time (their exact
//!   sum: a state is in `[-32767, 32767]`, so that a pair is below `2^31`). Each input's term is
//!   below `2^26`, each pair's and the bias below `2^23`, so the sum cannot overflow while
//!   `16 I + H + 2 < 512`, which the types check at compile time. The activation is a table of 257 entries with linear interpolation
//!   (`table.rs`): at most 2.2 units of `2^-15` from libm's sigmoid, 3.8 from its tanh, over
//!   every input.
//! - **Backward.** The squared error's output delta `(y - d) / O · y (1 - y)`; what flows back
//!   through `W` and `W_out` summed as in the forward pass and rounded to Q.15, then times
//!   `f'(z)` (rounded to nearest) and **saturated** at ±1 (the Q0.15 range) as the delta,
//!   counted ([`Saturations`]).
//! - **Gradients.** Each is a sum over the steps of 32-bit products, two at a time exactly,
//!   each pair rounded down to Q.27 (states × deltas) or Q.23 (inputs × deltas; nothing is lost
//!   for inputs 0 and ±1), summed in `i32` in blocks of 8 steps and the blocks in `i64`, then
//!   rounded to nearest Q.24, **saturating** at ±128 (counted).
//! - **Update.** `w -= lr · g` on the Q4.27 copy (the `i16` weight and 16 bits below it), the
//!   product rounded to nearest; the weights are its top 16 bits (rounded down). A weight that
//!   would leave `[-16, 16)` **saturates** there (counted). With the bits below, updates much
//!   smaller than a unit of Q4.11 add up instead of rounding to zero.
//!
//! Rounding "to nearest" rounds halves up (towards +∞); "down" is towards −∞.
//!
//! # What it has, and what it has not
//!
//! The hidden layer's sigmoid or tanh, biases on or off, the sigmoid output with the squared
//! error (the course's), a target at every step, SGD and global-norm clipping. Not (yet): the
//! linear and softmax outputs, the cross-entropies, momentum and Adam, windows of a stream.
//!
//! # Example
//!
//! The course's setup in fixed point, as the firmware's feature `fixed` trains it:
//!
//! ```
//! use tinyrnn::fixed::{FixedRnn, FixedTrainer};
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::task::{self, Sample};
//! use tinyrnn::{Activation, Init, XorShiftRng};
//!
//! // The course's setup in fixed point: the seed's initial weights rounded to Q4.11, the learning
//! // rate 0.1 as 6,554 / 65,536.
//! let mut rng = XorShiftRng::seed_from_u64(1);
//! let model = FixedRnn::<2, 16, 1>::from_rng(&mut rng, Init::Normal { std: 1.0 }, Activation::Sigmoid)?;
//! let mut trainer = FixedTrainer::<2, 16, 1, 8>::new(model, 6_554)?;
//! for _ in 0..10_000 {
//!     let s = Sample::<8>::random(&mut rng);
//!     trainer.step(&s.xs_fixed(), &s.ds_fixed())?; // inputs and targets in Q4.11
//! }
//! assert!(task::evaluate_fixed::<16, 8>(&trainer.model).is_perfect());
//! assert_eq!(trainer.model.checksum(), 0xd4f7_fac6); // on every target, in integers
//! // A model trained in f32 (on the desktop, in PyTorch) converts both ways.
//! let f32_model = trainer.model.to_f32();
//! assert_eq!(FixedRnn::from_f32(&f32_model)?, trainer.model);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

mod kernels;
mod table;
mod tables;
mod train;

pub use table::{sigmoid_q, tanh_q};
pub use train::{FixedGradients, FixedTrace, FixedTrainer, Saturations};

use rand_core::Rng;

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::{Init, StandardNormal};
use crate::model::Rnn;
use crate::output::Output;
use kernels::{axpy_shifted, axpy2_shifted, axpy4_shifted};

/// ARMv6-M (Cortex-M0/M0+): no long multiply, eight low registers. Only the choice of loop
/// depends on it, never a bit of a result. Stable Rust names no ARM architecture feature in
/// `cfg`; among the ARM targets, those without 32-bit compare-and-swap are ARMv6-M and older.
const ARMV6M: bool = cfg!(all(target_arch = "arm", not(target_has_atomic = "32")));

/// Fractional bits of weights, biases, inputs and targets (Q4.11).
pub const W_FRAC: u32 = 11;
/// Fractional bits of hidden states, outputs and deltas (Q0.15).
pub const A_FRAC: u32 = 15;
/// Fractional bits of pre-activations and of the sums that flow back (Q.18).
pub const U_FRAC: u32 = 18;
/// Fractional bits of gradients (Q7.24).
pub const G_FRAC: u32 = 24;

/// 1 in Q0.15 (one more than an `i16` holds).
pub(crate) const ONE_A: i32 = 1 << A_FRAC;
/// 1 in Q4.11: the input or target `1.0`.
pub const ONE: i16 = 1 << W_FRAC;

/// The number of bits a product of a Q4.11 weight and a Q0.15 state (Q4.26) is shifted right
/// to Q.18.
const ZW_SHIFT: u32 = A_FRAC + W_FRAC - U_FRAC;
/// The same for a Q4.11 input times a Q4.11 weight (Q8.22).
const XW_SHIFT: u32 = 2 * W_FRAC - U_FRAC;

/// `x` rounded to the nearest Q4.11 (`i16`), or `None` if it is outside `[-16, 16)` or NaN.
#[must_use]
pub fn quantise(x: f32) -> Option<i16> {
    let q = libm::roundf(x * f32::from(ONE));
    // NaN fails both comparisons.
    if (-32768.0..32768.0).contains(&q) {
        Some(q as i16)
    } else {
        None
    }
}

/// A Q4.11 value as `f32` (exact).
#[must_use]
pub fn to_f32(q: i16) -> f32 {
    f32::from(q) / f32::from(ONE)
}

/// A simple recurrent network in fixed point: [`Rnn`]'s formulas, with the sigmoid output,
/// weights in Q4.11 (`i16`) and hidden states and outputs in Q0.15 (see the
/// [module docs](self)).
///
/// Size: `2 (I·H + H·H + H·O + H + O)` bytes of weights plus 2 of settings, rounded up to a
/// multiple of 2: half an [`Rnn`]'s (checked by a test).
///
/// # Examples
///
/// The `f32` model of [`Rnn`]'s example, rounded to fixed point, within a few units of
/// `2^-15` of the `f32` outputs:
///
/// ```
/// use tinyrnn::fixed::{FixedRnn, ONE};
/// use tinyrnn::{Activation, Rnn};
///
/// let mut model = Rnn::<1, 1, 1>::zeros(Activation::Tanh, false);
/// (model.w_in, model.w, model.w_out) = ([[2.0]], [[0.5]], [[3.0]]);
/// let fixed = FixedRnn::from_f32(&model)?;
/// assert_eq!((fixed.w_in, fixed.w, fixed.w_out), ([[4096]], [[1024]], [[6144]]));
///
/// let (mut h, mut y) = ([0], [0]);
/// fixed.step(&[ONE], &mut h, &mut y); // z_1 = tanh(2), y_1 = sigmoid(3 z_1), in units of 2^-15
/// let (hf, yf) = (f32::from(h[0]) / 32768.0, f32::from(y[0]) / 32768.0);
/// assert!((hf - 0.964_027_6).abs() < 1e-4 && (yf - 0.947_453_7).abs() < 1e-4);
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FixedRnn<const I: usize, const H: usize, const O: usize> {
    /// Input-to-hidden weights `W_in`, `I × H`, Q4.11.
    pub w_in: [[i16; H]; I],
    /// Hidden-to-hidden weights `W`, `H × H`, Q4.11.
    pub w: [[i16; H]; H],
    /// Hidden-to-output weights `W_out`, `H × O`, Q4.11.
    pub w_out: [[i16; O]; H],
    /// Hidden bias, Q4.11; used and trained only when `biases` is `true`.
    pub b_h: [i16; H],
    /// Output bias, Q4.11; used and trained only when `biases` is `true`.
    pub b_out: [i16; O],
    /// The hidden layer's activation.
    pub activation: Activation,
    /// Whether the biases take part.
    pub biases: bool,
}

/// The seed's setup with every weight zero.
impl<const I: usize, const H: usize, const O: usize> Default for FixedRnn<I, H, O> {
    fn default() -> Self {
        Self::zeros(Activation::Sigmoid, false)
    }
}

impl<const I: usize, const H: usize, const O: usize> FixedRnn<I, H, O> {
    /// The shapes whose sums cannot overflow (module docs): checked when a model is made.
    const FITS: () = assert!(
        I > 0 && H > 0 && O > 0 && 16 * I + H + 2 < 512 && H + O < 512,
        "a FixedRnn needs I, H, O > 0, 16 I + H + 2 < 512 and H + O < 512"
    );

    /// A model with every weight and bias zero.
    #[must_use]
    pub const fn zeros(activation: Activation, biases: bool) -> Self {
        let () = Self::FITS;
        FixedRnn {
            w_in: [[0; H]; I],
            w: [[0; H]; H],
            w_out: [[0; O]; H],
            b_h: [0; H],
            b_out: [0; O],
            activation,
            biases,
        }
    }

    /// The same model with its biases switched on or off (their values are kept).
    #[must_use]
    pub const fn with_biases(mut self, biases: bool) -> Self {
        self.biases = biases;
        self
    }

    /// A model drawn from `rng` with `init`, biases off and zero: the weights of
    /// [`Rnn::from_rng`] with the same `rng`, rounded to Q4.11 (a weight beyond `[-16, 16)`, which
    /// a normal with a std of 1 draws about once in `10^57`, is clamped to it).
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] as [`Rnn::from_rng`].
    pub fn from_rng<R: Rng + ?Sized>(
        rng: &mut R,
        init: Init,
        activation: Activation,
    ) -> Result<Self> {
        let mut model = Self::zeros(activation, false);
        model.init_from_rng(rng, init)?;
        Ok(model)
    }

    /// Draws new weights from `rng` in place, as [`FixedRnn::from_rng`], and sets the biases to
    /// zero; the activation and the biases switch are kept.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] as [`Rnn::from_rng`]; the model is then unchanged.
    pub fn init_from_rng<R: Rng + ?Sized>(&mut self, rng: &mut R, init: Init) -> Result<()> {
        let (s_in, s_h) = (init.scale(I)?, init.scale(H)?);
        let mut normal = StandardNormal::new();
        let mut fill = |scale: f32, out: &mut [i16]| {
            for w in out {
                let x = scale * normal.sample(rng);
                *w = quantise(x).unwrap_or(if x < 0.0 { i16::MIN } else { i16::MAX });
            }
        };
        fill(s_in, self.w_in.as_flattened_mut());
        fill(s_h, self.w_out.as_flattened_mut());
        fill(s_h, self.w.as_flattened_mut());
        self.b_h = [0; H];
        self.b_out = [0; O];
        Ok(())
    }

    /// `model` with every weight and bias rounded to the nearest Q4.11.
    ///
    /// # Errors
    /// [`Error::UnsupportedInFixedPoint`] if its output layer is not the sigmoid;
    /// [`Error::NotRepresentable`] if a weight or bias (even one that does not take part) is
    /// outside `[-16, 16)` or NaN.
    pub fn from_f32(model: &Rnn<I, H, O>) -> Result<Self> {
        if model.output != Output::Sigmoid {
            return Err(Error::UnsupportedInFixedPoint);
        }
        let mut fixed = Self::zeros(model.activation, model.biases);
        for (q, f) in fixed.arrays_mut().into_iter().zip(model.arrays()) {
            for (q, f) in q.iter_mut().zip(f) {
                *q = quantise(*f).ok_or(Error::NotRepresentable)?;
            }
        }
        Ok(fixed)
    }

    /// The `f32` model with the same weights (exactly: every Q4.11 value is an `f32`).
    #[must_use]
    pub fn to_f32(&self) -> Rnn<I, H, O> {
        let mut model = Rnn::zeros(self.activation, self.biases);
        for (f, q) in model.arrays_mut().into_iter().zip(self.arrays()) {
            for (f, q) in f.iter_mut().zip(q) {
                *f = to_f32(*q);
            }
        }
        model
    }

    /// The five parameter arrays, flattened, in the order of [`crate::PARAM_ARRAYS`]:
    /// `w_in`, `w`, `w_out`, `b_h`, `b_out` (the biases whether or not they take part).
    #[must_use]
    pub const fn arrays(&self) -> [&[i16]; 5] {
        [
            self.w_in.as_flattened(),
            self.w.as_flattened(),
            self.w_out.as_flattened(),
            &self.b_h,
            &self.b_out,
        ]
    }

    /// [`FixedRnn::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [i16]; 5] {
        [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h,
            &mut self.b_out,
        ]
    }

    /// The arrays that take part: [`FixedRnn::arrays`] with the bias arrays empty when the
    /// biases are off.
    #[must_use]
    pub fn trained(&self) -> [&[i16]; 5] {
        let (bh, bo) = if self.biases { (H, O) } else { (0, 0) };
        let [w_in, w, w_out, b_h, b_out] = self.arrays();
        [w_in, w, w_out, &b_h[..bh], &b_out[..bo]]
    }

    /// A checksum of the weights that take part: 32-bit FNV-1a over their little-endian bytes,
    /// in [`FixedRnn::trained`] order. The firmware prints it, to compare targets.
    #[must_use]
    pub fn checksum(&self) -> u32 {
        let mut hash: u32 = 0x811c_9dc5;
        for w in self.trained().into_iter().flatten() {
            for byte in w.to_le_bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
        }
        hash
    }

    /// The hidden state after one step: `h = f(x · w_in + h_prev · w (+ b_h))`, in Q0.15.
    #[inline]
    pub(crate) fn hidden_into(&self, x: &[i16; I], h_prev: &[i16; H], h: &mut [i16; H]) {
        let mut u = [0i32; H];
        if self.biases {
            for (u, b) in u.iter_mut().zip(&self.b_h) {
                *u = i32::from(*b) << (U_FRAC - W_FRAC);
            }
        }
        for (x, row) in x.iter().zip(&self.w_in) {
            axpy_shifted(&mut u, *x, row, XW_SHIFT);
        }
        // Four rows of `w` a pass over `u` (two pairs), then two, then one: the pairs of rows
        // are (0, 1), (2, 3), ... whichever way, so the bits are the same. ARMv6-M (the
        // Cortex-M0) takes two rows a pass: its eight low registers do not hold four.
        let (z4, z_rest) = match ARMV6M {
            false => h_prev.as_chunks::<4>(),
            true => (&[][..], &h_prev[..]),
        };
        let (w4, w_rest) = match ARMV6M {
            false => self.w.as_chunks::<4>(),
            true => (&[][..], &self.w[..]),
        };
        for ([za, zb, zc, zd], [wa, wb, wc, wd]) in z4.iter().zip(w4) {
            axpy4_shifted(&mut u, [*za, *zb, *zc, *zd], [wa, wb, wc, wd], ZW_SHIFT);
        }
        let (z2, z1) = z_rest.as_chunks::<2>();
        let (w2, w1) = w_rest.as_chunks::<2>();
        for ([za, zb], [wa, wb]) in z2.iter().zip(w2) {
            axpy2_shifted(&mut u, [*za, *zb], [wa, wb], ZW_SHIFT);
        }
        for (z, row) in z1.iter().zip(w1) {
            axpy_shifted(&mut u, *z, row, ZW_SHIFT);
        }
        let f = match self.activation {
            Activation::Sigmoid => sigmoid_q,
            Activation::Tanh => tanh_q,
        };
        for (h, u) in h.iter_mut().zip(&u) {
            *h = f(*u);
        }
    }

    /// The output for a hidden state: `y = sigmoid(h · w_out (+ b_out))`, in Q0.15.
    #[inline]
    pub(crate) fn output_into(&self, h: &[i16; H], y: &mut [i16; O]) {
        let mut v = [0i32; O];
        if self.biases {
            for (v, b) in v.iter_mut().zip(&self.b_out) {
                *v = i32::from(*b) << (U_FRAC - W_FRAC);
            }
        }
        for (z, row) in h.iter().zip(&self.w_out) {
            axpy_shifted(&mut v, *z, row, ZW_SHIFT);
        }
        for (y, v) in y.iter_mut().zip(&v) {
            *y = sigmoid_q(*v);
        }
    }

    /// One step of inference with the hidden state held by the caller, as [`Rnn::step`]: on
    /// entry `h` is `z_{t-1}` (zeros before the first step), on return `z_t`; `y` is `y_t`.
    /// Inputs in Q4.11 ([`ONE`] is 1), states and outputs in Q0.15.
    ///
    /// A state of `-32768` (`-1`, which no activation gives) is taken as `-32767`.
    pub fn step(&self, x: &[i16; I], h: &mut [i16; H], y: &mut [i16; O]) {
        let h_prev = h.map(|z| z.max(-i16::MAX));
        self.hidden_into(x, &h_prev, h);
        self.output_into(h, y);
    }

    /// Runs the model over a whole sequence from a zero hidden state, writing every output.
    pub fn forward_into<const L: usize>(&self, xs: &[[i16; I]; L], ys: &mut [[i16; O]; L]) {
        let mut h = [0; H];
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            self.step(x, &mut h, y);
        }
    }
}

/// Inputs or targets in `f32` (the task's bits, a sensor's normalised values) rounded to Q4.11.
///
/// # Errors
/// [`Error::NotRepresentable`] if one is outside `[-16, 16)` or NaN.
pub fn quantise_seq<const N: usize, const L: usize>(xs: &[[f32; N]; L]) -> Result<[[i16; N]; L]> {
    let mut q = [[0; N]; L];
    for (q, x) in q.as_flattened_mut().iter_mut().zip(xs.as_flattened()) {
        *q = quantise(*x).ok_or(Error::NotRepresentable)?;
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn size_formula() {
        use core::mem::size_of;
        fn expected(i: usize, h: usize, o: usize) -> usize {
            (2 * (i * h + h * h + h * o + h + o) + 2).next_multiple_of(2)
        }
        assert_eq!(size_of::<FixedRnn<2, 16, 1>>(), expected(2, 16, 1));
        assert_eq!(size_of::<FixedRnn<3, 7, 2>>(), expected(3, 7, 2));
        assert_eq!(size_of::<FixedRnn<1, 1, 1>>(), expected(1, 1, 1));
    }

    #[test]
    fn init_is_the_f32_init_rounded() {
        for (seed, init, act) in [
            (1, Init::Normal { std: 1.0 }, Activation::Sigmoid),
            (2, Init::Xavier, Activation::Tanh),
            (3, Init::He, Activation::Sigmoid),
        ] {
            let f = Rnn::<2, 16, 1>::from_rng(&mut XorShiftRng::seed_from_u64(seed), init, act)
                .unwrap();
            let q =
                FixedRnn::<2, 16, 1>::from_rng(&mut XorShiftRng::seed_from_u64(seed), init, act)
                    .unwrap();
            assert_eq!(q, FixedRnn::from_f32(&f).unwrap());
        }
        let bad = FixedRnn::<2, 3, 1>::from_rng(
            &mut XorShiftRng::seed_from_u64(1),
            Init::Normal { std: f32::NAN },
            Activation::Tanh,
        );
        assert_eq!(bad, Err(Error::InvalidInitStd));
        // A std of 100 draws weights far beyond 16: they are clamped, not wrapped.
        let big = FixedRnn::<2, 8, 1>::from_rng(
            &mut XorShiftRng::seed_from_u64(1),
            Init::Normal { std: 100.0 },
            Activation::Tanh,
        )
        .unwrap();
        assert!(big.w.as_flattened().contains(&i16::MAX));
        assert!(big.w.as_flattened().contains(&i16::MIN));
    }

    #[test]
    fn conversion_round_trips_and_rejects() {
        let mut rng = XorShiftRng::seed_from_u64(4);
        let mut q =
            FixedRnn::<2, 5, 2>::from_rng(&mut rng, Init::Xavier, Activation::Tanh).unwrap();
        q.biases = true;
        q.b_h = [1, -2, 3, i16::MIN, i16::MAX];
        q.b_out = [-7, 2048];
        assert_eq!(FixedRnn::from_f32(&q.to_f32()), Ok(q.clone()));

        let mut f = q.to_f32();
        f.w[1][2] = 16.0;
        assert_eq!(FixedRnn::from_f32(&f), Err(Error::NotRepresentable));
        f.w[1][2] = f32::NAN;
        assert_eq!(FixedRnn::from_f32(&f), Err(Error::NotRepresentable));
        f.w[1][2] = -16.0; // the bottom of the range fits
        assert_eq!(FixedRnn::from_f32(&f).map(|m| m.w[1][2]), Ok(i16::MIN));
        let linear = f.with_output(Output::Linear);
        assert_eq!(
            FixedRnn::from_f32(&linear),
            Err(Error::UnsupportedInFixedPoint)
        );

        assert_eq!(quantise(0.000_244), Some(0)); // under half a unit of 2^-11
        assert_eq!(quantise(0.000_245), Some(1));
        assert_eq!(quantise(15.9995), Some(i16::MAX));
        assert_eq!(quantise(15.99977), None); // rounds to 16
    }

    /// The fixed-point forward pass against the `f32` one on the same (rounded) weights: the
    /// outputs agree within the tolerance, over random models and inputs.
    #[test]
    fn forward_is_close_to_f32() {
        const TOL: f32 = 2e-3;
        let mut rng = XorShiftRng::seed_from_u64(9);
        for (k, act) in [Activation::Sigmoid, Activation::Tanh]
            .into_iter()
            .cycle()
            .take(20)
            .enumerate()
        {
            let mut q = FixedRnn::<3, 8, 2>::from_rng(&mut rng, Init::Xavier, act).unwrap();
            q.biases = k % 4 < 2;
            q.b_h = core::array::from_fn(|j| (j as i16 - 4) * 300);
            q.b_out = [500, -700];
            let f = q.to_f32();
            let xs: [[f32; 3]; 6] = core::array::from_fn(|t| {
                core::array::from_fn(|i| ((t * 3 + i + k) % 5) as f32 * 0.5 - 1.0)
            });
            let (mut yq, mut yf) = ([[0i16; 2]; 6], [[0.0f32; 2]; 6]);
            q.forward_into(&quantise_seq(&xs).unwrap(), &mut yq);
            f.forward_into(&xs, &mut yf);
            for (a, b) in yq.as_flattened().iter().zip(yf.as_flattened()) {
                let a = f32::from(*a) / 32768.0;
                assert!((a - b).abs() < TOL, "model {k}: fixed {a} vs f32 {b}");
            }
        }
    }

    #[test]
    fn step_by_step_equals_forward() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let q =
            FixedRnn::<2, 6, 1>::from_rng(&mut rng, Init::Normal { std: 1.0 }, Activation::Sigmoid)
                .unwrap();
        let xs = [[ONE, 0], [0, ONE], [ONE, ONE], [0, 0]];
        let mut ys = [[0; 1]; 4];
        q.forward_into(&xs, &mut ys);
        let mut h = [0; 6];
        for (x, want) in xs.iter().zip(&ys) {
            let mut y = [0];
            q.step(x, &mut h, &mut y);
            assert_eq!(&y, want);
        }
    }
}
