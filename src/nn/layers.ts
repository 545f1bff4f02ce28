// Layers and models built only from gradbox's public ops: activations, a dense (linear) layer and an MLP.
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { type Init, initWeights } from './init';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'linear'];

/**
 * Applies an activation function elementwise. GELU uses the tanh approximation (Hendrycks & Gimpel), which
 * differs from the exact x.gelu() (with erf) by up to 4.7e-4 (near |x| = 2.7); kept so trained models and
 * their seeds replay as before.
 */
export function activate(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'relu':
      return x.relu();
    case 'tanh':
      return x.tanh();
    case 'sigmoid':
      return x.sigmoid();
    case 'linear':
      return x;
    case 'gelu': {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
      return x.mul(inner.tanh().add(1)).mul(0.5);
    }
    default:
      throw new GradboxError(
        `activation: unknown ${describe(activation)}; expected one of ${ACTIVATIONS.join(', ')}`,
      );
  }
}

/** Anything with trainable tensors. */
export interface Module {
  parameters(): Tensor[];
  forward(x: Tensor): Tensor;
}

export interface DenseOptions {
  init?: Init;
  seed?: number;
  bias?: boolean;
}

/** y = x W + b, with W: (inFeatures, outFeatures) and b: (outFeatures). */
export class Dense implements Module {
  readonly w: Tensor;
  readonly b: Tensor | null;
  constructor(
    gb: Context,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: DenseOptions = {},
  ) {
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new GradboxError(`dense: ${name} must be a positive integer, got ${describe(v)}`);
      }
    }
    this.w = initWeights(gb, options.init ?? 'glorot', inFeatures, outFeatures, options.seed ?? 0);
    this.b = options.bias === false ? null : gb.zeros([outFeatures]);
  }
  parameters(): Tensor[] {
    return this.b ? [this.w, this.b] : [this.w];
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.shape.length - 1] !== this.inFeatures) {
      throw new GradboxError(
        `dense: the input has ${x.shape[x.shape.length - 1]} features (shape (${x.shape.join(',')})), ` +
          `but the layer expects ${this.inFeatures}`,
      );
    }
    const y = x.matmul(this.w);
    return this.b ? y.add(this.b) : y;
  }
}

export interface MlpOptions {
  /** Layer widths from input to output, e.g. [2, 64, 64, 2]. */
  sizes: readonly number[];
  /** One activation for every hidden layer, or one per layer (hidden and output). Default relu. */
  activation?: Activation | readonly Activation[];
  /** Activation of the output layer when `activation` is a single name. Default linear (logits). */
  outputActivation?: Activation;
  init?: Init;
  seed?: number;
}

/** A multilayer perceptron: Dense layers with activations between them. */
export class MLP implements Module {
  readonly layers: Dense[] = [];
  readonly activations: Activation[];
  constructor(gb: Context, options: MlpOptions) {
    const { sizes } = options;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new GradboxError(
        `mlp: sizes must list at least the input and output widths, got ${describe(sizes)}`,
      );
    }
    const n = sizes.length - 1;
    const act = options.activation ?? 'relu';
    if (Array.isArray(act)) {
      if (act.length !== n) {
        throw new GradboxError(`mlp: ${act.length} activations given for ${n} layers; give one per layer`);
      }
      this.activations = [...act];
    } else {
      this.activations = [...Array(n - 1).fill(act), options.outputActivation ?? 'linear'];
    }
    for (const a of this.activations) {
      if (!ACTIVATIONS.includes(a)) {
        throw new GradboxError(
          `mlp: unknown activation ${describe(a)}; expected one of ${ACTIVATIONS.join(', ')}`,
        );
      }
    }
    const init = options.init ?? (this.activations[0] === 'relu' ? 'he' : 'glorot');
    for (let i = 0; i < n; i++) {
      this.layers.push(new Dense(gb, sizes[i], sizes[i + 1], { init, seed: (options.seed ?? 0) * 1000 + i }));
    }
  }
  parameters(): Tensor[] {
    return this.layers.flatMap((l) => l.parameters());
  }
  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = activate(layer.forward(h), this.activations[i]);
    });
    return h;
  }
}
