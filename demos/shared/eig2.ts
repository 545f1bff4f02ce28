// Eigenvalues and eigenvectors of a symmetric 2x2 matrix (a Hessian of a function of two variables),
// by the library's linalg.eigh, ordered as the demos draw them: the larger curvature first.
import { type Context, linalg, type Tensor } from '../../src/index';

/**
 * For symmetric H (shape (2, 2)): `values` (2) = [larger, smaller] and `vectors` (2, 2) with the matching
 * unit eigenvectors as columns (linalg.eigh's ascending order, flipped).
 */
export function eigh2x2(gb: Context, H: Tensor): { values: Tensor; vectors: Tensor } {
  return gb.tidy(() => {
    const { values, vectors } = linalg.eigh(H);
    return { values: values.flip(0), vectors: vectors.flip(1) };
  });
}
