// Shape arithmetic shared by every op and both backends: sizes, strides, NumPy broadcasting, axes.
// Pure functions over plain number arrays; they validate and throw GradboxError with the op's name.
import { describe, fmtShape, GradboxError } from './errors';

/** A tensor's shape: one non-negative integer per axis; `[]` is a scalar. */
export type Shape = readonly number[];

/** The number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Checks that `shape` is a list of non-negative integers; returns a copy. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new GradboxError(`${op}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new GradboxError(
        `${op}: every dimension must be a non-negative integer, got ${describe(d)} in [${shape.join(', ')}]`,
      );
    }
  }
  return [...shape];
}

/** NumPy broadcasting of two shapes, e.g. (2,1,3) and (4,3) give (2,4,3). */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new GradboxError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast: axis ${i} of the result ` +
          `would need ${da} and ${db} to be equal or one of them 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides (in elements) that read a tensor of `shape` as if it had the broadcast shape `outShape`:
 * an axis that is broadcast gets stride 0. The result has `outShape.length` entries.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

/** Resolves one axis (negative counts from the end) against a rank. */
export function normalizeAxis(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new GradboxError(`${op}: axis must be an integer, got ${describe(axis)}`);
  }
  if (axis < -rank || axis >= rank) {
    const range = rank === 0 ? 'none (the tensor is a scalar)' : `${-rank}..${rank - 1}`;
    throw new GradboxError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank}; valid: ${range}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves `undefined` (all axes), one axis or a list of axes; sorted, without duplicates allowed. */
export function normalizeAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined || axes === null) return [...Array(rank).keys()];
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) {
    throw new GradboxError(`${op}: axes must be a number or an array of numbers, got ${describe(axes)}`);
  }
  const out = list.map((a) => normalizeAxis(op, a, rank));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new GradboxError(`${op}: axis ${sorted[i]} is listed twice in [${list.join(', ')}]`);
    }
  }
  return sorted;
}

/** Splits a shape around one axis into (outer, size, inner) element counts. */
export function splitAt(shape: Shape, axis: number): { outer: number; size: number; inner: number } {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    size: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
  };
}
