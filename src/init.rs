//! Seeded weight initialisation from any [`rand_core::Rng`].
//!
//! Standard normal numbers come from Marsaglia's polar form of the Box–Muller transform,
//! computed with `libm` only (`logf`, `sqrtf`: no trigonometry, which keeps firmware small), so
//! the same RNG state gives the same weights, bit for bit, on every target:
//!
//! ```text
//! repeat: u = k1 / 2^23 - 1,  v = k2 / 2^23 - 1     (k1, k2: the top 24 bits of two next_u32())
//!         s = u² + v²
//! until 0 < s < 1
//! f = sqrt(-2 ln s / s);   n1 = u f,  n2 = v f      (both are used, in that order)
//! ```

use rand_core::Rng;

use crate::error::{Error, Result};

/// How to draw the initial weights. Biases always start at zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// `std * randn()`: the seed's `weight_init_std * np.random.randn(...)` (the seed uses 1).
    Normal {
        /// The standard deviation (`weight_init_std`).
        std: f32,
    },
    /// Xavier: `randn() / sqrt(fan_in)`, where `fan_in` is the number of rows of the matrix
    /// (`I` for `w_in`, `H` for `w` and `w_out`).
    Xavier,
    /// He: `randn() * sqrt(2 / fan_in)`, with `fan_in` as for [`Init::Xavier`].
    He,
}

impl Default for Init {
    /// The seed's setting: `Normal { std: 1.0 }`.
    fn default() -> Self {
        Init::Normal { std: 1.0 }
    }
}

impl Init {
    /// The scale that multiplies a standard normal draw for a matrix with `fan_in` rows.
    ///
    /// # Errors
    /// [`Error::InvalidInitStd`] if a normal std is negative, NaN or infinite.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::{Error, Init};
    ///
    /// // For the 16 rows of a 2-16-1 model's `w` and `w_out`:
    /// assert_eq!(Init::Normal { std: 1.0 }.scale(16), Ok(1.0));
    /// assert_eq!(Init::Xavier.scale(16), Ok(0.25)); // 1 / sqrt(16)
    /// assert_eq!(Init::He.scale(16), Ok(0.353_553_38)); // sqrt(2 / 16), to f32
    /// assert_eq!(Init::Normal { std: -1.0 }.scale(16), Err(Error::InvalidInitStd));
    /// ```
    pub fn scale(self, fan_in: usize) -> Result<f32> {
        let fan_in = fan_in as f32;
        match self {
            Init::Normal { std } if std.is_finite() && std >= 0.0 => Ok(std),
            Init::Normal { .. } => Err(Error::InvalidInitStd),
            Init::Xavier => Ok(1.0 / libm::sqrtf(fan_in)),
            Init::He => Ok(libm::sqrtf(2.0 / fan_in)),
        }
    }
}

/// How many rejected pairs [`StandardNormal::sample`] tries before it gives up and returns 0.
pub const MAX_ATTEMPTS: u32 = 64;

/// A standard normal sampler (the polar Box–Muller method over `libm`), keeping the second value
/// of each pair.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StandardNormal {
    spare: Option<f32>,
}

impl StandardNormal {
    /// A sampler with no value kept back.
    #[must_use]
    pub const fn new() -> Self {
        StandardNormal { spare: None }
    }

    /// Draws one standard normal number.
    ///
    /// Each attempt takes two `next_u32` draws and is accepted with probability π/4. After
    /// [`MAX_ATTEMPTS`] rejected attempts in a row (probability about 10⁻⁴³ for a good RNG, but
    /// certain for, say, an RNG stuck at 0) it returns `0.0` instead of looping forever.
    pub fn sample<R: Rng + ?Sized>(&mut self, rng: &mut R) -> f32 {
        if let Some(v) = self.spare.take() {
            return v;
        }
        const SCALE: f32 = 1.0 / (1u32 << 23) as f32;
        for _ in 0..MAX_ATTEMPTS {
            // Exact in f32: 24-bit integers scaled by a power of two, minus 1.
            let u = (rng.next_u32() >> 8) as f32 * SCALE - 1.0;
            let v = (rng.next_u32() >> 8) as f32 * SCALE - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = libm::sqrtf(-2.0 * libm::logf(s) / s);
                self.spare = Some(v * f);
                return u * f;
            }
        }
        0.0
    }

    /// Fills `out` with `scale * randn()`, in order.
    pub fn fill<R: Rng + ?Sized>(&mut self, rng: &mut R, scale: f32, out: &mut [f32]) {
        for w in out.iter_mut() {
            *w = scale * self.sample(rng);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    #[test]
    fn normal_moments_are_close() {
        let mut rng = XorShiftRng::seed_from_u64(7);
        let mut n = StandardNormal::new();
        let count = 200_000;
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        for _ in 0..count {
            let v = n.sample(&mut rng) as f64;
            assert!(v.is_finite());
            s += v;
            s2 += v * v;
        }
        let mean = s / count as f64;
        let var = s2 / count as f64 - mean * mean;
        // Standard error of the mean is 1/sqrt(200000) ≈ 0.0022.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }

    #[test]
    fn same_seed_same_bits() {
        let draw = |seed| {
            let mut rng = XorShiftRng::seed_from_u64(seed);
            let mut n = StandardNormal::new();
            let mut out = [0.0f32; 9];
            n.fill(&mut rng, 1.0, &mut out);
            out.map(f32::to_bits)
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    /// Replays the given `next_u32` values, then 0s; counts the draws.
    struct Script<'a>(&'a [u32], usize);
    impl rand_core::TryRng for Script<'_> {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
            self.1 += 1;
            Ok(self.0.get(self.1 - 1).copied().unwrap_or(0))
        }
        fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
            unimplemented!("the sampler draws u32s only")
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> core::result::Result<(), Self::Error> {
            unimplemented!("the sampler draws u32s only")
        }
    }

    #[test]
    fn a_stuck_rng_does_not_hang() {
        // An RNG stuck at 0 (a script of nothing, then 0s): u = v = -1, s = 2, always rejected.
        let mut stuck = Script(&[], 0);
        assert_eq!(StandardNormal::new().sample(&mut stuck), 0.0);
    }

    #[test]
    fn the_polar_method_rejects_the_centre_and_the_unit_circle() {
        // A draw r gives (r >> 8) · 2⁻²³ - 1: 0x8000_0000 gives 0, 0 gives -1, 0xC000_0000 0.5.
        let draws = [
            0x8000_0000,
            0x8000_0000, // (0, 0): s = 0, log(0) / 0 would be NaN
            0x8000_0000,
            0, // (0, -1): s = 1, on the circle, outside the open disc
            0xC000_0000,
            0x8000_0000, // (0.5, 0): s = 0.25, accepted
        ];
        let mut rng = Script(&draws, 0);
        let mut n = StandardNormal::new();
        let f = libm::sqrtf(-2.0 * libm::logf(0.25) / 0.25);
        assert_eq!(n.sample(&mut rng).to_bits(), (0.5 * f).to_bits());
        assert_eq!(rng.1, 6, "three attempts");
        assert_eq!(
            n.sample(&mut rng).to_bits(),
            0.0f32.to_bits(),
            "the pair's v · f"
        );
        assert_eq!(rng.1, 6, "the second value of the pair needs no draw");
    }

    #[test]
    fn scales() {
        assert_eq!(Init::Normal { std: 0.5 }.scale(16), Ok(0.5));
        assert_eq!(Init::Xavier.scale(16), Ok(0.25));
        assert_eq!(Init::He.scale(2), Ok(1.0));
        for bad in [-1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(
                Init::Normal { std: bad }.scale(4),
                Err(Error::InvalidInitStd)
            );
        }
    }
}
