// gradbox.nn: layers, activations, initialisations, losses and metrics, built from the public ops.
export { INITS, type Init, initWeights } from './init';
export {
  ACTIVATIONS,
  type Activation,
  activate,
  Dense,
  type DenseOptions,
  MLP,
  type MlpOptions,
  type Module,
} from './layers';
export { bceWithLogits, l1, l2, mse, softmaxCrossEntropy } from './losses';
export { accuracy, confusionMatrix, predictClasses, r2 } from './metrics';
