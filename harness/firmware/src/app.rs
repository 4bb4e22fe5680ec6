//! The firmware's application, shared by every architecture: train, save and restore, evaluate,
//! report. Each `main.rs` that includes it (with `#[path]`) provides a `platform` module with
//! `bytes(&[u8])` (output), `exit(bool) -> !` and `stack_pointer() -> usize`.

// With `latch` the firmware learns the latch instead of the addition, and with `adam` it trains
// Adam instead of the course's SGD: code that is then unused (and not linked).
#![cfg_attr(
    any(
        feature = "latch",
        feature = "adam",
        feature = "fixed",
        feature = "gru",
        feature = "lstm",
        feature = "motions"
    ),
    allow(dead_code)
)]

use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::train::{Loss, Optimizer};
use tinyrnn::{Activation, Init, Trainer, XorShiftRng};

/// A model trained on the desktop: `cargo run --release --example binary_addition --
/// --save-model examples/firmware/model/addition-2-16-1.trnm` (the default settings).
#[cfg(feature = "pretrained")]
const PRETRAINED_RECORD: &[u8] =
    include_bytes!("../../../examples/firmware/model/addition-2-16-1.trnm");

/// That model, decoded and checked (magic, shape, CRC, finite weights) by the compiler: a bad
/// file fails the build. It stays in flash; nothing decodes it at run time.
#[cfg(feature = "pretrained")]
static PRETRAINED: tinyrnn::Rnn<2, 16, 1> = match tinyrnn::Rnn::from_bytes(PRETRAINED_RECORD) {
    Ok(model) => model,
    Err(_) => panic!("model/addition-2-16-1.trnm is not a valid 2-16-1 model record"),
};

/// With `panic-check`: every public function of tinyrnn, linked but never run.
#[cfg(feature = "panic-check")]
#[path = "api_check.rs"]
mod api_check;

pub const SEED: u64 = 1;
pub const ITERS: u32 = 10_000;
pub const PRINT_EVERY: u32 = 1_000;
pub const LEARNING_RATE: f32 = 0.1;

/// The word stack painting fills free RAM with.
pub const PAINT: u32 = 0xA5A5_A5A5;

/// Marker for the instruction-count plugin (tools/qemu-insncount): it reports the running
/// instruction count each time this executes. Ids: 0 start of training, 1 end of training
/// (or, with `pretrained`, start of the evaluation or of the plain passes), 2 end of the
/// evaluation (or of the passes).
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn bench_mark(id: u32) {
    core::hint::black_box(id);
}

/// Output through the platform, with a few integer formatters (no `core::fmt`).
pub mod out {
    pub use crate::platform::bytes;

    pub fn str(s: &str) {
        bytes(s.as_bytes());
    }

    /// Decimal.
    pub fn u32(mut n: u32) {
        let mut buf = [0u8; 10];
        let mut len = 0usize;
        for b in buf.iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
            len = len.saturating_add(1);
            if n == 0 {
                break;
            }
        }
        bytes(buf.get(buf.len().saturating_sub(len)..).unwrap_or(&[]));
    }

    /// `0x` and 8 hex digits.
    pub fn hex(n: u32) {
        let mut buf = *b"0x00000000";
        for (k, b) in buf[2..].iter_mut().enumerate() {
            let nibble = (n >> (28 - 4 * k)) & 0xf;
            *b = b"0123456789abcdef"[nibble as usize];
        }
        bytes(&buf);
    }

    /// A non-negative value given in millionths, printed with 6 decimals.
    pub fn micro(millionths: u32) {
        u32(millionths / 1_000_000);
        let frac = millionths % 1_000_000;
        let mut buf = *b".000000";
        let mut f = frac;
        for b in buf[1..].iter_mut().rev() {
            *b = b'0' + (f % 10) as u8;
            f /= 10;
        }
        bytes(&buf);
    }

    /// A float through `core::fmt`'s `{}`: only with the feature `fmt-float`, which shows what
    /// that costs in flash (`scripts/firmware.sh` measures it).
    #[cfg(feature = "fmt-float")]
    pub fn float(f: f32) {
        struct Bytes;
        impl core::fmt::Write for Bytes {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                bytes(s.as_bytes());
                Ok(())
            }
        }
        let _ = core::fmt::write(&mut Bytes, format_args!("{f}"));
    }
}

/// `f` as millionths, saturating (for printing non-negative floats without `core::fmt`).
fn millionths(f: f32) -> u32 {
    (f * 1e6) as u32
}

/// Reports a training step that failed: where (`unit` is "iteration " or "window "), and which
/// of the three errors a step returns (`Trainer::step`, `Trainer::step_from`).
fn report_divergence(unit: &str, n: u32, e: tinyrnn::Error) {
    out::str("error: training diverged at ");
    out::str(unit);
    out::u32(n);
    out::str(match e {
        tinyrnn::Error::NonFiniteLoss => ": non-finite loss\n",
        tinyrnn::Error::NonFiniteGradient => ": non-finite gradient\n",
        // NonFiniteWeight, the only other error a step returns.
        _ => ": non-finite weights\n",
    });
}

/// Memory the linker laid out: RAM from `__sdata` to `__sheap` is static (.data, .bss,
/// .uninit); from `__sheap` to the top of RAM is the stack's.
mod mem {
    unsafe extern "C" {
        static __sdata: u32;
        static __sheap: u32;
        static _stack_start: u32;
    }

    pub fn static_start() -> usize {
        (&raw const __sdata) as usize
    }
    pub fn free_start() -> usize {
        (&raw const __sheap) as usize
    }
    pub fn stack_top() -> usize {
        (&raw const _stack_start) as usize
    }

    /// Fills the free RAM below the current stack pointer with `pattern`.
    #[inline(never)]
    pub fn paint(pattern: u32) {
        // Leave 64 bytes below the stack pointer for this function's own calls. (Saturating
        // arithmetic throughout: no overflow check is left for `panic-check` to find.)
        let end = crate::platform::stack_pointer().saturating_sub(64);
        let mut p = free_start();
        while p.saturating_add(4) <= end {
            // SAFETY: [__sheap, sp - 64) is RAM that nothing uses yet (the stack grows down to
            // it only later); the address is 4-aligned (the runtime aligns __sheap).
            unsafe { core::ptr::write_volatile(p as *mut u32, pattern) };
            p = p.saturating_add(4);
        }
    }

    /// The deepest the stack has reached since [`paint`]: bytes from the top of RAM down to
    /// the lowest word that no longer holds the pattern.
    #[inline(never)]
    pub fn peak_stack(pattern: u32) -> usize {
        let mut p = free_start();
        let top = stack_top();
        // SAFETY: reads of 4-aligned RAM words inside [__sheap, top).
        while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == pattern {
            p = p.saturating_add(4);
        }
        top.saturating_sub(p)
    }
}

/// Accuracy over all 16,384 pairs (the prefix walk: 38,228 steps). Out of line, so that the
/// code of the training loop around it does not depend on how the evaluation compiles.
#[inline(never)]
fn evaluate(model: &tinyrnn::Rnn<2, 16, 1>) -> task::Accuracy {
    task::evaluate::<16, 8>(model)
}

/// The pairs [`infer_plain`] runs.
#[cfg(feature = "passes")]
pub const INFER_PAIRS: u32 = 256;

/// One inference pass (8 steps from a zero state) for each of the first [`INFER_PAIRS`] pairs
/// (`a < 2`, `b < 128`), counting those added right: the cost of one pass, which the prefix
/// walk of [`evaluate`] no longer shows, and of the plain evaluation (16,384 of them) that it
/// replaces. Feature `passes` only, so that the footprint of `pretrained` is an application's.
#[cfg(feature = "passes")]
#[inline(never)]
fn infer_plain(model: &tinyrnn::Rnn<2, 16, 1>) -> u32 {
    let mut ys = [[0.0f32; 1]; 8];
    let mut right = 0u32;
    for p in 0..INFER_PAIRS {
        if let Ok(s) = task::Sample::<8>::new(p / 128, p % 128) {
            model.forward_into(&s.xs, &mut ys);
            right = right.wrapping_add(u32::from(task::decode_outputs(&ys) == s.sum()));
        }
    }
    right
}

/// `exact accuracy: E/P pairs`, the line both runs report.
fn print_exact(acc: &task::Accuracy) {
    out::str("exact accuracy: ");
    out::u32(acc.exact as u32);
    out::str("/");
    out::u32(acc.pairs as u32);
    out::str(" pairs");
}

/// Overwrites, for the save-and-restore checks, a trainer's weights (He, from `rng`),
/// learning rate and clipping with values the saved record does not hold.
fn wipe<const I: usize, const H: usize, const O: usize, const L: usize, Lo, Op>(
    trainer: &mut Trainer<I, H, O, L, Lo, Op>,
    rng: &mut XorShiftRng,
) -> bool
where
    Lo: Loss,
    Op: Optimizer<I, H, O>,
{
    let wiped = trainer
        .model
        .init_from_rng(rng, Init::He)
        .and_then(|()| trainer.set_learning_rate(1.0))
        .and_then(|()| trainer.set_clip(Some(1.0)));
    if wiped.is_err() {
        // Valid settings: this does not happen. The start's message, to spend no flash on
        // another one.
        out::str("error: bad settings\n");
    }
    wiped.is_ok()
}

/// What a reset in the middle of training would do, done on purpose: write the training state
/// into a buffer (in a real device, flash), wipe the trainer and the RNG, and read them back.
/// The final checksum then shows that resuming is exact.
#[inline(never)]
fn save_and_restore<S: Setup>(trainer: &mut SetupTrainer<S>, rng: &mut XorShiftRng) -> bool {
    let mut buf = [0u8; STATE_LEN];
    let Ok(n) = trainer.write_state(rng, &mut buf) else {
        out::str("error: could not save the training state\n");
        return false;
    };
    // Wipe in place (a `Trainer::zeros()` temporary would cost another 3 KiB of stack): other
    // weights, learning rate, clipping, activation, biases and RNG. (The iteration count has no
    // setter; it stays, and the record brings back the same.)
    *rng = XorShiftRng::seed_from_u64(0);
    if !wipe(trainer, rng) {
        return false;
    }
    trainer.model.activation = match S::ACTIVATION {
        Activation::Sigmoid => Activation::Tanh,
        Activation::Tanh => Activation::Sigmoid,
    };
    trainer.model.biases = !S::BIASES;
    if trainer.read_state(rng, &buf).is_err() {
        out::str("error: could not restore the training state\n");
        return false;
    }
    out::str("saved the training state (");
    out::u32(n as u32);
    out::str(" bytes) at iteration ");
    out::u32(trainer.iterations() as u32);
    out::str(", wiped it, restored it\n");
    true
}

pub struct Outcome {
    pub ok: bool,
}

/// What a firmware trains on the addition: the loss, the optimiser and the settings.
pub trait Setup {
    type Loss: Loss;
    type Optimizer: Optimizer<2, 16, 1> + Default;
    /// The first line the firmware prints.
    const BANNER: &'static str;
    const ACTIVATION: Activation;
    const BIASES: bool;
    const INIT: Init;
    const LEARNING_RATE: f32;
    const CLIP: Option<f32>;
    const ITERS: u32;

    /// One iteration: a random pair, trained on; the loss before the update.
    fn train_step(trainer: &mut SetupTrainer<Self>, rng: &mut XorShiftRng) -> tinyrnn::Result<f32>
    where
        Self: Sized,
    {
        // What `task::train_step` does, for any loss and optimiser.
        let sample = Sample::<8>::random(rng);
        trainer.step(&sample.xs, &sample.ds)
    }
}

/// The course's setup: sigmoid, std 1, the squared error, SGD at 0.1, 10,000 iterations.
pub struct Course;

impl Setup for Course {
    type Loss = tinyrnn::train::SquaredError;
    type Optimizer = tinyrnn::train::Sgd;
    const BANNER: &'static str = "tinyrnn firmware: 2-16-1 sigmoid, init std 1, lr 0.1, seed ";
    const ACTIVATION: Activation = Activation::Sigmoid;
    const BIASES: bool = false;
    const INIT: Init = Init::Normal { std: 1.0 };
    const LEARNING_RATE: f32 = LEARNING_RATE;
    const CLIP: Option<f32> = None;
    const ITERS: u32 = ITERS;

    fn train_step(trainer: &mut SetupTrainer<Self>, rng: &mut XorShiftRng) -> tinyrnn::Result<f32> {
        task::train_step::<16, 8, _>(trainer, rng).map(|(_, loss)| loss)
    }
}

/// Adam with the binary cross-entropy (feature `adam`): what training with an optimiser that
/// keeps state costs on the device. Tanh, Xavier, biases, clipping at 1, Adam at 0.01, 2,000
/// iterations: the desktop's `binary_addition --activation tanh --init xavier --biases --clip 1
/// --loss ce --optim adam --lr 0.01 --iters 2000`.
#[cfg(feature = "adam")]
pub struct AdamCe;

#[cfg(feature = "adam")]
impl Setup for AdamCe {
    type Loss = tinyrnn::train::CrossEntropy;
    type Optimizer = tinyrnn::train::Adam<2, 16, 1>;
    const BANNER: &'static str =
        "tinyrnn firmware: 2-16-1 tanh, xavier, biases, clip 1, cross-entropy, adam lr 0.01, seed ";
    const ACTIVATION: Activation = Activation::Tanh;
    const BIASES: bool = true;
    const INIT: Init = Init::Xavier;
    const LEARNING_RATE: f32 = 0.01;
    const CLIP: Option<f32> = Some(1.0);
    const ITERS: u32 = 2_000;
}

/// The setup this firmware trains.
#[cfg(not(feature = "adam"))]
pub type Chosen = Course;
#[cfg(feature = "adam")]
pub type Chosen = AdamCe;

/// The trainer of a setup.
type SetupTrainer<S> = Trainer<2, 16, 1, 8, <S as Setup>::Loss, <S as Setup>::Optimizer>;

/// The length of the chosen setup's training state: the buffer it is saved into.
const STATE_LEN: usize = SetupTrainer::<Chosen>::STATE_LEN;

#[inline(never)]
pub fn train_and_report() -> Outcome {
    train_setup::<Chosen>()
}

#[inline(always)]
fn train_setup<S: Setup>() -> Outcome {
    out::str(S::BANNER);
    out::u32(SEED as u32);
    out::str(", ");
    out::u32(S::ITERS);
    out::str(" iterations\n");

    let mut rng = XorShiftRng::seed_from_u64(SEED);
    // Built in place: no second copy of the 3 KiB trainer on the stack.
    let mut trainer = SetupTrainer::<S>::zeros_with(
        S::ACTIVATION,
        S::BIASES,
        S::Loss::default(),
        S::Optimizer::default(),
    );
    let settings = trainer
        .model
        .init_from_rng(&mut rng, S::INIT)
        .and_then(|()| trainer.set_learning_rate(S::LEARNING_RATE))
        .and_then(|()| match S::CLIP {
            Some(_) => trainer.set_clip(S::CLIP),
            None => Ok(()),
        });
    if settings.is_err() {
        out::str("error: bad settings\n");
        return Outcome { ok: false };
    }

    let mut last_loss = 0.0f32;
    bench_mark(0);
    for i in 0..S::ITERS {
        if i == S::ITERS / 2 && !save_and_restore::<S>(&mut trainer, &mut rng) {
            return Outcome { ok: false };
        }
        match S::train_step(&mut trainer, &mut rng) {
            Ok(loss) => last_loss = loss,
            Err(e) => {
                report_divergence("iteration ", i, e);
                return Outcome { ok: false };
            }
        }
        if i % PRINT_EVERY == 0 {
            out::str("iter ");
            out::u32(i);
            out::str(" loss ");
            out::micro(millionths(last_loss));
            out::str("\n");
        }
    }
    bench_mark(1);
    let acc = evaluate(&trainer.model);
    bench_mark(2);

    print_exact(&acc);
    out::str(", bits right: ");
    out::u32(acc.bits as u32);
    out::str("/");
    out::u32(acc.total_bits as u32);
    out::str("\nfinal loss: ");
    #[cfg(not(feature = "fmt-float"))]
    out::micro(millionths(last_loss));
    #[cfg(feature = "fmt-float")]
    out::float(last_loss);
    out::str(" (bits ");
    out::hex(last_loss.to_bits());
    out::str(")\nweights checksum: ");
    out::hex(trainer.model.checksum());
    out::str("\n");
    Outcome {
        ok: acc.is_perfect(),
    }
}

/// Evaluates the desktop-trained model on every pair, where it lies in flash.
#[cfg(feature = "pretrained")]
#[inline(never)]
fn evaluate_pretrained() -> Outcome {
    out::str("tinyrnn firmware: evaluating the embedded desktop-trained model (");
    out::u32(PRETRAINED_RECORD.len() as u32);
    out::str(" bytes, decoded at compile time)\n");
    bench_mark(1);
    #[cfg(not(feature = "passes"))]
    let (ok, acc) = {
        let acc = evaluate(&PRETRAINED);
        (acc.is_perfect(), acc)
    };
    #[cfg(feature = "passes")]
    let (ok, inferred) = {
        let right = infer_plain(&PRETRAINED);
        (right == INFER_PAIRS, right)
    };
    bench_mark(2);
    #[cfg(not(feature = "passes"))]
    print_exact(&acc);
    #[cfg(feature = "passes")]
    {
        out::str("plain inference passes: ");
        out::u32(inferred);
        out::str("/");
        out::u32(INFER_PAIRS);
        out::str(" pairs right");
    }
    out::str("\nweights checksum: ");
    out::hex(PRETRAINED.checksum());
    out::str("\n");
    Outcome { ok }
}

/// With the feature `latch`: learning from a stream on the device. A 2-8-1 network learns the
/// set/reset latch of `tinyrnn::latch` by truncated BPTT, the hidden state carried from each
/// window of 4 steps to the next, then follows a new stream one step at a time: the desktop
/// example `latch` with its defaults, and the same bits. Half-way, the learner's stream state
/// (hidden state included) is saved, wiped and restored, as the addition's training state is.
#[cfg(feature = "latch")]
mod stream {
    use super::{Outcome, bench_mark, millionths, out, report_divergence, wipe};
    use tinyrnn::latch::{self, Latch};
    use tinyrnn::rand_core::SeedableRng;
    use tinyrnn::{Activation, Init, Trainer, XorShiftRng};

    pub const WINDOWS: u32 = 5_000;
    const PRINT_EVERY: u32 = 500;
    const LEARNING_RATE: f32 = 0.5;
    /// The stream the trained model is tested on, as the desktop example's.
    const TEST_SEED: u64 = 2;
    const TEST_STEPS: u32 = 10_000;

    type T = Trainer<2, 8, 1, 4>;

    /// What a reset would do to the learner, done on purpose: write its stream state (model,
    /// settings, RNG and the hidden state the next window starts in) into a buffer, wipe
    /// trainer, RNG and hidden state, and read them back. The stream itself is the world's: it
    /// goes on. The final checksum then shows that resuming a stream is exact.
    #[inline(never)]
    fn save_and_restore(trainer: &mut T, rng: &mut XorShiftRng, h: &mut [f32; 8]) -> bool {
        let mut buf = [0u8; T::STREAM_STATE_LEN];
        let Ok(n) = trainer.write_stream_state(rng, h, &mut buf) else {
            out::str("error: could not save the stream state\n");
            return false;
        };
        // Wiped in place (a `T::zeros()` temporary would cost another KiB of stack), as the
        // addition's.
        *rng = XorShiftRng::seed_from_u64(0);
        if !wipe(trainer, rng) {
            return false;
        }
        trainer.model.activation = Activation::Sigmoid;
        trainer.model.biases = false;
        *h = [0.0; 8];
        if trainer.read_stream_state(rng, h, &buf).is_err() {
            out::str("error: could not restore the stream state\n");
            return false;
        }
        out::str("saved the stream state (");
        out::u32(n as u32);
        out::str(" bytes) at window ");
        out::u32(trainer.iterations() as u32);
        out::str(", wiped it, restored it\n");
        true
    }

    #[inline(never)]
    pub fn train_and_report() -> Outcome {
        out::str("tinyrnn firmware: a latch learnt from a stream, 2-8-1 tanh, xavier, biases, ");
        out::str("lr 0.5, seed ");
        out::u32(super::SEED as u32);
        out::str(", ");
        out::u32(WINDOWS);
        out::str(" windows of 4 steps\n");

        let mut rng = XorShiftRng::seed_from_u64(super::SEED);
        let mut trainer = T::zeros(Activation::Tanh, true);
        let settings = trainer
            .model
            .init_from_rng(&mut rng, Init::Xavier)
            .and_then(|()| trainer.set_learning_rate(LEARNING_RATE));
        if settings.is_err() {
            out::str("error: bad settings\n");
            return Outcome { ok: false };
        }
        let (mut h, mut stream, mut last_loss) = ([0.0f32; 8], Latch::new(), 0.0f32);
        bench_mark(0);
        for w in 1..=WINDOWS {
            if w == WINDOWS / 2 + 1 && !save_and_restore(&mut trainer, &mut rng, &mut h) {
                return Outcome { ok: false };
            }
            let (xs, ds) = stream.window::<4, _>(&mut rng);
            // From the state the last window ended in; on success `h` moves on.
            match trainer.step_from(&mut h, &xs, &ds) {
                Ok(loss) => last_loss = loss,
                Err(e) => {
                    report_divergence("window ", w, e);
                    return Outcome { ok: false };
                }
            }
            if w % PRINT_EVERY == 0 {
                out::str("window ");
                out::u32(w);
                out::str(" loss ");
                out::micro(millionths(last_loss));
                out::str("\n");
            }
        }
        bench_mark(1);
        let mut test_rng = XorShiftRng::seed_from_u64(TEST_SEED);
        let right = latch::follow(&trainer.model, &mut test_rng, TEST_STEPS);
        bench_mark(2);

        out::str("a new stream (seed 2), one step at a time: ");
        out::u32(right);
        out::str("/");
        out::u32(TEST_STEPS);
        out::str(" steps right\nfinal loss: ");
        out::micro(millionths(last_loss));
        out::str(" (bits ");
        out::hex(last_loss.to_bits());
        out::str(")\nweights checksum: ");
        out::hex(trainer.model.checksum());
        out::str("\n");
        Outcome {
            ok: right == TEST_STEPS,
        }
    }
}

/// With the feature `fixed`: the course's setup trained in fixed point (`tinyrnn::fixed`):
/// integer arithmetic only in every training step, for cores without a floating-point unit.
/// The desktop's `binary_addition --fixed` with the same settings prints the same checksum.
#[cfg(feature = "fixed")]
mod fixed_point {
    use super::{ITERS, Outcome, PRINT_EVERY, SEED, bench_mark, out, print_exact};
    use tinyrnn::fixed::{FixedRnn, FixedTrainer};
    use tinyrnn::rand_core::SeedableRng;
    use tinyrnn::task::{self, Sample};
    use tinyrnn::{Activation, Init, XorShiftRng};

    /// 0.1 in Q0.16 (0.1000061).
    const LEARNING_RATE: u16 = 6_554;

    type T = FixedTrainer<2, 16, 1, 8>;

    /// A loss in units of 2^-30 as millionths, rounded down.
    fn millionths(loss: u64) -> u32 {
        (loss.saturating_mul(1_000_000) >> 30) as u32
    }

    /// Accuracy over all 16,384 pairs by the prefix walk, out of line as the f32 build's.
    #[inline(never)]
    fn evaluate(model: &FixedRnn<2, 16, 1>) -> task::Accuracy {
        task::evaluate_fixed::<16, 8>(model)
    }

    /// The f32 build's save, wipe and restore half-way, with the fixed-point training state
    /// (the weights and the 16 bits below each, settings, counts and the RNG).
    #[inline(never)]
    fn save_and_restore(trainer: &mut T, rng: &mut XorShiftRng) -> bool {
        let mut buf = [0u8; T::STATE_LEN];
        let Ok(n) = trainer.write_state(rng, &mut buf) else {
            out::str("error: could not save the training state\n");
            return false;
        };
        *rng = XorShiftRng::seed_from_u64(0);
        let wiped = trainer
            .model
            .init_from_rng(rng, Init::He)
            .and_then(|()| trainer.set_learning_rate(1))
            .and_then(|()| trainer.set_clip(Some(1)));
        trainer.model.activation = Activation::Tanh;
        trainer.model.biases = true;
        if wiped.is_err() || trainer.read_state(rng, &buf).is_err() {
            out::str("error: could not restore the training state\n");
            return false;
        }
        out::str("saved the training state (");
        out::u32(n as u32);
        out::str(" bytes) at iteration ");
        out::u32(trainer.iterations());
        out::str(", wiped it, restored it\n");
        true
    }

    #[inline(never)]
    pub fn train_and_report() -> Outcome {
        out::str("tinyrnn firmware: fixed point, 2-16-1 sigmoid, init std 1, lr 6554/65536, seed ");
        out::u32(SEED as u32);
        out::str(", ");
        out::u32(ITERS);
        out::str(" iterations\n");
        let mut rng = XorShiftRng::seed_from_u64(SEED);
        // Built in place: no second copy of the trainer on the stack.
        let mut trainer = T::zeros(Activation::Sigmoid, false);
        let settings = trainer
            .model
            .init_from_rng(&mut rng, Init::Normal { std: 1.0 })
            .and_then(|()| trainer.set_learning_rate(LEARNING_RATE));
        if settings.is_err() {
            out::str("error: bad settings\n");
            return Outcome { ok: false };
        }
        let mut last_loss = 0u64;
        bench_mark(0);
        for i in 0..ITERS {
            if i == ITERS / 2 && !save_and_restore(&mut trainer, &mut rng) {
                return Outcome { ok: false };
            }
            let s = Sample::<8>::random(&mut rng);
            match trainer.step(&s.xs_fixed(), &s.ds_fixed()) {
                Ok(loss) => last_loss = loss,
                Err(_) => {
                    // Targets of the task are bits: this does not happen.
                    out::str("error: invalid target\n");
                    return Outcome { ok: false };
                }
            }
            if i % PRINT_EVERY == 0 {
                out::str("iter ");
                out::u32(i);
                out::str(" loss ");
                out::micro(millionths(last_loss));
                out::str("\n");
            }
        }
        bench_mark(1);
        let acc = evaluate(&trainer.model);
        bench_mark(2);
        print_exact(&acc);
        out::str(", bits right: ");
        out::u32(acc.bits as u32);
        out::str("/");
        out::u32(acc.total_bits as u32);
        out::str("\nfinal loss: ");
        out::micro(millionths(last_loss));
        out::str(" (");
        out::hex((last_loss >> 32) as u32);
        out::str(" ");
        out::hex(last_loss as u32);
        out::str(" in 2^-30)\nsaturations: ");
        let sat = trainer.saturations();
        out::u32(
            sat.delta
                .saturating_add(sat.gradient)
                .saturating_add(sat.weight),
        );
        out::str("\nweights checksum: ");
        out::hex(trainer.model.checksum());
        out::str("\n");
        Outcome {
            ok: acc.is_perfect(),
        }
    }
}

/// With the feature `gru` or `lstm`: a gated cell learns the course's addition on the device,
/// by exact BPTT and plain gradient descent: Xavier, biases, the squared error on every step,
/// SGD at 0.5, 1,500 iterations. The desktop's `gated_cells --cell gru --iters 1500` (or
/// `--cell lstm`) prints the same checksum.
#[cfg(any(feature = "gru", feature = "lstm"))]
mod gated_cell {
    use super::{Outcome, SEED, bench_mark, millionths, out, print_exact};
    use tinyrnn::rand_core::SeedableRng;
    use tinyrnn::task::{self, Sample};
    use tinyrnn::train::{SquaredError, Targets};
    use tinyrnn::{Init, XorShiftRng};

    #[cfg(feature = "gru")]
    use tinyrnn::gru::{Gru as Model, GruGradients as Grads, GruTrace as Trace};
    #[cfg(feature = "lstm")]
    use tinyrnn::lstm::{Lstm as Model, LstmGradients as Grads, LstmTrace as Trace};

    #[cfg(feature = "gru")]
    const BANNER: &str =
        "tinyrnn firmware: gru 2-16-1, xavier, biases, squared error, sgd lr 0.5, seed ";
    #[cfg(feature = "lstm")]
    const BANNER: &str =
        "tinyrnn firmware: lstm 2-16-1, xavier, biases, squared error, sgd lr 0.5, seed ";

    const ITERS: u32 = 1_500;
    const PRINT_EVERY: u32 = 500;
    const LEARNING_RATE: f32 = 0.5;

    /// Accuracy over all 16,384 pairs by the prefix walk.
    #[inline(never)]
    fn evaluate(model: &Model<2, 16, 1>) -> task::Accuracy {
        #[cfg(feature = "gru")]
        return task::evaluate_gru::<16, 8>(model);
        #[cfg(feature = "lstm")]
        return task::evaluate_lstm::<16, 8>(model);
    }

    /// One iteration: a random pair, the forward pass with its trace, BPTT, the update; the
    /// loss before it.
    #[inline(never)]
    fn iteration(
        model: &mut Model<2, 16, 1>,
        trace: &mut Trace<16, 1, 8>,
        grads: &mut Grads<2, 16, 1>,
        rng: &mut XorShiftRng,
    ) -> tinyrnn::Result<f32> {
        let s = Sample::<8>::random(rng);
        let targets = Targets::every(&s.ds);
        let loss = model.forward_trace_loss::<SquaredError, 8>(None, &s.xs, targets, trace)?;
        model.backward_loss_into::<SquaredError, 8>(None, &s.xs, targets, trace, grads);
        model.sgd(grads, LEARNING_RATE)?;
        Ok(loss)
    }

    #[inline(never)]
    pub fn train_and_report() -> Outcome {
        out::str(BANNER);
        out::u32(SEED as u32);
        out::str(", ");
        out::u32(ITERS);
        out::str(" iterations\n");
        let mut rng = XorShiftRng::seed_from_u64(SEED);
        // Built in place, each once: no second copy of a few KiB on the stack.
        let mut model = Model::<2, 16, 1>::zeros();
        if model.init_from_rng(&mut rng, Init::Xavier).is_err() {
            out::str("error: bad settings\n");
            return Outcome { ok: false };
        }
        let mut trace = Trace::zeros();
        let mut grads = Grads::zeros();
        let mut last_loss = 0.0f32;
        bench_mark(0);
        for i in 0..ITERS {
            match iteration(&mut model, &mut trace, &mut grads, &mut rng) {
                Ok(loss) => last_loss = loss,
                Err(e) => {
                    super::report_divergence("iteration ", i, e);
                    return Outcome { ok: false };
                }
            }
            if i % PRINT_EVERY == 0 {
                out::str("iter ");
                out::u32(i);
                out::str(" loss ");
                out::micro(millionths(last_loss));
                out::str("\n");
            }
        }
        bench_mark(1);
        let acc = evaluate(&model);
        bench_mark(2);
        print_exact(&acc);
        out::str(", bits right: ");
        out::u32(acc.bits as u32);
        out::str("/");
        out::u32(acc.total_bits as u32);
        out::str("\nfinal loss: ");
        out::micro(millionths(last_loss));
        out::str(" (bits ");
        out::hex(last_loss.to_bits());
        out::str(")\nweights checksum: ");
        out::hex(model.checksum());
        out::str("\n");
        Outcome {
            ok: acc.is_perfect(),
        }
    }
}

/// With the feature `motions`: a GRU learns BasicMotions (UEA), a smartwatch's accelerometer
/// and gyroscope (6 channels, 100 steps at 10 Hz) in 4 activities, from its 40 training series
/// kept in flash as the desktop normalised them (`f32`: no precision lost), and is tested on
/// its 40 test series: Xavier, biases, softmax cross-entropy on the last step, exact BPTT over
/// the 100 steps, clipping at 1, Adam at 0.01, 50 epochs. The code is the desktop's
/// (examples/common/device.rs), and `classify --device` prints the same lines and checksum.
#[cfg(feature = "motions")]
#[path = "../../../examples/common/device.rs"]
mod device;

#[cfg(feature = "motions")]
mod motions {
    use super::device::{self, Record, Work};
    use super::{Outcome, SEED, bench_mark, out};
    use tinyrnn::XorShiftRng;
    use tinyrnn::rand_core::SeedableRng;

    /// The data record, written by `classify --device` (build.rs finds it).
    const DATA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/motions.trds"));

    /// The record's header, checked by the compiler: a record of another shape or length fails
    /// the build. It stays in flash.
    const RECORD: Record<'static> = match device::read(DATA) {
        Ok(record) => record,
        Err(e) => panic!("{}", e.message()),
    };
    const TRAIN: usize = RECORD.train.len();

    const EPOCHS: u32 = 50;
    const LEARNING_RATE: f32 = 0.01;
    /// The goal of issue 41: 39 of the 40 test series (97.5%).
    const GOAL: u32 = 39;

    fn report(epoch: u32, total: f32, right: u32) {
        out::str("epoch ");
        out::u32(epoch);
        out::str(" loss ");
        out::micro(device::millionths(total, TRAIN));
        out::str(" test ");
        out::u32(right);
        out::str("/");
        out::u32(RECORD.test.len() as u32);
        out::str("\n");
    }

    #[inline(never)]
    pub fn train_and_report() -> Outcome {
        out::str(
            "tinyrnn firmware: BasicMotions, gru 6-16-4, xavier, biases, softmax ce, adam lr 0.01, clip 1, seed ",
        );
        out::u32(SEED as u32);
        out::str(", ");
        out::u32(EPOCHS);
        out::str(" epochs of ");
        out::u32(TRAIN as u32);
        out::str(" series\n");
        if RECORD.check_values().is_err() {
            out::str("error: the data record holds a bad class or value\n");
            return Outcome { ok: false };
        }
        let mut rng = XorShiftRng::seed_from_u64(SEED);
        let mut work = Work::new();
        if work.start(&mut rng).is_err() {
            out::str("error: bad settings\n");
            return Outcome { ok: false };
        }
        let mut order: [u16; TRAIN] = core::array::from_fn(|k| k as u16);
        let mut confusion = [[0u16; device::CLASSES]; device::CLASSES];
        let mut right = 0;
        for epoch in 1..=EPOCHS {
            // Marks 0 and 1 around the first epoch's training, 2 after its test: the
            // instructions of an epoch and of a test pass.
            if epoch == 1 {
                bench_mark(0);
            }
            let total = work.epoch(&RECORD.train, &mut order, &mut rng, LEARNING_RATE);
            if epoch == 1 {
                bench_mark(1);
                right = work.test(&RECORD.test, &mut confusion);
                bench_mark(2);
            }
            if epoch % device::REPORT_EVERY == 0 || epoch == EPOCHS {
                right = work.test(&RECORD.test, &mut confusion);
                report(epoch, total, right);
            }
        }
        out::str("confusion matrix (rows: true class; columns: predicted):\n");
        for row in &confusion {
            for n in row {
                out::str(" ");
                out::u32(u32::from(*n));
            }
            out::str("\n");
        }
        out::str("test accuracy: ");
        out::u32(right);
        out::str("/");
        out::u32(RECORD.test.len() as u32);
        out::str("\nweights checksum: ");
        out::hex(work.model.checksum());
        out::str("\n");
        Outcome { ok: right >= GOAL }
    }
}

#[cfg(any(
    all(feature = "latch", feature = "pretrained"),
    all(feature = "adam", any(feature = "latch", feature = "pretrained")),
    all(
        feature = "fixed",
        any(feature = "latch", feature = "pretrained", feature = "adam")
    ),
    all(
        any(feature = "gru", feature = "lstm"),
        any(
            feature = "latch",
            feature = "pretrained",
            feature = "adam",
            feature = "fixed"
        )
    ),
    all(feature = "gru", feature = "lstm"),
    all(
        feature = "motions",
        any(
            feature = "latch",
            feature = "pretrained",
            feature = "adam",
            feature = "fixed",
            feature = "gru",
            feature = "lstm"
        )
    )
))]
compile_error!(
    "the features `latch`, `pretrained`, `adam`, `fixed`, `gru`, `lstm` and `motions` each \
     choose what the firmware runs: pick one"
);

/// The whole run: paint the stack, train (or evaluate the embedded model), report, exit.
pub fn run() -> ! {
    // Never true, but the optimiser cannot know: the panic-freedom link check then covers all
    // of tinyrnn's public API, with any inputs, not only the calls this application makes.
    #[cfg(feature = "panic-check")]
    if core::hint::black_box(false) {
        api_check::exercise();
    }
    mem::paint(PAINT);
    #[cfg(not(any(
        feature = "pretrained",
        feature = "latch",
        feature = "fixed",
        feature = "gru",
        feature = "lstm",
        feature = "motions"
    )))]
    let outcome = train_and_report();
    #[cfg(feature = "fixed")]
    let outcome = fixed_point::train_and_report();
    #[cfg(any(feature = "gru", feature = "lstm"))]
    let outcome = gated_cell::train_and_report();
    #[cfg(feature = "motions")]
    let outcome = motions::train_and_report();
    #[cfg(feature = "pretrained")]
    let outcome = evaluate_pretrained();
    #[cfg(feature = "latch")]
    let outcome = stream::train_and_report();
    let peak = mem::peak_stack(PAINT);
    let statics = mem::free_start().saturating_sub(mem::static_start());
    out::str("static RAM: ");
    out::u32(statics as u32);
    out::str(" bytes, peak stack: ");
    out::u32(peak as u32);
    out::str(" bytes, total RAM: ");
    out::u32(statics.saturating_add(peak) as u32);
    out::str(" bytes\n");
    out::str(if outcome.ok {
        "result: ok\n"
    } else {
        "result: FAILED\n"
    });
    crate::platform::exit(outcome.ok)
}
