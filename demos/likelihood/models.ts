// The likelihood demo's two models and their data, both real and shipped with the demo: a normal for the
// heights of Galton's 928 adult children (1886), and a Poisson rate for von Bortkiewicz's deaths by horse
// kicks in the Prussian army (1898). Each model says how its natural parameters map to the unconstrained
// ones that gradient ascent moves, and gives its log-probability of the data with gradbox's dist.
import { type Context, dist, type Tensor } from '../../src/index';
import heights from './data/heights.json';
import kicks from './data/horsekicks.json';

export const MODELS = ['normal', 'poisson'] as const;
export type ModelName = (typeof MODELS)[number];

/** A model of i.i.d. observations with a log-likelihood that gradbox can differentiate. */
export interface Model {
  name: ModelName;
  /** What the data are, for captions. */
  dataName: string;
  unit: string;
  /** Every observation in the shipped file, in its order. */
  data: readonly number[];
  /** The natural parameters' names, as TeX. */
  paramTex: string[];
  /** The natural parameters' names, for state() and the URL. */
  paramNames: string[];
  /** Natural parameters -> the unconstrained ones the optimiser moves (log of a scale or a rate). */
  toFree(natural: number[]): number[];
  /** The natural parameters as tensors from the free ones (recorded, so gradients flow through). */
  fromFree(free: Tensor[]): Tensor[];
  /** log p(x | natural params), one value per element of x broadcast against the parameters. */
  logProb(gb: Context, natural: Tensor[], x: Tensor): Tensor;
  /** The wide window the ascent runs in, per natural parameter: [low, high]. */
  window: [number, number][];
}

const normal: Model = {
  name: 'normal',
  dataName: "Galton's heights of 928 adult children (1886)",
  unit: 'inches',
  data: heights.values,
  paramTex: ['\\mu', '\\sigma'],
  paramNames: ['mu', 'sigma'],
  toFree: ([mu, sigma]) => [mu, Math.log(sigma)],
  fromFree: ([mu, logSigma]) => [mu, logSigma.exp()],
  logProb: (gb, [mu, sigma], x) => new dist.Normal(gb, { mean: mu, std: sigma }).logProb(x),
  window: [
    [58, 78],
    [0.5, 8],
  ],
};

const poisson: Model = {
  name: 'poisson',
  dataName: 'deaths by horse kicks in 10 Prussian corps over 20 years (von Bortkiewicz, 1898)',
  unit: 'deaths per corps-year',
  data: kicks.values,
  paramTex: ['\\lambda'],
  paramNames: ['rate'],
  toFree: ([rate]) => [Math.log(rate)],
  fromFree: ([logRate]) => [logRate.exp()],
  logProb: (gb, [rate], x) => new dist.Poisson(gb, { rate }).logProb(x),
  window: [[0.05, 3]],
};

export const MODEL: Record<ModelName, Model> = { normal, poisson };

/**
 * The n observations the demo fits: all of them, or n spread evenly through the file (index floor((i + 1/2)
 * N / n)). Galton's file is sorted by height, so an even spread keeps the sample's shape where the first n
 * would not.
 */
export function observations(model: Model, n: number): number[] {
  const all = model.data;
  const m = Math.min(n, all.length);
  return Array.from({ length: m }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / m)]);
}
