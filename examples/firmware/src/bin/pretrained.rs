//! Runs a model trained on the desktop: `model/addition-2-16-1.trnm`, written by
//! `cargo run --release --example binary_addition -- --save-model examples/firmware/model/addition-2-16-1.trnm`.
//! The compiler decodes and checks it (magic, shape, checksum, finite weights): a bad file fails
//! the build, and the model stays in flash, with no decoding code and no copy in RAM.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use tinyrnn::{Rnn, task};

static MODEL: Rnn<2, 16, 1> =
    match Rnn::from_bytes(include_bytes!("../../model/addition-2-16-1.trnm")) {
        Ok(model) => model,
        Err(_) => panic!("not a valid 2-16-1 model record"), // a compile error, never a run-time panic
    };

#[entry]
fn main() -> ! {
    // One sum, one step at a time, the hidden state held here.
    let sample = match task::Sample::<8>::new(45, 70) {
        Ok(s) => s,
        Err(_) => exit(false),
    };
    let (mut h, mut y, mut ys) = ([0.0; 16], [0.0; 1], [[0.0; 1]; 8]);
    for (x, out) in sample.xs.iter().zip(ys.iter_mut()) {
        MODEL.step(x, &mut h, &mut y);
        *out = y;
    }
    hprintln!("45 + 70 = {}", task::decode_outputs(&ys));

    // Every pair a, b < 128.
    let acc = task::evaluate::<16, 8>(&MODEL);
    hprintln!("exact accuracy: {}/{} pairs", acc.exact, acc.pairs);
    hprintln!("weights checksum: {:#010x}", MODEL.checksum());
    exit(acc.is_perfect())
}

fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi(); // on a board without a debugger, exit does nothing: sleep
    }
}
