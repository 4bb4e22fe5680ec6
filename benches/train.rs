//! Criterion benchmarks of the seed's setup (2-16-1, sigmoid, 8 steps):
//! one training iteration (forward + BPTT + SGD), from two fixed starting points, one
//! inference pass, and the 136 sigmoids of an iteration computed three ways.
//!
//! Run: `cargo bench --bench train`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::{Activation, Init, Rnn, Trainer, XorShiftRng};

fn bench(c: &mut Criterion) {
    let mut rng = XorShiftRng::seed_from_u64(1);
    let model = Rnn::<2, 16, 1>::from_rng(&mut rng, Init::default(), Activation::Sigmoid).unwrap();
    let samples: Vec<Sample<8>> = (0..256).map(|_| Sample::random(&mut rng)).collect();

    // The trainer goes back to a fixed starting point every 1,000 steps (a 3 KiB copy, 0.1% of
    // the work), so the figure does not drift as the model would otherwise keep training through
    // millions of iterations (libm's expf takes different paths for different inputs), while
    // the trainer stays hot in the cache as in a real training loop. Two starting points: the
    // course's initial weights, and the weights after 5,000 of its 10,000 iterations.
    let fresh = Trainer::<2, 16, 1, 8>::new(model.clone(), 0.1).unwrap();
    let mut halfway = fresh.clone();
    let mut train_rng = XorShiftRng::seed_from_u64(2);
    for _ in 0..5000 {
        tinyrnn::task::train_step::<16, 8, _>(&mut halfway, &mut train_rng).unwrap();
    }
    for (name, start) in [
        ("train_iteration_2_16_1_L8_from_init", &fresh),
        ("train_iteration_2_16_1_L8_halfway", &halfway),
    ] {
        let mut trainer = start.clone();
        let mut k = 0usize;
        c.bench_function(name, |b| {
            b.iter(|| {
                if k.is_multiple_of(1000) {
                    trainer.clone_from(start);
                }
                let s = &samples[k % samples.len()];
                k += 1;
                black_box(trainer.step(black_box(&s.xs), black_box(&s.ds)).unwrap())
            })
        });
    }

    let mut k = 0;
    let mut ys = [[0.0f32; 1]; 8];
    c.bench_function("inference_2_16_1_L8_halfway", |b| {
        b.iter(|| {
            let s = &samples[k % samples.len()];
            k += 1;
            halfway.model.forward_into(black_box(&s.xs), &mut ys);
            black_box(ys)
        })
    });
}

/// `f` called on each of `xs`, one call at a time, the results summed (so none is optimised
/// away).
fn bench_each(c: &mut Criterion, name: &str, xs: &[f32], f: impl Fn(f32) -> f32) {
    c.bench_function(name, |b| {
        b.iter(|| {
            let mut s = 0.0;
            for &x in black_box(xs) {
                s += f(x);
            }
            black_box(s)
        })
    });
}

/// The sigmoids of one iteration: 16 hidden and 1 output per step, 8 steps, 136 in all; one
/// call of `libm::expf` each (as the crate did on a microcontroller), one of the crate's copy of
/// it with `scalbnf` done in place (`sigmoid`, as on a microcontroller now), and a hidden layer
/// at a time (`sigmoid_in_place`, as the crate does where there is SIMD).
fn bench_sigmoid(c: &mut Criterion) {
    let xs: Vec<f32> = (0..136).map(|i| (i as f32) * 0.05 - 3.0).collect();
    bench_each(c, "sigmoid_libm_x136", &xs, |x| {
        1.0 / (1.0 + libm::expf(-x))
    });
    bench_each(c, "sigmoid_x136", &xs, tinyrnn::activation::sigmoid);
    c.bench_function("sigmoid_in_place_x136", |b| {
        let mut v = [0.0f32; 136];
        b.iter(|| {
            v.copy_from_slice(black_box(&xs));
            for step in v.chunks_exact_mut(17) {
                let (hidden, output) = step.split_at_mut(16);
                tinyrnn::activation::sigmoid_in_place(hidden);
                tinyrnn::activation::sigmoid_in_place(output);
            }
            black_box(&v);
        })
    });
}

/// The same for a tanh hidden layer: 16 per step, 8 steps, 128 in all.
fn bench_tanh(c: &mut Criterion) {
    let xs: Vec<f32> = (0..128).map(|i| (i as f32) * 0.05 - 3.0).collect();
    bench_each(c, "tanh_x128", &xs, |x| Activation::Tanh.apply(x));
    c.bench_function("tanh_in_place_x128", |b| {
        let mut v = [0.0f32; 128];
        b.iter(|| {
            v.copy_from_slice(black_box(&xs));
            v.chunks_exact_mut(16)
                .for_each(|hidden| Activation::Tanh.apply_in_place(hidden));
            black_box(&v);
        })
    });
}

criterion_group!(benches, bench, bench_sigmoid, bench_tanh);
criterion_main!(benches);
