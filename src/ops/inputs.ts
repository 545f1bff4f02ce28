// Checks shared by every op: operands are live tensors of one context, numbers are finite-or-IEEE numbers.
// Turns operands into what a backend consumes (storage with broadcast strides, or a float32 constant).

import type { Operand, Storage } from '../backends/backend';
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import { broadcastStrides } from '../shape';
import { Tensor } from '../tensor';

/** A tensor, or a plain number standing for a scalar. */
export type TensorLike = Tensor | number;

/** Checks that every tensor is alive and belongs to `ctx`; returns their storage. */
export function storageOf(op: string, ctx: Context, t: Tensor): Storage {
  if (!(t instanceof Tensor)) {
    throw new GradboxError(`${op}: expected a Tensor, got ${describe(t)}; create one with gb.tensor(...)`);
  }
  if (t.ctx !== ctx) {
    throw new GradboxError(
      `${op}: the tensors belong to two different contexts; copy one across with ` +
        'other.tensor(await t.data(), t.shape)',
    );
  }
  return t.storage(op);
}

export function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') {
    throw new GradboxError(`${op}: ${name} must be a number or a Tensor, got ${describe(v)}`);
  }
  return v;
}

/** The backend operand for a tensor or number broadcast to `outShape`. Numbers are rounded to float32. */
export function operandOf(op: string, ctx: Context, x: TensorLike, outShape: readonly number[]): Operand {
  if (typeof x === 'number') return Math.fround(x);
  return { data: storageOf(op, ctx, x), strides: broadcastStrides(x.shape, outShape) };
}

/** The shape of a tensor-or-number operand (a number is a scalar). */
export function shapeOf(op: string, x: TensorLike): readonly number[] {
  if (typeof x === 'number') return [];
  if (x instanceof Tensor) return x.shape;
  throw new GradboxError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}
