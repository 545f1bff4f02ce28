// matmul on both backends against a float64 reference: 2-D shapes around the tiles and the 16-deep K step,
// 1-D operands, NumPy batch broadcasting, transposed and broadcast operands as gradient rules plan them,
// and every rung of the WebGPU ladder forced on its own (refusing, never falling back, where it cannot run).
import { expect, it, vi } from 'vitest';
import { matmulPlain } from '../src/backends/cpu/matmul';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import type { Context, Tensor } from '../src/index';
import { matmulCore } from '../src/ops/matmul';
import { eachBackend } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { matmulRef, size } from './helpers/reference';

// Float32 products summed over K in a different order than the float64 reference: the error grows
// like sqrt(K) ulps of the sum of |a||b|; with entries in [-1, 1] and K <= 300 an absolute 1e-5
// plus 1e-5 relative is a safe bound.
const TOL = { rtol: 1e-5, atol: 1e-5 };

const SHAPES_2D: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [3, 4, 5],
  [13, 17, 11],
  [64, 16, 64],
  [65, 17, 63],
  [67, 129, 65],
  [2, 300, 3],
  [128, 8, 132], // K and N multiples of 4: the vec4 kernel
];

eachBackend('matmul', (use, backend) => {
  it('2-D products match float64 around the tile sizes', async () => {
    const gb = use();
    for (const [M, K, N] of SHAPES_2D) {
      const a = randomData(M * K, M * 31 + K, 1);
      const b = randomData(K * N, N * 17 + K, 1);
      const c = gb.tensor(a, [M, K]).matmul(gb.tensor(b, [K, N]));
      expect(c.shape).toEqual([M, N]);
      expectClose(await c.data(), matmulRef(a, [M, K], b, [K, N]).data, TOL, `(${M},${K})@(${K},${N})`);
    }
  });

  it('batches broadcast like NumPy: (2,3,6,5)@(5,7), (2,1,4,3)@(3,3,2), (5,)@(2,5,3)', async () => {
    const gb = use();
    const cases: [number[], number[], number[]][] = [
      [
        [2, 3, 6, 5],
        [5, 7],
        [2, 3, 6, 7],
      ],
      [
        [6, 5],
        [2, 3, 5, 7],
        [2, 3, 6, 7],
      ],
      [
        [2, 1, 4, 3],
        [3, 3, 2],
        [2, 3, 4, 2],
      ],
      [
        [4, 9, 8],
        [4, 8, 5],
        [4, 9, 5],
      ],
    ];
    for (const [sa, sb, want] of cases) {
      const a = randomData(size(sa), 3, 1);
      const b = randomData(size(sb), 4, 1);
      const c = gb.tensor(a, sa).matmul(gb.tensor(b, sb));
      expect(c.shape).toEqual(want);
      expectClose(await c.data(), matmulRef(a, sa, b, sb).data, TOL, `${sa}@${sb}`);
    }
  });

  it('1-D operands are promoted and squeezed as in NumPy', async () => {
    const gb = use();
    const v = gb.tensor([1, 2, 3]);
    const m = gb.tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(v.matmul(m).shape).toEqual([2]);
    expect(await v.matmul(m).toArray()).toEqual([4, 5]);
    expect(await m.transpose().matmul(v).toArray()).toEqual([4, 5]);
    expect(await v.matmul(v).toArray()).toEqual(14);
    const batched = gb.tensor(randomData(2 * 3 * 4, 9), [2, 3, 4]);
    expect(v.matmul(batched).shape).toEqual([2, 4]);
  });

  it('propagates NaN and Inf, and 0 * Inf is NaN', async () => {
    const gb = use();
    const a = gb.tensor([
      [0, 1],
      [1, 1],
    ]);
    const b = gb.tensor([
      [Infinity, 1],
      [1, Number.NaN],
    ]);
    expectClose(await a.matmul(b).data(), [Number.NaN, Number.NaN, Infinity, Number.NaN]);
  });

  it('K = 0 gives zeros', async () => {
    const gb = use();
    expect(
      await gb
        .zeros([2, 0])
        .matmul(gb.zeros([0, 3]))
        .toArray(),
    ).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  if (backend === 'js') {
    it('the plain triple loop (the naive rung) agrees with the reference', () => {
      const [M, K, N] = [13, 17, 11];
      const a = randomData(M * K, 1);
      const b = randomData(K * N, 2);
      const plan = { batch: 1, M, K, N, a: { batch: 0, row: K, col: 1 }, b: { batch: 0, row: N, col: 1 } };
      expectClose(matmulPlain(a, b, plan).data, matmulRef(a, [M, K], b, [K, N]).data, TOL);
    });
  }

  it('transposed and broadcast operands, as the backward pass plans them, match float64', async () => {
    const gb = use();
    for (const c of PLANS) await checkPlan(gb, c);
  });

  it('the gradients of a batched matmul (g @ B^T and the batch sum of A^T @ g) match float64', async () => {
    await checkMatmulGrad(use());
  });

  if (backend === 'webgpu') {
    for (const variant of ['naive', 'blocked', 'tiled', 'tiled_vec4'] as const) {
      it(`the ${variant} kernel on its own matches float64 on every plan it accepts`, async () => {
        const gb = use();
        const engine = gb.engine as WebGpuBackend;
        const entries = vi.spyOn(engine.runner, 'dispatch');
        engine.variants.matmul = variant;
        try {
          for (const [M, K, N] of SHAPES_2D) {
            // tiled_vec4 on 2-D products as stored needs K and N to be multiples of 4.
            if (variant === 'tiled_vec4' && (K % 4 !== 0 || N % 4 !== 0)) continue;
            const a = randomData(M * K, 5, 1);
            const b = randomData(K * N, 6, 1);
            const c = gb.tensor(a, [M, K]).matmul(gb.tensor(b, [K, N]));
            expectClose(
              await c.data(),
              matmulRef(a, [M, K], b, [K, N]).data,
              TOL,
              `${variant} ${M},${K},${N}`,
            );
          }
          for (const c of PLANS) {
            if (variant === 'tiled_vec4' && !c.vec4) {
              // A forced rung never falls back to another kernel: it refuses, and says why.
              await expect(checkPlan(gb, c), planName(c)).rejects.toThrow(/tiled_vec4 kernel cannot load/);
            } else {
              await checkPlan(gb, c);
            }
          }
          await checkMatmulGrad(gb);
          // Every matmul went to the forced kernel: no silent fallback to another rung.
          const used = new Set(
            entries.mock.calls.map(([d]) => d.entry).filter((e) => e.startsWith('matmul')),
          );
          expect([...used]).toEqual([`matmul_${variant}`]);
        } finally {
          engine.variants.matmul = 'auto';
          entries.mockRestore();
        }
      });
    }
  }
});

/**
 * A product as matmulCore receives it from a gradient rule: C (M,N) = op(A) @ op(B) where op transposes
 * when tA/tB is set, i.e. the operand is stored (K,M) or (N,K) and reaches the kernel as strides with
 * row stride 1. batchA/batchB: a leading batch axis, 0 for none (the operand is broadcast, batch stride 0).
 * vec4: whether the tiled_vec4 kernel can load it, worked out by hand: an operand stored with k contiguous
 * (A as stored, B transposed) needs K % 4 = 0; with m or n contiguous (A transposed, B as stored), M % 4 or
 * N % 4 = 0; in both cases its other strides (a product of dimensions) must be multiples of 4 too.
 */
interface PlanCase {
  M: number;
  K: number;
  N: number;
  tA: boolean;
  tB: boolean;
  batchA?: number;
  batchB?: number;
  vec4: boolean;
}

// Shapes around the 16-wide naive tile, the 32-wide blocked tile, the 64-wide tiles and 16-deep K step,
// and the 256 = 4 tiles mark: 63, 64, 65, 127, 129, 257 in each of M, K and N, but not every combination.
const PLANS: PlanCase[] = [
  { M: 63, K: 65, N: 64, tA: false, tB: false, vec4: false },
  { M: 65, K: 63, N: 129, tA: true, tB: false, vec4: false },
  { M: 129, K: 64, N: 65, tA: false, tB: true, vec4: true },
  { M: 64, K: 127, N: 63, tA: true, tB: true, vec4: false },
  { M: 257, K: 16, N: 65, tA: false, tB: false, vec4: false },
  { M: 31, K: 257, N: 33, tA: true, tB: false, vec4: false },
  { M: 65, K: 33, N: 257, tA: false, tB: true, vec4: false },
  { M: 65, K: 68, N: 132, tA: false, tB: false, vec4: true },
  { M: 68, K: 63, N: 60, tA: true, tB: false, vec4: true },
  { M: 132, K: 68, N: 65, tA: true, tB: true, vec4: true },
  { M: 33, K: 260, N: 64, tA: false, tB: false, vec4: true },
  { M: 64, K: 65, N: 68, tA: true, tB: false, batchA: 3, vec4: true },
  { M: 65, K: 64, N: 63, tA: false, tB: true, batchB: 2, vec4: true },
  { M: 63, K: 65, N: 66, tA: true, tB: false, batchA: 3, vec4: false },
  { M: 1, K: 129, N: 63, tA: true, tB: false, vec4: false },
  { M: 65, K: 127, N: 1, tA: false, tB: true, batchA: 2, batchB: 2, vec4: false },
];

function planName(c: PlanCase): string {
  const side = (t: boolean, b: number | undefined, r: number, cols: number, name: string) =>
    `${b ? `${b}x` : ''}${t ? `(${cols},${r})^T` : `(${r},${cols})`}${name}`;
  return `${side(c.tA, c.batchA, c.M, c.K, 'A')} @ ${side(c.tB, c.batchB, c.K, c.N, 'B')}`;
}

/** The last two axes of x swapped: (batch, rows, cols) -> (batch, cols, rows). */
function swapLast2(x: ArrayLike<number>, batch: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(batch * rows * cols);
  for (let z = 0; z < batch; z++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[(z * cols + c) * rows + r] = x[(z * rows + r) * cols + c];
    }
  }
  return out;
}

// Data and float64 references per plan, made once: they do not depend on the backend or the rung.
const planData = new Map<PlanCase, { a: Float32Array; b: Float32Array; ref: Float64Array }>();

function dataFor(c: PlanCase, i: number) {
  let d = planData.get(c);
  if (!d) {
    const { M, K, N, batchA = 0, batchB = 0 } = c;
    const a = randomData(Math.max(batchA, 1) * M * K, 100 + i, 1);
    const b = randomData(Math.max(batchB, 1) * K * N, 200 + i, 1);
    // The reference sees plain (M,K) and (K,N) operands: transposed ones are swapped back in float64.
    const aPlain = c.tA ? swapLast2(a, Math.max(batchA, 1), K, M) : a;
    const bPlain = c.tB ? swapLast2(b, Math.max(batchB, 1), N, K) : b;
    const lead = (n: number) => (n ? [n] : []);
    const ref = matmulRef(aPlain, [...lead(batchA), M, K], bPlain, [...lead(batchB), K, N]).data;
    d = { a, b, ref };
    planData.set(c, d);
  }
  return d;
}

/** Runs one plan through matmulCore (no copy for transposed operands) and compares with float64. */
async function checkPlan(gb: Context, c: PlanCase): Promise<void> {
  const { M, K, N, tA, tB, batchA = 0, batchB = 0 } = c;
  const { a, b, ref } = dataFor(c, PLANS.indexOf(c));
  const lead = (n: number) => (n ? [n] : []);
  const ta = gb.tensor(a, [...lead(batchA), ...(tA ? [K, M] : [M, K])]);
  const tb = gb.tensor(b, [...lead(batchB), ...(tB ? [N, K] : [K, N])]);
  // The engine must see the operand strided, not a transposed copy: row stride 1 for a transposed operand.
  const plans = vi.spyOn(gb.engine, 'matmul');
  try {
    const out = matmulCore(ta, tb, tA, tB);
    const plan = plans.mock.calls[0][2];
    expect(plan.a.row === 1 && plan.a.col === M, `${planName(c)}: A's plan ${JSON.stringify(plan.a)}`).toBe(
      tA,
    );
    expect(plan.b.row === 1 && plan.b.col === K, `${planName(c)}: B's plan ${JSON.stringify(plan.b)}`).toBe(
      tB,
    );
    expect(out.shape).toEqual([...lead(Math.max(batchA, batchB)), M, N]);
    expectClose(await out.data(), ref, TOL, planName(c));
    out.dispose();
  } finally {
    plans.mockRestore();
    ta.dispose();
    tb.dispose();
  }
}

/**
 * grad of sum(W * (A @ B)) for A (2,65,64) batched and B (64,68) broadcast: dA = W @ B^T (B transposed,
 * K = 68), dB = sum over the batch of A^T @ W (A transposed with a batch stride, K = 65). Both plans
 * are vec4-loadable, so every rung must accept them.
 */
async function checkMatmulGrad(gb: Context): Promise<void> {
  const [Z, M, K, N] = [2, 65, 64, 68];
  const a = randomData(Z * M * K, 31, 1);
  const b = randomData(K * N, 32, 1);
  const w = randomData(Z * M * N, 33, 1);
  const [ta, tb, tw] = [gb.tensor(a, [Z, M, K]), gb.tensor(b, [K, N]), gb.tensor(w, [Z, M, N])];
  const [da, db] = gb.grad((x: Tensor, y: Tensor) => x.matmul(y).mul(tw).sum())(ta, tb);
  const wantA = matmulRef(w, [Z, M, N], swapLast2(b, 1, K, N), [N, K]).data;
  const perBatch = matmulRef(swapLast2(a, Z, M, K), [Z, K, M], w, [Z, M, N]).data;
  const wantB = new Float64Array(K * N);
  for (let z = 0; z < Z; z++) for (let i = 0; i < K * N; i++) wantB[i] += perBatch[z * K * N + i];
  expectClose(await da.data(), wantA, TOL, 'dA = W @ B^T');
  expectClose(await db.data(), wantB, TOL, 'dB = sum_z A^T @ W');
  for (const t of [ta, tb, tw, da, db]) t.dispose();
}
