// Elementwise kernels on typed arrays: unary functions, broadcasting binary ops and where.
// Each scalar function here is the meaning the WGSL in shaders/elementwise.wgsl must match.
import type { BinaryOp, Operand, UnaryOp } from '../backend';
import { alloc, type CpuStorage, type FloatArray } from './storage';

/** Logistic sigmoid, stable for large |x| (never exp of a large positive number). */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Round half to even (NumPy's rint): 0.5 -> 0, 1.5 -> 2, -2.5 -> -2. */
function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d > 0.5 ? f + 1 : f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The error function in float64, to ~1e-16 absolute. Below |x| = 3: the series of Abramowitz and Stegun
 * 7.1.6, erf x = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)), whose terms are all positive
 * (no cancellation). From 3 on: 1 - erfc x, with erfc from its continued fraction (A&S 7.1.14 in the form
 * erfc x = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))), evaluated by Lentz's method;
 * erfc(3) ~ 2e-5, so its few-ulp relative error is far below erf's ulp.
 */
export function erf(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  } else if (a < 6) {
    // Lentz: f = x + a1/(x + a2/(x + ...)) with a_n = n/2.
    const tiny = 1e-300;
    let f = a;
    let c = a;
    let d = 0;
    for (let n = 1; n < 500; n++) {
      const an = n / 2;
      d = a + an * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = a + an / c;
      if (Math.abs(c) < tiny) c = tiny;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  } else {
    r = 1; // erfc(6) ~ 2e-17 is below half an ulp of 1
  }
  return x < 0 ? -r : r;
}

export const UNARY_FN: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => (x > 0 ? x : x === 0 || x < 0 ? 0 : x), // NaN stays NaN
  copy: (x) => x,
  softplus: (x) => (x < -15 ? Math.exp(x) : Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  floor: Math.floor,
  ceil: Math.ceil,
  round: rint,
  sign: Math.sign,
  log1p: Math.log1p,
  expm1: Math.expm1,
  erf,
  reciprocal: (x) => 1 / x,
  rsqrt: (x) => 1 / Math.sqrt(x),
};

export const BINARY_FN: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max, // propagates NaN
  minimum: Math.min,
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  atan2: Math.atan2, // the angle of the point (b, a), as in C and NumPy's arctan2(a, b)
};

export function unary(op: UnaryOp, x: CpuStorage): CpuStorage {
  const f = UNARY_FN[op];
  const src = x.data;
  const out = alloc(src, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return { length: out.length, data: out };
}

/** Calls `visit(i, offsets)` for every output index with each operand's element offset. */
function forEachBroadcast(
  outShape: readonly number[],
  strides: readonly (readonly number[])[],
  visit: (i: number, offsets: Int32Array) => void,
): void {
  const rank = outShape.length;
  let n = 1;
  for (const d of outShape) n *= d;
  const offsets = new Int32Array(strides.length);
  const counter = new Int32Array(rank);
  for (let i = 0; i < n; i++) {
    visit(i, offsets);
    // Odometer: step the last axis, carrying into earlier ones.
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]++;
      for (let k = 0; k < strides.length; k++) offsets[k] += strides[k][ax];
      if (counter[ax] < outShape[ax]) break;
      for (let k = 0; k < strides.length; k++) offsets[k] -= strides[k][ax] * outShape[ax];
      counter[ax] = 0;
    }
  }
}

/** Accessors for an operand: a constant, or storage read through strides. */
function reader(x: Operand): { data: FloatArray; strides: readonly number[] } | number {
  return typeof x === 'number' ? x : { data: (x.data as CpuStorage).data, strides: x.strides };
}

function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

/** Evaluates f over operands broadcast to outShape, with fast paths for contiguous and constant operands. */
export function broadcastMap(
  operands: readonly Operand[],
  outShape: readonly number[],
  f: (...args: number[]) => number,
): CpuStorage {
  let n = 1;
  for (const d of outShape) n *= d;
  const rs = operands.map(reader);
  const first = rs.find((r) => typeof r !== 'number') as { data: FloatArray } | undefined;
  const out = alloc(first?.data ?? Float32Array, n);
  const simple = rs.every((r) => typeof r === 'number' || isContiguous(r.strides, outShape));
  if (simple) {
    const arrays = rs.map((r) => (typeof r === 'number' ? null : r.data));
    const consts = rs.map((r) => (typeof r === 'number' ? r : 0));
    if (rs.length === 2) {
      const [a, b] = arrays;
      const [ca, cb] = consts;
      for (let i = 0; i < n; i++) out[i] = f(a ? a[i] : ca, b ? b[i] : cb);
    } else {
      const args = new Array<number>(rs.length);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < rs.length; k++) args[k] = arrays[k] ? arrays[k]![i] : consts[k];
        out[i] = f(...args);
      }
    }
    return { length: n, data: out };
  }
  const zeros = outShape.map(() => 0);
  const strides = rs.map((r) => (typeof r === 'number' ? zeros : r.strides));
  const args = new Array<number>(rs.length);
  forEachBroadcast(outShape, strides, (i, offsets) => {
    for (let k = 0; k < rs.length; k++) {
      const r = rs[k];
      args[k] = typeof r === 'number' ? r : r.data[offsets[k]];
    }
    out[i] = f(...args);
  });
  return { length: n, data: out };
}

export function binary(op: BinaryOp, a: Operand, b: Operand, outShape: readonly number[]): CpuStorage {
  return broadcastMap([a, b], outShape, BINARY_FN[op]);
}

export function where(cond: Operand, a: Operand, b: Operand, outShape: readonly number[]): CpuStorage {
  return broadcastMap([cond, a, b], outShape, (c, x, y) => (c !== 0 ? x : y));
}

/** A contiguous copy of x read through strides over outShape. */
export function strided(x: CpuStorage, strides: readonly number[], outShape: readonly number[]): CpuStorage {
  return broadcastMap([{ data: x, strides }], outShape, (v) => v);
}
