//! Property tests of the byte format's readers (model, training state, stream state): random,
//! truncated and corrupted bytes never panic, always give an error, and never change the
//! destination.
//!
//! (The fuzz targets under `fuzz/` do the same with coverage guidance, on nightly.)

use proptest::prelude::*;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::{Activation, Error, Init, Rnn, Trainer, XorShiftRng};

type Model = Rnn<2, 16, 1>;
type Tr = Trainer<2, 16, 1, 8>;

fn model(seed: u64) -> Model {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    Model::from_rng(&mut rng, Init::He, Activation::Tanh)
        .unwrap()
        .with_biases(seed.is_multiple_of(2))
}

fn model_record(seed: u64) -> Vec<u8> {
    let mut buf = vec![0u8; Model::ENCODED_LEN];
    model(seed).write_to(&mut buf).unwrap();
    buf
}

fn trainer(seed: u64) -> (Tr, XorShiftRng) {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut t = Tr::new(model(seed), 0.05).unwrap();
    for _ in 0..(seed % 7) {
        tinyrnn::task::train_step::<16, 8, _>(&mut t, &mut rng).unwrap();
    }
    (t, rng)
}

fn state_record(seed: u64) -> Vec<u8> {
    let (t, rng) = trainer(seed);
    let mut buf = vec![0u8; Tr::STATE_LEN];
    t.write_state(&rng, &mut buf).unwrap();
    buf
}

/// A hidden state to go with a stream state: different for every seed, within (-1, 1).
fn hidden(seed: u64) -> [f32; 16] {
    core::array::from_fn(|k| ((seed as usize + 3 * k) % 17) as f32 / 17.0 - 0.5)
}

fn stream_record(seed: u64) -> Vec<u8> {
    let (t, rng) = trainer(seed);
    let mut buf = vec![0u8; Tr::STREAM_STATE_LEN];
    t.write_stream_state(&rng, &hidden(seed), &mut buf).unwrap();
    buf
}

/// A record of each kind: 0 model, 1 training state, 2 stream state.
fn record(kind: u8, seed: u64) -> Vec<u8> {
    match kind {
        0 => model_record(seed),
        1 => state_record(seed),
        _ => stream_record(seed),
    }
}

/// Reads `bytes` as a model, a training state and a stream state into fresh destinations;
/// checks that an error leaves them untouched. Returns whether each read succeeded.
fn read_all(bytes: &[u8]) -> (bool, bool, bool) {
    let dest = model(1000);
    let mut m = dest.clone();
    let model_ok = match m.read_from(bytes) {
        Ok(()) => {
            assert_eq!(
                Model::from_bytes(bytes),
                Ok(m),
                "from_bytes and read_from disagree"
            );
            true
        }
        Err(e) => {
            assert_eq!(m, dest, "model changed by a failed read");
            assert_eq!(Model::from_bytes(bytes), Err(e), "another error");
            false
        }
    };
    let (dest_t, dest_rng) = trainer(1001);
    let (mut t, mut rng) = (dest_t.clone(), dest_rng.clone());
    let state_ok = match t.read_state(&mut rng, bytes) {
        Ok(()) => true,
        Err(_) => {
            assert_eq!(t, dest_t, "trainer changed by a failed read");
            assert_eq!(rng, dest_rng, "rng changed by a failed read");
            false
        }
    };
    let (mut t, mut rng, mut h) = (dest_t.clone(), dest_rng.clone(), hidden(1002));
    let stream_ok = match t.read_stream_state(&mut rng, &mut h, bytes) {
        Ok(()) => true,
        Err(_) => {
            assert_eq!(t, dest_t, "trainer changed by a failed read");
            assert_eq!(rng, dest_rng, "rng changed by a failed read");
            assert_eq!(h, hidden(1002), "hidden state changed by a failed read");
            false
        }
    };
    (model_ok, state_ok, stream_ok)
}

const NONE: (bool, bool, bool) = (false, false, false);

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        // A random buffer passes a CRC-32 with probability 2^-32: every read must fail.
        prop_assert_eq!(read_all(&bytes), NONE);
    }

    #[test]
    fn random_bytes_behind_a_valid_header_are_rejected(
        tail in proptest::collection::vec(any::<u8>(), 0..1500),
        kind in 0u8..3,
    ) {
        let valid = record(kind, 3);
        let header = if kind == 0 { 16 } else { 48 };
        let mut bytes = valid[..header].to_vec();
        bytes.extend_from_slice(&tail);
        prop_assert_eq!(read_all(&bytes), NONE);
    }

    #[test]
    fn any_single_byte_change_is_detected(
        seed in 0u64..50,
        pos in 0usize..1400,
        flip in 1u8..=255,
        kind in 0u8..3,
    ) {
        let mut rec = record(kind, seed);
        let pos = pos % rec.len();
        rec[pos] ^= flip;
        prop_assert_eq!(read_all(&rec), NONE);
    }

    #[test]
    fn truncation_is_buffer_too_short(seed in 0u64..50, cut in 0usize..1400, kind in 0u8..3) {
        let rec = record(kind, seed);
        let cut = cut % rec.len();
        let short = &rec[..cut];
        let mut m = model(1000);
        let (mut t, mut rng) = trainer(1001);
        let mut h = hidden(0);
        let r = match kind {
            0 => m.read_from(short),
            1 => t.read_state(&mut rng, short),
            _ => t.read_stream_state(&mut rng, &mut h, short),
        };
        prop_assert!(matches!(r, Err(Error::BufferTooShort { .. })), "cut {}", cut);
    }

    #[test]
    fn each_reader_takes_only_its_own_record(seed in 0u64..50, kind in 0u8..3) {
        let want = (kind == 0, kind == 1, kind == 2);
        prop_assert_eq!(read_all(&record(kind, seed)), want);
    }

    #[test]
    fn valid_records_round_trip_with_trailing_bytes(
        seed in 0u64..200,
        trailing in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut rec = model_record(seed);
        rec.extend_from_slice(&trailing);
        let mut m = model(1000);
        m.read_from(&rec).unwrap();
        prop_assert_eq!(m, model(seed));
        let mut rec = state_record(seed);
        rec.extend_from_slice(&trailing);
        let (mut t, mut rng) = trainer(1001);
        t.read_state(&mut rng, &rec).unwrap();
        let (want, want_rng) = trainer(seed);
        prop_assert_eq!(&t.model, &want.model);
        prop_assert_eq!(t.iterations(), want.iterations());
        prop_assert_eq!(&rng, &want_rng);
        let mut rec = stream_record(seed);
        rec.extend_from_slice(&trailing);
        let (mut t, mut rng) = trainer(1001);
        let mut h = hidden(1002);
        t.read_stream_state(&mut rng, &mut h, &rec).unwrap();
        prop_assert_eq!(&t.model, &want.model);
        prop_assert_eq!(t.iterations(), want.iterations());
        prop_assert_eq!(rng, want_rng);
        prop_assert_eq!(h, hidden(seed));
    }

    #[test]
    fn writing_never_panics(len in 0usize..1500) {
        let mut buf = vec![0u8; len];
        let r = model(5).write_to(&mut buf);
        prop_assert_eq!(r.is_ok(), len >= Model::ENCODED_LEN);
        let (t, rng) = trainer(5);
        let r = t.write_state(&rng, &mut buf);
        prop_assert_eq!(r.is_ok(), len >= Tr::STATE_LEN);
        let r = t.write_stream_state(&rng, &hidden(5), &mut buf);
        prop_assert_eq!(r.is_ok(), len >= Tr::STREAM_STATE_LEN);
    }
}
