// What the stats functions share: checks of their inputs with messages that say what to pass instead,
// and the one readback that turns a few device scalars into plain numbers.
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import { Tensor } from '../tensor';

/** Checks that x is a live tensor and returns it (so `x.ctx` is safe to use afterwards). */
export function checkTensor(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new GradboxError(
      `${op}: ${name} must be a Tensor, got ${describe(x)}; create one with gb.tensor(...)`,
    );
  }
  storageOf(op, x.ctx, x);
  return x;
}

/** A 1-D sample of at least `min` observations. */
export function checkSample(op: string, name: string, x: unknown, min: number): Tensor {
  const t = checkTensor(op, name, x);
  if (t.shape.length !== 1) {
    throw new GradboxError(
      `${op}: ${name} must be a 1-D sample (one value per observation), got shape ${fmtShape(t.shape)}; ` +
        'flatten it with reshape([-1]) or pick a column',
    );
  }
  if (t.shape[0] < min) {
    throw new GradboxError(`${op}: ${name} needs at least ${min} observations, got ${t.shape[0]}`);
  }
  return t;
}

/** Checks that two tensors belong to one context (the ops would say so too, less plainly). */
export function sameContext(op: string, a: Tensor, b: Tensor): void {
  storageOf(op, a.ctx, b);
}

/** A number in an open or closed interval, named in the message when it is not. */
export function checkInRange(
  op: string,
  name: string,
  v: unknown,
  lo: number,
  hi: number,
  { integer = false, open = false } = {},
): number {
  const inside = typeof v === 'number' && (open ? v > lo && v < hi : v >= lo && v <= hi);
  if (!inside || (integer && !Number.isInteger(v))) {
    const what = integer ? 'an integer' : 'a number';
    const range = open ? `strictly between ${lo} and ${hi}` : `from ${lo} to ${hi}`;
    throw new GradboxError(`${op}: ${name} must be ${what} ${range}, got ${describe(v)}`);
  }
  return v as number;
}

/**
 * Runs `build` (which makes a few scalars on the device) in a tidy scope and reads them back with one
 * readback; every tensor it made is freed.
 */
export async function readScalars(gb: Context, build: () => Tensor[]): Promise<number[]> {
  const joined = gb.tidy(() => gb.concat(build().map((t) => t.reshape([1]))));
  try {
    return Array.from(await joined.data());
  } finally {
    joined.dispose();
  }
}
