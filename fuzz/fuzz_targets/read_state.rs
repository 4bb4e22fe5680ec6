//! Any bytes read as a training state: never a panic; on error trainer and RNG are unchanged; on
//! success the state writes back to the same record, and a training step from it either leaves
//! every weight finite or fails and changes nothing.
//!
//! The first input byte picks a mode: odd = recompute the CRC-32 of the rest before reading
//! (`common::record_bytes`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::{Activation, Trainer, XorShiftRng};

type Tr = Trainer<2, 16, 1, 8>;

fuzz_target!(|input: &[u8]| {
    let Some(data) = common::record_bytes(input, Tr::STATE_LEN) else {
        return;
    };
    let dest = Tr::zeros(Activation::Sigmoid, false);
    let dest_rng = XorShiftRng::seed_from_u64(1);
    let (mut t, mut rng) = (dest.clone(), dest_rng.clone());
    match t.read_state(&mut rng, &data) {
        Ok(()) => {
            let mut out = [0u8; Tr::STATE_LEN];
            t.write_state(&rng, &mut out).unwrap();
            assert_eq!(&out[..], &data[..Tr::STATE_LEN]);
            // Training from any valid state either works, leaving every weight finite, or
            // reports divergence and changes nothing.
            let before = t.clone();
            match tinyrnn::task::train_step::<16, 8, _>(&mut t, &mut rng) {
                Ok(_) => assert!(t.model.parameters().all(|w| w.is_finite())),
                Err(_) => {
                    assert_eq!(t.model, before.model);
                    assert_eq!(t.iterations(), before.iterations());
                }
            }
        }
        Err(_) => {
            assert_eq!(t, dest);
            assert_eq!(rng, dest_rng);
        }
    }
});
