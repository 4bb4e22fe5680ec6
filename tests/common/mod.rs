//! Shared by the integration tests (a module, not a test target of its own).

/// Every parameter of an `Rnn` or a `Gradients` (both have the fields `w_in`, `w`, `w_out`,
/// `b_h`, `b_out`), disabled biases included, in the crate's order: an iterator of `&f32`.
macro_rules! every_parameter {
    ($m:expr) => {{
        let m = $m;
        m.w_in
            .as_flattened()
            .iter()
            .chain(m.w.as_flattened())
            .chain(m.w_out.as_flattened())
            .chain(&m.b_h)
            .chain(&m.b_out)
    }};
}
pub(crate) use every_parameter;
