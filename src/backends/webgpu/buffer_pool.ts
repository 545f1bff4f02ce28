// Reuses GPU buffers by size class so a training loop does not create and destroy buffers every step.
// A released buffer becomes reusable only after the next submit: work already encoded may still read it.

/**
 * A free buffer not handed out again within this many submits is destroyed. A training loop reuses its
 * buffers every step (one or two submits), so this only catches buffers of work that stopped: a large
 * temporary, an evaluation pass that ran once.
 */
export const POOL_IDLE_SUBMITS = 32;

/**
 * Bytes of free buffers that may sit unused for longer than one submit before the least recently used are
 * destroyed. Buffers released since the previous submit never count against it, so a steady loop whose
 * per-step temporaries exceed it does not churn; a one-off large temporary is gone a submit later.
 */
export const POOL_IDLE_BYTES = 64 * 2 ** 20;

/** The smallest buffer the pool makes: tiny tensors share one class instead of one class per size. */
const MIN_CLASS = 256;

/** Rounds a byte size up to its class: powers of two and 1.5x powers of two, at least 256 bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  return bytes <= p * 0.75 ? p * 0.75 : p;
}

/**
 * The size of the buffer the pool makes for `bytes`: its class, unless the class would pass the device's
 * `maxBufferSize`; then the request rounded up to 256 bytes (or to 4, right at the limit), so a buffer
 * that fits the device is never refused because of rounding.
 */
export function bufferSizeFor(bytes: number, maxBufferSize: number): number {
  const cls = sizeClass(bytes);
  if (cls <= maxBufferSize) return cls;
  const rounded = Math.ceil(bytes / MIN_CLASS) * MIN_CLASS;
  return rounded <= maxBufferSize ? rounded : Math.ceil(bytes / 4) * 4;
}

/** How a pool holds on to idle memory; every field has a default (see the constants above). */
export interface PoolOptions {
  /** The device's maxBufferSize: no buffer is made larger than this, whatever its size class. */
  maxBufferSize?: number;
  /** See POOL_IDLE_SUBMITS. */
  idleSubmits?: number;
  /** See POOL_IDLE_BYTES. */
  idleBytes?: number;
  /** Called for each buffer the pool destroys, so caches keyed by it (bind groups) can drop it. */
  onDestroy?: (buffer: GPUBuffer) => void;
}

/** A free buffer, its size, and the submit count when it became free (its last use). */
interface Idle {
  buffer: GPUBuffer;
  size: number;
  since: number;
}

export class BufferPool {
  /** Free buffers by size, most recently freed last (handed out first: it is the likeliest still cached). */
  private free = new Map<number, Idle[]>();
  private released: GPUBuffer[] = [];
  private releasedSizes: number[] = [];
  /**
   * The size of every buffer this pool made, kept on the JS side: reading GPUBuffer.size calls into the
   * WebGPU implementation, which showed in the per-dispatch cost.
   */
  private sizes = new WeakMap<GPUBuffer, number>();
  private releasedBytes = 0;
  private freeBytes = 0;
  /** Submits seen so far: the clock of the idle rules. */
  private submits = 0;
  private readonly maxBufferSize: number;
  private readonly idleSubmits: number;
  private readonly idleBytes: number;
  private readonly onDestroy: ((buffer: GPUBuffer) => void) | undefined;
  /** Bytes of buffers created by this pool and not destroyed (in use or waiting in the pool). */
  allocatedBytes = 0;
  created = 0;
  destroyed = 0;

  constructor(
    private device: GPUDevice,
    private usage: GPUBufferUsageFlags,
    private label: string,
    options: PoolOptions = {},
  ) {
    this.maxBufferSize = options.maxBufferSize ?? device.limits?.maxBufferSize ?? Infinity;
    this.idleSubmits = options.idleSubmits ?? POOL_IDLE_SUBMITS;
    this.idleBytes = options.idleBytes ?? POOL_IDLE_BYTES;
    this.onDestroy = options.onDestroy;
  }

  /** A buffer of at least `bytes` bytes: a free one of the same size when there is one, else a new one. */
  acquire(bytes: number): GPUBuffer {
    const size = bufferSizeFor(bytes, this.maxBufferSize);
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.freeBytes -= size;
      return reused.buffer;
    }
    this.created++;
    this.allocatedBytes += size;
    const buffer = this.device.createBuffer({
      size,
      usage: this.usage,
      label: `${this.label}#${this.created}`,
    });
    this.sizes.set(buffer, size);
    return buffer;
  }

  /** Gives a buffer back; it is handed out again only after `afterSubmit` (see the module header). */
  release(buffer: GPUBuffer): void {
    const size = this.sizes.get(buffer) ?? buffer.size;
    this.released.push(buffer);
    this.releasedSizes.push(size);
    this.releasedBytes += size;
  }

  /** Bytes this pool holds that nobody uses: free buffers and released ones waiting for a submit. */
  idle(): number {
    return this.freeBytes + this.releasedBytes;
  }

  /**
   * Called after every queue submit: released buffers become reusable, and free buffers past the idle
   * rules (POOL_IDLE_SUBMITS, POOL_IDLE_BYTES) are destroyed.
   */
  afterSubmit(): void {
    const now = ++this.submits;
    const recent = this.releasedBytes;
    for (let i = 0; i < this.released.length; i++) {
      const idle = { buffer: this.released[i], size: this.releasedSizes[i], since: now };
      const list = this.free.get(idle.size);
      if (list) list.push(idle);
      else this.free.set(idle.size, [idle]);
      this.freeBytes += idle.size;
    }
    this.released = [];
    this.releasedSizes = [];
    this.releasedBytes = 0;
    this.evict(now, recent);
  }

  /** Applies the idle rules; `recent` is the bytes that became free just now (exempt from the budget). */
  private evict(now: number, recent: number): void {
    // Lists are ordered by `since`, so the old entries of each list are at its front.
    let older: Idle[] | null = null; // free for more than one submit, the budget's candidates
    let olderBytes = 0;
    for (const [size, list] of this.free) {
      let stale = 0;
      while (stale < list.length && now - list[stale].since >= this.idleSubmits) stale++;
      for (let i = 0; i < stale; i++) this.destroyBuffer(list[i]);
      if (stale) list.splice(0, stale);
      if (!list.length) this.free.delete(size);
    }
    if (this.freeBytes - recent <= this.idleBytes) return;
    for (const list of this.free.values()) {
      for (const e of list) {
        if (e.since >= now) break;
        (older ??= []).push(e);
        olderBytes += e.size;
      }
    }
    if (!older || olderBytes <= this.idleBytes) return;
    older.sort((a, b) => a.since - b.since);
    const gone = new Set<GPUBuffer>();
    for (const e of older) {
      if (olderBytes <= this.idleBytes) break;
      olderBytes -= e.size;
      gone.add(e.buffer);
      this.destroyBuffer(e);
    }
    for (const [size, list] of this.free) {
      const kept = list.filter((e) => !gone.has(e.buffer));
      if (kept.length) this.free.set(size, kept);
      else this.free.delete(size);
    }
  }

  /** Destroys a free buffer (never one in use or waiting for a submit). */
  private destroyBuffer({ buffer, size }: Idle): void {
    this.freeBytes -= size;
    this.allocatedBytes -= size;
    this.destroyed++;
    this.onDestroy?.(buffer);
    buffer.destroy();
  }

  /** Destroys every free buffer now, e.g. after a large temporary allocation. */
  trim(): void {
    for (const list of this.free.values()) for (const e of list) this.destroyBuffer(e);
    this.free.clear();
  }

  /** Destroys every buffer the pool holds, released ones included (the device is going away). */
  destroy(): void {
    this.released.forEach((buffer, i) => {
      const size = this.releasedSizes[i];
      this.freeBytes += size; // destroyBuffer counts it out of the free bytes
      this.destroyBuffer({ buffer, size, since: this.submits });
    });
    this.released = [];
    this.releasedSizes = [];
    this.releasedBytes = 0;
    this.trim();
  }
}
