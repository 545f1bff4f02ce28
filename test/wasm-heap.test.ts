// The wasm backend's allocator: blocks never overlap, freed blocks are reused and merge with free
// neighbours, the memory grows but never shrinks, and steady tidy loops stop growing it.
import { expect, it } from 'vitest';
import { ALIGN, Heap, RESERVED } from '../src/backends/wasm/heap';
import type { WasmBackend } from '../src/backends/wasm/wasm_backend';
import { createContext } from '../src/index';
import { lcg } from './helpers/close';

/** Checks the heap's invariants against the blocks the test believes are live. */
function checkHeap(heap: Heap, live: Map<number, number>): void {
  const spans = [...live].map(([start, bytes]) => [start, start + Math.ceil(bytes / ALIGN) * ALIGN]);
  spans.push(...heap.freeBlocks().map(([s, n]) => [s, s + n]));
  spans.sort((a, b) => a[0] - b[0]);
  let end = RESERVED;
  for (const [s, e] of spans) {
    expect(s % ALIGN, `block at ${s} is aligned`).toBe(0);
    expect(s, `block at ${s} starts after the previous one ends (${end})`).toBeGreaterThanOrEqual(end);
    end = e;
  }
  // Live and free blocks tile [RESERVED, top) without gaps, and no free block sits at the top.
  expect(end).toBe(heap.highWater);
  const tiled = spans.reduce((n, [s, e]) => n + e - s, 0);
  expect(tiled).toBe(heap.highWater - RESERVED);
  const free = heap.freeBlocks();
  for (let i = 1; i < free.length; i++) {
    expect(free[i - 1][0] + free[i - 1][1], 'free neighbours are merged').toBeLessThan(free[i][0]);
  }
}

it('random allocations and frees: no overlap, neighbours merge, everything freed empties the heap', () => {
  const heap = new Heap();
  const live = new Map<number, number>();
  const rand = lcg(7);
  for (let step = 0; step < 3000; step++) {
    if (live.size > 0 && rand() < 0.45) {
      const keys = [...live.keys()];
      const start = keys[Math.floor(rand() * keys.length)];
      heap.free(start);
      live.delete(start);
    } else {
      // Sizes from 1 byte to 256 KiB, log-uniform, as tensors come.
      const bytes = Math.max(1, Math.floor(2 ** (rand() * 18)));
      const start = heap.alloc(bytes);
      expect(live.has(start)).toBe(false);
      live.set(start, bytes);
      // The block is usable: write its first and last float and read them back.
      heap.f32[start / 4] = step;
      heap.f32[(start + Math.ceil(bytes / 4) * 4) / 4 - 1] = -step;
    }
    if (step % 100 === 0) checkHeap(heap, live);
  }
  checkHeap(heap, live);
  for (const start of live.keys()) heap.free(start);
  expect(heap.freeBlocks()).toEqual([]);
  expect(heap.highWater).toBe(RESERVED);
  expect(heap.used).toBe(0);
});

it('a freed block is reused by a request of the same or a smaller size, and the rest stays free', () => {
  const heap = new Heap();
  const a = heap.alloc(4096);
  const guard = heap.alloc(64); // keeps a's block from merging into the top
  heap.free(a);
  expect(heap.alloc(4096)).toBe(a);
  heap.free(a);
  const small = heap.alloc(1000);
  expect(small).toBe(a);
  expect(heap.freeBlocks()).toEqual([[a + 1024, 4096 - 1024]]);
  heap.free(small);
  expect(heap.freeBlocks()).toEqual([[a, 4096]]);
  heap.free(guard);
  expect(heap.freeBlocks()).toEqual([]);
  expect(heap.highWater).toBe(RESERVED);
});

it('the memory grows for a large request and keeps its size after the block is freed', () => {
  const heap = new Heap();
  const before = heap.capacity;
  let grew = 0;
  heap.onGrow = () => grew++;
  const big = heap.alloc(before * 3);
  expect(heap.capacity).toBeGreaterThanOrEqual(before * 3 + RESERVED);
  expect(grew).toBe(1);
  expect(heap.f32.length * 4).toBe(heap.capacity); // the view follows the new buffer
  heap.free(big);
  const after = heap.capacity;
  expect(after).toBeGreaterThan(before); // never shrinks
  heap.alloc(before * 3); // fits again without growing
  expect(heap.capacity).toBe(after);
  expect(grew).toBe(1);
});

it('a double free is an error, not a corrupted heap', () => {
  const heap = new Heap();
  const a = heap.alloc(100);
  heap.free(a);
  expect(() => heap.free(a)).toThrow(/not a live block/);
});

it('10,000 tidy iterations of a training-like step do not grow WebAssembly memory', async () => {
  const gb = await createContext({ backend: 'wasm' });
  try {
    const heap = (gb.engine as WasmBackend).heap;
    const w = gb.randn([64, 32], { seed: 3 });
    const x = gb.randn([48, 64], { seed: 4 });
    const step = () =>
      gb
        .tidy(() => {
          const h = x.matmul(w).relu();
          const loss = h.softmax().logSumExp(1).mean();
          return loss.mul(0);
        })
        .dispose();
    for (let i = 0; i < 10; i++) step(); // the first steps set the high-water mark
    const start = { memory: gb.memory(), capacity: heap.capacity, top: heap.highWater };
    for (let i = 0; i < 10_000; i++) step();
    expect(gb.memory()).toEqual(start.memory);
    expect(heap.capacity).toBe(start.capacity);
    expect(heap.highWater).toBe(start.top);
    w.dispose();
    x.dispose();
    // Everything freed: memory() counts no bytes, and the pool holds all the memory but its reserved start.
    expect(gb.memory()).toEqual({ tensors: 0, bytes: 0, poolBytes: heap.capacity - RESERVED });
  } finally {
    gb.dispose();
  }
}, 60_000);

it('memory() is truthful: bytes of live tensors plus the pool make up the whole WebAssembly memory', async () => {
  const gb = await createContext({ backend: 'wasm' });
  try {
    const heap = (gb.engine as WasmBackend).heap;
    const a = gb.zeros([1000]);
    const b = gb.ones([3, 7]);
    const m = gb.memory();
    expect(m.bytes).toBe(4 * (1000 + 21));
    expect(m.bytes + m.poolBytes).toBe(heap.capacity - RESERVED);
    a.dispose();
    b.dispose();
  } finally {
    gb.dispose();
  }
});
