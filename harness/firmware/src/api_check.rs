//! With the `panic-check` feature: every public function of tinyrnn, called with inputs the
//! optimiser cannot see (`black_box`), for several shapes. Never run; it is there to be linked.
//! The `panic-check` panic handler calls a function that does not exist, so the firmware links
//! only if no panic path is left in any of these calls — for any input, not only the
//! firmware's own: the whole library, not just the part the application uses, is shown to be
//! panic-free on this target and profile.

use core::hint::black_box as opaque;

use tinyrnn::fixed::{self, FixedGradients, FixedRnn, FixedTrace, FixedTrainer};
use tinyrnn::format;
use tinyrnn::gated::{GatedAdam, GatedMomentum, GatedOptimizer, GruTrainer, LstmTrainer};
use tinyrnn::gru::{Gru, GruGates, GruGradients, GruTrace};
use tinyrnn::init::StandardNormal;
use tinyrnn::latch::{self, Latch};
use tinyrnn::linalg;
use tinyrnn::lstm::{Lstm, LstmGates, LstmGradients, LstmState, LstmTrace};
use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::task::{self, Sample};
use tinyrnn::train::{Adam, CrossEntropy, Labels, Momentum, Reduction, Sgd, SquaredError, Targets};
use tinyrnn::{
    Activation, Error, Gradients, Init, Output, Rnn, Trace, Trainer, XorShiftRng, activation,
};

/// Every public function, for shapes that cover the blocked kernels' main loops and leftovers.
#[inline(never)]
pub fn exercise() {
    model_and_training::<2, 16, 1, 8>();
    model_and_training::<3, 5, 2, 4>();
    model_and_training::<1, 1, 1, 1>();
    model_and_training::<4, 19, 3, 2>();
    losses_and_optimizers::<2, 16, 1, 8>();
    losses_and_optimizers::<3, 5, 2, 4>();
    losses_and_optimizers::<1, 1, 1, 1>();
    the_task::<16, 8>();
    the_task::<3, 1>();
    the_task::<5, 32>();
    the_latch::<8, 4>();
    the_latch::<3, 17>();
    kernels::<16, 8>();
    kernels::<5, 3>();
    kernels::<1, 19>();
    fixed_point::<2, 16, 1, 8>();
    fixed_point::<3, 5, 2, 11>();
    fixed_point::<1, 1, 1, 1>();
    fixed_task::<16, 8>();
    fixed_task::<3, 32>();
    gated_cells::<2, 16, 1, 8>();
    gated_cells::<3, 5, 2, 4>();
    gated_cells::<1, 1, 1, 1>();
    gated_trainers::<2, 16, 1, 8>();
    gated_trainers::<3, 5, 2, 4>();
    small_functions();
}

/// The gated cells' trainers (`tinyrnn::gated::GatedTrainer`), every public function, with each
/// optimiser and loss, on opaque inputs and settings.
#[inline(never)]
fn gated_trainers<const I: usize, const H: usize, const O: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([9; 16]));
    let xs = opaque([[0.5f32; I]; L]);
    let ds = opaque([[1.0f32; O]; L]);
    let mask = opaque([true; L]);
    let labels = match opaque(0u8) {
        0 => Labels::Every,
        1 => Labels::Last,
        _ => Labels::Mask(&mask),
    };
    let targets = Targets { ds: &ds, labels };
    let reduction = if opaque(true) {
        Reduction::Sum
    } else {
        Reduction::Mean
    };
    let gru = match Gru::<I, H, O>::from_rng(&mut rng, any_init()) {
        Ok(m) => m.with_output(any_output()),
        Err(_) => Gru::zeros(),
    };
    if let Ok(mut t) = GruTrainer::<I, H, O, L>::new(opaque(gru.clone()), opaque(0.1)) {
        let mut h = opaque([0.0f32; H]);
        opaque(t.step(&xs, &ds).ok());
        opaque(t.step_targets(Some(&mut h), &xs, targets).ok());
        opaque(t.step_last(&xs, &ds[0]).ok());
        opaque(
            t.step_batch(opaque(&[xs][..]), opaque(&[ds][..]), labels, reduction)
                .ok(),
        );
        opaque((
            t.set_learning_rate(opaque(0.2)).is_ok(),
            t.set_clip(opaque(Some(1.0))).is_ok(),
        ));
        t.set_iterations(opaque(3));
        opaque((t.learning_rate(), t.clip(), t.iterations(), t.loss(), &t, h));
        if let Ok(t) = t.with_clip(opaque(None)) {
            opaque(&t);
        }
    }
    if let Ok(mut t) = GruTrainer::<I, H, O, L, CrossEntropy, GatedAdam<I, H, O, 3>>::with(
        gru,
        opaque(0.01),
        CrossEntropy,
        GatedAdam::default(),
    ) {
        opaque(t.step_targets(None, &xs, targets).ok());
        // The training-state and stream-state records, and what they keep of the optimiser.
        let mut bytes = [0u8; 16384];
        let bytes = opaque(&mut bytes[..]);
        let mut h = opaque([0.0f32; H]);
        opaque(t.write_state(&rng, bytes).is_ok());
        opaque(t.read_state(&mut rng, bytes).is_ok());
        opaque(t.write_stream_state(&rng, &h, bytes).is_ok());
        opaque(t.read_stream_state(&mut rng, &mut h, bytes).is_ok());
        opaque(state_of(&mut t.optimizer));
        opaque((&t, h));
    }
    let lstm = match Lstm::<I, H, O>::from_rng(&mut rng, any_init()) {
        Ok(m) => m.with_output(any_output()),
        Err(_) => Lstm::zeros(),
    };
    if let Ok(momentum) = GatedMomentum::new(opaque(0.9), opaque(0.0))
        && let Ok(mut t) = LstmTrainer::<I, H, O, L, SquaredError, _>::with(
            lstm,
            opaque(0.1),
            SquaredError,
            momentum,
        )
    {
        let mut s = opaque(LstmState::<H>::zeros());
        opaque(t.step(&xs, &ds).ok());
        opaque(t.step_targets(Some(&mut s), &xs, targets).ok());
        opaque(t.step_last(&xs, &ds[0]).ok());
        opaque(
            t.step_batch(opaque(&[xs][..]), opaque(&[ds][..]), labels, reduction)
                .ok(),
        );
        let mut bytes = [0u8; 16384];
        let bytes = opaque(&mut bytes[..]);
        opaque(t.write_stream_state(&rng, &s, bytes).is_ok());
        opaque(t.read_stream_state(&mut rng, &mut s, bytes).is_ok());
        opaque((t.write_state(&rng, bytes).is_ok(), t.optimizer.started()));
        opaque(t.read_state(&mut rng, bytes).is_ok());
        opaque(state_of(&mut t.optimizer));
        opaque((&t, s));
    }
    let mut sgd = opaque(tinyrnn::train::Sgd);
    opaque(state_of::<I, H, O, 4, _>(&mut sgd));
}

/// What a record keeps of a gated optimiser ([`GatedOptimizer`]'s record functions).
fn state_of<const I: usize, const H: usize, const O: usize, const G: usize, Op>(op: &mut Op) -> bool
where
    Op: GatedOptimizer<I, H, O, G>,
{
    let (settings, counter) = op.record_settings();
    let ok = Op::check_settings(opaque(settings), opaque(counter)).is_ok();
    op.set_settings(opaque(settings), opaque(counter));
    let k = opaque(0usize);
    opaque((op.state(k).is_some(), Op::CODE, Op::STATE_ARRAYS));
    opaque(op.state_mut(k).is_some());
    ok
}

/// The GRU and the LSTM (`tinyrnn::gru`, `tinyrnn::lstm`), every public function, on opaque
/// inputs, with either loss and any label placement.
#[inline(never)]
fn gated_cells<const I: usize, const H: usize, const O: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([7; 16]));
    let xs = opaque([[0.5f32; I]; L]);
    let ds = opaque([[1.0f32; O]; L]);
    let mask = opaque([true; L]);
    let labels = match opaque(0u8) {
        0 => Labels::Every,
        1 => Labels::Last,
        _ => Labels::Mask(&mask),
    };
    let targets = Targets { ds: &ds, labels };

    let mut gru = Gru::<I, H, O>::zeros()
        .with_biases(opaque(true))
        .with_output(any_output());
    if let Ok(m) = Gru::<I, H, O>::from_rng(&mut rng, any_init()) {
        gru = opaque(m);
    }
    let (mut h, mut y) = (opaque([0.0f32; H]), [0.0f32; O]);
    gru.step(&xs[0], &mut h, &mut y);
    let mut ys = [[0.0f32; O]; L];
    gru.forward_into(&xs, &mut ys);
    let mut trace = GruTrace::<H, O, L>::zeros();
    let mut grads = GruGradients::<I, H, O>::zeros();
    let h0 = opaque(Some(&h));
    opaque(
        gru.forward_trace_loss::<SquaredError, L>(h0, &xs, targets, &mut trace)
            .ok(),
    );
    gru.backward_loss_into::<SquaredError, L>(h0, &xs, targets, &trace, &mut grads);
    opaque(
        gru.forward_trace_loss::<CrossEntropy, L>(h0, &xs, targets, &mut trace)
            .ok(),
    );
    gru.backward_loss_add_into::<CrossEntropy, L>(h0, &xs, targets, &trace, &mut grads);
    opaque((grads.norm(), grads.clip_global_norm(opaque(1.0)).ok()));
    opaque(
        grads
            .arrays_mut()
            .get_mut(opaque(1))
            .and_then(|a| a.first_mut())
            .map(|g| *g = 0.5),
    );
    opaque(gru.sgd(&grads, opaque(0.1)).is_ok());
    // Momentum and Adam for the gated cells, from opaque settings.
    if let Ok(mut momentum) = GatedMomentum::new(opaque(0.9), opaque(0.0)) {
        opaque(momentum.update(&mut gru, &grads, opaque(0.1)).is_ok());
        opaque(momentum.settings());
        momentum.reset();
        opaque(&momentum);
    }
    let mut adam = GatedAdam::default();
    if let Ok(a) = GatedAdam::new(opaque(0.9), opaque(0.999), opaque(1e-8), opaque(0.0)) {
        adam = a;
    }
    opaque(adam.update(&mut gru, &grads, opaque(0.01)).is_ok());
    opaque((adam.settings(), adam.steps()));
    adam.reset();
    opaque(&adam);
    opaque((
        gru.arrays().map(<[f32]>::len),
        grads.arrays().map(<[f32]>::len),
    ));
    opaque(
        gru.arrays_mut()
            .get_mut(opaque(0))
            .and_then(|a| a.first_mut())
            .map(|w| *w = 1.0),
    );
    opaque((
        gru.checksum(),
        gru.init_from_rng(&mut rng, any_init()).is_ok(),
    ));
    // The gated model record, into and out of a buffer of any length.
    let mut bytes = [0u8; 6144];
    opaque(gru.write_to(opaque(&mut bytes[..])).is_ok());
    opaque(gru.read_from(opaque(&bytes[..])).is_ok());
    opaque(Gru::<I, H, O>::from_bytes(opaque(&bytes[..])).is_ok());
    opaque((&gru, &ys, GruGates::<H>::zeros()));

    let mut lstm = Lstm::<I, H, O>::zeros()
        .with_biases(opaque(true))
        .with_output(any_output());
    if let Ok(m) = Lstm::<I, H, O>::from_rng(&mut rng, any_init()) {
        lstm = opaque(m);
    }
    let mut state = opaque(LstmState::<H>::zeros());
    lstm.step(&xs[0], &mut state, &mut y);
    lstm.forward_into(&xs, &mut ys);
    let mut trace = LstmTrace::<H, O, L>::zeros();
    let mut grads = LstmGradients::<I, H, O>::zeros();
    let s0 = opaque(Some(&state));
    opaque(
        lstm.forward_trace_loss::<SquaredError, L>(s0, &xs, targets, &mut trace)
            .ok(),
    );
    lstm.backward_loss_into::<SquaredError, L>(s0, &xs, targets, &trace, &mut grads);
    opaque(
        lstm.forward_trace_loss::<CrossEntropy, L>(s0, &xs, targets, &mut trace)
            .ok(),
    );
    lstm.backward_loss_add_into::<CrossEntropy, L>(s0, &xs, targets, &trace, &mut grads);
    opaque((grads.norm(), grads.clip_global_norm(opaque(1.0)).ok()));
    opaque(
        grads
            .arrays_mut()
            .get_mut(opaque(1))
            .and_then(|a| a.first_mut())
            .map(|g| *g = 0.5),
    );
    opaque(lstm.sgd(&grads, opaque(0.1)).is_ok());
    let mut adam = GatedAdam::default();
    opaque(adam.update(&mut lstm, &grads, opaque(0.01)).is_ok());
    if let Ok(mut momentum) = GatedMomentum::new(opaque(0.5), opaque(0.01)) {
        opaque(momentum.update(&mut lstm, &grads, opaque(0.1)).is_ok());
    }
    opaque((
        lstm.arrays().map(<[f32]>::len),
        grads.arrays().map(<[f32]>::len),
    ));
    opaque(
        lstm.arrays_mut()
            .get_mut(opaque(0))
            .and_then(|a| a.first_mut())
            .map(|w| *w = 1.0),
    );
    opaque((
        lstm.checksum(),
        lstm.init_from_rng(&mut rng, any_init()).is_ok(),
    ));
    opaque(lstm.write_to(opaque(&mut bytes[..])).is_ok());
    opaque(lstm.read_from(opaque(&bytes[..])).is_ok());
    opaque(Lstm::<I, H, O>::from_bytes(opaque(&bytes[..])).is_ok());
    opaque((&lstm, &ys, LstmGates::<H>::zeros()));
}

/// The fixed-point path (`tinyrnn::fixed`), every public function, on opaque inputs.
#[inline(never)]
fn fixed_point<const I: usize, const H: usize, const O: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([9; 16]));
    let mut bytes = [0u8; 4096];
    let bytes = opaque(&mut bytes[..]);
    let mut model =
        FixedRnn::<I, H, O>::zeros(any_activation(), opaque(false)).with_biases(opaque(true));
    opaque(model.init_from_rng(&mut rng, any_init()).is_ok());
    if let Ok(m) = FixedRnn::<I, H, O>::from_rng(&mut rng, any_init(), any_activation()) {
        model = opaque(m);
    }
    if let Ok(m) = FixedRnn::from_f32(&opaque(Rnn::<I, H, O>::zeros(
        any_activation(),
        opaque(true),
    ))) {
        model = opaque(m);
    }
    opaque(model.to_f32().checksum());
    let xs: [[i16; I]; L] = opaque([[fixed::ONE; I]; L]);
    let ds: [[i16; O]; L] = opaque([[0; O]; L]);
    opaque(fixed::quantise_seq(&opaque([[0.5f32; I]; L])).is_ok());
    opaque((fixed::quantise(opaque(0.25)), fixed::to_f32(opaque(7))));
    opaque((fixed::sigmoid_q(opaque(5)), fixed::tanh_q(opaque(-5))));
    let mut ys = [[0i16; O]; L];
    model.forward_into(&xs, &mut ys);
    let (mut h, mut y) = (opaque([0i16; H]), [0i16; O]);
    model.step(&xs[0], &mut h, &mut y);
    let mut trace = FixedTrace::<H, O, L>::zeros();
    model.forward_trace(&xs, &mut trace);
    opaque(trace.loss(&ds));
    let mut grads = FixedGradients::<I, H, O>::zeros();
    let sat = model.backward_into(&xs, &ds, &trace, &mut grads);
    opaque((sat.none(), sat.plus(opaque(sat))));
    opaque((grads.norm_q16(), grads.clip_global_norm_q16(opaque(1))));
    opaque((
        model.checksum(),
        model.arrays(),
        model.trained(),
        grads.arrays(),
    ));
    opaque(
        model
            .arrays_mut()
            .into_iter()
            .flatten()
            .next()
            .map(|w| *w = w.wrapping_add(1)),
    );
    opaque(
        grads
            .arrays_mut()
            .into_iter()
            .flatten()
            .next()
            .map(|g| *g = g.wrapping_add(1)),
    );
    opaque(model.write_to(opaque(&mut bytes[..])).is_ok());
    opaque(model.read_from(opaque(&bytes[..])).is_ok());
    opaque((&ys, &h, &y));

    let mut trainer = FixedTrainer::<I, H, O, L>::zeros(any_activation(), opaque(true));
    opaque(trainer.set_learning_rate(opaque(6554)).is_ok());
    opaque(trainer.set_clip(opaque(Some(65536))).is_ok());
    opaque((
        trainer.learning_rate(),
        trainer.clip(),
        trainer.iterations(),
        trainer.saturations(),
    ));
    opaque(trainer.step(&xs, &ds).is_ok());
    opaque(trainer.write_state(&rng, opaque(&mut bytes[..])).is_ok());
    opaque(trainer.read_state(&mut rng, opaque(&bytes[..])).is_ok());
    if let Ok(t) = FixedTrainer::<I, H, O, L>::new(opaque(model), opaque(1))
        .and_then(|t| t.with_clip(opaque(None)))
    {
        trainer = opaque(t);
    }
    opaque(trainer.step(&xs, &ds).is_ok());
    opaque(&trainer);
}

/// The fixed-point task functions.
#[inline(never)]
fn fixed_task<const H: usize, const N: usize>() {
    let m = opaque(FixedRnn::<2, H, 1>::zeros(any_activation(), opaque(false)));
    opaque((
        task::evaluate_fixed::<H, N>(&m),
        task::adds_every_pair_fixed::<H, N>(&m),
    ));
    // The gated cells' evaluations, here for their 2-H-1 shape.
    let gru = opaque(Gru::<2, H, 1>::zeros());
    let lstm = opaque(Lstm::<2, H, 1>::zeros());
    opaque((
        task::evaluate_gru::<H, N>(&gru),
        task::evaluate_lstm::<H, N>(&lstm),
    ));
    if let Ok(s) = Sample::<N>::new(opaque(3), opaque(5)) {
        opaque((s.xs_fixed(), s.ds_fixed()));
    }
}

/// An activation the optimiser cannot predict.
fn any_activation() -> Activation {
    if opaque(true) {
        Activation::Sigmoid
    } else {
        Activation::Tanh
    }
}

/// An output layer the optimiser cannot predict.
fn any_output() -> Output {
    match opaque(0u8) {
        0 => Output::Sigmoid,
        1 => Output::Linear,
        _ => Output::Softmax,
    }
}

/// Labels the optimiser cannot predict.
fn any_labels<const L: usize>(mask: &[bool; L]) -> Labels<'_, L> {
    match opaque(0u8) {
        0 => Labels::Every,
        1 => Labels::Last,
        _ => Labels::Mask(mask),
    }
}

/// The output layers, losses, label placements, optimisers and mini-batches, and their records.
fn losses_and_optimizers<const I: usize, const H: usize, const O: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([5; 16]));
    let mut bytes = [0u8; 8192];
    let bytes = opaque(&mut bytes[..]);
    let model = Rnn::<I, H, O>::zeros(any_activation(), opaque(true)).with_output(any_output());
    let xs: [[f32; I]; L] = opaque([[0.5; I]; L]);
    let ds: [[f32; O]; L] = opaque([[1.0; O]; L]);
    let mask = opaque([true; L]);
    let targets = Targets {
        ds: &ds,
        labels: any_labels(&mask),
    };
    opaque(targets.labels.has(opaque(3)));
    opaque(Targets::every(&ds));
    let mut trace = Trace::<H, O, L>::zeros();
    let mut grads = Gradients::<I, H, O>::zeros();
    let h = opaque([0.25; H]);
    if let Ok(loss) =
        model.forward_trace_loss::<CrossEntropy, L>(Some(&h), &xs, targets, &mut trace)
    {
        opaque(loss);
        model.backward_loss_into::<CrossEntropy, L>(Some(&h), &xs, targets, &trace, &mut grads);
        model.backward_loss_add_into::<CrossEntropy, L>(None, &xs, targets, &trace, &mut grads);
    }
    opaque(
        model
            .forward_trace_loss::<SquaredError, L>(None, &xs, targets, &mut trace)
            .is_ok(),
    );
    let sgd = Trainer::<I, H, O, L, CrossEntropy>::zeros_with(
        any_activation(),
        opaque(false),
        CrossEntropy,
        Sgd,
    );
    opaque((&sgd, sgd.loss()));
    if let Ok(opt) = Momentum::<I, H, O>::with_weight_decay(opaque(0.9), opaque(0.01)) {
        opaque((opt.momentum(), opt.weight_decay(), opt.started()));
        opaque(Momentum::<I, H, O>::new(opaque(0.5)).is_ok());
        if let Ok(mut t) = Trainer::<I, H, O, L, SquaredError, Momentum<I, H, O>>::with(
            model.clone(),
            opaque(0.1),
            SquaredError,
            opt,
        ) {
            opaque(t.step_targets(None, &xs, targets).is_ok());
            opaque(t.write_state(&rng, opaque(&mut bytes[..])).is_ok());
            opaque(t.read_state(&mut rng, opaque(&bytes[..])).is_ok());
            opaque(&t);
        }
    }
    if let Ok(opt) = Adam::<I, H, O>::new(opaque(0.9), opaque(0.999), opaque(1e-8), opaque(0.0)) {
        opaque((opt.settings(), opt.steps()));
        if let Ok(mut t) = Trainer::<I, H, O, L, CrossEntropy, Adam<I, H, O>>::with(
            model,
            opaque(0.01),
            CrossEntropy,
            opt,
        ) {
            let mut hs = opaque([0.0; H]);
            opaque(t.step_targets(Some(&mut hs), &xs, targets).is_ok());
            opaque(t.step_last(&xs, &ds[0]).is_ok());
            let batch_x = opaque([xs; 3]);
            let batch_d = opaque([ds; 3]);
            let n = opaque(2usize);
            opaque(
                t.step_batch(
                    batch_x.get(..n).unwrap_or(&[]),
                    &batch_d,
                    targets.labels,
                    Reduction::Mean,
                )
                .is_ok(),
            );
            opaque(
                t.write_stream_state(&rng, &hs, opaque(&mut bytes[..]))
                    .is_ok(),
            );
            opaque(
                t.read_stream_state(&mut rng, &mut hs, opaque(&bytes[..]))
                    .is_ok(),
            );
            opaque((&t, &hs));
        }
    }
}

/// An initialisation the optimiser cannot predict.
fn any_init() -> Init {
    match opaque(0u8) {
        0 => Init::Normal { std: opaque(1.0) },
        1 => Init::Xavier,
        _ => Init::He,
    }
}

fn model_and_training<const I: usize, const H: usize, const O: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([7; 16]));
    let mut bytes = [0u8; 4096];
    let bytes = opaque(&mut bytes[..]);

    // The model: construction, inference, training pieces, saving and loading.
    let mut model =
        Rnn::<I, H, O>::zeros(any_activation(), opaque(false)).with_biases(opaque(true));
    opaque(model.init_from_rng(&mut rng, any_init()).is_ok());
    if let Ok(m) = Rnn::<I, H, O>::from_rng(&mut rng, any_init(), any_activation()) {
        model = opaque(m);
    }
    let xs: [[f32; I]; L] = opaque([[0.5; I]; L]);
    let ds: [[f32; O]; L] = opaque([[1.0; O]; L]);
    let mut ys = [[0.0; O]; L];
    model.forward_into(&xs, &mut ys);
    let mut h = opaque([0.0; H]);
    let mut y = [0.0; O];
    model.step(&xs[0], &mut h, &mut y);
    let mut trace = Trace::<H, O, L>::zeros();
    model.forward_trace(&xs, &mut trace);
    opaque(trace.loss(&ds));
    let mut grads = Gradients::<I, H, O>::zeros();
    model.backward_into(&xs, &ds, &trace, &mut grads);
    model.backward_add_into(&xs, &ds, &trace, &mut grads);
    model.forward_trace_from(&h, &xs, &mut trace);
    model.backward_from_into(&h, &xs, &ds, &trace, &mut grads);
    model.backward_add_from_into(&h, &xs, &ds, &trace, &mut grads);
    opaque((grads.norm(), grads.is_finite()));
    opaque(grads.clip_global_norm(opaque(1.0)).is_ok());
    opaque(model.sgd(&grads, opaque(0.1)).is_ok());
    grads.clear();
    opaque(model.checksum());
    opaque(model.parameters().fold(0.0, |s, w| s + w));
    opaque((model.arrays(), model.trained(), grads.arrays()));
    opaque(
        model
            .arrays_mut()
            .into_iter()
            .flatten()
            .next()
            .map(|w| *w += 1.0),
    );
    opaque(
        model
            .trained_mut()
            .into_iter()
            .flatten()
            .last()
            .map(|w| *w += 1.0),
    );
    opaque(
        grads
            .arrays_mut()
            .into_iter()
            .flatten()
            .next()
            .map(|g| *g += 1.0),
    );
    opaque(model.write_to(opaque(&mut bytes[..])).is_ok());
    opaque(model.read_from(opaque(&bytes[..])).is_ok());
    opaque(Rnn::<I, H, O>::from_bytes(opaque(&bytes[..])).is_ok());
    opaque(&ys);
    opaque((&h, &y));

    // The trainer: settings, steps, state.
    let mut trainer = Trainer::<I, H, O, L>::zeros(any_activation(), opaque(false));
    opaque(trainer.set_learning_rate(opaque(0.1)).is_ok());
    opaque(trainer.set_clip(opaque(Some(1.0))).is_ok());
    trainer.set_iterations(opaque(7));
    opaque((
        trainer.learning_rate(),
        trainer.clip(),
        trainer.iterations(),
    ));
    opaque(trainer.step(&xs, &ds).is_ok());
    opaque(trainer.step_from(&mut h, &xs, &ds).is_ok());
    opaque(trainer.write_state(&rng, opaque(&mut bytes[..])).is_ok());
    opaque(trainer.read_state(&mut rng, opaque(&bytes[..])).is_ok());
    opaque(
        trainer
            .write_stream_state(&rng, &h, opaque(&mut bytes[..]))
            .is_ok(),
    );
    opaque(
        trainer
            .read_stream_state(&mut rng, &mut h, opaque(&bytes[..]))
            .is_ok(),
    );
    if let Ok(t) =
        Trainer::<I, H, O, L>::new(model, opaque(0.1)).and_then(|t| t.with_clip(opaque(None)))
    {
        opaque(&t);
    }
    opaque(&trainer);
}

fn the_task<const H: usize, const N: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([9; 16]));
    opaque(task::encode::<N>(opaque(5)).ok());
    opaque(task::decode::<N>(&opaque([0.75; N])));
    opaque(task::decode_outputs::<N>(&opaque([[0.25]; N])));
    if let Ok(s) = Sample::<N>::new(opaque(3), opaque(4)) {
        opaque(s.sum());
    }
    opaque(Sample::<N>::random(&mut rng).sum());
    let mut trainer = Trainer::<2, H, 1, N>::zeros(any_activation(), opaque(true));
    opaque(task::train_step::<H, N, _>(&mut trainer, &mut rng).is_ok());
    let acc = task::evaluate::<H, N>(opaque(&trainer.model));
    opaque((acc.exact_rate(), acc.bit_rate(), acc.is_perfect()));
    opaque(task::evaluate_plain::<H, N>(opaque(&trainer.model)));
    opaque(task::adds_every_pair::<H, N>(opaque(&trainer.model)));
}

fn the_latch<const H: usize, const L: usize>() {
    let mut rng = XorShiftRng::from_seed(opaque([7; 16]));
    // Opaque: the optimiser cannot tell how many bits of its draw the stream has left.
    let mut stream = opaque(Latch::new());
    opaque(stream.step(&mut rng));
    opaque(stream.window::<L, _>(&mut rng));
    opaque(stream.is_on());
    let model = opaque(Rnn::<2, H, 1>::zeros(any_activation(), opaque(true)));
    opaque(latch::follow(&model, &mut rng, opaque(100)));
}

fn kernels<const N: usize, const M: usize>() {
    let a: [f32; N] = opaque([1.5; N]);
    let b: [f32; M] = opaque([0.5; M]);
    let m: [[f32; M]; N] = opaque([[0.25; M]; N]);
    let mut out_m = [0.0; M];
    let mut out_n = [0.0; N];
    let mut out_nm = [[0.0; M]; N];
    linalg::vecmat_add_into(&a, &m, &mut out_m);
    linalg::vecmat2_add_into(&a, &m, &a, &m, &mut out_m);
    linalg::vecmat2_into(&a, &m, &a, &m, &opaque(out_m), &mut out_m);
    linalg::matvec_into(&m, &b, &mut out_n);
    linalg::outer_add_into(&a, &b, &mut out_nm);
    // Slices of any length, the lengths unknown to the optimiser.
    let rows_a = [[2.0; N]; 3];
    let rows_b = [[3.0; M]; 4];
    linalg::outer_sum_into(
        opaque(&rows_a[..]),
        opaque(&rows_b[..]),
        &mut out_nm,
        opaque(true),
    );
    linalg::sum_into(opaque(&rows_b[..]), &mut out_m, opaque(false));
    let mut long = [1.0; 40];
    let short = [2.0; 9];
    linalg::axpy(opaque(0.5), opaque(&short[..]), opaque(&mut long[..]));
    linalg::axpy(opaque(0.5), opaque(&long[..]), opaque(&mut [0.0; 9][..]));
    opaque(linalg::dot(&a, &a));
    opaque(linalg::sum_squares(opaque(&long[..])));
    opaque(linalg::all_finite(opaque(&long[..])));
    opaque((&out_m, &out_n, &out_nm));
}

fn small_functions() {
    let x = opaque(0.3f32);
    opaque(activation::sigmoid(x));
    let act = any_activation();
    opaque((act.apply(x), act.derivative_from_output(x), act.name()));
    let mut layer = [0.5; 7];
    activation::sigmoid_in_place(opaque(&mut layer[..]));
    act.apply_in_place(opaque(&mut layer[..]));
    opaque(&layer);
    opaque(any_init().scale(opaque(16)).ok());
    let mut rng = XorShiftRng::seed_from_u64(opaque(3));
    let mut normal = StandardNormal::new();
    opaque(normal.sample(&mut rng));
    let mut out = [0.0; 12];
    normal.fill(&mut rng, opaque(2.0), opaque(&mut out[..]));
    opaque(format::crc32(opaque(&[1, 2, 3][..])));
    opaque(format::xorshift_state(&rng));
    opaque(rng.next_u32());
    opaque(&out);
    opaque(tinyrnn::train::check_learning_rate(opaque(0.1)).ok());
    // Every error's message, through `core::fmt` into a sink: any variant, the optimiser
    // cannot tell which.
    struct Sink;
    impl core::fmt::Write for Sink {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            opaque(s);
            Ok(())
        }
    }
    let error = match opaque(0u8) {
        0 => Error::NumberTooLarge {
            value: opaque(300),
            bits: opaque(8),
        },
        1 => Error::NonFiniteLoss,
        2 => Error::NonFiniteGradient,
        3 => Error::NonFiniteWeight,
        4 => Error::InvalidLearningRate,
        5 => Error::InvalidClipThreshold,
        6 => Error::InvalidInitStd,
        7 => Error::BufferTooShort {
            needed: opaque(10),
            got: opaque(2),
        },
        8 => Error::BadMagic,
        9 => Error::UnsupportedVersion(opaque(9)),
        10 => Error::ShapeMismatch,
        11 => Error::BadChecksum,
        12 => Error::InvalidField,
        13 => Error::InvalidTarget,
        14 => Error::OutputLossMismatch,
        15 => Error::InvalidOptimizer,
        16 => Error::InvalidBatch,
        17 => Error::TrainerMismatch,
        18 => Error::NotRepresentable,
        19 => Error::UnsupportedInFixedPoint,
        _ => Error::NonFiniteValue,
    };
    opaque(core::fmt::write(&mut Sink, format_args!("{error}")).is_ok());
}
