//! The command line: flags and their values, output paths, what a record on disk holds.

use std::path::Path;

use tinyrnn::{Activation, Init};

/// A command-line error: the message and the usage line, exit code 2.
pub fn usage_error(usage: &str, msg: &str) -> ! {
    let first = usage.lines().next().unwrap_or("");
    eprintln!("error: {msg}\n{first}\n(--help lists the flags)");
    std::process::exit(2)
}

/// Writes an output file and says so; its directory exists ([`check_writable`] saw it before the
/// long run). A write that fails all the same ends the program with a message and status 1.
pub fn write_or_exit(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("error: could not write {}: {e}", path.display());
        std::process::exit(1);
    }
    outln!("wrote {}", path.display());
}

/// Checks, before a long run, that an output file (if a flag gave one) can be written, so that
/// a typo in a path costs nothing: its directory must exist (none is created, so a failed run
/// leaves nothing behind), and the file is opened for writing without changing it if it exists,
/// or created and removed again if it does not. A path that cannot be written is a bad flag
/// value: message and exit code 2.
pub fn check_writable(usage: &str, flag: &str, path: Option<&Path>) {
    let Some(path) = path else { return };
    if let Err(why) = writable(path) {
        usage_error(
            usage,
            &format!("{flag}: cannot write {}: {why}", path.display()),
        );
    }
}

/// Whether `path` can be written, or why not, in words (see [`check_writable`]).
pub fn writable(path: &Path) -> Result<(), String> {
    use std::fs::{self, OpenOptions};
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(p) = parent {
        if !p.exists() {
            return Err(format!(
                "the directory {} does not exist (create it first)",
                p.display()
            ));
        }
        if !p.is_dir() {
            return Err(format!("{} is not a directory", p.display()));
        }
    }
    if path.is_dir() {
        return Err("it is a directory".into());
    }
    let result = if path.exists() {
        OpenOptions::new().write(true).open(path).map(drop)
    } else {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|_| fs::remove_file(path))
    };
    result.map_err(|e| e.to_string())
}

/// A directory flag's value (`--out-dir`), checked before a long run: it must exist and be a
/// directory; otherwise a message and exit code 2.
pub fn check_dir(usage: &str, flag: &str, dir: Option<&Path>) {
    let Some(dir) = dir else { return };
    if !dir.is_dir() {
        let why = if dir.exists() {
            "is not a directory"
        } else {
            "does not exist (create it first)"
        };
        usage_error(usage, &format!("{flag}: {} {why}", dir.display()));
    }
}

/// The file an output path names, as far as it can be told before the file exists: its
/// directory resolved (`.`, `..`, links), its name as given. Two flags whose paths have the
/// same key would write the same file.
fn output_key(path: &Path) -> std::path::PathBuf {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = parent.unwrap_or(Path::new("."));
    match (dir.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// The first two outputs (flag, path) that name the same file, if any.
pub fn same_output<'a>(outputs: &[(&'a str, Option<&Path>)]) -> Option<(&'a str, &'a str)> {
    let keyed: Vec<(&str, std::path::PathBuf)> = outputs
        .iter()
        .filter_map(|&(flag, path)| path.map(|p| (flag, output_key(p))))
        .collect();
    for (i, (a, ka)) in keyed.iter().enumerate() {
        if let Some((b, _)) = keyed[i + 1..].iter().find(|(_, kb)| kb == ka) {
            return Some((a, b));
        }
    }
    None
}

/// Refuses, before a long run, two outputs on one path, where the second would overwrite the
/// first: a message naming both flags, exit code 2.
pub fn check_distinct(usage: &str, outputs: &[(&str, Option<&Path>)]) {
    if let Some((a, b)) = same_output(outputs) {
        let path = outputs
            .iter()
            .find(|(f, _)| *f == a)
            .and_then(|(_, p)| *p)
            .map_or(String::new(), |p| p.display().to_string());
        usage_error(
            usage,
            &format!("{a} and {b} both name {path}: the second would overwrite the first"),
        );
    }
}

/// The plot's path flag (`--out`), checked before a long run: it must end in `.png` and be
/// writable (as [`check_writable`]); otherwise a message and exit code 2.
pub fn check_png(usage: &str, flag: &str, path: Option<&Path>) {
    if let Some(out) = path
        && !out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        usage_error(
            usage,
            &format!("{flag}: {} does not end in .png", out.display()),
        );
    }
    check_writable(usage, flag, path);
}

/// Writes a record (model or state) to `path`; the error names the file.
pub fn write_record(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// The command-line arguments after the program's name, as [`for_each_flag`] hands them on.
pub type Args = std::iter::Skip<std::env::Args>;

/// Reads the command line flag by flag: `-h` or `--help` prints `usage` and ends the program
/// with status 0; every other flag goes to `each`, with the arguments after it (from which it
/// takes its value, if it has one). `each` returns `false` for a flag it does not know: a
/// usage error, exit code 2.
pub fn for_each_flag(usage: &str, mut each: impl FnMut(&str, &mut Args) -> bool) {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            outln!("{usage}");
            std::process::exit(0);
        }
        if !each(&flag, &mut args) {
            usage_error(usage, &format!("unknown flag '{flag}'"));
        }
    }
}

/// Takes the value after a flag and parses it, or fails with a clear message.
pub fn value<T: std::str::FromStr>(
    usage: &str,
    flag: &str,
    args: &mut impl Iterator<Item = String>,
    what: &str,
) -> T {
    let Some(raw) = args.next() else {
        usage_error(usage, &format!("{flag} needs a value ({what})"))
    };
    // `--out --quiet` would otherwise write the plot to a file named `--quiet`, after training.
    if raw.starts_with("--") {
        usage_error(
            usage,
            &format!("{flag} needs a value ({what}), not the flag '{raw}'"),
        );
    }
    // `--out-dir ''` would otherwise write into the current directory, `--out ''` fail later.
    if raw.is_empty() {
        usage_error(
            usage,
            &format!("{flag} needs a value ({what}), not an empty one"),
        );
    }
    raw.parse()
        .unwrap_or_else(|_| usage_error(usage, &format!("{flag}: '{raw}' is not {what}")))
}

/// A positive, finite float.
pub fn positive(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> f32 {
    let raw: String = value(usage, flag, args, "a positive number");
    parse_positive(&raw).unwrap_or_else(|why| usage_error(usage, &format!("{flag}: {why}")))
}

/// `raw` as a positive, finite `f32`, or why not, in words: a number that is positive but
/// does not fit an `f32` (`1e39` would be infinite, `1e-50` zero) says so.
pub fn parse_positive(raw: &str) -> Result<f32, String> {
    let Ok(v) = raw.parse::<f32>() else {
        return Err(format!("'{raw}' is not a number"));
    };
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else if raw.parse::<f64>().is_ok_and(|w| w.is_finite() && w > 0.0) {
        let size = if v == 0.0 { "small" } else { "large" };
        Err(format!(
            "'{raw}' is too {size} for an f32 (it would be {v})"
        ))
    } else {
        Err(format!("'{raw}' is not a positive, finite number"))
    }
}

/// An unsigned integer type a count flag takes, and its largest value.
pub trait Count: Copy + std::str::FromStr + std::fmt::Display {
    const MAX: u64;
    fn from_u64(v: u64) -> Self;
}

impl Count for u32 {
    const MAX: u64 = u32::MAX as u64;
    fn from_u64(v: u64) -> Self {
        v as u32
    }
}

impl Count for u64 {
    const MAX: u64 = u64::MAX;
    fn from_u64(v: u64) -> Self {
        v
    }
}

impl Count for usize {
    const MAX: u64 = usize::MAX as u64;
    fn from_u64(v: u64) -> Self {
        v as usize
    }
}

/// A positive integer that fits `T`.
pub fn count<T: Count>(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> T {
    let raw: String = value(usage, flag, args, "a positive integer");
    parse_count(&raw).unwrap_or_else(|why| usage_error(usage, &format!("{flag}: {why}")))
}

/// `raw` as a positive integer that fits `T`, or why not, naming the range.
pub fn parse_count<T: Count>(raw: &str) -> Result<T, String> {
    let range = format!("an integer from 1 to {}", T::MAX);
    match raw.parse::<u128>() {
        Ok(v) if v >= 1 && v <= u128::from(T::MAX) => Ok(T::from_u64(v as u64)),
        _ => Err(format!("'{raw}' is not {range}")),
    }
}

/// `sigmoid` or `tanh`.
pub fn activation(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> Activation {
    let v: String = value(usage, flag, args, "sigmoid or tanh");
    match v.as_str() {
        "sigmoid" => Activation::Sigmoid,
        "tanh" => Activation::Tanh,
        _ => usage_error(usage, &format!("{flag}: '{v}' is not sigmoid or tanh")),
    }
}

/// `std`, `xavier` or `he`.
pub fn init_kind(usage: &str, flag: &str, args: &mut impl Iterator<Item = String>) -> Init {
    let v: String = value(usage, flag, args, "std, xavier or he");
    match v.as_str() {
        "std" | "normal" => Init::Normal { std: 1.0 },
        "xavier" => Init::Xavier,
        "he" => Init::He,
        _ => usage_error(usage, &format!("{flag}: '{v}' is not std, xavier or he")),
    }
}

/// A number as people write it: `0.1`, `2.5`, but `1e38` and `1e-7` rather than 39 or 8
/// digits (Rust prints every `f32` in full). Either way the shortest text that reads back as the
/// same number.
pub fn num(x: f32) -> String {
    let a = x.abs();
    if a == 0.0 || (1e-4..1e6).contains(&a) || !a.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A short name for an initialisation: `std=1`, `xavier`, `he`.
pub fn init_name(init: Init) -> String {
    match init {
        Init::Normal { std } => format!("std={}", num(std)),
        Init::Xavier => "xavier".into(),
        Init::He => "he".into(),
    }
}

/// The shape a record's header gives, in words: `2-8-1` for a model (`TRNM`), `2-8-1 with
/// sequences of 4 steps` for a training or stream state (`TRNS`, `TRNH`), read from the fields
/// the `tinyrnn::format` docs list; `None` for bytes that are no record of tinyrnn's.
pub fn record_shape(bytes: &[u8]) -> Option<String> {
    let field = |at: usize| -> Option<u16> {
        let b = bytes.get(at..at + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    };
    let (i, h, o) = (field(6)?, field(8)?, field(10)?);
    match bytes.get(..4)? {
        b"TRNM" => Some(format!("{i}-{h}-{o}")),
        b"TRNS" | b"TRNH" => Some(format!(
            "{i}-{h}-{o} with sequences of {} steps",
            field(12)?
        )),
        _ => None,
    }
}

/// Why a state could not be resumed, in words: the library's error, and for a state of
/// another shape, both shapes (the library's error cannot name them: it allocates nothing).
pub fn resume_error(e: &tinyrnn::Error, bytes: &[u8], want: &str) -> String {
    match (e, record_shape(bytes)) {
        (tinyrnn::Error::ShapeMismatch, Some(got)) => {
            format!("the state is for a {got}; this example trains a {want}")
        }
        // Version 1 is SGD's state, 2 momentum's or Adam's: the flags chose the other.
        (tinyrnn::Error::UnsupportedVersion(1), _) => {
            "the state was saved by plain SGD: resume it with --optim sgd (the default)".into()
        }
        (tinyrnn::Error::UnsupportedVersion(2), _) => {
            "the state was saved by momentum or adam: resume it with the same --optim".into()
        }
        (tinyrnn::Error::TrainerMismatch, _) => {
            "the state was saved with another --loss or --optim: resume it with the same ones"
                .into()
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_name_their_range() {
        assert_eq!(parse_count::<u32>("1"), Ok(1));
        assert_eq!(parse_count::<u32>("4294967295"), Ok(u32::MAX));
        for raw in [
            "4294967296",
            "0",
            "-1",
            "1.5",
            "x",
            "99999999999999999999999999999999999999999",
        ] {
            assert_eq!(
                parse_count::<u32>(raw),
                Err(format!("'{raw}' is not an integer from 1 to 4294967295")),
                "{raw}"
            );
        }
        assert_eq!(parse_count::<u64>("4294967296"), Ok(1 << 32));
    }

    /// A scratch directory of its own for each test, removed at the end.
    struct Scratch(std::path::PathBuf);
    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("tinyrnn-cli-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn two_outputs_on_one_path_are_found() {
        let dir = Scratch::new("outputs");
        let a = dir.0.join("same.png");
        let also_a = dir.0.join(".").join("same.png");
        let b = dir.0.join("model.trnm");
        // `--out same.png --save-model same.png`, written two ways.
        assert_eq!(
            same_output(&[
                ("--out", Some(&a)),
                ("--save-model", Some(&b)),
                ("--save-state", Some(&also_a))
            ]),
            Some(("--out", "--save-state"))
        );
        assert_eq!(
            same_output(&[
                ("--csv", Some(Path::new("f"))),
                ("--runs-csv", Some(Path::new("./f")))
            ]),
            Some(("--csv", "--runs-csv"))
        );
        // Different files, or outputs not asked for.
        assert_eq!(
            same_output(&[("--out", Some(&a)), ("--save-model", Some(&b))]),
            None
        );
        assert_eq!(
            same_output(&[
                ("--out", Some(&a)),
                ("--save-model", None),
                ("--save-state", None)
            ]),
            None
        );
    }

    #[test]
    fn a_missing_directory_is_refused_and_not_created() {
        let dir = Scratch::new("missing");
        let deep = dir.0.join("no").join("such").join("loss.png");
        let why = writable(&deep).unwrap_err();
        assert!(why.contains("does not exist"), "{why}");
        assert!(!dir.0.join("no").exists(), "a directory was created");
        // A file in an existing directory: writable, and not left behind.
        let fine = dir.0.join("loss.png");
        assert_eq!(writable(&fine), Ok(()));
        assert!(!fine.exists());
        // A parent that is a file; a directory given as the file.
        std::fs::write(&fine, b"x").unwrap();
        assert!(
            writable(&fine.join("m.trnm"))
                .unwrap_err()
                .contains("is not a directory")
        );
        assert_eq!(writable(&dir.0).unwrap_err(), "it is a directory");
        // An existing file is writable and left as it was.
        assert_eq!(writable(&fine), Ok(()));
        assert_eq!(std::fs::read(&fine).unwrap(), b"x");
    }

    #[test]
    fn records_of_another_shape_are_named() {
        use tinyrnn::rand_core::SeedableRng;
        use tinyrnn::{Activation, Rnn, Trainer, XorShiftRng};
        let rng = XorShiftRng::seed_from_u64(1);
        // A training state of the latch's shape and window, read as the addition's.
        let latch = Trainer::<2, 8, 1, 4>::new(Rnn::zeros(Activation::Tanh, true), 0.5).unwrap();
        let mut bytes = [0u8; Trainer::<2, 8, 1, 4>::STATE_LEN];
        latch.write_state(&rng, &mut bytes).unwrap();
        let mut addition = Trainer::<2, 16, 1, 8>::zeros(Activation::Sigmoid, false);
        let e = addition.read_state(&mut rng.clone(), &bytes).unwrap_err();
        assert_eq!(
            resume_error(&e, &bytes, "2-16-1 with sequences of 8 steps"),
            "the state is for a 2-8-1 with sequences of 4 steps; this example trains a 2-16-1 \
             with sequences of 8 steps"
        );
        // The right shape and another sequence length: both named too.
        let mut other_l = Trainer::<2, 8, 1, 8>::zeros(Activation::Tanh, true);
        let e = other_l.read_state(&mut rng.clone(), &bytes).unwrap_err();
        assert_eq!(
            resume_error(&e, &bytes, "2-8-1 with sequences of 8 steps"),
            "the state is for a 2-8-1 with sequences of 4 steps; this example trains a 2-8-1 \
             with sequences of 8 steps"
        );
        // Anything else: the library's own message.
        let e = addition.read_state(&mut rng.clone(), &[]).unwrap_err();
        assert_eq!(resume_error(&e, &[], "2-16-1"), e.to_string());
        let mut model = [0u8; Rnn::<2, 8, 1>::ENCODED_LEN];
        latch.model.write_to(&mut model).unwrap();
        assert_eq!(record_shape(&model).as_deref(), Some("2-8-1"));
        assert_eq!(record_shape(b"TRNX\x01\x00\x02\x00\x08\x00\x01\x00"), None);
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(250_000.0), "250000");
        assert_eq!(num(1e38), "1e38");
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(-3e6), "-3e6");
        for x in [
            0.1f32,
            1e38,
            1e-7,
            1.234_567_9e-5,
            f32::MAX,
            f32::MIN_POSITIVE,
        ] {
            assert_eq!(num(x).parse::<f32>().unwrap().to_bits(), x.to_bits());
        }
    }

    #[test]
    fn positive_numbers_and_why_not() {
        assert_eq!(parse_positive("0.1"), Ok(0.1));
        assert_eq!(
            parse_positive("1e-40").map(f32::to_bits),
            Ok(1e-40f32.to_bits())
        );
        assert_eq!(parse_positive("3.4e38"), Ok(3.4e38));
        for (raw, why) in [
            ("0", "'0' is not a positive, finite number"),
            ("-0.0", "'-0.0' is not a positive, finite number"),
            ("-1", "'-1' is not a positive, finite number"),
            ("-1e-50", "'-1e-50' is not a positive, finite number"),
            ("inf", "'inf' is not a positive, finite number"),
            ("NaN", "'NaN' is not a positive, finite number"),
            ("1e39", "'1e39' is too large for an f32 (it would be inf)"),
            ("1e-50", "'1e-50' is too small for an f32 (it would be 0)"),
            ("1e999", "'1e999' is not a positive, finite number"),
            ("abc", "'abc' is not a number"),
            ("", "'' is not a number"),
        ] {
            assert_eq!(parse_positive(raw), Err(why.to_string()), "{raw}");
        }
    }
}
