// Packs kernel parameters into the bytes of a WGSL uniform struct (u32, f32 and vec4<u32> arrays).
// The field order of each builder chain must match the struct in the shader it feeds.

/** Scratch views that turn an f32 into its bits, so every word is stored as a u32 and copied as one. */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

export class Params {
  /** The struct's words as raw u32 bits (f32 values already converted). */
  private words: number[] = [];

  u32(...values: number[]): this {
    for (const v of values) this.words.push(v >>> 0);
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) {
      F32[0] = v;
      this.words.push(U32[0]);
    }
    return this;
  }

  /** A WGSL `array<vec4<u32>, slots>`: pads to 16 bytes first, then writes values padded with zeros. */
  u32x4(values: readonly number[], slots: number): this {
    this.align(4);
    for (let i = 0; i < slots * 4; i++) this.words.push((values[i] ?? 0) >>> 0);
    return this;
  }

  /** Pads with zero words to a multiple of `words` words. */
  align(words: number): this {
    while (this.words.length % words !== 0) this.words.push(0);
    return this;
  }

  /** The size of the struct in bytes: uniform structs are sized in multiples of 16 bytes. */
  get byteLength(): number {
    return Math.ceil(this.words.length / 4) * 16;
  }

  /**
   * Writes the struct at word `at` of `target` (zero padding included) and returns its byte length. The
   * runner packs every dispatch's parameters of a submit into one buffer this way, without a copy each.
   */
  writeTo(target: Uint32Array, at: number): number {
    const w = this.words;
    const n = w.length;
    for (let i = 0; i < n; i++) target[at + i] = w[i];
    const bytes = this.byteLength;
    for (let i = n; i < bytes / 4; i++) target[at + i] = 0;
    return bytes;
  }

  bytes(): ArrayBuffer {
    const buf = new ArrayBuffer(this.byteLength);
    this.writeTo(new Uint32Array(buf), 0);
    return buf;
  }
}
