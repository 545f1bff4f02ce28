// gradbox.optim: optimisers with fused update kernels, learning-rate schedules, and the Trainer.
export {
  type AdamOptions,
  adam,
  adamw,
  Optimizer,
  type OptimizerOptions,
  type RmsPropOptions,
  rmsprop,
  type SgdOptions,
  sgd,
} from './optimizer';
export type { FlatLayout } from '../ops/optim';
export { ParameterStore } from './parameter_store';
export { constant, cosineDecay, exponentialDecay, type Schedule, stepDecay, warmup } from './schedules';
export { checkLabels, type RunResult, Trainer, type TrainerOptions } from './trainer';
