// Elementwise ops with NumPy broadcasting: arithmetic, comparisons (0/1 masks), unary functions, where.
// Shape rules and validation live here; the arithmetic itself is the backends' (CPU twin and WGSL).
import type { BinaryOp, UnaryOp } from '../backends/backend';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { operandOf, shapeOf, storageOf, type TensorLike } from './inputs';

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const ctx = x.ctx;
  return ctx.wrap(ctx.engine.unary(op, storageOf(op, ctx, x)), x.shape);
}

export function binary(op: BinaryOp, a: Tensor, b: TensorLike): Tensor {
  const ctx = a.ctx;
  const outShape = broadcastShapes(op, a.shape, shapeOf(op, b));
  const storage = ctx.engine.binary(
    op,
    operandOf(op, ctx, a, outShape),
    operandOf(op, ctx, b, outShape),
    outShape,
  );
  return ctx.wrap(storage, outShape);
}

/** Elementwise choice: `cond != 0 ? a : b`, all three broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ctx = cond.ctx;
  const op = 'where';
  let outShape = broadcastShapes(op, cond.shape, shapeOf(op, a));
  outShape = broadcastShapes(op, outShape, shapeOf(op, b));
  const storage = ctx.engine.where(
    operandOf(op, ctx, cond, outShape),
    operandOf(op, ctx, a, outShape),
    operandOf(op, ctx, b, outShape),
    outShape,
  );
  return ctx.wrap(storage, outShape);
}
