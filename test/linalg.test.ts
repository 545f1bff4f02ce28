// linalg on both backends: trace, triangularSolve, cholesky, solve, det, slogdet, inv against float64
// references computed here (substitution, Cholesky and LU with partial pivoting written out below), on
// sizes 1, 2, 3, 7, 33, 64 (64 is the largest n whose matrix fits workgroup memory on WebGPU) and batches,
// plus every error message and checkGrad for every gradient.
//
// Tolerances: a backward-stable solve in float32 has a relative error (norm-wise, against the largest
// entry) of about cond(A) * n * eps32 (eps32 = 6e-8), so errors are measured against the largest |entry|
// of the expected result with tol = TOL * cond; the random matrices below have cond(A) below ~10.
import { expect, it } from 'vitest';
import { type Context, GradboxError, linalg, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { refCholesky, refSolve } from './helpers/linalg_reference';

/** n * eps32 * a margin of ~20 for n <= 64: the norm-wise error budget of a float32 factorisation. */
const TOL = 1e-4;
const SIZES = [1, 2, 3, 7, 33, 64];

type Mats = { data: Float64Array; shape: number[] };
const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Norm-wise closeness: |a - e| <= tol * max|e| everywhere, reporting the first index that is not. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1e-30) }, what);
}

/** Matrices (..., n, n) of float32 values, built by `make(i, j, r)` from a seeded generator r. */
function build(
  batch: number[],
  n: number,
  seed: number,
  make: (i: number, j: number, m: Float32Array) => number,
) {
  const total = count(batch);
  const out = new Float64Array(total * n * n);
  for (let b = 0; b < total; b++) {
    const m = randomData(n * n, seed + b);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) out[b * n * n + i * n + j] = Math.fround(make(i, j, m));
  }
  return { data: out, shape: [...batch, n, n] };
}

/** M + n I: diagonally dominant in expectation, cond(A) small. */
const general = (batch: number[], n: number, seed: number) =>
  build(batch, n, seed, (i, j, m) => m[i * n + j] + (i === j ? n / 2 + 1 : 0));

/** M M^T / n + I: symmetric positive definite, eigenvalues in [1, ~5]. */
function spd(batch: number[], n: number, seed: number): Mats {
  const total = count(batch);
  const out = new Float64Array(total * n * n);
  for (let b = 0; b < total; b++) {
    const m = randomData(n * n, seed + b);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
        const v = Math.fround(s / n + (i === j ? 1 : 0));
        out[b * n * n + i * n + j] = v;
        out[b * n * n + j * n + i] = v;
      }
  }
  return { data: out, shape: [...batch, n, n] };
}

/** Triangular with diagonal in [1, 2) and small off-diagonal entries: cond(A) small. */
const triangular = (batch: number[], n: number, seed: number, lower: boolean) =>
  build(batch, n, seed, (i, j, m) =>
    i === j ? 1.5 + m[i * n + j] / 2 : (lower ? j < i : j > i) ? m[i * n + j] / Math.sqrt(n) : 0,
  );

/** Applies `f` to each matrix of a batch (and the matching block of `b`), concatenating the results. */
function perMatrix(a: Mats, f: (m: Float64Array, z: number) => ArrayLike<number>): Float64Array {
  const n = a.shape[a.shape.length - 1];
  const parts: number[] = [];
  for (let z = 0; z < a.data.length / (n * n || 1); z++)
    parts.push(...Array.from(f(a.data.slice(z * n * n, (z + 1) * n * n), z)));
  return Float64Array.from(parts);
}

/** Values with -0 read as 0, for exact comparisons. */
const values = async (t: Tensor) => Array.from(await t.data(), (v) => v + 0);

const tensorOf = (gb: Context, m: Mats) => gb.tensor(Float32Array.from(m.data), m.shape);

function weighted(gb: Context, y: Tensor, seed: number): Tensor {
  return y.mul(gb.tensor(randomData(y.size, seed), y.shape)).sum();
}

eachBackend('linalg', (use, backend) => {
  it('trace of one matrix and of batches', async () => {
    const gb = use();
    for (const shape of [
      [1, 1],
      [3, 3],
      [5, 3, 3],
      [2, 4, 7, 7],
    ]) {
      const a = gb.tensor(randomData(count(shape), 3), shape);
      const n = shape[shape.length - 1];
      const data = await a.data();
      const want = perMatrix({ data: Float64Array.from(data), shape }, (m) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += m[i * n + i];
        return [s];
      });
      const t = linalg.trace(a);
      expect(t.shape).toEqual(shape.slice(0, -2));
      // A sum of n float32 values: n roundings at most.
      expectClose(await t.data(), want, { rtol: 1e-6, atol: 1e-6 }, `trace ${shape}`);
      a.dispose();
      t.dispose();
    }
  });

  it('triangularSolve: lower, upper, transposed, unit diagonal, vectors and batches', async () => {
    const gb = use();
    const before = held(gb);
    for (const n of SIZES) {
      for (const lower of [true, false]) {
        for (const transpose of [false, true]) {
          const k = n % 3 === 0 ? 1 : 3;
          const batch = n <= 7 ? [2] : [];
          const A = triangular(batch, n, 10 + n, lower);
          const Bk = {
            data: Float64Array.from(randomData(count(batch) * n * k, 50 + n)),
            shape: [...batch, n, k],
          };
          // The reference: the full triangular matrix op(A) (zeros in the other triangle) solved by LU.
          const opA = perMatrix(A, (m) => {
            const o = new Float64Array(n * n);
            for (let i = 0; i < n; i++)
              for (let j = 0; j < n; j++) o[i * n + j] = transpose ? m[j * n + i] : m[i * n + j];
            return o;
          });
          const want = new Float64Array(Bk.data.length);
          for (let z = 0; z < count(batch); z++) {
            want.set(
              refSolve(opA.slice(z * n * n, (z + 1) * n * n), Bk.data.slice(z * n * k, (z + 1) * n * k), n, k)
                .x,
              z * n * k,
            );
          }
          const a = tensorOf(gb, A);
          const b = tensorOf(gb, Bk);
          const x = linalg.triangularSolve(a, b, { lower, transpose });
          expect(x.shape).toEqual(Bk.shape);
          expectNear(
            await x.data(),
            want,
            TOL,
            `triangularSolve n=${n} lower=${lower} transpose=${transpose}`,
          );
          // A vector right-hand side: B (..., n).
          const bcol = b.slice([...batch.map(() => 0), 0, 0], [...batch, n, 1]);
          const bv = bcol.reshape([...batch, n]);
          const xv = linalg.triangularSolve(a, bv, { lower, transpose });
          expect(xv.shape).toEqual([...batch, n]);
          const xd = await x.data();
          expectNear(
            await xv.data(),
            Float64Array.from({ length: count(batch) * n }, (_, i) => xd[i * k]),
            TOL,
            'vector rhs',
          );
          for (const t of [a, b, x, bcol, bv, xv]) t.dispose();
        }
      }
    }
    // The unit diagonal is taken as 1 and never read (here it holds 100).
    const a = gb.tensor([
      [100, 0],
      [2, 100],
    ]);
    const rhs = gb.tensor([1, 4]);
    const x = linalg.triangularSolve(a, rhs, { lower: true, unitDiagonal: true });
    expect(Array.from(await x.data())).toEqual([1, 2]);
    a.dispose();
    rhs.dispose();
    x.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('cholesky matches a float64 factorisation on sizes and batches', async () => {
    const gb = use();
    for (const [batch, n] of [
      [[], 1],
      [[], 2],
      [[5], 3],
      [[2, 4], 7],
      [[], 33],
      [[2], 64],
    ] as [number[], number][]) {
      const A = spd(batch, n, 7 + n);
      const a = tensorOf(gb, A);
      const L = linalg.cholesky(a);
      expect(L.shape).toEqual(A.shape);
      expectNear(
        await L.data(),
        perMatrix(A, (m) => refCholesky(m, n)),
        TOL,
        `cholesky ${A.shape}`,
      );
      a.dispose();
      L.dispose();
    }
  });

  it('cholesky of a matrix that is not positive definite', async () => {
    const gb = use();
    // Batch index [1, 0] fails at pivot 1: [[1, 2], [2, 1]] has leading minors 1 and -3.
    const data = [1, 0, 0, 1, 4, 0, 0, 4, 1, 2, 2, 1, 2, 0, 0, 2];
    const a = gb.tensor(data, [2, 2, 2, 2]);
    if (backend !== 'webgpu') {
      expect(() => linalg.cholesky(a)).toThrow(GradboxError);
      expect(() => linalg.cholesky(a)).toThrow(
        /not positive definite: pivot 1 of the matrix at batch index \[1,0\]/,
      );
      const one = gb.tensor([[-1]]);
      expect(() => linalg.cholesky(one)).toThrow(/pivot 0 is not positive/);
      one.dispose();
    } else {
      // WebGPU throws the same error at the next read (test/linalg-cholesky-errors.test.ts has the rest).
      const L = linalg.cholesky(a);
      await expect(L.data()).rejects.toThrow(
        /not positive definite: pivot 1 of the matrix at batch index \[1,0\]/,
      );
      L.dispose();
    }
    a.dispose();
  });

  it('solve, inv and det on well-conditioned matrices of every size', async () => {
    const gb = use();
    const before = held(gb);
    for (const [batch, n] of [
      [[], 1],
      [[], 2],
      [[5], 3],
      [[2, 4], 7],
      [[], 33],
      [[2], 64],
    ] as [number[], number][]) {
      const A = general(batch, n, 20 + n);
      const k = 2;
      const B = {
        data: Float64Array.from(randomData(count(batch) * n * k, 90 + n)),
        shape: [...batch, n, k],
      };
      const a = tensorOf(gb, A);
      const b = tensorOf(gb, B);
      const x = linalg.solve(a, b);
      const ref = (m: Float64Array, z: number, rhs: Float64Array, kk: number) =>
        refSolve(m, rhs.slice(z * n * kk, (z + 1) * n * kk), n, kk);
      expectNear(
        await x.data(),
        perMatrix(A, (m, z) => ref(m, z, B.data, k).x),
        TOL,
        `solve ${A.shape}`,
      );
      const eye = new Float64Array(count(batch) * n * n).map((_, i) =>
        (i % (n * n)) % (n + 1) === 0 ? 1 : 0,
      );
      const ai = linalg.inv(a);
      expectNear(
        await ai.data(),
        perMatrix(A, (m, z) => ref(m, z, eye, n).x),
        TOL,
        `inv ${A.shape}`,
      );
      // det: n roundings of the pivots' product, each ~n eps relative: TOL relative.
      const dets = perMatrix(A, (m) => [refSolve(m, new Float64Array(n), n, 0).det]);
      // det of M + (n/2 + 1) I grows like (n/2 + 1)^n, past float32's range (3.4e38) for n = 33 and 64:
      // there it is +Infinity, as in NumPy's float32 det; slogdet covers those sizes.
      const d = linalg.det(a);
      expect(d.shape).toEqual(batch);
      const finite = dets.map((v) => (Math.abs(v) > 3.4e38 ? Math.sign(v) * Infinity : v));
      expectClose(await d.data(), finite, { rtol: TOL, atol: 0 }, `det ${A.shape}`);
      const { sign, logAbsDet } = linalg.slogdet(a);
      expect(Array.from(await sign.data())).toEqual(Array.from(dets, Math.sign));
      expectClose(
        await logAbsDet.data(),
        Array.from(dets, (v) => Math.log(Math.abs(v))),
        { rtol: 1e-5, atol: TOL },
        'logAbsDet',
      );
      for (const t of [a, b, x, ai, d, sign, logAbsDet]) t.dispose();
    }
    expect(held(gb)).toEqual(before);
  });

  it('n = 65: past workgroup memory (WebGPU takes the blocked path, linalg-blocked.test.ts)', async () => {
    const gb = use();
    const n = 65;
    const A = spd([], n, 77);
    const a = tensorOf(gb, A);
    const L = linalg.cholesky(a);
    expectNear(await L.data(), refCholesky(A.data, n), TOL, 'cholesky n=65');
    const B = Float64Array.from(randomData(n, 78));
    const b = gb.tensor(Float32Array.from(B), [n]);
    const x = linalg.solve(a, b);
    expectNear(await x.data(), refSolve(A.data, B, n, 1).x, TOL, 'solve n=65');
    for (const t of [a, L, b, x]) t.dispose();
  });

  it('solve with vector right-hand sides and broadcast batches', async () => {
    const gb = use();
    const n = 3;
    const A = general([4], n, 5);
    const a = tensorOf(gb, A);
    // A one-axis B is one vector for all four matrices.
    const bv = gb.tensor(randomData(n, 6), [n]);
    const xv = linalg.solve(a, bv);
    expect(xv.shape).toEqual([4, n]);
    const bvd = Float64Array.from(await bv.data());
    expectNear(
      await xv.data(),
      perMatrix(A, (m) => refSolve(m, bvd, n, 1).x),
      TOL,
      'one vector rhs',
    );
    xv.dispose();
    const b = gb.tensor(randomData(4 * n, 6), [4, n]);
    const x = linalg.solve(a, b);
    expect(x.shape).toEqual([4, n]);
    const bd = await b.data();
    const want = perMatrix(A, (m, z) => refSolve(m, bd.slice(z * n, (z + 1) * n), n, 1).x);
    expectNear(await x.data(), want, TOL, 'vector rhs');
    // One (n, 2) right-hand side broadcast over the batch of A.
    const b2 = gb.tensor(randomData(n * 2, 7), [n, 2]);
    const x2 = linalg.solve(a, b2);
    expect(x2.shape).toEqual([4, n, 2]);
    const b2d = Float64Array.from(await b2.data());
    expectNear(
      await x2.data(),
      perMatrix(A, (m) => refSolve(m, b2d, n, 2).x),
      TOL,
      'broadcast rhs',
    );
    for (const t of [a, bv, b, x, b2, x2]) t.dispose();
  });

  // cond(A) * n * eps32 = 1e4 * 7 * 6e-8 = 4e-3 at worst; 1e-2 norm-wise leaves a margin of 2.5.
  it('an ill-conditioned matrix (cond ~1e4) within cond * 1e-6', async () => {
    const gb = use();
    const n = 7;
    // A = D M with D = diag(1, ..., 1e-4) and M well conditioned: cond(A) <= 1e4 * cond(M).
    const M = general([], n, 31);
    const A = {
      data: M.data.map((v, e) => Math.fround(v * 10 ** ((-4 * Math.floor(e / n)) / (n - 1)))),
      shape: [n, n],
    };
    const B = Float64Array.from(randomData(n, 32));
    const a = tensorOf(gb, A);
    const b = gb.tensor(Float32Array.from(B), [n]);
    const x = linalg.solve(a, b);
    expectNear(await x.data(), refSolve(A.data, B, n, 1).x, 1e4 * 1e-6, 'ill-conditioned solve');
    const d = linalg.det(a);
    expectClose(
      await d.data(),
      [refSolve(A.data, B, n, 1).det],
      { rtol: TOL, atol: 0 },
      'ill-conditioned det',
    );
    for (const t of [a, b, x, d]) t.dispose();
  });

  it('structured matrices: diagonal and triangular', async () => {
    const gb = use();
    const a = gb.tensor([
      [2, 0, 0],
      [0, -4, 0],
      [0, 0, 0.5],
    ]);
    expect(await values(linalg.det(a))).toEqual([-4]);
    expect(await values(linalg.inv(a))).toEqual([0.5, 0, 0, 0, -0.25, 0, 0, 0, 2]);
    expect(await values(linalg.solve(a, gb.tensor([2, 4, 1])))).toEqual([1, -1, 2]);
    const u = gb.tensor([
      [1, 2, 3],
      [0, 4, 5],
      [0, 0, 6],
    ]);
    expect(await values(linalg.det(u))).toEqual([24]);
    expect(
      Array.from(
        await linalg
          .cholesky(
            gb.tensor([
              [4, 0],
              [0, 9],
            ]),
          )
          .data(),
      ),
    ).toEqual([2, 0, 0, 3]);
  });

  it('singular matrices: det 0, slogdet (0, -Infinity), solve and inv non-finite, no hang', async () => {
    const gb = use();
    const a = gb.tensor([
      [1, 2, 3],
      [2, 4, 6],
      [1, 0, 1],
    ]);
    expect(await values(linalg.det(a))).toEqual([0]);
    const s = linalg.slogdet(a);
    expect(await values(s.sign)).toEqual([0]);
    expect(Array.from(await s.logAbsDet.data())).toEqual([-Infinity]);
    const x = await linalg.solve(a, gb.tensor([1, 1, 1])).data();
    expect(Array.from(x).some((v) => !Number.isFinite(v))).toBe(true);
    const zero = gb.zeros([2, 2]);
    expect(await values(linalg.det(zero))).toEqual([0]);
    expect((await values(linalg.inv(zero))).every((v) => !Number.isFinite(v))).toBe(true);
  });

  it('says what was wrong with the shapes', () => {
    const gb = use();
    const rect = gb.zeros([3, 4]);
    const vec = gb.zeros([3]);
    const sq = gb.eye(3);
    for (const f of [
      linalg.trace,
      linalg.cholesky,
      linalg.det,
      linalg.inv,
      (t: Tensor) => linalg.slogdet(t).sign,
    ]) {
      expect(() => f(rect)).toThrow(
        /must be a square matrix or a batch of them, shape \(\.\.\., n, n\), got \(3,4\)/,
      );
      expect(() => f(vec)).toThrow(/got \(3\); reshape a single number/);
    }
    expect(() => linalg.solve(sq, gb.zeros([4, 2]))).toThrow(
      /linalg\.solve: B must be \(\.\.\., n, k\) or \(\.\.\., n\) with n = 3 rows to match A \(3,3\), got \(4,2\)/,
    );
    expect(() => linalg.triangularSolve(sq, gb.zeros([2]))).toThrow(/linalg\.triangularSolve: B must be/);
    expect(() =>
      linalg.solve(gb.eye(2).reshape([1, 2, 2]).broadcastTo([3, 2, 2]), gb.zeros([2, 2, 1])),
    ).toThrow(/batch axes of A and B/);
    expect(() => linalg.triangularSolve(sq, vec, { lower: 1 as unknown as boolean })).toThrow(
      /lower must be a boolean, got/,
    );
    expect(() => linalg.solve(sq, 3 as unknown as Tensor)).toThrow(/expected a Tensor/);
  });

  it('gradients match finite differences', async () => {
    const gb = use();
    const check = async (f: (...xs: Tensor[]) => Tensor, xs: Tensor[], what: string, order: 1 | 2 = 1) => {
      const r = await gb.checkGrad((...ys) => weighted(gb, f(...ys), 9), xs, { order });
      expect(r.ok, `${what} (order ${order}): ${JSON.stringify(r.inputs)}`).toBe(true);
    };
    const n = 3;
    const A = tensorOf(gb, general([2], n, 41));
    const B = gb.tensor(randomData(2 * n * 2, 42), [2, n, 2]);
    const L = tensorOf(gb, triangular([2], n, 43, true));
    const M = gb.tensor(randomData(2 * n * n, 44), [2, n, n]);
    await check((a) => linalg.trace(a), [A], 'trace');
    await check((a) => linalg.trace(a.mul(a)), [A], 'trace', 2);
    await check((l, b) => linalg.triangularSolve(l, b, { lower: true }), [L, B], 'triangularSolve lower');
    await check(
      (l, b) => linalg.triangularSolve(l, b, { lower: true, transpose: true }),
      [L, B],
      'triangularSolve transposed',
    );
    await check(
      (l, b) => linalg.triangularSolve(l.transpose([0, 2, 1]), b, { lower: false, unitDiagonal: true }),
      [L, B],
      'triangularSolve upper unit',
    );
    // cholesky of a symmetric positive-definite function of a free M: the gradient is the symmetric one.
    const spdOf = (m: Tensor) => m.matmul(m.transpose([0, 2, 1])).add(gb.eye(n).mul(n));
    await check((m) => linalg.cholesky(spdOf(m)), [M], 'cholesky');
    await check((a, b) => linalg.solve(a, b), [A, B], 'solve');
    await check((a, b) => linalg.solve(a, b), [A, B], 'solve', 2);
    await check((a) => linalg.det(a), [A], 'det');
    await check((a) => linalg.slogdet(a).logAbsDet, [A], 'slogdet');
    await check((a) => linalg.inv(a), [A], 'inv');
    for (const t of [A, B, L, M]) t.dispose();
  });
});
