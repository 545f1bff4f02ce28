// Integer powers of square matrices by repeated squaring: about 2 log2|k| matmuls, recorded, so the
// gradient flows through them; negative powers start from the inverse.
import { describe, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { drop, squareMatrices } from './common';
import { inv } from './lu';

/**
 * A^k for square A (..., n, n) and an integer k: k = 0 gives the identity (for every matrix of the batch),
 * k < 0 gives inv(A)^|k| (infinities or NaN for a singular A, as inv). By repeated squaring (A^13 =
 * A^8 A^4 A), so about 2 log2|k| matrix products. Differentiable in A through the products (and inv).
 */
export function matrixPower(a: Tensor, k: number): Tensor {
  const op = 'linalg.matrixPower';
  const { batchShape, n } = squareMatrices(op, a);
  if (typeof k !== 'number' || !Number.isSafeInteger(k)) {
    throw new GradboxError(`${op}: k must be an integer (the power), got ${describe(k)}`);
  }
  const ctx = a.ctx;
  if (k === 0) {
    const eye = ctx.eye(n);
    const out = eye.broadcastTo([...batchShape, n, n]);
    if (out !== eye) eye.dispose();
    return out;
  }
  const temps: Tensor[] = [];
  let base = k < 0 ? inv(a) : a; // base = A^(2^i) after i squarings
  if (k < 0) temps.push(base);
  let result: Tensor | null = null;
  for (let e = Math.abs(k); e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      result = result ? result.matmul(base) : base;
      if (result !== a) temps.push(result); // the caller's A is never freed here
    }
    if (e > 1) {
      base = base.matmul(base);
      temps.push(base);
    }
  }
  // k = 1 would return A itself: a power is a tensor of its own.
  const out = result === a ? a.clone() : result!;
  drop(ctx, temps, [out]);
  return out;
}
