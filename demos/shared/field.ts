// Functions of two variables on a grid, for the calculus and optimisation demos: the grid's points (to
// evaluate with gradbox in one batch), gradients at many points at once, values mapped to [0, 1] on a
// linear or log scale, and the picture (colour and contour lines) of a grid of values.
import type { Context, Tensor } from '../../src/index';
import { contours, drawGrid, sequential } from './draw';

/** A window of the plane: [x0, x1, y0, y1]. */
export type Range = readonly [number, number, number, number];

/** The centres of a side x side grid over `range`, (side * side, 2) flattened, row 0 at the top (largest y). */
export function gridPoints(range: Range, side: number): Float32Array {
  const [x0, x1, y0, y1] = range;
  const pts = new Float32Array(side * side * 2);
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      pts[2 * (j * side + i)] = x0 + ((x1 - x0) * (i + 0.5)) / side;
      pts[2 * (j * side + i) + 1] = y1 - ((y1 - y0) * (j + 0.5)) / side;
    }
  }
  return pts;
}

/**
 * The gradient of f at each of many points p (N, 2): f maps points to values (N); rows do not interact,
 * so the gradient of the sum is each point's own gradient, (N, 2), from one reverse pass.
 */
export function gradientsAt(gb: Context, f: (p: Tensor) => Tensor, p: Tensor): Tensor {
  return gb.grad((q: Tensor) => f(q).sum())(p)[0];
}

/** Maps values onto [0, 1] between a grid's lowest and highest values, linearly or on a log scale. */
export class Scale {
  readonly lo: number;
  readonly hi: number;
  private readonly s: number;
  constructor(
    values: ArrayLike<number>,
    readonly log: boolean,
  ) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) {
        lo = Math.min(lo, values[i]);
        hi = Math.max(hi, values[i]);
      }
    }
    this.lo = lo;
    this.hi = hi > lo ? hi : lo + 1;
    // On the log scale, values within s of the lowest share its colour: 1e-4 of the range spans four decades.
    this.s = (this.hi - this.lo) * 1e-4;
  }
  /** v's place in [0, 1] (outside for values outside the grid's range). */
  at(v: number): number {
    if (!this.log) return (v - this.lo) / (this.hi - this.lo);
    const d = Math.max(0, v - this.lo);
    return Math.log10(1 + d / this.s) / Math.log10(1 + (this.hi - this.lo) / this.s);
  }
}

/** Colours a side x side grid of values onto the canvas (dark low, bright high) with `levels` contour lines. */
export function drawField(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  side: number,
  scale: Scale,
  levels = 14,
): void {
  const t = Array.from(values, (v) => scale.at(v));
  drawGrid(canvas, side, side, (i) => sequential(t[i]));
  contours(
    canvas,
    t,
    side,
    side,
    Array.from({ length: levels }, (_, k) => (k + 0.5) / levels),
    'rgba(255,255,255,0.45)',
  );
}
