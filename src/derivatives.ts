// Derivatives beyond the gradient: Jacobians, Hessians, Hessian-vector and Jacobian-vector products,
// all from reverse mode (a backward pass run under an outer tape is recorded and can be differentiated).
import { grad, pullback, recordOver, scoped, vjp } from './autodiff';
import type { Context } from './context';
import { describe, fmtShape, GradboxError } from './errors';
import { writeAt } from './ops/optim';
import { Tensor } from './tensor';

function sameShape(op: string, what: string, v: unknown, x: Tensor): Tensor {
  if (!(v instanceof Tensor)) throw new GradboxError(`${op}: ${what} must be a Tensor, got ${describe(v)}`);
  if (v.shape.join() !== x.shape.join()) {
    throw new GradboxError(
      `${op}: ${what} must have x's shape ${fmtShape(x.shape)}, got ${fmtShape(v.shape)}; it is a direction in x's space`,
    );
  }
  return v;
}

/**
 * The Jacobian of f at x, shape [...f(x).shape, ...x.shape]: one reverse pass per output element, each
 * seeded with a one-hot cotangent. The result is assembled by copies and is not differentiable again.
 */
function jacobianOf(ctx: Context, op: string, f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return scoped(ctx, () => {
    const { y, pullback: back } = vjp(ctx, op, f, x);
    const m = y.size;
    const n = x.size;
    const out = ctx.zeros([m * n]);
    for (let i = 0; i < m; i++) {
      // Row i: the gradient of y[i], from the cotangent e_i (made on the device: one fill, one one-hot).
      ctx.tidy(() => writeAt(out, i * n, back(ctx.full([1], i).oneHot(m).reshape(y.shape))));
    }
    return out.reshape([...y.shape, ...x.shape]);
  });
}

/** The function form behind Context.jacobian. @internal */
export function jacobian(ctx: Context, f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) => jacobianOf(ctx, 'jacobian', f, x);
}

/** The function form behind Context.hessian: the Jacobian of the gradient. @internal */
export function hessian(ctx: Context, f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const df = grad(ctx, f);
  return (x) => jacobianOf(ctx, 'hessian', (xv) => df(xv)[0], x);
}

/** The function form behind Context.hvp: H v as the pullback of v through the gradient (H is symmetric). @internal */
export function hvp(ctx: Context, f: (x: Tensor) => Tensor): (x: Tensor, v: Tensor) => Tensor {
  const df = grad(ctx, f);
  return (x, v) => {
    const op = 'hvp';
    return scoped(ctx, () => {
      const { pullback: back } = vjp(ctx, op, (xv) => df(xv)[0], x);
      return back(sameShape(op, 'v', v, x));
    });
  };
}

/**
 * The function form behind Context.jvp: [f(x), J v] by two reverse passes. The pullback u -> J^T u is
 * linear in u, so J v is the gradient of <J^T u, v> with respect to u (taken at u = 0). @internal
 */
export function jvp(ctx: Context, f: (x: Tensor) => Tensor): (x: Tensor, v: Tensor) => [Tensor, Tensor] {
  return (x, v) => {
    const op = 'jvp';
    return scoped(ctx, () => {
      const { y, pullback: back } = vjp(ctx, op, f, x);
      sameShape(op, 'v', v, x);
      const u = ctx.zeros(y.shape);
      const { result: s, tape } = recordOver(ctx, [u], () => back(u).mul(v).sum());
      const [jv] = pullback(ctx, tape, s, [u], ctx.onesLike(s));
      // The value is the caller's: new, even when f returned its argument.
      const value = ctx.registry.madeInScope(y) && y !== x ? y : y.clone();
      return [value, jv] as [Tensor, Tensor];
    });
  };
}
