// linalg.qr on both backends and on every WebGPU kernel (an invocation per matrix, one workgroup in
// workgroup memory, and column by column): Q^T Q = I, Q R = A, R upper triangular with a non-negative
// diagonal, and Q, R against a float64 reference (Gram-Schmidt twice, which for a full-rank A gives the
// unique QR with R's diagonal > 0), on tall, wide and square shapes, batches, rank-deficient,
// ill-conditioned and structured matrices, with checkGrad for the gradient.
//
// Tolerances: Householder QR in float32 is backward stable: |Q R - A| and |Q^T Q - I| are about
// c * n * eps32 (eps32 = 6e-8) relative to |A|; TOL = 1e-4 is that with a margin of ~20 for n <= 70. Q and
// R themselves move with the condition number: their error against the reference is ~cond * n * eps32.
import { expect, it } from 'vitest';
import { GradboxError, linalg, type Tensor } from '../src/index';
import { eachBackend, held, withVariant } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

const TOL = 1e-4;

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** |a - e| <= tol * max(max|e|, 1) everywhere, reporting the first index that is not. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1) }, what);
}

/** C = A B for row-major A (m, p) and B (p, n), in float64; `ta` reads A transposed (A stored (p, m)). */
function mm(A: ArrayLike<number>, B: ArrayLike<number>, m: number, p: number, n: number, ta = false) {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < p; l++) s += (ta ? A[l * m + i] : A[i * p + l]) * B[l * n + j];
      C[i * n + j] = s;
    }
  return C;
}

/**
 * The float64 reference for a full-rank A (m, n): Q's columns by Gram-Schmidt on A's first k columns
 * (each orthogonalised twice, which makes it as accurate as Householder), R = Q^T A.
 */
function refQr(A: ArrayLike<number>, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const k = Math.min(m, n);
  const q = new Float64Array(m * k);
  for (let c = 0; c < k; c++) {
    const v = Float64Array.from({ length: m }, (_, i) => A[i * n + c]);
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < c; j++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += q[i * k + j] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * q[i * k + j];
      }
    const norm = Math.hypot(...v);
    for (let i = 0; i < m; i++) q[i * k + c] = v[i] / norm;
  }
  return { q, r: mm(q, Float64Array.from(A), k, m, n, true) };
}

/** The properties every QR must have: Q^T Q = I, Q R = A, R upper triangular with diagonal >= 0. */
async function expectQrOf(A: Float32Array, shape: number[], q: Tensor, r: Tensor, what: string) {
  const [m, n] = shape.slice(-2);
  const k = Math.min(m, n);
  const batch = A.length / (m * n || 1);
  expect(q.shape).toEqual([...shape.slice(0, -2), m, k]);
  expect(r.shape).toEqual([...shape.slice(0, -2), k, n]);
  const Q = await q.data();
  const R = await r.data();
  for (let b = 0; b < batch; b++) {
    const Qb = Q.subarray(b * m * k, (b + 1) * m * k);
    const Rb = R.subarray(b * k * n, (b + 1) * k * n);
    const Ab = A.subarray(b * m * n, (b + 1) * m * n);
    const eye = Float64Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0));
    expectNear(mm(Qb, Qb, k, m, k, true), eye, TOL, `${what} [${b}]: Q^T Q = I`);
    // Q R against A, absolute to max|A| (a zero A is compared to 1).
    expectNear(mm(Qb, Rb, m, k, n), Ab, TOL, `${what} [${b}]: Q R = A`);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < Math.min(i, n); j++) expect(Rb[i * n + j], `${what}: R[${i},${j}] below`).toBe(0);
      expect(Rb[i * n + i], `${what}: R[${i},${i}] >= 0`).toBeGreaterThanOrEqual(0);
    }
  }
}

/** Q and R against the float64 reference of each matrix of the batch, with tolerance tol. */
async function expectReference(A: Float32Array, shape: number[], q: Tensor, r: Tensor, tol: number) {
  const [m, n] = shape.slice(-2);
  const k = Math.min(m, n);
  const Q = await q.data();
  const R = await r.data();
  for (let b = 0; b < A.length / (m * n); b++) {
    const ref = refQr(A.subarray(b * m * n, (b + 1) * m * n), m, n);
    expectNear(Q.subarray(b * m * k, (b + 1) * m * k), ref.q, tol, `Q of ${shape} [${b}] vs float64`);
    expectNear(R.subarray(b * k * n, (b + 1) * k * n), ref.r, tol, `R of ${shape} [${b}] vs float64`);
  }
}

const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Random float32 matrices in [-1, 1] plus 2 on the leading diagonal: full rank, cond(A) below ~10. */
function wellConditioned(shape: number[], seed: number): Float32Array {
  const [m, n] = shape.slice(-2);
  const x = randomData(count(shape), seed);
  for (let b = 0; b < count(shape.slice(0, -2)); b++)
    for (let i = 0; i < Math.min(m, n); i++)
      x[b * m * n + i * n + i] += 2 * Math.sign(x[b * m * n + i * n + i] || 1);
  return x;
}

// Square, tall, wide, batched; 63 x 65 = 4095 is the largest in workgroup memory, 70 x 65 the smallest
// here past it (factored column by column); none is a multiple of the 64-wide workgroup.
const SHAPES: number[][] = [
  [1, 1],
  [3, 3],
  [5, 3],
  [3, 5],
  [4, 7, 7],
  [2, 3, 2, 2],
  [1, 9],
  [9, 1],
  [63, 65],
  [65, 63],
  [70, 65],
  [2, 33, 100],
];

eachBackend('linalg.qr', (use, backend) => {
  const variants =
    backend === 'webgpu' ? (['auto', 'thread', 'small', 'columns'] as const) : (['auto'] as const);
  for (const variant of variants) {
    it(`matches float64 on tall, wide, square and batched shapes (${variant})`, async () => {
      const gb = use();
      const before = held(gb);
      await withVariant(gb, 'qr', variant, async () => {
        for (const shape of SHAPES) {
          const [m, n] = shape.slice(-2);
          if (variant === 'small' && m * n > 4096) continue; // the small kernel refuses these (tested below)
          const A = wellConditioned(shape, 11 + m * n);
          const a = gb.tensor(A, shape);
          const { q, r } = linalg.qr(a);
          await expectQrOf(A, shape, q, r, `${shape} ${variant}`);
          await expectReference(A, shape, q, r, TOL);
          for (const t of [a, q, r]) t.dispose();
        }
      });
      expect(held(gb)).toEqual(before);
    });
  }

  if (backend === 'webgpu') {
    it("the 'small' kernel refuses a matrix past workgroup memory", () => {
      const gb = use();
      const a = gb.zeros([70, 65]);
      return withVariant(gb, 'qr', 'small', async () => {
        expect(() => linalg.qr(a)).toThrow(/at most 4096 elements, got 70 x 65/);
        a.dispose();
      });
    });
  }

  it('rank-deficient and zero matrices: Q stays orthonormal, R gets zeros on its diagonal', async () => {
    const gb = use();
    for (const variant of variants) {
      await withVariant(gb, 'qr', variant, async () => {
        // Column 2 = column 0 + column 1; column 3 is 0.
        const m = 5;
        const A = new Float32Array(m * 4);
        const col = randomData(2 * m, 5);
        for (let i = 0; i < m; i++) {
          A[i * 4] = col[i];
          A[i * 4 + 1] = col[m + i];
          A[i * 4 + 2] = col[i] + col[m + i];
        }
        const a = gb.tensor(A, [m, 4]);
        const { q, r } = linalg.qr(a);
        await expectQrOf(A, [m, 4], q, r, `rank 2 (${variant})`);
        const R = await r.data();
        // |R[2,2]| is the part of column 2 outside span(columns 0, 1): zero up to float32 rounding of |A|.
        expect(R[2 * 4 + 2]).toBeLessThan(1e-5);
        expect(R[3 * 4 + 3]).toBe(0);
        const z = gb.zeros([3, 2]);
        const zq = linalg.qr(z);
        expect(Array.from(await zq.q.data())).toEqual([1, 0, 0, 1, 0, 0]);
        expect(Array.from(await zq.r.data())).toEqual([0, 0, 0, 0]);
        for (const t of [a, q, r, z, zq.q, zq.r]) t.dispose();
      });
    }
  });

  it('structured: a diagonal with negative entries, a permutation, an orthogonal matrix', async () => {
    const gb = use();
    for (const variant of variants) {
      await withVariant(gb, 'qr', variant, async () => {
        // diag(-2, 3, -0.5): Q = diag(-1, 1, -1), R = diag(2, 3, 0.5) (R's diagonal made positive).
        const d = gb.tensor([
          [-2, 0, 0],
          [0, 3, 0],
          [0, 0, -0.5],
        ]);
        const qd = linalg.qr(d);
        expect(Array.from(await qd.q.data(), (v) => v + 0)).toEqual([-1, 0, 0, 0, 1, 0, 0, 0, -1]);
        expect(Array.from(await qd.r.data(), (v) => v + 0)).toEqual([2, 0, 0, 0, 3, 0, 0, 0, 0.5]);
        // A permutation is its own Q (R = I).
        const P = [0, 1, 0, 0, 0, 1, 1, 0, 0];
        const p = gb.tensor(P, [3, 3]);
        const qp = linalg.qr(p);
        expectNear(await qp.q.data(), P, 1e-6, 'Q of a permutation');
        expectNear(await qp.r.data(), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-6, 'R of a permutation');
        // A rotation by 30 degrees: Q is the rotation, R = I.
        const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
        const rot = gb.tensor([
          [c, -s],
          [s, c],
        ]);
        const qr = linalg.qr(rot);
        expectNear(await qr.q.data(), [c, -s, s, c], 1e-6, 'Q of a rotation');
        expectNear(await qr.r.data(), [1, 0, 0, 1], 1e-6, 'R of a rotation');
        for (const t of [d, qd.q, qd.r, p, qp.q, qp.r, rot, qr.q, qr.r]) t.dispose();
      });
    }
  });

  // cond(A) = 1e4: Q R = A and Q^T Q = I stay at TOL (backward stability does not depend on cond), Q and
  // R against float64 within cond * n * eps32 * 20 = 1e4 * 8 * 6e-8 * 20 ~ 0.1 relative to max|entry|.
  it('an ill-conditioned matrix (cond ~1e4)', async () => {
    const gb = use();
    const [m, n] = [9, 8];
    // A = M D with D = diag(1 .. 1e-4) scaling the columns of a well-conditioned M.
    const M = wellConditioned([m, n], 21);
    const A = M.map((v, e) => Math.fround(v * 10 ** ((-4 * (e % n)) / (n - 1))));
    const a = gb.tensor(A, [m, n]);
    const { q, r } = linalg.qr(a);
    await expectQrOf(A, [m, n], q, r, 'cond 1e4');
    await expectReference(A, [m, n], q, r, 1e4 * n * 6e-8 * 20);
    for (const t of [a, q, r]) t.dispose();
  });

  it('empty shapes give empty factors', async () => {
    const gb = use();
    for (const [shape, qs, rs] of [
      [
        [0, 3],
        [0, 0],
        [0, 3],
      ],
      [
        [3, 0],
        [3, 0],
        [0, 0],
      ],
      [
        [0, 2, 2],
        [0, 2, 2],
        [0, 2, 2],
      ],
    ]) {
      const a = gb.zeros(shape);
      const { q, r } = linalg.qr(a);
      expect(q.shape).toEqual(qs);
      expect(r.shape).toEqual(rs);
      for (const t of [a, q, r]) t.dispose();
    }
  });

  it('says what was wrong with the input', () => {
    const gb = use();
    const v = gb.zeros([3]);
    expect(() => linalg.qr(v)).toThrow(GradboxError);
    expect(() => linalg.qr(v)).toThrow(
      /linalg\.qr: A must be a matrix or a batch of them, shape \(\.\.\., m, n\), got \(3\)/,
    );
    expect(() => linalg.qr(5 as unknown as Tensor)).toThrow(/expected a Tensor/);
    v.dispose();
  });

  it('gradients of Q and R match finite differences (tall, square, wide)', async () => {
    const gb = use();
    const weighted = (y: Tensor, seed: number) => y.mul(gb.tensor(randomData(y.size, seed), y.shape)).sum();
    for (const shape of [
      [4, 3],
      [2, 3, 3],
      [2, 4],
    ]) {
      const a = gb.tensor(wellConditioned(shape, 31), shape);
      for (const [which, f] of [
        ['Q', (x: Tensor) => weighted(linalg.qr(x).q, 1)],
        ['R', (x: Tensor) => weighted(linalg.qr(x).r, 2)],
        [
          'Q and R',
          (x: Tensor) => {
            const { q, r } = linalg.qr(x);
            return weighted(q, 3).add(weighted(r, 4));
          },
        ],
      ] as [string, (x: Tensor) => Tensor][]) {
        const rep = await gb.checkGrad(f, [a]);
        expect(rep.ok, `${which} of ${shape}: ${JSON.stringify(rep.inputs)}`).toBe(true);
      }
      a.dispose();
    }
    // Second order through the rule's recorded ops.
    const a = gb.tensor(wellConditioned([3, 3], 41), [3, 3]);
    const rep = await gb.checkGrad((x: Tensor) => weighted(linalg.qr(x).r, 5), [a], { order: 2 });
    expect(rep.ok, JSON.stringify(rep.inputs)).toBe(true);
    a.dispose();
  });
});

// Modified Gram-Schmidt, built from ops: for a full-rank V it is Q of V's QR (R's diagonal positive), so
// the same float64 reference serves. Its orthogonality error is ~cond(V) * n * eps32: TOL for these V.
eachBackend('linalg.gramSchmidt', (use) => {
  it('orthonormal columns equal to the float64 reference and to qr(V).q', async () => {
    const gb = use();
    const before = held(gb);
    for (const shape of [
      [1, 1],
      [2, 2],
      [5, 3],
      [3, 7, 4],
      [40, 17],
    ]) {
      const V = wellConditioned(shape, 61 + count(shape));
      const v = gb.tensor(V, shape);
      const g = linalg.gramSchmidt(v);
      expect(g.shape).toEqual(shape);
      const { q, r } = linalg.qr(v);
      await expectReference(V, shape, g, r, TOL);
      expectNear(await g.data(), await q.data(), TOL, `gramSchmidt vs qr ${shape}`);
      for (const t of [v, g, q, r]) t.dispose();
    }
    // The 2-D example a learner can follow by hand: (3, 4) -> (0.6, 0.8); (1, 2) - 2.2 (0.6, 0.8) =
    // (-0.32, 0.24), of length 0.4 -> (-0.8, 0.6).
    const v = gb.tensor([
      [3, 1],
      [4, 2],
    ]);
    const g = linalg.gramSchmidt(v);
    expectNear(await g.data(), [0.6, -0.8, 0.8, 0.6], 1e-6, 'hand example');
    v.dispose();
    g.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('dependent and zero columns become zero columns; the others stay orthonormal', async () => {
    const gb = use();
    const m = 5;
    const base = wellConditioned([m, 3], 71); // three independent columns u0, u1, u2
    // V = [u0, u1, u0 + u1, 0, u2]
    const V = new Float32Array(m * 5);
    for (let i = 0; i < m; i++) {
      const [u0, u1, u2] = [base[i * 3], base[i * 3 + 1], base[i * 3 + 2]];
      V.set([u0, u1, Math.fround(u0 + u1), 0, u2], i * 5);
    }
    const v = gb.tensor(V, [m, 5]);
    const g = await linalg.gramSchmidt(v).data();
    const ref = refQr(base, m, 3).q;
    const col = (x: ArrayLike<number>, c: number, cols: number) =>
      Array.from({ length: m }, (_, i) => x[i * cols + c]);
    expectNear(col(g, 0, 5), col(ref, 0, 3), TOL, 'column 0');
    expectNear(col(g, 1, 5), col(ref, 1, 3), TOL, 'column 1');
    expect(col(g, 2, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(col(g, 3, 5)).toEqual([0, 0, 0, 0, 0]);
    expectNear(col(g, 4, 5), col(ref, 2, 3), TOL, 'column 4 (orthogonalised against the non-zero ones)');
    // More vectors than dimensions: (2, 3) keeps two.
    const w = gb.tensor([
      [1, 1, 2],
      [0, 1, 5],
    ]);
    const gw = await linalg.gramSchmidt(w).data();
    expectNear(gw, [1, 0, 0, 0, 1, 0], 1e-6, 'wide');
    // A looser tol turns a nearly dependent column into zero; the default keeps it.
    const near = gb.tensor([
      [1, 1],
      [0, 1e-3],
    ]);
    expect(Array.from(await linalg.gramSchmidt(near, { tol: 1e-2 }).data())).toEqual([1, 0, 0, 0]);
    expectNear(await linalg.gramSchmidt(near).data(), [1, 0, 0, 1], 1e-3, 'default tol keeps it');
  });

  it('says what was wrong with the input', () => {
    const gb = use();
    const v = gb.zeros([3]);
    expect(() => linalg.gramSchmidt(v)).toThrow(/linalg\.gramSchmidt: V must be a matrix .* got \(3\)/);
    const m = gb.eye(2);
    expect(() => linalg.gramSchmidt(m, { tol: -1 })).toThrow(/tol must be a finite number >= 0, got -1/);
    expect(() => linalg.gramSchmidt(m, null as unknown as object)).toThrow(/options must be an object/);
  });

  it('its gradient matches finite differences', async () => {
    const gb = use();
    const v = gb.tensor(wellConditioned([4, 3], 81), [4, 3]);
    const w = gb.tensor(randomData(12, 82), [4, 3]);
    const rep = await gb.checkGrad((x: Tensor) => linalg.gramSchmidt(x).mul(w).sum(), [v]);
    expect(rep.ok, JSON.stringify(rep.inputs)).toBe(true);
    v.dispose();
    w.dispose();
  });
});
