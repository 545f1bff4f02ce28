// Symmetric eigendecomposition A = V diag(values) V^T (one backend call: Jacobi rotations), with the
// gradients of the eigenvalues, V diag(g) V^T, and of the eigenvectors, V (F o V^T g) V^T, as recorded ops.
import { record } from '../autodiff';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { blockJacobiEigh, shapedLike, useBlockJacobi } from './block_jacobi';
import { mT, squareMatrices } from './common';

/** The eigendecomposition of a symmetric matrix: A = vectors diag(values) vectors^T. */
export interface Eigh {
  /** Eigenvalues in ascending order, (..., n). */
  values: Tensor;
  /** Orthonormal eigenvectors as columns, (..., n, n): column j belongs to values[j]. */
  vectors: Tensor;
}

/** float32's machine epsilon: values this close (relative, times their count) count as equal in F. */
const EPS32 = 2 ** -23;

/** (X + X^T) / 2 over the last two axes. */
const symmetricPart = (x: Tensor) => x.add(mT(x)).mul(0.5);

/**
 * F[i, j] = 1 / (x_j - x_i) for the entries of x (..., n) that differ by more than n eps32 max|x|, else 0:
 * (..., n, n), the factor of the eigenvector (and singular vector) gradients. The double where keeps
 * derivatives of F finite where the difference is 0. @internal
 */
export function inverseDifferences(x: Tensor): Tensor {
  const n = x.shape[x.shape.length - 1];
  const batch = x.shape.slice(0, -1);
  const diff = x.reshape([...batch, 1, n]).sub(x.reshape([...batch, n, 1]));
  const tol = x
    .abs()
    .max(-1, true)
    .mul(n * EPS32)
    .reshape([...batch, 1, 1]);
  const distinct = diff.abs().greater(tol);
  return distinct.where(distinct.where(diff, 1).reciprocal(), 0);
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices A (..., n, n). The matrix used is
 * the symmetric part (A + A^T) / 2, which is A itself for a symmetric A (NumPy reads one triangle instead;
 * the two agree on symmetric input). Each eigenvector is scaled so its largest-magnitude entry (the first
 * of equals) is positive. Batched over leading axes; a matrix containing NaN or an infinity gives all NaN,
 * and the iteration always stops (a tolerance and a sweep cap).
 *
 * Accuracy (float32, Jacobi rotations): eigenvalues within ~n eps32 ||A|| of the exact ones, eigenvectors
 * within ~n eps32 ||A|| / gap of the exact ones, gap being the distance to the nearest other eigenvalue.
 *
 * Gradients: values have V diag(g) V^T; vectors have V (F o V^T g) V^T with F[i, j] = 1 / (lambda_j -
 * lambda_i), both made symmetric. Pairs of eigenvalues within n eps32 max|lambda| of each other count as
 * repeated and their terms are left out: that is the exact gradient of any function of the eigenvectors
 * that depends only on the subspaces they span (such as a projector V_k V_k^T); other functions of
 * eigenvectors of a repeated eigenvalue have no derivative there.
 */
export function eigh(a: Tensor): Eigh {
  const op = 'linalg.eigh';
  const { batchShape, n, batch } = squareMatrices(op, a);
  const ctx = a.ctx;
  let values: Tensor;
  let vectors: Tensor;
  if (batch * n === 0) {
    values = ctx.wrap(ctx.engine.fill(0, batch * n), [...batchShape, n]);
    vectors = ctx.wrap(ctx.engine.fill(0, a.size), a.shape);
  } else if (useBlockJacobi(ctx, n, batch)) {
    [values, vectors] = shapedLike(a, blockJacobiEigh, (r) => [
      r.values.reshape([...batchShape, n]),
      r.vectors.reshape(a.shape),
    ]);
  } else {
    const r = ctx.engine.eigh(storageOf(op, ctx, a), batch, n);
    values = ctx.wrap(r.values, [...batchShape, n]);
    vectors = ctx.wrap(r.vectors, a.shape);
  }
  const V = vectors;
  record(values, [a], (g) => [V.mul(g.reshape([...batchShape, 1, n])).matmul(mT(V))]);
  record(vectors, [a], (g) => {
    const inner = inverseDifferences(values).mul(mT(V).matmul(g));
    return [symmetricPart(V.matmul(inner).matmul(mT(V)))];
  });
  return { values, vectors };
}
