//! Statistics of runs: the loss means a chart plots, medians, Wilson intervals.

/// The mean loss of each block of `every` iterations, for a loss chart, as a run goes: block
/// `j` holds the iterations `j·every .. (j + 1)·every` (counted from 0), and its point is
/// `((j + 1)·every, mean)`. A run resumed, or ended, in the middle of a block trained only part
/// of it: that block's point is the mean of that part, at the count where it ends. Memory: a
/// point a block, not a loss an iteration.
pub struct BlockMeans {
    every: u32,
    sum: f64,
    n: u32,
    /// The iteration count after the last loss added.
    end: u32,
    points: Vec<(f64, f64)>,
}

impl BlockMeans {
    pub fn new(every: u32) -> Self {
        Self {
            every,
            sum: 0.0,
            n: 0,
            end: 0,
            points: Vec::new(),
        }
    }

    /// Adds the loss of iteration `i` (counted from 0; the iterations of a run in order).
    pub fn add(&mut self, i: u32, loss: f32) {
        self.sum += f64::from(loss);
        self.n += 1;
        self.end = i + 1;
        if self.end.is_multiple_of(self.every) {
            self.close();
        }
    }

    fn close(&mut self) {
        if self.n > 0 {
            let mean = self.sum / f64::from(self.n);
            self.points.push((f64::from(self.end), mean));
            (self.sum, self.n) = (0.0, 0);
        }
    }

    /// The points, the last part-block's included.
    pub fn finish(mut self) -> Vec<(f64, f64)> {
        self.close();
        self.points
    }
}

/// The median of `v` (sorted in place); `None` counts as larger than every number.
pub fn median_opt(v: &mut [Option<u32>]) -> Option<f64> {
    v.sort_by_key(|x| x.unwrap_or(u32::MAX));
    let n = v.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        v[n / 2].map(f64::from)
    } else {
        match (v[n / 2 - 1], v[n / 2]) {
            (Some(a), Some(b)) => Some((f64::from(a) + f64::from(b)) / 2.0),
            _ => None,
        }
    }
}

/// The Wilson score interval at 95% for `k` successes out of `n` trials, as fractions: the range
/// of convergence rates that `k` of `n` runs is consistent with. Unlike `k/n ± 1.96·se`, it
/// stays inside [0, 1] and is not empty at 0 or `n` (0 of 20 runs still allows a rate of 16%).
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054; // the normal distribution's 97.5% quantile
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2n = Z * Z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = Z / (1.0 + z2n) * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The median of `v` (sorted in place).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_means_average_what_each_block_trained() {
        let means = |start: u32, losses: &[f32], every: u32| {
            let mut m = BlockMeans::new(every);
            for (i, &loss) in (start..).zip(losses) {
                m.add(i, loss);
            }
            m.finish()
        };
        // A whole run: the blocks 0..100 and 100..200.
        let losses: Vec<f32> = (0..200).map(|i| if i < 100 { 2.0 } else { 1.0 }).collect();
        assert_eq!(means(0, &losses, 100), [(100.0, 2.0), (200.0, 1.0)]);
        // Resumed at 4050 and ended at 4230: the first block trained from 4050, the last to
        // 4230. Each mean is over the iterations trained (once a half block counted as whole).
        assert_eq!(
            means(4050, &[1.0; 180], 100),
            [(4100.0, 1.0), (4200.0, 1.0), (4230.0, 1.0)]
        );
        let losses: Vec<f32> = (0..60).map(|i| if i < 10 { 3.0 } else { 1.0 }).collect();
        assert_eq!(means(90, &losses, 100), [(100.0, 3.0), (150.0, 1.0)]);
        // Fewer iterations than a block; other block lengths; none.
        assert_eq!(means(7, &[0.5], 100), [(8.0, 0.5)]);
        assert_eq!(means(0, &[1.0, 3.0, 5.0], 2), [(2.0, 2.0), (3.0, 5.0)]);
        assert!(means(0, &[], 100).is_empty());
    }

    /// Against statsmodels' `proportion_confint(k, n, method="wilson")` (0.14.x), to 1e-12.
    #[test]
    fn wilson_matches_statsmodels() {
        let cases = [
            (19, 20, 0.763_868_806_553_257_7, 0.991_118_551_199_204_4),
            (0, 20, 0.0, 0.161_125_158_052_819_4),
            (20, 20, 0.838_874_841_947_180_4, 1.0),
            (13, 20, 0.432_854_276_685_236_24, 0.818_808_175_898_918),
            (1, 2, 0.094_531_205_734_230_68, 0.905_468_794_265_769_3),
        ];
        for (k, n, lo, hi) in cases {
            let (l, h) = wilson(k, n);
            assert!(
                (l - lo).abs() < 1e-12 && (h - hi).abs() < 1e-12,
                "{k}/{n}: {l}, {h}"
            );
        }
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        // Runs that never get there count as later than every other.
        assert_eq!(median_opt(&mut [None, Some(500), Some(1000)]), Some(1000.0));
        assert_eq!(median_opt(&mut [None, Some(500), None, Some(1000)]), None);
        assert_eq!(
            median_opt(&mut [Some(1500), Some(500), None, Some(1000)]),
            Some(1250.0)
        );
        assert_eq!(median_opt(&mut []), None);
    }
}
