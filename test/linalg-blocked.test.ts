// The blocked paths of cholesky and LU (solve, inv, det, slogdet) for matrices past workgroup memory,
// on both backends (the CPU is switched onto the blocked path here; by default it keeps its own loops),
// against float64 references, at sizes that are not multiples of the 64-wide panels (130, 150: two full
// panels and a partial one), plus the unblocked WebGPU kernel at the same sizes, the pivot named by a
// failing Cholesky in a later panel, an exactly singular matrix, and memory.
//
// Tolerances: as in linalg.test.ts, a backward-stable float32 factorisation is off by about
// cond(A) * n * eps32 norm-wise; these matrices have cond(A) below ~10 and n <= 150, so 1e-4 against the
// largest entry leaves a margin of ~10.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { linalg, type Tensor } from '../src/index';
import { blocking } from '../src/linalg/blocked';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { refCholesky, refSolve } from './helpers/linalg_reference';

const TOL = 1e-4;

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1e-30) }, what);
}

/** M M^T / n + I for M in [-1, 1]: symmetric positive definite, eigenvalues in [1, ~5]. */
function spd(n: number, seed: number): Float32Array {
  const m = randomData(n * n, seed);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
      out[i * n + j] = out[j * n + i] = s / n + (i === j ? 1 : 0);
    }
  return out;
}

/** M + sqrt(n) I with M in [-1, 1]: rows are permuted by pivoting, and cond(A) stays small. */
function general(n: number, seed: number): Float32Array {
  const m = randomData(n * n, seed);
  for (let i = 0; i < n; i++) m[i * n + i] += Math.sqrt(n) * (i % 2 ? 1 : -1);
  return m;
}

const sizes = [130, 150];

eachBackend('linalg, blocked for large n', (use, backend) => {
  const saved = { ...blocking.from };
  beforeAll(() => {
    blocking.from.js = blocking.from.wasm = 65; // the CPU backends take the blocked path too (the WebGPU default)
  });
  afterAll(() => {
    Object.assign(blocking.from, saved);
  });
  // Both paths on WebGPU: blocked (the default past 64) and the one-workgroup kernel in the output buffer.
  const paths = backend === 'webgpu' ? (['blocked', 'unblocked'] as const) : (['blocked'] as const);
  const onPath = async (path: 'blocked' | 'unblocked', body: () => Promise<void>) => {
    const from = blocking.from[backend];
    blocking.from[backend] = path === 'blocked' ? 65 : Infinity;
    try {
      await body();
    } finally {
      blocking.from[backend] = from;
    }
  };

  for (const path of paths) {
    it(`cholesky at n = 130, 150 and a batch of two 97 x 97 (${path})`, async () => {
      const gb = use();
      const before = held(gb);
      await onPath(path, async () => {
        for (const [batch, n] of [...sizes.map((n) => [1, n]), [2, 97]]) {
          const A = new Float32Array(batch * n * n);
          for (let b = 0; b < batch; b++) A.set(spd(n, 5 + n + b), b * n * n);
          const a = gb.tensor(A, batch > 1 ? [batch, n, n] : [n, n]);
          const L = linalg.cholesky(a);
          const want = new Float64Array(batch * n * n);
          for (let b = 0; b < batch; b++)
            want.set(refCholesky(A.subarray(b * n * n, (b + 1) * n * n), n), b * n * n);
          expectNear(await L.data(), want, TOL, `cholesky ${batch} x ${n} (${path})`);
          a.dispose();
          L.dispose();
        }
      });
      expect(held(gb)).toEqual(before);
    });

    it(`solve, inv, det and slogdet at n = 130, 150 (${path})`, async () => {
      const gb = use();
      const before = held(gb);
      await onPath(path, async () => {
        for (const n of sizes) {
          const A = general(n, 17 + n);
          const k = 3;
          const B = randomData(n * k, 18 + n);
          const a = gb.tensor(A, [n, n]);
          const b = gb.tensor(B, [n, k]);
          const ref = refSolve(A, B, n, k);
          const x = linalg.solve(a, b);
          expectNear(await x.data(), ref.x, TOL, `solve n=${n} (${path})`);
          const { sign, logAbsDet } = linalg.slogdet(a);
          expect(await sign.item()).toBe(Math.sign(ref.det));
          // log|det| sums n logs of pivots, each ~n eps relative: TOL absolute on a value of ~n.
          expectClose(
            await logAbsDet.data(),
            [Math.log(Math.abs(ref.det))],
            { rtol: 1e-5, atol: TOL },
            'logAbsDet',
          );
          // det: a product of n pivots (n roundings); past float32's range it is +-Infinity, as in NumPy.
          const d = linalg.det(a);
          const det32 = Math.abs(ref.det) > 3.4e38 ? Math.sign(ref.det) * Infinity : ref.det;
          expectClose(await d.data(), [det32], { rtol: 1e-3, atol: 0 }, `det n=${n}`);
          for (const t of [a, b, x, sign, logAbsDet, d]) t.dispose();
        }
        const n = 130;
        const A = general(n, 99);
        const a = gb.tensor(A, [n, n]);
        const ai = linalg.inv(a);
        const eye = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
        expectNear(await ai.data(), refSolve(A, eye, n, n).x, TOL, `inv n=${n} (${path})`);
        a.dispose();
        ai.dispose();
      });
      expect(held(gb)).toEqual(before);
    });

    it(`triangularSolve at n = 150: lower, upper, transposed, unit diagonal (${path})`, async () => {
      const gb = use();
      const before = held(gb);
      await onPath(path, async () => {
        const n = 150;
        const k = 5;
        const m = randomData(n * n, 71);
        const B = randomData(2 * n * k, 72);
        for (const lower of [true, false])
          for (const transpose of [false, true])
            for (const unitDiagonal of [false, true]) {
              // Diagonal in [1, 2), off-diagonal entries small: cond(A) below ~10.
              const A = Float32Array.from(m, (v, e) => {
                const [i, j] = [Math.floor(e / n), e % n];
                return i === j ? 1.5 + v / 2 : (lower ? j < i : j > i) ? v / Math.sqrt(n) : 0;
              });
              // op(A) in full, with ones on the diagonal where it is taken as unit; solved by the LU reference.
              const opA = new Float64Array(n * n);
              for (let i = 0; i < n; i++)
                for (let j = 0; j < n; j++)
                  opA[i * n + j] = i === j && unitDiagonal ? 1 : transpose ? A[j * n + i] : A[i * n + j];
              const a = gb.tensor(A, [n, n]);
              const b = gb.tensor(B, [2, n, k]);
              const x = linalg.triangularSolve(a, b, { lower, transpose, unitDiagonal });
              const want = new Float64Array(2 * n * k);
              for (let z = 0; z < 2; z++)
                want.set(refSolve(opA, B.subarray(z * n * k, (z + 1) * n * k), n, k).x, z * n * k);
              expectNear(
                await x.data(),
                want,
                TOL,
                `lower=${lower} transpose=${transpose} unit=${unitDiagonal} (${path})`,
              );
              for (const t of [a, b, x]) t.dispose();
            }
      });
      expect(held(gb)).toEqual(before);
    });
  }

  it('a batch of large matrices: each its own pivots', async () => {
    const gb = use();
    const n = 97;
    const A = new Float32Array(3 * n * n);
    for (let b = 0; b < 3; b++) A.set(general(n, 40 + b), b * n * n);
    const a = gb.tensor(A, [3, n, n]);
    const B = randomData(3 * n, 44);
    const x = linalg.solve(a, gb.tensor(B, [3, n]));
    const want = new Float64Array(3 * n);
    for (let b = 0; b < 3; b++)
      want.set(
        refSolve(A.subarray(b * n * n, (b + 1) * n * n), B.subarray(b * n, (b + 1) * n), n, 1).x,
        b * n,
      );
    expectNear(await x.data(), want, TOL, 'batched solve n=97');
  });

  it('cholesky that fails in a later panel names the global pivot and the batch index', async () => {
    const gb = use();
    const n = 150;
    const good = spd(n, 3);
    const bad = spd(n, 4);
    // Pivot 100 (in the second panel) fails: A[100][100] far below what L's row 100 already takes.
    bad[100 * n + 100] = -5;
    const A = new Float32Array(2 * n * n);
    A.set(good, 0);
    A.set(bad, n * n);
    const a = gb.tensor(A, [2, n, n]);
    const run = async (t: Tensor) => {
      const L = linalg.cholesky(t);
      try {
        await L.data();
      } finally {
        L.dispose();
      }
    };
    await expect(run(a)).rejects.toThrow(/pivot 100 of the matrix at batch index \[1\] is not positive/);
    // In the first panel too.
    bad[100 * n + 100] = good[100 * n + 100];
    bad[7 * n + 7] = -1;
    const a2 = gb.tensor(bad, [n, n]);
    await expect(run(a2)).rejects.toThrow(/: pivot 7 is not positive/);
    a.dispose();
    a2.dispose();
  });

  it('an exactly singular matrix: det 0 and slogdet (0, -Infinity)', async () => {
    const gb = use();
    const n = 130;
    const A = general(n, 61);
    for (let i = 0; i < n; i++) A[i * n + 100] = 0; // column 100 (second panel) is zero
    const a = gb.tensor(A, [n, n]);
    expect(await linalg.det(a).item()).toBe(0);
    const s = linalg.slogdet(a);
    expect(await s.sign.item()).toBe(0);
    expect(await s.logAbsDet.item()).toBe(-Infinity);
  });
});
