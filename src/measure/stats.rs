//! The statistics of the report, all deterministic: the same stream gives the same bytes.
//!
//! - Differences of means: **Welch's t interval** (unequal variances, Welch–Satterthwaite
//!   degrees of freedom), two-sided, 95 %. Student's t distribution is computed exactly through
//!   the regularized incomplete beta function (continued fraction), not a normal approximation.
//! - Relative uplift (`treatment / control − 1`): the delta method on the ratio of means.
//! - Rates of descriptive counts (click-through, share of journeys): Wilson score intervals.
//! - Sample-ratio mismatch: Pearson's chi-square with one degree of freedom.
//! - The daily cumulative curve: batch means over hash batches of customers (see `report`).
//!
//! `libm` for exp / ln / lgamma / erfc, so a number never depends on the platform's math
//! library; [`SplitMix64`] is the only random number generator (the synthetic streams).

/// Two-sided confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;
/// The standard normal quantile at 0.975.
pub const Z95: f64 = 1.959_963_984_540_054;
/// A sample-ratio mismatch is flagged below this p-value (the usual threshold for SRM checks,
/// much stricter than 0.05: the check runs on every offer of every report).
pub const SRM_P: f64 = 0.001;

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state, one add and three xor-shift-multiplies
/// per number. Small, fast, and the same sequence everywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`0` when `n` is 0); the modulo bias is below 2^-40 for the small `n`
    /// used here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Count, mean and sum of squared deviations (Welford): stable for revenue sums that a plain
/// sum of squares would cancel.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl Moments {
    pub fn push(&mut self, x: f64) {
        self.n = self.n.saturating_add(1);
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn from_slice(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        for &x in xs {
            m.push(x);
        }
        m
    }

    /// Sample variance (n − 1); 0 below two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    pub fn sd(&self) -> f64 {
        libm::sqrt(self.variance())
    }
}

/// A difference of means `b − a` with its Welch interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    pub diff: f64,
    pub se: f64,
    pub df: f64,
    pub low: f64,
    pub high: f64,
    /// Two-sided p-value of "no difference".
    pub p: f64,
    /// The t quantile of the interval (the normal one when there is no variation).
    pub q: f64,
}

/// Welch's interval for `b.mean − a.mean`. `None` below two values in an arm. With no
/// variation in either arm the interval is the point itself and `p` is 1 when the means are
/// equal, 0 otherwise.
pub fn welch(a: &Moments, b: &Moments) -> Option<Welch> {
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let (va, vb) = (a.variance() / a.n as f64, b.variance() / b.n as f64);
    let diff = b.mean - a.mean;
    let se = libm::sqrt(va + vb);
    if se == 0.0 {
        let p = if diff == 0.0 { 1.0 } else { 0.0 };
        return Some(Welch {
            diff,
            se,
            df: f64::INFINITY,
            low: diff,
            high: diff,
            p,
            q: Z95,
        });
    }
    let df = (va + vb) * (va + vb) / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    let q = t_quantile(0.5 + CONFIDENCE / 2.0, df);
    let t = diff / se;
    Some(Welch {
        diff,
        se,
        df,
        low: diff - q * se,
        high: diff + q * se,
        p: (2.0 * t_sf(t.abs(), df)).min(1.0),
        q,
    })
}

/// Relative uplift `b.mean / a.mean − 1` with a delta-method interval (t quantile at Welch's
/// degrees of freedom). `None` when the control mean is 0.
pub fn relative(a: &Moments, b: &Moments, w: &Welch) -> Option<(f64, f64, f64)> {
    if a.mean == 0.0 || a.n < 2 || b.n < 2 {
        return None;
    }
    let r = b.mean / a.mean;
    let rel_var = a.variance() / (a.n as f64 * a.mean * a.mean)
        + if b.mean == 0.0 {
            0.0
        } else {
            b.variance() / (b.n as f64 * b.mean * b.mean)
        };
    let se = r.abs() * libm::sqrt(rel_var);
    let q = w.q;
    Some((r - 1.0, r - 1.0 - q * se, r - 1.0 + q * se))
}

/// Wilson score interval of `k` successes in `n` (95 %): `(rate, low, high)`.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k.min(n) as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
    Some((p, (centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Pearson chi-square of observed counts `(a, b)` against expected shares `(share, 1 − share)`;
/// returns `(statistic, p)` with one degree of freedom. `None` without customers or with a
/// share of 0 or 1 (nothing to compare).
pub fn srm_chi2(a: u64, b: u64, share: f64) -> Option<(f64, f64)> {
    let n = a.saturating_add(b) as f64;
    if n == 0.0 || share <= 0.0 || share >= 1.0 {
        return None;
    }
    let (ea, eb) = (n * share, n * (1.0 - share));
    let x2 = (a as f64 - ea).powi(2) / ea + (b as f64 - eb).powi(2) / eb;
    Some((x2, chi2_sf_1(x2)))
}

/// Upper tail of chi-square with one degree of freedom: P(X > x) = erfc(√(x/2)).
pub fn chi2_sf_1(x: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        libm::erfc(libm::sqrt(x / 2.0))
    }
}

/// P(T > t) for Student's t with `df` degrees of freedom (any real df > 0; ∞ = normal).
pub fn t_sf(t: f64, df: f64) -> f64 {
    if !df.is_finite() {
        return 0.5 * libm::erfc(t / std::f64::consts::SQRT_2);
    }
    let x = df / (df + t * t);
    let tail = 0.5 * beta_reg(df / 2.0, 0.5, x);
    if t >= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// The `p` quantile of Student's t (`p` in (0.5, 1)): Newton's method on [`t_sf`] from the
/// Cornish–Fisher expansion around the normal quantile (three or four steps to the last bits),
/// with bisection as the fallback should a step leave the bracket.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let z = if (p - (0.5 + CONFIDENCE / 2.0)).abs() < 1e-15 {
        Z95
    } else {
        normal_quantile(p)
    };
    if !df.is_finite() || df > 1e7 {
        return z;
    }
    let target = 1.0 - p;
    let (z3, z5) = (z * z * z, z * z * z * z * z);
    let mut t = z + (z3 + z) / (4.0 * df) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df);
    let ln_norm = libm::lgamma((df + 1.0) / 2.0)
        - libm::lgamma(df / 2.0)
        - 0.5 * libm::log(df * std::f64::consts::PI);
    for _ in 0..50 {
        let pdf = libm::exp(ln_norm - (df + 1.0) / 2.0 * libm::log1p(t * t / df));
        let next = t + (t_sf(t, df) - target) / pdf;
        if !(next.is_finite() && next > 0.0) {
            return t_quantile_bisect(target, df);
        }
        let done = (next - t).abs() <= 1e-14 * next;
        t = next;
        if done {
            return t;
        }
    }
    t_quantile_bisect(target, df)
}

fn t_quantile_bisect(target: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1e6_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_sf(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= f64::EPSILON * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// The standard normal quantile, by bisection on erfc (used only where df is infinite).
pub fn normal_quantile(p: f64) -> f64 {
    let target = 1.0 - p;
    let (mut lo, mut hi) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if 0.5 * libm::erfc(mid / std::f64::consts::SQRT_2) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularized incomplete beta function I_x(a, b), by Lentz's continued fraction
/// (Numerical Recipes §6.4), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges
/// faster.
pub fn beta_reg(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log1p(-x);
    let front = libm::exp(ln_front);
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The incomplete beta's continued fraction by the modified Lentz method: each term updates
/// `c` and `d` the same way ([`lentz`]), the even and odd terms differing only in `aa`.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / not_tiny(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// One Lentz step for the term `aa`: the factor it multiplies the fraction by.
fn lentz(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 / not_tiny(1.0 + aa * *d);
    *c = not_tiny(1.0 + aa / *c);
    *d * *c
}

/// Lentz's guard against a zero denominator.
fn not_tiny(v: f64) -> f64 {
    const TINY: f64 = 1e-300;
    if v.abs() < TINY {
        TINY
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95 % critical values of Student's t (any statistics table).
        for (df, q) in [
            (1.0, 12.706_205),
            (4.0, 2.776_445),
            (10.0, 2.228_139),
            (30.0, 2.042_272),
            (1000.0, 1.962_339),
        ] {
            let got = t_quantile(0.975, df);
            assert!((got - q).abs() < 2e-6, "df {df}: {got} vs {q}");
        }
        assert!((normal_quantile(0.975) - Z95).abs() < 1e-12);
    }

    #[test]
    fn chi2_and_wilson_known_values() {
        // chi-square(1) critical value at 0.05 is 3.841459.
        assert!((chi2_sf_1(3.841_459) - 0.05).abs() < 1e-6);
        // Wilson interval of 0 in 10 is [0, 0.2775].
        let (p, lo, hi) = wilson(0, 10).unwrap();
        assert_eq!((p, lo), (0.0, 0.0));
        assert!((hi - 0.277_53).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn splitmix_reference_sequence() {
        // First outputs of SplitMix64 seeded with 0 (the reference implementation's).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }
}
