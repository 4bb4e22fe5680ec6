//! Small kernels over fixed arrays, written by hand.
//!
//! Each kernel writes into (or accumulates into) a caller-owned buffer and ends in `_into` or
//! `_add_into`. Inner loops run over the last, contiguous index, so the compiler can vectorise
//! them. The order of every floating-point operation is fixed by the source, so results are the
//! same bits on every target.

/// Number of independent accumulators in [`dot`]: lets the compiler use SIMD lanes without
/// reordering anything itself (Rust never reassociates float additions).
pub const LANES: usize = 4;

/// `out += s * x`, eight elements per loop turn (so the loop is unrolled even when the caller
/// optimises for size, as firmware does).
#[inline(always)]
pub fn axpy(s: f32, x: &[f32], out: &mut [f32]) {
    let (out8, out_rest) = out.as_chunks_mut::<8>();
    let (x8, x_rest) = x.as_chunks::<8>();
    for (o, x) in out8.iter_mut().zip(x8) {
        o[0] += s * x[0];
        o[1] += s * x[1];
        o[2] += s * x[2];
        o[3] += s * x[3];
        o[4] += s * x[4];
        o[5] += s * x[5];
        o[6] += s * x[6];
        o[7] += s * x[7];
    }
    for (o, x) in out_rest.iter_mut().zip(x_rest) {
        *o += s * x;
    }
}

/// `out += x · m`: a row vector times a matrix, accumulated.
///
/// Eight output columns at a time are kept in locals while the rows stream past, so each weight
/// is loaded once and each output once per block, whatever the optimisation level. Every
/// `out[j]` still sums its rows in order (`out[j] + x[0] m[0][j] + x[1] m[1][j] + …`), so the
/// result does not depend on the blocking.
#[inline]
pub fn vecmat_add_into<const N: usize, const M: usize>(
    x: &[f32; N],
    m: &[[f32; M]; N],
    out: &mut [f32; M],
) {
    let (out8, out_rest) = out.as_chunks_mut::<8>();
    for (b, acc_out) in out8.iter_mut().enumerate() {
        let mut acc = *acc_out;
        for (xi, row) in x.iter().zip(m.iter()) {
            if let Some(r) = row.as_chunks::<8>().0.get(b) {
                acc[0] += xi * r[0];
                acc[1] += xi * r[1];
                acc[2] += xi * r[2];
                acc[3] += xi * r[3];
                acc[4] += xi * r[4];
                acc[5] += xi * r[5];
                acc[6] += xi * r[6];
                acc[7] += xi * r[7];
            }
        }
        *acc_out = acc;
    }
    let done = M - out_rest.len();
    for (j, o) in out_rest.iter_mut().enumerate() {
        let mut acc = *o;
        for (xi, row) in x.iter().zip(m.iter()) {
            if let Some(w) = row.get(done + j) {
                acc += xi * w;
            }
        }
        *o = acc;
    }
}

/// `out += a ⊗ b`, i.e. `out[i][j] += a[i] * b[j]` (a column times a row, accumulated).
#[inline]
pub fn outer_add_into<const N: usize, const M: usize>(
    a: &[f32; N],
    b: &[f32; M],
    out: &mut [[f32; M]; N],
) {
    for (ai, row) in a.iter().zip(out.iter_mut()) {
        axpy(*ai, b, row);
    }
}

/// The dot product `a · b`, summed in [`LANES`] interleaved partial sums and then
/// `((s0 + s1) + (s2 + s3)) + tail`, in that fixed order.
#[inline]
pub fn dot<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f32 {
    let (a4, a_rest) = a.as_chunks::<LANES>();
    let (b4, b_rest) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a4.iter().zip(b4) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut tail = 0.0f32;
    for (x, y) in a_rest.iter().zip(b_rest) {
        tail += x * y;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail
}

/// `out[i] = a[i] · m[i]`: each row of `m` dotted with `a`, i.e. `m · aᵀ` — the product with a
/// transposed matrix that backpropagation needs (`delta · Wᵀ`).
#[inline]
pub fn matvec_into<const N: usize, const M: usize>(
    m: &[[f32; M]; N],
    a: &[f32; M],
    out: &mut [f32; N],
) {
    for (o, row) in out.iter_mut().zip(m.iter()) {
        *o = dot(a, row);
    }
}

/// The sum of squares of every element of `x`, accumulated in order.
#[inline]
pub fn sum_squares(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |s, v| s + v * v)
}

/// Whether every element of `x` is finite (neither infinite nor NaN).
///
/// Branch-free and cheap: `v * 0.0` is `±0` for a finite `v` and NaN otherwise, so a sum of
/// such products is zero exactly when every `v` is finite. Four partial sums let the compiler
/// use SIMD lanes; a multiply-accumulate per element on a Cortex-M4F.
#[inline]
pub fn all_finite(x: &[f32]) -> bool {
    let (x4, rest) = x.as_chunks::<4>();
    let mut acc = [0.0f32; 4];
    for v in x4 {
        acc[0] += v[0] * 0.0;
        acc[1] += v[1] * 0.0;
        acc[2] += v[2] * 0.0;
        acc[3] += v[3] * 0.0;
    }
    for v in rest {
        acc[0] += v * 0.0;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) == 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vecmat_small_integers() {
        let x = [1.0, 2.0];
        let m = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let mut out = [10.0, 0.0, -1.0];
        vecmat_add_into(&x, &m, &mut out);
        assert_eq!(out, [19.0, 12.0, 14.0]);
    }

    #[test]
    fn outer_small_integers() {
        let mut out = [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]];
        outer_add_into(&[2.0, -1.0], &[1.0, 2.0, 3.0], &mut out);
        assert_eq!(out, [[3.0, 5.0, 7.0], [-1.0, -2.0, -3.0]]);
    }

    #[test]
    fn dot_small_integers_with_tail() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let b = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, -1.0];
        assert_eq!(dot(&a, &b), 1.0 + 2.0 + 3.0 + 4.0 + 10.0 + 12.0 - 7.0);
        assert_eq!(dot(&[3.0], &[4.0]), 12.0);
        assert_eq!(dot::<0>(&[], &[]), 0.0);
    }

    #[test]
    fn matvec_is_product_with_transpose() {
        let m = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let mut out = [0.0; 3];
        matvec_into(&m, &[1.0, -1.0], &mut out);
        assert_eq!(out, [-1.0, -1.0, -1.0]);
    }

    #[test]
    fn all_finite_sees_every_non_finite() {
        assert!(all_finite(&[]));
        assert!(all_finite(&[
            0.0,
            -0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e-45
        ]));
        for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -f32::NAN] {
            assert!(!all_finite(&[1.0, bad, 2.0]), "{bad}");
        }
    }

    #[test]
    fn sum_squares_small_integers() {
        assert_eq!(sum_squares(&[1.0, -2.0, 3.0]), 14.0);
        assert_eq!(sum_squares(&[]), 0.0);
    }
}
