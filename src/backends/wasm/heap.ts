// The WebAssembly backend's memory: one WebAssembly.Memory that grows and never shrinks, carved into blocks
// by an allocator that reuses freed regions (a free list with coalescing), so steady loops stop growing it.
import { GradboxError } from '../../errors';

const PAGE = 65536;
/** Every block starts and ends on a 64-byte boundary (a cache line; 16 would do for SIMD loads). */
export const ALIGN = 64;
/**
 * Bytes [0, RESERVED) are never handed out: address 0 stays invalid, and the backend keeps small fixed
 * areas there (CONSTANTS, CONTROL, PLANS).
 */
export const RESERVED = 8192;
/** Two float32 slots for the number operands of a binary op. */
export const CONSTANTS = 1024;
/** The threads' control blocks (CONTROL_BYTES each, see threads.ts). */
export const CONTROL = 2048;
/** Per thread, the plan of its share of a matmul (see PLAN in kernels/matmul.ts). */
export const PLANS = 4096;
/** WebAssembly's 32-bit addresses: at most 65536 pages of 64 KiB. */
const MAX_PAGES = 65536;

const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
/** The free-list bin of a block of `size` bytes: floor(log2(size)). */
const binOf = (size: number) => 31 - Math.clz32(size);

/**
 * Blocks of one WebAssembly.Memory. Freed blocks merge with free neighbours and are reused first
 * (first fit in the smallest bin that can hold the request, splitting off the rest); only when none fits
 * does the heap's top move up, growing the memory. A block freed at the top lowers the top again.
 */
export class Heap {
  readonly memory: WebAssembly.Memory;
  /** All of memory as float32 elements; replaced whenever the memory grows (the old buffer detaches). */
  f32: Float32Array;
  /** All of memory as int32 elements, likewise. */
  i32: Int32Array;
  /** End of the highest block ever in use: bytes above it have never been handed out or were returned. */
  private top = RESERVED;
  private readonly live = new Map<number, number>(); // start -> size of blocks in use
  private readonly freeByStart = new Map<number, number>(); // start -> size
  private readonly freeByEnd = new Map<number, number>(); // end -> start
  private readonly bins: Set<number>[] = Array.from({ length: 32 }, () => new Set());
  private liveBytes = 0;
  /** Called after the memory grows (views into the old buffer are detached). */
  onGrow: (() => void) | null = null;

  /** @param shared a SharedArrayBuffer-backed memory, for threads. */
  constructor(shared = false) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** The start (a byte address, a multiple of 64) of a new block of at least `bytes` bytes. */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1));
    const start = this.takeFree(size) ?? this.takeTop(size, bytes);
    this.live.set(start, size);
    this.liveBytes += size;
    return start;
  }

  /** Returns a block obtained from alloc(). */
  free(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) throw new Error(`wasm heap: free of ${start}, which is not a live block`);
    this.live.delete(start);
    this.liveBytes -= size;
    let s = start;
    let n = size;
    const before = this.freeByEnd.get(s);
    if (before !== undefined) {
      n += this.freeByStart.get(before)!;
      this.unlist(before);
      s = before;
    }
    const after = this.freeByStart.get(s + n);
    if (after !== undefined) {
      this.unlist(s + n);
      n += after;
    }
    if (s + n === this.top) this.top = s;
    else this.list(s, n);
  }

  /** Bytes of memory in all (what the backend holds from the system). */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes in blocks in use (rounded up to whole blocks). */
  get used(): number {
    return this.liveBytes;
  }

  /** Number of blocks in use. */
  get blocks(): number {
    return this.live.size;
  }

  /** Free blocks below the top, as [start, size] pairs (for tests of the allocator). */
  freeBlocks(): [number, number][] {
    return [...this.freeByStart].sort((a, b) => a[0] - b[0]);
  }

  /** The heap's top: bytes from here on are unused. */
  get highWater(): number {
    return this.top;
  }

  private list(start: number, size: number): void {
    this.freeByStart.set(start, size);
    this.freeByEnd.set(start + size, start);
    this.bins[binOf(size)].add(start);
  }

  private unlist(start: number): void {
    const size = this.freeByStart.get(start)!;
    this.freeByStart.delete(start);
    this.freeByEnd.delete(start + size);
    this.bins[binOf(size)].delete(start);
  }

  private takeFree(size: number): number | null {
    const first = binOf(size);
    for (let b = first; b < 32; b++) {
      for (const start of this.bins[b]) {
        const have = this.freeByStart.get(start)!;
        if (have < size) continue; // only possible in the first bin
        this.unlist(start);
        if (have > size) this.list(start + size, have - size);
        return start;
      }
    }
    return null;
  }

  private takeTop(size: number, asked: number): number {
    const start = this.top;
    const end = start + size;
    if (end > this.capacity) this.grow(end, asked);
    this.top = end;
    return start;
  }

  /** Grows the memory to hold `end` bytes, by at least a quarter of its size (fewer, larger steps). */
  private grow(end: number, asked: number): void {
    const have = this.capacity / PAGE;
    const need = Math.ceil(end / PAGE);
    const pages = Math.min(MAX_PAGES, Math.max(need, have + Math.ceil(have / 4)));
    if (need > MAX_PAGES) {
      throw new GradboxError(
        `the wasm backend cannot hold ${asked} bytes: WebAssembly memory is limited to 4 GiB ` +
          `(${this.liveBytes} bytes are in use now). Use smaller tensors, dispose tensors you no longer need, ` +
          "or use { backend: 'webgpu' }.",
      );
    }
    try {
      try {
        this.memory.grow(pages - have);
      } catch {
        this.memory.grow(need - have); // the larger step was refused: ask for just what is needed
      }
    } catch (e) {
      throw new GradboxError(
        `the wasm backend could not grow its memory to ${need * PAGE} bytes for ${asked} more: the engine refused ` +
          `(${(e as Error).message}; ${this.liveBytes} bytes are in use now). Use smaller tensors or dispose ` +
          'tensors you no longer need.',
      );
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.onGrow?.();
  }
}
