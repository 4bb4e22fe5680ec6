//! What a board runs to learn a sensor problem, and `classify --device` runs on the desktop: the
//! same source in both (the measured firmware, `harness/firmware` with the feature `motions`,
//! includes this file with `#[path]`), so that the two print the same checksum.
//!
//! - The **data record** (`TRDS`): a problem's training and test series, normalised on the
//!   desktop and stored as little-endian `f32` (no precision is lost: the values are the ones the
//!   desktop trains on), which a firmware keeps in flash with `include_bytes!`.
//! - The **shape** it is compiled for: BasicMotions's 6 channels × 100 steps and 4 classes, and a
//!   GRU of 16 units, the problem's own (not the desktop example's padded 8-H-8).
//! - The **training**: one series at a time in an order shuffled each epoch (Fisher-Yates with
//!   the run's generator), softmax cross-entropy on the label at the last step, exact BPTT over
//!   the 100 steps, clipping at 1, Adam. The same as the desktop example's, at this shape.
//!
//! `core` and tinyrnn only: no allocation, no `std`.

use tinyrnn::gated::GatedAdam;
use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::rand_core::Rng;
use tinyrnn::train::{CrossEntropy, Labels, Targets};
use tinyrnn::{Init, XorShiftRng};

/// Channels (inputs) of the compiled shape.
pub const CHANNELS: usize = 6;
/// Steps of every series.
pub const STEPS: usize = 100;
/// Classes (outputs).
pub const CLASSES: usize = 4;
/// The GRU's hidden units.
pub const HIDDEN: usize = 16;

/// The GRU of the compiled shape.
pub type Model = Gru<CHANNELS, HIDDEN, CLASSES>;
/// Its trace over a series.
pub type Trace = GruTrace<HIDDEN, CLASSES, STEPS>;
/// Its gradients.
pub type Grads = GruGradients<CHANNELS, HIDDEN, CLASSES>;
/// Its optimiser.
pub type Adam = GatedAdam<CHANNELS, HIDDEN, CLASSES, 3>;

/// The clipping threshold of the gradients' global norm.
pub const CLIP: f32 = 1.0;

/// Epochs, and how often a run reports (the firmware and `classify --device` print the same
/// lines).
pub const REPORT_EVERY: u32 = 10;

/// A report line's figures: the mean loss of an epoch in millionths (truncated, as the firmware
/// prints floats).
#[must_use]
pub fn millionths(total: f32, cases: usize) -> u32 {
    (total / cases as f32 * 1e6) as u32
}

/// The record's first four bytes.
pub const MAGIC: [u8; 4] = *b"TRDS";
/// Its header: the magic, then one byte each of version (1), channels, classes and zero, then
/// little-endian `u16`s of steps, training cases, test cases and zero.
pub const HEADER: usize = 16;
/// The bytes of one case: its class as a little-endian `u32`, then its `STEPS × CHANNELS`
/// values, step by step, as little-endian `f32`.
pub const CASE: usize = 4 + 4 * STEPS * CHANNELS;

/// The record of `train` training and `test` test cases: its length in bytes.
#[must_use]
pub const fn record_len(train: usize, test: usize) -> usize {
    HEADER + CASE * (train + test)
}

/// Why a record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordError {
    /// Not a data record, or of another version.
    BadMagic,
    /// Its channels, steps or classes are not the compiled shape's.
    Shape,
    /// Its length is not its header's, or a set is empty.
    Length,
    /// A class beyond the classes, or a value that is not finite.
    Value,
}

impl RecordError {
    /// What to say.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            RecordError::BadMagic => "not a data record (TRDS, version 1)",
            RecordError::Shape => "not the compiled shape (6 channels, 100 steps, 4 classes)",
            RecordError::Length => "its length is not its header's, or a set is empty",
            RecordError::Value => "a class out of range or a value that is not finite",
        }
    }
}

/// A set of series in a record's bytes.
#[derive(Clone, Copy)]
pub struct Series<'a> {
    bytes: &'a [u8],
}

impl<'a> Series<'a> {
    /// How many cases.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.bytes.len() / CASE
    }

    /// Whether there are none.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Case `k` into `xs`; its class (`None` past the end).
    pub fn get(&self, k: usize, xs: &mut [[f32; CHANNELS]; STEPS]) -> Option<usize> {
        let case = self.bytes.get(k * CASE..(k + 1) * CASE)?;
        let (class, values) = case.split_first_chunk::<4>()?;
        for (x, chunk) in xs.as_flattened_mut().iter_mut().zip(values.chunks_exact(4)) {
            *x = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Some(u32::from_le_bytes(*class) as usize)
    }
}

/// A checked data record: its training and test series.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    /// The training cases.
    pub train: Series<'a>,
    /// The test cases.
    pub test: Series<'a>,
}

/// Reads the header of a record and checks it against the compiled shape and the record's
/// length: a `const fn`, so that a firmware checks the record it embeds when it is compiled.
/// [`Record::check_values`] checks the rest.
///
/// # Errors
/// [`RecordError`], saying which check failed.
pub const fn read(bytes: &[u8]) -> Result<Record<'_>, RecordError> {
    let Some((header, cases)) = bytes.split_first_chunk::<HEADER>() else {
        return Err(RecordError::BadMagic);
    };
    let h = header;
    if h[0] != MAGIC[0] || h[1] != MAGIC[1] || h[2] != MAGIC[2] || h[3] != MAGIC[3] || h[4] != 1 {
        return Err(RecordError::BadMagic);
    }
    let steps = u16::from_le_bytes([h[8], h[9]]) as usize;
    if h[5] as usize != CHANNELS || h[6] as usize != CLASSES || steps != STEPS {
        return Err(RecordError::Shape);
    }
    let train = u16::from_le_bytes([h[10], h[11]]) as usize;
    let test = u16::from_le_bytes([h[12], h[13]]) as usize;
    if train == 0 || test == 0 || bytes.len() != record_len(train, test) {
        return Err(RecordError::Length);
    }
    let (train, test) = cases.split_at(train * CASE);
    Ok(Record {
        train: Series { bytes: train },
        test: Series { bytes: test },
    })
}

impl Record<'_> {
    /// Checks that every class is one of the classes and every value finite.
    ///
    /// # Errors
    /// [`RecordError::Value`] if one is not.
    pub fn check_values(&self) -> Result<(), RecordError> {
        let mut xs = [[0.0; CHANNELS]; STEPS];
        for set in [self.train, self.test] {
            for k in 0..set.len() {
                match set.get(k, &mut xs) {
                    Some(c) if c < CLASSES && xs.as_flattened().iter().all(|x| x.is_finite()) => {}
                    _ => return Err(RecordError::Value),
                }
            }
        }
        Ok(())
    }
}

/// Writes the record of `train` and `test` (each case its series, step by step, and its class)
/// into `out`, which must be [`record_len`] bytes long.
///
/// # Errors
/// [`RecordError::Length`] if `out` is not, or a set is empty or has more than 65,535 cases;
/// [`RecordError::Value`] for a class out of range.
pub fn write<'c>(
    train: &[(&'c [[f32; CHANNELS]; STEPS], usize)],
    test: &[(&'c [[f32; CHANNELS]; STEPS], usize)],
    out: &mut [u8],
) -> Result<(), RecordError> {
    let count = |n: usize| u16::try_from(n).ok().filter(|&n| n > 0);
    let (Some(n_train), Some(n_test)) = (count(train.len()), count(test.len())) else {
        return Err(RecordError::Length);
    };
    if out.len() != record_len(train.len(), test.len()) {
        return Err(RecordError::Length);
    }
    if train.iter().chain(test).any(|(_, c)| *c >= CLASSES) {
        return Err(RecordError::Value);
    }
    let (header, cases) = out.split_at_mut(HEADER);
    header.copy_from_slice(&[0; HEADER]);
    header[..4].copy_from_slice(&MAGIC);
    header[4] = 1;
    header[5] = CHANNELS as u8;
    header[6] = CLASSES as u8;
    header[8..10].copy_from_slice(&(STEPS as u16).to_le_bytes());
    header[10..12].copy_from_slice(&n_train.to_le_bytes());
    header[12..14].copy_from_slice(&n_test.to_le_bytes());
    for ((xs, class), case) in train.iter().chain(test).zip(cases.chunks_exact_mut(CASE)) {
        let (c, values) = case.split_at_mut(4);
        c.copy_from_slice(&(*class as u32).to_le_bytes());
        for (x, v) in xs.as_flattened().iter().zip(values.chunks_exact_mut(4)) {
            v.copy_from_slice(&x.to_le_bytes());
        }
    }
    Ok(())
}

/// Everything a run trains with, built in place (a few tens of KiB: not copied on a small
/// stack).
pub struct Work {
    /// The model.
    pub model: Model,
    /// Adam's moments.
    pub adam: Adam,
    /// The trace of the current series.
    pub trace: Trace,
    /// The gradients of the current series.
    pub grads: Grads,
    /// The current series.
    pub xs: [[f32; CHANNELS]; STEPS],
    /// Its targets (only the last step's is read).
    pub ds: [[f32; CLASSES]; STEPS],
}

impl Work {
    /// Zeros everywhere, and Adam's defaults.
    #[must_use]
    pub fn new() -> Self {
        Work {
            model: Model::zeros(),
            adam: Adam::default(),
            trace: Trace::zeros(),
            grads: Grads::zeros(),
            xs: [[0.0; CHANNELS]; STEPS],
            ds: [[0.0; CLASSES]; STEPS],
        }
    }

    /// A Xavier GRU with biases and a softmax output drawn from `rng`, and Adam's defaults,
    /// into `self`.
    ///
    /// # Errors
    /// As [`Gru::init_from_rng`] (never, for Xavier).
    pub fn start(&mut self, rng: &mut XorShiftRng) -> tinyrnn::Result<()> {
        self.model = Model::zeros().with_output(tinyrnn::Output::Softmax);
        self.model.init_from_rng(rng, Init::Xavier)?;
        self.adam = Adam::default();
        Ok(())
    }

    /// One epoch over `set` in a new order (`order` holds the case numbers; it is shuffled
    /// first, with `rng`); the sum of the cases' losses. A case whose loss is not finite, or
    /// whose update is refused, is skipped (and adds nothing).
    pub fn epoch(
        &mut self,
        set: &Series<'_>,
        order: &mut [u16],
        rng: &mut XorShiftRng,
        lr: f32,
    ) -> f32 {
        // Fisher-Yates with the run's generator.
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut total = 0.0;
        for &k in order.iter() {
            let Some(class) = set.get(usize::from(k), &mut self.xs) else {
                continue;
            };
            self.ds[STEPS - 1] = [0.0; CLASSES];
            if let Some(d) = self.ds[STEPS - 1].get_mut(class) {
                *d = 1.0;
            }
            let targets = Targets {
                ds: &self.ds,
                labels: Labels::Last,
            };
            let model = &mut self.model;
            match model.forward_trace_loss::<CrossEntropy, STEPS>(
                None,
                &self.xs,
                targets,
                &mut self.trace,
            ) {
                Ok(loss) if loss.is_finite() => total += loss,
                _ => continue,
            }
            model.backward_loss_into::<CrossEntropy, STEPS>(
                None,
                &self.xs,
                targets,
                &self.trace,
                &mut self.grads,
            );
            if self.grads.clip_global_norm(CLIP).is_ok() {
                // A refused update changes nothing: the next case goes on.
                let _ = self.adam.update(model, &self.grads, lr);
            }
        }
        total
    }

    /// The model's predictions on `set` counted into `confusion` (`[true][predicted]`, cleared
    /// first); the number right.
    pub fn test(&mut self, set: &Series<'_>, confusion: &mut [[u16; CLASSES]; CLASSES]) -> u32 {
        *confusion = [[0; CLASSES]; CLASSES];
        let mut right = 0;
        for k in 0..set.len() {
            let Some(class) = set.get(k, &mut self.xs) else {
                continue;
            };
            let mut h = [0.0; HIDDEN];
            let mut y = [0.0; CLASSES];
            for x in &self.xs {
                self.model.step(x, &mut h, &mut y);
            }
            let predicted = (0..CLASSES).fold(0, |best, c| if y[c] > y[best] { c } else { best });
            if let Some(n) = confusion
                .get_mut(class)
                .and_then(|row| row.get_mut(predicted))
            {
                *n = n.saturating_add(1);
            }
            right += u32::from(predicted == class);
        }
        right
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyrnn::rand_core::SeedableRng;

    /// Two training and one test case, each value telling its case, step and channel apart.
    fn cases() -> Vec<([[f32; CHANNELS]; STEPS], usize)> {
        (0..3)
            .map(|k| {
                let xs = core::array::from_fn(|t| {
                    core::array::from_fn(|c| k as f32 + t as f32 / 128.0 - c as f32 / 8.0)
                });
                (xs, k % CLASSES)
            })
            .collect()
    }

    fn record(cases: &[([[f32; CHANNELS]; STEPS], usize)], train: usize) -> Vec<u8> {
        let refs: Vec<_> = cases.iter().map(|(x, c)| (x, *c)).collect();
        let mut bytes = vec![0; record_len(train, cases.len() - train)];
        write(&refs[..train], &refs[train..], &mut bytes).unwrap();
        bytes
    }

    #[test]
    fn a_record_reads_back_what_was_written() {
        let cases = cases();
        let bytes = record(&cases, 2);
        assert_eq!(bytes.len(), HEADER + 3 * CASE);
        let r = read(&bytes).unwrap();
        r.check_values().unwrap();
        assert_eq!((r.train.len(), r.test.len()), (2, 1));
        let mut xs = [[0.0; CHANNELS]; STEPS];
        for (k, (want, class)) in cases.iter().enumerate() {
            let set = if k < 2 { r.train } else { r.test };
            assert_eq!(set.get(k % 2, &mut xs), Some(*class));
            assert_eq!(&xs, want);
        }
        assert_eq!(r.train.get(2, &mut xs), None);
    }

    #[test]
    fn bad_records_are_refused_with_the_reason() {
        let good = record(&cases(), 2);
        let with = |at: usize, byte: u8| {
            let mut b = good.clone();
            b[at] = byte;
            read(&b).err()
        };
        assert_eq!(with(0, b'X'), Some(RecordError::BadMagic));
        assert_eq!(with(4, 2), Some(RecordError::BadMagic));
        assert_eq!(with(5, 3), Some(RecordError::Shape));
        assert_eq!(with(6, 2), Some(RecordError::Shape));
        assert_eq!(with(8, 99), Some(RecordError::Shape));
        assert_eq!(with(10, 3), Some(RecordError::Length));
        assert_eq!(with(12, 0), Some(RecordError::Length));
        assert_eq!(
            read(&good[..good.len() - 1]).err(),
            Some(RecordError::Length)
        );
        assert_eq!(read(&good[..10]).err(), Some(RecordError::BadMagic));
        // A class beyond the classes, and a NaN, pass the header and fail the values.
        let mut b = good.clone();
        b[HEADER] = CLASSES as u8;
        assert_eq!(read(&b).unwrap().check_values(), Err(RecordError::Value));
        let mut b = good.clone();
        b[HEADER + CASE + 4..HEADER + CASE + 8].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(read(&b).unwrap().check_values(), Err(RecordError::Value));
    }

    #[test]
    fn writing_refuses_what_it_cannot_store() {
        let cases = cases();
        let refs: Vec<_> = cases.iter().map(|(x, c)| (x, *c)).collect();
        let mut bytes = vec![0; record_len(2, 1)];
        assert_eq!(write(&refs[..2], &[], &mut bytes), Err(RecordError::Length));
        assert_eq!(
            write(&refs[..1], &refs[2..], &mut bytes),
            Err(RecordError::Length)
        );
        let bad = [(refs[0].0, CLASSES)];
        assert_eq!(
            write(&bad, &refs[2..], &mut bytes[..record_len(1, 1)]),
            Err(RecordError::Value)
        );
    }

    #[test]
    fn an_epoch_learns_and_the_same_seed_gives_the_same_bits() {
        // Two classes told apart by the sign of the first channel: a few epochs learn them.
        let cases: Vec<_> = (0..8)
            .map(|k| {
                let s = if k % 2 == 0 { 1.0 } else { -1.0 };
                let xs = core::array::from_fn(|t| {
                    core::array::from_fn(|c| if c == 0 { s } else { (t % 3) as f32 / 3.0 })
                });
                (xs, k % 2)
            })
            .collect();
        let bytes = record(&cases, 6);
        let r = read(&bytes).unwrap();
        let run = || {
            let mut rng = XorShiftRng::seed_from_u64(3);
            let mut work = Box::new(Work::new());
            work.start(&mut rng).unwrap();
            let mut order: Vec<u16> = (0..6).collect();
            let first = work.epoch(&r.train, &mut order, &mut rng, 0.01);
            let mut last = first;
            for _ in 0..9 {
                last = work.epoch(&r.train, &mut order, &mut rng, 0.01);
            }
            let mut confusion = [[0; CLASSES]; CLASSES];
            let right = work.test(&r.test, &mut confusion);
            (first, last, right, confusion, work.model.checksum())
        };
        let (first, last, right, confusion, sum) = run();
        assert!(last < first / 2.0, "loss {first} → {last}");
        assert_eq!(right, 2);
        assert_eq!((confusion[0][0], confusion[1][1]), (1, 1));
        assert_eq!(run().4, sum);
    }
}
