// Special functions as broadcasting elementwise kernels on typed arrays, in float64 through
// src/special/scalar.ts: the meaning shaders/special.wgsl computes in float32.
import * as scalar from '../../special/scalar';
import type { Operand, SpecialOp } from '../backend';
import { broadcastMap } from './elementwise';
import type { CpuStorage } from './storage';

/** Each special function of numbers, by op name. */
export const SPECIAL_FN: Record<SpecialOp, (...args: number[]) => number> = {
  lgamma: scalar.lgamma,
  digamma: scalar.digamma,
  trigamma: scalar.trigamma,
  erfinv: scalar.erfinv,
  erfc: scalar.erfc,
  erfcinv: scalar.erfcinv,
  gammaP: scalar.gammaP,
  gammaQ: scalar.gammaQ,
  betaI: scalar.betaI,
};

export function special(
  op: SpecialOp,
  operands: readonly Operand[],
  outShape: readonly number[],
): CpuStorage {
  return broadcastMap(operands, outShape, SPECIAL_FN[op]);
}
