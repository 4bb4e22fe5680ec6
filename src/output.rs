//! The output layer: what turns `v = z · w_out (+ b_out)` into the outputs `y`.

/// The output layer of an [`Rnn`](crate::Rnn): `y = g(v)` with `v = z · w_out (+ b_out)`.
///
/// Chosen with the loss that trains it ([`Loss`](crate::train::Loss)): the sigmoid with the
/// squared error (the course's) or the binary cross-entropy, the linear output with the squared
/// error (regression), the softmax with the cross-entropy (one class of `O`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// `y = sigmoid(v)`, each output in `(0, 1)`: the course's.
    #[default]
    Sigmoid,
    /// `y = v`: a regression target anywhere in `f32`.
    Linear,
    /// `y = softmax(v)`: the `O` outputs are positive and sum to 1, a distribution over `O`
    /// classes. Computed as `exp(v_k - max v) / Σ_j exp(v_j - max v)`, which cannot overflow.
    Softmax,
}

impl Output {
    /// Its code in the model record (`0` sigmoid, `1` linear, `2` softmax).
    pub(crate) const fn code(self) -> u8 {
        match self {
            Output::Sigmoid => 0,
            Output::Linear => 1,
            Output::Softmax => 2,
        }
    }

    /// The output layer of a record's code.
    pub(crate) const fn from_code(code: u8) -> Option<Output> {
        match code {
            0 => Some(Output::Sigmoid),
            1 => Some(Output::Linear),
            2 => Some(Output::Softmax),
            _ => None,
        }
    }
}

/// `e^x` with the bits of `libm::expf`: the crate's copy of it (which the sigmoid links
/// already), or libm's own on x87, as [`sigmoid`](crate::activation::sigmoid) does.
#[inline]
fn exp(x: f32) -> f32 {
    if cfg!(all(target_arch = "x86", not(target_feature = "sse2"))) {
        libm::expf(x)
    } else {
        crate::branch_free::expf_scalar(x)
    }
}

/// The softmax of `v` into `y`: `exp(v_k - m) / Σ_j exp(v_j - m)` with `m = max v`, summed in
/// index order. A NaN in `v` gives NaN outputs.
pub(crate) fn softmax<const O: usize>(v: &[f32; O], y: &mut [f32; O]) {
    let m = v
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m });
    let mut sum = 0.0;
    for (y, &x) in y.iter_mut().zip(v) {
        *y = exp(x - m);
        sum += *y;
    }
    let inv = 1.0 / sum;
    y.iter_mut().for_each(|y| *y *= inv);
}

/// `log Σ_k exp(v_k)`, as `m + log Σ_k exp(v_k - m)` with `m = max v`: finite for any finite `v`.
pub(crate) fn log_sum_exp<const O: usize>(v: &[f32; O]) -> f32 {
    let m = v
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m });
    let mut sum = 0.0;
    for &x in v {
        sum += exp(x - m);
    }
    m + libm::logf(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_a_distribution_and_does_not_overflow() {
        let mut y = [0.0; 3];
        softmax(&[1.0, 2.0, 3.0], &mut y);
        let e = [libm::expf(-2.0), libm::expf(-1.0), 1.0];
        let s = e[0] + e[1] + e[2];
        for (got, want) in y.iter().zip(e) {
            assert!((got - want / s).abs() < 1e-7, "{y:?}");
        }
        softmax(&[1000.0, 0.0, -1000.0], &mut y);
        assert_eq!(y, [1.0, 0.0, 0.0]);
        softmax(&[5.0; 3], &mut y);
        assert!(y.iter().all(|&p| (p - 1.0 / 3.0).abs() < 1e-7));
        softmax(&[f32::NAN, 0.0, 0.0], &mut y);
        assert!(y.iter().all(|p| p.is_nan()));
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[0.0, 0.0]) - libm::logf(2.0)).abs() < 1e-7);
        assert_eq!(log_sum_exp(&[1000.0, -1000.0]), 1000.0);
        assert!(log_sum_exp(&[f32::MAX, 0.0]).is_finite());
    }

    #[test]
    fn codes_round_trip() {
        for o in [Output::Sigmoid, Output::Linear, Output::Softmax] {
            assert_eq!(Output::from_code(o.code()), Some(o));
        }
        assert_eq!(Output::from_code(3), None);
    }
}
