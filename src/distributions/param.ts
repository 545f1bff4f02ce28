// Parameters of distributions: numbers or tensors. Checks (numbers at once, tensors on validate()), the batch
// shape they broadcast to, and arithmetic that stays in float64 numbers until a tensor takes part.
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { lgamma as lgammaTensor, digamma as digammaTensor } from '../ops/special';
import { broadcastShapes } from '../shape';
import * as scalar from '../special/scalar';
import { Tensor } from '../tensor';

/** A parameter: a number (one distribution) or a tensor (a batch of them, broadcast together). */
export type Param = Tensor | number;

/** A rule a parameter must satisfy, in words for the error message and as a test of one value. */
export interface Rule {
  /** e.g. 'must be > 0'. */
  text: string;
  test: (v: number) => boolean;
}

export const POSITIVE: Rule = { text: 'must be > 0', test: (v) => v > 0 };
export const NON_NEGATIVE: Rule = { text: 'must be >= 0', test: (v) => v >= 0 };
export const FINITE: Rule = { text: 'must be a finite number', test: (v) => Number.isFinite(v) };
export const PROBABILITY: Rule = { text: 'must lie in [0, 1]', test: (v) => v >= 0 && v <= 1 };
export const COUNT: Rule = {
  text: 'must be a non-negative integer',
  test: (v) => v >= 0 && Number.isInteger(v),
};

/** One parameter to check: its name, value and rule. */
export interface Check {
  name: string;
  value: Param;
  rule: Rule;
}

/** Checks a number now (a tensor waits for validate()); returns the parameter. */
export function checkParam(family: string, name: string, value: unknown, rule: Rule): Param {
  if (value instanceof Tensor) return value;
  if (typeof value !== 'number') {
    throw new GradboxError(
      `dist.${family}: ${name} must be a number or a Tensor, got ${describe(value)}; e.g. { ${name}: 1 }`,
    );
  }
  if (!rule.test(value)) throw new GradboxError(`dist.${family}: ${name} ${rule.text}, got ${value}`);
  return value;
}

/** Reads tensor parameters back and throws for the first element that breaks its rule. */
export async function validateChecks(family: string, checks: readonly Check[]): Promise<void> {
  for (const { name, value, rule } of checks) {
    if (!(value instanceof Tensor)) continue;
    const data = await value.data();
    const i = data.findIndex((v) => !rule.test(v));
    if (i >= 0) {
      throw new GradboxError(
        `dist.${family}: ${name} ${rule.text} everywhere, but element ${i} of the ${fmtShape(value.shape)} ` +
          `tensor is ${data[i]}`,
      );
    }
  }
}

/** The shape a parameter contributes (numbers: scalar). */
export const shapeOfParam = (p: Param): readonly number[] => (p instanceof Tensor ? p.shape : []);

/** The broadcast of the parameters' shapes: the batch shape of the distribution. */
export function batchShapeOf(family: string, params: readonly Param[]): number[] {
  let shape: readonly number[] = [];
  for (const p of params) shape = broadcastShapes(`dist.${family}`, shape, shapeOfParam(p));
  return [...shape];
}

/** The context of the first tensor among the parameters, else the one given. */
export function contextOf(gb: Context, params: readonly Param[]): Context {
  for (const p of params) {
    if (p instanceof Tensor && p.ctx !== gb) {
      throw new GradboxError('dist: a parameter tensor belongs to another context than the one given');
    }
  }
  return gb;
}

// Arithmetic on parameters: number op number stays a float64 number; anything with a tensor is a recorded op.

export function add(a: Param, b: Param): Param {
  if (typeof a === 'number') return typeof b === 'number' ? a + b : b.add(a);
  return a.add(b);
}
export function sub(a: Param, b: Param): Param {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : b.neg().add(a);
  return a.sub(b);
}
export function mul(a: Param, b: Param): Param {
  if (typeof a === 'number') return typeof b === 'number' ? a * b : b.mul(a);
  return a.mul(b);
}
export function div(a: Param, b: Param): Param {
  if (typeof a === 'number') return typeof b === 'number' ? a / b : b.reciprocal().mul(a);
  return a.div(b);
}
export const neg = (a: Param): Param => (typeof a === 'number' ? -a : a.neg());
export const log = (a: Param): Param => (typeof a === 'number' ? Math.log(a) : a.log());
export const log1p = (a: Param): Param => (typeof a === 'number' ? Math.log1p(a) : a.log1p());
export const exp = (a: Param): Param => (typeof a === 'number' ? Math.exp(a) : a.exp());
export const expm1 = (a: Param): Param => (typeof a === 'number' ? Math.expm1(a) : a.expm1());
export const sqrt = (a: Param): Param => (typeof a === 'number' ? Math.sqrt(a) : a.sqrt());
export const square = (a: Param): Param => (typeof a === 'number' ? a * a : a.square());
export const lgamma = (a: Param): Param => (typeof a === 'number' ? scalar.lgamma(a) : lgammaTensor(a));
export const digamma = (a: Param): Param => (typeof a === 'number' ? scalar.digamma(a) : digammaTensor(a));
export const lbeta = (a: Param, b: Param): Param => sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)));

/** A parameter as a new tensor of `shape` (a number filled in, a tensor broadcast or copied). */
export function toTensor(gb: Context, p: Param, shape: readonly number[]): Tensor {
  if (typeof p === 'number') return gb.full([...shape], p);
  return p.shape.join() === shape.join() ? p.clone() : p.broadcastTo(shape);
}
