//! Shared by the integration tests (a module, not a test target of its own).

/// Every parameter of an `Rnn` or a `Gradients` (both have `arrays()`: `w_in`, `w`, `w_out`,
/// `b_h`, `b_out`), disabled biases included, in the crate's order: an iterator of `&f32`.
macro_rules! every_parameter {
    ($m:expr) => {
        $m.arrays().into_iter().flatten()
    };
}
pub(crate) use every_parameter;
