// stats.bootstrap: a percentile confidence interval for any statistic, with every resample drawn and
// evaluated in one batched pass on the device: Philox indices (resamples, n), one gather, the statistic
// applied to all resamples at once, two quantiles, one readback.
import { describe, fmtShape, GradboxError } from '../errors';
import type { Tensor } from '../tensor';
import { checkInRange, checkTensor, readScalars } from './common';
import { quantile } from './quantile';

/** Options of {@link bootstrap}. */
export interface BootstrapOptions {
  /** How many resamples to draw (default 9999, as SciPy). Memory: resamples x x.size floats. */
  resamples?: number;
  /** Seed of the resampling indices (gb.randint's Philox stream); default: the context's stream. */
  seed?: number;
  /** Confidence level of the interval, in (0, 1). Default 0.95. */
  level?: number;
}

/** What {@link bootstrap} returns: the statistic on the data and the percentile interval around it. */
export interface BootstrapResult {
  /** The statistic of the original sample. */
  estimate: number;
  /** The (1 - level) / 2 quantile of the resampled statistics. */
  low: number;
  /** The (1 + level) / 2 quantile of the resampled statistics. */
  high: number;
}

/**
 * A bootstrap percentile interval. x (n, ...) holds n observations along its first axis. The resamples
 * are `x.gather(gb.randint([resamples, n], 0, n, { seed }), 0)`, shape (resamples, n, ...): `statistic`
 * receives them all at once and must return one value per resample, shape (resamples), e.g.
 * `(s) => s.mean(1)` or `(s) => stats.median(s, 1)`. The estimate is `statistic` of x as one resample
 * (shape (1, n, ...)); low and high are the quantiles (1 -+ level) / 2 of the resampled values, with
 * linear interpolation (SciPy's `bootstrap(..., method='percentile')`).
 * @example
 * const { low, high, estimate } = await stats.bootstrap(x, (s) => s.mean(1), { resamples: 10000, seed: 1 });
 */
export async function bootstrap(
  x: Tensor,
  statistic: (resamples: Tensor) => Tensor,
  options: BootstrapOptions = {},
): Promise<BootstrapResult> {
  const op = 'stats.bootstrap';
  const t = checkTensor(op, 'x', x);
  if (typeof statistic !== 'function') {
    throw new GradboxError(
      `${op}: statistic must be a function of a (resamples, n, ...) tensor, got ${describe(statistic)}`,
    );
  }
  if (t.shape.length === 0 || t.shape[0] < 2) {
    throw new GradboxError(
      `${op}: x needs at least 2 observations along its first axis, got shape ${fmtShape(t.shape)}`,
    );
  }
  const resamples = checkInRange(op, 'resamples', options.resamples ?? 9999, 1, 2 ** 24, { integer: true });
  const level = checkInRange(op, 'level', options.level ?? 0.95, 0, 1, { open: true });
  const n = t.shape[0];
  const gb = t.ctx;
  const applied = (s: Tensor, count: number, what: string) => {
    const v = statistic(s);
    const ok = v && typeof v === 'object' && 'shape' in v && v.shape.length === 1 && v.shape[0] === count;
    if (!ok) {
      throw new GradboxError(
        `${op}: statistic must map ${what} ${fmtShape(s.shape)} to one value per resample, shape (${count}), ` +
          `got ${v && typeof v === 'object' && 'shape' in v ? fmtShape(v.shape) : describe(v)}; reduce along axis 1`,
      );
    }
    return v;
  };
  const [low, high, estimate] = await readScalars(gb, () => {
    const indices = gb.randint([resamples, n], 0, n, { seed: options.seed });
    const values = applied(t.gather(indices, 0), resamples, 'the resamples');
    const alpha = (1 - level) / 2;
    const interval = quantile(values, [alpha, 1 - alpha]);
    return [interval.slice([0], [1]), interval.slice([1]), applied(t.expandDims(0), 1, 'the sample')];
  });
  return { low, high, estimate };
}
