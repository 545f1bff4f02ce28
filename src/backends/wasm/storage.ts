// The WebAssembly backend's storage: a block of the heap's memory. Its `data` is a Float32Array view made on
// demand (the memory's buffer is replaced when it grows), so the TypeScript kernels can read it directly.
import type { Storage } from '../backend';
import type { CpuStorage } from '../cpu/storage';
import type { Heap } from './heap';

/** Elements [ptr/4, ptr/4 + length) of a heap's memory; `owner` is false for a view into another block. */
export class WasmStorage implements CpuStorage {
  constructor(
    readonly heap: Heap,
    /** Byte address of element 0. */
    readonly ptr: number,
    readonly length: number,
    readonly owner: boolean,
  ) {}

  /** A view of the elements in the memory's current buffer (do not keep it across an allocation). */
  get data(): Float32Array {
    const i = this.ptr >>> 2;
    return this.heap.f32.subarray(i, i + this.length);
  }
}

/** The storage as WasmStorage (every storage this backend hands out is one). */
export const asWasm = (x: Storage): WasmStorage => x as WasmStorage;
