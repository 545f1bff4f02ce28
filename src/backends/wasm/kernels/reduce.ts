// Reductions and the softmax family in WebAssembly SIMD. Sums add float32 lanes over blocks of at most
// 1024 elements (or 256 rows) and carry the block sums in float64, so a long sum keeps the accuracy the
// other backends have; max and min propagate NaN like the TypeScript kernels.
import { SOFTMAX_MODES, type SoftmaxMode } from '../../backend';
import {
  type Code,
  f32,
  f32x4,
  f64,
  f64x2,
  forRange,
  type FunctionBuilder,
  get,
  i32,
  ifElse,
  type Local,
  type ModuleBuilder,
  select,
  seq,
  set,
  v128,
  f32Addr,
} from '../assembler';
import { expNonPositiveV, expV } from './vecmath';

const c = i32.const;
const at = f32Addr;
/** Elements per block of a float32 partial sum (per lane: 1024 / 16 = 64 additions). */
const BLOCK = 1024;
/** Rows per block of a float32 partial column sum. */
const ROW_BLOCK = 256;

/** The four lanes of a vector added in float64. */
function sumLanes64(v: Code, f: FunctionBuilder): Code {
  const t = f.local('v128');
  const high = v128.shuffle(get(t), get(t), [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  const pairs = f.local('v128');
  return seq(
    set(t, v),
    set(pairs, f64x2.add(f32x4.promoteLow(get(t)), f32x4.promoteLow(high))),
    f64.add(f64x2.extractLane(get(pairs), 0), f64x2.extractLane(get(pairs), 1)),
  );
}

/** The max (or min) of the four lanes, NaN if any is NaN. */
function foldLanes(v: Code, f: FunctionBuilder, op: 'max' | 'min'): Code {
  const t = f.local('v128');
  const g = op === 'max' ? f32.max : f32.min;
  return seq(
    set(t, v),
    g(
      g(f32x4.extractLane(get(t), 0), f32x4.extractLane(get(t), 1)),
      g(f32x4.extractLane(get(t), 2), f32x4.extractLane(get(t), 3)),
    ),
  );
}

/**
 * Sum of n floats at `base` of `term(vector)` in float64: four f32x4 accumulators over blocks of BLOCK
 * elements, each block's total added in float64; the tail one by one. `term` maps loaded vectors (for
 * softmax: e^(x - shift)); `visit` may store them on the way (address of the element, value, and how
 * many lanes are elements: 4, or 1 in the tail).
 */
function blockedSum(
  f: FunctionBuilder,
  base: Local,
  n: Local,
  total: Local,
  term: (x: Code) => Code,
  visit?: (addr: Code, v: Code, lanes: 4 | 1) => Code,
  vectors = 4,
): Code {
  const i = f.local('i32');
  const b = f.local('i32');
  const end = f.local('i32');
  const n16 = f.local('i32'); // n rounded down to whole steps of `vectors` vectors
  const acc = Array.from({ length: vectors }, () => f.local('v128'));
  const sumAcc = acc.map((a) => get(a)).reduce((x, y) => f32x4.add(x, y));
  const t = f.local('v128');
  const addOne = (addr: Code, v: Local, load: Code, lanes: 4 | 1) =>
    seq(set(v, term(load)), visit ? visit(addr, get(v), lanes) : []);
  return seq(
    set(total, f64.const(0)),
    set(n16, i32.and(get(n), c(-4 * vectors))),
    forRange(
      b,
      c(0),
      get(n16),
      BLOCK,
      set(end, select(get(n16), i32.add(get(b), c(BLOCK)), i32.ltS(get(n16), i32.add(get(b), c(BLOCK))))),
      acc.map((a) => set(a, f32x4.const(0))),
      forRange(
        i,
        get(b),
        get(end),
        4 * vectors,
        acc.map((a, j) =>
          seq(
            addOne(at(get(base), i32.add(get(i), c(4 * j))), t, v128.load(at(get(base), get(i)), 16 * j), 4),
            set(a, f32x4.add(get(a), get(t))),
          ),
        ),
      ),
      set(total, f64.add(get(total), sumLanes64(sumAcc, f))),
    ),
    forRange(
      i,
      get(n16),
      get(n),
      1,
      addOne(at(get(base), get(i)), t, v128.load32Splat(at(get(base), get(i))), 1),
      set(total, f64.add(get(total), f64.promoteF32(f32x4.extractLane(get(t), 0)))),
    ),
  );
}

/**
 * acc op v lane by lane, NaN once either is NaN. pmax/pmin are one x86 instruction each (the NaN-propagating
 * max and min are several); pmax(acc, v) keeps a NaN acc, and a NaN v is taken explicitly.
 */
function foldStep(op: 'max' | 'min', acc: Code, v: Local): Code {
  const p = op === 'max' ? f32x4.pmax : f32x4.pmin;
  return v128.bitselect(get(v), p(acc, get(v)), f32x4.ne(get(v), get(v)));
}

/** The max (or min) of n floats at base, NaN if any is NaN; -Infinity (Infinity) for n = 0. */
function foldRow(f: FunctionBuilder, base: Local, n: Local, op: 'max' | 'min'): Code {
  const i = f.local('i32');
  const n16 = f.local('i32');
  const v = f.local('v128');
  const init = f.splat(op === 'max' ? -Infinity : Infinity);
  const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const vop = op === 'max' ? f32x4.max : f32x4.min;
  return seq(
    set(n16, i32.and(get(n), c(~15))),
    acc.map((a) => set(a, init)),
    forRange(
      i,
      c(0),
      get(n16),
      16,
      acc.map((a, j) =>
        seq(set(v, v128.load(at(get(base), get(i)), 16 * j)), set(a, foldStep(op, get(a), v))),
      ),
    ),
    forRange(
      i,
      get(n16),
      get(n),
      1,
      set(v, v128.load32Splat(at(get(base), get(i)))),
      set(acc[0], foldStep(op, get(acc[0]), v)),
    ),
    foldLanes(vop(vop(get(acc[0]), get(acc[1])), vop(get(acc[2]), get(acc[3]))), f, op),
  );
}

/**
 * Reductions of rows (the reduced axis contiguous) and of columns (a middle axis, `inner` > 1):
 * - reduce_rows_sum(x, rows, size, out, mean), reduce_rows_max/min(x, rows, size, out): out[r] over row r.
 * - reduce_cols_sum(x, size, inner, out, acc64, mean), reduce_cols_max/min(x, size, inner, out): out[i]
 *   over x[k*inner + i], k < size, for one outer index (acc64: inner float64 of scratch).
 * - softmax_rows, logSoftmax_rows, logSumExp_rows: see addSoftmax.
 */
export function addReduce(m: ModuleBuilder): void {
  m.func('reduce_rows_sum', ['i32', 'i32', 'i32', 'i32', 'i32'], null, (f, x, rows, size, out, mean) => {
    const r = f.local('i32');
    const base = f.local('i32');
    const total = f.local('f64');
    return forRange(
      r,
      c(0),
      get(rows),
      1,
      set(base, i32.add(get(x), i32.shl(i32.mul(get(r), get(size)), c(2)))),
      blockedSum(f, base, size, total, (v) => v),
      ifElse(get(mean), set(total, f64.div(get(total), f64.convertI32U(get(size))))),
      f32.store(at(get(out), get(r)), f32.demoteF64(get(total))),
    );
  });

  for (const op of ['max', 'min'] as const) {
    m.func(`reduce_rows_${op}`, ['i32', 'i32', 'i32', 'i32'], null, (f, x, rows, size, out) => {
      const r = f.local('i32');
      const base = f.local('i32');
      return forRange(
        r,
        c(0),
        get(rows),
        1,
        set(base, i32.add(get(x), i32.shl(i32.mul(get(r), get(size)), c(2)))),
        f32.store(at(get(out), get(r)), foldRow(f, base, size, op)),
      );
    });
  }

  m.func(
    'reduce_cols_sum',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, x, size, inner, out, acc64, mean) => {
      const k = f.local('i32');
      const i = f.local('i32');
      const kEnd = f.local('i32');
      const k0 = f.local('i32');
      const row = f.local('i32');
      const n4 = f.local('i32');
      const a64 = (idx: Code) => i32.add(get(acc64), i32.shl(idx, c(3)));
      const outAt = (idx: Code) => at(get(out), idx);
      return seq(
        set(n4, i32.and(get(inner), c(~3))),
        forRange(i, c(0), get(inner), 1, f64.store(a64(get(i)), f64.const(0))),
        // Blocks of ROW_BLOCK rows: a float32 partial sum in out, then added into acc64.
        forRange(
          k0,
          c(0),
          get(size),
          ROW_BLOCK,
          set(
            kEnd,
            select(
              get(size),
              i32.add(get(k0), c(ROW_BLOCK)),
              i32.ltS(get(size), i32.add(get(k0), c(ROW_BLOCK))),
            ),
          ),
          forRange(i, c(0), get(inner), 1, f32.store(outAt(get(i)), f32.const(0))),
          forRange(
            k,
            get(k0),
            get(kEnd),
            1,
            set(row, i32.add(get(x), i32.shl(i32.mul(get(k), get(inner)), c(2)))),
            forRange(
              i,
              c(0),
              get(n4),
              4,
              v128.store(outAt(get(i)), f32x4.add(v128.load(outAt(get(i))), v128.load(at(get(row), get(i))))),
            ),
            forRange(
              i,
              get(n4),
              get(inner),
              1,
              f32.store(outAt(get(i)), f32.add(f32.load(outAt(get(i))), f32.load(at(get(row), get(i))))),
            ),
          ),
          forRange(
            i,
            c(0),
            get(inner),
            1,
            f64.store(a64(get(i)), f64.add(f64.load(a64(get(i))), f64.promoteF32(f32.load(outAt(get(i)))))),
          ),
        ),
        forRange(
          i,
          c(0),
          get(inner),
          1,
          f32.store(
            outAt(get(i)),
            f32.demoteF64(
              select(
                f64.div(f64.load(a64(get(i))), f64.convertI32U(get(size))),
                f64.load(a64(get(i))),
                get(mean),
              ),
            ),
          ),
        ),
      );
    },
  );

  for (const op of ['max', 'min'] as const) {
    m.func(`reduce_cols_${op}`, ['i32', 'i32', 'i32', 'i32'], null, (f, x, size, inner, out) => {
      const k = f.local('i32');
      const i = f.local('i32');
      const row = f.local('i32');
      const n4 = f.local('i32');
      const outAt = (idx: Code) => at(get(out), idx);
      const v = f.local('v128');
      const sop = op === 'max' ? f32.max : f32.min;
      return seq(
        set(n4, i32.and(get(inner), c(~3))),
        forRange(
          i,
          c(0),
          get(inner),
          1,
          f32.store(outAt(get(i)), f32.const(op === 'max' ? -Infinity : Infinity)),
        ),
        forRange(
          k,
          c(0),
          get(size),
          1,
          set(row, i32.add(get(x), i32.shl(i32.mul(get(k), get(inner)), c(2)))),
          forRange(
            i,
            c(0),
            get(n4),
            4,
            seq(
              set(v, v128.load(at(get(row), get(i)))),
              v128.store(outAt(get(i)), foldStep(op, v128.load(outAt(get(i))), v)),
            ),
          ),
          forRange(
            i,
            get(n4),
            get(inner),
            1,
            f32.store(outAt(get(i)), sop(f32.load(outAt(get(i))), f32.load(at(get(row), get(i))))),
          ),
        ),
      );
    });
  }

  for (const mode of SOFTMAX_MODES) addSoftmax(m, mode);
}

/**
 * <mode>_rows(x, rows, size, out) for mode softmax, logSoftmax, logSumExp (out[r] for the last): the max of
 * the row, the sum of e^(x - max) in float64 blocks, log of it by Math.log (once per row), then the output.
 */
function addSoftmax(m: ModuleBuilder, mode: SoftmaxMode): void {
  m.func(`${mode}_rows`, ['i32', 'i32', 'i32', 'i32'], null, (f, x, rows, size, out) => {
    const r = f.local('i32');
    const i = f.local('i32');
    const base = f.local('i32');
    const dst = f.local('i32');
    const mx = f.local('f32');
    const shift = f.local('v128');
    const total = f.local('f64');
    const lse = f.local('f64');
    const lse64 = f.local('v128');
    const xv = f.local('v128');
    const scale = f.local('v128');
    const n4 = f.local('i32');
    // Four lanes of f32(x - lse), the subtraction in float64 two lanes at a time.
    const minusLse = (v: Code) => {
      const lanes = (w: Code) => f64x2.demoteZero(f64x2.sub(f32x4.promoteLow(w), get(lse64)));
      const high = v128.shuffle(
        get(xv),
        get(xv),
        [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15],
      );
      return seq(
        set(xv, v),
        v128.shuffle(lanes(get(xv)), lanes(high), [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]),
      );
    };
    /** out[i] = g(input[i]) over the row, four at a time, then the tail one by one. */
    const mapRow = (input: Local, g: (v: Code) => Code) =>
      seq(
        forRange(i, c(0), get(n4), 4, v128.store(at(get(dst), get(i)), g(v128.load(at(get(input), get(i)))))),
        forRange(
          i,
          get(n4),
          get(size),
          1,
          v128.store32Lane(at(get(dst), get(i)), g(v128.load32Splat(at(get(input), get(i)))), 0),
        ),
      );
    const sumOfExp = (term: (v: Code) => Code, vectors: number) =>
      blockedSum(
        f,
        base,
        size,
        total,
        term,
        // softmax keeps e^(x - shift) in out for the scaling pass.
        mode === 'softmax'
          ? (addr, v, lanes) => {
              const to = i32.add(i32.sub(addr, get(base)), get(dst));
              return lanes === 4 ? v128.store(to, v) : v128.store32Lane(to, v, 0);
            }
          : undefined,
        vectors,
      );
    const output = {
      // e^(x - shift) is already in out (stored by the sum); scale it by 1/total (rounded from float64).
      softmax: seq(
        set(scale, f32x4.splat(f32.demoteF64(f64.div(f64.const(1), get(total))))),
        mapRow(dst, (v) => f32x4.mul(v, get(scale))),
      ),
      // x - lse in float64, rounded once, as the TypeScript backend does.
      logSoftmax: seq(set(lse64, f64x2.splat(get(lse))), mapRow(base, minusLse)),
      logSumExp: f32.store(at(get(out), get(r)), f32.demoteF64(get(lse))),
    }[mode];
    return seq(
      set(n4, i32.and(get(size), c(~3))),
      forRange(
        r,
        c(0),
        get(rows),
        1,
        set(base, i32.add(get(x), i32.shl(i32.mul(get(r), get(size)), c(2)))),
        set(dst, i32.add(get(out), i32.shl(i32.mul(get(r), get(size)), c(2)))),
        set(mx, foldRow(f, base, size, 'max')),
        // A finite max: x - max <= 0, the fast exp. An infinite or NaN max is not subtracted (it would make
        // NaN of every element): the general exp of x itself, which keeps Infinity and NaN.
        ifElse(
          f32.eq(f32.sub(get(mx), get(mx)), f32.const(0)),
          seq(
            set(shift, f32x4.splat(get(mx))),
            sumOfExp((v) => expNonPositiveV(f, f32x4.sub(v, get(shift))), 4),
          ),
          seq(
            set(shift, f32x4.const(0)),
            sumOfExp((v) => expV(f, v), 1),
          ),
        ),
        set(lse, f64.add(f64.promoteF32(f32x4.extractLane(get(shift), 0)), m.call('log', get(total)))),
        output,
      ),
    );
  });
}
