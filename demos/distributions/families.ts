// The families the distributions demo offers: which of the demo's parameters each takes, how it is built
// with gradbox's dist namespace (which checks the parameters), where bisection may look for its quantiles,
// and its density or mass function in TeX.
import { type Context, dist } from '../../src/index';
import type { Params, ParamSpec } from '../shared/params';

/** One family of the demo. */
export interface Family {
  /** The demo's param keys this family reads, in the order they are shown. */
  keys: string[];
  discrete: boolean;
  /** The distribution with the demo's params (the library throws a GradboxError for bad ones). */
  make(gb: Context, p: Params): dist.Distribution;
  /** An interval that holds every quantile the demo asks for (from 0.0005 to 0.9995). */
  bracket(p: Params): [number, number];
  /** The density or mass function in TeX, with the parameters' values. */
  tex(p: Params): string;
}

const n = (p: Params, k: string) => Number(p[k]);
/** "- v" for x - v in TeX, "+ |v|" when v is negative. */
const minus = (v: number) => (v < 0 ? `+ ${-v}` : `- ${v}`);

export const FAMILIES = {
  Normal: {
    keys: ['mean', 'std'],
    discrete: false,
    make: (gb, p) => new dist.Normal(gb, { mean: n(p, 'mean'), std: n(p, 'std') }),
    bracket: (p) => [n(p, 'mean') - 40 * n(p, 'std'), n(p, 'mean') + 40 * n(p, 'std')],
    tex: (p) =>
      `f(x) = \\frac{1}{${n(p, 'std')}\\sqrt{2\\pi}}\\, e^{-\\frac{(x ${minus(n(p, 'mean'))})^2}{2 \\cdot ${n(p, 'std')}^2}}`,
  },
  Uniform: {
    keys: ['low', 'high'],
    discrete: false,
    make: (gb, p) => new dist.Uniform(gb, { low: n(p, 'low'), high: n(p, 'high') }),
    bracket: (p) => [n(p, 'low'), n(p, 'high')],
    tex: (p) =>
      `f(x) = \\frac{1}{${n(p, 'high')} - ${n(p, 'low')}}\\ \\text{on}\\ [${n(p, 'low')}, ${n(p, 'high')})`,
  },
  Exponential: {
    keys: ['rate'],
    discrete: false,
    make: (gb, p) => new dist.Exponential(gb, { rate: n(p, 'rate') }),
    bracket: (p) => [0, 40 / n(p, 'rate')],
    tex: (p) => `f(x) = ${n(p, 'rate')}\\, e^{-${n(p, 'rate')} x},\\ x \\ge 0`,
  },
  LogNormal: {
    keys: ['mean', 'std'],
    discrete: false,
    make: (gb, p) => new dist.LogNormal(gb, { mean: n(p, 'mean'), std: n(p, 'std') }),
    bracket: (p) => [0, Math.exp(n(p, 'mean') + 40 * n(p, 'std'))],
    tex: (p) =>
      `f(x) = \\frac{1}{x \\cdot ${n(p, 'std')}\\sqrt{2\\pi}}\\, e^{-\\frac{(\\ln x ${minus(n(p, 'mean'))})^2}{2 \\cdot ${n(p, 'std')}^2}}`,
  },
  Gamma: {
    keys: ['concentration', 'rate'],
    discrete: false,
    make: (gb, p) => new dist.Gamma(gb, { concentration: n(p, 'concentration'), rate: n(p, 'rate') }),
    bracket: (p) => {
      const [a, r] = [n(p, 'concentration'), n(p, 'rate')];
      return [0, (a + 40 * Math.sqrt(a) + 40) / r];
    },
    tex: (p) =>
      `f(x) = \\frac{${n(p, 'rate')}^{${n(p, 'concentration')}}}{\\Gamma(${n(p, 'concentration')})}\\, x^{${n(p, 'concentration')} - 1} e^{-${n(p, 'rate')} x}`,
  },
  ChiSquare: {
    keys: ['df'],
    discrete: false,
    make: (gb, p) => new dist.ChiSquare(gb, { df: n(p, 'df') }),
    bracket: (p) => [0, n(p, 'df') + 40 * Math.sqrt(2 * n(p, 'df')) + 60],
    tex: (p) =>
      `f(x) = \\frac{x^{${n(p, 'df')}/2 - 1} e^{-x/2}}{2^{${n(p, 'df')}/2}\\,\\Gamma(${n(p, 'df')}/2)}`,
  },
  Beta: {
    keys: ['alpha', 'beta'],
    discrete: false,
    make: (gb, p) => new dist.Beta(gb, { alpha: n(p, 'alpha'), beta: n(p, 'beta') }),
    bracket: () => [0, 1],
    tex: (p) =>
      `f(x) = \\frac{x^{${n(p, 'alpha')} - 1} (1 - x)^{${n(p, 'beta')} - 1}}{B(${n(p, 'alpha')}, ${n(p, 'beta')})}`,
  },
  StudentT: {
    keys: ['df', 'loc', 'scale'],
    discrete: false,
    make: (gb, p) => new dist.StudentT(gb, { df: n(p, 'df'), loc: n(p, 'loc'), scale: n(p, 'scale') }),
    // The 0.9995 quantile of t with 1 degree of freedom (Cauchy) is about 637.
    bracket: (p) => [n(p, 'loc') - 1000 * n(p, 'scale'), n(p, 'loc') + 1000 * n(p, 'scale')],
    tex: (p) =>
      `f(x) \\propto \\Big(1 + \\frac{1}{${n(p, 'df')}} \\big(\\tfrac{x ${minus(n(p, 'loc'))}}{${n(p, 'scale')}}\\big)^2\\Big)^{-\\frac{${n(p, 'df')} + 1}{2}}`,
  },
  Bernoulli: {
    keys: ['probs'],
    discrete: true,
    make: (gb, p) => new dist.Bernoulli(gb, { probs: n(p, 'probs') }),
    bracket: () => [-1, 2],
    tex: (p) => `P(X = 1) = ${n(p, 'probs')},\\ P(X = 0) = 1 - ${n(p, 'probs')}`,
  },
  Binomial: {
    keys: ['count', 'probs'],
    discrete: true,
    make: (gb, p) => new dist.Binomial(gb, { count: n(p, 'count'), probs: n(p, 'probs') }),
    bracket: (p) => [-1, n(p, 'count') + 1],
    tex: (p) =>
      `P(X = k) = \\binom{${n(p, 'count')}}{k} ${n(p, 'probs')}^k (1 - ${n(p, 'probs')})^{${n(p, 'count')} - k}`,
  },
  Geometric: {
    keys: ['probs'],
    discrete: true,
    make: (gb, p) => new dist.Geometric(gb, { probs: n(p, 'probs') }),
    bracket: (p) => [0, Math.ceil(20 / n(p, 'probs')) + 10],
    tex: (p) => `P(X = k) = (1 - ${n(p, 'probs')})^{k - 1} \\cdot ${n(p, 'probs')},\\ k = 1, 2, \\dots`,
  },
  Poisson: {
    keys: ['poissonRate'],
    discrete: true,
    make: (gb, p) => new dist.Poisson(gb, { rate: n(p, 'poissonRate') }),
    bracket: (p) => [-1, n(p, 'poissonRate') + 40 * Math.sqrt(n(p, 'poissonRate')) + 40],
    tex: (p) => `P(X = k) = \\frac{${n(p, 'poissonRate')}^k e^{-${n(p, 'poissonRate')}}}{k!}`,
  },
} satisfies Record<string, Family>;

/** A family's name, as in gradbox's dist namespace. */
export type FamilyName = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

/** Shown only under the families that take it. */
const under = (key: string) => (p: Params) => FAMILIES[p.family as FamilyName]?.keys.includes(key) ?? false;

/** A number param of the families, shown only under those that take it. */
function param(key: string, def: number, min: number, max: number, step: number, label = key): ParamSpec {
  return {
    key,
    kind: 'number',
    default: def,
    min,
    max,
    step,
    label,
    folder: 'parameters',
    showIf: under(key),
  };
}

/**
 * The families' parameters. Lower bounds are the slider's, not the library's: std, rate, alpha ... may be
 * set to 0, and the library's own check then explains why that is not a distribution.
 */
export const FAMILY_PARAMS: ParamSpec[] = [
  param('mean', 0, -5, 5, 0.1),
  param('std', 1, 0, 5, 0.01),
  param('low', 0, -5, 5, 0.1),
  param('high', 1, -5, 5, 0.1),
  param('rate', 1, 0, 5, 0.01),
  param('concentration', 2, 0, 20, 0.05),
  param('alpha', 2, 0, 20, 0.05),
  param('beta', 5, 0, 20, 0.05),
  param('df', 5, 0, 60, 0.5),
  param('loc', 0, -5, 5, 0.1),
  param('scale', 1, 0, 5, 0.01),
  param('probs', 0.3, 0, 1, 0.01),
  { ...param('count', 20, 0, 200, 1), kind: 'int' },
  param('poissonRate', 4, 0, 50, 0.1, 'rate'),
];
