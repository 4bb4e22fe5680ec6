//! `libm::expf` and `libm::tanhf`, bit for bit, written without branches so that the compiler
//! can run them on SIMD lanes.
//!
//! libm's `expf` and `tanhf` (FreeBSD's `e_expf.c`, `s_tanhf.c` and `s_expm1f.c`) branch on the
//! size of their input: NaN, overflow, underflow, a tiny input, several ways of reducing the
//! argument and of putting the result together. On a desktop those branches depend on the data
//! and are often mispredicted, and separate calls cannot share SIMD registers: the 136 `expf`
//! calls of a training iteration were more than 40% of its instructions and half of its time.
//! The functions below compute every path, with the same floating-point operations as libm's in
//! the same order, and pick the result with selects; a loop over a hidden layer then runs four
//! inputs at a time.
//!
//! They are used only where there is SIMD ([`crate::linalg::SIMD`]). On microcontrollers, with
//! no branch predictor to miss, computing every path costs more than it saves (a Cortex-M4F took
//! 2% more instructions per training iteration with the branch-free `expf`): there the sigmoid
//! calls [`expf_scalar`], libm's `expf` with its branches, which does the work of its call of
//! `scalbnf` in place, and a tanh layer calls `libm::tanhf`. The bits are libm's either way:
//! the unit tests compare each copy with libm on over a million inputs, every threshold's
//! neighbours among them, and exhaustive tests (`cargo test --release --lib -- --ignored
//! exhaustive`, run in CI; about two minutes on two cores) on all 2³² bit patterns.

/// `ln 2`, its high part, with a zero low half so that `k · LN2_HI` is exact for `|k| < 2^8`.
const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
/// `ln 2 - LN2_HI`.
const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
/// `1 / ln 2`.
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
/// The coefficients of the polynomial on `[-0.5 ln 2, 0.5 ln 2]`.
const P1: f32 = f32::from_bits(0x3e2a_aa8f);
const P2: f32 = f32::from_bits(0xbb35_5215);

/// `2^127`.
const X1P127: f32 = f32::from_bits(0x7f00_0000);

/// `e^x`, the same bits as `libm::expf(x)` (0.2) for every `x`, computed without branches.
///
/// libm's cases, on `|x|`'s bits: NaN gives `x` itself; `x ≥ 88.72` (and `+∞`) gives
/// `x · 2^127`, which overflows to `+∞`; `x ≤ -103.97` (and `-∞`) gives `0`; `|x| ≤ 2^-14` gives
/// `1 + x`. Otherwise `x = k ln 2 + r` with `|r| ≤ 0.5 ln 2`, a rational approximation of
/// `e^r`, and `2^k` applied by `scalbnf`.
///
/// libm takes `k = 0` for `|x| ≤ 0.5 ln 2`, `k = ±1` up to `1.5 ln 2` and
/// `k = (x / ln 2 ± 0.5) as i32` beyond; here the last formula serves everywhere. It gives the
/// same `k` except at `|x|` exactly `0.5 ln 2` and `1.5 ln 2` (the bits `0x3eb1_7218` and
/// `0x3f85_1592`), where it gives `±1` and `±2` instead of `0` and `±1`; the other reduction of
/// those four inputs happens to round to the same result (checked, with their neighbours, by
/// the unit tests).
///
/// Where `x` is a special case the main path's result is garbage, and is not used.
#[inline(always)]
pub(crate) fn expf(x: f32) -> f32 {
    let bits = x.to_bits();
    let hx = bits & 0x7fff_ffff;

    // Argument reduction: `x = k ln 2 + hi - lo`, `hi = x - k · LN2_HI`, `lo = k · LN2_LO`.
    let half = f32::from_bits(0x3f00_0000 | (bits & 0x8000_0000)); // ±0.5, the sign of x
    let k = trunc_small(INV_LN2 * x + half);
    // With `k = 0`, `hi = x` and `lo = 0` (`x - 0` is `x`, even for `-0`), as libm sets them.
    let kf = k as f32;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let y = exp_reduced(hi, lo);

    // `scalbnf(y, k)`: `y · 2^k` rounded once. As two factors `2^(k/2)` and `2^(k - k/2)`,
    // each a normal `f32` for `k` in `-150..=128`; the first product is exact (it stays a
    // normal `f32`), so the second is that one rounding, as `scalbnf`'s.
    // (Wrapping in `pow2`: where `x` is a special case, `k` can be far out of range.)
    let k1 = k >> 1;
    let main = y * pow2(k1) * pow2(k - k1);

    // Each case is one comparison of the bits, true only for rare inputs: where the compiler
    // turns these selects into branches (x86-64 has no scalar select for floats; the output
    // layer of one unit is a scalar), none of them depends on the sign of `x`, which is as
    // good as random in training and would be mispredicted every other time.
    if hx > 0x7f80_0000 {
        x // NaN
    } else if bits as i32 >= 0x42b1_7218 {
        x * X1P127 // x ≥ 88.72: overflows to +∞ (positive, and not NaN)
    } else if bits >= 0xc2cf_f1b5 {
        0.0 // x ≤ -103.97 (negative, and not NaN)
    } else if hx <= 0x3900_0000 {
        1.0 + x // |x| ≤ 2^-14
    } else {
        main
    }
}

/// `e^x`, the same bits as `libm::expf(x)` (0.2) for every `x`: libm's code, branches and all,
/// with its last step done in place. [`crate::activation::sigmoid`] calls it, and so does every
/// sigmoid where there is no SIMD (on microcontrollers).
///
/// libm ends by calling `scalbnf(y, k)`, a general function for any `y` and any `k`. Here
/// `y = e^r` lies in `[0.7, 1.5]` and `k` in `-150..=128`, so `y · 2^k` rounded once is one
/// multiplication by a power of two made from its bits when `2^k` is a normal `f32`, two below
/// and above (as in [`expf`]); `scalbnf` rounds once too, so the bits are the same (the unit
/// tests check every threshold's neighbours, the exhaustive test all 2³² inputs). On a
/// Cortex-M4F the 136 sigmoids of a training iteration of the course's setup took 8,058
/// instructions with libm's `expf` (its call of `scalbnf` 966 of them) and take 5,432 with this
/// one; the iteration 27,959 instead of 29,948 (`bash scripts/firmware-profile.sh`).
///
/// Not on x86 without SSE2 (x87): libm has its own `expf` for it, which this copy would not
/// match.
#[inline]
pub(crate) fn expf_scalar(x: f32) -> f32 {
    let bits = x.to_bits();
    let negative = bits >> 31 != 0;
    let hx = bits & 0x7fff_ffff;
    if hx >= 0x42ae_ac50 {
        if hx > 0x7f80_0000 {
            return x; // NaN
        }
        if !negative && hx >= 0x42b1_7218 {
            return x * X1P127; // x ≥ 88.72: overflows to +∞
        }
        if negative && hx >= 0x42cf_f1b5 {
            return 0.0; // x ≤ -103.97
        }
    }
    // Argument reduction as libm's: `x = k ln 2 + hi - lo`.
    let (k, hi, lo) = if hx > 0x3eb1_7218 {
        // |x| > 0.5 ln 2
        let k = if hx > 0x3f85_1592 {
            // |x| > 1.5 ln 2 (`as` saturates, as in libm, which is Rust too)
            (INV_LN2 * x + if negative { -0.5 } else { 0.5 }) as i32
        } else if negative {
            -1
        } else {
            1
        };
        let kf = k as f32;
        (k, x - kf * LN2_HI, kf * LN2_LO)
    } else if hx > 0x3900_0000 {
        // 2^-14 < |x| ≤ 0.5 ln 2
        (0, x, 0.0)
    } else {
        return 1.0 + x; // |x| ≤ 2^-14
    };
    let y = exp_reduced(hi, lo);
    // (Wrapping, here and in `pow2`: `k` is in `-150..=128`, but the compiler cannot see it,
    // and a panic path for an overflow that never happens would survive in a build with
    // overflow checks.)
    if k == 0 {
        y
    } else if (-126..=127).contains(&k) {
        y * pow2(k)
    } else {
        // 2^k is not a normal f32 (results near overflow or below the normals): two factors,
        // the first product exact.
        let k1 = k >> 1;
        y * pow2(k1) * pow2(k.wrapping_sub(k1))
    }
}

/// `tanh x`, the same bits as `libm::tanhf(x)` (0.2) for every `x`, computed without branches.
///
/// libm's cases, on `a = |x|`: above 10 (and NaN), `1 + 0 / a`; above `ln 3 / 2`,
/// `1 - 2 / (t + 2)` with `t = expm1f(2a)`; above `ln(5/3) / 2`, `t / (t + 2)` with the same
/// `t`; from the smallest normal up, `-t / (t + 2)` with `t = expm1f(-2a)`; below it (subnormal
/// or zero), `a`; the sign of `x` put back on the result.
#[inline(always)]
pub(crate) fn tanhf(x: f32) -> f32 {
    let bits = x.to_bits();
    let w = bits & 0x7fff_ffff;
    let a = f32::from_bits(w);
    let above_near = w > 0x3e82_c578; // a > ln(5/3) / 2
    let far = w > 0x4120_0000; // a > 10, or NaN
    let mid = w > 0x3f0c_9f54; // a > ln 3 / 2
    // `2a` or `-2a`, the sign flipped by a bit, not chosen by an `if`: with an `if` the
    // compiler copies all of `expm1f` into both arms and no longer vectorises the loop.
    let flip = u32::from(!above_near) << 31;
    let t = expm1f_for_tanh(f32::from_bits((2.0 * a).to_bits() ^ flip));
    // One division serves every case (the compiler would not vectorise four of them).
    let (numerator, divisor) = if far {
        (0.0, a)
    } else if mid {
        (2.0, t + 2.0)
    } else if above_near {
        (t, t + 2.0)
    } else {
        (-t, t + 2.0)
    };
    let q = numerator / divisor;
    let tt = if far {
        1.0 + q // 1 + 0 / a
    } else if mid {
        1.0 - q // 1 - 2 / (t + 2)
    } else if w >= 0x0080_0000 {
        q // t / (t + 2) above ln(5/3) / 2, -t / (t + 2) below
    } else {
        a
    };
    if bits >> 31 != 0 { -tt } else { tt }
}

/// `libm::expm1f(x)`, bit for bit, for the arguments [`tanhf`] passes it: `x` in
/// `[-0.52, -2^-125]` or `(0.51, 20]`; garbage elsewhere (never a panic).
///
/// There libm computes `x = k ln 2 + r`, `k` from `-1` to `29`, a rational approximation of
/// `e^r - 1`, and puts `2^k (e^r - 1) + 2^k - 1` together with one of six formulas. On these
/// arguments one formula, libm's for `2 ≤ k < 23`, gives the bits of the other four it would
/// use: for `k = 0`, `1` and `-1` libm's formulas are that one with its exact scaling by 1, 2
/// or 1/2 moved to the other side of a rounding, which moves the rounding by the same power of
/// two; for `|x| < 2^-25`, where libm returns `x`, the correction is below half an ulp of `x`;
/// and its `k` for `|x| ≤ 0.5 ln 2` (0) and below `1.5 ln 2` (±1) is the rounded `x / ln 2`
/// except at exactly those two values, where both reductions round to the same result.
/// (libm's formula for `k = 1` and `r < -0.25` is never reached: `r > -0.19` there.) The unit
/// tests check every threshold's neighbours, and the exhaustive test all of it.
#[inline(always)]
fn expm1f_for_tanh(x: f32) -> f32 {
    // expm1f's own constants, not expf's.
    const LN2_HI: f32 = f32::from_bits(0x3f31_7180);
    const LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
    const Q1: f32 = f32::from_bits(0xbd08_8868);
    const Q2: f32 = f32::from_bits(0x3acf_3010);

    let half = f32::from_bits(0x3f00_0000 | (x.to_bits() & 0x8000_0000)); // ±0.5, the sign of x
    let t = INV_LN2 * x + half;
    // Without SIMD one conversion instruction (`|t| < 30` here: `as i32` does not saturate, and
    // truncates as `trunc_small` does).
    let k = if crate::linalg::SIMD {
        trunc_small(t)
    } else {
        t as i32
    };
    let kf = k as f32;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let c = (hi - r) - lo;

    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * Q2);
    let t = 3.0 - r1 * hfx;
    let e = hxs * ((r1 - t) / (6.0 - r * t));
    let e = r * (e - c) - c - hxs;

    let (two_k, two_minus_k) = (pow2(k), pow2(k.wrapping_neg()));
    if k < 23 {
        (r - e + (1.0 - two_minus_k)) * two_k
    } else {
        (r - (e + two_minus_k) + 1.0) * two_k
    }
}

/// `e^r` for `r = hi - lo` in `[-0.5 ln 2, 0.5 ln 2]`, as libm's `expf` computes it: a rational
/// approximation, `lo` put back after the division. The shared middle of [`expf`] and
/// [`expf_scalar`].
#[inline(always)]
fn exp_reduced(hi: f32, lo: f32) -> f32 {
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * P2);
    1.0 + (r * c / (2.0 - c) - lo + hi)
}

/// `2^n` for `n` in `-126..=127` (the normal `f32`s), made from its bits; garbage elsewhere
/// (wrapping, never a panic).
#[inline(always)]
fn pow2(n: i32) -> f32 {
    f32::from_bits((n.wrapping_add(0x7f) as u32) << 23)
}

/// `t as i32` for `|t| < 2^22`, without a conversion instruction: `as i32` saturates, which
/// SIMD units do not, so the compiler would convert lane by lane.
///
/// Adding `1.5 · 2^23` to `|t|` rounds it to the nearest integer (ties to even) and leaves that
/// in the low bits of the sum; one is taken off where the rounding went up, and the sign put
/// back.
#[inline(always)]
fn trunc_small(t: f32) -> i32 {
    const SHIFT: f32 = f32::from_bits(0x4b40_0000); // 1.5 · 2^23
    let magnitude = f32::from_bits(t.to_bits() & 0x7fff_ffff);
    let sum = magnitude + SHIFT;
    let rounded = sum - SHIFT; // exact
    let k = sum.to_bits() as i32 - 0x4b40_0000 - i32::from(rounded > magnitude);
    if t.to_bits() >> 31 != 0 { -k } else { k }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    /// The constants are `libm`'s, written there as these decimals.
    #[test]
    #[allow(
        clippy::excessive_precision,
        reason = "libm's literals, as it writes them"
    )]
    fn constants_are_libms() {
        assert_eq!(LN2_HI, 6.9314575195e-01);
        assert_eq!(LN2_LO, 1.4286067653e-06);
        assert_eq!(INV_LN2, 1.4426950216e+00);
        assert_eq!(P1, 1.6666625440e-1);
        assert_eq!(P2, -2.7667332906e-3);
        assert_eq!(X1P127, 2.0f32.powi(127));
    }

    /// [`trunc_small`] is `as i32` where rounding and truncating can part: 256 floats either
    /// side of every integer and half-integer up to 1,000 (`expf` needs `|t| < 151`) and of
    /// 2^21, on both signs; and across `[0, 2)` (0 itself, subnormals, fractions) by a stride.
    #[test]
    fn trunc_small_is_as_i32() {
        let check = |t: f32| {
            for x in [t, -t] {
                assert_eq!(trunc_small(x), x as i32, "{x}");
            }
        };
        for centre in (0..=2000).map(|i| i as f32 / 2.0).chain([2_097_152.0]) {
            let bits = centre.to_bits();
            for d in 0..256 {
                check(f32::from_bits(bits + d));
                check(f32::from_bits(bits.saturating_sub(d)));
            }
        }
        (0..2.0f32.to_bits())
            .step_by(997)
            .for_each(|b| check(f32::from_bits(b)));
    }

    /// Asserts that `ours` and `libm` (named `name`) give the same bits at 4,096 bit patterns
    /// either side of every one of `edges`, on both signs, and along a stride through all 2³²
    /// that visits every exponent: about a million inputs, enough for a debug build.
    fn same_bits_near(
        name: &str,
        ours: impl Fn(f32) -> f32,
        libm: impl Fn(f32) -> f32,
        edges: &[u32],
    ) {
        let check = |bits: u32| {
            let x = f32::from_bits(bits);
            let (ours, libm) = (ours(x), libm(x));
            assert_eq!(
                ours.to_bits(),
                libm.to_bits(),
                "{name}({x:e}, bits {bits:#010x}): {ours:e}, libm {libm:e}"
            );
        };
        for &edge in edges {
            for sign in [0, 0x8000_0000] {
                for d in 0..4096 {
                    check((edge + d) | sign);
                    check(edge.wrapping_sub(d) & 0x7fff_ffff | sign);
                }
            }
        }
        // 4,099 is prime: the stride visits every exponent at varied mantissas.
        let samples: Vec<u32> = (0..=u32::MAX / 4099).map(|i| i * 4099).collect();
        assert!(samples.len() > 1_000_000);
        samples.into_iter().for_each(check);
    }

    /// Every threshold of `libm::expf` (and of `scalbnf`'s exponent ranges), on both signs.
    const EDGES: [u32; 8] = [
        0x7f80_0000, // infinity and the first NaNs
        0x42b1_7218, // overflow
        0x42cf_f1b5, // underflow to zero
        0x42ae_ac50, // results below f32's normals
        0x3f85_1592, // 1.5 ln 2
        0x3eb1_7218, // 0.5 ln 2
        0x3900_0000, // 2^-14
        0,
    ];

    #[test]
    fn matches_libm_near_every_threshold_and_across_the_range() {
        same_bits_near("expf", expf, libm::expf, &EDGES);
    }

    #[test]
    fn scalar_expf_matches_libm_near_every_threshold_and_across_the_range() {
        same_bits_near("expf_scalar", expf_scalar, libm::expf, &EDGES);
    }

    /// Where `2^k` stops being a normal `f32`: the last inputs below overflow (`k = 128`) and
    /// the results below the normals, as libm gives them.
    #[test]
    fn scalar_expf_near_overflow_and_underflow() {
        let below_overflow = f32::from_bits(0x42b1_7217);
        assert_eq!(
            expf_scalar(below_overflow).to_bits(),
            libm::expf(below_overflow).to_bits()
        );
        assert!(expf_scalar(below_overflow).is_finite());
        assert_eq!(expf_scalar(-100.0).to_bits(), libm::expf(-100.0).to_bits());
        assert!(expf_scalar(-100.0) > 0.0 && !expf_scalar(-100.0).is_normal());
    }

    /// Every threshold of `libm::tanhf`, and those of `expm1f` on the arguments it passes
    /// (`|x|` at half of each).
    #[test]
    fn tanh_matches_libm_near_every_threshold_and_across_the_range() {
        let edges = [
            0x7f80_0000,             // infinity and the first NaNs
            0x4120_0000,             // 10
            0x3f0c_9f54,             // ln 3 / 2
            0x3e82_c578,             // ln(5/3) / 2
            0x0080_0000,             // the smallest normal
            0x4195_b844 - (1 << 23), // expm1f: 27 ln 2 (halved)
            0x3f85_1592 - (1 << 23), // expm1f: 1.5 ln 2
            0x3eb1_7218 - (1 << 23), // expm1f: 0.5 ln 2
            0x3300_0000 - (1 << 23), // expm1f: 2^-25
            0,
        ];
        same_bits_near("tanhf", tanhf, libm::tanhf, &edges);
    }

    /// How many of the 2³² inputs `ours` and `libm` give different bits for (printing the
    /// first few), on every core.
    fn mismatches(
        ours: impl Fn(f32) -> f32 + Copy + Send,
        libm: impl Fn(f32) -> f32 + Copy + Send,
    ) -> u64 {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let chunk = (1u64 << 32).div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let (start, end) = (t * chunk, ((t + 1) * chunk).min(1 << 32));
                        let mut bad = 0u64;
                        // Blocks of 64, so that `ours` is vectorised as in the training loops.
                        let mut block = [0.0f32; 64];
                        let mut i = start;
                        while i < end {
                            let n = (end - i).min(64) as usize;
                            for (j, v) in block[..n].iter_mut().enumerate() {
                                *v = f32::from_bits((i + j as u64) as u32);
                            }
                            let mut out = block;
                            out[..n].iter_mut().for_each(|v| *v = ours(*v));
                            for (x, o) in block[..n].iter().zip(&out[..n]) {
                                if o.to_bits() != libm(*x).to_bits() {
                                    if bad < 10 {
                                        std::eprintln!("mismatch at {:#010x}", x.to_bits());
                                    }
                                    bad += 1;
                                }
                            }
                            i += n as u64;
                        }
                        bad
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        })
    }

    /// All 2³² inputs: about 25 s in a release build on two cores, far longer in debug.
    /// Run by CI: `cargo test --release --lib -- --ignored exhaustive`.
    #[test]
    #[ignore = "all 2^32 inputs: run in release, as CI does"]
    fn exhaustive_expf_matches_libm_on_every_input() {
        let bad = mismatches(expf, libm::expf);
        assert_eq!(bad, 0, "{bad} inputs where expf differs from libm's");
    }

    /// The same for `expf_scalar`.
    #[test]
    #[ignore = "all 2^32 inputs: run in release, as CI does"]
    fn exhaustive_scalar_expf_matches_libm_on_every_input() {
        let bad = mismatches(expf_scalar, libm::expf);
        assert_eq!(bad, 0, "{bad} inputs where expf_scalar differs from libm's");
    }

    /// The same for `tanhf`.
    #[test]
    #[ignore = "all 2^32 inputs: run in release, as CI does"]
    fn exhaustive_tanhf_matches_libm_on_every_input() {
        let bad = mismatches(tanhf, libm::tanhf);
        assert_eq!(bad, 0, "{bad} inputs where tanhf differs from libm's");
    }
}
