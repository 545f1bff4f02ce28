// Discrete distributions: Bernoulli and Geometric (exact transforms of Philox uniforms), Binomial and Poisson
// (Hormann's BTRS and PTRS, inversion for small means), Categorical (a binary search of its cdf) and
// Multinomial (conditional binomials). Values are float32 integers.
import { scoped } from '../autodiff';
import type { Context } from '../context';
import { GradboxError } from '../errors';
import type { ShapeLike } from '../ops/creation';
import type { TensorLike } from '../ops/inputs';
import { betaI, gammaQ, xlogy } from '../ops/special';
import * as scalar from '../special/scalar';
import { Tensor } from '../tensor';
import { Distribution, Draws, drawing, type SampleOptions } from './base';
import { inSupport } from './continuous';
import * as P from './param';
import {
  batchShapeOf,
  checkParam,
  COUNT,
  FINITE,
  NON_NEGATIVE,
  type Param,
  PROBABILITY,
  toTensor,
} from './param';

/** 1 where x is an integer in [low, high] (high may be a parameter), else 0. */
function integerIn(x: Tensor, low: number, high?: Param): Tensor {
  let mask = x.equal(x.floor()).mul(x.greaterEqual(low));
  if (high !== undefined) mask = mask.mul(x.lessEqual(high));
  return mask;
}

/** Probabilities given directly or as logits (log-odds), exactly one of them. */
function probsOrLogits(family: string, params: { probs?: Param; logits?: Param } | undefined) {
  const has = (k: 'probs' | 'logits') => params?.[k] !== undefined;
  if (has('probs') === has('logits')) {
    throw new GradboxError(
      `dist.${family}: give exactly one of probs or logits, got ${has('probs') ? 'both' : 'neither'}; ` +
        'e.g. { probs: 0.3 }',
    );
  }
  return has('probs')
    ? { probs: checkParam(family, 'probs', params!.probs, PROBABILITY), logits: null }
    : { probs: null, logits: checkParam(family, 'logits', params!.logits, FINITE) };
}

abstract class ScalarDiscrete extends Distribution {
  protected constructor(gb: Context, family: string, params: readonly Param[]) {
    super(gb, family, batchShapeOf(family, params));
  }
  protected batchTensor(p: Param): Tensor {
    return toTensor(this.gb, p, this.batchShape);
  }
  /** A parameter as a tensor to compute with: a number becomes a scalar, a tensor is used as it is. */
  protected asTensor(p: Param): Tensor {
    return typeof p === 'number' ? this.gb.tensor(p) : p;
  }
}

/** Parameters of {@link Bernoulli}: probs in [0, 1] or logits log(p / (1 - p)). */
export interface BernoulliParams {
  probs?: Param;
  logits?: Param;
}

/** The Bernoulli distribution on {0, 1}. Sampled as U < p. */
export class Bernoulli extends ScalarDiscrete {
  /** P(X = 1). */
  readonly probs: Param;
  /** log(p / (1 - p)), when given as such (else null). */
  readonly logits: Param | null;
  constructor(gb: Context, params: BernoulliParams) {
    const { probs, logits } = probsOrLogits('Bernoulli', params);
    const p = probs ?? (typeof logits === 'number' ? 1 / (1 + Math.exp(-logits)) : logits!.sigmoid());
    super(gb, 'Bernoulli', [p]);
    this.probs = p === probs ? p : this.own(p);
    this.logits = logits;
    if (probs !== null) this.checks.push({ name: 'probs', value: probs, rule: PROBABILITY });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Bernoulli.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.fill('uniform', s).less(this.probs));
  }
  /** x log p + (1 - x) log(1 - p); from logits as x l - softplus(l). */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = integerIn(v, 0, 1);
      const safe = ok.where(v, 0);
      let logp: Tensor;
      if (this.logits instanceof Tensor || typeof this.logits === 'number') {
        const l = this.logits;
        const sp = typeof l === 'number' ? Math.log1p(Math.exp(-Math.abs(l))) + Math.max(l, 0) : l.softplus();
        logp = safe.mul(l).sub(sp);
      } else {
        logp = xlogy(safe, this.asTensor(this.probs)).add(xlogy(safe.neg().add(1), this.q()));
      }
      return inSupport(ok, logp);
    });
  }
  private q(): Tensor {
    return typeof this.probs === 'number' ? this.gb.tensor(1 - this.probs) : this.probs.neg().add(1);
  }
  /** 0 below 0, 1 - p on [0, 1), 1 from 1. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      return v.less(0).where(0, v.less(1).where(this.q(), 1));
    });
  }
  get mean(): Tensor {
    return this.batchTensor(this.probs);
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.mul(this.probs, P.sub(1, this.probs))));
  }
  /** -p log p - (1-p) log(1-p). */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const p = this.batchTensor(this.probs);
      return xlogy(p, p)
        .add(xlogy(p.neg().add(1), p.neg().add(1)))
        .neg();
    });
  }
}

/** Parameters of {@link Geometric}. */
export interface GeometricParams {
  /** Success probability per trial, in (0, 1]. */
  probs: Param;
}

/**
 * The number of Bernoulli(p) trials up to and including the first success: support 1, 2, ...
 * Sampled by inversion, ceil(log U / log(1 - p)).
 */
export class Geometric extends ScalarDiscrete {
  readonly probs: Param;
  constructor(gb: Context, params: GeometricParams) {
    const rule = { text: 'must lie in (0, 1]', test: (v: number) => v > 0 && v <= 1 };
    const probs = checkParam('Geometric', 'probs', params?.probs, rule);
    super(gb, 'Geometric', [probs]);
    this.probs = probs;
    this.checks.push({ name: 'probs', value: probs, rule });
  }
  private log1mp(): Param {
    return P.log1p(P.neg(this.probs));
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Geometric.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => {
      // U in (0, 1] as 1 - U: log U <= 0 and log(1 - p) < 0, so the ratio is >= 0; U = 1 gives 1.
      const logU = draws.fill('uniform', s).neg().log1p();
      return logU.div(this.log1mp()).ceil().maximum(1);
    });
  }
  /** (x - 1) log(1 - p) + log p for x = 1, 2, ... */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = integerIn(v, 1);
      const safe = ok.where(v, 1);
      const q = this.asTensor(P.sub(1, this.probs));
      return inSupport(ok, xlogy(safe.sub(1), q).add(P.log(this.probs)));
    });
  }
  /** 1 - (1 - p)^floor(x) for x >= 1, else 0. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const k = this.valueOf(x).floor().maximum(0);
      return k.mul(this.log1mp()).expm1().neg();
    });
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(1, this.probs)));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(P.sub(1, this.probs), P.square(this.probs))));
  }
  /** (-(1-p) log(1-p) - p log p) / p. */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const p = this.batchTensor(this.probs);
      const q = p.neg().add(1);
      return xlogy(q, q).add(xlogy(p, p)).neg().div(p);
    });
  }
}

/**
 * Entropy of a discrete distribution with number parameters by summing -p log p over its support in
 * float64 (the binomial and Poisson entropies have no closed form); tensor parameters are refused.
 */
function summedEntropy(
  family: string,
  params: readonly Param[],
  logPmf: (k: number) => number,
  last: number,
) {
  if (params.some((p) => p instanceof Tensor)) {
    throw new GradboxError(
      `dist.${family}: entropy has no closed form; it is summed over the support for number parameters ` +
        'only. For tensor parameters estimate it as -mean(logProb(sample)).',
    );
  }
  let h = 0;
  for (let k = 0; k <= last; k++) {
    const lp = logPmf(k);
    if (lp > -745) h -= Math.exp(lp) * lp;
  }
  return h;
}

/** Parameters of {@link Binomial}. */
export interface BinomialParams {
  /** Number of trials n, a non-negative integer. */
  count: Param;
  /** Success probability p in [0, 1]. */
  probs: Param;
}

/** The number of successes in n Bernoulli(p) trials. Sampled by inversion for n min(p, 1-p) < 10, else BTRS. */
export class Binomial extends ScalarDiscrete {
  readonly count: Param;
  readonly probs: Param;
  constructor(gb: Context, params: BinomialParams) {
    const count = checkParam('Binomial', 'count', params?.count, COUNT);
    const probs = checkParam('Binomial', 'probs', params.probs, PROBABILITY);
    super(gb, 'Binomial', [count, probs]);
    this.count = count;
    this.probs = probs;
    this.checks.push(
      { name: 'count', value: count, rule: COUNT },
      { name: 'probs', value: probs, rule: PROBABILITY },
    );
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Binomial.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.sampler('binomial', [this.count, this.probs], this.batchShape, s));
  }
  /** lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + k log p + (n-k) log(1-p). */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = integerIn(v, 0, this.count);
      const k = ok.where(v, 0);
      const n = this.count;
      const nk = k.neg().add(n);
      const p = this.asTensor(this.probs);
      const logp = k
        .add(1)
        .lgamma()
        .neg()
        .sub(nk.add(1).lgamma())
        .add(P.lgamma(P.add(n, 1)))
        .add(xlogy(k, p))
        .add(xlogy(nk, p.neg().add(1)));
      return inSupport(ok, logp);
    });
  }
  /** I_(1-p)(n - k, k + 1) for k = floor(x) in [0, n); 0 below, 1 from n. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const k = v.floor();
      const inside = k.greaterEqual(0).mul(k.less(this.count));
      const ks = inside.where(k, 0);
      const value = betaI(ks.neg().add(this.count), ks.add(1), this.asTensor(P.sub(1, this.probs)));
      return inside.where(value, k.less(0).where(0, 1));
    });
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.mul(this.count, this.probs)));
  }
  get variance(): Tensor {
    return scoped(this.gb, () =>
      this.batchTensor(P.mul(P.mul(this.count, this.probs), P.sub(1, this.probs))),
    );
  }
  /** Summed over 0..n in float64 (number parameters only). */
  entropy(): Tensor {
    const n = this.count as number;
    const p = this.probs as number;
    const h = summedEntropy(
      'Binomial',
      [this.count, this.probs],
      (k) => {
        if (p === 0 || p === 1) return k === p * n ? 0 : -Infinity;
        return (
          scalar.lgamma(n + 1) -
          scalar.lgamma(k + 1) -
          scalar.lgamma(n - k + 1) +
          k * Math.log(p) +
          (n - k) * Math.log1p(-p)
        );
      },
      n,
    );
    return this.gb.full([...this.batchShape], h);
  }
}

/** Parameters of {@link Poisson}. */
export interface PoissonParams {
  /** Mean rate lambda >= 0. */
  rate: Param;
}

/** The Poisson distribution. Sampled by inversion below rate 10 and by Hormann's PTRS from 10 (fast for large rates). */
export class Poisson extends ScalarDiscrete {
  readonly rate: Param;
  constructor(gb: Context, params: PoissonParams) {
    const rate = checkParam('Poisson', 'rate', params?.rate, NON_NEGATIVE);
    super(gb, 'Poisson', [rate]);
    this.rate = rate;
    this.checks.push({ name: 'rate', value: rate, rule: NON_NEGATIVE });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Poisson.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.sampler('poisson', [this.rate], this.batchShape, s));
  }
  /** k log(rate) - rate - lgamma(k + 1). */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = integerIn(v, 0);
      const k = ok.where(v, 0);
      const logp = xlogy(k, this.asTensor(this.rate)).sub(this.rate).sub(k.add(1).lgamma());
      return inSupport(ok, logp);
    });
  }
  /** Q(floor(x) + 1, rate), the regularised upper incomplete gamma function; 0 below 0. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const k = this.valueOf(x).floor();
      const ok = k.greaterEqual(0);
      return ok.where(gammaQ(ok.where(k, 0).add(1), this.rate), 0);
    });
  }
  get mean(): Tensor {
    return this.batchTensor(this.rate);
  }
  get variance(): Tensor {
    return this.batchTensor(this.rate);
  }
  /** Summed over k up to rate + 40 sqrt(rate) + 40 in float64 (number parameters only). */
  entropy(): Tensor {
    const rate = this.rate as number;
    const h = summedEntropy(
      'Poisson',
      [this.rate],
      (k) => (rate === 0 ? (k === 0 ? 0 : -Infinity) : k * Math.log(rate) - rate - scalar.lgamma(k + 1)),
      Math.ceil(rate + 40 * Math.sqrt(rate) + 40),
    );
    return this.gb.full([...this.batchShape], h);
  }
}
