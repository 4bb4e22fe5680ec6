//! Any bytes read as a gated stream state (an LSTM 2-4-1 over 4 steps with Adam: every part of
//! the gated records, the optimiser's block and state and the cell's `(h, c)`): never a panic;
//! on error trainer, RNG and cell state are unchanged; on success the state writes back to the
//! same record, and a training step from it either leaves every weight and the cell state
//! finite or fails and changes nothing.
//!
//! The first input byte picks a mode: odd = recompute the CRC-32 of the rest before reading
//! (`common::record_bytes`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tinyrnn::XorShiftRng;
use tinyrnn::gated::{GatedAdam, LstmTrainer};
use tinyrnn::lstm::{Lstm, LstmState};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::train::{SquaredError, Targets};

type Tr = LstmTrainer<2, 4, 1, 4, SquaredError, GatedAdam<2, 4, 1, 4>>;

fuzz_target!(|input: &[u8]| {
    let Some(data) = common::record_bytes(input, Tr::STREAM_STATE_LEN) else {
        return;
    };
    let dest = Tr::with(Lstm::zeros(), 0.1, SquaredError, GatedAdam::default()).unwrap();
    let dest_rng = XorShiftRng::seed_from_u64(1);
    let dest_s = LstmState::<4>::zeros();
    let (mut t, mut rng, mut s) = (dest.clone(), dest_rng.clone(), dest_s);
    match t.read_stream_state(&mut rng, &mut s, &data) {
        Ok(()) => {
            let mut out = [0u8; Tr::STREAM_STATE_LEN];
            t.write_stream_state(&rng, &s, &mut out).unwrap();
            assert_eq!(&out[..], &data[..Tr::STREAM_STATE_LEN]);
            let (before, before_s) = (t.clone(), s);
            let xs = [[0.5, -0.25]; 4];
            let ds = [[1.0]; 4];
            match t.step_targets(Some(&mut s), &xs, Targets::every(&ds)) {
                Ok(_) => {
                    assert!(
                        t.model
                            .arrays()
                            .iter()
                            .all(|a| a.iter().all(|w| w.is_finite()))
                    );
                    assert!(s.h.iter().chain(&s.c).all(|v| v.is_finite()));
                }
                Err(_) => {
                    assert_eq!(t.model, before.model);
                    assert_eq!(t.optimizer, before.optimizer);
                    assert_eq!(s, before_s);
                }
            }
        }
        Err(_) => {
            assert_eq!(t, dest);
            assert_eq!(rng, dest_rng);
            assert_eq!(s, dest_s);
        }
    }
});
