// The special namespace: special functions of tensors (recorded, differentiable where stated) and, under
// `scalar`, the same functions of float64 numbers.
export { betaI, digamma, erfc, erfcinv, erfinv, gammaP, gammaQ, lgamma, trigamma } from '../ops/special';
export * as scalar from './scalar';
