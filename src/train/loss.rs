//! Losses, and where the labels are: what a training step minimises.
//!
//! A loss is chosen with the output layer it trains ([`Output`]):
//!
//! | output | loss | per labelled step `t` | `d loss / d v_t` (`v` the output layer's input) |
//! | --- | --- | --- | --- |
//! | sigmoid | [`SquaredError`] (the course's) | `mean_o (d - y)² / 2` | `(y - d) / O · y (1 - y)` |
//! | linear | [`SquaredError`] (regression) | `mean_o (d - y)² / 2` | `(y - d) / O` |
//! | sigmoid | [`CrossEntropy`] (binary, per output) | `mean_o -(d log y + (1 - d) log(1 - y))` | `(y - d) / O` |
//! | softmax | [`CrossEntropy`] (one class of `O`) | `-Σ_o d log y` | `y - d` |
//!
//! The loss of a sequence is the sum over its labelled steps. The cross-entropies are computed
//! from `v`, not from `y`, in forms that cannot overflow or take the log of zero:
//! `max(v, 0) - v d + log(1 + e^-|v|)` for the sigmoid, `logsumexp(v) - Σ_o d v` for the
//! softmax. Their targets are checked: each in `[0, 1]`, and for the softmax summing to 1
//! (within `1e-4`): a target outside that is [`Error::InvalidTarget`], never a NaN.

use crate::error::{Error, Result};
use crate::output::{Output, log_sum_exp};

/// Where a sequence's labels are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels<'a, const L: usize> {
    /// A target at every step (the course's).
    Every,
    /// A target at the last step only: a label for the whole sequence (what class of motion
    /// was this?). The targets of the other steps are not read.
    Last,
    /// A target where the mask is `true`: a sequence shorter than `L`, padded, is masked after
    /// its end. The targets of the other steps are not read.
    Mask(&'a [bool; L]),
}

impl<const L: usize> Labels<'_, L> {
    /// Whether step `t` (from 0) has a target.
    #[inline]
    #[must_use]
    pub fn has(&self, t: usize) -> bool {
        match self {
            Labels::Every => true,
            Labels::Last => L.checked_sub(1) == Some(t),
            Labels::Mask(m) => m.get(t).copied().unwrap_or(false),
        }
    }
}

/// A sequence's targets and where they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets<'a, const O: usize, const L: usize> {
    /// The target of each step (read only where [`Targets::labels`] has one).
    pub ds: &'a [[f32; O]; L],
    /// Which steps have a target.
    pub labels: Labels<'a, L>,
}

impl<'a, const O: usize, const L: usize> Targets<'a, O, L> {
    /// A target at every step.
    #[must_use]
    pub const fn every(ds: &'a [[f32; O]; L]) -> Self {
        Targets {
            ds,
            labels: Labels::Every,
        }
    }

    /// Checks every labelled target for `Lo` and the output layer `output`.
    pub(crate) fn check<Lo: Loss>(&self, output: Output) -> Result<()> {
        if !Lo::trains(output) {
            return Err(Error::OutputLossMismatch);
        }
        // `(0..L).zip`, not `enumerate`, whose counter has an overflow check in a debug build.
        for (t, d) in (0..L).zip(self.ds) {
            if self.labels.has(t) {
                Lo::check_target(output, d)?;
            }
        }
        Ok(())
    }
}

/// A loss: how a step's outputs are scored against its targets, and the gradient of that score
/// with respect to the output layer's input. Implemented by [`SquaredError`] and
/// [`CrossEntropy`]; a training step is generic over it, so a firmware links the code of the
/// loss it uses and no other.
pub trait Loss: Copy + Default + core::fmt::Debug + PartialEq {
    /// Its code in a training-state record.
    const CODE: u8;

    /// Whether this loss trains the output layer `output`.
    fn trains(output: Output) -> bool;

    /// Checks the targets of one step for the output layer `output`.
    ///
    /// # Errors
    /// [`Error::InvalidTarget`] if this loss does not accept `d`.
    fn check_target<const O: usize>(output: Output, d: &[f32; O]) -> Result<()>;

    /// The loss of one step: `v` the output layer's input, `y` its output, `d` the target.
    fn step_loss<const O: usize>(output: Output, v: &[f32; O], y: &[f32; O], d: &[f32; O]) -> f32;

    /// `d loss / d v` for one step, into `delta`.
    fn delta<const O: usize>(output: Output, y: &[f32; O], d: &[f32; O], delta: &mut [f32; O]);
}

/// The squared error `Σ_t mean_o (d - y)² / 2`: the course's loss, with a sigmoid output, or a
/// regression's, with a linear one. It accepts any target: a NaN or infinite one makes the loss
/// non-finite, which a training step refuses ([`Error::NonFiniteLoss`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SquaredError;

/// The cross-entropy: binary per output with a sigmoid output, over the `O` classes with a
/// softmax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrossEntropy;

impl Loss for SquaredError {
    const CODE: u8 = 0;

    fn trains(output: Output) -> bool {
        matches!(output, Output::Sigmoid | Output::Linear)
    }

    #[inline]
    fn check_target<const O: usize>(_: Output, _: &[f32; O]) -> Result<()> {
        Ok(())
    }

    #[inline]
    fn step_loss<const O: usize>(_: Output, _: &[f32; O], y: &[f32; O], d: &[f32; O]) -> f32 {
        // The order of `Trace::loss`, so that both give the same bits.
        let mut s = 0.0;
        for (yo, dd) in y.iter().zip(d) {
            let e = dd - yo;
            s += e * e;
        }
        s / O as f32 / 2.0
    }

    #[inline]
    fn delta<const O: usize>(output: Output, y: &[f32; O], d: &[f32; O], delta: &mut [f32; O]) {
        let inv_o = 1.0 / O as f32;
        match output {
            Output::Linear => {
                for ((dv, yo), dd) in delta.iter_mut().zip(y).zip(d) {
                    *dv = (yo - dd) * inv_o;
                }
            }
            // The sigmoid (a softmax is refused before any step).
            _ => {
                for ((dv, yo), dd) in delta.iter_mut().zip(y).zip(d) {
                    *dv = (yo - dd) * inv_o * (yo * (1.0 - yo));
                }
            }
        }
    }
}

impl Loss for CrossEntropy {
    const CODE: u8 = 1;

    fn trains(output: Output) -> bool {
        matches!(output, Output::Sigmoid | Output::Softmax)
    }

    fn check_target<const O: usize>(output: Output, d: &[f32; O]) -> Result<()> {
        if !d.iter().all(|x| (0.0..=1.0).contains(x)) {
            return Err(Error::InvalidTarget);
        }
        if output == Output::Softmax {
            let sum: f32 = d.iter().sum();
            // Every target is in [0, 1], so the sum is finite.
            if libm::fabsf(sum - 1.0) > 1e-4 {
                return Err(Error::InvalidTarget);
            }
        }
        Ok(())
    }

    fn step_loss<const O: usize>(output: Output, v: &[f32; O], _: &[f32; O], d: &[f32; O]) -> f32 {
        match output {
            Output::Softmax => {
                let lse = log_sum_exp(v);
                let mut s = 0.0;
                for (vo, dd) in v.iter().zip(d) {
                    s += dd * (lse - vo);
                }
                s
            }
            // The sigmoid: -(d log σ(v) + (1 - d) log(1 - σ(v))) = max(v, 0) - v d + log(1 + e^-|v|).
            _ => {
                let mut s = 0.0;
                for (&vo, dd) in v.iter().zip(d) {
                    let pos = if vo > 0.0 { vo } else { 0.0 };
                    s += pos - vo * dd + libm::log1pf(libm::expf(-libm::fabsf(vo)));
                }
                s / O as f32
            }
        }
    }

    #[inline]
    fn delta<const O: usize>(output: Output, y: &[f32; O], d: &[f32; O], delta: &mut [f32; O]) {
        let scale = if output == Output::Softmax {
            1.0
        } else {
            1.0 / O as f32
        };
        for ((dv, yo), dd) in delta.iter_mut().zip(y).zip(d) {
            *dv = (yo - dd) * scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_loss_trains_which_output() {
        assert!(SquaredError::trains(Output::Sigmoid) && SquaredError::trains(Output::Linear));
        assert!(!SquaredError::trains(Output::Softmax));
        assert!(CrossEntropy::trains(Output::Sigmoid) && CrossEntropy::trains(Output::Softmax));
        assert!(!CrossEntropy::trains(Output::Linear));
    }

    #[test]
    fn targets_are_checked() {
        assert_eq!(
            SquaredError::check_target(Output::Linear, &[-3.0, 1e30]),
            Ok(())
        );
        assert_eq!(
            CrossEntropy::check_target(Output::Sigmoid, &[0.0, 0.3, 1.0]),
            Ok(())
        );
        for bad in [[-0.1, 0.5], [0.5, 1.5], [f32::NAN, 0.0]] {
            assert_eq!(
                CrossEntropy::check_target(Output::Sigmoid, &bad),
                Err(Error::InvalidTarget)
            );
        }
        assert_eq!(
            CrossEntropy::check_target(Output::Softmax, &[0.0, 1.0, 0.0]),
            Ok(())
        );
        assert_eq!(
            CrossEntropy::check_target(Output::Softmax, &[0.25, 0.75]),
            Ok(())
        );
        assert_eq!(
            CrossEntropy::check_target(Output::Softmax, &[0.0, 0.0]),
            Err(Error::InvalidTarget)
        );
        assert_eq!(
            CrossEntropy::check_target(Output::Softmax, &[1.0, 1.0]),
            Err(Error::InvalidTarget)
        );
    }

    #[test]
    fn cross_entropy_is_stable_where_the_output_saturates() {
        // Binary: v = ±100 rounds σ(v) to 1 or 0; the loss is still about |v| when wrong.
        let y = [1.0f32];
        assert_eq!(
            CrossEntropy::step_loss(Output::Sigmoid, &[100.0], &y, &[0.0]),
            100.0
        );
        let right = CrossEntropy::step_loss(Output::Sigmoid, &[100.0], &y, &[1.0]);
        assert!((0.0..1e-40).contains(&right), "{right}"); // log(1 + e^-100), a subnormal
        assert_eq!(
            CrossEntropy::step_loss(Output::Sigmoid, &[-100.0], &[0.0], &[1.0]),
            100.0
        );
        let l = CrossEntropy::step_loss(Output::Sigmoid, &[0.0], &[0.5], &[1.0]);
        assert!((l - core::f32::consts::LN_2).abs() < 1e-7);
        // Softmax: a wrong class at 1000 against 0.
        let v = [1000.0, 0.0];
        assert_eq!(
            CrossEntropy::step_loss(Output::Softmax, &v, &[1.0, 0.0], &[0.0, 1.0]),
            1000.0
        );
        assert_eq!(
            CrossEntropy::step_loss(Output::Softmax, &v, &[1.0, 0.0], &[1.0, 0.0]),
            0.0
        );
    }

    #[test]
    fn labels_say_which_steps_count() {
        let mask = [true, false, true];
        let steps = |l: Labels<'_, 3>| [0, 1, 2].map(|t| l.has(t));
        assert_eq!(steps(Labels::Every), [true; 3]);
        assert_eq!(steps(Labels::Last), [false, false, true]);
        assert_eq!(steps(Labels::Mask(&mask)), mask);
        assert!(!Labels::Mask(&mask).has(3));
    }
}
