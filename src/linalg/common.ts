// What every linalg function checks and shares: a square matrix or a batch of them (..., n, n), right-hand
// sides (..., n, k) or (..., n) whose batch axes broadcast with the matrices', the diagonal and the swap
// of the last two axes as recorded ops (so gradients and gradients of gradients flow through them).
import { isRecording } from '../autodiff';
import { fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import { stridedRead } from '../ops/shape';
import { broadcastShapes, sizeOf } from '../shape';
import type { Tensor } from '../tensor';

/** The batch axes, n, and the number of matrices of a (..., n, n) operand; anything else throws. */
export function squareMatrices(
  op: string,
  a: Tensor,
  name = 'A',
): { batchShape: number[]; n: number; batch: number } {
  storageOf(op, a?.ctx, a);
  const r = a.shape.length;
  if (r < 2 || a.shape[r - 1] !== a.shape[r - 2]) {
    throw new GradboxError(
      `${op}: ${name} must be a square matrix or a batch of them, shape (..., n, n), got ${fmtShape(a.shape)}` +
        (r < 2 ? '; reshape a single number to (1,1)' : ''),
    );
  }
  const batchShape = a.shape.slice(0, -2);
  return { batchShape, n: a.shape[r - 1], batch: sizeOf(batchShape) };
}

/** Swaps the last two axes (a recorded copy). */
export function mT(x: Tensor): Tensor {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return x.transpose(perm);
}

/** The main diagonals of (..., n, n): (..., n), a strided read whose gradient writes g back on them. */
export function diagonal(op: string, x: Tensor): Tensor {
  const n = x.shape[x.shape.length - 1];
  const batchShape = x.shape.slice(0, -2);
  const strides: number[] = [];
  let s = n * n;
  for (let i = batchShape.length - 1; i >= 0; i--) {
    strides.unshift(s);
    s *= batchShape[i];
  }
  return stridedRead(op, x, 0, [...strides, n + 1], [...batchShape, n]);
}

/**
 * Right-hand sides B for matrices A (..., n, n): B (..., n, k), or (..., n) when B has one axis less than
 * A and matches A's shape without its last axis, or has one axis: a vector per matrix). Both are broadcast to one batch shape (recorded, so gradients sum back).
 * Returns A and B as (batch..., n, n) and (batch..., n, k) and how to shape the result back.
 */
export function rightHandSides(
  op: string,
  a: Tensor,
  b: Tensor,
): { A: Tensor; B: Tensor; vector: boolean; temps: Tensor[]; n: number; k: number; batch: number } {
  const { batchShape, n } = squareMatrices(op, a);
  storageOf(op, a.ctx, b);
  // As in PyTorch: a vector when B has one axis, or one axis less than A and A's shape without its last.
  const vector =
    b.shape.length === 1 ||
    (b.shape.length === a.shape.length - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const rows = vector ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
  if (b.shape.length < 1 || rows !== n) {
    throw new GradboxError(
      `${op}: B must be (..., n, k) or (..., n) with n = ${n} rows to match A ${fmtShape(a.shape)}, got ` +
        `${fmtShape(b.shape)}; a single right-hand side is a vector with one axis less than A`,
    );
  }
  const k = vector ? 1 : b.shape[b.shape.length - 1];
  const bBatch = b.shape.slice(0, vector ? -1 : -2);
  const batch = broadcastShapes(`${op} (batch axes of A and B)`, batchShape, bBatch);
  const temps: Tensor[] = [];
  const t = (x: Tensor) => {
    temps.push(x);
    return x;
  };
  let B = vector ? t(b.reshape([...bBatch, n, 1])) : b;
  if (bBatch.length !== batch.length || bBatch.some((d, i) => d !== batch[i])) {
    B = t(B.broadcastTo([...batch, n, k]));
  }
  let A = a;
  if (batchShape.length !== batch.length || batchShape.some((d, i) => d !== batch[i])) {
    A = t(a.broadcastTo([...batch, n, n]));
  }
  return { A, B, vector, temps, n, k, batch: sizeOf(batch) };
}

/** Frees temporaries unless a grad() is recording (then its scope frees them). */
export function drop(ctx: Tensor['ctx'], temps: readonly Tensor[], keep: readonly Tensor[] = []): void {
  if (isRecording(ctx)) return;
  for (const t of new Set(temps)) if (!keep.includes(t)) t.dispose();
}
