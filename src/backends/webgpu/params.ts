// Packs kernel parameters into the bytes of a WGSL uniform struct (u32, f32 and vec4<u32> arrays).
// The field order of each builder chain must match the struct in the shader it feeds.

export class Params {
  private words: number[] = [];
  private kinds: ('u' | 'f')[] = [];

  u32(...values: number[]): this {
    for (const v of values) {
      this.words.push(v >>> 0);
      this.kinds.push('u');
    }
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) {
      this.words.push(v);
      this.kinds.push('f');
    }
    return this;
  }

  /** A WGSL `array<vec4<u32>, slots>`: pads to 16 bytes first, then writes values padded with zeros. */
  u32x4(values: readonly number[], slots: number): this {
    this.align(4);
    for (let i = 0; i < slots * 4; i++) this.u32(values[i] ?? 0);
    return this;
  }

  /** Pads with zero words to a multiple of `words` words. */
  align(words: number): this {
    while (this.words.length % words !== 0) this.u32(0);
    return this;
  }

  bytes(): ArrayBuffer {
    this.align(4); // uniform structs are sized in multiples of 16 bytes
    const buf = new ArrayBuffer(this.words.length * 4);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    this.words.forEach((w, i) => {
      if (this.kinds[i] === 'u') u[i] = w;
      else f[i] = w;
    });
    return buf;
  }
}
