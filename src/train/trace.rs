//! The trace a forward pass keeps for backpropagation, and the loss of the traced outputs.

#[cfg(doc)]
use crate::Rnn;

/// What backpropagation needs from a forward pass: the hidden states `z_1..z_L` and the outputs
/// `y_1..y_L` (the inputs and targets, and `z_0` if it is not zero, are passed again to
/// [`Rnn::backward_add_into`] or its `_from` variant).
///
/// Size: `4 L (H + O)` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace<const H: usize, const O: usize, const L: usize> {
    /// Hidden state after each step, `zs[t] = z_{t+1}` in the seed's numbering.
    pub zs: [[f32; H]; L],
    /// Output of each step.
    pub ys: [[f32; O]; L],
}

impl<const H: usize, const O: usize, const L: usize> Trace<H, O, L> {
    /// An all-zero trace.
    #[must_use]
    pub const fn zeros() -> Self {
        Trace {
            zs: [[0.0; H]; L],
            ys: [[0.0; O]; L],
        }
    }

    /// The seed's loss of the traced outputs against `ds`: `Σ_t mean_o((d - y)²) / 2`.
    #[must_use]
    pub fn loss(&self, ds: &[[f32; O]; L]) -> f32 {
        let mut total = 0.0;
        for (y, d) in self.ys.iter().zip(ds.iter()) {
            let mut s = 0.0;
            for (yo, dd) in y.iter().zip(d.iter()) {
                let e = dd - yo;
                s += e * e;
            }
            total += s / O as f32 / 2.0;
        }
        total
    }
}

/// [`Trace::zeros`].
impl<const H: usize, const O: usize, const L: usize> Default for Trace<H, O, L> {
    fn default() -> Self {
        Self::zeros()
    }
}
