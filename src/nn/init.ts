// Seeded weight initialisations for layers, built from gb.rand / gb.randn.
import type { Context } from '../context';
import { describe, GradboxError } from '../errors';
import type { Tensor } from '../tensor';

/** How to fill a weight matrix (fanIn, fanOut). */
export type Init = 'glorot' | 'xavier' | 'he' | 'zeros' | 'normal';
export const INITS: readonly Init[] = ['glorot', 'xavier', 'he', 'zeros', 'normal'];

/**
 * A (fanIn, fanOut) weight matrix: Glorot/Xavier uniform in ±sqrt(6 / (fanIn + fanOut)), He normal with
 * std sqrt(2 / fanIn) (for ReLU), zeros, or normal with std 0.01.
 */
export function initWeights(gb: Context, init: Init, fanIn: number, fanOut: number, seed: number): Tensor {
  const shape = [fanIn, fanOut];
  switch (init) {
    case 'glorot':
    case 'xavier': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return gb.rand(shape, { seed, low: -limit, high: limit });
    }
    case 'he':
      return gb.randn(shape, { seed, std: Math.sqrt(2 / fanIn) });
    case 'zeros':
      return gb.zeros(shape);
    case 'normal':
      return gb.randn(shape, { seed, std: 0.01 });
    default:
      throw new GradboxError(
        `init: unknown initialisation ${describe(init)}; expected one of ${INITS.join(', ')}`,
      );
  }
}
