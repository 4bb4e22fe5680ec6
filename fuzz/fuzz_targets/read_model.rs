//! Any bytes read as a model: never a panic; on error the destination is unchanged; on success
//! the model writes back to the same record. `Rnn::from_bytes` gives the same model or error.
//!
//! The first input byte picks a mode: odd = recompute the CRC-32 of the rest before reading
//! (`common::record_bytes`).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use tinyrnn::{Activation, Rnn};

type Model = Rnn<2, 16, 1>;

fuzz_target!(|input: &[u8]| {
    let Some(data) = common::record_bytes(input, Model::ENCODED_LEN) else {
        return;
    };
    let dest = Model::zeros(Activation::Tanh, true);
    let mut m = dest.clone();
    match m.read_from(&data) {
        Ok(()) => {
            let mut out = [0u8; Model::ENCODED_LEN];
            m.write_to(&mut out).unwrap();
            assert_eq!(&out[..], &data[..Model::ENCODED_LEN]);
            assert_eq!(Model::from_bytes(&data), Ok(m));
        }
        Err(e) => {
            assert_eq!(m, dest);
            assert_eq!(Model::from_bytes(&data), Err(e));
        }
    }
});
