// Matrix product with NumPy's rules: 2-D, 1-D vectors promoted and squeezed, and N-D batches that
// broadcast, e.g. (2,3,6,5) @ (5,7) -> (2,3,6,7). Transposed layouts reach the kernel as strides.
import type { MatmulPlan } from '../backends/backend';
import { fmtShape, GradboxError } from '../errors';
import { broadcastShapes, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
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
  // 1-D operands: a (K) is a row (1,K), b (K) a column (K,1); the added axis is dropped from the result.
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : [...b.shape];
  const [M, K] = aShape.slice(-2);
  const [K2, N] = bShape.slice(-2);
  if (K !== K2) {
    throw new GradboxError(
      `${op}: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${K} vs ${K2}); ` +
        'the last axis of the left operand must equal the second-to-last of the right',
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchShape = broadcastShapes(`${op} (batch axes)`, aBatch, bBatch);
  const batch = sizeOf(batchShape);
  const temps: Tensor[] = [];
  // Each operand's batch must be either its own full batch (stride M*K) or absent (stride 0); a partial
  // broadcast like (2,1,..) against (3,..) is materialised first so the kernel sees one stride per batch.
  const side = (t: Tensor, own: number[], rows: number, cols: number) => {
    if (sizeOf(own) === 1) return { t, stride: 0 };
    const padded = [...Array(batchShape.length - own.length).fill(1), ...own];
    if (padded.every((d, i) => d === batchShape[i])) return { t, stride: rows * cols };
    const expanded = broadcastTo(t, [...batchShape, rows, cols]); // own batch non-empty: t is >= 3-D
    temps.push(expanded);
    return { t: expanded, stride: rows * cols };
  };
  const A = side(a, aBatch, M, K);
  const B = side(b, bBatch, K, N);
  const plan: MatmulPlan = {
    batch,
    M,
    K,
    N,
    a: { batch: A.stride, row: K, col: 1 },
    b: { batch: B.stride, row: N, col: 1 },
  };
  const storage = ctx.engine.matmul(storageOf(op, ctx, A.t), storageOf(op, ctx, B.t), plan);
  for (const t of temps) t.dispose();
  const outShape = [...batchShape, M, N];
  if (a.shape.length === 1) outShape.splice(outShape.length - 2, 1);
  if (b.shape.length === 1) outShape.splice(outShape.length - 1, 1);
  return ctx.wrap(storage, outShape);
}
