// Principal component analysis on the public API: the covariance of the centred data by one matmul on the
// device, then linalg.eigh of that d x d matrix; the model owns the tensors it fits and disposes them.
import { scoped } from '../autodiff';
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { eigh } from '../linalg/eigh';
import { Tensor } from '../tensor';

/** Options of {@link PCA}. */
export interface PcaOptions {
  /** How many principal components to keep: an integer from 1 to the number of features d. */
  components: number;
}

interface Fitted {
  components: Tensor;
  explainedVariance: Tensor;
  explainedVarianceRatio: Tensor;
  mean: Tensor;
}

/**
 * Principal component analysis: `new models.PCA(gb, { components: k })`, then `await pca.fit(x)` on data
 * x (N, d), N >= 2 rows of d features. Fitting centres x, forms the covariance C = xc^T xc / (N - 1) with one
 * matmul and diagonalises it with linalg.eigh, all on the context's device; the k eigenvectors of the
 * largest eigenvalues are the components.
 *
 * After fit, the model owns four tensors, replaced by the next fit and freed by dispose() (do not dispose
 * them yourself; clone() one to keep it): `components` (k, d), the principal axes as rows of unit length,
 * in order of decreasing variance, each with its largest-magnitude entry positive; `explainedVariance` (k),
 * the variance of the data along each axis (eigenvalues of C, with the N - 1 normalisation, rounding
 * negatives clamped to 0); `explainedVarianceRatio` (k), those divided by the total variance trace(C) (all
 * d directions, so they sum to 1 only for k = d); `mean` (d), the mean of the rows. The same meaning as
 * scikit-learn's PCA, which reaches the same numbers through an SVD of the centred data.
 */
export class PCA {
  /** The number of components kept. */
  readonly k: number;
  private fitted: Fitted | null = null;

  constructor(
    private readonly gb: Context,
    options: PcaOptions,
  ) {
    const k = options?.components;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new GradboxError(
        `PCA: components must be a positive integer (how many axes to keep), got ${describe(k)}`,
      );
    }
    this.k = k;
  }

  /**
   * Fits the model to x (N, d) and resolves with it. Throws if x is not a matrix of N >= 2 rows and
   * d >= k columns, or (after the device work, which it waits for) if x holds NaN or infinite values.
   */
  async fit(x: Tensor): Promise<this> {
    const op = 'PCA.fit';
    if (!(x instanceof Tensor) || x.ctx !== this.gb) {
      throw new GradboxError(`${op}: expected a Tensor of this model's context, got ${describe(x)}`);
    }
    const [N, d] = x.shape;
    if (x.rank !== 2 || N < 2 || d < this.k) {
      throw new GradboxError(
        `${op}: x must be (N, d) data with N >= 2 rows and d >= ${this.k} features (components), got ` +
          `${fmtShape(x.shape)}`,
      );
    }
    const k = this.k;
    const fitted = this.gb.tidy(() => {
      const mean = x.mean(0);
      const xc = x.sub(mean);
      const cov = xc
        .transpose()
        .matmul(xc)
        .div(N - 1);
      const { values, vectors } = eigh(cov);
      // eigh sorts ascending: the last k, largest first.
      const top = values.slice([d - k]).flip(0);
      const explainedVariance = top.maximum(0);
      const explainedVarianceRatio = explainedVariance.div(values.sum());
      const components = vectors
        .slice([0, d - k])
        .flip(1)
        .transpose();
      return { components, explainedVariance, explainedVarianceRatio, mean };
    });
    const ratio = await fitted.explainedVarianceRatio.data();
    if (!ratio.every(Number.isFinite)) {
      for (const t of Object.values(fitted)) t.dispose();
      throw new GradboxError(
        `${op}: the data holds NaN or infinite values (the fitted variances are not finite); clean or ` +
          'impute them first',
      );
    }
    this.release();
    this.fitted = fitted;
    return this;
  }

  private get state(): Fitted {
    if (!this.fitted) throw new GradboxError('PCA: call await pca.fit(x) before using the model');
    return this.fitted;
  }

  /** The principal axes (k, d), rows of unit length, by decreasing variance. Owned by the model. */
  get components(): Tensor {
    return this.state.components;
  }

  /** The variance along each component (k). Owned by the model. */
  get explainedVariance(): Tensor {
    return this.state.explainedVariance;
  }

  /** Each component's share of the total variance (k). Owned by the model. */
  get explainedVarianceRatio(): Tensor {
    return this.state.explainedVarianceRatio;
  }

  /** The mean of the fitted rows (d). Owned by the model. */
  get mean(): Tensor {
    return this.state.mean;
  }

  /** The coordinates (N, k) of rows x (N, d) along the components: (x - mean) components^T. */
  transform(x: Tensor): Tensor {
    const { components, mean } = this.state;
    const d = mean.shape[0];
    if (!(x instanceof Tensor) || x.rank !== 2 || x.shape[1] !== d) {
      throw new GradboxError(
        `PCA.transform: x must be (N, ${d}), rows of the ${d} features fitted, got ` +
          `${x instanceof Tensor ? fmtShape(x.shape) : describe(x)}`,
      );
    }
    return scoped(this.gb, () => x.sub(mean).matmul(components.transpose()));
  }

  /** Rows (N, d) back from coordinates z (N, k): z components + mean (exact for k = d). */
  inverseTransform(z: Tensor): Tensor {
    const { components, mean } = this.state;
    if (!(z instanceof Tensor) || z.rank !== 2 || z.shape[1] !== this.k) {
      throw new GradboxError(
        `PCA.inverseTransform: z must be (N, ${this.k}), coordinates along the ${this.k} components, got ` +
          `${z instanceof Tensor ? fmtShape(z.shape) : describe(z)}`,
      );
    }
    return scoped(this.gb, () => z.matmul(components).add(mean));
  }

  /** Frees the fitted tensors; the model can be fitted again. */
  dispose(): void {
    this.release();
  }

  private release(): void {
    if (this.fitted) for (const t of Object.values(this.fitted)) t.dispose();
    this.fitted = null;
  }
}
