//! tinyrnn on a RISC-V core (`riscv32imac`, soft float): the same application as the Cortex-M
//! firmware (`../firmware/src/app.rs`), on QEMU's `virt` machine. This file is the RISC-V
//! platform: output and exit through semihosting, the stack pointer, trap and panic handlers.
#![no_std]
#![no_main]
// With `pretrained` the training settings go unused.
#![cfg_attr(feature = "pretrained", allow(dead_code))]
// The crash tests stop before the application runs.
#![cfg_attr(
    any(feature = "crash-panic", feature = "crash-fault"),
    allow(unreachable_code)
)]

#[path = "../../firmware/src/app.rs"]
mod app;

/// Output, exit and stack pointer on RISC-V, through semihosting.
mod platform {
    use riscv_semihosting::{debug, hio};

    // Called from dozens of places: one copy, not one per call.
    #[inline(never)]
    pub fn bytes(b: &[u8]) {
        if let Ok(mut h) = hio::hstdout() {
            h.write_all(b).ok();
        }
    }

    pub fn stack_pointer() -> usize {
        let sp: usize;
        // SAFETY: reads the stack pointer register; no memory is touched.
        unsafe { core::arch::asm!("mv {}, sp", out(reg) sp) };
        sp
    }

    /// Exits QEMU with the status.
    pub fn exit(ok: bool) -> ! {
        debug::exit(if ok {
            debug::EXIT_SUCCESS
        } else {
            debug::EXIT_FAILURE
        });
        loop {
            riscv::asm::wfi();
        }
    }
}

#[riscv_rt::entry]
fn main() -> ! {
    #[cfg(feature = "crash-panic")]
    panic!("crash-panic test");
    #[cfg(feature = "crash-fault")]
    // SAFETY: none — an illegal instruction, meant to trap, to show that a fault ends the run.
    unsafe {
        core::arch::asm!("unimp")
    };
    app::run()
}

/// Any exception (an illegal instruction, a bad access, ...) ends the run with a failure.
#[unsafe(export_name = "ExceptionHandler")]
fn exception_handler(_frame: &riscv_rt::TrapFrame) -> ! {
    app::out::str("error: exception\n");
    platform::exit(false)
}

/// A panic ends the run with a failure (or, with `panic-check`, cannot link at all).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "panic-check")]
    {
        unsafe extern "C" {
            fn tinyrnn_firmware_still_contains_a_panic_path() -> !;
        }
        // SAFETY: never runs; the link fails if this function is referenced at all.
        unsafe { tinyrnn_firmware_still_contains_a_panic_path() }
    }
    #[cfg(not(feature = "panic-check"))]
    {
        app::out::str("error: panic\n");
        platform::exit(false)
    }
}
