// Scans and sorting: cumsum, cumprod along an axis; sort, argsort (stable, NaN last) along an axis; topk
// along the last axis. Gradients: cumsum's is the reverse cumsum of g, cumprod's the reverse cumsum of
// g * y divided by x (exact only where x has no zeros), sort's and topk's put g back where each value
// came from (a scatterAdd through the sorted positions). Every rule is built from recorded ops.
import { record, untracked } from '../autodiff';
import type { ScanOp } from '../backends/backend';
import { describe, fmtShape, GradboxError } from '../errors';
import { normalizeAxis, splitAt } from '../shape';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';
import { scatterAdd } from './scatter';

/** Positions are float32: exact up to 2^24. */
const MAX_INDEX = 2 ** 24;

/** Inclusive scan along `axis` (from the end when `reverse`); records its gradient. */
function scanAlong(op: string, kind: ScanOp, x: Tensor, axis: unknown, reverse: boolean): Tensor {
  const ctx = x.ctx;
  storageOf(op, ctx, x);
  const ax = normalizeAxis(op, axis, x.shape.length);
  const { outer, size, inner } = splitAt(x.shape, ax);
  const out = ctx.wrap(ctx.engine.scan(kind, storageOf(op, ctx, x), outer, size, inner, reverse), x.shape);
  record(out, [x], (g) => {
    // d/dx_k of sum_j g_j y_j: y_j = x_0 + ... + x_j, so dx_k = sum_{j >= k} g_j (the scan the other way).
    if (kind === 'sum') return [scanAlong(op, 'sum', g, ax, !reverse)];
    // y_j = x_0 * ... * x_j: dy_j/dx_k = y_j / x_k for j >= k (true where x_k != 0).
    return [scanAlong(op, 'sum', g.mul(out), ax, !reverse).div(x)];
  });
  return out;
}

/** Running sums along `axis`: out[k] = x[0] + ... + x[k]. */
export function cumsum(x: Tensor, axis: number): Tensor {
  return scanAlong('cumsum', 'sum', x, axis, false);
}

/** Running products along `axis`. Its gradient divides by x, so it is exact only where x has no zeros. */
export function cumprod(x: Tensor, axis: number): Tensor {
  return scanAlong('cumprod', 'prod', x, axis, false);
}

function checkFlag(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new GradboxError(`${op}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** The permutation that swaps `axis` with the last axis (its own inverse). */
function swapLast(rank: number, axis: number): number[] {
  const perm = [...Array(rank).keys()];
  perm[axis] = rank - 1;
  perm[rank - 1] = axis;
  return perm;
}

/**
 * Sorts along `axis` without recording: the first k values of each sorted lane and their positions,
 * with the sorted axis where it was (length k).
 */
function sortLanes(
  op: string,
  x: Tensor,
  ax: number,
  descending: boolean,
  k: number,
): { values: Tensor; indices: Tensor } {
  const ctx = x.ctx;
  return untracked(ctx, () => {
    const rank = x.shape.length;
    const last = ax === rank - 1;
    const perm = swapLast(rank, ax);
    const src = last ? x : x.transpose(perm);
    const size = src.shape[rank - 1];
    const rows = size === 0 ? 0 : src.size / size;
    const r = ctx.engine.sort(storageOf(op, ctx, src), rows, size, descending, k);
    const shape = [...src.shape.slice(0, -1), k];
    let values = ctx.wrap(r.values, shape);
    let indices = ctx.wrap(r.indices, shape);
    if (!last) {
      src.dispose();
      const [v, i] = [values.transpose(perm), indices.transpose(perm)];
      values.dispose();
      indices.dispose();
      values = v;
      indices = i;
    }
    return { values, indices };
  });
}

function sortAxis(op: string, x: Tensor, axis: unknown): number {
  storageOf(op, x.ctx, x);
  if (x.shape.length === 0) {
    throw new GradboxError(`${op}: needs at least one axis, got a scalar; reshape it to [1] first`);
  }
  const ax = normalizeAxis(op, axis, x.shape.length);
  if (x.shape[ax] > MAX_INDEX) {
    throw new GradboxError(
      `${op}: positions are float32 and exact only up to 2^24, but axis ${ax} of ${fmtShape(x.shape)} has ` +
        `${x.shape[ax]} elements; sort shorter rows`,
    );
  }
  return ax;
}

/**
 * The gradient of taking the sorted values: g (x's shape with `axis` cut to k) goes back to the positions
 * the values came from, found again by sorting x (so the rule needs nothing the caller may dispose).
 */
function sortGrad(op: string, x: Tensor, ax: number, descending: boolean, k: number, g: Tensor): Tensor {
  const ctx = x.ctx;
  const rank = x.shape.length;
  const perm = swapLast(rank, ax);
  const last = ax === rank - 1;
  const size = x.shape[ax];
  const xShape = last ? x.shape : perm.map((a) => x.shape[a]);
  const rows = size === 0 ? 0 : x.size / size;
  if (x.size > MAX_INDEX) {
    throw new GradboxError(
      `${op}: the gradient scatters through flat float32 positions, exact only up to 2^24 elements; ` +
        `${fmtShape(x.shape)} has ${x.size}`,
    );
  }
  // Flat targets row * size + position, built without recording (they are constants of the rule).
  const flat = untracked(ctx, () => {
    const { values, indices } = sortLanes(op, x, ax, descending, k);
    values.dispose();
    const idx = last ? indices : indices.transpose(perm);
    const offsets = ctx.arange(rows).mul(size).reshape([rows, 1]);
    const f = idx
      .reshape([rows, k])
      .add(offsets)
      .reshape([rows * k]);
    if (idx !== indices) idx.dispose();
    indices.dispose();
    offsets.dispose();
    return f;
  });
  const gl = last ? g : g.transpose(perm);
  const dx = scatterAdd(ctx.zeros([rows * size]), flat, gl.reshape([rows * k])).reshape(xShape);
  return last ? dx : dx.transpose(perm);
}

/** Sorted values along `axis` (stable; NaN last). */
export function sort(x: Tensor, axis: number, descending: boolean): Tensor {
  const op = 'sort';
  const ax = sortAxis(op, x, axis);
  const desc = checkFlag(op, 'descending', descending);
  const k = x.shape[ax];
  const { values, indices } = sortLanes(op, x, ax, desc, k);
  indices.dispose();
  record(values, [x], (g) => [sortGrad(op, x, ax, desc, k, g)]);
  return values;
}

/** Positions that sort each lane along `axis` (stable: equal values keep their order; NaN last). */
export function argsort(x: Tensor, axis: number, descending: boolean): Tensor {
  const op = 'argsort';
  const ax = sortAxis(op, x, axis);
  const desc = checkFlag(op, 'descending', descending);
  const { values, indices } = sortLanes(op, x, ax, desc, x.shape[ax]);
  values.dispose();
  return indices;
}

/** The k largest values along the last axis, largest first (ties: lower position first), and positions. */
export function topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const op = 'topk';
  const ax = sortAxis(op, x, -1);
  const size = x.shape[ax];
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > size) {
    throw new GradboxError(
      `${op}: k must be an integer from 0 to the length of the last axis (${size} in ${fmtShape(x.shape)}), ` +
        `got ${describe(k)}`,
    );
  }
  const r = sortLanes(op, x, ax, true, k);
  record(r.values, [x], (g) => [sortGrad(op, x, ax, true, k, g)]);
  return r;
}
