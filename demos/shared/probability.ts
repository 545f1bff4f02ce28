// What the probability demos compute with gradbox besides sampling: quantiles of any scalar distribution
// (its icdf, or bisection on its cdf on the device where gradbox has no icdf), the probability of each
// histogram bin, and how far a histogram is from them. Everything here stays on the device.
import { type Context, type dist, GradboxError, stats, type Tensor } from '../../src/index';

/** How a quantile was found: gradbox's own icdf, or bisection on the cdf (see quantiles). */
export type QuantileMethod = 'icdf' | 'bisection on cdf';

/** Halvings of the bracket: 2^-32 of it, below float32's resolution for the brackets the demos use. */
const HALVINGS = 32;

/**
 * Quantiles of a scalar distribution at probabilities `ps`, shape [ps.length, ...batchShape], on the device.
 * Where the family has an icdf (Normal, Uniform, Exponential, LogNormal) that is used; elsewhere the smallest
 * x in `bracket` with cdf(x) >= p is found by bisection (all quantiles and batch members at once, no
 * readback); for a discrete family that x is an integer. Returns the tensor and the method used.
 */
export function quantiles(
  gb: Context,
  d: dist.Distribution,
  ps: readonly number[],
  bracket: [number, number],
  discrete = false,
): { values: Tensor; method: QuantileMethod } {
  const shape = [ps.length, ...d.batchShape];
  const p = gb.tensor([...ps], [ps.length, ...d.batchShape.map(() => 1)]);
  try {
    return { values: d.icdf(p).broadcastTo(shape), method: 'icdf' };
  } catch (e) {
    if (!(e instanceof GradboxError)) throw e;
  }
  let lo = gb.full(shape, bracket[0]);
  let hi = gb.full(shape, bracket[1]);
  for (let i = 0; i < HALVINGS; i++) {
    const mid = lo.add(hi).mul(0.5);
    const below = d.cdf(mid).less(p);
    [lo, hi] = [below.where(mid, lo), below.where(hi, mid)];
  }
  // hi is within 2^-32 of the bracket above the quantile; a discrete quantile is the integer it sits on.
  return { values: discrete ? hi.floor() : hi, method: 'bisection on cdf' };
}

/** The probability of each bin [edges[i], edges[i+1]): cdf(right) - cdf(left), shape (bins). */
export function binProbabilities(d: dist.Distribution, edges: Tensor): Tensor {
  const n = edges.shape[0];
  const c = d.cdf(edges);
  return c.slice([1], [n]).sub(c.slice([0], [n - 1]));
}

/**
 * A histogram of `values` over fixed `edges` (stats.histogram) and its L1 distance from the bins' exact
 * probabilities: sum_i |counts_i / total - p_i|, where `total` is every value drawn (counted or not).
 */
export function histogramAgainst(
  values: Tensor,
  edges: Float32Array,
  probabilities: Tensor,
  total: number,
): { counts: Tensor; distance: Tensor } {
  const { counts } = stats.histogram(values, { bins: edges });
  const distance = counts.div(total).sub(probabilities).abs().sum();
  return { counts, distance };
}

/** `count` equal-width edges from lo to hi (count - 1 bins). */
export function edgesOf(lo: number, hi: number, bins: number): Float32Array {
  return Float32Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

/**
 * Edges for a histogram of integer values lo..hi: bins centred on the integers, `width` integers each
 * (width > 1 only where there are more than `maxBins` of them).
 */
export function integerEdges(lo: number, hi: number, maxBins = 200): { edges: Float32Array; width: number } {
  const width = Math.max(1, Math.ceil((hi - lo + 1) / maxBins));
  const bins = Math.ceil((hi - lo + 1) / width);
  return {
    edges: Float32Array.from({ length: bins + 1 }, (_, i) => lo - 0.5 + i * width),
    width,
  };
}
