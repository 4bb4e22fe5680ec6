//! Puts the board's memory layout where cortex-m-rt's `link.x` looks for `memory.x`.
use std::{env, fs, path::PathBuf};

fn main() {
    let layout = if env::var_os("CARGO_FEATURE_PANIC_CHECK").is_some() {
        // Linked, never run (see the file).
        "memory/link-check.x"
    } else if env::var_os("CARGO_FEATURE_MICROBIT_V2").is_some() {
        "memory/microbit-v2.x"
    } else if env::var_os("CARGO_FEATURE_MOTIONS").is_some() {
        // BasicMotions's data and its training (see the file).
        "memory/qemu-f411.x"
    } else if env::var_os("CARGO_FEATURE_GRU").is_some()
        || env::var_os("CARGO_FEATURE_LSTM").is_some()
    {
        let m0 = env::var("TARGET").is_ok_and(|t| t == "thumbv6m-none-eabi");
        let lstm = env::var_os("CARGO_FEATURE_LSTM").is_some();
        match (m0, lstm) {
            // The GRU's training fits the micro:bit's 16 KiB.
            (true, false) => "memory/qemu.x",
            // The LSTM's does not: an nRF51822 with 32 KiB (see the file).
            (true, true) => "memory/nrf51-qfac.x",
            // Room to spare on the other machines (see the file).
            (false, _) => "memory/qemu-64k.x",
        }
    } else {
        "memory/qemu.x"
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::copy(layout, out.join("memory.x")).unwrap();
    // The feature `motions` embeds a data record written on the desktop by `classify --device`
    // (examples/classify.rs; scripts/firmware.sh makes it): TINYRNN_MOTIONS, or the default
    // path under the repository's target folder.
    println!("cargo:rerun-if-env-changed=TINYRNN_MOTIONS");
    if env::var_os("CARGO_FEATURE_MOTIONS").is_some() {
        let data = env::var_os("TINYRNN_MOTIONS").map_or_else(
            || PathBuf::from("../../target/ucr/BasicMotions.trds"),
            PathBuf::from,
        );
        println!("cargo:rerun-if-changed={}", data.display());
        if let Err(e) = fs::copy(&data, out.join("motions.trds")) {
            panic!(
                "feature `motions`: cannot read the data record {} ({e}); make it with \
                 `bash scripts/fetch-ucr.sh` and `cargo run --release --example classify -- \
                 --train target/ucr/BasicMotions/BasicMotions_TRAIN.ts --test \
                 target/ucr/BasicMotions/BasicMotions_TEST.ts --device {}`",
                data.display(),
                data.display()
            );
        }
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");
}
