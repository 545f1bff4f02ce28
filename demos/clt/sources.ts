// The distributions the central-limit demo averages: skewed, discrete and bimodal ones, each with its mean,
// variance and density from gradbox's dist namespace. The bimodal mixture is built from dist.Bernoulli and a
// dist.Normal with tensor parameters, its moments by the law of total variance, all with tensor ops.
import { type Context, dist, type Tensor } from '../../src/index';

/** A distribution to draw experiments from. */
export interface Source {
  /** Draws [...shape] values with the seed (on the device). */
  sample(shape: number[], seed: number): Tensor;
  /** Its mean and variance, scalars. */
  mean(): Tensor;
  variance(): Tensor;
  /** Its density (or mass) at x. */
  density(x: Tensor): Tensor;
  /** Values on a lattice of this spacing (a discrete source), or null. */
  lattice: number | null;
  /** Where to draw its density: [lo, hi]. */
  view: [number, number];
  /** In words and in TeX. */
  tex: string;
  dispose(): void;
}

/** A source that is one distribution of gradbox. */
function single(d: dist.Distribution, lattice: number | null, view: [number, number], tex: string): Source {
  return {
    sample: (shape, seed) => d.sample(shape, { seed }),
    mean: () => d.mean,
    variance: () => d.variance,
    density: (x) => d.prob(x),
    lattice,
    view,
    tex,
    dispose: () => d.dispose(),
  };
}

/** The mixture's weight of its first component, and the components' means and standard deviations. */
const MIX = { w: 0.7, m1: -1, s1: 0.5, m2: 2.5, s2: 0.7 };

/**
 * w N(m1, s1^2) + (1 - w) N(m2, s2^2): a component picked by dist.Bernoulli(w) per draw, then one
 * dist.Normal draw with that component's parameters (tensor parameters of the draw's shape).
 */
function mixture(gb: Context): Source {
  const { w, m1, s1, m2, s2 } = MIX;
  const first = new dist.Normal(gb, { mean: m1, std: s1 });
  const second = new dist.Normal(gb, { mean: m2, std: s2 });
  const pick = new dist.Bernoulli(gb, { probs: w });
  return {
    sample(shape, seed) {
      return gb.tidy(() => {
        const c = pick.sample(shape, { seed });
        const normal = new dist.Normal(gb, { mean: c.where(m1, m2), std: c.where(s1, s2) });
        // The normals' key must not be the picks' (Philox words shared by both would correlate them).
        return normal.sample([], { seed: seed + 2 ** 50 });
      });
    },
    mean: () => gb.tidy(() => first.mean.mul(w).add(second.mean.mul(1 - w))),
    // Law of total variance: E[Var] + Var[E] = w (v1 + m1^2) + (1 - w)(v2 + m2^2) - mean^2.
    variance: () =>
      gb.tidy(() => {
        const mean = first.mean.mul(w).add(second.mean.mul(1 - w));
        const second1 = first.variance.add(first.mean.square()).mul(w);
        const second2 = second.variance.add(second.mean.square()).mul(1 - w);
        return second1.add(second2).sub(mean.square());
      }),
    density: (x) =>
      gb.tidy(() =>
        first
          .prob(x)
          .mul(w)
          .add(second.prob(x).mul(1 - w)),
      ),
    lattice: null,
    view: [-3, 5],
    tex: `${w}\\,\\mathcal N(${m1}, ${s1}^2) + ${Number((1 - w).toFixed(2))}\\,\\mathcal N(${m2}, ${s2}^2)`,
    dispose() {
      for (const d of [first, second, pick]) d.dispose();
    },
  };
}

export const SOURCES = {
  'Exponential(1)': (gb: Context) =>
    single(new dist.Exponential(gb, { rate: 1 }), null, [0, 6], '\\text{Exponential}(1)'),
  'Gamma(0.5, 1)': (gb: Context) =>
    single(new dist.Gamma(gb, { concentration: 0.5, rate: 1 }), null, [0, 4], '\\text{Gamma}(0.5, 1)'),
  'Bernoulli(0.1)': (gb: Context) =>
    single(new dist.Bernoulli(gb, { probs: 0.1 }), 1, [0, 1], '\\text{Bernoulli}(0.1)'),
  'Poisson(0.5)': (gb: Context) =>
    single(new dist.Poisson(gb, { rate: 0.5 }), 1, [0, 5], '\\text{Poisson}(0.5)'),
  'Uniform(0, 1)': (gb: Context) =>
    single(new dist.Uniform(gb, { low: 0, high: 1 }), null, [-0.2, 1.2], '\\text{Uniform}(0, 1)'),
  'LogNormal(0, 0.75)': (gb: Context) =>
    single(new dist.LogNormal(gb, { mean: 0, std: 0.75 }), null, [0, 6], '\\text{LogNormal}(0, 0.75^2)'),
  'bimodal mixture': mixture,
} satisfies Record<string, (gb: Context) => Source>;

export type SourceName = keyof typeof SOURCES;
export const SOURCE_NAMES = Object.keys(SOURCES) as SourceName[];
export { MIX };
