// Runs many training steps in one call: seeded mini-batches gathered on the device, forward, backward and
// a fused update per step, one submit per step, and one readback of all the step losses at the end.
import type { Context } from '../context';
import { describe, fmtShape, GradboxError } from '../errors';
import type { Module } from '../nn/layers';
import { writeAt } from '../ops/optim';
import { seededRandom } from '../random';
import type { Tensor } from '../tensor';
import type { Optimizer } from './optimizer';

export interface TrainerOptions {
  model: Module;
  optimizer: Optimizer;
  /** The loss of a batch: (predictions, targets) -> scalar. */
  loss: (pred: Tensor, target: Tensor) => Tensor;
  /** Inputs (n, ...) and targets (n, ...), one row per example. */
  x: Tensor;
  y: Tensor;
  /** Examples per step; default all of them (full-batch gradient descent). */
  batchSize?: number;
  /** Seed of the shuffle; the same seed replays the same batches. */
  seed?: number;
  /** An extra term added to every batch loss, e.g. () => l2(model.parameters()).mul(1e-4). */
  penalty?: () => Tensor;
}

export interface RunResult {
  /** The loss of every step of this run, in order. */
  losses: Float32Array;
  /** Steps taken so far, in total. */
  step: number;
}

export class Trainer {
  /** Steps taken so far. */
  step = 0;
  private readonly gb: Context;
  private readonly n: number;
  private readonly batchSize: number;
  private order: Uint32Array;
  private cursor = 0;
  private epoch = 0;
  private failure: string | null = null;

  constructor(private readonly o: TrainerOptions) {
    const op = 'trainer';
    this.gb = o.x.ctx;
    this.n = o.x.shape[0];
    if (o.x.rank === 0 || o.y.rank === 0 || o.y.shape[0] !== this.n) {
      throw new GradboxError(
        `${op}: mismatched batch sizes: x ${fmtShape(o.x.shape)} and y ${fmtShape(o.y.shape)} need the same ` +
          'number of rows (one per example)',
      );
    }
    const bs = o.batchSize ?? this.n;
    if (!Number.isInteger(bs) || bs < 1) {
      throw new GradboxError(`${op}: batchSize must be a positive integer, got ${describe(bs)}`);
    }
    this.batchSize = Math.min(bs, this.n);
    this.order = new Uint32Array(this.n);
    this.shuffle();
  }

  private shuffle(): void {
    const rand = seededRandom((this.o.seed ?? 0) * 7919 + this.epoch);
    for (let i = 0; i < this.n; i++) this.order[i] = i;
    for (let i = this.n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
  }

  /** The next batch's example indices, reshuffling at each epoch. */
  private nextIndices(): Float32Array {
    if (this.cursor + this.batchSize > this.n) {
      this.epoch++;
      this.cursor = 0;
      this.shuffle();
    }
    const idx = Float32Array.from(this.order.subarray(this.cursor, this.cursor + this.batchSize));
    this.cursor += this.batchSize;
    return idx;
  }

  /** One step, queued: returns its loss tensor (not read). */
  private oneStep(): Tensor {
    const { model, optimizer, loss, x, y, penalty } = this.o;
    const gb = this.gb;
    const full = this.batchSize === this.n;
    const idx = full ? null : gb.tensor(this.nextIndices());
    const xb = idx ? x.gather(idx, 0) : x;
    const yb = idx ? y.gather(idx, 0) : y;
    const value = optimizer.step(() => {
      const l = loss(model.forward(xb), yb);
      return penalty ? l.add(penalty()) : l;
    });
    if (idx) [idx, xb, yb].forEach((t) => t.dispose());
    this.step++;
    return value;
  }

  /**
   * Queues `steps` training steps (one submit each), then reads all their losses with one readback.
   * Rejects, naming the step, if a loss is NaN or infinite; training cannot continue after that.
   */
  async run(steps: number): Promise<RunResult> {
    if (this.failure) throw new GradboxError(this.failure);
    if (!Number.isInteger(steps) || steps < 1) {
      throw new GradboxError(`trainer.run: steps must be a positive integer, got ${describe(steps)}`);
    }
    const gb = this.gb;
    const first = this.step;
    const history = gb.zeros([steps]);
    for (let i = 0; i < steps; i++) {
      const value = this.oneStep();
      writeAt(history, i, value);
      value.dispose();
      // One submit per step; the last step's work goes with the readback's submit below.
      if (i < steps - 1) gb.flush();
    }
    const losses = await history.data();
    history.dispose();
    const bad = losses.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      this.failure =
        `training stopped: the loss became ${losses[bad]} at step ${first + bad + 1} ` +
        `(learning rate ${this.o.optimizer.lrAt(first + bad)}). A smaller learning rate usually helps; ` +
        'create a new model and optimiser to start again.';
      throw new GradboxError(this.failure);
    }
    return { losses, step: this.step };
  }
}

/** Checks integer class labels read from host data: each in 0..classes-1. */
export function checkLabels(op: string, labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new GradboxError(
        `${op}: labels out of range: label ${describe(v)} at index ${i}; expected integers 0..${classes - 1} ` +
          `for ${classes} classes`,
      );
    }
  }
}
