// The Moore-Penrose pseudo-inverse through the SVD, with small singular values cut off, and minimum-norm
// least squares as pinv(A) b. pinv records the closed-form derivative of Golub and Pereyra (1973), so both
// are differentiable (to any order) where the rank does not change.
import { record, untracked } from '../autodiff';
import { describe, fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import { broadcastShapes } from '../shape';
import type { Tensor } from '../tensor';
import { drop, mT } from './common';
import { matrices, svd } from './svd';

/** Options of {@link pinv} and {@link lstsq}. */
export interface PinvOptions {
  /**
   * Singular values at or below rtol * (the largest singular value) count as zero. Default
   * max(m, n) * 2^-23 (float32's epsilon), as NumPy's default for its own precision.
   */
  rtol?: number;
}

const EPS32 = 2 ** -23;

function rtolOf(op: string, options: PinvOptions, m: number, n: number): number {
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`${op}: options must be an object like { rtol: 1e-6 }, got ${describe(options)}`);
  }
  const rtol = options.rtol ?? Math.max(m, n) * EPS32;
  if (typeof rtol !== 'number' || !(rtol >= 0)) {
    throw new GradboxError(`${op}: rtol must be a number >= 0, got ${describe(options.rtol)}`);
  }
  return rtol;
}

/**
 * The pseudo-inverse A^+ (..., n, m) of A (..., m, n), as V diag(1/s) U^T from {@link svd}, where singular
 * values s <= rtol * s_max are taken as zero (their 1/s as 0). A zero matrix gives a zero matrix; NaN in A
 * gives NaN. Batched over leading axes.
 *
 * Accuracy: for A of full rank, ~cond(A) * k eps32 relative (k = min(m, n)); singular values below the
 * cutoff change the answer by design (that is what makes rank-deficient inputs well-posed).
 *
 * Gradient: the derivative of the pseudo-inverse for a fixed rank, -P dA P + P P^T dA^T (I - A P) +
 * (I - P A) dA^T P^T P with P = A^+, recorded; it is exact wherever no singular value crosses the cutoff.
 */
export function pinv(a: Tensor, options: PinvOptions = {}): Tensor {
  const op = 'linalg.pinv';
  const { batchShape, m, n } = matrices(op, a);
  const rtol = rtolOf(op, options, m, n);
  const k = Math.min(m, n);
  const ctx = a.ctx;
  const P = untracked(ctx, () => {
    if (k === 0) return ctx.zeros([...batchShape, n, m]);
    const { u, s, vt } = svd(a);
    const cutoff = s.max(-1, true).mul(rtol);
    const keep = s.greater(cutoff);
    const safe = keep.where(s, 1);
    const inv = keep.where(safe.reciprocal(), 0).reshape([...batchShape, 1, k]);
    const v = mT(vt);
    const scaled = v.mul(inv);
    const ut = mT(u);
    const out = scaled.matmul(ut);
    for (const t of [u, s, vt, cutoff, keep, safe, inv, v, scaled, ut]) t.dispose();
    return out;
  });
  record(P, [a], (g) => {
    // g (..., n, m) -> -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A), each (..., m, n).
    const Pt = mT(P);
    const gt = mT(g);
    const first = Pt.matmul(g).matmul(Pt).neg();
    const X = gt.matmul(P).matmul(Pt);
    const second = X.sub(a.matmul(P.matmul(X)));
    const Y = Pt.matmul(P).matmul(gt);
    const third = Y.sub(Y.matmul(P).matmul(a));
    return [first.add(second).add(third)];
  });
  return P;
}

/**
 * The minimum-norm least-squares solution x of A x ~ b, as NumPy's lstsq: of all x minimising |A x - b|,
 * the one of smallest norm, x = pinv(A) b with the same cutoff `rtol` for small singular values. A is
 * (..., m, n) of any shape (over- or under-determined, rank-deficient); b is (..., m, k), or (..., m) for
 * a single right-hand side (when b has one axis, or one axis less than A and matches A's shape without
 * its last axis). Batch axes broadcast. Returns x only: (..., n, k), or (..., n) for a vector b (NumPy
 * also returns residuals, rank and singular values; {@link svd} gives those). Differentiable in A and b
 * where the rank does not change.
 */
export function lstsq(a: Tensor, b: Tensor, options: PinvOptions = {}): Tensor {
  const op = 'linalg.lstsq';
  const { batchShape, m } = matrices(op, a);
  storageOf(op, a.ctx, b);
  const vector =
    b.shape.length === 1 ||
    (b.shape.length === a.shape.length - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const rows = vector ? b.shape[b.shape.length - 1] : b.shape[b.shape.length - 2];
  if (b.shape.length < 1 || rows !== m) {
    throw new GradboxError(
      `${op}: b must be (..., m, k) or (..., m) with m = ${m} rows to match A ${fmtShape(a.shape)}, got ` +
        `${fmtShape(b.shape)}; a single right-hand side is a vector with one axis less than A`,
    );
  }
  broadcastShapes(`${op} (batch axes of A and b)`, batchShape, b.shape.slice(0, vector ? -1 : -2));
  const B = vector ? b.reshape([...b.shape, 1]) : b;
  const P = pinv(a, options);
  const x = P.matmul(B);
  if (!vector) {
    drop(a.ctx, [P], [x]);
    return x;
  }
  const out = x.reshape(x.shape.slice(0, -1));
  drop(a.ctx, [P, B, x], [out]);
  return out;
}
