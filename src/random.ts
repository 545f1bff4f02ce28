// Philox4x32-10, the counter-based generator behind rand/randn, on the CPU.
// shaders/random.wgsl computes the same function, so both backends draw the same stream for a seed.
import { describe, GradboxError } from './errors';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** The 64-bit key of a generator: the seed split into two 32-bit words. */
export interface PhiloxKey {
  lo: number;
  hi: number;
}

/** Checks a user seed (an integer in 0..2^53-1) and turns it into a Philox key. */
export function seedToKey(op: string, seed: unknown): PhiloxKey {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new GradboxError(
      `${op}: seed must be a non-negative integer up to 2^53-1, got ${describe(seed)}; e.g. { seed: 42 }`,
    );
  }
  return seedWords(seed);
}

/** High and low 32 bits of the 64-bit product of two u32s (exact, via 16-bit halves). */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
  return [hi, lo];
}

/** One Philox4x32-10 block: four u32 outputs for counter (c0..c3) under a key. Writes into `out`. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, key: PhiloxKey, out: Uint32Array) {
  let k0 = key.lo >>> 0;
  let k1 = key.hi >>> 0;
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Maps a u32 to a float32 uniform in [0, 1) with 24 random bits (exactly representable). */
export function u32ToUnit(u: number): number {
  return (u >>> 8) * 2 ** -24;
}

/** Maps a u32 to a float32 uniform in (0, 1], safe for log(). */
export function u32ToUnitOpen(u: number): number {
  return ((u >>> 8) + 1) * 2 ** -24;
}

/** Splits a non-negative integer below 2^53 into two 32-bit words. */
export function seedWords(x: number): PhiloxKey {
  return { lo: x >>> 0, hi: Math.floor(x / 2 ** 32) >>> 0 };
}

/**
 * A small seeded generator of uniform numbers in [0, 1) on the host (mulberry32): for shuffling batches and
 * generating demo data, where the stream need not match the GPU's. Tensors use Philox (rand, randn).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A context's stream of Philox numbers for rand/randn calls without a seed of their own: each draw of n
 * numbers takes the next ceil(n / 4) counter blocks, so draws never overlap and replay from the seed.
 */
export class RandomStream {
  private counter = 0;
  constructor(readonly key: PhiloxKey) {}

  /** The key and first counter block of the next draw of n numbers. */
  next(n: number): { key: PhiloxKey; counter: number } {
    const counter = this.counter;
    this.counter += Math.ceil(n / 4);
    return { key: this.key, counter };
  }
}
