//! The sigmoid and tanh of the fixed-point path: a table of 257 entries for `u ≥ 0`
//! (`tables.rs`, written by `scripts/fixed_tables.py`), linear interpolation between entries,
//! and the functions' symmetries for `u < 0`. Integer arithmetic only.
//!
//! Input: a pre-activation in Q.18 (`i32`, units of 2^-18); output: Q0.15 (`i16`, units of
//! 2^-15), which cannot hold 1: results that round to 1 are stored as `32767` (1 - 2^-15).
//! The tests measure the error against libm's `f64` functions over every Q.18 input in
//! `[-64, 64]`: at most 2.2 units of 2^-15 (6.7e-5) for the sigmoid (step 1/16) and 3.8
//! (1.2e-4) for tanh (step 1/32). The interpolation's own error (`step² · max|f''| / 8`) is
//! 1.5 and 2.5 units; the tables' rounding and the interpolation's add up to one more.

use super::kernels::Bounded;
use super::tables::{SIGMOID, TANH};
use super::{A_FRAC, ONE_A, U_FRAC};

/// `T[i] + (T[i+1] - T[i]) · frac / 2^shift`, rounded to nearest; `0 ≤ frac < 2^shift`, the
/// table increasing (so the product is below `2^(shift + 15)`). `i ≥ 256` is past the table:
/// its last entry.
#[inline(always)]
fn interpolate(table: &[u16; 257], i: usize, frac: u32, shift: u32) -> u32 {
    match (table.get(i), table.get(i.wrapping_add(1))) {
        (Some(&t0), Some(&t1)) => {
            let rise = u32::from(t1).wrapping_sub(u32::from(t0));
            u32::from(t0).plus(rise.times(frac).plus(1 << (shift - 1)) >> shift)
        }
        _ => u32::from(table[256]),
    }
}

/// The largest Q0.15 value, `1 - 2^-15`: where a result rounds to 1.
const MAX_A: u32 = (ONE_A - 1) as u32;

/// The logistic sigmoid of `u` (Q.18) in Q0.15: in `[0, 32767]`.
#[inline]
#[must_use]
pub fn sigmoid_q(u: i32) -> i16 {
    // Step 1/16: the index is |u| in units of 2^-4, the fraction its 14 bits below.
    const SHIFT: u32 = U_FRAC - 4;
    let a = u.unsigned_abs();
    let r = interpolate(
        &SIGMOID,
        (a >> SHIFT) as usize,
        a & ((1 << SHIFT) - 1),
        SHIFT,
    );
    // r is in [16384, 32768]: sigmoid(-|u|) = 1 - sigmoid(|u|) is in [0, 16384].
    let q = if u < 0 {
        (ONE_A as u32).minus(r)
    } else {
        r.min(MAX_A)
    };
    q as i16
}

/// tanh of `u` (Q.18) in Q0.15: in `[-32767, 32767]`, odd.
#[inline]
#[must_use]
pub fn tanh_q(u: i32) -> i16 {
    // Step 1/32: the index is |u| in units of 2^-5, the fraction its 13 bits below.
    const SHIFT: u32 = U_FRAC - 5;
    let a = u.unsigned_abs();
    let r = interpolate(&TANH, (a >> SHIFT) as usize, a & ((1 << SHIFT) - 1), SHIFT).min(MAX_A);
    if u < 0 { -(r as i16) } else { r as i16 }
}

/// The derivative written in terms of the output `z` (Q0.15), in Q0.15 rounded to nearest:
/// `z (1 - z)` for the sigmoid (at most 8192, a quarter), `1 - z²` for tanh (at most 32767:
/// 1 itself is stored as 1 - 2^-15, so that the delta's product stays below 2^31).
#[inline]
pub(crate) fn derivative_q(sigmoid: bool, z: i16) -> i32 {
    let z = i32::from(z);
    let half = 1 << (A_FRAC - 1);
    if sigmoid {
        z.times(ONE_A - z).plus(half) >> A_FRAC
    } else {
        ((ONE_A * ONE_A).minus(z * z).plus(half) >> A_FRAC).min(ONE_A - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables' entries against libm in f64, to the rounding.
    #[test]
    fn tables_are_the_functions_rounded() {
        for k in 0..=256 {
            let s = 32768.0 / (1.0 + libm::exp(-(k as f64) / 16.0));
            let t = 32768.0 * libm::tanh(k as f64 / 32.0);
            assert!(
                (f64::from(SIGMOID[k]) - s).abs() <= 0.5,
                "sigmoid {k}: {} vs {s}",
                SIGMOID[k]
            );
            assert!(
                (f64::from(TANH[k]) - t).abs() <= 0.5,
                "tanh {k}: {} vs {t}",
                TANH[k]
            );
        }
    }

    /// The largest error over every Q.18 input in `[-2^24, 2^24]` (±64, four times the
    /// tables' range), in units of 2^-15, with the input where it is reached.
    fn max_error(f: fn(i32) -> i16, exact: fn(f64) -> f64) -> (f64, i32) {
        let mut worst = (0.0, 0);
        for u in -(1 << 24)..=(1 << 24) {
            let want = exact(f64::from(u) / f64::from(1 << U_FRAC)) * 32768.0;
            let e = (f64::from(f(u)) - want).abs();
            if e > worst.0 {
                worst = (e, u);
            }
        }
        worst
    }

    #[test]
    fn sigmoid_error_is_bounded() {
        let (e, at) = max_error(sigmoid_q, |u| 1.0 / (1.0 + libm::exp(-u)));
        assert!(e <= 2.2, "sigmoid: {e} units of 2^-15 at u = {at} / 2^18");
        assert_eq!(
            (sigmoid_q(0), sigmoid_q(i32::MAX), sigmoid_q(i32::MIN)),
            (16384, 32767, 0)
        );
    }

    #[test]
    fn tanh_error_is_bounded_and_odd() {
        let (e, at) = max_error(tanh_q, libm::tanh);
        assert!(e <= 3.8, "tanh: {e} units of 2^-15 at u = {at} / 2^18");
        for u in [0, 1, 1000, 1 << 18, 5 << 18, i32::MAX] {
            assert_eq!(tanh_q(-u), -tanh_q(u), "{u}");
        }
        assert_eq!(
            (tanh_q(0), tanh_q(i32::MAX), tanh_q(i32::MIN)),
            (0, 32767, -32767)
        );
    }

    #[test]
    fn derivatives_in_range() {
        for z in i16::MIN..=i16::MAX {
            let t = derivative_q(false, z);
            assert!((0..=32767).contains(&t), "tanh' at {z}: {t}");
            if z >= 0 {
                let s = derivative_q(true, z);
                assert!((0..=8192).contains(&s), "sigmoid' at {z}: {s}");
            }
        }
        assert_eq!(derivative_q(true, 16384), 8192);
        assert_eq!(derivative_q(false, 0), 32767);
    }
}
