//! Any bytes read as a model: never a panic; on error the destination is unchanged; on success
//! the model writes back to the same record.
//!
//! The first input byte picks a mode: odd = recompute the CRC-32 of the rest before reading, so
//! that the fuzzer also reaches the checks behind the checksum (fields, finiteness).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyrnn::format::crc32;
use tinyrnn::{Activation, Rnn};

type Model = Rnn<2, 16, 1>;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let mut data = rest.to_vec();
    if mode & 1 == 1 && data.len() >= Model::ENCODED_LEN {
        let n = Model::ENCODED_LEN - 4;
        let crc = crc32(&data[..n]);
        data[n..n + 4].copy_from_slice(&crc.to_le_bytes());
    }
    let dest = Model::zeros(Activation::Tanh, true);
    let mut m = dest.clone();
    match m.read_from(&data) {
        Ok(()) => {
            let mut out = [0u8; Model::ENCODED_LEN];
            m.write_to(&mut out).unwrap();
            assert_eq!(&out[..], &data[..Model::ENCODED_LEN]);
        }
        Err(_) => assert_eq!(m, dest),
    }
});
