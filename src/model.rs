//! The simple (Elman) recurrent network: its weights, one step, and a forward pass.

use rand_core::Rng;

use crate::activation::{Activation, sigmoid, sigmoid_in_place};
use crate::error::Result;
use crate::init::{Init, StandardNormal};
use crate::linalg::{SIMD, unrolled_mut, vecmat_add_into, vecmat2_into};
use crate::output::{Output, softmax};

/// The names of the five parameter arrays, in the order of [`Rnn::arrays`] and of the records.
pub const PARAM_ARRAYS: [&str; 5] = ["w_in", "w", "w_out", "b_h", "b_out"];

/// A simple recurrent network with `I` inputs, `H` hidden units and `O` outputs.
///
/// At step `t`, with `z_0 = 0`:
///
/// ```text
/// u_t = x_t · w_in + z_{t-1} · w (+ b_h)      z_t = f(u_t)        f: sigmoid or tanh
/// y_t = g(z_t · w_out (+ b_out))              g: sigmoid (the course's), linear or softmax
/// ```
///
/// The matrices are the seed's, row-major as numpy's `X · W_in`. Every field is public so that
/// weights can be read, set, saved and compared. The model holds no hidden state: inference
/// either runs a whole sequence ([`Rnn::forward_into`]) or one step with the hidden state held
/// by the caller ([`Rnn::step`]).
///
/// Size: `4 (I·H + H·H + H·O + H + O)` bytes of weights plus 2 bytes of settings, rounded up to
/// a multiple of 4 (checked by a test).
///
/// # Examples
///
/// A one-unit network with weights set by hand, run for two steps:
///
/// ```
/// use tinyrnn::{Activation, Rnn};
///
/// let mut model = Rnn::<1, 1, 1>::zeros(Activation::Tanh, false);
/// model.w_in = [[2.0]];
/// model.w = [[0.5]];
/// model.w_out = [[3.0]];
///
/// let (mut h, mut y) = ([0.0], [0.0]);
/// model.step(&[1.0], &mut h, &mut y); // z_1 = tanh(2 · 1 + 0.5 · 0), y_1 = sigmoid(3 z_1)
/// assert!((h[0] - 0.964_027_6).abs() < 1e-6 && (y[0] - 0.947_453_7).abs() < 1e-6);
/// model.step(&[0.0], &mut h, &mut y); // z_2 = tanh(2 · 0 + 0.5 z_1): the recurrence
/// assert!((h[0] - 0.447_854_9).abs() < 1e-6 && (y[0] - 0.793_075_6).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rnn<const I: usize, const H: usize, const O: usize> {
    /// Input-to-hidden weights `W_in`, `I × H`.
    pub w_in: [[f32; H]; I],
    /// Hidden-to-hidden (recurrent) weights `W`, `H × H`.
    pub w: [[f32; H]; H],
    /// Hidden-to-output weights `W_out`, `H × O`.
    pub w_out: [[f32; O]; H],
    /// Hidden bias; used and trained only when [`Rnn::biases`] is `true`.
    pub b_h: [f32; H],
    /// Output bias; used and trained only when [`Rnn::biases`] is `true`.
    pub b_out: [f32; O],
    /// The hidden layer's activation.
    pub activation: Activation,
    /// The output layer (the course's sigmoid unless set with [`Rnn::with_output`]).
    pub output: Output,
    /// Whether the biases take part. The seed leaves them out ("for simplicity"); with them off
    /// the model computes exactly the seed's formulas.
    pub biases: bool,
}

/// The seed's setup with every weight zero: `Rnn::zeros(Activation::Sigmoid, false)`.
impl<const I: usize, const H: usize, const O: usize> Default for Rnn<I, H, O> {
    fn default() -> Self {
        Self::zeros(Activation::Sigmoid, false)
    }
}

impl<const I: usize, const H: usize, const O: usize> Rnn<I, H, O> {
    /// A model with every weight and bias zero.
    #[must_use]
    pub const fn zeros(activation: Activation, biases: bool) -> Self {
        const { assert!(I > 0 && H > 0 && O > 0, "an Rnn needs I, H, O > 0") };
        Rnn {
            w_in: [[0.0; H]; I],
            w: [[0.0; H]; H],
            w_out: [[0.0; O]; H],
            b_h: [0.0; H],
            b_out: [0.0; O],
            activation,
            biases: false,
            output: Output::Sigmoid,
        }
        .with_biases(biases)
    }

    /// A model drawn from `rng` with `init`, biases off and zero.
    ///
    /// The weights are drawn in the seed's order: `w_in`, then `w_out`, then `w`, each row by
    /// row (see [`crate::init`] for the normal numbers).
    ///
    /// # Errors
    /// [`crate::Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std.
    pub fn from_rng<R: Rng + ?Sized>(
        rng: &mut R,
        init: Init,
        activation: Activation,
    ) -> Result<Self> {
        let mut model = Self::zeros(activation, false);
        model.init_from_rng(rng, init)?;
        Ok(model)
    }

    /// Draws new weights from `rng` in place, as [`Rnn::from_rng`], and sets the biases to zero;
    /// the activation and the biases switch are kept.
    ///
    /// In place, so that a microcontroller needs no second copy of the model on its stack.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInitStd`] if `init` is a normal with a negative or non-finite std;
    /// the model is then unchanged.
    pub fn init_from_rng<R: Rng + ?Sized>(&mut self, rng: &mut R, init: Init) -> Result<()> {
        let (s_in, s_h) = (init.scale(I)?, init.scale(H)?);
        let mut normal = StandardNormal::new();
        normal.fill(rng, s_in, self.w_in.as_flattened_mut());
        normal.fill(rng, s_h, self.w_out.as_flattened_mut());
        normal.fill(rng, s_h, self.w.as_flattened_mut());
        self.b_h = [0.0; H];
        self.b_out = [0.0; O];
        Ok(())
    }

    /// The same model with its biases switched on or off (their values are kept).
    #[must_use]
    pub const fn with_biases(mut self, biases: bool) -> Self {
        self.biases = biases;
        self
    }

    /// The model with another output layer (the weights unchanged).
    #[must_use]
    pub const fn with_output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// The hidden state after one step: `h = f(x · w_in + h_prev · w (+ b_h))`.
    #[inline]
    pub(crate) fn hidden_into(&self, x: &[f32; I], h_prev: &[f32; H], h: &mut [f32; H]) {
        let start = if self.biases { &self.b_h } else { &[0.0; H] };
        vecmat2_into(x, &self.w_in, h_prev, &self.w, start, h);
        // The match is outside the loop, so each loop calls one function.
        let apply = |h: &mut [f32; H], act: Activation| {
            // Two per loop turn (one with `small-code`): half the loop overhead around the
            // calls to `expf`/`tanhf`.
            let (h2, h_rest) = unrolled_mut::<2, _>(h);
            for [z0, z1] in h2 {
                *z0 = act.apply(*z0);
                *z1 = act.apply(*z1);
            }
            h_rest.iter_mut().for_each(|z| *z = act.apply(*z));
        };
        match self.activation {
            // With SIMD, branch-free `expf` or `tanhf` on several units at a time (the same
            // bits).
            act if SIMD => act.apply_in_place(h),
            Activation::Sigmoid => apply(h, Activation::Sigmoid),
            Activation::Tanh => apply(h, Activation::Tanh),
        }
    }

    /// The output for a hidden state: `y = g(h · w_out (+ b_out))`, `g` the output layer.
    #[inline]
    pub(crate) fn output_into(&self, h: &[f32; H], y: &mut [f32; O]) {
        let mut v = [0.0; O];
        self.output_logits_into(h, &mut v);
        self.apply_output(v, y);
    }

    /// What the output layer is given: `v = h · w_out (+ b_out)`.
    #[inline]
    pub(crate) fn output_logits_into(&self, h: &[f32; H], v: &mut [f32; O]) {
        *v = if self.biases { self.b_out } else { [0.0; O] };
        vecmat_add_into(h, &self.w_out, v);
    }

    /// The output layer on `v`.
    #[inline]
    pub(crate) fn apply_output(&self, mut v: [f32; O], y: &mut [f32; O]) {
        match self.output {
            Output::Sigmoid if SIMD => {
                sigmoid_in_place(&mut v);
                *y = v;
            }
            Output::Sigmoid => y.iter_mut().zip(&v).for_each(|(y, v)| *y = sigmoid(*v)),
            Output::Linear => *y = v,
            Output::Softmax => softmax(&v, y),
        }
    }

    /// One step of inference with the hidden state held by the caller: on entry `h` is
    /// `z_{t-1}` (all zeros before the first step), on return it is `z_t`, and `y` is `y_t`.
    ///
    /// For streams of unknown length: feed each input as it arrives; set `h` back to zeros to
    /// start a new sequence. To train on such a stream, window by window with the state carried
    /// on, see [`Trainer::step_from`](crate::Trainer::step_from).
    ///
    /// # Examples
    ///
    /// Step by step gives the bits of [`Rnn::forward_into`] over the whole sequence:
    ///
    /// ```
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::{Activation, Init, Rnn, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(7);
    /// let model = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?;
    /// let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    ///
    /// let mut whole = [[0.0]; 3];
    /// model.forward_into(&xs, &mut whole);
    ///
    /// let mut h = [0.0; 4]; // z_0 = 0
    /// for (x, expected) in xs.iter().zip(&whole) {
    ///     let mut y = [0.0];
    ///     model.step(x, &mut h, &mut y);
    ///     assert_eq!(y[0].to_bits(), expected[0].to_bits());
    /// }
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step(&self, x: &[f32; I], h: &mut [f32; H], y: &mut [f32; O]) {
        let h_prev = *h;
        self.hidden_into(x, &h_prev, h);
        self.output_into(h, y);
    }

    /// Runs the model over a whole sequence from a zero hidden state, writing every output.
    pub fn forward_into<const L: usize>(&self, xs: &[[f32; I]; L], ys: &mut [[f32; O]; L]) {
        let mut h = [0.0; H];
        for (x, y) in xs.iter().zip(ys.iter_mut()) {
            self.step(x, &mut h, y);
        }
    }

    /// A checksum of the model's bits: 32-bit FNV-1a over the little-endian bytes of
    /// `to_bits()` of every parameter, in [`Rnn::parameters`] order.
    ///
    /// Two models with the same checksum almost surely hold the same bits; the examples print
    /// it so that runs on different targets can be compared.
    #[must_use]
    pub fn checksum(&self) -> u32 {
        let mut hash: u32 = 0x811c_9dc5;
        for w in self.parameters() {
            for byte in w.to_bits().to_le_bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
        }
        hash
    }

    /// Every weight and bias that takes part in the model, in a fixed order (`w_in`, `w`, `w_out`,
    /// then `b_h`, `b_out` if biases are on): [`Rnn::trained`], flattened.
    pub fn parameters(&self) -> impl Iterator<Item = &f32> {
        self.trained().into_iter().flatten()
    }

    /// The five parameter arrays as stored, each flattened row by row, in the order of
    /// [`PARAM_ARRAYS`] (the records' order): `w_in`, `w`, `w_out`, `b_h`, `b_out`. The biases
    /// are there whether or not they take part. [`Gradients::arrays`](crate::Gradients::arrays)
    /// is the same view of the gradients, so that an update, a check or a record walks both
    /// side by side.
    ///
    /// ```
    /// use tinyrnn::{Activation, PARAM_ARRAYS, Rnn};
    ///
    /// let model = Rnn::<2, 3, 1>::zeros(Activation::Tanh, false);
    /// let lens = model.arrays().map(<[f32]>::len);
    /// assert_eq!(lens, [2 * 3, 3 * 3, 3 * 1, 3, 1]);
    /// assert_eq!(lens.iter().sum::<usize>(), Rnn::<2, 3, 1>::PARAMS);
    /// assert_eq!(PARAM_ARRAYS[2], "w_out");
    /// ```
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

    /// [`Rnn::arrays`], mutable.
    pub const fn arrays_mut(&mut self) -> [&mut [f32]; 5] {
        [
            self.w_in.as_flattened_mut(),
            self.w.as_flattened_mut(),
            self.w_out.as_flattened_mut(),
            &mut self.b_h,
            &mut self.b_out,
        ]
    }

    /// The arrays that take part in the model and in training: [`Rnn::arrays`] with the two
    /// bias arrays empty when [`Rnn::biases`] is off.
    #[must_use]
    pub fn trained(&self) -> [&[f32]; 5] {
        let (bh, bo) = if self.biases { (H, O) } else { (0, 0) };
        let [w_in, w, w_out, b_h, b_out] = self.arrays();
        [w_in, w, w_out, &b_h[..bh], &b_out[..bo]]
    }

    /// [`Rnn::trained`], mutable: what an optimiser updates.
    pub fn trained_mut(&mut self) -> [&mut [f32]; 5] {
        let (bh, bo) = if self.biases { (H, O) } else { (0, 0) };
        let [w_in, w, w_out, b_h, b_out] = self.arrays_mut();
        [w_in, w, w_out, &mut b_h[..bh], &mut b_out[..bo]]
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn step_by_step_equals_forward() {
        let mut rng = XorShiftRng::seed_from_u64(1);
        for act in [Activation::Sigmoid, Activation::Tanh] {
            let mut m = Rnn::<2, 5, 3>::from_rng(&mut rng, Init::Xavier, act).unwrap();
            m.biases = true;
            m.b_h = [0.1, -0.2, 0.3, 0.0, 0.5];
            let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
            let mut ys = [[0.0; 3]; 4];
            m.forward_into(&xs, &mut ys);
            let mut h = [0.0; 5];
            for (x, expected) in xs.iter().zip(ys.iter()) {
                let mut y = [0.0; 3];
                m.step(x, &mut h, &mut y);
                assert_eq!(&y, expected);
            }
        }
    }

    #[test]
    fn tanh_without_biases_is_half_on_zero_input() {
        // The reason biases exist: with tanh and no biases, zero input gives exactly 0.5.
        let mut rng = XorShiftRng::seed_from_u64(2);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::default(), Activation::Tanh).unwrap();
        let mut ys = [[0.0; 1]; 3];
        m.forward_into(&[[0.0, 0.0]; 3], &mut ys);
        assert_eq!(ys, [[0.5]; 3]);
        let mut with_bias = m.clone().with_biases(true);
        with_bias.b_out = [1.0];
        with_bias.forward_into(&[[0.0, 0.0]; 3], &mut ys);
        assert_ne!(ys, [[0.5]; 3]);
    }

    #[test]
    fn biases_off_ignores_their_values() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::He, Activation::Sigmoid).unwrap();
        let mut n = m.clone();
        n.b_h = [9.0; 4];
        n.b_out = [-9.0];
        let xs = [[1.0, 0.0], [1.0, 1.0]];
        let (mut a, mut b) = ([[0.0; 1]; 2], [[0.0; 1]; 2]);
        m.forward_into(&xs, &mut a);
        n.forward_into(&xs, &mut b);
        assert_eq!(a, b);
        assert_eq!(m.parameters().count(), 2 * 4 + 4 * 4 + 4);
        assert_eq!(m.clone().with_biases(true).parameters().count(), 28 + 5);
    }

    #[test]
    fn checksum_is_fnv1a_of_the_bits() {
        let mut m = Rnn::<1, 1, 1>::zeros(Activation::Sigmoid, false);
        // FNV-1a of 12 zero bytes, computed by hand from the definition.
        let mut h: u32 = 0x811c_9dc5;
        for _ in 0..12 {
            h = h.wrapping_mul(0x0100_0193);
        }
        assert_eq!(m.checksum(), h);
        m.w[0][0] = -0.0;
        assert_ne!(m.checksum(), h, "the sign bit of -0.0 must count");
    }

    #[test]
    fn size_formula() {
        use core::mem::size_of;
        fn expected(i: usize, h: usize, o: usize) -> usize {
            (4 * (i * h + h * h + h * o + h + o) + 2).next_multiple_of(4)
        }
        assert_eq!(size_of::<Rnn<2, 16, 1>>(), expected(2, 16, 1));
        assert_eq!(size_of::<Rnn<3, 7, 2>>(), expected(3, 7, 2));
        assert_eq!(size_of::<Rnn<1, 1, 1>>(), expected(1, 1, 1));
    }

    #[test]
    fn init_draws_in_seed_order_and_rejects_bad_std() {
        let mut rng = XorShiftRng::seed_from_u64(5);
        let m = Rnn::<2, 3, 1>::from_rng(&mut rng, Init::Normal { std: 2.0 }, Activation::Sigmoid)
            .unwrap();
        let mut rng = XorShiftRng::seed_from_u64(5);
        let mut n = StandardNormal::new();
        let mut flat = [0.0f32; 6 + 3 + 9];
        n.fill(&mut rng, 2.0, &mut flat);
        assert_eq!(m.w_in.as_flattened(), &flat[..6]);
        assert_eq!(m.w_out.as_flattened(), &flat[6..9]);
        assert_eq!(m.w.as_flattened(), &flat[9..]);
        let bad = Rnn::<2, 3, 1>::from_rng(&mut rng, Init::Normal { std: -1.0 }, Activation::Tanh);
        assert_eq!(bad, Err(crate::Error::InvalidInitStd));
    }
}
