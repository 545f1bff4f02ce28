// Reductions (sum mean max min argmax argmin prod) over all elements, one axis or several, with keepDims;
// the softmax family (softmax, logSoftmax, logSumExp) over one axis; var, std, norm, any, all built on them.
import { record, untracked } from '../autodiff';
import type { ReduceOp, SoftmaxMode } from '../backends/backend';
import { describe, GradboxError } from '../errors';
import { normalizeAxes, normalizeAxis, sizeOf, splitAt } from '../shape';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';
import { transpose } from './layout';

/** Axes to reduce: one, a list, or all when omitted. Negative axes count from the end. */
export type Axes = number | readonly number[] | undefined;

function keptShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

export function reduce(op: ReduceOp, x: Tensor, axes: Axes, keepDims = false): Tensor {
  const ctx = x.ctx;
  storageOf(op, ctx, x);
  if (typeof keepDims !== 'boolean') {
    throw new GradboxError(`${op}: keepDims must be true or false, got ${String(keepDims)}`);
  }
  const rank = x.shape.length;
  const list = normalizeAxes(op, axes, rank);
  if ((op === 'argmax' || op === 'argmin') && axes !== undefined && list.length > 1) {
    throw new GradboxError(
      `${op}: takes one axis or none (the index into the flattened tensor), got [${String(axes)}]`,
    );
  }
  if (
    (op === 'argmax' || op === 'argmin' || op === 'max' || op === 'min') &&
    list.some((a) => x.shape[a] === 0)
  ) {
    throw new GradboxError(
      `${op}: cannot reduce an empty axis of ${JSON.stringify(x.shape)}: there is no ${op}`,
    );
  }
  if ((op === 'argmax' || op === 'argmin') && sizeOf(list.map((a) => x.shape[a])) > 2 ** 24) {
    throw new GradboxError(
      `${op}: indices are float32 and exact only up to 2^24; reduce fewer elements at once`,
    );
  }
  const outShape = keptShape(x.shape, list, keepDims);
  const contiguous = list.every((a, i) => i === 0 || a === list[i - 1] + 1);
  let src = x;
  let outer: number;
  let size: number;
  let inner: number;
  if (list.length === 0) {
    outer = x.size;
    size = 1;
    inner = 1;
  } else if (contiguous) {
    outer = sizeOf(x.shape.slice(0, list[0]));
    size = sizeOf(list.map((a) => x.shape[a]));
    inner = sizeOf(x.shape.slice(list[list.length - 1] + 1));
  } else {
    // Move the kept axes first and the reduced ones last, so the reduction runs over contiguous rows.
    const kept = [...Array(rank).keys()].filter((a) => !list.includes(a));
    src = untracked(ctx, () => transpose(x, [...kept, ...list]));
    outer = sizeOf(kept.map((a) => x.shape[a]));
    size = sizeOf(list.map((a) => x.shape[a]));
    inner = 1;
  }
  const storage = ctx.engine.reduce(op, storageOf(op, ctx, src), outer, size, inner);
  if (src !== x) src.dispose();
  const out = ctx.wrap(storage, outShape);
  if (op !== 'argmax' && op !== 'argmin') {
    const keptDims = keptShape(x.shape, list, true);
    record(out, [x], (g) => {
      const gk = g.reshape(keptDims);
      if (op === 'sum') return [gk.broadcastTo(x.shape)];
      if (op === 'mean') return [gk.mul(1 / size).broadcastTo(x.shape)];
      if (op === 'prod') return [prodGrad(x, list, out.reshape(keptDims)).mul(gk)];
      // max/min: the gradient goes to the elements equal to the result, split evenly between ties.
      const hit = x.equal(out.reshape(keptDims));
      return [hit.div(hit.sum(list, true)).mul(gk)];
    });
  }
  return out;
}

export function softmaxFamily(
  mode: SoftmaxMode,
  x: Tensor,
  axis: number | undefined,
  keepDims = false,
): Tensor {
  const ctx = x.ctx;
  storageOf(mode, ctx, x);
  if (mode === 'logSumExp' && axis === undefined) {
    const storage = ctx.engine.softmax(mode, storageOf(mode, ctx, x), 1, x.size, 1);
    const out = ctx.wrap(storage, keepDims ? x.shape.map(() => 1) : []);
    record(out, [x], (g) => [softmaxGrad(mode, x, out, g, [...x.shape.keys()])]);
    return out;
  }
  if (x.shape.length === 0) {
    throw new GradboxError(`${mode}: needs at least one axis, got a scalar; reshape it to [1] first`);
  }
  const ax = normalizeAxis(mode, axis ?? -1, x.shape.length);
  const { outer, size, inner } = splitAt(x.shape, ax);
  const storage = ctx.engine.softmax(mode, storageOf(mode, ctx, x), outer, size, inner);
  const shape = mode === 'logSumExp' ? keptShape(x.shape, [ax], keepDims) : x.shape;
  const out = ctx.wrap(storage, shape);
  record(out, [x], (g) => [softmaxGrad(mode, x, out, g, [ax])]);
  return out;
}

/** Gradient rules of the softmax family along `axes` (out is the op's result, g the incoming gradient). */
function softmaxGrad(mode: SoftmaxMode, x: Tensor, out: Tensor, g: Tensor, axes: number[]): Tensor {
  if (mode === 'softmax') return out.mul(g.sub(g.mul(out).sum(axes, true))); // y (g - <g, y>)
  if (mode === 'logSoftmax') return g.sub(out.exp().mul(g.sum(axes, true))); // g - softmax * sum(g)
  const kept = keptShape(x.shape, axes, true); // logSumExp: g * softmax(x)
  return x.sub(out.reshape(kept)).exp().mul(g.reshape(kept));
}

/**
 * d prod / d x_i, the product of the other elements of x_i's slice, exact with zeros in the input:
 * with no zero in the slice it is prod / x_i; with one zero, the product of the non-zero elements at the
 * zero and 0 elsewhere; with two or more, 0 everywhere. Made of recorded ops (the rule is differentiable;
 * its own derivative is exact away from zeros).
 */
function prodGrad(x: Tensor, axes: number[], prodKept: Tensor): Tensor {
  const isZero = x.equal(0);
  const zeros = isZero.sum(axes, true);
  const nonZero = isZero.where(1, x); // x with its zeros replaced by 1
  const prodNonZero = nonZero.prod(axes, true);
  const atOneZero = zeros.equal(1).mul(isZero).where(prodNonZero, 0);
  return zeros.equal(0).where(prodKept.div(nonZero), atOneZero);
}

// Issue 9: var, std, norm, any, all, composed of recorded ops.

/** Options of var and std. */
export interface VarianceOptions {
  /**
   * Delta degrees of freedom: the sum of squared deviations is divided by N - ddof. 0 (the default) gives
   * the population variance, 1 the unbiased sample variance. N - ddof <= 0 gives Inf or NaN, as in NumPy.
   */
  ddof?: number;
}

/** Number of elements reduced over `axes` of x. */
function reducedCount(op: string, x: Tensor, axes: Axes): number {
  return sizeOf(normalizeAxes(op, axes, x.shape.length).map((a) => x.shape[a]));
}

/** Variance by two passes (mean, then mean squared deviation), which keeps float32 accurate. */
export function variance(
  op: 'var' | 'std',
  x: Tensor,
  axes: Axes,
  keepDims: boolean,
  options: VarianceOptions = {},
): Tensor {
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`${op}: options must be an object like { ddof: 1 }, got ${describe(options)}`);
  }
  const { ddof = 0 } = options;
  if (typeof ddof !== 'number' || !Number.isFinite(ddof) || ddof < 0) {
    throw new GradboxError(`${op}: ddof must be a number >= 0, got ${describe(ddof)}`);
  }
  const n = reducedCount(op, x, axes);
  const dev = x.sub(x.mean(axes, true));
  const v = dev
    .square()
    .sum(axes, keepDims)
    .div(Math.max(n - ddof, 0));
  return op === 'std' ? v.sqrt() : v;
}

/** The norms norm() accepts. */
export type NormOrd = 1 | 2 | typeof Infinity;

/**
 * Vector norms over `axes`: 1 (sum of |x|), 2 (Euclidean) or Infinity (max |x|). The 2-norm is scaled
 * by max |x| first, so squares neither overflow nor underflow (1e30 and 1e-30 work). Its gradient is
 * x / norm, and 0 (a subgradient) where the slice is all zeros.
 */
export function norm(x: Tensor, ord: NormOrd, axes: Axes, keepDims: boolean): Tensor {
  if (ord === 1) return x.abs().sum(axes, keepDims);
  if (ord === Infinity) return x.abs().max(axes, keepDims);
  if (ord !== 2) {
    throw new GradboxError(`norm: ord must be 1, 2 or Infinity, got ${describe(ord)}`);
  }
  const scale = x.abs().max(axes, true);
  const zero = scale.equal(0);
  const safe = zero.where(1, scale);
  // sqrt(1) instead of sqrt(0) in all-zero slices keeps sqrt's gradient (g / 2 sqrt) finite there.
  const r = zero.where(1, x.div(safe).square().sum(axes, true));
  // An infinite element makes the 2-norm infinite (x / Inf would be NaN there); NaN stays NaN.
  const n = zero.where(0, scale.equal(Infinity).where(Infinity, safe.mul(r.sqrt())));
  if (keepDims) return n;
  const list = normalizeAxes('norm', axes, x.shape.length);
  return n.reshape(keptShape(x.shape, list, false));
}

/** 1 where any element over `axes` is non-zero (NaN counts as non-zero), else 0; false over nothing. */
export function any(x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  return x.notEqual(0).sum(axes, keepDims).greater(0);
}

/** 1 where every element over `axes` is non-zero (NaN counts as non-zero), else 0; true over nothing. */
export function all(x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  return x.equal(0).sum(axes, keepDims).equal(0);
}
