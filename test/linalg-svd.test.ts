// linalg.svd, pinv and lstsq on both backends and every WebGPU rung ('auto', and pinned: 'thread', an
// invocation per matrix; 'workgroup', in workgroup memory up to max(m,n) * min(m,n) = 4096 with
// min(m,n) <= 64; 'global', the work in a scratch buffer), against float64
// references computed here (the eigendecomposition of A^T A by cyclic Jacobi; pinv as V diag(1/s) U^T of
// that; least squares by normal equations): tall, wide and square shapes that are multiples of nothing,
// batches, cond 1e4, rank-deficient and zero matrices, NaN, bad input, and checkGrad of every gradient.
//
// Tolerances: one-sided Jacobi in float32 is backward stable: u diag(s) vt = A + E with |E| ~ TOL(k) s_max,
// TOL(k) = max(k, 4) eps32 (measured: 1-14 eps32 at k = 64). So singular values are within TOL(k) s_max
// (the smallest of a matrix of condition number 1e4 to 1e4 TOL(k) relative), u and v^T orthonormal within
// TOL(k), singular vectors within TOL(k) s_max / gap. pinv(A) moves by at most ~3 cond(A) TOL(k) |pinv(A)|
// for a perturbation TOL(k) |A| (Wedin), and least-squares solutions by (cond + cond^2 |r| / (|A||x|)) TOL(k).
import { expect, it } from 'vitest';
import { type Context, linalg, type Tensor } from '../src/index';
import { eachBackend, held, withVariant } from './helpers/backends';
import { randomData } from './helpers/close';
import {
  checkSvdOf,
  expectWithin,
  logSpaced,
  mul,
  randomMatrix,
  refSvd,
  TOL,
  transpose,
  withSingularValues,
} from './helpers/spectral';

/** pinv in float64 from the reference SVD, singular values <= rtol s_max taken as 0: (n x m). */
function refPinv(a: Float64Array, m: number, n: number, rtol: number): Float64Array {
  const { s, u, v } = refSvd(a, m, n);
  const k = s.length;
  const out = new Float64Array(n * m);
  for (let l = 0; l < k; l++) {
    if (!(s[l] > rtol * s[0])) continue;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) out[i * m + j] += (v[i * k + l] * u[j * k + l]) / s[l];
  }
  return out;
}

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((p, v) => Math.max(p, Math.abs(v)), 0);

eachBackend('linalg.svd', (use, backend) => {
  // Every rung pinned for the same matrices ('workgroup' runs the global rung past its limit), and 'auto'.
  for (const rung of ['auto', 'thread', 'workgroup', 'global'] as const) {
    if (backend !== 'webgpu' && rung !== 'auto') continue;
    const pin = (gb: Context, body: () => Promise<void>) => withVariant(gb, 'jacobi', rung, body);

    it(`random tall, wide and square matrices and batches (${rung})`, async () => {
      const gb = use();
      const before = held(gb);
      await pin(gb, async () => {
        for (const [batch, m, n] of [
          [[], 1, 1],
          [[], 1, 5],
          [[3], 4, 3],
          [[33], 5, 5],
          [[2, 2], 2, 5],
          [[], 7, 5],
          [[], 33, 20],
          [[], 20, 33],
          [[2], 64, 64],
          [[], 100, 40],
          [[], 150, 4],
        ] as [number[], number, number][]) {
          const count = batch.reduce((p, d) => p * d, 1);
          const mats = Array.from({ length: count }, (_, z) => randomMatrix(m, n, 1000 * m + n + z));
          await checkSvdOf(gb, mats, batch, m, n, `${m}x${n} batch=${batch}`);
        }
      });
      expect(held(gb)).toEqual(before);
    });

    it(`cond 1e4, rank-deficient, repeated and zero singular values (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        for (const [m, n] of [
          [9, 6],
          [6, 9],
        ]) {
          const ill = withSingularValues(logSpaced(6, 1e4), m, n, 11);
          const deficient = withSingularValues([3, 2, 1, 0, 0, 0], m, n, 12);
          const repeated = withSingularValues([2, 2, 2, 1, 1, 0.5], m, n, 13);
          await checkSvdOf(gb, [ill, deficient, repeated], [3], m, n, `structured ${m}x${n}`);
        }
        // Exact zero columns: those columns of u come from the completion, orthogonal to the others.
        const m = 5;
        const n = 4;
        const withZeros = randomMatrix(m, n, 14);
        for (let i = 0; i < m; i++) withZeros[i * n + 1] = withZeros[i * n + 3] = 0;
        await checkSvdOf(
          gb,
          [withZeros, new Float64Array(m * n)],
          [2],
          m,
          n,
          'zero columns and the zero matrix',
        );
        await checkSvdOf(gb, [transpose(withZeros, m, n)], [], n, m, 'zero rows');
      });
    });

    it(`sizes past workgroup memory (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        await checkSvdOf(gb, [randomMatrix(70, 67, 5)], [], 70, 67, '70x67');
        await checkSvdOf(
          gb,
          [withSingularValues(logSpaced(67, 1e4), 67, 70, 6)],
          [],
          67,
          70,
          '67x70 cond 1e4',
        );
      });
    });

    it(`NaN and infinite entries give NaN and do not hang (${rung})`, async () => {
      const gb = use();
      await pin(gb, async () => {
        for (const [m, n] of [
          [4, 3],
          [67, 70],
        ]) {
          const x = Float32Array.from(randomMatrix(m, n, 8));
          x[5] = NaN;
          const y = Float32Array.from(randomMatrix(m, n, 9));
          y[2] = -Infinity;
          const a = gb.tensor(Float32Array.from([...x, ...y]), [2, m, n]);
          const { u, s, vt } = linalg.svd(a);
          for (const t of [u, s, vt]) expect(Array.from(await t.data()).every(Number.isNaN)).toBe(true);
          const p = linalg.pinv(a);
          expect(Array.from(await p.data()).every(Number.isNaN)).toBe(true);
        }
      });
    });
  }

  it('pinv of full-rank, cond 1e4 and rank-deficient matrices, and the Penrose conditions', async () => {
    const gb = use();
    for (const [m, n, sv, what] of [
      [7, 5, null, 'random tall'],
      [5, 7, null, 'random wide'],
      [6, 6, null, 'random square'],
      [8, 5, logSpaced(5, 1e4), 'cond 1e4'],
      [6, 8, [4, 2, 1, 0, 0, 0], 'rank 3'],
    ] as [number, number, number[] | null, string][]) {
      const k = Math.min(m, n);
      const A = sv ? withSingularValues(sv, m, n, 40) : randomMatrix(m, n, 41 + m);
      const ref = refSvd(A, m, n);
      // pinv's default cutoff is max(m, n) eps32 s_max ~ 1e-6 s_max: it keeps 1e-4 s_max and drops the
      // ~1e-8 s_max that float32 rounding leaves of a zero singular value; 1e-5 does the same here.
      const kept = Array.from(ref.s).filter((x) => x > 1e-5 * ref.s[0]);
      const cond = kept[0] / kept[kept.length - 1];
      const want = refPinv(A, m, n, 1e-5);
      const a = gb.tensor(Float32Array.from(A), [m, n]);
      const p = linalg.pinv(a);
      expect(p.shape).toEqual([n, m]);
      const pd = Float64Array.from(await p.data());
      expectWithin(pd, want, 3 * cond * TOL(k) * maxAbs(want), `pinv ${what}`);
      // A P A = A and P A P = P (within the same budget), A P and P A symmetric.
      const apa = mul(mul(A, pd, m, n, m), A, m, m, n);
      expectWithin(apa, A, 3 * cond * TOL(k) * maxAbs(A), `${what}: A P A = A`);
      const pap = mul(mul(pd, A, n, m, n), pd, n, n, m);
      expectWithin(pap, pd, 3 * cond * TOL(k) * maxAbs(pd), `${what}: P A P = P`);
      const ap = mul(A, pd, m, n, m);
      expectWithin(ap, transpose(ap, m, m), 3 * cond * TOL(k), `${what}: A P symmetric`);
      a.dispose();
      p.dispose();
    }
    // A zero matrix: zero. A batch, and an explicit rtol that cuts the smallest singular value.
    expect(Array.from(await linalg.pinv(gb.zeros([2, 3])).data())).toEqual([0, 0, 0, 0, 0, 0]);
    const d = gb.tensor([
      [
        [2, 0],
        [0, 1e-3],
      ],
      [
        [4, 0],
        [0, 0.5],
      ],
    ]);
    expectWithin(await linalg.pinv(d).data(), [0.5, 0, 0, 1000, 0.25, 0, 0, 2], 1e-3, 'pinv batch');
    expectWithin(await linalg.pinv(d, { rtol: 0.01 }).data(), [0.5, 0, 0, 0, 0.25, 0, 0, 2], 1e-6, 'rtol');
  });

  it('lstsq: over- and under-determined, rank-deficient, vector and batched right-hand sides', async () => {
    const gb = use();
    // Over-determined, full column rank: the normal equations (A^T A) x = A^T b in float64.
    const m = 10;
    const n = 3;
    const A = randomMatrix(m, n, 51);
    const B = randomMatrix(m, 2, 52);
    const At = transpose(A, m, n);
    const normal = refPinv(mul(At, A, n, m, n), n, n, 0); // (A^T A)^-1
    const want = mul(mul(normal, At, n, n, m), B, n, m, 2);
    const ref = refSvd(A, m, n);
    const cond = ref.s[0] / ref.s[n - 1];
    const a = gb.tensor(Float32Array.from(A), [m, n]);
    const b = gb.tensor(Float32Array.from(B), [m, 2]);
    const x = linalg.lstsq(a, b);
    expect(x.shape).toEqual([n, 2]);
    expectWithin(await x.data(), want, 3 * (cond + cond * cond) * TOL(n) * maxAbs(want), 'over-determined');
    // A vector b (m,) gives x (n,).
    const b1 = b.slice([0, 0], [m, 1]).reshape([m]);
    const x1 = linalg.lstsq(a, b1);
    expect(x1.shape).toEqual([n]);
    const xd = await x.data();
    expectWithin(await x1.data(), [xd[0], xd[2], xd[4]], 1e-6 * maxAbs(xd), 'vector b');
    // Under-determined: the minimum-norm solution A^T (A A^T)^-1 b.
    const W = randomMatrix(3, 7, 53);
    const wb = randomMatrix(3, 1, 54);
    const Wt = transpose(W, 3, 7);
    const minNorm = mul(mul(Wt, refPinv(mul(W, Wt, 3, 7, 3), 3, 3, 0), 7, 3, 3), wb, 7, 3, 1);
    const wref = refSvd(W, 3, 7);
    const wcond = wref.s[0] / wref.s[2];
    const xw = linalg.lstsq(gb.tensor(Float32Array.from(W), [3, 7]), gb.tensor(Float32Array.from(wb), [3]));
    expectWithin(await xw.data(), minNorm, 3 * wcond * TOL(3) * maxAbs(minNorm), 'minimum norm');
    // Rank-deficient: two equal columns share the weight equally (the minimum-norm choice).
    const r = gb.tensor([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expectWithin(await linalg.lstsq(r, gb.tensor([1, 2, 3])).data(), [0.5, 0.5], 1e-5, 'rank-deficient');
    // A batch of matrices with one right-hand side broadcast over it.
    const batch = gb.tensor(Float32Array.from([...A, ...A.map((v) => 2 * v)]), [2, m, n]);
    const xb = linalg.lstsq(batch, b);
    expect(xb.shape).toEqual([2, n, 2]);
    const xbd = await xb.data();
    expectWithin(xbd.subarray(0, n * 2), xd, 1e-5 * maxAbs(xd), 'batch 0');
    expectWithin(
      xbd.subarray(n * 2),
      Array.from(xd, (v) => v / 2),
      1e-5 * maxAbs(xd),
      'batch 1',
    );
  });

  it('says what was wrong with the input', () => {
    const gb = use();
    expect(() => linalg.svd(gb.zeros([3]))).toThrow(
      /linalg\.svd: A must be a matrix or a batch of them, shape \(\.\.\., m, n\), got \(3\)/,
    );
    expect(() => linalg.pinv(gb.zeros([4]))).toThrow(/linalg\.pinv: A must be a matrix/);
    expect(() => linalg.pinv(gb.eye(2), { rtol: -1 })).toThrow(/rtol must be a number >= 0, got -1/);
    expect(() => linalg.lstsq(gb.zeros([4, 2]), gb.zeros([3]))).toThrow(
      /linalg\.lstsq: b must be \(\.\.\., m, k\) or \(\.\.\., m\) with m = 4 rows to match A \(4,2\), got \(3\)/,
    );
    expect(() => linalg.lstsq(gb.zeros([2, 4, 2]), gb.zeros([3, 4, 1]))).toThrow(/batch axes of A and b/);
    expect(() => linalg.svd(1 as unknown as Tensor)).toThrow(/expected a Tensor/);
  });

  it('empty matrices', async () => {
    const gb = use();
    const r = linalg.svd(gb.zeros([2, 0, 3]));
    expect([r.u.shape, r.s.shape, r.vt.shape]).toEqual([
      [2, 0, 0],
      [2, 0],
      [2, 0, 3],
    ]);
    const p = linalg.pinv(gb.zeros([4, 0]));
    expect(p.shape).toEqual([0, 4]);
  });

  it('gradients match finite differences', async () => {
    const gb = use();
    const check = async (f: (...xs: Tensor[]) => Tensor, xs: Tensor[], what: string, order: 1 | 2 = 1) => {
      const r = await gb.checkGrad(f, xs, { order });
      expect(r.ok, `${what} (order ${order}): ${JSON.stringify(r.inputs)}`).toBe(true);
    };
    // Distinct, well-separated singular values, so u and vt are differentiable too.
    const tall = gb.tensor(Float32Array.from(withSingularValues([3, 2, 1], 5, 3, 61)), [5, 3]);
    const wide = gb.tensor(Float32Array.from(withSingularValues([2.5, 1], 2, 4, 62)), [2, 4]);
    const w = (shape: number[], seed: number) =>
      gb.tensor(
        randomData(
          shape.reduce((p, d) => p * d, 1),
          seed,
        ),
        shape,
      );
    const [wu, wv, ws] = [w([5, 3], 63), w([3, 3], 64), w([3], 65)];
    const [wu2, wv2] = [w([2, 2], 66), w([2, 4], 67)];
    await check((a) => linalg.svd(a).s.mul(ws).sum(), [tall], 's');
    await check((a) => linalg.svd(a).s.square().sum(), [tall], 's', 2);
    await check((a) => linalg.svd(a).u.mul(wu).sum(), [tall], 'u of a tall matrix');
    await check((a) => linalg.svd(a).vt.mul(wv).sum(), [tall], 'vt of a tall matrix');
    await check((a) => linalg.svd(a).u.mul(wu2).sum(), [wide], 'u of a wide matrix');
    await check((a) => linalg.svd(a).vt.mul(wv2).sum(), [wide], 'vt of a wide matrix');
    const wp = w([3, 5], 68);
    await check((a) => linalg.pinv(a).mul(wp).sum(), [tall], 'pinv');
    await check((a) => linalg.pinv(a).mul(wp).sum(), [tall], 'pinv', 2);
    const b = w([5, 2], 69);
    const wx = w([3, 2], 70);
    await check((a, bb) => linalg.lstsq(a, bb).mul(wx).sum(), [tall, b], 'lstsq');
  });
});
