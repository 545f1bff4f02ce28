// linalg.eigh on both backends and every WebGPU rung ('auto', and pinned: 'thread', an invocation per
// matrix; 'workgroup', a workgroup per matrix in workgroup memory up to n = 64; 'global', the work in a
// scratch buffer), against a float64 cyclic-Jacobi reference: random, ill-conditioned (cond 1e4), diagonal,
// rank-deficient and repeated-eigenvalue matrices, batches (33 x 5x5), sizes that are not multiples of
// anything (1, 2, 3, 7, 33, 64, 70), NaN, bad shapes, and checkGrad of its gradients.
//
// Tolerances: see checkEigh in helpers/spectral.ts (backward stability: TOL(n) = max(n, 4) eps32 times |A|).
import { expect, it } from 'vitest';
import { type Context, linalg, type Tensor } from '../src/index';
import { eachBackend, held, withVariant } from './helpers/backends';
import { randomData } from './helpers/close';
import {
  checkEighOf,
  expectWithin,
  logSpaced,
  randomSymmetric,
  symmetricWithEigenvalues,
  TOL,
} from './helpers/spectral';

eachBackend('linalg.eigh', (use, backend) => {
  // Every rung pinned for the same matrices ('workgroup' runs the global rung where n > 64), and 'auto'.
  for (const rung of ['auto', 'thread', 'workgroup', 'global'] as const) {
    if (backend !== 'webgpu' && rung !== 'auto') continue;
    const pin = (gb: Context, body: () => Promise<void>) => withVariant(gb, 'jacobi', rung, body);

    it(`random symmetric matrices, sizes and batches (${rung})`, async () => {
      const gb = use();
      const before = held(gb);
      await pin(gb, async () => {
        for (const [batch, n] of [
          [[], 1],
          [[], 2],
          [[5], 3],
          [[33], 5],
          [[2, 3], 7],
          [[], 33],
          [[2], 64],
        ] as [number[], number][]) {
          const count = batch.reduce((p, d) => p * d, 1);
          const mats = Array.from({ length: count }, (_, z) => randomSymmetric(n, 100 * n + z));
          await checkEighOf(gb, mats, batch, n, `n=${n} batch=${batch}`);
        }
      });
      expect(held(gb)).toEqual(before);
    });

    it(`ill-conditioned (cond 1e4), indefinite and structured matrices (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        const n = 12;
        const ill = symmetricWithEigenvalues(logSpaced(n, 1e4), 3);
        const indefinite = symmetricWithEigenvalues(
          logSpaced(n, 1e4).map((v, i) => (i % 2 ? -v : v)),
          4,
        );
        // Repeated eigenvalues: only the subspaces they span are defined (projector comparison).
        const repeated = symmetricWithEigenvalues([2, 2, 2, -1, -1, 5, 0.5, 0.5, 3, 3, 3, 3], 5);
        // Rank-deficient: B B^T with B (n, 4): eigenvalue 0 eight times.
        const b = randomData(n * 4, 6);
        const lowRank = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < 4; k++) s += b[i * 4 + k] * b[j * 4 + k];
            lowRank[i * n + j] = Math.fround(s);
          }
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) lowRank[i * n + j] = lowRank[j * n + i];
        await checkEighOf(gb, [ill, indefinite, repeated, lowRank], [4], n, 'structured');
        // A zero matrix and the identity: eigenvalues 0 and 1, vectors I.
        for (const fill of [0, 1]) {
          const eye = gb.eye(5).mul(fill);
          const { values, vectors } = linalg.eigh(eye);
          expect(Array.from(await values.data())).toEqual([fill, fill, fill, fill, fill]);
          expect(Array.from(await vectors.data())).toEqual(Array.from(await gb.eye(5).data()));
        }
      });
    });

    it(`diagonal matrices come back exactly, sorted, with unit vectors (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        const d = [3, -1, 0.5, 7, -2.25, 0];
        const a = gb.tensor(d).diag();
        const { values, vectors } = linalg.eigh(a);
        expect(Array.from(await values.data())).toEqual([-2.25, -1, 0, 0.5, 3, 7]);
        const order = [4, 1, 5, 2, 0, 3]; // the position of each sorted value in d
        const want = new Array(36).fill(0);
        order.forEach((row, col) => (want[row * 6 + col] = 1));
        expect(Array.from(await vectors.data(), (v) => v + 0)).toEqual(want);
      });
    });

    it(`n = 70, past workgroup memory (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        const n = 70;
        await checkEighOf(gb, [randomSymmetric(n, 70)], [], n, 'n=70');
        await checkEighOf(gb, [symmetricWithEigenvalues(logSpaced(n, 1e4), 71)], [], n, 'n=70 cond 1e4');
      });
    });

    it(`NaN and infinite entries give NaN and do not hang (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        for (const n of [3, 70]) {
          const data = Float32Array.from(randomSymmetric(n, 9));
          data[n + 2] = NaN;
          const two = new Float32Array(2 * n * n);
          two.set(data);
          two.set(Float32Array.from(randomSymmetric(n, 10)), n * n);
          two[n * n + 1] = Infinity;
          const a = gb.tensor(two, [2, n, n]);
          const { values, vectors } = linalg.eigh(a);
          expect(Array.from(await values.data()).every(Number.isNaN)).toBe(true);
          expect(Array.from(await vectors.data()).every(Number.isNaN)).toBe(true);
        }
      });
    });
  }

  it('reads the symmetric part (A + A^T) / 2 of a matrix that is not symmetric', async () => {
    const gb = use();
    const a = gb.tensor([
      [2, 1],
      [3, 2],
    ]);
    // (A + A^T) / 2 = [[2, 2], [2, 2]]: eigenvalues 0 and 4.
    const { values } = linalg.eigh(a);
    expectWithin(await values.data(), [0, 4], 4 * TOL(2), 'symmetric part');
  });

  it('empty batches and 0 x 0 matrices', async () => {
    const gb = use();
    const e = linalg.eigh(gb.zeros([0, 3, 3]));
    expect(e.values.shape).toEqual([0, 3]);
    expect(e.vectors.shape).toEqual([0, 3, 3]);
    const z = linalg.eigh(gb.zeros([2, 0, 0]));
    expect(z.values.shape).toEqual([2, 0]);
  });

  it('says what was wrong with the shape', () => {
    const gb = use();
    expect(() => linalg.eigh(gb.zeros([3, 4]))).toThrow(
      /linalg\.eigh: A must be a square matrix or a batch of them, shape \(\.\.\., n, n\), got \(3,4\)/,
    );
    expect(() => linalg.eigh(gb.zeros([2, 5, 4]))).toThrow(/got \(2,5,4\)/);
    expect(() => linalg.eigh(gb.zeros([3]))).toThrow(/got \(3\)/);
    expect(() => linalg.eigh(7 as unknown as Tensor)).toThrow(/expected a Tensor/);
  });

  it('gradients of eigenvalues and eigenvectors match finite differences', async () => {
    const gb = use();
    const n = 4;
    // Distinct, well-separated eigenvalues so the eigenvectors are differentiable.
    const A = gb.tensor(Float32Array.from(symmetricWithEigenvalues([-2, 0.5, 1.5, 4], 21)), [n, n]);
    const M = gb.tensor(randomData(2 * n * n, 22), [2, n, n]);
    const W = gb.tensor(randomData(n * n, 23), [n, n]);
    const w = gb.tensor(randomData(n, 24), [n]);
    const check = async (f: (x: Tensor) => Tensor, x: Tensor, what: string, order: 1 | 2 = 1) => {
      const r = await gb.checkGrad(f, [x], { order });
      expect(r.ok, `${what} (order ${order}): ${JSON.stringify(r.inputs)}`).toBe(true);
    };
    await check((a) => linalg.eigh(a).values.mul(w).sum(), A, 'values');
    await check((a) => linalg.eigh(a).values.mul(w).sum(), A, 'values', 2);
    // The symmetric part is what is decomposed, so a free (non-symmetric) A has a gradient too.
    await check(
      (a) =>
        linalg
          .eigh(a.add(W.mul(0.1)))
          .values.mul(w)
          .sum(),
      A,
      'values of A + 0.1 W',
    );
    await check((a) => linalg.eigh(a).vectors.mul(W).sum(), A, 'vectors');
    // A batch, through M M^T + diag: symmetric positive definite.
    const spd = (m: Tensor) => m.matmul(m.transpose([0, 2, 1])).add(gb.tensor([1, 2, 3, 4]).diag());
    await check((m) => linalg.eigh(spd(m)).vectors.mul(W).sum(), M, 'vectors of a batch');
    await check((m) => linalg.eigh(spd(m)).values.square().sum(), M, 'values of a batch');
    for (const t of [A, M, W, w]) t.dispose();
  });

  it('repeated eigenvalues: the gradient of a function of the subspace is exact', async () => {
    const gb = use();
    // Eigenvalues 1, 1, 3: the projector onto the eigenvectors of 1 is smooth in A, although the two
    // vectors themselves are not; eigh leaves out the pair (0, 1) of F, which is what makes this exact.
    const A = gb.tensor(Float32Array.from(symmetricWithEigenvalues([1, 1, 3], 31)), [3, 3]);
    const W = gb.tensor(randomData(9, 32), [3, 3]);
    const f = (a: Tensor) => {
      const v = linalg.eigh(a).vectors.slice([0, 0], [3, 2]);
      return v.matmul(v.transpose()).mul(W).sum();
    };
    const r = await gb.checkGrad(f, [A]);
    expect(r.ok, JSON.stringify(r.inputs)).toBe(true);
    A.dispose();
    W.dispose();
  });
});
