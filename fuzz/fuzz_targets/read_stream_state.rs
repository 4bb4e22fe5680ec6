//! Any bytes read as a stream state: never a panic; on error trainer, RNG and hidden state are
//! unchanged; on success the state writes back to the same record, and a training step from it
//! (from the hidden state read) either leaves every weight and the hidden state finite or fails
//! and changes nothing.
//!
//! The first input byte picks a mode: odd = recompute the CRC-32 of the rest before reading
//! (`common::record_bytes`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::{Activation, Trainer, XorShiftRng};

type Tr = Trainer<2, 16, 1, 8>;

fuzz_target!(|input: &[u8]| {
    let Some(data) = common::record_bytes(input, Tr::STREAM_STATE_LEN) else {
        return;
    };
    let dest = Tr::zeros(Activation::Sigmoid, false);
    let dest_rng = XorShiftRng::seed_from_u64(1);
    let dest_h = [0.25f32; 16];
    let (mut t, mut rng, mut h) = (dest.clone(), dest_rng.clone(), dest_h);
    match t.read_stream_state(&mut rng, &mut h, &data) {
        Ok(()) => {
            let mut out = [0u8; Tr::STREAM_STATE_LEN];
            t.write_stream_state(&rng, &h, &mut out).unwrap();
            assert_eq!(&out[..], &data[..Tr::STREAM_STATE_LEN]);
            let (before, h_before) = (t.clone(), h);
            let s = Sample::<8>::new(45, 70).unwrap();
            match t.step_from(&mut h, &s.xs, &s.ds) {
                Ok(_) => {
                    assert!(t.model.parameters().all(|w| w.is_finite()));
                    assert!(h.iter().all(|v| v.is_finite()));
                }
                Err(_) => {
                    assert_eq!(t.model, before.model);
                    assert_eq!(t.iterations(), before.iterations());
                    assert_eq!(h.map(f32::to_bits), h_before.map(f32::to_bits));
                }
            }
        }
        Err(_) => {
            assert_eq!(t, dest);
            assert_eq!(rng, dest_rng);
            assert_eq!(h, dest_h);
        }
    }
});
