//! Activation functions and their derivatives, through `libm` only.

/// The logistic sigmoid `1 / (1 + e^-x)`, as the seed's `functions.sigmoid`.
///
/// Saturates cleanly: very negative `x` gives `0.0`, very positive `x` gives `1.0`, never NaN
/// for a non-NaN input.
#[inline]
#[must_use]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-x))
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
