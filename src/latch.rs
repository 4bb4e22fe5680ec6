//! A task for streams: a set/reset latch, which a network can only learn by carrying its
//! hidden state from one training window to the next.
//!
//! The stream has two inputs, "set" and "reset". At each step "set" fires with probability
//! 1/16, "reset" with probability 1/16, never both, and mostly neither; the target is 1 while
//! the last of them to fire was "set" (the latch is on), 0 otherwise, and 0 before either
//! fires. A window of a few steps usually holds neither, so its targets depend on what
//! happened before it: [`Trainer::step`](crate::Trainer::step), which starts every window from
//! a zero state, cannot learn them, and [`Trainer::step_from`](crate::Trainer::step_from),
//! which carries the state on (truncated BPTT), can. The example `latch` and
//! `tests/training.rs` compare the two.
//!
//! The stream does not depend on how it is cut into windows: each step takes four bits of a
//! `next_u32` draw (the lowest first), eight steps a draw.
//!
//! ```
//! use tinyrnn::latch::{self, Latch};
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};
//!
//! let mut rng = XorShiftRng::seed_from_u64(1);
//! let model = Rnn::<2, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?
//!     .with_biases(true);
//! let mut trainer = Trainer::<2, 8, 1, 4>::new(model, 0.5)?;
//! let (mut stream, mut h) = (Latch::new(), [0.0; 8]);
//! for _ in 0..5_000 {
//!     let (xs, ds) = stream.window::<4, _>(&mut rng); // the next 4 steps
//!     trainer.step_from(&mut h, &xs, &ds)?; // from the state the last window ended in
//! }
//! // Run one step at a time over 10,000 steps of a new stream: every step right.
//! let mut test_rng = XorShiftRng::seed_from_u64(2);
//! assert_eq!(latch::follow(&trainer.model, &mut test_rng, 10_000), 10_000);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

use rand_core::Rng;

use crate::model::Rnn;

/// The latch stream's state: whether the latch is on, and the bits of the last draw that
/// are left.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Latch {
    bits: u32,
    left: u8,
    on: bool,
}

impl Latch {
    /// A stream whose latch is off and that draws from the RNG at its first step.
    #[must_use]
    pub const fn new() -> Self {
        Latch {
            bits: 0,
            left: 0,
            on: false,
        }
    }

    /// Whether the latch is on after the steps so far (the last target).
    #[must_use]
    pub const fn is_on(&self) -> bool {
        self.on
    }

    /// The next step: the input `[set, reset]` and the target `[latch]`, each `0.0` or
    /// `1.0`. Draws one `next_u32` from `rng` every eight steps.
    pub fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> ([f32; 2], [f32; 1]) {
        if self.left == 0 {
            (self.bits, self.left) = (rng.next_u32(), 8);
        }
        let (set, reset) = (self.bits & 15 == 0, self.bits & 15 == 1);
        self.bits >>= 4;
        self.left = self.left.saturating_sub(1);
        self.on = set || (self.on && !reset);
        ([f32::from(set), f32::from(reset)], [f32::from(self.on)])
    }

    /// The next `L` steps, as a training window: inputs and targets, as [`Latch::step`].
    pub fn window<const L: usize, R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> ([[f32; 2]; L], [[f32; 1]; L]) {
        let (mut xs, mut ds) = ([[0.0; 2]; L], [[0.0; 1]; L]);
        for (x, d) in xs.iter_mut().zip(ds.iter_mut()) {
            (*x, *d) = self.step(rng);
        }
        (xs, ds)
    }
}

/// Runs `model` one step at a time ([`Rnn::step`]), from a zero hidden state, over the first
/// `steps` steps of a new latch stream drawn from `rng`, and counts the steps whose output is
/// right: above 0.5 exactly when the latch is on.
pub fn follow<const H: usize, R: Rng + ?Sized>(
    model: &Rnn<2, H, 1>,
    rng: &mut R,
    steps: u32,
) -> u32 {
    let (mut stream, mut h, mut y, mut right) = (Latch::new(), [0.0; H], [0.0], 0u32);
    for _ in 0..steps {
        let (x, _) = stream.step(rng);
        model.step(&x, &mut h, &mut y);
        // At most `steps` increments: no overflow.
        right = right.wrapping_add(u32::from((y[0] > 0.5) == stream.is_on()));
    }
    right
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn steps_take_four_bits_of_a_draw_lowest_first() {
        // Nibbles, lowest first: 0 (set), 2, 1 (reset), 3, 0 (set), 1 (reset), 15, 0 (set).
        struct Fixed(u32);
        impl rand_core::TryRng for Fixed {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(self.0)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(self.0.into())
            }
            fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
                Ok(())
            }
        }
        let mut rng = Fixed(0x0F10_3120);
        let mut stream = Latch::new();
        assert!(!stream.is_on());
        let (xs, ds) = stream.window::<8, _>(&mut rng);
        let set_reset: [[u8; 2]; 8] = [
            [1, 0],
            [0, 0],
            [0, 1],
            [0, 0],
            [1, 0],
            [0, 1],
            [0, 0],
            [1, 0],
        ];
        let latch: [u8; 8] = [1, 1, 0, 0, 1, 0, 0, 1];
        for t in 0..8 {
            assert_eq!(xs[t], set_reset[t].map(f32::from), "input at step {t}");
            assert_eq!(ds[t], [f32::from(latch[t])], "target at step {t}");
        }
        assert!(stream.is_on());
        // The ninth step draws a new word: every nibble of this one is a reset.
        rng.0 = 0x1111_1111;
        assert_eq!(stream.step(&mut rng), ([0.0, 1.0], [0.0]));
        assert!(!stream.is_on());
    }

    #[test]
    fn the_stream_does_not_depend_on_the_window_length() {
        let (mut a, mut b) = (XorShiftRng::seed_from_u64(7), XorShiftRng::seed_from_u64(7));
        let (mut sa, mut sb) = (Latch::new(), Latch::new());
        let (mut by_3, mut by_5) = ([[0.0; 2]; 15], [[0.0; 2]; 15]);
        let (mut on_3, mut on_5) = ([0.0; 15], [0.0; 15]);
        for w in 0..5 {
            let (xs, ds) = sa.window::<3, _>(&mut a);
            for t in 0..3 {
                (by_3[3 * w + t], on_3[3 * w + t]) = (xs[t], ds[t][0]);
            }
        }
        for w in 0..3 {
            let (xs, ds) = sb.window::<5, _>(&mut b);
            for t in 0..5 {
                (by_5[5 * w + t], on_5[5 * w + t]) = (xs[t], ds[t][0]);
            }
        }
        assert_eq!((by_3, on_3), (by_5, on_5));
        assert_eq!(sa, sb);
    }

    #[test]
    fn set_and_reset_fire_one_step_in_sixteen_each() {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let mut stream = Latch::new();
        let (mut set, mut reset, mut on) = (0, 0, 0);
        for _ in 0..160_000 {
            let ([s, r], [d]) = stream.step(&mut rng);
            assert!(s + r <= 1.0, "never both");
            set += s as u32;
            reset += r as u32;
            on += d as u32;
        }
        // 10,000 expected each; a binomial's standard deviation is about 97.
        assert!((9_600..10_400).contains(&set), "{set}");
        assert!((9_600..10_400).contains(&reset), "{reset}");
        // On about half the time: the last of the two to fire is either, with equal odds.
        assert!((72_000..88_000).contains(&on), "{on}");
    }

    #[test]
    fn follow_counts_the_steps_a_model_gets_right() {
        // An all-zero model outputs 0.5, read as "off": right exactly when the latch is off.
        let zero = Rnn::<2, 4, 1>::zeros(Activation::Tanh, true);
        let mut rng = XorShiftRng::seed_from_u64(5);
        let mut stream = Latch::new();
        let mut off = 0;
        for _ in 0..1_000 {
            off += u32::from(stream.step(&mut rng).1 == [0.0]);
        }
        let mut rng = XorShiftRng::seed_from_u64(5);
        assert_eq!(follow(&zero, &mut rng, 1_000), off);
        assert!(0 < off && off < 1_000);
        // A model whose output is always above 0.5 is right exactly when it is on.
        let high = Rnn::<2, 4, 1> {
            b_out: [10.0],
            ..zero
        };
        let mut rng = XorShiftRng::seed_from_u64(5);
        assert_eq!(follow(&high, &mut rng, 1_000), 1_000 - off);
        assert_eq!(follow(&high, &mut rng, 0), 0);
    }
}
