//! Trains the course's network on the device: a 2-16-1 simple RNN learns 8-bit binary
//! addition, from seed 1, in 10,000 iterations. It ends with the loss bits and the weights
//! checksum that the desktop example prints for the same settings.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::{Activation, Init, Trainer, XorShiftRng, task};

#[entry]
fn main() -> ! {
    let mut rng = XorShiftRng::seed_from_u64(1);
    // Built where it stays (3 KiB): no second copy of the model on the way.
    let mut trainer = Trainer::<2, 16, 1, 8>::zeros(Activation::Sigmoid, false);
    if trainer
        .model
        .init_from_rng(&mut rng, Init::Normal { std: 1.0 })
        .and_then(|()| trainer.set_learning_rate(0.1))
        .is_err()
    {
        exit("bad settings");
    }

    let mut loss = 0.0;
    for i in 0..10_000 {
        // A random pair a, b < 128, one forward pass, BPTT and SGD.
        match task::train_step::<16, 8, _>(&mut trainer, &mut rng) {
            Ok((_, l)) => loss = l,
            Err(e) => exit_with(i, e),
        }
        if i % 1_000 == 0 {
            hprintln!("iter {} loss {}", i, loss);
        }
    }

    let acc = task::evaluate::<16, 8>(&trainer.model);
    hprintln!("exact accuracy: {}/{} pairs", acc.exact, acc.pairs);
    hprintln!("final loss: {} (bits {:#010x})", loss, loss.to_bits());
    hprintln!("weights checksum: {:#010x}", trainer.model.checksum());
    debug::exit(if acc.is_perfect() {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi(); // on a board without a debugger, exit does nothing: sleep
    }
}

/// A step refused (the weights are those before it): say where and why, and stop.
fn exit_with(iteration: u32, e: tinyrnn::Error) -> ! {
    hprintln!("error at iteration {}: {}", iteration, e);
    exit("training stopped")
}

fn exit(why: &str) -> ! {
    hprintln!("error: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi(); // on a board without a debugger, exit does nothing: sleep
    }
}
