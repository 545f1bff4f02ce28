// The two WebGPU rungs for batches of small matrices, each pinned: a workgroup per matrix (linalg.wgsl)
// and an invocation per matrix (linalg_small.wgsl), for cholesky and LU (solve, det), against float64
// references on sizes 1-64 and batches; the CPU runs the same checks once. Tolerance as in linalg.test.ts:
// cond(A) below ~10 and n <= 64, so 1e-4 against the largest entry.
import { expect, it } from 'vitest';
import { linalg, type Tensor } from '../src/index';
import { eachBackend, held, withVariant } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { refCholesky, refSolve } from './helpers/linalg_reference';

const TOL = 1e-4;
const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: TOL * Math.max(maxAbs(expected), 1e-30) }, what);
}

/** `count` matrices M M^T / n + I (symmetric positive definite) or M + (n/2 + 1) I (general). */
function matrices(count: number, n: number, seed: number, kind: 'spd' | 'general'): Float32Array {
  const out = new Float32Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const m = randomData(n * n, seed + b);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let v = m[i * n + j] + (i === j ? n / 2 + 1 : 0);
        if (kind === 'spd') {
          v = i === j ? 1 : 0;
          for (let k = 0; k < n; k++) v += (m[i * n + k] * m[j * n + k]) / n;
        }
        out[b * n * n + i * n + j] = v;
      }
  }
  return out;
}

const CASES: [number, number][] = [
  [5, 1],
  [7, 2],
  [300, 3],
  [4, 8],
  [3, 16],
  [2, 33],
  [2, 64],
];

eachBackend('linalg, small-matrix rungs', (use, backend) => {
  const rungs = backend === 'webgpu' ? (['workgroup', 'thread'] as const) : (['auto'] as const);
  for (const rung of rungs) {
    it(`cholesky, solve and det of batches of 1x1 to 64x64 (${rung})`, async () => {
      const gb = use();
      const before = held(gb);
      await withVariant(gb, 'linalg', rung, async () => {
        for (const [count, n] of CASES) {
          const S = matrices(count, n, 3 + n, 'spd');
          const s = gb.tensor(S, [count, n, n]);
          const L = linalg.cholesky(s);
          const wantL = new Float64Array(count * n * n);
          for (let b = 0; b < count; b++)
            wantL.set(refCholesky(S.subarray(b * n * n, (b + 1) * n * n), n), b * n * n);
          expectNear(await L.data(), wantL, `cholesky ${count} x ${n} (${rung})`);
          const A = matrices(count, n, 50 + n, 'general');
          const a = gb.tensor(A, [count, n, n]);
          const B = randomData(count * n, 9 + n);
          const bt = gb.tensor(B, [count, n]);
          const x = linalg.solve(a, bt);
          const d = linalg.det(a);
          const wantX = new Float64Array(count * n);
          const wantD: number[] = [];
          for (let b = 0; b < count; b++) {
            const r = refSolve(A.subarray(b * n * n, (b + 1) * n * n), B.subarray(b * n, (b + 1) * n), n, 1);
            wantX.set(r.x, b * n);
            wantD.push(Math.abs(r.det) > 3.4e38 ? Math.sign(r.det) * Infinity : r.det);
          }
          expectNear(await x.data(), wantX, `solve ${count} x ${n} (${rung})`);
          expectClose(await d.data(), wantD, { rtol: TOL, atol: 0 }, `det ${count} x ${n} (${rung})`);
          for (const t of [s, L, a, bt, x, d]) t.dispose();
        }
      });
      expect(held(gb)).toEqual(before);
    });

    it(`pivoting, zero pivots and failed Cholesky pivots (${rung})`, async () => {
      const gb = use();
      await withVariant(gb, 'linalg', rung, async () => {
        // [[0, 1], [1, 0]] needs a row swap: det -1, solve exact.
        const p = gb.tensor([
          [0, 1],
          [1, 0],
        ]);
        expect(await linalg.det(p).item()).toBe(-1);
        expect(Array.from(await linalg.solve(p, gb.tensor([2, 3])).data())).toEqual([3, 2]);
        // A zero column: det exactly 0, slogdet (0, -Infinity).
        const z = gb.tensor([
          [1, 0, 2],
          [3, 0, 4],
          [5, 0, 6],
        ]);
        expect(await linalg.det(z).item()).toBe(0);
        expect(await linalg.slogdet(z).logAbsDet.item()).toBe(-Infinity);
        // Batch index [2] fails at pivot 1.
        const data = [4, 0, 0, 4, 9, 0, 0, 9, 1, 3, 3, 1];
        const s = gb.tensor(data, [3, 2, 2]);
        const read = async (t: Tensor) => {
          const L = linalg.cholesky(t);
          try {
            await L.data();
          } finally {
            L.dispose();
          }
        };
        await expect(read(s)).rejects.toThrow(/pivot 1 of the matrix at batch index \[2\] is not positive/);
      });
    });
  }
});
