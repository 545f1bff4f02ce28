// Optimisers: SGD (with momentum and Nesterov), RMSProp, Adam and AdamW, with weight decay and a
// learning-rate schedule. All parameters live in one flat buffer, so a step is one fused update
// dispatch (plus buffer copies of the gradients), never one dispatch per element-op per parameter.
import type { OptimizerHyper, OptimizerRule } from '../backends/backend';
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import { fusedUpdate, writeAt } from '../ops/optim';
import type { Tensor } from '../tensor';
import { checkParams, ParameterStore } from './parameter_store';
import { constant, type Schedule } from './schedules';

export interface OptimizerOptions {
  /** Learning rate, or a schedule giving it per step. */
  lr: number | Schedule;
  /** Weight decay: an L2 term in the gradient (decoupled from it for AdamW). Default 0. */
  weightDecay?: number;
}

export interface SgdOptions extends OptimizerOptions {
  /** Momentum coefficient; 0 (default) is plain SGD. */
  momentum?: number;
  nesterov?: boolean;
}

export interface RmsPropOptions extends OptimizerOptions {
  /** Decay rate of the running mean of squared gradients. Default 0.9. */
  rho?: number;
  eps?: number;
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

function checkRate(
  op: string,
  name: string,
  v: unknown,
  { min = 0, max = Infinity, open = false } = {},
): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (open && v === min)) {
    const range = max === Infinity ? `${open ? '>' : '>='} ${min}` : `in [${min}, ${max}]`;
    throw new GradboxError(`${op}: ${name} must be a finite number ${range}, got ${describe(v)}`);
  }
  return v;
}

/**
 * Updates a fixed list of parameter tensors in place from the gradients of a loss. The parameters live in a
 * ParameterStore (one flat buffer), shared with any other live optimiser over the same parameters.
 */
export class Optimizer {
  /** Steps taken so far. */
  stepCount = 0;
  /** The flat buffer the parameters live in. */
  readonly store: ParameterStore;
  private readonly grads: Tensor;
  private readonly m: Tensor;
  private readonly v: Tensor;
  private readonly schedule: Schedule;
  private disposed = false;

  constructor(
    readonly gb: Context,
    readonly params: readonly Tensor[],
    readonly rule: OptimizerRule,
    private readonly hyper: Omit<OptimizerHyper, 'lr' | 'correction1' | 'correction2'>,
    lr: number | Schedule,
  ) {
    const op = rule;
    checkParams(op, params);
    if (typeof lr === 'function') this.schedule = lr;
    else this.schedule = constant(checkRate(op, 'learning rate', lr, { open: true }));
    this.lrAt(0);
    this.store = ParameterStore.for(op, gb, params);
    const total = this.store.layout.total;
    this.grads = gb.zeros([total]);
    this.m = gb.zeros([total]);
    this.v = gb.zeros([total]);
  }

  /** The learning rate at a step, checked. */
  lrAt(step: number): number {
    const lr = this.schedule(step);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new GradboxError(
        `${this.rule}: the learning rate at step ${step} must be a finite number >= 0, got ${describe(lr)}`,
      );
    }
    return lr;
  }

  /**
   * One step: computes the loss and its gradients with respect to every parameter, then applies the
   * fused update. Returns the loss (queued on the device; read it only when you need it).
   */
  step(loss: () => Tensor): Tensor {
    if (this.disposed) throw new GradboxError(`${this.rule}: this optimiser was disposed`);
    const gb = this.gb;
    const params = this.params as Tensor[];
    const [value, grads] = gb.valueAndGrad((..._ps: Tensor[]) => loss())(...params);
    grads.forEach((g, i) => writeAt(this.grads, this.store.offsetOf(params[i]), g));
    grads.forEach((g) => g.dispose());
    this.applyGradients();
    return value;
  }

  /** Applies the update from the flat gradient buffer (already filled). @internal */
  private applyGradients(): void {
    const t = ++this.stepCount;
    const { beta1, beta2 } = this.hyper;
    fusedUpdate(this.rule, this.store.flat, this.grads, this.m, this.v, {
      ...this.hyper,
      lr: this.lrAt(t - 1),
      correction1: 1 - beta1 ** t,
      correction2: 1 - beta2 ** t,
    });
  }

  /** Frees the optimiser's state (moments, gradient buffer). The parameters stay usable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.grads.dispose();
    this.m.dispose();
    this.v.dispose();
    this.store.release();
  }
}

/** Stochastic gradient descent, with optional (Nesterov) momentum and weight decay. */
export function sgd(gb: Context, params: readonly Tensor[], options: SgdOptions): Optimizer {
  const momentum = checkRate('sgd', 'momentum', options.momentum ?? 0, { max: 1 });
  const rule: OptimizerRule = momentum === 0 ? 'sgd' : options.nesterov ? 'nesterov' : 'momentum';
  const weightDecay = checkRate('sgd', 'weightDecay', options.weightDecay ?? 0);
  return new Optimizer(gb, params, rule, { weightDecay, beta1: momentum, beta2: 0, eps: 0 }, options.lr);
}

/** RMSProp: steps scaled by a running root-mean-square of the gradients. */
export function rmsprop(gb: Context, params: readonly Tensor[], options: RmsPropOptions): Optimizer {
  const rho = checkRate('rmsprop', 'rho', options.rho ?? 0.9, { max: 1 });
  const eps = checkRate('rmsprop', 'eps', options.eps ?? 1e-8);
  const weightDecay = checkRate('rmsprop', 'weightDecay', options.weightDecay ?? 0);
  return new Optimizer(gb, params, 'rmsprop', { weightDecay, beta1: rho, beta2: 0, eps }, options.lr);
}

function adamLike(rule: 'adam' | 'adamw', gb: Context, params: readonly Tensor[], o: AdamOptions): Optimizer {
  const beta1 = checkRate(rule, 'beta1', o.beta1 ?? 0.9, { max: 1 });
  const beta2 = checkRate(rule, 'beta2', o.beta2 ?? 0.999, { max: 1 });
  const eps = checkRate(rule, 'eps', o.eps ?? 1e-8);
  const weightDecay = checkRate(rule, 'weightDecay', o.weightDecay ?? (rule === 'adamw' ? 0.01 : 0));
  return new Optimizer(gb, params, rule, { weightDecay, beta1, beta2, eps }, o.lr);
}

/** Adam (Kingma & Ba, 2015) with bias correction; weight decay is added to the gradient. */
export const adam = (gb: Context, params: readonly Tensor[], options: AdamOptions) =>
  adamLike('adam', gb, params, options);

/** AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the gradient. */
export const adamw = (gb: Context, params: readonly Tensor[], options: AdamOptions) =>
  adamLike('adamw', gb, params, options);
