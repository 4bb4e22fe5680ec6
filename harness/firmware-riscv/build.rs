//! Puts the memory layout where the linker looks for `memory.x`: `memory/qemu.x`
//! (`memory/qemu-64k.x` for the gated cells), or for the `panic-check` builds
//! `memory/link-check.x`. (Not a `memory.x` beside `Cargo.toml`: the linker would find that one
//! first, whatever this script chose.)
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let layout = if env::var_os("CARGO_FEATURE_PANIC_CHECK").is_some() {
        // Linked, never run (see the file).
        "memory/link-check.x"
    } else if env::var_os("CARGO_FEATURE_GRU").is_some()
        || env::var_os("CARGO_FEATURE_LSTM").is_some()
    {
        // A gated cell's training state is more than 16 KiB (see the file).
        "memory/qemu-64k.x"
    } else {
        "memory/qemu.x"
    };
    fs::copy(layout, out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory/qemu.x");
    println!("cargo:rerun-if-changed=memory/qemu-64k.x");
    println!("cargo:rerun-if-changed=memory/link-check.x");
    println!("cargo:rerun-if-changed=build.rs");
}
