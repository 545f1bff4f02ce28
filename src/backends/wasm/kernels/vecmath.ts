// Float32 transcendental functions on four lanes at once (exp, sigmoid, tanh), for the elementwise and
// softmax kernels: range reduction plus minimax polynomials (the coefficients of Cephes' expf and tanhf),
// within 2 ulps of the correctly rounded result, with IEEE behaviour at the edges (NaN, infinities,
// results that overflow or fall into subnormals).
import { type Code, f32x4, type FunctionBuilder, get, i32, i32x4, seq, set, v128 } from '../assembler';

const k = f32x4.const;

/** p(x) = c[0] x^(n-1) + ... + c[n-1] by Horner's rule (x must be a cheap expression, e.g. a local). */
function horner(x: Code, c: readonly number[]): Code {
  let acc = k(c[0]);
  for (const ci of c.slice(1)) acc = f32x4.add(f32x4.mul(acc, x), k(ci));
  return acc;
}

/** 2^n for integer lanes n in [-126, 127], built in the exponent field. */
const pow2 = (n: Code): Code => i32x4.shl(i32x4.add(n, i32x4.const(127)), i32.const(23));

/**
 * e^x. Reduction: x = n ln2 + r with n = round(x / ln2) and |r| <= ln2/2 (ln2 split in two parts so that
 * n ln2 is exact); e^r = 1 + r + r^2 p(r). The scaling by 2^n is done in two halves so that results down to
 * the smallest subnormal round correctly and large ones overflow to Infinity. Inputs are clamped to
 * [-104, 89], beyond which the result is 0 or Infinity anyway; NaN stays NaN (min and max propagate it).
 */
export function expV(f: FunctionBuilder, x: Code): Code {
  const xc = f.local('v128');
  const n = f.local('v128');
  const r = f.local('v128');
  const ni = f.local('v128');
  const half = f.local('v128');
  const clamped = f32x4.min(f32x4.max(x, k(-104)), k(89));
  return seq(
    set(xc, clamped),
    set(n, f32x4.nearest(f32x4.mul(get(xc), k(Math.LOG2E)))),
    set(
      r,
      f32x4.sub(f32x4.sub(get(xc), f32x4.mul(get(n), k(0.693359375))), f32x4.mul(get(n), k(-2.1219444e-4))),
    ),
    set(ni, i32x4.truncSatF32x4S(get(n))),
    set(half, i32x4.shrS(get(ni), i32.const(1))),
    f32x4.mul(
      f32x4.mul(
        f32x4.add(
          f32x4.add(
            f32x4.mul(
              f32x4.mul(get(r), get(r)),
              horner(
                get(r),
                [
                  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
                  5.0000001201e-1,
                ],
              ),
            ),
            get(r),
          ),
          k(1),
        ),
        pow2(get(half)),
      ),
      pow2(i32x4.sub(get(ni), get(half))),
    ),
  );
}

/** The logistic sigmoid 1 / (1 + e^-x), from e = e^-|x|: 1/(1+e) for x >= 0, e/(1+e) below (no overflow). */
export function sigmoidV(f: FunctionBuilder, x: Code): Code {
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
  const xv = f.local('v128');
  const z = f.local('v128');
  const big = f.local('v128');
  const small = f32x4.add(
    f32x4.mul(
      f32x4.mul(get(z), get(xv)),
      horner(
        get(z),
        [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1],
      ),
    ),
    get(xv),
  );
  const signBit = i32x4.const(-0x80000000);
  return seq(
    set(xv, x),
    set(z, f32x4.mul(get(xv), get(xv))),
    set(big, f32x4.sub(k(1), f32x4.div(k(2), f32x4.add(expV(f, f32x4.mul(f32x4.abs(get(xv)), k(2))), k(1))))),
    // copysign(big, x)
    set(big, v128.or(get(big), v128.and(get(xv), signBit))),
    v128.bitselect(small, get(big), f32x4.lt(f32x4.abs(get(xv)), k(0.625))),
  );
}
