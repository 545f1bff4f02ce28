// gradbox.models: classic models as short, readable code on the public API.
export {
  type FitOptions,
  type LinearFit,
  LinearRegression,
  linearRegressionClosedForm,
  LogisticRegression,
  MLPClassifier,
  type MlpModelOptions,
  MLPRegressor,
  SoftmaxRegression,
} from './linear';
export { cholesky, choleskySolve } from '../linalg/host_cholesky';
// Issue 10: PCA
export { PCA, type PcaOptions } from './pca';
