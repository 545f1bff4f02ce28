// Samplers with a loop per element (Gamma, Poisson, Binomial, Categorical, Multinomial) on typed arrays:
// the meaning shaders/distributions.wgsl computes. Each element draws from a Philox stream of its own, so
// the same words feed the same decisions on both backends, whatever the other elements do.
import { type PhiloxKey, philox4x32, u32ToUnit, u32ToUnitOpen } from '../../random';
import { log1pmx } from '../../special/scalar';
import type { SamplerFamily } from '../backend';
import { alloc, type CpuStorage, type FloatArray, type FloatArrayConstructor } from './storage';

/** Rounds a rejection sampler may take before it gives up with NaN (each accepts with probability > 0.5). */
export const MAX_REJECTION_ROUNDS = 64;

/** Philox blocks (counter + i, 0, j, 0), j = 0, 1, ..., of element i, read one 32-bit word at a time. */
class ElementStream {
  private readonly block = new Uint32Array(4);
  private lane = 4;
  private j = 0;
  private lo = 0;
  private hi = 0;
  constructor(
    private readonly key: PhiloxKey,
    private readonly counter: number,
  ) {}

  /** Starts element i's stream. */
  start(i: number): void {
    const c = this.counter + i;
    this.lo = c >>> 0;
    this.hi = Math.floor(c / 2 ** 32) >>> 0;
    this.j = 0;
    this.lane = 4;
  }
  word(): number {
    if (this.lane === 4) {
      philox4x32(this.lo, this.hi, this.j, 0, this.key, this.block);
      this.j++;
      this.lane = 0;
    }
    return this.block[this.lane++];
  }
  /** Uniform in [0, 1). */
  unit(): number {
    return u32ToUnit(this.word());
  }
  /** Uniform in (0, 1]. */
  unitOpen(): number {
    return u32ToUnitOpen(this.word());
  }
  /** A standard normal by Box-Muller: the radius from the first word, the angle from the second. */
  normal(): number {
    const r = Math.sqrt(-2 * Math.log(this.unitOpen()));
    return r * Math.cos(2 * Math.PI * this.unit());
  }
}

/** Gamma(alpha, 1) by Marsaglia and Tsang (2000); alpha < 1 through Gamma(alpha + 1) U^(1/alpha). */
function gamma(s: ElementStream, alpha: number): number {
  if (!(alpha > 0)) return NaN;
  if (alpha === Infinity) return Infinity;
  const a = alpha < 1 ? alpha + 1 : alpha;
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let round = 0; round < MAX_REJECTION_ROUNDS; round++) {
    const x = s.normal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = s.unitOpen();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      const g = d * v;
      return alpha < 1 ? g * Math.exp(Math.log(s.unitOpen()) / alpha) : g;
    }
  }
  return NaN;
}

/** log(k!) - [(k + 1/2) log k - k + log sqrt(2 pi)], Stirling's error (Loader 2000), for integers k >= 1. */
const STIRLING_ERROR_SMALL = [
  0, 0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
  0.01387612882307075, 0.01189670994589177, 0.0104112652619721, 0.009255462182712733,
];

function stirlingError(k: number): number {
  if (k < 10) return STIRLING_ERROR_SMALL[k];
  const r = 1 / k;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 / 1260));
}

/** Loader's deviance term x log(x / m) + m - x, as m ((1 + d) log1pmx(d) + d^2) with d = (x - m)/m. */
function deviance(x: number, m: number): number {
  const d = (x - m) / m;
  const l = Math.abs(d) > 0.3 ? Math.log(x / m) - d : log1pmx(d);
  return m * ((1 + d) * l + d * d);
}

/** log P(K = k) for K ~ Poisson(rate), k a non-negative integer (Loader's saddle-point form). */
export function poissonLogPmf(k: number, rate: number): number {
  if (k === 0) return -rate;
  return -stirlingError(k) - deviance(k, rate) - 0.5 * Math.log(2 * Math.PI * k);
}

/** log P(K = k) for K ~ Binomial(n, p), 0 < p < 1 (Loader's saddle-point form). */
export function binomialLogPmf(k: number, n: number, p: number): number {
  if (k === 0) return n * Math.log1p(-p);
  if (k === n) return n * Math.log(p);
  const nk = n - k;
  return (
    stirlingError(n) -
    stirlingError(k) -
    stirlingError(nk) -
    deviance(k, n * p) -
    deviance(nk, n * (1 - p)) +
    0.5 * Math.log(n / (2 * Math.PI * k * nk))
  );
}

/** Poisson(rate): inversion by sequential search below rate 10, Hormann's PTRS (1993) from 10. */
function poisson(s: ElementStream, rate: number): number {
  if (!(rate >= 0)) return NaN;
  if (rate === 0) return 0;
  if (rate === Infinity) return Infinity;
  if (rate < 10) {
    const u = s.unit();
    let k = 0;
    let p = Math.exp(-rate);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= rate / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(rate);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (let round = 0; round < MAX_REJECTION_ROUNDS; round++) {
    const u = s.unit() - 0.5;
    const v = s.unit();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v * invAlpha) - Math.log(a / (us * us) + b) <= poissonLogPmf(k, rate)) return k;
  }
  return NaN;
}

/** Binomial(n, p): inversion below n min(p, 1 - p) = 10, Hormann's BTRS (1993) above. */
function binomial(s: ElementStream, n: number, p: number): number {
  if (!(n >= 0) || !Number.isInteger(n) || !(p >= 0 && p <= 1)) return NaN;
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  const pp = flip ? 1 - p : p;
  const q = 1 - pp;
  let k: number;
  if (n * pp < 10) {
    const odds = pp / q;
    const a = (n + 1) * odds;
    let r = Math.exp(n * Math.log1p(-pp));
    let u = s.unit();
    k = 0;
    while (u >= r && k < n && k < 1000) {
      u -= r;
      k++;
      r *= a / k - odds;
    }
  } else {
    const spq = Math.sqrt(n * pp * q);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * pp;
    const c = n * pp + 0.5;
    const alpha = (2.83 + 5.1 / b) * spq;
    const vr = 0.92 - 4.2 / b;
    const m = Math.floor((n + 1) * pp);
    const logPmfMode = binomialLogPmf(m, n, pp);
    k = NaN;
    for (let round = 0; round < MAX_REJECTION_ROUNDS; round++) {
      const u = s.unit() - 0.5;
      const v = s.unit();
      const us = 0.5 - Math.abs(u);
      const candidate = Math.floor(((2 * a) / us + b) * u + c);
      if (candidate < 0 || candidate > n) continue;
      if (us >= 0.07 && v <= vr) {
        k = candidate;
        break;
      }
      if (Math.log((v * alpha) / (a / (us * us) + b)) <= binomialLogPmf(candidate, n, pp) - logPmfMode) {
        k = candidate;
        break;
      }
    }
  }
  return flip ? n - k : k;
}

/** The first j with cdf[j] > u cdf[width - 1] in one non-decreasing row (binary search). */
function categorical(s: ElementStream, cdf: FloatArray, row: number, width: number): number {
  const total = cdf[row + width - 1];
  const target = s.unit() * total;
  if (!(total > 0) || !Number.isFinite(total)) return NaN;
  let lo = 0;
  let hi = width - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[row + mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One multinomial row: counts of `n` draws over `width` categories by conditional binomials. */
function multinomialRow(
  s: ElementStream,
  n: number,
  probs: FloatArray,
  row: number,
  width: number,
  out: FloatArray,
  at: number,
): void {
  let total = 0;
  for (let j = 0; j < width; j++) total += probs[row + j];
  let remaining = n;
  let massLeft = total;
  for (let j = 0; j < width; j++) {
    let x: number;
    if (j === width - 1) x = remaining;
    else if (remaining <= 0) x = 0;
    else {
      const pj = massLeft > 0 ? Math.min(1, Math.max(0, probs[row + j] / massLeft)) : 1;
      x = binomial(s, remaining, pj);
    }
    massLeft -= probs[row + j];
    remaining -= x;
    out[at + j] = x;
  }
}

export function sample(
  F: FloatArrayConstructor,
  family: SamplerFamily,
  params: readonly CpuStorage[],
  batch: number,
  length: number,
  key: PhiloxKey,
  counter: number,
  width: number,
): CpuStorage {
  const s = new ElementStream(key, counter);
  const [p0, p1] = params.map((x) => x.data);
  if (family === 'multinomial') {
    const out = alloc(F, length * width);
    for (let i = 0; i < length; i++) {
      s.start(i);
      const b = i % batch;
      multinomialRow(s, p0[b], p1, b * width, width, out, i * width);
    }
    return { length: out.length, data: out };
  }
  const out = alloc(F, length);
  for (let i = 0; i < length; i++) {
    s.start(i);
    const b = i % batch;
    switch (family) {
      case 'gamma':
        out[i] = gamma(s, p0[b]);
        break;
      case 'poisson':
        out[i] = poisson(s, p0[b]);
        break;
      case 'binomial':
        out[i] = binomial(s, p0[b], p1[b]);
        break;
      case 'categorical':
        out[i] = categorical(s, p0, b * width, width);
        break;
    }
  }
  return { length, data: out };
}
