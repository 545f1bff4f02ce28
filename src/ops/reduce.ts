// Reductions (sum mean max min argmax argmin) over all elements, one axis or several, with keepDims,
// and the softmax family (softmax, logSoftmax, logSumExp) over one axis.
import { record, untracked } from '../autodiff';
import type { ReduceOp, SoftmaxMode } from '../backends/backend';
import { GradboxError } from '../errors';
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
