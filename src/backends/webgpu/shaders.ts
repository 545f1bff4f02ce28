// The WGSL sources of gradbox, imported as text (inlined into the built library) with common.wgsl in front.
// Module-level `enable` lines must come first in WGSL, so they are hoisted above the shared helpers.
import commonWgsl from '../../../shaders/common.wgsl?raw';
import elementwiseWgsl from '../../../shaders/elementwise.wgsl?raw';
import layoutWgsl from '../../../shaders/layout.wgsl?raw';
import linalgWgsl from '../../../shaders/linalg.wgsl?raw';
// Issue 10: eigh and svd
import linalgJacobiWgsl from '../../../shaders/linalg_jacobi.wgsl?raw';
import linalgBlockedWgsl from '../../../shaders/linalg_blocked.wgsl?raw';
import linalgQrWgsl from '../../../shaders/linalg_qr.wgsl?raw';
import linalgSmallWgsl from '../../../shaders/linalg_small.wgsl?raw';
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import optimWgsl from '../../../shaders/optim.wgsl?raw';
import randomWgsl from '../../../shaders/random.wgsl?raw';
import reduceWgsl from '../../../shaders/reduce.wgsl?raw';
import shapeWgsl from '../../../shaders/shape.wgsl?raw';
import scanWgsl from '../../../shaders/scan.wgsl?raw';
import scatterWgsl from '../../../shaders/scatter.wgsl?raw';
import softmaxWgsl from '../../../shaders/softmax.wgsl?raw';
import sortWgsl from '../../../shaders/sort.wgsl?raw';
import statsWgsl from '../../../shaders/stats.wgsl?raw';
// Probability: special functions and samplers
import distributionsWgsl from '../../../shaders/distributions.wgsl?raw';
import specialWgsl from '../../../shaders/special.wgsl?raw';
import type { ShaderSource } from './runner';

function withCommon(name: string, code: string): ShaderSource {
  const enables = code.match(/^enable [^;]+;\s*$/gm) ?? [];
  const body = code.replace(/^enable [^;]+;\s*$/gm, '');
  return { name, code: `${enables.join('\n')}\n${commonWgsl}\n${body}` };
}

/** Every kernel family by name; `source` is what the kernels panel of a demo shows. */
export const SHADERS = {
  elementwise: withCommon('elementwise', elementwiseWgsl),
  layout: withCommon('layout', layoutWgsl),
  matmul: withCommon('matmul', matmulWgsl),
  optim: withCommon('optim', optimWgsl),
  random: withCommon('random', randomWgsl),
  reduce: withCommon('reduce', reduceWgsl),
  shape: withCommon('shape', shapeWgsl),
  softmax: withCommon('softmax', softmaxWgsl),
  // Issue 9: scans, sorting, scatter
  scan: withCommon('scan', scanWgsl),
  sort: withCommon('sort', sortWgsl),
  scatter: withCommon('scatter', scatterWgsl),
  // Linear algebra
  linalg: withCommon('linalg', linalgWgsl),
  // Issue 10: eigh and svd (Jacobi rotations)
  linalgJacobi: withCommon('linalg_jacobi', linalgJacobiWgsl),
  // Linear algebra: QR, blocked LU panels (issue 10)
  linalgQr: withCommon('linalg_qr', linalgQrWgsl),
  linalgBlocked: withCommon('linalg_blocked', linalgBlockedWgsl),
  // Statistics
  stats: withCommon('stats', statsWgsl),
  // Probability: special functions (on elementwise.wgsl's addressing) and samplers (on random.wgsl's Philox)
  special: withCommon('special', `${elementwiseWgsl}\n${specialWgsl}`),
  distributions: withCommon('distributions', `${randomWgsl}\n${distributionsWgsl}`),
  linalgSmall: withCommon('linalg_small', linalgSmallWgsl),
} satisfies Record<string, ShaderSource>;

export type ShaderName = keyof typeof SHADERS;
