//! The fixed-point records: [`FixedRnn::write_to`] / [`FixedRnn::read_from`] and
//! [`FixedTrainer::write_state`] / [`FixedTrainer::read_state`] (layouts in [`crate::format`]).

use rand_core::SeedableRng;
use rand_xorshift::XorShiftRng;

use super::{
    CRC_LEN, FLAG_BIASES, FLAG_CLIP, MODEL_HEADER, Reader, Writer, activation_code,
    activation_from, check_header, check_numbers, xorshift_state,
};
use crate::error::{Error, Result};
use crate::fixed::{FixedRnn, FixedTrainer, Saturations, W_FRAC};

/// Magic bytes of a fixed-point model record.
pub const FIXED_MODEL_MAGIC: [u8; 4] = *b"TRQM";
/// Magic bytes of a fixed-point training-state record.
pub const FIXED_STATE_MAGIC: [u8; 4] = *b"TRQS";
/// The format version of both fixed-point records.
pub const FIXED_VERSION: u16 = 1;
/// The number-format field of both: `W_FRAC`, the fractional bits of the `i16` weights (11,
/// Q4.11). A reader takes only its own format.
const NUMBER_FORMAT: u8 = W_FRAC as u8;
const FIXED_STATE_HEADER: usize = 58;

/// The `i16`s (or `u16`s, as bits) of `arrays`, little-endian.
fn write_16s<'a>(w: &mut Writer<'_>, arrays: impl IntoIterator<Item = &'a [u16]>) {
    for a in arrays {
        for v in a {
            w.bytes(&v.to_le_bytes());
        }
    }
}

/// Fills `arrays` from the little-endian 16-bit values at the start of `bytes`, moving past.
fn read_16s<'a>(arrays: impl IntoIterator<Item = &'a mut [u16]>, bytes: &mut &[u8]) {
    for a in arrays {
        for v in a {
            if let Some((c, rest)) = bytes.split_first_chunk::<2>() {
                *v = u16::from_le_bytes(*c);
                *bytes = rest;
            }
        }
    }
}

/// The bits of an `i16` array as `u16`s, and back (for the record's 16-bit fields).
fn bits(a: &[i16]) -> impl Iterator<Item = u16> + '_ {
    a.iter().map(|v| *v as u16)
}

impl<const I: usize, const H: usize, const O: usize> FixedRnn<I, H, O> {
    /// Number of parameters stored: `I·H + H·H + H·O + H + O`.
    pub const PARAMS: usize = I * H + H * H + H * O + H + O;

    /// Size in bytes of this model's record: `20 + 2 ·` [`Self::PARAMS`] (662 for 2-16-1).
    pub const ENCODED_LEN: usize = MODEL_HEADER + 2 * Self::PARAMS + CRC_LEN;

    fn write_weights(&self, w: &mut Writer<'_>) {
        for a in self.arrays() {
            for v in bits(a) {
                w.bytes(&v.to_le_bytes());
            }
        }
    }

    fn read_weights(&mut self, bytes: &mut &[u8]) {
        for a in self.arrays_mut() {
            for v in a {
                if let Some((c, rest)) = bytes.split_first_chunk::<2>() {
                    *v = i16::from_le_bytes(*c);
                    *bytes = rest;
                }
            }
        }
    }

    /// Writes the model's record (magic `TRQM`, see [`crate::format`]) at the start of `buf`;
    /// returns its length, [`Self::ENCODED_LEN`].
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter; nothing is written then.
    pub fn write_to(&self, buf: &mut [u8]) -> Result<usize> {
        const { assert!(I <= u16::MAX as usize && H <= u16::MAX as usize && O <= u16::MAX as usize) };
        let mut w = Writer::new(buf, Self::ENCODED_LEN)?;
        w.bytes(&FIXED_MODEL_MAGIC);
        w.bytes(&FIXED_VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.bytes(&[
            activation_code(self.activation),
            if self.biases { FLAG_BIASES } else { 0 },
            NUMBER_FORMAT,
            0,
        ]);
        self.write_weights(&mut w);
        w.crc();
        Ok(w.pos)
    }

    /// Reads a fixed-point model record from the start of `bytes` into `self`.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`], [`Error::BadMagic`] (an `f32` model's `TRNM` among them: see
    /// [`FixedRnn::from_f32`] to convert one), [`Error::UnsupportedVersion`],
    /// [`Error::ShapeMismatch`], [`Error::BadChecksum`] or [`Error::InvalidField`] (an unknown
    /// activation, flag or number format). On any error `self` is left exactly as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::fixed::FixedRnn;
    /// use tinyrnn::{Activation, Error};
    ///
    /// let mut model = FixedRnn::<2, 4, 1>::zeros(Activation::Tanh, true);
    /// model.w[1][2] = -1234;
    /// let mut buf = [0u8; FixedRnn::<2, 4, 1>::ENCODED_LEN];
    /// model.write_to(&mut buf)?;
    /// let mut copy = FixedRnn::<2, 4, 1>::default();
    /// copy.read_from(&buf)?;
    /// assert_eq!(copy, model);
    /// buf[30] ^= 1;
    /// assert_eq!(copy.read_from(&buf), Err(Error::BadChecksum));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_from(&mut self, bytes: &[u8]) -> Result<()> {
        let (header, rest) = check_header::<MODEL_HEADER>(
            bytes,
            FIXED_MODEL_MAGIC,
            FIXED_VERSION,
            Self::ENCODED_LEN,
        )?;
        let mut r = Reader {
            buf: header,
            pos: 6,
        };
        if [r.u16(), r.u16(), r.u16()] != [I, H, O].map(|n| n as u16) {
            return Err(Error::ShapeMismatch);
        }
        let [act, flags, format, reserved] = r.array::<4>();
        let mut numbers = check_numbers(
            header,
            rest,
            2 * Self::PARAMS,
            Self::ENCODED_LEN,
            bytes.len(),
        )?;
        let activation = activation_from(act)?;
        if flags & !FLAG_BIASES != 0 || format != NUMBER_FORMAT || reserved != 0 {
            return Err(Error::InvalidField);
        }
        self.activation = activation;
        self.biases = flags & FLAG_BIASES != 0;
        self.read_weights(&mut numbers);
        Ok(())
    }
}

impl<const I: usize, const H: usize, const O: usize, const L: usize> FixedTrainer<I, H, O, L> {
    /// Size in bytes of this trainer's state record: `62 + 4 ·` [`FixedRnn::PARAMS`] (1,346
    /// for 2-16-1).
    pub const STATE_LEN: usize = FIXED_STATE_HEADER + 4 * FixedRnn::<I, H, O>::PARAMS + CRC_LEN;

    /// Writes what exact resumption needs (magic `TRQS`, see [`crate::format`]): the model, the
    /// 16 bits below each weight, the learning rate, clipping, iteration count, saturation
    /// counts and the RNG state. Returns its length, [`Self::STATE_LEN`].
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter; nothing is written then.
    pub fn write_state(&self, rng: &XorShiftRng, buf: &mut [u8]) -> Result<usize> {
        const {
            assert!(
                I <= u16::MAX as usize
                    && H <= u16::MAX as usize
                    && O <= u16::MAX as usize
                    && L <= u16::MAX as usize
            )
        };
        let mut w = Writer::new(buf, Self::STATE_LEN)?;
        w.bytes(&FIXED_STATE_MAGIC);
        w.bytes(&FIXED_VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.u16(L);
        let flags = if self.model.biases { FLAG_BIASES } else { 0 }
            | if self.clip.is_some() { FLAG_CLIP } else { 0 };
        w.bytes(&[
            activation_code(self.model.activation),
            flags,
            NUMBER_FORMAT,
            0,
        ]);
        w.bytes(&self.learning_rate.to_le_bytes());
        w.bytes(&[0, 0]);
        w.bytes(&self.clip.unwrap_or(0).to_le_bytes());
        w.bytes(&self.iterations.to_le_bytes());
        let s = self.saturations;
        for n in [s.delta, s.gradient, s.weight] {
            w.bytes(&n.to_le_bytes());
        }
        w.bytes(&xorshift_state(rng));
        self.model.write_weights(&mut w);
        write_16s(&mut w, self.low.arrays());
        w.crc();
        Ok(w.pos)
    }

    /// Reads a training state written by [`FixedTrainer::write_state`] into `self` and `rng`:
    /// the next step then gives the bits it would have given without the save.
    ///
    /// # Errors
    /// As [`FixedRnn::read_from`], with the magic `TRQS` and the shape including `L`;
    /// [`Error::InvalidField`] also for a learning rate of 0, or a clipping flag and threshold
    /// that disagree. On any error `self` and `rng` are left exactly as they were.
    pub fn read_state(&mut self, rng: &mut XorShiftRng, bytes: &[u8]) -> Result<()> {
        let (header, rest) = check_header::<FIXED_STATE_HEADER>(
            bytes,
            FIXED_STATE_MAGIC,
            FIXED_VERSION,
            Self::STATE_LEN,
        )?;
        let mut r = Reader {
            buf: header,
            pos: 6,
        };
        if [r.u16(), r.u16(), r.u16(), r.u16()] != [I, H, O, L].map(|n| n as u16) {
            return Err(Error::ShapeMismatch);
        }
        let [act, flags, format, reserved] = r.array::<4>();
        let lr = r.u16();
        let pad = r.u16();
        let clip = u32::from_le_bytes(r.array());
        let iterations = u32::from_le_bytes(r.array());
        let [delta, gradient, weight] = [(); 3].map(|()| u32::from_le_bytes(r.array()));
        let seed: [u8; 16] = r.array();
        let mut numbers = check_numbers(
            header,
            rest,
            4 * FixedRnn::<I, H, O>::PARAMS,
            Self::STATE_LEN,
            bytes.len(),
        )?;
        let activation = activation_from(act)?;
        let clipping = flags & FLAG_CLIP != 0;
        if flags & !(FLAG_BIASES | FLAG_CLIP) != 0
            || format != NUMBER_FORMAT
            || reserved != 0
            || pad != 0
            || lr == 0
            || clipping != (clip != 0)
        {
            return Err(Error::InvalidField);
        }
        self.model.activation = activation;
        self.model.biases = flags & FLAG_BIASES != 0;
        self.learning_rate = lr;
        self.clip = clipping.then_some(clip);
        self.iterations = iterations;
        self.saturations = Saturations {
            delta,
            gradient,
            weight,
        };
        self.model.read_weights(&mut numbers);
        read_16s(self.low.arrays_mut(), &mut numbers);
        *rng = XorShiftRng::from_seed(seed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::fixed::FixedTrainer;
    use crate::task::Sample;
    use crate::{Activation, Init};

    type T = FixedTrainer<2, 16, 1, 8>;

    fn trained(iters: u32, clip: Option<u32>) -> (T, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(3);
        let m = FixedRnn::from_rng(&mut rng, Init::Xavier, Activation::Tanh)
            .unwrap()
            .with_biases(true);
        let mut t = T::new(m, 9000).unwrap().with_clip(clip).unwrap();
        for _ in 0..iters {
            let s = Sample::<8>::random(&mut rng);
            t.step(&s.xs_fixed(), &s.ds_fixed()).unwrap();
        }
        (t, rng)
    }

    #[test]
    fn sizes() {
        assert_eq!(FixedRnn::<2, 16, 1>::ENCODED_LEN, 662);
        assert_eq!(T::STATE_LEN, 1_346);
    }

    /// Save after 300 steps, train on, restore into a trainer with other settings: the next 200
    /// steps give the bits of 500 without the save, low bits and saturation counts included.
    #[test]
    fn resume_is_exact() {
        for clip in [None, Some(20_000)] {
            let (t, rng) = trained(300, clip);
            let mut buf = [0u8; T::STATE_LEN + 7];
            assert_eq!(t.write_state(&rng, &mut buf), Ok(T::STATE_LEN));
            let (straight, straight_rng) = trained(500, clip);

            let mut other_rng = XorShiftRng::seed_from_u64(99);
            let mut r = T::new(FixedRnn::zeros(Activation::Sigmoid, false), 1).unwrap();
            r.read_state(&mut other_rng, &buf).unwrap();
            // Everything but the last step's trace, which the next step rebuilds.
            r.trace = t.trace.clone();
            assert_eq!(r, t);
            for _ in 0..200 {
                let s = Sample::<8>::random(&mut other_rng);
                r.step(&s.xs_fixed(), &s.ds_fixed()).unwrap();
            }
            assert_eq!(r, straight);
            assert_eq!(other_rng, straight_rng);
        }
    }

    #[test]
    fn bad_records_change_nothing() {
        let (t, rng) = trained(10, None);
        let mut buf = [0u8; T::STATE_LEN];
        t.write_state(&rng, &mut buf).unwrap();
        let mut model_buf = [0u8; FixedRnn::<2, 16, 1>::ENCODED_LEN];
        t.model.write_to(&mut model_buf).unwrap();
        let (mut r, mut r_rng) = trained(0, Some(5));
        let before = (r.clone(), r_rng.clone());
        let fix = |mut b: std::vec::Vec<u8>| {
            let n = b.len() - 4;
            let crc = super::super::crc32(&b[..n]);
            b[n..].copy_from_slice(&crc.to_le_bytes());
            b
        };
        let edited = |at: &[(usize, u8)]| {
            let mut b = buf.to_vec();
            at.iter().for_each(|&(k, v)| b[k] = v);
            fix(b)
        };
        let mut flipped = buf.to_vec();
        flipped[300] ^= 4;
        let cases: [(std::vec::Vec<u8>, Error); 10] = [
            (
                buf[..100].to_vec(),
                Error::BufferTooShort {
                    needed: T::STATE_LEN,
                    got: 100,
                },
            ),
            (model_buf.to_vec(), Error::BadMagic),
            (edited(&[(4, 2)]), Error::UnsupportedVersion(2)),
            (edited(&[(8, 15)]), Error::ShapeMismatch),
            (flipped, Error::BadChecksum),
            (edited(&[(14, 7)]), Error::InvalidField),
            (edited(&[(16, 12)]), Error::InvalidField),
            (edited(&[(18, 0), (19, 0)]), Error::InvalidField),
            (edited(&[(20, 1)]), Error::InvalidField),
            (edited(&[(22, 1)]), Error::InvalidField),
        ];
        for (k, (bytes, want)) in cases.iter().enumerate() {
            assert_eq!(r.read_state(&mut r_rng, bytes), Err(*want), "case {k}");
            assert_eq!((&r, &r_rng), (&before.0, &before.1), "case {k}");
        }
        // The model record: the same checks.
        let mut m = FixedRnn::<2, 16, 1>::default();
        assert_eq!(m.read_from(&buf), Err(Error::BadMagic));
        let mut other = FixedRnn::<2, 15, 1>::default();
        assert_eq!(other.read_from(&model_buf), Err(Error::ShapeMismatch));
        m.read_from(&model_buf).unwrap();
        assert_eq!(m, t.model);
        let mut f = crate::Rnn::<2, 16, 1>::default();
        assert_eq!(f.read_from(&model_buf), Err(Error::BadMagic));
    }
}
