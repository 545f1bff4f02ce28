// Reuses GPU buffers by size class so a training loop does not create and destroy buffers every step.
// A released buffer becomes reusable only after the next submit: work already encoded may still read it.

/** Rounds a byte size up to its class: powers of two and 1.5x powers of two, at least 256 bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  return bytes <= p * 0.75 ? p * 0.75 : p;
}

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private released: { key: string; buffer: GPUBuffer }[] = [];
  /** Bytes of buffers created by this pool and not destroyed (in use or waiting in the pool). */
  allocatedBytes = 0;
  created = 0;

  constructor(
    private device: GPUDevice,
    private usage: GPUBufferUsageFlags,
    private label: string,
  ) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const key = String(size);
    const list = this.free.get(key);
    const reused = list?.pop();
    if (reused) return reused;
    this.created++;
    this.allocatedBytes += size;
    return this.device.createBuffer({ size, usage: this.usage, label: `${this.label}#${this.created}` });
  }

  /** Gives a buffer back; it is handed out again only after `afterSubmit` (see the module header). */
  release(buffer: GPUBuffer): void {
    this.released.push({ key: String(buffer.size), buffer });
  }

  /** Called after every queue submit: released buffers become reusable. */
  afterSubmit(): void {
    for (const { key, buffer } of this.released) {
      const list = this.free.get(key) ?? [];
      list.push(buffer);
      this.free.set(key, list);
    }
    this.released = [];
  }

  /** Destroys the pooled (unused) buffers, e.g. after a large temporary allocation. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.allocatedBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }

  destroy(): void {
    this.afterSubmit();
    this.trim();
  }
}
