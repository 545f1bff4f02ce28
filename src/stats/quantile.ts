// stats.quantile, stats.median and stats.ecdf: order statistics on the device. Quantiles use NumPy's default
// ('linear') rule: q maps to the virtual position (n - 1) q between two sorted values, interpolated with
// NumPy's two-sided lerp; a lane holding NaN gives NaN, as in NumPy. Long lanes take only the few order
// statistics needed (Backend.orderStatistics, a radix selection); under grad(), and for short lanes, a sort.
import { isRecording, scoped } from '../autodiff';
import { describe, GradboxError } from '../errors';
import { normalizeAxis } from '../shape';
import type { Tensor } from '../tensor';
import { checkTensor } from './common';

/** Lanes at least this long are selected rather than sorted (when no gradient is recorded). */
const SELECT_FROM = 1024;
/** At most this many (lane, rank) pairs per selection: its counters take 8 KiB each. */
const SELECT_SLOTS = 4096;

function checkQuantiles(op: string, q: unknown): number[] {
  const list =
    typeof q === 'number' ? [q] : Array.isArray(q) || q instanceof Float32Array ? Array.from(q) : null;
  if (!list || list.length === 0) {
    throw new GradboxError(`${op}: q must be a number or a non-empty array of numbers, got ${describe(q)}`);
  }
  for (const v of list) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new GradboxError(
        `${op}: quantiles must be in [0, 1], got ${describe(v)}; for percentiles divide by 100`,
      );
    }
  }
  return list;
}

/** x with `axis` moved last (all of x flattened when axis is undefined): the lanes to sort. */
function lanesOf(op: string, x: Tensor, axis: number | undefined): Tensor {
  if (axis === undefined) return x.reshape([x.size]);
  const ax = normalizeAxis(op, axis, x.shape.length);
  if (ax === x.shape.length - 1) return x;
  const perm = [...x.shape.keys()].filter((a) => a !== ax);
  return x.transpose([...perm, ax]);
}

/**
 * Quantiles of x along `axis` (all elements when omitted) with linear interpolation, NumPy's default:
 * q in [0, 1] takes position h = (n - 1) q of the sorted values and interpolates between positions
 * floor(h) and floor(h) + 1. `q` a number: x's shape without `axis`; `q` an array of m: (m, ...that).
 * A lane containing NaN gives NaN. Differentiable (the gradient goes to the one or two values used).
 * @example stats.quantile(x, [0.25, 0.5, 0.75]) // the quartiles of all of x
 */
export function quantile(x: Tensor, q: number | readonly number[], axis?: number): Tensor {
  const op = 'stats.quantile';
  const t = checkTensor(op, 'x', x);
  const qs = checkQuantiles(op, q);
  const gb = t.ctx;
  return scoped(gb, () => {
    const lanes = lanesOf(op, t, axis);
    const rank = lanes.shape.length;
    if (rank === 0) throw new GradboxError(`${op}: x is a scalar; give it at least one axis`);
    const n = lanes.shape[rank - 1];
    if (n === 0) throw new GradboxError(`${op}: cannot take a quantile of an empty axis (length 0)`);
    const lo: number[] = [];
    const hi: number[] = [];
    const base: number[] = [];
    const coef: number[] = [];
    for (const v of qs) {
      const h = (n - 1) * v;
      const below = Math.min(Math.floor(h), n - 1);
      const above = Math.min(below + 1, n - 1);
      const frac = h - below;
      lo.push(below);
      hi.push(above);
      // NumPy's lerp: a + (b - a) t for t < 0.5, b - (b - a)(1 - t) otherwise (exact at both ends).
      base.push(frac >= 0.5 ? above : below);
      coef.push(frac >= 0.5 ? frac - 1 : frac);
    }
    // Positions lo, hi and n - 1 (whose value says whether the lane holds NaN, which sorts last).
    const ranks = [...new Set([...lo, ...hi, n - 1])].sort((a, b) => a - b);
    const lanesCount = lanes.size / n;
    let pick: (idx: number[]) => Tensor;
    if (!isRecording(gb) && n >= SELECT_FROM && lanesCount * ranks.length <= SELECT_SLOTS) {
      const stats = gb.engine.orderStatistics(lanes.storage(op), lanesCount, n, ranks);
      const chosen = gb.wrap(stats, [...lanes.shape.slice(0, -1), ranks.length]);
      pick = (idx) => chosen.gather(gb.tensor(idx.map((k) => ranks.indexOf(k))), -1);
    } else {
      const sorted = lanes.sort(-1);
      pick = (idx) => sorted.gather(gb.tensor(idx), -1);
    }
    let out = pick(base).add(pick(hi).sub(pick(lo)).mul(gb.tensor(coef))); // (..., m)
    // NaN sorts last, so a lane's last value says whether it holds any.
    const last = pick([n - 1]);
    out = last.notEqual(last).where(Number.NaN, out);
    if (typeof q === 'number') return out.reshape(out.shape.slice(0, -1));
    return rank === 1 ? out : out.transpose([rank - 1, ...Array(rank - 1).keys()]);
  });
}

/** The median along `axis` (all elements when omitted): `quantile(x, 0.5, axis)`. Differentiable. */
export function median(x: Tensor, axis?: number): Tensor {
  return quantile(x, 0.5, axis);
}

/** What {@link ecdf} returns: points (values[i], probabilities[i]) on the empirical CDF. */
export interface Ecdf {
  /** (n): all of x's elements, sorted (NaN last). */
  values: Tensor;
  /**
   * (n): the empirical CDF at each value, F(v) = (number of elements <= v) / n; tied values share the
   * probability of the last of them, so every pair is a point of the step function.
   */
  probabilities: Tensor;
}

/**
 * The empirical distribution function of all of x's elements: the sorted values and F at each of them
 * (see {@link Ecdf}). Plot it as a step function through the points. Computed on the device: a sort,
 * then runs of equal values found by a scan and counted by a segment sum. Not differentiable.
 */
export function ecdf(x: Tensor): Ecdf {
  const op = 'stats.ecdf';
  const t = checkTensor(op, 'x', x);
  const gb = t.ctx;
  const n = t.size;
  if (n === 0) throw new GradboxError(`${op}: x is empty; an empirical CDF needs at least one value`);
  return scoped(gb, () => {
    const values = t.reshape([n]).sort(-1).stopGradient();
    // A run of equal values starts where a value differs from the one before it.
    const starts =
      n === 1
        ? gb.ones([1])
        : gb.concat([gb.ones([1]), values.slice([1]).notEqual(values.slice([0], [n - 1]))]);
    const runOf = starts.cumsum().sub(1); // run index per position
    const runEnds = gb.segmentSum(gb.ones([n]), runOf, n).cumsum(); // elements up to each run's end
    const probabilities = runEnds.gather(runOf).div(n);
    return { values, probabilities };
  });
}
