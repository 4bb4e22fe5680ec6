//! The model record: [`Rnn::write_to`], [`Rnn::read_from`] and the compile-time
//! [`Rnn::from_bytes`].

use super::{
    CRC_LEN, FLAG_BIASES, MODEL_HEADER, MODEL_MAGIC, VERSION, Writer, activation_code,
    activation_from, all_finite_le, check_header, check_numbers, take_f32s,
};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::model::Rnn;
use crate::output::Output;

impl<const I: usize, const H: usize, const O: usize> Rnn<I, H, O> {
    /// Number of parameters stored: `I·H + H·H + H·O + H + O`.
    pub const PARAMS: usize = I * H + H * H + H * O + H + O;

    /// Size in bytes of this model's record: `20 + 4 ·` [`Self::PARAMS`].
    pub const ENCODED_LEN: usize = MODEL_HEADER + 4 * Self::PARAMS + CRC_LEN;

    pub(super) fn write_params(&self, w: &mut Writer<'_>) {
        for a in self.arrays() {
            w.f32s(a);
        }
    }

    /// Fills the weights and biases from the f32s at the start of `params`, in the record's
    /// order (`w_in`, `w`, `w_out` row by row, then `b_h`, `b_out`), and moves `params` past
    /// them: the one reader of that order, for [`Rnn::read_from`], [`Rnn::from_bytes`] and the
    /// training states. `params` has been checked to hold them.
    pub(super) const fn fill_params(&mut self, params: &mut &[u8]) {
        let arrays = self.arrays_mut();
        let mut k = 0;
        while k < arrays.len() {
            take_f32s(arrays[k], params);
            k += 1;
        }
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
            self.output.code(),
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
        let (activation, biases, output, mut params) = Self::check_record(bytes)?;
        // Every check passed: now, and only now, change `self`.
        self.activation = activation;
        self.biases = biases;
        self.output = output;
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
        let (activation, biases, output, mut params) = match Self::check_record(bytes) {
            Ok(checked) => checked,
            Err(e) => return Err(e),
        };
        let mut m = Self::zeros(activation, biases).with_output(output);
        m.fill_params(&mut params);
        Ok(m)
    }

    /// Checks that `bytes` start with a valid record of this model: what [`Rnn::read_from`]
    /// and [`Rnn::from_bytes`] check, in the same order. Returns the activation, the biases
    /// flag, the output layer and the parameters' bytes.
    const fn check_record(bytes: &[u8]) -> Result<(Activation, bool, Output, &[u8])> {
        let (header, rest) =
            match check_header::<MODEL_HEADER>(bytes, MODEL_MAGIC, VERSION, Self::ENCODED_LEN) {
                Ok(split) => split,
                Err(e) => return Err(e),
            };
        let [.., i0, i1, h0, h1, o0, o1, act, flags, out, res] = *header;
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
        let Some(output) = Output::from_code(out) else {
            return Err(Error::InvalidField);
        };
        if flags & !FLAG_BIASES != 0 || res != 0 {
            return Err(Error::InvalidField);
        }
        if !all_finite_le(params) {
            return Err(Error::NonFiniteValue);
        }
        Ok((activation, flags & FLAG_BIASES != 0, output, params))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use rand_core::SeedableRng;
    use rand_xorshift::XorShiftRng;

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
    fn the_output_layer_round_trips_and_old_records_are_sigmoid() {
        for output in [Output::Sigmoid, Output::Linear, Output::Softmax] {
            let m = model(5, Activation::Tanh, true).with_output(output);
            let mut rec = [0u8; Model::ENCODED_LEN];
            m.write_to(&mut rec).unwrap();
            assert_eq!(rec[14], output.code());
            let mut back = Model::zeros(Activation::Sigmoid, false);
            back.read_from(&rec).unwrap();
            assert_eq!(back, m);
            assert_eq!(Model::from_bytes(&rec), Ok(m));
        }
        // The committed model was written before the output layer had a byte: sigmoid.
        let old = include_bytes!("../../examples/firmware/model/addition-2-16-1.trnm");
        assert_eq!(
            Model::from_bytes(old).map(|m| m.output),
            Ok(Output::Sigmoid)
        );
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
        // An unknown activation, flag or output layer, or the reserved byte not zero.
        for (at, value) in [
            (12, 7),
            (13, 0x80),
            (13, 0x02),
            (14, 3),
            (14, 0xff),
            (15, 0x40),
        ] {
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
}
