// The block Jacobi paths of linalg.eigh and linalg.svd (src/linalg/block_jacobi.ts), on every backend with the
// threshold lowered and the block made small (b = 8, so pairs of blocks are 16 x 16) so that they run on
// small shapes that are not multiples of the block (n = 37, 50, 70: padded to 48, 64, 80), against the
// float64 references of helpers/spectral.ts: random, cond 1e4, repeated and rank-deficient matrices, tall
// and wide svd, exact zero columns (the orthonormal completion), diagonal and zero matrices, NaN and
// infinities, batches, gradients through the path, and memory.
//
// Tolerances: those of checkEigh and checkSvd (helpers/spectral.ts): block Jacobi is backward stable like
// the scalar rungs, the diagonal blocks being set to the small eigh's eigenvalues only moves A by that
// eigh's own backward error, so TOL(n) = max(n, 4) eps32 relative to |A| holds (measured 1-8 eps32 here).
// The cond 1e4 cases compare values to that absolute tolerance, i.e. the smallest to 1e4 TOL(n) relative.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { linalg, type Tensor } from '../src/index';
import { blockJacobi, useBlockJacobi } from '../src/linalg/block_jacobi';
import { eachBackend, held } from './helpers/backends';
import { randomData } from './helpers/close';
import {
  checkEighOf,
  checkSvdOf,
  logSpaced,
  randomMatrix,
  randomSymmetric,
  symmetricWithEigenvalues,
  withSingularValues,
} from './helpers/spectral';

/** B B^T for B (n, r) of seeded values: symmetric, rank r, eigenvalue 0 n - r times (float32 entries). */
function lowRank(n: number, r: number, seed: number): Float64Array {
  const b = randomData(n * r, seed);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += b[i * r + k] * b[j * r + k];
      out[i * n + j] = out[j * n + i] = Math.fround(s);
    }
  return out;
}

eachBackend('linalg, block Jacobi for large n', (use, backend) => {
  const saved = { block: blockJacobi.block, batches: blockJacobi.batches, from: { ...blockJacobi.from } };
  beforeAll(() => {
    blockJacobi.block = 8;
    blockJacobi.from[backend] = 20;
    blockJacobi.batches = 4;
  });
  afterAll(() => {
    Object.assign(blockJacobi, { block: saved.block, batches: saved.batches });
    Object.assign(blockJacobi.from, saved.from);
  });

  it('takes the block path from the threshold on and for small batches only', () => {
    const gb = use();
    expect(useBlockJacobi(gb, 19, 1)).toBe(false);
    expect(useBlockJacobi(gb, 20, 4)).toBe(true);
    expect(useBlockJacobi(gb, 20, 5)).toBe(false);
    // The defaults: WebGPU from 192, wasm from 512, the TypeScript backend never; one matrix at a time.
    expect(saved.from[backend]).toBe({ webgpu: 192, wasm: 512, js: Infinity }[backend]);
    expect(saved.batches).toBe(1);
  });

  it('eigh of random symmetric matrices, n = 37, 50, 70 and a batch of two', async () => {
    const gb = use();
    const before = held(gb);
    for (const n of [37, 50, 70]) await checkEighOf(gb, [randomSymmetric(n, n)], [], n, `n=${n}`);
    await checkEighOf(gb, [randomSymmetric(37, 1), randomSymmetric(37, 2)], [2], 37, 'batch');
    expect(held(gb)).toEqual(before);
  });

  it('eigh of cond 1e4, indefinite, repeated-eigenvalue and rank-deficient matrices', async () => {
    const gb = use();
    const n = 37;
    const ill = symmetricWithEigenvalues(logSpaced(n, 1e4), 3);
    const indefinite = symmetricWithEigenvalues(
      logSpaced(n, 1e4).map((v, i) => (i % 2 ? -v : v)),
      4,
    );
    // Eigenvalues 2 (ten times), -1 (seven times), 0.5 (twenty times): compared by the subspaces they span.
    const repeated = symmetricWithEigenvalues(
      Array.from({ length: n }, (_, i) => (i < 10 ? 2 : i < 17 ? -1 : 0.5)),
      5,
    );
    await checkEighOf(gb, [ill, indefinite, repeated, lowRank(n, 5, 6)], [4], n, 'structured');
  });

  it('eigh of diagonal and zero matrices: exact values and unit vectors, in order', async () => {
    const gb = use();
    const n = 37;
    // A diagonal with ties: equal values keep the order of their unit vectors, as the scalar kernels do.
    const d = Array.from({ length: n }, (_, i) => ((i * 7) % 11) - 5);
    const { values, vectors } = linalg.eigh(gb.tensor(d).diag());
    const order = [...d.keys()].sort((i, j) => d[i] - d[j] || i - j);
    expect(Array.from(await values.data())).toEqual(order.map((i) => d[i]));
    const want = new Array(n * n).fill(0);
    order.forEach((row, col) => (want[row * n + col] = 1));
    expect(Array.from(await vectors.data(), (v) => v + 0)).toEqual(want);
    const zero = linalg.eigh(gb.zeros([n, n]));
    expect(Array.from(await zero.values.data(), (v) => v + 0)).toEqual(new Array(n).fill(0));
    expect(Array.from(await zero.vectors.data(), (v) => v + 0)).toEqual(Array.from(await gb.eye(n).data()));
  });

  it('svd of random tall, wide and square matrices and a batch', async () => {
    const gb = use();
    const before = held(gb);
    for (const [m, n] of [
      [50, 37],
      [37, 50],
      [70, 70],
      [90, 21],
    ])
      await checkSvdOf(gb, [randomMatrix(m, n, 100 * m + n)], [], m, n, `${m}x${n}`);
    await checkSvdOf(gb, [randomMatrix(23, 41, 1), randomMatrix(23, 41, 2)], [2], 23, 41, 'batch');
    expect(held(gb)).toEqual(before);
  });

  it('svd of cond 1e4, rank-deficient and repeated singular values, tall and wide', async () => {
    const gb = use();
    for (const [m, n] of [
      [45, 37],
      [37, 45],
    ]) {
      const k = 37;
      const ill = withSingularValues(logSpaced(k, 1e4), m, n, 11);
      const deficient = withSingularValues(
        Array.from({ length: k }, (_, i) => (i < 9 ? 3 - i / 4 : 0)),
        m,
        n,
        12,
      );
      const repeated = withSingularValues(
        Array.from({ length: k }, (_, i) => (i < 12 ? 2 : i < 30 ? 1 : 0.5)),
        m,
        n,
        13,
      );
      await checkSvdOf(gb, [ill, deficient, repeated], [3], m, n, `structured ${m}x${n}`);
    }
  });

  it('svd of exact zero columns and rows and of the zero matrix: an orthonormal completion', async () => {
    const gb = use();
    const [m, n] = [41, 29];
    const withZeros = randomMatrix(m, n, 14);
    for (let i = 0; i < m; i++) for (const j of [1, 3, 4, 20, 28]) withZeros[i * n + j] = 0;
    // Two equal columns: rotating them together leaves an exact (or rounding-sized) zero column.
    for (let i = 0; i < m; i++) withZeros[i * n + 10] = withZeros[i * n + 11];
    await checkSvdOf(gb, [withZeros, new Float64Array(m * n)], [2], m, n, 'zero columns');
    const wide = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wide[j * m + i] = withZeros[i * n + j];
    await checkSvdOf(gb, [wide], [], n, m, 'zero rows');
  });

  it('NaN and infinite entries give all NaN and stop', async () => {
    const gb = use();
    const n = 37;
    const x = Float32Array.from(randomSymmetric(n, 9));
    x[n + 2] = NaN;
    const y = Float32Array.from(randomSymmetric(n, 10));
    y[3] = Infinity;
    const a = gb.tensor(Float32Array.from([...x, ...y]), [2, n, n]);
    const e = linalg.eigh(a);
    const s = linalg.svd(a.slice([0, 0, 0], [2, n, 30]));
    for (const t of [e.values, e.vectors, s.u, s.s, s.vt]) {
      expect(Array.from(await t.data()).every(Number.isNaN)).toBe(true);
    }
    for (const t of [a, e.values, e.vectors, s.u, s.s, s.vt]) t.dispose();
  });

  it('gradients through the block path match finite differences', async () => {
    const gb = use();
    const threshold = blockJacobi.from[backend];
    const block = blockJacobi.block;
    blockJacobi.from[backend] = 8;
    blockJacobi.block = 2; // n = 9 padded to 12: six blocks, three pairs
    try {
      const check = async (f: (a: Tensor) => Tensor, a: Tensor, what: string) => {
        const r = await gb.checkGrad(f, [a]);
        expect(r.ok, `${what}: ${JSON.stringify(r.inputs)}`).toBe(true);
      };
      const n = 9;
      const weights = (shape: number[], seed: number) =>
        gb.tensor(
          randomData(
            shape.reduce((p, d) => p * d, 1),
            seed,
          ),
          shape,
        );
      // Distinct, well-separated values so that the vectors are differentiable.
      const spectrum = Array.from({ length: n }, (_, i) => i - 4.3);
      const A = gb.tensor(Float32Array.from(symmetricWithEigenvalues(spectrum, 21)), [n, n]);
      const G = gb.tensor(
        Float32Array.from(withSingularValues([5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5], 11, n, 22)),
        [11, n],
      );
      const [w, W, Wu, Wv] = [
        weights([n], 23),
        weights([n, n], 24),
        weights([11, n], 25),
        weights([n, n], 26),
      ];
      await check((a) => linalg.eigh(a).values.mul(w).sum(), A, 'eigh values');
      await check((a) => linalg.eigh(a).vectors.mul(W).sum(), A, 'eigh vectors');
      await check((g) => linalg.svd(g).s.mul(w).sum(), G, 'svd s');
      await check((g) => linalg.svd(g).u.mul(Wu).sum(), G, 'svd u');
      await check((g) => linalg.svd(g).vt.mul(Wv).sum(), G, 'svd vt');
      for (const t of [A, G, w, W, Wu, Wv]) t.dispose();
    } finally {
      blockJacobi.from[backend] = threshold;
      blockJacobi.block = block;
    }
  });

  it('the default block size (b = 32) at n = 70', async () => {
    const gb = use();
    blockJacobi.block = saved.block;
    try {
      await checkEighOf(gb, [randomSymmetric(70, 77)], [], 70, 'eigh n=70, default block');
      await checkSvdOf(gb, [randomMatrix(75, 70, 78)], [], 75, 70, 'svd 75x70, default block');
    } finally {
      blockJacobi.block = 8;
    }
  });
});
