// The reduced singular value decomposition A = U diag(s) V^T (one backend call: one-sided Jacobi), with the
// gradients of s (U diag(g) V^T) and of U and V^T (Townsend's rule, where singular values are distinct and
// nonzero), all as recorded ops.
import { record } from '../autodiff';
import { fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import { sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { blockJacobiSvd, shapedLike, useBlockJacobi } from './block_jacobi';
import { mT } from './common';
import { inverseDifferences } from './eigh';

/** The reduced SVD of A (..., m, n): A = u diag(s) vt, with k = min(m, n). */
export interface Svd {
  /** Left singular vectors as orthonormal columns, (..., m, k). */
  u: Tensor;
  /** Singular values in descending order, (..., k), all >= 0. */
  s: Tensor;
  /** Right singular vectors as orthonormal rows, (..., k, n). */
  vt: Tensor;
}

/** The batch axes, m and n of a matrix or batch of matrices (..., m, n); anything else throws. */
export function matrices(
  op: string,
  a: Tensor,
): { batchShape: number[]; m: number; n: number; batch: number } {
  storageOf(op, a?.ctx, a);
  const r = a.shape.length;
  if (r < 2) {
    throw new GradboxError(
      `${op}: A must be a matrix or a batch of them, shape (..., m, n), got ${fmtShape(a.shape)}; ` +
        'reshape a vector to (1, n) or (n, 1)',
    );
  }
  const batchShape = a.shape.slice(0, -2);
  return { batchShape, m: a.shape[r - 2], n: a.shape[r - 1], batch: sizeOf(batchShape) };
}

/** X - X^T over the last two axes. */
const antisymmetric = (x: Tensor) => x.sub(mT(x));

/**
 * The reduced singular value decomposition of A (..., m, n): u (..., m, k), s (..., k) in descending order,
 * vt (..., k, n), k = min(m, n), with A = u diag(s) vt. Each column of u has its largest-magnitude entry
 * positive (the matching row of vt carries the sign). Where A has rank r < k, the last k - r columns of u
 * (or rows of vt) are still orthonormal: a completion of the others. Batched over leading axes; a matrix
 * containing NaN or an infinity gives all NaN, and the iteration always stops.
 *
 * Accuracy (float32, one-sided Jacobi on the columns of A, or of A^T when A is wide): singular values within
 * ~k eps32 s_max of the exact ones, singular vectors within ~k eps32 s_max / gap, and u diag(s) vt = A to
 * ~k eps32 s_max.
 *
 * Gradients: s has u diag(g) vt, for any A. u and vt have Townsend's rule (2016), which needs distinct
 * nonzero singular values: pairs within k eps32 s_max^2 of each other in s^2 are left out (exact for
 * functions of the subspaces they span), and a zero singular value with a gradient through u or vt gives
 * infinities.
 */
export function svd(a: Tensor): Svd {
  const op = 'linalg.svd';
  const { batchShape, m, n, batch } = matrices(op, a);
  const k = Math.min(m, n);
  const ctx = a.ctx;
  let u: Tensor;
  let s: Tensor;
  let vt: Tensor;
  if (batch * k === 0) {
    // No singular values; u and vt are empty too unless the other side is, e.g. (m, 0): u (m, 0).
    u = ctx.wrap(ctx.engine.fill(0, batch * m * k), [...batchShape, m, k]);
    s = ctx.wrap(ctx.engine.fill(0, 0), [...batchShape, k]);
    vt = ctx.wrap(ctx.engine.fill(0, batch * k * n), [...batchShape, k, n]);
  } else if (useBlockJacobi(ctx, k, batch)) {
    [u, s, vt] = shapedLike(a, blockJacobiSvd, (r) => [
      r.u.reshape([...batchShape, m, k]),
      r.s.reshape([...batchShape, k]),
      r.vt.reshape([...batchShape, k, n]),
    ]);
  } else {
    const r = ctx.engine.svd(storageOf(op, ctx, a), batch, m, n);
    u = ctx.wrap(r.u, [...batchShape, m, k]);
    s = ctx.wrap(r.s, [...batchShape, k]);
    vt = ctx.wrap(r.vt, [...batchShape, k, n]);
  }
  const U = u;
  const Vt = vt;
  const S = s;
  const row = (x: Tensor) => x.reshape([...batchShape, 1, k]); // scales columns
  const col = (x: Tensor) => x.reshape([...batchShape, k, 1]); // scales rows
  record(s, [a], (g) => [U.mul(row(g)).matmul(Vt)]);
  record(u, [a], (g) => {
    // U [ (F o (U^T g - g^T U)) S ] V^T + (I - U U^T) g S^-1 V^T
    const utg = mT(U).matmul(g);
    const inner = inverseDifferences(S.square()).mul(antisymmetric(utg)).mul(row(S));
    const outside = g.sub(U.matmul(utg)).mul(row(S.reciprocal()));
    return [U.matmul(inner).add(outside).matmul(Vt)];
  });
  record(vt, [a], (g) => {
    // With gV = g^T (n, k): U [ S (F o (V^T gV - gV^T V)) ] V^T + U S^-1 gV^T (I - V V^T)
    const vtgv = Vt.matmul(mT(g)); // V^T gV
    const inner = inverseDifferences(S.square()).mul(antisymmetric(vtgv)).mul(col(S));
    const outside = g.sub(mT(vtgv).matmul(Vt)).mul(col(S.reciprocal())); // S^-1 gV^T (I - V V^T)
    return [U.matmul(inner.matmul(Vt).add(outside))];
  });
  return { u, s, vt };
}
