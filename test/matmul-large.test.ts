// Batches larger than one WebGPU grid dimension (65,535 workgroups): batched matmul of many small matrices
// on both backends and on every rung, and gather's backward pass, which is such a matmul (one per outer row).
import { describe, expect, it, vi } from 'vitest';
import { gridFor } from '../src/backends/webgpu/kernels/matmul';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import type { Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { matmulRef } from './helpers/reference';

// Float32 sums of at most 4 products of entries in [-1, 1]: a few ulps of values below 4.
const TOL = { rtol: 1e-5, atol: 1e-6 };

// More matrices than maxComputeWorkgroupsPerDimension (65,535 on every adapter, the WebGPU default).
const BATCH = 70000;

eachBackend('matmul with a batch over 65,535', (use, backend) => {
  it(`(${BATCH},2,3) @ (3,2) matches float64`, async () => {
    const gb = use();
    const a = randomData(BATCH * 2 * 3, 11, 1);
    const b = randomData(3 * 2, 12, 1);
    const c = gb.tensor(a, [BATCH, 2, 3]).matmul(gb.tensor(b, [3, 2]));
    expect(c.shape).toEqual([BATCH, 2, 2]);
    expectClose(await c.data(), matmulRef(a, [BATCH, 2, 3], b, [3, 2]).data, TOL, 'batched');
  });

  it(`gather's gradient on a (${BATCH},3) tensor counts each gathered index`, async () => {
    const gb = use();
    const x = gb.tensor(randomData(BATCH * 3, 13, 1), [BATCH, 3]);
    // Column 2 gathered three times, 1 once, 0 once: every row's gradient is (1, 1, 3).
    const idx = gb.tensor([2, 0, 2, 1, 2]);
    const [dx] = gb.grad((t: Tensor) => t.gather(idx, 1).sum())(x);
    expect(dx.shape).toEqual([BATCH, 3]);
    const want = new Float32Array(BATCH * 3);
    for (let r = 0; r < BATCH; r++) want.set([1, 1, 3], r * 3);
    // Sums of ones and zeros are exact in float32.
    expectClose(await dx.data(), want, { rtol: 0, atol: 0 }, 'gather gradient');
  });

  if (backend === 'webgpu') {
    for (const variant of ['naive', 'blocked', 'tiled', 'tiled_vec4'] as const) {
      // A real batch of 70,000 on the tiled kernels takes over a minute on SwiftShader (70,000 workgroups
      // of 256 invocations with barriers), so these fold a small product under a lowered limit instead.
      it(`the ${variant} kernel folds its workgroups into x, y and z (grid limit lowered to 3)`, async () => {
        const gb = use();
        const engine = gb.engine as WebGpuBackend;
        const dispatches = vi.spyOn(engine.runner, 'dispatch');
        engine.variants.matmul = variant;
        try {
          // 2 x 2 output tiles in each of 5 matrices: 20 workgroups in a grid of at most 3 per dimension.
          const tile = { naive: 16, blocked: 32, tiled: 64, tiled_vec4: 64 }[variant];
          const [Z, M, K, N] = [5, tile + 3, 20, tile + 4];
          const a = randomData(Z * M * K, 16, 1);
          const b = randomData(Z * K * N, 17, 1);
          const c = withGridLimit(engine, 3, () => gb.tensor(a, [Z, M, K]).matmul(gb.tensor(b, [Z, K, N])));
          const [d] = dispatches.mock.calls.map(([x]) => x).filter((x) => x.entry === `matmul_${variant}`);
          expect(d.workgroups).toEqual([3, 3, 3]);
          expectClose(await c.data(), matmulRef(a, [Z, M, K], b, [Z, K, N]).data, TOL, variant);
        } finally {
          engine.variants.matmul = 'auto';
          dispatches.mockRestore();
        }
      });
    }

    it(`the naive and blocked kernels spread a real batch of ${BATCH} over the grid`, async () => {
      const gb = use();
      const engine = gb.engine as WebGpuBackend;
      for (const variant of ['naive', 'blocked'] as const) {
        engine.variants.matmul = variant;
        try {
          const a = randomData(BATCH * 2 * 3, 14, 1);
          const b = randomData(BATCH * 3 * 2, 15, 1);
          const c = gb.tensor(a, [BATCH, 2, 3]).matmul(gb.tensor(b, [BATCH, 3, 2]));
          const ref = matmulRef(a, [BATCH, 2, 3], b, [BATCH, 3, 2]).data;
          expectClose(await c.data(), ref, TOL, `${variant} batch ${BATCH}`);
        } finally {
          engine.variants.matmul = 'auto';
        }
      }
    });
  }
});

/**
 * Runs f while the engine's runner reports maxComputeWorkgroupsPerDimension = max (adapters only offer
 * 65,535 or more), so that a few workgroups exercise the same folding as a batch of millions.
 */
function withGridLimit<T>(engine: WebGpuBackend, max: number, f: () => T): T {
  const runner = engine.runner;
  const real = runner.limits;
  const lowered = new Proxy(real, {
    get: (t, k) => (k === 'maxComputeWorkgroupsPerDimension' ? max : Reflect.get(t, k)),
  });
  Object.defineProperty(runner, 'limits', { configurable: true, get: () => lowered });
  try {
    return f();
  } finally {
    Reflect.deleteProperty(runner, 'limits'); // back to the prototype's getter
  }
}

describe('gridFor', () => {
  it('fits any count of workgroups under the per-dimension limit with little waste', () => {
    const max = 65535;
    for (const count of [1, 2, max, max + 1, 70000, max * max, max * max + 1, 5e9]) {
      const [x, y, z] = gridFor(count, max, 'test');
      expect(Math.max(x, y, z), `count ${count}`).toBeLessThanOrEqual(max);
      expect(x * y * z, `count ${count}`).toBeGreaterThanOrEqual(count);
      // Extra workgroups only exit; fewer than one per (y, z) row keeps that cost negligible.
      expect(x * y * z - count, `count ${count}`).toBeLessThan(y * z);
    }
    expect(gridFor(70000, max, 'test')).toEqual([35000, 2, 1]);
  });

  it('refuses a count beyond the whole grid, saying what to do', () => {
    expect(() => gridFor(28, 3, 'matmul_tiled')).toThrow(/28 workgroups exceed .* 3\^3 .*split the product/);
  });
});
