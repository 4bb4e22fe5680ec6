//! The crate's error type.

use core::fmt;

/// Everything that can go wrong at run time.
///
/// Shape mistakes (a sequence of the wrong length, a model with the wrong number of inputs) are
/// type errors and never reach this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A number does not fit the task's `bits`-bit encoding (or a sum would not).
    NumberTooLarge {
        /// The number that was given (for a pair, their sum).
        value: u64,
        /// The number of bits available.
        bits: u32,
    },
    /// The loss of a training step is NaN or infinite; the weights were left as they were.
    NonFiniteLoss,
    /// A gradient is NaN or infinite; the weights were left as they were.
    NonFiniteGradient,
    /// The update would make a weight NaN or infinite; the weights were left as they were.
    NonFiniteWeight,
    /// The learning rate is not a positive, finite number.
    InvalidLearningRate,
    /// The gradient-clipping threshold is not a positive, finite number.
    InvalidClipThreshold,
    /// The standard deviation of a normal initialisation is not a non-negative, finite number.
    InvalidInitStd,
    /// A buffer is too short for the record written into or read from it.
    BufferTooShort {
        /// Bytes the record needs.
        needed: usize,
        /// Bytes the buffer has.
        got: usize,
    },
    /// The bytes do not start with the magic of the expected record (`TRNM`, `TRNS`, `TRNH`,
    /// `TRQM` or `TRQS`).
    BadMagic,
    /// The record's format version is not one this crate reads.
    UnsupportedVersion(u16),
    /// The record's shape (`I`, `H`, `O`, or `L`) is not the type's it is read into.
    ShapeMismatch,
    /// The record's CRC-32 does not match its bytes.
    BadChecksum,
    /// A field of the record holds a value no writer produces (an unknown activation or flag,
    /// a learning rate that is not positive, ...).
    InvalidField,
    /// The record holds a NaN or infinite number.
    NonFiniteValue,
    /// A target is outside what the loss accepts (a cross-entropy's in `[0, 1]`, a softmax's
    /// summing to 1); nothing was changed.
    InvalidTarget,
    /// The loss does not train the model's output layer (a softmax with the squared error, a
    /// linear output with the cross-entropy).
    OutputLossMismatch,
    /// An optimiser's setting is out of its range (a momentum or a beta outside `[0, 1)`, an
    /// epsilon or weight decay that is negative or not finite).
    InvalidOptimizer,
    /// A batch is empty, or its inputs and targets differ in number.
    InvalidBatch,
    /// The training state was written by a trainer with another loss or optimiser.
    TrainerMismatch,
    /// A value does not fit the fixed-point format it is converted to (a weight outside
    /// `[-16, 16)` for Q4.11, or NaN); nothing was converted.
    NotRepresentable,
    /// The fixed-point path does not have this part of the model (it has the sigmoid output
    /// only, not the linear or softmax one).
    UnsupportedInFixedPoint,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NumberTooLarge { value, bits } => {
                write!(f, "{value} does not fit in {bits} bits")
            }
            Error::NonFiniteLoss => f.write_str("the loss is not finite (training diverged)"),
            Error::NonFiniteGradient => f.write_str("a gradient is not finite (training diverged)"),
            Error::NonFiniteWeight => {
                f.write_str("the update would make a weight non-finite (training diverged)")
            }
            Error::InvalidLearningRate => {
                f.write_str("the learning rate must be a positive, finite number")
            }
            Error::InvalidClipThreshold => {
                f.write_str("the clipping threshold must be a positive, finite number")
            }
            Error::InvalidInitStd => {
                f.write_str("the initialisation std must be a non-negative, finite number")
            }
            Error::BufferTooShort { needed, got } => {
                write!(
                    f,
                    "buffer too short: the record needs {needed} bytes, got {got}"
                )
            }
            Error::BadMagic => f.write_str(
                "not the expected tinyrnn record (wrong magic bytes: a model starts with TRNM, \
                 a training state with TRNS, a stream state with TRNH, a fixed-point model with \
                 TRQM, a fixed-point training state with TRQS)",
            ),
            Error::UnsupportedVersion(v) => write!(f, "unsupported format version {v}"),
            Error::ShapeMismatch => f.write_str("the record is for a model of another shape"),
            Error::BadChecksum => f.write_str("the record is corrupted (CRC-32 mismatch)"),
            Error::InvalidField => f.write_str("the record holds an invalid field"),
            Error::NonFiniteValue => f.write_str("the record holds a NaN or infinite number"),
            Error::InvalidTarget => f.write_str("a target is outside what the loss accepts"),
            Error::OutputLossMismatch => {
                f.write_str("this loss does not train the model's output layer")
            }
            Error::InvalidOptimizer => f.write_str("an optimiser setting is out of its range"),
            Error::InvalidBatch => {
                f.write_str("the batch is empty, or its inputs and targets differ in number")
            }
            Error::TrainerMismatch => {
                f.write_str("the training state is for another loss or optimiser")
            }
            Error::NotRepresentable => f.write_str(
                "a value does not fit the fixed-point format (weights must be in [-16, 16))",
            ),
            Error::UnsupportedInFixedPoint => f.write_str(
                "the fixed-point path has the sigmoid output only (not linear or softmax)",
            ),
        }
    }
}

impl core::error::Error for Error {}

/// `core::result::Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::format::{
        FIXED_MODEL_MAGIC, FIXED_STATE_MAGIC, MODEL_MAGIC, STATE_MAGIC, STREAM_MAGIC,
    };
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// One value of every variant.
    fn every_error() -> [Error; 21] {
        // Does not compile when a variant is added and not listed here.
        let _listed = |e: Error| match e {
            Error::NumberTooLarge { .. }
            | Error::NonFiniteLoss
            | Error::NonFiniteGradient
            | Error::NonFiniteWeight
            | Error::InvalidLearningRate
            | Error::InvalidClipThreshold
            | Error::InvalidInitStd
            | Error::BufferTooShort { .. }
            | Error::BadMagic
            | Error::UnsupportedVersion(_)
            | Error::ShapeMismatch
            | Error::BadChecksum
            | Error::InvalidField
            | Error::NonFiniteValue
            | Error::InvalidTarget
            | Error::OutputLossMismatch
            | Error::InvalidOptimizer
            | Error::InvalidBatch
            | Error::TrainerMismatch
            | Error::NotRepresentable
            | Error::UnsupportedInFixedPoint => {}
        };
        [
            Error::NumberTooLarge {
                value: 300,
                bits: 8,
            },
            Error::NonFiniteLoss,
            Error::NonFiniteGradient,
            Error::NonFiniteWeight,
            Error::InvalidLearningRate,
            Error::InvalidClipThreshold,
            Error::InvalidInitStd,
            Error::BufferTooShort {
                needed: 1304,
                got: 16,
            },
            Error::BadMagic,
            Error::UnsupportedVersion(7),
            Error::ShapeMismatch,
            Error::BadChecksum,
            Error::InvalidField,
            Error::NonFiniteValue,
            Error::InvalidTarget,
            Error::OutputLossMismatch,
            Error::InvalidOptimizer,
            Error::InvalidBatch,
            Error::TrainerMismatch,
            Error::NotRepresentable,
            Error::UnsupportedInFixedPoint,
        ]
    }

    #[test]
    fn every_error_has_a_message_of_its_own() {
        let messages: Vec<String> = every_error().iter().map(|e| e.to_string()).collect();
        for (i, m) in messages.iter().enumerate() {
            assert!(m.len() > 10, "{:?}: {m:?}", every_error()[i]);
            for other in &messages[i + 1..] {
                assert_ne!(m, other);
            }
        }
    }

    #[test]
    fn messages_say_what_the_values_are() {
        let [
            too_large,
            ..,
            too_short,
            bad_magic,
            version,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
            _,
        ] = every_error();
        assert_eq!(too_large.to_string(), "300 does not fit in 8 bits");
        assert_eq!(
            too_short.to_string(),
            "buffer too short: the record needs 1304 bytes, got 16"
        );
        assert_eq!(version.to_string(), "unsupported format version 7");
        // The magic of every record the readers take.
        let said = bad_magic.to_string();
        for magic in [
            MODEL_MAGIC,
            STATE_MAGIC,
            STREAM_MAGIC,
            FIXED_MODEL_MAGIC,
            FIXED_STATE_MAGIC,
        ] {
            let magic = core::str::from_utf8(&magic).unwrap();
            assert!(said.contains(magic), "{said:?} does not name {magic}");
        }
    }
}
