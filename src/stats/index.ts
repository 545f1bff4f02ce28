// The stats namespace: descriptive statistics, histograms, hypothesis tests, the bootstrap, information
// measures and maximum likelihood, on the context's backend. Each module holds one family; the only kernel
// of its own is Backend.histogram (shaders/stats.wgsl, with its CPU twin in src/backends/cpu/stats.ts).
export { bootstrap, type BootstrapOptions, type BootstrapResult } from './bootstrap';
export { corrcoef, cov } from './covariance';
export { histogram, type Histogram, type HistogramOptions } from './histogram';
export {
  type CdfLike,
  chiSquareTest,
  ksTest,
  type TestResult,
  ttest1,
  ttest2,
  type TTest2Options,
  ttestPaired,
} from './hypothesis';
export { crossEntropy, entropy, klDivergence, mutualInformation } from './information';
export { fitMLE, type FitMLEOptions, type FitMLEResult } from './mle';
export { type Ecdf, ecdf, median, quantile } from './quantile';
