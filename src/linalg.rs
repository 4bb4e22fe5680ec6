//! Small kernels over fixed arrays, written by hand.
//!
//! Each kernel writes into (or accumulates into) a caller-owned buffer and ends in `_into` or
//! `_add_into`. Inner loops run over the last, contiguous index, so the compiler can vectorise
//! them. The order of every floating-point operation is fixed by the source, so results are the
//! same bits on every target.
//!
//! The loops are blocked and unrolled by hand (sixteen or eight columns, four or two rows, two
//! steps per loop turn; see each kernel), so that the sums stay in registers even when firmware
//! is optimised for size: sized for a Cortex-M4F's 32 float registers, and for four-wide SIMD
//! registers on a desktop. Blocking never changes the order of the operations on any one
//! result, so it never changes the bits; the unit tests check every blocked kernel bit for bit
//! against the plainest loop. The `small-code` feature rolls the rows, steps and columns back
//! up, for less code and the same bits.

/// Number of independent accumulators in [`dot`]: lets the compiler use SIMD lanes without
/// reordering anything itself (Rust never reassociates float additions).
pub const LANES: usize = 4;

/// `x` in blocks of `K`, for a loop unrolled by hand to `K` elements per turn, and the rest;
/// with `small-code` no blocks, all of `x` in the rest, for the rolled-up loop.
#[inline(always)]
pub(crate) fn unrolled<const K: usize, T>(x: &[T]) -> (&[[T; K]], &[T]) {
    if cfg!(feature = "small-code") {
        (&[], x)
    } else {
        x.as_chunks::<K>()
    }
}

/// [`unrolled`] for a mutable slice.
#[inline(always)]
pub(crate) fn unrolled_mut<const K: usize, T>(x: &mut [T]) -> (&mut [[T; K]], &mut [T]) {
    if cfg!(feature = "small-code") {
        (&mut [], x)
    } else {
        x.as_chunks_mut::<K>()
    }
}

/// `f(0)`, `f(1)`, … `f(N - 1)`, in that order, four calls per loop turn (one with
/// `small-code`): an element-wise loop over several arrays, written once for one index.
/// Unrolled, each array's four elements are reached from one address by the load's own
/// offset; a Cortex-M4F's float loads take no index register, so a rolled loop adds an
/// address per array and element.
#[inline(always)]
pub(crate) fn each_index<const N: usize>(mut f: impl FnMut(usize)) {
    let mut j = 0;
    if !cfg!(feature = "small-code") {
        while j + 4 <= N {
            f(j);
            f(j + 1);
            f(j + 2);
            f(j + 3);
            j += 4;
        }
    }
    while j < N {
        f(j);
        j += 1;
    }
}

/// `out += s * x`, over the shorter of the two.
///
/// Where there is SIMD ([`SIMD`]), the plain loop, which the compiler vectorises over
/// consecutive elements (blocks of eight it would vectorise across blocks instead, with
/// shuffles, at several times the cost). Elsewhere eight elements per loop turn, so that the
/// loop is unrolled even when the caller optimises for size, as firmware does (one with
/// `small-code`). The same operations either way.
#[inline(always)]
pub fn axpy(s: f32, x: &[f32], out: &mut [f32]) {
    if SIMD {
        for (o, x) in out.iter_mut().zip(x) {
            *o += s * x;
        }
    } else {
        axpy_blocks(s, x, out);
    }
}

/// [`axpy`] eight elements per loop turn.
#[inline(always)]
fn axpy_blocks(s: f32, x: &[f32], out: &mut [f32]) {
    let (out8, out_rest) = unrolled_mut::<8, _>(out);
    let (x8, x_rest) = unrolled::<8, _>(x);
    for (o, x) in out8.iter_mut().zip(x8) {
        mul_add8(o, s, x);
    }
    for (o, x) in out_rest.iter_mut().zip(x_rest) {
        *o += s * x;
    }
}

/// `out += x · m`: a row vector times a matrix, accumulated.
///
/// Sixteen (or eight) output columns at a time are kept in locals while the rows stream past,
/// four rows per loop turn, so each weight is loaded once and each output once per block,
/// whatever the optimisation level. Every `out[j]` still sums its rows in order (`out[j] +
/// x[0] m[0][j] + x[1] m[1][j] + …`), so the result does not depend on the blocking.
#[inline]
pub fn vecmat_add_into<const N: usize, const M: usize>(
    x: &[f32; N],
    m: &[[f32; M]; N],
    out: &mut [f32; M],
) {
    vecmat2_add_into::<N, 0, M>(x, m, &[], &[], out);
}

/// `out += x1 · m1 + x2 · m2`: two row-vector–matrix products accumulated in one pass, the rows
/// of `m1` first, then those of `m2` — the same bits as [`vecmat_add_into`] twice, with each
/// block of outputs loaded and stored once instead of twice.
#[inline]
pub fn vecmat2_add_into<const N1: usize, const N2: usize, const M: usize>(
    x1: &[f32; N1],
    m1: &[[f32; M]; N1],
    x2: &[f32; N2],
    m2: &[[f32; M]; N2],
    out: &mut [f32; M],
) {
    vecmat2(x1, m1, x2, m2, None, out);
}

/// `out = start + x1 · m1 + x2 · m2`: [`vecmat2_add_into`] from `start` rather than from what
/// `out` holds, the same bits as copying `start` into `out` first (the hidden layer's
/// `b + x · W_in + h · W`, written straight into the hidden state).
#[inline]
pub fn vecmat2_into<const N1: usize, const N2: usize, const M: usize>(
    x1: &[f32; N1],
    m1: &[[f32; M]; N1],
    x2: &[f32; N2],
    m2: &[[f32; M]; N2],
    start: &[f32; M],
    out: &mut [f32; M],
) {
    vecmat2(x1, m1, x2, m2, Some(start), out);
}

/// Both of the above: the sums start from `start`, or from `out` if it is `None`. Sixteen
/// output columns at a time (eight with `small-code`), then eight, then the rest, stay in
/// registers while the rows stream past.
#[inline(always)]
fn vecmat2<const N1: usize, const N2: usize, const M: usize>(
    x1: &[f32; N1],
    m1: &[[f32; M]; N1],
    x2: &[f32; N2],
    m2: &[[f32; M]; N2],
    start: Option<&[f32; M]>,
    out: &mut [f32; M],
) {
    let start = start.map(|s| &s[..]);
    let done = if cfg!(feature = "small-code") {
        0
    } else {
        column_blocks::<16, N1, N2, M>(x1, m1, x2, m2, start, out, 0)
    };
    let done = column_blocks::<8, N1, N2, M>(x1, m1, x2, m2, start, out, done);
    // The last `M % 8` columns, in registers too: `acc` holds them in its first elements.
    let out_rest = out.get_mut(done..).unwrap_or(&mut []);
    if !out_rest.is_empty() {
        let mut acc = [0.0f32; 8];
        let from = start.map_or(&*out_rest, |s| s.get(done..).unwrap_or(&[]));
        acc.iter_mut().zip(from).for_each(|(a, o)| *a = *o);
        rows_into_tail(&mut acc, x1, m1);
        rows_into_tail(&mut acc, x2, m2);
        out_rest.iter_mut().zip(&acc).for_each(|(o, a)| *o = *a);
    }
}

/// The blocks of `B` columns of [`vecmat2`] from column `first` on; returns the first column
/// not done.
#[inline(always)]
fn column_blocks<const B: usize, const N1: usize, const N2: usize, const M: usize>(
    x1: &[f32; N1],
    m1: &[[f32; M]; N1],
    x2: &[f32; N2],
    m2: &[[f32; M]; N2],
    start: Option<&[f32]>,
    out: &mut [f32; M],
    first: usize,
) -> usize {
    let blocks = out
        .get_mut(first..)
        .unwrap_or(&mut [])
        .as_chunks_mut::<B>()
        .0;
    let mut col = first;
    for o in blocks {
        let mut acc = match start {
            // `start` has `M` elements, so the block is always there.
            Some(s) => block::<B>(s, col).copied().unwrap_or([0.0; B]),
            None => *o,
        };
        rows_into_block(&mut acc, col, x1, m1);
        rows_into_block(&mut acc, col, x2, m2);
        *o = acc;
        col += B;
    }
    col
}

/// `row[col .. col + B]`, if it is all there.
#[inline(always)]
fn block<const B: usize>(row: &[f32], col: usize) -> Option<&[f32; B]> {
    row.get(col..col + B).and_then(|r| r.try_into().ok())
}

/// `acc += x[i] * m[i][col .. col + B]` for every row `i`, in order.
#[inline(always)]
fn rows_into_block<const B: usize, const N: usize, const M: usize>(
    acc: &mut [f32; B],
    col: usize,
    x: &[f32; N],
    m: &[[f32; M]; N],
) {
    let ((x4, x_rest), (m4, m_rest)) = (unrolled::<4, _>(x), unrolled::<4, _>(m));
    for (x, [row0, row1, row2, row3]) in x4.iter().zip(m4) {
        let rows = (
            block::<B>(row0, col),
            block::<B>(row1, col),
            block::<B>(row2, col),
            block::<B>(row3, col),
        );
        if let (Some(r0), Some(r1), Some(r2), Some(r3)) = rows {
            mul_add_block(acc, x[0], r0);
            mul_add_block(acc, x[1], r1);
            mul_add_block(acc, x[2], r2);
            mul_add_block(acc, x[3], r3);
        }
    }
    // The rows left over, a pair (the two inputs of the seed's network) in one turn (all one
    // by one with `small-code`).
    let ((x2, x_rest), (m2, m_rest)) = (unrolled::<2, _>(x_rest), unrolled::<2, _>(m_rest));
    for (x, [row0, row1]) in x2.iter().zip(m2) {
        if let (Some(r0), Some(r1)) = (block::<B>(row0, col), block::<B>(row1, col)) {
            mul_add_block(acc, x[0], r0);
            mul_add_block(acc, x[1], r1);
        }
    }
    for (xi, row) in x_rest.iter().zip(m_rest) {
        if let Some(r) = block::<B>(row, col) {
            mul_add_block(acc, *xi, r);
        }
    }
}

/// `acc[k] += s * r[k]` for the `B` (8 or 16) `k`, written out (no loop, so the sums stay in
/// registers even when optimising for size).
#[inline(always)]
fn mul_add_block<const B: usize>(acc: &mut [f32; B], s: f32, r: &[f32; B]) {
    match (acc.as_chunks_mut::<8>().0, r.as_chunks::<8>().0) {
        ([a0, a1], [r0, r1]) => {
            mul_add8(a0, s, r0);
            mul_add8(a1, s, r1);
        }
        ([a0], [r0]) => mul_add8(a0, s, r0),
        _ => {}
    }
}

/// `acc[k] += x[i] * m[i][M - M % 8 + k]` for every row `i`, in order: the last `M % 8`
/// columns, as [`rows_into_block`] does the whole blocks.
#[inline(always)]
fn rows_into_tail<const N: usize, const M: usize>(
    acc: &mut [f32; 8],
    x: &[f32; N],
    m: &[[f32; M]; N],
) {
    let ((x4, x_rest), (m4, m_rest)) = (unrolled::<4, _>(x), unrolled::<4, _>(m));
    for (x, [row0, row1, row2, row3]) in x4.iter().zip(m4) {
        mul_add_tail(acc, x[0], row0.as_chunks::<8>().1);
        mul_add_tail(acc, x[1], row1.as_chunks::<8>().1);
        mul_add_tail(acc, x[2], row2.as_chunks::<8>().1);
        mul_add_tail(acc, x[3], row3.as_chunks::<8>().1);
    }
    for (xi, row) in x_rest.iter().zip(m_rest) {
        mul_add_tail(acc, *xi, row.as_chunks::<8>().1);
    }
}

/// `acc[k] += s * r[k]` for the eight `k`: written out, or a loop with `small-code`.
#[inline(always)]
fn mul_add8(acc: &mut [f32; 8], s: f32, r: &[f32; 8]) {
    if cfg!(feature = "small-code") {
        return mul_add_tail(acc, s, r);
    }
    acc[0] += s * r[0];
    acc[1] += s * r[1];
    acc[2] += s * r[2];
    acc[3] += s * r[3];
    acc[4] += s * r[4];
    acc[5] += s * r[5];
    acc[6] += s * r[6];
    acc[7] += s * r[7];
}

/// `acc[k] += s * r[k]` for the first `r.len()` (fewer than eight) `k`.
#[inline(always)]
fn mul_add_tail(acc: &mut [f32; 8], s: f32, r: &[f32]) {
    acc.iter_mut().zip(r).for_each(|(a, r)| *a += s * r);
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

/// The dot product `a · b`, summed in [`LANES`] interleaved partial sums `s_l` (each starts
/// from its first product) and then `(s0 + s1) + (s2 + s3)`, plus, when `N % LANES ≠ 0`, the
/// sum of the last `N % LANES` products (from `0.0`, in order): a fixed order, so the same bits
/// everywhere. A zero result may be `-0.0`.
#[inline]
#[must_use]
pub fn dot<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f32 {
    let (b16, b4, b_rest) = split16(b);
    dot_row(a, b16, b4, b_rest)
}

/// `[x[l] * y[l]]` for each lane `l`.
#[inline(always)]
fn mul_lanes(x: &[f32; LANES], y: &[f32; LANES]) -> [f32; LANES] {
    [x[0] * y[0], x[1] * y[1], x[2] * y[2], x[3] * y[3]]
}

/// `acc[l] += x[l] * y[l]` for each lane `l`.
#[inline(always)]
fn mul_add_lanes(acc: &mut [f32; LANES], x: &[f32; LANES], y: &[f32; LANES]) {
    acc[0] += x[0] * y[0];
    acc[1] += x[1] * y[1];
    acc[2] += x[2] * y[2];
    acc[3] += x[3] * y[3];
}

/// `out[i] = a · m[i]`: each row of `m` dotted with `a`, i.e. `m · aᵀ` — the product with a
/// transposed matrix that backpropagation needs (`delta · Wᵀ`). Each `out[i]` is exactly
/// [`dot`]`(a, &m[i])`.
///
/// How the loops are blocked depends on the machine, never the bits: where the compiler has
/// four-wide SIMD registers for `f32` ([`SIMD`]), four rows at a time share each load of `a`
/// and each row's four partial sums fill one register; elsewhere (a Cortex-M4F, say) each row
/// is summed sixteen columns per loop turn with `a` held in registers for the whole product,
/// two rows per turn. With `small-code`, one row and four columns per turn.
#[inline]
pub fn matvec_into<const N: usize, const M: usize>(
    m: &[[f32; M]; N],
    a: &[f32; M],
    out: &mut [f32; N],
) {
    if SIMD && !cfg!(feature = "small-code") {
        matvec_rows4(m, a, out);
    } else {
        matvec_rows(m, a, out);
    }
}

/// Whether the target computes floats in hardware without SIMD: the Arm `eabihf` targets
/// (Cortex-M4F, M7...) and RISC-V with `F`. Where floats are soft, every float operation is a
/// call, and code that saves branches by computing more (the gated cells' tanh, a sum to check
/// finiteness) costs more than it saves.
pub(crate) const HARD_FLOAT: bool = cfg!(any(target_abi = "eabihf", target_feature = "f"));

/// Whether the target has four-wide SIMD registers for `f32` that the compiler uses on its own
/// (x86-64's SSE2, AArch64's NEON, WebAssembly's simd128...). It only chooses how
/// [`matvec_into`]'s loops are blocked; the operations and their order, and so the bits, are
/// the same either way.
pub const SIMD: bool = cfg!(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    all(target_arch = "x86", target_feature = "sse2"),
    all(target_arch = "arm", target_feature = "neon"),
    target_feature = "simd128",
));

/// [`matvec_into`] with four rows per loop turn, their sixteen partial sums in flight (four
/// SIMD registers), sharing each load of `a`.
#[inline(always)]
fn matvec_rows4<const N: usize, const M: usize>(
    m: &[[f32; M]; N],
    a: &[f32; M],
    out: &mut [f32; N],
) {
    let (m4, m_rest) = m.as_chunks::<4>();
    let (out4, out_rest) = out.as_chunks_mut::<4>();
    let (a4, a_rest) = a.as_chunks::<LANES>();
    for (rows, o) in m4.iter().zip(out4) {
        let (r0, r1, r2, r3) = (
            rows[0].as_chunks::<LANES>().0,
            rows[1].as_chunks::<LANES>().0,
            rows[2].as_chunks::<LANES>().0,
            rows[3].as_chunks::<LANES>().0,
        );
        let mut columns = a4.iter().zip(r0).zip(r1).zip(r2).zip(r3);
        // Each partial sum starts from its first product, as in `dot`.
        let Some(((((y, x0), x1), x2), x3)) = columns.next() else {
            // Fewer than four columns: only the tail.
            for (o, row) in o.iter_mut().zip(rows) {
                *o = dot_tail(row, a_rest);
            }
            continue;
        };
        let (mut acc0, mut acc1, mut acc2, mut acc3) = (
            mul_lanes(x0, y),
            mul_lanes(x1, y),
            mul_lanes(x2, y),
            mul_lanes(x3, y),
        );
        for ((((y, x0), x1), x2), x3) in columns {
            // Written out (not a loop over the four rows), so the sixteen sums stay in
            // registers.
            mul_add_lanes(&mut acc0, x0, y);
            mul_add_lanes(&mut acc1, x1, y);
            mul_add_lanes(&mut acc2, x2, y);
            mul_add_lanes(&mut acc3, x3, y);
        }
        o[0] = finish_lanes(&acc0, &rows[0], a_rest);
        o[1] = finish_lanes(&acc1, &rows[1], a_rest);
        o[2] = finish_lanes(&acc2, &rows[2], a_rest);
        o[3] = finish_lanes(&acc3, &rows[3], a_rest);
    }
    let (a16, a4, a_rest) = split16(a);
    for (o, row) in out_rest.iter_mut().zip(m_rest) {
        *o = dot_row(row, a16, a4, a_rest);
    }
}

/// [`matvec_into`] a row at a time, two rows per loop turn (one with `small-code`).
#[inline(always)]
fn matvec_rows<const N: usize, const M: usize>(
    m: &[[f32; M]; N],
    a: &[f32; M],
    out: &mut [f32; N],
) {
    let (a16, a4, a_rest) = split16(a);
    let ((m2, m_rest), (out2, out_rest)) = (unrolled::<2, _>(m), unrolled_mut::<2, _>(out));
    for ([o0, o1], [row0, row1]) in out2.iter_mut().zip(m2) {
        *o0 = dot_row(row0, a16, a4, a_rest);
        *o1 = dot_row(row1, a16, a4, a_rest);
    }
    for (o, row) in out_rest.iter_mut().zip(m_rest) {
        *o = dot_row(row, a16, a4, a_rest);
    }
}

/// The end of [`dot`] for one row: `(s0 + s1) + (s2 + s3)`, plus the tail if there is one.
#[inline(always)]
fn finish_lanes<const M: usize>(s: &[f32; LANES], row: &[f32; M], a_rest: &[f32]) -> f32 {
    let sum = (s[0] + s[1]) + (s[2] + s[3]);
    if M.is_multiple_of(LANES) {
        sum
    } else {
        sum + dot_tail(row, a_rest)
    }
}

/// [`dot`]`(row, a)`, with `a` split into its blocks of sixteen, of [`LANES`] and the rest;
/// sixteen columns per loop turn, written out.
#[inline(always)]
fn dot_row<const M: usize>(
    row: &[f32; M],
    a16: &[[f32; 16]],
    a4: &[[f32; LANES]],
    a_rest: &[f32],
) -> f32 {
    let (r16, r4, _) = split16(row);
    // `None` until the first product: each partial sum starts from it.
    let mut acc: Option<[f32; LANES]> = None;
    let step = |acc: Option<[f32; LANES]>, x, y| match acc {
        None => Some(mul_lanes(x, y)),
        Some(mut acc) => {
            mul_add_lanes(&mut acc, x, y);
            Some(acc)
        }
    };
    for (x, y) in r16.iter().zip(a16) {
        let (x, y) = (x.as_chunks::<LANES>().0, y.as_chunks::<LANES>().0);
        if let ([x0, x1, x2, x3], [y0, y1, y2, y3]) = (x, y) {
            acc = step(acc, x0, y0);
            acc = step(acc, x1, y1);
            acc = step(acc, x2, y2);
            acc = step(acc, x3, y3);
        }
    }
    for (x, y) in r4.iter().zip(a4) {
        acc = step(acc, x, y);
    }
    match acc {
        Some(s) => finish_lanes(&s, row, a_rest),
        // Fewer than four columns: only the tail.
        None => dot_tail(row, a_rest),
    }
}

/// `x` in blocks of sixteen (none with `small-code`), then of [`LANES`], then the rest.
#[inline(always)]
fn split16(x: &[f32]) -> (&[[f32; 16]], &[[f32; LANES]], &[f32]) {
    let (x16, x16_rest) = unrolled::<16, _>(x);
    let (x4, x_rest) = x16_rest.as_chunks::<LANES>();
    (x16, x4, x_rest)
}

/// The tail of [`dot`]: the sum of `row[j] * a_rest[j - k]` over the last `k = M % LANES`
/// elements of `row`.
#[inline(always)]
fn dot_tail<const M: usize>(row: &[f32; M], a_rest: &[f32]) -> f32 {
    let mut tail = 0.0f32;
    for (x, y) in row.as_chunks::<LANES>().1.iter().zip(a_rest) {
        tail += x * y;
    }
    tail
}

/// `out[i][j] (+)= Σ_s a_s[i] · b_s[j]`: the sum of the outer products of the pairs
/// `(a_s, b_s)`, taken **from the last pair to the first**, added to `out` if `add`, else
/// written over it (as if `out` had been zero).
///
/// This is what backpropagation through time accumulates, one step at a time from the last
/// step back; summing in that same order gives the same bits as adding each step's outer
/// product in turn, with each weight's sum held in a register instead of reloaded per step.
/// Pairs beyond the shorter of `a` and `b` are ignored.
///
/// Blocks of two rows by eight columns share each load of `b_s`; the last `M % 8` columns are
/// summed down the columns instead, eight rows at a time (`out[i..i + 8][j] += b_s[j] ·
/// a_s[i..i + 8]`), so that a narrow `out` (the output layer's, one column wide) is as fast as
/// a wide one. The two-row blocks take one step per loop turn (their sixteen sums fill the
/// registers), the rest two (with `small-code`: one step, one row and one element of the last
/// columns at a time).
#[inline]
pub fn outer_sum_into<const N: usize, const M: usize>(
    a: &[[f32; N]],
    b: &[[f32; M]],
    out: &mut [[f32; M]; N],
    add: bool,
) {
    let n = a.len().min(b.len());
    let (a, b) = (a.get(..n).unwrap_or(&[]), b.get(..n).unwrap_or(&[]));
    let (out2, out_rest) = unrolled_mut::<2, _>(out);
    for (p, [o0, o1]) in (0..N / 2).zip(out2.iter_mut()) {
        let (o0_8, o1_8) = (o0.as_chunks_mut::<8>().0, o1.as_chunks_mut::<8>().0);
        for (blk, (q0, q1)) in (0..M / 8).zip(o0_8.iter_mut().zip(o1_8)) {
            let acc0 = if add { *q0 } else { [0.0; 8] };
            let acc1 = if add { *q1 } else { [0.0; 8] };
            // One step per loop turn: the sixteen sums and two steps' loads of `b_s` would not
            // fit a Cortex-M4F's registers.
            (*q0, *q1) = steps_back(a, b, false, (acc0, acc1), |(mut acc0, mut acc1), a, b| {
                let s = a.as_chunks::<2>().0.get(p);
                if let (Some(&[s0, s1]), Some(r)) = (s, b.as_chunks::<8>().0.get(blk)) {
                    mul_add8(&mut acc0, s0, r);
                    mul_add8(&mut acc1, s1, r);
                }
                (acc0, acc1)
            });
        }
    }
    // The rows left over: the last one when `N` is odd, or all of them with `small-code`.
    let first = N - out_rest.len();
    for (i, o) in (first..N).zip(out_rest.iter_mut()) {
        for (blk, q) in (0..M / 8).zip(o.as_chunks_mut::<8>().0.iter_mut()) {
            let acc = if add { *q } else { [0.0; 8] };
            *q = steps_back(a, b, true, acc, |mut acc, a, b| {
                if let (Some(&s), Some(r)) = (a.get(i), b.as_chunks::<8>().0.get(blk)) {
                    mul_add8(&mut acc, s, r);
                }
                acc
            });
        }
    }
    outer_sum_tail(a, b, out, add);
}

/// Folds `f(acc, a_s, b_s)` over every pair, from the last to the first; two pairs per loop
/// turn if `two` (never with `small-code`). `a` and `b` have the same length. A fold rather than
/// a closure that borrows the sums, so that they stay in registers.
#[inline(always)]
fn steps_back<A, B, T>(a: &[A], b: &[B], two: bool, init: T, f: impl Fn(T, &A, &B) -> T) -> T {
    let mut acc = init;
    let (a_first, a2, b_first, b2) = if cfg!(feature = "small-code") || !two {
        (a, &[][..], b, &[][..])
    } else {
        let (a_first, a2) = a.as_rchunks::<2>();
        let (b_first, b2) = b.as_rchunks::<2>();
        (a_first, a2, b_first, b2)
    };
    for ([a0, a1], [b0, b1]) in a2.iter().zip(b2).rev() {
        acc = f(acc, a1, b1);
        acc = f(acc, a0, b0);
    }
    for (a, b) in a_first.iter().zip(b_first).rev() {
        acc = f(acc, a, b);
    }
    acc
}

/// The last `M % 8` columns of [`outer_sum_into`]: for each such column `j`, eight rows at a
/// time in registers (`acc[k] += b_s[j] · a_s[i + k]`), then the last `N % 8` rows (all rows
/// with `small-code`) one by one.
#[inline(always)]
fn outer_sum_tail<const N: usize, const M: usize>(
    a: &[[f32; N]],
    b: &[[f32; M]],
    out: &mut [[f32; M]; N],
    add: bool,
) {
    let (out8, out_rest) = unrolled_mut::<8, _>(out);
    for j in M - M % 8..M {
        for (blk, o) in (0..N / 8).zip(out8.iter_mut()) {
            let mut acc = [0.0f32; 8];
            if add {
                acc.iter_mut()
                    .zip(o.iter())
                    .for_each(|(acc, o)| *acc = o.get(j).copied().unwrap_or(0.0));
            }
            let acc = steps_back(a, b, true, acc, |mut acc, a, b| {
                if let (Some(&s), Some(r)) = (b.get(j), a.as_chunks::<8>().0.get(blk)) {
                    mul_add8(&mut acc, s, r);
                }
                acc
            });
            o.iter_mut().zip(&acc).for_each(|(o, acc)| {
                if let Some(o) = o.get_mut(j) {
                    *o = *acc;
                }
            });
        }
        let first = N - out_rest.len();
        for (i, o) in (first..N).zip(out_rest.iter_mut()) {
            let acc = if add {
                o.get(j).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            let acc = steps_back(a, b, true, acc, |acc, a, b| match (b.get(j), a.get(i)) {
                (Some(&s), Some(&r)) => acc + s * r,
                _ => acc,
            });
            if let Some(o) = o.get_mut(j) {
                *o = acc;
            }
        }
    }
}

/// `out[j] (+)= Σ_s b_s[j]`, from the last `b_s` to the first, added to `out` if `add`, else
/// written over it (as [`outer_sum_into`] with every `a_s[i] = 1`).
#[inline]
pub fn sum_into<const M: usize>(b: &[[f32; M]], out: &mut [f32; M], add: bool) {
    // Four columns at a time, their sums in registers: each `out[j]` sees the same additions
    // in the same order as one column's walk (with `small-code`, a column at a time).
    let (out4, out_rest) = unrolled_mut::<4, _>(out);
    for (blk, o) in out4.iter_mut().enumerate() {
        let [mut a0, mut a1, mut a2, mut a3] = if add { *o } else { [0.0; 4] };
        for r in b.iter().rev() {
            if let Some(&[v0, v1, v2, v3]) = r.as_chunks::<4>().0.get(blk) {
                (a0, a1, a2, a3) = (a0 + v0, a1 + v1, a2 + v2, a3 + v3);
            }
        }
        *o = [a0, a1, a2, a3];
    }
    let first = M - out_rest.len();
    for (j, o) in (first..M).zip(out_rest.iter_mut()) {
        let mut acc = if add { *o } else { 0.0 };
        for r in b.iter().rev() {
            acc += r.get(j).copied().unwrap_or(0.0);
        }
        *o = acc;
    }
}

/// The sum of squares of every element of `x`, accumulated in order.
#[inline]
#[must_use]
pub fn sum_squares(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |s, v| s + v * v)
}

/// Whether every element of `x` is finite (neither infinite nor NaN).
///
/// Branch-free and cheap: `v * 0.0` is `±0` for a finite `v` and NaN otherwise, so a sum of
/// such products is zero exactly when every `v` is finite. Four partial sums let the compiler
/// use SIMD lanes; a multiply-accumulate per element on a Cortex-M4F. With `small-code`, one
/// sum and one element per loop turn (the same answer).
#[inline]
#[must_use]
pub fn all_finite(x: &[f32]) -> bool {
    let (x4, rest) = unrolled::<4, _>(x);
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
        // Nine elements: two blocks of four and one left over; every position, and finite
        // values that are not zero in every lane.
        let finite: [f32; 9] = core::array::from_fn(|i| i as f32 - 4.5);
        assert!(all_finite(&finite));
        for at in 0..9 {
            for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
                let mut x = finite;
                x[at] = bad;
                assert!(!all_finite(&x), "{bad} at {at}");
            }
        }
    }

    #[test]
    fn sum_squares_small_integers() {
        assert_eq!(sum_squares(&[1.0, -2.0, 3.0]), 14.0);
        assert_eq!(sum_squares(&[]), 0.0);
    }

    // The blocked kernels against the plainest loops, bit for bit. Values are drawn from a
    // small set that includes both zeros, so that signed-zero corner cases occur often.
    struct Values(u64);

    impl Values {
        fn next(&mut self) -> f32 {
            // xorshift64
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            const SET: [f32; 8] = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 1e-30, 3.25];
            let v = SET[(self.0 % 8) as usize];
            if self.0 & 0x100 != 0 {
                v * (1.0 + (self.0 >> 40) as f32 / (1u64 << 24) as f32)
            } else {
                v
            }
        }
        fn fill<const N: usize>(&mut self) -> [f32; N] {
            core::array::from_fn(|_| self.next())
        }
        fn fill2<const N: usize, const M: usize>(&mut self) -> [[f32; M]; N] {
            core::array::from_fn(|_| self.fill())
        }
    }

    fn bits<const N: usize>(x: &[f32; N]) -> [u32; N] {
        x.map(f32::to_bits)
    }

    fn check_matvec<const N: usize, const M: usize>(v: &mut Values) {
        let m: [[f32; M]; N] = v.fill2();
        let a: [f32; M] = v.fill();
        let want: [f32; N] = core::array::from_fn(|i| dot(&a, &m[i]));
        let mut out = [f32::NAN; N];
        matvec_into(&m, &a, &mut out);
        assert_eq!(bits(&out), bits(&want), "{N}x{M}");
        // Both blockings, whichever this machine uses.
        let mut out = [f32::NAN; N];
        matvec_rows4(&m, &a, &mut out);
        assert_eq!(bits(&out), bits(&want), "{N}x{M} rows4");
        let mut out = [f32::NAN; N];
        matvec_rows(&m, &a, &mut out);
        assert_eq!(bits(&out), bits(&want), "{N}x{M} rows");
        // `dot` against the plainest loop in its documented order.
        for (i, row) in m.iter().enumerate() {
            let mut lanes: Option<[f32; LANES]> = None;
            for (x, y) in row
                .as_chunks::<LANES>()
                .0
                .iter()
                .zip(a.as_chunks::<LANES>().0)
            {
                let mut l = lanes.unwrap_or([0.0; LANES]);
                for k in 0..LANES {
                    l[k] = if lanes.is_some() {
                        l[k] + x[k] * y[k]
                    } else {
                        x[k] * y[k]
                    };
                }
                lanes = Some(l);
            }
            let mut tail = 0.0f32;
            for j in M - M % LANES..M {
                tail += row[j] * a[j];
            }
            let plain = match lanes {
                Some(l) if M.is_multiple_of(LANES) => (l[0] + l[1]) + (l[2] + l[3]),
                Some(l) => ((l[0] + l[1]) + (l[2] + l[3])) + tail,
                None => tail,
            };
            assert_eq!(want[i].to_bits(), plain.to_bits(), "dot {N}x{M}");
        }
    }

    fn check_vecmat2<const N1: usize, const N2: usize, const M: usize>(v: &mut Values) {
        let (x1, m1): ([f32; N1], [[f32; M]; N1]) = (v.fill(), v.fill2());
        let (x2, m2): ([f32; N2], [[f32; M]; N2]) = (v.fill(), v.fill2());
        let start: [f32; M] = v.fill();
        let mut out = start;
        vecmat2_add_into(&x1, &m1, &x2, &m2, &mut out);
        let mut want = start;
        for j in 0..M {
            for i in 0..N1 {
                want[j] += x1[i] * m1[i][j];
            }
            for i in 0..N2 {
                want[j] += x2[i] * m2[i][j];
            }
        }
        assert_eq!(bits(&out), bits(&want), "{N1}+{N2}x{M}");
    }

    fn check_outer_sum<const L: usize, const N: usize, const M: usize>(v: &mut Values) {
        let a: [[f32; N]; L] = v.fill2();
        let b: [[f32; M]; L] = v.fill2();
        let start: [[f32; M]; N] = v.fill2();
        for add in [true, false] {
            let mut out = start;
            outer_sum_into(&a, &b, &mut out, add);
            // Step by step, last step first, as backpropagation adds them.
            let mut want = if add { start } else { [[0.0; M]; N] };
            for t in (0..L).rev() {
                outer_add_into(&a[t], &b[t], &mut want);
            }
            for (o, w) in out.iter().zip(&want) {
                assert_eq!(bits(o), bits(w), "L{L} {N}x{M} add {add}");
            }
        }
    }

    #[test]
    fn blocked_kernels_match_plain_loops_bit_for_bit() {
        let mut v = Values(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            check_matvec::<16, 16>(&mut v);
            check_matvec::<5, 7>(&mut v);
            check_matvec::<3, 2>(&mut v);
            check_matvec::<9, 4>(&mut v);
            check_matvec::<3, 39>(&mut v);
            // Four rows or more, fewer than four columns: only the tail of each row.
            check_matvec::<6, 3>(&mut v);
            check_matvec::<4, 0>(&mut v);
            check_vecmat2::<2, 16, 16>(&mut v);
            check_vecmat2::<3, 5, 19>(&mut v);
            check_vecmat2::<16, 0, 1>(&mut v);
            check_vecmat2::<1, 1, 3>(&mut v);
            check_vecmat2::<2, 3, 27>(&mut v);
            check_vecmat2::<5, 6, 40>(&mut v);
            check_outer_sum::<8, 16, 16>(&mut v);
            check_outer_sum::<7, 16, 1>(&mut v);
            check_outer_sum::<3, 5, 11>(&mut v);
            check_outer_sum::<1, 1, 9>(&mut v);
            check_outer_sum::<5, 19, 13>(&mut v);
            check_outer_sum::<0, 2, 2>(&mut v);
            // An odd row left over, two or three blocks of eight columns wide.
            check_outer_sum::<4, 3, 24>(&mut v);
            check_outer_sum::<3, 7, 17>(&mut v);
        }
    }

    #[test]
    fn axpy_both_ways_match_the_plain_loop_bit_for_bit() {
        let mut v = Values(0x2545_f491_4f6c_dd1d);
        for len in 0..41 {
            let x: [f32; 41] = v.fill();
            let out: [f32; 41] = v.fill();
            let s = v.next();
            let (x, out) = (&x[..len], &out[..len]);
            let mut want = [0.0f32; 41];
            for ((w, o), x) in want.iter_mut().zip(out).zip(x) {
                *w = *o + s * *x;
            }
            let (mut a, mut b) = ([0.0f32; 41], [0.0f32; 41]);
            a[..len].copy_from_slice(out);
            b[..len].copy_from_slice(out);
            axpy(s, x, &mut a[..len]);
            axpy_blocks(s, x, &mut b[..len]);
            for got in [&a, &b] {
                let bits = |v: &[f32]| {
                    v.iter()
                        .map(|f| f.to_bits())
                        .eq(want[..len].iter().map(|f| f.to_bits()))
                };
                assert!(bits(&got[..len]), "len {len}");
            }
        }
        // A shorter `x` updates only the first elements.
        let mut out = [1.0; 5];
        axpy(2.0, &[1.0, 2.0], &mut out);
        assert_eq!(out, [3.0, 5.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn outer_sum_ignores_unpaired_steps() {
        let a = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let b = [[1.0], [10.0]];
        let mut out = [[0.5], [0.5]];
        outer_sum_into(&a, &b, &mut out, true);
        assert_eq!(out, [[0.5 + 30.0 + 1.0], [0.5 + 40.0 + 2.0]]);
        sum_into(&b, &mut out[0], false);
        assert_eq!(out[0], [11.0]);
    }

    /// `sum_into`, four columns at a time, adds what a walk down each column adds, in the same
    /// order (last row first), so the same bits; over widths with and without a rest.
    #[test]
    fn sum_into_is_the_column_walk() {
        fn check<const M: usize>() {
            let mut b = [[0.0f32; M]; 5];
            for (i, row) in b.iter_mut().enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    // Magnitudes far apart, so that the order of the additions shows.
                    *v = (((i * 7 + j * 3) % 11) as f32 - 5.0) * [1e-7, 1.0, 3e5][(i + j) % 3];
                }
            }
            for add in [false, true] {
                let start: [f32; M] = core::array::from_fn(|j| 0.1 * j as f32);
                let mut want = start;
                for (j, w) in want.iter_mut().enumerate() {
                    let mut acc = if add { *w } else { 0.0 };
                    for row in b.iter().rev() {
                        acc += row[j];
                    }
                    *w = acc;
                }
                let mut got = start;
                sum_into(&b, &mut got, add);
                assert_eq!(
                    got.map(f32::to_bits),
                    want.map(f32::to_bits),
                    "M {M}, add {add}"
                );
            }
        }
        check::<1>();
        check::<4>();
        check::<7>();
        check::<16>();
    }
}
