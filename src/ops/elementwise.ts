// Elementwise ops with NumPy broadcasting: arithmetic, comparisons (0/1 masks), unary functions, where.
// Shape rules, validation and each op's gradient rule live here; the arithmetic is the backends'.
import { record } from '../autodiff';
import type { BinaryOp, UnaryOp } from '../backends/backend';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { operandOf, shapeOf, storageOf, type TensorLike } from './inputs';

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const ctx = x.ctx;
  const out = ctx.wrap(ctx.engine.unary(op, storageOf(op, ctx, x)), x.shape);
  record(out, [x], (g) => [unaryGrad(op, x, out, g)]);
  return out;
}

/** d(op(x))/dx times the incoming gradient g; `out` is op(x). */
function unaryGrad(op: UnaryOp, x: Tensor, out: Tensor, g: Tensor): Tensor {
  switch (op) {
    case 'neg':
      return g.neg();
    case 'abs':
      return g.mul(x.greater(0).sub(x.less(0))); // sign(x); 0 at 0
    case 'exp':
      return g.mul(out);
    case 'log':
      return g.div(x);
    case 'sqrt':
      return g.div(out.mul(2));
    case 'square':
      return g.mul(x).mul(2);
    case 'tanh':
      return g.mul(out.square().neg().add(1));
    case 'sigmoid':
      return g.mul(out.mul(out.neg().add(1)));
    case 'relu':
      return g.mul(x.greater(0));
    case 'copy':
      return g;
    case 'softplus':
      return g.mul(x.sigmoid());
  }
}

/**
 * Sums a gradient over the axes along which `shape` was broadcast, so it has `shape` again:
 * the chain rule for broadcasting (one input value fed many outputs).
 */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.join() === shape.join()) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  return (axes.length ? g.sum(axes, true) : g).reshape(shape);
}

const COMPARISONS = new Set<BinaryOp>(['greater', 'greaterEqual', 'less', 'lessEqual', 'equal', 'notEqual']);

export function binary(op: BinaryOp, a: Tensor, b: TensorLike): Tensor {
  const ctx = a.ctx;
  const outShape = broadcastShapes(op, a.shape, shapeOf(op, b));
  const storage = ctx.engine.binary(
    op,
    operandOf(op, ctx, a, outShape),
    operandOf(op, ctx, b, outShape),
    outShape,
  );
  const out = ctx.wrap(storage, outShape);
  if (!COMPARISONS.has(op)) {
    record(out, [a, b], (g) => {
      const [da, db] = binaryGrad(op, a, b, out, g);
      return [da && unbroadcast(da, a.shape), db && typeof b !== 'number' ? unbroadcast(db, b.shape) : null];
    });
  }
  return out;
}

/** Gradients of op(a, b) at the broadcast shape, before unbroadcasting. Ties of max/min go to `a`. */
function binaryGrad(
  op: BinaryOp,
  a: Tensor,
  b: TensorLike,
  out: Tensor,
  g: Tensor,
): [Tensor | null, Tensor | null] {
  const bIsTensor = typeof b !== 'number';
  switch (op) {
    case 'add':
      return [g, g];
    case 'sub':
      return [g, bIsTensor ? g.neg() : null];
    case 'mul':
      return [g.mul(b), bIsTensor ? g.mul(a) : null];
    case 'div':
      return [g.div(b), bIsTensor ? g.mul(out).div(b).neg() : null]; // d(a/b)/db = -(a/b)/b
    case 'pow': {
      const bm1 = typeof b === 'number' ? b - 1 : b.sub(1);
      const da = g.mul(b).mul(a.pow(bm1));
      // d(a^b)/db = a^b ln a, taken as 0 where a <= 0 (where the real power is not differentiable in b).
      const db = bIsTensor ? g.mul(out).mul(a.greater(0).where(a.log(), 0)) : null;
      return [da, db];
    }
    case 'maximum':
    case 'minimum': {
      const toA = op === 'maximum' ? a.greaterEqual(b) : a.lessEqual(b);
      return [g.mul(toA), bIsTensor ? g.mul(toA.neg().add(1)) : null];
    }
    default:
      return [null, null];
  }
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
  const out = ctx.wrap(storage, outShape);
  record(out, [cond, a, b], (g) => [
    null,
    typeof a === 'number' ? null : unbroadcast(cond.where(g, 0), a.shape),
    typeof b === 'number' ? null : unbroadcast(cond.where(0, g), b.shape),
  ]);
  return out;
}
