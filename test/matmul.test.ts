// matmul on both backends against a float64 reference: 2-D shapes around the 64x64 tile and 16-deep
// K step, 1-D operands, NumPy batch broadcasting, and every rung of the WebGPU ladder on its own.
import { expect, it } from 'vitest';
import { matmulPlain } from '../src/backends/cpu/matmul';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
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

  if (backend === 'cpu') {
    it('the plain triple loop (the naive rung) agrees with the reference', () => {
      const [M, K, N] = [13, 17, 11];
      const a = randomData(M * K, 1);
      const b = randomData(K * N, 2);
      const plan = { batch: 1, M, K, N, a: { batch: 0, row: K, col: 1 }, b: { batch: 0, row: N, col: 1 } };
      expectClose(matmulPlain(a, b, plan).data, matmulRef(a, [M, K], b, [K, N]).data, TOL);
    });
  }

  if (backend === 'webgpu') {
    for (const variant of ['naive', 'blocked', 'tiled', 'tiled_vec4'] as const) {
      it(`the ${variant} kernel on its own matches float64`, async () => {
        const gb = use();
        const engine = gb.engine as WebGpuBackend;
        engine.variants.matmul = variant;
        try {
          const shapes =
            variant === 'tiled_vec4'
              ? [
                  [4, 4, 4],
                  [65, 20, 68],
                  [3, 132, 8],
                ]
              : SHAPES_2D;
          for (const [M, K, N] of shapes) {
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
          // Batched with broadcast B (batch stride 0).
          const a = randomData(3 * 5 * 8, 7, 1);
          const b = randomData(8 * 12, 8, 1);
          const c = gb.tensor(a, [3, 5, 8]).matmul(gb.tensor(b, [8, 12]));
          expectClose(await c.data(), matmulRef(a, [3, 5, 8], b, [8, 12]).data, TOL, `${variant} batched`);
        } finally {
          engine.variants.matmul = 'auto';
        }
      });
    }
  }
});
