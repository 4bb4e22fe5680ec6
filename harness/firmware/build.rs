//! Puts the board's memory layout where cortex-m-rt's `link.x` looks for `memory.x`.
use std::{env, fs, path::PathBuf};

fn main() {
    let layout = if env::var_os("CARGO_FEATURE_PANIC_CHECK").is_some() {
        // Linked, never run (see the file).
        "memory/link-check.x"
    } else if env::var_os("CARGO_FEATURE_MICROBIT_V2").is_some() {
        "memory/microbit-v2.x"
    } else if (env::var_os("CARGO_FEATURE_GRU").is_some()
        || env::var_os("CARGO_FEATURE_LSTM").is_some())
        && env::var("TARGET").is_ok_and(|t| t != "thumbv6m-none-eabi")
    {
        // A gated cell's training state is more than 16 KiB (see the file).
        "memory/qemu-64k.x"
    } else {
        "memory/qemu.x"
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::copy(layout, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");
}
