// Philox4x32-10 in WebAssembly SIMD: four counter blocks at once, one per lane, with the 32 x 32 -> 64-bit
// products of each round from i64x2.extmul. The same function as src/random.ts and shaders/random.wgsl,
// so every backend draws the same stream for a seed.
import {
  type Code,
  f32x4,
  forRange,
  get,
  i32,
  i32x4,
  i64x2,
  type Local,
  type ModuleBuilder,
  seq,
  set,
  v128,
} from '../assembler';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** The lanes' own indices 0, 1, 2, 3. */
const LANE_INDEX = v128.const(new Uint8Array(new Int32Array([0, 1, 2, 3]).buffer));

/** The high 32 bits of the four 64-bit products lane by lane (the low 32 bits are i32x4.mul). */
const mulHi = (a: Code, b: Code): Code =>
  v128.shuffle(
    i64x2.extmulLowI32x4U(a, b),
    i64x2.extmulHighI32x4U(a, b),
    [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31],
  );

/**
 * philox(out, blocks, keyLo, keyHi, counterLo, counterHi, uniform): for blocks b < `blocks` (a multiple of
 * 4), the four words of block (counter + b) at out[4b..4b+3], as u32 (uniform = 0) or as float32 uniforms
 * in [0, 1) with their top 24 bits (uniform = 1).
 */
export function addRandom(m: ModuleBuilder): void {
  m.func(
    'philox',
    ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    null,
    (f, out, blocks, keyLo, keyHi, ctrLo, ctrHi, uniform) => {
      const b = f.local('i32');
      const r = f.local('i32');
      const c: Local[] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
      const k0 = f.local('v128');
      const k1 = f.local('v128');
      const hi0 = f.local('v128');
      const hi1 = f.local('v128');
      const lo0 = f.local('v128');
      const m0 = f.splat(M0, 'i32');
      const m1 = f.splat(M1, 'i32');
      const round = seq(
        set(hi0, mulHi(m0, get(c[0]))),
        set(lo0, i32x4.mul(m0, get(c[0]))),
        set(hi1, mulHi(m1, get(c[2]))),
        set(c[0], v128.xor(v128.xor(get(hi1), get(c[1])), get(k0))),
        set(c[1], i32x4.mul(m1, get(c[2]))),
        set(c[2], v128.xor(v128.xor(get(hi0), get(c[3])), get(k1))),
        set(c[3], get(lo0)),
        set(k0, i32x4.add(get(k0), f.splat(W0, 'i32'))),
        set(k1, i32x4.add(get(k1), f.splat(W1, 'i32'))),
      );
      // u >>> 8 is below 2^24: its conversion and the scaling by 2^-24 are exact.
      const unit = (w: Code) =>
        f32x4.mul(f32x4.convertI32x4S(i32x4.shrU(w, i32.const(8))), f.splat(2 ** -24));
      /** Word k of lane l goes to out[4 (b + l) + k]. */
      const store = (k: number, w: Local) =>
        [0, 1, 2, 3].map((l) =>
          v128.store32Lane(
            i32.add(get(out), i32.shl(i32.add(get(b), i32.const(l)), i32.const(4))),
            get(w),
            l,
            4 * k,
          ),
        );
      return forRange(
        b,
        i32.const(0),
        get(blocks),
        4,
        // Counters counter + b + lane as 64-bit (lo, hi): a carry where lo wrapped around.
        set(c[0], i32x4.add(i32x4.splat(i32.add(get(ctrLo), get(b))), LANE_INDEX)),
        set(c[1], i32x4.sub(i32x4.splat(get(ctrHi)), i32x4.ltU(get(c[0]), i32x4.splat(get(ctrLo))))),
        set(c[2], i32x4.const(0)),
        set(c[3], i32x4.const(0)),
        set(k0, i32x4.splat(get(keyLo))),
        set(k1, i32x4.splat(get(keyHi))),
        forRange(r, i32.const(0), i32.const(10), 1, round),
        c.map((w) =>
          set(w, v128.bitselect(unit(get(w)), get(w), i32x4.splat(i32.sub(i32.const(0), get(uniform))))),
        ),
        c.map((w, k) => store(k, w)),
      );
    },
  );
}
