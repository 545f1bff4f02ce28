// Owns one GPUDevice for gradbox: storage buffers, the pipeline cache, and the batching of dispatches.
// Dispatches are encoded into one open command encoder and submitted together when data is read back.
import { GradboxError } from '../../errors';
import type { Storage } from '../backend';
import { BufferPool } from './buffer_pool';
import type { GpuDeviceInfo } from './device';
import type { Params } from './params';

/** A GPU buffer holding `length` float32 elements; `owned` is false for buffers the user gave us. */
export interface GpuStorage extends Storage {
  readonly buffer: GPUBuffer;
  /** Where the elements start in the buffer, in elements (a multiple of 64: 256-byte binding alignment). */
  readonly offset: number;
  /** False for buffers the user gave us and for views into another storage: free() leaves them alone. */
  readonly owned: boolean;
}

/** The binding of a storage: its own byte range of the buffer. */
export function bindingOf(s: GpuStorage): GPUBufferBinding {
  return { buffer: s.buffer, offset: s.offset * 4, size: Math.max(4, s.length * 4) };
}

/** A WGSL module: its name (for labels and the cache) and its source. */
export interface ShaderSource {
  name: string;
  code: string;
}

export interface Dispatch {
  shader: ShaderSource;
  entry: string;
  /** Values for the shader's `override` constants. */
  constants?: Record<string, number>;
  /** Bound at @binding(0) as a uniform, when present. */
  params?: Params;
  /** Bound in order at @binding(1), @binding(2), ...: read-only inputs first, the output last. */
  buffers: GpuStorage[];
  workgroups: [number, number?, number?];
}

/** Submit after this many encoded dispatches even if nobody reads, so memory held by pending work stays bounded. */
const MAX_PENDING_DISPATCHES = 512;

export class GpuRunner {
  private storagePool: BufferPool;
  private uniformPool: BufferPool;
  private readPool: BufferPool;
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private errors: string[] = [];
  /** Counters for benchmarks and tests: what a step costs. */
  readonly stats = { dispatches: 0, submits: 0, pipelines: 0, uploads: 0, readbacks: 0, copies: 0 };
  lostReason: string | null = null;
  debug: boolean;
  /** Timestamp queries around every compute pass while a profile() is running (see beginTiming). */
  private timing: { querySet: GPUQuerySet; used: number; capacity: number } | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly info: GpuDeviceInfo,
    debug: boolean,
  ) {
    this.debug = debug;
    const S = GPUBufferUsage;
    this.storagePool = new BufferPool(device, S.STORAGE | S.COPY_SRC | S.COPY_DST, 'gradbox.storage');
    this.uniformPool = new BufferPool(device, S.UNIFORM | S.COPY_DST, 'gradbox.params');
    this.readPool = new BufferPool(device, S.MAP_READ | S.COPY_DST, 'gradbox.readback');
    device.addEventListener('uncapturederror', (ev) => {
      const msg = (ev as GPUUncapturedErrorEvent).error.message;
      this.errors.push(msg);
      if (this.debug) console.error(`[gradbox] GPU error: ${msg}`);
    });
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws if the device was lost or reported an error since the last check. */
  check(): void {
    if (this.lostReason !== null) {
      throw new GradboxError(
        `the WebGPU device was lost (${this.lostReason}); its tensors are gone. Create a new context ` +
          "(createContext({ backend: 'auto' }) falls back to the CPU on its own).",
      );
    }
    if (this.errors.length) {
      const all = this.errors.splice(0);
      throw new GradboxError(`WebGPU reported ${all.length} error(s); the first: ${all[0]}`);
    }
  }

  /** A new storage buffer of `length` float32 elements (contents undefined). */
  alloc(length: number): GpuStorage {
    this.check();
    const bytes = Math.max(4, length * 4);
    const limit = Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize);
    if (bytes > limit) {
      const which =
        this.limits.maxStorageBufferBindingSize <= this.limits.maxBufferSize
          ? 'maxStorageBufferBindingSize'
          : 'maxBufferSize';
      throw new GradboxError(
        `a tensor of ${length} elements needs ${bytes} bytes, more than this device's ${which} ` +
          `(${limit} bytes). Split the work into smaller tensors, or use the CPU backend for it.`,
      );
    }
    return { length, buffer: this.storagePool.acquire(bytes), offset: 0, owned: true };
  }

  upload(data: Float32Array): GpuStorage {
    const out = this.alloc(data.length);
    if (data.length)
      this.device.queue.writeBuffer(out.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    this.stats.uploads++;
    return out;
  }

  free(x: GpuStorage): void {
    if (x.owned) this.storagePool.release(x.buffer);
  }

  private module(shader: ShaderSource): GPUShaderModule {
    let m = this.modules.get(shader.name);
    if (!m) {
      const code = this.info.subgroups ? shader.code : stripSubgroups(shader.code);
      m = this.device.createShaderModule({ code, label: `gradbox.${shader.name}.wgsl` });
      this.modules.set(shader.name, m);
    }
    return m;
  }

  private pipeline(d: Dispatch): GPUComputePipeline {
    const key = `${d.shader.name}:${d.entry}:${JSON.stringify(d.constants ?? {})}`;
    let p = this.pipelines.get(key);
    if (!p) {
      if (this.debug) console.log(`[gradbox] pipeline ${key}\n${d.shader.code}`);
      p = this.device.createComputePipeline({
        layout: 'auto',
        label: `gradbox.${key}`,
        compute: { module: this.module(d.shader), entryPoint: d.entry, constants: d.constants ?? {} },
      });
      this.pipelines.set(key, p);
      this.stats.pipelines++;
    }
    return p;
  }

  /** Encodes one dispatch into the open compute pass. Nothing is submitted here. */
  dispatch(d: Dispatch): void {
    this.check();
    const [x, y = 1, z = 1] = d.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxWg = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new GradboxError(
        `${d.shader.name}.${d.entry}: dispatch (${x},${y},${z}) exceeds maxComputeWorkgroupsPerDimension ` +
          `(${maxWg}); the tensor is too large for one dispatch of this kernel.`,
      );
    }
    const pipeline = this.pipeline(d);
    const entries: GPUBindGroupEntry[] = [];
    if (d.params) {
      const bytes = d.params.bytes();
      const ub = this.uniformPool.acquire(bytes.byteLength);
      this.device.queue.writeBuffer(ub, 0, bytes);
      this.uniformPool.release(ub); // reusable only after this batch is submitted
      entries.push({ binding: 0, resource: { buffer: ub, size: bytes.byteLength } });
    }
    d.buffers.forEach((s, i) => {
      entries.push({ binding: i + 1, resource: bindingOf(s) });
    });
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries,
      label: `gradbox.${d.shader.name}.${d.entry}`,
    });
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'gradbox.batch' });
    if (!this.pass) this.pass = this.encoder.beginComputePass(this.passDescriptor());
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.stats.dispatches++;
    if (this.debug)
      console.log(`[gradbox] dispatch ${d.shader.name}.${d.entry} (${x},${y},${z})`, d.constants ?? {});
    if (++this.pending >= MAX_PENDING_DISPATCHES) this.submit();
  }

  private passDescriptor(): GPUComputePassDescriptor {
    const t = this.timing;
    if (!t || t.used + 2 > t.capacity) return { label: 'gradbox.pass' };
    const d: GPUComputePassDescriptor = {
      label: 'gradbox.pass',
      timestampWrites: {
        querySet: t.querySet,
        beginningOfPassWriteIndex: t.used,
        endOfPassWriteIndex: t.used + 1,
      },
    };
    t.used += 2;
    return d;
  }

  /**
   * Starts timing the device's work: every compute pass from now on writes GPU timestamps at its start
   * and end. Returns false when the adapter has no timestamp queries.
   */
  beginTiming(capacity = 1024): boolean {
    if (!this.info.timestampQuery) return false;
    this.submit(); // passes already encoded are not timed
    this.timing = {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: capacity, label: 'gradbox.timing' }),
      used: 0,
      capacity,
    };
    return true;
  }

  /** Ends timing; resolves to the summed GPU time of the timed passes in milliseconds (null if untimed). */
  async endTiming(): Promise<number | null> {
    const t = this.timing;
    if (!t) return null;
    this.timing = null;
    this.submit();
    if (t.used === 0) {
      t.querySet.destroy();
      return 0;
    }
    const S = GPUBufferUsage;
    const resolve = this.device.createBuffer({
      size: t.used * 8,
      usage: S.QUERY_RESOLVE | S.COPY_SRC,
      label: 'gradbox.timing.resolve',
    });
    const read = this.device.createBuffer({
      size: t.used * 8,
      usage: S.MAP_READ | S.COPY_DST,
      label: 'gradbox.timing.read',
    });
    const enc = this.device.createCommandEncoder({ label: 'gradbox.timing' });
    enc.resolveQuerySet(t.querySet, 0, t.used, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, t.used * 8);
    this.device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const ns = new BigInt64Array(read.getMappedRange().slice(0));
    read.unmap();
    let total = 0n;
    for (let i = 0; i + 1 < t.used; i += 2) if (ns[i + 1] > ns[i]) total += ns[i + 1] - ns[i];
    for (const b of [resolve, read]) b.destroy();
    t.querySet.destroy();
    return Number(total) / 1e6;
  }

  /** Submits all encoded work. */
  submit(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pending = 0;
    this.stats.submits++;
    this.storagePool.afterSubmit();
    this.uniformPool.afterSubmit();
  }

  /** Copies storage to the host; submits pending work first. */
  async read(x: GpuStorage): Promise<Float32Array> {
    this.check();
    const bytes = x.length * 4;
    if (bytes === 0) return new Float32Array(0);
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'gradbox.batch' });
    this.pass?.end();
    this.pass = null;
    const staging = this.readPool.acquire(bytes);
    this.encoder.copyBufferToBuffer(x.buffer, x.offset * 4, staging, 0, bytes);
    this.submit();
    this.stats.readbacks++;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      this.check();
      throw new GradboxError(`reading a tensor back from the GPU failed: ${(e as Error).message}`);
    }
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    this.readPool.release(staging);
    this.readPool.afterSubmit();
    this.check();
    return out;
  }

  /** Encodes a copy of src into dst at element offset `at` (outside any compute pass). */
  copy(src: GpuStorage, dst: GpuStorage, at: number): void {
    this.check();
    if (src.length === 0) return;
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'gradbox.batch' });
    this.pass?.end();
    this.pass = null;
    this.encoder.copyBufferToBuffer(
      src.buffer,
      src.offset * 4,
      dst.buffer,
      (dst.offset + at) * 4,
      src.length * 4,
    );
    this.stats.copies++;
  }

  /** Waits until the GPU has finished everything submitted so far. */
  async sync(): Promise<void> {
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    this.check();
  }

  destroy(destroyDevice: boolean): void {
    this.pass = null;
    this.encoder = null;
    this.storagePool.destroy();
    this.uniformPool.destroy();
    this.readPool.destroy();
    this.pipelines.clear();
    this.modules.clear();
    if (destroyDevice) this.device.destroy();
  }
}

/**
 * Removes the parts of a WGSL module marked for subgroups, for devices without the feature:
 * the `enable subgroups;` line and every block between `// subgroups:begin` and `// subgroups:end`,
 * and turns `// subgroups:else ` lines on. Kernels keep a workgroup-memory path for that case.
 */
export function stripSubgroups(code: string): string {
  return code
    .replace(/^enable subgroups;\s*$/m, '')
    .replace(/\/\/ subgroups:begin[\s\S]*?\/\/ subgroups:end/g, '')
    .replace(/\/\/ subgroups:else /g, '');
}
