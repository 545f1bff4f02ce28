// Scalar continuous distributions: Normal, Uniform, Exponential, LogNormal (exact transforms of Philox
// uniforms and normals), and Gamma, ChiSquare, Beta, StudentT (from the Marsaglia-Tsang Gamma sampler).
import { scoped } from '../autodiff';
import type { Context } from '../context';
import { GradboxError } from '../errors';
import type { ShapeLike } from '../ops/creation';
import type { TensorLike } from '../ops/inputs';
import { betaI, erfc, erfcinv, gammaP, xlogy } from '../ops/special';
import type { Tensor } from '../tensor';
import { Distribution, Draws, drawing, type SampleOptions } from './base';
import * as P from './param';
import { batchShapeOf, checkParam, FINITE, type Param, POSITIVE, toTensor } from './param';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** value where the mask holds, -Infinity elsewhere: the log density outside the support. */
export function inSupport(mask: Tensor, value: Tensor): Tensor {
  return mask.where(value, -Infinity);
}

/** A scalar distribution: parameters broadcast to the batch shape, values of event shape []. */
abstract class Scalar extends Distribution {
  protected constructor(gb: Context, family: string, params: readonly Param[]) {
    super(gb, family, batchShapeOf(family, params));
  }
  /** A parameter (or a number computed from them) as a new tensor of the batch shape. */
  protected batchTensor(p: Param): Tensor {
    return toTensor(this.gb, p, this.batchShape);
  }
}

/** Parameters of {@link Normal}. */
export interface NormalParams {
  mean?: Param;
  /** Standard deviation, > 0. */
  std?: Param;
}

/** The normal distribution N(mean, std^2). Sampled by Box-Muller on Philox uniforms. */
export class Normal extends Scalar {
  readonly loc: Param;
  readonly scale: Param;
  constructor(gb: Context, params: NormalParams = {}) {
    const mean = checkParam('Normal', 'mean', params.mean ?? 0, FINITE);
    const std = checkParam('Normal', 'std', params.std ?? 1, POSITIVE);
    super(gb, 'Normal', [mean, std]);
    this.loc = mean;
    this.scale = std;
    this.checks.push({ name: 'std', value: std, rule: POSITIVE });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Normal.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.fill('normal', s).mul(this.scale).add(this.loc));
  }
  /** The standardised value (x - mean) / std. */
  private z(x: TensorLike): Tensor {
    return this.valueOf(x).sub(this.loc).div(this.scale);
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => this.z(x).square().mul(-0.5).sub(P.log(this.scale)).sub(LOG_SQRT_2PI));
  }
  /** Phi((x - mean) / std) = erfc(-z / sqrt 2) / 2, accurate in the left tail. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => erfc(this.z(x).mul(-Math.SQRT1_2)).mul(0.5));
  }
  /** mean - std sqrt 2 erfcinv(2p): NaN outside [0, 1], -+Infinity at 0 and 1. */
  override icdf(p: TensorLike): Tensor {
    return scoped(this.gb, () =>
      erfcinv(this.valueOf(p, 'p').mul(2)).mul(-Math.SQRT2).mul(this.scale).add(this.loc),
    );
  }
  get mean(): Tensor {
    return this.batchTensor(this.loc);
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.square(this.scale)));
  }
  entropy(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.add(P.log(this.scale), 0.5 + LOG_SQRT_2PI)));
  }
}

/** Parameters of {@link Uniform}. */
export interface UniformParams {
  low?: Param;
  /** > low. */
  high?: Param;
}

/** The continuous uniform distribution on [low, high). Sampled as low + (high - low) U. */
export class Uniform extends Scalar {
  readonly low: Param;
  readonly high: Param;
  constructor(gb: Context, params: UniformParams = {}) {
    const low = checkParam('Uniform', 'low', params.low ?? 0, FINITE);
    const high = checkParam('Uniform', 'high', params.high ?? 1, FINITE);
    if (typeof low === 'number' && typeof high === 'number' && !(high > low)) {
      throw new GradboxError(`dist.Uniform: high must be > low, got low ${low} and high ${high}`);
    }
    super(gb, 'Uniform', [low, high]);
    this.low = low;
    this.high = high;
  }
  override async validate(): Promise<this> {
    if (typeof this.low !== 'number' || typeof this.high !== 'number') {
      const width = this.gb.tidy(() => toTensor(this.gb, P.sub(this.high, this.low), this.batchShape));
      try {
        await P.validateChecks('Uniform', [
          { name: 'high - low', value: width, rule: { text: 'must be > 0', test: (v) => v > 0 } },
        ]);
      } finally {
        width.dispose();
      }
    }
    return this;
  }
  private get width(): Param {
    return P.sub(this.high, this.low);
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Uniform.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.fill('uniform', s).mul(this.width).add(this.low));
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const inside = v.greaterEqual(this.low).mul(v.less(this.high));
      return inSupport(inside, v.mul(0).sub(P.log(this.width)));
    });
  }
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => this.valueOf(x).sub(this.low).div(this.width).clip(0, 1));
  }
  /** low + p (high - low); NaN outside [0, 1]. */
  override icdf(p: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const q = this.valueOf(p, 'p');
      const valid = q.greaterEqual(0).mul(q.lessEqual(1));
      return valid.where(q.mul(this.width).add(this.low), NaN);
    });
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.mul(P.add(this.low, this.high), 0.5)));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(P.square(this.width), 12)));
  }
  entropy(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.log(this.width)));
  }
}

/** Parameters of {@link Exponential}. */
export interface ExponentialParams {
  /** > 0; the mean is 1 / rate. */
  rate?: Param;
}

/** The exponential distribution with density rate e^(-rate x) on x >= 0. Sampled by inversion, -log(1 - U) / rate. */
export class Exponential extends Scalar {
  readonly rate: Param;
  constructor(gb: Context, params: ExponentialParams = {}) {
    const rate = checkParam('Exponential', 'rate', params.rate ?? 1, POSITIVE);
    super(gb, 'Exponential', [rate]);
    this.rate = rate;
    this.checks.push({ name: 'rate', value: rate, rule: POSITIVE });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Exponential.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => draws.fill('uniform', s).neg().log1p().neg().div(this.rate));
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greaterEqual(0);
      return inSupport(ok, ok.where(v, 0).mul(this.rate).neg().add(P.log(this.rate)));
    });
  }
  /** 1 - e^(-rate x) as -expm1(-rate x); 0 below 0. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => this.valueOf(x).maximum(0).mul(this.rate).neg().expm1().neg());
  }
  /** -log(1 - p) / rate; NaN outside [0, 1]. */
  override icdf(p: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const q = this.valueOf(p, 'p');
      return q.greaterEqual(0).where(q.neg().log1p().neg().div(this.rate), NaN);
    });
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(1, this.rate)));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(1, P.square(this.rate))));
  }
  entropy(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.sub(1, P.log(this.rate))));
  }
}

/** Parameters of {@link LogNormal}: those of the normal distribution of log X. */
export interface LogNormalParams {
  mean?: Param;
  /** > 0. */
  std?: Param;
}

/** The log-normal distribution: X = e^Y with Y ~ N(mean, std^2). Sampled as exp of a Box-Muller normal. */
export class LogNormal extends Scalar {
  private readonly base: Normal;
  constructor(gb: Context, params: LogNormalParams = {}) {
    const mean = checkParam('LogNormal', 'mean', params.mean ?? 0, FINITE);
    const std = checkParam('LogNormal', 'std', params.std ?? 1, POSITIVE);
    super(gb, 'LogNormal', [mean, std]);
    this.base = new Normal(gb, { mean, std });
    this.checks.push({ name: 'std', value: std, rule: POSITIVE });
  }
  /** The mean of log X. */
  get loc(): Param {
    return this.base.loc;
  }
  /** The standard deviation of log X. */
  get scale(): Param {
    return this.base.scale;
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    return drawing(this.gb, () => this.base.sample(shape, options).exp());
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greater(0);
      const safe = ok.where(v, 1);
      const logx = safe.log();
      return inSupport(ok, this.base.logProb(logx).sub(logx));
    });
  }
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greater(0);
      return ok.where(this.base.cdf(ok.where(v, 1).log()), 0);
    });
  }
  override icdf(p: TensorLike): Tensor {
    return scoped(this.gb, () => this.base.icdf(p).exp());
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.exp(P.add(this.loc, P.mul(P.square(this.scale), 0.5)))));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => {
      const s2 = P.square(this.scale);
      return this.batchTensor(P.mul(P.expm1(s2), P.exp(P.add(P.mul(this.loc, 2), s2))));
    });
  }
  entropy(): Tensor {
    return scoped(this.gb, () =>
      this.batchTensor(P.add(this.loc, P.add(P.log(this.scale), 0.5 + LOG_SQRT_2PI))),
    );
  }
}

/** Parameters of {@link Gamma}. */
export interface GammaParams {
  /** Shape alpha > 0. */
  concentration: Param;
  /** Rate beta > 0 (the scale is 1 / rate). */
  rate?: Param;
}

/** The gamma distribution with density beta^alpha x^(alpha-1) e^(-beta x) / Gamma(alpha). Marsaglia-Tsang sampler. */
export class Gamma extends Scalar {
  readonly concentration: Param;
  readonly rate: Param;
  constructor(gb: Context, params: GammaParams, family = 'Gamma') {
    const concentration = checkParam(family, 'concentration', params?.concentration, POSITIVE);
    const rate = checkParam(family, 'rate', params.rate ?? 1, POSITIVE);
    super(gb, family, [concentration, rate]);
    this.concentration = concentration;
    this.rate = rate;
    this.checks.push(
      { name: 'concentration', value: concentration, rule: POSITIVE },
      { name: 'rate', value: rate, rule: POSITIVE },
    );
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, `dist.${this.family}.sample`, options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () =>
      draws.sampler('gamma', [this.concentration], this.batchShape, s).div(this.rate),
    );
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greaterEqual(0);
      const safe = ok.where(v, 1);
      const a = this.concentration;
      const logp = xlogy(P.sub(a, 1), safe)
        .sub(safe.mul(this.rate))
        .add(P.sub(P.mul(a, P.log(this.rate)), P.lgamma(a)));
      return inSupport(ok, logp);
    });
  }
  /** P(alpha, beta x), the regularised lower incomplete gamma function; 0 below 0. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => gammaP(this.concentration, this.valueOf(x).maximum(0).mul(this.rate)));
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(this.concentration, this.rate)));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(this.concentration, P.square(this.rate))));
  }
  /** alpha - log beta + lgamma(alpha) + (1 - alpha) digamma(alpha). */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const a = this.concentration;
      const h = P.add(P.sub(a, P.log(this.rate)), P.add(P.lgamma(a), P.mul(P.sub(1, a), P.digamma(a))));
      return this.batchTensor(h);
    });
  }
}

/** Parameters of {@link ChiSquare}. */
export interface ChiSquareParams {
  /** Degrees of freedom k > 0. */
  df: Param;
}

/** The chi-square distribution with k degrees of freedom: Gamma(k/2, rate 1/2). */
export class ChiSquare extends Gamma {
  readonly df: Param;
  constructor(gb: Context, params: ChiSquareParams) {
    const df = checkParam('ChiSquare', 'df', params?.df, POSITIVE);
    super(gb, { concentration: P.mul(df, 0.5), rate: 0.5 }, 'ChiSquare');
    this.own(this.concentration);
    this.df = df;
    this.checks.length = 0;
    this.checks.push({ name: 'df', value: df, rule: POSITIVE });
  }
}

/** Parameters of {@link Beta}. */
export interface BetaParams {
  alpha: Param;
  beta: Param;
}

/** The beta distribution on [0, 1] with density x^(a-1) (1-x)^(b-1) / B(a, b). Sampled as X / (X + Y), X, Y gamma. */
export class Beta extends Scalar {
  readonly alpha: Param;
  readonly beta: Param;
  constructor(gb: Context, params: BetaParams) {
    const alpha = checkParam('Beta', 'alpha', params?.alpha, POSITIVE);
    const beta = checkParam('Beta', 'beta', params.beta, POSITIVE);
    super(gb, 'Beta', [alpha, beta]);
    this.alpha = alpha;
    this.beta = beta;
    this.checks.push(
      { name: 'alpha', value: alpha, rule: POSITIVE },
      { name: 'beta', value: beta, rule: POSITIVE },
    );
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Beta.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => {
      const x = draws.sampler('gamma', [this.alpha], this.batchShape, s);
      const y = draws.sampler('gamma', [this.beta], this.batchShape, s);
      return x.div(x.add(y));
    });
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greaterEqual(0).mul(v.lessEqual(1));
      const safe = ok.where(v, 0.5);
      const logp = xlogy(P.sub(this.alpha, 1), safe)
        .add(xlogy(P.sub(this.beta, 1), safe.neg().add(1)))
        .sub(P.lbeta(this.alpha, this.beta));
      return inSupport(ok, logp);
    });
  }
  /** I_x(alpha, beta), the regularised incomplete beta function (x clamped to [0, 1]). */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => betaI(this.alpha, this.beta, this.valueOf(x).clip(0, 1)));
  }
  get mean(): Tensor {
    return scoped(this.gb, () => this.batchTensor(P.div(this.alpha, P.add(this.alpha, this.beta))));
  }
  get variance(): Tensor {
    return scoped(this.gb, () => {
      const s = P.add(this.alpha, this.beta);
      return this.batchTensor(P.div(P.mul(this.alpha, this.beta), P.mul(P.square(s), P.add(s, 1))));
    });
  }
  /** log B(a, b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b). */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const { alpha: a, beta: b } = this;
      const s = P.add(a, b);
      const h = P.add(
        P.sub(P.sub(P.lbeta(a, b), P.mul(P.sub(a, 1), P.digamma(a))), P.mul(P.sub(b, 1), P.digamma(b))),
        P.mul(P.sub(s, 2), P.digamma(s)),
      );
      return this.batchTensor(h);
    });
  }
}

/** Parameters of {@link StudentT}. */
export interface StudentTParams {
  /** Degrees of freedom nu > 0. */
  df: Param;
  loc?: Param;
  /** > 0. */
  scale?: Param;
}

/** Student's t distribution, loc + scale T with T ~ t(nu). Sampled as Z / sqrt(V / nu), V chi-square (gamma). */
export class StudentT extends Scalar {
  readonly df: Param;
  readonly loc: Param;
  readonly scale: Param;
  constructor(gb: Context, params: StudentTParams) {
    const df = checkParam('StudentT', 'df', params?.df, POSITIVE);
    const loc = checkParam('StudentT', 'loc', params.loc ?? 0, FINITE);
    const scale = checkParam('StudentT', 'scale', params.scale ?? 1, POSITIVE);
    super(gb, 'StudentT', [df, loc, scale]);
    this.df = df;
    this.loc = loc;
    this.scale = scale;
    this.checks.push(
      { name: 'df', value: df, rule: POSITIVE },
      { name: 'scale', value: scale, rule: POSITIVE },
    );
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.StudentT.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () => {
      const z = draws.fill('normal', s);
      // V / nu with V ~ chi-square(nu) = 2 Gamma(nu / 2): Gamma(nu / 2) / (nu / 2).
      const halfDf = P.mul(this.df, 0.5);
      const g = draws.sampler('gamma', [halfDf], this.batchShape, s).div(halfDf);
      return z.div(g.sqrt()).mul(this.scale).add(this.loc);
    });
  }
  private t(x: TensorLike): Tensor {
    return this.valueOf(x).sub(this.loc).div(this.scale);
  }
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const nu = this.df;
      const half = P.mul(P.add(nu, 1), 0.5);
      const norm = P.sub(
        P.sub(P.lgamma(half), P.lgamma(P.mul(nu, 0.5))),
        P.add(P.mul(P.log(P.mul(nu, Math.PI)), 0.5), P.log(this.scale)),
      );
      return this.t(x).square().div(nu).log1p().mul(P.neg(half)).add(norm);
    });
  }
  /** With w = nu / (nu + t^2): I_w(nu/2, 1/2) / 2 for t <= 0, 1 - that for t > 0. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const t = this.t(x);
      const w = t.square().add(this.df).reciprocal().mul(this.df);
      const tail = betaI(P.mul(this.df, 0.5), 0.5, w).mul(0.5);
      return t.greater(0).where(tail.neg().add(1), tail);
    });
  }
  /** loc for nu > 1, NaN otherwise. */
  get mean(): Tensor {
    return scoped(this.gb, () => {
      const m = this.batchTensor(this.loc);
      return this.batchTensor(this.df).greater(1).where(m, NaN);
    });
  }
  /** scale^2 nu / (nu - 2) for nu > 2, Infinity for 1 < nu <= 2, NaN for nu <= 1. */
  get variance(): Tensor {
    return scoped(this.gb, () => {
      const nu = this.batchTensor(this.df);
      const v = nu.div(nu.sub(2)).mul(P.square(this.scale));
      return nu.greater(2).where(v, nu.greater(1).where(Infinity, NaN));
    });
  }
  /** (nu+1)/2 (psi((nu+1)/2) - psi(nu/2)) + log(sqrt(nu) B(nu/2, 1/2)) + log scale. */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const nu = this.df;
      const half = P.mul(P.add(nu, 1), 0.5);
      const h = P.add(
        P.mul(half, P.sub(P.digamma(half), P.digamma(P.mul(nu, 0.5)))),
        P.add(P.add(P.mul(P.log(nu), 0.5), P.lbeta(P.mul(nu, 0.5), 0.5)), P.log(this.scale)),
      );
      return this.batchTensor(h);
    });
  }
}
