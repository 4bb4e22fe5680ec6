//! Training in fixed point: the trace, exact BPTT, the gradients, clipping, SGD and the trainer
//! (formats and rounding in the [module docs](super)).

use super::kernels::{Bounded, dot_blocks, dot_shifted};
use super::table::derivative_q;
use super::{A_FRAC, FixedRnn, G_FRAC, ONE, ONE_A, U_FRAC, W_FRAC, ZW_SHIFT};
use crate::activation::Activation;
use crate::error::{Error, Result};

/// What a fixed-point forward pass keeps for BPTT: the hidden states and outputs of every
/// step, in Q0.15. Size: `2 L (H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedTrace<const H: usize, const O: usize, const L: usize> {
    /// `z_t`, the hidden state after step `t`.
    pub zs: [[i16; H]; L],
    /// `y_t`, the output of step `t`.
    pub ys: [[i16; O]; L],
}

impl<const H: usize, const O: usize, const L: usize> FixedTrace<H, O, L> {
    /// A trace of zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        FixedTrace {
            zs: [[0; H]; L],
            ys: [[0; O]; L],
        }
    }

    /// The squared error of the traced outputs against `ds` (Q4.11, each clamped to `[0, 1]`),
    /// `Σ_t Σ_o (y - d)² / (2 O)`, in units of `2^-30`: exact, rounded down.
    #[must_use]
    pub fn loss(&self, ds: &[[i16; O]; L]) -> u64 {
        let mut sum = 0u64;
        for (y, d) in self.ys.as_flattened().iter().zip(ds.as_flattened()) {
            // Both in [0, 2^15]: the square is below 2^31.
            let e = output_error(*y, *d);
            sum = sum.saturating_add(u64::from(e.times(e).unsigned_abs()));
        }
        sum / (2 * O as u64)
    }
}

impl<const H: usize, const O: usize, const L: usize> Default for FixedTrace<H, O, L> {
    fn default() -> Self {
        Self::zeros()
    }
}

/// `y - d` in Q.15, the output clamped to `[0, 1)` and the target (Q4.11) to `[0, 1]`, so that
/// any trace and any target give a value in `[-2^15, 2^15]`.
#[inline]
fn output_error(y: i16, d: i16) -> i32 {
    i32::from(y.max(0)).minus(i32::from(d.clamp(0, ONE)) << (A_FRAC - W_FRAC))
}

/// The gradients of a fixed-point model, in Q7.24 (`i32`), shaped as [`FixedRnn`]'s weights.
/// Size: `4 (I·H + H·H + H·O + H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedGradients<const I: usize, const H: usize, const O: usize> {
    /// `d loss / d w_in`.
    pub w_in: [[i32; H]; I],
    /// `d loss / d w`.
    pub w: [[i32; H]; H],
    /// `d loss / d w_out`.
    pub w_out: [[i32; O]; H],
    /// `d loss / d b_h`.
    pub b_h: [i32; H],
    /// `d loss / d b_out`.
    pub b_out: [i32; O],
}

impl<const I: usize, const H: usize, const O: usize> FixedGradients<I, H, O> {
    /// All zeros.
    #[must_use]
    pub const fn zeros() -> Self {
        FixedGradients {
            w_in: [[0; H]; I],
            w: [[0; H]; H],
            w_out: [[0; O]; H],
            b_h: [0; H],
            b_out: [0; O],
        }
    }

    /// The five arrays, flattened, in the order of [`FixedRnn::arrays`].
    #[must_use]
    pub const fn arrays(&self) -> [&[i32]; 5] {
        [
            self.w_in.as_flattened(),
            self.w.as_flattened(),
            self.w_out.as_flattened(),
            &self.b_h,
            &self.b_out,
        ]
    }

    /// [`FixedGradients::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [i32]; 5] {
        [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h,
            &mut self.b_out,
        ]
    }

    /// The global norm `sqrt(Σ g²)` in Q.16 (units of `2^-16`), rounded down: the squares of
    /// the gradients rounded down to Q.16, summed exactly in `u64`, and the integer square root.
    #[must_use]
    pub fn norm_q16(&self) -> u32 {
        // The sum of fewer than 2^18 squares below 2^46 fits u64.
        isqrt(
            self.arrays()
                .into_iter()
                .flatten()
                .map(|g| square_q16(*g))
                .fold(0, u64::saturating_add),
        )
    }

    /// Global-norm clipping: if [`FixedGradients::norm_q16`] is above `threshold` (Q.16, 65,536
    /// is 1), scales every gradient by `threshold / norm` (that ratio rounded down to Q0.16, the
    /// products to nearest). Returns whether it clipped.
    pub fn clip_global_norm_q16(&mut self, threshold: u32) -> bool {
        let Some(scale) = clip_scale(self.norm_q16(), threshold) else {
            return false;
        };
        for g in self.arrays_mut().into_iter().flatten() {
            *g = mul_q16(*g, scale);
        }
        true
    }
}

impl<const I: usize, const H: usize, const O: usize> Default for FixedGradients<I, H, O> {
    fn default() -> Self {
        Self::zeros()
    }
}

/// The integer square root of `n`, rounded down.
fn isqrt(n: u64) -> u32 {
    // Digit by digit, two bits of `n` a turn: no division, no float.
    let (mut rem, mut root) = (n, 0u64);
    let mut bit = 1u64 << 62;
    while bit > rem {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= root.plus(bit) {
            rem = rem.minus(root.plus(bit));
            root = (root >> 1).plus(bit);
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    // root <= sqrt(2^64 - 1) < 2^32.
    root as u32
}

/// `round(g · s / 2^16)`: `g` times `s` in Q0.16, rounded to nearest. One 64-bit product where
/// the core has a 32 × 32 → 64 multiply (`SMULL`, `MULH`); on ARMv6-M (Cortex-M0/M0+), where a
/// 64-bit product is a library call, two 32-bit ones ([`mul_q16_split`]). The same value either
/// way (a test checks the split one against the product).
#[inline]
pub(crate) fn mul_q16(g: i32, s: u16) -> i32 {
    if super::ARMV6M {
        mul_q16_split(g, s)
    } else {
        // |g · s| < 2^47: the result, below 2^31 in magnitude, fits.
        (i64::from(g).times(i64::from(s)).plus(1 << 15) >> 16) as i32
    }
}

/// [`mul_q16`] with two 32-bit products.
#[inline]
fn mul_q16_split(g: i32, s: u16) -> i32 {
    let s32 = i32::from(s);
    // g = hi · 2^16 + lo with hi in [-2^15, 2^15) and lo in [0, 2^16): hi · s fits i32, lo · s
    // + 2^15 fits u32, and so does their sum (at most 32,768 · 65,535).
    let hi = (g >> 16).times(s32);
    let lo = ((g & 0xffff) as u32).times(u32::from(s)).plus(1 << 15) >> 16;
    hi.plus(lo as i32)
}

/// How often a fixed-point value was held at the end of its range instead of overflowing
/// (module docs): counts, saturating at `u32::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Saturations {
    /// A hidden unit's delta, held at ±1.
    pub delta: u32,
    /// A gradient, held at ±128.
    pub gradient: u32,
    /// A weight, held at `[-16, 16)` by an update.
    pub weight: u32,
}

impl Saturations {
    /// Whether none happened.
    #[must_use]
    pub const fn none(&self) -> bool {
        self.delta == 0 && self.gradient == 0 && self.weight == 0
    }

    /// The sums of both counts, field by field (saturating).
    #[must_use]
    pub const fn plus(self, other: Self) -> Self {
        Saturations {
            delta: self.delta.saturating_add(other.delta),
            gradient: self.gradient.saturating_add(other.gradient),
            weight: self.weight.saturating_add(other.weight),
        }
    }
}

/// `sum` (in units of `2^-(G_FRAC + shift)`) rounded to nearest by `shift` bits into an `i32`,
/// held at its range; counts a hold in `sat`.
#[inline]
fn round_to_gradient(sum: i64, shift: u32, sat: &mut u32) -> i32 {
    let r = sum.plus(1 << shift >> 1) >> shift;
    match i32::try_from(r) {
        Ok(v) => v,
        Err(_) => {
            *sat = sat.saturating_add(1);
            if r < 0 { i32::MIN } else { i32::MAX }
        }
    }
}

/// `v` held at `[lo, hi]`; counts a hold in `sat`.
#[inline]
fn saturate(v: i32, lo: i32, hi: i32, sat: &mut u32) -> i32 {
    if v < lo || v > hi {
        *sat = sat.saturating_add(1);
    }
    v.clamp(lo, hi)
}

/// What BPTT finds before the gradients: every step's output and hidden deltas, kept as the
/// inputs and hidden states are, transposed (a row per unit, along the steps), so that each
/// gradient is one dot product over contiguous steps. Built on the stack for one backward pass.
struct Deltas<const I: usize, const H: usize, const O: usize, const L: usize> {
    /// `x_t[i]` at `[i][t]`.
    xt: [[i16; L]; I],
    /// `z_t[k]` at `[k][t]`.
    zt: [[i16; L]; H],
    /// The hidden delta of step `t` at `[j][t]`, Q0.15, in `[-32767, 32767]`.
    dt: [[i16; L]; H],
    /// The output delta of step `t` at `[o][t]`, Q0.15, in `[-2^13, 2^13]`.
    ot: [[i16; L]; O],
}

impl<const I: usize, const H: usize, const O: usize, const L: usize> Deltas<I, H, O, L> {
    /// All zeros (every entry is written by [`FixedRnn::deltas_into`]).
    #[inline(always)]
    const fn zeros() -> Self {
        Deltas {
            xt: [[0; L]; I],
            zt: [[0; L]; H],
            dt: [[0; L]; H],
            ot: [[0; L]; O],
        }
    }

    /// The gradients that take part, a row at a time in the order of [`FixedRnn::trained`]:
    /// `f(array, row, gradients)`, each gradient in Q.24, an exact sum rounded once to nearest
    /// (held at the `i32` range, counted in `sat`).
    ///
    /// Out of line, with the rows handed to `f` through `dyn` (a call a row): one copy of these
    /// loops serves clipping's pass and the update's, at a cost of a few dozen instructions.
    #[inline(never)]
    fn gradients(&self, biases: bool, sat: &mut u32, f: &mut dyn FnMut(usize, usize, &[i32])) {
        // Every product has a factor in [-32767, 32767] (a delta): a pair of them fits i32,
        // as dot_blocks needs. States times deltas (Q0.30) in pairs rounded down to Q.27, then
        // to nearest Q.24; inputs times deltas (Q4.26) in pairs rounded down to Q.23.
        let zw = 2 * A_FRAC - G_FRAC - 3; // Q.27 -> Q.24
        let xw = W_FRAC + A_FRAC - (G_FRAC - 1); // Q4.26 -> Q.23
        let (mut row_h, mut row_o) = ([0i32; H], [0i32; O]);
        for (i, x) in self.xt.iter().enumerate() {
            for (g, d) in row_h.iter_mut().zip(&self.dt) {
                *g = round_to_gradient(dot_blocks(x, d, xw) << 1, 0, sat);
            }
            f(0, i, &row_h);
        }
        // d W = Σ_{t >= 1} z_{t-1} ⊗ delta_t: the states without the last, the deltas
        // without the first.
        for (k, z) in self.zt.iter().enumerate() {
            for (g, d) in row_h.iter_mut().zip(&self.dt) {
                let sum = dot_blocks(z, d.get(1..).unwrap_or(&[]), 3);
                *g = round_to_gradient(sum, zw, sat);
            }
            f(1, k, &row_h);
        }
        for (k, z) in self.zt.iter().enumerate() {
            for (g, d) in row_o.iter_mut().zip(&self.ot) {
                *g = round_to_gradient(dot_blocks(z, d, 3), zw, sat);
            }
            f(2, k, &row_o);
        }
        if biases {
            let sum = |d: &[i16; L]| d.iter().fold(0i64, |s, v| s.plus(i64::from(*v)));
            let bias = G_FRAC - A_FRAC; // Q.15 -> Q.24
            for (g, d) in row_h.iter_mut().zip(&self.dt) {
                *g = round_to_gradient(sum(d) << bias, 0, sat);
            }
            f(3, 0, &row_h);
            for (g, d) in row_o.iter_mut().zip(&self.ot) {
                *g = round_to_gradient(sum(d) << bias, 0, sat);
            }
            f(4, 0, &row_o);
        }
    }
}

/// Row `r` of `a`'s array (rows of `len`), if there is one.
#[inline(always)]
fn row_of<'a, T>(
    arrays: &'a mut [&mut [T]; 5],
    a: usize,
    r: usize,
    len: usize,
) -> Option<&'a mut [T]> {
    // r and len are below 512 (the shapes' bound): no wrapping, and no checked product, which
    // is a library call on a Cortex-M0. A range past the array is `None`, never a panic.
    let start = r.wrapping_mul(len);
    arrays.get_mut(a)?.get_mut(start..start.wrapping_add(len))
}

impl<const I: usize, const H: usize, const O: usize> FixedRnn<I, H, O> {
    /// Runs the model over `xs` (Q4.11) from a zero hidden state and keeps in `trace` what
    /// backpropagation needs.
    pub fn forward_trace<const L: usize>(
        &self,
        xs: &[[i16; I]; L],
        trace: &mut FixedTrace<H, O, L>,
    ) {
        let mut h_prev = &[0; H];
        for ((x, z), y) in xs.iter().zip(trace.zs.iter_mut()).zip(trace.ys.iter_mut()) {
            self.hidden_into(x, h_prev, z);
            self.output_into(z, y);
            h_prev = z;
        }
    }

    /// The deltas of every step, from the last to the first (module docs), and the inputs and
    /// states transposed beside them; counts the deltas held at ±(1 - 2^-15) in `sat`.
    #[inline(always)]
    fn deltas_into<const L: usize>(
        &self,
        xs: &[[i16; I]; L],
        ds: &[[i16; O]; L],
        trace: &FixedTrace<H, O, L>,
        b: &mut Deltas<I, H, O, L>,
        sat: &mut u32,
    ) {
        let sigmoid = self.activation == Activation::Sigmoid;
        let to_q15 = U_FRAC - A_FRAC;
        // The deltas of step t + 1 (none after the last step).
        let mut next: Option<[i16; H]> = None;
        for t in (0..L).rev() {
            let (Some(x), Some(z), Some(y), Some(d)) =
                (xs.get(t), trace.zs.get(t), trace.ys.get(t), ds.get(t))
            else {
                continue;
            };
            // Output deltas: (y - d) / O · y (1 - y), |e · s| <= 2^15 · 2^13; rounded to nearest.
            let mut dout = [0i16; O];
            for (((dout, row), y), d) in dout.iter_mut().zip(&mut b.ot).zip(y).zip(d) {
                let s = derivative_q(true, (*y).max(0));
                let den = (O as i32) << A_FRAC;
                // In [-2^13, 2^13]: fits i16.
                *dout = output_error(*y, *d).times(s).plus(den / 2).div_euclid(den) as i16;
                if let Some(v) = row.get_mut(t) {
                    *v = *dout;
                }
            }
            // Hidden deltas: what flows back from the output and from step t + 1.
            let mut now = [0i16; H];
            for (((delta, z), (w_out, w)), row) in now
                .iter_mut()
                .zip(z)
                .zip(self.w_out.iter().zip(&self.w))
                .zip(&mut b.dt)
            {
                let mut acc = dot_shifted(&dout, w_out, ZW_SHIFT);
                if let Some(next) = &next {
                    acc = acc.plus(dot_shifted(next, w, ZW_SHIFT));
                }
                // Rounded to Q.15 (|carry| < 2^28), times f' (at most 32,767, so 2 f' fits a
                // u16) with two 32-bit products, rounded to nearest.
                let carry = acc.plus(1 << to_q15 >> 1) >> to_q15;
                let fp = derivative_q(sigmoid, if sigmoid { (*z).max(0) } else { *z });
                let dl = mul_q16(carry, fp.times(2) as u16);
                *delta = saturate(dl, -(ONE_A - 1), ONE_A - 1, sat) as i16;
                if let Some(v) = row.get_mut(t) {
                    *v = *delta;
                }
            }
            next = Some(now);
            for (row, x) in b.xt.iter_mut().zip(x) {
                if let Some(v) = row.get_mut(t) {
                    *v = *x;
                }
            }
            for (row, z) in b.zt.iter_mut().zip(z) {
                if let Some(v) = row.get_mut(t) {
                    *v = *z;
                }
            }
        }
    }

    /// Backpropagation through time in fixed point: **writes** into `grads` the gradients of the
    /// squared error of the sequence traced in `trace` (by [`FixedRnn::forward_trace`] on `xs`)
    /// against the targets `ds` (Q4.11, clamped to `[0, 1]`), and returns the saturations.
    ///
    /// The formulas are [`crate::train`]'s; the arithmetic is in the [module docs](super). It
    /// never overflows and never panics, on any trace and targets.
    pub fn backward_into<const L: usize>(
        &self,
        xs: &[[i16; I]; L],
        ds: &[[i16; O]; L],
        trace: &FixedTrace<H, O, L>,
        grads: &mut FixedGradients<I, H, O>,
    ) -> Saturations {
        let mut sat = Saturations::default();
        let mut b = Deltas::zeros();
        self.deltas_into(xs, ds, trace, &mut b, &mut sat.delta);
        grads.b_h = [0; H];
        grads.b_out = [0; O];
        let mut arrays = grads.arrays_mut();
        b.gradients(self.biases, &mut sat.gradient, &mut |a, r, g| {
            if let Some(row) = row_of(&mut arrays, a, r, g.len()) {
                row.copy_from_slice(g);
            }
        });
        sat
    }
}

/// The 16 bits below each weight while it trains: with the `i16` weight above them, a Q4.27
/// copy that takes the updates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Low<const I: usize, const H: usize, const O: usize> {
    w_in: [[u16; H]; I],
    w: [[u16; H]; H],
    w_out: [[u16; O]; H],
    b_h: [u16; H],
    b_out: [u16; O],
}

impl<const I: usize, const H: usize, const O: usize> Low<I, H, O> {
    pub(crate) const fn zeros() -> Self {
        Low {
            w_in: [[0; H]; I],
            w: [[0; H]; H],
            w_out: [[0; O]; H],
            b_h: [0; H],
            b_out: [0; O],
        }
    }

    pub(crate) const fn arrays(&self) -> [&[u16]; 5] {
        [
            self.w_in.as_flattened(),
            self.w.as_flattened(),
            self.w_out.as_flattened(),
            &self.b_h,
            &self.b_out,
        ]
    }

    pub(crate) const fn arrays_mut(&mut self) -> [&mut [u16]; 5] {
        [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h,
            &mut self.b_out,
        ]
    }
}

/// A fixed-point model with what training it needs: the forward pass, BPTT, clipping and SGD in
/// one [`FixedTrainer::step`], the [`crate::Trainer`] of the course's setup in integers.
///
/// The weights train as Q4.27: the model's `i16` weights and 16 bits below each, which the
/// trainer keeps. Each gradient goes into its weight as it is computed: there is no array of
/// gradients (with clipping, a first pass computes their norm, and the step's learning rate is
/// scaled by `threshold / norm`). Size: `2 P` (the model) `+ 2 P` (the bits below)
/// `+ 2 L (H + O)` (the trace) and 28 bytes of settings and counts, `P` the number of weights
/// and biases; for 2-16-1 over 8 steps, 1,584 bytes (checked by a test). A step's BPTT needs
/// `2 L (I + 2 H + O)` more on the stack.
///
/// # Examples
///
/// The course's setup in fixed point: the seed's initial weights rounded to Q4.11, learning
/// rate 0.1 (6,554 / 65,536), 10,000 pairs.
///
/// ```
/// use tinyrnn::fixed::{self, FixedRnn, FixedTrainer};
/// use tinyrnn::rand_core::SeedableRng;
/// use tinyrnn::task::{self, Sample};
/// use tinyrnn::{Activation, Init, XorShiftRng};
///
/// let mut rng = XorShiftRng::seed_from_u64(1);
/// let model = FixedRnn::<2, 16, 1>::from_rng(&mut rng, Init::Normal { std: 1.0 }, Activation::Sigmoid)?;
/// let mut trainer = FixedTrainer::<2, 16, 1, 8>::new(model, 6_554)?;
/// for _ in 0..10_000 {
///     let s = Sample::<8>::random(&mut rng);
///     trainer.step(&s.xs_fixed(), &s.ds_fixed())?;
/// }
/// assert!(task::evaluate_fixed::<16, 8>(&trainer.model).is_perfect());
/// assert!(trainer.saturations().none());
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FixedTrainer<const I: usize, const H: usize, const O: usize, const L: usize> {
    /// The model being trained.
    pub model: FixedRnn<I, H, O>,
    /// The trace of the last step's forward pass.
    pub trace: FixedTrace<H, O, L>,
    pub(crate) low: Low<I, H, O>,
    pub(crate) learning_rate: u16,
    pub(crate) clip: Option<u32>,
    pub(crate) saturations: Saturations,
    pub(crate) iterations: u32,
}

impl<const I: usize, const H: usize, const O: usize, const L: usize> FixedTrainer<I, H, O, L> {
    /// The learning rate of [`FixedTrainer::zeros`]: 6,554 / 65,536, the course's 0.1.
    pub const DEFAULT_LEARNING_RATE: u16 = 6_554;

    /// A trainer for an all-zero model, learning rate [`Self::DEFAULT_LEARNING_RATE`], no
    /// clipping. With [`FixedRnn::init_from_rng`] on `trainer.model` and the setters, this
    /// builds a trainer in place: no copy of the model or the trainer on a small device's stack.
    #[must_use]
    pub const fn zeros(activation: Activation, biases: bool) -> Self {
        FixedTrainer {
            model: FixedRnn::zeros(activation, biases),
            trace: FixedTrace::zeros(),
            low: Low::zeros(),
            learning_rate: Self::DEFAULT_LEARNING_RATE,
            clip: None,
            saturations: Saturations {
                delta: 0,
                gradient: 0,
                weight: 0,
            },
            iterations: 0,
        }
    }

    /// A trainer for `model` with the learning rate `learning_rate / 65536` (Q0.16: 6,554 is
    /// 0.1000061) and no clipping.
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] if `learning_rate` is 0.
    pub fn new(model: FixedRnn<I, H, O>, learning_rate: u16) -> Result<Self> {
        if learning_rate == 0 {
            return Err(Error::InvalidLearningRate);
        }
        Ok(FixedTrainer {
            model,
            trace: FixedTrace::zeros(),
            low: Low::zeros(),
            learning_rate,
            clip: None,
            saturations: Saturations::default(),
            iterations: 0,
        })
    }

    /// The trainer with global-norm clipping at `threshold / 65536` (`None`: off).
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] if `threshold` is `Some(0)`.
    pub fn with_clip(mut self, threshold: Option<u32>) -> Result<Self> {
        self.set_clip(threshold)?;
        Ok(self)
    }

    /// Sets the learning rate (Q0.16).
    ///
    /// # Errors
    /// [`Error::InvalidLearningRate`] if it is 0; nothing changes then.
    pub fn set_learning_rate(&mut self, learning_rate: u16) -> Result<()> {
        if learning_rate == 0 {
            return Err(Error::InvalidLearningRate);
        }
        self.learning_rate = learning_rate;
        Ok(())
    }

    /// Sets the clipping threshold (Q.16; `None`: off).
    ///
    /// # Errors
    /// [`Error::InvalidClipThreshold`] if it is `Some(0)`; nothing changes then.
    pub fn set_clip(&mut self, threshold: Option<u32>) -> Result<()> {
        if threshold == Some(0) {
            return Err(Error::InvalidClipThreshold);
        }
        self.clip = threshold;
        Ok(())
    }

    /// The learning rate, Q0.16.
    #[must_use]
    pub const fn learning_rate(&self) -> u16 {
        self.learning_rate
    }

    /// The clipping threshold, Q.16.
    #[must_use]
    pub const fn clip(&self) -> Option<u32> {
        self.clip
    }

    /// The training steps taken.
    #[must_use]
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The saturations of every step so far.
    #[must_use]
    pub const fn saturations(&self) -> Saturations {
        self.saturations
    }

    /// One training step on a sequence: forward, BPTT, clipping (if set), SGD. `xs` and `ds`
    /// in Q4.11 ([`ONE`](super::ONE) is 1). Returns the squared error before the update in
    /// units of `2^-30` ([`FixedTrace::loss`]).
    ///
    /// # Errors
    /// [`Error::InvalidTarget`] if a target is outside `[0, 1]` (the sigmoid's range); nothing
    /// is changed then. No other: the arithmetic saturates instead of failing, and counts it.
    // Out of line: its frame (the deltas, 2 L (I + 2 H + O) bytes) is then on the stack only
    // while it runs, not beside a caller's own buffers (a firmware's save of the state, say).
    #[inline(never)]
    pub fn step(&mut self, xs: &[[i16; I]; L], ds: &[[i16; O]; L]) -> Result<u64> {
        if ds.as_flattened().iter().any(|d| !(0..=ONE).contains(d)) {
            return Err(Error::InvalidTarget);
        }
        self.model.forward_trace(xs, &mut self.trace);
        let loss = self.trace.loss(ds);
        let mut sat = Saturations::default();
        let mut b = Deltas::zeros();
        self.model
            .deltas_into(xs, ds, &self.trace, &mut b, &mut sat.delta);
        // Each gradient goes into its weight as it is computed: no array of gradients. With
        // clipping, a first pass over them finds their norm.
        let mut lr = self.learning_rate;
        if let Some(threshold) = self.clip {
            let mut sum = 0u64;
            b.gradients(self.model.biases, &mut 0, &mut |_, _, g| {
                for g in g {
                    sum = sum.saturating_add(square_q16(*g));
                }
            });
            if let Some(scale) = clip_scale(isqrt(sum), threshold) {
                // lr · (g · scale) as (lr · scale) · g: one product a weight, as without clipping.
                lr = mul_q16(i32::from(lr), scale).clamp(1, 0xffff) as u16;
            }
        }
        let biases = self.model.biases;
        let mut weights = self.model.arrays_mut();
        let mut lows = self.low.arrays_mut();
        b.gradients(biases, &mut sat.gradient, &mut |a, r, g| {
            let (Some(w), Some(lo)) = (
                row_of(&mut weights, a, r, g.len()),
                row_of(&mut lows, a, r, g.len()),
            ) else {
                return;
            };
            for ((w, lo), g) in w.iter_mut().zip(lo).zip(g) {
                update(w, lo, *g, lr, &mut sat.weight);
            }
        });
        self.saturations = self.saturations.plus(sat);
        self.iterations = self.iterations.saturating_add(1);
        Ok(loss)
    }
}

/// `w -= lr · g` on the Q4.27 weight `w:lo` (module docs), held at its range (counted).
#[inline(always)]
fn update(w: &mut i16, lo: &mut u16, g: i32, lr: u16, held: &mut u32) {
    // The step in Q.24 (|step| < 2^31: lr < 1); the weight in Q4.27.
    let step = mul_q16(g, lr);
    let m = (i32::from(*w) << 16) | i32::from(*lo);
    let m = match step.checked_mul(8).and_then(|s| m.checked_sub(s)) {
        Some(m) => m,
        // Past the range (or a step of more than 16): in i64, where nothing overflows.
        None => saturate_i32(i64::from(m).minus(i64::from(step) << 3), held),
    };
    *w = (m >> 16) as i16;
    *lo = m as u16;
}

/// A Q.24 gradient's square in Q.32 (the gradient rounded down to Q.16 first): below 2^46.
#[inline(always)]
fn square_q16(g: i32) -> u64 {
    let q = i64::from(g >> (G_FRAC - 16));
    q.times(q).unsigned_abs()
}

/// The factor `threshold / norm` in Q0.16, rounded down, if the norm (Q.16) is above the
/// threshold; by long division, 16 bits, without a library call.
fn clip_scale(norm: u32, threshold: u32) -> Option<u16> {
    if norm <= threshold {
        return None;
    }
    let (mut rem, mut q) = (u64::from(threshold), 0u32);
    for _ in 0..16 {
        // rem < norm throughout: it doubles at most to below 2^33.
        rem <<= 1;
        q <<= 1;
        if rem >= u64::from(norm) {
            rem = rem.minus(u64::from(norm));
            q |= 1;
        }
    }
    Some(q.min(0xffff) as u16)
}

/// `v` held at the `i32` range; counts a hold in `sat`.
#[inline]
fn saturate_i32(v: i64, sat: &mut u32) -> i32 {
    i32::try_from(v).unwrap_or_else(|_| {
        *sat = sat.saturating_add(1);
        if v < 0 { i32::MIN } else { i32::MAX }
    })
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::fixed::quantise_seq;
    use crate::{Gradients, Init, Rnn, Trace};
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn mul_q16_rounds_to_nearest() {
        for g in [
            0,
            1,
            -1,
            12345,
            -12345,
            i32::MAX,
            i32::MIN,
            1 << 20,
            -(1 << 20) - 7,
        ] {
            for s in [1u16, 2, 6554, 32768, 65535] {
                let exact = (i64::from(g) * i64::from(s) + (1 << 15)) >> 16;
                assert_eq!(i64::from(mul_q16(g, s)), exact, "{g} * {s}");
                assert_eq!(i64::from(mul_q16_split(g, s)), exact, "{g} * {s}, split");
            }
        }
    }

    #[test]
    fn isqrt_is_the_floor() {
        for n in [
            0u64,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            1 << 40,
            (1 << 40) - 1,
            u64::MAX,
        ] {
            let r = u64::from(isqrt(n));
            assert!(
                r * r <= n && (r + 1).checked_mul(r + 1).is_none_or(|s| s > n),
                "{n}: {r}"
            );
        }
    }

    #[test]
    fn size_formula() {
        use core::mem::size_of;
        let p = 2 * 16 + 16 * 16 + 16 + 16 + 1;
        assert_eq!(
            size_of::<FixedTrainer<2, 16, 1, 8>>(),
            4 * p + 2 * 8 * 17 + 28
        );
        assert_eq!(size_of::<FixedTrainer<2, 16, 1, 8>>(), 1_584);
        assert_eq!(size_of::<FixedTrace<16, 1, 8>>(), 2 * 8 * 17);
        assert_eq!(
            size_of::<FixedGradients<3, 5, 2>>(),
            4 * (15 + 25 + 10 + 5 + 2)
        );
    }

    /// The fixed-point gradients against the `f32` path's on the same (rounded) weights and
    /// inputs: within a tolerance relative to the largest gradient, over random models.
    #[test]
    fn gradients_are_close_to_f32() {
        let mut rng = XorShiftRng::seed_from_u64(11);
        for (k, act) in [Activation::Sigmoid, Activation::Tanh]
            .into_iter()
            .cycle()
            .take(16)
            .enumerate()
        {
            let mut q = FixedRnn::<2, 8, 1>::from_rng(&mut rng, Init::Xavier, act).unwrap();
            q.biases = k % 4 < 2;
            q.b_h = core::array::from_fn(|j| (j as i16 - 4) * 200);
            let f = q.to_f32();
            let bits = |n: u32, t: usize| ((n >> t) & 1) as f32;
            let (a, b) = (k as u32 * 37 % 128, k as u32 * 91 % 128);
            let xs: [[f32; 2]; 8] = core::array::from_fn(|t| [bits(a, t), bits(b, t)]);
            let ds: [[f32; 1]; 8] = core::array::from_fn(|t| [bits(a + b, t)]);
            let (xq, dq) = (quantise_seq(&xs).unwrap(), quantise_seq(&ds).unwrap());

            let (mut tq, mut gq) = (FixedTrace::<8, 1, 8>::zeros(), FixedGradients::zeros());
            q.forward_trace(&xq, &mut tq);
            let sat = q.backward_into(&xq, &dq, &tq, &mut gq);
            assert!(sat.none(), "{sat:?}");
            let (mut tf, mut gf) = (Trace::<8, 1, 8>::zeros(), Gradients::zeros());
            f.forward_trace(&xs, &mut tf);
            f.backward_into(&xs, &ds, &tf, &mut gf);

            let scale = (1u32 << G_FRAC) as f32;
            let largest = gf
                .arrays()
                .iter()
                .flat_map(|a| a.iter())
                .fold(0.0f32, |m, g| m.max(g.abs()));
            for (name, (a, b)) in crate::PARAM_ARRAYS
                .iter()
                .zip(gq.arrays().into_iter().zip(gf.arrays()))
            {
                for (x, y) in a.iter().zip(b) {
                    let x = *x as f32 / scale;
                    assert!(
                        (x - y).abs() <= 0.01 * largest + 2e-4,
                        "model {k} {name}: fixed {x} vs f32 {y} (largest {largest})"
                    );
                }
            }
            assert!((tq.loss(&dq) as f32 / (1u64 << 30) as f32 - tf.loss(&ds)).abs() < 1e-3);
        }
    }

    #[test]
    fn a_bad_target_changes_nothing() {
        let mut rng = XorShiftRng::seed_from_u64(2);
        let m = FixedRnn::<2, 4, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh).unwrap();
        let mut t = FixedTrainer::<2, 4, 1, 3>::new(m, 6554).unwrap();
        let before = t.clone();
        let xs = [[ONE, 0]; 3];
        assert_eq!(
            t.step(&xs, &[[0], [ONE + 1], [0]]),
            Err(Error::InvalidTarget)
        );
        assert_eq!(t.step(&xs, &[[-1], [0], [0]]), Err(Error::InvalidTarget));
        assert_eq!(t, before);
        assert!(t.step(&xs, &[[0], [ONE], [0]]).is_ok());
        assert_ne!(t, before);
        assert_eq!(
            FixedTrainer::<2, 4, 1, 3>::new(t.model.clone(), 0).err(),
            Some(Error::InvalidLearningRate)
        );
        assert_eq!(
            t.with_clip(Some(0)).err(),
            Some(Error::InvalidClipThreshold)
        );
    }

    /// Clipping scales every gradient by the same ratio, to a norm just under the threshold.
    #[test]
    fn clipping_scales_to_the_threshold() {
        let mut g = FixedGradients::<1, 2, 1>::zeros();
        g.w_in = [[3 << G_FRAC, 4 << G_FRAC]]; // norm 5
        assert_eq!(g.norm_q16(), 5 << 16);
        assert!(!g.clone().clip_global_norm_q16(5 << 16));
        assert!(g.clip_global_norm_q16(1 << 16));
        let n = g.norm_q16();
        assert!(n <= 1 << 16 && n > (1 << 16) - 8, "{n}");
        let (a, b) = (g.w_in[0][0] as f64, g.w_in[0][1] as f64);
        assert!((a / b - 0.75).abs() < 1e-4);
    }

    /// Every value held at the extremes of its type: no overflow (the tests build with
    /// overflow checks), the saturations counted.
    #[test]
    fn extreme_values_saturate_without_overflow() {
        let mut m = FixedRnn::<3, 5, 2>::zeros(Activation::Sigmoid, true);
        for (n, a) in m.arrays_mut().into_iter().enumerate() {
            a.iter_mut()
                .enumerate()
                .for_each(|(k, w)| *w = if (k + n) % 2 == 0 { i16::MAX } else { i16::MIN });
        }
        for act in [Activation::Sigmoid, Activation::Tanh] {
            m.activation = act;
            let xs = [[i16::MAX, i16::MIN, i16::MAX]; 4];
            let ds = [[i16::MIN, i16::MAX]; 4];
            let mut t = FixedTrace::<5, 2, 4>::zeros();
            m.forward_trace(&xs, &mut t);
            let mut g = FixedGradients::zeros();
            let _ = m.backward_into(&xs, &ds, &t, &mut g);
            // A trace nobody could compute: every value at an extreme.
            t.zs = [[i16::MIN, i16::MAX, i16::MIN, 0, -1]; 4];
            t.ys = [[i16::MIN, i16::MAX]; 4];
            let _ = m.backward_into(&xs, &ds, &t, &mut g);
            let _ = t.loss(&ds);
            let _ = g.clip_global_norm_q16(1);
            g.arrays_mut()
                .into_iter()
                .flatten()
                .for_each(|g| *g = i32::MIN);
            let _ = g.norm_q16();
            let _ = g.clip_global_norm_q16(1);
        }
        // Weights at the ends of the range, the largest learning rate: updates held there.
        let mut tr = FixedTrainer::<3, 5, 2, 4>::new(m, u16::MAX).unwrap();
        let (xs, ds) = ([[i16::MAX, i16::MIN, i16::MAX]; 4], [[0, ONE]; 4]);
        for _ in 0..20 {
            tr.step(&xs, &ds).unwrap();
        }
        // An update past either end of the range is held there, and counted.
        let mut held = 0;
        let (mut w, mut lo) = (i16::MAX, u16::MAX);
        update(&mut w, &mut lo, i32::MIN, u16::MAX, &mut held);
        assert_eq!((w, lo, held), (i16::MAX, u16::MAX, 1));
        update(&mut w, &mut lo, i32::MAX, u16::MAX, &mut held);
        assert_eq!(
            (w, lo, held),
            (i16::MIN, 0, 2),
            "a step of 128 from just under 16"
        );
        let (mut w, mut lo) = (0, 0);
        update(&mut w, &mut lo, 1 << 27, 1 << 15, &mut held); // a step of 4
        assert_eq!((w, lo, held), (-4 * ONE, 0, 2));
        let mut tr = tr.with_clip(Some(1)).unwrap();
        tr.step(&xs, &ds).unwrap();
        assert_eq!(clip_scale(u32::MAX, 1), Some(0));
        assert_eq!(clip_scale(1 << 16, 1 << 15), Some(1 << 15));
    }

    /// A step gives the bits of the step written out from the public pieces: the trace, the
    /// loss, [`FixedRnn::backward_into`], and each weight moved by `lr · g` as the docs say;
    /// with clipping, by `(lr · threshold / norm) · g`.
    #[test]
    fn trainer_is_its_pieces() {
        for clip in [None, Some(1 << 10)] {
            let mut rng = XorShiftRng::seed_from_u64(6);
            let m = FixedRnn::<2, 6, 1>::from_rng(
                &mut rng,
                Init::Normal { std: 1.0 },
                Activation::Sigmoid,
            )
            .unwrap()
            .with_biases(true);
            let mut t = FixedTrainer::<2, 6, 1, 5>::new(m, 6554)
                .unwrap()
                .with_clip(clip)
                .unwrap();
            let xs = [[ONE, 0], [0, ONE], [ONE, ONE], [0, 0], [ONE, 0]];
            let ds = [[ONE], [ONE], [0], [ONE], [ONE]];
            let model = t.model.clone();
            let (mut tr, mut g) = (FixedTrace::zeros(), FixedGradients::zeros());
            model.forward_trace(&xs, &mut tr);
            let _ = model.backward_into(&xs, &ds, &tr, &mut g);
            let lr = match clip.and_then(|c| clip_scale(g.norm_q16(), c)) {
                Some(scale) => mul_q16(6554, scale) as u16,
                None => 6554,
            };
            assert_eq!(clip.is_some(), lr != 6554, "the threshold clips");
            let loss = t.step(&xs, &ds).unwrap();
            assert_eq!(loss, tr.loss(&ds));
            assert_eq!(t.trace, tr);
            // With the low bits zero, each weight moves by lr · g rounded as the docs say.
            let moved = model
                .arrays()
                .into_iter()
                .flatten()
                .zip(t.model.arrays().into_iter().flatten());
            let mut n = 0;
            for ((w0, w1), g) in moved.zip(g.arrays().into_iter().flatten()) {
                let m = (i64::from(*w0) << 16) - (i64::from(mul_q16(*g, lr)) << 3);
                assert_eq!(i64::from(*w1), m >> 16);
                n += usize::from(w0 != w1);
            }
            assert!(n > 30, "only {n} weights moved");
        }
        let _ = Rnn::<1, 1, 1>::default();
    }
}
