// Shape and data-movement ops: reshape (a view, no copy), transpose, broadcastTo, gather, oneHot.
import { record } from '../autodiff';
import { describe, fmtShape, GradboxError } from '../errors';
import { broadcastShapes, broadcastStrides, normalizeAxis, sizeOf, splitAt, stridesOf } from '../shape';
import type { Tensor } from '../tensor';
import { unbroadcast } from './elementwise';
import { storageOf } from './inputs';
import { matmulCore } from './matmul';

/** A view with a new shape over the same storage; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'reshape';
  if (!Array.isArray(shape)) {
    throw new GradboxError(`${op}: shape must be an array of integers, got ${describe(shape)}`);
  }
  let infer = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1 && infer < 0) infer = i;
    else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new GradboxError(
        `${op}: every dimension must be a non-negative integer (or one -1), got ${describe(d)} in ${fmtShape(shape)}`,
      );
    } else known *= d;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new GradboxError(
        `${op}: cannot infer -1 in ${fmtShape(shape)} for ${x.size} elements of ${fmtShape(x.shape)}`,
      );
    }
    out[infer] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new GradboxError(
      `${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(out)} (${sizeOf(out)} elements)`,
    );
  }
  storageOf(op, x.ctx, x);
  const y = x.ctx.view(x, out);
  record(y, [x], (g) => [g.reshape(x.shape)]);
  return y;
}

/** Permutes the axes; the default reverses them (a matrix transpose for 2-D). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const op = 'transpose';
  const rank = x.shape.length;
  const p = perm === undefined ? [...Array(rank).keys()].reverse() : [...perm];
  const seen = new Set<number>();
  const valid =
    Array.isArray(p) &&
    p.length === rank &&
    p.every((a) => Number.isInteger(a) && a >= 0 && a < rank && !seen.has(a) && seen.add(a));
  if (!valid) {
    throw new GradboxError(
      `${op}: perm must be a permutation of 0..${rank - 1} for shape ${fmtShape(x.shape)}, got [${String(perm)}]`,
    );
  }
  const strides = stridesOf(x.shape);
  const outShape = p.map((a) => x.shape[a]);
  const storage = x.ctx.engine.strided(
    storageOf(op, x.ctx, x),
    p.map((a) => strides[a]),
    outShape,
  );
  const y = x.ctx.wrap(storage, outShape);
  const inverse = new Array<number>(rank);
  p.forEach((a, i) => {
    inverse[a] = i;
  });
  record(y, [x], (g) => [g.transpose(inverse)]);
  return y;
}

/** Repeats x along broadcast axes to reach `shape` (NumPy's broadcast_to, materialised). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'broadcastTo';
  const target = broadcastShapes(op, x.shape, shape);
  if (fmtShape(target) !== fmtShape(shape)) {
    throw new GradboxError(`${op}: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)}`);
  }
  const storage = x.ctx.engine.strided(storageOf(op, x.ctx, x), broadcastStrides(x.shape, shape), shape);
  const y = x.ctx.wrap(storage, [...shape]);
  record(y, [x], (g) => [unbroadcast(g, x.shape)]);
  return y;
}

/**
 * Takes elements along `axis` at integer positions given by `indices` (NumPy's take):
 * the result has shape x.shape[:axis] + indices.shape + x.shape[axis+1:]. Invalid indices give NaN.
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const op = 'gather';
  const ax = normalizeAxis(op, axis, x.shape.length);
  const { outer, size, inner } = splitAt(x.shape, ax);
  const storage = x.ctx.engine.gather(
    storageOf(op, x.ctx, x),
    storageOf(op, x.ctx, indices),
    outer,
    size,
    inner,
  );
  const y = x.ctx.wrap(storage, [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)]);
  // Scatter-add as a product: dx(outer, size, inner) = oneHot(idx, size)^T (size, n) @ g(outer, n, inner).
  // Invalid indices have all-zero one-hot rows, so they contribute nothing.
  record(y, [x, indices], (g) => {
    const hot = indices.reshape([indices.size]).oneHot(size);
    const dx = matmulCore(hot, g.reshape([outer, indices.size, inner]), true, false);
    return [dx.reshape(x.shape), null];
  });
  return y;
}

/** One-hot rows: shape indices.shape + [depth]; an index outside 0..depth-1 gives a row of zeros. */
export function oneHot(indices: Tensor, depth: number): Tensor {
  const op = 'oneHot';
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1) {
    throw new GradboxError(
      `${op}: depth must be a positive integer (the number of classes), got ${describe(depth)}`,
    );
  }
  const storage = indices.ctx.engine.oneHot(storageOf(op, indices.ctx, indices), depth);
  return indices.ctx.wrap(storage, [...indices.shape, depth]);
}
