// Tensor creation: from nested arrays or typed arrays, constant fills, ranges, identity, seeded random.
// Validates sizes and values and says what was given; random streams come from Philox (src/random.ts).
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { flatten, type NestedArray } from '../nested';
import { seedToKey } from '../random';
import { checkShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';

/** Everything gb.tensor accepts as data. */
export type TensorData =
  NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array | readonly number[];

/** A shape, or a single length for a 1-D tensor. */
export type ShapeLike = readonly number[] | number;

export function toShape(op: string, shape: ShapeLike): number[] {
  return checkShape(op, typeof shape === 'number' ? [shape] : shape);
}

export function fromData(ctx: Context, data: TensorData, shape?: ShapeLike): Tensor {
  const op = 'tensor';
  let flat: Float32Array;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    inferred = [flat.length];
  } else if (
    data === undefined ||
    data === null ||
    (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data))
  ) {
    throw new GradboxError(
      `${op}: expected a number, nested arrays of numbers or a typed array, got ${describe(data)}`,
    );
  } else {
    const f = flatten(op, data as NestedArray);
    flat = f.data;
    inferred = f.shape;
  }
  let finalShape = inferred;
  if (shape !== undefined) {
    finalShape = toShape(op, shape);
    if (sizeOf(finalShape) !== flat.length) {
      throw new GradboxError(
        `${op}: ${flat.length} values cannot fill shape ${fmtShape(finalShape)} (${sizeOf(finalShape)} elements); ` +
          `the data has shape ${fmtShape(inferred)}`,
      );
    }
  }
  return ctx.wrap(ctx.engine.upload(flat), finalShape);
}

export function full(ctx: Context, shape: ShapeLike, value: number, op = 'full'): Tensor {
  const s = toShape(op, shape);
  if (typeof value !== 'number')
    throw new GradboxError(`${op}: value must be a number, got ${describe(value)}`);
  return ctx.wrap(ctx.engine.fill(Math.fround(value), sizeOf(s)), s);
}

function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new GradboxError(`${op}: ${name} must be a finite number, got ${describe(v)}`);
  }
  return v;
}

/** NumPy's arange: [start, stop) in steps; arange(n) is 0..n-1. */
export function arange(ctx: Context, a: number, b?: number, step = 1): Tensor {
  const op = 'arange';
  const start = b === undefined ? 0 : finite(op, 'start', a);
  const stop = b === undefined ? finite(op, 'stop', a) : finite(op, 'stop', b);
  finite(op, 'step', step);
  if (step === 0) throw new GradboxError(`${op}: step must not be 0`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return ctx.wrap(ctx.engine.upload(data), [n]);
}

/** `num` evenly spaced values from start to stop, both included. */
export function linspace(ctx: Context, start: number, stop: number, num: number): Tensor {
  const op = 'linspace';
  finite(op, 'start', start);
  finite(op, 'stop', stop);
  if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) {
    throw new GradboxError(`${op}: num must be a non-negative integer, got ${describe(num)}`);
  }
  const data = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return ctx.wrap(ctx.engine.upload(data), [num]);
}

/** The identity matrix (n, m), m defaulting to n. */
export function eye(ctx: Context, n: number, m = n): Tensor {
  const [rows, cols] = checkShape('eye', [n, m]);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
  return ctx.wrap(ctx.engine.upload(data), [rows, cols]);
}

export interface RandomOptions {
  /** An integer 0..2^53-1; the same seed gives the same numbers on every backend. */
  seed?: number;
}

/** Uniform numbers in [low, high). */
export function rand(
  ctx: Context,
  shape: ShapeLike,
  opts: RandomOptions & { low?: number; high?: number } = {},
) {
  const op = 'rand';
  const s = toShape(op, shape);
  const low = finite(op, 'low', opts.low ?? 0);
  const high = finite(op, 'high', opts.high ?? 1);
  if (high < low) {
    throw new GradboxError(
      `${op}: low must not exceed high, got low ${low} and high ${high}; swap them, e.g. { low: ${high}, high: ${low} }`,
    );
  }
  const u = randomRaw(ctx, op, 'uniform', s, opts.seed);
  if (low === 0 && high === 1) return u;
  return scaleShift(u, high - low, low);
}

/** Normal numbers with the given mean and standard deviation. */
export function randn(
  ctx: Context,
  shape: ShapeLike,
  opts: RandomOptions & { mean?: number; std?: number } = {},
) {
  const op = 'randn';
  const s = toShape(op, shape);
  const mean = finite(op, 'mean', opts.mean ?? 0);
  const std = finite(op, 'std', opts.std ?? 1);
  if (std < 0) {
    throw new GradboxError(
      `${op}: std must be >= 0 (a standard deviation), got ${std}; for a negated draw use { std: ${-std} } and .neg()`,
    );
  }
  const z = randomRaw(ctx, op, 'normal', s, opts.seed);
  if (mean === 0 && std === 1) return z;
  return scaleShift(z, std, mean);
}

// Issue 9: scans, sorting, scatter
/** Uniform integers in [low, high): Lemire's multiply of one Philox word per element (bias <= 2^-8). */
export function randint(
  ctx: Context,
  shape: ShapeLike,
  low: number,
  high: number,
  opts: RandomOptions = {},
): Tensor {
  const op = 'randint';
  const s = toShape(op, shape);
  for (const [name, v] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 24) {
      throw new GradboxError(
        `${op}: ${name} must be an integer from -2^24 to 2^24 (float32 integers are exact there), got ${describe(v)}`,
      );
    }
  }
  if (high <= low || high - low > 2 ** 24) {
    throw new GradboxError(
      `${op}: needs low < high and high - low <= 2^24 (integers in [low, high)), got low ${low} and high ${high}`,
    );
  }
  const n = sizeOf(s);
  const { key, counter } =
    opts.seed === undefined ? ctx.nextRandomStream(n) : { key: seedToKey(op, opts.seed), counter: 0 };
  return ctx.wrap(ctx.engine.randint(key, counter, n, low, high), s);
}

/** A random ordering of 0..n-1: the stable argsort of n Philox uniforms, so identical on every backend. */
export function permutation(ctx: Context, n: number, opts: RandomOptions = {}): Tensor {
  const op = 'permutation';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2 ** 24) {
    throw new GradboxError(`${op}: n must be an integer from 0 to 2^24, got ${describe(n)}`);
  }
  const u = randomRaw(ctx, op, 'uniform', [n], opts.seed);
  const out = u.argsort();
  u.dispose();
  return out;
}

function randomRaw(
  ctx: Context,
  op: string,
  dist: 'uniform' | 'normal',
  shape: number[],
  seed?: number,
): Tensor {
  const n = sizeOf(shape);
  const { key, counter } =
    seed === undefined ? ctx.nextRandomStream(n) : { key: seedToKey(op, seed), counter: 0 };
  return ctx.wrap(ctx.engine.random(dist, key, counter, n), shape);
}

/** x * scale + shift, disposing x and the intermediate. */
function scaleShift(x: Tensor, scale: number, shift: number): Tensor {
  const scaled = x.mul(scale);
  x.dispose();
  const out = scaled.add(shift);
  scaled.dispose();
  return out;
}
