// Distributions over vectors: Categorical (a category index from a probability vector), Multinomial,
// Dirichlet (normalised Marsaglia-Tsang gammas) and MultivariateNormal (mean + L z, L the Cholesky factor).
import { scoped } from '../autodiff';
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { cholesky, triangularSolve } from '../linalg/index';
import type { NestedArray } from '../nested';
import type { ShapeLike } from '../ops/creation';
import type { TensorLike } from '../ops/inputs';
import { xlogy } from '../ops/special';
import { broadcastShapes } from '../shape';
import { lgamma } from '../special/scalar';
import { Tensor } from '../tensor';
import { Distribution, Draws, drawing, type SampleOptions } from './base';
import { inSupport } from './continuous';
import { binomialLogPmfTable } from './discrete';
import { COUNT, NON_NEGATIVE, POSITIVE, type Rule, validateChecks } from './param';

/** A vector parameter: a tensor (..., K), or nested number arrays (copied into a tensor the distribution owns). */
export type VectorParam = Tensor | NestedArray;

/** The parameter as a tensor of rank >= `rank`, and whether it was made here (to be owned). */
function tensorParam(gb: Context, family: string, name: string, v: unknown, rank: number): [Tensor, boolean] {
  let t: Tensor;
  let made = false;
  if (v instanceof Tensor) t = v;
  else if (Array.isArray(v)) {
    t = gb.tensor(v as NestedArray);
    made = true;
  } else {
    throw new GradboxError(
      `dist.${family}: ${name} must be a Tensor or (nested) arrays of numbers, got ${describe(v)}`,
    );
  }
  if (t.shape.length < rank || t.shape[t.shape.length - 1] === 0) {
    if (made) t.dispose();
    throw new GradboxError(
      `dist.${family}: ${name} needs at least ${rank} axes with a non-empty last one, got shape ${fmtShape(t.shape)}`,
    );
  }
  return [t, made];
}

/** Checks the numbers of a parameter given as arrays now (tensors wait for validate()). */
function checkArray(family: string, name: string, v: unknown, rule: Rule): void {
  if (!Array.isArray(v)) return;
  const flat = (v as unknown[]).flat(Infinity) as number[];
  const i = flat.findIndex((x) => typeof x !== 'number' || !rule.test(x));
  if (i >= 0) throw new GradboxError(`dist.${family}: ${name} ${rule.text}, but element ${i} is ${flat[i]}`);
}

/** 1 where every entry of x (..., K) is a non-negative integer, as (...). */
function countsMask(x: Tensor): Tensor {
  return x.equal(x.floor()).mul(x.greaterEqual(0)).min(-1);
}

/** Parameters of {@link Categorical}: probs (..., K) (non-negative, normalised here) or logits (..., K). */
export interface CategoricalParams {
  probs?: VectorParam;
  logits?: VectorParam;
}

/** Normalised probabilities and their logs from probs or logits, exactly one of them. */
function categoryParams(gb: Context, family: string, params: CategoricalParams | undefined) {
  const hasProbs = params?.probs !== undefined;
  if (hasProbs === (params?.logits !== undefined)) {
    throw new GradboxError(
      `dist.${family}: give exactly one of probs or logits, got ${hasProbs ? 'both' : 'neither'}; e.g. { probs: [0.2, 0.8] }`,
    );
  }
  if (hasProbs) checkArray(family, 'probs', params!.probs, NON_NEGATIVE);
  const name = hasProbs ? 'probs' : 'logits';
  const [given, made] = tensorParam(gb, family, name, hasProbs ? params!.probs : params!.logits, 1);
  return { given, made, fromLogits: !hasProbs, name };
}

/** A category 0..K-1 drawn with probabilities p (..., K). Sampled by a binary search of the cumulative sums. */
export class Categorical extends Distribution {
  /** Normalised probabilities (..., K). */
  readonly probs: Tensor;
  /** Their logarithms (..., K). */
  readonly logProbs: Tensor;
  /** The number of categories K. */
  readonly categories: number;
  /** @param countsEvent values are count vectors over the K categories (Multinomial), not one index. */
  constructor(gb: Context, params: CategoricalParams, family = 'Categorical', countsEvent = false) {
    const { given, made, fromLogits, name } = categoryParams(gb, family, params);
    const K = given.shape[given.shape.length - 1];
    super(gb, family, given.shape.slice(0, -1), countsEvent ? [K] : []);
    this.categories = K;
    if (made) this.own(given);
    this.logProbs = this.own(
      gb.tidy(() => (fromLogits ? given.logSoftmax(-1) : given.log().sub(given.sum(-1, true).log()))),
    );
    this.probs = this.own(gb.tidy(() => (fromLogits ? given.softmax(-1) : given.div(given.sum(-1, true)))));
    if (!fromLogits) this.checks.push({ name, value: given, rule: NON_NEGATIVE });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, `dist.${this.family}.sample`, options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () =>
      draws.sampler('categorical', [this.probs.cumsum(-1)], this.batchShape, s, this.categories),
    );
  }
  /** log p_x for x in 0..K-1 (broadcast against the batch). */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.equal(v.floor()).mul(v.greaterEqual(0)).mul(v.less(this.categories));
      const hot = ok.where(v, 0).oneHot(this.categories);
      return inSupport(ok, hot.where(this.logProbs, 0).sum(-1));
    });
  }
  /** p_0 + ... + p_floor(x); 0 below 0, 1 from K - 1. */
  override cdf(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x).floor();
      const hot = v.clip(0, this.categories - 1).oneHot(this.categories);
      return v.less(0).where(0, hot.where(this.probs.cumsum(-1), 0).sum(-1));
    });
  }
  /** sum_j j p_j (the categories as the numbers 0..K-1). */
  get mean(): Tensor {
    return scoped(this.gb, () => this.probs.mul(this.gb.arange(this.categories)).sum(-1));
  }
  /** sum_j j^2 p_j - mean^2. */
  get variance(): Tensor {
    return scoped(this.gb, () => {
      const j = this.gb.arange(this.categories);
      const m = this.probs.mul(j).sum(-1);
      return this.probs.mul(j.square()).sum(-1).sub(m.square());
    });
  }
  /** -sum p log p (0 log 0 = 0). */
  entropy(): Tensor {
    return scoped(this.gb, () => xlogy(this.probs, this.probs).sum(-1).neg());
  }
}

/** Parameters of {@link Multinomial}. */
export interface MultinomialParams extends CategoricalParams {
  /** The number of draws n, a non-negative integer (a number). */
  count: number;
}

/** Counts of n draws over K categories. Sampled by conditional binomials (BTRS or inversion each). */
export class Multinomial extends Categorical {
  readonly count: number;
  constructor(gb: Context, params: MultinomialParams) {
    const count = params?.count;
    if (typeof count !== 'number' || !COUNT.test(count)) {
      throw new GradboxError(
        `dist.Multinomial: count must be a non-negative integer (a number), got ${describe(count)}`,
      );
    }
    super(gb, params, 'Multinomial', true);
    this.count = count;
  }
  override sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Multinomial.sample', options);
    const s = this.sampleShape(shape);
    return drawing(this.gb, () =>
      draws.sampler('multinomial', [this.count, this.probs], this.batchShape, s, this.categories),
    );
  }
  /** lgamma(n+1) - sum lgamma(x_k+1) + sum x_k log p_k on count vectors summing to n. */
  override logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = countsMask(v).mul(v.sum(-1).equal(this.count));
      const safe = ok.expandDims(-1).where(v, 0);
      const logp = safe
        .add(1)
        .lgamma()
        .sum(-1)
        .neg()
        .add(lgamma(this.count + 1))
        .add(xlogy(safe, this.probs).sum(-1));
      return inSupport(ok, logp);
    });
  }
  override cdf(): Tensor {
    throw new GradboxError('dist.Multinomial: cdf is not available (a distribution over count vectors)');
  }
  /** n p. */
  override get mean(): Tensor {
    return this.probs.mul(this.count);
  }
  /** n p (1 - p) per category. */
  override get variance(): Tensor {
    return scoped(this.gb, () => this.probs.mul(this.probs.neg().add(1)).mul(this.count));
  }
  /**
   * -E[log P(X)] = -lgamma(n+1) - n sum_i p_i log p_i + sum_i E[lgamma(X_i + 1)], the X_i ~ Binomial(n, p_i)
   * the marginal counts; each expectation is summed exactly over k = 0..n on the device.
   */
  override entropy(): Tensor {
    return scoped(this.gb, () => {
      const n = this.count;
      // Normalised so that an error common to every k (lgamma(n + 1)'s float32 rounding, ~1e-5) cancels
      // instead of scaling expectations of size ~lgamma(n + 1) (about 1e-4 off at n = 60 without this).
      const unnormalised = binomialLogPmfTable(this.gb, n, this.probs).exp();
      const marginals = unnormalised.div(unnormalised.sum(-1, true));
      const logFactorials = this.gb
        .arange(n + 1)
        .add(1)
        .lgamma();
      const expected = marginals.mul(logFactorials).sum([-2, -1]);
      // lgamma(n + 1) through the same kernel as the table's, so p = (0, .., 1, .., 0) cancels to 0.
      return expected.sub(this.gb.tensor(n + 1).lgamma()).sub(xlogy(this.probs, this.probs).sum(-1).mul(n));
    });
  }
}

/** Parameters of {@link Dirichlet}. */
export interface DirichletParams {
  /** Concentrations alpha (..., K), each > 0. */
  concentration: VectorParam;
}

/** The Dirichlet distribution on the probability simplex. Sampled as normalised Gamma(alpha_k) draws. */
export class Dirichlet extends Distribution {
  readonly concentration: Tensor;
  constructor(gb: Context, params: DirichletParams) {
    checkArray('Dirichlet', 'concentration', params?.concentration, POSITIVE);
    const [alpha, made] = tensorParam(gb, 'Dirichlet', 'concentration', params?.concentration, 1);
    const K = alpha.shape[alpha.shape.length - 1];
    super(gb, 'Dirichlet', alpha.shape.slice(0, -1), [K]);
    this.concentration = made ? this.own(alpha) : alpha;
    this.checks.push({ name: 'concentration', value: alpha, rule: POSITIVE });
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.Dirichlet.sample', options);
    const s = [...this.sampleShape(shape), ...this.eventShape];
    return drawing(this.gb, () => {
      const g = draws.sampler('gamma', [this.concentration], [...this.batchShape, ...this.eventShape], s);
      return g.div(g.sum(-1, true));
    });
  }
  /** sum (alpha_k - 1) log x_k - log B(alpha) on the simplex (entries >= 0 summing to 1 within 1e-4). */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      const v = this.valueOf(x);
      const ok = v.greaterEqual(0).min(-1).mul(v.sum(-1).sub(1).abs().lessEqual(1e-4));
      const safe = ok.expandDims(-1).where(v, 1 / this.eventShape[0]);
      const a = this.concentration;
      const logB = a.lgamma().sum(-1).sub(a.sum(-1).lgamma());
      return inSupport(ok, xlogy(a.sub(1), safe).sum(-1).sub(logB));
    });
  }
  /** alpha / alpha_0. */
  get mean(): Tensor {
    return scoped(this.gb, () => this.concentration.div(this.concentration.sum(-1, true)));
  }
  /** alpha (alpha_0 - alpha) / (alpha_0^2 (alpha_0 + 1)). */
  get variance(): Tensor {
    return scoped(this.gb, () => {
      const a = this.concentration;
      const a0 = a.sum(-1, true);
      return a.mul(a0.sub(a)).div(a0.square().mul(a0.add(1)));
    });
  }
  /** log B(alpha) + (alpha_0 - K) psi(alpha_0) - sum (alpha_k - 1) psi(alpha_k). */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const a = this.concentration;
      const a0 = a.sum(-1);
      const logB = a.lgamma().sum(-1).sub(a0.lgamma());
      return logB.add(a0.sub(this.eventShape[0]).mul(a0.digamma())).sub(a.sub(1).mul(a.digamma()).sum(-1));
    });
  }
}

/** Parameters of {@link MultivariateNormal}. */
export interface MultivariateNormalParams {
  /** The mean vector(s) (..., d). */
  mean: VectorParam;
  /** Symmetric positive-definite covariance matrices (..., d, d); only the lower triangle is read. */
  covariance: VectorParam;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** The multivariate normal N(mean, covariance). Sampled as mean + L z with L L^T = covariance (Cholesky). */
export class MultivariateNormal extends Distribution {
  readonly loc: Tensor;
  readonly covariance: Tensor;
  /** The lower Cholesky factor L of the covariance (..., d, d). */
  readonly scaleTril: Tensor;
  constructor(gb: Context, params: MultivariateNormalParams) {
    const family = 'MultivariateNormal';
    const [mean, madeMean] = tensorParam(gb, family, 'mean', params?.mean, 1);
    const [cov, madeCov] = tensorParam(gb, family, 'covariance', params?.covariance, 2);
    const d = mean.shape[mean.shape.length - 1];
    const [r, c] = cov.shape.slice(-2);
    if (r !== d || c !== d) {
      for (const [t, m] of [
        [mean, madeMean],
        [cov, madeCov],
      ] as const)
        if (m) t.dispose();
      throw new GradboxError(
        `dist.${family}: covariance must be (..., ${d}, ${d}) for a mean of length ${d}, got ${fmtShape(cov.shape)}`,
      );
    }
    const batch = broadcastShapes(`dist.${family}`, mean.shape.slice(0, -1), cov.shape.slice(0, -2));
    super(gb, family, batch, [d]);
    this.loc = madeMean ? this.own(mean) : mean;
    this.covariance = madeCov ? this.own(cov) : cov;
    try {
      this.scaleTril = this.own(cholesky(cov));
    } catch (e) {
      this.dispose();
      const why = e instanceof Error ? e.message.replace(/^linalg\.cholesky: /, '') : String(e);
      throw new GradboxError(`dist.${family}: covariance is not positive definite: ${why}`);
    }
  }
  /** Also checks that the covariance is positive definite (its Cholesky factor has no NaN). */
  override async validate(): Promise<this> {
    // On WebGPU the factorisation's own check (naming the failing pivot) is raised at this first read.
    await validateChecks(this.family, [
      {
        name: 'covariance',
        value: this.scaleTril,
        rule: {
          text: 'must be positive definite (its Cholesky factor has a NaN)',
          test: (v) => !Number.isNaN(v),
        },
      },
    ]).catch((e: unknown) => {
      if (!(e instanceof Error) || !e.message.startsWith('linalg.cholesky: ')) throw e;
      const why = e.message.replace(/^linalg\.cholesky: /, '');
      throw new GradboxError(`dist.${this.family}: covariance must be positive definite: ${why}`);
    });
    return this;
  }
  private get logDetHalf(): Tensor {
    const d = this.eventShape[0];
    return this.scaleTril.mul(this.gb.eye(d)).sum(-1).log().sum(-1);
  }
  sample(shape?: ShapeLike, options?: SampleOptions): Tensor {
    const draws = new Draws(this.gb, 'dist.MultivariateNormal.sample', options);
    const s = [...this.sampleShape(shape), ...this.eventShape];
    return drawing(this.gb, () => {
      const z = draws.fill('normal', s).expandDims(-1);
      return this.scaleTril.matmul(z).squeeze(-1).add(this.loc);
    });
  }
  /** -|L^-1 (x - mean)|^2 / 2 - log det L - d log(2 pi) / 2. */
  logProb(x: TensorLike): Tensor {
    return scoped(this.gb, () => {
      // diff (..., d) as columns (..., d, 1), so a (d, d) block of values is d vectors, not one matrix.
      const diff = this.valueOf(x).sub(this.loc).expandDims(-1);
      const y = triangularSolve(this.scaleTril, diff, { lower: true }).squeeze(-1);
      const d = this.eventShape[0];
      return y
        .square()
        .sum(-1)
        .mul(-0.5)
        .sub(this.logDetHalf)
        .sub((d * LOG_2PI) / 2);
    });
  }
  get mean(): Tensor {
    return this.loc.broadcastTo([...this.batchShape, ...this.eventShape]);
  }
  /** The diagonal of the covariance (..., d). */
  get variance(): Tensor {
    return scoped(this.gb, () =>
      this.covariance
        .mul(this.gb.eye(this.eventShape[0]))
        .sum(-1)
        .broadcastTo([...this.batchShape, ...this.eventShape]),
    );
  }
  /** d (1 + log 2 pi) / 2 + log det L. */
  entropy(): Tensor {
    return scoped(this.gb, () => {
      const d = this.eventShape[0];
      return this.logDetHalf.add((d * (1 + LOG_2PI)) / 2).broadcastTo([...this.batchShape]);
    });
  }
}
