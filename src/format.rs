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
//! | 14 | 2 | reserved, `0` |
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
//! | 15 | 1 | flags: bit 0 = biases on, bit 1 = clipping on; other bits 0 |
//! | 16 | 4 | learning rate, f32 |
//! | 20 | 4 | clipping threshold, f32 (`0` when clipping is off) |
//! | 24 | 8 | iterations trained, u64 |
//! | 32 | 16 | the `XorShiftRng` state: four u32 words, as `XorShiftRng::from_seed` reads them |
//! | 48 | 4P | weights and biases, as in the model record |
//! | 48 + 4P | 4 | CRC-32 of every byte before it |
//!
//! 1,336 bytes for 2-16-1 ([`Trainer::STATE_LEN`]). A **stream state**
//! (`Trainer::write_stream_state` / `Trainer::read_stream_state`) is a training state for
//! training on a stream ([`Trainer::step_from`]), with the hidden state the next window starts
//! in: the same fields under the magic `b"TRNH"`, and the `H` floats of the hidden state between
//! the weights and the checksum:
//!
//! | offset | bytes | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"TRNH"` |
//! | 4 | 44 + 4P | as in the training state, from the version to the weights and biases |
//! | 48 + 4P | 4H | the hidden state, f32 |
//! | 48 + 4P + 4H | 4 | CRC-32 of every byte before it |
//!
//! 472 bytes for the 2-8-1 latch of [`crate::latch`] ([`Trainer::STREAM_STATE_LEN`]). Each
//! reader takes only its own magic: a hidden state is never dropped by reading a stream state
//! as a training state, nor made up by reading it the other way round.
//!
//! Reading checks, in this order, and leaves the destination untouched on any error: the buffer
//! holds a header ([`Error::BufferTooShort`], which names the length of the whole record the
//! type takes), the magic ([`Error::BadMagic`]), the version
//! ([`Error::UnsupportedVersion`]), the shape against the type it is read into
//! ([`Error::ShapeMismatch`]), the length of the whole record ([`Error::BufferTooShort`]), the
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

use rand_core::{Rng, SeedableRng};
use rand_xorshift::XorShiftRng;

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::model::Rnn;
use crate::train::Trainer;

/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
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

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32` and PNG's), a nibble at a time from a
/// 16-entry table: small enough for a microcontroller's flash. A `const fn`, so that
/// [`Rnn::from_bytes`] can check a record at compile time.
#[must_use]
pub const fn crc32(bytes: &[u8]) -> u32 {
    !crc32_feed(!0, bytes)
}

/// CRC-32's register after `bytes`, from `crc`, before the final inversion: `crc32` of `a`
/// then `b` is `!crc32_feed(crc32_feed(!0, a), b)`, so that a header and the numbers after it
/// are checked without a slice of both. Not inlined: its loop is in flash once, not once for
/// each of its three calls.
#[inline(never)]
const fn crc32_feed(mut crc: u32, bytes: &[u8]) -> u32 {
    const TABLE: [u32; 16] = {
        let mut t = [0u32; 16];
        let mut i = 0;
        while i < 16 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 4 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut rest = bytes;
    // (A `while`, as a `for` loop cannot run in a `const fn`.)
    while let Some((&b, tail)) = rest.split_first() {
        let b = b as u32;
        crc = TABLE[((crc ^ b) & 0xf) as usize] ^ (crc >> 4);
        crc = TABLE[((crc ^ (b >> 4)) & 0xf) as usize] ^ (crc >> 4);
        rest = tail;
    }
    crc
}

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
    if version != VERSION {
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

impl<const I: usize, const H: usize, const O: usize> Rnn<I, H, O> {
    /// Number of parameters stored: `I·H + H·H + H·O + H + O`.
    pub const PARAMS: usize = I * H + H * H + H * O + H + O;

    /// Size in bytes of this model's record: `20 + 4 ·` [`Self::PARAMS`].
    pub const ENCODED_LEN: usize = MODEL_HEADER + 4 * Self::PARAMS + CRC_LEN;

    fn write_params(&self, w: &mut Writer<'_>) {
        w.f32s(self.w_in.as_flattened());
        w.f32s(self.w.as_flattened());
        w.f32s(self.w_out.as_flattened());
        w.f32s(&self.b_h);
        w.f32s(&self.b_out);
    }

    /// Fills the weights and biases from the f32s at the start of `params`, in the record's
    /// order (`w_in`, `w`, `w_out` row by row, then `b_h`, `b_out`), and moves `params` past
    /// them: the one reader of that order, for [`Rnn::read_from`], [`Rnn::from_bytes`] and the
    /// training states. `params` has been checked to hold them.
    const fn fill_params(&mut self, params: &mut &[u8]) {
        take_f32s(self.w_in.as_flattened_mut(), params);
        take_f32s(self.w.as_flattened_mut(), params);
        take_f32s(self.w_out.as_flattened_mut(), params);
        take_f32s(&mut self.b_h, params);
        take_f32s(&mut self.b_out, params);
    }

    /// Writes the model's record (see [`crate::format`]) at the start of `buf`; returns its
    /// length, [`Self::ENCODED_LEN`].
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::ENCODED_LEN`]; nothing is
    /// written then.
    pub fn write_to(&self, buf: &mut [u8]) -> Result<usize> {
        const { assert!(I <= u16::MAX as usize && H <= u16::MAX as usize && O <= u16::MAX as usize) };
        let mut w = Writer::new(buf, Self::ENCODED_LEN)?;
        w.bytes(&MODEL_MAGIC);
        w.bytes(&VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.bytes(&[
            activation_code(self.activation),
            if self.biases { FLAG_BIASES } else { 0 },
            0,
            0,
        ]);
        self.write_params(&mut w);
        w.crc();
        Ok(w.pos)
    }

    /// Reads a model record (see [`crate::format`]) from the start of `bytes` into `self`.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`], [`Error::BadMagic`], [`Error::UnsupportedVersion`],
    /// [`Error::ShapeMismatch`] (the record is of another `I`, `H` or `O`),
    /// [`Error::BadChecksum`], [`Error::InvalidField`] or [`Error::NonFiniteValue`]. On any
    /// error `self` is left exactly as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::{Activation, Error, Rnn};
    ///
    /// let mut model = Rnn::<2, 4, 1>::zeros(Activation::Tanh, true);
    /// model.w[1][2] = 0.25;
    /// let mut buf = [0u8; Rnn::<2, 4, 1>::ENCODED_LEN];
    /// model.write_to(&mut buf)?;
    ///
    /// let mut copy = Rnn::<2, 4, 1>::default();
    /// copy.read_from(&buf)?;
    /// assert_eq!(copy, model);
    ///
    /// // A flipped bit, a truncated record, a record of another shape: refused, untouched.
    /// let mut other = Rnn::<2, 5, 1>::default();
    /// assert_eq!(other.read_from(&buf), Err(Error::ShapeMismatch));
    /// assert!(matches!(copy.read_from(&buf[..100]), Err(Error::BufferTooShort { .. })));
    /// buf[40] ^= 0x10;
    /// assert_eq!(copy.read_from(&buf), Err(Error::BadChecksum));
    /// assert_eq!((copy, other), (model, Rnn::default()));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_from(&mut self, bytes: &[u8]) -> Result<()> {
        let (activation, biases, mut params) = Self::check_record(bytes)?;
        // Every check passed: now, and only now, change `self`.
        self.activation = activation;
        self.biases = biases;
        self.fill_params(&mut params);
        Ok(())
    }

    /// Decodes a model record (see [`crate::format`]) from the start of `bytes`: what
    /// [`Rnn::read_from`] reads, as a new value, and a `const fn`. In a `static` it runs at
    /// compile time: a model embedded with `include_bytes!` is checked by the compiler (a bad
    /// record fails the build, as in the second example) and stays in flash, decoded, taking no
    /// RAM and no decoding code. At run time, prefer [`Rnn::read_from`], which reads in place
    /// instead of returning a second model of [`size_of::<Self>()`](size_of) bytes.
    ///
    /// # Errors
    /// As [`Rnn::read_from`], the same error for the same bytes.
    ///
    /// # Examples
    ///
    /// A 1-1-1 model (5 parameters, 40 bytes), decoded at compile time into a `static`:
    ///
    /// ```
    /// use tinyrnn::{Activation, Rnn};
    ///
    /// // As `Rnn::write_to` writes it; `include_bytes!("model.trnm")` gives the same.
    /// const RECORD: [u8; 40] = [
    ///     b'T', b'R', b'N', b'M', 1, 0, 1, 0, 1, 0, 1, 0, // magic, version, I, H, O
    ///     1, 1, 0, 0, // tanh, biases on, reserved
    ///     0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0, 0x40, // w_in 0.5, w -1, w_out 2
    ///     0, 0, 0x80, 0x3e, 0, 0, 0, 0, // b_h 0.25, b_out 0
    ///     0x20, 0x61, 0xdd, 0x9e, // CRC-32
    /// ];
    /// static MODEL: Rnn<1, 1, 1> = match Rnn::from_bytes(&RECORD) {
    ///     Ok(model) => model,
    ///     Err(_) => panic!("not a valid 1-1-1 model record"), // a compile error, not a panic
    /// };
    ///
    /// assert_eq!((MODEL.activation, MODEL.biases), (Activation::Tanh, true));
    /// assert_eq!((MODEL.w_in, MODEL.w, MODEL.w_out, MODEL.b_h), ([[0.5]], [[-1.0]], [[2.0]], [0.25]));
    /// let mut h = [0.0];
    /// let mut y = [0.0];
    /// MODEL.step(&[1.0], &mut h, &mut y); // run from flash
    ///
    /// let mut copy = Rnn::<1, 1, 1>::default();
    /// copy.read_from(&RECORD)?;
    /// assert_eq!(copy, MODEL);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    ///
    /// One bit flipped, and the build fails (the checksum no longer matches):
    ///
    /// ```compile_fail
    /// use tinyrnn::Rnn;
    ///
    /// const RECORD: [u8; 40] = [
    ///     b'T', b'R', b'N', b'M', 1, 0, 1, 0, 1, 0, 1, 0,
    ///     1, 1, 0, 0,
    ///     0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0, 0, 0, 0x41, // w_out 8: not what the CRC says
    ///     0, 0, 0x80, 0x3e, 0, 0, 0, 0,
    ///     0x20, 0x61, 0xdd, 0x9e,
    /// ];
    /// static MODEL: Rnn<1, 1, 1> = match Rnn::from_bytes(&RECORD) {
    ///     Ok(model) => model,
    ///     Err(_) => panic!("not a valid 1-1-1 model record"),
    /// };
    /// ```
    pub const fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (activation, biases, mut params) = match Self::check_record(bytes) {
            Ok(checked) => checked,
            Err(e) => return Err(e),
        };
        let mut m = Self::zeros(activation, biases);
        m.fill_params(&mut params);
        Ok(m)
    }

    /// Checks that `bytes` start with a valid record of this model: what [`Rnn::read_from`]
    /// and [`Rnn::from_bytes`] check, in the same order. Returns the activation, the biases
    /// flag and the parameters' bytes.
    const fn check_record(bytes: &[u8]) -> Result<(Activation, bool, &[u8])> {
        let (header, rest) =
            match check_header::<MODEL_HEADER>(bytes, MODEL_MAGIC, Self::ENCODED_LEN) {
                Ok(split) => split,
                Err(e) => return Err(e),
            };
        let [.., i0, i1, h0, h1, o0, o1, act, flags, res0, res1] = *header;
        let shape = [
            u16::from_le_bytes([i0, i1]) as usize,
            u16::from_le_bytes([h0, h1]) as usize,
            u16::from_le_bytes([o0, o1]) as usize,
        ];
        if shape[0] != I || shape[1] != H || shape[2] != O {
            return Err(Error::ShapeMismatch);
        }
        let params = match check_numbers(
            header,
            rest,
            4 * Self::PARAMS,
            Self::ENCODED_LEN,
            bytes.len(),
        ) {
            Ok(params) => params,
            Err(e) => return Err(e),
        };
        let activation = match activation_from(act) {
            Ok(a) => a,
            Err(e) => return Err(e),
        };
        if flags & !FLAG_BIASES != 0 || res0 != 0 || res1 != 0 {
            return Err(Error::InvalidField);
        }
        if !all_finite_le(params) {
            return Err(Error::NonFiniteValue);
        }
        Ok((activation, flags & FLAG_BIASES != 0, params))
    }
}

impl<const I: usize, const H: usize, const O: usize, const L: usize> Trainer<I, H, O, L> {
    /// Size in bytes of a training-state record: `52 + 4 ·` [`Rnn::PARAMS`].
    pub const STATE_LEN: usize = STATE_HEADER + 4 * Rnn::<I, H, O>::PARAMS + CRC_LEN;

    /// Writes the training state — model, learning rate, clipping, iteration count and the
    /// state of `rng` — at the start of `buf` (see [`crate::format`]); returns its length,
    /// [`Self::STATE_LEN`]. `rng` is the generator the training loop draws its pairs from;
    /// it is not advanced. The hidden state a stream carries ([`Trainer::step_from`]) is not in
    /// this record: [`Trainer::write_stream_state`] writes one with it.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::STATE_LEN`]; nothing is
    /// written then.
    pub fn write_state(&self, rng: &XorShiftRng, buf: &mut [u8]) -> Result<usize> {
        self.write_record(STATE_MAGIC, rng, None, buf)
    }

    /// Writes a training state with the record's fields in order; the hidden state, if any,
    /// after the weights.
    fn write_record(
        &self,
        magic: [u8; 4],
        rng: &XorShiftRng,
        hidden: Option<&[f32; H]>,
        buf: &mut [u8],
    ) -> Result<usize> {
        const {
            assert!(
                I <= u16::MAX as usize
                    && H <= u16::MAX as usize
                    && O <= u16::MAX as usize
                    && L <= u16::MAX as usize
            )
        };
        let len = match hidden {
            Some(_) => Self::STREAM_STATE_LEN,
            None => Self::STATE_LEN,
        };
        let mut w = Writer::new(buf, len)?;
        w.bytes(&magic);
        w.bytes(&VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.u16(L);
        let mut flags = 0;
        if self.model.biases {
            flags |= FLAG_BIASES;
        }
        if self.clip().is_some() {
            flags |= FLAG_CLIP;
        }
        w.bytes(&[activation_code(self.model.activation), flags]);
        w.f32s(&[self.learning_rate(), self.clip().unwrap_or(0.0)]);
        w.bytes(&self.iterations().to_le_bytes());
        w.bytes(&xorshift_state(rng));
        self.model.write_params(&mut w);
        if let Some(h) = hidden {
            w.f32s(h);
        }
        w.crc();
        Ok(w.pos)
    }

    /// Reads a training state written by [`Trainer::write_state`] into `self` and `rng`, so
    /// that training goes on exactly as if it had never stopped. The gradients and trace are
    /// cleared.
    ///
    /// # Errors
    /// As [`Rnn::read_from`] (with [`Error::ShapeMismatch`] also for another `L`), and
    /// [`Error::InvalidField`] for a learning rate or clipping threshold that is not positive
    /// and finite. On any error `self` and `rng` are left exactly as they were.
    ///
    /// # Examples
    ///
    /// Training 200 steps, saving, restoring into a fresh trainer and RNG and training 300 more
    /// gives the weights of 500 steps in one go, bit for bit:
    ///
    /// ```
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::task;
    /// use tinyrnn::{Activation, Init, Trainer, XorShiftRng};
    ///
    /// type T = Trainer<2, 16, 1, 8>;
    /// fn start() -> Result<(T, XorShiftRng), tinyrnn::Error> {
    ///     let mut rng = XorShiftRng::seed_from_u64(1);
    ///     let mut trainer = T::zeros(Activation::Sigmoid, false);
    ///     trainer.model.init_from_rng(&mut rng, Init::Normal { std: 1.0 })?;
    ///     Ok((trainer, rng))
    /// }
    ///
    /// let (mut straight, mut rng) = start()?;
    /// for _ in 0..500 {
    ///     task::train_step(&mut straight, &mut rng)?;
    /// }
    ///
    /// let (mut first, mut rng) = start()?;
    /// for _ in 0..200 {
    ///     task::train_step(&mut first, &mut rng)?;
    /// }
    /// let mut saved = [0u8; T::STATE_LEN]; // a file, a flash page…
    /// first.write_state(&rng, &mut saved)?;
    ///
    /// // Whatever they held before: the state brings the activation, biases, settings and RNG.
    /// let mut resumed = T::zeros(Activation::Tanh, true);
    /// let mut rng = XorShiftRng::seed_from_u64(0);
    /// resumed.read_state(&mut rng, &saved)?;
    /// assert_eq!(resumed.iterations(), 200);
    /// for _ in 0..300 {
    ///     task::train_step(&mut resumed, &mut rng)?;
    /// }
    /// assert_eq!(resumed.model, straight.model);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_state(&mut self, rng: &mut XorShiftRng, bytes: &[u8]) -> Result<()> {
        self.read_record(STATE_MAGIC, rng, None, bytes)
    }

    /// Size in bytes of a stream-state record: [`Self::STATE_LEN`] `+ 4H`.
    pub const STREAM_STATE_LEN: usize = Self::STATE_LEN + 4 * H;

    /// Writes the state of training on a stream ([`Trainer::step_from`]) at the start of `buf`:
    /// what [`Trainer::write_state`] writes, and the hidden state `h` the next window starts
    /// in, under the magic `TRNH` and one checksum (see [`crate::format`]). Returns its length,
    /// [`Self::STREAM_STATE_LEN`]. `rng` is not advanced.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::STREAM_STATE_LEN`]; nothing
    /// is written then.
    pub fn write_stream_state(
        &self,
        rng: &XorShiftRng,
        h: &[f32; H],
        buf: &mut [u8],
    ) -> Result<usize> {
        self.write_record(STREAM_MAGIC, rng, Some(h), buf)
    }

    /// Reads a record written by [`Trainer::write_stream_state`] into `self`, `rng` and `h`, so
    /// that training on the stream goes on exactly as if it had never stopped. The gradients
    /// and trace are cleared.
    ///
    /// # Errors
    /// As [`Trainer::read_state`] (a training-state record `TRNS`, which holds no hidden
    /// state, is [`Error::BadMagic`] here, as a stream state is for `read_state`), and
    /// [`Error::NonFiniteValue`] for a NaN or infinite hidden state. On any error `self`,
    /// `rng` and `h` are left exactly as they were.
    ///
    /// # Examples
    ///
    /// The latch of [`crate::latch`] learnt in 400 windows, or in 200, a reset that loses
    /// everything but the saved record, and 200 more: the same bits.
    ///
    /// ```
    /// use tinyrnn::latch::Latch;
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::{Activation, Init, Trainer, XorShiftRng};
    ///
    /// type T = Trainer<2, 8, 1, 4>;
    /// type State = (T, XorShiftRng, [f32; 8]);
    /// fn train((t, rng, h): &mut State, stream: &mut Latch, n: u32) -> Result<(), tinyrnn::Error> {
    ///     for _ in 0..n {
    ///         let (xs, ds) = stream.window::<4, _>(rng);
    ///         t.step_from(h, &xs, &ds)?;
    ///     }
    ///     Ok(())
    /// }
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let mut trainer = T::zeros(Activation::Tanh, true);
    /// trainer.model.init_from_rng(&mut rng, Init::Xavier)?;
    /// trainer.set_learning_rate(0.5)?;
    /// let start: State = (trainer, rng, [0.0; 8]);
    ///
    /// let mut straight = start.clone();
    /// train(&mut straight, &mut Latch::new(), 400)?;
    ///
    /// let (mut first, mut stream) = (start, Latch::new());
    /// train(&mut first, &mut stream, 200)?;
    /// let mut saved = [0u8; T::STREAM_STATE_LEN]; // a flash page…
    /// let (trainer, rng, h) = &first;
    /// trainer.write_stream_state(rng, h, &mut saved)?;
    ///
    /// // After a reset, nothing is left but the record (and the stream, which is the world's).
    /// let fresh = T::zeros(Activation::Sigmoid, false);
    /// let mut resumed: State = (fresh, XorShiftRng::seed_from_u64(0), [0.0; 8]);
    /// let (trainer, rng, h) = &mut resumed;
    /// trainer.read_stream_state(rng, h, &saved)?;
    /// assert_eq!(trainer.iterations(), 200);
    /// train(&mut resumed, &mut stream, 200)?;
    /// assert_eq!((resumed.0.model, resumed.2), (straight.0.model, straight.2));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_stream_state(
        &mut self,
        rng: &mut XorShiftRng,
        h: &mut [f32; H],
        bytes: &[u8],
    ) -> Result<()> {
        self.read_record(STREAM_MAGIC, rng, Some(h), bytes)
    }

    /// Reads a training state, with a hidden state after the weights when `hidden` is given.
    fn read_record(
        &mut self,
        magic: [u8; 4],
        rng: &mut XorShiftRng,
        hidden: Option<&mut [f32; H]>,
        bytes: &[u8],
    ) -> Result<()> {
        // The weights, and the hidden state if there is one: every f32 up to the checksum.
        let (n, len) = match hidden {
            Some(_) => (4 * (Rnn::<I, H, O>::PARAMS + H), Self::STREAM_STATE_LEN),
            None => (4 * Rnn::<I, H, O>::PARAMS, Self::STATE_LEN),
        };
        let (header, rest) = check_header::<STATE_HEADER>(bytes, magic, len)?;
        let mut r = Reader {
            buf: header,
            pos: 6,
        };
        let shape = [r.u16(), r.u16(), r.u16(), r.u16()];
        if shape.map(usize::from) != [I, H, O, L] {
            return Err(Error::ShapeMismatch);
        }
        let mut numbers = check_numbers(header, rest, n, len, bytes.len())?;
        let [act, flags] = r.array::<2>();
        let activation = activation_from(act)?;
        if flags & !(FLAG_BIASES | FLAG_CLIP) != 0 {
            return Err(Error::InvalidField);
        }
        let lr = r.f32();
        let clip_value = r.f32();
        let clip = if flags & FLAG_CLIP != 0 {
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
        if !all_finite_le(numbers) {
            return Err(Error::NonFiniteValue);
        }
        crate::train::check_learning_rate(lr).map_err(|_| Error::InvalidField)?;
        if clip.is_some_and(|c| !(c.is_finite() && c > 0.0)) {
            return Err(Error::InvalidField);
        }
        // Every check passed: now change `self`, `rng` and `h`.
        self.model.activation = activation;
        self.model.biases = flags & FLAG_BIASES != 0;
        self.model.fill_params(&mut numbers);
        if let Some(h) = hidden {
            take_f32s(h, &mut numbers);
        }
        self.restore(lr, clip, iterations);
        *rng = XorShiftRng::from_seed(seed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::latch::Latch;
    use crate::task;
    use crate::{Init, Trainer};
    use std::vec::Vec;

    type Model = Rnn<2, 16, 1>;
    type Tr = Trainer<2, 16, 1, 8>;
    /// The latch's trainer, for stream states.
    type St = Trainer<2, 8, 1, 4>;

    fn model(seed: u64, activation: Activation, biases: bool) -> Model {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut m = Model::from_rng(&mut rng, Init::Xavier, activation).unwrap();
        if biases {
            m.biases = true;
            m.b_h[3] = 0.25;
            m.b_out = [-0.5];
        }
        m
    }

    fn bits<const I: usize, const H: usize, const O: usize>(m: &Rnn<I, H, O>) -> Vec<u32> {
        m.w_in
            .as_flattened()
            .iter()
            .chain(m.w.as_flattened())
            .chain(m.w_out.as_flattened())
            .chain(&m.b_h)
            .chain(&m.b_out)
            .map(|v| v.to_bits())
            .collect()
    }

    /// Rewrites the CRC after a deliberate edit, so that the check after it is reached.
    fn fix_crc(rec: &mut [u8]) {
        let n = rec.len() - 4;
        let crc = crc32(&rec[..n]);
        rec[n..].copy_from_slice(&crc.to_le_bytes());
    }

    /// A copy of `rec` with `bytes` written at `at` and the CRC rewritten: a record that only
    /// the checks after the CRC can refuse.
    fn edited<const N: usize>(rec: &[u8; N], at: usize, bytes: &[u8]) -> [u8; N] {
        let mut bad = *rec;
        bad[at..at + bytes.len()].copy_from_slice(bytes);
        fix_crc(&mut bad);
        bad
    }

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC (zlib.crc32(b"123456789")).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

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

    #[test]
    fn model_round_trip() {
        for (act, biases) in [(Activation::Sigmoid, false), (Activation::Tanh, true)] {
            let m = model(1, act, biases);
            let mut buf = [0u8; Model::ENCODED_LEN + 7];
            assert_eq!(m.write_to(&mut buf), Ok(Model::ENCODED_LEN));
            assert_eq!(&buf[..4], b"TRNM");
            let mut back = Model::zeros(Activation::Sigmoid, false);
            back.read_from(&buf).unwrap();
            assert_eq!(bits(&back), bits(&m));
            assert_eq!((back.activation, back.biases), (act, biases));
            assert_eq!(Model::from_bytes(&buf), Ok(back));
        }
    }

    #[test]
    fn model_errors_leave_destination_untouched() {
        let m = model(2, Activation::Tanh, true);
        let mut rec = [0u8; Model::ENCODED_LEN];
        m.write_to(&mut rec).unwrap();
        let dest = model(3, Activation::Sigmoid, false);
        let check = |bytes: &[u8], want: Error| {
            let mut d = dest.clone();
            assert_eq!(d.read_from(bytes), Err(want));
            assert_eq!(d, dest, "destination changed on {want:?}");
            assert_eq!(Model::from_bytes(bytes), Err(want));
        };
        // Shorter than the header: too short for the one record this type takes.
        for got in [0, 10] {
            check(&rec[..got], Error::BufferTooShort { needed: 1304, got });
        }
        // Just the header, or cut in the numbers or in the checksum: too short all the same.
        for got in [16, 1000, 1303] {
            check(&rec[..got], Error::BufferTooShort { needed: 1304, got });
        }
        let mut bad = rec;
        bad[0] = b'X';
        check(&bad, Error::BadMagic);
        let mut bad = rec;
        bad[4] = 2;
        check(&bad, Error::UnsupportedVersion(2));
        let mut bad = rec;
        bad[8] = 8; // H = 8
        check(&bad, Error::ShapeMismatch);
        let mut bad = rec;
        bad[100] ^= 0x10;
        check(&bad, Error::BadChecksum);
        // An unknown activation or flag, or either reserved byte not zero.
        for (at, value) in [(12, 7), (13, 0x80), (13, 0x02), (14, 1), (15, 0x40)] {
            check(&edited(&rec, at, &[value]), Error::InvalidField);
        }
        // A NaN or infinity anywhere among the weights and biases: the first, the last.
        let last = Model::ENCODED_LEN - 8;
        for (at, value) in [(16, f32::NAN), (last, f32::NEG_INFINITY)] {
            check(
                &edited(&rec, at, &value.to_le_bytes()),
                Error::NonFiniteValue,
            );
        }
        // A buffer that holds just the header: too short for the whole record, but what the
        // header holds is checked first, so a header alone is told apart by its magic, version
        // and shape.
        check(
            &rec[..16],
            Error::BufferTooShort {
                needed: 1304,
                got: 16,
            },
        );
        check(&edited(&rec, 0, b"X")[..16], Error::BadMagic);
        check(&edited(&rec, 4, &[2])[..16], Error::UnsupportedVersion(2));
        check(&edited(&rec, 8, &[8])[..16], Error::ShapeMismatch);
        // A record of another shape is rejected by shape, before anything else.
        let other = Rnn::<2, 8, 1>::zeros(Activation::Sigmoid, false);
        let mut small = [0u8; Rnn::<2, 8, 1>::ENCODED_LEN];
        other.write_to(&mut small).unwrap();
        check(&small, Error::ShapeMismatch);
    }

    #[test]
    fn writing_into_a_short_buffer_is_an_error() {
        let m = model(4, Activation::Sigmoid, false);
        let mut buf = [0xAAu8; 100];
        assert_eq!(
            m.write_to(&mut buf),
            Err(Error::BufferTooShort {
                needed: 1304,
                got: 100
            })
        );
        assert!(buf.iter().all(|&b| b == 0xAA), "nothing is written");
        let t = Tr::new(m, 0.1).unwrap();
        let rng = XorShiftRng::seed_from_u64(0);
        assert!(matches!(
            t.write_state(&rng, &mut buf),
            Err(Error::BufferTooShort { needed: 1336, .. })
        ));
    }

    fn trainer(seed: u64, biases: bool, clip: Option<f32>) -> (Tr, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let m = Model::from_rng(&mut rng, Init::default(), Activation::Sigmoid)
            .unwrap()
            .with_biases(biases);
        (Tr::new(m, 0.1).unwrap().with_clip(clip).unwrap(), rng)
    }

    fn train(t: &mut Tr, rng: &mut XorShiftRng, n: u32) {
        for _ in 0..n {
            task::train_step::<16, 8, _>(t, rng).unwrap();
        }
    }

    #[test]
    fn resume_is_exact() {
        for (biases, clip) in [(false, None), (true, Some(0.5))] {
            let (mut straight, mut rng_a) = trainer(5, biases, clip);
            train(&mut straight, &mut rng_a, 700);

            let (mut first, mut rng_b) = trainer(5, biases, clip);
            train(&mut first, &mut rng_b, 300);
            let mut buf = [0u8; Tr::STATE_LEN];
            first.write_state(&rng_b, &mut buf).unwrap();
            let _ = (first, rng_b); // gone, as after a reset

            // A fresh value, as after a reset: other seed, other settings.
            let mut resumed = Tr::zeros(Activation::Tanh, false);
            let mut rng_c = XorShiftRng::seed_from_u64(999);
            resumed.read_state(&mut rng_c, &buf).unwrap();
            assert_eq!(resumed.iterations(), 300);
            assert_eq!(resumed.clip(), clip);
            train(&mut resumed, &mut rng_c, 400);

            assert_eq!(bits(&resumed.model), bits(&straight.model));
            assert_eq!(resumed.iterations(), straight.iterations());
            assert_eq!(rng_c, rng_a);
        }
    }

    #[test]
    fn state_errors_leave_destination_untouched() {
        let (mut t, mut rng) = trainer(6, true, Some(1.0));
        train(&mut t, &mut rng, 50);
        let mut rec = [0u8; Tr::STATE_LEN];
        t.write_state(&rng, &mut rec).unwrap();
        let (dest, dest_rng) = trainer(7, false, None);
        let check = |bytes: &[u8], want: Error| {
            let (mut d, mut r) = (dest.clone(), dest_rng.clone());
            assert_eq!(d.read_state(&mut r, bytes), Err(want));
            assert_eq!(d, dest, "trainer changed on {want:?}");
            assert_eq!(r, dest_rng, "rng changed on {want:?}");
        };
        // Shorter than the header, cut in the numbers or in the checksum.
        for got in [0, 47, 1000, 1335] {
            check(&rec[..got], Error::BufferTooShort { needed: 1336, got });
        }
        let mut model_rec = [0u8; Model::ENCODED_LEN];
        t.model.write_to(&mut model_rec).unwrap();
        check(&model_rec, Error::BadMagic);
        let mut bad = rec;
        bad[12] = 9; // L = 9
        check(&bad, Error::ShapeMismatch);
        let mut bad = rec;
        bad[40] ^= 1;
        check(&bad, Error::BadChecksum);
        for (at, value) in [
            (16, -0.1f32),
            (16, f32::INFINITY),
            (20, 0.0),
            (20, f32::NAN),
        ] {
            check(&edited(&rec, at, &value.to_le_bytes()), Error::InvalidField);
        }
        // Clipping off, but a threshold other than +0.0 stored.
        let (t2, rng2) = trainer(6, true, None);
        let mut rec2 = [0u8; Tr::STATE_LEN];
        t2.write_state(&rng2, &mut rec2).unwrap();
        for value in [-0.0f32, 1.0] {
            check(
                &edited(&rec2, 20, &value.to_le_bytes()),
                Error::InvalidField,
            );
        }
        check(&edited(&rec, 32, &[0; 16]), Error::InvalidField); // all-zero RNG state
        // An unknown activation or flag.
        for (at, value) in [(14, 2), (15, 0x04), (15, 0x80)] {
            check(&edited(&rec, at, &[value]), Error::InvalidField);
        }
        for at in [60, Tr::STATE_LEN - 8] {
            check(
                &edited(&rec, at, &f32::INFINITY.to_le_bytes()),
                Error::NonFiniteValue,
            );
        }
        // Just the header: too short, unless what it holds is wrong already.
        check(
            &rec[..48],
            Error::BufferTooShort {
                needed: 1336,
                got: 48,
            },
        );
        check(&model_rec[..48], Error::BadMagic);
        check(&edited(&rec, 4, &[2])[..48], Error::UnsupportedVersion(2));
        check(&edited(&rec, 12, &[9])[..48], Error::ShapeMismatch);
    }

    /// A latch learner after `windows` windows of its stream: trainer, RNG, hidden state and
    /// the stream.
    fn latch_learner(seed: u64, windows: u32) -> (St, XorShiftRng, [f32; 8], Latch) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut t = St::zeros(Activation::Tanh, true);
        t.model.init_from_rng(&mut rng, Init::Xavier).unwrap();
        t.set_learning_rate(0.5).unwrap();
        let (mut h, mut stream) = ([0.0; 8], Latch::new());
        latch_train(&mut t, &mut rng, &mut h, &mut stream, windows);
        (t, rng, h, stream)
    }

    fn latch_train(t: &mut St, rng: &mut XorShiftRng, h: &mut [f32; 8], s: &mut Latch, n: u32) {
        for _ in 0..n {
            let (xs, ds) = s.window::<4, _>(rng);
            t.step_from(h, &xs, &ds).unwrap();
        }
    }

    #[test]
    fn stream_resume_is_exact_and_needs_the_hidden_state() {
        let (straight, rng_a, h_a, _) = latch_learner(3, 700);
        let (first, rng_b, h_b, stream) = latch_learner(3, 300);
        assert!(h_b.iter().all(|&v| v != 0.0), "a state worth saving");
        let mut buf = [0u8; St::STREAM_STATE_LEN + 3];
        let n = first.write_stream_state(&rng_b, &h_b, &mut buf).unwrap();
        assert_eq!((n, &buf[..4]), (St::STREAM_STATE_LEN, &b"TRNH"[..]));

        let resume = |h_lost: bool| {
            let mut t = St::zeros(Activation::Sigmoid, false);
            let (mut rng, mut h, mut s) = (XorShiftRng::seed_from_u64(9), [0.5; 8], stream.clone());
            t.read_stream_state(&mut rng, &mut h, &buf).unwrap();
            assert_eq!(t.iterations(), 300);
            if h_lost {
                h = [0.0; 8];
            }
            latch_train(&mut t, &mut rng, &mut h, &mut s, 400);
            (t, rng, h)
        };
        let (t, rng, h) = resume(false);
        assert_eq!(bits(&t.model), bits(&straight.model));
        assert_eq!(h.map(f32::to_bits), h_a.map(f32::to_bits));
        assert_eq!((t.iterations(), rng), (straight.iterations(), rng_a));
        // Resumed from zeros instead of the saved state, the same stream trains other weights.
        let (t, _, _) = resume(true);
        assert_ne!(bits(&t.model), bits(&straight.model));
    }

    #[test]
    fn stream_state_errors_leave_destination_untouched() {
        let (t, rng, h, _) = latch_learner(4, 20);
        let mut rec = [0u8; St::STREAM_STATE_LEN];
        t.write_stream_state(&rng, &h, &mut rec).unwrap();
        let (dest, dest_rng, dest_h, _) = latch_learner(5, 0);
        let check = |bytes: &[u8], want: Error| {
            let (mut d, mut r, mut hh) = (dest.clone(), dest_rng.clone(), dest_h);
            assert_eq!(d.read_stream_state(&mut r, &mut hh, bytes), Err(want));
            assert_eq!(d, dest, "trainer changed on {want:?}");
            assert_eq!(r, dest_rng, "rng changed on {want:?}");
            assert_eq!(hh, dest_h, "hidden state changed on {want:?}");
        };
        let len = St::STREAM_STATE_LEN;
        for got in [0, 47, len - 1] {
            check(&rec[..got], Error::BufferTooShort { needed: len, got });
        }
        // Each reader takes only its own record.
        let mut plain = [0u8; St::STATE_LEN];
        t.write_state(&rng, &mut plain).unwrap();
        check(&plain, Error::BadMagic);
        let (mut d, mut r) = (dest.clone(), dest_rng.clone());
        assert_eq!(d.read_state(&mut r, &rec), Err(Error::BadMagic));
        assert_eq!((d, r), (dest.clone(), dest_rng.clone()));
        // The hidden state is covered by the checksum, and must be finite.
        let last_h = len - 8;
        let mut bad = rec;
        bad[last_h] ^= 1;
        check(&bad, Error::BadChecksum);
        for v in [f32::NAN, f32::NEG_INFINITY] {
            check(
                &edited(&rec, last_h, &v.to_le_bytes()),
                Error::NonFiniteValue,
            );
        }
        // Other shapes, settings: as for the training state.
        check(&edited(&rec, 12, &[8]), Error::ShapeMismatch); // L = 8
        check(
            &edited(&rec, 16, &(-1.0f32).to_le_bytes()),
            Error::InvalidField,
        );
        // Writing into a short buffer writes nothing.
        let mut short = [0xAAu8; St::STREAM_STATE_LEN - 1];
        assert_eq!(
            t.write_stream_state(&rng, &h, &mut short),
            Err(Error::BufferTooShort {
                needed: len,
                got: len - 1
            })
        );
        assert!(short.iter().all(|&b| b == 0xAA));
    }
}
