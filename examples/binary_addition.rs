//! The course's exercise: a 2-16-1 simple RNN learns 8-bit binary addition.
//!
//! `cargo run --release --example binary_addition` trains with the course's settings and prints
//! the course's log every 100 iterations, then the exact accuracy over all 16,384 pairs, the final
//! loss and the weights' checksum, and writes the loss curve to `loss.png`.
//! `--help` lists the flags.

#[macro_use]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use common::{BlockMeans, Series, count, positive, usage_error, value};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::{self, Sample};
use tinyrnn::train::{
    Adam, CrossEntropy, Labels, Loss, Momentum, Optimizer, Reduction, Sgd, SquaredError,
};
use tinyrnn::{Activation, Init, Output, Rnn, Trainer, XorShiftRng};

const HIDDEN: usize = 16;
const BITS: usize = 8;
const PLOT_INTERVAL: u32 = 100;

const USAGE: &str = "\
usage: binary_addition [flags]

Trains a 2-16-1 simple RNN on 8-bit binary addition (the course's exercise).

flags:
  --seed N          RNG seed (default 1)
  --iters N         training iterations (default 10000)
  --init KIND       std, xavier or he (default std)
  --std X           std of the normal initialisation (default 1; implies --init std)
  --activation F    hidden activation: sigmoid or tanh (default sigmoid)
  --lr X            learning rate (default 0.1)
  --biases          train hidden and output biases (default: off, as the course)
  --clip X          clip gradients to global norm X, or 'off' (default: off)
  --output F        output layer: sigmoid or linear (default sigmoid)
  --loss L          mse (squared error, the course's) or ce (binary cross-entropy, with the
                    sigmoid output) (default mse)
  --optim O         sgd, momentum or adam (default sgd)
  --momentum X      momentum's factor, in [0, 1) (default 0.9)
  --betas B1,B2     Adam's betas, each in [0, 1) (default 0.9,0.999)
  --eps X           Adam's epsilon, positive (default 1e-8)
  --weight-decay X  momentum's or Adam's weight decay, 0 or more (default 0)
  --batch N         sequences per step, their gradients averaged (default 1)
  --out PATH        loss-curve PNG (default loss.png)
  --save-model PATH write the trained model (tinyrnn's TRNM record, 1304 bytes)
  --save-state PATH write the training state at the end (TRNS record: resumable)
  --resume PATH     start from a saved training state; --iters is then the total count.
                    The state holds the model, activation, biases, output, learning rate,
                    clipping and optimiser (give the same --loss and --optim); --lr and
                    --clip change those two, and --seed, --init, --std, --activation,
                    --biases, --output and the optimiser's settings are refused with it. With --iters at the
                    state's count, nothing is trained: the state is evaluated (and saved)
  --no-plot         do not write the PNG
  --quiet           print only the summary, not the log every 100 iterations
  -h, --help        this text";

/// The example's settings; the defaults are the course's.
struct Settings {
    seed: u64,
    iters: u32,
    init: Init,
    activation: Activation,
    /// `None`: not given, the default (or, with `--resume`, the state's).
    lr: Option<f32>,
    biases: bool,
    /// `None`: not given; `Some(None)`: `--clip off`.
    clip: Option<Option<f32>>,
    out: Option<PathBuf>,
    quiet: bool,
    save_model: Option<PathBuf>,
    save_state: Option<PathBuf>,
    resume: Option<PathBuf>,
    output: Output,
    cross_entropy: bool,
    optim: Optim,
    batch: usize,
}

/// The optimiser and its settings.
#[derive(Clone, Copy, PartialEq)]
enum Optim {
    Sgd,
    Momentum {
        momentum: f32,
        weight_decay: f32,
    },
    Adam {
        betas: (f32, f32),
        eps: f32,
        weight_decay: f32,
    },
}

fn parse_args() -> Settings {
    let mut s = Settings {
        seed: 1,
        iters: 10_000,
        init: Init::Normal { std: 1.0 },
        activation: Activation::Sigmoid,
        lr: None,
        biases: false,
        clip: None,
        out: Some(PathBuf::from("loss.png")),
        quiet: false,
        save_model: None,
        save_state: None,
        resume: None,
        output: Output::Sigmoid,
        cross_entropy: false,
        optim: Optim::Sgd,
        batch: 1,
    };
    let mut optim_name = None;
    let (mut momentum, mut betas, mut eps, mut weight_decay) = (None, None, None, None);
    // Flags that set up a new model, which a resumed state already holds.
    let mut model_flag = None;
    let mut std_dev = None;
    common::for_each_flag(USAGE, |flag, a| {
        if [
            "--seed",
            "--init",
            "--std",
            "--activation",
            "--biases",
            "--output",
            "--momentum",
            "--betas",
            "--eps",
            "--weight-decay",
        ]
        .contains(&flag)
        {
            model_flag.get_or_insert_with(|| flag.to_string());
        }
        match flag {
            "--seed" => s.seed = value(USAGE, flag, a, "an integer from 0 to 2^64-1"),
            "--iters" => s.iters = count(USAGE, flag, a),
            "--init" => s.init = common::init_kind(USAGE, flag, a),
            "--std" => std_dev = Some(positive(USAGE, flag, a)),
            "--activation" => s.activation = common::activation(USAGE, flag, a),
            "--lr" => s.lr = Some(positive(USAGE, flag, a)),
            "--biases" => s.biases = true,
            "--clip" => s.clip = Some(clip(flag, a)),
            "--out" => s.out = Some(value(USAGE, flag, a, "a path")),
            "--no-plot" => s.out = None,
            "--quiet" => s.quiet = true,
            "--save-model" => s.save_model = Some(value(USAGE, flag, a, "a path")),
            "--save-state" => s.save_state = Some(value(USAGE, flag, a, "a path")),
            "--resume" => s.resume = Some(value(USAGE, flag, a, "a path")),
            "--output" => {
                s.output = match value::<String>(USAGE, flag, a, "sigmoid or linear").as_str() {
                    "sigmoid" => Output::Sigmoid,
                    "linear" => Output::Linear,
                    "softmax" => usage_error(
                        USAGE,
                        "--output softmax needs two outputs or more; this network has one",
                    ),
                    other => usage_error(
                        USAGE,
                        &format!("--output: '{other}' is not sigmoid or linear"),
                    ),
                }
            }
            "--loss" => {
                s.cross_entropy = match value::<String>(USAGE, flag, a, "mse or ce").as_str() {
                    "mse" => false,
                    "ce" => true,
                    other => usage_error(USAGE, &format!("--loss: '{other}' is not mse or ce")),
                }
            }
            "--optim" => {
                let o: String = value(USAGE, flag, a, "sgd, momentum or adam");
                if !["sgd", "momentum", "adam"].contains(&o.as_str()) {
                    usage_error(
                        USAGE,
                        &format!("--optim: '{o}' is not sgd, momentum or adam"),
                    );
                }
                optim_name = Some(o);
            }
            "--momentum" => momentum = Some(unit(flag, a)),
            "--betas" => {
                let v: String = value(USAGE, flag, a, "two numbers in [0, 1), as 0.9,0.999");
                let parsed: Vec<Result<f32, String>> = v.split(',').map(parse_unit).collect();
                match parsed.as_slice() {
                    [Ok(b1), Ok(b2)] => betas = Some((*b1, *b2)),
                    _ => usage_error(
                        USAGE,
                        &format!("--betas: '{v}' is not two numbers in [0, 1), as 0.9,0.999"),
                    ),
                }
            }
            "--eps" => eps = Some(positive(USAGE, flag, a)),
            "--weight-decay" => {
                let v: String = value(USAGE, flag, a, "a number, 0 or more");
                match v.parse::<f32>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => weight_decay = Some(x),
                    _ => usage_error(
                        USAGE,
                        &format!("--weight-decay: '{v}' is not a finite number, 0 or more"),
                    ),
                }
            }
            "--batch" => s.batch = count::<u32>(USAGE, flag, a) as usize,
            _ => return false,
        }
        true
    });
    if let (Some(flag), Some(_)) = (&model_flag, &s.resume) {
        usage_error(
            USAGE,
            &format!(
                "{flag} does not go with --resume: the saved state holds the model, its \
                 activation and biases, and the RNG"
            ),
        );
    }
    if s.cross_entropy && s.output == Output::Linear {
        usage_error(
            USAGE,
            "--loss ce trains a sigmoid output, not a linear one (use --loss mse)",
        );
    }
    let wd = weight_decay.unwrap_or(0.0);
    s.optim = match optim_name.as_deref().unwrap_or("sgd") {
        "momentum" => Optim::Momentum {
            momentum: momentum.unwrap_or(0.9),
            weight_decay: wd,
        },
        "adam" => Optim::Adam {
            betas: betas.unwrap_or((0.9, 0.999)),
            eps: eps.unwrap_or(1e-8),
            weight_decay: wd,
        },
        _ => Optim::Sgd,
    };
    let misplaced = match s.optim {
        Optim::Sgd => [
            ("--momentum", momentum.is_some()),
            ("--betas", betas.is_some()),
            ("--eps", eps.is_some()),
            ("--weight-decay", weight_decay.is_some()),
        ]
        .into_iter()
        .find(|f| f.1),
        Optim::Momentum { .. } => [("--betas", betas.is_some()), ("--eps", eps.is_some())]
            .into_iter()
            .find(|f| f.1),
        Optim::Adam { .. } => [("--momentum", momentum.is_some())]
            .into_iter()
            .find(|f| f.1),
    };
    if let Some((flag, _)) = misplaced {
        usage_error(
            USAGE,
            &format!(
                "{flag} does not go with --optim {}",
                optim_name.as_deref().unwrap_or("sgd")
            ),
        );
    }
    if let Some(std) = std_dev {
        if !matches!(s.init, Init::Normal { .. }) {
            usage_error(USAGE, "--std only goes with --init std");
        }
        s.init = Init::Normal { std };
    }
    // Before training, not after it: a bad output path loses nothing, and no output overwrites
    // another.
    common::check_distinct(
        USAGE,
        &[
            ("--out", s.out.as_deref()),
            ("--save-model", s.save_model.as_deref()),
            ("--save-state", s.save_state.as_deref()),
        ],
    );
    common::check_png(USAGE, "--out", s.out.as_deref());
    common::check_writable(USAGE, "--save-model", s.save_model.as_deref());
    common::check_writable(USAGE, "--save-state", s.save_state.as_deref());
    s
}

/// A number in `[0, 1)`, or why not.
fn parse_unit(v: &str) -> Result<f32, String> {
    match v.trim().parse::<f32>() {
        Ok(x) if (0.0..1.0).contains(&x) => Ok(x),
        _ => Err(format!("'{v}' is not a number in [0, 1)")),
    }
}

/// A flag's value in `[0, 1)`.
fn unit(flag: &str, args: &mut impl Iterator<Item = String>) -> f32 {
    let v: String = value(USAGE, flag, args, "a number in [0, 1)");
    parse_unit(&v).unwrap_or_else(|why| usage_error(USAGE, &format!("{flag}: {why}")))
}

/// `--clip`'s value: a positive, finite threshold, or `off`.
fn clip(flag: &str, args: &mut impl Iterator<Item = String>) -> Option<f32> {
    let v: String = value(USAGE, flag, args, "a positive number or off");
    if v == "off" {
        return None;
    }
    match common::parse_positive(&v) {
        Ok(c) => Some(c),
        Err(why) => usage_error(
            USAGE,
            &format!("{flag}: {why}; give a positive number or off"),
        ),
    }
}

/// Bits most significant first, as numpy prints the course's `out_bin`: `[0 1 1 0 1 0 0 1]`.
fn bits_msb_first(n: u32) -> String {
    let bits: Vec<String> = (0..BITS)
        .rev()
        .map(|i| ((n >> i) & 1).to_string())
        .collect();
    format!("[{}]", bits.join(" "))
}

/// One step on `n` sequences, their gradients averaged; returns the last, whose outputs before
/// the update the trace holds, for the log.
fn batch_step<Lo: Loss, Op: Optimizer<2, HIDDEN, 1>>(
    trainer: &mut Trainer<2, HIDDEN, 1, BITS, Lo, Op>,
    rng: &mut XorShiftRng,
    n: usize,
) -> tinyrnn::Result<(Sample<BITS>, f32)> {
    let samples: Vec<Sample<BITS>> = (0..n).map(|_| Sample::random(rng)).collect();
    let xs: Vec<_> = samples.iter().map(|s| s.xs).collect();
    let ds: Vec<_> = samples.iter().map(|s| s.ds).collect();
    let loss = trainer.step_batch(&xs, &ds, Labels::Every, Reduction::Mean)?;
    let last = samples
        .into_iter()
        .next_back()
        .expect("n >= 1: --batch is a count");
    Ok((last, loss))
}

fn main() -> ExitCode {
    let s = parse_args();
    // One training loop, built for the loss and optimiser chosen (each its own type).
    let result = match (s.cross_entropy, s.optim) {
        (false, Optim::Sgd) => run(&s, SquaredError, Sgd),
        (true, Optim::Sgd) => run(&s, CrossEntropy, Sgd),
        (
            ce,
            Optim::Momentum {
                momentum,
                weight_decay,
            },
        ) => {
            let opt =
                Momentum::with_weight_decay(momentum, weight_decay).expect("checked when parsed");
            if ce {
                run(&s, CrossEntropy, opt)
            } else {
                run(&s, SquaredError, opt)
            }
        }
        (
            ce,
            Optim::Adam {
                betas: (b1, b2),
                eps,
                weight_decay,
            },
        ) => {
            let opt = Adam::new(b1, b2, eps, weight_decay).expect("checked when parsed");
            if ce {
                run(&s, CrossEntropy, opt)
            } else {
                run(&s, SquaredError, opt)
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run<Lo: Loss, Op: Optimizer<2, HIDDEN, 1>>(
    s: &Settings,
    loss: Lo,
    optimizer: Op,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = XorShiftRng::seed_from_u64(s.seed);
    let model = Rnn::<2, HIDDEN, 1>::from_rng(&mut rng, s.init, s.activation)?
        .with_biases(s.biases)
        .with_output(s.output);
    let lr =
        s.lr.unwrap_or(Trainer::<2, HIDDEN, 1, BITS>::DEFAULT_LEARNING_RATE);
    let mut trainer = Trainer::<2, HIDDEN, 1, BITS, Lo, Op>::with(model, lr, loss, optimizer)?
        .with_clip(s.clip.flatten())?;
    if let Some(path) = &s.resume {
        // A file that cannot be read or is not a valid state is a bad flag value (exit code 2).
        let bytes = std::fs::read(path).unwrap_or_else(|e| {
            usage_error(
                USAGE,
                &format!("--resume: could not read {}: {e}", path.display()),
            )
        });
        if let Err(e) = trainer.read_state(&mut rng, &bytes) {
            let why = common::resume_error(
                &e,
                &bytes,
                &format!("2-{HIDDEN}-1 with sequences of {BITS} steps"),
            );
            usage_error(
                USAGE,
                &format!("--resume: could not resume from {}: {why}", path.display()),
            );
        }
        // Given on the command line, these replace the state's (a new learning rate for a
        // second stage, say); they were validated when parsed.
        if let Some(lr) = s.lr {
            trainer.set_learning_rate(lr)?;
        }
        if let Some(clip) = s.clip {
            trainer.set_clip(clip)?;
        }
        outln!(
            "resumed from {} at iteration {}",
            path.display(),
            trainer.iterations(),
        );
    }
    // What this run trains with: the command line's settings, or the state's when resumed;
    // for the summary line and for the plot's title.
    let (origin, title_origin) = match &s.resume {
        Some(path) => {
            let resumed = format!("resumed from {}", path.display());
            (resumed.clone(), resumed)
        }
        None => {
            let init = common::init_name(s.init);
            (
                format!("seed {} init {init}", s.seed),
                format!("{init}, seed {}", s.seed),
            )
        }
    };
    let (activation, lr) = (
        trainer.model.activation.name(),
        common::num(trainer.learning_rate()),
    );
    let start = u32::try_from(trainer.iterations()).unwrap_or(u32::MAX);
    if start > s.iters {
        usage_error(
            USAGE,
            &format!(
                "--iters {}: the state is already at iteration {start} (--iters is the total)",
                s.iters
            ),
        );
    }

    let mut logged: Vec<(f64, f64)> = Vec::new();
    let mut block_means = BlockMeans::new(PLOT_INTERVAL);
    let mut last_loss = None;
    for i in start..s.iters {
        let stepped = if s.batch == 1 {
            // What `task::train_step` does, for any loss and optimiser.
            let sample = Sample::<BITS>::random(&mut rng);
            trainer
                .step(&sample.xs, &sample.ds)
                .map(|loss| (sample, loss))
        } else {
            batch_step(&mut trainer, &mut rng, s.batch)
        };
        let (sample, loss): (Sample<BITS>, f32) = match stepped {
            Ok(r) => r,
            Err(e) => {
                return Err(format!(
                    "training stopped at iteration {i}: {e}; the weights are those before that \
                     step (try a smaller --lr or --clip)"
                )
                .into());
            }
        };
        last_loss = Some(loss);
        block_means.add(i, loss);
        if i % PLOT_INTERVAL == 0 {
            logged.push((f64::from(i), f64::from(loss)));
            if !s.quiet {
                let out = task::decode_outputs(&trainer.trace.ys);
                outln!("iters:{i}");
                outln!("Loss:{loss}");
                outln!("Pred:{}", bits_msb_first(out));
                outln!("True:{}", bits_msb_first(sample.sum()));
                outln!("{} + {} = {}", sample.a, sample.b, out);
                outln!("------------");
            }
        }
    }

    if let Some(path) = &s.save_state {
        let mut buf = vec![0u8; Trainer::<2, HIDDEN, 1, BITS, Lo, Op>::STATE_LEN];
        let n = trainer.write_state(&rng, &mut buf)?;
        common::write_record(path, &buf[..n])?;
        outln!(
            "training state ({n} bytes, iteration {}) written to {}",
            trainer.iterations(),
            path.display()
        );
    }
    if let Some(path) = &s.save_model {
        let mut buf = [0u8; Rnn::<2, HIDDEN, 1>::ENCODED_LEN];
        let n = trainer.model.write_to(&mut buf)?;
        common::write_record(path, &buf[..n])?;
        outln!("model ({n} bytes) written to {}", path.display());
    }

    let model = &trainer.model;
    let acc = task::evaluate::<HIDDEN, BITS>(model);
    // The course's settings print as they always did; others add what they change.
    let mut extra = String::new();
    if model.output != Output::Sigmoid {
        extra += " output linear";
    }
    if s.cross_entropy {
        extra += " loss ce";
    }
    match s.optim {
        Optim::Sgd => {}
        Optim::Momentum {
            momentum,
            weight_decay,
        } => {
            extra += &format!(
                " optim momentum {} weight-decay {}",
                common::num(momentum),
                common::num(weight_decay)
            );
        }
        Optim::Adam {
            betas,
            eps,
            weight_decay,
        } => {
            extra += &format!(
                " optim adam betas {},{} eps {} weight-decay {}",
                common::num(betas.0),
                common::num(betas.1),
                common::num(eps),
                common::num(weight_decay)
            );
        }
    }
    if s.batch > 1 {
        extra += &format!(" batch {}", s.batch);
    }
    outln!(
        "settings: {origin} iters {} activation {activation} lr {lr} biases {} clip {}{extra}",
        s.iters,
        if model.biases { "on" } else { "off" },
        trainer.clip().map_or("off".to_string(), common::num),
    );
    outln!(
        "exact accuracy: {}/{} pairs ({:.2}%), bit accuracy {:.2}%",
        acc.exact,
        acc.pairs,
        100.0 * acc.exact_rate(),
        100.0 * acc.bit_rate()
    );
    match last_loss {
        Some(loss) => outln!("final loss: {loss} (bits 0x{:08x})", loss.to_bits()),
        None => outln!("final loss: none (no iteration trained: the state is at --iters)"),
    }
    outln!("weights checksum: 0x{:08x}", model.checksum());

    let Some(path) = &s.out else { return Ok(()) };
    if last_loss.is_none() {
        outln!(
            "no loss curve: no iteration was trained, {} left as it was",
            path.display()
        );
        return Ok(());
    }
    let title =
        format!("2-{HIDDEN}-1 RNN on {BITS}-bit addition ({activation}, lr {lr}, {title_origin})");
    common::line_chart(
        path,
        &title,
        "iteration",
        f64::from(start),
        "loss (sum over 8 steps)",
        &[
            Series {
                label: "loss every 100 iterations (the course's plot)".into(),
                points: &logged,
            },
            Series {
                label: "mean loss of each 100 iterations".into(),
                points: &block_means.finish(),
            },
        ],
    )
    .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    outln!("loss curve written to {}", path.display());
    Ok(())
}
