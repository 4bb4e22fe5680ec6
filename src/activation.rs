//! Activation functions and their derivatives: `libm`'s, or copies of its functions with its
//! bits on every input (`src/branch_free.rs`).

/// The logistic sigmoid `1 / (1 + e^-x)`, as the seed's `functions.sigmoid`.
///
/// `e^-x` has the bits of `libm::expf(-x)`, through a copy of it that applies `2^k` by one
/// multiplication instead of a call of libm's `scalbnf`: on a Cortex-M4F the 136 sigmoids of a
/// training iteration of the course's setup take some 40 instructions each instead of 59
/// (`bash scripts/firmware-profile.sh`). On x87 (32-bit x86 without SSE2), which libm gives an
/// `expf` of its own, that one.
///
/// Saturates cleanly: very negative `x` gives `0.0`, very positive `x` gives `1.0`, never NaN
/// for a non-NaN input.
#[inline]
#[must_use]
pub fn sigmoid(x: f32) -> f32 {
    // libm's `expf` on x87, which has its own; a copy of it with its bits everywhere else.
    let e = if cfg!(all(target_arch = "x86", not(target_feature = "sse2"))) {
        libm::expf(-x)
    } else {
        crate::branch_free::expf_scalar(-x)
    };
    1.0 / (1.0 + e)
}

/// `tanh` on every element of `x`, in place: `libm::tanhf`'s bits, through its branch-free copy
/// ([`crate::branch_free::tanhf`], checked on all 2³² inputs) where floats are in hardware. The
/// gated cells
/// call it; on a Cortex-M4F it takes fewer instructions than `libm::tanhf` (which calls
/// `expm1f`): the GRU's training iteration of the course's shapes 107,407 instead of 108,405
/// (`FEATURES=gru ITERS=1500 bash scripts/firmware-profile.sh`), before the conversion of
/// `expm1f`'s `k` by one instruction took it further. The Elman network's
/// [`Activation::apply_in_place`] keeps `libm::tanhf` where there is no SIMD, so that its
/// firmware figures do not move.
///
/// Where floats are soft (Cortex-M0 and M3, RISC-V without `F`), `libm::tanhf` itself: there
/// every float operation is a call, and the branch-free copy, which works out every case,
/// took more of them (a GRU iteration on the Cortex-M3 3,646,510 instructions instead of
/// 3,597,706).
#[inline]
pub(crate) fn tanh_in_place(x: &mut [f32]) {
    if crate::linalg::SIMD || crate::linalg::HARD_FLOAT {
        x.iter_mut()
            .for_each(|v| *v = crate::branch_free::tanhf(*v));
    } else {
        x.iter_mut().for_each(|v| *v = libm::tanhf(*v));
    }
}

/// [`sigmoid`] on every element of `x`, in place: the same bits as calling it on each.
///
/// Where there is SIMD ([`crate::linalg::SIMD`]), through a copy of `libm::expf` without
/// branches that the compiler runs on four elements at a time (its bits are libm's on every one
/// of the 2³² inputs, checked by an exhaustive test): the 136 sigmoids of a training iteration
/// of the course's setup, a hidden layer at a time, take about 60% of the time of 136 calls of
/// [`sigmoid`], and about half that of 136 calls of `libm::expf` (`cargo bench --bench train --
/// sigmoid`; README). Elsewhere, [`sigmoid`] on each
/// element: on a microcontroller the call is smaller and, measured on a Cortex-M4F, faster.
#[inline]
pub fn sigmoid_in_place(x: &mut [f32]) {
    if crate::linalg::SIMD {
        x.iter_mut()
            .for_each(|v| *v = 1.0 / (1.0 + crate::branch_free::expf(-*v)));
    } else {
        x.iter_mut().for_each(|v| *v = sigmoid(*v));
    }
}

/// The hidden layer's activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// The logistic sigmoid, as in the seed.
    #[default]
    Sigmoid,
    /// The hyperbolic tangent (the seed defines its derivative `d_tanh`).
    Tanh,
}

impl Activation {
    /// Applies the activation to a pre-activation `u`.
    #[inline]
    #[must_use]
    pub fn apply(self, u: f32) -> f32 {
        match self {
            Activation::Sigmoid => sigmoid(u),
            Activation::Tanh => libm::tanhf(u),
        }
    }

    /// [`Activation::apply`] on every element of `x`, in place: the same bits as applying it to
    /// each.
    ///
    /// Where there is SIMD ([`crate::linalg::SIMD`]), through copies of libm's `expf` and
    /// `tanhf` without branches, four elements at a time, with libm's bits on every input (see
    /// [`sigmoid_in_place`]); for tanh, 8 layers of 16 take about a third of the time of 128
    /// calls of `libm::tanhf` (`cargo bench --bench train -- tanh`). Elsewhere one call each.
    #[inline]
    pub fn apply_in_place(self, x: &mut [f32]) {
        match self {
            Activation::Sigmoid => sigmoid_in_place(x),
            Activation::Tanh if crate::linalg::SIMD => {
                x.iter_mut()
                    .for_each(|v| *v = crate::branch_free::tanhf(*v));
            }
            Activation::Tanh => x.iter_mut().for_each(|v| *v = libm::tanhf(*v)),
        }
    }

    /// The derivative `f'(u)`, written in terms of the output `z = f(u)`:
    /// `z (1 - z)` for the sigmoid, `1 - z²` for tanh (equal to the seed's `1 / cosh²(u)`).
    ///
    /// Only the output needs to be kept for backpropagation, which is why the trace stores `z`
    /// and not `u`.
    #[inline]
    #[must_use]
    pub fn derivative_from_output(self, z: f32) -> f32 {
        match self {
            Activation::Sigmoid => z * (1.0 - z),
            Activation::Tanh => 1.0 - z * z,
        }
    }

    /// A short lower-case name (`"sigmoid"`, `"tanh"`), for logs and command lines.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    /// Values from `1 / (1 + exp(-x))` in f64, rounded to f32.
    const SIGMOID_VECTORS: [(f32, f32); 5] = [
        (0.0, 0.5),
        (1.0, 0.731_058_6),
        (-1.0, 0.268_941_43),
        (4.0, 0.982_013_8),
        (-10.0, 4.539_787e-5),
    ];
    const TOLERANCE: f32 = 2.0 * f32::EPSILON;

    #[test]
    fn sigmoid_matches_reference() {
        for (x, expected) in SIGMOID_VECTORS {
            let actual = sigmoid(x);
            assert!(
                (actual - expected).abs() <= TOLERANCE * expected.abs().max(1e-30),
                "sigmoid({x}) = {actual}, expected {expected}"
            );
        }
    }

    #[test]
    fn sigmoid_saturates_without_nan() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid(f32::INFINITY), 1.0);
    }

    /// Bit for bit [`sigmoid`] and [`Activation::apply`] on each element, over lengths that
    /// leave every remainder of the four or eight lanes a loop turn may take, on inputs across
    /// the whole range.
    #[test]
    fn in_place_is_one_call_on_each() {
        let inputs: std::vec::Vec<f32> = (0..=u32::MAX / 65_521)
            .map(|i| f32::from_bits(i * 65_521))
            .chain([
                0.0,
                -0.0,
                88.8,
                -88.8,
                104.0,
                -104.0,
                f32::INFINITY,
                f32::NEG_INFINITY,
            ])
            .collect();
        for len in 1..=17 {
            for chunk in inputs.chunks(len) {
                let mut v = std::vec::Vec::from(chunk);
                sigmoid_in_place(&mut v);
                for (x, y) in chunk.iter().zip(&v) {
                    assert_eq!(y.to_bits(), sigmoid(*x).to_bits(), "sigmoid({x:e})");
                }
                for act in [Activation::Sigmoid, Activation::Tanh] {
                    let mut v = std::vec::Vec::from(chunk);
                    act.apply_in_place(&mut v);
                    for (x, y) in chunk.iter().zip(&v) {
                        assert_eq!(y.to_bits(), act.apply(*x).to_bits(), "{act:?} of {x:e}");
                    }
                }
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(Activation::Sigmoid.name(), "sigmoid");
        assert_eq!(Activation::Tanh.name(), "tanh");
    }

    #[test]
    fn derivatives_match_central_differences() {
        for act in [Activation::Sigmoid, Activation::Tanh] {
            for i in -8..=8 {
                let u = i as f64 * 0.4;
                let f = |u: f64| match act {
                    Activation::Sigmoid => 1.0 / (1.0 + (-u).exp()),
                    Activation::Tanh => u.tanh(),
                };
                let h = 1e-5;
                let numeric = (f(u + h) - f(u - h)) / (2.0 * h);
                let analytic = act.derivative_from_output(act.apply(u as f32)) as f64;
                assert!(
                    (numeric - analytic).abs() < 1e-6,
                    "{act:?} at {u}: analytic {analytic}, numeric {numeric}"
                );
            }
        }
    }
}
