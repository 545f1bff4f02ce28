// Classic models as short, readable code on gradbox's public API: linear regression (closed form and
// gradient descent), logistic regression, softmax regression, and MLP classifiers and regressors.
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import { cholesky, choleskySolve } from '../linalg/host_cholesky';
import { Dense, MLP, type Activation, type Module } from '../nn/layers';
import { bceWithLogits, l2, mse, softmaxCrossEntropy } from '../nn/losses';
import { type AdamOptions, adam, type Optimizer, sgd } from '../optim/optimizer';
import { type RunResult, Trainer } from '../optim/trainer';
import type { Tensor } from '../tensor';

const sameItems = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

export interface LinearFit {
  /** Coefficients (features, outputs) and intercept (outputs). */
  w: Tensor;
  b: Tensor;
}

/**
 * Least squares in closed form: solves the normal equations (X^T X + ridge I) w = X^T y with an intercept
 * (not penalised), by Cholesky in float64. X^T X and X^T y are formed on the device.
 */
export async function linearRegressionClosedForm(
  x: Tensor,
  y: Tensor,
  options: { ridge?: number } = {},
): Promise<LinearFit> {
  const gb = x.ctx;
  const op = 'linearRegressionClosedForm';
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0)) throw new GradboxError(`${op}: ridge must be a number >= 0, got ${describe(ridge)}`);
  if (x.rank !== 2 || y.shape[0] !== x.shape[0]) {
    throw new GradboxError(
      `${op}: expected x (n, features) and y (n) or (n, outputs), got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  }
  const Y = y.rank === 1 ? y.reshape([y.size, 1]) : y;
  const outs = Y.shape[1];
  // Centre the data so the intercept drops out of the penalised system: b = mean(y) - mean(x) w.
  const [xtx, xty, mx, my] = gb.tidy(() => {
    const mx = x.mean(0, true);
    const my = Y.mean(0, true);
    const xc = x.sub(mx);
    const yc = Y.sub(my);
    return [xc.transpose().matmul(xc), xc.transpose().matmul(yc), mx, my];
  });
  const d = x.shape[1];
  const A = Float64Array.from(await xtx.data());
  for (let i = 0; i < d; i++) A[i * d + i] += ridge;
  const w = choleskySolve(cholesky(A, d), d, await xty.data(), outs);
  const mxv = await mx.data();
  const myv = await my.data();
  const b = new Float64Array(outs);
  for (let o = 0; o < outs; o++) {
    let s = myv[o];
    for (let i = 0; i < d; i++) s -= mxv[i] * w[i * outs + o];
    b[o] = s;
  }
  [xtx, xty, mx, my].forEach((t) => t.dispose());
  if (Y !== y) Y.dispose();
  return { w: gb.tensor(Float32Array.from(w), [d, outs]), b: gb.tensor(Float32Array.from(b), [outs]) };
}

export interface FitOptions {
  steps?: number;
  batchSize?: number;
  /** Learning rate. */
  lr?: number;
  /** L2 penalty on the weights (not the biases). */
  l2?: number;
  seed?: number;
  optimizer?: 'sgd' | 'adam';
}

/** Shared by the models: a module, an optimiser over its parameters and a trainer over (x, y). */
abstract class Supervised {
  protected trainer: Trainer | null = null;
  protected optimizer: Optimizer | null = null;
  /** What the current optimiser and trainer were built from, to notice when a fit() asks for other ones. */
  private built: { optimizer: string; trainer: readonly unknown[] } | null = null;
  abstract readonly module: Module;
  protected abstract loss(pred: Tensor, target: Tensor): Tensor;

  constructor(protected readonly gb: Context) {}

  /**
   * Trains for `steps` steps and returns the step losses. Calls with the same data and options continue
   * where the last one stopped (same optimiser state, same batch order). New data, batch size, seed or l2
   * penalty continue from the current weights on the new terms; a new optimizer or lr also starts a fresh
   * optimiser state (Adam's moments, momentum).
   */
  async fit(x: Tensor, y: Tensor, o: FitOptions = {}): Promise<RunResult> {
    const optimizerKey = `${o.optimizer ?? 'adam'} lr=${o.lr ?? 0.01}`;
    const trainerKey = [x, y, o.batchSize, o.seed, o.l2];
    const params = this.module.parameters();
    if (!this.optimizer || this.built?.optimizer !== optimizerKey) {
      this.optimizer?.dispose();
      const opts: AdamOptions = { lr: o.lr ?? 0.01 };
      this.optimizer = o.optimizer === 'sgd' ? sgd(this.gb, params, opts) : adam(this.gb, params, opts);
      this.trainer = null;
    }
    if (!this.trainer || !sameItems(this.built?.trainer ?? [], trainerKey)) {
      const weights = params.filter((p) => p.rank === 2);
      const penalty = o.l2 ? () => l2(weights).mul(o.l2!) : undefined;
      this.trainer = new Trainer({
        model: this.module,
        optimizer: this.optimizer,
        loss: (p, t) => this.loss(p, t),
        x,
        y,
        batchSize: o.batchSize,
        seed: o.seed,
        penalty,
      });
    }
    this.built = { optimizer: optimizerKey, trainer: trainerKey };
    return this.trainer.run(o.steps ?? 100);
  }

  /** Frees the optimiser's state; the model's parameters stay usable. */
  disposeOptimizer(): void {
    this.optimizer?.dispose();
    this.optimizer = null;
    this.trainer = null;
    this.built = null;
  }

  /** The model's raw output (logits for classifiers). */
  predict(x: Tensor): Tensor {
    return this.module.forward(x);
  }

  parameters(): Tensor[] {
    return this.module.parameters();
  }
}

/** Linear regression trained by gradient descent on the mean squared error. */
export class LinearRegression extends Supervised {
  readonly module: Dense;
  constructor(gb: Context, features: number, outputs = 1) {
    super(gb);
    this.module = new Dense(gb, features, outputs, { init: 'zeros' });
  }
  protected loss(p: Tensor, t: Tensor): Tensor {
    return mse(p, t.rank === 1 ? t.reshape([t.size, 1]) : t);
  }
}

/** Logistic regression: a linear score per example and binary cross-entropy on its logit. */
export class LogisticRegression extends Supervised {
  readonly module: Dense;
  constructor(gb: Context, features: number) {
    super(gb);
    this.module = new Dense(gb, features, 1, { init: 'zeros' });
  }
  protected loss(p: Tensor, t: Tensor): Tensor {
    return bceWithLogits(p, t.reshape([t.size, 1]));
  }
}

/** Softmax (multinomial logistic) regression: one linear score per class, softmax cross-entropy. */
export class SoftmaxRegression extends Supervised {
  readonly module: Dense;
  constructor(gb: Context, features: number, classes: number) {
    super(gb);
    this.module = new Dense(gb, features, classes, { init: 'zeros' });
  }
  protected loss(p: Tensor, t: Tensor): Tensor {
    return softmaxCrossEntropy(p, t);
  }
}

export interface MlpModelOptions {
  hidden: readonly number[];
  activation?: Activation;
  seed?: number;
}

/** An MLP classifier: logits per class, softmax cross-entropy against integer labels. */
export class MLPClassifier extends Supervised {
  readonly module: MLP;
  constructor(gb: Context, features: number, classes: number, o: MlpModelOptions) {
    super(gb);
    this.module = new MLP(gb, {
      sizes: [features, ...o.hidden, classes],
      activation: o.activation,
      seed: o.seed,
    });
  }
  protected loss(p: Tensor, t: Tensor): Tensor {
    return softmaxCrossEntropy(p, t);
  }
}

/** An MLP regressor: linear outputs, mean squared error. */
export class MLPRegressor extends Supervised {
  readonly module: MLP;
  constructor(gb: Context, features: number, outputs: number, o: MlpModelOptions) {
    super(gb);
    this.module = new MLP(gb, {
      sizes: [features, ...o.hidden, outputs],
      activation: o.activation,
      seed: o.seed,
    });
  }
  protected loss(p: Tensor, t: Tensor): Tensor {
    return mse(p, t.rank === 1 ? t.reshape([t.size, 1]) : t);
  }
}
