// The linalg namespace: functions of matrices (most of them square) batched over leading axes, float32 on the
// context's backend. Each module holds a family's meaning, validation and gradient rules; the kernels are
// Backend methods (cholesky, triangularSolve, lu, eigh, svd) with CPU twins in src/backends/cpu/.
import type { Tensor } from '../tensor';
import { diagonal, drop, squareMatrices } from './common';

export { cholesky } from './cholesky';
export { eigh, type Eigh } from './eigh';
export { lstsq, pinv, type PinvOptions } from './pinv';
export { svd, type Svd } from './svd';
export { det, inv, slogdet, solve } from './lu';
export { gramSchmidt, type GramSchmidtOptions } from './gram_schmidt';
export { matrixPower } from './matrix_power';
export { powerIteration, type PowerIterationOptions, type PowerIterationResult } from './power_iteration';
export { qr, type QrResult } from './qr';
export { triangularSolve, type TriangularSolveOptions } from './triangular';

/** Sums of the main diagonals of A (..., n, n) -> (...). Gradient g I. */
export function trace(a: Tensor): Tensor {
  const op = 'linalg.trace';
  squareMatrices(op, a);
  const d = diagonal(op, a);
  const out = d.sum(-1);
  drop(a.ctx, [d]);
  return out;
}
