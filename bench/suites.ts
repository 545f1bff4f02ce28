// The benchmark cases: inputs, the float64 reference each result is checked against before timing, and
// the napkin cost (FLOPs or bytes moved) that turns a time into GFLOP/s or GB/s.
import type { OpName } from './libs';
import { linalgCases } from './suites-linalg';

export interface Case {
  suite: 'matmul' | 'reductions' | 'elementwise' | 'scan' | 'linalg' | 'stats';
  name: string;
  op: OpName;
  shapes: number[][];
  /** FLOPs (matmul) or bytes read + written (memory-bound ops); samples drawn or processed (stats). */
  cost: { flops?: number; bytes?: number; samples?: number };
  /** Returns null when `got` is right, else a message with the first mismatch. */
  check(inputs: Float32Array[], got: Float32Array): string | null;
  /**
   * Inputs of their own (e.g. positive-definite matrices; stats: a sample size) instead of uniform numbers
   * in [-1, 1] of `shapes`.
   */
  makeInputs?(): Float32Array[];
  /** What a passed check verified, for the report (default: all outputs, or 256 samples for matmul). */
  checkNote?: string;
  /**
   * Cases whose times scale with their cost share a key (default: the op): the runner estimates a case's
   * time from the last one with its key and skips it when that is over budget.
   */
  estimateKey?: string;
  /**
   * Where the first case of its key takes its estimate from (another key, scaled by cost): a guard, so
   * that a case far slower than its predecessors is skipped before it runs for minutes.
   */
  estimateFrom?: string;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Relative check with a tolerance explained by the caller; reports the first mismatch. */
function compare(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
  atol: number,
  at?: number[],
): string | null {
  if (!at && got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  const n = at ? at.length : want.length;
  for (let k = 0; k < n; k++) {
    const i = at ? at[k] : k;
    const w = at ? want[k] : want[i];
    if (!(Math.abs(got[i] - w) <= atol + rtol * Math.abs(w)))
      return `index ${i}: got ${got[i]}, expected ${w}`;
  }
  return null;
}

function matmulCase(name: string, batch: number, M: number, K: number, N: number): Case {
  const shapes =
    batch > 1
      ? [
          [batch, M, K],
          [batch, K, N],
        ]
      : [
          [M, K],
          [K, N],
        ];
  return {
    suite: 'matmul',
    name,
    op: 'matmul',
    shapes,
    cost: { flops: 2 * batch * M * K * N },
    check([a, b], got) {
      // 256 sampled outputs against float64 dot products (all outputs would cost as much as a CPU matmul).
      // Float32 sums of K products of values in [-1, 1]: error ~ sqrt(K) ulps of sum |a||b| <= K.
      const at: number[] = [];
      const want: number[] = [];
      let s = 7;
      for (let k = 0; k < Math.min(256, batch * M * N); k++) {
        s = (s * 16807) % 2147483647;
        const i = s % (batch * M * N);
        const z = Math.floor(i / (M * N));
        const m = Math.floor((i % (M * N)) / N);
        const n = i % N;
        let acc = 0;
        for (let kk = 0; kk < K; kk++) acc += a[z * M * K + m * K + kk] * b[z * K * N + kk * N + n];
        at.push(i);
        want.push(acc);
      }
      return compare(got, want, 1e-4, 1e-5 * Math.sqrt(K) * 4, at);
    },
  };
}

function rowReduce(
  x: Float32Array,
  rows: number,
  cols: number,
  f: (row: Float32Array) => number,
  alongRows = true,
) {
  const out: number[] = [];
  if (alongRows) for (let r = 0; r < rows; r++) out.push(f(x.subarray(r * cols, (r + 1) * cols)));
  else {
    const col = new Float32Array(rows);
    for (let c = 0; c < cols; c++) {
      for (let r = 0; r < rows; r++) col[r] = x[r * cols + c];
      out.push(f(col));
    }
  }
  return out;
}

const sum64 = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
};
const max64 = (v: ArrayLike<number>) => {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = v[i] > m ? v[i] : m;
  return m;
};
const lse64 = (v: ArrayLike<number>) => {
  const m = max64(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
  return m + Math.log(s);
};

export function cases(quick: boolean): Case[] {
  const list: Case[] = [];
  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024, 2048])
    list.push(matmulCase(`${n}x${n}x${n}`, 1, n, n, n));
  for (const [m, k, n] of quick
    ? [[1, 1024, 1024]]
    : [
        [1, 4096, 4096],
        [4096, 64, 4096],
      ]) {
    list.push(matmulCase(`${m}x${k}x${n} (skinny)`, 1, m, k, n));
  }
  const [b, bm] = quick ? [4, 64] : [16, 128];
  list.push(matmulCase(`${b} x ${bm}x${bm}x${bm} (batched)`, b, bm, bm, bm));

  for (const n of quick ? [1e3, 1e5] : [1e3, 1e4, 1e5, 1e6, 1e7]) {
    for (const op of ['sum', 'max'] as const) {
      list.push({
        suite: 'reductions',
        name: `${op} of ${n.toExponential(0)}`,
        op,
        shapes: [[n]],
        cost: { bytes: 4 * n },
        // Sums of n values in [-1, 1] in float32, in any order: error ~ sqrt(n) ulps of n; max is exact.
        check: ([x], got) =>
          compare(
            got,
            [op === 'sum' ? sum64(x) : max64(x)],
            op === 'sum' ? 1e-4 : 0,
            op === 'sum' ? 1e-6 * n : 0,
          ),
      });
    }
  }
  const side = quick ? 300 : 1000;
  for (const op of ['sum', 'max'] as const) {
    for (const axis of [0, 1] as const) {
      list.push({
        suite: 'reductions',
        name: `${op} of (${side},${side}) along axis ${axis}`,
        op: `${op}${axis}`,
        shapes: [[side, side]],
        cost: { bytes: 4 * side * side },
        check: ([x], got) =>
          compare(
            got,
            rowReduce(x, side, side, op === 'sum' ? sum64 : max64, axis === 1),
            op === 'sum' ? 1e-4 : 0,
            op === 'sum' ? 1e-4 : 0,
          ),
      });
    }
  }
  list.push({
    suite: 'elementwise',
    name: `(${side},${side}) + (${side}) broadcast`,
    op: 'addBroadcast',
    shapes: [[side, side], [side]],
    cost: { bytes: 4 * (2 * side * side + side) },
    check: ([x, y], got) =>
      compare(
        got,
        Array.from(x, (v, i) => v + y[i % side]),
        1e-6,
        1e-7,
      ),
  });
  list.push({
    suite: 'elementwise',
    name: `softmax of (${side},${side}) rows`,
    op: 'softmax',
    shapes: [[side, side]],
    cost: { bytes: 4 * 2 * side * side },
    check: ([x], got) => {
      const want: number[] = [];
      for (let r = 0; r < side; r++) {
        const row = x.subarray(r * side, (r + 1) * side);
        const l = lse64(row);
        for (const v of row) want.push(Math.exp(v - l));
      }
      return compare(got, want, 1e-4, 1e-7); // float32 exp: a few ulps
    },
  });
  list.push({
    suite: 'elementwise',
    name: `logSumExp of (${side},${side}) rows`,
    op: 'logSumExp',
    shapes: [[side, side]],
    cost: { bytes: 4 * (side * side + side) },
    check: ([x], got) => compare(got, rowReduce(x, side, side, lse64), 1e-5, 1e-5),
  });
  list.push(...scanCases(quick));
  list.push(...linalgCases(quick));
  return list;
}

// Issue 9: scans, sorting, scatter
/** Running sums of each row of (rows, n) in float64. */
function cumsum64(x: Float32Array, rows: number, n: number): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let k = 0; k < n; k++) out[r * n + k] = acc += x[r * n + k];
  }
  return out;
}

/** Each row of (rows, n) sorted descending, its first k values. */
function topk64(x: Float32Array, rows: number, n: number, k: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const sorted = Float64Array.from(x.subarray(r * n, (r + 1) * n)).sort((a, b) => b - a);
    // A loop, not push(...): spreading a million values overflows the call stack.
    for (let j = 0; j < k; j++) out.push(sorted[j]);
  }
  return out;
}

/**
 * cumsum, sort (descending: tfjs sorts with topk(x, n)) and topk 10, over one row of 1e3-1e7 elements (the runner skips sizes over its time budget) and
 * along the rows of a matrix. Sorted values are exact; running sums of n values in [-1, 1] in float32
 * (in any association) are off by about sqrt(n) roundings of partial sums up to ~sqrt(n): 1e-7 n absolute.
 */
function scanCases(quick: boolean): Case[] {
  const list: Case[] = [];
  const shapes: [string, number, number][] = [
    ...(quick ? [1e3, 1e5] : [1e3, 1e4, 1e5, 1e6, 1e7]).map(
      (n) => [n.toExponential(0), 1, n] as [string, number, number],
    ),
    quick ? ['(100,100) rows', 100, 100] : ['(1000,1000) rows', 1000, 1000],
  ];
  for (const [label, rows, n] of shapes) {
    const shape = rows === 1 ? [n] : [rows, n];
    list.push({
      suite: 'scan',
      name: `cumsum of ${label}`,
      op: 'cumsum',
      shapes: [shape],
      cost: { bytes: 8 * rows * n },
      check: ([x], got) => compare(got, cumsum64(x, rows, n), 1e-4, 1e-7 * n + 1e-5),
    });
    if (quick && n > 1e4) continue; // sorts of long rows take seconds on software adapters
    list.push({
      suite: 'scan',
      name: `sort of ${label}`,
      op: 'sortDesc',
      shapes: [shape],
      cost: { bytes: 8 * rows * n },
      check: ([x], got) => compare(got, topk64(x, rows, n, n), 0, 0),
    });
    list.push({
      suite: 'scan',
      name: `topk 10 of ${label}`,
      op: 'topk',
      shapes: [shape],
      cost: { bytes: 4 * rows * n },
      check: ([x], got) => compare(got, topk64(x, rows, n, 10), 0, 0),
    });
  }
  return list;
}

/** Seeded inputs in [-1, 1] for a case. */
export function inputsFor(c: Case, seed = 1): Float32Array[] {
  if (c.makeInputs) return c.makeInputs();
  let s = seed * 48271;
  return c.shapes.map((shape) =>
    Float32Array.from({ length: size(shape) }, () => {
      s = (s * 16807) % 2147483647;
      return (s / 2147483647) * 2 - 1;
    }),
  );
}
