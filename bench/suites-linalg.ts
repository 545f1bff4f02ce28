// The linalg suite: batched small factorisations and single large ones, each result checked for
// correctness first. The checks need no reference factorisation (which a float64 loop would take seconds
// to make at n = 2048) and hold whatever sign convention a library has: L L^T = A, A X = B and
// Q^T Q = I, Q R = A, with tolerances from the standard backward-error bounds.
import type { OpName } from './libs-core';
import type { Case } from './suites';

/** Unit roundoff of float32. */
const U = 2 ** -24;

/** Matrix shapes of the suite: `batch` matrices of n x n. */
interface Shape {
  batch: number;
  n: number;
}

/** Batched small matrices and single large ones; the quick set keeps the same kinds, smaller. */
export function linalgShapes(quick: boolean): { batched: Shape[]; single: Shape[] } {
  return quick
    ? {
        batched: [
          { batch: 1000, n: 3 },
          { batch: 100, n: 16 },
          { batch: 10, n: 64 },
        ],
        single: [{ batch: 1, n: 128 }],
      }
    : {
        batched: [
          { batch: 10000, n: 3 },
          { batch: 1000, n: 16 },
          { batch: 100, n: 64 },
        ],
        single: [512, 1024, 2048].map((n) => ({ batch: 1, n })),
      };
}

/** One op of the suite: its inputs, its check, its napkin FLOPs per matrix. */
export interface LinalgOpSpec {
  op: OpName;
  /** Seeded inputs for `batch` n x n matrices (and right-hand sides where the op has them). */
  inputs(s: Shape, seed: number): Float32Array[];
  shapes(s: Shape): number[][];
  /** Null when `got` is right, else the first problem found. */
  check(s: Shape, inputs: Float32Array[], got: Float32Array): string | null;
  /** What the check verified, for the report. */
  checkNote: string;
  flops(n: number): number;
  /** Which shapes it runs on (default all). */
  runsOn?(s: Shape): boolean;
  /** Which shapes it runs on in the quick set (default those of runsOn), to keep the smoke run short. */
  runsOnQuick?(s: Shape): boolean;
}

/** Uniform numbers in [-1, 1) from a seeded Park-Miller generator (as the other suites' inputs). */
function uniform(length: number, seed: number): Float32Array {
  let s = (seed * 48271) % 2147483647 || 1;
  return Float32Array.from({ length }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  });
}

/**
 * Symmetric positive-definite matrices built in O(n^2): a symmetric matrix of entries in [-1, 1] has its
 * eigenvalues within about +-2 sqrt(n / 3) (the semicircle law), so adding (2 sqrt(n) + 1) I makes it
 * positive definite with a condition number below ~4.
 */
function spd({ batch, n }: Shape, seed: number): Float32Array {
  const x = uniform(batch * n * n, seed);
  const shift = 2 * Math.sqrt(n) + 1;
  for (let b = 0; b < batch; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) x[o + j * n + i] = x[o + i * n + j];
      x[o + i * n + i] += shift;
    }
  }
  return x;
}

/** Up to 256 (matrix, row, column) positions from a fixed sequence: where sampled checks look. */
function samples(batch: number, rows: number, cols: number, count = 256): [number, number, number][] {
  const out: [number, number, number][] = [];
  let s = 7;
  for (let k = 0; k < Math.min(count, batch * rows * cols); k++) {
    s = (s * 16807) % 2147483647;
    const e = s % (batch * rows * cols);
    out.push([Math.floor(e / (rows * cols)), Math.floor((e % (rows * cols)) / cols), e % cols]);
  }
  return out;
}

const bad = (what: string, got: number, want: number, tol: number) =>
  `${what}: got ${got}, expected ${want} (tolerance ${tol.toExponential(1)})`;

/**
 * Cholesky: L lower triangular and (L L^T)_ij = A_ij within gamma_{n+1} sqrt(A_ii A_jj), the backward
 * error bound of Cholesky in any summation order (Higham, Accuracy and Stability, Thm 10.3), doubled.
 */
const cholesky: LinalgOpSpec = {
  op: 'cholesky',
  inputs: (s, seed) => [spd(s, seed)],
  shapes: ({ batch, n }) => [batch > 1 ? [batch, n, n] : [n, n]],
  checkNote: 'ok (L lower, 256 entries of L L^T vs A)',
  flops: (n) => n ** 3 / 3,
  check({ batch, n }, [A], L) {
    if (L.length !== batch * n * n) return `length ${L.length}, expected ${batch * n * n}`;
    const gamma = ((n + 1) * U) / (1 - (n + 1) * U);
    for (const [b, i, j] of samples(batch, n, n)) {
      const o = b * n * n;
      if (j > i) {
        if (L[o + i * n + j] !== 0)
          return bad(`L[${b}][${i},${j}] above the diagonal`, L[o + i * n + j], 0, 0);
        continue;
      }
      let s = 0;
      for (let k = 0; k <= j; k++) s += L[o + i * n + k] * L[o + j * n + k];
      const tol = 2 * gamma * Math.sqrt(A[o + i * n + i] * A[o + j * n + j]);
      if (!(Math.abs(s - A[o + i * n + j]) <= tol))
        return bad(`(L L^T)[${b}][${i},${j}]`, s, A[o + i * n + j], tol);
    }
    return null;
  },
};

/**
 * Solve with one right-hand side: every residual |B - A X|_i within 4 n u |A|_inf |X|_inf (a normwise
 * backward error of 4 n u, generous for LU with partial pivoting on random matrices), all matrices.
 */
const solve: LinalgOpSpec = {
  op: 'solve',
  inputs: ({ batch, n }, seed) => [uniform(batch * n * n, seed), uniform(batch * n, seed + 1)],
  shapes: ({ batch, n }) =>
    batch > 1
      ? [
          [batch, n, n],
          [batch, n, 1],
        ]
      : [
          [n, n],
          [n, 1],
        ],
  checkNote: 'ok (residual B - A X of every matrix)',
  flops: (n) => (2 * n ** 3) / 3 + 2 * n ** 2,
  check({ batch, n }, [A, B], X) {
    if (X.length !== batch * n) return `length ${X.length}, expected ${batch * n}`;
    for (let b = 0; b < batch; b++) {
      let aNorm = 0;
      let xNorm = 0;
      for (let i = 0; i < n; i++) {
        let row = 0;
        for (let j = 0; j < n; j++) row += Math.abs(A[b * n * n + i * n + j]);
        aNorm = Math.max(aNorm, row);
        xNorm = Math.max(xNorm, Math.abs(X[b * n + i]));
      }
      const tol = 4 * n * U * aNorm * xNorm;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[b * n * n + i * n + j] * X[b * n + j];
        if (!(Math.abs(ax - B[b * n + i]) <= tol)) return bad(`(A X)[${b}][${i}]`, ax, B[b * n + i], tol);
      }
    }
    return null;
  },
};

/**
 * QR, the result being Q (batch, n, n) then R (batch, n, n): R upper triangular, and 256 entries each of
 * Q^T Q = I within (2n + 20) u and of Q R = A within (2n + 20) u |a_j| (column j's norm; Householder
 * QR's columnwise backward error, Higham Thm 19.4, with 2n u for the sums and 20 u for the roundings of
 * each reflector that do not grow with n: WGSL lets sqrt and division be off by a few ulps each). Any
 * sign convention passes.
 */
const qr: LinalgOpSpec = {
  op: 'qr',
  inputs: ({ batch, n }, seed) => [uniform(batch * n * n, seed)],
  shapes: ({ batch, n }) => [batch > 1 ? [batch, n, n] : [n, n]],
  checkNote: 'ok (R upper, 256 entries each of Q^T Q = I and Q R = A)',
  flops: (n) => (8 * n ** 3) / 3, // geqrf 4n^3/3 and orgqr 4n^3/3
  check({ batch, n }, [A], got) {
    const size = batch * n * n;
    if (got.length !== 2 * size) return `length ${got.length}, expected ${2 * size} (Q then R)`;
    const Q = got.subarray(0, size);
    const R = got.subarray(size);
    for (let b = 0; b < batch; b++)
      for (let i = 1; i < n; i++)
        for (let j = 0; j < i; j++)
          if (R[b * n * n + i * n + j] !== 0)
            return bad(`R[${b}][${i},${j}] below the diagonal`, R[b * n * n + i * n + j], 0, 0);
    for (const [b, i, j] of samples(batch, n, n)) {
      const o = b * n * n;
      let qtq = 0;
      let qr = 0;
      let col = 0;
      for (let k = 0; k < n; k++) {
        qtq += Q[o + k * n + i] * Q[o + k * n + j];
        qr += Q[o + i * n + k] * R[o + k * n + j];
        col += A[o + k * n + j] ** 2;
      }
      const tolQ = (2 * n + 20) * U;
      if (!(Math.abs(qtq - (i === j ? 1 : 0)) <= tolQ))
        return bad(`(Q^T Q)[${b}][${i},${j}]`, qtq, i === j ? 1 : 0, tolQ);
      const tolR = (2 * n + 20) * U * Math.sqrt(col);
      if (!(Math.abs(qr - A[o + i * n + j]) <= tolR))
        return bad(`(Q R)[${b}][${i},${j}]`, qr, A[o + i * n + j], tolR);
    }
    return null;
  },
};

/** Symmetric matrices of entries in [-1, 1] (indefinite, well spread eigenvalues). */
function symmetric({ batch, n }: Shape, seed: number): Float32Array {
  const x = uniform(batch * n * n, seed);
  for (let o = 0; o < x.length; o += n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) x[o + j * n + i] = x[o + i * n + j];
  return x;
}

/** Largest absolute row sum of matrix b: a bound on its spectral norm, for the tolerances. */
function normInf(A: Float32Array, b: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(A[b * n * n + i * n + j]);
    m = Math.max(m, row);
  }
  return m;
}

/**
 * Jacobi-type and QR-type eigensolvers are backward stable, with errors of a modest multiple of n u |A|;
 * (4n + 20) u |A|_inf covers float32 on random matrices (the +20 for sqrt and division roundings) and
 * holds for any ordering and sign of the eigen- and singular vectors.
 */
const spectralTol = (n: number, norm: number) => (4 * n + 20) * U * norm;

/**
 * eigh, the result being values (batch, n) then vectors (batch, n, n) as columns: 256 entries each of
 * A V = V diag(values) and V^T V = I. Any order and sign passes.
 */
const eigh: LinalgOpSpec = {
  op: 'eigh',
  inputs: (s, seed) => [symmetric(s, seed)],
  shapes: ({ batch, n }) => [batch > 1 ? [batch, n, n] : [n, n]],
  checkNote: 'ok (256 entries each of A V = V diag(w) and V^T V = I)',
  flops: (n) => 9 * n ** 3, // LAPACK syevd with vectors, about 9 n^3
  // Seconds per run on a software adapter: the smoke run keeps one batched shape.
  runsOnQuick: (s) => s.n === 16,
  check({ batch, n }, [A], got) {
    const size = batch * n * n;
    if (got.length !== batch * n + size) return `length ${got.length}, expected ${batch * n + size}`;
    const w = got.subarray(0, batch * n);
    const V = got.subarray(batch * n);
    for (const [b, i, j] of samples(batch, n, n)) {
      const o = b * n * n;
      let av = 0;
      let vtv = 0;
      for (let k = 0; k < n; k++) {
        av += A[o + i * n + k] * V[o + k * n + j];
        vtv += V[o + k * n + i] * V[o + k * n + j];
      }
      const tol = spectralTol(n, normInf(A, b, n));
      const want = V[o + i * n + j] * w[b * n + j];
      if (!(Math.abs(av - want) <= tol)) return bad(`(A V)[${b}][${i},${j}]`, av, want, tol);
      const tolV = spectralTol(n, 1);
      if (!(Math.abs(vtv - (i === j ? 1 : 0)) <= tolV))
        return bad(`(V^T V)[${b}][${i},${j}]`, vtv, i === j ? 1 : 0, tolV);
    }
    return null;
  },
};

/**
 * svd, the result being u (batch, n, n), s (batch, n), vt (batch, n, n): 256 entries each of
 * U diag(s) V^T = A, U^T U = I and V^T V = I. Any order and sign passes.
 */
const svd: LinalgOpSpec = {
  op: 'svd',
  inputs: ({ batch, n }, seed) => [uniform(batch * n * n, seed)],
  shapes: ({ batch, n }) => [batch > 1 ? [batch, n, n] : [n, n]],
  checkNote: 'ok (256 entries each of U diag(s) V^T = A, U^T U = I, V V^T = I)',
  flops: (n) => 22 * n ** 3, // LAPACK gesvd with both factors, about 22 n^3
  // Seconds per run on a software adapter: the smoke run keeps one batched shape.
  runsOnQuick: (s) => s.n === 16,
  check({ batch, n }, [A], got) {
    const size = batch * n * n;
    if (got.length !== 2 * size + batch * n) return `length ${got.length}, expected ${2 * size + batch * n}`;
    const u = got.subarray(0, size);
    const s = got.subarray(size, size + batch * n);
    const vt = got.subarray(size + batch * n);
    for (const [b, i, j] of samples(batch, n, n)) {
      const o = b * n * n;
      let usv = 0;
      let utu = 0;
      let vvt = 0;
      for (let k = 0; k < n; k++) {
        usv += u[o + i * n + k] * s[b * n + k] * vt[o + k * n + j];
        utu += u[o + k * n + i] * u[o + k * n + j];
        vvt += vt[o + i * n + k] * vt[o + j * n + k];
      }
      const tol = spectralTol(n, normInf(A, b, n));
      if (!(Math.abs(usv - A[o + i * n + j]) <= tol))
        return bad(`(U S V^T)[${b}][${i},${j}]`, usv, A[o + i * n + j], tol);
      const tolQ = spectralTol(n, 1);
      const id = i === j ? 1 : 0;
      if (!(Math.abs(utu - id) <= tolQ)) return bad(`(U^T U)[${b}][${i},${j}]`, utu, id, tolQ);
      if (!(Math.abs(vvt - id) <= tolQ)) return bad(`(V^T V)[${b}][${i},${j}]`, vvt, id, tolQ);
    }
    return null;
  },
};

/**
 * The ops of the linalg suite, each run on every shape of linalgShapes() it accepts. More factorisations
 * join as entries here (an OpName, inputs, a check and FLOPs, plus each library's call in libs-*.ts).
 */
export const LINALG_OPS: LinalgOpSpec[] = [cholesky, solve, qr, eigh, svd];

/** The suite's cases: every op on the batched shapes, then on the single large matrices. */
export function linalgCases(quick: boolean): Case[] {
  const { batched, single } = linalgShapes(quick);
  const list: Case[] = [];
  for (const spec of LINALG_OPS) {
    for (const s of [...batched, ...single]) {
      if (spec.runsOn && !spec.runsOn(s)) continue;
      if (quick && spec.runsOnQuick && !spec.runsOnQuick(s)) continue;
      const seed = 11 + s.n + s.batch;
      list.push({
        suite: 'linalg',
        name: `${spec.op} ${s.batch > 1 ? `${s.batch} x ` : ''}${s.n}x${s.n}`,
        op: spec.op,
        shapes: spec.shapes(s),
        cost: { flops: s.batch * spec.flops(s.n) },
        makeInputs: () => spec.inputs(s, seed),
        check: (inputs, got) => spec.check(s, inputs, got),
        checkNote: spec.checkNote,
        // Single large matrices scale with their FLOPs; batches of small ones are bound by latency and
        // say nothing about each other, so each is run on its own.
        estimateKey: s.batch > 1 ? `${spec.op} batched ${s.n}` : `${spec.op} single`,
        // The first single matrix is estimated from the largest batch, per FLOP: a library whose single
        // large matrices take minutes (one workgroup for the whole matrix) is skipped, not waited for.
        estimateFrom: s.batch > 1 ? undefined : `${spec.op} batched ${Math.max(...batched.map((b) => b.n))}`,
      });
    }
  }
  return list;
}
