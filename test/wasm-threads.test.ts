// The wasm backend's threads (Node has shared memory and worker_threads): products split by batches, rows
// and columns give the TypeScript backend's results, one thread is one thread, bad counts are refused, and
// kernels that allocate while the memory grows write their plans into the new buffer.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WasmBackend } from '../src/backends/wasm/wasm_backend';
import { type Context, createContext, type Tensor } from '../src/index';
import { expectClose, randomData } from './helpers/close';

const EXACT = { rtol: 0, atol: 0 };

let js: Context;
beforeAll(async () => {
  js = await createContext({ backend: 'js' });
});
afterAll(() => js.dispose());

/** (batch, M, K) @ (batch, K, N) on gb and on js, compared. */
async function sameProduct(gb: Context, batch: number, M: number, K: number, N: number): Promise<void> {
  const sa = batch ? [batch, M, K] : [M, K];
  const sb = batch ? [batch, K, N] : [K, N];
  const da = randomData(
    sa.reduce((x, y) => x * y, 1),
    M + K,
    1,
  );
  const db = randomData(
    sb.reduce((x, y) => x * y, 1),
    K + N,
    1,
  );
  const [ga, gb2, ja, jb] = [gb.tensor(da, sa), gb.tensor(db, sb), js.tensor(da, sa), js.tensor(db, sb)];
  const got = ga.matmul(gb2);
  const want = ja.matmul(jb);
  // Float32 sums of K products in [-1, 1] against float64 ones: ~sqrt(K) ulps of K.
  expectClose(
    await got.data(),
    await want.data(),
    { rtol: 1e-5, atol: 1e-5 * (1 + Math.sqrt(K)) },
    `${sa} @ ${sb}`,
  );
  for (const t of [ga, gb2, ja, jb, got, want]) t.dispose();
}

describe('two threads', () => {
  let gb: Context;
  beforeAll(async () => {
    gb = await createContext({ backend: 'wasm', threads: 2 });
  });
  afterAll(() => gb.dispose());

  it('start: the backend says so and holds a pool of one worker', () => {
    expect(gb.engine.description).toMatch(/2 threads/);
    expect((gb.engine as WasmBackend).pool?.threads).toBe(2);
  });

  it('products split by batches, by rows and by columns equal the TypeScript backend', async () => {
    const shared = vi.spyOn((gb.engine as WasmBackend).pool!, 'run');
    await sameProduct(gb, 4, 64, 64, 64); // batches: 2 * 4 * 64^3 = 2^21 FLOPs, the threshold
    await sameProduct(gb, 0, 201, 100, 60); // rows (not a multiple of the 4-row tile)
    await sameProduct(gb, 0, 5, 300, 1003); // columns: too few rows to share
    await sameProduct(gb, 3, 33, 300, 70); // 3 batches on 2 threads: shares of 2 and 1
    expect(shared).toHaveBeenCalledTimes(4);
    shared.mockRestore();
    expect(gb.memory().tensors).toBe(0);
  });

  it('elementwise ops, reductions and the softmax family past the sharing threshold equal js', async () => {
    type Op = (t: Tensor, u: Tensor) => Tensor;
    const n = 100_003; // over 2^16 elements, odd: a tail for the last share
    const long = randomData(n, 5, 4);
    long[n - 2] = Number.NaN; // in the last share (and in the left-over tail of a long row's pieces)
    const square = randomData(300 * 301, 6, 4);
    const cases: [string, number[], Float32Array, number[], Op, { rtol: number; atol: number }][] = [
      ['exp (one row, split by columns)', [n], long, [1], (t) => t.exp(), { rtol: 3e-7, atol: 0 }],
      ['add of two rows (split by columns)', [n], long, [n], (t, u) => t.add(u), EXACT],
      ['broadcast add (split by rows)', [300, 301], square, [301], (t, u) => t.add(u), EXACT],
      ['max of one long row with a NaN', [n], long, [1], (t) => t.max(), EXACT],
      ['sum of one long row', [n], randomData(n, 7, 1), [1], (t) => t.sum(), { rtol: 1e-6, atol: 1e-3 }],
      ['mean of one long row', [n], randomData(n, 8, 1), [1], (t) => t.mean(), { rtol: 1e-6, atol: 1e-8 }],
      ['row sums', [300, 301], square, [1], (t) => t.sum(1), { rtol: 1e-6, atol: 1e-4 }],
      ['softmax of rows', [300, 301], square, [1], (t) => t.softmax(1), { rtol: 1e-5, atol: 1e-7 }],
      ['logSumExp of rows', [300, 301], square, [1], (t) => t.logSumExp(1), { rtol: 1e-6, atol: 1e-6 }],
    ];
    const pool = (gb.engine as WasmBackend).pool!;
    const shared = vi.spyOn(pool, 'run');
    for (const [what, shape, data, otherShape, op, tol] of cases) {
      shared.mockClear();
      const other = randomData(
        otherShape.reduce((x, y) => x * y, 1),
        9,
        4,
      );
      const run = (ctx: Context) =>
        ctx.tidy(() => op(ctx.tensor(data, shape), ctx.tensor(other, otherShape)));
      const [got, want] = [run(gb), run(js)];
      expectClose(await got.data(), await want.data(), tol, what);
      expect(shared, `${what} is shared among the threads`).toHaveBeenCalled();
      got.dispose();
      want.dispose();
    }
    shared.mockRestore();
    expect(gb.memory().tensors).toBe(0);
  });
});

it('threads: 1 runs on one thread; a count that is not a positive integer is refused', async () => {
  const one = await createContext({ backend: 'wasm', threads: 1 });
  expect(one.engine.description).toMatch(/1 thread\b/);
  expect((one.engine as WasmBackend).pool).toBeNull();
  await sameProduct(one, 0, 130, 257, 70);
  one.dispose();
  await expect(createContext({ backend: 'wasm', threads: 0 })).rejects.toThrow(
    'createContext: threads must be an integer >= 1, got 0',
  );
});

it('a product whose packing buffers grow the memory writes its plan into the grown memory', async () => {
  // A fresh backend starts with 1 MiB of memory: two 512 x 512 inputs and the output need more, and the
  // packing buffers are allocated after them (a stale view of the old buffer would drop the plan).
  for (const threads of [1, 2]) {
    const gb = await createContext({ backend: 'wasm', threads });
    await sameProduct(gb, 0, 512, 512, 512);
    gb.dispose();
  }
});
