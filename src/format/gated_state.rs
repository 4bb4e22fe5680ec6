//! The gated training-state and stream-state records: [`GatedTrainer::write_state`],
//! [`GatedTrainer::read_state`] and their stream variants, for the GRU and the LSTM alike.
//! The fields are the Elman training state's (version 2, with the optimiser's block) with the
//! cell in byte 14, where the Elman's record has its activation; the magics are the gated
//! cells' own, so that no Elman trainer reads a gated state, nor the other way round.

use rand_core::SeedableRng;
use rand_xorshift::XorShiftRng;

use super::{
    CRC_LEN, FLAG_BIASES, FLAG_CLIP, OPTIMIZER_HEADER, Reader, STATE_HEADER, TrainerFields,
    VERSION, Writer, all_finite_le, check_header, check_numbers, flags_output, optimizer_block,
    state_flags, take_f32s, trainer_fields, xorshift_state,
};
use crate::error::{Error, Result};
use crate::gated::{Gated, GatedCell, GatedOptimizer, GatedTrainer};
use crate::train::Loss;

/// Magic bytes of a gated training-state record.
pub const GATED_STATE_MAGIC: [u8; 4] = *b"TRGS";
/// Magic bytes of a gated stream-state record: a training state and the cell's state it carries.
pub const GATED_STREAM_MAGIC: [u8; 4] = *b"TRGH";

impl<const I: usize, const H: usize, const O: usize, const G: usize, const L: usize, Lo, Op>
    GatedTrainer<I, H, O, G, L, Lo, Op>
where
    Gated<I, H, O, G>: GatedCell<I, H, O, G>,
    Lo: Loss,
    Op: GatedOptimizer<I, H, O, G>,
{
    /// Size in bytes of a training-state record: `80 + 4 · (1 + k) ·`
    /// [`Gated::PARAMS`] for an optimiser with `k` = [`GatedOptimizer::STATE_ARRAYS`] state
    /// arrays (0 for SGD, 1 for momentum, 2 for Adam): 3,988 bytes for a 2-16-1 GRU with SGD,
    /// 15,644 for an LSTM of that shape with Adam.
    pub const STATE_LEN: usize = STATE_HEADER
        + OPTIMIZER_HEADER
        + 4 * (1 + Op::STATE_ARRAYS) * Gated::<I, H, O, G>::PARAMS
        + CRC_LEN;

    /// Size in bytes of a stream-state record: [`Self::STATE_LEN`] and the cell's state,
    /// `4H` bytes for a GRU, `8H` for an LSTM.
    pub const STREAM_STATE_LEN: usize =
        Self::STATE_LEN + 4 * <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::STATE_FLOATS;

    /// Writes the training state — model, loss, optimiser with its settings and state,
    /// learning rate, clipping, iteration count and the state of `rng` — at the start of `buf`
    /// (see [`crate::format`]: the gated training state); returns its length,
    /// [`Self::STATE_LEN`]. `rng` is not advanced.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::STATE_LEN`]; nothing is
    /// written then.
    pub fn write_state(&self, rng: &XorShiftRng, buf: &mut [u8]) -> Result<usize> {
        self.write_record(GATED_STATE_MAGIC, rng, None, buf)
    }

    /// Writes the state of training on a stream ([`GatedTrainer::step_targets`] with a carried
    /// state): what [`GatedTrainer::write_state`] writes, and the cell's `state` the next
    /// window starts from (`h`; `h` then `c` for the LSTM), under the magic `TRGH` and one
    /// checksum. Returns its length, [`Self::STREAM_STATE_LEN`]. `rng` is not advanced.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`] if `buf` is shorter than [`Self::STREAM_STATE_LEN`]; nothing
    /// is written then.
    pub fn write_stream_state(
        &self,
        rng: &XorShiftRng,
        state: &<Gated<I, H, O, G> as GatedCell<I, H, O, G>>::State,
        buf: &mut [u8],
    ) -> Result<usize> {
        self.write_record(GATED_STREAM_MAGIC, rng, Some(state), buf)
    }

    /// Reads a training state written by [`GatedTrainer::write_state`] into `self` and `rng`,
    /// so that training goes on exactly as if it had never stopped. The gradients and trace
    /// are cleared.
    ///
    /// # Errors
    /// [`Error::BufferTooShort`], [`Error::BadMagic`] (an Elman training state, a model
    /// record, a stream state…), [`Error::UnsupportedVersion`], [`Error::ShapeMismatch`]
    /// (another `I`, `H`, `O` or `L`, or the other cell), [`Error::TrainerMismatch`] (another
    /// optimiser or loss), [`Error::BadChecksum`], [`Error::InvalidField`] (an unknown flag or
    /// output layer, one the loss does not train, a learning rate, clipping threshold or
    /// optimiser setting out of range, an all-zero RNG state) or [`Error::NonFiniteValue`].
    /// On any error `self` and `rng` are left exactly as they were.
    ///
    /// # Examples
    ///
    /// An LSTM trained with Adam for 100 steps, saved, and restored into a fresh trainer
    /// and RNG, goes on with the bits of one that never stopped:
    ///
    /// ```
    /// use tinyrnn::gated::{GatedAdam, LstmTrainer};
    /// use tinyrnn::lstm::Lstm;
    /// use tinyrnn::rand_core::SeedableRng;
    /// use tinyrnn::task::Sample;
    /// use tinyrnn::train::SquaredError;
    /// use tinyrnn::{Init, XorShiftRng};
    ///
    /// type T = LstmTrainer<2, 8, 1, 8, SquaredError, GatedAdam<2, 8, 1, 4>>;
    /// fn start() -> Result<(T, XorShiftRng), tinyrnn::Error> {
    ///     let mut rng = XorShiftRng::seed_from_u64(1);
    ///     let lstm = Lstm::from_rng(&mut rng, Init::Xavier)?;
    ///     Ok((T::with(lstm, 0.01, SquaredError, GatedAdam::default())?, rng))
    /// }
    /// fn train(t: &mut T, rng: &mut XorShiftRng, n: u32) -> Result<(), tinyrnn::Error> {
    ///     for _ in 0..n {
    ///         let s = Sample::<8>::random(rng);
    ///         t.step(&s.xs, &s.ds)?;
    ///     }
    ///     Ok(())
    /// }
    ///
    /// let (mut straight, mut rng) = start()?;
    /// train(&mut straight, &mut rng, 200)?;
    ///
    /// let (mut first, mut rng) = start()?;
    /// train(&mut first, &mut rng, 100)?;
    /// let mut saved = [0u8; T::STATE_LEN]; // a file, a flash page…
    /// first.write_state(&rng, &mut saved)?;
    ///
    /// let mut resumed = T::with(Lstm::zeros(), 0.5, SquaredError, GatedAdam::default())?;
    /// let mut rng = XorShiftRng::seed_from_u64(0);
    /// resumed.read_state(&mut rng, &saved)?;
    /// train(&mut resumed, &mut rng, 100)?;
    /// assert_eq!(resumed.iterations(), 200);
    /// assert_eq!(resumed.model, straight.model);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn read_state(&mut self, rng: &mut XorShiftRng, bytes: &[u8]) -> Result<()> {
        self.read_record(GATED_STATE_MAGIC, rng, None, bytes)
    }

    /// Reads a record written by [`GatedTrainer::write_stream_state`] into `self`, `rng` and
    /// `state`, so that training on the stream goes on exactly as if it had never stopped.
    ///
    /// # Errors
    /// As [`GatedTrainer::read_state`] (a training state `TRGS`, which holds no cell state, is
    /// [`Error::BadMagic`] here, as a stream state is there). On any error `self`, `rng` and
    /// `state` are left exactly as they were.
    pub fn read_stream_state(
        &mut self,
        rng: &mut XorShiftRng,
        state: &mut <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::State,
        bytes: &[u8],
    ) -> Result<()> {
        self.read_record(GATED_STREAM_MAGIC, rng, Some(state), bytes)
    }

    /// Writes a record with its fields in order; the cell's state, if any, after the
    /// optimiser's.
    fn write_record(
        &self,
        magic: [u8; 4],
        rng: &XorShiftRng,
        state: Option<&<Gated<I, H, O, G> as GatedCell<I, H, O, G>>::State>,
        buf: &mut [u8],
    ) -> Result<usize> {
        const {
            assert!(
                I <= u16::MAX as usize
                    && H <= u16::MAX as usize
                    && O <= u16::MAX as usize
                    && L <= u16::MAX as usize
                    && G <= u8::MAX as usize,
                "a record holds I, H, O and L in 16 bits, G in 8"
            )
        };
        let len = match state {
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
        let flags = state_flags::<Lo>(self.model.biases, self.clip().is_some(), self.model.output);
        w.bytes(&[G as u8, flags]);
        w.f32s(&[self.learning_rate(), self.clip().unwrap_or(0.0)]);
        w.bytes(&self.iterations().to_le_bytes());
        w.bytes(&xorshift_state(rng));
        let (settings, counter) = self.optimizer.record_settings();
        w.bytes(&[Op::CODE, 0, 0, 0]);
        w.f32s(&settings);
        w.bytes(&counter.to_le_bytes());
        for a in self.model.arrays() {
            w.f32s(a);
        }
        for k in 0..Op::STATE_ARRAYS {
            if let Some(s) = self.optimizer.state(k) {
                for a in s.arrays() {
                    w.f32s(a);
                }
            }
        }
        if let Some(s) = state {
            for a in <Gated<I, H, O, G>>::state_arrays(s) {
                w.f32s(a);
            }
        }
        w.crc();
        Ok(w.pos)
    }

    /// Reads a record, with the cell's state after the optimiser's when `state` is given.
    fn read_record(
        &mut self,
        magic: [u8; 4],
        rng: &mut XorShiftRng,
        state: Option<&mut <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::State>,
        bytes: &[u8],
    ) -> Result<()> {
        let len = match state {
            Some(_) => Self::STREAM_STATE_LEN,
            None => Self::STATE_LEN,
        };
        let (header, rest) = check_header::<STATE_HEADER>(bytes, magic, VERSION, len)?;
        let mut r = Reader {
            buf: header,
            pos: 6,
        };
        let shape = [r.u16(), r.u16(), r.u16(), r.u16()].map(usize::from);
        let [cell, flags] = r.array::<2>();
        if shape != [I, H, O, L] || usize::from(cell) != G {
            return Err(Error::ShapeMismatch);
        }
        // Another optimiser's record has another length: say so before its checksum fails.
        if rest.first().is_some_and(|&c| c != Op::CODE) {
            return Err(Error::TrainerMismatch);
        }
        let numbers = check_numbers(header, rest, len - STATE_HEADER - CRC_LEN, len, bytes.len())?;
        let output = flags_output::<Lo>(flags)?;
        let Some((block, mut numbers)) = numbers.split_first_chunk::<OPTIMIZER_HEADER>() else {
            return Err(Error::InvalidField); // cannot happen: the length counts the block
        };
        let (settings, counter) = optimizer_block(block, Op::CODE)?;
        Op::check_settings(settings, counter)?;
        let TrainerFields {
            lr,
            clip,
            iterations,
            seed,
        } = trainer_fields(&mut r, flags & FLAG_CLIP != 0)?;
        if !all_finite_le(numbers) {
            return Err(Error::NonFiniteValue);
        }
        // Every check passed: now change `self`, `rng` and `state`, through the trainer's
        // public setters (which cannot refuse what was just checked).
        self.set_learning_rate(lr)?;
        self.set_clip(clip)?;
        self.set_iterations(iterations);
        self.grads = crate::gated::GatedGradients::zeros();
        self.trace = <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::trace_zeros();
        self.model.biases = flags & FLAG_BIASES != 0;
        self.model.output = output;
        for a in self.model.arrays_mut() {
            take_f32s(a, &mut numbers);
        }
        self.optimizer.set_settings(settings, counter);
        for k in 0..Op::STATE_ARRAYS {
            if let Some(s) = self.optimizer.state_mut(k) {
                for a in s.arrays_mut() {
                    take_f32s(a, &mut numbers);
                }
            }
        }
        if let Some(s) = state {
            for a in <Gated<I, H, O, G>>::state_arrays_mut(s) {
                take_f32s(a, &mut numbers);
            }
        }
        *rng = XorShiftRng::from_seed(seed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Init;
    use crate::Trainer;
    use crate::format::{FLAG_CROSS_ENTROPY, OUTPUT_SHIFT, STATE_MAGIC};
    use crate::gated::{GatedAdam, GatedMomentum, GruTrainer, LstmTrainer};
    use crate::gru::Gru;
    use crate::lstm::{Lstm, LstmState};
    use crate::train::{Labels, SquaredError, Targets};
    use rand_core::Rng;

    /// A random sequence and its targets in `[0, 1]`.
    fn sample<const L: usize>(rng: &mut XorShiftRng) -> ([[f32; 2]; L], [[f32; 1]; L]) {
        let mut unit = || (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32;
        let mut xs = [[0.0; 2]; L];
        let mut ds = [[0.0; 1]; L];
        for (x, d) in xs.iter_mut().zip(&mut ds) {
            *x = [unit(), unit()];
            d[0] = unit();
        }
        (xs, ds)
    }

    type GruSgd = GruTrainer<2, 5, 1, 6>;
    type GruMomentum = GruTrainer<2, 5, 1, 6, SquaredError, GatedMomentum<2, 5, 1, 3>>;
    type LstmAdam = LstmTrainer<2, 5, 1, 6, SquaredError, GatedAdam<2, 5, 1, 4>>;

    fn gru_sgd(seed: u64) -> (GruSgd, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let gru = Gru::from_rng(&mut rng, Init::Xavier).unwrap();
        let t = GruSgd::new(gru, 0.3).unwrap().with_clip(Some(0.5)).unwrap();
        (t, rng)
    }

    fn gru_momentum(seed: u64) -> (GruMomentum, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let gru = Gru::from_rng(&mut rng, Init::Xavier).unwrap();
        let opt = GatedMomentum::new(0.9, 0.01).unwrap();
        (
            GruMomentum::with(gru, 0.05, SquaredError, opt).unwrap(),
            rng,
        )
    }

    fn lstm_adam(seed: u64) -> (LstmAdam, XorShiftRng) {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let lstm = Lstm::from_rng(&mut rng, Init::Xavier).unwrap();
        let opt = GatedAdam::new(0.8, 0.99, 1e-6, 0.001).unwrap();
        (LstmAdam::with(lstm, 0.01, SquaredError, opt).unwrap(), rng)
    }

    /// `n` steps on fresh sequences drawn from `rng`.
    macro_rules! train {
        ($t:expr, $rng:expr, $n:expr) => {
            for _ in 0..$n {
                let (xs, ds) = sample::<6>($rng);
                $t.step(&xs, &ds).unwrap();
            }
        };
    }

    /// 30 steps, saved, restored into a fresh trainer and RNG, 20 more: the trainer and RNG of
    /// 50 steps in one go, bit for bit (the optimiser's state too).
    macro_rules! resume_case {
        ($make:ident, $ty:ty) => {{
            let (mut straight, mut rng_a) = $make(5);
            train!(straight, &mut rng_a, 50);
            let (mut first, mut rng_b) = $make(5);
            train!(first, &mut rng_b, 30);
            let mut rec = [0u8; <$ty>::STATE_LEN];
            assert_eq!(first.write_state(&rng_b, &mut rec), Ok(<$ty>::STATE_LEN));
            let (mut resumed, mut rng_c) = $make(99);
            resumed.set_clip(None).unwrap();
            resumed.read_state(&mut rng_c, &rec).unwrap();
            assert_eq!(resumed, first.clone().with_grads_and_trace_cleared());
            train!(resumed, &mut rng_c, 20);
            assert_eq!(resumed.model, straight.model);
            assert_eq!(resumed.optimizer, straight.optimizer);
            assert_eq!(resumed.iterations(), 50);
            assert_eq!(rng_c, rng_a);
        }};
    }

    impl<const I: usize, const H: usize, const O: usize, const G: usize, const L: usize, Lo, Op>
        GatedTrainer<I, H, O, G, L, Lo, Op>
    where
        Gated<I, H, O, G>: GatedCell<I, H, O, G>,
        Lo: Loss,
        Op: GatedOptimizer<I, H, O, G>,
    {
        /// What a read state holds: the trainer with its gradients and trace cleared.
        fn with_grads_and_trace_cleared(mut self) -> Self {
            self.grads = crate::gated::GatedGradients::zeros();
            self.trace = <Gated<I, H, O, G> as GatedCell<I, H, O, G>>::trace_zeros();
            self
        }
    }

    #[test]
    fn resume_is_exact_for_each_cell_and_optimiser() {
        resume_case!(gru_sgd, GruSgd);
        resume_case!(gru_momentum, GruMomentum);
        resume_case!(lstm_adam, LstmAdam);
    }

    #[test]
    fn sizes() {
        // 2-5-1 GRU: 3·10 + 3·25 + 5 + 30 + 1 = 141 parameters; LSTM: 4·10 + 4·25 + 5 + 40 + 1.
        assert_eq!(GruSgd::STATE_LEN, 80 + 4 * 141);
        assert_eq!(GruMomentum::STATE_LEN, 80 + 8 * 141);
        assert_eq!(LstmAdam::STATE_LEN, 80 + 12 * 186);
        assert_eq!(GruSgd::STREAM_STATE_LEN, GruSgd::STATE_LEN + 4 * 5);
        assert_eq!(LstmAdam::STREAM_STATE_LEN, LstmAdam::STATE_LEN + 8 * 5);
        // The figures the documentation gives, for the course's shapes.
        assert_eq!(GruTrainer::<2, 16, 1, 8>::STATE_LEN, 3_988);
        type BigLstm = LstmTrainer<2, 16, 1, 8, SquaredError, GatedAdam<2, 16, 1, 4>>;
        assert_eq!(BigLstm::STATE_LEN, 15_644);
    }

    #[test]
    fn stream_resume_is_exact_and_needs_the_state() {
        // An LSTM on a stream: 6-step windows, the state carried from each to the next.
        let (mut straight, mut rng_a) = lstm_adam(8);
        let mut s_a = LstmState::zeros();
        let (mut first, mut rng_b) = lstm_adam(8);
        let mut s_b = LstmState::zeros();
        for n in 0..40 {
            let (xs, ds) = sample::<6>(&mut rng_a);
            let t = Targets {
                ds: &ds,
                labels: Labels::Every,
            };
            straight.step_targets(Some(&mut s_a), &xs, t).unwrap();
            if n < 25 {
                let (xs, ds) = sample::<6>(&mut rng_b);
                let t = Targets {
                    ds: &ds,
                    labels: Labels::Every,
                };
                first.step_targets(Some(&mut s_b), &xs, t).unwrap();
            }
        }
        let mut rec = [0u8; LstmAdam::STREAM_STATE_LEN];
        first.write_stream_state(&rng_b, &s_b, &mut rec).unwrap();
        // Neither reader takes the other's record.
        let (mut probe, mut probe_rng) = lstm_adam(1);
        assert_eq!(probe.read_state(&mut probe_rng, &rec), Err(Error::BadMagic));
        let mut plain = [0u8; LstmAdam::STATE_LEN];
        first.write_state(&rng_b, &mut plain).unwrap();
        let mut s_probe = LstmState::zeros();
        assert_eq!(
            probe.read_stream_state(&mut probe_rng, &mut s_probe, &plain),
            Err(Error::BadMagic)
        );
        // Restored, the state comes back with the trainer and the RNG.
        let (mut resumed, mut rng_c) = lstm_adam(77);
        let mut s_c = LstmState::zeros();
        resumed
            .read_stream_state(&mut rng_c, &mut s_c, &rec)
            .unwrap();
        assert_eq!(s_c, s_b);
        for _ in 25..40 {
            let (xs, ds) = sample::<6>(&mut rng_c);
            let t = Targets {
                ds: &ds,
                labels: Labels::Every,
            };
            resumed.step_targets(Some(&mut s_c), &xs, t).unwrap();
        }
        assert_eq!((resumed.model, s_c, rng_c), (straight.model, s_a, rng_a));
    }

    #[test]
    fn state_errors_leave_destination_untouched() {
        let (mut t, mut rng) = gru_momentum(6);
        train!(t, &mut rng, 5);
        let mut rec = [0u8; GruMomentum::STATE_LEN];
        t.write_state(&rng, &mut rec).unwrap();
        let len = GruMomentum::STATE_LEN;
        let (dest, dest_rng) = gru_momentum(7);
        let check = |bytes: &[u8], want: Error| {
            let (mut d, mut r) = (dest.clone(), dest_rng.clone());
            assert_eq!(d.read_state(&mut r, bytes), Err(want));
            assert_eq!(d, dest, "trainer changed on {want:?}");
            assert_eq!(r, dest_rng, "rng changed on {want:?}");
        };
        let edited = |at: usize, bytes: &[u8]| {
            let mut e = rec;
            e[at..at + bytes.len()].copy_from_slice(bytes);
            // The checksum made right again, so that the field's own check is reached.
            let crc = crate::format::crc32(&e[..len - 4]);
            e[len - 4..].copy_from_slice(&crc.to_le_bytes());
            e
        };
        for got in [0, 47, 100, len - 1] {
            check(&rec[..got], Error::BufferTooShort { needed: len, got });
        }
        // An Elman training state and a gated model record: other magics.
        let mut elman = [0u8; Trainer::<2, 5, 1, 6>::STATE_LEN];
        Trainer::<2, 5, 1, 6>::zeros(crate::Activation::Tanh, true)
            .write_state(&rng, &mut elman)
            .unwrap();
        assert_eq!(elman[..4], STATE_MAGIC);
        check(&elman, Error::BadMagic);
        let mut model = [0u8; Gru::<2, 5, 1>::ENCODED_LEN];
        t.model.write_to(&mut model).unwrap();
        check(&model, Error::BadMagic);
        check(&edited(4, &[2, 0]), Error::UnsupportedVersion(2));
        // Another L, or the other cell.
        check(&edited(12, &[7, 0]), Error::ShapeMismatch);
        check(&edited(14, &[4]), Error::ShapeMismatch);
        // Another optimiser, or another loss.
        check(&edited(48, &[2]), Error::TrainerMismatch);
        check(
            &edited(15, &[rec[15] | FLAG_CROSS_ENTROPY]),
            Error::TrainerMismatch,
        );
        let mut bad = rec;
        bad[200] ^= 1;
        check(&bad, Error::BadChecksum);
        // Fields out of range: flags, output layer, reserved bytes, settings, counter, the
        // learning rate, the clipping threshold, the RNG.
        for (at, bytes) in [
            (15, &[0x80][..]),
            (15, &[3 << OUTPUT_SHIFT][..]),
            (49, &[1][..]),
            (52, &1.0f32.to_le_bytes()[..]),
            (60, &1.0f32.to_le_bytes()[..]),
            (68, &2u64.to_le_bytes()[..]),
            (16, &0.0f32.to_le_bytes()[..]),
            (20, &1.0f32.to_le_bytes()[..]),
            (32, &[0; 16][..]),
        ] {
            check(&edited(at, bytes), Error::InvalidField);
        }
        // The softmax output with the squared error: a pair the loss does not train.
        check(&edited(15, &[2 << OUTPUT_SHIFT]), Error::InvalidField);
        for at in [76, len - 8] {
            check(&edited(at, &f32::NAN.to_le_bytes()), Error::NonFiniteValue);
        }
        // And a good record is read.
        let (mut d, mut r) = (dest.clone(), dest_rng.clone());
        d.read_state(&mut r, &rec).unwrap();
        assert_eq!((d.model, r), (t.model, rng));
    }

    #[test]
    fn an_sgd_state_holds_no_settings() {
        let (t, rng) = gru_sgd(3);
        let mut rec = [0u8; GruSgd::STATE_LEN];
        t.write_state(&rng, &mut rec).unwrap();
        assert_eq!(&rec[..4], b"TRGS");
        assert_eq!(rec[14], 3);
        assert_eq!(rec[48..76], [0; 28]);
        let (mut d, mut r) = gru_sgd(4);
        // SGD's settings are all zero: a record with one set is refused.
        let mut bad = rec;
        bad[52] = 1;
        let crc = crate::format::crc32(&bad[..GruSgd::STATE_LEN - 4]);
        bad[GruSgd::STATE_LEN - 4..].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(d.read_state(&mut r, &bad), Err(Error::InvalidField));
        d.read_state(&mut r, &rec).unwrap();
        assert_eq!((d.clip(), d.learning_rate()), (Some(0.5), 0.3));
    }
}
