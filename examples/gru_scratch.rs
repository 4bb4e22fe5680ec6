use tinyrnn::gru::{Gru, GruGradients, GruTrace};
use tinyrnn::rand_core::SeedableRng;
use tinyrnn::task::Sample;
use tinyrnn::train::{SquaredError, Targets};
use tinyrnn::{Init, XorShiftRng};
fn main() {
    let lr: f32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(0.5);
    for seed in 1..=5u64 {
        let mut rng = XorShiftRng::seed_from_u64(seed);
        let mut m = Gru::<2, 16, 1>::from_rng(&mut rng, Init::Xavier)
            .unwrap()
            .with_biases(true);
        let mut tr = GruTrace::<16, 1, 8>::zeros();
        let mut g = GruGradients::zeros();
        let mut learnt = None;
        for it in 0..10_000 {
            let s = Sample::<8>::random(&mut rng);
            m.forward_trace_loss::<SquaredError, 8>(None, &s.xs, Targets::every(&s.ds), &mut tr)
                .unwrap();
            m.backward_loss_into::<SquaredError, 8>(
                None,
                &s.xs,
                Targets::every(&s.ds),
                &tr,
                &mut g,
            );
            m.sgd(&g, lr).unwrap();
            if it % 100 == 99 && learnt.is_none() {
                // accuracy over 200 random pairs
                let mut ok = 0;
                let mut r2 = XorShiftRng::seed_from_u64(999);
                for _ in 0..200 {
                    let s = Sample::<8>::random(&mut r2);
                    let mut ys = [[0.0; 1]; 8];
                    m.forward_into(&s.xs, &mut ys);
                    if ys
                        .iter()
                        .zip(&s.ds)
                        .all(|(y, d)| (y[0] > 0.5) == (d[0] > 0.5))
                    {
                        ok += 1;
                    }
                }
                if ok == 200 {
                    learnt = Some(it + 1);
                }
            }
        }
        println!("seed {seed}: learnt at {learnt:?}");
    }
}
