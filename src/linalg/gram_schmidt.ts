// Modified Gram-Schmidt on the columns of a matrix, written with recorded tensor ops (a handful of
// dispatches per column, batched over leading axes), so its gradient comes from those ops' rules.
import { describe, fmtShape, GradboxError } from '../errors';
import { storageOf } from '../ops/inputs';
import type { Tensor } from '../tensor';
import { drop, mT } from './common';

/** Options of {@link gramSchmidt}. */
export interface GramSchmidtOptions {
  /**
   * A column whose part orthogonal to the earlier columns has a norm of at most `tol` times its own norm
   * counts as dependent and becomes a zero column. Default 8 max(m, n) 2^-23: the rounding of float32
   * (2^-23) over a column's max(m, n) products, with a margin of 8 (what is left of an exactly dependent
   * column measured below 0.5 max(m, n) 2^-23 on both backends).
   */
  tol?: number;
}

/**
 * Orthonormal columns from the columns of V (..., m, n) by modified Gram-Schmidt: column j has the
 * projections onto the orthonormal columns before it subtracted one at a time (each from what is left,
 * which is what makes it "modified" and more accurate than subtracting them all from the original), and
 * is then divided by its norm. For V of full column rank the result is Q of V's QR decomposition with
 * R's diagonal positive (linalg.qr's convention).
 *
 * Dependent columns: a column that lies in the span of the earlier ones (up to `tol`), or is zero, comes
 * out as a zero column rather than a direction made of rounding errors, and the later columns are
 * orthogonalised against the non-zero ones only. So with m < n at most m columns are non-zero, and the
 * non-zero columns are always orthonormal. Loss of orthogonality grows with V's condition number (about
 * cond(V) * 1e-7 in float32); linalg.qr (Householder) does not have that weakness.
 *
 * Differentiable (through its ops) where no column is dependent.
 */
export function gramSchmidt(v: Tensor, options: GramSchmidtOptions = {}): Tensor {
  const op = 'linalg.gramSchmidt';
  storageOf(op, v?.ctx, v);
  const rank = v.shape.length;
  if (rank < 2) {
    throw new GradboxError(
      `${op}: V must be a matrix whose columns are the vectors, or a batch of them, shape (..., m, n), got ` +
        `${fmtShape(v.shape)}; reshape one vector to a column (m, 1)`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new GradboxError(`${op}: options must be an object like { tol: 1e-6 }, got ${describe(options)}`);
  }
  const [m, n] = v.shape.slice(-2);
  const tol = options.tol ?? 8 * Math.max(m, n) * 2 ** -23;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) {
    throw new GradboxError(`${op}: tol must be a finite number >= 0, got ${describe(options.tol)}`);
  }
  const ctx = v.ctx;
  if (v.size === 0) return v.mul(1);
  const temps: Tensor[] = [];
  const t = (x: Tensor) => {
    temps.push(x);
    return x;
  };
  const lead = v.shape.slice(0, -2).map(() => 0);
  const batchShape = v.shape.slice(0, -2);
  const column = (x: Tensor, from: number, to: number) =>
    t(x.slice([...lead, 0, from], [...batchShape, m, to]));
  const norms = (x: Tensor) => t(t(t(x.square()).sum(rank - 2, true)).sqrt()); // (..., 1, cols)
  // The threshold per column: tol times its norm in V.
  const limit = t(norms(v).mul(tol));
  const qs: Tensor[] = [];
  let rest = v; // columns j.. with the projections onto q_0 .. q_{j-1} removed
  for (let j = 0; j < n; j++) {
    const c = column(rest, 0, 1);
    const norm = norms(c);
    const keep = t(norm.greater(column(limit, j, j + 1)));
    // where() twice: a dependent column divides by 1, not by ~0, so no Inf or NaN reaches the gradient.
    const q = t(keep.where(t(c.div(t(keep.where(norm, 1)))), 0));
    qs.push(q);
    if (j + 1 < n) {
      const later = column(rest, 1, n - j);
      const proj = t(t(mT(q)).matmul(later)); // (..., 1, n - j - 1)
      rest = t(later.sub(t(q.mul(proj))));
    }
  }
  const out = n === 1 ? qs[0] : ctx.concat(qs, rank - 1);
  drop(ctx, temps, [out]);
  return out;
}
