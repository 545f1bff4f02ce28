// Small dense factorisations on typed arrays, one matrix of a batch at a time: the CPU twins of
// shaders/linalg.wgsl. Sums accumulate in float64 and each result is rounded once to the storage's
// precision (float32 normally, float64 under checkGrad).
import type { TriangularSolveOptions } from '../backend';
import { alloc, type CpuStorage } from './storage';

/** Rounds a float64 value to the precision of `like`'s elements. */
const roundingOf = (like: CpuStorage) => (like.data instanceof Float32Array ? Math.fround : (v: number) => v);

/**
 * Lower Cholesky factors of `batch` n x n matrices (only their lower triangles are read), and per matrix
 * `info`: -1 when it is positive definite, else the first pivot that is not positive (that matrix's
 * factor is all NaN).
 */
export function cholesky(x: CpuStorage, batch: number, n: number): { factor: CpuStorage; info: CpuStorage } {
  const out = alloc(x.data, batch * n * n);
  const info = alloc(x.data, batch).fill(-1);
  const L = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    const a = x.data.subarray(b * n * n, (b + 1) * n * n);
    L.fill(0);
    let failed = -1;
    for (let j = 0; j < n && failed < 0; j++) {
      let d = a[j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
      if (!(d > 0)) {
        failed = j;
        break;
      }
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = a[i * n + j];
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        L[i * n + j] = s / ljj;
      }
    }
    const o = out.subarray(b * n * n, (b + 1) * n * n);
    if (failed >= 0) {
      info[b] = failed;
      o.fill(NaN);
    } else o.set(L);
  }
  return { factor: { length: out.length, data: out }, info: { length: batch, data: info } };
}

/**
 * X = op(A)^-1 B for `batch` triangular n x n matrices A and right-hand sides B (n, k), by substitution.
 * op(A) is A or A^T (`transpose`); `lower` says which triangle of op(A) is used; the other is not read.
 * A zero on the diagonal gives IEEE infinities and NaN, as the division does.
 */
export function triangularSolve(
  a: CpuStorage,
  b: CpuStorage,
  batch: number,
  n: number,
  k: number,
  opts: TriangularSolveOptions,
): CpuStorage {
  const out = alloc(b.data, batch * n * k);
  const round = roundingOf(b);
  const [rs, cs] = opts.transpose ? [1, n] : [n, 1];
  const x = new Float64Array(n);
  for (let z = 0; z < batch; z++) {
    const A = z * n * n;
    const B = z * n * k;
    for (let c = 0; c < k; c++) {
      for (let t = 0; t < n; t++) {
        const i = opts.lower ? t : n - 1 - t;
        let s = b.data[B + i * k + c];
        if (opts.lower) for (let j = 0; j < i; j++) s -= a.data[A + i * rs + j * cs] * x[j];
        else for (let j = i + 1; j < n; j++) s -= a.data[A + i * rs + j * cs] * x[j];
        // Rounded to the storage's precision, so later rows use what the output holds.
        x[i] = round(opts.unitDiagonal ? s : s / a.data[A + i * rs + i * cs]);
        out[B + i * k + c] = x[i];
      }
    }
  }
  return { length: out.length, data: out };
}

/**
 * LU factorisation with partial pivoting, P A = L U, of `batch` n x n matrices: `lu` packs the unit-lower
 * L below the diagonal and U on and above it; `perm` (batch, n) says that row i of P A is row perm[i] of A;
 * `sign` (batch) is the permutation's sign. A zero pivot column is left as it is (U gets a 0 on its
 * diagonal, so det is exactly 0), as LAPACK's getrf does.
 */
export function lu(
  x: CpuStorage,
  batch: number,
  n: number,
): { lu: CpuStorage; perm: CpuStorage; sign: CpuStorage } {
  return luPanel(x, batch, n, n);
}

/**
 * P A = L U of `batch` m x b matrices (the panels of the blocked LU are tall): the same elimination as
 * lu() over min(m, b) columns, the pivot searched over all m rows; `perm` is (batch, m).
 */
export function luPanel(
  x: CpuStorage,
  batch: number,
  m: number,
  nb: number,
): { lu: CpuStorage; perm: CpuStorage; sign: CpuStorage } {
  const out = alloc(x.data, batch * m * nb);
  const perm = alloc(x.data, batch * m);
  const sign = alloc(x.data, batch);
  const a = new Float64Array(m * nb);
  const p = new Int32Array(m);
  const round = roundingOf(x);
  for (let b = 0; b < batch; b++) {
    // Works in float64 but rounds every stored entry to the storage's precision, as the GPU keeps it.
    for (let i = 0; i < m * nb; i++) a[i] = x.data[b * m * nb + i];
    for (let i = 0; i < m; i++) p[i] = i;
    let s = 1;
    for (let j = 0; j < Math.min(m, nb); j++) {
      let piv = j;
      for (let i = j + 1; i < m; i++) if (Math.abs(a[i * nb + j]) > Math.abs(a[piv * nb + j])) piv = i;
      if (piv !== j) {
        for (let c = 0; c < nb; c++) {
          const t = a[j * nb + c];
          a[j * nb + c] = a[piv * nb + c];
          a[piv * nb + c] = t;
        }
        [p[j], p[piv]] = [p[piv], p[j]];
        s = -s;
      }
      const d = a[j * nb + j];
      if (d === 0) continue;
      for (let i = j + 1; i < m; i++) {
        const l = (a[i * nb + j] = round(a[i * nb + j] / d));
        for (let c = j + 1; c < nb; c++) a[i * nb + c] = round(a[i * nb + c] - l * a[j * nb + c]);
      }
    }
    out.set(a, b * m * nb);
    for (let i = 0; i < m; i++) perm[b * m + i] = p[i];
    sign[b] = s;
  }
  return {
    lu: { length: out.length, data: out },
    perm: { length: perm.length, data: perm },
    sign: { length: batch, data: sign },
  };
}
