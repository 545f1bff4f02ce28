// Discrete distributions: Bernoulli and Geometric (exact transforms of Philox uniforms), Binomial and Poisson
// (Hormann's BTRS and PTRS, inversion for small means), Categorical (a binary search of its cdf) and
// Multinomial (conditional binomials). Values are float32 integers.
import { scoped } from '../autodiff';
import type { Context } from '../context';
import { fmtShape, GradboxError } from '../errors';
import type { ShapeLike } from '../ops/creation';
import type { TensorLike } from '../ops/inputs';
import { betaI, gammaQ, xlogy } from '../ops/special';
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
 * -sum_k p(k) log p(k) along the last axis, from log p(k). log p is clamped at -200 first: exp(-200) is 0 in
 * float32 and 1e-87 in float64, so the clamp changes no sum measurably, and p = 0 (log p = -Infinity) then
 * adds 0 instead of 0 * -Infinity = NaN (in the value and in its gradient). Then it is normalised (minus its
 * logSumExp): the float32 rounding of lgamma(n + 1), common to every k, would otherwise scale the whole sum
 * (6.5e-5 relative at Binomial(500, 0.9) without this, within the tests' 1e-5 with it).
 */
function entropyOfLogPmf(logPmf: Tensor): Tensor {
  const clamped = logPmf.maximum(-200);
  const lp = clamped.sub(clamped.logSumExp(-1, true));
  return lp.exp().mul(lp).sum(-1).neg();
}

/**
 * log Binomial(n, p)(k) for k = 0..n along a new last axis: (...p.shape, n + 1), on the device. The three
 * lgamma terms go through the same kernel, so at p = 0 or 1 the certain outcome gets log p = 0 up to
 * lgamma(1)'s rounding, and its entropy term is 0, not NaN.
 */
export function binomialLogPmfTable(gb: Context, n: number, probs: Tensor): Tensor {
  const k = gb.arange(n + 1);
  const p = probs.expandDims(-1);
  return k
    .add(1)
    .lgamma()
    .add(
      k
        .neg()
        .add(n + 1)
        .lgamma(),
    )
    .neg()
    .add(gb.tensor(n + 1).lgamma())
    .add(xlogy(k, p))
    .add(xlogy(k.neg().add(n), p.neg().add(1)));
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
  /**
   * -sum_(k=0..n) p(k) log p(k), summed exactly on the device over a (..., n + 1) table. The sum's length
   * must be known without reading the device back, so count must be a number (probs may be batched).
   */
  entropy(): Tensor {
    const n = this.count;
    if (typeof n !== 'number') {
      throw new GradboxError(
        `dist.Binomial: entropy sums over k = 0..count, so count must be a number, got a tensor of shape ` +
          `${fmtShape(n.shape)}; give count as a number and batch probs, or build one Binomial per count`,
      );
    }
    return scoped(this.gb, () =>
      entropyOfLogPmf(binomialLogPmfTable(this.gb, n, this.batchTensor(this.probs))),
    );
  }
}

/** The rate from which Poisson.entropy() uses its asymptotic series instead of the sum over the support. */
const POISSON_SERIES_FROM = 40;

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
  /**
   * Below rate 40, -sum_(k=0..K) p(k) log p(k) on the device with K = ceil(r + 8 sqrt(r) + 10), r the largest
   * rate summed (the rate itself for a number, 40 for a tensor, so K <= 101 and the length is known without
   * reading the device back); the terms past K add < 1e-14 for every rate <= 40. From rate 40, the asymptotic
   * series 0.5 log(2 pi e rate) - 1/(12 rate) - 1/(24 rate^2) - 19/(360 rate^3), whose truncation error
   * (about 0.12 / rate^4) is < 5e-8 there: below float32's eps of 1.2e-7 (checked against the float64 sum).
   */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const rate = this.batchTensor(this.rate);
      const r =
        typeof this.rate === 'number' ? Math.min(this.rate, POISSON_SERIES_FROM) : POISSON_SERIES_FROM;
      const k = this.gb.arange(Math.ceil(r + 8 * Math.sqrt(r) + 10) + 1);
      // Each branch sees rates clamped into its own range, so neither makes an Infinity or NaN to hide.
      const summedRate = rate.minimum(POISSON_SERIES_FROM).expandDims(-1);
      const summed = entropyOfLogPmf(xlogy(k, summedRate).sub(summedRate).sub(k.add(1).lgamma()));
      const big = rate.maximum(POISSON_SERIES_FROM);
      const inv = big.reciprocal();
      const correction = inv
        .mul(19 / 360)
        .add(1 / 24)
        .mul(inv)
        .add(1 / 12)
        .mul(inv);
      const series = big
        .mul(2 * Math.PI * Math.E)
        .log()
        .mul(0.5)
        .sub(correction);
      return rate.less(POISSON_SERIES_FROM).where(summed, series);
    });
  }
}
