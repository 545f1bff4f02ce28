// Indexing and shape ops: slice, flip, pad, concat, stack, split, tile, squeeze, expandDims.
// Two primitives move the data, each the other's gradient, so every rule here is built from recorded ops
// and is itself differentiable: stridedRead (a slice, flip or diagonal read through an offset and signed
// strides) and stridedWrite (x placed at such addresses inside a tensor filled with a value).
import { isRecording, record } from '../autodiff';
import { describe, fmtShape, GradboxError } from '../errors';
import { normalizeAxes, normalizeAxis, sizeOf, stridesOf } from '../shape';
import type { Tensor } from '../tensor';
import { storageOf } from './inputs';

/** Integer check with a message that names the argument. */
function checkInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new GradboxError(`${op}: ${name} must be an integer, got ${describe(v)}`);
  }
  return v;
}

/** Disposes temporaries of a composed op unless a grad() tape still needs them for the backward pass. */
export function dropTemps(keep: readonly Tensor[], temps: readonly Tensor[]): void {
  const ctx = keep[0]?.ctx ?? temps[0]?.ctx;
  if (!ctx || isRecording(ctx)) return;
  for (const t of new Set(temps)) if (!keep.includes(t)) t.dispose();
}

/**
 * out (outShape)[idx] = x.flat[offset + idx . strides]: the addresses must be distinct (a slice, flip or
 * diagonal), since the gradient writes g back to them. `grad` overrides the default rule (flip uses flip).
 * @internal
 */
export function stridedRead(
  op: string,
  x: Tensor,
  offset: number,
  strides: readonly number[],
  outShape: readonly number[],
  grad?: (g: Tensor) => Tensor,
): Tensor {
  const ctx = x.ctx;
  const storage = ctx.engine.stridedRead(storageOf(op, ctx, x), offset, strides, outShape);
  const y = ctx.wrap(storage, outShape);
  record(y, [x], (g) => [grad ? grad(g) : stridedWrite(op, g, x.shape, 0, offset, strides)]);
  return y;
}

/**
 * A tensor of `outShape` filled with `value`, except out.flat[offset + idx . strides] = x[idx] (distinct
 * addresses): pad, and the gradient of stridedRead. Its own gradient reads g back at those addresses.
 * @internal
 */
export function stridedWrite(
  op: string,
  x: Tensor,
  outShape: readonly number[],
  value: number,
  offset: number,
  strides: readonly number[],
): Tensor {
  const ctx = x.ctx;
  const src = storageOf(op, ctx, x);
  const out = ctx.engine.fill(value, sizeOf(outShape));
  if (x.size > 0) ctx.engine.stridedInto(out, offset, strides, src, stridesOf(x.shape), x.shape);
  const y = ctx.wrap(out, outShape);
  record(y, [x], (g) => [stridedRead(op, g, offset, strides, x.shape)]);
  return y;
}

/** Reads an optional per-axis list (starts, ends, steps): an array no longer than the rank, or undefined. */
function perAxis(op: string, name: string, v: unknown, rank: number, shape: readonly number[]): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new GradboxError(
      `${op}: ${name} must be an array with one integer per leading axis, got ${describe(v)}`,
    );
  }
  if (v.length > rank) {
    throw new GradboxError(
      `${op}: ${name} has ${v.length} entries but the tensor ${fmtShape(shape)} has ${rank} axes; ` +
        'give one entry per leading axis (fewer leave the remaining axes whole)',
    );
  }
  return v;
}

/**
 * NumPy basic slicing x[s0:e0:k0, s1:e1:k1, ...] for the leading axes: negative indices count from the end,
 * out-of-range ones clamp, `ends` are exclusive, steps are positive. A missing or null entry means the
 * whole axis (start 0, end the length, step 1).
 */
export function slice(
  x: Tensor,
  starts: readonly (number | null | undefined)[],
  ends?: readonly (number | null | undefined)[],
  steps?: readonly (number | null | undefined)[],
): Tensor {
  const op = 'slice';
  storageOf(op, x.ctx, x);
  const rank = x.shape.length;
  const s = perAxis(op, 'starts', starts, rank, x.shape);
  const e = perAxis(op, 'ends', ends, rank, x.shape);
  const k = perAxis(op, 'steps', steps, rank, x.shape);
  const strides = stridesOf(x.shape);
  const outShape: number[] = [];
  const outStrides: number[] = [];
  let offset = 0;
  x.shape.forEach((d, a) => {
    const step = k[a] === undefined || k[a] === null ? 1 : checkInt(op, `steps[${a}]`, k[a]);
    if (step <= 0) {
      throw new GradboxError(
        `${op}: steps[${a}] must be a positive integer, got ${step}; to reverse an axis use flip(${a})`,
      );
    }
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
    const start = s[a] === undefined || s[a] === null ? 0 : clamp(checkInt(op, `starts[${a}]`, s[a]));
    const end = e[a] === undefined || e[a] === null ? d : clamp(checkInt(op, `ends[${a}]`, e[a]));
    const len = Math.max(0, Math.ceil((end - start) / step));
    outShape.push(len);
    outStrides.push(step * strides[a]);
    if (len > 0) offset += start * strides[a];
  });
  return stridedRead(op, x, sizeOf(outShape) === 0 ? 0 : offset, outStrides, outShape);
}

/** Reverses the order of elements along the given axes (all when omitted). */
export function flip(x: Tensor, axes?: number | readonly number[]): Tensor {
  const op = 'flip';
  storageOf(op, x.ctx, x);
  const list = normalizeAxes(op, axes, x.shape.length);
  const strides = stridesOf(x.shape);
  let offset = 0;
  const flipped = strides.map((st, a) => {
    if (!list.includes(a)) return st;
    if (x.shape[a] > 0) offset += (x.shape[a] - 1) * st;
    return -st;
  });
  return stridedRead(op, x, x.size === 0 ? 0 : offset, flipped, x.shape, (g) => flip(g, list));
}

/** Pad widths in NumPy's forms: n, [before, after], [[before, after]], or one [before, after] per axis. */
function padWidths(op: string, widths: unknown, shape: readonly number[]): [number, number][] {
  const rank = shape.length;
  const bad = () =>
    new GradboxError(
      `${op}: widths must be a non-negative integer, a pair [before, after], or one pair per axis ` +
        `(${rank} for ${fmtShape(shape)}), got ${describe(widths)}`,
    );
  const pair = (p: unknown): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2) throw bad();
    return [p[0], p[1]].map((w) => {
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) {
        throw new GradboxError(
          `${op}: every width must be a non-negative integer, got ${describe(w)} in ${JSON.stringify(widths)}`,
        );
      }
      return w;
    }) as [number, number];
  };
  if (typeof widths === 'number') return shape.map(() => pair([widths, widths]));
  if (!Array.isArray(widths)) throw bad();
  if (widths.length === 2 && widths.every((w) => typeof w === 'number')) {
    const p = pair(widths);
    return shape.map(() => p);
  }
  if (widths.length === 1) {
    const p = pair(widths[0]);
    return shape.map(() => p);
  }
  if (widths.length !== rank) {
    throw new GradboxError(
      `${op}: got ${widths.length} [before, after] pairs for a tensor ${fmtShape(shape)} of rank ${rank}; ` +
        'give one pair per axis (or a single pair for all axes)',
    );
  }
  return widths.map(pair);
}

/** Pads with `value`: widths[a] = [before, after] elements added on each side of axis a. */
export function pad(x: Tensor, widths: unknown, value = 0): Tensor {
  const op = 'pad';
  storageOf(op, x.ctx, x);
  if (typeof value !== 'number') {
    throw new GradboxError(`${op}: value must be a number, got ${describe(value)}`);
  }
  const w = padWidths(op, widths, x.shape);
  const outShape = x.shape.map((d, a) => d + w[a][0] + w[a][1]);
  const strides = stridesOf(outShape);
  const offset = w.reduce((o, [before], a) => o + before * strides[a], 0);
  return stridedWrite(op, x, outShape, value, offset, strides);
}

function checkTensors(op: string, ts: unknown): Tensor[] {
  if (!Array.isArray(ts) || ts.length === 0) {
    throw new GradboxError(`${op}: expected a non-empty array of tensors, got ${describe(ts)}`);
  }
  const ctx = (ts[0] as Tensor)?.ctx;
  for (const t of ts) storageOf(op, ctx, t as Tensor);
  return ts as Tensor[];
}

/** Joins tensors along an existing axis; every other axis must agree. */
export function concat(tsIn: readonly Tensor[], axis = 0): Tensor {
  const op = 'concat';
  const ts = checkTensors(op, tsIn);
  const first = ts[0];
  const rank = first.shape.length;
  if (rank === 0) {
    throw new GradboxError(
      `${op}: cannot concatenate scalars (shape ()); use stack() to make a vector of them`,
    );
  }
  const ax = normalizeAxis(op, axis, rank);
  ts.forEach((t, i) => {
    const same = t.shape.length === rank && t.shape.every((d, a) => a === ax || d === first.shape[a]);
    if (!same) {
      throw new GradboxError(
        `${op}: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} ` +
          `apart from axis ${ax}; every tensor needs rank ${rank} and the same length on the other axes`,
      );
    }
  });
  const outShape = [...first.shape];
  outShape[ax] = ts.reduce((n, t) => n + t.shape[ax], 0);
  const ctx = first.ctx;
  const strides = stridesOf(outShape);
  const out = ctx.engine.fill(0, sizeOf(outShape));
  const offsets: number[] = [];
  let at = 0;
  for (const t of ts) {
    offsets.push(at * strides[ax]);
    if (t.size > 0) {
      ctx.engine.stridedInto(
        out,
        at * strides[ax],
        strides,
        storageOf(op, ctx, t),
        stridesOf(t.shape),
        t.shape,
      );
    }
    at += t.shape[ax];
  }
  const y = ctx.wrap(out, outShape);
  record(y, ts, (g) => ts.map((t, i) => stridedRead(op, g, offsets[i], strides, t.shape)));
  return y;
}

/** Inserts an axis of length 1 at `axis` (in -(rank+1)..rank): a view. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const op = 'expandDims';
  storageOf(op, x.ctx, x);
  const rank = x.shape.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
    throw new GradboxError(
      `${op}: axis must be an integer in ${-rank - 1}..${rank} for a tensor ${fmtShape(x.shape)}, got ` +
        `${describe(axis)}`,
    );
  }
  const ax = axis < 0 ? axis + rank + 1 : axis;
  return x.reshape([...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]);
}

/** Removes axes of length 1: the given ones (each must have length 1) or all of them. A view. */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const op = 'squeeze';
  storageOf(op, x.ctx, x);
  const list =
    axes === undefined || axes === null
      ? x.shape.flatMap((d, a) => (d === 1 ? [a] : []))
      : normalizeAxes(op, axes, x.shape.length);
  for (const a of list) {
    if (x.shape[a] !== 1) {
      throw new GradboxError(
        `${op}: axis ${a} of ${fmtShape(x.shape)} has length ${x.shape[a]}, not 1, so it cannot be removed; ` +
          'squeeze only axes of length 1 (or call squeeze() to remove all of them)',
      );
    }
  }
  return x.reshape(x.shape.filter((_, a) => !list.includes(a)));
}

/** Joins tensors of one shape along a new axis (in -(rank+1)..rank). */
export function stack(tsIn: readonly Tensor[], axis = 0): Tensor {
  const op = 'stack';
  const ts = checkTensors(op, tsIn);
  const shape = ts[0].shape;
  ts.forEach((t, i) => {
    if (fmtShape(t.shape) !== fmtShape(shape)) {
      throw new GradboxError(
        `${op}: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(shape)}; ` +
          'stack needs tensors of one shape (concat joins along an existing axis)',
      );
    }
  });
  const rank = shape.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
    throw new GradboxError(
      `${op}: axis must be an integer in ${-rank - 1}..${rank} for tensors ${fmtShape(shape)}, got ${describe(axis)}`,
    );
  }
  const parts = ts.map((t) => expandDims(t, axis));
  const out = concat(parts, axis < 0 ? axis + rank + 1 : axis);
  dropTemps([out], parts);
  return out;
}

/**
 * Splits along `axis` into `sections` equal parts (a count that divides the axis), or into parts of the
 * given sizes (an array summing to the axis length). Returns the parts in order.
 */
export function split(x: Tensor, sections: number | readonly number[], axis = 0): Tensor[] {
  const op = 'split';
  storageOf(op, x.ctx, x);
  const ax = normalizeAxis(op, axis, x.shape.length);
  const d = x.shape[ax];
  let sizes: number[];
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections < 1) {
      throw new GradboxError(
        `${op}: sections must be a positive integer (a number of equal parts) or an array of sizes, got ` +
          `${describe(sections)}`,
      );
    }
    if (d % sections !== 0) {
      throw new GradboxError(
        `${op}: axis ${ax} of ${fmtShape(x.shape)} has length ${d}, which ${sections} equal parts do not ` +
          `divide; pass an array of sizes instead, e.g. [${Math.ceil(d / sections)}, ...]`,
      );
    }
    sizes = new Array<number>(sections).fill(d / sections);
  } else if (Array.isArray(sections)) {
    sizes = sections.map((n) => {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new GradboxError(`${op}: every size must be a non-negative integer, got ${describe(n)}`);
      }
      return n;
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== d) {
      throw new GradboxError(
        `${op}: sizes [${sizes.join(', ')}] add up to ${total} but axis ${ax} of ${fmtShape(x.shape)} has ` +
          `length ${d}; the sizes must add up to the axis length`,
      );
    }
  } else {
    throw new GradboxError(
      `${op}: sections must be a positive integer or an array of sizes, got ${describe(sections)}`,
    );
  }
  const starts = new Array<number>(ax).fill(0);
  let at = 0;
  return sizes.map((n) => {
    const part = slice(x, [...starts, at], [...x.shape.slice(0, ax), at + n]);
    at += n;
    return part;
  });
}

/** Repeats x reps[a] times along each axis (NumPy's tile: the shorter of rank and reps is padded with 1s). */
export function tile(x: Tensor, reps: number | readonly number[]): Tensor {
  const op = 'tile';
  storageOf(op, x.ctx, x);
  const list = typeof reps === 'number' ? [reps] : reps;
  if (!Array.isArray(list)) {
    throw new GradboxError(`${op}: reps must be an array of non-negative integers, got ${describe(reps)}`);
  }
  for (const r of list) {
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0) {
      throw new GradboxError(
        `${op}: every repetition count must be a non-negative integer, got ${describe(r)} in reps`,
      );
    }
  }
  const rank = Math.max(list.length, x.shape.length);
  const dims = [...new Array<number>(rank - x.shape.length).fill(1), ...x.shape];
  const rs = [...new Array<number>(rank - list.length).fill(1), ...(list as number[])];
  // x viewed as (1, d0, 1, d1, ...), broadcast to (r0, d0, r1, d1, ...) and merged to (r0 d0, r1 d1, ...):
  // one strided copy; broadcastTo's rule sums the repeats in the backward pass.
  const spread = x.reshape(dims.flatMap((d) => [1, d]));
  const wide = spread.broadcastTo(dims.flatMap((d, a) => [rs[a], d]));
  const out = wide.reshape(dims.map((d, a) => d * rs[a]));
  dropTemps([out, x], [spread, wide]);
  return out;
}
