// Nonlinear maps of the plane whose Jacobians the calculus demo draws: each maps points (N, 2) to (N, 2)
// with gradbox ops, over a domain window, with an image window to draw it in. No DOM.
import type { Context, Tensor } from '../../src/index';
import type { Range } from '../shared/field';

export const MAPS = ['polar', 'square', 'warp'] as const;
export type MapName = (typeof MAPS)[number];

export interface PlaneMapInfo {
  label: string;
  /** Names of the domain's coordinates. */
  vars: [string, string];
  /** The map as TeX. */
  tex: string;
  domain: Range;
  image: Range;
  /** Where the cursor starts. */
  cursor: [number, number];
  F: (gb: Context, p: Tensor) => Tensor;
}

const columns = (p: Tensor): [Tensor, Tensor] => {
  const [a, b] = p.split(2, 1);
  return [a, b];
};
/** Two columns (N, 1) side by side: (N, 2). */
const pair = (gb: Context, a: Tensor, b: Tensor): Tensor => gb.concat([a, b], 1);

export const PLANE_MAPS: Record<MapName, PlaneMapInfo> = {
  polar: {
    label: 'polar coordinates',
    vars: ['r', 'θ'],
    tex: 'F(r, \\theta) = (r\\cos\\theta,\\ r\\sin\\theta)',
    domain: [0, 2, 0, 2 * Math.PI],
    image: [-2.2, 2.2, -2.2, 2.2],
    cursor: [1.5, 0.8],
    F: (gb, p) => {
      const [r, t] = columns(p);
      return pair(gb, r.mul(t.cos()), r.mul(t.sin()));
    },
  },
  square: {
    label: 'the complex square z²',
    vars: ['x', 'y'],
    tex: 'F(x, y) = (x^2 - y^2,\\ 2xy)',
    domain: [-1.5, 1.5, -1.5, 1.5],
    image: [-2.4, 2.4, -2.4, 2.4],
    cursor: [0.9, 0.5],
    F: (gb, p) => {
      const [x, y] = columns(p);
      return pair(gb, x.square().sub(y.square()), x.mul(y).mul(2));
    },
  },
  warp: {
    label: 'a sine warp',
    vars: ['x', 'y'],
    tex: 'F(x, y) = (x + 0.4\\sin 2y,\\ y + 0.4\\sin 2x)',
    domain: [-2, 2, -2, 2],
    image: [-2.5, 2.5, -2.5, 2.5],
    cursor: [0.4, -0.6],
    F: (gb, p) => {
      const [x, y] = columns(p);
      return pair(gb, x.add(y.mul(2).sin().mul(0.4)), y.add(x.mul(2).sin().mul(0.4)));
    },
  },
};
