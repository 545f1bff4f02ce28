// A representative set of kernel checks that runs unchanged in Node (vitest) and in headless Chromium:
// each builds inputs, computes a float64 reference in plain JS, and throws on the first mismatch.
import type { Context, Tensor } from '../../src/index';

export interface Check {
  name: string;
  run(gb: Context): Promise<void>;
}

function data(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  });
}

async function close(t: Tensor, want: ArrayLike<number>, tol: number, what: string): Promise<void> {
  const got = await t.data();
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i])
      ? Number.isNaN(got[i])
      : Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]));
    if (!ok) throw new Error(`${what}: first mismatch at ${i}: got ${got[i]}, expected ${want[i]}`);
  }
}

export const CHECKS: Check[] = [
  {
    name: 'matmul 67x33 @ 33x65 (tile + 1 edges)',
    async run(gb) {
      const [M, K, N] = [67, 33, 65];
      const a = data(M * K, 1);
      const b = data(K * N, 2);
      const want = new Float64Array(M * N);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[m * K + k] * b[k * N + n];
          want[m * N + n] = s;
        }
      await close(gb.tensor(a, [M, K]).matmul(gb.tensor(b, [K, N])), want, 1e-5, 'matmul');
    },
  },
  {
    name: 'batched matmul (2,3,6,5) @ (5,7)',
    async run(gb) {
      const a = data(2 * 3 * 6 * 5, 3);
      const b = data(5 * 7, 4);
      const want = new Float64Array(2 * 3 * 6 * 7);
      for (let z = 0; z < 6; z++)
        for (let m = 0; m < 6; m++)
          for (let n = 0; n < 7; n++) {
            let s = 0;
            for (let k = 0; k < 5; k++) s += a[z * 30 + m * 5 + k] * b[k * 7 + n];
            want[z * 42 + m * 7 + n] = s;
          }
      const c = gb.tensor(a, [2, 3, 6, 5]).matmul(gb.tensor(b, [5, 7]));
      if (c.shape.join() !== '2,3,6,7') throw new Error(`batched matmul shape ${c.shape}`);
      await close(c, want, 1e-5, 'batched matmul');
    },
  },
  {
    name: 'broadcast add, mul, relu, exp (3,1,257) with (4,1)',
    async run(gb) {
      const a = data(3 * 257, 5);
      const b = data(4, 6);
      const want = new Float64Array(3 * 4 * 257);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++)
          for (let k = 0; k < 257; k++) {
            const v = Math.max(0, (a[i * 257 + k] + b[j]) * 2);
            want[(i * 4 + j) * 257 + k] = Math.exp(v);
          }
      const y = gb
        .tensor(a, [3, 1, 257])
        .add(gb.tensor(b, [4, 1]))
        .mul(2)
        .relu()
        .exp();
      await close(y, want, 1e-5, 'broadcast chain');
    },
  },
  {
    name: 'sum, max, argmax over 100003 elements and along axes',
    async run(gb) {
      const x = data(100003, 7);
      let s = 0;
      let m = -Infinity;
      let am = 0;
      x.forEach((v, i) => {
        s += v;
        if (v > m) {
          m = v;
          am = i;
        }
      });
      const t = gb.tensor(x);
      await close(t.sum(), [s], 1e-4, 'sum');
      await close(t.max(), [m], 0, 'max');
      await close(t.argmax(), [am], 0, 'argmax');
      // The reference comes from the generated values, not from the tensor's own readback.
      const rows = data(5 * 1031, 8);
      const y = gb.tensor(rows, [5, 1031]);
      const want = Array.from({ length: 5 }, (_, r) =>
        rows.slice(r * 1031, (r + 1) * 1031).reduce((p, v) => p + v, 0),
      );
      await close(y.sum(1), want, 1e-4, 'row sums');
    },
  },
  {
    name: 'softmax and logSumExp, stable at 1e3',
    async run(gb) {
      const x = gb.tensor([
        [1000, 1001, 1002],
        [1, 2, 3],
      ]);
      const e = [Math.exp(-2), Math.exp(-1), 1];
      const z = e[0] + e[1] + e[2];
      await close(x.softmax(), [...e.map((v) => v / z), ...e.map((v) => v / z)], 1e-5, 'softmax');
      await close(x.logSumExp(1), [1002 + Math.log(z), 3 + Math.log(z)], 1e-5, 'logSumExp');
    },
  },
  {
    name: 'transpose, gather, oneHot, seeded rand',
    async run(gb) {
      await close(
        gb
          .tensor([
            [1, 2, 3],
            [4, 5, 6],
          ])
          .transpose(),
        [1, 4, 2, 5, 3, 6],
        0,
        'transpose',
      );
      await close(
        gb
          .tensor([
            [1, 2, 3],
            [4, 5, 6],
          ])
          .gather(gb.tensor([2, 0]), 1),
        [3, 1, 6, 4],
        0,
        'gather',
      );
      await close(gb.tensor([2, 0]).oneHot(3), [0, 0, 1, 1, 0, 0], 0, 'oneHot');
      const a = await gb.rand([9], { seed: 5 }).data();
      const b = await gb.rand([9], { seed: 5 }).data();
      if (a.some((v, i) => v !== b[i] || v < 0 || v >= 1)) throw new Error('rand is not reproducible');
    },
  },
];

/** Runs every check; returns the failures as readable lines. */
export async function runChecks(gb: Context): Promise<{ passed: number; failures: string[] }> {
  const failures: string[] = [];
  let passed = 0;
  for (const c of CHECKS) {
    try {
      await c.run(gb);
      passed++;
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message}`);
    }
  }
  return { passed, failures };
}
