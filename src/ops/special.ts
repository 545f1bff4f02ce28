// Special functions as tensor ops: lgamma, digamma, trigamma, erfc, erfinv, erfcinv, the regularised
// incomplete gamma functions and the regularised incomplete beta function, with their gradient rules.
import { record } from '../autodiff';
import type { SpecialOp } from '../backends/backend';
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import { broadcastShapes } from '../shape';
import * as scalar from '../special/scalar';
import { Tensor } from '../tensor';
import { unbroadcast } from './elementwise';
import { operandOf, shapeOf, type TensorLike } from './inputs';

const HALF_SQRT_PI = Math.sqrt(Math.PI) / 2;

/** The context of the first tensor among args; numbers alone are not an op on a device. */
function contextOf(op: string, args: readonly TensorLike[]): Context {
  for (const a of args) {
    if (a instanceof Tensor) return a.ctx;
    if (typeof a !== 'number') {
      throw new GradboxError(`${op}: expected Tensors or numbers, got ${describe(a)}`);
    }
  }
  throw new GradboxError(
    `${op}: needs at least one Tensor argument, got only numbers; for numbers use the float64 functions ` +
      'of special (e.g. special.scalar.lgamma)',
  );
}

/** True when some tape now recording will want a gradient for x. */
function needsGradient(x: TensorLike): boolean {
  return x instanceof Tensor && x.ctx.recording.tapes.some((t) => t.requires.has(x));
}

/** Runs the backend's special function over broadcast operands and wraps the result. */
function run(op: SpecialOp, args: readonly TensorLike[]): Tensor {
  const ctx = contextOf(op, args);
  let outShape: readonly number[] = [];
  for (const a of args) outShape = broadcastShapes(op, outShape, shapeOf(op, a));
  const storage = ctx.engine.special(
    op,
    args.map((a) => operandOf(op, ctx, a, outShape)),
    outShape,
  );
  return ctx.wrap(storage, outShape);
}

/** c log(x), taken as 0 where c is 0 (so a density's x^0 factor stays 1 at x = 0). */
export function xlogy(c: TensorLike, x: Tensor): Tensor {
  if (typeof c === 'number') return c === 0 ? x.mul(0) : x.log().mul(c);
  return c.equal(0).where(0, x.log().mul(c));
}

/** log Beta(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b): recorded for tensors, float64 for two numbers. */
export function lbetaOf(a: TensorLike, b: TensorLike): TensorLike {
  if (typeof a === 'number' && typeof b === 'number') return scalar.lbeta(a, b);
  const sum = typeof a === 'number' ? (b as Tensor).add(a) : a.add(b);
  const la = lgammaOf(a);
  const lb = lgammaOf(b);
  const both = typeof la === 'number' ? (lb as Tensor).add(la) : la.add(lb);
  return both.sub(lgamma(sum));
}

/** lgamma of a tensor (recorded) or of a number (float64). */
export function lgammaOf(x: TensorLike): TensorLike {
  return typeof x === 'number' ? scalar.lgamma(x) : lgamma(x);
}

/** log |Gamma(x)|; gradient digamma(x). */
export function lgamma(x: Tensor): Tensor {
  const out = run('lgamma', [x]);
  record(out, [x], (g) => [g.mul(digamma(x))]);
  return out;
}

/** The digamma function psi(x) = d/dx lgamma(x); gradient trigamma(x). */
export function digamma(x: Tensor): Tensor {
  const out = run('digamma', [x]);
  record(out, [x], (g) => [g.mul(trigamma(x))]);
  return out;
}

/** The trigamma function psi'(x). Its own derivative (tetragamma) is not implemented: differentiating it throws. */
export function trigamma(x: Tensor): Tensor {
  const out = run('trigamma', [x]);
  record(out, [x], () => {
    throw new GradboxError(
      'trigamma: its derivative (the tetragamma function) is not implemented, so gradients of trigamma, ' +
        'and third derivatives of lgamma, are not available',
    );
  });
  return out;
}

/** erfc(x) = 1 - erf(x), accurate in the right tail; gradient -2/sqrt(pi) e^(-x^2). */
export function erfc(x: Tensor): Tensor {
  const out = run('erfc', [x]);
  record(out, [x], (g) => [
    g.mul(
      x
        .square()
        .neg()
        .exp()
        .mul(-1 / HALF_SQRT_PI),
    ),
  ]);
  return out;
}

/** The inverse error function on [-1, 1]; gradient sqrt(pi)/2 e^(erfinv(y)^2). */
export function erfinv(y: Tensor): Tensor {
  const out = run('erfinv', [y]);
  record(out, [y], (g) => [g.mul(out.square().exp().mul(HALF_SQRT_PI))]);
  return out;
}

/** The inverse complementary error function on [0, 2]; gradient -sqrt(pi)/2 e^(erfcinv(q)^2). */
export function erfcinv(q: Tensor): Tensor {
  const out = run('erfcinv', [q]);
  record(out, [q], (g) => [g.mul(out.square().exp().mul(-HALF_SQRT_PI))]);
  return out;
}

/** The error thrown when a gradient with respect to a shape parameter of P, Q or I is asked for. */
function noParameterGradient(op: string, name: string): never {
  throw new GradboxError(
    `${op}: the gradient with respect to ${name} is not implemented (it has no closed form); ` +
      `differentiate with respect to x only, or pass ${name} as a number or a tensor outside grad()`,
  );
}

/** x^(a-1) e^-x / Gamma(a): the derivative of P(a, x) in x. */
function gammaDensity(a: TensorLike, x: Tensor): Tensor {
  const am1 = typeof a === 'number' ? a - 1 : a.sub(1);
  const la = lgammaOf(a);
  return xlogy(am1, x).sub(x).sub(la).exp();
}

function incompleteGamma(op: 'gammaP' | 'gammaQ', a: TensorLike, x: TensorLike): Tensor {
  const out = run(op, [a, x]);
  const aNeeds = needsGradient(a);
  record(out, [a, x], (g) => {
    if (aNeeds) noParameterGradient(op, 'a');
    if (typeof x === 'number') return [null, null];
    const d = g.mul(gammaDensity(a, x.broadcastTo(out.shape)));
    return [null, unbroadcast(op === 'gammaP' ? d : d.neg(), x.shape)];
  });
  return out;
}

/** The regularised lower incomplete gamma function P(a, x) (SciPy's gammainc); differentiable in x. */
export function gammaP(a: TensorLike, x: TensorLike): Tensor {
  return incompleteGamma('gammaP', a, x);
}

/** The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x) (SciPy's gammaincc); differentiable in x. */
export function gammaQ(a: TensorLike, x: TensorLike): Tensor {
  return incompleteGamma('gammaQ', a, x);
}

/** The regularised incomplete beta function I_x(a, b) (SciPy's betainc(a, b, x)); differentiable in x. */
export function betaI(a: TensorLike, b: TensorLike, x: TensorLike): Tensor {
  const op = 'betaI';
  const out = run(op, [a, b, x]);
  const aNeeds = needsGradient(a);
  const bNeeds = needsGradient(b);
  record(out, [a, b, x], (g) => {
    if (aNeeds) noParameterGradient(op, 'a');
    if (bNeeds) noParameterGradient(op, 'b');
    if (typeof x === 'number') return [null, null, null];
    // dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b)
    const xb = x.broadcastTo(out.shape);
    const am1 = typeof a === 'number' ? a - 1 : a.sub(1);
    const bm1 = typeof b === 'number' ? b - 1 : b.sub(1);
    const logDensity = xlogy(am1, xb)
      .add(xlogy(bm1, xb.neg().add(1)))
      .sub(lbetaOf(a, b));
    return [null, null, unbroadcast(g.mul(logDensity.exp()), x.shape)];
  });
  return out;
}
