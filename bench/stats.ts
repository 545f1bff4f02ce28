// The sampling and statistics suite's cases: samples per second from the normal, gamma, Poisson and
// categorical samplers (10^6..10^8), a histogram and quartiles of 10^7 values, a bootstrap of 10^4
// resamples. Samplers are checked by the mean and variance of what they drew (within 6 standard errors),
// the rest against float64 results computed here. The libraries' side lives in bench/stats-libs.ts.
import { type Case, inputsFor } from './suites';

/** The suite's ops; each library implements the ones it can (bench/stats-libs.ts). */
export type StatsOp =
  | 'sampleNormal'
  | 'sampleGamma'
  | 'samplePoisson'
  | 'sampleCategorical'
  | 'histogram'
  | 'quantile'
  | 'bootstrap';

/** The distributions the samplers draw from, their parameters, and the moments that check them. */
export const SAMPLERS = {
  sampleNormal: { label: 'normal(0, 1)', mean: 0, variance: 1, fourth: 3 },
  sampleGamma: {
    label: 'gamma(2.5, rate 1)',
    concentration: 2.5,
    mean: 2.5,
    variance: 2.5,
    fourth: 3 * 6.25 + 6 * 2.5,
  },
  samplePoisson: { label: 'Poisson(4)', rate: 4, mean: 4, variance: 4, fourth: 4 + 3 * 16 },
  sampleCategorical: { label: 'categorical of 8', ...categoricalMoments([1, 2, 3, 4, 4, 3, 2, 1]) },
} as const;

/** Probabilities proportional to `weights`, and the mean, variance and fourth central moment of the index. */
function categoricalMoments(weights: number[]) {
  const total = weights.reduce((a, b) => a + b, 0);
  const probs = weights.map((w) => w / total);
  const mean = probs.reduce((s, p, i) => s + p * i, 0);
  const central = (k: number) => probs.reduce((s, p, i) => s + p * (i - mean) ** k, 0);
  return { probs, mean, variance: central(2), fourth: central(4) };
}

/** Histogram bins of the suite: 100 equal bins on [-1, 1], the range of the inputs. */
export const HISTOGRAM = { bins: 100, low: -1, high: 1 };
/** The quantiles the suite asks for. */
export const QUARTILES = [0.25, 0.5, 0.75];
/** The bootstrap's confidence level; its statistic is the mean. */
export const BOOTSTRAP_LEVEL = 0.95;

const size = (n: number) => n.toExponential(0).replace('+', '');

/** Mean and variance of n draws against the distribution's: each within 6 standard errors (and float32 sums). */
function checkMoments(op: keyof typeof SAMPLERS, n: number) {
  const d = SAMPLERS[op];
  return (_: Float32Array[], got: Float32Array): string | null => {
    const [mean, variance] = got;
    const seMean = Math.sqrt(d.variance / n);
    const seVar = Math.sqrt((d.fourth - d.variance ** 2) / n);
    // Float32 sums of n values lose about 1e-7 relative per level of a tree: a small absolute allowance.
    const slack = 1e-5 * (Math.abs(d.mean) + d.variance);
    if (!(Math.abs(mean - d.mean) <= 6 * seMean + slack))
      return `mean ${mean}, expected ${d.mean} +- ${6 * seMean}`;
    if (!(Math.abs(variance - d.variance) <= 6 * seVar + slack))
      return `variance ${variance}, expected ${d.variance} +- ${6 * seVar}`;
    return null;
  };
}

/** NumPy's equal-width edges for float32 data: the float64 linspace rounded to float32. */
function edges(): Float32Array {
  const { bins, low, high } = HISTOGRAM;
  const step = (high - low) / bins;
  return Float32Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : i * step + low));
}

/** Counts by the edge rule (bin b: edges[b] <= v < edges[b+1], the last bin closed), in float64. */
function histogram64(x: Float32Array): number[] {
  const e = edges();
  const bins = e.length - 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of x) {
    if (!(v >= e[0] && v <= e[bins])) continue;
    let b = Math.min(bins - 1, Math.floor(((v - e[0]) / (e[bins] - e[0])) * bins));
    while (b > 0 && v < e[b]) b--;
    while (b < bins - 1 && v >= e[b + 1]) b++;
    counts[b]++;
  }
  return counts;
}

function sorted64(x: Float32Array): Float64Array {
  return Float64Array.from(x).sort();
}

/** Linear-interpolation quantile of sorted values (NumPy's default). */
function quantileSorted(s: ArrayLike<number>, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (h - lo);
}

export function statsCases(quick: boolean): Case[] {
  const list: Case[] = [];
  for (const op of Object.keys(SAMPLERS) as (keyof typeof SAMPLERS)[]) {
    for (const n of quick ? [1e5] : [1e6, 1e7, 1e8]) {
      list.push({
        suite: 'stats',
        name: `${SAMPLERS[op].label}: ${size(n)} samples`,
        op,
        shapes: [[1]],
        makeInputs: () => [Float32Array.of(n)],
        cost: { samples: n },
        check: checkMoments(op, n),
        checkNote: 'ok (mean and variance of the draws within 6 standard errors)',
      });
    }
  }
  // Smaller sizes first: the runner skips a size whose time, estimated from the one before, is over budget.
  for (const n of quick ? [1e4] : [1e5, 1e6, 1e7]) {
    list.push({
      suite: 'stats',
      name: `histogram of ${size(n)} values, ${HISTOGRAM.bins} bins`,
      op: 'histogram',
      shapes: [[n]],
      cost: { samples: n },
      check: ([x], got) => {
        // gradbox's counts are exact (and tested so); a peer that bins by a float32 division moves values
        // within an ulp or two of an edge into the neighbouring bin (tfjs: ~2 in 1e5): up to 1e-4 n is tolerated.
        const want = histogram64(x);
        if (got.length !== want.length) return `${got.length} bins, expected ${want.length}`;
        let moved = 0;
        for (let b = 0; b < want.length; b++) moved += Math.abs(got[b] - want[b]);
        const total = got.reduce((a, v) => a + v, 0);
        if (total !== x.length) return `the counts add up to ${total}, expected ${x.length}`;
        return moved <= 1e-4 * x.length
          ? null
          : `counts differ by ${moved} from the edge rule (first bin ${got[0]} vs ${want[0]})`;
      },
      checkNote: 'ok (counts vs the float64 edge rule; peers may move a few values at edges)',
    });
  }
  for (const n of quick ? [1e4] : [1e5, 1e6, 1e7]) {
    list.push({
      suite: 'stats',
      name: `quartiles of ${size(n)} values`,
      op: 'quantile',
      shapes: [[n]],
      cost: { samples: n },
      check: ([x], got) => {
        const s = sorted64(x);
        const want = QUARTILES.map((q) => quantileSorted(s, q));
        for (let i = 0; i < want.length; i++) {
          // One float32 lerp between neighbours of size <= 1.
          if (!(Math.abs(got[i] - want[i]) <= 1e-6))
            return `quantile ${QUARTILES[i]}: got ${got[i]}, expected ${want[i]}`;
        }
        return null;
      },
    });
  }
  const [resamples, m] = quick ? [200, 100] : [1e4, 1000];
  list.push({
    suite: 'stats',
    name: `bootstrap of the mean: ${size(resamples)} resamples of ${m}`,
    op: 'bootstrap',
    shapes: [[m], [1]],
    // The sample, and the number of resamples.
    makeInputs() {
      return [inputsFor({ ...this, makeInputs: undefined })[0], Float32Array.of(resamples)];
    },
    cost: { samples: resamples * m },
    check: ([x], got) => {
      // [low, high, estimate]: the estimate is the mean; the percentile interval is close to the normal one,
      // mean -+ z s / sqrt(m), up to the Monte Carlo error of a tail quantile of the resampled means.
      const [low, high, estimate] = got;
      const mean = x.reduce((a, v) => a + v, 0) / m;
      const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / m);
      const se = sd / Math.sqrt(m);
      const z = 1.959964;
      const alpha = (1 - BOOTSTRAP_LEVEL) / 2;
      const density = Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI) / se;
      const mc = Math.sqrt((alpha * (1 - alpha)) / resamples) / density;
      // 6 Monte Carlo standard errors, and the normal approximation's own error (a skewness term ~ se / m).
      const tol = 6 * mc + se / Math.sqrt(m);
      if (!(Math.abs(estimate - mean) <= 1e-6)) return `estimate ${estimate}, expected the mean ${mean}`;
      if (!(Math.abs(low - (mean - z * se)) <= tol)) return `low ${low}, expected ${mean - z * se} +- ${tol}`;
      if (!(Math.abs(high - (mean + z * se)) <= tol))
        return `high ${high}, expected ${mean + z * se} +- ${tol}`;
      return null;
    },
    checkNote: 'ok (estimate = mean; interval within 6 Monte Carlo errors of mean -+ 1.96 se)',
  });
  return list;
}
