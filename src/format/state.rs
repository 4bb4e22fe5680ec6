//! The training-state and stream-state records: [`Trainer::write_state`],
//! [`Trainer::read_state`] and their stream variants.

use rand_core::SeedableRng;
use rand_xorshift::XorShiftRng;

use super::{
    CRC_LEN, FLAG_BIASES, FLAG_CLIP, OPTIMIZER_HEADER, Reader, STATE_HEADER, STATE_MAGIC,
    STREAM_MAGIC, TrainerFields, Writer, activation_code, activation_from, all_finite_le,
    check_header, check_numbers, flags_output, optimizer_block, state_flags, take_f32s,
    trainer_fields, xorshift_state,
};
use crate::error::{Error, Result};
use crate::model::Rnn;
use crate::train::{Loss, Optimizer, Sgd, Trace, Trainer};

impl<const I: usize, const H: usize, const O: usize, const L: usize, Lo, Op>
    Trainer<I, H, O, L, Lo, Op>
where
    Lo: Loss,
    Op: Optimizer<I, H, O>,
{
    /// Size in bytes of a training-state record: `52 + 4 ·` [`Rnn::PARAMS`] with SGD (format
    /// version 1); with an optimiser that has a state, `80 + 4 · (1 + k) ·` [`Rnn::PARAMS`] for
    /// its `k` =` [`Optimizer::STATE_ARRAYS`] arrays (version 2: 2,364 bytes for 2-16-1 with
    /// momentum, 3,648 with Adam).
    pub const STATE_LEN: usize = if Op::CODE == <Sgd as Optimizer<I, H, O>>::CODE {
        STATE_HEADER + 4 * Rnn::<I, H, O>::PARAMS + CRC_LEN
    } else {
        STATE_HEADER
            + OPTIMIZER_HEADER
            + 4 * (1 + Op::STATE_ARRAYS) * Rnn::<I, H, O>::PARAMS
            + CRC_LEN
    };

    /// The record's version: 1 with SGD, which has no state (every record before the other
    /// optimisers), 2 with one that has.
    const STATE_VERSION: u16 = if Op::CODE == <Sgd as Optimizer<I, H, O>>::CODE {
        1
    } else {
        2
    };

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
        w.bytes(&Self::STATE_VERSION.to_le_bytes());
        w.u16(I);
        w.u16(H);
        w.u16(O);
        w.u16(L);
        let flags = state_flags::<Lo>(self.model.biases, self.clip().is_some(), self.model.output);
        w.bytes(&[activation_code(self.model.activation), flags]);
        w.f32s(&[self.learning_rate(), self.clip().unwrap_or(0.0)]);
        w.bytes(&self.iterations().to_le_bytes());
        w.bytes(&xorshift_state(rng));
        if Op::CODE != <Sgd as Optimizer<I, H, O>>::CODE {
            let (settings, counter) = self.optimizer.settings();
            w.bytes(&[Op::CODE, 0, 0, 0]);
            w.f32s(&settings);
            w.bytes(&counter.to_le_bytes());
        }
        self.model.write_params(&mut w);
        for k in 0..Op::STATE_ARRAYS {
            if let Some(state) = self.optimizer.state(k) {
                for a in state.arrays() {
                    w.f32s(a);
                }
            }
        }
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
        // The optimiser's settings, the weights, its state and the hidden state if there is
        // one: everything from the header to the checksum.
        let (n, len) = match hidden {
            Some(_) => (
                Self::STREAM_STATE_LEN - STATE_HEADER - CRC_LEN,
                Self::STREAM_STATE_LEN,
            ),
            None => (Self::STATE_LEN - STATE_HEADER - CRC_LEN, Self::STATE_LEN),
        };
        let (header, rest) = check_header::<STATE_HEADER>(bytes, magic, Self::STATE_VERSION, len)?;
        let mut r = Reader {
            buf: header,
            pos: 6,
        };
        let shape = [r.u16(), r.u16(), r.u16(), r.u16()];
        if shape.map(usize::from) != [I, H, O, L] {
            return Err(Error::ShapeMismatch);
        }
        // Another optimiser's record has another length: say so before its checksum fails.
        if Op::CODE != <Sgd as Optimizer<I, H, O>>::CODE
            && rest.first().is_some_and(|&c| c != Op::CODE)
        {
            return Err(Error::TrainerMismatch);
        }
        let mut numbers = check_numbers(header, rest, n, len, bytes.len())?;
        let [act, flags] = r.array::<2>();
        let activation = activation_from(act)?;
        let output = flags_output::<Lo>(flags)?;
        // The optimiser's block (version 2), then the numbers.
        let mut settings = ([0.0f32; 4], 0u64);
        if Op::CODE != <Sgd as Optimizer<I, H, O>>::CODE {
            let Some((block, floats)) = numbers.split_first_chunk::<OPTIMIZER_HEADER>() else {
                return Err(Error::InvalidField); // cannot happen: `n` counts the block
            };
            settings = optimizer_block(block, Op::CODE)?;
            Op::check_settings(settings.0, settings.1)?;
            numbers = floats;
        }
        let TrainerFields {
            lr,
            clip,
            iterations,
            seed,
        } = trainer_fields(&mut r, flags & FLAG_CLIP != 0)?;
        if !all_finite_le(numbers) {
            return Err(Error::NonFiniteValue);
        }
        // Every check passed: now change `self`, `rng` and `h`, through the trainer's public
        // setters (which cannot refuse what was just checked).
        self.set_learning_rate(lr)?;
        self.set_clip(clip)?;
        self.set_iterations(iterations);
        self.grads.clear();
        self.trace = Trace::zeros();
        self.model.activation = activation;
        self.model.biases = flags & FLAG_BIASES != 0;
        self.model.output = output;
        self.model.fill_params(&mut numbers);
        self.optimizer.set_settings(settings.0, settings.1);
        for k in 0..Op::STATE_ARRAYS {
            if let Some(state) = self.optimizer.state_mut(k) {
                for a in state.arrays_mut() {
                    take_f32s(a, &mut numbers);
                }
            }
        }
        if let Some(h) = hidden {
            take_f32s(h, &mut numbers);
        }
        *rng = XorShiftRng::from_seed(seed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::Activation;
    use crate::output::Output;
    use crate::train::CrossEntropy;

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

    /// A softmax classifier trained by Adam or momentum: `n` steps of the addition's bits as
    /// two classes.
    fn classifier<Op: Optimizer<2, 8, 2>>(
        opt: Op,
        seed: u64,
    ) -> (Trainer<2, 8, 2, 4, CrossEntropy, Op>, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let m = Rnn::<2, 8, 2>::from_rng(&mut rng, crate::Init::Xavier, Activation::Tanh)
            .unwrap()
            .with_biases(true)
            .with_output(Output::Softmax);
        (Trainer::with(m, 0.01, CrossEntropy, opt).unwrap(), rng)
    }

    fn classify<Op: Optimizer<2, 8, 2>>(
        t: &mut Trainer<2, 8, 2, 4, CrossEntropy, Op>,
        rng: &mut XorShiftRng,
        n: u32,
    ) {
        use rand_core::Rng;
        for _ in 0..n {
            let bits = rng.next_u32();
            let xs: [[f32; 2]; 4] =
                core::array::from_fn(|i| [(bits >> i & 1) as f32, (bits >> (i + 4) & 1) as f32]);
            let c = (bits & 1) as usize; // the first input bit, at the last step: memory
            let mut d = [0.0; 2];
            d[c] = 1.0;
            t.step_last(&xs, &d).unwrap();
        }
    }

    fn resume_case<Op: Optimizer<2, 8, 2>>(opt: Op, other: Op) {
        let (mut straight, mut rng) = classifier(opt.clone(), 3);
        classify(&mut straight, &mut rng, 60);
        let (mut first, mut rng) = classifier(opt, 3);
        classify(&mut first, &mut rng, 25);
        let mut rec = [0u8; 4000];
        let n = first.write_state(&rng, &mut rec).unwrap();
        assert_eq!(n, Trainer::<2, 8, 2, 4, CrossEntropy, Op>::STATE_LEN);
        assert_eq!(u16::from_le_bytes([rec[4], rec[5]]), 2);
        let (mut resumed, mut rng) = classifier(other, 9);
        resumed.read_state(&mut rng, &rec[..n]).unwrap();
        assert_eq!(
            (&resumed.model, &resumed.optimizer),
            (&first.model, &first.optimizer)
        );
        classify(&mut resumed, &mut rng, 35);
        assert_eq!(bits(&resumed.model), bits(&straight.model));
        assert_eq!(resumed.optimizer, straight.optimizer);
        // Into a trainer of another loss or optimiser: refused, nothing changed.
        let mut sgd = Trainer::<2, 8, 2, 4, CrossEntropy>::with(
            resumed.model.clone(),
            0.1,
            CrossEntropy,
            Sgd,
        )
        .unwrap();
        let before = sgd.clone();
        assert_eq!(
            sgd.read_state(&mut rng, &rec[..n]),
            Err(Error::UnsupportedVersion(2))
        );
        assert_eq!(sgd, before);
    }

    #[test]
    fn momentum_and_adam_resume_exactly() {
        use crate::train::{Adam, Momentum};
        resume_case(
            Momentum::with_weight_decay(0.9, 0.001).unwrap(),
            Momentum::new(0.5).unwrap(),
        );
        resume_case(Adam::new(0.8, 0.99, 1e-7, 0.01).unwrap(), Adam::default());
    }

    #[test]
    fn optimizer_records_are_checked() {
        use crate::train::{Adam, Momentum};
        let (mut t, mut rng) = classifier(Adam::default(), 4);
        classify(&mut t, &mut rng, 5);
        const N: usize = Trainer::<2, 8, 2, 4, CrossEntropy, Adam<2, 8, 2>>::STATE_LEN;
        let mut rec = [0u8; N];
        t.write_state(&rng, &mut rec).unwrap();
        let dest = classifier(Adam::default(), 5).0;
        let check = |bytes: &[u8], want: Error| {
            let mut d = dest.clone();
            let mut r = XorShiftRng::seed_from_u64(0);
            assert_eq!(d.read_state(&mut r, bytes), Err(want));
            assert_eq!(d, dest, "changed on {want:?}");
        };
        // Another optimiser's code, a reserved byte, a beta of 1, a NaN moment.
        check(&edited(&rec, 48, &[1]), Error::TrainerMismatch);
        check(&edited(&rec, 50, &[1]), Error::InvalidField);
        check(
            &edited(&rec, 52, &1.0f32.to_le_bytes()),
            Error::InvalidField,
        );
        check(
            &edited(&rec, N - 8, &f32::NAN.to_le_bytes()),
            Error::NonFiniteValue,
        );
        // The loss flag, and an output layer the loss cannot train (linear).
        check(&edited(&rec, 15, &[rec[15] ^ 16]), Error::TrainerMismatch);
        check(
            &edited(&rec, 15, &[(rec[15] & !12) | 4]),
            Error::InvalidField,
        );
        check(&edited(&rec, 15, &[rec[15] | 12]), Error::InvalidField);
        // A momentum trainer does not take Adam's record.
        let mut m = classifier(Momentum::new(0.9).unwrap(), 5).0;
        let mut r = XorShiftRng::seed_from_u64(0);
        // (Its record is longer, but its optimiser's code, just after the header, says why.)
        assert_eq!(m.read_state(&mut r, &rec), Err(Error::TrainerMismatch));
    }

    #[test]
    fn an_sgd_state_is_version_1_and_holds_the_output_and_loss() {
        let (mut t, mut rng) = classifier(Sgd, 6);
        classify(&mut t, &mut rng, 5);
        let mut rec = [0u8; Trainer::<2, 8, 2, 4, CrossEntropy>::STATE_LEN];
        t.write_state(&rng, &mut rec).unwrap();
        assert_eq!(
            (u16::from_le_bytes([rec[4], rec[5]]), rec[15] & 28),
            (1, 8 | 16)
        );
        let mut back = classifier(Sgd, 7).0;
        back.model.output = Output::Sigmoid;
        back.read_state(&mut rng, &rec).unwrap();
        assert_eq!(back.model, t.model);
        // The same record read by the squared error's trainer: another loss.
        let mut se =
            Trainer::<2, 8, 2, 4>::new(t.model.clone().with_output(Output::Sigmoid), 0.1).unwrap();
        assert_eq!(se.read_state(&mut rng, &rec), Err(Error::TrainerMismatch));
    }
}
