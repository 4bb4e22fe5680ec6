//! The fixed-point path's loops: dot products and row updates over `i16`, unrolled by two
//! (on a Cortex-M0, whose `LDRSH` has no immediate offset, two elements a turn halve the loop's
//! bookkeeping). Integer sums have no order to keep: any unrolling gives the same bits. And
//! [`Bounded`], the arithmetic of sums the module docs bound.

/// Additions, subtractions and products whose range the [module docs](super) bound (the
/// shapes are checked at compile time): they cannot overflow. Written wrapping, so that an
/// overflow-checked build keeps no overflow check, and no panic path, for them (the firmware's
/// link check); with debug assertions on (`cargo test`), each is checked, so that a bound that
/// was wrong would fail the tests, the property tests on extreme values among them.
pub(crate) trait Bounded: Sized {
    /// `self + other`, within range.
    fn plus(self, other: Self) -> Self;
    /// `self - other`, within range.
    fn minus(self, other: Self) -> Self;
    /// `self · other`, within range.
    fn times(self, other: Self) -> Self;
}

macro_rules! bounded {
    ($($t:ty),*) => {$(
        impl Bounded for $t {
            #[inline(always)]
            fn plus(self, other: Self) -> Self {
                debug_assert!(self.checked_add(other).is_some(), "fixed point: a sum out of its bound");
                self.wrapping_add(other)
            }
            #[inline(always)]
            fn minus(self, other: Self) -> Self {
                debug_assert!(self.checked_sub(other).is_some(), "fixed point: a difference out of its bound");
                self.wrapping_sub(other)
            }
            #[inline(always)]
            fn times(self, other: Self) -> Self {
                debug_assert!(self.checked_mul(other).is_some(), "fixed point: a product out of its bound");
                self.wrapping_mul(other)
            }
        }
    )*};
}
bounded!(i32, i64, u32, u64);

/// `a · b` in `i32`: exact for every pair of `i16` (at most `2^30` in magnitude), so it cannot
/// overflow; written without the check that `*` would keep where the optimiser loses sight of the
/// operands' range.
#[inline(always)]
pub(crate) fn mul16(a: i16, b: i16) -> i32 {
    i32::from(a) * i32::from(b)
}

/// `Σ (a_k · b_k) >> shift` over the shorter of the two, the products summed two at a time
/// exactly and each pair rounded down (an odd last product alone).
///
/// For products below `2^30` in magnitude (one factor of each in `[-32767, 32767]`), so that a
/// pair fits `i32`; the caller bounds the sum of the pairs, each at most `2^(31 - shift)`.
#[inline(always)]
pub(crate) fn dot_shifted(a: &[i16], b: &[i16], shift: u32) -> i32 {
    let n = a.len().min(b.len());
    let (a, b) = (a.get(..n).unwrap_or(&[]), b.get(..n).unwrap_or(&[]));
    let pair =
        |a0: &i16, a1: &i16, b0: &i16, b1: &i16| mul16(*a0, *b0).plus(mul16(*a1, *b1)) >> shift;
    // Two pairs a loop turn, then a pair, then a single product: the pairs are those of a loop
    // over pairs, (0, 1), (2, 3), ..., so the bits are the same.
    let ((a4, a_rest), (b4, b_rest)) = (a.as_chunks::<4>(), b.as_chunks::<4>());
    let mut acc = 0i32;
    for ([a0, a1, a2, a3], [b0, b1, b2, b3]) in a4.iter().zip(b4) {
        acc = acc.plus(pair(a0, a1, b0, b1)).plus(pair(a2, a3, b2, b3));
    }
    let ((a2, a1), (b2, b1)) = (a_rest.as_chunks::<2>(), b_rest.as_chunks::<2>());
    for ([a0, a1], [b0, b1]) in a2.iter().zip(b2) {
        acc = acc.plus(pair(a0, a1, b0, b1));
    }
    for (a, b) in a1.iter().zip(b1) {
        acc = acc.plus(mul16(*a, *b) >> shift);
    }
    acc
}

/// [`dot_shifted`] in blocks of 8 products, each block's sum in `i32` and the blocks' in `i64`:
/// for any length, with `shift >= 3` (a block is then below `2^30`).
#[inline(always)]
pub(crate) fn dot_blocks(a: &[i16], b: &[i16], shift: u32) -> i64 {
    if a.len() <= 8 || b.len() <= 8 {
        return i64::from(dot_shifted(a, b, shift));
    }
    a.chunks(8).zip(b.chunks(8)).fold(0, |acc, (a, b)| {
        acc.plus(i64::from(dot_shifted(a, b, shift)))
    })
}

/// `u_j += (x · w_j) >> shift` for every `j`.
#[inline(always)]
pub(crate) fn axpy_shifted(u: &mut [i32], x: i16, w: &[i16], shift: u32) {
    for (u, w) in u.iter_mut().zip(w) {
        *u = u.plus(mul16(x, *w) >> shift);
    }
}

/// `u_j += (x0 · w0_j + x1 · w1_j) >> shift` for every `j`: two rows a pass over `u`, the
/// pair summed exactly (for `x0, x1` in `[-32767, 32767]`) and rounded down.
#[inline(always)]
pub(crate) fn axpy2_shifted(u: &mut [i32], x: [i16; 2], w: [&[i16]; 2], shift: u32) {
    let [x0, x1] = x;
    for ((u, w0), w1) in u.iter_mut().zip(w[0]).zip(w[1]) {
        *u = u.plus(mul16(x0, *w0).plus(mul16(x1, *w1)) >> shift);
    }
}

/// [`axpy2_shifted`] for two pairs of rows a pass over `u`: `u_j += (x0 · w0_j + x1 · w1_j) >> shift
/// + (x2 · w2_j + x3 · w3_j) >> shift`, the bits of two passes of [`axpy2_shifted`].
#[inline(always)]
pub(crate) fn axpy4_shifted(u: &mut [i32], x: [i16; 4], w: [&[i16]; 4], shift: u32) {
    let [x0, x1, x2, x3] = x;
    let rows = w[0].iter().zip(w[1]).zip(w[2].iter().zip(w[3]));
    for (u, ((w0, w1), (w2, w3))) in u.iter_mut().zip(rows) {
        let p = mul16(x0, *w0).plus(mul16(x1, *w1)) >> shift;
        let q = mul16(x2, *w2).plus(mul16(x3, *w3)) >> shift;
        *u = u.plus(p).plus(q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_on_small_integers() {
        let (a, b) = ([1i16, -2, 3, -4, 5], [6i16, 7, -8, 9, 10]);
        // 6 - 14 - 24 - 36 + 50 = -18
        assert_eq!(dot_shifted(&a, &b, 0), -18);
        assert_eq!(dot_blocks(&a, &b, 0), -18);
        assert_eq!(dot_blocks(&a[..4], &b, 0), -68);
        // Pairs rounded down: (6 - 14) / 2 = -4, (-24 - 36) / 2 = -30, 50 / 2 = 25.
        assert_eq!(dot_shifted(&a, &b, 1), -4 - 30 + 25);
        assert_eq!(
            dot_shifted(&[1, 1], &[1, 0], 1),
            0,
            "the pair 1 + 0, halved, rounds down"
        );
        // 20 products of 2^30 - 2^15, in pairs rounded down by 3 bits: no overflow.
        let big = (2 * (32768 * 32767)) >> 3;
        assert_eq!(dot_blocks(&[i16::MIN; 20], &[-32767; 20], 3), 10 * big);
        let mut u = [1i32, 2, 3];
        axpy_shifted(&mut u, 3, &[4, -5, 6], 1);
        assert_eq!(u, [1 + 6, 2 - 8, 3 + 9]);
        axpy2_shifted(&mut u, [2, -1], [&[1, 1, 1], &[4, 0, -4]], 0);
        assert_eq!(u, [7 + 2 - 4, -6 + 2, 12 + 2 + 4]);
        axpy2_shifted(&mut u, [1, 1], [&[1, 0, 0], &[0, 0, 0]], 1);
        assert_eq!(u, [5, -4, 18], "(1 + 0) / 2 rounds down");
        let mut v = u;
        let w: [&[i16]; 4] = [&[3, -1, 7], &[2, 2, 2], &[-5, 1, 0], &[9, 9, -9]];
        axpy4_shifted(&mut u, [1, -3, 2, 7], w, 2);
        axpy2_shifted(&mut v, [1, -3], [w[0], w[1]], 2);
        axpy2_shifted(&mut v, [2, 7], [w[2], w[3]], 2);
        assert_eq!(u, v, "two pairs a pass, the bits of a pair a pass");
    }
}
