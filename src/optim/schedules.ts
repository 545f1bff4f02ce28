// Learning-rate schedules: functions from the step number (0, 1, 2, ...) to a learning rate.

/** A learning rate per step. */
export type Schedule = (step: number) => number;

/** The same rate at every step. */
export const constant =
  (lr: number): Schedule =>
  () =>
    lr;

/** Multiplies the rate by `factor` every `every` steps. */
export const stepDecay =
  (lr: number, every: number, factor = 0.5): Schedule =>
  (step) =>
    lr * factor ** Math.floor(step / every);

/** lr * gamma^step. */
export const exponentialDecay =
  (lr: number, gamma: number): Schedule =>
  (step) =>
    lr * gamma ** step;

/** Half a cosine from lr down to minLr over `steps` steps, then minLr. */
export const cosineDecay =
  (lr: number, steps: number, minLr = 0): Schedule =>
  (step) =>
    minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * Math.min(1, step / steps)))) / 2;

/** A linear warm-up from 0 over `warmup` steps into another schedule. */
export const warmup =
  (warmupSteps: number, then: Schedule): Schedule =>
  (step) =>
    step < warmupSteps ? (then(step) * (step + 1)) / warmupSteps : then(step);
