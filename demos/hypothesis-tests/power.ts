// The t-test's numbers that the hypothesis-test demo computes besides stats.ttest*: critical values (a
// bisection of the library's float64 Student t tail), t statistics of many simulated experiments at once
// (from each experiment's mean difference and standard error, or from running sums for every sample size),
// and the analytic power of the two-sided test (the noncentral t) by quadrature on the device.
import { type Context, dist, special, type Tensor } from '../../src/index';

/** The two-sided critical value c with P(|T_df| >= c) = alpha, by bisection of special.scalar.studentTSf. */
export function criticalT(alpha: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (2 * special.scalar.studentTSf(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (2 * special.scalar.studentTSf(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A design: one sample (or paired differences) against 0, or two groups of n with a pooled variance. */
export type Design = 'one' | 'two';

/** Degrees of freedom and noncentrality delta = d * sqrt(n) (one) or d * sqrt(n / 2) (two) of a design. */
export function designOf(design: Design, n: number): { df: number; root: number } {
  return design === 'one' ? { df: n - 1, root: Math.sqrt(n) } : { df: 2 * n - 2, root: Math.sqrt(n / 2) };
}

/**
 * Each simulated experiment's mean difference and standard error, from unit-normal draws z: (E, n) for one
 * sample, (E, 2, n) for two groups (pooled variance). Under an effect d the statistic is (diff + d) / se:
 * shifting every draw of the first group by d moves the mean difference by d and leaves the spread alone.
 */
export function experimentStats(design: Design, z: Tensor): { diff: Tensor; se: Tensor } {
  const n = z.shape[z.shape.length - 1];
  const mean = z.mean(-1); // (E) or (E, 2)
  const variance = z.var(-1, false, { ddof: 1 });
  if (design === 'one') return { diff: mean, se: variance.div(n).sqrt() };
  const [m1, m2] = mean.split(2, 1);
  return {
    diff: m1.sub(m2).reshape([z.shape[0]]),
    se: variance
      .mean(1)
      .mul(2 / n)
      .sqrt(),
  };
}

/**
 * The statistic of every experiment at every sample size k = 2..K from one sample z: (E, K) or (E, 2, K)
 * draws, running sums along the last axis give each prefix's mean and variance. Returns (E, K - 1) t
 * statistics under effect d (column j holds k = j + 2).
 */
export function prefixT(design: Design, z: Tensor, d: number): Tensor {
  const K = z.shape[z.shape.length - 1];
  const k = z.ctx.arange(1, K + 1); // (K)
  const s1 = z.cumsum(-1);
  const s2 = z.square().cumsum(-1);
  const mean = s1.div(k);
  // (sum of squares - k mean^2) / (k - 1); k = 1 has no variance and is dropped below.
  const variance = s2.sub(mean.square().mul(k)).div(k.sub(1).maximum(1));
  let diff: Tensor;
  let se: Tensor;
  if (design === 'one') {
    diff = mean;
    se = variance.div(k).sqrt();
  } else {
    const [m1, m2] = mean.split(2, 1);
    diff = m1.sub(m2).squeeze(1);
    se = variance.mean(1).mul(k.reciprocal().mul(2)).sqrt();
  }
  const t = diff.add(d).div(se); // (E, K)
  return t.slice([0, 1], [t.shape[0], K]);
}

/**
 * Power of the two-sided t-test, P(|T'| > c) for the noncentral t T' = (Z + delta) / sqrt(V / df), V a
 * chi-square with df degrees of freedom, for each row (delta, df, c): the mean over S = sqrt(V) (a chi
 * variable) of Phi(delta - c S / sqrt(df)) + Phi(-delta - c S / sqrt(df)), by the midpoint rule on
 * [0, sqrt(df) + 10] with `points` nodes. S's density 2 s f_chi2(s^2) is finite at 0 for every df >= 1, and
 * its standard deviation is below 0.71, so the interval holds all but a negligible tail. On the device:
 * dist.ChiSquare's density and dist.Normal's cdf. Returns a (rows) tensor.
 */
export function analyticPower(
  gb: Context,
  rows: { delta: number; df: number; c: number }[],
  points = 400,
): Tensor {
  const R = rows.length;
  const s = new Float32Array(R * points);
  const width = new Float32Array(R);
  rows.forEach((r, i) => {
    const top = Math.sqrt(r.df) + 10;
    width[i] = top / points;
    for (let q = 0; q < points; q++) s[i * points + q] = (q + 0.5) * width[i];
  });
  const S = gb.tensor(s, [R, points]);
  const col = (f: (r: { delta: number; df: number; c: number }) => number) => gb.tensor(rows.map(f), [R, 1]);
  const df = col((r) => r.df);
  const chiSquare = new dist.ChiSquare(gb, { df });
  const density = chiSquare.prob(S.square()).mul(S).mul(2); // chi density of S
  chiSquare.dispose(); // it keeps df / 2 out of tidy scopes
  const u = S.mul(col((r) => r.c / Math.sqrt(r.df)));
  const delta = col((r) => r.delta);
  const phi = new dist.Normal(gb, { mean: 0, std: 1 });
  const reject = phi.cdf(delta.sub(u)).add(phi.cdf(delta.neg().sub(u)));
  return density.mul(reject).sum(1).mul(gb.tensor(width));
}
