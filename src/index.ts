// gradbox's public face: everything users import comes from here, and nothing else is public.
// See README.md for a tour; every export below carries its own documentation.

export type { ShaderSource } from './backends/webgpu/runner';
export { SHADERS } from './backends/webgpu/shaders';
export type { BackendName, BackendRequest, ContextOptions } from './backend_choice';
export { createContext } from './backend_choice';
export type { MemoryInfo } from './context';
export { Context } from './context';
export { GradboxError } from './errors';
export type { NestedArray } from './nested';
export type { RandomOptions, ShapeLike, TensorData } from './ops/creation';
export type { TensorLike } from './ops/inputs';
export type { Axes, NormOrd, VarianceOptions } from './ops/reduce';
export { seededRandom } from './random';
export type { Shape } from './shape';
export { Tensor } from './tensor';
export type { GradCheckInput, GradCheckOptions, GradCheckResult } from './gradcheck';
export type { BackendStats, OptimizerHyper, OptimizerRule } from './backends/backend';
export { OPTIMIZER_RULES } from './backends/backend';
export * as linalg from './linalg/index';
export * as models from './models/index';
export * as nn from './nn/index';
export * as optim from './optim/index';
// Statistics
export * as stats from './stats/index';
// Probability: special functions and distributions
export * as special from './special/index';
export * as dist from './distributions/index';
