//! The gated model record: [`Gated::write_to`], [`Gated::read_from`] and the compile-time
//! [`Gated::from_bytes`], for the [GRU](crate::gru) and the [LSTM](crate::lstm) alike. The cell
//! is in the header (its number of gates), so a GRU never reads an LSTM's weights, nor the
//! other way round; the magic is not the Elman model's, so neither reads the other's.

use super::{
    CRC_LEN, FLAG_BIASES, MODEL_HEADER, VERSION, Writer, all_finite_le, check_header,
    check_numbers, take_f32s,
};
use crate::error::{Error, Result};
use crate::gated::Gated;
use crate::output::Output;

/// Magic bytes of a gated model record (a GRU's or an LSTM's).
pub const GATED_MODEL_MAGIC: [u8; 4] = *b"TRGM";

impl<const I: usize, const H: usize, const O: usize, const G: usize> Gated<I, H, O, G> {
    /// Number of parameters stored: `G·I·H + G·H·H + H·O + 2·G·H + O`.
    pub const PARAMS: usize = G * I * H + G * H * H + H * O + 2 * G * H + O;

    /// Size in bytes of this model's record: `20 + 4 ·` [`Self::PARAMS`].
    pub const ENCODED_LEN: usize = MODEL_HEADER + 4 * Self::PARAMS + CRC_LEN;

    /// Writes the model's record (see [`crate::format`]: the gated model record) at the start
    /// of `buf`; returns its length, [`Self::ENCODED_LEN`].
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::ENCODED_LEN`]; nothing is
    /// written then.
    pub fn write_to(&self, buf: &mut [u8]) -> Result<usize> {
        const {
            assert!(
                I <= u16::MAX as usize && H <= u16::MAX as usize && O <= u16::MAX as usize,
                "a record holds I, H and O in 16 bits"
            );
            assert!(G <= u8::MAX as usize, "a record holds the gates in 8 bits");
        };
        let mut w = Writer::new(buf, Self::ENCODED_LEN)?;
        w.bytes(&GATED_MODEL_MAGIC);
        w.bytes(&VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.bytes(&[
            G as u8,
            if self.biases { FLAG_BIASES } else { 0 },
            self.output.code(),
            0,
        ]);
        for a in self.arrays() {
            w.f32s(a);
        }
        w.crc();
        Ok(w.pos)
    }

    /// Reads a gated model record (see [`crate::format`]) from the start of `bytes` into
    /// `self`.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`], [`Error::BadMagic`] (an Elman model's record, say),
    /// [`Error::UnsupportedVersion`], [`Error::ShapeMismatch`] (the record is of another `I`,
    /// `H` or `O`, or of the other cell), [`Error::BadChecksum`], [`Error::InvalidField`] or
    /// [`Error::NonFiniteValue`]. On any error `self` is left exactly as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::gru::Gru;
    /// use tinyrnn::lstm::Lstm;
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::{Error, Init, XorShiftRng};
    ///
    /// let mut rng = XorShiftRng::seed_from_u64(1);
    /// let gru = Gru::<2, 4, 1>::from_rng(&mut rng, Init::Xavier)?;
    /// let mut buf = [0u8; Gru::<2, 4, 1>::ENCODED_LEN];
    /// gru.write_to(&mut buf)?;
    ///
    /// let mut copy = Gru::<2, 4, 1>::zeros();
    /// copy.read_from(&buf)?;
    /// assert_eq!(copy, gru);
    ///
    /// // An LSTM does not read a GRU's record; a flipped bit is refused. Nothing changes.
    /// let mut lstm = Lstm::<2, 4, 1>::zeros();
    /// assert_eq!(lstm.read_from(&buf), Err(Error::ShapeMismatch));
    /// buf[40] ^= 0x10;
    /// assert_eq!(copy.read_from(&buf), Err(Error::BadChecksum));
    /// assert_eq!((copy, lstm), (gru, Lstm::zeros()));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_from(&mut self, bytes: &[u8]) -> Result<()> {
        let (biases, output, mut params) = Self::check_record(bytes)?;
        // Every check passed: now, and only now, change `self`.
        self.biases = biases;
        self.output = output;
        self.fill_params(&mut params);
        Ok(())
    }

    /// Decodes a gated model record (see [`crate::format`]) from the start of `bytes`: what
    /// [`Gated::read_from`] reads, as a new value, and a `const fn`, as
    /// [`Rnn::from_bytes`](crate::Rnn::from_bytes): in a `static`, a model embedded with
    /// `include_bytes!` is checked by the compiler and stays in flash, decoded. At run time,
    /// prefer [`Gated::read_from`], which reads in place.
    ///
    /// # Errors
    /// As [`Gated::read_from`], the same error for the same bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinyrnn::gru::Gru;
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::{Init, XorShiftRng};
    ///
    /// type Small = Gru<1, 2, 1>;
    /// // As `Gru::write_to` writes it; in firmware, `include_bytes!("model.trgm")`.
    /// const RECORD: [u8; Small::ENCODED_LEN] = {
    ///     let mut r = [0u8; Small::ENCODED_LEN];
    ///     let header = *b"TRGM\x01\x00\x01\x00\x02\x00\x01\x00\x03\x00\x00\x00";
    ///     let mut k = 0;
    ///     while k < header.len() {
    ///         r[k] = header[k];
    ///         k += 1;
    ///     }
    ///     // Every weight zero: the CRC-32 of the header and the zeros.
    ///     let crc = tinyrnn::format::crc32(r.split_at(Small::ENCODED_LEN - 4).0).to_le_bytes();
    ///     let mut k = 0;
    ///     while k < 4 {
    ///         r[Small::ENCODED_LEN - 4 + k] = crc[k];
    ///         k += 1;
    ///     }
    ///     r
    /// };
    /// static MODEL: Small = match Small::from_bytes(&RECORD) {
    ///     Ok(model) => model,
    ///     Err(_) => panic!("not a valid 1-2-1 GRU record"), // a compile error, not a panic
    /// };
    /// assert_eq!(MODEL, Small::zeros());
    /// ```
    pub const fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (biases, output, mut params) = match Self::check_record(bytes) {
            Ok(checked) => checked,
            Err(e) => return Err(e),
        };
        let mut m = Self::zeros().with_biases(biases).with_output(output);
        m.fill_params(&mut params);
        Ok(m)
    }

    /// Fills the parameters from the f32s at the start of `params`, in the record's order, and
    /// moves `params` past them. `params` has been checked to hold them.
    const fn fill_params(&mut self, params: &mut &[u8]) {
        let arrays = self.arrays_mut();
        let mut k = 0;
        while k < arrays.len() {
            take_f32s(arrays[k], params);
            k += 1;
        }
    }

    /// Checks that `bytes` start with a valid record of this model, in the order
    /// [`crate::format`] gives. Returns the biases flag, the output layer and the parameters'
    /// bytes.
    const fn check_record(bytes: &[u8]) -> Result<(bool, Output, &[u8])> {
        let (header, rest) = match check_header::<MODEL_HEADER>(
            bytes,
            GATED_MODEL_MAGIC,
            VERSION,
            Self::ENCODED_LEN,
        ) {
            Ok(split) => split,
            Err(e) => return Err(e),
        };
        let [.., i0, i1, h0, h1, o0, o1, gates, flags, out, res] = *header;
        let shape = [
            u16::from_le_bytes([i0, i1]) as usize,
            u16::from_le_bytes([h0, h1]) as usize,
            u16::from_le_bytes([o0, o1]) as usize,
            gates as usize,
        ];
        if shape[0] != I || shape[1] != H || shape[2] != O || shape[3] != G {
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
        let Some(output) = Output::from_code(out) else {
            return Err(Error::InvalidField);
        };
        if flags & !FLAG_BIASES != 0 || res != 0 {
            return Err(Error::InvalidField);
        }
        if !all_finite_le(params) {
            return Err(Error::NonFiniteValue);
        }
        Ok((flags & FLAG_BIASES != 0, output, params))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::test_util::{edited, fix_crc};
    use super::*;
    use crate::Init;
    use crate::gru::Gru;
    use crate::lstm::Lstm;
    use crate::model::Rnn;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

    type G = Gru<2, 16, 1>;
    type L = Lstm<2, 16, 1>;

    fn gru(seed: u64) -> G {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut m = G::from_rng(&mut rng, Init::Xavier).unwrap();
        m.b_x[1][3] = 0.25;
        m.b_h[2][5] = -0.75;
        m.b_out = [0.5];
        m
    }

    #[test]
    fn sizes() {
        // 3·2·16 + 3·16·16 + 16 + 2·3·16 + 1 = 96 + 768 + 16 + 96 + 1.
        assert_eq!(G::PARAMS, 977);
        assert_eq!(G::ENCODED_LEN, 3928);
        assert_eq!(L::ENCODED_LEN, 5208);
        assert_eq!(L::PARAMS, 128 + 1024 + 16 + 128 + 1);
        assert_eq!(
            Lstm::<3, 5, 2>::ENCODED_LEN,
            20 + 4 * (60 + 100 + 10 + 40 + 2)
        );
    }

    #[test]
    fn round_trips_with_every_output_layer_and_biases_either_way() {
        for (k, output) in [Output::Sigmoid, Output::Linear, Output::Softmax]
            .into_iter()
            .enumerate()
        {
            for biases in [false, true] {
                let m = gru(k as u64).with_output(output).with_biases(biases);
                let mut buf = [0u8; G::ENCODED_LEN + 9];
                assert_eq!(m.write_to(&mut buf), Ok(G::ENCODED_LEN));
                assert_eq!(
                    (&buf[..4], buf[12], buf[13], buf[14]),
                    (&b"TRGM"[..], 3, u8::from(biases), output.code())
                );
                let mut back = G::zeros();
                back.read_from(&buf).unwrap();
                // Bit for bit: the biases' values are kept even when they are off.
                assert_eq!(back, m);
                assert_eq!(G::from_bytes(&buf), Ok(back));
            }
        }
        let mut rng = XorShiftRng::seed_from_u64(9);
        let lstm = L::from_rng(&mut rng, Init::Xavier).unwrap();
        let mut buf = [0u8; L::ENCODED_LEN];
        lstm.write_to(&mut buf).unwrap();
        assert_eq!(buf[12], 4);
        assert_eq!(L::from_bytes(&buf), Ok(lstm));
    }

    #[test]
    fn the_parameters_are_in_the_documented_order() {
        let m = gru(3);
        let mut buf = [0u8; G::ENCODED_LEN];
        m.write_to(&mut buf).unwrap();
        let stored: std::vec::Vec<f32> = buf[16..G::ENCODED_LEN - 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // w_x gate by gate, row by row; then w_h, w_out, b_x, b_h, b_out.
        assert_eq!(stored[0], m.w_x[0][0][0]);
        assert_eq!(stored[16], m.w_x[0][1][0]);
        assert_eq!(stored[32 + 5], m.w_x[1][0][5]);
        assert_eq!(stored[96 + 256 + 17], m.w_h[1][1][1]);
        assert_eq!(stored[96 + 768 + 3], m.w_out[3][0]);
        assert_eq!(stored[96 + 768 + 16 + 16 + 3], m.b_x[1][3]);
        assert_eq!(stored[96 + 768 + 16 + 48 + 32 + 5], m.b_h[2][5]);
        assert_eq!(stored[976], 0.5);
    }

    #[test]
    fn errors_leave_the_destination_untouched() {
        let m = gru(2);
        let mut rec = [0u8; G::ENCODED_LEN];
        m.write_to(&mut rec).unwrap();
        let dest = gru(7);
        let check = |bytes: &[u8], want: Error| {
            let mut d = dest.clone();
            assert_eq!(d.read_from(bytes), Err(want));
            assert_eq!(d, dest, "destination changed on {want:?}");
            assert_eq!(G::from_bytes(bytes), Err(want));
        };
        let needed = G::ENCODED_LEN;
        for got in [0, 10, 16, 1000, needed - 1] {
            check(&rec[..got], Error::BufferTooShort { needed, got });
        }
        check(&edited(&rec, 0, b"X"), Error::BadMagic);
        check(&edited(&rec, 4, &[2]), Error::UnsupportedVersion(2));
        // Another shape, or the other cell's number of gates: checked before the length.
        check(&edited(&rec, 8, &[8]), Error::ShapeMismatch);
        check(&edited(&rec, 12, &[4]), Error::ShapeMismatch);
        check(&edited(&rec, 12, &[4])[..16], Error::ShapeMismatch);
        let mut bad = rec;
        bad[100] ^= 0x10;
        check(&bad, Error::BadChecksum);
        for (at, value) in [(13, 0x80), (13, 0x02), (14, 3), (15, 0x40)] {
            check(&edited(&rec, at, &[value]), Error::InvalidField);
        }
        for (at, value) in [(16, f32::NAN), (needed - 8, f32::INFINITY)] {
            check(
                &edited(&rec, at, &value.to_le_bytes()),
                Error::NonFiniteValue,
            );
        }
        // An Elman record of the same I, H, O; and a gated record read as an Elman model.
        let elman = Rnn::<2, 16, 1>::zeros(crate::Activation::Tanh, true);
        let mut e = [0u8; Rnn::<2, 16, 1>::ENCODED_LEN];
        elman.write_to(&mut e).unwrap();
        check(&e, Error::BadMagic);
        let mut r = elman.clone();
        assert_eq!(r.read_from(&rec), Err(Error::BadMagic));
        assert_eq!(r, elman);
        // A record with its CRC rewritten after a one-bit edit of a weight reads back that
        // weight: the CRC, not the reader, guards the numbers.
        let mut flipped = rec;
        flipped[20] ^= 1;
        fix_crc(&mut flipped);
        assert_ne!(G::from_bytes(&flipped), Ok(m.clone()));
        // Writing into a short buffer: an error, nothing written.
        let mut short = [0xAAu8; 100];
        assert_eq!(
            m.write_to(&mut short),
            Err(Error::BufferTooShort { needed, got: 100 })
        );
        assert!(short.iter().all(|&b| b == 0xAA));
    }
}
