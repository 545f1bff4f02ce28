// The shared base of every distribution (shape rule, prob from logProb, validation, ownership of derived
// tensors) and the helpers that draw on the device: Philox fills and the per-element samplers.
import { scoped, untracked } from '../autodiff';
import type { SamplerFamily } from '../backends/backend';
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import type { ShapeLike } from '../ops/creation';
import type { TensorLike } from '../ops/inputs';
import { type PhiloxKey, seedToKey } from '../random';
import { checkShape, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { type Check, type Param, toTensor, validateChecks } from './param';

/** Options of sample(). */
export interface SampleOptions {
  /**
   * An integer 0..2^53-1: the same seed gives the same samples on every backend (up to float rounding).
   * Without it, draws come from the context's stream (gb's seed), so successive calls differ.
   */
  seed?: number;
}

/**
 * A probability distribution with parameters of a batch shape (the broadcast of its parameters' shapes)
 * over values of an event shape ([] for scalar distributions, [d] for vector ones).
 *
 * Shapes follow PyTorch: `sample(shape)` gives [...shape, ...batchShape, ...eventShape], and `logProb(x)`
 * takes x of [..., ...batchShape, ...eventShape] (broadcasting against the batch) and gives one value per
 * event. `mean`, `variance` and `entropy()` are new tensors of [...batchShape, ...eventShape] (or
 * batchShape), which the caller owns.
 */
export abstract class Distribution {
  /** The broadcast shape of the parameters: one distribution per element. */
  readonly batchShape: readonly number[];
  /** The shape of one value: [] for a scalar distribution, [d] or [K] for a vector one. */
  readonly eventShape: readonly number[];
  /** Tensors this distribution made and keeps (a Cholesky factor, probabilities from logits). */
  protected readonly owned: Tensor[] = [];
  /** Tensor parameters and their rules, checked by validate(). */
  protected readonly checks: Check[] = [];

  constructor(
    /** The context the distribution draws and computes on. */
    readonly gb: Context,
    /** The family's name, as in error messages ('Normal'). */
    readonly family: string,
    batchShape: readonly number[],
    eventShape: readonly number[] = [],
  ) {
    this.batchShape = [...batchShape];
    this.eventShape = [...eventShape];
  }

  /** Draws samples of shape [...shape, ...batchShape, ...eventShape] on the device. Not differentiable. */
  abstract sample(shape?: ShapeLike, options?: SampleOptions): Tensor;
  /** The log density (or log mass) at x; -Infinity outside the support. Differentiable in x and in tensor parameters. */
  abstract logProb(x: TensorLike): Tensor;
  /** The mean, [...batchShape, ...eventShape]. */
  abstract get mean(): Tensor;
  /** The variance, [...batchShape, ...eventShape]. */
  abstract get variance(): Tensor;
  /** The differential (or Shannon) entropy in nats, [...batchShape]. */
  abstract entropy(): Tensor;

  /** The density (or mass) at x: exp(logProb(x)). */
  prob(x: TensorLike): Tensor {
    return scoped(this.gb, () => this.logProb(x).exp());
  }

  /** The distribution function P(X <= x). */
  cdf(x: TensorLike): Tensor {
    void x;
    throw new GradboxError(
      `dist.${this.family}: cdf is not available (it is defined for one-dimensional families)`,
    );
  }

  /** The quantile function: the x with cdf(x) = p. */
  icdf(p: TensorLike): Tensor {
    void p;
    throw new GradboxError(
      `dist.${this.family}: icdf is not available; Normal, Uniform, Exponential and LogNormal have it`,
    );
  }

  /** The standard deviation, sqrt(variance). */
  get stddev(): Tensor {
    return scoped(this.gb, () => this.variance.sqrt());
  }

  /**
   * Reads tensor parameters back and throws a GradboxError naming the first parameter (and element) that
   * breaks its rule; number parameters were checked at construction. Resolves to the distribution.
   */
  async validate(): Promise<this> {
    await validateChecks(this.family, this.checks);
    return this;
  }

  /** Keeps a tensor this distribution made for its lifetime (out of any tidy scope); dispose() frees it. */
  protected own<T extends Param>(t: T): T {
    if (t instanceof Tensor) this.owned.push(this.gb.keep(t));
    return t;
  }

  /** Frees the tensors this distribution made (never the parameters it was given). */
  dispose(): void {
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }

  /** The value as a tensor of this context (numbers become scalars, owned by the caller's scope). */
  protected valueOf(x: TensorLike, what = 'x'): Tensor {
    if (x instanceof Tensor) {
      if (x.ctx !== this.gb)
        throw new GradboxError(`dist.${this.family}: ${what} belongs to another context`);
      return x;
    }
    if (typeof x !== 'number') {
      throw new GradboxError(`dist.${this.family}: ${what} must be a Tensor or a number, got ${describe(x)}`);
    }
    return this.gb.tensor(x);
  }

  /** The full sample shape [...shape, ...batchShape]. */
  protected sampleShape(shape: ShapeLike | undefined): number[] {
    const s = shape === undefined ? [] : typeof shape === 'number' ? [shape] : shape;
    return [...checkShape(`dist.${this.family}.sample`, s), ...this.batchShape];
  }
}

/** Where the draws of one sample() call come from: disjoint counter ranges of one Philox key. */
export class Draws {
  private readonly key: PhiloxKey | null;
  private counter = 0;

  constructor(
    private readonly gb: Context,
    op: string,
    options: SampleOptions | undefined,
  ) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new GradboxError(`${op}: options must be an object like { seed: 1 }, got ${describe(options)}`);
    }
    this.key = options?.seed === undefined ? null : seedToKey(op, options.seed);
  }

  /** `blocks` Philox blocks no other draw of this call (or of the context, without a seed) uses. */
  private take(blocks: number): { key: PhiloxKey; counter: number } {
    if (this.key === null) return this.gb.nextRandomStream(4 * blocks);
    const at = this.counter;
    this.counter += blocks;
    return { key: this.key, counter: at };
  }

  /** Uniforms in [0, 1) or standard normals of `shape` (four per Philox block). */
  fill(dist: 'uniform' | 'normal', shape: readonly number[]): Tensor {
    const n = sizeOf(shape);
    const { key, counter } = this.take(Math.ceil(n / 4));
    return this.gb.wrap(this.gb.engine.random(dist, key, counter, n), shape);
  }

  /**
   * A sampler kernel over `shape` = [...sample, ...batchShape]: params are broadcast to the batch shape
   * (with `width` more trailing elements for categorical and multinomial rows) and element i reads batch
   * element i % batch. Multinomial appends an axis of `width` counts.
   */
  sampler(
    family: SamplerFamily,
    params: readonly Param[],
    batchShape: readonly number[],
    shape: readonly number[],
    width = 1,
  ): Tensor {
    const batch = sizeOf(batchShape);
    const length = sizeOf(shape);
    const { key, counter } = this.take(length);
    return untracked(this.gb, () => {
      const rows = family === 'categorical' || family === 'multinomial';
      const tensors = params.map((p, k) => {
        const extra = rows && (family === 'categorical' || k === 1) ? [width] : [];
        return toTensor(this.gb, p, [...batchShape, ...extra]);
      });
      const storage = this.gb.engine.sample(
        family,
        tensors.map((t) => t.storage(family)),
        Math.max(batch, 1),
        length,
        key,
        counter,
        width,
      );
      for (const t of tensors) t.dispose();
      return this.gb.wrap(storage, family === 'multinomial' ? [...shape, width] : [...shape]);
    });
  }
}

/** Runs a sampler's composition without recording and frees its intermediates (samples are constants). */
export function drawing<T>(gb: Context, work: () => T): T {
  return untracked(gb, () => gb.tidy(work));
}
