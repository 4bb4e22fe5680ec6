//! What the gated cells ([`crate::gru`], [`crate::lstm`]) share: the output layer on a state,
//! and plain gradient descent over their parameter arrays.

use crate::activation::sigmoid;
use crate::error::{Error, Result};
use crate::linalg::{axpy, vecmat_add_into};
use crate::output::{Output, softmax};

/// The output layer's input for a state: `v = h · w_out (+ b_out)`.
#[inline]
pub(crate) fn logits<const H: usize, const O: usize>(
    w_out: &[[f32; O]; H],
    b_out: Option<&[f32; O]>,
    h: &[f32; H],
) -> [f32; O] {
    let mut v = b_out.copied().unwrap_or([0.0; O]);
    vecmat_add_into(h, w_out, &mut v);
    v
}

/// The output layer `output` on `v`, into `y`.
#[inline]
pub(crate) fn apply_output<const O: usize>(output: Output, v: &[f32; O], y: &mut [f32; O]) {
    match output {
        Output::Sigmoid => y.iter_mut().zip(v).for_each(|(y, v)| *y = sigmoid(*v)),
        Output::Linear => *y = *v,
        Output::Softmax => softmax(v, y),
    }
}

/// `w -= lr · g` over the first `trained` arrays of `weights` and `grads`, all or nothing.
///
/// # Errors
/// [`Error::InvalidLearningRate`] unless `lr` is positive and finite; [`Error::NonFiniteWeight`]
/// if an updated weight would be NaN or infinite. Either way nothing is changed.
pub(crate) fn sgd<const N: usize>(
    weights: [&mut [f32]; N],
    grads: [&[f32]; N],
    trained: usize,
    lr: f32,
) -> Result<()> {
    if !(lr.is_finite() && lr > 0.0) {
        return Err(Error::InvalidLearningRate);
    }
    let finite = weights
        .iter()
        .zip(&grads)
        .take(trained)
        .all(|(w, g)| w.iter().zip(*g).all(|(w, g)| (w - lr * g).is_finite()));
    if !finite {
        return Err(Error::NonFiniteWeight);
    }
    for (w, g) in weights.into_iter().zip(grads).take(trained) {
        axpy(-lr, g, w);
    }
    Ok(())
}
