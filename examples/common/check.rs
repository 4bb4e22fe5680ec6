//! Whether a model adds every pair right, cheaply: the check the sweeps run every few hundred
//! iterations.

use tinyrnn::Rnn;
use tinyrnn::task::{self, Sample};

/// An odd step: `k · STRIDE mod 2^(2(N-1))` visits every pair once, scattered, so that the
/// pairs a network gets wrong (often those with long carries, which sit together in the plain
/// order) are met early.
const STRIDE: u64 = 5039;

/// Whether `model` adds every pair `a, b < 2^(N-1)` right: the answer of
/// `task::evaluate::<H, N>(model).is_perfect()`, but it walks the pairs in a scattered order and
/// stops at the first wrong one, so that a model far from right costs a few forward passes
/// instead of all of them. For `N` up to 16.
pub fn adds_every_pair<const H: usize, const N: usize>(model: &Rnn<2, H, 1>) -> bool {
    assert!((2..=16).contains(&N), "pairs of up to 15 bits");
    let half_bits = N as u32 - 1;
    let pairs = 1u64 << (2 * half_bits);
    let mut ys = [[0.0f32; 1]; N];
    (0..pairs).all(|k| {
        let p = k.wrapping_mul(STRIDE) % pairs;
        let (a, b) = ((p >> half_bits) as u32, (p % (1 << half_bits)) as u32);
        let s = Sample::<N>::new(a, b).expect("a, b < 2^(N-1)");
        model.forward_into(&s.xs, &mut ys);
        task::decode_outputs(&ys) == s.sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyrnn::rand_core::SeedableRng;
    use tinyrnn::{Activation, Init, Trainer, XorShiftRng};

    #[test]
    fn the_scattered_order_visits_every_pair_once() {
        for half_bits in [1u32, 3, 7] {
            let pairs = 1u64 << (2 * half_bits);
            let mut seen = vec![false; pairs as usize];
            for k in 0..pairs {
                let p = (k.wrapping_mul(STRIDE) % pairs) as usize;
                assert!(!seen[p], "{half_bits} bits: pair {p} twice");
                seen[p] = true;
            }
        }
    }

    #[test]
    fn agrees_with_evaluate() {
        // Models on their way to learning 4- and 8-bit addition, checked every `every`
        // iterations: both answers come up, and each is evaluate's.
        fn check<const N: usize>(seed: u64, iters: u32, every: u32) -> [bool; 2] {
            let mut seen = [false; 2];
            let mut rng = XorShiftRng::seed_from_u64(seed);
            let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
                .unwrap()
                .with_biases(true);
            let mut trainer = Trainer::<2, 16, 1, N>::new(model, 0.5)
                .unwrap()
                .with_clip(Some(1.0))
                .unwrap();
            for i in 0..=iters {
                if i % every == 0 {
                    let full = task::evaluate::<16, N>(&trainer.model).is_perfect();
                    let fast = adds_every_pair::<16, N>(&trainer.model);
                    assert_eq!(fast, full, "{N} bits, seed {seed}, iteration {i}");
                    seen[usize::from(full)] = true;
                }
                let s = Sample::<N>::random(&mut rng);
                trainer.step(&s.xs, &s.ds).unwrap();
            }
            seen
        }
        assert_eq!(
            check::<8>(0, 1200, 300),
            [true, true],
            "8 bits: both answers"
        );
        let mut seen = [false; 2];
        for seed in 0..4 {
            for (k, s) in check::<4>(seed, 400, 25).into_iter().enumerate() {
                seen[k] |= s;
            }
        }
        assert_eq!(seen, [true, true], "both answers were checked");
    }
}
