//! Property tests of the byte format's readers: random, truncated and corrupted bytes never
//! panic, always give an error, and never change the destination.
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

/// Reads `bytes` as a model and as a state into fresh destinations; checks that an error leaves
/// them untouched. Returns whether each read succeeded.
fn read_both(bytes: &[u8]) -> (bool, bool) {
    let dest = model(1000);
    let mut m = dest.clone();
    let model_ok = match m.read_from(bytes) {
        Ok(()) => true,
        Err(_) => {
            assert_eq!(m, dest, "model changed by a failed read");
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
    (model_ok, state_ok)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        // A random buffer passes a CRC-32 with probability 2^-32: every read must fail.
        prop_assert_eq!(read_both(&bytes), (false, false));
    }

    #[test]
    fn random_bytes_behind_a_valid_header_are_rejected(
        tail in proptest::collection::vec(any::<u8>(), 0..1400),
        state in any::<bool>(),
    ) {
        let valid = if state { state_record(3) } else { model_record(3) };
        let header = if state { 48 } else { 16 };
        let mut bytes = valid[..header].to_vec();
        bytes.extend_from_slice(&tail);
        prop_assert_eq!(read_both(&bytes), (false, false));
    }

    #[test]
    fn any_single_byte_change_is_detected(
        seed in 0u64..50,
        pos in 0usize..1336,
        flip in 1u8..=255,
        state in any::<bool>(),
    ) {
        let mut rec = if state { state_record(seed) } else { model_record(seed) };
        let pos = pos % rec.len();
        rec[pos] ^= flip;
        prop_assert_eq!(read_both(&rec), (false, false));
    }

    #[test]
    fn truncation_is_buffer_too_short(seed in 0u64..50, cut in 0usize..1336, state in any::<bool>()) {
        let rec = if state { state_record(seed) } else { model_record(seed) };
        let cut = cut % rec.len();
        let short = &rec[..cut];
        let mut m = model(1000);
        let mut t = trainer(1001).0;
        let mut rng = XorShiftRng::seed_from_u64(0);
        if state {
            prop_assert!(
                matches!(t.read_state(&mut rng, short), Err(Error::BufferTooShort { .. })),
                "cut {}", cut
            );
        } else {
            prop_assert!(
                matches!(m.read_from(short), Err(Error::BufferTooShort { .. })),
                "cut {}", cut
            );
        }
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
        prop_assert_eq!(rng, want_rng);
    }

    #[test]
    fn writing_never_panics(len in 0usize..1400) {
        let mut buf = vec![0u8; len];
        let r = model(5).write_to(&mut buf);
        prop_assert_eq!(r.is_ok(), len >= Model::ENCODED_LEN);
        let (t, rng) = trainer(5);
        let r = t.write_state(&rng, &mut buf);
        prop_assert_eq!(r.is_ok(), len >= Tr::STATE_LEN);
    }
}
