// Owns one GPUDevice for gradbox: storage buffers, the pipeline cache, and the batching of dispatches.
// Dispatches are encoded into one open command encoder and submitted together when data is read back.
import { GradboxError } from '../../errors';
import type { Storage } from '../backend';
import { BufferPool, type PoolOptions } from './buffer_pool';
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

/** A pipeline to compile ahead of its first dispatch (see GpuRunner.precompile). */
export interface PipelineSpec {
  shader: ShaderSource;
  entry: string;
  constants?: Record<string, number>;
}

/** Submit after this many encoded dispatches even if nobody reads, so memory held by pending work stays bounded. */
const MAX_PENDING_DISPATCHES = 512;

/** Bind groups kept for reuse; past this the cache starts again (it also holds groups of user buffers). */
const MAX_BIND_GROUPS = 4096;

/** What a binding of group 0 is, as an entry point uses it. */
export type BindingKind = 'uniform' | 'read' | 'read_write';

/**
 * Reads the group-0 buffer bindings of a WGSL module and, per entry point, which of them the entry
 * statically uses (through the functions it calls), so pipelines can get explicit bind group layouts.
 */
export class WgslBindings {
  private globals = new Map<string, { binding: number; kind: BindingKind }>();
  private functions = new Map<string, Set<string>>();
  /** Set when the module has resources this reader does not model (textures, other groups). */
  readonly unsupported: string | null = null;

  constructor(code: string) {
    const src = stripComments(code);
    const decl = /((?:@\w+\s*\([^)]*\)\s*)+)var\s*(<[^>]*>)?\s*([A-Za-z_]\w*)/g;
    for (const m of src.matchAll(decl)) {
      const group = /@group\s*\(\s*(\d+)\s*\)/.exec(m[1]);
      const binding = /@binding\s*\(\s*(\d+)\s*\)/.exec(m[1]);
      if (!group || !binding) continue;
      const space = (m[2] ?? '').replace(/[<>\s]/g, '');
      const kind: BindingKind | null =
        space === 'uniform'
          ? 'uniform'
          : space === 'storage' || space === 'storage,read'
            ? 'read'
            : space === 'storage,read_write'
              ? 'read_write'
              : null;
      if (group[1] !== '0' || kind === null) {
        this.unsupported = `${m[3]} (@group(${group[1]}) var${m[2] ?? ''})`;
        continue;
      }
      this.globals.set(m[3], { binding: Number(binding[1]), kind });
    }
    for (const m of src.matchAll(/\bfn\s+([A-Za-z_]\w*)\s*\(/g)) {
      const open = src.indexOf('{', m.index);
      if (open < 0) continue;
      let depth = 0;
      let end = open;
      for (; end < src.length; end++) {
        if (src[end] === '{') depth++;
        else if (src[end] === '}' && --depth === 0) break;
      }
      // Identifiers of the body, except member names after a dot (p.n is the binding p, not n).
      const ids = new Set(src.slice(open, end).match(/(?<![\w.])[A-Za-z_]\w*/g) ?? []);
      this.functions.set(m[1], ids);
    }
  }

  /**
   * The kind of each binding `entry` uses, indexed by binding number (holes are unused numbers), or a
   * sentence saying why it cannot be told (then the caller lets WebGPU derive the layout: layout 'auto').
   */
  of(entry: string): (BindingKind | undefined)[] | string {
    if (this.unsupported) return `the module declares ${this.unsupported}`;
    if (!this.functions.has(entry)) return `no function ${entry} in the module`;
    const seen = new Set<string>([entry]);
    const todo = [entry];
    const kinds: (BindingKind | undefined)[] = [];
    while (todo.length) {
      for (const id of this.functions.get(todo.pop()!)!) {
        const g = this.globals.get(id);
        if (g) {
          const had = kinds[g.binding];
          if (had && had !== g.kind) return `binding ${g.binding} is used both as ${had} and ${g.kind}`;
          kinds[g.binding] = g.kind;
        } else if (this.functions.has(id) && !seen.has(id)) {
          seen.add(id);
          todo.push(id);
        }
      }
    }
    return kinds;
  }
}

/** WGSL without its comments (block comments nest in WGSL). */
function stripComments(code: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    if (code.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (depth && code.startsWith('*/', i)) {
      depth--;
      i++;
    } else if (!depth && code.startsWith('//', i)) {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else if (!depth) out += code[i];
  }
  return out;
}

/**
 * How one pipeline binds: an explicit layout (a uniform at binding 0 with a dynamic offset into the
 * submit's parameter buffer, storage at 1..n) shared by every pipeline with the same signature, or
 * `null` layout for pipelines whose shader this runner cannot read ('auto' layout, one bind group per
 * dispatch, the uniform bound at a static offset).
 */
interface Layout {
  /** 'u' or '-' for binding 0, then 'r' or 'w' per storage binding: the key of the shared layout objects. */
  signature: string;
  uniform: boolean;
  storage: number;
  bindGroupLayout: GPUBindGroupLayout;
  pipelineLayout: GPUPipelineLayout;
}

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: Layout | null;
}

/**
 * Per dispatch the host does as little as it can: the pipeline comes from a cache (filled ahead by
 * precompile() where the backend asks), the parameters are copied into the batch's slot of one uniform
 * buffer (written with one writeBuffer per submit, bound with a dynamic offset), and the bind group is
 * reused whenever the same layout sees the same buffer ranges. bench/dispatch.mjs measured the runner's
 * main-thread CPU per dispatch at ~20 µs with a bind group, a uniform buffer and a write each, ~4 µs now.
 */
export class GpuRunner {
  private storagePool: BufferPool;
  private readPool: BufferPool;
  private modules = new Map<string, GPUShaderModule>();
  private bindings = new Map<string, WgslBindings>();
  private pipelines = new Map<string, Pipeline>();
  /** Pipelines being compiled by precompile(); a dispatch that needs one first creates it itself. */
  private compiling = new Map<string, Promise<string | null>>();
  private layouts = new Map<string, Layout>();
  private bindGroups = new Map<string, GPUBindGroup>();
  /** Keys of the cached bind groups that use a buffer, by buffer id: dropped when the buffer is destroyed. */
  private bindGroupsOf = new Map<number, string[]>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  /** The parameters of every dispatch of the open batch, one aligned slot each, written once per submit. */
  private paramsBuffer: GPUBuffer;
  private paramsHost: Uint32Array;
  private paramsUsed = 0;
  private readonly paramsAlign: number;
  private readonly dynamicOffset = [0];
  /** Limits read once: each read of device.limits is a call into the WebGPU implementation. */
  private readonly maxWorkgroups: number;
  private readonly maxStorageBytes: number;
  private readonly maxBufferBytes: number;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set on the open pass (setPipeline is skipped when it does not change). */
  private passPipeline: GPUComputePipeline | null = null;
  private pending = 0;
  private errors: string[] = [];
  /** Counters for benchmarks and tests: what a step costs. */
  readonly stats = {
    dispatches: 0,
    submits: 0,
    pipelines: 0,
    uploads: 0,
    readbacks: 0,
    copies: 0,
    /** Bind groups created (a dispatch that reuses a cached one creates none). */
    bindGroups: 0,
  };
  lostReason: string | null = null;
  debug: boolean;
  /** Timestamp queries around every compute pass while a profile() is running (see beginTiming). */
  private timing: { querySet: GPUQuerySet; used: number; capacity: number } | null = null;

  /** `pool` overrides the idle rules of the buffer pools (POOL_IDLE_SUBMITS, POOL_IDLE_BYTES). */
  constructor(
    readonly device: GPUDevice,
    readonly info: GpuDeviceInfo,
    debug: boolean,
    pool: Omit<PoolOptions, 'maxBufferSize' | 'onDestroy'> = {},
  ) {
    this.debug = debug;
    const limits = device.limits;
    this.maxWorkgroups = limits.maxComputeWorkgroupsPerDimension;
    this.maxStorageBytes = limits.maxStorageBufferBindingSize;
    this.maxBufferBytes = limits.maxBufferSize;
    const S = GPUBufferUsage;
    const options: PoolOptions = {
      ...pool,
      maxBufferSize: this.maxBufferBytes,
      onDestroy: (b) => this.forgetBuffer(b),
    };
    this.storagePool = new BufferPool(
      device,
      S.STORAGE | S.COPY_SRC | S.COPY_DST,
      'gradbox.storage',
      options,
    );
    this.readPool = new BufferPool(device, S.MAP_READ | S.COPY_DST, 'gradbox.readback', options);
    this.paramsAlign = Math.max(16, limits.minUniformBufferOffsetAlignment);
    const paramsBytes = MAX_PENDING_DISPATCHES * this.paramsAlign;
    this.paramsBuffer = device.createBuffer({
      size: paramsBytes,
      usage: S.UNIFORM | S.COPY_DST,
      label: 'gradbox.params',
    });
    this.paramsHost = new Uint32Array(paramsBytes / 4);
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
    const limit = Math.min(this.maxStorageBytes, this.maxBufferBytes);
    if (bytes > limit) {
      const which =
        this.maxStorageBytes <= this.maxBufferBytes ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
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

  /**
   * Bytes of GPU buffers the pools hold that no storage uses: free buffers and buffers released since the
   * last submit. They go back to the device under the pool's idle rules (see buffer_pool.ts).
   */
  poolBytes(): number {
    return this.storagePool.idle() + this.readPool.idle();
  }

  /** The code compiled for a shader on this device (subgroup parts removed where unsupported). */
  private codeOf(shader: ShaderSource): string {
    return this.info.subgroups ? shader.code : stripSubgroups(shader.code);
  }

  private module(shader: ShaderSource): GPUShaderModule {
    let m = this.modules.get(shader.name);
    if (!m) {
      m = this.device.createShaderModule({ code: this.codeOf(shader), label: `gradbox.${shader.name}.wgsl` });
      this.modules.set(shader.name, m);
    }
    return m;
  }

  /** The explicit layout of an entry point, or null when its bindings cannot be read (see Layout). */
  private layoutOf(shader: ShaderSource, entry: string): Layout | null {
    let b = this.bindings.get(shader.name);
    if (!b) {
      b = new WgslBindings(this.codeOf(shader));
      this.bindings.set(shader.name, b);
    }
    const kinds = b.of(entry);
    const why =
      typeof kinds === 'string'
        ? kinds
        : kinds[0] !== undefined && kinds[0] !== 'uniform'
          ? 'binding 0 is not a uniform'
          : kinds.slice(1).some((k) => k === undefined || k === 'uniform')
            ? `bindings 1..${kinds.length - 1} are not all storage buffers`
            : null;
    if (typeof kinds === 'string' || why !== null) {
      if (this.debug) console.log(`[gradbox] ${shader.name}.${entry}: layout 'auto', because ${why}`);
      return null;
    }
    const signature =
      (kinds[0] ? 'u' : '-') +
      kinds
        .slice(1)
        .map((k) => (k === 'read' ? 'r' : 'w'))
        .join('');
    let layout = this.layouts.get(signature);
    if (!layout) {
      const COMPUTE = GPUShaderStage.COMPUTE;
      const entries: GPUBindGroupLayoutEntry[] = [];
      if (kinds[0]) {
        entries.push({
          binding: 0,
          visibility: COMPUTE,
          buffer: { type: 'uniform', hasDynamicOffset: true },
        });
      }
      for (let i = 1; i < kinds.length; i++) {
        const type = kinds[i] === 'read' ? 'read-only-storage' : 'storage';
        entries.push({ binding: i, visibility: COMPUTE, buffer: { type } });
      }
      const bindGroupLayout = this.device.createBindGroupLayout({
        entries,
        label: `gradbox.bind.${signature}`,
      });
      layout = {
        signature,
        uniform: !!kinds[0],
        storage: kinds.length - 1,
        bindGroupLayout,
        pipelineLayout: this.device.createPipelineLayout({
          bindGroupLayouts: [bindGroupLayout],
          label: `gradbox.layout.${signature}`,
        }),
      };
      this.layouts.set(signature, layout);
    }
    return layout;
  }

  private pipelineDescriptor(spec: PipelineSpec, layout: Layout | null, key: string) {
    return {
      layout: layout?.pipelineLayout ?? ('auto' as const),
      label: `gradbox.${key}`,
      compute: { module: this.module(spec.shader), entryPoint: spec.entry, constants: spec.constants ?? {} },
    };
  }

  /** The pipeline for a dispatch: cached, or created now (synchronously, even if precompile() is on it). */
  private pipeline(d: PipelineSpec): Pipeline {
    const key = pipelineKey(d);
    let p = this.pipelines.get(key);
    if (!p) {
      if (this.debug) console.log(`[gradbox] pipeline ${key}\n${d.shader.code}`);
      const layout = this.layoutOf(d.shader, d.entry);
      p = { pipeline: this.device.createComputePipeline(this.pipelineDescriptor(d, layout, key)), layout };
      this.pipelines.set(key, p);
      this.stats.pipelines++;
    }
    return p;
  }

  /**
   * Compiles pipelines ahead of their first dispatch with createComputePipelineAsync, so a first step does
   * not stall on compilation. Dispatches need not wait for it: one whose pipeline is still compiling
   * creates it synchronously. Rejects, naming them, if some pipelines failed to compile.
   */
  async precompile(list: readonly PipelineSpec[]): Promise<void> {
    this.check();
    const jobs: Promise<string | null>[] = [];
    for (const spec of list) {
      const key = pipelineKey(spec);
      if (this.pipelines.has(key)) continue;
      let job = this.compiling.get(key);
      if (!job) {
        const layout = this.layoutOf(spec.shader, spec.entry);
        job = this.device
          .createComputePipelineAsync(this.pipelineDescriptor(spec, layout, key))
          .then(
            (pipeline) => {
              if (!this.pipelines.has(key)) {
                this.pipelines.set(key, { pipeline, layout });
                this.stats.pipelines++;
              }
              return null;
            },
            (e: Error) => `${key}: ${e.message}`,
          )
          .finally(() => this.compiling.delete(key));
        this.compiling.set(key, job);
      }
      jobs.push(job);
    }
    const failures = (await Promise.all(jobs)).filter((f) => f !== null);
    if (failures.length) {
      throw new GradboxError(
        `precompile: ${failures.length} of ${list.length} pipelines failed to compile; the first: ` +
          `${failures[0]}. The kernel's WGSL (or its constants) does not suit this device.`,
      );
    }
  }

  /** A small number naming a buffer in bind group keys (a WeakMap: it does not keep the buffer alive). */
  private idOf(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }

  /** Drops the cached bind groups that use a buffer about to be destroyed. */
  private forgetBuffer(buffer: GPUBuffer): void {
    const id = this.bufferIds.get(buffer);
    if (id === undefined) return;
    for (const key of this.bindGroupsOf.get(id) ?? []) this.bindGroups.delete(key);
    this.bindGroupsOf.delete(id);
    this.bufferIds.delete(buffer);
  }

  /** Reserves a slot of the parameter buffer for `params` and writes them there; returns its byte offset. */
  private placeParams(params: Params): number {
    const bytes = params.byteLength;
    const slot = Math.ceil(bytes / this.paramsAlign) * this.paramsAlign;
    if (slot > this.paramsHost.byteLength) {
      throw new GradboxError(
        `a kernel's parameters take ${bytes} bytes, more than the ${this.paramsHost.byteLength} bytes ` +
          'the runner keeps per submit; pass large data in a storage buffer instead.',
      );
    }
    if (this.paramsUsed + slot > this.paramsHost.byteLength) this.submit();
    const offset = this.paramsUsed;
    params.writeTo(this.paramsHost, offset / 4);
    this.paramsUsed += slot;
    return offset;
  }

  /** A bind group of the explicit layout for these buffers: cached while none of them is destroyed. */
  private bindGroup(layout: Layout, d: Dispatch): GPUBindGroup {
    const uniformSize = d.params ? d.params.byteLength : 0;
    let key = `${layout.signature}:${uniformSize}`;
    for (const s of d.buffers) key += `|${this.idOf(s.buffer)}:${s.offset}:${s.length}`;
    let group = this.bindGroups.get(key);
    if (group) return group;
    const entries: GPUBindGroupEntry[] = [];
    if (d.params) entries.push({ binding: 0, resource: { buffer: this.paramsBuffer, size: uniformSize } });
    d.buffers.forEach((s, i) => entries.push({ binding: i + 1, resource: bindingOf(s) }));
    group = this.device.createBindGroup({
      layout: layout.bindGroupLayout,
      entries,
      label: `gradbox.${d.shader.name}.${d.entry}`,
    });
    this.stats.bindGroups++;
    if (this.bindGroups.size >= MAX_BIND_GROUPS) {
      this.bindGroups.clear();
      this.bindGroupsOf.clear();
    }
    this.bindGroups.set(key, group);
    for (const s of d.buffers) {
      const id = this.idOf(s.buffer);
      const keys = this.bindGroupsOf.get(id);
      if (keys) keys.push(key);
      else this.bindGroupsOf.set(id, [key]);
    }
    return group;
  }

  /** Encodes one dispatch into the open compute pass. Nothing is submitted here. */
  dispatch(d: Dispatch): void {
    this.check();
    const [x, y = 1, z = 1] = d.workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxWg = this.maxWorkgroups;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new GradboxError(
        `${d.shader.name}.${d.entry}: dispatch (${x},${y},${z}) exceeds maxComputeWorkgroupsPerDimension ` +
          `(${maxWg}); the tensor is too large for one dispatch of this kernel.`,
      );
    }
    let p = this.pipeline(d);
    const layout = p.layout;
    if (layout && (layout.uniform !== !!d.params || layout.storage !== d.buffers.length)) {
      // The shader's bindings and the dispatch disagree: let WebGPU judge it with an 'auto' layout, as
      // before explicit layouts, so its validation error names the problem.
      p = this.autoPipeline(d);
    }
    const paramsAt = d.params ? this.placeParams(d.params) : 0; // may submit: before the pass is opened
    let group: GPUBindGroup;
    if (p.layout) group = this.bindGroup(p.layout, d);
    else {
      const entries: GPUBindGroupEntry[] = [];
      if (d.params) {
        const size = d.params.byteLength;
        entries.push({ binding: 0, resource: { buffer: this.paramsBuffer, offset: paramsAt, size } });
      }
      d.buffers.forEach((s, i) => entries.push({ binding: i + 1, resource: bindingOf(s) }));
      group = this.device.createBindGroup({
        layout: p.pipeline.getBindGroupLayout(0),
        entries,
        label: `gradbox.${d.shader.name}.${d.entry}`,
      });
      this.stats.bindGroups++;
    }
    const pass = this.openPass();
    if (this.passPipeline !== p.pipeline) {
      pass.setPipeline(p.pipeline);
      this.passPipeline = p.pipeline;
    }
    if (p.layout?.uniform) {
      this.dynamicOffset[0] = paramsAt;
      pass.setBindGroup(0, group, this.dynamicOffset);
    } else pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    this.stats.dispatches++;
    if (this.debug)
      console.log(`[gradbox] dispatch ${d.shader.name}.${d.entry} (${x},${y},${z})`, d.constants ?? {});
    if (++this.pending >= MAX_PENDING_DISPATCHES) this.submit();
  }

  /** The 'auto'-layout twin of a dispatch's pipeline (see dispatch). */
  private autoPipeline(d: Dispatch): Pipeline {
    const key = `auto:${pipelineKey(d)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = {
        pipeline: this.device.createComputePipeline(this.pipelineDescriptor(d, null, key)),
        layout: null,
      };
      this.pipelines.set(key, p);
      this.stats.pipelines++;
    }
    return p;
  }

  private openEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'gradbox.batch' });
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    this.pass ??= this.openEncoder().beginComputePass(this.passDescriptor());
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
    this.passPipeline = null;
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
    this.device.queue.submit([enc.finish({ label: 'gradbox.timing' })]);
    await read.mapAsync(GPUMapMode.READ);
    const ns = new BigInt64Array(read.getMappedRange().slice(0));
    read.unmap();
    let total = 0n;
    for (let i = 0; i + 1 < t.used; i += 2) if (ns[i + 1] > ns[i]) total += ns[i + 1] - ns[i];
    for (const b of [resolve, read]) b.destroy();
    t.querySet.destroy();
    return Number(total) / 1e6;
  }

  /** Submits all encoded work, after one write of the batch's parameters (queue order puts it first). */
  submit(): void {
    if (!this.encoder) {
      this.paramsUsed = 0; // only parameters of a dispatch that threw before it was encoded
      return;
    }
    this.endPass();
    if (this.paramsUsed) {
      this.device.queue.writeBuffer(this.paramsBuffer, 0, this.paramsHost.buffer, 0, this.paramsUsed);
      this.paramsUsed = 0;
    }
    this.device.queue.submit([this.encoder.finish({ label: 'gradbox.batch' })]);
    this.encoder = null;
    this.pending = 0;
    this.stats.submits++;
    this.storagePool.afterSubmit();
  }

  /** Copies storage to the host; submits pending work first. */
  async read(x: GpuStorage): Promise<Float32Array> {
    this.check();
    const bytes = x.length * 4;
    if (bytes === 0) return new Float32Array(0);
    const encoder = this.openEncoder();
    this.endPass();
    const staging = this.readPool.acquire(bytes);
    encoder.copyBufferToBuffer(x.buffer, x.offset * 4, staging, 0, bytes);
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

  /**
   * Encodes a copy of src into dst at element offset `at` (outside any compute pass). Two ranges of one
   * buffer (two parameters packed in one flat buffer) go through a pooled temporary: WebGPU forbids a
   * copy whose source and destination are the same buffer, even between disjoint ranges.
   */
  copy(src: GpuStorage, dst: GpuStorage, at: number): void {
    this.check();
    if (src.length === 0) return;
    const encoder = this.openEncoder();
    this.endPass();
    const bytes = src.length * 4;
    if (src.buffer === dst.buffer) {
      const tmp = this.storagePool.acquire(bytes);
      encoder.copyBufferToBuffer(src.buffer, src.offset * 4, tmp, 0, bytes);
      encoder.copyBufferToBuffer(tmp, 0, dst.buffer, (dst.offset + at) * 4, bytes);
      this.storagePool.release(tmp); // reused only after this batch is submitted
    } else {
      encoder.copyBufferToBuffer(src.buffer, src.offset * 4, dst.buffer, (dst.offset + at) * 4, bytes);
    }
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
    this.passPipeline = null;
    this.encoder = null;
    this.paramsUsed = 0;
    this.bindGroups.clear();
    this.bindGroupsOf.clear();
    this.storagePool.destroy();
    this.readPool.destroy();
    this.paramsBuffer.destroy();
    this.pipelines.clear();
    this.layouts.clear();
    this.modules.clear();
    if (destroyDevice) this.device.destroy();
  }
}

/** The cache key of a pipeline: shader, entry and constants (sorted, so their order does not matter). */
function pipelineKey(d: PipelineSpec): string {
  let key = `${d.shader.name}:${d.entry}:`;
  const c = d.constants;
  if (c) {
    const names = Object.keys(c);
    if (names.length > 1) names.sort();
    for (const k of names) key += `${k}=${c[k]},`;
  }
  return key;
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
