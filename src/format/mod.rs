//! A compact, versioned byte format for models and training states, in caller-provided buffers.
//!
//! Everything is little-endian, whatever the machine's byte order: a big-endian PowerPC writes
//! the same bytes as x86-64 (`scripts/big-endian.sh` in the repository). A **model** record
//! (`Rnn::write_to` / `Rnn::read_from`, or [`Rnn::from_bytes`], which decodes one at compile
//! time into a `static`):
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRNM"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 2 | `I` (inputs) |
//! | 8 | 2 | `H` (hidden units) |
//! | 10 | 2 | `O` (outputs) |
//! | 12 | 1 | hidden activation: `0` sigmoid, `1` tanh |
//! | 13 | 1 | flags: bit 0 = biases on; other bits 0 |
//! | 14 | 1 | output layer: `0` sigmoid, `1` linear, `2` softmax (`0` in every record before it existed) |
//! | 15 | 1 | reserved, `0` |
//! | 16 | 4P | `w_in`, `w`, `w_out` row by row, then `b_h`, `b_out`: f32 |
//! | 16 + 4P | 4 | CRC-32 (IEEE, as zlib's `crc32`) of every byte before it |
//!
//! with `P = I·H + H·H + H·O + H + O`, so a 2-16-1 model takes 20 + 4·321 = 1,304 bytes
//! ([`Rnn::ENCODED_LEN`]). A **training state** record (`Trainer::write_state` /
//! `Trainer::read_state`) holds what exact resumption needs — the model, the optimiser settings,
//! the iteration count and the RNG state; gradients and trace are rebuilt by the next step:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRNS"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 2 | `I` |
//! | 8 | 2 | `H` |
//! | 10 | 2 | `O` |
//! | 12 | 2 | `L` (sequence length) |
//! | 14 | 1 | hidden activation, as above |
//! | 15 | 1 | flags: bit 0 = biases on, bit 1 = clipping on, bits 2–3 = the output layer (as in the model record), bit 4 = the loss is the cross-entropy (0: the squared error); other bits 0 |
//! | 16 | 4 | learning rate, f32 |
//! | 20 | 4 | clipping threshold, f32 (`0` when clipping is off) |
//! | 24 | 8 | iterations trained, u64 |
//! | 32 | 16 | the `XorShiftRng` state: four u32 words, as `XorShiftRng::from_seed` reads them |
//! | 48 | 4P | weights and biases, as in the model record |
//! | 48 + 4P | 4 | CRC-32 of every byte before it |
//!
//! 1,336 bytes for 2-16-1 ([`Trainer::STATE_LEN`]). That is the record of a trainer with
//! SGD, format version 1, as every record before the other optimisers (whose bits 2–4 are 0:
//! a sigmoid output and the squared error). With momentum or Adam, whose state exact
//! resumption needs too, the record is version 2: after the 48 bytes above (with the version
//! `2`),
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 48 | 1 | optimiser: `1` momentum, `2` Adam |
//! | 49 | 3 | reserved, `0` |
//! | 52 | 16 | its settings, four f32: momentum `μ, λ, 0, 0`; Adam `β1, β2, ε, λ` |
//! | 68 | 8 | u64: momentum `1` once it has started, else `0`; Adam its step count `t` |
//! | 76 | 4P | weights and biases |
//! | 76 + 4P | 4kP | its state, `k` arrays in the order of the weights: momentum the velocity, Adam `m` then `v` |
//! | 76 + 4(1+k)P | 4 | CRC-32 of every byte before it |
//!
//! A reader takes only the version of its trainer's optimiser, and a record of its own loss
//! and optimiser ([`Error::TrainerMismatch`] otherwise). A **stream state**
//! (`Trainer::write_stream_state` / `Trainer::read_stream_state`) is a training state for
//! training on a stream ([`Trainer::step_from`]), with the hidden state the next window starts
//! in: the same fields under the magic `b"TRNH"`, and the `H` floats of the hidden state between
//! the weights and the checksum:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRNH"` |
//! | 4 | … | as in the training state, from the version to the weights and biases (and the optimiser's state) |
//! | … | 4H | the hidden state, f32 |
//! | … | 4 | CRC-32 of every byte before it |
//!
//! 472 bytes for the 2-8-1 latch of [`crate::latch`] ([`Trainer::STREAM_STATE_LEN`]). Each
//! reader takes only its own magic: a hidden state is never dropped by reading a stream state
//! as a training state, nor made up by reading it the other way round.
//!
//! The gated cells ([`crate::gru`], [`crate::lstm`]) have a **gated model record**
//! (`Gated::write_to` / `Gated::read_from`, or `Gated::from_bytes` at compile time), as the
//! model record with the magic `b"TRGM"` and the cell in byte 12:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRGM"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 6 | `I`, `H`, `O`, u16 each |
//! | 12 | 1 | the cell, by its number of gates: `3` GRU, `4` LSTM |
//! | 13 | 1 | flags: bit 0 = biases on; other bits 0 |
//! | 14 | 1 | output layer, as in the model record |
//! | 15 | 1 | reserved, `0` |
//! | 16 | 4P | `w_x` (gate by gate, each `I × H` row by row), `w_h`, `w_out`, `b_x`, `b_h`, `b_out`: f32 |
//! | 16 + 4P | 4 | CRC-32 of every byte before it |
//!
//! with `P = G·I·H + G·H·H + H·O + 2·G·H + O` for `G` gates: 3,928 bytes for a 2-16-1 GRU,
//! 5,208 for an LSTM. A GRU reads no LSTM record and no Elman one, nor the other way round
//! ([`Error::ShapeMismatch`], [`Error::BadMagic`]). `scripts/torch_convert.py` turns PyTorch's
//! `nn.RNN`, `nn.GRU` and `nn.LSTM` weights into these records, and back.
//!
//! Their trainer ([`crate::gated::GatedTrainer`]) has a **gated training state**
//! (`GatedTrainer::write_state` / `GatedTrainer::read_state`): the fields of the Elman
//! training state of version 2, whatever the optimiser, with the cell where the Elman record
//! has its activation:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRGS"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 8 | `I`, `H`, `O`, `L`, u16 each |
//! | 14 | 1 | the cell: `3` GRU, `4` LSTM |
//! | 15 | 1 | flags, as in the training state |
//! | 16 | 32 | learning rate, clipping threshold, iterations trained, the `XorShiftRng` state, as in the training state |
//! | 48 | 1 | optimiser: `0` SGD, `1` momentum, `2` Adam |
//! | 49 | 3 | reserved, `0` |
//! | 52 | 16 | its settings, four f32: SGD `0, 0, 0, 0`; momentum `μ, λ, 0, 0`; Adam `β1, β2, ε, λ` |
//! | 68 | 8 | u64: SGD `0`; momentum `1` once it has started, else `0`; Adam its step count `t` |
//! | 76 | 4P | the parameters, as in the gated model record |
//! | 76 + 4P | 4kP | the optimiser's `k` state arrays (none for SGD), in the order of the parameters |
//! | 76 + 4(1+k)P | 4 | CRC-32 of every byte before it |
//!
//! 3,988 bytes for a 2-16-1 GRU with SGD, 15,644 for an LSTM of that shape with Adam. Its
//! **gated stream state** (`GatedTrainer::write_stream_state` /
//! `GatedTrainer::read_stream_state`) has the magic `b"TRGH"` and the cell's state between
//! the optimiser's and the checksum: `h`, 4H bytes, for the GRU; `h` then `c`, 8H, for the LSTM.
//!
//! The fixed-point path ([`crate::fixed`]) has records of its own, so that no reader of `f32`
//! weights ever takes `i16` ones: a **fixed-point model** (`FixedRnn::write_to` /
//! `FixedRnn::read_from`), as the model record with the magic `b"TRQM"`, byte 14 the number
//! format (`11`: the weights' fractional bits, Q4.11) and the weights as `i16`, `2P` bytes (662
//! bytes for 2-16-1); and a **fixed-point training state** (`FixedTrainer::write_state` /
//! `FixedTrainer::read_state`), 1,346 bytes for 2-16-1:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRQS"` |
//! | 4 | 2 | format version, `1` |
//! | 6 | 8 | `I`, `H`, `O`, `L`, u16 each |
//! | 14 | 1 | hidden activation |
//! | 15 | 1 | flags: bit 0 = biases on, bit 1 = clipping on; other bits 0 |
//! | 16 | 1 | number format, `11` |
//! | 17 | 1 | reserved, `0` |
//! | 18 | 2 | learning rate, u16 Q0.16, not 0 |
//! | 20 | 2 | reserved, `0` |
//! | 22 | 4 | clipping threshold, u32 Q.16 (`0` when clipping is off) |
//! | 26 | 4 | iterations trained, u32 |
//! | 30 | 12 | saturations: deltas, gradients, weights, u32 each |
//! | 42 | 16 | the `XorShiftRng` state |
//! | 58 | 2P | weights and biases, i16, in the model record's order |
//! | 58 + 2P | 2P | the 16 bits below each, u16, in the same order |
//! | 58 + 4P | 4 | CRC-32 of every byte before it |
//!
//! Reading checks, in this order, and leaves the destination untouched on any error: the buffer
//! holds a header ([`Error::BufferTooShort`], which names the length of the whole record the
//! type takes), the magic ([`Error::BadMagic`]), the version
//! ([`Error::UnsupportedVersion`]), the shape against the type it is read into
//! ([`Error::ShapeMismatch`]), for a version-2 state its optimiser
//! ([`Error::TrainerMismatch`]), the length of the whole record ([`Error::BufferTooShort`]), the
//! checksum ([`Error::BadChecksum`]), the activation, flags and settings
//! ([`Error::InvalidField`]), and that every number is finite ([`Error::NonFiniteValue`]).
//! Trailing bytes after the record are ignored, so a record can sit at the start of a larger
//! buffer (a flash page, say).
//!
//! # Keeping a training state in flash
//!
//! Erasing a flash page and programming it again takes milliseconds, and a reset in between
//! leaves the page blank or torn, so one page is not enough: a reset while saving would lose
//! every iteration so far. Keep two pages and write them in turn. A reset then spoils at most
//! the page being written, and the other still holds the state before. At start-up, read the
//! page whose record claims more iterations (bytes 24 to 31, the table above; a blank page,
//! all `0xFF`, claims the most), and if that fails, the other: a read that fails leaves the
//! trainer and the RNG as they were, so the second read, or a fresh start, needs nothing undone.
//!
//! ```
//! use tinyrnn::rand_core::SeedableRng;
//! use tinyrnn::task;
//! use tinyrnn::{Activation, Error, Init, Trainer, XorShiftRng};
//!
//! type T = Trainer<2, 16, 1, 8>;
//! type Page = [u8; T::STATE_LEN]; // a flash page would be larger: the rest is ignored
//!
//! /// The iteration count a record claims, unchecked.
//! fn claimed(page: &Page) -> u64 {
//!     u64::from_le_bytes([24, 25, 26, 27, 28, 29, 30, 31].map(|i| page[i]))
//! }
//!
//! /// Start-up: the newer good state of the two pages, or a new model if neither has one.
//! fn boot(pages: &[Page; 2]) -> Result<(T, XorShiftRng), Error> {
//!     let mut trainer = T::zeros(Activation::Sigmoid, false);
//!     let mut rng = XorShiftRng::seed_from_u64(1);
//!     let newer = usize::from(claimed(&pages[1]) > claimed(&pages[0]));
//!     if trainer.read_state(&mut rng, &pages[newer]).is_err()
//!         && trainer.read_state(&mut rng, &pages[1 - newer]).is_err()
//!     {
//!         // Both reads failed and changed nothing: `rng` is still the one seeded above.
//!         trainer.model.init_from_rng(&mut rng, Init::Normal { std: 1.0 })?;
//!         trainer.set_learning_rate(0.1)?;
//!     }
//!     Ok((trainer, rng))
//! }
//!
//! let mut pages: [Page; 2] = [[0xFF; T::STATE_LEN]; 2]; // erased flash
//! let (mut trainer, mut rng) = boot(&pages)?;
//! assert_eq!(trainer.iterations(), 0);
//! for i in 1..=200 {
//!     task::train_step(&mut trainer, &mut rng)?;
//!     if i % 100 == 0 {
//!         // Saves 1, 2, 3… go to pages 1, 0, 1…
//!         trainer.write_state(&rng, &mut pages[(i / 100) % 2])?;
//!     }
//! }
//! for _ in 0..100 {
//!     task::train_step(&mut trainer, &mut rng)?;
//! }
//! // The reset comes while the state after 300 iterations is written to page 1: half of it
//! // is programmed, the rest of the page is still erased.
//! let mut record = [0u8; T::STATE_LEN];
//! trainer.write_state(&rng, &mut record)?;
//! pages[1] = [0xFF; T::STATE_LEN];
//! pages[1][..T::STATE_LEN / 2].copy_from_slice(&record[..T::STATE_LEN / 2]);
//! // The torn page claims more iterations than page 0, but fails its checks.
//! assert_eq!(claimed(&pages[1]), 300);
//! let mut probe = T::zeros(Activation::Sigmoid, false);
//! let mut probe_rng = XorShiftRng::seed_from_u64(0);
//! assert_eq!(probe.read_state(&mut probe_rng, &pages[1]), Err(Error::BadChecksum));
//!
//! // After the reset: page 0's state, 200 iterations, and on from there.
//! let (mut resumed, mut rng) = boot(&pages)?;
//! assert_eq!(resumed.iterations(), 200);
//! for _ in 0..300 {
//!     task::train_step(&mut resumed, &mut rng)?;
//! }
//! // The same weights as 500 iterations without a reset, bit for bit.
//! let (mut straight, mut rng) = boot(&[[0xFF; T::STATE_LEN]; 2])?;
//! for _ in 0..500 {
//!     task::train_step(&mut straight, &mut rng)?;
//! }
//! assert_eq!(resumed.model, straight.model);
//! # Ok::<(), Error>(())
//! ```

mod crc;
mod fixed;
mod gated;
mod gated_state;
mod model;
mod state;

pub use crc::crc32;
use crc::crc32_feed;
pub use fixed::{FIXED_MODEL_MAGIC, FIXED_STATE_MAGIC, FIXED_VERSION};
pub use gated::GATED_MODEL_MAGIC;
pub use gated_state::{GATED_STATE_MAGIC, GATED_STREAM_MAGIC};

use rand_core::Rng;
use rand_xorshift::XorShiftRng;

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::train::{CrossEntropy, Loss};
#[cfg(doc)]
use crate::{Rnn, Trainer};

/// The format version of models, and of training states with SGD (which every record before
/// version 2 holds). A training state with an optimiser that has a state (momentum, Adam) is
/// version 2 ([`VERSION_OPTIMIZER`]).
pub const VERSION: u16 = 1;
/// The format version of a training state with momentum or Adam: their settings and state.
pub const VERSION_OPTIMIZER: u16 = 2;
/// Magic bytes of a model record.
pub const MODEL_MAGIC: [u8; 4] = *b"TRNM";
/// Magic bytes of a training-state record.
pub const STATE_MAGIC: [u8; 4] = *b"TRNS";
/// Magic bytes of a stream-state record: a training state and the hidden state it carries.
pub const STREAM_MAGIC: [u8; 4] = *b"TRNH";

const MODEL_HEADER: usize = 16;
const STATE_HEADER: usize = 48;
const CRC_LEN: usize = 4;

const FLAG_BIASES: u8 = 1;
const FLAG_CLIP: u8 = 2;
/// Bits 2 and 3 of a training state's flags: the output layer's code.
const OUTPUT_SHIFT: u8 = 2;
const OUTPUT_MASK: u8 = 3 << OUTPUT_SHIFT;
/// Bit 4 of a training state's flags: the loss is the cross-entropy (0: the squared error).
const FLAG_CROSS_ENTROPY: u8 = 16;

/// The exact state of an `XorShiftRng`, as the 16 bytes that `XorShiftRng::from_seed` turns
/// back into the same generator.
///
/// `rand_xorshift` keeps its state private, so it is recovered from the outside: after four
/// draws the state of xorshift128 is the last four outputs, and each step can be undone. The
/// generator passed in is not advanced (a clone is drawn from).
#[must_use]
pub fn xorshift_state(rng: &XorShiftRng) -> [u8; 16] {
    let mut ahead = rng.clone();
    // State after 4 steps: (x, y, z, w) = the 4 outputs.
    let mut s = [0u32; 4];
    for v in s.iter_mut() {
        *v = ahead.next_u32();
    }
    // Undo 4 steps. A step maps (x, y, z, w) to (y, z, w, w ^ (w >> 19) ^ t ^ (t >> 8)) with
    // t = x ^ (x << 11); both xorshifts are invertible.
    for _ in 0..4 {
        let [x1, y1, z1, w1] = s;
        let u = w1 ^ z1 ^ (z1 >> 19); // = t ^ (t >> 8)
        let t = u ^ (u >> 8) ^ (u >> 16) ^ (u >> 24);
        let x0 = t ^ (t << 11) ^ (t << 22);
        s = [x0, x1, y1, z1];
    }
    let mut out = [0u8; 16];
    for (chunk, w) in out.chunks_exact_mut(4).zip(s) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// A cursor that writes little-endian fields into a buffer already checked to be long enough.
struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// A writer over the first `len` bytes of `buf`, which must hold them.
    fn new(buf: &'a mut [u8], len: usize) -> Result<Self> {
        let got = buf.len();
        match buf.get_mut(..len) {
            Some(buf) => Ok(Writer { buf, pos: 0 }),
            None => Err(Error::BufferTooShort { needed: len, got }),
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        // Cannot wrap: the buffer was checked to hold the record, so `pos` stays within it.
        // (Were it to wrap, `end < pos` and nothing would be written.)
        let end = self.pos.wrapping_add(b.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(b);
        }
        self.pos = end;
    }
    fn u16(&mut self, v: usize) {
        // Shapes are checked to fit u16 at compile time.
        self.bytes(&(v as u16).to_le_bytes());
    }
    fn f32s(&mut self, v: &[f32]) {
        for x in v {
            self.bytes(&x.to_le_bytes());
        }
    }
    fn crc(&mut self) {
        let crc = crc32(self.buf.get(..self.pos).unwrap_or(&[]));
        self.bytes(&crc.to_le_bytes());
    }
}

/// A cursor over a training state's header, which [`check_header`] has split off as an array:
/// reads never fail, they return 0 past its end (which no field reaches).
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        // Cannot wrap, as in `Writer::bytes`.
        let end = self.pos.wrapping_add(N);
        if let Some(src) = self.buf.get(self.pos..end) {
            a.copy_from_slice(src);
        }
        self.pos = end;
        a
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }
    fn f32(&mut self) -> f32 {
        f32::from_le_bytes(self.array())
    }
}

/// The flags byte of a training state (byte 15) of a trainer with the loss `Lo`.
///
/// These helpers are always inlined into each record's reader and writer: called, the Elman
/// firmware's save and restore took 650 bytes more flash on the RV32IMAC, past its 16 KiB, and
/// with a mere hint the Adam firmware's 400 more on the Cortex-M4F.
#[inline(always)]
fn state_flags<Lo: Loss>(biases: bool, clip_on: bool, output: Output) -> u8 {
    let mut flags = output.code() << OUTPUT_SHIFT;
    if biases {
        flags |= FLAG_BIASES;
    }
    if clip_on {
        flags |= FLAG_CLIP;
    }
    if Lo::CODE == CrossEntropy::CODE {
        flags |= FLAG_CROSS_ENTROPY;
    }
    flags
}

/// The output layer a training state's `flags` name, checked against the loss `Lo` of the
/// trainer reading it.
///
/// # Errors
/// [`Error::InvalidField`] for an unknown flag or output layer, or one `Lo` does not train;
/// [`Error::TrainerMismatch`] for the other loss.
#[inline(always)]
fn flags_output<Lo: Loss>(flags: u8) -> Result<Output> {
    if flags & !(FLAG_BIASES | FLAG_CLIP | OUTPUT_MASK | FLAG_CROSS_ENTROPY) != 0 {
        return Err(Error::InvalidField);
    }
    let output =
        Output::from_code((flags & OUTPUT_MASK) >> OUTPUT_SHIFT).ok_or(Error::InvalidField)?;
    if (flags & FLAG_CROSS_ENTROPY != 0) != (Lo::CODE == CrossEntropy::CODE) {
        return Err(Error::TrainerMismatch);
    }
    if !Lo::trains(output) {
        return Err(Error::InvalidField);
    }
    Ok(output)
}

/// A training state's settings, from byte 16 of its header: the learning rate, the clipping
/// threshold (`None` when clipping is off), the iteration count and the RNG's state.
struct TrainerFields {
    lr: f32,
    clip: Option<f32>,
    iterations: u64,
    seed: [u8; 16],
}

/// Reads [`TrainerFields`] at `r` (byte 16 of a training state's header), `clip_on` being
/// its flag, and checks them.
///
/// # Errors
/// [`Error::InvalidField`] for a learning rate or clipping threshold that is not positive and
/// finite, a threshold other than `+0.0` with clipping off, or an all-zero RNG state.
#[inline(always)]
fn trainer_fields(r: &mut Reader<'_>, clip_on: bool) -> Result<TrainerFields> {
    let lr = r.f32();
    let clip_value = r.f32();
    let clip = if clip_on {
        Some(clip_value)
    } else if clip_value.to_bits() == 0 {
        // Exactly +0.0, as written: one encoding per state.
        None
    } else {
        return Err(Error::InvalidField);
    };
    let iterations = u64::from_le_bytes(r.array());
    let seed: [u8; 16] = r.array();
    if seed == [0; 16] {
        // No xorshift128 state is all zero; from_seed would silently substitute another.
        return Err(Error::InvalidField);
    }
    crate::train::check_learning_rate(lr).map_err(|_| Error::InvalidField)?;
    if clip.is_some_and(|c| !(c.is_finite() && c > 0.0)) {
        return Err(Error::InvalidField);
    }
    Ok(TrainerFields {
        lr,
        clip,
        iterations,
        seed,
    })
}

/// The optimiser's block of a training state: its code, 3 bytes reserved, four f32 settings,
/// a u64 counter.
const OPTIMIZER_HEADER: usize = 28;

/// Reads an optimiser's block: its settings and counter, unchecked.
///
/// # Errors
/// [`Error::TrainerMismatch`] if its code is not `code`; [`Error::InvalidField`] if a reserved
/// byte is not 0.
#[inline(always)]
fn optimizer_block(block: &[u8; OPTIMIZER_HEADER], code: u8) -> Result<([f32; 4], u64)> {
    let mut b = Reader { buf: block, pos: 0 };
    let [c, r0, r1, r2] = b.array::<4>();
    if c != code {
        return Err(Error::TrainerMismatch);
    }
    if [r0, r1, r2] != [0; 3] {
        return Err(Error::InvalidField);
    }
    Ok((
        [b.f32(), b.f32(), b.f32(), b.f32()],
        u64::from_le_bytes(b.array()),
    ))
}

fn activation_code(a: Activation) -> u8 {
    match a {
        Activation::Sigmoid => 0,
        Activation::Tanh => 1,
    }
}

const fn activation_from(code: u8) -> Result<Activation> {
    match code {
        0 => Ok(Activation::Sigmoid),
        1 => Ok(Activation::Tanh),
        _ => Err(Error::InvalidField),
    }
}

// The checks below are `const fn`s, so that `Rnn::from_bytes` can run them at compile time:
// hence `while` loops, `match` instead of `?`, and `split_*_chunk` instead of ranges. Each
// length is checked once, where the slice it guards is taken: no arm is there for a case that
// an earlier check rules out.

/// Splits a record's header, `N` bytes, from the rest, and checks its magic and version. A
/// buffer shorter than the header is too short for the record `len` bytes long that its type
/// would accept, and is reported so.
const fn check_header<const N: usize>(
    bytes: &[u8],
    magic: [u8; 4],
    expected_version: u16,
    len: usize,
) -> Result<(&[u8; N], &[u8])> {
    // Both or neither: every header is longer than its magic and version.
    let (Some((header, rest)), Some(&[m0, m1, m2, m3, v0, v1])) =
        (bytes.split_first_chunk::<N>(), bytes.first_chunk::<6>())
    else {
        return Err(Error::BufferTooShort {
            needed: len,
            got: bytes.len(),
        });
    };
    if u32::from_le_bytes([m0, m1, m2, m3]) != u32::from_le_bytes(magic) {
        return Err(Error::BadMagic);
    }
    let version = u16::from_le_bytes([v0, v1]);
    if version != expected_version {
        return Err(Error::UnsupportedVersion(version));
    }
    Ok((header, rest))
}

/// Splits the `n` bytes of numbers that follow a record's `header` from `rest`, and checks the
/// CRC-32 after them, of the header and the numbers. Returns the numbers. `rest` too short
/// for them and the CRC is [`Error::BufferTooShort`] for the whole record, `len` bytes, in a
/// buffer of `got`.
const fn check_numbers<'a>(
    header: &[u8],
    rest: &'a [u8],
    n: usize,
    len: usize,
    got: usize,
) -> Result<&'a [u8]> {
    let too_short = Error::BufferTooShort { needed: len, got };
    let Some((numbers, after)) = rest.split_at_checked(n) else {
        return Err(too_short);
    };
    let Some((stored, _)) = after.split_first_chunk::<CRC_LEN>() else {
        return Err(too_short);
    };
    if !crc32_feed(crc32_feed(!0, header), numbers) != u32::from_le_bytes(*stored) {
        return Err(Error::BadChecksum);
    }
    Ok(numbers)
}

/// Whether every f32 stored in `bytes` (a whole number of them) is finite.
const fn all_finite_le(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some((c, tail)) = rest.split_first_chunk::<4>() {
        if !f32::from_le_bytes(*c).is_finite() {
            return false;
        }
        rest = tail;
    }
    true
}

/// Fills `dst` with the next f32s of `bytes` and moves `bytes` past them: numbers already
/// checked to hold them all (were they shorter, it would stop at their end). One function for
/// every array, not one per shape: once in flash, not inlined into its callers.
#[inline(never)]
const fn take_f32s(mut dst: &mut [f32], bytes: &mut &[u8]) {
    while let (Some((v, tail)), Some((c, rest))) =
        (dst.split_first_mut(), bytes.split_first_chunk::<4>())
    {
        *v = f32::from_le_bytes(*c);
        *bytes = rest;
        dst = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use crate::Rnn;
    use rand_core::SeedableRng;

    #[test]
    fn sizes() {
        assert_eq!(Model::ENCODED_LEN, 1304);
        assert_eq!(Tr::STATE_LEN, 1336);
        assert_eq!(Tr::STREAM_STATE_LEN, 1336 + 4 * 16);
        assert_eq!(St::STREAM_STATE_LEN, 472);
        assert_eq!(Rnn::<3, 5, 2>::ENCODED_LEN, 20 + 4 * (15 + 25 + 10 + 5 + 2));
    }

    #[test]
    fn xorshift_state_recreates_the_generator() {
        for seed in 0..20 {
            let mut rng = XorShiftRng::seed_from_u64(seed);
            for _ in 0..seed * 3 {
                rng.next_u32();
            }
            let mut copy = XorShiftRng::from_seed(xorshift_state(&rng));
            assert_eq!(copy, rng, "seed {seed}");
            for _ in 0..10 {
                assert_eq!(copy.next_u32(), rng.next_u32());
            }
        }
    }
}

/// Records and trainers the unit tests of the format files share.
#[cfg(test)]
pub(crate) mod test_util {
    extern crate std;

    use super::crc32;
    use crate::latch::Latch;
    use crate::task;
    use crate::{Activation, Init, Rnn, Trainer};
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;
    use std::vec::Vec;

    pub(crate) type Model = Rnn<2, 16, 1>;
    pub(crate) type Tr = Trainer<2, 16, 1, 8>;
    /// The latch's trainer, for stream states.
    pub(crate) type St = Trainer<2, 8, 1, 4>;

    pub(crate) fn model(seed: u64, activation: Activation, biases: bool) -> Model {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut m = Model::from_rng(&mut rng, Init::Xavier, activation).unwrap();
        if biases {
            m.biases = true;
            m.b_h[3] = 0.25;
            m.b_out = [-0.5];
        }
        m
    }

    pub(crate) fn bits<const I: usize, const H: usize, const O: usize>(
        m: &Rnn<I, H, O>,
    ) -> Vec<u32> {
        m.arrays()
            .iter()
            .flat_map(|a| a.iter().map(|v| v.to_bits()))
            .collect()
    }

    /// Rewrites the CRC after a deliberate edit, so that the check after it is reached.
    pub(crate) fn fix_crc(rec: &mut [u8]) {
        let n = rec.len() - 4;
        let crc = crc32(&rec[..n]);
        rec[n..].copy_from_slice(&crc.to_le_bytes());
    }

    /// A copy of `rec` with `bytes` written at `at` and the CRC rewritten: a record that only
    /// the checks after the CRC can refuse.
    pub(crate) fn edited<const N: usize>(rec: &[u8; N], at: usize, bytes: &[u8]) -> [u8; N] {
        let mut bad = *rec;
        bad[at..at + bytes.len()].copy_from_slice(bytes);
        fix_crc(&mut bad);
        bad
    }

    pub(crate) fn trainer(seed: u64, biases: bool, clip: Option<f32>) -> (Tr, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let m = Model::from_rng(&mut rng, Init::default(), Activation::Sigmoid)
            .unwrap()
            .with_biases(biases);
        (Tr::new(m, 0.1).unwrap().with_clip(clip).unwrap(), rng)
    }

    pub(crate) fn train(t: &mut Tr, rng: &mut XorShiftRng, n: u32) {
        for _ in 0..n {
            task::train_step::<16, 8, _>(t, rng).unwrap();
        }
    }

    /// A latch learner after `windows` windows of its stream: trainer, RNG, hidden state and
    /// the stream.
    pub(crate) fn latch_learner(seed: u64, windows: u32) -> (St, XorShiftRng, [f32; 8], Latch) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut t = St::zeros(Activation::Tanh, true);
        t.model.init_from_rng(&mut rng, Init::Xavier).unwrap();
        t.set_learning_rate(0.5).unwrap();
        let (mut h, mut stream) = ([0.0; 8], Latch::new());
        latch_train(&mut t, &mut rng, &mut h, &mut stream, windows);
        (t, rng, h, stream)
    }

    pub(crate) fn latch_train(
        t: &mut St,
        rng: &mut XorShiftRng,
        h: &mut [f32; 8],
        s: &mut Latch,
        n: u32,
    ) {
        for _ in 0..n {
            let (xs, ds) = s.window::<4, _>(rng);
            t.step_from(h, &xs, &ds).unwrap();
        }
    }
}
