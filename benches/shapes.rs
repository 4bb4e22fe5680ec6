//! tinyrnn's time per training iteration and per inference pass at every shape `H` in
//! {4, 8, 16, 32, 64} and `L` in {8, 16, 32, 64} (2 inputs, 1 output, the course's setup:
//! sigmoid, normal(0, 1) weights, SGD at 0.1, no biases), beside the C baseline
//! (`benches/baseline/rnn.c` built for each shape with `-DH=… -DL=…`) run shape by shape in the
//! same run, so that both see the same machine at the same time.
//!
//!     bash scripts/shapes.sh      # builds the C programs, runs this, writes docs/shapes.md
//!
//! which runs `cargo bench --bench shapes -- --c-dir DIR --csv FILE --png FILE`. Each figure is
//! the lowest of three timed runs of `n` iterations (`n` chosen for about 0.1 s a run) on 256
//! sequences of random bits, restarting from the initial weights every 1,000 iterations, as
//! the C program does. Without arguments (as `cargo bench` runs it) it does a short run of
//! every shape, tinyrnn only, and prints nothing. `--redraw CSV --png FILE` draws the picture
//! again from the CSV, timing nothing.

#[path = "../examples/common/plot.rs"]
#[allow(dead_code, unused_imports)]
mod plot;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use plotters::prelude::*;
use tinyrnn::rand_core::{Rng, SeedableRng};
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng, task};

/// One sequence: inputs and targets.
type Sequence<const L: usize> = ([[f32; 2]; L], [[f32; 1]; L]);

/// A line of the picture: its label, its figure of a row, its colour, solid or not.
type Line = (&'static str, fn(&Row) -> f64, usize, bool);

/// One shape's figures, nanoseconds per iteration.
#[derive(Clone, Copy)]
struct Row {
    h: usize,
    l: usize,
    rust_train: f64,
    rust_infer: f64,
    c_train: f64,
    c_infer: f64,
}

/// The iterations of a timed run: about 0.1 s of the slower (training) at 2-16-1's speed, in
/// proportion to `L·H²`.
fn iterations(h: usize, l: usize) -> u64 {
    (200_000_000 / (l * h * h) as u64).clamp(200, 200_000)
}

/// tinyrnn at one shape: the lowest of three timings of `n` training iterations and of `n`
/// inference passes, in nanoseconds per iteration.
fn time_rust<const H: usize, const L: usize>(n: u64) -> (f64, f64) {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let model = Rnn::<2, H, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid)
        .expect("valid init");
    let bit = |r: u32, k: u32| ((r >> k) & 1) as f32;
    let samples: Vec<Sequence<L>> = (0..256)
        .map(|_| {
            let (mut xs, mut ds) = ([[0.0; 2]; L], [[0.0; 1]; L]);
            for (x, d) in xs.iter_mut().zip(ds.iter_mut()) {
                let r = rng.next_u32();
                *x = [bit(r, 31), bit(r, 30)];
                *d = [bit(r, 29)];
            }
            (xs, ds)
        })
        .collect();
    let fresh = Trainer::<2, H, 1, L>::new(model, 0.1).expect("valid learning rate");
    let mut trainer = fresh.clone();
    let (mut best_train, mut best_infer) = (f64::INFINITY, f64::INFINITY);
    let mut ys = [[0.0f32; 1]; L];
    for _ in 0..3 {
        let start = Instant::now();
        for k in 0..n {
            if k % 1000 == 0 {
                trainer = fresh.clone();
            }
            let (xs, ds) = &samples[(k % 256) as usize];
            // A diverged step (none is expected) changes nothing, as in the C program's
            // absence of checks: the time is what is measured.
            black_box(trainer.step(black_box(xs), black_box(ds)).ok());
        }
        let trained = start.elapsed();
        let start = Instant::now();
        let mut sum = 0.0f32;
        for k in 0..n {
            let (xs, _) = &samples[(k % 256) as usize];
            trainer.model.forward_into(black_box(xs), &mut ys);
            sum += ys.iter().map(|[y]| y).sum::<f32>();
        }
        black_box(sum);
        let inferred = start.elapsed();
        best_train = best_train.min(trained.as_secs_f64());
        best_infer = best_infer.min(inferred.as_secs_f64());
    }
    (best_train / n as f64 * 1e9, best_infer / n as f64 * 1e9)
}

/// The C program for one shape: the same two figures, read from its output line.
fn time_c(dir: &Path, h: usize, l: usize, n: u64) -> (f64, f64) {
    let exe = dir.join(format!("rnn-{h}-{l}"));
    let out = Command::new(&exe)
        .args(["shape", &n.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    assert!(out.status.success(), "{} failed", exe.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["shape", hh, ll, "train", t, "infer", i, ..]
            if *hh == h.to_string() && *ll == l.to_string() =>
        {
            (t.parse().expect("a number"), i.parse().expect("a number"))
        }
        _ => panic!("unexpected output from {}: {text}", exe.display()),
    }
}

macro_rules! shapes {
    ($f:ident; $(($h:literal, $l:literal)),*) => {
        [$(($h, $l, $f::<$h, $l> as fn(u64) -> (f64, f64))),*]
    };
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (mut c_dir, mut csv, mut png) = (None::<PathBuf>, None::<PathBuf>, None::<PathBuf>);
    let mut redraw = None::<PathBuf>;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().map(PathBuf::from);
        match a.as_str() {
            "--c-dir" => c_dir = value,
            "--csv" => csv = value,
            "--png" => png = value,
            "--redraw" => redraw = value,
            _ => {
                eprintln!(
                    "usage: shapes [--c-dir DIR --csv FILE --png FILE] [--redraw CSV --png FILE]"
                );
                std::process::exit(2);
            }
        }
    }
    let all = shapes!(time_rust;
        (4, 8), (4, 16), (4, 32), (4, 64), (8, 8), (8, 16), (8, 32), (8, 64),
        (16, 8), (16, 16), (16, 32), (16, 64), (32, 8), (32, 16), (32, 32), (32, 64),
        (64, 8), (64, 16), (64, 32), (64, 64));
    if let (Some(from), Some(png)) = (&redraw, &png) {
        // The picture again from a CSV this benchmark wrote, without timing anything.
        let text = std::fs::read_to_string(from).expect("a readable CSV");
        let rows: Vec<Row> = text
            .lines()
            .skip(1)
            .map(|line| {
                let v: Vec<f64> = line
                    .split(',')
                    .map(|x| x.parse().expect("a number"))
                    .collect();
                Row {
                    h: v[0] as usize,
                    l: v[1] as usize,
                    rust_train: v[3],
                    c_train: v[4],
                    rust_infer: v[5],
                    c_infer: v[6],
                }
            })
            .collect();
        draw(png, &rows).expect("a picture");
        return;
    }
    let Some(c_dir) = c_dir else {
        // `cargo bench` without arguments: a short run of every shape.
        for (_, _, f) in all {
            black_box(f(2));
        }
        return;
    };
    evaluation();
    let mut rows = Vec::new();
    println!(
        "| H | L | L·H² | tinyrnn training (µs) | C training (µs) | tinyrnn ÷ C | tinyrnn inference (µs) | C inference (µs) | tinyrnn ÷ C |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (h, l, f) in all {
        let n = iterations(h, l);
        let (rust_train, rust_infer) = f(n);
        let (c_train, c_infer) = time_c(&c_dir, h, l, n);
        let r = Row {
            h,
            l,
            rust_train,
            rust_infer,
            c_train,
            c_infer,
        };
        println!(
            "| {h} | {l} | {} | {} | {} | {:.2} | {} | {} | {:.2} |",
            l * h * h,
            us(r.rust_train),
            us(r.c_train),
            r.rust_train / r.c_train,
            us(r.rust_infer),
            us(r.c_infer),
            r.rust_infer / r.c_infer
        );
        rows.push(r);
    }
    // The goal (issue 38): tinyrnn's training iteration at most 0.6 of C's time at every shape.
    let ratio = |f: fn(&Row) -> f64| {
        rows.iter()
            .map(f)
            .fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)))
    };
    let (t_lo, t_hi) = ratio(|r| r.rust_train / r.c_train);
    let (i_lo, i_hi) = ratio(|r| r.rust_infer / r.c_infer);
    let met = rows
        .iter()
        .filter(|r| r.rust_train <= 0.6 * r.c_train)
        .count();
    println!();
    println!(
        "summary: tinyrnn's training iteration takes {t_lo:.2} to {t_hi:.2} of C's time, its \
         inference pass {i_lo:.2} to {i_hi:.2}; the goal (at most 0.6 for training) is met at \
         {met} of {} shapes{}.",
        rows.len(),
        if met == rows.len() {
            ""
        } else {
            " (not met at the others)"
        }
    );
    if let Some(csv) = csv {
        let mut text = String::from("h,l,lh2,rust_train_ns,c_train_ns,rust_infer_ns,c_infer_ns\n");
        for r in &rows {
            text += &format!(
                "{},{},{},{:.1},{:.1},{:.1},{:.1}\n",
                r.h,
                r.l,
                r.l * r.h * r.h,
                r.rust_train,
                r.c_train,
                r.rust_infer,
                r.c_infer
            );
        }
        std::fs::write(&csv, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", csv.display()));
    }
    if let Some(png) = png {
        draw(&png, &rows).unwrap_or_else(|e| panic!("cannot draw {}: {e}", png.display()));
    }
}

/// The evaluation of all 16,384 pairs of the course's 2-16-1 model (trained 5,000 iterations,
/// as `benches/train.rs`'s "halfway"), by the prefix walk (`task::evaluate`) and by one forward
/// pass a pair (`task::evaluate_plain`): the lowest of 30 timings of each, after checking that
/// both give the same counts.
fn evaluation() {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid)
        .expect("valid init");
    let mut trainer = Trainer::<2, 16, 1, 8>::new(model, 0.1).expect("valid learning rate");
    let mut train_rng = XorShiftRng::seed_from_u64(2);
    for _ in 0..5000 {
        task::train_step::<16, 8, _>(&mut trainer, &mut train_rng).expect("trains");
    }
    let model = &trainer.model;
    let walk = task::evaluate::<16, 8>(model);
    assert_eq!(
        walk,
        task::evaluate_plain::<16, 8>(model),
        "the same counts"
    );
    let best = |f: fn(&Rnn<2, 16, 1>) -> task::Accuracy| {
        (0..30)
            .map(|_| {
                let start = Instant::now();
                black_box(f(black_box(model)));
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let (w, p) = (
        best(task::evaluate::<16, 8>),
        best(task::evaluate_plain::<16, 8>),
    );
    println!("| evaluation of all 16,384 pairs, 2-16-1 | time (ms) |");
    println!("| --- | ---: |");
    println!(
        "| one forward pass a pair (`task::evaluate_plain`) | {:.2} |",
        p * 1e3
    );
    println!("| the prefix walk (`task::evaluate`) | {:.2} |", w * 1e3);
    println!("| plain ÷ walk | {:.2}× |", p / w);
    println!(
        "(both: {} of {} pairs exact, {} of {} bits right)",
        walk.exact, walk.pairs, walk.bits, walk.total_bits
    );
    println!();
}

/// Nanoseconds as microseconds, to three significant figures.
fn us(ns: f64) -> String {
    let us = ns / 1e3;
    if us < 10.0 {
        format!("{us:.2}")
    } else if us < 100.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.0}")
    }
}

/// Time per iteration against `L·H²`, both axes logarithmic, training on the left and inference
/// on the right: tinyrnn and C, one line a hidden size through its four lengths, and a dashed
/// line of slope 1 (time proportional to `L·H²`) through tinyrnn's largest shape.
fn draw(path: &Path, rows: &[Row]) -> Result<(), Box<dyn std::error::Error>> {
    plot::register_font();
    let root = BitMapBackend::new(path, (1200, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);
    let panels: [(_, &str, Line, Line); 2] = [
        (
            left,
            "Training iteration",
            ("tinyrnn", |r| r.rust_train, 0, true),
            ("C (gcc -O3)", |r| r.c_train, 1, false),
        ),
        (
            right,
            "Inference pass",
            ("tinyrnn", |r| r.rust_infer, 0, true),
            ("C (gcc -O3)", |r| r.c_infer, 1, false),
        ),
    ];
    let x_of = |r: &Row| (r.l * r.h * r.h) as f64;
    let span = |v: &mut dyn Iterator<Item = f64>| {
        v.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)))
    };
    let (x_min, x_max) = span(&mut rows.iter().map(x_of));
    let (y_min, y_max) = span(
        &mut rows
            .iter()
            .flat_map(|r| [r.rust_train, r.c_train, r.rust_infer, r.c_infer])
            .map(|ns| ns / 1e3),
    );
    let mut hs: Vec<usize> = rows.iter().map(|r| r.h).collect();
    hs.dedup();
    for (area, title, ours, theirs) in panels {
        let mut chart = ChartBuilder::on(&area)
            .caption(format!("{title}, 2-H-1 over L steps"), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (x_min * 0.7..x_max * 1.4).log_scale(),
                (y_min * 0.7..y_max * 1.4).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("L·H²")
            .y_desc("µs per iteration")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| {
                if *v < 1.0 {
                    format!("{v:.1}")
                } else {
                    format!("{v:.0}")
                }
            })
            .label_style(("sans-serif", 14))
            .draw()?;
        for (label, f, c, circles) in [ours, theirs] {
            let color = plot::COLORS[c];
            for (k, &h) in hs.iter().enumerate() {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.h == h)
                    .map(|r| (x_of(r), f(r) / 1e3))
                    .collect();
                let line =
                    chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
                if k == 0 {
                    line.label(format!("{label}, one line a hidden size H (L = 8 to 64)"))
                        .legend(move |(x, y)| {
                            PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
                        });
                }
                if circles {
                    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
                } else {
                    chart.draw_series(
                        points
                            .iter()
                            .map(|&p| TriangleMarker::new(p, 5, color.filled())),
                    )?;
                }
                // The hidden size beside its first point.
                if let Some(&(x, y)) = points.first() {
                    chart.draw_series(std::iter::once(Text::new(
                        format!("H={h}"),
                        (x * 0.93, y),
                        ("sans-serif", 12).into_font().color(&color).pos(
                            plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Right,
                                plotters::style::text_anchor::VPos::Center,
                            ),
                        ),
                    )))?;
                }
            }
        }
        // Slope 1 through tinyrnn's largest shape: time proportional to L·H².
        if let Some(top) = rows.iter().max_by(|a, b| x_of(a).total_cmp(&x_of(b))) {
            let k = (ours.1)(top) / 1e3 / x_of(top);
            let grey = plot::COLORS[7];
            chart
                .draw_series(DashedLineSeries::new(
                    [(x_min, k * x_min), (x_max, k * x_max)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))?
                .label("proportional to L·H²")
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], grey.stroke_width(1))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()?;
    }
    root.present()?;
    Ok(())
}
