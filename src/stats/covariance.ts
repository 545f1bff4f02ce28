// stats.cov and stats.corrcoef: the sample covariance and correlation of the columns of x (n, d), with
// NumPy's meaning (cov(x, rowvar=False), ddof 1). Centre, then one matmul; differentiable through the ops.
import { scoped } from '../autodiff';
import { fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { checkTensor } from './common';

function observations(op: string, x: unknown): Tensor {
  const t = checkTensor(op, 'x', x);
  if (t.shape.length !== 2) {
    throw new GradboxError(
      `${op}: x must be (n, d): n observations in rows, d variables in columns; got ${fmtShape(t.shape)}` +
        (t.shape.length === 1 ? '; reshape a single variable to (n, 1)' : ''),
    );
  }
  if (t.shape[0] < 2) {
    throw new GradboxError(
      `${op}: needs at least 2 observations (rows) for the sample covariance (ddof 1), got ${t.shape[0]}`,
    );
  }
  return t;
}

/** (d, d) covariance of centred columns: xc^T xc / (n - 1). */
function covariance(x: Tensor): Tensor {
  const xc = x.sub(x.mean(0, true));
  return xc
    .transpose()
    .matmul(xc)
    .div(x.shape[0] - 1);
}

/**
 * The sample covariance matrix of the columns of x (n, d): (d, d), entry (i, j) = sum over rows of
 * (x_i - mean_i)(x_j - mean_j) / (n - 1), as NumPy's `cov(x, rowvar=False)`. Differentiable.
 */
export function cov(x: Tensor): Tensor {
  const t = observations('stats.cov', x);
  return scoped(t.ctx, () => covariance(t));
}

/**
 * The correlation matrix of the columns of x (n, d): (d, d), cov_ij / sqrt(cov_ii cov_jj), clipped to
 * [-1, 1] as NumPy's `corrcoef(x, rowvar=False)` does. A constant column gives NaN in its row and column.
 * Differentiable.
 */
export function corrcoef(x: Tensor): Tensor {
  const t = observations('stats.corrcoef', x);
  return scoped(t.ctx, () => {
    const c = covariance(t);
    const s = c.diag().sqrt();
    return c.div(s.outer(s)).clip(-1, 1);
  });
}
