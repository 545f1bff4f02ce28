// linalg.powerIteration and linalg.matrixPower on both backends, against float64 references written here
// (the same iteration and repeated multiplication in float64), on symmetric matrices with a known
// spectrum, a PageRank link matrix, a negative dominant eigenvalue, the zero matrix and batches; plus
// stepping one call at a time, seeding, errors, memory and checkGrad.
import { expect, it } from 'vitest';
import { linalg, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** |a - e| <= tol * max(max|e|, 1) everywhere, reporting the first index that is not. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1) }, what);
}

/** C = A B for n x n row-major matrices, in float64. */
function mm(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array<ArrayBuffer> {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += A[i * n + l] * B[l * n + j];
      C[i * n + j] = s;
    }
  return C;
}

const matvec = (A: ArrayLike<number>, x: ArrayLike<number>, n: number) =>
  Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    return s;
  });

/**
 * Q diag(lambdas) Q^T rounded to float32, with Q the product of two Householder reflections (exactly
 * orthogonal in float64): a symmetric matrix whose eigenvalues and eigenvectors are known.
 */
function symmetricWithSpectrum(lambdas: number[], seed: number) {
  const n = lambdas.length;
  let Q = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  for (const s of [seed, seed + 1]) {
    const v = Array.from(randomData(n, s));
    const vv = v.reduce((a, x) => a + x * x, 0);
    const H = Float64Array.from({ length: n * n }, (_, e) => {
      const [i, j] = [Math.floor(e / n), e % n];
      return (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
    });
    Q = mm(Q, H, n);
  }
  const A = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * lambdas[k] * Q[j * n + k];
      A[i * n + j] = s;
    }
  return { A, Q }; // eigenvector k is column k of Q
}

/** Sign-insensitive comparison of a unit vector with an expected unit vector. */
function expectSameDirection(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  let d = 0;
  for (let i = 0; i < want.length; i++) d += got[i] * want[i];
  const s = Math.sign(d) || 1;
  expectNear(
    Array.from(got, (v) => v * s),
    want,
    tol,
    what,
  );
}

eachBackend('linalg.powerIteration', (use) => {
  it('converges to the dominant eigenpair of a symmetric matrix with a known spectrum', async () => {
    const gb = use();
    const before = held(gb);
    const n = 6;
    // |lambda_2 / lambda_1| = 0.4: after 60 steps the error is 0.4^60 ~ 1e-24, below float32 rounding.
    const { A, Q } = symmetricWithSpectrum([5, 2, 1, -0.5, 0.25, -2], 3);
    const a = gb.tensor(A, [n, n]);
    const r = linalg.powerIteration(a, { steps: 60, seed: 4 });
    expect(r.vector.shape).toEqual([n]);
    expect(r.value.shape).toEqual([]);
    expect(r.history).toBeUndefined();
    const q0 = Array.from({ length: n }, (_, i) => Q[i * n]);
    // A rounded to float32 moves the eigenvector by ~eps32 |A| / gap = 6e-8 * 5 / 3: 1e-5 leaves a margin.
    expectSameDirection(await r.vector.data(), q0, 1e-5, 'dominant eigenvector');
    expectClose(await r.value.data(), [5], { rtol: 1e-5, atol: 0 }, 'dominant eigenvalue');
    expect(await r.residual.item()).toBeLessThan(1e-5);
    for (const t of [a, r.vector, r.value, r.residual]) t.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('every iterate of history matches the float64 iteration from the same start', async () => {
    const gb = use();
    const before = held(gb);
    const n = 5;
    const { A } = symmetricWithSpectrum([3, -2.5, 1, 0.5, 0.1], 9);
    const a = gb.tensor(A, [n, n]);
    const steps = 8;
    const r = linalg.powerIteration(a, { steps, seed: 12, history: true });
    const { vectors, values } = r.history!;
    expect(vectors.shape).toEqual([steps + 1, n]);
    expect(values.shape).toEqual([steps + 1]);
    const V = await vectors.data();
    const L = await values.data();
    // The start is the Philox normal draw for the seed, normalised: the same on every backend.
    const draw = gb.randn([n, 1], { seed: 12 });
    const x0 = Float64Array.from(await draw.data());
    let x = x0.map((v) => v / Math.hypot(...x0));
    for (let s = 0; s <= steps; s++) {
      const ax = matvec(A, x, n);
      // Each step is a matvec and a normalisation in float32: ~n eps32 per step, growing with the steps.
      expectNear(V.subarray(s * n, (s + 1) * n), x, 1e-5, `iterate ${s}`);
      expectClose(
        [L[s]],
        [x.reduce((acc, v, i) => acc + v * ax[i], 0)],
        { rtol: 1e-5, atol: 1e-6 },
        `value ${s}`,
      );
      x = ax.map((v) => v / Math.hypot(...ax));
    }
    expectNear(await r.vector.data(), V.subarray(steps * n), 0, 'vector is the last iterate');
    expectNear(await r.value.data(), [L[steps]], 0, 'value is the last quotient');
    for (const t of [a, r.vector, r.value, r.residual, vectors, values, draw]) t.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('stepping one call at a time is the same as one call with all the steps', async () => {
    const gb = use();
    const n = 4;
    const a = gb.tensor(symmetricWithSpectrum([2, 1.5, -1, 0.3], 21).A, [n, n]);
    const whole = linalg.powerIteration(a, { steps: 5, seed: 3 });
    let s = linalg.powerIteration(a, { steps: 0, seed: 3 });
    for (let i = 0; i < 5; i++) {
      const next = linalg.powerIteration(a, { steps: 1, start: s.vector });
      for (const t of [s.vector, s.value, s.residual]) t.dispose();
      s = next;
    }
    // Re-normalising a unit vector rounds once more per step: a few eps32.
    expectNear(await s.vector.data(), await whole.vector.data(), 1e-6, 'stepped vs whole');
    expectNear(await s.value.data(), await whole.value.data(), 1e-6, 'stepped value');
    // The same seed gives the same start; another seed another one.
    const s0 = linalg.powerIteration(a, { steps: 0, seed: 3 });
    const s1 = linalg.powerIteration(a, { steps: 0, seed: 4 });
    const d0 = await s0.vector.data();
    expect(Array.from(d0)).not.toEqual(Array.from(await s1.vector.data()));
    expect(Math.hypot(...d0)).toBeCloseTo(1, 6);
  });

  it('PageRank: the dominant eigenvector of a Google matrix, normalised to sum 1', async () => {
    const gb = use();
    // Links: 0 -> 1, 2; 1 -> 2; 2 -> 0; 3 -> 0, 2. Column j of M spreads page j's rank over its links.
    const links = [[1, 2], [2], [0], [0, 2]];
    const n = 4;
    const d = 0.85;
    const G = new Float32Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++)
        G[i * n + j] = d * (links[j].includes(i) ? 1 / links[j].length : 0) + (1 - d) / n;
    // Reference: (I - d M) r = (1 - d) / n 1 in float64, by Gaussian elimination.
    const sys = Array.from({ length: n }, (_, i) => [
      ...Array.from(
        { length: n },
        (_, j) => (i === j ? 1 : 0) - d * (links[j].includes(i) ? 1 / links[j].length : 0),
      ),
      (1 - d) / n,
    ]);
    for (let c = 0; c < n; c++)
      for (let i = 0; i < n; i++) {
        if (i === c) continue;
        const f = sys[i][c] / sys[c][c];
        for (let k = c; k <= n; k++) sys[i][k] -= f * sys[c][k];
      }
    const rank = sys.map((row, i) => row[n] / row[i]);
    const g = gb.tensor(G, [n, n]);
    const r = linalg.powerIteration(g, { steps: 100, seed: 1 });
    const v = await r.vector.data();
    const total = v.reduce((a, x) => a + x, 0);
    expectNear(
      Array.from(v, (x) => x / total),
      rank,
      1e-5,
      'PageRank',
    );
    // A column-stochastic matrix has dominant eigenvalue 1.
    expectClose(await r.value.data(), [1], { rtol: 1e-5, atol: 0 }, 'eigenvalue 1');
  });

  it('a negative dominant eigenvalue alternates the sign; the zero matrix keeps the start', async () => {
    const gb = use();
    const a = gb.tensor([
      [-3, 0],
      [0, 1],
    ]);
    const r = linalg.powerIteration(a, { steps: 20, start: gb.tensor([1, 1]), history: true });
    expectClose(await r.value.data(), [-3], { rtol: 1e-6, atol: 0 }, 'value -3');
    const V = await r.history!.vectors.data();
    for (let s = 10; s < 20; s++) expect(Math.sign(V[2 * s]) * Math.sign(V[2 * s + 2])).toBe(-1);
    const z = gb.zeros([3, 3]);
    const rz = linalg.powerIteration(z, { steps: 3, start: gb.tensor([0, 3, 4]) });
    expectNear(await rz.vector.data(), [0, 0.6, 0.8], 1e-7, 'zero matrix keeps the start');
    expect(await rz.value.item()).toBe(0);
    expect(await rz.residual.item()).toBe(0);
  });

  it('batches: one eigenpair per matrix; a shared start vector broadcasts', async () => {
    const gb = use();
    const n = 3;
    const mats = [
      [4, 1, 0.5],
      [-6, 2, 1],
    ].map((l, i) => symmetricWithSpectrum(l, 40 + i));
    const A = new Float32Array(2 * n * n);
    mats.forEach((m, i) => A.set(m.A, i * n * n));
    const a = gb.tensor(A, [2, n, n]);
    const r = linalg.powerIteration(a, { steps: 80, start: gb.tensor([1, 0.5, 0.25]) });
    expect(r.vector.shape).toEqual([2, n]);
    expect(r.value.shape).toEqual([2]);
    expectClose(await r.value.data(), [4, -6], { rtol: 1e-5, atol: 0 }, 'values');
    const v = await r.vector.data();
    mats.forEach((m, i) =>
      expectSameDirection(
        v.subarray(i * n, (i + 1) * n),
        Array.from({ length: n }, (_, k) => m.Q[k * n]),
        1e-5,
        `vector ${i}`,
      ),
    );
  });

  it('says what was wrong with the input', () => {
    const gb = use();
    const a = gb.eye(3);
    expect(() => linalg.powerIteration(gb.zeros([2, 3]))).toThrow(/must be a square matrix .* got \(2,3\)/);
    expect(() => linalg.powerIteration(a, { steps: -1 })).toThrow(/steps must be an integer >= 0, got -1/);
    expect(() => linalg.powerIteration(a, { steps: 1.5 })).toThrow(/steps must be an integer/);
    expect(() => linalg.powerIteration(a, { seed: 1, start: gb.ones([3]) })).toThrow(/not both/);
    expect(() => linalg.powerIteration(a, { start: gb.ones([4]) })).toThrow(
      /start must be a vector of length n = 3 .* got \(4\)/,
    );
    expect(() => linalg.powerIteration(a, { seed: -2 })).toThrow(/seed must be a non-negative integer/);
  });

  it('differentiable through its ops', async () => {
    const gb = use();
    const a = gb.tensor(symmetricWithSpectrum([3, 1, 0.5], 51).A, [3, 3]);
    const start = gb.tensor([1, 0.2, -0.3]);
    const rep = await gb.checkGrad((x: Tensor) => linalg.powerIteration(x, { steps: 3, start }).value, [a]);
    expect(rep.ok, JSON.stringify(rep.inputs)).toBe(true);
  });
});

/** A^k by k multiplications (or of A^-1, from Gauss-Jordan) in float64: the plain definition. */
function refPower(A: ArrayLike<number>, n: number, k: number): Float64Array<ArrayBuffer> {
  let base: Float64Array<ArrayBuffer> = Float64Array.from(A);
  if (k < 0) {
    const aug = Array.from({ length: n }, (_, i) => [
      ...Array.from({ length: n }, (_, j) => A[i * n + j]),
      ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
    ]);
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(aug[i][c]) > Math.abs(aug[p][c])) p = i;
      [aug[c], aug[p]] = [aug[p], aug[c]];
      const piv = aug[c][c];
      aug[c] = aug[c].map((v) => v / piv);
      for (let i = 0; i < n; i++) if (i !== c) aug[i] = aug[i].map((v, j) => v - aug[i][c] * aug[c][j]);
    }
    base = Float64Array.from(aug.flatMap((row) => row.slice(n)));
  }
  let out = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  for (let i = 0; i < Math.abs(k); i++) out = mm(out, base, n);
  return out;
}

eachBackend('linalg.matrixPower', (use) => {
  /** Matrices with spectral radius about 1, so that powers up to 13 stay of order 1. */
  const mats = (batch: number, n: number, seed: number) => {
    const x = randomData(batch * n * n, seed, 0.4 / Math.sqrt(n));
    for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) x[b * n * n + i * (n + 1)] += 0.8;
    return x;
  };

  it('powers from -3 to 13 match repeated multiplication in float64', async () => {
    const gb = use();
    const before = held(gb);
    for (const [batch, n] of [
      [1, 1],
      [1, 3],
      [4, 5],
      [2, 17],
    ]) {
      const A = mats(batch, n, 7 + n);
      const shape = batch > 1 ? [batch, n, n] : [n, n];
      const a = gb.tensor(A, shape);
      for (const k of [0, 1, 2, 3, 5, 8, 13, -1, -2, -3]) {
        const p = linalg.matrixPower(a, k);
        expect(p.shape).toEqual(shape);
        const want = new Float64Array(batch * n * n);
        for (let b = 0; b < batch; b++)
          want.set(refPower(A.subarray(b * n * n, (b + 1) * n * n), n, k), b * n * n);
        // ~2 log2|k| float32 products of n terms each, cond(A) ~ 3 for the inverse: 1e-5 * |k|.
        expectNear(await p.data(), want, 1e-5 * Math.max(1, Math.abs(k)), `A^${k} (${shape})`);
        p.dispose();
      }
      // A was not freed by any power (k = 1 returns a copy of its own).
      expect(a.isDisposed).toBe(false);
      a.dispose();
    }
    expect(held(gb)).toEqual(before);
  });

  it('k = 0 gives identities of the batch shape; k = 1 a copy', async () => {
    const gb = use();
    const a = gb.tensor(mats(2, 2, 3), [2, 2, 2]);
    expect(Array.from(await linalg.matrixPower(a, 0).data())).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    const one = linalg.matrixPower(a, 1);
    expect(one).not.toBe(a);
    one.dispose();
    expect(Array.from(await a.data())).toEqual(Array.from(mats(2, 2, 3)));
  });

  it('says what was wrong with the input', () => {
    const gb = use();
    const a = gb.eye(2);
    expect(() => linalg.matrixPower(gb.zeros([2, 3]), 2)).toThrow(/must be a square matrix .* got \(2,3\)/);
    expect(() => linalg.matrixPower(a, 1.5)).toThrow(/k must be an integer \(the power\), got 1\.5/);
    expect(() => linalg.matrixPower(a, '2' as unknown as number)).toThrow(/k must be an integer/);
  });

  it('gradients through the products (and inv) match finite differences', async () => {
    const gb = use();
    const a = gb.tensor(mats(2, 3, 11), [2, 3, 3]);
    const w = gb.tensor(randomData(18, 12), [2, 3, 3]);
    for (const k of [2, 3, 6, -2, 0]) {
      const rep = await gb.checkGrad((x: Tensor) => linalg.matrixPower(x, k).mul(w).sum(), [a]);
      expect(rep.ok, `k = ${k}: ${JSON.stringify(rep.inputs)}`).toBe(true);
    }
  });
});
