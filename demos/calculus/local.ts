// What the calculus demo computes with gradbox: a function's local model at a point (value, gradient,
// Hessian and its eigen-decomposition, the tangent plane and the second-order Taylor polynomial), the
// Jacobian of a 2-D map, and Newton-Raphson steps in one and two dimensions. No DOM.
import { type Context, linalg, type Tensor } from '../../src/index';
import { eigh2x2 } from '../shared/eig2';

/** A function of many points (N, 2) -> (N). */
export type Field = (p: Tensor) => Tensor;
/** A map of many points (N, 2) -> (N, 2). */
export type PlaneMap = (p: Tensor) => Tensor;

/** f as a function of one point (2) -> scalar, for grad and hessian. */
const atPoint = (f: Field) => (q: Tensor) => f(q.reshape([1, 2])).sum();

/** The local model at p0, read back in one go. */
export interface LocalModel {
  f: number;
  grad: [number, number];
  /** Row-major 2x2. */
  hessian: number[];
  /** Larger first. */
  eigenvalues: [number, number];
  /** Row-major 2x2, eigenvectors as columns. */
  eigenvectors: number[];
}

export async function localModel(gb: Context, f: Field, p0: [number, number]): Promise<LocalModel> {
  const all = gb.tidy(() => {
    const q = gb.tensor(p0);
    const [value, [g]] = gb.valueAndGrad(atPoint(f))(q);
    const H = gb.hessian(atPoint(f))(q);
    const { values, vectors } = eigh2x2(gb, H);
    return gb.concat([value.reshape([1]), g, H.reshape([4]), values, vectors.reshape([4])]);
  });
  const d = Array.from(await all.data());
  all.dispose();
  return {
    f: d[0],
    grad: [d[1], d[2]],
    hessian: d.slice(3, 7),
    eigenvalues: [d[7], d[8]],
    eigenvectors: d.slice(9, 13),
  };
}

/**
 * f, its tangent plane T1 and its second-order Taylor polynomial T2 about p0, at the points p0 + d for
 * each offset d (K, 2): (K, 3) columns [f, T1, T2], all computed with gradbox ops.
 */
export function taylorAt(
  gb: Context,
  f: Field,
  m: LocalModel,
  p0: [number, number],
  offsets: Tensor,
): Tensor {
  return gb.tidy(() => {
    const g = gb.tensor(m.grad, [2, 1]);
    const H = gb.tensor(m.hessian, [2, 2]);
    const exact = f(offsets.add(gb.tensor([p0])));
    const t1 = offsets.matmul(g).reshape([-1]).add(m.f);
    const t2 = t1.add(offsets.matmul(H).mul(offsets).sum(1).mul(0.5));
    return gb.stack([exact, t1, t2], 1);
  });
}

/** The Jacobian (2, 2) of F at c (gb.jacobian), its determinant (linalg.det) and F(c), read back. */
export async function jacobianAt(
  gb: Context,
  F: PlaneMap,
  c: [number, number],
): Promise<{ value: [number, number]; jacobian: number[]; det: number }> {
  const all = gb.tidy(() => {
    const q = gb.tensor(c);
    const one = (p: Tensor) => F(p.reshape([1, 2])).reshape([2]);
    const J = gb.jacobian(one)(q);
    return gb.concat([one(q), J.reshape([4]), linalg.det(J).reshape([1])]);
  });
  const d = Array.from(await all.data());
  all.dispose();
  return { value: [d[0], d[1]], jacobian: d.slice(2, 6), det: d[6] };
}

/**
 * One Newton-Raphson step for g(x) = 0: x - g(x) / g'(x), with g' from gb.grad. Returns the next x, g and g'
 * at x, and g at the next x.
 */
export async function newton1d(
  gb: Context,
  g: (x: Tensor) => Tensor,
  x: number,
): Promise<{ next: number; value: number; slope: number; nextValue: number }> {
  const out = gb.tidy(() => {
    const at = gb.tensor([x]);
    const [value, [slope]] = gb.valueAndGrad((t: Tensor) => g(t).sum())(at);
    const next = at.sub(value.div(slope));
    return gb.concat([next, value.reshape([1]), slope, g(next)]);
  });
  const d = await out.data();
  out.dispose();
  return { next: d[0], value: d[1], slope: d[2], nextValue: d[3] };
}

/**
 * One Newton-Raphson step for F(p) = 0 in the plane: p - J^-1 F(p), with J from gb.jacobian and the system
 * solved by linalg.solve. Returns the next point, F(p) and F at the next point.
 */
export async function newton2d(
  gb: Context,
  F: PlaneMap,
  p: [number, number],
): Promise<{ next: [number, number]; value: [number, number]; nextValue: [number, number] }> {
  const out = gb.tidy(() => {
    const q = gb.tensor(p);
    const one = (t: Tensor) => F(t.reshape([1, 2])).reshape([2]);
    const value = one(q);
    const J = gb.jacobian(one)(q);
    const next = q.sub(linalg.solve(J, value));
    return gb.concat([next, value, one(next)]);
  });
  const d = await out.data();
  out.dispose();
  return { next: [d[0], d[1]], value: [d[2], d[3]], nextValue: [d[4], d[5]] };
}
