// Cholesky factorisation A = L L^T of symmetric positive-definite matrices (one backend call), with the
// symmetrised gradient of Murray (2016): dA = L^-T Phi(L^T dL) L^-1, Phi taking the lower triangle with
// half its diagonal, made symmetric; built from triangular solves and matmuls, so it is recorded too.
import { record, untracked } from '../autodiff';
import type { Storage } from '../backends/backend';
import { CpuBackend } from '../backends/cpu/cpu_backend';
import { WasmBackend } from '../backends/wasm/wasm_backend';
import { GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { blockedCholesky, useBlocked } from './blocked';
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
 * The error for the first matrix whose `info` (-1, or the first pivot that is not positive) says it is
 * not positive definite, or null. The same words on every backend.
 */
function notPositiveDefinite(op: string, info: ArrayLike<number>, batchShape: number[]): GradboxError | null {
  const b = Array.prototype.findIndex.call(info, (v: number) => v >= 0);
  if (b < 0) return null;
  const pivot = info[b];
  const where = batchShape.length > 0 ? ` of the matrix at batch index [${batchIndex(b, batchShape)}]` : '';
  return new GradboxError(
    `${op}: the matrix is not positive definite: pivot ${pivot}${where} is not positive ` +
      `(the leading ${pivot + 1} x ${pivot + 1} minor is not positive definite). Check that the ` +
      'matrix is symmetric positive definite; adding a small multiple of the identity helps when it is ' +
      'only semi-definite.',
  );
}

/**
 * Lower-triangular L with A = L L^T for symmetric positive-definite A (..., n, n); only the lower triangle
 * of A is read. A matrix that is not positive definite is an error naming the first pivot that is not
 * positive and its batch index, with the same words on every backend: the CPU backends throw it here; WebGPU
 * cannot know before the GPU has run, so the next read on the context (`await L.data()`, or of any
 * other tensor, or `gb.sync()`) throws it, and until then that matrix's factor is all NaN. The gradient
 * is symmetric (for symmetric inputs).
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
    // info: -1 per matrix, or its first pivot that is not positive.
    let info: Storage;
    let infoTensor: Tensor | null = null;
    if (useBlocked(ctx, n)) {
      const r = untracked(ctx, () => {
        const flat = a.reshape([batch, n, n]);
        const f = blockedCholesky(flat);
        const shaped = f.L.reshape(a.shape);
        flat.dispose();
        f.L.dispose();
        return { L: shaped, info: f.info };
      });
      L = r.L;
      infoTensor = r.info;
      info = storageOf(op, ctx, r.info);
    } else {
      const f = engine.cholesky(storageOf(op, ctx, a), batch, n);
      L = ctx.wrap(f.factor, a.shape);
      info = f.info;
    }
    const free = () => (infoTensor ? infoTensor.dispose() : engine.free(info));
    if (engine instanceof CpuBackend || engine instanceof WasmBackend) {
      const error = notPositiveDefinite(op, engine.readSync(info), batchShape);
      free();
      if (error) {
        L.dispose();
        throw error;
      }
    } else {
      // The copy of `info` is encoded before read() first waits, so it can be freed at once.
      ctx.deferCheck(engine.read(info).then((v) => notPositiveDefinite(op, v, batchShape)));
      free();
    }
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
