// Float64 references for eigh and svd, and checks that compare float32 results with them the way their
// meaning allows: eigenvectors up to sign, and by the subspace they span (a projector) where eigenvalues
// repeat. The references are textbook cyclic Jacobi (row by row), independent of both backends' code.
//
// Tolerances (checkEigh, checkSvd): float32 Jacobi (scalar or block) is backward stable: it returns the
// exact decomposition of A + E with |E| ~ (rotations per entry) eps32 |A|. So eigen- and singular values and
// the residuals are within TOL(n) |A| (absolute: the smallest eigenvalue of a matrix of condition number 1e4
// is then known to 1e4 TOL(n) relative), the vectors orthonormal within TOL(n), and a vector (or the
// projector onto the vectors of a cluster of equal values) within TOL(n) |A| / gap, gap being the distance
// to the other values. TOL(n) = max(n, 4) eps32: measured errors are 1-14 eps32 at n = 64 (CPU: below 1
// eps32, float64 inside).
import { expect } from 'vitest';
import { type Context, linalg } from '../../src/index';
import { lcg } from './close';

/** Rows x cols matrices, row-major, float64. */
export type Mat = Float64Array;

/** A B for A (r x k) and B (k x c). */
export function mul(a: Mat, b: Mat, r: number, k: number, c: number): Mat {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[i * k + l] * b[l * c + j];
      out[i * c + j] = s;
    }
  return out;
}

export function transpose(a: Mat, r: number, c: number): Mat {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/** Eigenvalues (ascending) and eigenvectors (columns) of symmetric a (n x n) by cyclic Jacobi in float64. */
export function refEigh(a0: ArrayLike<number>, n: number): { values: Float64Array; vectors: Mat } {
  const a = Float64Array.from(a0);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let e = 0; e < n * n; e++) total += a[e] * a[e];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += a[i * n + j] ** 2;
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[i * n + i] - a[j * n + j]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let r = 0; r < n; r++) vectors[r * n + dst] = v[r * n + src];
  });
  return { values, vectors };
}

/** Singular values (descending) of a (m x n) as square roots of the eigenvalues of A^T A (float64). */
export function refSingularValues(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const A = Float64Array.from(a);
  const small = m >= n ? mul(transpose(A, m, n), A, n, m, n) : mul(A, transpose(A, m, n), m, n, m);
  const k = Math.min(m, n);
  return refEigh(small, k)
    .values.map((x) => Math.sqrt(Math.max(x, 0)))
    .reverse();
}

/** A random orthogonal n x n matrix: Gram-Schmidt (twice) of a seeded random matrix, float64. */
export function randomOrthogonal(n: number, seed: number): Mat {
  const r = lcg(seed);
  const q = new Float64Array(n * n).map(() => r() * 2 - 1);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += q[k * n + i] * q[k * n + j];
        for (let k = 0; k < n; k++) q[k * n + j] -= d * q[k * n + i];
      }
    let nrm = 0;
    for (let k = 0; k < n; k++) nrm += q[k * n + j] ** 2;
    nrm = Math.sqrt(nrm);
    for (let k = 0; k < n; k++) q[k * n + j] /= nrm;
  }
  return q;
}

/** Q diag(d) W^T (m x n, k = d.length <= min(m, n)) with Q, W orthonormal columns, rounded to float32. */
function product(q: Mat, d: readonly number[], w: Mat, m: number, n: number): Mat {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < d.length; l++) s += q[i * m + l] * d[l] * w[j * n + l];
      out[i * n + j] = Math.fround(s);
    }
  return out;
}

/** Q diag(d) Q^T (n x n) for a seeded random orthogonal Q, rounded to float32: eigenvalues d. */
export function symmetricWithEigenvalues(d: readonly number[], seed: number): Mat {
  const q = randomOrthogonal(d.length, seed);
  return product(q, d, q, d.length, d.length);
}

/** Q diag(s) W^T (m x n) for seeded random orthonormal Q, W, rounded to float32: singular values s. */
export function withSingularValues(s: readonly number[], m: number, n: number, seed: number): Mat {
  return product(randomOrthogonal(m, seed), s, randomOrthogonal(n, seed + 1), m, n);
}

/** Symmetric matrices (M + M^T) / 2 of seeded values in [-1, 1), rounded to float32. */
export function randomSymmetric(n: number, seed: number): Mat {
  const r = lcg(seed);
  const m = new Float64Array(n * n).map(() => r() * 2 - 1);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = Math.fround((m[i * n + j] + m[j * n + i]) / 2);
  return out;
}

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function fail(what: string, detail: string): never {
  throw new Error(`${what}: ${detail}`);
}

/** |actual - expected| <= tol everywhere, naming the first index that is not. */
export function expectWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol))
      fail(
        what,
        `index ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err.toExponential(2)} > ${tol.toExponential(2)})`,
      );
  }
}

/** Q^T Q = I for q (rows x cols) within tol. */
export function expectOrthonormalColumns(
  q: ArrayLike<number>,
  rows: number,
  cols: number,
  tol: number,
  what: string,
) {
  const Q = Float64Array.from(q);
  const g = mul(transpose(Q, rows, cols), Q, cols, rows, cols);
  const eye = new Float64Array(cols * cols).map((_, e) => (e % (cols + 1) === 0 ? 1 : 0));
  expectWithin(g, eye, tol, `${what}: Q^T Q = I`);
}

/** How {@link expectSameSubspaces} compares. */
export interface SubspaceTolerance {
  /** Backward error of the decomposition, |E| (e.g. TOL(n) |A|): a subspace moves by |E| / gap. */
  tol: number;
  /** Reference values within this of their neighbour form one cluster (the gap is at least this). */
  clusterGap: number;
  /** What rounding alone leaves in a projector (the orthonormality tolerance). */
  floor: number;
  /** Values of the vectors not given (0 for the complement of a reduced SVD's u or v). */
  outside?: number[];
  /** Clusters whose values this accepts are not compared. */
  skip?: (value: number) => boolean;
}

/**
 * Compares vectors (the columns of v, rows x cols) with reference ones, cluster by cluster: reference values
 * (sorted either way) within `clusterGap` of their neighbour form a cluster, whose projector V_c V_c^T must
 * match within floor + tol / gap (gap: the distance to the nearest other value, `outside` ones included). A
 * cluster of one is also compared as one vector up to sign.
 */
export function expectSameSubspaces(
  v: ArrayLike<number>,
  ref: { values: ArrayLike<number>; vectors: ArrayLike<number> },
  rows: number,
  cols: number,
  t: SubspaceTolerance,
  what: string,
) {
  const clusters: number[][] = [];
  for (let j = 0; j < cols; j++) {
    const last = clusters[clusters.length - 1];
    if (last && Math.abs(ref.values[j] - ref.values[j - 1]) <= t.clusterGap) last.push(j);
    else clusters.push([j]);
  }
  for (const group of clusters) {
    if (t.skip && group.every((j) => t.skip!(ref.values[j]))) continue;
    const others = [...Array.from(ref.values).filter((_, j) => !group.includes(j)), ...(t.outside ?? [])];
    const distance = Math.min(...group.flatMap((j) => others.map((o) => Math.abs(ref.values[j] - o))));
    const gap = Math.max(distance, t.clusterGap);
    const bound = Math.min(t.tol / gap, 2) + t.floor;
    const proj = (x: ArrayLike<number>) => {
      const p = new Float64Array(rows * rows);
      for (const j of group)
        for (let r = 0; r < rows; r++)
          for (let q = 0; q < rows; q++) p[r * rows + q] += x[r * cols + j] * x[q * cols + j];
      return p;
    };
    expectWithin(
      proj(v),
      proj(ref.vectors),
      bound,
      `${what}: projector of vectors ${group[0]}..${group.at(-1)}`,
    );
    if (group.length === 1) {
      const j = group[0];
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += v[r * cols + j] * ref.vectors[r * cols + j];
      const sign = dot < 0 ? -1 : 1;
      const col = (x: ArrayLike<number>, sg: number) =>
        Float64Array.from({ length: rows }, (_, r) => sg * x[r * cols + j]);
      expectWithin(col(v, sign), col(ref.vectors, 1), 2 * bound, `${what}: vector ${j} (up to sign)`);
    }
  }
}

/**
 * The SVD of a (m x n) in float64: s descending, v (n x k) the eigenvectors of A^T A, u = A v / s (m x k;
 * columns of singular values below 1e-9 s_max are left 0: only their span with the others is defined).
 */
export function refSvd(a: ArrayLike<number>, m: number, n: number): { s: Float64Array; u: Mat; v: Mat } {
  const A = Float64Array.from(a);
  const k = Math.min(m, n);
  const gram = refEigh(mul(transpose(A, m, n), A, n, m, n), n);
  const s = new Float64Array(k);
  const v = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    const src = n - 1 - j; // descending
    s[j] = Math.sqrt(Math.max(gram.values[src], 0));
    for (let i = 0; i < n; i++) v[i * k + j] = gram.vectors[i * n + src];
  }
  const av = mul(A, v, m, n, k);
  const u = new Float64Array(m * k);
  for (let j = 0; j < k; j++)
    if (s[j] > 1e-9 * s[0]) for (let i = 0; i < m; i++) u[i * k + j] = av[i * k + j] / s[j];
  return { s, u, v };
}

/** The spectral norm of symmetric a: its largest |eigenvalue|. */
export const symmetricNorm = (ref: { values: Float64Array }) => Math.max(maxAbs(ref.values), 1e-300);

/** The largest-magnitude entry (first of equals) of every column of v (rows x cols) is positive. */
export function expectSignConvention(v: ArrayLike<number>, rows: number, cols: number, what: string) {
  for (let j = 0; j < cols; j++) {
    let best = 0;
    for (let i = 0; i < rows; i++) if (Math.abs(v[i * cols + j]) > Math.abs(best)) best = v[i * cols + j];
    expect(best >= 0, `${what}: column ${j}'s largest entry ${best} is negative`).toBe(true);
  }
}

const EPS32 = 2 ** -23;
/** The tolerance unit of checkEigh and checkSvd for n x n (or min(m, n) = n) matrices: see the header. */
export const TOL = (n: number) => Math.max(n, 4) * EPS32;

/** Checks one (n x n) result of eigh against the float64 reference of its input. */
export function checkEigh(
  a: Float64Array,
  n: number,
  values: ArrayLike<number>,
  vectors: ArrayLike<number>,
  what: string,
) {
  const ref = refEigh(a, n);
  const norm = symmetricNorm(ref);
  const tol = TOL(n) * norm;
  expectWithin(values, ref.values, tol, `${what}: eigenvalues`);
  for (let i = 1; i < n; i++) expect(values[i] >= values[i - 1], `${what}: ascending at ${i}`).toBe(true);
  // Residuals A v_j - lambda_j v_j.
  const res = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * vectors[k * n + j];
      res[i * n + j] = s - values[j] * vectors[i * n + j];
    }
  expectWithin(res, new Float64Array(n * n), tol, `${what}: residual A v - lambda v`);
  expectOrthonormalColumns(vectors, n, n, TOL(n), what);
  expectSameSubspaces(vectors, ref, n, n, { tol, clusterGap: 100 * tol, floor: TOL(n) }, what);
  expectSignConvention(vectors, n, n, what);
}

/** Checks one svd (u m x k, s, vt k x n) of a (m x n) against the float64 reference. */
export function checkSvd(
  a: Float64Array,
  m: number,
  n: number,
  u: ArrayLike<number>,
  s: ArrayLike<number>,
  vt: ArrayLike<number>,
  what: string,
) {
  const k = Math.min(m, n);
  const ref = refSvd(a, m, n);
  const smax = Math.max(ref.s[0] ?? 0, 1e-30);
  const tol = TOL(k) * smax;
  expectWithin(s, ref.s, tol, `${what}: singular values`);
  for (let i = 1; i < k; i++) expect(s[i] <= s[i - 1], `${what}: descending at ${i}`).toBe(true);
  expectOrthonormalColumns(u, m, k, TOL(k), `${what}: u`);
  expectOrthonormalColumns(transpose(Float64Array.from(vt), k, n), n, k, TOL(k), `${what}: vt`);
  const us = Float64Array.from(u, (x, e) => x * s[e % k]);
  expectWithin(mul(us, Float64Array.from(vt), m, k, n), a, tol, `${what}: u diag(s) vt = A`);
  // Vectors of singular values that are (numerically) zero are only defined as a completion: skipped.
  const skip = (x: number) => x <= 100 * tol;
  const t = { tol, clusterGap: 100 * tol, floor: TOL(k), skip };
  // The complement of u's (or v's) columns belongs to singular value 0.
  expectSameSubspaces(
    u,
    { values: ref.s, vectors: ref.u },
    m,
    k,
    { ...t, outside: m > k ? [0] : [] },
    `${what}: u`,
  );
  const v = transpose(Float64Array.from(vt), k, n);
  expectSameSubspaces(
    v,
    { values: ref.s, vectors: ref.v },
    n,
    k,
    { ...t, outside: n > k ? [0] : [] },
    `${what}: v`,
  );
  expectSignConvention(u, m, k, `${what}: u`);
}

/** An m x n matrix of seeded values in [-1, 1), rounded to float32 (kept as float64). */
export const randomMatrix = (m: number, n: number, seed: number): Mat => {
  const r = lcg(seed);
  return Float64Array.from({ length: m * n }, () => Math.fround(r() * 2 - 1));
};

/** n values from 1 down to 1 / cond, log-spaced: the spectrum of a matrix of condition number cond. */
export const logSpaced = (n: number, cond: number) =>
  Array.from({ length: n }, (_, i) => cond ** (-i / Math.max(1, n - 1)));

/** eigh of a batch (..., n, n) given as float64 values of float32 numbers, checked matrix by matrix. */
export async function checkEighOf(
  gb: Context,
  mats: Float64Array[],
  batch: number[],
  n: number,
  what: string,
) {
  const a = gb.tensor(Float32Array.from(mats.flatMap((m) => Array.from(m))), [...batch, n, n]);
  const { values, vectors } = linalg.eigh(a);
  expect(values.shape).toEqual([...batch, n]);
  expect(vectors.shape).toEqual([...batch, n, n]);
  const lam = await values.data();
  const vec = await vectors.data();
  mats.forEach((m, z) =>
    checkEigh(
      m,
      n,
      lam.subarray(z * n, (z + 1) * n),
      vec.subarray(z * n * n, (z + 1) * n * n),
      `${what} [${z}]`,
    ),
  );
  for (const t of [a, values, vectors]) t.dispose();
}

/** svd of a batch (..., m, n) given as float64 values of float32 numbers, checked matrix by matrix. */
export async function checkSvdOf(
  gb: Context,
  mats: Float64Array[],
  batch: number[],
  m: number,
  n: number,
  what: string,
) {
  const k = Math.min(m, n);
  const a = gb.tensor(Float32Array.from(mats.flatMap((x) => Array.from(x))), [...batch, m, n]);
  const { u, s, vt } = linalg.svd(a);
  expect(u.shape).toEqual([...batch, m, k]);
  expect(s.shape).toEqual([...batch, k]);
  expect(vt.shape).toEqual([...batch, k, n]);
  const [ud, sd, vd] = [await u.data(), await s.data(), await vt.data()];
  mats.forEach((x, z) =>
    checkSvd(
      x,
      m,
      n,
      ud.subarray(z * m * k, (z + 1) * m * k),
      sd.subarray(z * k, (z + 1) * k),
      vd.subarray(z * k * n, (z + 1) * k * n),
      `${what} [${z}]`,
    ),
  );
  for (const t of [a, u, s, vt]) t.dispose();
}
