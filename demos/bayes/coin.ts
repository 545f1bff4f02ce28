// A coin's bias learned from flips, as gradbox computes it: a Beta(a, b) prior, flips drawn by dist.Bernoulli
// with a seed, and after j flips with H_j heads the posterior Beta(a + H_j, b + j - H_j) (conjugacy), its mean,
// standard deviation, mode (MAP) and central credible interval; the interval's ends by bisection on
// dist.Beta.cdf, since gradbox's Beta has no icdf.
import { type Context, dist, type Tensor } from '../../src/index';
import { quantiles } from '../shared/probability';

/** The posterior's numbers after each of a run of flips, shapes (k) (the interval's ends (2, k)). */
export interface PosteriorPath {
  mean: Tensor;
  sd: Tensor;
  interval: Tensor;
}

/**
 * Flips j = from + 1 .. from + k of the one sequence the seed fixes: dist.Bernoulli(bias).sample draws
 * element i of a sample from its own Philox counter, so the first `from + k` flips hold the first `from`
 * ones, and flipping 10 at once or one at a time gives the same sequence. Shape (k), values 0 or 1.
 */
export function flipsOf(gb: Context, bias: number, seed: number, from: number, k: number): Tensor {
  const coin = new dist.Bernoulli(gb, { probs: bias });
  return coin.sample([from + k], { seed }).slice([from], [from + k]);
}

/**
 * The posteriors Beta(a + H_j, b + j - H_j) for the given numbers of flips j and heads H_j (tensors of the
 * same shape): their mean, sd and central interval of probability `level`.
 */
export function posteriorPath(
  gb: Context,
  prior: [number, number],
  flips: Tensor,
  heads: Tensor,
  level: number,
): PosteriorPath {
  const post = new dist.Beta(gb, { alpha: heads.add(prior[0]), beta: flips.sub(heads).add(prior[1]) });
  const tail = (1 - level) / 2;
  return {
    mean: post.mean,
    sd: post.stddev,
    interval: quantiles(gb, post, [tail, 1 - tail], [0, 1]).values,
  };
}

/**
 * The mode of Beta(alpha, beta), the MAP estimate: (alpha - 1) / (alpha + beta - 2) when both exceed 1; at 0 or
 * 1 when only one does (the density is largest at that end); NaN when neither does (two modes, or a flat
 * density) — as tensor ops on the parameters.
 */
export function betaMode(alpha: Tensor, beta: Tensor): Tensor {
  const inner = alpha.sub(1).div(alpha.add(beta).sub(2));
  const aUp = alpha.greater(1);
  const bUp = beta.greater(1);
  return aUp.mul(bUp).where(inner, bUp.where(0, aUp.where(1, Number.NaN)));
}
