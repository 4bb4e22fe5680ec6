//! Learns from a stream, as a sensor's firmware would: a 2-8-1 network learns a set/reset latch
//! (`tinyrnn::latch`) in windows of 4 steps, each starting in the hidden state the last one
//! ended in (truncated BPTT), then follows a stream it has not seen, one step at a time. The
//! desktop example `latch` prints the same loss bits and checksum.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use tinyrnn::latch::{self, Latch};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::{Activation, Init, Trainer, XorShiftRng};

#[entry]
fn main() -> ! {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let mut trainer = Trainer::<2, 8, 1, 4>::zeros(Activation::Tanh, true);
    if trainer
        .model
        .init_from_rng(&mut rng, Init::Xavier)
        .and_then(|()| trainer.set_learning_rate(0.5))
        .is_err()
    {
        exit(false);
    }

    // The sensor (here a simulated one) and the state the next window starts in.
    let (mut sensor, mut h, mut loss) = (Latch::new(), [0.0; 8], 0.0);
    for w in 1..=5_000 {
        let (xs, ds) = sensor.window::<4, _>(&mut rng);
        match trainer.step_from(&mut h, &xs, &ds) {
            Ok(l) => loss = l,
            Err(e) => {
                hprintln!("error at window {}: {}", w, e);
                exit(false);
            }
        }
        if w % 500 == 0 {
            hprintln!("window {} loss {}", w, loss);
        }
    }

    // A new stream, one step at a time from a zero state.
    let right = latch::follow(&trainer.model, &mut XorShiftRng::seed_from_u64(2), 10_000);
    hprintln!(
        "a new stream (seed 2), one step at a time: {}/10000 steps right",
        right
    );
    hprintln!("final loss: {} (bits {:#010x})", loss, loss.to_bits());
    hprintln!("weights checksum: {:#010x}", trainer.model.checksum());
    exit(right == 10_000)
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
