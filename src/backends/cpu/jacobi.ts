// Symmetric eigendecomposition and SVD by Jacobi rotations on typed arrays: the CPU twins of
// shaders/linalg_jacobi.wgsl, with the same pairing, rotations, ordering and sign rules, in float64.
import { alloc, type CpuStorage, type FloatArray } from './storage';

/** Sweeps at most; float64 Jacobi converges in ~10 for n <= 512 (quadratically once off-diagonals are small). */
const MAX_SWEEPS = 40;
const EPS = 2 ** -52;
/** eigh's off-diagonal entries below this, after scaling to max|a| ~ 1, are 0. */
const FLOOR = EPS * EPS;
/** A work column of svd whose norm is below this (after scaling) has no direction: u gets a completion there. */
const ZERO_COLUMN = 1e-15;

/** The players of round `r` of a round-robin tournament of m (even) players: pair k is (p, q). */
function roundRobinPair(k: number, r: number, m: number): [number, number] {
  const player = (pos: number) => (pos === 0 ? 0 : 1 + ((pos - 1 + r) % (m - 1)));
  return [player(k), player(m - 1 - k)];
}

/**
 * The Jacobi rotation that zeroes the (p, q) entry of the symmetric 2 x 2 [[app, apq], [apq, aqq]]:
 * P = [[c, s], [-s, c]] with P^T A P diagonal, and t = s / c (the diagonal moves by -t apq and +t apq).
 */
function jacobiRotation(app: number, aqq: number, apq: number): { c: number; s: number; t: number } {
  const theta = (aqq - app) / (2 * apq);
  // For huge theta, theta^2 overflows: t ~ 1 / (2 theta) there.
  const t =
    Math.abs(theta) > 1e150
      ? 0.5 / theta
      : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
  const c = 1 / Math.sqrt(1 + t * t);
  return { c, s: t * c, t };
}

/** The largest |x| of a float array, NaN if any element is NaN. */
function maxAbs(x: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) {
    const v = Math.abs(x[i]);
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** A power of two near max|a| (so scaling by it is exact), or 1 for a zero matrix. */
const powerOfTwoScale = (max: number) => (max > 0 ? 2 ** Math.floor(Math.log2(max)) : 1);

/** Column order by `key` ascending (or descending), ties by index: rank[j] is column j's place. */
function ranks(key: Float64Array, descending: boolean): Int32Array {
  const n = key.length;
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) {
      const before = descending ? key[j] > key[i] : key[j] < key[i];
      if (before || (key[j] === key[i] && j < i)) r++;
    }
    rank[i] = r;
  }
  return rank;
}

/** The Euclidean norm of column j of a (rows x cols). */
function columnNorm(a: Float64Array, rows: number, cols: number, j: number): number {
  let ss = 0;
  for (let i = 0; i < rows; i++) ss += a[i * cols + j] ** 2;
  return Math.sqrt(ss);
}

/** +1 or -1: the sign that makes the largest-magnitude entry (the first of equals) of column j positive. */
function columnSign(a: Float64Array, rows: number, cols: number, j: number): number {
  let best = 0;
  for (let i = 0; i < rows; i++) if (Math.abs(a[i * cols + j]) > Math.abs(best)) best = a[i * cols + j];
  return best < 0 ? -1 : 1;
}

/**
 * Eigenvalues (ascending, (batch, n)) and eigenvectors (columns of (batch, n, n)) of the symmetric parts
 * (A + A^T) / 2 of `batch` n x n matrices. Each eigenvector's largest-magnitude entry is positive. A
 * matrix with a NaN or infinite entry gives all NaN.
 */
export function eigh(x: CpuStorage, batch: number, n: number): { values: CpuStorage; vectors: CpuStorage } {
  const values = alloc(x.data, batch * n);
  const vectors = alloc(x.data, batch * n * n);
  const a = new Float64Array(n * n);
  const v = new Float64Array(n * n);
  const lambda = new Float64Array(n);
  for (let b = 0; b < batch; b++) {
    const src = x.data.subarray(b * n * n, (b + 1) * n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * src[i * n + j] + 0.5 * src[j * n + i];
    const max = maxAbs(a, 0, n * n);
    if (!Number.isFinite(max)) {
      values.subarray(b * n, (b + 1) * n).fill(NaN);
      vectors.subarray(b * n * n, (b + 1) * n * n).fill(NaN);
      continue;
    }
    const scale = powerOfTwoScale(max);
    for (let e = 0; e < n * n; e++) a[e] /= scale;
    v.fill(0);
    for (let i = 0; i < n; i++) v[i * n + i] = 1;
    jacobiEigen(a, v, n);
    for (let i = 0; i < n; i++) lambda[i] = a[i * n + i] * scale;
    writeEigen(lambda, v, n, values, vectors, b);
  }
  return {
    values: { length: values.length, data: values },
    vectors: { length: vectors.length, data: vectors },
  };
}

/** Diagonalises symmetric a (n x n, scaled to max ~1) in place by parallel-ordered Jacobi sweeps, v <- v P. */
function jacobiEigen(a: Float64Array, v: Float64Array, n: number): void {
  const m = n + (n & 1); // an odd n gets a dummy player n, whose pairs are skipped
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = 0;
    for (let r = 0; r < m - 1; r++) {
      // The pairs of a round are disjoint, so rotating them one after another is rotating them at once.
      for (let k = 0; k < m / 2; k++) {
        const [p, q] = roundRobinPair(k, r, m);
        if (p >= n || q >= n) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const apq = a[p * n + q];
        if (!(Math.abs(apq) > Math.max(EPS * Math.sqrt(Math.abs(app * aqq)), FLOOR))) continue;
        rotated++;
        const { c, s, t } = jacobiRotation(app, aqq, apq);
        for (let i = 0; i < n; i++) {
          if (i === p || i === q) continue;
          const aip = a[i * n + p];
          const aiq = a[i * n + q];
          a[i * n + p] = a[p * n + i] = c * aip - s * aiq;
          a[i * n + q] = a[q * n + i] = s * aip + c * aiq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = a[q * n + p] = 0;
        for (let i = 0; i < n; i++) {
          const vip = v[i * n + p];
          const viq = v[i * n + q];
          v[i * n + p] = c * vip - s * viq;
          v[i * n + q] = s * vip + c * viq;
        }
      }
    }
    if (rotated === 0) return;
  }
}

function writeEigen(
  lambda: Float64Array,
  v: Float64Array,
  n: number,
  values: FloatArray,
  vectors: FloatArray,
  b: number,
): void {
  const rank = ranks(lambda, false);
  for (let j = 0; j < n; j++) {
    values[b * n + rank[j]] = lambda[j];
    // As on the GPU, columns are normalised against the drift of rounded rotations.
    const scale = columnSign(v, n, n, j) / columnNorm(v, n, n, j);
    for (let i = 0; i < n; i++) vectors[b * n * n + i * n + rank[j]] = scale * v[i * n + j];
  }
}

/**
 * Reduced SVDs A = U diag(s) V^T of `batch` m x n matrices by one-sided Jacobi: u (batch, m, k), s (batch, k)
 * descending, vt (batch, k, n), k = min(m, n). Each column of u has its largest-magnitude entry positive
 * (the matching row of vt is flipped with it). Where A has rank below k, the columns of u (or rows of vt)
 * for the zero singular values are an orthonormal completion. A NaN or infinite entry gives all NaN.
 */
export function svd(
  x: CpuStorage,
  batch: number,
  m: number,
  n: number,
): { u: CpuStorage; s: CpuStorage; vt: CpuStorage } {
  const k = Math.min(m, n);
  const rows = Math.max(m, n);
  const tall = m >= n;
  const u = alloc(x.data, batch * m * k);
  const s = alloc(x.data, batch * k);
  const vt = alloc(x.data, batch * k * n);
  // w (rows, k): A, or A^T when A is wide, whose columns are rotated until orthogonal; v (k, k).
  const w = new Float64Array(rows * k);
  const v = new Float64Array(k * k);
  for (let b = 0; b < batch; b++) {
    const src = x.data.subarray(b * m * n, (b + 1) * m * n);
    const max = maxAbs(src, 0, m * n);
    if (!Number.isFinite(max)) {
      u.subarray(b * m * k, (b + 1) * m * k).fill(NaN);
      s.subarray(b * k, (b + 1) * k).fill(NaN);
      vt.subarray(b * k * n, (b + 1) * k * n).fill(NaN);
      continue;
    }
    const scale = powerOfTwoScale(max);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) w[tall ? i * k + j : j * k + i] = src[i * n + j] / scale;
    v.fill(0);
    for (let i = 0; i < k; i++) v[i * k + i] = 1;
    oneSidedJacobi(w, v, rows, k);
    // W = A V through the rotations, even where rounding drifts their scale: s_j = |w_j| / |v_j|.
    const norm = new Float64Array(k);
    const sv = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      norm[j] = columnNorm(w, rows, k, j);
      const vn = columnNorm(v, k, k, j);
      sv[j] = norm[j] / vn;
      for (let i = 0; i < k; i++) v[i * k + j] /= vn;
    }
    const rank = ranks(sv, true);
    normaliseColumns(w, norm, rank, rows, k);
    // The output u is w's columns (tall A) or v's (wide A, A = V S W^T); its signs decide both.
    const [uCols, uRows] = tall ? [w, rows] : [v, k];
    const vCols = tall ? v : w;
    for (let j = 0; j < k; j++) {
      const sign = columnSign(uCols, uRows, k, j);
      const r = rank[j];
      s[b * k + r] = sv[j] * scale;
      for (let i = 0; i < m; i++) u[b * m * k + i * k + r] = sign * uCols[i * k + j];
      for (let i = 0; i < n; i++) vt[b * k * n + r * n + i] = sign * vCols[i * k + j];
    }
  }
  return {
    u: { length: u.length, data: u },
    s: { length: s.length, data: s },
    vt: { length: vt.length, data: vt },
  };
}

/** Rotates pairs of w's columns (rows x k) until all are orthogonal, v <- v P alongside. */
function oneSidedJacobi(w: Float64Array, v: Float64Array, rows: number, k: number): void {
  const m = k + (k & 1);
  // Rounding leaves inner products of orthogonal columns at ~sqrt(rows) eps |w_p| |w_q|.
  const tol = EPS * Math.max(1, Math.sqrt(rows));
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = 0;
    for (let r = 0; r < m - 1; r++) {
      for (let pair = 0; pair < m / 2; pair++) {
        const [p, q] = roundRobinPair(pair, r, m);
        if (p >= k || q >= k) continue;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const wp = w[i * k + p];
          const wq = w[i * k + q];
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (!(alpha > ZERO_COLUMN ** 2 && beta > ZERO_COLUMN ** 2)) continue;
        // No absolute floor: columns of rounding noise must still become orthogonal (they are u's columns).
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha * beta))) continue;
        rotated++;
        const { c, s } = jacobiRotation(alpha, beta, gamma);
        for (let i = 0; i < rows; i++) {
          const wp = w[i * k + p];
          const wq = w[i * k + q];
          w[i * k + p] = c * wp - s * wq;
          w[i * k + q] = s * wp + c * wq;
        }
        for (let i = 0; i < k; i++) {
          const vp = v[i * k + p];
          const vq = v[i * k + q];
          v[i * k + p] = c * vp - s * vq;
          v[i * k + q] = s * vp + c * vq;
        }
      }
    }
    if (rotated === 0) return;
  }
}

/**
 * Divides w's columns by their norms; a column without a direction (norm below ZERO_COLUMN) becomes the
 * unit vector, orthogonal to the columns before it in `rank` order, closest to the e_c that the others
 * cover least (classical Gram-Schmidt, twice).
 */
function normaliseColumns(
  w: Float64Array,
  norm: Float64Array,
  rank: Int32Array,
  rows: number,
  k: number,
): void {
  const order = new Int32Array(k);
  for (let j = 0; j < k; j++) order[rank[j]] = j;
  for (let j = 0; j < k; j++)
    if (norm[j] > ZERO_COLUMN) for (let i = 0; i < rows; i++) w[i * k + j] /= norm[j];
  for (let r = 0; r < k; r++) {
    const j = order[r];
    if (norm[j] > ZERO_COLUMN) continue;
    const done = Array.from(order.subarray(0, r));
    let best = 0;
    let bestLeft = -1;
    for (let c = 0; c < rows; c++) {
      let left = 1;
      for (const i of done) left -= w[c * k + i] ** 2;
      if (left > bestLeft) {
        bestLeft = left;
        best = c;
      }
    }
    const x = new Float64Array(rows);
    x[best] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const i of done) {
        let h = 0;
        for (let c = 0; c < rows; c++) h += w[c * k + i] * x[c];
        for (let c = 0; c < rows; c++) x[c] -= h * w[c * k + i];
      }
    }
    let nx = 0;
    for (let c = 0; c < rows; c++) nx += x[c] * x[c];
    nx = Math.sqrt(nx);
    for (let c = 0; c < rows; c++) w[c * k + j] = x[c] / nx;
  }
}
