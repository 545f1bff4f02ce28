// The blocked Householder QR (src/linalg/blocked_qr.ts) on every backend, its thresholds lowered and its
// widths narrowed so that it runs on small shapes that are not multiples of the widths: tall, square,
// wide and batched, a rank-deficient and an ill-conditioned matrix, each against a float64 Householder QR
// with the same sign convention (R's diagonal >= 0); the backends' panel kernel against a float64
// reference; gradients through the blocked path; memory.
//
// Tolerances: Householder QR in float32 is backward stable, |Q R - A| and |Q^T Q - I| are about
// c * n * eps32 (eps32 = 6e-8) relative to |A|; TOL = 1e-4 is that with a margin of ~10 for n <= 130. Q and R
// themselves move with the condition number: their error against float64 is ~cond * n * eps32; these
// matrices have cond below ~10, so TOL covers them too.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { linalg, type Tensor } from '../src/index';
import { QR_PANEL_MAX } from '../src/backends/backend';
import { qrBlocking } from '../src/linalg/blocked_qr';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { mul, transpose } from './helpers/spectral';

const TOL = 1e-4;
const EPS32 = 6e-8;

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** |a - e| <= tol * max(max|e|, 1) everywhere, reporting the first index that is not. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  expectClose(actual, expected, { rtol: 0, atol: tol * Math.max(maxAbs(expected), 1) }, what);
}

const identity = (n: number, cols = n) =>
  Float64Array.from({ length: n * cols }, (_, e) => (Math.floor(e / cols) === e % cols ? 1 : 0));

/**
 * Householder QR in float64, by definition: reflector j is the H = I - tau v v^T with v[j] = 1 (zero above)
 * that maps column j's entries from row j down, x, onto beta e_j with beta = |x| >= 0, so
 * v = (x - beta e_j) / (x_j - beta) and tau = 2 / (v . v); a column that is already a multiple of e_j gets
 * H = I (x_j >= 0) or H = I - 2 e_j e_j^T (x_j < 0, to make R's diagonal non-negative).
 * Returns V (m, k) unit lower trapezoidal, tau (k), R (k, n) and Q (m, k) = H_0 ... H_(k-1) I[:, :k].
 */
function refHouseholder(A: ArrayLike<number>, m: number, n: number) {
  const k = Math.min(m, n);
  const a = Float64Array.from(A);
  const V = new Float64Array(m * k);
  const tau = new Float64Array(k);
  const apply = (X: Float64Array, cols: number, j: number, c: number) => {
    let w = 0;
    for (let i = j; i < m; i++) w += V[i * k + j] * X[i * cols + c];
    for (let i = j; i < m; i++) X[i * cols + c] -= tau[j] * w * V[i * k + j];
  };
  for (let j = 0; j < k; j++) {
    let sigma = 0;
    for (let i = j + 1; i < m; i++) sigma += a[i * n + j] ** 2;
    const alpha = a[j * n + j];
    V[j * k + j] = 1;
    if (sigma === 0) {
      tau[j] = alpha >= 0 ? 0 : 2;
    } else {
      const beta = Math.sqrt(alpha * alpha + sigma);
      let vv = 1;
      for (let i = j + 1; i < m; i++) {
        V[i * k + j] = a[i * n + j] / (alpha - beta);
        vv += V[i * k + j] ** 2;
      }
      tau[j] = 2 / vv;
    }
    for (let c = j; c < n; c++) apply(a, n, j, c);
  }
  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) R[i * n + c] = a[i * n + c];
  const Q = identity(m, k);
  for (let j = k - 1; j >= 0; j--) for (let c = 0; c < k; c++) apply(Q, k, j, c);
  return { V, tau, R, Q };
}

/** Random float32 matrices in [-1, 1] plus 2 on the leading diagonal: full rank, cond(A) below ~10. */
function wellConditioned(batch: number, m: number, n: number, seed: number): Float32Array {
  const x = randomData(batch * m * n, seed);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < Math.min(m, n); i++)
      x[b * m * n + i * n + i] += 2 * Math.sign(x[b * m * n + i * n + i] || 1);
  return x;
}

/** Q^T Q = I, Q R = A, R upper triangular with diagonal >= 0, for each matrix of the batch. */
function expectQrProperties(
  A: Float32Array,
  m: number,
  n: number,
  Q: Float32Array,
  R: Float32Array,
  what: string,
) {
  const k = Math.min(m, n);
  for (let b = 0; b < A.length / (m * n); b++) {
    const Qb = Q.subarray(b * m * k, (b + 1) * m * k);
    const Rb = R.subarray(b * k * n, (b + 1) * k * n);
    expectNear(
      mul(transpose(Float64Array.from(Qb), m, k), Float64Array.from(Qb), k, m, k),
      identity(k),
      TOL,
      `${what} [${b}]: Q^T Q = I`,
    );
    expectNear(
      mul(Float64Array.from(Qb), Float64Array.from(Rb), m, k, n),
      A.subarray(b * m * n, (b + 1) * m * n),
      TOL,
      `${what} [${b}]: Q R = A`,
    );
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < Math.min(i, n); j++) expect(Rb[i * n + j], `${what}: R[${i},${j}] below`).toBe(0);
      expect(Rb[i * n + i], `${what}: R[${i},${i}] >= 0`).toBeGreaterThanOrEqual(0);
    }
  }
}

/** Q and R of each matrix against the float64 Householder QR, within tol. */
function expectReference(
  A: Float32Array,
  m: number,
  n: number,
  Q: Float32Array,
  R: Float32Array,
  tol: number,
  what: string,
) {
  const k = Math.min(m, n);
  for (let b = 0; b < A.length / (m * n); b++) {
    const ref = refHouseholder(A.subarray(b * m * n, (b + 1) * m * n), m, n);
    expectNear(Q.subarray(b * m * k, (b + 1) * m * k), ref.Q, tol, `${what} [${b}]: Q vs float64`);
    expectNear(R.subarray(b * k * n, (b + 1) * k * n), ref.R, tol, `${what} [${b}]: R vs float64`);
  }
}

async function factor(a: Tensor) {
  const { q, r } = linalg.qr(a);
  const out = { Q: await q.data(), R: await r.data() };
  q.dispose();
  r.dispose();
  return out;
}

eachBackend('linalg.qr, blocked', (use) => {
  const saved = { ...qrBlocking, from: { ...qrBlocking.from } };
  beforeAll(() => {
    // Every backend takes the blocked path from k = min(m, n) = 9 on, in blocks of 20 columns, each
    // factored as 8 + 8 + 4 (halved at multiples of the 8-wide panel), unless a test says otherwise.
    for (const b of ['js', 'wasm', 'webgpu']) qrBlocking.from[b] = 9;
    Object.assign(qrBlocking, { block: 20, panel: 8 });
  });
  afterAll(() => {
    Object.assign(qrBlocking, saved);
  });
  /** Runs body with other block and panel widths, then puts the suite's back. */
  const withWidths = async (block: number, panel: number, body: () => Promise<void>) => {
    Object.assign(qrBlocking, { block, panel });
    try {
      await body();
    } finally {
      Object.assign(qrBlocking, { block: 20, panel: 8 });
    }
  };

  it('matches float64 on square, tall, wide and batched shapes, over block and panel widths', async () => {
    const gb = use();
    const before = held(gb);
    const shapes: [number, number, number, number, number][] = [
      // [batch, m, n, block, panel]
      [1, 37, 37, 20, 8],
      [1, 70, 45, 20, 8],
      [1, 45, 70, 20, 8],
      [1, 130, 61, 20, 8],
      [2, 40, 33, 20, 8],
      [1, 9, 9, 20, 8], // one block, one level of halving, a 1-wide panel
      [1, 70, 45, 16, 16], // blocks factored by the kernel alone
      [1, 130, 70, 128, QR_PANEL_MAX], // one block of 70: a full 64-wide panel and a 6-wide one
    ];
    for (const [batch, m, n, blockWidth, panel] of shapes) {
      await withWidths(blockWidth, panel, async () => {
        const A = wellConditioned(batch, m, n, 7 + m * n);
        const a = gb.tensor(A, batch > 1 ? [batch, m, n] : [m, n]);
        const { Q, R } = await factor(a);
        const what = `${batch} x ${m} x ${n} (block ${blockWidth}, panel ${panel})`;
        expectQrProperties(A, m, n, Q, R, what);
        expectReference(A, m, n, Q, R, TOL, what);
        a.dispose();
      });
    }
    expect(held(gb)).toEqual(before);
  });

  it("the defaults: blocked from the backend's threshold, in 64-wide panels", async () => {
    const gb = use();
    const ours = { ...qrBlocking, from: { ...qrBlocking.from } };
    Object.assign(qrBlocking, saved);
    const panels = vi.spyOn(gb.engine, 'qrPanel');
    try {
      // One past the threshold (257, 193 or 513), so the last panel is 1 wide.
      const n = qrBlocking.from[gb.backend] + 1;
      const A = wellConditioned(1, n, n, 5);
      const a = gb.tensor(A, [n, n]);
      const { Q, R } = await factor(a);
      expect(panels).toHaveBeenCalledTimes(Math.ceil(n / 64));
      // Sampled entries of Q^T Q = I and Q R = A (full products would take seconds in float64 at n = 513),
      // and all of R: with R upper triangular and its diagonal positive, these pin the unique QR of A.
      for (let s = 0; s < 500; s++) {
        const [i, j] = [(s * 7919) % n, (s * 104729 + s) % n];
        let qtq = 0;
        let qr = 0;
        for (let l = 0; l < n; l++) {
          qtq += Q[l * n + i] * Q[l * n + j];
          qr += Q[i * n + l] * R[l * n + j];
        }
        expect(Math.abs(qtq - (i === j ? 1 : 0)), `(Q^T Q)[${i},${j}]`).toBeLessThan(TOL);
        expect(Math.abs(qr - A[i * n + j]), `(Q R)[${i},${j}]`).toBeLessThan(TOL * maxAbs(A));
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) if (R[i * n + j] !== 0) expect(R[i * n + j], `R[${i},${j}]`).toBe(0);
        expect(R[i * n + i], `R[${i},${i}]`).toBeGreaterThan(0);
      }
      a.dispose();
      // One below it, the backend's own QR kernel.
      const b = gb.tensor(wellConditioned(1, n - 2, n - 2, 6), [n - 2, n - 2]);
      const small = linalg.qr(b);
      expect(panels).toHaveBeenCalledTimes(Math.ceil(n / 64));
      for (const t of [b, small.q, small.r]) t.dispose();
    } finally {
      panels.mockRestore();
      Object.assign(qrBlocking, ours);
    }
  });

  it('a rank-deficient matrix: Q stays orthonormal, R gets (near) zeros on its diagonal', async () => {
    const gb = use();
    const [m, n] = [70, 45];
    const A = wellConditioned(1, m, n, 91);
    // Column 20 (second panel) = column 3 + column 17; column 40 (third panel) is zero.
    for (let i = 0; i < m; i++) {
      A[i * n + 20] = Math.fround(A[i * n + 3] + A[i * n + 17]);
      A[i * n + 40] = 0;
    }
    const a = gb.tensor(A, [m, n]);
    const { Q, R } = await factor(a);
    expectQrProperties(A, m, n, Q, R, 'rank 43');
    // R[20][20] is column 20's part outside span(columns 0..19): zero up to float32 rounding (~n eps32 |A|).
    expect(R[20 * n + 20]).toBeLessThan(1e-5 * maxAbs(A));
    // A zero column stays exactly zero through every update (V^T 0 = 0), so its reflector is the identity.
    expect(R[40 * n + 40]).toBe(0);
    // The columns before the dependent one are unique: Q's first 20 columns and R's first 20 rows.
    const ref = refHouseholder(A, m, n);
    const lead = (X: ArrayLike<number>, rows: number, cols: number, c: number) =>
      Array.from({ length: rows * c }, (_, e) => X[Math.floor(e / c) * cols + (e % c)]);
    const k = Math.min(m, n);
    expectNear(lead(Q, m, k, 20), lead(ref.Q, m, k, 20), TOL, 'Q[:, :20] vs float64');
    expectNear(R.subarray(0, 20 * n), ref.R.subarray(0, 20 * n), TOL, 'R[:20] vs float64');
    a.dispose();
  });

  // A = M D with D = diag(1 .. 1e-4) over the columns of a well-conditioned M: cond(A) ~ 1e4. Q R = A and
  // Q^T Q = I stay at TOL (backward stability does not depend on cond); Q and R against float64 within
  // cond * n * eps32 * 20 = 1e4 * 45 * 6e-8 * 20 ~ 0.5 relative to the largest entry (a column of Q
  // belonging to a tiny singular value is where the error shows).
  it('an ill-conditioned matrix (cond ~1e4)', async () => {
    const gb = use();
    const [m, n] = [70, 45];
    const M = wellConditioned(1, m, n, 23);
    const A = M.map((v, e) => Math.fround(v * 10 ** ((-4 * (e % n)) / (n - 1))));
    const a = gb.tensor(A, [m, n]);
    const { Q, R } = await factor(a);
    expectQrProperties(A, m, n, Q, R, 'cond 1e4');
    expectReference(A, m, n, Q, R, 1e4 * n * EPS32 * 20, 'cond 1e4');
    a.dispose();
  });

  it('the panel kernel: V, T and R against float64, I - V T V^T = H_0 ... H_(b-1)', async () => {
    const gb = use();
    const before = held(gb);
    const cases: [number, number, number][] = [
      // [batch, m, b]
      [1, 37, 16],
      [1, 130, QR_PANEL_MAX],
      [3, 20, 7],
      [1, 5, 5],
      [1, 9, 1],
    ];
    for (const [batch, m, b] of cases) {
      const X = randomData(batch * m * b, 3 + m * b);
      if (b > 2 && batch === 1) {
        // Column 0 is -3 e_0 (reflected by I - 2 e_0 e_0^T to make R[0][0] = 3), column 2 is zero.
        for (let i = 0; i < m; i++) X[i * b] = i === 0 ? -3 : 0;
        for (let i = 0; i < m; i++) X[i * b + 2] = 0;
      }
      const x = gb.tensor(X, [batch, m, b]);
      const f = gb.engine.qrPanel(x.storage('test'), batch, m, b);
      const [v, t, r] = [
        gb.wrap(f.v, [batch, m, b]),
        gb.wrap(f.t, [batch, b, b]),
        gb.wrap(f.r, [batch, b, b]),
      ];
      const [V, T, R] = [await v.data(), await t.data(), await r.data()];
      for (let z = 0; z < batch; z++) {
        const what = `panel ${batch} x ${m} x ${b} [${z}]`;
        const ref = refHouseholder(X.subarray(z * m * b, (z + 1) * m * b), m, b);
        const Vz = V.subarray(z * m * b, (z + 1) * m * b);
        const Tz = T.subarray(z * b * b, (z + 1) * b * b);
        expectNear(Vz, ref.V, TOL, `${what}: V`);
        expectNear(R.subarray(z * b * b, (z + 1) * b * b), ref.R, TOL, `${what}: R`);
        for (let i = 0; i < b; i++)
          expect(Tz[i * b + i], `${what}: T's diagonal is tau`).toBeCloseTo(ref.tau[i], 5);
        for (let i = 0; i < b; i++)
          for (let j = 0; j < i; j++) expect(Tz[i * b + j], `${what}: T[${i},${j}] below`).toBe(0);
        // I - V T V^T against the product of the float64 reflectors, H_0 ... H_(b-1) = the full Q of
        // the reference (its first b columns are refQ; the product applied to I gives all m columns).
        const VT = mul(Float64Array.from(Vz), Float64Array.from(Tz), m, b, b);
        const VTVt = new Float64Array(m * m);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < m; j++) {
            let s = 0;
            for (let l = 0; l < b; l++) s += VT[i * b + l] * Vz[j * b + l];
            VTVt[i * m + j] = (i === j ? 1 : 0) - s;
          }
        const H = identity(m);
        for (let j = b - 1; j >= 0; j--)
          for (let c = 0; c < m; c++) {
            let w = 0;
            for (let i = j; i < m; i++) w += ref.V[i * b + j] * H[i * m + c];
            for (let i = j; i < m; i++) H[i * m + c] -= ref.tau[j] * w * ref.V[i * b + j];
          }
        expectNear(VTVt, H, TOL, `${what}: I - V T V^T`);
      }
      for (const s of [x, v, t, r]) s.dispose();
    }
    expect(held(gb)).toEqual(before);
  });

  it('the panel kernel refuses a panel too wide or wider than tall', () => {
    const gb = use();
    const x = gb.zeros([80, 65]);
    expect(() => gb.engine.qrPanel(x.storage('test'), 1, 80, 65)).toThrow(
      /panel of the blocked QR must be m x b with 1 <= b <= 64 and m >= b, got 80 x 65/,
    );
    expect(() => gb.engine.qrPanel(x.storage('test'), 1, 3, 4)).toThrow(/got 3 x 4/);
    x.dispose();
    // linalg.qr with a panel width past the kernel's says so too, and leaves nothing behind.
    const before = held(gb);
    return withWidths(128, 65, async () => {
      const a = gb.zeros([70, 70]);
      expect(() => linalg.qr(a)).toThrow(/choose a panel width of at most 64/);
      a.dispose();
      expect(held(gb)).toEqual(before);
    });
  });

  it('gradients of Q and R through the blocked path match finite differences', () => {
    const gb = use();
    return withWidths(6, 4, async () => {
      const weighted = (y: Tensor, seed: number) => y.mul(gb.tensor(randomData(y.size, seed), y.shape)).sum();
      for (const shape of [
        [11, 9],
        [9, 12],
      ]) {
        const a = gb.tensor(wellConditioned(1, shape[0], shape[1], 31), shape);
        const rep = await gb.checkGrad(
          (x: Tensor) => {
            const { q, r } = linalg.qr(x);
            return weighted(q, 3).add(weighted(r, 4));
          },
          [a],
        );
        expect(rep.ok, `Q and R of ${shape}: ${JSON.stringify(rep.inputs)}`).toBe(true);
        a.dispose();
      }
    });
  });
});
