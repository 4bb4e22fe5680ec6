//! Helpers shared by the desktop examples, by what they are: the command line (`cli`), pictures
//! (`plot`), statistics of runs (`stats`), the sweeps' seeds and
//! threads (`sweep`), the UCR/UEA archives' `.ts` files (`ts`). Not part of the library.
#![allow(dead_code)] // each example uses only part of it
#![allow(unused_imports)] // each example uses only part of the re-exports

/// `println!` that ends the program quietly, with status 0, when standard output has been
/// closed (`cargo run --example … | head`), where `println!` would panic with "failed printing
/// to stdout: Broken pipe". Any other write error is reported and ends the program with status 1.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::common::write_line(format_args!($($arg)*))
    };
}

/// The body of [`outln!`].
pub fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

pub mod cli;
pub mod device;
pub mod plot;
pub mod stats;
pub mod sweep;
pub mod ts;

pub use cli::*;
pub use plot::*;
pub use stats::*;
pub use sweep::*;
