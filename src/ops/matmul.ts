// Matrix product with NumPy's rules: 2-D, 1-D vectors promoted and squeezed, and N-D batches that
// broadcast, e.g. (2,3,6,5) @ (5,7) -> (2,3,6,7). Transposed operands reach the kernel as strides,
// which is also how the gradient rule computes g @ B^T and A^T @ g without copying.
import { isRecording, record, untracked } from '../autodiff';
import type { MatmulPlan } from '../backends/backend';
import { fmtShape, GradboxError } from '../errors';
import { broadcastShapes, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { unbroadcast } from './elementwise';
import { storageOf } from './inputs';
import { broadcastTo } from './layout';

export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  const ctx = a.ctx;
  storageOf(op, ctx, a);
  storageOf(op, ctx, b);
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new GradboxError(
      `${op}: both operands need at least one dimension, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}; ` +
        'use mul() to scale by a scalar',
    );
  }
  const K = a.shape[a.shape.length - 1];
  const K2 = b.shape.length === 1 ? b.shape[0] : b.shape[b.shape.length - 2];
  if (K !== K2) {
    throw new GradboxError(
      `${op}: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${K} vs ${K2}); ` +
        'the last axis of the left operand must equal the second-to-last of the right',
    );
  }
  // 1-D operands: a (K) is a row (1,K), b (K) a column (K,1); the added axis is dropped from the result.
  // The reshapes are ops in their own right, so autodiff sees them and needs no special case here.
  if (a.shape.length === 1 || b.shape.length === 1) {
    const a2 = a.shape.length === 1 ? a.reshape([1, K]) : a;
    const b2 = b.shape.length === 1 ? b.reshape([K, 1]) : b;
    const c = matmulCore(a2, b2);
    const shape = [...c.shape];
    if (a.shape.length === 1) shape.splice(shape.length - 2, 1);
    if (b.shape.length === 1) shape.splice(shape.length - 1, 1);
    const out = c.reshape(shape);
    // The views are temporaries, unless a grad() tape still needs them for the backward pass.
    if (!isRecording(ctx)) for (const t of [a2, b2, c]) if (t !== a && t !== b) t.dispose();
    return out;
  }
  return matmulCore(a, b);
}

/**
 * (..., M, K) @ (..., K, N) for operands of rank >= 2. With transA, `a` is stored as (..., K, M) and read
 * transposed; likewise transB. Batch axes broadcast.
 * @internal
 */
export function matmulCore(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const op = 'matmul';
  const ctx = a.ctx;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [M, K] = transA ? [ca, ra] : [ra, ca];
  const [K2, N] = transB ? [cb, rb] : [rb, cb];
  if (K !== K2) {
    throw new GradboxError(`${op}: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(`${op} (batch axes)`, aBatch, bBatch);
  const temps: Tensor[] = [];
  // Each operand's batch must be either its own full batch (stride rows*cols) or absent (stride 0); a
  // partial broadcast like (2,1,..) against (3,..) is materialised first so the kernel sees one stride.
  const side = (t: Tensor, own: readonly number[], rows: number, cols: number) => {
    if (sizeOf(own) === 1) return { t, stride: 0 };
    const padded = [...Array(batchShape.length - own.length).fill(1), ...own];
    if (padded.every((d, i) => d === batchShape[i])) return { t, stride: rows * cols };
    const expanded = untracked(ctx, () => broadcastTo(t, [...batchShape, rows, cols]));
    temps.push(expanded);
    return { t: expanded, stride: rows * cols };
  };
  const A = side(a, aBatch, ra, ca);
  const B = side(b, bBatch, rb, cb);
  const plan: MatmulPlan = {
    batch: sizeOf(batchShape),
    M,
    K,
    N,
    a: transA ? { batch: A.stride, row: 1, col: M } : { batch: A.stride, row: K, col: 1 },
    b: transB ? { batch: B.stride, row: 1, col: K } : { batch: B.stride, row: N, col: 1 },
  };
  const storage = ctx.engine.matmul(storageOf(op, ctx, A.t), storageOf(op, ctx, B.t), plan);
  for (const t of temps) t.dispose();
  const out = ctx.wrap(storage, [...batchShape, M, N]);
  // C = Â B̂ with Â = a or a^T, B̂ = b or b^T: dÂ = g B̂^T and dB̂ = Â^T g, transposed back where the
  // operand was read transposed, each summed over the batch axes it was broadcast along. Every form
  // records itself, so backward passes (made of the transposed forms) can be differentiated again.
  record(out, [a, b], (g) => [
    unbroadcast(transA ? matmulCore(b, g, transB, true) : matmulCore(g, b, false, !transB), a.shape),
    unbroadcast(transB ? matmulCore(g, a, true, transA) : matmulCore(a, g, !transA, false), b.shape),
  ]);
  return out;
}
