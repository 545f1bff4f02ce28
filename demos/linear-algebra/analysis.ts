// Everything the transformation view shows about a 2x2 matrix A, computed by gradbox on its backend: the
// determinant and trace, the eigenvalues from the characteristic polynomial (real or a complex pair), the
// eigenvectors, the inverse and a solve, and the images of the grid, circle and picture. Host code only
// reads the results (one readback) and draws them.
import { type Context, linalg, type Tensor } from '../../src/index';

/** The matrix as the demo holds it: A = [[a, b], [c, d]], columns A e1 = (a, c) and A e2 = (b, d). */
export type Entries = [a: number, b: number, c: number, d: number];

/** Where each shape's points sit in the geometry tensor (rows of (x, y)). */
export interface GeometryLayout {
  gridLines: [number, number]; // first row, count: pairs of endpoints
  circle: [number, number];
  picture: [number, number];
  square: [number, number];
}

/** The untransformed shapes: grid lines (as endpoint pairs), the unit circle, the letter F, the unit square. */
export function baseGeometry(gridExtent: number): { points: number[][]; layout: GeometryLayout } {
  const points: number[][] = [];
  const span = (push: () => void): [number, number] => {
    const start = points.length;
    push();
    return [start, points.length - start];
  };
  const gridLines = span(() => {
    for (let i = -gridExtent; i <= gridExtent; i++) {
      points.push([i, -gridExtent], [i, gridExtent], [-gridExtent, i], [gridExtent, i]);
    }
  });
  const circle = span(() => {
    for (let k = 0; k <= 72; k++) points.push([Math.cos((k * Math.PI) / 36), Math.sin((k * Math.PI) / 36)]);
  });
  // An F: no symmetry, so a reflection shows (it reads backwards).
  const picture = span(() => {
    const f = [
      [0, 0],
      [0.3, 0],
      [0.3, 0.6],
      [0.8, 0.6],
      [0.8, 0.9],
      [0.3, 0.9],
      [0.3, 1.2],
      [1, 1.2],
      [1, 1.5],
      [0, 1.5],
    ];
    for (const [x, y] of f) points.push([x + 0.35, y + 0.25]);
  });
  const square = span(() => points.push([0, 0], [1, 0], [1, 1], [0, 1]));
  return { points, layout: { gridLines, circle, picture, square } };
}

/**
 * The characteristic polynomial's roots and what follows from them, as tensors:
 * lambda = tr/2 +- sqrt(tr^2/4 - det). When the discriminant is negative the pair is complex,
 * re +- i im with im = sqrt(det - tr^2/4), and A turns the plane by theta = acos(re / r) while scaling
 * by r = sqrt(det) (in a basis where it is a rotation-scaling).
 */
export function eigen2x2(gb: Context, A: Tensor) {
  const tr = linalg.trace(A);
  const det = linalg.det(A);
  const half = tr.mul(0.5);
  const disc = half.square().sub(det);
  const root = disc.abs().sqrt();
  // Real case: lambda1 >= lambda2.
  const lambda = gb.stack([half.add(root), half.sub(root)]);
  // An eigenvector of lambda spans the null space of M = A - lambda I: each row (p, q) of M is orthogonal
  // to (-q, p); the longer of the two candidates is the better conditioned one.
  const M = A.expandDims(0).sub(lambda.reshape([2, 1, 1]).mul(gb.eye(2))); // (2, 2, 2)
  const turn = gb.tensor([
    [0, 1],
    [-1, 0],
  ]); // (p, q) @ turn = (-q, p)
  const c0 = M.slice([null, 0], [null, 1]).reshape([2, 2]).matmul(turn);
  const c1 = M.slice([null, 1], [null, 2]).reshape([2, 2]).matmul(turn);
  const n0 = c0.norm(2, -1, true);
  const n1 = c1.norm(2, -1, true);
  const longest = n0.maximum(n1);
  const picked = gb.where(n0.greaterEqual(n1), c0, c1).div(longest.maximum(1e-30));
  // M = 0 (A = lambda I): every vector is an eigenvector; show the axes.
  const scale = A.abs().max().add(1e-30);
  const vectors = gb.where(longest.greater(scale.mul(1e-6)), picked, gb.eye(2)); // rows: v1, v2
  const r = det.maximum(0).sqrt();
  const theta = half.div(r.maximum(1e-30)).clip(-1, 1).acos();
  return { tr, det, disc, re: half, im: root, lambda, vectors, r, theta };
}
