//! The seed's task: `N`-bit binary addition, one bit per step, least significant bit first.
//!
//! At step `t` the input is `[a_t, b_t]` (bit `t` of `a` and of `b`) and the target is bit `t`
//! of `a + b`. Numbers are `u32`, so `1 <= N <= 32`; pairs are drawn with `a, b < 2^(N-1)` so the
//! sum always fits `N` bits (for `N = 8`: `a, b` in `[0, 128)`, as in the seed).

use rand_core::Rng;

use crate::error::{Error, Result};
use crate::fixed::{self, FixedRnn};
use crate::gru::Gru;
use crate::lstm::{Lstm, LstmState};
use crate::model::Rnn;
use crate::train::Trainer;

const fn check_bits<const N: usize>() {
    const {
        assert!(
            N >= 1 && N <= 32,
            "the addition task needs 1 <= N <= 32 bits"
        )
    };
}

/// `n` as `N` bits, least significant first, each `0.0` or `1.0`.
///
/// `N` is checked at compile time: outside `1..=32` the build fails.
///
/// ```compile_fail
/// let _ = tinyrnn::task::encode::<33>(1); // more bits than a u32 holds
/// ```
///
/// # Errors
/// [`Error::NumberTooLarge`] if `n >= 2^N`.
///
/// # Examples
///
/// ```
/// use tinyrnn::task::{decode, encode};
///
/// assert_eq!(encode::<4>(6)?, [0.0, 1.0, 1.0, 0.0]); // 6 = 0b0110, least significant first
/// assert_eq!(decode(&[0.2, 0.9, 0.7, 0.5]), 6); // above 0.5 is a 1; 0.5 is a 0
/// assert!(encode::<4>(16).is_err());
/// # Ok::<(), tinyrnn::Error>(())
/// ```
pub fn encode<const N: usize>(n: u32) -> Result<[f32; N]> {
    check_bits::<N>();
    if u64::from(n) >> N != 0 {
        return Err(Error::NumberTooLarge {
            value: n.into(),
            bits: N as u32,
        });
    }
    let mut bits = [0.0; N];
    for (i, b) in (0..N).zip(bits.iter_mut()) {
        *b = ((n >> i) & 1) as f32;
    }
    Ok(bits)
}

/// Reads `N` values, least significant first, as a number: a value above `0.5` is a 1 (the
/// seed's `np.round`, which rounds 0.5 down to 0).
#[must_use]
pub fn decode<const N: usize>(bits: &[f32; N]) -> u32 {
    check_bits::<N>();
    (0..N)
        .zip(bits)
        .fold(0, |n, (i, &b)| n | (u32::from(b > 0.5) << i))
}

/// Reads a model's outputs (one per step) as a number, as [`decode`].
#[must_use]
pub fn decode_outputs<const N: usize>(ys: &[[f32; 1]; N]) -> u32 {
    decode(&ys.map(|[y]| y))
}

/// One example of the task: the numbers, and the model's input and target sequences.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<const N: usize> {
    /// First addend.
    pub a: u32,
    /// Second addend.
    pub b: u32,
    /// Inputs, `xs[t] = [bit t of a, bit t of b]`.
    pub xs: [[f32; 2]; N],
    /// Targets, `ds[t] = [bit t of a + b]`.
    pub ds: [[f32; 1]; N],
}

impl<const N: usize> Sample<N> {
    /// The example for `a + b`.
    ///
    /// # Errors
    /// [`Error::NumberTooLarge`] if `a + b` does not fit `N` bits (its `value` is the sum).
    pub fn new(a: u32, b: u32) -> Result<Self> {
        check_bits::<N>();
        let sum = u64::from(a) + u64::from(b);
        let d = u32::try_from(sum)
            .ok()
            .filter(|d| u64::from(*d) >> N == 0)
            .ok_or(Error::NumberTooLarge {
                value: sum,
                bits: N as u32,
            })?;
        Ok(Self::build(a, b, d))
    }

    /// The example for `a + b = d`, bits taken as they are (the caller checked the sizes).
    fn build(a: u32, b: u32, d: u32) -> Self {
        let bit = |n: u32, t: usize| ((n >> t) & 1) as f32;
        let mut xs = [[0.0; 2]; N];
        let mut ds = [[0.0; 1]; N];
        for (t, (x, dt)) in (0..N).zip(xs.iter_mut().zip(ds.iter_mut())) {
            *x = [bit(a, t), bit(b, t)];
            *dt = [bit(d, t)];
        }
        Sample { a, b, xs, ds }
    }

    /// The inputs in fixed point, `[bit t of a, bit t of b]` in Q4.11 (a bit 1 is
    /// [`fixed::ONE`]), for [`FixedTrainer::step`](crate::fixed::FixedTrainer::step): made
    /// from `a` and `b` in integers (no float operation), as `xs` is.
    #[must_use]
    pub fn xs_fixed(&self) -> [[i16; 2]; N] {
        core::array::from_fn(|t| [fixed_bit(self.a, t), fixed_bit(self.b, t)])
    }

    /// The targets in fixed point, `[bit t of a + b]` in Q4.11, made from `a + b` as `ds` is.
    #[must_use]
    pub fn ds_fixed(&self) -> [[i16; 1]; N] {
        core::array::from_fn(|t| [fixed_bit(self.sum(), t)])
    }

    /// The sum `a + b`; it fits `N` bits for a sample made by [`Sample::new`] or
    /// [`Sample::random`] (should the public fields be set to more, it wraps around).
    #[must_use]
    pub const fn sum(&self) -> u32 {
        self.a.wrapping_add(self.b)
    }

    /// A random example with `a, b` uniform in `[0, 2^(N-1))`, two `next_u32` draws
    /// (as the seed's two `np.random.randint(largest_number / 2)`).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let a = uniform_below_pow2(rng.next_u32(), N as u32 - 1);
        let b = uniform_below_pow2(rng.next_u32(), N as u32 - 1);
        // a, b < 2^(N-1), so a + b < 2^N fits (wrapping_add: no overflow check the compiler
        // cannot see through).
        Self::build(a, b, a.wrapping_add(b))
    }
}

/// Bit `t` of `n` in Q4.11 (0 or 1 << 11); 0 past bit 31.
fn fixed_bit(n: u32, t: usize) -> i16 {
    if n.checked_shr(t as u32).is_some_and(|v| v & 1 == 1) {
        fixed::ONE
    } else {
        0
    }
}

/// The top `k` bits of `r`: uniform in `[0, 2^k)` when `r` is uniform (`k <= 31`).
fn uniform_below_pow2(r: u32, k: u32) -> u32 {
    ((u64::from(r) << k) >> 32) as u32
}

/// One training iteration of the seed's loop: draws a random pair from `rng` and trains
/// `trainer` on it. Returns the pair and the loss before the update; the trainer's
/// `trace.ys` hold the model's outputs for that pair (the seed's `Pred`).
///
/// # Errors
/// As [`Trainer::step`]: the model is unchanged when the step diverges.
pub fn train_step<const H: usize, const N: usize, R: Rng + ?Sized>(
    trainer: &mut Trainer<2, H, 1, N>,
    rng: &mut R,
) -> Result<(Sample<N>, f32)> {
    let sample = Sample::<N>::random(rng);
    let loss = trainer.step(&sample.xs, &sample.ds)?;
    Ok((sample, loss))
}

/// How well a model adds: the result of [`evaluate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accuracy {
    /// Pairs whose every output bit is right.
    pub exact: u64,
    /// Output bits that are right.
    pub bits: u64,
    /// Pairs evaluated.
    pub pairs: u64,
    /// Bits evaluated (`pairs × N`).
    pub total_bits: u64,
}

impl Accuracy {
    /// The fraction of pairs added exactly, in `[0, 1]`.
    #[must_use]
    pub fn exact_rate(&self) -> f64 {
        self.exact as f64 / self.pairs.max(1) as f64
    }

    /// The fraction of output bits that are right, in `[0, 1]`.
    #[must_use]
    pub fn bit_rate(&self) -> f64 {
        self.bits as f64 / self.total_bits.max(1) as f64
    }

    /// Whether every pair was added exactly.
    #[must_use]
    pub const fn is_perfect(&self) -> bool {
        self.exact == self.pairs
    }
}

/// Runs `model` on every pair `a, b < 2^(N-1)` (all 16,384 for `N = 8`) and counts the exact
/// sums and right bits.
///
/// Pairs that share their `t` low bits share their first `t` hidden states, so the pairs are
/// walked as a tree of prefixes, depth first, and each distinct state is computed once: for
/// `N = 8`, 38,228 steps instead of the 131,072 of one forward pass per pair
/// ([`evaluate_plain`], the reference, which gives the same counts). The outputs are those of
/// [`Rnn::forward_into`] to the bit: each step is the same computation on the same state. The
/// walk holds `N` hidden states on the stack (`4·N·H` bytes) and allocates nothing.
///
/// # Examples
///
/// An untrained all-zero model outputs 0.5, read as 0, at every step: it gets only `0 + 0`
/// right, and the bits that are 0.
///
/// ```
/// use tinyrnn::task::{evaluate, evaluate_plain};
/// use tinyrnn::{Activation, Rnn};
///
/// let model = Rnn::<2, 4, 1>::zeros(Activation::Sigmoid, false);
/// let acc = evaluate::<4, 8>(&model);
/// assert_eq!((acc.exact, acc.pairs, acc.total_bits), (1, 16_384, 131_072));
/// assert!(acc.bit_rate() > 0.5 && !acc.is_perfect());
/// assert_eq!(acc, evaluate_plain::<4, 8>(&model));
/// ```
#[must_use]
pub fn evaluate<const H: usize, const N: usize>(model: &Rnn<2, H, 1>) -> Accuracy {
    count::<N, _>(model)
}

/// The same counts as [`evaluate`], by one forward pass ([`Rnn::forward_into`]) per pair: the
/// plain way, kept as the reference that the prefix walk is tested against (and to measure what
/// the walk saves).
#[must_use]
pub fn evaluate_plain<const H: usize, const N: usize>(model: &Rnn<2, H, 1>) -> Accuracy {
    check_bits::<N>();
    let half = 1u64 << (N - 1);
    let mut ys = [[0.0; 1]; N];
    let (mut exact, mut bits) = (0u64, 0u64);
    for a in 0..half {
        for b in 0..half {
            // a, b < 2^(N-1) <= 2^31: they fit u32 and their sum fits N bits.
            let (a, b) = (a as u32, b as u32);
            let s = Sample::<N>::build(a, b, a.wrapping_add(b));
            model.forward_into(&s.xs, &mut ys);
            let wrong = (decode_outputs(&ys) ^ s.sum()).count_ones();
            exact = exact.wrapping_add(u64::from(wrong == 0));
            bits = bits.saturating_add(u64::from(N as u32 - wrong.min(N as u32)));
        }
    }
    accuracy::<N>(exact, bits)
}

/// Whether `model` adds every pair `a, b < 2^(N-1)` right: `evaluate(model).is_perfect()`, but
/// the prefix walk stops at the first wrong output bit, so that a model far from right costs a
/// few steps. The check to run while training, every few hundred iterations, to stop at the
/// first perfect model.
///
/// ```
/// use tinyrnn::task::adds_every_pair;
/// use tinyrnn::{Activation, Rnn};
///
/// assert!(!adds_every_pair::<4, 8>(&Rnn::<2, 4, 1>::zeros(Activation::Sigmoid, false)));
/// ```
#[must_use]
pub fn adds_every_pair<const H: usize, const N: usize>(model: &Rnn<2, H, 1>) -> bool {
    check_bits::<N>();
    walk_prefixes::<N, _>(model, true, |_, _, _, _| {})
}

/// [`evaluate`] for a fixed-point model (an output above one half, 16,384 in Q0.15, reads as
/// 1): the same prefix walk, in integer arithmetic only.
#[must_use]
pub fn evaluate_fixed<const H: usize, const N: usize>(model: &FixedRnn<2, H, 1>) -> Accuracy {
    count::<N, _>(model)
}

/// [`adds_every_pair`] for a fixed-point model.
#[must_use]
pub fn adds_every_pair_fixed<const H: usize, const N: usize>(model: &FixedRnn<2, H, 1>) -> bool {
    check_bits::<N>();
    walk_prefixes::<N, _>(model, true, |_, _, _, _| {})
}

/// [`evaluate`] for a [GRU](crate::gru): the same prefix walk, each step
/// [`Gru::step`](crate::gru::Gru::step) (the outputs of its `forward_into` to the bit).
#[must_use]
pub fn evaluate_gru<const H: usize, const N: usize>(model: &Gru<2, H, 1>) -> Accuracy {
    count::<N, _>(model)
}

/// [`evaluate`] for an [LSTM](crate::lstm), whose walk keeps both the hidden and the cell state
/// of each step.
#[must_use]
pub fn evaluate_lstm<const H: usize, const N: usize>(model: &Lstm<2, H, 1>) -> Accuracy {
    count::<N, _>(model)
}

/// The counts of the prefix walk over every pair, for any model it can run.
fn count<const N: usize, M: Adder>(model: &M) -> Accuracy {
    check_bits::<N>();
    let (mut exact, mut bits) = (0u64, 0u64);
    walk_prefixes::<N, _>(model, false, |_, _, right, _| {
        // At most 2^62 pairs: `exact` cannot wrap. `bits` could pass u64::MAX for N >= 31
        // (after some 2^60 pairs), so it saturates.
        exact = exact.wrapping_add(u64::from(right == N as u32));
        bits = bits.saturating_add(u64::from(right));
    });
    accuracy::<N>(exact, bits)
}

/// The counts of [`evaluate`] as an [`Accuracy`].
fn accuracy<const N: usize>(exact: u64, bits: u64) -> Accuracy {
    // half² <= 2^62: no wrapping; the bit total passes u64::MAX for N = 32, so it saturates.
    let half = 1u64 << (N - 1);
    let pairs = half.wrapping_mul(half);
    Accuracy {
        pairs,
        exact,
        total_bits: pairs.saturating_mul(N as u64),
        bits,
    }
}

/// A model the prefix walk can run: its state, one step on the bits `a_t, b_t`, and the
/// reading of an output as a bit (the Elman network in `f32` and in fixed point, the GRU, the
/// LSTM).
trait Adder {
    /// The type of outputs.
    type T: Copy + Default;
    /// What a step carries to the next.
    type State: Copy;
    /// The state before the first step.
    fn start() -> Self::State;
    /// One step from `state` on the input `[a, b]`.
    fn step_bits(&self, a: u8, b: u8, state: &mut Self::State, y: &mut [Self::T; 1]);
    /// Whether the output reads as 1 (above one half).
    fn is_one(y: Self::T) -> bool;
}

impl<const H: usize> Adder for Rnn<2, H, 1> {
    type T = f32;
    type State = [f32; H];
    #[inline(always)]
    fn start() -> [f32; H] {
        [0.0; H]
    }
    #[inline(always)]
    fn step_bits(&self, a: u8, b: u8, h: &mut [f32; H], y: &mut [f32; 1]) {
        self.step(&[f32::from(a), f32::from(b)], h, y);
    }
    #[inline(always)]
    fn is_one(y: f32) -> bool {
        y > 0.5
    }
}

impl<const H: usize> Adder for Gru<2, H, 1> {
    type T = f32;
    type State = [f32; H];
    #[inline(always)]
    fn start() -> [f32; H] {
        [0.0; H]
    }
    #[inline(always)]
    fn step_bits(&self, a: u8, b: u8, h: &mut [f32; H], y: &mut [f32; 1]) {
        self.step(&[f32::from(a), f32::from(b)], h, y);
    }
    #[inline(always)]
    fn is_one(y: f32) -> bool {
        y > 0.5
    }
}

impl<const H: usize> Adder for Lstm<2, H, 1> {
    type T = f32;
    type State = LstmState<H>;
    #[inline(always)]
    fn start() -> LstmState<H> {
        LstmState::zeros()
    }
    #[inline(always)]
    fn step_bits(&self, a: u8, b: u8, state: &mut LstmState<H>, y: &mut [f32; 1]) {
        self.step(&[f32::from(a), f32::from(b)], state, y);
    }
    #[inline(always)]
    fn is_one(y: f32) -> bool {
        y > 0.5
    }
}

impl<const H: usize> Adder for FixedRnn<2, H, 1> {
    type T = i16;
    type State = [i16; H];
    #[inline(always)]
    fn start() -> [i16; H] {
        [0; H]
    }
    #[inline(always)]
    fn step_bits(&self, a: u8, b: u8, h: &mut [i16; H], y: &mut [i16; 1]) {
        let bit = |v: u8| i16::from(v) << fixed::W_FRAC;
        self.step(&[bit(a), bit(b)], h, y);
    }
    #[inline(always)]
    fn is_one(y: i16) -> bool {
        y > 1 << (fixed::A_FRAC - 1)
    }
}

/// The prefix walk of [`evaluate`], depth first: step `t`'s input is `[a_t, b_t]`, so the
/// pairs `a, b < 2^(N-1)` are the leaves of a tree whose nodes at depth `t` are the distinct
/// `t + 1` low bits of both numbers (4 children a node; 1 at the last step, whose inputs are
/// always `[0, 0]`). Each node's step runs once, from its parent's hidden state, kept on a
/// stack of `N`. The leaves come in the order of `k = Σ_t (2·a_t + b_t)·4^(N-2-t)`, bit 0 of the
/// numbers the slowest digit.
///
/// For each pair, `leaf(k, first, right, ys)` gets the first step run for it (the steps before
/// are its previous sibling's), the number of right output bits, and the outputs, those of
/// `forward_into` to the bit. With `stop_at_wrong`, the walk stops at the first wrong output
/// bit and returns `false`; otherwise (and when every bit is right) it returns `true`.
fn walk_prefixes<const N: usize, M: Adder>(
    model: &M,
    stop_at_wrong: bool,
    mut leaf: impl FnMut(u64, usize, u32, &[[M::T; 1]; N]),
) -> bool {
    // At each depth t: the hidden state and output after step t, its input digit
    // (2·a_t + b_t), the carry out of it and the number of right output bits up to it.
    let mut hs = [M::start(); N];
    let mut ys = [[M::T::default(); 1]; N];
    let mut digit = [0u8; N];
    let mut carry = [0u8; N];
    let mut right = [0u8; N];
    let (mut k, mut first, mut t) = (0u64, 0usize, 0usize);
    loop {
        let d = digit[t];
        let (a_t, b_t) = (d >> 1, d & 1);
        let (mut h, carry_in, right_before) = match t.checked_sub(1) {
            Some(p) => (hs[p], carry[p], right[p]),
            None => (M::start(), 0, 0),
        };
        model.step_bits(a_t, b_t, &mut h, &mut ys[t]);
        hs[t] = h;
        carry[t] = (a_t & b_t) | (carry_in & (a_t ^ b_t));
        let ok = M::is_one(ys[t][0]) == (a_t ^ b_t ^ carry_in == 1);
        if stop_at_wrong && !ok {
            return false;
        }
        right[t] = right_before.wrapping_add(u8::from(ok));
        if t + 1 < N {
            // Down to the first child (the last step's only child has inputs 0).
            t += 1;
            digit[t] = 0;
            continue;
        }
        leaf(k, first, u32::from(right[t]), &ys);
        k = k.wrapping_add(1);
        // Up to the deepest step above the last with a next sibling, and on to it.
        loop {
            let Some(up) = t.checked_sub(1) else {
                return true;
            };
            t = up;
            if digit[t] < 3 {
                digit[t] += 1;
                break;
            }
        }
        first = t;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::{Activation, Init, Output};
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn sum_of_hand_set_fields_wraps_instead_of_panicking() {
        // The fields are public: a sample can hold numbers `Sample::new` would refuse. In a
        // debug build (overflow checks on), `a + b` used to panic here.
        let mut s = Sample::<8>::new(1, 2).unwrap();
        assert_eq!(s.sum(), 3);
        (s.a, s.b) = (u32::MAX, 2);
        assert_eq!(s.sum(), 1);
    }

    #[test]
    fn encode_decode_round_trip() {
        for n in 0..256 {
            let bits = encode::<8>(n).unwrap();
            assert_eq!(decode(&bits), n);
        }
        assert_eq!(encode::<4>(0b1101).unwrap(), [1.0, 0.0, 1.0, 1.0]);
        assert_eq!(decode(&encode::<32>(u32::MAX).unwrap()), u32::MAX);
        assert_eq!(decode(&[0.5, 0.51, 0.0]), 0b010);
    }

    #[test]
    fn too_large_is_an_error() {
        assert_eq!(
            encode::<8>(256),
            Err(Error::NumberTooLarge {
                value: 256,
                bits: 8
            })
        );
        assert_eq!(
            Sample::<8>::new(200, 56).unwrap_err(),
            Error::NumberTooLarge {
                value: 256,
                bits: 8
            }
        );
        assert_eq!(
            Sample::<32>::new(u32::MAX, 1).unwrap_err(),
            Error::NumberTooLarge {
                value: 1 << 32,
                bits: 32
            }
        );
        assert!(Sample::<8>::new(200, 55).is_ok());
    }

    #[test]
    fn sample_layout_is_lsb_first() {
        let s = Sample::<8>::new(3, 5).unwrap();
        assert_eq!(s.xs[0], [1.0, 1.0]);
        assert_eq!(s.xs[1], [1.0, 0.0]);
        assert_eq!(s.xs[2], [0.0, 1.0]);
        assert_eq!(s.ds.map(|[d]| d), encode::<8>(8).unwrap());
    }

    #[test]
    fn random_pairs_cover_range() {
        let mut rng = XorShiftRng::seed_from_u64(0);
        let (mut max_a, mut max_b) = (0, 0);
        for _ in 0..10_000 {
            let s = Sample::<8>::random(&mut rng);
            assert!(s.a < 128 && s.b < 128);
            max_a = max_a.max(s.a);
            max_b = max_b.max(s.b);
        }
        assert_eq!((max_a, max_b), (127, 127));
        let s = Sample::<1>::random(&mut rng);
        assert_eq!((s.a, s.b), (0, 0));
    }

    #[test]
    fn evaluate_counts_every_pair() {
        let mut rng = XorShiftRng::seed_from_u64(0);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid).unwrap();
        let acc = evaluate::<4, 8>(&m);
        assert_eq!(acc.pairs, 16384);
        assert_eq!(acc.total_bits, 8 * 16384);
        assert!(acc.exact <= acc.pairs && acc.bits <= acc.total_bits);
        // An untrained model is not perfect.
        assert!(!acc.is_perfect());
        // A model whose every output is below 0.5 predicts 0: right only for 0 + 0.
        let zero = Rnn::<2, 4, 1> {
            b_out: [-10.0],
            ..Rnn::zeros(Activation::Sigmoid, true)
        };
        let acc = evaluate::<4, 3>(&zero);
        assert_eq!((acc.exact, acc.pairs), (1, 16));
        // Of the 16 sums of a, b < 4 (3 bits each), 1 has no ones (0 + 0), 8 have one (the
        // sums 1, 2 and 4, which 2, 3 and 3 pairs make) and 7 have two (3, 5 and 6: 4, 2 and 1
        // pairs), so the bits that are 0, and right, number 3·1 + 2·8 + 1·7 = 26 of 48.
        assert_eq!((acc.bits, acc.total_bits), (26, 48));
        assert_eq!(acc.exact_rate(), 1.0 / 16.0);
        assert_eq!(acc.bit_rate(), 26.0 / 48.0);
    }

    /// The prefix walk against one forward pass per pair, on a model: the same outputs to the
    /// bit at every pair, the same counts, the same perfect check.
    fn walk_matches_plain<const H: usize, const N: usize>(model: &Rnn<2, H, 1>) -> Accuracy {
        let digits = N - 1;
        let mut ys = [[0.0f32; 1]; N];
        let (mut visited, mut steps) = (0u64, 0u64);
        walk_prefixes::<N, _>(model, false, |k, first, right, walked| {
            steps += (N - first) as u64;
            // Pair k's numbers: digit t (from the top) is 2·a_t + b_t.
            let (mut a, mut b) = (0u32, 0u32);
            for t in 0..digits {
                let d = (k >> (2 * (digits - 1 - t))) & 3;
                a |= ((d >> 1) as u32) << t;
                b |= ((d & 1) as u32) << t;
            }
            let s = Sample::<N>::new(a, b).unwrap();
            model.forward_into(&s.xs, &mut ys);
            let bits = |ys: &[[f32; 1]; N]| ys.map(|[y]| y.to_bits());
            assert_eq!(bits(walked), bits(&ys), "{a} + {b}: the walk's outputs");
            let wrong = (decode_outputs(&ys) ^ s.sum()).count_ones();
            assert_eq!(right, N as u32 - wrong, "{a} + {b}: right bits");
            assert_eq!(k, visited, "pairs in order, each once");
            visited += 1;
        });
        let acc = evaluate::<H, N>(model);
        assert_eq!(acc, evaluate_plain::<H, N>(model));
        assert_eq!((visited, acc.pairs), (1 << (2 * digits), 1 << (2 * digits)));
        // One step a node of the tree: 4 + 4² + … + 4^(N-1) nodes above the last step, and
        // 4^(N-1) at it (the same count as the leaves).
        let nodes = (1..N as u32).map(|t| 4u64.pow(t)).sum::<u64>() + visited;
        assert_eq!(steps, nodes, "each distinct state computed once");
        assert_eq!(adds_every_pair::<H, N>(model), acc.is_perfect());
        acc
    }

    #[test]
    fn prefix_walk_equals_plain_evaluation_on_random_models() {
        let mut rng = XorShiftRng::seed_from_u64(38);
        for (i, act) in [Activation::Sigmoid, Activation::Tanh]
            .into_iter()
            .enumerate()
        {
            for output in [Output::Sigmoid, Output::Linear] {
                for biases in [false, true] {
                    let init = [Init::Xavier, Init::default()][i];
                    let m = |rng: &mut XorShiftRng| {
                        let mut m = Rnn::<2, 3, 1>::from_rng(rng, init, act).unwrap();
                        m.b_h = [0.3, -0.2, 0.1];
                        m.b_out = [-0.1];
                        m.with_biases(biases).with_output(output)
                    };
                    walk_matches_plain::<3, 1>(&m(&mut rng));
                    walk_matches_plain::<3, 2>(&m(&mut rng));
                    walk_matches_plain::<3, 5>(&m(&mut rng));
                    if output == Output::Sigmoid {
                        // The course's shape (a debug build's tests pay for its 16,384 pairs).
                        let big = Rnn::<2, 16, 1>::from_rng(&mut rng, init, act)
                            .unwrap()
                            .with_biases(biases);
                        walk_matches_plain::<16, 8>(&big);
                    }
                }
            }
        }
        // A model that gets some pairs right and some wrong, at every depth.
        let zero = Rnn::<2, 4, 1> {
            b_out: [-10.0],
            ..Rnn::zeros(Activation::Sigmoid, true)
        };
        assert_eq!(
            (1..8).map(|t| 4u64.pow(t)).sum::<u64>() + 4u64.pow(7),
            38_228,
            "the steps of the walk for 8 bits"
        );
        let acc = walk_matches_plain::<4, 3>(&zero);
        assert_eq!((acc.exact, acc.bits), (1, 26));
    }

    /// The counts of one forward pass per pair, for any model's `forward_into`.
    fn plain_counts<const N: usize>(
        forward: impl Fn(&[[f32; 2]; N], &mut [[f32; 1]; N]),
    ) -> Accuracy {
        let half = 1u32 << (N - 1);
        let (mut exact, mut bits) = (0u64, 0u64);
        for a in 0..half {
            for b in 0..half {
                let s = Sample::<N>::new(a, b).unwrap();
                let mut ys = [[0.0f32; 1]; N];
                forward(&s.xs, &mut ys);
                let wrong = (decode_outputs(&ys) ^ s.sum()).count_ones();
                exact += u64::from(wrong == 0);
                bits += u64::from(N as u32 - wrong);
            }
        }
        accuracy::<N>(exact, bits)
    }

    #[test]
    fn gated_cells_prefix_walk_equals_plain_evaluation() {
        let mut rng = XorShiftRng::seed_from_u64(40);
        let mut parts = [0u32; 2];
        for biases in [false, true] {
            for _ in 0..8 {
                let gru = Gru::<2, 3, 1>::from_rng(&mut rng, Init::Normal { std: 2.0 })
                    .unwrap()
                    .with_biases(biases);
                let acc = evaluate_gru::<3, 5>(&gru);
                assert_eq!(acc, plain_counts::<5>(|xs, ys| gru.forward_into(xs, ys)));
                let lstm = Lstm::<2, 3, 1>::from_rng(&mut rng, Init::Normal { std: 2.0 })
                    .unwrap()
                    .with_biases(biases);
                let acc_lstm = evaluate_lstm::<3, 5>(&lstm);
                assert_eq!(
                    acc_lstm,
                    plain_counts::<5>(|xs, ys| lstm.forward_into(xs, ys))
                );
                for (n, acc) in parts.iter_mut().zip([acc, acc_lstm]) {
                    *n += u32::from(acc.bits > 0 && acc.bits < acc.total_bits);
                }
            }
        }
        // Not a vacuous agreement: models that get some bits right and some wrong.
        assert!(parts.iter().all(|&n| n > 8), "{parts:?}");
    }

    #[test]
    fn prefix_walk_equals_plain_evaluation_while_learning() {
        // 4-bit addition learnt from scratch: the counts agree at every check, the imperfect
        // models' and the perfect ones'.
        let mut seen = [false; 2];
        for seed in 0..3 {
            let mut rng = XorShiftRng::seed_from_u64(seed);
            let model = Rnn::<2, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
                .unwrap()
                .with_biases(true);
            let mut trainer = Trainer::<2, 8, 1, 5>::new(model, 0.5)
                .unwrap()
                .with_clip(Some(1.0))
                .unwrap();
            for i in 0..=600 {
                if i % 50 == 0 {
                    let acc = walk_matches_plain::<8, 5>(&trainer.model);
                    seen[usize::from(acc.is_perfect())] = true;
                }
                train_step(&mut trainer, &mut rng).unwrap();
            }
        }
        assert_eq!(
            seen,
            [true, true],
            "imperfect and perfect models were both checked"
        );
    }

    #[test]
    fn accuracy_rates() {
        let acc = Accuracy {
            exact: 3,
            bits: 30,
            pairs: 4,
            total_bits: 32,
        };
        assert_eq!((acc.exact_rate(), acc.bit_rate()), (0.75, 0.9375));
        assert!(!acc.is_perfect());
        assert!(Accuracy { exact: 4, ..acc }.is_perfect());
        // Nothing evaluated: rates of 0, not NaN.
        let none = Accuracy::default();
        assert_eq!((none.exact_rate(), none.bit_rate()), (0.0, 0.0));
        assert!(none.is_perfect());
    }
}
