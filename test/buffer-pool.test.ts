// The GPU buffer pool on a fake device that records createBuffer and destroy: sizes never pass the
// device's maxBufferSize, idle buffers go back to the device, and a steady loop neither grows nor churns.
import { describe, expect, it } from 'vitest';
import {
  BufferPool,
  bufferSizeFor,
  POOL_IDLE_BYTES,
  POOL_IDLE_SUBMITS,
  sizeClass,
} from '../src/backends/webgpu/buffer_pool';

const MiB = 2 ** 20;

/** A stand-in GPUDevice: enough for BufferPool, and a log of what it was asked to do. */
function fakeDevice(maxBufferSize = 2 ** 30) {
  const log = { created: [] as number[], destroyed: [] as number[] };
  const device = {
    limits: { maxBufferSize },
    createBuffer(desc: GPUBufferDescriptor) {
      if (desc.size > maxBufferSize) {
        throw new Error(`fake device: createBuffer of ${desc.size} bytes > maxBufferSize ${maxBufferSize}`);
      }
      log.created.push(desc.size);
      return { size: desc.size, label: desc.label, destroy: () => log.destroyed.push(desc.size) };
    },
  };
  return { device: device as unknown as GPUDevice, log };
}

const USAGE = 0x80; // STORAGE; the fake device does not look at it

describe('buffer pool: sizes', () => {
  it('rounds to classes of powers of two and 1.5x powers of two, at least 256 bytes', () => {
    expect([1, 256, 257, 384, 385, 512, 513, 1000, 3 * MiB + 4].map(sizeClass)).toEqual([
      256,
      256,
      384,
      384,
      512,
      512,
      768,
      1024,
      4 * MiB,
    ]);
  });

  it('never rounds past the limit: an allocation just under maxBufferSize is made at its own size', () => {
    // 3 MiB + 4 would be class 4 MiB, past a limit of 3.5 MiB.
    const { device, log } = fakeDevice(3.5 * MiB);
    const pool = new BufferPool(device, USAGE, 'test', { maxBufferSize: 3.5 * MiB });
    const b = pool.acquire(3 * MiB + 4);
    expect(log.created).toEqual([3 * MiB + 256]);
    expect(b.size).toBeGreaterThanOrEqual(3 * MiB + 4);
    // Right at the limit: the exact size.
    expect(pool.acquire(3.5 * MiB).size).toBe(3.5 * MiB);
  });

  it('takes the limit from the device when none is given', () => {
    const { device, log } = fakeDevice(1000);
    const pool = new BufferPool(device, USAGE, 'test');
    pool.acquire(900); // class 1024 > 1000
    expect(log.created).toEqual([900]);
  });

  it('bufferSizeFor keeps classes under the limit and rounds to 4 at the limit', () => {
    expect(bufferSizeFor(900, 2 ** 20)).toBe(1024);
    expect(bufferSizeFor(900, 1000)).toBe(900); // 1024 and its 256-byte rounding both pass 1000
    expect(bufferSizeFor(1100, 1400)).toBe(1280); // class 1536 passes 1400; 256-byte rounding fits
    expect(bufferSizeFor(999, 1000)).toBe(1000);
  });
});

describe('buffer pool: reuse and release of idle memory', () => {
  it('hands a released buffer out again only after a submit', () => {
    const { device, log } = fakeDevice();
    const pool = new BufferPool(device, USAGE, 'test');
    const a = pool.acquire(100);
    pool.release(a);
    expect(pool.idle()).toBe(256);
    expect(pool.acquire(100)).not.toBe(a); // work encoded before the submit may still use a
    pool.afterSubmit();
    expect(pool.acquire(100)).toBe(a);
    expect(log.created.length).toBe(2);
  });

  it('destroys a free buffer not reused within the idle submits, and idle() goes back down', () => {
    const { device, log } = fakeDevice();
    const forgotten: GPUBuffer[] = [];
    const pool = new BufferPool(device, USAGE, 'test', { onDestroy: (b) => forgotten.push(b) });
    const big = pool.acquire(16 * MiB); // under the byte budget: only the idle-submit rule applies
    pool.release(big);
    expect(pool.idle()).toBe(16 * MiB);
    pool.afterSubmit(); // free from here on
    for (let i = 0; i < POOL_IDLE_SUBMITS - 1; i++) pool.afterSubmit();
    expect(log.destroyed).toEqual([]);
    pool.afterSubmit();
    expect(log.destroyed).toEqual([16 * MiB]);
    expect(forgotten).toEqual([big]);
    expect(pool.idle()).toBe(0);
    expect(pool.allocatedBytes).toBe(0);
  });

  it('keeps idle bytes under the budget: a large temporary is gone one submit after it became free', () => {
    const { device, log } = fakeDevice();
    const pool = new BufferPool(device, USAGE, 'test');
    const huge = pool.acquire(POOL_IDLE_BYTES + 1);
    const small = pool.acquire(1000);
    pool.release(huge);
    pool.release(small);
    pool.afterSubmit(); // free since this submit: exempt, the next step may reuse them
    expect(log.destroyed).toEqual([]);
    pool.afterSubmit();
    expect(log.destroyed).toEqual([huge.size]);
    expect(pool.idle()).toBe(small.size);
  });

  it('a steady loop whose temporaries exceed the budget neither grows nor churns', () => {
    const { device, log } = fakeDevice();
    const pool = new BufferPool(device, USAGE, 'test', { idleBytes: 1000 });
    for (let step = 0; step < 100; step++) {
      const bufs = [pool.acquire(4096), pool.acquire(4096), pool.acquire(300)];
      bufs.forEach((b) => pool.release(b));
      pool.afterSubmit();
    }
    expect(log.created.length).toBe(3);
    expect(log.destroyed).toEqual([]);
  });

  it('trim and destroy give every held buffer back', () => {
    const { device, log } = fakeDevice();
    const pool = new BufferPool(device, USAGE, 'test');
    const [a, b, c] = [pool.acquire(10), pool.acquire(5000), pool.acquire(10)];
    pool.release(a);
    pool.release(b);
    pool.afterSubmit();
    pool.trim();
    expect(log.destroyed.sort()).toEqual([256, 6144]);
    pool.release(c); // released, not yet submitted: destroy() still frees it
    pool.destroy();
    expect(log.destroyed.length).toBe(3);
    expect(pool.idle()).toBe(0);
    expect(pool.allocatedBytes).toBe(0);
  });
});
