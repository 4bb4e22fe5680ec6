//! What the sweeps share: the seed of each run, and the runs spread over threads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// SplitMix64: spreads consecutive integers into unrelated 64-bit seeds (run `i` of a sweep
/// trains from `splitmix64(base_seed + i)`).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs `run` on every job on `threads` worker threads, with a progress bar on standard error:
/// the results in the order of `jobs`, whatever the order in which they finish (so a sweep's
/// results do not depend on the number of threads), and the time it took.
pub fn run_all<J: Sync, R: Send>(
    jobs: &[J],
    threads: usize,
    run: impl Fn(&J) -> R + Sync,
) -> (Vec<R>, Duration) {
    let bar = ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {pos}/{len} runs, ETA {eta_precise}",
        )
        .expect("valid template"),
    );
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(k) else { break };
                    let r = run(job);
                    *slots[k].lock().expect("no worker panics") = Some(r);
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .expect("no worker panics")
                .expect("every job ran")
        })
        .collect();
    (results, bar.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_is_the_reference_generator() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c): its state
        // advances by the golden-ratio constant, which `splitmix64(k · constant)` reproduces.
        let golden = 0x9e37_79b9_7f4a_7c15u64;
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(golden), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn results_in_the_order_of_the_jobs_whatever_the_threads() {
        let jobs: Vec<u64> = (0..100).collect();
        let slow_first = |&j: &u64| {
            // Early jobs take longer, so that with several threads they finish last.
            std::thread::sleep(Duration::from_micros(100 * (100 - j)));
            splitmix64(j)
        };
        let (one, _) = run_all(&jobs, 1, slow_first);
        let (four, _) = run_all(&jobs, 4, slow_first);
        assert_eq!(one, four);
        assert_eq!(one, jobs.iter().map(|&j| splitmix64(j)).collect::<Vec<_>>());
        let (none, _) = run_all(&[] as &[u64], 3, |&j| j);
        assert!(none.is_empty());
    }
}
