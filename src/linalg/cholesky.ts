// Cholesky factorisation A = L L^T of symmetric positive-definite matrices (one backend call), with the
// symmetrised gradient of Murray (2016): dA = L^-T Phi(L^T dL) L^-1, Phi taking the lower triangle with
// half its diagonal, made symmetric; built from triangular solves and matmuls, so it is recorded too.
import { record } from '../autodiff';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { WasmBackend } from '../backends/wasm/wasm_backend';
import { GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { mT, squareMatrices } from './common';
import { solveCore } from './triangular';

/** The multi-index of flat batch index `b` in `batchShape`, e.g. [1, 2]. */
function batchIndex(b: number, batchShape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let i = batchShape.length - 1; i >= 0; i--) {
    idx.unshift(b % batchShape[i]);
    b = Math.floor(b / batchShape[i]);
  }
  return idx;
}

/**
 * Lower-triangular L with A = L L^T for symmetric positive-definite A (..., n, n); only the lower triangle
 * of A is read. On the CPU backends a matrix that is not positive definite throws an error naming the first
 * pivot that is not positive and its batch index. The WebGPU backend cannot tell without waiting for the
 * GPU, so there that matrix's factor is all NaN. The gradient is symmetric (for symmetric inputs).
 */
export function cholesky(a: Tensor): Tensor {
  const op = 'linalg.cholesky';
  const { batchShape, n, batch } = squareMatrices(op, a);
  const ctx = a.ctx;
  const engine = ctx.engine;
  let L: Tensor;
  if (batch * n === 0) {
    L = ctx.wrap(engine.fill(0, a.size), a.shape);
  } else {
    const { factor, info } = engine.cholesky(storageOf(op, ctx, a), batch, n);
    if (engine instanceof CpuBackend || engine instanceof WasmBackend) {
      const pivots = engine.readSync(info);
      const b = pivots.findIndex((v) => v >= 0);
      engine.free(info);
      if (b >= 0) {
        engine.free(factor);
        const where =
          batchShape.length > 0 ? ` of the matrix at batch index [${batchIndex(b, batchShape)}]` : '';
        throw new GradboxError(
          `${op}: the matrix is not positive definite: pivot ${pivots[b]}${where} is not positive ` +
            `(the leading ${pivots[b] + 1} x ${pivots[b] + 1} minor is not positive definite). Check that the ` +
            'matrix is symmetric positive definite; adding a small multiple of the identity helps when it is ' +
            'only semi-definite.',
        );
      }
    } else engine.free(info);
    L = ctx.wrap(factor, a.shape);
  }
  record(L, [a], (g) => {
    // phi = tril(L^T g) with half its diagonal, symmetrised: P = (phi + phi^T) / 2 without doubling it.
    const phi = mT(L).matmul(g).tril();
    const P = phi.add(mT(phi.tril(-1))).mul(0.5);
    // L^-T P L^-1: op(L) = L^T is upper; P L^-1 = (L^-T P^T)^T.
    const Y = solveCore(L, P, { lower: false, transpose: true, unitDiagonal: false });
    return [mT(solveCore(L, mT(Y), { lower: false, transpose: true, unitDiagonal: false }))];
  });
  return L;
}
