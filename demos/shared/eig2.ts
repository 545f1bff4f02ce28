// Eigenvalues and eigenvectors of a symmetric 2x2 matrix (a Hessian of a function of two variables),
// with gradbox ops. A stand-in until linalg.eigh is available: the one place to swap it in.
import type { Context, Tensor } from '../../src/index';

/**
 * For symmetric H = [[a, b], [b, c]] (shape (2, 2)): `values` (2) = [larger, smaller] and `vectors`
 * (2, 2) with the matching unit eigenvectors as columns. The eigenvalues are tr/2 +- sqrt((tr/2)^2 - det),
 * computed as (a+c)/2 +- sqrt(((a-c)/2)^2 + b^2), which does not cancel; the first eigenvector is at the
 * angle atan2(2b, a - c) / 2, the second perpendicular to it.
 */
export function eigh2x2(gb: Context, H: Tensor): { values: Tensor; vectors: Tensor } {
  return gb.tidy(() => {
    const [a, b, , c] = H.reshape([4]).split(4);
    const mid = a.add(c).mul(0.5);
    const radius = a.sub(c).mul(0.5).square().add(b.square()).sqrt();
    const values = gb.concat([mid.add(radius), mid.sub(radius)]);
    const angle = b.mul(2).atan2(a.sub(c)).mul(0.5);
    const [cos, sin] = [angle.cos(), angle.sin()];
    const vectors = gb.concat([cos, sin.neg(), sin, cos]).reshape([2, 2]);
    return { values, vectors };
  });
}
