// linalg.cholesky of matrices that are not positive definite gives the same error on both backends,
// naming the first pivot that is not positive and the matrix's batch index. The CPU throws at the call;
// WebGPU throws at the next read on the context (the GPU has to run first). Regression test: WebGPU used
// to hand back NaN without a word.
import { expect, it } from 'vitest';
import { GradboxError, linalg, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';

/** Factors and reads the factor: the whole round trip a user makes. */
async function factorAndRead(a: Tensor): Promise<Float32Array> {
  const L = linalg.cholesky(a);
  try {
    return await L.data();
  } finally {
    L.dispose();
  }
}

eachBackend('linalg.cholesky errors', (use, backend) => {
  it('names the failing pivot and batch index, on every backend', async () => {
    const gb = use();
    const before = held(gb);
    // Batch index [1, 0] fails at pivot 1: [[1, 2], [2, 1]] has leading minors 1 and -3.
    const a = gb.tensor([1, 0, 0, 1, 4, 0, 0, 4, 1, 2, 2, 1, 2, 0, 0, 2], [2, 2, 2, 2]);
    const failure = factorAndRead(a);
    await expect(failure).rejects.toThrow(GradboxError);
    await expect(factorAndRead(a)).rejects.toThrow(
      /linalg\.cholesky: the matrix is not positive definite: pivot 1 of the matrix at batch index \[1,0\] is not positive \(the leading 2 x 2 minor/,
    );
    // One matrix: no batch index. A NaN pivot fails too.
    const one = gb.tensor([[-1]]);
    await expect(factorAndRead(one)).rejects.toThrow(/: pivot 0 is not positive/);
    const nan = gb.tensor([
      [4, 0, 0],
      [0, 1, 0],
      [0, 0, NaN],
    ]);
    await expect(factorAndRead(nan)).rejects.toThrow(/pivot 2 is not positive/);
    // The error is thrown once; the context goes on working.
    const pd = gb.tensor([
      [4, 2],
      [2, 5],
    ]);
    expect(Array.from(await factorAndRead(pd))).toEqual([2, 0, 1, 2]);
    for (const t of [a, one, nan, pd]) t.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('a result computed from the failed factor, or any read, reports it', async () => {
    const gb = use();
    const a = gb.tensor([
      [1, 2],
      [2, 1],
    ]);
    const b = gb.tensor([1, 2]);
    if (backend !== 'webgpu') {
      expect(() => linalg.cholesky(a)).toThrow(/pivot 1 is not positive/);
    } else {
      // A solve through the factor: the read of x (not of L) throws.
      const L = linalg.cholesky(a);
      const x = linalg.triangularSolve(L, b);
      await expect(x.data()).rejects.toThrow(/linalg\.cholesky: .* pivot 1 is not positive/);
      // sync() is a read too.
      const L2 = linalg.cholesky(a);
      await expect(gb.sync()).rejects.toThrow(/pivot 1 is not positive/);
      await gb.sync(); // thrown once
      for (const t of [L, x, L2]) t.dispose();
    }
    a.dispose();
    b.dispose();
  });
});
