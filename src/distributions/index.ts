// The dist namespace: probability distributions with parameters as numbers or (batched) tensors, sampled on
// the device from the counter-based Philox generator, with differentiable log densities.
export { Distribution, type SampleOptions } from './base';
export {
  Beta,
  type BetaParams,
  ChiSquare,
  type ChiSquareParams,
  Exponential,
  type ExponentialParams,
  Gamma,
  type GammaParams,
  LogNormal,
  type LogNormalParams,
  Normal,
  type NormalParams,
  StudentT,
  type StudentTParams,
  Uniform,
  type UniformParams,
} from './continuous';
export {
  Bernoulli,
  type BernoulliParams,
  Binomial,
  type BinomialParams,
  Geometric,
  type GeometricParams,
  Poisson,
  type PoissonParams,
} from './discrete';
export {
  Categorical,
  type CategoricalParams,
  Dirichlet,
  type DirichletParams,
  Multinomial,
  type MultinomialParams,
  MultivariateNormal,
  type MultivariateNormalParams,
  type VectorParam,
} from './multivariate';
export type { Check, Param, Rule } from './param';
