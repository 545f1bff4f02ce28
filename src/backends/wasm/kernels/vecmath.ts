// Float32 transcendental functions on four lanes at once (exp, sigmoid, tanh), for the elementwise and
// softmax kernels: range reduction plus minimax polynomials (exp's fitted here, tanh's from Cephes' tanhf),
// within 2 ulps of the correctly rounded result, with IEEE behaviour at the edges (NaN, infinities,
// results that overflow or fall into subnormals).
import {
  type Code,
  f32x4,
  type FunctionBuilder,
  get,
  i32,
  i32x4,
  type Local,
  seq,
  set,
  v128,
} from '../assembler';

/** p(x) = c[0] x^(n-1) + ... + c[n-1] by Horner's rule (x must be a cheap expression, e.g. a local). */
function horner(f: FunctionBuilder, x: Code, c: readonly number[]): Code {
  let acc = f.splat(c[0]);
  for (const ci of c.slice(1)) acc = f.madd(acc, x, f.splat(ci));
  return acc;
}

/** 2^n for integer lanes n in [-126, 127], built in the exponent field. */
const pow2 = (f: FunctionBuilder, n: Code): Code =>
  i32x4.shl(i32x4.add(n, f.splat(127, 'i32')), i32.const(23));

/** 1.5 * 2^23: added to a float of magnitude < 2^22, it rounds it to an integer held in the low mantissa bits. */
const MAGIC = 12582912;
const MAGIC_BITS = 0x4b400000;
/**
 * e^r = 1 + c1 r + ... + c6 r^6 on |r| <= ln2/2: a minimax fit of the relative error (9e-8 in exact
 * arithmetic, 1.6 float32 ulps by Horner's rule in float32), made for this file by Lawson's iterative
 * reweighting of least squares on 4001 Chebyshev nodes.
 */
const EXP_POLY = [
  0.0013843653723597527, 0.00837415549904108, 0.04166800156235695, 0.16666431725025177, 0.4999999403953552, 1,
  1,
];

/**
 * The range reduction shared by both exps: n = round(x / ln2) (by adding 1.5 * 2^23, which also leaves n as
 * an integer in the sum's bits: returned in `ni`), r = x - n ln2 with ln2 in two parts so that n ln2 is
 * exact, and the polynomial p(r) ~ e^r. Valid for |x| < 2^21.
 */
function reduceExp(f: FunctionBuilder, x: Code, ni: Local): Code {
  const k = (v: number) => f.splat(v);
  const xv = f.local('v128');
  const t = f.local('v128');
  const n = f.local('v128');
  const r = f.local('v128');
  return seq(
    set(xv, x),
    set(t, f32x4.add(f32x4.mul(get(xv), k(Math.LOG2E)), k(MAGIC))),
    set(n, f32x4.sub(get(t), k(MAGIC))),
    set(ni, i32x4.sub(get(t), f.splat(MAGIC_BITS, 'i32'))),
    set(r, f.madd(get(n), k(2.1219444e-4), f.madd(get(n), k(-0.693359375), get(xv)))),
    horner(f, get(r), EXP_POLY),
  );
}

/**
 * e^x, within 2 float32 ulps. The scaling by 2^n is done in two halves so that results down to the
 * smallest subnormal round correctly and large ones overflow to Infinity. Inputs are clamped to
 * [-104, 89], beyond which the result is 0 or Infinity anyway; pmax/pmin with x first keep NaN, which
 * stays NaN throughout.
 */
export function expV(f: FunctionBuilder, x: Code): Code {
  const k = (v: number) => f.splat(v);
  const ni = f.local('v128');
  const p = f.local('v128');
  const half = f.local('v128');
  return seq(
    set(p, reduceExp(f, f32x4.pmin(f32x4.pmax(x, k(-104)), k(89)), ni)),
    set(half, i32x4.shrS(get(ni), i32.const(1))),
    f32x4.mul(f32x4.mul(get(p), pow2(f, get(half))), pow2(f, i32x4.sub(get(ni), get(half)))),
  );
}

/** A degree-5 fit of e^r on |r| <= ln2/2 (1.8e-7 relative in float32, 3 ulps), fitted like EXP_POLY. */
const EXP_POLY_5 = [
  0.008290315046906471, 0.04189793020486832, 0.1666763573884964, 0.4999915063381195, 0.9999997019767761, 1,
];

/**
 * e^x for x <= 0 that is not NaN (softmax's x - max), within 3 ulps, in fewer steps than expV: the magic
 * number carries the exponent bias too, so that the sum's bits shifted left by 23 are 2^n itself, and a
 * degree-5 polynomial. Results below 2^-125 (x < -86.6, where 2^n would leave the normal range) are 0.
 */
export function expNonPositiveV(f: FunctionBuilder, x: Code): Code {
  const k = (v: number) => f.splat(v);
  const xv = f.local('v128');
  const t = f.local('v128');
  const n = f.local('v128');
  const r = f.local('v128');
  return seq(
    set(xv, x),
    set(t, f32x4.add(f32x4.mul(get(xv), k(Math.LOG2E)), k(MAGIC + 127))),
    set(n, f32x4.sub(get(t), k(MAGIC + 127))),
    set(r, f.madd(get(n), k(2.1219444e-4), f.madd(get(n), k(-0.693359375), get(xv)))),
    v128.andnot(
      f32x4.mul(horner(f, get(r), EXP_POLY_5), i32x4.shl(get(t), i32.const(23))),
      f32x4.lt(get(xv), k(-86.6)),
    ),
  );
}

/** The logistic sigmoid 1 / (1 + e^-x), from e = e^-|x|: 1/(1+e) for x >= 0, e/(1+e) below (no overflow). */
export function sigmoidV(f: FunctionBuilder, x: Code): Code {
  const k = (v: number) => f.splat(v);
  const xv = f.local('v128');
  const e = f.local('v128');
  const pos = f.local('v128');
  return seq(
    set(xv, x),
    set(e, expV(f, f32x4.neg(f32x4.abs(get(xv))))),
    set(pos, f32x4.div(k(1), f32x4.add(k(1), get(e)))),
    v128.bitselect(get(pos), f32x4.mul(get(e), get(pos)), f32x4.ge(get(xv), k(0))),
  );
}

/**
 * tanh x: for |x| < 0.625 the odd polynomial x + x^3 p(x^2); beyond, 1 - 2 / (e^(2|x|) + 1) with the sign
 * of x (1 once e^(2|x|) overflows). NaN takes the second branch and stays NaN.
 */
export function tanhV(f: FunctionBuilder, x: Code): Code {
  const k = (v: number) => f.splat(v);
  const xv = f.local('v128');
  const z = f.local('v128');
  const big = f.local('v128');
  const small = f32x4.add(
    f32x4.mul(
      f32x4.mul(get(z), get(xv)),
      horner(
        f,
        get(z),
        [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1],
      ),
    ),
    get(xv),
  );
  const signBit = f.splat(-0x80000000, 'i32');
  return seq(
    set(xv, x),
    set(z, f32x4.mul(get(xv), get(xv))),
    set(big, f32x4.sub(k(1), f32x4.div(k(2), f32x4.add(expV(f, f32x4.mul(f32x4.abs(get(xv)), k(2))), k(1))))),
    // copysign(big, x)
    set(big, v128.or(get(big), v128.and(get(xv), signBit))),
    v128.bitselect(small, get(big), f32x4.lt(f32x4.abs(get(xv)), k(0.625))),
  );
}
