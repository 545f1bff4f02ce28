// stats.histogram: exact counts of values per bin, with NumPy's edges and NumPy's rule for a value on an
// edge (bin b is [edges[b], edges[b+1]), the last bin closed). The counting is one Backend.histogram call.
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { scoped } from '../autodiff';

/** Options of {@link histogram}. */
export interface HistogramOptions {
  /**
   * The number of equal-width bins (default 10), or the bin edges themselves: at least two values that
   * never decrease (rounded to float32, like the data).
   */
  bins?: number | readonly number[] | Float32Array;
  /**
   * `[low, high]`: the range the equal-width bins cover; values outside it are not counted. Default: the
   * smallest and largest value of x (then x must be finite, as NumPy requires). Only with a number of bins.
   */
  range?: readonly [number, number];
  /** Divide the counts by (number counted x bin width), so the histogram integrates to 1. Default false. */
  density?: boolean;
}

/** What {@link histogram} returns: the counts per bin and the bins + 1 edges (float32). */
export interface Histogram {
  /** (bins): how many values fell in each bin (float32 integers, exact up to 2^24), or densities. */
  counts: Tensor;
  /** (bins + 1): the edges; bin b is [edges[b], edges[b+1]), the last bin includes its right edge. */
  edges: Tensor;
}

/**
 * NumPy's equal-width edges for float32 data: linspace(low, high, bins + 1) in float64 (i * step + low, the
 * last edge exactly high), then rounded to float32; a range of zero width is widened by 0.5 on each side.
 */
export function equalWidthEdges(low: number, high: number, bins: number): Float32Array {
  let lo = low;
  let hi = high;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = new Float32Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = step === 0 ? lo + (i / bins) * (hi - lo) : i * step + lo;
  edges[bins] = hi;
  return edges;
}

function checkBins(op: string, bins: unknown): number | Float32Array {
  if (typeof bins === 'number') {
    if (!Number.isInteger(bins) || bins < 1 || bins > 2 ** 24) {
      throw new GradboxError(
        `${op}: bins must be an integer from 1 to 2^24 or an array of edges, got ${bins}`,
      );
    }
    return bins;
  }
  if (!Array.isArray(bins) && !(bins instanceof Float32Array)) {
    throw new GradboxError(
      `${op}: bins must be a number of bins or an array of edges, got ${describe(bins)}`,
    );
  }
  const edges = Float32Array.from(bins as ArrayLike<number>);
  if (edges.length < 2) {
    throw new GradboxError(`${op}: an array of edges needs at least 2 values (one bin), got ${edges.length}`);
  }
  for (let i = 0; i < edges.length; i++) {
    if (Number.isNaN(edges[i]) || (i > 0 && edges[i] < edges[i - 1])) {
      throw new GradboxError(
        `${op}: the edges must not decrease and must not be NaN; edge ${i} is ${bins[i]}` +
          (i > 0 ? ` after ${bins[i - 1]}` : ''),
      );
    }
  }
  return edges;
}

function checkRange(op: string, range: unknown): [number, number] {
  const ok = Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number');
  if (!ok) throw new GradboxError(`${op}: range must be [low, high], got ${describe(range)}`);
  const [lo, hi] = range as [number, number];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new GradboxError(`${op}: range must be finite with low <= high, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

/**
 * Equal-width edges between x's smallest and largest value, computed on the device in float32
 * (low + i * (high - low) / bins, the last edge exactly high). They may differ from NumPy's by an ulp,
 * which rounds the float64 linspace; the counts always follow the edges returned.
 */
function edgesFromData(gb: Context, flat: Tensor, bins: number): Tensor {
  const lo = flat.min();
  const hi = flat.max();
  const same = hi.equal(lo);
  const low = same.where(lo.sub(0.5), lo);
  const high = same.where(hi.add(0.5), hi);
  const step = high.sub(low).div(bins);
  const inner = gb.arange(bins).mul(step).add(low);
  return gb.concat([inner, high.reshape([1])]);
}

/**
 * A histogram of all of x's elements: `{ counts, edges }`, counts exact (no float rounding: integer
 * atomics on WebGPU). A value exactly on an edge goes where NumPy puts it: into the bin the edge starts,
 * except that the last bin also holds its right edge. NaN and values outside the range are not counted.
 * Not differentiable (counts are piecewise constant).
 * @example
 * const { counts, edges } = stats.histogram(samples, { bins: 50, range: [-4, 4] });
 */
export function histogram(x: Tensor, options: HistogramOptions = {}): Histogram {
  const op = 'stats.histogram';
  const gb = x?.ctx;
  storageOf(op, gb, x);
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`${op}: options must be an object like { bins: 20, range: [0, 1] }`);
  }
  const bins = checkBins(op, options.bins ?? 10);
  if (typeof bins !== 'number' && options.range !== undefined) {
    throw new GradboxError(`${op}: range is for a number of bins; with an array of edges, leave it out`);
  }
  const range = options.range === undefined ? null : checkRange(op, options.range);
  const nBins = typeof bins === 'number' ? bins : bins.length - 1;
  return scoped(gb, () => {
    const flat = x.reshape([x.size]);
    let edges: Tensor;
    if (typeof bins !== 'number') edges = gb.tensor(bins);
    else if (range) edges = gb.tensor(equalWidthEdges(range[0], range[1], bins));
    else if (x.size === 0)
      edges = gb.tensor(equalWidthEdges(0, 1, bins)); // NumPy's range for no data
    else edges = edgesFromData(gb, flat, bins);
    const uniform = typeof bins === 'number';
    let counts = gb.wrap(gb.engine.histogram(flat.storage(op), edges.storage(op), nBins, uniform), [nBins]);
    if (options.density) {
      const widths = edges.slice([1]).sub(edges.slice([0], [nBins]));
      counts = counts.div(counts.sum()).div(widths);
    }
    return { counts, edges };
  });
}
