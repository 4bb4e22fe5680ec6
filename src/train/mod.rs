//! Training: the trace a forward pass keeps, backpropagation through time, gradients, gradient
//! clipping and plain SGD.
//!
//! The loss is the seed's: for a sequence of `L` steps with targets `d_t`,
//!
//! ```text
//! loss = Σ_t mean_o((d_t,o - y_t,o)²) / 2
//! ```
//!
//! and the gradients are its exact derivatives, including the sigmoid output's `y (1 - y)` (the
//! course code uses `sigmoid(y)(1 - sigmoid(y))` there by mistake; see the README).
//!
//! # Backpropagation through time, as computed here
//!
//! [`Rnn::forward_trace`] keeps the hidden states `z_t` and outputs `y_t` of every step (with
//! `z_0 = 0`, or a given state with [`Rnn::forward_trace_from`]); [`Rnn::backward_into`] then
//! runs back through the steps, carrying what each step sends back to the one before it
//! through `W`:
//!
//! ```text
//! carry = 0
//! for t = L, L-1, …, 1:
//!     delta_out_t = (y_t - d_t) / O ⊙ y_t ⊙ (1 - y_t)          d loss / d (z_t · W_out)
//!     delta_t     = (carry + delta_out_t · W_outᵀ) ⊙ f'(z_t)    d loss / d u_t
//!     carry       = delta_t · Wᵀ                               d loss / d z_{t-1}, through u_t
//!
//! dW_out = Σ_t z_tᵀ delta_out_t     dW_in = Σ_t x_tᵀ delta_t     dW = Σ_t z_{t-1}ᵀ delta_t
//! db_out = Σ_t delta_out_t          db_h  = Σ_t delta_t
//! ```
//!
//! with `f'(z) = z (1 - z)` for the sigmoid and `1 - z²` for tanh, written in terms of the
//! output `z` ([`Activation::derivative_from_output`]). The code keeps every `delta_t` and
//! `delta_out_t` first and sums each gradient over the steps afterwards, from the last step to
//! the first: the order in which the course's loop adds them, so the bits are those of the
//! loop above (`tests/reference.rs` checks the numbers against numpy, `tests/gradient_check.rs`
//! against finite differences). [`Rnn::sgd`] then applies `w -= lr · dw`.
//!
//! # The same by hand
//!
//! One input, one hidden unit, one output and two steps, every product of the chain rule
//! written out (σ is the sigmoid; with one output, the mean over outputs is that output),
//! against what [`Rnn::backward_into`] computes:
//!
//! ```
//! use tinyrnn::activation::sigmoid;
//! use tinyrnn::{Activation, Gradients, Rnn, Trace};
//!
//! let mut model = Rnn::<1, 1, 1>::zeros(Activation::Sigmoid, false);
//! let (a, b, c) = (0.8, -1.5, 2.0); // w_in, w, w_out
//! (model.w_in, model.w, model.w_out) = ([[a]], [[b]], [[c]]);
//! let (xs, ds) = ([[1.0], [0.5]], [[0.0], [1.0]]);
//! let ([[x1], [x2]], [[d1], [d2]]) = (xs, ds);
//!
//! // Forward, from z_0 = 0: z_1 = σ(x_1 a), z_2 = σ(x_2 a + z_1 b), y_t = σ(z_t c).
//! let z1 = sigmoid(x1 * a);
//! let z2 = sigmoid(x2 * a + z1 * b);
//! let (y1, y2) = (sigmoid(z1 * c), sigmoid(z2 * c));
//! // loss = ((y_1 - d_1)² + (y_2 - d_2)²) / 2
//!
//! // Backward, from the last step: delta_out_t = d loss / d (z_t c), delta_t = d loss / d u_t.
//! let dout2 = (y2 - d2) * y2 * (1.0 - y2); // the course's slip puts σ(y2)(1 - σ(y2)) here
//! let delta2 = dout2 * c * z2 * (1.0 - z2); // no step 3 sends anything back
//! let carry = delta2 * b; // what step 2 sends back to z_1, through w
//! let dout1 = (y1 - d1) * y1 * (1.0 - y1);
//! let delta1 = (carry + dout1 * c) * z1 * (1.0 - z1); // z_1 feeds both y_1 and u_2
//!
//! // Each weight's gradient: a sum over the steps that use it.
//! let d_w_out = z1 * dout1 + z2 * dout2;
//! let d_w_in = x1 * delta1 + x2 * delta2;
//! let d_w = z1 * delta2; // only step 2 uses w on a state that is not zero
//!
//! let (mut trace, mut grads) = (Trace::<1, 1, 2>::zeros(), Gradients::zeros());
//! model.forward_trace(&xs, &mut trace);
//! model.backward_into(&xs, &ds, &trace, &mut grads);
//! let close = |got: f32, want: f32| (got - want).abs() < 1e-6; // the gradients are 0.02-0.06
//! assert!(close(grads.w_out[0][0], d_w_out));
//! assert!(close(grads.w_in[0][0], d_w_in));
//! assert!(close(grads.w[0][0], d_w));
//! assert!(close(trace.loss(&ds), ((y1 - d1) * (y1 - d1) + (y2 - d2) * (y2 - d2)) / 2.0));
//! ```
//!
//! # Streams longer than `L`: truncated BPTT
//!
//! A sequence of `L` steps starts from `z_0 = 0`. A stream that goes on (a sensor, say) is
//! trained in windows of `L` steps instead, each starting in the state the previous one ended
//! in: [`Rnn::forward_trace_from`] and [`Rnn::backward_from_into`] take that state as `z_0`,
//! held fixed, which adds the term `z_0ᵀ delta_1` to `dW` (the `t = 1` term above, zero when
//! `z_0` is), and [`Trainer::step_from`] carries the state from one window to the next. The
//! gradients are exact for each window; nothing flows back past its start (the truncation).
//!
//! # Example: other tasks
//!
//! A classifier (softmax, cross-entropy, the label at the last step, Adam) and a regression
//! (a linear output, momentum), one step each; `tests/tasks.rs` trains both to the end, a padded
//! sequence under a mask (`Labels::Mask`, with `Trainer::step_targets`) and mini-batches
//! (`Trainer::step_batch`).
//!
//! ```
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::train::{Adam, CrossEntropy, Momentum, SquaredError};
//! use tinyrnn::{Activation, Init, Output, Rnn, Trainer, XorShiftRng};
//!
//! let mut rng = XorShiftRng::seed_from_u64(1);
//! // A classifier: 3 channels over 6 steps, one class for the whole sequence (softmax,
//! // cross-entropy, the label at the last step), trained by Adam.
//! let model = Rnn::<3, 12, 3>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?
//!     .with_biases(true)
//!     .with_output(Output::Softmax);
//! let mut classifier = Trainer::<3, 12, 3, 6, CrossEntropy, Adam<3, 12, 3>>::with(
//!     model, 0.01, CrossEntropy, Adam::default())?;
//! let xs = [[0.0, 1.0, 0.0], [0.0; 3], [0.0; 3], [0.0; 3], [0.0; 3], [0.0; 3]];
//! classifier.step_last(&xs, &[0.0, 1.0, 0.0])?; // class 1: the channel that pulsed
//!
//! // A regression: the next value of a sine wave, a linear output, momentum.
//! let model = Rnn::<1, 8, 1>::from_rng(&mut rng, Init::Xavier, Activation::Tanh)?
//!     .with_biases(true)
//!     .with_output(Output::Linear);
//! let mut regression = Trainer::<1, 8, 1, 10, SquaredError, Momentum<1, 8, 1>>::with(
//!     model, 0.02, SquaredError, Momentum::new(0.9)?)?;
//! let wave: [[f32; 1]; 11] = core::array::from_fn(|t| [2.0 * libm::sinf(0.4 * t as f32)]);
//! let (xs, ds) = (wave[..10].try_into().unwrap(), wave[1..].try_into().unwrap());
//! regression.step(&xs, &ds)?;
//! # Ok::<(), tinyrnn::Error>(())
//! ```

#[cfg(doc)]
use crate::{Activation, Rnn};

mod bptt;
mod gradients;
pub mod loss;
pub(crate) mod optim;
mod trace;
mod trainer;

pub use gradients::Gradients;
pub use loss::{CrossEntropy, Labels, Loss, SquaredError, Targets};
pub use optim::{Adam, Momentum, Optimizer, Sgd, check_learning_rate};
pub use trace::Trace;
pub use trainer::{Reduction, Trainer};

/// Helpers the unit tests of the training files share.
#[cfg(test)]
pub(crate) mod test_util {
    extern crate std;

    use crate::{Activation, Gradients, Init, Rnn};
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    /// The bits of every gradient, in order.
    pub(crate) fn grad_bits<const I: usize, const H: usize, const O: usize>(
        g: &Gradients<I, H, O>,
    ) -> std::vec::Vec<u32> {
        g.arrays()
            .iter()
            .flat_map(|s| s.iter().map(|x| x.to_bits()))
            .collect()
    }

    /// A model with biases and a window of three steps on which to check the `_from` methods.
    pub(crate) fn stateful_case(act: Activation) -> (Rnn<2, 4, 1>, [[f32; 2]; 3], [[f32; 1]; 3]) {
        let mut rng = XorShiftRng::seed_from_u64(5);
        let m = Rnn::<2, 4, 1>::from_rng(&mut rng, Init::Xavier, act)
            .unwrap()
            .with_biases(true);
        (
            m,
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            [[1.0], [0.0], [1.0]],
        )
    }
}
