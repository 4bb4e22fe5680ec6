//! A tiny simple (Elman) recurrent neural network for `no_std`: const-generic fixed-size
//! weights, hand-written matrix loops, `libm` math, exact backpropagation through time, and no
//! allocation — so the same forward pass and the same training run on a microcontroller and on
//! a desktop, and the same seed gives the same bits on both.
//!
//! ```text
//! u_t = x_t · W_in + z_{t-1} · W (+ b_h)     z_t = sigmoid(u_t) or tanh(u_t),  z_0 = 0
//! y_t = sigmoid(z_t · W_out (+ b_out))
//! loss = Σ_t mean((d_t - y_t)²) / 2
//! ```
//!
//! It grew out of a deep-learning course exercise in which a simple RNN learns 8-bit binary
//! addition; the gradients are the exact derivatives of that loss (the course's code has a slip
//! at the output, see [`train`]).
//!
//! # Example
//!
//! ```
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::task::{self, Sample};
//! use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};
//!
//! // 2 inputs, 16 hidden units, 1 output; sequences of 8 steps: the course's setup.
//! let mut rng = XorShiftRng::seed_from_u64(1);
//! let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::Normal { std: 1.0 }, Activation::Sigmoid)?;
//! let mut trainer = Trainer::<2, 16, 1, 8>::new(model, 0.1)?;
//! for _ in 0..10_000 {
//!     let sample = Sample::<8>::random(&mut rng); // a, b < 128, bits least significant first
//!     trainer.step(&sample.xs, &sample.ds)?; // forward, BPTT, SGD
//! }
//! let accuracy = task::evaluate::<16, 8>(&trainer.model);
//! assert!(accuracy.is_perfect()); // every one of the 16,384 pairs added exactly
//! assert_eq!(trainer.model.checksum(), 0x6c7b_1ab3); // the same bits on every target
//! # Ok::<(), tinyrnn::Error>(())
//! ```
//!
//! # Where things are
//!
//! - [`Rnn`]: the weights (public fixed arrays), inference over a sequence
//!   ([`Rnn::forward_into`]) or one step at a time with the hidden state held by the caller
//!   ([`Rnn::step`]), initialisation ([`Init`], [`init`]).
//! - [`train`]: the pieces of a training step — [`Rnn::forward_trace`] into a [`Trace`],
//!   BPTT into [`Gradients`] ([`Rnn::backward_into`], or [`Rnn::backward_add_into`] to sum a
//!   batch), [`Gradients::clip_global_norm`], [`Rnn::sgd`] — and [`Trainer`], which bundles
//!   them; for streams longer than a sequence, truncated BPTT from a carried hidden state
//!   ([`Trainer::step_from`]).
//! - [`format`]: models, training states and stream states (a training state with the hidden
//!   state a stream carries) as bytes in caller-provided buffers (versioned, CRC-checked), for
//!   saving to flash and exact resumption after a reset.
//! - [`task`]: the course's binary-addition task and its accuracy over every pair;
//!   [`latch`]: a task for streams, which a network learns only with truncated BPTT.
//! - [`fixed`]: the same network trained and run in fixed point (Q4.11 weights, Q0.15 states,
//!   integer arithmetic only), for cores without a floating-point unit, with conversion from and
//!   to the `f32` model.
//! - [`gru`], [`lstm`]: the gated cells, [`gru::Gru`] and [`lstm::Lstm`] in PyTorch's
//!   conventions, for dependencies further back than an Elman network reaches: one step, a
//!   forward pass, exact BPTT for every loss and label placement, clipping, SGD, momentum and
//!   Adam, their trainers ([`gated::GruTrainer`], [`gated::LstmTrainer`]), model, training-state
//!   and stream-state records, trained on the device by the firmware on all four cores.
//! - [`linalg`], [`activation`]: the hand-written kernels and the activations.
//!
//! # Guarantees
//!
//! - `no_std`, no `alloc`, no `unsafe`; every value has a fixed size, given by a formula in its
//!   docs (a [`Trainer`] for 2-16-1 over 8 steps: 3,136 bytes).
//! - No panics on any input: bad input returns an [`Error`], and a training step that would
//!   make a weight, gradient or loss NaN or infinite changes nothing. The firmware example
//!   checks at link time that no panic path is left.
//! - Reproducible: every float function is `libm`'s or a copy of it with its bits on every input
//!   (where there is SIMD, the activations' `expf` and `tanhf` without branches; elsewhere, the
//!   sigmoid's `expf` with `scalbnf`'s work done in place) and every sum has a fixed order, so a
//!   seed gives the same weight bits on x86-64, 32-bit x86 with SSE2, Cortex-M, RISC-V and
//!   big-endian PowerPC (checked in CI, under QEMU where it is not the host). On x87 floating
//!   point (32-bit x86 without SSE2, such as the i586 targets), which does not round f32
//!   arithmetic as IEEE does, that and the finiteness checks fail, so the crate refuses to build
//!   there unless given `--cfg tinyrnn_x87`.
//!
//! # Features
//!
//! - `small-code`: rolled-up loops for less code and the same bits, for cores without a
//!   floating-point unit (about 5.0 KB less in the Cortex-M3 firmware, for 1% more
//!   instructions). Not for cores with one: on a Cortex-M4F it takes 2.7 times the
//!   instructions.
//!
//! The repository's README has the measured speed and footprint on the desktop and on four
//! microcontroller cores, the course's initialisation experiment over many seeds, and how the
//! crate differs from the course code.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]
// A result that is only computed, never acted on, is a caller's slip: say so.
#![warn(clippy::must_use_candidate, clippy::return_self_not_must_use)]

// x87 floating point (32-bit x86 without SSE2: the i586 targets, or i686 built with
// `-C target-feature=-sse2`) keeps f32 values in 80-bit registers and rounds them only when
// they are stored, so results differ from IEEE single precision in the last bits, differently
// for two ways of writing the same sum, and a value past f32's range can compare as finite
// before it is stored (rust-lang/rust#114479, #72327). Measured by scripts/x86-32.sh: there the
// seed's setup ends with other weights, the blocked kernels disagree with the plain loops, and
// SGD accepts steps that leave a weight infinite. Rather than build with those promises broken,
// refuse, unless asked not to. (i686-unknown-uefi has no SSE either, but computes floats in
// software, as IEEE says: it is not refused.)
#[cfg(all(
    target_arch = "x86",
    not(target_feature = "sse2"),
    not(target_os = "uefi"),
    not(tinyrnn_x87)
))]
compile_error!(
    "tinyrnn needs IEEE single-precision arithmetic, which x87 floating point (32-bit x86 \
     without SSE2, such as the i586 targets) does not give: a seed would not give the same bits \
     as on other targets, and a training step could leave a weight infinite \
     (rust-lang/rust#114479). Build for a target with SSE2 (i686), or set \
     RUSTFLAGS=\"--cfg tinyrnn_x87\" to build without those guarantees."
);

pub mod activation;
mod branch_free;
mod error;
pub mod fixed;
pub mod format;
pub mod gated;
pub mod gru;
pub mod init;
pub mod latch;
pub mod linalg;
pub mod lstm;
mod model;
pub mod output;
pub mod task;
pub mod train;

pub use activation::Activation;
pub use error::{Error, Result};
pub use init::Init;
pub use model::{PARAM_ARRAYS, Rnn};
pub use output::Output;
pub use train::{Gradients, Trace, Trainer};

/// The crate's RNG of choice, re-exported so examples and firmware use the same one.
pub use rand_xorshift::XorShiftRng;

/// The `rand_core` version this crate builds on, re-exported for `SeedableRng` and `Rng`.
pub use rand_core;

/// The README's code, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
