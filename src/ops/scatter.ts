// Scatter and segments: segmentSum (rows of data summed by segment id), bincount (exact counts of the
// integers 0..length-1), scatterAdd (a copy of x with rows of updates added at indices along axis 0).
// Ids that are not integers in range are ignored, in the op and in its gradient. Gradients are gathers
// of g, masked where the id was ignored, built from recorded ops.
import { record, untracked } from '../autodiff';
import { describe, fmtShape, GradboxError } from '../errors';
import { sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';

function checkCount(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 24) {
    throw new GradboxError(`${op}: ${name} must be an integer from 0 to 2^24, got ${describe(v)}`);
  }
  return v;
}

/**
 * g's rows at the ids (m rows), and zero rows where an id is not an integer in [0, g.shape[0]): the
 * gradient of summing rows into segments. g: (segments, ...rest) -> (m, ...rest).
 */
function gatherValid(g: Tensor, ids: Tensor): Tensor {
  const segments = g.shape[0];
  const m = ids.size;
  const flatIds = ids.reshape([m]);
  if (segments === 0) return g.ctx.zeros([m, ...g.shape.slice(1)]);
  // 1 where the id is valid (its one-hot row has a 1), so an ignored id gathers row 0 and is zeroed.
  const valid = flatIds.oneHot(segments).sum(-1);
  const safe = valid.where(flatIds, 0);
  const rows = g.gather(safe, 0);
  return valid.reshape([m, ...g.shape.slice(1).map(() => 1)]).where(rows, 0);
}

/** Rows of `data` summed by id: out[s] = sum of data[j] with segmentIds[j] == s; (numSegments, ...rest). */
export function segmentSum(data: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
  const op = 'segmentSum';
  const ctx = data.ctx;
  const d = storageOf(op, ctx, data);
  const ids = storageOf(op, ctx, segmentIds);
  const n = checkCount(op, 'numSegments', numSegments);
  if (data.shape.length === 0) {
    throw new GradboxError(`${op}: data needs at least one axis (its rows are summed), got a scalar`);
  }
  const rows = data.shape[0];
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== rows) {
    throw new GradboxError(
      `${op}: segmentIds must be 1-D with one id per row of data: data ${fmtShape(data.shape)} has ${rows} ` +
        `rows, segmentIds has shape ${fmtShape(segmentIds.shape)}`,
    );
  }
  const rest = data.shape.slice(1);
  const inner = sizeOf(rest);
  const out = ctx.wrap(ctx.engine.segmentSum(d, ids, rows, inner, n), [n, ...rest]);
  record(out, [data, segmentIds], (g) => [gatherValid(g, segmentIds), null]);
  return out;
}

/** Counts of each integer 0..length-1 among all elements of x; other values are ignored. */
export function bincount(x: Tensor, length: number): Tensor {
  const op = 'bincount';
  const ctx = x.ctx;
  const s = storageOf(op, ctx, x);
  const n = checkCount(op, 'length', length);
  return ctx.wrap(ctx.engine.bincount(s, n), [n]);
}

/** x with updates[j] added to row indices[j] along axis 0 (repeats add up; ignored: ids out of range). */
export function scatterAdd(x: Tensor, indices: Tensor, updates: Tensor): Tensor {
  const op = 'scatterAdd';
  const ctx = x.ctx;
  storageOf(op, ctx, x);
  const u = storageOf(op, ctx, updates);
  const ids = storageOf(op, ctx, indices);
  if (x.shape.length === 0) {
    throw new GradboxError(`${op}: x needs at least one axis (updates are added to its rows), got a scalar`);
  }
  if (indices.shape.length !== 1) {
    throw new GradboxError(
      `${op}: indices must be 1-D (one row index per row of updates), got shape ${fmtShape(indices.shape)}`,
    );
  }
  const m = indices.shape[0];
  const want = [m, ...x.shape.slice(1)];
  if (fmtShape(updates.shape) !== fmtShape(want)) {
    throw new GradboxError(
      `${op}: updates must have shape ${fmtShape(want)} (one row of x ${fmtShape(x.shape)} per index), ` +
        `got ${fmtShape(updates.shape)}`,
    );
  }
  const inner = sizeOf(x.shape.slice(1));
  const sums = ctx.wrap(ctx.engine.segmentSum(u, ids, m, inner, x.shape[0]), x.shape);
  const out = untracked(ctx, () => x.add(sums));
  sums.dispose();
  // out = x + segmentSum(updates): dx = g, dupdates = g's rows at the indices (zero where ignored).
  // The internal add is not recorded; this rule covers all three inputs.
  record(out, [x, indices, updates], (g) => [g, null, gatherValid(g, indices)]);
  return out;
}
