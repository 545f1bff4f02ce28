// Elementwise kernels in WebAssembly SIMD: unary functions over contiguous storage, and binary ops over
// rows of a broadcast (each operand read with a row stride and a column stride of 0, 1 or any element).
// Four lanes at a time; the last elements of a row go one at a time through the same vector code.
import type { BinaryOp, UnaryOp } from '../../backend';
import {
  type Code,
  f32x4,
  forRange,
  type FunctionBuilder,
  get,
  i32,
  ifElse,
  type ModuleBuilder,
  seq,
  set,
  v128,
  f32Addr,
} from '../assembler';
import { expV, sigmoidV, tanhV } from './vecmath';

/** 1.0 where a comparison's lane mask is set, else 0.0. */
const asNumber = (mask: Code) => v128.and(mask, f32x4.const(1));

/** The unary ops with a SIMD kernel, as functions of a vector held in a local (x may be read twice). */
export const SIMD_UNARY: Partial<Record<UnaryOp, (f: FunctionBuilder, x: Code) => Code>> = {
  neg: (_, x) => f32x4.neg(x),
  abs: (_, x) => f32x4.abs(x),
  sqrt: (_, x) => f32x4.sqrt(x),
  square: (_, x) => f32x4.mul(x, x),
  // max(x, 0) keeps NaN and turns -0 into +0, as relu does on the other backends.
  relu: (f, x) => f32x4.max(x, f.splat(0)),
  copy: (_, x) => x,
  floor: (_, x) => f32x4.floor(x),
  ceil: (_, x) => f32x4.ceil(x),
  // Half to even; a negative x that rounds to zero gives +0 (as the TypeScript rint does), -0 stays -0.
  round: (f, x) => v128.bitselect(x, f32x4.add(f32x4.nearest(x), f.splat(0)), f32x4.eq(x, f.splat(0))),
  reciprocal: (f, x) => f32x4.div(f.splat(1), x),
  rsqrt: (f, x) => f32x4.div(f.splat(1), f32x4.sqrt(x)),
  exp: expV,
  sigmoid: sigmoidV,
  tanh: tanhV,
};

/** The binary ops with a SIMD kernel. Comparisons give 1 or 0 (false for NaN, but NaN != x is 1). */
export const SIMD_BINARY: Partial<Record<BinaryOp, (a: Code, b: Code) => Code>> = {
  add: f32x4.add,
  sub: f32x4.sub,
  mul: f32x4.mul,
  div: f32x4.div,
  maximum: f32x4.max, // NaN-propagating, max(-0, +0) = +0, as Math.max
  minimum: f32x4.min,
  greater: (a, b) => asNumber(f32x4.gt(a, b)),
  greaterEqual: (a, b) => asNumber(f32x4.ge(a, b)),
  less: (a, b) => asNumber(f32x4.lt(a, b)),
  lessEqual: (a, b) => asNumber(f32x4.le(a, b)),
  equal: (a, b) => asNumber(f32x4.eq(a, b)),
  notEqual: (a, b) => asNumber(f32x4.ne(a, b)),
};

const c = i32.const;
const at = f32Addr;

/**
 * unary_<op>(x, out, n): out[i] = op(x[i]) for i < n (byte addresses).
 * binary_<op>(a, aRow, aCol, b, bRow, bCol, out, rows, n): out[r][i] = op(a[r*aRow + i*aCol],
 * b[r*bRow + i*bCol]) for r < rows, i < n, strides in bytes, out contiguous. Column strides of 4 (a row) or
 * 0 (one value per row) take the vector loop; others go element by element.
 */
export function addElementwise(m: ModuleBuilder): void {
  for (const [op, fn] of Object.entries(SIMD_UNARY)) {
    m.func(`unary_${op}`, ['i32', 'i32', 'i32'], null, (f, x, out, n) => {
      const i = f.local('i32');
      const n4 = f.local('i32');
      const v = f.local('v128');
      return seq(
        set(n4, i32.and(get(n), c(~3))),
        forRange(
          i,
          c(0),
          get(n4),
          4,
          set(v, v128.load(at(get(x), get(i)))),
          v128.store(at(get(out), get(i)), fn(f, get(v))),
        ),
        forRange(
          i,
          get(n4),
          get(n),
          1,
          set(v, v128.load32Splat(at(get(x), get(i)))),
          v128.store32Lane(at(get(out), get(i)), fn(f, get(v)), 0),
        ),
      );
    });
  }

  for (const [op, fn] of Object.entries(SIMD_BINARY)) {
    m.func(
      `binary_${op}`,
      ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
      null,
      (f, a, aRow, aCol, b, bRow, bCol, out, rows, n) => {
        const r = f.local('i32');
        const i = f.local('i32');
        const n4 = f.local('i32');
        const start = f.local('i32');
        const pa = f.local('i32');
        const pb = f.local('i32');
        const po = f.local('i32');
        const va = f.local('v128');
        const vb = f.local('v128');
        const vectorLoop = (loadA: Code, loadB: Code) =>
          seq(
            forRange(i, c(0), get(n4), 4, v128.store(at(get(po), get(i)), fn(loadA, loadB))),
            set(start, get(n4)),
          );
        const vecA = v128.load(at(get(pa), get(i)));
        const vecB = v128.load(at(get(pb), get(i)));
        const is = (stride: Code, bytes: number) => i32.eq(stride, c(bytes));
        return seq(
          set(n4, i32.and(get(n), c(~3))),
          forRange(
            r,
            c(0),
            get(rows),
            1,
            set(pa, i32.add(get(a), i32.mul(get(r), get(aRow)))),
            set(pb, i32.add(get(b), i32.mul(get(r), get(bRow)))),
            set(po, i32.add(get(out), i32.shl(i32.mul(get(r), get(n)), c(2)))),
            set(start, c(0)),
            ifElse(
              i32.and(is(get(aCol), 4), is(get(bCol), 4)),
              vectorLoop(vecA, vecB),
              ifElse(
                i32.and(is(get(aCol), 0), is(get(bCol), 4)),
                seq(set(va, v128.load32Splat(get(pa))), vectorLoop(get(va), vecB)),
                ifElse(
                  i32.and(is(get(aCol), 4), is(get(bCol), 0)),
                  seq(set(vb, v128.load32Splat(get(pb))), vectorLoop(vecA, get(vb))),
                ),
              ),
            ),
            forRange(
              i,
              get(start),
              get(n),
              1,
              v128.store32Lane(
                at(get(po), get(i)),
                fn(
                  v128.load32Splat(i32.add(get(pa), i32.mul(get(i), get(aCol)))),
                  v128.load32Splat(i32.add(get(pb), i32.mul(get(i), get(bCol)))),
                ),
                0,
              ),
            ),
          ),
        );
      },
    );
  }
}
