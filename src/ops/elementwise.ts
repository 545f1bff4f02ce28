// Elementwise ops with NumPy broadcasting: arithmetic, comparisons (0/1 masks), unary functions, where.
// Shape rules, validation and each op's gradient rule live here; the arithmetic is the backends'.
import { record } from '../autodiff';
import type { BinaryOp, UnaryOp } from '../backends/backend';
import { describe, GradboxError } from '../errors';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { operandOf, shapeOf, storageOf, type TensorLike } from './inputs';

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const ctx = x.ctx;
  const out = ctx.wrap(ctx.engine.unary(op, storageOf(op, ctx, x)), x.shape);
  record(out, [x], (g) => [unaryGrad(op, x, out, g)]);
  return out;
}

/**
 * d(op(x))/dx times the incoming gradient g; `out` is op(x). Built from recorded ops only, so a rule is
 * itself differentiable. null: no gradient (a step function, whose derivative is 0 wherever it exists).
 */
function unaryGrad(op: UnaryOp, x: Tensor, out: Tensor, g: Tensor): Tensor | null {
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
    case 'sin':
      return g.mul(x.cos());
    case 'cos':
      return g.mul(x.sin()).neg();
    case 'tan':
      return g.mul(out.square().add(1)); // sec^2 x = 1 + tan^2 x
    case 'asin':
      return g.mul(oneMinusSquare(x).rsqrt()); // 1 / sqrt(1 - x^2): +Inf at +-1
    case 'acos':
      return g.mul(oneMinusSquare(x).rsqrt()).neg();
    case 'atan':
      return g.div(x.square().add(1));
    case 'sinh':
      return g.mul(x.cosh());
    case 'cosh':
      return g.mul(x.sinh());
    case 'floor':
    case 'ceil':
    case 'round':
    case 'sign':
      return null;
    case 'log1p':
      return g.div(x.add(1));
    case 'expm1':
      return g.mul(out.add(1)); // e^x
    case 'erf':
      return g.mul(
        x
          .square()
          .neg()
          .exp()
          .mul(2 / Math.sqrt(Math.PI)),
      );
    case 'reciprocal':
      return g.mul(out.square()).neg(); // -1 / x^2
    case 'rsqrt':
      return g.mul(out.square().mul(out)).mul(-0.5); // -x^(-3/2) / 2
  }
}

/** 1 - x^2 as (1 - x)(1 + x), exact near |x| = 1 where the derivatives of asin and acos blow up. */
function oneMinusSquare(x: Tensor): Tensor {
  return x.neg().add(1).mul(x.add(1));
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
    case 'atan2': {
      // atan2(a, b) is the angle of the point (b, a): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2).
      const r2 = a.square().add(typeof b === 'number' ? b * b : b.square());
      return [g.mul(b).div(r2), bIsTensor ? g.mul(a).div(r2).neg() : null];
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

// Issue 9: parametrised activations and clip, composed of recorded ops (so their gradients, and the
// gradients of those, come from the ops' own rules).

function checkNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new GradboxError(`${op}: ${name} must be a number, got ${describe(v)}`);
  }
  return v;
}

/** x where x > 0, alpha x elsewhere; the derivative at 0 is alpha (as relu'(0) = 0). */
export function leakyRelu(x: Tensor, alpha: number): Tensor {
  checkNumber('leakyRelu', 'alpha', alpha);
  return x.greater(0).where(x, x.mul(alpha));
}

/**
 * x where x > 0, alpha (e^x - 1) elsewhere; the derivative at 0 is alpha (the left one). The negative
 * branch sees min(x, 0), so a large positive x makes no Inf there whose zero gradient would turn into NaN.
 */
export function elu(x: Tensor, alpha: number): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return x.greater(0).where(x, x.minimum(0).expm1().mul(alpha));
}

/**
 * The exact GELU, x Phi(x) = x (1 + erf(x / sqrt 2)) / 2. For x below about -5 the float32 result is
 * accurate in absolute terms (~1e-7 |x|), not relative ones: 1 + erf cancels there.
 */
export function gelu(x: Tensor): Tensor {
  return x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5);
}

/**
 * Limits x to [min, max] as minimum(maximum(x, min), max): the gradient is 1 on the closed interval
 * (ties of maximum/minimum go to x) and 0 outside; NaN stays NaN.
 */
export function clip(x: Tensor, min: number, max: number): Tensor {
  checkNumber('clip', 'min', min);
  checkNumber('clip', 'max', max);
  if (min > max) throw new GradboxError(`clip: min must be <= max, got min=${min}, max=${max}`);
  return x.maximum(min).minimum(max);
}
