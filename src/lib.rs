#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod activation;
mod error;
pub mod format;
pub mod init;
pub mod linalg;
mod model;
pub mod task;
pub mod train;

pub use activation::Activation;
pub use error::{Error, Result};
pub use init::Init;
pub use model::Rnn;
pub use train::{Gradients, Trace, Trainer};

/// The crate's RNG of choice, re-exported so examples and firmware use the same one.
pub use rand_xorshift::XorShiftRng;

/// The `rand_core` version this crate builds on, re-exported for `SeedableRng` and `Rng`.
pub use rand_core;
