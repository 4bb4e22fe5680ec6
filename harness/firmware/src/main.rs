//! tinyrnn on a Cortex-M microcontroller: trains the course's binary-addition setup on the device.
//!
//! It trains a 2-16-1 sigmoid RNN from seed 1 for 10,000 iterations (the desktop example's
//! defaults), prints progress every 1,000 iterations, then the exact accuracy over all 16,384
//! pairs, the final loss (and its bits), the checksum of the weights' bits, and the memory it
//! used. The desktop example with the same settings prints the same loss bits and checksum.
//! The application is `app.rs`, shared with the RISC-V firmware; this file is the Cortex-M
//! platform: output, exit, stack pointer, fault and panic handlers.
//!
//! Output: semihosting under QEMU (feature `qemu`, the default), RTT on a real board (feature
//! `microbit-v2`). Floats are printed as fixed-point integers: one float printed through
//! `core::fmt` would add 17-19 KiB of flash (feature `fmt-float`; see the README).
#![no_std]
#![no_main]
// With `pretrained` the training settings go unused.
#![cfg_attr(feature = "pretrained", allow(dead_code))]
// The crash tests stop before the application runs.
#![cfg_attr(
    any(feature = "crash-panic", feature = "crash-fault"),
    allow(unreachable_code)
)]

use cortex_m_rt::{ExceptionFrame, entry, exception};

#[path = "app.rs"]
mod app;

#[cfg(all(feature = "qemu", feature = "microbit-v2"))]
compile_error!(
    "choose one output: feature `qemu` (default) or `microbit-v2` with --no-default-features"
);

#[cfg(all(feature = "microbit-v2", not(feature = "panic-check")))]
use panic_rtt_target as _;
#[cfg(all(feature = "qemu", not(feature = "panic-check")))]
use panic_semihosting as _;

/// With `panic-check`, any panic path left in the binary refers to this undefined function,
/// and the link fails with its name in the error.
#[cfg(feature = "panic-check")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe extern "C" {
        fn tinyrnn_firmware_still_contains_a_panic_path() -> !;
    }
    // SAFETY: never runs; the link fails if this function is referenced at all.
    unsafe { tinyrnn_firmware_still_contains_a_panic_path() }
}

/// Output, exit and stack pointer on Cortex-M.
mod platform {
    #[cfg(feature = "qemu")]
    // Called from dozens of places: one copy, not one per call.
    #[inline(never)]
    pub fn bytes(b: &[u8]) {
        if let Ok(mut h) = cortex_m_semihosting::hio::hstdout() {
            h.write_all(b).ok();
        }
    }

    #[cfg(feature = "microbit-v2")]
    // Called from dozens of places: one copy, not one per call.
    #[inline(never)]
    pub fn bytes(b: &[u8]) {
        if let Ok(s) = core::str::from_utf8(b) {
            rtt_target::rprint!(s);
        }
    }

    pub fn init() {
        #[cfg(feature = "microbit-v2")]
        rtt_target::rtt_init_print!();
    }

    pub fn stack_pointer() -> usize {
        cortex_m::register::msp::read() as usize
    }

    /// Ends the run: under QEMU, exits with the status; on a board, waits forever.
    pub fn exit(ok: bool) -> ! {
        #[cfg(feature = "qemu")]
        {
            use cortex_m_semihosting::debug;
            debug::exit(if ok {
                debug::EXIT_SUCCESS
            } else {
                debug::EXIT_FAILURE
            });
        }
        let _ = ok;
        loop {
            cortex_m::asm::wfi();
        }
    }
}

#[entry]
fn main() -> ! {
    platform::init();
    #[cfg(feature = "crash-panic")]
    panic!("crash-panic test");
    #[cfg(feature = "crash-fault")]
    cortex_m::asm::udf(); // an undefined instruction: a hard fault on every Cortex-M
    app::run()
}

/// A hard fault ends the run with a failure instead of hanging.
#[exception]
unsafe fn HardFault(_frame: &ExceptionFrame) -> ! {
    app::out::str("error: hard fault\n");
    platform::exit(false)
}
