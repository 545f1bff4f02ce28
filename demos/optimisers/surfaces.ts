// The loss surfaces the optimisers race on, each a function of many 2-D points at once: points (N, 2) in,
// values (N) out, written with gradbox ops so that grad and hessian apply. No DOM: tests import it too.
import { type Context, seededRandom, type Tensor } from '../../src/index';
import { gaussian } from '../shared/draw';

/** Himmelblau's four minima (where both squares vanish), to six decimals. */
export const HIMMELBLAU_MINIMA: [number, number][] = [
  [3, 2],
  [-2.805118, 3.131312],
  [-3.77931, -3.283186],
  [3.584428, -1.848126],
];

/** What a surface is, besides its values: where to look, where to start, how to draw it. */
export interface SurfaceInfo {
  label: string;
  /** The definition, as TeX. */
  tex: string;
  /** The window drawn: [x0, x1, y0, y1]. */
  range: [number, number, number, number];
  /** Colours, contours, heights and the loss chart on a log scale (for values spanning decades). */
  log: boolean;
  /** Where the race starts until the learner clicks elsewhere. */
  start: [number, number];
  /** Known minima (drawn as crosses), where the surface has closed-form ones. */
  minima: [number, number][];
  /** Learning rates that show each optimiser's character here (set when the surface is picked). */
  lr: Record<'gd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam' | 'newton', number>;
}

/** What the quadratic bowl's shape depends on: its condition number and the angle of its axes (degrees). */
interface BowlShape {
  kappa: number;
  angle: number;
}

/** A surface's definition: its SurfaceInfo and how to build its function on a context. */
interface SurfaceSpec extends SurfaceInfo {
  /** Builds f: points (N, 2) to values (N); tensors the surface owns go through `keep` (freed by dispose). */
  build(gb: Context, keep: (t: Tensor) => Tensor, bowl: BowlShape): (p: Tensor) => Tensor;
}

/** Learning rates: Nesterov shares momentum's, and Newton takes the full step. */
const rates = (gd: number, momentum: number, rmsprop: number, adam: number): SurfaceInfo['lr'] => ({
  gd,
  momentum,
  nesterov: momentum,
  rmsprop,
  adam,
  newton: 1,
});

/** Columns x and y of points (N, 2), each (N). */
function xy(p: Tensor): [Tensor, Tensor] {
  const [x, y] = p.split(2, 1);
  return [x.reshape([-1]), y.reshape([-1])];
}

/** A surface written in x and y: its build reads the columns of the points and owns no data. */
const inXY = (f: (x: Tensor, y: Tensor) => Tensor) => () => (p: Tensor) => f(...xy(p));

/** The surfaces, in the order the picker lists them. */
const SURFACE_SPECS = {
  quadratic: {
    label: 'quadratic bowl',
    tex: 'f(p) = \\tfrac12\\, p^\\top R_\\theta \\begin{pmatrix}1&0\\\\0&\\kappa\\end{pmatrix} R_\\theta^\\top p',
    range: [-3, 3, -3, 3],
    log: false,
    start: [-2.5, 2],
    minima: [[0, 0]],
    lr: rates(0.09, 0.03, 0.05, 0.1),
    build: (gb, keep, { kappa, angle }) => {
      const A = keep(gb.tensor(quadraticMatrix(kappa, angle), [2, 2]));
      return (p) => p.matmul(A).mul(p).sum(1).mul(0.5);
    },
  },
  rosenbrock: {
    label: 'Rosenbrock',
    tex: 'f(x, y) = (1 - x)^2 + 100\\,(y - x^2)^2',
    range: [-2, 2, -1, 3],
    log: true,
    start: [-1.2, 1],
    minima: [[1, 1]],
    lr: rates(0.001, 0.0003, 0.005, 0.05),
    build: inXY((x, y) => x.neg().add(1).square().add(y.sub(x.square()).square().mul(100))),
  },
  himmelblau: {
    label: 'Himmelblau (four minima)',
    tex: 'f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    range: [-5, 5, -5, 5],
    log: true,
    start: [-4, 0.5],
    minima: HIMMELBLAU_MINIMA,
    lr: rates(0.01, 0.002, 0.05, 0.1),
    build: inXY((x, y) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square())),
  },
  rastrigin: {
    label: 'Rastrigin (many local minima)',
    tex: 'f(x, y) = 20 + \\textstyle\\sum_{u \\in \\{x, y\\}} \\left(u^2 - 10 \\cos 2\\pi u\\right)',
    range: [-4, 4, -4, 4],
    log: false,
    start: [3.2, 2.6],
    minima: [[0, 0]],
    lr: rates(0.002, 0.0005, 0.02, 0.1),
    build: () => (p) =>
      p
        .square()
        .sub(
          p
            .mul(2 * Math.PI)
            .cos()
            .mul(10),
        )
        .sum(1)
        .add(20),
  },
  saddle: {
    label: 'saddle',
    tex: 'f(x, y) = x^2 - y^2',
    range: [-2, 2, -2, 2],
    log: false,
    start: [-1.8, 0.05],
    minima: [],
    lr: rates(0.05, 0.01, 0.02, 0.03),
    build: inXY((x, y) => x.square().sub(y.square())),
  },
  beale: {
    label: 'Beale',
    tex: 'f(x, y) = \\textstyle\\sum_{k=1}^{3} \\left(c_k - x + x y^k\\right)^2,\\ c = (1.5, 2.25, 2.625)',
    range: [-4.5, 4.5, -4.5, 4.5],
    log: true,
    start: [1, 1.5],
    minima: [[3, 0.5]],
    lr: rates(0.001, 0.0003, 0.01, 0.05),
    build: inXY((x, y) => {
      const term = (c: number, k: number) => x.mul(y.pow(k)).sub(x).add(c).square();
      return term(1.5, 1).add(term(2.25, 2)).add(term(2.625, 3));
    }),
  },
  logistic: {
    label: 'logistic regression (convex)',
    tex: 'f(w) = \\tfrac1n \\textstyle\\sum_i \\log\\left(1 + e^{-t_i\\, w^\\top x_i}\\right),\\ n = 40',
    range: [-4, 4, -4, 4],
    log: false,
    start: [2, -2],
    minima: [],
    lr: rates(1, 0.3, 0.05, 0.1),
    build: (gb, keep) => {
      // Two overlapping clouds, labels t = +-1: the loss has one minimum at a finite w.
      const rand = seededRandom(7);
      const X: number[] = [];
      const t: number[] = [];
      for (let i = 0; i < 40; i++) {
        const label = i % 2 ? 1 : -1;
        X.push(label * 0.8 + gaussian(rand), label * -0.5 + gaussian(rand));
        t.push(label);
      }
      // (2, n) with each column x_i scaled by -t_i, so that the margin term is p @ this.
      const signedX = keep(
        gb
          .tensor(X, [40, 2])
          .mul(gb.tensor(t, [40, 1]).neg())
          .transpose(),
      );
      return (p) => p.matmul(signedX).softplus().mean(1);
    },
  },
  'neural-net': {
    label: 'a slice through a neural net (non-convex)',
    tex:
      'f(\\alpha, \\beta) = \\tfrac1n \\textstyle\\sum_i \\left(\\mathrm{net}_{\\theta_0 + \\alpha d_1 + \\beta d_2}(x_i) - y_i\\right)^2,' +
      '\\ \\mathrm{net}_\\theta(x) = w_2^\\top \\tanh(w_1 x + b_1) + b_2',
    range: [-3, 3, -3, 3],
    log: false,
    start: [2, -2],
    minima: [],
    lr: rates(0.05, 0.01, 0.02, 0.05),
    build: (gb, keep) => {
      // A 1-4-1 tanh net (13 parameters) fitting sin(2x); the surface is the plane through its seeded
      // initial parameters theta0 spanned by two seeded random directions d1, d2.
      const rand = seededRandom(11);
      const normal = () => gaussian(rand);
      const n = 24;
      const xs = Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
      const theta0 = Array.from({ length: 13 }, normal);
      const dirs = [0, 1].map(() => Array.from({ length: 13 }, normal));
      const xData = keep(gb.tensor(xs, [1, n, 1])); // (1, n, 1): broadcasts over points and units
      const yData = keep(
        gb.tensor(
          xs.map((x) => Math.sin(2 * x)),
          [1, n],
        ),
      );
      const base = keep(gb.tensor(theta0, [1, 13]));
      const D = keep(gb.tensor([...dirs[0], ...dirs[1]], [2, 13]));
      return (p) => {
        const theta = p.matmul(D).add(base); // (N, 13)
        const [w1, b1, w2, b2] = theta.split([4, 4, 4, 1], 1);
        const unit = (t: Tensor) => t.reshape([-1, 1, 4]); // (N, 1, 4)
        const hidden = xData.mul(unit(w1)).add(unit(b1)).tanh(); // (N, n, 4)
        const out = hidden.mul(unit(w2)).sum(2).add(b2); // (N, n)
        return out.sub(yData).square().mean(1);
      };
    },
  },
} satisfies Record<string, SurfaceSpec>;

/** A surface's name. */
export type SurfaceName = keyof typeof SURFACE_SPECS;

/** The surfaces' names, in the order the picker lists them. */
export const SURFACES = Object.keys(SURFACE_SPECS) as SurfaceName[];

/** Each surface's SurfaceInfo. */
export const SURFACE_INFO: Record<SurfaceName, SurfaceInfo> = SURFACE_SPECS;

/** A surface live on a context: `f` maps points (N, 2) to values (N); `dispose` frees its data. */
export interface LiveSurface extends SurfaceInfo {
  name: SurfaceName;
  f: (p: Tensor) => Tensor;
  dispose(): void;
}

/** The quadratic bowl's matrix R diag(1, kappa) R^T, row-major (the Hessian everywhere). */
export function quadraticMatrix(kappa: number, angleDeg: number): number[] {
  const t = (angleDeg * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  const off = c * s * (1 - kappa);
  return [c * c + kappa * s * s, off, off, s * s + kappa * c * c];
}

/**
 * Builds `name` on `gb`. `kappa` (condition number) and `angle` (degrees) shape the quadratic bowl;
 * the data of the logistic and neural-net surfaces are drawn from fixed seeds.
 */
export function makeSurface(gb: Context, name: SurfaceName, kappa = 10, angle = 30): LiveSurface {
  const spec: SurfaceSpec = SURFACE_SPECS[name];
  const { build, ...info } = spec;
  const owned: Tensor[] = [];
  const keep = (t: Tensor) => {
    owned.push(t);
    return t;
  };
  return {
    ...info,
    name,
    f: build(gb, keep, { kappa, angle }),
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}
